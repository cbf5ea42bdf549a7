// builtin_types.cpp — type names under `wp.` (and Python's int/float/bool),
// the builtin structs MeshQueryPoint/MeshQueryRay, predefined constants and
// attribute access on builtin types.
//
// Per-context data (builtin structs, constants) is cached by TypeContext
// address. A context destroyed and another created at the same address is
// detected by checking that every cached type pointer is still what the
// context interns; the cache owns its StructInfos and ConstValues, so a stale
// entry is never dereferenced into freed memory. Single-threaded use only.
#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include "sema/builtins.h"

namespace warpc {

namespace {

using SK = ScalarKind;

struct FieldSpec {
  const char* name;
  const Type* type;
};

// Field list of a builtin struct in this context.
std::vector<FieldSpec> struct_fields(TypeContext& types, std::string_view name) {
  const Type* f32 = types.float32();
  const Type* i32 = types.int32();
  const Type* b = types.bool_type();
  if (name == "MeshQueryPoint") return {{"result", b}, {"sign", f32}, {"face", i32}, {"u", f32}, {"v", f32}};
  if (name == "Mesh") {  // wp.mesh_get(id): the arrays a mesh was built from (C++: wp::mesh_t)
    const Type* v3 = types.array(types.vector(3, SK::Float32), 1);
    return {{"points", v3}, {"velocities", v3}, {"indices", types.array(i32, 1)}};
  }
  if (name == "MeshQueryRay")
    return {{"result", b}, {"sign", f32}, {"face", i32}, {"t", f32}, {"u", f32}, {"v", f32},
            {"normal", types.vector(3, SK::Float32)}};
  return {};
}

struct ContextCache {
  std::map<std::string, std::unique_ptr<StructInfo>, std::less<>> structs;
  std::map<std::string, std::unique_ptr<ConstValue>, std::less<>> constants;
};

std::map<const TypeContext*, ContextCache>& caches() {
  static std::map<const TypeContext*, ContextCache> c;
  return c;
}

bool struct_is_current(TypeContext& types, const StructInfo& info) {
  std::vector<FieldSpec> want = struct_fields(types, info.name);
  if (want.size() != info.fields.size()) return false;
  for (size_t i = 0; i < want.size(); ++i)
    if (info.fields[i].type != want[i].type) return false;
  return true;
}

const StructInfo* builtin_struct(TypeContext& types, std::string_view name) {
  std::vector<FieldSpec> fields = struct_fields(types, name);
  if (fields.empty()) return nullptr;
  auto& slot = caches()[&types].structs[std::string(name)];
  if (slot && struct_is_current(types, *slot)) return slot.get();
  slot = std::make_unique<StructInfo>();
  slot->name = std::string(name);
  slot->builtin = true;
  for (const FieldSpec& f : fields) slot->fields.push_back({f.name, f.type, {}});
  return slot.get();
}

std::optional<SK> scalar_named(std::string_view n) {
  static const std::pair<std::string_view, SK> kNames[] = {
      {"bool", SK::Bool},       {"int8", SK::Int8},       {"int16", SK::Int16},     {"int32", SK::Int32},
      {"int64", SK::Int64},     {"uint8", SK::UInt8},     {"uint16", SK::UInt16},   {"uint32", SK::UInt32},
      {"uint64", SK::UInt64},   {"float16", SK::Float16}, {"float32", SK::Float32}, {"float64", SK::Float64},
      {"bfloat16", SK::BFloat16}, {"float", SK::Float32},   {"int", SK::Int32},
  };
  for (const auto& [name, kind] : kNames)
    if (name == n) return kind;
  return std::nullopt;
}

// Vector suffixes (vec3ub …); "" = float32.
std::optional<SK> vector_suffix(std::string_view s) {
  static const std::pair<std::string_view, SK> kSuffixes[] = {
      {"", SK::Float32}, {"b", SK::Int8},    {"ub", SK::UInt8},  {"s", SK::Int16},   {"us", SK::UInt16},
      {"i", SK::Int32},  {"ui", SK::UInt32}, {"l", SK::Int64},   {"ul", SK::UInt64}, {"h", SK::Float16},
      {"f", SK::Float32}, {"d", SK::Float64},
  };
  for (const auto& [suffix, kind] : kSuffixes)
    if (suffix == s) return kind;
  return std::nullopt;
}

// Float-only suffixes (mat33d, quath, transformf, spatial_vectord …).
std::optional<SK> float_suffix(std::string_view s) {
  if (s.empty() || s == "f") return SK::Float32;
  if (s == "h") return SK::Float16;
  if (s == "d") return SK::Float64;
  return std::nullopt;
}

bool starts_with(std::string_view s, std::string_view prefix, std::string_view* rest) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  *rest = s.substr(prefix.size());
  return true;
}

// vecN*, matNN*, quat*, transform*, spatial_vector*, spatial_matrix*.
const Type* composite_named(TypeContext& types, std::string_view n) {
  std::string_view rest;
  if (starts_with(n, "vec", &rest) && !rest.empty() && rest[0] >= '2' && rest[0] <= '4') {
    if (auto s = vector_suffix(rest.substr(1))) return types.vector(rest[0] - '0', *s);
  }
  if (starts_with(n, "mat", &rest) && rest.size() >= 2 && rest[0] == rest[1] && rest[0] >= '2' && rest[0] <= '4') {
    if (auto s = float_suffix(rest.substr(2))) return types.matrix(rest[0] - '0', rest[0] - '0', *s);
  }
  if (starts_with(n, "spatial_vector", &rest)) {
    if (auto s = float_suffix(rest)) return types.vector(6, *s);
  }
  if (starts_with(n, "spatial_matrix", &rest)) {
    if (auto s = float_suffix(rest)) return types.matrix(6, 6, *s);
  }
  if (starts_with(n, "transform", &rest)) {
    if (auto s = float_suffix(rest)) return types.transform(*s);
  }
  if (starts_with(n, "quat", &rest)) {
    if (auto s = float_suffix(rest)) return types.quat(*s);
  }
  return nullptr;
}

const Type* special_named(TypeContext& types, std::string_view n) {
  if (n == "MeshQueryAABB") return types.query("mesh_query_aabb_t");
  if (n == "MeshQuery") return types.query("mesh_query_t");
  if (n == "HashGridQuery") return types.query("hash_grid_query_t");
  if (n == "BvhQuery" || n == "BvhQueryAABB" || n == "BvhQueryRay") return types.query("bvh_query_t");
  if (n == "Float") return types.generic(GenericKind::Float);
  if (n == "Int") return types.generic(GenericKind::Int);
  if (n == "Scalar") return types.generic(GenericKind::Scalar);
  if (const StructInfo* info = builtin_struct(types, n)) return types.struct_type(info);
  return nullptr;
}

std::optional<double> constant_named(std::string_view n) {
  constexpr double kPi = 3.14159265358979323846;
  // Warp spells each constant in upper and in lower case (wp.PI, wp.pi).
  static const std::pair<std::string_view, double> kConstants[] = {
      {"PI", kPi},
      {"TAU", 2.0 * kPi},
      {"HALF_PI", kPi / 2.0},
      {"E", 2.71828182845904523536},
      {"LN2", 0.69314718055994530942},
      {"LN10", 2.30258509299404568402},
      {"LOG2E", 1.44269504088896340736},
      {"LOG10E", 0.43429448190325182765},
      {"PHI", 1.61803398874989484820},
      {"INF", std::numeric_limits<double>::infinity()},
      {"NAN", std::numeric_limits<double>::quiet_NaN()},
  };
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  for (const auto& [name, value] : kConstants)
    if (n == name || n == lower(name)) return value;
  return std::nullopt;
}

// Component attributes x, y, z, w → index, or -1.
int component_index(std::string_view attr) {
  if (attr.size() != 1) return -1;
  switch (attr[0]) {
    case 'x': return 0;
    case 'y': return 1;
    case 'z': return 2;
    case 'w': return 3;
    default: return -1;
  }
}

}  // namespace

