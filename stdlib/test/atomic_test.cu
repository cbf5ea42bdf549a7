// atomic_test.cu — wp/builtins/atomic.h in device code: many GPU threads hammering one element
// (exact integer sums, every old value returned exactly once), the CAS-emulated types (half,
// 8/16-bit integers: neighbours in one 32-bit word must not clobber each other), min/max,
// bit ops, exch, a CAS-loop counter, composites and multi-index addressing.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "wp/array.h"
#include "wp/builtins/atomic.h"

namespace {

class AtomicDevice : public ::testing::Test {
 protected:
  void SetUp() override {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA device";
  }
};

constexpr int kBlock = 128;
int blocks_for(int n) {
  return (n + kBlock - 1) / kBlock;
}

template <typename T>
double as_double(T v) {
  if constexpr (std::is_same_v<T, wp::half>)
    return static_cast<double>(static_cast<float>(v));
  else
    return static_cast<double>(v);
}

// Thread i adds 1 to acc[slot] where slot = i % slots, recording the old value.
template <typename T>
__global__ void add_ones(wp::array_t<T> acc, wp::array_t<T> olds, int n, int slots) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) olds(i) = wp::atomic_add(acc, i % slots, T(1));
}

template <typename T>
__global__ void sub_ones(wp::array_t<T> acc, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) wp::atomic_sub(acc, 0, 0, T(1));
}

template <typename T>
void check_add_sub(int n, int slots) {
  auto acc = wp::zeros<T>(wp::Shape{slots}, "cuda:0");
  auto olds = wp::zeros<T>(wp::Shape{n}, "cuda:0");
  add_ones<T><<<blocks_for(n), kBlock>>>(acc.view(), olds.view(), n, slots);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto h = acc.to_host();
  for (int s = 0; s < slots; ++s) EXPECT_EQ(as_double(h[s]), double(n / slots)) << "slot " << s;
  std::vector<double> seen;
  const auto o = olds.to_host();
  for (int i = 0; i < n; ++i)
    if (i % slots == 0) seen.push_back(as_double(o[i]));
  std::sort(seen.begin(), seen.end());
  for (int k = 0; k < n / slots; ++k) ASSERT_EQ(seen[k], double(k));
  const int per_slot = n / slots;
  // 4 elements: whole 32-bit words, so the 8-bit CAS path stays inside the allocation.
  auto down = wp::full<T>(wp::Shape{1, 4}, T(per_slot), "cuda:0");
  sub_ones<T><<<blocks_for(per_slot), kBlock>>>(down.view(), per_slot);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_EQ(as_double(down.to_host()[0]), 0.0);
  EXPECT_EQ(as_double(down.to_host()[1]), double(per_slot));  // the neighbour is untouched
}

TEST_F(AtomicDevice, AddSubNativeTypes) {
  check_add_sub<int32_t>(1 << 20, 1);
  check_add_sub<uint32_t>(1 << 20, 1);
  check_add_sub<int64_t>(1 << 20, 1);
  check_add_sub<uint64_t>(1 << 20, 1);
  check_add_sub<float>(1 << 16, 1);  // sums of ones stay exact below 2^24
  check_add_sub<double>(1 << 20, 1);
}

TEST_F(AtomicDevice, AddSubEmulatedTypesKeepNeighboursApart) {
  check_add_sub<wp::half>(2048 * 2, 2);  // 2048 per slot: exact in half; two halves share a word
  check_add_sub<int8_t>(100 * 4, 4);     // four int8 slots in one word
  check_add_sub<uint8_t>(250 * 4, 4);
  check_add_sub<int16_t>(30000 * 2, 2);
  check_add_sub<uint16_t>(60000 * 2, 2);
}

template <typename T>
__global__ void min_max(wp::array_t<T> a, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const int x =
      static_cast<int>((static_cast<unsigned>(i) * 2654435761u) % 1000u) - 500;  // spread over [-500, 500)
  wp::atomic_min(a, 0, T(x));
  wp::atomic_max(a, 1, T(x));
}

template <typename T>
void check_min_max() {
  const int n = 100000;
  auto a = wp::full<T>(wp::Shape{2}, T(0), "cuda:0");
  min_max<T><<<blocks_for(n), kBlock>>>(a.view(), n);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  int lo = 0, hi = 0;
  for (int i = 0; i < n; ++i) {
    const int x = static_cast<int>((static_cast<unsigned>(i) * 2654435761u) % 1000u) - 500;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  const auto h = a.to_host();
  EXPECT_EQ(as_double(h[0]), double(lo));
  EXPECT_EQ(as_double(h[1]), double(hi));
}

TEST_F(AtomicDevice, MinMax) {
  check_min_max<int32_t>();
  check_min_max<int64_t>();
  check_min_max<float>();
  check_min_max<double>();
  check_min_max<wp::half>();
  check_min_max<int16_t>();
}

template <typename T>
__global__ void bit_ops(wp::array_t<T> a, int bits) {
  const int b = blockIdx.x * blockDim.x + threadIdx.x;
  if (b >= bits) return;
  const T bit = static_cast<T>(T(1) << b);
  wp::atomic_or(a, 0, bit);
  wp::atomic_and(a, 1, static_cast<T>(~bit));
  wp::atomic_xor(a, 2, bit);
  wp::atomic_xor(a, 2, bit);
}

template <typename T>
void check_bit_ops() {
  const int bits = 8 * sizeof(T);
  auto a = wp::from_host(std::vector<T>{T(0), static_cast<T>(~T(0)), T(0), T(0)}, wp::Shape{4}, "cuda:0");
  bit_ops<T><<<1, bits>>>(a.view(), bits);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto h = a.to_host();
  EXPECT_EQ(h[0], static_cast<T>(~T(0)));
  EXPECT_EQ(h[1], T(0));
  EXPECT_EQ(h[2], T(0));
}

TEST_F(AtomicDevice, BitOps) {
  check_bit_ops<int32_t>();
  check_bit_ops<uint32_t>();
  check_bit_ops<int64_t>();
  check_bit_ops<uint64_t>();
  check_bit_ops<uint8_t>();
  check_bit_ops<int16_t>();
}

__global__ void exchange(wp::array_t<uint32_t> a, wp::array_t<uint32_t> olds, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) olds(i) = wp::atomic_exch(a, 0, static_cast<uint32_t>(i + 1));
}

