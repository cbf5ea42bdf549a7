// decomp_adjoint_test.cu — device tests of adj_svd3, adj_svd2, adj_eig3, adj_qr3
// (wp/builtins/matrix_decomp.h): evaluated in a CUDA kernel, each must match the host evaluation
// (the host results are checked against finite differences in decomp_adjoint_test.cpp).
#include "linalg_gpu_util.cuh"

namespace {

using a2gpu::Out;

template <typename T>
struct DecompAdjointCase {
  WP_HD void operator()(Out& o) const {
    using M3 = wp::mat_t<3, 3, T>;
    using V3 = wp::vec_t<3, T>;
    using M2 = wp::mat_t<2, 2, T>;
    using V2 = wp::vec_t<2, T>;
    const M3 a{{{T(2.0f), T(-1.0f), T(0.5f)}, {T(0.25f), T(3.0f), T(1.0f)}, {T(-1.5f), T(0.5f), T(1.75f)}}};
    const M3 s{{{T(4.0f), T(1.0f), T(2.0f)}, {T(1.0f), T(3.0f), T(1.0f)}, {T(2.0f), T(1.0f), T(5.0f)}}};
    M3 g1{{{T(0.3f), T(-1.0f), T(0.7f)}, {T(1.2f), T(0.4f), T(-0.6f)}, {T(-0.2f), T(0.9f), T(0.1f)}}};
    M3 g2{{{T(-0.5f), T(0.2f), T(1.1f)}, {T(0.6f), T(-0.8f), T(0.3f)}, {T(0.25f), T(0.5f), T(-1.0f)}}};
    V3 gv{{T(1.0f), T(-2.0f), T(0.5f)}};
    const M2 a2{{{T(3.0f), T(0.5f)}, {T(4.0f), T(5.0f)}}};
    M2 h1{{{T(0.5f), T(-1.0f)}, {T(2.0f), T(0.25f)}}};
    V2 hv{{T(-0.5f), T(1.5f)}};
    M3 z = wp::detail::la::mzero<3, 3, T>(), g;
    V3 zv = wp::detail::la::vzero<3, T>();
    M3 g3 = g2;
    g = z, wp::adj_svd3(a, z, zv, z, g, g1, gv, g3), o.put(g);
    g = z, wp::adj_eig3(s, z, zv, g, g1, gv), o.put(g);
    g = z, wp::adj_qr3(a, z, z, g, g1, g2), o.put(g);
    M2 z2 = wp::detail::la::mzero<2, 2, T>(), g2x = z2;
    V2 zv2 = wp::detail::la::vzero<2, T>();
    M2 h2 = h1;
    wp::adj_svd2(a2, z2, zv2, z2, g2x, h1, hv, h2);
    o.put(g2x);
  }
};

TEST(DecompAdjointDevice, MatchesHost) {
  A2_SKIP_WITHOUT_GPU();
  a2gpu::expect_device_matches_host(DecompAdjointCase<double>{}, 1e-10);
  a2gpu::expect_device_matches_host(DecompAdjointCase<float>{}, 1e-3);
}

}  // namespace
