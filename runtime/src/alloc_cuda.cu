// alloc_cuda.cu — the CUDA side of the runtime's memory (compiled only with
// WARPC_RUNTIME_CUDA): device allocation (the stream-ordered pool or cudaMalloc), pinned
// allocation, copies, memset, fill and strided-copy kernels, device synchronisation, and the
// error/validation helpers every CUDA source shares (cuda_context.h).
//
// Contract (see wp/allocator.h, wp/stream.h and wp/graph.h):
//  * Every CUDA call goes through WP_CUDA_CHECK: a failure throws wp::Error
//    "<call> failed on device 'cuda:N': <cudaGetErrorString> (<error name>)".
//  * Work for device N runs with N current (DeviceGuard), restoring the caller's current
//    device afterwards; ordinals are validated first (validate_ordinal).
//  * Work is queued on the device's current stream. Host↔device copies synchronise that
//    stream before returning. Kernels are grid-stride loops of 256-thread blocks.
//  * Allocation: from the device's default memory pool (cudaMallocAsync on the current
//    stream; the pool keeps freed memory for reuse: release threshold = unlimited) when the
//    device supports pools and the pool is enabled, else cudaMalloc. Pool memory is freed
//    with cudaFreeAsync on the legacy default stream, which runs after all earlier work of
//    every blocking stream of the device — so memory is never reused while a kernel queued on
//    any runtime stream may still read it. During a graph capture of the calling thread,
//    allocation and free become graph nodes or are deferred to the graph (wp/graph.h).
//  * Functions used from destructors (free, stream destroy) ignore errors.
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_set>

#include "cuda_context.h"
#include "cuda_seam.h"
#include "wp/allocator.h"
#include "wp/peer.h"
#include "wp/error.h"

namespace wp::detail {

void throw_cuda_error(cudaError_t err, const char* call, int ordinal) {
  const std::string where =
      ordinal >= 0 ? " on device 'cuda:" + std::to_string(ordinal) + "'" : std::string();
  throw Error(std::string(call) + " failed" + where + ": " + cudaGetErrorString(err) + " (" +
              cudaGetErrorName(err) + ")");
}

void validate_ordinal(int ordinal) {
  static const int count = cuda_device_count();
  if (ordinal >= 0 && ordinal < count) return;
  throw Error("CUDA device 'cuda:" + std::to_string(ordinal) + "' is not available: " +
              std::to_string(count) + " CUDA device" + (count == 1 ? "" : "s") +
              " found" + (count > 0 ? " (valid ordinals 0.." + std::to_string(count - 1) + ")"
                                    : std::string()));
}

DeviceGuard::DeviceGuard(int ordinal) {
  validate_ordinal(ordinal);
  WP_CUDA_CHECK(cudaGetDevice(&previous_), ordinal);
  if (previous_ != ordinal) {
    WP_CUDA_CHECK(cudaSetDevice(ordinal), ordinal);
    restore_ = true;
  }
}

namespace {

constexpr int kBlock = 256;
constexpr std::size_t kMaxPattern = 256;

int grid_for(int64_t n) {
  return static_cast<int>(std::min<int64_t>((n + kBlock - 1) / kBlock, 65535));
}

// Shape and two sets of byte strides, padded to 4 dims; passed to kernels by value.
struct Layout {
  int ndim;
  int shape[4];
  int64_t a[4];
  int64_t b[4];
};

Layout make_layout(const Shape& shape, const int64_t* a, const int64_t* b) {
  Layout l{};
  l.ndim = shape.ndim();
  for (int d = 0; d < l.ndim; ++d) {
    l.shape[d] = shape[d];
    l.a[d] = a[d];
    l.b[d] = b[d];
  }
  return l;
}

// Byte offsets of flat (row-major) element i under both stride sets.
__device__ void offsets(const Layout& l, int64_t i, int64_t& oa, int64_t& ob) {
  oa = 0;
  ob = 0;
  for (int d = l.ndim - 1; d >= 0; --d) {
    const int64_t c = i % l.shape[d];
    i /= l.shape[d];
    oa += c * l.a[d];
    ob += c * l.b[d];
  }
}

// Copies one element in words of W (1, 4 or 8) bytes.
template <typename W>
__device__ void copy_words(char* dst, const char* src, unsigned bytes) {
  for (unsigned w = 0; w < bytes; w += sizeof(W))
    *reinterpret_cast<W*>(dst + w) = *reinterpret_cast<const W*>(src + w);
}

template <typename W>
__global__ void copy_strided_kernel(char* dst, const char* src, Layout l, int64_t n,
                                    unsigned elem) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t od, os;
    offsets(l, i, od, os);
    copy_words<W>(dst + od, src + os, elem);
  }
}

