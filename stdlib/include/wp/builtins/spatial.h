// wp/builtins/spatial.h — Spatial Math builtins on 6-vectors vec_t<6,T> ordered (angular w,
// linear v) and 6x6 matrices: top/bottom, dot, motion and force cross products, the spatial
// adjoint matrix, twist/wrench transforms, velocity at a point; and their adjoints.
//
// Owner: stdlib-a2. Contract (stdlib/builtins.def group SpatialMath, Warp's documentation):
//  * spatial_top(s) = s[0..2] (w), spatial_bottom(s) = s[3..5] (v).
//  * spatial_cross(a, b) = (wa x wb, va x wb + wa x vb)            (twists)
//  * spatial_cross_dual(a, b) = (wa x nb + va x fb, wa x fb)        (twist a, wrench b = (n, f))
//  * spatial_adjoint(r, s) = [[r, 0], [s, r]]
//  * transform_twist(t, (w, v)) = (R w, R v + p x R w);  transform_wrench(t, (tau, f)) =
//    (R tau + p x R f, R f), R = rotation of t.q.
//  * velocity_at_point(qd, r) = v + w x r with qd = (w, v).
//  * Adjoints accumulate (+=) into their adj_ references.
#pragma once

#include "wp/builtins/transform.h"

namespace wp {
namespace detail::la {

template <typename T>
WP_HD vec_t<6, T> spatial_(const vec_t<3, T>& top, const vec_t<3, T>& bottom) {
  return vec_t<6, T>{{top.c[0], top.c[1], top.c[2], bottom.c[0], bottom.c[1], bottom.c[2]}};
}

template <typename T>
WP_HD void acc_top(vec_t<6, T>& acc, const vec_t<3, T>& g) {
  for (int i = 0; i < 3; ++i) sacc(acc.c[i], up(g.c[i]));
}
template <typename T>
WP_HD void acc_bottom(vec_t<6, T>& acc, const vec_t<3, T>& g) {
  for (int i = 0; i < 3; ++i) sacc(acc.c[3 + i], up(g.c[i]));
}

}  // namespace detail::la

template <typename T>
WP_HD vec_t<3, T> spatial_top(const vec_t<6, T>& svec) {
  return vec_t<3, T>{{svec.c[0], svec.c[1], svec.c[2]}};
}

template <typename T>
WP_HD vec_t<3, T> spatial_bottom(const vec_t<6, T>& svec) {
  return vec_t<3, T>{{svec.c[3], svec.c[4], svec.c[5]}};
}

template <typename T>
WP_HD T spatial_dot(const vec_t<6, T>& a, const vec_t<6, T>& b) {
  return dot(a, b);
}

template <typename T>
WP_HD vec_t<6, T> spatial_cross(const vec_t<6, T>& a, const vec_t<6, T>& b) {
  const vec_t<3, T> wa = spatial_top(a), va = spatial_bottom(a), wb = spatial_top(b), vb = spatial_bottom(b);
  return detail::la::spatial_(cross(wa, wb), detail::la::vadd(cross(va, wb), cross(wa, vb)));
}

template <typename T>
WP_HD vec_t<6, T> spatial_cross_dual(const vec_t<6, T>& a, const vec_t<6, T>& b) {
  const vec_t<3, T> wa = spatial_top(a), va = spatial_bottom(a), nb = spatial_top(b), fb = spatial_bottom(b);
  return detail::la::spatial_(detail::la::vadd(cross(wa, nb), cross(va, fb)), cross(wa, fb));
}

template <typename T>
WP_HD mat_t<6, 6, T> spatial_adjoint(const mat_t<3, 3, T>& r, const mat_t<3, 3, T>& s) {
  mat_t<6, 6, T> m = detail::la::mzero<6, 6, T>();
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      m.data[i][j] = r.data[i][j];
      m.data[3 + i][3 + j] = r.data[i][j];
      m.data[3 + i][j] = s.data[i][j];
    }
  return m;
}

template <typename T>
WP_HD vec_t<6, T> transform_twist(const transform_t<T>& xform, const vec_t<6, T>& v) {
  const vec_t<3, T> w = quat_rotate(xform.q, spatial_top(v));
  const vec_t<3, T> lin = detail::la::vadd(quat_rotate(xform.q, spatial_bottom(v)), cross(xform.p, w));
  return detail::la::spatial_(w, lin);
}

template <typename T>
WP_HD vec_t<6, T> transform_wrench(const transform_t<T>& xform, const vec_t<6, T>& v) {
  const vec_t<3, T> f = quat_rotate(xform.q, spatial_bottom(v));
  const vec_t<3, T> tau = detail::la::vadd(quat_rotate(xform.q, spatial_top(v)), cross(xform.p, f));
  return detail::la::spatial_(tau, f);
}

template <typename T>
WP_HD vec_t<3, T> velocity_at_point(const vec_t<6, T>& qd, const vec_t<3, T>& r) {
  return detail::la::vadd(spatial_bottom(qd), cross(spatial_top(qd), r));
}

// ---- adjoints ------------------------------------------------------------------------------------

template <typename T>
WP_HD void adj_spatial_top(const vec_t<6, T>& svec, vec_t<6, T>& adj_svec, const vec_t<3, T>& adj_ret) {
  (void)svec;
  detail::la::acc_top(adj_svec, adj_ret);
}

template <typename T>
WP_HD void adj_spatial_bottom(const vec_t<6, T>& svec, vec_t<6, T>& adj_svec, const vec_t<3, T>& adj_ret) {
  (void)svec;
  detail::la::acc_bottom(adj_svec, adj_ret);
}

