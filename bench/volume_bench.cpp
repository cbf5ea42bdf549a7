// volume_bench.cpp — 10^6 trilinear samples and 10^6 trilinear samples with gradient from a
// NanoVDB level-set sphere of about 10^6 active voxels, on the CPU (all cores of the launcher's
// pool; WARPC_NUM_THREADS=1 for one thread) or a CUDA device. Not a test: run it by hand and
// record the numbers in docs/geometry.md. bench/warp_volume_bench.py runs NVIDIA Warp on the
// data this program dumps.
//
//   warpc_bench_volume [--device cpu|cuda:0] [--samples N] [--reps R] [--dump DIR]
//
// Contract:
//  * Data (fixed; the same for every run): NanoVDB's createLevelSetSphere<float>(radius 1.15,
//    centre (0, 0, 0), voxel size 0.01, half width 3 voxels) — 997,670 active voxels in 5,399
//    leaves, 14,010,560 bytes — written to DIR/sphere.nvdb and read back through
//    wp::Volume::load. Sample points: N = 10^6 world points r · d, d a uniform unit direction
//    and r uniform in [1.135, 1.165] (|sdf| ≤ 1.5 voxels: all 8 trilinear corners inside
//    the ±3-voxel narrow band, where the stored values are the signed distance), drawn from a 64-bit LCG
//    (x ← 6364136223846793005 x + 1442695040888963407, seed 20261206, 53-bit mantissas), in
//    that order (random order over the sphere: no coherence between neighbouring threads).
//  * Timed (median of R repetitions after 2 warm-ups; default R = 20 on CUDA, 5 on the CPU):
//    one launch of bench/volume_queries.wp's sample_linear / sample_grad over the N points,
//    host wall clock around the launch followed by wp::synchronize().
//  * Checked before timing: every sample within 0.01 of the analytic SDF |p| − 1.15 (trilinear
//    error of a sampled SDF at this resolution is < 1e-3), every gradient within 0.05 of the
//    unit normal times the voxel size in index space; on CUDA, also equal (1e-5) to the CPU
//    launchers' results on the same grid. A mismatch exits 1.
//  * --dump DIR writes sphere.nvdb, points.f32 (N × 3 little-endian float32) and warpc's
//    results linear.f32 / grad_value.f32 / grad.f32 for warp_volume_bench.py to compare.
#include <nanovdb/util/IO.h>
#include <nanovdb/util/Primitives.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "bench_util.h"
#include "volume_queries.wp.h"
#include "wp/wp.h"

namespace {

constexpr float kRadius = 1.15f;
constexpr double kVoxel = 0.01;

using bench::dump;
using bench::median_ms;

std::vector<wp::vec3> sample_points(int n) {
  uint64_t s = 20261206ull;
  auto uniform = [&](double lo, double hi) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * double(s >> 11) * 0x1.0p-53;
  };
  std::vector<wp::vec3> pts(n);
  for (auto& p : pts) {
    const double z = uniform(-1, 1), phi = uniform(0, 2 * M_PI), r = uniform(1.135, 1.165);
    const double q = std::sqrt(1 - z * z);
    p = {float(r * q * std::cos(phi)), float(r * q * std::sin(phi)), float(r * z)};
  }
  return pts;
}

struct Results {
  std::vector<float> linear, grad_value;
  std::vector<wp::vec3> grad;
};

Results run_once(const wp::Volume& vol, const wp::array<wp::vec3>& pts, const wp::Device& device) {
  const int n = static_cast<int>(pts.size());
  auto lin = wp::zeros<float>({n}, device), val = wp::zeros<float>({n}, device);
  auto grad = wp::zeros<wp::vec3>({n}, device);
  volume_queries::sample_linear(n, vol.id(), pts, lin);
  volume_queries::sample_grad(n, vol.id(), pts, val, grad);
  wp::synchronize();
  return {lin.to_host(), val.to_host(), grad.to_host()};
}

