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
//    (no data-dependent unbounded loops); adjoints are not provided yet.
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

}  // namespace wp
