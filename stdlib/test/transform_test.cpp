// transform_test.cpp — host tests of wp/builtins/transform.h: values against 4x4 homogeneous
// matrices built independently and composition identities; adjoints against central differences.
#include "linalg_test_util.h"

namespace {

using namespace a2test;
using wp::mat44d;
using wp::quatd;
using wp::transformd;
using wp::vec3d;

// Homogeneous matrix of (p, q) built from Rodrigues' rotation (independent of the code under test).
mat44d homogeneous(const transformd& t) {
  const double x = t.q.x, y = t.q.y, z = t.q.z, w = t.q.w;
  mat44d m{{{1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w), t.p.c[0]},
            {2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w), t.p.c[1]},
            {2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y), t.p.c[2]},
            {0, 0, 0, 1}}};
  return m;
}

vec3d apply(const mat44d& m, const vec3d& x, double w) {
  vec3d r;
  for (int i = 0; i < 3; ++i) r.c[i] = m.data[i][0] * x.c[0] + m.data[i][1] * x.c[1] + m.data[i][2] * x.c[2] + m.data[i][3] * w;
  return r;
}

transformd random_transform(Rng& rng) { return transformd{rng.fill<vec3d>(-3, 3), rng.unit_quat()}; }

TEST(TransformMath, GetSetIdentity) {
  transformd t{{{1, 2, 3}}, {0, 0, 0, 1}};
  EXPECT_EQ(wp::transform_get_translation(t), (vec3d{{1, 2, 3}}));
  EXPECT_EQ(wp::transform_get_rotation(t), (quatd{0, 0, 0, 1}));
  wp::transform_set_translation(t, vec3d{{-1, 0, 5}});
  wp::transform_set_rotation(t, quatd{0, 1, 0, 0});
  EXPECT_EQ(t, (transformd{{{-1, 0, 5}}, {0, 1, 0, 0}}));
  EXPECT_EQ(wp::transform_identity<float>(), (wp::transformf{{{0, 0, 0}}, {0, 0, 0, 1}}));
  const vec3d x{{0.5, -2, 1}};
  EXPECT_EQ(wp::transform_point(wp::transform_identity<double>(), x), x);
}

TEST(TransformMath, PointVectorAgainstHomogeneousMatrix) {
  Rng rng;
  for (int n = 0; n < 20; ++n) {
    transformd t = random_transform(rng);
    vec3d x = rng.fill<vec3d>(-5, 5);
    mat44d h = homogeneous(t);
    expect_near_all(wp::transform_point(t, x), apply(h, x, 1), 1e-13, "point");
    expect_near_all(wp::transform_vector(t, x), apply(h, x, 0), 1e-13, "vector");
    mat44d m = rng.fill<mat44d>();  // a general (non-rigid) matrix
    expect_near_all(wp::transform_point(m, x), apply(m, x, 1), 1e-14, "matrix point");
    expect_near_all(wp::transform_vector(m, x), apply(m, x, 0), 1e-14, "matrix vector");
    expect_near_all(wp::transform_to_matrix(t), h, 1e-14, "to_matrix");
  }
}

TEST(TransformMath, MultiplyInverseAndMatrixRoundTrip) {
  Rng rng;
  for (int n = 0; n < 20; ++n) {
    transformd a = random_transform(rng), b = random_transform(rng);
    vec3d x = rng.fill<vec3d>(-5, 5);
    // (a * b)(x) = a(b(x))
    expect_near_all(wp::transform_point(wp::transform_multiply(a, b), x),
                    wp::transform_point(a, wp::transform_point(b, x)), 1e-13, "multiply");
    // inverse undoes the transform on both sides
    transformd ai = wp::transform_inverse(a);
    expect_near_all(wp::transform_point(ai, wp::transform_point(a, x)), x, 1e-13, "inverse");
    transformd e = wp::transform_multiply(a, ai);
    expect_near_all(e.p, vec3d{{0, 0, 0}}, 1e-13);
    EXPECT_NEAR(std::fabs(e.q.w), 1.0, 1e-14);
    // matrix round trip (the quaternion up to sign)
    transformd back = wp::transform_from_matrix(wp::transform_to_matrix(a));
    expect_near_all(back.p, a.p, 1e-14);
    const double s = wp::dot(back.q, a.q) < 0 ? -1.0 : 1.0;
    expect_near_all(wp::detail::la::quat_<double>(s * back.q.x, s * back.q.y, s * back.q.z, s * back.q.w), a.q,
                    1e-12);
  }
  // float
  wp::transformf tf{{{1, 0, 0}}, wp::quat_from_axis_angle(wp::vec3f{{0, 0, 1}}, 1.5707963f)};
  wp::vec3f pf = wp::transform_point(tf, wp::vec3f{{1, 0, 0}});
  EXPECT_NEAR(pf.c[0], 1.0f, 1e-6f);
  EXPECT_NEAR(pf.c[1], 1.0f, 1e-6f);
}

