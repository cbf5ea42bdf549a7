// pair_scatters.h — which gradient scatters of a backward kernel may go out together, as one
// wp::grad_accum_arg_pair call (wp/builtins/adjoint_support.h), so that warp aggregation
// (WARPC_AGGREGATE_ATOMICS) matches a warp's lanes once for two arrays indexed alike — the
// gradients of `x[i]` and `v[i]` in a kernel that reads both. The generated code does so only
// when compiled with WARPC_AGGREGATE_PAIRS (each pair under #if; otherwise every scatter stays
// where it is: on the CPU, holding the earlier values longer made the neo-Hookean backward
// slower).
//
// Contract:
//  * plan_scatter_pairs(fn, group_of) pairs grad_accum ops of a backward kernel (fn.primal set,
//    kind Kernel; otherwise the plan is empty) whose array operands are parameters of fn:
//    an op A is paired with the first later op B of the same block that accumulates into a
//    parameter's gradient with the very same index values (the same SSA values, in order) and
//    whose parameter has the same gradient group (group_of, grad_slots.h); each op is in at
//    most one pair. A may then be emitted at B's position (`deferred`), so nothing between them
//    may observe A's gradient element other than by adding to it: a pair is not formed across
//    an op that reads, clears, takes, stores or field-accumulates a gradient (grad_load,
//    grad_clear, grad_take, grad_store, grad_accum_field), runs a native snippet, has regions
//    (if, for, while: they may leave the block early), or calls a function that does any of
//    these (transitively).
//  * Moving an addition later keeps every gradient's value: the additions into one element
//    commute (they are atomic, and their order among threads is unspecified anyway).
#pragma once

#include <functional>
#include <map>
#include <set>

#include "ir/ir.h"

namespace warpc::codegen {

struct ScatterPairs {
  std::map<const ir::Op*, const ir::Op*> earlier_of;  // B → A
  std::set<const ir::Op*> deferred;                   // every A
};

ScatterPairs plan_scatter_pairs(const ir::Function& fn, const std::function<int(const ir::Value*)>& group_of);

}  // namespace warpc::codegen
