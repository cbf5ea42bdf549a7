// operators_test.cu — the operators in device code: integer semantics (division by zero,
// wrap-around, shift counts) must be bit-identical to the host; float results agree with the
// host exactly where IEEE fixes them, within rounding where contraction (FMA) may differ.
#include "device_eval.cuh"

namespace {

WP_HD int32_t any_int(int i, uint32_t salt) {
  const uint32_t h = wp_test::hash32(static_cast<uint32_t>(i) + salt);
  switch (h % 4) {
    case 0: return static_cast<int32_t>(h);               // anything
    case 1: return static_cast<int32_t>(h % 17) - 8;      // small, zero included
    case 2: return (h & 8) ? INT32_MIN : -1;              // overflow corner cases
    default: return static_cast<int32_t>(h % 80) - 20;    // shift counts in and out of range
  }
}

struct IntOps {
  WP_HD wp::vec_t<12, int32_t> operator()(int i) const {
    const int32_t a = any_int(i, 1), b = any_int(i, 2);
    const int8_t a8 = static_cast<int8_t>(a), b8 = static_cast<int8_t>(b);
    const uint32_t ua = static_cast<uint32_t>(a), ub = static_cast<uint32_t>(b);
    return {wp::add(a, b),        wp::mul(a, b),        wp::div(a, b),
            wp::mod(a, b),        wp::floordiv(a, b),   wp::lshift(a, b),
            wp::rshift(a, b),     wp::neg(a),           wp::div(a8, b8),
            wp::mul(a8, b8),      static_cast<int32_t>(wp::rshift(ua, ub)),
            static_cast<int32_t>(wp::bit_xor(wp::invert(ua), wp::lshift(ub, ua)))};
  }
};

TEST(DeviceIntOps, BitIdenticalToHost) {
  WP_REQUIRE_GPU();
  wp_test::expect_device_matches_host(IntOps{}, 100000, 0.0, "integer operators");
}

struct FloatOps {
  WP_HD wp::vec_t<8, double> operator()(int i) const {
    const float a = static_cast<float>(wp_test::uniform(i, 3, -100, 100));
    const float b = static_cast<float>(wp_test::uniform(i, 4, -10, 10));
    const double ad = wp_test::uniform(i, 5, -1e3, 1e3), bd = wp_test::uniform(i, 6, -3, 3);
    const wp::half ah(a), bh(b);
    return {wp::div(a, b),    wp::mod(a, b),     wp::floordiv(a, b), wp::div(ad, bd),
            wp::mod(ad, bd),  wp::floordiv(ad, bd), static_cast<double>(wp::mul(ah, bh)),
            static_cast<double>(wp::mod(ah, bh))};
  }
};

TEST(DeviceFloatOps, IeeeResultsIdentical) {
  WP_REQUIRE_GPU();
  wp_test::expect_device_matches_host(FloatOps{}, 100000, 0.0, "float operators");
}

struct CompositeOps {
  WP_HD wp::vec_t<14, float> operator()(int i) const {
    wp::mat33f m{};
    for (int k = 0; k < 9; ++k) m.data[k / 3][k % 3] = static_cast<float>(wp_test::uniform(i, 10 + k, -2, 2));
    const wp::vec3f v{static_cast<float>(wp_test::uniform(i, 20, -1, 1)), 0.5f, -0.25f};
    const wp::vec3f mv = wp::mul(m, v), vm = wp::mul(v, m);
    const wp::mat33f mm = wp::mul(m, wp::div(m, 2.0f));
    const wp::quatf q = wp::mul(wp::quatf{v[0], v[1], v[2], 0.5f}, wp::quatf{0.1f, 0.2f, 0.3f, 0.9f});
    const wp::transformf t = wp::mul(wp::transformf{v, wp::quatf{0, 0, 0.6f, 0.8f}}, wp::transformf{mv, wp::quatf{0.6f, 0, 0, 0.8f}});
    return {mv[0], mv[2], vm[1], mm.data[0][0], mm.data[2][1], q.x, q.w, t.p[0], t.p[1], t.p[2], t.q.z,
            wp::neg(v)[0], wp::sub(v, mv)[1], wp::mul(2.0f, wp::add(v, v))[2]};
  }
};

TEST(DeviceCompositeOps, AgreeWithHost) {
  WP_REQUIRE_GPU();
  // The device may fuse multiply-adds: agree to a few float ulps of the operands' scale (~1).
  wp_test::expect_close(wp_test::eval_on_host(CompositeOps{}, 5000), wp_test::eval_on_device(CompositeOps{}, 5000), 1e-5,
                        "composite operators", 1e-5);
}

struct OperatorAdjoints {
  WP_HD wp::vec_t<12, float> operator()(int i) const {
    const float s = static_cast<float>(wp_test::uniform(i, 30, 0.5, 2));
    const wp::transformf a{{s, 1, 2}, {0.1f, 0.2f, 0.3f, 0.9f}}, b{{-1, s, 0}, {0, 0.6f, 0, 0.8f}};
    wp::transformf adj_a{}, adj_b{};
    wp::adj_mul(a, b, adj_a, adj_b, wp::transformf{{1, -1, 0.5f}, {0.2f, 0.1f, -0.3f, 0.4f}});
    const wp::mat22f m{s, 1, 2, 3};
    wp::mat22f adj_m{};
    wp::vec2f adj_v{};
    wp::adj_mul(m, wp::vec2f{1, s}, adj_m, adj_v, wp::vec2f{0.5f, -1});
    float adj_x = 0, adj_y = 0;
    wp::adj_div(s, 3.0f, adj_x, adj_y, 1.0f);
    wp::adj_mod(s * 5.0f, 2.0f, adj_x, adj_y, 1.0f);
    return {adj_a.p[0], adj_a.q.x, adj_a.q.w, adj_b.p[1], adj_b.q.y, adj_m.data[1][1], adj_v[0], adj_v[1], adj_x, adj_y,
            adj_b.q.w, adj_a.q.z};
  }
};

TEST(DeviceOperatorAdjoints, AgreeWithHost) {
  WP_REQUIRE_GPU();
  wp_test::expect_close(wp_test::eval_on_host(OperatorAdjoints{}, 2000), wp_test::eval_on_device(OperatorAdjoints{}, 2000),
                        1e-5, "operator adjoints", 1e-5);
}

}  // namespace
