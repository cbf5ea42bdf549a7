// cuda_context.h (private, CUDA only) — what the runtime's CUDA sources share: error checks,
// device validation, the current-device guard, the current stream of each device and the
// graph-capture state the allocator and copies consult.
//
// Contract:
//  * WP_CUDA_CHECK(call, ordinal): a failing call throws wp::Error
//    "<call> failed on device 'cuda:N': <cudaGetErrorString> (<error name>)".
//  * validate_ordinal(n) throws wp::Error naming the device and the device count.
//  * DeviceGuard makes a device current for its lifetime and restores the previous one.
//  * current_stream(n) is the stream the runtime queues device n's work on (wp/stream.h): the
//    stream set by set_stream, else the device's default stream, created on first use and
//    kept for the process. One atomic load on the hot path.
//  * thread_capture(n) is the capture the CALLING THREAD runs on device n (wp/graph.h), or
//    nullptr; capture-aware operations (allocation, free, host copies, synchronisation) ask
//    it. Its fields are touched only by the capturing thread.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "wp/error.h"

namespace wp::detail {

inline constexpr int kMaxCudaDevices = 64;

[[noreturn]] void throw_cuda_error(cudaError_t err, const char* call, int ordinal);

inline void cuda_check(cudaError_t err, const char* call, int ordinal) {
  if (err != cudaSuccess) [[unlikely]]
    throw_cuda_error(err, call, ordinal);
}

#define WP_CUDA_CHECK(call, ordinal) ::wp::detail::cuda_check((call), #call, (ordinal))

void validate_ordinal(int ordinal);

class DeviceGuard {
 public:
  explicit DeviceGuard(int ordinal);
  ~DeviceGuard() {
    if (restore_) (void)cudaSetDevice(previous_);
  }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
  bool restore_ = false;
};

cudaStream_t current_stream(int ordinal);
// Queues on `stream` (device `ordinal`) a wait for the work queued so far on `other`.
void stream_wait_stream(int ordinal, cudaStream_t stream, int other_ordinal, cudaStream_t other);

// Memory the allocator handed out: whether it came from the stream-ordered pool.
struct Allocation {
  void* ptr;
  bool pooled;
};

struct CaptureState {
  int ordinal = -1;
  cudaStream_t stream = nullptr;           // where the capture's work is queued now
  bool in_conditional_body = false;        // inside capture_while: no allocation
  std::unordered_map<void*, std::size_t> live;  // allocated during the capture, not yet freed
  std::vector<Allocation> deferred_frees;  // allocated before, freed during: kept for the graph
  std::string failure;                     // set when part of the capture failed: end discards it
};

CaptureState* thread_capture(int ordinal);

// Throws a wp::Error naming `what` when the calling thread captures work on `ordinal`.
void refuse_during_capture(int ordinal, const char* what);

// Marks capture allocations whose graph was discarded: their frees are skipped.
void orphan_allocations(const std::unordered_map<void*, std::size_t>& live);

// Releases pool or cudaMalloc memory outside any capture (never throws).
void release_allocation(int ordinal, const Allocation& a) noexcept;

}  // namespace wp::detail
