// tape_overwrite_main.cpp — gradients through launches that overwrite arrays they read
// (tape_overwrite.wp), recorded on a wp::Tape, against central differences of the same
// launches: d(loss)/d(x, p before the first launch), d(loss)/ds, d(loss)/dw. Also: the bytes
// the tape saved (Tape::saved_bytes), the arrays' contents after backward() (what the forward
// pass left; an array field of a struct argument is saved too), and the history kernel's
// <kernel>_backward called directly with the pre- and the post-launch contents of its history;
// rewrite_steps (an element updated in place in a loop: the undo log) through the tape and
// through rewrite_steps_backward called directly, which leaves x as the forward left it.
//   tape_overwrite cpu | cuda:0     (cuda:0 without a device: "skipped: no CUDA device", exit 77)
//   tape_overwrite cpu overflow     rewrite_steps_backward over 200 steps with no spill buffer:
//                                   the undo log does not fit, the launch stops with a message
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "tape_overwrite.wp.h"

namespace {

int failures = 0;
constexpr int kN = 5, kSteps = 4;
constexpr double kEps = 1e-2;

void expect_near(const std::string& what, double got, double want, double tol = 4e-3) {
  if (std::fabs(got - want) <= tol * std::max(1.0, std::fabs(want))) return;
  std::printf("FAIL %s: got %.8g, want %.8g\n", what.c_str(), got, want);
  ++failures;
}

struct Inputs {
  std::vector<float> x = {0.3f, -0.7f, 0.9f, 0.1f, -0.4f};
  std::vector<wp::vec3f> p = {{{0.2f, -0.1f, 0.5f}}, {{0.4f, 0.3f, -0.6f}}, {{-0.8f, 0.7f, 0.1f}},
                              {{0.05f, -0.3f, 0.2f}}, {{0.6f, 0.6f, -0.2f}}};
  float s = 0.8f, w = -1.3f;
};

struct Arrays {
  wp::array<float> x, sarr, y, hist, out, loss;
  wp::array<wp::vec3f> p;
};

Arrays make(const Inputs& in, const wp::Device& dev, bool grad) {
  Arrays a;
  a.x = wp::from_host(in.x, {kN}, dev, grad);
  a.p = wp::from_host(in.p, {kN}, dev, grad);
  a.sarr = wp::from_host(std::vector<float>{1.1f, 0.9f, -0.5f, 1.4f, 0.7f}, {kN}, dev, grad);
  a.y = wp::from_host(std::vector<float>{0.2f, -0.3f, 0.5f, 0.1f, -0.6f}, {kN}, dev, grad);
  a.hist = wp::zeros<float>({kN, kSteps}, dev, grad);
  a.out = wp::zeros<float>(kN, dev, grad);
  a.loss = wp::zeros<float>(1, dev, grad);
  return a;
}

void forward(const Arrays& a, const Inputs& in, const wp::Device& dev) {
  tape_overwrite::assign_sin(kN, a.x, in.s);
  tape_overwrite::scale_inplace(kN, a.x, a.sarr);
  tape_overwrite::add_into(kN, a.x, a.y);
  tape_overwrite::rewrite_steps(kN, a.x, a.sarr, kSteps);
  tape_overwrite::blend_vec(kN, a.p, in.w);
  tape_overwrite::State st{};
  st.q = a.x.view();
  st.v = a.y.view();
  wp::LaunchOptions on_dev;  // field_step's only arrays are struct fields: they do not pick the device
  on_dev.device = dev;
  tape_overwrite::field_step(kN, st, 0.6f, on_dev);
  tape_overwrite::history(kN, a.x, a.hist, kSteps, a.out);
  tape_overwrite::reduce(kN, a.x, a.p, a.out, a.loss);
}

double loss_of(const Inputs& in, const wp::Device& dev) {
  const Arrays a = make(in, dev, false);
  forward(a, in, dev);
  return a.loss.to_host()[0];
}

template <typename Perturb>
double central(const Inputs& in, const wp::Device& dev, Perturb perturb) {
  Inputs plus = in, minus = in;
  perturb(plus, kEps);
  perturb(minus, -kEps);
  return (loss_of(plus, dev) - loss_of(minus, dev)) / (2 * kEps);
}

void check_tape(const wp::Device& dev) {
  const Inputs in;
  const Arrays a = make(in, dev, true);
  wp::Tape tape;
  {
    wp::TapeScope recording(tape);
    forward(a, in, dev);
  }
  // x five times (assign_sin, scale_inplace, add_into, rewrite_steps, field_step through s.q),
  // p once, hist once.
  const size_t want_saved = 5 * kN * sizeof(float) + kN * sizeof(wp::vec3f) + kN * kSteps * sizeof(float);
  if (tape.saved_bytes() != want_saved) {
    std::printf("FAIL saved_bytes: %zu, want %zu\n", tape.saved_bytes(), want_saved);
    ++failures;
  }
  const std::vector<float> x_final = a.x.to_host(), h_final = a.hist.to_host();
  tape.backward(a.loss);
  const std::vector<float> gx = a.x.grad_array().to_host();
  const std::vector<wp::vec3f> gp = a.p.grad_array().to_host();
  for (int j = 0; j < kN; ++j) {
    expect_near("dL/dx[" + std::to_string(j) + "]", gx[j], central(in, dev, [&](Inputs& v, double e) { v.x[j] += e; }));
    for (int c = 0; c < 3; ++c)
      expect_near("dL/dp[" + std::to_string(j) + "][" + std::to_string(c) + "]", gp[j].c[c],
                  central(in, dev, [&](Inputs& v, double e) { v.p[j].c[c] += e; }));
  }
  expect_near("dL/ds", tape.param_grad<float>(0, "s"), central(in, dev, [](Inputs& v, double e) { v.s += e; }));
  expect_near("dL/dw", tape.param_grad<float>(4, "w"), central(in, dev, [](Inputs& v, double e) { v.w += e; }));
  // After backward() the overwritten arrays hold what the forward pass left in them.
  const std::vector<float> x_after = a.x.to_host(), h_after = a.hist.to_host();
  for (int j = 0; j < kN; ++j) expect_near("x after backward[" + std::to_string(j) + "]", x_after[j], x_final[j], 0);
  for (size_t j = 0; j < h_after.size(); ++j) expect_near("hist after backward", h_after[j], h_final[j], 0);
  tape.reset();
  if (tape.saved_bytes() != 0) {
    std::printf("FAIL saved_bytes after reset: %zu\n", tape.saved_bytes());
    ++failures;
  }
}

// out = history(x); loss = Σ c_i out_i: <kernel>_backward called directly.
void check_history_backward(const wp::Device& dev) {
  const Inputs in;
  const std::vector<float> c = {0.5f, -1.0f, 2.0f, 0.25f, 1.5f};
  auto weighted = [&](const std::vector<float>& xs) {
    auto x = wp::from_host(xs, {kN}, dev);
    auto hist = wp::zeros<float>({kN, kSteps}, dev);
    auto out = wp::zeros<float>(kN, dev);
    tape_overwrite::history(kN, x, hist, kSteps, out);
    const std::vector<float> o = out.to_host();
    double sum = 0;
    for (int i = 0; i < kN; ++i) sum += c[i] * o[i];
    return sum;
  };
  for (int pass = 0; pass < 2; ++pass) {  // 0: hist as before the launch, 1: as after it
    auto x = wp::from_host(in.x, {kN}, dev, true);
    auto hist = wp::zeros<float>({kN, kSteps}, dev, true);
    auto out = wp::zeros<float>(kN, dev, true);
    if (pass == 1) tape_overwrite::history(kN, x, hist, kSteps, out);
    wp::copy(out.grad_array(), wp::from_host(c, {kN}, dev));
    tape_overwrite::history_backward(kN, x, hist, kSteps, out);
    const std::vector<float> gx = x.grad_array().to_host();
    for (int j = 0; j < kN; ++j) {
      std::vector<float> xp = in.x, xm = in.x;
      xp[j] += kEps;
      xm[j] -= kEps;
      expect_near(std::string(pass ? "post" : "pre") + "-launch history_backward dx[" + std::to_string(j) + "]", gx[j],
                  (weighted(xp) - weighted(xm)) / (2 * kEps));
    }
  }
}

// x ← rewrite_steps(x, a); loss = Σ c_i x_i: rewrite_steps_backward called directly on x as
// before the launch; afterwards x holds what the forward launch left.
void check_rewrite_backward(const wp::Device& dev) {
  const Inputs in;
  const std::vector<float> c = {0.5f, -1.0f, 2.0f, 0.25f, 1.5f}, av = {1.1f, 0.9f, 0.6f, 1.4f, 0.7f};
  auto run = [&](const std::vector<float>& xs, const std::vector<float>& as) {
    auto x = wp::from_host(xs, {kN}, dev);
    tape_overwrite::rewrite_steps(kN, x, wp::from_host(as, {kN}, dev), kSteps);
    return x.to_host();
  };
  auto weighted = [&](const std::vector<float>& xs, const std::vector<float>& as) {
    const std::vector<float> o = run(xs, as);
    double sum = 0;
    for (int i = 0; i < kN; ++i) sum += c[i] * o[i];
    return sum;
  };
  auto x = wp::from_host(in.x, {kN}, dev, true);
  auto a = wp::from_host(av, {kN}, dev, true);
  wp::copy(x.grad_array(), wp::from_host(c, {kN}, dev));
  tape_overwrite::rewrite_steps_backward(kN, x, a, kSteps);
  const std::vector<float> gx = x.grad_array().to_host(), ga = a.grad_array().to_host(), after = x.to_host(),
                           want_after = run(in.x, av);
  for (int j = 0; j < kN; ++j) {
    std::vector<float> xp = in.x, xm = in.x, ap = av, am = av;
    xp[j] += kEps;
    xm[j] -= kEps;
    ap[j] += kEps;
    am[j] -= kEps;
    expect_near("rewrite_steps_backward dx[" + std::to_string(j) + "]", gx[j],
                (weighted(xp, av) - weighted(xm, av)) / (2 * kEps));
    expect_near("rewrite_steps_backward da[" + std::to_string(j) + "]", ga[j],
                (weighted(in.x, ap) - weighted(in.x, am)) / (2 * kEps));
    expect_near("x after rewrite_steps_backward[" + std::to_string(j) + "]", after[j], want_after[j], 0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dev_name = argc > 1 ? argv[1] : "cpu";
  const wp::Device dev(dev_name);
  if (dev.is_cuda() && wp::cuda_device_count() == 0) {
    std::printf("skipped: no CUDA device\n");
    return 77;  // CTest's SKIP_RETURN_CODE
  }
  if (argc > 2 && std::string(argv[2]) == "overflow") {
    auto x = wp::from_host(Inputs{}.x, {kN}, dev, true);
    auto a = wp::from_host(std::vector<float>(kN, 0.5f), {kN}, dev, true);
    wp::LaunchOptions no_spill;
    no_spill.max_loop_trips = -1;
    tape_overwrite::rewrite_steps_backward(kN, x, a, 200, no_spill);
    wp::synchronize();
    std::printf("FAIL the undo log of 200 steps fit the thread-local stack\n");
    return 1;
  }
  check_tape(dev);
  check_history_backward(dev);
  check_rewrite_backward(dev);
  if (failures) {
    std::printf("%d failures\n", failures);
    return 1;
  }
  std::printf("tape overwrite on %s: OK\n", dev_name.c_str());
  return 0;
}
