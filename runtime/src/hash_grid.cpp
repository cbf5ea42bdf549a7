// hash_grid.cpp — wp::HashGrid: argument checks, buffers, the descriptor on the grid's
// device, and the CPU builder (cell keys + a parallel, stable LSD radix sort + cell offsets).
//
// Contract: see wp/hash_grid.h and hash_grid_internal.h. The CPU radix sort splits the points
// into a fixed number of blocks (independent of the thread count), so the order — already
// unique, since keys tie-break on the original index — and the work split are deterministic.
#include "wp/hash_grid.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "geometry_internal.h"
#include "hash_grid_internal.h"
#include "wp/builtins/hash_grid.h"
#include "wp/launch.h"

namespace wp {
namespace detail {
namespace {

template <typename F>
void parallel_ranges(int64_t n, F&& body) {
  if (n > 0) launch_cpu_ranges(Dim(n), LaunchOptions{}, std::forward<F>(body));
}

// (cell << group_bits) | uint32(group) for point i, in the request's precision: 32-bit keys
// (the cell alone) without groups, 64-bit keys with them.
template <typename T, typename Key>
void compute_keys(const HashGridBuildRequest& r, T inv, Key* keys, int32_t* order) {
  const auto* points = static_cast<const vec_t<3, T>*>(r.points);
  parallel_ranges(r.count, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const int32_t cell = hash_grid_detail::point_cell(points[i], inv, r.dims[0], r.dims[1], r.dims[2]);
      if constexpr (sizeof(Key) == 8) {
        keys[i] = (uint64_t(uint32_t(cell)) << 32) | static_cast<uint32_t>(r.groups[i]);
      } else {
        keys[i] = static_cast<uint32_t>(cell);
      }
      order[i] = static_cast<int32_t>(i);
    }
  });
}

constexpr int64_t kSortBlockSize = 1 << 14;  // points per block of the radix sort
constexpr int kDigitBits = 8;
constexpr int kDigits = 1 << kDigitBits;

// Stable LSD radix sort of (keys, order) by the bytes of the key that differ between keys,
// ping-ponging with tmp_keys / tmp_order (same length); returns where the result ended (the
// input pair or the scratch pair).
template <typename Key>
std::pair<Key*, int32_t*> radix_sort_pairs(Key* keys, int32_t* order, Key* tmp_keys, int32_t* tmp_order, int64_t n) {
  if (n <= 1) return {keys, order};
  // Bits in which some key differs from the first: only those bytes need a pass.
  Key differ = 0;
  std::mutex merge;
  const Key first = keys[0];
  parallel_ranges(n, [&](int64_t b, int64_t e) {
    Key d = 0;
    for (int64_t i = b; i < e; ++i) d |= keys[i] ^ first;
    std::lock_guard<std::mutex> lock(merge);
    differ |= d;
  });
  const int64_t blocks = (n + kSortBlockSize - 1) / kSortBlockSize;
  std::vector<int64_t> counts(static_cast<std::size_t>(blocks) * kDigits);
  for (int shift = 0; shift < int(8 * sizeof(Key)); shift += kDigitBits) {
    if (((differ >> shift) & (kDigits - 1)) == 0) continue;
    std::fill(counts.begin(), counts.end(), 0);
    parallel_ranges(blocks, [&](int64_t b0, int64_t b1) {
      for (int64_t blk = b0; blk < b1; ++blk) {
        int64_t* c = &counts[static_cast<std::size_t>(blk) * kDigits];
        const int64_t end = std::min(n, (blk + 1) * kSortBlockSize);
        for (int64_t i = blk * kSortBlockSize; i < end; ++i) ++c[(keys[i] >> shift) & (kDigits - 1)];
      }
    });
    // Exclusive offsets, digit-major then block: stable across blocks.
    int64_t running = 0;
    for (int d = 0; d < kDigits; ++d) {
      for (int64_t blk = 0; blk < blocks; ++blk) {
        int64_t& c = counts[static_cast<std::size_t>(blk) * kDigits + d];
        const int64_t count = c;
        c = running;
        running += count;
      }
    }
    parallel_ranges(blocks, [&](int64_t b0, int64_t b1) {
      for (int64_t blk = b0; blk < b1; ++blk) {
        int64_t* offset = &counts[static_cast<std::size_t>(blk) * kDigits];
        const int64_t end = std::min(n, (blk + 1) * kSortBlockSize);
        for (int64_t i = blk * kSortBlockSize; i < end; ++i) {
          const int64_t at = offset[(keys[i] >> shift) & (kDigits - 1)]++;
          tmp_keys[at] = keys[i];
          tmp_order[at] = order[i];
        }
      }
    });
    std::swap(keys, tmp_keys);
    std::swap(order, tmp_order);
  }
  return {keys, order};
}

// Sorts with Key-sized keys, then writes point_ids, point_groups and the cell offsets.
template <typename Key>
void sort_and_offset(const HashGridBuildRequest& r, HashGridBuffers& buf) {
  const int64_t n = r.count;
  const int group_bits = sizeof(Key) == 8 ? 32 : 0;
  // Scratch kept between builds (64-bit slots hold either key width).
  for (auto* v : {&buf.host_keys, &buf.host_tmp_keys})
    if (static_cast<int64_t>(v->size()) < n) v->resize(static_cast<std::size_t>(n));
  for (auto* v : {&buf.host_order, &buf.host_tmp_order})
    if (static_cast<int64_t>(v->size()) < n) v->resize(static_cast<std::size_t>(n));
  Key* keys = reinterpret_cast<Key*>(buf.host_keys.data());
  int32_t* order = buf.host_order.data();
  switch (r.scalar_bits) {
    case 64: compute_keys<double, Key>(r, r.inv_d, keys, order); break;
    case 16: compute_keys<half, Key>(r, half::from_bits(r.inv_h), keys, order); break;
    default: compute_keys<float, Key>(r, r.inv_f, keys, order); break;
  }
  const auto [sorted, sorted_order] = radix_sort_pairs<Key>(keys, order, reinterpret_cast<Key*>(buf.host_tmp_keys.data()),
                                                            buf.host_tmp_order.data(), n);
  int32_t* ids = buf.point_ids.data();
  int32_t* groups = r.groups ? buf.point_groups.data() : nullptr;
  parallel_ranges(n, [&](int64_t b, int64_t e) {
    std::memcpy(ids + b, sorted_order + b, sizeof(int32_t) * static_cast<std::size_t>(e - b));
    if (groups)
      for (int64_t k = b; k < e; ++k) groups[k] = static_cast<int32_t>(static_cast<uint32_t>(uint64_t(sorted[k])));
  });
  // offsets[c] = first sorted position whose cell is ≥ c: each chunk of cells finds its first
  // position by binary search, then walks.
  const int64_t num_cells = buf.cell_offsets.size() - 1;
  int32_t* offsets = buf.cell_offsets.data();
  const Key* sk = sorted;
  parallel_ranges(num_cells + 1, [&](int64_t c0, int64_t c1) {
    int64_t k = std::lower_bound(sk, sk + n, Key(uint64_t(c0) << group_bits)) - sk;
    for (int64_t c = c0; c < c1; ++c) {
      while (k < n && int64_t(uint64_t(sk[k]) >> group_bits) < c) ++k;
      offsets[c] = static_cast<int32_t>(k);
    }
  });
}

}  // namespace

