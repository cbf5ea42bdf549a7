// kernel_abi.cpp — the error paths of wp/kernel_abi.h: every message names the kernel (as
// the wp::Error's kernel()) and, for arguments, the parameter.
#include "wp/kernel_abi.h"

#include <string>

#include "wp/error.h"

namespace wp::detail {
namespace {

// "(4, 5)" — a launch dimension as the other runtime messages print shapes.
std::string dim_str(const Dim& dim) {
  std::string s = "(";
  for (int d = 0; d < dim.ndim(); ++d) s += (d ? ", " : "") + std::to_string(dim[d]);
  return s + ")";
}

std::string plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

void kernel_arg_ndim_error(const char* kernel, const char* param, int got, int expected) {
  throw Error("argument '" + std::string(param) + "' is a " + std::to_string(got) +
                  "-D array; the kernel expects a " + std::to_string(expected) + "-D array",
              kernel);
}

void kernel_arg_device_error(const char* kernel, const char* param, const Device& got, const Device& launch) {
  throw Error("argument '" + std::string(param) + "' is an array on device '" + got.str() +
                  "' but the launch runs on device '" + launch.str() +
                  "' (LaunchOptions::device, else the device of the first non-empty array "
                  "argument); copy the array to that device or launch on '" +
                  got.str() + "'",
              kernel);
}

void launch_dim_ndim_error(const Dim& dim, int tid_dims, const char* kernel) {
  throw Error("launch dimension " + dim_str(dim) + " has " + plural(dim.ndim(), "dimension", "dimensions") +
                  " but the kernel's wp.tid() "
                  "returns " +
                  plural(tid_dims, "index", "indices") + "; launch it with a " + std::to_string(tid_dims) +
                  "-D dimension",
              kernel);
}

void launch_dim_size_error(const Dim& dim, const char* kernel) {
  throw Error("launch dimension " + dim_str(dim) + " has " + std::to_string(dim.size()) +
                  " threads, more than 2147483647: the kernel's wp.tid() returns one 32-bit "
                  "thread index; launch fewer threads or use a multi-dimensional wp.tid()",
              kernel);
}

void launch_without_cuda(const Device& device, const char* kernel) {
  throw Error("cannot launch on '" + device.str() +
                  "': this kernel library was built without CUDA support (add_warp_kernels(... TARGETS cpu cuda) "
                  "with a CUDA toolkit)",
              kernel);
}

void tid_extent_error(const Dim& dim, int64_t threads, const Shape& shape, int axis, int tid, int tid_dims,
                      const char* kernel, const char* param, const char* where) {
  const std::string index = tid_dims <= 1 ? std::string("wp.tid()") : "component " + std::to_string(tid) + " of wp.tid()";
  const std::string along = shape.ndim() > 1 ? " along dimension " + std::to_string(axis) : "";
  throw Error("launch dimension " + dim_str(dim) + " is too large for argument '" + std::string(param) +
                  "' of shape " + shape.str() + ": every thread accesses '" + param + "' at " + index + along +
                  " (" + where + "), so threads " + std::to_string(shape[axis]) + " to " +
                  std::to_string(threads - 1) + " would access it out of bounds; launch with at most " +
                  std::to_string(shape[axis]) + (tid_dims <= 1 ? " threads" : " threads along that dimension"),
              kernel);
}

}  // namespace wp::detail
