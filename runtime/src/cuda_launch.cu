// cuda_launch.cu — wp/cuda_launch.h: launch configuration (block validation, making the
// device current, grid size, stream) and the post-launch error check for generated CUDA
// launchers. Compiled only with WARPC_RUNTIME_CUDA. The hot path performs no allocation and,
// on a one-GPU machine, no CUDA call.
#include <algorithm>
#include <string>

#include "cuda_context.h"
#include "wp/allocator.h"
#include "wp/cuda_launch.h"
#include "wp/error.h"

namespace wp::detail {
namespace {

// The number of visible CUDA devices, read once per process (devices do not come and go
// while a CUDA process runs).
int device_count() {
  static const int count = cuda_device_count();
  return count;
}

[[noreturn]] void block_error(int block, const char* kernel) {
  throw Error("LaunchOptions::block_dim is " + std::to_string(block) +
                  "; it must be in 1..1024 (CUDA threads per block)",
              kernel);
}

[[noreturn]] void device_error(const Device& device, int count, const char* kernel) {
  std::string found = std::to_string(count) + " CUDA device" + (count == 1 ? "" : "s") + " found";
  if (count > 0) found += " (valid ordinals 0.." + std::to_string(count - 1) + ")";
  if (device.is_cpu()) {
    throw Error("cuda_launch_config: device 'cpu' is not a CUDA device", kernel);
  }
  throw Error("CUDA device '" + device.str() + "' is not available: " + found, kernel);
}

[[noreturn]] void cuda_error(cudaError_t err, const char* what, const Device& device, const char* kernel) {
  throw Error(std::string(what) + " failed on device '" + device.str() + "': " + cudaGetErrorString(err) +
                  " (" + cudaGetErrorName(err) + ")",
              kernel);
}

// Makes `device` current on this thread (see the header's contract for the cost).
void make_current(const Device& device, const char* kernel) {
  const int count = device_count();
  const int ordinal = device.ordinal();
  if (ordinal < 0 || ordinal >= count) [[unlikely]]
    device_error(device, count, kernel);
  if (count == 1) return;  // ordinal 0 is the only device a thread can have current
  int current = -1;
  if (cudaError_t err = cudaGetDevice(&current); err != cudaSuccess) [[unlikely]]
    cuda_error(err, "cudaGetDevice", device, kernel);
  if (current == ordinal) return;
  if (cudaError_t err = cudaSetDevice(ordinal); err != cudaSuccess) [[unlikely]]
    cuda_error(err, "cudaSetDevice", device, kernel);
}

}  // namespace

CudaLaunchConfig cuda_launch_config(int64_t n, const LaunchOptions& options, const Device& device,
                                    const char* kernel) {
  const int block = options.block_dim;
  if (block < 1 || block > 1024) [[unlikely]]
    block_error(block, kernel);
  make_current(device, kernel);
  const int64_t blocks = n > 0 ? (n + block - 1) / block : 1;
  CudaLaunchConfig config;
  config.grid = static_cast<unsigned>(std::min(blocks, kMaxCudaGridBlocks));
  config.block = static_cast<unsigned>(block);
  config.stream = options.stream ? static_cast<cudaStream_t>(options.stream) : current_stream(device.ordinal());
  return config;
}

void cuda_check_launch(const char* kernel) {
  const cudaError_t err = cudaGetLastError();
  if (err == cudaSuccess) [[likely]]
    return;
  throw Error(
      std::string("CUDA launch failed: ") + cudaGetErrorString(err) + " (" + cudaGetErrorName(err) + ")",
      kernel);
}

}  // namespace wp::detail
