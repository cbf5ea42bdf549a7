// matrix_test.cpp — host tests of wp/builtins/matrix.h and matrix_decomp.h: values against closed
// forms and identities (A A^-1 = I, det(AB) = det A det B, reconstructions of decompositions),
// and adjoints against central differences (double).
#include "linalg_test_util.h"

namespace {

using namespace a2test;
using wp::mat_t;
using wp::vec_t;

template <int N>
using M = mat_t<N, N, double>;

template <int R, int K, int C>
mat_t<R, C, long double> mul_ld(const mat_t<R, K, double>& a, const mat_t<K, C, double>& b) {
  mat_t<R, C, long double> r{};
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) {
      r.data[i][j] = 0;
      for (int k = 0; k < K; ++k) r.data[i][j] += (long double)a.data[i][k] * b.data[k][j];
    }
  return r;
}

template <int N>
void expect_identity(const mat_t<N, N, long double>& m, double tol) {
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) EXPECT_NEAR((double)m.data[i][j], i == j ? 1.0 : 0.0, tol) << i << "," << j;
}

template <int N>
M<N> transpose_ref(const M<N>& a) {
  M<N> t;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) t.data[j][i] = a.data[i][j];
  return t;
}

TEST(MatrixMath, ElementwiseTransposeTraceDiag) {
  mat_t<2, 3, double> a{{{1, 2, 3}, {4, 5, 6}}}, b{{{2, 2, -1}, {0.5, 1, 3}}};
  EXPECT_EQ(wp::ddot(a, b), 2 + 4 - 3 + 2 + 5 + 18);
  EXPECT_EQ(wp::cw_mul(a, b), (mat_t<2, 3, double>{{{2, 4, -3}, {2, 5, 18}}}));
  EXPECT_EQ(wp::cw_div(a, b), (mat_t<2, 3, double>{{{0.5, 1, -3}, {8, 5, 2}}}));
  EXPECT_EQ(wp::transpose(a), (mat_t<3, 2, double>{{{1, 4}, {2, 5}, {3, 6}}}));
  mat_t<3, 3, int32_t> m{{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}};
  EXPECT_EQ(wp::trace(m), 15);
  EXPECT_EQ(wp::get_diag(m), (wp::vec3i{{1, 5, 9}}));
  EXPECT_EQ(wp::diag(wp::vec2f{{3, -4}}), (wp::mat22f{{{3, 0}, {0, -4}}}));
  EXPECT_EQ((wp::identity<3, float>()), (wp::mat33f{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}));
  EXPECT_EQ((wp::identity<2, int32_t>()), (mat_t<2, 2, int32_t>{{{1, 0}, {0, 1}}}));
}

TEST(MatrixMath, SkewIsCrossProduct) {
  Rng rng;
  for (int t = 0; t < 10; ++t) {
    auto a = rng.fill<wp::vec3d>(), b = rng.fill<wp::vec3d>();
    wp::mat33d s = wp::skew(a);
    auto sb = wp::detail::la::mvmul(s, b), c = wp::cross(a, b);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(sb.c[i], c.c[i], 1e-15);
  }
}

TEST(MatrixMath, FromRowsAndCols) {
  wp::vec3f r0{{1, 2, 3}}, r1{{4, 5, 6}};
  EXPECT_EQ(wp::matrix_from_rows(r0, r1), (mat_t<2, 3, float>{{{1, 2, 3}, {4, 5, 6}}}));
  EXPECT_EQ(wp::matrix_from_cols(r0, r1), (mat_t<3, 2, float>{{{1, 4}, {2, 5}, {3, 6}}}));
  wp::vec2d c0{{1, 2}};
  EXPECT_EQ(wp::matrix_from_cols(c0, c0, c0, c0), (mat_t<2, 4, double>{{{1, 1, 1, 1}, {2, 2, 2, 2}}}));
}

