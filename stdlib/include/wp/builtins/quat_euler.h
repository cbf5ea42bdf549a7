// wp/builtins/quat_euler.h — rotation quaternion → angles: quat_to_euler (any axis sequence),
// quat_to_rpy (roll, pitch, yaw) and quat_twist_angle_signed, with their adjoints.
//
// Contract (Warp 1.19's values, stdlib/builtins.def group QuaternionMath):
//  * quat_to_euler(q, i, j, k) uses the direct quaternion-to-Euler method of Bernardes and
//    Viollet (PLoS ONE, 2022). Tait-Bryan sequences (i != k) and proper Euler sequences
//    (i == k, whose third axis is written t = 3 - i - j below) give three angles (t1, t2, t3):
//    t2 in [-pi/2, pi/2] (Tait-Bryan) or [0, pi] (proper); t1 and t3 are differences and sums of
//    two atan2 values, so they lie in [-2 pi, 2 pi] and are NOT wrapped (Warp does not wrap).
//    The result is indexed by axis: e[i] = t1, e[j] = t2, e[t] = t3. Within 1e-6 of t2 = 0 or
//    t2 = pi (gimbal lock) t1 is 0 and t3 takes the whole angle. q need not be unit length.
//  * quat_to_rpy(q) = (roll, pitch, yaw) by the closed atan2 / asin formulas (q assumed unit;
//    the asin argument is clamped to [-1, 1]); inaccurate near pitch = ±pi/2, as in Warp.
//  * quat_twist_angle_signed(axis, q) = 2 atan2(dot(axis, q_v), q_w): in [-pi, pi] when
//    q_w >= 0, else in [-2 pi, 2 pi].
//  * Adjoints accumulate (+=) the exact derivatives of those formulas (the gimbal-lock branch
//    of quat_to_euler differentiates its own formula); the axis indices get no gradient.
#pragma once

#include "wp/builtins/quat.h"

namespace wp {
namespace detail::la {

// The quaternion combinations (a, b, c, d) of the direct method and its axis bookkeeping.
template <typename K>
struct EulerTerms {
  K a, b, c, d;
  K parity;  // Levi-Civita symbol of (i, j, t): +1 for an even permutation, -1 for an odd one
  bool proper;
  int third;  // the axis slot of the third angle
};

template <typename T>
WP_HD EulerTerms<calc_t<T>> euler_terms(const quat_t<T>& q, int i, int j, int k) {
  using K = calc_t<T>;
  EulerTerms<K> r;
  r.proper = i == k;
  r.third = r.proper ? 3 - i - j : k;
  r.parity = K((i - j) * (j - r.third) * (r.third - i) / 2);
  const K w = up(q.w), v[3] = {up(q.x), up(q.y), up(q.z)};
  const K vt = v[r.third] * r.parity;
  if (r.proper) {
    r.a = w, r.b = v[i], r.c = v[j], r.d = vt;
  } else {  // the Tait-Bryan sequence as a proper one of rotated axes
    r.a = w - v[j], r.b = v[i] + vt, r.c = v[j] + w, r.d = vt - v[i];
  }
  return r;
}

// cos(t2) as the method computes it, 2 (a^2 + b^2) / |abcd|^2 - 1.
template <typename K>
WP_HD K euler_cos_t2(const EulerTerms<K>& m) {
  const K ab = m.a * m.a + m.b * m.b;
  return K(2) * ab / (ab + m.c * m.c + m.d * m.d) - K(1);
}

// Gimbal-lock branch of t2: 0 = none, 1 = t2 near 0, 2 = t2 near pi (threshold 1e-6 as Warp).
template <typename K>
WP_HD int euler_lock(K t2) {
  const K pi = K(3.14159265358979323846);
  if (fabs_(t2) < K(1e-6)) return 1;
  if (fabs_(t2 - pi) < K(1e-6)) return 2;
  return 0;
}

}  // namespace detail::la

template <typename T>
WP_HD vec_t<3, T> quat_to_euler(const quat_t<T>& q, int32_t i, int32_t j, int32_t k) {
  using K = detail::la::calc_t<T>;
  const auto m = detail::la::euler_terms(q, i, j, k);
  K t2 = detail::la::acos_(detail::la::euler_cos_t2(m));
  const K tp = detail::la::atan2_(m.b, m.a), tm = detail::la::atan2_(m.d, m.c);
  K t1 = K(0), t3 = K(0);
  switch (detail::la::euler_lock(t2)) {
    case 1: t3 = K(2) * tp; break;
    case 2: t3 = K(2) * tm; break;
    default: t1 = tp - tm, t3 = tp + tm;
  }
  if (!m.proper) t2 -= K(1.57079632679489661923), t3 *= m.parity;
  K e[3];
  e[i] = t1, e[j] = t2, e[m.third] = t3;
  return detail::la::vec3_<T>(e[0], e[1], e[2]);
}

template <typename T>
WP_HD vec_t<3, T> quat_to_rpy(const quat_t<T>& q) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const K x = up(q.x), y = up(q.y), z = up(q.z), w = up(q.w);
  const K roll = detail::la::atan2_(K(2) * (w * x + y * z), K(1) - K(2) * (x * x + y * y));
  const K pitch = detail::la::asin_(K(2) * (w * y - z * x));
  const K yaw = detail::la::atan2_(K(2) * (w * z + x * y), K(1) - K(2) * (y * y + z * z));
  return detail::la::vec3_<T>(roll, pitch, yaw);
}

