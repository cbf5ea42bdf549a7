// wp/cuda_launch.h — what a generated .cu launcher calls around a `<<<grid, block, 0,
// stream>>>` launch. Included only by generated .cu files (compiled by nvcc) and needs a
// runtime built with CUDA (WARPC_RUNTIME_CUDA); implemented in src/cuda_launch.cu.
//
// Contract:
//  * detail::cuda_launch_config(n, options, device, kernel) prepares a launch of n threads
//    of a grid-stride kernel on `device` (a CUDA device):
//      - block = options.block_dim, which must be in 1..1024 (else wp::Error naming the
//        kernel); checked first, so it fails the same way with or without a GPU;
//      - the device must exist (else wp::Error "CUDA device 'cuda:N' is not available: …");
//      - `device` is made the calling thread's current CUDA device and STAYS current after
//        the launch. Cheap: the device count is read once per process; with one device
//        nothing else is called; with several, cudaGetDevice, and cudaSetDevice only when
//        the current device differs (so raw cudaSetDevice calls by the program are
//        respected, no stale cache);
//      - grid = ceil(n / block), at least 1 (an n of 0 launches one block that does
//        nothing; launchers may skip such launches) and at most kMaxCudaGridBlocks (the
//        kernels loop over the remaining indices);
//      - stream = options.stream when set (a cudaStream_t of `device`, e.g.
//        wp::Stream::handle()), else the device's CURRENT STREAM (wp/stream.h) — the
//        stream the runtime's own copies, fills and allocations use, so a launch is ordered
//        after the copies that fed it and before the copies that read its results, and a
//        graph capture of that stream records it;
//    Adds well under 100 ns of host time (measured by bench/cuda_bench.cu).
//  * detail::cuda_check_launch(kernel) reads cudaGetLastError() right after the launch and
//    throws wp::Error("CUDA launch failed: <CUDA's message> (<error name>)") naming the
//    kernel — bad configurations, too many resources requested. Faults inside the kernel
//    are asynchronous: they surface at wp::synchronize() (wp/stream.h).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "wp/device.h"
#include "wp/launch.h"

#ifndef WARPC_RUNTIME_CUDA
#error "wp/cuda_launch.h needs a warpc runtime built with CUDA (WARPC_RUNTIME_CUDA)"
#endif

namespace wp::detail {

// gridDim.x's hardware limit; grid-stride kernels cover larger launches.
inline constexpr int64_t kMaxCudaGridBlocks = 2147483647;

struct CudaLaunchConfig {
  unsigned grid;
  unsigned block;
  cudaStream_t stream;
};

CudaLaunchConfig cuda_launch_config(int64_t n, const LaunchOptions& options, const Device& device,
                                    const char* kernel);

void cuda_check_launch(const char* kernel);

}  // namespace wp::detail
