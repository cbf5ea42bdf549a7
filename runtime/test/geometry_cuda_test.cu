// geometry_cuda_test.cu — wp::Bvh and wp::Mesh on CUDA devices (CTest label `gpu`): every
// builder's tree read back through the device descriptor and checked like the CPU ones, the
// LBVH identical to the CPU LBVH, duplicate Morton codes, groups, refit, winding data, 10^5
// triangles, validation errors, and a kernel that walks a tree from its id. Every test skips
// itself when no CUDA device is present.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "geometry_test_util.h"
#include "test_util.h"
#include "wp/wp.h"

namespace {

using wp_test::check_groups;
using wp_test::check_tree;
using wp_test::error_of;
using wp_test::HostMesh;
using wp_test::read_tree;

class GeometryCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(wp::cuda_built());
    if (wp::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  }
  const wp::Device gpu{"cuda:0"};
};

constexpr wp::BvhBuilder kGpuBuilders[] = {wp::BvhBuilder::Default, wp::BvhBuilder::Lbvh,
                                           wp::BvhBuilder::Sah, wp::BvhBuilder::Median};

int max_leaf(wp::BvhBuilder b) {
  return b == wp::BvhBuilder::Default || b == wp::BvhBuilder::Lbvh ? 1 : 4;
}
constexpr int kMeshMaxLeaf = 4;  // a Mesh's default leaf size with every builder

// found[i] = 1 when a traversal of the tree from `bvh_id` with item i's box centre reaches a
// leaf slot holding item i (every node box on the way must contain the point).
__global__ void find_own_items(uint64_t bvh_id, int n, int* found) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const wp::BvhDesc* d = wp::bvh_desc(bvh_id);
  if (d->magic != wp::kBvhMagic) return;
  float p[3];
  for (int k = 0; k < 3; ++k) p[k] = 0.5f * (d->item_lowers[i][k] + d->item_uppers[i][k]);
  int stack[64];
  int top = 0;
  stack[top++] = d->root;
  while (top > 0) {
    const wp::BvhNode& node = d->nodes[stack[--top]];
    bool inside = true;
    for (int k = 0; k < 3; ++k) inside = inside && node.lower[k] <= p[k] && p[k] <= node.upper[k];
    if (!inside) continue;
    if (node.is_leaf()) {
      for (int s = node.first_item_slot(); s < node.first_item_slot() + node.item_count(); ++s)
        if (d->items[s] == i) found[i] = 1;
    } else if (top < 62) {
      stack[top++] = node.left;
      stack[top++] = node.right;
    }
  }
}

void expect_kernel_finds_every_item(uint64_t bvh_id, int n) {
  auto found = wp::zeros<int>({n}, "cuda:0");
  find_own_items<<<(n + 127) / 128, 128>>>(bvh_id, n, found.data());
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  wp::synchronize();
  const auto host = found.to_host();
  EXPECT_EQ(std::count(host.begin(), host.end(), 1), n);
}

TEST_F(GeometryCuda, EveryBuilderGivesAValidTreeOnTheDevice) {
  for (int n : {1, 2, 3, 17, 1000, 50000}) {
    const auto b = wp_test::random_boxes(n, 100u + static_cast<uint32_t>(n));
    const auto lo = wp::from_host(b.lowers, gpu), hi = wp::from_host(b.uppers, gpu);
    for (wp::BvhBuilder builder : kGpuBuilders) {
      SCOPED_TRACE("n=" + std::to_string(n) + " builder=" + std::to_string(static_cast<int>(builder)));
      wp::Bvh bvh(lo, hi, {builder, 0});
      EXPECT_EQ(bvh.device(), gpu);
      const auto t = read_tree(bvh.id(), gpu);
      check_tree(t, b.lowers, b.uppers, 0, max_leaf(builder));
      EXPECT_EQ(t.desc.item_lowers, lo.data());
      if (builder == wp::BvhBuilder::Lbvh) {  // runs of several items per leaf
        for (int leaf : {2, 4}) {
          wp::Bvh runs(lo, hi, {builder, leaf});
          check_tree(read_tree(runs.id(), gpu), b.lowers, b.uppers, 0, leaf);
          expect_kernel_finds_every_item(runs.id(), n);
        }
      }
      cudaPointerAttributes attr{};
      ASSERT_EQ(cudaPointerGetAttributes(&attr, reinterpret_cast<void*>(bvh.id())), cudaSuccess);
      EXPECT_EQ(attr.type, cudaMemoryTypeDevice);
      expect_kernel_finds_every_item(bvh.id(), n);
    }
  }
}

