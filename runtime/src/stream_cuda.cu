// stream_cuda.cu — the CUDA side of wp/stream.h (compiled only with WARPC_RUNTIME_CUDA): the
// current stream of each device, the default streams, streams, events and device
// synchronisation.
//
// Contract (see wp/stream.h and cuda_context.h):
//  * current_stream(n) is one acquire load of an atomic; the default stream of device n is a
//    blocking stream created on first use under a mutex and kept for the process (it is never
//    destroyed: streams must not outlive the CUDA context at exit).
//  * Waiting on the host (stream, event or device synchronisation) is refused with a
//    wp::Error while the calling thread captures work on that device.
#include <cuda_runtime.h>

#include <atomic>
#include <mutex>
#include <string>

#include "cuda_context.h"
#include "cuda_seam.h"
#include "wp/allocator.h"
#include "wp/error.h"

namespace wp::detail {
namespace {

std::atomic<cudaStream_t> g_current[kMaxCudaDevices];
cudaStream_t g_default[kMaxCudaDevices];
std::mutex g_default_mutex;

cudaStream_t default_stream(int ordinal) {
  std::lock_guard<std::mutex> lock(g_default_mutex);
  if (!g_default[ordinal]) {
    DeviceGuard guard(ordinal);
    WP_CUDA_CHECK(cudaStreamCreate(&g_default[ordinal]), ordinal);
  }
  return g_default[ordinal];
}

void check_slot(int ordinal) {
  validate_ordinal(ordinal);
  if (ordinal >= kMaxCudaDevices) {
    throw Error("cuda:" + std::to_string(ordinal) + ": the runtime supports " + std::to_string(kMaxCudaDevices) +
                " CUDA devices");
  }
}

}  // namespace

cudaStream_t current_stream(int ordinal) {
  if (ordinal >= 0 && ordinal < kMaxCudaDevices) [[likely]] {
    if (cudaStream_t s = g_current[ordinal].load(std::memory_order_acquire)) [[likely]]
      return s;
  }
  check_slot(ordinal);
  cudaStream_t s = default_stream(ordinal);
  cudaStream_t expected = nullptr;
  g_current[ordinal].compare_exchange_strong(expected, s);  // a racing set_stream wins
  return g_current[ordinal].load(std::memory_order_acquire);
}

void refuse_during_capture(int ordinal, const char* what) {
  if (!thread_capture(ordinal)) return;
  throw Error(std::string(what) + " cannot run while a graph capture records work on 'cuda:" +
              std::to_string(ordinal) + "' (a graph cannot wait for the host): call it after capture_end");
}

void* cuda_current_stream(int ordinal) { return current_stream(ordinal); }

void cuda_set_current_stream(int ordinal, void* stream) {
  check_slot(ordinal);
  g_current[ordinal].store(stream ? static_cast<cudaStream_t>(stream) : default_stream(ordinal),
                           std::memory_order_release);
}

void* cuda_stream_create(int ordinal) {
  DeviceGuard guard(ordinal);
  cudaStream_t s = nullptr;
  WP_CUDA_CHECK(cudaStreamCreate(&s), ordinal);
  return s;
}

void cuda_stream_destroy(int, void* stream) noexcept { (void)cudaStreamDestroy(static_cast<cudaStream_t>(stream)); }

void cuda_stream_synchronize(int ordinal, void* stream) {
  if (cuda_stream_is_capturing(ordinal, stream) || thread_capture(ordinal))
    refuse_during_capture(ordinal, "Stream::synchronize");
  WP_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)), ordinal);
}

bool cuda_stream_is_capturing(int ordinal, void* stream) {
  cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
  WP_CUDA_CHECK(cudaStreamIsCapturing(static_cast<cudaStream_t>(stream), &status), ordinal);
  return status != cudaStreamCaptureStatusNone;
}

void cuda_stream_wait_event(int ordinal, void* stream, void* event) {
  DeviceGuard guard(ordinal);
  WP_CUDA_CHECK(cudaStreamWaitEvent(static_cast<cudaStream_t>(stream), static_cast<cudaEvent_t>(event), 0),
                ordinal);
}

void cuda_stream_wait_stream(int ordinal, void* stream, int other_ordinal, void* other) {
  stream_wait_stream(ordinal, static_cast<cudaStream_t>(stream), other_ordinal, static_cast<cudaStream_t>(other));
}

void stream_wait_stream(int ordinal, cudaStream_t stream, int other_ordinal, cudaStream_t other) {
  if (stream == other) return;
  cudaEvent_t event = nullptr;
  {
    DeviceGuard guard(other_ordinal);
    WP_CUDA_CHECK(cudaEventCreateWithFlags(&event, cudaEventDisableTiming), other_ordinal);
    WP_CUDA_CHECK(cudaEventRecord(event, other), other_ordinal);
  }
  DeviceGuard guard(ordinal);
  const cudaError_t err = cudaStreamWaitEvent(stream, event, 0);
  (void)cudaEventDestroy(event);  // released once the wait no longer needs it
  WP_CUDA_CHECK(err, ordinal);
}

void* cuda_event_create(int ordinal, bool timing) {
  DeviceGuard guard(ordinal);
  cudaEvent_t e = nullptr;
  WP_CUDA_CHECK(cudaEventCreateWithFlags(&e, timing ? cudaEventDefault : cudaEventDisableTiming), ordinal);
  return e;
}

void cuda_event_destroy(int, void* event) noexcept { (void)cudaEventDestroy(static_cast<cudaEvent_t>(event)); }

void cuda_event_record(int ordinal, void* event, void* stream) {
  DeviceGuard guard(ordinal);
  WP_CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(event), static_cast<cudaStream_t>(stream)), ordinal);
}

void cuda_event_synchronize(int ordinal, void* event) {
  refuse_during_capture(ordinal, "Event::synchronize");
  WP_CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(event)), ordinal);
}

bool cuda_event_query(int ordinal, void* event) {
  const cudaError_t err = cudaEventQuery(static_cast<cudaEvent_t>(event));
  if (err == cudaErrorNotReady) return false;
  WP_CUDA_CHECK(err, ordinal);
  return true;
}

float cuda_event_elapsed_ms(int ordinal, void* start, void* end) {
  float ms = 0.0f;
  WP_CUDA_CHECK(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(start), static_cast<cudaEvent_t>(end)), ordinal);
  return ms;
}

void cuda_device_synchronize(int ordinal) {
  if (ordinal >= 0) {
    refuse_during_capture(ordinal, "wp::synchronize");
    DeviceGuard guard(ordinal);
    WP_CUDA_CHECK(cudaDeviceSynchronize(), ordinal);
    return;
  }
  for (int d = 0, n = cuda_device_count(); d < n; ++d) cuda_device_synchronize(d);
}

}  // namespace wp::detail
