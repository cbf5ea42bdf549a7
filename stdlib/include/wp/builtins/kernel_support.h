// wp/builtins/kernel_support.h — the small set of helpers generated kernel code uses besides the
// builtins themselves: function qualifiers, range trip counts, sub-array views, assertions.
//
// Contract:
//  * WP_FUNC qualifies generated functions: `static inline` on the host; under nvcc
//    `static __device__ __forceinline__` (generated .cu files define WARPC_DEVICE_CODE before
//    including this header). Builtin implementations use WP_HD (wp/config.h) instead.
//  * wp::range_count(lo, hi, step) is the number of values of Python's range(lo, hi, step);
//    a zero step gives 0 (Python raises; warpc's loops then run no iterations).
//  * wp::array_view_at(a, i…) is `a[i…]` with fewer indices than dimensions: the sub-array
//    (shares memory and the gradient buffer), as Warp's array views.
//  * wp::local_array(storage, extents…) views thread-local storage as an array (wp.zeros in
//    kernel code).
//  * wp::array_from_ptr<T>(address, extents…) views the memory at a uint64 address as a
//    contiguous row-major array without a gradient (wp.array(ptr=…, shape=…, dtype=…) in
//    kernel code).
//  * WP_BOUNDS_CHECK (wp/builtins/bounds_check.h) guards every array access of generated code
//    in WARPC_DEBUG builds.
//  * WP_KERNEL_ASSERT(cond, text) checks `assert` statements only when WARPC_DEBUG is defined
//    (Warp checks asserts in debug mode only); a failure prints the text and traps (device) or
//    aborts (host).
//  * WP_BACKWARD_KERNEL_ATTRS qualifies every backward __global__ kernel: empty, unless the
//    CUDA compile defines WARPC_BACKWARD_MAXNREG=N (add_warp_kernels(… CUDA_DEFINES …),
//    warpc-nvrtc -D), which caps those kernels at N registers per thread (__maxnreg__, CUDA
//    12.4+) — more resident warps for a backward body that is memory-bound, at the price of
//    spills when N is below what the body needs. Forward kernels are never capped.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "wp/ad_stack.h"
#include "wp/array_view.h"
#include "wp/builtins/bounds_check.h"
#include "wp/config.h"
#include "wp/types.h"
#if defined(__CUDACC_RTC__)
#include "wp/rtc/launch_dim.h"  // wp::Dim, Tid, tid_from_index (wp/launch.h is host-only)
#endif

#if defined(__CUDACC__) && defined(WARPC_DEVICE_CODE)
#define WP_FUNC static __device__ __forceinline__
#else
#define WP_FUNC static inline __attribute__((always_inline))
#endif

#if defined(__CUDACC__) && defined(WARPC_BACKWARD_MAXNREG)
#define WP_BACKWARD_KERNEL_ATTRS __maxnreg__(WARPC_BACKWARD_MAXNREG)
#else
#define WP_BACKWARD_KERNEL_ATTRS
#endif

namespace wp {

WP_HD int32_t range_count(int32_t lo, int32_t hi, int32_t step) {
  if (step > 0 && lo < hi) return static_cast<int32_t>((int64_t{hi} - lo + step - 1) / step);
  if (step < 0 && lo > hi) return static_cast<int32_t>((int64_t{lo} - hi - step - 1) / -int64_t{step});
  return 0;
}

// Drops the leading `sizeof...(I)` dimensions of `a` (1 ≤ count < ndim).
template <typename T, typename... I>
WP_HD array_t<T> array_view_at(const array_t<T>& a, I... idx) {
  constexpr int k = static_cast<int>(sizeof...(I));
  const int64_t offsets[] = {static_cast<int64_t>(idx)...};
  int64_t bytes = 0;
  for (int d = 0; d < k; ++d) bytes += offsets[d] * a.strides[d];
  array_t<T> v;
  v.data = array_t<T>::at_byte(a.data, bytes);
  v.grad = a.grad ? array_t<T>::at_byte(a.grad, bytes) : nullptr;
  v.ndim = a.ndim - k;
  for (int d = 0; d < v.ndim; ++d) {
    v.shape[d] = a.shape[d + k];
    v.strides[d] = a.strides[d + k];
  }
  v.flags = a.flags;  // a trailing block of a row-major array stays row-major
  return v;
}

// A contiguous view of thread-local storage (`wp.zeros(shape=…)` inside a kernel): 1–4
// extents, row-major, no gradient buffer (local_array_with_grad: `grad`, in adjoint kernels).
// wp.array(ptr=…, shape=…, dtype=…) in kernel code: contiguous, row-major, no gradient.
template <typename T, typename... I>
WP_HD array_t<T> array_from_ptr(uint64_t address, I... extents) {
  array_t<T> v;
  v.data = reinterpret_cast<T*>(static_cast<uintptr_t>(address));
  v.ndim = static_cast<int>(sizeof...(I));
  const int dims[] = {static_cast<int>(extents)...};
  int64_t stride = static_cast<int64_t>(sizeof(T));
  for (int d = v.ndim - 1; d >= 0; --d) {
    v.shape[d] = dims[d];
    v.strides[d] = stride;
    stride *= dims[d];
  }
  v.flags = array_t<T>::kContiguous;
  return v;
}

template <typename T, typename... I>
WP_HD array_t<T> local_array(T* storage, I... extents) {
  array_t<T> v;
  v.data = storage;
  v.ndim = static_cast<int>(sizeof...(I));
  const int dims[] = {static_cast<int>(extents)...};
  int64_t stride = static_cast<int64_t>(sizeof(T));
  for (int d = v.ndim - 1; d >= 0; --d) {
    v.shape[d] = dims[d];
    v.strides[d] = stride;
    stride *= dims[d];
  }
  v.flags = array_t<T>::kContiguous | array_t<T>::kThreadLocal;
  return v;
}

template <typename T, typename... I>
WP_HD array_t<T> local_array_with_grad(T* storage, T* grad, I... extents) {
  array_t<T> v = local_array(storage, extents...);
  v.grad = grad;
  return v;
}

}  // namespace wp

#if defined(WARPC_DEBUG)
#if defined(__CUDA_ARCH__)
#define WP_KERNEL_ASSERT(cond, text)      \
  do {                                    \
    if (!(cond)) {                        \
      printf("assertion failed: %s\n", text); \
      __trap();                           \
    }                                     \
  } while (0)
#else
#define WP_KERNEL_ASSERT(cond, text)                        \
  do {                                                      \
    if (!(cond)) {                                          \
      std::fprintf(stderr, "assertion failed: %s\n", text); \
      std::abort();                                         \
    }                                                       \
  } while (0)
#endif
#else
#define WP_KERNEL_ASSERT(cond, text) ((void)0)
#endif
