// generate_adjoints.cpp — reverse-mode AD on the IR (contract in generate_adjoints.h).
//
// One AdjointBuilder per adjoint function; it differentiates the single-exit copy of the
// primal (ad/single_exit.h), calls replay side-effect-free copies of user functions
// (ad/replay_function.h), custom grads / replays and native snippets. Two maps drive it:
//   fwd_  original value → its replayed copy in the adjoint function (region-local values are
//         re-mapped every time their region is replayed; uses always follow the latest replay)
//   adj_  original value → the IR value holding its adjoint so far (absent = zero)
// Reversing a region saves and restores adj_ for the values defined outside it: the
// structured op that reverses the region returns their updated adjoints as its results.
// Loops (store strategy): the replay that immediately precedes a block's reverse — the
// function's replay (replay_entry), a branch's replay (reverse_if), iteration k's replay
// (reverse_loop) — is the one whose DIRECT loops push (push_block_); nested loops push in the
// replay of their own enclosing iteration / branch, so every push is popped by the reverse that
// follows it and the stack stays balanced (LIFO) without any bookkeeping at run time.
// Undo log (overwrite_plan's `undo_log` roots): every replay stores into those roots through
// wp::ad_log_store and notes the log's cursor around each logged op (log_span_: the latest
// replay's, like trips_ / stored_). Invariant of the reverse sweep: when an op is reversed the
// arrays hold what the forward pass left after it; reversing a logged op undoes its stores
// (a store at its adjoint; an `if` before replaying its branch; a loop iteration before
// replaying it), so they hold what the forward pass had before it.
#include "ad/generate_adjoints.h"

#include "ad/ad_support.h"
#include "ad/overwrite_plan.h"
#include "ad/plan_loop.h"
#include "ad/replay_function.h"
#include "ad/single_exit.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "sema/builtins.h"
#include "sema/symbols.h"

namespace warpc {

using ir::Block;
using ir::Function;
using ir::Op;
using ir::Opcode;
using ir::Region;
using ir::Value;
using ad::LoopPlan;
using ad::has_dynamic_loop;
using ad::plain_layout;
using ad::plan_loop;

namespace {

bool differentiable(const Type* t) { return ad_differentiable(t); }

bool replay_skips(const Op& op) { return ad_replay_skips(op); }

// Kernel parameters whose gradient the adjoint kernel accumulates into a one-element array:
// float scalars, float vectors/matrices/quaternions/transforms, and structs with such fields
// (their float fields, nested structs included; array fields are left alone).
bool has_accumulator(const Type* t) { return t->kind != TypeKind::Array && differentiable(t); }

bool kernel_wants_backward(const Function& fn) {
  return fn.instance && fn.instance->decl && fn.instance->decl->options.enable_backward;
}

class ModuleAd;

class AdjointBuilder {
 public:
  AdjointBuilder(ModuleAd& mad, ir::Module& m, TypeContext& types, Function* out)
      : mad_(mad), m_(m), types_(types), b_(m), emit_(m, types, b_), fn_(out) {}

  // Kernel: replay + reverse of the whole body; array gradients and accumulators as effects.
  void kernel(const Function& primal, const std::vector<Value*>& accumulators);
  // Func: returns the adjoints of the differentiable parameters.
  void func(const Function& primal, const std::vector<Value*>& result_adjoints);

 private:
  // ---- building blocks
  Value* emit1(Opcode op, std::vector<Value*> operands, const Type* t, SourceRange loc) {
    return b_.emit1(op, std::move(operands), t, loc);
  }
  // An adjoint's zero: a `zero` op named "adjoint", which code generation starts at -0.0
  // (wp::adjoint_zero: adding into it is exact, so the first addition folds away).
  Value* zero(const Type* t, SourceRange loc) {
    Value* z = emit1(Opcode::Zero, {}, t, loc);
    z->def->name = "adjoint";
    return z;
  }
  // A primal value's zero (a replayed value that is not recomputed): +0.0.
  Value* primal_zero(const Type* t, SourceRange loc) { return emit1(Opcode::Zero, {}, t, loc); }
  Value* int_const(int64_t v, SourceRange loc) {
    ConstValue c;
    c.type = types_.int32();
    c.comps.push_back(v);
    Op* op = b_.emit(Opcode::Const, {}, {types_.int32()}, loc);
    op->constant = m_.keep(std::move(c));
    return op->result();
  }
  Value* builtin(const std::string& name, std::vector<Value*> args, SourceRange loc);
  Value* internal(const std::string& name, std::vector<Value*> args, const Type* t, SourceRange loc) {
    Op* op = b_.emit(Opcode::CallBuiltin, std::move(args), {t}, loc);
    op->name = name;  // no target: a runtime helper of kernel_support.h (wp::range_count …)
    return op->result();
  }
  Value* P(const Value* v) {
    auto it = fwd_.find(v);
    if (it == fwd_.end()) throw AdError("a value the adjoint needs was not replayed (internal error)", SourceRange());
    if (replaying_ == 0)
      if (auto u = unknown_.find(it->second); u != unknown_.end()) refuse_atomic_use(*u->second);
    return it->second;
  }
  [[noreturn]] static void refuse_atomic_use(const Op& atomic) {
    throw AdError(fmt::format("the gradient depends on the value '{}' returns, which the backward pass cannot "
                              "recompute",
                              atomic.is(Opcode::CallBuiltin) ? atomic.name : atomic.info().spelling),
                  atomic.loc);
  }
  Value* adjoint_or_zero(const Value* v, SourceRange loc) {
    auto it = adj_.find(v);
    return it != adj_.end() ? it->second : zero(v->type, loc);
  }
  void accumulate(const Value* v, Value* contribution, SourceRange loc) {
    if (!differentiable(v->type) || !contribution) return;
    auto it = adj_.find(v);
    adj_[v] = it == adj_.end() ? contribution : sum(it->second, contribution, loc);
  }
  // a + b for adjoint values (structs field by field).
  Value* sum(Value* a, Value* b, SourceRange loc) {
    if (a->type->kind != TypeKind::Struct) return builtin("add", {a, b}, loc);
    Value* out = a;
    const auto& fields = a->type->info->fields;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (!differentiable(fields[i].type)) continue;
      const int k = static_cast<int>(i);
      Op* fa = b_.emit(Opcode::Extract, {a}, {fields[i].type}, loc);
      fa->indices = {k};
      Op* fb = b_.emit(Opcode::Extract, {b}, {fields[i].type}, loc);
      fb->indices = {k};
      Op* ins = b_.emit(Opcode::Insert, {out, sum(fa->result(), fb->result(), loc)}, {a->type}, loc);
      ins->indices = {k};
      out = ins->result();
    }
    return out;
  }

  // ---- replay
  void replay_block(const Block& src, Block* dst, bool with_terminator = true);
  std::vector<Value*> replay_entry(const Function& primal);
  Op* replay_op(const Op& op);
  Op* replay_while(const Op& op);

  // ---- reverse sweep
  void reverse_block(const Block& b);
  void reverse_op(const Op& op);
  void reverse_call_builtin(const Op& op, Value* ar);
  void reverse_writing_builtin(const Op& op, const std::vector<int>& written);
  void reverse_constructor(const Op& op, Value* ar);
  void reverse_constructor_library(const Op& op, Value* ar);
  void adjoint_call(const Op& op, Value* ar);
  void reverse_call(const Op& op);
  void reverse_native_call(const Op& op);
  void reverse_if(const Op& op);
  // An array-of-structs element's adjoint `adj` (at struct field `path`) goes to the gradient
  // buffer one differentiable leaf field at a time (grad_accum_field).
  void accumulate_fields(const std::vector<Value*>& place, Value* adj, std::vector<int> path, SourceRange loc);
  void reverse_atomic_minmax(const Op& op);
  void reverse_atomic_minmax_library(const Op& op);
  Value* take_if_equal(const std::vector<Value*>& place, Value* v, Value* after, std::vector<int> path, const Type* t,
                       SourceRange loc);
  void reverse_loop(const Op& op);
  // Store strategy: the replay of a loop that pushes its carried values (and counts them).
  bool pushes(const Op& loop);
  Op* replay_for_store(const Op& op);
  Value* push_carried(const std::vector<Value*>& carried, SourceRange loc);
  std::vector<Value*> pop_carried(const std::vector<Value*>& like, SourceRange loc);
  // Carried values at the start of iteration k, recomputed from `init` (iterations 0..k-1).
  std::vector<Value*> recompute_carried(const Op& loop, const Region& body, const std::vector<Value*>& init, Value* k,
                                        Value* trips, SourceRange loc);
  void record_loop(const Op& loop, const LoopPlan& plan, bool stored);

  // Differentiable values defined outside `op` and used inside its regions.
  std::vector<const Value*> outer_uses(const Op& op);
  void collect_uses(const Block& b, std::set<const Value*>& defined, std::vector<const Value*>& out,
                    std::set<const Value*>& seen);

  // Replays one loop body at (iv, carried) into the current block; returns the yielded values.
  // A while loop's condition is replayed first when `with_condition` (builtins updating the carried
  // values in place there, such as query iterators, must run before the body sees them).
  std::vector<Value*> replay_body(const Op& loop, const Region& body, Value* iv, const std::vector<Value*>& carried,
                                  bool with_condition = true);
  void replay_ops(const Block& src);
  Value* iteration_value(const Op& loop, Value* j, Value* trips, SourceRange loc);

