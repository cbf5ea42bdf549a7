// quat_test.cu — device tests of wp/builtins/quat.h: every builtin (and several adjoints)
// evaluated in a CUDA kernel must match the host evaluation.
#include "linalg_gpu_util.cuh"

namespace {

using a2gpu::Out;

template <typename T>
struct QuatCase {
  WP_HD void operator()(Out& o) const {
    using Q = wp::quat_t<T>;
    using V3 = wp::vec_t<3, T>;
    const V3 axis = wp::normalize(V3{{T(1.0f), T(-2.0f), T(2.0f)}});
    const V3 v{{T(0.5f), T(1.5f), T(-1.0f)}};
    const Q q = wp::quat_from_axis_angle(axis, T(1.1f));
    const Q p = wp::quat_rpy(T(0.3f), T(-0.6f), T(1.2f));
    o.put(wp::quat_identity<T>()), o.put(q), o.put(p);
    V3 ax;
    T ang;
    wp::quat_to_axis_angle(q, ax, ang);
    o.put(ax), o.put(ang);
    o.put(wp::quat_to_matrix(q)), o.put(wp::quat_from_matrix(wp::quat_to_matrix(p)));
    wp::mat_t<4, 4, T> m4 = wp::detail::la::mzero<4, 4, T>();
    const wp::mat_t<3, 3, T> r = wp::quat_to_matrix(q);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) m4.data[i][j] = r.data[i][j];
    o.put(wp::quat_from_matrix(m4));
    o.put(wp::quat_from_euler(v, 2, 0, 1)), o.put(wp::quat_to_euler(p, 0, 1, 2)), o.put(wp::quat_to_euler(p, 1, 0, 1));
    o.put(wp::quat_inverse(q)), o.put(wp::quat_rotate(q, v)), o.put(wp::quat_rotate_inv(q, v));
    o.put(wp::quat_slerp(q, p, T(0.3f))), o.put(wp::quat_twist(axis, p)), o.put(wp::quat_twist_angle(axis, p));
    o.put(wp::dot(q, p)), o.put(wp::length(p)), o.put(wp::length_sq(p)), o.put(wp::normalize(Q{T(1.0f), T(2.0f), T(2.0f), T(4.0f)}));
    Q gq{T(0.0f), T(0.0f), T(0.0f), T(0.0f)};
    V3 gv = wp::detail::la::vzero<3, T>();
    wp::adj_quat_rotate(q, v, gq, gv, V3{{T(1.0f), T(-1.0f), T(0.5f)}});
    o.put(gq), o.put(gv);
    V3 ge = wp::detail::la::vzero<3, T>();
    int32_t gi = 0, gj = 0, gk = 0;
    wp::adj_quat_from_euler(v, 2, 0, 1, ge, gi, gj, gk, q);
    o.put(ge);
  }
};

TEST(QuatMathDevice, MatchesHost) {
  A2_SKIP_WITHOUT_GPU();
  a2gpu::expect_device_matches_host(QuatCase<double>{}, 1e-12);
  a2gpu::expect_device_matches_host(QuatCase<float>{}, 1e-4);
  a2gpu::expect_device_matches_host(QuatCase<wp::half>{}, 5e-3);
}

}  // namespace
