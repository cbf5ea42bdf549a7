// factories_main.cpp — driver of factories.wp: each factory instance is its own launcher
// (named after the module-level variable) with its captured constants and types.
#include "factories.wp.h"
#include "run_check.h"

int main(int argc, char** argv) {
  return run::main(argc, argv, "factories", [](run::Check& check, const wp::Device& dev) {
    const int n = 64;
    std::vector<float> x(n);
    std::vector<double> xd(n);
    for (int i = 0; i < n; ++i) x[i] = 0.125f * static_cast<float>(i - 20), xd[i] = 0.5 * (i - 30);
    auto dx = wp::from_host(x, dev);
    auto dxd = wp::from_host(xd, dev);
    auto y1 = wp::zeros<float>(n, dev), y2 = wp::zeros<float>(n, dev), y3 = wp::zeros<float>(n, dev);
    auto y4 = wp::zeros<double>(n, dev);
    factories::axpb_plain(n, dx, y1);
    factories::axpb_gain(n, dx, y2);
    factories::cube32(n, dx, y3);
    factories::square64(n, dxd, y4);
    auto g1 = run::fetch(y1), g2 = run::fetch(y2), g3 = run::fetch(y3);
    auto g4 = run::fetch(y4);
    for (int i = 0; i < n; ++i) {
      const double v = x[i];
      check.near(run::at("axpb_plain", i), g1[i], 2.0 * v + 1.0);
      check.near(run::at("axpb_gain", i), g2[i], 0.25 * v - 3.0);
      check.near(run::at("cube32", i), g3[i], v * v * v + 30.0);
      check.near(run::at("square64", i), g4[i], xd[i] * xd[i] + 20.0, 1e-12, 1e-12);
    }
  });
}
