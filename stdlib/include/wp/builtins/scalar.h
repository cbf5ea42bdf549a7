// wp/builtins/scalar.h — the ScalarMath rows of stdlib/builtins.def: abs sign min max clamp step
// nonzero, the Float functions (sqrt … radians), isfinite/isnan/isinf; component-wise or
// reducing forms on vectors where the table lists them.
//
// Contract — Warp's semantics:
//  * Float functions take and return the same Float type; half is computed in float and
//    rounded back; float uses the float libm function (sinf …), double the double one.
//  * sign(x) = −1 if x < 0 else 1 (so sign(0) = sign(−0) = sign(NaN) = 1); step(x) = 1 if x < 0
//    else 0; nonzero(x) = 1 if x != 0 else 0; unsigned sign is always 1, step always 0.
//  * min(a, b) = a < b ? a : b and max(a, b) = a > b ? a : b (a NaN in a gives b);
//    clamp(x, lo, hi) = min(max(lo, x), hi). min(v)/max(v): the smallest/largest component.
//  * abs of the most negative integer wraps to itself (two's complement), never UB.
//  * asin/acos clamp x to [−1, 1] first; round = halves away from zero, rint = halves to even
//    (current rounding mode, i.e. to nearest even); frac(x) = x − trunc(x);
//    degrees/radians multiply in double (as Warp) and round to T.
//  * isfinite/isnan/isinf: integers are always finite and never NaN/infinite; on vectors,
//    matrices and quaternions isfinite is "all components", isnan/isinf "any component".
//  * bit_count(x): the number of set bits of x's two's-complement representation (int32).
#pragma once

#include <cstdint>
#include <type_traits>

#include "wp/builtins/core.h"
#include "wp/builtins/operators.h"

