// geometry_cuda.cu — the CUDA side of wp::Bvh and wp::Mesh (compiled only with
// WARPC_RUNTIME_CUDA): validation scans, triangle boxes, the LBVH builder and the bottom-up
// refit, all on the object's device.
//
// Contract (see geometry_internal.h):
//  * Every kernel runs on the device's current stream — the stream the runtime's copies and
//    fills use — through detail::cuda_launch_config (which makes the device current), and is
//    checked with detail::cuda_check_launch.
//  * Scans reduce on the device and copy one small result struct back (the only host waits,
//    besides the descriptor copy the caller makes). The LBVH build keeps everything on the
//    device: Morton keys (group in the high 32 bits), cub::DeviceRadixSort::SortPairs, the
//    radix tree (geometry_kernels.h), group roots, then the atomic-counter box pass.
//  * refit_cuda is asynchronous: its kernels are queued and it returns.
#include <cub/cub.cuh>

#include "cuda_context.h"

#include <climits>
#include <cstdint>
#include <memory>

#include "geometry_internal.h"
#include "cuda_grid_stride.h"
#include "geometry_kernels.h"
#include "wp/cuda_launch.h"

namespace wp::detail {
namespace {

using geom::v3;

// Threads for a reduction: enough to fill the GPU, each then loops over many items.
constexpr int64_t kReduceThreads = 256 * 1024;

// Floats mapped to ints of the same order, so atomicMin/atomicMax on ints order floats.
__host__ __device__ inline int32_t ordered_from_float(float f) {
  int32_t i;
  memcpy(&i, &f, sizeof i);
  return i >= 0 ? i : i ^ 0x7FFFFFFF;
}
__host__ __device__ inline float float_from_ordered(int32_t i) {
  const int32_t bits = i >= 0 ? i : i ^ 0x7FFFFFFF;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

__device__ int32_t warp_min(int32_t v) {
  for (int o = 16; o > 0; o /= 2) v = min(v, __shfl_xor_sync(0xFFFFFFFFu, v, o));
  return v;
}
__device__ int32_t warp_max(int32_t v) {
  for (int o = 16; o > 0; o /= 2) v = max(v, __shfl_xor_sync(0xFFFFFFFFu, v, o));
  return v;
}

// Device-side result of scan_items_kernel (initialised by the host).
struct ItemScanResult {
  int32_t first_bad_box;
  int32_t first_bad_group;
  int32_t max_group;
  int32_t centroid_lower[3];  // ordered ints
  int32_t centroid_upper[3];
};

__global__ void scan_items_kernel(const v3* lowers, const v3* uppers, const int32_t* groups,
                                  int32_t n, ItemScanResult* out) {
  int32_t bad_box = INT_MAX, bad_group = INT_MAX, max_group = -1;
  int32_t lo[3] = {INT_MAX, INT_MAX, INT_MAX}, hi[3] = {INT_MIN, INT_MIN, INT_MIN};
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const v3 l = lowers[i], u = uppers[i];
    if (!geom::valid_box(l, u)) {
      bad_box = min(bad_box, static_cast<int32_t>(i));
    } else {
      for (int d = 0; d < 3; ++d) {
        const int32_t c = ordered_from_float(0.5f * (l[d] + u[d]));
        lo[d] = min(lo[d], c);
        hi[d] = max(hi[d], c);
      }
    }
    if (groups) {
      const int32_t g = groups[i];
      if (g < 0) bad_group = min(bad_group, static_cast<int32_t>(i));
      max_group = max(max_group, g);
    }
  }
  bad_box = warp_min(bad_box);
  bad_group = warp_min(bad_group);
  max_group = warp_max(max_group);
  for (int d = 0; d < 3; ++d) {
    lo[d] = warp_min(lo[d]);
    hi[d] = warp_max(hi[d]);
  }
  if ((threadIdx.x & 31) != 0) return;
  if (bad_box != INT_MAX) atomicMin(&out->first_bad_box, bad_box);
  if (bad_group != INT_MAX) atomicMin(&out->first_bad_group, bad_group);
  if (max_group >= 0) atomicMax(&out->max_group, max_group);
  for (int d = 0; d < 3; ++d) {
    if (lo[d] != INT_MAX) atomicMin(&out->centroid_lower[d], lo[d]);
    if (hi[d] != INT_MIN) atomicMax(&out->centroid_upper[d], hi[d]);
  }
}

struct MeshScanResult {
  int32_t first_bad_index;
  int32_t first_bad_point;
};

__global__ void scan_mesh_kernel(const v3* points, int32_t num_points, const int32_t* indices,
                                 int64_t num_indices, MeshScanResult* out) {
  int32_t bad_index = INT_MAX, bad_point = INT_MAX;
  for (int64_t i = first_index(); i < num_indices; i += grid_stride())
    if (indices[i] < 0 || indices[i] >= num_points) bad_index = min(bad_index, static_cast<int32_t>(i));
  for (int64_t i = first_index(); i < num_points; i += grid_stride())
    if (!geom::finite3(points[i])) bad_point = min(bad_point, static_cast<int32_t>(i));
  bad_index = warp_min(bad_index);
  bad_point = warp_min(bad_point);
  if ((threadIdx.x & 31) != 0) return;
  if (bad_index != INT_MAX) atomicMin(&out->first_bad_index, bad_index);
  if (bad_point != INT_MAX) atomicMin(&out->first_bad_point, bad_point);
}

__global__ void triangle_boxes_kernel(const v3* points, const int32_t* indices, int32_t num_tris,
                                      v3* lowers, v3* uppers) {
  for (int64_t t = first_index(); t < num_tris; t += grid_stride())
    geom::triangle_box(points, indices, static_cast<int32_t>(t), lowers[t], uppers[t]);
}

__global__ void lbvh_keys_kernel(const v3* lowers, const v3* uppers, const int32_t* groups,
                                 int32_t n, v3 centroid_lower, v3 inv_extent, uint64_t* keys,
                                 int32_t* items) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    keys[i] = geom::lbvh_key(lowers[i], uppers[i], centroid_lower, inv_extent,
                             groups ? groups[i] : 0);
    items[i] = static_cast<int32_t>(i);
  }
}

