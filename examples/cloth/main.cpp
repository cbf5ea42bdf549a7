// main.cpp — the cloth example: a square mass-spring sheet (cloth.wp: stretch, shear and
// bending springs, semi-implicit Euler) dropped onto an analytic sphere resting near the
// ground, with friction; frames ray-cast through a wp::Mesh of the sheet (mesh_render.wp) and
// written as PNG through libpng.
//
//   cloth [--device cpu|cuda[:N]] [--n RES] [--steps S] [--frames F] [--out DIR] [--width W]
//         [--height H] [--graph on|off]
//
// RES × RES vertices (default 128; 256 and more work), S frames of 1/60 s (default 120), each
// of as many substeps as the springs' stability needs (dt = spacing / (4 c), c = 20 m/s the
// stretch wave speed); F pictures evenly spaced (default 1: the last frame) into DIR. Prints
// ms per frame (simulation only; on a GPU each frame is one replay of a CUDA graph captured from
// the first, unless --graph off). Checks at the end, exit 1 if one fails:
//   * every vertex is finite, on or above the ground and outside the sphere (its radius plus
//     the cloth's thickness), up to 1e-4;
//   * the cloth lies on the sphere (some vertex within 2 thicknesses of it) and has fallen;
//   * no structural spring is stretched by more than 25% (the integration stayed stable).
// With --device cuda and no GPU it prints "skipped: no CUDA device" and exits 77.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cloth.wp.h"
#include "example_util.h"
#include "wp/mesh.h"

