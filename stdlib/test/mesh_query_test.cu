// mesh_query_test.cu — device tests of wp/builtins/mesh_query.h: the same meshes built on the
// host are copied to device memory (descriptor, BVH, winding data, points, indices), and every
// query, sign method, eval/get builtin and adjoint (including the atomic vertex gradients)
// evaluated in a CUDA kernel must match the host evaluation.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "device_eval.cuh"

namespace {

using V = wp::vec_t<3, float>;

WP_HD V vf(double x, double y, double z) { return V{{float(x), float(y), float(z)}}; }

// A mesh in host memory and its copy in device memory.
struct DualMesh {
  std::vector<V> points, velocities;
  std::vector<int32_t> indices;
  std::vector<wp::BvhNode> nodes;
  std::vector<int32_t> items;
  std::vector<V> lowers, uppers;
  std::vector<wp::WindingNode> winding;
  std::vector<V> points_grad, velocities_grad;
  wp::MeshDesc host{};
  wp::MeshDesc* dev_desc = nullptr;
  std::vector<void*> allocations;
  V* dev_points_grad = nullptr;
  V* dev_velocities_grad = nullptr;

  uint64_t host_id() const { return reinterpret_cast<uint64_t>(&host); }
  uint64_t dev_id() const { return reinterpret_cast<uint64_t>(dev_desc); }
  int num_tris() const { return int(indices.size() / 3); }

  int build_node(int first, int count, int leaf_size) {
    const int k = int(nodes.size());
    nodes.push_back({});
    V lo = vf(1e30, 1e30, 1e30), hi = vf(-1e30, -1e30, -1e30);
    for (int s = first; s < first + count; ++s)
      for (int c = 0; c < 3; ++c)
        lo.c[c] = std::min(lo.c[c], lowers[items[s]].c[c]), hi.c[c] = std::max(hi.c[c], uppers[items[s]].c[c]);
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
      const int l = build_node(first, count / 2, leaf_size);
      const int r = build_node(first + count / 2, count - count / 2, leaf_size);
      n.left = l, n.right = r;
    }
    nodes[k] = n;
    return k;
  }

  void winding_of(int k, double na[3], double cen[3], double& area, std::vector<int>& tris) const {
    const wp::BvhNode& n = nodes[k];
    if (n.right >= 0) {
      winding_of(n.left, na, cen, area, tris), winding_of(n.right, na, cen, area, tris);
      return;
    }
    for (int s = n.left; s < n.left - n.right; ++s) {
      const int f = items[s];
      tris.push_back(f);
      const V& a = points[indices[3 * f]];
      const V& b = points[indices[3 * f + 1]];
      const V& c = points[indices[3 * f + 2]];
      double e1[3], e2[3];
      for (int j = 0; j < 3; ++j) e1[j] = double(b.c[j]) - a.c[j], e2[j] = double(c.c[j]) - a.c[j];
      const double nn[3] = {0.5 * (e1[1] * e2[2] - e1[2] * e2[1]), 0.5 * (e1[2] * e2[0] - e1[0] * e2[2]),
                            0.5 * (e1[0] * e2[1] - e1[1] * e2[0])};
      const double ar = std::sqrt(nn[0] * nn[0] + nn[1] * nn[1] + nn[2] * nn[2]);
      for (int j = 0; j < 3; ++j) na[j] += nn[j], cen[j] += (double(a.c[j]) + b.c[j] + c.c[j]) / 3 * ar;
      area += ar;
    }
  }

  template <typename T>
  T* upload(const std::vector<T>& v) {
    if (v.empty()) return nullptr;
    void* p = nullptr;
    EXPECT_EQ(cudaMalloc(&p, sizeof(T) * v.size()), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(p, v.data(), sizeof(T) * v.size(), cudaMemcpyHostToDevice), cudaSuccess);
    allocations.push_back(p);
    return static_cast<T*>(p);
  }

