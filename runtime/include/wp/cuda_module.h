// wp/cuda_module.h — what generated launchers of the NVRTC path call (warpc
// --cuda-compiler=nvrtc): the module's kernels were compiled ahead of time by warpc-nvrtc
// into cubins (+ PTX) embedded in the kernel library; the launchers are plain C++ (no nvcc,
// no CUDA headers) and launch through the CUDA driver. Implemented in src/cuda_module.cu;
// needs a runtime built with CUDA (WARPC_RUNTIME_CUDA).
//
// Contract:
//  * CudaImage (wp/cuda_image.h): one module's code — a cubin per SM architecture and the PTX
//    of the oldest one. Written by warpc-nvrtc into <stem>.wp.cubin.cpp.
//  * CudaKernel: one kernel of an image by its (extern "C") symbol, with a per-device cache
//    of the loaded function; a namespace-scope object of the generated .cpp, zero-initialised.
//  * cuda_module_launch(kernel, n, options, device, args, name) launches `kernel` with the
//    configuration of cuda_launch_config (wp/cuda_launch.h: block = options.block_dim,
//    grid = ceil(n / block) capped, the device made current, options.stream or the device's
//    current stream — so graph capture of that stream records the launch) and the kernel
//    arguments `args` (pointers to each argument, in order), then checks the launch like
//    cuda_check_launch. On first use per device it loads the image into the device's primary
//    context (cuModuleLoadData, once per image and device; thread-safe): the cubin whose
//    architecture is the newest one not newer than the device's with the same major version,
//    else the PTX when it is not newer than the device (JIT-compiled by the driver). Errors
//    are wp::Error naming the kernel: no image for the device ("… has no code for sm_NN
//    (compiled for sm_90); add the architecture to CUDA_ARCHITECTURES"), a failed load or
//    function lookup, a failed launch. The driver's entry points come through the CUDA runtime
//    (cudaGetDriverEntryPointByVersion): nothing links libcuda.
#pragma once

#include <cstddef>
#include <cstdint>

#include "wp/cuda_image.h"
#include "wp/device.h"
#include "wp/launch.h"

#ifndef WARPC_RUNTIME_CUDA
#error "wp/cuda_module.h needs a warpc runtime built with CUDA (WARPC_RUNTIME_CUDA)"
#endif

namespace wp::detail {

inline constexpr int kCudaModuleMaxDevices = 64;

struct CudaKernel {
  const CudaImage* image;
  const char* symbol;
  void* functions[kCudaModuleMaxDevices];  // CUfunction per device ordinal, loaded lazily
};

void cuda_module_launch(CudaKernel& kernel, int64_t n, const LaunchOptions& options, const Device& device,
                        void** args, const char* name);

}  // namespace wp::detail
