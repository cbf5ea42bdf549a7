// wp/builtins/quat.h — Quaternion Math builtins on wp::quat_t<T> (x, y, z imaginary, w real):
// construction from axis-angle / matrices / Euler angles, conversions back, rotation of vectors,
// slerp, swing-twist, and dot/length/length_sq/normalize on quaternions; adjoints of most.
//
// Owner: stdlib-a2. Contract (stdlib/builtins.def group QuaternionMath, Warp's documentation):
//  * Products are Hamilton products; q * p applies p first. quat_rotate(q, v) = q v q^-1 for a
//    unit q (the formula v (2w^2 - 1) + 2w (q_v x v) + 2 q_v (q_v . v) is used, as in Warp).
//  * quat_identity: wp::quat_identity<T>() from wp/types.h (dtype is a compile-time type).
//  * quat_from_axis_angle expects a unit axis (not normalized here).
//  * quat_to_axis_angle: angle in [0, pi] (q is normalized, and negated when w < 0); the axis is
//    the unit imaginary part, or (1, 0, 0) when the angle is 0.
//  * quat_from_matrix: Shepperd's method on the 3x3 (upper-left 3x3 of a 4x4), normalized.
//  * quat_from_euler(e, i, j, k) = q_k(e[k]) * q_j(e[j]) * q_i(e[i]) (rotations about the fixed
//    axes i, j, k in that order; e indexed by axis). quat_rpy(r, p, y) = quat_from_euler((r, p, y), 0, 1, 2).
//  * quat_to_euler, quat_to_rpy, quat_twist_angle_signed: wp/builtins/quat_euler.h.
//  * quat_slerp: shortest arc (b negated when dot(a, b) < 0), b normalized; nlerp when the angle
//    is tiny.
//  * quat_twist(axis, q): normalize((dot(axis, q_v) axis, q_w)); identity when that is zero.
//    quat_twist_angle = 2 acos(twist.w): [0, pi] when q.w >= 0, (pi, 2 pi] otherwise.
//  * normalize of the zero quaternion is the zero quaternion.
//  * Adjoints accumulate (+=). adj_quat_to_axis_angle consumes (zeroes) the adjoints of its
//    outputs axis and angle.
#pragma once

#include "wp/builtins/matrix.h"