namespace {

constexpr float kSide = 1.6f, kHeight = 1.0f, kWaveSpeed = 20.0f, kRadius = 0.4f;
const wp::vec3 kCenter{{0.0f, 0.0f, 0.45f}};
const wp::vec3 kGravity{{0.0f, 0.0f, -9.81f}};

cloth::Cloth material(int res) {
  cloth::Cloth c{};
  c.res = res;
  c.spacing = kSide / float(res - 1);
  c.k_stretch = (kWaveSpeed / c.spacing) * (kWaveSpeed / c.spacing);  // per unit vertex mass
  c.k_shear = 0.5f * c.k_stretch;
  c.k_bend = 0.05f * c.k_stretch;
  c.k_damp = 0.5f * kWaveSpeed / c.spacing;
  c.drag = 0.2f;
  c.mu = 0.4f;
  c.thickness = 0.005f;
  return c;
}

void make_sheet(int res, std::vector<wp::vec3>& x, std::vector<int32_t>& tris) {
  const float s = kSide / float(res - 1);
  for (int i = 0; i < res; ++i)
    for (int j = 0; j < res; ++j) x.push_back({{-0.5f * kSide + j * s, -0.5f * kSide + i * s, kHeight}});
  for (int i = 0; i + 1 < res; ++i)
    for (int j = 0; j + 1 < res; ++j) {
      const int32_t a = i * res + j, b = a + 1, c = a + res, d = c + 1;
      tris.insert(tris.end(), {a, b, d, a, d, c});
    }
}

// The sheet's state and one frame of the simulation: `substeps` × (spring forces, integration
// with contacts), launches only (no allocation, no host synchronisation).
struct Sheet {
  wp::array<wp::vec3> x, v, f;
};

void simulate_frame(const cloth::Cloth& c, const Sheet& s, int substeps, float dt) {
  const int n = c.res * c.res;
  for (int k = 0; k < substeps; ++k) {
    cloth::spring_forces(n, s.x, s.v, c, s.f);
    cloth::integrate(n, s.x, s.v, s.f, c, kGravity, kCenter, kRadius, dt);
  }
}

void render_frame(const example::SceneOptions& o, wp::Mesh& mesh, const wp::array<wp::vec3>& colors,
                  const std::string& path) {
  mesh.refit();
  const example::Camera cam = example::Camera::look_at({{1.25f, -1.6f, 1.05f}}, {{0.0f, 0.0f, 0.3f}});
  auto image = wp::zeros<wp::vec3>({o.width * o.height}, colors.device());
  cloth::render(o.width * o.height, mesh.id(), colors, kCenter, kRadius, cam.eye, cam.forward, cam.right, cam.up,
                example::normalized({{0.4f, -0.3f, 1.0f}}), o.width, o.height, image);
  example::write_png(path, image.to_host(), o.width, o.height);
}

// The checks on the final positions; prints what it measured.
bool check(const std::vector<wp::vec3>& x, const cloth::Cloth& c) {
  double lowest = 1e30, closest = 1e30, stretch = 0, mean_z = 0;
  bool finite = true;
  const int res = c.res;
  auto dist = [](const wp::vec3& a, const wp::vec3& b) {
    return std::sqrt(double(a[0] - b[0]) * (a[0] - b[0]) + double(a[1] - b[1]) * (a[1] - b[1]) +
                     double(a[2] - b[2]) * (a[2] - b[2]));
  };
  for (int i = 0; i < res; ++i)
    for (int j = 0; j < res; ++j) {
      const wp::vec3& p = x[std::size_t(i) * res + j];
      finite = finite && std::isfinite(p[0]) && std::isfinite(p[1]) && std::isfinite(p[2]);
      lowest = std::min(lowest, double(p[2]));
      closest = std::min(closest, dist(p, kCenter) - kRadius);
      mean_z += p[2] / (double(res) * res);
      if (j + 1 < res) stretch = std::max(stretch, dist(p, x[std::size_t(i) * res + j + 1]) / c.spacing - 1);
      if (i + 1 < res) stretch = std::max(stretch, dist(p, x[std::size_t(i + 1) * res + j]) / c.spacing - 1);
    }
  std::printf("  lowest z %.5f (ground + thickness %.4f), nearest to the sphere %.5f (thickness %.4f), "
              "largest stretch %.1f%%, mean height %.3f -> %.3f\n",
              lowest, c.thickness, closest, c.thickness, 100 * stretch, kHeight, mean_z);
  bool ok = true;
  if (!finite) std::printf("FAIL: a vertex is not finite\n"), ok = false;
  if (!(lowest >= c.thickness - 1e-4)) std::printf("FAIL: a vertex is below the ground\n"), ok = false;
  if (!(closest >= c.thickness - 1e-4)) std::printf("FAIL: a vertex is inside the sphere\n"), ok = false;
  if (!(closest <= 2 * c.thickness && mean_z < kHeight)) std::printf("FAIL: the cloth did not fall onto the sphere\n"), ok = false;
  if (!(stretch <= 0.25)) std::printf("FAIL: a spring is stretched by more than 25%%\n"), ok = false;
  return ok;
}

int run(const example::SceneOptions& o, const wp::Device& dev) {
  const int res = o.n;
  const cloth::Cloth c = material(res);
  std::vector<wp::vec3> x0;
  std::vector<int32_t> tris;
  make_sheet(res, x0, tris);
  const Sheet sheet{wp::from_host(x0, dev), wp::zeros<wp::vec3>({res * res}, dev), wp::zeros<wp::vec3>({res * res}, dev)};
  wp::Mesh mesh(sheet.x, wp::from_host(tris, dev));
  const int faces = int(tris.size() / 3);
  auto colors = wp::zeros<wp::vec3>({faces}, dev);
  cloth::face_colors(faces, res, colors);
  const float frame_dt = 1.0f / 60.0f;
  const int substeps = int(std::ceil(frame_dt / (0.25f * c.spacing / kWaveSpeed)));
  const float dt = frame_dt / float(substeps);

  double sim_ms = 0;
  int pictures = 0;
  example::GraphedStep frame_graph(dev, o.graph);  // a whole frame: one graph launch on a GPU
  for (int frame = 1; frame <= o.steps; ++frame) {
    const auto t0 = std::chrono::steady_clock::now();
    frame_graph.run([&] { simulate_frame(c, sheet, substeps, dt); });
    wp::synchronize();
    sim_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (example::picture_due(frame, o.steps, o.frames))
      render_frame(o, mesh, colors, example::picture_path(o.out, "cloth", ++pictures));
  }
  std::printf("cloth %dx%d on %s%s: %d frames x %d substeps: %.2f ms/frame, %d picture(s)\n", res, res,
              dev.str().c_str(), frame_graph.graphed() ? " (one CUDA graph per frame)" : "", o.steps, substeps,
              sim_ms / o.steps, pictures);
  return check(sheet.x.to_host(), c) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  example::SceneOptions defaults;
  defaults.n = 128, defaults.steps = 120, defaults.frames = 1;
  const example::SceneOptions o = example::parse_scene_options(
      argc, argv, "cloth", defaults, "", [](const std::string&, const std::string&) { return false; });
  if (o.n < 3) {
    std::fprintf(stderr, "cloth: --n (vertices per side) must be at least 3\n");
    return 2;
  }
  return example::run_on_device(o.device, "cloth", [&](const wp::Device& dev) { return run(o, dev); });
}
