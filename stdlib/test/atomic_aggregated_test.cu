// atomic_aggregated_test.cu — warp-aggregated atomic additions (wp/builtins/atomic.h with
// WARPC_AGGREGATE_ATOMICS): lanes of a warp that add into the same element sum their values
// first and one lane adds the sum. Checked with integer-valued additions (exact in every
// order) for groups of every size 1 … 32, interleaved groups, a warp with only part of its
// lanes active, composites (vec3, mat22) and float64, int32 and int64 elements; the gradient
// scatter (grad_accum_arg) takes the same path, and so do paired scatters
// (grad_accum_arg_pair: two arrays' gradients at one index, aggregated together).
#define WARPC_AGGREGATE_ATOMICS 1

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "wp/array.h"
#include "wp/builtins/adjoint_support.h"
#include "wp/builtins/atomic.h"

namespace {

class AtomicAggregated : public ::testing::Test {
 protected:
  void SetUp() override {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA device";
  }
};

constexpr int kBlock = 128;

// Thread i adds value(i) into acc[slot(i)]: slot = (i / run) % slots — runs of `run`
// consecutive lanes share an element (run = 1: every lane its own within a stretch; run ≥ 32:
// whole warps) — or, with stride, slot = i % slots (lanes of one group interleaved).
// Only threads with active(i) add (a warp with part of its lanes idle).
struct Pattern {
  int n, slots, run;
  bool interleave;
  int skip_every;  // 0: every thread adds; k: threads with i % k == 1 do not
  __host__ __device__ int slot(int i) const { return interleave ? i % slots : (i / run) % slots; }
  __host__ __device__ bool active(int i) const { return skip_every == 0 || i % skip_every != 1; }
  __host__ __device__ int value(int i) const { return 1 + (i * 7) % 13; }
};

template <typename T>
__global__ void add_pattern(wp::array_t<T> acc, Pattern p) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= p.n || !p.active(i)) return;
  wp::atomic_detail::add_no_return<T>(&acc(p.slot(i)), T(p.value(i)));
}

template <typename T>
void check_pattern(const Pattern& p) {
  auto acc = wp::zeros<T>(wp::Shape{p.slots}, "cuda:0");
  add_pattern<T><<<(p.n + kBlock - 1) / kBlock, kBlock>>>(acc.view(), p);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  std::vector<double> want(static_cast<size_t>(p.slots), 0.0);
  for (int i = 0; i < p.n; ++i)
    if (p.active(i)) want[static_cast<size_t>(p.slot(i))] += p.value(i);
  const auto got = acc.to_host();
  for (int s = 0; s < p.slots; ++s)
    EXPECT_EQ(static_cast<double>(got[static_cast<size_t>(s)]), want[static_cast<size_t>(s)])
        << "slot " << s << " run " << p.run << " slots " << p.slots << " interleave " << p.interleave;
}

TEST_F(AtomicAggregated, EveryGroupSizeSumsExactly) {
  for (int run : {1, 2, 3, 5, 6, 8, 16, 31, 32, 64})
    for (int slots : {1, 7, 1000}) {
      check_pattern<float>({4096, slots, run, false, 0});
      check_pattern<double>({4096, slots, run, false, 0});
      check_pattern<int32_t>({4096, slots, run, false, 0});
      check_pattern<int64_t>({4096, slots, run, false, 0});
    }
}

TEST_F(AtomicAggregated, InterleavedGroupsAndIdleLanes) {
  for (int slots : {2, 3, 5, 17})
    for (int skip : {0, 3, 4}) {
      check_pattern<float>({5000, slots, 1, true, skip});
      check_pattern<int32_t>({5000, slots, 1, true, skip});
      check_pattern<float>({5000, slots, 4, false, skip});
    }
}

