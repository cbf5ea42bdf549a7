// wp/builtins/matrix.h — Vector Math builtins on wp::mat_t<R,C,T>: ddot, cw_mul, cw_div,
// transpose, determinant, inverse, trace, diag, get_diag, skew, identity, matrix_from_rows,
// matrix_from_cols, and their adjoints. The decompositions (svd3, svd2, qr3, eig3) are in
// wp/builtins/matrix_decomp.h, included at the end.
//
// Contract (docs/codegen.md, stdlib/builtins.def group VectorMath):
//  * Matrices are row-major, data[r][c]; every function is WP_HD and computes in
//    detail::la::calc_t<T> (float for wp::half).
//  * determinant: closed forms for N <= 3, Gaussian elimination with partial pivoting above.
//  * inverse: closed forms (adjugate / determinant) for N <= 3, Gauss-Jordan elimination with
//    partial pivoting above. A SINGULAR matrix (zero determinant, or a zero pivot) gives the
//    ZERO matrix; nearly singular matrices give large entries, as in Warp.
//  * identity: wp::identity<N, T>() (the builtin's n and dtype are compile-time constants).
//  * matrix_from_rows(r0, r1, …) / matrix_from_cols(c0, c1, …): any number of vec_t<N,T>.
//  * Adjoints accumulate (+=) into their adj_ references.
#pragma once

#include "wp/builtins/vector.h"

namespace wp {
namespace detail::la {

template <int R, int C, typename T>
WP_HD mat_t<R, C, T> mzero() {
  mat_t<R, C, T> m;
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) m.data[i][j] = down<T>(calc_t<T>(0));
  return m;
}

template <int R, int K, int C, typename T>
WP_HD mat_t<R, C, T> mmul(const mat_t<R, K, T>& a, const mat_t<K, C, T>& b) {
  mat_t<R, C, T> m;
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) {
      calc_t<T> s = calc_t<T>(0);
      for (int k = 0; k < K; ++k) s += up(a.data[i][k]) * up(b.data[k][j]);
      m.data[i][j] = down<T>(s);
    }
  return m;
}

template <int R, int C, typename T>
WP_HD vec_t<R, T> mvmul(const mat_t<R, C, T>& a, const vec_t<C, T>& v) {
  vec_t<R, T> r;
  for (int i = 0; i < R; ++i) {
    calc_t<T> s = calc_t<T>(0);
    for (int k = 0; k < C; ++k) s += up(a.data[i][k]) * up(v.c[k]);
    r.c[i] = down<T>(s);
  }
  return r;
}

template <int R, int C, typename T, typename S>
WP_HD void macc_scaled(mat_t<R, C, T>& acc, const mat_t<R, C, T>& a, S s) {  // acc += a * s
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) sacc(acc.data[i][j], up(a.data[i][j]) * s);
}

// The (N-1)x(N-1) matrix left after deleting row r and column c.
template <int N, typename T>
WP_HD mat_t<N - 1, N - 1, T> minor_of(const mat_t<N, N, T>& a, int r, int c) {
  mat_t<N - 1, N - 1, T> m;
  for (int i = 0, mi = 0; i < N; ++i) {
    if (i == r) continue;
    for (int j = 0, mj = 0; j < N; ++j) {
      if (j == c) continue;
      m.data[mi][mj++] = a.data[i][j];
    }
    ++mi;
  }
  return m;
}

}  // namespace detail::la

// ---- forward functions -----------------------------------------------------------------------

template <int R, int C, typename T>
WP_HD T ddot(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b) {
  using K = detail::la::calc_t<T>;
  K s = K(0);
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) s += detail::la::up(a.data[i][j]) * detail::la::up(b.data[i][j]);
  return static_cast<T>(s);
}

template <int R, int C, typename T>
WP_HD mat_t<R, C, T> cw_mul(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b) {
  mat_t<R, C, T> m;
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j)
      m.data[i][j] = static_cast<T>(detail::la::up(a.data[i][j]) * detail::la::up(b.data[i][j]));
  return m;
}

template <int R, int C, typename T>
WP_HD mat_t<R, C, T> cw_div(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b) {
  mat_t<R, C, T> m;
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j)
      m.data[i][j] = static_cast<T>(detail::la::up(a.data[i][j]) / detail::la::up(b.data[i][j]));
  return m;
}

template <int R, int C, typename T>
WP_HD mat_t<C, R, T> transpose(const mat_t<R, C, T>& a) {
  mat_t<C, R, T> m;
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) m.data[j][i] = a.data[i][j];
  return m;
}