TEST_F(GeometryCuda, LbvhMatchesTheCpuLbvh) {
  const auto b = wp_test::random_boxes(30000, 5);
  std::vector<int32_t> groups(b.lowers.size());
  for (std::size_t i = 0; i < groups.size(); ++i) groups[i] = static_cast<int32_t>((i * 7) % 13);
  for (const auto [with_groups, leaf] : {std::pair{false, 0}, std::pair{true, 0}, std::pair{false, 3}, std::pair{true, 4}}) {
    SCOPED_TRACE("groups=" + std::to_string(with_groups) + " leaf_size=" + std::to_string(leaf));
    const wp::BvhOptions o{wp::BvhBuilder::Lbvh, leaf};
    wp::Bvh cpu = with_groups ? wp::Bvh(wp::from_host(b.lowers), wp::from_host(b.uppers), wp::from_host(groups), o)
                              : wp::Bvh(wp::from_host(b.lowers), wp::from_host(b.uppers), o);
    wp::Bvh dev = with_groups ? wp::Bvh(wp::from_host(b.lowers, gpu), wp::from_host(b.uppers, gpu),
                                        wp::from_host(groups, gpu), o)
                              : wp::Bvh(wp::from_host(b.lowers, gpu), wp::from_host(b.uppers, gpu), o);
    const auto a = read_tree(cpu.id(), wp::Device()), c = read_tree(dev.id(), gpu);
    ASSERT_EQ(a.nodes.size(), c.nodes.size());
    EXPECT_EQ(std::memcmp(a.nodes.data(), c.nodes.data(), a.nodes.size() * sizeof(wp::BvhNode)), 0);
    EXPECT_EQ(a.items, c.items);
    EXPECT_EQ(a.group_roots, c.group_roots);
  }
}

TEST_F(GeometryCuda, DuplicateMortonCodes) {
  const int n = 5000;
  wp_test::HostBoxes b;
  for (int i = 0; i < n; ++i) {
    b.lowers.push_back(wp::vec3{{1, 2, 3}});
    b.uppers.push_back(wp::vec3{{1.0f + static_cast<float>(i % 3), 2, 3}});  // centres differ a little
  }
  for (auto& u : b.uppers) u = wp::vec3{{2, 3, 4}};  // all identical
  for (wp::BvhBuilder builder : kGpuBuilders) {
    wp::Bvh bvh(wp::from_host(b.lowers, gpu), wp::from_host(b.uppers, gpu), {builder, 0});
    check_tree(read_tree(bvh.id(), gpu), b.lowers, b.uppers, 0, max_leaf(builder));
  }
}

TEST_F(GeometryCuda, RefitFollowsMovedBoxes) {
  const auto b = wp_test::random_boxes(20000, 8);
  const auto moved = wp_test::random_boxes(20000, 9, 3.0f);
  for (wp::BvhBuilder builder : kGpuBuilders) {
    const auto lo = wp::from_host(b.lowers, gpu), hi = wp::from_host(b.uppers, gpu);
    wp::Bvh bvh(lo, hi, {builder, 0});
    const auto before = read_tree(bvh.id(), gpu);
    wp::copy(lo, wp::from_host(moved.lowers, gpu));
    wp::copy(hi, wp::from_host(moved.uppers, gpu));
    bvh.refit();
    wp::synchronize();
    const auto after = read_tree(bvh.id(), gpu);
    check_tree(after, moved.lowers, moved.uppers, 0, max_leaf(builder));
    EXPECT_EQ(after.items, before.items);
  }
}