__global__ void lbvh_leaves_kernel(int32_t n, BvhNode* nodes, int32_t* parents) {
  for (int64_t k = first_index(); k < n; k += grid_stride())
    geom::lbvh_leaf(static_cast<int32_t>(k), n, nodes, parents);
}

__global__ void lbvh_cut_term_kernel(int32_t n, int32_t leaf_size, const int32_t* parents, const int32_t* range_first,
                                     const int32_t* range_last, uint64_t* terms) {
  for (int64_t k = first_index(); k < 2 * int64_t{n} - 1; k += grid_stride())
    terms[k] = geom::lbvh_cut_term(static_cast<int32_t>(k), n, leaf_size, parents, range_first, range_last);
}

__global__ void lbvh_cut_kernel(int32_t n, int32_t leaf_size, const BvhNode* old_nodes, const int32_t* old_parents,
                                const int32_t* range_first, const int32_t* range_last, const uint64_t* terms,
                                const uint64_t* inclusive, uint64_t total, BvhNode* nodes, int32_t* parents) {
  for (int64_t k = first_index(); k < 2 * int64_t{n} - 1; k += grid_stride())
    if (terms[k])
      geom::lbvh_cut_node(static_cast<int32_t>(k), n, leaf_size, old_nodes, old_parents, range_first, range_last,
                          terms, inclusive, total, nodes, parents);
}

__global__ void lbvh_internal_kernel(const uint64_t* keys, int32_t n, BvhNode* nodes,
                                     int32_t* parents, int32_t* range_first, int32_t* range_last) {
  for (int64_t i = first_index(); i < n - 1; i += grid_stride())
    geom::lbvh_internal_node(static_cast<int32_t>(i), keys, n, nodes, parents, range_first,
                             range_last);
}

__global__ void lbvh_group_roots_kernel(const uint64_t* keys, int32_t n, const int32_t* parents,
                                        const int32_t* range_first, const int32_t* range_last,
                                        int32_t* group_roots) {
  for (int64_t k = first_index(); k < 2 * int64_t{n} - 1; k += grid_stride())
    geom::lbvh_group_root(static_cast<int32_t>(k), keys, n, parents, range_first, range_last,
                          group_roots);
}

__global__ void refit_kernel(geom::RefitArgs args, int32_t num_nodes) {
  for (int64_t k = first_index(); k < num_nodes; k += grid_stride())
    if (args.nodes[k].is_leaf()) geom::refit_from_leaf(args, static_cast<int32_t>(k));
}

// The same over a tree whose leaves are the contiguous nodes first_leaf … (LBVH layout): one
// thread per leaf, no node read to find them.
__global__ void refit_leaves_kernel(geom::RefitArgs args, int32_t first_leaf, int32_t num_leaves) {
  for (int64_t k = first_index(); k < num_leaves; k += grid_stride())
    geom::refit_from_leaf(args, first_leaf + static_cast<int32_t>(k));
}

// A device result struct: written from `init`, read back after the kernel.
template <typename Result>
class DeviceResult {
 public:
  DeviceResult(const Device& device, const Result& init)
      : device_(device), storage_(allocate_shared(device, sizeof(Result))) {
    copy_bytes(storage_.get(), device_, &init, Device(), sizeof(Result));
  }
  Result* get() const { return static_cast<Result*>(storage_.get()); }
  Result read() const {
    Result r;
    copy_bytes(&r, Device(), storage_.get(), device_, sizeof(Result));
    return r;
  }

