// hash_grid_cuda_test.cu — wp::HashGrid on CUDA devices (CTest label `gpu`): the sorted order
// and every query's candidate list, computed by kernels on the device, equal the CPU grid's
// (which hash_grid_test.cpp checks against brute force) — ungrouped, grouped, float64, large
// point sets; rebuilds; device mismatch errors. Every test skips itself without a CUDA device.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hash_grid_test_util.h"
#include "test_util.h"
#include "wp/wp.h"

namespace {

using wp_test::error_of;
using wp_test::host_candidates;
using wp_test::make_points;
using wp_test::PointSet;

constexpr int kMaxCandidates = 16384;  // the clustered sets reach ≈ 4,500 candidates per query

__global__ void point_ids_kernel(uint64_t grid, int n, int32_t* out) {
  for (int k = blockIdx.x * blockDim.x + threadIdx.x; k < n; k += gridDim.x * blockDim.x)
    out[k] = wp::hash_grid_point_id(grid, k);
}

// Candidates of query q into out[q * kMaxCandidates …], their count into counts[q]
// (group < −1000: unfiltered).
template <typename T>
__global__ void candidates_kernel(uint64_t grid, const wp::vec_t<3, T>* queries, int n, T radius, int group,
                                  int32_t* out, int32_t* counts) {
  for (int q = blockIdx.x * blockDim.x + threadIdx.x; q < n; q += gridDim.x * blockDim.x) {
    auto it = group < -1000 ? wp::hash_grid_query(grid, queries[q], radius)
                            : wp::hash_grid_query(grid, queries[q], radius, group);
    int32_t j = 0, c = 0;
    while (wp::hash_grid_query_next(it, j)) {
      if (c < kMaxCandidates) out[q * kMaxCandidates + c] = j;
      ++c;
    }
    counts[q] = c;
  }
}

class HashGridCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(wp::cuda_built());
    if (wp::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  }
  wp::Device gpu{wp::Device::cuda(0)};
};

std::vector<int32_t> device_point_ids(const wp::HashGrid& grid, int n) {
  wp::array<int32_t> out = wp::zeros<int32_t>({n}, grid.device());
  point_ids_kernel<<<64, 256>>>(grid.id(), n, out.data());
  wp::synchronize();
  return wp::to_host(out);
}

// Candidate lists of every query, computed on the device.
template <typename T>
std::vector<std::vector<int32_t>> device_candidates(const wp::HashGrid& grid, const std::vector<wp::vec_t<3, T>>& qs,
                                                    T radius, int group = -2000) {
  const int n = static_cast<int>(qs.size());
  wp::array<wp::vec_t<3, T>> q = wp::from_host(qs, grid.device());
  wp::array<int32_t> out = wp::zeros<int32_t>({int64_t{n} * kMaxCandidates}, grid.device());
  wp::array<int32_t> counts = wp::zeros<int32_t>({n}, grid.device());
  candidates_kernel<T><<<64, 128>>>(grid.id(), q.data(), n, radius, group, out.data(), counts.data());
  wp::synchronize();
  const std::vector<int32_t> flat = wp::to_host(out), c = wp::to_host(counts);
  std::vector<std::vector<int32_t>> lists(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    EXPECT_LE(c[i], kMaxCandidates) << "query " << i << " has too many candidates for the test buffer";
    lists[i].assign(flat.begin() + int64_t{i} * kMaxCandidates, flat.begin() + int64_t{i} * kMaxCandidates + c[i]);
  }
  return lists;
}

TEST_F(HashGridCuda, SortedOrderAndCandidatesEqualTheCpuGrid) {
  const struct {
    PointSet kind;
    int n, dim;
    float width, radius;
  } cases[] = {{PointSet::Uniform, 20000, 32, 0.125f, 0.125f},
               {PointSet::Clustered, 20000, 64, 0.05f, 0.05f},
               {PointSet::FarAway, 5000, 16, 50.0f, 60.0f},
               {PointSet::OnBoundaries, 3000, 8, 0.25f, 0.25f}};
  int c = 0;
  for (const auto& k : cases) {
    const std::vector<wp::vec3> pts = make_points(k.kind, k.n, 100 + c);
    wp::HashGrid cpu(k.dim, k.dim, k.dim), dev(k.dim, k.dim, k.dim, gpu);
    cpu.build(wp::from_host(pts, wp::Device()), k.width);
    dev.build(wp::from_host(pts, gpu), k.width);
    std::vector<int32_t> want_ids(static_cast<std::size_t>(k.n));
    for (int i = 0; i < k.n; ++i) want_ids[i] = wp::hash_grid_point_id(cpu.id(), i);
    ASSERT_EQ(device_point_ids(dev, k.n), want_ids) << "case " << c;
    std::vector<wp::vec3> queries;
    for (int i = 0; i < k.n; i += 17) queries.push_back(pts[static_cast<std::size_t>(i)]);
    const auto got = device_candidates<float>(dev, queries, k.radius);
    for (std::size_t q = 0; q < queries.size(); ++q) {
      ASSERT_EQ(got[q], host_candidates(cpu.id(), queries[q], k.radius)) << "case " << c << " query " << q;
    }
    ++c;
  }
}