  ModuleAd& mad_;
  ir::Module& m_;
  TypeContext& types_;
  ir::OpBuilder b_;
  ad::IrEmit emit_;
  Function* fn_;
  // The stack's handle (null: this adjoint stores nothing); the block whose direct loops push
  // in the replay under way (the replay that immediately precedes that block's reverse);
  // stored-iteration counts of the loops' latest pushing replays.
  Value* tape_ = nullptr;
  const Block* push_block_ = nullptr;
  std::map<const Op*, Value*> stored_;
  struct PushScope {
    const Block*& slot;
    const Block* saved;
    PushScope(const Block*& s, const Block* b) : slot(s), saved(s) { slot = b; }
    ~PushScope() { slot = saved; }
  };
  std::map<const Value*, Value*> fwd_;
  std::map<const Value*, Value*> adj_;
  std::map<const Op*, Value*> trips_;  // while loops: iteration count of their latest replay
  // Replayed values that stand for an atomic's returned value (which the backward pass cannot
  // recompute) or depend on one, with that atomic; loops whose replay involved one. The reverse
  // sweep refuses to use them (P); replays may carry them along (replaying_ > 0).
  std::map<const Value*, const Op*> unknown_;
  std::map<const Op*, const Op*> tainted_loops_;  // primal loop → the atomic
  int replaying_ = 0;
  // The kernel being differentiated and the array roots whose stores its replay performs
  // (ad/overwrite_plan.h: arrays read back after the kernel stored into them).
  const Function* kernel_ = nullptr;
  std::set<ir::ArrayRoot> replay_stores_;
  // The undo log (ad/overwrite_plan.h `undo_log`, wp/ad_stack.h): the primal's stores into
  // those roots and the structured ops containing one; the log's cursor before / after each of
  // them in its latest replay.
  std::set<const Op*> logged_;
  std::map<const Op*, std::pair<Value*, Value*>> log_span_;
  bool logs(const Op& op) const { return tape_ && logged_.count(&op) > 0; }
  const std::pair<Value*, Value*>& log_span(const Op& op) const {
    auto it = log_span_.find(&op);
    if (it == log_span_.end()) throw AdError("a logged store reversed before its replay (internal error)", op.loc);
    return it->second;
  }
  bool find_logged(const Block& b, const std::set<ir::ArrayRoot>& roots);
  LoopPlan plan(const Op& loop) const;
  size_t log_bytes(const Block& b) const;
  void replay_one(const Op& op);
  Value* log_tell(SourceRange loc) { return internal("ad_log_tell", {tape_}, types_.scalar(ScalarKind::Int64), loc); }
  void log_call(const char* name, std::vector<Value*> args, SourceRange loc) {
    args.insert(args.begin(), tape_);
    b_.emit(Opcode::CallBuiltin, std::move(args), {}, loc)->name = name;
  }
  bool skips(const Op& op) const {
    if (kernel_ && op.is(Opcode::ArrayStore) && !replay_stores_.empty())
      if (std::optional<ir::ArrayRoot> r = ir::array_root(*kernel_, op.operands[0]); r && replay_stores_.count(*r))
        return false;
    return replay_skips(op);
  }
  struct Replaying {
    int& n;
    explicit Replaying(int& c) : n(c) { ++n; }
    ~Replaying() { --n; }
  };
  const Op* taint_of(const std::vector<Value*>& replayed) const;
  const Op* region_taint(const Op& copy) const;
  void taint_results(Op* copy, const Op* source);
  Value* unknown_zero(const Value* r, const Op& atomic);
};

// Owns the adjoint functions of one module (memoised per primal function).
class ModuleAd {
 public:
  ModuleAd(ir::Module& m, TypeContext& types) : m_(m), types_(types), replays_(m) {}
  ad::ReplayFunctions& replays() { return replays_; }

  Function* adjoint_of_func(const Function& f);
  Function* adjoint_of_kernel(const Function& k);
  // Indices of the differentiable parameters / results of a function.
  // Forgets memoised adjoints that are no longer in the module (after a failed kernel).
  void forget_dropped() {
    std::set<const Function*> live(m_.functions.begin(), m_.functions.end());
    for (auto it = done_.begin(); it != done_.end();) it = live.count(it->second) ? std::next(it) : done_.erase(it);
    for (auto it = storage_.begin(); it != storage_.end();)
      it = live.count(it->first) ? std::next(it) : storage_.erase(it);
    for (auto it = with_tape_.begin(); it != with_tape_.end();)
      it = live.count(*it) ? std::next(it) : with_tape_.erase(it);
    replays_.forget_dropped();
  }
  // The function lowered from a @wp.func_grad / @wp.func_replay declaration, or null.
  Function* custom(const sema::FunctionDecl* d) {
    if (!d) return nullptr;
    for (Function* f : m_.functions)
      if (f->instance && f->instance->decl == d) return f;
    return nullptr;
  }
  Function* replay_of(const Function& f) {
    return f.instance && f.instance->decl ? custom(f.instance->decl->custom_replay) : nullptr;
  }
  // A custom grad takes the adjoint of every result (Warp's signature), not only of the
  // differentiable ones.
  bool takes_all_result_adjoints(const Function* adj) const { return all_results_.count(adj) > 0; }
  // Loops: the strategy option; adjoint functions taking the stack handle; what each adjoint
  // function stores itself and which adjoint functions it calls (a kernel sums the closure).
  LoopAd loop_ad = LoopAd::Auto;
  bool wants_tape(const Function& primal) const { return loop_ad != LoopAd::Recompute && has_dynamic_loop(primal); }
  bool takes_tape(const Function* adj) const { return with_tape_.count(adj) > 0; }
  struct Storage {
    std::vector<ir::AdLoopRecord> loops;
    size_t trip_bytes = 0;
    std::set<const Function*> callees;
  };
  Storage& storage(const Function* adj) { return storage_[adj]; }
  // The loops and stored bytes of `adj` and every adjoint function it calls, each once.
  void storage_closure(const Function* adj, std::set<const Function*>& seen, Storage& out) {
    if (!seen.insert(adj).second) return;
    const Storage& s = storage_[adj];
    out.loops.insert(out.loops.end(), s.loops.begin(), s.loops.end());
    out.trip_bytes += s.trip_bytes;
    for (const Function* c : s.callees) storage_closure(c, seen, out);
  }
  static std::vector<size_t> diff_params(const Function& f) {
    std::vector<size_t> out;
    for (size_t i = 0; i < f.param_types.size(); ++i)
      if (differentiable(f.param_types[i])) out.push_back(i);
    return out;
  }
  static std::vector<size_t> diff_results(const Function& f) {
    std::vector<size_t> out;
    for (size_t i = 0; i < f.result_types.size(); ++i)
      if (differentiable(f.result_types[i])) out.push_back(i);
    return out;
  }

