// volume_test.cpp — wp::Volume on the CPU (CTest label cpu): level sets made with NanoVDB's
// Primitives.h (sphere, torus, box) written to .nvdb and read back, compared with their analytic
// signed distance (closest and trilinear samples, gradients); dense, bounds, tile and voxel
// (index) volumes compared with NVIDIA Warp 1.19's values; save/load round trips; and every
// error path of loading (missing, foreign, truncated and corrupt files, compressed grids,
// unsupported grid types) and building (bad voxel sizes, arrays on other devices).
#include <gtest/gtest.h>

#include <nanovdb/util/IO.h>
#include <nanovdb/util/Primitives.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"
#include "wp/builtins.h"
#include "wp/volume.h"

namespace {

using wp_test::error_of;
using V3 = wp::vec_t<3, float>;

// Reference values printed by tools/volume/warp_volume_oracle.py (Warp 1.19, CPU) for the
// inputs described there and rebuilt below.
// Warp 1.19.0: dense volume, voxel count 512
constexpr float kDenseLinear[] = {0.878405213f, 1.30034804f, -0.967982054f, 1.19647384f, 0.79282409f, 0.5f, -1.79179049f, 0.281935573f};
constexpr float kDenseClosest[] = {0.750223577f, 1.41625476f, -2.0f, 1.21184874f, 0.849122584f, 0.5f, -2.0f, 1.78544974f};
constexpr float kDenseGrad[] = {0.620217621f, -0.145418614f, 0.100000016f, 0.311232001f, -0.169418633f, 0.100000024f, 2.58004451f, -0.019910574f, 0.0400000028f, -0.192440331f, -0.272904396f, 0.100000009f, -0.622221231f, -0.264485747f, 0.100000046f, 0.64421773f, -0.0497764349f, 0.100000024f, -0.832838058f, -0.277612686f, -0.416419029f, -0.0733442307f, 3.80322576f, 0.0600000769f};
constexpr float kDenseWorld[] = {0.574999988f, -0.699999988f, 2.67499995f, 0.875f, -0.625f, 2.375f, 0.349999994f, -0.949999988f, 2.2249999f, 1.12249994f, -0.122500002f, 3.125f, 1.29999995f, 0.174999952f, 3.4749999f, 0.5f, -1.0f, 2.0f, 1.6875f, 0.3125f, 3.625f, 1.02499998f, -1.10000002f, 2.82500005f};
constexpr float kDenseIndex[] = {-0.799999952f, 8.80000019f, 2.80000019f, 4.0f, 10.0f, -2.0f, -4.4000001f, 4.80000019f, -4.4000001f, 7.96000004f, 18.0400009f, 10.0f, 10.8000002f, 22.7999992f, 15.6000004f, -2.0f, 4.0f, -8.0f, 17.0f, 25.0f, 18.0f, 6.39999962f, 2.4000001f, 5.19999981f};
// index grid: voxels in index order [[-2, 0, 9], [0, 0, 0], [1, 0, 0], [3, 4, 5]]
constexpr float kIndexLinear[] = {-1.0f, 10.75f, 16.9550018f, 12.7760029f};
constexpr float kIndexGrad[] = {0.0f, 0.0f, 0.0f, 5.0f, -23.5f, -11.75f, 6.29999876f, -19.9499989f, -25.6499977f, 22.9600067f, 19.6800022f, 17.2199993f};


constexpr float kPoints[][3] = {{0.3f, 1.2f, 2.7f}, {1.5f, 1.5f, 1.5f}, {-0.6f, 0.2f, 0.9f}, {2.49f, 3.51f, 4.5f},
                                {3.2f, 4.7f, 5.9f}, {0.0f, 0.0f, 0.0f}, {4.75f, 5.25f, 6.5f}, {2.1f, -0.4f, 3.3f}};

V3 v3(float x, float y, float z) { return V3{{x, y, z}}; }

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("warpc_volume_test_" + std::to_string(::getpid()) + "_" + name);
}

