// graph_seam.h (private) — what graph.cpp calls on the CUDA side (graph_cuda.cu); declared
// only with WARPC_RUNTIME_CUDA. Handles cross as void*; failures are wp::Error.
#pragma once

#ifdef WARPC_RUNTIME_CUDA

#include <cstddef>
#include <functional>
#include <memory>

namespace wp::detail {

struct CapturedGraph {
  std::size_t nodes;                 // nodes of the top-level graph
  std::shared_ptr<void> resources;   // graph, executable graph and kept memory
};

bool cuda_thread_captures(int ordinal);
void cuda_capture_begin(int ordinal, void* stream);
// instantiate=false leaves the instantiation to the first cuda_graph_launch.
CapturedGraph cuda_capture_end(bool instantiate = true);
// Ends the calling thread's capture, if any, and discards it (its allocations never existed).
void cuda_capture_abort();
void cuda_graph_launch(int ordinal, const CapturedGraph& graph, void* stream);
// Whether two captured graphs hold the same work (wp::detail::same_work in wp/graph.h).
bool cuda_same_work(const CapturedGraph& a, const CapturedGraph& b);
// Inside a capture of the calling thread on `ordinal`: a conditional WHILE node.
void cuda_capture_while(int ordinal, const int* condition, const std::function<void()>& body);

}  // namespace wp::detail

#endif
