// quat_test.cpp — host tests of wp/builtins/quat.h: values against Rodrigues' formula, elementary
// rotation matrices and round trips; adjoints against central differences (double).
#include "linalg_test_util.h"

namespace {

using namespace a2test;
using wp::quatd;
using wp::vec3d;
using wp::mat33d;

constexpr double kPi = 3.14159265358979323846;

// Elementary rotation about coordinate axis `axis` (independent of the quaternion code).
mat33d rot_axis(int axis, double t) {
  const double c = std::cos(t), s = std::sin(t);
  if (axis == 0) return mat33d{{{1, 0, 0}, {0, c, -s}, {0, s, c}}};
  if (axis == 1) return mat33d{{{c, 0, s}, {0, 1, 0}, {-s, 0, c}}};
  return mat33d{{{c, -s, 0}, {s, c, 0}, {0, 0, 1}}};
}

mat33d mul(const mat33d& a, const mat33d& b) {
  mat33d r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) r.data[i][j] += a.data[i][k] * b.data[k][j];
  return r;
}

// Rodrigues: rotation of v by angle t about the unit axis k, in long double.
vec3d rodrigues(const vec3d& k, double t, const vec3d& v) {
  long double c = std::cos((long double)t), s = std::sin((long double)t);
  long double kv = (long double)k.c[0] * v.c[0] + (long double)k.c[1] * v.c[1] + (long double)k.c[2] * v.c[2];
  long double kxv[3] = {(long double)k.c[1] * v.c[2] - (long double)k.c[2] * v.c[1],
                        (long double)k.c[2] * v.c[0] - (long double)k.c[0] * v.c[2],
                        (long double)k.c[0] * v.c[1] - (long double)k.c[1] * v.c[0]};
  vec3d r;
  for (int i = 0; i < 3; ++i) r.c[i] = (double)(v.c[i] * c + kxv[i] * s + k.c[i] * kv * (1 - c));
  return r;
}

void expect_same_rotation(const quatd& a, const quatd& b, double tol) {
  const double s = (a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w) < 0 ? -1.0 : 1.0;
  EXPECT_NEAR(a.x, s * b.x, tol);
  EXPECT_NEAR(a.y, s * b.y, tol);
  EXPECT_NEAR(a.z, s * b.z, tol);
  EXPECT_NEAR(a.w, s * b.w, tol);
}

TEST(QuatMath, IdentityAxisAngleRotate) {
  EXPECT_EQ(wp::quat_identity<float>(), (wp::quatf{0, 0, 0, 1}));
  const vec3d v{{0.3, -1.2, 2.0}};
  EXPECT_EQ(wp::quat_rotate(wp::quat_identity<double>(), v), v);
  quatd qz = wp::quat_from_axis_angle(vec3d{{0, 0, 1}}, kPi / 2);
  EXPECT_NEAR(qz.z, std::sqrt(0.5), 1e-15);
  EXPECT_NEAR(qz.w, std::sqrt(0.5), 1e-15);
  expect_near_all(wp::quat_rotate(qz, vec3d{{1, 0, 0}}), vec3d{{0, 1, 0}}, 1e-15);
  Rng rng;
  for (int t = 0; t < 20; ++t) {
    vec3d k = wp::normalize(rng.fill<vec3d>()), x = rng.fill<vec3d>();
    double ang = rng.uniform(-6, 6);
    quatd q = wp::quat_from_axis_angle(k, ang);
    expect_near_all(wp::quat_rotate(q, x), rodrigues(k, ang, x), 1e-14, "rotate");
    expect_near_all(wp::quat_rotate_inv(q, wp::quat_rotate(q, x)), x, 1e-14, "rotate_inv");
    expect_near_all(wp::quat_rotate_inv(q, x), rodrigues(k, -ang, x), 1e-14, "rotate_inv");
    quatd qi = wp::quat_inverse(q);
    EXPECT_EQ(qi.x, -q.x);
    EXPECT_EQ(qi.w, q.w);
  }
}

