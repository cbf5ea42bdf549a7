// types.cpp — scalar properties, Warp type spelling and type interning.
#include "sema/types.h"

#include <algorithm>

#include <fmt/format.h>

#include <iterator>

namespace warpc {

namespace {

struct ScalarRow {
  std::string_view name;
  std::string_view suffix;
  int bits;
  bool is_float;
  bool is_signed;
};

const ScalarRow kScalars[] = {
    {"bool", "b", 8, false, false},     {"int8", "b", 8, false, true},
    {"int16", "s", 16, false, true},    {"int32", "i", 32, false, true},
    {"int64", "l", 64, false, true},    {"uint8", "ub", 8, false, false},
    {"uint16", "us", 16, false, false}, {"uint32", "ui", 32, false, false},
    {"uint64", "ul", 64, false, false}, {"float16", "h", 16, true, true},
    {"float32", "f", 32, true, true},   {"float64", "d", 64, true, true},
    {"bfloat16", "bf", 16, true, true},
};
static_assert(std::size(kScalars) == kScalarKindCount);

const ScalarRow& row(ScalarKind k) { return kScalars[static_cast<int>(k)]; }

// A unique string per structural type; the interning key.
std::string key_of(const Type& t) {
  switch (t.kind) {
    case TypeKind::Array: return fmt::format("A{}:{}", t.ndim, static_cast<const void*>(t.elem));
    case TypeKind::Tuple: {
      std::string k = "T";
      for (const Type* e : t.elems) k += fmt::format("{},", static_cast<const void*>(e));
      return k;
    }
    case TypeKind::Struct: return fmt::format("S{}", static_cast<const void*>(t.info));
    case TypeKind::TypeValue: return fmt::format("V{}", static_cast<const void*>(t.elem));
    default:
      return fmt::format("{}:{}:{}:{}:{}:{}", static_cast<int>(t.kind), static_cast<int>(t.scalar),
                         t.rows, t.cols, t.name, static_cast<int>(t.generic));
  }
}

}  // namespace

bool is_float(ScalarKind k) { return row(k).is_float; }
bool is_integer(ScalarKind k) { return k != ScalarKind::Bool && !row(k).is_float; }
bool is_signed(ScalarKind k) { return row(k).is_signed; }
int scalar_bits(ScalarKind k) { return row(k).bits; }
std::string_view scalar_name(ScalarKind k) { return row(k).name; }
std::string_view scalar_short_suffix(ScalarKind k) { return row(k).suffix; }

int StructInfo::field_index(std::string_view n) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == n) return static_cast<int>(i);
  return -1;
}

bool Type::is_composite() const {
  return kind == TypeKind::Vector || kind == TypeKind::Matrix || kind == TypeKind::Quat ||
         kind == TypeKind::Transform;
}

int Type::component_count() const {
  switch (kind) {
    case TypeKind::Scalar: return 1;
    case TypeKind::Vector: return rows;
    case TypeKind::Matrix: return rows * cols;
    case TypeKind::Quat: return 4;
    case TypeKind::Transform: return 7;
    default: return 0;
  }
}

bool Type::is_generic() const {
  if (kind == TypeKind::Generic) return true;
  if (elem && elem->is_generic()) return true;
  for (const Type* e : elems)
    if (e->is_generic()) return true;
  return false;
}

std::string type_name(const Type* t) {
  if (!t) return "<null>";
  std::string_view s = scalar_name(t->scalar);
  std::string_view suf = scalar_short_suffix(t->scalar);
  switch (t->kind) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Void: return "None";
    case TypeKind::None: return "None";
    case TypeKind::Scalar: return std::string(s);
    default: break;
  }
  // Warp names no vec3bf / mat33bf / quatbf: bfloat16 composites are spelled in full.
  if (t->scalar == ScalarKind::BFloat16 && t->is_composite()) {
    switch (t->kind) {
      case TypeKind::Vector: return fmt::format("vector(length={}, dtype={})", t->rows, s);
      case TypeKind::Matrix: return fmt::format("matrix(shape=({}, {}), dtype={})", t->rows, t->cols, s);
      case TypeKind::Quat: return fmt::format("quaternion(dtype={})", s);
      default: return fmt::format("transformation(dtype={})", s);
    }
  }
  switch (t->kind) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Void: return "None";
    case TypeKind::None: return "None";
    case TypeKind::Scalar: return std::string(s);
    case TypeKind::Vector:
      if (t->rows >= 2 && t->rows <= 4) return fmt::format("vec{}{}", t->rows, suf);
      if (t->rows == 6 && is_float(t->scalar)) return fmt::format("spatial_vector{}", suf);
      return fmt::format("vector(length={}, dtype={})", t->rows, s);
    case TypeKind::Matrix:
      if (t->rows == t->cols && t->rows >= 2 && t->rows <= 4 && is_float(t->scalar))
        return fmt::format("mat{}{}{}", t->rows, t->cols, suf);
      if (t->rows == 6 && t->cols == 6 && is_float(t->scalar)) return fmt::format("spatial_matrix{}", suf);
      return fmt::format("matrix(shape=({}, {}), dtype={})", t->rows, t->cols, s);
    case TypeKind::Quat: return fmt::format("quat{}", suf);
    case TypeKind::Transform: return fmt::format("transform{}", suf);
    case TypeKind::Array: return fmt::format("array(dtype={}, ndim={})", type_name(t->elem), t->ndim);
    case TypeKind::Struct: return t->info->name;
    case TypeKind::Tuple: {
      std::string out = "tuple(";
      for (size_t i = 0; i < t->elems.size(); ++i) out += (i ? ", " : "") + type_name(t->elems[i]);
      return out + ")";
    }
    case TypeKind::Range: return "range_t";
    case TypeKind::Query: return t->name;
    case TypeKind::String: return "str";
    case TypeKind::TypeValue: return fmt::format("type({})", type_name(t->elem));
    case TypeKind::Function: return fmt::format("function '{}'", t->name);
    case TypeKind::Module: return fmt::format("module '{}'", t->name);
    case TypeKind::Generic: return t->name;
  }
  return "<unknown>";
}