// vec3 and mat22 elements: every component of every group's sum.
__global__ void add_composites(wp::array_t<wp::vec3> v, wp::array_t<wp::mat22> m, int n, int slots) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const float a = static_cast<float>(1 + i % 5);
  wp::atomic_detail::add_no_return(&v((i / 3) % slots), wp::vec3{{a, 2 * a, -a}});
  wp::atomic_detail::add_no_return(&m(i % slots), wp::mat22{{{a, 0.0f}, {1.0f, -2 * a}}});
}

TEST_F(AtomicAggregated, Composites) {
  const int n = 3000, slots = 11;
  auto v = wp::zeros<wp::vec3>(wp::Shape{slots}, "cuda:0");
  auto m = wp::zeros<wp::mat22>(wp::Shape{slots}, "cuda:0");
  add_composites<<<(n + kBlock - 1) / kBlock, kBlock>>>(v.view(), m.view(), n, slots);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  std::vector<double> sv(slots, 0.0), sm(slots, 0.0), cm(slots, 0.0);
  for (int i = 0; i < n; ++i) {
    sv[(i / 3) % slots] += 1 + i % 5;
    sm[i % slots] += 1 + i % 5;
    cm[i % slots] += 1;
  }
  const auto hv = v.to_host();
  const auto hm = m.to_host();
  for (int s = 0; s < slots; ++s) {
    EXPECT_EQ(hv[s].c[0], sv[s]);
    EXPECT_EQ(hv[s].c[1], 2 * sv[s]);
    EXPECT_EQ(hv[s].c[2], -sv[s]);
    EXPECT_EQ(hm[s].data[0][0], sm[s]);
    EXPECT_EQ(hm[s].data[0][1], 0.0);
    EXPECT_EQ(hm[s].data[1][0], cm[s]);
    EXPECT_EQ(hm[s].data[1][1], -2 * sm[s]);
  }
}

// The gradient scatter of a gather x[idx[i]] (what a backward pass emits).
__global__ void scatter_grads(wp::array_t<float> x, wp::array_t<int32_t> idx, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) wp::grad_accum_arg(x, idx(i), static_cast<float>(i % 4));
}

TEST_F(AtomicAggregated, GradientScatter) {
  const int n = 8192, m = 300;
  std::vector<int32_t> idx(n);
  for (int i = 0; i < n; ++i) idx[i] = (i / 6 + (i % 3) * 7) % m;  // tets-like reuse of nearby vertices
  auto x = wp::zeros<float>(wp::Shape{m}, "cuda:0", true);
  auto d_idx = wp::from_host(idx, {n}, "cuda:0");
  scatter_grads<<<(n + kBlock - 1) / kBlock, kBlock>>>(x.view(), d_idx.view(), n);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  std::vector<double> want(m, 0.0);
  for (int i = 0; i < n; ++i) want[idx[i]] += i % 4;
  const auto got = x.grad_array().to_host();
  for (int k = 0; k < m; ++k) EXPECT_EQ(got[k], want[k]) << "element " << k;
}

// Paired scatters: the gradients of x (vec3) and w (float) at idx[i], aggregated with one
// match for both; `w_grad` false: w has no gradient buffer (x's scatter alone).
__global__ void scatter_pairs(wp::array_t<wp::vec3> x, wp::array_t<float> w, wp::array_t<int32_t> idx, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n || i % 5 == 3) return;  // some idle lanes
  const float a = static_cast<float>(1 + i % 4);
  wp::grad_accum_arg_pair(x, w, idx(i), wp::vec3{{a, -a, 2 * a}}, static_cast<float>(i % 3));
}

