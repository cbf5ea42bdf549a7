// array_effects.cpp — array_effects() and array_root() (contract in array_effects.h): one walk
// over the body's ops and nested regions; a call merges the callee's effects (computed once per
// callee, memoised) into the roots of the arrays passed to it.
#include "ir/array_effects.h"

#include <map>
#include <set>

#include "sema/types.h"

namespace warpc::ir {

namespace {

bool is_atomic_builtin(const Op& op) { return op.is(Opcode::CallBuiltin) && op.name.rfind("atomic_", 0) == 0; }

class EffectsWalker {
 public:
  const std::vector<ArrayEffect>& of(const Function& fn) {
    if (auto it = memo_.find(&fn); it != memo_.end()) return it->second;
    if (!active_.insert(&fn).second || !fn.body) return memo_[&fn];  // recursion: no further effects
    std::map<ArrayRoot, ArrayEffect> rows;
    walk(fn, *fn.body->entry(), rows);
    active_.erase(&fn);
    std::vector<ArrayEffect> result;
    for (auto& [root, effect] : rows) result.push_back(effect);
    return memo_[&fn] = std::move(result);
  }

 private:
  enum class Use { Load, Store, Update };

  static void note(std::map<ArrayRoot, ArrayEffect>& rows, const ArrayRoot& root, Use use, SourceRange loc) {
    ArrayEffect& e = rows[root];
    e.root = root;
    if (use == Use::Load) e.loaded = true;
    if (use != Use::Load && !e.stored && !e.updated) e.first_write = loc;
    if (use == Use::Store) e.stored = true;
    if (use == Use::Update) e.updated = true;
  }

  void use(const Function& fn, std::map<ArrayRoot, ArrayEffect>& rows, const Value* v, Use u, SourceRange loc) {
    if (std::optional<ArrayRoot> r = array_root(fn, v)) note(rows, *r, u, loc);
  }

  void call(const Function& fn, const Op& op, std::map<ArrayRoot, ArrayEffect>& rows) {
    for (const ArrayEffect& e : of(*op.callee)) {
      if (e.root.param < 0 || static_cast<size_t>(e.root.param) >= op.operands.size()) continue;
      std::optional<ArrayRoot> r = array_root(fn, op.operands[static_cast<size_t>(e.root.param)]);
      if (!r) continue;
      r->field.insert(r->field.end(), e.root.field.begin(), e.root.field.end());
      if (e.loaded) note(rows, *r, Use::Load, op.loc);
      if (e.stored) note(rows, *r, Use::Store, op.loc);
      if (e.updated) note(rows, *r, Use::Update, op.loc);
    }
  }

  void walk(const Function& fn, const Block& b, std::map<ArrayRoot, ArrayEffect>& rows) {
    for (const Op* op : b.ops) {
      switch (op->opcode) {
        case Opcode::ArrayLoad: use(fn, rows, op->operands[0], Use::Load, op->loc); break;
        case Opcode::ArrayStore: use(fn, rows, op->operands[0], Use::Store, op->loc); break;
        case Opcode::AtomicAdd:
        case Opcode::AtomicSub:
        case Opcode::AtomicMin:
        case Opcode::AtomicMax: use(fn, rows, op->operands[0], Use::Update, op->loc); break;
        case Opcode::Call:
          if (op->callee) call(fn, *op, rows);
          break;
        case Opcode::CallBuiltin:
          for (size_t i = 0; i < op->operands.size(); ++i) {
            if (op->operands[i]->type->kind != TypeKind::Array) continue;
            use(fn, rows, op->operands[i], i == 0 && is_atomic_builtin(*op) ? Use::Update : Use::Load, op->loc);
          }
          break;
        default: break;
      }
      for (const Region* r : op->regions)
        for (const Block* inner : r->blocks) walk(fn, *inner, rows);
    }
  }

  std::map<const Function*, std::vector<ArrayEffect>> memo_;
  std::set<const Function*> active_;
};

}  // namespace

std::optional<ArrayRoot> array_root(const Function& fn, const Value* v) {
  std::vector<int> path;  // collected innermost first
  while (v) {
    if (v->def && v->def->is(Opcode::ArrayView) && !v->def->operands.empty()) {
      v = v->def->operands[0];
      continue;
    }
    if (v->def && v->def->is(Opcode::Extract) && v->def->operands.size() == 1 &&
        v->def->operands[0]->type->kind == TypeKind::Struct) {
      path.insert(path.begin(), v->def->indices.begin(), v->def->indices.end());
      v = v->def->operands[0];
      continue;
    }
    break;
  }
  if (!v || v->def || !fn.body || v->block != fn.body->entry()) return std::nullopt;
  return ArrayRoot{v->index, std::move(path)};
}

std::vector<ArrayEffect> array_effects(const Function& fn) { return EffectsWalker().of(fn); }

}  // namespace warpc::ir
