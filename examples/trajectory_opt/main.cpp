// main.cpp — the trajectory-optimisation example: a ball thrown from 1 m above the ground must
// land on a target 3.5 m away exactly 1.5 s later, after bouncing off the ground (smooth
// penalty contact, trajectory_opt.wp). The launch velocity is optimised through the
// differentiable simulation: each iteration records the 1200 steps on a wp::Tape, runs them
// backward for d loss / d v0 and updates v0 with wp::optim::Adam, wp::optim::SGD (momentum) or
// L-BFGS (liblbfgs, examples/common/lbfgs_util.h).
//
//   trajectory_opt [--device cpu|cuda[:N]] [--optimizer adam|sgd|lbfgs] [--iters K] [--lr LR]
//                  [--out DIR]
//
// Default device: cuda:0 when a GPU is present, else the CPU. Defaults: Adam, K = 150 (L-BFGS:
// at most 30), LR = 0.1 (Adam, decayed by 2% per iteration) / 0.02 (SGD, momentum 0.9). Writes
// DIR/trajectory_opt.png (default: the current folder), every iteration's path overlaid,
// through gnuplot when it is installed (data and script: DIR/trajectory_opt.dat, .gp). Prints
// the loss every 10 iterations and the time per iteration. Checks, exit 1 if one fails:
//   * the gradient from the tape agrees with central finite differences of the loss at the
//     first guess (each component within 2% of the gradient's norm);
//   * the optimised ball ends within 2 cm of the target (the loss fell accordingly);
//   * the optimised path bounces: the ball touches the ground at least once before the end.
// With --device cuda and no GPU it prints "skipped: no CUDA device" and exits 77 (CTest skip).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "example_util.h"
#include "lbfgs_util.h"
#include "optim_example.h"
#include "plot_util.h"
#include "trajectory_opt.wp.h"
#include "wp/optim.h"

namespace {

constexpr int kSteps = 1200;  // 1.5 s
constexpr float kDt = 1.5f / kSteps;
constexpr float kRadius = 0.1f;
const wp::vec3 kGravity{{0.0f, 0.0f, -9.81f}};
const wp::vec3 kStart{{0.0f, 0.0f, 1.0f}};
const wp::vec3 kTarget{{3.5f, 0.0f, kRadius}};  // resting on the ground
const wp::vec3 kFirstGuess{{1.0f, 0.0f, 3.0f}};

trajectory_opt::Contact contact() {
  // ω = √stiffness ≈ 71/s: a contact lasts ≈ 44 ms ≈ 35 steps, the onset is 1 cm wide and the
  // damping 7% of critical (the ball keeps ≈ 80% of its speed): smooth enough on the step grid
  // for the loss to be smooth in v0 (a stiffer, sharper contact makes it wiggle).
  return {kRadius, 5.0e3f, 10.0f, 1.0e-2f};
}

// The command line (examples/common/optim_example.h) with this example's defaults filled in.
example::OptimOptions parse_options(int argc, char** argv) {
  example::OptimOptions o =
      example::parse_optim_options(argc, argv, "trajectory_opt", {}, {"adam", "sgd", "lbfgs"});
  if (o.iters == 0) o.iters = o.optimizer == "lbfgs" ? 30 : 150;
  if (o.lr == 0.0f) o.lr = o.optimizer == "sgd" ? 0.02f : 0.1f;
  return o;
}

// The simulation and its tape: v0 (one launch velocity) is the parameter.
struct Simulation {
  wp::array<wp::vec3> x0, v0, x, v, target;
  wp::array<float> loss;
  wp::Tape tape;

  explicit Simulation(const wp::Device& dev)
      : x0(wp::from_host(std::vector<wp::vec3>{kStart}, wp::with_shape(1), wp::on(dev))),
        v0(wp::zeros<wp::vec3>(1, wp::on(dev), wp::requires_grad)),
        x(wp::zeros<wp::vec3>({kSteps + 1, 1}, wp::on(dev), wp::requires_grad)),
        v(wp::zeros<wp::vec3>({kSteps + 1, 1}, wp::on(dev), wp::requires_grad)),
        target(wp::from_host(std::vector<wp::vec3>{kTarget}, wp::with_shape(1), wp::on(dev))),
        loss(wp::zeros<float>(1, wp::on(dev), wp::requires_grad)) {}

