// constants_main.cpp — driver of constants.wp: checks the values kernels read from module
// constants and wp.static expressions, and the header's constexpr constants on the host.
#include "constants.wp.h"
#include "run_check.h"

namespace {

void check_header_constants(run::Check& check) {
  static_assert(constants::NUM_CELLS == 16, "int constant in the header");
  static_assert(constants::OFFSET == 49, "constant derived from another constant");
  check.eq("CELL_SIZE", constants::CELL_SIZE, 0.25f);
  check.eq("EXTENT", constants::EXTENT, 4.0f);
  check.eq("DT", constants::DT, 1.0 / 64.0);
  check.eq("GRAVITY.y", constants::GRAVITY[1], -9.81f);
  check.near("TWO_PI", constants::TWO_PI, 6.283185307179586, 1e-6);
}

void check_use_constants(run::Check& check, const wp::Device& dev) {
  auto out = wp::zeros<float>(4, dev);
  auto vout = wp::zeros<wp::vec3f>(2, dev);
  auto dout = wp::zeros<double>(2, dev);
  auto iout = wp::zeros<int>(2, dev);
  constants::use_constants(1, out, vout, dout, iout);
  auto f = run::fetch(out);
  auto v = run::fetch(vout);
  auto d = run::fetch(dout);
  auto i = run::fetch(iout);
  check.eq("EXTENT in kernel", f[0], 4.0f);
  check.near("TWO_PI in kernel", f[1], 6.283185307179586, 1e-6);
  check.near("wp.PI in kernel", f[2], 3.141592653589793, 1e-6);
  check.eq("CELL_SIZE * NUM_CELLS", f[3], 4.0f);
  double g2[3] = {0.0, -19.62, 0.0};
  double rot[3] = {-2.0, 1.0, 0.0};
  check.near_vec("GRAVITY * 2", v[0], g2);
  check.near_vec("ROT * (1, 2)", v[1], rot);
  check.eq("DT * 64", d[0], 1.0);
  check.eq("DT (float64)", d[1], 1.0 / 64.0);
  check.eq("OFFSET", i[0], 49);
  check.eq("NUM_CELLS % 5", i[1], 1);
}

void check_use_static(run::Check& check, const wp::Device& dev) {
  std::vector<float> t;
  for (int k = -3; k <= 13; ++k) t.push_back(0.1f * k);
  int n = static_cast<int>(t.size());
  auto dt = wp::from_host(t, dev);
  auto out = wp::zeros<float>(n, dev);
  auto iout = wp::zeros<int>(n, dev);
  constants::use_static(n, dt, out, iout);
  auto f = run::fetch(out);
  auto s = run::fetch(iout);
  for (int k = 0; k < n; ++k) {
    double x = std::min(std::max(double(t[k]), 0.0), 1.0);
    double want = x * x * (3.0 - 2.0 * x) / 3.0;
    check.near(run::at("static smooth/ORDER", k), f[k], want, 1e-6);
    check.eq(run::at("static loop + branch", k), s[k], 123 + 1000 + 32);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "constants", [](run::Check& check, const wp::Device& dev) {
    check_header_constants(check);
    check_use_constants(check, dev);
    check_use_static(check, dev);
  });
}
