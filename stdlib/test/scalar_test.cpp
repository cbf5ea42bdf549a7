// scalar_test.cpp — the ScalarMath rows (wp/builtins/scalar.h) against long-double references,
// closed forms and Warp's documented special cases.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "gradient_check.h"
#include "wp/builtins.h"

namespace {

using ld = long double;

// Relative error of `got` against a long-double reference, in units of T's epsilon.
template <typename T>
double ulps(T got, ld want) {
  const ld eps = std::numeric_limits<T>::epsilon();
  const ld scale = std::max<ld>(std::fabs(want), std::numeric_limits<T>::min());
  return static_cast<double>(std::fabs(static_cast<ld>(got) - want) / (scale * eps));
}

struct Fn1 {
  const char* name;
  float (*f)(float);
  double (*d)(double);
  ld (*ref)(ld);
  ld lo, hi;
};

TEST(FloatFunctions, MatchLongDoubleReferences) {
  const Fn1 fns[] = {
      {"sqrt", wp::sqrt<float>, wp::sqrt<double>, [](ld x) { return std::sqrt(x); }, 0, 100},
      {"cbrt", wp::cbrt<float>, wp::cbrt<double>, [](ld x) { return std::cbrt(x); }, -50, 50},
      {"exp", wp::exp<float>, wp::exp<double>, [](ld x) { return std::exp(x); }, -20, 20},
      {"log", wp::log<float>, wp::log<double>, [](ld x) { return std::log(x); }, 0.01L, 100},
      {"log2", wp::log2<float>, wp::log2<double>, [](ld x) { return std::log2(x); }, 0.01L, 100},
      {"log10", wp::log10<float>, wp::log10<double>, [](ld x) { return std::log10(x); }, 0.01L, 100},
      {"sin", wp::sin<float>, wp::sin<double>, [](ld x) { return std::sin(x); }, -3, 3},
      {"cos", wp::cos<float>, wp::cos<double>, [](ld x) { return std::cos(x); }, -1.5L, 1.5L},
      {"tan", wp::tan<float>, wp::tan<double>, [](ld x) { return std::tan(x); }, -1.5L, 1.5L},
      {"asin", wp::asin<float>, wp::asin<double>, [](ld x) { return std::asin(x); }, -0.99L, 0.99L},
      {"acos", wp::acos<float>, wp::acos<double>, [](ld x) { return std::acos(x); }, -0.99L, 0.99L},
      {"atan", wp::atan<float>, wp::atan<double>, [](ld x) { return std::atan(x); }, -10, 10},
      {"sinh", wp::sinh<float>, wp::sinh<double>, [](ld x) { return std::sinh(x); }, -5, 5},
      {"cosh", wp::cosh<float>, wp::cosh<double>, [](ld x) { return std::cosh(x); }, -5, 5},
      {"tanh", wp::tanh<float>, wp::tanh<double>, [](ld x) { return std::tanh(x); }, -3, 3},
      {"asinh", wp::asinh<float>, wp::asinh<double>, [](ld x) { return std::asinh(x); }, -10, 10},
      {"acosh", wp::acosh<float>, wp::acosh<double>, [](ld x) { return std::acosh(x); }, 1.01L, 10},
      {"atanh", wp::atanh<float>, wp::atanh<double>, [](ld x) { return std::atanh(x); }, -0.9L, 0.9L},
      {"erf", wp::erf<float>, wp::erf<double>, [](ld x) { return std::erf(x); }, -3, 3},
      {"erfc", wp::erfc<float>, wp::erfc<double>, [](ld x) { return std::erfc(x); }, -3, 3},
      {"degrees", wp::degrees<float>, wp::degrees<double>, [](ld x) { return x * 180 / 3.14159265358979323846264338327950288L; }, -7, 7},
      {"radians", wp::radians<float>, wp::radians<double>, [](ld x) { return x * 3.14159265358979323846264338327950288L / 180; }, -400, 400},
  };
  for (const Fn1& fn : fns) {
    for (int i = 0; i <= 40; ++i) {
      const ld x = fn.lo + (fn.hi - fn.lo) * i / 40;
      if (x == 0 && (fn.ref(x) == 0)) continue;  // relative error undefined; checked elsewhere
      const float xf = static_cast<float>(x);
      const double xd = static_cast<double>(x);
      EXPECT_LE(ulps(fn.f(xf), fn.ref(xf)), 4.0) << fn.name << "(" << xf << ") float";
      EXPECT_LE(ulps(fn.d(xd), fn.ref(xd)), 4.0) << fn.name << "(" << xd << ") double";
    }
  }
}

TEST(FloatFunctions, TwoArgumentAndHalf) {
  EXPECT_LE(ulps(wp::pow(2.5, 3.5), std::pow(2.5L, 3.5L)), 2.0);
  EXPECT_LE(ulps(wp::pow(1.7f, -2.25f), std::pow(ld(1.7f), ld(-2.25f))), 2.0);
  EXPECT_LE(ulps(wp::atan2(-1.0, -2.0), std::atan2(-1.0L, -2.0L)), 2.0);
  EXPECT_EQ(wp::atan2(1.0f, 0.0f), static_cast<float>(M_PI / 2));
  EXPECT_EQ(wp::copysign(3.0, -0.0), -3.0);
  EXPECT_EQ(wp::copysign(-3.0f, 1.0f), 3.0f);
  // half: computed in float, rounded once.
  EXPECT_EQ(wp::sqrt(wp::half(2.0f)).bits, wp::half(std::sqrt(2.0f)).bits);
  EXPECT_EQ(wp::exp(wp::half(1.0f)).bits, wp::half(2.718281828f).bits);
  EXPECT_EQ(wp::pow(wp::half(2.0f), wp::half(10.0f)).bits, wp::half(1024.0f).bits);
  EXPECT_EQ(wp::sin(wp::half(0.5f)).bits, wp::half(0.4794255386f).bits);
  // bfloat16 likewise.
  EXPECT_EQ(wp::sqrt(wp::bfloat16(2.0f)).bits, wp::bfloat16(std::sqrt(2.0f)).bits);
  EXPECT_EQ(wp::sin(wp::bfloat16(0.5f)).bits, wp::bfloat16(0.4794255386f).bits);
  EXPECT_EQ(wp::abs(wp::bfloat16(-2.5f)).bits, wp::bfloat16(2.5f).bits);
}

// float → bfloat16 rounds to nearest, ties to even; bfloat16 → float is exact.
TEST(BFloat16, Conversions) {
  EXPECT_EQ(wp::bfloat16(1.0f).bits, 0x3f80);
  EXPECT_EQ(wp::bfloat16(1.00390625f).bits, 0x3f80);   // tie: down to even
  EXPECT_EQ(wp::bfloat16(1.01171875f).bits, 0x3f82);   // tie: up to even
  EXPECT_EQ(wp::bfloat16(__builtin_bit_cast(float, 0x3f808001u)).bits, 0x3f81);  // just above the tie
  EXPECT_EQ(wp::bfloat16(-0.0f).bits, 0x8000);
  EXPECT_EQ(wp::bfloat16(3.4028235e38f).bits, 0x7f80);  // rounds up to +inf
  EXPECT_EQ(wp::bfloat16(-INFINITY).bits, 0xff80);
  EXPECT_EQ(wp::bfloat16(NAN).bits, 0x7fff);            // canonical NaN
  EXPECT_EQ(wp::bfloat16(1e-40f).bits, 0x0001);         // float subnormal 0x000116c2: nearest is 0x0001
  EXPECT_EQ(float(wp::bfloat16::from_bits(0x4049)), 3.140625f);
  EXPECT_EQ(static_cast<int>(wp::bfloat16(-7.9f)), -7);
  EXPECT_EQ(wp::bfloat16(3).bits, wp::bfloat16(3.0f).bits);
  EXPECT_EQ(wp::bfloat16(0.1).bits, wp::bfloat16(0.1f).bits);
  constexpr wp::bfloat16 c(0.75f);  // constexpr on the host (module constants)
  static_assert(c.bits == 0x3f40);
  EXPECT_EQ((wp::bfloat16(1.5f) * wp::bfloat16(3.0f)).bits, wp::bfloat16(4.5f).bits);
  EXPECT_TRUE(wp::bfloat16(-0.0f) == wp::bfloat16(0.0f));
  EXPECT_FALSE(wp::bfloat16(NAN) == wp::bfloat16(NAN));
}

TEST(FloatFunctions, AsinAcosClampTheirInput) {
  EXPECT_EQ(wp::asin(1.5), M_PI / 2);
  EXPECT_EQ(wp::asin(-7.0f), static_cast<float>(-M_PI / 2));
  EXPECT_EQ(wp::acos(2.0), 0.0);
  EXPECT_EQ(wp::acos(-1.0001), M_PI);
  EXPECT_TRUE(std::isnan(wp::asin(NAN)));
}

TEST(FloatFunctions, ErfInverses) {
  for (int i = -19; i <= 19; ++i) {
    const double x = i / 20.0;
    EXPECT_NEAR(std::erf(static_cast<ld>(wp::erfinv(x))), x, 2e-15) << x;
    EXPECT_NEAR(std::erf(static_cast<ld>(wp::erfinv(static_cast<float>(x)))), x, 1e-6) << x;
    const double y = 1.0 + x;  // erfcinv over (0, 2)
    EXPECT_NEAR(std::erfc(static_cast<ld>(wp::erfcinv(y))) / y, 1.0, 4e-15) << y;
  }
  for (double tiny : {1e-5, 1e-20, 1e-100, 1e-300}) {
    EXPECT_NEAR(std::erfc(static_cast<ld>(wp::erfcinv(tiny))) / tiny, 1.0, 1e-13) << tiny;
    EXPECT_NEAR(std::erfc(static_cast<ld>(wp::erfcinv(2.0 - tiny))), 2.0 - tiny, 1e-15) << tiny;
  }
  EXPECT_EQ(wp::erfinv(0.0), 0.0);
  EXPECT_EQ(wp::erfinv(1.0), HUGE_VAL);
  EXPECT_EQ(wp::erfinv(-1.0f), -HUGE_VALF);
  EXPECT_TRUE(std::isnan(wp::erfinv(1.5)));
  EXPECT_EQ(wp::erfcinv(0.0), HUGE_VAL);
  EXPECT_EQ(wp::erfcinv(1.0), 0.0);
  EXPECT_TRUE(std::isnan(wp::erfcinv(-0.5f)));
}

TEST(Rounding, RoundHalvesAwayRintHalvesToEven) {
  const double xs[] = {2.5, -2.5, 3.5, 0.5, -0.5, 1.4999, -1.5000001, 7.0};
  const double round_want[] = {3, -3, 4, 1, -1, 1, -2, 7};
  const double rint_want[] = {2, -2, 4, 0, -0.0, 1, -2, 7};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(wp::round(xs[i]), round_want[i]) << xs[i];
    EXPECT_EQ(wp::rint(xs[i]), rint_want[i]) << xs[i];
    EXPECT_EQ(wp::round(static_cast<float>(xs[i])), static_cast<float>(round_want[i])) << xs[i];
  }
  EXPECT_EQ(wp::floor(-1.5f), -2.0f);
  EXPECT_EQ(wp::ceil(-1.5), -1.0);
  EXPECT_EQ(wp::trunc(-1.7), -1.0);
  EXPECT_EQ(wp::frac(-1.75), -0.75);
  EXPECT_EQ(wp::frac(2.25f), 0.25f);
  EXPECT_EQ(static_cast<float>(wp::round(wp::half(2.5f))), 3.0f);
  EXPECT_EQ(static_cast<float>(wp::rint(wp::half(2.5f))), 2.0f);
}

