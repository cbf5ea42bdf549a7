// vector_test.cpp — host tests of wp/builtins/vector.h: values against long double / closed forms /
// identities, and adjoints against central differences (double).
#include "linalg_test_util.h"

namespace {

using namespace a2test;
using wp::vec_t;

TEST(VectorMath, DotMatchesLongDouble) {
  Rng rng;
  for (int t = 0; t < 20; ++t) {
    auto a = rng.fill<vec_t<5, double>>(), b = rng.fill<vec_t<5, double>>();
    long double ref = 0;
    for (int i = 0; i < 5; ++i) ref += (long double)a.c[i] * b.c[i];
    EXPECT_NEAR(wp::dot(a, b), (double)ref, 1e-15);
    wp::vec3f af{{(float)a.c[0], (float)a.c[1], (float)a.c[2]}}, bf{{(float)b.c[0], (float)b.c[1], (float)b.c[2]}};
    long double reff = (long double)af.c[0] * bf.c[0] + (long double)af.c[1] * bf.c[1] + (long double)af.c[2] * bf.c[2];
    EXPECT_NEAR(wp::dot(af, bf), (float)reff, 1e-6);
  }
  EXPECT_EQ(wp::dot(wp::vec3i{{1, -2, 3}}, wp::vec3i{{4, 5, -6}}), 4 - 10 - 18);
  EXPECT_EQ(wp::length_sq(wp::vec3i{{1, -2, 3}}), 14);
}

TEST(VectorMath, CrossIdentities) {
  const wp::vec3d ex{{1, 0, 0}}, ey{{0, 1, 0}}, ez{{0, 0, 1}};
  EXPECT_EQ(wp::cross(ex, ey), ez);
  EXPECT_EQ(wp::cross(ey, ez), ex);
  EXPECT_EQ(wp::cross(ez, ex), ey);
  EXPECT_EQ(wp::cross(wp::vec3i{{1, 2, 3}}, wp::vec3i{{4, 5, 6}}), (wp::vec3i{{-3, 6, -3}}));
  Rng rng;
  for (int t = 0; t < 20; ++t) {
    auto a = rng.fill<wp::vec3d>(), b = rng.fill<wp::vec3d>();
    auto c = wp::cross(a, b);
    EXPECT_NEAR(wp::dot(c, a), 0.0, 1e-15);
    EXPECT_NEAR(wp::dot(c, b), 0.0, 1e-15);
    // Lagrange: |a x b|^2 = |a|^2 |b|^2 - (a.b)^2
    const double ab = wp::dot(a, b);
    EXPECT_NEAR(wp::length_sq(c), wp::length_sq(a) * wp::length_sq(b) - ab * ab, 1e-14);
  }
}

TEST(VectorMath, Outer) {
  wp::vec2d a{{2, -3}};
  wp::vec3d b{{1, 5, 7}};
  wp::mat_t<2, 3, double> m = wp::outer(a, b);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(m.data[i][j], a.c[i] * b.c[j]);
}

TEST(VectorMath, LengthAndNormalize) {
  EXPECT_EQ(wp::length(wp::vec2f{{3.0f, 4.0f}}), 5.0f);
  EXPECT_EQ(wp::length(wp::vec3d{{2.0, 3.0, 6.0}}), 7.0);
  EXPECT_EQ(wp::length_sq(wp::vec3d{{2.0, 3.0, 6.0}}), 49.0);
  EXPECT_EQ(wp::norm_l2(wp::vec2d{{-3.0, 4.0}}), 5.0);
  Rng rng;
  for (int t = 0; t < 20; ++t) {
    auto a = rng.fill<vec_t<4, double>>(-10, 10);
    long double s = 0;
    for (int i = 0; i < 4; ++i) s += (long double)a.c[i] * a.c[i];
    EXPECT_NEAR(wp::length(a), (double)std::sqrt(s), 1e-14);
    auto n = wp::normalize(a);
    EXPECT_NEAR(wp::dot(n, n), 1.0, 1e-15);
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(n.c[i] * wp::length(a), a.c[i], 1e-13);
  }
  EXPECT_EQ(wp::normalize(wp::vec3f{{0, 0, 0}}), (wp::vec3f{{0, 0, 0}}));
  EXPECT_EQ(wp::normalize(wp::vec3f{{0, 0, -2}}), (wp::vec3f{{0, 0, -1}}));
}

TEST(VectorMath, ComponentWise) {
  wp::vec3d a{{1.5, -2, 3}}, b{{2, 4, -0.5}};
  EXPECT_EQ(wp::cw_mul(a, b), (wp::vec3d{{3.0, -8.0, -1.5}}));
  EXPECT_EQ(wp::cw_div(a, b), (wp::vec3d{{0.75, -0.5, -6.0}}));
  // integer division truncates toward zero (C semantics)
  EXPECT_EQ(wp::cw_div(wp::vec2i{{-7, 7}}, wp::vec2i{{2, -2}}), (wp::vec2i{{-3, -3}}));
}

TEST(VectorMath, ArgminArgmax) {
  EXPECT_EQ(wp::argmin(wp::vec4f{{3, -1, 2, -1}}), 1u);  // ties: first index
  EXPECT_EQ(wp::argmax(wp::vec4f{{3, -1, 5, 5}}), 2u);
  EXPECT_EQ(wp::argmax(wp::vec3i{{-5, -9, -6}}), 0u);
  EXPECT_EQ(wp::argmin(wp::vec_t<1, double>{{7}}), 0u);
  EXPECT_EQ(wp::argmin(wp::vec_t<6, int64_t>{{5, 4, 3, 2, 1, 0}}), 5u);
}

TEST(VectorMath, Norms) {
  wp::vec3d v{{0.3, -0.4, 0.0}};  // |v| = 0.5
  EXPECT_NEAR(wp::norm_l1(v), 0.7, 1e-15);
  EXPECT_NEAR(wp::norm_huber(v), 0.125, 1e-15);         // 0.5 * 0.25 (|v| <= 1)
  EXPECT_NEAR(wp::norm_huber(v, 0.2), 0.08, 1e-15);     // 0.2 * (0.5 - 0.1)
  EXPECT_NEAR(wp::norm_pseudo_huber(v), std::sqrt(1.25), 1e-15);
  EXPECT_NEAR(wp::norm_pseudo_huber(v, 0.5), 0.5 * std::sqrt(2.0), 1e-15);
  auto s = wp::smooth_normalize(v, 0.5);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(s.c[i], v.c[i] / (0.5 * std::sqrt(2.0)), 1e-15);
  auto s1 = wp::smooth_normalize(wp::vec2f{{3.0f, 4.0f}});
  EXPECT_NEAR(s1.c[0], 3.0 / std::sqrt(26.0), 1e-6);
  EXPECT_EQ(wp::smooth_normalize(wp::vec2d{{0, 0}}), (wp::vec2d{{0, 0}}));
}

TEST(VectorMath, HalfComputesInFloat) {
  using H = wp::half;
  using V = vec_t<3, H>;
  const V a{{H(3.0f), H(-4.0f), H(12.0f)}}, b{{H(0.5f), H(2.0f), H(-1.0f)}};
  EXPECT_EQ(float(wp::length(a)), 13.0f);
  EXPECT_EQ(float(wp::dot(a, b)), 1.5f - 8.0f - 12.0f);
  EXPECT_EQ(float(wp::length_sq(a)), 169.0f);
  V c = wp::cross(a, b);  // (4 - 24, 6 + 3, 6 + 2)
  EXPECT_EQ(float(c.c[0]), -20.0f);
  EXPECT_EQ(float(c.c[1]), 9.0f);
  EXPECT_EQ(float(c.c[2]), 8.0f);
  V n = wp::normalize(a);
  EXPECT_NEAR(float(n.c[2]), 12.0f / 13.0f, 1e-3f);
  EXPECT_EQ(float(wp::norm_l1(a)), 19.0f);
  EXPECT_EQ(float(wp::norm_huber(a, H(1.0f))), 12.5f);
  EXPECT_NEAR(float(wp::norm_pseudo_huber(a)), std::sqrt(170.0f), 0.02f);
  EXPECT_EQ(wp::argmax(a), 2u);
  EXPECT_EQ(wp::argmin(a), 1u);
  EXPECT_EQ(float(wp::cw_div(a, b).c[1]), -2.0f);
}

// ---- adjoints ----------------------------------------------------------------------------------

TEST(VectorMathAdjoint, DotCrossOuter) {
  Rng rng;
  using V = wp::vec3d;
  V a = rng.fill<V>(), b = rng.fill<V>(), g = rng.fill<V>();
  double gs = rng.uniform();
  V aa = zero<V>(), ab = zero<V>();
  wp::adj_dot(a, b, aa, ab, gs);
  expect_gradient(a, aa, [&](const V& x) { return gs * wp::dot(x, b); });
  expect_gradient(b, ab, [&](const V& x) { return gs * wp::dot(a, x); });
  aa = zero<V>(), ab = zero<V>();
  wp::adj_cross(a, b, aa, ab, g);
  expect_gradient(a, aa, [&](const V& x) { return inner(g, wp::cross(x, b)); });
  expect_gradient(b, ab, [&](const V& x) { return inner(g, wp::cross(a, x)); });
  using W = wp::vec2d;
  W c = rng.fill<W>(), ac = zero<W>();
  auto go = rng.fill<wp::mat_t<3, 2, double>>();
  aa = zero<V>();
  wp::adj_outer(a, c, aa, ac, go);
  expect_gradient(a, aa, [&](const V& x) { return inner(go, wp::outer(x, c)); });
  expect_gradient(c, ac, [&](const W& x) { return inner(go, wp::outer(a, x)); });
}

TEST(VectorMathAdjoint, LengthNormalizeComponentWise) {
  Rng rng;
  using V = vec_t<4, double>;
  V a = rng.fill<V>(), b = rng.fill<V>(0.5, 2.0), g = rng.fill<V>();
  double gs = rng.uniform();
  V aa = zero<V>();
  wp::adj_length(a, aa, gs);
  expect_gradient(a, aa, [&](const V& x) { return gs * wp::length(x); });
  aa = zero<V>();
  wp::adj_norm_l2(a, aa, gs);
  expect_gradient(a, aa, [&](const V& x) { return gs * wp::norm_l2(x); });
  aa = zero<V>();
  wp::adj_length_sq(a, aa, gs);
  expect_gradient(a, aa, [&](const V& x) { return gs * wp::length_sq(x); });
  aa = zero<V>();
  wp::adj_normalize(a, aa, g);
  expect_gradient(a, aa, [&](const V& x) { return inner(g, wp::normalize(x)); });
  aa = zero<V>();
  V ab = zero<V>();
  wp::adj_cw_mul(a, b, aa, ab, g);
  expect_gradient(a, aa, [&](const V& x) { return inner(g, wp::cw_mul(x, b)); });
  expect_gradient(b, ab, [&](const V& x) { return inner(g, wp::cw_mul(a, x)); });
  aa = zero<V>(), ab = zero<V>();
  wp::adj_cw_div(a, b, aa, ab, g);
  expect_gradient(a, aa, [&](const V& x) { return inner(g, wp::cw_div(x, b)); });
  expect_gradient(b, ab, [&](const V& x) { return inner(g, wp::cw_div(a, x)); });
  aa = zero<V>();
  wp::adj_norm_l1(a, aa, gs);
  expect_gradient(a, aa, [&](const V& x) { return gs * wp::norm_l1(x); });
}

TEST(VectorMathAdjoint, HuberFamily) {
  Rng rng;
  using V = wp::vec3d;
  V g = rng.fill<V>();
  double gs = rng.uniform();
  for (double delta : {0.3, 1.0, 5.0}) {  // both Huber branches
    V a = rng.fill<V>(), aa = zero<V>();
    double ad = 0;
    wp::adj_norm_huber(a, delta, aa, ad, gs);
    expect_gradient(a, aa, [&](const V& x) { return gs * wp::norm_huber(x, delta); });
    expect_gradient(delta, ad, [&](const double& d) { return gs * wp::norm_huber(a, d); });
    aa = zero<V>(), ad = 0;
    wp::adj_norm_pseudo_huber(a, delta, aa, ad, gs);
    expect_gradient(a, aa, [&](const V& x) { return gs * wp::norm_pseudo_huber(x, delta); });
    expect_gradient(delta, ad, [&](const double& d) { return gs * wp::norm_pseudo_huber(a, d); });
    aa = zero<V>(), ad = 0;
    wp::adj_smooth_normalize(a, delta, aa, ad, g);
    expect_gradient(a, aa, [&](const V& x) { return inner(g, wp::smooth_normalize(x, delta)); });
    expect_gradient(delta, ad, [&](const double& d) { return inner(g, wp::smooth_normalize(a, d)); });
  }
  V a = rng.fill<V>(), aa = zero<V>();
  wp::adj_smooth_normalize(a, aa, g);  // default delta
  expect_gradient(a, aa, [&](const V& x) { return inner(g, wp::smooth_normalize(x)); });
}

}  // namespace
