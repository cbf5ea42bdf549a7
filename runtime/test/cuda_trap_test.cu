// cuda_trap_test.cu — an asynchronous kernel failure (__trap) surfaces at wp::synchronize()
// as a wp::Error naming cudaDeviceSynchronize and the device. The trap leaves the CUDA
// context unusable, so this test has its own executable and CTest entry (label `gpu`);
// it skips itself without a CUDA device.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <string>

#include "wp/wp.h"

namespace {

__global__ void trap_kernel() { __trap(); }

TEST(CudaTrap, KernelFailureSurfacesAtSynchronize) {
  ASSERT_TRUE(wp::cuda_built());
  if (wp::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  auto survivor = wp::zeros<float>({16}, "cuda:0");  // freed after the context broke
  trap_kernel<<<1, 1>>>();
  std::string message = "<no error>";
  try {
    wp::synchronize();
  } catch (const wp::Error& e) {
    message = e.what();
  }
  std::printf("synchronize() reported: %s\n", message.c_str());
  EXPECT_EQ(message.rfind("cudaDeviceSynchronize() failed on device 'cuda:0': ", 0), 0u)
      << message;
  EXPECT_NE(message.find("(cudaError"), std::string::npos) << message;
  // Later CUDA work reports the (sticky) error too, as a wp::Error rather than a crash.
  EXPECT_THROW(wp::zeros<float>({4}, "cuda:0").to_host(), wp::Error);
}

}  // namespace