namespace wp {
namespace detail::la {

template <typename T>
WP_HD quat_t<T> quat_(calc_t<T> x, calc_t<T> y, calc_t<T> z, calc_t<T> w) {
  return quat_t<T>{down<T>(x), down<T>(y), down<T>(z), down<T>(w)};
}

template <typename T>
WP_HD vec_t<3, T> qvec(const quat_t<T>& q) {
  return vec_t<3, T>{{q.x, q.y, q.z}};
}

// Hamilton product a * b.
template <typename T>
WP_HD quat_t<T> qmul(const quat_t<T>& a, const quat_t<T>& b) {
  const auto ax = up(a.x), ay = up(a.y), az = up(a.z), aw = up(a.w);
  const auto bx = up(b.x), by = up(b.y), bz = up(b.z), bw = up(b.w);
  return quat_<T>(aw * bx + bw * ax + ay * bz - az * by, aw * by + bw * ay + az * bx - ax * bz,
                  aw * bz + bw * az + ax * by - ay * bx, aw * bw - ax * bx - ay * by - az * bz);
}

template <typename T>
WP_HD void adj_qmul(const quat_t<T>& a, const quat_t<T>& b, quat_t<T>& adj_a, quat_t<T>& adj_b,
                    const quat_t<T>& g) {
  // d(a*b) = da*b + a*db; <g, da*b> = <g * conj(b), da>, <g, a*db> = <conj(a) * g, db>.
  const quat_t<T> cb{down<T>(-up(b.x)), down<T>(-up(b.y)), down<T>(-up(b.z)), b.w};
  const quat_t<T> ca{down<T>(-up(a.x)), down<T>(-up(a.y)), down<T>(-up(a.z)), a.w};
  const quat_t<T> ga = qmul(g, cb), gb = qmul(ca, g);
  sacc(adj_a.x, up(ga.x)), sacc(adj_a.y, up(ga.y)), sacc(adj_a.z, up(ga.z)), sacc(adj_a.w, up(ga.w));
  sacc(adj_b.x, up(gb.x)), sacc(adj_b.y, up(gb.y)), sacc(adj_b.z, up(gb.z)), sacc(adj_b.w, up(gb.w));
}

// Rotation of `angle` about the coordinate axis `axis` (0, 1, 2).
template <typename T>
WP_HD quat_t<T> qaxis(int axis, calc_t<T> angle) {
  using K = calc_t<T>;
  K h = angle * K(0.5), s = sin_(h);
  return quat_<T>(axis == 0 ? s : K(0), axis == 1 ? s : K(0), axis == 2 ? s : K(0), cos_(h));
}

// d qaxis / d angle . g
template <typename T>
WP_HD calc_t<T> adj_qaxis(int axis, calc_t<T> angle, const quat_t<T>& g) {
  using K = calc_t<T>;
  K h = angle * K(0.5);
  K gi = axis == 0 ? up(g.x) : (axis == 1 ? up(g.y) : up(g.z));
  return K(0.5) * (cos_(h) * gi - sin_(h) * up(g.w));
}

template <typename T>
WP_HD calc_t<T> qcomp(const quat_t<T>& q, int i) {
  return i == 0 ? up(q.x) : (i == 1 ? up(q.y) : (i == 2 ? up(q.z) : up(q.w)));
}

template <typename T, typename K>
WP_HD void qacc_raw(quat_t<T>& acc, const K g[4], K scale) {
  sacc(acc.x, g[0] * scale), sacc(acc.y, g[1] * scale), sacc(acc.z, g[2] * scale), sacc(acc.w, g[3] * scale);
}

template <typename K>
WP_HD K wrap_pi(K a) {  // into (-pi, pi]
  const K pi = K(3.14159265358979323846), two_pi = K(6.28318530717958647692);
  if (a > pi) a -= two_pi;
  if (a <= -pi) a += two_pi;
  return a;
}

}  // namespace detail::la

// ---- dot, length, normalize on quaternions ------------------------------------------------------

template <typename T>
WP_HD T dot(const quat_t<T>& a, const quat_t<T>& b) {
  using detail::la::up;
  return static_cast<T>(up(a.x) * up(b.x) + up(a.y) * up(b.y) + up(a.z) * up(b.z) + up(a.w) * up(b.w));
}

template <typename T>
WP_HD T length_sq(const quat_t<T>& a) {
  return dot(a, a);
}

template <typename T>
WP_HD T length(const quat_t<T>& a) {
  return static_cast<T>(detail::la::sqrt_(detail::la::up(dot(a, a))));
}

template <typename T>
WP_HD quat_t<T> normalize(const quat_t<T>& a) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  K l = up(length(a));
  if (!(l > K(0))) return detail::la::quat_<T>(K(0), K(0), K(0), K(0));
  return detail::la::quat_<T>(up(a.x) / l, up(a.y) / l, up(a.z) / l, up(a.w) / l);
}

// ---- construction and conversion ----------------------------------------------------------------

template <typename T>
WP_HD quat_t<T> quat_from_axis_angle(const vec_t<3, T>& axis, T angle) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  K h = up(angle) * K(0.5), s = detail::la::sin_(h);
  return detail::la::quat_<T>(up(axis.c[0]) * s, up(axis.c[1]) * s, up(axis.c[2]) * s, detail::la::cos_(h));
}

template <typename T>
WP_HD void quat_to_axis_angle(const quat_t<T>& qt, vec_t<3, T>& axis, T& angle) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  quat_t<T> q = normalize(qt);
  K sgn = up(q.w) < K(0) ? K(-1) : K(1);
  K x = sgn * up(q.x), y = sgn * up(q.y), z = sgn * up(q.z), w = sgn * up(q.w);
  K s = detail::la::sqrt_(x * x + y * y + z * z);
  angle = static_cast<T>(K(2) * detail::la::atan2_(s, w));
  axis = s > K(0) ? detail::la::vec3_<T>(x / s, y / s, z / s) : detail::la::vec3_<T>(K(1), K(0), K(0));
}

template <typename T>
WP_HD quat_t<T> quat_inverse(const quat_t<T>& qt) {
  using detail::la::up;
  return quat_t<T>{static_cast<T>(-up(qt.x)), static_cast<T>(-up(qt.y)), static_cast<T>(-up(qt.z)), qt.w};
}

