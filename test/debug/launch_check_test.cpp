// launch_check_test.cpp — the always-on launch check of generated launchers (release build
// of bounds.wp): a kernel that indexes an array at wp.tid() on every thread, launched with
// more threads than the array holds, throws wp::Error before anything runs; arrays indexed
// only under a condition, or at other indices, are not rejected.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "bounds.wp.h"

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const wp::Error& e) {
    return e.what();
  }
  return "";
}

TEST(LaunchCheck, TidIndexedArrayShorterThanTheLaunchThrows) {
  auto x = wp::zeros<float>(16);
  auto y = wp::full<float>(8, -1.0f);
  const std::string e = error_of([&] { bounds::load_shifted(10, x, y, 0); });
  EXPECT_NE(e.find("kernel 'load_shifted': launch dimension (10) is too large for argument 'y' of shape (8,): "
                   "every thread accesses 'y' at wp.tid() ("),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("bounds.wp:15), so threads 8 to 9 would access it out of bounds"), std::string::npos) << e;
  EXPECT_EQ(y.to_host(), std::vector<float>(8, -1.0f)) << "nothing ran";
  bounds::load_shifted(8, x, y, 8);  // x[i + 8] of a 16-element x: in bounds, accepted
}

TEST(LaunchCheck, EveryTidIndexedArrayIsChecked) {
  auto m = wp::zeros<float>({4, 2});
  auto out = wp::zeros<float>(4);
  // out[i] = m[i, col]: m is accessed first, then out.
  EXPECT_NE(error_of([&] { bounds::load_2d(6, m, out, 0); }).find("argument 'm' of shape (4, 2)"), std::string::npos);
  auto tall = wp::zeros<float>({6, 2});
  EXPECT_NE(error_of([&] { bounds::load_2d(6, tall, out, 0); }).find("argument 'out' of shape (4,)"),
            std::string::npos);
}

TEST(LaunchCheck, TwoDimensionalThreadIndices) {
  auto a = wp::zeros<float>({3, 5});
  auto b = wp::zeros<float>({5, 3});
  bounds::transpose(wp::Dim{3, 5}, a, b);  // b[j, i] = a[i, j]: fits
  auto narrow = wp::zeros<float>({5, 2});
  const std::string e = error_of([&] { bounds::transpose(wp::Dim{3, 5}, a, narrow); });
  EXPECT_NE(e.find("kernel 'transpose': launch dimension (3, 5) is too large for argument 'b' of shape (5, 2): "
                   "every thread accesses 'b' at component 0 of wp.tid() along dimension 1"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("so threads 2 to 2 would access it out of bounds; launch with at most 2 threads along that "
                   "dimension"),
            std::string::npos)
      << e;
}

TEST(LaunchCheck, GuardedAccessesAreNotRejected) {
  auto x = wp::full<float>(8, 3.0f);
  auto y = wp::zeros<float>(10);
  bounds::guarded(10, x, y);
  std::vector<float> want(10, 3.0f);
  want[8] = want[9] = 0.0f;
  EXPECT_EQ(y.to_host(), want);
}

}  // namespace
