// gradient_check.h — central-difference checks of the adj_* functions (stdlib-a1 tests).
//
// Contract: check_gradient(what, fwd, adj, args...) with double-valued arguments (scalars or
// value types) runs
//   adj(args..., adj_args..., g)   with adj_args preset to 0.25 in every component and g a
//                                  fixed pseudo-random adjoint of the result,
// then expects each adj_arg component to equal 0.25 + ∂⟨g, fwd(args...)⟩/∂arg (central
// differences, step 1e-6, tolerance tol·(1 + |fd|)): that is, the adjoint is correct and
// ACCUMULATES. Arguments listed in `skip` (a bit mask by position) are not checked (e.g.
// conditions, integer arguments).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <tuple>
#include <utility>

#include "wp/builtins.h"

namespace a1test {

template <typename V>
V filled(double value) {
  V v{};
  for (int k = 0; k < wp::component_count_v<V>; ++k) wp::component(v, k) = value;
  return v;
}

template <typename V>
V pseudo_random(int salt) {
  V v{};
  for (int k = 0; k < wp::component_count_v<V>; ++k) wp::component(v, k) = std::sin(1.7 * (k + 1) + 0.9 * salt) * 1.3;
  return v;
}

template <typename V>
double inner(const V& a, const V& b) {
  double s = 0;
  for (int k = 0; k < wp::component_count_v<V>; ++k) s += double(wp::component(a, k)) * double(wp::component(b, k));
  return s;
}

struct GradientCheck {
  const char* what;
  double tol = 1e-6;
  unsigned skip = 0;

  template <typename Fwd, typename Adj, typename... A>
  void run(Fwd fwd, Adj adj, const A&... args) const {
    run_impl(fwd, adj, std::index_sequence_for<A...>{}, std::tuple<A...>(args...));
  }

 private:
  template <typename Fwd, typename Adj, size_t... I, typename... A>
  void run_impl(Fwd fwd, Adj adj, std::index_sequence<I...>, const std::tuple<A...>& args) const {
    using R = decltype(fwd(std::get<I>(args)...));
    const R g = pseudo_random<R>(7);
    std::tuple<A...> adjs(filled<A>(0.25)...);
    adj(std::get<I>(args)..., std::get<I>(adjs)..., g);
    auto loss = [&](const std::tuple<A...>& a) { return inner(g, fwd(std::get<I>(a)...)); };
    (check_arg<I>(args, std::get<I>(adjs), loss), ...);
  }

  template <size_t I, typename Tuple, typename X, typename Loss>
  void check_arg(const Tuple& args, const X& adj_x, Loss loss) const {
    if (skip & (1u << I)) return;
    const double h = 1e-6;
    for (int k = 0; k < wp::component_count_v<X>; ++k) {
      Tuple plus = args, minus = args;
      wp::component(std::get<I>(plus), k) += h;
      wp::component(std::get<I>(minus), k) -= h;
      const double fd = (loss(plus) - loss(minus)) / (2 * h);
      EXPECT_NEAR(double(wp::component(adj_x, k)) - 0.25, fd, tol * (1 + std::fabs(fd)))
          << what << ": argument " << I << " component " << k;
    }
  }
};

}  // namespace a1test
