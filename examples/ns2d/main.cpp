// main.cpp — the ns2d example: incompressible 2-D Navier–Stokes on a periodic grid
// (vorticity–streamfunction, Arakawa advection, FFT Poisson solves; solver.h), and an
// optimisation through wp::Tape of the perturbation of the initial vorticity that makes two
// trajectories diverge most.
//
//   ns2d [--device cpu|cuda[:N]] [--n N] [--steps S] [--frames F] [--out DIR] [--width W]
//        [--height H] [--nu NU] [--opt-iters K] [--opt-steps T] [--graph on|off]
//
// Defaults: N = 512 (1024 works too), S = 600 steps of decaying turbulence from 40 random
// Gaussian vortices, F = 4 PNG pictures of the vorticity (W×H = 512×512) into DIR (default
// the current folder), NU = 2.5 h² (h = 2π/N: 3.8e-4 at N = 512), K = 4 optimisation iterations over T = 50 steps. Prints
// ms/step (simulation only), the backward pass's memory and the optimisation's progress.
// Checks, exit 1 if one fails:
//   * Taylor–Green (on min(N, 128)², ν = 0.02, t = 1): the enstrophy decays as e^{−4νt}; the
//     relative error of the decayed fraction must be below 1%;
//   * decaying turbulence: the enstrophy never grows (Arakawa's Jacobian conserves it and
//     viscosity removes it): at most +1e-4 relative between two measurements; with --nu 0
//     it is conserved within 1% over the run (only the time integration dissipates);
//   * gradient: dL/dδ along a random direction from wp::Tape (through the FFT records)
//     matches the central finite difference of L (step 1% of δ; L summed in double on the
//     host) within 0.5%;
//   * the optimisation increases the divergence L = ½ Σ (ω_B(T) − ω_A(T))² h².
// With --device cuda and no GPU it prints "skipped: no CUDA device" and exits 77.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "example_util.h"
#include "ns2d.wp.h"
#include "solver.h"

