// types_test.cpp — layouts and the few operators of wp::vec_t/mat_t/quat_t/transform_t.
#include <gtest/gtest.h>

#include <cstddef>

#include "wp/types.h"

namespace {

TEST(Types, VectorComponentsAndOps) {
  wp::vec3 a{1.0f, 2.0f, 3.0f};
  wp::vec3 b{0.5f, -1.0f, 4.0f};
  EXPECT_EQ(a[0], 1.0f);
  a[2] = 5.0f;
  EXPECT_EQ(a.c[2], 5.0f);
  EXPECT_EQ(a + b, (wp::vec3{1.5f, 1.0f, 9.0f}));
  EXPECT_EQ(a - b, (wp::vec3{0.5f, 3.0f, 1.0f}));
  EXPECT_EQ(a * 2.0f, (wp::vec3{2.0f, 4.0f, 10.0f}));
  EXPECT_EQ(2.0f * a, a * 2.0f);
  EXPECT_EQ(-a, (wp::vec3{-1.0f, -2.0f, -5.0f}));
  EXPECT_FALSE(a == b);
  constexpr wp::vec2i v = wp::vec2i{1, 2} + wp::vec2i{3, 4};
  static_assert(v[0] == 4 && v[1] == 6);
  EXPECT_EQ(wp::vec4d{}.c[3], 0.0);  // value-initialised
}

TEST(Types, MatrixIsRowMajor) {
  wp::mat22 m{1.0f, 2.0f, 3.0f, 4.0f};
  EXPECT_EQ(m(0, 1), 2.0f);
  EXPECT_EQ(m.data[1][0], 3.0f);
  const float* flat = &m.data[0][0];
  EXPECT_EQ(flat[2], 3.0f);  // row 1 starts after row 0
  EXPECT_EQ(m + m, m * 2.0f);
  EXPECT_EQ(m - m, wp::mat22{});
  EXPECT_EQ((m * wp::vec2{1.0f, 1.0f}), (wp::vec2{3.0f, 7.0f}));
  wp::mat33d i{1, 0, 0, 0, 1, 0, 0, 0, 1};
  EXPECT_EQ((i * wp::vec3d{1, 2, 3}), (wp::vec3d{1, 2, 3}));
}

TEST(Types, QuaternionAndTransformLayout) {
  wp::quat q = wp::quat_identity<float>();
  EXPECT_EQ(q.w, 1.0f);
  EXPECT_EQ(q.x, 0.0f);
  static_assert(offsetof(wp::quat, w) == 12);  // x, y, z, w as in Warp
  wp::transform t{{1.0f, 2.0f, 3.0f}, q};
  static_assert(offsetof(wp::transform, q) == 12);
  EXPECT_EQ(t.p[1], 2.0f);
  EXPECT_EQ(t, t);
  EXPECT_FALSE(t == wp::transform_identity<float>());
  const float* raw = reinterpret_cast<const float*>(&t);
  EXPECT_EQ(raw[2], 3.0f);
  EXPECT_EQ(raw[6], 1.0f);  // q.w is the 7th float
}

}  // namespace
