// main.cpp — the SDF-collision example: particles dropped onto a NanoVDB level set (a torus
// lying on the ground, generated with NanoVDB's Primitives.h, or any float level set loaded from
// a .nvdb file), contacts from wp.volume_sample_grad_f (sdf_collision.wp, `step`), frames
// rendered by a sphere-tracing kernel written in .wp itself (`render`) and written as PNG files
// through libpng.
//
//   sdf_collision [--device cpu|cuda[:N]] [--nvdb FILE] [--n N] [--steps S] [--frames F]
//                 [--out DIR] [--width W] [--height H]
//
// Default device: the CPU. The scene's up axis is +y. The generated level set is a torus of ring
// radius 0.6 and tube radius 0.25 around the y axis (voxel 0.01, narrow band ±5 voxels) resting
// on the ground y = −0.5. A loaded level set keeps its own transform; the ground is put at the
// bottom of its world bounding box and the particles start above it. Writes F frames evenly
// spaced over the run (frame_000.png …, default 1: the last step) into DIR (default: the current
// folder; --frames 0 writes none). Checks at the end, exit 1 if one fails:
//   * no particle inside the surface: every particle's sampled signed distance minus its radius
//     (kernel `depth`) is ≥ −radius/2 (contacts are resolved by projection each step);
//   * no particle below the ground;
//   * energy bounded: kinetic + potential energy at the end ≤ the initial energy plus the most
//     the contact projections can add (one radius of lift per particle);
//   * (generated torus only) at least a tenth of the particles rest on the level set.
// With --device cuda and no GPU it prints "skipped: no CUDA device" and exits 77 (CTest skip).
#include <nanovdb/util/Primitives.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "example_util.h"
#include "sdf_collision.wp.h"
#include "wp/bvh.h"
#include "wp/volume.h"

namespace {

constexpr float kRadius = 0.02f;
const wp::vec3 kGravity{0.0f, -9.81f, 0.0f};

struct Options : example::SceneOptions {
  std::string nvdb;  // a float level set to load instead of the generated torus
};

// The level set: loaded, or a torus around +y resting on y = −0.5.
wp::Volume make_level_set(const Options& o, const wp::Device& dev) {
  if (!o.nvdb.empty()) {
    wp::Volume v = wp::Volume::load(o.nvdb, dev);
    if (v.type() != wp::VolumeType::Float32)
      throw wp::Error("'" + o.nvdb + "' holds a " + std::string(wp::volume_type_name(v.type())) +
                      " grid; the example needs a float level set");
    return v;
  }
  auto handle = nanovdb::createLevelSetTorus<float>(0.6f, 0.25f, nanovdb::Vec3f(0.0f, -0.25f, 0.0f), 0.01, 5.0);
  return wp::Volume::from_grid(handle.data(), handle.size(), dev);
}

// Particles in a jittered block of the given footprint above `base_y`, at rest.
std::vector<wp::vec3> initial_positions(int n, float half_width, float base_y) {
  std::vector<wp::vec3> x;
  const float spacing = 2.4f * kRadius;
  const int side = std::max(1, int(2 * half_width / spacing));
  uint32_t state = 12345u;
  auto jitter = [&] {
    state = state * 1664525u + 1013904223u;
    return (float(state >> 8) / 16777216.0f - 0.5f) * 0.2f * kRadius;
  };
  for (int i = 0; int(x.size()) < n; ++i) {
    const int ix = i % side, iz = (i / side) % side, iy = i / (side * side);
    x.push_back({-half_width + (ix + 0.5f) * spacing + jitter(), base_y + iy * spacing + jitter(),
                 -half_width + (iz + 0.5f) * spacing + jitter()});
  }
  return x;
}

double total_energy(const std::vector<wp::vec3>& x, const std::vector<wp::vec3>& v, float ground) {
  double e = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double v2 = double(v[i][0]) * v[i][0] + double(v[i][1]) * v[i][1] + double(v[i][2]) * v[i][2];
    e += 0.5 * v2 - double(kGravity[1]) * (x[i][1] - ground);
  }
  return e;
}

struct Scene {
  wp::vec3 lo, hi;  // the level set's world box
  float ground, min_step, extent;
};

void render_frame(const Options& o, const wp::Device& dev, const wp::Volume& vol, const Scene& sc,
                  const wp::array<wp::vec3>& x, const std::string& path) {
  const int n = int(x.size());
  auto lowers = wp::zeros<wp::vec3>({n}, dev), uppers = wp::zeros<wp::vec3>({n}, dev);
  sdf_collision::particle_bounds(n, x, kRadius, lowers, uppers);
  wp::Bvh particles(lowers, uppers);
  const wp::vec3 centre{0.5f * (sc.lo[0] + sc.hi[0]), sc.ground + 0.2f * sc.extent, 0.5f * (sc.lo[2] + sc.hi[2])};
  const wp::vec3 eye{centre[0] + 0.62f * sc.extent, centre[1] + 0.5f * sc.extent, centre[2] - 0.75f * sc.extent};
  const example::Camera cam = example::Camera::look_at(eye, centre, {{0.0f, 1.0f, 0.0f}});
  const wp::vec3 light = example::normalized(wp::vec3{0.4f, 1.0f, -0.3f});
  auto image = wp::zeros<wp::vec3>({o.width * o.height}, dev);
  sdf_collision::render(o.width * o.height, vol.id(), sc.lo, sc.hi, sc.min_step, particles.id(), x, kRadius, sc.ground,
                        cam.eye, cam.forward, cam.right, cam.up, light, o.width, o.height, image);
  example::write_png(path, image.to_host(), o.width, o.height);
}

