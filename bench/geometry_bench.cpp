// geometry_bench.cpp — wp::Mesh build/refit and 10^6 mesh queries (closest point signed and
// unsigned, ray casts, box queries) on the CPU (all cores) or a CUDA device. Not a test: run it
// by hand and record the numbers in docs/performance.md and docs/geometry.md. Method:
// /work/.library/device/METHOD.md is this project's measuring discipline (warm-up, medians).
//
//   warpc_bench_geometry [--device cpu|cuda:0] [--size small|large|both] [--queries N]
//                        [--reps R] [--dump DIR] [--builder default|sah|median|lbvh] [--leaf-size N]
//
// Contract:
//  * Data: bench/bench_geometry_data.h (torus 128×128 = 32,768 triangles "small", 1024×512 =
//    1,048,576 triangles "large"; N = 10^6 query points and rays by default).
//  * Timed (medians of R repetitions after 2 warm-ups; default R = 20 on CUDA, 5 on the CPU):
//    build = constructing wp::Mesh from arrays already on the device, up to the mesh being
//    usable (synchronised); refit = Mesh::refit() (synchronised); each query kernel = one
//    launch of bench/mesh_queries.wp's kernel over N queries (synchronised). CUDA: host wall
//    clock around work followed by wp::synchronize() — every timed region is ≥ 0.05 ms of
//    device work plus one launch (≈ 5 µs), the launch overhead is part of the figure, as in
//    Warp's own timing of wp.launch + synchronize.
//  * Checked before timing: on the device, a sample of 2,000 queries of each kind against the
//    generated CPU launchers on the same mesh (distance, sign and hit t within 1e-4 relative,
//    box-query counts equal); a mismatch is reported and exits 1.
//  * --builder / --leaf-size pick the BVH builder and leaf size of the timed mesh (wp/bvh.h;
//    default: the device's default builder) — to compare query times over trees.
//  * --dump DIR writes the mesh, the queries and each kernel's results as raw little-endian
//    arrays (<size>_points.f32 … , <size>_closest_signed.f32 …) for warp_geometry_bench.py.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bench_geometry_data.h"
#include "bench_util.h"
#include "mesh_queries.wp.h"
#include "wp/mesh.h"
#include "wp/wp.h"