TEST_F(GeometryCuda, GroupsFormSubtrees) {
  const int n = 6000;
  const auto b = wp_test::random_boxes(n, 31);
  for (int num_groups : {1, 5, 64}) {
    std::vector<int32_t> groups(n);
    for (int i = 0; i < n; ++i) groups[i] = (i * 31 + i / 7) % num_groups;
    if (num_groups > 2)
      for (int& g : groups) g = g == 2 ? 0 : g;  // group 2 empty
    for (wp::BvhBuilder builder : kGpuBuilders) {
      wp::Bvh bvh(wp::from_host(b.lowers, gpu), wp::from_host(b.uppers, gpu), wp::from_host(groups, gpu),
                  {builder, 0});
      const auto t = read_tree(bvh.id(), gpu);
      check_tree(t, b.lowers, b.uppers, 0, max_leaf(builder));
      check_groups(t, groups);
    }
  }
}

TEST_F(GeometryCuda, MeshesWithWindingData) {
  HostMesh one;
  one.points = {wp::vec3{{0, 0, 0}}, wp::vec3{{1, 0, 0}}, wp::vec3{{0, 1, 0}}};
  one.indices = {0, 1, 2};
  HostMesh flat;
  flat.points = {wp::vec3{{0, 0, 0}}, wp::vec3{{1, 1, 1}}, wp::vec3{{2, 2, 2}}};
  flat.indices = {0, 1, 2, 0, 0, 0, 2, 2, 2};
  const HostMesh sphere = wp_test::jittered_sphere(20, 30, 1);
  const HostMesh big = wp_test::jittered_sphere(200, 250, 2);
  const HostMesh* meshes[] = {&one, &flat, &sphere, &big};
  for (const HostMesh* m : meshes)
    for (wp::BvhBuilder builder : kGpuBuilders) {
      SCOPED_TRACE(std::to_string(m->num_tris()) + " triangles, builder " + std::to_string(static_cast<int>(builder)));
      wp::MeshOptions o;
      o.bvh.builder = builder;
      o.support_winding_number = true;
      const auto points = wp::from_host(m->points, wp::with_shape(static_cast<int64_t>(m->points.size())), wp::on(gpu), wp::requires_grad);
      wp::Mesh mesh(points, wp::from_host(m->indices, gpu), o);
      wp_test::check_mesh(mesh, *m, kMeshMaxLeaf, m != &big);
      const wp::MeshDesc d = wp_test::fetch(wp::mesh_desc(mesh.id()), 1, gpu)[0];
      EXPECT_EQ(d.points_grad, points.grad());
      expect_kernel_finds_every_item(mesh.bvh_id(), m->num_tris());
    }
}

TEST_F(GeometryCuda, MeshRefitAfterMovingPoints) {
  const HostMesh m = wp_test::jittered_sphere(40, 50, 4);
  HostMesh moved = m;
  for (auto& p : moved.points) p = wp::vec3{{p[0] * 3 + 1, p[1] - 2, p[2] * 0.5f}};
  for (wp::BvhBuilder builder : kGpuBuilders) {
    wp::MeshOptions o;
    o.bvh.builder = builder;
    o.support_winding_number = true;
    const auto points = wp::from_host(m.points, gpu);
    wp::Mesh mesh(points, wp::from_host(m.indices, gpu), o);
    wp::copy(points, wp::from_host(moved.points, gpu));
    mesh.refit();
    wp::synchronize();
    wp_test::check_mesh(mesh, moved, kMeshMaxLeaf, true);
  }
}

TEST_F(GeometryCuda, MeshGroupsAndVelocities) {
  const HostMesh m = wp_test::jittered_sphere(10, 12, 6);
  std::vector<int32_t> groups(static_cast<std::size_t>(m.num_tris()));
  for (int t = 0; t < m.num_tris(); ++t) groups[t] = t % 4;
  wp::MeshOptions o;
  o.groups = wp::from_host(groups, gpu);
  const auto velocities = wp::zeros<wp::vec3>({static_cast<int64_t>(m.points.size())}, gpu, true);
  wp::Mesh mesh(wp::from_host(m.points, gpu), wp::from_host(m.indices, gpu), velocities, o);
  wp_test::check_mesh(mesh, m, 1, true);
  check_groups(read_tree(mesh.bvh_id(), gpu), groups);
  const wp::MeshDesc d = wp_test::fetch(wp::mesh_desc(mesh.id()), 1, gpu)[0];
  EXPECT_EQ(d.velocities, velocities.data());
  EXPECT_EQ(d.velocities_grad, velocities.grad());
}