const Type* builtin_type(TypeContext& types, std::string_view name) {
  if (auto s = scalar_named(name)) return types.scalar(*s);
  if (const Type* t = composite_named(types, name)) return t;
  return special_named(types, name);
}

const ConstValue* builtin_constant(TypeContext& types, std::string_view name, bool full_precision) {
  auto value = constant_named(name);
  if (!value) return nullptr;
  auto& slot = caches()[&types].constants[std::string(name) + (full_precision ? ":64" : "")];
  const Type* type = full_precision ? types.scalar(ScalarKind::Float64) : types.float32();
  if (slot && slot->type == type) return slot.get();  // (not a context recycled at this address)
  slot = std::make_unique<ConstValue>();
  slot->type = type;
  // A float32 unless it is the direct argument of a float64 constructor (Warp keeps the
  // Python float's full value there: wp.float64(wp.pi)).
  slot->comps.push_back(full_precision ? *value : static_cast<double>(static_cast<float>(*value)));
  return slot.get();
}

const Type* builtin_attribute_type(TypeContext& types, const Type* t, std::string_view attr) {
  if (!t) return nullptr;
  switch (t->kind) {
    case TypeKind::Vector: {
      int i = component_index(attr);
      return i >= 0 && i < t->rows ? types.scalar(t->scalar) : nullptr;
    }
    case TypeKind::Quat: return component_index(attr) >= 0 ? types.scalar(t->scalar) : nullptr;
    case TypeKind::Transform:
      if (attr == "p") return types.vector(3, t->scalar);
      if (attr == "q") return types.quat(t->scalar);
      return nullptr;
    case TypeKind::Struct: {
      int i = t->info ? t->info->field_index(attr) : -1;
      return i >= 0 ? t->info->fields[i].type : nullptr;
    }
    case TypeKind::Array:
      if (attr == "shape") return types.tuple(std::vector<const Type*>(t->ndim, types.int32()));
      return nullptr;
    default: return nullptr;
  }
}

}  // namespace warpc