template <typename T>
WP_HD vec_t<3, T> quat_rotate(const quat_t<T>& qt, const vec_t<3, T>& vec) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const vec_t<3, T> u = detail::la::qvec(qt);
  const K w = up(qt.w);
  const vec_t<3, T> uxv = cross(u, vec);
  const K uv = up(dot(u, vec)), a = K(2) * w * w - K(1);
  vec_t<3, T> r;
  for (int i = 0; i < 3; ++i)
    r.c[i] = static_cast<T>(up(vec.c[i]) * a + up(uxv.c[i]) * K(2) * w + up(u.c[i]) * K(2) * uv);
  return r;
}

template <typename T>
WP_HD vec_t<3, T> quat_rotate_inv(const quat_t<T>& qt, const vec_t<3, T>& vec) {
  return quat_rotate(quat_inverse(qt), vec);
}

// Column i is quat_rotate(qt, e_i).
template <typename T>
WP_HD mat_t<3, 3, T> quat_to_matrix(const quat_t<T>& qt) {
  using K = detail::la::calc_t<T>;
  mat_t<3, 3, T> m;
  for (int j = 0; j < 3; ++j) {
    vec_t<3, T> e = detail::la::vec3_<T>(K(j == 0), K(j == 1), K(j == 2));
    vec_t<3, T> c = quat_rotate(qt, e);
    for (int i = 0; i < 3; ++i) m.data[i][j] = c.c[i];
  }
  return m;
}

template <typename T>
WP_HD quat_t<T> quat_from_matrix(const mat_t<3, 3, T>& mat) {
  using K = detail::la::calc_t<T>;
  K m[3][3];
  detail::la::load3(m, mat);
  const K tr = m[0][0] + m[1][1] + m[2][2];
  K x, y, z, w;
  if (tr > K(0)) {
    K s = detail::la::sqrt_(tr + K(1)) * K(2);
    w = K(0.25) * s, x = (m[2][1] - m[1][2]) / s, y = (m[0][2] - m[2][0]) / s, z = (m[1][0] - m[0][1]) / s;
  } else if (m[0][0] >= m[1][1] && m[0][0] >= m[2][2]) {
    K s = detail::la::sqrt_(K(1) + m[0][0] - m[1][1] - m[2][2]) * K(2);
    w = (m[2][1] - m[1][2]) / s, x = K(0.25) * s, y = (m[0][1] + m[1][0]) / s, z = (m[0][2] + m[2][0]) / s;
  } else if (m[1][1] >= m[2][2]) {
    K s = detail::la::sqrt_(K(1) + m[1][1] - m[0][0] - m[2][2]) * K(2);
    w = (m[0][2] - m[2][0]) / s, x = (m[0][1] + m[1][0]) / s, y = K(0.25) * s, z = (m[1][2] + m[2][1]) / s;
  } else {
    K s = detail::la::sqrt_(K(1) + m[2][2] - m[0][0] - m[1][1]) * K(2);
    w = (m[1][0] - m[0][1]) / s, x = (m[0][2] + m[2][0]) / s, y = (m[1][2] + m[2][1]) / s, z = K(0.25) * s;
  }
  return normalize(detail::la::quat_<T>(x, y, z, w));
}

template <typename T>
WP_HD quat_t<T> quat_from_matrix(const mat_t<4, 4, T>& mat) {
  mat_t<3, 3, T> r;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r.data[i][j] = mat.data[i][j];
  return quat_from_matrix(r);
}

template <typename T>
WP_HD quat_t<T> quat_from_euler(const vec_t<3, T>& e, int32_t i, int32_t j, int32_t k) {
  using detail::la::up;
  const quat_t<T> qi = detail::la::qaxis<T>(i, up(e.c[i]));
  const quat_t<T> qj = detail::la::qaxis<T>(j, up(e.c[j]));
  const quat_t<T> qk = detail::la::qaxis<T>(k, up(e.c[k]));
  return detail::la::qmul(qk, detail::la::qmul(qj, qi));
}

template <typename T>
WP_HD quat_t<T> quat_rpy(T roll, T pitch, T yaw) {
  return quat_from_euler(vec_t<3, T>{{roll, pitch, yaw}}, 0, 1, 2);
}

// ---- interpolation and swing-twist ----------------------------------------------------------------