 private:
  Device device_;
  std::shared_ptr<void> storage_;
};

int32_t none_if_max(int32_t v) { return v == INT_MAX ? -1 : v; }

}  // namespace

ItemScan scan_items_cuda(const BvhBuildRequest& req) {
  ItemScanResult init{INT_MAX, INT_MAX, -1, {INT_MAX, INT_MAX, INT_MAX}, {INT_MIN, INT_MIN, INT_MIN}};
  DeviceResult<ItemScanResult> result(req.device, init);
  launch(req.device, std::min<int64_t>(req.count, kReduceThreads), "wp::Bvh scan_items",
         scan_items_kernel, req.lowers, req.uppers, req.groups, req.count, result.get());
  const ItemScanResult r = result.read();
  ItemScan s;
  s.first_bad_box = none_if_max(r.first_bad_box);
  s.first_bad_group = none_if_max(r.first_bad_group);
  s.max_group = r.max_group;
  for (int d = 0; d < 3; ++d) {
    s.centroid_lower[d] = float_from_ordered(r.centroid_lower[d]);
    s.centroid_upper[d] = float_from_ordered(r.centroid_upper[d]);
  }
  return s;
}

MeshScan scan_mesh_cuda(const Device& device, const vec3* points, int32_t num_points,
                        const int32_t* indices, int32_t num_tris) {
  DeviceResult<MeshScanResult> result(device, MeshScanResult{INT_MAX, INT_MAX});
  const int64_t num_indices = int64_t{num_tris} * 3;
  launch(device, std::min<int64_t>(std::max<int64_t>(num_indices, num_points), kReduceThreads),
         "wp::Mesh scan_mesh", scan_mesh_kernel, points, num_points, indices, num_indices,
         result.get());
  const MeshScanResult r = result.read();
  MeshScan s;
  s.first_bad_index = none_if_max(r.first_bad_index);
  s.first_bad_point = none_if_max(r.first_bad_point);
  return s;
}

void triangle_boxes_cuda(const Device& device, const vec3* points, const int32_t* indices,
                         int32_t num_tris, vec3* lowers, vec3* uppers) {
  launch(device, num_tris, "wp::Mesh triangle_boxes", triangle_boxes_kernel, points, indices,
         num_tris, lowers, uppers);
}

