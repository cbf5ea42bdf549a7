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
//    (see HashGridDesc): candidates, not neighbours — callers test the distance.
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

// The state of one query: the cell box, the current cell and the current run of sorted
// positions in it. Copies of the grid's pointers and sizes keep cell changes register-only.
template <typename T>
struct hash_grid_query_base {
  const int32_t* point_ids;  // null: grid never built (the query yields nothing)
  const int32_t* point_groups;
  const int32_t* cell_starts;
  const int32_t* cell_ends;
  int32_t dim_x, dim_y, dim_z;
  int32_t x_start, y_start, z_start;
  int32_t x_end, y_end, z_end;
  int32_t x, y, z;
  int32_t cell_index;  // next sorted position to yield
  int32_t cell_end;    // one past the last position of the current run
  int32_t group;
  bool filter_by_group;

  WP_HD void enter_cell() {
    const int32_t cell = hash_grid_detail::physical_cell(x, y, z, dim_x, dim_y, dim_z);
    int32_t start = cell_starts[cell], end = cell_ends[cell];
    if (filter_by_group && point_groups) {
      const uint32_t key = static_cast<uint32_t>(group);
      start = hash_grid_detail::lower_bound_group(point_groups, start, end, key);
      end = key == 0xFFFFFFFFu ? end : hash_grid_detail::lower_bound_group(point_groups, start, end, key + 1);
    }
    cell_index = start;
    cell_end = end;
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
  q.cell_starts = g->cell_starts;
  q.cell_ends = g->cell_ends;
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
  if (q.point_ids) q.enter_cell();
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
  if (!q.point_ids) return false;
  for (;;) {
    if (q.cell_index < q.cell_end) {
      index = q.point_ids[q.cell_index++];
      return true;
    }
    if (++q.x > q.x_end) {
      q.x = q.x_start;
      if (++q.y > q.y_end) {
        q.y = q.y_start;
        if (++q.z > q.z_end) {
          // Park on the last cell with an empty run: later calls return false again (the
          // ends are ≤ INT_MAX − 1, so the increments cannot overflow).
          q.x = q.x_end;
          q.y = q.y_end;
          q.z = q.z_end;
          q.cell_index = q.cell_end = 0;
          return false;
        }
      }
    }
    q.enter_cell();
  }
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
