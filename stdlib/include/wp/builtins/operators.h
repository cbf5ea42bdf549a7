// wp/builtins/operators.h — Warp's operators as functions: add sub mul div floordiv mod neg pos
// unot bit_and bit_or bit_xor lshift rshift invert (the Operators rows of stdlib/builtins.def;
// `pow` is in scalar.h with the ScalarMath rows).
//
// Contract — Warp's semantics, identical on host and device:
//  * Floats (half/float/double): IEEE arithmetic (half: computed in float, rounded back).
//    floordiv = floor(a / b); mod = fmod (C: the result has the sign of a).
//  * Integers: + − * and negation wrap around (two's complement), never undefined behaviour.
//    div truncates toward zero (C division); floordiv rounds toward negative infinity (Warp's
//    and Python's //: -5 // 2 == -3); mod is C's % (sign of a: -5 % 2 == -1, as in Warp's
//    kernels, unlike Python's %).
//    Division by zero: Warp's CPU code traps (SIGFPE) and its GPU code returns whatever the
//    hardware gives; warpc defines it instead, the same on host and device: a / 0 == 0 and
//    a % 0 == a (so a == (a / b) * b + a % b still holds); MIN / −1 wraps to MIN, MIN % −1 == 0.
//  * Shifts: a << b and a >> b for 0 ≤ b < bit width of T are C's (>> is arithmetic on signed
//    types); a count outside that range (negative or too large) gives what CUDA's shift
//    instructions give: << → 0, >> → 0 (unsigned or a ≥ 0) or −1 (signed a < 0).
//  * Composites are component-wise except the products in mul: matrix·vector, row vector·matrix,
//    matrix·matrix, quaternion·quaternion (Hamilton: rotation b, then a), transform·transform
//    (composition: b applied first). add/sub on transforms are component-wise (p and q).
//  * unot(array) is true when the array is null (no data).
//  * Adjoints (end of file): adj_<op>(primal args…, adj_args&…, adj_ret) accumulate into
//    adj_args (abi.md) for every Diff row; integer arguments get nothing. mod: d/da = 1,
//    d/db = −trunc(a / b).
#pragma once

#include <cstdint>
#include <type_traits>

#include "wp/builtins/core.h"

