// wp/rtc/std_shim.h — the few standard-library names the builtin headers use, for device code
// compiled by NVRTC (which has no C++ standard library). Only the NVRTC path of warpc-nvrtc
// puts this folder on the include path; the files named like standard headers (cstdint,
// type_traits, cmath …) next to it all include this one.
//
// Contract: under __CUDACC_RTC__ only (an #error otherwise). Provides, in namespace std (and
// the C names globally): the fixed-width integer types and their limits, size_t/ptrdiff_t,
// the type traits of <type_traits> the headers use (built on compiler intrinsics), the <cmath>
// functions the headers call (NVRTC's built-in device math), HUGE_VAL/INFINITY/NAN, INT_MAX …
// It is deliberately tiny: parsing it costs NVRTC well under a millisecond.
#pragma once

#ifndef __CUDACC_RTC__
#error "wp/rtc/std_shim.h is for NVRTC only (warpc-nvrtc)"
#endif

typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
typedef long long intptr_t;
typedef unsigned long long uintptr_t;
typedef unsigned long size_t;
typedef long ptrdiff_t;

#define INT8_MIN (-128)
#define INT8_MAX 127
#define INT16_MIN (-32768)
#define INT16_MAX 32767
#define INT32_MIN (-2147483647 - 1)
#define INT32_MAX 2147483647
#define INT64_MIN (-9223372036854775807LL - 1)
#define INT64_MAX 9223372036854775807LL
#define UINT8_MAX 255
#define UINT16_MAX 65535
#define UINT32_MAX 4294967295u
#define UINT64_MAX 18446744073709551615ull
#define INT8_C(x) x
#define INT16_C(x) x
#define INT32_C(x) x
#define INT64_C(x) x##LL
#define UINT8_C(x) x
#define UINT16_C(x) x
#define UINT32_C(x) x##u
#define UINT64_C(x)  (x ## ULL)  // (as nanovdb/NanoVDB.h spells it for NVRTC)
// NVRTC has no builtin offsetof: this form is not a constant expression (the generated
// structs' offset asserts are host-only), but gives the right value at run time.
#define offsetof(T, member) (reinterpret_cast<size_t>(&(reinterpret_cast<T*>(0)->member)))
#define INT_MIN (-2147483647 - 1)
#define INT_MAX 2147483647
#define UINT_MAX 4294967295u
#define LLONG_MAX 9223372036854775807LL
#define LLONG_MIN (-9223372036854775807LL - 1)
#define CHAR_BIT 8
#define HUGE_VAL (__longlong_as_double(0x7ff0000000000000LL))
#define HUGE_VALF (__int_as_float(0x7f800000))
#define INFINITY HUGE_VALF
#define NAN (__int_as_float(0x7fffffff))

