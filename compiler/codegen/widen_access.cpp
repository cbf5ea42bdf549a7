// widen_access.cpp — decides whether a kernel's CUDA code may use wide (vector) accesses
// (see widen_access.h for the rules and why they make widening invisible).
#include "codegen/widen_access.h"

#include <algorithm>
#include <map>

#include "codegen/cpp_names.h"
#include "codegen/emit_function.h"

namespace warpc::codegen {

namespace {

constexpr int kMaxLanes = 8;
constexpr size_t kMaxBytesPerThread = 1024;  // register budget for all lane buffers together
constexpr size_t kWord = 16;                 // bytes per vector access

bool is_tid(const ir::Value* v) { return v->def && v->def->is(ir::Opcode::Tid); }

// Elements of `elem` per 16-byte word (0 = not widened). Only element sizes that divide 16:
// with `lanes` elements filling exactly one word per array, a warp's 16-byte accesses cover
// one contiguous 512-byte span. Sizes such as vec3's 12 bytes would need several words per
// thread at a 48-byte stride between threads — measured slower than the plain kernel on the
// H100 (integrate on vec3: 85% of copy bandwidth instead of 99%).
int lanes_for(const Type* elem) {
  switch (elem->kind) {
    case TypeKind::Scalar: case TypeKind::Vector: case TypeKind::Matrix:
    case TypeKind::Quat: case TypeKind::Transform: break;
    default: return 0;
  }
  const size_t size = type_layout(elem).size;
  if (size == 0 || kWord % size != 0) return 0;
  const int lanes = static_cast<int>(kWord / size);
  return lanes <= kMaxLanes ? lanes : 0;
}

class Planner {
 public:
  explicit Planner(const ir::Function& fn) : fn_(fn) {
    std::vector<ir::Value*> params = fn.params();
    for (size_t i = 0; i < params.size(); ++i) param_index_[params[i]] = i;
  }

  std::optional<WidePlan> run() {
    if (fn_.kind != ir::FunctionKind::Kernel || fn_.primal || fn_.tangent_of || function_tid_dims(fn_) != 1) return std::nullopt;
    if (!visit(fn_.body->entry()) || uses_.empty()) return std::nullopt;
    // Every planned array has the same element size (one word per array per thread).
    WidePlan plan;
    for (const auto& [param, use] : uses_) {
      const int lanes = lanes_for(fn_.param_types[param]->elem);
      if (lanes == 0 || (plan.lanes != 0 && lanes != plan.lanes)) return std::nullopt;
      plan.lanes = lanes;
      plan.arrays.push_back(use);
    }
    if (kWord * plan.arrays.size() > kMaxBytesPerThread) return std::nullopt;
    return plan;
  }

 private:
  bool visit(const ir::Block* b) {
    for (const ir::Op* op : b->ops) {
      if (!op_allowed(*op, b == fn_.body->entry())) return false;
      for (const ir::Region* r : op->regions)
        for (const ir::Block* inner : r->blocks)
          if (!visit(inner)) return false;
    }
    return true;
  }

  // The 1-D array parameter `v` indexed at the thread index, or null.
  const size_t* param_at_tid(const ir::Op& op) {
    if (op.operands.size() < 2 || !is_tid(op.operands[1])) return nullptr;
    auto it = param_index_.find(op.operands[0]);
    if (it == param_index_.end() || fn_.param_types[it->second]->ndim != 1) return nullptr;
    return &it->second;
  }

  bool op_allowed(const ir::Op& op, bool top_level) {
    const bool touches_array = std::any_of(op.operands.begin(), op.operands.end(),
                                           [](const ir::Value* v) { return v->type->kind == TypeKind::Array; });
    if (!touches_array) return true;
    if (op.is(ir::Opcode::ArrayShape)) return true;
    if (op.is(ir::Opcode::ArrayLoad) && op.operands.size() == 2) {
      const size_t* p = param_at_tid(op);
      if (!p) return false;
      use(*p).loaded = true;
      return true;
    }
    if (op.is(ir::Opcode::ArrayStore) && op.operands.size() == 3 && top_level) {
      const size_t* p = param_at_tid(op);
      if (!p || op.operands[2]->type->kind == TypeKind::Array) return false;
      use(*p).stored = true;
      return true;
    }
    return false;  // atomics, views, gradients, calls taking arrays, conditional stores …
  }

  WideArray& use(size_t param) {
    WideArray& a = uses_[param];
    a.param = param;
    return a;
  }

  const ir::Function& fn_;
  std::map<const ir::Value*, size_t> param_index_;
  std::map<size_t, WideArray> uses_;  // ordered by parameter
};

}  // namespace

std::optional<WidePlan> plan_wide_access(const ir::Function& kernel) { return Planner(kernel).run(); }

}  // namespace warpc::codegen
