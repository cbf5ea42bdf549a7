// wp/kernel_abi.h — the runtime calls a generated kernel launcher makes before it runs a
// kernel (host-only; wp/wp.h includes it). The contract with warpc's code generator is
// described in docs/codegen.md and docs/runtime.md ("Generated launchers").
//
// Contract:
//  * detail::launch_device(options, {args…}, kernel) picks the device a launch runs on:
//    options.device when set; else the device of the first argument that holds memory (an
//    array handle whose data() is non-null, or a non-null Device pointer); else the CPU.
//    Each entry of {args…} is a wp::array<T> of any T (held by reference, not copied) or a
//    const Device* (nullptr = no opinion).
//  * detail::kernel_arg(a, ndim, device, kernel, param) turns an array argument into the
//    kernel's POD view. A null handle (default-constructed, ndim 0) gives a null view, like
//    passing None in Warp. Otherwise the handle must have `ndim` dimensions, and — when it
//    holds memory — live on `device`; violations throw wp::Error naming the kernel and the
//    parameter, e.g. "kernel 'integrate': argument 'x' is a 2-D array; the kernel expects
//    a 1-D array". A size-0 array with null data is not checked against the device.
//  * detail::check_launch_dim(dim, tid_dims, kernel): tid_dims is how many indices the
//    kernel's wp.tid() returns (0 = it never calls wp.tid()). tid_dims ≥ 2 requires
//    dim.ndim() == tid_dims; tid_dims == 1 requires dim.size() ≤ INT32_MAX (the flat thread
//    index is an int32); 0 accepts any dim. Violations throw wp::Error naming the kernel.
//  * detail::check_tid_extent(dim, tid_dims, a, axis, tid, kernel, param, where): the
//    kernel accesses `a` on every thread with index component `tid` of wp.tid() along
//    dimension `axis` (warpc proves this at compile time and emits the call; `where` is the
//    access's .wp file:line). Throws wp::Error naming the kernel when the launch has threads
//    and their index along that component can reach a.shape(axis) or beyond — an access
//    that is certain to be out of bounds. Null handles (Warp's None) are not checked.
//  * The success paths are inline and allocation-free; the error paths are out of line
//    (src/kernel_abi.cpp).
#pragma once

#include <cstdint>
#include <initializer_list>

#include "wp/array.h"
#include "wp/device.h"
#include "wp/launch.h"

namespace wp::detail {

// One entry of launch_device's argument list: the device of an array that holds memory, a
// Device pointer, or nothing.
class LaunchDeviceArg {
 public:
  template <typename T>
  LaunchDeviceArg(const array<T>& a)  // NOLINT: implicit, so generated code writes {x, v}
      : device_(a.data() ? &a.device() : nullptr) {}
  LaunchDeviceArg(const Device* device) : device_(device) {}  // NOLINT: implicit

  const Device* device() const { return device_; }

 private:
  const Device* device_;
};

// The device a launch runs on (see the file contract). `kernel` is for symmetry with the
// other checks and future diagnostics.
inline Device launch_device(const LaunchOptions& options, std::initializer_list<LaunchDeviceArg> args,
                            [[maybe_unused]] const char* kernel) {
  if (options.device) return *options.device;
  for (const LaunchDeviceArg& a : args)
    if (a.device()) return *a.device();
  return Device();
}

// Error paths of the checks below (src/kernel_abi.cpp).
[[noreturn]] void kernel_arg_ndim_error(const char* kernel, const char* param, int got, int expected);
[[noreturn]] void kernel_arg_device_error(const char* kernel, const char* param, const Device& got,
                                          const Device& launch);
[[noreturn]] void launch_dim_ndim_error(const Dim& dim, int tid_dims, const char* kernel);
[[noreturn]] void launch_dim_size_error(const Dim& dim, const char* kernel);
// A launch on a CUDA device from a kernel library built without CUDA.
[[noreturn]] void launch_without_cuda(const Device& device, const char* kernel);
[[noreturn]] void tid_extent_error(const Dim& dim, int64_t threads, const Shape& shape, int axis, int tid,
                                   int tid_dims, const char* kernel, const char* param, const char* where);

// The kernel view of array argument `param` (see the file contract).
template <typename T>
array_t<T> kernel_arg(const array<T>& a, int ndim, const Device& device, const char* kernel,
                      const char* param) {
  if (a.ndim() == 0) return array_t<T>{};  // a null handle: Warp's None
  if (a.ndim() != ndim) [[unlikely]]
    kernel_arg_ndim_error(kernel, param, a.ndim(), ndim);
  if (a.data() && !(a.device() == device)) [[unlikely]]
    kernel_arg_device_error(kernel, param, a.device(), device);
  return a.view();
}

// Checks `dim` against the number of indices the kernel's wp.tid() returns.
inline void check_launch_dim(const Dim& dim, int tid_dims, const char* kernel) {
  if (tid_dims >= 2) {
    if (dim.ndim() != tid_dims) [[unlikely]]
      launch_dim_ndim_error(dim, tid_dims, kernel);
  } else if (tid_dims == 1) {
    if (dim.size() > INT32_MAX) [[unlikely]]
      launch_dim_size_error(dim, kernel);
  }
}

// Checks the extent of array argument `a` against the threads that index it (file contract).
template <typename T>
void check_tid_extent(const Dim& dim, int tid_dims, const array<T>& a, int axis, int tid, const char* kernel,
                      const char* param, const char* where) {
  if (a.ndim() <= axis) return;  // a null handle
  const int64_t total = dim.size();
  const int64_t threads = tid_dims <= 1 ? total : (tid < dim.ndim() ? dim[tid] : 1);
  if (total > 0 && threads > a.shape()[axis]) [[unlikely]]  // axis < ndim: no checked accessor
    tid_extent_error(dim, threads, a.shape(), axis, tid, tid_dims, kernel, param, where);
}

}  // namespace wp::detail
