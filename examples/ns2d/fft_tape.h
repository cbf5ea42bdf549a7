// fft_tape.h — TapedFft: Fft2d's transforms that record themselves, with their adjoints, on
// the thread's recording wp::Tape (Tape::record_func), so that tape.backward() differentiates
// through them like through a generated launch.
//
// Contract:
//  * forward(x, X) / inverse(X, x): Fft2d::forward / Fft2d::inverse (contract in fft2d.h).
//    When a tape records on this thread (wp::Tape::recording()), each call appends one record
//    ("rfft2" / "irfft2") whose backward ADDS the gradient w.r.t. its input into the input's
//    gradient buffer, read from the output's: for X = r2c(x), x̄ += c2r(H(X̄)); for
//    x = c2r(X), X̄ += D(r2c(x̄)) (H and D: fft_adjoint.wp). Nothing is added when either
//    array has no gradient buffer. The output's gradient is left as it is.
//  * The records keep the arrays and this object's transforms alive (the backward passes can
//    run after the TapedFft is destroyed); the backward passes of the records share one
//    scratch spectrum and field, so two tapes must not run backward at the same time through
//    one TapedFft.
//  * Working memory: scratch_bytes() (the Fft2d's scratch plus the adjoints' spectrum and field).
#pragma once

#include <cstddef>
#include <memory>

#include "fft2d.h"

namespace flow {

class TapedFft {
 public:
  TapedFft(int n, const wp::Device& device);

  void forward(const wp::array<float>& x, const wp::array<wp::vec2>& X);
  void inverse(const wp::array<wp::vec2>& X, const wp::array<float>& x);

  int n() const;
  const wp::Device& device() const;
  std::size_t scratch_bytes() const;

 private:
  struct State;
  std::shared_ptr<State> s_;
};

}  // namespace flow
