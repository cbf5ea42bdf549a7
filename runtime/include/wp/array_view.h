// wp/array_view.h — wp::array_t<T>: the plain view of an array that kernels receive.
//
// Contract:
//  * A POD (trivially copyable, standard layout) passed by value to kernels:
//    data, grad (nullptr when the array has no gradient), shape[4] (int, as in Warp),
//    strides[4] in BYTES (int64_t: Warp uses int; 64-bit strides keep > 2 GiB rows correct),
//    ndim, flags (kContiguous when the elements are densely packed row-major; kThreadLocal for
//    a kernel-local array, whose gradient is accumulated without atomics).
//    Unused trailing shape/stride entries are 0.
//  * operator()(i[, j[, k[, l]]]) returns the element at byte offset Σ index_d · strides[d];
//    adj(…) is the same element of the gradient. No bounds checks here: debug builds of
//    generated code check every access before it (wp/builtins/bounds_check.h).
//  * Indices are int64_t so that flat launch indices can be used directly.
#pragma once

#include <cstdint>
#include <type_traits>

#include "wp/config.h"

namespace wp {

template <typename T>
struct array_t {
  static constexpr uint32_t kContiguous = 1u;
  static constexpr uint32_t kThreadLocal = 2u;  // storage private to one thread (wp.zeros in a kernel)

  T* data = nullptr;
  T* grad = nullptr;
  int shape[4] = {0, 0, 0, 0};
  int64_t strides[4] = {0, 0, 0, 0};
  int ndim = 0;
  uint32_t flags = 0;

  WP_HD int64_t size() const {
    int64_t n = ndim > 0 ? 1 : 0;
    for (int d = 0; d < ndim; ++d) n *= shape[d];
    return n;
  }
  WP_HD bool is_contiguous() const { return (flags & kContiguous) != 0; }

  WP_HD int64_t offset(int64_t i) const { return i * strides[0]; }
  WP_HD int64_t offset(int64_t i, int64_t j) const { return i * strides[0] + j * strides[1]; }
  WP_HD int64_t offset(int64_t i, int64_t j, int64_t k) const {
    return i * strides[0] + j * strides[1] + k * strides[2];
  }
  WP_HD int64_t offset(int64_t i, int64_t j, int64_t k, int64_t l) const {
    return i * strides[0] + j * strides[1] + k * strides[2] + l * strides[3];
  }

  template <typename... I>
  WP_HD T& operator()(I... idx) const {
    static_assert(sizeof...(I) >= 1 && sizeof...(I) <= 4, "1 to 4 indices");
    return *at_byte(data, offset(static_cast<int64_t>(idx)...));
  }
  template <typename... I>
  WP_HD T& adj(I... idx) const {
    static_assert(sizeof...(I) >= 1 && sizeof...(I) <= 4, "1 to 4 indices");
    return *at_byte(grad, offset(static_cast<int64_t>(idx)...));
  }

  WP_HD static T* at_byte(T* base, int64_t byte_offset) {
    using Byte = std::conditional_t<std::is_const_v<T>, const char, char>;
    return reinterpret_cast<T*>(reinterpret_cast<Byte*>(base) + byte_offset);
  }
};

static_assert(std::is_trivially_copyable_v<array_t<float>> &&
              std::is_standard_layout_v<array_t<float>>);
static_assert(sizeof(array_t<float>) == 2 * sizeof(void*) + 16 + 32 + 8);

}  // namespace wp