 private:
  ir::Module& m_;
  TypeContext& types_;
  std::map<const Function*, Function*> done_;
  std::set<const Function*> all_results_;
  std::set<const Function*> with_tape_;
  std::map<const Function*, Storage> storage_;
  ad::ReplayFunctions replays_;
};

// ------------------------------------------------------------------ builders

LoopPlan AdjointBuilder::plan(const Op& loop) const { return plan_loop(loop, mad_.loop_ad, logs(loop)); }

Value* AdjointBuilder::builtin(const std::string& name, std::vector<Value*> args, SourceRange loc) {
  return emit_.builtin(name, std::move(args), loc);
}

// A `while` replays with one more carried value: how many iterations it ran (its reverse
// runs exactly those).
Op* AdjointBuilder::replay_while(const Op& op) {
  Replaying guard(replaying_);
  const SourceRange loc = op.loc;
  const size_t nc = op.results.size();
  const bool push = pushes(op);  // store strategy: one more carried value, the iterations stored
  if (!push) stored_.erase(&op);
  std::vector<Value*> inits;
  for (const Value* v : op.operands) inits.push_back(P(v));
  inits.push_back(int_const(0, loc));
  if (push) inits.push_back(int_const(0, loc));
  std::vector<const Type*> types;
  for (const Value* v : inits) types.push_back(v->type);
  Op* count = b_.emit(Opcode::While, inits, types, loc);
  Region* cond = m_.new_region(count, fn_);
  Region* cbody = m_.new_region(count, fn_);
  Block* saved = b_.block();
  const Block& csrc = *op.region(0)->entry();
  const Block& bsrc = *op.region(1)->entry();
  std::vector<Value*> cargs, bargs;
  for (size_t i = 0; i < types.size(); ++i) {
    const char* extra = i == nc ? "trips" : "stored";
    cargs.push_back(m_.new_arg(cond->entry(), types[i], i < nc ? csrc.args[i]->name : extra));
    bargs.push_back(m_.new_arg(cbody->entry(), types[i], i < nc ? bsrc.args[i]->name : extra));
  }
  for (size_t i = 0; i < nc; ++i) fwd_[csrc.args[i]] = cargs[i];
  b_.set_block(cond->entry());
  replay_ops(csrc);
  b_.emit(Opcode::Condition, {P(csrc.terminator()->operands[0])}, {}, loc);
  b_.set_block(cbody->entry());
  std::vector<Value*> carried(bargs.begin(), bargs.begin() + static_cast<std::ptrdiff_t>(nc));
  std::vector<Value*> pushed = carried;
  if (push && logs(op)) pushed.push_back(log_tell(loc));
  Value* ok = push ? push_carried(pushed, loc) : nullptr;
  std::vector<Value*> next = replay_body(op, *op.region(1), nullptr, carried, /*with_condition=*/false);
  next.push_back(builtin("add", {bargs[nc], int_const(1, loc)}, loc));
  if (push) next.push_back(builtin("add", {bargs[nc + 1], ok}, loc));
  b_.emit(Opcode::Yield, next, {}, loc);
  b_.set_block(saved);
  for (size_t i = 0; i < nc; ++i) {
    count->results[i]->name = op.results[i]->name;
    fwd_[op.results[i]] = count->results[i];
  }
  if (const Op* t = taint_of(inits) ? taint_of(inits) : region_taint(*count)) {  // trip count, carried values
    taint_results(count, t);
    tainted_loops_[&op] = t;
  }
  trips_[&op] = count->results[nc];
  if (push) stored_[&op] = count->results[nc + 1];
  return count;
}

// The replay of a loop pushes when it is the replay right before the loop's reverse (the loop
// is a direct op of push_block_) and the loop is stored (plan_loop).
bool AdjointBuilder::pushes(const Op& loop) {
  return tape_ && push_block_ && loop.parent == push_block_ && plan(loop).store;
}

// ad_push(stack, carried…): 1 when stored, 0 when the stack is full (nothing stored).
Value* AdjointBuilder::push_carried(const std::vector<Value*>& carried, SourceRange loc) {
  std::vector<Value*> args = {tape_};
  args.insert(args.end(), carried.begin(), carried.end());
  return internal("ad_push", std::move(args), types_.int32(), loc);
}

// The values of one push, popped last first; returned in push order.
std::vector<Value*> AdjointBuilder::pop_carried(const std::vector<Value*>& like, SourceRange loc) {
  std::vector<Value*> out(like.size());
  for (size_t i = like.size(); i-- > 0;)
    out[i] = internal("ad_pop", {tape_, primal_zero(like[i]->type, loc)}, like[i]->type, loc);
  return out;
}

// A `for` whose replay pushes each iteration's carried values and counts the iterations stored.
Op* AdjointBuilder::replay_for_store(const Op& op) {
  Replaying guard(replaying_);
  const SourceRange loc = op.loc;
  std::vector<Value*> operands;
  for (const Value* v : op.operands) operands.push_back(P(v));
  const Op* taint = taint_of(operands);
  operands.push_back(int_const(0, loc));
  std::vector<const Type*> types;
  for (const Value* r : op.results) types.push_back(r->type);
  types.push_back(types_.int32());
  Op* copy = b_.emit(Opcode::For, std::move(operands), types, loc);
  copy->reversed = op.reversed;
  Region* nr = m_.new_region(copy, fn_);
  const Block& src = *op.region(0)->entry();
  std::vector<Value*> args;
  for (const Value* a : src.args) {
    Value* na = m_.new_arg(nr->entry(), a->type, a->name);
    fwd_[a] = na;
    if (taint) unknown_[na] = taint;
    args.push_back(na);
  }
  Value* count = m_.new_arg(nr->entry(), types_.int32(), "stored");
  Block* saved = b_.block();
  b_.set_block(nr->entry());
  std::vector<Value*> pushed(args.begin() + 1, args.end());
  if (logs(op)) pushed.push_back(log_tell(loc));
  Value* ok = push_carried(pushed, loc);
  replay_ops(src);
  std::vector<Value*> next;
  for (const Value* v : src.terminator()->operands) next.push_back(P(v));
  next.push_back(builtin("add", {count, ok}, loc));
  b_.emit(Opcode::Yield, next, {}, loc);
  b_.set_block(saved);
  for (size_t i = 0; i < op.results.size(); ++i) {
    copy->results[i]->name = op.results[i]->name;
    fwd_[op.results[i]] = copy->results[i];
  }
  if (!taint) taint = region_taint(*copy);
  if (taint) {
    taint_results(copy, taint);
    tainted_loops_[&op] = taint;
  }
  stored_[&op] = copy->results.back();
  return copy;
}

Op* AdjointBuilder::replay_op(const Op& op) {
  Replaying guard(replaying_);
  if (op.is(Opcode::While)) return replay_while(op);
  if (op.is(Opcode::For)) {
    if (pushes(op)) return replay_for_store(op);
    stored_.erase(&op);
  }
  std::vector<Value*> operands;
  for (const Value* v : op.operands) operands.push_back(P(v));
  const Op* taint = taint_of(operands);
  std::vector<const Type*> types;
  for (const Value* r : op.results) types.push_back(r->type);
  // A call replays the function's @wp.func_replay / replay_snippet when it has one (Warp's rule).
  Function* callee = op.is(Opcode::Call) && op.callee ? mad_.replay_of(*op.callee) : nullptr;
  if (op.is(Opcode::Call) && op.callee && !callee)  // without its stores / atomics, if it has any
    if (const Function* r = mad_.replays().of(*op.callee); r != op.callee) callee = const_cast<Function*>(r);
  const sema::FunctionDecl* native = op.is(Opcode::Call) && op.callee && op.callee->kind == ir::FunctionKind::Native &&
                                             op.callee->instance
                                         ? op.callee->instance->decl
                                         : nullptr;
  const bool replay_snippet = native && !native->native_replay_snippet.empty();
  Op* copy = b_.emit(replay_snippet ? Opcode::NativeSnippet : op.opcode, std::move(operands), types, op.loc);
  if (replay_snippet) copy->name = "replay";
  copy->constant = op.constant;
  copy->target = op.target;
  copy->callee = callee ? callee : op.callee;
  if (!replay_snippet) copy->name = callee ? callee->name : op.name;
  copy->indices = op.indices;
  copy->reversed = op.reversed;
  for (size_t i = 0; i < op.results.size(); ++i) {
    copy->results[i]->name = op.results[i]->name;
    fwd_[op.results[i]] = copy->results[i];
  }
  for (const Region* r : op.regions) {
    Region* nr = m_.new_region(copy, fn_);
    for (const Value* a : r->entry()->args) {
      fwd_[a] = m_.new_arg(nr->entry(), a->type, a->name);
      if (taint) unknown_[fwd_[a]] = taint;  // a region under an unknown condition / bound
    }
    Block* saved = b_.block();
    replay_block(*r->entry(), nr->entry());
    b_.set_block(saved);
  }
  if (!taint) taint = region_taint(*copy);
  if (taint) {
    taint_results(copy, taint);
    if (op.is(Opcode::For)) tainted_loops_[&op] = taint;
  }
  return copy;
}

// An unknown value a replayed if / loop yields or tests (its results or trip count depend on it).
const Op* AdjointBuilder::region_taint(const Op& copy) const {
  for (const Region* r : copy.regions) {
    const Op* term = r->entry()->terminator();
    if (!term) continue;
    std::vector<Value*> used(term->operands.begin(), term->operands.end());
    if (const Op* t = taint_of(used)) return t;
  }
  return nullptr;
}

// The atomic behind the first unknown value among `replayed`, or null.
const Op* AdjointBuilder::taint_of(const std::vector<Value*>& replayed) const {
  for (const Value* v : replayed)
    if (auto it = unknown_.find(v); it != unknown_.end()) return it->second;
  return nullptr;
}

void AdjointBuilder::taint_results(Op* copy, const Op* source) {
  for (Value* r : copy->results) unknown_[r] = source;
}

// An atomic's returned value in a replay (not recomputed): zero, marked unknown.
Value* AdjointBuilder::unknown_zero(const Value* r, const Op& atomic) {
  Value* z = primal_zero(r->type, atomic.loc);
  unknown_[z] = &atomic;
  return z;
}

void AdjointBuilder::replay_block(const Block& src, Block* dst, bool with_terminator) {
  Replaying guard(replaying_);
  b_.set_block(dst);
  for (const Op* op : src.ops) {
    if (op->is(Opcode::Return)) continue;  // the adjoint continues after the replay
    if (!with_terminator && (op->info().flags & ir::kTerminator)) continue;
    if (skips(*op)) {
      // An atomic's old value is not recomputed: later uses see an unknown zero, which the
      // reverse sweep refuses to use.
      for (const Value* r : op->results) fwd_[r] = unknown_zero(r, *op);
      continue;
    }
    replay_one(*op);
  }
}

// One op of a replay; a logged store goes through the undo log, and the log's cursor around a
// logged op is kept for its reverse.
void AdjointBuilder::replay_one(const Op& op) {
  if (!logs(op)) {
    replay_op(op);
    return;
  }
  Block* here = b_.block();
  Value* before = log_tell(op.loc);
  if (op.is(Opcode::ArrayStore)) {
    std::vector<Value*> args = {P(op.operands.back())};
    for (size_t i = 0; i + 1 < op.operands.size(); ++i) args.push_back(P(op.operands[i]));
    log_call("ad_log_store", std::move(args), op.loc);
  } else {
    replay_op(op);
    b_.set_block(here);
  }
  log_span_[&op] = {before, log_tell(op.loc)};
}

// ------------------------------------------------------------------ reverse sweep

void AdjointBuilder::reverse_block(const Block& b) {
  for (auto it = b.ops.rbegin(); it != b.ops.rend(); ++it) reverse_op(**it);
}

void AdjointBuilder::reverse_op(const Op& op) {
  Value* ar = nullptr;
  if (op.results.size() == 1) {
    auto it = adj_.find(op.result());
    if (it != adj_.end()) ar = it->second;
  }
  switch (op.opcode) {
    case Opcode::Cast:
      if (ar && differentiable(op.operands[0]->type))
        accumulate(op.operands[0], emit1(Opcode::Cast, {ar}, op.operands[0]->type, op.loc), op.loc);
      return;
    case Opcode::CallBuiltin: return reverse_call_builtin(op, ar);
    case Opcode::Call: return reverse_call(op);
    case Opcode::Extract: {
      if (!ar) return;
      std::vector<Value*> operands = {zero(op.operands[0]->type, op.loc), ar};
      for (size_t i = 1; i < op.operands.size(); ++i) operands.push_back(P(op.operands[i]));
      Op* ins = b_.emit(Opcode::Insert, std::move(operands), {op.operands[0]->type}, op.loc);
      ins->indices = op.indices;
      accumulate(op.operands[0], ins->result(), op.loc);
      return;
    }
    case Opcode::Insert: {
      if (!ar) return;
      std::vector<Value*> idx;
      for (size_t i = 2; i < op.operands.size(); ++i) idx.push_back(P(op.operands[i]));
      std::vector<Value*> ext_ops = {ar};
      ext_ops.insert(ext_ops.end(), idx.begin(), idx.end());
      Op* ext = b_.emit(Opcode::Extract, ext_ops, {op.operands[1]->type}, op.loc);
      ext->indices = op.indices;
      accumulate(op.operands[1], ext->result(), op.loc);
      std::vector<Value*> ins_ops = {ar, zero(op.operands[1]->type, op.loc)};
      ins_ops.insert(ins_ops.end(), idx.begin(), idx.end());
      Op* ins = b_.emit(Opcode::Insert, ins_ops, {op.operands[0]->type}, op.loc);
      ins->indices = op.indices;
      accumulate(op.operands[0], ins->result(), op.loc);
      return;
    }
    case Opcode::StructNew:
      if (!ar) return;
      for (size_t i = 0; i < op.operands.size(); ++i) {
        if (!differentiable(op.operands[i]->type)) continue;
        Op* ext = b_.emit(Opcode::Extract, {ar}, {op.operands[i]->type}, op.loc);
        ext->indices = {static_cast<int>(i)};
        accumulate(op.operands[i], ext->result(), op.loc);
      }
      return;
    case Opcode::ArrayLoad: {
      if (!ar || !differentiable(op.result()->type)) return;
      std::vector<Value*> operands;
      for (const Value* v : op.operands) operands.push_back(P(v));
      if (op.result()->type->kind == TypeKind::Struct) return accumulate_fields(operands, ar, {}, op.loc);
      operands.push_back(ar);
      b_.emit(Opcode::GradAccum, std::move(operands), {}, op.loc);
      return;
    }
    case Opcode::ArrayStore:
    case Opcode::AtomicAdd:
    case Opcode::AtomicSub: {
      if (logs(op)) {  // the element gets back what it held before the store
        const auto& [before, after] = log_span(op);
        log_call("ad_log_undo", {before, after}, op.loc);
      }
      const Value* value = op.operands.back();
      if (!differentiable(value->type)) return;
      std::vector<Value*> operands;
      for (size_t i = 0; i + 1 < op.operands.size(); ++i) operands.push_back(P(op.operands[i]));
      Value* g = emit1(Opcode::GradLoad, operands, value->type, op.loc);
      accumulate(value, op.is(Opcode::AtomicSub) ? builtin("neg", {g}, op.loc) : g, op.loc);
      // A store overwrites the element: the value it held before cannot influence anything
      // after, so the store consumes the element's gradient (grad_clear zeroes it).
      // Without this, `a[i].x = v` (load, insert, store) would count the other components'
      // gradients twice, and after backward a.grad would not be d(loss)/d(a's initial value).
      // Atomic updates add to the element instead, so they leave its gradient in place.
      if (op.is(Opcode::ArrayStore)) b_.emit(Opcode::GradClear, std::move(operands), {}, op.loc);
      return;
    }
    case Opcode::AtomicMin:
    case Opcode::AtomicMax: return reverse_atomic_minmax(op);
    case Opcode::If: return reverse_if(op);
    case Opcode::For:
    case Opcode::While: return reverse_loop(op);
    case Opcode::Break:
    case Opcode::Continue:
      throw AdError(fmt::format("differentiating through '{}' is not supported yet; mark the kernel "
                                "enable_backward=False or restructure the loop",
                                op.is(Opcode::Break) ? "break" : "continue"),
                    op.loc);
    case Opcode::Return:
      if (op.parent && op.parent->parent && op.parent->parent->parent)  // inside an if / loop region
        throw AdError("differentiating through an early 'return' is not supported yet", op.loc);
      return;
    default: return;  // const, zero, tid, compare, shapes, views, atomic min/max, asserts: no adjoint
  }
}

void AdjointBuilder::reverse_call_builtin(const Op& op, Value* ar) {
  const sema::CallTarget* t = op.target;
  if (const std::vector<int> written = ir::written_operands(op); !written.empty())
    return reverse_writing_builtin(op, written);
  // The in-place form of a differentiable builtin writing into arguments (inside a `while`
  // condition or a lazily evaluated `and` / `or` / `if` operand) has no value for the argument
  // after the call, so no gradient could flow back: refuse rather than drop it.
  if (t && t->overload && builtin_is_differentiable(t->overload) && !ir::ref_operands(op).empty()) {
    bool differentiable_input = false;
    for (const Value* v : op.operands) differentiable_input |= differentiable(v->type);
    if (differentiable_input)
      throw AdError(fmt::format("differentiating '{}', which writes into arguments, inside a 'while' condition or "
                                "an 'and' / 'or' / 'if' expression is not supported yet",
                                op.name),
                    op.loc);
  }
  if (!t || op.results.empty() || !ar || !differentiable(op.result()->type)) return;
  if (t->kind == sema::CallKind::TypeConstructor) return reverse_constructor(op, ar);
  if (!t->overload || !builtin_is_differentiable(t->overload)) return;
  adjoint_call(op, ar);
}

// `adj_<f>(operands…, adjoints…, ar)` for a call of one result: each operand receives its adjoint.
void AdjointBuilder::adjoint_call(const Op& op, Value* ar) {
  std::vector<Value*> operands;
  std::vector<const Type*> types;
  for (const Value* v : op.operands) {
    operands.push_back(P(v));
    types.push_back(v->type);
  }
  operands.push_back(ar);
  Op* adj = b_.emit(Opcode::AdjCallBuiltin, std::move(operands), types, op.loc);
  adj->target = op.target;
  adj->name = op.name;
  for (size_t i = 0; i < op.operands.size(); ++i) accumulate(op.operands[i], adj->results[i], op.loc);
}

// A builtin writing into `&` arguments, SSA form: `adj_<f>(args, adj args)` where the slots of
// the `&` arguments hold the adjoints of their values after the call (in) and the primal slots
// their values after the call (outputs). Overwritten arguments give their old values nothing.
void AdjointBuilder::reverse_writing_builtin(const Op& op, const std::vector<int>& written) {
  const int first = ir::first_written_result(op);
  const bool with_ret = first > 0 && differentiable(op.result()->type);
  bool any = with_ret && adj_.count(op.result());
  for (size_t k = 0; k < written.size(); ++k) any |= adj_.count(op.result(first + static_cast<int>(k))) > 0;
  if (!any) return;
  const RefAdjoint how = ad_ref_adjoint(op.name);
  if (how == RefAdjoint::None)
    throw AdError(fmt::format("differentiating '{}' through the arguments it writes is not supported (the builtin "
                              "library has no adjoint for it)",
                              op.name),
                  op.loc);
  std::vector<Value*> operands;
  std::vector<const Type*> types;
  for (const Value* v : op.operands) {
    operands.push_back(P(v));
    types.push_back(v->type);
  }
  for (size_t k = 0; k < written.size(); ++k) {
    const Value* after = op.result(first + static_cast<int>(k));
    operands[static_cast<size_t>(written[k])] = P(after);
    operands.push_back(adjoint_or_zero(after, op.loc));
  }
  if (with_ret) operands.push_back(adjoint_or_zero(op.result(), op.loc));
  Op* adj = b_.emit(Opcode::AdjCallBuiltin, std::move(operands), types, op.loc);
  adj->target = op.target;
  adj->name = op.name;
  for (size_t i = 0; i < op.operands.size(); ++i) {
    const bool overwritten = std::find(written.begin(), written.end(), static_cast<int>(i)) != written.end() &&
                             how == RefAdjoint::Overwrite;
    if (!overwritten) accumulate(op.operands[i], adj->results[i], op.loc);
  }
}

// Constructors are linear: each argument's adjoint is the matching part of the result's.
void AdjointBuilder::reverse_constructor(const Op& op, Value* ar) {
  const std::string form = op.target->overload ? std::string(builtin_cpp_name(op.target->overload)) : "";
  const Type* t = op.result()->type;
  auto part = [&](std::vector<int> path, const Type* pt) {
    Op* e = b_.emit(Opcode::Extract, {ar}, {pt}, op.loc);
    e->indices = std::move(path);
    return e->result();
  };
  if (form == "zeros" || form == "default") return;
  if (form == "components") {
    for (size_t i = 0; i < op.operands.size(); ++i) {
      const int k = static_cast<int>(i);
      std::vector<int> path = {k};
      if (t->kind == TypeKind::Matrix) path = {k / t->cols, k % t->cols};
      if (t->kind == TypeKind::Transform) path = k < 3 ? std::vector<int>{0, k} : std::vector<int>{1, k - 3};
      accumulate(op.operands[i], part(path, op.operands[i]->type), op.loc);
    }
    return;
  }
  if (form == "rows" || (form == "compose" && t->kind == TypeKind::Transform)) {
    for (size_t i = 0; i < op.operands.size(); ++i)
      accumulate(op.operands[i], part({static_cast<int>(i)}, op.operands[i]->type), op.loc);
    return;
  }
  if (form == "broadcast" || form == "convert" || form == "compose") return reverse_constructor_library(op, ar);
  throw AdError(fmt::format("differentiating the '{}' form of '{}' is not supported yet", form, op.name), op.loc);
}

// Broadcast (sum of the result's adjoint), convert (the adjoint converted back; integer sources get
// nothing) and the 6-vector / quaternion compose forms: wp::adj_construct_<form><T>.
void AdjointBuilder::reverse_constructor_library(const Op& op, Value* ar) {
  bool any = false;
  for (const Value* v : op.operands) any |= differentiable(v->type);
  if (any) adjoint_call(op, ar);
}

// A func_native's adjoint is its adj_snippet, run inline (Warp's names: the parameters,
// adj_<param> accumulated by the snippet, adj_ret).
void AdjointBuilder::reverse_native_call(const Op& op) {
  const Function& f = *op.callee;
  const sema::FunctionDecl* decl = f.instance ? f.instance->decl : nullptr;
  if (!decl || decl->native_adj_snippet.empty())
    throw AdError(fmt::format("differentiating the func_native '{}' needs its adjoint snippet (adj_snippet=…)", f.name),
                  f.loc);
  std::vector<Value*> args;
  for (const Value* v : op.operands) args.push_back(P(v));
  bool any = false;
  for (const Value* r : op.results) {
    any |= adj_.count(r) > 0;
    args.push_back(adjoint_or_zero(r, op.loc));
  }
  for (const Type* t : f.param_types) any |= t->kind == TypeKind::Array;  // it may write array gradients
  if (!any) return;
  std::vector<size_t> params = ModuleAd::diff_params(f);
  std::vector<const Type*> types;
  for (size_t p : params) types.push_back(f.param_types[p]);
  Op* n = b_.emit(Opcode::NativeSnippet, std::move(args), types, op.loc);
  n->callee = op.callee;
  n->name = "adj";
  for (size_t p : params) n->indices.push_back(static_cast<int>(p));
  for (size_t i = 0; i < params.size(); ++i) accumulate(op.operands[params[i]], n->results[i], op.loc);
}

void AdjointBuilder::reverse_call(const Op& op) {
  if (op.callee->kind == ir::FunctionKind::Native) return reverse_native_call(op);
  Function* adj_fn = mad_.adjoint_of_func(*op.callee);
  std::vector<Value*> args;
  for (const Value* v : op.operands) args.push_back(P(v));
  bool any = false;
  const bool all = mad_.takes_all_result_adjoints(adj_fn);
  for (size_t r = 0; r < op.results.size(); ++r) {
    if (!all && !differentiable(op.results[r]->type)) continue;
    any |= adj_.count(op.results[r]) > 0;
    args.push_back(adjoint_or_zero(op.results[r], op.loc));
  }
  // The adjoint also runs when the callee may move gradients through arrays (its loads,
  // stores and atomics), even if no adjoint flows back through its results.
  for (const Type* t : op.callee->param_types) any |= t->kind == TypeKind::Array && differentiable(t->elem);
  if (!any) return;  // nothing flows back through this call
  if (mad_.takes_tape(adj_fn)) {
    args.push_back(tape_ ? tape_ : static_cast<Value*>(primal_zero(types_.scalar(ScalarKind::UInt64), op.loc)));
    mad_.storage(fn_).callees.insert(adj_fn);
  }
  Op* call = b_.emit(Opcode::Call, std::move(args), adj_fn->result_types, op.loc);
  call->callee = adj_fn;
  call->name = adj_fn->name;
  std::vector<size_t> params = ModuleAd::diff_params(*op.callee);
  for (size_t i = 0; i < params.size(); ++i) accumulate(op.operands[params[i]], call->results[i], op.loc);
}

void AdjointBuilder::collect_uses(const Block& b, std::set<const Value*>& defined, std::vector<const Value*>& out,
                                  std::set<const Value*>& seen) {
  for (const Value* a : b.args) defined.insert(a);
  for (const Op* op : b.ops) {
    for (const Value* v : op->operands)
      if (!defined.count(v) && differentiable(v->type) && seen.insert(v).second) out.push_back(v);
    for (const Region* r : op->regions) collect_uses(*r->entry(), defined, out, seen);
    for (const Value* r : op->results) defined.insert(r);
  }
}

std::vector<const Value*> AdjointBuilder::outer_uses(const Op& op) {
  std::set<const Value*> defined, seen;
  std::vector<const Value*> out;
  for (const Region* r : op.regions) collect_uses(*r->entry(), defined, out, seen);
  return out;
}

// Loads, atomics with adjoints and calls inside `op`'s regions (they may accumulate into
// array gradients whatever flows through values).
bool moves_array_gradients(const Op& op) {
  for (const Region* r : op.regions)
    for (const Op* o : r->entry()->ops) {
      if (o->is(Opcode::ArrayLoad) || o->is(Opcode::AtomicMin) || o->is(Opcode::AtomicMax) || o->is(Opcode::Call))
        return true;
      if (moves_array_gradients(*o)) return true;
    }
  return false;
}

void AdjointBuilder::reverse_if(const Op& op) {
  // A branch that stored into logged arrays: its stores are undone (the branch replays from the
  // contents before it, and the code before it sees those).
  Value* log_start = nullptr;
  if (logs(op)) {
    const auto& [before, after] = log_span(op);
    log_call("ad_log_undo", {before, after}, op.loc);
    log_start = before;
  }
  std::vector<const Value*> outer = outer_uses(op);
  std::vector<const Value*> results;  // differentiable results whose adjoints flow into the branches
  for (const Value* r : op.results)
    if (differentiable(r->type) && adj_.count(r)) results.push_back(r);
  // Nothing to reverse unless outer values get adjoints or the branches move gradients
  // through arrays (a load inside must still reach its array's gradient).
  if (outer.empty() && !moves_array_gradients(op)) return;
  std::vector<Value*> start;
  std::vector<const Type*> types;
  for (const Value* v : outer) {
    start.push_back(adjoint_or_zero(v, op.loc));
    types.push_back(v->type);
  }
  if (log_start) log_call("ad_log_seek", {log_start}, op.loc);
  Op* rev = b_.emit(Opcode::If, {P(op.operands[0])}, types, op.loc);
  Block* saved_block = b_.block();
  std::map<const Value*, Value*> saved_adj = adj_;
  for (int branch = 0; branch < 2; ++branch) {
    const Block& src = *op.region(branch)->entry();
    Region* r = m_.new_region(rev, fn_);
    adj_ = saved_adj;
    for (size_t i = 0; i < outer.size(); ++i) adj_[outer[i]] = start[i];
    {
      PushScope scope(push_block_, &src);
      replay_block(src, r->entry(), /*with_terminator=*/false);
    }
    const Op* term = src.terminator();
    if (term && term->is(Opcode::Yield))
      for (size_t i = 0; i < op.results.size(); ++i)
        if (saved_adj.count(op.results[i])) accumulate(term->operands[i], saved_adj.at(op.results[i]), op.loc);
    reverse_block(src);
    std::vector<Value*> out;
    for (const Value* v : outer) out.push_back(adjoint_or_zero(v, op.loc));
    b_.emit(Opcode::Yield, std::move(out), {}, op.loc);
    b_.set_block(saved_block);
  }
  adj_ = saved_adj;
  for (size_t i = 0; i < outer.size(); ++i) adj_[outer[i]] = rev->results[i];
}

void AdjointBuilder::accumulate_fields(const std::vector<Value*>& place, Value* adj, std::vector<int> path,
                                       SourceRange loc) {
  const auto& fields = adj->type->info->fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!differentiable(fields[i].type)) continue;
    Op* ext = b_.emit(Opcode::Extract, {adj}, {fields[i].type}, loc);
    ext->indices = {static_cast<int>(i)};
    std::vector<int> sub = path;
    sub.push_back(static_cast<int>(i));
    if (fields[i].type->kind == TypeKind::Struct) {
      accumulate_fields(place, ext->result(), sub, loc);
      continue;
    }
    std::vector<Value*> operands = place;
    operands.push_back(ext->result());
    Op* acc = b_.emit(Opcode::GradAccumField, std::move(operands), {}, loc);
    acc->indices = std::move(sub);
  }
}