void build_hash_grid_cpu(const HashGridBuildRequest& r, HashGridBuffers& buf) {
  const int64_t n = r.count;
  ensure_capacity(buf.point_ids, n, r.device);
  if (r.groups) ensure_capacity(buf.point_groups, n, r.device);
  if (n == 0) {
    const int64_t num_cells = buf.cell_offsets.size() - 1;
    int32_t* offsets = buf.cell_offsets.data();
    parallel_ranges(num_cells + 1, [&](int64_t b, int64_t e) {
      std::memset(offsets + b, 0, sizeof(int32_t) * static_cast<std::size_t>(e - b));
    });
    return;
  }
  if (r.groups) sort_and_offset<uint64_t>(r, buf);
  else sort_and_offset<uint32_t>(r, buf);
}

}  // namespace detail

namespace {

constexpr const char* kOwner = "wp::HashGrid";

[[noreturn]] void fail(const std::string& what) { throw Error(std::string(kOwner) + ": " + what); }

const char* dtype_name(HashGridDtype d) {
  switch (d) {
    case HashGridDtype::Float64: return "Float64 (points of vec3d)";
    case HashGridDtype::Float16: return "Float16 (points of vec3h)";
    default: return "Float32 (points of vec3f)";
  }
}

int32_t dtype_bits(HashGridDtype d) {
  return d == HashGridDtype::Float64 ? 64 : d == HashGridDtype::Float16 ? 16 : 32;
}

template <typename V>
constexpr HashGridDtype dtype_of() {
  if constexpr (std::is_same_v<V, vec3d>) return HashGridDtype::Float64;
  else if constexpr (std::is_same_v<V, vec3h>) return HashGridDtype::Float16;
  else return HashGridDtype::Float32;
}

}  // namespace