TEST(MatrixMath, DeterminantClosedFormsAndProducts) {
  EXPECT_EQ(wp::determinant(wp::mat22f{{{3, 8}, {4, 6}}}), -14.0f);
  EXPECT_EQ(wp::determinant(wp::mat33d{{{6, 1, 1}, {4, -2, 5}, {2, 8, 7}}}), -306.0);
  EXPECT_EQ(wp::determinant(mat_t<1, 1, double>{{{-2.5}}}), -2.5);
  // triangular 5x5 with a row swap: det = -(product of the diagonal)
  M<5> tri{};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) tri.data[i][j] = j < i ? 0.0 : (i == j ? i + 1.0 : 0.5 * (i + j));
  EXPECT_NEAR(wp::determinant(tri), 120.0, 1e-12);
  std::swap(tri.data[0], tri.data[3]);
  EXPECT_NEAR(wp::determinant(tri), -120.0, 1e-12);
  Rng rng;
  for (int t = 0; t < 10; ++t) {
    auto a = rng.fill<M<4>>(), b = rng.fill<M<4>>();
    auto ab = wp::detail::la::mmul(a, b);
    EXPECT_NEAR(wp::determinant(ab), wp::determinant(a) * wp::determinant(b), 1e-13);
    auto a3 = rng.fill<M<3>>();
    EXPECT_NEAR(wp::determinant(a3), wp::determinant(wp::transpose(a3)), 1e-15);
  }
  EXPECT_EQ(wp::determinant(wp::mat44d{{{1, 2, 3, 4}, {2, 4, 6, 8}, {0, 1, 0, 1}, {1, 0, 1, 0}}}), 0.0);
}

template <int N>
void check_inverse(Rng& rng) {
  for (int t = 0; t < 10; ++t) {
    M<N> a = rng.fill<M<N>>();
    for (int i = 0; i < N; ++i) a.data[i][i] += 2.0;  // well conditioned
    M<N> inv = wp::inverse(a);
    expect_identity(mul_ld(a, inv), 1e-13);
    expect_identity(mul_ld(inv, a), 1e-13);
  }
}

TEST(MatrixMath, InverseIsInverse) {
  Rng rng;
  check_inverse<1>(rng);
  check_inverse<2>(rng);
  check_inverse<3>(rng);
  check_inverse<4>(rng);
  check_inverse<6>(rng);
  EXPECT_EQ(wp::inverse(wp::mat22f{{{2, 1}, {1, 2}}}), (wp::mat22f{{{2.0f / 3, -1.0f / 3}, {-1.0f / 3, 2.0f / 3}}}));
  // singular matrices give the zero matrix
  EXPECT_EQ(wp::inverse(wp::mat22d{{{1, 2}, {2, 4}}}), (wp::mat22d{}));
  EXPECT_EQ(wp::inverse(wp::mat33f{{{1, 2, 3}, {4, 5, 6}, {5, 7, 9}}}), (wp::mat33f{}));
  EXPECT_EQ(wp::inverse(wp::mat44d{{{1, 2, 3, 4}, {2, 4, 6, 8}, {0, 1, 0, 1}, {1, 0, 1, 0}}}), (wp::mat44d{}));
  // float and half paths
  wp::mat33f af{{{4, 1, 0}, {1, 3, 1}, {0, 1, 2}}};
  auto pf = wp::detail::la::mmul(af, wp::inverse(af));
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(pf.data[i][j], i == j ? 1.0f : 0.0f, 1e-6f);
  using H = wp::half;
  mat_t<2, 2, H> ah{{{H(2.0f), H(1.0f)}, {H(1.0f), H(1.0f)}}};
  auto ih = wp::inverse(ah);  // exact: [[1, -1], [-1, 2]]
  EXPECT_EQ(float(ih.data[0][0]), 1.0f);
  EXPECT_EQ(float(ih.data[0][1]), -1.0f);
  EXPECT_EQ(float(ih.data[1][1]), 2.0f);
  EXPECT_EQ(float(wp::determinant(ah)), 1.0f);
}

// ---- decompositions ------------------------------------------------------------------------------

void expect_orthogonal(const wp::mat33d& q, double tol) {
  expect_identity(mul_ld(transpose_ref(q), q), tol);
}

