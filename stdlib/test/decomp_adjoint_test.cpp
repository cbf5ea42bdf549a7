// decomp_adjoint_test.cpp — host tests of adj_svd3, adj_svd2, adj_eig3, adj_qr3
// (wp/builtins/matrix_decomp.h) in double against central finite differences of a random linear
// functional of the outputs, L = <wU, U> + <ws, sigma> + <wV, V> (etc.), and in float (and half
// for svd3) against the double adjoint. Inputs are built with well-separated singular values /
// eigenvalues so the forward map is smooth; perturbed outputs have their columns sign-aligned with
// the unperturbed ones (the branch the adjoint differentiates). Also checks that the adjoints
// ACCUMULATE into adj_A and that equal singular values / eigenvalues give finite results.
#include "linalg_test_util.h"

namespace {

using namespace a2test;
using wp::mat_t;
using wp::vec_t;

template <int N>
using M = mat_t<N, N, double>;
template <int N>
using V = vec_t<N, double>;

// A random rotation (det +1): Gram-Schmidt of a random matrix, last column fixed by the sign.
template <int N>
M<N> random_rotation(Rng& rng) {
  M<N> q = rng.fill<M<N>>();
  for (int j = 0; j < N; ++j) {
    for (int k = 0; k < j; ++k) {
      double d = 0;
      for (int i = 0; i < N; ++i) d += q.data[i][j] * q.data[i][k];
      for (int i = 0; i < N; ++i) q.data[i][j] -= d * q.data[i][k];
    }
    double n = 0;
    for (int i = 0; i < N; ++i) n += q.data[i][j] * q.data[i][j];
    for (int i = 0; i < N; ++i) q.data[i][j] /= std::sqrt(n);
  }
  if (wp::determinant(q) < 0)
    for (int i = 0; i < N; ++i) q.data[i][N - 1] = -q.data[i][N - 1];
  return q;
}

// U diag(s) V^T for random rotations U, V.
template <int N>
M<N> with_singular_values(Rng& rng, const double (&s)[N]) {
  M<N> u = random_rotation<N>(rng), v = random_rotation<N>(rng), a{};
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j)
      for (int k = 0; k < N; ++k) a.data[i][j] += u.data[i][k] * s[k] * v.data[j][k];
  return a;
}

// Flips the columns of p (and of the partner q, if any) whose dot with ref's column is negative.
template <int N>
void align_columns(M<N>& p, const M<N>& ref, M<N>* partner = nullptr) {
  for (int j = 0; j < N; ++j) {
    double d = 0;
    for (int i = 0; i < N; ++i) d += p.data[i][j] * ref.data[i][j];
    if (d >= 0) continue;
    for (int i = 0; i < N; ++i) {
      p.data[i][j] = -p.data[i][j];
      if (partner) partner->data[i][j] = -partner->data[i][j];
    }
  }
}

template <int N>
struct SvdWeights {
  M<N> wu, wv;
  V<N> ws;
};

template <int N, class Svd>
double svd_loss(Svd svd, const M<N>& a, const SvdWeights<N>& w, const M<N>& v_ref) {
  M<N> u, v;
  V<N> s;
  svd(a, u, s, v);
  align_columns(v, v_ref, &u);  // U's columns follow V's (A v_k = s_k u_k)
  return inner(w.wu, u) + inner(w.ws, s) + inner(w.wv, v);
}

// Checks adj (preset adj_A = 0.5 everywhere, to see accumulation) against finite differences.
template <int N, class Svd, class AdjSvd>
void check_svd_gradient(Svd svd, AdjSvd adj_svd, const M<N>& a, Rng& rng, const char* what) {
  SvdWeights<N> w{rng.fill<M<N>>(), rng.fill<M<N>>(), rng.fill<V<N>>()};
  M<N> u, v;
  V<N> s;
  svd(a, u, s, v);
  M<N> adj_a;
  for (int i = 0; i < ncomp<M<N>>(); ++i) comps(adj_a)[i] = 0.5;
  M<N> gu = w.wu, gv = w.wv;
  V<N> gs = w.ws;
  adj_svd(a, u, s, v, adj_a, gu, gs, gv);
  for (int i = 0; i < ncomp<M<N>>(); ++i) comps(adj_a)[i] -= 0.5;
  expect_gradient(a, adj_a, [&](const M<N>& x) { return svd_loss<N>(svd, x, w, v); }, 1e-6, what);
}

