// wp/optim.h — gradient-descent optimisers over lists of arrays, like Warp's warp.optim:
// wp::optim::SGD (momentum, dampening, Nesterov, weight decay) and wp::optim::Adam. Their
// update kernels are .wp kernels compiled by warpc into the runtime (runtime/kernels/
// optim_kernels.wp), for the CPU and for CUDA; docs/runtime.md ("Optimisers") shows them in use.
//
// Contract:
//  * A Param is any wp::array<T> whose elements are float32 or float64 scalars, vectors,
//    matrices, quaternions or transforms (other element types do not compile). It must be
//    densely packed and have a gradient buffer (wp::requires_grad); the optimiser's constructor
//    throws wp::Error naming the optimiser and the parameter's index otherwise. The optimiser
//    keeps the array's memory alive and updates its elements in place, as flat scalars.
//  * step() applies one update to every parameter from its gradient buffer (.grad(), read as
//    it is when step() runs; step() does not zero it) on the parameter's own device (CPU:
//    synchronous; CUDA: on the legacy default stream, ordered with the runtime's copies and the
//    launches that use it). Parameters may live on different devices.
//  * SGD (per element, g the gradient, p the parameter, b the momentum buffer):
//      d = g + weight_decay·p; with momentum > 0: b = d at the first step that uses momentum
//      (since construction or reset()), afterwards b = momentum·b + (1 − dampening)·d, and
//      d = d + momentum·b (nesterov) or d = b; p = p − lr·d.
//  * Adam (step t = 1, 2, …; m, v start at 0):
//      m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g², p = p − lr·m̂ / (sqrt(v̂) + eps) with
//      m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t).
//  * The hyperparameters are public fields and may change between steps (a learning-rate
//    schedule). step() checks them and throws wp::Error for a value out of range: lr,
//    momentum, weight_decay, eps ≥ 0; dampening in [0, 1]; betas in [0, 1); nesterov needs
//    momentum > 0 and dampening 0. A float64 parameter is updated with the hyperparameters
//    converted to double; derived constants (1 − β^t …) are computed in double.
//  * reset() forgets the state (momentum buffers, moments, the step count); the next step()
//    is a first step again. step_count() is the number of steps taken since construction or
//    the last reset().
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "wp/array.h"
#include "wp/device.h"
#include "wp/types.h"

namespace wp::optim {

namespace detail {

// The scalar type of an element type the optimisers accept (void: not accepted).
template <typename T>
struct scalar_of {
  using type = void;
};
template <>
struct scalar_of<float> {
  using type = float;
};
template <>
struct scalar_of<double> {
  using type = double;
};
template <int N, typename S>
struct scalar_of<vec_t<N, S>> : scalar_of<S> {};
template <int R, int C, typename S>
struct scalar_of<mat_t<R, C, S>> : scalar_of<S> {};
template <typename S>
struct scalar_of<quat_t<S>> : scalar_of<S> {};
template <typename S>
struct scalar_of<transform_t<S>> : scalar_of<S> {};

// A flat, non-owning view of float32 or float64 elements: exactly one of f32 / f64 is set
// (both are null handles for an empty parameter).
struct Flat {
  array<float> f32;
  array<double> f64;
};

}  // namespace detail

// One parameter array seen as flat scalars (implicitly built from a wp::array<T>).
class Param {
 public:
  template <typename T>
  Param(const array<T>& a)  // NOLINT: implicit on purpose ({x, v} lists)
      : keep_(std::make_shared<array<T>>(a)), device_(a.device()), count_(a.size() * kScalars<T>) {
    using S = typename detail::scalar_of<T>::type;
    static_assert(std::is_same_v<S, float> || std::is_same_v<S, double>,
                  "wp::optim: parameters must be arrays of float32 or float64 scalars, vectors, matrices, "
                  "quaternions or transforms");
    if (!a.is_contiguous())
      problem_ = "is not densely packed (give a contiguous array)";
    else if (a.size() > 0 && !a.grad())
      problem_ = "has no gradient buffer (create it with wp::requires_grad)";
    if (!problem_.empty() || count_ == 0) return;
    S* data = reinterpret_cast<S*>(a.data());
    S* grad = reinterpret_cast<S*>(a.grad());
    set_views(array<S>(data, Shape{count_}, device_), array<S>(grad, Shape{count_}, device_));
  }

  int64_t size() const { return count_; }  // the number of scalars
  bool is_float64() const { return value_.f64.data() != nullptr; }
  const Device& device() const { return device_; }
  const std::string& problem() const { return problem_; }  // empty when usable
  const detail::Flat& value() const { return value_; }
  const detail::Flat& grad() const { return grad_; }

 private:
  template <typename T>
  static constexpr int64_t kScalars = int64_t(sizeof(T) / sizeof(typename detail::scalar_of<T>::type));
  void set_views(array<float> v, array<float> g) { value_.f32 = v, grad_.f32 = g; }
  void set_views(array<double> v, array<double> g) { value_.f64 = v, grad_.f64 = g; }

  std::shared_ptr<void> keep_;
  Device device_;
  int64_t count_;
  std::string problem_;
  detail::Flat value_, grad_;
};

class SGD {
 public:
  explicit SGD(std::vector<Param> params, float lr = 0.001f, float momentum = 0.0f, float dampening = 0.0f,
               float weight_decay = 0.0f, bool nesterov = false);
  void step();
  void reset();
  int64_t step_count() const { return t_; }
  const std::vector<Param>& params() const { return params_; }

  float lr, momentum, dampening, weight_decay;
  bool nesterov;

 private:
  std::vector<Param> params_;
  std::vector<detail::Flat> buffers_;  // momentum buffers (allocated at the first step with momentum)
  int64_t t_ = 0;
};

class Adam {
 public:
  explicit Adam(std::vector<Param> params, float lr = 0.001f, std::array<float, 2> betas = {0.9f, 0.999f},
                float eps = 1e-8f);
  void step();
  void reset();
  int64_t step_count() const { return t_; }
  const std::vector<Param>& params() const { return params_; }

  float lr;
  std::array<float, 2> betas;
  float eps;

 private:
  std::vector<Param> params_;
  std::vector<detail::Flat> m_, v_;  // first and second moments
  int64_t t_ = 0;
};

}  // namespace wp::optim
