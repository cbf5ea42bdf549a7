// wp/builtins/core.h — the foundation of the builtin library: scalar and composite type traits,
// scalar casts, flat component access, construct_<form><T>() constructors, index()/index_ref(),
// and the C operators on the value types that the other builtin headers use.
//
// Contract (see docs/codegen.md):
//  * Traits: is_half_v/is_float_v/is_int_v/is_scalar_v<T> (is_half_v: half or bfloat16, the
//    16-bit floats computed in float; Float = half/bfloat16/float/double, Int = the
//    eight integer types, Scalar = both; bool is none of them); is_vec_v/is_mat_v/is_quat_v/
//    is_transform_v<T>; scalar_t<T> (the component type; T itself for scalars); compute_t<T>
//    (float for half, else T: the type half math is done in).
//  * scalar_cast<To>(x): Warp's scalar conversion (C casts; half goes through float; to bool
//    means x != 0). construct_cast<To>(x) is the same. As in C (and Warp), converting a NaN or
//    out-of-range float to an integer is undefined (x86 gives the minimum, CUDA saturates).
//  * component_count_v<T> / component(v, k): every value type as a flat list of scalars
//    (vector: c[k]; matrix: row-major; quaternion: x y z w; transform: p then q; scalar: itself).
//  * construct_<form><V>(args…) for the forms of compiler/sema/builtin_constructors.cpp:
//    zeros, broadcast (vector, matrix), components (vector, matrix row-major, quaternion
//    x y z w), rows (matrix), compose (6-vector (w, v) → [w, v]; quaternion (xyz, w);
//    transform (p, q)), convert (same shape, any scalar type), default (quaternion identity,
//    transform identity), cast (scalars).
//  * index(a, i): vector/quaternion/transform component, matrix row (a vec_t copy);
//    index(m, i, j): matrix element; index_ref(…) the same as a reference (a matrix row as
//    vec_t<C,T>&). A negative index counts from the end (i + length); out-of-range indices are
//    checked only under WARPC_DEBUG (WP_KERNEL_ASSERT), as Warp checks them only in debug mode.
//  * wp::libm: the C math functions for float and double (libm::sin(1.0f) is ::sinf, …), the
//    same spelling on host and device; erfinv/erfcinv (not in glibc) are computed on the host
//    by Halley iteration on erf/erfc (full precision); isnan/isinf/isfinite test the bits.
//  * == and != work on every value type (wp/types.h, wp/half.h). Extra C operators here:
//    vector/matrix/quaternion ± and unary −, scaling by a scalar (* and /), matrix·matrix,
//    vector·matrix (row vector), quaternion·quaternion (Hamilton product), compound += −= *= /=.
//  * Adjoints (end of file): adj_construct_<form><V>(primal…, adj…&, adj_ret) and adj_index;
//    detail::adj_add_to / adj_accumulate (+= that skips integers) for the other adj_* functions.
#pragma once

#include <math.h>

#include <cstdint>
#include <type_traits>

#include "wp/builtins/kernel_support.h"

