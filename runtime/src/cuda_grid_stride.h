// cuda_grid_stride.h (private, CUDA only) — what the runtime's own CUDA kernels share: the
// grid-stride index helpers and a checked launch on the device's current stream.
//
// Contract:
//  * launch(device, n, name, kernel, args…) runs `kernel` with enough threads for n indices
//    (grid-stride: the kernel loops from first_index() by grid_stride()) through
//    detail::cuda_launch_config (which makes `device` current) on the device's current stream —
//    the stream the runtime's copies and fills use — and throws wp::Error naming `name` when the
//    launch fails. n ≤ 0 launches nothing.
//  * check_cub(err, owner, what, device) turns a failed CUB call into a wp::Error.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "wp/cuda_launch.h"
#include "wp/error.h"

namespace wp::detail {

__device__ inline int64_t first_index() { return blockIdx.x * int64_t(blockDim.x) + threadIdx.x; }
__device__ inline int64_t grid_stride() { return int64_t(gridDim.x) * blockDim.x; }

template <typename Kernel, typename... Args>
void launch(const Device& device, int64_t n, const char* name, Kernel kernel, Args... args) {
  if (n <= 0) return;
  const CudaLaunchConfig c = cuda_launch_config(n, LaunchOptions{}, device, name);
  kernel<<<c.grid, c.block, 0, c.stream>>>(args...);
  cuda_check_launch(name);
}

inline void check_cub(cudaError_t err, const char* owner, const char* what, const Device& device) {
  if (err == cudaSuccess) return;
  throw Error(std::string(owner) + ": " + what + " failed on device '" + device.str() + "': " +
              cudaGetErrorString(err) + " (" + cudaGetErrorName(err) + ")");
}

}  // namespace wp::detail
