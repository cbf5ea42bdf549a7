// generate_adjoints.h — reverse-mode automatic differentiation on the structured SSA IR.
//
// Contract (details and the reasoning in docs/autodiff.md):
//  * For every kernel whose backward pass is enabled, adds an adjoint kernel
//    `<kernel>_adj` (Function::primal = the kernel) whose parameters are the kernel's
//    parameters followed by one `array(dtype=T, ndim=1)` per differentiable non-array
//    parameter (structs with float fields included): the accumulator of that parameter's
//    gradient (summed over all threads; a struct's field by field, grad_accum_field).
//    Array gradients live in the arrays' own gradient buffers (grad_load / grad_accum).
//  * For every user function such a kernel calls, adds `<func>_adj` taking the function's
//    parameters followed by the adjoint of each differentiable result, returning the adjoint
//    of each differentiable parameter (in order).
//  * Each primal function is first copied into single-exit form (ad/single_exit.h: loops with
//    break / continue / return become `while` loops carrying an exit code; nested returns are
//    structured); the copy, not the primal, is replayed and reversed.
//  * The adjoint body first replays the forward computation without its side effects (no
//    stores, atomics or prints on global arrays), then sweeps the ops in reverse. `if` becomes
//    an `if` whose branches replay and reverse their own region. Dynamic `for` / `while` loops
//    are reversed iteration by iteration over exactly the iterations the primal started (a
//    while's replay counts them; a loop left by `break` reverses its last iteration on the path
//    it took). The loop-carried values of iteration k come from one of two strategies, chosen
//    per loop (AdOptions::loop_ad, LoopAd below; --report-ad-storage lists the choice):
//      store — the replay that precedes the loop's reverse pushes each iteration's carried
//        values onto the thread's stack (wp/ad_stack.h: a thread-local buffer, then the
//        launch's spill buffer) and the reverse pops them: O(n) body evaluations. An iteration
//        whose values did not fit is recomputed instead (the replay counts what it stored), so
//        a full stack costs time, never correctness.
//      recompute — iteration k's values are recomputed from the loop's initial values by
//        replaying iterations 0..k-1: no storage, O(n²) body replays.
//    A while's condition is replayed before each body, so builtins updating carried values in
//    place there, like query iterators, advance as they did (such loops are recomputed).
//    Adjoint kernels that store get ir::Function::ad_stack_local_bytes / ad_stack_trip_bytes
//    (code generation sizes the stack from them) and one ir::AdLoopRecord per reversed loop;
//    adjoint functions of user functions with dynamic loops take the stack's handle (uint64)
//    as their last parameter.
//  * Overwritten arrays (ad/overwrite_plan.h): the replay performs the kernel's own stores into
//    arrays it reads back (`replay_stores`). For the `undo_log` roots — a loop or branch reads
//    elements its thread stores later — every store into them goes through the thread's undo log
//    (wp::ad_log_store on the stack, old and new value), and the reverse sweep keeps the
//    contents equal to the forward pass's at the point it reverses: a store's adjoint undoes the
//    store; a branch's stores are undone before the branch is replayed; a loop iteration's stores
//    are undone before the iteration is replayed (the log's cursor at each iteration's start is
//    pushed with the carried values — a loop with no carried values is then stored too — or, for
//    recomputed iterations, the loop's stores are undone from its start and iterations 0..k-1
//    replayed). So every replay, loads inside called functions included, sees what the forward
//    pass saw. The end of the kernel redoes every logged store (the arrays hold what the forward
//    left). Such kernels open the stack under --loop-ad=recompute too; its log bytes count in
//    ad_stack_trip_bytes (ir::AdLoopRecord::log_bytes per loop, Function::ad_undo_log_bytes
//    outside loops).
//  * Calls: a @wp.func_grad replaces the automatic adjoint of its function (lowered as a func
//    taking the parameters and every result's adjoint, returning the differentiable
//    parameters' adjoints); a @wp.func_replay replaces the call in the replay; a func_native's
//    adj_snippet / replay_snippet run inline (`native_snippet`); a func_native without an
//    adj_snippet is refused. A builtin writing into `&` arguments (SSA form,
//    ir::written_operands) is reversed with its library adj_<f> (ad_ref_adjoint).
//  * Memory: a load's adjoint is grad_accum'd (arrays of structs: grad_accum_field per
//    differentiable leaf field); a store / atomic_add / atomic_sub reads the gradient
//    element; atomic_min / atomic_max give the value the element's gradient where the element
//    (after the forward launch) equals it, per component, swapping it with zero (grad_take):
//    what stays is the gradient of the target's initial value. Kernel-local arrays are replayed
//    (stores and atomics included); gradients through float local arrays are refused.
//  * Gradients are never silently wrong: what cannot be differentiated yet (float local
//    arrays, func_natives without adj_snippet, builtins writing into arguments in place or
//    without a library adjoint that feed gradients, unsupported constructor forms) is a located warning and no backward launcher.
//  * Returns false when it reported an error.
#pragma once

#include "ir/ir.h"
#include "sema/types.h"
#include "support/diagnostics.h"

namespace warpc {

// How dynamic loops are reversed: Auto stores a loop's carried values when they are plain
// data (scalars, vectors, matrices, quaternions, transforms, structs and arrays of them) of at
// most kAutoStoreMaxBytes per iteration, else recomputes; Store stores whenever they are plain
// data; Recompute never stores.
enum class LoopAd { Auto, Store, Recompute };
struct AdOptions {
  LoopAd loop_ad = LoopAd::Auto;
};
inline constexpr size_t kAutoStoreMaxBytes = 256;
// The thread-local part of the stack: 16 iterations of every stored loop, at most 1 KiB.
inline constexpr size_t kLocalTripsPerLoop = 16;
inline constexpr size_t kMaxLocalStackBytes = 1024;

bool generate_adjoints(ir::Module& m, TypeContext& types, DiagnosticEngine& diags, const AdOptions& options = {});

// Per adjoint kernel: the stack it uses for loop-carried values and how each loop was reversed.
struct AdjointStorage {
  std::string kernel;
  size_t local_bytes = 0;  // thread-local stack bytes per thread
  size_t trip_bytes = 0;   // bytes one iteration of every stored loop adds (spill beyond local)
  size_t log_bytes = 0;    // undo-log bytes outside loops (part of trip_bytes; loops: AdLoopRecord)
  std::string strategy;    // "store", "recompute", "store+recompute" or "none" (no dynamic loop)
  std::vector<ir::AdLoopRecord> loops;
};
std::vector<AdjointStorage> adjoint_storage_report(const ir::Module& m);

}  // namespace warpc