auto svd3_fn = [](const M<3>& a, M<3>& u, V<3>& s, M<3>& v) { wp::svd3(a, u, s, v); };
auto adj_svd3_fn = [](const M<3>& a, const M<3>& u, const V<3>& s, const M<3>& v, M<3>& aa, M<3>& au, V<3>& as,
                      M<3>& av) { wp::adj_svd3(a, u, s, v, aa, au, as, av); };
auto svd2_fn = [](const M<2>& a, M<2>& u, V<2>& s, M<2>& v) { wp::svd2(a, u, s, v); };
auto adj_svd2_fn = [](const M<2>& a, const M<2>& u, const V<2>& s, const M<2>& v, M<2>& aa, M<2>& au, V<2>& as,
                      M<2>& av) { wp::adj_svd2(a, u, s, v, aa, au, as, av); };

TEST(DecompAdjoint, Svd3MatchesFiniteDifferences) {
  Rng rng;
  const double sets[4][3] = {{3.0, 1.7, 0.6}, {2.0, 1.0, -0.4}, {1.3, 0.9, 0.5}, {5.0, 2.5, -1.2}};
  for (int t = 0; t < 12; ++t) {
    SCOPED_TRACE(t);
    check_svd_gradient<3>(svd3_fn, adj_svd3_fn, with_singular_values<3>(rng, sets[t % 4]), rng, "svd3");
  }
}

TEST(DecompAdjoint, Svd2MatchesFiniteDifferences) {
  Rng rng;
  const double sets[3][2] = {{2.0, 0.7}, {1.5, 0.2}, {3.0, 1.1}};
  for (int t = 0; t < 12; ++t) {
    SCOPED_TRACE(t);
    M<2> a = with_singular_values<2>(rng, sets[t % 3]);
    if (t % 2) a.data[0][0] = -a.data[0][0], a.data[0][1] = -a.data[0][1];  // det < 0 too
    check_svd_gradient<2>(svd2_fn, adj_svd2_fn, a, rng, "svd2");
  }
}

// Singular values only: the exact gradient dsigma_i/dA = u_i v_i^T, independent of the F terms.
TEST(DecompAdjoint, Svd3SigmaGradientIsOuterProduct) {
  Rng rng;
  const double s0[3] = {2.5, 1.5, -0.7};
  M<3> a = with_singular_values<3>(rng, s0), u, v, adj_a{}, zero_m{};
  V<3> s, gs{{0.3, -1.1, 0.8}};
  wp::svd3(a, u, s, v);
  wp::adj_svd3(a, u, s, v, adj_a, zero_m, gs, zero_m);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      long double ref = 0;
      for (int k = 0; k < 3; ++k) ref += (long double)gs.c[k] * u.data[i][k] * v.data[j][k];
      EXPECT_NEAR(adj_a.data[i][j], (double)ref, 1e-12) << i << "," << j;
    }
}

template <int N>
M<N> random_symmetric_with(Rng& rng, const double (&lambda)[N]) {
  M<N> q = random_rotation<N>(rng), a{};
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j)
      for (int k = 0; k < N; ++k) a.data[i][j] += q.data[i][k] * lambda[k] * q.data[j][k];
  return a;
}

TEST(DecompAdjoint, Eig3MatchesFiniteDifferences) {
  Rng rng;
  const double sets[3][3] = {{-1.0, 0.5, 2.0}, {0.3, 1.1, 2.4}, {-3.0, -1.0, 1.5}};
  for (int t = 0; t < 12; ++t) {
    SCOPED_TRACE(t);
    M<3> a = random_symmetric_with<3>(rng, sets[t % 3]);
    for (int i = 0; i < 3; ++i)  // an antisymmetric part, which eig3 ignores
      for (int j = i + 1; j < 3; ++j) {
        double k = rng.uniform();
        a.data[i][j] += k, a.data[j][i] -= k;
      }
    M<3> wq = rng.fill<M<3>>(), q, adj_a, gq = wq;
    V<3> wd = rng.fill<V<3>>(), d, gd = wd;
    wp::eig3(a, q, d);
    for (int i = 0; i < 9; ++i) comps(adj_a)[i] = -0.25;
    wp::adj_eig3(a, q, d, adj_a, gq, gd);
    for (int i = 0; i < 9; ++i) comps(adj_a)[i] += 0.25;
    auto loss = [&](const M<3>& x) {
      M<3> qx;
      V<3> dx;
      wp::eig3(x, qx, dx);
      align_columns(qx, q);
      return inner(wq, qx) + inner(wd, dx);
    };
    expect_gradient(a, adj_a, loss, 1e-6, "eig3");
    for (int i = 0; i < 3; ++i)  // the gradient is symmetric (only sym(A) is used)
      for (int j = 0; j < 3; ++j) EXPECT_NEAR(adj_a.data[i][j], adj_a.data[j][i], 1e-12);
  }
}

