// native_main.cpp — driver of native.wp: runs the @wp.func_native snippets through a kernel and
// compares with the same functions written here in plain C++.
#include <numeric>

#include "native.wp.h"
#include "run_check.h"

namespace {

float smoothstep01(float x) {
  float t = std::min(std::max(x, 0.0f), 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

int popcount(uint32_t x) {
  int c = 0;
  for (; x != 0; x >>= 1) c += x & 1u;
  return c;
}

void check_natives(run::Check& check, const wp::Device& dev) {
  std::vector<float> x;
  std::vector<int> a, b;
  std::vector<wp::vec3f> v;
  for (int i = 0; i < 60; ++i) {
    x.push_back(-0.5f + 0.03f * i);
    a.push_back((i % 2 ? -1 : 1) * (i * 6 + 6));
    b.push_back(4 + (i * 7) % 45);
    v.push_back(wp::vec3f{{float(i), 0.5f * i - 3.0f, -1.0f}});
  }
  a.back() = -7;  // negative numbers through the snippets and popcount of a wrapped value
  int n = static_cast<int>(x.size());
  auto dx = wp::from_host(x, dev);
  auto da = wp::from_host(a, dev), db = wp::from_host(b, dev);
  auto dv = wp::from_host(v, dev);
  auto fout = wp::zeros<float>(2 * n, dev);
  auto iout = wp::zeros<int>(3 * n, dev);
  native::natives(n, dx, da, db, dv, fout, iout);
  auto gf = run::fetch(fout);
  auto gi = run::fetch(iout);
  for (int i = 0; i < n; ++i) {
    check.near(run::at("smoothstep01", i), gf[2 * i], smoothstep01(x[i]), 1e-6);
    check.near(run::at("weighted_sum", i), gf[2 * i + 1], v[i][0] + 2.0 * v[i][1] + 3.0 * v[i][2]);
    int g = std::gcd(a[i], b[i]);
    check.eq(run::at("gcd", i), gi[3 * i], g);
    check.eq(run::at("lcm", i), gi[3 * i + 1], a[i] / g * b[i]);
    check.eq(run::at("popcount", i), gi[3 * i + 2], popcount(static_cast<uint32_t>(a[i])));
  }
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "native", [](run::Check& check, const wp::Device& dev) {
    check_natives(check, dev);
  });
}
