// kernel_factories.cpp — kernel factories (closures), evaluated at compile time: a module-level
// Python function whose body defines `@wp.kernel` / `@wp.func` functions using its parameters
// and returns one of them, instantiated by module-level assignments `k = make_kernel(3, 2.0)`.
//
// Contract:
//  * is_factory(f): f is undecorated and its body defines at least one function. Such an f is
//    declared by declare_factory() instead of being rejected as an undecorated function.
//  * declare_factory(f) checks the body's shape — an optional docstring, decorated `def`s, and a
//    final `return NAME` naming one of them — and binds f's name to a Factory symbol. Any other
//    statement is err_factory_statement at that statement; a missing or wrong return is
//    err_factory_return. A malformed factory's instantiations are poison (no further errors).
//  * instantiate_factory(target, value) handles `target = F(args…)` where F names a factory of
//    this module (false otherwise: an ordinary constant). Arguments bind like Python's
//    (positional, keyword, defaults evaluated at the call); each must be a compile-time
//    constant (a literal, a module constant, a constant expression), a type (`wp.float32`,
//    `wp.vec3`, a struct, a type alias) or a user `@wp.func` — else err_factory_argument.
//  * Each nested `def` is cloned. The returned one is declared under the target's name: a
//    kernel is the launcher the generated header declares (`module::target`), a function an
//    overload set kernels call as `target(…)`. The others, which must be functions
//    (err_factory_extra_kernel), are declared as `<target>_<name>`. Inside the clones the
//    factory's parameters and its other definitions resolve (through FunctionDecl::captures,
//    before the module's names) to the bound constants — folded like module constants, so
//    `wp.static` sees them —, types and functions.
//  * Naming a factory anywhere else (called in a kernel, aliased, called in a list or a
//    comprehension, through another module) is err_factory_use at the name.
#include <fmt/format.h>

#include "sema/sema_impl.h"

