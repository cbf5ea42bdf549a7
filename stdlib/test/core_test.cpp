// core_test.cpp — wp::half (all 65536 encodings, rounding), constructors, index/index_ref,
// == and != on every value type (wp/half.h, wp/types.h, wp/builtins/core.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "gradient_check.h"
#include "wp/builtins.h"

namespace {

// Independent binary16 decoding: sign · m · 2^(e − 25) with the implicit bit for normals.
double reference_decode(uint16_t u) {
  const int sign = (u >> 15) ? -1 : 1;
  const int e = (u >> 10) & 0x1f;
  const int m = u & 0x3ff;
  if (e == 31) return m ? std::numeric_limits<double>::quiet_NaN() : sign * HUGE_VAL;
  if (e == 0) return sign * std::ldexp(double(m), -24);
  return sign * std::ldexp(double(m + 1024), e - 25);
}

float f32_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint32_t bits_f32(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

TEST(Half, DecodesEveryEncoding) {
  for (uint32_t u = 0; u < 65536; ++u) {
    const wp::half h = wp::half::from_bits(static_cast<uint16_t>(u));
    const double want = reference_decode(static_cast<uint16_t>(u));
    const float got = static_cast<float>(h);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got)) << u;
    } else {
      EXPECT_EQ(double(got), want) << u;
      EXPECT_EQ(std::signbit(got), (u & 0x8000) != 0) << u;
    }
  }
}

TEST(Half, RoundTripsEveryNonNaNEncoding) {
  for (uint32_t u = 0; u < 65536; ++u) {
    if ((u & 0x7c00) == 0x7c00 && (u & 0x3ff)) continue;  // NaN
    const float f = static_cast<float>(wp::half::from_bits(static_cast<uint16_t>(u)));
    EXPECT_EQ(wp::half(f).bits, u) << u;
  }
}

// Between two adjacent finite halves: the midpoint goes to the even one, a float ulp either
// side goes to the nearer one.
TEST(Half, RoundsToNearestTiesToEven) {
  for (uint32_t u = 0; u < 0x7bff; ++u) {  // positive finite, with a finite successor
    const double lo = reference_decode(static_cast<uint16_t>(u));
    const double hi = reference_decode(static_cast<uint16_t>(u + 1));
    const float mid = static_cast<float>((lo + hi) / 2);  // exact: 12 significant bits
    ASSERT_EQ(double(mid), (lo + hi) / 2);
    const uint32_t even = (u % 2 == 0) ? u : u + 1;
    EXPECT_EQ(wp::half(mid).bits, even) << u;
    EXPECT_EQ(wp::half(std::nextafter(mid, 0.0f)).bits, u) << u;
    EXPECT_EQ(wp::half(std::nextafter(mid, 1e9f)).bits, u + 1) << u;
    EXPECT_EQ(wp::half(-mid).bits, even | 0x8000u) << u;
  }
}

