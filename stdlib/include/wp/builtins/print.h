// wp/builtins/print.h — print and printf from kernels (host: the C library's printf on
// stdout; device: CUDA's printf).
//
// Contract:
//  * wp::print(value) writes one line in Warp's kernel format:
//      bool "True"/"False"; signed integers %d (64-bit %lld); unsigned %u (64-bit %llu);
//      half/float/double %g; strings as is;
//      vec_t "%g " per component ("1 2 3 "); quat_t "%g %g %g %g" (x y z w);
//      mat_t one line per row, "%g " per element; transform_t "(%g %g %g) (%g %g %g %g)";
//      composites print each component as float, as Warp does; anything else prints
//      "<type without print implementation>".
//    print(a, b, …) writes the values on one line separated by single spaces.
//  * wp::printf(fmt, args…) is C's printf with the default promotions made explicit for
//    Warp's scalar types: half and bfloat16 → double, bool → int; composite arguments are not allowed.
//  * Device output appears when the kernel's stream synchronises (CUDA's printf buffer).
#pragma once

#include <cstdint>
#include <cstdio>
#include <type_traits>

#include "wp/builtins/kernel_support.h"

namespace wp {

namespace print_detail {

// printf's argument for one Warp scalar.
template <typename T>
WP_HD auto c_arg(T v) {
  if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>)
    return static_cast<double>(static_cast<float>(v));
  else if constexpr (std::is_same_v<T, bool>)
    return static_cast<int>(v);
  else if constexpr (std::is_floating_point_v<T>)
    return static_cast<double>(v);
  else if constexpr (std::is_integral_v<T> && std::is_signed_v<T> && sizeof(T) == 8)
    return static_cast<long long>(v);
  else if constexpr (std::is_integral_v<T> && sizeof(T) == 8)
    return static_cast<unsigned long long>(v);
  else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>)
    return static_cast<int>(v);
  else if constexpr (std::is_integral_v<T>)
    return static_cast<unsigned int>(v);
  else if constexpr (std::is_pointer_v<T>)
    return v;  // strings (arrays decay on the way in)
  else {
    static_assert(std::is_arithmetic_v<T>, "wp::printf formats scalars and strings only");
    return v;
  }
}

// A composite component, printed as Warp does: converted to float, then %g.
template <typename T>
WP_HD double component(T v) {
  return static_cast<double>(static_cast<float>(v));
}

WP_HD void put(const char* text) {
  ::printf("%s", text);
}

template <typename T>
WP_HD void scalar(T v) {
  if constexpr (std::is_same_v<T, bool>)
    put(v ? "True" : "False");
  else if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16> || std::is_floating_point_v<T>)
    ::printf("%g", c_arg(v));
  else if constexpr (std::is_signed_v<T> && sizeof(T) == 8)
    ::printf("%lld", c_arg(v));
  else if constexpr (sizeof(T) == 8)
    ::printf("%llu", c_arg(v));
  else if constexpr (std::is_signed_v<T>)
    ::printf("%d", c_arg(v));
  else
    ::printf("%u", c_arg(v));
}

template <typename T>
inline constexpr bool is_scalar_v = std::is_arithmetic_v<T> || std::is_same_v<T, half> || std::is_same_v<T, bfloat16>;

// One value, without the final newline.
template <typename T>
WP_HD void value(const T& v) {
  if constexpr (is_scalar_v<T>)
    scalar(v);
  else if constexpr (std::is_convertible_v<const T&, const char*>)
    put(static_cast<const char*>(v));
  else
    put("<type without print implementation>");
}

template <int N, typename S>
WP_HD void value(const vec_t<N, S>& v) {
  for (int i = 0; i < N; ++i) ::printf("%g ", component(v.c[i]));
}

template <typename S>
WP_HD void value(const quat_t<S>& q) {
  ::printf("%g %g %g %g", component(q.x), component(q.y), component(q.z), component(q.w));
}

template <int R, int C, typename S>
WP_HD void value(const mat_t<R, C, S>& m) {
  for (int i = 0; i < R; ++i) {
    if (i > 0) put("\n");
    for (int j = 0; j < C; ++j) ::printf("%g ", component(m.data[i][j]));
  }
}

template <typename S>
WP_HD void value(const transform_t<S>& t) {
  ::printf("(%g %g %g) (%g %g %g %g)", component(t.p.c[0]), component(t.p.c[1]), component(t.p.c[2]),
           component(t.q.x), component(t.q.y), component(t.q.z), component(t.q.w));
}

}  // namespace print_detail

template <typename T, typename... Rest>
WP_HD void print(const T& first, const Rest&... rest) {
  print_detail::value(first);
  ((print_detail::put(" "), print_detail::value(rest)), ...);
  print_detail::put("\n");
}

// An empty print() writes an empty line, as Python's does.
WP_HD void print() {
  print_detail::put("\n");
}

template <typename... Args>
WP_HD void printf(const char* fmt, const Args&... args) {
  ::printf(fmt, print_detail::c_arg(args)...);
}

}  // namespace wp
