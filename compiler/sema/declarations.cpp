// declarations.cpp — module-level declarations: constants and type aliases,
// @wp.struct classes, and decorated functions (@wp.func overload sets,
// @wp.kernel with options, @wp.func_native, @wp.func_grad / @wp.func_replay).
//
// Contract: each declaration is resolved when it is reached in source order
// (its annotations and values see only names declared above it); bodies are
// checked later (check_program.cpp). Custom gradient / replay signatures are
// validated once the whole module is declared (check_custom_signature).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "sema/sema_impl.h"

namespace warpc::sema {

namespace {

bool is_docstring(const ast::Stmt* s) {
  const auto* e = s->as<ast::ExprStmt>();
  return e && e->value->kind == ast::ExprKind::StringLit;
}

bool is_constant_type(const Type* t) { return t->is_scalar() || t->is_composite() || t->is(TypeKind::String); }

}  // namespace

// ------------------------------------------------------------------ constants

namespace {

// The Python float a constant's initializer spells (`0.1`, `-2.5`, `wp.constant(0.1)`), before
// any rounding to float32; nullopt for anything else.
std::optional<double> python_float_of(const ast::Expr* e) {
  double sign = 1.0;
  for (;;) {
    if (auto* u = e->as<ast::UnaryExpr>()) {
      if (u->op != ast::UnaryOp::Neg && u->op != ast::UnaryOp::Pos) return std::nullopt;
      if (u->op == ast::UnaryOp::Neg) sign = -sign;
      e = u->operand;
      continue;
    }
    if (auto* c = e->as<ast::CallExpr>()) {
      const ast::Expr* f = c->func;
      const auto* attr = f->as<ast::AttributeExpr>();
      const auto* nm = f->as<ast::NameExpr>();
      const bool is_constant = (attr && attr->attr == "constant") || (nm && nm->name == "constant");
      if (!is_constant || c->args.size() != 1 || !c->keywords.empty()) return std::nullopt;
      e = c->args[0];
      continue;
    }
    break;
  }
  if (auto* f = e->as<ast::FloatLitExpr>()) return sign * f->value;
  return std::nullopt;
}

}  // namespace

void Sema::declare_constant(ast::Stmt* s) {
  ast::Expr* target = nullptr;
  ast::Expr* value = nullptr;
  ast::Expr* annotation = nullptr;
  if (auto* a = s->as<ast::AssignStmt>()) {
    if (a->targets.size() > 1) {
      error(DiagId::err_chained_assign, s->range).help("assign each variable in its own statement");
      return;
    }
    target = a->targets[0];
    value = a->value;
  } else {
    auto* ann = s->as<ast::AnnAssignStmt>();
    target = ann->target;
    value = ann->value;
    annotation = ann->annotation;
  }
  auto* name = target->as<ast::NameExpr>();
  if (!name) {
    error(DiagId::err_module_assign_target, target->range);
    return;
  }
  const Type* declared = annotation ? resolve_type(annotation, TypeUse::Constant) : nullptr;
  if (!value) {
    error(DiagId::err_ann_without_value, s->range, name->name);
    return;
  }
  if (!annotation && instantiate_factory(name, value)) return;
  Entity en = resolve_entity(value);
  if (en.kind != Entity::Kind::Value && !en.is_error()) return declare_alias(name, en);
  const Type* t = en.is_error() ? err() : en.type;
  const ConstValue* c = en.constant;
  if (!t->is_error() && !is_constant_type(t)) {
    error(DiagId::err_constant_type, value->range, name->name, type_name(t));
    t = err();
  } else if (!t->is_error() && !c) {
    error(DiagId::err_constant_not_constant, value->range, name->name);
    t = err();
  }
  if (declared && !declared->is_error() && !t->is_error() && declared != t) {
    error(DiagId::err_constant_annotation_mismatch, value->range, name->name, type_name(declared), type_name(t));
    t = err();
  }
  Symbol* sym = define_global(name->name, SymbolKind::ModuleConstant, name->range);
  if (!sym) return;
  sym->type = t;
  sym->value = t->is_error() ? nullptr : c;
  if (sym->value && t->is_scalar() && t->scalar == ScalarKind::Float32)
    if (std::optional<double> d = python_float_of(value))
      sym->wide_value = make_const(types_.scalar(ScalarKind::Float64), {*d});
  name->symbol = sym;
  name->type = t;
  name->constant = sym->value;
  module_->constants.push_back(sym);
}

// `Vec5 = wp.types.vector(length=5, dtype=float)`, `sin = wp.sin`, `np = foo`.
void Sema::declare_alias(ast::NameExpr* name, const Entity& en) {
  SymbolKind kind = SymbolKind::Type;
  switch (en.kind) {
    case Entity::Kind::Type: kind = SymbolKind::Type; break;
    case Entity::Kind::Module: kind = SymbolKind::Module; break;
    case Entity::Kind::Functions:
    case Entity::Kind::Kernel:
      if (module_->globals.count(name->name)) {
        define_global(name->name, SymbolKind::Function, name->range);
        return;
      }
      module_->globals[name->name] = en.symbol;
      return;
    default: {  // a builtin, type family or special form of `wp`/`math`: `sin = wp.sin`
      Symbol* sym = define_global(name->name, SymbolKind::BuiltinFunction, name->range);
      if (!sym) return;
      sym->module_kind = en.symbol ? en.symbol->module_kind : ModuleKind::Warp;
      sym->builtin_name = en.symbol ? en.symbol->builtin_name : en.name;
      sym->type = types_.function(en.name);
      name->symbol = sym;
      return;
    }
  }
  Symbol* sym = define_global(name->name, kind, name->range);
  if (!sym) return;
  sym->type = kind == SymbolKind::Module ? types_.module(en.name) : en.type;
  sym->module_kind = en.module_kind;
  sym->module = en.module;
  sym->builtin_name = en.name;
  name->symbol = sym;
}

// -------------------------------------------------------------------- structs

void Sema::declare_struct(ast::ClassDefStmt* c) {
  if (c->decorators.empty() && c->bases.size() == 1 && is_int_enum_base(c->bases[0])) return declare_enum(c);
  std::string deco = decorator_kind(c->decorators, c->name, c->name_range);
  if (deco.empty()) {
    error(DiagId::err_undecorated_class, c->name_range, c->name);
    bind_poison(c->name, c->name_range);  // its body is not a struct body: no further errors
    return;
  } else if (deco != "struct" && deco != "?") {
    error(DiagId::err_unknown_decorator, c->decorators[0]->range, "wp." + deco)
        .help("use '@wp.kernel', '@wp.func' or '@wp.struct'");
  }
  if (!c->bases.empty()) error(DiagId::err_struct_inheritance, c->bases[0]->range);
  if (ast::CallExpr* call = decorator_call(c->decorators); call && deco == "struct")
    check_decorator_options(call, "wp.struct", {"module"});
  StructInfo* info = types_.new_struct(c->name, module_->name);
  info->decl = c;
  for (ast::Stmt* s : c->body) declare_field(info, s);
  Symbol* sym = define_global(c->name, SymbolKind::Struct, c->name_range);
  if (!sym) return;
  sym->type = types_.struct_type(info);
  sym->struct_info = info;
  module_->structs.push_back(info);
}

// `enum.IntEnum` / `IntEnum` (from `from enum import IntEnum`).
bool Sema::is_int_enum_base(ast::Expr* base) {
  std::string text = source_text(base->range);
  if (text == "enum.IntEnum") {
    auto it = module_->globals.find("enum");
    return it != module_->globals.end() && it->second->kind == SymbolKind::Module && it->second->builtin_name == "enum";
  }
  auto it = module_->globals.find(text);
  return text == "IntEnum" && it != module_->globals.end() && it->second->builtin_name == "enum.IntEnum";
}

// class Mode(enum.IntEnum): LINEAR = 0 … — members are int32 constants
// reached as `Mode.LINEAR` (Warp folds them like module constants).
void Sema::declare_enum(ast::ClassDefStmt* c) {
  ModuleInfo* ns = program_.make<ModuleInfo>();
  ns->name = c->name;
  ModuleInfo* saved = module_;
  for (ast::Stmt* s : c->body) {
    if (s->kind == ast::StmtKind::Pass || s->kind == ast::StmtKind::Error) continue;
    auto* a = s->as<ast::AssignStmt>();
    auto* name = a && a->targets.size() == 1 ? a->targets[0]->as<ast::NameExpr>() : nullptr;
    if (!name) {
      if (!s->as<ast::ExprStmt>() || s->as<ast::ExprStmt>()->value->kind != ast::ExprKind::StringLit)
        error(DiagId::err_struct_statement, s->range);
      continue;
    }
    const Type* t = check_expr(a->value);
    if (t->is_error()) continue;
    if (!t->is_int_scalar() || !a->value->constant) {
      error(DiagId::err_constant_not_constant, a->value->range, name->name);
      continue;
    }
    module_ = ns;
    Symbol* sym = define_global(name->name, SymbolKind::ModuleConstant, name->range);
    module_ = saved;
    if (!sym) continue;
    sym->type = t;
    sym->value = a->value->constant;
    name->symbol = sym;
    name->type = t;
    name->constant = sym->value;
  }
  Symbol* sym = define_global(c->name, SymbolKind::Module, c->name_range);
  if (!sym) return;
  sym->module_kind = ModuleKind::User;
  sym->module = ns;
  sym->type = types_.module(c->name);
}

void Sema::declare_field(StructInfo* info, ast::Stmt* s) {
  if (is_docstring(s) || s->kind == ast::StmtKind::Pass || s->kind == ast::StmtKind::Error) return;
  if (s->kind == ast::StmtKind::FunctionDef) {
    error(DiagId::err_struct_method, s->as<ast::FunctionDefStmt>()->name_range);
    return;
  }
  auto* f = s->as<ast::AnnAssignStmt>();
  auto* name = f ? f->target->as<ast::NameExpr>() : nullptr;
  if (!name) {
    error(DiagId::err_struct_statement, s->range);
    return;
  }
  const Type* t = resolve_type(f->annotation, TypeUse::Field);
  if (!t->is_error() && (t->is_generic() || t->is(TypeKind::Tuple) || t->is(TypeKind::Void))) {
    error(DiagId::err_struct_field_type, f->annotation->range, name->name, type_name(t));
    t = err();
  }
  if (f->value) error(DiagId::err_struct_field_default, f->value->range, name->name);
  int prev = info->field_index(name->name);
  if (prev >= 0) {
    error(DiagId::err_struct_duplicate_field, name->range, name->name, info->name);
    return;
  }
  name->type = t;
  info->fields.push_back(StructField{name->name, t, name->range});
}

// ------------------------------------------------------------------ decorators

// The warp decorator among `decos` ("kernel", "func", "struct", …), "" when
// there is none, or "?" after an error.
std::string Sema::decorator_kind(const std::vector<ast::Expr*>& decos, const std::string& owner,
                                 SourceRange at) {
  std::string found;
  for (ast::Expr* d : decos) {
    ast::Expr* callee = d;
    if (auto* c = d->as<ast::CallExpr>()) callee = c->func;
    Entity en = resolve_decorator(callee);
    std::string kind;
    if (en.is_error()) {
      kind = "?";
    } else if (en.kind == Entity::Kind::Special &&
               (en.name == "kernel" || en.name == "func" || en.name == "struct" || en.name == "func_grad" ||
                en.name == "func_replay" || en.name == "func_native" || en.name == "overload")) {
      kind = en.name;
    } else {
      error(DiagId::err_unknown_decorator, d->range, source_text(callee->range))
          .help("use '@wp.kernel', '@wp.func' or '@wp.struct'");
      kind = "?";
    }
    if (!found.empty() && found != "?" && kind != "?") {
      error(DiagId::err_conflicting_decorators, at, owner, "wp." + found, "wp." + kind);
      return "?";
    }
    if (found.empty() || found == "?") found = kind;
  }
  return found;
}

// A decorator's callee; members of `wp` that do not exist are unknown
// decorators rather than unknown members.
Entity Sema::resolve_decorator(ast::Expr* callee) {
  auto* a = callee->as<ast::AttributeExpr>();
  if (!a) return resolve_entity(callee);
  Entity base = resolve_entity(a->value);
  if (base.kind != Entity::Kind::Module) return resolve_entity(callee);
  Entity m = namespace_member(base, a->attr, a->attr_range, false);
  if (m.is_error()) {
    m.kind = Entity::Kind::Value;  // reported by the caller as an unknown decorator
    m.type = err();
  }
  annotate(callee, m);
  return m;
}

// `@wp.func(module="unique")`: Warp's build options, accepted when constant;
// anything else is an argument the decorator does not take.
void Sema::check_decorator_options(ast::CallExpr* call, const char* deco, std::initializer_list<const char*> allowed) {
  if (!call->args.empty()) {
    error(DiagId::err_decorator_arguments, call->range, deco);
    return;
  }
  for (ast::Keyword& kw : call->keywords) {
    bool known = false;
    for (const char* a : allowed) known = known || kw.name == a;
    if (!known) {
      error(DiagId::err_decorator_arguments, call->range, deco);
      return;
    }
    check_expr(kw.value);
  }
}

ast::CallExpr* Sema::decorator_call(const std::vector<ast::Expr*>& decos) {
  for (ast::Expr* d : decos)
    if (auto* c = d->as<ast::CallExpr>()) return c;
  return nullptr;
}

// ------------------------------------------------------------------- functions

void Sema::declare_function(ast::FunctionDefStmt* f) {
  if (is_factory(f)) return declare_factory(f);
  std::string deco = decorator_kind(f->decorators, f->name, f->name_range);
  if (deco.empty()) {
    error(DiagId::err_undecorated_function, f->name_range, f->name);
    return;
  }
  if (deco == "overload") return declare_overload_def(f);
  if (deco == "?" || deco == "struct") {
    if (deco == "struct") error(DiagId::err_unknown_decorator, f->decorators[0]->range, "wp.struct")
        .help("use '@wp.kernel', '@wp.func' or '@wp.struct'");
    return;
  }
  FunctionDecl* d = program_.make<FunctionDecl>();
  d->def = f;
  d->name = f->name;
  d->module = module_;
  d->kind = deco == "kernel"        ? FunctionKind::Kernel
            : deco == "func_native" ? FunctionKind::Native
            : deco == "func_grad"   ? FunctionKind::Grad
            : deco == "func_replay" ? FunctionKind::Replay
                                    : FunctionKind::Func;
  ast::CallExpr* call = decorator_call(f->decorators);
  if (call && d->kind == FunctionKind::Func) check_decorator_options(call, "wp.func", {"module", "name"});
  d->captures = pending_captures_;
  const CaptureMap* saved_captures = captures_;
  captures_ = d->captures;
  declare_signature(d);
  captures_ = saved_captures;
  switch (d->kind) {
    case FunctionKind::Kernel: return declare_kernel(d, call);
    case FunctionKind::Native: read_native_snippets(d, call); [[fallthrough]];
    case FunctionKind::Func: return add_overload(d);
    case FunctionKind::Grad:
    case FunctionKind::Replay: return attach_custom(d, call);
  }
}

void Sema::declare_signature(FunctionDecl* d) {
  ast::FunctionDefStmt* f = d->def;
  bool kernel = d->kind == FunctionKind::Kernel;
  for (ast::Param& p : f->params) {
    const Type* t = err();
    if (!p.annotation) {
      error(DiagId::err_missing_annotation, p.range, p.name)
          .help("warp needs the type of every parameter, e.g. 'x: float' or 'a: wp.array(dtype=wp.vec3)'");
      d->bad_signature = true;
    } else {
      t = resolve_type(p.annotation, TypeUse::Param);
      if (kernel && t->is(TypeKind::Function)) {
        error(DiagId::err_invalid_type_expr, p.annotation->range,
              "'wp.Function' parameters are only allowed in '@wp.func' functions");
        t = err();
      }
      if (kernel && t->is(TypeKind::Query)) {
        error(DiagId::err_invalid_type_expr, p.annotation->range,
              "query parameters are only allowed in '@wp.func' functions (a kernel takes the grid's "
              "or mesh's 'wp.uint64' id and makes the query itself)");
        t = err();
      }
      if (t->is_error()) d->bad_signature = true;
    }
    d->param_types.push_back(t);
    if (t->is_generic() || t->is(TypeKind::Function)) d->generic = true;
    if (p.default_value) check_default(d, p, t, kernel);
  }
  if (!f->returns) return;
  if (kernel) {
    if (f->returns->kind != ast::ExprKind::NoneLit)
      error(DiagId::err_kernel_return_annotation, f->returns->range, f->name);
    return;
  }
  const Type* r = resolve_type(f->returns, TypeUse::Return);
  if (r && r->is_generic()) r = nullptr;  // inferred per instance
  d->declared_return = r;
}

// A parameter default: a constant of the parameter's type. Kernels take defaults for value
// parameters (numbers, vectors, matrices …), which become the launcher's C++ default arguments.
void Sema::check_default(FunctionDecl* d, ast::Param& p, const Type* t, bool kernel) {
  if (kernel && !t->is_error() && !t->is_scalar() && !t->is_composite() && !t->is_generic()) {
    error(DiagId::err_kernel_param_default, p.default_value->range, p.name);
    return;
  }
  const Type* vt = check_expr(p.default_value);
  if (vt->is_error()) return;
  if (!p.default_value->constant) {
    error(DiagId::err_param_default_not_constant, p.default_value->range, p.name);
    return;
  }
  if (!t->is_error() && !t->is_generic() && vt != t)
    error(DiagId::err_param_default_type, p.default_value->range, p.name, type_name(vt), type_name(t));
  (void)d;
}

void Sema::declare_kernel(FunctionDecl* d, ast::CallExpr* call) {
  if (d->generic) d->needs_instantiation = true;
  if (call) read_kernel_options(d, call);
  Symbol* sym = define_global(d->name, SymbolKind::Kernel, d->def->name_range);
  if (!sym) return;
  sym->type = types_.function(d->name);
  sym->overloads.push_back(d);
  module_->kernels.push_back(d);
}

void Sema::read_kernel_options(FunctionDecl* d, ast::CallExpr* call) {
  static const std::map<std::string, const char*, std::less<>> kOptions = {
      {"enable_backward", "a bool constant"}, {"enable_jvp", "a bool constant"}, {"grid_stride", "a bool constant"},
      {"max_unroll", "an integer constant"},  {"launch_bounds", "an integer constant"},
      {"module", "a string constant"}};
  if (!call->args.empty()) error(DiagId::err_decorator_arguments, call->args[0]->range, "wp.kernel");
  for (ast::Keyword& kw : call->keywords) {
    auto it = kOptions.find(kw.name);
    if (it == kOptions.end()) {
      auto b = error(DiagId::err_unknown_kernel_option, kw.name_range, kw.name);
      std::vector<std::string> pool;
      for (const auto& [n, what] : kOptions) pool.push_back(n);
      suggest(b, kw.name, pool);
      continue;
    }
    const Type* t = check_expr(kw.value);
    if (t->is_error()) continue;
    const ConstValue* c = kw.value->constant;
    if (kw.name == "launch_bounds" && t->is(TypeKind::Tuple)) {  // (threads, blocks)
      auto* tuple = kw.value->as<ast::TupleExpr>();
      bool all = tuple != nullptr;
      for (size_t i = 0; all && i < tuple->elts.size(); ++i)
        all = tuple->elts[i]->constant && t->elems[i]->is_int_scalar();
      if (all) continue;
    }
    bool ok = c && (it->second[2] == 'b' ? t->is_bool()
                    : it->second[3] == 'i' ? t->is_int_scalar()
                                           : t->is(TypeKind::String));
    if (!ok) {
      error(DiagId::err_kernel_option_value, kw.value->range, kw.name, it->second);
      continue;
    }
    if (kw.name == "enable_backward") d->options.enable_backward = c->as_bool();
    d->options.others[kw.name] = c;
  }
}

void Sema::add_overload(FunctionDecl* d) {
  auto it = module_->globals.find(d->name);
  if (it != module_->globals.end() && it->second->kind == SymbolKind::Function && it->second->module == module_) {
    for (FunctionDecl* prev : it->second->overloads) {
      if (prev->param_types == d->param_types && !d->bad_signature) {
        error(DiagId::err_duplicate_overload, d->def->name_range, d->name)
            .note(DiagId::note_previous_definition, prev->def->name_range);
        return;
      }
    }
    it->second->overloads.push_back(d);
    module_->functions.push_back(d);
    return;
  }
  Symbol* sym = define_global(d->name, SymbolKind::Function, d->def->name_range);
  if (!sym) return;
  sym->type = types_.function(d->name);
  sym->overloads.push_back(d);
  module_->functions.push_back(d);
}

// ------------------------------------------------------ native / grad / replay

void Sema::read_native_snippets(FunctionDecl* d, ast::CallExpr* call) {
  static const char* const kNames[] = {"snippet", "adj_snippet", "replay_snippet"};
  std::string* slots[] = {&d->native_snippet, &d->native_adj_snippet, &d->native_replay_snippet};
  if (!call) {
    error(DiagId::err_native_snippet, d->def->decorators[0]->range, "snippet");
    return;
  }
  auto read = [&](ast::Expr* e, int i) {
    const Type* t = check_expr(e);
    if (t->is_error()) return;
    if (!t->is(TypeKind::String) || !e->constant) {
      error(DiagId::err_native_snippet, e->range, kNames[i]);
      return;
    }
    *slots[i] = e->constant->text;
  };
  for (size_t i = 0; i < call->args.size(); ++i) {
    if (i >= 3) {
      error(DiagId::err_decorator_arguments, call->args[i]->range, "wp.func_native");
      break;
    }
    read(call->args[i], static_cast<int>(i));
  }
  for (ast::Keyword& kw : call->keywords) {
    int idx = -1;
    for (int i = 0; i < 3; ++i)
      if (kw.name == kNames[i]) idx = i;
    if (idx < 0) {
      error(DiagId::err_call_unknown_keyword, kw.name_range, "wp.func_native", kw.name);
      continue;
    }
    read(kw.value, idx);
  }
}

// A snippet that returns a value needs the function's return type declared.
static bool snippet_returns_value(const std::string& snippet) {
  for (size_t at = snippet.find("return"); at != std::string::npos; at = snippet.find("return", at + 6)) {
    bool word_start = at == 0 || !(std::isalnum(static_cast<unsigned char>(snippet[at - 1])) || snippet[at - 1] == '_');
    size_t next = snippet.find_first_not_of(" \t\r\n", at + 6);
    bool word_end = at + 6 >= snippet.size() || !(std::isalnum(static_cast<unsigned char>(snippet[at + 6])) || snippet[at + 6] == '_');
    if (word_start && word_end && next != std::string::npos && snippet[next] != ';') return true;
  }
  return false;
}

// Returns false when the function's result type is unknown (poison).
bool Sema::check_native_body(FunctionDecl* d) {
  bool typed = true;
  if (!d->declared_return && snippet_returns_value(d->native_snippet)) {
    error(DiagId::err_native_return_annotation, d->def->name_range, d->name);
    typed = false;
  }
  for (ast::Stmt* s : d->def->body) {
    if (is_docstring(s) || s->kind == ast::StmtKind::Pass || s->kind == ast::StmtKind::Error) continue;
    auto* e = s->as<ast::ExprStmt>();
    if (e && e->value->kind == ast::ExprKind::EllipsisLit) continue;
    error(DiagId::err_native_body, s->range);
    return typed;
  }
  return typed;
}

void Sema::attach_custom(FunctionDecl* d, ast::CallExpr* call) {
  const char* deco = d->kind == FunctionKind::Grad ? "wp.func_grad" : "wp.func_replay";
  if (!call || call->args.size() != 1 || !call->keywords.empty()) {
    error(DiagId::err_decorator_arguments, call ? call->range : d->def->decorators[0]->range, deco);
    return;
  }
  Entity en = resolve_entity(call->args[0]);
  if (en.is_error()) return;
  if (en.kind != Entity::Kind::Functions) {
    error(DiagId::err_custom_target, call->args[0]->range, source_text(call->args[0]->range));
    return;
  }
  // The overload whose parameters start like this function's.
  FunctionDecl* target = nullptr;
  for (FunctionDecl* o : en.symbol->overloads) {
    if (o->kind != FunctionKind::Func && o->kind != FunctionKind::Native) continue;
    bool prefix = o->param_types.size() <= d->param_types.size();
    for (size_t i = 0; prefix && i < o->param_types.size(); ++i) prefix = o->param_types[i] == d->param_types[i];
    if (prefix || !target) target = o;
    if (prefix) break;
  }
  if (!target) {
    error(DiagId::err_custom_target, call->args[0]->range, source_text(call->args[0]->range));
    return;
  }
  if (target->generic) {
    error(DiagId::err_custom_generic, call->range, deco, target->name);
    return;
  }
  FunctionDecl*& slot = d->kind == FunctionKind::Grad ? target->custom_grad : target->custom_replay;
  if (slot) {
    error(DiagId::err_custom_duplicate, call->range, target->name, deco);
    return;
  }
  slot = d;
  d->custom_of = target;
  module_->functions.push_back(d);
}

// Warp's rules: a gradient takes the inputs followed by
// one adjoint per output; a replay has the function's exact signature.
void Sema::check_custom_signature(FunctionDecl* d) {
  if ((d->kind != FunctionKind::Grad && d->kind != FunctionKind::Replay) || !d->custom_of || d->bad_signature) return;
  FunctionDecl* f = d->custom_of;
  if (f->bad_signature) return;
  FunctionInstance* fi = instantiate(f, f->param_types, f->def->name_range);
  check_instance(fi, f->def->name_range);
  const Type* ret = fi->return_type ? fi->return_type : types_.void_type();
  std::vector<const Type*> expected = f->param_types;
  const char* deco = d->kind == FunctionKind::Grad ? "wp.func_grad" : "wp.func_replay";
  if (d->kind == FunctionKind::Grad) {
    if (ret->is(TypeKind::Tuple)) expected.insert(expected.end(), ret->elems.begin(), ret->elems.end());
    else if (!ret->is(TypeKind::Void) && !ret->is_error()) expected.push_back(ret);
  }
  std::string why;
  if (expected.size() != d->param_types.size()) {
    why = fmt::format("expected {} parameters, got {}", expected.size(), d->param_types.size());
  } else {
    for (size_t i = 0; i < expected.size() && why.empty(); ++i)
      if (expected[i] != d->param_types[i] && !expected[i]->is_error())
        why = fmt::format("parameter '{}' has type '{}', expected '{}'", d->def->params[i].name,
                          type_name(d->param_types[i]), type_name(expected[i]));
  }
  if (why.empty() && d->kind == FunctionKind::Replay && d->declared_return && d->declared_return != ret)
    why = fmt::format("it returns '{}', expected '{}'", type_name(d->declared_return), type_name(ret));
  if (!why.empty()) {
    error(DiagId::err_custom_signature, decorator_call(d->def->decorators)->range, deco, f->name, why);
    d->bad_signature = true;
  }
}

}  // namespace warpc::sema