int run(const Options& o, const wp::Device& dev) {
  const wp::Volume vol = make_level_set(o, dev);
  const wp::VolumeInfo info = vol.info();
  Scene sc;
  for (int a = 0; a < 3; ++a) sc.lo[a] = float(info.world_min[a]), sc.hi[a] = float(info.world_max[a]);
  sc.ground = o.nvdb.empty() ? -0.5f : sc.lo[1];
  sc.min_step = 0.1f * float(info.voxel_size[0]);
  sc.extent = std::max({sc.hi[0] - sc.lo[0], sc.hi[1] - sc.lo[1], sc.hi[2] - sc.lo[2]});
  const float half_width = 0.45f * std::max(sc.hi[0] - sc.lo[0], sc.hi[2] - sc.lo[2]);

  std::vector<wp::vec3> x0 = initial_positions(o.n, half_width, sc.hi[1] + 0.1f * sc.extent), v0(o.n, wp::vec3{0, 0, 0});
  auto x = wp::from_host(x0, {o.n}, dev), v = wp::from_host(v0, {o.n}, dev);
  const double e0 = total_energy(x0, v0, sc.ground);
  const float dt = 1.0f / 240.0f;

  int frame = 0;
  auto t0 = std::chrono::steady_clock::now();
  double render_ms = 0;
  for (int s = 1; s <= o.steps; ++s) {
    sdf_collision::step(o.n, vol.id(), x, v, kRadius, kGravity, dt, 0.2f, 0.5f, sc.ground);
    if (o.frames > 0 && s * o.frames / o.steps != (s - 1) * o.frames / o.steps) {
      char name[32];
      std::snprintf(name, sizeof name, "/frame_%03d.png", frame++);
      auto r0 = std::chrono::steady_clock::now();
      render_frame(o, dev, vol, sc, x, o.out + name);
      render_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r0).count();
    }
  }
  wp::synchronize();
  const double total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  auto d = wp::zeros<float>({o.n}, dev);
  sdf_collision::depth(o.n, vol.id(), x, kRadius, d);
  const std::vector<float> depth = d.to_host();
  const std::vector<wp::vec3> xs = x.to_host(), vs = v.to_host();
  const float deepest = *std::min_element(depth.begin(), depth.end());
  float lowest = 1e30f;
  int on_surface = 0;
  for (int i = 0; i < o.n; ++i) {
    lowest = std::min(lowest, xs[i][1]);
    on_surface += depth[i] < 0.5f * kRadius && xs[i][1] > sc.ground + 2 * kRadius;
  }
  const double e1 = total_energy(xs, vs, sc.ground), budget = double(o.n) * 9.81 * kRadius;
  std::printf("sdf_collision on %s: %d particles, level set of %lld active voxels (%s), %d steps in %.1f ms "
              "(%.3f ms/step, rendering %d frame(s) %.1f ms)\n",
              dev.str().c_str(), o.n, static_cast<long long>(info.active_voxel_count),
              o.nvdb.empty() ? "generated torus" : o.nvdb.c_str(), o.steps, total_ms - render_ms,
              (total_ms - render_ms) / o.steps, frame, render_ms);
  std::printf("  deepest penetration %.4f (radius %.3f), lowest y %.4f (ground %.3f), resting on the surface %d, "
              "energy %.2f -> %.2f (budget +%.2f)\n",
              -deepest, kRadius, lowest, sc.ground, on_surface, e0, e1, budget);
  bool ok = true;
  if (deepest < -0.5f * kRadius) std::printf("FAIL: a particle is inside the surface\n"), ok = false;
  if (lowest < sc.ground + kRadius * 0.999f) std::printf("FAIL: a particle is below the ground\n"), ok = false;
  if (!(e1 <= e0 + budget)) std::printf("FAIL: energy grew\n"), ok = false;
  if (o.nvdb.empty() && on_surface < o.n / 10)
    std::printf("FAIL: fewer than a tenth of the particles rest on the level set\n"), ok = false;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.device = "cpu";
  static_cast<example::SceneOptions&>(o) =
      example::parse_scene_options(argc, argv, "sdf_collision", o, " [--nvdb FILE]",
                                   [&o](const std::string& flag, const std::string& value) {
                                     if (flag != "--nvdb") return false;
                                     o.nvdb = value;
                                     return true;
                                   });
  return example::run_on_device(o.device, "sdf_collision", [&](const wp::Device& dev) { return run(o, dev); });
}
