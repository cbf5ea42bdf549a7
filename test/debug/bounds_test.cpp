// bounds_test.cpp — death tests of the bounds checks in a DEBUG kernel library (bounds.wp
// compiled by add_warp_kernels(... DEBUG)): loads, stores, atomics, sub-array views, 2-D
// indices, accesses inside a @wp.func and the replayed loads of a backward kernel each abort
// with "<file>.wp:<line>: array index out of bounds in <function>: <array>[index] but the
// array has shape (…)"; in-bounds launches run normally.
#include <gtest/gtest.h>

#include <vector>

#include "bounds.wp.h"


namespace {

class DebugBounds : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
  wp::array<float> x = wp::zeros<float>(8);
  wp::array<float> y = wp::zeros<float>(8);
};

TEST_F(DebugBounds, InBoundsLaunchesRun) {
  wp::fill(x, 2.0f);
  bounds::load_shifted(8, x, y, 0);
  EXPECT_EQ(y.to_host(), std::vector<float>(8, 2.0f));
}

TEST_F(DebugBounds, Load) {
  EXPECT_DEATH(bounds::load_shifted(8, x, y, 1),
               "bounds\\.wp:15: array index out of bounds in kernel 'load_shifted': x\\[8\\] but the array has "
               "shape \\(8,\\)");
}

TEST_F(DebugBounds, NegativeIndex) {
  EXPECT_DEATH(bounds::load_shifted(8, x, y, -1), "bounds\\.wp:15: array index out of bounds in kernel "
                                                  "'load_shifted': x\\[-1\\]");
}

TEST_F(DebugBounds, Store) {
  EXPECT_DEATH(bounds::store_shifted(8, x, 3), "bounds\\.wp:21: array index out of bounds in kernel "
                                               "'store_shifted': x\\[8\\] but the array has shape \\(8,\\)");
}

TEST_F(DebugBounds, Atomic) {
  EXPECT_DEATH(bounds::atomic_shifted(8, x, 5), "bounds\\.wp:27: array index out of bounds in kernel "
                                                "'atomic_shifted': x\\[8\\]");
}

TEST_F(DebugBounds, ViewAndTwoDimensionalIndex) {
  auto m = wp::zeros<float>({3, 8});
  bounds::row_view(8, m, y, 2);
  EXPECT_DEATH(bounds::row_view(8, m, y, 3), "bounds\\.wp:33: array index out of bounds in kernel 'row_view': "
                                             "m\\[3\\] but the array has shape \\(3, 8\\)");
  auto tall = wp::zeros<float>({8, 2});
  EXPECT_DEATH(bounds::load_2d(8, tall, y, 2), "bounds\\.wp:40: array index out of bounds in kernel 'load_2d': "
                                               "m\\[0, 2\\] but the array has shape \\(8, 2\\)");
}

TEST_F(DebugBounds, InsideAFunction) {
  EXPECT_DEATH(bounds::through_func(8, x, y, 9), "bounds\\.wp:9: array index out of bounds in function "
                                                 "'read_at': a\\[9\\]");
}

TEST_F(DebugBounds, BackwardKernel) {
  auto xg = wp::zeros<float>(8, wp::requires_grad);
  auto yg = wp::zeros<float>(8, wp::requires_grad);
  EXPECT_DEATH(bounds::square_shifted_backward(8, xg, yg, 2),
               "bounds\\.wp:52: array index out of bounds in backward of kernel 'square_shifted': x\\[8\\]");
}

}  // namespace
