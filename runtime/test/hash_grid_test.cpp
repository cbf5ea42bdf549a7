// hash_grid_test.cpp — wp::HashGrid on the CPU: candidate lists of queries (walked through the
// builtins on the host) checked against brute-force neighbour search on uniform, clustered,
// far-away and cell-boundary point sets, radii below and above the cell width, wrap-around,
// grouped builds, float64 and float16 grids, rebuilds, reserve, hash_grid_point_id, the sorted
// order's independence of the thread count, and every argument error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "hash_grid_test_util.h"
#include "test_util.h"
#include "wp/wp.h"

namespace {

using wp_test::check_candidates;
using wp_test::error_of;
using wp_test::host_candidates;
using wp_test::make_points;
using wp_test::PointSet;

wp::array<wp::vec3> to_array(const std::vector<wp::vec3>& pts) {
  return wp::from_host(pts, wp::Device());
}

struct Case {
  PointSet kind;
  int dims[3];
  float width;
  float radius;
};

TEST(HashGrid, CandidatesCoverEveryNeighbourOnceInCellOrder) {
  const Case cases[] = {
      {PointSet::Uniform, {16, 16, 16}, 0.25f, 0.25f},    // radius = cell width
      {PointSet::Uniform, {8, 8, 8}, 0.25f, 0.6f},        // radius > cell width
      {PointSet::Uniform, {32, 32, 32}, 0.25f, 0.1f},     // radius < cell width
      {PointSet::Clustered, {16, 16, 16}, 0.1f, 0.1f},
      {PointSet::FarAway, {16, 16, 16}, 50.0f, 60.0f},    // coordinates wrap many times
      {PointSet::OnBoundaries, {8, 8, 8}, 0.25f, 0.25f},  // points on cell faces
      {PointSet::Uniform, {3, 5, 2}, 0.25f, 0.4f},        // small odd dims: queries cut to dim cells
      {PointSet::Uniform, {4, 4, 4}, 0.25f, 3.0f},        // radius spanning the whole grid
  };
  int c = 0;
  for (const Case& k : cases) {
    const std::vector<wp::vec3> pts = make_points(k.kind, 3000, 17 + c);
    wp::HashGrid grid(k.dims[0], k.dims[1], k.dims[2]);
    grid.build(to_array(pts), k.width);
    EXPECT_EQ(grid.num_points(), 3000);
    EXPECT_DOUBLE_EQ(grid.cell_width(), k.width);
    for (int q = 0; q < 3000; q += 7) {
      const wp::vec3& p = pts[static_cast<std::size_t>(q)];
      const std::string where = "case " + std::to_string(c) + " query " + std::to_string(q);
      check_candidates(pts, p, k.radius, k.width, k.dims, host_candidates(grid.id(), p, k.radius), where);
      if (HasFatalFailure()) return;
    }
    ++c;
  }
}

TEST(HashGrid, FindsWarpsDocumentedNeighbourCounts) {
  // Warp's documentation example: counts of points within 0.3, cell width 0.3, 8³ cells.
  const std::vector<wp::vec3> pts = {{{0, 0, 0}}, {{0.1f, 0, 0}}, {{0.5f, 0, 0}}, {{2.0f, 0, 0}}};
  wp::HashGrid grid(8, 8, 8);
  grid.build(to_array(pts), 0.3);
  std::vector<int> counts;
  for (const wp::vec3& p : pts) {
    int n = 0;
    for (int32_t j : host_candidates(grid.id(), p, 0.3f)) n += wp_test::distance(p, pts[j]) <= 0.3 ? 1 : 0;
    counts.push_back(n);
  }
  EXPECT_EQ(counts, (std::vector<int>{2, 2, 1, 1}));
}

TEST(HashGrid, NegativeCoordinatesUseFloorNotTruncation) {
  // −0.1 and +0.1 are in different cells (−1 and 0): a zero-radius query at −0.1 yields only
  // the points of cell −1 (stored in physical cell dim − 1).
  const std::vector<wp::vec3> pts = {{{-0.1f, 0.05f, 0.05f}}, {{0.1f, 0.05f, 0.05f}}};
  wp::HashGrid grid(4, 4, 4);
  grid.build(to_array(pts), 0.5);
  EXPECT_EQ(host_candidates(grid.id(), pts[0], 0.0f), (std::vector<int32_t>{0}));
  EXPECT_EQ(host_candidates(grid.id(), pts[1], 0.0f), (std::vector<int32_t>{1}));
  // Cell −1 wraps onto cell 3: a point at x = 1.6 (cell 3) shares its bucket.
  const std::vector<wp::vec3> wrapped = {{{-0.1f, 0.05f, 0.05f}}, {{1.6f, 0.05f, 0.05f}}};
  grid.build(to_array(wrapped), 0.5);
  EXPECT_EQ(host_candidates(grid.id(), wrapped[0], 0.0f), (std::vector<int32_t>{0, 1}));
}

TEST(HashGrid, NonFinitePointsLandInDefinedCells) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<wp::vec3> pts = {{{nan, nan, nan}}, {{inf, -inf, 0}}, {{0.1f, 0.1f, 0.1f}}};
  wp::HashGrid grid(4, 4, 4);
  grid.build(to_array(pts), 1.0);
  // NaN coordinates map to cell 0, like the point at 0.1.
  EXPECT_EQ(host_candidates(grid.id(), pts[2], 0.0f), (std::vector<int32_t>{0, 2}));
  // A query covering every cell yields every point exactly once.
  std::vector<int32_t> all = host_candidates(grid.id(), {{0, 0, 0}}, 100.0f);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<int32_t>{0, 1, 2}));
}