  void set_v0(const wp::vec3& u) { wp::copy(v0, wp::from_host(std::vector<wp::vec3>{u}, wp::with_shape(1))); }
  wp::vec3 launch_velocity() const { return v0.to_host()[0]; }
  wp::vec3 gradient() const { return v0.grad_array().to_host()[0]; }
  std::vector<wp::vec3> path() const { return x.to_host(); }

  float forward() {
    wp::fill(loss, 0.0f);
    trajectory_opt::launch(1, x0, v0, x, v);
    for (int k = 0; k < kSteps; ++k) trajectory_opt::step(1, x, v, k, contact(), kGravity, kDt);
    trajectory_opt::landing_loss(1, x, kSteps, target, loss);
    return loss.to_host()[0];
  }

  // The loss, with d loss / d v0 in v0's gradient buffer.
  float forward_backward() {
    return example::loss_and_gradient(tape, loss, [&] { return forward(); });
  }
};

// Every iteration's path (every 4th state, x and z) and loss, for the picture and the report.
struct History {
  std::vector<std::vector<wp::vec3>> paths;
  std::vector<float> losses;
  void add(const std::vector<wp::vec3>& path, float l) {
    std::vector<wp::vec3> sampled;
    for (std::size_t k = 0; k < path.size(); k += 4) sampled.push_back(path[k]);
    sampled.push_back(path.back());
    paths.push_back(sampled);
    losses.push_back(l);
  }
};

bool gradient_matches_finite_differences(Simulation& sim) {
  sim.set_v0(kFirstGuess);
  sim.forward_backward();
  const wp::vec3 g = sim.gradient();
  const float norm = std::sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]), h = 1e-2f;
  bool ok = true;
  for (int c = 0; c < 3; ++c) {
    wp::vec3 plus = kFirstGuess, minus = kFirstGuess;
    plus[c] += h;
    minus[c] -= h;
    sim.set_v0(plus);
    const float lp = sim.forward();
    sim.set_v0(minus);
    const float fd = (lp - sim.forward()) / (2.0f * h);
    const bool close = std::fabs(g[c] - fd) <= 0.02f * norm;
    std::printf("  d loss / d v0[%d]: tape %10.5f, finite difference %10.5f%s\n", c, g[c], fd,
                close ? "" : "  MISMATCH");
    ok = ok && close;
  }
  sim.set_v0(kFirstGuess);
  return ok;
}

void report(int it, float l, const wp::vec3& u) {
  if (it % 10 == 0)
    std::printf("  iteration %3d: loss %.6f, v0 (%.4f, %.4f, %.4f)\n", it, l, u[0], u[1], u[2]);
}

// Adam or SGD with momentum: `iters` gradient steps from the first guess.
void optimise_first_order(Simulation& sim, const example::OptimOptions& o, History& h) {
  wp::optim::Adam adam({sim.v0}, o.lr);
  wp::optim::SGD sgd({sim.v0}, o.lr, 0.9f);
  for (int it = 0; it < o.iters; ++it) {
    const float l = sim.forward_backward();
    h.add(sim.path(), l);
    report(it, l, sim.launch_velocity());
    if (o.optimizer == "adam")
      adam.lr = o.lr * std::pow(0.98f, float(it)), adam.step();
    else
      sgd.step();
  }
}

void optimise_lbfgs(Simulation& sim, const example::OptimOptions& o, History& h) {
  std::vector<double> u{kFirstGuess[0], kFirstGuess[1], kFirstGuess[2]};
  h.add(sim.path(), sim.forward());
  auto evaluate = [&](const std::vector<double>& xs, std::vector<double>& grad) {
    sim.set_v0({{float(xs[0]), float(xs[1]), float(xs[2])}});
    const float l = sim.forward_backward();
    const wp::vec3 g = sim.gradient();
    for (int c = 0; c < 3; ++c) grad[std::size_t(c)] = g[c];
    return double(l);
  };
  auto progress = [&](int it, const std::vector<double>& xs, double f) {
    sim.set_v0({{float(xs[0]), float(xs[1]), float(xs[2])}});
    h.add(sim.path(), sim.forward());
    report(it, float(f), sim.launch_velocity());
    return true;
  };
  const example::LbfgsResult r = example::minimize_lbfgs(u, evaluate, progress, o.iters);
  std::printf("  L-BFGS: %s after %d iterations, %d evaluations\n", r.status_name.c_str(), r.iterations,
              r.evaluations);
  sim.set_v0({{float(u[0]), float(u[1]), float(u[2])}});
}

