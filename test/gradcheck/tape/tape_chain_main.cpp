// tape_chain_main.cpp — wp::Tape end to end with generated launchers (tape_chain.wp): the
// launches record themselves, Tape::backward(loss) gives the gradients of x (array) and of
// s, t, g (non-array parameters, Tape::param_grad) that this file derives by hand and
// computes in double; a second pass adds the same again; zero() clears them; launches
// outside begin()/end() are not recorded.
//   tape_chain cpu | cuda:0     (cuda:0 without a device: "skipped: no CUDA device", exit 77)
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "tape_chain.wp.h"

namespace {

int failures = 0;

void expect_near(const std::string& what, double got, double want) {
  if (std::fabs(got - want) <= 1e-4 * std::max(1.0, std::fabs(want))) return;
  std::printf("FAIL %s: got %.8g, want %.8g\n", what.c_str(), got, want);
  ++failures;
}

struct Expected {
  std::vector<double> dx;
  double ds = 0, dt = 0;
  double dg[3] = {0, 0, 0};
};

// loss = Σ z², z = sin(y) + t·y + g0·y + 2·g1·y, y = s·x².
Expected by_hand(const std::vector<float>& x, double s, double t, const double g[3]) {
  Expected e;
  for (float xf : x) {
    const double xi = xf, y = s * xi * xi;
    const double z = std::sin(y) + t * y + g[0] * y + 2.0 * g[1] * y;
    const double dz_dy = std::cos(y) + t + g[0] + 2.0 * g[1];
    e.dx.push_back(2.0 * z * dz_dy * 2.0 * s * xi);
    e.ds += 2.0 * z * dz_dy * xi * xi;
    e.dt += 2.0 * z * y;
    e.dg[0] += 2.0 * z * y;
    e.dg[1] += 2.0 * z * 2.0 * y;
  }
  return e;
}

// k1: factor on the gradients of the first launch (x, s); k2: of the second (t, g).
void check_pass(const wp::Tape& tape, const wp::array<float>& x, const Expected& e, double k1, double k2,
                const std::string& label) {
  const std::vector<float> gx = x.grad_array().to_host();
  for (size_t i = 0; i < gx.size(); ++i) expect_near(label + " dL/dx[" + std::to_string(i) + "]", gx[i], k1 * e.dx[i]);
  expect_near(label + " dL/ds", tape.param_grad<float>(0, "s"), k1 * e.ds);
  expect_near(label + " dL/dt", tape.param_grad<float>(1, "t"), k2 * e.dt);
  const wp::vec3f dg = tape.param_grad<wp::vec3f>(1, "g");
  for (int c = 0; c < 3; ++c) expect_near(label + " dL/dg[" + std::to_string(c) + "]", dg.c[c], k2 * e.dg[c]);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dev_name = argc > 1 ? argv[1] : "cpu";
  const wp::Device dev(dev_name);
  if (dev.is_cuda() && wp::cuda_device_count() == 0) {
    std::printf("skipped: no CUDA device\n");
    return 77;  // CTest's SKIP_RETURN_CODE
  }
  const std::vector<float> xs = {0.3f, -0.7f, 0.9f, 0.1f, -0.4f, 0.6f};
  const int n = static_cast<int>(xs.size());
  const float s = 0.8f, t = -0.3f;
  const wp::vec3f g = {{0.25f, -0.5f, 2.0f}};
  auto x = wp::from_host(xs, {n}, dev, true);
  auto y = wp::zeros<float>(n, dev, true);
  auto z = wp::zeros<float>(n, dev, true);
  auto loss = wp::zeros<float>(1, dev, true);

  tape_chain::square_scale(n, x, s, y);  // not recorded: no tape yet
  wp::Tape tape;
  tape.begin();
  tape_chain::square_scale(n, x, s, y);
  tape_chain::mix(n, y, t, g, z);
  tape_chain::sum_squares(n, z, loss);
  tape.end();
  tape_chain::sum_squares(n, z, loss);  // not recorded either
  if (tape.launch_count() != 3 || tape.kernel(0) != "square_scale" || tape.kernel(2) != "sum_squares") {
    std::printf("FAIL recorded %zu launches\n", tape.launch_count());
    return 1;
  }
  const double gd[3] = {g.c[0], g.c[1], g.c[2]};
  const Expected e = by_hand(xs, s, t, gd);
  tape.backward(loss);
  check_pass(tape, x, e, 1.0, 1.0, "pass 1");
  // A second pass without zero() adds the same gradients again: loss.grad is set to 1 again,
  // and the stores of the intermediates z and y consumed (zeroed) their gradients in pass 1.
  tape.backward(loss);
  check_pass(tape, x, e, 2.0, 2.0, "pass 2");
  tape.zero();
  for (float v : x.grad_array().to_host()) expect_near("zeroed x.grad", v, 0.0);
  expect_near("zeroed loss.grad", loss.grad_array().to_host()[0], 0.0);
  tape.backward(loss);
  check_pass(tape, x, e, 1.0, 1.0, "after zero");
  if (failures) {
    std::printf("%d failures\n", failures);
    return 1;
  }
  std::printf("tape chain on %s: OK\n", dev_name.c_str());
  return 0;
}