TEST(MatrixDecomp, Svd3) {
  Rng rng;
  for (int t = 0; t < 50; ++t) {
    wp::mat33d a = rng.fill<wp::mat33d>(-2, 2);
    if (t == 0) a = wp::mat33d{{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}};      // rank 2
    if (t == 1) a = wp::mat33d{{{0, 0, 1}, {0, 2, 0}, {-3, 0, 0}}};     // det < 0, permuted
    if (t == 2) a = wp::mat33d{{{2, 0, 0}, {0, 2, 0}, {0, 0, 2}}};      // repeated
    wp::mat33d u, v;
    wp::vec3d s;
    wp::svd3(a, u, s, v);
    expect_orthogonal(u, 1e-12);
    expect_orthogonal(v, 1e-12);
    EXPECT_NEAR(wp::determinant(u), 1.0, 1e-12);
    EXPECT_NEAR(wp::determinant(v), 1.0, 1e-12);
    auto rec = mul_ld(u, wp::diag(s));  // U diag(s)
    wp::mat33d us;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) us.data[i][j] = (double)rec.data[i][j];
    auto back = mul_ld(us, transpose_ref(v));
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) EXPECT_NEAR((double)back.data[i][j], a.data[i][j], 1e-12);
    EXPECT_GE(s.c[0], s.c[1] - 1e-14);
    EXPECT_GE(s.c[1], std::fabs(s.c[2]) - 1e-14);
    EXPECT_GE(s.c[1], 0.0);
    const double det = wp::determinant(a);
    if (std::fabs(det) > 1e-9) {
      EXPECT_EQ(s.c[2] < 0, det < 0);
    }
    EXPECT_NEAR(s.c[0] * s.c[1] * s.c[2], det, 1e-12);
  }
  // singular values of a known matrix: diag(3, -2, 1) permuted has |sigma| = 3, 2, 1
  wp::mat33d u, v;
  wp::vec3d s;
  wp::svd3(wp::mat33d{{{0, 0, 1}, {0, -2, 0}, {3, 0, 0}}}, u, s, v);
  EXPECT_NEAR(s.c[0], 3.0, 1e-14);
  EXPECT_NEAR(s.c[1], 2.0, 1e-14);
  EXPECT_NEAR(s.c[2], 1.0, 1e-14);  // det = +6
  // float
  wp::mat33f af{{{1, 2, 0}, {0, 1, 0}, {0, 0, 3}}}, uf, vf;
  wp::vec3f sf;
  wp::svd3(af, uf, sf, vf);
  EXPECT_NEAR(sf.c[0], 3.0f, 1e-5f);
  EXPECT_NEAR(sf.c[1], 1.0f + std::sqrt(2.0f), 1e-5f);  // singular values of [[1,2],[0,1]]: 1 +- sqrt 2
  EXPECT_NEAR(sf.c[2], std::sqrt(2.0f) - 1.0f, 1e-5f);
}

TEST(MatrixDecomp, Svd2) {
  Rng rng;
  for (int t = 0; t < 50; ++t) {
    wp::mat22d a = rng.fill<wp::mat22d>(-2, 2);
    if (t == 0) a = wp::mat22d{{{1, 2}, {2, 4}}};
    if (t == 1) a = wp::mat22d{{{0, 0}, {0, 0}}};
    if (t == 2) a = wp::mat22d{{{0, -1}, {1, 0}}};
    wp::mat22d u, v;
    wp::vec2d s;
    wp::svd2(a, u, s, v);
    expect_identity(mul_ld(wp::transpose(u), u), 1e-13);
    expect_identity(mul_ld(wp::transpose(v), v), 1e-13);
    EXPECT_GE(s.c[0], s.c[1]);
    EXPECT_GE(s.c[1], 0.0);
    auto back = mul_ld(wp::detail::la::mmul(u, wp::diag(s)), wp::transpose(v));
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) EXPECT_NEAR((double)back.data[i][j], a.data[i][j], 1e-13);
    EXPECT_NEAR(s.c[0] * s.c[1], std::fabs(wp::determinant(a)), 1e-13);
  }
  // the documented example: singular values of [[3, 0], [4, 5]] are 3 sqrt 5 and sqrt 5
  wp::mat22f u, v;
  wp::vec2f s;
  wp::svd2(wp::mat22f{{{3, 0}, {4, 5}}}, u, s, v);
  EXPECT_NEAR(s.c[0], 3.0f * std::sqrt(5.0f), 1e-5f);
  EXPECT_NEAR(s.c[1], std::sqrt(5.0f), 1e-5f);
}