namespace wp {

// ---- scalar traits -----------------------------------------------------------------------

template <typename T>
inline constexpr bool is_half_v = std::is_same_v<T, half> || std::is_same_v<T, bfloat16>;
template <typename T>
inline constexpr bool is_float_v = is_half_v<T> || std::is_same_v<T, float> || std::is_same_v<T, double>;
template <typename T>
inline constexpr bool is_int_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;
template <typename T>
inline constexpr bool is_scalar_v = is_float_v<T> || is_int_v<T>;

template <typename T>
concept FloatScalar = is_float_v<T>;
template <typename T>
concept IntScalar = is_int_v<T>;
template <typename T>
concept AnyScalar = is_scalar_v<T>;

// The type half arithmetic is carried out in.
template <typename T>
using compute_t = std::conditional_t<is_half_v<T>, float, T>;

// ---- libm: float/double math with one spelling on host and device --------------------------

namespace libm {

#define WP_LIBM_UNARY(name)                                   \
  WP_HD float name(float x) { return ::name##f(x); }          \
  WP_HD double name(double x) { return ::name(x); }
#define WP_LIBM_BINARY(name)                                            \
  WP_HD float name(float x, float y) { return ::name##f(x, y); }        \
  WP_HD double name(double x, double y) { return ::name(x, y); }
WP_LIBM_UNARY(sqrt)
WP_LIBM_UNARY(cbrt)
WP_LIBM_UNARY(exp)
WP_LIBM_UNARY(log)
WP_LIBM_UNARY(log2)
WP_LIBM_UNARY(log10)
WP_LIBM_UNARY(sin)
WP_LIBM_UNARY(cos)
WP_LIBM_UNARY(tan)
WP_LIBM_UNARY(asin)
WP_LIBM_UNARY(acos)
WP_LIBM_UNARY(atan)
WP_LIBM_UNARY(sinh)
WP_LIBM_UNARY(cosh)
WP_LIBM_UNARY(tanh)
WP_LIBM_UNARY(asinh)
WP_LIBM_UNARY(acosh)
WP_LIBM_UNARY(atanh)
WP_LIBM_UNARY(erf)
WP_LIBM_UNARY(erfc)
WP_LIBM_UNARY(floor)
WP_LIBM_UNARY(ceil)
WP_LIBM_UNARY(round)
WP_LIBM_UNARY(rint)
WP_LIBM_UNARY(trunc)
WP_LIBM_UNARY(fabs)
WP_LIBM_BINARY(pow)
WP_LIBM_BINARY(atan2)
WP_LIBM_BINARY(fmod)
WP_LIBM_BINARY(copysign)
#undef WP_LIBM_UNARY
#undef WP_LIBM_BINARY

WP_HD constexpr bool isnan(float x) { return (__builtin_bit_cast(uint32_t, x) & 0x7fffffffu) > 0x7f800000u; }
WP_HD constexpr bool isinf(float x) { return (__builtin_bit_cast(uint32_t, x) & 0x7fffffffu) == 0x7f800000u; }
WP_HD constexpr bool isfinite(float x) { return (__builtin_bit_cast(uint32_t, x) & 0x7f800000u) != 0x7f800000u; }
WP_HD constexpr bool isnan(double x) {
  return (__builtin_bit_cast(uint64_t, x) & 0x7fffffffffffffffull) > 0x7ff0000000000000ull;
}
WP_HD constexpr bool isinf(double x) {
  return (__builtin_bit_cast(uint64_t, x) & 0x7fffffffffffffffull) == 0x7ff0000000000000ull;
}
WP_HD constexpr bool isfinite(double x) {
  return (__builtin_bit_cast(uint64_t, x) & 0x7ff0000000000000ull) != 0x7ff0000000000000ull;
}

namespace detail {
// Winitzki's closed-form approximation of erfinv (relative error ~2e-3), the starting point.
inline double erfinv_guess(double x) {
  const double a = 0.147, two_over_pi_a = 2.0 / (3.14159265358979323846 * a);
  const double l = ::log((1.0 - x) * (1.0 + x));
  const double t = two_over_pi_a + 0.5 * l;
  return ::copysign(::sqrt(::sqrt(t * t - l / a) - t), x);
}
// Solves g(y) = 0 with g' = sign · 2/√π · e^(−y²), g'' = −2y g' (Halley steps).
template <typename G>
inline double halley_erf(double y, double sign, G g) {
  for (int it = 0; it < 12; ++it) {
    const double gv = g(y);
    const double d1 = sign * 1.1283791670955126 * ::exp(-y * y);
    const double step = gv / (d1 + y * gv);
    y -= step;
    if (!(::fabs(step) > 1e-16 * ::fabs(y))) break;
  }
  return y;
}
inline double erfinv_host(double x) {
  if (!(x > -1.0 && x < 1.0)) return x == 1.0 ? HUGE_VAL : x == -1.0 ? -HUGE_VAL : NAN;
  if (x == 0.0) return x;
  return halley_erf(erfinv_guess(x), 1.0, [x](double y) { return ::erf(y) - x; });
}
inline double erfcinv_host(double x) {
  if (!(x > 0.0 && x < 2.0)) return x == 0.0 ? HUGE_VAL : x == 2.0 ? -HUGE_VAL : NAN;
  if (x > 1.0) return -erfcinv_host(2.0 - x);
  double y0;
  if (x > 1e-3) {
    y0 = erfinv_guess(1.0 - x);
  } else {  // erfc(y) ≈ e^(−y²) / (y √π) for large y
    const double t = -::log(x * 1.7724538509055160);
    y0 = ::sqrt(t - 0.5 * ::log(t));
  }
  return halley_erf(y0, -1.0, [x](double y) { return ::erfc(y) - x; });
}
}  // namespace detail

WP_HD float erfinv(float x) {
#if defined(__CUDA_ARCH__)
  return ::erfinvf(x);
#else
  return static_cast<float>(detail::erfinv_host(x));
#endif
}
WP_HD double erfinv(double x) {
#if defined(__CUDA_ARCH__)
  return ::erfinv(x);
#else
  return detail::erfinv_host(x);
#endif
}
WP_HD float erfcinv(float x) {
#if defined(__CUDA_ARCH__)
  return ::erfcinvf(x);
#else
  return static_cast<float>(detail::erfcinv_host(x));
#endif
}
WP_HD double erfcinv(double x) {
#if defined(__CUDA_ARCH__)
  return ::erfcinv(x);
#else
  return detail::erfcinv_host(x);
#endif
}

}  // namespace libm

// ---- composite traits --------------------------------------------------------------------

template <typename T>
struct value_traits {
  static constexpr bool vec = false, mat = false, quat = false, xform = false;
  static constexpr int count = 1;
  using scalar = T;
};
template <int N, typename T>
struct value_traits<vec_t<N, T>> {
  static constexpr bool vec = true, mat = false, quat = false, xform = false;
  static constexpr int count = N;
  using scalar = T;
};
template <int R, int C, typename T>
struct value_traits<mat_t<R, C, T>> {
  static constexpr bool vec = false, mat = true, quat = false, xform = false;
  static constexpr int count = R * C;
  using scalar = T;
};
template <typename T>
struct value_traits<quat_t<T>> {
  static constexpr bool vec = false, mat = false, quat = true, xform = false;
  static constexpr int count = 4;
  using scalar = T;
};
template <typename T>
struct value_traits<transform_t<T>> {
  static constexpr bool vec = false, mat = false, quat = false, xform = true;
  static constexpr int count = 7;
  using scalar = T;
};

template <typename T>
inline constexpr bool is_vec_v = value_traits<T>::vec;
template <typename T>
inline constexpr bool is_mat_v = value_traits<T>::mat;
template <typename T>
inline constexpr bool is_quat_v = value_traits<T>::quat;
template <typename T>
inline constexpr bool is_transform_v = value_traits<T>::xform;
template <typename T>
inline constexpr int component_count_v = value_traits<T>::count;
template <typename T>
using scalar_t = typename value_traits<T>::scalar;

// ---- scalar casts ------------------------------------------------------------------------

template <typename To, typename From>
WP_HD constexpr To scalar_cast(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    if constexpr (is_half_v<From>) return static_cast<float>(x) != 0.0f;
    else return x != From(0);
  } else if constexpr (std::is_same_v<From, bool>) {
    return To(x ? 1 : 0);
  } else if constexpr (is_half_v<To> && is_half_v<From> && !std::is_same_v<To, From>) {
    return To(static_cast<float>(x));  // float16 <-> bfloat16: through float
  } else {
    return static_cast<To>(x);  // half's explicit conversions go through float
  }
}

template <typename To, typename From>
WP_HD constexpr To construct_cast(From x) {
  return scalar_cast<To>(x);
}

// ---- flat component access ---------------------------------------------------------------

namespace detail {
template <typename Q>
WP_HD constexpr auto& quat_at(Q& q, int k) {
  return k == 0 ? q.x : k == 1 ? q.y : k == 2 ? q.z : q.w;
}
}  // namespace detail

template <typename V>
WP_HD constexpr auto& component(V& v, int k) {
  using U = std::remove_const_t<V>;
  if constexpr (is_vec_v<U>) {
    return v.c[k];
  } else if constexpr (is_mat_v<U>) {
    return v.data[k / U::cols][k % U::cols];
  } else if constexpr (is_quat_v<U>) {
    return detail::quat_at(v, k);
  } else if constexpr (is_transform_v<U>) {
    return k < 3 ? v.p.c[k] : detail::quat_at(v.q, k - 3);
  } else {
    return v;
  }
}

// ---- constructors ------------------------------------------------------------------------

template <typename V>
WP_HD constexpr V construct_zeros() {
  return V{};
}

template <typename V>
WP_HD constexpr V construct_broadcast(scalar_t<V> s) {
  V r{};
  for (int k = 0; k < component_count_v<V>; ++k) component(r, k) = s;
  return r;
}

template <typename V, typename... A>
WP_HD constexpr V construct_components(const A&... a) {
  static_assert(sizeof...(A) == component_count_v<V>, "one argument per component");
  V r{};
  int k = 0;
  ((component(r, k++) = scalar_cast<scalar_t<V>>(a)), ...);  // sema passes the exact type
  return r;
}

template <typename M, typename... Rows>
WP_HD constexpr M construct_rows(const Rows&... rows) {
  using Row = vec_t<M::cols, scalar_t<M>>;
  static_assert(is_mat_v<M> && sizeof...(Rows) == M::rows, "one vector per matrix row");
  static_assert((std::is_same_v<Rows, Row> && ...), "rows must be vec_t<C, T>");
  const Row* r[] = {&rows...};
  M m{};
  for (int i = 0; i < M::rows; ++i)
    for (int j = 0; j < M::cols; ++j) m.data[i][j] = r[i]->c[j];
  return m;
}

// 6-vector (w, v) → [w, v]; quaternion (xyz, w); transform (p, q).
template <typename V, typename A, typename B>
WP_HD constexpr V construct_compose(const A& a, const B& b) {
  if constexpr (is_transform_v<V>) {
    return V{a, b};
  } else if constexpr (is_quat_v<V>) {
    return V{a.c[0], a.c[1], a.c[2], b};
  } else {
    static_assert(is_vec_v<V> && V::length == 6, "compose builds 6-vectors, quaternions, transforms");
    V r{};
    for (int k = 0; k < 3; ++k) {
      r.c[k] = a.c[k];
      r.c[k + 3] = b.c[k];
    }
    return r;
  }
}

// Same shape, any scalar type: each component converted with scalar_cast.
template <typename V, typename U>
WP_HD constexpr V construct_convert(const U& u) {
  static_assert(component_count_v<V> == component_count_v<U>, "convert keeps the shape");
  V r{};
  for (int k = 0; k < component_count_v<V>; ++k) component(r, k) = scalar_cast<scalar_t<V>>(component(u, k));
  return r;
}

// Quaternion and transform without arguments: the identity.
template <typename V>
WP_HD constexpr V construct_default() {
  if constexpr (is_quat_v<V>) {
    return quat_identity<scalar_t<V>>();
  } else if constexpr (is_transform_v<V>) {
    return transform_identity<scalar_t<V>>();
  } else {
    return V{};
  }
}

// ---- index / index_ref -------------------------------------------------------------------

namespace detail {
WP_HD constexpr int wrap_index(int i, int n) {
  if (i < 0) i += n;
  WP_KERNEL_ASSERT(i >= 0 && i < n, "index out of range");
  return i;
}
}  // namespace detail

template <int N, typename T>
WP_HD constexpr T index(const vec_t<N, T>& v, int i) {
  return v.c[detail::wrap_index(i, N)];
}
template <int N, typename T>
WP_HD constexpr T& index_ref(vec_t<N, T>& v, int i) {
  return v.c[detail::wrap_index(i, N)];
}

template <typename T>
WP_HD constexpr T index(const quat_t<T>& q, int i) {
  return detail::quat_at(q, detail::wrap_index(i, 4));
}
template <typename T>
WP_HD constexpr T& index_ref(quat_t<T>& q, int i) {
  return detail::quat_at(q, detail::wrap_index(i, 4));
}

template <typename T>
WP_HD constexpr T index(const transform_t<T>& t, int i) {
  return component(t, detail::wrap_index(i, 7));
}
template <typename T>
WP_HD constexpr T& index_ref(transform_t<T>& t, int i) {
  return component(t, detail::wrap_index(i, 7));
}

template <int R, int C, typename T>
WP_HD constexpr vec_t<C, T> index(const mat_t<R, C, T>& m, int i) {
  i = detail::wrap_index(i, R);
  vec_t<C, T> row{};
  for (int j = 0; j < C; ++j) row.c[j] = m.data[i][j];
  return row;
}
// The row as a vector reference: vec_t<C,T> is exactly T[C], so the row storage is reused.
template <int R, int C, typename T>
WP_HD vec_t<C, T>& index_ref(mat_t<R, C, T>& m, int i) {
  return *reinterpret_cast<vec_t<C, T>*>(&m.data[detail::wrap_index(i, R)][0]);
}
template <int R, int C, typename T>
WP_HD constexpr T index(const mat_t<R, C, T>& m, int i, int j) {
  return m.data[detail::wrap_index(i, R)][detail::wrap_index(j, C)];
}
template <int R, int C, typename T>
WP_HD constexpr T& index_ref(mat_t<R, C, T>& m, int i, int j) {
  return m.data[detail::wrap_index(i, R)][detail::wrap_index(j, C)];
}

// ---- C operators on the value types (used by the builtin headers) -----------------------

template <int N, typename T>
WP_HD constexpr vec_t<N, T> operator/(const vec_t<N, T>& a, T s) {
  vec_t<N, T> r{};
  for (int i = 0; i < N; ++i) r.c[i] = a.c[i] / s;
  return r;
}
template <int N, typename T>
WP_HD constexpr vec_t<N, T> operator+(const vec_t<N, T>& a) {
  return a;
}

template <int R, int C, typename T>
WP_HD constexpr mat_t<R, C, T> operator/(const mat_t<R, C, T>& a, T s) {
  mat_t<R, C, T> r{};
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) r.data[i][j] = a.data[i][j] / s;
  return r;
}

template <int R, int K, int C, typename T>
WP_HD constexpr mat_t<R, C, T> operator*(const mat_t<R, K, T>& a, const mat_t<K, C, T>& b) {
  mat_t<R, C, T> r{};
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j)
      for (int k = 0; k < K; ++k) r.data[i][j] += a.data[i][k] * b.data[k][j];
  return r;
}

