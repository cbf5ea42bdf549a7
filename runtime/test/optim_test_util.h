// optim_test_util.h — the tests of wp::optim::SGD and wp::optim::Adam (wp/optim.h), written once
// for any device: WARPC_OPTIM_TESTS(Suite, device, skip) defines one GoogleTest per property
// (optim_test.cpp instantiates it for the CPU, optim_cuda_test.cu for cuda:0, skipping without
// a GPU). Expected values come from closed forms of the update rules under a constant gradient
// (derived by hand, not by running the rules) and, for changing gradients, from a
// double-precision recurrence written here.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "test_util.h"
#include "wp/optim.h"
#include "wp/wp.h"

namespace optim_test {

// A float32 parameter of n elements with values x0 and gradient g (both constant).
inline wp::array<float> param(const wp::Device& dev, int n, float x0, float g) {
  auto a = wp::full<float>(n, x0, wp::on(dev), wp::requires_grad);
  wp::fill(a.grad_array(), g);
  return a;
}

template <typename T>
void set_grad(const wp::array<T>& a, const std::vector<T>& g) {
  wp::copy(a.grad_array(), wp::from_host(g, wp::with_shape(a.shape()), wp::on(a.device())));
}

inline void expect_all_near(const std::vector<float>& got, double want, double rel) {
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want, rel * std::fabs(want) + 1e-6) << "element " << i;
}

// Σ_{k=1..t} (1 − μ^k) / (1 − μ): the sum of momentum buffers b_k = g (1 − μ^k) / (1 − μ) over
// the first t steps of SGD with momentum μ, no dampening, constant gradient g (divided by g).
inline double momentum_sum(double mu, int t) {
  double s = 0;
  for (int k = 1; k <= t; ++k) s += (1 - std::pow(mu, k)) / (1 - mu);
  return s;
}

// One Adam step of a double-precision reference, element by element.
struct AdamRef {
  double m = 0, v = 0, p;
  int t = 0;
  void step(double g, double lr, double b1, double b2, double eps) {
    ++t;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    p -= lr * (m / (1 - std::pow(b1, t))) / (std::sqrt(v / (1 - std::pow(b2, t))) + eps);
  }
};

}  // namespace optim_test