template <int N, typename T>
WP_HD T trace(const mat_t<N, N, T>& a) {
  using K = detail::la::calc_t<T>;
  K s = K(0);
  for (int i = 0; i < N; ++i) s += detail::la::up(a.data[i][i]);
  return static_cast<T>(s);
}

template <int N, typename T>
WP_HD mat_t<N, N, T> diag(const vec_t<N, T>& v) {
  mat_t<N, N, T> m = detail::la::mzero<N, N, T>();
  for (int i = 0; i < N; ++i) m.data[i][i] = v.c[i];
  return m;
}

template <int N, typename T>
WP_HD vec_t<N, T> get_diag(const mat_t<N, N, T>& m) {
  vec_t<N, T> v;
  for (int i = 0; i < N; ++i) v.c[i] = m.data[i][i];
  return v;
}

template <int N, typename T>
WP_HD mat_t<N, N, T> identity() {
  mat_t<N, N, T> m = detail::la::mzero<N, N, T>();
  for (int i = 0; i < N; ++i) m.data[i][i] = static_cast<T>(detail::la::calc_t<T>(1));
  return m;
}

template <typename T>
WP_HD mat_t<3, 3, T> skew(const vec_t<3, T>& a) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const T z = static_cast<T>(K(0));
  return mat_t<3, 3, T>{{{z, static_cast<T>(-up(a.c[2])), a.c[1]},
                         {a.c[2], z, static_cast<T>(-up(a.c[0]))},
                         {static_cast<T>(-up(a.c[1])), a.c[0], z}}};
}

template <int N, typename T, typename... Rest>
WP_HD mat_t<1 + sizeof...(Rest), N, T> matrix_from_rows(const vec_t<N, T>& r0, const Rest&... rest) {
  constexpr int R = 1 + static_cast<int>(sizeof...(Rest));
  const vec_t<N, T>* rows[R] = {&r0, &rest...};
  mat_t<R, N, T> m;
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < N; ++j) m.data[i][j] = rows[i]->c[j];
  return m;
}

template <int N, typename T, typename... Rest>
WP_HD mat_t<N, 1 + sizeof...(Rest), T> matrix_from_cols(const vec_t<N, T>& c0, const Rest&... rest) {
  constexpr int C = 1 + static_cast<int>(sizeof...(Rest));
  const vec_t<N, T>* cols[C] = {&c0, &rest...};
  mat_t<N, C, T> m;
  for (int j = 0; j < C; ++j)
    for (int i = 0; i < N; ++i) m.data[i][j] = cols[j]->c[i];
  return m;
}

// ---- determinant and inverse -------------------------------------------------------------------

namespace detail::la {

// Determinant in the compute type. Closed forms up to 3x3; LU with partial pivoting above.
template <int N, typename T>
WP_HD calc_t<T> det_calc(const mat_t<N, N, T>& a) {
  using K = calc_t<T>;
  if constexpr (N == 1) {
    return up(a.data[0][0]);
  } else if constexpr (N == 2) {
    return up(a.data[0][0]) * up(a.data[1][1]) - up(a.data[0][1]) * up(a.data[1][0]);
  } else if constexpr (N == 3) {
    const auto& m = a.data;
    return up(m[0][0]) * (up(m[1][1]) * up(m[2][2]) - up(m[1][2]) * up(m[2][1])) -
           up(m[0][1]) * (up(m[1][0]) * up(m[2][2]) - up(m[1][2]) * up(m[2][0])) +
           up(m[0][2]) * (up(m[1][0]) * up(m[2][1]) - up(m[1][1]) * up(m[2][0]));
  } else {
    K w[N][N];
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < N; ++j) w[i][j] = up(a.data[i][j]);
    K det = K(1);
    for (int k = 0; k < N; ++k) {
      int p = k;
      for (int i = k + 1; i < N; ++i)
        if (abs_any(w[i][k]) > abs_any(w[p][k])) p = i;
      if (w[p][k] == K(0)) return K(0);
      if (p != k) {
        for (int j = 0; j < N; ++j) {
          K t = w[k][j];
          w[k][j] = w[p][j];
          w[p][j] = t;
        }
        det = -det;
      }
      det *= w[k][k];
      for (int i = k + 1; i < N; ++i) {
        K f = w[i][k] / w[k][k];
        for (int j = k; j < N; ++j) w[i][j] -= f * w[k][j];
      }
    }
    return det;
  }
}

