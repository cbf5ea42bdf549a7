// volume_test.cpp — host tests of wp/builtins/volume.h on volumes made by wp::Volume: every
// adjoint (sample, sample_grad with the adjoint of its gradient output, the vec3 and float64
// forms, the index samplers w.r.t. uvw, voxel data and background, the transforms) against
// central differences of the forward builtin, accumulation into preset adjoints, CLOSEST giving
// no position gradient, and a volume of another value type giving zeros.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "wp/builtins.h"
#include "wp/volume.h"

namespace {

using V3 = wp::vec_t<3, float>;
using M33 = wp::mat_t<3, 3, float>;

V3 v3(float x, float y, float z) { return V3{{x, y, z}}; }

// A dense 6×7×8 float volume with a smooth, non-polynomial field (index-space uvw in [0, 5]).
template <typename T>
wp::Volume field_volume(T (*f)(int, int, int), const T& background) {
  std::vector<T> values(6 * 7 * 8);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 7; ++j)
      for (int k = 0; k < 8; ++k) values[(i * 7 + j) * 8 + k] = f(i, j, k);
  return wp::Volume::from_dense(wp::from_host(values, wp::Shape{6, 7, 8}), wp::vec3d{{0.1, 0.2, -0.3}},
                                wp::vec3d{{0.5, 0.25, 2.0}}, background);
}
float scalar_field(int i, int j, int k) { return std::sin(0.9f * i) * std::cos(0.6f * j) + 0.3f * k * k - 0.1f * i * k; }
double double_field(int i, int j, int k) { return std::cos(0.4 * i + 0.7 * j) + 0.05 * k * j; }
V3 vector_field(int i, int j, int k) { return v3(std::sin(0.5f * i + k), 0.2f * j * j - k, std::cos(0.3f * i * j)); }

// Points inside cells (fractions away from 0 and 1, so central differences stay in one cell).
const V3 kPoints[] = {v3(1.3f, 2.6f, 3.45f), v3(0.2f, 0.7f, 0.35f), v3(3.75f, 4.2f, 5.6f), v3(4.4f, 1.15f, 2.8f),
                      v3(-0.6f, 3.3f, 6.7f)};  // the last one partly outside (background corners)

// Central difference of a scalar function of uvw.
V3 fd_uvw(const std::function<double(const V3&)>& f, const V3& p) {
  V3 g;
  const float h = 1e-3f;
  for (int a = 0; a < 3; ++a) {
    V3 lo = p, hi = p;
    lo.c[a] -= h, hi.c[a] += h;
    g.c[a] = float((f(hi) - f(lo)) / (double(hi.c[a]) - double(lo.c[a])));
  }
  return g;
}

void expect_vec_near(const V3& got, const V3& want, float tol, const char* what) {
  for (int a = 0; a < 3; ++a) EXPECT_NEAR(got.c[a], want.c[a], tol * (1 + std::fabs(want.c[a]))) << what << " axis " << a;
}

TEST(VolumeAdjoint, SampleFloatMatchesCentralDifferences) {
  const wp::Volume vol = field_volume(scalar_field, -1.0f);
  for (const V3& p : kPoints) {
    const float g_out = 0.7f;
    V3 adj_uvw = v3(0.25f, 0.25f, 0.25f);
    uint64_t adj_id = 0;
    int32_t adj_mode = 0;
    wp::adj_volume_sample_f(vol.id(), p, wp::kVolumeLinear, adj_id, adj_uvw, adj_mode, g_out);
    const V3 fd = fd_uvw([&](const V3& q) { return g_out * wp::volume_sample_f(vol.id(), q, wp::kVolumeLinear); }, p);
    expect_vec_near(adj_uvw, v3(0.25f + fd.c[0], 0.25f + fd.c[1], 0.25f + fd.c[2]), 2e-3f, "sample_f");
    // CLOSEST: piecewise constant, no position gradient.
    V3 none = v3(0, 0, 0);
    wp::adj_volume_sample_f(vol.id(), p, wp::kVolumeClosest, adj_id, none, adj_mode, g_out);
    expect_vec_near(none, v3(0, 0, 0), 0, "closest");
  }
}

