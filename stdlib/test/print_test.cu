// print_test.cu — wp/builtins/print.h in device code: one GPU thread prints each kind of value
// with print() and printf(); the text (captured from stdout once the device synchronises) must be
// what the host writes for the same calls.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <string>

#include "wp/builtins/print.h"

namespace {

WP_HD void print_everything() {
  wp::print(int32_t{-42});
  wp::print(uint64_t{18000000000000000000ull});
  wp::print(1.5f);
  wp::print(wp::half(-2.25f));
  wp::print(true);
  wp::print("text");
  wp::print(wp::vec3f{{1.0f, 2.5f, -3.0f}});
  wp::print(wp::quatd{0.0, 0.0, 0.5, 1.0});
  wp::print(wp::mat22f{{{1, 2}, {3, 4.5f}}});
  wp::print(wp::transformf{{{1, 2, 3}}, {0, 0, 0, 1}});
  wp::print("x =", 3, 2.5f);
  wp::printf("%d %lld %.3f %g|%s\n", int16_t{-3}, int64_t{-5}, 1.25f, wp::half(0.75f), "s");
}

__global__ void print_kernel() {
  print_everything();
}

TEST(PrintDevice, SameTextAsTheHost) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA device";
  ::testing::internal::CaptureStdout();
  print_everything();
  const std::string host = ::testing::internal::GetCapturedStdout();
  ::testing::internal::CaptureStdout();
  print_kernel<<<1, 1>>>();
  const cudaError_t status = cudaDeviceSynchronize();
  const std::string device = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(status, cudaSuccess);
  EXPECT_EQ(device, host);
  EXPECT_NE(host.find("1 2.5 -3 \n"), std::string::npos);
}

}  // namespace
