// spatial_test.cpp — host tests of wp/builtins/spatial.h: Warp's documented examples, the 6x6
// matrix forms of the spatial operators (independently built), and adjoints by central differences.
#include "linalg_test_util.h"

namespace {

using namespace a2test;
using wp::mat33d;
using wp::transformd;
using wp::vec3d;
using V6 = wp::vec_t<6, double>;
using M6 = wp::mat_t<6, 6, double>;

mat33d skew_ref(const vec3d& a) { return mat33d{{{0, -a.c[2], a.c[1]}, {a.c[2], 0, -a.c[0]}, {-a.c[1], a.c[0], 0}}}; }

V6 mul6(const M6& m, const V6& v) {
  V6 r{};
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) r.c[i] += m.data[i][j] * v.c[j];
  return r;
}

// Block matrix [[a, b], [c, d]].
M6 blocks(const mat33d& a, const mat33d& b, const mat33d& c, const mat33d& d) {
  M6 m{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      m.data[i][j] = a.data[i][j], m.data[i][3 + j] = b.data[i][j];
      m.data[3 + i][j] = c.data[i][j], m.data[3 + i][3 + j] = d.data[i][j];
    }
  return m;
}

mat33d mul3(const mat33d& a, const mat33d& b) {
  mat33d r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) r.data[i][j] += a.data[i][k] * b.data[k][j];
  return r;
}

TEST(SpatialMath, DocumentedExamples) {
  // Warp docs: spatial_cross((0,0,1,0,0,0), (0,0,0,1,0,0)) = (0,0,0,0,1,0)
  EXPECT_EQ(wp::spatial_cross(V6{{0, 0, 1, 0, 0, 0}}, V6{{0, 0, 0, 1, 0, 0}}), (V6{{0, 0, 0, 0, 1, 0}}));
  // spatial_cross_dual((0,0,1,1,0,0), (0,0,0,0,1,0)) = (0,0,1,-1,0,0)
  EXPECT_EQ(wp::spatial_cross_dual(V6{{0, 0, 1, 1, 0, 0}}, V6{{0, 0, 0, 0, 1, 0}}), (V6{{0, 0, 1, -1, 0, 0}}));
  // spatial_adjoint(I, s) = [[I, 0], [s, I]]
  mat33d s{{{0, -3, 2}, {3, 0, -1}, {-2, 1, 0}}};
  M6 adj = wp::spatial_adjoint(wp::identity<3, double>(), s);
  EXPECT_EQ(adj, blocks(wp::identity<3, double>(), mat33d{}, s, wp::identity<3, double>()));
  V6 v{{1, 2, 3, 4, 5, 6}};
  EXPECT_EQ(wp::spatial_top(v), (vec3d{{1, 2, 3}}));
  EXPECT_EQ(wp::spatial_bottom(v), (vec3d{{4, 5, 6}}));
  EXPECT_EQ(wp::spatial_dot(v, V6{{1, 0, -1, 0, 2, 0}}), 1 - 3 + 10);
}

TEST(SpatialMath, CrossProductsAreTheirMatrixForms) {
  Rng rng;
  for (int t = 0; t < 10; ++t) {
    V6 a = rng.fill<V6>(), b = rng.fill<V6>();
    const mat33d W = skew_ref(wp::spatial_top(a)), Vx = skew_ref(wp::spatial_bottom(a));
    // motion cross: [[w^, 0], [v^, w^]] b; force cross: [[w^, v^], [0, w^]] b
    expect_near_all(wp::spatial_cross(a, b), mul6(blocks(W, mat33d{}, Vx, W), b), 1e-15, "cross");
    expect_near_all(wp::spatial_cross_dual(a, b), mul6(blocks(W, Vx, mat33d{}, W), b), 1e-15, "dual");
    V6 ab = wp::spatial_cross(a, b), ba = wp::spatial_cross(b, a);
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(ab.c[i], -ba.c[i], 1e-15);
    // power is invariant: dot(cross(a, m), f) = -dot(m, cross_dual(a, f))
    V6 m = rng.fill<V6>(), f = rng.fill<V6>();
    EXPECT_NEAR(wp::spatial_dot(wp::spatial_cross(a, m), f), -wp::spatial_dot(m, wp::spatial_cross_dual(a, f)), 1e-14);
  }
}

