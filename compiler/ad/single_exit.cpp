// single_exit.cpp — loops and bodies with one exit each, for AD (contract in single_exit.h).
//
// A block is made single-exit by structure(): every exit (and the block's own terminator)
// becomes a `yield` of the block's own values followed by the exit tuple
// (loop payload…, code, function results…); the code after an `if` that may exit is nested
// in a gate `if code == 0`. Loops are converted innermost first, so an enclosing block sees
// an inner loop's `return` as the `if code == 3 { return … }` placed after it.
#include "ad/single_exit.h"

#include "ad/ad_support.h"
#include "ir/ir_clone.h"

namespace warpc::ad {

using ir::Block;
using ir::Op;
using ir::Opcode;
using ir::Region;
using ir::Value;

namespace {

enum ExitCode : int { kFellThrough = 0, kContinue = 1, kBreak = 2, kReturn = 3 };

bool is_exit(const Op& op) { return op.is(Opcode::Break) || op.is(Opcode::Continue) || op.is(Opcode::Return); }
bool is_loop(const Op& op) { return op.is(Opcode::For) || op.is(Opcode::While); }

// An exit (of `kind`, or any when null) reachable through `if` regions only.
bool has_exit_in(const Block& b, bool returns_only) {
  for (const Op* op : b.ops) {
    if (is_exit(*op) && (!returns_only || op->is(Opcode::Return))) return true;
    if (op->is(Opcode::If))
      for (const Region* r : op->regions)
        if (has_exit_in(*r->entry(), returns_only)) return true;
  }
  return false;
}

bool if_has_exit(const Op& op) {
  if (!op.is(Opcode::If)) return false;
  for (const Region* r : op.regions)
    if (has_exit_in(*r->entry(), false)) return true;
  return false;
}

// The name of the converted loop's k-th carried value: the counter, the loop's own values,
// the exit code, the results being returned.
std::string arg_name(const Op& loop, size_t k) {
  const Block* body = loop.regions.back()->entry();
  const size_t first = loop.is(Opcode::For) ? 1 : 0;
  if (first && k == 0) return "k";
  if (k == first + loop.results.size()) return "exit";
  return k < body->args.size() ? body->args[k]->name : "ret";
}

std::vector<const Type*> types_of(const std::vector<Value*>& values) {
  std::vector<const Type*> out;
  for (const Value* v : values) out.push_back(v->type);
  return out;
}

void append(Block* b, Op* op) {
  ir::set_parent(op, b);
  b->ops.push_back(op);
}

// Rewrites the operands of `ops` (and of their regions) through `map`.
void remap(const std::vector<Op*>& ops, const ir::ValueMap& map) {
  for (Op* op : ops) {
    for (Value*& v : op->operands) v = ir::resolve(map, v);
    for (Region* r : op->regions) ir::replace_uses(r, map);
  }
}

class ExitStructurer {
 public:
  ExitStructurer(ir::Module& m, TypeContext& types, ir::Function* fn)
      : m_(m), types_(types), fn_(fn), b_(m), e_(m, types, b_) {}

  void run() {
    Block* body = fn_->body->entry();
    process(body);
    if (!has_exit_in_ifs(*body)) return;
    structure(body, {}, /*top=*/true, Exits{{}, fn_->result_types});
    Op* y = body->ops.back();  // yield code, results…
    body->ops.pop_back();
    b_.set_block(body);
    b_.emit(Opcode::Return, std::vector<Value*>(y->operands.begin() + 1, y->operands.end()), {}, y->loc);
  }

 private:
  // What a structured block yields after its own values.
  struct Exits {
    std::vector<const Type*> payload;  // the loop's carried values (fall through, continue, break)
    std::vector<const Type*> rets;     // the function's results (return)
  };

  static bool has_exit_in_ifs(const Block& b) {
    for (const Op* op : b.ops)
      if (if_has_exit(*op)) return true;
    return false;
  }

  // Innermost loops first.
  void process(Block* b) {
    for (size_t i = 0; i < b->ops.size(); ++i) {
      Op* op = b->ops[i];
      for (Region* r : op->regions) process(r->entry());
      if (is_loop(*op) && has_exit_in(*op->regions.back()->entry(), false)) i = convert_loop(b, i);
    }
  }

  std::vector<const Type*> exit_types(const Exits& ex) {
    std::vector<const Type*> out = ex.payload;
    out.push_back(types_.int32());
    out.insert(out.end(), ex.rets.begin(), ex.rets.end());
    return out;
  }

  // `blk` ends in: own values…, exit tuple (see the file comment).
  void structure(Block* blk, const std::vector<const Type*>& own, bool top, const Exits& ex) {
    for (size_t i = 0; i < blk->ops.size(); ++i) {
      Op* op = blk->ops[i];
      if (op->info().flags & ir::kTerminator) return finish(blk, own, top, ex);
      if (if_has_exit(*op)) return gate_rest(blk, i, own, top, ex);
    }
  }