TEST_F(AtomicDevice, ExchangeLosesNoValue) {
  const int n = 50000;
  auto a = wp::zeros<uint32_t>(wp::Shape{1}, "cuda:0");
  auto olds = wp::zeros<uint32_t>(wp::Shape{n}, "cuda:0");
  exchange<<<blocks_for(n), kBlock>>>(a.view(), olds.view(), n);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  std::vector<uint32_t> all = olds.to_host();
  all.push_back(a.to_host()[0]);
  std::sort(all.begin(), all.end());
  for (int k = 0; k <= n; ++k) ASSERT_EQ(all[k], uint32_t(k));
}

template <typename T>
__global__ void cas_counter(wp::array_t<T> a, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  T seen = T(0);  // a first guess; the loop corrects it
  for (;;) {
    const T old = wp::atomic_cas(a, 0, seen, static_cast<T>(seen + T(1)));
    if (old == seen) break;
    seen = old;
  }
}

template <typename T>
void check_cas_counter(int n) {
  auto a = wp::zeros<T>(wp::Shape{1}, "cuda:0");
  cas_counter<T><<<blocks_for(n), kBlock>>>(a.view(), n);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_EQ(as_double(a.to_host()[0]), double(n));
}

TEST_F(AtomicDevice, CasLoopCounter) {
  check_cas_counter<int32_t>(20000);
  check_cas_counter<uint64_t>(20000);
  check_cas_counter<float>(20000);
  check_cas_counter<double>(20000);
  check_cas_counter<int16_t>(20000);
}

__global__ void composites(wp::array_t<wp::vec3f> v, wp::array_t<wp::mat22d> m, wp::array_t<wp::vec4h> h,
                           int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  wp::atomic_add(v, 0, wp::vec3f{{1.0f, -2.0f, 0.5f}});
  const double x = double(i % 777);
  wp::atomic_min(m, 0, wp::mat22d{{{x, -x}, {x - 5, 100.0}}});
  wp::atomic_add(h, 0, wp::vec4h{{wp::half(1.0f), wp::half(-1.0f), wp::half(0.5f), wp::half(0.0f)}});
}

TEST_F(AtomicDevice, CompositesComponentWise) {
  const int n = 1024;
  auto v = wp::zeros<wp::vec3f>(wp::Shape{1}, "cuda:0");
  auto m = wp::full<wp::mat22d>(wp::Shape{1}, wp::mat22d{{{1e9, 1e9}, {1e9, 1e9}}}, "cuda:0");
  auto h = wp::zeros<wp::vec4h>(wp::Shape{1}, "cuda:0");
  composites<<<blocks_for(n), kBlock>>>(v.view(), m.view(), h.view(), n);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_EQ(v.to_host()[0], (wp::vec3f{{1024.0f, -2048.0f, 512.0f}}));
  EXPECT_EQ(m.to_host()[0], (wp::mat22d{{{0.0, -776.0}, {-5.0, 100.0}}}));
  const wp::vec4h hh = h.to_host()[0];
  EXPECT_EQ(float(hh.c[0]), 1024.0f);
  EXPECT_EQ(float(hh.c[1]), -1024.0f);
  EXPECT_EQ(float(hh.c[2]), 512.0f);
  EXPECT_EQ(float(hh.c[3]), 0.0f);
}

__global__ void indexed(wp::array_t<int32_t> a2, wp::array_t<int32_t> a3, wp::array_t<int32_t> a4,
                        wp::array_t<int32_t> olds) {
  olds(0) = wp::atomic_add(a2, 2, 1, 5);
  olds(1) = wp::atomic_add(a3, 1, 2, 3, 6);
  olds(2) = wp::atomic_max(a4, int64_t{1}, 0, 2, 1, 7);
  olds(3) = wp::atomic_cas(a4, 1, 0, 2, 1, 7, 8);
}

TEST_F(AtomicDevice, MultiIndexAddressing) {
  auto a2 = wp::zeros<int32_t>(wp::Shape{3, 4}, "cuda:0");
  auto a3 = wp::zeros<int32_t>(wp::Shape{2, 3, 4}, "cuda:0");
  auto a4 = wp::zeros<int32_t>(wp::Shape{2, 2, 3, 2}, "cuda:0");
  auto olds = wp::full<int32_t>(wp::Shape{4}, -1, "cuda:0");
  indexed<<<1, 1>>>(a2.view(), a3.view(), a4.view(), olds.view());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_EQ(olds.to_host(), (std::vector<int32_t>{0, 0, 0, 7}));
  EXPECT_EQ(a2.to_host()[2 * 4 + 1], 5);
  EXPECT_EQ(a3.to_host()[(1 * 3 + 2) * 4 + 3], 6);
  EXPECT_EQ(a4.to_host()[((1 * 2 + 0) * 3 + 2) * 2 + 1], 8);
  int nonzero = 0;
  for (int32_t x : a4.to_host()) nonzero += x != 0;
  EXPECT_EQ(nonzero, 1);
}

}  // namespace