TEST(QuatMath, DotLengthNormalize) {
  quatd a{1, 2, 3, 4}, b{-1, 0.5, 2, -2};
  EXPECT_EQ(wp::dot(a, b), -1 + 1 + 6 - 8);
  EXPECT_EQ(wp::length_sq(a), 30.0);
  EXPECT_NEAR(wp::length(a), std::sqrt(30.0), 1e-15);
  quatd n = wp::normalize(a);
  EXPECT_NEAR(n.y, 2 / std::sqrt(30.0), 1e-15);
  EXPECT_NEAR(wp::length(n), 1.0, 1e-15);
  EXPECT_EQ(wp::normalize(quatd{0, 0, 0, 0}), (quatd{0, 0, 0, 0}));
  EXPECT_EQ(wp::length(wp::quatf{0, 3, 0, 4}), 5.0f);
}

TEST(QuatMath, MatrixConversions) {
  Rng rng;
  for (int t = 0; t < 40; ++t) {
    vec3d k = wp::normalize(rng.fill<vec3d>());
    double ang = t < 3 ? kPi - 1e-3 : rng.uniform(-kPi, kPi);  // near-pi rotations hit every branch
    if (t < 3) k = vec3d{{t == 0 ? 1.0 : 0.01, t == 1 ? 1.0 : 0.02, t == 2 ? 1.0 : 0.03}}, k = wp::normalize(k);
    quatd q = wp::quat_from_axis_angle(k, ang);
    mat33d m = wp::quat_to_matrix(q);
    for (int j = 0; j < 3; ++j) {  // columns are the rotated basis vectors
      vec3d e{{j == 0 ? 1.0 : 0.0, j == 1 ? 1.0 : 0.0, j == 2 ? 1.0 : 0.0}};
      vec3d c = rodrigues(k, ang, e);
      for (int i = 0; i < 3; ++i) EXPECT_NEAR(m.data[i][j], c.c[i], 1e-14);
    }
    expect_same_rotation(wp::quat_from_matrix(m), q, 1e-12);
    wp::mat44d m4{};
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) m4.data[i][j] = m.data[i][j];
      m4.data[i][3] = 5.0 + i;
    }
    m4.data[3][3] = 1;
    expect_same_rotation(wp::quat_from_matrix(m4), q, 1e-12);
  }
  expect_same_rotation(wp::quat_from_matrix(wp::identity<3, double>()), quatd{0, 0, 0, 1}, 0);
}

TEST(QuatMath, AxisAngleRoundTrip) {
  vec3d axis;
  double angle;
  const vec3d k = wp::normalize(vec3d{{1, -2, 2}});
  wp::quat_to_axis_angle(wp::quat_from_axis_angle(k, 1.25), axis, angle);
  EXPECT_NEAR(angle, 1.25, 1e-14);
  expect_near_all(axis, k, 1e-14);
  wp::quat_to_axis_angle(wp::quat_from_axis_angle(k, 2 * kPi - 0.5), axis, angle);  // w < 0
  EXPECT_NEAR(angle, 0.5, 1e-14);
  expect_near_all(axis, wp::detail::la::vscale(k, -1.0), 1e-14);
  wp::quat_to_axis_angle(quatd{0, 0, 0, 2}, axis, angle);  // unnormalized identity
  EXPECT_EQ(angle, 0.0);
  EXPECT_NEAR(wp::length(axis), 1.0, 1e-15);
}

TEST(QuatMath, RpyAndEulerMatchElementaryRotations) {
  const double r = 0.3, p = -0.7, y = 1.9;
  mat33d ref = mul(rot_axis(2, y), mul(rot_axis(1, p), rot_axis(0, r)));
  mat33d m = wp::quat_to_matrix(wp::quat_rpy(r, p, y));
  expect_near_all(m, ref, 1e-14, "rpy");
  const vec3d e{{0.4, -1.1, 2.5}};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) {
        if (i == j || j == k) continue;
        mat33d want = mul(rot_axis(k, e.c[k]), mul(rot_axis(j, e.c[j]), rot_axis(i, e.c[i])));
        expect_near_all(wp::quat_to_matrix(wp::quat_from_euler(e, i, j, k)), want, 1e-14, "from_euler");
      }
}

