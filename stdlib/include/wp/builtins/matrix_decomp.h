// wp/builtins/matrix_decomp.h — small dense decompositions: svd3, svd2, qr3, eig3 (Vector Math).
// Included by wp/builtins/matrix.h; not meant to be included on its own.
//
// Owner: stdlib-a2. Contract (Warp's documented results; outputs are written to the & arguments):
//  * eig3(A, Q, d): A symmetric (its symmetric part (A + A^T)/2 is used); A = Q diag(d) Q^T with Q orthonormal and right-handed
//    (det Q = +1), eigenvalues in ASCENDING order (Warp promises no order). Cyclic Jacobi.
//  * qr3(A, Q, R): A = Q R, Q orthogonal with det +1 (product of Givens rotations), R upper
//    triangular with R[0][0] >= 0 and R[1][1] >= 0; R[2][2] carries the sign of det A.
//  * svd3(A, U, sigma, V): A = U diag(sigma) V^T, U and V rotations (det +1), |sigma| sorted in
//    decreasing order, sigma[0], sigma[1] >= 0 and sigma[2] has the sign of det A.
//    Method: Jacobi eigenvectors V of A^T A, sorted; then Givens QR of A V gives U and sigma.
//  * svd2(A, U, sigma, V): A = U diag(sigma) V^T, sigma >= 0 in decreasing order, U and V
//    orthogonal (either may be a reflection).
//  * All of them compute in detail::la::calc_t<T> (float for wp::half) with fixed iteration caps
//    (no data-dependent unbounded loops).
//
// Adjoints (owner: decompadj). adj_<f>(A, <outputs>, adj_A, <adjoints of the outputs>): the
// output adjoints are INPUTS (d loss / d output); d loss / d A is ACCUMULATED (+=) into adj_A.
// The outputs passed in are NOT read: the decomposition is recomputed from A in calc_t<T>, so the
// adjoint is that of the branch the forward function takes at A (its sign/order choices are
// locally constant wherever the adjoint is defined). With G = P^T adj_P for an orthogonal P:
//  * svd (U S V^T, S signed): adj_A = U X V^T, X_ii = adj_sigma_i and for i != j
//    X_ij = F_ij (s_j (G_U - G_U^T)_ij + s_i (G_V - G_V^T)_ij), F_ij = 1 / (s_j^2 - s_i^2).
//  * eig3 (S = sym(A) = Q diag(d) Q^T): adj_S = Q X Q^T with X_ii = adj_d_i and
//    X_ij = F_ij (G_Q)_ij, F_ij = 1 / (d_j - d_i); adj_A += (adj_S + adj_S^T) / 2.
//  * qr3 (square A = Q R): M = R adj_R^T - adj_Q^T Q, C = adj_R R^T - strict_lower(M^T - M),
//    adj_A = Q C R^-T (back substitution; a zero R_kk, i.e. singular A, contributes 0).
//  * Guard for (nearly) equal singular values / eigenvalues: 1/x in F is replaced by
//    x / (x^2 + tau^2), tau = 100 eps * scale (scale = max s_i^2 for the svds, max |d_i| for eig3),
//    so equal values give F = 0 instead of inf/NaN and well-separated ones (relative gap >> 1e-4
//    in float) are changed by a relative (tau/x)^2. Exactly there the true derivative of U, V, Q
//    does not exist; gradients of losses that only depend on sigma / d stay exact.
#pragma once

#include "wp/builtins/vector.h"