TEST(MatrixDecomp, Qr3) {
  Rng rng;
  for (int t = 0; t < 50; ++t) {
    wp::mat33d a = rng.fill<wp::mat33d>(-2, 2);
    if (t == 0) a = wp::mat33d{{{1, 1, 0}, {1, 0, 1}, {0, 1, 1}}};  // det -2
    if (t == 1) a = wp::mat33d{{{-1, 0, 0}, {0, -1, 0}, {0, 0, 1}}};
    wp::mat33d q, r;
    wp::qr3(a, q, r);
    expect_orthogonal(q, 1e-13);
    EXPECT_NEAR(wp::determinant(q), 1.0, 1e-13);
    EXPECT_EQ(r.data[1][0], 0.0);
    EXPECT_EQ(r.data[2][0], 0.0);
    EXPECT_EQ(r.data[2][1], 0.0);
    EXPECT_GE(r.data[0][0], 0.0);
    EXPECT_GE(r.data[1][1], 0.0);
    auto back = mul_ld(q, r);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) EXPECT_NEAR((double)back.data[i][j], a.data[i][j], 1e-13);
  }
}

TEST(MatrixDecomp, Eig3) {
  Rng rng;
  for (int t = 0; t < 50; ++t) {
    wp::mat33d b = rng.fill<wp::mat33d>(-2, 2), a;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) a.data[i][j] = b.data[i][j] + b.data[j][i];
    if (t == 0) a = wp::mat33d{{{2, 0, 0}, {0, 2, 0}, {0, 0, 2}}};
    if (t == 1) a = wp::mat33d{{{4, 1, 2}, {1, 3, 1}, {2, 1, 5}}};
    wp::mat33d q;
    wp::vec3d d;
    wp::eig3(a, q, d);
    expect_orthogonal(q, 1e-13);
    EXPECT_NEAR(wp::determinant(q), 1.0, 1e-13);
    EXPECT_LE(d.c[0], d.c[1]);
    EXPECT_LE(d.c[1], d.c[2]);
    auto back = mul_ld(wp::detail::la::mmul(q, wp::diag(d)), transpose_ref(q));
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) EXPECT_NEAR((double)back.data[i][j], a.data[i][j], 1e-12);
    EXPECT_NEAR(d.c[0] + d.c[1] + d.c[2], wp::trace(a), 1e-12);
    EXPECT_NEAR(d.c[0] * d.c[1] * d.c[2], wp::determinant(a), 1e-11);
  }
  // eigenvalues of [[2, 1, 0], [1, 2, 0], [0, 0, 5]]: 1, 3, 5
  wp::mat33f q;
  wp::vec3f d;
  wp::eig3(wp::mat33f{{{2, 1, 0}, {1, 2, 0}, {0, 0, 5}}}, q, d);
  EXPECT_NEAR(d.c[0], 1.0f, 1e-6f);
  EXPECT_NEAR(d.c[1], 3.0f, 1e-6f);
  EXPECT_NEAR(d.c[2], 5.0f, 1e-6f);
}

// ---- adjoints ------------------------------------------------------------------------------------

TEST(MatrixMathAdjoint, Elementwise) {
  Rng rng;
  using A = mat_t<2, 3, double>;
  A a = rng.fill<A>(), b = rng.fill<A>(0.5, 2), g = rng.fill<A>();
  double gs = rng.uniform();
  A aa = zero<A>(), ab = zero<A>();
  wp::adj_ddot(a, b, aa, ab, gs);
  expect_gradient(a, aa, [&](const A& x) { return gs * wp::ddot(x, b); });
  expect_gradient(b, ab, [&](const A& x) { return gs * wp::ddot(a, x); });
  aa = zero<A>(), ab = zero<A>();
  wp::adj_cw_mul(a, b, aa, ab, g);
  expect_gradient(a, aa, [&](const A& x) { return inner(g, wp::cw_mul(x, b)); });
  expect_gradient(b, ab, [&](const A& x) { return inner(g, wp::cw_mul(a, x)); });
  aa = zero<A>(), ab = zero<A>();
  wp::adj_cw_div(a, b, aa, ab, g);
  expect_gradient(a, aa, [&](const A& x) { return inner(g, wp::cw_div(x, b)); });
  expect_gradient(b, ab, [&](const A& x) { return inner(g, wp::cw_div(a, x)); });
  auto gt = rng.fill<mat_t<3, 2, double>>();
  aa = zero<A>();
  wp::adj_transpose(a, aa, gt);
  expect_gradient(a, aa, [&](const A& x) { return inner(gt, wp::transpose(x)); });
}

