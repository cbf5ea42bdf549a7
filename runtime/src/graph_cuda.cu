// graph_cuda.cu — the CUDA side of wp/graph.h (compiled only with WARPC_RUNTIME_CUDA): stream
// capture in thread-local mode, graph instantiation and launch, conditional WHILE nodes, and
// the per-thread capture state the allocator consults (cuda_context.h).
//
// Contract (see wp/graph.h):
//  * capture_begin records the calling thread's CaptureState before CUDA starts capturing;
//    capture_end always clears it, whatever happens, so a failed capture never leaves the
//    allocator routing memory into a dead graph.
//  * A graph owns its cudaGraph_t, its cudaGraphExec_t and the memory freed during its
//    capture that was allocated before it; all are released together with the last Graph
//    copy (an executable graph still running is freed by CUDA when it completes; deferred
//    frees are queued on the legacy default stream, after every earlier launch).
//  * capture_while inside a capture adds a conditional WHILE node whose handle is set by a
//    one-thread kernel from the condition array before the loop and at the end of each body.
#include <cuda_runtime.h>

#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "cuda_context.h"
#include "cuda_seam.h"
#include "graph_seam.h"
#include "wp/error.h"

namespace wp::detail {
namespace {

thread_local CaptureState* t_capture = nullptr;

// The graph, its executable form and the allocations it keeps alive.
struct GraphResources {
  int ordinal = -1;
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  std::vector<Allocation> deferred_frees;
  ~GraphResources() {
    if (exec) (void)cudaGraphExecDestroy(exec);
    if (graph) (void)cudaGraphDestroy(graph);
    for (const Allocation& a : deferred_frees) release_allocation(ordinal, a);
  }
};

std::string capture_error(const char* call, cudaError_t err) {
  return std::string(call) + " failed: " + cudaGetErrorString(err) + " (" + cudaGetErrorName(err) + ")";
}

// Ends a capture that cannot become a graph: its live allocations never existed outside the
// discarded graph (their later frees are skipped), its deferred frees are released now.
[[noreturn]] void discard_capture(std::unique_ptr<CaptureState> capture, cudaGraph_t graph, const std::string& why) {
  if (graph) (void)cudaGraphDestroy(graph);
  orphan_allocations(capture->live);
  for (const Allocation& a : capture->deferred_frees) release_allocation(capture->ordinal, a);
  throw Error("capture_end: " + why);
}

__global__ void set_while_condition(cudaGraphConditionalHandle handle, const int* condition) {
  cudaGraphSetConditional(handle, *condition != 0 ? 1u : 0u);
}

struct WhileNode {
  cudaGraph_t body;
  cudaGraphConditionalHandle handle;
};

// Adds a WHILE node after the capture's current dependencies (its handle set from
// `condition` just before it) and returns its body graph and handle.
WhileNode add_while_node(CaptureState& capture, const int* condition) {
  const int ordinal = capture.ordinal;
  cudaStreamCaptureStatus status;
  cudaGraph_t graph = nullptr;
  WP_CUDA_CHECK(cudaStreamGetCaptureInfo(capture.stream, &status, nullptr, &graph), ordinal);
  cudaGraphConditionalHandle handle;
  WP_CUDA_CHECK(cudaGraphConditionalHandleCreate(&handle, graph, 0, 0), ordinal);
  set_while_condition<<<1, 1, 0, capture.stream>>>(handle, condition);
  WP_CUDA_CHECK(cudaGetLastError(), ordinal);
  const cudaGraphNode_t* deps = nullptr;
  size_t num_deps = 0;
  WP_CUDA_CHECK(cudaStreamGetCaptureInfo(capture.stream, &status, nullptr, &graph, &deps, nullptr, &num_deps),
                ordinal);
  cudaGraphNodeParams params{};
  params.type = cudaGraphNodeTypeConditional;
  params.conditional.handle = handle;
  params.conditional.type = cudaGraphCondTypeWhile;
  params.conditional.size = 1;
  cudaGraphNode_t node;
  WP_CUDA_CHECK(cudaGraphAddNode(&node, graph, deps, nullptr, num_deps, &params), ordinal);
  WP_CUDA_CHECK(cudaStreamUpdateCaptureDependencies(capture.stream, &node, nullptr, 1, cudaStreamSetCaptureDependencies),
                ordinal);
  return WhileNode{params.conditional.phGraph_out[0], handle};
}

}  // namespace

CaptureState* thread_capture(int ordinal) {
  CaptureState* c = t_capture;
  return c && c->ordinal == ordinal ? c : nullptr;
}

bool cuda_thread_captures(int ordinal) { return thread_capture(ordinal) != nullptr; }

void cuda_capture_begin(int ordinal, void* stream) {
  if (t_capture) {
    throw Error("capture_begin: this thread already captures work on 'cuda:" + std::to_string(t_capture->ordinal) +
                "' (captures do not nest: call capture_end first)");
  }
  DeviceGuard guard(ordinal);
  (void)mempool_supported(ordinal);  // query the device before capturing: no queries inside
  auto capture = std::make_unique<CaptureState>();
  capture->ordinal = ordinal;
  capture->stream = static_cast<cudaStream_t>(stream);
  WP_CUDA_CHECK(cudaStreamBeginCapture(capture->stream, cudaStreamCaptureModeThreadLocal), ordinal);
  t_capture = capture.release();
}

CapturedGraph cuda_capture_end() {
  if (!t_capture) throw Error("capture_end: no graph capture is running on this thread (call capture_begin first)");
  std::unique_ptr<CaptureState> capture(std::exchange(t_capture, nullptr));
  const int ordinal = capture->ordinal;
  DeviceGuard guard(ordinal);
  cudaGraph_t graph = nullptr;
  const cudaError_t err = cudaStreamEndCapture(capture->stream, &graph);
  if (err != cudaSuccess || !graph) {
    (void)cudaGetLastError();
    discard_capture(std::move(capture), graph,
                    "the capture was invalidated by an operation CUDA cannot capture (" +
                        capture_error("cudaStreamEndCapture", err) + ")");
  }
  if (!capture->failure.empty()) discard_capture(std::move(capture), graph, capture->failure);
  auto resources = std::make_shared<GraphResources>();
  resources->ordinal = ordinal;
  resources->graph = graph;
  resources->deferred_frees = std::move(capture->deferred_frees);
  // Allocations still alive at the end belong to the program's arrays: each launch frees the
  // previous launch's (same addresses every launch) before allocating them again. A graph
  // without such allocations is instantiated plainly (no auto-free bookkeeping per launch).
  const unsigned long long flags = capture->live.empty() ? 0ull : cudaGraphInstantiateFlagAutoFreeOnLaunch;
  WP_CUDA_CHECK(cudaGraphInstantiate(&resources->exec, graph, flags), ordinal);
  std::size_t nodes = 0;
  WP_CUDA_CHECK(cudaGraphGetNodes(graph, nullptr, &nodes), ordinal);
  return CapturedGraph{resources->exec, nodes, std::shared_ptr<void>(resources, resources.get())};
}

void cuda_graph_launch(int ordinal, void* exec, void* stream) {
  DeviceGuard guard(ordinal);
  WP_CUDA_CHECK(cudaGraphLaunch(static_cast<cudaGraphExec_t>(exec), static_cast<cudaStream_t>(stream)), ordinal);
}

void cuda_capture_while(int ordinal, const int* condition, const std::function<void()>& body) {
  CaptureState& capture = *thread_capture(ordinal);
  DeviceGuard guard(ordinal);
  const WhileNode loop = add_while_node(capture, condition);
  cudaStream_t body_stream = nullptr;
  WP_CUDA_CHECK(cudaStreamCreateWithFlags(&body_stream, cudaStreamNonBlocking), ordinal);
  const cudaStream_t outer = capture.stream;
  const bool outer_in_body = capture.in_conditional_body;
  void* const previous_current = current_stream(ordinal);
  auto restore = [&] {
    capture.stream = outer;
    capture.in_conditional_body = outer_in_body;
    cuda_set_current_stream(ordinal, previous_current);
  };
  try {
    WP_CUDA_CHECK(cudaStreamBeginCaptureToGraph(body_stream, loop.body, nullptr, nullptr, 0,
                                                cudaStreamCaptureModeThreadLocal),
                  ordinal);
    capture.stream = body_stream;
    capture.in_conditional_body = true;
    cuda_set_current_stream(ordinal, body_stream);
    body();
    set_while_condition<<<1, 1, 0, body_stream>>>(loop.handle, condition);
    WP_CUDA_CHECK(cudaGetLastError(), ordinal);
    cudaGraph_t ended = nullptr;
    WP_CUDA_CHECK(cudaStreamEndCapture(body_stream, &ended), ordinal);
  } catch (const std::exception& e) {
    cudaGraph_t ended = nullptr;
    (void)cudaStreamEndCapture(body_stream, &ended);
    (void)cudaGetLastError();
    restore();
    (void)cudaStreamDestroy(body_stream);
    if (capture.failure.empty()) capture.failure = std::string("capture_while body failed: ") + e.what();
    throw;
  }
  restore();
  (void)cudaStreamDestroy(body_stream);
}

}  // namespace wp::detail
