// ir.cpp — the IR's arena and small accessors (see ir.h).
#include "ir/ir.h"

#include <algorithm>

#include "sema/builtins.h"
#include "sema/symbols.h"

namespace warpc::ir {

namespace {

const OpInfo kOpInfo[] = {
#define IR_OP(id, spelling, operands, results, regions, flags) {spelling, operands, results, regions, flags},
#include "ir/ops.def"
#undef IR_OP
};

}  // namespace

const OpInfo& op_info(Opcode op) { return kOpInfo[static_cast<int>(op)]; }

Op* Block::terminator() const {
  if (ops.empty() || !(ops.back()->info().flags & kTerminator)) return nullptr;
  return ops.back();
}

Op* Op::parent_op() const {
  if (!parent || !parent->parent) return nullptr;
  return parent->parent->parent;
}

std::vector<Value*> Function::params() const {
  if (!body || !body->entry()) return {};
  return body->entry()->args;
}

Function* Module::add_function(FunctionKind kind, std::string fn_name) {
  Function* f = make<Function>();
  f->kind = kind;
  f->name = std::move(fn_name);
  functions.push_back(f);
  return f;
}

Region* Module::new_region(Op* parent, Function* fn) {
  Region* r = make<Region>();
  r->parent = parent;
  r->function = fn;
  new_block(r);
  if (parent) parent->regions.push_back(r);
  return r;
}

Block* Module::new_block(Region* parent) {
  Block* b = make<Block>();
  b->parent = parent;
  parent->blocks.push_back(b);
  return b;
}

Value* Module::new_arg(Block* b, const Type* type, std::string arg_name) {
  Value* v = make<Value>();
  v->type = type;
  v->block = b;
  v->index = static_cast<int>(b->args.size());
  v->name = std::move(arg_name);
  b->args.push_back(v);
  return v;
}

Op* Module::new_op(Opcode opcode, std::vector<Value*> operands, const std::vector<const Type*>& result_types,
                   SourceRange loc) {
  Op* op = make<Op>();
  op->opcode = opcode;
  op->operands = std::move(operands);
  op->loc = loc;
  for (const Type* t : result_types) add_result(op, t);
  return op;
}

Value* Module::add_result(Op* op, const Type* type) {
  Value* v = make<Value>();
  v->type = type;
  v->def = op;
  v->index = static_cast<int>(op->results.size());
  op->results.push_back(v);
  return v;
}

const ConstValue* Module::keep(ConstValue v) {
  ConstValue* c = make<ConstValue>();
  *c = std::move(v);
  return c;
}

Op* OpBuilder::emit(Opcode opcode, std::vector<Value*> operands, const std::vector<const Type*>& result_types,
                    SourceRange loc) {
  Op* op = m_.new_op(opcode, std::move(operands), result_types, loc);
  op->parent = block_;
  block_->ops.push_back(op);
  return op;
}

std::vector<int> ref_operands(const Op& op) {
  std::vector<int> out;
  const bool adj = op.is(Opcode::AdjCallBuiltin);  // its primal operands: one per result
  const BuiltinOverload* ov = (op.is(Opcode::CallBuiltin) || adj) && op.target ? op.target->overload : nullptr;
  const int n = ov ? builtin_param_count(ov) : 0;
  const size_t count = adj ? op.results.size() : op.operands.size();
  for (size_t i = 0; n > 0 && i < count; ++i)  // a trailing variadic parameter takes the rest
    if (builtin_param_is_ref(ov, std::min(static_cast<int>(i), n - 1))) out.push_back(static_cast<int>(i));
  return out;
}

int first_written_result(const Op& op) {
  const Type* r = op.target ? op.target->result : nullptr;
  return r && r->kind != TypeKind::Void ? 1 : 0;
}

std::vector<int> written_operands(const Op& op) {
  std::vector<int> refs = ref_operands(op);
  if (refs.empty() || op.results.size() != static_cast<size_t>(first_written_result(op)) + refs.size()) return {};
  return refs;
}

}  // namespace warpc::ir
