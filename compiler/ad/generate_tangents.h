// generate_tangents.h — forward-mode automatic differentiation (tangents, Jacobian-vector
// products) on the structured SSA IR.
//
// Contract (details and the reasoning in docs/autodiff.md, "Forward mode"):
//  * For every kernel whose forward-mode pass is enabled (`@wp.kernel(enable_jvp=True)`, or
//    every kernel with a backward pass under `warpc --jvp`; `--no-jvp` turns all off), adds a
//    tangent kernel `<kernel>_jvp` (Function::tangent_of = the kernel) whose parameters are the
//    kernel's parameters followed by one tangent per differentiable non-array parameter (same
//    type, named tan_<param>). Array tangents live in the arrays' gradient slots inside the
//    JVP kernel: the launcher points them at the tan_<param> arrays it is given, so a tangent
//    load is grad_load, a tangent store grad_store, an atomic_add's tangent grad_accum.
//  * For every user function such a kernel calls, adds `<func>_jvp` taking the function's
//    parameters followed by the tangent of each differentiable parameter, returning the
//    function's results followed by the tangent of each differentiable result.
//  * The JVP is launched on the forward's inputs, instead of the forward: it computes the
//    primal values as the forward does and performs the forward's stores and atomics on the
//    launch's arrays (so a load of an element the same thread stored earlier sees the stored
//    value, and the arrays end as the forward leaves them), each followed by its tangent at the
//    same place. Prints are not repeated; asserts are. Kernel-local arrays have a local
//    tangent buffer.
//  * Control flow is kept: an `if` / `for` / `while` carries the tangents of its differentiable
//    carried values and results next to them; break / continue / return carry theirs, so
//    loops with early exits and functions with several returns need no restructuring.
//  * Builtins: tangent rules in tangent_rules.h (linear and bilinear operators and the
//    constructors explicitly; every other differentiable builtin through its library adjoint,
//    tan_call_builtin; builtins writing into `&` arguments, SSA form, likewise with one tangent
//    per result). atomic_min / atomic_max: after its update, a thread whose value the element
//    holds stores its tangent (the winning value's; with ties, one of them; threads running
//    concurrently and racing for one element can leave a value's that won only for a while).
//    atomic_exch / atomic_cas store their value's tangent where they store the value.
//  * What cannot be differentiated forward (func_natives, functions with a custom gradient,
//    builtins writing into arguments in place or without a library adjoint, mesh / index-volume
//    queries, a tangent that depends on an atomic's returned value, other atomic forms) is the
//    located warning "no forward-mode (JVP) pass for kernel …" and no `_jvp` launcher; the
//    kernel and its backward pass are unaffected.
#pragma once

#include "ir/ir.h"
#include "sema/types.h"
#include "support/diagnostics.h"

namespace warpc {

struct TangentOptions {
  bool all_kernels = false;  // --jvp: every kernel with a backward pass
  bool none = false;         // --no-jvp: no kernel, whatever its options say
};

bool generate_tangents(ir::Module& m, TypeContext& types, DiagnosticEngine& diags, const TangentOptions& options);

}  // namespace warpc
