// wp/builtins/wide_access.h — wide (16-byte vector) loads and stores for generated CUDA kernels
// whose accesses warpc widened (compiler/codegen/widen_access.h, docs/codegen.md "Wide access").
//
// Contract:
//  * wp::detail::wide_ok(a, n, lanes) (host): the 1-D view `a` can be accessed `lanes` elements
//    at a time over indices [0, n): contiguous (stride = sizeof(T)), at least n elements, data
//    16-byte aligned. `lanes` * sizeof(T) must be a multiple of 16 (the generator guarantees it).
//  * wp::detail::wide_load<K>(buf, a, i0) / wide_store<K>(a, i0, buf) (device): copy elements
//    i0 … i0+K-1 between the array and the thread-local buffer with 16-byte accesses; i0 must be
//    a multiple of K and the view must have passed wide_ok. The buffers stay in registers when
//    the caller's indices into them are compile-time constants (the generated lane loop is
//    fully unrolled).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "wp/array_view.h"
#include "wp/config.h"

namespace wp::detail {

template <typename T>
inline bool wide_ok(const array_t<T>& a, int64_t n, int lanes) {
  return a.ndim == 1 && a.strides[0] == static_cast<int64_t>(sizeof(T)) && a.shape[0] >= n &&
         (reinterpret_cast<uintptr_t>(a.data) % 16) == 0 && (lanes * sizeof(T)) % 16 == 0;
}

#if defined(__CUDACC__)

template <int K, typename T>
__device__ __forceinline__ void wide_load(T (&buf)[K], const array_t<T>& a, int64_t i0) {
  static_assert((K * sizeof(T)) % 16 == 0, "lanes must fill whole 16-byte words");
  constexpr int kWords = static_cast<int>(K * sizeof(T) / 16);
  const uint4* src = reinterpret_cast<const uint4*>(a.data + i0);
  uint4 raw[kWords];
#pragma unroll
  for (int w = 0; w < kWords; ++w) raw[w] = src[w];
  memcpy(static_cast<void*>(buf), raw, sizeof(raw));
}

template <int K, typename T>
__device__ __forceinline__ void wide_store(const array_t<T>& a, int64_t i0, const T (&buf)[K]) {
  static_assert((K * sizeof(T)) % 16 == 0, "lanes must fill whole 16-byte words");
  constexpr int kWords = static_cast<int>(K * sizeof(T) / 16);
  uint4 raw[kWords];
  memcpy(raw, static_cast<const void*>(buf), sizeof(raw));
  uint4* dst = reinterpret_cast<uint4*>(a.data + i0);
#pragma unroll
  for (int w = 0; w < kWords; ++w) dst[w] = raw[w];
}

#endif  // __CUDACC__

}  // namespace wp::detail
