// wp/builtins/vector.h — Vector Math builtins on wp::vec_t<N,T>: dot, cross, outer, length,
// length_sq, normalize, cw_mul, cw_div, argmin, argmax, norm_l1/l2/huber/pseudo_huber,
// smooth_normalize, and their adjoints (adj_<name>).
//
// Contract (docs/codegen.md, stdlib/builtins.def group VectorMath):
//  * Every function is WP_HD, in namespace wp, templated on the length N and scalar type T
//    (any integer type, wp::half, float, double where the row allows it).
//  * Arithmetic is done in the "compute type" of T (detail::la::calc_t<T>): T itself for the
//    built-in arithmetic types, float for wp::half (and any other non-arithmetic scalar); results
//    are converted back to T. So the only thing needed from a scalar type like wp::half is
//    explicit conversion to and from float.
//  * normalize of the zero vector is the zero vector; smooth_normalize never divides by zero.
//  * argmin/argmax return the first index of the extreme component (ties: the lowest index).
//  * Adjoints adj_<f>(primal args…, adj_arg…, adj_ret) ACCUMULATE (+=) the vector-Jacobian product
//    into the adj_arg references. Non-smooth points: d|x|/dx at 0 is 0 (norm_l1), the gradient
//    of length/normalize at the zero vector is 0.
//  * Small helpers shared by matrix.h, quat.h, transform.h and spatial.h live in wp::detail::la
//    (math wrappers that pick CUDA/libm functions per type, component-wise vector helpers).
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "wp/builtins/kernel_support.h"

namespace wp {
namespace detail::la {

// ---- compute type and math wrappers ---------------------------------------------------------

template <typename T>
using calc_t = std::conditional_t<std::is_arithmetic_v<T>, T, float>;

template <typename T>
WP_HD calc_t<T> up(T x) {
  return static_cast<calc_t<T>>(x);
}
template <typename T, typename C>
WP_HD T down(C x) {
  return static_cast<T>(x);
}

WP_HD float sqrt_(float x) { return sqrtf(x); }
WP_HD double sqrt_(double x) { return ::sqrt(x); }
WP_HD float sin_(float x) { return sinf(x); }
WP_HD double sin_(double x) { return ::sin(x); }
WP_HD float cos_(float x) { return cosf(x); }
WP_HD double cos_(double x) { return ::cos(x); }
WP_HD float atan2_(float y, float x) { return atan2f(y, x); }
WP_HD double atan2_(double y, double x) { return ::atan2(y, x); }
WP_HD float fabs_(float x) { return fabsf(x); }
WP_HD double fabs_(double x) { return ::fabs(x); }

template <typename C>
WP_HD C clamp_(C x, C lo, C hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}
template <typename C>
WP_HD C abs_any(C x) {
  return x < C(0) ? C(-x) : x;
}
WP_HD float acos_(float x) { return acosf(clamp_(x, -1.0f, 1.0f)); }
WP_HD double acos_(double x) { return ::acos(clamp_(x, -1.0, 1.0)); }
WP_HD float asin_(float x) { return asinf(clamp_(x, -1.0f, 1.0f)); }
WP_HD double asin_(double x) { return ::asin(clamp_(x, -1.0, 1.0)); }

// Machine epsilon of the compute type (used only for degenerate-case tests).
template <typename C>
WP_HD constexpr C eps_() {
  return sizeof(C) >= 8 ? C(2.220446049250313e-16) : C(1.1920929e-7f);
}

// ---- small component-wise helpers (used instead of types.h operators, which are host-only) --

template <int N, typename T>
WP_HD vec_t<N, T> vadd(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  vec_t<N, T> r;
  for (int i = 0; i < N; ++i) r.c[i] = down<T>(up(a.c[i]) + up(b.c[i]));
  return r;
}
template <int N, typename T>
WP_HD vec_t<N, T> vsub(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  vec_t<N, T> r;
  for (int i = 0; i < N; ++i) r.c[i] = down<T>(up(a.c[i]) - up(b.c[i]));
  return r;
}
template <int N, typename T, typename S>
WP_HD vec_t<N, T> vscale(const vec_t<N, T>& a, S s) {
  vec_t<N, T> r;
  for (int i = 0; i < N; ++i) r.c[i] = down<T>(up(a.c[i]) * s);
  return r;
}
template <int N, typename T>
WP_HD void vacc(vec_t<N, T>& acc, const vec_t<N, T>& a) {  // acc += a
  for (int i = 0; i < N; ++i) acc.c[i] = down<T>(up(acc.c[i]) + up(a.c[i]));
}
template <int N, typename T, typename S>
WP_HD void vacc_scaled(vec_t<N, T>& acc, const vec_t<N, T>& a, S s) {  // acc += a * s
  for (int i = 0; i < N; ++i) acc.c[i] = down<T>(up(acc.c[i]) + up(a.c[i]) * s);
}
template <typename T, typename S>
WP_HD void sacc(T& acc, S v) {  // scalar acc += v
  acc = down<T>(up(acc) + v);
}
template <int N, typename T>
WP_HD vec_t<N, T> vzero() {
  vec_t<N, T> r;
  for (int i = 0; i < N; ++i) r.c[i] = down<T>(calc_t<T>(0));
  return r;
}
template <typename T>
WP_HD vec_t<3, T> vec3_(calc_t<T> x, calc_t<T> y, calc_t<T> z) {
  return vec_t<3, T>{{down<T>(x), down<T>(y), down<T>(z)}};
}

}  // namespace detail::la

// ---- forward functions -----------------------------------------------------------------------

template <int N, typename T>
WP_HD T dot(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  using C = detail::la::calc_t<T>;
  C s = C(0);
  for (int i = 0; i < N; ++i) s += detail::la::up(a.c[i]) * detail::la::up(b.c[i]);
  return static_cast<T>(s);
}

template <typename T>
WP_HD vec_t<3, T> cross(const vec_t<3, T>& a, const vec_t<3, T>& b) {
  using detail::la::up;
  return detail::la::vec3_<T>(up(a.c[1]) * up(b.c[2]) - up(a.c[2]) * up(b.c[1]),
                              up(a.c[2]) * up(b.c[0]) - up(a.c[0]) * up(b.c[2]),
                              up(a.c[0]) * up(b.c[1]) - up(a.c[1]) * up(b.c[0]));
}

template <int N, int M, typename T>
WP_HD mat_t<N, M, T> outer(const vec_t<N, T>& a, const vec_t<M, T>& b) {
  using detail::la::up;
  mat_t<N, M, T> r;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < M; ++j) r.data[i][j] = static_cast<T>(up(a.c[i]) * up(b.c[j]));
  return r;
}