struct HashGrid::Impl {
  Impl(int x, int y, int z, const Device& d, HashGridDtype t) : device(d), dtype(t), desc(make_desc(x, y, z, d)) {
    const int64_t cells = int64_t{x} * y * z;
    buffers.cell_offsets = zeros<int32_t>({cells + 1}, device);
    state.magic = kHashGridMagic;
    state.device = device.ordinal();
    state.dim_x = x;
    state.dim_y = y;
    state.dim_z = z;
    state.scalar_bits = dtype_bits(t);
    state.cell_offsets = buffers.cell_offsets.data();
    desc.write(state);
  }

  // Validates the dims (before any allocation) and returns the empty descriptor.
  static detail::DeviceDescriptor<HashGridDesc> make_desc(int x, int y, int z, const Device& d) {
    if (x <= 0 || y <= 0 || z <= 0) {
      fail("dimensions must be positive, got " + std::to_string(x) + " × " + std::to_string(y) + " × " +
           std::to_string(z));
    }
    const int64_t cells = int64_t{x} * y * z;
    if (cells > std::numeric_limits<int32_t>::max()) {
      fail(std::to_string(x) + " × " + std::to_string(y) + " × " + std::to_string(z) + " = " +
           std::to_string(cells) + " cells is more than the supported " +
           std::to_string(std::numeric_limits<int32_t>::max()));
    }
    detail::require_usable_device(d, kOwner);
    return detail::DeviceDescriptor<HashGridDesc>(d);
  }

  template <typename V>
  void build(const array<V>& points, double radius, const array<int32_t>* groups) {
    if (dtype_of<V>() != dtype) {
      fail(std::string("points are ") + dtype_name(dtype_of<V>()) + " but the grid was created with dtype " +
           dtype_name(dtype));
    }
    if (!(radius > 0.0) || !std::isfinite(radius)) {
      fail("radius (the cell width) must be positive and finite, got " + std::to_string(radius));
    }
    if (points.ndim() == 0) fail("points is a null array");
    if (points.ndim() != 1) fail("points must be 1-D, but has shape " + points.shape().str());
    if (points.size() > 0 && !points.is_contiguous()) fail("points is not contiguous; pass points.contiguous()");
    detail::check_same_device(points, device, kOwner, "points", "the grid");
    if (points.size() > std::numeric_limits<int32_t>::max()) {
      fail(std::to_string(points.size()) + " points is more than the supported " +
           std::to_string(std::numeric_limits<int32_t>::max()));
    }
    if (groups) {
      if (groups->ndim() != 1) fail("groups must be a 1-D array with one group id per point");
      if (groups->size() != points.size()) {
        fail("groups has " + std::to_string(groups->size()) + " entries but there are " +
             std::to_string(points.size()) + " points (one group id per point)");
      }
      if (groups->size() > 0 && !groups->is_contiguous()) fail("groups is not contiguous; pass groups.contiguous()");
      detail::check_same_device(*groups, device, kOwner, "groups", "the grid");
    }
    detail::HashGridBuildRequest r{};
    r.device = device;
    r.scalar_bits = dtype_bits(dtype);
    r.points = points.data();
    r.groups = groups ? groups->data() : nullptr;
    r.count = static_cast<int32_t>(points.size());
    r.dims[0] = state.dim_x;
    r.dims[1] = state.dim_y;
    r.dims[2] = state.dim_z;
    // 1 / width rounded once into each precision, as the queries compute with it.
    r.inv_d = 1.0 / radius;
    r.inv_f = 1.0f / static_cast<float>(radius);
    r.inv_h = (half(1.0f) / half(static_cast<float>(radius))).bits;
    if (device.is_cpu()) {
      detail::build_hash_grid_cpu(r, buffers);
    } else {
#ifdef WARPC_RUNTIME_CUDA
      detail::build_hash_grid_cuda(r, buffers);
#endif
    }
    state.num_points = r.count;
    state.has_groups = groups ? 1 : 0;
    state.cell_width = radius;
    state.cell_width_inv_d = r.inv_d;
    state.cell_width_inv_f = r.inv_f;
    state.cell_width_inv_h = r.inv_h;
    state.point_ids = buffers.point_ids.data();
    state.point_groups = groups ? buffers.point_groups.data() : nullptr;
    desc.write(state);
  }

