// wp/builtins/utility.h — the Utility rows of stdlib/builtins.def that are plain functions:
// where select lerp smoothstep len expect_eq expect_neq expect_near block_dim breakpoint
// (tid is code generation's; print/printf are in print.h, the atomics in atomic.h).
//
// Contract — Warp's semantics:
//  * where(cond, if_true, if_false) and select(cond, if_false, if_true) (the deprecated
//    order) take cond as bool, an integer (true when != 0) or an array_t (true when not null);
//    both values have one type (any value type, structs included).
//  * lerp(a, b, t) = a·(1 − t) + b·t per component (exact at t = 0 and t = 1), for Float scalars,
//    vectors, matrices, quaternions and transforms; half is computed in float.
//  * smoothstep(a, b, x): t = clamp((x − a)/(b − a), 0, 1); t²(3 − 2t).
//  * len: vector → N, matrix → rows, quaternion → 4, transform → 7, array → shape[0] (int32).
//  * expect_eq(a, b) / expect_neq(a, b) / expect_near(a, b, tol = 1e-6): on failure print
//    (printf, host or device) "Error, expect_eq() failed:" and the expected and actual values, as
//    Warp does, and go on (no abort). expect_near fails when |a − b| > tol or is NaN (on vectors:
//    any component).
//  * block_dim(): threads per block on the device (blockDim.x), 1 on the CPU (as Warp).
//  * breakpoint(): no effect (warpc has no debugger integration; Warp's is debug-only).
//  * Adjoints: adj_where/adj_select route adj_ret to the taken value (the condition gets
//    nothing); adj_lerp and adj_smoothstep (zero where smoothstep is clamped).
#pragma once

#include <cstdint>
#include <cstdio>
#include <type_traits>

#include "wp/builtins/core.h"
#include "wp/builtins/operators.h"
#include "wp/builtins/scalar.h"