// atomic_min / atomic_max: the element after the launch (read by the backward pass) holds the
// winner. A thread whose value equals it takes the element's gradient, per component, with an
// atomic swap against zero (grad_take): so among tied values one gets it, and the target keeps
// it exactly where no value replaced its initial value (the gradient w.r.t. that value).
// Transforms (component-wise min of a transform is rare) keep Warp's rule through the library's
// adj_atomic_min/max, which leaves the target's gradient in place.
void AdjointBuilder::reverse_atomic_minmax(const Op& op) {
  const Value* value = op.operands.back();
  if (!differentiable(value->type)) return;
  const SourceRange loc = op.loc;
  const Type* t = value->type;
  std::vector<Value*> place;
  for (size_t i = 0; i + 1 < op.operands.size(); ++i) place.push_back(P(op.operands[i]));
  if (t->kind == TypeKind::Transform) return reverse_atomic_minmax_library(op);
  Value* v = P(value);
  Value* after = emit1(Opcode::ArrayLoad, place, t, loc);
  if (t->is_scalar()) return accumulate(value, take_if_equal(place, v, after, {}, t, loc), loc);
  Value* adj = zero(t, loc);
  const Type* s = types_.scalar(t->scalar);
  for (int k = 0; k < t->component_count(); ++k) {
    std::vector<int> path = {k};
    if (t->kind == TypeKind::Matrix) path = {k / t->cols, k % t->cols};
    Op* vc = b_.emit(Opcode::Extract, {v}, {s}, loc);
    vc->indices = path;
    Op* ac = b_.emit(Opcode::Extract, {after}, {s}, loc);
    ac->indices = path;
    Op* ins = b_.emit(Opcode::Insert, {adj, take_if_equal(place, vc->result(), ac->result(), path, s, loc)}, {t}, loc);
    ins->indices = path;
    adj = ins->result();
  }
  accumulate(value, adj, loc);
}

