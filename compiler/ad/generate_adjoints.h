// generate_adjoints.h — reverse-mode automatic differentiation on the structured SSA IR.
//
// Contract (details and the reasoning in docs/autodiff.md):
//  * For every kernel whose backward pass is enabled, adds an adjoint kernel
//    `<kernel>_adj` (Function::primal = the kernel) whose parameters are the kernel's
//    parameters followed by one `array(dtype=T, ndim=1)` per differentiable non-array
//    parameter: the accumulator of that parameter's gradient (summed over all threads).
//    Array gradients live in the arrays' own gradient buffers (grad_load / grad_accum).
//  * For every user function such a kernel calls, adds `<func>_adj` taking the function's
//    parameters followed by the adjoint of each differentiable result, returning the adjoint
//    of each differentiable parameter (in order).
//  * The adjoint body first replays the forward computation without its side effects (no
//    stores, atomics or prints), then sweeps the ops in reverse. `if` becomes an `if` whose
//    branches replay and reverse their own region. Dynamic `for` / `while` loops are reversed
//    iteration by iteration; the loop-carried values of iteration k are RECOMPUTED from the
//    loop's initial values (no per-thread storage: --report-ad-storage reports 0 bytes, the
//    cost is O(n²) body replays for n iterations). Gradients are never silently wrong: what
//    cannot be differentiated yet (break/continue/early return inside a differentiated
//    function, builtins updating arguments in place that feed gradients) is a located error.
//  * Returns false when it reported an error.
#pragma once

#include "ir/ir.h"
#include "sema/types.h"
#include "support/diagnostics.h"

namespace warpc {

bool generate_adjoints(ir::Module& m, TypeContext& types, DiagnosticEngine& diags);

// Bytes of per-thread storage each adjoint kernel uses for loop-carried values.
struct AdjointStorage {
  std::string kernel;
  size_t bytes = 0;
  std::string strategy;
};
std::vector<AdjointStorage> adjoint_storage_report(const ir::Module& m);

}  // namespace warpc