// The number of ground contacts (entries into depth > 0) before the last 0.1 s.
int bounces(const std::vector<wp::vec3>& path) {
  int count = 0;
  bool touching = false;
  for (std::size_t k = 0; k + kSteps / 15 < path.size(); ++k) {
    const bool now = path[k][2] < kRadius;
    count += now && !touching;
    touching = now;
  }
  return count;
}

void write_picture(const example::OptimOptions& o, const History& h) {
  const std::string stem = o.out + "/trajectory_opt";
  std::ofstream dat(stem + ".dat"), gp(stem + ".gp");
  if (!dat || !gp) throw wp::Error("cannot write " + stem + ".dat and .gp (does the folder exist?)");
  for (const auto& path : h.paths) {
    for (const wp::vec3& p : path) dat << p[0] << ' ' << p[2] << '\n';
    dat << "\n\n";
  }
  const std::size_t n = h.paths.size();
  gp << "set terminal pngcairo size 900,420 font ',11'\nset output '" << stem << ".png'\n"
     << "set title 'launch velocity optimised through the tape: every iteration (" << o.optimizer << ")'\n"
     << "set xlabel 'x (m)'\nset ylabel 'height (m)'\nset size ratio -1\nset key top right\n"
     << "set xrange [-0.2:4.4]\nset yrange [-0.15:*]\nset cbrange [0:" << (n > 1 ? n - 1 : 1) << "]\n"
     << "set cblabel 'iteration'\nset palette defined (0 '#c6dbef', 1 '#2171b5', 2 '#08306b')\n"
     << "set object 1 rect from -0.2,-0.15 to 4.4,0 fc rgb '#d9c8a9' fs solid noborder behind\n"
     << "set object 2 circle at " << kTarget[0] << ',' << kTarget[2] << " size " << kRadius
     << " fc rgb '#d62728' fs transparent solid 0.3 noborder\n"
     << "plot for [i=0:" << n - 1 << "] '" << stem
     << ".dat' index i using 1:2:(i) with lines lc palette lw 1 notitle, \\\n"
     << "  '' index " << n - 1 << " using 1:2 with lines lw 3 lc rgb '#d62728' title 'optimised', \\\n"
     << "  '-' using 1:2 with points pt 7 ps 2 lc rgb '#000000' title 'target'\n"
     << kTarget[0] << ' ' << kTarget[2] << "\ne\n";
  gp.close();
  dat.close();
  if (example::run_gnuplot(stem + ".gp")) std::printf("wrote %s.png\n", stem.c_str());
}

int run(const example::OptimOptions& o, const wp::Device& dev) {
  Simulation sim(dev);
  std::printf("trajectory_opt on %s: %d steps of %.2f ms, optimizer %s\n", dev.str().c_str(), kSteps,
              1e3 * kDt, o.optimizer.c_str());
  const bool gradient_ok = gradient_matches_finite_differences(sim);
  History h;
  const double ms = example::elapsed_ms([&] {
    if (o.optimizer == "lbfgs") optimise_lbfgs(sim, o, h);
    else optimise_first_order(sim, o, h);
  });
  const float final_loss = sim.forward();
  h.add(sim.path(), final_loss);
  const std::vector<wp::vec3> path = sim.path();
  const wp::vec3 end = path.back(), u = sim.launch_velocity();
  const float miss = std::sqrt(final_loss);
  const int contacts = bounces(path);
  std::printf("loss %.6f -> %.3g in %zu iterations (%.1f ms per iteration); v0 (%.4f, %.4f, %.4f)\n",
              h.losses[0], final_loss, h.losses.size() - 1,
              ms / double(std::max<std::size_t>(1, h.losses.size() - 1)), u[0], u[1], u[2]);
  std::printf("ball ends at (%.4f, %.4f, %.4f), %.4f m from the target, after %d bounce(s)\n", end[0], end[1],
              end[2], miss, contacts);
  write_picture(o, h);
  bool ok = gradient_ok;
  if (!gradient_ok) std::printf("FAIL: the tape's gradient disagrees with finite differences\n");
  if (!(miss < 0.02f)) std::printf("FAIL: the ball misses the target by %.4f m\n", miss), ok = false;
  if (contacts < 1) std::printf("FAIL: the optimised path does not bounce\n"), ok = false;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const example::OptimOptions o = parse_options(argc, argv);
  return example::run_on_device(o.device, "trajectory_opt",
                                [&](const wp::Device& dev) { return run(o, dev); });
}
