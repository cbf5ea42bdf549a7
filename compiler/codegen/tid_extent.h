// tid_extent.h — the array accesses a launcher can check before it runs a kernel: accesses
// that EVERY thread makes at its own thread index, so a launch dimension larger than the
// array is certain to access it out of bounds (checked at launch time, always on).
//
// Contract:
//  * unconditional_tid_accesses(kernel) lists, for a kernel, each (array parameter, array
//    dimension, thread-index component) such that an element access (load, store or atomic)
//    of that parameter sits at the top level of the kernel body — executed by every thread,
//    since early returns have been made structured — and its index along that dimension is
//    exactly component `tid` of wp.tid(). Each (param, axis, tid) appears once, in the order
//    of the first such access, with that access's source location.
//  * Empty for funcs, and for kernels without such accesses. Nothing is listed that a
//    correct launch could violate: the launcher (wp::detail::check_tid_extent) rejects only
//    launches where some thread's index is outside the array's extent.
#pragma once

#include <cstddef>
#include <vector>

#include "ir/ir.h"

namespace warpc::codegen {

struct TidAccess {
  size_t param = 0;  // index of the array parameter
  int axis = 0;      // the array dimension indexed
  int tid = 0;       // the wp.tid() component used as that index
  SourceRange loc;   // the first such access
};

std::vector<TidAccess> unconditional_tid_accesses(const ir::Function& kernel);

}  // namespace warpc::codegen