TEST(QuatMath, ToEulerInvertsFromEuler) {
  Rng rng;
  for (int t = 0; t < 30; ++t) {
    quatd q = rng.unit_quat();
    if (t == 0) q = wp::quat_rpy(0.3, kPi / 2, -0.4);  // gimbal lock of the xyz sequence
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 3; ++k) {
          if (i == j || j == k) continue;
          vec3d e = wp::quat_to_euler(q, i, j, k);
          if (i != k) {
            expect_same_rotation(wp::quat_from_euler(e, i, j, k), q, 1e-7);
            EXPECT_LE(std::fabs(e.c[j]), kPi / 2 + 1e-12);
          } else {  // proper Euler: R_i(e[m]) R_j(e[j]) R_i(e[i])
            const int m = 3 - i - j;
            mat33d want = mul(rot_axis(i, e.c[m]), mul(rot_axis(j, e.c[j]), rot_axis(i, e.c[i])));
            expect_near_all(wp::quat_to_matrix(q), want, 1e-9, "proper euler");
            EXPECT_GE(e.c[j], 0.0);
            EXPECT_LE(e.c[j], kPi);
          }
        }
  }
  // exact angles come back for a Tait-Bryan sequence away from gimbal lock
  expect_near_all(wp::quat_to_euler(wp::quat_rpy(0.3, -0.7, 1.9), 0, 1, 2), vec3d{{0.3, -0.7, 1.9}}, 1e-13);
}

TEST(QuatMath, Slerp) {
  const quatd a = wp::quat_identity<double>();
  const quatd b = wp::quat_from_axis_angle(vec3d{{0, 0, 1}}, kPi / 2);
  expect_near_all(wp::quat_slerp(a, b, 0.0), a, 1e-15);
  expect_near_all(wp::quat_slerp(a, b, 1.0), b, 1e-15);
  expect_near_all(wp::quat_slerp(a, b, 0.5), wp::quat_from_axis_angle(vec3d{{0, 0, 1}}, kPi / 4), 1e-15);
  const quatd nb{-b.x, -b.y, -b.z, -b.w};  // same rotation: the short arc is taken
  expect_near_all(wp::quat_slerp(a, nb, 0.25), wp::quat_from_axis_angle(vec3d{{0, 0, 1}}, kPi / 8), 1e-15);
  const quatd b2{2 * b.x, 2 * b.y, 2 * b.z, 2 * b.w};  // b is normalized
  expect_near_all(wp::quat_slerp(a, b2, 1.0), b, 1e-15);
  Rng rng;
  for (int t = 0; t < 10; ++t) {  // constant angular rate
    quatd p = rng.unit_quat(), q = rng.unit_quat();
    double d = std::fabs(wp::dot(p, q)), th = std::acos(std::min(1.0, d));
    double s = rng.uniform(0, 1);
    quatd r = wp::quat_slerp(p, q, s);
    EXPECT_NEAR(wp::length(r), 1.0, 1e-14);
    EXPECT_NEAR(std::acos(std::min(1.0, std::fabs(wp::dot(p, r)))), s * th, 1e-7);
  }
  expect_near_all(wp::quat_slerp(a, a, 0.3), a, 1e-15);
}

