// explicit_overloads.cpp — explicit instances of generic kernels and functions, Warp's three
// spellings: `wp.overload(k, [T, …])` (types in parameter order), `wp.overload(k, {"p": T, …})`
// (types by parameter name) at module level, and `@wp.overload def k(p: T, …): ...` (a
// declaration with concrete annotations of a generic declared before it).
//
// Contract: each request is checked against the generic signature (one type per parameter,
// every type concrete and matching its parameter as a call's argument would) and reported at
// the request with a located error otherwise; accepted requests become FunctionInstances that
// check_bodies() checks with the module's other bodies (errors in the body get an
// "in instantiation of … requested here" note at the request). Every instance of a kernel is
// compiled and launched through its own overload of the kernel's C++ launcher.
#include <fmt/format.h>

#include "sema/sema_impl.h"

namespace warpc::sema {

namespace {

std::string quoted_name(const ast::Expr* e) {
  if (const auto* s = e->as<ast::StringLitExpr>()) return s->value;
  return "";
}

}  // namespace

// The generic kernel or function set that `e` names; null (reported) otherwise.
FunctionDecl* Sema::overload_target(ast::Expr* e, SourceRange at) {
  Entity en = resolve_entity(e);
  if (en.is_error()) return nullptr;
  FunctionDecl* d = nullptr;
  if ((en.kind == Entity::Kind::Kernel || en.kind == Entity::Kind::Functions) && en.symbol)
    for (FunctionDecl* o : en.symbol->overloads)
      if (o->generic) d = o;
  if (!d) error(DiagId::err_overload_form, at);
  return d;
}

// `wp.overload(kernel, [T, …])` / `wp.overload(kernel, {"param": T, …})`.
void Sema::declare_overload_call(ast::CallExpr* c) {
  for (ast::Expr* a : c->args)
    if (a->kind == ast::ExprKind::Error) return;  // the parser reported it
  auto* types = c->args.size() == 2 ? c->args[1]->as<ast::TupleExpr>() : nullptr;
  if (!types || !types->display || !c->keywords.empty()) {
    error(DiagId::err_overload_form, c->range);
    return;
  }
  FunctionDecl* d = overload_target(c->args[0], c->args[0]->range);
  if (!d) return;
  const auto& params = d->def->params;
  std::vector<const Type*> concrete(params.size(), nullptr);
  std::vector<SourceRange> where(params.size(), types->range);
  if (types->display == '[') {
    if (types->elts.size() != params.size()) {
      error(DiagId::err_overload_count, types->range, d->name, params.size(), types->elts.size());
      return;
    }
    for (size_t i = 0; i < params.size(); ++i) {
      concrete[i] = resolve_type(types->elts[i], TypeUse::Param);
      where[i] = types->elts[i]->range;
    }
  } else if (!overload_types_by_name(d, types, concrete, where)) {
    return;
  }
  request_instance(d, concrete, where, c->range);
}

bool Sema::overload_types_by_name(FunctionDecl* d, ast::TupleExpr* pairs, std::vector<const Type*>& concrete,
                                  std::vector<SourceRange>& where) {
  const auto& params = d->def->params;
  bool ok = true;
  for (ast::Expr* e : pairs->elts) {
    auto* kv = e->as<ast::TupleExpr>();
    std::string name = quoted_name(kv->elts[0]);
    size_t i = 0;
    while (i < params.size() && params[i].name != name) ++i;
    if (i == params.size()) {
      error(DiagId::err_overload_param_name, kv->elts[0]->range, d->name, source_text(kv->elts[0]->range));
      ok = false;
      continue;
    }
    concrete[i] = resolve_type(kv->elts[1], TypeUse::Param);
    where[i] = kv->elts[1]->range;
  }
  for (size_t i = 0; ok && i < params.size(); ++i)
    if (!concrete[i] && !d->param_types[i]->is_generic()) concrete[i] = d->param_types[i];  // not generic: as declared
  for (size_t i = 0; ok && i < params.size(); ++i)
    if (!concrete[i]) {
      error(DiagId::err_overload_missing, pairs->range, params[i].name, d->name);
      ok = false;
    }
  return ok;
}

// `@wp.overload def name(p: T, …): ...` after the generic `name`.
void Sema::declare_overload_def(ast::FunctionDefStmt* f) {
  auto it = module_->globals.find(f->name);
  FunctionDecl* d = nullptr;
  if (it != module_->globals.end())
    for (FunctionDecl* o : it->second->overloads)
      if (o->generic) d = o;
  if (!d) {
    error(DiagId::err_overload_no_generic, f->name_range, f->name);
    return;
  }
  if (f->params.size() != d->def->params.size()) {
    error(DiagId::err_overload_count, f->name_range, d->name, d->def->params.size(), f->params.size());
    return;
  }
  std::vector<const Type*> concrete;
  std::vector<SourceRange> where;
  for (ast::Param& p : f->params) {
    concrete.push_back(p.annotation ? resolve_type(p.annotation, TypeUse::Param) : d->param_types[concrete.size()]);
    where.push_back(p.annotation ? p.annotation->range : p.range);
  }
  request_instance(d, concrete, where, f->name_range);
}

void Sema::request_instance(FunctionDecl* d, const std::vector<const Type*>& concrete,
                            const std::vector<SourceRange>& where, SourceRange at) {
  bool ok = true;
  for (size_t i = 0; i < concrete.size(); ++i) {
    const Type* t = concrete[i];
    if (t->is_error()) {
      ok = false;
      continue;
    }
    if (t->is_generic() || !match_param(d->param_types[i], t)) {
      auto b = error(DiagId::err_overload_param_type, where[i], type_name(t), d->def->params[i].name,
                     type_name(d->param_types[i]));
      if (t->is_generic()) b.help("an instance needs concrete types");
      ok = false;
    }
  }
  if (!ok) return;
  FunctionInstance* inst = instantiate(d, concrete, at);
  explicit_instances_.push_back({inst, at});
}

}  // namespace warpc::sema
