// widen_access.h — the wide-access plan of a kernel: may its CUDA kernel give each thread
// `lanes` consecutive launch indices and move every array element it touches with 16-byte
// vector loads and stores (docs/codegen.md, "Wide access")?
//
// Contract:
//  * plan_wide_access(kernel) returns a plan only when widening cannot change what the kernel
//    computes: a 1-D launch; every use of an array value is a load or store of a 1-D array
//    PARAMETER at exactly the thread index (`a[wp.tid()]`) or a shape query; stores are at the
//    top level of the kernel body (so every lane stores); element types are scalars/vectors/
//    matrices/quaternions/transforms of one common size that divides 16 bytes, `lanes` =
//    16 / size (2 to 8; 1 for 16-byte elements) — each thread moves one 16-byte word per array.
//    Every thread then touches only its own indices, so loading all lanes before the body
//    and storing them after it is the order-free equivalent of the one-index-per-thread loop.
//  * The generated launcher still checks at run time that each planned array is contiguous,
//    16-byte aligned and at least `dim` long, and falls back to the plain kernel otherwise.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "ir/ir.h"

namespace warpc::codegen {

struct WideArray {
  size_t param = 0;      // index of the array parameter
  bool loaded = false;   // read by the body: loaded before it
  bool stored = false;   // written by the body (top level): stored after it
};

struct WidePlan {
  int lanes = 0;                  // consecutive indices per thread
  std::vector<WideArray> arrays;  // parameter order
};

std::optional<WidePlan> plan_wide_access(const ir::Function& kernel);

}  // namespace warpc::codegen
