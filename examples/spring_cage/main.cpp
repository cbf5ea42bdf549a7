// main.cpp — the spring-cage example: a particle in the middle of a cube, held by eight damped
// springs from the cube's (fixed) corners, is kicked and swings under gravity. The springs' rest
// lengths are optimised so that the particle is at a target point 2 s after the kick:
// L-BFGS (liblbfgs, examples/common/lbfgs_util.h) — or Adam (wp::optim::Adam) — on the loss
// |x(2 s) − target|², with the gradient w.r.t. the eight rest lengths from a wp::Tape over the
// 1000 steps of spring_cage.wp.
//
//   spring_cage [--device cpu|cuda[:N]] [--optimizer lbfgs|adam] [--iters K] [--lr LR] [--out DIR]
//
// Default device: cuda:0 when a GPU is present, else the CPU. Defaults: L-BFGS for at most K = 20
// iterations (Adam: K = 80, LR = 0.01). Writes DIR/spring_cage.png (default: the current
// folder) through gnuplot when it is installed: the cage and the particle's path before and after
// the optimisation, and the loss per iteration (data and script: DIR/spring_cage_*.dat, .gp).
// Prints the loss per iteration. Checks, exit 1 if one fails:
//   * L-BFGS: the loss decreases monotonically over the (accepted) iterations — Adam's loss may
//     go up on the way, so it is not checked for Adam;
//   * the final loss is below 1e-3 of the initial loss.
// With --device cuda and no GPU it prints "skipped: no CUDA device" and exits 77 (CTest skip).
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "example_util.h"
#include "lbfgs_util.h"
#include "optim_example.h"
#include "plot_util.h"
#include "spring_cage.wp.h"
#include "wp/optim.h"

namespace {

constexpr int kSteps = 1000;  // 2 s
constexpr float kDt = 2.0f / kSteps;
constexpr int kCorners = 8, kParticles = kCorners + 1, kCentre = kCorners, kSprings = kCorners;
constexpr float kStiffness = 200.0f;       // per spring; the particle's mass is 1
constexpr float kDamping = 1.5f;           // along each spring: ≈ 9% of critical in total
const wp::vec3 kKick{{2.5f, 1.5f, 3.0f}};  // the particle's initial velocity
const wp::vec3 kGravity{{0.0f, 0.0f, -9.81f}};
const wp::vec3 kTarget{{0.15f, -0.1f, 0.2f}};

// The corners of the cube [-0.5, 0.5]³ and the centre, which is the only free particle.
std::vector<wp::vec3> initial_positions() {
  std::vector<wp::vec3> x;
  for (int c = 0; c < kCorners; ++c)
    x.push_back({{(c & 1) ? 0.5f : -0.5f, (c & 2) ? 0.5f : -0.5f, (c & 4) ? 0.5f : -0.5f}});
  x.push_back({{0.0f, 0.0f, 0.0f}});
  return x;
}

struct Simulation {
  wp::array<wp::vec3> x, v, f;
  wp::array<int> ends;
  wp::array<float> rest, inv_mass, loss;
  wp::Tape tape;

  explicit Simulation(const wp::Device& dev)
      : x(wp::zeros<wp::vec3>({kSteps + 1, kParticles}, wp::on(dev), wp::requires_grad)),
        v(wp::zeros<wp::vec3>({kSteps + 1, kParticles}, wp::on(dev), wp::requires_grad)),
        f(wp::zeros<wp::vec3>({kSteps + 1, kParticles}, wp::on(dev), wp::requires_grad)),
        rest(wp::full<float>(kSprings, std::sqrt(0.75f), wp::on(dev), wp::requires_grad)),  // unstretched
        loss(wp::zeros<float>(1, wp::on(dev), wp::requires_grad)) {
    std::vector<int> e;
    for (int c = 0; c < kCorners; ++c) e.insert(e.end(), {c, kCentre});
    ends = wp::from_host(e, wp::with_shape(2 * kSprings), wp::on(dev));
    std::vector<float> w(kParticles, 0.0f);
    w[kCentre] = 1.0f;
    inv_mass = wp::from_host(w, wp::with_shape(kParticles), wp::on(dev));
    wp::copy(x.view_row(0), wp::from_host(initial_positions(), wp::with_shape(kParticles)));
    std::vector<wp::vec3> v0(kParticles, wp::vec3{{0.0f, 0.0f, 0.0f}});
    v0[kCentre] = kKick;
    wp::copy(v.view_row(0), wp::from_host(v0, wp::with_shape(kParticles)));
  }

