// fft2d.h — Fft2d: unnormalised 2-D real FFTs of n×n single-precision fields on one device
// (FFTW on the CPU, cuFFT on a CUDA device), for the ns2d example.
//
// Contract:
//  * Fft2d(n, device): n even and ≥ 4, else wp::Error. Plans are made once here (FFTW:
//    FFTW_ESTIMATE, so construction does not touch any field; cuFFT: on the device). A CUDA device in a build without cuFFT throws wp::Error.
//  * forward(x, X): X = r2c(x) — x is n×n float, X is n×(n/2+1) wp::vec2 (re, im): row ky,
//    column kx, X[ky, kx] = Σ x[i, j] e^{−2πi (ky i + kx j)/n}. x is not modified.
//  * inverse(X, x): x = c2r(X) = Σ over the Hermitian spectrum X stands for, e^{+2πi…}, without
//    the 1/n² (inverse(forward(x)) = n²·x). X is not modified (it is copied into a scratch
//    buffer first: both libraries may overwrite a complex-to-real transform's input).
//  * Arrays must be densely packed, on the Fft2d's device, of exactly those shapes; else
//    wp::Error naming the argument. On a CUDA device the transforms (and the scratch copy)
//    are queued on the device's current stream (wp::get_stream), like the runtime's own work,
//    so a graph capture of that stream records them; on the CPU they are synchronous.
//  * Not copyable; one Fft2d is used by one thread at a time (it owns a scratch buffer).
#pragma once

#include <memory>

#include "wp/wp.h"

namespace flow {

class Fft2d {
 public:
  Fft2d(int n, const wp::Device& device);
  ~Fft2d();
  Fft2d(const Fft2d&) = delete;
  Fft2d& operator=(const Fft2d&) = delete;

  void forward(const wp::array<float>& x, const wp::array<wp::vec2>& X);
  void inverse(const wp::array<wp::vec2>& X, const wp::array<float>& x);

  int n() const { return n_; }
  const wp::Device& device() const { return device_; }

  // The backends (fft2d_fftw.cpp, fft2d_cufft.cpp): raw transforms on packed device pointers.
  struct Backend {
    virtual ~Backend() = default;
    virtual void r2c(float* x, wp::vec2* X) = 0;
    virtual void c2r(wp::vec2* X, float* x) = 0;  // may overwrite X
  };

 private:
  void check(const wp::Shape& shape, bool packed, const wp::Device& device, int rows, int cols,
             const char* what) const;

  int n_;
  wp::Device device_;
  wp::array<wp::vec2> scratch_;
  std::unique_ptr<Backend> backend_;
};

std::unique_ptr<Fft2d::Backend> make_fftw_backend(int n);
std::unique_ptr<Fft2d::Backend> make_cufft_backend(int n, const wp::Device& device);

}  // namespace flow