namespace {

using bench::dump;
using bench::median_ms;

struct Results {
  std::vector<float> signed_d, unsigned_d, hit_t;
  std::vector<int32_t> counts;
};

// Runs the four query kernels on `device` over the given queries.
wp::MeshOptions g_mesh_options;  // --builder, --leaf-size

Results run_queries(const wp::Mesh& mesh, const wp::Device& device, const std::vector<wp::vec3>& pts,
                    const std::vector<wp::vec3>& org, const std::vector<wp::vec3>& dir, float half) {
  const int n = int(pts.size());
  auto p = wp::from_host(pts, {n}, device);
  auto o = wp::from_host(org, {n}, device);
  auto d = wp::from_host(dir, {n}, device);
  auto ds = wp::zeros<float>({n}, device), du = wp::zeros<float>({n}, device), t = wp::zeros<float>({n}, device);
  auto c = wp::zeros<int32_t>({n}, device);
  mesh_queries::closest_signed(n, mesh.id(), p, 1.0e6f, ds);
  mesh_queries::closest_unsigned(n, mesh.id(), p, 1.0e6f, du);
  mesh_queries::raycast(n, mesh.id(), o, d, 1.0e6f, t);
  mesh_queries::aabb_count(n, mesh.id(), p, half, c);
  return {ds.to_host(), du.to_host(), t.to_host(), c.to_host()};
}

bool close(float a, float b) { return std::fabs(a - b) <= 1e-4f * std::max(1.0f, std::fabs(b)); }

int bench_size(const char* label, int nu, int nv, const wp::Device& device, int nq, int reps,
               const std::string& dir) {
  using namespace bench_geometry;
  MeshData md = torus(nu, nv);
  const int nt = int(md.indices.size() / 3), np = int(md.points.size());
  std::vector<wp::vec3> pts = points(nq), org, dirs;
  rays(nq, org, dirs);
  // Box queries: half-extent 2 × the mean edge length of the torus grid.
  const float half = float(2.0 * 2 * 3.14159265 * 1.0 / nu);

  auto points_dev = wp::from_host(md.points, {np}, device);
  auto indices_dev = wp::from_host(md.indices, {nt * 3}, device);
  wp::Mesh mesh(points_dev, indices_dev, g_mesh_options);

  // Correctness sample: device results vs the CPU launchers.
  const int ns = std::min(nq, 2000);
  std::vector<wp::vec3> sp(pts.begin(), pts.begin() + ns), so(org.begin(), org.begin() + ns),
      sd(dirs.begin(), dirs.begin() + ns);
  Results dev = run_queries(mesh, device, sp, so, sd, half);
  if (!device.is_cpu()) {
    wp::Mesh cpu_mesh(wp::from_host(md.points, {np}, wp::Device("cpu")),
                      wp::from_host(md.indices, {nt * 3}, wp::Device("cpu")));
    Results ref = run_queries(cpu_mesh, wp::Device("cpu"), sp, so, sd, half);
    int bad = 0;
    for (int i = 0; i < ns; ++i) {
      bad += !close(dev.signed_d[i], ref.signed_d[i]);
      bad += !close(dev.unsigned_d[i], ref.unsigned_d[i]);
      bad += !close(dev.hit_t[i], ref.hit_t[i]);
      bad += dev.counts[i] != ref.counts[i];
    }
    if (bad) {
      std::fprintf(stderr, "%s: %d of %d sampled query results differ between %s and cpu\n", label, bad,
                   4 * ns, device.str().c_str());
      return 1;
    }
  }

  double build = median_ms(reps, [&] { wp::Mesh m(points_dev, indices_dev, g_mesh_options); });
  double refit = median_ms(reps, [&] { mesh.refit(); });
  auto p = wp::from_host(pts, {nq}, device);
  auto o = wp::from_host(org, {nq}, device);
  auto d = wp::from_host(dirs, {nq}, device);
  auto out = wp::zeros<float>({nq}, device);
  auto cnt = wp::zeros<int32_t>({nq}, device);
  double q_signed = median_ms(reps, [&] { mesh_queries::closest_signed(nq, mesh.id(), p, 1.0e6f, out); });
  std::vector<float> r_signed = out.to_host();
  double q_unsigned = median_ms(reps, [&] { mesh_queries::closest_unsigned(nq, mesh.id(), p, 1.0e6f, out); });
  std::vector<float> r_unsigned = out.to_host();
  double q_ray = median_ms(reps, [&] { mesh_queries::raycast(nq, mesh.id(), o, d, 1.0e6f, out); });
  std::vector<float> r_ray = out.to_host();
  double q_aabb = median_ms(reps, [&] { mesh_queries::aabb_count(nq, mesh.id(), p, half, cnt); });
  std::vector<int32_t> r_aabb = cnt.to_host();

  std::printf("%-6s %9d tris  build %9.3f ms  refit %8.3f ms  closest(signed) %8.3f ms  "
              "closest(unsigned) %8.3f ms  ray %8.3f ms  aabb %8.3f ms   [%s, %d queries]\n",
              label, nt, build, refit, q_signed, q_unsigned, q_ray, q_aabb, device.str().c_str(), nq);
  std::string s = label;
  dump(dir, s + "_points.f32", md.points);
  dump(dir, s + "_indices.i32", md.indices);
  dump(dir, s + "_queries.f32", pts);
  dump(dir, s + "_origins.f32", org);
  dump(dir, s + "_dirs.f32", dirs);
  dump(dir, s + "_closest_signed.f32", r_signed);
  dump(dir, s + "_closest_unsigned.f32", r_unsigned);
  dump(dir, s + "_raycast.f32", r_ray);
  dump(dir, s + "_aabb_count.i32", r_aabb);
  if (!dir.empty()) {
    FILE* f = std::fopen((dir + "/" + s + "_meta.txt").c_str(), "w");
    if (f) {
      std::fprintf(f, "triangles %d\npoints %d\nqueries %d\nhalf %.9g\nbuild_ms %g\nrefit_ms %g\n"
                   "closest_signed_ms %g\nclosest_unsigned_ms %g\nraycast_ms %g\naabb_count_ms %g\n",
                   nt, np, nq, half, build, refit, q_signed, q_unsigned, q_ray, q_aabb);
      std::fclose(f);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string device_name = "cpu", size = "both", dir;
  int nq = 1000000, reps = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--device") device_name = value();
    else if (a == "--size") size = value();
    else if (a == "--queries") nq = std::atoi(value().c_str());
    else if (a == "--reps") reps = std::atoi(value().c_str());
    else if (a == "--dump") dir = value();
    else if (a == "--leaf-size") g_mesh_options.bvh.leaf_size = std::atoi(value().c_str());
    else if (a == "--builder") {
      const std::string b = value();
      if (b == "default") g_mesh_options.bvh.builder = wp::BvhBuilder::Default;
      else if (b == "sah") g_mesh_options.bvh.builder = wp::BvhBuilder::Sah;
      else if (b == "median") g_mesh_options.bvh.builder = wp::BvhBuilder::Median;
      else if (b == "lbvh") g_mesh_options.bvh.builder = wp::BvhBuilder::Lbvh;
      else {
        std::fprintf(stderr, "--builder: unknown builder '%s' (default, sah, median or lbvh)\n", b.c_str());
        return 2;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--device cpu|cuda:0] [--size small|large|both] [--queries N] "
                           "[--reps R] [--dump DIR] [--builder default|sah|median|lbvh] [--leaf-size N]\n", argv[0]);
      return 2;
    }
  }
  try {
    wp::Device device(device_name);
    if (reps <= 0) reps = device.is_cpu() ? 5 : 20;
    int rc = 0;
    if (size == "small" || size == "both") rc |= bench_size("small", 128, 128, device, nq, reps, dir);
    if (size == "large" || size == "both") rc |= bench_size("large", 1024, 512, device, nq, reps, dir);
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
