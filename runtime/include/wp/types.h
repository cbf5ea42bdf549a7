// wp/types.h — Warp's value types for host code: vectors, matrices, quaternions, transforms.
//
// Contract:
//  * Plain aggregates (trivially copyable, standard layout) with exactly Warp's memory layout:
//    vec_t<N,T> is T c[N]; mat_t<R,C,T> is T data[R][C] (row-major); quat_t<T> is x, y, z, w;
//    transform_t<T> is a vec_t<3,T> p followed by a quat_t<T> q. Sizes are static_asserted,
//    so arrays of these types can be shared with kernels and with Warp itself byte for byte.
//  * Aggregate initialisation works: wp::vec3{1, 2, 3}, wp::mat22{1, 0, 0, 1}.
//  * Only the operations host code and tests need live here (component access, ==, +, -,
//    unary -, scalar *). The full builtin library is generated from stdlib/ in a later issue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace wp {

// ---- vec_t -----------------------------------------------------------------------------

template <int N, typename T>
struct vec_t {
  static_assert(N >= 1, "vec_t needs at least one component");
  using value_type = T;
  static constexpr int length = N;

  T c[N];

  constexpr T& operator[](int i) { return c[i]; }
  constexpr const T& operator[](int i) const { return c[i]; }
};

template <int N, typename T>
constexpr bool operator==(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  for (int i = 0; i < N; ++i)
    if (!(a.c[i] == b.c[i])) return false;
  return true;
}

template <int N, typename T>
constexpr vec_t<N, T> operator+(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  vec_t<N, T> r{};
  for (int i = 0; i < N; ++i) r.c[i] = a.c[i] + b.c[i];
  return r;
}

template <int N, typename T>
constexpr vec_t<N, T> operator-(const vec_t<N, T>& a, const vec_t<N, T>& b) {
  vec_t<N, T> r{};
  for (int i = 0; i < N; ++i) r.c[i] = a.c[i] - b.c[i];
  return r;
}

template <int N, typename T>
constexpr vec_t<N, T> operator-(const vec_t<N, T>& a) {
  vec_t<N, T> r{};
  for (int i = 0; i < N; ++i) r.c[i] = -a.c[i];
  return r;
}

template <int N, typename T>
constexpr vec_t<N, T> operator*(const vec_t<N, T>& a, T s) {
  vec_t<N, T> r{};
  for (int i = 0; i < N; ++i) r.c[i] = a.c[i] * s;
  return r;
}

template <int N, typename T>
constexpr vec_t<N, T> operator*(T s, const vec_t<N, T>& a) {
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

  constexpr T& operator()(int i, int j) { return data[i][j]; }
  constexpr const T& operator()(int i, int j) const { return data[i][j]; }
};

template <int R, int C, typename T>
constexpr bool operator==(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b) {
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j)
      if (!(a.data[i][j] == b.data[i][j])) return false;
  return true;
}

template <int R, int C, typename T>
constexpr mat_t<R, C, T> operator+(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b) {
  mat_t<R, C, T> r{};
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) r.data[i][j] = a.data[i][j] + b.data[i][j];
  return r;
}

template <int R, int C, typename T>
constexpr mat_t<R, C, T> operator-(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b) {
  mat_t<R, C, T> r{};
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) r.data[i][j] = a.data[i][j] - b.data[i][j];
  return r;
}

template <int R, int C, typename T>
constexpr mat_t<R, C, T> operator*(const mat_t<R, C, T>& a, T s) {
  mat_t<R, C, T> r{};
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) r.data[i][j] = a.data[i][j] * s;
  return r;
}

template <int R, int C, typename T>
constexpr mat_t<R, C, T> operator*(T s, const mat_t<R, C, T>& a) {
  return a * s;
}

// Matrix times column vector.
template <int R, int C, typename T>
constexpr vec_t<R, T> operator*(const mat_t<R, C, T>& m, const vec_t<C, T>& v) {
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
constexpr bool operator==(const quat_t<T>& a, const quat_t<T>& b) {
  return a.x == b.x && a.y == b.y && a.z == b.z && a.w == b.w;
}

template <typename T>
constexpr quat_t<T> quat_identity() {
  return quat_t<T>{T(0), T(0), T(0), T(1)};
}

template <typename T>
struct transform_t {
  using value_type = T;
  vec_t<3, T> p;  // translation
  quat_t<T> q;    // rotation
};

template <typename T>
constexpr bool operator==(const transform_t<T>& a, const transform_t<T>& b) {
  return a.p == b.p && a.q == b.q;
}

template <typename T>
constexpr transform_t<T> transform_identity() {
  return transform_t<T>{vec_t<3, T>{}, quat_identity<T>()};
}

// ---- Warp's names ----------------------------------------------------------------------

using vec2f = vec_t<2, float>;
using vec3f = vec_t<3, float>;
using vec4f = vec_t<4, float>;
using vec2d = vec_t<2, double>;
using vec3d = vec_t<3, double>;
using vec4d = vec_t<4, double>;
using vec2i = vec_t<2, int32_t>;
using vec3i = vec_t<3, int32_t>;
using vec4i = vec_t<4, int32_t>;
using vec2 = vec2f;
using vec3 = vec3f;
using vec4 = vec4f;

using mat22f = mat_t<2, 2, float>;
using mat33f = mat_t<3, 3, float>;
using mat44f = mat_t<4, 4, float>;
using mat22d = mat_t<2, 2, double>;
using mat33d = mat_t<3, 3, double>;
using mat44d = mat_t<4, 4, double>;
using mat22 = mat22f;
using mat33 = mat33f;
using mat44 = mat44f;

using quatf = quat_t<float>;
using quatd = quat_t<double>;
using quat = quatf;
using transformf = transform_t<float>;
using transformd = transform_t<double>;
using transform = transformf;

// Layout guarantees: the byte sizes Warp uses, and no padding anywhere.
static_assert(sizeof(vec2) == 8 && sizeof(vec3) == 12 && sizeof(vec4) == 16);
static_assert(sizeof(vec3d) == 24 && sizeof(vec3i) == 12);
static_assert(sizeof(mat22) == 16 && sizeof(mat33) == 36 && sizeof(mat44) == 64);
static_assert(sizeof(mat33d) == 72);
static_assert(sizeof(quat) == 16 && sizeof(quatd) == 32);
static_assert(sizeof(transform) == 28 && sizeof(transformd) == 56);
static_assert(alignof(vec3) == alignof(float) && alignof(transformd) == alignof(double));
static_assert(std::is_trivially_copyable_v<transform> && std::is_standard_layout_v<transform>);
static_assert(std::is_aggregate_v<vec3> && std::is_aggregate_v<mat33> &&
              std::is_aggregate_v<quat> && std::is_aggregate_v<transform>);

}  // namespace wp