TEST(VolumeAdjoint, SampleGradIncludesTheGradientOutput) {
  const wp::Volume vol = field_volume(scalar_field, -1.0f);
  const V3 adj_grad = v3(0.3f, -1.1f, 0.45f);
  for (const V3& p : kPoints) {
    // loss = 0.6 · value + ⟨adj_grad, grad⟩
    auto loss = [&](const V3& q) {
      V3 g;
      const float v = wp::volume_sample_grad_f(vol.id(), q, wp::kVolumeLinear, g);
      return 0.6 * v + double(adj_grad.c[0]) * g.c[0] + double(adj_grad.c[1]) * g.c[1] + double(adj_grad.c[2]) * g.c[2];
    };
    V3 g;
    wp::volume_sample_grad_f(vol.id(), p, wp::kVolumeLinear, g);
    V3 adj_uvw = v3(0, 0, 0);
    uint64_t adj_id = 0;
    int32_t adj_mode = 0;
    wp::adj_volume_sample_grad_f(vol.id(), p, wp::kVolumeLinear, g, adj_id, adj_uvw, adj_mode, adj_grad, 0.6f);
    expect_vec_near(adj_uvw, fd_uvw(loss, p), 2e-3f, "sample_grad_f");
    // The generic form agrees with the _f form.
    V3 g2;
    EXPECT_EQ(wp::volume_sample_grad<float>(vol.id(), p, wp::kVolumeLinear, g2), wp::volume_sample_grad_f(vol.id(), p, 1, g));
    expect_vec_near(g2, g, 0, "generic grad");
  }
}

TEST(VolumeAdjoint, Vec3AndFloat64Volumes) {
  const wp::Volume vv = field_volume(vector_field, v3(1, 2, 3));
  const wp::Volume vd = field_volume(double_field, 0.5);
  const V3 w = v3(0.4f, -0.8f, 1.2f);
  M33 adj_m{};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) adj_m.data[r][c] = 0.1f * (r + 1) - 0.2f * c;
  for (const V3& p : kPoints) {
    uint64_t adj_id = 0;
    int32_t adj_mode = 0;
    // vec3: loss = ⟨w, value⟩ + Σ adj_m ∘ grad
    auto loss = [&](const V3& q) {
      M33 g;
      const V3 v = wp::volume_sample_grad<V3>(vv.id(), q, wp::kVolumeLinear, g);
      double s = double(w.c[0]) * v.c[0] + double(w.c[1]) * v.c[1] + double(w.c[2]) * v.c[2];
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) s += double(adj_m.data[r][c]) * g.data[r][c];
      return s;
    };
    M33 g;
    wp::volume_sample_grad<V3>(vv.id(), p, wp::kVolumeLinear, g);
    V3 adj_uvw = v3(0, 0, 0);
    wp::adj_volume_sample_grad<V3>(vv.id(), p, wp::kVolumeLinear, g, adj_id, adj_uvw, adj_mode, adj_m, w);
    expect_vec_near(adj_uvw, fd_uvw(loss, p), 3e-3f, "vec3 sample_grad");
    V3 adj_v = v3(0, 0, 0);
    wp::adj_volume_sample_v(vv.id(), p, wp::kVolumeLinear, adj_id, adj_v, adj_mode, w);
    const V3 fd_v = fd_uvw([&](const V3& q) {
      const V3 v = wp::volume_sample_v(vv.id(), q, wp::kVolumeLinear);
      return double(w.c[0]) * v.c[0] + double(w.c[1]) * v.c[1] + double(w.c[2]) * v.c[2];
    }, p);
    expect_vec_near(adj_v, fd_v, 3e-3f, "sample_v");
    // float64
    V3 adj_d = v3(0, 0, 0);
    wp::adj_volume_sample<double>(vd.id(), p, wp::kVolumeLinear, adj_id, adj_d, adj_mode, 1.5);
    expect_vec_near(adj_d, fd_uvw([&](const V3& q) { return 1.5 * wp::volume_sample<double>(vd.id(), q, 1); }, p), 2e-3f,
                    "float64 sample");
  }
}

