// unroll_static_loops.cpp — see unroll_static_loops.h.
//
// Walks each function's blocks; an op's regions are processed before the op
// itself, so inner loops unroll first. After a loop is unrolled the walk
// resumes at the first inserted copy: inner loops whose bounds were the outer
// induction variable now have constant bounds and get their own chance.
#include "passes/unroll_static_loops.h"

#include <algorithm>
#include <optional>

#include "ir/ir_clone.h"
#include "sema/symbols.h"

namespace warpc {

namespace {

using ir::Op;
using ir::Opcode;
using ir::Value;
using Int = __int128;

// Does `b` (or an `if` nested in it) break or continue its loop?
bool exits_loop(const ir::Block& b) {
  for (const Op* op : b.ops) {
    if (op->is(Opcode::Break) || op->is(Opcode::Continue)) return true;
    if (op->is(Opcode::If))
      for (const ir::Region* r : op->regions)
        if (r->entry() && exits_loop(*r->entry())) return true;
  }
  return false;
}

std::optional<Int> int_const(const Value* v) {
  if (!v || !v->def || !v->def->is(Opcode::Const) || !v->def->constant || !v->type->is_int_scalar())
    return std::nullopt;
  const ConstValue& c = *v->def->constant;
  if (!c.comps.empty())
    if (const uint64_t* u = std::get_if<uint64_t>(&c.comps[0])) return static_cast<Int>(*u);
  return static_cast<Int>(c.as_int());
}

// The induction variable's values, in visiting order, when the loop is static.
std::optional<std::vector<Int>> iteration_values(const Op& loop, int limit) {
  std::optional<Int> lo = int_const(loop.operands[0]), hi = int_const(loop.operands[1]),
                     step = int_const(loop.operands[2]);
  if (!lo || !hi || !step || *step == 0) return std::nullopt;
  Int s = *step;
  Int span = s > 0 ? *hi - *lo : *lo - *hi;
  Int count = span <= 0 ? 0 : (span + (s > 0 ? s : -s) - 1) / (s > 0 ? s : -s);
  if (count > limit) return std::nullopt;
  std::vector<Int> values;
  for (Int k = 0; k < count; ++k) values.push_back(*lo + k * s);
  if (loop.reversed) std::reverse(values.begin(), values.end());
  return values;
}

bool unrollable_body(const Op& loop) {
  const ir::Block* body = loop.region(0)->entry();
  const Op* term = body ? body->terminator() : nullptr;
  return term && term->is(Opcode::Yield) && !exits_loop(*body);
}

int max_unroll(const ir::Function& f) {
  if (f.kind != ir::FunctionKind::Kernel || !f.instance || !f.instance->decl) return kMaxUnroll;
  const auto& others = f.instance->decl->options.others;
  auto it = others.find("max_unroll");
  return it != others.end() && it->second ? static_cast<int>(it->second->as_int()) : kMaxUnroll;
}

class Unroller {
 public:
  explicit Unroller(ir::Module& m) : m_(m) {}
  bool changed = false;

  void function(ir::Function* f) {
    if (!f->body || !f->body->entry()) return;
    limit_ = max_unroll(*f);
    results_.clear();
    block(f->body->entry());
    ir::replace_uses(f->body, results_);
  }

 private:
  ir::Module& m_;
  int limit_ = kMaxUnroll;
  ir::ValueMap results_;  // results of unrolled loops → their final carried values

  void block(ir::Block* b) {
    for (size_t i = 0; i < b->ops.size();) {
      Op* op = b->ops[i];
      for (Value*& v : op->operands) v = ir::resolve(results_, v);
      for (ir::Region* r : op->regions)
        if (r->entry()) block(r->entry());
      if (op->is(Opcode::For) && unrollable_body(*op))
        if (auto values = iteration_values(*op, limit_)) {
          unroll(b, i, *values);
          continue;  // resume at the first copy
        }
      ++i;
    }
  }

  Value* iv_const(const Type* t, Int v, SourceRange loc, ir::Block* b, size_t pos) {
    ConstValue c;
    c.type = t;
    if (is_signed(t->scalar)) c.comps = {static_cast<int64_t>(v)};
    else c.comps = {static_cast<uint64_t>(v)};
    Op* k = m_.new_op(Opcode::Const, {}, {t}, loc);
    k->constant = m_.keep(std::move(c));
    ir::set_parent(k, b);
    b->ops.insert(b->ops.begin() + static_cast<std::ptrdiff_t>(pos), k);
    return k->result(0);
  }

  // Replaces the loop at b->ops[i] by one copy of its body per value.
  void unroll(ir::Block* b, size_t i, const std::vector<Int>& values) {
    Op* loop = b->ops[i];
    const ir::Block* body = loop->region(0)->entry();
    std::vector<Value*> carried(loop->operands.begin() + 3, loop->operands.end());
    b->ops.erase(b->ops.begin() + static_cast<std::ptrdiff_t>(i));
    size_t pos = i;
    for (Int v : values) {
      ir::ValueMap map;
      map[body->args[0]] = iv_const(body->args[0]->type, v, loop->loc, b, pos++);
      for (size_t j = 0; j < carried.size(); ++j) map[body->args[j + 1]] = carried[j];
      pos += ir::clone_ops_into(m_, *body, b, pos, map, /*with_terminator=*/false);
      const Op* y = body->terminator();
      for (size_t j = 0; j < carried.size(); ++j) carried[j] = ir::resolve(map, y->operands[j]);
    }
    for (size_t j = 0; j < loop->results.size(); ++j) results_[loop->results[j]] = carried[j];
    changed = true;
  }
};

}  // namespace

bool unroll_static_loops(ir::Module& m) {
  Unroller u(m);
  for (ir::Function* f : m.functions) u.function(f);
  return u.changed;
}

}  // namespace warpc
