// wp/types.h — Warp's value types: vectors, matrices, quaternions, transforms (host and device).
//
// Contract:
//  * Plain aggregates (trivially copyable, standard layout) with exactly Warp's memory layout:
//    vec_t<N,T> is T c[N]; mat_t<R,C,T> is T data[R][C] (row-major); quat_t<T> is x, y, z, w;
//    transform_t<T> is a vec_t<3,T> p followed by a quat_t<T> q. Sizes are static_asserted,
//    so arrays of these types can be shared with kernels and with Warp itself byte for byte.
//  * Aggregate initialisation works: wp::vec3{1, 2, 3}, wp::mat22{1, 0, 0, 1}.
//  * Every function is WP_HD (callable from CUDA device code; no --expt-relaxed-constexpr
//    needed) and constexpr. Only a few operators live here (component access, == and != on
//    every type, +, -, unary -, scalar *, matrix * vector); the builtin library
//    (stdlib/include/wp/builtins/) has the rest.
//  * Scalars: wp::half (float16, wp/half.h), wp::bfloat16 (wp/bfloat16.h) and Warp's scalar
//    names (float32, int8, uint64 …). Warp has no suffixed names for bfloat16 composites
//    (vec_t<3, bfloat16> is `wp.types.vector(3, wp.bfloat16)`), so none are defined here.
//  * Aliases for every Warp type name: vec{2,3,4}{h,f,d,b,s,i,l,ub,us,ui,ul} (b/s/i/l = int8/16/
//    32/64, u… unsigned), mat{22,33,44}{h,f,d}, quat{h,f,d}, transform{h,f,d},
//    spatial_vector{h,f,d} (vec_t<6,T>), spatial_matrix{h,f,d} (mat_t<6,6,T>), and the
//    unsuffixed float32 names (vec3, mat33, quat, transform, spatial_vector, spatial_matrix).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "wp/config.h"
#include "wp/bfloat16.h"
#include "wp/half.h"

namespace wp {

// ---- vec_t -----------------------------------------------------------------------------

template <int N, typename T>
struct vec_t {
  static_assert(N >= 1, "vec_t needs at least one component");
  using value_type = T;
  static constexpr int length = N;

  T c[N];

  WP_HD constexpr T& operator[](int i) { return c[i]; }
  WP_HD constexpr const T& operator[](int i) const { return c[i]; }
};

template <int N, typename T>
WP_HD constexpr bool operator==(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  for (int i = 0; i < N; ++i)
    if (!(a.c[i] == b.c[i])) return false;
  return true;
}

template <int N, typename T>
WP_HD constexpr bool operator!=(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  return !(a == b);
}

template <int N, typename T>
WP_HD constexpr vec_t<N, T> operator+(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  vec_t<N, T> r{};
  for (int i = 0; i < N; ++i) r.c[i] = a.c[i] + b.c[i];
  return r;
}

template <int N, typename T>
WP_HD constexpr vec_t<N, T> operator-(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  vec_t<N, T> r{};
  for (int i = 0; i < N; ++i) r.c[i] = a.c[i] - b.c[i];
  return r;
}

template <int N, typename T>
WP_HD constexpr vec_t<N, T> operator-(const vec_t<N, T>& a) {
  vec_t<N, T> r{};
  for (int i = 0; i < N; ++i) r.c[i] = -a.c[i];
  return r;
}

template <int N, typename T>
WP_HD constexpr vec_t<N, T> operator*(const vec_t<N, T>& a, T s) {
  vec_t<N, T> r{};
  for (int i = 0; i < N; ++i) r.c[i] = a.c[i] * s;
  return r;
}

template <int N, typename T>
WP_HD constexpr vec_t<N, T> operator*(T s, const vec_t<N, T>& a) {
  return a * s;
}

// ---- mat_t -----------------------------------------------------------------------------

template <int R, int C, typename T>
struct mat_t {
  static_assert(R >= 1 && C >= 1, "mat_t needs at least one row and one column");
  using value_type = T;
  static constexpr int rows = R;
  static constexpr int cols = C;

  T data[R][C];

  WP_HD constexpr T& operator()(int i, int j) { return data[i][j]; }
  WP_HD constexpr const T& operator()(int i, int j) const { return data[i][j]; }
};

template <int R, int C, typename T>
WP_HD constexpr bool operator==(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b) {
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j)
      if (!(a.data[i][j] == b.data[i][j])) return false;
  return true;
}

template <int R, int C, typename T>
WP_HD constexpr bool operator!=(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b) {
  return !(a == b);
}

template <int R, int C, typename T>
WP_HD constexpr mat_t<R, C, T> operator+(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b) {
  mat_t<R, C, T> r{};
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) r.data[i][j] = a.data[i][j] + b.data[i][j];
  return r;
}

template <int R, int C, typename T>
WP_HD constexpr mat_t<R, C, T> operator-(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b) {
  mat_t<R, C, T> r{};
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) r.data[i][j] = a.data[i][j] - b.data[i][j];
  return r;
}

template <int R, int C, typename T>
WP_HD constexpr mat_t<R, C, T> operator-(const mat_t<R, C, T>& a) {
  mat_t<R, C, T> r{};
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) r.data[i][j] = -a.data[i][j];
  return r;
}

template <int R, int C, typename T>
WP_HD constexpr mat_t<R, C, T> operator*(const mat_t<R, C, T>& a, T s) {
  mat_t<R, C, T> r{};
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) r.data[i][j] = a.data[i][j] * s;
  return r;
}

