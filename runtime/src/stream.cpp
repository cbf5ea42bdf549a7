// stream.cpp — wp::Stream, wp::Event, the current stream and wp::synchronize(): portable
// logic over the CUDA seam (stream_cuda.cu); no-ops on the CPU, "not built" errors for CUDA
// devices in a CPU-only runtime. See wp/stream.h.
#include "wp/stream.h"

#include <array>
#include <mutex>
#include <string>
#include <utility>

#include "cuda_seam.h"
#include "wp/allocator.h"
#include "wp/error.h"
#include "wp/launch.h"

namespace wp {
namespace {

// Throws the "not built" error for CUDA devices of a CPU-only runtime; true for CUDA devices.
bool uses_cuda(const Device& device, const char* op) {
  if (device.is_cpu()) return false;
  if (!cuda_built()) {
    throw Error(std::string(op) + ": CUDA support is not built: device '" + device.str() +
                "' cannot be used (this runtime was built for the CPU only)");
  }
  return true;
}

constexpr std::size_t kMaxDevices = 64;
std::mutex g_streams_mutex;
std::array<Stream, kMaxDevices> g_set_streams;  // keeps streams given to set_stream alive

void same_device(const Device& a, const Device& b, const char* op) {
  if (a != b) throw Error(std::string(op) + ": the stream is on '" + a.str() + "' but the event or stream it waits for is on '" + b.str() + "'");
}

}  // namespace

// The owner of a CUDA stream the runtime created: destroys it with the last Stream copy. Only
// ever constructed in place (new Owner{…}): a temporary would destroy the handle when it dies.
struct Stream::Owner {
  int ordinal;
  void* handle;
  ~Owner() {
#ifdef WARPC_RUNTIME_CUDA
    detail::cuda_stream_destroy(ordinal, handle);
#endif
  }
};

struct Event::Owner {
  int ordinal;
  void* handle;
  ~Owner() {
#ifdef WARPC_RUNTIME_CUDA
    detail::cuda_event_destroy(ordinal, handle);
#endif
  }
};

Stream::Stream(const Device& device) : device_(device) {
  if (!uses_cuda(device, "Stream")) return;
#ifdef WARPC_RUNTIME_CUDA
  handle_ = detail::cuda_stream_create(device.ordinal());
  owner_ = std::shared_ptr<Owner>(new Owner{device.ordinal(), handle_});  // in place: no temporary to destroy it
#endif
}

Stream::Stream(const Device& device, void* handle, std::shared_ptr<Owner> owner)
    : device_(device), handle_(handle), owner_(std::move(owner)) {}

Stream Stream::wrap(const Device& device, void* cuda_stream) {
  if (uses_cuda(device, "Stream::wrap") && !cuda_stream)
    throw Error("Stream::wrap: the cudaStream_t is null (use get_stream(device) for the current stream)");
  return Stream(device, cuda_stream, nullptr);
}

void Stream::synchronize() const {
#ifdef WARPC_RUNTIME_CUDA
  if (handle_) detail::cuda_stream_synchronize(device_.ordinal(), handle_);
#endif
}

void Stream::wait_event(const Event& event) const {
  if (!handle_) return;
  if (!event.handle()) throw Error("Stream::wait_event: the event was never created (a default Event)");
  same_device(device_, event.device(), "Stream::wait_event");
#ifdef WARPC_RUNTIME_CUDA
  detail::cuda_stream_wait_event(device_.ordinal(), handle_, event.handle());
#endif
}

void Stream::wait_stream(const Stream& other) const {
  if (!handle_ || !other.handle_) return;
#ifdef WARPC_RUNTIME_CUDA
  detail::cuda_stream_wait_stream(device_.ordinal(), handle_, other.device_.ordinal(), other.handle_);
#endif
}

Event Stream::record_event() const {
  Event e(device_);
  e.record(*this);
  return e;
}

bool Stream::is_capturing() const {
#ifdef WARPC_RUNTIME_CUDA
  if (handle_) return detail::cuda_stream_is_capturing(device_.ordinal(), handle_);
#endif
  return false;
}

Event::Event(const Device& device, bool enable_timing) : device_(device), timing_(enable_timing) {
  if (!uses_cuda(device, "Event")) return;
#ifdef WARPC_RUNTIME_CUDA
  handle_ = detail::cuda_event_create(device.ordinal(), enable_timing);
  owner_ = std::shared_ptr<Owner>(new Owner{device.ordinal(), handle_});  // in place: no temporary to destroy it
#endif
}

void Event::record() const { record(get_stream(device_)); }

void Event::record(const Stream& stream) const {
  if (device_.is_cpu()) return;
  if (!handle_) throw Error("Event::record: the event was never created (a default Event)");
  same_device(stream.device(), device_, "Event::record");
#ifdef WARPC_RUNTIME_CUDA
  detail::cuda_event_record(device_.ordinal(), handle_, stream.handle());
#endif
}

void Event::synchronize() const {
#ifdef WARPC_RUNTIME_CUDA
  if (handle_) detail::cuda_event_synchronize(device_.ordinal(), handle_);
#endif
}

bool Event::is_complete() const {
#ifdef WARPC_RUNTIME_CUDA
  if (handle_) return detail::cuda_event_query(device_.ordinal(), handle_);
#endif
  return true;
}

float elapsed_ms(const Event& start, const Event& end) {
  if (!start.handle() || !end.handle()) throw Error("elapsed_ms: both events must be CUDA events");
  if (!start.timing() || !end.timing())
    throw Error("elapsed_ms: both events must be created with enable_timing = true");
  same_device(start.device(), end.device(), "elapsed_ms");
#ifdef WARPC_RUNTIME_CUDA
  return detail::cuda_event_elapsed_ms(start.device().ordinal(), start.handle(), end.handle());
#else
  return 0.0f;
#endif
}

Stream get_stream(const Device& device) {
  if (!uses_cuda(device, "get_stream")) return Stream();
#ifdef WARPC_RUNTIME_CUDA
  void* current = detail::cuda_current_stream(device.ordinal());
  std::lock_guard<std::mutex> lock(g_streams_mutex);
  const Stream& set = g_set_streams[static_cast<std::size_t>(device.ordinal())];
  if (set.handle() == current) return set;
  return Stream::wrap(device, current);
#else
  return Stream();
#endif
}

void set_stream(const Stream& stream) {
  if (!uses_cuda(stream.device(), "set_stream")) return;
  if (!stream.handle()) throw Error("set_stream: the stream has no CUDA stream (a moved-from Stream)");
#ifdef WARPC_RUNTIME_CUDA
  detail::cuda_set_current_stream(stream.device().ordinal(), stream.handle());
  std::lock_guard<std::mutex> lock(g_streams_mutex);
  g_set_streams[static_cast<std::size_t>(stream.device().ordinal())] = stream;
#endif
}

ScopedStream::ScopedStream(const Stream& stream) {
  if (stream.device().is_cpu()) return;
  previous_ = get_stream(stream.device());
  set_stream(stream);
  active_ = true;
}

ScopedStream::~ScopedStream() {
  if (!active_) return;
  try {
    set_stream(previous_);
  } catch (...) {  // restoring a stream that was current cannot fail in practice
  }
}

void synchronize() {
#ifdef WARPC_RUNTIME_CUDA
  detail::cuda_device_synchronize(-1);
#endif
}

void synchronize(const Device& device) {
  if (!uses_cuda(device, "synchronize")) return;
#ifdef WARPC_RUNTIME_CUDA
  detail::cuda_device_synchronize(device.ordinal());
#endif
}

void synchronize_stream(const Stream& stream) { stream.synchronize(); }

}  // namespace wp
