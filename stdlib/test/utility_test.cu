// utility_test.cu — where select lerp smoothstep len block_dim expect_* in device code.
#include <string>

#include "device_eval.cuh"

namespace {

struct Utility {
  WP_HD wp::vec_t<10, float> operator()(int i) const {
    const float t = static_cast<float>(wp_test::uniform(i, 1, -0.5, 1.5));
    const wp::vec3f a{1, 2, 3}, b{-1, 4, 0.5f};
    const wp::quatf q = wp::lerp(wp::quatf{0, 0, 0, 1}, wp::quatf{1, 0, 0, 0}, t);
    const wp::transformf x = wp::lerp(wp::transformf{a, q}, wp::transformf{b, q}, t);
    return {wp::where(i % 2, 1.0f, 2.0f),
            wp::select(i % 3 == 0, 1.0f, 2.0f),
            wp::lerp(2.0f, 6.0f, t),
            wp::lerp(a, b, t)[1],
            q.w,
            x.p[2],
            wp::smoothstep(0.0f, 1.0f, t),
            static_cast<float>(wp::len(a) + wp::len(wp::mat_t<2, 4, float>{}) + wp::len(q) + wp::len(x)),
            static_cast<float>(wp::lerp(wp::half(1.0f), wp::half(3.0f), wp::half(t))),
            static_cast<float>(wp::smoothstep(1.0, 3.0, static_cast<double>(t) * 4.0))};
  }
};

TEST(DeviceUtility, AgreesWithHost) {
  WP_REQUIRE_GPU();
  wp_test::expect_close(wp_test::eval_on_host(Utility{}, 4000), wp_test::eval_on_device(Utility{}, 4000), 1e-6,
                        "utility", 1e-6);
}

struct BlockDim {
  WP_HD int32_t operator()(int) const { return wp::block_dim(); }
};

TEST(DeviceUtility, BlockDimIsTheLaunchBlockSize) {
  WP_REQUIRE_GPU();
  for (int v : wp_test::eval_on_device(BlockDim{}, 200)) EXPECT_EQ(v, 128);  // eval_on_device uses 128
}

struct Expectations {
  WP_HD int operator()(int i) const {
    if (i == 0) {
      wp::expect_eq(int32_t{3}, int32_t{4});  // fails: prints
      wp::expect_near(1.0f, 1.0f + 1e-7f);    // passes: silent
      wp::expect_neq(wp::vec2i{1, 2}, wp::vec2i{1, 2});  // fails: prints
    }
    return 1;  // execution went on after the failures
  }
};

TEST(DeviceUtility, ExpectPrintsAndGoesOn) {
  WP_REQUIRE_GPU();
  testing::internal::CaptureStdout();
  const std::vector<int> out = wp_test::eval_on_device(Expectations{}, 1);
  std::fflush(stdout);
  const std::string text = testing::internal::GetCapturedStdout();
  EXPECT_EQ(out[0], 1);
  EXPECT_NE(text.find("expect_eq() failed"), std::string::npos) << text;
  EXPECT_NE(text.find("expect_neq() failed"), std::string::npos) << text;
  EXPECT_EQ(text.find("expect_near"), std::string::npos) << text;
}

struct UtilityAdjoints {
  WP_HD wp::vec_t<6, double> operator()(int i) const {
    const double t = wp_test::uniform(i, 9, -0.5, 1.5);
    double aa = 0, ab = 0, at = 0, ax = 0;
    wp::adj_smoothstep(0.0, 1.0, t, aa, ab, ax, 2.0);
    wp::vec2d av{}, bv{};
    wp::adj_lerp(wp::vec2d{1, 2}, wp::vec2d{3, -4}, t, av, bv, at, wp::vec2d{1, 1});
    int32_t adj_cond = 0;
    wp::adj_where(i % 2, 1.0, 2.0, adj_cond, aa, ab, 1.0);
    return {aa, ab, ax, av[0], bv[1], at};
  }
};

TEST(DeviceUtility, AdjointsAgreeWithHost) {
  WP_REQUIRE_GPU();
  wp_test::expect_close(wp_test::eval_on_host(UtilityAdjoints{}, 2000), wp_test::eval_on_device(UtilityAdjoints{}, 2000),
                        1e-13, "utility adjoints", 1e-14);
}

}  // namespace