namespace warpc::sema {

namespace {

constexpr const char* kStatementHelp =
    "a kernel factory defines '@wp.kernel' / '@wp.func' functions and returns one of them; compute values "
    "inside the kernel or with 'wp.static'";
constexpr const char* kArgumentHelp =
    "pass literals, module constants, warp types (e.g. 'wp.float32') or '@wp.func' functions";

bool is_docstring(const ast::Stmt* s) {
  const auto* e = s->as<ast::ExprStmt>();
  return e && e->value->kind == ast::ExprKind::StringLit;
}

// The name `return NAME` returns; empty when the statement is not of that form.
std::string returned_name(const ast::Stmt* s) {
  const auto* r = s->as<ast::ReturnStmt>();
  const auto* n = r && r->value ? r->value->as<ast::NameExpr>() : nullptr;
  return n ? n->name : std::string();
}

std::vector<const ast::FunctionDefStmt*> nested_defs(const ast::FunctionDefStmt* f) {
  std::vector<const ast::FunctionDefStmt*> out;
  for (const ast::Stmt* s : f->body)
    if (const auto* d = s->as<ast::FunctionDefStmt>()) out.push_back(d);
  return out;
}

}  // namespace

bool Sema::is_factory(const ast::FunctionDefStmt* f) {
  return f->decorators.empty() && !nested_defs(f).empty();
}

void Sema::declare_factory(ast::FunctionDefStmt* f) {
  bool ok = true;
  const ast::Block& body = f->body;
  for (size_t i = 0; i < body.size(); ++i) {
    const ast::Stmt* s = body[i];
    if (i == 0 && is_docstring(s)) continue;
    if (const auto* d = s->as<ast::FunctionDefStmt>(); d && !d->decorators.empty()) continue;
    if (i + 1 == body.size() && s->kind == ast::StmtKind::Return) continue;
    error(DiagId::err_factory_statement, s->range, f->name).help(kStatementHelp);
    ok = false;
  }
  const std::string ret = body.empty() ? std::string() : returned_name(body.back());
  bool names_def = false;
  for (const ast::FunctionDefStmt* d : nested_defs(f)) names_def = names_def || d->name == ret;
  if (ok && !names_def) {
    error(DiagId::err_factory_return, body.back()->kind == ast::StmtKind::Return ? body.back()->range : f->name_range,
          f->name);
    ok = false;
  }
  Symbol* sym = define_global(f->name, SymbolKind::Factory, f->name_range);
  if (sym) sym->factory = ok ? f : nullptr;
}

void Sema::report_factory_use(const Symbol* factory, SourceRange at) {
  error(DiagId::err_factory_use, at, factory->name)
      .help(fmt::format("instantiate it at module level: 'name = {}(…)' with constant arguments; the kernel or "
                        "function is then called 'name'",
                        factory->name));
}

bool Sema::instantiate_factory(ast::NameExpr* target, ast::Expr* value) {
  auto* call = value->as<ast::CallExpr>();
  auto* callee = call ? call->func->as<ast::NameExpr>() : nullptr;
  if (!callee) return false;
  auto it = module_->globals.find(callee->name);
  if (it == module_->globals.end() || it->second->kind != SymbolKind::Factory) return false;
  Symbol* factory = it->second;
  callee->symbol = factory;
  auto* captures = program_.make<CaptureMap>();
  if (factory->factory && bind_factory_arguments(factory->factory, call, *captures)) {
    declare_factory_definitions(factory->factory, target, *captures);
    if (auto t = module_->globals.find(target->name); t != module_->globals.end()) target->symbol = t->second;
    return true;
  }
  // Poison: uses of the target are accepted silently (the error is already reported).
  if (Symbol* sym = define_global(target->name, SymbolKind::ModuleConstant, target->range)) sym->type = err();
  return true;
}

bool Sema::bind_factory_arguments(const ast::FunctionDefStmt* f, ast::CallExpr* call, CaptureMap& captures) {
  const size_t n = f->params.size();
  std::vector<ast::Expr*> bound(n, nullptr);
  if (call->args.size() > n) {
    error(DiagId::err_factory_arity, call->args[n]->range, f->name, n, call->args.size());
    return false;
  }
  for (size_t i = 0; i < call->args.size(); ++i) {
    if (i < call->starred.size() && call->starred[i]) {
      error(DiagId::err_factory_argument, call->args[i]->range, f->params[i].name, f->name).help(kArgumentHelp);
      return false;
    }
    bound[i] = call->args[i];
  }
  bool ok = true;
  for (const ast::Keyword& kw : call->keywords) {
    size_t i = 0;
    while (i < n && f->params[i].name != kw.name) ++i;
    if (i == n) {
      error(DiagId::err_factory_keyword, kw.name_range, f->name, kw.name);
      ok = false;
    } else if (bound[i]) {
      error(DiagId::err_factory_duplicate_argument, kw.name_range, f->name, kw.name);
      ok = false;
    } else {
      bound[i] = kw.value;
    }
  }
  for (size_t i = 0; ok && i < n; ++i) {
    ast::Expr* arg = bound[i] ? bound[i] : f->params[i].default_value;
    if (!arg) {
      error(DiagId::err_factory_missing_argument, call->range, f->name, f->params[i].name);
      return false;
    }
    Symbol* sym = capture_argument(f, f->params[i], arg);
    if (!sym) ok = false;
    else captures[f->params[i].name] = sym;
  }
  return ok;
}

// The symbol a factory parameter binds to in the definitions; null after an error.
Symbol* Sema::capture_argument(const ast::FunctionDefStmt* f, const ast::Param& p, ast::Expr* arg) {
  Entity en = resolve_entity(arg);
  if (en.is_error()) return nullptr;
  Symbol* sym = program_.make<Symbol>();
  sym->name = p.name;
  sym->decl = p.range;
  sym->module = module_;
  switch (en.kind) {
    case Entity::Kind::Value:
      if (!en.constant) break;
      sym->kind = SymbolKind::ModuleConstant;
      sym->type = en.type;
      sym->value = en.constant;
      return sym;
    case Entity::Kind::Type:
      sym->kind = SymbolKind::Type;
      sym->type = en.type;
      return sym;
    case Entity::Kind::Functions: return en.symbol;
    default: break;
  }
  error(DiagId::err_factory_argument, arg->range, p.name, f->name).help(kArgumentHelp);
  return nullptr;
}

void Sema::declare_factory_definitions(const ast::FunctionDefStmt* f, ast::NameExpr* target, CaptureMap& captures) {
  const std::string ret = returned_name(f->body.back());
  const CaptureMap* saved = pending_captures_;
  pending_captures_ = &captures;
  for (const ast::FunctionDefStmt* d : nested_defs(f)) {
    ast::FunctionDefStmt* clone = clone_function(d);
    const bool returned = d->name == ret;
    clone->name = returned ? target->name : fmt::format("{}_{}", target->name, d->name);
    for (size_t i = 0; i < clone->params.size(); ++i)  // per instance: they may name captured values
      clone->params[i].default_value = clone_expr(d->params[i].default_value);
    declare_function(clone);
    module_->factory_defs.push_back(clone);
    auto it = module_->globals.find(clone->name);
    if (it == module_->globals.end()) continue;
    if (!returned && it->second->kind == SymbolKind::Kernel)
      error(DiagId::err_factory_extra_kernel, d->name_range, f->name, d->name, ret);
    captures[d->name] = it->second;
  }
  pending_captures_ = saved;
}

}  // namespace warpc::sema