template <int N, typename T>
WP_HD T length_sq(const vec_t<N, T>& a) {
  return dot(a, a);
}

template <int N, typename T>
WP_HD T length(const vec_t<N, T>& a) {
  using C = detail::la::calc_t<T>;
  C s = C(0);
  for (int i = 0; i < N; ++i) s += detail::la::up(a.c[i]) * detail::la::up(a.c[i]);
  return static_cast<T>(detail::la::sqrt_(s));
}

template <int N, typename T>
WP_HD vec_t<N, T> normalize(const vec_t<N, T>& a) {
  using C = detail::la::calc_t<T>;
  C l = detail::la::up(length(a));
  if (!(l > C(0))) return detail::la::vzero<N, T>();
  return detail::la::vscale(a, C(1) / l);
}

template <int N, typename T>
WP_HD vec_t<N, T> cw_mul(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  vec_t<N, T> r;
  for (int i = 0; i < N; ++i) r.c[i] = static_cast<T>(detail::la::up(a.c[i]) * detail::la::up(b.c[i]));
  return r;
}

// Integer components divide as in C (truncation); division by an integer 0 is undefined as in C.
template <int N, typename T>
WP_HD vec_t<N, T> cw_div(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  vec_t<N, T> r;
  for (int i = 0; i < N; ++i) r.c[i] = static_cast<T>(detail::la::up(a.c[i]) / detail::la::up(b.c[i]));
  return r;
}

template <int N, typename T>
WP_HD uint32_t argmin(const vec_t<N, T>& a) {
  uint32_t best = 0;
  for (int i = 1; i < N; ++i)
    if (detail::la::up(a.c[i]) < detail::la::up(a.c[best])) best = static_cast<uint32_t>(i);
  return best;
}

template <int N, typename T>
WP_HD uint32_t argmax(const vec_t<N, T>& a) {
  uint32_t best = 0;
  for (int i = 1; i < N; ++i)
    if (detail::la::up(a.c[i]) > detail::la::up(a.c[best])) best = static_cast<uint32_t>(i);
  return best;
}

template <int N, typename T>
WP_HD T norm_l1(const vec_t<N, T>& a) {
  using C = detail::la::calc_t<T>;
  C s = C(0);
  for (int i = 0; i < N; ++i) s += detail::la::abs_any(detail::la::up(a.c[i]));
  return static_cast<T>(s);
}

template <int N, typename T>
WP_HD T norm_l2(const vec_t<N, T>& a) {
  return length(a);
}