TEST(SignStepNonzero, TableSemantics) {
  EXPECT_EQ(wp::sign(-2.0f), -1.0f);
  EXPECT_EQ(wp::sign(0.0f), 1.0f);
  EXPECT_EQ(wp::sign(-0.0), 1.0);  // -0 is not < 0
  EXPECT_EQ(wp::sign(int32_t{-5}), -1);
  EXPECT_EQ(wp::sign(int32_t{0}), 1);
  EXPECT_EQ(wp::sign(uint8_t{0}), uint8_t{1});
  EXPECT_EQ(wp::sign(wp::vec3i{-3, 0, 3}), (wp::vec3i{-1, 1, 1}));
  EXPECT_EQ(wp::step(-0.5), 1.0);
  EXPECT_EQ(wp::step(0.0f), 0.0f);
  EXPECT_EQ(wp::step(int16_t{-1}), int16_t{1});
  EXPECT_EQ(wp::step(uint32_t{7}), 0u);
  EXPECT_EQ(wp::nonzero(0.0), 0.0);
  EXPECT_EQ(wp::nonzero(-0.0f), 0.0f);
  EXPECT_EQ(wp::nonzero(int64_t{-9}), 1);
  EXPECT_EQ(static_cast<float>(wp::nonzero(wp::half(0.25f))), 1.0f);
}