TEST(QuatMath, SwingTwist) {
  Rng rng;
  for (int t = 0; t < 20; ++t) {
    vec3d axis = wp::normalize(rng.fill<vec3d>());
    vec3d perp = wp::normalize(wp::cross(axis, rng.fill<vec3d>()));
    double alpha = rng.uniform(-3, 3), beta = rng.uniform(-2, 2);
    quatd twist = wp::quat_from_axis_angle(axis, alpha), swing = wp::quat_from_axis_angle(perp, beta);
    quatd q = wp::detail::la::qmul(swing, twist);
    quatd got = wp::quat_twist(axis, q);
    expect_same_rotation(got, twist, 1e-13);
    EXPECT_NEAR(wp::quat_twist_angle(axis, q), std::fabs(alpha), 1e-7);
  }
  // q.w < 0: the angle lies in (pi, 2 pi]
  quatd q = wp::quat_from_axis_angle(vec3d{{0, 1, 0}}, 2 * kPi - 0.5);
  EXPECT_NEAR(wp::quat_twist_angle(vec3d{{0, 1, 0}}, q), 2 * kPi - 0.5, 1e-7);
  // 180 degrees about a perpendicular axis: no twist component, identity by convention
  EXPECT_EQ(wp::quat_twist(vec3d{{0, 0, 1}}, quatd{1, 0, 0, 0}), (quatd{0, 0, 0, 1}));
}

TEST(QuatMath, HalfComputesInFloat) {
  using H = wp::half;
  const wp::vec_t<3, H> z{{H(0.0f), H(0.0f), H(1.0f)}}, x{{H(1.0f), H(0.0f), H(0.0f)}};
  const wp::quat_t<H> q = wp::quat_from_axis_angle(z, H(1.5707964f));
  const wp::vec_t<3, H> r = wp::quat_rotate(q, x);  // x rotated a quarter turn about z = y
  EXPECT_NEAR(float(r.c[0]), 0.0f, 3e-3f);
  EXPECT_NEAR(float(r.c[1]), 1.0f, 3e-3f);
  const wp::transform_t<H> t{wp::vec_t<3, H>{{H(1.0f), H(2.0f), H(3.0f)}}, q};
  const wp::vec_t<3, H> p = wp::transform_point(t, x);
  EXPECT_NEAR(float(p.c[0]), 1.0f, 2e-3f);
  EXPECT_NEAR(float(p.c[1]), 3.0f, 2e-3f);
  EXPECT_NEAR(float(wp::quat_to_euler(q, 0, 1, 2).c[2]), 1.5707964f, 2e-3f);
  wp::mat_t<3, 3, H> u, v;
  wp::vec_t<3, H> s;
  wp::svd3(wp::quat_to_matrix(q), u, s, v);
  EXPECT_NEAR(float(s.c[0]), 1.0f, 2e-3f);
  EXPECT_NEAR(float(s.c[2]), 1.0f, 2e-3f);
}

// ---- adjoints ------------------------------------------------------------------------------------

TEST(QuatMathAdjoint, DotLengthNormalizeInverse) {
  Rng rng;
  quatd a = rng.fill<quatd>(), b = rng.fill<quatd>(), g = rng.fill<quatd>();
  double gs = rng.uniform();
  quatd aa = zero<quatd>(), ab = zero<quatd>();
  wp::adj_dot(a, b, aa, ab, gs);
  expect_gradient(a, aa, [&](const quatd& x) { return gs * wp::dot(x, b); });
  expect_gradient(b, ab, [&](const quatd& x) { return gs * wp::dot(a, x); });
  aa = zero<quatd>();
  wp::adj_length(a, aa, gs);
  expect_gradient(a, aa, [&](const quatd& x) { return gs * wp::length(x); });
  aa = zero<quatd>();
  wp::adj_length_sq(a, aa, gs);
  expect_gradient(a, aa, [&](const quatd& x) { return gs * wp::length_sq(x); });
  aa = zero<quatd>();
  wp::adj_normalize(a, aa, g);
  expect_gradient(a, aa, [&](const quatd& x) { return inner(g, wp::normalize(x)); });
  aa = zero<quatd>();
  wp::adj_quat_inverse(a, aa, g);
  expect_gradient(a, aa, [&](const quatd& x) { return inner(g, wp::quat_inverse(x)); });
}