  void build(bool tree, bool with_winding) {
    const int nt = num_tris();
    lowers.resize(nt), uppers.resize(nt), items.resize(nt);
    for (int f = 0; f < nt; ++f) {
      items[f] = f;
      for (int c = 0; c < 3; ++c) {
        lowers[f].c[c] = 1e30f, uppers[f].c[c] = -1e30f;
        for (int j = 0; j < 3; ++j) {
          lowers[f].c[c] = std::min(lowers[f].c[c], points[indices[3 * f + j]].c[c]);
          uppers[f].c[c] = std::max(uppers[f].c[c], points[indices[3 * f + j]].c[c]);
        }
      }
    }
    const int root = build_node(0, nt, tree ? 2 : nt);
    winding.resize(nodes.size());
    for (size_t k = 0; k < nodes.size(); ++k) {
      double na[3] = {0, 0, 0}, cen[3] = {0, 0, 0}, area = 0;
      std::vector<int> tris;
      winding_of(int(k), na, cen, area, tris);
      for (double& c : cen) c /= area;
      double rad = 0;
      for (int f : tris)
        for (int j = 0; j < 3; ++j) {
          const V& p = points[indices[3 * f + j]];
          rad = std::max(rad, std::sqrt((p.c[0] - cen[0]) * (p.c[0] - cen[0]) + (p.c[1] - cen[1]) * (p.c[1] - cen[1]) +
                                        (p.c[2] - cen[2]) * (p.c[2] - cen[2])));
        }
      winding[k].normal_area = vf(na[0], na[1], na[2]);
      winding[k].centroid = vf(cen[0], cen[1], cen[2]);
      winding[k].radius = float(rad);
      winding[k].area = float(area);
    }
    points_grad.assign(points.size(), V{});
    velocities_grad.assign(points.size(), V{});
    auto fill = [&](wp::MeshDesc& d, int device, wp::BvhNode* n, int32_t* it, const V* lo, const V* up, const V* pts,
                    V* pg, const V* vel, V* vg, const int32_t* ix, const wp::WindingNode* w) {
      d = wp::MeshDesc{};
      d.magic = wp::kMeshMagic, d.device = device;
      d.bvh.magic = wp::kBvhMagic, d.bvh.device = device;
      d.bvh.nodes = n, d.bvh.num_nodes = int(nodes.size()), d.bvh.root = root, d.bvh.items = it;
      d.bvh.item_lowers = lo, d.bvh.item_uppers = up, d.bvh.num_items = nt;
      d.points = pts, d.points_grad = pg, d.velocities = vel, d.velocities_grad = vel ? vg : nullptr;
      d.indices = ix, d.num_points = int(points.size()), d.num_tris = nt;
      d.node_winding = with_winding ? w : nullptr;
    };
    fill(host, -1, nodes.data(), items.data(), lowers.data(), uppers.data(), points.data(), points_grad.data(),
         velocities.empty() ? nullptr : velocities.data(), velocities_grad.data(), indices.data(), winding.data());
    dev_points_grad = upload(points_grad);
    dev_velocities_grad = upload(velocities_grad);
    wp::MeshDesc d;
    fill(d, 0, upload(nodes), upload(items), upload(lowers), upload(uppers), upload(points), dev_points_grad,
         upload(velocities), dev_velocities_grad, upload(indices), upload(winding));
    dev_desc = upload(std::vector<wp::MeshDesc>{d});
  }

  std::vector<V> download(const V* p) const {
    std::vector<V> out(points.size());
    EXPECT_EQ(cudaMemcpy(out.data(), p, sizeof(V) * out.size(), cudaMemcpyDeviceToHost), cudaSuccess);
    return out;
  }

  ~DualMesh() {
    for (void* p : allocations) cudaFree(p);
  }
};