TEST(MatrixMathAdjoint, TraceDiagSkewRowsCols) {
  Rng rng;
  M<3> m = rng.fill<M<3>>(), am = zero<M<3>>(), gm = rng.fill<M<3>>();
  wp::vec3d v = rng.fill<wp::vec3d>(), av = zero<wp::vec3d>(), gv = rng.fill<wp::vec3d>();
  double gs = rng.uniform();
  wp::adj_trace(m, am, gs);
  expect_gradient(m, am, [&](const M<3>& x) { return gs * wp::trace(x); });
  am = zero<M<3>>();
  wp::adj_get_diag(m, am, gv);
  expect_gradient(m, am, [&](const M<3>& x) { return inner(gv, wp::get_diag(x)); });
  wp::adj_diag(v, av, gm);
  expect_gradient(v, av, [&](const wp::vec3d& x) { return inner(gm, wp::diag(x)); });
  av = zero<wp::vec3d>();
  wp::adj_skew(v, av, gm);
  expect_gradient(v, av, [&](const wp::vec3d& x) { return inner(gm, wp::skew(x)); });
  wp::vec3d w = rng.fill<wp::vec3d>(), aw = zero<wp::vec3d>();
  auto g23 = rng.fill<mat_t<2, 3, double>>();
  av = zero<wp::vec3d>();
  wp::adj_matrix_from_rows(v, w, av, aw, g23);
  expect_gradient(v, av, [&](const wp::vec3d& x) { return inner(g23, wp::matrix_from_rows(x, w)); });
  expect_gradient(w, aw, [&](const wp::vec3d& x) { return inner(g23, wp::matrix_from_rows(v, x)); });
  auto g32 = rng.fill<mat_t<3, 2, double>>();
  av = zero<wp::vec3d>(), aw = zero<wp::vec3d>();
  wp::adj_matrix_from_cols(v, w, av, aw, g32);
  expect_gradient(v, av, [&](const wp::vec3d& x) { return inner(g32, wp::matrix_from_cols(x, w)); });
  expect_gradient(w, aw, [&](const wp::vec3d& x) { return inner(g32, wp::matrix_from_cols(v, x)); });
}

template <int N>
void check_det_inverse_adjoint(Rng& rng) {
  M<N> a = rng.fill<M<N>>();
  for (int i = 0; i < N; ++i) a.data[i][i] += 2.0;
  double gs = rng.uniform();
  M<N> aa = zero<M<N>>(), g = rng.fill<M<N>>();
  wp::adj_determinant(a, aa, gs);
  expect_gradient(a, aa, [&](const M<N>& x) { return gs * wp::determinant(x); }, 1e-6, "det");
  aa = zero<M<N>>();
  wp::adj_inverse(a, aa, g);
  expect_gradient(a, aa, [&](const M<N>& x) { return inner(g, wp::inverse(x)); }, 1e-6, "inverse");
}

TEST(MatrixMathAdjoint, DeterminantAndInverse) {
  Rng rng;
  check_det_inverse_adjoint<1>(rng);
  check_det_inverse_adjoint<2>(rng);
  check_det_inverse_adjoint<3>(rng);
  check_det_inverse_adjoint<4>(rng);
  check_det_inverse_adjoint<5>(rng);
  // the determinant's gradient at a singular matrix is its cofactor matrix (finite)
  M<3> s{{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}}, as = zero<M<3>>();
  wp::adj_determinant(s, as, 1.0);
  expect_gradient(s, as, [&](const M<3>& x) { return wp::determinant(x); });
}

}  // namespace
