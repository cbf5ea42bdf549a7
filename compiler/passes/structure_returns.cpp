// structure_returns.cpp — early returns become if/else with yields (see structure_returns.h).
#include "passes/structure_returns.h"

#include "ir/ir_clone.h"

namespace warpc {

using ir::Block;
using ir::Op;
using ir::Opcode;

namespace {

bool ends_in_return(const Block& b) {
  const Op* t = b.terminator();
  return t && t->is(Opcode::Return);
}

// `b` ends in `return`. Finds the first top-level `if` with a branch that returns and moves
// everything after it into the other branch; recurses; then turns the branch returns into
// yields of a new `if` result list that `b` returns.
bool restructure(ir::Module& m, ir::Function* fn, Block* b) {
  for (size_t i = 0; i < b->ops.size(); ++i) {
    Op* iff = b->ops[i];
    if (!iff->is(Opcode::If)) continue;
    Block* then_b = iff->region(0)->entry();
    Block* else_b = iff->region(1)->entry();
    if (!ends_in_return(*then_b) && !ends_in_return(*else_b)) continue;

    std::vector<Op*> rest(b->ops.begin() + static_cast<long>(i) + 1, b->ops.end());
    b->ops.resize(i + 1);
    for (Block* branch : {then_b, else_b}) {
      if (ends_in_return(*branch)) continue;
      // The branch yields the if's results: the moved ops read the yielded values instead.
      Op* yield = branch->ops.back();
      ir::ValueMap map;
      for (size_t r = 0; r < iff->results.size(); ++r) map[iff->results[r]] = yield->operands[r];
      branch->ops.pop_back();
      for (Op* op : rest) {
        for (ir::Value*& v : op->operands) v = ir::resolve(map, v);
        for (ir::Region* r : op->regions) ir::replace_uses(r, map);
        ir::set_parent(op, branch);
        branch->ops.push_back(op);
      }
    }
    restructure(m, fn, then_b);
    restructure(m, fn, else_b);
    // Branch returns → yields; the if now produces the function's results.
    Op* ret = nullptr;
    for (Block* branch : {then_b, else_b}) {
      ret = branch->ops.back();
      ret->opcode = Opcode::Yield;
    }
    iff->results.clear();
    for (const Type* t : fn->result_types) m.add_result(iff, t);
    Op* new_ret = m.new_op(Opcode::Return, iff->results, {}, ret->loc);
    ir::set_parent(new_ret, b);
    b->ops.push_back(new_ret);
    return true;
  }
  return false;
}

}  // namespace

bool structure_returns(ir::Module& m) {
  bool changed = false;
  for (ir::Function* fn : m.functions)
    if (fn->body && ends_in_return(*fn->body->entry())) changed |= restructure(m, fn, fn->body->entry());
  return changed;
}

}  // namespace warpc
