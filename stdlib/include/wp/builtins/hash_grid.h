// wp/builtins/hash_grid.h — hash-grid neighbour queries in kernels (host + CUDA, WP_HD):
// hash_grid_query (+ the group-filtered form), hash_grid_query_next, hash_grid_point_id, for
// float32, float64 and float16 coordinates; the grids are built by wp::HashGrid (runtime/).
//
// Contract (Warp 1.19 semantics; layout: HashGridDesc in wp/builtins/geometry_types.h):
//  * Cell coordinates: c = floor(v) of v = x · cell_width_inv computed in the query's precision
//    T (float16 arithmetic rounds after each operation); values ≥ 2^31 (and +inf) become
//    INT_MAX − 1, values < −2^31 (and −inf) INT_MIN, NaN 0. The build uses the same function,
//    so a point and a query agree on its cell bit for bit.
//  * hash_grid_query(id, point, max_dist[, group]) visits the virtual cells
//    floor((point − max_dist)·inv) … floor((point + max_dist)·inv) per axis, x fastest, then y,
//    then z; an axis spanning dim or more cells is cut to dim cells from its start, so no
//    physical cell is visited twice. In each cell it yields the cell's points in sorted order
//    (see HashGridDesc): candidates, not neighbours — callers test the distance. Cells next to
//    each other in a row (and in memory) are read as one run through cell_offsets: one pair of
//    offset loads per run instead of two per cell; the order of the candidates is the same.
//    With `group`, only points built with that group id are yielded; on a grid built without
//    groups the group is ignored and every candidate is yielded (as Warp).
//  * hash_grid_query_next(q, index) writes the next candidate's ORIGINAL point index to
//    `index` and returns true; false when exhausted (index unchanged). A grid never built
//    yields nothing.
//  * hash_grid_point_id(id, k): original index of the k-th point in sorted order, −1 for a
//    grid never built.
//  * WARPC_DEBUG: the handle (magic, device side), the query's precision against the grid's
//    and k's range are checked with WP_KERNEL_ASSERT; release builds check nothing.
//  * Not differentiable (integer results); queries inside differentiated kernels are replayed
//    as they are.
#pragma once

#include <climits>
#include <cmath>
#include <cstdint>

#include "wp/builtins/geometry_types.h"
#include "wp/builtins/kernel_support.h"
#include "wp/half.h"

