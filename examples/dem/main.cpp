// main.cpp — the DEM example: a block of cohesive granular material dropped into a box
// (dem.wp: pair forces over a wp::HashGrid rebuilt every substep, semi-implicit Euler), frames
// ray-cast by a .wp kernel and written as PNG through libpng.
//
//   dem [--device cpu|cuda[:N]] [--n N] [--frames F] [--substeps S] [--png-every K] [--out DIR]
//       [--width W] [--height H] [--graph on|off]
//
// Defaults: cuda:0 when a GPU is present (N = 131,072 particles), else the CPU (N = 8,192);
// F = 120 frames of 1/60 s, S = 40 substeps; a PNG every K = 30 frames into DIR (default: the
// current folder; K = 0 writes none). Prints ms per frame (simulation only: S grid builds, S
// force and S integration launches). On a GPU one substep (grid build, forces, integration)
// is captured once into a CUDA graph and replayed (--graph off: launched one by one). Checks,
// exit 1 if one fails:
//   * Newton's third law: every 10th frame the pair forces of one substep sum to zero —
//     |Σ f| ≤ 1e-4 · Σ |f| (each pair's two forces are computed by two threads from two
//     independent grid queries, so this also checks that neighbour queries are symmetric);
//   * energy: kinetic + gravitational energy never exceeds the initial energy plus what
//     cohesion can release (k_cohesion · cohesion_range per potential contact: 6 per particle);
//   * no particle below the ground or outside the walls by more than half a radius, and no two
//     particles overlapping by more than half a radius at the end (sampled through the grid);
//   * the material has fallen: the mean height at the end is below its initial mean height.
// With --device cuda and no GPU it prints "skipped: no CUDA device" and exits 77 (CTest skip).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dem.wp.h"
#include "example_util.h"
#include "wp/builtins/hash_grid.h"
#include "wp/bvh.h"
#include "wp/hash_grid.h"

namespace {

constexpr float kRadius = 0.01f;
constexpr float kHalfWidth = 0.9f;  // walls at x, y = ±kHalfWidth
const wp::vec3 kGravity{{0.0f, 0.0f, -9.81f}};

dem::Material material() {
  dem::Material m{};
  m.radius = kRadius;
  m.k_n = 4.0e5f;        // per unit mass: 40 layers sink into each other by ≈ 1e-3
  m.k_d = 400.0f;        // about half of critical damping for a pair
  m.k_f = 500.0f;
  m.mu = 1.0f;
  m.k_cohesion = 10.0f;  // ≈ 1 g per contact
  m.cohesion_range = 0.1f * kRadius;
  return m;
}

struct Options {
  std::string device, out = ".";
  int n = 0, frames = 120, substeps = 40, png_every = 30, width = 640, height = 400;
  bool graph = true;
};

[[noreturn]] void usage(const char* argv0, const std::string& problem) {
  std::fprintf(stderr, "dem: %s\nusage: %s [--device cpu|cuda[:N]] [--n N] [--frames F] [--substeps S] "
               "[--png-every K] [--out DIR] [--width W] [--height H] [--graph on|off]\n", problem.c_str(), argv0);
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage(argv[0], "missing value after '" + a + "'");
    const std::string v = argv[++i];
    if (a == "--device") o.device = v;
    else if (a == "--out") o.out = v;
    else if (a == "--n") o.n = std::atoi(v.c_str());
    else if (a == "--frames") o.frames = std::atoi(v.c_str());
    else if (a == "--substeps") o.substeps = std::atoi(v.c_str());
    else if (a == "--png-every") o.png_every = std::atoi(v.c_str());
    else if (a == "--width") o.width = std::atoi(v.c_str());
    else if (a == "--height") o.height = std::atoi(v.c_str());
    else if (a == "--graph" && (v == "on" || v == "off")) o.graph = v == "on";
    else if (a == "--graph") usage(argv[0], "--graph takes 'on' or 'off', got '" + v + "'");
    else usage(argv[0], "unknown argument '" + a + "'");
  }
  if (o.n < 0 || o.frames < 1 || o.substeps < 1 || o.png_every < 0 || o.width < 8 || o.height < 8)
    usage(argv[0], "--n must be ≥ 0 (0: the device's default), --frames and --substeps ≥ 1, --png-every ≥ 0, "
                   "--width and --height ≥ 8");
  return o;
}

