// main.cpp — the particles example: N particles under gravity and a constant per-particle
// external force, stepped S times with the semi-implicit Euler kernel of particles.wp
// (`integrate`, launched through its generated, typed launcher particles::integrate).
//
//   particles [--device cpu|cuda[:N]] [--n N] [--steps S] [--dt DT] [--ground] [--plot DIR]
//
// Default device: cuda:0 when a CUDA GPU is present, else the CPU. After the run it prints
// where two particles ended up, the largest difference from the closed form of the discrete
// recurrence (see below) and the time per step, and exits 0 when the relative difference is
// within float rounding (1e-4 of the largest displacement), 1 otherwise. With --ground the
// `ground_contact` kernel runs after each step; the closed form no longer applies, so the
// summary reports how many particles rest on the ground instead (and checks none is below it).
// With --device cuda and no GPU it prints "skipped: no CUDA device" and exits 77 (CTest skip).
// --plot DIR also writes DIR/particles.png (gnuplot, when installed; data and script
// DIR/particles.dat, .gp): the paths of 32 particles of the bottom layer, side view. Reading
// them back every step slows the run down, so the time per step is not printed then.
//
// The closed form: with a_i = f_i w_i + g constant, v_n = v_0 + n dt a and
// x_n = x_0 + dt (v_1 + … + v_n) = x_0 + n dt v_0 + dt² a n(n+1)/2.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "particles.wp.h"
#include "plot_util.h"

namespace {

constexpr int kSkipCode = 77;

struct Options {
  std::string device;  // empty: cuda:0 if present, else cpu
  int n = 1 << 20;
  int steps = 500;
  double dt = 1.0 / 60.0;
  bool ground = false;
  std::string plot;  // --plot DIR: where particles.png goes (empty: no picture)
};

[[noreturn]] void usage(const char* argv0, const char* problem) {
  std::fprintf(stderr, "particles: %s\nusage: %s [--device cpu|cuda[:N]] [--n N] [--steps S] "
               "[--dt DT] [--ground] [--plot DIR]\n", problem, argv0);
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool has_value = i + 1 < argc;
    if (a == "--help" || a == "-h") {
      std::printf("usage: %s [--device cpu|cuda[:N]] [--n N] [--steps S] [--dt DT] [--ground] [--plot DIR]\n", argv[0]);
      std::exit(0);
    }
    if (a == "--ground") o.ground = true;
    else if (a == "--device" && has_value) o.device = argv[++i];
    else if (a == "--n" && has_value) o.n = std::atoi(argv[++i]);
    else if (a == "--steps" && has_value) o.steps = std::atoi(argv[++i]);
    else if (a == "--dt" && has_value) o.dt = std::atof(argv[++i]);
    else if (a == "--plot" && has_value) o.plot = argv[++i];
    else usage(argv[0], ("unknown or incomplete argument '" + a + "'").c_str());
  }
  if (o.n < 1 || o.steps < 1 || !(o.dt > 0)) usage(argv[0], "--n, --steps and --dt must be positive");
  return o;
}

// Initial state on the host: a 3-D block of particles, varied velocities, masses and forces.
struct HostState {
  std::vector<wp::vec3f> x, v, f;
  std::vector<float> w;  // inverse masses
};

HostState initial_state(int n) {
  HostState s;
  s.x.resize(n), s.v.resize(n), s.f.resize(n), s.w.resize(n);
  for (int i = 0; i < n; ++i) {
    float a = 0.05f * (i % 64), b = 0.05f * ((i / 64) % 64), c = 0.05f * (i / 4096);
    s.x[i] = wp::vec3f{{a, 10.0f + b, c}};
    s.v[i] = wp::vec3f{{1.0f - 0.5f * b, 2.0f + 0.1f * a, -0.25f * c}};
    s.w[i] = 1.0f / (1.0f + 0.01f * (i % 100));                  // masses 1 … 1.99 kg
    s.f[i] = wp::vec3f{{0.5f * std::sin(0.01f * i), 0.0f, 0.25f}};  // constant push, N
  }
  return s;
}

// x_n of particle i from the closed form (double precision).
void closed_form(const HostState& s, int i, int n, double dt, const wp::vec3f& g, double out[3]) {
  for (int k = 0; k < 3; ++k) {
    double acc = double(s.f[i][k]) * s.w[i] + g[k];
    out[k] = s.x[i][k] + n * dt * s.v[i][k] + dt * dt * acc * (double(n) * (n + 1) / 2.0);
  }
}

struct Errors {
  double max_abs = 0, max_displacement = 0;
  int worst = 0;
};

Errors compare(const HostState& s0, const std::vector<wp::vec3f>& x, int steps, double dt,
               const wp::vec3f& g) {
  Errors e;
  for (size_t i = 0; i < x.size(); ++i) {
    double want[3];
    closed_form(s0, int(i), steps, dt, g, want);
    for (int k = 0; k < 3; ++k) {
      double err = std::fabs(x[i][k] - want[k]);
      if (err > e.max_abs) e.max_abs = err, e.worst = int(i);
      e.max_displacement = std::max(e.max_displacement, std::fabs(want[k] - s0.x[i][k]));
    }
  }
  return e;
}

wp::Device pick_device(const Options& o) {
  if (!o.device.empty()) return wp::Device(o.device);
  return wp::cuda_device_count() > 0 ? wp::Device("cuda:0") : wp::Device("cpu");
}

