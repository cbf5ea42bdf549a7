// tid_extent.cpp — finds the accesses every thread makes at its thread index (see tid_extent.h).
#include "codegen/tid_extent.h"

#include <map>

namespace warpc::codegen {

namespace {

bool is_element_access(const ir::Op& op) {
  switch (op.opcode) {
    case ir::Opcode::ArrayLoad:
    case ir::Opcode::ArrayStore:
    case ir::Opcode::AtomicAdd:
    case ir::Opcode::AtomicSub:
    case ir::Opcode::AtomicMin:
    case ir::Opcode::AtomicMax: return true;
    default: return false;
  }
}

}  // namespace

std::vector<TidAccess> unconditional_tid_accesses(const ir::Function& kernel) {
  std::vector<TidAccess> out;
  if (kernel.kind != ir::FunctionKind::Kernel || !kernel.body || !kernel.body->entry()) return out;
  std::map<const ir::Value*, size_t> param_index;
  const std::vector<ir::Value*> params = kernel.params();
  for (size_t i = 0; i < params.size(); ++i) param_index[params[i]] = i;
  for (const ir::Op* op : kernel.body->entry()->ops) {
    if (!is_element_access(*op) || op->operands.empty()) continue;
    auto p = param_index.find(op->operands[0]);
    if (p == param_index.end()) continue;
    const int ndim = kernel.param_types[p->second]->ndim;
    for (int axis = 0; axis < ndim && static_cast<size_t>(axis) + 1 < op->operands.size(); ++axis) {
      const ir::Value* index = op->operands[static_cast<size_t>(axis) + 1];
      if (!index->def || !index->def->is(ir::Opcode::Tid)) continue;
      bool seen = false;
      for (const TidAccess& a : out) seen |= a.param == p->second && a.axis == axis && a.tid == index->index;
      if (!seen) out.push_back({p->second, axis, index->index, op->loc});
    }
  }
  return out;
}

}  // namespace warpc::codegen