TEST(QuatMathAdjoint, RotateAndMatrix) {
  Rng rng;
  quatd q = rng.fill<quatd>();  // not unit: the formula's gradient everywhere
  vec3d v = rng.fill<vec3d>(), g = rng.fill<vec3d>();
  quatd aq = zero<quatd>();
  vec3d av = zero<vec3d>();
  wp::adj_quat_rotate(q, v, aq, av, g);
  expect_gradient(q, aq, [&](const quatd& x) { return inner(g, wp::quat_rotate(x, v)); });
  expect_gradient(v, av, [&](const vec3d& x) { return inner(g, wp::quat_rotate(q, x)); });
  aq = zero<quatd>(), av = zero<vec3d>();
  wp::adj_quat_rotate_inv(q, v, aq, av, g);
  expect_gradient(q, aq, [&](const quatd& x) { return inner(g, wp::quat_rotate_inv(x, v)); });
  expect_gradient(v, av, [&](const vec3d& x) { return inner(g, wp::quat_rotate_inv(q, x)); });
  mat33d gm = rng.fill<mat33d>();
  aq = zero<quatd>();
  wp::adj_quat_to_matrix(q, aq, gm);
  expect_gradient(q, aq, [&](const quatd& x) { return inner(gm, wp::quat_to_matrix(x)); });
}

TEST(QuatMathAdjoint, Construction) {
  Rng rng;
  quatd g = rng.fill<quatd>();
  vec3d axis = rng.fill<vec3d>(), aaxis = zero<vec3d>();
  double angle = 0.9, aangle = 0;
  wp::adj_quat_from_axis_angle(axis, angle, aaxis, aangle, g);
  expect_gradient(axis, aaxis, [&](const vec3d& x) { return inner(g, wp::quat_from_axis_angle(x, angle)); });
  expect_gradient(angle, aangle, [&](const double& x) { return inner(g, wp::quat_from_axis_angle(axis, x)); });
  const vec3d e = rng.fill<vec3d>(-2, 2);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) {
        if (i == j || j == k) continue;
        vec3d ae = zero<vec3d>();
        int32_t ai = 0, aj = 0, ak = 0;
        wp::adj_quat_from_euler(e, i, j, k, ae, ai, aj, ak, g);
        expect_gradient(e, ae, [&](const vec3d& x) { return inner(g, wp::quat_from_euler(x, i, j, k)); });
      }
  vec3d rpy = rng.fill<vec3d>(-2, 2), arpy = zero<vec3d>();
  wp::adj_quat_rpy(rpy.c[0], rpy.c[1], rpy.c[2], arpy.c[0], arpy.c[1], arpy.c[2], g);
  expect_gradient(rpy, arpy, [&](const vec3d& x) { return inner(g, wp::quat_rpy(x.c[0], x.c[1], x.c[2])); });
}

