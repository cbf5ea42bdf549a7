// geometry_internal.h (private) — what wp::Bvh and wp::Mesh share: the built tree
// (BvhTopology), the device-resident descriptor, argument checks, and the device dispatch of
// building, refitting and validation (CPU: bvh_build_cpu.cpp; CUDA: geometry_cuda.cu).
//
// Contract:
//  * build_bvh() validates the item boxes and groups (wp::Error naming `owner`, the item noun
//    and the index) and returns a topology on the request's device with exact node boxes.
//  * refit_bvh() recomputes node boxes (and winding data when asked) from item boxes; on CUDA
//    it is asynchronous on the device's current stream.
//  * Every function here throws the "CUDA support is not built" error for CUDA devices in a
//    CPU-only runtime.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "wp/array.h"
#include "wp/bvh.h"
#include "wp/builtins/geometry_types.h"
#include "wp/error.h"

namespace wp::detail {

// A built tree: every array on the object's device.
struct BvhTopology {
  array<BvhNode> nodes;
  array<int32_t> items;        // leaf slot → item
  array<int32_t> parents;      // node → parent node, −1 for the root
  array<int32_t> counters;     // refit scratch, one per node
  array<int32_t> group_roots;  // num_groups entries, or null
  int32_t num_nodes = 0;
  int32_t root = -1;
  int32_t num_groups = 0;
  int32_t first_leaf = -1;     // LBVH layout: the leaves are nodes first_leaf … num_nodes−1
};

// Item boxes (and optional groups) of a tree to build, all on `device`.
struct BvhBuildRequest {
  const char* owner;      // "wp::Bvh" / "wp::Mesh", for messages
  const char* item_noun;  // "item" / "triangle"
  Device device;
  const vec3* lowers;
  const vec3* uppers;
  const int32_t* groups;  // null without groups
  int32_t count;
  BvhOptions options;
};

// Mesh data for a refit (device pointers of the tree's device). `winding` set: winding data
// too. `triangle_lowers`/`triangle_uppers` set: each leaf first recomputes its triangles' boxes
// from the points into them (they must be the refit's item boxes), so a mesh refit is one pass.
struct MeshRefitSource {
  WindingNode* winding = nullptr;
  const vec3* points = nullptr;
  const int32_t* indices = nullptr;
  vec3* triangle_lowers = nullptr;
  vec3* triangle_uppers = nullptr;
};

BvhTopology build_bvh(const BvhBuildRequest& request);
void refit_bvh(const BvhTopology& tree, const Device& device, const vec3* lowers,
               const vec3* uppers, const MeshRefitSource* mesh);
BvhDesc describe_bvh(const BvhTopology& tree, const Device& device, const vec3* lowers,
                     const vec3* uppers, int32_t count);

// First offending entries found by a validation scan; −1 = none.
struct ItemScan {
  int32_t first_bad_box = -1;    // lower ≤ upper fails (or NaN)
  int32_t first_bad_group = -1;  // group < 0
  int32_t max_group = -1;
  vec3 centroid_lower{{0, 0, 0}};  // bounds of the box centres (valid boxes only)
  vec3 centroid_upper{{0, 0, 0}};
};
struct MeshScan {
  int64_t first_bad_index = -1;  // position in indices of an index outside [0, num_points)
  int32_t first_bad_point = -1;  // a point with a non-finite coordinate
};

// CPU implementations (bvh_build_cpu.cpp).
ItemScan scan_items_cpu(const BvhBuildRequest& request);
BvhTopology build_bvh_cpu(const BvhBuildRequest& request, const ItemScan& scan);
BvhTopology build_lbvh_cpu(const BvhBuildRequest& request, const ItemScan& scan);
void refit_cpu(const BvhTopology& tree, const vec3* lowers, const vec3* uppers,
               const MeshRefitSource* mesh);
MeshScan scan_mesh_cpu(const vec3* points, int32_t num_points, const int32_t* indices,
                       int32_t num_tris);
void triangle_boxes_cpu(const vec3* points, const int32_t* indices, int32_t num_tris,
                        vec3* lowers, vec3* uppers);

#ifdef WARPC_RUNTIME_CUDA
// CUDA implementations (geometry_cuda.cu); `device` is a CUDA device.
ItemScan scan_items_cuda(const BvhBuildRequest& request);
BvhTopology build_lbvh_cuda(const BvhBuildRequest& request, const ItemScan& scan);
void refit_cuda(const BvhTopology& tree, const Device& device, const vec3* lowers,
                const vec3* uppers, const MeshRefitSource* mesh);
MeshScan scan_mesh_cuda(const Device& device, const vec3* points, int32_t num_points,
                        const int32_t* indices, int32_t num_tris);
void triangle_boxes_cuda(const Device& device, const vec3* points, const int32_t* indices,
                         int32_t num_tris, vec3* lowers, vec3* uppers);
#endif

// Throws the "CUDA support is not built" error when `device` is CUDA in a CPU-only runtime.
void require_usable_device(const Device& device, const char* owner);

// "(x, y, z)" for messages.
std::string format_vec3(const vec3& v);

// Checks that `a` is a non-null, non-empty, 1-D, contiguous array; messages name
// `owner` and `name`.
template <typename T>
void check_item_array(const array<T>& a, const char* owner, const char* name) {
  const std::string prefix = std::string(owner) + ": " + name;
  if (a.ndim() == 0) throw Error(prefix + " is a null array");
  if (a.ndim() != 1) throw Error(prefix + " must be 1-D, but has shape " + a.shape().str());
  if (a.size() == 0) throw Error(prefix + " is empty");
  if (!a.is_contiguous()) {
    throw Error(prefix + " is not contiguous (stride " + std::to_string(a.stride(0)) +
                " bytes for " + std::to_string(sizeof(T)) + "-byte elements); pass " + name +
                ".contiguous()");
  }
}

// Checks that `a` is on `device`, where `reference` (the argument named first) lives.
template <typename T>
void check_same_device(const array<T>& a, const Device& device, const char* owner,
                       const char* name, const char* reference) {
  if (a.device() == device) return;
  throw Error(std::string(owner) + ": " + name + " is on device '" + a.device().str() + "' but " +
              reference + " is on '" + device.str() + "'; all arrays must be on one device");
}

// One descriptor (BvhDesc or MeshDesc) in the memory of a device; its address is the object's
// id. Destruction zeroes it (so magic reads 0) and then frees it; never throws.
template <typename Desc>
class DeviceDescriptor {
 public:
  explicit DeviceDescriptor(const Device& device) : storage_(empty<Desc>({1}, device)) {}
  ~DeviceDescriptor() {
    try {
      set_bytes(storage_.data(), storage_.device(), 0, sizeof(Desc));
    } catch (...) {  // a broken CUDA context: the memory is going away anyway
    }
  }
  DeviceDescriptor(const DeviceDescriptor&) = delete;
  DeviceDescriptor& operator=(const DeviceDescriptor&) = delete;

  // Uploads `desc` unless the device already holds exactly these bytes (rebuilding a grid or
  // refitting a tree in a loop changes nothing in it): no host→device copy, so no host wait,
  // and such rebuilds can be captured into a CUDA graph.
  void write(const Desc& desc) {
    if (written_ && std::memcmp(&last_, &desc, sizeof(Desc)) == 0) return;
    copy_bytes(storage_.data(), storage_.device(), &desc, Device(), sizeof(Desc));
    std::memcpy(&last_, &desc, sizeof(Desc));
    written_ = true;
  }
  uint64_t address() const { return reinterpret_cast<uint64_t>(storage_.data()); }

 private:
  array<Desc> storage_;
  Desc last_{};
  bool written_ = false;
};

}  // namespace wp::detail
