// plan_loop.h — how the backward pass reverses each dynamic loop (docs/autodiff.md, "Loops:
// store or recompute").
//
// Contract:
//  * plain_layout(t, size, align): the size and alignment of a value of type `t` the AD stack
//    (wp/ad_stack.h) can copy bytewise (the C layout of the runtime's types; an array is its
//    72-byte wp::array_t view), or false when `t` is not plain data (query iterators …).
//  * has_dynamic_loop(f): `f`, or a user function it calls, contains a `for` or `while` loop
//    (its adjoint then takes the stack).
//  * plan_loop(loop, mode, cursor): whether `loop`'s carried values are stored per iteration
//    (LoopPlan::store) and how many bytes an iteration pushes (plus 8 for the undo log's
//    cursor when `cursor`), or the reason it is recomputed: no carried values, --loop-ad=
//    recompute, a carried value that is not plain data, a condition that updates carried
//    values in place, a body that does not end in `yield`, or, under Auto, more than
//    kAutoStoreMaxBytes per iteration. Deterministic; depends only on the loop's IR.
#pragma once

#include <cstddef>
#include <string>

#include "ad/generate_adjoints.h"
#include "ir/ir.h"

namespace warpc::ad {

struct LoopPlan {
  bool store = false;
  size_t bytes = 0;
  std::string reason;
};

bool plain_layout(const Type* t, size_t& size, size_t& align);
bool has_dynamic_loop(const ir::Function& f);
LoopPlan plan_loop(const ir::Op& loop, LoopAd mode, bool cursor = false);

}  // namespace warpc::ad
