// eliminate_dead_code.cpp — see eliminate_dead_code.h.
//
// Per function, repeated until nothing changes: count every use, then walk
// each block backwards removing dead removable ops (uses of their operands
// drop at once, so a dead chain in one block goes in one sweep).
#include "passes/eliminate_dead_code.h"

#include <set>
#include <string_view>
#include <unordered_map>

#include "sema/builtins.h"
#include "sema/symbols.h"

namespace warpc {

namespace {

using ir::Op;
using ir::Opcode;
using ir::Value;

// Builtins without side effects (all their arguments are read-only values).
bool pure_builtin_name(std::string_view n) {
  static const std::set<std::string_view> kPure = {
      "abs", "acos", "acosh", "add", "asin", "asinh", "atan", "atan2", "atanh", "bit_and", "bit_or", "bit_xor",
      "cbrt", "ceil", "clamp", "copysign", "cos", "cosh", "cross", "cw_div", "cw_mul", "ddot", "degrees",
      "determinant", "diag", "div", "dot", "erf", "erfc", "erfcinv", "erfinv", "exp", "floor", "floordiv", "frac",
      "get_diag", "identity", "inverse", "invert", "isfinite", "isinf", "isnan", "length", "length_sq", "lerp",
      "log", "log10", "log2", "lshift", "matrix", "matrix_from_cols", "matrix_from_rows", "max", "min", "mod",
      "mul", "neg", "nonzero", "normalize", "outer", "pos", "pow", "quat_from_axis_angle", "quat_from_matrix",
      "quat_identity", "quat_inverse", "quat_rotate", "quat_rotate_inv", "quat_rpy", "quat_slerp",
      "quat_to_matrix", "radians", "rand_init", "rint", "round", "rshift", "select", "sign", "sin", "sinh", "skew",
      "smoothstep", "sqrt", "step", "sub", "tan", "tanh", "trace", "transform_get_rotation",
      "transform_get_translation", "transform_identity", "transform_inverse", "transform_multiply",
      "transform_point", "transform_vector", "transpose", "trunc", "unot", "vector", "where"};
  return kPure.count(n) > 0;
}

// Builtins whose ADJOINT writes memory the IR does not see: the mesh queries and accessors add
// their vertex gradients into the mesh's points.grad / velocities.grad through the mesh handle,
// so an adjoint call of theirs stays even when none of its adjoint results is used.
// The index-grid samplers add their voxel-value gradients into voxel_data's gradient buffer.
bool adjoint_writes_memory(std::string_view n) {
  return n.starts_with("mesh_") || n == "volume_sample_index" || n == "volume_sample_grad_index";
}

bool pure_builtin(const Op& op) {
  const sema::CallTarget* t = op.target;
  if (!t) return false;
  if (t->overload)
    for (int p = 0; p < builtin_param_count(t->overload); ++p)
      if (builtin_param_is_ref(t->overload, p)) return false;
  if (t->kind == sema::CallKind::TypeConstructor) return true;
  return t->kind == sema::CallKind::Builtin && pure_builtin_name(op.name);
}

class Eliminator {
 public:
  bool changed = false;

  void function(ir::Function* f) {
    if (!f->body || !f->body->entry()) return;
    for (bool again = true; again;) {
      uses_.clear();
      count(*f->body->entry());
      again = sweep(f->body->entry());
      changed |= again;
    }
    pure_fns_[f] = !block_has_effects(*f->body->entry(), /*allow_return=*/true);
  }

 private:
  std::unordered_map<const Value*, int> uses_;
  std::unordered_map<const ir::Function*, bool> pure_fns_;  // callees are visited before callers

  void count(const ir::Block& b) {
    for (const Op* op : b.ops) {
      for (const Value* v : op->operands) ++uses_[v];
      for (const ir::Region* r : op->regions)
        if (r->entry()) count(*r->entry());
    }
  }

  bool has_effects(const Op& op, bool allow_return = false) {
    switch (op.opcode) {
      // The backward pass's undo-log cursor (wp::ad_log_tell) only reads.
      case Opcode::CallBuiltin: return !pure_builtin(op) && !(!op.target && op.name == "ad_log_tell");
      case Opcode::AdjCallBuiltin: return adjoint_writes_memory(op.name);
      case Opcode::Call: {
        auto it = pure_fns_.find(op.callee);
        return it == pure_fns_.end() || !it->second;
      }
      case Opcode::While: return true;  // might not terminate
      case Opcode::Return: return !allow_return;
      case Opcode::If:
      case Opcode::For:
        for (const ir::Region* r : op.regions)
          if (!r->entry() || block_has_effects(*r->entry(), allow_return)) return true;
        return false;
      default: return (op.info().flags & ir::kSideEffects) != 0;
    }
  }

  bool block_has_effects(const ir::Block& b, bool allow_return) {
    for (const Op* op : b.ops)
      if (has_effects(*op, allow_return)) return true;
    return false;
  }

  bool removable(const Op& op) {
    if (op.info().flags & ir::kTerminator) return false;
    for (const Value* r : op.results)
      if (uses_[r] > 0) return false;
    return !has_effects(op);
  }

  bool sweep(ir::Block* b) {
    bool any = false;
    for (size_t i = b->ops.size(); i-- > 0;) {
      Op* op = b->ops[i];
      if (removable(*op)) {
        for (const Value* v : op->operands) --uses_[v];
        b->ops.erase(b->ops.begin() + static_cast<std::ptrdiff_t>(i));
        any = true;
        continue;
      }
      if (op->is(Opcode::If)) any |= drop_unused_results(op);
      for (ir::Region* r : op->regions)
        if (r->entry()) any |= sweep(r->entry());
    }
    return any;
  }

  // Removes the unused results of an `if` that stays, with the values its
  // regions' `yield`s give for them (break / continue / return are left).
  bool drop_unused_results(Op* op) {
    bool any = false;
    for (size_t k = op->results.size(); k-- > 0;) {
      if (uses_[op->results[k]] > 0) continue;
      for (ir::Region* r : op->regions) {
        Op* y = r->entry() ? r->entry()->terminator() : nullptr;
        if (!y || !y->is(Opcode::Yield) || y->operands.size() <= k) continue;
        --uses_[y->operands[k]];
        y->operands.erase(y->operands.begin() + static_cast<std::ptrdiff_t>(k));
      }
      op->results.erase(op->results.begin() + static_cast<std::ptrdiff_t>(k));
      any = true;
    }
    for (size_t k = 0; k < op->results.size(); ++k) op->results[k]->index = static_cast<int>(k);
    return any;
  }
};

}  // namespace

bool eliminate_dead_code(ir::Module& m) {
  Eliminator e;
  for (ir::Function* f : m.functions) e.function(f);
  return e.changed;
}

}  // namespace warpc
