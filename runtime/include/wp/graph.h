// wp/graph.h — CUDA graph capture: record the runtime's work on a stream once, replay it
// with one launch.
//
// Contract:
//  * capture_begin(device) starts capturing the device's current stream (wp/stream.h);
//    capture_begin(stream) captures `stream` and makes it the device's current stream until
//    capture_end. Between them nothing runs: generated launches, array copies and fills
//    between device memory, stream-ordered allocations, wp::Tape forward and backward,
//    Event::record / Stream::wait_event on other streams (which join the capture) are
//    recorded into a graph. capture_end() ends the capture of the calling thread and returns
//    the instantiated wp::Graph; capture_launch(graph[, stream]) replays it on `stream`
//    (default: the device's current stream), asynchronously.
//  * One capture per thread and per device at a time: a second capture_begin throws
//    wp::Error, as does capture_end without a capture. ScopedCapture begins in its
//    constructor; end() returns the graph; a ScopedCapture destroyed without end() (an
//    exception unwinding) ends the capture and discards the graph.
//  * What cannot be captured is a wp::Error naming the operation — raised before CUDA sees
//    it, so the capture stays valid and can still be ended — never a corrupt graph:
//    copies between host memory and the device (unless the host side is pinned),
//    wp::synchronize / synchronize_stream / Stream::synchronize / Event::synchronize on the
//    capturing device, allocation while the device's stream-ordered allocator is disabled or
//    inside a capture_while body. An operation CUDA itself refuses invalidates the capture:
//    capture_end then throws wp::Error with CUDA's message and discards it.
//  * Memory. With the stream-ordered allocator (the default, wp/allocator.h), allocations
//    made during the capture become allocation nodes of the graph; one freed before
//    capture_end becomes a free node (scratch memory of a captured step). An array allocated
//    during the capture and still alive after it (an output of the step, the accumulators a
//    Tape recorded inside the capture) holds memory the GRAPH allocates when it is launched:
//    its contents exist once the graph has run, and every launch hands out the same addresses
//    again (the previous launch's memory is released first). Memory allocated BEFORE the
//    capture and freed during it stays allocated until the graph is destroyed (the graph may
//    still use it when replayed).
//  * capture_while(condition, body): while the int32 in `condition` (a one-element array on
//    the device) is non-zero, run body(). Outside a capture it runs on the host (the
//    condition is read after each body). Inside a capture it records a CUDA conditional
//    WHILE node (CUDA 12.4+ driver; otherwise wp::Error): the body is captured once and the
//    loop runs on the device on every replay, testing the condition the body leaves.
//  * Graph is a shared handle (copies refer to the same executable graph, destroyed with the
//    last copy); device() and node_count() describe it; a default Graph is empty (launching
//    it throws). Without CUDA support every function throws "CUDA support is not built …".
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "wp/array.h"
#include "wp/device.h"
#include "wp/stream.h"

namespace wp {

class Graph {
 public:
  Graph() = default;
  const Device& device() const;
  std::size_t node_count() const;
  explicit operator bool() const { return state_ != nullptr; }

  struct State;  // runtime-internal (src/graph_cuda.cu)
  explicit Graph(std::shared_ptr<State> state) : state_(std::move(state)) {}
  State* state() const { return state_.get(); }

 private:
  std::shared_ptr<State> state_;
};

void capture_begin(const Device& device);
void capture_begin(const Stream& stream);
Graph capture_end();
// True while the calling thread captures work for `device`.
bool is_capturing(const Device& device);
void capture_launch(const Graph& graph);
void capture_launch(const Graph& graph, const Stream& stream);
void capture_while(const array<int>& condition, const std::function<void()>& body);

namespace detail {
// For the runtime's own captures (Tape::record_steps): end the calling thread's capture
// without instantiating its graph (the first capture_launch does), and whether two captured
// graphs hold the same work — the same nodes in the same order with the same dependencies
// and bit-identical parameters (kernel arguments included). Work that cannot be compared
// (node kinds other than kernels, copies, fills, events and empty nodes; kernels whose
// parameter layout CUDA does not report) counts as different.
Graph capture_end_uninstantiated();
// Ends the calling thread's capture, if any, and discards its graph: nothing of it runs, and
// memory allocated during it was never allocated.
void capture_abort();
bool same_work(const Graph& a, const Graph& b);
}  // namespace detail

class ScopedCapture {
 public:
  explicit ScopedCapture(const Device& device) { capture_begin(device); }
  explicit ScopedCapture(const Stream& stream) { capture_begin(stream); }
  ~ScopedCapture();
  ScopedCapture(const ScopedCapture&) = delete;
  ScopedCapture& operator=(const ScopedCapture&) = delete;
  Graph end();

 private:
  bool ended_ = false;
};

}  // namespace wp
