// overwrite_plan.cpp — overwrite_plan() (contract in overwrite_plan.h): one program-order walk
// of the kernel body numbering the loads and writes of every array root, with the loops around
// each; a load "follows" a write when the write comes first or both sit in one loop. A load
// in a loop or branch is then checked against every later store (reread_after_later_store):
// such roots get the adjoint's undo log.
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
  const Op* op = nullptr;  // the array_load / array_store itself (null: a builtin's or a call's access)
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
  void add(const ir::Value* array, Access a, SourceRange loc, const Op* op = nullptr) {
    if (std::optional<ir::ArrayRoot> r = ir::array_root(k_, array)) {
      events[*r].push_back({a, pos_++, loops_, loc, depth_ > 0, op});
      return;
    }
    if (ad_is_local_array(array)) return;
    if (a == Access::Load) unseen_load = true;
    else if (!unseen_store) unseen_store = loc;
  }

  void visit(const Op& op) {
    switch (op.opcode) {
      case Opcode::ArrayLoad: return add(op.operands[0], Access::Load, op.loc, &op);
      case Opcode::ArrayStore: return add(op.operands[0], Access::Store, op.loc, &op);
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


// Equal values for index purposes: the same value, equal constants, or the same pure op
// (a builtin other than an atomic, a cast, a view, a struct field) of equal operands.
bool same_value(const ir::Value* a, const ir::Value* b, int depth = 6) {
  if (a == b) return true;
  if (!a || !b || !a->def || !b->def || depth == 0 || a->type != b->type) return false;
  const Op& x = *a->def;
  const Op& y = *b->def;
  if (x.opcode != y.opcode || x.results.size() != 1 || y.results.size() != 1) return false;
  if (x.is(Opcode::Const)) return x.constant && y.constant && x.constant->comps == y.constant->comps;
  const bool pure = (x.is(Opcode::CallBuiltin) && x.name.rfind("atomic_", 0) != 0) || x.is(Opcode::Cast) ||
                    x.is(Opcode::ArrayView) || x.is(Opcode::Extract);
  if (!pure || !x.regions.empty() || x.name != y.name || x.indices != y.indices ||
      x.operands.size() != y.operands.size())
    return false;
  for (size_t i = 0; i < x.operands.size(); ++i)
    if (!same_value(x.operands[i], y.operands[i], depth - 1)) return false;
  return true;
}

std::optional<int64_t> int_constant(const ir::Value* v) {
  if (!v || !v->def || !v->def->is(Opcode::Const) || !v->def->constant || !v->type->is_scalar() ||
      !is_integer(v->type->scalar))
    return std::nullopt;
  return v->def->constant->as_int();
}

// `v` as iv + c (iv, iv + c, c + iv, iv - c), or nothing.
std::optional<int64_t> offset_from(const ir::Value* v, const ir::Value* iv) {
  if (v == iv) return 0;
  if (!v || !v->def || !v->def->is(Opcode::CallBuiltin) || v->def->operands.size() != 2) return std::nullopt;
  const Op& op = *v->def;
  if (op.name == "add" && op.operands[0] == iv) return int_constant(op.operands[1]);
  if (op.name == "add" && op.operands[1] == iv) return int_constant(op.operands[0]);
  if (op.name == "sub" && op.operands[0] == iv)
    if (std::optional<int64_t> c = int_constant(op.operands[1])) return -*c;
  return std::nullopt;
}

// A load sees in every replay what the forward pass saw when the same iteration (or branch)
// stored the element just before it: a plain store into the same array at equal indices, earlier
// in the same block.
bool covered(const Event& load, const std::vector<Event>& events) {
  if (!load.op) return false;
  for (const Event& s : events) {
    if (s.access != Access::Store || !s.op || s.pos > load.pos || s.op->parent != load.op->parent) continue;
    if (s.op->operands.size() != load.op->operands.size() + 1) continue;
    bool same = true;
    for (size_t i = 0; i < load.op->operands.size() && same; ++i) same = same_value(s.op->operands[i], load.op->operands[i]);
    if (same) return true;
  }
  return false;
}

// `loop` (a `for` with a constant step) stores, in its iterations after the one that loads, only
// elements the load does not read: in some dimension the store's index is iv + cs and the load's
// iv + cl with cl <= cs (cl >= cs when the loop counts down). A loop's history.
bool separated(const Event& load, const Event& store, const Op& loop) {
  if (!load.op || !store.op || !loop.is(Opcode::For) || loop.operands.size() < 3) return false;
  std::optional<int64_t> step = int_constant(loop.operands[2]);
  if (!step || *step == 0 || !same_value(load.op->operands[0], store.op->operands[0])) return false;
  const bool up = (*step > 0) != loop.reversed;
  const ir::Value* iv = loop.region(0)->entry()->args[0];
  for (size_t d = 1; d < load.op->operands.size() && d + 1 < store.op->operands.size(); ++d) {
    std::optional<int64_t> cl = offset_from(load.op->operands[d], iv), cs = offset_from(store.op->operands[d], iv);
    if (cl && cs && (up ? *cl <= *cs : *cl >= *cs)) return true;
  }
  return false;
}

// Does the backward pass replay `load` (in a loop or branch) after a store into its root that the
// forward pass made only later: a store sharing a loop with it (a later iteration) whose elements
// it cannot tell apart, or a store after the loop or branch?
bool reread_after_later_store(const Event& load, const std::vector<Event>& events) {
  if (!load.nested || covered(load, events)) return false;
  for (const Event& s : events) {
    if (s.access != Access::Store) continue;
    bool shares = false, apart = true;
    for (const Op* l : load.loops)
      if (std::find(s.loops.begin(), s.loops.end(), l) != s.loops.end()) {
        shares = true;
        apart = apart && separated(load, s, *l);
      }
    if (shares ? !apart : s.pos > load.pos) return true;
  }
  return false;
}

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
      after_store |= follows_store;
      before |= !follows_store;
      before_nested |= !follows_store && load.nested;
    }
    const bool read = before || after_store || after_function || after_atomic;
    if (!read) continue;
    const std::string name = array_root_name(kernel, root);
    if (after_store) plan.replay_stores.insert(root);
    // A load the reverse sweep replays after stores the forward pass made only later: the
    // adjoint keeps an undo log of this root's stores instead, so every replay sees the
    // contents the forward pass saw.
    bool log = after_store && before_nested;
    for (const Event& load : events)
      log = log || (after_store && load.access == Access::Load && reread_after_later_store(load, events));
    if (log) plan.undo_log.insert(root);
    if (after_function) plan.problems.push_back({Kind::StoredByFunction, name, after_function->loc});
    if (after_atomic) plan.problems.push_back({Kind::ReadAfterAtomic, name, after_atomic->loc});
  }
  if (w.unseen_store && w.unseen_load) plan.problems.push_back({Kind::Unseen, "", *w.unseen_store});
  return plan;
}

}  // namespace warpc::ad