namespace wp {
namespace detail::la {

// Jacobi rotation zeroing a[p][q] of the symmetric 3x3 `a`; accumulates v = v J.
template <typename K>
WP_HD void jacobi_rotate(K a[3][3], K v[3][3], int p, int q) {
  if (a[p][q] == K(0)) return;
  K theta = (a[q][q] - a[p][p]) / (K(2) * a[p][q]);
  // t = tan of the rotation angle, the smaller root of t^2 + 2 theta t - 1 = 0
  K t = abs_any(theta) > K(1) / eps_<K>() ? K(1) / (K(2) * abs_any(theta))
                                          : K(1) / (abs_any(theta) + sqrt_(theta * theta + K(1)));
  if (theta < K(0)) t = -t;
  K c = K(1) / sqrt_(t * t + K(1)), s = t * c;
  for (int k = 0; k < 3; ++k) {  // A = A J (columns p, q)
    K akp = a[k][p], akq = a[k][q];
    a[k][p] = c * akp - s * akq;
    a[k][q] = s * akp + c * akq;
  }
  for (int k = 0; k < 3; ++k) {  // A = J^T A (rows p, q)
    K apk = a[p][k], aqk = a[q][k];
    a[p][k] = c * apk - s * aqk;
    a[q][k] = s * apk + c * aqk;
  }
  a[p][q] = a[q][p] = K(0);
  for (int k = 0; k < 3; ++k) {
    K vkp = v[k][p], vkq = v[k][q];
    v[k][p] = c * vkp - s * vkq;
    v[k][q] = s * vkp + c * vkq;
  }
}

// Symmetric eigen-decomposition in place: a becomes diagonal, v holds the eigenvectors (columns).
template <typename K>
WP_HD void jacobi_eigen3(K a[3][3], K v[3][3]) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) v[i][j] = i == j ? K(1) : K(0);
  for (int sweep = 0; sweep < 32; ++sweep) {
    K off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
    K on = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2];
    if (!(off > eps_<K>() * eps_<K>() * on * K(1e-2))) break;
    jacobi_rotate(a, v, 0, 1);
    jacobi_rotate(a, v, 0, 2);
    jacobi_rotate(a, v, 1, 2);
  }
}

template <typename K>
WP_HD void swap_cols3(K v[3][3], int i, int j) {
  for (int k = 0; k < 3; ++k) {
    K t = v[k][i];
    v[k][i] = v[k][j];
    v[k][j] = t;
  }
}

template <typename K>
WP_HD K det3(const K m[3][3]) {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
         m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

// Sorts eigenpairs (d[i], column i of v) by d, ascending or descending (3 elements, 3 swaps).
template <typename K>
WP_HD void sort_eigen3(K d[3], K v[3][3], bool descending) {
  const int pairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};
  for (const auto& pr : pairs) {
    int i = pr[0], j = pr[1];
    if (descending ? d[i] < d[j] : d[i] > d[j]) {
      K t = d[i];
      d[i] = d[j];
      d[j] = t;
      swap_cols3(v, i, j);
    }
  }
}

// Givens QR of the 3x3 `r` in place (r becomes R); q becomes Q with det +1.
template <typename K>
WP_HD void givens_qr3(K r[3][3], K q[3][3]) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) q[i][j] = i == j ? K(1) : K(0);
  const int steps[3][2] = {{0, 1}, {0, 2}, {1, 2}};  // (pivot row/column k, row i to zero)
  for (const auto& st : steps) {
    int k = st[0], i = st[1];
    K a = r[k][k], b = r[i][k];
    if (b == K(0) && !(a < K(0))) continue;
    K h = sqrt_(a * a + b * b);
    K c = a / h, s = b / h;
    for (int j = 0; j < 3; ++j) {
      K rk = r[k][j], ri = r[i][j];
      r[k][j] = c * rk + s * ri;
      r[i][j] = -s * rk + c * ri;
    }
    r[i][k] = K(0);
    for (int j = 0; j < 3; ++j) {  // Q = Q G^T
      K qk = q[j][k], qi = q[j][i];
      q[j][k] = c * qk + s * qi;
      q[j][i] = -s * qk + c * qi;
    }
  }
}

template <typename T, typename K>
WP_HD void store3(mat_t<3, 3, T>& out, const K m[3][3]) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) out.data[i][j] = down<T>(m[i][j]);
}

template <typename T>
WP_HD void load3(calc_t<T> m[3][3], const mat_t<3, 3, T>& in) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) m[i][j] = up(in.data[i][j]);
}

}  // namespace detail::la

template <typename T>
WP_HD void eig3(const mat_t<3, 3, T>& A, mat_t<3, 3, T>& Q, vec_t<3, T>& d) {
  using K = detail::la::calc_t<T>;
  K a[3][3], v[3][3];
  detail::la::load3(a, A);
  for (int i = 0; i < 3; ++i)  // only the symmetric part is used
    for (int j = i + 1; j < 3; ++j) a[i][j] = a[j][i] = K(0.5) * (a[i][j] + a[j][i]);
  detail::la::jacobi_eigen3(a, v);
  K ev[3] = {a[0][0], a[1][1], a[2][2]};
  detail::la::sort_eigen3(ev, v, false);
  if (detail::la::det3(v) < K(0))
    for (int k = 0; k < 3; ++k) v[k][2] = -v[k][2];
  detail::la::store3(Q, v);
  for (int i = 0; i < 3; ++i) d.c[i] = static_cast<T>(ev[i]);
}