bool has(const std::string& message, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (message.find(w) == std::string::npos) return false;
  return true;
}

#define EXPECT_ERROR_WITH(statement, ...)                          \
  do {                                                             \
    const std::string msg_ = error_of([&] { statement; });         \
    EXPECT_TRUE(has(msg_, {__VA_ARGS__})) << "message: " << msg_;  \
  } while (0)

TEST_F(GeometryCuda, ValidationOnTheDevice) {
  HostMesh m = wp_test::jittered_sphere(3, 4, 1);
  const int num_points = static_cast<int>(m.points.size());
  auto bad = m.indices;
  bad[17 * 3 + 2] = num_points + 20;
  bad[20 * 3] = -5;  // a later one: the first is reported
  EXPECT_ERROR_WITH(wp::Mesh(wp::from_host(m.points, gpu), wp::from_host(bad, gpu)),
                    ("wp::Mesh: triangle 17 corner 2 has point index " + std::to_string(num_points + 20) +
                     ", but there are " + std::to_string(num_points) + " points").c_str());
  auto nan_points = m.points;
  nan_points[7][2] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_ERROR_WITH(wp::Mesh(wp::from_host(nan_points, gpu), wp::from_host(m.indices, gpu)),
                    "wp::Mesh: point 7 is", "finite");
  EXPECT_ERROR_WITH(wp::Mesh(wp::from_host(m.points, gpu), wp::from_host(m.indices)),
                    "wp::Mesh: indices is on device 'cpu' but points is on 'cuda:0'");
  auto b = wp_test::random_boxes(100, 3);
  b.lowers[42][0] = b.uppers[42][0] + 1;
  for (wp::BvhBuilder builder : kGpuBuilders)
    EXPECT_ERROR_WITH(wp::Bvh(wp::from_host(b.lowers, gpu), wp::from_host(b.uppers, gpu), {builder, 0}),
                      "wp::Bvh: item 42 has the box lower");
  b = wp_test::random_boxes(100, 3);
  std::vector<int32_t> groups(100, 3);
  groups[61] = -1;
  EXPECT_ERROR_WITH(wp::Bvh(wp::from_host(b.lowers, gpu), wp::from_host(b.uppers, gpu), wp::from_host(groups, gpu)),
                    "wp::Bvh: groups[61] is -1");
  const std::string missing = "cuda:" + std::to_string(wp::cuda_device_count());
  const wp::array<wp::vec3> nowhere(reinterpret_cast<wp::vec3*>(std::uintptr_t{256}), wp::Shape{4}, wp::Device(missing));
  EXPECT_ERROR_WITH(wp::Bvh(nowhere, nowhere), "is not available");
}

TEST_F(GeometryCuda, MovedFromObjectsAreSafe) {
  const auto b = wp_test::random_boxes(100, 2);
  wp::Bvh a(wp::from_host(b.lowers, gpu), wp::from_host(b.uppers, gpu));
  const uint64_t id = a.id();
  wp::Bvh c = std::move(a);
  EXPECT_EQ(c.id(), id);
  EXPECT_ERROR_WITH((void)a.id(), "moved from");  // NOLINT(bugprone-use-after-move)
  const HostMesh m = wp_test::jittered_sphere(3, 4, 1);
  wp::Mesh mesh(wp::from_host(m.points, gpu), wp::from_host(m.indices, gpu));
  wp::Mesh other = std::move(mesh);
  wp_test::check_mesh(other, m, kMeshMaxLeaf, true);
}

// The default Mesh (LBVH on the device) cuts its radix tree into leaves of up to 4 triangles.
TEST_F(GeometryCuda, MeshDefaultLeavesHoldUpToFourTriangles) {
  const HostMesh m = wp_test::jittered_sphere(20, 30, 5);
  wp::Mesh mesh(wp::from_host(m.points, gpu), wp::from_host(m.indices, gpu));
  const auto t = read_tree(mesh.bvh_id(), gpu);
  wp_test::expect_leaves_of_up_to_four(t, m.num_tris());
  expect_kernel_finds_every_item(mesh.bvh_id(), m.num_tris());
}

}  // namespace
