// wp/builtins/transform_compose.h — 4x4 affine matrices with scale: transform_compose(position,
// rotation, scale) and transform_decompose(m) (out-argument form; the tuple form
// `p, q, s = wp.transform_decompose(m)` is lowered onto it), with their adjoints.
//
// Contract (Warp 1.19's values, stdlib/builtins.def group Transformations):
//  * transform_compose(p, q, s) = [[s_x R[:,0], s_y R[:,1], s_z R[:,2], p], [0, 0, 0, 1]] with
//    R = quat_to_matrix(q) (q not normalized).
//  * transform_decompose(m, p, q, s): p = m[0..2][3]; s_c = length of column c of the upper 3x3;
//    each column with s_c != 0 is divided by s_c; q = quat_from_matrix of the result. The sign
//    of a reflection is not extracted (s_c >= 0), as in Warp. Outputs are overwritten.
//  * Adjoints accumulate (+=) exact derivatives; a zero-length column gives its scale and
//    rotation adjoints nothing. adj_transform_decompose reads the adjoints of the outputs' new
//    values from adj_position, adj_rotation and adj_scale.
#pragma once

#include "wp/builtins/quat.h"

namespace wp {

template <typename T>
WP_HD mat_t<4, 4, T> transform_compose(const vec_t<3, T>& position, const quat_t<T>& rotation,
                                       const vec_t<3, T>& scale) {
  using detail::la::up;
  const mat_t<3, 3, T> r = quat_to_matrix(rotation);
  mat_t<4, 4, T> m{};
  for (int i = 0; i < 3; ++i) {
    for (int c = 0; c < 3; ++c) m.data[i][c] = static_cast<T>(up(scale.c[c]) * up(r.data[i][c]));
    m.data[i][3] = position.c[i];
  }
  m.data[3][3] = static_cast<T>(1.0f);
  return m;
}

template <typename T>
WP_HD void transform_decompose(const mat_t<4, 4, T>& m, vec_t<3, T>& position, quat_t<T>& rotation,
                               vec_t<3, T>& scale) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  mat_t<3, 3, T> r;
  for (int c = 0; c < 3; ++c) {
    const K len = detail::la::sqrt_(up(m.data[0][c]) * up(m.data[0][c]) + up(m.data[1][c]) * up(m.data[1][c]) +
                                    up(m.data[2][c]) * up(m.data[2][c]));
    for (int i = 0; i < 3; ++i) r.data[i][c] = len != K(0) ? static_cast<T>(up(m.data[i][c]) / len) : m.data[i][c];
    scale.c[c] = static_cast<T>(len);
  }
  for (int i = 0; i < 3; ++i) position.c[i] = m.data[i][3];
  rotation = quat_from_matrix(r);
}

template <typename T>
WP_HD void adj_transform_compose(const vec_t<3, T>& position, const quat_t<T>& rotation, const vec_t<3, T>& scale,
                                 vec_t<3, T>& adj_position, quat_t<T>& adj_rotation, vec_t<3, T>& adj_scale,
                                 const mat_t<4, 4, T>& adj_ret) {
  (void)position;
  using detail::la::up;
  const mat_t<3, 3, T> r = quat_to_matrix(rotation);
  mat_t<3, 3, T> adj_r;
  for (int i = 0; i < 3; ++i) {
    detail::la::sacc(adj_position.c[i], up(adj_ret.data[i][3]));
    for (int c = 0; c < 3; ++c) {
      adj_r.data[i][c] = static_cast<T>(up(adj_ret.data[i][c]) * up(scale.c[c]));
      detail::la::sacc(adj_scale.c[c], up(adj_ret.data[i][c]) * up(r.data[i][c]));
    }
  }
  adj_quat_to_matrix(rotation, adj_rotation, adj_r);
}

template <typename T>
WP_HD void adj_transform_decompose(const mat_t<4, 4, T>& m, const vec_t<3, T>& position, const quat_t<T>& rotation,
                                   const vec_t<3, T>& scale, mat_t<4, 4, T>& adj_m, vec_t<3, T>& adj_position,
                                   quat_t<T>& adj_rotation, vec_t<3, T>& adj_scale) {
  (void)position, (void)rotation, (void)scale;  // recomputed from m
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  mat_t<3, 3, T> r;
  K len[3];
  for (int c = 0; c < 3; ++c) {
    len[c] = detail::la::sqrt_(up(m.data[0][c]) * up(m.data[0][c]) + up(m.data[1][c]) * up(m.data[1][c]) +
                               up(m.data[2][c]) * up(m.data[2][c]));
    for (int i = 0; i < 3; ++i) r.data[i][c] = len[c] != K(0) ? static_cast<T>(up(m.data[i][c]) / len[c]) : m.data[i][c];
  }
  mat_t<3, 3, T> adj_r{};
  adj_quat_from_matrix(r, adj_r, adj_rotation);
  for (int c = 0; c < 3; ++c) {
    if (!(len[c] > K(0))) continue;
    // column n = x / |x|: dn = (I - n n^T) dx / |x|; d|x| = n . dx
    K proj = K(0);
    for (int i = 0; i < 3; ++i) proj += up(r.data[i][c]) * up(adj_r.data[i][c]);
    for (int i = 0; i < 3; ++i) {
      const K n = up(r.data[i][c]);
      detail::la::sacc(adj_m.data[i][c], (up(adj_r.data[i][c]) - n * proj) / len[c] + up(adj_scale.c[c]) * n);
    }
  }
  for (int i = 0; i < 3; ++i) detail::la::sacc(adj_m.data[i][3], up(adj_position.c[i]));
}

}  // namespace wp
