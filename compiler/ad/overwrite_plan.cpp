// overwrite_plan.cpp — overwrite_plan() (contract in overwrite_plan.h): one program-order walk
// of the kernel body numbering the loads and writes of every array root, with the loops around
// each; a load "follows" a write when the write comes first or both sit in one loop.
#include "ad/overwrite_plan.h"

#include <algorithm>
#include <map>

#include "ad/ad_support.h"
#include "sema/types.h"

namespace warpc::ad {

namespace {

using ir::Op;
using ir::Opcode;

enum class Access { Load, Store, FunctionStore, Update };

struct Event {
  Access access;
  size_t pos;
  std::vector<const Op*> loops;
  SourceRange loc;
  bool nested = false;  // inside a branch or loop (replayed again by the reverse sweep)
};

bool follows(const Event& load, const Event& write) {
  if (write.pos < load.pos) return true;
  for (const Op* l : load.loops)
    if (std::find(write.loops.begin(), write.loops.end(), l) != write.loops.end()) return true;
  return false;
}

class Walker {
 public:
  explicit Walker(const ir::Function& k) : k_(k) {}
  std::map<ir::ArrayRoot, std::vector<Event>> events;
  std::optional<SourceRange> unseen_store;  // the first store into an array that is no root
  bool unseen_load = false;

  void walk(const ir::Block& b) {
    for (const Op* op : b.ops) {
      visit(*op);
      const bool loop = op->is(Opcode::For) || op->is(Opcode::While);
      if (loop) loops_.push_back(op);
      depth_ += !op->regions.empty();
      for (const ir::Region* r : op->regions)
        for (const ir::Block* inner : r->blocks) walk(*inner);
      depth_ -= !op->regions.empty();
      if (loop) loops_.pop_back();
    }
  }

 private:
  void add(const ir::Value* array, Access a, SourceRange loc) {
    if (std::optional<ir::ArrayRoot> r = ir::array_root(k_, array)) {
      events[*r].push_back({a, pos_++, loops_, loc, depth_ > 0});
      return;
    }
    if (ad_is_local_array(array)) return;
    if (a == Access::Load) unseen_load = true;
    else if (!unseen_store) unseen_store = loc;
  }

  void visit(const Op& op) {
    switch (op.opcode) {
      case Opcode::ArrayLoad: return add(op.operands[0], Access::Load, op.loc);
      case Opcode::ArrayStore: return add(op.operands[0], Access::Store, op.loc);
      case Opcode::AtomicAdd:
      case Opcode::AtomicSub:
      case Opcode::AtomicMin:
      case Opcode::AtomicMax: return add(op.operands[0], Access::Update, op.loc);
      case Opcode::CallBuiltin:
        for (size_t i = 0; i < op.operands.size(); ++i)
          if (op.operands[i]->type->kind == TypeKind::Array)
            add(op.operands[i], i == 0 && op.name.rfind("atomic_", 0) == 0 ? Access::Update : Access::Load, op.loc);
        return;
      case Opcode::Call: return call(op);
      default: return;
    }
  }

  void call(const Op& op) {
    if (!op.callee) return;
    for (const ir::ArrayEffect& e : ir::array_effects(*op.callee)) {
      if (e.root.param < 0 || static_cast<size_t>(e.root.param) >= op.operands.size()) continue;
      std::optional<ir::ArrayRoot> r = ir::array_root(k_, op.operands[static_cast<size_t>(e.root.param)]);
      if (!r) continue;
      r->field.insert(r->field.end(), e.root.field.begin(), e.root.field.end());
      // The call's loads happen before its own writes (a conservative order for one call).
      if (e.loaded) events[*r].push_back({Access::Load, pos_++, loops_, op.loc, depth_ > 0});
      if (e.stored) events[*r].push_back({Access::FunctionStore, pos_++, loops_, op.loc, depth_ > 0});
      if (e.updated) events[*r].push_back({Access::Update, pos_++, loops_, op.loc, depth_ > 0});
    }
  }

  const ir::Function& k_;
  std::vector<const Op*> loops_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

std::string array_root_name(const ir::Function& kernel, const ir::ArrayRoot& root) {
  const ir::Value* p = kernel.params()[static_cast<size_t>(root.param)];
  std::string name = p->name;
  const Type* t = p->type;
  for (int f : root.field) {
    if (!t || t->kind != TypeKind::Struct || f < 0 || static_cast<size_t>(f) >= t->info->fields.size()) break;
    name += "." + t->info->fields[static_cast<size_t>(f)].name;
    t = t->info->fields[static_cast<size_t>(f)].type;
  }
  return name;
}

OverwritePlan overwrite_plan(const ir::Function& kernel) {
  OverwritePlan plan;
  if (!kernel.body) return plan;
  Walker w(kernel);
  w.walk(*kernel.body->entry());
  using Kind = OverwriteProblem::Kind;
  for (const auto& [root, events] : w.events) {
    const Event* first_write = nullptr;
    bool before = false, after_store = false, before_nested = false;
    const Event* after_function = nullptr;
    const Event* after_atomic = nullptr;
    const Event* first_after = nullptr;
    for (const Event& e : events)
      if (e.access != Access::Load && !first_write) first_write = &e;
    if (!first_write) continue;
    for (const Event& load : events) {
      if (load.access != Access::Load) continue;
      bool follows_store = false;
      for (const Event& wr : events) {
        if (wr.access == Access::Load || !follows(load, wr)) continue;
        if (wr.access == Access::Store) follows_store = true;
        if (wr.access == Access::FunctionStore && !after_function) after_function = &load;
        if (wr.access == Access::Update && !after_atomic) after_atomic = &load;
      }
      if (follows_store && !first_after) first_after = &load;
      after_store |= follows_store;
      before |= !follows_store;
      before_nested |= !follows_store && load.nested;
    }
    const bool read = before || after_store || after_function || after_atomic;
    if (!read) continue;
    const std::string name = array_root_name(kernel, root);
    if (after_store) plan.replay_stores.insert(root);
    if (after_store && before_nested) plan.problems.push_back({Kind::ReadBeforeAndAfter, name, first_after->loc});
    if (after_function) plan.problems.push_back({Kind::StoredByFunction, name, after_function->loc});
    if (after_atomic) plan.problems.push_back({Kind::ReadAfterAtomic, name, after_atomic->loc});
  }
  if (w.unseen_store && w.unseen_load) plan.problems.push_back({Kind::Unseen, "", *w.unseen_store});
  return plan;
}

}  // namespace warpc::ad
