// wp/packed_float.h — the arithmetic and comparisons shared by the 16-bit floating-point
// storage types wp::half and wp::bfloat16: a CRTP base that gives them as hidden friends.
//
// Contract:
//  * A type D deriving from packed_float<D> has a member `uint16_t bits` whose bit 15 is the
//    sign, explicit conversions from and to float, and D::from_bits(u). It gets + - * / on two
//    D values (to float, compute, round back through D(float)), unary + and − (− flips the
//    sign bit: exact for every value, NaN and ±0 included), += -= *= /=, and the six
//    comparisons of the float values (-0 == +0; NaN compares unequal to itself).
//  * The base is empty: D keeps its size, trivial copyability and standard layout. The
//    operators are hidden friends — found by argument-dependent lookup only, and converting
//    nothing that D's own (explicit) constructors would not.
#pragma once

#include <cstdint>

#include "wp/config.h"

namespace wp {

template <typename D>
struct packed_float {
  friend WP_HD constexpr D operator+(D a, D b) { return D(float(a) + float(b)); }
  friend WP_HD constexpr D operator-(D a, D b) { return D(float(a) - float(b)); }
  friend WP_HD constexpr D operator*(D a, D b) { return D(float(a) * float(b)); }
  friend WP_HD constexpr D operator/(D a, D b) { return D(float(a) / float(b)); }
  friend WP_HD constexpr D operator-(D a) { return D::from_bits(static_cast<uint16_t>(a.bits ^ 0x8000u)); }
  friend WP_HD constexpr D operator+(D a) { return a; }

  friend WP_HD constexpr D& operator+=(D& a, D b) { return a = a + b; }
  friend WP_HD constexpr D& operator-=(D& a, D b) { return a = a - b; }
  friend WP_HD constexpr D& operator*=(D& a, D b) { return a = a * b; }
  friend WP_HD constexpr D& operator/=(D& a, D b) { return a = a / b; }

  friend WP_HD constexpr bool operator==(D a, D b) { return float(a) == float(b); }
  friend WP_HD constexpr bool operator!=(D a, D b) { return float(a) != float(b); }
  friend WP_HD constexpr bool operator<(D a, D b) { return float(a) < float(b); }
  friend WP_HD constexpr bool operator<=(D a, D b) { return float(a) <= float(b); }
  friend WP_HD constexpr bool operator>(D a, D b) { return float(a) > float(b); }
  friend WP_HD constexpr bool operator>=(D a, D b) { return float(a) >= float(b); }
};

}  // namespace wp
