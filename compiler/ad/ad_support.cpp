// ad_support.cpp — see ad_support.h.
#include "ad/ad_support.h"

#include <fmt/format.h>

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
    case Opcode::CallBuiltin:
      return op.name == "print" || op.name == "printf" || op.name == "breakpoint" || op.name.rfind("expect_", 0) == 0;
    default: return false;
  }
}

namespace ad {

using ir::Opcode;
using ir::Value;

Value* IrEmit::int_const(int64_t v, SourceRange loc) {
  ConstValue c;
  c.type = types_.int32();
  c.comps.push_back(v);
  ir::Op* op = b_.emit(Opcode::Const, {}, {types_.int32()}, loc);
  op->constant = m_.keep(std::move(c));
  return op->result();
}

Value* IrEmit::bool_const(bool v, SourceRange loc) {
  ConstValue c;
  c.type = types_.bool_type();
  c.comps.push_back(v);
  ir::Op* op = b_.emit(Opcode::Const, {}, {types_.bool_type()}, loc);
  op->constant = m_.keep(std::move(c));
  return op->result();
}

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
