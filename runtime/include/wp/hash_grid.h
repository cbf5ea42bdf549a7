// wp/hash_grid.h — wp::HashGrid: a uniform hash grid over a point set, on the CPU or a CUDA
// device, for neighbour queries in kernels (hash_grid_query / hash_grid_query_next /
// hash_grid_point_id) through its id (the address of a wp::HashGridDesc — the layout in
// wp/builtins/geometry_types.h).
//
// Contract:
//  * HashGrid(dim_x, dim_y, dim_z, device, dtype): dims ≥ 1 with dim_x·dim_y·dim_z < 2^31;
//    dtype is the coordinate precision (Float32 default, Float64, Float16). The grid holds no
//    points until build(); its id is valid from construction (queries on an unbuilt grid find
//    nothing, hash_grid_point_id gives −1).
//  * build(points, radius[, groups]): cell width = radius (> 0, finite). points is a contiguous
//    1-D array of vec3 / vec3d / vec3h matching dtype, on the grid's device (may be empty).
//    groups (int32, one per point, any value) makes group-filtered queries visit only their
//    group. Points are sorted by (physical cell, group as uint32, original index) — a stable
//    order independent of the thread count, the same on the CPU and CUDA. The grid does not
//    keep the points: kernels read them from the user's array by the indices the query yields.
//    Coordinates are not validated (as Warp: NaN lands in cell 0, ±inf in the extreme cells).
//  * Build cost: CPU — cell keys and a stable LSD radix sort (8-bit digits, constant digits
//    skipped) in parallel on the runtime's thread pool; CUDA — a key kernel and CUB's radix
//    sort over only the key bits in use, all queued on the device's current stream (the only
//    host wait is the upload of the descriptor).
//  * reserve(n[, with_groups]) sizes the buffers for builds of up to n points so later builds
//    allocate nothing.
//  * id() stays valid, unchanged, until the HashGrid is destroyed (builds keep it). The
//    destructor clears the descriptor (magic = 0) before freeing the memory.
//  * Move-only; a moved-from HashGrid owns nothing and every member but destruction and
//    assignment throws wp::Error.
//  * Errors (wp::Error starting with "wp::HashGrid: " and naming the argument): non-positive
//    dims, too many cells, a non-positive or non-finite radius, points of the wrong dtype /
//    rank / not contiguous / on another device, groups of the wrong length or device, a CUDA
//    device in a CPU-only runtime, more than 2^31 − 1 points.
#pragma once

#include <cstdint>
#include <memory>

#include "wp/array.h"
#include "wp/builtins/geometry_types.h"
#include "wp/device.h"
#include "wp/types.h"

namespace wp {

enum class HashGridDtype { Float32, Float64, Float16 };

class HashGrid {
 public:
  HashGrid(int dim_x, int dim_y, int dim_z, const Device& device = Device(),
           HashGridDtype dtype = HashGridDtype::Float32);
  ~HashGrid();
  HashGrid(HashGrid&& other) noexcept;
  HashGrid& operator=(HashGrid&& other) noexcept;
  HashGrid(const HashGrid&) = delete;
  HashGrid& operator=(const HashGrid&) = delete;

  void build(const array<vec3f>& points, double radius);
  void build(const array<vec3f>& points, double radius, const array<int32_t>& groups);
  void build(const array<vec3d>& points, double radius);
  void build(const array<vec3d>& points, double radius, const array<int32_t>& groups);
  void build(const array<vec3h>& points, double radius);
  void build(const array<vec3h>& points, double radius, const array<int32_t>& groups);
  void reserve(int64_t num_points, bool with_groups = false);

  uint64_t id() const;  // address of the HashGridDesc on device()
  const Device& device() const;
  HashGridDtype dtype() const;
  int dim_x() const;
  int dim_y() const;
  int dim_z() const;
  int num_points() const;     // points of the last build (0 before the first)
  double cell_width() const;  // radius of the last build (0 before the first)
  bool has_groups() const;    // the last build had groups

  struct Impl;

 private:
  Impl& impl(const char* member) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wp
