// core_test.cu — wp::half, constructors and index/index_ref in device code, checked against
// the host and (for half rounding) against CUDA's own __float2half_rn.
#include <cuda_fp16.h>

#include "device_eval.cuh"

namespace {

struct HalfDecode {
  WP_HD float operator()(int i) const { return static_cast<float>(wp::half::from_bits(static_cast<uint16_t>(i))); }
};

// A float from all over the range (including subnormals, huge values, NaN patterns).
WP_HD float any_float(int i) {
  const uint32_t u = wp_test::hash32(static_cast<uint32_t>(i));
  return __builtin_bit_cast(float, (i & 1) ? u : (u & 0x83ffffffu) | 0x38000000u);  // odd: any; even: near half range
}

struct HalfEncode {
  WP_HD uint32_t operator()(int i) const { return wp::half(any_float(i)).bits; }
};

// CUDA's conversion on the device, warpc's on the host: must agree (NaN payloads aside).
struct HalfEncodeCuda {
  WP_HD uint32_t operator()(int i) const {
    const float f = any_float(i);
#if defined(__CUDA_ARCH__)
    const uint32_t bits = __half_as_ushort(__float2half_rn(f));
#else
    const uint32_t bits = wp::half(f).bits;
#endif
    return (bits & 0x7c00u) == 0x7c00u && (bits & 0x3ffu) ? 0x7e00u : bits;  // canonical NaN
  }
};

TEST(DeviceHalf, DecodeEveryEncoding) {
  WP_REQUIRE_GPU();
  wp_test::expect_device_matches_host(HalfDecode{}, 65536, 0.0, "half → float");
}

TEST(DeviceHalf, EncodeMatchesHostAndCuda) {
  WP_REQUIRE_GPU();
  const int n = 1 << 20;
  wp_test::expect_device_matches_host(HalfEncode{}, n, 0.0, "float → half");
  wp_test::expect_close(wp_test::eval_on_host(HalfEncodeCuda{}, n), wp_test::eval_on_device(HalfEncodeCuda{}, n), 0.0,
                        "float → half vs __float2half_rn");
}

struct Constructors {
  WP_HD wp::mat33f operator()(int i) const {
    const float a = static_cast<float>(i);
    const wp::vec3f v = wp::construct_components<wp::vec3f>(a, a + 1.0f, a + 2.0f);
    wp::mat33f m = wp::construct_rows<wp::mat33f>(v, wp::construct_broadcast<wp::vec3f>(-a), wp::construct_zeros<wp::vec3f>());
    wp::index_ref(m, 2) = wp::construct_convert<wp::vec3f>(wp::vec3i{i, -i, 2 * i});
    wp::index_ref(m, 2, -1) += wp::index(v, -1);
    const wp::quatf q = wp::construct_compose<wp::quatf>(v, wp::index(m, 0, 0));
    const wp::transformf t = wp::construct_compose<wp::transformf>(v, q);
    m.data[1][1] = wp::index(t, 6) + wp::index(wp::construct_default<wp::quatf>(), 3);
    m.data[1][2] = wp::construct_cast<float>(wp::construct_cast<int32_t>(a * 0.7f));
    m.data[0][0] = static_cast<float>(wp::construct_convert<wp::transformh>(t).p[1]);
    return m;
  }
};

TEST(DeviceConstruct, FormsAndIndexing) {
  WP_REQUIRE_GPU();
  wp_test::expect_device_matches_host(Constructors{}, 1000, 0.0, "constructors");
}

struct Equality {
  WP_HD int operator()(int i) const {
    const wp::vec3f a{1.0f, static_cast<float>(i), 0.0f}, b{1.0f, static_cast<float>(i), -0.0f};
    const wp::mat22d m{1, 2, 3, static_cast<double>(i)};
    const wp::transformh t{};
    return (a == b) + 2 * (a != b) + 4 * (m == m) + 8 * (t == t) + 16 * (wp::quatf{} != wp::quatf{0, 0, 0, 1}) +
           32 * (wp::half(0.5f) == wp::half(0.5f));
  }
};

TEST(DeviceEquality, EveryValueType) {
  WP_REQUIRE_GPU();
  const std::vector<int> dev = wp_test::eval_on_device(Equality{}, 4);
  for (int v : dev) EXPECT_EQ(v, 1 + 4 + 8 + 16 + 32);
}

struct ConstructAdjoints {
  WP_HD wp::vec_t<8, double> operator()(int i) const {
    const double x = static_cast<double>(i);
    double ax = 0, ay = 0, az = 0, as = 0;
    wp::adj_construct_components<wp::vec3d>(x, x, x, ax, ay, az, wp::vec3d{1, 2, x});
    wp::adj_construct_broadcast<wp::mat22d>(x, as, wp::mat22d{1, 2, 3, x});
    wp::vec3d ap{}, r0{}, r1{};
    wp::quatd aq{};
    wp::adj_construct_compose<wp::transformd>(wp::vec3d{}, wp::quatd{}, ap, aq, wp::transformd{{1, 2, 3}, {4, 5, 6, x}});
    wp::adj_construct_rows<wp::mat_t<2, 3, double>>(r0, r1, r0, r1, wp::mat_t<2, 3, double>{1, 2, 3, 4, 5, x});
    int ai = 0;
    wp::adj_index(wp::vec3d{}, 1, ap, ai, x);
    return {ax, ay, az, as, ap[1], aq.w, r1[2], r0[0]};
  }
};

TEST(DeviceConstruct, AdjointsMatchHost) {
  WP_REQUIRE_GPU();
  wp_test::expect_device_matches_host(ConstructAdjoints{}, 256, 0.0, "constructor adjoints");
}

}  // namespace
