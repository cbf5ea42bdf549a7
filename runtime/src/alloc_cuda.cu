// alloc_cuda.cu — the CUDA side of the runtime (compiled only with WARPC_RUNTIME_CUDA):
// device and pinned allocation, copies, memset, fill and strided-copy kernels, streams and
// device synchronisation.
//
// Contract (see wp/allocator.h and wp/stream.h):
//  * Every CUDA call goes through WP_CUDA_CHECK: a failure throws wp::Error
//    "<call> failed on device 'cuda:N': <cudaGetErrorString> (<error name>)".
//  * Work for device N runs with N current (DeviceGuard), restoring the caller's current
//    device afterwards; ordinals are validated first (validate_ordinal).
//  * All work goes to the legacy default stream; kernels are grid-stride loops of 256-thread
//    blocks. Functions used from destructors (free, stream destroy) ignore errors.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "wp/allocator.h"
#include "wp/error.h"

namespace wp::detail {
namespace {

std::string where(int ordinal) {
  return ordinal >= 0 ? " on device 'cuda:" + std::to_string(ordinal) + "'" : std::string();
}

void cuda_check(cudaError_t err, const char* call, int ordinal) {
  if (err == cudaSuccess) return;
  throw Error(std::string(call) + " failed" + where(ordinal) + ": " + cudaGetErrorString(err) +
              " (" + cudaGetErrorName(err) + ")");
}

#define WP_CUDA_CHECK(call, ordinal) ::wp::detail::cuda_check((call), #call, (ordinal))

void validate_ordinal(int ordinal) {
  const int count = cuda_device_count();
  if (ordinal >= 0 && ordinal < count) return;
  throw Error("CUDA device 'cuda:" + std::to_string(ordinal) + "' is not available: " +
              std::to_string(count) + " CUDA device" + (count == 1 ? "" : "s") +
              " found" + (count > 0 ? " (valid ordinals 0.." + std::to_string(count - 1) + ")"
                                    : std::string()));
}

// Makes `ordinal` the current device for the guard's lifetime.
class DeviceGuard {
 public:
  explicit DeviceGuard(int ordinal) {
    validate_ordinal(ordinal);
    WP_CUDA_CHECK(cudaGetDevice(&previous_), ordinal);
    if (previous_ != ordinal) {
      WP_CUDA_CHECK(cudaSetDevice(ordinal), ordinal);
      restore_ = true;
    }
  }
  ~DeviceGuard() {
    if (restore_) (void)cudaSetDevice(previous_);
  }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
  bool restore_ = false;
};

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

}  // namespace

void* cuda_allocate(int ordinal, std::size_t bytes) {
  DeviceGuard guard(ordinal);
  void* p = nullptr;
  WP_CUDA_CHECK(cudaMalloc(&p, bytes), ordinal);
  return p;
}

void cuda_deallocate(int ordinal, void* ptr) {
  int previous = 0;
  if (cudaGetDevice(&previous) != cudaSuccess) return;
  if (previous != ordinal) (void)cudaSetDevice(ordinal);
  (void)cudaFree(ptr);
  if (previous != ordinal) (void)cudaSetDevice(previous);
}

void* cuda_allocate_pinned(std::size_t bytes) {
  void* p = nullptr;
  WP_CUDA_CHECK(cudaMallocHost(&p, bytes), -1);
  return p;
}

void cuda_deallocate_pinned(void* ptr) { (void)cudaFreeHost(ptr); }

void cuda_copy(void* dst, const Device& dst_device, const void* src, const Device& src_device,
               std::size_t bytes) {
  const int ordinal = dst_device.is_cuda() ? dst_device.ordinal() : src_device.ordinal();
  if (dst_device.is_cuda() && src_device.is_cuda()) validate_ordinal(src_device.ordinal());
  DeviceGuard guard(ordinal);
  WP_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDefault), ordinal);
}

void cuda_set(void* dst, int ordinal, int value, std::size_t bytes) {
  DeviceGuard guard(ordinal);
  WP_CUDA_CHECK(cudaMemset(dst, value, bytes), ordinal);
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
    case 8: copy_strided_kernel<uint64_t><<<grid_for(n), kBlock>>>(d, s, l, n, elem); break;
    case 4: copy_strided_kernel<uint32_t><<<grid_for(n), kBlock>>>(d, s, l, n, elem); break;
    default: copy_strided_kernel<uint8_t><<<grid_for(n), kBlock>>>(d, s, l, n, elem); break;
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
    case 8: fill_kernel<uint64_t><<<grid_for(n), kBlock>>>(d, l, n, elem, p); break;
    case 4: fill_kernel<uint32_t><<<grid_for(n), kBlock>>>(d, l, n, elem, p); break;
    default: fill_kernel<uint8_t><<<grid_for(n), kBlock>>>(d, l, n, elem, p); break;
  }
  check_launch("fill_kernel launch", ordinal);
}

void* cuda_stream_create(int ordinal) {
  DeviceGuard guard(ordinal);
  cudaStream_t s = nullptr;
  WP_CUDA_CHECK(cudaStreamCreate(&s), ordinal);
  return s;
}

void cuda_stream_destroy(int ordinal, void* stream) {
  (void)ordinal;
  (void)cudaStreamDestroy(static_cast<cudaStream_t>(stream));
}

void cuda_stream_synchronize(int ordinal, void* stream) {
  WP_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)), ordinal);
}

void cuda_device_synchronize(int ordinal) {
  if (ordinal >= 0) {
    DeviceGuard guard(ordinal);
    WP_CUDA_CHECK(cudaDeviceSynchronize(), ordinal);
    return;
  }
  for (int d = 0, n = cuda_device_count(); d < n; ++d) cuda_device_synchronize(d);
}

}  // namespace wp::detail

namespace wp {

int cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky-free "no device" error
    return 0;
  }
  return count;
}

}  // namespace wp
