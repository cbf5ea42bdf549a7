// lbfgs_util.h — a thin C++ front for liblbfgs (Debian liblbfgs-dev, libLBFGS 1.10: limited-memory
// BFGS with a More-Thuente line search), for the examples that optimise a few parameters
// (trajectory_opt, spring_cage).
//
// Contract:
//  * minimize_lbfgs(x, evaluate, progress, max_iterations) minimises f from the start point x
//    (updated in place to the best point found). evaluate(x, grad) returns f(x) and writes ∇f(x)
//    into grad (both of x's size); it is called for every line-search trial. progress(k, x, f)
//    is called after each accepted iteration k = 1, 2, … with that iterate and its value
//    (liblbfgs's line search only accepts points with sufficient decrease, so these values
//    decrease); returning false stops the run.
//  * The result holds liblbfgs's status code, its name (lbfgs_status_name), the number of
//    iterations and of evaluations, and f at the final point. Convergence, an already-minimal
//    start, a stop from progress and reaching max_iterations are the successful statuses
//    (LbfgsResult::ok()); a line search that finds no decrease (float round-off near the
//    minimum) is reported but not thrown — the caller decides.
//  * An exception thrown by evaluate or progress propagates to the caller after liblbfgs's
//    memory is freed.
#pragma once

#include <lbfgs.h>

#include <exception>
#include <functional>
#include <string>
#include <vector>

namespace example {

struct LbfgsResult {
  int status = 0;
  std::string status_name;
  int iterations = 0, evaluations = 0;
  double f = 0;
  bool ok() const {
    return status == LBFGS_SUCCESS || status == LBFGS_ALREADY_MINIMIZED || status == LBFGS_STOP ||
           status == LBFGSERR_MAXIMUMITERATION;
  }
};

inline std::string lbfgs_status_name(int status) {
  switch (status) {
    case LBFGS_SUCCESS:
      return "converged";
    case LBFGS_STOP:
      return "stopped";
    case LBFGS_ALREADY_MINIMIZED:
      return "already minimal";
    case LBFGSERR_MAXIMUMITERATION:
      return "iteration limit reached";
    case LBFGSERR_ROUNDING_ERROR:
      return "rounding errors prevent further progress";
    case LBFGSERR_MAXIMUMLINESEARCH:
      return "line search: evaluation limit reached";
    case LBFGSERR_MINIMUMSTEP:
      return "line search: step below the minimum";
    case LBFGSERR_MAXIMUMSTEP:
      return "line search: step above the maximum";
    case LBFGSERR_INCREASEGRADIENT:
      return "line search: the gradient increased (no descent)";
    default:
      return "liblbfgs error " + std::to_string(status);
  }
}

using LbfgsEvaluate = std::function<double(const std::vector<double>& x, std::vector<double>& grad)>;
using LbfgsProgress = std::function<bool(int iteration, const std::vector<double>& x, double f)>;

namespace detail {

struct LbfgsState {
  LbfgsEvaluate evaluate;
  LbfgsProgress progress;
  std::vector<double> x, g;
  int evaluations = 0;
  std::exception_ptr error;
};

inline lbfgsfloatval_t lbfgs_evaluate(void* instance, const lbfgsfloatval_t* x, lbfgsfloatval_t* g,
                                      const int n, const lbfgsfloatval_t) {
  auto& s = *static_cast<LbfgsState*>(instance);
  if (s.error) return 0;  // (an earlier callback threw: liblbfgs is stopping)
  try {
    s.x.assign(x, x + n);
    const double f = s.evaluate(s.x, s.g);
    for (int i = 0; i < n; ++i) g[i] = s.g[static_cast<std::size_t>(i)];
    ++s.evaluations;
    return f;
  } catch (...) {
    s.error = std::current_exception();
    for (int i = 0; i < n; ++i) g[i] = 0;
    return 0;
  }
}

inline int lbfgs_progress(void* instance, const lbfgsfloatval_t* x, const lbfgsfloatval_t*,
                          const lbfgsfloatval_t fx, const lbfgsfloatval_t, const lbfgsfloatval_t,
                          const lbfgsfloatval_t, int n, int k, int) {
  auto& s = *static_cast<LbfgsState*>(instance);
  if (s.error) return 1;
  try {
    return s.progress(k, std::vector<double>(x, x + n), fx) ? 0 : 1;
  } catch (...) {
    s.error = std::current_exception();
    return 1;
  }
}

}  // namespace detail

inline LbfgsResult minimize_lbfgs(std::vector<double>& x, LbfgsEvaluate evaluate, LbfgsProgress progress,
                                  int max_iterations) {
  const int n = static_cast<int>(x.size());
  int iterations = 0;
  LbfgsProgress counting = [&iterations, user = std::move(progress)](int k, const std::vector<double>& xk,
                                                                     double f) {
    iterations = k;
    return user(k, xk, f);
  };
  detail::LbfgsState state{
      std::move(evaluate), std::move(counting), {}, std::vector<double>(x.size()), 0, {}};
  lbfgs_parameter_t param;
  lbfgs_parameter_init(&param);
  param.max_iterations = max_iterations;
  lbfgsfloatval_t* buffer = lbfgs_malloc(n);
  for (int i = 0; i < n; ++i) buffer[i] = x[static_cast<std::size_t>(i)];
  lbfgsfloatval_t fx = 0;
  const int status = lbfgs(n, buffer, &fx, detail::lbfgs_evaluate, detail::lbfgs_progress, &state, &param);
  for (int i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = buffer[i];
  lbfgs_free(buffer);
  if (state.error) std::rethrow_exception(state.error);
  return {status, lbfgs_status_name(status), iterations, state.evaluations, fx};
}

}  // namespace example