// Row vector times matrix.
template <int R, int C, typename T>
WP_HD constexpr vec_t<C, T> operator*(const vec_t<R, T>& v, const mat_t<R, C, T>& m) {
  vec_t<C, T> r{};
  for (int j = 0; j < C; ++j)
    for (int i = 0; i < R; ++i) r.c[j] += v.c[i] * m.data[i][j];
  return r;
}

template <typename T>
WP_HD constexpr quat_t<T> operator+(const quat_t<T>& a, const quat_t<T>& b) {
  return {a.x + b.x, a.y + b.y, a.z + b.z, a.w + b.w};
}
template <typename T>
WP_HD constexpr quat_t<T> operator-(const quat_t<T>& a, const quat_t<T>& b) {
  return {a.x - b.x, a.y - b.y, a.z - b.z, a.w - b.w};
}
template <typename T>
WP_HD constexpr quat_t<T> operator-(const quat_t<T>& a) {
  return {-a.x, -a.y, -a.z, -a.w};
}
template <typename T>
WP_HD constexpr quat_t<T> operator*(const quat_t<T>& a, T s) {
  return {a.x * s, a.y * s, a.z * s, a.w * s};
}
template <typename T>
WP_HD constexpr quat_t<T> operator*(T s, const quat_t<T>& a) {
  return a * s;
}
template <typename T>
WP_HD constexpr quat_t<T> operator/(const quat_t<T>& a, T s) {
  return {a.x / s, a.y / s, a.z / s, a.w / s};
}
// Hamilton product: rotation b, then a.
template <typename T>
WP_HD constexpr quat_t<T> operator*(const quat_t<T>& a, const quat_t<T>& b) {
  return {a.w * b.x + b.w * a.x + a.y * b.z - b.y * a.z,
          a.w * b.y + b.w * a.y + a.z * b.x - b.z * a.x,
          a.w * b.z + b.w * a.z + a.x * b.y - b.x * a.y,
          a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z};
}

