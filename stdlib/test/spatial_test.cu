// spatial_test.cu — device tests of wp/builtins/spatial.h: every builtin (and several adjoints)
// evaluated in a CUDA kernel must match the host evaluation.
#include "linalg_gpu_util.cuh"

namespace {

using a2gpu::Out;

template <typename T>
struct SpatialCase {
  WP_HD void operator()(Out& o) const {
    using V6 = wp::vec_t<6, T>;
    using V3 = wp::vec_t<3, T>;
    const V6 a{{T(0.5f), T(-1.0f), T(2.0f), T(1.5f), T(0.25f), T(-0.75f)}};
    const V6 b{{T(-1.0f), T(0.5f), T(0.5f), T(2.0f), T(-1.5f), T(1.0f)}};
    const wp::transform_t<T> x{V3{{T(1.0f), T(2.0f), T(-1.0f)}}, wp::quat_rpy(T(0.3f), T(-0.2f), T(0.9f))};
    const wp::mat_t<3, 3, T> r = wp::quat_to_matrix(x.q), s = wp::skew(x.p);
    o.put(wp::spatial_top(a)), o.put(wp::spatial_bottom(a)), o.put(wp::spatial_dot(a, b));
    o.put(wp::spatial_cross(a, b)), o.put(wp::spatial_cross_dual(a, b)), o.put(wp::spatial_adjoint(r, s));
    o.put(wp::transform_twist(x, a)), o.put(wp::transform_wrench(x, a));
    o.put(wp::velocity_at_point(a, V3{{T(0.5f), T(0.5f), T(-2.0f)}}));
    V6 ga = wp::detail::la::vzero<6, T>(), gb = ga;
    wp::adj_spatial_cross(a, b, ga, gb, a);
    o.put(ga), o.put(gb);
    wp::transform_t<T> gx{wp::detail::la::vzero<3, T>(), wp::quat_t<T>{T(0.0f), T(0.0f), T(0.0f), T(0.0f)}};
    wp::adj_transform_wrench(x, a, gx, ga, b);
    o.put(gx), o.put(ga);
  }
};

TEST(SpatialMathDevice, MatchesHost) {
  A2_SKIP_WITHOUT_GPU();
  a2gpu::expect_device_matches_host(SpatialCase<double>{}, 1e-12);
  a2gpu::expect_device_matches_host(SpatialCase<float>{}, 1e-4);
  a2gpu::expect_device_matches_host(SpatialCase<wp::half>{}, 5e-3);
}

}  // namespace