namespace wp {

namespace detail {

// Unsigned type at least as wide as int: arithmetic in it wraps instead of overflowing.
template <typename T>
using wrap_t = std::conditional_t<(sizeof(T) < sizeof(uint32_t)), uint32_t, std::make_unsigned_t<T>>;

template <typename V, typename F>
WP_HD constexpr V map1(const V& a, F f) {
  V r{};
  for (int k = 0; k < component_count_v<V>; ++k) component(r, k) = f(component(a, k));
  return r;
}

template <typename V, typename F>
WP_HD constexpr V map2(const V& a, const V& b, F f) {
  V r{};
  for (int k = 0; k < component_count_v<V>; ++k) component(r, k) = f(component(a, k), component(b, k));
  return r;
}

template <typename T>
concept Composite = is_vec_v<T> || is_mat_v<T> || is_quat_v<T> || is_transform_v<T>;

}  // namespace detail

// ---- scalar arithmetic -----------------------------------------------------------------

template <AnyScalar T>
WP_HD constexpr T add(T a, T b) {
  if constexpr (is_int_v<T>) return T(detail::wrap_t<T>(a) + detail::wrap_t<T>(b));
  else return a + b;
}

template <AnyScalar T>
WP_HD constexpr T sub(T a, T b) {
  if constexpr (is_int_v<T>) return T(detail::wrap_t<T>(a) - detail::wrap_t<T>(b));
  else return a - b;
}

template <AnyScalar T>
WP_HD constexpr T mul(T a, T b) {
  if constexpr (is_int_v<T>) return T(detail::wrap_t<T>(a) * detail::wrap_t<T>(b));
  else return a * b;
}

template <AnyScalar T>
WP_HD constexpr T neg(T x) {
  if constexpr (is_int_v<T>) return T(detail::wrap_t<T>(0) - detail::wrap_t<T>(x));
  else return -x;
}

template <AnyScalar T>
WP_HD constexpr T pos(T x) {
  return x;
}

template <AnyScalar T>
WP_HD constexpr T div(T a, T b) {
  if constexpr (is_int_v<T>) {
    if (b == T(0)) return T(0);
    if constexpr (std::is_signed_v<T>) {
      if (b == T(-1)) return neg(a);  // MIN / -1 wraps instead of trapping
    }
    return T(a / b);
  } else {
    return a / b;
  }
}

template <AnyScalar T>
WP_HD T mod(T a, T b) {
  if constexpr (is_int_v<T>) {
    if (b == T(0)) return a;
    if constexpr (std::is_signed_v<T>) {
      if (b == T(-1)) return T(0);
    }
    return T(a % b);
  } else {
    using F = compute_t<T>;
    return T(libm::fmod(F(a), F(b)));
  }
}

template <AnyScalar T>
WP_HD T floordiv(T a, T b) {
  if constexpr (is_int_v<T>) {
    const T q = div(a, b);
    if constexpr (std::is_signed_v<T>) {
      // C's quotient truncates; one less when the division is inexact and the signs differ.
      if (b != T(0) && mod(a, b) != T(0) && ((a < T(0)) != (b < T(0)))) return T(q - T(1));
    }
    return q;
  } else {
    using F = compute_t<T>;
    return T(libm::floor(F(a) / F(b)));
  }
}

// ---- composites: component-wise add / sub / neg / pos ----------------------------------

template <detail::Composite V>
WP_HD constexpr V add(const V& a, const V& b) {
  return detail::map2(a, b, [](auto x, auto y) { return add(x, y); });
}
template <detail::Composite V>
WP_HD constexpr V sub(const V& a, const V& b) {
  return detail::map2(a, b, [](auto x, auto y) { return sub(x, y); });
}
template <detail::Composite V>
WP_HD constexpr V neg(const V& a) {
  return detail::map1(a, [](auto x) { return neg(x); });
}
template <detail::Composite V>
WP_HD constexpr V pos(const V& a) {
  return a;
}

// ---- mul -------------------------------------------------------------------------------

// Scaling: vector, matrix, quaternion, transform times a scalar (either side).
template <detail::Composite V>
WP_HD constexpr V mul(const V& a, scalar_t<V> s) {
  return detail::map1(a, [s](auto x) { return mul(x, s); });
}
template <detail::Composite V>
WP_HD constexpr V mul(scalar_t<V> s, const V& a) {
  return detail::map1(a, [s](auto x) { return mul(s, x); });
}

template <int R, int K, typename T>
WP_HD constexpr vec_t<R, T> mul(const mat_t<R, K, T>& a, const vec_t<K, T>& b) {
  vec_t<R, T> r{};
  for (int i = 0; i < R; ++i)
    for (int k = 0; k < K; ++k) r.c[i] = add(r.c[i], mul(a.data[i][k], b.c[k]));
  return r;
}

template <int R, int C, typename T>
WP_HD constexpr vec_t<C, T> mul(const vec_t<R, T>& a, const mat_t<R, C, T>& b) {
  vec_t<C, T> r{};
  for (int j = 0; j < C; ++j)
    for (int i = 0; i < R; ++i) r.c[j] = add(r.c[j], mul(a.c[i], b.data[i][j]));
  return r;
}

template <int R, int K, int C, typename T>
WP_HD constexpr mat_t<R, C, T> mul(const mat_t<R, K, T>& a, const mat_t<K, C, T>& b) {
  mat_t<R, C, T> r{};
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j)
      for (int k = 0; k < K; ++k) r.data[i][j] = add(r.data[i][j], mul(a.data[i][k], b.data[k][j]));
  return r;
}

template <typename T>
WP_HD constexpr quat_t<T> mul(const quat_t<T>& a, const quat_t<T>& b) {
  return a * b;
}

