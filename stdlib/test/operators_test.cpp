// operators_test.cpp — add sub mul div floordiv mod neg pos unot bit_* shifts invert
// (wp/builtins/operators.h): integer semantics (truncation, wrap-around, division by zero,
// shift counts), float semantics, and the composite products checked against hand-worked
// or independently computed results.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "gradient_check.h"
#include "wp/builtins.h"

namespace {

TEST(IntOps, TruncatingDivisionFlooringFloorDivAndCRemainder) {
  // (a, b, a / b, a // b, a % b) by hand: / toward zero, // toward -inf (Warp and Python),
  // remainder with the sign of a (C, as in Warp's kernels).
  const int32_t cases[][5] = {{7, 2, 3, 3, 1},   {-7, 2, -3, -4, -1}, {7, -2, -3, -4, 1}, {-7, -2, 3, 3, -1},
                              {6, 3, 2, 2, 0},   {-6, 3, -2, -2, 0},  {0, 5, 0, 0, 0},    {-1, 2, 0, -1, -1},
                              {5, -7, 0, -1, 5}, {-5, 2, -2, -3, -1}};
  for (const auto& c : cases) {
    EXPECT_EQ(wp::div(c[0], c[1]), c[2]) << c[0] << "/" << c[1];
    EXPECT_EQ(wp::floordiv(c[0], c[1]), c[3]) << c[0] << "//" << c[1];
    EXPECT_EQ(wp::mod(c[0], c[1]), c[4]) << c[0] << "%" << c[1];
  }
  EXPECT_EQ(wp::floordiv(int8_t{-128}, int8_t{-1}), int8_t{-128});  // wraps, no trap
  EXPECT_EQ(wp::floordiv(int8_t{-128}, int8_t{3}), int8_t{-43});
  EXPECT_EQ(wp::floordiv(uint32_t{7}, uint32_t{2}), 3u);
  EXPECT_EQ(wp::div(int8_t{-128}, int8_t{3}), int8_t{-42});
  EXPECT_EQ(wp::mod(uint32_t{7}, uint32_t{3}), 1u);
  EXPECT_EQ(wp::div(uint64_t{1} << 63, uint64_t{2}), uint64_t{1} << 62);
}

TEST(IntOps, DivisionByZeroAndOverflowAreDefined) {
  EXPECT_EQ(wp::div(int32_t{5}, int32_t{0}), 0);
  EXPECT_EQ(wp::floordiv(int64_t{-5}, int64_t{0}), 0);
  EXPECT_EQ(wp::mod(int32_t{5}, int32_t{0}), 5);
  EXPECT_EQ(wp::mod(uint8_t{9}, uint8_t{0}), 9);
  const int32_t mn = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(wp::div(mn, int32_t{-1}), mn);
  EXPECT_EQ(wp::mod(mn, int32_t{-1}), 0);
  EXPECT_EQ(wp::div(std::numeric_limits<int64_t>::min(), int64_t{-1}), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(wp::div(wp::vec2i{4, 4}, int32_t{0}), (wp::vec2i{0, 0}));
}

TEST(IntOps, WrapAround) {
  EXPECT_EQ(wp::add(std::numeric_limits<int32_t>::max(), int32_t{1}), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(wp::sub(std::numeric_limits<int64_t>::min(), int64_t{1}), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(wp::mul(int32_t{65536}, int32_t{65536}), 0);
  EXPECT_EQ(wp::mul(int32_t{-3}, int32_t{7}), -21);
  EXPECT_EQ(wp::add(uint8_t{200}, uint8_t{100}), uint8_t{44});
  EXPECT_EQ(wp::mul(uint16_t{65535}, uint16_t{65535}), uint16_t{1});  // 65535² = 2^32 − 2^17 + 1
  EXPECT_EQ(wp::mul(int8_t{16}, int8_t{8}), int8_t{-128});
  EXPECT_EQ(wp::neg(std::numeric_limits<int32_t>::min()), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(wp::neg(uint32_t{1}), 0xffffffffu);
  EXPECT_EQ(wp::neg(int16_t{5}), int16_t{-5});
  EXPECT_EQ(wp::pos(int16_t{-5}), int16_t{-5});
}

TEST(IntOps, BitwiseAndShifts) {
  EXPECT_EQ(wp::bit_and(0b1100, 0b1010), 0b1000);
  EXPECT_EQ(wp::bit_or(0b1100, 0b1010), 0b1110);
  EXPECT_EQ(wp::bit_xor(0b1100, 0b1010), 0b0110);
  EXPECT_EQ(wp::invert(int32_t{0}), -1);
  EXPECT_EQ(wp::invert(uint8_t{0x0f}), uint8_t{0xf0});
  EXPECT_EQ(wp::lshift(int32_t{1}, int32_t{31}), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(wp::lshift(int32_t{3}, int32_t{4}), 48);
  EXPECT_EQ(wp::lshift(int8_t{1}, int8_t{7}), int8_t{-128});
  EXPECT_EQ(wp::rshift(int32_t{-8}, int32_t{1}), -4);  // arithmetic shift
  EXPECT_EQ(wp::rshift(uint32_t{0x80000000u}, uint32_t{31}), 1u);
  // counts outside [0, width): << gives 0, >> gives the sign fill
  EXPECT_EQ(wp::lshift(int32_t{1}, int32_t{32}), 0);
  EXPECT_EQ(wp::lshift(int32_t{1}, int32_t{-1}), 0);
  EXPECT_EQ(wp::lshift(uint64_t{1}, uint64_t{64}), 0u);
  EXPECT_EQ(wp::rshift(int32_t{-8}, int32_t{40}), -1);
  EXPECT_EQ(wp::rshift(int32_t{8}, int32_t{40}), 0);
  EXPECT_EQ(wp::rshift(uint16_t{0xffff}, uint16_t{16}), uint16_t{0});
  EXPECT_EQ(wp::lshift(wp::vec3i{1, 1, 1}, wp::vec3i{0, 1, 2}), (wp::vec3i{1, 2, 4}));
  EXPECT_EQ(wp::rshift(wp::vec2i{-16, 16}, wp::vec2i{2, 2}), (wp::vec2i{-4, 4}));
  EXPECT_EQ(wp::bit_and(wp::vec2ub{0xff, 0x0f}, wp::vec2ub{0x3c, 0x3c}), (wp::vec2ub{0x3c, 0x0c}));
  EXPECT_EQ(wp::bit_or(wp::vec2i{1, 2}, wp::vec2i{4, 8}), (wp::vec2i{5, 10}));
  EXPECT_EQ(wp::bit_xor(wp::vec2i{3, 3}, wp::vec2i{1, 2}), (wp::vec2i{2, 1}));
  EXPECT_EQ(wp::invert(wp::vec2l{0, -1}), (wp::vec2l{-1, 0}));
}

TEST(LogicalNot, BoolIntAndArray) {
  EXPECT_TRUE(wp::unot(false));
  EXPECT_FALSE(wp::unot(true));
  EXPECT_TRUE(wp::unot(int64_t{0}));
  EXPECT_FALSE(wp::unot(uint8_t{3}));
  wp::array_t<float> empty;
  EXPECT_TRUE(wp::unot(empty));
  float x = 1.0f;
  wp::array_t<float> one;
  one.data = &x;
  EXPECT_FALSE(wp::unot(one));
}

TEST(FloatOps, IeeeFloorDivAndFmod) {
  EXPECT_EQ(wp::div(1.0f, 0.0f), HUGE_VALF);
  EXPECT_TRUE(std::isnan(wp::div(0.0, 0.0)));
  EXPECT_EQ(wp::floordiv(-7.0, 2.0), -4.0);
  EXPECT_EQ(wp::floordiv(7.5f, 2.0f), 3.0f);
  EXPECT_EQ(wp::mod(-7.0, 2.0), -1.0);  // fmod: sign of a
  EXPECT_EQ(wp::mod(7.5f, -2.0f), 1.5f);
  EXPECT_EQ(static_cast<float>(wp::mod(wp::half(7.5f), wp::half(2.0f))), 1.5f);
  EXPECT_EQ(static_cast<float>(wp::floordiv(wp::half(-1.0f), wp::half(4.0f))), -1.0f);
  EXPECT_EQ(wp::add(0.1, 0.2), 0.1 + 0.2);
  EXPECT_EQ(wp::sub(1.0f, 0.25f), 0.75f);
  EXPECT_EQ(wp::mul(wp::half(3.0f), wp::half(0.5f)).bits, wp::half(1.5f).bits);
  EXPECT_EQ(wp::neg(0.0f), -0.0f);
  EXPECT_TRUE(std::signbit(wp::neg(0.0f)));
  EXPECT_EQ(wp::mod(wp::vec2f{5.5f, -5.5f}, wp::vec2f{2.0f, 2.0f}), (wp::vec2f{1.5f, -1.5f}));
}

TEST(CompositeOps, ComponentWiseAndScaling) {
  const wp::vec3f a{1, 2, 3}, b{4, 5, 6};
  EXPECT_EQ(wp::add(a, b), (wp::vec3f{5, 7, 9}));
  EXPECT_EQ(wp::sub(a, b), (wp::vec3f{-3, -3, -3}));
  EXPECT_EQ(wp::neg(a), (wp::vec3f{-1, -2, -3}));
  EXPECT_EQ(wp::pos(a), a);
  EXPECT_EQ(wp::mul(a, 2.0f), (wp::vec3f{2, 4, 6}));
  EXPECT_EQ(wp::mul(2.0f, a), (wp::vec3f{2, 4, 6}));
  EXPECT_EQ(wp::div(a, 2.0f), (wp::vec3f{0.5f, 1, 1.5f}));
  EXPECT_EQ(wp::div(6.0f, a), (wp::vec3f{6, 3, 2}));
  EXPECT_EQ(wp::div(wp::vec2i{7, -7}, int32_t{2}), (wp::vec2i{3, -3}));
  const wp::mat22d m{1, 2, 3, 4};
  EXPECT_EQ(wp::add(m, m), (wp::mat22d{2, 4, 6, 8}));
  EXPECT_EQ(wp::sub(m, m), wp::mat22d{});
  EXPECT_EQ(wp::neg(m), (wp::mat22d{-1, -2, -3, -4}));
  EXPECT_EQ(wp::mul(m, 0.5), (wp::mat22d{0.5, 1, 1.5, 2}));
  EXPECT_EQ(wp::mul(2.0, m), (wp::mat22d{2, 4, 6, 8}));
  EXPECT_EQ(wp::div(m, 2.0), (wp::mat22d{0.5, 1, 1.5, 2}));
  EXPECT_EQ(wp::div(12.0, m), (wp::mat22d{12, 6, 4, 3}));
  const wp::quatf q{1, 2, 3, 4};
  EXPECT_EQ(wp::add(q, q), (wp::quatf{2, 4, 6, 8}));
  EXPECT_EQ(wp::sub(q, q), (wp::quatf{0, 0, 0, 0}));
  EXPECT_EQ(wp::mul(q, 2.0f), (wp::quatf{2, 4, 6, 8}));
  EXPECT_EQ(wp::mul(2.0f, q), (wp::quatf{2, 4, 6, 8}));
  EXPECT_EQ(wp::div(q, 2.0f), (wp::quatf{0.5f, 1, 1.5f, 2}));
  EXPECT_EQ(wp::neg(q), (wp::quatf{-1, -2, -3, -4}));
  const wp::transformd t{{1, 2, 3}, {4, 5, 6, 7}};
  EXPECT_EQ(wp::add(t, t), (wp::transformd{{2, 4, 6}, {8, 10, 12, 14}}));
  EXPECT_EQ(wp::sub(t, t), (wp::transformd{{0, 0, 0}, {0, 0, 0, 0}}));
  EXPECT_EQ(wp::mul(t, 2.0), (wp::transformd{{2, 4, 6}, {8, 10, 12, 14}}));
  EXPECT_EQ(wp::mul(0.5, t), (wp::transformd{{0.5, 1, 1.5}, {2, 2.5, 3, 3.5}}));
}

TEST(CompositeOps, MatrixProducts) {
  const wp::mat_t<2, 3, int32_t> a{1, 2, 3, 4, 5, 6};
  const wp::mat_t<3, 2, int32_t> b{7, 8, 9, 10, 11, 12};
  // Worked by hand: [1 2 3; 4 5 6] [7 8; 9 10; 11 12] = [58 64; 139 154].
  EXPECT_EQ(wp::mul(a, b), (wp::mat_t<2, 2, int32_t>{58, 64, 139, 154}));
  EXPECT_EQ(wp::mul(a, wp::vec3i{1, 0, -1}), (wp::vec2i{-2, -2}));
  EXPECT_EQ(wp::mul(wp::vec2i{1, -1}, a), (wp::vec3i{-3, -3, -3}));  // row vector · matrix
  const wp::mat33f r{0, -1, 0, 1, 0, 0, 0, 0, 1};                   // 90° about z
  EXPECT_EQ(wp::mul(r, wp::vec3f{1, 0, 0}), (wp::vec3f{0, 1, 0}));
  EXPECT_EQ(wp::mul(r, r), (wp::mat33f{-1, 0, 0, 0, -1, 0, 0, 0, 1}));
}

// Hamilton's rules: i j = k, j i = −k, i² = −1.
TEST(CompositeOps, QuaternionProduct) {
  const wp::quatd i{1, 0, 0, 0}, j{0, 1, 0, 0}, k{0, 0, 1, 0};
  EXPECT_EQ(wp::mul(i, j), k);
  EXPECT_EQ(wp::mul(j, i), wp::neg(k));
  EXPECT_EQ(wp::mul(i, i), (wp::quatd{0, 0, 0, -1}));
  const wp::quatd p{1, 2, 3, 4}, q{5, 6, 7, 8};
  // (w1 w2 − v1·v2, w1 v2 + w2 v1 + v1 × v2) worked out: w = 32 − 38 = −6,
  // v = 4(5,6,7) + 8(1,2,3) + (2·7−3·6, 3·5−1·7, 1·6−2·5) = (24, 48, 48) + (−4, 8, −4).
  EXPECT_EQ(wp::mul(p, q), (wp::quatd{24, 48, 48, -6}));
}

// Composition: (a b) x = a (b x), with rotations applied through an independent matrix.
TEST(CompositeOps, TransformComposition) {
  auto rot = [](const wp::quatd& q, const wp::vec3d& v) {
    const double x = q.x, y = q.y, z = q.z, w = q.w;
    const double m[3][3] = {{1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)},
                            {2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)},
                            {2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)}};
    wp::vec3d r{};
    for (int i = 0; i < 3; ++i) r[i] = m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2];
    return r;
  };
  auto apply = [&](const wp::transformd& t, const wp::vec3d& v) { return rot(t.q, v) + t.p; };
  const double s = std::sqrt(0.5);
  const wp::transformd a{{1, 2, 3}, {0, 0, s, s}};       // 90° about z
  const wp::transformd b{{-1, 0.5, 2}, {s, 0, 0, s}};    // 90° about x
  const wp::vec3d x{0.3, -0.7, 1.1};
  const wp::vec3d want = apply(a, apply(b, x));
  const wp::vec3d got = apply(wp::mul(a, b), x);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(got[i], want[i], 1e-12);
  const wp::transformf af{{1, 2, 3}, {0, 0, 0, 1}};
  EXPECT_EQ(wp::mul(af, af).p, (wp::vec3f{2, 4, 6}));
}

TEST(CompositeOps, HalfVectors) {
  const wp::vec2h a{wp::half(1.5f), wp::half(-2.0f)};
  const wp::vec2h r = wp::mul(a, wp::half(2.0f));
  EXPECT_EQ(static_cast<float>(r[0]), 3.0f);
  EXPECT_EQ(static_cast<float>(r[1]), -4.0f);
  EXPECT_EQ(static_cast<float>(wp::add(a, a)[1]), -4.0f);
}

// ---- adjoints against central differences --------------------------------------------------

// fwd/adj lambdas for a binary operator over argument types A and B.
#define BINARY_OP(name, A, B)                                                        \
  [](const A& a, const B& b) { return wp::name(a, b); },                             \
      [](const A& a, const B& b, A& adj_a, B& adj_b, const auto& g) { wp::adj_##name(a, b, adj_a, adj_b, g); }
#define UNARY_OP(name, A) \
  [](const A& a) { return wp::name(a); }, [](const A& a, A& adj_a, const A& g) { wp::adj_##name(a, adj_a, g); }

TEST(OperatorAdjoints, AddSubNegPosOnEveryKind) {
  const wp::vec3d v{0.1, -0.4, 0.9};
  const wp::mat22d m{0.5, -1.0, 2.0, 0.25};
  const wp::quatd q{0.1, 0.2, -0.3, 0.9};
  const wp::transformd t{{1, 2, 3}, {0.1, -0.2, 0.3, 0.9}};
  a1test::GradientCheck{"add scalar"}.run(BINARY_OP(add, double, double), 0.3, -1.2);
  a1test::GradientCheck{"sub scalar"}.run(BINARY_OP(sub, double, double), 0.3, -1.2);
  a1test::GradientCheck{"add vec"}.run(BINARY_OP(add, wp::vec3d, wp::vec3d), v, v);
  a1test::GradientCheck{"sub mat"}.run(BINARY_OP(sub, wp::mat22d, wp::mat22d), m, m);
  a1test::GradientCheck{"sub quat"}.run(BINARY_OP(sub, wp::quatd, wp::quatd), q, q);
  a1test::GradientCheck{"add transform"}.run(BINARY_OP(add, wp::transformd, wp::transformd), t, t);
  a1test::GradientCheck{"sub transform"}.run(BINARY_OP(sub, wp::transformd, wp::transformd), t, t);
  a1test::GradientCheck{"neg scalar"}.run(UNARY_OP(neg, double), 0.7);
  a1test::GradientCheck{"neg mat"}.run(UNARY_OP(neg, wp::mat22d), m);
  a1test::GradientCheck{"pos quat"}.run(UNARY_OP(pos, wp::quatd), q);
  a1test::GradientCheck{"pos vec"}.run(UNARY_OP(pos, wp::vec3d), v);
}

TEST(OperatorAdjoints, Products) {
  const wp::vec3d v{0.1, -0.4, 0.9};
  using M23 = wp::mat_t<2, 3, double>;
  using M32 = wp::mat_t<3, 2, double>;
  const M23 a{0.5, -1.0, 2.0, 0.25, 1.5, -0.75};
  const M32 b{1.0, 0.2, -0.3, 0.4, 0.8, -1.1};
  const wp::vec2d w{0.6, -1.3};
  const wp::quatd p{0.1, 0.2, -0.3, 0.9}, q{-0.5, 0.4, 0.3, 0.2};
  a1test::GradientCheck{"mul scalar"}.run(BINARY_OP(mul, double, double), 0.3, -1.2);
  a1test::GradientCheck{"mul vec s"}.run(BINARY_OP(mul, wp::vec3d, double), v, 1.7);
  a1test::GradientCheck{"mul s vec"}.run(BINARY_OP(mul, double, wp::vec3d), 1.7, v);
  a1test::GradientCheck{"mul mat s"}.run(BINARY_OP(mul, M23, double), a, -0.6);
  a1test::GradientCheck{"mul s mat"}.run(BINARY_OP(mul, double, M23), -0.6, a);
  a1test::GradientCheck{"mul quat s"}.run(BINARY_OP(mul, wp::quatd, double), p, 2.5);
  a1test::GradientCheck{"mul s quat"}.run(BINARY_OP(mul, double, wp::quatd), 2.5, p);
  a1test::GradientCheck{"mul mat vec"}.run(BINARY_OP(mul, M23, wp::vec3d), a, v);
  a1test::GradientCheck{"mul vec mat"}.run(BINARY_OP(mul, wp::vec2d, M23), w, a);
  a1test::GradientCheck{"mul mat mat"}.run(BINARY_OP(mul, M23, M32), a, b);
  a1test::GradientCheck{"mul quat quat"}.run(BINARY_OP(mul, wp::quatd, wp::quatd), p, q);
  const wp::transformd t1{{1, 2, 3}, {0.1, -0.2, 0.3, 0.9}}, t2{{-0.5, 0.7, 0.2}, {0.4, 0.1, -0.6, 0.5}};
  a1test::GradientCheck{"mul transform transform"}.run(BINARY_OP(mul, wp::transformd, wp::transformd), t1, t2);
  a1test::GradientCheck{"mul transform s"}.run(BINARY_OP(mul, wp::transformd, double), t1, 0.4);
  a1test::GradientCheck{"mul s transform"}.run(BINARY_OP(mul, double, wp::transformd), 0.4, t1);
}

TEST(OperatorAdjoints, DivisionAndMod) {
  const wp::vec3d v{0.5, -0.4, 0.9};
  const wp::mat22d m{0.5, -1.0, 2.0, 0.25};
  const wp::quatd q{0.1, 0.2, -0.3, 0.9};
  a1test::GradientCheck{"div scalar"}.run(BINARY_OP(div, double, double), 0.3, -1.2);
  a1test::GradientCheck{"div vec s"}.run(BINARY_OP(div, wp::vec3d, double), v, 1.7);
  a1test::GradientCheck{"div s vec"}.run(BINARY_OP(div, double, wp::vec3d), 1.7, v);
  a1test::GradientCheck{"div mat s"}.run(BINARY_OP(div, wp::mat22d, double), m, -0.6);
  a1test::GradientCheck{"div s mat"}.run(BINARY_OP(div, double, wp::mat22d), -0.6, m);
  a1test::GradientCheck{"div quat s"}.run(BINARY_OP(div, wp::quatd, double), q, 2.5);
  a1test::GradientCheck{"mod scalar"}.run(BINARY_OP(mod, double, double), 7.3, 2.1);
  a1test::GradientCheck{"mod negative"}.run(BINARY_OP(mod, double, double), -7.3, 2.1);
  a1test::GradientCheck{"mod vec"}.run(BINARY_OP(mod, wp::vec3d, wp::vec3d), wp::vec3d{5.5, -3.3, 0.7},
                                       wp::vec3d{2.0, 1.5, 0.3});
  int32_t ia = 1, ib = 1;
  wp::adj_div(int32_t{7}, int32_t{2}, ia, ib, int32_t{5});  // integers: no adjoint
  EXPECT_EQ(ia + ib, 2);
}

}  // namespace
