// types.h — Warp's value types as the compiler sees them, interned in a
// TypeContext so that type equality is pointer equality.
//
// Contract:
//  * Two types are equal iff their pointers are equal (TypeContext interns).
//  * Names print as Warp spells them in messages: float32, int32, vec3f,
//    vector(length=5, dtype=float32), mat33d, quatf, transformf,
//    array(dtype=vec3f, ndim=2), the struct's name, tuple(float32, int32).
//  * `spatial_vector`/`spatial_matrix` are vector(6)/matrix(6,6) of their
//    scalar (Warp's types compare equal to those).
//  * The Error type is poison: produced once a diagnostic has been reported;
//    every rule accepts it silently so one root cause gives one error.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "support/source_manager.h"

namespace warpc {

namespace ast {
struct ClassDefStmt;
}

enum class ScalarKind : uint8_t {
  Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float16, Float32, Float64, BFloat16
};
inline constexpr int kScalarKindCount = 13;

bool is_float(ScalarKind k);
bool is_integer(ScalarKind k);  // not bool
bool is_signed(ScalarKind k);
int scalar_bits(ScalarKind k);
std::string_view scalar_name(ScalarKind k);       // "float32"
std::string_view scalar_short_suffix(ScalarKind k);  // vec3<suffix>: b s i l ub us ui ul h f d (bf: internal only)

enum class TypeKind : uint8_t {
  Error,      // poison (see above)
  Void,       // result of calling something that returns nothing
  None,       // the None literal
  Scalar,     // bool, int8 … uint64, float16/32/64, bfloat16
  Vector,     // vector(length=rows, dtype=scalar)
  Matrix,     // matrix(shape=(rows, cols), dtype=scalar)
  Quat,       // quaternion of scalar
  Transform,  // rigid transform of scalar (p: vec3, q: quat)
  Array,      // array(dtype=elem, ndim)
  Struct,     // @wp.struct or a builtin struct (MeshQueryPoint, …)
  Tuple,      // several values (multiple returns, tuple expressions)
  Range,      // range(...) / reversed(range(...)) iterator
  Query,      // geometry query iterators: name() is "hash_grid_query_t" …
  String,     // string literal (formats, snippets)
  TypeValue,  // a type used as a value, e.g. `wp.vec3` in `wp.vec3(1.0)`; elem() is the type
  Function,   // a function used as a value (wp.Function parameters, wp.static results)
  Module,     // an imported module (`wp`, `math`, a user module)
  Generic,    // typing.Any / wp.Float / wp.Int / wp.Scalar in generic signatures
};

enum class GenericKind : uint8_t { Any, Scalar, Float, Int };

struct StructField {
  std::string name;
  const struct Type* type = nullptr;
  SourceRange range;
};

struct StructInfo {
  std::string name;         // as written in the .wp file
  std::string module;       // module that declares it ("" for builtin structs)
  std::vector<StructField> fields;
  const ast::ClassDefStmt* decl = nullptr;  // null for builtin structs
  bool builtin = false;

  // Index of a field by name, or -1.
  int field_index(std::string_view n) const;
};

struct Type {
  TypeKind kind = TypeKind::Error;
  ScalarKind scalar = ScalarKind::Float32;  // Scalar; component scalar of Vector/Matrix/Quat/Transform
  int rows = 0;                 // Vector length / Matrix rows
  int cols = 0;                 // Matrix cols
  int ndim = 0;                 // Array
  const Type* elem = nullptr;   // Array dtype; TypeValue's type
  const StructInfo* info = nullptr;  // Struct
  std::vector<const Type*> elems;    // Tuple members
  std::string name;             // Query / Module / Function / Generic spelling
  GenericKind generic = GenericKind::Any;

  bool is(TypeKind k) const { return kind == k; }
  bool is_error() const { return kind == TypeKind::Error; }
  bool is_scalar() const { return kind == TypeKind::Scalar; }
  bool is_float_scalar() const { return kind == TypeKind::Scalar && is_float(scalar); }
  bool is_int_scalar() const { return kind == TypeKind::Scalar && is_integer(scalar); }
  bool is_bool() const { return kind == TypeKind::Scalar && scalar == ScalarKind::Bool; }
  // Vector/Matrix/Quat/Transform: built from `scalar` components.
  bool is_composite() const;
  // Number of scalar components of a Scalar/Vector/Matrix/Quat/Transform (Transform = 7).
  int component_count() const;
  // Contains a Generic anywhere (uninstantiated generic signature).
  bool is_generic() const;
};

// Warp's spelling of a type (see the contract above).
std::string type_name(const Type* t);

// Interns every type; owns StructInfo records.
class TypeContext {
 public:
  TypeContext();

  const Type* error() const { return error_; }
  const Type* void_type() const { return void_; }
  const Type* none() const { return none_; }
  const Type* string() const { return string_; }
  const Type* range() const { return range_; }

  const Type* scalar(ScalarKind k) const { return scalars_[static_cast<int>(k)]; }
  const Type* bool_type() const { return scalar(ScalarKind::Bool); }
  const Type* int32() const { return scalar(ScalarKind::Int32); }
  const Type* float32() const { return scalar(ScalarKind::Float32); }
  const Type* vector(int length, ScalarKind k);
  const Type* matrix(int rows, int cols, ScalarKind k);
  const Type* quat(ScalarKind k);
  const Type* transform(ScalarKind k);
  const Type* array(const Type* dtype, int ndim);
  const Type* tuple(const std::vector<const Type*>& elems);
  const Type* struct_type(const StructInfo* info);
  const Type* type_value(const Type* t);
  const Type* query(std::string_view name);
  const Type* module(std::string_view name);
  const Type* function(std::string_view name);
  const Type* generic(GenericKind k);

  // Creates a new struct record (fields filled in by the caller afterwards).
  StructInfo* new_struct(std::string name, std::string module);

  // Keeps `p` alive as long as this context (sema keeps its sema::Program
  // here, so the AST's annotations stay valid for the later phases).
  void keep(std::shared_ptr<void> p) { kept_.push_back(std::move(p)); }

 private:
  const Type* intern(Type t);

  std::vector<std::unique_ptr<Type>> owned_;
  std::vector<std::unique_ptr<StructInfo>> structs_;
  std::vector<std::shared_ptr<void>> kept_;
  std::map<std::string, const Type*> by_key_;
  const Type* error_;
  const Type* void_;
  const Type* none_;
  const Type* string_;
  const Type* range_;
  const Type* scalars_[kScalarKindCount];
};

// The C layout (size, alignment) of a value of type `t` as the runtime stores it: scalars and
// their vectors, matrices, quaternions and transforms (bool: one byte), an array as its 72-byte
// wp::array_t view, a struct field by field with C padding (an empty struct: size 1, as in
// C++). Types with no such layout (query iterators, strings, …) give nullopt and, when `bad`
// is given, the first such type met (a struct's offending field type). struct_c_layout also
// appends each field's offset to `offsets` when given.
struct CLayout {
  size_t size = 0;
  size_t align = 1;
};
std::optional<CLayout> c_layout(const Type* t, const Type** bad = nullptr);
std::optional<CLayout> struct_c_layout(const StructInfo& s, std::vector<size_t>* offsets = nullptr,
                                       const Type** bad = nullptr);

}  // namespace warpc