  Device device;
  HashGridDtype dtype;
  detail::HashGridBuffers buffers;
  HashGridDesc state;  // host copy of the descriptor
  detail::DeviceDescriptor<HashGridDesc> desc;  // declared last: cleared before the rest is freed
};

HashGrid::HashGrid(int dim_x, int dim_y, int dim_z, const Device& device, HashGridDtype dtype)
    : impl_(std::make_unique<Impl>(dim_x, dim_y, dim_z, device, dtype)) {}
HashGrid::~HashGrid() = default;
HashGrid::HashGrid(HashGrid&& other) noexcept = default;
HashGrid& HashGrid::operator=(HashGrid&& other) noexcept = default;

HashGrid::Impl& HashGrid::impl(const char* member) const {
  if (!impl_) throw Error(std::string("wp::HashGrid::") + member + ": this HashGrid was moved from");
  return *impl_;
}

void HashGrid::build(const array<vec3f>& points, double radius) { impl("build").build(points, radius, nullptr); }
void HashGrid::build(const array<vec3f>& points, double radius, const array<int32_t>& groups) {
  impl("build").build(points, radius, &groups);
}
void HashGrid::build(const array<vec3d>& points, double radius) { impl("build").build(points, radius, nullptr); }
void HashGrid::build(const array<vec3d>& points, double radius, const array<int32_t>& groups) {
  impl("build").build(points, radius, &groups);
}
void HashGrid::build(const array<vec3h>& points, double radius) { impl("build").build(points, radius, nullptr); }
void HashGrid::build(const array<vec3h>& points, double radius, const array<int32_t>& groups) {
  impl("build").build(points, radius, &groups);
}

void HashGrid::reserve(int64_t num_points, bool with_groups) {
  Impl& i = impl("reserve");
  if (num_points < 0 || num_points > std::numeric_limits<int32_t>::max()) {
    fail("reserve: num_points must be in [0, " + std::to_string(std::numeric_limits<int32_t>::max()) +
         "], got " + std::to_string(num_points));
  }
  detail::ensure_capacity(i.buffers.point_ids, num_points, i.device);
  if (with_groups) detail::ensure_capacity(i.buffers.point_groups, num_points, i.device);
  if (i.device.is_cuda()) {
    detail::ensure_capacity(i.buffers.keys, num_points, i.device);
    detail::ensure_capacity(i.buffers.sorted_keys, num_points, i.device);
    detail::ensure_capacity(i.buffers.order, num_points, i.device);
  }
}

uint64_t HashGrid::id() const { return impl("id").desc.address(); }
const Device& HashGrid::device() const { return impl("device").device; }
HashGridDtype HashGrid::dtype() const { return impl("dtype").dtype; }
int HashGrid::dim_x() const { return impl("dim_x").state.dim_x; }
int HashGrid::dim_y() const { return impl("dim_y").state.dim_y; }
int HashGrid::dim_z() const { return impl("dim_z").state.dim_z; }
int HashGrid::num_points() const { return impl("num_points").state.num_points; }
double HashGrid::cell_width() const { return impl("cell_width").state.cell_width; }
bool HashGrid::has_groups() const { return impl("has_groups").state.has_groups != 0; }

}  // namespace wp