template <int N, typename T>
WP_HD constexpr vec_t<N, T>& operator+=(vec_t<N, T>& a, const vec_t<N, T>& b) {
  return a = a + b;
}
template <int N, typename T>
WP_HD constexpr vec_t<N, T>& operator-=(vec_t<N, T>& a, const vec_t<N, T>& b) {
  return a = a - b;
}
template <int R, int C, typename T>
WP_HD constexpr mat_t<R, C, T>& operator+=(mat_t<R, C, T>& a, const mat_t<R, C, T>& b) {
  return a = a + b;
}
template <int R, int C, typename T>
WP_HD constexpr mat_t<R, C, T>& operator-=(mat_t<R, C, T>& a, const mat_t<R, C, T>& b) {
  return a = a - b;
}
template <typename T>
WP_HD constexpr quat_t<T>& operator+=(quat_t<T>& a, const quat_t<T>& b) {
  return a = a + b;
}
template <typename T>
WP_HD constexpr quat_t<T>& operator-=(quat_t<T>& a, const quat_t<T>& b) {
  return a = a - b;
}

template <int N, typename T>
WP_HD constexpr vec_t<N, T>& operator*=(vec_t<N, T>& a, T s) {
  return a = a * s;
}
template <int N, typename T>
WP_HD constexpr vec_t<N, T>& operator/=(vec_t<N, T>& a, T s) {
  return a = a / s;
}
template <int R, int C, typename T>
WP_HD constexpr mat_t<R, C, T>& operator*=(mat_t<R, C, T>& a, T s) {
  return a = a * s;
}
template <int R, int C, typename T>
WP_HD constexpr mat_t<R, C, T>& operator/=(mat_t<R, C, T>& a, T s) {
  return a = a / s;
}

}  // namespace wp

