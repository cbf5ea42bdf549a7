// geometry_debug_test.cpp — the WARPC_DEBUG checks of the geometry builtins (this file is built
// with WARPC_DEBUG defined, as kernels are with add_warp_kernels(... DEBUG) / -DWARPC_DEBUG):
// a handle that is not a live object, an object of another device, and out-of-range face or
// face-vertex indices abort with a message instead of reading wild memory; likewise volume ids
// (dead, of another device, of another value type) and index-grid voxel data that is too short. Release builds do
// not check (stdlib/test/mesh_query_test.cpp and ray_query_test.cpp run those).
#ifndef WARPC_DEBUG
#error "geometry_debug_test.cpp must be built with WARPC_DEBUG"
#endif
#include <gtest/gtest.h>

#include <vector>

#include "wp/builtins.h"
#include "wp/mesh.h"
#include "wp/volume.h"
#include "wp/wp.h"

namespace {

struct OneTriangle {
  wp::array<wp::vec3> points = wp::from_host(std::vector<wp::vec3>{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}, {3});
  wp::array<int32_t> indices = wp::from_host(std::vector<int32_t>{0, 1, 2}, {3});
  wp::Mesh mesh{points, indices};
};

TEST(GeometryDebugDeathTest, LiveMeshPasses) {
  OneTriangle t;
  wp::MeshQueryPoint q = wp::mesh_query_point_no_sign(t.mesh.id(), wp::vec3{0.2f, 0.2f, 1.0f}, 10.0f);
  EXPECT_TRUE(q.result);
  EXPECT_EQ(q.face, 0);
}

TEST(GeometryDebugDeathTest, DestroyedMeshIsCaught) {
  // What the runtime leaves behind when a Mesh is destroyed: a descriptor with no magic word.
  wp::MeshDesc stale;
  stale.device = -1;
  const uint64_t id = reinterpret_cast<uint64_t>(&stale);
  EXPECT_DEATH(wp::mesh_query_point_no_sign(id, wp::vec3{0, 0, 0}, 1.0f), "not a live wp::Mesh");
  EXPECT_DEATH(wp::mesh_query_ray(id, wp::vec3{0, 0, 0}, wp::vec3{0, 0, 1}, 1.0f), "");
  EXPECT_DEATH(wp::mesh_eval_position(id, 0, 0.3f, 0.3f), "not a live wp::Mesh");
}

TEST(GeometryDebugDeathTest, ObjectOfAnotherDeviceIsCaught) {
  OneTriangle t;
  wp::MeshDesc foreign = *wp::mesh_desc(t.mesh.id());
  foreign.device = 0;  // as if it lived on cuda:0
  const uint64_t id = reinterpret_cast<uint64_t>(&foreign);
  EXPECT_DEATH(wp::mesh_query_point_no_sign(id, wp::vec3{0, 0, 0}, 1.0f), "CUDA mesh used in host code");
  wp::BvhDesc bvh = wp::mesh_desc(t.mesh.id())->bvh;
  bvh.magic = 0;
  EXPECT_DEATH(wp::bvh_query_aabb(reinterpret_cast<uint64_t>(&bvh), wp::vec3{0, 0, 0}, wp::vec3{1, 1, 1}), "");
}

TEST(GeometryDebugDeathTest, IndicesOutOfRangeAreCaught) {
  OneTriangle t;
  EXPECT_DEATH(wp::mesh_eval_position(t.mesh.id(), 1, 0.3f, 0.3f), "face index out of range");
  EXPECT_DEATH(wp::mesh_get_point(t.mesh.id(), 3), "face-vertex index out of range");
}

wp::Volume small_volume() {
  return wp::Volume::allocate<float>(wp::vec3d{{0, 0, 0}}, wp::vec3d{{3, 3, 3}}, wp::vec3d{{1, 1, 1}}, 2.0f);
}

TEST(GeometryDebugDeathTest, LiveVolumePasses) {
  const wp::Volume v = small_volume();
  EXPECT_EQ(wp::volume_sample_f(v.id(), wp::vec3{1.5f, 1.5f, 1.5f}, wp::kVolumeLinear), 2.0f);
}

TEST(GeometryDebugDeathTest, DeadForeignAndMistypedVolumesAreCaught) {
  const wp::Volume v = small_volume();
  // A descriptor with no grid after it: the handle checks fail before the grid is read.
  struct alignas(64) Handle {
    wp::VolumeDesc desc;
    unsigned char rest[wp::kVolumeDescOffset - sizeof(wp::VolumeDesc)];
    uint64_t id() const { return reinterpret_cast<uint64_t>(this) + wp::kVolumeDescOffset; }
  };
  Handle stale{*wp::volume_desc(v.id()), {}};
  stale.desc.magic = 0;  // what a destroyed Volume leaves behind
  EXPECT_DEATH(wp::volume_sample_f(stale.id(), wp::vec3{1, 1, 1}, 1), "not a live wp::Volume");
  EXPECT_DEATH(wp::volume_sample_f(0, wp::vec3{1, 1, 1}, 1), "null volume id");
  Handle foreign{*wp::volume_desc(v.id()), {}};
  foreign.desc.device = 0;  // as if it lived on cuda:0
  EXPECT_DEATH(wp::volume_lookup_f(foreign.id(), 1, 1, 1), "CUDA volume used in host code");
  EXPECT_DEATH(wp::volume_sample_v(v.id(), wp::vec3{1, 1, 1}, 1), "value type does not match");
  EXPECT_DEATH(wp::volume_lookup_index(v.id(), 1, 1, 1), "value type does not match");
}

TEST(GeometryDebugDeathTest, ShortVoxelDataIsCaught) {
  const wp::Volume v = wp::Volume::allocate_by_voxels(
      wp::from_host(std::vector<wp::vec3i>{{{0, 0, 0}}, {{1, 0, 0}}, {{2, 0, 0}}}), wp::vec3d{{1, 1, 1}});
  float data[2] = {1.0f, 2.0f};  // three voxels, two values
  wp::array_t<float> view{};
  view.data = data;
  view.shape[0] = 2;
  view.strides[0] = sizeof(float);
  view.ndim = 1;
  EXPECT_EQ(wp::volume_sample_index(v.id(), wp::vec3{1, 0, 0}, wp::kVolumeClosest, view, 0.0f), 2.0f);
  EXPECT_DEATH(wp::volume_sample_index(v.id(), wp::vec3{2, 0, 0}, wp::kVolumeClosest, view, 0.0f), "voxel_data is shorter");
}

}  // namespace
