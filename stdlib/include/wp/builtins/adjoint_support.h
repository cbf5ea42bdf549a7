// wp/builtins/adjoint_support.h — what generated adjoint (backward) code calls besides the
// builtins' adj_* functions: reading and accumulating array gradients.
//
// Contract:
//  * wp::grad_load(a, i…) is a.grad at the element, or the zero value when `a` has no
//    gradient buffer (a.grad == nullptr).
//  * wp::grad_clear(a, i…) zeroes the element's gradient (the adjoint of a store consumes the
//    gradient of the element it overwrote); a no-op without a gradient buffer.
//  * wp::grad_accum(a, i…, v) adds v to a.grad at the element atomically (wp::atomic_add:
//    thread-safe on the host, CUDA atomics on the device; on sm_90+ a float composite goes out
//    as vector reductions, wp::atomic_detail::add_no_return) — plainly for a kernel-local array
//    (kThreadLocal: one thread's storage); a no-op without a gradient buffer.
//    Adjoint kernels accumulate the adjoints of non-array kernel arguments the same way, into
//    a one-element array the launcher passes with grad pointing at its data.
//  * wp::grad_accum_arg(a, i…, v) is grad_accum for a kernel's array argument, which is never
//    kernel-local (no thread-local branch): backward kernels use it for their parameters.
//  * wp::grad_accum_arg_pair(a, b, i…, va, vb) is grad_accum_arg for two arguments at the same
//    index (a and b may be the same array): the same two additions, aggregated together under
//    WARPC_AGGREGATE_ATOMICS (one warp match for both).
//  * wp::adjoint_zero<T>() is the value adjoint accumulators start from: T's zero with every
//    floating-point component -0.0 (integers 0, other types T{}). Adjoints only ever add into
//    it, and -0.0 + x == x exactly for every x (+0.0 + x is not x when x is -0.0), so the
//    compiler may drop the first addition into every accumulator; a gradient that receives
//    nothing reads as -0.0, which compares equal to 0.
#pragma once

#include "wp/builtins/atomic.h"
#include "wp/builtins/core.h"
#include "wp/builtins/kernel_support.h"

namespace wp {

namespace detail {
template <typename T>
struct AdjointZero {
  WP_HD static T make() { return T{}; }
};
template <>
struct AdjointZero<float> {
  WP_HD static float make() { return -0.0f; }
};
template <>
struct AdjointZero<double> {
  WP_HD static double make() { return -0.0; }
};
template <>
struct AdjointZero<half> {
  WP_HD static half make() { return half::from_bits(0x8000u); }
};
template <>
struct AdjointZero<bfloat16> {
  WP_HD static bfloat16 make() { return bfloat16::from_bits(0x8000u); }
};
template <int N, typename T>
struct AdjointZero<vec_t<N, T>> {
  WP_HD static vec_t<N, T> make() {
    vec_t<N, T> v{};
    for (int i = 0; i < N; ++i) v.c[i] = AdjointZero<T>::make();
    return v;
  }
};
template <int R, int C, typename T>
struct AdjointZero<mat_t<R, C, T>> {
  WP_HD static mat_t<R, C, T> make() {
    mat_t<R, C, T> m{};
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < C; ++j) m.data[i][j] = AdjointZero<T>::make();
    return m;
  }
};
template <typename T>
struct AdjointZero<quat_t<T>> {
  WP_HD static quat_t<T> make() {
    const T z = AdjointZero<T>::make();
    return quat_t<T>{z, z, z, z};
  }
};
template <typename T>
struct AdjointZero<transform_t<T>> {
  WP_HD static transform_t<T> make() {
    return transform_t<T>{AdjointZero<vec_t<3, T>>::make(), AdjointZero<quat_t<T>>::make()};
  }
};
}  // namespace detail

template <typename T>
WP_HD T adjoint_zero() {
  return detail::AdjointZero<T>::make();
}

template <typename T, typename... I>
WP_HD T grad_load(const array_t<T>& a, I... idx) {
  if (!a.grad) return T{};
  return a.adj(idx...);
}

namespace detail {
template <typename T>
WP_HD array_t<T> grad_as_data(const array_t<T>& a) {
  array_t<T> g = a;
  g.data = a.grad;
  g.grad = nullptr;
  return g;
}
}  // namespace detail

namespace detail {
// a.grad[idx] += v: atomically, except for a thread's own local array (no atomics on its storage).
template <typename T, typename V, typename... I>
WP_HD void grad_add(const array_t<T>& a, const V& v, I... idx) {
  if (a.flags & array_t<T>::kThreadLocal) adj_accumulate(a.adj(idx...), static_cast<T>(v));
  else atomic_detail::add_no_return<T>(&grad_as_data(a)(idx...), static_cast<T>(v));
}

template <typename T, typename V>
WP_HD void grad_accum_1(const array_t<T>& a, int64_t i, const V& v) {
  if (a.grad) grad_add(a, v, i);
}
template <typename T, typename V>
WP_HD void grad_accum_2(const array_t<T>& a, int64_t i, int64_t j, const V& v) {
  if (a.grad) grad_add(a, v, i, j);
}
template <typename T, typename V>
WP_HD void grad_accum_3(const array_t<T>& a, int64_t i, int64_t j, int64_t k, const V& v) {
  if (a.grad) grad_add(a, v, i, j, k);
}
template <typename T, typename V>
WP_HD void grad_accum_4(const array_t<T>& a, int64_t i, int64_t j, int64_t k, int64_t l, const V& v) {
  if (a.grad) grad_add(a, v, i, j, k, l);
}
}  // namespace detail

