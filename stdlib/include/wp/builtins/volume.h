// wp/builtins/volume.h — the NanoVDB volume builtins (group Volumes of stdlib/builtins.def):
// volume_sample / _f / _v / _i, volume_sample_grad / _grad_f, volume_sample_index,
// volume_sample_grad_index, volume_lookup / _f / _v / _i, volume_lookup_index, volume_store /
// _f / _v / _i, volume_index_to_world / volume_world_to_index and their _dir forms,
// volume_voxel_count, and the adjoints of the differentiable ones.
//
// Contract:
//  * `id` is the address of a NanoVDB grid validated by wp::Volume, on the device the code runs
//    on; its VolumeDesc (wp/builtins/geometry_types.h) lies just before it (volume_desc). With WARPC_DEBUG defined a
//    null id, a dead or foreign handle (magic), a volume of the other device kind and a grid
//    whose value type does not match the builtin, and voxel_data shorter than an index grid's
//    indices, are reported through WP_KERNEL_ASSERT. In every
//    build a builtin reading a grid of another value type returns a zero value (and a store
//    stores nothing): a mismatch never reads the grid with the wrong layout.
//  * Coordinates are index space (voxel centres at integer uvw). sampling_mode kVolumeClosest (0,
//    Warp's Volume.CLOSEST) reads the voxel floor(uvw + 0.5); kVolumeLinear (1, Volume.LINEAR)
//    blends the 8 voxels around uvw trilinearly (weights from uvw − floor(uvw), in float). Every
//    voxel read is NanoVDB's getValue: inactive voxels and tiles give the value stored there
//    (the background outside the tree). int32 volumes always sample the closest voxel.
//  * Gradients are index-space: d value / d uvw of the trilinear blend (zero for CLOSEST); for
//    vec3 volumes a matrix whose row r is the gradient of component r.
//  * Index grids (grid_type kVolumeIndex): an int32 grid holding each active voxel's index
//    (0 … voxel_count − 1) and −1 elsewhere. volume_lookup_index returns that value;
//    volume_sample_index blends voxel_data[index] for active voxels and `background` for others.
//  * volume_store writes only voxels that live in a leaf node (active or not); a voxel inside a
//    tile or outside the tree is left alone (nothing is allocated in kernels).
//  * volume_voxel_count is Warp's count: an index grid's active voxels, otherwise every voxel of
//    the leaf nodes (active or not).
//  * Transforms use the grid's map: index_to_world(uvw) = M·uvw + t, world_to_index(xyz) =
//    M⁻¹·(xyz − t), the _dir forms without t; vec3f arguments use the map's float matrices,
//    vec3d arguments its double ones.
//  * Adjoints adj_<f>(primal args…, adj args…&, adj_ret) ACCUMULATE. Samples send adj_ret through
//    the index-space gradient to uvw (CLOSEST: nothing); volume_sample_grad* also send the
//    adjoint of `grad` through the blend's second derivatives (the mixed ones; the pure ones are
//    0). The index samplers add weight · adj_ret into voxel_data's gradient (the adjoint array's
//    data when it has any, else voxel_data.grad; atomically) for active corners and into
//    adj_background for inactive ones. sampling_mode, id and the integer arguments get nothing.
#pragma once

#include <cstdint>

#include <nanovdb/NanoVDB.h>

#include "wp/array_view.h"
#include "wp/builtins/adjoint_support.h"
#include "wp/builtins/atomic.h"
#include "wp/builtins/geometry_types.h"
#include "wp/builtins/kernel_support.h"