// `if v == after { grad_take place[path] } else { 0 }`.
Value* AdjointBuilder::take_if_equal(const std::vector<Value*>& place, Value* v, Value* after, std::vector<int> path,
                                     const Type* t, SourceRange loc) {
  Op* sel = b_.emit(Opcode::If, {emit_.cmp("==", v, after, loc)}, {t}, loc);
  Block* saved = b_.block();
  b_.set_block(m_.new_region(sel, fn_)->entry());
  Op* take = b_.emit(Opcode::GradTake, place, {t}, loc);
  take->indices = std::move(path);
  b_.emit(Opcode::Yield, {take->result()}, {}, loc);
  b_.set_block(m_.new_region(sel, fn_)->entry());
  b_.emit(Opcode::Yield, {zero(t, loc)}, {}, loc);
  b_.set_block(saved);
  return sel->result();
}

void AdjointBuilder::reverse_atomic_minmax_library(const Op& op) {
  const Value* value = op.operands.back();
  const std::string name = op.is(Opcode::AtomicMin) ? "atomic_min" : "atomic_max";
  std::vector<const Type*> types;
  std::vector<Value*> operands;
  for (const Value* v : op.operands) {
    types.push_back(v->type);
    operands.push_back(P(v));
  }
  const sema::CallTarget* t = emit_.builtin_target(name, types, op.loc);
  operands.push_back(zero(op.result()->type, op.loc));  // the old value's adjoint: not differentiable
  Op* adj = b_.emit(Opcode::AdjCallBuiltin, std::move(operands), types, op.loc);
  adj->target = t;
  adj->name = name;
  accumulate(value, adj->results.back(), op.loc);
}