namespace wp {

// ---- where / select --------------------------------------------------------------------

namespace detail {
WP_HD constexpr bool truthy(bool c) { return c; }
template <IntScalar T>
WP_HD constexpr bool truthy(T c) {
  return c != T(0);
}
template <typename T>
WP_HD constexpr bool truthy(const array_t<T>& a) {
  return a.data != nullptr;
}
}  // namespace detail

template <typename C, typename T>
WP_HD constexpr T where(const C& cond, const T& value_if_true, const T& value_if_false) {
  return detail::truthy(cond) ? value_if_true : value_if_false;
}

template <typename C, typename T>
WP_HD constexpr T select(const C& cond, const T& value_if_false, const T& value_if_true) {
  return detail::truthy(cond) ? value_if_true : value_if_false;
}

// ---- lerp / smoothstep -----------------------------------------------------------------

template <typename V>
  requires(is_float_v<scalar_t<V>>)
WP_HD constexpr V lerp(const V& a, const V& b, scalar_t<V> t) {
  using F = compute_t<scalar_t<V>>;
  const F tf = static_cast<F>(t), one_minus = F(1) - tf;
  V r{};
  for (int k = 0; k < component_count_v<V>; ++k) {
    const F x = static_cast<F>(component(a, k)), y = static_cast<F>(component(b, k));
    component(r, k) = static_cast<scalar_t<V>>(x * one_minus + y * tf);
  }
  return r;
}

template <FloatScalar T>
WP_HD constexpr T smoothstep(T a, T b, T x) {
  using F = compute_t<T>;
  F t = (static_cast<F>(x) - static_cast<F>(a)) / (static_cast<F>(b) - static_cast<F>(a));
  t = clamp(t, F(0), F(1));
  return static_cast<T>(t * t * (F(3) - F(2) * t));
}

// ---- len -------------------------------------------------------------------------------

template <int N, typename T>
WP_HD constexpr int32_t len(const vec_t<N, T>&) {
  return N;
}
template <int R, int C, typename T>
WP_HD constexpr int32_t len(const mat_t<R, C, T>&) {
  return R;
}
template <typename T>
WP_HD constexpr int32_t len(const quat_t<T>&) {
  return 4;
}
template <typename T>
WP_HD constexpr int32_t len(const transform_t<T>&) {
  return 7;
}
template <typename T>
WP_HD constexpr int32_t len(const array_t<T>& a) {
  return a.ndim > 0 ? a.shape[0] : 0;
}

// ---- block_dim / breakpoint ------------------------------------------------------------

WP_HD int32_t block_dim() {
#if defined(__CUDA_ARCH__)
  return static_cast<int32_t>(blockDim.x);
#else
  return 1;
#endif
}

WP_HD void breakpoint() {}

// ---- expect_* --------------------------------------------------------------------------

namespace detail {

template <typename S>
WP_HD void print_scalar(S s) {
  if constexpr (std::is_same_v<S, bool>) ::printf("%s", s ? "true" : "false");
  else if constexpr (is_float_v<S>) ::printf("%g", static_cast<double>(s));
  else if constexpr (std::is_signed_v<S>) ::printf("%lld", static_cast<long long>(s));
  else ::printf("%llu", static_cast<unsigned long long>(s));
}

// Components printed per row: a matrix's columns, else all of them.
template <typename T>
WP_HD constexpr int row_length() {
  if constexpr (is_mat_v<T>) return T::cols;
  else return component_count_v<T>;
}

// One line: a scalar, or the components of a composite in brackets (matrices row by row).
template <typename T>
WP_HD void print_value_line(const T& v) {
  if constexpr (std::is_arithmetic_v<T> || is_half_v<T>) {
    print_scalar(v);
  } else if constexpr (component_count_v<T> > 1 || is_vec_v<T>) {
    constexpr int row = row_length<T>();
    ::printf("[");
    for (int k = 0; k < component_count_v<T>; ++k) {
      if (k > 0) ::printf(k % row == 0 ? "; " : " ");
      print_scalar(component(v, k));
    }
    ::printf("]");
  } else {
    ::printf("<value>");
  }
  ::printf("\n");
}

template <typename T>
WP_HD void report_failure(const char* what, const T& actual, const T& expected) {
  ::printf("Error, %s() failed:\n", what);
  ::printf("\t Expected: ");
  print_value_line(expected);
  ::printf("\t Actual: ");
  print_value_line(actual);
}

}  // namespace detail

template <typename T>
WP_HD void expect_eq(const T& a, const T& b) {
  if (!(a == b)) detail::report_failure("expect_eq", a, b);
}

template <typename T>
WP_HD void expect_neq(const T& a, const T& b) {
  if (a == b) detail::report_failure("expect_neq", a, b);
}

template <typename V>
  requires(is_float_v<V> || (is_vec_v<V> && is_float_v<scalar_t<V>>))
WP_HD void expect_near(const V& a, const V& b, scalar_t<V> tolerance = scalar_t<V>(1.0e-6)) {
  using F = compute_t<scalar_t<V>>;
  const F tol = static_cast<F>(tolerance);
  bool ok = true;
  for (int k = 0; k < component_count_v<V>; ++k) {
    const F d = static_cast<F>(component(a, k)) - static_cast<F>(component(b, k));
    if (!(libm::fabs(d) <= tol)) ok = false;
  }
  if (!ok) {
    ::printf("Error, expect_near() failed with tolerance ");
    detail::print_value_line(tolerance);
    detail::report_failure("expect_near", a, b);
  }
}

// ---- adjoints ----------------------------------------------------------------------------

template <typename C, typename T>
WP_HD void adj_where(const C& cond, const T& value_if_true, const T& value_if_false, C& adj_cond, T& adj_value_if_true,
                     T& adj_value_if_false, const T& adj_ret) {
  detail::adj_accumulate(detail::truthy(cond) ? adj_value_if_true : adj_value_if_false, adj_ret);
}

template <typename C, typename T>
WP_HD void adj_select(const C& cond, const T& value_if_false, const T& value_if_true, C& adj_cond, T& adj_value_if_false,
                      T& adj_value_if_true, const T& adj_ret) {
  detail::adj_accumulate(detail::truthy(cond) ? adj_value_if_true : adj_value_if_false, adj_ret);
}

// ret = a (1 − t) + b t.
template <typename V>
  requires(is_float_v<scalar_t<V>>)
WP_HD void adj_lerp(const V& a, const V& b, const scalar_t<V>& t, V& adj_a, V& adj_b, scalar_t<V>& adj_t,
                    const V& adj_ret) {
  using F = compute_t<scalar_t<V>>;
  const F tf = static_cast<F>(t);
  F dt = F(0);
  for (int k = 0; k < component_count_v<V>; ++k) {
    const F g = static_cast<F>(component(adj_ret, k));
    detail::adj_add_to(component(adj_a, k), g * (F(1) - tf));
    detail::adj_add_to(component(adj_b, k), g * tf);
    dt += g * (static_cast<F>(component(b, k)) - static_cast<F>(component(a, k)));
  }
  detail::adj_add_to(adj_t, dt);
}

// ret = s(t), t = (x − a)/(b − a) clamped to [0, 1], s' = 6t(1 − t).
template <FloatScalar T>
WP_HD void adj_smoothstep(const T& a, const T& b, const T& x, T& adj_a, T& adj_b, T& adj_x, const T& adj_ret) {
  using F = compute_t<T>;
  const F av = static_cast<F>(a), bv = static_cast<F>(b), xv = static_cast<F>(x);
  const F t = (xv - av) / (bv - av);
  if (!(t > F(0) && t < F(1))) return;
  const F ds = F(6) * t * (F(1) - t) * static_cast<F>(adj_ret);
  const F w = bv - av;
  detail::adj_add_to(adj_x, ds / w);
  detail::adj_add_to(adj_a, ds * (xv - bv) / (w * w));
  detail::adj_add_to(adj_b, -ds * (xv - av) / (w * w));
}

}  // namespace wp