// H(v) = |v|^2 / 2 when |v| <= delta, else delta (|v| - delta / 2).
template <int N, typename T>
WP_HD T norm_huber(const vec_t<N, T>& a, T delta = T(1.0f)) {
  using C = detail::la::calc_t<T>;
  C l = detail::la::up(length(a)), d = detail::la::up(delta);
  if (l <= d) return static_cast<T>(C(0.5) * l * l);
  return static_cast<T>(d * (l - C(0.5) * d));
}

// delta sqrt(1 + |v|^2 / delta^2)
template <int N, typename T>
WP_HD T norm_pseudo_huber(const vec_t<N, T>& a, T delta = T(1.0f)) {
  using C = detail::la::calc_t<T>;
  C d = detail::la::up(delta), l2 = detail::la::up(length_sq(a));
  return static_cast<T>(d * detail::la::sqrt_(C(1) + l2 / (d * d)));
}

// v / pseudo_huber(v, delta)
template <int N, typename T>
WP_HD vec_t<N, T> smooth_normalize(const vec_t<N, T>& v, T delta = T(1.0f)) {
  using C = detail::la::calc_t<T>;
  return detail::la::vscale(v, C(1) / detail::la::up(norm_pseudo_huber(v, delta)));
}

// ---- adjoints ----------------------------------------------------------------------------------

template <int N, typename T>
WP_HD void adj_dot(const vec_t<N, T>& a, const vec_t<N, T>& b, vec_t<N, T>& adj_a, vec_t<N, T>& adj_b,
                   const T& adj_ret) {
  auto g = detail::la::up(adj_ret);
  detail::la::vacc_scaled(adj_a, b, g);
  detail::la::vacc_scaled(adj_b, a, g);
}

template <typename T>
WP_HD void adj_cross(const vec_t<3, T>& a, const vec_t<3, T>& b, vec_t<3, T>& adj_a, vec_t<3, T>& adj_b,
                     const vec_t<3, T>& adj_ret) {
  // d(a x b) = da x b + a x db;  <g, da x b> = <b x g, da>,  <g, a x db> = <g x a, db>
  detail::la::vacc(adj_a, cross(b, adj_ret));
  detail::la::vacc(adj_b, cross(adj_ret, a));
}

template <int N, int M, typename T>
WP_HD void adj_outer(const vec_t<N, T>& a, const vec_t<M, T>& b, vec_t<N, T>& adj_a, vec_t<M, T>& adj_b,
                     const mat_t<N, M, T>& adj_ret) {
  using detail::la::up;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < M; ++j) {
      auto g = up(adj_ret.data[i][j]);
      detail::la::sacc(adj_a.c[i], g * up(b.c[j]));
      detail::la::sacc(adj_b.c[j], g * up(a.c[i]));
    }
}

template <int N, typename T>
WP_HD void adj_length_sq(const vec_t<N, T>& a, vec_t<N, T>& adj_a, const T& adj_ret) {
  using C = detail::la::calc_t<T>;
  detail::la::vacc_scaled(adj_a, a, C(2) * detail::la::up(adj_ret));
}

template <int N, typename T>
WP_HD void adj_length(const vec_t<N, T>& a, vec_t<N, T>& adj_a, const T& adj_ret) {
  using C = detail::la::calc_t<T>;
  C l = detail::la::up(length(a));
  if (l > C(0)) detail::la::vacc_scaled(adj_a, a, detail::la::up(adj_ret) / l);
}

template <int N, typename T>
WP_HD void adj_norm_l2(const vec_t<N, T>& a, vec_t<N, T>& adj_a, const T& adj_ret) {
  adj_length(a, adj_a, adj_ret);
}

// n = a / l:  dn = (I - n n^T) da / l  (symmetric), so adj_a += (g - n (n.g)) / l.
template <int N, typename T>
WP_HD void adj_normalize(const vec_t<N, T>& a, vec_t<N, T>& adj_a, const vec_t<N, T>& adj_ret) {
  using C = detail::la::calc_t<T>;
  using detail::la::up;
  C l = up(length(a));
  if (!(l > C(0))) return;
  C ng = C(0);
  for (int i = 0; i < N; ++i) ng += up(a.c[i]) / l * up(adj_ret.c[i]);
  for (int i = 0; i < N; ++i) detail::la::sacc(adj_a.c[i], (up(adj_ret.c[i]) - up(a.c[i]) / l * ng) / l);
}

template <int N, typename T>
WP_HD void adj_cw_mul(const vec_t<N, T>& a, const vec_t<N, T>& b, vec_t<N, T>& adj_a, vec_t<N, T>& adj_b,
                      const vec_t<N, T>& adj_ret) {
  using detail::la::up;
  for (int i = 0; i < N; ++i) {
    detail::la::sacc(adj_a.c[i], up(adj_ret.c[i]) * up(b.c[i]));
    detail::la::sacc(adj_b.c[i], up(adj_ret.c[i]) * up(a.c[i]));
  }
}

