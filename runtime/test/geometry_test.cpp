// geometry_test.cpp — wp::Bvh and wp::Mesh on the CPU (CTest label `cpu`): every builder on
// random boxes, duplicate centroids, single items and meshes up to 10^5 triangles, checked
// through the descriptor (geometry_test_util.h); refit; groups; winding data; descriptor
// fields; validation errors; move semantics; determinism.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "geometry_test_util.h"
#include "test_util.h"
#include "wp/wp.h"

namespace {

using wp_test::check_groups;
using wp_test::check_tree;
using wp_test::check_winding;
using wp_test::error_of;
using wp_test::HostMesh;
using wp_test::read_tree;

constexpr wp::BvhBuilder kAllBuilders[] = {wp::BvhBuilder::Default, wp::BvhBuilder::Sah,
                                           wp::BvhBuilder::Median, wp::BvhBuilder::Lbvh};

int max_leaf(const wp::BvhOptions& o) {
  return o.leaf_size > 0 ? o.leaf_size : o.builder == wp::BvhBuilder::Lbvh ? 1 : 4;
}

std::string builder_name(wp::BvhBuilder b) {
  switch (b) {
    case wp::BvhBuilder::Default: return "Default";
    case wp::BvhBuilder::Sah: return "Sah";
    case wp::BvhBuilder::Median: return "Median";
    case wp::BvhBuilder::Lbvh: return "Lbvh";
  }
  return "?";
}

void check_bvh(const wp::Bvh& bvh, const wp_test::HostBoxes& b, const wp::BvhOptions& o) {
  check_tree(read_tree(bvh.id(), wp::Device()), b.lowers, b.uppers, -1, max_leaf(o));
}

TEST(GeometryBvh, EveryBuilderAndLeafSizeGivesAValidTree) {
  for (int n : {1, 2, 3, 5, 17, 1000, 20000}) {
    const auto b = wp_test::random_boxes(n, 7u + static_cast<uint32_t>(n));
    const auto lo = wp::from_host(b.lowers), hi = wp::from_host(b.uppers);
    for (wp::BvhBuilder builder : kAllBuilders)
      for (int leaf : {0, 1, 2, 7}) {
        SCOPED_TRACE("n=" + std::to_string(n) + " builder=" + builder_name(builder) +
                     " leaf=" + std::to_string(leaf));
        const wp::BvhOptions o{builder, leaf};
        wp::Bvh bvh(lo, hi, o);
        EXPECT_EQ(bvh.num_items(), n);
        EXPECT_EQ(bvh.device(), wp::Device());
        EXPECT_LE(bvh.num_nodes(), 2 * n - 1);
        EXPECT_EQ(bvh.lowers().data(), lo.data());  // a handle, not a copy
        EXPECT_EQ(bvh.uppers().data(), hi.data());
        check_bvh(bvh, b, o);
        const wp::BvhDesc& d = *wp::bvh_desc(bvh.id());
        EXPECT_EQ(d.item_lowers, lo.data());
        EXPECT_EQ(d.item_uppers, hi.data());
        EXPECT_EQ(d.num_groups, 0);
        EXPECT_EQ(d.group_roots, nullptr);
        EXPECT_EQ(d.num_nodes, bvh.num_nodes());
      }
  }
}

TEST(GeometryBvh, IdenticalBoxesAndPointBoxes) {
  // All centroids equal (duplicate Morton codes; no SAH bin separates them), and zero-size boxes.
  const int n = 3000;
  wp_test::HostBoxes same, points;
  for (int i = 0; i < n; ++i) {
    same.lowers.push_back(wp::vec3{{1, 2, 3}});
    same.uppers.push_back(wp::vec3{{1.5f, 2.5f, 3.5f}});
    const float x = static_cast<float>(i % 10);
    points.lowers.push_back(wp::vec3{{x, 0, 0}});
    points.uppers.push_back(wp::vec3{{x, 0, 0}});
  }
  for (const auto* b : {&same, &points})
    for (wp::BvhBuilder builder : kAllBuilders) {
      SCOPED_TRACE(builder_name(builder));
      const wp::BvhOptions o{builder, 0};
      wp::Bvh bvh(wp::from_host(b->lowers), wp::from_host(b->uppers), o);
      check_bvh(bvh, *b, o);
    }
}

TEST(GeometryBvh, SahTreeOfSeparatedClustersSplitsBetweenThem) {
  // Two far-apart clusters: the root's children are exactly the clusters.
  wp_test::HostBoxes b = wp_test::random_boxes(500, 3);
  for (int i = 0; i < 500; ++i) {
    b.lowers[i][0] += i < 250 ? -1000.0f : 1000.0f;
    b.uppers[i][0] += i < 250 ? -1000.0f : 1000.0f;
  }
  wp::Bvh bvh(wp::from_host(b.lowers), wp::from_host(b.uppers));
  const auto t = read_tree(bvh.id(), wp::Device());
  const wp::BvhNode& root = t.nodes[t.desc.root];
  ASSERT_FALSE(root.is_leaf());
  for (int32_t child : {root.left, root.right}) {
    auto items = wp_test::subtree_items(t, child);
    std::sort(items.begin(), items.end());
    ASSERT_EQ(items.size(), 250u);
    EXPECT_TRUE(items.front() == 0 || items.front() == 250);
    EXPECT_EQ(items.back() - items.front(), 249);
  }
}

TEST(GeometryBvh, BuildsAreDeterministic) {
  const auto b = wp_test::random_boxes(50000, 11);
  const auto lo = wp::from_host(b.lowers), hi = wp::from_host(b.uppers);
  for (wp::BvhBuilder builder : kAllBuilders) {
    wp::Bvh first(lo, hi, {builder, 0}), second(lo, hi, {builder, 0});
    const auto a = read_tree(first.id(), wp::Device()), c = read_tree(second.id(), wp::Device());
    ASSERT_EQ(a.nodes.size(), c.nodes.size());
    EXPECT_EQ(std::memcmp(a.nodes.data(), c.nodes.data(), a.nodes.size() * sizeof(wp::BvhNode)), 0)
        << builder_name(builder);
    EXPECT_EQ(a.items, c.items) << builder_name(builder);
    EXPECT_EQ(a.desc.root, c.desc.root);
  }
}

TEST(GeometryBvh, RefitFollowsMovedBoxes) {
  auto b = wp_test::random_boxes(5000, 5);
  const auto lo = wp::from_host(b.lowers), hi = wp::from_host(b.uppers);
  for (wp::BvhBuilder builder : kAllBuilders) {
    SCOPED_TRACE(builder_name(builder));
    wp::Bvh bvh(lo, hi, {builder, 0});
    const uint64_t id = bvh.id();
    const auto before = read_tree(id, wp::Device());
    // Move every box (in place: the Bvh reads the user's arrays).
    auto moved = wp_test::random_boxes(5000, 99, 2.0f);
    wp::copy(lo, wp::from_host(moved.lowers));
    wp::copy(hi, wp::from_host(moved.uppers));
    bvh.refit();
    EXPECT_EQ(bvh.id(), id);
    const auto after = read_tree(id, wp::Device());
    check_tree(after, moved.lowers, moved.uppers, -1, max_leaf({builder, 0}));
    EXPECT_EQ(after.items, before.items);  // same topology
    for (std::size_t k = 0; k < after.nodes.size(); ++k) {
      ASSERT_EQ(after.nodes[k].left, before.nodes[k].left);
      ASSERT_EQ(after.nodes[k].right, before.nodes[k].right);
    }
    wp::copy(lo, wp::from_host(b.lowers));  // restore for the next builder
    wp::copy(hi, wp::from_host(b.uppers));
  }
}

TEST(GeometryBvh, GroupsFormSubtrees) {
  const int n = 4000;
  const auto b = wp_test::random_boxes(n, 21);
  std::mt19937 rng(4);
  for (int num_groups : {1, 2, 7, 300}) {
    std::vector<int32_t> groups(n);
    // Group 1 stays empty when there are at least 3 groups.
    for (int i = 0; i < n; ++i) {
      int g = static_cast<int>(rng() % static_cast<uint32_t>(num_groups));
      groups[i] = (num_groups >= 3 && g == 1) ? 0 : g;
    }
    groups[n - 1] = num_groups - 1;
    for (wp::BvhBuilder builder : kAllBuilders) {
      SCOPED_TRACE("groups=" + std::to_string(num_groups) + " " + builder_name(builder));
      wp::Bvh bvh(wp::from_host(b.lowers), wp::from_host(b.uppers), wp::from_host(groups),
                  {builder, 0});
      EXPECT_EQ(bvh.num_groups(), num_groups);
      const auto t = read_tree(bvh.id(), wp::Device());
      check_tree(t, b.lowers, b.uppers, -1, max_leaf({builder, 0}));
      check_groups(t, groups);
    }
  }
  // A single item per group, and groups that each hold one identical box.
  std::vector<int32_t> own(n);
  for (int i = 0; i < n; ++i) own[i] = i;
  for (wp::BvhBuilder builder : kAllBuilders) {
    wp::Bvh bvh(wp::from_host(b.lowers), wp::from_host(b.uppers), wp::from_host(own), {builder, 0});
    const auto t = read_tree(bvh.id(), wp::Device());
    check_tree(t, b.lowers, b.uppers, -1, max_leaf({builder, 0}));
    check_groups(t, own);
  }
}

// ---- Mesh ----------------------------------------------------------------------------------

// A mesh's leaves hold up to 4 triangles unless leaf_size says otherwise (every builder).
int mesh_max_leaf(const wp::BvhOptions& o) { return o.leaf_size > 0 ? o.leaf_size : 4; }

void check_cpu_mesh(const wp::Mesh& mesh, const HostMesh& m, const wp::BvhOptions& o, bool all_winding) {
  wp_test::check_mesh(mesh, m, mesh_max_leaf(o), all_winding);
}

// Warp's Mesh default: 4 triangles per leaf with every builder, the LBVH included (a wp::Bvh
// keeps the builder's own default: 1 for an LBVH).
TEST(GeometryMesh, DefaultLeavesHoldUpToFourTriangles) {
  const HostMesh m = wp_test::jittered_sphere(20, 30, 5);
  for (wp::BvhBuilder builder : kAllBuilders) {
    SCOPED_TRACE(builder_name(builder));
    wp::MeshOptions o;
    o.bvh.builder = builder;
    wp::Mesh mesh(wp::from_host(m.points), wp::from_host(m.indices), o);
    wp_test::expect_leaves_of_up_to_four(read_tree(mesh.bvh_id(), wp::Device()), m.num_tris());
  }
}

TEST(GeometryMesh, SphereWithEveryBuilder) {
  const HostMesh m = wp_test::jittered_sphere(20, 30, 1);
  const auto points = wp::from_host(m.points);
  const auto indices = wp::from_host(m.indices);
  for (wp::BvhBuilder builder : kAllBuilders)
    for (bool winding : {false, true}) {
      SCOPED_TRACE(builder_name(builder) + (winding ? " winding" : ""));
      wp::MeshOptions o;
      o.bvh.builder = builder;
      o.support_winding_number = winding;
      wp::Mesh mesh(points, indices, o);
      EXPECT_EQ(mesh.num_tris(), m.num_tris());
      EXPECT_EQ(mesh.num_points(), static_cast<int>(m.points.size()));
      EXPECT_EQ(mesh.velocities().ndim(), 0);
      check_cpu_mesh(mesh, m, o.bvh, true);
      const wp::MeshDesc& d = *wp::mesh_desc(mesh.id());
      EXPECT_EQ(d.velocities, nullptr);
      EXPECT_EQ(d.points_grad, nullptr);
    }
}

TEST(GeometryMesh, DescriptorCarriesVelocitiesAndGradients) {
  const HostMesh m = wp_test::jittered_sphere(4, 6, 2);
  const auto points = wp::from_host(m.points, wp::with_shape(static_cast<int64_t>(m.points.size())), wp::requires_grad);
  const auto velocities = wp::zeros<wp::vec3>({static_cast<int64_t>(m.points.size())}, wp::Device(), true);
  wp::Mesh mesh(points, wp::from_host(m.indices), velocities);
  const wp::MeshDesc& d = *wp::mesh_desc(mesh.id());
  EXPECT_EQ(d.points_grad, points.grad());
  EXPECT_EQ(d.velocities, velocities.data());
  EXPECT_EQ(d.velocities_grad, velocities.grad());
  EXPECT_EQ(mesh.velocities().data(), velocities.data());
  EXPECT_EQ(wp::bvh_desc(mesh.bvh_id())->magic, wp::kBvhMagic);
  // A null velocities handle means "no velocities".
  wp::Mesh plain(points, wp::from_host(m.indices), wp::array<wp::vec3>());
  EXPECT_EQ(wp::mesh_desc(plain.id())->velocities, nullptr);
}

TEST(GeometryMesh, OneTriangleAndDegenerateTriangles) {
  HostMesh one;
  one.points = {wp::vec3{{0, 0, 0}}, wp::vec3{{1, 0, 0}}, wp::vec3{{0, 1, 0}}};
  one.indices = {0, 1, 2};
  HostMesh flat;  // zero-area triangles: repeated corners, collinear points, a single point
  flat.points = {wp::vec3{{0, 0, 0}}, wp::vec3{{1, 1, 1}}, wp::vec3{{2, 2, 2}}, wp::vec3{{5, 5, 5}}};
  flat.indices = {0, 1, 2, 0, 0, 0, 3, 3, 3, 1, 1, 2, 0, 2, 1};
  for (const HostMesh* m : {&one, &flat})
    for (wp::BvhBuilder builder : kAllBuilders) {
      SCOPED_TRACE(builder_name(builder));
      wp::MeshOptions o;
      o.bvh.builder = builder;
      o.support_winding_number = true;
      wp::Mesh mesh(wp::from_host(m->points), wp::from_host(m->indices), o);
      check_cpu_mesh(mesh, *m, o.bvh, true);
    }
  wp::MeshOptions o;
  o.support_winding_number = true;
  wp::Mesh mesh(wp::from_host(one.points), wp::from_host(one.indices), o);
  const wp::MeshDesc& d = *wp::mesh_desc(mesh.id());
  const wp::WindingNode& w = d.node_winding[d.bvh.root];
  EXPECT_FLOAT_EQ(w.area, 0.5f);
  EXPECT_FLOAT_EQ(w.normal_area[2], 0.5f);
  EXPECT_FLOAT_EQ(w.centroid[0], 1.0f / 3.0f);
}

TEST(GeometryMesh, HundredThousandTriangles) {
  const HostMesh m = wp_test::jittered_sphere(200, 250, 3);
  ASSERT_EQ(m.num_tris(), 100000);
  const auto points = wp::from_host(m.points);
  const auto indices = wp::from_host(m.indices);
  for (wp::BvhBuilder builder : kAllBuilders) {
    SCOPED_TRACE(builder_name(builder));
    wp::MeshOptions o;
    o.bvh.builder = builder;
    o.support_winding_number = true;
    const auto start = std::chrono::steady_clock::now();
    wp::Mesh mesh(points, indices, o);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("[          ] 1e5-triangle mesh, %s builder + winding: %.1f ms\n",
                builder_name(builder).c_str(), ms);
    check_cpu_mesh(mesh, m, o.bvh, false);
  }
}

TEST(GeometryMesh, RefitAfterMovingPoints) {
  HostMesh m = wp_test::jittered_sphere(30, 40, 8);
  const auto points = wp::from_host(m.points);
  const auto indices = wp::from_host(m.indices);
  for (wp::BvhBuilder builder : kAllBuilders) {
    SCOPED_TRACE(builder_name(builder));
    wp::MeshOptions o;
    o.bvh.builder = builder;
    o.support_winding_number = true;
    wp::copy(points, wp::from_host(m.points));
    wp::Mesh mesh(points, indices, o);
    HostMesh moved = m;
    std::mt19937 rng(12);
    std::uniform_real_distribution<float> shift(-0.3f, 0.3f);
    for (auto& p : moved.points)
      for (int d = 0; d < 3; ++d) p[d] = p[d] * 2.0f + shift(rng);
    wp::copy(points, wp::from_host(moved.points));
    mesh.refit();
    check_cpu_mesh(mesh, moved, o.bvh, true);
  }
}

TEST(GeometryMesh, GroupsFormSubtrees) {
  const HostMesh m = wp_test::jittered_sphere(16, 20, 9);
  std::vector<int32_t> groups(static_cast<std::size_t>(m.num_tris()));
  for (int t = 0; t < m.num_tris(); ++t) groups[t] = (t / 37) % 5 == 2 ? 0 : (t / 37) % 5;  // group 2 empty
  for (wp::BvhBuilder builder : kAllBuilders) {
    SCOPED_TRACE(builder_name(builder));
    wp::MeshOptions o;
    o.bvh.builder = builder;
    o.groups = wp::from_host(groups);
    o.support_winding_number = true;
    wp::Mesh mesh(wp::from_host(m.points), wp::from_host(m.indices), o);
    check_cpu_mesh(mesh, m, o.bvh, true);
    check_groups(read_tree(mesh.bvh_id(), wp::Device()), groups);
  }
}

// ---- validation ------------------------------------------------------------------------------

bool has(const std::string& message, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (message.find(w) == std::string::npos) return false;
  return true;
}

#define EXPECT_ERROR_WITH(statement, ...)                                      \
  do {                                                                         \
    const std::string msg_ = error_of([&] { statement; });                     \
    EXPECT_TRUE(has(msg_, {__VA_ARGS__})) << "message: " << msg_;              \
  } while (0)

TEST(GeometryValidation, BvhArguments) {
  const auto b = wp_test::random_boxes(10, 1);
  const auto lo = wp::from_host(b.lowers), hi = wp::from_host(b.uppers);
  const wp::array<wp::vec3> null;
  EXPECT_ERROR_WITH(wp::Bvh(null, hi), "wp::Bvh: lowers is a null array");
  EXPECT_ERROR_WITH(wp::Bvh(lo, null), "wp::Bvh: uppers is a null array");
  EXPECT_ERROR_WITH(wp::Bvh(wp::zeros<wp::vec3>({0}), wp::zeros<wp::vec3>({0})), "wp::Bvh: lowers is empty");
  EXPECT_ERROR_WITH(wp::Bvh(wp::zeros<wp::vec3>({2, 5}), wp::zeros<wp::vec3>({2, 5})),
                    "wp::Bvh: lowers must be 1-D", "(2, 5)");
  EXPECT_ERROR_WITH(wp::Bvh(lo, hi.slice(0, 9)), "wp::Bvh:", "lowers has 10", "uppers has 9");
  const wp::array<wp::vec3> strided(lo.data(), wp::Shape{5}, wp::Strides{24});
  EXPECT_ERROR_WITH(wp::Bvh(strided, hi.slice(0, 5)), "wp::Bvh: lowers is not contiguous");
  const wp::array<wp::vec3> on_gpu(hi.data(), wp::Shape{10}, wp::Device("cuda:0"));
  EXPECT_ERROR_WITH(wp::Bvh(lo, on_gpu), "wp::Bvh: uppers is on device 'cuda:0' but lowers is on 'cpu'");
  auto bad = b;
  bad.lowers[6][1] = bad.uppers[6][1] + 1;
  EXPECT_ERROR_WITH(wp::Bvh(wp::from_host(bad.lowers), hi), "wp::Bvh: item 6 has the box lower", "lower ≤ upper");
  bad = b;
  bad.uppers[3][2] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_ERROR_WITH(wp::Bvh(lo, wp::from_host(bad.uppers)), "wp::Bvh: item 3", "nan", "finite");
  bad.uppers[3][2] = std::numeric_limits<float>::infinity();
  EXPECT_ERROR_WITH(wp::Bvh(lo, wp::from_host(bad.uppers)), "wp::Bvh: item 3", "inf");
  std::vector<int32_t> groups(10, 0);
  EXPECT_ERROR_WITH(wp::Bvh(lo, hi, wp::from_host(std::vector<int32_t>(9, 0))), "wp::Bvh: groups has 9 entries",
                    "10 items");
  groups[4] = -2;
  EXPECT_ERROR_WITH(wp::Bvh(lo, hi, wp::from_host(groups)), "wp::Bvh: groups[4] is -2", "≥ 0");
  EXPECT_ERROR_WITH(wp::Bvh(lo, hi, wp::array<int32_t>()), "wp::Bvh: groups is a null array");
  EXPECT_ERROR_WITH(wp::Bvh(lo, hi, wp::BvhOptions{wp::BvhBuilder::Sah, -1}), "wp::Bvh: BvhOptions::leaf_size is -1");
}

TEST(GeometryValidation, MeshArguments) {
  HostMesh m = wp_test::jittered_sphere(3, 4, 1);  // 24 triangles, 20 points
  const auto points = wp::from_host(m.points);
  const auto indices = wp::from_host(m.indices);
  const int num_points = static_cast<int>(m.points.size());
  EXPECT_ERROR_WITH(wp::Mesh(wp::array<wp::vec3>(), indices), "wp::Mesh: points is a null array");
  EXPECT_ERROR_WITH(wp::Mesh(points, wp::array<int32_t>()), "wp::Mesh: indices is a null array");
  EXPECT_ERROR_WITH(wp::Mesh(points, wp::zeros<int32_t>({0})), "wp::Mesh: indices is empty");
  EXPECT_ERROR_WITH(wp::Mesh(points, indices.slice(0, 7)), "wp::Mesh: indices has 7 entries", "multiple of 3");
  EXPECT_ERROR_WITH(wp::Mesh(points, wp::zeros<int32_t>({4, 3})), "wp::Mesh: indices must be 1-D", "(4, 3)");
  auto bad = m.indices;
  bad[17 * 3 + 2] = num_points + 20;
  EXPECT_ERROR_WITH(wp::Mesh(points, wp::from_host(bad)),
                    ("wp::Mesh: triangle 17 corner 2 has point index " + std::to_string(num_points + 20) +
                     ", but there are " + std::to_string(num_points) + " points").c_str());
  bad = m.indices;
  bad[4] = -1;
  EXPECT_ERROR_WITH(wp::Mesh(points, wp::from_host(bad)), "wp::Mesh: triangle 1 corner 1 has point index -1");
  auto nan_points = m.points;
  nan_points[5][0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_ERROR_WITH(wp::Mesh(wp::from_host(nan_points), indices), "wp::Mesh: point 5 is", "finite");
  nan_points[5][0] = -std::numeric_limits<float>::infinity();
  EXPECT_ERROR_WITH(wp::Mesh(wp::from_host(nan_points), indices), "wp::Mesh: point 5 is", "-inf");
  EXPECT_ERROR_WITH(wp::Mesh(points, indices, points.slice(0, 3)), "wp::Mesh: velocities has 3 entries",
                    std::to_string(num_points).c_str());
  const wp::array<int32_t> gpu_indices(indices.data(), wp::Shape{indices.size()}, wp::Device("cuda:1"));
  EXPECT_ERROR_WITH(wp::Mesh(points, gpu_indices), "wp::Mesh: indices is on device 'cuda:1'", "one device");
  const wp::array<wp::vec3> strided(points.data(), wp::Shape{5}, wp::Strides{24});
  EXPECT_ERROR_WITH(wp::Mesh(strided, indices), "wp::Mesh: points is not contiguous");
  wp::MeshOptions o;
  o.groups = wp::zeros<int32_t>({5});
  EXPECT_ERROR_WITH(wp::Mesh(points, indices, o), "wp::Mesh: MeshOptions::groups has 5 entries", "24 triangles");
  std::vector<int32_t> groups(24, 1);
  groups[11] = -3;
  o.groups = wp::from_host(groups);
  EXPECT_ERROR_WITH(wp::Mesh(points, indices, o), "wp::Mesh: groups[11] is -3");
}

TEST(GeometryValidation, CudaDevicesWithoutCuda) {
  if (wp::cuda_built()) GTEST_SKIP() << "runtime built with CUDA";
  std::vector<wp::vec3> p(3, wp::vec3{{0, 0, 0}});
  const wp::array<wp::vec3> on_gpu(p.data(), wp::Shape{3}, wp::Device("cuda:0"));
  EXPECT_ERROR_WITH(wp::Bvh(on_gpu, on_gpu), "wp::Bvh: CUDA support is not built");
}

// ---- lifetime ----------------------------------------------------------------------------------

TEST(GeometryLifetime, MovesTransferOwnership) {
  const auto b = wp_test::random_boxes(100, 2);
  wp::Bvh a(wp::from_host(b.lowers), wp::from_host(b.uppers));
  const uint64_t id = a.id();
  wp::Bvh moved(std::move(a));
  EXPECT_EQ(moved.id(), id);
  EXPECT_ERROR_WITH((void)a.id(), "wp::Bvh::id: this Bvh was moved from");  // NOLINT(bugprone-use-after-move)
  EXPECT_ERROR_WITH(a.refit(), "wp::Bvh::refit: this Bvh was moved from");
  wp::Bvh other(wp::from_host(b.lowers), wp::from_host(b.uppers));
  other = std::move(moved);  // frees other's tree
  EXPECT_EQ(other.id(), id);
  a = std::move(other);  // assigning to a moved-from object works
  EXPECT_EQ(a.id(), id);
  check_bvh(a, b, {});

  const HostMesh m = wp_test::jittered_sphere(3, 5, 3);
  wp::Mesh mesh(wp::from_host(m.points), wp::from_host(m.indices));
  const uint64_t mesh_id = mesh.id();
  wp::Mesh taken = std::move(mesh);
  EXPECT_EQ(taken.id(), mesh_id);
  EXPECT_ERROR_WITH((void)mesh.num_tris(), "wp::Mesh::num_tris: this Mesh was moved from");  // NOLINT
  std::vector<wp::Mesh> meshes;
  meshes.push_back(std::move(taken));
  meshes.emplace_back(wp::from_host(m.points), wp::from_host(m.indices));
  EXPECT_EQ(meshes[0].id(), mesh_id);
  check_cpu_mesh(meshes[0], m, {}, true);
}

// Build times on this machine (not a test of speed): set WARPC_GEOMETRY_TIMING=1 to print the
// CPU build time of a 10^5- and a 10^6-triangle mesh.
TEST(GeometryTiming, MeshBuild) {
  if (!std::getenv("WARPC_GEOMETRY_TIMING")) GTEST_SKIP() << "set WARPC_GEOMETRY_TIMING=1";
  for (auto [rings, segments] : {std::pair{200, 250}, std::pair{500, 1000}}) {
    const HostMesh m = wp_test::jittered_sphere(rings, segments, 5);
    const auto points = wp::from_host(m.points);
  const auto indices = wp::from_host(m.indices);
    for (wp::BvhBuilder builder : {wp::BvhBuilder::Sah, wp::BvhBuilder::Median, wp::BvhBuilder::Lbvh})
      for (bool winding : {false, true}) {
        wp::MeshOptions o;
        o.bvh.builder = builder;
        o.support_winding_number = winding;
        double best = 1e30;
        for (int rep = 0; rep < 3; ++rep) {
          const auto start = std::chrono::steady_clock::now();
          wp::Mesh mesh(points, indices, o);
          best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        }
        wp::MeshOptions refit_options = o;
        wp::Mesh mesh(points, indices, refit_options);
        const auto start = std::chrono::steady_clock::now();
        mesh.refit();
        const double refit_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        std::printf("[          ] %d triangles, %s%s: build %.1f ms, refit %.1f ms (%d threads)\n",
                    m.num_tris(), builder_name(builder).c_str(), winding ? " + winding" : "", best,
                    refit_ms, wp::cpu_thread_count());
      }
  }
}

}  // namespace
