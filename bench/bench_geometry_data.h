// bench_geometry_data.h — the deterministic mesh and query sets of the geometry benchmark
// (bench/geometry_bench.cpp). Documented exactly so the same data can be rebuilt elsewhere;
// geometry_bench --dump DIR also writes it as raw little-endian files for
// bench/warp_geometry_bench.py, which runs NVIDIA Warp on the very same data.
//
// Contract:
//  * Random numbers: splitmix64 (state += 0x9E3779B97F4A7C15; z = state; z = (z ^ (z >> 30)) *
//    0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB; return z ^ (z >> 31)), and
//    uniform(lo, hi) = lo + (hi − lo) · (next() >> 11) · 2^−53, evaluated in double, stored as
//    float.
//  * torus(nu, nv, seed): major radius 1, minor radius 0.4, centred at the origin, axis z.
//    Vertex (i, j), i < nu around the axis, j < nv around the tube: angles a = 2πi/nu,
//    b = 2πj/nv; tube radius r = 0.4 · (1 + uniform(−0.02, 0.02)) drawn per vertex in the
//    order i-major, j-minor; position ((1 + r cos b) cos a, (1 + r cos b) sin a, r sin b).
//    Quad (i, j) → triangles (v00, v10, v11) and (v00, v11, v01), v_di_dj = vertex((i+di) mod
//    nu, (j+dj) mod nv), index = i·nv + j: closed, watertight, outward-facing, 2·nu·nv
//    triangles. The benchmark sizes: 128 × 128 (32,768 triangles, ≈ 2^15) and 1024 × 512
//    (1,048,576 triangles, 2^20).
//  * points(n, seed 2): uniform in the torus's bounding box [−1.4, 1.4]² × [−0.4, 0.4] scaled
//    by 1.5 about its centre, x, y, z drawn in that order per point.
//  * rays(n, seed 3): origin uniform in that same box; direction = normalize(target − origin),
//    target uniform in [−1, 1]² × [−0.2, 0.2] (drawn after the origin), so most rays hit.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "wp/types.h"

namespace bench_geometry {

struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * double(next() >> 11) * 0x1.0p-53; }
};

struct MeshData {
  std::vector<wp::vec3> points;
  std::vector<int32_t> indices;
};

inline MeshData torus(int nu, int nv, uint64_t seed = 1) {
  const double kPi = 3.14159265358979323846;
  SplitMix64 rng{seed};
  MeshData m;
  m.points.reserve(size_t(nu) * nv);
  for (int i = 0; i < nu; ++i)
    for (int j = 0; j < nv; ++j) {
      double a = 2 * kPi * i / nu, b = 2 * kPi * j / nv;
      double r = 0.4 * (1 + rng.uniform(-0.02, 0.02));
      double ring = 1 + r * std::cos(b);
      m.points.push_back({float(ring * std::cos(a)), float(ring * std::sin(a)), float(r * std::sin(b))});
    }
  auto v = [&](int i, int j) { return int32_t(((i + nu) % nu) * nv + (j + nv) % nv); };
  m.indices.reserve(size_t(nu) * nv * 6);
  for (int i = 0; i < nu; ++i)
    for (int j = 0; j < nv; ++j) {
      int32_t v00 = v(i, j), v10 = v(i + 1, j), v11 = v(i + 1, j + 1), v01 = v(i, j + 1);
      m.indices.insert(m.indices.end(), {v00, v10, v11, v00, v11, v01});
    }
  return m;
}

inline void box(double lo[3], double hi[3]) {
  const double c[3] = {0, 0, 0}, h[3] = {1.4 * 1.5, 1.4 * 1.5, 0.4 * 1.5};
  for (int k = 0; k < 3; ++k) lo[k] = c[k] - h[k], hi[k] = c[k] + h[k];
}

inline std::vector<wp::vec3> points(int n, uint64_t seed = 2) {
  double lo[3], hi[3];
  box(lo, hi);
  SplitMix64 rng{seed};
  std::vector<wp::vec3> p(n);
  for (auto& q : p)
    for (int k = 0; k < 3; ++k) q[k] = float(rng.uniform(lo[k], hi[k]));
  return p;
}

inline void rays(int n, std::vector<wp::vec3>& origins, std::vector<wp::vec3>& dirs, uint64_t seed = 3) {
  double lo[3], hi[3];
  box(lo, hi);
  const double tlo[3] = {-1, -1, -0.2}, thi[3] = {1, 1, 0.2};
  SplitMix64 rng{seed};
  origins.resize(n);
  dirs.resize(n);
  for (int i = 0; i < n; ++i) {
    double o[3], t[3];
    for (int k = 0; k < 3; ++k) o[k] = rng.uniform(lo[k], hi[k]);
    for (int k = 0; k < 3; ++k) t[k] = rng.uniform(tlo[k], thi[k]);
    double d[3] = {t[0] - o[0], t[1] - o[1], t[2] - o[2]};
    double len = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    if (len == 0) d[0] = 1, len = 1;
    origins[i] = {float(o[0]), float(o[1]), float(o[2])};
    dirs[i] = {float(d[0] / len), float(d[1] / len), float(d[2] / len)};
  }
}

}  // namespace bench_geometry