TEST(AbsMinMaxClamp, ScalarsAndVectors) {
  EXPECT_EQ(wp::abs(-2.5), 2.5);
  EXPECT_FALSE(std::signbit(wp::abs(-0.0f)));
  EXPECT_EQ(wp::abs(int8_t{-128}), int8_t{-128});  // wraps like two's complement
  EXPECT_EQ(wp::abs(int32_t{-7}), 7);
  EXPECT_EQ(wp::abs(uint16_t{7}), uint16_t{7});
  EXPECT_EQ(wp::abs(wp::half(-3.0f)).bits, wp::half(3.0f).bits);
  EXPECT_EQ(wp::abs(wp::vec3f{-1, 2, -3}), (wp::vec3f{1, 2, 3}));
  EXPECT_EQ(wp::min(3, -4), -4);
  EXPECT_EQ(wp::max(3.0f, -4.0f), 3.0f);
  EXPECT_EQ(wp::min(wp::vec3i{1, 5, -2}, wp::vec3i{0, 6, -3}), (wp::vec3i{0, 5, -3}));
  EXPECT_EQ(wp::max(wp::vec3i{1, 5, -2}, wp::vec3i{0, 6, -3}), (wp::vec3i{1, 6, -2}));
  EXPECT_EQ(wp::min(wp::vec4f{3, -1, 7, -1}), -1.0f);
  EXPECT_EQ(wp::max(wp::vec4d{3, -1, 7, 7}), 7.0);
  EXPECT_EQ(wp::clamp(5, 0, 3), 3);
  EXPECT_EQ(wp::clamp(-5.0, 0.0, 3.0), 0.0);
  EXPECT_EQ(wp::clamp(1.5f, 0.0f, 3.0f), 1.5f);
  EXPECT_EQ(wp::clamp(uint8_t{9}, uint8_t{2}, uint8_t{4}), uint8_t{4});
  // Warp's NaN behaviour: min(NaN, b) = b, max(NaN, b) = b (comparisons with NaN are false).
  EXPECT_EQ(wp::min(static_cast<double>(NAN), 1.0), 1.0);
  EXPECT_EQ(wp::max(static_cast<float>(NAN), 1.0f), 1.0f);
}