namespace wp {

inline constexpr int32_t kVolumeClosest = 0;
inline constexpr int32_t kVolumeLinear = 1;

namespace volume_detail {

using v3f = vec_t<3, float>;
using v3d = vec_t<3, double>;

// wp value type → NanoVDB value type, the VolumeDesc grid_type and conversions.
template <typename T>
struct Traits;
template <>
struct Traits<float> {
  using Nano = float;
  static constexpr uint32_t kType = kVolumeFloat;
  WP_HD static float from(float v) { return v; }
  WP_HD static float to(float v) { return v; }
};
template <>
struct Traits<double> {
  using Nano = double;
  static constexpr uint32_t kType = kVolumeDouble;
  WP_HD static double from(double v) { return v; }
  WP_HD static double to(double v) { return v; }
};
template <>
struct Traits<int32_t> {
  using Nano = int32_t;
  static constexpr uint32_t kType = kVolumeInt32;
  WP_HD static int32_t from(int32_t v) { return v; }
  WP_HD static int32_t to(int32_t v) { return v; }
};
template <typename S, typename NanoVec>
struct VecTraits {
  using Nano = NanoVec;
  WP_HD static vec_t<3, S> from(const NanoVec& v) {
    vec_t<3, S> r;
    r.c[0] = v[0], r.c[1] = v[1], r.c[2] = v[2];
    return r;
  }
  WP_HD static NanoVec to(const vec_t<3, S>& v) { return NanoVec(v.c[0], v.c[1], v.c[2]); }
};
template <>
struct Traits<v3f> : VecTraits<float, nanovdb::Vec3f> {
  static constexpr uint32_t kType = kVolumeVec3f;
};
template <>
struct Traits<v3d> : VecTraits<double, nanovdb::Vec3d> {
  static constexpr uint32_t kType = kVolumeVec3d;
};

// Gradient type: vec3 of the scalar for scalar volumes, 3×3 (row = component) for vec3 ones.
template <typename T>
struct GradOf {
  using type = vec_t<3, T>;
};
template <typename S>
struct GradOf<vec_t<3, S>> {
  using type = mat_t<3, 3, S>;
};

// ---- value arithmetic (scalars and vec3) ------------------------------------------------------

template <typename T>
WP_HD T zero_value() {
  return T{};
}
template <typename S>
WP_HD void add_scaled(S& acc, const S& v, float w) {
  acc += static_cast<S>(v * w);
}
template <typename S>
WP_HD void add_scaled(vec_t<3, S>& acc, const vec_t<3, S>& v, float w) {
  for (int k = 0; k < 3; ++k) acc.c[k] += v.c[k] * static_cast<S>(w);
}
// grad[axis] += v · w (scalar volumes) / grad row r, column axis += v[r] · w (vec3 volumes).
template <typename S>
WP_HD void add_grad(vec_t<3, S>& g, int axis, const S& v, float w) {
  g.c[axis] += v * static_cast<S>(w);
}
template <typename S>
WP_HD void add_grad(mat_t<3, 3, S>& g, int axis, const vec_t<3, S>& v, float w) {
  for (int r = 0; r < 3; ++r) g.data[r][axis] += v.c[r] * static_cast<S>(w);
}
// Σ over components of a · b as float (adjoint dot products).
template <typename S>
WP_HD float dot_value(const S& a, const S& b) {
  return static_cast<float>(a * b);
}
template <typename S>
WP_HD float dot_value(const vec_t<3, S>& a, const vec_t<3, S>& b) {
  return static_cast<float>(a.c[0] * b.c[0] + a.c[1] * b.c[1] + a.c[2] * b.c[2]);
}
// Σ_r adj_grad[r][axis] · v[r] (vec3) or adj_grad[axis] · v (scalar).
template <typename S>
WP_HD float grad_dot(const vec_t<3, S>& adj_grad, int axis, const S& v) {
  return static_cast<float>(adj_grad.c[axis] * v);
}
template <typename S>
WP_HD float grad_dot(const mat_t<3, 3, S>& adj_grad, int axis, const vec_t<3, S>& v) {
  float s = 0.0f;
  for (int r = 0; r < 3; ++r) s += static_cast<float>(adj_grad.data[r][axis] * v.c[r]);
  return s;
}

// ---- handles ----------------------------------------------------------------------------------

WP_HD const VolumeDesc* get_volume(uint64_t id) {
#if defined(WARPC_DEBUG)
  WP_KERNEL_ASSERT(id != 0, "volume builtin: null volume id");
#endif
  const VolumeDesc* v = volume_desc(id);
#if defined(WARPC_DEBUG)
  WP_KERNEL_ASSERT(v->magic == kVolumeMagic, "volume builtin: id is not a live wp::Volume");
#if defined(__CUDA_ARCH__)
  WP_KERNEL_ASSERT(v->device >= 0, "volume builtin: a CPU volume used in device code");
#else
  WP_KERNEL_ASSERT(v->device == -1, "volume builtin: a CUDA volume used in host code");
#endif
#endif
  return v;
}

// The grid as NanoGrid<N>, or null when its value type is not `type`.
template <typename N>
WP_HD nanovdb::NanoGrid<N>* typed_grid(uint64_t id, uint32_t type) {
  const VolumeDesc* v = get_volume(id);
#if defined(WARPC_DEBUG)
  WP_KERNEL_ASSERT(v->grid_type == type, "volume builtin: the volume's value type does not match the builtin");
#endif
  if (v->grid_type != type) return nullptr;
  return reinterpret_cast<nanovdb::NanoGrid<N>*>(id);  // the id is the grid: no load of v->grid
}

WP_HD nanovdb::Coord coord_of(const v3f& p, float offset) {
  return nanovdb::Coord(static_cast<int32_t>(floorf(p.c[0] + offset)), static_cast<int32_t>(floorf(p.c[1] + offset)),
                        static_cast<int32_t>(floorf(p.c[2] + offset)));
}

// The 8 corner values around uvw and the fractional position (LINEAR sampling). `read(ijk)`
// returns a corner's value.
template <typename T>
struct Corners {
  T v[2][2][2];  // [di][dj][dk]
  float f[3];
};

template <typename T, typename Read>
WP_HD Corners<T> load_corners(const v3f& uvw, Read&& read) {
  Corners<T> c;
  const nanovdb::Coord base = coord_of(uvw, 0.0f);
  for (int a = 0; a < 3; ++a) c.f[a] = uvw.c[a] - floorf(uvw.c[a]);
  for (int di = 0; di < 2; ++di)
    for (int dj = 0; dj < 2; ++dj)
      for (int dk = 0; dk < 2; ++dk) c.v[di][dj][dk] = read(base + nanovdb::Coord(di, dj, dk));
  return c;
}

WP_HD float weight(int d, float f) { return d ? f : 1.0f - f; }
WP_HD float slope(int d) { return d ? 1.0f : -1.0f; }

// a + (b − a)·t per component.
template <typename S>
WP_HD S lerp_value(const S& a, const S& b, float t) {
  return static_cast<S>(a + (b - a) * t);
}
template <typename S>
WP_HD vec_t<3, S> lerp_value(const vec_t<3, S>& a, const vec_t<3, S>& b, float t) {
  vec_t<3, S> r;
  for (int k = 0; k < 3; ++k) r.c[k] = a.c[k] + (b.c[k] - a.c[k]) * static_cast<S>(t);
  return r;
}

// The trilinear blend as 7 lerps (few instructions per sample: consecutive samples' memory
// accesses then overlap better on the CPU).
template <typename T>
WP_HD T blend(const Corners<T>& c) {
  const T x00 = lerp_value(c.v[0][0][0], c.v[0][0][1], c.f[2]), x01 = lerp_value(c.v[0][1][0], c.v[0][1][1], c.f[2]);
  const T x10 = lerp_value(c.v[1][0][0], c.v[1][0][1], c.f[2]), x11 = lerp_value(c.v[1][1][0], c.v[1][1][1], c.f[2]);
  return lerp_value(lerp_value(x00, x01, c.f[1]), lerp_value(x10, x11, c.f[1]), c.f[0]);
}

template <typename S>
WP_HD S diff_value(const S& a, const S& b) {
  return static_cast<S>(b - a);
}
template <typename S>
WP_HD vec_t<3, S> diff_value(const vec_t<3, S>& a, const vec_t<3, S>& b) {
  vec_t<3, S> r;
  for (int k = 0; k < 3; ++k) r.c[k] = b.c[k] - a.c[k];
  return r;
}
template <typename S>
WP_HD void set_grad(vec_t<3, S>& g, int axis, const S& d) {
  g.c[axis] = d;
}
template <typename S>
WP_HD void set_grad(mat_t<3, 3, S>& g, int axis, const vec_t<3, S>& d) {
  for (int r = 0; r < 3; ++r) g.data[r][axis] = d.c[r];
}

// The blend and its gradient together, as lerps of lerps and their differences (the forward
// sample_grad path; the same numbers as blend() and blend_grad() up to rounding).
template <typename T, typename G>
WP_HD T blend_and_grad(const Corners<T>& c, G& g) {
  const float fx = c.f[0], fy = c.f[1], fz = c.f[2];
  const T x00 = lerp_value(c.v[0][0][0], c.v[0][0][1], fz), x01 = lerp_value(c.v[0][1][0], c.v[0][1][1], fz);
  const T x10 = lerp_value(c.v[1][0][0], c.v[1][0][1], fz), x11 = lerp_value(c.v[1][1][0], c.v[1][1][1], fz);
  const T y0 = lerp_value(x00, x01, fy), y1 = lerp_value(x10, x11, fy);
  set_grad(g, 0, diff_value(y0, y1));
  set_grad(g, 1, lerp_value(diff_value(x00, x01), diff_value(x10, x11), fx));
  const T z00 = diff_value(c.v[0][0][0], c.v[0][0][1]), z01 = diff_value(c.v[0][1][0], c.v[0][1][1]);
  const T z10 = diff_value(c.v[1][0][0], c.v[1][0][1]), z11 = diff_value(c.v[1][1][0], c.v[1][1][1]);
  set_grad(g, 2, lerp_value(lerp_value(z00, z01, fy), lerp_value(z10, z11, fy), fx));
  return lerp_value(y0, y1, fx);
}

template <typename T, typename G>
WP_HD void blend_grad(const Corners<T>& c, G& g) {
  for (int di = 0; di < 2; ++di)
    for (int dj = 0; dj < 2; ++dj)
      for (int dk = 0; dk < 2; ++dk) {
        const T& v = c.v[di][dj][dk];
        const float wi = weight(di, c.f[0]), wj = weight(dj, c.f[1]), wk = weight(dk, c.f[2]);
        add_grad(g, 0, v, slope(di) * wj * wk);
        add_grad(g, 1, v, wi * slope(dj) * wk);
        add_grad(g, 2, v, wi * wj * slope(dk));
      }
}

// d/d uvw of Σ_axis <adj_grad[·][axis], d value / d uvw_axis>: the mixed second derivatives
// (d²/du_a du_b, a ≠ b) of the blend, contracted with adj_grad, added into adj_uvw.
template <typename T, typename G>
WP_HD void blend_hessian_adjoint(const Corners<T>& c, const G& adj_grad, v3f& adj_uvw) {
  for (int di = 0; di < 2; ++di)
    for (int dj = 0; dj < 2; ++dj)
      for (int dk = 0; dk < 2; ++dk) {
        const T& v = c.v[di][dj][dk];
        const float si = slope(di), sj = slope(dj), sk = slope(dk);
        const float wi = weight(di, c.f[0]), wj = weight(dj, c.f[1]), wk = weight(dk, c.f[2]);
        const float g0 = grad_dot(adj_grad, 0, v), g1 = grad_dot(adj_grad, 1, v), g2 = grad_dot(adj_grad, 2, v);
        adj_uvw.c[0] += g1 * si * sj * wk + g2 * si * wj * sk;
        adj_uvw.c[1] += g0 * si * sj * wk + g2 * wi * sj * sk;
        adj_uvw.c[2] += g0 * si * wj * sk + g1 * wi * sj * sk;
      }
}

template <typename T>
WP_HD void add_uvw_adjoint(const typename GradOf<T>::type& grad, const T& adj_ret, v3f& adj_uvw);
template <>
WP_HD void add_uvw_adjoint<float>(const v3f& grad, const float& adj_ret, v3f& adj_uvw) {
  for (int a = 0; a < 3; ++a) adj_uvw.c[a] += grad.c[a] * adj_ret;
}
template <>
WP_HD void add_uvw_adjoint<double>(const v3d& grad, const double& adj_ret, v3f& adj_uvw) {
  for (int a = 0; a < 3; ++a) adj_uvw.c[a] += static_cast<float>(grad.c[a] * adj_ret);
}
template <>
WP_HD void add_uvw_adjoint<v3f>(const mat_t<3, 3, float>& grad, const v3f& adj_ret, v3f& adj_uvw) {
  for (int a = 0; a < 3; ++a)
    for (int r = 0; r < 3; ++r) adj_uvw.c[a] += grad.data[r][a] * adj_ret.c[r];
}
template <>
WP_HD void add_uvw_adjoint<v3d>(const mat_t<3, 3, double>& grad, const v3d& adj_ret, v3f& adj_uvw) {
  for (int a = 0; a < 3; ++a)
    for (int r = 0; r < 3; ++r) adj_uvw.c[a] += static_cast<float>(grad.data[r][a] * adj_ret.c[r]);
}

// The 8 corners around uvw in a grid of NanoVDB type N, read as T. When the 2×2×2 block lies in
// one leaf (no coordinate of the base voxel is 7 mod 8: 67% of random points) the leaf is found
// once and the values are read from its array; with no leaf there, the block lies in one tile
// (or outside the tree) and all 8 values are that one value. Otherwise 8 reads of the tree.
// On the GPU the leaf is found from the root directly and the 8 reads of a straddling block are
// a loop that is not unrolled, without NanoVDB's caching accessor: the accessor's cached keys
// and node pointers, times 8 inlined lookups, took the sampling kernels to ~86 registers
// (a quarter of the SM's threads resident) for a path that random samples take a third of the
// time; without them they stay under 40. On the CPU the accessor's cache pays (one tree walk
// serves several corners) and registers do not limit anything.
template <typename T, typename N>
WP_HD Corners<T> grid_corners(const nanovdb::NanoGrid<N>* grid, const v3f& uvw) {
  const nanovdb::Coord base = coord_of(uvw, 0.0f);
  if ((base[0] & 7) != 7 && (base[1] & 7) != 7 && (base[2] & 7) != 7) {
    Corners<T> c;
    for (int a = 0; a < 3; ++a) c.f[a] = uvw.c[a] - floorf(uvw.c[a]);
#if defined(__CUDA_ARCH__)
    const auto* leaf = grid->tree().root().probeLeaf(base);
#else
    auto acc = grid->getAccessor();
    const auto* leaf = acc.probeLeaf(base);
#endif
    if (leaf) {
      const auto* values = leaf->data()->mValues;
      const uint32_t o = (uint32_t(base[0] & 7) << 6) | (uint32_t(base[1] & 7) << 3) | uint32_t(base[2] & 7);
      for (int di = 0; di < 2; ++di)
        for (int dj = 0; dj < 2; ++dj)
          for (int dk = 0; dk < 2; ++dk) c.v[di][dj][dk] = Traits<T>::from(values[o + 64 * di + 8 * dj + dk]);
    } else {
#if defined(__CUDA_ARCH__)
      const T v = Traits<T>::from(grid->tree().getValue(base));
#else
      const T v = Traits<T>::from(acc.getValue(base));
#endif
      for (int di = 0; di < 2; ++di)
        for (int dj = 0; dj < 2; ++dj)
          for (int dk = 0; dk < 2; ++dk) c.v[di][dj][dk] = v;
    }
    return c;
  }
#if defined(__CUDA_ARCH__)
  Corners<T> c;
  for (int a = 0; a < 3; ++a) c.f[a] = uvw.c[a] - floorf(uvw.c[a]);
  T values[8];
#pragma unroll 1
  for (int q = 0; q < 8; ++q)
    values[q] = Traits<T>::from(grid->tree().getValue(base + nanovdb::Coord(q >> 2, (q >> 1) & 1, q & 1)));
  for (int q = 0; q < 8; ++q) c.v[q >> 2][(q >> 1) & 1][q & 1] = values[q];
  return c;
#else
  auto acc = grid->getAccessor();
  return load_corners<T>(uvw, [&](const nanovdb::Coord& ijk) { return Traits<T>::from(acc.getValue(ijk)); });
#endif
}

// Value at uvw of a typed grid (`grid` not null).
template <typename T>
WP_HD T sample_grid(const nanovdb::NanoGrid<typename Traits<T>::Nano>* grid, const v3f& uvw, int32_t mode) {
  if (mode != kVolumeLinear) return Traits<T>::from(grid->tree().getValue(coord_of(uvw, 0.5f)));
  return blend(grid_corners<T>(grid, uvw));
}

template <typename T>
WP_HD T sample_grad_grid(const nanovdb::NanoGrid<typename Traits<T>::Nano>* grid, const v3f& uvw, int32_t mode,
                         typename GradOf<T>::type& grad) {
  grad = typename GradOf<T>::type{};
  if (mode != kVolumeLinear) return Traits<T>::from(grid->tree().getValue(coord_of(uvw, 0.5f)));
  return blend_and_grad(grid_corners<T>(grid, uvw), grad);
}

// Adjoint of a sample (and of its gradient output when adj_grad is given) w.r.t. uvw.
template <typename T>
WP_HD void adj_sample_grid(const nanovdb::NanoGrid<typename Traits<T>::Nano>* grid, const v3f& uvw, int32_t mode,
                           const T& adj_ret, const typename GradOf<T>::type* adj_grad, v3f& adj_uvw) {
  if (!grid || mode != kVolumeLinear) return;
  const Corners<T> c = grid_corners<T>(grid, uvw);
  typename GradOf<T>::type g{};
  blend_grad(c, g);
  add_uvw_adjoint<T>(g, adj_ret, adj_uvw);
  if (adj_grad) blend_hessian_adjoint(c, *adj_grad, adj_uvw);
}

// ---- index grids ------------------------------------------------------------------------------

WP_HD const nanovdb::NanoGrid<int32_t>* index_grid(uint64_t id) { return typed_grid<int32_t>(id, kVolumeIndex); }

template <typename T>
WP_HD T index_value(int32_t index, const array_t<T>& voxel_data, const T& background) {
#if defined(WARPC_DEBUG)
  WP_KERNEL_ASSERT(index < 0 || index < voxel_data.shape[0],
                   "volume builtin: voxel_data is shorter than the index grid's voxel count");
#endif
  return index >= 0 ? voxel_data(index) : background;
}

// Corner indices (LINEAR) of an index grid.
WP_HD Corners<int32_t> index_corners(const nanovdb::NanoGrid<int32_t>* grid, const v3f& uvw) {
  return grid_corners<int32_t>(grid, uvw);
}

template <typename T>
WP_HD Corners<T> index_corner_values(const Corners<int32_t>& idx, const array_t<T>& voxel_data, const T& background) {
  Corners<T> c;
  for (int a = 0; a < 3; ++a) c.f[a] = idx.f[a];
  for (int di = 0; di < 2; ++di)
    for (int dj = 0; dj < 2; ++dj)
      for (int dk = 0; dk < 2; ++dk) c.v[di][dj][dk] = index_value(idx.v[di][dj][dk], voxel_data, background);
  return c;
}

// voxel_data's gradient element `index` (adjoint array first, as the atomics), or null.
template <typename T>
WP_HD T* data_gradient(const array_t<T>& voxel_data, const array_t<T>& adj_voxel_data, int32_t index) {
  if (adj_voxel_data.data) return &adj_voxel_data(index);
  if (voxel_data.grad) return &voxel_data.adj(index);
  return nullptr;
}

template <typename T>
WP_HD void scatter_value_adjoint(int32_t index, float w, const T& adj_ret, const array_t<T>& voxel_data,
                                 const array_t<T>& adj_voxel_data, T& adj_background) {
  if (w == 0.0f) return;
  T contribution = zero_value<T>();
  add_scaled(contribution, adj_ret, w);
  if (index < 0) {
    add_scaled(adj_background, adj_ret, w);
    return;
  }
  if (T* g = data_gradient(voxel_data, adj_voxel_data, index)) atomic_detail::rmw<atomic_detail::Op::kAdd>(g, contribution);
}

// Column `axis` of an adjoint gradient as a value (the third argument only picks the type).
template <typename S>
WP_HD S column(const vec_t<3, S>& adj_grad, int axis, const S&) {
  return adj_grad.c[axis];
}
template <typename S>
WP_HD vec_t<3, S> column(const mat_t<3, 3, S>& adj_grad, int axis, const vec_t<3, S>&) {
  vec_t<3, S> r;
  for (int k = 0; k < 3; ++k) r.c[k] = adj_grad.data[k][axis];
  return r;
}

// Everything the index samplers' adjoints do: adj_ret (and adj_grad) to uvw, voxel data and
// background.
template <typename T>
WP_HD void adj_sample_index(uint64_t id, const v3f& uvw, int32_t mode, const array_t<T>& voxel_data,
                            const T& background, const T& adj_ret, const typename GradOf<T>::type* adj_grad,
                            v3f& adj_uvw, const array_t<T>& adj_voxel_data, T& adj_background) {
  const nanovdb::NanoGrid<int32_t>* grid = index_grid(id);
  if (!grid) return;
  if (mode != kVolumeLinear) {
    const int32_t index = grid->getAccessor().getValue(coord_of(uvw, 0.5f));
    scatter_value_adjoint(index, 1.0f, adj_ret, voxel_data, adj_voxel_data, adj_background);
    return;
  }
  const Corners<int32_t> idx = index_corners(grid, uvw);
  const Corners<T> c = index_corner_values(idx, voxel_data, background);
  typename GradOf<T>::type g{};
  blend_grad(c, g);
  add_uvw_adjoint<T>(g, adj_ret, adj_uvw);
  if (adj_grad) blend_hessian_adjoint(c, *adj_grad, adj_uvw);
  for (int di = 0; di < 2; ++di)
    for (int dj = 0; dj < 2; ++dj)
      for (int dk = 0; dk < 2; ++dk) {
        const float wi = weight(di, idx.f[0]), wj = weight(dj, idx.f[1]), wk = weight(dk, idx.f[2]);
        scatter_value_adjoint(idx.v[di][dj][dk], wi * wj * wk, adj_ret, voxel_data, adj_voxel_data, adj_background);
        if (!adj_grad) continue;
        // d grad / d corner value: the corner's gradient weights, contracted with adj_grad.
        T from_grad = zero_value<T>();
        const float dw[3] = {slope(di) * wj * wk, wi * slope(dj) * wk, wi * wj * slope(dk)};
        for (int a = 0; a < 3; ++a) add_scaled(from_grad, column(*adj_grad, a, adj_ret), dw[a]);
        scatter_value_adjoint(idx.v[di][dj][dk], 1.0f, from_grad, voxel_data, adj_voxel_data, adj_background);
      }
}

// ---- leaf-voxel access (stores) ---------------------------------------------------------------

template <typename N>
WP_HD void store_voxel(nanovdb::NanoGrid<N>* grid, int32_t i, int32_t j, int32_t k, const N& value) {
  if (!grid) return;
  const nanovdb::Coord ijk(i, j, k);
  auto acc = grid->getAccessor();
  auto* leaf = const_cast<nanovdb::NanoLeaf<N>*>(acc.probeLeaf(ijk));
  if (leaf) leaf->setValueOnly(ijk, value);
}

// ---- transforms -------------------------------------------------------------------------------

// m·x (transpose: mᵀ·x) for a row-major 3×3 m, written out (samples call this per point).
template <typename S>
WP_HD vec_t<3, S> mat_apply(const S* m, const vec_t<3, S>& x, bool transpose) {
  vec_t<3, S> r;
  if (transpose) {
    r.c[0] = m[0] * x.c[0] + m[3] * x.c[1] + m[6] * x.c[2];
    r.c[1] = m[1] * x.c[0] + m[4] * x.c[1] + m[7] * x.c[2];
    r.c[2] = m[2] * x.c[0] + m[5] * x.c[1] + m[8] * x.c[2];
  } else {
    r.c[0] = m[0] * x.c[0] + m[1] * x.c[1] + m[2] * x.c[2];
    r.c[1] = m[3] * x.c[0] + m[4] * x.c[1] + m[5] * x.c[2];
    r.c[2] = m[6] * x.c[0] + m[7] * x.c[1] + m[8] * x.c[2];
  }
  return r;
}

WP_HD const nanovdb::Map& volume_map(uint64_t id) {
  (void)get_volume(id);  // the handle checks of a debug build
  return reinterpret_cast<const nanovdb::GridData*>(id)->mMap;
}
WP_HD const float* forward_matrix(const nanovdb::Map& m, float) { return m.mMatF; }
WP_HD const double* forward_matrix(const nanovdb::Map& m, double) { return m.mMatD; }
WP_HD const float* inverse_matrix(const nanovdb::Map& m, float) { return m.mInvMatF; }
WP_HD const double* inverse_matrix(const nanovdb::Map& m, double) { return m.mInvMatD; }
WP_HD const float* translation(const nanovdb::Map& m, float) { return m.mVecF; }
WP_HD const double* translation(const nanovdb::Map& m, double) { return m.mVecD; }

template <typename S>
WP_HD void add_to(vec_t<3, S>& acc, const vec_t<3, S>& v) {
  for (int k = 0; k < 3; ++k) acc.c[k] += v.c[k];
}

}  // namespace volume_detail

// ---- sampling ---------------------------------------------------------------------------------

template <typename T>
WP_HD T volume_sample(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode) {
  using N = typename volume_detail::Traits<T>::Nano;
  const auto* grid = volume_detail::typed_grid<N>(id, volume_detail::Traits<T>::kType);
  if (!grid) return volume_detail::zero_value<T>();
  if constexpr (std::is_same_v<T, int32_t>) sampling_mode = kVolumeClosest;
  return volume_detail::sample_grid<T>(grid, uvw, sampling_mode);
}

template <typename T>
WP_HD void adj_volume_sample(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode, uint64_t& adj_id,
                             vec_t<3, float>& adj_uvw, int32_t& adj_sampling_mode, const T& adj_ret) {
  using N = typename volume_detail::Traits<T>::Nano;
  if constexpr (!std::is_same_v<T, int32_t>)
    volume_detail::adj_sample_grid<T>(volume_detail::typed_grid<N>(id, volume_detail::Traits<T>::kType), uvw,
                                      sampling_mode, adj_ret, nullptr, adj_uvw);
}

WP_HD float volume_sample_f(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode) {
  return volume_sample<float>(id, uvw, sampling_mode);
}
WP_HD void adj_volume_sample_f(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode, uint64_t& adj_id,
                               vec_t<3, float>& adj_uvw, int32_t& adj_sampling_mode, float adj_ret) {
  adj_volume_sample<float>(id, uvw, sampling_mode, adj_id, adj_uvw, adj_sampling_mode, adj_ret);
}

WP_HD vec_t<3, float> volume_sample_v(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode) {
  return volume_sample<vec_t<3, float>>(id, uvw, sampling_mode);
}
WP_HD void adj_volume_sample_v(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode, uint64_t& adj_id,
                               vec_t<3, float>& adj_uvw, int32_t& adj_sampling_mode, const vec_t<3, float>& adj_ret) {
  adj_volume_sample<vec_t<3, float>>(id, uvw, sampling_mode, adj_id, adj_uvw, adj_sampling_mode, adj_ret);
}

WP_HD int32_t volume_sample_i(uint64_t id, const vec_t<3, float>& uvw) {
  return volume_sample<int32_t>(id, uvw, kVolumeClosest);
}

template <typename T, typename G>
WP_HD T volume_sample_grad(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode, G& grad) {
  static_assert(std::is_same_v<G, typename volume_detail::GradOf<T>::type>,
                "volume_sample_grad: grad must be a vector of the volume's scalar type (a matrix for vec3 volumes)");
  using N = typename volume_detail::Traits<T>::Nano;
  const auto* grid = volume_detail::typed_grid<N>(id, volume_detail::Traits<T>::kType);
  grad = G{};
  if (!grid) return volume_detail::zero_value<T>();
  return volume_detail::sample_grad_grid<T>(grid, uvw, sampling_mode, grad);
}

// grad holds the value written by the call; adj_grad its adjoint.
template <typename T, typename G>
WP_HD void adj_volume_sample_grad(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode, const G& grad,
                                  uint64_t& adj_id, vec_t<3, float>& adj_uvw, int32_t& adj_sampling_mode,
                                  const G& adj_grad, const T& adj_ret) {
  using N = typename volume_detail::Traits<T>::Nano;
  volume_detail::adj_sample_grid<T>(volume_detail::typed_grid<N>(id, volume_detail::Traits<T>::kType), uvw,
                                    sampling_mode, adj_ret, &adj_grad, adj_uvw);
}

WP_HD float volume_sample_grad_f(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode,
                                 vec_t<3, float>& grad) {
  return volume_sample_grad<float>(id, uvw, sampling_mode, grad);
}
WP_HD void adj_volume_sample_grad_f(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode,
                                    const vec_t<3, float>& grad, uint64_t& adj_id, vec_t<3, float>& adj_uvw,
                                    int32_t& adj_sampling_mode, const vec_t<3, float>& adj_grad, float adj_ret) {
  adj_volume_sample_grad<float>(id, uvw, sampling_mode, grad, adj_id, adj_uvw, adj_sampling_mode, adj_grad, adj_ret);
}

// ---- index grids ------------------------------------------------------------------------------

template <typename T>
WP_HD T volume_sample_index(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode,
                            const array_t<T>& voxel_data, const T& background) {
  const nanovdb::NanoGrid<int32_t>* grid = volume_detail::index_grid(id);
  if (!grid) return volume_detail::zero_value<T>();
  if (sampling_mode != kVolumeLinear)
    return volume_detail::index_value(grid->getAccessor().getValue(volume_detail::coord_of(uvw, 0.5f)), voxel_data,
                                      background);
  const auto idx = volume_detail::index_corners(grid, uvw);
  return volume_detail::blend(volume_detail::index_corner_values(idx, voxel_data, background));
}

template <typename T>
WP_HD void adj_volume_sample_index(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode,
                                   const array_t<T>& voxel_data, const T& background, uint64_t& adj_id,
                                   vec_t<3, float>& adj_uvw, int32_t& adj_sampling_mode,
                                   const array_t<T>& adj_voxel_data, T& adj_background, const T& adj_ret) {
  volume_detail::adj_sample_index<T>(id, uvw, sampling_mode, voxel_data, background, adj_ret, nullptr, adj_uvw,
                                     adj_voxel_data, adj_background);
}

template <typename T, typename G>
WP_HD T volume_sample_grad_index(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode,
                                 const array_t<T>& voxel_data, const T& background, G& grad) {
  static_assert(std::is_same_v<G, typename volume_detail::GradOf<T>::type>,
                "volume_sample_grad_index: grad must be a vector of the data's scalar type (a matrix for vec3 data)");
  grad = G{};
  const nanovdb::NanoGrid<int32_t>* grid = volume_detail::index_grid(id);
  if (!grid) return volume_detail::zero_value<T>();
  if (sampling_mode != kVolumeLinear)
    return volume_detail::index_value(grid->getAccessor().getValue(volume_detail::coord_of(uvw, 0.5f)), voxel_data,
                                      background);
  const auto c = volume_detail::index_corner_values(volume_detail::index_corners(grid, uvw), voxel_data, background);
  return volume_detail::blend_and_grad(c, grad);
}

template <typename T, typename G>
WP_HD void adj_volume_sample_grad_index(uint64_t id, const vec_t<3, float>& uvw, int32_t sampling_mode,
                                        const array_t<T>& voxel_data, const T& background, const G& grad,
                                        uint64_t& adj_id, vec_t<3, float>& adj_uvw, int32_t& adj_sampling_mode,
                                        const array_t<T>& adj_voxel_data, T& adj_background, const G& adj_grad,
                                        const T& adj_ret) {
  volume_detail::adj_sample_index<T>(id, uvw, sampling_mode, voxel_data, background, adj_ret, &adj_grad, adj_uvw,
                                     adj_voxel_data, adj_background);
}

WP_HD int32_t volume_lookup_index(uint64_t id, int32_t i, int32_t j, int32_t k) {
  const nanovdb::NanoGrid<int32_t>* grid = volume_detail::index_grid(id);
  return grid ? grid->getAccessor().getValue(nanovdb::Coord(i, j, k)) : -1;
}

// ---- lookups and stores -----------------------------------------------------------------------

template <typename T>
WP_HD T volume_lookup(uint64_t id, int32_t i, int32_t j, int32_t k) {
  using N = typename volume_detail::Traits<T>::Nano;
  const auto* grid = volume_detail::typed_grid<N>(id, volume_detail::Traits<T>::kType);
  if (!grid) return volume_detail::zero_value<T>();
  return volume_detail::Traits<T>::from(grid->getAccessor().getValue(nanovdb::Coord(i, j, k)));
}
WP_HD float volume_lookup_f(uint64_t id, int32_t i, int32_t j, int32_t k) { return volume_lookup<float>(id, i, j, k); }
WP_HD vec_t<3, float> volume_lookup_v(uint64_t id, int32_t i, int32_t j, int32_t k) {
  return volume_lookup<vec_t<3, float>>(id, i, j, k);
}
WP_HD int32_t volume_lookup_i(uint64_t id, int32_t i, int32_t j, int32_t k) { return volume_lookup<int32_t>(id, i, j, k); }

template <typename T>
WP_HD void volume_store(uint64_t id, int32_t i, int32_t j, int32_t k, const T& value) {
  using Tr = volume_detail::Traits<T>;
  volume_detail::store_voxel(volume_detail::typed_grid<typename Tr::Nano>(id, Tr::kType), i, j, k, Tr::to(value));
}
WP_HD void volume_store_f(uint64_t id, int32_t i, int32_t j, int32_t k, float value) { volume_store(id, i, j, k, value); }
WP_HD void volume_store_v(uint64_t id, int32_t i, int32_t j, int32_t k, const vec_t<3, float>& value) {
  volume_store(id, i, j, k, value);
}
WP_HD void volume_store_i(uint64_t id, int32_t i, int32_t j, int32_t k, int32_t value) { volume_store(id, i, j, k, value); }

WP_HD int32_t volume_voxel_count(uint64_t id) { return static_cast<int32_t>(volume_detail::get_volume(id)->voxel_count); }

// ---- transforms -------------------------------------------------------------------------------

template <typename S>
WP_HD vec_t<3, S> volume_index_to_world(uint64_t id, const vec_t<3, S>& uvw) {
  const nanovdb::Map& m = volume_detail::volume_map(id);
  vec_t<3, S> r = volume_detail::mat_apply(volume_detail::forward_matrix(m, S()), uvw, false);
  for (int k = 0; k < 3; ++k) r.c[k] += volume_detail::translation(m, S())[k];
  return r;
}
template <typename S>
WP_HD vec_t<3, S> volume_index_to_world_dir(uint64_t id, const vec_t<3, S>& uvw) {
  return volume_detail::mat_apply(volume_detail::forward_matrix(volume_detail::volume_map(id), S()), uvw, false);
}
template <typename S>
WP_HD vec_t<3, S> volume_world_to_index(uint64_t id, const vec_t<3, S>& xyz) {
  const nanovdb::Map& m = volume_detail::volume_map(id);
  vec_t<3, S> d;
  for (int k = 0; k < 3; ++k) d.c[k] = xyz.c[k] - volume_detail::translation(m, S())[k];
  return volume_detail::mat_apply(volume_detail::inverse_matrix(m, S()), d, false);
}
template <typename S>
WP_HD vec_t<3, S> volume_world_to_index_dir(uint64_t id, const vec_t<3, S>& xyz) {
  return volume_detail::mat_apply(volume_detail::inverse_matrix(volume_detail::volume_map(id), S()), xyz, false);
}

template <typename S>
WP_HD void adj_volume_index_to_world(uint64_t id, const vec_t<3, S>& uvw, uint64_t& adj_id, vec_t<3, S>& adj_uvw,
                                     const vec_t<3, S>& adj_ret) {
  volume_detail::add_to(adj_uvw, volume_detail::mat_apply(
                                     volume_detail::forward_matrix(volume_detail::volume_map(id), S()), adj_ret, true));
}
template <typename S>
WP_HD void adj_volume_index_to_world_dir(uint64_t id, const vec_t<3, S>& uvw, uint64_t& adj_id,
                                         vec_t<3, S>& adj_uvw, const vec_t<3, S>& adj_ret) {
  adj_volume_index_to_world(id, uvw, adj_id, adj_uvw, adj_ret);
}
template <typename S>
WP_HD void adj_volume_world_to_index(uint64_t id, const vec_t<3, S>& xyz, uint64_t& adj_id, vec_t<3, S>& adj_xyz,
                                     const vec_t<3, S>& adj_ret) {
  volume_detail::add_to(adj_xyz, volume_detail::mat_apply(
                                     volume_detail::inverse_matrix(volume_detail::volume_map(id), S()), adj_ret, true));
}
template <typename S>
WP_HD void adj_volume_world_to_index_dir(uint64_t id, const vec_t<3, S>& xyz, uint64_t& adj_id,
                                         vec_t<3, S>& adj_xyz, const vec_t<3, S>& adj_ret) {
  adj_volume_world_to_index(id, xyz, adj_id, adj_xyz, adj_ret);
}

}  // namespace wp