template <int N, typename T>
WP_HD void adj_cw_div(const vec_t<N, T>& a, const vec_t<N, T>& b, vec_t<N, T>& adj_a, vec_t<N, T>& adj_b,
                      const vec_t<N, T>& adj_ret) {
  using detail::la::up;
  for (int i = 0; i < N; ++i) {
    auto q = up(adj_ret.c[i]) / up(b.c[i]);
    detail::la::sacc(adj_a.c[i], q);
    detail::la::sacc(adj_b.c[i], -q * up(a.c[i]) / up(b.c[i]));
  }
}

template <int N, typename T>
WP_HD void adj_norm_l1(const vec_t<N, T>& a, vec_t<N, T>& adj_a, const T& adj_ret) {
  using C = detail::la::calc_t<T>;
  using detail::la::up;
  for (int i = 0; i < N; ++i) {
    C x = up(a.c[i]);
    C s = x > C(0) ? C(1) : (x < C(0) ? C(-1) : C(0));
    detail::la::sacc(adj_a.c[i], s * up(adj_ret));
  }
}

template <int N, typename T>
WP_HD void adj_norm_huber(const vec_t<N, T>& a, const T& delta, vec_t<N, T>& adj_a, T& adj_delta,
                          const T& adj_ret) {
  using C = detail::la::calc_t<T>;
  using detail::la::up;
  C l = up(length(a)), d = up(delta), g = up(adj_ret);
  if (l <= d) {
    detail::la::vacc_scaled(adj_a, a, g);  // d(l^2/2) = a
  } else {
    detail::la::vacc_scaled(adj_a, a, g * d / l);  // d(d l) = d a / l
    detail::la::sacc(adj_delta, g * (l - d));      // d/dd (d l - d^2/2) = l - d
  }
}
template <int N, typename T>
WP_HD void adj_norm_huber(const vec_t<N, T>& a, vec_t<N, T>& adj_a, const T& adj_ret) {
  T adj_delta = T(0.0f);
  adj_norm_huber(a, T(1.0f), adj_a, adj_delta, adj_ret);
}

// H = sqrt(d^2 + |a|^2):  dH/da = a / H,  dH/dd = d / H.
template <int N, typename T>
WP_HD void adj_norm_pseudo_huber(const vec_t<N, T>& a, const T& delta, vec_t<N, T>& adj_a, T& adj_delta,
                                 const T& adj_ret) {
  using C = detail::la::calc_t<T>;
  using detail::la::up;
  C d = up(delta), h = up(norm_pseudo_huber(a, delta)), g = up(adj_ret);
  // norm_pseudo_huber = d sqrt(1 + l2/d^2) = sign(d) sqrt(d^2 + l2); h carries that sign.
  detail::la::vacc_scaled(adj_a, a, g / h);
  detail::la::sacc(adj_delta, g * (h / d - up(length_sq(a)) / (h * d)));
}
template <int N, typename T>
WP_HD void adj_norm_pseudo_huber(const vec_t<N, T>& a, vec_t<N, T>& adj_a, const T& adj_ret) {
  T adj_delta = T(0.0f);
  adj_norm_pseudo_huber(a, T(1.0f), adj_a, adj_delta, adj_ret);
}

// s = v / H(v):  adj_v += g / H, plus the chain rule through H with adj_H = -(v.g) / H^2.
template <int N, typename T>
WP_HD void adj_smooth_normalize(const vec_t<N, T>& v, const T& delta, vec_t<N, T>& adj_v, T& adj_delta,
                                const vec_t<N, T>& adj_ret) {
  using C = detail::la::calc_t<T>;
  using detail::la::up;
  C h = up(norm_pseudo_huber(v, delta));
  C vg = C(0);
  for (int i = 0; i < N; ++i) vg += up(v.c[i]) * up(adj_ret.c[i]);
  detail::la::vacc_scaled(adj_v, adj_ret, C(1) / h);
  T adj_h = static_cast<T>(-vg / (h * h));  // d(v/h)/dh . g
  adj_norm_pseudo_huber(v, delta, adj_v, adj_delta, adj_h);
}
template <int N, typename T>
WP_HD void adj_smooth_normalize(const vec_t<N, T>& v, vec_t<N, T>& adj_v, const vec_t<N, T>& adj_ret) {
  T adj_delta = T(0.0f);
  adj_smooth_normalize(v, T(1.0f), adj_v, adj_delta, adj_ret);
}

}  // namespace wp