// Gauss-Jordan inverse with partial pivoting; false when a pivot is exactly zero.
template <int N, typename T>
WP_HD bool gauss_jordan_inverse(const mat_t<N, N, T>& a, mat_t<N, N, T>& out) {
  using K = calc_t<T>;
  K w[N][2 * N];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      w[i][j] = up(a.data[i][j]);
      w[i][N + j] = i == j ? K(1) : K(0);
    }
  for (int k = 0; k < N; ++k) {
    int p = k;
    for (int i = k + 1; i < N; ++i)
      if (abs_any(w[i][k]) > abs_any(w[p][k])) p = i;
    if (w[p][k] == K(0)) return false;
    for (int j = 0; j < 2 * N; ++j) {
      K t = w[k][j];
      w[k][j] = w[p][j];
      w[p][j] = t;
    }
    K inv_pivot = K(1) / w[k][k];
    for (int j = 0; j < 2 * N; ++j) w[k][j] *= inv_pivot;
    for (int i = 0; i < N; ++i) {
      if (i == k) continue;
      K f = w[i][k];
      for (int j = 0; j < 2 * N; ++j) w[i][j] -= f * w[k][j];
    }
  }
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) out.data[i][j] = down<T>(w[i][N + j]);
  return true;
}

// Cofactor matrix: cof[i][j] = (-1)^(i+j) det(minor(i, j)); d det / dA = cof (also when singular).
template <int N, typename T>
WP_HD mat_t<N, N, T> cofactor(const mat_t<N, N, T>& a) {
  using K = calc_t<T>;
  mat_t<N, N, T> c;
  if constexpr (N == 1) {
    c.data[0][0] = down<T>(K(1));
  } else {
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < N; ++j) {
        K m = det_calc(minor_of(a, i, j));
        c.data[i][j] = down<T>(((i + j) % 2 == 0) ? m : K(-m));
      }
  }
  return c;
}

}  // namespace detail::la

template <int N, typename T>
WP_HD T determinant(const mat_t<N, N, T>& a) {
  return static_cast<T>(detail::la::det_calc(a));
}

template <int N, typename T>
WP_HD mat_t<N, N, T> inverse(const mat_t<N, N, T>& a) {
  using K = detail::la::calc_t<T>;
  if constexpr (N <= 3) {
    K det = detail::la::det_calc(a);
    if (det == K(0)) return detail::la::mzero<N, N, T>();
    // inverse = adjugate / det = cofactor^T / det
    mat_t<N, N, T> cof = detail::la::cofactor(a);
    mat_t<N, N, T> r;
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < N; ++j) r.data[i][j] = static_cast<T>(detail::la::up(cof.data[j][i]) / det);
    return r;
  } else {
    mat_t<N, N, T> r;
    if (!detail::la::gauss_jordan_inverse(a, r)) return detail::la::mzero<N, N, T>();
    return r;
  }
}

// ---- adjoints ----------------------------------------------------------------------------------

template <int R, int C, typename T>
WP_HD void adj_ddot(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b, mat_t<R, C, T>& adj_a,
                    mat_t<R, C, T>& adj_b, const T& adj_ret) {
  auto g = detail::la::up(adj_ret);
  detail::la::macc_scaled(adj_a, b, g);
  detail::la::macc_scaled(adj_b, a, g);
}

template <int R, int C, typename T>
WP_HD void adj_cw_mul(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b, mat_t<R, C, T>& adj_a,
                      mat_t<R, C, T>& adj_b, const mat_t<R, C, T>& adj_ret) {
  using detail::la::up;
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) {
      detail::la::sacc(adj_a.data[i][j], up(adj_ret.data[i][j]) * up(b.data[i][j]));
      detail::la::sacc(adj_b.data[i][j], up(adj_ret.data[i][j]) * up(a.data[i][j]));
    }
}

template <int R, int C, typename T>
WP_HD void adj_cw_div(const mat_t<R, C, T>& a, const mat_t<R, C, T>& b, mat_t<R, C, T>& adj_a,
                      mat_t<R, C, T>& adj_b, const mat_t<R, C, T>& adj_ret) {
  using detail::la::up;
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) {
      auto q = up(adj_ret.data[i][j]) / up(b.data[i][j]);
      detail::la::sacc(adj_a.data[i][j], q);
      detail::la::sacc(adj_b.data[i][j], -q * up(a.data[i][j]) / up(b.data[i][j]));
    }
}

template <int R, int C, typename T>
WP_HD void adj_transpose(const mat_t<R, C, T>& a, mat_t<R, C, T>& adj_a, const mat_t<C, R, T>& adj_ret) {
  (void)a;
  detail::la::macc_scaled(adj_a, transpose(adj_ret), detail::la::calc_t<T>(1));
}

