// const_value.h — compile-time values: module constants (`N = wp.constant(16)`,
// `G = 9.81`, `UP = wp.vec3(0.0, 1.0, 0.0)`), literals, and the results of
// `wp.static(expr)`.
//
// Contract: a ConstValue has a concrete type; scalars and composites store
// their components row-major in `comps` (bool/ints as int64 or uint64 bits,
// floats as double rounded to the type's precision by the evaluator). Types
// used as values (`wp.static(wp.float64)`) have type TypeValue and no comps.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "sema/types.h"

namespace warpc {

struct ConstValue {
  using Scalar = std::variant<bool, int64_t, uint64_t, double>;

  const Type* type = nullptr;
  std::vector<Scalar> comps;   // Scalar: 1; Vector: rows; Matrix: rows*cols; Quat: 4; Transform: 7
  std::string text;            // String constants

  bool is_scalar() const { return type && type->is_scalar(); }
  // Component i as a double / integer (converting between representations).
  double as_double(size_t i = 0) const;
  int64_t as_int(size_t i = 0) const;
  bool as_bool(size_t i = 0) const;
};

// Warp-style text for messages and --emit=ast: 3, 1.5, True, vec3f(0.0, 1.0, 0.0).
std::string const_value_text(const ConstValue& v);

}  // namespace warpc