template <typename T>
WP_HD quat_t<T> quat_slerp(const quat_t<T>& q0, const quat_t<T>& q1, T t) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  quat_t<T> b = normalize(q1);
  K d = up(dot(q0, b));
  if (d < K(0)) b = quat_t<T>{static_cast<T>(-up(b.x)), static_cast<T>(-up(b.y)), static_cast<T>(-up(b.z)),
                              static_cast<T>(-up(b.w))}, d = -d;
  const K th = detail::la::acos_(d), st = detail::la::sin_(th), tt = up(t);
  K w0 = K(1) - tt, w1 = tt;
  if (st > K(16) * detail::la::eps_<K>()) {
    w0 = detail::la::sin_((K(1) - tt) * th) / st;
    w1 = detail::la::sin_(tt * th) / st;
  }
  quat_t<T> r = detail::la::quat_<T>(w0 * up(q0.x) + w1 * up(b.x), w0 * up(q0.y) + w1 * up(b.y),
                                     w0 * up(q0.z) + w1 * up(b.z), w0 * up(q0.w) + w1 * up(b.w));
  return st > K(16) * detail::la::eps_<K>() ? r : normalize(r);
}

template <typename T>
WP_HD quat_t<T> quat_twist(const vec_t<3, T>& axis, const quat_t<T>& q) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const K p = up(dot(axis, detail::la::qvec(q)));
  quat_t<T> t = normalize(detail::la::quat_<T>(p * up(axis.c[0]), p * up(axis.c[1]), p * up(axis.c[2]), up(q.w)));
  if (!(up(length_sq(t)) > K(0))) return detail::la::quat_<T>(K(0), K(0), K(0), K(1));
  return t;
}

template <typename T>
WP_HD T quat_twist_angle(const vec_t<3, T>& axis, const quat_t<T>& q) {
  using K = detail::la::calc_t<T>;
  return static_cast<T>(K(2) * detail::la::acos_(detail::la::up(quat_twist(axis, q).w)));
}

// ---- adjoints -------------------------------------------------------------------------------------

template <typename T>
WP_HD void adj_dot(const quat_t<T>& a, const quat_t<T>& b, quat_t<T>& adj_a, quat_t<T>& adj_b, const T& adj_ret) {
  using detail::la::sacc;
  using detail::la::up;
  const auto g = up(adj_ret);
  sacc(adj_a.x, g * up(b.x)), sacc(adj_a.y, g * up(b.y)), sacc(adj_a.z, g * up(b.z)), sacc(adj_a.w, g * up(b.w));
  sacc(adj_b.x, g * up(a.x)), sacc(adj_b.y, g * up(a.y)), sacc(adj_b.z, g * up(a.z)), sacc(adj_b.w, g * up(a.w));
}

template <typename T>
WP_HD void adj_length_sq(const quat_t<T>& a, quat_t<T>& adj_a, const T& adj_ret) {
  using detail::la::sacc;
  using detail::la::up;
  const auto g = detail::la::calc_t<T>(2) * up(adj_ret);
  sacc(adj_a.x, g * up(a.x)), sacc(adj_a.y, g * up(a.y)), sacc(adj_a.z, g * up(a.z)), sacc(adj_a.w, g * up(a.w));
}

template <typename T>
WP_HD void adj_length(const quat_t<T>& a, quat_t<T>& adj_a, const T& adj_ret) {
  using K = detail::la::calc_t<T>;
  using detail::la::sacc;
  using detail::la::up;
  const K l = up(length(a));
  if (!(l > K(0))) return;
  const K g = up(adj_ret) / l;
  sacc(adj_a.x, g * up(a.x)), sacc(adj_a.y, g * up(a.y)), sacc(adj_a.z, g * up(a.z)), sacc(adj_a.w, g * up(a.w));
}

template <typename T>
WP_HD void adj_normalize(const quat_t<T>& a, quat_t<T>& adj_a, const quat_t<T>& adj_ret) {
  using K = detail::la::calc_t<T>;
  using detail::la::qcomp;
  const K l = detail::la::up(length(a));
  if (!(l > K(0))) return;
  K ng = K(0);
  for (int i = 0; i < 4; ++i) ng += qcomp(a, i) / l * qcomp(adj_ret, i);
  T* out[4] = {&adj_a.x, &adj_a.y, &adj_a.z, &adj_a.w};
  for (int i = 0; i < 4; ++i) detail::la::sacc(*out[i], (qcomp(adj_ret, i) - qcomp(a, i) / l * ng) / l);
}

