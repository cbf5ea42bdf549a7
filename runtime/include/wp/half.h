// wp/half.h — wp::half, Warp's float16: IEEE 754 binary16 stored as 16 raw bits.
//
// Contract:
//  * Trivially copyable, standard layout, 2 bytes (arrays of half are shared with Warp byte for
//    byte). `half h{}` is +0; `half h;` is uninitialised like a built-in scalar.
//  * Conversions are explicit: wp::half(1.5f), float(h), static_cast<int32_t>(h).
//    float → half rounds to nearest, ties to even, exactly as IEEE (overflow → ±inf, NaN stays
//    NaN with its top payload bits, subnormals are produced and read). The conversion is the
//    same portable bit code on host and device, so results agree bit for bit, and it is
//    constexpr (module constants of type half). double and integers convert through float
//    (as Warp and CUDA's cvt do).
//  * Arithmetic (+ - * / unary ±, compound forms; wp/packed_float.h) converts to float,
//    computes, rounds back.
//    Comparisons compare the float values (so -0 == +0 and NaN compares unequal to itself).
//  * half::from_bits(u) / h.bits give the raw encoding.
#pragma once

#include <cstdint>
#include <type_traits>

#include "wp/config.h"
#include "wp/packed_float.h"

namespace wp {

namespace half_detail {

template <typename To, typename From>
WP_HD constexpr To bit_cast(const From& v) {
  static_assert(sizeof(To) == sizeof(From));
  return __builtin_bit_cast(To, v);
}

// Rounds the float bit pattern `x` to binary16 with ties to even.
WP_HD constexpr uint16_t float_to_bits(float f) {
  const uint32_t x = bit_cast<uint32_t>(f);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t ax = x & 0x7fffffffu;
  if (ax >= 0x7f800000u) {  // inf or NaN (NaN: quiet, keep the top payload bits)
    return static_cast<uint16_t>(sign | 0x7c00u | (ax > 0x7f800000u ? 0x0200u | ((ax >> 13) & 0x3ffu) : 0u));
  }
  if (ax >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // ≥ 65520 rounds to inf
  if (ax < 0x33000000u) return static_cast<uint16_t>(sign);            // < 2^-25 rounds to 0
  uint32_t bits = 0, rem = 0, halfway = 0;
  if (ax < 0x38800000u) {  // result is subnormal: units of 2^-24
    const uint32_t shift = 126u - (ax >> 23);  // 14 … 24
    const uint32_t m = (ax & 0x7fffffu) | 0x800000u;
    bits = m >> shift;
    rem = m & ((1u << shift) - 1u);
    halfway = 1u << (shift - 1u);
  } else {  // normal: rebias the exponent (127 → 15), keep 10 mantissa bits
    bits = (((ax >> 23) - 112u) << 10) | ((ax & 0x7fffffu) >> 13);
    rem = ax & 0x1fffu;
    halfway = 0x1000u;
  }
  if (rem > halfway || (rem == halfway && (bits & 1u))) ++bits;  // a carry moves into the exponent
  return static_cast<uint16_t>(sign | bits);
}

WP_HD constexpr float bits_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t e = (h >> 10) & 0x1fu;
  const uint32_t m = h & 0x3ffu;
  if (e == 0) {  // zero or subnormal: m · 2^-24, exact in float
    const float mag = static_cast<float>(m) * 5.9604644775390625e-8f;
    return bit_cast<float>(bit_cast<uint32_t>(mag) | sign);
  }
  if (e == 31) return bit_cast<float>(sign | 0x7f800000u | (m << 13));
  return bit_cast<float>(sign | ((e + 112u) << 23) | (m << 13));
}

}  // namespace half_detail

struct half : packed_float<half> {
  uint16_t bits;

  half() = default;
  WP_HD constexpr explicit half(float f) : bits(half_detail::float_to_bits(f)) {}
  WP_HD constexpr explicit half(double d) : bits(half_detail::float_to_bits(static_cast<float>(d))) {}
  template <typename I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  WP_HD constexpr explicit half(I i) : bits(half_detail::float_to_bits(static_cast<float>(i))) {}

  WP_HD static constexpr half from_bits(uint16_t u) {
    half h{};
    h.bits = u;
    return h;
  }

  WP_HD constexpr explicit operator float() const { return half_detail::bits_to_float(bits); }
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, float>, int> = 0>
  WP_HD constexpr explicit operator T() const {
    return static_cast<T>(half_detail::bits_to_float(bits));
  }
};

static_assert(sizeof(half) == 2 && alignof(half) == 2);
static_assert(std::is_trivially_copyable_v<half> && std::is_standard_layout_v<half>);

using float16 = half;

}  // namespace wp