TEST(Classification, ScalarsAndComposites) {
  EXPECT_TRUE(wp::isfinite(1.0f));
  EXPECT_FALSE(wp::isfinite(HUGE_VAL));
  EXPECT_FALSE(wp::isfinite(static_cast<float>(NAN)));
  EXPECT_TRUE(wp::isnan(static_cast<double>(NAN)));
  EXPECT_FALSE(wp::isnan(HUGE_VALF));
  EXPECT_TRUE(wp::isinf(-HUGE_VAL));
  EXPECT_TRUE(wp::isfinite(int32_t{5}));
  EXPECT_FALSE(wp::isnan(uint64_t{5}));
  EXPECT_FALSE(wp::isinf(int8_t{-5}));
  EXPECT_TRUE(wp::isinf(wp::half::from_bits(0x7c00)));
  EXPECT_TRUE(wp::isnan(wp::half::from_bits(0x7e01)));
  EXPECT_TRUE(wp::isfinite(wp::half(65504.0f)));
  EXPECT_TRUE(wp::isfinite(wp::vec3f{1, 2, 3}));
  EXPECT_FALSE(wp::isfinite(wp::vec3f{1, HUGE_VALF, 3}));
  EXPECT_TRUE(wp::isnan(wp::vec2d{0, NAN}));
  EXPECT_FALSE(wp::isnan(wp::vec2d{0, HUGE_VAL}));
  EXPECT_TRUE(wp::isinf(wp::mat22f{0, 0, -HUGE_VALF, 0}));
  EXPECT_FALSE(wp::isinf(wp::mat22f{0, 0, NAN, 0}));
  EXPECT_TRUE(wp::isnan(wp::quatd{0, 0, 0, NAN}));
  EXPECT_FALSE(wp::isfinite(wp::quatf{0, HUGE_VALF, 0, 1}));
  EXPECT_TRUE(wp::isfinite(wp::vec2i{1, 2}));
}