namespace std {
using ::int8_t;
using ::int16_t;
using ::int32_t;
using ::int64_t;
using ::uint8_t;
using ::uint16_t;
using ::uint32_t;
using ::uint64_t;
using ::intptr_t;
using ::uintptr_t;
using ::size_t;
using ::ptrdiff_t;

template <class T, T v>
struct integral_constant {
  static constexpr T value = v;
  using value_type = T;
  using type = integral_constant;
  constexpr operator value_type() const noexcept { return value; }
};
using true_type = integral_constant<bool, true>;
using false_type = integral_constant<bool, false>;

template <class T, class U> struct is_same : false_type {};
template <class T> struct is_same<T, T> : true_type {};
template <class T, class U> inline constexpr bool is_same_v = is_same<T, U>::value;

template <class T> struct type_identity { using type = T; };
template <class T> using type_identity_t = typename type_identity<T>::type;

template <bool B, class T, class F> struct conditional { using type = T; };
template <class T, class F> struct conditional<false, T, F> { using type = F; };
template <bool B, class T, class F> using conditional_t = typename conditional<B, T, F>::type;

template <bool B, class T = void> struct enable_if {};
template <class T> struct enable_if<true, T> { using type = T; };
template <bool B, class T = void> using enable_if_t = typename enable_if<B, T>::type;

template <class T> struct remove_const { using type = T; };
template <class T> struct remove_const<const T> { using type = T; };
template <class T> using remove_const_t = typename remove_const<T>::type;
template <class T> struct remove_volatile { using type = T; };
template <class T> struct remove_volatile<volatile T> { using type = T; };
template <class T> using remove_cv_t = typename remove_volatile<remove_const_t<T>>::type;
template <class T> struct remove_reference { using type = T; };
template <class T> struct remove_reference<T&> { using type = T; };
template <class T> struct remove_reference<T&&> { using type = T; };
template <class T> using remove_reference_t = typename remove_reference<T>::type;
template <class T> using remove_cvref_t = remove_cv_t<remove_reference_t<T>>;
template <class T> using decay_t = remove_cvref_t<T>;

template <class T> inline constexpr bool is_const_v = false;
template <class T> inline constexpr bool is_const_v<const T> = true;
template <class T> inline constexpr bool is_pointer_v = false;
template <class T> inline constexpr bool is_pointer_v<T*> = true;
template <class T> inline constexpr bool is_pointer_v<T* const> = true;

namespace rtc_detail {
template <class T> inline constexpr bool integral = false;
template <> inline constexpr bool integral<bool> = true;
template <> inline constexpr bool integral<char> = true;
template <> inline constexpr bool integral<signed char> = true;
template <> inline constexpr bool integral<unsigned char> = true;
template <> inline constexpr bool integral<short> = true;
template <> inline constexpr bool integral<unsigned short> = true;
template <> inline constexpr bool integral<int> = true;
template <> inline constexpr bool integral<unsigned int> = true;
template <> inline constexpr bool integral<long> = true;
template <> inline constexpr bool integral<unsigned long> = true;
template <> inline constexpr bool integral<long long> = true;
template <> inline constexpr bool integral<unsigned long long> = true;
template <class T> inline constexpr bool floating = false;
template <> inline constexpr bool floating<float> = true;
template <> inline constexpr bool floating<double> = true;
template <> inline constexpr bool floating<long double> = true;
}  // namespace rtc_detail

template <class T> inline constexpr bool is_integral_v = rtc_detail::integral<remove_cv_t<T>>;
template <class T> inline constexpr bool is_floating_point_v = rtc_detail::floating<remove_cv_t<T>>;
template <class T> inline constexpr bool is_arithmetic_v = is_integral_v<T> || is_floating_point_v<T>;
template <class T> struct is_integral : integral_constant<bool, is_integral_v<T>> {};
template <class T> struct is_floating_point : integral_constant<bool, is_floating_point_v<T>> {};
template <class T> struct is_arithmetic : integral_constant<bool, is_arithmetic_v<T>> {};
template <class T> inline constexpr bool is_signed_v = is_arithmetic_v<T> && (T(-1) < T(0));
template <class T> inline constexpr bool is_unsigned_v = is_arithmetic_v<T> && !(T(-1) < T(0));
template <class T> inline constexpr bool is_aggregate_v = __is_aggregate(T);
template <class T> inline constexpr bool is_trivially_copyable_v = __is_trivially_copyable(T);
template <class T> struct is_trivially_copyable : integral_constant<bool, __is_trivially_copyable(T)> {};
template <class T> inline constexpr bool is_standard_layout_v = __is_standard_layout(T);
template <class From, class To> inline constexpr bool is_convertible_v = __is_convertible_to(From, To);

namespace rtc_detail {
template <class T> struct make_unsigned { using type = T; };
template <> struct make_unsigned<char> { using type = unsigned char; };
template <> struct make_unsigned<signed char> { using type = unsigned char; };
template <> struct make_unsigned<short> { using type = unsigned short; };
template <> struct make_unsigned<int> { using type = unsigned int; };
template <> struct make_unsigned<long> { using type = unsigned long; };
template <> struct make_unsigned<long long> { using type = unsigned long long; };
}  // namespace rtc_detail
template <class T> using make_unsigned_t = typename rtc_detail::make_unsigned<remove_cv_t<T>>::type;

// (std::move is not declared here: NVRTC provides ::std::move implicitly, and cuda_fp16.h —
// included by cuda_bf16.h, which wp/bfloat16.h uses — calls it; a second one is ambiguous.)
template <class T> constexpr T&& forward(remove_reference_t<T>& t) noexcept { return static_cast<T&&>(t); }
template <class T> constexpr const T& min(const T& a, const T& b) { return b < a ? b : a; }
template <class T> constexpr const T& max(const T& a, const T& b) { return a < b ? b : a; }

// <cmath>: NVRTC's built-in device math functions, under std:: too.
using ::floor;
using ::ceil;
using ::sqrt;
using ::sin;
using ::cos;
using ::tan;
using ::asin;
using ::acos;
using ::atan;
using ::atan2;
using ::exp;
using ::log;
using ::pow;
using ::fabs;
using ::fmod;
}  // namespace std
