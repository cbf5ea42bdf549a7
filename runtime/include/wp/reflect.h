// wp/reflect.h — a generic, C-ABI view of a compiled kernel module, for tools that launch
// kernels they were not compiled against (warpc-gradcheck). `warpc --emit=cpp --reflect`
// appends `warpc_reflect_kernels()` to the generated .wp.cpp.
//
// Contract:
//  * warpc_reflect_kernels(&n) returns n KernelInfo records, one per kernel of the module, in
//    declaration order; the records and strings live as long as the loaded library.
//  * forward(dim, args, options) launches the kernel: args[i] points to an ArrayArg for array
//    parameters (memory on the launch device, wrapped without copying; grad may be null) and
//    to the value otherwise (of the parameter's C++ type). A struct parameter's value is a
//    buffer of ParamInfo::size bytes laid out like the struct, except that each array field's
//    slot (72 bytes) holds an ArrayArg instead of a wp::array; the wrapper rebuilds the struct
//    field by field.
//  * ParamInfo::fields lists a struct parameter's leaf fields, flattened through nested
//    structs in declaration order ("g", "inner.w"), with their byte offsets in the struct
//    (the layout the generated header static_asserts). For an array parameter whose dtype is a
//    struct it lists the element's leaf fields, offsets inside one element (ParamInfo::size
//    bytes; the array's data holds the elements back to back, as the struct's C++ layout).
//    Null for other parameters. The device is options.device (the CPU when unset). Errors are
//    wp::Error exceptions, as from the typed launcher.
//  * backward(dim, args, accumulators, options) launches <kernel>_backward (null when the
//    kernel has no backward pass): accumulators[j] is the ArrayArg of a one-element array (or
//    null) for the j-th parameter with has_accumulator, in parameter order.
#pragma once

#include <cstddef>

#include "wp/launch.h"

namespace wp::reflect {

struct ArrayArg {
  void* data;
  void* grad;
  int shape[4];
  int ndim;
};
static_assert(sizeof(ArrayArg) <= 72, "an ArrayArg must fit a struct's wp::array_t field slot");

// One leaf field of a struct parameter or of an array-of-structs parameter's element (a nested
// struct contributes its own leaves).
struct FieldInfo {
  const char* path;      // dotted path below the parameter: "k", "inner.w"
  bool is_array;
  const char* dtype;     // as ParamInfo::dtype
  const char* scalar;    // as ParamInfo::scalar ("" for arrays of structs)
  int components;
  int ndim;              // arrays: 1..4; values: 0
  size_t offset;         // bytes from the start of the struct
  size_t size;           // bytes per value / element
  bool differentiable;   // float-valued (arrays: float dtype)
};

struct ParamInfo {
  const char* name;
  bool is_array;
  const char* dtype;     // Warp spelling of the value type / array dtype ("float32", "vec3f", "P")
  const char* scalar;    // the component scalar ("float32", "bfloat16", "int32", "bool" …); "" for structs
  int components;        // scalar components per value / element (0 for structs)
  int ndim;              // arrays: 1..4; values: 0
  size_t size;           // bytes per value / element
  bool differentiable;   // float-valued (arrays: float dtype)
  bool has_accumulator;  // a non-array parameter whose gradient backward() can return
  int num_fields;        // struct parameters, arrays of structs: leaf fields (0 otherwise)
  const FieldInfo* fields;
};

using ForwardFn = void (*)(const Dim& dim, void* const* args, const LaunchOptions& options);
using BackwardFn = void (*)(const Dim& dim, void* const* args, void* const* accumulators,
                            const LaunchOptions& options);

// jvp(dim, args, tangents, options) launches <kernel>_jvp: tangents[i] is null (zero tangent)
// or, for a float array parameter, the ArrayArg of its tangent array (data only; args[i]'s
// shape), for a float value parameter a pointer to its tangent value (struct: as in args).
using JvpFn = void (*)(const Dim& dim, void* const* args, void* const* tangents, const LaunchOptions& options);

struct KernelInfo {
  const char* name;
  int num_params;
  const ParamInfo* params;
  int tid_dims;
  bool has_backward;
  ForwardFn forward;
  BackwardFn backward;
  JvpFn jvp;  // null when the kernel has no forward-mode pass (warpc --jvp / enable_jvp=True)
};

}  // namespace wp::reflect

extern "C" const wp::reflect::KernelInfo* warpc_reflect_kernels(int* count);
