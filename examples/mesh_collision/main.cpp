// main.cpp — the mesh-collision example: particles dropped onto a torus lying on the ground,
// contacts from wp.mesh_query_point (mesh_collision.wp, `step`), frames rendered by a
// ray-casting kernel written in .wp itself (`render`: wp.mesh_query_ray for the mesh, a
// wp::Bvh over the particles and wp.bvh_query_ray for them) and written as PNG files through
// libpng.
//
//   mesh_collision [--device cpu|cuda[:N]] [--n N] [--steps S] [--frames F] [--out DIR]
//                  [--width W] [--height H]
//
// Default device: cuda:0 when a CUDA GPU is present, else the CPU. Writes F frames evenly
// spaced over the run (frame_000.png …, default 1: the last step) into DIR (default: the
// current folder; --frames 0 writes none). Checks at the end, exit 1 if one fails:
//   * no particle inside the mesh: every particle's signed distance to the surface (kernel
//     `depth`) is ≥ −radius/2 (contacts are resolved by projection each step; a particle may
//     sink by at most a fraction of its radius within one step);
//   * no particle below the ground;
//   * energy bounded: total energy (kinetic + potential) at the end ≤ the initial energy plus
//     the most the contact projections can add (one radius of lift per particle);
//   * at least a tenth of the particles rest on the torus (the scene is set up so that many do).
// With --device cuda and no GPU it prints "skipped: no CUDA device" and exits 77 (CTest skip).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "example_util.h"
#include "mesh_collision.wp.h"
#include "wp/bvh.h"
#include "wp/mesh.h"

namespace {

constexpr float kRadius = 0.03f;
constexpr float kGround = -0.5f;
const wp::vec3 kGravity{0.0f, 0.0f, -9.81f};

using Options = example::SceneOptions;

// A closed torus around the z axis resting on the ground: ring radius 0.6, tube radius 0.25,
// `around` × `tube` quads, two triangles each, outward-facing.
void make_torus(int around, int tube, std::vector<wp::vec3>& points, std::vector<int32_t>& tris) {
  const float two_pi = 6.2831853f, ring = 0.6f, r = 0.25f, centre_z = kGround + r;
  for (int a = 0; a < around; ++a) {
    for (int b = 0; b < tube; ++b) {
      float phi = two_pi * a / around, theta = two_pi * b / tube;
      float reach = ring + r * std::cos(theta);
      points.push_back({reach * std::cos(phi), reach * std::sin(phi), centre_z + r * std::sin(theta)});
    }
  }
  auto at = [&](int a, int b) { return int32_t((a % around) * tube + (b % tube)); };
  for (int a = 0; a < around; ++a)
    for (int b = 0; b < tube; ++b) {
      int32_t p = at(a, b), q = at(a + 1, b), s = at(a + 1, b + 1), t = at(a, b + 1);
      tris.insert(tris.end(), {p, q, s});
      tris.insert(tris.end(), {p, s, t});
    }
}

// Particles in a jittered block above the torus, at rest.
std::vector<wp::vec3> initial_positions(int n) {
  std::vector<wp::vec3> x;
  int side = std::max(1, int(std::ceil(std::cbrt(n / 2.0))));
  const float spacing = 2.4f * kRadius;
  uint32_t state = 12345u;
  auto jitter = [&] {
    state = state * 1664525u + 1013904223u;
    return (float(state >> 8) / 16777216.0f - 0.5f) * 0.2f * kRadius;
  };
  for (int i = 0; int(x.size()) < n; ++i) {
    int ix = i % (2 * side), iy = (i / (2 * side)) % (2 * side), iz = i / (4 * side * side);
    x.push_back({(ix - side + 0.5f) * spacing + jitter(), (iy - side + 0.5f) * spacing + jitter(),
                 0.3f + iz * spacing + jitter()});
  }
  return x;
}

double total_energy(const std::vector<wp::vec3>& x, const std::vector<wp::vec3>& v) {
  double e = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double v2 = double(v[i][0]) * v[i][0] + double(v[i][1]) * v[i][1] + double(v[i][2]) * v[i][2];
    e += 0.5 * v2 - double(kGravity[2]) * (x[i][2] - kGround);
  }
  return e;
}

