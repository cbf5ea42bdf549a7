// ray_query_test.cu — wp/builtins/ray_query.h in device code: the same meshes and BVHs as the
// host tests, copied to the GPU; mesh ray casts (closest / any / count), every iterator, group
// roots, intersect_tri_tri and the mesh_query_ray adjoint (start, dir, and points_grad through
// device atomics) evaluated on the device and compared with the host results.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <vector>

#include "device_eval.cuh"
#include "ray_query_test_util.h"
#include "wp/builtins.h"

namespace {

using namespace rqtest;
using wp_test::uniform;

template <typename T>
T* to_device(const std::vector<T>& v) {
  if (v.empty()) return nullptr;
  T* p = nullptr;
  EXPECT_EQ(cudaMalloc(&p, sizeof(T) * v.size()), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(p, v.data(), sizeof(T) * v.size(), cudaMemcpyHostToDevice), cudaSuccess);
  return p;
}

// Device copies of a HostMesh (its BVH included); id() is the device MeshDesc's address.
struct DeviceMesh {
  std::vector<void*> allocs;
  wp::MeshDesc* desc = nullptr;
  wp::vec_t<3, float>* grad = nullptr;
  int num_points = 0;

  template <typename T>
  T* up(const std::vector<T>& v) {
    T* p = to_device(v);
    allocs.push_back(p);
    return p;
  }
  explicit DeviceMesh(const HostMesh& m) {
    wp::MeshDesc d = m.desc;
    d.device = 0;
    d.bvh.device = 0;
    d.bvh.nodes = up(m.bvh.nodes);
    d.bvh.items = up(m.bvh.items);
    d.bvh.item_lowers = up(m.bvh.lowers);
    d.bvh.item_uppers = up(m.bvh.uppers);
    d.bvh.group_roots = up(m.bvh.group_roots);
    d.points = up(m.points);
    d.indices = up(m.indices);
    num_points = int(m.points.size());
    grad = up(std::vector<v3>(m.points.size(), V(0, 0, 0)));
    d.points_grad = grad;
    desc = up(std::vector<wp::MeshDesc>{d});
  }
  ~DeviceMesh() {
    for (void* p : allocs) cudaFree(p);
  }
  uint64_t id() const { return reinterpret_cast<uint64_t>(desc); }
  std::vector<v3> grad_to_host() const {
    std::vector<v3> h(num_points);
    EXPECT_EQ(cudaMemcpy(h.data(), grad, sizeof(v3) * num_points, cudaMemcpyDeviceToHost), cudaSuccess);
    return h;
  }
};

WP_HD v3 rv(int i, uint32_t salt, float lo, float hi) {
  return v3{{float(uniform(i, salt, lo, hi)), float(uniform(i, salt + 1, lo, hi)), float(uniform(i, salt + 2, lo, hi))}};
}

struct RayOut {
  wp::MeshQueryRay q;
  int32_t any;
  int32_t count;
  int32_t group_face;
};

struct RayFn {
  uint64_t id;
  int32_t group_root;
  WP_HD RayOut operator()(int i) const {
    const v3 s = rv(i, 10, -2.5f, 2.5f);
    const v3 d = rv(i, 20, -1.0f, 1.0f);
    const float max_t = (i % 3 == 0) ? 1.5f : 1e6f;
    RayOut o;
    o.q = wp::mesh_query_ray(id, s, d, max_t);
    o.any = wp::mesh_query_ray_anyhit(id, s, d, max_t) ? 1 : 0;
    o.count = wp::mesh_query_ray_count_intersections(id, s, d);
    o.group_face = wp::mesh_query_ray(id, s, d, 1e6f, group_root).face;
    return o;
  }
};

// Order-independent digest of the items an iterator reports.
struct SetDigest {
  int32_t count;
  uint32_t sum;
  uint32_t mix;
};
WP_HD void add(SetDigest& g, int32_t idx) {
  ++g.count;
  g.sum += uint32_t(idx);
  g.mix += wp_test::hash32(uint32_t(idx) + 77u);
}

struct IterOut {
  SetDigest mesh_aabb, mesh_sphere, bvh_aabb, bvh_ray, bvh_sphere, bvh_capsule, group_aabb;
  int32_t group_root;
};

struct IterFn {
  uint64_t mesh;
  WP_HD IterOut operator()(int i) const {
    IterOut o{};
    const v3 c = rv(i, 30, -1.5f, 1.5f), e = rv(i, 40, 0.0f, 0.7f);
    const v3 lo = v3{{c.c[0] - e.c[0], c.c[1] - e.c[1], c.c[2] - e.c[2]}};
    const v3 hi = v3{{c.c[0] + e.c[0], c.c[1] + e.c[1], c.c[2] + e.c[2]}};
    const float r = e.c[1] * 1.3f;
    int32_t idx = 0;
    wp::mesh_query_aabb_t qa = wp::mesh_query_aabb(mesh, lo, hi);
    while (wp::mesh_query_next(qa, idx)) add(o.mesh_aabb, idx);
    wp::mesh_query_t qs = wp::mesh_query_sphere(mesh, c, r);
    while (wp::mesh_query_next(qs, idx)) add(o.mesh_sphere, idx);
    const uint64_t bvh = wp::mesh_get_bvh(mesh);
    wp::bvh_query_t b1 = wp::bvh_query_aabb(bvh, lo, hi);
    while (wp::bvh_query_next(b1, idx)) add(o.bvh_aabb, idx);
    const v3 s = rv(i, 50, -2.5f, 2.5f), d = rv(i, 60, -1.0f, 1.0f);
    const float md = (i % 2) ? INFINITY : float(uniform(i, 70, 0.0, 3.0));
    wp::bvh_query_t b2 = wp::bvh_query_ray(bvh, s, d);
    while (wp::bvh_query_next(b2, idx, md)) add(o.bvh_ray, idx);
    wp::bvh_query_t b3 = wp::bvh_query_sphere(bvh, c, r);
    while (wp::bvh_query_next(b3, idx)) add(o.bvh_sphere, idx);
    wp::bvh_query_t b4 = wp::bvh_query_capsule(bvh, s, d, r * 0.5f);
    while (wp::bvh_query_next(b4, idx, md)) add(o.bvh_capsule, idx);
    o.group_root = wp::mesh_get_group_root(mesh, i % 5);
    wp::bvh_query_t b5 = wp::bvh_query_aabb(bvh, lo, hi, o.group_root);
    while (wp::bvh_query_next(b5, idx)) add(o.group_aabb, idx);
    return o;
  }
};

struct AdjOut {
  v3 adj_start, adj_dir;
  int32_t face;
};

struct AdjFn {
  uint64_t id;
  WP_HD AdjOut operator()(int i) const {
    const v3 s = rv(i, 80, -2.5f, 2.5f), d = rv(i, 90, -1.0f, 1.0f);
    wp::MeshQueryRay g{};
    g.t = float(uniform(i, 100, -1, 1));
    g.u = float(uniform(i, 101, -1, 1));
    g.v = float(uniform(i, 102, -1, 1));
    g.normal = rv(i, 103, -1.0f, 1.0f);
    AdjOut o{};
    uint64_t aid = 0;
    float amt = 0.0f;
    wp::adj_mesh_query_ray(id, s, d, 1e6f, aid, o.adj_start, o.adj_dir, amt, g);
    o.face = wp::mesh_query_ray(id, s, d, 1e6f).face;
    return o;
  }
};

struct TriTriFn {
  WP_HD int32_t operator()(int i) const {
    v3 p[6];
    wp::vec_t<3, double> q[6];
    for (int k = 0; k < 6; ++k) {
      p[k] = rv(i, 200 + 3 * k, -1.0f, 1.0f);
      q[k] = wp::vec_t<3, double>{{p[k].c[0], p[k].c[1], p[k].c[2]}};
    }
    return wp::intersect_tri_tri(p[0], p[1], p[2], p[3], p[4], p[5]) +
           2 * wp::intersect_tri_tri(q[0], q[1], q[2], q[3], q[4], q[5]);
  }
};

// Rays through shared edges and interior vertices of a 4×4 sheet (z = 0): each must cross once
// (the watertight test must not lose its antisymmetry to FMA contraction on the device).
struct SheetFn {
  uint64_t id;
  WP_HD int32_t operator()(int i) const {
    const float x = float(1 + i % 3), y = float(1 + (i / 3) % 3), f = float(uniform(i, 300, 0.05, 0.95));
    const int kind = i % 4;
    const v3 p = kind == 0 ? v3{{x, y, 0.0f}} : kind == 1 ? v3{{x - 1 + f, y, 0.0f}} : kind == 2 ? v3{{x, y - 1 + f, 0.0f}}
                                                                                   : v3{{x - 0.5f, y - 0.5f, 0.0f}};
    v3 d = rv(i, 310, -1.0f, 1.0f);
    d.c[2] = d.c[2] < 0.0f ? d.c[2] - 0.1f : d.c[2] + 0.1f;
    const v3 s = v3{{p.c[0] - 2 * d.c[0], p.c[1] - 2 * d.c[1], -2 * d.c[2]}};
    return wp::mesh_query_ray_count_intersections(id, s, d);
  }
};

class RayQueryDevice : public ::testing::Test {
 protected:
  void SetUp() override { WP_REQUIRE_GPU(); }
};

std::unique_ptr<HostMesh> grouped_sphere(TreeKind kind) {
  auto m = make_sphere(8, 12, 1.0, V(0.1, 0, -0.1));
  std::vector<int32_t> groups(m->num_tris());
  for (int f = 0; f < m->num_tris(); ++f) groups[f] = (f * 7) % 4;
  m->build(kind, 0.02f, groups, 4);
  return m;
}

constexpr TreeKind kKinds[] = {TreeKind::kOneLeaf, TreeKind::kMedian1, TreeKind::kMedian3};

TEST_F(RayQueryDevice, RayCastsMatchHost) {
  const int n = 4000;
  for (TreeKind kind : kKinds) {
    auto m = grouped_sphere(kind);
    DeviceMesh dm(*m);
    const int32_t root = m->bvh.group_roots[2];
    const auto h = wp_test::eval_on_host(RayFn{m->id(), root}, n);
    const auto d = wp_test::eval_on_device(RayFn{dm.id(), root}, n);
    int hits = 0, fails = 0;
    for (int i = 0; i < n && fails < 10; ++i) {
      const bool ok = h[i].q.result == d[i].q.result && h[i].q.face == d[i].q.face && h[i].any == d[i].any &&
                      h[i].count == d[i].count && h[i].group_face == d[i].group_face &&
                      std::fabs(h[i].q.t - d[i].q.t) <= 1e-5f * (1 + std::fabs(h[i].q.t)) &&
                      std::fabs(h[i].q.u - d[i].q.u) <= 1e-5f && std::fabs(h[i].q.v - d[i].q.v) <= 1e-5f &&
                      std::fabs(h[i].q.sign - d[i].q.sign) <= 1e-5f * (1 + std::fabs(h[i].q.sign));  // FMA on the device
      if (!ok) {
        ++fails;
        ADD_FAILURE() << "ray " << i << ": host face " << h[i].q.face << " t " << h[i].q.t << " count " << h[i].count
                      << " / device face " << d[i].q.face << " t " << d[i].q.t << " count " << d[i].count;
      }
    }
    for (int i = 0; i < n; ++i) hits += h[i].q.result;
    EXPECT_GT(hits, n / 20);
  }
}

TEST_F(RayQueryDevice, IteratorsMatchHost) {
  const int n = 3000;
  for (TreeKind kind : kKinds) {
    auto m = grouped_sphere(kind);
    DeviceMesh dm(*m);
    const auto h = wp_test::eval_on_host(IterFn{m->id()}, n);
    const auto d = wp_test::eval_on_device(IterFn{dm.id()}, n);
    int fails = 0, nonempty = 0;
    auto same = [](const SetDigest& a, const SetDigest& b) { return a.count == b.count && a.sum == b.sum && a.mix == b.mix; };
    for (int i = 0; i < n && fails < 10; ++i) {
      const bool ok = same(h[i].mesh_aabb, d[i].mesh_aabb) && same(h[i].mesh_sphere, d[i].mesh_sphere) &&
                      same(h[i].bvh_aabb, d[i].bvh_aabb) && same(h[i].bvh_ray, d[i].bvh_ray) &&
                      same(h[i].bvh_sphere, d[i].bvh_sphere) && same(h[i].bvh_capsule, d[i].bvh_capsule) &&
                      same(h[i].group_aabb, d[i].group_aabb) && h[i].group_root == d[i].group_root;
      if (!ok) {
        ++fails;
        ADD_FAILURE() << "query " << i << " differs between host and device";
      }
    }
    for (int i = 0; i < n; ++i) nonempty += h[i].mesh_sphere.count > 0 && h[i].bvh_ray.count > 0;
    EXPECT_GT(nonempty, n / 40);
  }
}

TEST_F(RayQueryDevice, AdjointMatchesHost) {
  const int n = 2000;
  auto m = grouped_sphere(TreeKind::kMedian3);
  DeviceMesh dm(*m);
  std::vector<v3> host_grad(m->points.size(), V(0, 0, 0));
  m->desc.points_grad = host_grad.data();
  const auto h = wp_test::eval_on_host(AdjFn{m->id()}, n);
  m->desc.points_grad = nullptr;
  const auto d = wp_test::eval_on_device(AdjFn{dm.id()}, n);
  const auto dev_grad = dm.grad_to_host();
  int fails = 0;
  for (int i = 0; i < n && fails < 10; ++i) {
    bool ok = h[i].face == d[i].face;
    for (int k = 0; k < 3; ++k) {
      ok &= std::fabs(h[i].adj_start.c[k] - d[i].adj_start.c[k]) <= 1e-3f * (1 + std::fabs(h[i].adj_start.c[k]));
      ok &= std::fabs(h[i].adj_dir.c[k] - d[i].adj_dir.c[k]) <= 1e-3f * (1 + std::fabs(h[i].adj_dir.c[k]));
    }
    if (!ok) {
      ++fails;
      ADD_FAILURE() << "adjoint " << i << " differs";
    }
  }
  double scale = 0;
  for (const v3& g : host_grad) scale = std::max({scale, double(std::fabs(g.c[0])), double(std::fabs(g.c[1])), double(std::fabs(g.c[2]))});
  EXPECT_GT(scale, 0.0);
  for (size_t p = 0; p < host_grad.size(); ++p)
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(dev_grad[p].c[k], host_grad[p].c[k], 1e-3 * (1 + scale)) << "point " << p;
}

TEST_F(RayQueryDevice, SharedEdgesCountOnce) {
  auto m = make_sheet(4);
  m->build(TreeKind::kMedian1);
  DeviceMesh dm(*m);
  const int n = 4000;
  const auto h = wp_test::eval_on_host(SheetFn{m->id()}, n);
  const auto d = wp_test::eval_on_device(SheetFn{dm.id()}, n);
  int bad_h = 0, bad_d = 0;
  for (int i = 0; i < n; ++i) {
    bad_h += h[i] != 1;
    bad_d += d[i] != 1;
  }
  EXPECT_EQ(bad_h, 0);
  EXPECT_EQ(bad_d, 0);
}

TEST_F(RayQueryDevice, TriTriMatchesHost) {
  wp_test::expect_device_matches_host(TriTriFn{}, 5000, 0.0, "intersect_tri_tri");
}

}  // namespace
