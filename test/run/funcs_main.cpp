// funcs_main.cpp — driver of funcs.wp: multiple results, generics, overloads, nested calls,
// defaults/keywords and by-value parameters, checked against closed forms computed here.
#include "funcs.wp.h"
#include "run_check.h"

namespace {

void check_multi_return(run::Check& check, const wp::Device& dev) {
  std::vector<int> a, b;
  for (int x = -23; x <= 23; x += 4)
    for (int y : {-7, -3, -1, 1, 2, 5}) a.push_back(x), b.push_back(y);
  int n = static_cast<int>(a.size());
  auto da = wp::from_host(a, dev), db = wp::from_host(b, dev);
  auto q = wp::zeros<int>(n, dev), r = wp::zeros<int>(n, dev);
  funcs::multi_return(n, da, db, q, r);
  auto gq = run::fetch(q), gr = run::fetch(r);
  for (int i = 0; i < n; ++i) {
    std::string label = std::to_string(a[i]) + "," + std::to_string(b[i]);
    check.eq("div(" + label + ")", gq[i], a[i] / b[i]);  // C++ truncates like Warp
    check.eq("mod(" + label + ")", gr[i], a[i] % b[i]);
  }

  std::vector<float> x = {-3.0f, 0.0f, 1.5f, 7.0f, 2.0f, -10.0f, 4.25f, 12.0f};
  n = static_cast<int>(x.size());
  auto dx = wp::from_host(x, dev);
  auto out = wp::zeros<wp::vec3f>(n, dev);
  funcs::three_results(n, dx, out);
  auto go = run::fetch(out);
  for (int i = 0; i < n; ++i) {
    float b2 = float(i) - 5.0f;
    double want[3] = {std::min({x[i], b2, 2.0f}), std::max({x[i], b2, 2.0f}), x[i] + b2 + 2.0f};
    check.near_vec(run::at("min_max_sum", i), go[i], want);
  }
}

void check_generics(run::Check& check, const wp::Device& dev) {
  const int n = 40;
  std::vector<int> hi(n);
  std::vector<float> hf(n);
  std::vector<double> hd(n);
  std::vector<wp::vec3f> hv(n);
  for (int i = 0; i < n; ++i) {
    hi[i] = i - 20;
    hf[i] = 0.25f * i - 3.0f;
    hd[i] = 1.0 / (i + 1);
    hv[i] = wp::vec3f{{float(i), -0.5f, 2.0f * i}};
  }
  auto fi = wp::from_host(hi, dev);
  auto ff = wp::from_host(hf, dev);
  auto fd = wp::from_host(hd, dev);
  auto fv = wp::from_host(hv, dev);
  funcs::generics(n, fi, ff, fd, fv);
  auto gi = run::fetch(fi);
  auto gf = run::fetch(ff);
  auto gd = run::fetch(fd);
  auto gv = run::fetch(fv);
  for (int i = 0; i < n; ++i) {
    check.eq(run::at("generic_int", i), gi[i], hi[i] * hi[i] + 2 * hi[i]);
    check.near(run::at("generic_float", i), gf[i], double(hf[i]) * hf[i] + 2.0 * hf[i]);
    check.near(run::at("generic_double", i), gd[i], hd[i] * hd[i] + 2.0 * hd[i], 1e-14, 1e-14);
    double want[3] = {8.0 * hv[i][0], 8.0 * hv[i][1], 8.0 * hv[i][2]};
    check.near_vec(run::at("generic_vec3", i), gv[i], want);
  }
}

void check_overloads(run::Check& check, const wp::Device& dev) {
  const int n = 25;
  std::vector<wp::vec2f> u(n);
  std::vector<wp::vec3f> v(n);
  for (int i = 0; i < n; ++i) {
    u[i] = wp::vec2f{{float(i), 1.0f}};
    v[i] = wp::vec3f{{0.5f, float(-i), 2.0f}};
  }
  auto du = wp::from_host(u, dev);
  auto dv = wp::from_host(v, dev);
  auto out = wp::zeros<float>(n, dev);
  auto picks = wp::zeros<int>(n, dev);
  funcs::overloads(n, du, dv, out, picks);
  auto go = run::fetch(out);
  auto gp = run::fetch(picks);
  for (int i = 0; i < n; ++i) {
    double want = (double(i) * i + 1.0) + 10.0 * (0.25 + double(i) * i + 4.0);
    check.near(run::at("norm_sq overloads", i), go[i], want);
    check.eq(run::at("pick overloads", i), gp[i], (i + 1) * 1000 + int(float(i) * 1.5f) + 100);
  }
}

void check_calls(run::Check& check, const wp::Device& dev) {
  std::vector<float> x = {-2.0f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.25f, 2.0f, 3.0f};
  int n = static_cast<int>(x.size());
  auto dx = wp::from_host(x, dev);
  auto out = wp::zeros<float>(n * 6, dev);
  funcs::calls(n, dx, out);
  auto g = run::fetch(out);
  for (int i = 0; i < n; ++i) {
    double y = x[i];
    double want[6] = {2.0 * y + 1.0,         2.0 * y + 0.5,         3.0 * y + 0.5,
                      2.0 * y - 1.0,         std::pow(y, 9.0),      (y + 4.0) * (i + 5) + y + i};
    for (int k = 0; k < 6; ++k) check.near(run::at("calls", i, k), g[i * 6 + k], want[k], 1e-4);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "funcs", [](run::Check& check, const wp::Device& dev) {
    check_multi_return(check, dev);
    check_generics(check, dev);
    check_overloads(check, dev);
    check_calls(check, dev);
  });
}