namespace detail {
// v rotated by the unit quaternion q: v (2w² − 1) + 2w (q⃗ × v) + 2 (q⃗ · v) q⃗.
template <typename T>
WP_HD constexpr vec_t<3, T> rotate(const quat_t<T>& q, const vec_t<3, T>& v) {
  const T two(2.0f), one(1.0f);
  const vec_t<3, T> u{q.x, q.y, q.z};
  const vec_t<3, T> c{u.c[1] * v.c[2] - u.c[2] * v.c[1], u.c[2] * v.c[0] - u.c[0] * v.c[2],
                      u.c[0] * v.c[1] - u.c[1] * v.c[0]};
  const T d = u.c[0] * v.c[0] + u.c[1] * v.c[1] + u.c[2] * v.c[2];
  return v * (two * q.w * q.w - one) + c * (two * q.w) + u * (two * d);
}
}  // namespace detail

// Composition: (a * b) applied to x is a applied to (b applied to x).
template <typename T>
WP_HD constexpr transform_t<T> mul(const transform_t<T>& a, const transform_t<T>& b) {
  return transform_t<T>{a.p + detail::rotate(a.q, b.p), a.q * b.q};
}

// ---- div -------------------------------------------------------------------------------

template <detail::Composite V>
  requires(!is_transform_v<V>)
WP_HD constexpr V div(const V& a, scalar_t<V> s) {
  return detail::map1(a, [s](auto x) { return div(x, s); });
}
template <detail::Composite V>
  requires(is_vec_v<V> || is_mat_v<V> || is_quat_v<V>)
WP_HD constexpr V div(scalar_t<V> s, const V& a) {
  return detail::map1(a, [s](auto x) { return div(s, x); });
}

template <int N, typename T>
WP_HD vec_t<N, T> mod(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  vec_t<N, T> r{};
  for (int i = 0; i < N; ++i) r.c[i] = mod(a.c[i], b.c[i]);
  return r;
}

// ---- logical and bitwise ---------------------------------------------------------------

WP_HD constexpr bool unot(bool a) { return !a; }
template <IntScalar T>
WP_HD constexpr bool unot(T a) {
  return a == T(0);
}
template <typename T>
WP_HD constexpr bool unot(const array_t<T>& a) {
  return a.data == nullptr;
}

template <IntScalar T>
WP_HD constexpr T bit_and(T a, T b) {
  return T(a & b);
}
template <IntScalar T>
WP_HD constexpr T bit_or(T a, T b) {
  return T(a | b);
}
template <IntScalar T>
WP_HD constexpr T bit_xor(T a, T b) {
  return T(a ^ b);
}
template <IntScalar T>
WP_HD constexpr T invert(T a) {
  return T(~a);
}

namespace detail {
template <typename T>
WP_HD constexpr bool shift_in_range(T b) {
  constexpr T bits = T(sizeof(T) * 8);
  if constexpr (std::is_signed_v<T>) return b >= T(0) && b < bits;
  else return b < bits;
}
}  // namespace detail

template <IntScalar T>
WP_HD constexpr T lshift(T a, T b) {
  if (!detail::shift_in_range(b)) return T(0);
  return T(detail::wrap_t<T>(a) << b);
}
template <IntScalar T>
WP_HD constexpr T rshift(T a, T b) {
  if (!detail::shift_in_range(b)) {
    if constexpr (std::is_signed_v<T>) return a < T(0) ? T(-1) : T(0);
    else return T(0);
  }
  return T(a >> b);
}

#define WP_VEC_INT_BINARY(name)                                                     \
  template <int N, IntScalar T>                                                     \
  WP_HD constexpr vec_t<N, T> name(const vec_t<N, T>& a, const vec_t<N, T>& b) {    \
    vec_t<N, T> r{};                                                                \
    for (int i = 0; i < N; ++i) r.c[i] = name(a.c[i], b.c[i]);                      \
    return r;                                                                       \
  }