template <typename T>
WP_HD void qr3(const mat_t<3, 3, T>& A, mat_t<3, 3, T>& Q, mat_t<3, 3, T>& R) {
  using K = detail::la::calc_t<T>;
  K r[3][3], q[3][3];
  detail::la::load3(r, A);
  detail::la::givens_qr3(r, q);
  detail::la::store3(Q, q);
  detail::la::store3(R, r);
}

template <typename T>
WP_HD void svd3(const mat_t<3, 3, T>& A, mat_t<3, 3, T>& U, vec_t<3, T>& sigma, mat_t<3, 3, T>& V) {
  using K = detail::la::calc_t<T>;
  K a[3][3], s[3][3], v[3][3];
  detail::la::load3(a, A);
  for (int i = 0; i < 3; ++i)  // s = A^T A
    for (int j = 0; j < 3; ++j) {
      s[i][j] = K(0);
      for (int k = 0; k < 3; ++k) s[i][j] += a[k][i] * a[k][j];
    }
  detail::la::jacobi_eigen3(s, v);
  K ev[3] = {s[0][0], s[1][1], s[2][2]};
  detail::la::sort_eigen3(ev, v, true);
  if (detail::la::det3(v) < K(0))
    for (int k = 0; k < 3; ++k) v[k][2] = -v[k][2];
  K b[3][3], u[3][3];
  for (int i = 0; i < 3; ++i)  // b = A V
    for (int j = 0; j < 3; ++j) {
      b[i][j] = K(0);
      for (int k = 0; k < 3; ++k) b[i][j] += a[i][k] * v[k][j];
    }
  detail::la::givens_qr3(b, u);  // b = U R, R diagonal up to rounding
  detail::la::store3(U, u);
  detail::la::store3(V, v);
  for (int i = 0; i < 3; ++i) sigma.c[i] = static_cast<T>(b[i][i]);
}

template <typename T>
WP_HD void svd2(const mat_t<2, 2, T>& A, mat_t<2, 2, T>& U, vec_t<2, T>& sigma, mat_t<2, 2, T>& V) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const K a = up(A.data[0][0]), b = up(A.data[0][1]), c = up(A.data[1][0]), d = up(A.data[1][1]);
  // A^T A = [[p, q], [q, r]]; its larger eigenvalue's eigenvector is at angle 0.5 atan2(2q, p - r).
  const K p = a * a + c * c, q = a * b + c * d, r = b * b + d * d;
  const K th = K(0.5) * detail::la::atan2_(K(2) * q, p - r);
  const K ct = detail::la::cos_(th), st = detail::la::sin_(th);
  const K v0[2] = {ct, st}, v1[2] = {-st, ct};
  const K b0[2] = {a * v0[0] + b * v0[1], c * v0[0] + d * v0[1]};  // A v0
  const K b1[2] = {a * v1[0] + b * v1[1], c * v1[0] + d * v1[1]};  // A v1
  const K s0 = detail::la::sqrt_(b0[0] * b0[0] + b0[1] * b0[1]);
  const K s1 = detail::la::sqrt_(b1[0] * b1[0] + b1[1] * b1[1]);
  K u0[2] = {K(1), K(0)};
  if (s0 > K(0)) u0[0] = b0[0] / s0, u0[1] = b0[1] / s0;
  // u1 is the unit normal of u0 pointing along A v1 (exactly orthogonal to u0).
  K sign = (-u0[1] * b1[0] + u0[0] * b1[1]) < K(0) ? K(-1) : K(1);
  U.data[0][0] = static_cast<T>(u0[0]), U.data[1][0] = static_cast<T>(u0[1]);
  U.data[0][1] = static_cast<T>(-u0[1] * sign), U.data[1][1] = static_cast<T>(u0[0] * sign);
  V.data[0][0] = static_cast<T>(v0[0]), V.data[1][0] = static_cast<T>(v0[1]);
  V.data[0][1] = static_cast<T>(v1[0]), V.data[1][1] = static_cast<T>(v1[1]);
  sigma.c[0] = static_cast<T>(s0);
  sigma.c[1] = static_cast<T>(s1);
}