int check(const Results& r, const std::vector<wp::vec3>& pts, const Results* reference) {
  int bad = 0;
  for (size_t i = 0; i < pts.size(); ++i) {
    const double len = std::sqrt(double(pts[i][0]) * pts[i][0] + double(pts[i][1]) * pts[i][1] + double(pts[i][2]) * pts[i][2]);
    const double sdf = len - kRadius;
    bool ok = std::fabs(r.linear[i] - sdf) < 0.01 && r.grad_value[i] == r.linear[i];
    for (int a = 0; a < 3; ++a) ok = ok && std::fabs(r.grad[i][a] - pts[i][a] / len * kVoxel) < 0.05 * kVoxel;
    if (reference) {
      ok = ok && std::fabs(r.linear[i] - reference->linear[i]) <= 1e-5f;
      for (int a = 0; a < 3; ++a) ok = ok && std::fabs(r.grad[i][a] - reference->grad[i][a]) <= 1e-5f * kVoxel;
    }
    if (!ok && ++bad <= 5)
      std::printf("  mismatch at %zu: sample %.6f grad (%.6g %.6g %.6g), sdf %.6f\n", i, r.linear[i], r.grad[i][0],
                  r.grad[i][1], r.grad[i][2], sdf);
  }
  return bad;
}

}  // namespace

int main(int argc, char** argv) {
  std::string device_name = "cpu", dir;
  int n = 1000000, reps = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--device") device_name = value();
    else if (a == "--samples") n = std::atoi(value().c_str());
    else if (a == "--reps") reps = std::atoi(value().c_str());
    else if (a == "--dump") dir = value();
    else {
      std::fprintf(stderr, "usage: %s [--device cpu|cuda:0] [--samples N] [--reps R] [--dump DIR]\n", argv[0]);
      return 2;
    }
  }
  try {
    const wp::Device device(device_name);
    if (reps < 0) reps = device.is_cpu() ? 5 : 20;
    const std::string grid_dir = dir.empty() ? std::filesystem::temp_directory_path().string() : dir;
    std::filesystem::create_directories(grid_dir);
    const std::string path = (std::filesystem::path(grid_dir) / "sphere.nvdb").string();
    nanovdb::io::writeGrid(path, nanovdb::createLevelSetSphere<float>(kRadius, nanovdb::Vec3f(0), kVoxel, 3.0));
    const wp::Volume vol = wp::Volume::load(path, device);
    const wp::VolumeInfo info = vol.info();
    const std::vector<wp::vec3> pts = sample_points(n);
    const auto pts_dev = wp::from_host(pts, {n}, device);

    const Results r = run_once(vol, pts_dev, device);
    Results cpu_ref;
    if (!device.is_cpu()) {
      const wp::Volume host_vol = vol.to(wp::Device());
      cpu_ref = run_once(host_vol, wp::from_host(pts, {n}), wp::Device());
    }
    const int bad = check(r, pts, device.is_cpu() ? nullptr : &cpu_ref);
    if (bad) {
      std::printf("FAILED: %d of %d samples wrong\n", bad, n);
      return 1;
    }
    dump(dir, "points.f32", pts);
    dump(dir, "linear.f32", r.linear);
    dump(dir, "grad_value.f32", r.grad_value);
    dump(dir, "grad.f32", r.grad);

    auto lin = wp::zeros<float>({n}, device), val = wp::zeros<float>({n}, device);
    auto grad = wp::zeros<wp::vec3>({n}, device);
    const double t_lin = median_ms(reps, [&] { volume_queries::sample_linear(n, vol.id(), pts_dev, lin); });
    const double t_grad = median_ms(reps, [&] { volume_queries::sample_grad(n, vol.id(), pts_dev, val, grad); });
    const int threads = device.is_cpu() ? wp::cpu_thread_count() : 0;
    std::printf("volume: level-set sphere, %lld active voxels, %lld leaves, %llu bytes; %d samples checked\n",
                static_cast<long long>(info.active_voxel_count), static_cast<long long>(info.leaf_count),
                static_cast<unsigned long long>(info.grid_bytes), n);
    std::printf("| device | threads | %d linear samples (ms) | %d samples + gradient (ms) |\n", n, n);
    std::printf("|---|---|---|---|\n");
    std::printf("| %s | %s | %.3f | %.3f |\n", device.str().c_str(),
                device.is_cpu() ? std::to_string(threads).c_str() : "-", t_lin, t_grad);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
