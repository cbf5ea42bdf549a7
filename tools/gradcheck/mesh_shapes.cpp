// mesh_shapes.cpp — generated meshes for gradcheck's mesh_shape pragma (see mesh_shapes.h).
#include "mesh_shapes.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace gradcheck {

MeshData sphere_mesh(int n, double lo, double hi) {
  if (n < 3) throw std::runtime_error("a sphere mesh needs at least 3 segments");
  const int bands = std::max(2, n / 2);
  const double c = 0.5 * (lo + hi), r = 0.5 * (hi - lo), pi = std::numbers::pi;
  MeshData m;
  m.points.push_back({c, c, c + r});  // north pole: point 0
  for (int k = 1; k < bands; ++k) {    // ring k: points 1 + (k−1)·n + j
    const double theta = pi * k / bands;
    for (int j = 0; j < n; ++j) {
      const double phi = 2.0 * pi * j / n;
      m.points.push_back({c + r * std::sin(theta) * std::cos(phi), c + r * std::sin(theta) * std::sin(phi),
                          c + r * std::cos(theta)});
    }
  }
  const int south = static_cast<int>(m.points.size());
  m.points.push_back({c, c, c - r});
  auto ring = [&](int k, int j) { return 1 + (k - 1) * n + (j % n); };
  auto tri = [&](int a, int b, int d) { m.indices.insert(m.indices.end(), {a, b, d}); };
  for (int j = 0; j < n; ++j) tri(0, ring(1, j), ring(1, j + 1));
  for (int k = 1; k + 1 < bands; ++k) {
    for (int j = 0; j < n; ++j) {
      tri(ring(k, j), ring(k + 1, j), ring(k + 1, j + 1));
      tri(ring(k, j), ring(k + 1, j + 1), ring(k, j + 1));
    }
  }
  for (int j = 0; j < n; ++j) tri(south, ring(bands - 1, j + 1), ring(bands - 1, j));
  m.edge = r * std::min(2.0 * pi / n, pi / bands);
  return m;
}

MeshData grid_mesh(int nx, int ny, double lo, double hi) {
  if (nx < 1 || ny < 1) throw std::runtime_error("a grid mesh needs at least one cell per axis");
  const double dx = (hi - lo) / nx, dy = (hi - lo) / ny, z = 0.5 * (lo + hi);
  MeshData m;
  for (int j = 0; j <= ny; ++j)
    for (int i = 0; i <= nx; ++i) m.points.push_back({lo + i * dx, lo + j * dy, z});
  auto at = [&](int i, int j) { return j * (nx + 1) + i; };
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      m.indices.insert(m.indices.end(), {at(i, j), at(i + 1, j), at(i + 1, j + 1)});
      m.indices.insert(m.indices.end(), {at(i, j), at(i + 1, j + 1), at(i, j + 1)});
    }
  }
  m.edge = std::min(dx, dy);
  return m;
}

void jitter(MeshData& m, double fraction, std::mt19937_64& rng) {
  const double a = fraction * m.edge;
  if (!(a > 0.0)) return;
  std::uniform_real_distribution<double> u(-a, a);
  for (auto& p : m.points)
    for (double& x : p) x += u(rng);
}

std::vector<int32_t> random_triangles(int ntris, int npoints, std::mt19937_64& rng) {
  if (npoints < 3) throw std::runtime_error("random triangles need at least 3 points");
  std::uniform_int_distribution<int32_t> pick(0, npoints - 1);
  std::vector<int32_t> out;
  for (int t = 0; t < ntris; ++t) {
    int32_t a = pick(rng), b = pick(rng), c = pick(rng);
    while (b == a) b = pick(rng);
    while (c == a || c == b) c = pick(rng);
    out.insert(out.end(), {a, b, c});
  }
  return out;
}

}  // namespace gradcheck