// ---- adjoints ----------------------------------------------------------------------------------

namespace detail::la {

// x / (x^2 + tau^2): 1/x away from 0, bounded by 1/(2 tau), 0 at x = 0 (see the contract).
template <typename K>
WP_HD K guarded_inv(K x, K tau) {
  K den = x * x + tau * tau;
  return den > K(0) ? x / den : K(0);
}

template <int N, typename T>
WP_HD mat_t<N, N, calc_t<T>> up_mat(const mat_t<N, N, T>& m) {
  mat_t<N, N, calc_t<T>> r;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) r.data[i][j] = up(m.data[i][j]);
  return r;
}

// c = op(a) op(b) with op = transpose where ta / tb (plain arrays, compute type).
template <int N, typename K>
WP_HD void mul_n(const K (&a)[N][N], bool ta, const K (&b)[N][N], bool tb, K (&c)[N][N]) {
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      K s = K(0);
      for (int k = 0; k < N; ++k) s += (ta ? a[k][i] : a[i][k]) * (tb ? b[j][k] : b[k][j]);
      c[i][j] = s;
    }
}

// adj_A += U X V^T (with V = U for eig3, and the symmetrised result when sym).
template <int N, typename K, typename T>
WP_HD void acc_rotated(mat_t<N, N, T>& adj_a, const K (&u)[N][N], const K (&x)[N][N], const K (&v)[N][N],
                       bool sym) {
  K ux[N][N], g[N][N];
  mul_n(u, false, x, false, ux);
  mul_n(ux, false, v, true, g);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) sacc(adj_a.data[i][j], sym ? K(0.5) * (g[i][j] + g[j][i]) : g[i][j]);
}

// The svd adjoint for A = U diag(s) V^T (square, s signed); gu/gs/gv: adjoints of U, s, V.
template <int N, typename K, typename T>
WP_HD void svd_adjoint(const mat_t<N, N, K>& u, const vec_t<N, K>& s, const mat_t<N, N, K>& v,
                       const mat_t<N, N, T>& gu, const vec_t<N, T>& gs, const mat_t<N, N, T>& gv,
                       mat_t<N, N, T>& adj_a) {
  const mat_t<N, N, K> bu = up_mat(gu), bv = up_mat(gv);
  K ju[N][N], jv[N][N], x[N][N];
  mul_n(u.data, true, bu.data, false, ju);  // U^T adj_U
  mul_n(v.data, true, bv.data, false, jv);  // V^T adj_V
  K scale = K(0);
  for (int i = 0; i < N; ++i) scale = s.c[i] * s.c[i] > scale ? s.c[i] * s.c[i] : scale;
  const K tau = K(100) * eps_<K>() * scale;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      if (i == j) {
        x[i][i] = up(gs.c[i]);
        continue;
      }
      const K f = guarded_inv(s.c[j] * s.c[j] - s.c[i] * s.c[i], tau);
      x[i][j] = f * (s.c[j] * (ju[i][j] - ju[j][i]) + s.c[i] * (jv[i][j] - jv[j][i]));
    }
  acc_rotated(adj_a, u.data, x, v.data, false);
}

// y R^T = x for upper-triangular R (one row), back substitution; 1/0 taken as 0.
template <typename K>
WP_HD void solve_rt3(const K (&r)[3][3], const K (&x)[3], K (&y)[3]) {
  for (int k = 2; k >= 0; --k) {
    K t = x[k];
    for (int m = k + 1; m < 3; ++m) t -= r[k][m] * y[m];
    y[k] = r[k][k] != K(0) ? t / r[k][k] : K(0);
  }
}

}  // namespace detail::la