namespace {

using Field = wp::array<float>;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

struct Extra {
  float nu = -1.0f;  // < 0: 2.5 h², enough to keep the enstrophy cascade resolved on the grid
  int opt_iters = 4, opt_steps = 50;
};

// 40 Gaussian vortices at random places with alternating signs (zero net circulation), from
// a fixed seed; scaled so that the fastest velocity is about 1.
Field vortices(int n, const wp::Device& dev, uint32_t seed, int count) {
  std::vector<wp::vec3> centers;
  for (int k = 0; k < count; ++k) {
    auto next = [&] { return (seed = seed * 1664525u + 1013904223u, float(seed >> 8) / 16777216.0f); };
    const float x = 2.0f * float(M_PI) * next(), y = 2.0f * float(M_PI) * next();
    centers.push_back({{x, y, (k % 2 ? -1.0f : 1.0f) * (5.0f + 5.0f * next())}});
  }
  Field omega = wp::zeros<float>({n, n}, dev);
  ns2d::vortex_field(wp::Dim{n, n}, wp::from_host(centers, dev), 2.0f * float(M_PI) / float(n), omega);
  return omega;
}

// Taylor–Green vortex: returns the relative error of the enstrophy's decayed fraction.
double taylor_green_error(const wp::Device& dev, int n) {
  flow::Params p{n, 0.02f, 0.0f};
  const int steps = int(std::ceil(1.0f / (0.3f * p.h())));
  p.dt = 1.0f / float(steps);
  flow::TapedFft fft(n, dev);
  flow::StepWork work(n, dev, false);
  Field omega = wp::zeros<float>({n, n}, dev), next = wp::zeros<float>({n, n}, dev);
  ns2d::taylor_green(wp::Dim{n, n}, p.h(), 1.0f, omega);
  const double z0 = flow::enstrophy(omega, p.h());
  for (int s = 0; s < steps; ++s) flow::step(p, fft, omega, work, next), std::swap(omega, next);
  const double ratio = flow::enstrophy(omega, p.h()) / z0, exact = std::exp(-4.0 * p.nu * 1.0);
  std::printf("Taylor-Green %d^2, %d steps to t = 1: enstrophy ratio %.6f, viscous rate e^(-4 nu t) = %.6f\n", n,
              steps, ratio, exact);
  return std::fabs(ratio - exact) / (1.0 - exact);
}

void write_picture(const example::SceneOptions& o, const Field& omega, int index) {
  auto image = wp::zeros<wp::vec3>({o.width * o.height}, omega.device());
  ns2d::vorticity_colors(wp::Dim{o.height, o.width}, omega, 8.0f, o.width, o.height, image);
  example::write_png(example::picture_path(o.out, "ns2d", index), image.to_host(), o.width, o.height);
}

// Decaying turbulence; returns false when the enstrophy grew.
bool simulate(const example::SceneOptions& o, flow::Params p, const wp::Device& dev, const Field& omega0) {
  flow::TapedFft fft(p.n, dev);
  flow::StepWork work(p.n, dev, false);
  Field omega = wp::zeros<float>({p.n, p.n}, dev), next = wp::zeros<float>({p.n, p.n}, dev);
  wp::copy(omega, omega0);
  double z = flow::enstrophy(omega, p.h()), worst_growth = 0, sim_ms = 0;
  const double z0 = z;
  const int every = std::max(1, o.steps / 20);
  int pictures = 0;
  // On a GPU each step is a replay of a CUDA graph: one for omega → next, one for the way back
  // (the arrays swap roles every step; a graph holds the arrays it was captured with).
  example::GraphedStep step_graph[2] = {{dev, o.graph}, {dev, o.graph}};
  for (int s = 1; s <= o.steps; ++s) {
    const auto t0 = Clock::now();
    step_graph[(s - 1) % 2].run([&] { flow::step(p, fft, omega, work, next); });
    wp::synchronize();
    sim_ms += ms_since(t0);
    std::swap(omega, next);
    if (s % every == 0 || s == o.steps) {
      const double z1 = flow::enstrophy(omega, p.h());
      worst_growth = std::max(worst_growth, (z1 - z) / z);
      z = z1;
    }
    if (example::picture_due(s, o.steps, o.frames)) write_picture(o, omega, ++pictures);
  }
  std::printf("turbulence %d^2 on %s%s, nu %.3g: %d steps of dt %.4g: %.3f ms/step; enstrophy %.4f -> %.4f "
              "(worst growth %.2e); %d picture(s)\n",
              p.n, dev.str().c_str(), step_graph[0].graphed() ? " (CUDA graphs)" : "", p.nu, o.steps, p.dt, sim_ms / o.steps, z0, z, worst_growth, pictures);
  if (p.nu == 0.0f && !(std::fabs(z / z0 - 1.0) < 1e-2))
    return std::printf("FAIL: without viscosity the enstrophy changed by more than 1%%\n"), false;
  return worst_growth <= 1e-4;
}

// The divergence of trajectory B (from omega0 + delta) from A's end state `target` after
// `steps` steps; with a tape, records the whole trajectory and returns its memory in `bytes`.
struct Trajectory {
  std::vector<flow::StepWork> work;
  std::vector<Field> states;
  Field loss;
  std::size_t bytes = 0;
};

Trajectory run_b(const flow::Params& p, flow::TapedFft& fft, const Field& omega0, const Field& delta,
                 const Field& target, int steps, bool grad) {
  const wp::Device dev = omega0.device();
  Trajectory t;
  t.loss = wp::zeros<float>({1}, wp::on(dev), wp::requires_grad(grad));
  t.states.push_back(wp::zeros<float>({p.n, p.n}, wp::on(dev), wp::requires_grad(grad)));
  ns2d::perturb(wp::Dim{p.n, p.n}, omega0, delta, t.states[0]);
  for (int s = 0; s < steps; ++s) {
    t.work.emplace_back(p.n, dev, grad);
    t.states.push_back(wp::zeros<float>({p.n, p.n}, wp::on(dev), wp::requires_grad(grad)));
    flow::step(p, fft, t.states[s], t.work.back(), t.states[s + 1]);
    t.bytes += t.work.back().bytes();
  }
  t.bytes += t.states.size() * std::size_t(p.n) * p.n * sizeof(float) * (grad ? 2 : 1);
  ns2d::squared_distance(wp::Dim{p.n, p.n}, t.states.back(), target, 0.5f * p.h() * p.h(), t.loss);
  return t;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += double(a[i]) * b[i];
  return s;
}

std::vector<float> axpy(const std::vector<float>& x, double a, const std::vector<float>& y) {
  std::vector<float> r(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) r[i] = float(x[i] + a * y[i]);
  return r;
}

std::vector<float> with_norm(const std::vector<float>& v, double norm) {
  return axpy(std::vector<float>(v.size(), 0.0f), norm / std::sqrt(dot(v, v)), v);
}

// The optimisation's objective: trajectory A from omega0 is computed once; L(δ) follows B.
struct Divergence {
  const flow::Params& p;
  flow::TapedFft fft;
  Field omega0, target;
  std::vector<float> target_host;
  int steps;