template <typename T>
WP_HD void adj_spatial_dot(const vec_t<6, T>& a, const vec_t<6, T>& b, vec_t<6, T>& adj_a, vec_t<6, T>& adj_b,
                           const T& adj_ret) {
  adj_dot(a, b, adj_a, adj_b, adj_ret);
}

template <typename T>
WP_HD void adj_spatial_cross(const vec_t<6, T>& a, const vec_t<6, T>& b, vec_t<6, T>& adj_a, vec_t<6, T>& adj_b,
                             const vec_t<6, T>& adj_ret) {
  const vec_t<3, T> wa = spatial_top(a), va = spatial_bottom(a), wb = spatial_top(b), vb = spatial_bottom(b);
  const vec_t<3, T> gt = spatial_top(adj_ret), gb = spatial_bottom(adj_ret);
  vec_t<3, T> g_wa = detail::la::vzero<3, T>(), g_va = g_wa, g_wb = g_wa, g_vb = g_wa;
  adj_cross(wa, wb, g_wa, g_wb, gt);
  adj_cross(va, wb, g_va, g_wb, gb);
  adj_cross(wa, vb, g_wa, g_vb, gb);
  detail::la::acc_top(adj_a, g_wa), detail::la::acc_bottom(adj_a, g_va);
  detail::la::acc_top(adj_b, g_wb), detail::la::acc_bottom(adj_b, g_vb);
}

template <typename T>
WP_HD void adj_spatial_cross_dual(const vec_t<6, T>& a, const vec_t<6, T>& b, vec_t<6, T>& adj_a,
                                  vec_t<6, T>& adj_b, const vec_t<6, T>& adj_ret) {
  const vec_t<3, T> wa = spatial_top(a), va = spatial_bottom(a), nb = spatial_top(b), fb = spatial_bottom(b);
  const vec_t<3, T> gt = spatial_top(adj_ret), gb = spatial_bottom(adj_ret);
  vec_t<3, T> g_wa = detail::la::vzero<3, T>(), g_va = g_wa, g_nb = g_wa, g_fb = g_wa;
  adj_cross(wa, nb, g_wa, g_nb, gt);
  adj_cross(va, fb, g_va, g_fb, gt);
  adj_cross(wa, fb, g_wa, g_fb, gb);
  detail::la::acc_top(adj_a, g_wa), detail::la::acc_bottom(adj_a, g_va);
  detail::la::acc_top(adj_b, g_nb), detail::la::acc_bottom(adj_b, g_fb);
}

template <typename T>
WP_HD void adj_spatial_adjoint(const mat_t<3, 3, T>& r, const mat_t<3, 3, T>& s, mat_t<3, 3, T>& adj_r,
                               mat_t<3, 3, T>& adj_s, const mat_t<6, 6, T>& adj_ret) {
  (void)r, (void)s;
  using detail::la::up;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      detail::la::sacc(adj_r.data[i][j], up(adj_ret.data[i][j]) + up(adj_ret.data[3 + i][3 + j]));
      detail::la::sacc(adj_s.data[i][j], up(adj_ret.data[3 + i][j]));
    }
}

template <typename T>
WP_HD void adj_transform_twist(const transform_t<T>& xform, const vec_t<6, T>& v, transform_t<T>& adj_xform,
                               vec_t<6, T>& adj_v, const vec_t<6, T>& adj_ret) {
  const vec_t<3, T> w = quat_rotate(xform.q, spatial_top(v));
  const vec_t<3, T> gw0 = spatial_top(adj_ret), gl = spatial_bottom(adj_ret);
  vec_t<3, T> g_w = gw0, g_top = detail::la::vzero<3, T>(), g_bottom = g_top;
  adj_cross(xform.p, w, adj_xform.p, g_w, gl);  // lin += p x w
  adj_quat_rotate(xform.q, spatial_bottom(v), adj_xform.q, g_bottom, gl);
  adj_quat_rotate(xform.q, spatial_top(v), adj_xform.q, g_top, g_w);
  detail::la::acc_top(adj_v, g_top), detail::la::acc_bottom(adj_v, g_bottom);
}

template <typename T>
WP_HD void adj_transform_wrench(const transform_t<T>& xform, const vec_t<6, T>& v, transform_t<T>& adj_xform,
                                vec_t<6, T>& adj_v, const vec_t<6, T>& adj_ret) {
  const vec_t<3, T> f = quat_rotate(xform.q, spatial_bottom(v));
  const vec_t<3, T> gt = spatial_top(adj_ret), gf0 = spatial_bottom(adj_ret);
  vec_t<3, T> g_f = gf0, g_top = detail::la::vzero<3, T>(), g_bottom = g_top;
  adj_cross(xform.p, f, adj_xform.p, g_f, gt);  // tau += p x f
  adj_quat_rotate(xform.q, spatial_top(v), adj_xform.q, g_top, gt);
  adj_quat_rotate(xform.q, spatial_bottom(v), adj_xform.q, g_bottom, g_f);
  detail::la::acc_top(adj_v, g_top), detail::la::acc_bottom(adj_v, g_bottom);
}

template <typename T>
WP_HD void adj_velocity_at_point(const vec_t<6, T>& qd, const vec_t<3, T>& r, vec_t<6, T>& adj_qd,
                                 vec_t<3, T>& adj_r, const vec_t<3, T>& adj_ret) {
  vec_t<3, T> g_w = detail::la::vzero<3, T>();
  adj_cross(spatial_top(qd), r, g_w, adj_r, adj_ret);
  detail::la::acc_top(adj_qd, g_w);
  detail::la::acc_bottom(adj_qd, adj_ret);
}

}  // namespace wp