template <int N, typename T>
WP_HD void adj_trace(const mat_t<N, N, T>& a, mat_t<N, N, T>& adj_a, const T& adj_ret) {
  (void)a;
  for (int i = 0; i < N; ++i) detail::la::sacc(adj_a.data[i][i], detail::la::up(adj_ret));
}

template <int N, typename T>
WP_HD void adj_diag(const vec_t<N, T>& v, vec_t<N, T>& adj_v, const mat_t<N, N, T>& adj_ret) {
  (void)v;
  for (int i = 0; i < N; ++i) detail::la::sacc(adj_v.c[i], detail::la::up(adj_ret.data[i][i]));
}

template <int N, typename T>
WP_HD void adj_get_diag(const mat_t<N, N, T>& m, mat_t<N, N, T>& adj_m, const vec_t<N, T>& adj_ret) {
  (void)m;
  for (int i = 0; i < N; ++i) detail::la::sacc(adj_m.data[i][i], detail::la::up(adj_ret.c[i]));
}

template <typename T>
WP_HD void adj_skew(const vec_t<3, T>& a, vec_t<3, T>& adj_a, const mat_t<3, 3, T>& adj_ret) {
  (void)a;
  using detail::la::up;
  const auto& g = adj_ret.data;
  detail::la::sacc(adj_a.c[0], up(g[2][1]) - up(g[1][2]));
  detail::la::sacc(adj_a.c[1], up(g[0][2]) - up(g[2][0]));
  detail::la::sacc(adj_a.c[2], up(g[1][0]) - up(g[0][1]));
}

// d det(A) = <cofactor(A), dA>
template <int N, typename T>
WP_HD void adj_determinant(const mat_t<N, N, T>& a, mat_t<N, N, T>& adj_a, const T& adj_ret) {
  detail::la::macc_scaled(adj_a, detail::la::cofactor(a), detail::la::up(adj_ret));
}

// B = A^-1:  dB = -B dA B,  so adj_A += -B^T G B^T.
template <int N, typename T>
WP_HD void adj_inverse(const mat_t<N, N, T>& a, mat_t<N, N, T>& adj_a, const mat_t<N, N, T>& adj_ret) {
  mat_t<N, N, T> bt = transpose(inverse(a));
  detail::la::macc_scaled(adj_a, detail::la::mmul(detail::la::mmul(bt, adj_ret), bt), detail::la::calc_t<T>(-1));
}

// adj_matrix_from_rows(r0 … r{K-1}, adj_r0 … adj_r{K-1}, adj_ret): the 2K+1 arguments arrive as
// one pack (two packs cannot be deduced); they are addressed through a pointer table.
template <int N, typename T, typename... A>
WP_HD void adj_matrix_from_rows(const vec_t<N, T>& r0, A&&... rest) {
  constexpr int K = static_cast<int>(sizeof...(A)) / 2;
  static_assert(sizeof...(A) == 2 * K, "adj_matrix_from_rows expects K rows, K adjoints and adj_ret");
  (void)r0;
  const void* p[] = {static_cast<const void*>(&rest)...};
  const auto& g = *static_cast<const mat_t<K, N, T>*>(p[2 * K - 1]);
  for (int k = 0; k < K; ++k) {
    auto& adj = *static_cast<vec_t<N, T>*>(const_cast<void*>(p[K - 1 + k]));
    for (int j = 0; j < N; ++j) detail::la::sacc(adj.c[j], detail::la::up(g.data[k][j]));
  }
}

template <int N, typename T, typename... A>
WP_HD void adj_matrix_from_cols(const vec_t<N, T>& c0, A&&... rest) {
  constexpr int K = static_cast<int>(sizeof...(A)) / 2;
  static_assert(sizeof...(A) == 2 * K, "adj_matrix_from_cols expects K columns, K adjoints and adj_ret");
  (void)c0;
  const void* p[] = {static_cast<const void*>(&rest)...};
  const auto& g = *static_cast<const mat_t<N, K, T>*>(p[2 * K - 1]);
  for (int k = 0; k < K; ++k) {
    auto& adj = *static_cast<vec_t<N, T>*>(const_cast<void*>(p[K - 1 + k]));
    for (int i = 0; i < N; ++i) detail::la::sacc(adj.c[i], detail::la::up(g.data[i][k]));
  }
}

}  // namespace wp

#include "wp/builtins/matrix_decomp.h"
