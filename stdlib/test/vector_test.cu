// vector_test.cu — device tests of wp/builtins/vector.h: every builtin (and several adjoints)
// evaluated in a CUDA kernel must match the host evaluation, for half, float and double.
#include "linalg_gpu_util.cuh"

namespace {

using a2gpu::Out;

template <typename T>
struct VectorCase {
  WP_HD void operator()(Out& o) const {
    using V3 = wp::vec_t<3, T>;
    using V4 = wp::vec_t<4, T>;
    const V3 a{{T(0.5f), T(-1.25f), T(2.0f)}}, b{{T(1.5f), T(0.75f), T(-0.5f)}};
    const V4 c{{T(3.0f), T(-4.0f), T(0.25f), T(-4.0f)}};
    o.put(wp::dot(a, b));
    o.put(wp::cross(a, b));
    o.put(wp::outer(a, c));
    o.put(wp::length(a)), o.put(wp::length_sq(c)), o.put(wp::normalize(c));
    o.put(wp::normalize(wp::detail::la::vzero<3, T>()));
    o.put(wp::cw_mul(a, b)), o.put(wp::cw_div(a, b));
    o.put(wp::argmin(c)), o.put(wp::argmax(c));
    o.put(wp::norm_l1(c)), o.put(wp::norm_l2(c));
    o.put(wp::norm_huber(a)), o.put(wp::norm_huber(a, T(0.5f)));
    o.put(wp::norm_pseudo_huber(a)), o.put(wp::norm_pseudo_huber(a, T(2.0f)));
    o.put(wp::smooth_normalize(a)), o.put(wp::smooth_normalize(a, T(0.5f)));
    V3 ga = wp::detail::la::vzero<3, T>(), gb = ga;
    wp::adj_cross(a, b, ga, gb, V3{{T(1.0f), T(2.0f), T(3.0f)}});
    o.put(ga), o.put(gb);
    V4 gc = wp::detail::la::vzero<4, T>();
    wp::adj_normalize(c, gc, V4{{T(1.0f), T(0.5f), T(-1.0f), T(2.0f)}});
    o.put(gc);
    T gd = T(0.0f);
    wp::adj_smooth_normalize(a, T(0.5f), ga, gd, b);
    o.put(ga), o.put(gd);
  }
};

struct IntVectorCase {
  WP_HD void operator()(Out& o) const {
    const wp::vec3i a{{1, -2, 3}}, b{{4, 5, -6}};
    o.put(wp::dot(a, b)), o.put(wp::cross(a, b)), o.put(wp::length_sq(a));
    o.put(wp::cw_div(wp::vec2i{{-7, 7}}, wp::vec2i{{2, -2}})), o.put(wp::argmax(a));
  }
};

TEST(VectorMathDevice, MatchesHost) {
  A2_SKIP_WITHOUT_GPU();
  a2gpu::expect_device_matches_host(VectorCase<double>{}, 1e-13);
  a2gpu::expect_device_matches_host(VectorCase<float>{}, 1e-5);
  a2gpu::expect_device_matches_host(VectorCase<wp::half>{}, 2e-3);
  a2gpu::expect_device_matches_host(IntVectorCase{}, 0.0);
}

}  // namespace
