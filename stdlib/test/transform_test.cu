// transform_test.cu — device tests of wp/builtins/transform.h: every builtin (and several
// adjoints) evaluated in a CUDA kernel must match the host evaluation.
#include "linalg_gpu_util.cuh"

namespace {

using a2gpu::Out;

template <typename T>
struct TransformCase {
  WP_HD void operator()(Out& o) const {
    using V3 = wp::vec_t<3, T>;
    using X = wp::transform_t<T>;
    const X a{V3{{T(1.0f), T(-2.0f), T(0.5f)}}, wp::quat_rpy(T(0.2f), T(0.4f), T(-0.9f))};
    const X b{V3{{T(-0.5f), T(0.25f), T(3.0f)}}, wp::quat_rpy(T(-1.0f), T(0.1f), T(0.7f))};
    const V3 x{{T(0.75f), T(-1.5f), T(2.0f)}};
    X t = wp::transform_identity<T>();
    o.put(t);
    wp::transform_set_translation(t, x);
    wp::transform_set_rotation(t, a.q);
    o.put(t), o.put(wp::transform_get_translation(a)), o.put(wp::transform_get_rotation(a));
    o.put(wp::transform_multiply(a, b)), o.put(wp::transform_point(a, x)), o.put(wp::transform_vector(a, x));
    const wp::mat_t<4, 4, T> m = wp::transform_to_matrix(b);
    o.put(m), o.put(wp::transform_point(m, x)), o.put(wp::transform_vector(m, x));
    o.put(wp::transform_inverse(a)), o.put(wp::transform_from_matrix(m));
    X ga{V3{{T(0.0f), T(0.0f), T(0.0f)}}, wp::quat_t<T>{T(0.0f), T(0.0f), T(0.0f), T(0.0f)}}, gb = ga;
    wp::adj_transform_multiply(a, b, ga, gb, b);
    o.put(ga), o.put(gb);
    V3 gx = wp::detail::la::vzero<3, T>();
    wp::adj_transform_point(a, x, ga, gx, x);
    o.put(ga), o.put(gx);
    wp::adj_transform_inverse(b, gb, a);
    o.put(gb);
  }
};

TEST(TransformMathDevice, MatchesHost) {
  A2_SKIP_WITHOUT_GPU();
  a2gpu::expect_device_matches_host(TransformCase<double>{}, 1e-12);
  a2gpu::expect_device_matches_host(TransformCase<float>{}, 1e-4);
  a2gpu::expect_device_matches_host(TransformCase<wp::half>{}, 5e-3);
}

}  // namespace
