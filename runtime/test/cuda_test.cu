// cuda_test.cu — the runtime on CUDA devices (CTest label `gpu`): allocation, host↔device
// and device↔device copies for 1–4-D shapes (packed and strided), fill/zeros, pinned host
// memory, device validation, streams, external pointers, and array_t views in a kernel.
// Every test skips itself when no CUDA device is present, so CPU-only machines pass.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "test_util.h"
#include "wp/wp.h"

namespace {

class Cuda : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(wp::cuda_built());
    if (wp::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  }
};

using wp_test::error_of;

std::vector<float> iota_floats(int64_t n, float start = 1.0f) {
  std::vector<float> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), start);
  return v;
}

cudaMemoryType memory_type(const void* p) {
  cudaPointerAttributes attr{};
  EXPECT_EQ(cudaPointerGetAttributes(&attr, p), cudaSuccess);
  return attr.type;
}

// a(i) = 2 * i over every element of a 1-D view (any byte stride), grid-stride.
__global__ void twice_index(wp::array_t<float> a) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < a.shape[0];
       i += int64_t(gridDim.x) * blockDim.x)
    a(i) = 2.0f * static_cast<float>(i);
}

// a(i, j) = 100 * i + j over a 2-D view.
__global__ void mark_2d(wp::array_t<int> a) {
  const int64_t n = a.size();
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n;
       k += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = k / a.shape[1], j = k % a.shape[1];
    a(i, j) = static_cast<int>(100 * i + j);
  }
}

TEST_F(Cuda, AllocatesDeviceMemoryOnTheRequestedDevice) {
  auto a = wp::empty<float>({1000}, "cuda:0");
  ASSERT_NE(a.data(), nullptr);
  EXPECT_TRUE(a.owns_data());
  EXPECT_EQ(a.device(), wp::Device("cuda:0"));
  EXPECT_EQ(memory_type(a.data()), cudaMemoryTypeDevice);
  auto g = wp::zeros<double>({3, 4}, "cuda", /*requires_grad=*/true);
  ASSERT_NE(g.grad(), nullptr);
  EXPECT_EQ(memory_type(g.grad()), cudaMemoryTypeDevice);
  EXPECT_EQ(g.grad_array().to_host(), std::vector<double>(12, 0.0));
  EXPECT_EQ(wp::empty<float>({0}, "cuda:0").data(), nullptr);  // 0 bytes: no allocation
}

TEST_F(Cuda, RoundTripsHostDeviceHostFor1To4Dims) {
  const std::vector<wp::Shape> shapes = {wp::Shape{37}, wp::Shape{5, 7}, wp::Shape{2, 3, 11},
                                         wp::Shape{2, 3, 4, 5}};
  for (const wp::Shape& shape : shapes) {
    SCOPED_TRACE(shape.str());
    const std::vector<float> host = iota_floats(shape.size(), 0.5f);
    auto d = wp::from_host(host, shape, "cuda:0");  // H2D
    EXPECT_EQ(d.to_host(), host);                   // D2H
    auto d2 = wp::empty<float>(shape, "cuda:0");
    wp::copy(d2, d);  // D2D
    auto h = wp::zeros<float>(shape);
    wp::copy(h, d2);  // D2H into a host array
    EXPECT_EQ(h.to_host(), host);
    auto d3 = wp::zeros<float>(shape, "cuda:0");
    wp::copy(d3, h);  // H2D from a host array
    EXPECT_EQ(wp::to_host(d3), host);
  }
}

TEST_F(Cuda, FillAndZerosForSeveralElementSizes) {
  EXPECT_EQ(wp::full<float>({3, 5}, 2.5f, "cuda:0").to_host(), std::vector<float>(15, 2.5f));
  EXPECT_EQ(wp::full<double>({9}, -1.25, "cuda:0").to_host(), std::vector<double>(9, -1.25));
  EXPECT_EQ(wp::full<uint8_t>({2, 2, 3}, 7, "cuda:0").to_host(), std::vector<uint8_t>(12, 7));
  const wp::vec3 v{1.0f, -2.0f, 3.5f};  // 12 bytes: 4-byte words
  for (const wp::vec3& e : wp::full<wp::vec3>({4, 3}, v, "cuda:0").to_host()) {
    EXPECT_EQ(e[0], 1.0f);
    EXPECT_EQ(e[1], -2.0f);
    EXPECT_EQ(e[2], 3.5f);
  }
  auto z = wp::full<int>({7, 3}, 42, "cuda:0");
  wp::fill(z, 0);
  EXPECT_EQ(z.to_host(), std::vector<int>(21, 0));
  EXPECT_EQ(wp::zeros<int64_t>({2, 3, 4, 5}, "cuda:0").to_host(), std::vector<int64_t>(120, 0));
}