TEST_F(HashGridCuda, GroupedAndFloat64BuildsEqualTheCpuGrid) {
  const std::vector<wp::vec3> pts = make_points(PointSet::Clustered, 30000, 3);
  std::vector<int32_t> groups(pts.size());
  for (std::size_t i = 0; i < groups.size(); ++i) groups[i] = int32_t(i * 2654435761u % 7) - 3;
  wp::HashGrid cpu(32, 32, 32), dev(32, 32, 32, gpu);
  cpu.build(wp::from_host(pts, wp::Device()), 0.05, wp::from_host(groups, wp::Device()));
  dev.build(wp::from_host(pts, gpu), 0.05, wp::from_host(groups, gpu));
  std::vector<wp::vec3> queries;
  for (std::size_t i = 0; i < pts.size(); i += 29) queries.push_back(pts[i]);
  for (int g : {-3, 0, 3}) {
    const auto got = device_candidates<float>(dev, queries, 0.05f, g);
    for (std::size_t q = 0; q < queries.size(); ++q) {
      std::vector<int32_t> want;
      wp::hash_grid_query_t it = wp::hash_grid_query(cpu.id(), queries[q], 0.05f, g);
      int32_t j = 0;
      while (wp::hash_grid_query_next(it, j)) want.push_back(j);
      ASSERT_EQ(got[q], want) << "group " << g << " query " << q;
    }
  }
  std::vector<wp::vec3d> pd;
  for (const wp::vec3& p : pts) pd.push_back({{p[0] * 1.0, p[1] * 1.0, p[2] * 1.0}});
  wp::HashGrid cpud(16, 16, 16, wp::Device(), wp::HashGridDtype::Float64);
  wp::HashGrid devd(16, 16, 16, gpu, wp::HashGridDtype::Float64);
  cpud.build(wp::from_host(pd, wp::Device()), 0.1);
  devd.build(wp::from_host(pd, gpu), 0.1);
  std::vector<wp::vec3d> qd(pd.begin(), pd.begin() + 500);
  const auto got = device_candidates<double>(devd, qd, 0.1);
  for (std::size_t q = 0; q < qd.size(); ++q) {
    std::vector<int32_t> want;
    wp::hash_grid_query_d_t it = wp::hash_grid_query(cpud.id(), qd[q], 0.1);
    int32_t j = 0;
    while (wp::hash_grid_query_next(it, j)) want.push_back(j);
    ASSERT_EQ(got[q], want) << "float64 query " << q;
  }
}

TEST_F(HashGridCuda, RebuildsAndReserveKeepTheId) {
  wp::HashGrid grid(16, 16, 16, gpu);
  const uint64_t id = grid.id();
  grid.reserve(50000);
  const std::vector<wp::vec3> a = make_points(PointSet::Uniform, 40000, 8), b = make_points(PointSet::Uniform, 100, 9);
  grid.build(wp::from_host(a, gpu), 0.25);
  grid.build(wp::from_host(b, gpu), 0.25);
  EXPECT_EQ(grid.id(), id);
  EXPECT_EQ(grid.num_points(), 100);
  wp::HashGrid cpu(16, 16, 16);
  cpu.build(wp::from_host(b, wp::Device()), 0.25);
  std::vector<int32_t> want(100);
  for (int i = 0; i < 100; ++i) want[i] = wp::hash_grid_point_id(cpu.id(), i);
  EXPECT_EQ(device_point_ids(grid, 100), want);
}

TEST_F(HashGridCuda, PointsOnAnotherDeviceAreAnError) {
  wp::HashGrid grid(4, 4, 4, gpu);
  const std::vector<wp::vec3> pts = {{{0, 0, 0}}};
  EXPECT_NE(error_of([&] { grid.build(wp::from_host(pts, wp::Device()), 1.0); }).find("points is on device"),
            std::string::npos);
}

}  // namespace
