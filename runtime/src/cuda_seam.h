// cuda_seam.h (private) — the functions the runtime's portable sources (allocator.cpp,
// stream.cpp, graph.cpp) call on the CUDA side. Declared only with WARPC_RUNTIME_CUDA and
// implemented in alloc_cuda.cu, stream_cuda.cu and graph_cuda.cu; a CPU-only runtime never
// reaches them (its CUDA paths throw "CUDA support is not built" first).
//
// Contract: handles cross the seam as void* (cudaStream_t, cudaEvent_t); ordinals are
// validated by the callee; failures are wp::Error; functions marked noexcept run from
// destructors and ignore CUDA errors.
#pragma once

#ifdef WARPC_RUNTIME_CUDA

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "wp/device.h"

namespace wp::detail {

// Memory (alloc_cuda.cu).
struct Allocation;
Allocation cuda_allocate(int ordinal, std::size_t bytes);
void cuda_deallocate(int ordinal, Allocation a) noexcept;
void* cuda_allocate_pinned(std::size_t bytes);
void cuda_deallocate_pinned(void* ptr);  // never throws
void cuda_copy(void* dst, const Device& dst_device, const void* src, const Device& src_device,
               std::size_t bytes);
void cuda_set(void* dst, int ordinal, int value, std::size_t bytes);
bool mempool_supported(int ordinal);
bool mempool_enabled(int ordinal);
void set_mempool_enabled(int ordinal, bool enabled);
void set_mempool_release_threshold(int ordinal, uint64_t bytes);
uint64_t mempool_used_bytes(int ordinal);

// Streams and events (stream_cuda.cu).
void* cuda_stream_create(int ordinal);
void cuda_stream_destroy(int ordinal, void* stream) noexcept;
void cuda_stream_synchronize(int ordinal, void* stream);
void* cuda_current_stream(int ordinal);
void cuda_set_current_stream(int ordinal, void* stream);  // nullptr → the default stream
void cuda_stream_wait_event(int ordinal, void* stream, void* event);
void cuda_stream_wait_stream(int ordinal, void* stream, int other_ordinal, void* other);
bool cuda_stream_is_capturing(int ordinal, void* stream);
void* cuda_event_create(int ordinal, bool timing);
void cuda_event_destroy(int ordinal, void* event) noexcept;
void cuda_event_record(int ordinal, void* event, void* stream);
void cuda_event_synchronize(int ordinal, void* event);
bool cuda_event_query(int ordinal, void* event);
float cuda_event_elapsed_ms(int ordinal, void* start, void* end);
// cudaDeviceSynchronize on `ordinal`, or on every device when ordinal < 0.
void cuda_device_synchronize(int ordinal);

}  // namespace wp::detail

#endif