TEST(HashGrid, GroupedQueriesVisitOnlyTheirGroup) {
  const std::vector<wp::vec3> pts = make_points(PointSet::Clustered, 2000, 5);
  std::vector<int32_t> groups(pts.size());
  for (std::size_t i = 0; i < groups.size(); ++i) groups[i] = i % 3 == 0 ? -7 : int32_t(i % 5);  // any int32
  wp::HashGrid grid(16, 16, 16);
  grid.build(to_array(pts), 0.1, wp::from_host(groups, wp::Device()));
  EXPECT_TRUE(grid.has_groups());
  const int dims[3] = {16, 16, 16};
  for (int q = 0; q < 2000; q += 11) {
    const wp::vec3& p = pts[static_cast<std::size_t>(q)];
    const std::vector<int32_t> all = host_candidates(grid.id(), p, 0.15f);
    // Unfiltered on a grouped grid: within a cell, group order (as uint32) comes first.
    check_candidates(pts, p, 0.15f, 0.1f, dims, all, "query " + std::to_string(q), false);
    if (HasFatalFailure()) return;
    std::map<int32_t, std::vector<int32_t>> by_group;
    for (int32_t j : all) by_group[groups[static_cast<std::size_t>(j)]].push_back(j);
    for (int32_t g : {-7, 0, 1, 2, 3, 4, 99}) {
      std::vector<int32_t> got;
      wp::hash_grid_query_t it = wp::hash_grid_query(grid.id(), p, 0.15f, g);
      int32_t j = -1;
      while (wp::hash_grid_query_next(it, j)) got.push_back(j);
      std::vector<int32_t> want = by_group[g];
      std::sort(want.begin(), want.end());
      std::sort(got.begin(), got.end());
      ASSERT_EQ(got, want) << "query " << q << " group " << g;
    }
  }
}

TEST(HashGrid, GroupFilterOnAnUngroupedGridVisitsEveryPoint) {
  const std::vector<wp::vec3> pts = make_points(PointSet::Uniform, 500, 9);
  wp::HashGrid grid(8, 8, 8);
  grid.build(to_array(pts), 0.5);
  wp::hash_grid_query_t it = wp::hash_grid_query(grid.id(), pts[0], 0.5f, 3);
  std::vector<int32_t> got;
  int32_t j = -1;
  while (wp::hash_grid_query_next(it, j)) got.push_back(j);
  EXPECT_EQ(got, host_candidates(grid.id(), pts[0], 0.5f));
}