template <typename T>
WP_HD void adj_svd3(const mat_t<3, 3, T>& A, const mat_t<3, 3, T>& U, const vec_t<3, T>& sigma,
                    const mat_t<3, 3, T>& V, mat_t<3, 3, T>& adj_A, mat_t<3, 3, T>& adj_U,
                    vec_t<3, T>& adj_sigma, mat_t<3, 3, T>& adj_V) {
  using K = detail::la::calc_t<T>;
  (void)U, (void)sigma, (void)V;  // recomputed (see the contract)
  mat_t<3, 3, K> u, v;
  vec_t<3, K> s;
  svd3(detail::la::up_mat(A), u, s, v);
  detail::la::svd_adjoint(u, s, v, adj_U, adj_sigma, adj_V, adj_A);
}

template <typename T>
WP_HD void adj_svd2(const mat_t<2, 2, T>& A, const mat_t<2, 2, T>& U, const vec_t<2, T>& sigma,
                    const mat_t<2, 2, T>& V, mat_t<2, 2, T>& adj_A, mat_t<2, 2, T>& adj_U,
                    vec_t<2, T>& adj_sigma, mat_t<2, 2, T>& adj_V) {
  using K = detail::la::calc_t<T>;
  (void)U, (void)sigma, (void)V;  // recomputed (see the contract)
  mat_t<2, 2, K> u, v;
  vec_t<2, K> s;
  svd2(detail::la::up_mat(A), u, s, v);
  detail::la::svd_adjoint(u, s, v, adj_U, adj_sigma, adj_V, adj_A);
}

template <typename T>
WP_HD void adj_eig3(const mat_t<3, 3, T>& A, const mat_t<3, 3, T>& Q, const vec_t<3, T>& d, mat_t<3, 3, T>& adj_A,
                    mat_t<3, 3, T>& adj_Q, vec_t<3, T>& adj_d) {
  using K = detail::la::calc_t<T>;
  (void)Q, (void)d;  // recomputed (see the contract)
  mat_t<3, 3, K> q;
  vec_t<3, K> ev;
  eig3(detail::la::up_mat(A), q, ev);
  const mat_t<3, 3, K> bq = detail::la::up_mat(adj_Q);
  K j[3][3], x[3][3];
  detail::la::mul_n(q.data, true, bq.data, false, j);  // Q^T adj_Q
  K scale = K(0);
  for (int i = 0; i < 3; ++i) scale = detail::la::abs_any(ev.c[i]) > scale ? detail::la::abs_any(ev.c[i]) : scale;
  const K tau = K(100) * detail::la::eps_<K>() * scale;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      x[r][c] = r == c ? detail::la::up(adj_d.c[r]) : detail::la::guarded_inv(ev.c[c] - ev.c[r], tau) * j[r][c];
  detail::la::acc_rotated(adj_A, q.data, x, q.data, true);
}

template <typename T>
WP_HD void adj_qr3(const mat_t<3, 3, T>& A, const mat_t<3, 3, T>& Q, const mat_t<3, 3, T>& R, mat_t<3, 3, T>& adj_A,
                   mat_t<3, 3, T>& adj_Q, mat_t<3, 3, T>& adj_R) {
  using K = detail::la::calc_t<T>;
  (void)Q, (void)R;  // recomputed (see the contract)
  mat_t<3, 3, K> q, r;
  qr3(detail::la::up_mat(A), q, r);
  const mat_t<3, 3, K> bq = detail::la::up_mat(adj_Q), br = detail::la::up_mat(adj_R);
  K rrb[3][3], qbq[3][3], c[3][3], x[3][3];
  detail::la::mul_n(r.data, false, br.data, true, rrb);  // R adj_R^T
  detail::la::mul_n(bq.data, true, q.data, false, qbq);  // adj_Q^T Q
  detail::la::mul_n(br.data, false, r.data, true, c);    // adj_R R^T
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < a; ++b) {  // c -= strict_lower(M^T - M), M = rrb - qbq
      const K m_ab = rrb[a][b] - qbq[a][b], m_ba = rrb[b][a] - qbq[b][a];
      c[a][b] -= m_ba - m_ab;
    }
  detail::la::mul_n(q.data, false, c, false, x);
  for (int i = 0; i < 3; ++i) {
    K y[3];
    detail::la::solve_rt3(r.data, x[i], y);
    for (int k = 0; k < 3; ++k) detail::la::sacc(adj_A.data[i][k], y[k]);
  }
}

}  // namespace wp
