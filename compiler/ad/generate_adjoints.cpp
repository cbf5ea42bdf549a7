// generate_adjoints.cpp — reverse-mode AD on the IR (contract in generate_adjoints.h).
//
// One AdjointBuilder per adjoint function. Two maps drive it:
//   fwd_  original value → its replayed copy in the adjoint function (region-local values are
//         re-mapped every time their region is replayed; uses always follow the latest replay)
//   adj_  original value → the IR value holding its adjoint so far (absent = zero)
// Reversing a region saves and restores adj_ for the values defined outside it: the
// structured op that reverses the region returns their updated adjoints as its results.
#include "ad/generate_adjoints.h"

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

namespace {

struct AdError : std::runtime_error {
  AdError(const std::string& what, SourceRange r) : std::runtime_error(what), range(r) {}
  SourceRange range;
};

bool differentiable(const Type* t) {
  switch (t->kind) {
    case TypeKind::Scalar: return is_float(t->scalar);
    case TypeKind::Vector:
    case TypeKind::Matrix:
    case TypeKind::Quat:
    case TypeKind::Transform: return is_float(t->scalar);
    case TypeKind::Struct:
      for (const StructField& f : t->info->fields)
        if (differentiable(f.type)) return true;
      return false;
    default: return false;
  }
}

// A kernel-local array (`wp.zeros` in kernel code): its stores must be replayed, and it has no
// gradient buffer.
bool is_local_array(const Value* v) {
  return v->def && v->def->is(Opcode::CallBuiltin) && v->def->target &&
         v->def->target->kind == sema::CallKind::LocalArray;
}

// Ops the replay leaves out: their effects already happened in the forward launch.
bool replay_skips(const Op& op) {
  switch (op.opcode) {
    case Opcode::ArrayStore: return !is_local_array(op.operands[0]);  // thread-local: replayed
    case Opcode::AtomicAdd:
    case Opcode::AtomicSub:
    case Opcode::AtomicMin:
    case Opcode::AtomicMax:
    case Opcode::Assert: return true;
    case Opcode::CallBuiltin:
      return op.name == "print" || op.name == "printf" || op.name == "breakpoint" || op.name.rfind("expect_", 0) == 0;
    default: return false;
  }
}

// Kernel parameters whose gradient the adjoint kernel accumulates into a one-element array:
// float scalars and float vectors/matrices/quaternions/transforms (struct parameters: not yet).
bool has_accumulator(const Type* t) { return t->kind != TypeKind::Struct && t->kind != TypeKind::Array && differentiable(t); }

bool kernel_wants_backward(const Function& fn) {
  return fn.instance && fn.instance->decl && fn.instance->decl->options.enable_backward;
}

class ModuleAd;

class AdjointBuilder {
 public:
  AdjointBuilder(ModuleAd& mad, ir::Module& m, TypeContext& types, Function* out)
      : mad_(mad), m_(m), types_(types), b_(m), fn_(out) {}

  // Kernel: replay + reverse of the whole body; array gradients and accumulators as effects.
  void kernel(const Function& primal, const std::vector<Value*>& accumulators);
  // Func: returns the adjoints of the differentiable parameters.
  void func(const Function& primal, const std::vector<Value*>& result_adjoints);

 private:
  // ---- building blocks
  Value* emit1(Opcode op, std::vector<Value*> operands, const Type* t, SourceRange loc) {
    return b_.emit1(op, std::move(operands), t, loc);
  }
  Value* zero(const Type* t, SourceRange loc) { return emit1(Opcode::Zero, {}, t, loc); }
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
    return it->second;
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
  Op* replay_op(const Op& op);

  // ---- reverse sweep
  void reverse_block(const Block& b);
  void reverse_op(const Op& op);
  void reverse_call_builtin(const Op& op, Value* ar);
  void reverse_constructor(const Op& op, Value* ar);
  void reverse_call(const Op& op);
  void reverse_if(const Op& op);
  void reverse_loop(const Op& op);

