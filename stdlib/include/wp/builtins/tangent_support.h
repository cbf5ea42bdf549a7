// wp/builtins/tangent_support.h — what generated forward-mode (JVP) code calls: tangents of
// builtins through their adjoints.
//
// Contract:
//  * Float scalars, vectors, matrices, quaternions and transforms are viewed as a flat run of
//    tangent_size<T>() scalars (component order of their storage): tangent_at(v, k) is the
//    k-th one (a reference), tangent_unit<T>(k) the value with a 1 there and 0 elsewhere,
//    tangent_dot(a, b) Σ a_k·b_k accumulated in float (double for double) and converted to
//    the scalar type.
//  * A builtin's tangent through its adjoint (docs/autodiff.md, "Forward mode"): for each
//    result component k, the adjoint of the unit e_k gives row k of the Jacobian, and
//    ṙ_k = Σ_i ⟨adj_i, ṫ_i⟩. Generated code loops over k (one adjoint call each).
#pragma once

#include "wp/builtins/core.h"
#include "wp/builtins/kernel_support.h"

namespace wp {

namespace detail {
template <typename T>
struct TangentTraits {
  using Scalar = T;
  static constexpr int size = 1;
};
template <int N, typename T>
struct TangentTraits<vec_t<N, T>> {
  using Scalar = T;
  static constexpr int size = N;
};
template <int R, int C, typename T>
struct TangentTraits<mat_t<R, C, T>> {
  using Scalar = T;
  static constexpr int size = R * C;
};
template <typename T>
struct TangentTraits<quat_t<T>> {
  using Scalar = T;
  static constexpr int size = 4;
};
template <typename T>
struct TangentTraits<transform_t<T>> {
  using Scalar = T;
  static constexpr int size = 7;
};
template <typename S>
struct TangentAcc {
  using type = float;
};
template <>
struct TangentAcc<double> {
  using type = double;
};
}  // namespace detail

template <typename T>
WP_HD constexpr int tangent_size() {
  return detail::TangentTraits<T>::size;
}

template <typename T>
WP_HD typename detail::TangentTraits<T>::Scalar& tangent_at(T& v, int k) {
  static_assert(sizeof(T) == sizeof(typename detail::TangentTraits<T>::Scalar) * detail::TangentTraits<T>::size,
                "tangent view: T is a dense run of scalars");
  return reinterpret_cast<typename detail::TangentTraits<T>::Scalar*>(&v)[k];
}

template <typename T>
WP_HD T tangent_unit(int k) {
  using S = typename detail::TangentTraits<T>::Scalar;
  T v{};
  tangent_at(v, k) = S(1.0f);
  return v;
}

// ⟨a, b⟩ over the components (a: an adjoint slot, b: a tangent of the same type). Integer
// slots (non-differentiable arguments) never reach here: generated code skips them.
template <typename T>
WP_HD typename detail::TangentTraits<T>::Scalar tangent_dot(const T& a, const T& b) {
  using S = typename detail::TangentTraits<T>::Scalar;
  using Acc = typename detail::TangentAcc<S>::type;
  Acc acc = Acc(0);
  T ca = a, cb = b;
  for (int k = 0; k < tangent_size<T>(); ++k)
    acc += static_cast<Acc>(tangent_at(ca, k)) * static_cast<Acc>(tangent_at(cb, k));
  return S(acc);
}

}  // namespace wp
