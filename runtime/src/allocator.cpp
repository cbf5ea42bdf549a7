// allocator.cpp — host allocation (overridable), byte copies and fills; the CUDA seam.
#include "wp/allocator.h"
#include "wp/peer.h"

#include <cstring>
#include <new>
#include <string>

#include "wp/error.h"

#ifdef WARPC_RUNTIME_CUDA
#include "cuda_context.h"
#include "cuda_seam.h"
#endif

namespace wp {
namespace {

void* default_allocate(std::size_t bytes, std::size_t alignment, void*) {
  return ::operator new(bytes, std::align_val_t(alignment), std::nothrow);
}

void default_deallocate(void* ptr, std::size_t, std::size_t alignment, void*) {
  ::operator delete(ptr, std::align_val_t(alignment));
}

HostAllocator& current_allocator() {
  static HostAllocator a{default_allocate, default_deallocate, nullptr};
  return a;
}

[[noreturn, maybe_unused]] void no_cuda(const Device& device) {
  throw Error("CUDA support is not built: device '" + device.str() +
              "' cannot be used (this runtime was built for the CPU only)");
}

void* host_allocate(const HostAllocator& a, std::size_t bytes) {
  void* p = a.allocate(bytes, kHostAlignment, a.user);
  if (!p) throw Error("out of host memory allocating " + std::to_string(bytes) + " bytes");
  return p;
}

}  // namespace

HostAllocator set_host_allocator(const HostAllocator& a) {
  HostAllocator previous = current_allocator();
  if (a.allocate && a.deallocate) {
    current_allocator() = a;
  } else {
    current_allocator() = HostAllocator{default_allocate, default_deallocate, nullptr};
  }
  return previous;
}

HostAllocator host_allocator() { return current_allocator(); }

#ifndef WARPC_RUNTIME_CUDA
int cuda_device_count() { return 0; }  // with CUDA: src/alloc_cuda.cu
bool peer_access(const Device&, const Device&) { return false; }  // with CUDA: src/alloc_cuda.cu
#endif

bool cuda_built() {
#ifdef WARPC_RUNTIME_CUDA
  return true;
#else
  return false;
#endif
}

bool is_mempool_supported(const Device& device) {
  if (device.is_cpu()) return false;
#ifdef WARPC_RUNTIME_CUDA
  return detail::mempool_supported(device.ordinal());
#else
  no_cuda(device);
#endif
}

bool is_mempool_enabled(const Device& device) {
  if (device.is_cpu()) return false;
#ifdef WARPC_RUNTIME_CUDA
  return detail::mempool_enabled(device.ordinal());
#else
  no_cuda(device);
#endif
}

void set_mempool_enabled(const Device& device, bool enabled) {
  if (device.is_cpu()) {
    if (enabled) throw Error("set_mempool_enabled: the CPU has no stream-ordered memory pool");
    return;
  }
#ifdef WARPC_RUNTIME_CUDA
  detail::set_mempool_enabled(device.ordinal(), enabled);
#else
  no_cuda(device);
#endif
}

void set_mempool_release_threshold(const Device& device, uint64_t bytes) {
  if (device.is_cpu()) throw Error("set_mempool_release_threshold: the CPU has no stream-ordered memory pool");
#ifdef WARPC_RUNTIME_CUDA
  detail::set_mempool_release_threshold(device.ordinal(), bytes);
#else
  (void)bytes;
  no_cuda(device);
#endif
}

uint64_t mempool_used_bytes(const Device& device) {
  if (device.is_cpu()) return 0;
#ifdef WARPC_RUNTIME_CUDA
  return detail::mempool_used_bytes(device.ordinal());
#else
  no_cuda(device);
#endif
}

namespace detail {

std::shared_ptr<void> allocate_shared(const Device& device, std::size_t bytes) {
  if (device.is_cuda()) {
#ifdef WARPC_RUNTIME_CUDA
    if (bytes == 0) return {};
    const int ordinal = device.ordinal();
    const Allocation a = cuda_allocate(ordinal, bytes);
    return std::shared_ptr<void>(a.ptr, [ordinal, a](void*) { cuda_deallocate(ordinal, a); });
#else
    no_cuda(device);  // even for 0 bytes: the device itself is unusable
#endif
  }
  if (bytes == 0) return {};
  HostAllocator a = current_allocator();
  void* p = host_allocate(a, bytes);
  return std::shared_ptr<void>(
      p, [a, bytes](void* q) { a.deallocate(q, bytes, kHostAlignment, a.user); });
}

std::shared_ptr<void> allocate_shared(const Device& device, std::size_t bytes, bool pinned) {
  if (!pinned) return allocate_shared(device, bytes);
  if (!device.is_cpu()) {
    throw Error("pinned memory is host memory: device '" + device.str() +
                "' was given; use \"cpu\" with pinned=true");
  }
#ifdef WARPC_RUNTIME_CUDA
  if (bytes == 0) return {};
  return std::shared_ptr<void>(cuda_allocate_pinned(bytes), cuda_deallocate_pinned);
#else
  throw Error("pinned host memory needs CUDA support, which is not built in this runtime");
#endif
}

void copy_bytes(void* dst, const Device& dst_device, const void* src, const Device& src_device,
                std::size_t bytes) {
  if (bytes == 0) return;
#ifdef WARPC_RUNTIME_CUDA
  if (dst_device.is_cuda() || src_device.is_cuda())
    return cuda_copy(dst, dst_device, src, src_device, bytes);
#else
  if (dst_device.is_cuda()) no_cuda(dst_device);
  if (src_device.is_cuda()) no_cuda(src_device);
#endif
  std::memmove(dst, src, bytes);
}

void set_bytes(void* dst, const Device& device, int value, std::size_t bytes) {
  if (bytes == 0) return;
#ifdef WARPC_RUNTIME_CUDA
  if (device.is_cuda()) return cuda_set(dst, device.ordinal(), value, bytes);
#else
  if (device.is_cuda()) no_cuda(device);
#endif
  std::memset(dst, value, bytes);
}

#ifndef WARPC_RUNTIME_CUDA
void cuda_copy_strided(void*, const int64_t*, const void*, const int64_t*, const Device& device,
                       const Shape&, std::size_t) {
  no_cuda(device);
}
void cuda_fill(void*, const int64_t*, const Device& device, const Shape&, const void*,
               std::size_t) {
  no_cuda(device);
}
#endif

}  // namespace detail
}  // namespace wp
