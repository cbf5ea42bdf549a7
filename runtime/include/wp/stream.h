// wp/stream.h — CUDA streams and events, the current stream of each device, and device-wide
// synchronisation.
//
// Contract:
//  * Stream() / Stream("cpu") is the CPU stream: handle() is nullptr and every operation on
//    it does nothing (CPU work is synchronous).
//  * Stream("cuda:N") creates a new blocking cudaStream_t on device N (validated: a missing
//    device throws wp::Error naming it and the device count). Streams are handles with
//    SHARED ownership: copies refer to the same CUDA stream, which is destroyed with the last
//    copy; a moved-from Stream has handle() == nullptr. Stream::wrap(device, cuda_stream)
//    refers to a stream the program owns (never destroyed by the runtime). Without CUDA
//    support a CUDA stream throws "CUDA support is not built …".
//  * The CURRENT STREAM of a CUDA device is where the runtime queues everything it does on
//    that device when no stream is named: generated launches (LaunchOptions::stream ==
//    nullptr), array copies and fills, stream-ordered allocations, geometry builds, Tape
//    backward passes, graph launches. Until set_stream() changes it, it is the device's
//    default stream: a blocking stream the runtime creates at the device's first use (it
//    synchronises with the legacy default stream, so raw `<<<>>>` launches and synchronous
//    cudaMemcpy calls of the program stay ordered with the runtime's work). The current
//    stream is per device and process-wide (not per thread).
//  * get_stream(device) returns the current stream; set_stream(stream) makes `stream` current
//    for its device (and keeps it alive while current); ScopedStream sets it for a scope and
//    restores the previous one.
//  * Ordering between streams: stream.wait_event(event), stream.wait_stream(other) (records
//    an event on `other` and waits for it), Event::record(stream). All are asynchronous (they
//    queue dependencies, the host does not wait) and are captured into graphs (wp/graph.h).
//  * Event(device[, enable_timing]) is a cudaEvent_t (shared ownership like Stream);
//    record(stream) (default: the device's current stream), synchronize() (host waits),
//    is_complete(), and elapsed_ms(start, end) — the time between two recorded events, both
//    created with enable_timing = true (else wp::Error).
//  * Host↔device copies synchronise the current stream before returning (the host side is
//    done, as before); device-side work may still be running when a call returns.
//  * wp::synchronize() (also declared in wp/launch.h) waits for all outstanding work on every
//    CUDA device (cudaDeviceSynchronize each). ASYNCHRONOUS CUDA ERRORS SURFACE HERE: a
//    kernel that faults or traps after its launch returned is reported by the next
//    synchronize() (or the next CUDA call that waits) as a wp::Error
//    "cudaDeviceSynchronize() failed on device 'cuda:N': …". After such an error the CUDA
//    context is unusable for the rest of the process (CUDA's rule for sticky errors).
//    wp::synchronize(device) does the same for one device; a no-op for the CPU.
//    synchronize_stream(stream) waits for one stream. Any of them while a graph capture is
//    running on the device is a wp::Error (a capture cannot contain a host wait).
#pragma once

#include <memory>
#include <utility>

#include "wp/device.h"

namespace wp {

class Event;

class Stream {
 public:
  Stream() = default;  // the CPU stream
  explicit Stream(const Device& device);
  // A stream the program created (a cudaStream_t of `device`); not destroyed by the runtime.
  static Stream wrap(const Device& device, void* cuda_stream);
  Stream(const Stream&) = default;
  Stream& operator=(const Stream&) = default;
  Stream(Stream&& other) noexcept
      : device_(other.device_), handle_(std::exchange(other.handle_, nullptr)), owner_(std::move(other.owner_)) {}
  Stream& operator=(Stream&& other) noexcept {
    device_ = other.device_;
    handle_ = std::exchange(other.handle_, nullptr);
    owner_ = std::move(other.owner_);
    return *this;
  }

  const Device& device() const { return device_; }
  void* handle() const { return handle_; }
  void synchronize() const;
  // Queues a wait for `event` (recorded on any stream of the same device) before later work.
  void wait_event(const Event& event) const;
  // Queues a wait for everything queued on `other` so far.
  void wait_stream(const Stream& other) const;
  // Records a new event at this point of the stream.
  Event record_event() const;
  // True while a graph capture records this stream's work (wp/graph.h).
  bool is_capturing() const;

  bool operator==(const Stream& other) const { return handle_ == other.handle_ && device_ == other.device_; }

 private:
  struct Owner;
  Stream(const Device& device, void* handle, std::shared_ptr<Owner> owner);

  Device device_;
  void* handle_ = nullptr;
  std::shared_ptr<Owner> owner_;  // destroys an owned cudaStream_t with the last copy
};

class Event {
 public:
  Event() = default;  // the CPU event: record/synchronize do nothing; a CUDA stream waiting on it throws
  explicit Event(const Device& device, bool enable_timing = false);

  const Device& device() const { return device_; }
  void* handle() const { return handle_; }
  bool timing() const { return timing_; }
  // Records the event on `stream` (default: the current stream of the event's device).
  void record() const;
  void record(const Stream& stream) const;
  void synchronize() const;
  bool is_complete() const;

 private:
  struct Owner;
  Device device_;
  void* handle_ = nullptr;
  bool timing_ = false;
  std::shared_ptr<Owner> owner_;
};

// Milliseconds between two recorded timing events (both created with enable_timing).
float elapsed_ms(const Event& start, const Event& end);

Stream get_stream(const Device& device);
void set_stream(const Stream& stream);

// Makes `stream` current for its device for the scope's lifetime.
class ScopedStream {
 public:
  explicit ScopedStream(const Stream& stream);
  ~ScopedStream();
  ScopedStream(const ScopedStream&) = delete;
  ScopedStream& operator=(const ScopedStream&) = delete;

 private:
  Stream previous_;
  bool active_ = false;
};

void synchronize();  // every device (also declared in wp/launch.h)
void synchronize(const Device& device);
void synchronize_stream(const Stream& stream);

}  // namespace wp
