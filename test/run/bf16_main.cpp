// bf16_main.cpp — driver of bf16.wp: bfloat16 kernels checked against float64 references
// computed here. Rounding float → bfloat16 is checked bit for bit against an independent
// reference (the nearer of the two bfloat16 neighbours, ties to the even one); results of
// bfloat16 arithmetic are compared with bfloat16 tolerances (each operation rounds to 8
// significant bits: relative error ≤ 2^-9 per operation); atomic totals are exact.
#include <cmath>
#include <cstring>

#include "bf16.wp.h"
#include "run_check.h"

namespace {

using bf = wp::bfloat16;
using vec3bf = wp::vec_t<3, wp::bfloat16>;

constexpr double kTol = 2e-2;  // a few bfloat16 roundings

uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
double from_top_bits(uint32_t hi) {
  const uint32_t u = hi << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// The bfloat16 nearest to x (finite, in range), ties to even, by comparing distances in double.
uint16_t nearest_bf16(float x) {
  const uint32_t lo = float_bits(x) >> 16;
  const double d_lo = std::fabs(from_top_bits(lo) - x), d_hi = std::fabs(from_top_bits(lo + 1) - x);
  if (d_lo < d_hi) return static_cast<uint16_t>(lo);
  if (d_hi < d_lo) return static_cast<uint16_t>(lo + 1);
  return static_cast<uint16_t>((lo & 1u) ? lo + 1 : lo);
}

double q(double x) { return static_cast<float>(bf(static_cast<float>(x))); }  // input as the kernel sees it

void check_scalars(run::Check& check, const wp::Device& dev) {
  const int n = 512;
  run::Rng rng{2026};
  std::vector<float> x(n), y(n);
  for (int i = 0; i < n; ++i) x[i] = static_cast<float>(rng.uniform(-3, 3)), y[i] = static_cast<float>(rng.uniform(-3, 3));
  x[0] = 1.00390625f;  // exactly halfway between bfloat16 1.0 and 1.0078125: ties to even (1.0)
  x[1] = 1.01171875f;  // halfway between 1.0078125 and 1.015625: ties to even (1.015625)
  auto dx = wp::from_host(x, dev), dy = wp::from_host(y, dev);
  auto out = wp::zeros<float>(8 * n, dev);
  auto rounded = wp::zeros<bf>(n, dev);
  bf16::scalar_ops(n, dx, dy, out, rounded);
  auto o = run::fetch(out);
  auto r = run::fetch(rounded);
  for (int i = 0; i < n; ++i) {
    check.eq(run::at("bfloat16(x) bits", i), static_cast<int>(r[i].bits), static_cast<int>(nearest_bf16(x[i])));
    const double a = q(x[i]), b = q(y[i]);
    auto got = [&](int k) { return static_cast<double>(o[8 * i + k]); };
    check.near(run::at("poly", i), got(0), a * a - b / 4 + 0.75, kTol, kTol);
    check.near(run::at("sqrt|a|+sin b", i), got(1), std::sqrt(std::fabs(a)) + std::sin(b), kTol, kTol);
    check.near(run::at("max-min", i), got(2), std::fabs(a - b), kTol, kTol);
    check.eq(run::at("a<b", i), got(3), a < b ? 1.0 : -1.0);
    check.near(run::at("int(a*10)", i), got(4), std::trunc(q(a * 10)), 1e-9, 0);
    check.near(run::at("float16(b)", i), got(5), b, 1e-3, 1e-3);
    check.near(run::at("3exp(a/4)", i), got(6), 3 * std::exp(a / 4), kTol, kTol);
    check.near(run::at("clamp", i), got(7), std::clamp(a + b, -1.0, 1.0), kTol, kTol);
  }
  check.eq("ties to even (down)", static_cast<int>(r[0].bits), 0x3f80);
  check.eq("ties to even (up)", static_cast<int>(r[1].bits), 0x3f82);
}

void check_composites(run::Check& check, const wp::Device& dev) {
  const int n = 256;
  run::Rng rng{7};
  std::vector<vec3bf> v(n);
  for (auto& e : v)
    for (int k = 0; k < 3; ++k) e.c[k] = bf(static_cast<float>(rng.uniform(-2, 2)));
  auto dv = wp::from_host(v, dev);
  auto out = wp::zeros<float>(4 * n, dev);
  auto vout = wp::zeros<vec3bf>(n, dev);
  bf16::composite_ops(n, dv, out, vout);
  auto o = run::fetch(out);
  auto w = run::fetch(vout);
  for (int i = 0; i < n; ++i) {
    const double a0 = float(v[i].c[0]), a1 = float(v[i].c[1]), a2 = float(v[i].c[2]);
    const double dot = a0 * a0 + a1 * a1 + a2 * a2;
    check.near(run::at("dot", i), o[4 * i], dot, kTol, kTol);
    check.near(run::at("length", i), o[4 * i + 1], std::sqrt(dot), kTol, kTol);
    check.near(run::at("m*v", i), o[4 * i + 2], (a0 * a0 + a1 * a1) + (a2 * a0 + a1), 3 * kTol, kTol);
    check.near(run::at("det", i), o[4 * i + 3], a0 - a1 * a2, 2 * kTol, kTol);
    const double want[3] = {2 * a0 + 1, 2 * a1, 2 * a2 - 1};
    for (int k = 0; k < 3; ++k) check.near(run::at("2a+c", 3 * i + k), float(w[i].c[k]), want[k], kTol, kTol);
  }
}

void check_atomics(run::Check& check, const wp::Device& dev) {
  const int n = 200;  // every partial sum (k/2 ≤ 100, k ≤ 50) is exact in bfloat16 (8 significant bits)
  auto total = wp::zeros<bf>(5, dev);
  bf16::accumulate(n, total);
  auto t = run::fetch(total);
  check.eq("atomic_add total", static_cast<double>(float(t[0])), 0.5 * n);
  for (int k = 1; k < 5; ++k) check.eq(run::at("+= bucket", k), static_cast<double>(float(t[k])), n / 4.0);
}

void check_backward(run::Check& check, const wp::Device& dev) {
  const int n = 64;
  std::vector<bf> x(n);
  for (int i = 0; i < n; ++i) x[i] = bf(0.125f * static_cast<float>(i - 32));  // exact in bfloat16
  auto dx = wp::from_host(x, wp::with_shape(n), wp::on(dev), wp::requires_grad);
  auto loss = wp::zeros<float>(1, dev, true);
  wp::copy(loss.grad_array(), wp::from_host(std::vector<float>{1.0f}, dev));
  bf16::energy(n, dx, loss);
  bf16::energy_backward(n, dx, loss);
  auto l = run::fetch(loss);
  auto g = run::fetch(dx.grad_array());
  double want = 0;
  for (int i = 0; i < n; ++i) want += 3.0 * float(x[i]) * float(x[i]);
  check.near("loss", l[0], want, 1e-3, 1e-3);
  for (int i = 0; i < n; ++i) check.near(run::at("dloss/dx", i), float(g[i]), 6.0 * float(x[i]), 1e-6, 1e-2);
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "bf16", [](run::Check& check, const wp::Device& dev) {
    check_scalars(check, dev);
    check_composites(check, dev);
    check_atomics(check, dev);
    check_backward(check, dev);
  });
}
