// hash_grid_cuda.cu — the CUDA builder of wp::HashGrid (compiled only with WARPC_RUNTIME_CUDA):
// one kernel computes each point's sort key, cub::DeviceRadixSort::SortPairs orders (key,
// original index) over only the key bits in use (CUB's radix sort is stable, so equal keys
// keep the original order: the same order as the CPU builder), then one kernel writes each
// cell's offset into the sorted order (and one the sorted groups of a grouped build).
//
// Contract: see hash_grid_internal.h. Everything is queued on the legacy default stream;
// scratch (keys, sort temp storage) is kept in the grid's buffers and grows on demand.
#include <cub/cub.cuh>

#include <cstdint>

#include "cuda_grid_stride.h"
#include "hash_grid_internal.h"
#include "wp/builtins/hash_grid.h"

namespace wp::detail {
namespace {

// Key of point i: the cell in the bits above `group_bits`, the group (as uint32) below.
template <typename T>
__global__ void hash_grid_keys_kernel(const vec_t<3, T>* points, const int32_t* groups, int32_t n, T inv,
                                      int32_t dx, int32_t dy, int32_t dz, int group_bits, uint64_t* keys,
                                      int32_t* order) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const int32_t cell = hash_grid_detail::point_cell(points[i], inv, dx, dy, dz);
    const uint64_t group = groups ? uint64_t(static_cast<uint32_t>(groups[i])) : 0u;
    keys[i] = (uint64_t(uint32_t(cell)) << group_bits) | group;
    order[i] = static_cast<int32_t>(i);
  }
}

// Each sorted position's group (grouped builds).
__global__ void hash_grid_groups_kernel(const uint64_t* keys, int32_t n, int32_t* groups) {
  for (int64_t k = first_index(); k < n; k += grid_stride()) groups[k] = static_cast<int32_t>(static_cast<uint32_t>(keys[k]));
}

// offsets[c] = the first sorted position whose cell is ≥ c (binary search over the sorted keys;
// the upper levels of the search stay in cache, and every thread does the same bounded work
// however the points are spread over the cells).
__global__ void hash_grid_offsets_kernel(const uint64_t* keys, int32_t n, int group_bits, int64_t num_offsets,
                                         int32_t* offsets) {
  for (int64_t c = first_index(); c < num_offsets; c += grid_stride()) {
    int32_t lo = 0, hi = n;
    while (lo < hi) {
      const int32_t mid = lo + (hi - lo) / 2;
      if (int64_t(keys[mid] >> group_bits) < c) lo = mid + 1;
      else hi = mid;
    }
    offsets[c] = lo;
  }
}

}  // namespace

void build_hash_grid_cuda(const HashGridBuildRequest& r, HashGridBuffers& buf) {
  const Device& device = r.device;
  const int32_t n = r.count;
  const int64_t num_cells = buf.cell_offsets.size() - 1;
  ensure_capacity(buf.point_ids, n, device);
  if (r.groups) ensure_capacity(buf.point_groups, n, device);
  if (n == 0) {
    set_bytes(buf.cell_offsets.data(), device, 0, sizeof(int32_t) * static_cast<std::size_t>(num_cells + 1));
    return;
  }
  ensure_capacity(buf.keys, n, device);
  ensure_capacity(buf.sorted_keys, n, device);
  ensure_capacity(buf.order, n, device);

  // Ungrouped: the key is the cell alone (sorted over its bits only); grouped: cell above 32
  // group bits.
  const int group_bits = r.groups ? 32 : 0;
  const int end_bit = group_bits + cell_bits(num_cells);
  const char* keys_name = "wp::HashGrid keys";
  switch (r.scalar_bits) {
    case 64:
      launch(device, n, keys_name, hash_grid_keys_kernel<double>, static_cast<const vec3d*>(r.points), r.groups, n,
             r.inv_d, r.dims[0], r.dims[1], r.dims[2], group_bits, buf.keys.data(), buf.order.data());
      break;
    case 16:
      launch(device, n, keys_name, hash_grid_keys_kernel<half>, static_cast<const vec3h*>(r.points), r.groups, n,
             half::from_bits(r.inv_h), r.dims[0], r.dims[1], r.dims[2], group_bits, buf.keys.data(),
             buf.order.data());
      break;
    default:
      launch(device, n, keys_name, hash_grid_keys_kernel<float>, static_cast<const vec3f*>(r.points), r.groups, n,
             r.inv_f, r.dims[0], r.dims[1], r.dims[2], group_bits, buf.keys.data(), buf.order.data());
      break;
  }
  // The sorted original indices are the grid's point_ids.
  int32_t* sorted_order = buf.point_ids.data();
  std::size_t temp_bytes = 0;
  check_cub(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, buf.keys.data(), buf.sorted_keys.data(),
                                            buf.order.data(), sorted_order, n, 0, end_bit, cudaStreamLegacy),
            "wp::HashGrid", "cub::DeviceRadixSort::SortPairs", device);
  if (temp_bytes > buf.sort_temp_bytes) {
    buf.sort_temp = allocate_shared(device, temp_bytes);
    buf.sort_temp_bytes = temp_bytes;
  }
  check_cub(cub::DeviceRadixSort::SortPairs(buf.sort_temp.get(), temp_bytes, buf.keys.data(),
                                            buf.sorted_keys.data(), buf.order.data(), sorted_order, n, 0,
                                            end_bit, cudaStreamLegacy),
            "wp::HashGrid", "cub::DeviceRadixSort::SortPairs", device);
  const uint64_t* sorted = buf.sorted_keys.data();
  if (r.groups) launch(device, n, "wp::HashGrid groups", hash_grid_groups_kernel, sorted, n, buf.point_groups.data());
  launch(device, num_cells + 1, "wp::HashGrid offsets", hash_grid_offsets_kernel, sorted, n, group_bits,
         num_cells + 1, buf.cell_offsets.data());
}

}  // namespace wp::detail