// The induction value of primal iteration j (0-based) of a `for` loop with `trips` iterations.
Value* AdjointBuilder::iteration_value(const Op& loop, Value* j, Value* trips, SourceRange loc) {
  Value* pos = j;
  if (loop.reversed) pos = builtin("sub", {builtin("sub", {trips, int_const(1, loc)}, loc), j}, loc);
  return builtin("add", {P(loop.operands[0]), builtin("mul", {pos, P(loop.operands[2])}, loc)}, loc);
}

// The ops of `src` but its terminator, into the current block.
void AdjointBuilder::replay_ops(const Block& src) {
  Replaying guard(replaying_);
  Block* here = b_.block();
  for (const Op* op : src.ops) {
    if (op->info().flags & ir::kTerminator) break;
    if (skips(*op)) {
      for (const Value* r : op->results) fwd_[r] = unknown_zero(r, *op);
      continue;
    }
    replay_one(*op);
    b_.set_block(here);
  }
}

std::vector<Value*> AdjointBuilder::replay_body(const Op& loop, const Region& body, Value* iv,
                                                const std::vector<Value*>& carried, bool with_condition) {
  Replaying guard(replaying_);
  const Block& src = *body.entry();
  size_t first = 0;
  if (loop.is(Opcode::For)) {
    fwd_[src.args[0]] = iv;
    first = 1;
  } else if (with_condition) {
    const Block& cond = *loop.region(0)->entry();
    for (size_t i = 0; i < cond.args.size(); ++i) fwd_[cond.args[i]] = carried[i];
    replay_ops(cond);
  }
  for (size_t i = first; i < src.args.size(); ++i) fwd_[src.args[i]] = carried[i - first];
  replay_ops(src);
  std::vector<Value*> yielded;
  const Op* term = src.terminator();
  if (!term || !term->is(Opcode::Yield))
    throw AdError("differentiating a loop that leaves with 'break', 'continue' or 'return' is not supported yet",
                  term ? term->loc : loop.loc);
  for (const Value* v : term->operands) yielded.push_back(P(v));
  return yielded;
}

// A break / continue / return that leaves `b`'s loop (not one of an inner loop).
const Op* loop_exit_in(const Block& b) {
  for (const Op* op : b.ops) {
    if (op->is(Opcode::Break) || op->is(Opcode::Continue) || op->is(Opcode::Return)) return op;
    if (op->is(Opcode::If))
      for (const Region* r : op->regions)
        if (const Op* e = loop_exit_in(*r->entry())) return e;
    if ((op->is(Opcode::For) || op->is(Opcode::While)))
      for (const Region* r : op->regions)
        if (const Op* e = loop_exit_in(*r->entry()); e && e->is(Opcode::Return)) return e;
  }
  return nullptr;
}

// Replays iterations 0..k-1 from `init`: the carried values at the start of iteration k.
std::vector<Value*> AdjointBuilder::recompute_carried(const Op& loop, const Region& body,
                                                      const std::vector<Value*>& init, Value* k, Value* trips,
                                                      SourceRange loc) {
  std::vector<Value*> ops = {int_const(0, loc), k, int_const(1, loc)};
  ops.insert(ops.end(), init.begin(), init.end());
  std::vector<const Type*> ctypes;
  for (Value* v : init) ctypes.push_back(v->type);
  Op* redo = b_.emit(Opcode::For, ops, ctypes, loc);
  Region* rr = m_.new_region(redo, fn_);
  Value* j = m_.new_arg(rr->entry(), types_.int32(), "j");
  std::vector<Value*> c;
  for (const Type* t : ctypes) c.push_back(m_.new_arg(rr->entry(), t));
  Block* saved = b_.block();
  b_.set_block(rr->entry());
  Value* iv = loop.is(Opcode::For) ? iteration_value(loop, j, trips, loc) : nullptr;
  b_.emit(Opcode::Yield, replay_body(loop, body, iv, c), {}, loc);
  b_.set_block(saved);
  return redo->results;
}

void AdjointBuilder::record_loop(const Op& loop, const LoopPlan& plan, bool stored) {
  ir::AdLoopRecord r;
  r.loc = loop.loc;
  r.kind = loop.is(Opcode::For) ? "for" : "while";
  const Function* primal = fn_->primal ? fn_->primal : fn_;
  r.function = fmt::format("{} '{}'", primal->kind == ir::FunctionKind::Kernel ? "kernel" : "function", primal->name);
  r.store = stored;
  r.carried_bytes = plan.bytes;
  r.log_bytes = logs(loop) ? log_bytes(*loop.region(loop.is(Opcode::For) ? 0 : 1)->entry()) : 0;
  r.reason = stored ? "" : plan.reason.empty() ? "no replay precedes its reverse" : plan.reason;
  ModuleAd::Storage& st = mad_.storage(fn_);
  for (const ir::AdLoopRecord& o : st.loops)
    if (o.loc.begin.file == r.loc.begin.file && o.loc.begin.offset == r.loc.begin.offset && o.kind == r.kind) return;
  st.loops.push_back(r);
  if (stored) st.trip_bytes += plan.bytes;
  st.trip_bytes += r.log_bytes;
}

