// wp/bfloat16.h — wp::bfloat16, Warp's bfloat16: the top 16 bits of an IEEE 754 binary32
// (1 sign bit, 8 exponent bits, 7 mantissa bits), stored as 16 raw bits.
//
// Contract:
//  * Trivially copyable, standard layout, 2 bytes (arrays of bfloat16 are shared with Warp and
//    with CUDA's __nv_bfloat16 byte for byte). `bfloat16 b{}` is +0; `bfloat16 b;` is
//    uninitialised like a built-in scalar.
//  * Conversions are explicit: wp::bfloat16(1.5f), float(b), static_cast<int32_t>(b),
//    wp::bfloat16(h) / wp::half(b) for wp::half h (through float, as Warp does).
//    float → bfloat16 rounds to nearest, ties to even (overflow → ±inf; a NaN becomes the
//    canonical quiet NaN 0x7fff, as CUDA's conversion does; subnormals are kept, the exponent
//    range being float's). bfloat16 → float is exact
//    (a 16-bit shift). double and integers convert through float, as Warp does.
//    On the host the conversion is portable bit code (constexpr: module constants of type
//    bfloat16); in CUDA device code (nvcc or NVRTC) it is cuda_bf16.h's __float2bfloat16_rn /
//    __bfloat162float — the same rounding, so host and device agree bit for bit.
//  * Arithmetic (+ - * / unary ±, compound forms; wp/packed_float.h) converts to float,
//    computes, rounds back.
//    Comparisons compare the float values (-0 == +0; NaN compares unequal to itself).
//  * bfloat16::from_bits(u) / b.bits give the raw encoding.
#pragma once

#include <cstdint>
#include <type_traits>

#include "wp/config.h"
#include "wp/packed_float.h"
#include "wp/half.h"

#if defined(__CUDACC__)
#include <cuda_bf16.h>
#endif

namespace wp {

namespace bfloat16_detail {

template <typename To, typename From>
WP_HD constexpr To bit_cast(const From& v) {
  static_assert(sizeof(To) == sizeof(From));
  return __builtin_bit_cast(To, v);
}

// The bfloat16 nearest to `f`, ties to even: add just under half a unit of the kept part (plus
// its last bit, for ties to even) and truncate. A carry out of the mantissa moves into the
// exponent, and from the largest finite value into inf, exactly as IEEE rounding does.
WP_HD constexpr uint16_t float_to_bits_portable(float f) {
  const uint32_t x = bit_cast<uint32_t>(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return 0x7fffu;  // canonical NaN
  const uint32_t lsb = (x >> 16) & 1u;
  return static_cast<uint16_t>((x + 0x7fffu + lsb) >> 16);
}

WP_HD constexpr float bits_to_float_portable(uint16_t b) {
  return bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

#if defined(__CUDA_ARCH__)
__device__ inline uint16_t float_to_bits_device(float f) {
  return static_cast<__nv_bfloat16_raw>(__float2bfloat16_rn(f)).x;
}
__device__ inline float bits_to_float_device(uint16_t b) {
  __nv_bfloat16_raw r;
  r.x = b;
  return __bfloat162float(__nv_bfloat16(r));
}
#endif

WP_HD constexpr uint16_t float_to_bits(float f) {
#if defined(__CUDA_ARCH__)
  if (!__builtin_is_constant_evaluated()) return float_to_bits_device(f);
#endif
  return float_to_bits_portable(f);
}

WP_HD constexpr float bits_to_float(uint16_t b) {
#if defined(__CUDA_ARCH__)
  if (!__builtin_is_constant_evaluated()) return bits_to_float_device(b);
#endif
  return bits_to_float_portable(b);
}

}  // namespace bfloat16_detail

struct bfloat16 : packed_float<bfloat16> {
  uint16_t bits;

  bfloat16() = default;
  WP_HD constexpr explicit bfloat16(float f) : bits(bfloat16_detail::float_to_bits(f)) {}
  WP_HD constexpr explicit bfloat16(double d) : bits(bfloat16_detail::float_to_bits(static_cast<float>(d))) {}
  template <typename I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  WP_HD constexpr explicit bfloat16(I i) : bits(bfloat16_detail::float_to_bits(static_cast<float>(i))) {}
  WP_HD constexpr explicit bfloat16(half h) : bits(bfloat16_detail::float_to_bits(static_cast<float>(h))) {}

  WP_HD static constexpr bfloat16 from_bits(uint16_t u) {
    bfloat16 b{};
    b.bits = u;
    return b;
  }

  WP_HD constexpr explicit operator float() const { return bfloat16_detail::bits_to_float(bits); }
  WP_HD constexpr explicit operator half() const { return half(bfloat16_detail::bits_to_float(bits)); }
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, float>, int> = 0>
  WP_HD constexpr explicit operator T() const {
    return static_cast<T>(bfloat16_detail::bits_to_float(bits));
  }
};

static_assert(sizeof(bfloat16) == 2 && alignof(bfloat16) == 2);
static_assert(std::is_trivially_copyable_v<bfloat16> && std::is_standard_layout_v<bfloat16>);

}  // namespace wp
