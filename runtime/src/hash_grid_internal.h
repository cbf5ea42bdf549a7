// hash_grid_internal.h (private) — the device dispatch of wp::HashGrid builds: the buffers a
// grid owns and the CPU (hash_grid.cpp) and CUDA (hash_grid_cuda.cu) builders that fill them.
//
// Contract:
//  * A builder sorts the request's points by (physical cell, group as uint32, original index)
//    into buffers.point_ids (and point_groups when grouped) and fills cell_offsets (cells + 1
//    entries: offsets[c] = the number of points in cells below c), growing the point-sized
//    buffers as needed; cell_offsets is allocated by the caller. Identical results on every device and thread
//    count.
//  * The CUDA builder queues its work on the device's current stream and does not wait.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "wp/array.h"
#include "wp/builtins/geometry_types.h"
#include "wp/device.h"

namespace wp::detail {

struct HashGridBuffers {
  array<int32_t> point_ids;     // capacity ≥ points of the last build
  array<int32_t> point_groups;  // grouped builds only
  array<int32_t> cell_offsets;  // one per cell, plus one
  // CPU sort scratch (kept between builds; 64-bit key slots hold either key width).
  std::vector<uint64_t> host_keys, host_tmp_keys;
  std::vector<int32_t> host_order, host_tmp_order;
  // CUDA sort scratch (kept between builds).
  array<uint64_t> keys;
  array<uint64_t> sorted_keys;
  array<int32_t> order;
  std::shared_ptr<void> sort_temp;
  std::size_t sort_temp_bytes = 0;
};

struct HashGridBuildRequest {
  Device device;
  int32_t scalar_bits;   // 16, 32, 64: the type of `points` (vec3h, vec3f, vec3d)
  const void* points;
  const int32_t* groups;  // null: ungrouped
  int32_t count;
  int32_t dims[3];
  float inv_f;  // 1 / cell width in each precision
  double inv_d;
  uint16_t inv_h;
};

// Grows `a` (on `device`) to hold at least n elements; contents are not kept.
template <typename T>
void ensure_capacity(array<T>& a, int64_t n, const Device& device) {
  if (a.ndim() != 0 && a.size() >= n) return;
  a = empty<T>({n > 0 ? n : 1}, device);
}

// Bits needed for cell numbers below num_cells (≥ 1).
inline int cell_bits(int64_t num_cells) {
  int bits = 1;
  while ((int64_t{1} << bits) < num_cells) ++bits;
  return bits;
}

void build_hash_grid_cpu(const HashGridBuildRequest& request, HashGridBuffers& buffers);
#ifdef WARPC_RUNTIME_CUDA
void build_hash_grid_cuda(const HashGridBuildRequest& request, HashGridBuffers& buffers);
#endif

}  // namespace wp::detail
