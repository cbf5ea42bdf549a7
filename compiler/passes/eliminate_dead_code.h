// eliminate_dead_code.h — removes ops whose results are unused and that have
// no side effects, iteratively and inside regions.
//
// Removable: ops without kSideEffects in ops.def (loads included: an unused
// read has no effect), `call_builtin` of a known-pure builtin (operators,
// math, constructors; never one with a by-reference parameter such as a
// random state), the backward pass's undo-log cursor read (`ad_log_tell`), `call` of a user function whose body has no side effects
// (its own `return` aside), and `if` / `for` ops whose regions hold only
// removable ops. Kept: stores, atomics, asserts, prints, every other builtin,
// the adjoint calls of the mesh builtins (they add vertex gradients through the mesh handle),
// `while` loops (they might not terminate), terminators.
// Also drops the unused results of an `if` that stays, with the values its
// `yield`s give for them. Not done: the same for `for` / `while` results.
// Returns whether anything changed.
#pragma once

#include "ir/ir.h"

namespace warpc {

bool eliminate_dead_code(ir::Module& m);

}  // namespace warpc
