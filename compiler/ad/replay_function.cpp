// replay_function.cpp — side-effect-free copies of user functions for replays (see
// replay_function.h).
#include "ad/replay_function.h"

#include <set>

#include "ad/ad_support.h"
#include "ir/ir_clone.h"

namespace warpc::ad {

using ir::Block;
using ir::Op;
using ir::Opcode;

bool ReplayFunctions::needs_copy(const Block& b) {
  for (const Op* op : b.ops) {
    if (ad_replay_skips(*op)) return true;
    if (op->is(Opcode::Call) && op->callee && of(*op->callee) != op->callee) return true;
    for (const ir::Region* r : op->regions)
      if (needs_copy(*r->entry())) return true;
  }
  return false;
}

const ir::Function* ReplayFunctions::of(const ir::Function& f) {
  if (auto it = done_.find(&f); it != done_.end()) return it->second;
  done_[&f] = &f;  // (recursion is rejected by sema; this also ends any cycle)
  if (f.kind == ir::FunctionKind::Native || !f.body || !needs_copy(*f.body->entry())) return &f;
  std::set<std::string> names;
  for (const ir::Function* g : m_.functions) names.insert(g->name);
  std::string name = f.name + "_replay";
  for (int n = 1; names.count(name); ++n) name = f.name + "_replay" + std::to_string(n);
  ir::Function* c = ir::clone_function(m_, f, name);
  done_[&f] = c;
  ir::ValueMap zeros;
  strip(c->body->entry(), zeros);
  return c;
}

void ReplayFunctions::forget_dropped() {
  std::set<const ir::Function*> live(m_.functions.begin(), m_.functions.end());
  for (auto it = done_.begin(); it != done_.end();)
    it = live.count(it->first) && live.count(it->second) ? std::next(it) : done_.erase(it);
}

// Removes the skipped ops of `b` (recursively), mapping their results to `zero`s.
void ReplayFunctions::strip(Block* b, ir::ValueMap& map) {
  std::vector<Op*> kept;
  for (Op* op : b->ops) {
    for (ir::Value*& v : op->operands) v = ir::resolve(map, v);
    for (ir::Region* r : op->regions) strip(r->entry(), map);
    if (op->is(Opcode::Call) && op->callee) {
      const ir::Function* r = of(*op->callee);
      op->callee = const_cast<ir::Function*>(r);
      op->name = r->name;
    }
    if (!ad_replay_skips(*op)) {
      kept.push_back(op);
      continue;
    }
    for (ir::Value* r : op->results) {
      Op* z = m_.new_op(Opcode::Zero, {}, {r->type}, op->loc);
      ir::set_parent(z, b);
      kept.push_back(z);
      map[r] = z->result();
    }
  }
  b->ops = std::move(kept);
}

}  // namespace warpc::ad
