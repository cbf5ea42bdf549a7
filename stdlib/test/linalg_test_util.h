// linalg_test_util.h — helpers shared by the stdlib-a2 tests (vector, matrix, quat, transform,
// spatial): random values, component access of value types, and a central-difference gradient
// check for adjoints.
//
// Contract: value types of double are viewed as flat arrays of doubles (their layout is plain
// doubles, static_asserted in wp/types.h). expect_gradient(x, adj_x, loss) compares adj_x with
// the central-difference gradient of loss at x, component by component.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "wp/builtins.h"

namespace a2test {

template <class X>
constexpr int ncomp() {
  return static_cast<int>(sizeof(X) / sizeof(double));
}
template <class X>
double* comps(X& x) {
  return reinterpret_cast<double*>(&x);
}
template <class X>
const double* comps(const X& x) {
  return reinterpret_cast<const double*>(&x);
}

// Sum of component products (the loss <g, y> of a random adjoint g).
template <class Y>
double inner(const Y& a, const Y& b) {
  double s = 0.0;
  for (int i = 0; i < ncomp<Y>(); ++i) s += comps(a)[i] * comps(b)[i];
  return s;
}

struct Rng {
  std::mt19937 gen{12345u};
  double uniform(double lo = -1.0, double hi = 1.0) { return std::uniform_real_distribution<double>(lo, hi)(gen); }
  template <class X>
  X fill(double lo = -1.0, double hi = 1.0) {
    X x{};
    for (int i = 0; i < ncomp<X>(); ++i) comps(x)[i] = uniform(lo, hi);
    return x;
  }
  wp::quatd unit_quat() {
    wp::quatd q = fill<wp::quatd>();
    double l = std::sqrt(q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w);
    return wp::quatd{q.x / l, q.y / l, q.z / l, q.w / l};
  }
};

template <class X>
X zero() {
  X x{};
  for (int i = 0; i < ncomp<X>(); ++i) comps(x)[i] = 0.0;
  return x;
}

// adj must be the gradient of loss at x.
template <class X, class F>
void expect_gradient(const X& x, const X& adj, F loss, double tol = 1e-6, const char* what = "") {
  const double h = 1e-6;
  for (int i = 0; i < ncomp<X>(); ++i) {
    X xp = x, xm = x;
    comps(xp)[i] += h;
    comps(xm)[i] -= h;
    const double fd = (loss(xp) - loss(xm)) / (2 * h);
    EXPECT_NEAR(comps(adj)[i], fd, tol * (1.0 + std::fabs(fd))) << what << " component " << i;
  }
}

template <class A, class B>
void expect_near_all(const A& a, const B& b, double tol, const char* what = "") {
  static_assert(sizeof(A) == sizeof(B));
  for (int i = 0; i < ncomp<A>(); ++i) EXPECT_NEAR(comps(a)[i], comps(b)[i], tol) << what << " component " << i;
}

}  // namespace a2test