  // Differentiable values defined outside `op` and used inside its regions.
  std::vector<const Value*> outer_uses(const Op& op);
  void collect_uses(const Block& b, std::set<const Value*>& defined, std::vector<const Value*>& out,
                    std::set<const Value*>& seen);

  // Replays one loop body at (iv, carried) into the current block; returns the yielded values.
  std::vector<Value*> replay_body(const Op& loop, const Region& body, Value* iv, const std::vector<Value*>& carried);
  Value* iteration_value(const Op& loop, Value* j, Value* trips, SourceRange loc);

  ModuleAd& mad_;
  ir::Module& m_;
  TypeContext& types_;
  ir::OpBuilder b_;
  Function* fn_;
  std::map<const Value*, Value*> fwd_;
  std::map<const Value*, Value*> adj_;
};

// Owns the adjoint functions of one module (memoised per primal function).
class ModuleAd {
 public:
  ModuleAd(ir::Module& m, TypeContext& types) : m_(m), types_(types) {}

  Function* adjoint_of_func(const Function& f);
  Function* adjoint_of_kernel(const Function& k);
  // Indices of the differentiable parameters / results of a function.
  // Forgets memoised adjoints that are no longer in the module (after a failed kernel).
  void forget_dropped() {
    std::set<const Function*> live(m_.functions.begin(), m_.functions.end());
    for (auto it = done_.begin(); it != done_.end();) it = live.count(it->second) ? std::next(it) : done_.erase(it);
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
};

// ------------------------------------------------------------------ builders

Value* AdjointBuilder::builtin(const std::string& name, std::vector<Value*> args, SourceRange loc) {
  std::vector<BuiltinArg> bargs;
  for (Value* a : args) bargs.push_back({a->type, {}, nullptr});
  BuiltinResolution r = resolve_builtin(types_, name, bargs);
  if (r.status != BuiltinResolution::Status::Ok)
    throw AdError(fmt::format("the adjoint needs '{}' on these types (internal error: {})", name, r.message), loc);
  sema::CallTarget t;
  t.kind = sema::CallKind::Builtin;
  t.result = r.result;
  t.name = name;
  t.overload = r.overload;
  Op* op = b_.emit(Opcode::CallBuiltin, std::move(args), {r.result}, loc);
  op->name = name;
  op->target = m_.keep_object(std::move(t));
  return op->result();
}

Op* AdjointBuilder::replay_op(const Op& op) {
  std::vector<Value*> operands;
  for (const Value* v : op.operands) operands.push_back(P(v));
  std::vector<const Type*> types;
  for (const Value* r : op.results) types.push_back(r->type);
  Op* copy = b_.emit(op.opcode, std::move(operands), types, op.loc);
  copy->constant = op.constant;
  copy->target = op.target;
  copy->callee = op.callee;
  copy->name = op.name;
  copy->indices = op.indices;
  copy->reversed = op.reversed;
  for (size_t i = 0; i < op.results.size(); ++i) {
    copy->results[i]->name = op.results[i]->name;
    fwd_[op.results[i]] = copy->results[i];
  }
  for (const Region* r : op.regions) {
    Region* nr = m_.new_region(copy, fn_);
    for (const Value* a : r->entry()->args) fwd_[a] = m_.new_arg(nr->entry(), a->type, a->name);
    Block* saved = b_.block();
    replay_block(*r->entry(), nr->entry());
    b_.set_block(saved);
  }
  return copy;
}

void AdjointBuilder::replay_block(const Block& src, Block* dst, bool with_terminator) {
  b_.set_block(dst);
  for (const Op* op : src.ops) {
    if (op->is(Opcode::Return)) continue;  // the adjoint continues after the replay
    if (!with_terminator && (op->info().flags & ir::kTerminator)) continue;
    if (replay_skips(*op)) {
      // An atomic's old value is not recomputed: later uses see zero (never differentiated).
      for (const Value* r : op->results) fwd_[r] = zero(r->type, op->loc);
      continue;
    }
    replay_op(*op);
  }
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
  if ((op.is(Opcode::ArrayLoad) || op.is(Opcode::ArrayStore)) && is_local_array(op.operands[0]) &&
      differentiable(op.operands[0]->type->elem))
    throw AdError("gradients through local arrays ('wp.zeros' in kernel code) are not supported yet", op.loc);
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
      if (op.result()->type->kind == TypeKind::Struct)
        throw AdError("gradients of arrays of structs are not supported yet", op.loc);
      std::vector<Value*> operands;
      for (const Value* v : op.operands) operands.push_back(P(v));
      operands.push_back(ar);
      b_.emit(Opcode::GradAccum, std::move(operands), {}, op.loc);
      return;
    }
    case Opcode::ArrayStore:
    case Opcode::AtomicAdd:
    case Opcode::AtomicSub: {
      const Value* value = op.operands.back();
      if (!differentiable(value->type)) return;
      std::vector<Value*> operands;
      for (size_t i = 0; i + 1 < op.operands.size(); ++i) operands.push_back(P(op.operands[i]));
      Value* g = emit1(Opcode::GradLoad, std::move(operands), value->type, op.loc);
      accumulate(value, op.is(Opcode::AtomicSub) ? builtin("neg", {g}, op.loc) : g, op.loc);
      return;
    }
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
  if (!t || op.results.empty() || !ar || !differentiable(op.result()->type)) return;
  if (t->kind == sema::CallKind::TypeConstructor) return reverse_constructor(op, ar);
  if (!t->overload || !builtin_is_differentiable(t->overload)) return;
  for (int i = 0; i < builtin_param_count(t->overload); ++i)
    if (builtin_param_is_ref(t->overload, i))
      throw AdError(fmt::format("differentiating '{}', which updates an argument in place, is not supported yet", op.name),
                    op.loc);
  std::vector<Value*> operands;
  std::vector<const Type*> types;
  for (const Value* v : op.operands) {
    operands.push_back(P(v));
    types.push_back(v->type);
  }
  operands.push_back(ar);
  Op* adj = b_.emit(Opcode::AdjCallBuiltin, std::move(operands), types, op.loc);
  adj->target = t;
  adj->name = op.name;
  for (size_t i = 0; i < op.operands.size(); ++i) accumulate(op.operands[i], adj->results[i], op.loc);
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
  throw AdError(fmt::format("differentiating the '{}' form of '{}' is not supported yet", form, op.name), op.loc);
}

void AdjointBuilder::reverse_call(const Op& op) {
  Function* adj_fn = mad_.adjoint_of_func(*op.callee);
  std::vector<Value*> args;
  for (const Value* v : op.operands) args.push_back(P(v));
  bool any = false;
  for (size_t r : ModuleAd::diff_results(*op.callee)) {
    any |= adj_.count(op.results[r]) > 0;
    args.push_back(adjoint_or_zero(op.results[r], op.loc));
  }
  if (!any) return;  // nothing flows back through this call
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

void AdjointBuilder::reverse_if(const Op& op) {
  std::vector<const Value*> outer = outer_uses(op);
  std::vector<const Value*> results;  // differentiable results whose adjoints flow into the branches
  for (const Value* r : op.results)
    if (differentiable(r->type) && adj_.count(r)) results.push_back(r);
  if (outer.empty()) return;
  std::vector<Value*> start;
  std::vector<const Type*> types;
  for (const Value* v : outer) {
    start.push_back(adjoint_or_zero(v, op.loc));
    types.push_back(v->type);
  }
  Op* rev = b_.emit(Opcode::If, {P(op.operands[0])}, types, op.loc);
  Block* saved_block = b_.block();
  std::map<const Value*, Value*> saved_adj = adj_;
  for (int branch = 0; branch < 2; ++branch) {
    const Block& src = *op.region(branch)->entry();
    Region* r = m_.new_region(rev, fn_);
    adj_ = saved_adj;
    for (size_t i = 0; i < outer.size(); ++i) adj_[outer[i]] = start[i];
    replay_block(src, r->entry(), /*with_terminator=*/false);
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

// The induction value of primal iteration j (0-based) of a `for` loop with `trips` iterations.
Value* AdjointBuilder::iteration_value(const Op& loop, Value* j, Value* trips, SourceRange loc) {
  Value* pos = j;
  if (loop.reversed) pos = builtin("sub", {builtin("sub", {trips, int_const(1, loc)}, loc), j}, loc);
  return builtin("add", {P(loop.operands[0]), builtin("mul", {pos, P(loop.operands[2])}, loc)}, loc);
}

std::vector<Value*> AdjointBuilder::replay_body(const Op& loop, const Region& body, Value* iv,
                                                const std::vector<Value*>& carried) {
  const Block& src = *body.entry();
  size_t first = 0;
  if (loop.is(Opcode::For)) {
    fwd_[src.args[0]] = iv;
    first = 1;
  }
  for (size_t i = first; i < src.args.size(); ++i) fwd_[src.args[i]] = carried[i - first];
  Block* here = b_.block();
  for (const Op* op : src.ops) {
    if (op->info().flags & ir::kTerminator) break;
    if (replay_skips(*op)) {
      for (const Value* r : op->results) fwd_[r] = zero(r->type, op->loc);
      continue;
    }
    replay_op(*op);
    b_.set_block(here);
  }
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

// Loops run backwards one iteration at a time. Iteration k's carried values are recomputed by
// replaying iterations 0..k-1 from the loop's initial values (no per-thread storage).
void AdjointBuilder::reverse_loop(const Op& op) {
  const SourceRange loc = op.loc;
  const bool is_for = op.is(Opcode::For);
  const size_t first_init = is_for ? 3 : 0;
  const Region& body = *op.region(is_for ? 0 : 1);
  if (const Op* exit = loop_exit_in(*body.entry()))
    throw AdError(fmt::format("differentiating a loop that leaves an iteration early ('{}') is not supported yet",
                              exit->info().spelling),
                  exit->loc);
  std::vector<const Value*> outer = outer_uses(op);
  const size_t nc = op.results.size();
  std::vector<Value*> init;
  for (size_t i = 0; i < nc; ++i) init.push_back(P(op.operands[first_init + i]));

  // Trip count: from the range for `for`; by replaying the loop once more for `while`.
  Value* trips = nullptr;
  if (is_for) {
    trips = internal("range_count", {P(op.operands[0]), P(op.operands[1]), P(op.operands[2])}, types_.int32(), loc);
  } else {
    std::vector<Value*> inits = init;
    inits.push_back(int_const(0, loc));
    std::vector<const Type*> types;
    for (const Value* v : inits) types.push_back(v->type);
    Op* count = b_.emit(Opcode::While, inits, types, loc);
    Region* cond = m_.new_region(count, fn_);
    Region* cbody = m_.new_region(count, fn_);
    Block* saved = b_.block();
    std::vector<Value*> cargs, bargs;
    for (const Type* t : types) {
      cargs.push_back(m_.new_arg(cond->entry(), t));
      bargs.push_back(m_.new_arg(cbody->entry(), t));
    }
    const Block& csrc = *op.region(0)->entry();
    for (size_t i = 0; i < nc; ++i) fwd_[csrc.args[i]] = cargs[i];
    b_.set_block(cond->entry());
    for (const Op* o : csrc.ops) {
      if (o->is(Opcode::Condition)) {
        b_.emit(Opcode::Condition, {P(o->operands[0])}, {}, loc);
        break;
      }
      replay_op(*o);
      b_.set_block(cond->entry());
    }
    b_.set_block(cbody->entry());
    std::vector<Value*> carried(bargs.begin(), bargs.end() - 1);
    std::vector<Value*> next = replay_body(op, body, nullptr, carried);
    next.push_back(builtin("add", {bargs.back(), int_const(1, loc)}, loc));
    b_.emit(Opcode::Yield, next, {}, loc);
    b_.set_block(saved);
    trips = count->results.back();
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

  // Carried values at the start of iteration k: replay iterations 0..k-1.
  std::vector<Value*> ck = init;
  if (nc > 0) {
    std::vector<Value*> ops = {int_const(0, loc), k, int_const(1, loc)};
    ops.insert(ops.end(), init.begin(), init.end());
    std::vector<const Type*> ctypes;
    for (Value* v : init) ctypes.push_back(v->type);
    Op* redo = b_.emit(Opcode::For, ops, ctypes, loc);
    Region* rr = m_.new_region(redo, fn_);
    Value* j = m_.new_arg(rr->entry(), types_.int32(), "j");
    std::vector<Value*> c;
    for (const Type* t : ctypes) c.push_back(m_.new_arg(rr->entry(), t));
    Block* inner_saved = b_.block();
    b_.set_block(rr->entry());
    Value* iv = is_for ? iteration_value(op, j, trips, loc) : nullptr;
    b_.emit(Opcode::Yield, replay_body(op, body, iv, c), {}, loc);
    b_.set_block(inner_saved);
    ck = redo->results;
  }
  // Iteration k forward (its intermediates), then backward.
  Value* ivk = is_for ? iteration_value(op, k, trips, loc) : nullptr;
  std::vector<Value*> yielded = replay_body(op, body, ivk, ck);
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
  b_.emit(Opcode::Yield, next, {}, loc);
  (void)yielded;
  b_.set_block(saved_block);

  adj_ = saved_adj;
  for (size_t i = 0; i < outer.size(); ++i) adj_[outer[i]] = rev->results[i];
  for (size_t i = 0; i < nc; ++i) accumulate(op.operands[first_init + i], rev->results[outer.size() + i], loc);
}

void AdjointBuilder::kernel(const Function& primal, const std::vector<Value*>& accumulators) {
  Block* entry = fn_->body->entry();
  std::vector<Value*> params = fn_->params();
  std::vector<Value*> pparams = primal.params();
  for (size_t i = 0; i < pparams.size(); ++i) fwd_[pparams[i]] = params[i];
  replay_block(*primal.body->entry(), entry);
  b_.set_block(entry);
  reverse_block(*primal.body->entry());
  size_t a = 0;
  for (size_t i = 0; i < pparams.size(); ++i) {
    if (!has_accumulator(pparams[i]->type)) continue;
    Value* acc = accumulators[a++];
    auto it = adj_.find(pparams[i]);
    if (it == adj_.end()) continue;
    b_.emit(Opcode::GradAccum, {acc, int_const(0, primal.loc), it->second}, {}, primal.loc);
  }
  b_.emit(Opcode::Return, {}, {}, primal.loc);
}

void AdjointBuilder::func(const Function& primal, const std::vector<Value*>& result_adjoints) {
  Block* entry = fn_->body->entry();
  std::vector<Value*> params = fn_->params();
  std::vector<Value*> pparams = primal.params();
  for (size_t i = 0; i < pparams.size(); ++i) fwd_[pparams[i]] = params[i];
  replay_block(*primal.body->entry(), entry);
  b_.set_block(entry);
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
  if (f.kind == ir::FunctionKind::Native)
    throw AdError(fmt::format("differentiating the func_native '{}' needs its adjoint snippet (not supported yet)", f.name),
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
  for (size_t p : diff_params(f)) a->result_types.push_back(f.param_types[p]);
  done_[&f] = a;
  AdjointBuilder(*this, m_, types_, a).func(f, result_adj);
  return a;
}

Function* ModuleAd::adjoint_of_kernel(const Function& k) {
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
  AdjointBuilder(*this, m_, types_, a).kernel(k, accumulators);
  return a;
}

}  // namespace

bool generate_adjoints(ir::Module& m, TypeContext& types, DiagnosticEngine& diags) {
  ModuleAd mad(m, types);
  std::vector<Function*> kernels;
  for (Function* f : m.functions)
    if (f->kind == ir::FunctionKind::Kernel && !f->primal && kernel_wants_backward(*f)) kernels.push_back(f);
  bool ok = true;
  for (Function* k : kernels) {
    const size_t before = m.functions.size();
    try {
      mad.adjoint_of_kernel(*k);
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
    if (f->kind == ir::FunctionKind::Kernel && f->primal) out.push_back({f->primal->name, 0, "recompute"});
  return out;
}

}  // namespace warpc
