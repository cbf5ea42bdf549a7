// ad_support.h — what the files of compiler/ad share: the AdError that refuses a kernel's
// backward pass, the differentiability rule, and a few IR-building shorthands.
//
// Contract:
//  * AdError carries a message and the source range it blames; generate_adjoints() turns it
//    into the located warning "no backward pass for kernel …" and drops that kernel's adjoint.
//  * ad_differentiable(t): float scalars and float vectors / matrices / quaternions /
//    transforms, and structs with at least one such field (recursively). Everything else
//    (integers, bools, arrays, queries …) carries no adjoint.
//  * ad_ref_adjoint(name): how builtins writing into `&` arguments are reversed (below).
//  * ad_refuse_used_atomic_results(kernel): the refusal of kernels whose called functions use an
//    atomic's result (the kernel's own uses are refused only where its gradient needs them).
//  * ad_replay_skips(op): see below; replay_function() (ad/replay_function.h) applies it to
//    user functions called in a replay.
//  * IrEmit appends ops at the OpBuilder's current block: constants, zeros, comparisons,
//    builtin calls resolved through sema's builtin table (an unresolvable one is an AdError:
//    an internal error), and runtime helpers of kernel_support.h (no sema target).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.h"
#include "sema/types.h"

namespace warpc {

struct AdError : std::runtime_error {
  AdError(const std::string& what, SourceRange r) : std::runtime_error(what), range(r) {}
  SourceRange range;
};

bool ad_differentiable(const Type* t);

// A kernel-local array (`wp.zeros` in kernel code): thread-local, so its stores are replayed;
// it has no gradient buffer.
bool ad_is_local_array(const ir::Value* v);
// Ops the replay leaves out (their effects already happened in the forward launch): stores and
// atomics on arrays that are not local, asserts, prints. Their results replay as zero.
bool ad_replay_skips(const ir::Op& op);

// How the adjoint of a differentiable builtin with `&` parameters treats them (its call is in
// the SSA form, ir::written_operands): Overwrite — they are outputs (svd3, svd2, qr3, eig3,
// quat_to_axis_angle, the older out-argument forms of mesh_query_point, mesh_query_point_no_sign
// and mesh_query_ray, the volume_sample_grad* samplers: adj_<f>(inputs, outputs, adj inputs,
// adj outputs[, adj_ret])), the values they held
// before the call get zero adjoint; Update — read-modify-write (transform_set_translation /
// _rotation): the adjoint slot is in/out, what it holds after the call is the adjoint of the
// value before; None — the library has no adjoint: a gradient
// reaching the call refuses the kernel.
// Throws AdError when `kernel` (or a function it calls) uses the value an atomic returns.
void ad_refuse_used_atomic_results(const ir::Function& kernel);

enum class RefAdjoint { Overwrite, Update, None };
RefAdjoint ad_ref_adjoint(std::string_view builtin);

namespace ad {

class IrEmit {
 public:
  IrEmit(ir::Module& m, TypeContext& types, ir::OpBuilder& b) : m_(m), types_(types), b_(b) {}

  ir::Value* int_const(int64_t v, SourceRange loc);
  ir::Value* bool_const(bool v, SourceRange loc);
  ir::Value* zero(const Type* t, SourceRange loc) { return b_.emit1(ir::Opcode::Zero, {}, t, loc); }
  std::vector<ir::Value*> zeros(const std::vector<const Type*>& types, SourceRange loc);
  ir::Value* cmp(const char* predicate, ir::Value* a, ir::Value* b, SourceRange loc);
  // A builtin of the table (operators included: "add", "mul", "neg" …) on these arguments.
  ir::Value* builtin(const std::string& name, std::vector<ir::Value*> args, SourceRange loc);
  // The sema target a builtin call on these argument types would have.
  const sema::CallTarget* builtin_target(const std::string& name, const std::vector<const Type*>& args,
                                                SourceRange loc);
  // wp::<name>(args) of kernel_support.h (wp::range_count …).
  ir::Value* internal(const std::string& name, std::vector<ir::Value*> args, const Type* t, SourceRange loc);

  ir::OpBuilder& builder() { return b_; }

 private:
  ir::Module& m_;
  TypeContext& types_;
  ir::OpBuilder& b_;
};

}  // namespace ad
}  // namespace warpc