// The tests. `skip` is a statement run first (GTEST_SKIP() when the device is absent).
#define WARPC_OPTIM_TESTS(Suite, DEVICE, SKIP)                                                        \
  TEST(Suite, SgdPlainIsGradientDescent) {                                                            \
    SKIP;                                                                                             \
    auto x = optim_test::param(DEVICE, 37, 2.0f, 0.5f);                                               \
    wp::optim::SGD opt({x}, 0.1f);                                                                    \
    for (int t = 0; t < 4; ++t) opt.step();                                                           \
    optim_test::expect_all_near(x.to_host(), 2.0 - 4 * 0.1 * 0.5, 1e-6);                              \
    EXPECT_EQ(opt.step_count(), 4);                                                                   \
  }                                                                                                   \
  TEST(Suite, SgdMomentumMatchesClosedForm) {                                                         \
    SKIP;                                                                                             \
    auto x = optim_test::param(DEVICE, 1000, 1.0f, 0.25f);                                            \
    wp::optim::SGD opt({x}, 0.05f, 0.9f);                                                             \
    for (int t = 0; t < 6; ++t) opt.step();                                                           \
    const double b_sum = optim_test::momentum_sum(0.9, 6);                                            \
    optim_test::expect_all_near(x.to_host(), 1.0 - 0.05 * 0.25 * b_sum, 1e-5);                        \
  }                                                                                                   \
  TEST(Suite, SgdNesterovMatchesClosedForm) {                                                         \
    SKIP;                                                                                             \
    /* d_k = g + μ b_k with b_k = g (1 − μ^k) / (1 − μ) */                                            \
    auto x = optim_test::param(DEVICE, 5, 0.0f, 1.0f);                                                \
    wp::optim::SGD opt({x}, 0.1f, 0.5f, 0.0f, 0.0f, true);                                            \
    for (int t = 0; t < 3; ++t) opt.step();                                                           \
    const double d_sum = 3 + 0.5 * optim_test::momentum_sum(0.5, 3);                                  \
    optim_test::expect_all_near(x.to_host(), -0.1 * d_sum, 1e-5);                                     \
  }                                                                                                   \
  TEST(Suite, SgdDampeningMatchesClosedForm) {                                                        \
    SKIP;                                                                                             \
    /* b_1 = g, b_k = μ b_{k−1} + (1 − τ) g: b_2 = (μ + 1 − τ) g, b_3 = (μ² + (1 − τ)(1 + μ)) g */    \
    auto x = optim_test::param(DEVICE, 8, 0.0f, 2.0f);                                                \
    wp::optim::SGD opt({x}, 0.1f, 0.5f, 0.25f);                                                       \
    for (int t = 0; t < 3; ++t) opt.step();                                                           \
    const double b_sum = 1 + (0.5 + 0.75) + (0.25 + 0.75 * 1.5);                                      \
    optim_test::expect_all_near(x.to_host(), -0.1 * 2.0 * b_sum, 1e-5);                              \
  }                                                                                                   \
  TEST(Suite, SgdWeightDecayShrinksGeometrically) {                                                   \
    SKIP;                                                                                             \
    auto x = optim_test::param(DEVICE, 16, 3.0f, 0.0f);                                               \
    wp::optim::SGD opt({x}, 0.1f, 0.0f, 0.0f, 0.5f);                                                  \
    for (int t = 0; t < 5; ++t) opt.step();                                                           \
    optim_test::expect_all_near(x.to_host(), 3.0 * std::pow(1 - 0.1 * 0.5, 5), 1e-5);                 \
  }                                                                                                   \
  TEST(Suite, AdamConstantGradientMovesLrPerStep) {                                                   \
    SKIP;                                                                                             \
    /* constant g: m̂ = g and v̂ = g², so each step moves by lr · g / (|g| + eps) */                   \
    auto x = optim_test::param(DEVICE, 100, 1.0f, -4.0f);                                             \
    wp::optim::Adam opt({x}, 0.01f, {0.8f, 0.99f}, 1e-3f);                                            \
    for (int t = 0; t < 7; ++t) opt.step();                                                           \
    optim_test::expect_all_near(x.to_host(), 1.0 + 7 * 0.01 * 4.0 / (4.0 + 1e-3), 1e-5);              \
  }                                                                                                   \
  TEST(Suite, AdamChangingGradientsMatchReference) {                                                  \
    SKIP;                                                                                             \
    auto x = wp::from_host(std::vector<float>{0.5f, -1.0f, 2.0f}, wp::with_shape(3), wp::on(DEVICE), \
                           wp::requires_grad);                                                        \
    std::vector<optim_test::AdamRef> ref{{0, 0, 0.5}, {0, 0, -1.0}, {0, 0, 2.0}};                     \
    wp::optim::Adam opt({x}, 0.1f);                                                                   \
    for (int t = 0; t < 5; ++t) {                                                                     \
      std::vector<float> g{float(t) - 2.0f, 0.5f * float(t * t), 3.0f / float(t + 1)};                \
      optim_test::set_grad(x, g);                                                                     \
      opt.step();                                                                                     \
      for (int i = 0; i < 3; ++i) ref[i].step(g[i], 0.1, 0.9, 0.999, 1e-8);                          \
    }                                                                                                 \
    const std::vector<float> got = x.to_host();                                                       \
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(got[i], ref[i].p, 1e-5) << "element " << i;               \
  }                                                                                                   \
  TEST(Suite, MixedElementTypesAndPrecisions) {                                                       \
    SKIP;                                                                                             \
    /* one optimiser over a vec3 array (float32) and a float64 array: each is updated as flat */      \
    auto v = wp::from_host(std::vector<wp::vec3>{{{1, 2, 3}}, {{4, 5, 6}}}, wp::with_shape(2),        \
                           wp::on(DEVICE), wp::requires_grad);                                        \
    auto d = wp::full<double>(3, 1.0, wp::on(DEVICE), wp::requires_grad);                             \
    optim_test::set_grad(v, {{{1, -1, 2}}, {{0, 3, -2}}});                                            \
    optim_test::set_grad(d, {1e-9, 2.0, -3.0});                                                       \
    wp::optim::SGD opt({v, d}, 0.5f);                                                                 \
    opt.step();                                                                                       \
    const std::vector<wp::vec3> vh = v.to_host();                                                     \
    EXPECT_EQ(vh[0], (wp::vec3{{0.5f, 2.5f, 2.0f}}));                                                 \
    EXPECT_EQ(vh[1], (wp::vec3{{4.0f, 3.5f, 7.0f}}));                                                 \
    const std::vector<double> dh = d.to_host();                                                       \
    EXPECT_EQ(dh[0], 1.0 - 0.5e-9); /* exact in double, lost in float */                              \
    EXPECT_EQ(dh[1], 0.0);                                                                            \
    EXPECT_EQ(dh[2], 2.5);                                                                            \
  }                                                                                                   \
  TEST(Suite, ResetStartsOver) {                                                                      \
    SKIP;                                                                                             \
    auto x = optim_test::param(DEVICE, 4, 0.0f, 1.0f);                                                \
    wp::optim::Adam opt({x}, 0.1f);                                                                   \
    opt.step();                                                                                       \
    optim_test::set_grad(x, std::vector<float>(4, -1.0f));                                            \
    opt.reset();                                                                                      \
    EXPECT_EQ(opt.step_count(), 0);                                                                   \
    opt.step(); /* a first step again: lr·g / (|g| + eps), back to ≈ 0 */                          \
    optim_test::expect_all_near(x.to_host(), 0.0, 0.0);                                               \
  }                                                                                                   \
  TEST(Suite, AdamMinimisesQuadratic) {                                                               \
    SKIP;                                                                                             \
    /* f(x) = Σ (x_i − c_i)², gradient 2 (x − c) written by the host each step */                    \
    const std::vector<float> c{1.0f, -2.0f, 0.5f, 3.0f};                                              \
    auto x = wp::zeros<float>(4, wp::on(DEVICE), wp::requires_grad);                                  \
    wp::optim::Adam opt({x}, 0.05f);                                                                  \
    for (int t = 0; t < 600; ++t) {                                                                   \
      std::vector<float> xs = x.to_host(), g(4);                                                      \
      for (int i = 0; i < 4; ++i) g[i] = 2.0f * (xs[i] - c[i]);                                       \
      optim_test::set_grad(x, g);                                                                     \
      opt.step();                                                                                     \
    }                                                                                                 \
    const std::vector<float> xs = x.to_host();                                                        \
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(xs[i], c[i], 1e-2) << "element " << i;                    \
  }                                                                                                   \
  TEST(Suite, BadParametersAndHyperparametersAreErrors) {                                             \
    SKIP;                                                                                             \
    auto no_grad = wp::zeros<float>(3, wp::on(DEVICE));                                               \
    auto ok = optim_test::param(DEVICE, 3, 0.0f, 1.0f);                                               \
    EXPECT_EQ(wp_test::error_of([&] { wp::optim::Adam({ok, no_grad}); }),                             \
              "Adam: parameter 1 has no gradient buffer (create it with wp::requires_grad)");         \
    auto m = wp::zeros<float>({4, 4}, wp::on(DEVICE), wp::requires_grad);                             \
    wp::array<float> column(m.data(), wp::Shape{4}, wp::Strides{16}, DEVICE, m.grad());               \
    EXPECT_EQ(wp_test::error_of([&] { wp::optim::SGD({column}); }),                                   \
              "SGD: parameter 0 is not densely packed (give a contiguous array)");                    \
    wp::optim::SGD sgd({ok}, 0.1f, 0.0f, 0.0f, 0.0f, true);                                           \
    EXPECT_EQ(wp_test::error_of([&] { sgd.step(); }),                                                 \
              "SGD: nesterov needs momentum > 0 and dampening = 0 (momentum = 0.000000, "             \
              "dampening = 0.000000)");                                                               \
    wp::optim::Adam adam({ok});                                                                       \
    adam.betas[1] = 1.0f;                                                                             \
    EXPECT_EQ(wp_test::error_of([&] { adam.step(); }),                                                \
              "Adam: betas[1] = 1.000000 is out of range (0 ≤ beta < 1)");                            \
    adam.betas[1] = 0.999f;                                                                           \
    adam.lr = -1.0f;                                                                                  \
    EXPECT_EQ(wp_test::error_of([&] { adam.step(); }), "Adam: lr = -1.000000 is out of range (≥ 0)"); \
    EXPECT_EQ(ok.to_host()[0], 0.0f); /* nothing was updated */                                       \
  }
