// jvp_main.cpp — driver of jvp.wp: the generated forward-mode launchers against central finite
// differences of the forward kernels, computed here (outputs at inputs ± h·u, divided by 2h):
//   step_jvp launched on the forward's inputs (instead of step) with tangents for every
//     differentiable input (arrays x, w; struct p; scalar s) → tangents of y (stores), total
//     (atomic_add) and peak (atomic_max: the winning value's); it also leaves y, total and peak
//     as step does;
//   a Tape recording step, squash and relax (an in-place update of z from a history relax
//     stores and reads back): forward_jvp() with the tangent seeded in x's and w's gradient
//     buffers gives z's tangent in z's gradient buffer (p and s are constants there), and the
//     arrays end as the forward left them (total not added twice, z not relaxed twice);
//   a checkpointed sequence of relax steps (record_steps): forward_jvp() gives the tangent of
//     the final state;
//   a Tape holding a launch of a kernel without a JVP: forward_jvp() throws wp::Error.
#include <cmath>
#include <vector>

#include "jvp.wp.h"
#include "run_check.h"

namespace {

using jvp::Params;
constexpr int kN = 23;

struct Inputs {
  std::vector<wp::vec3f> x;
  std::vector<float> w;
  Params p{};
  float s = 0.f;
};

struct Outputs {
  std::vector<wp::vec3f> y;
  float total = 0.f, peak = 0.f;
};

constexpr float kPeakStart = -1.0e30f;

Inputs draw(run::Rng& rng, bool tangent) {
  Inputs in;
  for (int i = 0; i < kN; ++i) {
    in.x.push_back(rng.in_box(-1.0, 1.0));
    in.w.push_back(static_cast<float>(rng.uniform(tangent ? -1.0 : 0.5, 1.5)));
  }
  in.p.k = static_cast<float>(rng.uniform(tangent ? -1.0 : 0.2, 1.0));
  in.p.g = rng.in_box(-1.0, 1.0);
  in.p.n = tangent ? 0 : 3;
  in.s = static_cast<float>(rng.uniform(tangent ? -1.0 : 0.1, 0.4));
  return in;
}

// in + t·u (component-wise; p.n stays).
Inputs moved(const Inputs& in, const Inputs& u, float t) {
  Inputs out = in;
  for (int i = 0; i < kN; ++i) {
    for (int c = 0; c < 3; ++c) out.x[i][c] += t * u.x[i][c];
    out.w[i] += t * u.w[i];
  }
  out.p.k += t * u.p.k;
  for (int c = 0; c < 3; ++c) out.p.g[c] += t * u.p.g[c];
  out.s += t * u.s;
  return out;
}

Outputs forward(const Inputs& in, const wp::Device& dev) {
  auto x = wp::from_host(in.x, wp::with_shape(kN), wp::on(dev));
  auto w = wp::from_host(in.w, wp::with_shape(kN), wp::on(dev));
  auto y = wp::zeros<wp::vec3f>(kN, dev);
  auto total = wp::zeros<float>(1, dev);
  auto peak = wp::full<float>(1, kPeakStart, dev);
  jvp::step(kN, x, w, in.p, in.s, y, total, peak);
  return {run::fetch(y), run::fetch(total)[0], run::fetch(peak)[0]};
}

void check_launcher(run::Check& check, const wp::Device& dev) {
  run::Rng rng{7};
  const Inputs in = draw(rng, false), u = draw(rng, true);
  auto x = wp::from_host(in.x, wp::with_shape(kN), wp::on(dev));
  auto w = wp::from_host(in.w, wp::with_shape(kN), wp::on(dev));
  auto y = wp::zeros<wp::vec3f>(kN, dev);
  auto total = wp::zeros<float>(1, dev);
  auto peak = wp::full<float>(1, kPeakStart, dev);
  const Outputs fwd = forward(in, dev);  // step on arrays of its own

  auto tan_x = wp::from_host(u.x, wp::with_shape(kN), wp::on(dev));
  auto tan_w = wp::from_host(u.w, wp::with_shape(kN), wp::on(dev));
  auto tan_y = wp::zeros<wp::vec3f>(kN, dev);
  auto tan_total = wp::zeros<float>(1, dev);
  auto tan_peak = wp::zeros<float>(1, dev);
  // On the forward's inputs, instead of the forward launch.
  jvp::step_jvp(kN, x, w, in.p, in.s, y, total, peak, tan_x, tan_w, u.p, u.s, tan_y, tan_total, tan_peak);
  const std::vector<wp::vec3f> ty = run::fetch(tan_y), y_after = run::fetch(y);
  check.near("total as the forward leaves it", run::fetch(total)[0], fwd.total, 1e-5, 1e-5);
  check.eq("peak as the forward leaves it", run::fetch(peak)[0], fwd.peak);

  const float h = 1e-3f;
  const Outputs plus = forward(moved(in, u, h), dev), minus = forward(moved(in, u, -h), dev);
  for (int i = 0; i < kN; ++i)
    for (int c = 0; c < 3; ++c) {
      const double fd = (static_cast<double>(plus.y[i][c]) - minus.y[i][c]) / (2.0 * h);
      check.near(run::at("tan_y", i, c), ty[i][c], fd, 2e-2, 1e-2);
      check.near(run::at("y as the forward leaves it", i, c), y_after[i][c], fwd.y[i][c], 1e-6, 1e-6);
    }
  check.near("tan_total", run::fetch(tan_total)[0], (static_cast<double>(plus.total) - minus.total) / (2.0 * h), 5e-2,
             1e-2);
  check.near("tan_peak", run::fetch(tan_peak)[0], (static_cast<double>(plus.peak) - minus.peak) / (2.0 * h), 2e-2, 1e-2);

  // Tangents default to zero: no tangent in gives no tangent out.
  auto zero_y = wp::zeros<wp::vec3f>(kN, dev);
  jvp::step_jvp(kN, x, w, in.p, in.s, y, total, peak, {}, {}, {}, {}, zero_y);
  for (const wp::vec3f& v : run::fetch(zero_y)) check.that("zero tangents give zero", v[0] == 0 && v[1] == 0 && v[2] == 0);

  // A tangent of the wrong shape is a wp::Error naming it.
  bool threw = false;
  try {
    jvp::step_jvp(kN, x, w, in.p, in.s, y, total, peak, wp::zeros<wp::vec3f>(kN + 1, dev));
  } catch (const wp::Error& e) {
    threw = std::string(e.what()).find("tan_x") != std::string::npos;
  }
  check.that("a mis-shaped tangent throws naming tan_x", threw);
}

constexpr int kHist = 3;  // relax's history length

std::vector<float> forward_z(const Inputs& in, const wp::Device& dev) {
  auto x = wp::from_host(in.x, wp::with_shape(kN), wp::on(dev));
  auto w = wp::from_host(in.w, wp::with_shape(kN), wp::on(dev));
  auto y = wp::zeros<wp::vec3f>(kN, dev);
  auto total = wp::zeros<float>(1, dev);
  auto peak = wp::full<float>(1, kPeakStart, dev);
  auto z = wp::zeros<float>(kN, dev);
  auto hist = wp::zeros<float>(wp::Shape{kN, kHist}, dev);
  jvp::step(kN, x, w, in.p, in.s, y, total, peak);
  jvp::squash(kN, y, z);
  jvp::relax(kN, z, hist);
  return run::fetch(z);
}

template <class T>
void seed(const wp::array<T>& a, const std::vector<T>& values) {
  wp::synchronize();
  wp::detail::copy_bytes(a.grad(), a.device(), values.data(), wp::Device(), values.size() * sizeof(T));
}

void check_tape(run::Check& check, const wp::Device& dev) {
  run::Rng rng{11};
  const Inputs in = draw(rng, false);
  Inputs u = draw(rng, true);
  u.p = Params{};  // the tape treats non-array parameters as constants
  u.s = 0.f;
  auto x = wp::from_host(in.x, wp::with_shape(kN), wp::on(dev), wp::requires_grad);
  auto w = wp::from_host(in.w, wp::with_shape(kN), wp::on(dev), wp::requires_grad);
  auto y = wp::zeros<wp::vec3f>(kN, dev, true);
  auto total = wp::zeros<float>(1, dev, true);
  auto peak = wp::full<float>(1, kPeakStart, dev, true);
  auto z = wp::zeros<float>(kN, dev, true);
  auto hist = wp::zeros<float>(wp::Shape{kN, kHist}, dev, true);
  wp::Tape tape;
  tape.begin();
  jvp::step(kN, x, w, in.p, in.s, y, total, peak);
  jvp::squash(kN, y, z);
  jvp::relax(kN, z, hist);
  tape.end();
  const std::vector<float> z_forward = run::fetch(z), total_forward = run::fetch(total);
  tape.zero();
  seed(x, u.x);
  seed(w, u.w);
  tape.forward_jvp();
  wp::synchronize();
  // The JVPs redid the launches from the tape's start: the arrays end as the forward left them.
  const std::vector<float> z_after = run::fetch(z);
  for (int i = 0; i < kN; ++i) check.near(run::at("z after forward_jvp", i), z_after[i], z_forward[i], 1e-6, 1e-6);
  check.near("total after forward_jvp (not added twice)", run::fetch(total)[0], total_forward[0], 1e-5, 1e-5);
  std::vector<float> tz(kN);
  wp::detail::copy_bytes(tz.data(), wp::Device(), z.grad(), z.device(), tz.size() * sizeof(float));
  const float h = 1e-3f;
  const std::vector<float> plus = forward_z(moved(in, u, h), dev), minus = forward_z(moved(in, u, -h), dev);
  for (int i = 0; i < kN; ++i)
    check.near(run::at("tape z tangent", i), tz[i], (static_cast<double>(plus[i]) - minus[i]) / (2.0 * h), 2e-2, 1e-2);

  // Twice in a row: the same tangents (the rewind puts the inputs back each time).
  tape.zero();
  seed(x, u.x);
  seed(w, u.w);
  tape.forward_jvp();
  wp::synchronize();
  std::vector<float> tz2(kN);
  wp::detail::copy_bytes(tz2.data(), wp::Device(), z.grad(), z.device(), tz2.size() * sizeof(float));
  for (int i = 0; i < kN; ++i) check.near(run::at("second forward_jvp", i), tz2[i], tz[i], 1e-6, 1e-6);

  // A record without a JVP: forward_jvp refuses before running anything.
  wp::Tape other;
  other.begin();
  jvp::no_jvp(kN, wp::zeros<float>(kN, dev, true), wp::zeros<float>(kN, dev, true));
  other.end();
  bool threw = false;
  try {
    other.forward_jvp();
  } catch (const wp::Error& e) {
    threw = std::string(e.what()).find("no_jvp") != std::string::npos;
  }
  check.that("forward_jvp on a record without a JVP throws naming it", threw);
}

// relax applied kSteps times to z, as a checkpointed step sequence.
constexpr int kSteps = 4;

std::vector<float> relaxed(const std::vector<float>& z0, const wp::Device& dev) {
  auto z = wp::from_host(z0, wp::with_shape(kN), wp::on(dev));
  auto hist = wp::zeros<float>(wp::Shape{kN, kHist}, dev);
  for (int k = 0; k < kSteps; ++k) jvp::relax(kN, z, hist);
  return run::fetch(z);
}

void check_steps(run::Check& check, const wp::Device& dev) {
  run::Rng rng{13};
  std::vector<float> z0(kN), u(kN);
  for (int i = 0; i < kN; ++i) {
    z0[i] = static_cast<float>(rng.uniform(0.2, 0.9));
    u[i] = static_cast<float>(rng.uniform(-1.0, 1.0));
  }
  auto z = wp::from_host(z0, wp::with_shape(kN), wp::on(dev), wp::requires_grad);
  auto hist = wp::zeros<float>(wp::Shape{kN, kHist}, dev, true);
  wp::Tape tape;
  tape.set_memory_budget(2 * kN * sizeof(float));  // two snapshots of the state
  tape.record_steps(kSteps, {wp::tape_state(z, "z")}, [&](int) { jvp::relax(kN, z, hist); });
  const std::vector<float> z_final = run::fetch(z);
  tape.zero();
  seed(z, u);
  tape.forward_jvp();
  wp::synchronize();
  std::vector<float> tz(kN);
  wp::detail::copy_bytes(tz.data(), wp::Device(), z.grad(), z.device(), tz.size() * sizeof(float));
  const float h = 1e-3f;
  std::vector<float> zp = z0, zm = z0;
  for (int i = 0; i < kN; ++i) {
    zp[i] += h * u[i];
    zm[i] -= h * u[i];
  }
  const std::vector<float> plus = relaxed(zp, dev), minus = relaxed(zm, dev), after = run::fetch(z);
  for (int i = 0; i < kN; ++i) {
    check.near(run::at("steps z tangent", i), tz[i], (static_cast<double>(plus[i]) - minus[i]) / (2.0 * h), 2e-2, 1e-2);
    check.near(run::at("steps z after forward_jvp", i), after[i], z_final[i], 1e-6, 1e-6);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "jvp", [](run::Check& check, const wp::Device& dev) {
    check_launcher(check, dev);
    check_tape(check, dev);
    check_steps(check, dev);
  });
}