TEST(DecompAdjoint, Qr3MatchesFiniteDifferences) {
  Rng rng;
  for (int t = 0; t < 12; ++t) {
    SCOPED_TRACE(t);
    M<3> a = rng.fill<M<3>>();
    for (int i = 0; i < 3; ++i) a.data[i][i] += t % 2 ? -1.5 : 1.5;  // well conditioned, det of both signs
    if (t % 3 == 0) a.data[2][0] *= -3.0;
    M<3> wq = rng.fill<M<3>>(), wr = rng.fill<M<3>>(), q, r, adj_a, gq = wq, gr = wr;
    wp::qr3(a, q, r);
    for (int i = 0; i < 9; ++i) comps(adj_a)[i] = 1.0;
    wp::adj_qr3(a, q, r, adj_a, gq, gr);
    for (int i = 0; i < 9; ++i) comps(adj_a)[i] -= 1.0;
    auto loss = [&](const M<3>& x) {
      M<3> qx, rx;
      wp::qr3(x, qx, rx);
      return inner(wq, qx) + inner(wr, rx);
    };
    expect_gradient(a, adj_a, loss, 1e-6, "qr3");
  }
}

// ---- float (and half): same inputs, compared with the double adjoint -----------------------

template <class To, class From>
To convert(const From& x) {
  To r{};
  for (int i = 0; i < ncomp<From>(); ++i) wp::component(r, i) = static_cast<wp::scalar_t<To>>(comps(x)[i]);
  return r;
}

template <class X, class D>
void expect_close_rel(const X& got, const D& ref, double rel, const char* what) {
  double mx = 0;
  for (int i = 0; i < ncomp<D>(); ++i) mx = std::max(mx, std::fabs(comps(ref)[i]));
  for (int i = 0; i < ncomp<D>(); ++i)
    EXPECT_NEAR(double(wp::component(got, i)), comps(ref)[i], rel * mx) << what << " component " << i;
}

TEST(DecompAdjoint, FloatMatchesDouble) {
  Rng rng;
  const double s3[3] = {2.0, 1.2, -0.5}, s2[2] = {1.8, 0.6}, l3[3] = {-1.0, 0.4, 1.7};
  for (int t = 0; t < 6; ++t) {
    SCOPED_TRACE(t);
    M<3> a3 = with_singular_values<3>(rng, s3), e3 = random_symmetric_with<3>(rng, l3), g1 = rng.fill<M<3>>(),
         g2 = rng.fill<M<3>>(), q3 = rng.fill<M<3>>();
    for (int i = 0; i < 3; ++i) q3.data[i][i] += 2.0;
    M<2> a2 = with_singular_values<2>(rng, s2), h1 = rng.fill<M<2>>(), h2 = rng.fill<M<2>>();
    V<3> gv = rng.fill<V<3>>();
    V<2> hv = rng.fill<V<2>>();
    M<3> d_out{}, d_svd3{}, d_eig3{}, d_qr3{};
    M<2> d_out2{}, d_svd2{};
    V<3> d_v{};
    V<2> d_v2{};
    wp::adj_svd3(a3, d_out, d_v, d_out, d_svd3, g1, gv, g2);
    wp::adj_svd2(a2, d_out2, d_v2, d_out2, d_svd2, h1, hv, h2);
    wp::adj_eig3(e3, d_out, d_v, d_eig3, g1, gv);
    wp::adj_qr3(q3, d_out, d_out, d_qr3, g1, g2);
    wp::mat33f f_out{}, f_svd3{}, f_eig3{}, f_qr3{}, fg1 = convert<wp::mat33f>(g1), fg2 = convert<wp::mat33f>(g2);
    wp::mat22f f_out2{}, f_svd2{}, fh1 = convert<wp::mat22f>(h1), fh2 = convert<wp::mat22f>(h2);
    wp::vec3f f_v{}, fgv = convert<wp::vec3f>(gv);
    wp::vec2f f_v2{}, fhv = convert<wp::vec2f>(hv);
    wp::adj_svd3(convert<wp::mat33f>(a3), f_out, f_v, f_out, f_svd3, fg1, fgv, fg2);
    wp::adj_svd2(convert<wp::mat22f>(a2), f_out2, f_v2, f_out2, f_svd2, fh1, fhv, fh2);
    wp::adj_eig3(convert<wp::mat33f>(e3), f_out, f_v, f_eig3, fg1, fgv);
    wp::adj_qr3(convert<wp::mat33f>(q3), f_out, f_out, f_qr3, fg1, fg2);
    expect_close_rel(f_svd3, d_svd3, 2e-4, "svd3 float");
    expect_close_rel(f_svd2, d_svd2, 2e-4, "svd2 float");
    expect_close_rel(f_eig3, d_eig3, 2e-4, "eig3 float");
    expect_close_rel(f_qr3, d_qr3, 2e-4, "qr3 float");
  }
}

