// ad_support.cpp — see ad_support.h.
#include "ad/ad_support.h"

#include <fmt/format.h>

#include <set>

#include "sema/builtins.h"
#include "sema/symbols.h"

namespace warpc {

bool ad_differentiable(const Type* t) {
  switch (t->kind) {
    case TypeKind::Scalar:
    case TypeKind::Vector:
    case TypeKind::Matrix:
    case TypeKind::Quat:
    case TypeKind::Transform: return is_float(t->scalar);
    case TypeKind::Struct:
      for (const StructField& f : t->info->fields)
        if (ad_differentiable(f.type)) return true;
      return false;
    default: return false;
  }
}

bool ad_is_local_array(const ir::Value* v) {
  return v->def && v->def->is(ir::Opcode::CallBuiltin) && v->def->target &&
         v->def->target->kind == sema::CallKind::LocalArray;
}

bool ad_replay_skips(const ir::Op& op) {
  using ir::Opcode;
  switch (op.opcode) {
    case Opcode::ArrayStore:
    case Opcode::AtomicAdd:
    case Opcode::AtomicSub:
    case Opcode::AtomicMin:
    case Opcode::AtomicMax: return !ad_is_local_array(op.operands[0]);
    case Opcode::Assert: return true;
    case Opcode::CallBuiltin:  // debugging output, and atomics on arrays the launch passed (side effects)
      if (op.name.rfind("atomic_", 0) == 0) return !op.operands.empty() && !ad_is_local_array(op.operands[0]);
      return op.name == "print" || op.name == "printf" || op.name == "breakpoint" || op.name.rfind("expect_", 0) == 0;
    default: return false;
  }
}

// The value an atomic returns (the element before the update) cannot be recomputed by the
// backward pass (the update already happened). In the kernel itself the adjoint generator
// refuses only where the gradient depends on it (generate_adjoints.cpp: unknown values); in a
// called function — whose replay is a side-effect-free copy — any use is refused.
namespace {

void collect_operands(const ir::Block& b, std::set<const ir::Value*>& used) {
  for (const ir::Op* op : b.ops) {
    for (const ir::Value* v : op->operands) used.insert(v);
    for (const ir::Region* r : op->regions) collect_operands(*r->entry(), used);
  }
}

void refuse_used_atomic_results(const ir::Function& f, std::set<const ir::Function*>& seen, bool own_ops) {
  using ir::Opcode;
  if (!f.body || !seen.insert(&f).second) return;
  std::set<const ir::Value*> used;
  collect_operands(*f.body->entry(), used);
  std::vector<const ir::Block*> blocks = {f.body->entry()};
  while (!blocks.empty()) {
    const ir::Block* b = blocks.back();
    blocks.pop_back();
    for (const ir::Op* op : b->ops) {
      const bool atomic = op->is(Opcode::AtomicAdd) || op->is(Opcode::AtomicSub) || op->is(Opcode::AtomicMin) ||
                          op->is(Opcode::AtomicMax) ||
                          (op->is(Opcode::CallBuiltin) && op->name.rfind("atomic_", 0) == 0);
      if (atomic && own_ops)
        for (const ir::Value* r : op->results)
          if (used.count(r))
            throw AdError(fmt::format("the value '{}' returns is used, and the backward pass cannot recompute it",
                                      op->is(Opcode::CallBuiltin) ? op->name : op->info().spelling),
                          op->loc);
      if (op->is(Opcode::Call) && op->callee) refuse_used_atomic_results(*op->callee, seen, true);
      for (const ir::Region* r : op->regions) blocks.push_back(r->entry());
    }
  }
}

}  // namespace

void ad_refuse_used_atomic_results(const ir::Function& kernel) {
  std::set<const ir::Function*> seen;
  refuse_used_atomic_results(kernel, seen, false);
}

RefAdjoint ad_ref_adjoint(std::string_view builtin) {
  static constexpr std::string_view kOverwrite[] = {"svd3", "svd2", "qr3", "eig3", "quat_to_axis_angle",
                                                    "mesh_query_point", "mesh_query_point_no_sign", "mesh_query_ray",
                                                    "volume_sample_grad", "volume_sample_grad_f",
                                                    "volume_sample_grad_index", "transform_decompose"};
  static constexpr std::string_view kUpdate[] = {"transform_set_translation", "transform_set_rotation"};
  for (std::string_view n : kOverwrite)
    if (n == builtin) return RefAdjoint::Overwrite;
  for (std::string_view n : kUpdate)
    if (n == builtin) return RefAdjoint::Update;
  return RefAdjoint::None;
}

namespace ad {

using ir::Opcode;
using ir::Value;

namespace {
// A `const` op of scalar type `t` holding `v`.
Value* scalar_const(ir::OpBuilder& b, ir::Module& m, const Type* t, ConstValue::Scalar v, SourceRange loc) {
  ConstValue c;
  c.type = t;
  c.comps.push_back(v);
  ir::Op* op = b.emit(Opcode::Const, {}, {t}, loc);
  op->constant = m.keep(std::move(c));
  return op->result();
}
}  // namespace

Value* IrEmit::int_const(int64_t v, SourceRange loc) { return scalar_const(b_, m_, types_.int32(), v, loc); }

Value* IrEmit::bool_const(bool v, SourceRange loc) { return scalar_const(b_, m_, types_.bool_type(), v, loc); }

std::vector<Value*> IrEmit::zeros(const std::vector<const Type*>& types, SourceRange loc) {
  std::vector<Value*> out;
  for (const Type* t : types) out.push_back(zero(t, loc));
  return out;
}

Value* IrEmit::cmp(const char* predicate, Value* a, Value* b, SourceRange loc) {
  ir::Op* op = b_.emit(Opcode::Compare, {a, b}, {types_.bool_type()}, loc);
  op->name = predicate;
  return op->result();
}

const sema::CallTarget* IrEmit::builtin_target(const std::string& name, const std::vector<const Type*>& args,
                                               SourceRange loc) {
  std::vector<BuiltinArg> bargs;
  for (const Type* t : args) bargs.push_back({t, {}, nullptr});
  BuiltinResolution r = resolve_builtin(types_, name, bargs);
  if (r.status != BuiltinResolution::Status::Ok)
    throw AdError(fmt::format("the adjoint needs '{}' on these types (internal error: {})", name, r.message), loc);
  sema::CallTarget t;
  t.kind = sema::CallKind::Builtin;
  t.result = r.result;
  t.name = name;
  t.overload = r.overload;
  return m_.keep_object(std::move(t));
}

Value* IrEmit::builtin(const std::string& name, std::vector<Value*> args, SourceRange loc) {
  std::vector<const Type*> types;
  for (const Value* a : args) types.push_back(a->type);
  const sema::CallTarget* t = builtin_target(name, types, loc);
  ir::Op* op = b_.emit(Opcode::CallBuiltin, std::move(args), {t->result}, loc);
  op->name = name;
  op->target = t;
  return op->result();
}

Value* IrEmit::internal(const std::string& name, std::vector<Value*> args, const Type* t, SourceRange loc) {
  ir::Op* op = b_.emit(Opcode::CallBuiltin, std::move(args), {t}, loc);
  op->name = name;  // no target: a runtime helper of kernel_support.h
  return op->result();
}

}  // namespace ad
}  // namespace warpc
