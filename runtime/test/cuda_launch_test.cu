// cuda_launch_test.cu — wp/cuda_launch.h (CTest label `gpu`): block validation and device
// checks (these run without a GPU too), grid/stream choice, launching a hand-written
// grid-stride kernel with the configuration (default stream and a wp::Stream), launch errors
// named by kernel, and the current-device handling (multi-GPU parts skip on one GPU).
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "test_util.h"
#include "wp/cuda_launch.h"
#include "wp/wp.h"

namespace {

using wp::detail::cuda_check_launch;
using wp::detail::cuda_launch_config;
using wp_test::error_of;

class CudaLaunch : public ::testing::Test {
 protected:
  void SetUp() override {
    if (wp::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  }
};

wp::LaunchOptions with_block(int block) {
  wp::LaunchOptions o;
  o.block_dim = block;
  return o;
}

// y(i) = a * x(i) + y(i), grid-stride, int64 indices — the shape of a generated kernel.
__global__ void saxpy_kernel(int64_t n, float a, wp::array_t<float> x, wp::array_t<float> y) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    y(i) = a * x(i) + y(i);
}

__global__ void __launch_bounds__(64) small_block_kernel(int* p) {
  if (p) *p = 1;
}

// x = i, y = 1000 + i on the host; the expected saxpy result is computed independently.
void check_saxpy(const wp::LaunchOptions& options, int64_t n) {
  std::vector<float> xs(n), ys(n);
  for (int64_t i = 0; i < n; ++i) {
    xs[i] = static_cast<float>(i % 1000);
    ys[i] = 1000.0f + static_cast<float>(i % 7);
  }
  auto x = wp::from_host(xs, "cuda:0");
  auto y = wp::from_host(ys, "cuda:0");
  const auto c = cuda_launch_config(n, options, "cuda:0", "saxpy");
  saxpy_kernel<<<c.grid, c.block, 0, c.stream>>>(n, 3.0f, x.view(), y.view());
  cuda_check_launch("saxpy");
  const std::vector<float> out = y.to_host();  // the current stream: after the kernel
  int64_t wrong = 0;
  for (int64_t i = 0; i < n; ++i)
    wrong += out[i] != 3.0f * static_cast<float>(i % 1000) + 1000.0f + static_cast<float>(i % 7);
  EXPECT_EQ(wrong, 0);
}

TEST(CudaLaunchConfig, BlockDimMustBe1To1024) {
  for (int block : {0, -5, 1025}) {
    EXPECT_EQ(error_of([&] { cuda_launch_config(10, with_block(block), "cuda:0", "k"); }),
              "kernel 'k': LaunchOptions::block_dim is " + std::to_string(block) +
                  "; it must be in 1..1024 (CUDA threads per block)");
  }
}

TEST(CudaLaunchConfig, MissingDeviceIsNamed) {
  const int count = wp::cuda_device_count();
  const std::string dev = "cuda:" + std::to_string(count);
  const std::string msg = error_of([&] { cuda_launch_config(10, {}, dev, "k"); });
  EXPECT_EQ(msg.rfind("kernel 'k': CUDA device '" + dev + "' is not available: " + std::to_string(count) +
                          " CUDA device",
                      0),
            0u)
      << msg;
  EXPECT_EQ(error_of([&] { cuda_launch_config(10, {}, wp::Device::cpu(), "k"); }),
            "kernel 'k': cuda_launch_config: device 'cpu' is not a CUDA device");
}

TEST_F(CudaLaunch, GridCoversNAndStreamDefaultsToTheCurrentStream) {
  struct Case {
    int64_t n;
    int block;
    unsigned grid;
  };
  for (const Case& c : {Case{1000, 256, 4}, Case{256, 256, 1}, Case{257, 256, 2}, Case{0, 256, 1},
                        Case{1, 1, 1}, Case{3000, 1024, 3}}) {
    const auto cfg = cuda_launch_config(c.n, with_block(c.block), "cuda:0", "k");
    EXPECT_EQ(cfg.grid, c.grid) << "n=" << c.n;
    EXPECT_EQ(cfg.block, static_cast<unsigned>(c.block));
    EXPECT_EQ(cfg.stream, static_cast<cudaStream_t>(wp::get_stream(wp::Device("cuda:0")).handle()));
  }
  const auto huge = cuda_launch_config(int64_t{1} << 45, with_block(32), "cuda:0", "k");
  EXPECT_EQ(huge.grid, 2147483647u);  // capped: the kernel's grid-stride loop covers the rest
}

TEST_F(CudaLaunch, UsesTheGivenStream) {
  wp::Stream s{wp::Device("cuda:0")};
  wp::LaunchOptions o;
  o.stream = s.handle();
  EXPECT_EQ(cuda_launch_config(10, o, "cuda:0", "k").stream, static_cast<cudaStream_t>(s.handle()));
}

TEST_F(CudaLaunch, RunsAGridStrideKernelOnTheDefaultStream) {
  check_saxpy(with_block(128), (int64_t{1} << 20) + 3);
  check_saxpy(with_block(1), 1000);
}

TEST_F(CudaLaunch, RunsOnAUserStream) {
  wp::Stream s{wp::Device("cuda:0")};
  wp::LaunchOptions o;
  o.stream = s.handle();
  const int64_t n = 100000;
  auto y = wp::full<float>(n, 2.0f, "cuda:0");
  auto x = wp::full<float>(n, 5.0f, "cuda:0");
  wp::synchronize();  // the fills ran on the device's current stream
  const auto c = cuda_launch_config(n, o, "cuda:0", "saxpy");
  saxpy_kernel<<<c.grid, c.block, 0, c.stream>>>(n, 0.5f, x.view(), y.view());
  cuda_check_launch("saxpy");
  s.synchronize();
  for (float v : y.to_host()) ASSERT_EQ(v, 4.5f);
}

TEST_F(CudaLaunch, LaunchErrorsNameTheKernel) {
  cuda_check_launch("nothing");  // no pending error: no throw
  const auto c = cuda_launch_config(4096, with_block(1024), "cuda:0", "small_block");
  small_block_kernel<<<c.grid, c.block, 0, c.stream>>>(nullptr);  // 1024 > launch bound 64
  try {
    cuda_check_launch("small_block");
    FAIL() << "no error";
  } catch (const wp::Error& e) {
    EXPECT_EQ(e.kernel(), "small_block");
    EXPECT_EQ(e.cause().rfind("CUDA launch failed: ", 0), 0u) << e.cause();
    EXPECT_NE(e.cause().find("(cudaError"), std::string::npos) << e.cause();
  }
  cuda_check_launch("after");  // the error was not sticky and has been cleared
  wp::synchronize();
}

TEST_F(CudaLaunch, LeavesTheDeviceCurrent) {
  const int count = wp::cuda_device_count();
  const int last = count - 1;
  cuda_launch_config(1, {}, wp::Device::cuda(last), "k");
  int current = -1;
  ASSERT_EQ(cudaGetDevice(&current), cudaSuccess);
  EXPECT_EQ(current, last);
  if (count < 2) GTEST_SKIP() << "switching devices needs two GPUs";
  ASSERT_EQ(cudaSetDevice(0), cudaSuccess);  // the program switches behind the runtime's back
  cuda_launch_config(1, {}, wp::Device::cuda(last), "k");
  ASSERT_EQ(cudaGetDevice(&current), cudaSuccess);
  EXPECT_EQ(current, last);
  ASSERT_EQ(cudaSetDevice(0), cudaSuccess);
}

}  // namespace
