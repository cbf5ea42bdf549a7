// mesh_query_test.cpp — host tests of wp/builtins/mesh_query.h: closest/furthest point queries
// against double-precision brute force on hand-built meshes (MeshDesc + BVH built here: one
// leaf holding every triangle, and a multi-level median-split tree with loose boxes), the sign
// methods on watertight meshes, watertight ray counting through shared edges and vertices,
// the eval/get builtins, and every adjoint (point and vertex gradients) by central differences.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "wp/builtins.h"

namespace {

using wp::vec3f;
using V = wp::vec_t<3, float>;

struct D3 {
  double x, y, z;
};
D3 d3(const V& v) { return {v.c[0], v.c[1], v.c[2]}; }
D3 operator+(D3 a, D3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
D3 operator-(D3 a, D3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
D3 operator*(D3 a, double s) { return {a.x * s, a.y * s, a.z * s}; }
double dot(D3 a, D3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
D3 cross(D3 a, D3 b) { return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x}; }
double norm(D3 a) { return std::sqrt(dot(a, a)); }
V vf(double x, double y, double z) { return V{{float(x), float(y), float(z)}}; }

// ---- test meshes ----------------------------------------------------------------------------

enum class BvhKind { OneLeaf, Tree };

struct TestMesh {
  std::vector<V> points, velocities, points_grad, velocities_grad;
  std::vector<int32_t> indices;
  std::vector<wp::BvhNode> nodes;
  std::vector<int32_t> items;
  std::vector<V> lowers, uppers;
  std::vector<wp::WindingNode> winding;
  wp::MeshDesc desc;

  int num_tris() const { return int(indices.size() / 3); }
  uint64_t id() const { return reinterpret_cast<uint64_t>(&desc); }

  void tri_box(int f, V& lo, V& hi) const {
    for (int k = 0; k < 3; ++k) {
      lo.c[k] = 1e30f, hi.c[k] = -1e30f;
      for (int j = 0; j < 3; ++j) {
        lo.c[k] = std::min(lo.c[k], points[indices[3 * f + j]].c[k]);
        hi.c[k] = std::max(hi.c[k], points[indices[3 * f + j]].c[k]);
      }
    }
  }

  // Builds nodes over items[first, first + count); returns the node index.
  int build_node(int first, int count, int leaf_size, float pad) {
    const int k = int(nodes.size());
    nodes.push_back({});
    V lo{{1e30f, 1e30f, 1e30f}}, hi{{-1e30f, -1e30f, -1e30f}};
    for (int s = first; s < first + count; ++s)
      for (int c = 0; c < 3; ++c)
        lo.c[c] = std::min(lo.c[c], lowers[items[s]].c[c]), hi.c[c] = std::max(hi.c[c], uppers[items[s]].c[c]);
    for (int c = 0; c < 3; ++c) lo.c[c] -= pad, hi.c[c] += pad;  // looser than tight: allowed
    wp::BvhNode n{};
    n.lower = lo, n.upper = hi;
    if (count <= leaf_size) {
      n.left = first, n.right = -count;
    } else {
      int axis = 0;
      for (int c = 1; c < 3; ++c)
        if (hi.c[c] - lo.c[c] > hi.c[axis] - lo.c[axis]) axis = c;
      std::sort(items.begin() + first, items.begin() + first + count, [&](int a, int b) {
        return lowers[a].c[axis] + uppers[a].c[axis] < lowers[b].c[axis] + uppers[b].c[axis];
      });
      const int half = count / 2;
      const int l = build_node(first, half, leaf_size, pad);
      const int r = build_node(first + half, count - half, leaf_size, pad);
      n.left = l, n.right = r;
    }
    nodes[k] = n;
    return k;
  }

  // Winding data of node k over its triangles.
  void collect(int k, std::vector<int>& tris) const {
    const wp::BvhNode& n = nodes[k];
    if (n.right < 0) {
      for (int s = n.left; s < n.left - n.right; ++s) tris.push_back(items[s]);
    } else {
      collect(n.left, tris), collect(n.right, tris);
    }
  }

  void build(BvhKind kind, bool with_winding = true, float pad = 0.0f) {
    const int nt = num_tris();
    lowers.resize(nt), uppers.resize(nt), items.resize(nt);
    for (int f = 0; f < nt; ++f) tri_box(f, lowers[f], uppers[f]), items[f] = f;
    nodes.clear();
    int root = -1;
    if (nt > 0) root = build_node(0, nt, kind == BvhKind::OneLeaf ? nt : 2, pad);
    winding.assign(nodes.size(), wp::WindingNode{});
    for (size_t k = 0; k < nodes.size(); ++k) {
      std::vector<int> tris;
      collect(int(k), tris);
      D3 na{0, 0, 0}, cen{0, 0, 0};
      double area = 0;
      for (int f : tris) {
        const D3 a = d3(points[indices[3 * f]]), b = d3(points[indices[3 * f + 1]]), c = d3(points[indices[3 * f + 2]]);
        const D3 n = cross(b - a, c - a) * 0.5;
        const double ar = norm(n);
        na = na + n;
        cen = cen + (a + b + c) * (ar / 3.0);
        area += ar;
      }
      if (area > 0) cen = cen * (1.0 / area);
      double rad = 0;
      for (int f : tris)
        for (int j = 0; j < 3; ++j) rad = std::max(rad, norm(d3(points[indices[3 * f + j]]) - cen));
      winding[k].normal_area = vf(na.x, na.y, na.z);
      winding[k].centroid = vf(cen.x, cen.y, cen.z);
      winding[k].radius = float(rad);
      winding[k].area = float(area);
    }
    points_grad.assign(points.size(), V{});
    velocities_grad.assign(points.size(), V{});
    desc = wp::MeshDesc{};
    desc.magic = wp::kMeshMagic;
    desc.device = -1;
    desc.bvh.magic = wp::kBvhMagic;
    desc.bvh.device = -1;
    desc.bvh.nodes = nodes.data();
    desc.bvh.num_nodes = int(nodes.size());
    desc.bvh.root = root;
    desc.bvh.items = items.data();
    desc.bvh.item_lowers = lowers.data();
    desc.bvh.item_uppers = uppers.data();
    desc.bvh.num_items = nt;
    desc.points = points.data();
    desc.points_grad = points_grad.data();
    desc.velocities = velocities.empty() ? nullptr : velocities.data();
    desc.velocities_grad = velocities.empty() ? nullptr : velocities_grad.data();
    desc.indices = indices.data();
    desc.num_points = int(points.size());
    desc.num_tris = nt;
    desc.node_winding = with_winding ? winding.data() : nullptr;
  }
  void clear_grads() {
    std::fill(points_grad.begin(), points_grad.end(), V{});
    std::fill(velocities_grad.begin(), velocities_grad.end(), V{});
  }
};

// Unit-radius icosphere, outward winding.
TestMesh icosphere(int levels) {
  TestMesh m;
  const double t = (1.0 + std::sqrt(5.0)) / 2.0;
  std::vector<D3> p = {{-1, t, 0}, {1, t, 0}, {-1, -t, 0}, {1, -t, 0}, {0, -1, t}, {0, 1, t},
                       {0, -1, -t}, {0, 1, -t}, {t, 0, -1}, {t, 0, 1}, {-t, 0, -1}, {-t, 0, 1}};
  std::vector<int> f = {0, 11, 5, 0, 5,  1,  0, 1, 7, 0, 7,  10, 0, 10, 11, 1, 5, 9, 5, 11, 4,  11, 10, 2,  10, 7, 6, 7, 1, 8,
                        3, 9,  4, 3, 4,  2,  3, 2, 6, 3, 6,  8,  3, 8,  9,  4, 9, 5, 2, 4,  11, 6,  2,  10, 8,  6, 7, 9, 8, 1};
  for (D3& q : p) q = q * (1.0 / norm(q));
  for (int l = 0; l < levels; ++l) {
    std::map<std::pair<int, int>, int> mid;
    auto midpoint = [&](int a, int b) {
      auto key = std::minmax(a, b);
      auto it = mid.find(key);
      if (it != mid.end()) return it->second;
      D3 q = (p[a] + p[b]) * 0.5;
      p.push_back(q * (1.0 / norm(q)));
      return mid[key] = int(p.size()) - 1;
    };
    std::vector<int> g;
    for (size_t i = 0; i < f.size(); i += 3) {
      const int a = f[i], b = f[i + 1], c = f[i + 2];
      const int ab = midpoint(a, b), bc = midpoint(b, c), ca = midpoint(c, a);
      g.insert(g.end(), {a, ab, ca, b, bc, ab, c, ca, bc, ab, bc, ca});
    }
    f = g;
  }
  for (const D3& q : p) m.points.push_back(vf(q.x, q.y, q.z));
  m.indices = f;
  return m;
}

// Warp's documented unit cube (outward winding).
TestMesh unit_cube() {
  TestMesh m;
  m.points = {vf(0, 0, 0), vf(1, 0, 0), vf(1, 1, 0), vf(0, 1, 0), vf(0, 0, 1), vf(1, 0, 1), vf(1, 1, 1), vf(0, 1, 1)};
  m.indices = {0, 3, 2, 0, 2, 1, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 2, 3, 7, 2, 7, 6, 0, 4, 7, 0, 7, 3, 1, 2, 6, 1, 6, 5};
  return m;
}

// Open bumpy sheet plus a soup of degenerate and sliver triangles.
TestMesh sheet_with_junk(unsigned seed, bool junk = true) {
  TestMesh m;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> h(-0.2, 0.2);
  const int n = 6;
  for (int j = 0; j <= n; ++j)
    for (int i = 0; i <= n; ++i) m.points.push_back(vf(i / double(n) * 2 - 1, j / double(n) * 2 - 1, h(rng)));
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const int a = j * (n + 1) + i, b = a + 1, c = a + n + 1, d = c + 1;
      m.indices.insert(m.indices.end(), {a, b, d, a, d, c});
    }
  if (!junk) return m;
  const int base = int(m.points.size());
  m.points.push_back(vf(0.2, 0.1, 0.6));   // base+0
  m.points.push_back(vf(0.6, 0.3, 0.8));   // base+1  (collinear with 0 and 2)
  m.points.push_back(vf(1.0, 0.5, 1.0));   // base+2
  m.points.push_back(vf(-0.5, 0.4, 0.7));  // base+3
  m.points.push_back(vf(0.5, 0.4, 0.7));   // base+4
  m.points.push_back(vf(0.0, 0.4005, 0.7));  // base+5: sliver apex (height/base = 5e-4)
  m.indices.insert(m.indices.end(), {base, base + 1, base + 2});      // zero area (collinear)
  m.indices.insert(m.indices.end(), {base + 3, base + 3, base + 4});  // repeated vertex
  m.indices.insert(m.indices.end(), {base, base, base});              // a point
  m.indices.insert(m.indices.end(), {base + 3, base + 4, base + 5});  // sliver (kept)
  return m;
}

// ---- double-precision brute force ------------------------------------------------------------

struct RefPoint {
  D3 pos;
  double dist;
};

RefPoint ref_closest_on_tri(D3 p, D3 a, D3 b, D3 c) {
  auto seg = [&](D3 x, D3 y) {
    const D3 e = y - x;
    const double ee = dot(e, e);
    double t = ee > 0 ? dot(p - x, e) / ee : 0;
    t = std::clamp(t, 0.0, 1.0);
    const D3 q = x + e * t;
    return RefPoint{q, norm(p - q)};
  };
  const D3 e1 = b - a, e2 = c - a, d = p - a;
  const double g11 = dot(e1, e1), g12 = dot(e1, e2), g22 = dot(e2, e2), det = g11 * g22 - g12 * g12;
  if (det > 0) {
    const double r1 = dot(e1, d), r2 = dot(e2, d);
    const double s = (g22 * r1 - g12 * r2) / det, t = (g11 * r2 - g12 * r1) / det;
    if (s >= 0 && t >= 0 && s + t <= 1) {
      const D3 q = a + e1 * s + e2 * t;
      return {q, norm(p - q)};
    }
  }
  RefPoint best = seg(a, b);
  for (RefPoint r : {seg(b, c), seg(c, a)})
    if (r.dist < best.dist) best = r;
  return best;
}

bool ref_degenerate(const TestMesh& m, int f) {
  const D3 a = d3(m.points[m.indices[3 * f]]), b = d3(m.points[m.indices[3 * f + 1]]), c = d3(m.points[m.indices[3 * f + 2]]);
  const double s = dot(b - a, b - a) + dot(c - a, c - a) + dot(c - b, c - b);
  return !(norm(cross(b - a, c - a)) > 1e-6 * s);
}

struct RefQuery {
  bool found = false;
  int face = -1;
  double dist = 0, second = 1e300;  // best and second-best face distance
  D3 pos{0, 0, 0};
};

RefQuery ref_query(const TestMesh& m, D3 p, double max_dist) {
  RefQuery r;
  for (int f = 0; f < m.num_tris(); ++f) {
    if (ref_degenerate(m, f)) continue;
    const RefPoint q = ref_closest_on_tri(p, d3(m.points[m.indices[3 * f]]), d3(m.points[m.indices[3 * f + 1]]),
                                          d3(m.points[m.indices[3 * f + 2]]));
    if (q.dist >= max_dist) continue;
    if (!r.found || q.dist < r.dist) {
      r.second = r.found ? r.dist : r.second;
      r.found = true, r.face = f, r.dist = q.dist, r.pos = q.pos;
    } else {
      r.second = std::min(r.second, q.dist);
    }
  }
  return r;
}

D3 eval_pos(const TestMesh& m, int f, double u, double v) {
  return d3(m.points[m.indices[3 * f]]) * u + d3(m.points[m.indices[3 * f + 1]]) * v +
         d3(m.points[m.indices[3 * f + 2]]) * (1 - u - v);
}

std::vector<D3> random_points(unsigned seed, int n, double lo, double hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<D3> out;
  for (int i = 0; i < n; ++i) out.push_back({u(rng), u(rng), u(rng)});
  return out;
}

// Closest-point checks of every query form against brute force for points `pts`.
void check_closest(const TestMesh& m, const std::vector<D3>& pts, double max_dist, const char* what) {
  int unambiguous = 0, found = 0;
  for (const D3& p : pts) {
    const V pf = vf(p.x, p.y, p.z);
    const RefQuery ref = ref_query(m, d3(pf), max_dist);
    const wp::MeshQueryPoint q = wp::mesh_query_point_no_sign(m.id(), pf, float(max_dist));
    // Near the max_dist cut-off float and double may disagree: skip those.
    if (ref.found && std::fabs(ref.dist - max_dist) < 1e-5 * (1 + max_dist)) continue;
    ASSERT_EQ(q.result, ref.found) << what << " point " << p.x << " " << p.y << " " << p.z;
    if (!q.result) {
      EXPECT_EQ(q.face, 0);
      EXPECT_EQ(q.u, 0.0f);
      EXPECT_EQ(q.sign, 0.0f);
      continue;
    }
    ++found;
    const D3 pos = eval_pos(m, q.face, q.u, q.v);
    EXPECT_NEAR(norm(pos - d3(pf)), ref.dist, 2e-5 * (1 + ref.dist)) << what;
    EXPECT_GE(q.u, -1e-6f);
    EXPECT_GE(q.v, -1e-6f);
    EXPECT_LE(q.u + q.v, 1.0f + 1e-6f);
    if (ref.second > ref.dist + 1e-4) {
      ++unambiguous;
      EXPECT_EQ(q.face, ref.face) << what;
      EXPECT_LT(norm(pos - ref.pos), 1e-4) << what;
    }
    // Every other form finds the same point.
    const wp::MeshQueryPoint qs[] = {wp::mesh_query_point(m.id(), pf, float(max_dist)),
                                     wp::mesh_query_point_sign_normal(m.id(), pf, float(max_dist)),
                                     wp::mesh_query_point_sign_parity(m.id(), pf, float(max_dist)),
                                     wp::mesh_query_point_sign_winding_number(m.id(), pf, float(max_dist))};
    for (const wp::MeshQueryPoint& o : qs) {
      EXPECT_TRUE(o.result);
      EXPECT_EQ(o.face, q.face);
      EXPECT_EQ(o.u, q.u);
      EXPECT_EQ(o.v, q.v);
      EXPECT_TRUE(o.sign == 1.0f || o.sign == -1.0f);
    }
    float inside = 7, u = 7, v = 7;
    int32_t face = -7;
    EXPECT_TRUE(wp::mesh_query_point(m.id(), pf, float(max_dist), inside, face, u, v));
    EXPECT_EQ(face, q.face);
    EXPECT_EQ(u, q.u);
    EXPECT_EQ(v, q.v);
    EXPECT_EQ(inside, qs[0].sign);
    face = -7;
    EXPECT_TRUE(wp::mesh_query_point_no_sign(m.id(), pf, float(max_dist), face, u, v));
    EXPECT_EQ(face, q.face);
  }
  EXPECT_GT(found, 10) << what;
  EXPECT_GT(unambiguous, found / 4) << what;
}

// ---- closest point -----------------------------------------------------------------------------

TEST(MeshQueryPoint, ClosestMatchesBruteForce) {
  for (BvhKind kind : {BvhKind::OneLeaf, BvhKind::Tree}) {
    TestMesh sphere = icosphere(2);
    sphere.build(kind, true, kind == BvhKind::Tree ? 0.01f : 0.0f);
    check_closest(sphere, random_points(1, 300, -1.6, 1.6), 1e6, "icosphere");
    check_closest(sphere, random_points(2, 100, -0.3, 0.3), 1e6, "icosphere centre");
    TestMesh cube = unit_cube();
    cube.build(kind);
    check_closest(cube, random_points(3, 300, -0.5, 1.5), 1e6, "cube");
    TestMesh sheet = sheet_with_junk(7);
    sheet.build(kind);
    check_closest(sheet, random_points(4, 400, -1.3, 1.3), 1e6, "sheet");
  }
}

TEST(MeshQueryPoint, MaxDistCutoff) {
  TestMesh sphere = icosphere(1);
  sphere.build(BvhKind::Tree);
  for (const D3& p : random_points(11, 100, -2.0, 2.0)) {
    const V pf = vf(p.x, p.y, p.z);
    const RefQuery ref = ref_query(sphere, d3(pf), 1e9);
    EXPECT_TRUE(wp::mesh_query_point_no_sign(sphere.id(), pf, float(ref.dist * 1.001 + 1e-5)).result);
    EXPECT_FALSE(wp::mesh_query_point_no_sign(sphere.id(), pf, float(ref.dist * 0.999 - 1e-5)).result);
    EXPECT_FALSE(wp::mesh_query_point(sphere.id(), pf, float(ref.dist * 0.999 - 1e-5)).result);
  }
  check_closest(sphere, random_points(12, 200, -1.5, 1.5), 0.3, "icosphere max_dist 0.3");
  // Strictly closer: a point exactly at distance 0.5 from the cube's bottom face.
  TestMesh cube = unit_cube();
  cube.build(BvhKind::OneLeaf);
  EXPECT_FALSE(wp::mesh_query_point_no_sign(cube.id(), vf(0.3, 0.4, -0.5), 0.5f).result);
  EXPECT_TRUE(wp::mesh_query_point_no_sign(cube.id(), vf(0.3, 0.4, -0.5), 0.50001f).result);
  EXPECT_FALSE(wp::mesh_query_point_no_sign(cube.id(), vf(0.3, 0.4, 0.5), 0.0f).result);
  // Out-argument forms leave outputs untouched without a result.
  float inside = 7, u = 7, v = 7;
  int32_t face = 7;
  EXPECT_FALSE(wp::mesh_query_point(cube.id(), vf(0.3, 0.4, -0.5), 0.1f, inside, face, u, v));
  EXPECT_FALSE(wp::mesh_query_point_no_sign(cube.id(), vf(0.3, 0.4, -0.5), 0.1f, face, u, v));
  EXPECT_EQ(inside, 7.0f);
  EXPECT_EQ(face, 7);
  EXPECT_EQ(u, 7.0f);
  EXPECT_EQ(v, 7.0f);
}

TEST(MeshQueryPoint, PointsOnEdgesAndVertices) {
  TestMesh sphere = icosphere(1);
  sphere.build(BvhKind::Tree);
  std::vector<D3> pts;
  for (int f = 0; f < sphere.num_tris(); ++f)
    for (int j = 0; j < 3; ++j) {
      const D3 a = d3(sphere.points[sphere.indices[3 * f + j]]), b = d3(sphere.points[sphere.indices[3 * f + (j + 1) % 3]]);
      pts.push_back(a);
      pts.push_back((a + b) * 0.5);
      pts.push_back(a * 0.25 + b * 0.75);
    }
  for (const D3& p : pts) {
    const wp::MeshQueryPoint q = wp::mesh_query_point_no_sign(sphere.id(), vf(p.x, p.y, p.z), 1e6f);
    ASSERT_TRUE(q.result);
    EXPECT_LT(norm(eval_pos(sphere, q.face, q.u, q.v) - p), 1e-6);
    EXPECT_FALSE(std::isnan(q.u) || std::isnan(q.v));
  }
}

TEST(MeshQueryPoint, TiesGoToLowestFace) {
  // Two triangles sharing edge (1, 2); points above the shared edge are equally close to both.
  TestMesh m;
  m.points = {vf(0, 0, 0), vf(1, 0, 0), vf(0, 1, 0), vf(1, 1, 0)};
  for (auto idx : {std::vector<int32_t>{0, 1, 2, 1, 3, 2}, std::vector<int32_t>{1, 3, 2, 0, 1, 2}}) {
    m.indices = idx;
    for (BvhKind kind : {BvhKind::OneLeaf, BvhKind::Tree}) {
      m.build(kind);
      for (const V& p : {vf(0.5, 0.5, 1.0), vf(0.5, 0.5, 0.0), vf(0.25, 0.75, -2.0), vf(-3, 4, 1), vf(2, -1, 0.5)}) {
        const wp::MeshQueryPoint q = wp::mesh_query_point_no_sign(m.id(), p, 1e6f);
        ASSERT_TRUE(q.result);
        EXPECT_EQ(q.face, 0);
      }
    }
  }
  // Same as Warp 1.19 for the first ordering: point above the shared edge → face 0, u 0, v 0.5.
  m.indices = {0, 1, 2, 1, 3, 2};
  m.build(BvhKind::OneLeaf);
  const wp::MeshQueryPoint q = wp::mesh_query_point_no_sign(m.id(), vf(0.5, 0.5, 1.0), 1e6f);
  EXPECT_EQ(q.face, 0);
  EXPECT_NEAR(q.u, 0.0f, 1e-6f);
  EXPECT_NEAR(q.v, 0.5f, 1e-6f);
}

TEST(MeshQueryPoint, DegenerateTrianglesSkipped) {
  // Only degenerate triangles: no result, no NaN.
  TestMesh m;
  m.points = {vf(0, 0, 0), vf(1, 0, 0), vf(2, 0, 0), vf(0.5, 1e-7, 0)};
  m.indices = {0, 1, 2, 0, 0, 1, 3, 3, 3, 0, 1, 3};
  m.build(BvhKind::OneLeaf);
  const wp::MeshQueryPoint q = wp::mesh_query_point(m.id(), vf(0.5, 0.5, 0.5), 1e6f);
  EXPECT_FALSE(q.result);
  EXPECT_FALSE(wp::mesh_query_furthest_point_no_sign(m.id(), vf(0.5, 0.5, 0.5), 0.0f).result);
  // Closest point on a degenerate triangle (not used by the queries) is finite.
  const wp::mesh_detail::TriPoint tp = wp::mesh_detail::closest_on_tri(vf(0.5, 0.5, 0.5), vf(0, 0, 0), vf(1, 0, 0), vf(2, 0, 0));
  EXPECT_FALSE(std::isnan(tp.u) || std::isnan(tp.v) || std::isnan(tp.dist_sq));
  const wp::mesh_detail::TriPoint tq = wp::mesh_detail::closest_on_tri(vf(0.5, 0.5, 0.5), vf(1, 1, 1), vf(1, 1, 1), vf(1, 1, 1));
  EXPECT_FALSE(std::isnan(tq.u) || std::isnan(tq.v) || std::isnan(tq.dist_sq));
}

TEST(MeshQueryPoint, EmptyBvh) {
  TestMesh m;
  m.points = {vf(0, 0, 0)};
  m.build(BvhKind::OneLeaf);
  EXPECT_EQ(m.desc.bvh.root, -1);
  EXPECT_FALSE(wp::mesh_query_point(m.id(), vf(0, 0, 0), 1e6f).result);
  EXPECT_FALSE(wp::mesh_query_point_sign_winding_number(m.id(), vf(0, 0, 0), 1e6f).result);
  EXPECT_FALSE(wp::mesh_query_furthest_point_no_sign(m.id(), vf(0, 0, 0), -1.0f).result);
}

// ---- furthest point ----------------------------------------------------------------------------

TEST(MeshQueryPoint, FurthestMatchesBruteForce) {
  for (BvhKind kind : {BvhKind::OneLeaf, BvhKind::Tree}) {
    TestMesh sphere = icosphere(2);
    sphere.build(kind);
    TestMesh sheet = sheet_with_junk(3);
    sheet.build(kind);
    for (TestMesh* m : {&sphere, &sheet}) {
      for (const D3& p : random_points(21, 200, -2.0, 2.0)) {
        const V pf = vf(p.x, p.y, p.z);
        double best = -1;
        for (int f = 0; f < m->num_tris(); ++f) {
          if (ref_degenerate(*m, f)) continue;
          for (int j = 0; j < 3; ++j) best = std::max(best, norm(d3(m->points[m->indices[3 * f + j]]) - d3(pf)));
        }
        const wp::MeshQueryPoint q = wp::mesh_query_furthest_point_no_sign(m->id(), pf, 0.0f);
        ASSERT_TRUE(q.result);
        EXPECT_EQ(q.sign, 0.0f);
        EXPECT_NEAR(norm(eval_pos(*m, q.face, q.u, q.v) - d3(pf)), best, 1e-5 * (1 + best));
        EXPECT_FALSE(wp::mesh_query_furthest_point_no_sign(m->id(), pf, float(best * 1.001)).result);
        EXPECT_TRUE(wp::mesh_query_furthest_point_no_sign(m->id(), pf, float(best * 0.999)).result);
      }
    }
  }
  // Warp's documented example: from the origin the furthest cube point is (1, 1, 1).
  TestMesh cube = unit_cube();
  cube.build(BvhKind::Tree);
  const wp::MeshQueryPoint q = wp::mesh_query_furthest_point_no_sign(cube.id(), vf(0, 0, 0), 0.0f);
  ASSERT_TRUE(q.result);
  const D3 p = eval_pos(cube, q.face, q.u, q.v);
  EXPECT_NEAR(p.x, 1, 1e-6);
  EXPECT_NEAR(p.y, 1, 1e-6);
  EXPECT_NEAR(p.z, 1, 1e-6);
}

// ---- signs -------------------------------------------------------------------------------------

void check_signs(const TestMesh& m, const std::vector<std::pair<V, bool>>& cases, const char* what) {
  for (const auto& [p, inside] : cases) {
    const float want = inside ? -1.0f : 1.0f;
    EXPECT_EQ(wp::mesh_query_point(m.id(), p, 1e6f).sign, want) << what << " ray vote " << p.c[0] << " " << p.c[1] << " " << p.c[2];
    EXPECT_EQ(wp::mesh_query_point_sign_normal(m.id(), p, 1e6f).sign, want) << what << " normal " << p.c[0] << " " << p.c[1] << " " << p.c[2];
    EXPECT_EQ(wp::mesh_query_point_sign_parity(m.id(), p, 1e6f).sign, want) << what << " parity";
    EXPECT_EQ(wp::mesh_query_point_sign_parity(m.id(), p, 1e6f, 5, 0.3f).sign, want) << what << " parity 5";
    EXPECT_EQ(wp::mesh_query_point_sign_winding_number(m.id(), p, 1e6f).sign, want) << what << " winding";
    EXPECT_EQ(wp::mesh_query_point_sign_winding_number(m.id(), p, 1e6f, 2.0f, 0.5f).sign, want) << what << " winding";
    const float w = wp::mesh_detail::winding_number(&m.desc, p, 2.0f);
    EXPECT_NEAR(w, inside ? 1.0f : 0.0f, m.desc.node_winding ? 5e-2f : 1e-3f) << what << " winding number";
    if (m.desc.node_winding) {  // a higher accuracy factor recurses further: closer to exact
      EXPECT_NEAR(wp::mesh_detail::winding_number(&m.desc, p, 20.0f), inside ? 1.0f : 0.0f, 2e-3f) << what;
    }
    float in = 0, u = 0, v = 0;
    int32_t f = 0;
    wp::mesh_query_point(m.id(), p, 1e6f, in, f, u, v);
    EXPECT_EQ(in, want) << what;
  }
}

TEST(MeshQueryPoint, SignsOnSphere) {
  for (BvhKind kind : {BvhKind::OneLeaf, BvhKind::Tree})
    for (bool winding : {true, false}) {
      TestMesh sphere = icosphere(2);
      sphere.build(kind, winding);
      std::vector<std::pair<V, bool>> cases;
      for (const D3& p : random_points(31, 400, -1.5, 1.5)) {
        const double r = norm(p);
        if (r < 0.9) cases.push_back({vf(p.x, p.y, p.z), true});
        if (r > 1.05) cases.push_back({vf(p.x, p.y, p.z), false});
      }
      // Points on the axes: rays from them run through vertices/edges of the icosphere.
      for (double s : {0.0, 0.3, -0.5, 0.8}) {
        cases.push_back({vf(s, 0, 0), true}), cases.push_back({vf(0, s, 0), true}), cases.push_back({vf(0, 0, s), true});
      }
      for (double s : {1.2, -1.3, 2.0}) {
        cases.push_back({vf(s, 0, 0), false}), cases.push_back({vf(0, s, 0), false}), cases.push_back({vf(0, 0, s), false});
      }
      check_signs(sphere, cases, winding ? "sphere (dipole)" : "sphere (exact)");
    }
}

TEST(MeshQueryPoint, SignsOnCube) {
  TestMesh cube = unit_cube();
  cube.build(BvhKind::Tree, false);
  std::vector<std::pair<V, bool>> cases = {
      {vf(0.5, 0.5, 0.5), true},     {vf(0.5, 0.5, 0.25), true},   {vf(0.99, 0.99, 0.99), true},
      {vf(0.9, 0.5, 0.999), true},   {vf(0.01, 0.5, 0.5), true},   {vf(0.5, 0.99, 0.01), true},
      {vf(0.25, 0.25, 0.25), true},  {vf(0.75, 0.75, 0.75), true}, {vf(0.5, 0.0 + 1e-3, 0.5), true},
      {vf(2, 0.5, 0.5), false},      {vf(0.5, 0.5, -1), false},    {vf(1.01, 1.01, 1.01), false},
      {vf(-0.5, -0.5, -0.5), false}, {vf(5, 5, 5), false},         {vf(1.1, 0.5, 1.1), false},
      {vf(0.5, -0.01, 0.5), false},  {vf(-0.01, 0.3, 0.3), false}, {vf(0.5, 0.5, 1.0001), false},
      {vf(0.0, 0.0, -0.5), false},   {vf(-1, 0.25, 0.75), false},
  };
  check_signs(cube, cases, "cube");
  // Warp 1.19 agrees on all of these (see the report); on-surface points are inside by normal.
  EXPECT_EQ(wp::mesh_query_point_sign_normal(cube.id(), vf(0.5, 0.5, 0.0), 1e6f).sign, -1.0f);
  EXPECT_EQ(wp::mesh_query_point(cube.id(), vf(0.5, 0.5, 1.0), 1e6f).sign, -1.0f);
  EXPECT_EQ(wp::mesh_query_point_sign_parity(cube.id(), vf(0.5, 0.5, 0.5), 1e6f, 0).sign, -1.0f);  // no rays
}

TEST(MeshQueryPoint, WatertightRayCounts) {
  TestMesh cube = unit_cube();
  cube.build(BvhKind::Tree);
  using wp::mesh_detail::make_ray;
  using wp::mesh_detail::ray_count_hits;
  // Rays from inside through face diagonals, shared edges and corners: exactly one crossing.
  const V inner[] = {vf(0.5, 0.5, 0.5), vf(0.25, 0.25, 0.25), vf(0.5, 0.25, 0.75)};
  const V dirs[] = {vf(1, 0, 0), vf(-1, 0, 0), vf(0, 1, 0), vf(0, -1, 0), vf(0, 0, 1), vf(0, 0, -1),
                    vf(1, 1, 1), vf(-1, -1, -1), vf(1, 1, 0), vf(0, -1, -1), vf(1, -1, 1), vf(0.5, 0.5, 0)};
  for (const V& o : inner)
    for (const V& d : dirs) EXPECT_EQ(ray_count_hits(&cube.desc, make_ray(o, d)), 1) << o.c[0] << o.c[1] << o.c[2];
  // From outside through the cube along diagonals, edges and vertices: 0 or 2 crossings.
  EXPECT_EQ(ray_count_hits(&cube.desc, make_ray(vf(-1, -1, -1), vf(1, 1, 1))), 2);
  EXPECT_EQ(ray_count_hits(&cube.desc, make_ray(vf(-1, 0.5, 0.5), vf(1, 0, 0))), 2);
  EXPECT_EQ(ray_count_hits(&cube.desc, make_ray(vf(-1, -1, 0.5), vf(1, 1, 0))), 2);
  EXPECT_EQ(ray_count_hits(&cube.desc, make_ray(vf(-1, 0.5, 0.5), vf(-1, 0, 0))), 0);
  EXPECT_EQ(ray_count_hits(&cube.desc, make_ray(vf(2, 2, 2), vf(1, 1, 1))), 0);
  // Icosphere: rays from the centre through every vertex and edge midpoint cross once.
  TestMesh sphere = icosphere(1);
  sphere.build(BvhKind::Tree);
  for (int f = 0; f < sphere.num_tris(); ++f)
    for (int j = 0; j < 3; ++j) {
      const V a = sphere.points[sphere.indices[3 * f + j]], b = sphere.points[sphere.indices[3 * f + (j + 1) % 3]];
      EXPECT_EQ(ray_count_hits(&sphere.desc, make_ray(vf(0, 0, 0), a)), 1);
      EXPECT_EQ(ray_count_hits(&sphere.desc, make_ray(vf(0, 0, 0), vf((a.c[0] + b.c[0]) / 2, (a.c[1] + b.c[1]) / 2,
                                                                     (a.c[2] + b.c[2]) / 2))),
                1);
    }
}

// ---- eval / get ----------------------------------------------------------------------------------

TEST(MeshQueryEval, Values) {
  TestMesh cube = unit_cube();
  for (size_t i = 0; i < cube.points.size(); ++i) cube.velocities.push_back(vf(0, 0, 1 + double(i)));
  cube.build(BvhKind::OneLeaf);
  // Warp's documented examples.
  const V c = wp::mesh_eval_position(cube.id(), 0, 1.0f / 3, 1.0f / 3);
  EXPECT_NEAR(c.c[0], 1.0 / 3, 1e-6);
  EXPECT_NEAR(c.c[1], 2.0 / 3, 1e-6);
  EXPECT_NEAR(c.c[2], 0.0, 1e-6);
  const V n = wp::mesh_eval_face_normal(cube.id(), 0);
  EXPECT_NEAR(n.c[2], -1.0, 1e-6);
  EXPECT_EQ(wp::mesh_get_index(cube.id(), 0), 0);
  EXPECT_EQ(wp::mesh_get_index(cube.id(), 1), 3);
  EXPECT_EQ(wp::mesh_get_index(cube.id(), 2), 2);
  const V p = wp::mesh_get_point(cube.id(), 4);
  EXPECT_EQ(p.c[0], 1.0f);
  EXPECT_EQ(p.c[1], 1.0f);
  EXPECT_EQ(wp::mesh_get_velocity(cube.id(), 4).c[2], 3.0f);  // indices[4] = 2
  const V vel = wp::mesh_eval_velocity(cube.id(), 0, 0.25f, 0.25f);  // 0.25·1 + 0.25·4 + 0.5·3
  EXPECT_NEAR(vel.c[2], 2.75, 1e-6);
  // No velocities: zero.
  TestMesh bare = unit_cube();
  bare.build(BvhKind::OneLeaf);
  EXPECT_EQ(wp::mesh_eval_velocity(bare.id(), 3, 0.2f, 0.3f).c[2], 0.0f);
  EXPECT_EQ(wp::mesh_get_velocity(bare.id(), 3).c[2], 0.0f);
  // Every face normal of the icosphere points outwards.
  TestMesh sphere = icosphere(1);
  sphere.build(BvhKind::OneLeaf);
  for (int f = 0; f < sphere.num_tris(); ++f) {
    const V nn = wp::mesh_eval_face_normal(sphere.id(), f);
    const D3 centre = eval_pos(sphere, f, 1.0 / 3, 1.0 / 3);
    EXPECT_GT(dot(d3(nn), centre), 0.9 * norm(centre));
    EXPECT_NEAR(norm(d3(nn)), 1.0, 1e-6);
  }
}

// ---- adjoints ----------------------------------------------------------------------------------

// Central difference of f (a float-valued function of the mesh and a point) w.r.t. p's
// components and every component of the given vertices.
template <typename F>
void fd_check(TestMesh& m, V p, const std::vector<int>& verts, const V& adj_point, F f, double tol, const char* what) {
  const float h = 1e-3f;
  for (int k = 0; k < 3; ++k) {
    V a = p, b = p;
    a.c[k] += h, b.c[k] -= h;
    const double fd = (double(f(a)) - double(f(b))) / (2.0 * h);
    EXPECT_NEAR(adj_point.c[k], fd, tol * (1 + std::fabs(fd))) << what << " point component " << k;
  }
  for (int i : verts)
    for (int k = 0; k < 3; ++k) {
      const float keep = m.points[i].c[k];
      m.points[i].c[k] = keep + h;
      const double fp = f(p);
      m.points[i].c[k] = keep - h;
      const double fm = f(p);
      m.points[i].c[k] = keep;
      const double fd = (fp - fm) / (2.0 * h);
      EXPECT_NEAR(m.points_grad[i].c[k], fd, tol * (1 + std::fabs(fd))) << what << " vertex " << i << " component " << k;
    }
}

bool stable_region(const TestMesh& m, V p, const wp::mesh_detail::Closest& c) {
  // Away from region boundaries: the same face and region within ±2e-3 along each axis, and
  // barycentrics not too close to a transition.
  for (int k = 0; k < 3; ++k)
    for (float s : {-2e-3f, 2e-3f}) {
      V q = p;
      q.c[k] += s;
      const wp::mesh_detail::Closest o = wp::mesh_detail::closest_face(&m.desc, q, 1e6f);
      if (o.face != c.face || o.tp.region != c.tp.region) return false;
    }
  // … and when any vertex of the face moves by ±2e-3 along an axis.
  TestMesh& mm = const_cast<TestMesh&>(m);
  for (int j = 0; j < 3; ++j)
    for (int k = 0; k < 3; ++k)
      for (float s : {-2e-3f, 2e-3f}) {
        V& x = mm.points[m.indices[3 * c.face + j]];
        const float keep = x.c[k];
        x.c[k] = keep + s;
        const wp::mesh_detail::Closest o = wp::mesh_detail::closest_face(&m.desc, p, 1e6f);
        x.c[k] = keep;
        if (o.face != c.face || o.tp.region != c.tp.region) return false;
      }
  return true;
}

TEST(MeshQueryAdjoint, ClosestPointGradients) {
  TestMesh sheet = sheet_with_junk(5, false);  // slivers: finite differences meaningless
  sheet.build(BvhKind::OneLeaf, false, 0.5f);  // padded: vertex perturbations stay inside
  TestMesh sphere = icosphere(1);
  sphere.build(BvhKind::OneLeaf, false, 0.5f);
  int regions[7] = {};
  for (TestMesh* m : {&sheet, &sphere}) {
    for (const D3& pd : random_points(41, 150, -1.2, 1.2)) {
      const V p = vf(pd.x, pd.y, pd.z);
      const wp::mesh_detail::Closest c = wp::mesh_detail::closest_face(&m->desc, p, 1e6f);
      ASSERT_TRUE(c.found);
      if (!stable_region(*m, p, c)) continue;
      ++regions[c.tp.region];
      const float gu = 0.7f, gv = -1.3f;
      auto loss = [&](const V& x) {
        const wp::MeshQueryPoint q = wp::mesh_query_point_no_sign(m->id(), x, 1e6f);
        return gu * q.u + gv * q.v;
      };
      const std::vector<int> verts = {m->indices[3 * c.face], m->indices[3 * c.face + 1], m->indices[3 * c.face + 2]};
      // Every query form and the out-argument forms give the same gradient.
      for (int form = 0; form < 7; ++form) {
        m->clear_grads();
        V adj_p{};
        uint64_t adj_id = 0;
        float adj_md = 0, adj_e = 0, adj_e2 = 0;
        int32_t adj_i = 0;
        const wp::MeshQueryPoint ar{true, 5.0f, 3, gu, gv};  // sign/face/result adjoints ignored
        switch (form) {
          case 0: wp::adj_mesh_query_point_no_sign(m->id(), p, 1e6f, adj_id, adj_p, adj_md, ar); break;
          case 1: wp::adj_mesh_query_point(m->id(), p, 1e6f, adj_id, adj_p, adj_md, ar); break;
          case 2: wp::adj_mesh_query_point_sign_normal(m->id(), p, 1e6f, 1e-3f, adj_id, adj_p, adj_md, adj_e, ar); break;
          case 3:
            wp::adj_mesh_query_point_sign_winding_number(m->id(), p, 1e6f, 2.0f, 0.5f, adj_id, adj_p, adj_md, adj_e, adj_e2, ar);
            break;
          case 4: wp::adj_mesh_query_point_sign_parity(m->id(), p, 1e6f, 3, 0.1f, adj_id, adj_p, adj_md, adj_i, adj_e, ar); break;
          case 5: {
            float in = 0, u = 0, v = 0, adj_in = 4, adj_u = gu, adj_v = gv;
            int32_t f = 0, adj_f = 0;
            wp::mesh_query_point(m->id(), p, 1e6f, in, f, u, v);
            wp::adj_mesh_query_point(m->id(), p, 1e6f, in, f, u, v, adj_id, adj_p, adj_md, adj_in, adj_f, adj_u, adj_v);
            break;
          }
          default: {
            float u = 0, v = 0, adj_u = gu, adj_v = gv;
            int32_t f = 0, adj_f = 0;
            wp::mesh_query_point_no_sign(m->id(), p, 1e6f, f, u, v);
            wp::adj_mesh_query_point_no_sign(m->id(), p, 1e6f, f, u, v, adj_id, adj_p, adj_md, adj_f, adj_u, adj_v, false);
            break;
          }
        }
        EXPECT_EQ(adj_md, 0.0f);
        fd_check(*m, p, verts, adj_p, loss, 2e-2, "closest point u,v");
      }
    }
  }
  EXPECT_GT(regions[wp::mesh_detail::kInterior], 10);
  EXPECT_GT(regions[wp::mesh_detail::kEdge01] + regions[wp::mesh_detail::kEdge02] + regions[wp::mesh_detail::kEdge12], 10);
}

TEST(MeshQueryAdjoint, NoPointsGradBufferIsFine) {
  TestMesh sphere = icosphere(1);
  sphere.build(BvhKind::Tree);
  sphere.desc.points_grad = nullptr;
  V adj_p{};
  uint64_t adj_id = 0;
  float adj_md = 0;
  wp::adj_mesh_query_point(sphere.id(), vf(0.1, 0.2, 0.3), 1e6f, adj_id, adj_p, adj_md, wp::MeshQueryPoint{true, 0, 0, 1, 1});
  wp::adj_mesh_query_furthest_point_no_sign(sphere.id(), vf(0.1, 0.2, 0.3), 0.0f, adj_id, adj_p, adj_md,
                                            wp::MeshQueryPoint{true, 0, 0, 1, 1});
  EXPECT_NE(adj_p.c[0] * adj_p.c[0] + adj_p.c[1] * adj_p.c[1] + adj_p.c[2] * adj_p.c[2], 0.0f);
  const wp::MeshQueryPoint z = wp::adjoint_zero<wp::MeshQueryPoint>();
  EXPECT_TRUE(std::signbit(z.u) && std::signbit(z.v) && std::signbit(z.sign));
  EXPECT_FALSE(z.result);
}

TEST(MeshQueryAdjoint, EvalGradients) {
  TestMesh m = icosphere(1);
  for (size_t i = 0; i < m.points.size(); ++i) m.velocities.push_back(vf(std::sin(i * 1.0), std::cos(i * 2.0), i * 0.1));
  m.build(BvhKind::OneLeaf);
  const V g{{0.3f, -0.8f, 1.1f}};
  auto gdot = [&](const V& x) { return double(g.c[0]) * x.c[0] + double(g.c[1]) * x.c[1] + double(g.c[2]) * x.c[2]; };
  const float h = 1e-3f;
  for (int f : {0, 7, 33}) {
    const int32_t* ix = &m.indices[3 * f];
    const float bu = 0.2f, bv = 0.45f;
    for (int which = 0; which < 3; ++which) {  // 0 position, 1 velocity, 2 normal
      m.clear_grads();
      uint64_t adj_id = 0;
      int32_t adj_f = 0;
      float adj_u = 0, adj_v = 0;
      std::vector<V>* field = which == 1 ? &m.velocities : &m.points;
      std::vector<V>* grad = which == 1 ? &m.velocities_grad : &m.points_grad;
      auto eval = [&](float u, float v) {
        return which == 0 ? wp::mesh_eval_position(m.id(), f, u, v)
                          : which == 1 ? wp::mesh_eval_velocity(m.id(), f, u, v) : wp::mesh_eval_face_normal(m.id(), f);
      };
      if (which == 0) wp::adj_mesh_eval_position(m.id(), f, bu, bv, adj_id, adj_f, adj_u, adj_v, g);
      if (which == 1) wp::adj_mesh_eval_velocity(m.id(), f, bu, bv, adj_id, adj_f, adj_u, adj_v, g);
      if (which == 2) wp::adj_mesh_eval_face_normal(m.id(), f, adj_id, adj_f, g);
      if (which < 2) {
        EXPECT_NEAR(adj_u, (gdot(eval(bu + h, bv)) - gdot(eval(bu - h, bv))) / (2 * h), 2e-3);
        EXPECT_NEAR(adj_v, (gdot(eval(bu, bv + h)) - gdot(eval(bu, bv - h))) / (2 * h), 2e-3);
      }
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 3; ++k) {
          V& x = (*field)[ix[j]];
          const float keep = x.c[k];
          x.c[k] = keep + h;
          const double fp = gdot(eval(bu, bv));
          x.c[k] = keep - h;
          const double fm = gdot(eval(bu, bv));
          x.c[k] = keep;
          EXPECT_NEAR((*grad)[ix[j]].c[k], (fp - fm) / (2 * h), 5e-3) << "eval " << which << " vertex " << j << " comp " << k;
        }
    }
    // get_point / get_velocity: the referenced vertex gets adj_ret.
    m.clear_grads();
    uint64_t adj_id = 0;
    int32_t adj_i = 0;
    wp::adj_mesh_get_point(m.id(), 3 * f + 1, adj_id, adj_i, g);
    wp::adj_mesh_get_velocity(m.id(), 3 * f + 2, adj_id, adj_i, g);
    EXPECT_EQ(m.points_grad[ix[1]].c[1], g.c[1]);
    EXPECT_EQ(m.velocities_grad[ix[2]].c[2], g.c[2]);
  }
}

// ---- closest_point_edge_edge -------------------------------------------------------------------

// Brute force: min over s of the distance to the second segment (convex: ternary search).
D3 ref_edge_edge(D3 p1, D3 q1, D3 p2, D3 q2) {
  auto t_of = [&](D3 x) {
    const D3 e = q2 - p2;
    const double ee = dot(e, e);
    return ee > 0 ? std::clamp(dot(x - p2, e) / ee, 0.0, 1.0) : 0.0;
  };
  auto dist = [&](double s) {
    const D3 x = p1 + (q1 - p1) * s;
    return norm(x - (p2 + (q2 - p2) * t_of(x)));
  };
  double lo = 0, hi = 1;
  for (int i = 0; i < 200; ++i) {
    const double a = lo + (hi - lo) / 3, b = hi - (hi - lo) / 3;
    (dist(a) < dist(b) ? hi : lo) = (dist(a) < dist(b) ? b : a);
  }
  const double s = (lo + hi) / 2;
  return {s, t_of(p1 + (q1 - p1) * s), dist(s)};
}

TEST(MeshQueryEdgeEdge, ValuesAndGradients) {
  // Warp's documented example.
  const V r0 = wp::closest_point_edge_edge(vf(0, 0, 0), vf(1, 0, 0), vf(0.5, 1, 1), vf(0.5, 1, -1), 1e-6f);
  EXPECT_NEAR(r0.c[0], 0.5, 1e-6);
  EXPECT_NEAR(r0.c[1], 0.5, 1e-6);
  EXPECT_NEAR(r0.c[2], 1.0, 1e-6);
  // Degenerate edges: weight 0.
  const V r1 = wp::closest_point_edge_edge(vf(0, 0, 0), vf(0, 0, 0), vf(-1, 1, 0), vf(1, 1, 0), 1e-6f);
  EXPECT_EQ(r1.c[0], 0.0f);
  EXPECT_NEAR(r1.c[1], 0.5, 1e-6);
  EXPECT_NEAR(r1.c[2], 1.0, 1e-6);
  const V r2 = wp::closest_point_edge_edge(vf(0, 0, 0), vf(0, 0, 0), vf(3, 4, 0), vf(3, 4, 0), 1e-6f);
  EXPECT_EQ(r2.c[0], 0.0f);
  EXPECT_EQ(r2.c[1], 0.0f);
  EXPECT_NEAR(r2.c[2], 5.0, 1e-6);
  std::mt19937 rng(9);
  std::uniform_real_distribution<double> u(-1, 1);
  int free_both = 0, checked = 0;
  for (int i = 0; i < 300; ++i) {
    V p[4];
    for (V& x : p) x = vf(u(rng), u(rng), u(rng));
    const V r = wp::closest_point_edge_edge(p[0], p[1], p[2], p[3], 1e-6f);
    const D3 ref = ref_edge_edge(d3(p[0]), d3(p[1]), d3(p[2]), d3(p[3]));
    EXPECT_NEAR(r.c[2], ref.z, 1e-5);
    EXPECT_NEAR(r.c[0], ref.x, 2e-3);
    EXPECT_NEAR(r.c[1], ref.y, 2e-3);
    // Gradients by central differences, away from clamping transitions.
    const wp::mesh_detail::EdgeEdge ee = wp::mesh_detail::edge_edge(p[0], p[1], p[2], p[3], 1e-6f);
    auto near_switch = [](float x) { return (x > 0 && x < 1e-2f) || (x < 1 && x > 1 - 1e-2f); };
    if (near_switch(ee.s) || near_switch(ee.t) || r.c[2] < 1e-2f) continue;
    free_both += ee.s_free && ee.t_free;
    ++checked;
    const V g{{0.6f, -0.9f, 1.2f}};
    V adj[4] = {};
    float adj_eps = 0;
    wp::adj_closest_point_edge_edge(p[0], p[1], p[2], p[3], 1e-6f, adj[0], adj[1], adj[2], adj[3], adj_eps, g);
    EXPECT_EQ(adj_eps, 0.0f);
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 3; ++k) {
        const float h = 1e-3f;
        V a[4] = {p[0], p[1], p[2], p[3]}, b[4] = {p[0], p[1], p[2], p[3]};
        a[j].c[k] += h, b[j].c[k] -= h;
        const V ra = wp::closest_point_edge_edge(a[0], a[1], a[2], a[3], 1e-6f);
        const V rb = wp::closest_point_edge_edge(b[0], b[1], b[2], b[3], 1e-6f);
        double fd = 0;
        for (int c = 0; c < 3; ++c) fd += g.c[c] * (double(ra.c[c]) - rb.c[c]) / (2 * h);
        EXPECT_NEAR(adj[j].c[k], fd, 1e-2 * (1 + std::fabs(fd))) << "edge-edge point " << j << " comp " << k;
      }
  }
  EXPECT_GT(free_both, 10);
  EXPECT_GT(checked, 100);
}

}  // namespace
