// wp/jvp.h — what generated forward-mode (JVP) launchers call besides wp/kernel_abi.h
// (host-only; wp/wp.h includes it). docs/autodiff.md, "Forward mode".
//
// Contract:
//  * detail::tangent_arg(a, tan, ndim, device, kernel, param) is the kernel view of array
//    argument `a` (kernel_arg's checks) whose gradient slot points at the tangent array `tan`
//    (the JVP kernel reads input tangents and writes output tangents there). A null `tan`
//    (default-constructed) gives a null slot: zero input tangent, output tangent dropped.
//    Otherwise `tan` must have a's shape and strides and live on the launch device: wp::Error naming the
//    kernel and `tan_<param>` else.
//  * detail::grads_as_tangents(a, ndim, device, kernel, param) is kernel_arg(a …) as is: the
//    array's own gradient buffer is its tangent (Tape::forward_jvp).
#pragma once

#include <string>

#include "wp/array.h"
#include "wp/error.h"
#include "wp/kernel_abi.h"

namespace wp::detail {

template <typename T>
array_t<T> tangent_arg(const array<T>& a, const array<T>& tan, int ndim, const Device& device, const char* kernel,
                       const char* param) {
  array_t<T> v = kernel_arg(a, ndim, device, kernel, param);
  v.grad = nullptr;
  if (tan.ndim() == 0) return v;
  const std::string tan_name = std::string("tan_") + param;
  const array_t<T> t = kernel_arg(tan, ndim, device, kernel, tan_name.c_str());
  if (!(tan.shape() == a.shape()))
    throw Error("kernel '" + std::string(kernel) + "': tangent '" + tan_name + "' has shape " + tan.shape().str() +
                "; the array '" + param + "' has shape " + a.shape().str());
  for (int d = 0; d < ndim; ++d)
    if (t.strides[d] != v.strides[d])
      throw Error("kernel '" + std::string(kernel) + "': tangent '" + tan_name + "' is laid out differently from '" +
                  param + "' (the tangent is indexed with the array's strides)");
  v.grad = t.data;
  return v;
}

template <typename T>
array_t<T> grads_as_tangents(const array<T>& a, int ndim, const Device& device, const char* kernel,
                             const char* param) {
  return kernel_arg(a, ndim, device, kernel, param);
}

}  // namespace wp::detail
