// ir_clone.h — copying ops and regions with value remapping, and rewriting
// uses (the tools passes need to inline a region or unroll a loop).
//
// Contract:
//  * A ValueMap maps an original Value to its replacement. clone_op() looks
//    every operand up in the map (values not in it — defined outside what is
//    being cloned — are kept as they are), creates fresh results, nested
//    regions, blocks and block arguments, and records original → copy for
//    every result and block argument it creates, so later clones see them.
//  * Cloned ops are detached: the caller inserts them (set_parent below).
//  * resolve() follows a ValueMap transitively (a → b → c gives c).
//  * replace_uses() rewrites every operand in a region (nested regions too).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "ir/ir.h"

namespace warpc::ir {

using ValueMap = std::unordered_map<const Value*, Value*>;

// The final replacement of `v` in `map` (v itself when it is not mapped).
Value* resolve(const ValueMap& map, Value* v);

// A detached deep copy of `op` in function `fn` (see the contract above).
Op* clone_op(Module& m, const Op& op, Function* fn, ValueMap& map);

// Copies of the ops of `src` (its terminator included only when asked),
// inserted into `dst` before position `pos`; returns how many were inserted.
size_t clone_ops_into(Module& m, const Block& src, Block* dst, size_t pos, ValueMap& map, bool with_terminator);

// A deep copy of function `f` (signature, instance, location, body) added to `m` as `name`.
Function* clone_function(Module& m, const Function& f, const std::string& name);

// Rewrites the operands of every op in `r` (recursively) through `map`.
void replace_uses(Region* r, const ValueMap& map);

// Makes `b` the parent of `op` (after moving or inserting it).
inline void set_parent(Op* op, Block* b) { op->parent = b; }

}  // namespace warpc::ir