template <typename T>
WP_HD T quat_twist_angle_signed(const vec_t<3, T>& axis, const quat_t<T>& q) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const K s = up(axis.c[0]) * up(q.x) + up(axis.c[1]) * up(q.y) + up(axis.c[2]) * up(q.z);
  return static_cast<T>(K(2) * detail::la::atan2_(s, up(q.w)));
}

// ---- adjoints ---------------------------------------------------------------------------------

namespace detail::la {

// Adds g * d atan2(y, x) to gy, gx.
template <typename K>
WP_HD void adj_atan2_parts(K y, K x, K g, K& gy, K& gx) {
  const K r2 = x * x + y * y;
  if (!(r2 > K(0))) return;
  gy += g * x / r2;
  gx -= g * y / r2;
}

// The adjoints of (a, b, c, d) back onto the quaternion's components.
template <typename T, typename K>
WP_HD void adj_euler_terms(const EulerTerms<K>& m, int i, int j, const K g[4], quat_t<T>& adj_q) {
  K gv[3] = {K(0), K(0), K(0)}, gw;
  if (m.proper) {
    gw = g[0], gv[i] = g[1], gv[j] = g[2], gv[m.third] = m.parity * g[3];
  } else {
    gw = g[0] + g[2], gv[j] = g[2] - g[0], gv[i] = g[1] - g[3], gv[m.third] = m.parity * (g[1] + g[3]);
  }
  sacc(adj_q.x, gv[0]), sacc(adj_q.y, gv[1]), sacc(adj_q.z, gv[2]), sacc(adj_q.w, gw);
}

}  // namespace detail::la

