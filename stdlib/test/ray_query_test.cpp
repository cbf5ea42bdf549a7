// ray_query_test.cpp — wp/builtins/ray_query.h on the host: the watertight ray–triangle test,
// mesh ray casts (closest, any, count) and the BVH / mesh iterators against double-precision
// brute force over meshes and BVHs built here (one leaf with every item, median-split trees with
// looser-than-tight node boxes, grouped trees), intersect_tri_tri, and the adjoints of
// mesh_query_ray (start, dir and the vertices through points_grad) against central differences.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include "ray_query_test_util.h"
#include "wp/builtins.h"

namespace {

using namespace rqtest;

constexpr TreeKind kKinds[] = {TreeKind::kOneLeaf, TreeKind::kMedian1, TreeKind::kMedian3};

v3 rand_dir(std::mt19937& g) {
  std::normal_distribution<float> n(0.0f, 1.0f);
  for (;;) {
    v3 d = V(n(g), n(g), n(g));
    const float l = std::sqrt(d.c[0] * d.c[0] + d.c[1] * d.c[1] + d.c[2] * d.c[2]);
    if (l > 1e-3f) return V(d.c[0] / l, d.c[1] / l, d.c[2] / l);
  }
}
v3 rand_in(std::mt19937& g, float lo, float hi) {
  std::uniform_real_distribution<float> u(lo, hi);
  return V(u(g), u(g), u(g));
}

// Brute-force closest hit in double over the faces (optionally only those of `group`).
struct RefHit {
  bool hit = false;
  int face = -1;
  double t = 0, u = 0, v = 0;
  double margin = 1e30;  // smallest barycentric of the hit (how far from an edge)
};
RefHit ref_closest(const HostMesh& m, const v3& s, const v3& d, double max_t, const std::vector<int>* faces = nullptr) {
  RefHit best;
  const int n = faces ? int(faces->size()) : m.num_tris();
  for (int i = 0; i < n; ++i) {
    const int f = faces ? (*faces)[i] : i;
    v3 a, b, c;
    m.tri(f, a, b, c);
    double t, u, v;
    if (!ray_tri_ref(s, d, a, b, c, t, u, v) || t < 0 || t >= max_t) continue;
    if (!best.hit || t < best.t) {
      best.hit = true;
      best.face = f;
      best.t = t;
      best.u = u;
      best.v = v;
      best.margin = std::min({u, v, 1 - u - v});
    }
  }
  return best;
}

// Whether any face has a hit within `tol` of an edge or of the t limits (a near-degenerate ray
// where float and double may disagree).
bool ray_is_delicate(const HostMesh& m, const v3& s, const v3& d, double max_t, double tol = 1e-4) {
  for (int f = 0; f < m.num_tris(); ++f) {
    v3 a, b, c;
    m.tri(f, a, b, c);
    double t, u, v;
    const D3 S = d3(s), Dd = d3(d), A = d3(a), B = d3(b), C = d3(c);
    const D3 e1 = A - C, e2 = B - C, rhs = S - C, nd = Dd * -1.0;
    const double det = dot(nd, cross(e1, e2));
    const double scale = std::sqrt(dot(cross(e1, e2), cross(e1, e2))) * std::sqrt(dot(Dd, Dd));
    if (std::fabs(det) < 1e-6 * scale) continue;  // parallel: never hit by either
    t = dot(rhs, cross(e1, e2)) / det;
    u = dot(nd, cross(rhs, e2)) / det;
    v = dot(nd, cross(e1, rhs)) / det;
    const double w = 1 - u - v;
    const bool inside_grown = u > -tol && v > -tol && w > -tol;
    const bool near_edge = std::min({std::fabs(u), std::fabs(v), std::fabs(w)}) < tol;
    if (inside_grown && (near_edge || std::fabs(t) < tol || std::fabs(t - max_t) < tol * (1 + max_t))) return true;
  }
  return false;
}

std::vector<std::unique_ptr<HostMesh>> test_meshes() {
  std::vector<std::unique_ptr<HostMesh>> ms;
  ms.push_back(make_sphere(9, 14, 1.0, V(0.1, -0.2, 0.3)));
  ms.push_back(make_cube());
  ms.push_back(make_sheet(4));
  return ms;
}

// ---- ray_triangle ------------------------------------------------------------------------

TEST(RayQueryTriangle, WarpConventions) {
  const v3 a = V(0, 0, 0), b = V(1, 0, 0), c = V(0, 1, 0);
  float t, u, v, s;
  ASSERT_TRUE(wp::geom::ray_triangle(V(0.2, 0.3, -1), V(0, 0, 1), a, b, c, t, u, v, s));
  EXPECT_FLOAT_EQ(t, 1.0f);
  EXPECT_FLOAT_EQ(u, 0.5f);  // weight of a
  EXPECT_FLOAT_EQ(v, 0.2f);  // weight of b
  EXPECT_EQ(s, -1.0f);       // dir along the normal (0,0,1): back face
  ASSERT_TRUE(wp::geom::ray_triangle(V(0.2, 0.3, 1), V(0, 0, -2), a, b, c, t, u, v, s));
  EXPECT_FLOAT_EQ(t, 0.5f);  // in multiples of |dir|
  EXPECT_EQ(s, 1.0f);
  EXPECT_FALSE(wp::geom::ray_triangle(V(0.2, 0.3, -1), V(0, 0, 0), a, b, c, t, u, v, s));
  EXPECT_FALSE(wp::geom::ray_triangle(V(-1, 0.3, 0), V(1, 0, 0), a, b, c, t, u, v, s));  // in plane
  ASSERT_TRUE(wp::geom::ray_triangle(V(0.2, 0.3, 1), V(0, 0, 1), a, b, c, t, u, v, s));  // behind: t < 0
  EXPECT_FLOAT_EQ(t, -1.0f);
}

TEST(RayQueryTriangle, RandomAgreesWithDouble) {
  std::mt19937 g(11);
  int hits = 0;
  for (int i = 0; i < 20000; ++i) {
    const v3 s = rand_in(g, -2, 2), d = rand_in(g, -1, 1), a = rand_in(g, -1, 1), b = rand_in(g, -1, 1),
             c = rand_in(g, -1, 1);
    float t, u, v, sg;
    double tr, ur, vr;
    const bool h = wp::geom::ray_triangle_closed(s, d, a, b, c, t, u, v, sg);
    const bool hr = ray_tri_ref(s, d, a, b, c, tr, ur, vr);
    const double margin = std::min({ur, vr, 1 - ur - vr});
    if (std::fabs(margin) < 1e-4) continue;
    ASSERT_EQ(h, hr) << i;
    if (!h) continue;
    ++hits;
    EXPECT_NEAR(t, tr, 1e-3 * (1 + std::fabs(tr)));
    EXPECT_NEAR(u, ur, 1e-3);
    EXPECT_NEAR(v, vr, 1e-3);
    const D3 n = cross(d3(b) - d3(a), d3(c) - d3(a));
    const double dmax = std::max({std::fabs(d.c[0]), std::fabs(d.c[1]), std::fabs(d.c[2])});
    const double sref = -dot(n, d3(d)) / dmax;  // Warp's MeshQueryRay.sign
    EXPECT_NEAR(sg, sref, 1e-4 * (1 + std::fabs(sref)));
    if (std::fabs(sref) > 1e-4) {
      EXPECT_EQ(sg > 0, sref > 0);
    }
  }
  EXPECT_GT(hits, 300);
}

// Rays through shared edges and vertices of an open sheet: exactly one triangle owns the point.
TEST(RayQueryTriangle, SharedEdgesAndVerticesCountOnce) {
  auto m = make_sheet(4);
  std::mt19937 g(5);
  std::uniform_real_distribution<float> uf(0.05f, 0.95f);
  std::uniform_int_distribution<int> ui(1, 3);
  int checked = 0;
  for (int i = 0; i < 3000; ++i) {
    v3 p;
    const int kind = i % 4;
    const float x = float(ui(g)), y = float(ui(g)), f = uf(g);
    if (kind == 0) p = V(x, y, 0);                  // interior vertex
    else if (kind == 1) p = V(x - 1 + f, y, 0);     // horizontal edge
    else if (kind == 2) p = V(x, y - 1 + f, 0);     // vertical edge
    else p = V(x - 1 + 0.5f, y - 1 + 0.5f, 0);      // diagonal midpoint (exact)
    v3 d = rand_dir(g);
    if (std::fabs(d.c[2]) < 0.05f) continue;
    const float back = 2.0f;
    const v3 s = V(p.c[0] - back * d.c[0], p.c[1] - back * d.c[1], p.c[2] - back * d.c[2]);
    // The start is rounded: the ray passes within rounding of p, so it may hit the edge
    // exactly or just beside it; either way exactly one triangle must report it.
    int count = 0, closed = 0;
    for (int fc = 0; fc < m->num_tris(); ++fc) {
      v3 a, b, c;
      m->tri(fc, a, b, c);
      float t, u, v, s2;
      count += wp::geom::ray_triangle(s, d, a, b, c, t, u, v, s2) ? 1 : 0;
      closed += wp::geom::ray_triangle_closed(s, d, a, b, c, t, u, v, s2) ? 1 : 0;
    }
    EXPECT_EQ(count, 1) << "kind " << kind << " i " << i;
    EXPECT_GE(closed, 1);
    ++checked;
    // Axis-aligned rays hit the points exactly.
    const v3 s_ax = V(p.c[0], p.c[1], -1.0f);
    count = 0;
    for (int fc = 0; fc < m->num_tris(); ++fc) {
      v3 a, b, c;
      m->tri(fc, a, b, c);
      float t, u, v, s2;
      count += wp::geom::ray_triangle(s_ax, V(0, 0, 1), a, b, c, t, u, v, s2) ? 1 : 0;
    }
    EXPECT_EQ(count, 1) << "axis-aligned, kind " << kind;
  }
  EXPECT_GT(checked, 2000);
}

// ---- mesh ray casts ----------------------------------------------------------------------

TEST(RayQueryMesh, ClosestHitMatchesBruteForce) {
  auto meshes = test_meshes();
  std::mt19937 g(3);
  for (auto& mp : meshes) {
    HostMesh& m = *mp;
    for (TreeKind kind : kKinds) {
      m.build(kind, kind == TreeKind::kMedian3 ? 0.05f : 0.0f);
      int hits = 0, compared = 0;
      for (int i = 0; i < 1500; ++i) {
        v3 s = rand_in(g, -3, 4);
        if (i % 5 == 0) s = rand_in(g, 0.2f, 0.6f);  // often inside
        v3 d = rand_dir(g);
        const float len = std::uniform_real_distribution<float>(0.3f, 3.0f)(g);
        d = V(d.c[0] * len, d.c[1] * len, d.c[2] * len);
        const float max_t = (i % 3 == 0) ? std::uniform_real_distribution<float>(0.5f, 4.0f)(g) : 1e6f;
        if (ray_is_delicate(m, s, d, max_t)) continue;
        ++compared;
        const RefHit r = ref_closest(m, s, d, max_t);
        const wp::MeshQueryRay q = wp::mesh_query_ray(m.id(), s, d, max_t);
        ASSERT_EQ(q.result, r.hit) << "ray " << i;
        EXPECT_EQ(wp::mesh_query_ray_anyhit(m.id(), s, d, max_t), r.hit);
        if (!r.hit) {
          EXPECT_EQ(q.face, 0);
          EXPECT_EQ(q.t, 0.0f);
          continue;
        }
        ++hits;
        EXPECT_EQ(q.face, r.face);
        EXPECT_NEAR(q.t, r.t, 2e-4 * (1 + r.t));
        EXPECT_NEAR(q.u, r.u, 2e-4);
        EXPECT_NEAR(q.v, r.v, 2e-4);
        v3 a, b, c;
        m.tri(r.face, a, b, c);
        const D3 n = cross(d3(b) - d3(a), d3(c) - d3(a));
        const double nl = std::sqrt(dot(n, n));
        EXPECT_NEAR(q.normal.c[0], n.x / nl, 1e-5);
        EXPECT_NEAR(q.normal.c[1], n.y / nl, 1e-5);
        EXPECT_NEAR(q.normal.c[2], n.z / nl, 1e-5);
        const double dmax = std::max({std::fabs(d.c[0]), std::fabs(d.c[1]), std::fabs(d.c[2])});
        EXPECT_NEAR(q.sign, -dot(n, d3(d)) / dmax, 1e-4 * (1 + std::fabs(dot(n, d3(d)) / dmax)));
        // root = -1 and the explicit root give the same answer.
        const wp::MeshQueryRay q2 = wp::mesh_query_ray(m.id(), s, d, max_t, m.bvh.root);
        EXPECT_EQ(q2.face, q.face);
        EXPECT_EQ(q2.t, q.t);
      }
      EXPECT_GT(compared, 1000);
      EXPECT_GT(hits, 100);
    }
  }
}

TEST(RayQueryMesh, CountParityAndBruteForce) {
  auto meshes = test_meshes();
  std::mt19937 g(4);
  for (int mi = 0; mi < 3; ++mi) {
    HostMesh& m = *meshes[mi];
    const bool closed = mi < 2;
    for (TreeKind kind : kKinds) {
      m.build(kind, 0.01f);
      for (int i = 0; i < 800; ++i) {
        const bool inside = closed && i % 2 == 0;
        const v3 s = inside ? (mi == 0 ? rand_in(g, -0.3f, 0.3f) : rand_in(g, 0.1f, 0.9f)) : rand_in(g, 3, 5);
        const v3 d = rand_dir(g);
        if (ray_is_delicate(m, s, d, 1e30)) continue;
        int ref = 0;
        for (int f = 0; f < m.num_tris(); ++f) {
          v3 a, b, c;
          m.tri(f, a, b, c);
          double t, u, v;
          ref += ray_tri_ref(s, d, a, b, c, t, u, v) && t >= 0 ? 1 : 0;
        }
        const int n = wp::mesh_query_ray_count_intersections(m.id(), s, d);
        EXPECT_EQ(n, ref);
        if (closed) {
          EXPECT_EQ(n % 2, inside ? 1 : 0);
        }
        // Scaling dir does not change the count.
        EXPECT_EQ(wp::mesh_query_ray_count_intersections(m.id(), s, V(3 * d.c[0], 3 * d.c[1], 3 * d.c[2])), n);
      }
    }
  }
}

// Rays exactly through edges and vertices of the cube and the sheet (Warp 1.19 double-counts
// shared edges: 4 crossings through a cube edge; here every crossing counts once).
TEST(RayQueryMesh, EdgesAndVertices) {
  auto cube = make_cube();
  auto sheet = make_sheet(4);
  for (TreeKind kind : kKinds) {
    cube->build(kind);
    sheet->build(kind);
    struct Case {
      v3 s, d;
      int count;
      float t;
    };
    const Case cube_cases[] = {
        {V(-1, -1, 0.5), V(1, 1, 0), 2, 1.0f},           // through two vertical edges
        {V(-1, -1, -1), V(1, 1, 1), 2, 1.0f},            // through two corners
        {V(0.5, 0.5, -1), V(0, 0, 1), 2, 1.0f},          // through the diagonals of two faces
        {V(0.3, 0.3, -1), V(0, 0, 1), 2, 1.0f},          // Warp's docstring ray crosses the diagonal
        {V(0.5, 0.5, 0.5), V(1, 1, 1), 1, 0.5f},         // from inside through a corner
        {V(0.5, 0.5, 0.5), V(1, 0, 0), 1, 0.5f},         // from inside, perpendicular
        {V(2, 0.5, 0.5), V(-1, 0, 0), 2, 1.0f},          // from outside
        {V(-1, 0.5, 1), V(1, 0, 0), 2, 1.0f},            // grazing the top face (in its plane)
    };
    for (const Case& c : cube_cases) {
      EXPECT_EQ(wp::mesh_query_ray_count_intersections(cube->id(), c.s, c.d), c.count);
      const wp::MeshQueryRay q = wp::mesh_query_ray(cube->id(), c.s, c.d, 1e6f);
      EXPECT_TRUE(q.result);
      EXPECT_FLOAT_EQ(q.t, c.t);
    }
    std::mt19937 g(9);
    for (int i = 0; i < 200; ++i) {
      const v3 p = (i % 2) ? V(1 + i % 3, 1 + (i / 3) % 3, 0) : V(0.5f + i % 4, 0.5f + (i / 4) % 4, 0);
      for (float dz : {1.0f, -1.0f}) {
        const v3 s = V(p.c[0], p.c[1], -dz);
        const v3 d = V(0, 0, dz);
        EXPECT_EQ(wp::mesh_query_ray_count_intersections(sheet->id(), s, d), 1);
        const wp::MeshQueryRay q = wp::mesh_query_ray(sheet->id(), s, d, 1e6f);
        ASSERT_TRUE(q.result);
        EXPECT_EQ(q.t, 1.0f);
        // Ties between the faces sharing the point: the smallest face index containing it.
        int smallest = -1;
        for (int f = 0; f < sheet->num_tris() && smallest < 0; ++f) {
          v3 a, b, c;
          sheet->tri(f, a, b, c);
          double t, u, v;
          if (ray_tri_ref(s, d, a, b, c, t, u, v)) smallest = f;
        }
        EXPECT_EQ(q.face, smallest);
      }
    }
    // Boundary edges and corners of the open sheet are hit by the closest-hit query.
    for (v3 p : {V(0, 0, 0), V(4, 4, 0), V(2, 0, 0), V(0, 2.5, 0), V(4, 1.25, 0)}) {
      EXPECT_TRUE(wp::mesh_query_ray(sheet->id(), V(p.c[0], p.c[1], 1), V(0, 0, -1), 1e6f).result);
      EXPECT_TRUE(wp::mesh_query_ray_anyhit(sheet->id(), V(p.c[0], p.c[1], 1), V(0, 0, -1), 1e6f));
    }
  }
}

TEST(RayQueryMesh, MaxTAndStartOnSurface) {
  auto cube = make_cube();
  cube->build(TreeKind::kMedian1);
  const uint64_t id = cube->id();
  // Hit at t = 1 (front face z = 0).
  EXPECT_TRUE(wp::mesh_query_ray(id, V(0.3, 0.6, -1), V(0, 0, 1), 1.0001f).result);
  EXPECT_FALSE(wp::mesh_query_ray(id, V(0.3, 0.6, -1), V(0, 0, 1), 1.0f).result);  // t < max_t strictly
  EXPECT_FALSE(wp::mesh_query_ray_anyhit(id, V(0.3, 0.6, -1), V(0, 0, 1), 1.0f));
  EXPECT_TRUE(wp::mesh_query_ray(id, V(0.3, 0.6, -1), V(0, 0, 2), 0.6f).result);  // t = 0.5
  const wp::MeshQueryRay q0 = wp::mesh_query_ray(id, V(0.3, 0.6, 0), V(0, 0, 1), 1e6f);  // starts on a face
  EXPECT_TRUE(q0.result);
  EXPECT_EQ(q0.t, 0.0f);
  EXPECT_EQ(wp::mesh_query_ray_count_intersections(id, V(0.3, 0.6, 0), V(0, 0, 1)), 2);
  // Warp's docstring example: t = 2, normal (0, 0, -1).
  const wp::MeshQueryRay q = wp::mesh_query_ray(id, V(0.5, 0.5, -2), V(0, 0, 1), 1e6f);
  EXPECT_EQ(q.t, 2.0f);
  EXPECT_EQ(q.normal.c[2], -1.0f);
  EXPECT_EQ(q.sign, 1.0f);
  EXPECT_EQ(wp::mesh_query_ray_count_intersections(id, V(0.3, 0.6, -2), V(0, 0, 1)), 2);
}

TEST(RayQueryMesh, OutParamForm) {
  auto s = make_sphere(7, 10, 1.0, V(0, 0, 0));
  s->build(TreeKind::kMedian3);
  std::mt19937 g(8);
  for (int i = 0; i < 200; ++i) {
    const v3 st = rand_in(g, -2, 2), d = rand_dir(g);
    float t = 7, u = 7, v = 7, sg = 7;
    v3 n = V(7, 7, 7);
    int32_t f = 7;
    const bool r = wp::mesh_query_ray(s->id(), st, d, 1e6f, t, u, v, sg, n, f);
    const wp::MeshQueryRay q = wp::mesh_query_ray(s->id(), st, d, 1e6f);
    ASSERT_EQ(r, q.result);
    if (r) {
      EXPECT_EQ(t, q.t);
      EXPECT_EQ(u, q.u);
      EXPECT_EQ(v, q.v);
      EXPECT_EQ(sg, q.sign);
      EXPECT_EQ(f, q.face);
      EXPECT_EQ(n, q.normal);
    } else {
      EXPECT_EQ(t, 7.0f);  // untouched on a miss (as Warp)
      EXPECT_EQ(f, 7);
    }
  }
}

TEST(RayQueryMesh, GroupRoots) {
  // Warp's docstring: group 1 holds the triangle at z = 5.
  auto m = std::make_unique<HostMesh>();
  m->points = {V(0, 0, 0), V(1, 0, 0), V(0, 1, 0), V(0, 0, 5), V(1, 0, 5), V(0, 1, 5)};
  m->indices = {0, 1, 2, 3, 4, 5};
  m->build(TreeKind::kMedian1, 0.0f, {0, 1}, 2);
  const int32_t r1 = wp::mesh_get_group_root(m->id(), 1);
  EXPECT_EQ(r1, m->bvh.group_roots[1]);
  const wp::MeshQueryRay q = wp::mesh_query_ray(m->id(), V(0.1, 0.1, -1), V(0, 0, 1), 1e6f, r1);
  EXPECT_TRUE(q.result);
  EXPECT_EQ(q.face, 1);
  EXPECT_EQ(wp::mesh_query_ray(m->id(), V(0.1, 0.1, -1), V(0, 0, 1), 1e6f).face, 0);
  EXPECT_EQ(wp::mesh_get_group_root(m->id(), 2), -1);
  EXPECT_EQ(wp::mesh_get_group_root(m->id(), -3), -1);
  EXPECT_EQ(wp::mesh_query_ray_count_intersections(m->id(), V(0.1, 0.1, -1), V(0, 0, 1), r1), 1);
  EXPECT_TRUE(wp::mesh_query_ray_anyhit(m->id(), V(0.1, 0.1, -1), V(0, 0, 1), 5.5f, wp::mesh_get_group_root(m->id(), 0)));
  EXPECT_FALSE(wp::mesh_query_ray_anyhit(m->id(), V(0.1, 0.1, -1), V(0, 0, 1), 5.5f, r1));  // t = 6

  // A sphere split into 4 groups by face index: group-restricted casts = brute force over the group.
  auto s = make_sphere(8, 12, 1.0, V(0, 0, 0));
  std::vector<int32_t> groups(s->num_tris());
  for (int f = 0; f < s->num_tris(); ++f) groups[f] = (f * 7) % 4;
  for (TreeKind kind : kKinds) {
    s->build(kind, 0.02f, groups, 5);  // group 4 is empty
    EXPECT_EQ(wp::mesh_get_group_root(s->id(), 4), -1);
    std::mt19937 g(12);
    for (int grp = 0; grp < 4; ++grp) {
      std::vector<int> faces;
      for (int f = 0; f < s->num_tris(); ++f)
        if (groups[f] == grp) faces.push_back(f);
      const int32_t root = wp::mesh_get_group_root(s->id(), grp);
      ASSERT_GE(root, 0);
      for (int i = 0; i < 300; ++i) {
        const v3 st = rand_in(g, -2, 2), d = rand_dir(g);
        if (ray_is_delicate(*s, st, d, 1e6)) continue;
        const RefHit r = ref_closest(*s, st, d, 1e6, &faces);
        const wp::MeshQueryRay q = wp::mesh_query_ray(s->id(), st, d, 1e6f, root);
        ASSERT_EQ(q.result, r.hit);
        if (r.hit) {
          EXPECT_EQ(q.face, r.face);
        }
        int ref_count = 0;
        for (int f : faces) {
          v3 a, b, c;
          s->tri(f, a, b, c);
          double t, u, v;
          ref_count += ray_tri_ref(st, d, a, b, c, t, u, v) && t >= 0;
        }
        EXPECT_EQ(wp::mesh_query_ray_count_intersections(s->id(), st, d, root), ref_count);
        // BVH iterator from the group root reports only the group's items.
        wp::bvh_query_t bq = wp::bvh_query_aabb(wp::mesh_get_bvh(s->id()), V(-5, -5, -5), V(5, 5, 5), root);
        std::vector<int> got;
        int32_t idx = -1;
        while (wp::bvh_query_next(bq, idx)) got.push_back(idx);
        std::sort(got.begin(), got.end());
        EXPECT_EQ(got, faces);
        break;
      }
    }
  }
}

// ---- iterators ---------------------------------------------------------------------------

template <typename Next>
std::vector<int> drain(Next next) {
  std::vector<int> out;
  int32_t idx = -12345;
  while (next(idx)) out.push_back(idx);
  return out;
}

void expect_same_set(std::vector<int> got, const std::vector<int>& want, const char* what) {
  std::sort(got.begin(), got.end());
  EXPECT_TRUE(std::adjacent_find(got.begin(), got.end()) == got.end()) << what << ": an item reported twice";
  got.erase(std::unique(got.begin(), got.end()), got.end());
  EXPECT_EQ(got, want) << what;
}

TEST(BvhQuery, IteratorsMatchBruteForce) {
  std::mt19937 g(21);
  for (TreeKind kind : kKinds) {
    HostBvh b;
    const int n = 300;
    for (int i = 0; i < n; ++i) {
      const v3 c = rand_in(g, -5, 5), e = rand_in(g, 0.0f, 0.6f);
      b.lowers.push_back(V(c.c[0] - e.c[0], c.c[1] - e.c[1], c.c[2] - e.c[2]));
      b.uppers.push_back(V(c.c[0] + e.c[0], c.c[1] + e.c[1], c.c[2] + e.c[2]));
    }
    build_tree(b, kind, kind == TreeKind::kMedian3 ? 0.1f : 0.0f);
    const uint64_t id = b.id();
    for (int i = 0; i < 300; ++i) {
      // AABB
      const v3 c = rand_in(g, -6, 6), e = rand_in(g, 0.0f, 2.0f);
      const v3 lo = V(c.c[0] - e.c[0], c.c[1] - e.c[1], c.c[2] - e.c[2]);
      const v3 hi = V(c.c[0] + e.c[0], c.c[1] + e.c[1], c.c[2] + e.c[2]);
      std::vector<int> want;
      for (int k = 0; k < n; ++k)
        if (wp::geom::box_overlap(lo, hi, b.lowers[k], b.uppers[k])) want.push_back(k);
      wp::bvh_query_t q = wp::bvh_query_aabb(id, lo, hi);
      expect_same_set(drain([&](int32_t& x) { return wp::bvh_query_next(q, x); }), want, "bvh_query_aabb");

      // Sphere
      const float r = e.c[0] * 1.5f;
      want.clear();
      bool delicate = false;
      for (int k = 0; k < n; ++k) {
        const double d2 = sphere_box_d2(c, b.lowers[k], b.uppers[k]);
        delicate |= std::fabs(d2 - double(r) * r) < 1e-4;
        if (d2 <= double(r) * r) want.push_back(k);
      }
      if (!delicate) {
        wp::bvh_query_t qs = wp::bvh_query_sphere(id, c, r);
        expect_same_set(drain([&](int32_t& x) { return wp::bvh_query_next(qs, x); }), want, "bvh_query_sphere");
      }

      // Ray with a max_dist, and capsule
      const v3 s = rand_in(g, -7, 7), d0 = rand_dir(g);
      const float len = std::uniform_real_distribution<float>(0.5f, 2.0f)(g);
      const v3 d = V(d0.c[0] * len, d0.c[1] * len, d0.c[2] * len);
      const float md = (i % 2) ? INFINITY : std::uniform_real_distribution<float>(0.0f, 8.0f)(g);
      const float rad = std::uniform_real_distribution<float>(0.0f, 0.7f)(g);
      std::vector<int> want_ray, want_cap;
      delicate = false;
      for (int k = 0; k < n; ++k) {
        double t0, t1;
        if (ray_box_ref(s, d, b.lowers[k], b.uppers[k], true, t0, t1)) {
          delicate |= std::fabs(t0 - md) < 1e-4 || std::fabs(t1 - t0) < 1e-4 || std::fabs(t1) < 1e-4;
          if (t0 < md) want_ray.push_back(k);
        }
        const v3 plo = V(b.lowers[k].c[0] - rad, b.lowers[k].c[1] - rad, b.lowers[k].c[2] - rad);
        const v3 phi = V(b.uppers[k].c[0] + rad, b.uppers[k].c[1] + rad, b.uppers[k].c[2] + rad);
        if (ray_box_ref(s, d, plo, phi, false, t0, t1)) {
          delicate |= std::fabs(t0 - md) < 1e-4 || std::fabs(t1 - t0) < 1e-4 || std::fabs(t1) < 1e-4;
          if (t0 <= md) want_cap.push_back(k);
        }
      }
      if (delicate) continue;
      wp::bvh_query_t qr = wp::bvh_query_ray(id, s, d);
      expect_same_set(drain([&](int32_t& x) { return wp::bvh_query_next(qr, x, md); }), want_ray, "bvh_query_ray");
      wp::bvh_query_t qc = wp::bvh_query_capsule(id, s, d, rad);
      expect_same_set(drain([&](int32_t& x) { return wp::bvh_query_next(qc, x, md); }), want_cap, "bvh_query_capsule");
    }
  }
}

// Warp 1.19's docstring examples and the edge cases probed against Warp.
TEST(BvhQuery, WarpExamples) {
  HostBvh b;
  b.lowers = {V(0, 0, 0), V(2, 0, 0), V(4, 0, 0), V(-3, 0, 0)};
  b.uppers = {V(1, 1, 1), V(3, 1, 1), V(5, 1, 1), V(-2, 1, 1)};
  for (TreeKind kind : kKinds) {
    build_tree(b, kind, 0.0f);
    const uint64_t id = b.id();
    auto aabb = [&](v3 lo, v3 hi) {
      wp::bvh_query_t q = wp::bvh_query_aabb(id, lo, hi);
      auto v = drain([&](int32_t& x) { return wp::bvh_query_next(q, x); });
      std::sort(v.begin(), v.end());
      return v;
    };
    auto ray = [&](v3 s, v3 d, float md) {
      wp::bvh_query_t q = wp::bvh_query_ray(id, s, d);
      auto v = drain([&](int32_t& x) { return wp::bvh_query_next(q, x, md); });
      std::sort(v.begin(), v.end());
      return v;
    };
    auto cap = [&](v3 s, v3 d, float r, float md) {
      wp::bvh_query_t q = wp::bvh_query_capsule(id, s, d, r);
      auto v = drain([&](int32_t& x) { return wp::bvh_query_next(q, x, md); });
      std::sort(v.begin(), v.end());
      return v;
    };
    auto sph = [&](v3 c, float r) {
      wp::bvh_query_t q = wp::bvh_query_sphere(id, c, r);
      auto v = drain([&](int32_t& x) { return wp::bvh_query_next(q, x); });
      std::sort(v.begin(), v.end());
      return v;
    };
    using VI = std::vector<int>;
    const float inf = INFINITY;
    EXPECT_EQ(aabb(V(0.5, 0.5, 0.5), V(2.5, 0.5, 0.5)), (VI{0, 1}));
    EXPECT_EQ(aabb(V(1, 0, 0), V(1, 1, 1)), (VI{0}));  // touching counts
    EXPECT_EQ(aabb(V(3, 0, 0), V(1, 1, 1)), VI{});    // inverted box
    EXPECT_EQ(ray(V(-1, 0.5, 0.5), V(1, 0, 0), inf), (VI{0, 1, 2}));
    EXPECT_EQ(ray(V(0.5, 0.5, 0.5), V(1, 0, 0), inf), (VI{0, 1, 2}));  // starts inside item 0
    EXPECT_EQ(ray(V(-1, 0.5, 0.5), V(1, 0, 0), 3.0f), (VI{0}));      // entry at t = 3: excluded
    EXPECT_EQ(ray(V(-1, 0.5, 0.5), V(1, 0, 0), 3.0001f), (VI{0, 1}));
    EXPECT_EQ(ray(V(-1, 0.5, 0.5), V(1, 0, 0), 1.0f), VI{});
    EXPECT_EQ(ray(V(0.5, 0.5, 0.5), V(1, 0, 0), -0.4f), (VI{0}));  // entry t = -0.5
    EXPECT_EQ(ray(V(0.5, 0.5, 0.5), V(1, 0, 0), -0.5f), VI{});
    EXPECT_EQ(ray(V(-1, 1, 0.5), V(1, 0, 0), inf), VI{});  // along a box face: Warp reports nothing
    EXPECT_EQ(ray(V(-1, 0, 0.5), V(1, 0, 0), inf), VI{});
    EXPECT_EQ(ray(V(-1, 0.5, 0.5), V(2, 0, 0), 1.5f), (VI{0}));
    EXPECT_EQ(ray(V(3.5, 0.5, 0.5), V(-1, 0, 0), inf), (VI{0, 1, 3}));
    EXPECT_EQ(ray(V(0, 2, 0.5), V(1, -1, 0), inf), (VI{0, 1}));  // touching corners
    EXPECT_EQ(ray(V(0.5, 0.5, 0.5), V(0, 0, 0), inf), (VI{0}));
    EXPECT_EQ(sph(V(1.5, 0.5, 0.5), 0.5f), (VI{0, 1}));  // tangent
    EXPECT_EQ(sph(V(0.5, 0.5, 0.5), -1.0f), (VI{0}));
    EXPECT_EQ(sph(V(1.5, 1.5, 0.5), 0.70710f), VI{});
    EXPECT_EQ(sph(V(1.5, 1.5, 0.5), 0.70711f), (VI{0, 1}));
    EXPECT_EQ(cap(V(0, 0, 0), V(0.5, 0, 0), 0.3f, 1.0f), (VI{0}));
    EXPECT_EQ(cap(V(-1, 0.5, 0.5), V(1, 0, 0), 0.5f, 2.5f), (VI{0, 1}));  // entry t = 2.5 included
    EXPECT_EQ(cap(V(-1, 0.5, 0.5), V(1, 0, 0), 0.5f, 2.4999f), (VI{0}));
    EXPECT_EQ(cap(V(-1, 0.5, 0.5), V(-1, 0, 0), 0.5f, 1.0f), (VI{3}));
    EXPECT_EQ(cap(V(1.5, 1.6, 0.5), V(0, 0, 1), 0.55f, 1.0f), VI{});
    EXPECT_EQ(cap(V(-1, 0.5, 0.5), V(1, 0, 0), -1.0f, 10.0f), (VI{0, 1, 2}));
    EXPECT_EQ(cap(V(-1, 1.5, 0.5), V(1, 0, 0), 0.5f, 10.0f), (VI{0, 1, 2}));  // along an inflated face
    EXPECT_EQ(cap(V(0.5, 0.5, 0.5), V(1, 0, 0), 0.5f, -0.1f), (VI{0}));
    EXPECT_EQ(cap(V(0, 2, 0.5), V(1, -1, 0), 0.0f, 1.0f), (VI{0}));
  }
  // Docstring: groups [0, 0, 1] → group 1 holds only box 2.
  HostBvh gb;
  gb.lowers = {V(0, 0, 0), V(2, 0, 0), V(4, 0, 0)};
  gb.uppers = {V(1, 1, 1), V(3, 1, 1), V(5, 1, 1)};
  build_tree(gb, TreeKind::kMedian1, 0.0f, {0, 0, 1}, 2);
  const int32_t root = wp::bvh_get_group_root(gb.id(), 1);
  wp::bvh_query_t q = wp::bvh_query_aabb(gb.id(), V(-1, -1, -1), V(6, 6, 6), root);
  EXPECT_EQ(drain([&](int32_t& x) { return wp::bvh_query_next(q, x); }), (std::vector<int>{2}));
  EXPECT_EQ(wp::bvh_get_group_root(gb.id(), 7), -1);
}

TEST(BvhQuery, ZeroQueryAndEmptyTree) {
  wp::bvh_query_t q = wp::adjoint_zero<wp::bvh_query_t>();
  int32_t idx = 5;
  EXPECT_FALSE(wp::bvh_query_next(q, idx));
  EXPECT_EQ(idx, 5);
  wp::mesh_query_t mq = wp::adjoint_zero<wp::mesh_query_t>();
  EXPECT_FALSE(wp::mesh_query_next(mq, idx));
  wp::mesh_query_aabb_t ma = wp::adjoint_zero<wp::mesh_query_aabb_t>();
  EXPECT_FALSE(wp::mesh_query_aabb_next(ma, idx));
  HostBvh empty;
  build_tree(empty, TreeKind::kMedian1, 0.0f);
  wp::bvh_query_t e = wp::bvh_query_aabb(empty.id(), V(-1, -1, -1), V(1, 1, 1));
  EXPECT_FALSE(wp::bvh_query_next(e, idx));
  EXPECT_EQ(idx, 5);
  HostMesh m;
  m.build(TreeKind::kMedian1);
  EXPECT_FALSE(wp::mesh_query_ray(m.id(), V(0, 0, 0), V(1, 0, 0), 1e6f).result);
  EXPECT_EQ(wp::mesh_query_ray_count_intersections(m.id(), V(0, 0, 0), V(1, 0, 0)), 0);
}

TEST(BvhQuery, MeshIteratorsMatchBruteForce) {
  auto meshes = test_meshes();
  std::mt19937 g(31);
  for (auto& mp : meshes) {
    HostMesh& m = *mp;
    for (TreeKind kind : kKinds) {
      m.build(kind, kind == TreeKind::kMedian3 ? 0.05f : 0.0f);
      for (int i = 0; i < 300; ++i) {
        const v3 c = rand_in(g, -1.5f, 2.5f), e = rand_in(g, 0.0f, 0.8f);
        const v3 lo = V(c.c[0] - e.c[0], c.c[1] - e.c[1], c.c[2] - e.c[2]);
        const v3 hi = V(c.c[0] + e.c[0], c.c[1] + e.c[1], c.c[2] + e.c[2]);
        std::vector<int> want;
        for (int f = 0; f < m.num_tris(); ++f)
          if (wp::geom::box_overlap(lo, hi, m.bvh.lowers[f], m.bvh.uppers[f])) want.push_back(f);
        wp::mesh_query_aabb_t qa = wp::mesh_query_aabb(m.id(), lo, hi);
        expect_same_set(drain([&](int32_t& x) { return wp::mesh_query_aabb_next(qa, x); }), want, "mesh_query_aabb");
        wp::mesh_query_aabb_t qa2 = wp::mesh_query_aabb(m.id(), lo, hi);
        expect_same_set(drain([&](int32_t& x) { return wp::mesh_query_next(qa2, x); }), want, "mesh_query_next(aabb)");
        // Same faces through the mesh's BVH handle (item boxes are the triangle boxes).
        wp::bvh_query_t qb = wp::bvh_query_aabb(wp::mesh_get_bvh(m.id()), lo, hi);
        expect_same_set(drain([&](int32_t& x) { return wp::bvh_query_next(qb, x); }), want, "mesh_get_bvh");

        const float r = e.c[1] * 1.2f;
        want.clear();
        bool delicate = false;
        for (int f = 0; f < m.num_tris(); ++f) {
          v3 a, b, cc;
          m.tri(f, a, b, cc);
          const double d2 = point_tri_d2(c, a, b, cc);
          delicate |= std::fabs(std::sqrt(d2) - r) < 1e-4;
          if (d2 <= double(r) * r) want.push_back(f);
        }
        if (delicate) continue;
        wp::mesh_query_t qs = wp::mesh_query_sphere(m.id(), c, r);
        expect_same_set(drain([&](int32_t& x) { return wp::mesh_query_next(qs, x); }), want, "mesh_query_sphere");
        wp::mesh_query_t qs2 = wp::mesh_query_sphere(m.id(), c, r);
        expect_same_set(drain([&](int32_t& x) { return wp::mesh_query_aabb_next(qs2, x); }), want,
                        "mesh_query_aabb_next(sphere)");
      }
    }
  }
}

TEST(BvhQuery, MeshSphereEdgeCases) {
  auto m = std::make_unique<HostMesh>();
  m->points = {V(0, 0, 0), V(1, 0, 0), V(0, 1, 0), V(2, 0, 0), V(3, 0, 0), V(2, 1, 0),
               V(5, 0, 0), V(6, 0, 0), V(7, 0, 0)};  // face 2: zero area (collinear)
  m->indices = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  m->build(TreeKind::kMedian1);
  auto sph = [&](v3 c, float r) {
    wp::mesh_query_t q = wp::mesh_query_sphere(m->id(), c, r);
    auto v = drain([&](int32_t& x) { return wp::mesh_query_next(q, x); });
    std::sort(v.begin(), v.end());
    return v;
  };
  using VI = std::vector<int>;
  EXPECT_EQ(sph(V(0.1, 0.1, 0), 0.5f), (VI{0}));     // docstring
  EXPECT_EQ(sph(V(1.5, 0.5, 0), 0.5f), (VI{1}));     // tangent to face 1's edge
  EXPECT_EQ(sph(V(0.2, 0.2, 0.5), 0.5f), (VI{0}));   // tangent to the face
  EXPECT_EQ(sph(V(0.2, 0.2, 0.5), 0.4999f), VI{});
  EXPECT_EQ(sph(V(0.2, 0.2, 0), 0.0f), (VI{0}));     // on the face, r = 0 (Warp misses this by rounding)
  EXPECT_EQ(sph(V(0, 0, 0), -1.0f), (VI{0}));        // negative radius → 0
  EXPECT_EQ(sph(V(6.5, 0.3, 0), 0.31f), (VI{2}));    // degenerate face: longest edge
  EXPECT_EQ(sph(V(6.5, 0.3, 0), 0.29f), VI{});
  wp::mesh_query_aabb_t qa = wp::mesh_query_aabb(m->id(), V(0.8, 0.8, -1), V(0.9, 0.9, 1));  // box, not triangle
  EXPECT_EQ(drain([&](int32_t& x) { return wp::mesh_query_next(qa, x); }), (VI{0}));
  auto cube = make_cube();
  cube->build(TreeKind::kMedian3, 0.1f);
  wp::mesh_query_aabb_t qc = wp::mesh_query_aabb(cube->id(), V(-1, -1, -1), V(2, 2, 2));
  EXPECT_EQ(drain([&](int32_t& x) { return wp::mesh_query_next(qc, x); }).size(), 12u);
}

// ---- intersect_tri_tri -------------------------------------------------------------------

template <typename T>
int tt(std::initializer_list<double> c) {
  std::vector<double> v(c);
  auto P = [&](int i) { return wp::vec_t<3, T>{{T(v[3 * i]), T(v[3 * i + 1]), T(v[3 * i + 2])}}; };
  return wp::intersect_tri_tri(P(0), P(1), P(2), P(3), P(4), P(5));
}

template <typename T>
void tri_tri_cases() {
  // Docstring: crossing.
  EXPECT_EQ(tt<T>({0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 1, -1, 1, 1, 1, 1, -1, 0}), 1);
  // Separated (parallel planes, and far apart).
  EXPECT_EQ(tt<T>({0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1}), 0);
  EXPECT_EQ(tt<T>({0, 0, 0, 1, 0, 0, 0, 1, 0, 5, 5, -1, 5, 5, 1, 6, 5, 0}), 0);
  // Planes cross but the triangles do not reach each other.
  EXPECT_EQ(tt<T>({0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 2, -1, 2, 2, 1, 3, 2, 0}), 0);
  // Touching: a vertex on the other face, an edge on an edge.
  EXPECT_EQ(tt<T>({0, 0, 0, 2, 0, 0, 0, 2, 0, 0.5, 0.5, 0, 0.5, 0.5, 1, 1, 0.5, 1}), 1);
  EXPECT_EQ(tt<T>({0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}), 1);  // shared edge
  EXPECT_EQ(tt<T>({0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, -1, 0, 0.5, 0, -1, 0.5}), 1);  // shared vertex
  // Coplanar: overlapping, one inside the other, touching at a vertex, disjoint.
  EXPECT_EQ(tt<T>({0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 1, 0, 3, 1, 0, 1, 3, 0}), 1);
  EXPECT_EQ(tt<T>({0, 0, 0, 4, 0, 0, 0, 4, 0, 0.5, 0.5, 0, 1, 0.5, 0, 0.5, 1, 0}), 1);
  EXPECT_EQ(tt<T>({0.5, 0.5, 0, 1, 0.5, 0, 0.5, 1, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0}), 1);
  EXPECT_EQ(tt<T>({0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 2, 0, 0, 1, 1, 0}), 1);
  EXPECT_EQ(tt<T>({0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 2, 0, 3, 2, 0, 2, 3, 0}), 0);
  EXPECT_EQ(tt<T>({0, 0, 0, 1, 0, 0, 0, 1, 0, 0.6, 0.6, 0, 2, 0.6, 0, 0.6, 2, 0}), 0);  // just past the hypotenuse
  // Random pairs against a sampled reference in double: segment–triangle crossings.
  std::mt19937 g(2);
  std::uniform_real_distribution<double> u(-1, 1);
  int agree = 0, total = 0;
  for (int i = 0; i < 2000; ++i) {
    v3 P[6];
    for (auto& p : P) p = V(u(g), u(g), u(g));
    auto seg_hits = [&](const v3& a, const v3& b, const v3& x, const v3& y, const v3& z) {
      double t, uu, vv;
      const v3 d = V(b.c[0] - a.c[0], b.c[1] - a.c[1], b.c[2] - a.c[2]);
      return ray_tri_ref(a, d, x, y, z, t, uu, vv) && t >= 0 && t <= 1;
    };
    bool ref = false;
    for (int e = 0; e < 3; ++e) {
      ref |= seg_hits(P[e], P[(e + 1) % 3], P[3], P[4], P[5]);
      ref |= seg_hits(P[3 + e], P[3 + (e + 1) % 3], P[0], P[1], P[2]);
    }
    const int got = wp::intersect_tri_tri(wp::vec_t<3, T>{{T(P[0].c[0]), T(P[0].c[1]), T(P[0].c[2])}},
                                          wp::vec_t<3, T>{{T(P[1].c[0]), T(P[1].c[1]), T(P[1].c[2])}},
                                          wp::vec_t<3, T>{{T(P[2].c[0]), T(P[2].c[1]), T(P[2].c[2])}},
                                          wp::vec_t<3, T>{{T(P[3].c[0]), T(P[3].c[1]), T(P[3].c[2])}},
                                          wp::vec_t<3, T>{{T(P[4].c[0]), T(P[4].c[1]), T(P[4].c[2])}},
                                          wp::vec_t<3, T>{{T(P[5].c[0]), T(P[5].c[1]), T(P[5].c[2])}});
    ++total;
    agree += (got == 1) == ref;
  }
  EXPECT_GE(agree, total - 2);  // only near-touching pairs may differ
}

TEST(RayQueryTriTri, Float) { tri_tri_cases<float>(); }
TEST(RayQueryTriTri, Double) { tri_tri_cases<double>(); }

// ---- adjoints ------------------------------------------------------------------------------

struct Seeds {
  float gt, gu, gv;
  v3 gn;
};

double loss(const wp::MeshQueryRay& q, const Seeds& s) {
  return double(s.gt) * q.t + double(s.gu) * q.u + double(s.gv) * q.v + double(s.gn.c[0]) * q.normal.c[0] +
         double(s.gn.c[1]) * q.normal.c[1] + double(s.gn.c[2]) * q.normal.c[2];
}

TEST(RayQueryAdjoint, StartDirAndVerticesMatchCentralDifferences) {
  auto m = make_sphere(7, 9, 1.0, V(0, 0, 0));
  m->build(TreeKind::kMedian3, 0.05f);  // padded boxes: small vertex moves stay inside
  std::mt19937 g(41);
  int checked = 0;
  for (int i = 0; i < 400 && checked < 60; ++i) {
    const v3 s = (i % 3 == 0) ? rand_in(g, -0.3f, 0.3f) : rand_in(g, -2.5f, 2.5f);
    const v3 d0 = rand_dir(g);
    const float len = std::uniform_real_distribution<float>(0.5f, 2.0f)(g);
    const v3 d = V(d0.c[0] * len, d0.c[1] * len, d0.c[2] * len);
    const wp::MeshQueryRay q = wp::mesh_query_ray(m->id(), s, d, 1e6f);
    if (!q.result || std::min({q.u, q.v, 1 - q.u - q.v}) < 0.08f) continue;
    // Grazing hits are ill-conditioned for finite differences.
    const float cosang = std::fabs(q.normal.c[0] * d0.c[0] + q.normal.c[1] * d0.c[1] + q.normal.c[2] * d0.c[2]);
    if (cosang < 0.25f) continue;
    ++checked;
    const Seeds sd{std::sin(1.0f + i), std::cos(2.0f + i), std::sin(3.0f * i), V(std::cos(i * 0.7), 0.4, -0.8)};
    wp::MeshQueryRay adj_ret{};
    adj_ret.t = sd.gt;
    adj_ret.u = sd.gu;
    adj_ret.v = sd.gv;
    adj_ret.normal = sd.gn;
    adj_ret.sign = 5.0f;  // ignored (not differentiable)
    uint64_t adj_id = 0;
    v3 adj_s = V(0.25, 0.25, 0.25), adj_d = V(0.25, 0.25, 0.25);
    float adj_max_t = 0;
    m->grad.assign(m->points.size(), V(0, 0, 0));
    m->desc.points_grad = m->grad.data();
    wp::adj_mesh_query_ray(m->id(), s, d, 1e6f, adj_id, adj_s, adj_d, adj_max_t, adj_ret);
    m->desc.points_grad = nullptr;
    EXPECT_EQ(adj_max_t, 0.0f);

    const float h = 1e-3f;
    const double tol = 3e-3;
    for (int k = 0; k < 3; ++k) {
      v3 sp = s, dp = d;
      auto eval = [&](const v3& ss, const v3& dd) { return loss(wp::mesh_query_ray(m->id(), ss, dd, 1e6f), sd); };
      sp.c[k] = s.c[k] + h;
      double lp = eval(sp, d);
      sp.c[k] = s.c[k] - h;
      double lm = eval(sp, d);
      EXPECT_NEAR(adj_s.c[k] - 0.25, (lp - lm) / (2 * h), tol * (1 + std::fabs((lp - lm) / (2 * h)))) << "start " << k;
      dp.c[k] = d.c[k] + h;
      lp = eval(s, dp);
      dp.c[k] = d.c[k] - h;
      lm = eval(s, dp);
      EXPECT_NEAR(adj_d.c[k] - 0.25, (lp - lm) / (2 * h), tol * (1 + std::fabs((lp - lm) / (2 * h)))) << "dir " << k;
    }
    // Vertices of the hit face (and nothing else) through points_grad.
    std::set<int> face_pts;
    for (int j = 0; j < 3; ++j) face_pts.insert(m->indices[3 * q.face + j]);
    for (int p = 0; p < int(m->points.size()); ++p) {
      if (!face_pts.count(p)) {
        EXPECT_EQ(m->grad[p], V(0, 0, 0)) << "point " << p;
        continue;
      }
      for (int k = 0; k < 3; ++k) {
        const float keep = m->points[p].c[k];
        m->points[p].c[k] = keep + h;
        const double lp = loss(wp::mesh_query_ray(m->id(), s, d, 1e6f), sd);
        m->points[p].c[k] = keep - h;
        const double lm = loss(wp::mesh_query_ray(m->id(), s, d, 1e6f), sd);
        m->points[p].c[k] = keep;
        const double f = (lp - lm) / (2 * h);
        EXPECT_NEAR(m->grad[p].c[k], f, tol * (1 + std::fabs(f))) << "point " << p << " comp " << k;
      }
    }
  }
  EXPECT_GE(checked, 40);
}

TEST(RayQueryAdjoint, FormsAgreeAndMissGivesZero) {
  auto m = make_sphere(7, 9, 1.0, V(0, 0, 0));
  m->build(TreeKind::kMedian1);
  const v3 s = V(0.1, 0.2, -3), d = V(0.05, -0.02, 1);
  wp::MeshQueryRay adj_ret{};
  adj_ret.t = 1.0f;
  adj_ret.u = -0.5f;
  adj_ret.v = 0.3f;
  adj_ret.normal = V(0.2, 0.1, -0.4);
  uint64_t aid = 0;
  float amt = 0;
  int32_t aroot = 0;
  v3 s1 = V(0, 0, 0), d1 = V(0, 0, 0), s2 = s1, d2 = d1, s3 = s1, d3v = d1;
  wp::adj_mesh_query_ray(m->id(), s, d, 1e6f, aid, s1, d1, amt, adj_ret);
  wp::adj_mesh_query_ray(m->id(), s, d, 1e6f, -1, aid, s2, d2, amt, aroot, adj_ret);
  float t = 0, u = 0, v = 0, sg = 0, at = adj_ret.t, au = adj_ret.u, av = adj_ret.v, asg = 0;
  v3 n = V(0, 0, 0), an = adj_ret.normal;
  int32_t f = 0, af = 0;
  wp::mesh_query_ray(m->id(), s, d, 1e6f, t, u, v, sg, n, f);
  wp::adj_mesh_query_ray(m->id(), s, d, 1e6f, t, u, v, sg, n, f, aid, s3, d3v, amt, at, au, av, asg, an, af, false);
  EXPECT_EQ(s1, s2);
  EXPECT_EQ(d1, d2);
  EXPECT_EQ(s1, s3);
  EXPECT_EQ(d1, d3v);
  EXPECT_NE(s1, V(0, 0, 0));
  v3 s4 = V(0, 0, 0), d4 = V(0, 0, 0);
  wp::adj_mesh_query_ray(m->id(), V(5, 5, 5), V(1, 0, 0), 1e6f, aid, s4, d4, amt, adj_ret);  // miss
  EXPECT_EQ(s4, V(0, 0, 0));
  EXPECT_EQ(d4, V(0, 0, 0));
}

}  // namespace

