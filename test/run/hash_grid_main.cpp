// hash_grid_main.cpp — run test of the hash-grid queries (hash_grid.wp) on a wp::HashGrid built
// by the runtime on the test's device, against brute-force neighbour search in float64.
//
// Point sets (seeded LCG): 6,000 uniform points in [−1, 1]³ with a 16³ grid (cell 0.125, so
// coordinates wrap); 4,000 clustered points (8 blobs) with a 4³ grid and a radius larger than
// the cell; 3,000 points in float64. What is compared:
//  * neighbour counts (distance ≤ r in float32 as the kernel computes it; pairs within 1e-5 of
//    r are not compared) and the float64 sum of neighbour positions (within 1e-4), by the `for`
//    form launched in hash_grid_point_id order — which must be a permutation (every count is
//    written exactly once);
//  * the `while` form gives the same counts, and its candidate counts equal the number of
//    points in the cells the query box covers (counted by brute force over cells);
//  * grouped queries: counts equal brute force restricted to the group, and no candidate of
//    another group appears;
//  * float64 grid: counts equal brute force in float64, also when the query is passed to a
//    function taking `wp.HashGridQuery[wp.float64]`;
//  * pair_energy backward: d(energy)/d(points) equals the analytic float64 gradient of the
//    smooth pair potential (relative 2e-3 of the largest gradient component).
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "hash_grid.wp.h"
#include "run_check.h"
#include "wp/hash_grid.h"

namespace {

using run::Rng;

std::vector<wp::vec3> uniform_points(int n, uint64_t seed) {
  Rng rng{seed};
  std::vector<wp::vec3> p(static_cast<std::size_t>(n));
  for (auto& v : p) v = {{float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1))}};
  return p;
}

std::vector<wp::vec3> clustered_points(int n, uint64_t seed) {
  Rng rng{seed};
  std::vector<wp::vec3> centers(8), p(static_cast<std::size_t>(n));
  for (auto& c : centers) c = {{float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1))}};
  for (int i = 0; i < n; ++i) {
    const wp::vec3& c = centers[static_cast<std::size_t>(i % 8)];
    p[static_cast<std::size_t>(i)] = {{c[0] + float(rng.uniform(-0.1, 0.1)), c[1] + float(rng.uniform(-0.1, 0.1)),
                                       c[2] + float(rng.uniform(-0.1, 0.1))}};
  }
  return p;
}

