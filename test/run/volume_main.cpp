// volume_main.cpp — run test of the volume builtins (volume.wp) on wp::Volume objects made on the
// test's device:
//  * a level-set sphere (radius 20, centre (1, 2, 3), voxel 0.5, half width 3 voxels) built by
//    NanoVDB's Primitives.h, written to a .nvdb file and loaded back: linear samples within 0.02
//    of the analytic SDF, closest samples within half a voxel diagonal, the generic
//    volume_sample equal to volume_sample_f, world-space gradients within 0.03 of the unit
//    normal; the backward pass of the SDF (d sdf / d point) equal to the forward gradients;
//  * an index grid of 2000 seeded voxels with per-voxel data: samples, gradients and lookups
//    against a host trilinear blend over the voxel list; the backward pass sends each sample's 8
//    trilinear weights (sum 1 over the active corners) to the data's gradient;
//  * an allocated float volume written by volume_store_f and read back by the lookups.
// Points are seeded (LCG); expected values come from closed forms and host loops only.
#include <nanovdb/util/IO.h>
#include <nanovdb/util/Primitives.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <unistd.h>
#include <vector>

#include "run_check.h"
#include "volume.wp.h"

namespace {

using run::Rng;

void check_sphere(run::Check& check, const wp::Device& dev, Rng& rng) {
  const auto path = std::filesystem::temp_directory_path() / ("warpc_run_volume_" + std::to_string(::getpid()) + ".nvdb");
  nanovdb::io::writeGrid(path.string(), nanovdb::createLevelSetSphere<float>(20.0f, nanovdb::Vec3f(1, 2, 3), 0.5, 3.0));
  const wp::Volume vol = wp::Volume::load(path.string(), dev);
  std::filesystem::remove(path);
  const int n = 4096;
  std::vector<wp::vec3> pts(n);
  std::vector<double> sdf(n);
  for (int i = 0; i < n; ++i) {
    const double th = rng.uniform(0, M_PI), ph = rng.uniform(0, 2 * M_PI), r = 20 + rng.uniform(-0.95, 0.95);
    pts[i] = {float(1 + r * std::sin(th) * std::cos(ph)), float(2 + r * std::sin(th) * std::sin(ph)),
              float(3 + r * std::cos(th))};
    sdf[i] = std::sqrt(std::pow(pts[i][0] - 1.0, 2) + std::pow(pts[i][1] - 2.0, 2) + std::pow(pts[i][2] - 3.0, 2)) - 20.0;
  }
  auto pd = wp::from_host(pts, {n}, dev, true);
  auto lin = wp::zeros<float>({n}, dev, true), clo = wp::zeros<float>({n}, dev), gen = wp::zeros<float>({n}, dev);
  auto grads = wp::zeros<wp::vec3>({n}, dev);
  volume::sample_sdf(n, vol.id(), pd, lin, clo, gen, grads);
  const auto h_lin = run::fetch(lin), h_clo = run::fetch(clo), h_gen = run::fetch(gen);
  const auto h_grad = run::fetch(grads);
  for (int i = 0; i < n; ++i) {
    const std::string at = run::at("sphere", i);
    check.near(at + " linear", h_lin[i], sdf[i], 0.02, 0);
    check.near(at + " closest", h_clo[i], sdf[i], 0.44, 0);
    check.eq(at + " generic == _f", h_gen[i], h_lin[i]);
    for (int a = 0; a < 3; ++a)
      check.near(at + " normal", h_grad[i][a], (pts[i][a] - (a + 1.0)) / (sdf[i] + 20), 0.03, 0);
  }
  // Backward: d(Σ sdf)/d point = the world-space gradient.
  auto out = wp::zeros<float>({n}, dev, true);
  volume::sdf_loss(n, vol.id(), pd, out);
  wp::fill(wp::array<float>(out.grad(), {n}, dev), 1.0f);
  volume::sdf_loss_backward(n, vol.id(), pd, out);
  const auto h_pg = run::fetch(wp::array<wp::vec3>(pd.grad(), {n}, dev));
  for (int i = 0; i < n; ++i)
    for (int a = 0; a < 3; ++a) check.near(run::at("sphere backward", i), h_pg[i][a], h_grad[i][a], 1e-5, 1e-4);
}

void check_index_grid(run::Check& check, const wp::Device& dev, Rng& rng) {
  const int nv = 2000;
  std::vector<wp::vec3i> voxels(nv);
  for (auto& v : voxels)
    v = {int32_t(rng.uniform(-12, 12)), int32_t(rng.uniform(-6, 6)), int32_t(rng.uniform(0, 9))};
  const wp::Volume vol = wp::Volume::allocate_by_voxels(wp::from_host(voxels, {nv}, dev), wp::vec3d{{0.1, 0.1, 0.1}},
                                                        wp::vec3d{{0, 0, 0}}, dev);
  const std::vector<wp::vec3i> order = vol.voxels();
  std::map<std::tuple<int, int, int>, int> index_of;
  for (size_t k = 0; k < order.size(); ++k) index_of[{order[k][0], order[k][1], order[k][2]}] = int(k);
  check.eq("index grid voxel count", vol.voxel_count(), int64_t(index_of.size()));
  const int m = int(order.size());
  std::vector<float> data(m);
  for (int k = 0; k < m; ++k) data[k] = float(std::sin(0.37 * k) * 3.0);
  auto dd = wp::from_host(data, {m}, dev, true);
  const int n = 2048;
  std::vector<wp::vec3> uvw(n);
  for (auto& p : uvw) p = {float(rng.uniform(-13, 13)), float(rng.uniform(-7, 7)), float(rng.uniform(-1, 10))};
  auto ud = wp::from_host(uvw, {n}, dev);
  auto out = wp::zeros<float>({n}, dev, true), dummy = wp::zeros<float>({n}, dev);
  auto grads = wp::zeros<wp::vec3>({n}, dev);
  auto looks = wp::zeros<int32_t>({n}, dev);
  volume::sample_index(n, vol.id(), ud, dd, dummy, grads, looks);
  const auto h_out = run::fetch(dummy);
  const auto h_grad = run::fetch(grads);
  const auto h_look = run::fetch(looks);
  auto value_at = [&](int i, int j, int k, int* idx) {
    auto it = index_of.find({i, j, k});
    *idx = it == index_of.end() ? -1 : it->second;
    return it == index_of.end() ? -1.0 : double(data[it->second]);
  };
  std::vector<double> expected_weight(m, 0.0);
  for (int s = 0; s < n; ++s) {
    const double f[3] = {uvw[s][0] - std::floor(uvw[s][0]), uvw[s][1] - std::floor(uvw[s][1]), uvw[s][2] - std::floor(uvw[s][2])};
    const int b[3] = {int(std::floor(uvw[s][0])), int(std::floor(uvw[s][1])), int(std::floor(uvw[s][2]))};
    double value = 0, g[3] = {0, 0, 0};
    for (int c = 0; c < 8; ++c) {
      const int d[3] = {c >> 2 & 1, c >> 1 & 1, c & 1};
      int idx;
      const double v = value_at(b[0] + d[0], b[1] + d[1], b[2] + d[2], &idx);
      double w[3], dw[3];
      for (int a = 0; a < 3; ++a) w[a] = d[a] ? f[a] : 1 - f[a], dw[a] = d[a] ? 1 : -1;
      value += v * w[0] * w[1] * w[2];
      g[0] += v * dw[0] * w[1] * w[2];
      g[1] += v * w[0] * dw[1] * w[2];
      g[2] += v * w[0] * w[1] * dw[2];
      if (idx >= 0) expected_weight[idx] += w[0] * w[1] * w[2];
    }
    const std::string at = run::at("index sample", s);
    check.near(at + " value (sample + grad form)", h_out[s], 2 * value, 2e-5, 2e-5);
    for (int a = 0; a < 3; ++a) check.near(at + " grad", h_grad[s][a], g[a], 2e-5, 2e-5);
    int idx;
    value_at(int(std::floor(uvw[s][0] + 0.5f)), int(std::floor(uvw[s][1] + 0.5f)), int(std::floor(uvw[s][2] + 0.5f)), &idx);
    check.eq(at + " lookup_index", h_look[s], int32_t(idx));
  }
  // Backward: data.grad[k] = Σ over samples of voxel k's trilinear weight.
  volume::index_loss(n, vol.id(), ud, dd, out);
  wp::fill(wp::array<float>(out.grad(), {n}, dev), 1.0f);
  volume::index_loss_backward(n, vol.id(), ud, dd, out);
  const auto h_dg = run::fetch(wp::array<float>(dd.grad(), {m}, dev));
  for (int k = 0; k < m; ++k) check.near(run::at("index data grad", k), h_dg[k], expected_weight[k], 1e-5, 1e-5);
}

void check_store(run::Check& check, const wp::Device& dev) {
  const wp::Volume vol = wp::Volume::allocate<float>(wp::vec3d{{0, 0, 0}}, wp::vec3d{{9, 9, 9}}, wp::vec3d{{1, 1, 1}},
                                                     -1.0f, wp::vec3d{{0, 0, 0}}, false, dev);
  auto counts = wp::zeros<int32_t>({1}, dev);
  volume::store_and_count(wp::Dim{10, 10, 10}, vol.id(), counts);
  auto out = wp::zeros<float>({10, 10, 10}, dev);
  volume::read_back(wp::Dim{10, 10, 10}, vol.id(), out);
  check.eq("allocated voxel count", run::fetch(counts)[0], int32_t(8 * 512));
  const auto h = run::fetch(out);
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j)
      for (int k = 0; k < 10; ++k) check.eq(run::at("stored", i * 100 + j * 10 + k), h[(i * 10 + j) * 10 + k], 2.0f * float(i * 100 + j * 10 + k));
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "volume", [](run::Check& check, const wp::Device& dev) {
    Rng rng{77};
    check_sphere(check, dev, rng);
    check_index_grid(check, dev, rng);
    check_store(check, dev);
  });
}
