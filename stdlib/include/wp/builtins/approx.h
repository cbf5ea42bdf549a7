// wp/builtins/approx.h — Warp's "approximate" variants of exact operations and the bit cast:
// div_approx, inverse_approx (with adjoints) and cast (no adjoint).
//
// Contract:
//  * div_approx(a, b) is div(a, b) for every form the table lists (scalar / scalar, vector,
//    matrix or quaternion by a scalar and a scalar by each component). Warp computes it with
//    exact division on the CPU and may use fast-math intrinsics on CUDA; warpc uses exact
//    division on both, so its results are those of `/` (a permitted "approximation").
//  * inverse_approx(m) is inverse(m) (2x2, 3x3, 4x4), on CPU and CUDA; adjoints are those of
//    div and inverse.
//  * cast<To>(a) reinterprets the bytes of `a` as a `To` of the same size (sema checks the
//    sizes); no gradient flows through it (Warp's is_differentiable=False).
#pragma once

#include <cstring>

#include "wp/builtins/matrix.h"
#include "wp/builtins/operators.h"

namespace wp {

template <typename A, typename B>
WP_HD auto div_approx(const A& a, const B& b) {
  return div(a, b);
}

template <typename A, typename B, typename R>
WP_HD void adj_div_approx(const A& a, const B& b, A& adj_a, B& adj_b, const R& adj_ret) {
  adj_div(a, b, adj_a, adj_b, adj_ret);
}

template <int N, typename T>
WP_HD mat_t<N, N, T> inverse_approx(const mat_t<N, N, T>& a) {
  return inverse(a);
}

template <int N, typename T>
WP_HD void adj_inverse_approx(const mat_t<N, N, T>& a, mat_t<N, N, T>& adj_a, const mat_t<N, N, T>& adj_ret) {
  adj_inverse(a, adj_a, adj_ret);
}

template <typename To, typename From>
WP_HD To cast(const From& a) {
  static_assert(sizeof(To) == sizeof(From), "cast keeps the size of the value");
  To r;
  memcpy(&r, &a, sizeof(To));
  return r;
}

}  // namespace wp