namespace wp {

// ---- abs, sign, step, nonzero ----------------------------------------------------------

template <AnyScalar T>
WP_HD T abs(T x) {
  if constexpr (is_half_v<T>) {
    return T::from_bits(static_cast<uint16_t>(x.bits & 0x7fffu));
  } else if constexpr (is_float_v<T>) {
    return libm::fabs(x);
  } else if constexpr (std::is_signed_v<T>) {
    return x < T(0) ? neg(x) : x;
  } else {
    return x;
  }
}

template <AnyScalar T>
WP_HD constexpr T sign(T x) {
  if constexpr (std::is_unsigned_v<T>) return T(1);
  else return x < T(0) ? T(-1) : T(1);
}

template <AnyScalar T>
WP_HD constexpr T step(T x) {
  if constexpr (std::is_unsigned_v<T>) return T(0);
  else return x < T(0) ? T(1) : T(0);
}

template <AnyScalar T>
WP_HD constexpr T nonzero(T x) {
  return x != T(0) ? T(1) : T(0);
}

template <int N, AnyScalar T>
WP_HD vec_t<N, T> abs(const vec_t<N, T>& v) {
  return detail::map1(v, [](T x) { return abs(x); });
}
template <int N, AnyScalar T>
WP_HD constexpr vec_t<N, T> sign(const vec_t<N, T>& v) {
  return detail::map1(v, [](T x) { return sign(x); });
}

// ---- min, max, clamp -------------------------------------------------------------------

template <AnyScalar T>
WP_HD constexpr T min(T a, T b) {
  return a < b ? a : b;
}
template <AnyScalar T>
WP_HD constexpr T max(T a, T b) {
  return a > b ? a : b;
}
template <AnyScalar T>
WP_HD constexpr T clamp(T x, T low, T high) {
  return min(max(low, x), high);
}

template <int N, AnyScalar T>
WP_HD constexpr vec_t<N, T> min(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  return detail::map2(a, b, [](T x, T y) { return min(x, y); });
}
template <int N, AnyScalar T>
WP_HD constexpr vec_t<N, T> max(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  return detail::map2(a, b, [](T x, T y) { return max(x, y); });
}

namespace detail {
// Index of the first smallest (less = true) or largest component of v.
template <bool less, int N, typename T>
WP_HD constexpr int extreme_index(const vec_t<N, T>& v) {
  int best = 0;
  for (int i = 1; i < N; ++i)
    if (less ? v.c[i] < v.c[best] : v.c[i] > v.c[best]) best = i;
  return best;
}
}  // namespace detail

template <int N, AnyScalar T>
WP_HD constexpr T min(const vec_t<N, T>& v) {
  return v.c[detail::extreme_index<true>(v)];
}
template <int N, AnyScalar T>
WP_HD constexpr T max(const vec_t<N, T>& v) {
  return v.c[detail::extreme_index<false>(v)];
}

// ---- Float functions -------------------------------------------------------------------

// Defines name(T x) for every Float T: `expr` uses v, x converted to compute_t<T>.
#define WP_FLOAT_FN1(name, expr)         \
  template <FloatScalar T>               \
  WP_HD T name(T x) {                    \
    using F = compute_t<T>;              \
    const F v = static_cast<F>(x);       \
    return static_cast<T>(expr);         \
  }
#define WP_FLOAT_FN2(name, a, b, expr)   \
  template <FloatScalar T>               \
  WP_HD T name(T a##_in, T b##_in) {     \
    using F = compute_t<T>;              \
    const F a = static_cast<F>(a##_in);  \
    const F b = static_cast<F>(b##_in);  \
    return static_cast<T>(expr);         \
  }

WP_FLOAT_FN1(sqrt, libm::sqrt(v))
WP_FLOAT_FN1(cbrt, libm::cbrt(v))
WP_FLOAT_FN1(exp, libm::exp(v))
WP_FLOAT_FN1(log, libm::log(v))
WP_FLOAT_FN1(log2, libm::log2(v))
WP_FLOAT_FN1(log10, libm::log10(v))
WP_FLOAT_FN1(sin, libm::sin(v))
WP_FLOAT_FN1(cos, libm::cos(v))
WP_FLOAT_FN1(tan, libm::tan(v))
WP_FLOAT_FN1(asin, libm::asin(v < F(-1) ? F(-1) : v > F(1) ? F(1) : v))
WP_FLOAT_FN1(acos, libm::acos(v < F(-1) ? F(-1) : v > F(1) ? F(1) : v))
WP_FLOAT_FN1(atan, libm::atan(v))
WP_FLOAT_FN1(sinh, libm::sinh(v))
WP_FLOAT_FN1(cosh, libm::cosh(v))
WP_FLOAT_FN1(tanh, libm::tanh(v))
WP_FLOAT_FN1(asinh, libm::asinh(v))
WP_FLOAT_FN1(acosh, libm::acosh(v))
WP_FLOAT_FN1(atanh, libm::atanh(v))
WP_FLOAT_FN1(erf, libm::erf(v))
WP_FLOAT_FN1(erfc, libm::erfc(v))
WP_FLOAT_FN1(erfinv, libm::erfinv(v))
WP_FLOAT_FN1(erfcinv, libm::erfcinv(v))
WP_FLOAT_FN1(floor, libm::floor(v))
WP_FLOAT_FN1(ceil, libm::ceil(v))
WP_FLOAT_FN1(round, libm::round(v))
WP_FLOAT_FN1(rint, libm::rint(v))
WP_FLOAT_FN1(trunc, libm::trunc(v))
WP_FLOAT_FN1(frac, v - libm::trunc(v))
WP_FLOAT_FN1(degrees, static_cast<double>(v) * 57.29577951308232087679)
WP_FLOAT_FN1(radians, static_cast<double>(v) * 0.01745329251994329577)
WP_FLOAT_FN2(pow, x, y, libm::pow(x, y))
WP_FLOAT_FN2(atan2, y, x, libm::atan2(y, x))
WP_FLOAT_FN2(copysign, x, y, libm::copysign(x, y))
#undef WP_FLOAT_FN1
#undef WP_FLOAT_FN2

// ---- isfinite, isnan, isinf ------------------------------------------------------------

template <AnyScalar T>
WP_HD constexpr bool isfinite(T a) {
  if constexpr (is_float_v<T>) return libm::isfinite(static_cast<compute_t<T>>(a));
  else return true;
}
template <AnyScalar T>
WP_HD constexpr bool isnan(T a) {
  if constexpr (is_float_v<T>) return libm::isnan(static_cast<compute_t<T>>(a));
  else return false;
}
template <AnyScalar T>
WP_HD constexpr bool isinf(T a) {
  if constexpr (is_float_v<T>) return libm::isinf(static_cast<compute_t<T>>(a));
  else return false;
}

namespace detail {
template <typename V>
concept VecMatQuat = is_vec_v<V> || is_mat_v<V> || is_quat_v<V>;
}  // namespace detail

template <detail::VecMatQuat V>
WP_HD constexpr bool isfinite(const V& a) {
  for (int k = 0; k < component_count_v<V>; ++k)
    if (!isfinite(component(a, k))) return false;
  return true;
}
template <detail::VecMatQuat V>
WP_HD constexpr bool isnan(const V& a) {
  for (int k = 0; k < component_count_v<V>; ++k)
    if (isnan(component(a, k))) return true;
  return false;
}
template <detail::VecMatQuat V>
WP_HD constexpr bool isinf(const V& a) {
  for (int k = 0; k < component_count_v<V>; ++k)
    if (isinf(component(a, k))) return true;
  return false;
}

// ---- adjoints (abi.md: accumulate d(ret)/d(param)ᵀ · adj_ret into adj_<param>) -------------
//
// Warp's conventions at non-smooth points: abs'(0) = +1; min/max route to b on ties;
// clamp routes to low below, high above, x in between (inclusive); asin/acos add nothing
// where sqrt(1 − x²) is 0 or NaN (|x| ≥ 1, the clamped region); tan adds nothing where
// cos(x) = 0; atan2 adds nothing at the origin. Integer arguments get no adjoint.

template <AnyScalar T>
WP_HD void adj_abs(const T& x, T& adj_x, const T& adj_ret) {
  using F = compute_t<T>;
  detail::adj_add_to(adj_x, x < T(0) ? -F(adj_ret) : F(adj_ret));
}
template <int N, AnyScalar T>
WP_HD void adj_abs(const vec_t<N, T>& x, vec_t<N, T>& adj_x, const vec_t<N, T>& adj_ret) {
  for (int i = 0; i < N; ++i) adj_abs(x.c[i], adj_x.c[i], adj_ret.c[i]);
}

template <AnyScalar T>
WP_HD void adj_min(const T& a, const T& b, T& adj_a, T& adj_b, const T& adj_ret) {
  detail::adj_add_to(a < b ? adj_a : adj_b, adj_ret);
}
template <AnyScalar T>
WP_HD void adj_max(const T& a, const T& b, T& adj_a, T& adj_b, const T& adj_ret) {
  detail::adj_add_to(a > b ? adj_a : adj_b, adj_ret);
}
template <int N, AnyScalar T>
WP_HD void adj_min(const vec_t<N, T>& a, const vec_t<N, T>& b, vec_t<N, T>& adj_a, vec_t<N, T>& adj_b,
                   const vec_t<N, T>& adj_ret) {
  for (int i = 0; i < N; ++i) adj_min(a.c[i], b.c[i], adj_a.c[i], adj_b.c[i], adj_ret.c[i]);
}
template <int N, AnyScalar T>
WP_HD void adj_max(const vec_t<N, T>& a, const vec_t<N, T>& b, vec_t<N, T>& adj_a, vec_t<N, T>& adj_b,
                   const vec_t<N, T>& adj_ret) {
  for (int i = 0; i < N; ++i) adj_max(a.c[i], b.c[i], adj_a.c[i], adj_b.c[i], adj_ret.c[i]);
}
template <int N, AnyScalar T>
WP_HD void adj_min(const vec_t<N, T>& a, vec_t<N, T>& adj_a, const T& adj_ret) {
  detail::adj_add_to(adj_a.c[detail::extreme_index<true>(a)], adj_ret);
}
template <int N, AnyScalar T>
WP_HD void adj_max(const vec_t<N, T>& a, vec_t<N, T>& adj_a, const T& adj_ret) {
  detail::adj_add_to(adj_a.c[detail::extreme_index<false>(a)], adj_ret);
}

template <AnyScalar T>
WP_HD void adj_clamp(const T& x, const T& low, const T& high, T& adj_x, T& adj_low, T& adj_high, const T& adj_ret) {
  detail::adj_add_to(x < low ? adj_low : x > high ? adj_high : adj_x, adj_ret);
}

// adj_name(x, adj_x, adj_ret): adj_x += d · adj_ret with d computed from v = x (and r = name(x))
// in compute_t<T>; `guard` false adds nothing.
#define WP_FLOAT_ADJ1(name, guard, deriv)                                  \
  template <FloatScalar T>                                                 \
  WP_HD void adj_##name(const T& x, T& adj_x, const T& adj_ret) {          \
    using F = compute_t<T>;                                                \
    [[maybe_unused]] const F v = static_cast<F>(x);                        \
    if (guard) detail::adj_add_to(adj_x, F(deriv) * static_cast<F>(adj_ret)); \
  }

WP_FLOAT_ADJ1(sqrt, true, F(0.5) / libm::sqrt(v))
WP_FLOAT_ADJ1(cbrt, true, F(1) / (F(3) * libm::cbrt(v) * libm::cbrt(v)))
WP_FLOAT_ADJ1(exp, true, libm::exp(v))
WP_FLOAT_ADJ1(log, true, F(1) / v)
WP_FLOAT_ADJ1(log2, true, F(1) / (v * F(0.693147180559945309417)))
WP_FLOAT_ADJ1(log10, true, F(1) / (v * F(2.302585092994045684018)))
WP_FLOAT_ADJ1(sin, true, libm::cos(v))
WP_FLOAT_ADJ1(cos, true, -libm::sin(v))
WP_FLOAT_ADJ1(tan, libm::cos(v) != F(0), F(1) / (libm::cos(v) * libm::cos(v)))
WP_FLOAT_ADJ1(asin, libm::sqrt(F(1) - v * v) > F(0), F(1) / libm::sqrt(F(1) - v * v))
WP_FLOAT_ADJ1(acos, libm::sqrt(F(1) - v * v) > F(0), F(-1) / libm::sqrt(F(1) - v * v))
WP_FLOAT_ADJ1(atan, true, F(1) / (v * v + F(1)))
WP_FLOAT_ADJ1(sinh, true, libm::cosh(v))
WP_FLOAT_ADJ1(cosh, true, libm::sinh(v))
WP_FLOAT_ADJ1(tanh, true, F(1) - libm::tanh(v) * libm::tanh(v))
WP_FLOAT_ADJ1(asinh, true, F(1) / libm::sqrt(v * v + F(1)))
WP_FLOAT_ADJ1(acosh, true, F(1) / libm::sqrt(v * v - F(1)))
WP_FLOAT_ADJ1(atanh, true, F(1) / (F(1) - v * v))
WP_FLOAT_ADJ1(erf, true, F(1.12837916709551257390) * libm::exp(-v * v))
WP_FLOAT_ADJ1(erfc, true, F(-1.12837916709551257390) * libm::exp(-v * v))
WP_FLOAT_ADJ1(erfinv, true, F(0.88622692545275801365) * libm::exp(libm::erfinv(v) * libm::erfinv(v)))
WP_FLOAT_ADJ1(erfcinv, true, F(-0.88622692545275801365) * libm::exp(libm::erfcinv(v) * libm::erfcinv(v)))
WP_FLOAT_ADJ1(frac, true, F(1))
WP_FLOAT_ADJ1(degrees, true, F(57.29577951308232087679))
WP_FLOAT_ADJ1(radians, true, F(0.01745329251994329577))
#undef WP_FLOAT_ADJ1

template <FloatScalar T>
WP_HD void adj_pow(const T& x, const T& y, T& adj_x, T& adj_y, const T& adj_ret) {
  using F = compute_t<T>;
  const F xv = static_cast<F>(x), yv = static_cast<F>(y), ar = static_cast<F>(adj_ret);
  detail::adj_add_to(adj_x, yv * libm::pow(xv, yv - F(1)) * ar);
  detail::adj_add_to(adj_y, libm::log(xv) * libm::pow(xv, yv) * ar);
}

template <FloatScalar T>
WP_HD void adj_atan2(const T& y, const T& x, T& adj_y, T& adj_x, const T& adj_ret) {
  using F = compute_t<T>;
  const F yv = static_cast<F>(y), xv = static_cast<F>(x), ar = static_cast<F>(adj_ret);
  const F d = xv * xv + yv * yv;
  if (!(d > F(0))) return;
  detail::adj_add_to(adj_y, xv / d * ar);
  detail::adj_add_to(adj_x, -yv / d * ar);
}

// copysign(x, y) = ±x: d/dx = sign(x)·sign(y) (signs of zeros included), d/dy = 0.
template <FloatScalar T>
WP_HD void adj_copysign(const T& x, const T& y, T& adj_x, T& adj_y, const T& adj_ret) {
  using F = compute_t<T>;
  const F s = libm::copysign(F(1), static_cast<F>(x)) * libm::copysign(F(1), static_cast<F>(y));
  detail::adj_add_to(adj_x, s * static_cast<F>(adj_ret));
}

// ---- bit_count ---------------------------------------------------------------------------

template <typename T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
WP_HD int32_t bit_count(T x) {
  const uint64_t bits = static_cast<uint64_t>(static_cast<std::make_unsigned_t<T>>(x));
#if defined(__CUDA_ARCH__)
  return __popcll(bits);
#else
  return __builtin_popcountll(bits);
#endif
}

}  // namespace wp