struct alignas(16) Pattern {  // aligned so kernels may read it in 8-byte words
  unsigned char bytes[kMaxPattern];
};

template <typename W>
__global__ void fill_kernel(char* dst, Layout l, int64_t n, unsigned elem, Pattern p) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t od, unused;
    offsets(l, i, od, unused);
    copy_words<W>(dst + od, reinterpret_cast<const char*>(p.bytes), elem);
  }
}

// The widest word (8, 4 or 1 bytes) dividing the element size, every stride and the bases.
int word_size(std::size_t elem, const Layout& l, const void* p, const void* q) {
  for (int w : {8, 4}) {
    bool ok = elem % w == 0 && reinterpret_cast<std::uintptr_t>(p) % w == 0 &&
              reinterpret_cast<std::uintptr_t>(q) % w == 0;
    for (int d = 0; d < l.ndim; ++d) ok = ok && l.a[d] % w == 0 && l.b[d] % w == 0;
    if (ok) return w;
  }
  return 1;
}

void check_launch(const char* kernel, int ordinal) {
  cuda_check(cudaGetLastError(), kernel, ordinal);
}

// Pool state of each device: 0 not yet looked at, then kPoolOn / kPoolOff / kPoolNone.
constexpr int kPoolOn = 1, kPoolOff = 2, kPoolNone = 3;
std::atomic<int> g_pool_state[kMaxCudaDevices];
std::mutex g_orphan_mutex;
std::unordered_set<void*> g_orphans;  // capture allocations whose graph was discarded
std::atomic<bool> g_have_orphans{false};

int pool_state(int ordinal) {
  const int state = g_pool_state[ordinal].load(std::memory_order_acquire);
  if (state != 0) [[likely]]
    return state;
  DeviceGuard guard(ordinal);
  int supported = 0;
  WP_CUDA_CHECK(cudaDeviceGetAttribute(&supported, cudaDevAttrMemoryPoolsSupported, ordinal), ordinal);
  int next = kPoolNone;
  if (supported) {
    cudaMemPool_t pool = nullptr;
    WP_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, ordinal), ordinal);
    uint64_t keep_everything = UINT64_MAX;
    WP_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep_everything), ordinal);
    next = kPoolOn;
  }
  int expected = 0;
  g_pool_state[ordinal].compare_exchange_strong(expected, next);
  return g_pool_state[ordinal].load();
}

void* allocate_in_capture(CaptureState& capture, std::size_t bytes) {
  const int ordinal = capture.ordinal;
  if (capture.in_conditional_body) {
    throw Error("allocation of " + std::to_string(bytes) + " bytes on 'cuda:" + std::to_string(ordinal) +
                "' inside a capture_while body: allocate the arrays the loop needs before it");
  }
  if (pool_state(ordinal) != kPoolOn) {
    throw Error("allocation of " + std::to_string(bytes) + " bytes on 'cuda:" + std::to_string(ordinal) +
                "' during graph capture needs the stream-ordered allocator, which is disabled or unsupported "
                "on this device: allocate before capture_begin");
  }
  void* p = nullptr;
  WP_CUDA_CHECK(cudaMallocAsync(&p, bytes, capture.stream), ordinal);
  capture.live.emplace(p, bytes);
  return p;
}

// True when `ptr` is page-locked host memory (which a graph may copy from or to).
bool is_pinned_host(const void* ptr) {
  cudaPointerAttributes attributes{};
  if (cudaPointerGetAttributes(&attributes, ptr) != cudaSuccess) {
    (void)cudaGetLastError();
    return false;
  }
  return attributes.type == cudaMemoryTypeHost;
}

void check_capturable_copy(int ordinal, const void* host_side) {
  if (!thread_capture(ordinal) || is_pinned_host(host_side)) return;
  throw Error("a copy between pageable host memory and 'cuda:" + std::to_string(ordinal) +
              "' cannot be captured into a graph: copy before capture_begin or after capture_end, or use "
              "pinned host memory (wp::pinned)");
}

}  // namespace

