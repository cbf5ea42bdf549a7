// main.cpp — the soft_body example: three Neo-Hookean boxes of tetrahedra (soft_body.wp,
// tet_mesh.h) dropped at different heights and tilts onto the ground, with friction;
// semi-implicit Euler; frames ray-cast through a wp::Mesh of their surfaces and written as PNG.
//
//   soft_body [--device cpu|cuda[:N]] [--n CELLS] [--steps S] [--frames F] [--out DIR]
//             [--width W] [--height H] [--graph on|off]
//
// Each box is CELLS³ cubes of 6 tets (default 6; 16 and more work), side 0.4 m, rubber-like
// (density 1000 kg/m³, mu 50 kPa, lambda 200 kPa); S frames of 1/60 s (default 120), each of
// the substeps the explicit scheme needs (dt = 0.3 h / c, c the pressure wave speed); F
// pictures evenly spaced (default 1) into DIR. Prints ms per frame (simulation only; on a GPU
// each frame is one replay of a CUDA graph captured from the first, unless --graph off). Checks
// (every frame), exit 1 if one fails:
//   * energy bounded: kinetic + gravitational + elastic energy never exceeds the initial
//     energy by more than 1% (damping and friction only remove energy);
//   * no inverted tet: det F > 0 for every tet;
//   * at the end no vertex is below the ground (1e-4), one touches it (1e-3) and the mean
//     height of the vertices has dropped by more than 0.2 m.
// With --device cuda and no GPU it prints "skipped: no CUDA device" and exits 77.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "example_util.h"
#include "soft_body.wp.h"
#include "tet_mesh.h"
#include "wp/mesh.h"