TEST_F(Cuda, FillsAStridedDeviceView) {
  auto base = wp::zeros<float>({10}, "cuda:0");
  wp::array<float> every_other(base.data(), {5}, wp::Strides{8}, "cuda:0");
  wp::fill(every_other, 9.0f);
  EXPECT_EQ(base.to_host(), (std::vector<float>{9, 0, 9, 0, 9, 0, 9, 0, 9, 0}));
}

TEST_F(Cuda, StridedCopiesBetweenHostAndDevice) {
  // A 4x6 device array; column 2 as a strided (4,) view and the transpose as (6, 4).
  const std::vector<float> host = iota_floats(24, 0.0f);
  auto d = wp::from_host(host, {4, 6}, "cuda:0");
  wp::array<float> column(d.data() + 2, {4}, wp::Strides{24}, "cuda:0");
  EXPECT_FALSE(column.is_contiguous());
  EXPECT_EQ(column.to_host(), (std::vector<float>{2, 8, 14, 20}));  // D2H of a strided view
  wp::array<float> transposed(d.data(), {6, 4}, wp::Strides{4, 24}, "cuda:0");
  auto t = transposed.contiguous();  // D2D strided → packed on the device
  EXPECT_TRUE(t.owns_data());
  EXPECT_EQ(t.device(), wp::Device("cuda:0"));
  std::vector<float> expect;
  for (int j = 0; j < 6; ++j)
    for (int i = 0; i < 4; ++i) expect.push_back(host[i * 6 + j]);
  EXPECT_EQ(t.to_host(), expect);
  wp::copy(column, wp::from_host(std::vector<float>{-1, -2, -3, -4}));  // H2D into strided
  auto back = d.to_host();
  EXPECT_EQ(back[2], -1);
  EXPECT_EQ(back[8], -2);
  EXPECT_EQ(back[14], -3);
  EXPECT_EQ(back[20], -4);
  EXPECT_EQ(back[3], 3);
  std::vector<float> host_grid(8, 0.0f);  // D2H into a strided host view
  wp::array<float> host_view(host_grid.data(), {4}, wp::Strides{8});
  wp::copy(host_view, column);
  EXPECT_EQ(host_grid, (std::vector<float>{-1, 0, -2, 0, -3, 0, -4, 0}));
}

TEST_F(Cuda, CopyShapeMismatchIsAnError) {
  auto a = wp::zeros<float>({2, 3}, "cuda:0");
  auto b = wp::zeros<float>({3, 2}, "cuda:0");
  EXPECT_EQ(error_of([&] { wp::copy(a, b); }),
            "copy: shape mismatch: destination has shape (2, 3) but source has shape (3, 2)");
}

TEST_F(Cuda, InvalidOrdinalNamesTheDeviceAndTheCount) {
  const int n = wp::cuda_device_count();
  const std::string dev = "cuda:" + std::to_string(n);
  const std::string expect = "CUDA device '" + dev + "' is not available: " + std::to_string(n) +
                             " CUDA device" + (n == 1 ? "" : "s") + " found (valid ordinals 0.." +
                             std::to_string(n - 1) + ")";
  EXPECT_EQ(error_of([&] { wp::zeros<float>({4}, dev); }), expect);
  EXPECT_EQ(error_of([&] { wp::Stream s{wp::Device(dev)}; }), expect);
  EXPECT_EQ(error_of([&] { wp::synchronize(wp::Device(dev)); }), expect);
}

