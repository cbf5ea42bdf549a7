// lower_call.cpp — calls (builtins, user functions, constructors, casts,
// wp.tid, print, wp.static per unrolled iteration, local arrays) and the
// expressions that become `if` ops: short-circuit `and` / `or`, chained
// comparisons, `a if c else b`. Builtin operands: lower_builtin_args.cpp.
#include <fmt/format.h>

#include "lower/lower_impl.h"

namespace warpc::lower {

using ir::Opcode;
using ir::Value;

std::vector<Value*> Lowerer::call(const ast::CallExpr* c) {
  const sema::CallTarget* t = c->target;
  if (!t) unsupported(c->range, "this call");
  switch (t->kind) {
    case sema::CallKind::Builtin:
    case sema::CallKind::Print:
    case sema::CallKind::Printf: return builtin_call(c);
    case sema::CallKind::UserFunction: {
      std::vector<Value*> args;
      for (const ast::Expr* a : t->bound_args) {
        if (!a) unsupported(c->range, "a call with a missing argument");
        args.push_back(expr(a));
      }
      Value* v = apply(t, args, c->range, "this call");
      if (!v) return {};
      ir::Op* op = v->def;
      return op->results;
    }
    case sema::CallKind::StructConstructor: return {struct_constructor(c)};
    case sema::CallKind::TypeConstructor: return {type_constructor(c)};
    case sema::CallKind::Tid: {
      std::vector<const Type*> ts(static_cast<size_t>(std::max(1, t->tid_dims)), types_.int32());
      return b_.emit(Opcode::Tid, {}, ts, c->range)->results;
    }
    case sema::CallKind::Len:  // len(array) = shape[0]; other lengths are constants
      if (c->args.size() == 1 && c->args[0]->type && c->args[0]->type->kind == TypeKind::Array) {
        ir::Op* op = b_.emit(Opcode::ArrayShape, {expr(c->args[0])}, {types_.int32()}, c->range);
        op->indices = {0};
        return op->results;
      }
      unsupported(c->range, "this 'len' call");
    case sema::CallKind::LocalArray: return {local_array(c)};
    case sema::CallKind::ArrayFromPtr: {  // call_builtin array(ptr, extents…): a view of raw memory
      const ast::Expr* ptr = nullptr;
      const ast::Expr* shape = nullptr;
      for (const ast::Keyword& k : c->keywords) {
        if (k.name == "ptr") ptr = k.value;
        if (k.name == "shape") shape = k.value;
      }
      std::vector<Value*> ops = {expr(ptr)};
      if (const auto* tup = shape->as<ast::TupleExpr>())
        for (const ast::Expr* d : tup->elts) ops.push_back(expr(d));
      else
        ops.push_back(expr(shape));
      ir::Op* op = b_.emit(Opcode::CallBuiltin, ops, {c->type}, c->range);
      op->target = c->target;
      op->name = "array";
      return op->results;
    }
    case sema::CallKind::Static:  // reads the variable of a loop unrolled around it (lower_loop.cpp)
      if (c->args.size() != 1) unsupported(c->range, "this 'wp.static' call");
      return expr_values(c->args[0]);
    case sema::CallKind::Range:
    case sema::CallKind::Reversed: unsupported(c->range, "'range' outside the header of a 'for' loop");
    default: unsupported(c->range, fmt::format("calls of '{}'", t->name));
  }
}

// Builtins (`wp.atomic_*` on arrays become the explicit memory ops).
std::vector<Value*> Lowerer::builtin_call(const ast::CallExpr* c) {
  const sema::CallTarget* t = c->target;
  if (t->kind == sema::CallKind::Builtin && is_generic_constructor(t->name)) return {generic_constructor(c)};
  std::vector<const ast::Expr*> sources;
  std::vector<Value*> args = builtin_args(c, &sources);
  static const std::pair<const char*, Opcode> kAtomics[] = {{"atomic_add", Opcode::AtomicAdd},
                                                            {"atomic_sub", Opcode::AtomicSub},
                                                            {"atomic_min", Opcode::AtomicMin},
                                                            {"atomic_max", Opcode::AtomicMax}};
  for (const auto& [name, op] : kAtomics) {
    if (t->name == name && !args.empty() && args[0]->type->kind == TypeKind::Array)
      return {b_.emit1(op, args, args[0]->type->elem, c->range)};
  }
  if (t->result && t->result->kind == TypeKind::Tuple) return tuple_builtin(c, args);
  std::vector<const Type*> results;
  if (t->result && t->result->kind != TypeKind::Void) results.push_back(t->result);
  ir::Op* op = b_.emit(Opcode::CallBuiltin, args, results, c->range);
  op->target = t;
  op->name = t->kind == sema::CallKind::Printf ? "printf" : t->kind == sema::CallKind::Print ? "print" : t->name;
  if (inplace_refs_ == 0 && writes_into_arguments(t)) rebind_written(op, sources);
  return {op->results.begin(), op->results.begin() + static_cast<std::ptrdiff_t>(results.size())};
}

// The SSA form of a builtin writing into `&` arguments: one more result per `&` operand (its value
// after the call); a local passed by name is rebound to it. Other argument expressions (`m.U`,
// `a[i]`) were copies: their new values are dropped, as in Warp.
void Lowerer::rebind_written(ir::Op* op, const std::vector<const ast::Expr*>& sources) {
  for (int i : ir::ref_operands(*op)) {
    Value* before = op->operands[static_cast<size_t>(i)];
    Value* after = module_->add_result(op, before->type);
    const ast::Expr* src = static_cast<size_t>(i) < sources.size() ? sources[static_cast<size_t>(i)] : nullptr;
    const auto* n = src ? src->as<ast::NameExpr>() : nullptr;
    after->name = n ? n->name : before->name;
    if (n && n->symbol && env_.count(n->symbol)) env_[n->symbol] = after;
  }
}

// `wp.zeros(shape=(n, m), dtype=T)` in kernel code: a zero-filled local array
// of constant shape, `call_builtin zeros(<const dims>) : array(dtype=T, ndim=k)`
// with sema's LocalArray target (an array value like a parameter's: loads,
// stores, atomics and shapes apply; it lives until the end of its block).
Value* Lowerer::local_array(const ast::CallExpr* c) {
  const ast::Expr* shape = c->args.empty() ? nullptr : c->args[0];
  for (const ast::Keyword& k : c->keywords)
    if (k.name == "shape") shape = k.value;
  std::vector<const ast::Expr*> dims;
  if (const auto* t = shape ? shape->as<ast::TupleExpr>() : nullptr) dims.assign(t->elts.begin(), t->elts.end());
  else if (shape) dims.push_back(shape);
  std::vector<Value*> ops;
  for (const ast::Expr* d : dims) {
    if (!d->constant || !d->constant->is_scalar()) unsupported(d->range, "this local array dimension");
    ops.push_back(int_const(d->constant->as_int(), d->range));
  }
  if (ops.empty() || !c->type || c->type->kind != TypeKind::Array) unsupported(c->range, "this local array");
  ir::Op* op = b_.emit(Opcode::CallBuiltin, ops, {c->type}, c->range);
  op->target = c->target;
  op->name = "zeros";
  return op->result(0);
}

// `float(i)` between scalars is a cast; other constructors (`wp.vec3(…)`,
// `wp.mat33(…)`, `wp.quat(…)` …) are builtin calls named after the type.
Value* Lowerer::type_constructor(const ast::CallExpr* c) {
  const sema::CallTarget* t = c->target;
  if (!c->keywords.empty()) unsupported(c->range, "keyword arguments to a constructor");
  std::vector<Value*> args;
  for (const ast::Expr* a : c->args) args.push_back(expr(a));
  const Type* to = t->constructed ? t->constructed : c->type;
  if (to->is_scalar() && args.size() == 1 && args[0]->type->is_scalar())
    return args[0]->type == to ? args[0] : b_.emit1(Opcode::Cast, args, to, c->range);
  ir::Op* op = b_.emit(Opcode::CallBuiltin, args, {c->type}, c->range);
  op->target = t;
  op->name = type_name(to);
  return op->result(0);
}

Value* Lowerer::struct_constructor(const ast::CallExpr* c) {
  const sema::CallTarget* t = c->target;
  const StructInfo* info = t->struct_info;
  if (!info) unsupported(c->range, "this struct constructor");
  std::vector<Value*> fields;
  for (size_t i = 0; i < info->fields.size(); ++i) {
    const ast::Expr* a = i < t->bound_args.size() ? t->bound_args[i] : nullptr;
    fields.push_back(a ? expr(a) : b_.emit1(Opcode::Zero, {}, info->fields[i].type, c->range));
  }
  return b_.emit1(Opcode::StructNew, fields, c->type, c->range);
}

namespace {

// Builds `%r = if %cond : T { <then> yield } else { <else> yield }` for expressions.
// `inplace_refs` counts the regions whose rebindings could not leave them: builtins writing
// into arguments update them in place there.
template <class Then, class Else>
Value* select_op(ir::Module& m, ir::OpBuilder& b, ir::Function* fn, int& inplace_refs, Value* cond, const Type* t,
                 SourceRange loc, Then then_value, Else else_value) {
  ir::Op* op = b.emit(Opcode::If, {cond}, {t}, loc);
  ir::Region* then_r = m.new_region(op, fn);
  ir::Region* else_r = m.new_region(op, fn);
  ir::Block* saved = b.block();
  ++inplace_refs;
  b.set_block(then_r->entry());
  b.emit(Opcode::Yield, {then_value()}, {}, loc);
  b.set_block(else_r->entry());
  b.emit(Opcode::Yield, {else_value()}, {}, loc);
  --inplace_refs;
  b.set_block(saved);
  return op->result(0);
}

}  // namespace

// `a and b` = `b if a else a`; `a or b` = `a if a else b` (operands as bool).
Value* Lowerer::boolop(const ast::BoolOpExpr* e) {
  Value* acc = to_bool(expr(e->values[0]), e->values[0]->range);
  for (size_t i = 1; i < e->values.size(); ++i) {
    const ast::Expr* next = e->values[i];
    auto rhs = [&] { return to_bool(expr(next), next->range); };
    auto keep = [&] { return acc; };
    acc = e->op == ast::BoolOpKind::And
              ? select_op(*module_, b_, fn_, inplace_refs_, acc, types_.bool_type(), e->range, rhs, keep)
              : select_op(*module_, b_, fn_, inplace_refs_, acc, types_.bool_type(), e->range, keep, rhs);
  }
  return acc;
}

// `a < b < c`: each comparand evaluated once, later comparisons only if the
// earlier ones held.
Value* Lowerer::compare(const ast::CompareExpr* e, size_t i, Value* lhs) {
  Value* rhs = expr(e->comparators[i]);
  SourceRange r = i < e->op_ranges.size() ? e->op_ranges[i] : e->range;
  Value* c = to_bool(apply(i < e->targets.size() ? e->targets[i] : nullptr, {lhs, rhs}, r, "this comparison"), r);
  if (i + 1 == e->comparators.size()) return c;
  return select_op(
      *module_, b_, fn_, inplace_refs_, c, types_.bool_type(), e->range, [&] { return compare(e, i + 1, rhs); }, [&] { return c; });
}

Value* Lowerer::ifexp(const ast::IfExpExpr* e) {
  if (e->cond->constant) return expr(e->cond->constant->as_bool() ? e->then_value : e->else_value);
  Value* c = to_bool(expr(e->cond), e->cond->range);
  return select_op(
      *module_, b_, fn_, inplace_refs_, c, e->type, e->range, [&] { return expr(e->then_value); },
      [&] { return expr(e->else_value); });
}

}  // namespace warpc::lower
