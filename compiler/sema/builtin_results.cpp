// builtin_results.cpp — the C++ result functions behind the few table rows
// whose result type is not a plain type expression ("@name" in the result
// column of stdlib/builtins.def). Each returns the result type, or null with
// ctx.why set when the overload does not apply after all.
#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <variant>

#include "sema/builtin_signature.h"

namespace warpc {

namespace {

const Type* bound(const ResultContext& ctx, std::string_view var) {
  auto it = ctx.binding.types.find(var);
  return it == ctx.binding.types.end() ? nullptr : it->second;
}

// The argument bound to parameter `param`, or null when defaulted.
const BuiltinArg* arg_of(const ResultContext& ctx, int param) {
  if (param >= static_cast<int>(ctx.param_args.size()) || ctx.param_args[param] < 0) return nullptr;
  return &ctx.args[ctx.param_args[param]];
}

// One component as an integer; out-of-range or fractional floats give -1.
int64_t component_int(const ConstValue::Scalar& s) {
  if (const double* d = std::get_if<double>(&s)) {
    bool whole = *d >= -1e9 && *d <= 1e9 && static_cast<double>(static_cast<int64_t>(*d)) == *d;
    return whole ? static_cast<int64_t>(*d) : -1;
  }
  if (const uint64_t* u = std::get_if<uint64_t>(&s)) return *u > (1ull << 40) ? -1 : static_cast<int64_t>(*u);
  return std::visit([](auto v) { return static_cast<int64_t>(v); }, s);
}

std::optional<int64_t> constant_int(const ConstValue* c) {
  if (!c || !c->type || !c->type->is_int_scalar() || c->comps.size() != 1) return std::nullopt;
  return component_int(c->comps[0]);
}

// identity(n, dtype): an n x n matrix of dtype; n must be known at compile time.
const Type* identity_result(ResultContext& ctx) {
  const BuiltinArg* n = arg_of(ctx, 0);
  const Type* dtype = bound(ctx, "Scalar");
  if (!n || !n->type || n->type->is_error() || !dtype) return ctx.types.error();
  auto size = constant_int(n->constant);
  if (!size) {
    *ctx.why = fmt::format("size 'n' of '{}' must be a compile-time constant", ctx.name);
    return nullptr;
  }
  if (*size < 1 || *size > 64) {
    *ctx.why = fmt::format("size 'n' of '{}' must be between 1 and 64, not {}", ctx.name, *size);
    return nullptr;
  }
  return ctx.types.matrix(static_cast<int>(*size), static_cast<int>(*size), dtype->scalar);
}

// The array's dtype if its scalar is one of `allowed` (composites of them
// too, unless scalars_only); otherwise null with the refusal in ctx.why.
const Type* atomic_dtype(ResultContext& ctx, std::initializer_list<ScalarKind> allowed, bool scalars_only) {
  const Type* dtype = bound(ctx, "Any");
  if (!dtype) return ctx.types.error();
  bool shape_ok = dtype->is_scalar() || (!scalars_only && dtype->is_composite());
  bool scalar_ok = std::find(allowed.begin(), allowed.end(), dtype->scalar) != allowed.end();
  if (shape_ok && scalar_ok) return dtype;
  *ctx.why = fmt::format("'{}' does not support arrays of '{}'", ctx.name, type_name(dtype));
  return nullptr;
}

using SK = ScalarKind;

// The arguments bound to the variadic parameter 0, in order.
std::vector<const Type*> variadic_types(const ResultContext& ctx) {
  std::vector<const Type*> out;
  for (size_t i = 0; i < ctx.args.size(); ++i)
    if (ctx.arg_params[i] == 0) out.push_back(ctx.args[i].type);
  return out;
}

bool any_poisoned(const std::vector<const Type*>& ts) {
  return std::any_of(ts.begin(), ts.end(), [](const Type* t) { return !t || t->is_error(); });
}

bool all_same(const std::vector<const Type*>& ts) {
  return std::all_of(ts.begin(), ts.end(), [&](const Type* t) { return t == ts.front(); });
}

std::string type_list(const std::vector<const Type*>& ts) {
  std::string out;
  for (const Type* t : ts) out += (out.empty() ? "" : ", ") + type_name(t);
  return out;
}

// A compile-time size given as parameter `param`: nullopt when not given, -1 when not constant.
std::optional<int64_t> size_param(const ResultContext& ctx, int param) {
  const BuiltinArg* a = arg_of(ctx, param);
  if (!a) return std::nullopt;
  auto v = constant_int(a->constant);
  return v ? *v : -1;
}

// vector(*args, length=, dtype=): components of one scalar type, one value
// repeated `length` times, or zeros of `length` and `dtype`.
const Type* vector_result(ResultContext& ctx) {
  std::vector<const Type*> comps = variadic_types(ctx);
  const Type* dtype = bound(ctx, "Scalar2");
  auto length = size_param(ctx, 1);
  if (any_poisoned(comps) || !dtype) return ctx.types.error();
  if (length && (*length < 1 || *length > 1024)) {
    *ctx.why = fmt::format("'length' of '{}' must be a compile-time constant between 1 and 1024", ctx.name);
    return nullptr;
  }
  if (comps.empty()) {
    if (!length) *ctx.why = fmt::format("'{}' needs components or a 'length'", ctx.name);
    return length ? ctx.types.vector(static_cast<int>(*length), dtype->scalar) : nullptr;
  }
  if (!all_same(comps) || (arg_of(ctx, 2) && dtype != comps.front())) {
    *ctx.why = fmt::format("components of '{}' must all have type '{}', not ({})", ctx.name,
                           type_name(arg_of(ctx, 2) ? dtype : comps.front()), type_list(comps));
    return nullptr;
  }
  int n = static_cast<int>(comps.size());
  if (length && n != 1 && *length != n) {
    *ctx.why = fmt::format("'{}' got {} components but length={}", ctx.name, n, *length);
    return nullptr;
  }
  return ctx.types.vector(length ? static_cast<int>(*length) : n, comps.front()->scalar);
}

// The (rows, cols) constant given as `shape=`: nullopt when not given.
std::optional<std::pair<int, int>> shape_param(const ResultContext& ctx, bool* bad) {
  const BuiltinArg* a = arg_of(ctx, 1);
  if (!a) return std::nullopt;
  const ConstValue* c = a->constant;
  *bad = !c || c->comps.size() != 2;
  if (*bad) return std::nullopt;
  int64_t r = component_int(c->comps[0]), col = component_int(c->comps[1]);
  *bad = r < 1 || col < 1 || r > 64 || col > 64;
  if (*bad) return std::nullopt;
  return std::make_pair(static_cast<int>(r), static_cast<int>(col));
}

// matrix(*args, shape=, dtype=): row vectors, shape[0]*shape[1] components of
// one scalar type, or zeros of `shape` and `dtype`.
const Type* matrix_result(ResultContext& ctx) {
  std::vector<const Type*> comps = variadic_types(ctx);
  const Type* dtype = bound(ctx, "Scalar");
  if (any_poisoned(comps) || !dtype) return ctx.types.error();
  bool bad_shape = false;
  auto shape = shape_param(ctx, &bad_shape);
  if (bad_shape) {
    *ctx.why = fmt::format("'shape' of '{}' must be a compile-time constant (rows, cols)", ctx.name);
    return nullptr;
  }
  bool dtype_given = arg_of(ctx, 2) != nullptr;
  if (comps.empty()) {
    if (!shape) *ctx.why = fmt::format("'{}' needs components or a 'shape'", ctx.name);
    return shape ? ctx.types.matrix(shape->first, shape->second, dtype->scalar) : nullptr;
  }
  const Type* first = comps.front();
  bool rows = first->is(TypeKind::Vector), scalars = first->is_scalar() && !first->is_bool();
  if (!all_same(comps) || !(rows || scalars) || (dtype_given && dtype->scalar != first->scalar)) {
    *ctx.why = fmt::format("'{}' takes row vectors or scalars of one type, not ({})", ctx.name, type_list(comps));
    return nullptr;
  }
  int n = static_cast<int>(comps.size());
  if (scalars && !shape) {
    *ctx.why = fmt::format("'{}' needs shape=(rows, cols) to arrange {} components", ctx.name, n);
    return nullptr;
  }
  std::pair<int, int> dims = rows ? std::make_pair(n, first->rows) : *shape;
  bool fits = rows ? (!shape || *shape == dims) : dims.first * dims.second == n;
  if (!fits) {
    *ctx.why = fmt::format("'{}' got {} {} that do not fill shape=({}, {})", ctx.name, n,
                           rows ? "rows" : "components", shape->first, shape->second);
    return nullptr;
  }
  return ctx.types.matrix(dims.first, dims.second, first->scalar);
}

const Type* atomic_arith(ResultContext& ctx) {
  return atomic_dtype(ctx, {SK::Int32, SK::UInt32, SK::Int64, SK::UInt64, SK::Float16, SK::BFloat16, SK::Float32,
                       SK::Float64},
                      false);
}

const Type* atomic_minmax(ResultContext& ctx) {  // (Warp takes bfloat16 here, but not float16)
  return atomic_dtype(ctx, {SK::Int32, SK::UInt32, SK::Int64, SK::UInt64, SK::BFloat16, SK::Float32, SK::Float64},
                      false);
}

const Type* atomic_exchange(ResultContext& ctx) {
  return atomic_dtype(ctx, {SK::Int32, SK::UInt32, SK::Int64, SK::UInt64, SK::Float32, SK::Float64}, true);
}

const Type* atomic_bitwise(ResultContext& ctx) {
  return atomic_dtype(ctx, {SK::Int32, SK::UInt32, SK::Int64, SK::UInt64}, false);
}

// matrix_from_rows / matrix_from_cols: vectors of one type side by side.
const Type* stacked_vectors(ResultContext& ctx, bool as_rows) {
  std::vector<const Type*> vecs = variadic_types(ctx);
  if (any_poisoned(vecs)) return ctx.types.error();
  if (vecs.empty() || !all_same(vecs)) {
    *ctx.why = vecs.empty() ? fmt::format("'{}' needs at least one vector", ctx.name)
                            : fmt::format("'{}' needs vectors of one type, not ({})", ctx.name, type_list(vecs));
    return nullptr;
  }
  int n = static_cast<int>(vecs.size()), len = vecs.front()->rows;
  return as_rows ? ctx.types.matrix(n, len, vecs.front()->scalar) : ctx.types.matrix(len, n, vecs.front()->scalar);
}

const Type* rows_result(ResultContext& ctx) { return stacked_vectors(ctx, true); }
const Type* cols_result(ResultContext& ctx) { return stacked_vectors(ctx, false); }

// quaternion(…, dtype=) / transformation(p, q, dtype=) from parts of one Float type: that
// type; a given dtype (parameter `dtype_param`) must be the same.
const Type* typed_parts(ResultContext& ctx, int dtype_param, bool transform) {
  const Type* f = bound(ctx, "Float");
  const Type* d = bound(ctx, "Float2");
  if (!f || !d || f->is_error()) return ctx.types.error();
  if (arg_of(ctx, dtype_param) && d != f) {
    *ctx.why = fmt::format("'{}' got components of type '{}' but dtype={}", ctx.name, type_name(f), type_name(d));
    return nullptr;
  }
  return transform ? ctx.types.transform(f->scalar) : ctx.types.quat(f->scalar);
}

const Type* quaternion_components(ResultContext& ctx) { return typed_parts(ctx, 4, false); }
const Type* quaternion_parts(ResultContext& ctx) { return typed_parts(ctx, 2, false); }
const Type* transformation_parts(ResultContext& ctx) { return typed_parts(ctx, 2, true); }

// quaternion(q, dtype=): q converted to dtype when given.
const Type* quaternion_convert(ResultContext& ctx) {
  const Type* f = bound(ctx, "Float");
  const Type* d = bound(ctx, "Float2");
  if (!f || !d) return ctx.types.error();
  return ctx.types.quat(arg_of(ctx, 1) ? d->scalar : f->scalar);
}

// transformation(*args, dtype=): seven components p.x … q.w of one type.
const Type* transformation_components(ResultContext& ctx) {
  std::vector<const Type*> comps = variadic_types(ctx);
  const Type* d = bound(ctx, "Float2");
  if (any_poisoned(comps) || !d) return ctx.types.error();
  if (comps.size() != 7 || !all_same(comps) || (arg_of(ctx, 1) && d != comps.front())) {
    *ctx.why = fmt::format("'{}' takes 7 components (p.x, p.y, p.z, q.x, q.y, q.z, q.w) of one type{}, not ({})",
                           ctx.name, arg_of(ctx, 1) ? fmt::format(" ({})", type_name(d)) : "", type_list(comps));
    return nullptr;
  }
  return ctx.types.transform(comps.front()->scalar);
}

// Bytes of a value cast() can reinterpret (nullopt for other types).
std::optional<int> cast_size(const Type* t) {
  const int s = scalar_bits(t->scalar) / 8;
  switch (t->kind) {
    case TypeKind::Scalar: return t->is_bool() ? 1 : s;
    case TypeKind::Vector: case TypeKind::Matrix: case TypeKind::Quat: case TypeKind::Transform:
      return t->component_count() * s;
    default: return std::nullopt;
  }
}

// cast(a, dtype): the bits of a as a dtype of the same size.
const Type* cast_result(ResultContext& ctx) {
  const Type* from = bound(ctx, "Any");
  const Type* to = bound(ctx, "Any2");
  if (!from || !to || from->is_error() || to->is_error()) return ctx.types.error();
  auto a = cast_size(from), b = cast_size(to);
  if (!a || !b) {
    *ctx.why = fmt::format("'{}' reinterprets scalars, vectors, matrices, quaternions and transforms, not '{}'",
                           ctx.name, type_name(a ? to : from));
    return nullptr;
  }
  if (*a != *b) {
    *ctx.why = fmt::format("'{}' needs types of one size: '{}' has {} bytes, '{}' has {}", ctx.name,
                           type_name(from), *a, type_name(to), *b);
    return nullptr;
  }
  return to;
}

const ResultRule kRules[] = {
    {"quaternion_components", quaternion_components, "quaternion(Float)"},
    {"quaternion_parts", quaternion_parts, "quaternion(Float)"},
    {"quaternion_convert", quaternion_convert, "quaternion(dtype)"},
    {"transformation_parts", transformation_parts, "transformation(Float)"},
    {"transformation_components", transformation_components, "transformation(Float)"},
    {"cast_result", cast_result, "dtype"},
    {"identity_result", identity_result, "matrix(n, n, Scalar)"},
    {"vector_result", vector_result, "vector(length, Scalar)"},
    {"rows_result", rows_result, "matrix(len(rows), N, Scalar)"},
    {"cols_result", cols_result, "matrix(N, len(cols), Scalar)"},
    {"matrix_result", matrix_result, "matrix(shape[0], shape[1], Scalar)"},
    {"atomic_arith", atomic_arith, "Any"},
    {"atomic_minmax", atomic_minmax, "Any"},
    {"atomic_exchange", atomic_exchange, "Any"},
    {"atomic_bitwise", atomic_bitwise, "Any"},
};

}  // namespace

const ResultRule* find_result_rule(std::string_view name) {
  for (const ResultRule& r : kRules)
    if (r.name == name) return &r;
  return nullptr;
}

}  // namespace warpc
