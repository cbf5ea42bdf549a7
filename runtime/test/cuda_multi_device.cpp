// cuda_multi_device.cpp — arrays on several GPUs from one host thread (label `gpu`, in
// warpc_runtime_cuda_tests): wp::peer_access for a device with itself and with the CPU, and,
// with two or more GPUs, copies cuda:0 → cuda:1 → host (peer access or staged), fills queued on
// two devices from one thread and waited for with wp::synchronize(device) each, a strided copy
// across devices, and an error for a missing ordinal. Skips without the GPUs it needs.
#include <gtest/gtest.h>

#include <vector>

#include "wp/peer.h"
#include "wp/wp.h"

namespace {

TEST(MultiDevice, PeerAccessOfOneDevice) {
  if (wp::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  EXPECT_TRUE(wp::peer_access("cuda:0", "cuda:0"));
  EXPECT_FALSE(wp::peer_access("cpu", "cuda:0"));
  const int n = wp::cuda_device_count();
  EXPECT_THROW(wp::peer_access(wp::Device::cuda(n), "cuda:0"), wp::Error);
}

TEST(MultiDevice, CopiesAndFillsAcrossTwoGpus) {
  if (wp::cuda_device_count() < 2) GTEST_SKIP() << "needs two CUDA devices";
  std::vector<float> h(1000);
  for (size_t i = 0; i < h.size(); ++i) h[i] = float(i) * 0.25f;
  auto a = wp::from_host(h, wp::Shape{1000}, "cuda:0");
  auto b = wp::zeros<float>(1000, "cuda:1");
  wp::copy(b, a);  // peer access when available, else staged by the driver
  std::printf("peer access cuda:1 <- cuda:0: %s\n", wp::peer_access("cuda:1", "cuda:0") ? "on" : "off");
  EXPECT_EQ(b.to_host(), h);
  auto m0 = wp::zeros<float>({8, 6}, "cuda:0");
  auto m1 = wp::zeros<float>({8, 6}, "cuda:1");
  wp::fill(m0, 1.0f);  // queued on two devices from this thread
  wp::fill(m1, 2.0f);
  wp::synchronize(wp::Device("cuda:0"));
  wp::synchronize(wp::Device("cuda:1"));
  EXPECT_EQ(m0.to_host()[47], 1.0f);
  EXPECT_EQ(m1.to_host()[47], 2.0f);
  auto col0 = wp::array<float>(m0.data(), wp::Shape{8}, wp::Strides{24}, "cuda:0");      // column 0
  auto col1 = wp::array<float>(m1.data() + 1, wp::Shape{8}, wp::Strides{24}, "cuda:1");  // column 1
  wp::copy(col1, col0);
  auto back = m1.to_host();
  EXPECT_EQ(back[1], 1.0f);
  EXPECT_EQ(back[0], 2.0f);
  EXPECT_EQ(back[7 * 6 + 1], 1.0f);
  wp::synchronize();
}

}  // namespace