void make_icosphere(DualMesh& m, int levels) {
  const double t = (1.0 + std::sqrt(5.0)) / 2.0;
  std::vector<std::array<double, 3>> p = {{-1, t, 0}, {1, t, 0}, {-1, -t, 0}, {1, -t, 0}, {0, -1, t}, {0, 1, t},
                                          {0, -1, -t}, {0, 1, -t}, {t, 0, -1}, {t, 0, 1}, {-t, 0, -1}, {-t, 0, 1}};
  std::vector<int> f = {0, 11, 5, 0, 5,  1,  0, 1, 7, 0, 7,  10, 0, 10, 11, 1, 5, 9, 5, 11, 4,  11, 10, 2,  10, 7, 6, 7, 1, 8,
                        3, 9,  4, 3, 4,  2,  3, 2, 6, 3, 6,  8,  3, 8,  9,  4, 9, 5, 2, 4,  11, 6,  2,  10, 8,  6, 7, 9, 8, 1};
  auto normalise = [](std::array<double, 3> q) {
    const double l = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
    return std::array<double, 3>{q[0] / l, q[1] / l, q[2] / l};
  };
  for (auto& q : p) q = normalise(q);
  for (int l = 0; l < levels; ++l) {
    std::map<std::pair<int, int>, int> mid;
    auto midpoint = [&](int a, int b) {
      auto key = std::minmax(a, b);
      auto it = mid.find(key);
      if (it != mid.end()) return it->second;
      p.push_back(normalise({(p[a][0] + p[b][0]) / 2, (p[a][1] + p[b][1]) / 2, (p[a][2] + p[b][2]) / 2}));
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
  for (const auto& q : p) m.points.push_back(vf(q[0], q[1], q[2]));
  m.indices = f;
  for (size_t i = 0; i < m.points.size(); ++i) m.velocities.push_back(vf(std::sin(double(i)), 0.5, i * 0.01));
}

void make_cube(DualMesh& m) {
  m.points = {vf(0, 0, 0), vf(1, 0, 0), vf(1, 1, 0), vf(0, 1, 0), vf(0, 0, 1), vf(1, 0, 1), vf(1, 1, 1), vf(0, 1, 1)};
  m.indices = {0, 3, 2, 0, 2, 1, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 2, 3, 7, 2, 7, 6, 0, 4, 7, 0, 7, 3, 1, 2, 6, 1, 6, 5};
}

// Everything the builtins return for one query point, as plain floats.
struct QueryOut {
  float c[64];
};

struct QueryCase {
  uint64_t id;
  float lo, hi;
  WP_HD V point(int i) const {
    return V{{float(wp_test::uniform(i, 1u, lo, hi)), float(wp_test::uniform(i, 2u, lo, hi)),
              float(wp_test::uniform(i, 3u, lo, hi))}};
  }
  WP_HD QueryOut operator()(int i) const {
    QueryOut o{};
    int k = 0;
    const V p = point(i);
    auto put = [&](const wp::MeshQueryPoint& q) {
      o.c[k++] = q.result ? 1.0f : 0.0f, o.c[k++] = q.sign, o.c[k++] = float(q.face), o.c[k++] = q.u, o.c[k++] = q.v;
    };
    put(wp::mesh_query_point_no_sign(id, p, 1e6f));
    put(wp::mesh_query_point(id, p, 1e6f));
    put(wp::mesh_query_point_sign_normal(id, p, 1e6f));
    put(wp::mesh_query_point_sign_parity(id, p, 1e6f, 3, 0.2f));
    put(wp::mesh_query_point_sign_winding_number(id, p, 1e6f));
    put(wp::mesh_query_furthest_point_no_sign(id, p, 0.0f));
    put(wp::mesh_query_point_no_sign(id, p, 0.2f));
    float inside = 0, u = 0, v = 0;
    int32_t face = -1;
    o.c[k++] = wp::mesh_query_point(id, p, 1e6f, inside, face, u, v) ? 1.0f : 0.0f;
    o.c[k++] = inside, o.c[k++] = float(face), o.c[k++] = u;
    const int f = i % 12;
    const V e = wp::mesh_eval_position(id, f, 0.2f, 0.3f);
    o.c[k++] = e.c[0], o.c[k++] = e.c[2];
    o.c[k++] = wp::mesh_eval_face_normal(id, f).c[1];
    o.c[k++] = wp::mesh_eval_velocity(id, f, 0.2f, 0.3f).c[0];
    o.c[k++] = wp::mesh_get_point(id, 3 * f + 1).c[2];
    o.c[k++] = wp::mesh_get_velocity(id, 3 * f + 2).c[0];
    o.c[k++] = float(wp::mesh_get_index(id, 3 * f + 2));
    const V ee = wp::closest_point_edge_edge(p, e, vf(0, 0, 0), vf(1, 1, 0), 1e-6f);
    o.c[k++] = ee.c[0], o.c[k++] = ee.c[1], o.c[k++] = ee.c[2];
    return o;
  }
};

// Adjoints: point gradients returned; vertex gradients accumulate atomically in the mesh.
struct AdjointCase {
  uint64_t id;
  WP_HD QueryOut operator()(int i) const {
    QueryOut o{};
    const V p = QueryCase{id, -1.3f, 1.3f}.point(i);
    V adj_p{}, adj_a{}, adj_b{}, adj_c{}, adj_d{};
    uint64_t adj_id = 0;
    float adj_md = 0, adj_u = 0, adj_v = 0, adj_eps = 0;
    int32_t adj_f = 0;
    const wp::MeshQueryPoint g{true, 0.0f, 0, 0.7f, -1.1f};
    wp::adj_mesh_query_point(id, p, 1e6f, adj_id, adj_p, adj_md, g);
    wp::adj_mesh_query_point_sign_winding_number(id, p, 1e6f, adj_id, adj_p, adj_md, g);
    const int f = i % 12;
    const V gv{{0.3f, -0.2f, 0.9f}};
    wp::adj_mesh_eval_position(id, f, 0.2f, 0.3f, adj_id, adj_f, adj_u, adj_v, gv);
    wp::adj_mesh_eval_velocity(id, f, 0.2f, 0.3f, adj_id, adj_f, adj_u, adj_v, gv);
    wp::adj_mesh_eval_face_normal(id, f, adj_id, adj_f, gv);
    wp::adj_mesh_get_point(id, 3 * f, adj_id, adj_f, gv);
    wp::adj_mesh_get_velocity(id, 3 * f, adj_id, adj_f, gv);
    wp::adj_closest_point_edge_edge(p, vf(0.5f, 0.2f, -0.3f), vf(0, 0, 0), vf(1, 1, 0), 1e-6f, adj_a, adj_b, adj_c,
                                    adj_d, adj_eps, gv);
    int k = 0;
    for (const V* x : {&adj_p, &adj_a, &adj_b, &adj_c, &adj_d})
      for (int j = 0; j < 3; ++j) o.c[k++] = x->c[j];
    o.c[k++] = adj_u, o.c[k++] = adj_v;
    return o;
  }
};

void expect_outputs_match(const std::vector<QueryOut>& h, const std::vector<QueryOut>& d, double tol, const char* what) {
  ASSERT_EQ(h.size(), d.size());
  int failures = 0;
  for (size_t i = 0; i < h.size() && failures < 10; ++i)
    for (int k = 0; k < 64; ++k) {
      const double a = h[i].c[k], b = d[i].c[k];
      if (!(a == b || std::fabs(a - b) <= tol * (1 + std::fabs(a)))) {
        ++failures;
        ADD_FAILURE() << what << ": point " << i << " output " << k << ": host " << a << " device " << b;
      }
    }
}

TEST(MeshQueryDevice, QueriesMatchHost) {
  WP_REQUIRE_GPU();
  for (int shape = 0; shape < 2; ++shape)
    for (bool tree : {false, true})
      for (bool winding : {false, true}) {
        DualMesh m;
        if (shape == 0) make_icosphere(m, 2);
        else make_cube(m);
        m.build(tree, winding);
        const int n = 512;
        const float lo = shape == 0 ? -1.5f : -0.5f, hi = shape == 0 ? 1.5f : 1.5f;
        // Face/sign outputs must agree exactly; positions within float rounding (FMA contraction).
        expect_outputs_match(wp_test::eval_on_host(QueryCase{m.host_id(), lo, hi}, n),
                             wp_test::eval_on_device(QueryCase{m.dev_id(), lo, hi}, n), 1e-4, "mesh queries");
      }
}

TEST(MeshQueryDevice, AdjointsMatchHost) {
  WP_REQUIRE_GPU();
  for (bool tree : {false, true}) {
    DualMesh m;
    make_icosphere(m, 1);
    m.build(tree, true);
    const int n = 256;
    expect_outputs_match(wp_test::eval_on_host(AdjointCase{m.host_id()}, n),
                         wp_test::eval_on_device(AdjointCase{m.dev_id()}, n), 1e-3, "mesh adjoints");
    // Vertex gradients: atomics in a different order — compare with a tolerance.
    const std::vector<V> pg = m.download(m.dev_points_grad), vg = m.download(m.dev_velocities_grad);
    double scale = 0;
    for (const V& g : m.points_grad)
      for (int k = 0; k < 3; ++k) scale = std::max(scale, double(std::fabs(g.c[k])));
    EXPECT_GT(scale, 0.0);
    for (size_t i = 0; i < pg.size(); ++i)
      for (int k = 0; k < 3; ++k) {
        EXPECT_NEAR(pg[i].c[k], m.points_grad[i].c[k], 1e-3 * (1 + scale)) << "points_grad " << i;
        EXPECT_NEAR(vg[i].c[k], m.velocities_grad[i].c[k], 1e-4 * (1 + scale)) << "velocities_grad " << i;
      }
  }
}

}  // namespace
