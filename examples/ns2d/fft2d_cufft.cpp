// fft2d_cufft.cpp — the CUDA backend of Fft2d: cuFFT R2C / C2R plans for an n×n grid, made on
// the Fft2d's device and run on the device's current stream (wp::get_stream: ordered with the
// runtime's launches and copies, and recorded by a graph capture of that stream). Built only when the runtime has CUDA (NS2D_CUFFT); otherwise asking
// for it throws wp::Error.
#include "fft2d.h"

#ifdef NS2D_CUFFT
#include <cuda_runtime.h>
#include <cufft.h>

#include <string>

namespace flow {
namespace {

void check(cufftResult r, const char* call) {
  if (r != CUFFT_SUCCESS) throw wp::Error(std::string("Fft2d: ") + call + " failed (cufftResult " + std::to_string(int(r)) + ")");
}

class CufftBackend final : public Fft2d::Backend {
 public:
  CufftBackend(int n, const wp::Device& device) : ordinal_(device.ordinal()) {
    Current current(ordinal_);
    check(cufftPlan2d(&r2c_, n, n, CUFFT_R2C), "cufftPlan2d(R2C)");
    check(cufftPlan2d(&c2r_, n, n, CUFFT_C2R), "cufftPlan2d(C2R)");
  }
  ~CufftBackend() override {
    cufftDestroy(r2c_);
    cufftDestroy(c2r_);
  }
  void r2c(float* x, wp::vec2* X) override {
    Current current(ordinal_);
    check(cufftSetStream(r2c_, stream()), "cufftSetStream");
    check(cufftExecR2C(r2c_, x, reinterpret_cast<cufftComplex*>(X)), "cufftExecR2C");
  }
  void c2r(wp::vec2* X, float* x) override {
    Current current(ordinal_);
    check(cufftSetStream(c2r_, stream()), "cufftSetStream");
    check(cufftExecC2R(c2r_, reinterpret_cast<cufftComplex*>(X), x), "cufftExecC2R");
  }

 private:
  cudaStream_t stream() const { return static_cast<cudaStream_t>(wp::get_stream(wp::Device::cuda(ordinal_)).handle()); }
  struct Current {  // makes the plan's device current for a call
    explicit Current(int ordinal) {
      cudaGetDevice(&previous);
      if (previous != ordinal) cudaSetDevice(ordinal);
    }
    ~Current() { cudaSetDevice(previous); }
    int previous = 0;
  };
  int ordinal_;
  cufftHandle r2c_ = 0, c2r_ = 0;
};

}  // namespace

std::unique_ptr<Fft2d::Backend> make_cufft_backend(int n, const wp::Device& device) {
  return std::make_unique<CufftBackend>(n, device);
}

}  // namespace flow
#else
namespace flow {
std::unique_ptr<Fft2d::Backend> make_cufft_backend(int, const wp::Device& device) {
  throw wp::Error("Fft2d: cannot transform on " + device.str() + ": this ns2d was built without cuFFT");
}
}  // namespace flow
#endif