// Marks the logged stores of `b` (into `roots`) and the structured ops containing one.
bool AdjointBuilder::find_logged(const Block& b, const std::set<ir::ArrayRoot>& roots) {
  bool any = false;
  for (const Op* op : b.ops) {
    bool here = false;
    if (op->is(Opcode::ArrayStore))
      if (std::optional<ir::ArrayRoot> r = ir::array_root(*kernel_, op->operands[0]); r && roots.count(*r))
        here = true;
    for (const Region* r : op->regions)
      for (const Block* inner : r->blocks) here = find_logged(*inner, roots) || here;
    if (here) logged_.insert(op);
    any = any || here;
  }
  return any;
}

// Undo-log bytes of one pass over `b` (wp/ad_stack.h: 16 + 2 · the element padded to 4 bytes
// per store), branches included, loops inside not (each loop's record counts its own trips).
size_t AdjointBuilder::log_bytes(const Block& b) const {
  size_t n = 0;
  for (const Op* op : b.ops) {
    if (!logged_.count(op)) continue;
    if (op->is(Opcode::ArrayStore)) {
      size_t size = 0, align = 1;
      if (!plain_layout(op->operands.back()->type, size, align)) size = 64;
      n += 16 + 2 * ((size + 3) / 4 * 4);
      continue;
    }
    if (op->is(Opcode::For) || op->is(Opcode::While)) continue;
    for (const Region* r : op->regions)
      for (const Block* inner : r->blocks) n += log_bytes(*inner);
  }
  return n;
}

// Loops run backwards one iteration at a time. Iteration k's carried values are popped from the
// stack (store strategy: the loop's replay pushed them; iterations that did not fit are
// recomputed) or recomputed by replaying iterations 0..k-1 from the loop's initial values.
void AdjointBuilder::reverse_loop(const Op& op) {
  const SourceRange loc = op.loc;
  if (auto t = tainted_loops_.find(&op); t != tainted_loops_.end())  // iterations depend on an atomic's value
    refuse_atomic_use(*t->second);
  const bool is_for = op.is(Opcode::For);
  const size_t first_init = is_for ? 3 : 0;
  const Region& body = *op.region(is_for ? 0 : 1);
  if (const Op* exit = loop_exit_in(*body.entry()))
    throw AdError(fmt::format("differentiating a loop that leaves an iteration early ('{}') is not supported yet",
                              exit->info().spelling),
                  exit->loc);
  std::vector<const Value*> outer = outer_uses(op);
  const size_t nc = op.results.size();
  Value* stored = nullptr;  // iterations the replay pushed (store strategy)
  if (auto it = stored_.find(&op); it != stored_.end()) {
    stored = it->second;
    stored_.erase(it);
  }
  const bool logged = logs(op);
  record_loop(op, plan(op), stored != nullptr);
  std::vector<Value*> init;
  for (size_t i = 0; i < nc; ++i) init.push_back(P(op.operands[first_init + i]));

  // Trip count: from the range for `for`; counted by the loop's replay for `while`.
  Value* trips = nullptr;
  if (is_for) {
    trips = internal("range_count", {P(op.operands[0]), P(op.operands[1]), P(op.operands[2])}, types_.int32(), loc);
  } else {
    auto it = trips_.find(&op);
    if (it == trips_.end()) throw AdError("a while loop reversed before its replay (internal error)", loc);
    trips = it->second;
  }

  // for kk in range(trips): k = trips - 1 - kk, carrying the adjoints of the outer values and
  // of the loop-carried values.
  std::vector<Value*> start;
  std::vector<const Type*> types;
  for (const Value* v : outer) {
    start.push_back(adjoint_or_zero(v, loc));
    types.push_back(v->type);
  }
  for (size_t i = 0; i < nc; ++i) {
    start.push_back(adjoint_or_zero(op.results[i], loc));
    types.push_back(op.results[i]->type);
  }
  // Undo log: the reverse also carries the log's cursor at the end of iteration k (the loop's
  // end for the last one); every iteration's stores are undone before it is replayed.
  Value* log_start = nullptr;
  if (logged) {
    const auto& [before, after] = log_span(op);
    log_start = before;
    start.push_back(after);
    types.push_back(after->type);
  }
  std::vector<Value*> rev_operands = {int_const(0, loc), trips, int_const(1, loc)};
  rev_operands.insert(rev_operands.end(), start.begin(), start.end());
  Op* rev = b_.emit(Opcode::For, rev_operands, types, loc);
  Region* r = m_.new_region(rev, fn_);
  Value* kk = m_.new_arg(r->entry(), types_.int32(), "kk");
  std::vector<Value*> carried_adj;
  for (const Type* t : types) carried_adj.push_back(m_.new_arg(r->entry(), t));
  Block* saved_block = b_.block();
  std::map<const Value*, Value*> saved_adj = adj_;
  b_.set_block(r->entry());
  Value* k = builtin("sub", {builtin("sub", {trips, int_const(1, loc)}, loc), kk}, loc);

  // Carried values at the start of iteration k: popped when the replay stored iteration k
  // (k < stored: the first `stored` iterations fit), else recomputed from the initial values.
  // With the undo log, the contents at the start of iteration k come first: the stores of
  // iteration k are undone from its start (popped with the carried values) to its end; a
  // recomputed iteration undoes the loop's stores from the loop's start and replays iterations
  // 0..k-1 (their stores included), which also brings the cursor to iteration k's start.
  Value* log_end = logged ? carried_adj.back() : nullptr;
  auto recompute = [&]() {
    if (logged) {
      log_call("ad_log_undo", {log_start, log_end}, loc);
      log_call("ad_log_seek", {log_start}, loc);
    }
    std::vector<Value*> c = nc > 0 || logged ? recompute_carried(op, body, init, k, trips, loc) : init;
    if (logged) c.push_back(log_tell(loc));
    return c;
  };
  std::vector<Value*> ck = init;
  Value* log_k = nullptr;  // the cursor at iteration k's start
  if ((nc > 0 || logged) && stored) {
    std::vector<Value*> like = init;
    if (logged) like.push_back(log_start);
    std::vector<const Type*> ctypes;
    for (Value* v : like) ctypes.push_back(v->type);
    Op* sel = b_.emit(Opcode::If, {emit_.cmp("<", k, stored, loc)}, ctypes, loc);
    Block* inner_saved = b_.block();
    b_.set_block(m_.new_region(sel, fn_)->entry());
    std::vector<Value*> popped = pop_carried(like, loc);
    if (logged) log_call("ad_log_undo", {popped.back(), log_end}, loc);
    b_.emit(Opcode::Yield, popped, {}, loc);
    b_.set_block(m_.new_region(sel, fn_)->entry());
    b_.emit(Opcode::Yield, recompute(), {}, loc);
    b_.set_block(inner_saved);
    ck = sel->results;
  } else if (nc > 0 || logged) {
    ck = recompute();
  }
  if (logged) {
    log_k = ck.back();
    ck.pop_back();
    log_call("ad_log_seek", {log_k}, loc);
  }
  // Iteration k forward (its intermediates; its own direct loops push), then backward.
  Value* ivk = is_for ? iteration_value(op, k, trips, loc) : nullptr;
  std::vector<Value*> yielded;
  {
    PushScope scope(push_block_, body.entry());
    yielded = replay_body(op, body, ivk, ck);
  }
  adj_ = saved_adj;
  for (size_t i = 0; i < outer.size(); ++i) adj_[outer[i]] = carried_adj[i];
  const Op* term = body.entry()->terminator();
  // Adjoints of this iteration's yielded values are the carried adjoints.
  for (const Value* a : body.entry()->args) adj_.erase(a);
  for (size_t i = 0; i < nc; ++i) accumulate(term->operands[i], carried_adj[outer.size() + i], loc);
  reverse_block(*body.entry());
  std::vector<Value*> next;
  for (const Value* v : outer) next.push_back(adjoint_or_zero(v, loc));
  const size_t first_arg = is_for ? 1 : 0;
  for (size_t i = 0; i < nc; ++i) next.push_back(adjoint_or_zero(body.entry()->args[first_arg + i], loc));
  if (logged) next.push_back(log_k);  // iteration k - 1 ends where k starts
  b_.emit(Opcode::Yield, next, {}, loc);
  (void)yielded;
  b_.set_block(saved_block);

  adj_ = saved_adj;
  for (size_t i = 0; i < outer.size(); ++i) adj_[outer[i]] = rev->results[i];
  for (size_t i = 0; i < nc; ++i) accumulate(op.operands[first_init + i], rev->results[outer.size() + i], loc);
}

// The adjoint body starts with the replay of the primal body, its parameters mapped to ours.
std::vector<Value*> AdjointBuilder::replay_entry(const Function& primal) {
  Block* entry = fn_->body->entry();
  std::vector<Value*> params = fn_->params();
  std::vector<Value*> pparams = primal.params();
  for (size_t i = 0; i < pparams.size(); ++i) fwd_[pparams[i]] = params[i];
  PushScope scope(push_block_, primal.body->entry());
  replay_block(*primal.body->entry(), entry);
  b_.set_block(entry);
  return pparams;
}

