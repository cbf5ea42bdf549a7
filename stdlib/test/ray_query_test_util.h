// ray_query_test_util.h — host-side fixtures for ray_query_test.cpp / .cu: meshes (UV sphere,
// cube, open sheet), BVHs built by the test itself per wp/builtins/geometry_types.h (one leaf
// with every item, or a median-split tree with padded — looser than tight — node boxes, with
// optional groups), and double-precision brute-force references.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

#include "wp/builtins.h"

namespace rqtest {

using v3 = wp::vec_t<3, float>;

inline v3 V(double x, double y, double z) { return v3{{float(x), float(y), float(z)}}; }

struct HostBvh {
  std::vector<wp::BvhNode> nodes;
  std::vector<int32_t> items;
  std::vector<v3> lowers, uppers;
  std::vector<int32_t> group_roots;
  int32_t root = -1;
  wp::BvhDesc desc;

  void finalize() {
    desc.magic = wp::kBvhMagic;
    desc.device = -1;
    desc.nodes = nodes.data();
    desc.num_nodes = int32_t(nodes.size());
    desc.root = root;
    desc.items = items.data();
    desc.item_lowers = lowers.data();
    desc.item_uppers = uppers.data();
    desc.num_items = int32_t(lowers.size());
    desc.num_groups = int32_t(group_roots.size());
    desc.group_roots = group_roots.empty() ? nullptr : group_roots.data();
  }
  uint64_t id() const { return reinterpret_cast<uint64_t>(&desc); }
};

enum class TreeKind { kOneLeaf, kMedian1, kMedian3 };

inline int32_t build_rec(HostBvh& b, std::vector<int32_t>& ids, int lo, int hi, int leaf_size, float pad) {
  v3 blo = V(1e30, 1e30, 1e30), bhi = V(-1e30, -1e30, -1e30);
  for (int i = lo; i < hi; ++i)
    for (int k = 0; k < 3; ++k) {
      blo.c[k] = std::min(blo.c[k], b.lowers[ids[i]].c[k] - pad);
      bhi.c[k] = std::max(bhi.c[k], b.uppers[ids[i]].c[k] + pad);
    }
  const int32_t me = int32_t(b.nodes.size());
  b.nodes.push_back(wp::BvhNode{blo, 0, bhi, 0});
  if (hi - lo <= leaf_size) {
    const int32_t first = int32_t(b.items.size());
    for (int i = lo; i < hi; ++i) b.items.push_back(ids[i]);
    b.nodes[me].left = first;
    b.nodes[me].right = -(hi - lo);
    return me;
  }
  int axis = 0;
  for (int k = 1; k < 3; ++k)
    if (bhi.c[k] - blo.c[k] > bhi.c[axis] - blo.c[axis]) axis = k;
  const int mid = (lo + hi) / 2;
  auto centre = [&](int32_t i) { return b.lowers[i].c[axis] + b.uppers[i].c[axis]; };
  std::nth_element(ids.begin() + lo, ids.begin() + mid, ids.begin() + hi,
                   [&](int32_t x, int32_t y) { return centre(x) < centre(y) || (centre(x) == centre(y) && x < y); });
  const int32_t l = build_rec(b, ids, lo, mid, leaf_size, pad);
  const int32_t r = build_rec(b, ids, mid, hi, leaf_size, pad);
  b.nodes[me].left = l;
  b.nodes[me].right = r;
  return me;
}

// Joins subtree roots pairwise under new inner nodes (boxes: union, padded).
inline int32_t join(HostBvh& b, std::vector<int32_t> roots, float pad) {
  while (roots.size() > 1) {
    std::vector<int32_t> next;
    for (size_t i = 0; i + 1 < roots.size(); i += 2) {
      const wp::BvhNode& x = b.nodes[roots[i]];
      const wp::BvhNode& y = b.nodes[roots[i + 1]];
      wp::BvhNode n{};
      for (int k = 0; k < 3; ++k) {
        n.lower.c[k] = std::min(x.lower.c[k], y.lower.c[k]) - pad;
        n.upper.c[k] = std::max(x.upper.c[k], y.upper.c[k]) + pad;
      }
      n.left = roots[i];
      n.right = roots[i + 1];
      next.push_back(int32_t(b.nodes.size()));
      b.nodes.push_back(n);
    }
    if (roots.size() % 2) next.push_back(roots.back());
    roots = next;
  }
  return roots.empty() ? -1 : roots[0];
}

// Builds the tree over b.lowers/uppers (already filled). groups: one group id per item, or empty.
inline void build_tree(HostBvh& b, TreeKind kind, float pad, const std::vector<int32_t>& groups = {}, int num_groups = 0) {
  b.nodes.clear();
  b.items.clear();
  b.group_roots.clear();
  const int n = int(b.lowers.size());
  const int leaf = kind == TreeKind::kOneLeaf ? std::max(n, 1) : (kind == TreeKind::kMedian1 ? 1 : 3);
  if (n == 0) {
    b.root = -1;
  } else if (groups.empty()) {
    std::vector<int32_t> ids(n);
    std::iota(ids.begin(), ids.end(), 0);
    b.root = build_rec(b, ids, 0, n, leaf, pad);
  } else {
    std::vector<int32_t> roots;
    b.group_roots.assign(num_groups, -1);
    for (int g = 0; g < num_groups; ++g) {
      std::vector<int32_t> ids;
      for (int i = 0; i < n; ++i)
        if (groups[i] == g) ids.push_back(i);
      if (ids.empty()) continue;
      b.group_roots[g] = build_rec(b, ids, 0, int(ids.size()), leaf, pad);
      roots.push_back(b.group_roots[g]);
    }
    b.root = join(b, roots, pad);
  }
  b.finalize();
}

struct HostMesh {
  std::vector<v3> points;
  std::vector<int32_t> indices;
  std::vector<v3> grad;
  HostBvh bvh;
  wp::MeshDesc desc;