// ---- adjoints against central differences --------------------------------------------------

#define CHECK_UNARY(name, x)                                                                        \
  a1test::GradientCheck{#name "(" #x ")"}.run([](double v) { return wp::name(v); },                \
                                              [](const double& v, double& a, const double& g) {    \
                                                wp::adj_##name(v, a, g);                           \
                                              },                                                   \
                                              double(x))
#define CHECK_BINARY(name, x, y)                                                                    \
  a1test::GradientCheck{#name "(" #x ", " #y ")"}.run(                                              \
      [](double u, double v) { return wp::name(u, v); },                                            \
      [](const double& u, const double& v, double& au, double& av, const double& g) {               \
        wp::adj_##name(u, v, au, av, g);                                                            \
      },                                                                                            \
      double(x), double(y))

TEST(ScalarAdjoints, SmoothFunctions) {
  for (double x : {0.3, 0.77}) {
    CHECK_UNARY(sqrt, x);
    CHECK_UNARY(cbrt, x);
    CHECK_UNARY(cbrt, -x);
    CHECK_UNARY(exp, x);
    CHECK_UNARY(log, x);
    CHECK_UNARY(log2, x);
    CHECK_UNARY(log10, x);
    CHECK_UNARY(sin, x);
    CHECK_UNARY(cos, x);
    CHECK_UNARY(tan, x);
    CHECK_UNARY(asin, x);
    CHECK_UNARY(acos, -x);
    CHECK_UNARY(atan, x);
    CHECK_UNARY(sinh, x);
    CHECK_UNARY(cosh, x);
    CHECK_UNARY(tanh, x);
    CHECK_UNARY(asinh, x);
    CHECK_UNARY(acosh, 1 + x);
    CHECK_UNARY(atanh, x);
    CHECK_UNARY(erf, x);
    CHECK_UNARY(erfc, x);
    CHECK_UNARY(erfinv, x);
    CHECK_UNARY(erfcinv, x);
    CHECK_UNARY(frac, 2 + x);
    CHECK_UNARY(degrees, x);
    CHECK_UNARY(radians, x);
    CHECK_UNARY(abs, x);
    CHECK_UNARY(abs, -x);
    CHECK_BINARY(pow, x + 1, 1.7);
    CHECK_BINARY(atan2, x, -0.4);
    CHECK_BINARY(copysign, x, -2.0);
    CHECK_BINARY(copysign, -x, 3.0);
    CHECK_BINARY(min, x, 0.5);
    CHECK_BINARY(max, x, 0.5);
  }
}

