// springs_main.cpp — driver of springs.wp: a pinned cloth (structural + shear springs) sagging
// under gravity plus a few free particles bouncing on the ground, stepped by the kernels and by
// a double-precision reference written here; positions, velocities and the kinetic energy are
// compared after the run (the cloth stays above the ground, so only the free particles take the
// contact branch, whose crossing steps are far from float rounding ties).
#include <array>

#include "run_check.h"
#include "springs.wp.h"

namespace {

using V3 = std::array<double, 3>;

struct Model {
  std::vector<V3> x, v;
  std::vector<double> w;
  std::vector<int> idx;  // 2 per spring
  std::vector<double> rest;
};

constexpr int kGrid = 12;
constexpr int kFree = 5;
constexpr double kKe = 200.0, kKd = 1.0, kDt = 1.0 / 600.0;
constexpr V3 kGravity{0.0, -9.8, 0.0};

Model make_model() {
  Model m;
  const double h = 0.1;
  for (int r = 0; r < kGrid; ++r)
    for (int c = 0; c < kGrid; ++c) {
      m.x.push_back({c * h, 2.0, r * h});
      m.v.push_back({0.0, 0.0, 0.0});
      bool pinned = r == 0 && (c == 0 || c == kGrid - 1);
      m.w.push_back(pinned ? 0.0 : 10.0);
    }
  auto spring = [&](int a, int b) {
    m.idx.push_back(a), m.idx.push_back(b);
    double d2 = 0;
    for (int k = 0; k < 3; ++k) d2 += (m.x[a][k] - m.x[b][k]) * (m.x[a][k] - m.x[b][k]);
    m.rest.push_back(std::sqrt(d2));
  };
  for (int r = 0; r < kGrid; ++r)
    for (int c = 0; c < kGrid; ++c) {
      int p = r * kGrid + c;
      if (c + 1 < kGrid) spring(p, p + 1);
      if (r + 1 < kGrid) spring(p, p + kGrid);
      if (r + 1 < kGrid && c + 1 < kGrid) spring(p, p + kGrid + 1), spring(p + 1, p + kGrid);
    }
  for (int i = 0; i < kFree; ++i) {  // free particles falling onto the ground
    m.x.push_back({3.0 + i, 0.137 + 0.311 * i, 0.0});
    m.v.push_back({0.5, 1.0 - 0.7 * i, -0.25});
    m.w.push_back(1.0 + i);
  }
  return m;
}

void reference_step(Model& m) {
  std::vector<V3> f(m.x.size(), V3{0, 0, 0});
  for (size_t s = 0; s < m.rest.size(); ++s) {
    int i = m.idx[2 * s], j = m.idx[2 * s + 1];
    V3 d, dv;
    for (int k = 0; k < 3; ++k) d[k] = m.x[i][k] - m.x[j][k], dv[k] = m.v[i][k] - m.v[j][k];
    double l = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    if (l < 1e-6) continue;
    double rate = (dv[0] * d[0] + dv[1] * d[1] + dv[2] * d[2]) / l;
    double mag = -kKe * (l - m.rest[s]) - kKd * rate;
    for (int k = 0; k < 3; ++k) f[i][k] += d[k] / l * mag, f[j][k] -= d[k] / l * mag;
  }
  for (size_t i = 0; i < m.x.size(); ++i) {
    if (m.w[i] == 0.0) continue;
    for (int k = 0; k < 3; ++k) {
      m.v[i][k] += (f[i][k] * m.w[i] + kGravity[k]) * kDt;
      m.x[i][k] += m.v[i][k] * kDt;
    }
    if (m.x[i][1] < 0.0) {
      m.x[i][1] = 0.0;
      m.v[i] = {m.v[i][0] * 0.9, -m.v[i][1] * 0.5, m.v[i][2] * 0.9};
    }
  }
}

std::vector<wp::vec3f> to_f(const std::vector<V3>& a) {
  std::vector<wp::vec3f> r;
  for (const V3& v : a) r.push_back(wp::vec3f{{float(v[0]), float(v[1]), float(v[2])}});
  return r;
}
template <class T>
std::vector<T> cast(const std::vector<double>& a) {
  return std::vector<T>(a.begin(), a.end());
}

void check_simulation(run::Check& check, const wp::Device& dev) {
  Model ref = make_model();
  const int n = static_cast<int>(ref.x.size()), springs = static_cast<int>(ref.rest.size());
  auto x = wp::from_host(to_f(ref.x), dev), v = wp::from_host(to_f(ref.v), dev);
  auto f = wp::zeros<wp::vec3f>(n, dev);
  auto w = wp::from_host(cast<float>(ref.w), dev);
  auto idx = wp::from_host(ref.idx, dev);
  auto rest = wp::from_host(cast<float>(ref.rest), dev);
  const wp::vec3f g{{0.0f, -9.8f, 0.0f}};
  const int steps = 300;
  for (int s = 0; s < steps; ++s) {
    springs::eval_springs(springs, x, v, idx, rest, float(kKe), float(kKd), f);
    springs::integrate(n, x, v, f, w, g, float(kDt));
    reference_step(ref);
  }
  auto gx = run::fetch(x), gv = run::fetch(v), gf = run::fetch(f);
  double max_err = 0;
  for (int i = 0; i < n; ++i) {
    double want_x[3] = {ref.x[i][0], ref.x[i][1], ref.x[i][2]};
    double want_v[3] = {ref.v[i][0], ref.v[i][1], ref.v[i][2]};
    check.near_vec(run::at("x", i), gx[i], want_x, 2e-3, 0);
    check.near_vec(run::at("v", i), gv[i], want_v, 2e-2, 0);
    for (int k = 0; k < 3; ++k) max_err = std::max(max_err, std::fabs(gx[i][k] - want_x[k]));
    check.that(run::at("forces cleared", i), gf[i][0] == 0 && gf[i][1] == 0 && gf[i][2] == 0);
  }
  check.eq("pinned corner unchanged", gx[kGrid - 1][0], float(0.1 * (kGrid - 1)));
  bool bounced = true, above = true;
  for (int i = n - kFree; i < n; ++i) bounced = bounced && ref.x[i][1] < 0.3;  // all landed
  for (int i = 0; i < n - kFree; ++i) above = above && ref.x[i][1] > 0.05;
  check.that("the free particles reached the ground in the reference", bounced);
  check.that("the cloth stays above the ground", above);

  auto energy = wp::zeros<double>(1, dev);
  springs::kinetic_energy(n, v, w, energy);
  double want_e = 0;
  for (int i = 0; i < n; ++i)
    if (ref.w[i] > 0)
      want_e += 0.5 * (ref.v[i][0] * ref.v[i][0] + ref.v[i][1] * ref.v[i][1] + ref.v[i][2] * ref.v[i][2]) / ref.w[i];
  check.near("kinetic energy", run::fetch(energy)[0], want_e, 1e-3, 1e-2);
  std::printf("springs: %d particles, %d springs, %d steps, max |x - x_ref| = %.2e\n", n, springs,
              steps, max_err);
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "springs", [](run::Check& check, const wp::Device& dev) {
    check_simulation(check, dev);
  });
}