TEST_F(Cuda, StreamsCreateSynchronizeAndMove) {
  wp::Stream s{wp::Device("cuda:0")};
  ASSERT_NE(s.handle(), nullptr);
  auto a = wp::empty<int>({1 << 20}, "cuda:0");
  ASSERT_EQ(cudaMemsetAsync(a.data(), 0, a.size() * sizeof(int),
                            static_cast<cudaStream_t>(s.handle())),
            cudaSuccess);
  s.synchronize();
  EXPECT_EQ(cudaStreamQuery(static_cast<cudaStream_t>(s.handle())), cudaSuccess);
  void* h = s.handle();
  wp::Stream moved = std::move(s);
  EXPECT_EQ(moved.handle(), h);
  EXPECT_EQ(s.handle(), nullptr);
  moved.synchronize();
  wp::Stream cpu;
  EXPECT_EQ(cpu.handle(), nullptr);
  cpu.synchronize();
  wp::synchronize();
  wp::synchronize(wp::Device("cuda:0"));
  EXPECT_EQ(a.to_host(), std::vector<int>(1 << 20, 0));
}

TEST_F(Cuda, KernelWritesThroughArrayViews) {
  auto a = wp::empty<float>({100000}, "cuda:0");
  twice_index<<<64, 256>>>(a.view());
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  wp::synchronize();
  const std::vector<float> out = a.to_host();
  for (std::size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], 2.0f * i) << "at " << i;

  // The same kernel through a strided view (every third element) leaves the rest alone.
  auto base = wp::full<float>({30}, -1.0f, "cuda:0");
  wp::array<float> thirds(base.data(), {10}, wp::Strides{12}, "cuda:0");
  twice_index<<<1, 32>>>(thirds.view());
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  const std::vector<float> b = base.to_host();
  for (int i = 0; i < 30; ++i) EXPECT_EQ(b[i], i % 3 == 0 ? 2.0f * (i / 3) : -1.0f) << i;

  // 2-D: a row slice and a view_row keep the byte strides right on the device.
  auto m = wp::zeros<int>({6, 5}, "cuda:0");
  mark_2d<<<4, 64>>>(m.slice(2, 4).view());
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  const std::vector<int> h = m.to_host();
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 5; ++j) EXPECT_EQ(h[i * 5 + j], i >= 2 && i < 4 ? 100 * (i - 2) + j : 0);
}

TEST_F(Cuda, WrapsAnExternalDevicePointerWithoutCopying) {
  float* raw = nullptr;
  ASSERT_EQ(cudaMalloc(&raw, 16 * sizeof(float)), cudaSuccess);
  const std::vector<float> host = iota_floats(16);
  ASSERT_EQ(cudaMemcpy(raw, host.data(), 16 * sizeof(float), cudaMemcpyHostToDevice),
            cudaSuccess);
  {
    wp::array<float> w(raw, {4, 4}, wp::Device("cuda:0"));
    EXPECT_EQ(w.data(), raw);  // pointer identity: no copy
    EXPECT_EQ(w.view().data, raw);
    EXPECT_FALSE(w.owns_data());
    EXPECT_EQ(w.to_host(), host);
    wp::fill(w.view_row(1), 0.0f);
  }  // the handle goes; the memory is the test's
  std::vector<float> back(16);
  ASSERT_EQ(cudaMemcpy(back.data(), raw, 16 * sizeof(float), cudaMemcpyDeviceToHost),
            cudaSuccess);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(back[i], i >= 4 && i < 8 ? 0.0f : host[i]);
  EXPECT_EQ(cudaFree(raw), cudaSuccess);
}

TEST_F(Cuda, PinnedHostArrays) {
  auto p = wp::zeros<float>({256}, "cpu", false, /*pinned=*/true);
  EXPECT_TRUE(p.is_pinned());
  EXPECT_EQ(memory_type(p.data()), cudaMemoryTypeHost);
  wp::fill(p, 3.0f);
  auto d = wp::empty<float>({256}, "cuda:0");
  wp::copy(d, p);
  auto q = wp::full<float>({256}, 0.0f, "cpu", false, /*pinned=*/true);
  wp::copy(q, d);
  EXPECT_EQ(q.to_host(), std::vector<float>(256, 3.0f));
  EXPECT_FALSE(wp::zeros<float>({4}).is_pinned());
  EXPECT_EQ(error_of([] { wp::zeros<float>({4}, "cuda:0", false, true); }),
            "pinned memory is host memory: device 'cuda:0' was given; use \"cpu\" with "
            "pinned=true");
}

}  // namespace