WP_VEC_INT_BINARY(bit_and)
WP_VEC_INT_BINARY(bit_or)
WP_VEC_INT_BINARY(bit_xor)
WP_VEC_INT_BINARY(lshift)
WP_VEC_INT_BINARY(rshift)
#undef WP_VEC_INT_BINARY

template <int N, IntScalar T>
WP_HD constexpr vec_t<N, T> invert(const vec_t<N, T>& a) {
  vec_t<N, T> r{};
  for (int i = 0; i < N; ++i) r.c[i] = invert(a.c[i]);
  return r;
}

// ---- adjoints ----------------------------------------------------------------------------

namespace detail {
// Σ_k a_k · b_k over the components of two same-type values, in compute_t.
template <typename V>
WP_HD compute_t<scalar_t<V>> adj_dot(const V& a, const V& b) {
  using F = compute_t<scalar_t<V>>;
  F s = F(0);
  for (int k = 0; k < component_count_v<V>; ++k) s += static_cast<F>(component(a, k)) * static_cast<F>(component(b, k));
  return s;
}
// dst += src · scale, component-wise.
template <typename V, typename F>
WP_HD void adj_accumulate_scaled(V& dst, const V& src, F scale) {
  for (int k = 0; k < component_count_v<V>; ++k)
    adj_add_to(component(dst, k), static_cast<compute_t<scalar_t<V>>>(component(src, k)) * scale);
}
template <typename T>
WP_HD constexpr quat_t<T> conj(const quat_t<T>& q) {
  return {-q.x, -q.y, -q.z, q.w};
}
}  // namespace detail

template <typename V>
  requires(is_scalar_v<V> || detail::Composite<V>)
WP_HD void adj_add(const V& a, const V& b, V& adj_a, V& adj_b, const V& adj_ret) {
  detail::adj_accumulate(adj_a, adj_ret);
  detail::adj_accumulate(adj_b, adj_ret);
}

template <typename V>
  requires(is_scalar_v<V> || detail::Composite<V>)
WP_HD void adj_sub(const V& a, const V& b, V& adj_a, V& adj_b, const V& adj_ret) {
  detail::adj_accumulate(adj_a, adj_ret);
  detail::adj_accumulate_scaled(adj_b, adj_ret, -1.0f);
}

template <typename V>
  requires(is_scalar_v<V> || detail::Composite<V>)
WP_HD void adj_neg(const V& x, V& adj_x, const V& adj_ret) {
  detail::adj_accumulate_scaled(adj_x, adj_ret, -1.0f);
}

template <typename V>
  requires(is_scalar_v<V> || detail::Composite<V>)
WP_HD void adj_pos(const V& x, V& adj_x, const V& adj_ret) {
  detail::adj_accumulate(adj_x, adj_ret);
}

template <AnyScalar T>
WP_HD void adj_mul(const T& a, const T& b, T& adj_a, T& adj_b, const T& adj_ret) {
  using F = compute_t<T>;
  detail::adj_add_to(adj_a, static_cast<F>(b) * static_cast<F>(adj_ret));
  detail::adj_add_to(adj_b, static_cast<F>(a) * static_cast<F>(adj_ret));
}

// Scaling: ret = a · s.
template <detail::Composite V>
WP_HD void adj_mul(const V& a, const scalar_t<V>& s, V& adj_a, scalar_t<V>& adj_s, const V& adj_ret) {
  detail::adj_accumulate_scaled(adj_a, adj_ret, static_cast<compute_t<scalar_t<V>>>(s));
  detail::adj_add_to(adj_s, detail::adj_dot(a, adj_ret));
}
template <detail::Composite V>
WP_HD void adj_mul(const scalar_t<V>& s, const V& a, scalar_t<V>& adj_s, V& adj_a, const V& adj_ret) {
  adj_mul(a, s, adj_a, adj_s, adj_ret);
}