// Distance as the kernel computes it (float32 length of the float32 difference).
float kernel_distance(const wp::vec3& a, const wp::vec3& b) {
  const float dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

int floor_cell(float x, float inv) { return static_cast<int>(std::floor(x * inv)); }

// Points in the physical cells a query box covers (the candidate count), by brute force.
int covered_points(const std::vector<wp::vec3>& pts, const wp::vec3& p, float r, float width, int dim) {
  const float inv = 1.0f / width;
  auto wrap = [dim](int c) { return ((c % dim) + dim) % dim; };
  std::vector<char> covered(static_cast<std::size_t>(dim) * dim * dim, 0);
  int lo[3], hi[3];
  for (int k = 0; k < 3; ++k) {
    lo[k] = floor_cell(p[k] - r, inv);
    hi[k] = floor_cell(p[k] + r, inv);
    if (hi[k] - lo[k] >= dim) hi[k] = lo[k] + dim - 1;
  }
  for (int z = lo[2]; z <= hi[2]; ++z)
    for (int y = lo[1]; y <= hi[1]; ++y)
      for (int x = lo[0]; x <= hi[0]; ++x) covered[(wrap(z) * dim + wrap(y)) * dim + wrap(x)] = 1;
  int n = 0;
  for (const wp::vec3& q : pts) {
    const int c = (wrap(floor_cell(q[2], inv)) * dim + wrap(floor_cell(q[1], inv))) * dim + wrap(floor_cell(q[0], inv));
    n += covered[static_cast<std::size_t>(c)];
  }
  return n;
}

void check_sums_and_counts(run::Check& check, const wp::Device& dev) {
  const int n = 6000, dim = 16;
  const float width = 0.125f, r = 0.1f;
  const std::vector<wp::vec3> pts = uniform_points(n, 7);
  wp::HashGrid grid(dim, dim, dim, dev);
  const wp::array<wp::vec3> p = wp::from_host(pts, dev);
  grid.build(p, width);
  wp::array<int32_t> counts = wp::full<int32_t>({n}, -1, dev), counts_w = wp::zeros<int32_t>({n}, dev),
                     cand = wp::zeros<int32_t>({n}, dev);
  wp::array<wp::vec3> sums = wp::zeros<wp::vec3>({n}, dev);
  hash_grid::neighbour_sums(n, grid.id(), p, r, counts, sums);
  hash_grid::neighbour_counts_while(n, grid.id(), p, r, counts_w, cand);
  const std::vector<int32_t> c = run::fetch(counts), cw = run::fetch(counts_w), cc = run::fetch(cand);
  const std::vector<wp::vec3> s = run::fetch(sums);
  for (int i = 0; i < n; ++i) {
    int want = 0;
    double sum[3] = {0, 0, 0};
    bool borderline = false;
    for (const wp::vec3& q : pts) {
      const float d = kernel_distance(pts[i], q);
      if (std::fabs(d - r) < 1e-5f) borderline = true;
      if (d <= r) {
        ++want;
        for (int k = 0; k < 3; ++k) sum[k] += q[k];
      }
    }
    if (i % 10 == 0) check.eq(run::at("candidates", i), cc[i], covered_points(pts, pts[i], r, width, dim));
    if (borderline) continue;
    check.eq(run::at("count", i), c[i], want);
    check.eq(run::at("count (while)", i), cw[i], want);
    check.near_vec(run::at("sum", i), s[i], sum, 1e-4, 1e-5);
  }
}

void check_groups_and_big_radius(run::Check& check, const wp::Device& dev) {
  const int n = 4000, dim = 4;
  const float width = 0.1f, r = 0.15f;  // radius > cell width; 4 cells per axis: queries wrap
  const std::vector<wp::vec3> pts = clustered_points(n, 11);
  std::vector<int32_t> groups(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) groups[static_cast<std::size_t>(i)] = (i * 7) % 5 - 2;
  wp::HashGrid grid(dim, dim, dim, dev);
  const wp::array<wp::vec3> p = wp::from_host(pts, dev);
  const wp::array<int32_t> g = wp::from_host(groups, dev);
  grid.build(p, width, g);
  wp::array<int32_t> counts = wp::zeros<int32_t>({n}, dev), foreign = wp::zeros<int32_t>({n}, dev);
  hash_grid::group_counts(n, grid.id(), p, g, r, counts, foreign);
  const std::vector<int32_t> c = run::fetch(counts), f = run::fetch(foreign);
  for (int i = 0; i < n; i += 3) {
    int want = 0;
    bool borderline = false;
    for (int j = 0; j < n; ++j) {
      if (groups[static_cast<std::size_t>(j)] != groups[static_cast<std::size_t>(i)]) continue;
      const float d = kernel_distance(pts[i], pts[j]);
      if (std::fabs(d - r) < 1e-5f) borderline = true;
      want += d <= r ? 1 : 0;
    }
    check.eq(run::at("foreign candidates", i), f[i], 0);
    if (!borderline) check.eq(run::at("group count", i), c[i], want);
  }
}

void check_float64(run::Check& check, const wp::Device& dev) {
  const int n = 3000;
  const double r = 0.12;
  const std::vector<wp::vec3> pf = uniform_points(n, 5);
  std::vector<wp::vec3d> pts;
  for (const wp::vec3& v : pf) pts.push_back({{double(v[0]) * 1.5, double(v[1]) * 1.5, double(v[2]) * 1.5}});
  wp::HashGrid grid(8, 8, 8, dev, wp::HashGridDtype::Float64);
  const wp::array<wp::vec3d> p = wp::from_host(pts, dev);
  grid.build(p, 0.1);
  wp::array<int32_t> counts = wp::zeros<int32_t>({n}, dev);
  hash_grid::neighbour_counts_f64(n, grid.id(), p, r, counts);
  wp::array<int32_t> counts_func = wp::zeros<int32_t>({n}, dev);
  hash_grid::neighbour_counts_f64_func(n, grid.id(), p, r, counts_func);
  const std::vector<int32_t> c = run::fetch(counts), cf = run::fetch(counts_func);
  for (int i = 0; i < n; i += 2) {
    int want = 0;
    bool borderline = false;
    for (const wp::vec3d& q : pts) {
      double d2 = 0;
      for (int k = 0; k < 3; ++k) d2 += (pts[i][k] - q[k]) * (pts[i][k] - q[k]);
      const double d = std::sqrt(d2);
      if (std::fabs(d - r) < 1e-12) borderline = true;
      want += d <= r ? 1 : 0;
    }
    if (!borderline) {
      check.eq(run::at("float64 count", i), c[i], want);
      check.eq(run::at("float64 count through a function", i), cf[i], want);
    }
  }
}

void check_pair_energy_gradient(run::Check& check, const wp::Device& dev) {
  const int n = 2000;
  const float r = 0.2f;
  const std::vector<wp::vec3> pts = clustered_points(n, 21);
  wp::HashGrid grid(16, 16, 16, dev);
  const wp::array<wp::vec3> p = wp::from_host(pts, {n}, dev, true);
  grid.build(p, r);
  wp::array<float> energy = wp::zeros<float>({1}, dev, true);
  hash_grid::pair_energy(n, grid.id(), p, r, energy);
  const std::vector<float> one = {1.0f};
  wp::copy(energy.grad_array(), wp::from_host(one, dev));
  hash_grid::pair_energy_backward(n, grid.id(), p, r, energy);
  const std::vector<wp::vec3> g = run::fetch(p.grad_array());
  // E = Σ_i Σ_{j≠i, d<r} w(d), w(d) = (1 − d²/h²)³: each pair twice, so
  // dE/dp_i = 2 Σ_j w'(d_ij) (p_i − p_j)/d_ij, w'(d) = −6 d/h² (1 − d²/h²)².
  double e = 0, largest = 0;
  std::vector<std::array<double, 3>> want(static_cast<std::size_t>(n), {0, 0, 0});
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      double diff[3], d2 = 0;
      for (int k = 0; k < 3; ++k) {
        diff[k] = double(pts[i][k]) - pts[j][k];
        d2 += diff[k] * diff[k];
      }
      const double d = std::sqrt(d2), h2 = double(r) * r;
      if (d >= r) continue;
      const double x = 1 - d2 / h2;
      e += x * x * x;
      const double dw = -6 * d / h2 * x * x;
      for (int k = 0; k < 3; ++k) want[static_cast<std::size_t>(i)][k] += 2 * dw * diff[k] / d;
    }
    for (int k = 0; k < 3; ++k) largest = std::max(largest, std::fabs(want[static_cast<std::size_t>(i)][k]));
  }
  check.near("energy", run::fetch(energy)[0], e, 1e-2, 1e-4);
  for (int i = 0; i < n; ++i) {
    const double w[3] = {want[static_cast<std::size_t>(i)][0], want[static_cast<std::size_t>(i)][1],
                         want[static_cast<std::size_t>(i)][2]};
    check.near_vec(run::at("dE/dp", i), g[static_cast<std::size_t>(i)], w, 2e-3 * largest, 0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "hash_grid", [](run::Check& check, const wp::Device& dev) {
    check_sums_and_counts(check, dev);
    check_groups_and_big_radius(check, dev);
    check_float64(check, dev);
    check_pair_energy_gradient(check, dev);
  });
}
