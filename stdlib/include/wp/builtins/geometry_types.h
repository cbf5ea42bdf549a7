// wp/builtins/geometry_types.h — the memory layout of BVHs, triangle meshes and hash grids as
// kernels see them: the one contract between the runtime that builds them (wp::Bvh, wp::Mesh,
// wp::HashGrid in runtime/) and the query builtins that read them (wp/builtins/mesh_query.h,
// ray_query.h, hash_grid.h).
//
// Contract:
//  * A handle (`uint64` in kernel code, `id()` on the host) is the address of a BvhDesc,
//    MeshDesc or HashGridDesc in the memory of the device the object lives on (host memory for the CPU, device
//    memory for cuda:N). Kernels cast it back with bvh_desc(id) / mesh_desc(id). The
//    descriptor and every array it points to live on that same device.
//  * BvhNode (32 bytes): the box [lower, upper] of everything below the node, and two ints.
//    Inner node: `left` and `right` are the child node indices (both ≥ 0).
//    Leaf: `left` is the first slot in BvhDesc::items and `right` is −(number of items), so
//    `right < 0` marks a leaf; the leaf holds items[left … left − right − 1].
//    A BVH with n ≥ 1 items has at most 2n − 1 nodes; node `root` is the top. Every item index
//    in [0, num_items) appears in exactly one leaf slot. A leaf's box is exactly the union of
//    its items' boxes; an inner node's box contains its children's boxes (and may be looser
//    than their union, never tighter). So a query tests an item's own box (item_lowers/uppers)
//    or primitive before reporting it — except for a one-item leaf whose box passed that same
//    test.
//  * BvhDesc::item_lowers/item_uppers are the boxes of the items: for wp::Bvh the user's
//    lowers/uppers arrays; for a mesh the triangles' boxes (recomputed by refit()).
//  * Groups: when built with groups, group_roots[g] is the node index of the subtree holding
//    exactly group g's items (−1 for a group with no items); num_groups is 0 otherwise.
//  * MeshDesc embeds the BVH over its triangles (item i = triangle i). points/velocities are
//    packed vec3f arrays; indices holds 3 point indices per triangle (validated at build
//    time: every index in [0, num_points)). points_grad/velocities_grad are the gradient
//    buffers of the user's arrays, or null: the adjoints of the query builtins accumulate
//    d(loss)/d(vertex) into points_grad (atomically) when it is not null.
//  * Winding numbers: when the mesh supports them, node_winding[k] holds node k's dipole data
//    (area-weighted normal sum, area-weighted centroid, radius) — see WindingNode.
//  * magic is kBvhMagic/kMeshMagic/kHashGridMagic while the object lives (the runtime clears it on destroy);
//    device is −1 for the CPU, N for cuda:N. Builtins check both only when WARPC_DEBUG is
//    defined (a stale or foreign handle is then reported instead of read).
//  * VolumeDesc describes a NanoVDB grid (wp::Volume, runtime/include/wp/volume.h). A volume's
//    id is the address of its grid (a nanovdb::GridData, validated when the volume was made),
//    as in Warp; the descriptor lies kVolumeDescOffset bytes before it (volume_desc), so device
//    code reads the grid without first loading a pointer to it. `grid` repeats the address; grid_type is the nanovdb::GridType value of the
//    stored values (kVolumeIndex marks a warpc index grid: an int32 grid whose active voxels
//    hold 0 … voxel_count − 1 in tree order and whose other voxels hold −1). magic is
//    kVolumeMagic while the volume lives.
#pragma once

#include <cstdint>

#include "wp/config.h"
#include "wp/types.h"

namespace wp {

// 16-byte aligned so that a node is two 16-byte halves: load_bvh_node reads it with two
// vector loads instead of eight scalar ones.
struct alignas(16) BvhNode {
  vec_t<3, float> lower;
  int32_t left;
  vec_t<3, float> upper;
  int32_t right;