// ret = A b: adj_A += adj_ret bᵀ, adj_b += Aᵀ adj_ret.
template <int R, int K, typename T>
WP_HD void adj_mul(const mat_t<R, K, T>& a, const vec_t<K, T>& b, mat_t<R, K, T>& adj_a, vec_t<K, T>& adj_b,
                   const vec_t<R, T>& adj_ret) {
  using F = compute_t<T>;
  for (int i = 0; i < R; ++i)
    for (int k = 0; k < K; ++k) {
      detail::adj_add_to(adj_a.data[i][k], static_cast<F>(adj_ret.c[i]) * static_cast<F>(b.c[k]));
      detail::adj_add_to(adj_b.c[k], static_cast<F>(a.data[i][k]) * static_cast<F>(adj_ret.c[i]));
    }
}

// ret = aᵀ B: adj_a += B adj_ret, adj_B += a adj_retᵀ.
template <int R, int C, typename T>
WP_HD void adj_mul(const vec_t<R, T>& a, const mat_t<R, C, T>& b, vec_t<R, T>& adj_a, mat_t<R, C, T>& adj_b,
                   const vec_t<C, T>& adj_ret) {
  using F = compute_t<T>;
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) {
      detail::adj_add_to(adj_a.c[i], static_cast<F>(b.data[i][j]) * static_cast<F>(adj_ret.c[j]));
      detail::adj_add_to(adj_b.data[i][j], static_cast<F>(a.c[i]) * static_cast<F>(adj_ret.c[j]));
    }
}

// ret = A B: adj_A += adj_ret Bᵀ, adj_B += Aᵀ adj_ret.
template <int R, int K, int C, typename T>
WP_HD void adj_mul(const mat_t<R, K, T>& a, const mat_t<K, C, T>& b, mat_t<R, K, T>& adj_a, mat_t<K, C, T>& adj_b,
                   const mat_t<R, C, T>& adj_ret) {
  using F = compute_t<T>;
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j)
      for (int k = 0; k < K; ++k) {
        detail::adj_add_to(adj_a.data[i][k], static_cast<F>(adj_ret.data[i][j]) * static_cast<F>(b.data[k][j]));
        detail::adj_add_to(adj_b.data[k][j], static_cast<F>(a.data[i][k]) * static_cast<F>(adj_ret.data[i][j]));
      }
}

// ret = a b (Hamilton): left and right multiplication matrices transpose to the conjugates.
template <typename T>
WP_HD void adj_mul(const quat_t<T>& a, const quat_t<T>& b, quat_t<T>& adj_a, quat_t<T>& adj_b, const quat_t<T>& adj_ret) {
  detail::adj_accumulate(adj_a, adj_ret * detail::conj(b));
  detail::adj_accumulate(adj_b, detail::conj(a) * adj_ret);
}

namespace detail {
// Adjoint of rotate(q, v) = v (2w² − 1) + 2w (u × v) + 2 (u · v) u, for any (not only unit) q.
template <typename T>
WP_HD void adj_rotate(const quat_t<T>& q, const vec_t<3, T>& v, quat_t<T>& adj_q, vec_t<3, T>& adj_v,
                      const vec_t<3, T>& adj_ret) {
  using F = compute_t<T>;
  const F w = static_cast<F>(q.w);
  const F u[3] = {static_cast<F>(q.x), static_cast<F>(q.y), static_cast<F>(q.z)};
  const F x[3] = {static_cast<F>(v.c[0]), static_cast<F>(v.c[1]), static_cast<F>(v.c[2])};
  const F g[3] = {static_cast<F>(adj_ret.c[0]), static_cast<F>(adj_ret.c[1]), static_cast<F>(adj_ret.c[2])};
  auto cross = [](const F* a, const F* b, int i) { return a[(i + 1) % 3] * b[(i + 2) % 3] - a[(i + 2) % 3] * b[(i + 1) % 3]; };
  const F uv = u[0] * x[0] + u[1] * x[1] + u[2] * x[2];
  const F gu = g[0] * u[0] + g[1] * u[1] + g[2] * u[2];
  F dw = F(0);
  for (int i = 0; i < 3; ++i) {
    dw += g[i] * (F(4) * w * x[i] + F(2) * cross(u, x, i));
    adj_add_to(component(adj_q, i), F(2) * w * cross(x, g, i) + F(2) * uv * g[i] + F(2) * gu * x[i]);
    // Mᵀ g with M(q) = (2w² − 1) I + 2w [u]× + 2 u uᵀ: the rotation by the conjugate.
    adj_add_to(adj_v.c[i], g[i] * (F(2) * w * w - F(1)) - F(2) * w * cross(u, g, i) + F(2) * gu * u[i]);
  }
  adj_add_to(adj_q.w, dw);
}
}  // namespace detail