void AdjointBuilder::kernel(const Function& primal, const std::vector<Value*>& accumulators) {
  kernel_ = &primal;
  const ad::OverwritePlan plan = ad::overwrite_plan(primal);
  replay_stores_ = plan.replay_stores;
  const bool logging = find_logged(*primal.body->entry(), plan.undo_log);
  Op* open = nullptr;  // the thread's stack (wp::ad_stack_open; a zero handle when nothing is stored)
  if (mad_.wants_tape(primal) || logging) {
    b_.set_block(fn_->body->entry());
    tape_ = internal("ad_stack_open", {}, types_.scalar(ScalarKind::UInt64), primal.loc);
    open = tape_->def;
  }
  std::vector<Value*> pparams = replay_entry(primal);
  reverse_block(*primal.body->entry());
  // The reverse sweep undid every logged store: the arrays get back what the forward left.
  if (logging) log_call("ad_log_redo", {}, primal.loc);
  size_t a = 0;
  for (size_t i = 0; i < pparams.size(); ++i) {
    if (!has_accumulator(pparams[i]->type)) continue;
    Value* acc = accumulators[a++];
    auto it = adj_.find(pparams[i]);
    if (it == adj_.end()) continue;
    if (it->second->type->kind == TypeKind::Struct)  // field by field (grad_accum_field)
      accumulate_fields({acc, int_const(0, primal.loc)}, it->second, {}, primal.loc);
    else
      b_.emit(Opcode::GradAccum, {acc, int_const(0, primal.loc), it->second}, {}, primal.loc);
  }
  b_.emit(Opcode::Return, {}, {}, primal.loc);
  // The stack: what this kernel and the adjoint functions it calls store.
  ModuleAd::Storage all;
  std::set<const Function*> seen;
  mad_.storage_closure(fn_, seen, all);
  fn_->ad_loops = all.loops;
  // Undo-log entries outside loops are written once per thread: the spill buffer is sized in
  // trips, so they are counted as part of one trip.
  fn_->ad_undo_log_bytes = logging ? log_bytes(*primal.body->entry()) : 0;
  fn_->ad_stack_trip_bytes = all.trip_bytes + fn_->ad_undo_log_bytes;
  size_t local = fn_->ad_undo_log_bytes;
  for (const ir::AdLoopRecord& r : all.loops)
    local += (r.store ? r.carried_bytes : 0) * kLocalTripsPerLoop + r.log_bytes * kLocalTripsPerLoop;
  fn_->ad_stack_local_bytes = std::min(local, kMaxLocalStackBytes);
  if (open && fn_->ad_stack_trip_bytes == 0) {  // nothing stored: the handle stays a zero nobody reads
    open->opcode = Opcode::Zero;
    open->name.clear();
  }
}

void AdjointBuilder::func(const Function& primal, const std::vector<Value*>& result_adjoints) {
  if (mad_.takes_tape(fn_)) tape_ = fn_->params().back();
  std::vector<Value*> pparams = replay_entry(primal);
  const Op* ret = primal.body->entry()->terminator();
  if (!ret || !ret->is(Opcode::Return))
    throw AdError("differentiating a function that does not end in one 'return' is not supported yet", primal.loc);
  std::vector<size_t> dr = ModuleAd::diff_results(primal);
  for (size_t i = 0; i < dr.size(); ++i) accumulate(ret->operands[dr[i]], result_adjoints[i], primal.loc);
  reverse_block(*primal.body->entry());
  std::vector<Value*> out;
  for (size_t p : ModuleAd::diff_params(primal)) out.push_back(adjoint_or_zero(pparams[p], primal.loc));
  b_.emit(Opcode::Return, out, {}, primal.loc);
}

// ------------------------------------------------------------------ module level

Function* ModuleAd::adjoint_of_func(const Function& f) {
  if (auto it = done_.find(&f); it != done_.end()) return it->second;
  if (f.instance && f.instance->decl)
    if (Function* g = custom(f.instance->decl->custom_grad)) {
      done_[&f] = g;
      all_results_.insert(g);
      return g;
    }
  if (f.kind == ir::FunctionKind::Native)
    throw AdError(fmt::format("differentiating the func_native '{}' needs its adjoint snippet (adj_snippet=…)", f.name),
                  f.loc);
  Function* a = m_.add_function(ir::FunctionKind::Func, f.name + "_adj");
  a->primal = &f;
  a->instance = f.instance;
  a->loc = f.loc;
  a->body = m_.new_region(nullptr, a);
  for (size_t i = 0; i < f.param_types.size(); ++i) {
    a->param_types.push_back(f.param_types[i]);
    m_.new_arg(a->body->entry(), f.param_types[i], f.params()[i]->name);
  }
  std::vector<Value*> result_adj;
  for (size_t r : diff_results(f)) {
    a->param_types.push_back(f.result_types[r]);
    result_adj.push_back(m_.new_arg(a->body->entry(), f.result_types[r], fmt::format("adj_ret_{}", r)));
  }
  if (wants_tape(f)) {  // the caller's stack, for the loops this adjoint stores
    const Type* u64 = types_.scalar(ScalarKind::UInt64);
    a->param_types.push_back(u64);
    m_.new_arg(a->body->entry(), u64, "ad_stack");
    with_tape_.insert(a);
  }
  for (size_t p : diff_params(f)) a->result_types.push_back(f.param_types[p]);
  done_[&f] = a;
  AdjointBuilder(*this, m_, types_, a).func(*ad::single_exit_copy(m_, types_, f), result_adj);
  return a;
}

Function* ModuleAd::adjoint_of_kernel(const Function& k) {
  ad_refuse_used_atomic_results(k);
  Function* a = m_.add_function(ir::FunctionKind::Kernel, k.name + "_adj");
  a->primal = &k;
  a->instance = k.instance;
  a->loc = k.loc;
  a->body = m_.new_region(nullptr, a);
  std::vector<Value*> pparams = k.params();
  for (size_t i = 0; i < k.param_types.size(); ++i) {
    a->param_types.push_back(k.param_types[i]);
    m_.new_arg(a->body->entry(), k.param_types[i], pparams[i]->name);
  }
  std::vector<Value*> accumulators;
  for (size_t i = 0; i < k.param_types.size(); ++i) {
    const Type* t = k.param_types[i];
    if (!has_accumulator(t)) continue;
    const Type* acc = types_.array(t, 1);
    a->param_types.push_back(acc);
    accumulators.push_back(m_.new_arg(a->body->entry(), acc, "adj_" + pparams[i]->name));
  }
  AdjointBuilder(*this, m_, types_, a).kernel(*ad::single_exit_copy(m_, types_, k), accumulators);
  return a;
}

void report_overwrite_problems(const Function& k, DiagnosticEngine& diags) {
  using Kind = ad::OverwriteProblem::Kind;
  for (const ad::OverwriteProblem& p : ad::overwrite_plan(k).problems) {
    const SourceRange at = p.loc.begin.file == kNoFile ? k.loc : p.loc;
    switch (p.kind) {
      case Kind::Unseen: diags.report(DiagId::warn_ad_overwrite_unseen, at, k.name); break;
      case Kind::StoredByFunction: diags.report(DiagId::warn_ad_overwrite_stored_by_function, at, k.name, p.array); break;
      case Kind::ReadAfterAtomic: diags.report(DiagId::warn_ad_overwrite_read_after_atomic, at, k.name, p.array); break;
    }
  }
}

}  // namespace

bool generate_adjoints(ir::Module& m, TypeContext& types, DiagnosticEngine& diags, const AdOptions& options) {
  ModuleAd mad(m, types);
  mad.loop_ad = options.loop_ad;
  std::vector<Function*> kernels;
  for (Function* f : m.functions)
    if (f->kind == ir::FunctionKind::Kernel && !f->primal && kernel_wants_backward(*f)) kernels.push_back(f);
  bool ok = true;
  for (Function* k : kernels) {
    const size_t before = m.functions.size();
    try {
      mad.adjoint_of_kernel(*k);
      report_overwrite_problems(*k, diags);
    } catch (const AdError& e) {
      diags.report(DiagId::warn_ad_not_generated, e.range.begin.file == kNoFile ? k->loc : e.range, k->name, e.what());
      // Drop what was built for this kernel: its adjoint is not emitted.
      m.functions.resize(before);
      mad.forget_dropped();
      ok = false;
    }
  }
  return ok;
}

std::vector<AdjointStorage> adjoint_storage_report(const ir::Module& m) {
  std::vector<AdjointStorage> out;
  for (const Function* f : m.functions)
    if (f->kind == ir::FunctionKind::Kernel && f->primal) {
      AdjointStorage a;
      a.kernel = f->primal->name;
      a.loops = f->ad_loops;
      a.trip_bytes = f->ad_stack_trip_bytes;
      a.log_bytes = f->ad_undo_log_bytes;
      a.local_bytes = f->ad_stack_trip_bytes > 0 ? f->ad_stack_local_bytes : 0;
      bool store = false, recompute = false;
      for (const ir::AdLoopRecord& r : a.loops) (r.store ? store : recompute) = true;
      a.strategy = store && recompute ? "store+recompute" : store ? "store" : recompute ? "recompute" : "none";
      out.push_back(std::move(a));
    }
  return out;
}

}  // namespace warpc
