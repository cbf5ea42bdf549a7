// hash_grid_test_util.h — what the CPU and CUDA hash-grid tests share: seeded point sets
// (uniform, clustered, far outside the grid's nominal range, on cell boundaries), the
// candidate lists a grid yields (walked on the host through the builtins), and the property
// checks every list must pass against a brute-force float64 neighbour search.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "wp/builtins/hash_grid.h"
#include "wp/wp.h"

namespace wp_test {

enum class PointSet { Uniform, Clustered, FarAway, OnBoundaries };

// n points of `kind` (seeded): Uniform in [−2, 2]³; Clustered: 8 Gaussian blobs (σ 0.05)
// plus a few stragglers; FarAway: coordinates up to ±1000 (many wraps of the hash);
// OnBoundaries: multiples of the cell width 0.25, including negative ones.
inline std::vector<wp::vec3> make_points(PointSet kind, int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::normal_distribution<float> blob(0.0f, 0.05f);
  std::uniform_int_distribution<int> lattice(-12, 12);
  std::vector<wp::vec3> centers;
  for (int c = 0; c < 8; ++c) centers.push_back({{unit(rng), unit(rng), unit(rng)}});
  std::vector<wp::vec3> pts(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    wp::vec3& p = pts[static_cast<std::size_t>(i)];
    switch (kind) {
      case PointSet::Uniform: p = {{2 * unit(rng), 2 * unit(rng), 2 * unit(rng)}}; break;
      case PointSet::Clustered: {
        if (i % 50 == 0) {
          p = {{3 * unit(rng), 3 * unit(rng), 3 * unit(rng)}};
        } else {
          const wp::vec3& c = centers[static_cast<std::size_t>(i % 8)];
          p = {{c[0] + blob(rng), c[1] + blob(rng), c[2] + blob(rng)}};
        }
        break;
      }
      case PointSet::FarAway: p = {{1000 * unit(rng), 1000 * unit(rng), 1000 * unit(rng)}}; break;
      case PointSet::OnBoundaries:
        p = {{0.25f * lattice(rng), 0.25f * lattice(rng), 0.25f * lattice(rng)}};
        break;
    }
  }
  return pts;
}

// The candidates (original indices, in yield order) of a host-side query.
inline std::vector<int32_t> host_candidates(uint64_t grid, const wp::vec3& p, float r) {
  std::vector<int32_t> out;
  wp::hash_grid_query_t q = wp::hash_grid_query(grid, p, r);
  int32_t j = -1;
  while (wp::hash_grid_query_next(q, j)) out.push_back(j);
  return out;
}

inline double distance(const wp::vec3& a, const wp::vec3& b) {
  double s = 0;
  for (int k = 0; k < 3; ++k) s += (double(a[k]) - b[k]) * (double(a[k]) - b[k]);
  return std::sqrt(s);
}

// Properties of one query's candidate list over `points` (grid cell width `width`, dims
// `dims`): no duplicates; every point within r (float64, with a 1e-5 relative margin for the
// query box's rounding) is a candidate; every candidate lies in a cell the query box covers
// (its coordinates within r + one cell width of p per axis, unless the axis wrapped the
// whole grid); per cell, candidates come in increasing original index (unless index_order
// is false: grouped grids order a cell by group first).
inline void check_candidates(const std::vector<wp::vec3>& points, const wp::vec3& p, float r, float width,
                             const int dims[3], const std::vector<int32_t>& got, const std::string& where,
                             bool index_order = true) {
  std::set<int32_t> seen;
  for (int32_t j : got) {
    ASSERT_TRUE(j >= 0 && j < static_cast<int32_t>(points.size())) << where << ": index " << j;
    ASSERT_TRUE(seen.insert(j).second) << where << ": point " << j << " yielded twice";
  }
  for (int32_t i = 0; i < static_cast<int32_t>(points.size()); ++i) {
    if (distance(points[static_cast<std::size_t>(i)], p) <= r * (1 - 1e-5)) {
      ASSERT_TRUE(seen.count(i)) << where << ": neighbour " << i << " at distance "
                                 << distance(points[static_cast<std::size_t>(i)], p) << " missing";
    }
  }
  for (int32_t j : got) {
    const wp::vec3& q = points[static_cast<std::size_t>(j)];
    const double inv = 1.0 / width;
    const int32_t cell = wp::hash_grid_detail::point_cell(q, 1.0f / width, dims[0], dims[1], dims[2]);
    bool in_box_cell = false;
    // The candidate's physical cell must be one of the physical cells the query box covers.
    const int lo[3] = {int(std::floor((p[0] - r) * inv)) - 1, int(std::floor((p[1] - r) * inv)) - 1,
                       int(std::floor((p[2] - r) * inv)) - 1};
    const int hi[3] = {int(std::floor((p[0] + r) * inv)) + 1, int(std::floor((p[1] + r) * inv)) + 1,
                       int(std::floor((p[2] + r) * inv)) + 1};
    for (int z = lo[2]; z <= hi[2] && !in_box_cell; ++z)
      for (int y = lo[1]; y <= hi[1] && !in_box_cell; ++y)
        for (int x = lo[0]; x <= hi[0] && !in_box_cell; ++x)
          in_box_cell = wp::hash_grid_detail::physical_cell(x, y, z, dims[0], dims[1], dims[2]) == cell;
    ASSERT_TRUE(in_box_cell) << where << ": candidate " << j << " is in no cell near the query";
  }
  for (std::size_t k = 1; index_order && k < got.size(); ++k) {
    const int32_t a = got[k - 1], b = got[k];
    const int32_t ca = wp::hash_grid_detail::point_cell(points[static_cast<std::size_t>(a)], 1.0f / width, dims[0],
                                                        dims[1], dims[2]);
    const int32_t cb = wp::hash_grid_detail::point_cell(points[static_cast<std::size_t>(b)], 1.0f / width, dims[0],
                                                        dims[1], dims[2]);
    if (ca == cb) ASSERT_LT(a, b) << where << ": candidates of one cell out of order";
  }
}

}  // namespace wp_test