  // Replaces the terminator of `blk` by the yield of (own…, exit tuple).
  void finish(Block* blk, const std::vector<const Type*>& own, bool top, const Exits& ex) {
    Op* t = blk->ops.back();
    blk->ops.pop_back();
    b_.set_block(blk);
    const SourceRange loc = t->loc;
    std::vector<Value*> vals;
    int code = kFellThrough;
    if (t->is(Opcode::Yield) && !top) {
      vals = t->operands;
      for (Value* z : e_.zeros(ex.payload, loc)) vals.push_back(z);
    } else {
      vals = e_.zeros(own, loc);
      if (t->is(Opcode::Return)) {
        code = kReturn;
        for (Value* z : e_.zeros(ex.payload, loc)) vals.push_back(z);
      } else {
        code = t->is(Opcode::Continue) ? kContinue : t->is(Opcode::Break) ? kBreak : kFellThrough;
        vals.insert(vals.end(), t->operands.begin(), t->operands.end());
      }
    }
    vals.push_back(e_.int_const(code, loc));
    if (code == kReturn) vals.insert(vals.end(), t->operands.begin(), t->operands.end());
    else for (Value* z : e_.zeros(ex.rets, loc)) vals.push_back(z);
    b_.emit(Opcode::Yield, vals, {}, loc);
  }

  // blk->ops[i] is an `if` that may exit: its branches yield the exit tuple too, and what
  // follows it runs only when it fell through.
  void gate_rest(Block* blk, size_t i, const std::vector<const Type*>& own, bool top, const Exits& ex) {
    Op* iff = blk->ops[i];
    const size_t n_own = iff->results.size();
    const std::vector<const Type*> branch_own = types_of(iff->results);
    for (Region* r : iff->regions) structure(r->entry(), branch_own, /*top=*/false, ex);
    for (const Type* t : exit_types(ex)) m_.add_result(iff, t);
    std::vector<Value*> exit_vals(iff->results.begin() + static_cast<long>(n_own), iff->results.end());
    Value* code = exit_vals[ex.payload.size()];

    std::vector<Op*> rest(blk->ops.begin() + static_cast<long>(i) + 1, blk->ops.end());
    blk->ops.resize(i + 1);
    b_.set_block(blk);
    const SourceRange loc = iff->loc;
    Value* fell = e_.cmp("==", code, e_.int_const(kFellThrough, loc), loc);
    std::vector<const Type*> gate_types = own;
    for (const Type* t : exit_types(ex)) gate_types.push_back(t);
    Op* gate = b_.emit(Opcode::If, {fell}, gate_types, loc);
    Region* then_r = m_.new_region(gate, fn_);
    Region* else_r = m_.new_region(gate, fn_);
    for (Op* op : rest) append(then_r->entry(), op);
    structure(then_r->entry(), own, top, ex);
    b_.set_block(else_r->entry());
    std::vector<Value*> skipped = e_.zeros(own, loc);
    skipped.insert(skipped.end(), exit_vals.begin(), exit_vals.end());
    b_.emit(Opcode::Yield, skipped, {}, loc);
    b_.set_block(blk);
    b_.emit(Opcode::Yield, gate->results, {}, loc);
  }

  // Replaces the loop b->ops[i] by the single-exit `while` (+ the `if` that returns after it);
  // returns the index of the last op that replaced it.
  size_t convert_loop(Block* b, size_t i);
  void build_condition(Op* loop, Op* w, Value* trips);
  void build_body(Op* loop, Op* w, Value* trips);

