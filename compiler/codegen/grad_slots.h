// grad_slots.h — which gradient accumulations of a backward kernel may be compiled away: the
// grouping behind the backward kernel's specialisations on absent gradient buffers.
//
// Contract:
//  * grad_slots(fn) is empty (groups == 0) unless fn is a backward kernel (fn.primal set,
//    kind Kernel) whose body accumulates into the gradient of an array parameter itself
//    (a grad_accum op whose array operand is the parameter, at any nesting depth).
//  * Otherwise each such parameter belongs to one group, group_of[param] (−1 for the other
//    parameters): the primal's array parameters one group each, in parameter order, and the
//    accumulators of the scalar parameters (the backward kernel's parameters after the
//    primal's) together as the last one; when that makes more than max_groups groups (warpc
//    --adjoint-variants=2^max_groups; 0: no groups), neighbouring ones are merged (item i of n
//    goes to group i·max_groups/n).
//  * The backward body is templated on a skip mask (bit g: every gradient buffer of group g is
//    absent) and drops the accumulations of the skipped groups at compile time; the CUDA
//    launchers instantiate all 2^groups masks and pick the one matching the null gradient
//    pointers of the launch (docs/codegen.md, "Backward kernel specialisations").
#pragma once

#include <vector>

#include "ir/ir.h"

namespace warpc::codegen {

inline constexpr int kMaxGradGroups = 3;  // default: at most 2^3 = 8 instantiations of a backward kernel

struct GradSlots {
  std::vector<int> group_of;  // per parameter of fn: its group, or −1
  int groups = 0;
};

GradSlots grad_slots(const ir::Function& fn, int max_groups = kMaxGradGroups);

}  // namespace warpc::codegen
