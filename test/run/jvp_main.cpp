// jvp_main.cpp — driver of jvp.wp: the generated forward-mode launchers against central finite
// differences of the forward kernels, computed here (outputs at inputs ± h·u, divided by 2h):
//   step_jvp with tangents for every differentiable input (arrays x, w; struct p; scalar s)
//     → tangents of y (stores), total (atomic_add) and peak (atomic_max: the winning value's);
//     the JVP leaves the primal arrays as they were;
//   a Tape recording step then squash: forward_jvp() with the tangent seeded in x's and w's
//     gradient buffers gives z's tangent in z's gradient buffer (p and s are constants there);
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
  jvp::step(kN, x, w, in.p, in.s, y, total, peak);
  const std::vector<wp::vec3f> y_before = run::fetch(y);

  auto tan_x = wp::from_host(u.x, wp::with_shape(kN), wp::on(dev));
  auto tan_w = wp::from_host(u.w, wp::with_shape(kN), wp::on(dev));
  auto tan_y = wp::zeros<wp::vec3f>(kN, dev);
  auto tan_total = wp::zeros<float>(1, dev);
  auto tan_peak = wp::zeros<float>(1, dev);
  jvp::step_jvp(kN, x, w, in.p, in.s, y, total, peak, tan_x, tan_w, u.p, u.s, tan_y, tan_total, tan_peak);
  const std::vector<wp::vec3f> ty = run::fetch(tan_y), y_after = run::fetch(y);

  const float h = 1e-3f;
  const Outputs plus = forward(moved(in, u, h), dev), minus = forward(moved(in, u, -h), dev);
  for (int i = 0; i < kN; ++i)
    for (int c = 0; c < 3; ++c) {
      const double fd = (static_cast<double>(plus.y[i][c]) - minus.y[i][c]) / (2.0 * h);
      check.near(run::at("tan_y", i, c), ty[i][c], fd, 2e-2, 1e-2);
      check.eq(run::at("y unchanged by the JVP", i, c), y_after[i][c], y_before[i][c]);
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

std::vector<float> forward_z(const Inputs& in, const wp::Device& dev) {
  auto x = wp::from_host(in.x, wp::with_shape(kN), wp::on(dev));
  auto w = wp::from_host(in.w, wp::with_shape(kN), wp::on(dev));
  auto y = wp::zeros<wp::vec3f>(kN, dev);
  auto total = wp::zeros<float>(1, dev);
  auto peak = wp::full<float>(1, kPeakStart, dev);
  auto z = wp::zeros<float>(kN, dev);
  jvp::step(kN, x, w, in.p, in.s, y, total, peak);
  jvp::squash(kN, y, z);
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
  wp::Tape tape;
  tape.begin();
  jvp::step(kN, x, w, in.p, in.s, y, total, peak);
  jvp::squash(kN, y, z);
  tape.end();
  tape.zero();
  seed(x, u.x);
  seed(w, u.w);
  tape.forward_jvp();
  wp::synchronize();
  std::vector<float> tz(kN);
  wp::detail::copy_bytes(tz.data(), wp::Device(), z.grad(), z.device(), tz.size() * sizeof(float));
  const float h = 1e-3f;
  const std::vector<float> plus = forward_z(moved(in, u, h), dev), minus = forward_z(moved(in, u, -h), dev);
  for (int i = 0; i < kN; ++i)
    check.near(run::at("tape z tangent", i), tz[i], (static_cast<double>(plus[i]) - minus[i]) / (2.0 * h), 2e-2, 1e-2);

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

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "jvp", [](run::Check& check, const wp::Device& dev) {
    check_launcher(check, dev);
    check_tape(check, dev);
  });
}
