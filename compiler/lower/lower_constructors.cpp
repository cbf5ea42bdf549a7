// lower_constructors.cpp — builtins that lowering turns into other calls:
//  * wp.vector(…), wp.matrix(…), wp.quaternion(…), wp.transformation(…) become the type
//    constructor of their concrete result type (the forms of sema/builtin_constructors.cpp)
//    applied to their value arguments — length=, shape= and dtype= are in the type already —
//    so code generation and AD treat them exactly like wp.vec3(…), wp.quat(…) …;
//    wp.quaternion() is the zero quaternion and wp.transformation(p) has the identity rotation.
//  * the tuple forms `U, sigma, V = wp.svd3(A)` (svd3, svd2, qr3, eig3, quat_to_axis_angle,
//    transform_decompose) become the builtin's `&` form applied to zero-initialised outputs,
//    whose new values (the call's extra results, as for every `&` builtin) are the tuple.
#include <fmt/format.h>

#include "lower/lower_impl.h"

namespace warpc::lower {

using ir::Opcode;
using ir::Value;

bool is_generic_constructor(std::string_view name) {
  return name == "vector" || name == "matrix" || name == "quaternion" || name == "transformation";
}

// A TypeConstructor CallTarget building `type` from `args` (kept alive by the TypeContext).
const sema::CallTarget* Lowerer::constructor_target(const Type* type, const std::vector<const Type*>& args) {
  std::string key = "construct " + type_name(type);
  for (const Type* a : args) key += "," + type_name(a);
  if (auto it = made_targets_.find(key); it != made_targets_.end()) return it->second;
  std::vector<BuiltinArg> bargs;
  for (const Type* a : args) bargs.push_back(BuiltinArg{a, {}, nullptr});
  BuiltinResolution r = resolve_constructor(types_, type, bargs);
  if (r.status != BuiltinResolution::Status::Ok) return nullptr;
  auto t = std::make_shared<sema::CallTarget>();
  t->kind = sema::CallKind::TypeConstructor;
  t->result = type;
  t->name = type_name(type);
  t->overload = r.overload;
  t->constructed = type;
  types_.keep(t);
  return made_targets_[key] = t.get();
}

Value* Lowerer::generic_constructor(const ast::CallExpr* c) {
  const Type* type = c->type;
  const std::string& name = c->target->name;
  std::vector<Value*> args;
  for (const ast::Expr* a : c->args)
    if (!(a->type && a->type->kind == TypeKind::TypeValue)) args.push_back(expr(a));
  for (const ast::Keyword& k : c->keywords) {
    if (k.name == "length" || k.name == "shape" || k.name == "dtype") continue;
    if (!(name == "transformation" && k.name == "q" && args.size() == 1))
      unsupported(k.value->range, fmt::format("the keyword argument '{}' of '{}'", k.name, name));
    args.push_back(expr(k.value));
  }
  if (!type || type->is_error()) unsupported(c->range, fmt::format("this '{}' call", name));
  if (name == "quaternion" && args.empty()) return b_.emit1(Opcode::Zero, {}, type, c->range);
  if (name == "transformation" && args.size() == 1) {  // q=None: the identity rotation
    const Type* q = types_.quat(type->scalar);
    ir::Op* identity = b_.emit(Opcode::CallBuiltin, {}, {q}, c->range);
    identity->target = constructor_target(q, {});
    identity->name = type_name(q);
    args.push_back(identity->result());
  }
  std::vector<const Type*> arg_types;
  for (const Value* a : args) arg_types.push_back(a->type);
  const sema::CallTarget* t = constructor_target(type, arg_types);
  if (!t) unsupported(c->range, fmt::format("this '{}' call", name));
  ir::Op* op = b_.emit(Opcode::CallBuiltin, args, {type}, c->range);
  op->target = t;
  op->name = type_name(type);
  return op->result();
}

std::vector<Value*> Lowerer::tuple_builtin(const ast::CallExpr* c, const std::vector<Value*>& args) {
  const sema::CallTarget* t = c->target;
  std::vector<const Type*> types;
  std::vector<Value*> operands = args;
  for (const Value* a : args) types.push_back(a->type);
  for (const Type* out : t->result->elems) {
    types.push_back(out);
    operands.push_back(b_.emit1(Opcode::Zero, {}, out, c->range));
  }
  const sema::CallTarget* form = builtin_target(t->name, types);
  if (!form || !form->result || form->result->kind != TypeKind::Void)
    unsupported(c->range, fmt::format("the tuple form of '{}'", t->name));
  ir::Op* op = b_.emit(Opcode::CallBuiltin, operands, {}, c->range);
  op->target = form;
  op->name = t->name;
  std::vector<Value*> outs;
  for (int i : ir::ref_operands(*op)) outs.push_back(module_->add_result(op, op->operands[static_cast<size_t>(i)]->type));
  return outs;
}

}  // namespace warpc::lower