// ret = a b: ret.p = a.p + rotate(a.q, b.p), ret.q = a.q b.q.
template <typename T>
WP_HD void adj_mul(const transform_t<T>& a, const transform_t<T>& b, transform_t<T>& adj_a, transform_t<T>& adj_b,
                   const transform_t<T>& adj_ret) {
  detail::adj_accumulate(adj_a.p, adj_ret.p);
  detail::adj_rotate(a.q, b.p, adj_a.q, adj_b.p, adj_ret.p);
  adj_mul(a.q, b.q, adj_a.q, adj_b.q, adj_ret.q);
}

template <AnyScalar T>
WP_HD void adj_div(const T& a, const T& b, T& adj_a, T& adj_b, const T& adj_ret) {
  using F = compute_t<T>;
  const F bv = static_cast<F>(b), ar = static_cast<F>(adj_ret);
  detail::adj_add_to(adj_a, ar / bv);
  detail::adj_add_to(adj_b, -ar * (static_cast<F>(a) / bv) / bv);
}

// ret = a / s.
template <detail::Composite V>
  requires(!is_transform_v<V>)
WP_HD void adj_div(const V& a, const scalar_t<V>& s, V& adj_a, scalar_t<V>& adj_s, const V& adj_ret) {
  using F = compute_t<scalar_t<V>>;
  const F sv = static_cast<F>(s);
  detail::adj_accumulate_scaled(adj_a, adj_ret, F(1) / sv);
  detail::adj_add_to(adj_s, -detail::adj_dot(a, adj_ret) / (sv * sv));
}

// ret_k = s / a_k.
template <detail::Composite V>
  requires(is_vec_v<V> || is_mat_v<V> || is_quat_v<V>)
WP_HD void adj_div(const scalar_t<V>& s, const V& a, scalar_t<V>& adj_s, V& adj_a, const V& adj_ret) {
  using F = compute_t<scalar_t<V>>;
  const F sv = static_cast<F>(s);
  for (int k = 0; k < component_count_v<V>; ++k) {
    const F ak = static_cast<F>(component(a, k)), gk = static_cast<F>(component(adj_ret, k));
    detail::adj_add_to(adj_s, gk / ak);
    detail::adj_add_to(component(adj_a, k), -gk * sv / (ak * ak));
  }
}

template <AnyScalar T>
WP_HD void adj_mod(const T& a, const T& b, T& adj_a, T& adj_b, const T& adj_ret) {
  using F = compute_t<T>;
  const F ar = static_cast<F>(adj_ret);
  detail::adj_add_to(adj_a, ar);
  if constexpr (is_float_v<T>) detail::adj_add_to(adj_b, -libm::trunc(static_cast<F>(a) / static_cast<F>(b)) * ar);
}
template <int N, typename T>
WP_HD void adj_mod(const vec_t<N, T>& a, const vec_t<N, T>& b, vec_t<N, T>& adj_a, vec_t<N, T>& adj_b,
                   const vec_t<N, T>& adj_ret) {
  for (int i = 0; i < N; ++i) adj_mod(a.c[i], b.c[i], adj_a.c[i], adj_b.c[i], adj_ret.c[i]);
}

}  // namespace wp