std::vector<uint8_t> read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void write_all(const std::filesystem::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

wp::Volume dense_volume() {
  const int ni = 5, nj = 6, nk = 7;
  std::vector<float> values(ni * nj * nk);
  for (int i = 0; i < ni; ++i)
    for (int j = 0; j < nj; ++j)
      for (int k = 0; k < nk; ++k)
        values[(i * nj + j) * nk + k] = static_cast<float>(std::sin(0.7 * i) + 0.5 * std::cos(0.45 * j) + 0.1 * k - 0.02 * i * j);
  return wp::Volume::from_dense(wp::from_host(values, wp::Shape{ni, nj, nk}), wp::vec3d{{0.5, -1.0, 2.0}},
                                wp::vec3d{{0.25, 0.25, 0.25}}, -2.0f);
}

// A level-set sphere (radius 20 world units, centre (1, 2, 3), voxel 0.5, half width 3 voxels)
// written to a .nvdb file by NanoVDB and loaded back.
wp::Volume sphere_from_file(const std::filesystem::path& path) {
  auto handle = nanovdb::createLevelSetSphere<float>(20.0f, nanovdb::Vec3f(1, 2, 3), 0.5, 3.0);
  nanovdb::io::writeGrid(path.string(), handle);
  return wp::Volume::load(path.string());
}

TEST(Volume, DenseMatchesWarp) {
  const wp::Volume vol = dense_volume();
  EXPECT_EQ(vol.type(), wp::VolumeType::Float32);
  EXPECT_EQ(vol.voxel_count(), 512);  // as Warp: the whole 8^3 leaf is active
  for (int p = 0; p < 8; ++p) {
    const V3 uvw = v3(kPoints[p][0], kPoints[p][1], kPoints[p][2]);
    EXPECT_NEAR(wp::volume_sample_f(vol.id(), uvw, wp::kVolumeLinear), kDenseLinear[p], 2e-6f) << p;
    EXPECT_EQ(wp::volume_sample_f(vol.id(), uvw, wp::kVolumeClosest), kDenseClosest[p]) << p;
    V3 g;
    const float value = wp::volume_sample_grad_f(vol.id(), uvw, wp::kVolumeLinear, g);
    EXPECT_NEAR(value, kDenseLinear[p], 2e-6f);
    const V3 world = wp::volume_index_to_world(vol.id(), uvw);
    const V3 index = wp::volume_world_to_index(vol.id(), uvw);
    for (int a = 0; a < 3; ++a) {
      EXPECT_NEAR(g.c[a], kDenseGrad[3 * p + a], 1e-5f) << p << " axis " << a;
      EXPECT_NEAR(world.c[a], kDenseWorld[3 * p + a], 1e-6f);
      EXPECT_NEAR(index.c[a], kDenseIndex[3 * p + a], 1e-5f);
    }
  }
  EXPECT_EQ(wp::volume_voxel_count(vol.id()), 512);
  EXPECT_FLOAT_EQ(wp::volume_lookup_f(vol.id(), 9, 9, 9), -2.0f);
}

TEST(Volume, IndexGridMatchesWarp) {
  const wp::array<wp::vec3i> pts = wp::from_host(std::vector<wp::vec3i>{
      {{0, 0, 0}}, {{3, 4, 5}}, {{-2, 0, 9}}, {{1, 0, 0}}, {{3, 4, 5}}});  // one duplicate
  const wp::Volume vol = wp::Volume::allocate_by_voxels(pts, wp::vec3d{{0.5, 0.5, 0.5}});
  EXPECT_TRUE(vol.is_index());
  EXPECT_EQ(vol.voxel_count(), 4);
  const std::vector<wp::vec3i> order = vol.voxels();
  ASSERT_EQ(order.size(), 4u);
  const int expected[4][3] = {{-2, 0, 9}, {0, 0, 0}, {1, 0, 0}, {3, 4, 5}};  // Warp's order
  for (int n = 0; n < 4; ++n) {
    for (int a = 0; a < 3; ++a) EXPECT_EQ(order[n].c[a], expected[n][a]);
    EXPECT_EQ(wp::volume_lookup_index(vol.id(), expected[n][0], expected[n][1], expected[n][2]), n);
  }
  EXPECT_EQ(wp::volume_lookup_index(vol.id(), 1, 1, 1), -1);
  float data[4] = {10, 20, 30, 40};
  wp::array_t<float> view;
  view.data = data;
  view.shape[0] = 4;
  view.strides[0] = sizeof(float);
  view.ndim = 1;
  const V3 ipts[4] = {v3(1.5f, 2.0f, 2.5f), v3(0.25f, 0.5f, 0.0f), v3(0.75f, 0.1f, 0.3f), v3(2.6f, 3.7f, 4.8f)};
  for (int p = 0; p < 4; ++p) {
    V3 g;
    const float value = wp::volume_sample_grad_index(vol.id(), ipts[p], wp::kVolumeLinear, view, -1.0f, g);
    EXPECT_NEAR(value, kIndexLinear[p], 1e-5f) << p;
    EXPECT_NEAR(wp::volume_sample_index(vol.id(), ipts[p], wp::kVolumeLinear, view, -1.0f), kIndexLinear[p], 1e-5f);
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(g.c[a], kIndexGrad[3 * p + a], 1e-4f) << p << " axis " << a;
  }
  EXPECT_EQ(wp::volume_sample_index(vol.id(), v3(0.2f, 0, 0), wp::kVolumeClosest, view, -1.0f), 20.0f);
}

// Analytic signed distances of the primitives (world space).
float sphere_sdf(const V3& p) {
  return std::sqrt((p.c[0] - 1) * (p.c[0] - 1) + (p.c[1] - 2) * (p.c[1] - 2) + (p.c[2] - 3) * (p.c[2] - 3)) - 20.0f;
}

TEST(Volume, LevelSetSphereFromFileMatchesAnalyticSdf) {
  const auto path = temp_file("sphere.nvdb");
  const wp::Volume vol = sphere_from_file(path);
  std::filesystem::remove(path);
  const wp::VolumeInfo info = vol.info();
  EXPECT_EQ(info.type, wp::VolumeType::Float32);
  EXPECT_DOUBLE_EQ(info.voxel_size.c[0], 0.5);
  EXPECT_GT(info.active_voxel_count, 50000);
  EXPECT_EQ(info.voxel_count, info.leaf_count * 512);  // Warp's count: every leaf voxel
  EXPECT_LT(info.active_voxel_count, info.voxel_count);
  EXPECT_EQ(static_cast<int64_t>(vol.voxels().size()), info.voxel_count);
  // Points in the narrow band (|sdf| < 1 world unit = 2 voxels): trilinear error O(h^2 / R).
  int checked = 0;
  for (int n = 0; n < 400; ++n) {
    const double th = 0.37 * n, ph = 0.11 * n;
    const float r = 20.0f + 0.9f * std::sin(1.3f * n);
    const V3 world = v3(1 + r * float(std::sin(th) * std::cos(ph)), 2 + r * float(std::sin(th) * std::sin(ph)),
                        3 + r * float(std::cos(th)));
    const V3 uvw = wp::volume_world_to_index(vol.id(), world);
    const float sdf = sphere_sdf(world);
    EXPECT_NEAR(wp::volume_sample_f(vol.id(), uvw, wp::kVolumeLinear), sdf, 0.02f) << n;
    // Closest: the SDF at the nearest voxel centre, at most half a voxel diagonal away.
    EXPECT_NEAR(wp::volume_sample_f(vol.id(), uvw, wp::kVolumeClosest), sdf, 0.44f) << n;
    V3 g;
    wp::volume_sample_grad_f(vol.id(), uvw, wp::kVolumeLinear, g);
    // World gradient = index gradient / voxel size ≈ the outward unit normal.
    const V3 normal = v3((world.c[0] - 1) / (sdf + 20), (world.c[1] - 2) / (sdf + 20), (world.c[2] - 3) / (sdf + 20));
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(g.c[a] / 0.5f, normal.c[a], 0.03f) << n;
    ++checked;
  }
  EXPECT_EQ(checked, 400);
  // Far outside and inside: the background (3 voxels · 0.5 = 1.5) with its sign.
  EXPECT_FLOAT_EQ(wp::volume_sample_f(vol.id(), wp::volume_world_to_index(vol.id(), v3(60, 2, 3)), wp::kVolumeLinear), 1.5f);
  EXPECT_FLOAT_EQ(wp::volume_sample_f(vol.id(), wp::volume_world_to_index(vol.id(), v3(1, 2, 3)), wp::kVolumeLinear), -1.5f);
}

TEST(Volume, LevelSetTorusAndBoxMatchAnalyticSdf) {
  // Torus: major radius 10, minor 3, centre 0, voxel 0.25, in the xz plane around y.
  auto torus = nanovdb::createLevelSetTorus<float>(10.0f, 3.0f, nanovdb::Vec3f(0), 0.25, 3.0);
  const wp::Volume tv = wp::Volume::from_grid(torus.data(), torus.size());
  for (int n = 0; n < 200; ++n) {
    const float a = 0.31f * n, b = 0.17f * n, r = 3.0f + 0.4f * std::sin(0.7f * n);
    const V3 w = v3((10 + r * std::cos(b)) * std::cos(a), r * std::sin(b), (10 + r * std::cos(b)) * std::sin(a));
    const float q = std::sqrt(w.c[0] * w.c[0] + w.c[2] * w.c[2]) - 10.0f;
    const float sdf = std::sqrt(q * q + w.c[1] * w.c[1]) - 3.0f;
    EXPECT_NEAR(wp::volume_sample_f(tv.id(), wp::volume_world_to_index(tv.id(), w), wp::kVolumeLinear), sdf, 0.02f) << n;
  }
  // Box 8 x 6 x 4 centred at 0, voxel 0.1: sample near the face centres (the SDF is flat there).
  auto box = nanovdb::createLevelSetBox<float>(8.0f, 6.0f, 4.0f, nanovdb::Vec3f(0), 0.1, 3.0);
  const wp::Volume bv = wp::Volume::from_grid(box.data(), box.size());
  const V3 probes[] = {v3(4.05f, 0.3f, 0.2f), v3(-3.93f, -0.5f, 0.1f), v3(0.2f, 3.1f, -0.4f), v3(0.7f, 0.2f, -1.96f)};
  const float expected[] = {0.05f, -0.07f, 0.1f, -0.04f};
  for (int n = 0; n < 4; ++n)
    EXPECT_NEAR(wp::volume_sample_f(bv.id(), wp::volume_world_to_index(bv.id(), probes[n]), wp::kVolumeLinear),
                expected[n], 0.01f)
        << n;
}

TEST(Volume, SaveLoadRoundTripKeepsTheGrid) {
  const wp::Volume vol = dense_volume();
  const auto path = temp_file("roundtrip.nvdb");
  vol.save(path.string());
  const wp::Volume back = wp::Volume::load(path.string());
  EXPECT_EQ(back.grid_bytes(), vol.grid_bytes());
  std::ifstream in(path, std::ios::binary);
  const wp::Volume streamed = wp::Volume::load(in);
  EXPECT_EQ(streamed.grid_bytes(), vol.grid_bytes());
  const std::vector<uint8_t> bytes = read_all(path);
  EXPECT_EQ(wp::Volume::load_bytes(bytes.data(), bytes.size()).grid_bytes(), vol.grid_bytes());
  std::filesystem::remove(path);
  // Index grids keep their class through a file.
  const wp::Volume index = wp::Volume::allocate_by_voxels(wp::from_host(std::vector<wp::vec3i>{{{1, 2, 3}}}),
                                                          wp::vec3d{{1, 1, 1}});
  index.save(path.string());
  EXPECT_TRUE(wp::Volume::load(path.string()).is_index());
  std::filesystem::remove(path);
}

TEST(Volume, ValueTypesLookupAndStore) {
  const wp::Volume vi = wp::Volume::allocate<int32_t>(wp::vec3d{{0, 0, 0}}, wp::vec3d{{3, 3, 3}}, wp::vec3d{{1, 1, 1}}, 7);
  EXPECT_EQ(vi.type(), wp::VolumeType::Int32);
  EXPECT_EQ(wp::volume_lookup_i(vi.id(), 2, 2, 2), 7);
  wp::volume_store_i(vi.id(), 2, 2, 2, -5);
  EXPECT_EQ(wp::volume_lookup_i(vi.id(), 2, 2, 2), -5);
  EXPECT_EQ(wp::volume_sample_i(vi.id(), v3(2.4f, 1.6f, 2.2f)), -5);
  wp::volume_store_i(vi.id(), 100, 2, 2, 3);  // outside every leaf: nothing stored
  EXPECT_EQ(wp::volume_lookup_i(vi.id(), 100, 2, 2), 7);
  EXPECT_EQ(wp::volume_lookup_f(vi.id(), 2, 2, 2), 0.0f);  // wrong type: zero, nothing read

  const wp::Volume vv = wp::Volume::allocate<wp::vec3f>(wp::vec3d{{0, 0, 0}}, wp::vec3d{{1, 1, 1}}, wp::vec3d{{1, 1, 1}},
                                                        wp::vec3f{{1, 2, 3}});
  wp::volume_store_v(vv.id(), 1, 0, 0, v3(3, 4, 5));
  const V3 s = wp::volume_sample_v(vv.id(), v3(0.25f, 0, 0), wp::kVolumeLinear);
  EXPECT_FLOAT_EQ(s.c[0], 1.5f);
  EXPECT_FLOAT_EQ(s.c[2], 3.5f);
  wp::mat_t<3, 3, float> g;
  wp::volume_sample_grad<V3>(vv.id(), v3(0.25f, 0, 0), wp::kVolumeLinear, g);
  EXPECT_FLOAT_EQ(g.data[0][0], 2.0f);  // d value_x / du
  EXPECT_FLOAT_EQ(g.data[1][0], 2.0f);
  EXPECT_FLOAT_EQ(g.data[0][1], -0.5f);  // 0.25 · (1 − 3): the stored voxel's neighbour row
  EXPECT_FLOAT_EQ(g.data[2][2], -0.5f);

  const wp::Volume vd = wp::Volume::allocate<double>(wp::vec3d{{0, 0, 0}}, wp::vec3d{{1, 1, 1}}, wp::vec3d{{2, 2, 2}}, 0.5,
                                                     wp::vec3d{{10, 0, 0}});
  wp::volume_store<double>(vd.id(), 0, 0, 0, 1.5);
  EXPECT_DOUBLE_EQ(wp::volume_sample<double>(vd.id(), v3(0.5f, 0, 0), wp::kVolumeLinear), 1.0);
  const wp::vec_t<3, double> w = wp::volume_index_to_world(vd.id(), wp::vec_t<3, double>{{1, 2, 3}});
  EXPECT_DOUBLE_EQ(w.c[0], 12.0);
  EXPECT_DOUBLE_EQ(w.c[2], 6.0);
  const wp::vec_t<3, double> d = wp::volume_world_to_index_dir(vd.id(), wp::vec_t<3, double>{{1, 2, 3}});
  EXPECT_DOUBLE_EQ(d.c[1], 1.0);

  const wp::Volume v3d = wp::Volume::allocate<wp::vec3d>(wp::vec3d{{0, 0, 0}}, wp::vec3d{{0, 0, 0}}, wp::vec3d{{1, 1, 1}},
                                                         wp::vec3d{{1, 2, 3}});
  EXPECT_EQ(v3d.type(), wp::VolumeType::Vec3d);
  EXPECT_DOUBLE_EQ((wp::volume_lookup<wp::vec_t<3, double>>(v3d.id(), 0, 0, 0).c[1]), 2.0);
}

TEST(Volume, AllocateMatchesWarpTileLayout) {
  // Warp 1.19: allocate(min=[-3,0,0], max=[9,1,1]) → tiles at x = -8, 0, 8 (1536 voxels); in
  // world space with voxel 0.5 → x = -8 … 16 (2048 voxels).
  const wp::Volume a = wp::Volume::allocate<float>(wp::vec3d{{-3, 0, 0}}, wp::vec3d{{9, 1, 1}}, wp::vec3d{{0.5, 0.5, 0.5}}, 1.0f);
  EXPECT_EQ(a.voxel_count(), 1536);
  const wp::Volume w = wp::Volume::allocate<float>(wp::vec3d{{-3, 0, 0}}, wp::vec3d{{9, 1, 1}}, wp::vec3d{{0.5, 0.5, 0.5}}, 1.0f,
                                                   wp::vec3d{{0, 0, 0}}, true);
  EXPECT_EQ(w.voxel_count(), 2048);
  // allocate_by_tiles: index points pick the leaf containing them; world points likewise.
  const wp::Volume t = wp::Volume::allocate_by_tiles<float>(
      wp::from_host(std::vector<wp::vec3i>{{{0, 0, 0}}, {{1, 0, 0}}, {{-1, 2, 0}}}), wp::vec3d{{0.5, 0.5, 0.5}}, 2.5f);
  EXPECT_EQ(t.voxel_count(), 1024);
  EXPECT_FLOAT_EQ(wp::volume_lookup_f(t.id(), -8, 0, 0), 2.5f);
  const wp::Volume tw = wp::Volume::allocate_by_tiles<float>(
      wp::from_host(std::vector<wp::vec3>{{{0.1f, 0, 0}}, {{4.1f, 0, 0}}}), wp::vec3d{{0.5, 0.5, 0.5}}, 2.5f);
  EXPECT_EQ(tw.voxel_count(), 1024);
  const wp::VolumeInfo info = tw.info();
  EXPECT_EQ(info.index_min.c[0], 0);
  EXPECT_EQ(info.index_max.c[0], 15);
  EXPECT_EQ(info.leaf_count, 2);
}

// ---- errors -------------------------------------------------------------------------------------

TEST(VolumeErrors, MissingForeignAndEmptyFiles) {
  EXPECT_NE(error_of([] { wp::Volume::load("/nonexistent/x.nvdb"); }).find("'/nonexistent/x.nvdb': cannot open"),
            std::string::npos);
  const auto path = temp_file("foreign.nvdb");
  write_all(path, std::vector<uint8_t>(100, 'x'));
  EXPECT_NE(error_of([&] { wp::Volume::load(path.string()); }).find("not a NanoVDB file"), std::string::npos);
  write_all(path, {});
  EXPECT_NE(error_of([&] { wp::Volume::load(path.string()); }).find("empty file"), std::string::npos);
  std::filesystem::remove(path);
  std::istringstream text("hello");
  EXPECT_NE(error_of([&] { wp::Volume::load(text); }).find("stream: "), std::string::npos);
}

TEST(VolumeErrors, EveryTruncationIsRefused) {
  const auto path = temp_file("trunc.nvdb");
  dense_volume().save(path.string());
  const std::vector<uint8_t> bytes = read_all(path);
  std::filesystem::remove(path);
  // Every prefix (stepping through the headers byte by byte, the grid coarsely).
  for (std::size_t n = 0; n < bytes.size(); n += (n < 512 ? 1 : 97)) {
    const std::string e = error_of([&] { wp::Volume::load_bytes(bytes.data(), n); });
    EXPECT_TRUE(e.find("wp::Volume: bytes: ") == 0) << n << ": " << e;
  }
  EXPECT_NE(error_of([&] { wp::Volume::load_bytes(bytes.data(), bytes.size(), {}, 1); }).find("holds 1 grid(s)"),
            std::string::npos);
}

TEST(VolumeErrors, CorruptGridsAreRefusedOrSafe) {
  auto handle = nanovdb::createLevelSetSphere<float>(5.0f, nanovdb::Vec3f(0), 0.5, 3.0);
  std::vector<uint8_t> grid(handle.data(), handle.data() + handle.size());
  auto corrupt = [&](std::size_t offset, uint64_t value) {
    std::vector<uint8_t> g = grid;
    std::memcpy(g.data() + offset, &value, sizeof(value));
    return error_of([&] { wp::Volume::from_grid(g.data(), g.size()); });
  };
  const std::size_t tree = sizeof(nanovdb::GridData);
  // Node offsets and counts of the tree header.
  EXPECT_NE(corrupt(tree + 0 * 8, 1ull << 40).find("does not fit"), std::string::npos);
  EXPECT_NE(corrupt(tree + 3 * 8, 1ull << 40).find("root node"), std::string::npos);
  EXPECT_NE(corrupt(tree + 32, 0xFFFFFFFFu).find("does not fit"), std::string::npos);
  // The root's first tile's child offset.
  const auto* td = reinterpret_cast<const nanovdb::TreeData<>*>(grid.data() + tree);
  using RootT = nanovdb::NanoRoot<float>;
  const std::size_t root = tree + td->mNodeOffset[3];
  const std::size_t tile0 = root + sizeof(RootT) + offsetof(RootT::Tile, child);
  EXPECT_NE(corrupt(tile0, 1ull << 33).find("points outside the upper node array"), std::string::npos);
  EXPECT_NE(corrupt(tile0, 8).find("points outside the upper node array"), std::string::npos);
  // The grid's size, magic and type.
  EXPECT_NE(corrupt(offsetof(nanovdb::GridData, mGridSize), 12).find("truncated or corrupt"), std::string::npos);
  EXPECT_NE(corrupt(offsetof(nanovdb::GridData, mMagic), 42).find("bad magic"), std::string::npos);
  std::vector<uint8_t> fp4 = grid;
  const uint32_t fp4_type = static_cast<uint32_t>(nanovdb::GridType::Fp4);
  std::memcpy(fp4.data() + offsetof(nanovdb::GridData, mGridType), &fp4_type, 4);
  EXPECT_NE(error_of([&] { wp::Volume::from_grid(fp4.data(), fp4.size()); }).find("grid type 'Float4' is not supported"),
            std::string::npos);
  // Every 8-byte word of the tree header and root table overwritten with junk: refused, or a
  // grid every child pointer of which is inside the buffer (no crash under the sanitizers).
  for (std::size_t off = tree; off < root + sizeof(RootT) + 4 * sizeof(RootT::Tile); off += 8) {
    std::vector<uint8_t> g = grid;
    const uint64_t junk = 0x9E3779B97F4A7C15ull * (off + 1);
    std::memcpy(g.data() + off, &junk, 8);
    try {
      const wp::Volume v = wp::Volume::from_grid(g.data(), g.size());
      (void)wp::volume_sample_f(v.id(), v3(0.3f, 0.2f, 0.1f), wp::kVolumeLinear);
    } catch (const wp::Error&) {
    }
  }
}

TEST(VolumeErrors, CompressedFilesAndBadArguments) {
  const auto path = temp_file("codec.nvdb");
  dense_volume().save(path.string());
  std::vector<uint8_t> bytes = read_all(path);
  std::filesystem::remove(path);
  const uint16_t zip = static_cast<uint16_t>(nanovdb::io::Codec::ZIP);
  std::memcpy(bytes.data() + offsetof(nanovdb::io::Header, codec), &zip, 2);
  EXPECT_NE(error_of([&] { wp::Volume::load_bytes(bytes.data(), bytes.size()); }).find("compressed grids"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              wp::Volume::allocate<float>(wp::vec3d{{0, 0, 0}}, wp::vec3d{{1, 1, 1}}, wp::vec3d{{0, 1, 1}}, 0.0f);
            }).find("voxel size"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              wp::Volume::allocate<float>(wp::vec3d{{0, 0, 0}}, wp::vec3d{{-1, 1, 1}}, wp::vec3d{{1, 1, 1}}, 0.0f);
            }).find("not an ordered finite range"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              wp::Volume::allocate<float>(wp::vec3d{{0, 0, 0}}, wp::vec3d{{1e6, 1e6, 1e6}}, wp::vec3d{{1, 1, 1}}, 0.0f);
            }).find("leaf nodes"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              wp::Volume::from_dense(wp::zeros<float>({4, 4}), wp::vec3d{{0, 0, 0}}, wp::vec3d{{1, 1, 1}}, 0.0f);
            }).find("3-D array"),
            std::string::npos);
  if (wp::cuda_built()) {
    // An array on another device than the volume's: refused before any device memory is touched.
    EXPECT_NE(error_of([] {
                wp::Volume::allocate_by_voxels(wp::from_host(std::vector<wp::vec3i>{{{0, 0, 0}}}), wp::vec3d{{1, 1, 1}},
                                               wp::vec3d{{0, 0, 0}}, wp::Device("cuda:0"));
              }).find("voxel_points is on device 'cpu' but the volume is requested on 'cuda:0'"),
              std::string::npos);
  }
  wp::Volume moved = dense_volume();
  wp::Volume taker = std::move(moved);
  EXPECT_NE(error_of([&] { (void)moved.id(); }).find("moved from"), std::string::npos);
  EXPECT_NE(taker.id(), 0u);
}

}  // namespace
