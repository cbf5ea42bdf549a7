// builtin_constructors.cpp — the constructor forms of Warp's value types
// (vectors, matrices, quaternions, transforms, scalar casts), resolved with
// the same rules and messages as builtin calls.
//
// Forms, tried in order (components must have exactly the target's scalar
// type; conversions between scalar types are explicit casts only):
//   scalar T:   T(x) for any scalar x (a cast)
//   vector:     ()  zeros | (s) broadcast | (x, y, …) components |
//               (w: vec3, v: vec3) for 6-vectors | (v) from a same-length vector of any scalar
//   matrix:     ()  zeros | (s) broadcast | (m00, m01, …) | (row0, row1, …) | (m) from any scalar
//   quaternion: ()  | (x, y, z, w) | (xyz: vec3, w) | (q) from any scalar
//   transform:  ()  | (p: vec3, q: quat) | (px, py, pz, qx, qy, qz, qw) | (t) from any scalar
// The resolved overload's cpp name is the form: "zeros", "broadcast",
// "components", "rows", "compose", "convert", "default", "cast".
#include <fmt/format.h>

#include <map>
#include <memory>

#include "sema/builtin_signature.h"

namespace warpc {

namespace {

struct FormSet {
  std::vector<std::unique_ptr<BuiltinOverload>> owned;
  std::vector<const BuiltinOverload*> list;
};

// "x: float32, y: float32" for the given parameter names.
std::string same_typed(const std::vector<std::string>& names, std::string_view type) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += fmt::format("{}{}: {}", i ? ", " : "", names[i], type);
  return out;
}

std::vector<std::string> numbered(std::string_view stem, int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back(fmt::format("{}{}", stem, i));
  return names;
}

void add_form(FormSet& set, const std::string& target, std::string_view result, std::string_view form,
              std::string params) {
  auto ov = std::make_unique<BuiltinOverload>();
  ov->name = target;
  ov->group = BuiltinGroup::Constructors;
  ov->params_text = std::move(params);
  ov->result_text = std::string(result);
  ov->cpp = std::string(form);
  ov->constructor = true;
  ov->differentiable = true;  // casts of floats and value construction have adjoints
  std::string error;
  if (!parse_param_list(ov->params_text, ov->params, &error)) return;  // cannot happen for generated text
  auto r = parse_type_pattern(result, &error);
  if (!r) return;
  ov->result = std::move(*r);
  set.list.push_back(ov.get());
  set.owned.push_back(std::move(ov));
}

void vector_forms(FormSet& set, const Type* t) {
  std::string target = type_name(t), s(scalar_name(t->scalar));
  std::string result = fmt::format("vector({}, {})", t->rows, s);
  add_form(set, target, result, "zeros", "");
  add_form(set, target, result, "broadcast", fmt::format("value: {}", s));
  std::vector<std::string> names = t->rows <= 4 ? std::vector<std::string>{"x", "y", "z", "w"} : numbered("c", t->rows);
  names.resize(t->rows);
  if (t->rows > 1) add_form(set, target, result, "components", same_typed(names, s));
  if (t->rows == 6) add_form(set, target, result, "compose", fmt::format("w: vector(3, {0}), v: vector(3, {0})", s));
  add_form(set, target, result, "convert", fmt::format("v: vector({}, Any)", t->rows));
}

void matrix_forms(FormSet& set, const Type* t) {
  std::string target = type_name(t), s(scalar_name(t->scalar));
  std::string result = fmt::format("matrix({}, {}, {})", t->rows, t->cols, s);
  add_form(set, target, result, "zeros", "");
  add_form(set, target, result, "broadcast", fmt::format("value: {}", s));
  std::vector<std::string> names;
  for (int r = 0; r < t->rows; ++r)
    for (int c = 0; c < t->cols; ++c) names.push_back(fmt::format("m{}{}", r, c));
  if (t->rows * t->cols > 1) add_form(set, target, result, "components", same_typed(names, s));
  add_form(set, target, result, "rows", same_typed(numbered("row", t->rows), fmt::format("vector({}, {})", t->cols, s)));
  add_form(set, target, result, "convert", fmt::format("m: matrix({}, {}, Any)", t->rows, t->cols));
}

void quat_forms(FormSet& set, const Type* t) {
  std::string target = type_name(t), s(scalar_name(t->scalar));
  std::string result = fmt::format("quaternion({})", s);
  add_form(set, target, result, "default", "");
  add_form(set, target, result, "components", same_typed({"x", "y", "z", "w"}, s));
  add_form(set, target, result, "compose", fmt::format("xyz: vector(3, {0}), w: {0}", s));
  add_form(set, target, result, "convert", "q: quaternion(Any)");
}

void transform_forms(FormSet& set, const Type* t) {
  std::string target = type_name(t), s(scalar_name(t->scalar));
  std::string result = fmt::format("transformation({})", s);
  add_form(set, target, result, "default", "");
  add_form(set, target, result, "compose", fmt::format("p: vector(3, {0}), q: quaternion({0})", s));
  add_form(set, target, result, "components", same_typed({"px", "py", "pz", "qx", "qy", "qz", "qw"}, s));
  add_form(set, target, result, "convert", "t: transformation(Any)");
}

void scalar_forms(FormSet& set, const Type* t) {
  std::string target = type_name(t), s(scalar_name(t->scalar));
  add_form(set, target, s, "cast", "x: Scalar");
  add_form(set, target, s, "cast", "x: bool");
}

// The forms of `target` (cached per type shape; patterns are context-free).
const FormSet* forms_of(const Type* target) {
  static std::map<std::string, FormSet> cache;
  std::string key = fmt::format("{}:{}", static_cast<int>(target->kind), type_name(target));
  auto it = cache.find(key);
  if (it != cache.end()) return &it->second;
  FormSet set;
  switch (target->kind) {
    case TypeKind::Scalar: scalar_forms(set, target); break;
    case TypeKind::Vector: vector_forms(set, target); break;
    case TypeKind::Matrix: matrix_forms(set, target); break;
    case TypeKind::Quat: quat_forms(set, target); break;
    case TypeKind::Transform: transform_forms(set, target); break;
    default: return nullptr;
  }
  return &cache.emplace(std::move(key), std::move(set)).first->second;
}

}  // namespace

BuiltinResolution resolve_constructor(TypeContext& types, const Type* target, std::span<const BuiltinArg> args) {
  BuiltinResolution r;
  if (!target || target->is_error()) {
    r.status = BuiltinResolution::Status::Ok;
    r.result = types.error();
    return r;
  }
  const FormSet* set = forms_of(target);
  if (!set) {
    r.status = BuiltinResolution::Status::NoMatch;
    r.message = fmt::format("type '{}' has no builtin constructor", type_name(target));
    return r;
  }
  return resolve_overload_set(types, set->list, type_name(target), args);
}

}  // namespace warpc
