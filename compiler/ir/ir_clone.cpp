// ir_clone.cpp — see ir_clone.h.
#include "ir/ir_clone.h"

namespace warpc::ir {

Value* resolve(const ValueMap& map, Value* v) {
  for (int guard = 0; v && guard < 1000000; ++guard) {
    auto it = map.find(v);
    if (it == map.end() || it->second == v) return v;
    v = it->second;
  }
  return v;
}

namespace {

void clone_region(Module& m, const Region& src, Op* parent, Function* fn, ValueMap& map) {
  Region* r = m.new_region(parent, fn);
  const Block* from = src.entry();
  Block* to = r->entry();
  if (!from) return;
  for (const Value* a : from->args) map[a] = m.new_arg(to, a->type, a->name);
  clone_ops_into(m, *from, to, 0, map, /*with_terminator=*/true);
}

}  // namespace

Op* clone_op(Module& m, const Op& op, Function* fn, ValueMap& map) {
  std::vector<Value*> operands;
  operands.reserve(op.operands.size());
  for (Value* v : op.operands) operands.push_back(resolve(map, v));
  std::vector<const Type*> types;
  for (const Value* r : op.results) types.push_back(r->type);
  Op* copy = m.new_op(op.opcode, std::move(operands), types, op.loc);
  copy->constant = op.constant;
  copy->target = op.target;
  copy->callee = op.callee;
  copy->name = op.name;
  copy->indices = op.indices;
  copy->reversed = op.reversed;
  for (size_t i = 0; i < op.results.size(); ++i) {
    copy->results[i]->name = op.results[i]->name;
    map[op.results[i]] = copy->results[i];
  }
  for (const Region* r : op.regions) clone_region(m, *r, copy, fn, map);
  return copy;
}

size_t clone_ops_into(Module& m, const Block& src, Block* dst, size_t pos, ValueMap& map, bool with_terminator) {
  Function* fn = dst->parent ? dst->parent->function : nullptr;
  std::vector<Op*> copies;
  for (const Op* op : src.ops) {
    if (!with_terminator && (op->info().flags & kTerminator)) continue;
    Op* c = clone_op(m, *op, fn, map);
    set_parent(c, dst);
    copies.push_back(c);
  }
  dst->ops.insert(dst->ops.begin() + static_cast<std::ptrdiff_t>(pos), copies.begin(), copies.end());
  return copies.size();
}

void replace_uses(Region* r, const ValueMap& map) {
  if (!r || map.empty()) return;
  for (Block* b : r->blocks)
    for (Op* op : b->ops) {
      for (Value*& v : op->operands) v = resolve(map, v);
      for (Region* inner : op->regions) replace_uses(inner, map);
    }
}

Function* clone_function(Module& m, const Function& f, const std::string& name) {
  Function* c = m.add_function(f.kind, name);
  c->param_types = f.param_types;
  c->result_types = f.result_types;
  c->instance = f.instance;
  c->loc = f.loc;
  c->body = m.new_region(nullptr, c);
  ValueMap map;
  for (const Value* a : f.body->entry()->args) map[a] = m.new_arg(c->body->entry(), a->type, a->name);
  clone_ops_into(m, *f.body->entry(), c->body->entry(), 0, map, /*with_terminator=*/true);
  return c;
}

}  // namespace warpc::ir