void print_particle(const char* label, int i, const wp::vec3f& x0, const wp::vec3f& x) {
  std::printf("  particle %-8d %s (%8.3f, %8.3f, %8.3f) -> (%9.3f, %9.3f, %9.3f)\n", i, label,
              x0[0], x0[1], x0[2], x[0], x[1], x[2]);
}

// The paths of 32 particles of the bottom layer (indices 0, 129, 258, … below 4096), for --plot:
// record() after every step, then write() the picture (x horizontal, y up).
struct Paths {
  std::vector<std::vector<wp::vec3f>> samples;  // per particle, its positions
  void record(const wp::array<wp::vec3f>& x) {
    const int n = int(std::min<int64_t>(x.size(), 4096));
    const std::vector<wp::vec3f> layer = x.slice(0, n).to_host();
    samples.resize(32);
    for (int j = 0; j < 32 && j * 129 < n; ++j) samples[j].push_back(layer[j * 129]);
  }
  void write(const std::string& dir, bool ground) const {
    const std::string stem = dir + "/particles";
    std::FILE* dat = std::fopen((stem + ".dat").c_str(), "w");
    std::FILE* gp = std::fopen((stem + ".gp").c_str(), "w");
    if (!dat || !gp) {
      if (dat) std::fclose(dat);
      if (gp) std::fclose(gp);
      throw wp::Error("cannot write " + stem + ".dat and .gp (does the folder exist?)");
    }
    for (const auto& path : samples) {
      for (const wp::vec3f& p : path) std::fprintf(dat, "%g %g\n", p[0], p[1]);
      std::fprintf(dat, "\n\n");
    }
    std::fprintf(gp, "set terminal pngcairo size 900,420 font ',11'\nset output '%s.png'\n"
                 "set title 'particles: 32 of the bottom layer under gravity and a constant push%s'\n"
                 "set xlabel 'x (m)'\nset ylabel 'y (m)'\nset key off\n"
                 "plot for [i=0:%zu] '%s.dat' index i using 1:2 with lines lw 1.5 lc i+1\n",
                 stem.c_str(), ground ? " (ground at y = 0, restitution 0.5)" : "", samples.size() - 1,
                 stem.c_str());
    std::fclose(dat), std::fclose(gp);
    if (example::run_gnuplot(stem + ".gp")) std::printf("  wrote %s.png\n", stem.c_str());
  }
};

// Runs the simulation; returns the process exit code.
int run(const Options& o, const wp::Device& dev) {
  HostState s0 = initial_state(o.n);
  auto x = wp::from_host(s0.x, dev), v = wp::from_host(s0.v, dev);
  auto f = wp::from_host(s0.f, dev);
  auto w = wp::from_host(s0.w, dev);
  const wp::vec3f g = particles::GRAVITY;  // the module constant, from the generated header
  const float dt = float(o.dt), restitution = 0.5f;

  Paths paths;
  if (!o.plot.empty()) paths.record(x);
  auto step = [&] {
    particles::integrate(o.n, x, v, f, w, g, dt);
    if (o.ground) particles::ground_contact(o.n, x, v, restitution);
    if (!o.plot.empty()) paths.record(x);
  };
  step();  // the first step (also warms up threads / the CUDA context) is not timed
  wp::synchronize();
  auto t0 = std::chrono::steady_clock::now();
  for (int s = 1; s < o.steps; ++s) step();
  wp::synchronize();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<wp::vec3f> xs = x.to_host();

  std::printf("particles: %d particles, %d steps of dt = %.6g s on %s", o.n, o.steps, o.dt,
              dev.str().c_str());
  if (dev.is_cpu()) std::printf(" (%d threads)", wp::cpu_thread_count());
  std::printf("%s\n", o.ground ? ", ground contact on" : "");
  print_particle("", 0, s0.x[0], xs[0]);
  print_particle("", o.n - 1, s0.x[o.n - 1], xs[o.n - 1]);
  if (!o.plot.empty()) paths.write(o.plot, o.ground);
  if (o.steps > 1 && o.plot.empty()) {
    double per_step = secs / (o.steps - 1);
    std::printf("  time per step: %.3f ms (%.3g particle-steps/s; steps 2..%d)\n", per_step * 1e3,
                o.n / per_step, o.steps);
  }
  if (o.ground) {
    int resting = 0;
    float min_y = xs[0][1];
    for (const wp::vec3f& p : xs) resting += p[1] == 0.0f, min_y = std::min(min_y, p[1]);
    std::printf("  on the ground: %d of %d particles; lowest y = %g\n", resting, o.n, min_y);
    std::printf("  %s\n", min_y >= 0.0f ? "OK (no particle below the ground)" : "FAILED: below ground");
    return min_y >= 0.0f ? 0 : 1;
  }
  Errors e = compare(s0, xs, o.steps, o.dt, g);
  double rel = e.max_abs / std::max(e.max_displacement, 1e-30);
  std::printf("  closed form x_n = x_0 + n dt v_0 + dt^2 (f w + g) n(n+1)/2 (double precision)\n");
  std::printf("  max |x - x_closed| = %.3g m at particle %d (largest displacement %.4g m; "
              "relative %.2g)\n", e.max_abs, e.worst, e.max_displacement, rel);
  bool ok = rel <= 1e-4;
  std::printf("  %s\n", ok ? "OK (within float rounding)" : "FAILED: error above 1e-4 relative");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_options(argc, argv);
  try {
    wp::Device dev = pick_device(o);
    if (dev.is_cuda() && wp::cuda_device_count() == 0) {
      std::printf("particles: skipped: no CUDA device\n");
      return kSkipCode;
    }
    return run(o, dev);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "particles: error: %s\n", e.what());
    return 1;
  }
}
