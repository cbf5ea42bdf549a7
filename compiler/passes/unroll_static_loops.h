// unroll_static_loops.h — Warp's static loop unrolling on the IR.
//
// A `for` whose lower bound, upper bound and step are `const`s (after
// folding), whose trip count is at most the kernel's `max_unroll` option
// (kMaxUnroll by default) and whose body has no break / continue of its own
// (also inside nested `if`s; those of nested loops belong to them) and ends
// in `yield`, is replaced by one copy of its body per iteration: the
// induction variable becomes a `const`, the carried values are threaded from
// one copy to the next, and the loop's results become the last carried
// values. Inner loops are unrolled first, so nested static loops unroll fully.
// Returns whether anything changed.
//
// Forced unrolling of loops whose body evaluates `wp.static(…)` per iteration
// is done by lowering (lower_loop.cpp), whatever the trip count; this pass
// never sees such loops.
#pragma once

#include "ir/ir.h"

namespace warpc {

inline constexpr int kMaxUnroll = 16;  // Warp's default max_unroll

bool unroll_static_loops(ir::Module& m);

}  // namespace warpc
