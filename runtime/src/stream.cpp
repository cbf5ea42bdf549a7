// stream.cpp — wp::Stream and wp::synchronize(): thin over detail::cuda_* (alloc_cuda.cu),
// no-ops on the CPU, "not built" errors for CUDA devices in a CPU-only runtime.
#include "wp/stream.h"

#include <utility>

#include "wp/allocator.h"
#include "wp/error.h"
#include "wp/launch.h"

namespace wp {
namespace {

[[maybe_unused]] void require_cuda(const Device& device, const char* op) {
  if (!cuda_built()) {
    throw Error(std::string(op) + ": CUDA support is not built: device '" + device.str() +
                "' cannot be used (this runtime was built for the CPU only)");
  }
}

}  // namespace

Stream::Stream(const Device& device) : device_(device) {
  if (device.is_cpu()) return;
#ifdef WARPC_RUNTIME_CUDA
  handle_ = detail::cuda_stream_create(device.ordinal());
#else
  require_cuda(device, "Stream");
#endif
}

Stream::~Stream() { reset(); }

Stream::Stream(Stream&& other) noexcept
    : device_(other.device_), handle_(std::exchange(other.handle_, nullptr)) {}

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    reset();
    device_ = other.device_;
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

void Stream::reset() noexcept {
#ifdef WARPC_RUNTIME_CUDA
  if (handle_) detail::cuda_stream_destroy(device_.ordinal(), handle_);
#endif
  handle_ = nullptr;
}

void Stream::synchronize() const {
#ifdef WARPC_RUNTIME_CUDA
  if (handle_) detail::cuda_stream_synchronize(device_.ordinal(), handle_);
#endif
}

void synchronize() {
#ifdef WARPC_RUNTIME_CUDA
  detail::cuda_device_synchronize(-1);
#endif
}

void synchronize(const Device& device) {
  if (device.is_cpu()) return;
#ifdef WARPC_RUNTIME_CUDA
  detail::cuda_device_synchronize(device.ordinal());
#else
  require_cuda(device, "synchronize");
#endif
}

}  // namespace wp
