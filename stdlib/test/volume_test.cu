// volume_test.cu — device tests of wp/builtins/volume.h (CTest label gpu): the same grids made
// by wp::Volume on the CPU and on cuda:0 (byte-identical copies), and every sampler, lookup,
// transform and adjoint evaluated in a CUDA kernel must match the host evaluation (float
// rounding may differ between host and device FMA contraction: tolerance 1e-5 relative).
// Stores in a kernel must land in the grid as on the host.
#include <cmath>
#include <vector>

#include "device_eval.cuh"
#include "wp/volume.h"

namespace {

using V3 = wp::vec_t<3, float>;
using Out = wp::vec_t<16, float>;

WP_HD V3 point(int i) {
  // Spread over a 6×7×8 volume and a little outside (background corners).
  const uint32_t h = wp_test::hash32(uint32_t(i) * 3u + 1u);
  return V3{{-0.5f + 6.5f * float(h & 1023u) / 1023.0f, -0.5f + 7.5f * float((h >> 10) & 1023u) / 1023.0f,
             -0.5f + 8.5f * float((h >> 20) & 1023u) / 1023.0f}};
}

struct FloatQueries {
  uint64_t id;
  WP_HD Out operator()(int i) const {
    const V3 p = point(i);
    Out o{};
    V3 g;
    o.c[0] = wp::volume_sample_f(id, p, wp::kVolumeLinear);
    o.c[1] = wp::volume_sample_f(id, p, wp::kVolumeClosest);
    o.c[2] = wp::volume_sample_grad_f(id, p, wp::kVolumeLinear, g);
    for (int a = 0; a < 3; ++a) o.c[3 + a] = g.c[a];
    V3 adj = V3{{0, 0, 0}};
    uint64_t adj_id = 0;
    int32_t adj_mode = 0;
    wp::adj_volume_sample_grad_f(id, p, wp::kVolumeLinear, g, adj_id, adj, adj_mode, V3{{0.3f, -0.7f, 1.1f}}, 0.9f);
    for (int a = 0; a < 3; ++a) o.c[6 + a] = adj.c[a];
    const V3 w = wp::volume_index_to_world(id, p);
    const V3 back = wp::volume_world_to_index_dir(id, p);
    for (int a = 0; a < 3; ++a) o.c[9 + a] = w.c[a], o.c[12 + a] = back.c[a];
    o.c[15] = wp::volume_lookup_f(id, int(p.c[0]), int(p.c[1]), int(p.c[2])) + float(wp::volume_voxel_count(id));
    return o;
  }
};

struct IndexQueries {
  uint64_t id;
  wp::array_t<float> data;
  WP_HD Out operator()(int i) const {
    const V3 p = point(i);
    Out o{};
    V3 g;
    o.c[0] = wp::volume_sample_grad_index(id, p, wp::kVolumeLinear, data, -2.0f, g);
    for (int a = 0; a < 3; ++a) o.c[1 + a] = g.c[a];
    o.c[4] = wp::volume_sample_index(id, p, wp::kVolumeClosest, data, -2.0f);
    o.c[5] = float(wp::volume_lookup_index(id, int(p.c[0]), int(p.c[1]), int(p.c[2])));
    V3 adj = V3{{0, 0, 0}};
    float adj_bg = 0;
    uint64_t adj_id = 0;
    int32_t adj_mode = 0;
    wp::array_t<float> no_adj{};  // voxel-data gradients go to data.grad (null here: skipped)
    wp::adj_volume_sample_index(id, p, wp::kVolumeLinear, data, -2.0f, adj_id, adj, adj_mode, no_adj, adj_bg, 1.0f);
    for (int a = 0; a < 3; ++a) o.c[6 + a] = adj.c[a];
    o.c[9] = adj_bg;
    return o;
  }
};

float field(int i, int j, int k) { return std::sin(0.9f * i) * std::cos(0.6f * j) + 0.3f * k * k - 0.1f * i * k; }

TEST(VolumeDevice, FloatVolumeMatchesHost) {
  WP_REQUIRE_GPU();
  std::vector<float> values(6 * 7 * 8);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 7; ++j)
      for (int k = 0; k < 8; ++k) values[(i * 7 + j) * 8 + k] = field(i, j, k);
  const wp::Volume host = wp::Volume::from_dense(wp::from_host(values, wp::Shape{6, 7, 8}), wp::vec3d{{0.1, 0.2, -0.3}},
                                                 wp::vec3d{{0.5, 0.25, 2.0}}, -1.0f);
  const wp::Volume dev = host.to(wp::Device("cuda:0"));
  EXPECT_EQ(dev.grid_bytes(), host.grid_bytes());
  const int n = 4096;
  wp_test::expect_close(wp_test::eval_on_host(FloatQueries{host.id()}, n), wp_test::eval_on_device(FloatQueries{dev.id()}, n),
                        1e-5, "float volume", 1e-5);  // gradients: FMA contraction on the device, |error| ≈ 2e-6
}

TEST(VolumeDevice, IndexVolumeMatchesHost) {
  WP_REQUIRE_GPU();
  std::vector<wp::vec3i> voxels;
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 7; ++j)
      for (int k = 0; k < 8; ++k)
        if ((i + 2 * j + 3 * k) % 5 != 0) voxels.push_back({{i, j, k}});
  const wp::Device gpu("cuda:0");
  const wp::Volume host = wp::Volume::allocate_by_voxels(wp::from_host(voxels), wp::vec3d{{1, 1, 1}});
  const wp::Volume dev = wp::Volume::allocate_by_voxels(wp::from_host(voxels, gpu), wp::vec3d{{1, 1, 1}},
                                                        wp::vec3d{{0, 0, 0}}, gpu);
  EXPECT_EQ(dev.grid_bytes(), host.grid_bytes());
  const int m = int(host.voxel_count());
  std::vector<float> data(m);
  for (int k = 0; k < m; ++k) data[k] = std::cos(0.21f * k);
  const auto hd = wp::from_host(data), dd = wp::from_host(data, gpu);
  const int n = 4096;
  wp_test::expect_close(wp_test::eval_on_host(IndexQueries{host.id(), hd.view()}, n),
                        wp_test::eval_on_device(IndexQueries{dev.id(), dd.view()}, n), 1e-5, "index volume", 1e-6);
}

__global__ void store_kernel(uint64_t id) {
  const int i = threadIdx.x, j = threadIdx.y, k = threadIdx.z;
  wp::volume_store_f(id, i, j, k, float(i * 100 + j * 10 + k));
}

TEST(VolumeDevice, StoresLandInTheGrid) {
  WP_REQUIRE_GPU();
  const wp::Volume vol = wp::Volume::allocate<float>(wp::vec3d{{0, 0, 0}}, wp::vec3d{{7, 7, 7}}, wp::vec3d{{1, 1, 1}}, 0.0f,
                                                     wp::vec3d{{0, 0, 0}}, false, wp::Device("cuda:0"));
  store_kernel<<<1, dim3(8, 8, 8)>>>(vol.id());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const wp::Volume back = vol.to(wp::Device());
  for (int i = 0; i < 8; ++i)
    for (int k = 0; k < 8; ++k) EXPECT_EQ(wp::volume_lookup_f(back.id(), i, 3, k), float(i * 100 + 30 + k));
}

}  // namespace
