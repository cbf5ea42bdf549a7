// grad_slots.cpp — the gradient groups of a backward kernel (see grad_slots.h for the contract).
#include "codegen/grad_slots.h"

#include <functional>
#include <set>

namespace warpc::codegen {

GradSlots grad_slots(const ir::Function& fn, int max_groups) {
  GradSlots out;
  out.group_of.assign(fn.param_types.size(), -1);
  if (max_groups <= 0 || fn.kind != ir::FunctionKind::Kernel || !fn.primal || !fn.body) return out;
  const std::vector<ir::Value*> params = fn.params();
  std::set<size_t> targets;
  std::function<void(const ir::Block*)> visit = [&](const ir::Block* b) {
    for (const ir::Op* op : b->ops) {
      if (op->is(ir::Opcode::GradAccum) && !op->operands.empty())
        for (size_t p = 0; p < params.size(); ++p)
          if (op->operands[0] == params[p]) targets.insert(p);
      for (const ir::Region* r : op->regions)
        for (const ir::Block* inner : r->blocks) visit(inner);
    }
  };
  visit(fn.body->entry());
  if (targets.empty()) return out;
  // Items: one per primal array parameter, then one for all scalar-parameter accumulators.
  const size_t primal = fn.primal->param_types.size();
  std::vector<std::vector<size_t>> items;
  std::vector<size_t> accumulators;
  for (size_t p : targets) {
    if (p < primal) items.push_back({p});
    else accumulators.push_back(p);
  }
  if (!accumulators.empty()) items.push_back(accumulators);
  const size_t n = items.size();
  const size_t groups = n < static_cast<size_t>(max_groups) ? n : static_cast<size_t>(max_groups);
  for (size_t i = 0; i < n; ++i)
    for (size_t p : items[i]) out.group_of[p] = static_cast<int>(i * groups / n);
  out.groups = static_cast<int>(groups);
  return out;
}

}  // namespace warpc::codegen
