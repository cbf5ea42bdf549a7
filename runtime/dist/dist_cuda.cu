// dist_cuda.cu — the element-wise kernels of wp::dist's adjoints on CUDA arrays: dst += src
// and dst *= factor over float32/float64 scalars, grid-stride, on the device's current stream.
#include <cuda_runtime.h>

#include "dist_internal.h"
#include "wp/stream.h"

namespace wp::dist::detail {

namespace {

template <typename T>
__global__ void add_kernel(T* dst, const T* src, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    dst[i] += src[i];
}

template <typename T>
__global__ void scale_kernel(T* dst, int64_t n, double f) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    dst[i] = T(dst[i] * f);
}

void check(cudaError_t rc, const char* what, const Device& d) {
  if (rc != cudaSuccess)
    throw Error(std::string(what) + " failed on device '" + d.str() + "': " + cudaGetErrorString(rc));
}

int blocks_for(int64_t n) {
  return int(std::min<int64_t>((n + 255) / 256, 65535));
}

}  // namespace

void cuda_add(void* dst, const void* src, int64_t n, DType t, const Device& d) {
  if (n == 0) return;
  int previous = 0;
  cudaGetDevice(&previous);
  cudaSetDevice(d.ordinal());
  cudaStream_t s = static_cast<cudaStream_t>(get_stream(d).handle());
  if (t == DType::f32)
    add_kernel<<<blocks_for(n), 256, 0, s>>>(static_cast<float*>(dst), static_cast<const float*>(src), n);
  else if (t == DType::f64)
    add_kernel<<<blocks_for(n), 256, 0, s>>>(static_cast<double*>(dst), static_cast<const double*>(src), n);
  else
    throw Error(std::string("wp::dist: gradients of ") + dtype_name(t) + " arrays are not supported");
  const cudaError_t rc = cudaGetLastError();
  cudaSetDevice(previous);
  check(rc, "wp::dist add kernel launch", d);
}

void cuda_scale(void* dst, int64_t n, DType t, double f, const Device& d) {
  if (n == 0) return;
  int previous = 0;
  cudaGetDevice(&previous);
  cudaSetDevice(d.ordinal());
  cudaStream_t s = static_cast<cudaStream_t>(get_stream(d).handle());
  if (t == DType::f32)
    scale_kernel<<<blocks_for(n), 256, 0, s>>>(static_cast<float*>(dst), n, f);
  else if (t == DType::f64)
    scale_kernel<<<blocks_for(n), 256, 0, s>>>(static_cast<double*>(dst), n, f);
  else
    throw Error(std::string("all_reduce_gradients: ") + dtype_name(t) + " gradients cannot be averaged");
  const cudaError_t rc = cudaGetLastError();
  cudaSetDevice(previous);
  check(rc, "wp::dist scale kernel launch", d);
}

}  // namespace wp::dist::detail
