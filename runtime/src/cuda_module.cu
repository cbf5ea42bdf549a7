// cuda_module.cu — wp/cuda_module.h: loads the cubins warpc-nvrtc embedded in a kernel
// library (once per image and device, into the device's primary context) and launches their
// kernels with cuLaunchKernel on the stream cuda_launch_config picks. The driver API is
// reached through cudaGetDriverEntryPointByVersion, so the runtime does not link libcuda.
#include <cuda.h>

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "wp/cuda_launch.h"
#include "wp/cuda_module.h"
#include "wp/error.h"

namespace wp::detail {
namespace {

struct DriverApi {
  decltype(&cuModuleLoadData) module_load_data = nullptr;
  decltype(&cuModuleGetFunction) module_get_function = nullptr;
  decltype(&cuLaunchKernel) launch_kernel = nullptr;
  decltype(&cuGetErrorString) get_error_string = nullptr;
  decltype(&cuCtxGetDevice) ctx_get_device = nullptr;
  std::string error;  // why the entry points are missing
};

template <typename F>
void entry_point(const char* symbol, F* out, std::string& error) {
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult status{};
  const cudaError_t err = cudaGetDriverEntryPointByVersion(symbol, &fn, 12000, cudaEnableDefault, &status);
  if (err != cudaSuccess || status != cudaDriverEntryPointSuccess || !fn) {
    if (error.empty())
      error = std::string("the CUDA driver has no entry point '") + symbol + "' (" +
              (err != cudaSuccess ? cudaGetErrorString(err) : "symbol not found") + ")";
    return;
  }
  *out = reinterpret_cast<F>(fn);
}

const DriverApi& driver() {
  static const DriverApi api = [] {
    DriverApi a;
    entry_point("cuModuleLoadData", &a.module_load_data, a.error);
    entry_point("cuModuleGetFunction", &a.module_get_function, a.error);
    entry_point("cuLaunchKernel", &a.launch_kernel, a.error);
    entry_point("cuGetErrorString", &a.get_error_string, a.error);
    entry_point("cuCtxGetDevice", &a.ctx_get_device, a.error);
    return a;
  }();
  return api;
}

std::string driver_error(CUresult r) {
  const char* text = nullptr;
  if (driver().get_error_string) driver().get_error_string(r, &text);
  return std::string(text ? text : "unknown error") + " (CUresult " + std::to_string(static_cast<int>(r)) + ")";
}

std::string sm_list(const CudaImage& image) {
  std::string out;
  for (int i = 0; i < image.count; ++i)
    out += (out.empty() ? "" : ", ") + std::string(image.entries[i].ptx ? "compute_" : "sm_") +
           std::to_string(image.entries[i].sm);
  return out;
}

// The entry to load on a device of compute capability `sm` (major * 10 + minor), or null.
const CudaImageEntry* pick(const CudaImage& image, int sm) {
  const CudaImageEntry* best = nullptr;
  for (int i = 0; i < image.count; ++i) {
    const CudaImageEntry& e = image.entries[i];
    if (e.ptx || e.sm / 10 != sm / 10 || e.sm > sm) continue;
    if (!best || e.sm > best->sm) best = &e;
  }
  if (best) return best;
  for (int i = 0; i < image.count; ++i)
    if (image.entries[i].ptx && image.entries[i].sm <= sm) return &image.entries[i];
  return nullptr;
}

// The module of `image` on device `ordinal` (current), loaded on first use.
CUmodule module_of(const CudaImage& image, int ordinal, const char* name) {
  static std::mutex mutex;
  static std::map<std::pair<const CudaImage*, int>, CUmodule> modules;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = modules.find({&image, ordinal});
  if (it != modules.end()) return it->second;
  const DriverApi& api = driver();
  if (!api.error.empty()) throw Error("cannot load the CUDA module '" + std::string(image.module) + "': " + api.error, name);
  int major = 0, minor = 0;
  cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, ordinal);
  cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, ordinal);
  const int sm = major * 10 + minor;
  const CudaImageEntry* entry = pick(image, sm);
  if (!entry)
    throw Error("the CUDA module '" + std::string(image.module) + "' has no code for sm_" + std::to_string(sm) +
                    " of device 'cuda:" + std::to_string(ordinal) + "' (compiled for " + sm_list(image) +
                    "); add the architecture to CUDA_ARCHITECTURES",
                name);
  CUmodule module = nullptr;
  if (CUresult r = api.module_load_data(&module, entry->data); r != CUDA_SUCCESS)
    throw Error("cuModuleLoadData of the CUDA module '" + std::string(image.module) + "' failed on device 'cuda:" +
                    std::to_string(ordinal) + "': " + driver_error(r),
                name);
  modules.emplace(std::make_pair(&image, ordinal), module);
  return module;
}

// Makes device `ordinal`'s primary context current for the driver API on this thread. The CUDA
// runtime binds it lazily (a thread that has made no runtime call yet may have none, and
// cuda_launch_config makes no call at all with one device): one cuCtxGetDevice per launch,
// cudaSetDevice (which binds the primary context) only when it differs.
void bind_primary_context(int ordinal, const char* name) {
  const DriverApi& api = driver();
  if (!api.error.empty()) throw Error("cannot launch an NVRTC-compiled kernel: " + api.error, name);
  CUdevice current = -1;
  if (api.ctx_get_device(&current) == CUDA_SUCCESS && current == ordinal) [[likely]]
    return;
  if (cudaError_t err = cudaSetDevice(ordinal); err != cudaSuccess)
    throw Error(std::string("cudaSetDevice failed on device 'cuda:") + std::to_string(ordinal) +
                    "': " + cudaGetErrorString(err),
                name);
}

CUfunction function_of(CudaKernel& kernel, int ordinal, const char* name) {
  void* cached = __atomic_load_n(&kernel.functions[ordinal], __ATOMIC_ACQUIRE);
  if (cached) [[likely]]
    return static_cast<CUfunction>(cached);
  CUmodule module = module_of(*kernel.image, ordinal, name);
  CUfunction fn = nullptr;
  if (CUresult r = driver().module_get_function(&fn, module, kernel.symbol); r != CUDA_SUCCESS)
    throw Error("the CUDA module '" + std::string(kernel.image->module) + "' has no kernel '" + kernel.symbol +
                    "': " + driver_error(r),
                name);
  __atomic_store_n(&kernel.functions[ordinal], static_cast<void*>(fn), __ATOMIC_RELEASE);
  return fn;
}

}  // namespace

void cuda_module_launch(CudaKernel& kernel, int64_t n, const LaunchOptions& options, const Device& device, void** args,
                        const char* name) {
  const CudaLaunchConfig config = cuda_launch_config(n, options, device, name);  // validates, makes current
  const int ordinal = device.ordinal();
  if (ordinal >= kCudaModuleMaxDevices) [[unlikely]]
    throw Error("device 'cuda:" + std::to_string(ordinal) + "' is beyond the " +
                    std::to_string(kCudaModuleMaxDevices) + " devices NVRTC-compiled kernels support",
                name);
  bind_primary_context(ordinal, name);
  CUfunction fn = function_of(kernel, ordinal, name);
  if (CUresult r = driver().launch_kernel(fn, config.grid, 1, 1, config.block, 1, 1, 0,
                                          reinterpret_cast<CUstream>(config.stream), args, nullptr);
      r != CUDA_SUCCESS)
    throw Error("CUDA launch failed: " + driver_error(r), name);
}

}  // namespace wp::detail
