// solver.h — the ns2d time step: one SSP-RK3 step of the vorticity equation on a periodic
// n×n grid of [0, 2π)² (kernels in ns2d.wp, Poisson solves through TapedFft).
//
// Contract:
//  * Params{n, nu, dt}: h() = 2π/n.
//  * StepWork(n, device, requires_grad): the three stages' spectra (ω̂, ψ̂: n×(n/2+1) vec2),
//    streamfunctions ψ (n×n) and the two intermediate stage fields; bytes() is their size
//    (doubled with gradients).
//  * poisson_solve(p, fft, omega, omega_hat, psi_hat, psi): ψ with ∇²ψ = −ω (5-point
//    Laplacian, zero mean) — fft.forward, ns2d::poisson, fft.inverse.
//  * step(p, fft, omega, work, next): next = ω after one step of dt. omega, next and the arrays
//    of work must be distinct; omega is only read. Everything is a kernel launch or a TapedFft
//    call on omega's device, so the step records itself on a recording wp::Tape; taped steps
//    need a fresh StepWork and next per step (the backward pass reads what each step wrote).
//    On the GPU the step is asynchronous and does no allocation.
//  * enstrophy(omega, h) = ½ Σ ω² h² and max_speed(psi, h) = max |∇ψ| (central differences),
//    computed on the host (they copy the field).
#pragma once

#include <cstddef>

#include "fft_tape.h"

namespace flow {

struct Params {
  int n = 0;
  float nu = 0.0f, dt = 0.0f;
  float h() const;
};

struct Stage {
  wp::array<wp::vec2> omega_hat, psi_hat;
  wp::array<float> psi, out;  // out: the stage's result (unused in the last stage: `next`)
};

struct StepWork {
  StepWork(int n, const wp::Device& device, bool requires_grad);
  Stage stage[3];
  std::size_t bytes() const;
};

void poisson_solve(const Params& p, TapedFft& fft, const wp::array<float>& omega, const Stage& s);
void step(const Params& p, TapedFft& fft, const wp::array<float>& omega, StepWork& work,
          const wp::array<float>& next);

double enstrophy(const wp::array<float>& omega, float h);
double max_speed(const wp::array<float>& psi, float h);

}  // namespace flow