Allocation cuda_allocate(int ordinal, std::size_t bytes) {
  DeviceGuard guard(ordinal);
  if (CaptureState* capture = thread_capture(ordinal)) return {allocate_in_capture(*capture, bytes), true};
  void* p = nullptr;
  if (pool_state(ordinal) == kPoolOn) {
    WP_CUDA_CHECK(cudaMallocAsync(&p, bytes, current_stream(ordinal)), ordinal);
    return {p, true};
  }
  WP_CUDA_CHECK(cudaMalloc(&p, bytes), ordinal);
  return {p, false};
}

void release_allocation(int ordinal, const Allocation& a) noexcept {
  if (g_have_orphans.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(g_orphan_mutex);
    if (g_orphans.erase(a.ptr)) return;
  }
  int previous = 0;
  if (cudaGetDevice(&previous) != cudaSuccess) return;
  if (previous != ordinal) (void)cudaSetDevice(ordinal);
  if (a.pooled) {
    (void)cudaFreeAsync(a.ptr, cudaStreamLegacy);
  } else {
    (void)cudaFree(a.ptr);
  }
  if (previous != ordinal) (void)cudaSetDevice(previous);
}

void cuda_deallocate(int ordinal, Allocation a) noexcept {
  if (CaptureState* capture = thread_capture(ordinal)) {
    if (capture->live.erase(a.ptr)) {
      (void)cudaFreeAsync(a.ptr, capture->stream);
    } else {
      capture->deferred_frees.push_back(a);
    }
    return;
  }
  release_allocation(ordinal, a);
}

void orphan_allocations(const std::unordered_map<void*, std::size_t>& live) {
  std::lock_guard<std::mutex> lock(g_orphan_mutex);
  for (const auto& entry : live) g_orphans.insert(entry.first);
  if (!g_orphans.empty()) g_have_orphans.store(true, std::memory_order_release);
}

bool mempool_supported(int ordinal) { return pool_state(ordinal) != kPoolNone; }
bool mempool_enabled(int ordinal) { return pool_state(ordinal) == kPoolOn; }

void set_mempool_enabled(int ordinal, bool enabled) {
  const int state = pool_state(ordinal);
  if (state == kPoolNone) {
    if (!enabled) return;
    throw Error("set_mempool_enabled: device 'cuda:" + std::to_string(ordinal) +
                "' does not support stream-ordered memory pools");
  }
  g_pool_state[ordinal].store(enabled ? kPoolOn : kPoolOff, std::memory_order_release);
}

void set_mempool_release_threshold(int ordinal, uint64_t bytes) {
  if (!mempool_supported(ordinal)) {
    throw Error("set_mempool_release_threshold: device 'cuda:" + std::to_string(ordinal) +
                "' does not support stream-ordered memory pools");
  }
  DeviceGuard guard(ordinal);
  cudaMemPool_t pool = nullptr;
  WP_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, ordinal), ordinal);
  WP_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &bytes), ordinal);
}

uint64_t mempool_used_bytes(int ordinal) {
  if (!mempool_supported(ordinal)) return 0;
  DeviceGuard guard(ordinal);
  cudaMemPool_t pool = nullptr;
  WP_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, ordinal), ordinal);
  uint64_t used = 0;
  WP_CUDA_CHECK(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrUsedMemCurrent, &used), ordinal);
  return used;
}

void* cuda_allocate_pinned(std::size_t bytes) {
  void* p = nullptr;
  WP_CUDA_CHECK(cudaMallocHost(&p, bytes), -1);
  return p;
}

void cuda_deallocate_pinned(void* ptr) { (void)cudaFreeHost(ptr); }

// Peer access from device `dst` to `src`, enabled once per pair when the hardware allows it
// (cudaDeviceCanAccessPeer). Returns whether it is on; without it, cudaMemcpyDefault stages a
// device-to-device copy through the host (correct, slower).
bool enable_peer_access(int dst, int src) {
  static std::mutex m;
  static std::unordered_set<int64_t> tried, enabled;
  const int64_t key = int64_t(dst) << 32 | uint32_t(src);
  std::lock_guard<std::mutex> lock(m);
  if (tried.insert(key).second) {
    int can = 0;
    if (cudaDeviceCanAccessPeer(&can, dst, src) == cudaSuccess && can) {
      DeviceGuard guard(dst);
      const cudaError_t rc = cudaDeviceEnablePeerAccess(src, 0);
      if (rc == cudaSuccess || rc == cudaErrorPeerAccessAlreadyEnabled) enabled.insert(key);
    }
    (void)cudaGetLastError();  // a refused peer mapping is not an error: copies stage instead
  }
  return enabled.count(key) != 0;
}

