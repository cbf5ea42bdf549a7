// matrix_test.cu — device tests of wp/builtins/matrix.h and matrix_decomp.h: every builtin (and
// several adjoints) evaluated in a CUDA kernel must match the host evaluation.
#include "linalg_gpu_util.cuh"

namespace {

using a2gpu::Out;

template <typename T>
struct MatrixCase {
  WP_HD void operator()(Out& o) const {
    using M3 = wp::mat_t<3, 3, T>;
    using V3 = wp::vec_t<3, T>;
    const M3 a{{{T(2.0f), T(-1.0f), T(0.5f)}, {T(0.25f), T(3.0f), T(1.0f)}, {T(-1.5f), T(0.5f), T(1.75f)}}};
    const M3 s{{{T(4.0f), T(1.0f), T(2.0f)}, {T(1.0f), T(3.0f), T(1.0f)}, {T(2.0f), T(1.0f), T(5.0f)}}};
    const V3 v{{T(1.0f), T(-2.0f), T(0.5f)}};
    o.put(wp::ddot(a, s)), o.put(wp::cw_mul(a, s)), o.put(wp::cw_div(a, s)), o.put(wp::transpose(a));
    o.put(wp::determinant(a)), o.put(wp::inverse(a)), o.put(wp::trace(a)), o.put(wp::diag(v));
    o.put(wp::get_diag(a)), o.put(wp::skew(v)), o.put(wp::identity<3, T>());
    o.put(wp::matrix_from_rows(v, v)), o.put(wp::matrix_from_cols(v, v, v, v));
    wp::mat_t<2, 2, T> m2{{{T(3.0f), T(0.0f)}, {T(4.0f), T(5.0f)}}};
    o.put(wp::inverse(m2)), o.put(wp::determinant(m2));
    wp::mat_t<5, 5, T> m5;
    for (int i = 0; i < 5; ++i)
      for (int j = 0; j < 5; ++j) m5.data[i][j] = T(i == j ? 3.0f : 0.25f * float(i - j));
    o.put(wp::determinant(m5)), o.put(wp::inverse(m5));
    o.put(wp::inverse(M3{}));  // singular: zero
    M3 u, w, q, r;
    V3 sig, d;
    wp::svd3(a, u, sig, w);
    o.put(sig);
    wp::qr3(a, q, r);
    o.put(q), o.put(r);
    wp::eig3(s, q, d);
    o.put(d);
    wp::mat_t<2, 2, T> u2, v2;
    wp::vec_t<2, T> s2;
    wp::svd2(m2, u2, s2, v2);
    o.put(s2);
    M3 g = wp::detail::la::mzero<3, 3, T>();
    wp::adj_inverse(a, g, s);
    o.put(g);
    wp::adj_determinant(a, g, T(1.0f));
    o.put(g);
  }
};

// Singular vectors are only determined up to sign; compare reconstructions instead.
template <typename T>
struct DecompReconstructCase {
  WP_HD void operator()(Out& o) const {
    using M3 = wp::mat_t<3, 3, T>;
    const M3 a{{{T(1.0f), T(2.0f), T(3.0f)}, {T(-4.0f), T(5.0f), T(6.0f)}, {T(7.0f), T(8.0f), T(-9.0f)}}};
    M3 u, v;
    wp::vec_t<3, T> s;
    wp::svd3(a, u, s, v);
    o.put(wp::detail::la::mmul(wp::detail::la::mmul(u, wp::diag(s)), wp::transpose(v)));
    o.put(wp::detail::la::mmul(u, wp::transpose(u)));
  }
};

TEST(MatrixMathDevice, MatchesHost) {
  A2_SKIP_WITHOUT_GPU();
  a2gpu::expect_device_matches_host(MatrixCase<double>{}, 1e-12);
  a2gpu::expect_device_matches_host(MatrixCase<float>{}, 1e-4);
  a2gpu::expect_device_matches_host(DecompReconstructCase<double>{}, 1e-12);
  a2gpu::expect_device_matches_host(DecompReconstructCase<float>{}, 1e-4);
}

TEST(MatrixMathDevice, HalfMatchesHost) {
  A2_SKIP_WITHOUT_GPU();
  a2gpu::expect_device_matches_host(MatrixCase<wp::half>{}, 5e-3);
}

}  // namespace