TEST(ScalarAdjoints, WarpConventionsAtKinks) {
  double adj = 0;
  wp::adj_abs(0.0, adj, 2.0);
  EXPECT_EQ(adj, 2.0);  // abs'(0) = +1
  double aa = 0, ab = 0;
  wp::adj_min(1.0, 1.0, aa, ab, 1.0);  // tie → b
  EXPECT_EQ(aa, 0.0);
  EXPECT_EQ(ab, 1.0);
  adj = 0;
  wp::adj_asin(1.5, adj, 1.0);  // clamped region: no gradient
  EXPECT_EQ(adj, 0.0);
  double ax = 0, alo = 0, ahi = 0;
  wp::adj_clamp(5.0, 0.0, 3.0, ax, alo, ahi, 1.0);
  EXPECT_EQ(ahi, 1.0);
  wp::adj_clamp(-5.0, 0.0, 3.0, ax, alo, ahi, 1.0);
  EXPECT_EQ(alo, 1.0);
  wp::adj_clamp(1.0, 0.0, 3.0, ax, alo, ahi, 1.0);
  EXPECT_EQ(ax, 1.0);
  int ia = 3;
  wp::adj_abs(-2, ia, 5);  // integers: no adjoint
  EXPECT_EQ(ia, 3);
  wp::half h(0.0f);
  wp::adj_sin(wp::half(0.0f), h, wp::half(2.0f));
  EXPECT_EQ(static_cast<float>(h), 2.0f);
}

TEST(ScalarAdjoints, ClampAndVectorForms) {
  a1test::GradientCheck{"clamp"}.run([](double x, double lo, double hi) { return wp::clamp(x, lo, hi); },
                                     [](const double& x, const double& lo, const double& hi, double& ax, double& alo,
                                        double& ahi, const double& g) { wp::adj_clamp(x, lo, hi, ax, alo, ahi, g); },
                                     0.4, -1.0, 2.0);
  a1test::GradientCheck{"clamp below"}.run([](double x, double lo, double hi) { return wp::clamp(x, lo, hi); },
                                           [](const double& x, const double& lo, const double& hi, double& ax,
                                              double& alo, double& ahi, const double& g) {
                                             wp::adj_clamp(x, lo, hi, ax, alo, ahi, g);
                                           },
                                           -3.0, -1.0, 2.0);
  const wp::vec3d a{0.5, -2.0, 1.5}, b{1.0, -3.0, 0.2};
  a1test::GradientCheck{"abs(vec)"}.run([](const wp::vec3d& v) { return wp::abs(v); },
                                        [](const wp::vec3d& v, wp::vec3d& av, const wp::vec3d& g) { wp::adj_abs(v, av, g); }, a);
  a1test::GradientCheck{"min(vec, vec)"}.run(
      [](const wp::vec3d& u, const wp::vec3d& v) { return wp::min(u, v); },
      [](const wp::vec3d& u, const wp::vec3d& v, wp::vec3d& au, wp::vec3d& av, const wp::vec3d& g) { wp::adj_min(u, v, au, av, g); },
      a, b);
  a1test::GradientCheck{"max(vec, vec)"}.run(
      [](const wp::vec3d& u, const wp::vec3d& v) { return wp::max(u, v); },
      [](const wp::vec3d& u, const wp::vec3d& v, wp::vec3d& au, wp::vec3d& av, const wp::vec3d& g) { wp::adj_max(u, v, au, av, g); },
      a, b);
  a1test::GradientCheck{"min(vec)"}.run([](const wp::vec3d& v) { return wp::min(v); },
                                        [](const wp::vec3d& v, wp::vec3d& av, const double& g) { wp::adj_min(v, av, g); }, a);
  a1test::GradientCheck{"max(vec)"}.run([](const wp::vec3d& v) { return wp::max(v); },
                                        [](const wp::vec3d& v, wp::vec3d& av, const double& g) { wp::adj_max(v, av, g); }, a);
}

}  // namespace