  WP_HD bool is_leaf() const { return right < 0; }
  WP_HD int32_t first_item_slot() const { return left; }
  WP_HD int32_t item_count() const { return -right; }
};
static_assert(sizeof(BvhNode) == 32, "BvhNode is 32 bytes");

// Node k of a tree that no thread of the running kernel writes (every query): on CUDA two
// 16-byte loads through the read-only path, issued together before any box test reads them.
WP_HD BvhNode load_bvh_node(const BvhNode* nodes, int32_t k) {
#if defined(__CUDA_ARCH__)
  const BvhNode* p = nodes + k;
  uint32_t a0, a1, a2, a3, b0, b1, b2, b3;
  asm("ld.global.nc.v4.u32 {%0, %1, %2, %3}, [%4];"
      : "=r"(a0), "=r"(a1), "=r"(a2), "=r"(a3)
      : "l"(p));
  asm("ld.global.nc.v4.u32 {%0, %1, %2, %3}, [%4];"
      : "=r"(b0), "=r"(b1), "=r"(b2), "=r"(b3)
      : "l"(reinterpret_cast<const char*>(p) + 16));
  BvhNode n;
  n.lower = vec_t<3, float>{{__uint_as_float(a0), __uint_as_float(a1), __uint_as_float(a2)}};
  n.left = static_cast<int32_t>(a3);
  n.upper = vec_t<3, float>{{__uint_as_float(b0), __uint_as_float(b1), __uint_as_float(b2)}};
  n.right = static_cast<int32_t>(b3);
  return n;
#else
  return nodes[k];
#endif
}

inline constexpr uint32_t kBvhMagic = 0x42564831u;   // "BVH1"
inline constexpr uint32_t kMeshMagic = 0x4D534831u;  // "MSH1"
inline constexpr uint32_t kVolumeMagic = 0x564F4C31u;  // "VOL1"

struct BvhDesc {
  uint32_t magic = 0;
  int32_t device = -1;
  BvhNode* nodes = nullptr;
  int32_t num_nodes = 0;
  int32_t root = -1;  // −1 when the BVH has no items
  int32_t* items = nullptr;  // leaf slots → item index
  const vec_t<3, float>* item_lowers = nullptr;
  const vec_t<3, float>* item_uppers = nullptr;
  int32_t num_items = 0;
  int32_t num_groups = 0;
  const int32_t* group_roots = nullptr;  // num_groups entries, or null
};

// Per-node data for the fast winding number (first-order dipole expansion): the sum over the
// node's triangles of area × unit normal, the area-weighted centroid, and the radius of a ball
// around that centroid holding every triangle of the node.
struct WindingNode {
  vec_t<3, float> normal_area;
  float radius;
  vec_t<3, float> centroid;
  float area;
};
static_assert(sizeof(WindingNode) == 32, "WindingNode is 32 bytes");

struct MeshDesc {
  uint32_t magic = 0;
  int32_t device = -1;
  BvhDesc bvh;
  const vec_t<3, float>* points = nullptr;
  vec_t<3, float>* points_grad = nullptr;
  const vec_t<3, float>* velocities = nullptr;  // null when the mesh has none
  vec_t<3, float>* velocities_grad = nullptr;
  const int32_t* indices = nullptr;  // 3 × num_tris
  int32_t num_points = 0;
  int32_t num_tris = 0;
  const WindingNode* node_winding = nullptr;  // null unless support_winding_number
};

inline constexpr uint32_t kHashGridMagic = 0x48534731u;  // "HSG1"

// A hash grid (wp::HashGrid): points bucketed into dim_x × dim_y × dim_z cells of width
// cell_width. A point p lies in the virtual cell c = floor(p · cell_width_inv) (per axis, in the
// grid's coordinate precision, see hash_grid.h), stored in the physical cell
// (c mod dim) — negative coordinates wrap — numbered z·dim_x·dim_y + y·dim_x + x.
//  * point_ids: the points sorted by (physical cell, group as uint32, original index); entry k
//    is the original index of the k-th point in that order. cell_offsets has one entry per
//    cell plus one: the points of cell c are the sorted positions cell_offsets[c] …
//    cell_offsets[c + 1] − 1 (so cells next to each other in a row are one contiguous run).
//  * point_groups: with a grouped build, the group id of each sorted position (so the points of
//    one group form a contiguous run inside each cell); null otherwise.
//  * Before the first build, point_ids is null and num_points is 0: queries find nothing and
//    hash_grid_point_id returns −1 (as Warp).
//  * scalar_bits is the coordinate precision chosen at construction (16, 32 or 64); the
//    inverse cell width is kept in all three so each query overload reads its own.
struct HashGridDesc {
  uint32_t magic = 0;
  int32_t device = -1;
  int32_t dim_x = 0;
  int32_t dim_y = 0;
  int32_t dim_z = 0;
  int32_t num_points = 0;
  int32_t scalar_bits = 32;
  int32_t has_groups = 0;
  double cell_width = 0.0;
  double cell_width_inv_d = 0.0;
  float cell_width_inv_f = 0.0f;
  uint16_t cell_width_inv_h = 0;  // binary16 bits
  const int32_t* point_ids = nullptr;
  const int32_t* point_groups = nullptr;
  const int32_t* cell_offsets = nullptr;  // dim_x·dim_y·dim_z + 1 entries
};

// Value kinds of a VolumeDesc (grid_type): nanovdb::GridType numbers, plus warpc's index grid.
enum VolumeGridType : uint32_t {
  kVolumeFloat = 1,
  kVolumeDouble = 2,
  kVolumeInt32 = 4,
  kVolumeVec3f = 6,
  kVolumeVec3d = 7,
  kVolumeIndex = 0x100,  // int32 storage, grid named "warpc:index"
};

struct VolumeDesc {
  uint32_t magic = 0;
  int32_t device = -1;
  void* grid = nullptr;  // nanovdb::GridData on `device`
  uint32_t grid_type = 0;  // a VolumeGridType
  int32_t reserved = 0;
  uint64_t voxel_count = 0;  // Warp's count: index grids' active voxels, else leaf voxels
  uint64_t grid_bytes = 0;
};

WP_HD const BvhDesc* bvh_desc(uint64_t id) { return reinterpret_cast<const BvhDesc*>(id); }
WP_HD const MeshDesc* mesh_desc(uint64_t id) { return reinterpret_cast<const MeshDesc*>(id); }
WP_HD const HashGridDesc* hash_grid_desc(uint64_t id) { return reinterpret_cast<const HashGridDesc*>(id); }
inline constexpr uint64_t kVolumeDescOffset = 256;  // keeps the grid 256-byte aligned on CUDA
static_assert(sizeof(VolumeDesc) <= kVolumeDescOffset);
WP_HD const VolumeDesc* volume_desc(uint64_t id) { return reinterpret_cast<const VolumeDesc*>(id - kVolumeDescOffset); }

}  // namespace wp