// ---- adjoint accumulation helpers (used by the adj_* functions) ---------------------------

namespace wp {
namespace detail {

// dst += value · scale for a Float scalar (half accumulates through float); integers and
// bool have no adjoints, so nothing happens for them.
template <typename T, typename F>
WP_HD void adj_add_to(T& dst, F value) {
  if constexpr (is_float_v<T>) dst = static_cast<T>(static_cast<compute_t<T>>(dst) + static_cast<compute_t<T>>(value));
}

// dst += src component-wise (any value type; other types — structs — need their own +=).
template <typename V>
WP_HD void adj_accumulate(V& dst, const V& src) {
  if constexpr (is_scalar_v<V> || is_vec_v<V> || is_mat_v<V> || is_quat_v<V> || is_transform_v<V>) {
    for (int k = 0; k < component_count_v<V>; ++k) adj_add_to(component(dst, k), component(src, k));
  } else if constexpr (!std::is_same_v<V, bool>) {
    dst += src;
  }
}

}  // namespace detail
}  // namespace wp

// ---- adjoints of the constructors and of index() ----------------------------------------
//
// adj_construct_<form><V>(primal args…, adj args&…, adj_ret) accumulate like every adj_*
// (zeros and default have only adj_ret and do nothing). index: adj_a[i] += adj_ret; the
// index arguments get nothing.

