// hash_grid_bench.cpp — wp::HashGrid build and an all-neighbours query (the sum of neighbour
// positions within the radius, bench/hash_grid_queries.wp) on the CPU (all cores) or a CUDA
// device. Not a test: run it by hand and record the numbers in docs/performance.md and
// docs/geometry.md.
//
//   warpc_bench_hash_grid [--device cpu|cuda:0] [--size small|large|both] [--reps R] [--dump DIR]
//
// Contract:
//  * Data: N = 2^17 ("small") or 2^20 ("large") points uniform in the unit cube, from a 64-bit
//    LCG (x ← x·6364136223846793005 + 1442695040888963407, the top 53 bits as a double in
//    [0, 1), three per point, seed 12345); radius r = (24 · 3 / (4π N))^(1/3), so a point has
//    24 neighbours on average; the grid has 128³ cells of width r (N = 2^17: r ≈ 0.0352,
//    N = 2^20: r ≈ 0.0176).
//  * Timed (medians of R repetitions after 2 warm-ups; R = 20 on CUDA, 5 on the CPU; host wall
//    clock around the work followed by wp::synchronize(), as Warp's own wp.launch + synchronize
//    timing): build = HashGrid::build on points already on the device; query = one launch of
//    neighbour_sum over the N points.
//  * Checked before timing: 256 sampled points' sums against brute force over all points in
//    float64 (within 1e-4 · (1 + |sum|)); a mismatch exits 1.
//  * --dump DIR writes <size>_points.f32, <size>_sums.f32 and <size>_meta.txt for
//    warp_hash_grid_bench.py.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_util.h"
#include "hash_grid_queries.wp.h"
#include "wp/hash_grid.h"
#include "wp/wp.h"

namespace {

std::vector<wp::vec3> uniform_points(int n, uint64_t seed) {
  uint64_t s = seed;
  auto next = [&s] {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return double(s >> 11) * 0x1.0p-53;
  };
  std::vector<wp::vec3> p(static_cast<std::size_t>(n));
  for (auto& v : p) {
    const float x = float(next()), y = float(next()), z = float(next());
    v = {{x, y, z}};
  }
  return p;
}

int run(const char* label, int n, const wp::Device& device, int reps, const std::string& dir) {
  const std::vector<wp::vec3> pts = uniform_points(n, 12345);
  const float r = float(std::cbrt(24.0 * 3.0 / (4.0 * 3.14159265358979 * n)));
  const int dim = 128;
  wp::HashGrid grid(dim, dim, dim, device);
  const wp::array<wp::vec3> p = wp::from_host(pts, device);
  wp::array<wp::vec3> out = wp::zeros<wp::vec3>({n}, device);
  grid.build(p, r);
  hash_grid_queries::neighbour_sum(n, grid.id(), p, r, out);
  wp::synchronize();
  const std::vector<wp::vec3> sums = out.to_host();
  int bad = 0;
  for (int s = 0; s < 256; ++s) {
    const int i = int((int64_t(s) * 2654435761ll) % n);
    double want[3] = {0, 0, 0};
    for (const wp::vec3& q : pts) {
      const float dx = q[0] - pts[i][0], dy = q[1] - pts[i][1], dz = q[2] - pts[i][2];
      if (dx * dx + dy * dy + dz * dz <= r * r)
        for (int k = 0; k < 3; ++k) want[k] += q[k];
    }
    for (int k = 0; k < 3; ++k) bad += std::fabs(sums[i][k] - want[k]) > 1e-4 * (1 + std::fabs(want[k]));
  }
  if (bad) {
    std::fprintf(stderr, "%s: %d sampled sums differ from brute force on %s\n", label, bad, device.str().c_str());
    return 1;
  }
  const double build = bench::median_ms(reps, [&] { grid.build(p, r); });
  const double query = bench::median_ms(reps, [&] { hash_grid_queries::neighbour_sum(n, grid.id(), p, r, out); });
  std::printf("%-6s %8d points  radius %.5f  build %8.3f ms  query %8.3f ms   [%s, %d³ cells]\n", label, n, r,
              build, query, device.str().c_str(), dim);
  const std::string s = label;
  bench::dump(dir, s + "_points.f32", pts);
  bench::dump(dir, s + "_sums.f32", sums);
  if (!dir.empty()) {
    FILE* f = std::fopen((dir + "/" + s + "_meta.txt").c_str(), "w");
    if (f) {
      std::fprintf(f, "points %d\nradius %.9g\ndim %d\nbuild_ms %g\nquery_ms %g\n", n, r, dim, build, query);
      std::fclose(f);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string device_name = "cpu", size = "both", dir;
  int reps = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "usage: %s [--device cpu|cuda:0] [--size small|large|both] [--reps R] [--dump DIR]\n",
                   argv[0]);
      return 2;
    }
    const std::string v = argv[++i];
    if (a == "--device") device_name = v;
    else if (a == "--size") size = v;
    else if (a == "--reps") reps = std::atoi(v.c_str());
    else if (a == "--dump") dir = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  try {
    const wp::Device device(device_name);
    if (reps <= 0) reps = device.is_cpu() ? 5 : 20;
    int status = 0;
    if (size == "small" || size == "both") status |= run("small", 1 << 17, device, reps, dir);
    if (size == "large" || size == "both") status |= run("large", 1 << 20, device, reps, dir);
    return status;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
