// solver.cpp — the ns2d time step (contract in solver.h): Shu–Osher SSP-RK3, each stage a
// Poisson solve and one rk_stage launch.
#include "solver.h"

#include <algorithm>
#include <cmath>

#include "ns2d.wp.h"

namespace flow {

float Params::h() const { return 2.0f * float(M_PI) / float(n); }

StepWork::StepWork(int n, const wp::Device& device, bool requires_grad) {
  for (Stage& s : stage) {
    s.omega_hat = wp::zeros<wp::vec2>({n, n / 2 + 1}, wp::on(device), wp::requires_grad(requires_grad));
    s.psi_hat = wp::zeros<wp::vec2>({n, n / 2 + 1}, wp::on(device), wp::requires_grad(requires_grad));
    s.psi = wp::zeros<float>({n, n}, wp::on(device), wp::requires_grad(requires_grad));
  }
  for (int k = 0; k < 2; ++k) stage[k].out = wp::zeros<float>({n, n}, wp::on(device), wp::requires_grad(requires_grad));
}

std::size_t StepWork::bytes() const {
  std::size_t total = 0;
  auto add = [&](const auto& a) {
    if (a.empty()) return;
    total += std::size_t(a.size()) * sizeof(*a.data()) * (a.grad() ? 2 : 1);
  };
  for (const Stage& s : stage) add(s.omega_hat), add(s.psi_hat), add(s.psi), add(s.out);
  return total;
}

void poisson_solve(const Params& p, TapedFft& fft, const wp::array<float>& omega, const Stage& s) {
  fft.forward(omega, s.omega_hat);
  const float scale = 1.0f / (float(p.n) * float(p.n));
  ns2d::poisson(wp::Dim{p.n, p.n / 2 + 1}, s.omega_hat, p.h(), scale, s.psi_hat);
  fft.inverse(s.psi_hat, s.psi);
}

void step(const Params& p, TapedFft& fft, const wp::array<float>& omega, StepWork& work,
          const wp::array<float>& next) {
  static constexpr float kA[3] = {0.0f, 0.75f, 1.0f / 3.0f}, kB[3] = {1.0f, 0.25f, 2.0f / 3.0f};
  const wp::Dim dim{p.n, p.n};
  wp::array<float> current = omega;
  for (int k = 0; k < 3; ++k) {
    const Stage& s = work.stage[k];
    poisson_solve(p, fft, current, s);
    const wp::array<float>& out = k == 2 ? next : s.out;
    ns2d::rk_stage(dim, omega, current, s.psi, kA[k], kB[k], p.dt, p.nu, p.h(), out);
    current = out;
  }
}

double enstrophy(const wp::array<float>& omega, float h) {
  double z = 0;
  for (float w : omega.to_host()) z += double(w) * w;
  return 0.5 * z * double(h) * h;
}

double max_speed(const wp::array<float>& psi, float h) {
  const std::vector<float> f = psi.to_host();
  const int n = psi.shape(0);
  double best = 0;
  auto at = [&](int i, int j) { return double(f[std::size_t((i + n) % n) * n + (j + n) % n]); };
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const double u = (at(i + 1, j) - at(i - 1, j)) / (2 * h), v = (at(i, j + 1) - at(i, j - 1)) / (2 * h);
      best = std::max(best, std::sqrt(u * u + v * v));
    }
  return best;
}

}  // namespace flow