void render_frame(const Options& o, const wp::Device& dev, const wp::Mesh& mesh, const wp::array<wp::vec3>& x,
                  const std::string& path) {
  const int n = int(x.size());
  auto lowers = wp::zeros<wp::vec3>({n}, dev), uppers = wp::zeros<wp::vec3>({n}, dev);
  mesh_collision::particle_bounds(n, x, kRadius, lowers, uppers);
  wp::Bvh particles(lowers, uppers);
  const example::Camera cam = example::Camera::look_at({{1.45f, -1.75f, 0.95f}}, {{0.0f, 0.0f, -0.3f}});
  const wp::vec3 light = example::normalized({{0.4f, -0.3f, 1.0f}});
  auto image = wp::zeros<wp::vec3>({o.width * o.height}, dev);
  mesh_collision::render(o.width * o.height, mesh.id(), particles.id(), x, kRadius, kGround, cam.eye, cam.forward,
                         cam.right, cam.up, light, o.width, o.height, image);
  example::write_png(path, image.to_host(), o.width, o.height);
}

int run(const Options& o, const wp::Device& dev) {
  std::vector<wp::vec3> pts;
  std::vector<int32_t> tris;
  make_torus(96, 32, pts, tris);
  auto points = wp::from_host(pts, {int(pts.size())}, dev);
  auto indices = wp::from_host(tris, {int(tris.size())}, dev);
  wp::Mesh mesh(points, indices);

  std::vector<wp::vec3> x0 = initial_positions(o.n), v0(o.n, wp::vec3{0, 0, 0});
  auto x = wp::from_host(x0, {o.n}, dev), v = wp::from_host(v0, {o.n}, dev);
  const double e0 = total_energy(x0, v0);
  const float dt = 1.0f / 240.0f;

  int frame = 0;
  auto t0 = std::chrono::steady_clock::now();
  double render_ms = 0;
  for (int s = 1; s <= o.steps; ++s) {
    mesh_collision::step(o.n, mesh.id(), x, v, kRadius, kGravity, dt, 0.2f, 0.5f, kGround);
    if (o.frames > 0 && s * o.frames / o.steps != (s - 1) * o.frames / o.steps) {
      char name[32];
      std::snprintf(name, sizeof name, "/frame_%03d.png", frame++);
      auto r0 = std::chrono::steady_clock::now();
      render_frame(o, dev, mesh, x, o.out + name);
      render_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r0).count();
    }
  }
  wp::synchronize();
  double total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  auto d = wp::zeros<float>({o.n}, dev);
  mesh_collision::depth(o.n, mesh.id(), x, kRadius, d);
  std::vector<float> depth = d.to_host();
  std::vector<wp::vec3> xs = x.to_host(), vs = v.to_host();
  float deepest = *std::min_element(depth.begin(), depth.end());
  float lowest = 1e30f;
  int on_torus = 0;
  for (int i = 0; i < o.n; ++i) {
    lowest = std::min(lowest, xs[i][2]);
    on_torus += depth[i] < 0.5f * kRadius && xs[i][2] > kGround + 2 * kRadius;
  }
  const double e1 = total_energy(xs, vs), budget = double(o.n) * 9.81 * kRadius;
  std::printf("mesh_collision on %s: %d particles, %d triangles, %d steps in %.1f ms (%.3f ms/step, "
              "rendering %d frame(s) %.1f ms)\n",
              dev.str().c_str(), o.n, int(tris.size() / 3), o.steps, total_ms - render_ms,
              (total_ms - render_ms) / o.steps, frame, render_ms);
  std::printf("  deepest penetration %.4f (radius %.3f), lowest z %.4f (ground %.2f), resting on the torus %d, "
              "energy %.2f -> %.2f (budget +%.2f)\n",
              -deepest, kRadius, lowest, kGround, on_torus, e0, e1, budget);
  bool ok = true;
  if (deepest < -0.5f * kRadius) std::printf("FAIL: a particle is inside the mesh\n"), ok = false;
  if (lowest < kGround + kRadius * 0.999f) std::printf("FAIL: a particle is below the ground\n"), ok = false;
  if (!(e1 <= e0 + budget)) std::printf("FAIL: energy grew\n"), ok = false;
  if (on_torus < o.n / 10) std::printf("FAIL: fewer than a tenth of the particles rest on the torus\n"), ok = false;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = example::parse_scene_options(argc, argv, "mesh_collision", Options{}, "",
                                                 [](const std::string&, const std::string&) { return false; });
  return example::run_on_device(o.device, "mesh_collision", [&](const wp::Device& dev) { return run(o, dev); });
}
