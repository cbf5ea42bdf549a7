// wp/builtins/adjoint_support.h — what generated adjoint (backward) code calls besides the
// builtins' adj_* functions: reading and accumulating array gradients.
//
// Contract:
//  * wp::grad_load(a, i…) is a.grad at the element, or the zero value when `a` has no
//    gradient buffer (a.grad == nullptr).
//  * wp::grad_clear(a, i…) zeroes the element's gradient (the adjoint of a store consumes the
//    gradient of the element it overwrote); a no-op without a gradient buffer.
//  * wp::grad_accum(a, i…, v) adds v to a.grad at the element atomically (wp::atomic_add:
//    thread-safe on the host, CUDA atomics on the device); a no-op without a gradient buffer.
//    Adjoint kernels accumulate the adjoints of non-array kernel arguments the same way, into
//    a one-element array the launcher passes with grad pointing at its data.
#pragma once

#include "wp/builtins/atomic.h"
#include "wp/builtins/kernel_support.h"

namespace wp {

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
template <typename T, typename V>
WP_HD void grad_accum_1(const array_t<T>& a, int64_t i, const V& v) {
  if (a.grad) atomic_add(grad_as_data(a), i, v);
}
template <typename T, typename V>
WP_HD void grad_accum_2(const array_t<T>& a, int64_t i, int64_t j, const V& v) {
  if (a.grad) atomic_add(grad_as_data(a), i, j, v);
}
template <typename T, typename V>
WP_HD void grad_accum_3(const array_t<T>& a, int64_t i, int64_t j, int64_t k, const V& v) {
  if (a.grad) atomic_add(grad_as_data(a), i, j, k, v);
}
template <typename T, typename V>
WP_HD void grad_accum_4(const array_t<T>& a, int64_t i, int64_t j, int64_t k, int64_t l, const V& v) {
  if (a.grad) atomic_add(grad_as_data(a), i, j, k, l, v);
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

}  // namespace wp
