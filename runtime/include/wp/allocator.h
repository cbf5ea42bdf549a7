// wp/allocator.h — the runtime's memory seam: every byte an array owns comes from here.
//
// Contract:
//  * detail::allocate(device, bytes) returns memory for `bytes` bytes on `device`, aligned
//    to kHostAlignment (64) bytes on the host; 0 bytes returns nullptr. Failure → wp::Error.
//    The matching detail::deallocate must get the same device and size.
//  * Host allocation can be overridden (set_host_allocator) for pools, tracking or tests; the
//    allocator in force when memory was allocated is the one that frees it (arrays capture it).
//  * CUDA devices: when the runtime is built without CUDA (today, always) every CUDA
//    operation throws wp::Error("CUDA support is not built …"). The CUDA side will live in
//    src/alloc_cuda.cu implementing the detail::cuda_* functions declared below, compiled
//    only when WARPC_RUNTIME_CUDA is defined (issue 3).
//  * copy_bytes/set_bytes are synchronous on the host; for CUDA they will be stream-ordered.
#pragma once

#include <cstddef>
#include <memory>

#include "wp/device.h"

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

// True when the runtime was built with CUDA support (false in this slice).
bool cuda_built();

namespace detail {

void* allocate(const Device& device, std::size_t bytes);
void deallocate(const Device& device, void* ptr, std::size_t bytes);
// allocate() wrapped in a shared_ptr whose deleter frees with the allocator in force now.
// 0 bytes → an empty shared_ptr.
std::shared_ptr<void> allocate_shared(const Device& device, std::size_t bytes);
// Copies `bytes` bytes between two allocations, either of which may be on any device.
void copy_bytes(void* dst, const Device& dst_device, const void* src, const Device& src_device,
                std::size_t bytes);
void set_bytes(void* dst, const Device& device, int value, std::size_t bytes);

#ifdef WARPC_RUNTIME_CUDA
// Implemented in src/alloc_cuda.cu (not yet written).
void* cuda_allocate(int ordinal, std::size_t bytes);
void cuda_deallocate(int ordinal, void* ptr);
void cuda_copy(void* dst, const Device& dst_device, const void* src, const Device& src_device,
               std::size_t bytes);
void cuda_set(void* dst, int ordinal, int value, std::size_t bytes);
#endif

}  // namespace detail
}  // namespace wp