// Zeroes the gradient of one element (a store's adjoint has consumed it); no-op without one.
template <typename T, typename... I>
WP_HD void grad_clear(const array_t<T>& a, I... idx) {
  if (a.grad) a.adj(idx...) = T{};
}

template <typename T, typename I0>
WP_HD void grad_accum(const array_t<T>& a, I0 i, const T& v) { detail::grad_accum_1(a, i, v); }
template <typename T, typename I0, typename I1>
WP_HD void grad_accum(const array_t<T>& a, I0 i, I1 j, const T& v) { detail::grad_accum_2(a, i, j, v); }
template <typename T, typename I0, typename I1, typename I2>
WP_HD void grad_accum(const array_t<T>& a, I0 i, I1 j, I2 k, const T& v) { detail::grad_accum_3(a, i, j, k, v); }
template <typename T, typename I0, typename I1, typename I2, typename I3>
WP_HD void grad_accum(const array_t<T>& a, I0 i, I1 j, I2 k, I3 l, const T& v) {
  detail::grad_accum_4(a, i, j, k, l, v);
}

// grad_accum_arg(a, i…, v): grad_accum for an array that is a kernel's own argument (never a
// kernel-local array, so no thread-local branch): what backward kernels emit for their array
// parameters.
template <typename T, typename I0>
WP_HD void grad_accum_arg(const array_t<T>& a, I0 i, const T& v) {
  if (a.grad) atomic_detail::add_no_return<T>(&detail::grad_as_data(a)(i), v);
}
template <typename T, typename I0, typename I1>
WP_HD void grad_accum_arg(const array_t<T>& a, I0 i, I1 j, const T& v) {
  if (a.grad) atomic_detail::add_no_return<T>(&detail::grad_as_data(a)(i, j), v);
}
template <typename T, typename I0, typename I1, typename I2>
WP_HD void grad_accum_arg(const array_t<T>& a, I0 i, I1 j, I2 k, const T& v) {
  if (a.grad) atomic_detail::add_no_return<T>(&detail::grad_as_data(a)(i, j, k), v);
}
template <typename T, typename I0, typename I1, typename I2, typename I3>
WP_HD void grad_accum_arg(const array_t<T>& a, I0 i, I1 j, I2 k, I3 l, const T& v) {
  if (a.grad) atomic_detail::add_no_return<T>(&detail::grad_as_data(a)(i, j, k, l), v);
}


// grad_accum_arg_pair(a, b, i…, va, vb): grad_accum_arg(a, i…, va) and grad_accum_arg(b, i…, vb)
// — two kernel arguments' gradients at the same index, which backward kernels emit together
// so that warp aggregation (WARPC_AGGREGATE_ATOMICS) groups the lanes once for both.
namespace detail {
// A key that identifies the element an index names in any array, for the warp aggregation of a
// pair of gradient scatters: the index itself (one index, or two 32-bit ones). Other index
// lists have none (the two scatters then aggregate separately).
template <typename... I>
inline constexpr bool kPairKeyed =
    sizeof...(I) == 1 || (sizeof...(I) == 2 && ((sizeof(I) <= 4 && std::is_integral_v<I>) && ...));
template <typename I0>
WP_HD unsigned long long pair_key(I0 i) {
  return static_cast<unsigned long long>(static_cast<int64_t>(i));
}
template <typename I0, typename I1>
WP_HD unsigned long long pair_key(I0 i, I1 j) {
  return (static_cast<unsigned long long>(static_cast<uint32_t>(i)) << 32) | static_cast<uint32_t>(j);
}
}  // namespace detail

template <typename T, typename U, typename... I>
WP_HD void grad_accum_arg_pair_at(const array_t<T>& a, const array_t<U>& b, const T& va, const U& vb, I... idx) {
  if constexpr (detail::kPairKeyed<I...>) {
    if (a.grad && b.grad) {
      atomic_detail::add_no_return_pair<T, U>(&detail::grad_as_data(a)(idx...), &detail::grad_as_data(b)(idx...), va,
                                              vb, detail::pair_key(idx...));
      return;
    }
  }
  if (a.grad) atomic_detail::add_no_return<T>(&detail::grad_as_data(a)(idx...), va);
  if (b.grad) atomic_detail::add_no_return<U>(&detail::grad_as_data(b)(idx...), vb);
}
template <typename T, typename U, typename I0>
WP_HD void grad_accum_arg_pair(const array_t<T>& a, const array_t<U>& b, I0 i, const T& va, const U& vb) {
  grad_accum_arg_pair_at(a, b, va, vb, i);
}
template <typename T, typename U, typename I0, typename I1>
WP_HD void grad_accum_arg_pair(const array_t<T>& a, const array_t<U>& b, I0 i, I1 j, const T& va, const U& vb) {
  grad_accum_arg_pair_at(a, b, va, vb, i, j);
}
template <typename T, typename U, typename I0, typename I1, typename I2>
WP_HD void grad_accum_arg_pair(const array_t<T>& a, const array_t<U>& b, I0 i, I1 j, I2 k, const T& va,
                               const U& vb) {
  grad_accum_arg_pair_at(a, b, va, vb, i, j, k);
}
template <typename T, typename U, typename I0, typename I1, typename I2, typename I3>
WP_HD void grad_accum_arg_pair(const array_t<T>& a, const array_t<U>& b, I0 i, I1 j, I2 k, I3 l, const T& va,
                               const U& vb) {
  grad_accum_arg_pair_at(a, b, va, vb, i, j, k, l);
}

}  // namespace wp