TEST(DecompAdjoint, HalfSvd3IsCloseToDouble) {
  Rng rng;
  const double s3[3] = {2.0, 1.2, 0.5};
  M<3> a = with_singular_values<3>(rng, s3), g1 = rng.fill<M<3>>(), g2 = rng.fill<M<3>>(), zero{}, ref{};
  V<3> gv = rng.fill<V<3>>(), zv{};
  wp::adj_svd3(a, zero, zv, zero, ref, g1, gv, g2);
  using MH = mat_t<3, 3, wp::half>;
  MH ha{}, hz{}, hadj{}, hg1{}, hg2{};
  vec_t<3, wp::half> hgv{}, hzv{};
  for (int i = 0; i < 9; ++i) {
    wp::component(ha, i) = wp::half(float(comps(a)[i]));
    wp::component(hg1, i) = wp::half(float(comps(g1)[i]));
    wp::component(hg2, i) = wp::half(float(comps(g2)[i]));
    wp::component(hz, i) = wp::half(0.0f), wp::component(hadj, i) = wp::half(0.0f);
  }
  for (int i = 0; i < 3; ++i) wp::component(hgv, i) = wp::half(float(gv.c[i])), wp::component(hzv, i) = wp::half(0.0f);
  wp::adj_svd3(ha, hz, hzv, hz, hadj, hg1, hgv, hg2);
  double mx = 0;
  for (int i = 0; i < 9; ++i) mx = std::max(mx, std::fabs(comps(ref)[i]));
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(float(wp::component(hadj, i)), comps(ref)[i], 2e-2 * mx) << i;
}

// ---- degenerate inputs: finite results, and exact gradients of the sigma / d parts ------------

TEST(DecompAdjoint, EqualValuesGiveFiniteGradients) {
  M<3> id{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}, g{{{0.3, -1, 2}, {1, 0.5, -0.2}, {0.7, 0.1, 1}}}, out{}, adj{};
  V<3> gv{{1, 2, 3}}, ov{};
  wp::adj_svd3(id, out, ov, out, adj, g, gv, g);
  wp::adj_eig3(id, out, ov, adj, g, gv);
  wp::adj_qr3(M<3>{}, out, out, adj, g, g);  // singular: R = 0
  for (int i = 0; i < 9; ++i) EXPECT_TRUE(std::isfinite(comps(adj)[i])) << i;
  // sigma / d only: d(sum g_k sigma_k)/dA = U diag(g) V^T = diag(g) at the identity, same for eig3
  M<3> zero{}, a_s{}, a_d{};
  wp::adj_svd3(id, out, ov, out, a_s, zero, gv, zero);
  wp::adj_eig3(id, out, ov, a_d, zero, gv);
  double tr_s = 0, tr_d = 0;
  for (int i = 0; i < 3; ++i) tr_s += a_s.data[i][i], tr_d += a_d.data[i][i];
  EXPECT_NEAR(tr_s, 6.0, 1e-12);  // trace(U diag(g) V^T) with U = V = any rotation
  EXPECT_NEAR(tr_d, 6.0, 1e-12);
  M<2> id2{{{1, 0}, {0, 1}}}, g2{{{1, -2}, {0.5, 3}}}, o2{}, adj2{};
  V<2> gv2{{1, 1}}, ov2{};
  wp::adj_svd2(id2, o2, ov2, o2, adj2, g2, gv2, g2);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(std::isfinite(comps(adj2)[i])) << i;
}

}  // namespace
