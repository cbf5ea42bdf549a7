// fft_tape.cpp — TapedFft (contract in fft_tape.h): the transforms, and their adjoints
// recorded with wp::Tape::record_func.
#include "fft_tape.h"

#include "fft_adjoint.wp.h"

namespace flow {

struct TapedFft::State {
  State(int n, const wp::Device& device)
      : fft(n, device),
        spectrum(wp::zeros<wp::vec2>({n, n / 2 + 1}, device)),
        field(wp::zeros<float>({n, n}, device)) {}
  Fft2d fft;
  wp::array<wp::vec2> spectrum;  // the adjoints' scratch
  wp::array<float> field;
};

TapedFft::TapedFft(int n, const wp::Device& device) : s_(std::make_shared<State>(n, device)) {}

int TapedFft::n() const { return s_->fft.n(); }
const wp::Device& TapedFft::device() const { return s_->fft.device(); }

std::size_t TapedFft::scratch_bytes() const {
  const std::size_t n = std::size_t(s_->fft.n()), half = n * (n / 2 + 1);
  return 2 * half * sizeof(wp::vec2) + n * n * sizeof(float);
}

void TapedFft::forward(const wp::array<float>& x, const wp::array<wp::vec2>& X) {
  s_->fft.forward(x, X);
  wp::Tape* tape = wp::Tape::recording();
  if (!tape) return;
  std::shared_ptr<State> s = s_;
  tape->record_func("rfft2", [s, x, X] {
    if (!x.grad() || !X.grad()) return;
    const int n = s->fft.n();
    fft_adjoint::r2c_adjoint_weights(wp::Dim{n, n / 2 + 1}, X.grad_array(), s->spectrum);
    s->fft.inverse(s->spectrum, s->field);
    fft_adjoint::accumulate(wp::Dim{n, n}, s->field, x.grad_array());
  }, {wp::tape_ref(x)}, {wp::tape_ref(X)});
}

void TapedFft::inverse(const wp::array<wp::vec2>& X, const wp::array<float>& x) {
  s_->fft.inverse(X, x);
  wp::Tape* tape = wp::Tape::recording();
  if (!tape) return;
  std::shared_ptr<State> s = s_;
  tape->record_func("irfft2", [s, x, X] {
    if (!x.grad() || !X.grad()) return;
    const int n = s->fft.n();
    s->fft.forward(x.grad_array(), s->spectrum);
    fft_adjoint::accumulate_c2r_adjoint(wp::Dim{n, n / 2 + 1}, s->spectrum, X.grad_array());
  }, {wp::tape_ref(X)}, {wp::tape_ref(x)});
}

}  // namespace flow
