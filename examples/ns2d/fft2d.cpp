// fft2d.cpp — Fft2d (contract in fft2d.h): argument checks, the scratch copy that keeps the
// complex-to-real input intact, and the choice of backend by device.
#include "fft2d.h"

#include <string>

namespace flow {

Fft2d::Fft2d(int n, const wp::Device& device) : n_(n), device_(device) {
  if (n < 4 || n % 2 != 0) throw wp::Error("Fft2d: the grid size must be even and at least 4 (got " + std::to_string(n) + ")");
  scratch_ = wp::zeros<wp::vec2>({n, n / 2 + 1}, device);
  backend_ = device.is_cuda() ? make_cufft_backend(n, device) : make_fftw_backend(n);
}

Fft2d::~Fft2d() = default;

void Fft2d::check(const wp::Shape& shape, bool packed, const wp::Device& device, int rows, int cols,
                  const char* what) const {
  if (shape.ndim() != 2 || shape[0] != rows || shape[1] != cols || !packed || device != device_)
    throw wp::Error(std::string("Fft2d: ") + what + " must be a densely packed " + std::to_string(rows) + "x" +
                    std::to_string(cols) + " array on " + device_.str() + " (it has shape " + shape.str() +
                    " on " + device.str() + ")");
}

void Fft2d::forward(const wp::array<float>& x, const wp::array<wp::vec2>& X) {
  check(x.shape(), x.is_contiguous(), x.device(), n_, n_, "the real field");
  check(X.shape(), X.is_contiguous(), X.device(), n_, n_ / 2 + 1, "the spectrum");
  backend_->r2c(x.data(), X.data());
}

void Fft2d::inverse(const wp::array<wp::vec2>& X, const wp::array<float>& x) {
  check(X.shape(), X.is_contiguous(), X.device(), n_, n_ / 2 + 1, "the spectrum");
  check(x.shape(), x.is_contiguous(), x.device(), n_, n_, "the real field");
  wp::copy(scratch_, X);
  backend_->c2r(scratch_.data(), x.data());
}

}  // namespace flow