template <typename T>
WP_HD void adj_quat_inverse(const quat_t<T>& qt, quat_t<T>& adj_quat, const quat_t<T>& adj_ret) {
  (void)qt;
  using detail::la::sacc;
  using detail::la::up;
  sacc(adj_quat.x, -up(adj_ret.x)), sacc(adj_quat.y, -up(adj_ret.y)), sacc(adj_quat.z, -up(adj_ret.z));
  sacc(adj_quat.w, up(adj_ret.w));
}

// r = v (2w^2 - 1) + 2w (u x v) + 2u (u.v)
template <typename T>
WP_HD void adj_quat_rotate(const quat_t<T>& qt, const vec_t<3, T>& vec, quat_t<T>& adj_quat, vec_t<3, T>& adj_vec,
                           const vec_t<3, T>& adj_ret) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const vec_t<3, T> u = detail::la::qvec(qt);
  const K w = up(qt.w), uv = up(dot(u, vec)), gv = up(dot(adj_ret, vec)), gu = up(dot(adj_ret, u));
  const vec_t<3, T> uxv = cross(u, vec);
  // d/dvec: (2w^2-1) g + 2w (g x u) + 2 u (u.g)
  const vec_t<3, T> gxu = cross(adj_ret, u), vxg = cross(vec, adj_ret);
  for (int i = 0; i < 3; ++i) {
    detail::la::sacc(adj_vec.c[i], (K(2) * w * w - K(1)) * up(adj_ret.c[i]) + K(2) * w * up(gxu.c[i]) +
                                       K(2) * up(u.c[i]) * gu);
  }
  // d/du: 2w (v x g) + 2 g (u.v)… : <g, 2u(u.v)> = 2(u.g)(u.v) -> 2 (g uv + v ug)
  T* au[3] = {&adj_quat.x, &adj_quat.y, &adj_quat.z};
  for (int i = 0; i < 3; ++i)
    detail::la::sacc(*au[i], K(2) * w * up(vxg.c[i]) + K(2) * (up(adj_ret.c[i]) * uv + up(vec.c[i]) * gu));
  detail::la::sacc(adj_quat.w, K(4) * w * gv + K(2) * up(dot(adj_ret, uxv)));
}

template <typename T>
WP_HD void adj_quat_rotate_inv(const quat_t<T>& qt, const vec_t<3, T>& vec, quat_t<T>& adj_quat,
                               vec_t<3, T>& adj_vec, const vec_t<3, T>& adj_ret) {
  quat_t<T> adj_inv{T(0.0f), T(0.0f), T(0.0f), T(0.0f)};
  adj_quat_rotate(quat_inverse(qt), vec, adj_inv, adj_vec, adj_ret);
  adj_quat_inverse(qt, adj_quat, adj_inv);
}

template <typename T>
WP_HD void adj_quat_to_matrix(const quat_t<T>& qt, quat_t<T>& adj_quat, const mat_t<3, 3, T>& adj_ret) {
  using K = detail::la::calc_t<T>;
  for (int j = 0; j < 3; ++j) {
    vec_t<3, T> e = detail::la::vec3_<T>(K(j == 0), K(j == 1), K(j == 2));
    vec_t<3, T> g{{adj_ret.data[0][j], adj_ret.data[1][j], adj_ret.data[2][j]}};
    vec_t<3, T> adj_e = detail::la::vzero<3, T>();
    adj_quat_rotate(qt, e, adj_quat, adj_e, g);
  }
}

template <typename T>
WP_HD void adj_quat_from_axis_angle(const vec_t<3, T>& axis, T angle, vec_t<3, T>& adj_axis, T& adj_angle,
                                    const quat_t<T>& adj_ret) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const K h = up(angle) * K(0.5), s = detail::la::sin_(h), c = detail::la::cos_(h);
  const K g[3] = {up(adj_ret.x), up(adj_ret.y), up(adj_ret.z)};
  K da = -K(0.5) * s * up(adj_ret.w);
  for (int i = 0; i < 3; ++i) {
    detail::la::sacc(adj_axis.c[i], s * g[i]);
    da += K(0.5) * c * up(axis.c[i]) * g[i];
  }
  detail::la::sacc(adj_angle, da);
}

