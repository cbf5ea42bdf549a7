// utility_test.cpp — where select lerp smoothstep len expect_* block_dim
// (wp/builtins/utility.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "gradient_check.h"
#include "wp/builtins.h"

namespace {

TEST(WhereSelect, ConditionKindsAndArgumentOrder) {
  EXPECT_EQ(wp::where(true, 1, 2), 1);
  EXPECT_EQ(wp::where(false, 1, 2), 2);
  EXPECT_EQ(wp::where(int32_t{-3}, 1.5f, 2.5f), 1.5f);
  EXPECT_EQ(wp::where(uint8_t{0}, 1.5f, 2.5f), 2.5f);
  EXPECT_EQ(wp::select(true, 1, 2), 2);  // select(cond, if_false, if_true)
  EXPECT_EQ(wp::select(int64_t{0}, 1, 2), 1);
  wp::array_t<int> null_array;
  int x = 0;
  wp::array_t<int> some;
  some.data = &x;
  EXPECT_EQ(wp::where(null_array, 10, 20), 20);
  EXPECT_EQ(wp::where(some, 10, 20), 10);
  EXPECT_EQ(wp::select(some, 10, 20), 20);
  EXPECT_EQ(wp::where(true, wp::vec2f{1, 2}, wp::vec2f{3, 4}), (wp::vec2f{1, 2}));
  struct S {
    int a;
  };
  EXPECT_EQ(wp::where(false, S{1}, S{2}).a, 2);
}

TEST(Lerp, EndpointsAndMidpoints) {
  EXPECT_EQ(wp::lerp(2.0, 6.0, 0.25), 3.0);
  EXPECT_EQ(wp::lerp(2.0f, 6.0f, 0.0f), 2.0f);
  EXPECT_EQ(wp::lerp(0.1, 0.7, 1.0), 0.7);  // exact at t = 1
  EXPECT_EQ(wp::lerp(wp::vec2f{0, 10}, wp::vec2f{4, 20}, 0.5f), (wp::vec2f{2, 15}));
  EXPECT_EQ(wp::lerp(wp::mat22d{0, 0, 0, 0}, wp::mat22d{4, 8, 12, 16}, 0.25), (wp::mat22d{1, 2, 3, 4}));
  EXPECT_EQ(wp::lerp(wp::quatf{0, 0, 0, 1}, wp::quatf{1, 0, 0, 0}, 0.5f), (wp::quatf{0.5f, 0, 0, 0.5f}));
  const wp::transformd a{{0, 0, 0}, {0, 0, 0, 1}}, b{{2, 4, 6}, {0, 0, 1, 0}};
  EXPECT_EQ(wp::lerp(a, b, 0.5), (wp::transformd{{1, 2, 3}, {0, 0, 0.5, 0.5}}));
  EXPECT_EQ(static_cast<float>(wp::lerp(wp::half(1.0f), wp::half(3.0f), wp::half(0.5f))), 2.0f);
}

TEST(Smoothstep, HermiteBetweenEdges) {
  EXPECT_EQ(wp::smoothstep(0.0, 1.0, -1.0), 0.0);
  EXPECT_EQ(wp::smoothstep(0.0, 1.0, 2.0), 1.0);
  EXPECT_EQ(wp::smoothstep(0.0, 1.0, 0.5), 0.5);
  EXPECT_DOUBLE_EQ(wp::smoothstep(1.0, 3.0, 1.5), 0.15625);  // t = 1/4: t²(3 − 2t) = 5/32
  EXPECT_FLOAT_EQ(wp::smoothstep(2.0f, 0.0f, 1.5f), 0.15625f);  // reversed edges
}

TEST(Len, EveryKind) {
  EXPECT_EQ(wp::len(wp::vec3f{}), 3);
  EXPECT_EQ(wp::len(wp::spatial_vectord{}), 6);
  EXPECT_EQ(wp::len(wp::mat_t<2, 5, float>{}), 2);
  EXPECT_EQ(wp::len(wp::quath{}), 4);
  EXPECT_EQ(wp::len(wp::transformf{}), 7);
  wp::array_t<float> a;
  a.ndim = 2;
  a.shape[0] = 9;
  a.shape[1] = 4;
  EXPECT_EQ(wp::len(a), 9);
  EXPECT_EQ(wp::len(wp::array_t<float>{}), 0);
}

TEST(BlockDim, IsOneOnTheCpu) {
  EXPECT_EQ(wp::block_dim(), 1);
  wp::breakpoint();  // no effect
}

template <typename F>
std::string captured(F f) {
  testing::internal::CaptureStdout();
  f();
  std::fflush(stdout);
  return testing::internal::GetCapturedStdout();
}

TEST(Expect, SilentOnSuccess) {
  EXPECT_EQ(captured([] { wp::expect_eq(3, 3); }), "");
  EXPECT_EQ(captured([] { wp::expect_neq(wp::vec2i{1, 2}, wp::vec2i{1, 3}); }), "");
  EXPECT_EQ(captured([] { wp::expect_near(1.0, 1.0 + 1e-7); }), "");
  EXPECT_EQ(captured([] { wp::expect_near(wp::vec2f{1, 2}, wp::vec2f{1.05f, 2}, 0.1f); }), "");
}

TEST(Expect, ReportsFailuresWithValuesAndGoesOn) {
  const std::string eq = captured([] { wp::expect_eq(int32_t{3}, int32_t{4}); });
  EXPECT_NE(eq.find("expect_eq() failed"), std::string::npos) << eq;
  EXPECT_NE(eq.find("Expected: 4"), std::string::npos) << eq;
  EXPECT_NE(eq.find("Actual: 3"), std::string::npos) << eq;
  const std::string neq = captured([] { wp::expect_neq(wp::vec3f{1, 2, 3}, wp::vec3f{1, 2, 3}); });
  EXPECT_NE(neq.find("expect_neq() failed"), std::string::npos) << neq;
  EXPECT_NE(neq.find("[1 2 3]"), std::string::npos) << neq;
  const std::string near = captured([] { wp::expect_near(1.0f, 1.5f, 0.1f); });
  EXPECT_NE(near.find("expect_near() failed"), std::string::npos) << near;
  EXPECT_NE(near.find("1.5"), std::string::npos) << near;
  const std::string vnear = captured([] { wp::expect_near(wp::vec2d{0, 0}, wp::vec2d{0, 1e-3}); });
  EXPECT_NE(vnear.find("expect_near() failed"), std::string::npos) << vnear;
  const std::string nan = captured([] { wp::expect_near(static_cast<double>(NAN), 0.0, 1.0); });
  EXPECT_NE(nan.find("expect_near() failed"), std::string::npos) << nan;
  const std::string mat = captured([] { wp::expect_eq(wp::mat22d{1, 2, 3, 4}, wp::mat22d{1, 2, 3, 5}); });
  EXPECT_NE(mat.find("[1 2; 3 5]"), std::string::npos) << mat;
}

// ---- adjoints against central differences --------------------------------------------------

TEST(UtilityAdjoints, WhereSelectRouteToTheTakenValue) {
  const wp::vec3d a{1, 2, 3}, b{4, 5, 6};
  for (bool c : {true, false}) {
    a1test::GradientCheck{"where", 1e-6, 1u}.run(
        [](bool cond, const wp::vec3d& x, const wp::vec3d& y) { return wp::where(cond, x, y); },
        [](const bool& cond, const wp::vec3d& x, const wp::vec3d& y, bool& ac, wp::vec3d& ax, wp::vec3d& ay,
           const wp::vec3d& g) { wp::adj_where(cond, x, y, ac, ax, ay, g); },
        c, a, b);
    a1test::GradientCheck{"select", 1e-6, 1u}.run(
        [](int32_t cond, double x, double y) { return wp::select(cond, x, y); },
        [](const int32_t& cond, const double& x, const double& y, int32_t& ac, double& ax, double& ay, const double& g) {
          wp::adj_select(cond, x, y, ac, ax, ay, g);
        },
        int32_t{c}, 0.5, -0.5);
  }
}

TEST(UtilityAdjoints, LerpAndSmoothstep) {
  a1test::GradientCheck{"lerp scalar"}.run(
      [](double a, double b, double t) { return wp::lerp(a, b, t); },
      [](const double& a, const double& b, const double& t, double& aa, double& ab, double& at, const double& g) {
        wp::adj_lerp(a, b, t, aa, ab, at, g);
      },
      0.3, -1.2, 0.35);
  a1test::GradientCheck{"lerp transform"}.run(
      [](const wp::transformd& a, const wp::transformd& b, double t) { return wp::lerp(a, b, t); },
      [](const wp::transformd& a, const wp::transformd& b, const double& t, wp::transformd& aa, wp::transformd& ab,
         double& at, const wp::transformd& g) { wp::adj_lerp(a, b, t, aa, ab, at, g); },
      wp::transformd{{1, 2, 3}, {0.1, 0.2, 0.3, 0.9}}, wp::transformd{{-1, 0, 1}, {0, 0, 0, 1}}, 0.6);
  a1test::GradientCheck{"lerp mat"}.run(
      [](const wp::mat22d& a, const wp::mat22d& b, double t) { return wp::lerp(a, b, t); },
      [](const wp::mat22d& a, const wp::mat22d& b, const double& t, wp::mat22d& aa, wp::mat22d& ab, double& at,
         const wp::mat22d& g) { wp::adj_lerp(a, b, t, aa, ab, at, g); },
      wp::mat22d{1, 2, 3, 4}, wp::mat22d{0.5, -1, 2, 0}, 0.2);
  for (double x : {0.3, 1.7, -2.0, 5.0}) {
    a1test::GradientCheck{"smoothstep"}.run(
        [](double a, double b, double x) { return wp::smoothstep(a, b, x); },
        [](const double& a, const double& b, const double& x, double& aa, double& ab, double& ax, const double& g) {
          wp::adj_smoothstep(a, b, x, aa, ab, ax, g);
        },
        -0.5, 2.0, x);
  }
}

}  // namespace