// A block of n particles on a jittered lattice (spacing 2.1 radii) above the floor, at rest,
// with colours by layer.
void initial_state(int n, std::vector<wp::vec3>& x, std::vector<wp::vec3>& colors) {
  const int side = std::max(1, int(std::ceil(std::cbrt(n / 1.5))));
  const float spacing = 2.1f * kRadius;
  uint32_t state = 2024u;
  auto jitter = [&] {
    state = state * 1664525u + 1013904223u;
    return (float(state >> 8) / 16777216.0f - 0.5f) * 0.1f * kRadius;
  };
  for (int i = 0; i < n; ++i) {
    const int ix = i % side, iy = (i / side) % side, iz = i / (side * side);
    x.push_back({{(ix - 0.5f * side) * spacing + jitter(), (iy - 0.5f * side) * spacing + jitter() - 0.25f,
                  0.15f + iz * spacing + jitter()}});
    const float band = float((iz / 4) % 2);
    colors.push_back({{0.82f - 0.25f * band, 0.68f - 0.18f * band, 0.45f - 0.12f * band}});
  }
}

double energy(const std::vector<wp::vec3>& x, const std::vector<wp::vec3>& v) {
  double e = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    e += 0.5 * (double(v[i][0]) * v[i][0] + double(v[i][1]) * v[i][1] + double(v[i][2]) * v[i][2]) -
         double(kGravity[2]) * x[i][2];
  return e;
}

void render_frame(const Options& o, const wp::Device& dev, const wp::array<wp::vec3>& x,
                  const wp::array<wp::vec3>& colors, const std::string& path) {
  const int n = int(x.size());
  auto lowers = wp::zeros<wp::vec3>({n}, dev), uppers = wp::zeros<wp::vec3>({n}, dev);
  dem::particle_boxes(n, x, kRadius, lowers, uppers);
  wp::Bvh particles(lowers, uppers);
  const example::Camera cam = example::Camera::look_at({{0.75f, -0.95f, 0.6f}}, {{0.0f, -0.1f, 0.05f}});
  const wp::vec3 light = example::normalized({{0.5f, -0.2f, 1.0f}});
  auto image = wp::zeros<wp::vec3>({o.width * o.height}, dev);
  dem::render(o.width * o.height, particles.id(), x, colors, kRadius, cam.eye, cam.forward, cam.right, cam.up, light,
              o.width, o.height, image);
  example::write_png(path, image.to_host(), o.width, o.height);
}