  int num_tris() const { return int(indices.size() / 3); }
  void tri(int f, v3& a, v3& b, v3& c) const {
    a = points[indices[3 * f]];
    b = points[indices[3 * f + 1]];
    c = points[indices[3 * f + 2]];
  }
  void build(TreeKind kind, float pad = 0.0f, const std::vector<int32_t>& groups = {}, int num_groups = 0) {
    const int n = num_tris();
    bvh.lowers.resize(n);
    bvh.uppers.resize(n);
    for (int f = 0; f < n; ++f) {
      v3 a, b, c;
      tri(f, a, b, c);
      for (int k = 0; k < 3; ++k) {
        bvh.lowers[f].c[k] = std::min({a.c[k], b.c[k], c.c[k]});
        bvh.uppers[f].c[k] = std::max({a.c[k], b.c[k], c.c[k]});
      }
    }
    build_tree(bvh, kind, pad, groups, num_groups);
    grad.assign(points.size(), V(0, 0, 0));
    desc.magic = wp::kMeshMagic;
    desc.device = -1;
    desc.bvh = bvh.desc;
    desc.points = points.data();
    desc.points_grad = nullptr;
    desc.indices = indices.data();
    desc.num_points = int32_t(points.size());
    desc.num_tris = n;
  }
  uint64_t id() const { return reinterpret_cast<uint64_t>(&desc); }
};

// Closed UV sphere, outward-facing triangles.
inline std::unique_ptr<HostMesh> make_sphere(int nlat, int nlon, double r, v3 c) {
  auto m = std::make_unique<HostMesh>();
  m->points.push_back(V(c.c[0], c.c[1], c.c[2] + r));
  for (int i = 1; i < nlat; ++i) {
    const double th = M_PI * i / nlat;
    for (int j = 0; j < nlon; ++j) {
      const double ph = 2 * M_PI * j / nlon;
      m->points.push_back(V(c.c[0] + r * std::sin(th) * std::cos(ph), c.c[1] + r * std::sin(th) * std::sin(ph),
                            c.c[2] + r * std::cos(th)));
    }
  }
  m->points.push_back(V(c.c[0], c.c[1], c.c[2] - r));
  const int south = int(m->points.size()) - 1;
  auto ring = [&](int i, int j) { return 1 + (i - 1) * nlon + (j % nlon); };
  for (int j = 0; j < nlon; ++j) m->indices.insert(m->indices.end(), {0, ring(1, j), ring(1, j + 1)});
  for (int i = 1; i < nlat - 1; ++i)
    for (int j = 0; j < nlon; ++j) {
      m->indices.insert(m->indices.end(), {ring(i, j), ring(i + 1, j), ring(i + 1, j + 1)});
      m->indices.insert(m->indices.end(), {ring(i, j), ring(i + 1, j + 1), ring(i, j + 1)});
    }
  for (int j = 0; j < nlon; ++j) m->indices.insert(m->indices.end(), {south, ring(nlat - 1, j + 1), ring(nlat - 1, j)});
  return m;
}

// Unit cube [0,1]^3 (Warp's docstring cube: outward normals).
inline std::unique_ptr<HostMesh> make_cube() {
  auto m = std::make_unique<HostMesh>();
  m->points = {V(0, 0, 0), V(1, 0, 0), V(1, 1, 0), V(0, 1, 0), V(0, 0, 1), V(1, 0, 1), V(1, 1, 1), V(0, 1, 1)};
  m->indices = {0, 3, 2, 0, 2, 1, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 2, 3, 7, 2, 7, 6, 0, 4, 7, 0, 7, 3, 1, 2, 6, 1, 6, 5};
  return m;
}

// Open n×n grid of unit quads in the plane z = 0 over [0, n]², two triangles per quad.
inline std::unique_ptr<HostMesh> make_sheet(int n) {
  auto m = std::make_unique<HostMesh>();
  for (int y = 0; y <= n; ++y)
    for (int x = 0; x <= n; ++x) m->points.push_back(V(x, y, 0));
  auto id = [&](int x, int y) { return y * (n + 1) + x; };
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      m->indices.insert(m->indices.end(), {id(x, y), id(x + 1, y), id(x + 1, y + 1)});
      m->indices.insert(m->indices.end(), {id(x, y), id(x + 1, y + 1), id(x, y + 1)});
    }
  return m;
}