TEST(QuatMathAdjoint, ConversionsSlerpTwist) {
  Rng rng;
  for (int n = 0; n < 6; ++n) {
    quatd q = rng.fill<quatd>(), g = rng.fill<quatd>();  // unnormalized, both signs of w
    if (n == 0) q.w = -std::fabs(q.w);
    vec3d ga = rng.fill<vec3d>(), ax;
    double gang = rng.uniform(), ang;
    // quat_to_axis_angle: loss <ga, axis> + gang angle
    auto axis_angle_loss = [&](const quatd& x) {
      wp::quat_to_axis_angle(x, ax, ang);
      return inner(ga, ax) + gang * ang;
    };
    quatd aq = zero<quatd>();
    vec3d adj_axis = ga;
    double adj_angle = gang;
    wp::quat_to_axis_angle(q, ax, ang);
    wp::adj_quat_to_axis_angle(q, ax, ang, aq, adj_axis, adj_angle);
    expect_gradient(q, aq, axis_angle_loss, 1e-6, "to_axis_angle");
    EXPECT_EQ(adj_angle, 0.0);
    // quat_from_matrix, every Shepperd branch (rotation matrices near pi about x, y, z, and small)
    vec3d k = wp::normalize(vec3d{{n == 1 ? 1.0 : 0.1, n == 2 ? 1.0 : 0.2, n == 3 ? 1.0 : 0.3}});
    mat33d m = wp::quat_to_matrix(wp::quat_from_axis_angle(k, n >= 1 && n <= 3 ? 2.8 : 0.7));
    mat33d am = zero<mat33d>();
    wp::adj_quat_from_matrix(m, am, g);
    expect_gradient(m, am, [&](const mat33d& x) { return inner(g, wp::quat_from_matrix(x)); }, 1e-6, "from_matrix");
    wp::mat44d m4 = rng.fill<wp::mat44d>(), am4 = zero<wp::mat44d>();
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) m4.data[i][j] = m.data[i][j];
    wp::adj_quat_from_matrix(m4, am4, g);
    expect_gradient(m4, am4, [&](const wp::mat44d& x) { return inner(g, wp::quat_from_matrix(x)); }, 1e-6, "from_matrix44");
    // slerp, both signs of dot(q0, q1)
    quatd q0 = rng.unit_quat(), q1 = rng.fill<quatd>(), a0 = zero<quatd>(), a1 = zero<quatd>();
    double t = rng.uniform(0, 1), at = 0;
    wp::adj_quat_slerp(q0, q1, t, a0, a1, at, g);
    expect_gradient(q0, a0, [&](const quatd& x) { return inner(g, wp::quat_slerp(x, q1, t)); }, 1e-5, "slerp q0");
    expect_gradient(q1, a1, [&](const quatd& x) { return inner(g, wp::quat_slerp(q0, x, t)); }, 1e-5, "slerp q1");
    expect_gradient(t, at, [&](const double& x) { return inner(g, wp::quat_slerp(q0, q1, x)); }, 1e-5, "slerp t");
    // twist
    vec3d axis = wp::normalize(rng.fill<vec3d>()), aaxis = zero<vec3d>();
    aq = zero<quatd>();
    wp::adj_quat_twist(axis, q, aaxis, aq, g);
    expect_gradient(axis, aaxis, [&](const vec3d& x) { return inner(g, wp::quat_twist(x, q)); }, 1e-6, "twist axis");
    expect_gradient(q, aq, [&](const quatd& x) { return inner(g, wp::quat_twist(axis, x)); }, 1e-6, "twist q");
    aaxis = zero<vec3d>(), aq = zero<quatd>();
    wp::adj_quat_twist_angle(axis, q, aaxis, aq, gang);
    expect_gradient(axis, aaxis, [&](const vec3d& x) { return gang * wp::quat_twist_angle(x, q); }, 1e-6, "twist angle");
    expect_gradient(q, aq, [&](const quatd& x) { return gang * wp::quat_twist_angle(axis, x); }, 1e-6, "twist angle q");
  }
  // nearly equal quaternions: slerp's normalized-lerp branch
  quatd q0 = wp::quat_identity<double>(), g = rng.fill<quatd>(), a0 = zero<quatd>(), a1 = zero<quatd>();
  double at = 0;
  wp::adj_quat_slerp(q0, q0, 0.4, a0, a1, at, g);
  EXPECT_TRUE(std::isfinite(a0.x) && std::isfinite(a1.w) && std::isfinite(at));
}

TEST(QuatMathAdjoint, ToEuler) {
  Rng rng;
  for (int n = 0; n < 5; ++n) {
    quatd q = rng.fill<quatd>();
    vec3d g = rng.fill<vec3d>();
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 3; ++k) {
          if (i == j || j == k) continue;
          quatd aq = zero<quatd>();
          int32_t ai = 0, aj = 0, ak = 0;
          wp::adj_quat_to_euler(q, i, j, k, aq, ai, aj, ak, g);
          expect_gradient(q, aq, [&](const quatd& x) { return inner(g, wp::quat_to_euler(x, i, j, k)); }, 1e-5,
                          "to_euler");
        }
  }
}

}  // namespace
