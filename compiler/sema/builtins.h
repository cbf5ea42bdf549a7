// builtins.h — the builtin library as sema sees it: names under `wp.` (and
// Python's `range`, `int`, `float`, …), their overloads and result types,
// type names and predefined constants. The rows live in stdlib/builtins.def,
// the one source of truth that code generation, AD and docs/builtins.md will
// also read.
//
// Contract:
//  * resolve_builtin() applies Warp's rule: overloads are tried in table order,
//    the first exact type match wins (generic Float/Int/Scalar/Any parameters
//    match anything of their class, consistently within one signature); there
//    are no implicit numeric conversions.
//  * On failure it explains why in lowercase text usable as a diagnostic,
//    and names the offending argument when one can be blamed.
//  * Arguments whose type is Error (poison) match any parameter, so a bad
//    argument is reported once, where it is.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sema/const_value.h"
#include "sema/types.h"
#include "support/source_manager.h"

namespace warpc {

struct BuiltinOverload;  // one row of the table (opaque outside builtins.cpp)

struct BuiltinArg {
  const Type* type = nullptr;
  std::string_view keyword;            // empty for positional arguments
  const ConstValue* constant = nullptr; // known compile-time value (literals, constants, types)
};

struct BuiltinResolution {
  enum class Status { Ok, UnknownName, NoMatch } status = Status::UnknownName;
  const BuiltinOverload* overload = nullptr;
  const Type* result = nullptr;         // Void for builtins that return nothing
  std::string message;                  // why it failed (Status::NoMatch)
  int bad_arg = -1;                     // index into args of the blamed argument, or -1
  std::vector<std::string> candidates;  // the signatures that were tried, printed Warp-style
  // How the arguments bind to the chosen overload's parameters (Status::Ok):
  std::vector<int> param_args;  // per parameter: index into args, -1 = default used (or variadic)
  std::vector<int> arg_params;  // per argument: the parameter it binds to (variadic: that parameter)
};

// Is `name` (without the `wp.` prefix) a builtin function?
bool is_builtin_function(std::string_view name);
// Resolves a call of builtin `name` with the given arguments.
BuiltinResolution resolve_builtin(TypeContext& types, std::string_view name, std::span<const BuiltinArg> args);

// Resolves the type constructors and casts: wp.vec3(…), wp.float64(x), int(x),
// wp.mat33(…), wp.quat(…), wp.transform(p, q), wp.spatial_vector(…) …
// `target` is the constructed type (a concrete Scalar/Vector/Matrix/Quat/Transform).
BuiltinResolution resolve_constructor(TypeContext& types, const Type* target, std::span<const BuiltinArg> args);

// Type names reachable as `wp.<name>` (float32, vec3, vec3d, mat33, quat,
// transform, spatial_vector, MeshQueryPoint, …) and the Python builtins
// `int`, `float`, `bool`. Returns null when `name` is not a type name.
const Type* builtin_type(TypeContext& types, std::string_view name);

// Predefined constants reachable as `wp.<name>` (PI, TAU, HALF_PI, E, INF, NAN …, also in
// lower case: pi, tau …); null when unknown. A float32 value, or with full_precision the
// float64 value (the argument of a float64 constructor). Lives as long as the TypeContext.
const ConstValue* builtin_constant(TypeContext& types, std::string_view name, bool full_precision = false);

// Attribute access on builtin composite/struct types: v.x, t.p, q.w,
// MeshQueryPoint.face …; null when `t` has no such attribute.
const Type* builtin_attribute_type(TypeContext& types, const Type* t, std::string_view attr);

// Names of all builtin functions (for "did you mean" notes and docs).
std::vector<std::string_view> builtin_function_names();

// Properties of a resolved overload (sema, codegen, AD, docs). Constructor
// forms from resolve_constructor() answer these too (cpp name = the form:
// "zeros", "broadcast", "components", "rows", "convert", "compose", "cast").
std::string builtin_signature_text(const BuiltinOverload* ov);  // "sin(x: Float) -> Float"
std::string_view builtin_name(const BuiltinOverload* ov);
std::string_view builtin_cpp_name(const BuiltinOverload* ov);    // C++ spelling in namespace wp::
std::string_view builtin_group(const BuiltinOverload* ov);       // "Scalar Math" …
std::string_view builtin_doc(const BuiltinOverload* ov);
bool builtin_is_differentiable(const BuiltinOverload* ov);
int builtin_param_count(const BuiltinOverload* ov);
std::string_view builtin_param_name(const BuiltinOverload* ov, int param);
// The builtin updates this argument in place (C++ reference): random states,
// query iterators and their index outputs, svd3/qr3/eig3 outputs …
bool builtin_param_is_ref(const BuiltinOverload* ov, int param);
bool builtin_param_is_variadic(const BuiltinOverload* ov, int param);
// Default value as written in the table ("1.0", "inf", "float32"); empty when none.
std::string_view builtin_param_default(const BuiltinOverload* ov, int param);

}  // namespace warpc