TEST(VolumeAdjoint, IndexSamplersReachDataAndBackground) {
  std::vector<wp::vec3i> voxels;
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 5; ++j)
      for (int k = 0; k < 7; ++k)
        if ((i * 7 + j * 3 + k) % 4 != 0) voxels.push_back({{i, j, k}});  // holes: background corners
  const wp::Volume vol = wp::Volume::allocate_by_voxels(wp::from_host(voxels), wp::vec3d{{1, 1, 1}});
  const int n = int(vol.voxel_count());
  std::vector<float> data(n), data_grad(n, 0.0f);
  for (int k = 0; k < n; ++k) data[k] = std::sin(0.31f * k) + 0.02f * k;
  wp::array_t<float> view{}, adj_view{};
  view.data = data.data();
  view.grad = data_grad.data();
  view.shape[0] = n;
  view.strides[0] = sizeof(float);
  view.ndim = 1;
  const float background = 0.75f;
  const V3 adj_grad = v3(-0.4f, 0.9f, 0.35f);
  for (const V3& p : kPoints) {
    auto loss = [&](const V3& q, float bg) {
      V3 g;
      const float v = wp::volume_sample_grad_index(vol.id(), q, wp::kVolumeLinear, view, bg, g);
      return 1.3 * v + double(adj_grad.c[0]) * g.c[0] + double(adj_grad.c[1]) * g.c[1] + double(adj_grad.c[2]) * g.c[2];
    };
    std::fill(data_grad.begin(), data_grad.end(), 0.0f);
    V3 g;
    wp::volume_sample_grad_index(vol.id(), p, wp::kVolumeLinear, view, background, g);
    V3 adj_uvw = v3(0, 0, 0);
    float adj_bg = 0.25f;
    uint64_t adj_id = 0;
    int32_t adj_mode = 0;
    wp::adj_volume_sample_grad_index(vol.id(), p, wp::kVolumeLinear, view, background, g, adj_id, adj_uvw, adj_mode,
                                     adj_view, adj_bg, adj_grad, 1.3f);
    expect_vec_near(adj_uvw, fd_uvw([&](const V3& q) { return loss(q, background); }, p), 3e-3f, "index uvw");
    const double fd_bg = (loss(p, background + 1e-2f) - loss(p, background - 1e-2f)) / 2e-2;
    EXPECT_NEAR(adj_bg, 0.25 + fd_bg, 2e-3 * (1 + std::fabs(fd_bg)));
    // Voxel data: the loss is linear in each entry — a unit step is exact.
    for (int k = 0; k < n; ++k) {
      const float saved = data[k];
      const double base = loss(p, background);
      data[k] = saved + 1.0f;
      const double fd = loss(p, background) - base;
      data[k] = saved;
      EXPECT_NEAR(data_grad[k], fd, 1e-4 * (1 + std::fabs(fd))) << "data " << k;
    }
    // The plain sampler: weights only.
    std::fill(data_grad.begin(), data_grad.end(), 0.0f);
    V3 adj_plain = v3(0, 0, 0);
    float adj_bg_plain = 0;
    wp::adj_volume_sample_index(vol.id(), p, wp::kVolumeLinear, view, background, adj_id, adj_plain, adj_mode, adj_view,
                                adj_bg_plain, 1.0f);
    double weight_sum = adj_bg_plain;
    for (float w : data_grad) weight_sum += w;
    EXPECT_NEAR(weight_sum, 1.0, 1e-5);
  }
}

TEST(VolumeAdjoint, TransformsAndTypeMismatch) {
  const wp::Volume vol = field_volume(scalar_field, -1.0f);
  const V3 p = v3(0.7f, -1.3f, 2.2f), w = v3(0.5f, 1.5f, -2.0f);
  uint64_t adj_id = 0;
  V3 adj = v3(0, 0, 0);
  wp::adj_volume_index_to_world(vol.id(), p, adj_id, adj, w);
  expect_vec_near(adj, v3(0.25f, 0.375f, -4.0f), 1e-6f, "index_to_world");  // Mᵀ w, M = diag(0.5, 0.25, 2)
  adj = v3(0, 0, 0);
  wp::adj_volume_world_to_index(vol.id(), p, adj_id, adj, w);
  expect_vec_near(adj, v3(1.0f, 6.0f, -1.0f), 1e-6f, "world_to_index");
  const V3 back = wp::volume_world_to_index(vol.id(), wp::volume_index_to_world(vol.id(), p));
  expect_vec_near(back, p, 1e-6f, "round trip");
  const V3 dir = wp::volume_index_to_world_dir(vol.id(), p);
  expect_vec_near(dir, v3(0.35f, -0.325f, 4.4f), 1e-6f, "index_to_world_dir");
  // A float volume read as vec3 / int32 / index: zeros, no adjoint, nothing read.
  EXPECT_EQ(wp::volume_sample_v(vol.id(), p, 1).c[0], 0.0f);
  EXPECT_EQ(wp::volume_sample_i(vol.id(), p), 0);
  EXPECT_EQ(wp::volume_lookup_index(vol.id(), 1, 1, 1), -1);
  V3 none = v3(0, 0, 0);
  int32_t adj_mode = 0;
  wp::adj_volume_sample_v(vol.id(), p, 1, adj_id, none, adj_mode, v3(1, 1, 1));
  expect_vec_near(none, v3(0, 0, 0), 0, "mismatched adjoint");
}

}  // namespace