template <typename T>
WP_HD void adj_quat_to_euler(const quat_t<T>& q, int32_t i, int32_t j, int32_t k, quat_t<T>& adj_q, int32_t& adj_i,
                             int32_t& adj_j, int32_t& adj_k, const vec_t<3, T>& adj_ret) {
  (void)adj_i, (void)adj_j, (void)adj_k;
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const auto m = detail::la::euler_terms(q, i, j, k);
  const K x = detail::la::euler_cos_t2(m), t2 = detail::la::acos_(x);
  const K g1 = up(adj_ret.c[i]), g2 = up(adj_ret.c[j]);
  const K g3 = m.proper ? up(adj_ret.c[m.third]) : m.parity * up(adj_ret.c[m.third]);
  K g_tp = g1 + g3, g_tm = g3 - g1;
  const int lock = detail::la::euler_lock(t2);  // gimbal lock: t1 = 0, t3 = 2 tp or 2 tm
  if (lock == 1) g_tp = K(2) * g3, g_tm = K(0);
  if (lock == 2) g_tp = K(0), g_tm = K(2) * g3;
  K g[4] = {K(0), K(0), K(0), K(0)};  // d/d(a, b, c, d)
  detail::la::adj_atan2_parts(m.b, m.a, g_tp, g[1], g[0]);
  detail::la::adj_atan2_parts(m.d, m.c, g_tm, g[3], g[2]);
  const K den = detail::la::sqrt_(K(1) - x * x);
  if (den > K(0) && x > K(-1) && x < K(1)) {
    const K ab = m.a * m.a + m.b * m.b, cd = m.c * m.c + m.d * m.d, s2 = (ab + cd) * (ab + cd);
    const K gx = -g2 / den * K(4) / s2;
    g[0] += gx * m.a * cd, g[1] += gx * m.b * cd, g[2] -= gx * m.c * ab, g[3] -= gx * m.d * ab;
  }
  detail::la::adj_euler_terms(m, i, j, g, adj_q);
}

template <typename T>
WP_HD void adj_quat_to_rpy(const quat_t<T>& q, quat_t<T>& adj_q, const vec_t<3, T>& adj_ret) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const K x = up(q.x), y = up(q.y), z = up(q.z), w = up(q.w);
  K g0 = K(0), g1 = K(0), g3 = K(0), g4 = K(0);  // d/d of the atan2 arguments
  detail::la::adj_atan2_parts(K(2) * (w * x + y * z), K(1) - K(2) * (x * x + y * y), up(adj_ret.c[0]), g0, g1);
  detail::la::adj_atan2_parts(K(2) * (w * z + x * y), K(1) - K(2) * (y * y + z * z), up(adj_ret.c[2]), g3, g4);
  const K s = K(2) * (w * y - z * x);
  K gs = K(0);
  if (s > K(-1) && s < K(1)) gs = up(adj_ret.c[1]) / detail::la::sqrt_(K(1) - s * s);
  // t0 = 2(wx + yz), t1 = 1 - 2(xx + yy), s = 2(wy - zx), t3 = 2(wz + xy), t4 = 1 - 2(yy + zz)
  detail::la::sacc(adj_q.x, K(2) * (g0 * w - K(2) * g1 * x - gs * z + g3 * y));
  detail::la::sacc(adj_q.y, K(2) * (g0 * z - K(2) * g1 * y + gs * w + g3 * x - K(2) * g4 * y));
  detail::la::sacc(adj_q.z, K(2) * (g0 * y - gs * x + g3 * w - K(2) * g4 * z));
  detail::la::sacc(adj_q.w, K(2) * (g0 * x + gs * y + g3 * z));
}

template <typename T>
WP_HD void adj_quat_twist_angle_signed(const vec_t<3, T>& axis, const quat_t<T>& q, vec_t<3, T>& adj_axis,
                                       quat_t<T>& adj_q, const T& adj_ret) {
  using K = detail::la::calc_t<T>;
  using detail::la::up;
  const K v[3] = {up(q.x), up(q.y), up(q.z)};
  const K s = up(axis.c[0]) * v[0] + up(axis.c[1]) * v[1] + up(axis.c[2]) * v[2];
  K gs = K(0), gw = K(0);
  detail::la::adj_atan2_parts(s, up(q.w), K(2) * up(adj_ret), gs, gw);
  for (int c = 0; c < 3; ++c) detail::la::sacc(adj_axis.c[c], gs * v[c]);
  detail::la::sacc(adj_q.x, gs * up(axis.c[0])), detail::la::sacc(adj_q.y, gs * up(axis.c[1]));
  detail::la::sacc(adj_q.z, gs * up(axis.c[2])), detail::la::sacc(adj_q.w, gw);
}

}  // namespace wp