template <typename T>
WP_HD void adj_quat_from_euler(const vec_t<3, T>& e, int32_t i, int32_t j, int32_t k, vec_t<3, T>& adj_e,
                               int32_t& adj_i, int32_t& adj_j, int32_t& adj_k, const quat_t<T>& adj_ret) {
  (void)adj_i, (void)adj_j, (void)adj_k;
  using detail::la::up;
  using Q = quat_t<T>;
  const Q qi = detail::la::qaxis<T>(i, up(e.c[i])), qj = detail::la::qaxis<T>(j, up(e.c[j]));
  const Q qk = detail::la::qaxis<T>(k, up(e.c[k]));
  const Q qji = detail::la::qmul(qj, qi);
  const Q z{T(0.0f), T(0.0f), T(0.0f), T(0.0f)};
  Q g_qk = z, g_qji = z, g_qj = z, g_qi = z;
  detail::la::adj_qmul(qk, qji, g_qk, g_qji, adj_ret);
  detail::la::adj_qmul(qj, qi, g_qj, g_qi, g_qji);
  detail::la::sacc(adj_e.c[i], detail::la::adj_qaxis<T>(i, up(e.c[i]), g_qi));
  detail::la::sacc(adj_e.c[j], detail::la::adj_qaxis<T>(j, up(e.c[j]), g_qj));
  detail::la::sacc(adj_e.c[k], detail::la::adj_qaxis<T>(k, up(e.c[k]), g_qk));
}

template <typename T>
WP_HD void adj_quat_rpy(T roll, T pitch, T yaw, T& adj_roll, T& adj_pitch, T& adj_yaw, const quat_t<T>& adj_ret) {
  vec_t<3, T> adj_e = detail::la::vzero<3, T>();
  int32_t ai = 0, aj = 0, ak = 0;
  adj_quat_from_euler(vec_t<3, T>{{roll, pitch, yaw}}, 0, 1, 2, adj_e, ai, aj, ak, adj_ret);
  detail::la::sacc(adj_roll, detail::la::up(adj_e.c[0]));
  detail::la::sacc(adj_pitch, detail::la::up(adj_e.c[1]));
  detail::la::sacc(adj_yaw, detail::la::up(adj_e.c[2]));
}

// ---- adjoints of conversions, slerp and swing-twist ------------------------------------------------

// Outputs axis and angle were overwritten by the primal, so their adjoints are consumed (zeroed).
template <typename T>
WP_HD void adj_quat_to_axis_angle(const quat_t<T>& qt, const vec_t<3, T>& axis, const T& angle,
                                  quat_t<T>& adj_quat, vec_t<3, T>& adj_axis, T& adj_angle) {
  (void)axis, (void)angle;
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const quat_t<T> q = normalize(qt);
  const K sgn = up(q.w) < K(0) ? K(-1) : K(1);
  const K v[3] = {sgn * up(q.x), sgn * up(q.y), sgn * up(q.z)}, w = sgn * up(q.w);
  const K s = detail::la::sqrt_(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]), r2 = s * s + w * w;
  const K ga = up(adj_angle);
  K adj_v[3] = {K(0), K(0), K(0)}, adj_w = -K(2) * s / r2 * ga;
  if (s > K(0)) {
    K ag = K(0);
    for (int i = 0; i < 3; ++i) ag += v[i] / s * up(adj_axis.c[i]);
    const K adj_s = K(2) * w / r2 * ga;
    for (int i = 0; i < 3; ++i) adj_v[i] = (up(adj_axis.c[i]) - v[i] / s * ag) / s + adj_s * v[i] / s;
  }
  adj_normalize(qt, adj_quat, detail::la::quat_<T>(sgn * adj_v[0], sgn * adj_v[1], sgn * adj_v[2], sgn * adj_w));
  adj_axis = detail::la::vzero<3, T>();
  adj_angle = static_cast<T>(K(0));
}

