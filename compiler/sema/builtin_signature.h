// builtin_signature.h — the typed form of one row of stdlib/builtins.def and
// the generic matching that overload resolution is built on. Internal to the
// builtin library (builtins*.cpp); the rest of the compiler sees builtins.h.
//
// Contract:
//  * A signature row is parsed once into TypePatterns (context-free) and then
//    matched against concrete, interned Types of any TypeContext.
//  * Type variables: the names Float, Int, Scalar and Any (optionally with a
//    digit suffix, e.g. Int2, for an independent variable of the same class)
//    bind one type each, consistently across the whole signature. Dimension
//    variables (an identifier in a length/shape/ndim position, e.g. N, R, Any)
//    bind one integer each. A missing ndim in `array(T)` matches any ndim.
//  * Scalar matches every scalar but bool (Warp's scalar_types); Any matches
//    every value type (not None/void/modules/functions/type values).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sema/builtins.h"
#include "sema/types.h"

namespace warpc {

// A length / rows / cols / ndim: fixed, a variable, or (for ndim) anything.
struct DimPattern {
  int value = -1;    // fixed size when >= 0
  std::string var;   // variable name when value < 0; empty = matches any size
};

struct TypePattern {
  enum class Kind {
    Scalar,     // a concrete scalar: float32, bool …
    ScalarVar,  // Float / Int / Scalar (+ digit): a scalar of that class
    AnyVar,     // Any (+ digit): any value type
    Vector,     // vector(d0, sub[0])
    Matrix,     // matrix(d0, d1, sub[0])
    Quat,       // quaternion(sub[0])
    Transform,  // transformation(sub[0])
    Array,      // array(sub[0], d0)
    TypeOf,     // type(sub[0]): a type passed as a value (dtype=float32)
    String,     // str
    Void,       // None (results only)
    Struct,     // a builtin struct by name: MeshQueryPoint
    Query,      // a query iterator by name: hash_grid_query_t
    Tuple,      // tuple(sub[0], sub[1], …): several results (svd3's tuple form …)
  };
  Kind kind = Kind::Void;
  ScalarKind scalar = ScalarKind::Float32;  // Scalar
  GenericKind cls = GenericKind::Any;       // ScalarVar / AnyVar
  std::string var;                          // ScalarVar / AnyVar
  std::string name;                         // Struct / Query
  DimPattern d0, d1;
  std::vector<TypePattern> sub;             // component / dtype pattern (0 or 1); Tuple: the members
};

// Variable bindings made while matching one signature.
struct Binding {
  std::map<std::string, const Type*, std::less<>> types;
  std::map<std::string, int, std::less<>> dims;
};

// Parses a type expression; nullopt with `error` set on malformed text.
std::optional<TypePattern> parse_type_pattern(std::string_view text, std::string* error);
// Matches `t` against `p`, extending `b` on success (b unchanged on failure).
bool match_pattern(TypeContext& types, const TypePattern& p, const Type* t, Binding& b);
// The concrete type `p` denotes under `b`; null when a variable is unbound.
const Type* instantiate_pattern(TypeContext& types, const TypePattern& p, const Binding& b);
// Table notation with bound variables substituted: vector(N, Float), vec3f.
std::string pattern_text(TypeContext* types, const TypePattern& p, const Binding* b);
// Does `p` contain type or dimension variables?
bool pattern_is_generic(const TypePattern& p);

// Context for the C++ value functions behind irregular result rules.
struct ResultContext {
  TypeContext& types;
  const Binding& binding;
  std::string_view name;               // the callee as messages show it: wp.identity
  std::span<const BuiltinArg> args;
  const std::vector<int>& param_args;  // per parameter: index into args, or -1
  const std::vector<int>& arg_params;  // per argument: its parameter
  std::string* why;                    // set when the overload does not apply
};
using ResultFn = const Type* (*)(ResultContext&);
struct ResultRule {
  std::string_view name;   // as used in the table after '@'
  ResultFn fn;
  std::string_view shown;  // how signatures print the result: "matrix(n, n, dtype)"
};
// Looks up a result function by the name used in the table; null when unknown.
const ResultRule* find_result_rule(std::string_view name);

struct BuiltinParam {
  std::string name;
  TypePattern type;
  bool by_ref = false;    // `&T`: the builtin updates the argument in place
  bool variadic = false;  // `*args: T`: zero or more arguments, each matched alone
  std::optional<std::string> default_text;  // `= 1.0`, `= inf`, `= float32`
};

enum class BuiltinGroup : uint8_t {
  ScalarMath, VectorMath, QuaternionMath, Transformations, SpatialMath, Operators,
  Random, Noise, Utility, Geometry, Volumes, Other, Constructors,
};
std::string_view builtin_group_title(BuiltinGroup g);

struct BuiltinOverload {
  std::string name;              // builtin name; a constructor's target type name
  BuiltinGroup group = BuiltinGroup::Other;
  std::string params_text;       // as written in the table
  std::string result_text;
  std::string cpp;               // C++ spelling (defaults to name); constructor form
  std::string_view doc;
  bool differentiable = false;
  bool constructor = false;      // a constructor form (printed without a result)
  int row = 0;                   // index in table order

  std::vector<BuiltinParam> params;
  TypePattern result;            // when result_fn is null
  ResultFn result_fn = nullptr;
};

// Parses "a: Scalar, b: Scalar = 1.0, *args: Any" into params; false with `error` set on failure.
bool parse_param_list(std::string_view text, std::vector<BuiltinParam>& out, std::string* error);

// Resolves `args` against `overloads`, tried in order (builtins.h contract).
// `display` names the callee in messages: "wp.sin", or "vec3f" for a
// constructor (then messages say "constructor" instead of "overload").
BuiltinResolution resolve_overload_set(TypeContext& types, std::span<const BuiltinOverload* const> overloads,
                                       std::string_view display, std::span<const BuiltinArg> args);

// Problems found while parsing the table ("row 12 'sin': …"); empty when clean.
const std::vector<std::string>& builtin_table_errors();

// All table rows, parsed on first use, in table order (rows that failed to
// parse are left out and reported by builtin_table_errors()).
const std::vector<BuiltinOverload>& builtin_table();
// The overloads of one name, in table order; empty when unknown.
std::span<const BuiltinOverload* const> builtin_overloads(std::string_view name);

}  // namespace warpc
