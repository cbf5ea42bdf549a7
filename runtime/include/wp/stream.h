// wp/stream.h — wp::Stream (an owned CUDA stream, or the CPU's no-op stream) and device-wide
// synchronisation.
//
// Contract:
//  * Stream() / Stream("cpu") is the CPU stream: handle() is nullptr, synchronize() does
//    nothing (CPU work is synchronous).
//  * Stream("cuda:N") creates a blocking cudaStream_t on device N (validated: a missing
//    device throws wp::Error naming it and the device count) and destroys it with the
//    handle; move-only. handle() is the cudaStream_t as void* (LaunchOptions::stream).
//    Without CUDA support a CUDA stream throws "CUDA support is not built …".
//  * Stream::synchronize() waits for the stream's work (cudaStreamSynchronize).
//  * wp::synchronize() (declared in wp/launch.h) waits for all outstanding work on every
//    CUDA device (cudaDeviceSynchronize each). ASYNCHRONOUS CUDA ERRORS SURFACE HERE: a
//    kernel that faults or traps after its launch returned is reported by the next
//    synchronize() (or the next CUDA call that waits) as a wp::Error
//    "cudaDeviceSynchronize() failed on device 'cuda:N': …". After such an error the CUDA
//    context is unusable for the rest of the process (CUDA's rule for sticky errors).
//  * wp::synchronize(device) does the same for one device; a no-op for the CPU.
#pragma once

#include "wp/device.h"

namespace wp {

class Stream {
 public:
  Stream() = default;  // the CPU stream
  explicit Stream(const Device& device);
  ~Stream();
  Stream(Stream&& other) noexcept;
  Stream& operator=(Stream&& other) noexcept;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  const Device& device() const { return device_; }
  void* handle() const { return handle_; }
  void synchronize() const;

 private:
  void reset() noexcept;

  Device device_;
  void* handle_ = nullptr;
};

void synchronize();  // every device (also declared in wp/launch.h)
void synchronize(const Device& device);

}  // namespace wp
