// geometry_test_util.h — helpers shared by the CPU and CUDA geometry tests: random boxes and
// meshes, a host copy of a BVH read through its descriptor, and the structural checks every
// built or refitted tree must pass.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "wp/wp.h"

namespace wp_test {

struct HostBoxes {
  std::vector<wp::vec3> lowers, uppers;
};

inline HostBoxes random_boxes(int n, uint32_t seed, float max_size = 0.1f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> pos(-10.0f, 10.0f), size(0.0f, max_size);
  HostBoxes b;
  for (int i = 0; i < n; ++i) {
    const wp::vec3 lo{{pos(rng), pos(rng), pos(rng)}};
    b.lowers.push_back(lo);
    b.uppers.push_back(wp::vec3{{lo[0] + size(rng), lo[1] + size(rng), lo[2] + size(rng)}});
  }
  return b;
}

struct HostMesh {
  std::vector<wp::vec3> points;
  std::vector<int32_t> indices;
  int num_tris() const { return static_cast<int>(indices.size() / 3); }
};

// A latitude/longitude sphere of radius ~1 with jittered points: 2·rings·segments triangles
// (those touching the poles have zero area).
inline HostMesh jittered_sphere(int rings, int segments, uint32_t seed, float jitter = 0.01f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> noise(-jitter, jitter);
  HostMesh m;
  const float pi = 3.14159265358979f;
  for (int r = 0; r <= rings; ++r) {
    const float theta = pi * static_cast<float>(r) / static_cast<float>(rings);
    for (int s = 0; s <= segments; ++s) {
      const float phi = 2 * pi * static_cast<float>(s) / static_cast<float>(segments);
      m.points.push_back(wp::vec3{{std::sin(theta) * std::cos(phi) + noise(rng),
                                   std::sin(theta) * std::sin(phi) + noise(rng),
                                   std::cos(theta) + noise(rng)}});
    }
  }
  const auto at = [segments](int r, int s) { return r * (segments + 1) + s; };
  for (int r = 0; r < rings; ++r)
    for (int s = 0; s < segments; ++s) {
      m.indices.insert(m.indices.end(), {at(r, s), at(r + 1, s), at(r + 1, s + 1)});
      m.indices.insert(m.indices.end(), {at(r, s), at(r + 1, s + 1), at(r, s + 1)});
    }
  return m;
}

// A BVH as the descriptor describes it, copied to the host.
struct HostTree {
  wp::BvhDesc desc;
  std::vector<wp::BvhNode> nodes;
  std::vector<int32_t> items;
  std::vector<int32_t> group_roots;
};

// Copies `count` elements at `p` (on `device`) into a vector.
template <typename T>
std::vector<T> fetch(const T* p, int64_t count, const wp::Device& device) {
  std::vector<T> out(static_cast<std::size_t>(count));
  if (count > 0) wp::detail::copy_bytes(out.data(), wp::Device(), p, device, out.size() * sizeof(T));
  return out;
}

inline HostTree read_tree(uint64_t bvh_id, const wp::Device& device) {
  HostTree t;
  t.desc = fetch(wp::bvh_desc(bvh_id), 1, device)[0];
  t.nodes = fetch(t.desc.nodes, t.desc.num_nodes, device);
  t.items = fetch(t.desc.items, t.desc.num_items, device);
  t.group_roots = fetch(t.desc.group_roots, t.desc.num_groups, device);
  return t;
}

inline bool contains(const wp::vec3& outer_lo, const wp::vec3& outer_hi, const wp::vec3& lo,
                     const wp::vec3& hi) {
  for (int d = 0; d < 3; ++d)
    if (lo[d] < outer_lo[d] || hi[d] > outer_hi[d]) return false;
  return true;
}

// The items below `node`, in leaf order.
inline std::vector<int32_t> subtree_items(const HostTree& t, int32_t node) {
  std::vector<int32_t> out, stack{node};
  while (!stack.empty()) {
    const wp::BvhNode& n = t.nodes[stack.back()];
    stack.pop_back();
    if (n.is_leaf()) {
      for (int32_t s = n.left; s < n.left - n.right; ++s) out.push_back(t.items[s]);
    } else {
      stack.push_back(n.right);
      stack.push_back(n.left);
    }
  }
  return out;
}

// Checks the layout contract for item boxes lowers/uppers: magic and device, node count, each
// node reached once, each item in exactly one slot, at most max_leaf items per leaf, and node
// boxes equal to the union of their children's (leaves: items') boxes.
// A mesh's default tree (4 triangles per leaf): the largest leaf holds 4 and there are fewer
// than half as many leaves as triangles.
inline void expect_leaves_of_up_to_four(const HostTree& t, int num_tris) {
  int largest = 0, leaves = 0;
  for (int32_t k = 0; k < t.desc.num_nodes; ++k) {
    if (!t.nodes[k].is_leaf()) continue;
    largest = std::max(largest, t.nodes[k].item_count());
    ++leaves;
  }
  EXPECT_EQ(largest, 4);
  EXPECT_LT(leaves, num_tris / 2);
}

inline void check_tree(const HostTree& t, const std::vector<wp::vec3>& lowers,
                       const std::vector<wp::vec3>& uppers, int device_ordinal, int max_leaf) {
  const int n = static_cast<int>(lowers.size());
  ASSERT_EQ(t.desc.magic, wp::kBvhMagic);
  ASSERT_EQ(t.desc.device, device_ordinal);
  ASSERT_EQ(t.desc.num_items, n);
  ASSERT_GE(t.desc.num_nodes, 1);
  ASSERT_LE(t.desc.num_nodes, 2 * n - 1);
  ASSERT_GE(t.desc.root, 0);
  ASSERT_LT(t.desc.root, t.desc.num_nodes);
  std::vector<int> node_seen(t.nodes.size(), 0), item_seen(static_cast<std::size_t>(n), 0);
  std::vector<int32_t> stack{t.desc.root};
  int64_t bad_boxes = 0;
  while (!stack.empty()) {
    const int32_t k = stack.back();
    stack.pop_back();
    ASSERT_GE(k, 0);
    ASSERT_LT(k, t.desc.num_nodes);
    ASSERT_EQ(node_seen[k]++, 0) << "node " << k << " reached twice";
    const wp::BvhNode& node = t.nodes[k];
    wp::vec3 lo{{INFINITY, INFINITY, INFINITY}}, hi{{-INFINITY, -INFINITY, -INFINITY}};
    const auto grow = [&](const wp::vec3& a, const wp::vec3& b) {
      for (int d = 0; d < 3; ++d) {
        lo[d] = std::min(lo[d], a[d]);
        hi[d] = std::max(hi[d], b[d]);
      }
    };
    if (node.is_leaf()) {
      ASSERT_GE(node.item_count(), 1);
      ASSERT_LE(node.item_count(), max_leaf);
      for (int32_t s = node.first_item_slot(); s < node.first_item_slot() + node.item_count(); ++s) {
        ASSERT_GE(s, 0);
        ASSERT_LT(s, n);
        const int32_t item = t.items[s];
        ASSERT_GE(item, 0);
        ASSERT_LT(item, n);
        ++item_seen[item];
        grow(lowers[item], uppers[item]);
      }
    } else {
      for (int32_t c : {node.left, node.right}) {
        ASSERT_GE(c, 0);
        ASSERT_LT(c, t.desc.num_nodes);
        grow(t.nodes[c].lower, t.nodes[c].upper);
        stack.push_back(c);
      }
    }
    bad_boxes += !(lo == node.lower && hi == node.upper);
  }
  EXPECT_EQ(bad_boxes, 0) << "nodes whose box is not the union of their children/items";
  EXPECT_EQ(std::count(node_seen.begin(), node_seen.end(), 1), t.desc.num_nodes)
      << "unreachable nodes";
  EXPECT_EQ(std::count(item_seen.begin(), item_seen.end(), 1), n) << "items not in exactly one slot";
}

// Group g's subtree (group_roots[g]) holds exactly the items of group g; empty groups have −1.
inline void check_groups(const HostTree& t, const std::vector<int32_t>& groups) {
  const int num_groups = *std::max_element(groups.begin(), groups.end()) + 1;
  ASSERT_EQ(t.desc.num_groups, num_groups);
  ASSERT_EQ(static_cast<int>(t.group_roots.size()), num_groups);
  for (int g = 0; g < num_groups; ++g) {
    std::vector<int32_t> expected;
    for (int i = 0; i < static_cast<int>(groups.size()); ++i)
      if (groups[i] == g) expected.push_back(i);
    if (expected.empty()) {
      EXPECT_EQ(t.group_roots[g], -1) << "group " << g;
      continue;
    }
    ASSERT_GE(t.group_roots[g], 0) << "group " << g;
    std::vector<int32_t> got = subtree_items(t, t.group_roots[g]);
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, expected) << "group " << g;
  }
}

