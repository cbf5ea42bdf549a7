// wp/builtins/transform.h — Transformations builtins on wp::transform_t<T> (p translation, q
// rotation): get/set parts, composition, point/vector transforms (also by 4x4 matrices), inverse,
// conversion to and from 4x4 matrices, and their adjoints.
//
// Owner: stdlib-a2. Contract (stdlib/builtins.def group Transformations, Warp's semantics):
//  * transform_point(t, x) = quat_rotate(t.q, x) + t.p; transform_vector(t, v) = quat_rotate(t.q, v).
//  * transform_point(M, x) = (M (x, 1))[0..2], transform_vector(M, v) = (M (v, 0))[0..2]
//    (no division by w).
//  * transform_multiply(a, b) = (a.p + rotate(a.q, b.p), a.q * b.q): b is applied first.
//  * transform_inverse(t) = (-rotate(t.q^-1, t.p), t.q^-1) (conjugate; t.q assumed unit).
//  * transform_to_matrix(t) = [[R, p], [0, 0, 0, 1]] with R = quat_to_matrix(t.q);
//    transform_from_matrix(M) = (M[0..2][3], quat_from_matrix(M)).
//  * transform_identity: wp::transform_identity<T>() from wp/types.h.
//  * transform_set_translation / _rotation update their first argument in place; their adjoints
//    move adj_xform's part into adj_p / adj_q and zero it (the old value was overwritten).
//  * Adjoints accumulate (+=).
#pragma once

#include "wp/builtins/quat.h"

namespace wp {

template <typename T>
WP_HD vec_t<3, T> transform_get_translation(const transform_t<T>& xform) {
  return xform.p;
}

template <typename T>
WP_HD quat_t<T> transform_get_rotation(const transform_t<T>& xform) {
  return xform.q;
}

template <typename T>
WP_HD void transform_set_translation(transform_t<T>& xform, const vec_t<3, T>& p) {
  xform.p = p;
}

template <typename T>
WP_HD void transform_set_rotation(transform_t<T>& xform, const quat_t<T>& q) {
  xform.q = q;
}

template <typename T>
WP_HD transform_t<T> transform_multiply(const transform_t<T>& a, const transform_t<T>& b) {
  return transform_t<T>{detail::la::vadd(a.p, quat_rotate(a.q, b.p)), detail::la::qmul(a.q, b.q)};
}

template <typename T>
WP_HD vec_t<3, T> transform_point(const transform_t<T>& xform, const vec_t<3, T>& point) {
  return detail::la::vadd(quat_rotate(xform.q, point), xform.p);
}

template <typename T>
WP_HD vec_t<3, T> transform_vector(const transform_t<T>& xform, const vec_t<3, T>& vec) {
  return quat_rotate(xform.q, vec);
}

namespace detail::la {
template <typename T>
WP_HD vec_t<3, T> affine3(const mat_t<4, 4, T>& m, const vec_t<3, T>& x, calc_t<T> w) {
  vec_t<3, T> r;
  for (int i = 0; i < 3; ++i) {
    calc_t<T> s = up(m.data[i][3]) * w;
    for (int k = 0; k < 3; ++k) s += up(m.data[i][k]) * up(x.c[k]);
    r.c[i] = down<T>(s);
  }
  return r;
}
}  // namespace detail::la

template <typename T>
WP_HD vec_t<3, T> transform_point(const mat_t<4, 4, T>& mat, const vec_t<3, T>& point) {
  return detail::la::affine3(mat, point, detail::la::calc_t<T>(1));
}

template <typename T>
WP_HD vec_t<3, T> transform_vector(const mat_t<4, 4, T>& mat, const vec_t<3, T>& vec) {
  return detail::la::affine3(mat, vec, detail::la::calc_t<T>(0));
}

template <typename T>
WP_HD transform_t<T> transform_inverse(const transform_t<T>& xform) {
  const quat_t<T> qi = quat_inverse(xform.q);
  return transform_t<T>{detail::la::vscale(quat_rotate(qi, xform.p), detail::la::calc_t<T>(-1)), qi};
}

template <typename T>
WP_HD mat_t<4, 4, T> transform_to_matrix(const transform_t<T>& xform) {
  using K = detail::la::calc_t<T>;
  const mat_t<3, 3, T> r = quat_to_matrix(xform.q);
  mat_t<4, 4, T> m = detail::la::mzero<4, 4, T>();
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) m.data[i][j] = r.data[i][j];
    m.data[i][3] = xform.p.c[i];
  }
  m.data[3][3] = static_cast<T>(K(1));
  return m;
}

template <typename T>
WP_HD transform_t<T> transform_from_matrix(const mat_t<4, 4, T>& mat) {
  return transform_t<T>{vec_t<3, T>{{mat.data[0][3], mat.data[1][3], mat.data[2][3]}}, quat_from_matrix(mat)};
}

// ---- adjoints ------------------------------------------------------------------------------------

namespace detail::la {
template <typename T>
WP_HD void qacc(quat_t<T>& acc, const quat_t<T>& g) {
  sacc(acc.x, up(g.x)), sacc(acc.y, up(g.y)), sacc(acc.z, up(g.z)), sacc(acc.w, up(g.w));
}
}  // namespace detail::la

template <typename T>
WP_HD void adj_transform_get_translation(const transform_t<T>& xform, transform_t<T>& adj_xform,
                                         const vec_t<3, T>& adj_ret) {
  (void)xform;
  detail::la::vacc(adj_xform.p, adj_ret);
}