// ---- adjoints ------------------------------------------------------------------------------------

TEST(TransformMathAdjoint, All) {
  Rng rng;
  transformd a = transformd{rng.fill<vec3d>(), rng.fill<quatd>()}, b = transformd{rng.fill<vec3d>(), rng.fill<quatd>()};
  vec3d x = rng.fill<vec3d>(), gv = rng.fill<vec3d>();
  transformd gt = transformd{rng.fill<vec3d>(), rng.fill<quatd>()};
  transformd aa = zero<transformd>(), ab = zero<transformd>();
  vec3d ax = zero<vec3d>();
  wp::adj_transform_point(a, x, aa, ax, gv);
  expect_gradient(a, aa, [&](const transformd& t) { return inner(gv, wp::transform_point(t, x)); });
  expect_gradient(x, ax, [&](const vec3d& y) { return inner(gv, wp::transform_point(a, y)); });
  aa = zero<transformd>(), ax = zero<vec3d>();
  wp::adj_transform_vector(a, x, aa, ax, gv);
  expect_gradient(a, aa, [&](const transformd& t) { return inner(gv, wp::transform_vector(t, x)); });
  expect_gradient(x, ax, [&](const vec3d& y) { return inner(gv, wp::transform_vector(a, y)); });
  aa = zero<transformd>();
  wp::adj_transform_multiply(a, b, aa, ab, gt);
  expect_gradient(a, aa, [&](const transformd& t) { return inner(gt, wp::transform_multiply(t, b)); });
  expect_gradient(b, ab, [&](const transformd& t) { return inner(gt, wp::transform_multiply(a, t)); });
  aa = zero<transformd>();
  wp::adj_transform_inverse(a, aa, gt);
  expect_gradient(a, aa, [&](const transformd& t) { return inner(gt, wp::transform_inverse(t)); });
  mat44d gm = rng.fill<mat44d>(), m = rng.fill<mat44d>(), am = zero<mat44d>();
  aa = zero<transformd>();
  wp::adj_transform_to_matrix(a, aa, gm);
  expect_gradient(a, aa, [&](const transformd& t) { return inner(gm, wp::transform_to_matrix(t)); });
  ax = zero<vec3d>();
  wp::adj_transform_point(m, x, am, ax, gv);
  expect_gradient(m, am, [&](const mat44d& y) { return inner(gv, wp::transform_point(y, x)); });
  expect_gradient(x, ax, [&](const vec3d& y) { return inner(gv, wp::transform_point(m, y)); });
  am = zero<mat44d>(), ax = zero<vec3d>();
  wp::adj_transform_vector(m, x, am, ax, gv);
  expect_gradient(m, am, [&](const mat44d& y) { return inner(gv, wp::transform_vector(y, x)); });
  expect_gradient(x, ax, [&](const vec3d& y) { return inner(gv, wp::transform_vector(m, y)); });
  aa = zero<transformd>();
  wp::adj_transform_get_translation(a, aa, gv);
  expect_gradient(a, aa, [&](const transformd& t) { return inner(gv, wp::transform_get_translation(t)); });
  aa = zero<transformd>();
  wp::adj_transform_get_rotation(a, aa, gt.q);
  expect_gradient(a, aa, [&](const transformd& t) { return inner(gt.q, wp::transform_get_rotation(t)); });
  // set_*: the loss <g, xform after set> depends on p only through the overwritten part
  transformd adj_x = gt;
  vec3d ap = zero<vec3d>();
  wp::adj_transform_set_translation(a, x, adj_x, ap);
  expect_near_all(ap, gt.p, 0);
  expect_near_all(adj_x.p, vec3d{{0, 0, 0}}, 0);
  expect_near_all(adj_x.q, gt.q, 0);
  adj_x = gt;
  quatd aq = zero<quatd>();
  wp::adj_transform_set_rotation(a, b.q, adj_x, aq);
  expect_near_all(aq, gt.q, 0);
  expect_near_all(adj_x.q, quatd{0, 0, 0, 0}, 0);
}

TEST(TransformMathAdjoint, FromMatrix) {
  Rng rng;
  transformd g{rng.fill<vec3d>(), rng.fill<quatd>()};
  mat44d m = wp::transform_to_matrix(transformd{rng.fill<vec3d>(), rng.unit_quat()}), am = zero<mat44d>();
  wp::adj_transform_from_matrix(m, am, g);
  expect_gradient(m, am, [&](const mat44d& x) { return inner(g, wp::transform_from_matrix(x)); });
}

}  // namespace