TEST(HashGrid, Float64AndFloat16GridsMatchTheirPrecision) {
  const std::vector<wp::vec3> pts = make_points(PointSet::Uniform, 1500, 23);
  std::vector<wp::vec3d> pd;
  std::vector<wp::vec3h> ph;
  for (const wp::vec3& p : pts) {
    pd.push_back({{double(p[0]), double(p[1]), double(p[2])}});
    ph.push_back({{wp::half(p[0]), wp::half(p[1]), wp::half(p[2])}});
  }
  wp::HashGrid gd(8, 8, 8, wp::Device(), wp::HashGridDtype::Float64);
  gd.build(wp::from_host(pd, wp::Device()), 0.25);
  wp::HashGrid gh(8, 8, 8, wp::Device(), wp::HashGridDtype::Float16);
  gh.build(wp::from_host(ph, wp::Device()), 0.25);
  for (int q = 0; q < 1500; q += 13) {
    std::vector<int32_t> d, h;
    wp::hash_grid_query_d_t qd = wp::hash_grid_query(gd.id(), pd[q], 0.25);
    int32_t j = -1;
    while (wp::hash_grid_query_next(qd, j)) d.push_back(j);
    wp::hash_grid_query_h_t qh = wp::hash_grid_query(gh.id(), ph[q], wp::half(0.25f));
    while (wp::hash_grid_query_next(qh, j)) h.push_back(j);
    for (std::size_t i = 0; i < pts.size(); ++i) {
      double dist = 0, disth = 0;
      for (int k = 0; k < 3; ++k) {
        dist += (pd[i][k] - pd[q][k]) * (pd[i][k] - pd[q][k]);
        const double e = double(float(ph[i][k])) - double(float(ph[q][k]));
        disth += e * e;
      }
      if (std::sqrt(dist) <= 0.25 * (1 - 1e-9)) ASSERT_TRUE(std::count(d.begin(), d.end(), int32_t(i))) << q;
      if (std::sqrt(disth) <= 0.25 * 0.99) ASSERT_TRUE(std::count(h.begin(), h.end(), int32_t(i))) << q;
    }
  }
}

TEST(HashGrid, UnbuiltGridYieldsNothingAndPointIdIsMinusOne) {
  wp::HashGrid grid(4, 4, 4);
  EXPECT_EQ(grid.num_points(), 0);
  EXPECT_TRUE(host_candidates(grid.id(), {{0, 0, 0}}, 10.0f).empty());
  EXPECT_EQ(wp::hash_grid_point_id(grid.id(), 0), -1);
  grid.reserve(100);
  EXPECT_EQ(wp::hash_grid_point_id(grid.id(), 0), -1);
}

TEST(HashGrid, PointIdIsThePermutationSortedByCell) {
  const std::vector<wp::vec3> pts = make_points(PointSet::Clustered, 4000, 31);
  wp::HashGrid grid(16, 16, 16);
  grid.build(to_array(pts), 0.2);
  std::vector<int32_t> ids;
  for (int k = 0; k < 4000; ++k) ids.push_back(wp::hash_grid_point_id(grid.id(), k));
  std::vector<int32_t> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  for (int k = 0; k < 4000; ++k) ASSERT_EQ(sorted[k], k) << "not a permutation";
  int32_t prev_cell = -1, prev_id = -1;
  for (int32_t id : ids) {
    const int32_t cell = wp::hash_grid_detail::point_cell(pts[id], 1.0f / 0.2f, 16, 16, 16);
    ASSERT_GE(cell, prev_cell) << "cells out of order";
    if (cell == prev_cell) ASSERT_GT(id, prev_id) << "indices within a cell out of order";
    prev_cell = cell;
    prev_id = id;
  }
}