  Divergence(const flow::Params& params, const Field& start, int n_steps)
      : p(params), fft(params.n, start.device()), omega0(start), steps(n_steps) {
    const Field zero = wp::zeros<float>({p.n, p.n}, start.device());
    target = wp::zeros<float>({p.n, p.n}, start.device());
    Trajectory a = run_b(p, fft, omega0, zero, target, steps, false);
    wp::copy(target, a.states.back());
    target_host = target.to_host();
  }
  // L(δ) summed in double on the host (no reduction noise): the finite differences' value.
  double host_loss(const std::vector<float>& d) {
    const Field delta = wp::from_host(d, wp::with_shape({p.n, p.n}), wp::on(omega0.device()));
    const std::vector<float> end = run_b(p, fft, omega0, delta, target, steps, false).states.back().to_host();
    double l = 0;
    for (std::size_t i = 0; i < end.size(); ++i) l += (double(end[i]) - target_host[i]) * (double(end[i]) - target_host[i]);
    return 0.5 * l * p.h() * p.h();
  }
};

// The tape's derivative of L at d along a fixed direction against a central difference.
bool gradient_check(Divergence& div, const std::vector<float>& d, const std::vector<float>& g, double radius) {
  const std::vector<float> dir = with_norm(vortices(div.p.n, div.omega0.device(), 7u, 16).to_host(), radius);
  const double eta = 1e-2, fd = (div.host_loss(axpy(d, eta, dir)) - div.host_loss(axpy(d, -eta, dir))) / (2 * eta);
  const double ad = dot(g, dir), rel = std::fabs(ad - fd) / std::max(std::fabs(fd), 1e-30);
  std::printf("  gradient check: tape %.6e, central difference %.6e (relative error %.2e)\n", ad, fd, rel);
  if (rel < 5e-3) return true;
  std::printf("FAIL: the tape's gradient does not match finite differences\n");
  return false;
}

// Power-iteration-like ascent of L on the sphere |δ| = |δ0|; returns false when a check fails.
bool optimise(const Extra& e, const flow::Params& p, const wp::Device& dev, const Field& omega0) {
  Divergence div(p, omega0, e.opt_steps);
  const double radius = 1e-2 * std::sqrt(dot(omega0.to_host(), omega0.to_host()));
  std::vector<float> d = with_norm(vortices(p.n, dev, 99u, 12).to_host(), radius);
  bool ok = true;
  double first = 0, last = 0;
  for (int it = 0; it < e.opt_iters; ++it) {
    const auto t0 = Clock::now();
    Field delta = wp::from_host(d, wp::with_shape({p.n, p.n}), wp::on(dev), wp::requires_grad);
    wp::Tape tape;
    Trajectory b;
    { wp::TapeScope recording(tape); b = run_b(p, div.fft, omega0, delta, div.target, e.opt_steps, true); }
    tape.backward(b.loss);
    const std::vector<float> g = delta.grad_array().to_host();
    const double loss = b.loss.to_host()[0], ms = ms_since(t0);
    if (it == 0) {
      std::printf("optimisation %d^2, %d steps: the backward pass needs %.1f MiB (tape arrays with gradients) "
                  "+ %.1f MiB scratch\n", p.n, e.opt_steps, b.bytes / 1048576.0, div.fft.scratch_bytes() / 1048576.0);
      ok = gradient_check(div, d, g, radius) && ok;
      first = loss;
    }
    last = loss;
    std::printf("  iteration %d: divergence L = %.6e (forward + backward %.1f ms)\n", it, loss, ms);
    d = with_norm(axpy(d, radius / std::sqrt(dot(g, g)), g), radius);
  }
  if (e.opt_iters > 1 && !(last > first)) std::printf("FAIL: the optimisation did not increase the divergence\n"), ok = false;
  return ok;
}

int run(const example::SceneOptions& o, const Extra& e, const wp::Device& dev) {
  bool ok = true;
  const double tg = taylor_green_error(dev, std::min(o.n, 128));
  if (!(tg < 0.01)) std::printf("FAIL: Taylor-Green enstrophy decay off by %.2f%%\n", 100 * tg), ok = false;

  flow::Params p{o.n, e.nu, 0.0f};
  if (p.nu < 0.0f) p.nu = 2.5f * p.h() * p.h();
  const Field omega0 = vortices(o.n, dev, 2024u, 40);
  flow::TapedFft fft(o.n, dev);
  flow::StepWork probe(o.n, dev, false);
  flow::poisson_solve(p, fft, omega0, probe.stage[0]);
  p.dt = float(0.3 * p.h() / flow::max_speed(probe.stage[0].psi, p.h()));
  if (!simulate(o, p, dev, omega0)) std::printf("FAIL: the enstrophy grew\n"), ok = false;
  if (e.opt_iters > 0 && !optimise(e, p, dev, omega0)) ok = false;
  return ok ? 0 : 1;
}

// The value of one of ns2d's own flags; a value that is not a number in [lo, hi] exits 2.
double number(const std::string& flag, const std::string& v, double lo, double hi) {
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(x >= lo && x <= hi)) {
    std::fprintf(stderr, "ns2d: '%s' after %s is not a number in [%g, %g]\n", v.c_str(), flag.c_str(), lo, hi);
    std::exit(2);
  }
  return x;
}

}  // namespace

int main(int argc, char** argv) {
  Extra e;
  example::SceneOptions defaults;
  defaults.n = 512, defaults.steps = 600, defaults.frames = 4, defaults.width = 512, defaults.height = 512;
  const example::SceneOptions o = example::parse_scene_options(
      argc, argv, "ns2d", defaults, " [--nu NU] [--opt-iters K] [--opt-steps T]",
      [&](const std::string& flag, const std::string& v) {
        if (flag == "--nu") e.nu = float(number(flag, v, 0.0, 1.0));
        else if (flag == "--opt-iters") e.opt_iters = int(number(flag, v, 0, 1000));
        else if (flag == "--opt-steps") e.opt_steps = int(number(flag, v, 1, 100000));
        else return false;
        return true;
      });
  if (o.n < 8 || o.n % 2 != 0) {
    std::fprintf(stderr, "ns2d: --n must be even and at least 8\n");
    return 2;
  }
  return example::run_on_device(o.device, "ns2d", [&](const wp::Device& dev) { return run(o, e, dev); });
}
