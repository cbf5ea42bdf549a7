// wp/mesh.h — wp::Mesh: a triangle mesh with a BVH over its triangles, on the CPU or a CUDA
// device, readable by kernels through its id (the address of a wp::MeshDesc — the layout in
// wp/builtins/geometry_types.h).
//
// Contract:
//  * Mesh(points, indices[, velocities][, options]): points (vec3) and indices (int32, three
//    per triangle) are 1-D, contiguous and non-empty; velocities, when given, match points in
//    length; options.groups, when given, has one group id (≥ 0) per triangle. Every array is
//    on one device; the mesh's descriptor, BVH and buffers live there. A null velocities
//    handle means "no velocities" (MeshDesc::velocities = null).
//  * The Mesh keeps handles to the user's arrays (no copy); MeshDesc::points_grad and
//    velocities_grad are the arrays' gradient buffers (null when they have none).
//  * Build-time validation: indices.size() a multiple of 3, every index in [0, num_points)
//    (the message names the triangle, the corner and the value), every point coordinate
//    finite (the point is named), plus the BVH's checks (wp/bvh.h). Errors are wp::Error
//    starting with "wp::Mesh: ".
//  * The BVH's items are the triangles (item i = triangle i); the mesh owns the triangle-box
//    arrays (BvhDesc::item_lowers/item_uppers). options.bvh picks the builder (wp/bvh.h);
//    a leaf_size of 0 means 4 triangles per leaf with every builder (Warp's Mesh default:
//    fewer nodes to refit and to visit in closest-point queries; with groups an LBVH still
//    keeps one item per leaf).
//  * support_winding_number: MeshDesc::node_winding holds each node's WindingNode (sum of
//    area × unit normal, area-weighted centroid, a radius bounding the node's vertices, total
//    area), computed at build and by refit(); null otherwise.
//  * refit(): after the points changed (same indices), recomputes triangle boxes, node boxes
//    and winding data; no re-validation. On CUDA it is queued on the device's current stream.
//  * id() and bvh_id() (the address of the embedded MeshDesc::bvh) stay valid until the Mesh
//    is destroyed. Keep the Mesh and its arrays alive while the ids are used. The destructor
//    clears the descriptor (both magics = 0) before freeing the memory.
//  * Move-only; a moved-from Mesh owns nothing and every member but destruction/assignment
//    throws wp::Error.
#pragma once

#include <cstdint>
#include <memory>

#include "wp/array.h"
#include "wp/bvh.h"
#include "wp/builtins/geometry_types.h"
#include "wp/device.h"
#include "wp/types.h"

namespace wp {

struct MeshOptions {
  BvhOptions bvh;
  bool support_winding_number = false;
  array<int32_t> groups;  // optional: one group id per triangle
};

class Mesh {
 public:
  Mesh(const array<vec3>& points, const array<int32_t>& indices, const MeshOptions& options = {});
  Mesh(const array<vec3>& points, const array<int32_t>& indices, const array<vec3>& velocities,
       const MeshOptions& options = {});
  ~Mesh();
  Mesh(Mesh&& other) noexcept;
  Mesh& operator=(Mesh&& other) noexcept;
  Mesh(const Mesh&) = delete;
  Mesh& operator=(const Mesh&) = delete;

  uint64_t id() const;      // address of the MeshDesc on device()
  uint64_t bvh_id() const;  // address of the MeshDesc's embedded BvhDesc
  void refit();

  const array<vec3>& points() const;
  const array<vec3>& velocities() const;  // a null handle when the mesh has none
  const array<int32_t>& indices() const;
  const Device& device() const;
  int num_points() const;
  int num_tris() const;
  int num_nodes() const;
  bool supports_winding_number() const;

  struct Impl;

 private:
  const Impl& impl(const char* member) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wp
