// atomic_aggregated_test.cu — warp-aggregated atomic additions (wp/builtins/atomic.h with
// WARPC_AGGREGATE_ATOMICS): lanes of a warp that add into the same element sum their values
// first and one lane adds the sum. Checked with integer-valued additions (exact in every
// order) for groups of every size 1 … 32, interleaved groups, a warp with only part of its
// lanes active, composites (vec3, mat22) and float64, int32 and int64 elements; the gradient
// scatter (grad_accum_arg) takes the same path.
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

}  // namespace