BvhTopology build_lbvh_cuda(const BvhBuildRequest& req, const ItemScan& scan) {
  const Device& device = req.device;
  const int32_t n = req.count;
  v3 inv_extent;
  for (int d = 0; d < 3; ++d) {
    const float extent = scan.centroid_upper[d] - scan.centroid_lower[d];
    inv_extent[d] = extent > 0 ? 1.0f / extent : 0.0f;
  }
  const int32_t leaf_size = geom::lbvh_leaf_size(req.options.leaf_size, req.groups != nullptr);
  BvhTopology t;
  t.num_nodes = 2 * n - 1;  // the radix tree over single items (cut below for leaf_size > 1)
  t.root = 0;
  t.first_leaf = n - 1;
  t.nodes = empty<BvhNode>({t.num_nodes}, device);
  t.items = empty<int32_t>({n}, device);
  t.parents = empty<int32_t>({t.num_nodes}, device);

  array<uint64_t> keys = empty<uint64_t>({n}, device);
  array<uint64_t> sorted_keys = empty<uint64_t>({n}, device);
  array<int32_t> unsorted_items = empty<int32_t>({n}, device);
  launch(device, n, "wp::Bvh lbvh_keys", lbvh_keys_kernel, req.lowers, req.uppers, req.groups, n,
         scan.centroid_lower, inv_extent, keys.data(), unsorted_items.data());

  // Only the key bits in use: 30 Morton bits, plus the group bits above bit 32.
  int end_bit = 30;
  if (req.groups) {
    end_bit = 32;
    for (uint32_t g = static_cast<uint32_t>(scan.max_group); g != 0; g >>= 1) ++end_bit;
  }
  const cudaStream_t stream = current_stream(device.ordinal());
  std::size_t temp_bytes = 0;
  cudaError_t err = cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, keys.data(), sorted_keys.data(),
                                                    unsorted_items.data(), t.items.data(), n, 0,
                                                    end_bit, stream);
  std::shared_ptr<void> temp = allocate_shared(device, std::max<std::size_t>(temp_bytes, 1));
  if (err == cudaSuccess) {
    err = cub::DeviceRadixSort::SortPairs(temp.get(), temp_bytes, keys.data(), sorted_keys.data(),
                                          unsorted_items.data(), t.items.data(), n, 0, end_bit,
                                          stream);
  }
  check_cub(err, req.owner, "cub::DeviceRadixSort::SortPairs", device);

  array<int32_t> range_first = empty<int32_t>({std::max(n - 1, 1)}, device);
  array<int32_t> range_last = empty<int32_t>({std::max(n - 1, 1)}, device);
  launch(device, n, "wp::Bvh lbvh_leaves", lbvh_leaves_kernel, n, t.nodes.data(), t.parents.data());
  launch(device, n - 1, "wp::Bvh lbvh_internal", lbvh_internal_kernel,
         static_cast<const uint64_t*>(sorted_keys.data()), n, t.nodes.data(), t.parents.data(),
         range_first.data(), range_last.data());
  if (leaf_size > 1 && n > 1) {  // cut subtrees of at most leaf_size items into leaves
    const int32_t full = t.num_nodes;
    array<uint64_t> terms = empty<uint64_t>({full}, device), inclusive = empty<uint64_t>({full}, device);
    launch(device, full, "wp::Bvh lbvh_cut_term", lbvh_cut_term_kernel, n, leaf_size,
           static_cast<const int32_t*>(t.parents.data()), static_cast<const int32_t*>(range_first.data()),
           static_cast<const int32_t*>(range_last.data()), terms.data());
    std::size_t scan_bytes = 0;
    check_cub(cub::DeviceScan::InclusiveSum(nullptr, scan_bytes, terms.data(), inclusive.data(), full, stream),
              req.owner, "cub::DeviceScan::InclusiveSum", device);
    std::shared_ptr<void> scan_temp = allocate_shared(device, std::max<std::size_t>(scan_bytes, 1));
    check_cub(cub::DeviceScan::InclusiveSum(scan_temp.get(), scan_bytes, terms.data(), inclusive.data(), full, stream),
              req.owner, "cub::DeviceScan::InclusiveSum", device);
    uint64_t total = 0;  // internal nodes and leaves of the cut tree, packed: one read back
    copy_bytes(&total, Device(), inclusive.data() + (full - 1), device, sizeof(uint64_t));
    BvhTopology cut = t;
    cut.num_nodes = geom::cut_internal_count(total) + geom::cut_leaf_count(total);
    cut.first_leaf = geom::cut_internal_count(total);  // the leaves are the last nodes, contiguous
    cut.nodes = empty<BvhNode>({cut.num_nodes}, device);
    cut.parents = empty<int32_t>({cut.num_nodes}, device);
    launch(device, full, "wp::Bvh lbvh_cut", lbvh_cut_kernel, n, leaf_size,
           static_cast<const BvhNode*>(t.nodes.data()), static_cast<const int32_t*>(t.parents.data()),
           static_cast<const int32_t*>(range_first.data()), static_cast<const int32_t*>(range_last.data()),
           static_cast<const uint64_t*>(terms.data()), static_cast<const uint64_t*>(inclusive.data()), total,
           cut.nodes.data(), cut.parents.data());
    t = std::move(cut);
  }
  t.counters = zeros<int32_t>({t.num_nodes}, device);
  if (req.groups) {
    t.num_groups = scan.max_group + 1;
    t.group_roots = full<int32_t>({t.num_groups}, -1, device);
    launch(device, t.num_nodes, "wp::Bvh lbvh_group_roots", lbvh_group_roots_kernel,
           static_cast<const uint64_t*>(sorted_keys.data()), n,
           static_cast<const int32_t*>(t.parents.data()),
           static_cast<const int32_t*>(range_first.data()),
           static_cast<const int32_t*>(range_last.data()), t.group_roots.data());
  }
  refit_cuda(t, device, req.lowers, req.uppers, nullptr);
  return t;
}

void refit_cuda(const BvhTopology& tree, const Device& device, const vec3* lowers,
                const vec3* uppers, const MeshRefitSource* mesh) {
  geom::RefitArgs args{tree.nodes.data(), tree.parents.data(), tree.counters.data(),
                       tree.items.data(),  lowers,             uppers,
                       mesh ? mesh->winding : nullptr,
                       mesh ? mesh->points : nullptr,
                       mesh ? mesh->indices : nullptr,
                       mesh ? mesh->triangle_lowers : nullptr,
                       mesh ? mesh->triangle_uppers : nullptr};
  // The counters are zeroed once when the tree is built; every refit leaves them zero.
  if (tree.first_leaf >= 0) {
    launch(device, tree.num_nodes - tree.first_leaf, "wp::Bvh refit", refit_leaves_kernel, args, tree.first_leaf,
           tree.num_nodes - tree.first_leaf);
    return;
  }
  launch(device, tree.num_nodes, "wp::Bvh refit", refit_kernel, args, tree.num_nodes);
}

}  // namespace wp::detail