int run(const Options& o, const wp::Device& dev) {
  const int n = o.n > 0 ? o.n : (dev.is_cuda() ? 131072 : 8192);
  const dem::Material mat = material();
  std::vector<wp::vec3> x0, c0;
  initial_state(n, x0, c0);
  const std::vector<wp::vec3> v0(static_cast<std::size_t>(n), wp::vec3{{0, 0, 0}});
  auto x = wp::from_host(x0, dev), v = wp::from_host(v0, dev), colors = wp::from_host(c0, dev);
  auto f = wp::zeros<wp::vec3>({n}, dev);
  const float reach = 2.0f * kRadius + mat.cohesion_range;
  const int dim = std::clamp(int(std::ceil(2.0f * kHalfWidth / reach)), 16, 128);
  wp::HashGrid grid(dim, dim, dim, dev);
  grid.reserve(n);
  const float dt = 1.0f / 60.0f / float(o.substeps);
  const double e0 = energy(x0, v0), budget = 6.0 * n * mat.k_cohesion * mat.cohesion_range;
  double mean_z0 = 0;
  for (const wp::vec3& p : x0) mean_z0 += p[2] / n;

  auto substep = [&] {
    grid.build(x, reach);
    dem::pair_forces(n, grid.id(), x, v, mat, f);
    dem::integrate(n, x, v, f, mat, kGravity, kHalfWidth, dt);
  };
  wp::Graph graph;  // one substep, captured once on a GPU
  if (dev.is_cuda() && o.graph) {
    grid.build(x, reach);  // sizes the grid's buffers first: the captured builds allocate nothing
    wp::capture_begin(dev);
    substep();
    graph = wp::capture_end();
  }

  bool ok = true;
  double sim_ms = 0, worst_newton = 0, highest_energy = e0;
  int frames_written = 0;
  for (int frame = 1; frame <= o.frames; ++frame) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int s = 0; s < o.substeps; ++s) {
      if (s == 0 && frame % 10 == 0) {  // Newton's third law on this substep's pair forces
        grid.build(x, reach);
        dem::pair_forces(n, grid.id(), x, v, mat, f);
        const std::vector<wp::vec3> fs = f.to_host();
        double sum[3] = {0, 0, 0}, magnitude = 0;
        for (const wp::vec3& fi : fs) {
          for (int k = 0; k < 3; ++k) sum[k] += fi[k];
          magnitude += std::sqrt(double(fi[0]) * fi[0] + double(fi[1]) * fi[1] + double(fi[2]) * fi[2]);
        }
        const double net = std::sqrt(sum[0] * sum[0] + sum[1] * sum[1] + sum[2] * sum[2]);
        worst_newton = std::max(worst_newton, magnitude > 0 ? net / magnitude : 0.0);
        dem::integrate(n, x, v, f, mat, kGravity, kHalfWidth, dt);
      } else if (graph) {
        wp::capture_launch(graph);
      } else {
        substep();
      }
    }
    wp::synchronize();
    sim_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (frame % 10 == 0 || frame == o.frames) highest_energy = std::max(highest_energy, energy(x.to_host(), v.to_host()));
    if (o.png_every > 0 && (frame % o.png_every == 0 || frame == o.frames)) {
      char name[32];
      std::snprintf(name, sizeof name, "/dem_%03d.png", frame);
      render_frame(o, dev, x, colors, o.out + name);
      ++frames_written;
    }
  }

  // Final state: bounds, overlaps (each particle against its grid neighbours) and height.
  const std::vector<wp::vec3> xs = x.to_host();
  wp::HashGrid host_grid(dim, dim, dim);
  host_grid.build(wp::from_host(xs), reach);
  double mean_z = 0, lowest = 1e30, outside = 0, deepest_overlap = 0;
  for (int i = 0; i < n; ++i) {
    const wp::vec3& p = xs[static_cast<std::size_t>(i)];
    mean_z += p[2] / n;
    lowest = std::min(lowest, double(p[2]));
    outside = std::max({outside, std::fabs(double(p[0])) - kHalfWidth, std::fabs(double(p[1])) - kHalfWidth});
    wp::hash_grid_query_t q = wp::hash_grid_query(host_grid.id(), p, reach);
    int32_t j = 0;
    while (wp::hash_grid_query_next(q, j)) {
      if (j == i) continue;
      const wp::vec3& pj = xs[static_cast<std::size_t>(j)];
      const double d = std::sqrt(double(p[0] - pj[0]) * (p[0] - pj[0]) + double(p[1] - pj[1]) * (p[1] - pj[1]) +
                                 double(p[2] - pj[2]) * (p[2] - pj[2]));
      deepest_overlap = std::max(deepest_overlap, 2.0 * kRadius - d);
    }
  }
  std::printf("dem on %s%s: %d particles, %d frames × %d substeps: %.2f ms/frame (%.1f µs/substep), %d PNG frame(s)\n",
              dev.str().c_str(), graph ? " (one CUDA graph per substep)" : "", n, o.frames, o.substeps, sim_ms / o.frames, 1e3 * sim_ms / o.frames / o.substeps,
              frames_written);
  std::printf("  Newton: worst |Σf|/Σ|f| %.2e; energy %.2f -> highest %.2f (budget +%.2f); lowest z %.4f, "
              "beyond the walls %.4f, deepest overlap %.4f (radius %.3f); mean height %.3f -> %.3f\n",
              worst_newton, e0, highest_energy, budget, lowest, std::max(0.0, outside), deepest_overlap, kRadius,
              mean_z0, mean_z);
  if (!(worst_newton <= 1e-4)) std::printf("FAIL: pair forces do not sum to zero\n"), ok = false;
  if (!(highest_energy <= e0 + budget)) std::printf("FAIL: energy grew\n"), ok = false;
  if (lowest < 0.5 * kRadius) std::printf("FAIL: a particle is below the ground\n"), ok = false;
  if (outside > 0.5 * kRadius) std::printf("FAIL: a particle left the box\n"), ok = false;
  if (deepest_overlap > 0.5 * kRadius) std::printf("FAIL: particles overlap by more than half a radius\n"), ok = false;
  if (!(mean_z < mean_z0)) std::printf("FAIL: the material did not fall\n"), ok = false;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  return example::run_on_device(o.device, "dem", [&](const wp::Device& dev) { return run(o, dev); });
}
