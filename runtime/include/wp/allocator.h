// wp/allocator.h — the runtime's memory seam: every byte an array owns comes from here.
//
// Contract:
//  * detail::allocate(device, bytes) returns memory for `bytes` bytes on `device`, aligned
//    to kHostAlignment (64) bytes on the host; 0 bytes returns nullptr. Failure → wp::Error.
//    The matching detail::deallocate must get the same device and size.
//  * Host allocation can be overridden (set_host_allocator) for pools, tracking or tests; the
//    allocator in force when memory was allocated is the one that frees it (arrays capture it).
//  * CUDA devices: when the runtime is built without CUDA every CUDA operation throws
//    wp::Error("CUDA support is not built …"). With CUDA (WARPC_RUNTIME_CUDA, set by CMake
//    when a toolkit is found) src/alloc_cuda.cu implements the detail::cuda_* functions:
//    cudaMalloc/cudaFree on the array's device, cudaMallocHost for pinned host memory, every
//    CUDA call checked (failures → wp::Error naming the call and cudaGetErrorString).
//  * Device ordinals are validated at first use: "cuda:N" with N ≥ cuda_device_count()
//    throws wp::Error naming the device and the count.
//  * copy_bytes/set_bytes and the strided CUDA helpers run on the legacy default stream:
//    host↔device copies return when the host side is done; device-side work (memset, fill
//    and strided-copy kernels, device↔device copies) is ordered with later default-stream
//    work and with blocking streams (wp::Stream), and may still be running on return.
//  * cuda_deallocate never throws (it runs in destructors): a failing cudaFree — e.g. after
//    a kernel trapped and broke the context — is ignored.
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

// True when the runtime was built with CUDA support (WARPC_RUNTIME_CUDA).
bool cuda_built();
// Number of CUDA devices visible to the runtime: 0 when CUDA is not built, or when no
// device/driver is present (never throws).
int cuda_device_count();

namespace detail {

void* allocate(const Device& device, std::size_t bytes);
void deallocate(const Device& device, void* ptr, std::size_t bytes);
// allocate() wrapped in a shared_ptr whose deleter frees with the allocator in force now.
// 0 bytes → an empty shared_ptr.
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

#ifdef WARPC_RUNTIME_CUDA
// Implemented in src/alloc_cuda.cu.
void* cuda_allocate(int ordinal, std::size_t bytes);
void cuda_deallocate(int ordinal, void* ptr);  // never throws
void* cuda_allocate_pinned(std::size_t bytes);
void cuda_deallocate_pinned(void* ptr);  // never throws
void cuda_copy(void* dst, const Device& dst_device, const void* src, const Device& src_device,
               std::size_t bytes);
void cuda_set(void* dst, int ordinal, int value, std::size_t bytes);
// Streams (see wp/stream.h): create on `ordinal` → cudaStream_t as void*.
void* cuda_stream_create(int ordinal);
void cuda_stream_destroy(int ordinal, void* stream);  // never throws
void cuda_stream_synchronize(int ordinal, void* stream);
// cudaDeviceSynchronize on `ordinal`, or on every device when ordinal < 0.
void cuda_device_synchronize(int ordinal);
#endif

}  // namespace detail
}  // namespace wp
