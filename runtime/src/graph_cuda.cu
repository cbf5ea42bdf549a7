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
//  * cuda_capture_end(false) leaves the instantiation to the first launch; cuda_capture_abort
//    discards a capture like a failed capture_end, without an error.
//  * cuda_same_work compares two captured graphs node by node (in a topological order, each
//    node's dependencies by position): kernels by function, launch shape and argument bytes
//    (the driver's node parameters and parameter layout: cuGraphKernelNodeGetParams with
//    cuFuncGetParamInfo / cuKernelGetParamInfo, which also describe module kernels), copies, fills and events by their parameters, empty nodes as equal;
//    any other node, and any query CUDA refuses, makes the graphs different.
#include <cuda.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

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
  cudaGraphExec_t exec = nullptr;        // null until instantiated (capture_end or first launch)
  unsigned long long instantiate_flags = 0;
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
void drop_capture(const CaptureState& capture, cudaGraph_t graph) {
  if (graph) (void)cudaGraphDestroy(graph);
  orphan_allocations(capture.live);
  for (const Allocation& a : capture.deferred_frees) release_allocation(capture.ordinal, a);
}

[[noreturn]] void discard_capture(std::unique_ptr<CaptureState> capture, cudaGraph_t graph, const std::string& why) {
  drop_capture(*capture, graph);
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

CapturedGraph cuda_capture_end(bool instantiate) {
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
  resources->instantiate_flags =
      capture->live.empty() ? 0ull : static_cast<unsigned long long>(cudaGraphInstantiateFlagAutoFreeOnLaunch);
  if (instantiate) WP_CUDA_CHECK(cudaGraphInstantiate(&resources->exec, graph, resources->instantiate_flags), ordinal);
  std::size_t nodes = 0;
  WP_CUDA_CHECK(cudaGraphGetNodes(graph, nullptr, &nodes), ordinal);
  return CapturedGraph{nodes, std::shared_ptr<void>(resources, resources.get())};
}

void cuda_capture_abort() {
  if (!t_capture) return;
  std::unique_ptr<CaptureState> capture(std::exchange(t_capture, nullptr));
  DeviceGuard guard(capture->ordinal);
  cudaGraph_t graph = nullptr;
  (void)cudaStreamEndCapture(capture->stream, &graph);
  (void)cudaGetLastError();
  drop_capture(*capture, graph);
}

void cuda_graph_launch(int ordinal, const CapturedGraph& graph, void* stream) {
  DeviceGuard guard(ordinal);
  auto& resources = *static_cast<GraphResources*>(graph.resources.get());
  if (!resources.exec)
    WP_CUDA_CHECK(cudaGraphInstantiate(&resources.exec, resources.graph, resources.instantiate_flags), ordinal);
  WP_CUDA_CHECK(cudaGraphLaunch(resources.exec, static_cast<cudaStream_t>(stream)), ordinal);
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

// ---- Comparing two captured graphs (cuda_same_work) ----------------------------------------

namespace {

// The driver's view of kernel nodes (through cudaGetDriverEntryPointByVersion: the runtime
// does not link libcuda). The runtime's cudaGraphKernelNodeGetParams cannot describe a kernel
// launched from a module with cuLaunchKernel (the NVRTC path: cudaErrorInvalidDeviceFunction);
// the driver's call describes both kinds, as a CUfunction or a CUkernel.
struct DriverGraphApi {
  decltype(&cuGraphKernelNodeGetParams) node_params = nullptr;
  decltype(&cuFuncGetParamInfo) func_param_info = nullptr;
  decltype(&cuKernelGetParamInfo) kernel_param_info = nullptr;
};

const DriverGraphApi& driver_graph_api() {
  static const DriverGraphApi api = [] {
    DriverGraphApi a;
    auto get = [](const char* symbol, auto* out) {
      void* fn = nullptr;
      cudaDriverEntryPointQueryResult status{};
      if (cudaGetDriverEntryPointByVersion(symbol, &fn, 12040, cudaEnableDefault, &status) == cudaSuccess &&
          status == cudaDriverEntryPointSuccess)
        *out = reinterpret_cast<std::remove_pointer_t<decltype(out)>>(fn);
      (void)cudaGetLastError();
    };
    get("cuGraphKernelNodeGetParams", &a.node_params);
    get("cuFuncGetParamInfo", &a.func_param_info);
    get("cuKernelGetParamInfo", &a.kernel_param_info);
    return a;
  }();
  return api;
}

// The byte sizes of a kernel node's parameters as the driver lays them out; false when it
// does not say.
bool param_sizes(const CUDA_KERNEL_NODE_PARAMS& p, std::vector<std::size_t>& sizes) {
  const DriverGraphApi& api = driver_graph_api();
  sizes.clear();
  for (std::size_t i = 0; i < 4096; ++i) {
    std::size_t offset = 0, size = 0;
    CUresult r = CUDA_ERROR_INVALID_VALUE;
    if (p.func && api.func_param_info) r = api.func_param_info(p.func, i, &offset, &size);
    else if (!p.func && p.kern && api.kernel_param_info) r = api.kernel_param_info(p.kern, i, &offset, &size);
    if (r != CUDA_SUCCESS) break;
    sizes.push_back(size);
  }
  (void)cudaGetLastError();
  return !sizes.empty();
}

bool kernel_params(cudaGraphNode_t node, CUDA_KERNEL_NODE_PARAMS& p) {
  const DriverGraphApi& api = driver_graph_api();
  return api.node_params && api.node_params(node, &p) == CUDA_SUCCESS;
}

bool same_kernel(cudaGraphNode_t a, cudaGraphNode_t b) {
  CUDA_KERNEL_NODE_PARAMS pa{}, pb{};
  if (!kernel_params(a, pa) || !kernel_params(b, pb)) return false;
  if (pa.func != pb.func || pa.kern != pb.kern || pa.sharedMemBytes != pb.sharedMemBytes || pa.extra || pb.extra)
    return false;
  if (pa.gridDimX != pb.gridDimX || pa.gridDimY != pb.gridDimY || pa.gridDimZ != pb.gridDimZ) return false;
  if (pa.blockDimX != pb.blockDimX || pa.blockDimY != pb.blockDimY || pa.blockDimZ != pb.blockDimZ) return false;
  std::vector<std::size_t> sizes;
  if (!pa.kernelParams || !pb.kernelParams || !param_sizes(pa, sizes)) return false;
  for (std::size_t i = 0; i < sizes.size(); ++i)
    if (std::memcmp(pa.kernelParams[i], pb.kernelParams[i], sizes[i]) != 0) return false;
  return true;
}

bool same_pitched(const cudaPitchedPtr& a, const cudaPitchedPtr& b) {
  return a.ptr == b.ptr && a.pitch == b.pitch && a.xsize == b.xsize && a.ysize == b.ysize;
}
bool same_pos(const cudaPos& a, const cudaPos& b) { return a.x == b.x && a.y == b.y && a.z == b.z; }

bool same_copy(cudaGraphNode_t a, cudaGraphNode_t b) {
  cudaMemcpy3DParms pa{}, pb{};
  if (cudaGraphMemcpyNodeGetParams(a, &pa) != cudaSuccess || cudaGraphMemcpyNodeGetParams(b, &pb) != cudaSuccess)
    return false;
  return pa.srcArray == pb.srcArray && same_pos(pa.srcPos, pb.srcPos) && same_pitched(pa.srcPtr, pb.srcPtr) &&
         pa.dstArray == pb.dstArray && same_pos(pa.dstPos, pb.dstPos) && same_pitched(pa.dstPtr, pb.dstPtr) &&
         pa.extent.width == pb.extent.width && pa.extent.height == pb.extent.height &&
         pa.extent.depth == pb.extent.depth && pa.kind == pb.kind;
}

bool same_fill(cudaGraphNode_t a, cudaGraphNode_t b) {
  cudaMemsetParams pa{}, pb{};
  if (cudaGraphMemsetNodeGetParams(a, &pa) != cudaSuccess || cudaGraphMemsetNodeGetParams(b, &pb) != cudaSuccess)
    return false;
  return pa.dst == pb.dst && pa.pitch == pb.pitch && pa.value == pb.value && pa.elementSize == pb.elementSize &&
         pa.width == pb.width && pa.height == pb.height;
}

bool same_event(cudaGraphNode_t a, cudaGraphNode_t b, bool record) {
  cudaEvent_t ea = nullptr, eb = nullptr;
  const auto get = record ? cudaGraphEventRecordNodeGetEvent : cudaGraphEventWaitNodeGetEvent;
  return get(a, &ea) == cudaSuccess && get(b, &eb) == cudaSuccess && ea == eb;
}

bool same_node(cudaGraphNode_t a, cudaGraphNode_t b) {
  cudaGraphNodeType ta, tb;
  if (cudaGraphNodeGetType(a, &ta) != cudaSuccess || cudaGraphNodeGetType(b, &tb) != cudaSuccess || ta != tb)
    return false;
  switch (ta) {
    case cudaGraphNodeTypeKernel: return same_kernel(a, b);
    case cudaGraphNodeTypeMemcpy: return same_copy(a, b);
    case cudaGraphNodeTypeMemset: return same_fill(a, b);
    case cudaGraphNodeTypeEventRecord: return same_event(a, b, true);
    case cudaGraphNodeTypeWaitEvent: return same_event(a, b, false);
    case cudaGraphNodeTypeEmpty: return true;
    default: return false;  // allocations (addresses differ per capture), host nodes, child graphs, …
  }
}

// The positions of `node`'s dependencies in `nodes`, sorted; false when CUDA does not say.
bool dependency_positions(cudaGraphNode_t node, const std::vector<cudaGraphNode_t>& nodes, std::vector<std::size_t>& out) {
  std::size_t count = 0;
  if (cudaGraphNodeGetDependencies(node, nullptr, nullptr, &count) != cudaSuccess) return false;
  std::vector<cudaGraphNode_t> deps(count);
  if (count && cudaGraphNodeGetDependencies(node, deps.data(), nullptr, &count) != cudaSuccess) return false;
  out.clear();
  for (cudaGraphNode_t d : deps) {
    const auto it = std::find(nodes.begin(), nodes.end(), d);
    if (it == nodes.end()) return false;
    out.push_back(static_cast<std::size_t>(it - nodes.begin()));
  }
  std::sort(out.begin(), out.end());
  return true;
}

// The graph's nodes in a topological order: repeatedly the first node (in the order
// cudaGraphGetNodes lists them, which CUDA does not define) whose dependencies are all listed.
// A captured chain of work (one stream) has exactly one such order, so two captures of the
// same work list their nodes alike; empty when CUDA does not answer.
std::vector<cudaGraphNode_t> graph_nodes(cudaGraph_t graph) {
  std::size_t count = 0;
  if (cudaGraphGetNodes(graph, nullptr, &count) != cudaSuccess) return {};
  std::vector<cudaGraphNode_t> nodes(count);
  if (count && cudaGraphGetNodes(graph, nodes.data(), &count) != cudaSuccess) return {};
  std::vector<std::vector<cudaGraphNode_t>> deps(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t n = 0;
    if (cudaGraphNodeGetDependencies(nodes[i], nullptr, nullptr, &n) != cudaSuccess) return {};
    deps[i].resize(n);
    if (n && cudaGraphNodeGetDependencies(nodes[i], deps[i].data(), nullptr, &n) != cudaSuccess) return {};
  }
  std::vector<cudaGraphNode_t> order;
  std::vector<bool> listed(count, false);
  while (order.size() < count) {
    std::size_t next = count;
    for (std::size_t i = 0; i < count && next == count; ++i) {
      if (listed[i]) continue;
      const bool ready = std::all_of(deps[i].begin(), deps[i].end(), [&](cudaGraphNode_t d) {
        return std::find(order.begin(), order.end(), d) != order.end();
      });
      if (ready) next = i;
    }
    if (next == count) return {};  // not a DAG: cannot happen for a captured graph
    listed[next] = true;
    order.push_back(nodes[next]);
  }
  return order;
}

}  // namespace

bool cuda_same_work(const CapturedGraph& a, const CapturedGraph& b) {
  const auto& ra = *static_cast<const GraphResources*>(a.resources.get());
  const auto& rb = *static_cast<const GraphResources*>(b.resources.get());
  if (ra.ordinal != rb.ordinal) return false;
  DeviceGuard guard(ra.ordinal);
  const std::vector<cudaGraphNode_t> na = graph_nodes(ra.graph), nb = graph_nodes(rb.graph);
  bool same = na.size() == nb.size() && !na.empty();
  std::vector<std::size_t> da, db;
  std::size_t i = 0;
  for (; same && i < na.size(); ++i)
    same = same_node(na[i], nb[i]) && dependency_positions(na[i], na, da) && dependency_positions(nb[i], nb, db) && da == db;
  (void)cudaGetLastError();  // a refused query is an answer ("different"), not a launch error
  static const bool explain = std::getenv("WARPC_DEBUG_STEP_GRAPHS") != nullptr;
  if (explain && !same) {
    std::fprintf(stderr, "warpc: captured graphs differ: %zu vs %zu nodes", na.size(), nb.size());
    if (i > 0 && i <= na.size() && na.size() == nb.size()) {
      cudaGraphNodeType t = cudaGraphNodeTypeEmpty;
      (void)cudaGraphNodeGetType(na[i - 1], &t);
      std::fprintf(stderr, "; node %zu (type %d) differs", i - 1, static_cast<int>(t));
      if (t == cudaGraphNodeTypeKernel) {
        CUDA_KERNEL_NODE_PARAMS pa{}, pb{};
        const bool got = kernel_params(na[i - 1], pa) && kernel_params(nb[i - 1], pb);
        std::vector<std::size_t> sizes;
        const bool known = got && param_sizes(pa, sizes);
        std::fprintf(stderr, " (driver params %s, func %p/%p, kern %p/%p, grid %u/%u, block %u/%u, param sizes %s %zu)",
                     got ? "read" : "not read", static_cast<void*>(pa.func), static_cast<void*>(pb.func),
                     static_cast<void*>(pa.kern), static_cast<void*>(pb.kern), pa.gridDimX, pb.gridDimX,
                     pa.blockDimX, pb.blockDimX, known ? "known" : "unknown", sizes.size());
        for (std::size_t p = 0; known && p < sizes.size(); ++p)
          if (std::memcmp(pa.kernelParams[p], pb.kernelParams[p], sizes[p]) != 0)
            std::fprintf(stderr, " [param %zu of %zu bytes differs]", p, sizes[p]);
      }
    }
    std::fprintf(stderr, "\n");
    (void)cudaGetLastError();
  }
  return same;
}

}  // namespace wp::detail
