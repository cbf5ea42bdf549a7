// optim.cpp — wp::optim::SGD and wp::optim::Adam (wp/optim.h): parameter checks, state
// allocation, hyperparameter checks and one launch of the generated update kernel
// (optim_kernels.wp, namespace wp::optim::kernels) per parameter and step.
#include "wp/optim.h"

#include <cmath>
#include <string>

#include "optim_kernels.wp.h"
#include "wp/error.h"

namespace wp::optim {
namespace {

void check_params(const char* optimiser, const std::vector<Param>& params) {
  for (size_t i = 0; i < params.size(); ++i)
    if (!params[i].problem().empty())
      throw Error(std::string(optimiser) + ": parameter " + std::to_string(i) + " " + params[i].problem());
}

void check_range(const char* optimiser, const char* name, float value, bool ok, const char* accepted) {
  if (!ok || std::isnan(value))
    throw Error(std::string(optimiser) + ": " + name + " = " + std::to_string(value) + " is out of range (" +
                accepted + ")");
}

// A zero-filled buffer shaped like parameter p's flat view, on its device.
detail::Flat zeros_like(const Param& p) {
  detail::Flat f;
  if (p.size() == 0) return f;
  if (p.is_float64())
    f.f64 = zeros<double>(Shape{p.size()}, p.device());
  else
    f.f32 = zeros<float>(Shape{p.size()}, p.device());
  return f;
}

std::vector<detail::Flat> zeros_like(const std::vector<Param>& params) {
  std::vector<detail::Flat> out;
  for (const Param& p : params) out.push_back(zeros_like(p));
  return out;
}

}  // namespace

SGD::SGD(std::vector<Param> params, float lr_, float momentum_, float dampening_, float weight_decay_,
         bool nesterov_)
    : lr(lr_),
      momentum(momentum_),
      dampening(dampening_),
      weight_decay(weight_decay_),
      nesterov(nesterov_),
      params_(std::move(params)) {
  check_params("SGD", params_);
}

void SGD::step() {
  check_range("SGD", "lr", lr, lr >= 0.0f, "≥ 0");
  check_range("SGD", "momentum", momentum, momentum >= 0.0f, "≥ 0");
  check_range("SGD", "dampening", dampening, dampening >= 0.0f && dampening <= 1.0f, "0 to 1");
  check_range("SGD", "weight_decay", weight_decay, weight_decay >= 0.0f, "≥ 0");
  if (nesterov && (momentum <= 0.0f || dampening != 0.0f))
    throw Error("SGD: nesterov needs momentum > 0 and dampening = 0 (momentum = " + std::to_string(momentum) +
                ", dampening = " + std::to_string(dampening) + ")");
  const bool use_momentum = momentum > 0.0f;
  const bool first = buffers_.empty();  // no momentum step taken since construction or reset()
  if (use_momentum && first) buffers_ = zeros_like(params_);
  const double keep = 1.0 - double(dampening);
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    if (p.size() == 0) continue;
    const array<float> b32 = use_momentum ? buffers_[i].f32 : array<float>{};
    const array<double> b64 = use_momentum ? buffers_[i].f64 : array<double>{};
    if (p.is_float64())
      kernels::sgd_step_f64(p.size(), p.value().f64, p.grad().f64, b64, lr, momentum, keep, weight_decay,
                            use_momentum, nesterov, first);
    else
      kernels::sgd_step_f32(p.size(), p.value().f32, p.grad().f32, b32, lr, momentum, float(keep),
                            weight_decay, use_momentum, nesterov, first);
  }
  ++t_;
}

void SGD::reset() {
  buffers_.clear();
  t_ = 0;
}

Adam::Adam(std::vector<Param> params, float lr_, std::array<float, 2> betas_, float eps_)
    : lr(lr_), betas(betas_), eps(eps_), params_(std::move(params)) {
  check_params("Adam", params_);
}

void Adam::step() {
  check_range("Adam", "lr", lr, lr >= 0.0f, "≥ 0");
  check_range("Adam", "betas[0]", betas[0], betas[0] >= 0.0f && betas[0] < 1.0f, "0 ≤ beta < 1");
  check_range("Adam", "betas[1]", betas[1], betas[1] >= 0.0f && betas[1] < 1.0f, "0 ≤ beta < 1");
  check_range("Adam", "eps", eps, eps >= 0.0f, "≥ 0");
  if (m_.empty()) m_ = zeros_like(params_), v_ = zeros_like(params_);
  ++t_;
  const double b1 = betas[0], b2 = betas[1];
  const double c1 = 1.0 - std::pow(b1, double(t_)), c2 = 1.0 - std::pow(b2, double(t_));
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    if (p.size() == 0) continue;
    if (p.is_float64())
      kernels::adam_step_f64(p.size(), p.value().f64, p.grad().f64, m_[i].f64, v_[i].f64, lr, b1, 1.0 - b1,
                             b2, 1.0 - b2, eps, c1, c2);
    else
      kernels::adam_step_f32(p.size(), p.value().f32, p.grad().f32, m_[i].f32, v_[i].f32, lr, float(b1),
                             float(1.0 - b1), float(b2), float(1.0 - b2), eps, float(c1), float(c2));
  }
}

void Adam::reset() {
  m_.clear();
  v_.clear();
  t_ = 0;
}

}  // namespace wp::optim