  ir::Module& m_;
  TypeContext& types_;
  ir::Function* fn_;
  ir::OpBuilder b_;
  IrEmit e_;
};

size_t ExitStructurer::convert_loop(Block* b, size_t i) {
  Op* loop = b->ops[i];
  const bool is_for = loop->is(Opcode::For);
  const SourceRange loc = loop->loc;
  Block* body = loop->regions.back()->entry();
  const bool has_return = has_exit_in(*body, /*returns_only=*/true);
  Exits ex{types_of(loop->results), has_return ? fn_->result_types : std::vector<const Type*>{}};
  structure(body, {}, /*top=*/true, ex);

  std::vector<Op*> tail(b->ops.begin() + static_cast<long>(i) + 1, b->ops.end());
  b->ops.resize(i);
  b_.set_block(b);
  Value* trips = nullptr;
  std::vector<Value*> inits;
  if (is_for) {
    trips = e_.internal("range_count", {loop->operands[0], loop->operands[1], loop->operands[2]}, types_.int32(), loc);
    inits.push_back(e_.int_const(0, loc));
  }
  inits.insert(inits.end(), loop->operands.begin() + (is_for ? 3 : 0), loop->operands.end());
  inits.push_back(e_.int_const(kFellThrough, loc));
  for (Value* z : e_.zeros(ex.rets, loc)) inits.push_back(z);
  Op* w = b_.emit(Opcode::While, inits, types_of(inits), loc);
  build_condition(loop, w, trips);
  build_body(loop, w, trips);

  b_.set_block(b);
  const size_t first = is_for ? 1 : 0;
  ir::ValueMap results;
  for (size_t r = 0; r < loop->results.size(); ++r) results[loop->results[r]] = w->results[first + r];
  if (has_return) {
    const size_t code_at = first + loop->results.size();
    Value* returned = e_.cmp("==", w->results[code_at], e_.int_const(kReturn, loc), loc);
    Op* iff = b_.emit(Opcode::If, {returned}, {}, loc);
    Region* then_r = m_.new_region(iff, fn_);
    Region* else_r = m_.new_region(iff, fn_);
    b_.set_block(then_r->entry());
    b_.emit(Opcode::Return, std::vector<Value*>(w->results.begin() + static_cast<long>(code_at) + 1, w->results.end()),
            {}, loc);
    b_.set_block(else_r->entry());
    b_.emit(Opcode::Yield, {}, {}, loc);
  }
  const size_t last = b->ops.size() - 1;
  remap(tail, results);
  for (Op* op : tail) append(b, op);
  return last;
}

// condition: if code < 2 { <the loop's own condition> } else { false }
void ExitStructurer::build_condition(Op* loop, Op* w, Value* trips) {
  const SourceRange loc = loop->loc;
  const bool is_for = loop->is(Opcode::For);
  Region* cond = m_.new_region(w, fn_);
  std::vector<Value*> args;
  for (size_t k = 0; k < w->operands.size(); ++k)
    args.push_back(m_.new_arg(cond->entry(), w->operands[k]->type, arg_name(*loop, k)));
  b_.set_block(cond->entry());
  const size_t first = is_for ? 1 : 0;
  Value* code = args[first + loop->results.size()];
  Value* go = e_.cmp("<", code, e_.int_const(kBreak, loc), loc);
  Op* iff = b_.emit(Opcode::If, {go}, {types_.bool_type()}, loc);
  Region* then_r = m_.new_region(iff, fn_);
  Region* else_r = m_.new_region(iff, fn_);
  b_.set_block(then_r->entry());
  if (is_for) {
    b_.emit(Opcode::Yield, {e_.cmp("<", args[0], trips, loc)}, {}, loc);
  } else {
    Block* own = loop->region(0)->entry();
    ir::ValueMap map;
    for (size_t k = 0; k < own->args.size(); ++k) map[own->args[k]] = args[k];
    Op* condition = own->ops.back();
    std::vector<Op*> ops(own->ops.begin(), own->ops.end() - 1);
    remap(ops, map);
    for (Op* op : ops) append(then_r->entry(), op);
    b_.set_block(then_r->entry());
    b_.emit(Opcode::Yield, {ir::resolve(map, condition->operands[0])}, {}, loc);
  }
  b_.set_block(else_r->entry());
  b_.emit(Opcode::Yield, {e_.bool_const(false, loc)}, {}, loc);
  b_.set_block(cond->entry());
  b_.emit(Opcode::Condition, {iff->result()}, {}, loc);
}

// body: [iv = lower + k·step;] <structured body>; yield [k + 1,] carried…, code, results…
void ExitStructurer::build_body(Op* loop, Op* w, Value* trips) {
  const SourceRange loc = loop->loc;
  const bool is_for = loop->is(Opcode::For);
  Region* wbody = m_.new_region(w, fn_);
  Block* src = loop->regions.back()->entry();
  std::vector<Value*> args;
  for (size_t k = 0; k < w->operands.size(); ++k)
    args.push_back(m_.new_arg(wbody->entry(), w->operands[k]->type, arg_name(*loop, k)));
  b_.set_block(wbody->entry());
  ir::ValueMap map;
  if (is_for) {
    Value* pos = args[0];
    if (loop->reversed) pos = e_.builtin("sub", {e_.builtin("sub", {trips, e_.int_const(1, loc)}, loc), args[0]}, loc);
    Value* iv = e_.builtin("add", {loop->operands[0], e_.builtin("mul", {pos, loop->operands[2]}, loc)}, loc);
    iv->name = src->args[0]->name;
    map[src->args[0]] = iv;
    for (size_t k = 1; k < src->args.size(); ++k) map[src->args[k]] = args[k];
  } else {
    for (size_t k = 0; k < src->args.size(); ++k) map[src->args[k]] = args[k];
  }
  Op* y = src->ops.back();  // yield carried…, code, results…
  std::vector<Op*> ops(src->ops.begin(), src->ops.end() - 1);
  remap(ops, map);
  for (Op* op : ops) append(wbody->entry(), op);
  b_.set_block(wbody->entry());
  std::vector<Value*> next;
  if (is_for) next.push_back(e_.builtin("add", {args[0], e_.int_const(1, loc)}, loc));
  for (Value* v : y->operands) next.push_back(ir::resolve(map, v));
  b_.emit(Opcode::Yield, next, {}, loc);
}

}  // namespace

ir::Function* single_exit_copy(ir::Module& m, TypeContext& types, const ir::Function& fn) {
  ir::Function* c = ir::clone_function(m, fn, fn.name);
  m.functions.pop_back();  // detached: only the AD sees it
  ExitStructurer(m, types, c).run();
  return c;
}

}  // namespace warpc::ad