TEST(Half, OverflowUnderflowAndSpecials) {
  EXPECT_EQ(wp::half(65504.0f).bits, 0x7bffu);
  EXPECT_EQ(wp::half(65519.996f).bits, 0x7bffu);
  EXPECT_EQ(wp::half(65520.0f).bits, 0x7c00u);  // the tie rounds to even = infinity
  EXPECT_EQ(wp::half(1e10f).bits, 0x7c00u);
  EXPECT_EQ(wp::half(-HUGE_VALF).bits, 0xfc00u);
  EXPECT_EQ(wp::half(std::ldexp(1.0f, -25)).bits, 0x0000u);  // tie between 0 and 2^-24 → 0
  EXPECT_EQ(wp::half(std::nextafter(std::ldexp(1.0f, -25), 1.0f)).bits, 0x0001u);
  EXPECT_EQ(wp::half(std::ldexp(1.0f, -24)).bits, 0x0001u);
  EXPECT_EQ(wp::half(-0.0f).bits, 0x8000u);
  EXPECT_EQ(wp::half(1e-30f).bits, 0x0000u);
  const wp::half n(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(n.bits & 0x7c00u, 0x7c00u);
  EXPECT_NE(n.bits & 0x3ffu, 0u);
  EXPECT_TRUE(std::isnan(static_cast<float>(wp::half(f32_bits(0x7f800001u)))));  // signalling NaN stays NaN
}

TEST(Half, MatchesCompilerFloat16OnRandomFloats) {
#ifdef __FLT16_MAX__
  std::mt19937 rng(1234);
  for (int i = 0; i < 200000; ++i) {
    float f = f32_bits(rng());
    if (std::isnan(f)) continue;
    if (i % 2) f = std::ldexp(std::uniform_real_distribution<float>(-1, 1)(rng), int(rng() % 40) - 28);
    const _Float16 ref = static_cast<_Float16>(f);
    uint16_t ref_bits;
    std::memcpy(&ref_bits, &ref, 2);
    ASSERT_EQ(wp::half(f).bits, ref_bits) << f << " bits " << bits_f32(f);
  }
#else
  GTEST_SKIP() << "compiler has no _Float16";
#endif
}

TEST(Half, ConstexprArithmeticAndComparisons) {
  constexpr wp::half a(1.5f), b(2.25f);
  static_assert(a.bits == 0x3e00);
  static_assert(static_cast<float>(a + b) == 3.75f && static_cast<float>(a * b) == 3.375f);
  EXPECT_EQ(static_cast<float>(b - a), 0.75f);
  EXPECT_EQ(static_cast<float>(b / a), 1.5f);
  EXPECT_EQ(static_cast<float>(-a), -1.5f);
  wp::half c = a;
  c += b;
  c *= wp::half(2.0f);
  EXPECT_EQ(static_cast<float>(c), 7.5f);
  EXPECT_TRUE(wp::half(0.0f) == wp::half(-0.0f));
  const wp::half n(NAN);
  EXPECT_FALSE(n == n);
  EXPECT_TRUE(n != n);
  EXPECT_TRUE(a < b && b > a && a <= a && b >= a);
  // 1 + 2^-11 is a tie between 1 and 1 + 2^-10: rounds to 1 (even).
  EXPECT_EQ((wp::half(1.0f) + wp::half(std::ldexp(1.0f, -11))).bits, 0x3c00u);
  EXPECT_EQ(static_cast<int32_t>(wp::half(-3.75f)), -3);
  EXPECT_EQ(wp::half(int32_t{7}).bits, wp::half(7.0f).bits);
  EXPECT_EQ(static_cast<double>(wp::half(0.1f)), reference_decode(wp::half(0.1f).bits));
}

// ---- constructors ------------------------------------------------------------------------

TEST(Construct, VectorForms) {
  EXPECT_EQ(wp::construct_zeros<wp::vec3f>(), (wp::vec3f{0, 0, 0}));
  EXPECT_EQ(wp::construct_broadcast<wp::vec4i>(7), (wp::vec4i{7, 7, 7, 7}));
  EXPECT_EQ(wp::construct_components<wp::vec3d>(1.0, 2.0, 3.0), (wp::vec3d{1, 2, 3}));
  const wp::spatial_vectorf s =
      wp::construct_compose<wp::spatial_vectorf>(wp::vec3f{1, 2, 3}, wp::vec3f{4, 5, 6});
  for (int i = 0; i < 6; ++i) EXPECT_EQ(s[i], float(i + 1));
  // convert: C casts component-wise (float → int truncates toward zero).
  EXPECT_EQ(wp::construct_convert<wp::vec3i>(wp::vec3f{1.9f, -1.9f, 2.5f}), (wp::vec3i{1, -1, 2}));
  EXPECT_EQ(wp::construct_convert<wp::vec2d>(wp::vec2h{wp::half(0.5f), wp::half(-2.0f)}), (wp::vec2d{0.5, -2.0}));
  EXPECT_EQ(wp::construct_convert<wp::vec2ub>(wp::vec2i{300, 5}), (wp::vec2ub{44, 5}));
}

TEST(Construct, MatrixFormsAreRowMajor) {
  const wp::mat22f m = wp::construct_components<wp::mat22f>(1.0f, 2.0f, 3.0f, 4.0f);
  EXPECT_EQ(m.data[0][1], 2.0f);
  EXPECT_EQ(m.data[1][0], 3.0f);
  const wp::mat_t<2, 3, double> r = wp::construct_rows<wp::mat_t<2, 3, double>>(wp::vec3d{1, 2, 3}, wp::vec3d{4, 5, 6});
  EXPECT_EQ(r.data[1][2], 6.0);
  EXPECT_EQ(r.data[0][1], 2.0);
  EXPECT_EQ(wp::construct_broadcast<wp::mat33d>(2.0).data[2][1], 2.0);
  EXPECT_EQ(wp::construct_zeros<wp::mat44f>(), wp::mat44f{});
  const wp::mat_t<2, 2, int32_t> mi = wp::construct_convert<wp::mat_t<2, 2, int32_t>>(m);
  EXPECT_EQ(mi, (wp::mat_t<2, 2, int32_t>{1, 2, 3, 4}));
  const wp::spatial_matrixd sm = wp::construct_broadcast<wp::spatial_matrixd>(1.0);
  EXPECT_EQ(sm.data[5][5], 1.0);
}

TEST(Construct, QuaternionAndTransformForms) {
  EXPECT_EQ(wp::construct_default<wp::quatf>(), (wp::quatf{0, 0, 0, 1}));
  EXPECT_EQ(wp::construct_components<wp::quatd>(1.0, 2.0, 3.0, 4.0), (wp::quatd{1, 2, 3, 4}));
  EXPECT_EQ(wp::construct_compose<wp::quatf>(wp::vec3f{1, 2, 3}, 4.0f), (wp::quatf{1, 2, 3, 4}));
  EXPECT_EQ(wp::construct_convert<wp::quath>(wp::quatd{0.5, 1, 2, 4}).w, wp::half(4.0f));
  const wp::transformd t = wp::construct_default<wp::transformd>();
  EXPECT_EQ(t.p, (wp::vec3d{0, 0, 0}));
  EXPECT_EQ(t.q, (wp::quatd{0, 0, 0, 1}));
  const wp::transformf c = wp::construct_compose<wp::transformf>(wp::vec3f{1, 2, 3}, wp::quatf{0, 1, 0, 0});
  EXPECT_EQ(c.p[2], 3.0f);
  EXPECT_EQ(c.q.y, 1.0f);
  const wp::transformd cd = wp::construct_convert<wp::transformd>(c);
  EXPECT_EQ(cd.p[0], 1.0);
  EXPECT_EQ(cd.q.y, 1.0);
}

TEST(Construct, ScalarCasts) {
  EXPECT_EQ(wp::construct_cast<int32_t>(-2.9f), -2);
  EXPECT_EQ(wp::construct_cast<int8_t>(int32_t{300}), int8_t{44});
  EXPECT_EQ(wp::construct_cast<uint8_t>(int32_t{-1}), uint8_t{255});
  EXPECT_EQ(wp::construct_cast<float>(true), 1.0f);
  EXPECT_EQ(wp::construct_cast<int64_t>(false), 0);
  EXPECT_TRUE(wp::construct_cast<bool>(0.25f));
  EXPECT_FALSE(wp::construct_cast<bool>(wp::half(0.0f)));
  EXPECT_TRUE(wp::construct_cast<bool>(wp::half(-0.5f)));
  EXPECT_EQ(wp::construct_cast<wp::half>(1.0009765625).bits, 0x3c01u);
  EXPECT_EQ(wp::construct_cast<int16_t>(wp::half(-7.5f)), int16_t{-7});
  EXPECT_EQ(wp::construct_cast<double>(wp::half(0.333333f)), reference_decode(wp::half(0.333333f).bits));
  EXPECT_EQ(wp::construct_cast<float>(uint64_t{1} << 40), std::ldexp(1.0f, 40));
}

// ---- index / index_ref -------------------------------------------------------------------

TEST(Index, VectorQuatTransform) {
  wp::vec4i v{10, 20, 30, 40};
  EXPECT_EQ(wp::index(v, 2), 30);
  EXPECT_EQ(wp::index(v, -1), 40);
  wp::index_ref(v, 1) = 5;
  EXPECT_EQ(v[1], 5);
  wp::quatf q{1, 2, 3, 4};
  EXPECT_EQ(wp::index(q, 3), 4.0f);
  wp::index_ref(q, 0) += 10.0f;
  EXPECT_EQ(q.x, 11.0f);
  wp::transformf t{{1, 2, 3}, {4, 5, 6, 7}};
  EXPECT_EQ(wp::index(t, 2), 3.0f);
  EXPECT_EQ(wp::index(t, 6), 7.0f);
  wp::index_ref(t, 3) = -1.0f;
  EXPECT_EQ(t.q.x, -1.0f);
}

TEST(Index, MatrixRowsAndElements) {
  wp::mat_t<2, 3, float> m{1, 2, 3, 4, 5, 6};
  EXPECT_EQ(wp::index(m, 1), (wp::vec3f{4, 5, 6}));
  EXPECT_EQ(wp::index(m, 0, 2), 3.0f);
  EXPECT_EQ(wp::index(m, -1, -1), 6.0f);
  wp::index_ref(m, 0) = wp::vec3f{7, 8, 9};
  EXPECT_EQ(m.data[0][1], 8.0f);
  wp::index_ref(m, 1)[2] = 0.5f;  // the reference aliases the row storage
  EXPECT_EQ(m.data[1][2], 0.5f);
  wp::index_ref(m, 1, 0) = -4.0f;
  EXPECT_EQ(m.data[1][0], -4.0f);
}

// ---- == and != ---------------------------------------------------------------------------

TEST(Equality, EveryValueType) {
  EXPECT_TRUE((wp::vec3h{wp::half(1.0f), wp::half(0.0f), wp::half(2.0f)} ==
               wp::vec3h{wp::half(1.0f), wp::half(-0.0f), wp::half(2.0f)}));
  EXPECT_TRUE((wp::vec2f{1, NAN} != wp::vec2f{1, NAN}));
  EXPECT_FALSE((wp::vec2ul{1, 2} != wp::vec2ul{1, 2}));
  EXPECT_TRUE((wp::mat22d{1, 2, 3, 4} != wp::mat22d{1, 2, 3, 5}));
  EXPECT_TRUE((wp::quatf{0, 0, 0, 1} == wp::construct_default<wp::quatf>()));
  EXPECT_TRUE((wp::quatd{0, 0, 1, 0} != wp::quatd{0, 0, 0, 1}));
  EXPECT_TRUE((wp::transformh{} == wp::transformh{}));
  EXPECT_TRUE((wp::transformf{{0, 0, 1}, {0, 0, 0, 1}} != wp::transform_identity<float>()));
  EXPECT_TRUE((wp::spatial_vectord{1, 2, 3, 4, 5, 6} == wp::spatial_vectord{1, 2, 3, 4, 5, 6}));
}

TEST(Aliases, SizesMatchWarp) {
  static_assert(sizeof(wp::vec3b) == 3 && sizeof(wp::vec3s) == 6 && sizeof(wp::vec3l) == 24);
  static_assert(sizeof(wp::vec4us) == 8 && sizeof(wp::vec4ui) == 16 && sizeof(wp::vec2h) == 4);
  static_assert(sizeof(wp::mat44h) == 32 && sizeof(wp::mat22d) == 32 && sizeof(wp::quath) == 8);
  static_assert(sizeof(wp::spatial_vectorh) == 12 && sizeof(wp::spatial_matrixf) == 144);
  static_assert(std::is_same_v<wp::spatial_vector, wp::vec_t<6, float>>);
  static_assert(std::is_same_v<wp::float16, wp::half> && std::is_same_v<wp::vec4ul, wp::vec_t<4, uint64_t>>);
  static_assert(wp::component_count_v<wp::transformd> == 7 && wp::component_count_v<wp::mat33f> == 9);
  SUCCEED();
}

// ---- constructor and index adjoints against central differences ---------------------------

TEST(ConstructAdjoints, EveryForm) {
  a1test::GradientCheck{"components vec3"}.run(
      [](double x, double y, double z) { return wp::construct_components<wp::vec3d>(x, y, z); },
      [](const double& x, const double& y, const double& z, double& ax, double& ay, double& az, const wp::vec3d& g) {
        wp::adj_construct_components<wp::vec3d>(x, y, z, ax, ay, az, g);
      },
      0.1, 0.2, 0.3);
  a1test::GradientCheck{"components quat"}.run(
      [](double x, double y, double z, double w) { return wp::construct_components<wp::quatd>(x, y, z, w); },
      [](const double& x, const double& y, const double& z, const double& w, double& ax, double& ay, double& az,
         double& aw, const wp::quatd& g) { wp::adj_construct_components<wp::quatd>(x, y, z, w, ax, ay, az, aw, g); },
      0.1, 0.2, 0.3, 0.4);
  using M23 = wp::mat_t<2, 3, double>;
  a1test::GradientCheck{"rows"}.run(
      [](const wp::vec3d& r0, const wp::vec3d& r1) { return wp::construct_rows<M23>(r0, r1); },
      [](const wp::vec3d& r0, const wp::vec3d& r1, wp::vec3d& a0, wp::vec3d& a1, const M23& g) {
        wp::adj_construct_rows<M23>(r0, r1, a0, a1, g);
      },
      wp::vec3d{1, 2, 3}, wp::vec3d{4, 5, 6});
  a1test::GradientCheck{"broadcast"}.run(
      [](double s) { return wp::construct_broadcast<wp::mat22d>(s); },
      [](const double& s, double& as, const wp::mat22d& g) { wp::adj_construct_broadcast<wp::mat22d>(s, as, g); }, 0.7);
  a1test::GradientCheck{"compose spatial"}.run(
      [](const wp::vec3d& w, const wp::vec3d& v) { return wp::construct_compose<wp::spatial_vectord>(w, v); },
      [](const wp::vec3d& w, const wp::vec3d& v, wp::vec3d& aw, wp::vec3d& av, const wp::spatial_vectord& g) {
        wp::adj_construct_compose<wp::spatial_vectord>(w, v, aw, av, g);
      },
      wp::vec3d{1, 2, 3}, wp::vec3d{4, 5, 6});
  a1test::GradientCheck{"compose quat"}.run(
      [](const wp::vec3d& xyz, double w) { return wp::construct_compose<wp::quatd>(xyz, w); },
      [](const wp::vec3d& xyz, const double& w, wp::vec3d& axyz, double& aw, const wp::quatd& g) {
        wp::adj_construct_compose<wp::quatd>(xyz, w, axyz, aw, g);
      },
      wp::vec3d{1, 2, 3}, 0.5);
  a1test::GradientCheck{"compose transform"}.run(
      [](const wp::vec3d& p, const wp::quatd& q) { return wp::construct_compose<wp::transformd>(p, q); },
      [](const wp::vec3d& p, const wp::quatd& q, wp::vec3d& ap, wp::quatd& aq, const wp::transformd& g) {
        wp::adj_construct_compose<wp::transformd>(p, q, ap, aq, g);
      },
      wp::vec3d{1, 2, 3}, wp::quatd{0.1, 0.2, 0.3, 0.9});
  a1test::GradientCheck{"index vec"}.run(
      [](const wp::vec3d& v) { return wp::index(v, -1); },
      [](const wp::vec3d& v, wp::vec3d& av, const double& g) {
        int ai = 0;
        wp::adj_index(v, -1, av, ai, g);
      },
      wp::vec3d{1, 2, 3});
  a1test::GradientCheck{"index mat row"}.run(
      [](const wp::mat22d& m) { return wp::index(m, 1); },
      [](const wp::mat22d& m, wp::mat22d& am, const wp::vec2d& g) {
        int ai = 0;
        wp::adj_index(m, 1, am, ai, g);
      },
      wp::mat22d{1, 2, 3, 4});
  a1test::GradientCheck{"index mat element"}.run(
      [](const wp::mat22d& m) { return wp::index(m, 0, 1); },
      [](const wp::mat22d& m, wp::mat22d& am, const double& g) {
        int ai = 0, aj = 0;
        wp::adj_index(m, 0, 1, am, ai, aj, g);
      },
      wp::mat22d{1, 2, 3, 4});
}

TEST(ConstructAdjoints, ConvertAndCast) {
  wp::vec3f adj_f{1, 1, 1};
  wp::adj_construct_convert<wp::vec3d>(wp::vec3f{}, adj_f, wp::vec3d{0.5, -2, 4});
  EXPECT_EQ(adj_f, (wp::vec3f{1.5f, -1.0f, 5.0f}));
  wp::vec3i adj_i{1, 1, 1};
  wp::adj_construct_convert<wp::vec3d>(wp::vec3i{}, adj_i, wp::vec3d{0.5, -2, 4});
  EXPECT_EQ(adj_i, (wp::vec3i{1, 1, 1}));  // integers carry no gradient
  double adj_d = 1;
  wp::adj_construct_cast<float>(2.0, adj_d, 0.25f);
  EXPECT_EQ(adj_d, 1.25);
  float adj_h = 0;
  wp::adj_construct_cast<wp::half>(1.0f, adj_h, wp::half(3.0f));
  EXPECT_EQ(adj_h, 3.0f);
  int32_t adj_n = 7;
  wp::adj_construct_cast<float>(int32_t{2}, adj_n, 1.0f);
  EXPECT_EQ(adj_n, 7);
}

}  // namespace