inline HostBoxes triangle_boxes(const HostMesh& m) {
  HostBoxes b;
  for (int t = 0; t < m.num_tris(); ++t) {
    wp::vec3 lo = m.points[m.indices[3 * t]], hi = lo;
    for (int c = 1; c < 3; ++c) {
      const wp::vec3& p = m.points[m.indices[3 * t + c]];
      for (int d = 0; d < 3; ++d) {
        lo[d] = std::min(lo[d], p[d]);
        hi[d] = std::max(hi[d], p[d]);
      }
    }
    b.lowers.push_back(lo);
    b.uppers.push_back(hi);
  }
  return b;
}

// Total area and Σ area·unit normal of a mesh, in double.
struct MeshMoments {
  double area = 0;
  double normal_area[3] = {0, 0, 0};
};

inline MeshMoments mesh_moments(const HostMesh& m, const std::vector<int32_t>& tris) {
  MeshMoments r;
  for (int32_t t : tris) {
    const wp::vec3 &a = m.points[m.indices[3 * t]], &b = m.points[m.indices[3 * t + 1]],
                   &c = m.points[m.indices[3 * t + 2]];
    const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    const double v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
    const double n[3] = {0.5 * (u[1] * v[2] - u[2] * v[1]), 0.5 * (u[2] * v[0] - u[0] * v[2]),
                         0.5 * (u[0] * v[1] - u[1] * v[0])};
    r.area += std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    for (int d = 0; d < 3; ++d) r.normal_area[d] += n[d];
  }
  return r;
}