TypeContext::TypeContext() {
  auto simple = [&](TypeKind k) {
    Type t;
    t.kind = k;
    return intern(std::move(t));
  };
  error_ = simple(TypeKind::Error);
  void_ = simple(TypeKind::Void);
  none_ = simple(TypeKind::None);
  string_ = simple(TypeKind::String);
  range_ = simple(TypeKind::Range);
  for (int i = 0; i < kScalarKindCount; ++i) {
    Type t;
    t.kind = TypeKind::Scalar;
    t.scalar = static_cast<ScalarKind>(i);
    scalars_[i] = intern(std::move(t));
  }
}

const Type* TypeContext::intern(Type t) {
  std::string key = key_of(t);
  auto it = by_key_.find(key);
  if (it != by_key_.end()) return it->second;
  owned_.push_back(std::make_unique<Type>(std::move(t)));
  by_key_.emplace(std::move(key), owned_.back().get());
  return owned_.back().get();
}

const Type* TypeContext::vector(int length, ScalarKind k) {
  Type t;
  t.kind = TypeKind::Vector;
  t.rows = length;
  t.scalar = k;
  return intern(std::move(t));
}

const Type* TypeContext::matrix(int rows, int cols, ScalarKind k) {
  Type t;
  t.kind = TypeKind::Matrix;
  t.rows = rows;
  t.cols = cols;
  t.scalar = k;
  return intern(std::move(t));
}

const Type* TypeContext::quat(ScalarKind k) {
  Type t;
  t.kind = TypeKind::Quat;
  t.scalar = k;
  return intern(std::move(t));
}

const Type* TypeContext::transform(ScalarKind k) {
  Type t;
  t.kind = TypeKind::Transform;
  t.scalar = k;
  return intern(std::move(t));
}

const Type* TypeContext::array(const Type* dtype, int ndim) {
  Type t;
  t.kind = TypeKind::Array;
  t.elem = dtype;
  t.ndim = ndim;
  return intern(std::move(t));
}

const Type* TypeContext::tuple(const std::vector<const Type*>& elems) {
  Type t;
  t.kind = TypeKind::Tuple;
  t.elems = elems;
  return intern(std::move(t));
}

const Type* TypeContext::struct_type(const StructInfo* info) {
  Type t;
  t.kind = TypeKind::Struct;
  t.info = info;
  return intern(std::move(t));
}

const Type* TypeContext::type_value(const Type* of) {
  Type t;
  t.kind = TypeKind::TypeValue;
  t.elem = of;
  return intern(std::move(t));
}

const Type* TypeContext::query(std::string_view name) {
  Type t;
  t.kind = TypeKind::Query;
  t.name = name;
  return intern(std::move(t));
}

const Type* TypeContext::module(std::string_view name) {
  Type t;
  t.kind = TypeKind::Module;
  t.name = name;
  return intern(std::move(t));
}

const Type* TypeContext::function(std::string_view name) {
  Type t;
  t.kind = TypeKind::Function;
  t.name = name;
  return intern(std::move(t));
}

const Type* TypeContext::generic(GenericKind k) {
  static const char* const kNames[] = {"Any", "Scalar", "Float", "Int"};
  Type t;
  t.kind = TypeKind::Generic;
  t.generic = k;
  t.name = kNames[static_cast<int>(k)];
  return intern(std::move(t));
}

StructInfo* TypeContext::new_struct(std::string name, std::string module) {
  structs_.push_back(std::make_unique<StructInfo>());
  structs_.back()->name = std::move(name);
  structs_.back()->module = std::move(module);
  return structs_.back().get();
}

std::optional<CLayout> c_layout(const Type* t, const Type** bad) {
  switch (t->kind) {
    case TypeKind::Scalar:
    case TypeKind::Vector:
    case TypeKind::Matrix:
    case TypeKind::Quat:
    case TypeKind::Transform: {
      const size_t n = t->scalar == ScalarKind::Bool ? 1 : static_cast<size_t>(scalar_bits(t->scalar) / 8);
      return CLayout{n * static_cast<size_t>(t->component_count()), n};
    }
    case TypeKind::Array: return CLayout{72, 8};  // wp::array_t<T> (runtime/include/wp/array_view.h)
    case TypeKind::Struct:
      if (t->info) return struct_c_layout(*t->info, nullptr, bad);
      break;
    default: break;
  }
  if (bad) *bad = t;
  return std::nullopt;
}

std::optional<CLayout> struct_c_layout(const StructInfo& s, std::vector<size_t>* offsets, const Type** bad) {
  CLayout out;
  for (const StructField& f : s.fields) {
    const std::optional<CLayout> l = c_layout(f.type, bad);
    if (!l) return std::nullopt;
    out.size = (out.size + l->align - 1) / l->align * l->align;
    if (offsets) offsets->push_back(out.size);
    out.size += l->size;
    out.align = std::max(out.align, l->align);
  }
  if (out.size == 0) out.size = 1;  // an empty C++ struct still has size 1
  out.size = (out.size + out.align - 1) / out.align * out.align;
  return out;
}

}  // namespace warpc
