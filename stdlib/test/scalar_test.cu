// scalar_test.cu — the ScalarMath rows in device code against the host: exact where the result
// is exact (abs sign step min max clamp rounding classification), within a few ulps for the
// transcendental functions (CUDA's libm and glibc differ by ≤ 2–4 ulps).
#include "device_eval.cuh"

namespace {

// Each entry i evaluates every unary Float function at one x in a range valid for all of them.
template <typename T>
struct Transcendental {
  WP_HD wp::vec_t<24, T> operator()(int i) const {
    const T x = static_cast<T>(wp_test::uniform(i, 1, 0.05, 0.95));  // (0, 1): valid for every function
    const T y = static_cast<T>(wp_test::uniform(i, 2, -4, 4));
    return {wp::sqrt(x),  wp::cbrt(y),   wp::exp(y),     wp::log(x),   wp::log2(x),         wp::log10(x),
            wp::sin(y),   wp::cos(y),    wp::tan(x),     wp::asin(x),  wp::acos(x),         wp::atan(y),
            wp::sinh(y),  wp::cosh(y),   wp::tanh(y),    wp::asinh(y), wp::acosh(T(1) + x), wp::atanh(x),
            wp::erf(y),   wp::erfc(y),   wp::erfinv(x),  wp::erfcinv(x), wp::pow(x, y),     wp::atan2(y, x)};
  }
};

TEST(DeviceScalarMath, FloatWithinUlps) {
  WP_REQUIRE_GPU();
  const auto f = Transcendental<float>{};
  wp_test::expect_close(wp_test::eval_on_host(f, 20000), wp_test::eval_on_device(f, 20000), 1e-6, "float", 1e-7);
}

TEST(DeviceScalarMath, DoubleWithinUlps) {
  WP_REQUIRE_GPU();
  const auto f = Transcendental<double>{};
  wp_test::expect_close(wp_test::eval_on_host(f, 20000), wp_test::eval_on_device(f, 20000), 1e-14, "double", 1e-15);
}

TEST(DeviceScalarMath, HalfWithinOneHalfUlp) {
  WP_REQUIRE_GPU();
  const auto f = Transcendental<wp::half>{};
  wp_test::expect_close(wp_test::eval_on_host(f, 5000), wp_test::eval_on_device(f, 5000), 1e-3, "half", 1e-3);
}

TEST(DeviceScalarMath, BFloat16WithinOneUlp) {
  WP_REQUIRE_GPU();
  const auto f = Transcendental<wp::bfloat16>{};
  wp_test::expect_close(wp_test::eval_on_host(f, 5000), wp_test::eval_on_device(f, 5000), 8e-3, "bfloat16", 8e-3);
}

// float → bfloat16 on the device (cuda_bf16.h's conversion) against the host's bit code, bit
// for bit, on values spread over the whole float range (signs, subnormals, ties, overflow).
struct BFloat16Bits {
  WP_HD wp::vec_t<4, int32_t> operator()(int i) const {
    const uint32_t h = wp_test::hash32(static_cast<uint32_t>(i));
    const float any = __builtin_bit_cast(float, (h & 0x7f7fffffu) | (h & 0x80000000u));  // finite
    const float tie = __builtin_bit_cast(float, (h & 0xff7f0000u) | 0x8000u);
    const float sub = __builtin_bit_cast(float, h & 0x807fffffu);
    return {wp::bfloat16(any).bits, wp::bfloat16(tie).bits, wp::bfloat16(sub).bits,
            static_cast<int32_t>(float(wp::bfloat16::from_bits(static_cast<uint16_t>(h))) ==
                                 __builtin_bit_cast(float, (h & 0xffffu) << 16))};
  }
};

TEST(DeviceScalarMath, BFloat16ConversionBitExact) {
  WP_REQUIRE_GPU();
  wp_test::expect_device_matches_host(BFloat16Bits{}, 20000, 0.0, "bfloat16 bits");
}

template <typename T>
struct ExactOps {
  WP_HD wp::vec_t<16, T> operator()(int i) const {
    const T x = static_cast<T>(wp_test::uniform(i, 3, -6, 6));
    const T y = static_cast<T>(wp_test::uniform(i, 4, -6, 6));
    const T h = static_cast<T>(static_cast<int>(wp_test::uniform(i, 5, -8, 8)) * 0.5);  // halves: rounding ties
    return {wp::abs(x),   wp::sign(x),  wp::step(x),     wp::nonzero(h),   wp::min(x, y), wp::max(x, y),
            wp::clamp(x, T(-1), T(2)),  wp::floor(x),    wp::ceil(x),      wp::round(h),  wp::rint(h),
            wp::trunc(x), wp::frac(x),  wp::copysign(x, y),
            wp::asin(T(1) + wp::abs(x)), wp::acos(T(-1) - wp::abs(y))};  // clamped: ±π/2, π
  }
};

TEST(DeviceScalarMath, ExactFunctionsIdentical) {
  WP_REQUIRE_GPU();
  wp_test::expect_device_matches_host(ExactOps<float>{}, 20000, 0.0, "float exact");
  wp_test::expect_device_matches_host(ExactOps<double>{}, 20000, 0.0, "double exact");
  wp_test::expect_device_matches_host(ExactOps<wp::half>{}, 5000, 0.0, "half exact");
  wp_test::expect_device_matches_host(ExactOps<wp::bfloat16>{}, 5000, 0.0, "bfloat16 exact");
}

struct IntAndClassify {
  WP_HD wp::vec_t<12, int32_t> operator()(int i) const {
    const int32_t a = static_cast<int32_t>(wp_test::hash32(static_cast<uint32_t>(i)));
    const wp::vec3f v{static_cast<float>(a), (i % 3 == 0) ? NAN : 1.0f, (i % 5 == 0) ? INFINITY : 2.0f};
    const wp::vec3i vi{a, -a, i};
    return {wp::abs(a), wp::sign(a), wp::step(a), wp::nonzero(a % 3), wp::min(vi), wp::max(vi),
            wp::clamp(a, -1000, 1000), wp::isfinite(v), wp::isnan(v), wp::isinf(v),
            wp::isnan(wp::quatd{0, 0, 0, static_cast<double>(v[1])}), wp::min(wp::abs(vi), wp::sign(vi))[1]};
  }
};

TEST(DeviceScalarMath, IntegersAndClassification) {
  WP_REQUIRE_GPU();
  wp_test::expect_device_matches_host(IntAndClassify{}, 20000, 0.0, "int and classification");
}

template <typename T>
struct ScalarAdjoints {
  WP_HD wp::vec_t<10, T> operator()(int i) const {
    const T x = static_cast<T>(wp_test::uniform(i, 7, 0.1, 0.9));
    wp::vec_t<10, T> adj{};
    const T g = T(1.5f);
    wp::adj_sin(x, adj[0], g);
    wp::adj_sqrt(x, adj[1], g);
    wp::adj_erfinv(x, adj[2], g);
    wp::adj_acos(x, adj[3], g);
    wp::adj_pow(x, T(2.5f), adj[4], adj[5], g);
    wp::adj_atan2(x, T(-0.5f), adj[6], adj[7], g);
    wp::adj_clamp(x, T(0.2f), T(0.8f), adj[8], adj[9], adj[9], g);
    wp::adj_abs(-x, adj[9], g);
    return adj;
  }
};

TEST(DeviceScalarMath, AdjointsAgreeWithHost) {
  WP_REQUIRE_GPU();
  wp_test::expect_close(wp_test::eval_on_host(ScalarAdjoints<float>{}, 5000), wp_test::eval_on_device(ScalarAdjoints<float>{}, 5000),
                        1e-5, "float adjoints", 1e-6);
  wp_test::expect_close(wp_test::eval_on_host(ScalarAdjoints<double>{}, 5000),
                        wp_test::eval_on_device(ScalarAdjoints<double>{}, 5000), 1e-13, "double adjoints", 1e-14);
}

}  // namespace