namespace {

// A chain-shaped tree of depth exactly wp::kBvhMaxDepth (every inner node: a leaf and an inner
// child): every item must still be found by the iterators and the ray casts.
TEST(BvhQuery, DeepestSupportedTree) {
  using namespace rqtest;
  const int depth = wp::kBvhMaxDepth;
  const int n = depth + 1;
  HostBvh b;
  for (int i = 0; i < n; ++i) {
    b.lowers.push_back(V(i, 0, 0));
    b.uppers.push_back(V(i + 0.5, 1, 1));
  }
  // inner node k (k = 0 … depth−1) at depth k: left = leaf of item k, right = inner k+1 (the last
  // inner node's right child is the leaf of item n−1).
  std::vector<int32_t> inner(depth), leaf(n);
  for (int k = 0; k < depth; ++k) inner[k] = k;
  for (int i = 0; i < n; ++i) leaf[i] = depth + i;
  b.nodes.resize(depth + n);
  for (int i = 0; i < n; ++i) {
    b.items.push_back(i);
    b.nodes[leaf[i]] = wp::BvhNode{b.lowers[i], i, b.uppers[i], -1};
  }
  for (int k = depth - 1; k >= 0; --k) {
    const int32_t r = k == depth - 1 ? leaf[n - 1] : inner[k + 1];
    b.nodes[k] = wp::BvhNode{V(k, 0, 0), leaf[k], V(n, 1, 1), r};
  }
  b.root = 0;
  b.finalize();
  wp::bvh_query_t q = wp::bvh_query_aabb(b.id(), V(-1, -1, -1), V(n + 1, 2, 2));
  std::vector<int> got;
  int32_t idx;
  while (wp::bvh_query_next(q, idx)) got.push_back(idx);
  std::sort(got.begin(), got.end());
  ASSERT_EQ(int(got.size()), n);
  for (int i = 0; i < n; ++i) EXPECT_EQ(got[i], i);
  wp::bvh_query_t qr = wp::bvh_query_ray(b.id(), V(-1, 0.5, 0.5), V(1, 0, 0));
  got.clear();
  while (wp::bvh_query_next(qr, idx)) got.push_back(idx);
  EXPECT_EQ(int(got.size()), n);
}

}  // namespace