// ---- double-precision references ------------------------------------------------------------

struct D3 {
  double x, y, z;
};
inline D3 d3(const v3& v) { return {v.c[0], v.c[1], v.c[2]}; }
inline D3 operator-(D3 a, D3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
inline D3 operator+(D3 a, D3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
inline D3 operator*(D3 a, double s) { return {a.x * s, a.y * s, a.z * s}; }
inline double dot(D3 a, D3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
inline D3 cross(D3 a, D3 b) { return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x}; }

// Möller–Trumbore in double, boundary inclusive: t, and u, v the weights of a and b.
inline bool ray_tri_ref(const v3& s, const v3& d, const v3& a, const v3& b, const v3& c, double& t, double& u, double& v) {
  const D3 S = d3(s), Dd = d3(d), A = d3(a), B = d3(b), C = d3(c);
  // S + t D = u A + v B + (1-u-v) C  →  -t D + u (A-C) + v (B-C) = S - C
  const D3 e1 = A - C, e2 = B - C, rhs = S - C, nd = Dd * -1.0;
  const double det = dot(nd, cross(e1, e2));
  if (std::fabs(det) < 1e-300) return false;
  t = dot(rhs, cross(e1, e2)) / det;
  u = dot(nd, cross(rhs, e2)) / det;
  v = dot(nd, cross(e1, rhs)) / det;
  return u >= 0 && v >= 0 && u + v <= 1;
}

inline double point_seg_d2(D3 p, D3 a, D3 b) {
  const D3 ab = b - a;
  const double l = dot(ab, ab);
  double s = l > 0 ? dot(p - a, ab) / l : 0;
  s = std::clamp(s, 0.0, 1.0);
  const D3 q = p - (a + ab * s);
  return dot(q, q);
}

// Squared distance point–triangle in double: the plane distance when the projection is inside,
// else the nearest edge.
inline double point_tri_d2(const v3& pp, const v3& aa, const v3& bb, const v3& cc) {
  const D3 p = d3(pp), a = d3(aa), b = d3(bb), c = d3(cc);
  const D3 n = cross(b - a, c - a);
  const double nn = dot(n, n);
  if (nn > 0) {
    const double w0 = dot(cross(b - p, c - p), n), w1 = dot(cross(c - p, a - p), n), w2 = dot(cross(a - p, b - p), n);
    if (w0 >= 0 && w1 >= 0 && w2 >= 0) {
      const double h = dot(p - a, n);
      return h * h / nn;
    }
  }
  return std::min({point_seg_d2(p, a, b), point_seg_d2(p, b, c), point_seg_d2(p, c, a)});
}

// Ray/box slab test in double; parallel axes: strictly inside (strict) or inclusive.
inline bool ray_box_ref(const v3& s, const v3& d, const v3& lo, const v3& hi, bool strict, double& tmin, double& tmax) {
  tmin = -INFINITY;
  tmax = INFINITY;
  for (int k = 0; k < 3; ++k) {
    if (d.c[k] != 0) {
      double t1 = (double(lo.c[k]) - s.c[k]) / d.c[k], t2 = (double(hi.c[k]) - s.c[k]) / d.c[k];
      if (t1 > t2) std::swap(t1, t2);
      tmin = std::max(tmin, t1);
      tmax = std::min(tmax, t2);
    } else if (strict ? !(lo.c[k] < s.c[k] && s.c[k] < hi.c[k]) : !(lo.c[k] <= s.c[k] && s.c[k] <= hi.c[k])) {
      return false;
    }
  }
  return tmax >= tmin && tmax >= 0;
}

inline double sphere_box_d2(const v3& p, const v3& lo, const v3& hi) {
  double d2 = 0;
  for (int k = 0; k < 3; ++k) {
    double e = 0;
    if (p.c[k] < lo.c[k]) e = double(lo.c[k]) - p.c[k];
    if (p.c[k] > hi.c[k]) e = double(p.c[k]) - hi.c[k];
    d2 += e * e;
  }
  return d2;
}

}  // namespace rqtest