TEST(HashGrid, RebuildsKeepTheIdAndReflectNewPoints) {
  wp::HashGrid grid(8, 8, 8);
  const uint64_t id = grid.id();
  const std::vector<wp::vec3> big = make_points(PointSet::Uniform, 5000, 1);
  const std::vector<wp::vec3> small = {{{0.1f, 0.1f, 0.1f}}, {{0.12f, 0.1f, 0.1f}}};
  grid.build(to_array(big), 0.25);
  grid.build(to_array(small), 0.5);
  EXPECT_EQ(grid.id(), id);
  EXPECT_EQ(grid.num_points(), 2);
  std::vector<int32_t> all = host_candidates(id, {{0, 0, 0}}, 100.0f);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<int32_t>{0, 1}));
  grid.build(to_array({}), 0.5);  // empty builds are allowed
  EXPECT_TRUE(host_candidates(id, {{0, 0, 0}}, 100.0f).empty());
}

TEST(HashGrid, SortedOrderDoesNotDependOnTheThreadCount) {
  // 70,000 points: several radix-sort blocks. The order is unique by construction; checked
  // here against a std::stable_sort of the cells.
  const std::vector<wp::vec3> pts = make_points(PointSet::Uniform, 70000, 77);
  wp::HashGrid grid(32, 32, 32);
  grid.build(to_array(pts), 0.125);
  std::vector<int32_t> want(pts.size());
  for (std::size_t i = 0; i < want.size(); ++i) want[i] = int32_t(i);
  std::stable_sort(want.begin(), want.end(), [&](int32_t a, int32_t b) {
    return wp::hash_grid_detail::point_cell(pts[a], 8.0f, 32, 32, 32) <
           wp::hash_grid_detail::point_cell(pts[b], 8.0f, 32, 32, 32);
  });
  for (int k = 0; k < 70000; ++k) ASSERT_EQ(wp::hash_grid_point_id(grid.id(), k), want[k]) << k;
}

TEST(HashGrid, ArgumentErrorsNameTheArgument) {
  EXPECT_NE(error_of([] { wp::HashGrid g(0, 4, 4); }).find("dimensions must be positive"), std::string::npos);
  EXPECT_NE(error_of([] { wp::HashGrid g(2048, 2048, 2048); }).find("cells is more than"), std::string::npos);
  wp::HashGrid grid(4, 4, 4);
  const auto pts = to_array({{{0, 0, 0}}});
  EXPECT_NE(error_of([&] { grid.build(pts, 0.0); }).find("radius"), std::string::npos);
  EXPECT_NE(error_of([&] { grid.build(pts, std::nan("")); }).find("radius"), std::string::npos);
  EXPECT_NE(error_of([&] { grid.build(wp::array<wp::vec3>(), 1.0); }).find("null array"), std::string::npos);
  EXPECT_NE(error_of([&] { grid.build(wp::zeros<wp::vec3>({2, 2}), 1.0); }).find("must be 1-D"), std::string::npos);
  const std::vector<wp::vec3d> pd = {{{0, 0, 0}}};
  EXPECT_NE(error_of([&] { grid.build(wp::from_host(pd, wp::Device()), 1.0); }).find("vec3d"),
            std::string::npos);
  const std::vector<int32_t> two_groups = {0, 1};
  EXPECT_NE(error_of([&] { grid.build(pts, 1.0, wp::from_host(two_groups, wp::Device())); })
                .find("groups has 2 entries"),
            std::string::npos);
  EXPECT_NE(error_of([&] { grid.reserve(-1); }).find("num_points"), std::string::npos);
  wp::HashGrid moved = std::move(grid);
  EXPECT_NE(error_of([&] { (void)grid.id(); }).find("moved from"), std::string::npos);
  EXPECT_NO_THROW((void)moved.id());
}

}  // namespace
