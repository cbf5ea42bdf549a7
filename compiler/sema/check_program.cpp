// check_program.cpp — semantic analysis entry point: checks modules in import
// order (each once; cycles are errors), their module-level declarations in
// source order, then the bodies of their functions and kernels. Function
// instances (one per non-generic function, one per argument-type list of a
// generic one) are created and checked on demand here.
//
// Contract: see sema.h and symbols.h. Bodies are checked after all of a
// module's declarations are known (a kernel may call a function defined
// below it); annotations, struct fields and constants see only what is
// declared above them, as in Python.
#include <fmt/format.h>

#include <algorithm>

#include "sema/sema_impl.h"

namespace warpc {

namespace sema {

Sema::Sema(ModuleLoader& loader, TypeContext& types, DiagnosticEngine& diags, Program& program)
    : loader_(loader), types_(types), diags_(diags), program_(program) {}

bool Sema::run(ast::Module& main) {
  size_t errors_before = diags_.error_count();
  program_.main = check_module(&main, SourceRange());
  return diags_.error_count() == errors_before;
}

// -------------------------------------------------------------------- modules

ModuleInfo* Sema::check_module(ast::Module* m, SourceRange import_at) {
  if (auto it = modules_.find(m); it != modules_.end()) {
    if (it->second->in_progress) {
      error(DiagId::err_import_cycle, import_at, m->name);
      return nullptr;
    }
    return it->second;
  }
  ModuleInfo* mi = program_.make<ModuleInfo>();
  mi->name = m->name;
  mi->ast = m;
  mi->in_progress = true;
  modules_[m] = mi;

  ModuleInfo* saved_module = module_;
  FunctionScope* saved_fn = fn_;
  module_ = mi;
  fn_ = nullptr;
  for (ast::Stmt* s : m->body) declare_statement(s);
  check_bodies(mi);
  module_ = saved_module;
  fn_ = saved_fn;

  mi->in_progress = false;
  mi->checked = true;
  program_.modules.push_back(mi);
  return mi;
}

namespace {

bool is_docstring(const ast::Stmt* s) {
  const auto* e = s->as<ast::ExprStmt>();
  return e && e->value->kind == ast::ExprKind::StringLit;
}

constexpr const char* kModuleLevelHelp =
    "kernel modules contain declarations only; launch kernels from C++ through the generated header";

}  // namespace

void Sema::declare_statement(ast::Stmt* s) {
  switch (s->kind) {
    case ast::StmtKind::Import: return check_import(s->as<ast::ImportStmt>());
    case ast::StmtKind::ImportFrom: return check_import_from(s->as<ast::ImportFromStmt>());
    case ast::StmtKind::Assign:
    case ast::StmtKind::AnnAssign: return declare_constant(s);
    case ast::StmtKind::ClassDef: return declare_struct(s->as<ast::ClassDefStmt>());
    case ast::StmtKind::FunctionDef: return declare_function(s->as<ast::FunctionDefStmt>());
    case ast::StmtKind::Pass:
    case ast::StmtKind::Error: return;
    case ast::StmtKind::Expr:
      if (is_docstring(s) || s->as<ast::ExprStmt>()->value->kind == ast::ExprKind::EllipsisLit) return;
      if (auto* c = s->as<ast::ExprStmt>()->value->as<ast::CallExpr>()) {
        Entity callee = resolve_entity(c->func);
        if (callee.kind == Entity::Kind::Special && callee.name == "overload") return declare_overload_call(c);
      }
      break;
    default: break;
  }
  error(DiagId::err_module_statement, s->range).help(kModuleLevelHelp);
}

Symbol* Sema::define_global(const std::string& name, SymbolKind kind, SourceRange at) {
  auto it = module_->globals.find(name);
  if (it != module_->globals.end()) {
    error(DiagId::err_redefinition, at, name).note(DiagId::note_previous_definition, it->second->decl);
    return nullptr;
  }
  Symbol* sym = program_.make<Symbol>();
  sym->kind = kind;
  sym->name = name;
  sym->decl = at;
  sym->module = module_;
  module_->globals[name] = sym;
  return sym;
}

// ----------------------------------------------------------------- bodies

namespace {

bool same_types(const std::vector<const Type*>& a, const std::vector<const Type*>& b) { return a == b; }

}  // namespace

void Sema::check_bodies(ModuleInfo* m) {
  std::vector<FunctionDecl*> all;
  std::vector<ast::FunctionDefStmt*> defs;
  for (ast::Stmt* s : m->ast->body)
    if (auto* f = s->as<ast::FunctionDefStmt>()) defs.push_back(f);
  defs.insert(defs.end(), m->factory_defs.begin(), m->factory_defs.end());
  for (ast::FunctionDefStmt* f : defs) {
    for (FunctionDecl* d : m->functions)
      if (d->def == f) all.push_back(d);
    for (FunctionDecl* d : m->kernels)
      if (d->def == f) all.push_back(d);
  }
  for (FunctionDecl* d : all) check_custom_signature(d);
  for (FunctionDecl* d : all) {
    if (d->generic) continue;
    FunctionInstance* inst = instantiate(d, d->param_types, d->def->name_range);
    check_instance(inst, SourceRange());
  }
  for (auto [inst, at] : explicit_instances_)  // wp.overload: checked like a generic call
    if (inst->decl->module == m) check_instance(inst, at);
  // Generic kernels, and generic functions nobody instantiated, are checked
  // for well-formedness only (generic values are poison).
  for (FunctionDecl* d : all) {
    if (!d->generic || !d->instances.empty()) continue;
    if (d->kind == FunctionKind::Kernel) d->needs_instantiation = true;
    FunctionInstance* shape = program_.make<FunctionInstance>();
    shape->decl = d;
    shape->def = d->def;
    shape->param_types = d->param_types;
    run_body(shape, /*lenient=*/true);
  }
}

FunctionInstance* Sema::instantiate(FunctionDecl* d, const std::vector<const Type*>& args, SourceRange) {
  for (FunctionInstance* inst : d->instances)
    if (same_types(inst->param_types, args)) return inst;
  FunctionInstance* inst = program_.make<FunctionInstance>();
  inst->decl = d;
  inst->def = d->generic ? clone_function(d->def) : d->def;
  inst->param_types = args;
  d->instances.push_back(inst);
  return inst;
}

constexpr size_t kMaxCallDepth = 200;

void Sema::check_instance(FunctionInstance* inst, SourceRange at) {
  if (inst->checked) return;
  if (call_stack_.size() > kMaxCallDepth) {
    // Generic instances that keep producing new argument types: recursion too.
    error(DiagId::err_recursion, at, inst->decl->name);
    return;
  }
  if (inst->in_progress) {
    auto b = error(DiagId::err_recursion, at, inst->decl->name);
    // The calls that close the cycle, except the reported one (the last).
    size_t first = call_stack_.size();
    for (size_t i = 0; i < call_stack_.size(); ++i)
      if (call_stack_[i].caller == inst) {
        first = i;
        break;
      }
    for (size_t i = first; i + 1 < call_stack_.size(); ++i)
      b.note(DiagId::note_called_here, call_stack_[i].at, call_stack_[i].caller->decl->name,
             call_stack_[i].callee->decl->name);
    return;
  }
  bool generic = inst->decl->generic;
  if (generic) inst_stack_.push_back({inst, at});
  run_body(inst, /*lenient=*/false);
  if (generic) inst_stack_.pop_back();
}

void Sema::run_body(FunctionInstance* inst, bool lenient) {
  FunctionDecl* d = inst->decl;
  inst->in_progress = true;
  FunctionScope scope;
  scope.inst = inst;
  scope.decl = d;
  scope.lenient = lenient;
  scope.return_type = d->declared_return;
  if (d->declared_return) scope.return_from = d->def->returns ? d->def->returns->range : d->def->name_range;

  ModuleInfo* saved_module = module_;
  FunctionScope* saved_fn = fn_;
  int saved_tid = pending_tid_arity_;
  const Type* saved_wide = wide_;
  const CaptureMap* saved_captures = captures_;
  module_ = d->module;
  fn_ = &scope;
  captures_ = d->captures;
  pending_tid_arity_ = 0;
  wide_ = nullptr;

  for (size_t i = 0; i < d->def->params.size() && i < inst->param_types.size(); ++i) {
    Symbol* sym = make_param(d->def->params[i], inst->param_types[i], static_cast<int>(i));
    inst->params.push_back(sym);
    scope.names[sym->name] = sym;
    scope.flow.vars[sym] = VarState{true, {sym->decl}, false};
  }
  if (d->kind == FunctionKind::Native) {
    if (!check_native_body(d)) scope.return_type = err();
  } else {
    check_body(scope);
  }
  inst->return_type = scope.return_type ? scope.return_type : types_.void_type();
  inst->tid_dims = scope.tid_dims;

  module_ = saved_module;
  fn_ = saved_fn;
  pending_tid_arity_ = saved_tid;
  wide_ = saved_wide;
  captures_ = saved_captures;
  inst->in_progress = false;
  inst->checked = true;
}

Symbol* Sema::make_param(const ast::Param& p, const Type* t, int index) {
  Symbol* sym = program_.make<Symbol>();
  sym->kind = SymbolKind::Param;
  sym->name = p.name;
  sym->type = value_type(t);
  sym->decl = p.range;
  sym->index = index;
  sym->module = module_;
  if (t->is(TypeKind::Function) && function_values_.count(t->name)) {
    // A wp.Function parameter is the function passed at the call site.
    const Entity& fn = function_values_[t->name];
    sym->kind = fn.kind == Entity::Kind::Builtin ? SymbolKind::BuiltinFunction : SymbolKind::Function;
    if (fn.symbol) sym->overloads = fn.symbol->overloads;
    sym->builtin_name = fn.name;
    sym->module_kind = ModuleKind::Warp;
    sym->type = t;
  }
  return sym;
}

// -------------------------------------------------------------------- helpers

std::string Sema::source_text(SourceRange r) const {
  if (!r.valid() || r.end.file != r.begin.file || r.end.offset < r.begin.offset) return "";
  std::string_view text = diags_.sources().text(r.begin.file);
  if (r.end.offset > text.size()) return "";
  return std::string(text.substr(r.begin.offset, r.end.offset - r.begin.offset));
}

std::string Sema::callee_text(ast::Expr* e) const {
  std::string s = source_text(e->range);
  return s.empty() ? std::string("<callee>") : s;
}

void Sema::add_context_notes(DiagBuilder& b) {
  for (auto it = inst_stack_.rbegin(); it != inst_stack_.rend(); ++it) {
    std::string args;
    for (const Type* t : it->inst->param_types) args += (args.empty() ? "" : ", ") + type_name(t);
    b.note(DiagId::note_instantiated_here, it->at, it->inst->decl->name, args);
  }
}

const Type* Sema::value_type(const Type* t) {
  if (!t) return err();
  if (t->is_generic() || t->is(TypeKind::Function)) return err();
  return t;
}

// The type standing for a function passed as an argument (`apply(double, x)`):
// one per function, so each call site's choice keys its own instance.
const Type* Sema::function_value_type(const Entity& en) {
  std::string key = en.kind == Entity::Kind::Builtin ? "wp." + en.name
                    : en.symbol && !en.symbol->overloads.empty()
                        ? en.symbol->overloads[0]->module->name + "." + en.symbol->overloads[0]->name
                        : en.name;
  function_values_[key] = en;
  return types_.function(key);
}

CallTarget* Sema::new_target(CallKind k, const Type* result) {
  CallTarget* t = program_.make<CallTarget>();
  t->kind = k;
  t->result = result;
  return t;
}

int edit_distance(std::string_view a, std::string_view b, int limit) {
  if (static_cast<int>(a.size()) - static_cast<int>(b.size()) > limit ||
      static_cast<int>(b.size()) - static_cast<int>(a.size()) > limit)
    return limit + 1;
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({sub, prev[j] + 1, cur[j - 1] + 1});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace sema

bool check_program(ast::Module& main, ModuleLoader& loader, TypeContext& types, DiagnosticEngine& diags,
                   const sema::Program** program) {
  auto owned = std::make_shared<sema::Program>();
  sema::Program* p = owned.get();
  types.keep(owned);
  if (program) *program = p;
  sema::Sema checker(loader, types, diags, *p);
  return checker.run(main);
}

bool check_program(ast::Module& main, ModuleLoader& loader, TypeContext& types, DiagnosticEngine& diags) {
  return check_program(main, loader, types, diags, nullptr);
}

}  // namespace warpc
