// resolve_types.cpp — type annotations and type expressions → Types:
// `float`, `wp.vec3`, struct names, `Any`/`wp.Float`, `wp.array(dtype=T,
// ndim=N)`, `wp.array2d[T]`, `wp.array[T, Literal[N]]`, `wp.types.vector(length=N, dtype=T)`,
// `wp.types.matrix(shape=(R, C), dtype=T)`, `tuple[A, B]`, `None` returns; geometry query types
// (`wp.HashGridQuery[wp.float64]`, `wp.MeshQueryAABB`, …) as function parameters.
//
// Contract: resolve_type() reports one diagnostic for a bad annotation and
// returns the Error type; sizes (length, shape, ndim) must be compile-time
// constant integers (literals or module constants); `Any` as a vector length
// makes the whole vector generic.
#include <fmt/format.h>

#include <algorithm>

#include "sema/sema_impl.h"

namespace warpc::sema {

const Type* Sema::resolve_type(ast::Expr* e, TypeUse use) {
  if (!e) return err();
  if (e->kind == ast::ExprKind::NoneLit) {
    e->type = types_.void_type();
    if (use == TypeUse::Return) return types_.void_type();
    error(DiagId::err_not_a_type, e->range, "None");
    return err();
  }
  if (auto* s = e->as<ast::StringLitExpr>()) {
    // A forward reference written as a string: "Particle".
    if (auto it = module_->globals.find(s->value); it != module_->globals.end()) {
      Entity en = entity_of_symbol(it->second);
      if (en.kind == Entity::Kind::Type) return en.type;
    }
    error(DiagId::err_not_a_type, e->range, s->value);
    return err();
  }
  if (e->kind != ast::ExprKind::Name && e->kind != ast::ExprKind::Attribute && e->kind != ast::ExprKind::Call &&
      e->kind != ast::ExprKind::Subscript && e->kind != ast::ExprKind::Error) {
    error(DiagId::err_invalid_type_expr, e->range, fmt::format("'{}' is not a type", source_text(e->range)));
    return err();
  }
  Entity en = resolve_entity(e);
  return type_from_entity(en, e, use);
}

const Type* Sema::type_from_entity(const Entity& en, ast::Expr* e, TypeUse use) {
  switch (en.kind) {
    case Entity::Kind::Error: return err();
    case Entity::Kind::Type: {
      const Type* t = en.type;
      if (t->is(TypeKind::Struct) || t->is_scalar() || t->is_composite() || t->is(TypeKind::Array) ||
          t->is(TypeKind::Generic) || t->is(TypeKind::Tuple) ||
          ((t->is(TypeKind::Function) || t->is(TypeKind::Query)) && use == TypeUse::Param))
        return t;
      error(DiagId::err_not_a_type, e->range, source_text(e->range));
      return err();
    }
    case Entity::Kind::TypeTemplate:
      if (en.name.rfind("array", 0) == 0) {
        error(DiagId::err_array_dtype_missing, e->range, source_text(e->range));
        return err();
      }
      error(DiagId::err_invalid_type_expr, e->range,
            fmt::format("'{}' needs arguments", source_text(e->range)));
      return err();
    case Entity::Kind::Special:
      if (en.name.rfind("unsupported:", 0) == 0) {
        error(DiagId::err_unsupported, e->range, fmt::format("'wp.{}'", en.name.substr(12)));
        return err();
      }
      break;
    default: break;
  }
  (void)use;
  error(DiagId::err_not_a_type, e->range, source_text(e->range));
  return err();
}

// A size argument: a constant integer (or `Any` where `allow_any`).
bool Sema::const_int_arg(ast::Expr* e, const char* what, const std::string& owner, int64_t& out) {
  if (auto* s = e->as<ast::SubscriptExpr>()) {  // typing.Literal[3] stands for 3
    Entity lit = resolve_entity(s->value);
    if (lit.kind == Entity::Kind::Special && lit.name == "Literal") e = s->index;
  }
  Entity en = resolve_entity(e);
  if (en.is_error()) return false;
  if (en.kind == Entity::Kind::Value && en.type->is_int_scalar() && en.constant) {
    out = en.constant->as_int();
    return true;
  }
  if (en.kind == Entity::Kind::Type && en.type->is(TypeKind::Generic) && en.type->generic == GenericKind::Any) {
    out = -1;  // `Any`: generic size
    return true;
  }
  error(DiagId::err_type_argument_not_constant, e->range, what, owner);
  return false;
}

namespace {

int array_ndim_of(const std::string& tmpl) {
  if (tmpl.size() == 7 && tmpl.compare(0, 5, "array") == 0 && tmpl[6] == 'd') return tmpl[5] - '0';
  return 0;  // plain `array`: ndim argument (default 1)
}

}  // namespace

const Type* Sema::dtype_arg(ast::Expr* e, const std::string& owner, bool scalar_only) {
  const Type* t = resolve_type(e, TypeUse::Dtype);
  if (t->is_error()) return t;
  if (scalar_only) {
    if (t->is_scalar() || (t->is(TypeKind::Generic) && t->generic != GenericKind::Any) ||
        (t->is(TypeKind::Generic)))
      return t;
    error(DiagId::err_composite_dtype, e->range, owner, type_name(t));
    return err();
  }
  if (t->is_scalar() || t->is_composite() || t->is(TypeKind::Struct) || t->is(TypeKind::Generic)) return t;
  error(DiagId::err_array_dtype_invalid, e->range, type_name(t));
  return err();
}

const Type* Sema::make_array_type(const Type* dtype, int64_t ndim, ast::Expr* at) {
  if (ndim < 1 || ndim > 4) {
    error(DiagId::err_array_ndim_range, at->range, ndim);
    return err();
  }
  if (dtype->is_error()) return dtype;
  return types_.array(dtype, static_cast<int>(ndim));
}

// Generic scalar kinds stand for a type only after instantiation; a vector of
// them is generic as a whole (warpc models it as Any).
const Type* Sema::make_composite(const std::string& tmpl, int64_t rows, int64_t cols, const Type* dtype, ast::Expr* at) {
  if (dtype->is_error()) return dtype;
  if (rows < 0 || cols < 0 || dtype->is(TypeKind::Generic)) return types_.generic(GenericKind::Any);
  bool matrix = tmpl.find("matrix") != std::string::npos;
  if (rows == 0 || (matrix && cols == 0)) {
    error(DiagId::err_composite_size, at->range, tmpl, matrix ? fmt::format("({}, {})", rows, cols)
                                                                          : fmt::format("{}", rows));
    return err();
  }
  if (!matrix) return types_.vector(static_cast<int>(rows), dtype->scalar);
  return types_.matrix(static_cast<int>(rows), static_cast<int>(cols), dtype->scalar);
}

// wp.array(dtype=T[, ndim=N]) / wp.array2d(dtype=T) / wp.types.vector(length=N, dtype=T) /
// wp.types.matrix(shape=(R, C), dtype=T).
const Type* Sema::type_from_template(const std::string& tmpl, ast::CallExpr* call, const Type* default_dtype) {
  std::string owner = source_text(call->func->range);
  bool is_array = tmpl.rfind("array", 0) == 0;
  std::vector<std::string> params = is_array ? std::vector<std::string>{"dtype", "ndim"}
                                    : tmpl == "vector" ? std::vector<std::string>{"length", "dtype"}
                                                       : std::vector<std::string>{"shape", "dtype"};
  if (is_array && array_ndim_of(tmpl)) params.pop_back();
  std::map<std::string, ast::Expr*> args;
  bool ok = true;
  for (size_t i = 0; i < call->args.size(); ++i) {
    if (i >= params.size()) {
      error(DiagId::err_invalid_type_expr, call->args[i]->range, fmt::format("too many arguments for '{}'", owner));
      return err();
    }
    args[params[i]] = call->args[i];
  }
  for (ast::Keyword& kw : call->keywords) {
    if (std::find(params.begin(), params.end(), kw.name) == params.end()) {
      error(DiagId::err_type_argument_unknown, kw.name_range, kw.name, owner);
      ok = false;
      continue;
    }
    args[kw.name] = kw.value;
  }
  if (!ok) return err();
  if (!args.count("dtype") && !(default_dtype && !is_array)) {
    error(DiagId::err_array_dtype_missing, call->range, owner);
    return err();
  }
  if (is_array) {
    const Type* dtype = dtype_arg(args["dtype"], owner, false);
    int64_t ndim = array_ndim_of(tmpl) ? array_ndim_of(tmpl) : 1;
    if (args.count("ndim") && !const_int_arg(args["ndim"], "ndim", owner, ndim)) return err();
    return make_array_type(dtype, ndim, args.count("ndim") ? args["ndim"] : call);
  }
  const Type* dtype = args.count("dtype") ? dtype_arg(args["dtype"], owner, true) : default_dtype;
  int64_t rows = 0, cols = 0;
  if (tmpl == "vector") {
    if (!args.count("length")) {
      error(DiagId::err_invalid_type_expr, call->range, fmt::format("'{}' needs a 'length' argument", owner));
      return err();
    }
    if (!const_int_arg(args["length"], "length", owner, rows)) return err();
  } else {
    auto* shape = args.count("shape") ? args["shape"]->as<ast::TupleExpr>() : nullptr;
    if (!shape || shape->elts.size() != 2) {
      error(DiagId::err_invalid_type_expr, args.count("shape") ? args["shape"]->range : call->range,
            fmt::format("'{}' needs a 'shape=(rows, cols)' argument", owner));
      return err();
    }
    if (!const_int_arg(shape->elts[0], "shape", owner, rows) || !const_int_arg(shape->elts[1], "shape", owner, cols))
      return err();
  }
  return make_composite(owner, rows, cols, dtype, call);
}

// wp.array[T] / wp.array2d[T] / wp.array[T, N] / tuple[A, B] / Tuple[A, B].
const Type* Sema::type_from_subscript(const std::string& tmpl, ast::SubscriptExpr* sub) {
  std::vector<ast::Expr*> idx;
  if (auto* t = sub->index->as<ast::TupleExpr>()) idx = t->elts;
  else idx.push_back(sub->index);
  std::string owner = source_text(sub->value->range);
  if (tmpl == "tuple") {
    std::vector<const Type*> elems;
    for (ast::Expr* e : idx) {
      const Type* t = resolve_type(e, TypeUse::Return);
      if (t->is_error()) return t;
      elems.push_back(t);
    }
    return types_.tuple(elems);
  }
  if (tmpl.rfind("array", 0) != 0) {
    error(DiagId::err_invalid_type_expr, sub->range, fmt::format("'{}' cannot be subscripted", owner));
    return err();
  }
  if (idx.size() > 2 || (idx.size() == 2 && array_ndim_of(tmpl))) {
    error(DiagId::err_invalid_type_expr, sub->index->range, fmt::format("too many arguments for '{}'", owner));
    return err();
  }
  const Type* dtype = dtype_arg(idx[0], owner, false);
  int64_t ndim = array_ndim_of(tmpl) ? array_ndim_of(tmpl) : 1;
  if (idx.size() == 2 && !const_int_arg(idx[1], "ndim", owner, ndim)) return err();
  return make_array_type(dtype, ndim, idx.size() == 2 ? idx[1] : sub);
}

}  // namespace warpc::sema
