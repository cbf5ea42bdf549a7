// fft2d_fftw.cpp — the CPU backend of Fft2d: single-precision FFTW plans (FFTW_ESTIMATE, made
// on throwaway aligned buffers) executed on the caller's arrays through FFTW's new-array
// interface (the runtime's host arrays are 64-byte aligned, as FFTW's SIMD plans need), on
// every core of the machine (FFTW's threads).
#include <fftw3.h>

#include <mutex>
#include <thread>

#include "fft2d.h"

namespace flow {
namespace {

class FftwBackend final : public Fft2d::Backend {
 public:
  explicit FftwBackend(int n) {
    static std::mutex planner;  // FFTW's planner is not thread-safe
    std::lock_guard<std::mutex> lock(planner);
    static const bool threads = fftwf_init_threads() != 0;
    if (threads) fftwf_plan_with_nthreads(int(std::max(1u, std::thread::hardware_concurrency())));
    float* x = fftwf_alloc_real(size_t(n) * n);
    fftwf_complex* X = fftwf_alloc_complex(size_t(n) * (n / 2 + 1));
    r2c_ = fftwf_plan_dft_r2c_2d(n, n, x, X, FFTW_ESTIMATE);
    c2r_ = fftwf_plan_dft_c2r_2d(n, n, X, x, FFTW_ESTIMATE);
    fftwf_free(x);
    fftwf_free(X);
    if (!r2c_ || !c2r_) throw wp::Error("Fft2d: FFTW could not plan the transforms");
  }
  ~FftwBackend() override {
    fftwf_destroy_plan(r2c_);
    fftwf_destroy_plan(c2r_);
  }
  void r2c(float* x, wp::vec2* X) override { fftwf_execute_dft_r2c(r2c_, x, reinterpret_cast<fftwf_complex*>(X)); }
  void c2r(wp::vec2* X, float* x) override { fftwf_execute_dft_c2r(c2r_, reinterpret_cast<fftwf_complex*>(X), x); }

 private:
  fftwf_plan r2c_ = nullptr, c2r_ = nullptr;
};

}  // namespace

std::unique_ptr<Fft2d::Backend> make_fftw_backend(int n) { return std::make_unique<FftwBackend>(n); }

}  // namespace flow