// Winding data of every node: area and normal sums match its triangles, and the ball around
// its centroid holds all its vertices. Checks every node when `all_nodes`, else the root.
inline void check_winding(const HostTree& t, const std::vector<wp::WindingNode>& winding,
                          const HostMesh& m, bool all_nodes) {
  ASSERT_EQ(static_cast<int>(winding.size()), t.desc.num_nodes);
  int64_t bad = 0;
  for (int32_t k = 0; k < t.desc.num_nodes; ++k) {
    if (!all_nodes && k != t.desc.root) continue;
    const std::vector<int32_t> tris = subtree_items(t, k);
    const MeshMoments expect = mesh_moments(m, tris);
    const wp::WindingNode& w = winding[k];
    const double tol = 1e-4 * (1.0 + expect.area) + 1e-6;
    bool ok = std::abs(w.area - expect.area) <= tol;
    for (int d = 0; d < 3; ++d) ok = ok && std::abs(w.normal_area[d] - expect.normal_area[d]) <= tol;
    for (int32_t tri : tris)
      for (int c = 0; c < 3; ++c) {
        const wp::vec3& p = m.points[m.indices[3 * tri + c]];
        const float dx = p[0] - w.centroid[0], dy = p[1] - w.centroid[1], dz = p[2] - w.centroid[2];
        ok = ok && std::sqrt(dx * dx + dy * dy + dz * dz) <= w.radius * (1 + 1e-5f) + 1e-6f;
      }
    ok = ok && std::isfinite(w.centroid[0]) && std::isfinite(w.centroid[1]) &&
         std::isfinite(w.centroid[2]) && std::isfinite(w.radius);
    bad += !ok;
  }
  EXPECT_EQ(bad, 0) << "nodes with wrong winding data";
}

// A mesh's descriptor, tree and winding data (read from its device) against the host mesh.
inline void check_mesh(const wp::Mesh& mesh, const HostMesh& m, int max_leaf, bool all_winding) {
  const wp::Device& device = mesh.device();
  const wp::MeshDesc d = fetch(wp::mesh_desc(mesh.id()), 1, device)[0];
  ASSERT_EQ(d.magic, wp::kMeshMagic);
  EXPECT_EQ(d.device, device.ordinal());
  EXPECT_EQ(d.num_points, static_cast<int>(m.points.size()));
  EXPECT_EQ(d.num_tris, m.num_tris());
  EXPECT_EQ(d.points, mesh.points().data());
  EXPECT_EQ(d.indices, mesh.indices().data());
  EXPECT_EQ(mesh.bvh_id(), mesh.id() + offsetof(wp::MeshDesc, bvh));
  const HostBoxes boxes = triangle_boxes(m);
  const HostTree t = read_tree(mesh.bvh_id(), device);
  check_tree(t, boxes.lowers, boxes.uppers, device.ordinal(), max_leaf);
  EXPECT_EQ(fetch(t.desc.item_lowers, m.num_tris(), device), boxes.lowers);
  EXPECT_EQ(fetch(t.desc.item_uppers, m.num_tris(), device), boxes.uppers);
  if (mesh.supports_winding_number()) {
    ASSERT_NE(d.node_winding, nullptr);
    check_winding(t, fetch(d.node_winding, t.desc.num_nodes, device), m, all_winding);
  } else {
    EXPECT_EQ(d.node_winding, nullptr);
  }
}

}  // namespace wp_test
