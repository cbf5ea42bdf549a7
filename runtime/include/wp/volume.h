// wp/volume.h — wp::Volume: a sparse NanoVDB grid on the CPU or a CUDA device, readable by the
// volume_* builtins through its id (the address of its grid on the device, as Warp's; a
// wp::VolumeDesc lies just before it — the layout in wp/builtins/geometry_types.h). NanoVDB comes from the system (Debian libnanovdb-dev,
// NanoVDB 32.4 / OpenVDB 10.0); nothing of it is vendored.
//
// Contract:
//  * Value types (VolumeType): float32, float64, int32, vec3f, vec3d, and Index. An Index volume
//    is warpc's index grid: a NanoVDB int32 grid named "warpc:index" whose active voxels hold
//    0 … voxel_count − 1 (leaf-node order, then voxel order inside the leaf — voxels() lists them
//    in that order) and whose other voxels hold −1. (This NanoVDB release has no on-index grid
//    type and allows its IndexGrid class only with its own Index type; files holding NanoVDB's
//    Index grids, or Warp's OnIndex grids of a newer format, are refused.)
//  * Making volumes. Every factory builds (or reads) the grid in host memory, validates it and
//    copies it to `device`; arrays passed in must be on `device` (else wp::Error naming both):
//    - load(path | istream | bytes): the first (or grid_index-th) grid of an uncompressed
//      .nvdb file; from_grid(bytes): one NanoVDB grid buffer. Validation: the file header
//      (magic, major version 32, codec NONE), every size against the bytes really there, the
//      grid header (magic, size, a supported type), and the tree: every child offset of the
//      root and of the internal nodes must point at a node of the next level inside the buffer,
//      node counts and offsets must fit; index grids must hold only −1 … voxel_count − 1. A
//      grid that passes is safe to traverse: no builtin reads outside it.
//    - from_dense(values, min_world, voxel_size, background): a 3-D array (i, j, k) → voxel
//      (i, j, k); as Warp's load_from_numpy, every voxel of the 8³ leaves covering
//      [0, shape − 1] is active and those outside the array hold background; world =
//      min_world + voxel_size · ijk.
//    - allocate(min, max, …): the leaves covering the index box [min, max] (or the world box,
//      when points_in_world_space), all active, holding background; allocate_by_tiles(points):
//      the leaves containing each point (int points: index coordinates; float points: world
//      coordinates); allocate_by_voxels(points): an Index volume whose active voxels are
//      exactly the given index coordinates (duplicates merged).
//  * save(path) writes an uncompressed .nvdb file (one grid) that load() and NanoVDB read.
//  * Transforms: voxel_size (per axis) and translation: world = diag(voxel_size) · ijk +
//    translation. info() reports the grid's map, bounding boxes, counts and type.
//  * id() stays valid until the Volume is destroyed (the destructor clears the descriptor's
//    magic before freeing). Builtins may write voxel values (volume_store); the grid's
//    statistics and checksum are not updated by that.
//  * Move-only; a moved-from Volume owns nothing and every member but destruction/assignment
//    throws wp::Error. Errors are wp::Error starting with "wp::Volume: " and naming the file (or
//    "stream" / "grid buffer") and what is wrong.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "wp/array.h"
#include "wp/builtins/geometry_types.h"
#include "wp/device.h"
#include "wp/types.h"

namespace wp {

enum class VolumeType { Float32, Float64, Int32, Vec3f, Vec3d, Index };

const char* volume_type_name(VolumeType type);

using vec3i = vec_t<3, int32_t>;
using vec3d = vec_t<3, double>;

struct VolumeInfo {
  std::string name;
  VolumeType type = VolumeType::Float32;
  vec3d voxel_size{{1, 1, 1}};
  vec3d translation{{0, 0, 0}};
  mat_t<3, 3, double> transform{};  // index → world linear part (row-major)
  int64_t voxel_count = 0;          // as voxel_count()
  int64_t active_voxel_count = 0;   // NanoVDB's count (active tiles count all their voxels)
  int64_t leaf_count = 0;
  vec3i index_min{{0, 0, 0}};  // bounding box of the active voxels, index space (inclusive)
  vec3i index_max{{0, 0, 0}};
  vec3d world_min{{0, 0, 0}};
  vec3d world_max{{0, 0, 0}};
  uint64_t grid_bytes = 0;
};

class Volume {
 public:
  // Warp's sampling modes (Volume.CLOSEST / Volume.LINEAR).
  static constexpr int32_t kClosest = 0;
  static constexpr int32_t kLinear = 1;

  static Volume load(const std::string& path, const Device& device = {}, int grid_index = 0);
  static Volume load(std::istream& in, const Device& device = {}, int grid_index = 0);
  static Volume load_bytes(const void* data, std::size_t bytes, const Device& device = {}, int grid_index = 0);
  static Volume from_grid(const void* grid, std::size_t bytes, const Device& device = {});

  template <typename T>  // float, double, int32_t, vec3f, vec3d
  static Volume from_dense(const array<T>& values, const vec3d& min_world, const vec3d& voxel_size,
                           const T& background, const Device& device = {});
  template <typename T>
  static Volume allocate(const vec3d& min, const vec3d& max, const vec3d& voxel_size, const T& background,
                         const vec3d& translation = vec3d{{0, 0, 0}}, bool points_in_world_space = false,
                         const Device& device = {});
  template <typename T>
  static Volume allocate_by_tiles(const array<vec3i>& tile_points, const vec3d& voxel_size, const T& background,
                                  const vec3d& translation = vec3d{{0, 0, 0}}, const Device& device = {});
  template <typename T>
  static Volume allocate_by_tiles(const array<vec3>& tile_points_world, const vec3d& voxel_size,
                                  const T& background, const vec3d& translation = vec3d{{0, 0, 0}},
                                  const Device& device = {});
  static Volume allocate_by_voxels(const array<vec3i>& voxel_points, const vec3d& voxel_size,
                                   const vec3d& translation = vec3d{{0, 0, 0}}, const Device& device = {});

  ~Volume();
  Volume(Volume&& other) noexcept;
  Volume& operator=(Volume&& other) noexcept;
  Volume(const Volume&) = delete;
  Volume& operator=(const Volume&) = delete;

  uint64_t id() const;  // address of the grid on device() (its VolumeDesc lies just before it)
  const Device& device() const;
  VolumeType type() const;
  bool is_index() const { return type() == VolumeType::Index; }
  // Warp's count (Volume.get_voxel_count, volume_voxel_count): the active voxels of an index
  // grid; for other grids every voxel of the leaf nodes, active or not (8³ per leaf).
  int64_t voxel_count() const;
  VolumeInfo info() const;
  // Index grids: the active voxels in index order; other grids: every voxel of every leaf, in
  // leaf order (as Warp's get_voxels). Host copy.
  std::vector<vec3i> voxels() const;
  std::vector<uint8_t> grid_bytes() const;  // the grid buffer as it is now (host copy)
  Volume to(const Device& device) const;  // a copy on another device
  void save(const std::string& path) const;

  struct Impl;
  explicit Volume(std::unique_ptr<Impl> impl);  // used by the factories (volume.cpp)

 private:
  const Impl& impl(const char* member) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wp
