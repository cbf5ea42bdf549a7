// wp/allocator.h — the runtime's memory seam: every byte an array owns comes from here.
//
// Contract:
//  * detail::allocate_shared(device, bytes) returns memory for `bytes` bytes on `device`,
//    aligned to kHostAlignment (64) bytes on the host, freed with the last shared_ptr copy;
//    0 bytes returns an empty pointer. Failure → wp::Error.
//  * Host allocation can be overridden (set_host_allocator) for pools, tracking or tests; the
//    allocator in force when memory was allocated is the one that frees it (arrays capture it).
//  * CUDA devices: when the runtime is built without CUDA every CUDA operation throws
//    wp::Error("CUDA support is not built …"). With CUDA (WARPC_RUNTIME_CUDA, set by CMake
//    when a toolkit is found) src/alloc_cuda.cu allocates device memory from the device's
//    STREAM-ORDERED MEMORY POOL (cudaMallocAsync on the device's current stream, freed memory
//    kept for reuse) where the device supports pools, else with cudaMalloc;
//    set_mempool_enabled(device, false) switches a device to cudaMalloc/cudaFree (memory
//    already allocated is freed the way it was allocated). cudaMallocHost gives pinned host
//    memory. Every CUDA call is checked (failures → wp::Error naming the call and
//    cudaGetErrorString). Allocation inside a graph capture: see wp/graph.h.
//  * Device ordinals are validated at first use: "cuda:N" with N ≥ cuda_device_count()
//    throws wp::Error naming the device and the count.
//  * copy_bytes/set_bytes and the strided CUDA helpers run on the device's current stream
//    (wp/stream.h): host↔device copies return when the host side is done; device-side work
//    (memset, fill and strided-copy kernels, device↔device copies) is ordered with later work
//    on that stream and may still be running on return. A copy between two CUDA devices runs
//    on the destination's current stream after the source's current stream's earlier work.
//  * Freeing never throws (it runs in destructors): a failing free — e.g. after a kernel
//    trapped and broke the context — is ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "wp/device.h"
#include "wp/shape.h"

namespace wp {

inline constexpr std::size_t kHostAlignment = 64;

struct HostAllocator {
  // allocate(bytes, alignment, user) → pointer or nullptr on failure.
  void* (*allocate)(std::size_t bytes, std::size_t alignment, void* user) = nullptr;
  void (*deallocate)(void* ptr, std::size_t bytes, std::size_t alignment, void* user) = nullptr;
  void* user = nullptr;
};

// Installs `a` for later host allocations; a default HostAllocator{} restores the built-in
// one (64-byte aligned operator new). Returns the previous allocator. Not thread-safe with
// concurrent allocations: install it at start-up.
HostAllocator set_host_allocator(const HostAllocator& a);
HostAllocator host_allocator();

// The stream-ordered allocator of a CUDA device (see the contract). For the CPU:
// mempool_supported/enabled are false, set_mempool_enabled(cpu, true) throws, used bytes 0.
bool is_mempool_supported(const Device& device);
bool is_mempool_enabled(const Device& device);
void set_mempool_enabled(const Device& device, bool enabled);
// Bytes of freed memory the pool keeps for reuse before returning memory to the driver at
// the next synchronisation (default: everything).
void set_mempool_release_threshold(const Device& device, uint64_t bytes);
// Bytes currently allocated from the device's pool.
uint64_t mempool_used_bytes(const Device& device);

// True when the runtime was built with CUDA support (WARPC_RUNTIME_CUDA).
bool cuda_built();
// Number of CUDA devices visible to the runtime: 0 when CUDA is not built, or when no
// device/driver is present (never throws).
int cuda_device_count();

namespace detail {

// Memory for `bytes` bytes on `device` in a shared_ptr whose deleter frees it with the
// allocator in force now. 0 bytes → an empty shared_ptr.
std::shared_ptr<void> allocate_shared(const Device& device, std::size_t bytes);
// Page-locked host memory (cudaMallocHost) when pinned is true: `device` must be the CPU and
// CUDA must be built; pinned=false is allocate_shared(device, bytes).
std::shared_ptr<void> allocate_shared(const Device& device, std::size_t bytes, bool pinned);
// Copies `bytes` bytes between two allocations, either of which may be on any device.
void copy_bytes(void* dst, const Device& dst_device, const void* src, const Device& src_device,
                std::size_t bytes);
void set_bytes(void* dst, const Device& device, int value, std::size_t bytes);

// Element-wise helpers for arrays on CUDA devices (declared in every build; without CUDA
// they throw the "not built" error). `shape` has 1–4 dims; strides are in bytes.
// Copies shape.size() elements of elem_size bytes between two arrays on the same CUDA
// device, any strides (a grid-stride kernel; cudaMemcpy when both are packed).
void cuda_copy_strided(void* dst, const int64_t* dst_strides, const void* src,
                       const int64_t* src_strides, const Device& device, const Shape& shape,
                       std::size_t elem_size);
// Writes the elem_size-byte pattern `value` (elem_size ≤ 256) to every element.
void cuda_fill(void* dst, const int64_t* strides, const Device& device, const Shape& shape,
               const void* value, std::size_t elem_size);


}  // namespace detail
}  // namespace wp