void cuda_copy(void* dst, const Device& dst_device, const void* src, const Device& src_device,
               std::size_t bytes) {
  const int ordinal = dst_device.is_cuda() ? dst_device.ordinal() : src_device.ordinal();
  const bool peer = dst_device.is_cuda() && src_device.is_cuda() && dst_device != src_device;
  if (peer) {
    validate_ordinal(src_device.ordinal());
    validate_ordinal(dst_device.ordinal());
    enable_peer_access(dst_device.ordinal(), src_device.ordinal());
  }
  DeviceGuard guard(ordinal);
  const bool host_side = !dst_device.is_cuda() || !src_device.is_cuda();
  if (host_side) check_capturable_copy(ordinal, dst_device.is_cuda() ? src : dst);
  const cudaStream_t stream = current_stream(ordinal);
  if (peer) stream_wait_stream(ordinal, stream, src_device.ordinal(), current_stream(src_device.ordinal()));
  WP_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, stream), ordinal);
  if (host_side && !thread_capture(ordinal)) WP_CUDA_CHECK(cudaStreamSynchronize(stream), ordinal);
}

void cuda_set(void* dst, int ordinal, int value, std::size_t bytes) {
  DeviceGuard guard(ordinal);
  WP_CUDA_CHECK(cudaMemsetAsync(dst, value, bytes, current_stream(ordinal)), ordinal);
}

void cuda_copy_strided(void* dst, const int64_t* dst_strides, const void* src,
                       const int64_t* src_strides, const Device& device, const Shape& shape,
                       std::size_t elem_size) {
  const int64_t n = shape.size();
  if (n == 0) return;
  const int ordinal = device.ordinal();
  DeviceGuard guard(ordinal);
  const Layout l = make_layout(shape, dst_strides, src_strides);
  char* d = static_cast<char*>(dst);
  const char* s = static_cast<const char*>(src);
  const unsigned elem = static_cast<unsigned>(elem_size);
  switch (word_size(elem_size, l, dst, src)) {
    case 8: copy_strided_kernel<uint64_t><<<grid_for(n), kBlock, 0, current_stream(ordinal)>>>(d, s, l, n, elem); break;
    case 4: copy_strided_kernel<uint32_t><<<grid_for(n), kBlock, 0, current_stream(ordinal)>>>(d, s, l, n, elem); break;
    default: copy_strided_kernel<uint8_t><<<grid_for(n), kBlock, 0, current_stream(ordinal)>>>(d, s, l, n, elem); break;
  }
  check_launch("copy_strided_kernel launch", ordinal);
}

void cuda_fill(void* dst, const int64_t* strides, const Device& device, const Shape& shape,
               const void* value, std::size_t elem_size) {
  if (elem_size > kMaxPattern) {
    throw Error("fill: elements of " + std::to_string(elem_size) + " bytes are larger than the " +
                std::to_string(kMaxPattern) + "-byte limit of fill on device '" + device.str() +
                "'");
  }
  const int64_t n = shape.size();
  if (n == 0) return;
  const int ordinal = device.ordinal();
  DeviceGuard guard(ordinal);
  const Layout l = make_layout(shape, strides, strides);
  Pattern p{};
  std::memcpy(p.bytes, value, elem_size);
  char* d = static_cast<char*>(dst);
  const unsigned elem = static_cast<unsigned>(elem_size);
  switch (word_size(elem_size, l, dst, dst)) {
    case 8: fill_kernel<uint64_t><<<grid_for(n), kBlock, 0, current_stream(ordinal)>>>(d, l, n, elem, p); break;
    case 4: fill_kernel<uint32_t><<<grid_for(n), kBlock, 0, current_stream(ordinal)>>>(d, l, n, elem, p); break;
    default: fill_kernel<uint8_t><<<grid_for(n), kBlock, 0, current_stream(ordinal)>>>(d, l, n, elem, p); break;
  }
  check_launch("fill_kernel launch", ordinal);
}

}  // namespace wp::detail

namespace wp {

bool peer_access(const Device& dst, const Device& src) {
  if (!dst.is_cuda() || !src.is_cuda()) return false;
  if (dst == src) return true;
  detail::validate_ordinal(dst.ordinal());
  detail::validate_ordinal(src.ordinal());
  return detail::enable_peer_access(dst.ordinal(), src.ordinal());
}

int cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky-free "no device" error
    return 0;
  }
  return count;
}

}  // namespace wp