TEST(SpatialMath, TwistWrenchVelocity) {
  Rng rng;
  for (int t = 0; t < 10; ++t) {
    transformd x{rng.fill<vec3d>(-2, 2), rng.unit_quat()};
    V6 tw = rng.fill<V6>(), wr = rng.fill<V6>();
    const mat33d R = wp::quat_to_matrix(x.q), P = skew_ref(x.p);
    // twists map by [[R, 0], [p^ R, R]] (the spatial_adjoint of Warp's docs), wrenches by [[R, p^ R], [0, R]]
    const mat33d PR = mul3(P, R);
    expect_near_all(wp::transform_twist(x, tw), mul6(wp::spatial_adjoint(R, PR), tw), 1e-13, "twist");
    expect_near_all(wp::transform_wrench(x, wr), mul6(blocks(R, PR, mat33d{}, R), wr), 1e-13, "wrench");
    // power is frame invariant
    EXPECT_NEAR(wp::spatial_dot(wp::transform_twist(x, tw), wp::transform_wrench(x, wr)), wp::spatial_dot(tw, wr), 1e-13);
  }
  // velocity of a point r on a body spinning about z at 2 rad/s while moving along x
  vec3d v = wp::velocity_at_point(V6{{0, 0, 2, 1, 0, 0}}, vec3d{{0, 1, 0}});
  EXPECT_EQ(v, (vec3d{{1 - 2, 0, 0}}));
}

// ---- adjoints ------------------------------------------------------------------------------------

TEST(SpatialMathAdjoint, All) {
  Rng rng;
  V6 a = rng.fill<V6>(), b = rng.fill<V6>(), g = rng.fill<V6>();
  vec3d g3 = rng.fill<vec3d>(), r = rng.fill<vec3d>();
  double gs = rng.uniform();
  V6 aa = zero<V6>(), ab = zero<V6>();
  wp::adj_spatial_top(a, aa, g3);
  expect_gradient(a, aa, [&](const V6& x) { return inner(g3, wp::spatial_top(x)); });
  aa = zero<V6>();
  wp::adj_spatial_bottom(a, aa, g3);
  expect_gradient(a, aa, [&](const V6& x) { return inner(g3, wp::spatial_bottom(x)); });
  aa = zero<V6>();
  wp::adj_spatial_dot(a, b, aa, ab, gs);
  expect_gradient(a, aa, [&](const V6& x) { return gs * wp::spatial_dot(x, b); });
  expect_gradient(b, ab, [&](const V6& x) { return gs * wp::spatial_dot(a, x); });
  aa = zero<V6>(), ab = zero<V6>();
  wp::adj_spatial_cross(a, b, aa, ab, g);
  expect_gradient(a, aa, [&](const V6& x) { return inner(g, wp::spatial_cross(x, b)); });
  expect_gradient(b, ab, [&](const V6& x) { return inner(g, wp::spatial_cross(a, x)); });
  aa = zero<V6>(), ab = zero<V6>();
  wp::adj_spatial_cross_dual(a, b, aa, ab, g);
  expect_gradient(a, aa, [&](const V6& x) { return inner(g, wp::spatial_cross_dual(x, b)); });
  expect_gradient(b, ab, [&](const V6& x) { return inner(g, wp::spatial_cross_dual(a, x)); });
  mat33d m1 = rng.fill<mat33d>(), m2 = rng.fill<mat33d>(), am1 = zero<mat33d>(), am2 = zero<mat33d>();
  M6 gm = rng.fill<M6>();
  wp::adj_spatial_adjoint(m1, m2, am1, am2, gm);
  expect_gradient(m1, am1, [&](const mat33d& x) { return inner(gm, wp::spatial_adjoint(x, m2)); });
  expect_gradient(m2, am2, [&](const mat33d& x) { return inner(gm, wp::spatial_adjoint(m1, x)); });
  transformd xf{rng.fill<vec3d>(), rng.fill<wp::quatd>()}, axf = zero<transformd>();
  aa = zero<V6>();
  wp::adj_transform_twist(xf, a, axf, aa, g);
  expect_gradient(xf, axf, [&](const transformd& x) { return inner(g, wp::transform_twist(x, a)); });
  expect_gradient(a, aa, [&](const V6& x) { return inner(g, wp::transform_twist(xf, x)); });
  axf = zero<transformd>(), aa = zero<V6>();
  wp::adj_transform_wrench(xf, a, axf, aa, g);
  expect_gradient(xf, axf, [&](const transformd& x) { return inner(g, wp::transform_wrench(x, a)); });
  expect_gradient(a, aa, [&](const V6& x) { return inner(g, wp::transform_wrench(xf, x)); });
  aa = zero<V6>();
  vec3d ar = zero<vec3d>();
  wp::adj_velocity_at_point(a, r, aa, ar, g3);
  expect_gradient(a, aa, [&](const V6& x) { return inner(g3, wp::velocity_at_point(x, r)); });
  expect_gradient(r, ar, [&](const vec3d& x) { return inner(g3, wp::velocity_at_point(a, x)); });
}

}  // namespace