std::vector<int32_t> reuse_pattern(int n, int m) {
  std::vector<int32_t> idx(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = (i / 6 + (i % 3) * 7) % m;
  return idx;
}

TEST_F(AtomicAggregated, PairedGradientScatter) {
  const int n = 8192, m = 300;
  const std::vector<int32_t> idx = reuse_pattern(n, m);
  auto d_idx = wp::from_host(idx, {n}, "cuda:0");
  for (bool w_grad : {true, false}) {
    auto x = wp::zeros<wp::vec3>(wp::Shape{m}, "cuda:0", true);
    auto w = wp::zeros<float>(wp::Shape{m}, "cuda:0", w_grad);
    scatter_pairs<<<(n + kBlock - 1) / kBlock, kBlock>>>(x.view(), w.view(), d_idx.view(), n);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    std::vector<double> sx(m, 0.0), sw(m, 0.0);
    for (int i = 0; i < n; ++i) {
      if (i % 5 == 3) continue;
      sx[idx[i]] += 1 + i % 4;
      sw[idx[i]] += i % 3;
    }
    const auto gx = x.grad_array().to_host();
    for (int k = 0; k < m; ++k) {
      EXPECT_EQ(gx[k].c[0], sx[k]) << "element " << k;
      EXPECT_EQ(gx[k].c[1], -sx[k]) << "element " << k;
      EXPECT_EQ(gx[k].c[2], 2 * sx[k]) << "element " << k;
    }
    if (w_grad) {
      const auto gw = w.grad_array().to_host();
      for (int k = 0; k < m; ++k) EXPECT_EQ(gw[k], sw[k]) << "element " << k;
    }
  }
}

// Two indices (the key packs both) and one array paired with itself.
__global__ void scatter_pairs_2d(wp::array_t<float> a, wp::array_t<int32_t> idx, int n, int cols) {
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= n) return;
  const int k = idx(t);
  wp::grad_accum_arg_pair(a, a, k / cols, k % cols, 1.0f, static_cast<float>(t % 2));
}

TEST_F(AtomicAggregated, PairedScatterTwoIndicesSameArray) {
  const int n = 6000, rows = 10, cols = 30;
  const std::vector<int32_t> idx = reuse_pattern(n, rows * cols);
  auto d_idx = wp::from_host(idx, {n}, "cuda:0");
  auto a = wp::zeros<float>(wp::Shape{rows, cols}, "cuda:0", true);
  scatter_pairs_2d<<<(n + kBlock - 1) / kBlock, kBlock>>>(a.view(), d_idx.view(), n, cols);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  std::vector<double> want(rows * cols, 0.0);
  for (int t = 0; t < n; ++t) want[idx[t]] += 1.0 + t % 2;
  const auto got = a.grad_array().to_host();
  for (int k = 0; k < rows * cols; ++k) EXPECT_EQ(got[k], want[k]) << "element " << k;
}

// A zero-stride view: different indices name the same element of x but different elements of
// w. The pair's groups come from the index, so the lanes add separately and nothing is lost.
TEST_F(AtomicAggregated, PairedScatterZeroStride) {
  const int n = 4096, m = 64;
  const std::vector<int32_t> idx = reuse_pattern(n, m);
  auto d_idx = wp::from_host(idx, {n}, "cuda:0");
  auto x = wp::zeros<wp::vec3>(wp::Shape{1}, "cuda:0", true);
  auto w = wp::zeros<float>(wp::Shape{m}, "cuda:0", true);
  wp::array_t<wp::vec3> broadcast = x.view();
  broadcast.shape[0] = m;
  broadcast.strides[0] = 0;
  scatter_pairs<<<(n + kBlock - 1) / kBlock, kBlock>>>(broadcast, w.view(), d_idx.view(), n);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  double sx = 0.0;
  std::vector<double> sw(m, 0.0);
  for (int i = 0; i < n; ++i) {
    if (i % 5 == 3) continue;
    sx += 1 + i % 4;
    sw[idx[i]] += i % 3;
  }
  const auto gx = x.grad_array().to_host();
  EXPECT_EQ(gx[0].c[0], sx);
  EXPECT_EQ(gx[0].c[2], 2 * sx);
  const auto gw = w.grad_array().to_host();
  for (int k = 0; k < m; ++k) EXPECT_EQ(gw[k], sw[k]) << "element " << k;
}

}  // namespace