  float forward() {
    wp::fill(f, wp::vec3{{0.0f, 0.0f, 0.0f}});
    for (int k = 0; k < kSteps; ++k) {
      spring_cage::spring_forces(kSprings, x, v, k, ends, rest, kStiffness, kDamping, f);
      spring_cage::integrate(kParticles, x, v, f, inv_mass, k, kGravity, kDt);
    }
    spring_cage::target_loss(1, x, kSteps, kCentre, kTarget, loss);
    return loss.to_host()[0];
  }
  float forward_backward() {
    return example::loss_and_gradient(tape, loss, [&] { return forward(); });
  }

  void set_rest(const std::vector<double>& r) {
    wp::copy(rest, wp::from_host(std::vector<float>(r.begin(), r.end()), wp::with_shape(kSprings)));
  }
  std::vector<wp::vec3> centre_path() const {
    const std::vector<wp::vec3> all = x.to_host();
    std::vector<wp::vec3> path;
    for (int k = 0; k <= kSteps; k += 5) path.push_back(all[std::size_t(k) * kParticles + kCentre]);
    return path;
  }
};

struct History {
  std::vector<float> losses;
  std::vector<wp::vec3> first_path, last_path;
};

void report(int it, float l, const wp::array<float>& rest) {
  const std::vector<float> r = rest.to_host();
  std::printf("  iteration %3d: loss %.3e, rest lengths", it, l);
  for (float ri : r) std::printf(" %.3f", ri);
  std::printf("\n");
}

void optimise_lbfgs(Simulation& sim, const example::OptimOptions& o, History& h) {
  const std::vector<float> r0 = sim.rest.to_host();
  std::vector<double> r(r0.begin(), r0.end());
  auto evaluate = [&](const std::vector<double>& rs, std::vector<double>& grad) {
    sim.set_rest(rs);
    const float l = sim.forward_backward();
    const std::vector<float> g = sim.rest.grad_array().to_host();
    for (int s = 0; s < kSprings; ++s) grad[std::size_t(s)] = g[std::size_t(s)];
    return double(l);
  };
  auto progress = [&](int it, const std::vector<double>& rs, double f) {
    sim.set_rest(rs);
    h.losses.push_back(float(f));
    report(it, float(f), sim.rest);
    return true;
  };
  const example::LbfgsResult res = example::minimize_lbfgs(r, evaluate, progress, o.iters);
  std::printf("  L-BFGS: %s after %d iterations, %d evaluations\n", res.status_name.c_str(), res.iterations,
              res.evaluations);
  sim.set_rest(r);
}

void optimise_adam(Simulation& sim, const example::OptimOptions& o, History& h) {
  wp::optim::Adam adam({sim.rest}, o.lr);
  for (int it = 1; it <= o.iters; ++it) {
    if (it > 1)
      h.losses.push_back(sim.forward_backward());  // (iteration 0's loss is known)
    else
      sim.forward_backward();
    adam.step();
    if (it % 20 == 0) report(it, h.losses.back(), sim.rest);
  }
  h.losses.push_back(sim.forward());
}

void write_picture(const example::OptimOptions& o, const History& h, const std::vector<wp::vec3>& cage) {
  const std::string stem = o.out + "/spring_cage";
  std::ofstream paths(stem + "_paths.dat"), springs(stem + "_springs.dat"), cube(stem + "_cube.dat"),
      losses(stem + "_loss.dat");
  if (!paths || !springs || !cube || !losses)
    throw wp::Error("cannot write " + stem + "_*.dat (does the folder exist?)");
  for (const auto* path : {&h.first_path, &h.last_path}) {
    for (const wp::vec3& p : *path) paths << p[0] << ' ' << p[1] << ' ' << p[2] << '\n';
    paths << "\n\n";
  }
  const wp::vec3 end = h.last_path.back();
  // One data set per segment (two blank lines): splot joins the points of blocks separated by
  // one blank line into a mesh.
  for (int c = 0; c < kCorners; ++c)
    springs << cage[c][0] << ' ' << cage[c][1] << ' ' << cage[c][2] << '\n'
            << end[0] << ' ' << end[1] << ' ' << end[2] << "\n\n\n";
  for (int c = 0; c < kCorners; ++c)
    for (int bit : {1, 2, 4})  // the cube's edges
      if (!(c & bit))
        cube << cage[c][0] << ' ' << cage[c][1] << ' ' << cage[c][2] << '\n'
             << cage[c | bit][0] << ' ' << cage[c | bit][1] << ' ' << cage[c | bit][2] << "\n\n\n";
  for (std::size_t i = 0; i < h.losses.size(); ++i) losses << i << ' ' << h.losses[i] << '\n';
  paths.close(), springs.close(), cube.close(), losses.close();
  std::ofstream gp(stem + ".gp");
  gp << "set terminal pngcairo size 1000,460 font ',11'\nset output '" << stem << ".png'\n"
     << "set multiplot layout 1,2 title 'spring rest lengths optimised so the particle is at the target "
        "after 2 s ("
     << o.optimizer << ")'\n"
     << "set view 62,35\nset xyplane 0\nset xrange [-0.55:0.55]\nset yrange [-0.55:0.55]\nset zrange "
        "[-0.55:0.55]\n"
     << "set view equal xyz\nunset tics\nset border 0\nset key at screen 0.01,0.17 left top Left reverse\n"
     << "splot '" << stem
     << "_springs.dat' with lines lc rgb '#2171b5' lw 2 title 'springs (optimised)', \\\n"
     << "  '" << stem << "_cube.dat' with lines lc rgb '#999999' lw 1 notitle, \\\n"
     << "  '" << stem << "_paths.dat' index 0 with lines lc rgb '#aaaaaa' lw 2 title 'path before', \\\n"
     << "  '' index 1 with lines lc rgb '#d62728' lw 2 title 'path after', \\\n"
     << "  '-' with points pt 7 ps 1.5 lc rgb '#000000' title 'target'\n"
     << kTarget[0] << ' ' << kTarget[1] << ' ' << kTarget[2] << "\ne\n"
     << "set xrange [*:*]\nset yrange [*:*]\nset size ratio 0.8\nset tics\nset border\nset logscale y\n"
     << "set format y '10^{%L}'\nset xlabel 'iteration'\nset ylabel 'loss (m²)'\nset key default\n"
     << "plot '" << stem << "_loss.dat' using 1:2 with linespoints pt 7 lc rgb '#d62728' notitle\n"
     << "unset multiplot\n";
  gp.close();
  if (example::run_gnuplot(stem + ".gp")) std::printf("wrote %s.png\n", stem.c_str());
}

int run(const example::OptimOptions& o, const wp::Device& dev) {
  Simulation sim(dev);
  std::printf("spring_cage on %s: %d springs, %d steps of %.1f ms, optimizer %s\n", dev.str().c_str(),
              kSprings, kSteps, 1e3 * kDt, o.optimizer.c_str());
  History h;
  h.losses.push_back(sim.forward());
  h.first_path = sim.centre_path();
  report(0, h.losses[0], sim.rest);
  const double ms = example::elapsed_ms([&] {
    if (o.optimizer == "lbfgs") optimise_lbfgs(sim, o, h);
    else optimise_adam(sim, o, h);
  });
  const float final_loss = sim.forward();
  h.last_path = sim.centre_path();
  bool monotone = true;
  for (std::size_t i = 1; i < h.losses.size(); ++i) monotone = monotone && h.losses[i] <= h.losses[i - 1];
  const wp::vec3 end = h.last_path.back();
  std::printf(
      "loss %.3e -> %.3e in %zu iterations (%.0f ms), %s; the particle ends at (%.4f, %.4f, %.4f), target "
      "(%.2f, %.2f, %.2f)\n",
      h.losses[0], final_loss, h.losses.size() - 1, ms,
      monotone ? "decreasing monotonically" : "not monotonically", end[0], end[1], end[2], kTarget[0],
      kTarget[1], kTarget[2]);
  write_picture(o, h, initial_positions());
  bool ok = true;
  if (!monotone && o.optimizer == "lbfgs")
    std::printf("FAIL: the loss did not decrease monotonically\n"), ok = false;
  if (!(final_loss < 1e-3f * h.losses[0]))
    std::printf("FAIL: the final loss is not below 1e-3 of the initial\n"), ok = false;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  example::OptimOptions o = example::parse_optim_options(argc, argv, "spring_cage", {}, {"lbfgs", "adam"});
  if (o.iters == 0) o.iters = o.optimizer == "lbfgs" ? 20 : 80;
  if (o.lr == 0.0f) o.lr = 0.01f;
  return example::run_on_device(o.device, "spring_cage", [&](const wp::Device& dev) { return run(o, dev); });
}