namespace detail::la {

// One component of Shepperd's formula: (m[ar][ac] + sign m[br][bc]) / s, or s / 4 when big.
struct ShepperdTerm {
  int8_t ar, ac, br, bc, sign;
};

// Branch b (0..2: x, y, z largest; 3: positive trace) and its terms for x, y, z, w.
WP_HD ShepperdTerm shepperd_term(int b, int comp) {
  const ShepperdTerm big{-1, -1, -1, -1, 0};
  const ShepperdTerm table[4][4] = {
      {big, {0, 1, 1, 0, 1}, {0, 2, 2, 0, 1}, {2, 1, 1, 2, -1}},
      {{0, 1, 1, 0, 1}, big, {1, 2, 2, 1, 1}, {0, 2, 2, 0, -1}},
      {{0, 2, 2, 0, 1}, {1, 2, 2, 1, 1}, big, {1, 0, 0, 1, -1}},
      {{2, 1, 1, 2, -1}, {0, 2, 2, 0, -1}, {1, 0, 0, 1, -1}, big}};
  return table[b][comp];
}

template <typename T>
WP_HD int shepperd_branch(const calc_t<T> m[3][3]) {
  if (m[0][0] + m[1][1] + m[2][2] > calc_t<T>(0)) return 3;
  if (m[0][0] >= m[1][1] && m[0][0] >= m[2][2]) return 0;
  return m[1][1] >= m[2][2] ? 1 : 2;
}

}  // namespace detail::la

template <typename T>
WP_HD void adj_quat_from_matrix(const mat_t<3, 3, T>& mat, mat_t<3, 3, T>& adj_mat, const quat_t<T>& adj_ret) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  K m[3][3];
  detail::la::load3(m, mat);
  const int b = detail::la::shepperd_branch<T>(m);
  // s = 2 sqrt(1 + sum_i d_i m_ii), d = (+,+,+) for the trace branch, else +1 only at the big index.
  K d[3], arg = K(1);
  for (int i = 0; i < 3; ++i) d[i] = (b == 3 || b == i) ? K(1) : K(-1), arg += d[i] * m[i][i];
  if (b == 3) arg = m[0][0] + m[1][1] + m[2][2] + K(1);
  const K s = detail::la::sqrt_(arg) * K(2);
  K raw[4];
  for (int c = 0; c < 4; ++c) {
    const detail::la::ShepperdTerm t = detail::la::shepperd_term(b, c);
    raw[c] = t.ar < 0 ? K(0.25) * s : (m[t.ar][t.ac] + K(t.sign) * m[t.br][t.bc]) / s;
  }
  quat_t<T> g_raw{T(0.0f), T(0.0f), T(0.0f), T(0.0f)};
  adj_normalize(detail::la::quat_<T>(raw[0], raw[1], raw[2], raw[3]), g_raw, adj_ret);
  const K g[4] = {up(g_raw.x), up(g_raw.y), up(g_raw.z), up(g_raw.w)};
  K adj_s = K(0);
  for (int c = 0; c < 4; ++c) {
    const detail::la::ShepperdTerm t = detail::la::shepperd_term(b, c);
    if (t.ar < 0) {
      adj_s += K(0.25) * g[c];
    } else {
      adj_s -= raw[c] / s * g[c];
      detail::la::sacc(adj_mat.data[t.ar][t.ac], g[c] / s);
      detail::la::sacc(adj_mat.data[t.br][t.bc], K(t.sign) * g[c] / s);
    }
  }
  for (int i = 0; i < 3; ++i) detail::la::sacc(adj_mat.data[i][i], adj_s * K(4) / s * d[i] * K(0.5));
}

template <typename T>
WP_HD void adj_quat_from_matrix(const mat_t<4, 4, T>& mat, mat_t<4, 4, T>& adj_mat, const quat_t<T>& adj_ret) {
  mat_t<3, 3, T> r, g = detail::la::mzero<3, 3, T>();
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r.data[i][j] = mat.data[i][j];
  adj_quat_from_matrix(r, g, adj_ret);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) detail::la::sacc(adj_mat.data[i][j], detail::la::up(g.data[i][j]));
}

template <typename T>
WP_HD void adj_quat_twist(const vec_t<3, T>& axis, const quat_t<T>& q, vec_t<3, T>& adj_axis, quat_t<T>& adj_q,
                          const quat_t<T>& adj_ret) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const K p = up(dot(axis, detail::la::qvec(q)));
  const quat_t<T> raw = detail::la::quat_<T>(p * up(axis.c[0]), p * up(axis.c[1]), p * up(axis.c[2]), up(q.w));
  if (!(up(length_sq(raw)) > K(0))) return;  // constant identity
  quat_t<T> g{T(0.0f), T(0.0f), T(0.0f), T(0.0f)};
  adj_normalize(raw, g, adj_ret);
  const vec_t<3, T> gv = detail::la::qvec(g);
  const K adj_p = up(dot(gv, axis));
  detail::la::vacc_scaled(adj_axis, gv, p);
  detail::la::vacc_scaled(adj_axis, detail::la::qvec(q), adj_p);
  detail::la::sacc(adj_q.x, adj_p * up(axis.c[0])), detail::la::sacc(adj_q.y, adj_p * up(axis.c[1]));
  detail::la::sacc(adj_q.z, adj_p * up(axis.c[2])), detail::la::sacc(adj_q.w, up(g.w));
}