namespace wp {

template <typename V>
WP_HD void adj_construct_zeros(const V&) {}
template <typename V>
WP_HD void adj_construct_default(const V&) {}

template <typename V>
WP_HD void adj_construct_broadcast(const scalar_t<V>&, scalar_t<V>& adj_value, const V& adj_ret) {
  for (int k = 0; k < component_count_v<V>; ++k) detail::adj_add_to(adj_value, component(adj_ret, k));
}

namespace detail {
// p… = the n primal parts, the n adjoint parts, then adj_ret (of type V): adjoint part j
// receives the adjoint of the parts of V it was built from (`part_size` components each).
template <typename V, int part_size, typename... P>
WP_HD void adj_scatter_parts(P&... p) {
  constexpr int n = (static_cast<int>(sizeof...(P)) - 1) / 2;
  const V* ret = nullptr;
  ([&](auto& a) { if constexpr (std::is_same_v<std::remove_const_t<std::remove_reference_t<decltype(a)>>, V>) ret = &a; }(p), ...);
  int j = 0;
  (
      [&](auto& a) {
        using A = std::remove_const_t<std::remove_reference_t<decltype(a)>>;
        if constexpr (!std::is_same_v<A, V>) {
          if (j >= n)
            for (int k = 0; k < component_count_v<A>; ++k) adj_add_to(component(a, k), component(*ret, (j - n) * part_size + k));
          ++j;
        }
      }(p),
      ...);
}
}  // namespace detail

template <typename V, typename... P>
WP_HD void adj_construct_components(P&&... p) {
  static_assert(sizeof...(P) == 2 * component_count_v<V> + 1, "values, their adjoints, adj_ret");
  detail::adj_scatter_parts<V, 1>(p...);
}

template <typename M, typename... P>
WP_HD void adj_construct_rows(P&&... p) {
  static_assert(sizeof...(P) == 2 * M::rows + 1, "rows, their adjoints, adj_ret");
  detail::adj_scatter_parts<M, M::cols>(p...);
}

// 6-vector (w, v), quaternion (xyz, w), transform (p, q): a's components come first in V.
template <typename V, typename A, typename B>
WP_HD void adj_construct_compose(const A&, const B&, A& adj_a, B& adj_b, const V& adj_ret) {
  constexpr int na = component_count_v<A>;
  for (int k = 0; k < na; ++k) detail::adj_add_to(component(adj_a, k), component(adj_ret, k));
  for (int k = 0; k < component_count_v<B>; ++k) detail::adj_add_to(component(adj_b, k), component(adj_ret, na + k));
}

template <typename V, typename U>
WP_HD void adj_construct_convert(const U&, U& adj_u, const V& adj_ret) {
  for (int k = 0; k < component_count_v<U>; ++k)
    detail::adj_add_to(component(adj_u, k), static_cast<compute_t<scalar_t<V>>>(component(adj_ret, k)));
}

// Only float-to-float casts carry a gradient (integers and bool have none).
template <typename To, typename From>
WP_HD void adj_construct_cast(const From&, From& adj_x, const To& adj_ret) {
  if constexpr (is_float_v<To> && is_float_v<From>) detail::adj_add_to(adj_x, static_cast<compute_t<To>>(adj_ret));
}

template <typename A, typename I>
WP_HD void adj_index(const A& a, int i, A& adj_a, I&, const decltype(index(a, 0))& adj_ret) {
  detail::adj_accumulate(index_ref(adj_a, i), adj_ret);
}
template <int R, int C, typename T, typename I, typename J>
WP_HD void adj_index(const mat_t<R, C, T>&, int i, int j, mat_t<R, C, T>& adj_a, I&, J&, const T& adj_ret) {
  detail::adj_add_to(index_ref(adj_a, i, j), adj_ret);
}

}  // namespace wp