namespace {

constexpr float kSize = 0.4f;
const wp::vec3 kGravity{{0.0f, 0.0f, -9.81f}};

soft_body::Material material() {
  soft_body::Material m{};
  m.density = 1000.0f;
  m.mu = 1.0e5f;
  m.lam = 4.0e5f;
  m.friction = 0.5f;
  return m;
}

struct Bodies {
  wp::array<wp::vec3> x, v, f;
  wp::array<int32_t> tets;
  wp::array<wp::mat33> dm_inv;
  wp::array<float> volume, mass, det_f, energy;
  int points = 0, elements = 0;
};

Bodies make_bodies(const soft::TetMesh& mesh, const soft_body::Material& m, const wp::Device& dev) {
  Bodies b;
  b.points = int(mesh.points.size());
  b.elements = int(mesh.tets.size() / 4);
  b.x = wp::from_host(mesh.points, dev);
  b.v = wp::zeros<wp::vec3>({b.points}, dev);
  b.f = wp::zeros<wp::vec3>({b.points}, dev);
  b.tets = wp::from_host(mesh.tets, wp::with_shape({b.elements, 4}), wp::on(dev));
  b.dm_inv = wp::zeros<wp::mat33>({b.elements}, dev);
  b.volume = wp::zeros<float>({b.elements}, dev);
  b.mass = wp::zeros<float>({b.points}, dev);
  b.det_f = wp::zeros<float>({b.elements}, dev);
  b.energy = wp::zeros<float>({1}, dev);
  soft_body::rest_shape(b.elements, b.x, b.tets, m, b.dm_inv, b.volume, b.mass);
  return b;
}

// Total energy (elastic from the last element_forces launch, which must have started from a
// zeroed b.energy) after the integration.
double total_energy(Bodies& b) {
  soft_body::kinetic_potential(b.points, b.x, b.v, b.mass, kGravity, b.energy);
  return b.energy.to_host()[0];
}

// One frame of the simulation: `substeps` × (element forces, integration with the ground
// contact); the elastic energy of the last substep's element_forces is left in b.energy.
// Launches and one fill only (no allocation, no host synchronisation).
void simulate_frame(const Bodies& b, const soft_body::Material& m, int substeps, float dt) {
  for (int s = 0; s < substeps; ++s) {
    if (s + 1 == substeps) wp::fill(b.energy, 0.0f);
    soft_body::element_forces(b.elements, b.x, b.v, b.tets, b.dm_inv, b.volume, m, b.f, b.energy, b.det_f);
    soft_body::integrate(b.points, b.x, b.v, b.f, b.mass, m, kGravity, dt);
  }
}

void render_frame(const example::SceneOptions& o, wp::Mesh& mesh, const wp::array<wp::vec3>& colors,
                  const std::string& path) {
  mesh.refit();
  const example::Camera cam = example::Camera::look_at({{0.45f, -1.9f, 0.95f}}, {{0.0f, 0.0f, 0.2f}});
  auto image = wp::zeros<wp::vec3>({o.width * o.height}, colors.device());
  soft_body::render(o.width * o.height, mesh.id(), colors, cam.eye, cam.forward, cam.right, cam.up,
                    example::normalized({{0.3f, -0.5f, 1.0f}}), o.width, o.height, image);
  example::write_png(path, image.to_host(), o.width, o.height);
}

int run(const example::SceneOptions& o, const wp::Device& dev) {
  soft::TetMesh tm;
  soft::add_box(tm, o.n, kSize, {{-0.6f, 0.0f, 0.45f}}, 0.3f, 0);
  soft::add_box(tm, o.n, kSize, {{0.0f, 0.1f, 0.7f}}, 0.8f, 1);
  soft::add_box(tm, o.n, kSize, {{0.6f, 0.0f, 0.95f}}, 1.4f, 2);
  const soft::Surface surf = soft::surface(tm);
  double mean_z0 = 0;
  for (const wp::vec3& p : tm.points) mean_z0 += p[2] / double(tm.points.size());
  soft_body::Material m = material();
  Bodies b = make_bodies(tm, m, dev);
  const float h = kSize / float(o.n), wave = std::sqrt((m.lam + 2 * m.mu) / m.density), frame_dt = 1.0f / 60.0f;
  const int substeps = int(std::ceil(frame_dt / (0.3f * h / wave)));
  const float dt = frame_dt / float(substeps);
  m.k_damp = 0.05f * m.density * h * h / dt;

  static const wp::vec3 kPalette[3] = {{{0.85f, 0.35f, 0.25f}}, {{0.30f, 0.65f, 0.40f}}, {{0.30f, 0.45f, 0.85f}}};
  std::vector<wp::vec3> face_colors;
  for (int body : surf.body) face_colors.push_back(kPalette[body % 3]);
  auto colors = wp::from_host(face_colors, dev);
  wp::Mesh mesh(b.x, wp::from_host(surf.tris, dev));

  soft_body::element_forces(b.elements, b.x, b.v, b.tets, b.dm_inv, b.volume, m, b.f, b.energy, b.det_f);
  wp::fill(b.f, wp::vec3{{0, 0, 0}});
  const double e0 = total_energy(b);
  double highest = e0, last = e0, sim_ms = 0, smallest_det = 1e30;
  int pictures = 0;
  example::GraphedStep frame_graph(dev, o.graph);  // a whole frame: one graph launch on a GPU
  for (int frame = 1; frame <= o.steps; ++frame) {
    const auto t0 = std::chrono::steady_clock::now();
    frame_graph.run([&] { simulate_frame(b, m, substeps, dt); });
    wp::synchronize();
    sim_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    last = total_energy(b);
    highest = std::max(highest, last);
    for (float d : b.det_f.to_host()) smallest_det = std::min(smallest_det, double(d));
    if (example::picture_due(frame, o.steps, o.frames))
      render_frame(o, mesh, colors, example::picture_path(o.out, "soft_body", ++pictures));
  }
  double lowest = 1e30, mean_z = 0;
  for (const wp::vec3& p : b.x.to_host()) lowest = std::min(lowest, double(p[2])), mean_z += p[2] / double(b.points);
  std::printf("soft_body on %s: 3 boxes of %d^3 x 6 tets (%d tets, %d vertices), %d frames x %d substeps: "
              "%.2f ms/frame, %d picture(s)\n", dev.str().c_str(), o.n, b.elements, b.points, o.steps, substeps,
              sim_ms / o.steps, pictures);
  std::printf("  energy %.2f J -> highest %.2f J, last %.2f J; smallest det F %.3f; lowest z %.5f, mean height %.3f -> %.3f\n",
              e0, highest, last, smallest_det, lowest, mean_z0, mean_z);
  bool ok = true;
  if (!(highest <= e0 + 0.01 * std::fabs(e0))) std::printf("FAIL: the energy grew\n"), ok = false;
  if (!(smallest_det > 0.0)) std::printf("FAIL: a tet was inverted\n"), ok = false;
  if (!(lowest >= -1e-4)) std::printf("FAIL: a vertex is below the ground\n"), ok = false;
  if (!(lowest <= 1e-3 && mean_z < mean_z0 - 0.2)) std::printf("FAIL: the boxes did not come down to the ground\n"), ok = false;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  example::SceneOptions defaults;
  defaults.n = 6, defaults.steps = 120, defaults.frames = 1;
  const example::SceneOptions o = example::parse_scene_options(
      argc, argv, "soft_body", defaults, "", [](const std::string&, const std::string&) { return false; });
  return example::run_on_device(o.device, "soft_body", [&](const wp::Device& dev) { return run(o, dev); });
}