template <int R, int C, typename T>
WP_HD constexpr mat_t<R, C, T> operator*(T s, const mat_t<R, C, T>& a) {
  return a * s;
}

// Matrix times column vector.
template <int R, int C, typename T>
WP_HD constexpr vec_t<R, T> operator*(const mat_t<R, C, T>& m, const vec_t<C, T>& v) {
  vec_t<R, T> r{};
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) r.c[i] += m.data[i][j] * v.c[j];
  return r;
}

// ---- quat_t, transform_t ---------------------------------------------------------------

template <typename T>
struct quat_t {
  using value_type = T;
  T x, y, z, w;  // imaginary part x, y, z; real part w (Warp's order)
};

template <typename T>
WP_HD constexpr bool operator==(const quat_t<T>& a, const quat_t<T>& b) {
  return a.x == b.x && a.y == b.y && a.z == b.z && a.w == b.w;
}

template <typename T>
WP_HD constexpr bool operator!=(const quat_t<T>& a, const quat_t<T>& b) {
  return !(a == b);
}

template <typename T>
WP_HD constexpr quat_t<T> quat_identity() {
  return quat_t<T>{T(0), T(0), T(0), T(1)};
}

template <typename T>
struct transform_t {
  using value_type = T;
  vec_t<3, T> p;  // translation
  quat_t<T> q;    // rotation
};

template <typename T>
WP_HD constexpr bool operator==(const transform_t<T>& a, const transform_t<T>& b) {
  return a.p == b.p && a.q == b.q;
}

template <typename T>
WP_HD constexpr bool operator!=(const transform_t<T>& a, const transform_t<T>& b) {
  return !(a == b);
}

template <typename T>
WP_HD constexpr transform_t<T> transform_identity() {
  return transform_t<T>{vec_t<3, T>{}, quat_identity<T>()};
}

// ---- Warp's names ----------------------------------------------------------------------

using float32 = float;
using float64 = double;
using int8 = int8_t;
using int16 = int16_t;
using int32 = int32_t;
using int64 = int64_t;
using uint8 = uint8_t;
using uint16 = uint16_t;
using uint32 = uint32_t;
using uint64 = uint64_t;

#define WP_VEC_ALIASES(suffix, T)   \
  using vec2##suffix = vec_t<2, T>; \
  using vec3##suffix = vec_t<3, T>; \
  using vec4##suffix = vec_t<4, T>;
WP_VEC_ALIASES(h, half)
WP_VEC_ALIASES(f, float)
WP_VEC_ALIASES(d, double)
WP_VEC_ALIASES(b, int8_t)
WP_VEC_ALIASES(s, int16_t)
WP_VEC_ALIASES(i, int32_t)
WP_VEC_ALIASES(l, int64_t)
WP_VEC_ALIASES(ub, uint8_t)
WP_VEC_ALIASES(us, uint16_t)
WP_VEC_ALIASES(ui, uint32_t)
WP_VEC_ALIASES(ul, uint64_t)
#undef WP_VEC_ALIASES

#define WP_FLOAT_ALIASES(suffix, T)                 \
  using mat22##suffix = mat_t<2, 2, T>;             \
  using mat33##suffix = mat_t<3, 3, T>;             \
  using mat44##suffix = mat_t<4, 4, T>;             \
  using quat##suffix = quat_t<T>;                   \
  using transform##suffix = transform_t<T>;         \
  using spatial_vector##suffix = vec_t<6, T>;       \
  using spatial_matrix##suffix = mat_t<6, 6, T>;
WP_FLOAT_ALIASES(h, half)
WP_FLOAT_ALIASES(f, float)
WP_FLOAT_ALIASES(d, double)
#undef WP_FLOAT_ALIASES

using vec2 = vec2f;
using vec3 = vec3f;
using vec4 = vec4f;
using mat22 = mat22f;
using mat33 = mat33f;
using mat44 = mat44f;
using quat = quatf;
using transform = transformf;
using spatial_vector = spatial_vectorf;
using spatial_matrix = spatial_matrixf;

// Layout guarantees: the byte sizes Warp uses, and no padding anywhere.
static_assert(sizeof(vec2) == 8 && sizeof(vec3) == 12 && sizeof(vec4) == 16);
static_assert(sizeof(vec3d) == 24 && sizeof(vec3i) == 12);
static_assert(sizeof(mat22) == 16 && sizeof(mat33) == 36 && sizeof(mat44) == 64);
static_assert(sizeof(mat33d) == 72);
static_assert(sizeof(quat) == 16 && sizeof(quatd) == 32);
static_assert(sizeof(transform) == 28 && sizeof(transformd) == 56 && sizeof(transformh) == 14);
static_assert(sizeof(vec3h) == 6 && sizeof(mat33h) == 18 && sizeof(quath) == 8 && sizeof(vec4ub) == 4);
static_assert(sizeof(spatial_vector) == 24 && sizeof(spatial_matrixd) == 288 && sizeof(vec2ul) == 16);
static_assert(alignof(vec3) == alignof(float) && alignof(transformd) == alignof(double));
static_assert(std::is_trivially_copyable_v<transform> && std::is_standard_layout_v<transform>);
static_assert(std::is_aggregate_v<vec3> && std::is_aggregate_v<mat33> &&
              std::is_aggregate_v<quat> && std::is_aggregate_v<transform> && std::is_aggregate_v<vec3h>);
static_assert(std::is_trivially_copyable_v<transformh> && std::is_standard_layout_v<mat33h>);

}  // namespace wp
