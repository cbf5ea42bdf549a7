// hash_grid_cuda.cu — the CUDA builder of wp::HashGrid (compiled only with WARPC_RUNTIME_CUDA):
// one kernel computes each point's sort key (32-bit: the cell; 64-bit with groups: cell and
// group), cub::DeviceRadixSort::SortPairs orders (key, original index) over only the key bits
// in use (CUB's radix sort is stable, so equal keys keep the original order: the same order as
// the CPU builder), one kernel marks where each occupied cell ends (and writes the sorted
// groups), and an in-place maximum scan (cub::DeviceScan) turns the marks into the offsets of
// every cell.
//
// Contract: see hash_grid_internal.h. Everything is queued on the device's current stream;
// scratch (keys, sort temp storage) is kept in the grid's buffers and grows on demand.
#include <cub/cub.cuh>

#include "cuda_context.h"

#include <algorithm>
#include <cstdint>

#include "cuda_grid_stride.h"
#include "hash_grid_internal.h"
#include "wp/builtins/hash_grid.h"

namespace wp::detail {
namespace {

// Key of point i: the cell in the bits above `group_bits`, the group (as uint32) below.
// Ungrouped builds use 32-bit keys (the cell alone), grouped builds 64-bit ones.
template <typename T, typename Key>
__global__ void hash_grid_keys_kernel(const vec_t<3, T>* points, const int32_t* groups, int32_t n, T inv,
                                      int32_t dx, int32_t dy, int32_t dz, int group_bits, Key* keys,
                                      int32_t* order) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const int32_t cell = hash_grid_detail::point_cell(points[i], inv, dx, dy, dz);
    const uint64_t group = groups ? uint64_t(static_cast<uint32_t>(groups[i])) : 0u;
    keys[i] = static_cast<Key>((uint64_t(uint32_t(cell)) << group_bits) | group);
    order[i] = static_cast<int32_t>(i);
  }
}

// From the sorted keys: the sorted groups (grouped builds), and at the last position k of
// each occupied cell c, offsets[c + 1] = k + 1 (the other entries stay 0; the running maximum
// then turns them into the CSR offsets).
template <typename Key>
__global__ void hash_grid_ends_kernel(const Key* keys, int32_t n, int group_bits, int32_t* groups, int32_t* offsets) {
  for (int64_t k = first_index(); k < n; k += grid_stride()) {
    const uint64_t key = keys[k];
    const uint32_t cell = static_cast<uint32_t>(key >> group_bits);
    if (groups) groups[k] = static_cast<int32_t>(static_cast<uint32_t>(key));
    if (k == n - 1 || static_cast<uint32_t>(uint64_t(keys[k + 1]) >> group_bits) != cell) {
      offsets[cell + 1] = static_cast<int32_t>(k + 1);
    }
  }
}

struct MaxOp {
  __device__ int32_t operator()(int32_t a, int32_t b) const { return a > b ? a : b; }
};

// Sorts (key, index), then fills the offsets: every step queued on the current stream.
// The sort and the scan run one after the other and share one temporary buffer.
template <typename Key>
void sort_and_offset(const HashGridBuildRequest& r, HashGridBuffers& buf, Key* keys, Key* sorted, int group_bits,
                     int end_bit) {
  const Device& device = r.device;
  const int32_t n = r.count;
  const int64_t num_cells = buf.cell_offsets.size() - 1;
  int32_t* offsets = buf.cell_offsets.data();
  int32_t* ids = buf.point_ids.data();  // the sorted original indices
  const cudaStream_t stream = current_stream(device.ordinal());
  std::size_t sort_bytes = 0, scan_bytes = 0;
  check_cub(cub::DeviceRadixSort::SortPairs(nullptr, sort_bytes, keys, sorted, buf.order.data(), ids, n, 0, end_bit,
                                            stream),
            "wp::HashGrid", "cub::DeviceRadixSort::SortPairs", device);
  check_cub(cub::DeviceScan::InclusiveScan(nullptr, scan_bytes, offsets + 1, offsets + 1, MaxOp{}, num_cells,
                                           stream),
            "wp::HashGrid", "cub::DeviceScan::InclusiveScan", device);
  const std::size_t temp_bytes = std::max(sort_bytes, scan_bytes);
  if (temp_bytes > buf.sort_temp_bytes) {
    buf.sort_temp = allocate_shared(device, temp_bytes);
    buf.sort_temp_bytes = temp_bytes;
  }
  check_cub(cub::DeviceRadixSort::SortPairs(buf.sort_temp.get(), sort_bytes, keys, sorted, buf.order.data(), ids, n,
                                            0, end_bit, stream),
            "wp::HashGrid", "cub::DeviceRadixSort::SortPairs", device);
  set_bytes(offsets, device, 0, sizeof(int32_t) * static_cast<std::size_t>(num_cells + 1));
  launch(device, n, "wp::HashGrid cell ends", hash_grid_ends_kernel<Key>, static_cast<const Key*>(sorted), n,
         group_bits, r.groups ? buf.point_groups.data() : nullptr, offsets);
  check_cub(cub::DeviceScan::InclusiveScan(buf.sort_temp.get(), scan_bytes, offsets + 1, offsets + 1, MaxOp{},
                                           num_cells, stream),
            "wp::HashGrid", "cub::DeviceScan::InclusiveScan", device);
}

template <typename Key>
void build_with_keys(const HashGridBuildRequest& r, HashGridBuffers& buf, int group_bits) {
  const Device& device = r.device;
  const int32_t n = r.count;
  const int end_bit = group_bits + cell_bits(buf.cell_offsets.size() - 1);
  Key* keys = reinterpret_cast<Key*>(buf.keys.data());
  Key* sorted = reinterpret_cast<Key*>(buf.sorted_keys.data());
  const char* name = "wp::HashGrid keys";
  switch (r.scalar_bits) {
    case 64:
      launch(device, n, name, hash_grid_keys_kernel<double, Key>, static_cast<const vec3d*>(r.points), r.groups, n,
             r.inv_d, r.dims[0], r.dims[1], r.dims[2], group_bits, keys, buf.order.data());
      break;
    case 16:
      launch(device, n, name, hash_grid_keys_kernel<half, Key>, static_cast<const vec3h*>(r.points), r.groups, n,
             half::from_bits(r.inv_h), r.dims[0], r.dims[1], r.dims[2], group_bits, keys, buf.order.data());
      break;
    default:
      launch(device, n, name, hash_grid_keys_kernel<float, Key>, static_cast<const vec3f*>(r.points), r.groups, n,
             r.inv_f, r.dims[0], r.dims[1], r.dims[2], group_bits, keys, buf.order.data());
      break;
  }
  sort_and_offset<Key>(r, buf, keys, sorted, group_bits, end_bit);
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
  ensure_capacity(buf.keys, n, device);  // 64-bit slots: room for either key width
  ensure_capacity(buf.sorted_keys, n, device);
  ensure_capacity(buf.order, n, device);
  if (r.groups) build_with_keys<uint64_t>(r, buf, 32);
  else build_with_keys<uint32_t>(r, buf, 0);
}

}  // namespace wp::detail