template <typename T>
WP_HD void adj_quat_twist_angle(const vec_t<3, T>& axis, const quat_t<T>& q, vec_t<3, T>& adj_axis,
                                quat_t<T>& adj_q, const T& adj_ret) {
  using K = detail::la::calc_t<T>;
  const K w = detail::la::up(quat_twist(axis, q).w);
  const K r = detail::la::sqrt_(K(1) - w * w);
  if (!(r > K(0))) return;  // acos is not differentiable at +-1
  const quat_t<T> g = detail::la::quat_<T>(K(0), K(0), K(0), -K(2) / r * detail::la::up(adj_ret));
  adj_quat_twist(axis, q, adj_axis, adj_q, g);
}

template <typename T>
WP_HD void adj_quat_slerp(const quat_t<T>& q0, const quat_t<T>& q1, const T& t, quat_t<T>& adj_q0,
                          quat_t<T>& adj_q1, T& adj_t, const quat_t<T>& adj_ret) {
  using K = detail::la::calc_t<T>;
  using detail::la::qcomp;
  using detail::la::up;
  const quat_t<T> nb = normalize(q1);
  const K sgn = up(dot(q0, nb)) < K(0) ? K(-1) : K(1);
  K b[4], a[4], g[4], adj_b[4];
  for (int i = 0; i < 4; ++i) b[i] = sgn * qcomp(nb, i), a[i] = qcomp(q0, i), g[i] = qcomp(adj_ret, i);
  const K d = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
  const K th = detail::la::acos_(d), st = detail::la::sin_(th), ct = detail::la::cos_(th), tt = up(t);
  K adj_a[4], adj_tt = K(0);
  if (st > K(16) * detail::la::eps_<K>()) {
    const K w0 = detail::la::sin_((K(1) - tt) * th) / st, w1 = detail::la::sin_(tt * th) / st;
    const K c0 = detail::la::cos_((K(1) - tt) * th), c1 = detail::la::cos_(tt * th);
    K gw0 = K(0), gw1 = K(0);
    for (int i = 0; i < 4; ++i) gw0 += g[i] * a[i], gw1 += g[i] * b[i];
    const K dw0_dth = ((K(1) - tt) * c0 * st - detail::la::sin_((K(1) - tt) * th) * ct) / (st * st);
    const K dw1_dth = (tt * c1 * st - detail::la::sin_(tt * th) * ct) / (st * st);
    adj_tt = gw0 * (-th * c0 / st) + gw1 * (th * c1 / st);
    const K adj_d = -(gw0 * dw0_dth + gw1 * dw1_dth) / st;  // d acos(d)/dd = -1/sin(theta)
    for (int i = 0; i < 4; ++i) adj_a[i] = w0 * g[i] + adj_d * b[i], adj_b[i] = w1 * g[i] + adj_d * a[i];
  } else {  // normalized lerp
    K raw[4];
    for (int i = 0; i < 4; ++i) raw[i] = (K(1) - tt) * a[i] + tt * b[i];
    quat_t<T> gr{T(0.0f), T(0.0f), T(0.0f), T(0.0f)};
    adj_normalize(detail::la::quat_<T>(raw[0], raw[1], raw[2], raw[3]), gr, adj_ret);
    for (int i = 0; i < 4; ++i) {
      const K gi = qcomp(gr, i);
      adj_a[i] = (K(1) - tt) * gi, adj_b[i] = tt * gi, adj_tt += gi * (b[i] - a[i]);
    }
  }
  detail::la::qacc_raw(adj_q0, adj_a, K(1));
  adj_normalize(q1, adj_q1, detail::la::quat_<T>(sgn * adj_b[0], sgn * adj_b[1], sgn * adj_b[2], sgn * adj_b[3]));
  detail::la::sacc(adj_t, adj_tt);
}

}  // namespace wp