namespace wp {

namespace hash_grid_detail {

WP_HD int32_t cell_coord(double v) {
#if defined(__CUDA_ARCH__)
  if (v != v) return 0;
  return min(__double2int_rd(v), INT_MAX - 1);  // saturates at the int range
#else
  const double c = std::floor(v);
  if (c >= 2147483646.0) return INT_MAX - 1;
  if (c >= -2147483648.0) return static_cast<int32_t>(c);
  if (c < -2147483648.0) return INT_MIN;
  return 0;  // NaN
#endif
}

WP_HD int32_t cell_coord(float v) {
#if defined(__CUDA_ARCH__)
  return min(__float2int_rd(v), INT_MAX - 1);  // saturates; NaN → 0
#else
  const float c = std::floor(v);
  if (c >= 2147483648.0f) return INT_MAX - 1;
  if (c >= -2147483648.0f) return c >= 2147483646.0f ? INT_MAX - 1 : static_cast<int32_t>(c);
  if (c < -2147483648.0f) return INT_MIN;
  return 0;  // NaN
#endif
}

WP_HD int32_t cell_coord(half v) { return cell_coord(float(v)); }

template <typename T>
WP_HD T inverse_width(const HashGridDesc* g);
template <>
WP_HD float inverse_width<float>(const HashGridDesc* g) { return g->cell_width_inv_f; }
template <>
WP_HD double inverse_width<double>(const HashGridDesc* g) { return g->cell_width_inv_d; }
template <>
WP_HD half inverse_width<half>(const HashGridDesc* g) { return half::from_bits(g->cell_width_inv_h); }

template <typename T>
inline constexpr int32_t kScalarBits = sizeof(T) * 8;

// Physical cell of virtual cell (x, y, z): non-negative modulo per axis.
WP_HD int32_t physical_cell(int32_t x, int32_t y, int32_t z, int32_t dx, int32_t dy, int32_t dz) {
  int32_t cx = x % dx, cy = y % dy, cz = z % dz;
  if (cx < 0) cx += dx;
  if (cy < 0) cy += dy;
  if (cz < 0) cz += dz;
  return (cz * dy + cy) * dx + cx;
}

// The last cell an axis query visits: at most dim cells from start (64-bit: start + dim − 1
// would overflow near INT_MAX).
WP_HD int32_t axis_end(int32_t start, int32_t end, int32_t dim) {
  return int64_t(end) - int64_t(start) >= int64_t(dim) ? start + (dim - 1) : end;
}

// First position in [lo, hi) whose group (as uint32) is ≥ key.
WP_HD int32_t lower_bound_group(const int32_t* groups, int32_t lo, int32_t hi, uint32_t key) {
  while (lo < hi) {
    const int32_t mid = lo + (hi - lo) / 2;
    if (static_cast<uint32_t>(groups[mid]) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// The physical cell of point p (the build's bucketing; queries use the same cell_coord).
template <typename T>
WP_HD int32_t point_cell(const vec_t<3, T>& p, T inv, int32_t dx, int32_t dy, int32_t dz) {
  return physical_cell(cell_coord(T(p[0] * inv)), cell_coord(T(p[1] * inv)), cell_coord(T(p[2] * inv)), dx, dy,
                       dz);
}

WP_HD const HashGridDesc* get_grid(uint64_t id) {
  const HashGridDesc* g = hash_grid_desc(id);
#if defined(WARPC_DEBUG)
  WP_KERNEL_ASSERT(g != nullptr, "hash grid builtin: null hash grid id");
  WP_KERNEL_ASSERT(g->magic == kHashGridMagic, "hash grid builtin: id is not a live wp::HashGrid");
#if defined(__CUDA_ARCH__)
  WP_KERNEL_ASSERT(g->device >= 0, "hash grid builtin: a CPU hash grid used in device code");
#else
  WP_KERNEL_ASSERT(g->device == -1, "hash grid builtin: a CUDA hash grid used in host code");
#endif
#endif
  return g;
}

}  // namespace hash_grid_detail

// The state of one query: the cell box, the next run of cells to enter, and the current run of
// sorted positions. A run is a stretch of one row's cells that are also adjacent in memory (no
// wrap inside it), whose points are one contiguous range thanks to cell_offsets; with a group
// filter a run is a single cell (the group's points are contiguous only within a cell). The
// grid's pointers and sizes are copied in, so moving between runs touches no descriptor.
template <typename T>
struct hash_grid_query_base {
  const int32_t* point_ids;  // null: grid never built (the query yields nothing)
  const int32_t* point_groups;
  const int32_t* cell_offsets;
  int32_t dim_x, dim_y, dim_z;
  int32_t x_start, y_start, z_start;
  int32_t x_end, y_end, z_end;
  int32_t x, y, z;     // first virtual cell of the next run
  int32_t cell_index;  // next sorted position to yield
  int32_t cell_end;    // one past the last position of the current run
  int32_t group;
  bool filter_by_group;
  bool done;

  // Enters the run starting at virtual cell (x, y, z) and moves x past it.
  WP_HD void enter_run() {
    int32_t px = x % dim_x, py = y % dim_y, pz = z % dim_z;
    if (px < 0) px += dim_x;
    if (py < 0) py += dim_y;
    if (pz < 0) pz += dim_z;
    const int32_t filtered = filter_by_group && point_groups;
    // Cells x … last are consecutive in memory: up to the row's physical end or x_end.
    const int64_t room = int64_t(dim_x) - 1 - px, left = int64_t(x_end) - x;
    const int32_t len = filtered ? 1 : int32_t((room < left ? room : left) + 1);
    const int32_t first = (pz * dim_y + py) * dim_x + px;
    int32_t start = cell_offsets[first], end = cell_offsets[first + len];
    if (filtered) {
      const uint32_t key = static_cast<uint32_t>(group);
      start = hash_grid_detail::lower_bound_group(point_groups, start, end, key);
      end = key == 0xFFFFFFFFu ? end : hash_grid_detail::lower_bound_group(point_groups, start, end, key + 1);
    }
    cell_index = start;
    cell_end = end;
    x += len;  // ≤ x_end + 1 ≤ INT_MAX: no overflow
  }

  // Moves to the next run of the box; false (and done) when there is none.
  WP_HD bool next_run() {
    if (x > x_end) {
      x = x_start;
      if (y == y_end) {
        if (z == z_end) {
          done = true;
          return false;
        }
        y = y_start;
        ++z;
      } else {
        ++y;
      }
    }
    enter_run();
    return true;
  }
};

using hash_grid_query_t = hash_grid_query_base<float>;
using hash_grid_query_d_t = hash_grid_query_base<double>;
using hash_grid_query_h_t = hash_grid_query_base<half>;

namespace hash_grid_detail {

template <typename T>
WP_HD hash_grid_query_base<T> make_query(uint64_t id, const vec_t<3, T>& p, T r, int32_t group, bool filter) {
  const HashGridDesc* g = get_grid(id);
#if defined(WARPC_DEBUG)
  WP_KERNEL_ASSERT(g->scalar_bits == kScalarBits<T>,
                   "hash_grid_query: the point's precision differs from the hash grid's dtype");
#endif
  hash_grid_query_base<T> q{};
  q.point_ids = g->point_ids;
  q.point_groups = g->has_groups ? g->point_groups : nullptr;
  q.cell_offsets = g->cell_offsets;
  q.dim_x = g->dim_x;
  q.dim_y = g->dim_y;
  q.dim_z = g->dim_z;
  q.group = group;
  q.filter_by_group = filter;
  const T inv = inverse_width<T>(g);
  q.x_start = cell_coord(T((p[0] - r) * inv));
  q.y_start = cell_coord(T((p[1] - r) * inv));
  q.z_start = cell_coord(T((p[2] - r) * inv));
  q.x_end = axis_end(q.x_start, cell_coord(T((p[0] + r) * inv)), q.dim_x);
  q.y_end = axis_end(q.y_start, cell_coord(T((p[1] + r) * inv)), q.dim_y);
  q.z_end = axis_end(q.z_start, cell_coord(T((p[2] + r) * inv)), q.dim_z);
  q.x = q.x_start;
  q.y = q.y_start;
  q.z = q.z_start;
  q.done = q.point_ids == nullptr;
  if (!q.done) q.enter_run();
  return q;
}

}  // namespace hash_grid_detail

WP_HD hash_grid_query_t hash_grid_query(uint64_t id, const vec_t<3, float>& point, float max_dist) {
  return hash_grid_detail::make_query<float>(id, point, max_dist, 0, false);
}
WP_HD hash_grid_query_t hash_grid_query(uint64_t id, const vec_t<3, float>& point, float max_dist, int32_t group) {
  return hash_grid_detail::make_query<float>(id, point, max_dist, group, true);
}
WP_HD hash_grid_query_d_t hash_grid_query(uint64_t id, const vec_t<3, double>& point, double max_dist) {
  return hash_grid_detail::make_query<double>(id, point, max_dist, 0, false);
}
WP_HD hash_grid_query_d_t hash_grid_query(uint64_t id, const vec_t<3, double>& point, double max_dist,
                                          int32_t group) {
  return hash_grid_detail::make_query<double>(id, point, max_dist, group, true);
}
WP_HD hash_grid_query_h_t hash_grid_query(uint64_t id, const vec_t<3, half>& point, half max_dist) {
  return hash_grid_detail::make_query<half>(id, point, max_dist, 0, false);
}
WP_HD hash_grid_query_h_t hash_grid_query(uint64_t id, const vec_t<3, half>& point, half max_dist, int32_t group) {
  return hash_grid_detail::make_query<half>(id, point, max_dist, group, true);
}

template <typename T>
WP_HD bool hash_grid_query_next(hash_grid_query_base<T>& q, int32_t& index) {
  if (q.done) return false;
  while (q.cell_index >= q.cell_end) {
    if (!q.next_run()) return false;
  }
  index = q.point_ids[q.cell_index++];
  return true;
}

WP_HD int32_t hash_grid_point_id(uint64_t id, int32_t index) {
  const HashGridDesc* g = hash_grid_detail::get_grid(id);
  if (!g->point_ids) return -1;
#if defined(WARPC_DEBUG)
  WP_KERNEL_ASSERT(index >= 0 && index < g->num_points, "hash_grid_point_id: index out of range");
#endif
  return g->point_ids[index];
}

}  // namespace wp