template <typename T>
WP_HD void adj_transform_get_rotation(const transform_t<T>& xform, transform_t<T>& adj_xform,
                                      const quat_t<T>& adj_ret) {
  (void)xform;
  detail::la::qacc(adj_xform.q, adj_ret);
}

template <typename T>
WP_HD void adj_transform_set_translation(const transform_t<T>& xform, const vec_t<3, T>& p,
                                         transform_t<T>& adj_xform, vec_t<3, T>& adj_p) {
  (void)xform, (void)p;
  detail::la::vacc(adj_p, adj_xform.p);
  adj_xform.p = detail::la::vzero<3, T>();
}

template <typename T>
WP_HD void adj_transform_set_rotation(const transform_t<T>& xform, const quat_t<T>& q, transform_t<T>& adj_xform,
                                      quat_t<T>& adj_q) {
  (void)xform, (void)q;
  detail::la::qacc(adj_q, adj_xform.q);
  adj_xform.q = quat_t<T>{T(0.0f), T(0.0f), T(0.0f), T(0.0f)};
}

template <typename T>
WP_HD void adj_transform_multiply(const transform_t<T>& a, const transform_t<T>& b, transform_t<T>& adj_a,
                                  transform_t<T>& adj_b, const transform_t<T>& adj_ret) {
  detail::la::vacc(adj_a.p, adj_ret.p);
  adj_quat_rotate(a.q, b.p, adj_a.q, adj_b.p, adj_ret.p);
  detail::la::adj_qmul(a.q, b.q, adj_a.q, adj_b.q, adj_ret.q);
}

template <typename T>
WP_HD void adj_transform_point(const transform_t<T>& xform, const vec_t<3, T>& point, transform_t<T>& adj_xform,
                               vec_t<3, T>& adj_point, const vec_t<3, T>& adj_ret) {
  detail::la::vacc(adj_xform.p, adj_ret);
  adj_quat_rotate(xform.q, point, adj_xform.q, adj_point, adj_ret);
}

template <typename T>
WP_HD void adj_transform_vector(const transform_t<T>& xform, const vec_t<3, T>& vec, transform_t<T>& adj_xform,
                                vec_t<3, T>& adj_vec, const vec_t<3, T>& adj_ret) {
  adj_quat_rotate(xform.q, vec, adj_xform.q, adj_vec, adj_ret);
}

namespace detail::la {
template <typename T>
WP_HD void adj_affine3(const mat_t<4, 4, T>& m, const vec_t<3, T>& x, calc_t<T> w, mat_t<4, 4, T>& adj_m,
                       vec_t<3, T>& adj_x, const vec_t<3, T>& g) {
  for (int i = 0; i < 3; ++i) {
    const calc_t<T> gi = up(g.c[i]);
    sacc(adj_m.data[i][3], gi * w);
    for (int k = 0; k < 3; ++k) {
      sacc(adj_m.data[i][k], gi * up(x.c[k]));
      sacc(adj_x.c[k], gi * up(m.data[i][k]));
    }
  }
}
}  // namespace detail::la

template <typename T>
WP_HD void adj_transform_point(const mat_t<4, 4, T>& mat, const vec_t<3, T>& point, mat_t<4, 4, T>& adj_mat,
                               vec_t<3, T>& adj_point, const vec_t<3, T>& adj_ret) {
  detail::la::adj_affine3(mat, point, detail::la::calc_t<T>(1), adj_mat, adj_point, adj_ret);
}

template <typename T>
WP_HD void adj_transform_vector(const mat_t<4, 4, T>& mat, const vec_t<3, T>& vec, mat_t<4, 4, T>& adj_mat,
                                vec_t<3, T>& adj_vec, const vec_t<3, T>& adj_ret) {
  detail::la::adj_affine3(mat, vec, detail::la::calc_t<T>(0), adj_mat, adj_vec, adj_ret);
}

// r = (-rotate(qi, p), qi) with qi = conj(q)
template <typename T>
WP_HD void adj_transform_inverse(const transform_t<T>& xform, transform_t<T>& adj_xform,
                                 const transform_t<T>& adj_ret) {
  const quat_t<T> qi = quat_inverse(xform.q);
  quat_t<T> adj_qi = adj_ret.q;
  adj_quat_rotate(qi, xform.p, adj_qi, adj_xform.p, detail::la::vscale(adj_ret.p, detail::la::calc_t<T>(-1)));
  adj_quat_inverse(xform.q, adj_xform.q, adj_qi);
}

template <typename T>
WP_HD void adj_transform_to_matrix(const transform_t<T>& xform, transform_t<T>& adj_xform,
                                   const mat_t<4, 4, T>& adj_ret) {
  mat_t<3, 3, T> g;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) g.data[i][j] = adj_ret.data[i][j];
    detail::la::sacc(adj_xform.p.c[i], detail::la::up(adj_ret.data[i][3]));
  }
  adj_quat_to_matrix(xform.q, adj_xform.q, g);
}

template <typename T>
WP_HD void adj_transform_from_matrix(const mat_t<4, 4, T>& mat, mat_t<4, 4, T>& adj_mat,
                                     const transform_t<T>& adj_ret) {
  for (int i = 0; i < 3; ++i) detail::la::sacc(adj_mat.data[i][3], detail::la::up(adj_ret.p.c[i]));
  adj_quat_from_matrix(mat, adj_mat, adj_ret.q);
}

}  // namespace wp
