// graph.cpp — wp::Graph, capture_begin/end, capture_launch, capture_while and ScopedCapture:
// argument checks, the current-stream switch of capture_begin(stream), the host-side loop
// of capture_while outside a capture; the CUDA work is in graph_cuda.cu. See wp/graph.h.
#include "wp/graph.h"

#include <string>
#include <utility>

#include "graph_seam.h"
#include "wp/allocator.h"
#include "wp/error.h"

namespace wp {

struct Graph::State {
  Device device;
#ifdef WARPC_RUNTIME_CUDA
  detail::CapturedGraph captured;
#endif
  std::size_t nodes = 0;
};

namespace {

// The capture of the calling thread, as the portable side sees it.
struct ThreadCapture {
  bool active = false;
  Device device;
  Stream previous;          // the device's current stream before capture_begin(stream)
  bool restore = false;     // whether capture_end restores `previous`
};
thread_local ThreadCapture t_capture;

void require_cuda_device(const Device& device, const char* op) {
  if (device.is_cpu()) {
    throw Error(std::string(op) + ": graph capture needs a CUDA device; work on 'cpu' runs immediately");
  }
  if (!cuda_built()) {
    throw Error(std::string(op) + ": CUDA support is not built: device '" + device.str() +
                "' cannot be used (this runtime was built for the CPU only)");
  }
}

void begin(const Stream& stream, bool make_current) {
  const Device& device = stream.device();
  require_cuda_device(device, "capture_begin");
  if (t_capture.active) {
    throw Error("capture_begin: this thread already captures work on '" + t_capture.device.str() +
                "' (captures do not nest: call capture_end first)");
  }
  if (!stream.handle()) throw Error("capture_begin: the stream has no CUDA stream (a moved-from Stream)");
  ThreadCapture next{true, device, Stream(), false};
  if (make_current && !(get_stream(device) == stream)) {
    next.previous = get_stream(device);
    next.restore = true;
    set_stream(stream);
  }
#ifdef WARPC_RUNTIME_CUDA
  try {
    detail::cuda_capture_begin(device.ordinal(), stream.handle());
  } catch (...) {
    if (next.restore) set_stream(next.previous);
    throw;
  }
#endif
  t_capture = std::move(next);
}

}  // namespace

const Device& Graph::device() const {
  if (!state_) throw Error("Graph::device: the graph is empty (a default Graph)");
  return state_->device;
}

std::size_t Graph::node_count() const { return state_ ? state_->nodes : 0; }

void capture_begin(const Device& device) {
  require_cuda_device(device, "capture_begin");
  begin(get_stream(device), false);
}

void capture_begin(const Stream& stream) { begin(stream, true); }

namespace {
Graph end_capture(bool instantiate) {
  if (!t_capture.active) throw Error("capture_end: no graph capture is running on this thread (call capture_begin first)");
  ThreadCapture ending = std::exchange(t_capture, ThreadCapture{});
  struct Restore {
    ThreadCapture& c;
    ~Restore() {
      if (c.restore) set_stream(c.previous);
    }
  } restore{ending};
#ifdef WARPC_RUNTIME_CUDA
  auto state = std::make_shared<Graph::State>();
  state->device = ending.device;
  state->captured = detail::cuda_capture_end(instantiate);
  state->nodes = state->captured.nodes;
  return Graph(std::move(state));
#else
  (void)instantiate;
  return Graph();
#endif
}
}  // namespace

Graph capture_end() { return end_capture(true); }

namespace detail {
Graph capture_end_uninstantiated() { return end_capture(false); }

void capture_abort() {
  if (!t_capture.active) return;
  ThreadCapture ending = std::exchange(t_capture, ThreadCapture{});
  if (ending.restore) set_stream(ending.previous);
#ifdef WARPC_RUNTIME_CUDA
  detail::cuda_capture_abort();
#endif
}

bool same_work(const Graph& a, const Graph& b) {
  if (!a || !b || a.device() != b.device()) return false;
#ifdef WARPC_RUNTIME_CUDA
  return cuda_same_work(a.state()->captured, b.state()->captured);
#else
  return false;
#endif
}
}  // namespace detail

bool is_capturing(const Device& device) { return t_capture.active && t_capture.device == device; }

void capture_launch(const Graph& graph) {
  if (!graph) throw Error("capture_launch: the graph is empty (a default Graph)");
  capture_launch(graph, get_stream(graph.device()));
}

void capture_launch(const Graph& graph, const Stream& stream) {
  if (!graph) throw Error("capture_launch: the graph is empty (a default Graph)");
  if (stream.device() != graph.device()) {
    throw Error("capture_launch: the graph was captured on '" + graph.device().str() + "' but the stream is on '" +
                stream.device().str() + "'");
  }
#ifdef WARPC_RUNTIME_CUDA
  detail::cuda_graph_launch(graph.device().ordinal(), graph.state()->captured, stream.handle());
#endif
}

void capture_while(const array<int>& condition, const std::function<void()>& body) {
  if (condition.size() != 1) {
    throw Error("capture_while: the condition must be an array of one int32, got " + std::to_string(condition.size()) +
                " elements");
  }
  const Device& device = condition.device();
  if (is_capturing(device)) {
#ifdef WARPC_RUNTIME_CUDA
    detail::cuda_capture_while(device.ordinal(), condition.data(), body);
#endif
    return;
  }
  auto value = [&] {
    int v = 0;
    detail::copy_bytes(&v, Device(), condition.data(), device, sizeof(int));
    return v;
  };
  while (value() != 0) body();
}

ScopedCapture::~ScopedCapture() {
  if (ended_) return;
  try {
    (void)capture_end();
  } catch (...) {  // unwinding already: the capture is discarded either way
  }
}

Graph ScopedCapture::end() {
  if (ended_) throw Error("ScopedCapture::end: the capture has already ended");
  ended_ = true;
  return capture_end();
}

}  // namespace wp
