// generate_tangents.cpp — forward-mode AD on the IR (contract in generate_tangents.h).
//
// One TangentBuilder per JVP function. It walks the primal once, in order, and for every op
// emits the op's copy (its primal value, and its side effects on arrays: the JVP does the
// forward's work, so a load sees what the same thread stored before it) and then the op's
// tangent. Two maps drive it:
//   P_  primal value → its copy in the JVP function
//   T_  primal value → the IR value holding its tangent (absent = zero, emitted on demand)
// Structured ops are copied with their tangents appended to every carried list (operands,
// region arguments, results, yield / break / continue / return operands): the tangents of the
// differentiable entries, in order. Terminators inside regions carry them the same way, so no
// single-exit copy is needed.
#include "ad/generate_tangents.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "ad/ad_support.h"
#include "ad/tangent_rules.h"
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

bool differentiable(const Type* t) { return ad_differentiable(t); }

// Kernel parameters that get a tangent value argument (arrays get theirs through the launcher).
bool has_tangent_param(const Type* t) { return t->kind != TypeKind::Array && differentiable(t); }

bool wants_jvp(const Function& fn, const TangentOptions& o) {
  if (o.none || !fn.instance || !fn.instance->decl) return false;
  const sema::KernelOptions& ko = fn.instance->decl->options;
  if (auto it = ko.others.find("enable_jvp"); it != ko.others.end() && it->second) return it->second->as_bool();
  return o.all_kernels && ko.enable_backward;
}

class ModuleJvp;

class TangentBuilder {
 public:
  TangentBuilder(ModuleJvp& mj, ir::Module& m, TypeContext& types, Function* out)
      : mj_(mj), m_(m), types_(types), b_(m), emit_(m, types, b_), fn_(out) {}

  void build(const Function& primal, const std::vector<Value*>& tangent_params);

 private:
  Value* P(const Value* v) const {
    auto it = P_.find(v);
    if (it == P_.end()) throw AdError("a value the tangent needs was not copied (internal error)", SourceRange());
    return it->second;
  }
  // The tangent of v, or null when it is zero. Throws where it is the unknown tangent of an
  // atomic's returned value.
  Value* T(const Value* v) const {
    if (!differentiable(v->type)) return nullptr;
    if (auto u = unknown_.find(v); u != unknown_.end())
      throw AdError(fmt::format("the tangent depends on the value '{}' returns (the element before the update, "
                                "which other threads may have updated), whose tangent forward mode does not track",
                                u->second->is(Opcode::CallBuiltin) ? u->second->name : u->second->info().spelling),
                    u->second->loc);
    auto it = T_.find(v);
    return it == T_.end() ? nullptr : it->second;
  }
  Value* T_or_zero(const Value* v, SourceRange loc) {
    Value* t = T(v);
    return t ? t : emit_.zero(v->type, loc);
  }
  void set_tangent(const Value* v, Value* t) {
    if (t && differentiable(v->type)) T_[v] = t;
  }
  // `values` followed by the tangents of its differentiable entries (a carried list).
  std::vector<Value*> with_tangents(const std::vector<Value*>& primal_values, SourceRange loc) {
    std::vector<Value*> out;
    for (const Value* v : primal_values) out.push_back(P(v));
    for (const Value* v : primal_values)
      if (differentiable(v->type)) out.push_back(T_or_zero(v, loc));
    return out;
  }
  static std::vector<const Type*> types_with_tangents(const std::vector<Value*>& values) {
    std::vector<const Type*> out;
    for (const Value* v : values) out.push_back(v->type);
    for (const Value* v : values)
      if (differentiable(v->type)) out.push_back(v->type);
    return out;
  }
  // Maps `primal` values to `copies` (primal part first, then the tangents of the differentiable ones).
  void bind_with_tangents(const std::vector<Value*>& primal, const std::vector<Value*>& copies) {
    size_t t = primal.size();
    for (size_t i = 0; i < primal.size(); ++i) {
      copies[i]->name = primal[i]->name;
      P_[primal[i]] = copies[i];
      if (!differentiable(primal[i]->type)) continue;
      copies[t]->name = primal[i]->name.empty() ? "" : "tan_" + primal[i]->name;
      T_[primal[i]] = copies[t++];
    }
  }

  void block(const Block& src);
  void op(const Op& o);
  Op* copy(const Op& o);
  void structured(const Op& o);
  void terminator(const Op& o);
  void memory(const Op& o);
  void atomic_minmax(const Op& o);
  void atomic_by_name(const Op& o);
  Op* atomic_grad_store(std::vector<Value*> operands, SourceRange loc);
  void if_then(Value* cond, const std::function<void()>& then, SourceRange loc);
  void call_builtin(const Op& o);
  void call(const Op& o);
  void writing_builtin(const Op& o, const std::vector<int>& written, bool overwrite);
  Value* same_op_on(const Op& o, std::vector<Value*> operands);

  ModuleJvp& mj_;
  ir::Module& m_;
  TypeContext& types_;
  ir::OpBuilder b_;
  ad::IrEmit emit_;
  Function* fn_;
  std::map<const Value*, Value*> P_;
  std::map<const Value*, Value*> T_;
  std::map<const Value*, const Op*> unknown_;  // an atomic's returned value: its tangent is unknown
};

// Owns the JVP functions of one module (memoised per primal function).
class ModuleJvp {
 public:
  ModuleJvp(ir::Module& m, TypeContext& types) : m_(m), types_(types) {}
  Function* jvp_of_func(const Function& f);
  Function* jvp_of_kernel(const Function& k);
  void forget_dropped() {
    std::set<const Function*> live(m_.functions.begin(), m_.functions.end());
    for (auto it = done_.begin(); it != done_.end();) it = live.count(it->second) ? std::next(it) : done_.erase(it);
  }

 private:
  ir::Module& m_;
  TypeContext& types_;
  std::map<const Function*, Function*> done_;
};

// ------------------------------------------------------------------ ops

void TangentBuilder::block(const Block& src) {
  for (const Op* o : src.ops) op(*o);
}

// The op itself on the copied operands (regions are not copied here).
Op* TangentBuilder::copy(const Op& o) {
  std::vector<Value*> operands;
  for (const Value* v : o.operands) operands.push_back(P(v));
  std::vector<const Type*> types;
  for (const Value* r : o.results) types.push_back(r->type);
  Op* c = b_.emit(o.opcode, std::move(operands), types, o.loc);
  c->constant = o.constant;
  c->target = o.target;
  c->callee = o.callee;
  c->name = o.name;
  c->indices = o.indices;
  c->reversed = o.reversed;
  for (size_t i = 0; i < o.results.size(); ++i) {
    c->results[i]->name = o.results[i]->name;
    P_[o.results[i]] = c->results[i];
  }
  return c;
}

// The same op (attributes, static path) on other operands: the tangent of a linear op.
Value* TangentBuilder::same_op_on(const Op& o, std::vector<Value*> operands) {
  Op* c = b_.emit(o.opcode, std::move(operands), {o.result()->type}, o.loc);
  c->target = o.target;
  c->name = o.name;
  c->indices = o.indices;
  return c->result();
}

void TangentBuilder::op(const Op& o) {
  const SourceRange loc = o.loc;
  switch (o.opcode) {
    case Opcode::If:
    case Opcode::For:
    case Opcode::While: return structured(o);
    case Opcode::Yield:
    case Opcode::Condition:
    case Opcode::Break:
    case Opcode::Continue:
    case Opcode::Return: return terminator(o);
    case Opcode::ArrayLoad:
    case Opcode::ArrayStore:
    case Opcode::AtomicAdd:
    case Opcode::AtomicSub:
    case Opcode::AtomicMin:
    case Opcode::AtomicMax: return memory(o);
    case Opcode::CallBuiltin: return call_builtin(o);
    case Opcode::Call: return call(o);
    case Opcode::Assert: copy(o); return;  // the JVP does the forward's work, checks included
    default: break;
  }
  copy(o);
  if (o.results.size() != 1 || !differentiable(o.result()->type)) return;
  switch (o.opcode) {
    case Opcode::Cast:
      if (Value* t = T(o.operands[0])) set_tangent(o.result(), b_.emit1(Opcode::Cast, {t}, o.result()->type, loc));
      return;
    case Opcode::Extract:
      if (Value* t = T(o.operands[0])) {
        std::vector<Value*> operands = {t};
        for (size_t i = 1; i < o.operands.size(); ++i) operands.push_back(P(o.operands[i]));
        set_tangent(o.result(), same_op_on(o, std::move(operands)));
      }
      return;
    case Opcode::Insert: {
      Value* ta = T(o.operands[0]);
      Value* tv = differentiable(o.operands[1]->type) ? T(o.operands[1]) : nullptr;
      if (!ta && !tv) return;
      if (!differentiable(o.operands[1]->type)) return set_tangent(o.result(), ta);
      std::vector<Value*> operands = {ta ? ta : emit_.zero(o.result()->type, loc), tv ? tv : emit_.zero(o.operands[1]->type, loc)};
      for (size_t i = 2; i < o.operands.size(); ++i) operands.push_back(P(o.operands[i]));
      set_tangent(o.result(), same_op_on(o, std::move(operands)));
      return;
    }
    case Opcode::StructNew: {
      bool any = false;
      std::vector<Value*> fields;
      for (const Value* v : o.operands) {  // non-differentiable fields keep their values
        Value* t = T(v);
        any |= t != nullptr;
        fields.push_back(t ? t : differentiable(v->type) ? emit_.zero(v->type, loc) : P(v));
      }
      if (any) set_tangent(o.result(), same_op_on(o, std::move(fields)));
      return;
    }
    default: return;  // const, zero, tid, shapes, views, comparisons: constant
  }
}

// if / for / while with the tangents of their differentiable carried values and results.
void TangentBuilder::structured(const Op& o) {
  const SourceRange loc = o.loc;
  const size_t fixed = o.is(Opcode::For) ? 3 : o.is(Opcode::If) ? 1 : 0;  // bounds / condition
  std::vector<Value*> operands;
  for (size_t i = 0; i < fixed; ++i) operands.push_back(P(o.operands[i]));
  std::vector<Value*> carried(o.operands.begin() + static_cast<std::ptrdiff_t>(fixed), o.operands.end());
  std::vector<Value*> init = with_tangents(carried, loc);
  operands.insert(operands.end(), init.begin(), init.end());
  Op* c = b_.emit(o.opcode, std::move(operands), types_with_tangents(o.results), loc);
  c->reversed = o.reversed;
  Block* saved = b_.block();
  for (const Region* r : o.regions) {
    Region* nr = m_.new_region(c, fn_);
    const std::vector<Value*>& args = r->entry()->args;
    const size_t iv = o.is(Opcode::For) ? 1 : 0;
    std::vector<Value*> primal_args(args.begin() + static_cast<std::ptrdiff_t>(iv), args.end());
    std::vector<Value*> new_args;
    if (iv) P_[args[0]] = m_.new_arg(nr->entry(), args[0]->type, args[0]->name);
    for (const Type* t : types_with_tangents(primal_args)) new_args.push_back(m_.new_arg(nr->entry(), t));
    bind_with_tangents(primal_args, new_args);
    b_.set_block(nr->entry());
    block(*r->entry());
  }
  b_.set_block(saved);
  bind_with_tangents(o.results, c->results);
}

void TangentBuilder::terminator(const Op& o) {
  if (o.is(Opcode::Condition)) {
    b_.emit(Opcode::Condition, {P(o.operands[0])}, {}, o.loc);
    return;
  }
  if (o.is(Opcode::Return) && fn_->kind == ir::FunctionKind::Kernel) {
    b_.emit(Opcode::Return, {}, {}, o.loc);
    return;
  }
  b_.emit(o.opcode, with_tangents(o.operands, o.loc), {}, o.loc);
}

// Every memory op is performed, as in the forward, and its tangent follows it at the same place:
// a load reads the tangent from the gradient slot, a store writes it (grad_store), atomic_add /
// atomic_sub add it (grad_accum). A load of an element the same thread stored earlier so sees
// the stored value and its tangent. Kernel-local arrays have a local tangent buffer.
void TangentBuilder::memory(const Op& o) {
  const SourceRange loc = o.loc;
  const bool local = ad_is_local_array(o.operands[0]);
  if (o.is(Opcode::AtomicMin) || o.is(Opcode::AtomicMax)) return atomic_minmax(o);
  std::vector<Value*> place;
  const size_t nplace = o.is(Opcode::ArrayLoad) ? o.operands.size() : o.operands.size() - 1;
  for (size_t i = 0; i < nplace; ++i) place.push_back(P(o.operands[i]));
  const Type* elem = o.operands[0]->type->elem;
  if (o.is(Opcode::ArrayLoad)) {
    copy(o);
    if (differentiable(elem)) set_tangent(o.result(), b_.emit1(Opcode::GradLoad, place, elem, loc));
    return;
  }
  copy(o);  // the store or atomic update itself
  if (!local)  // the old value an atomic returns: its value is known, its tangent is not
    for (const Value* r : o.results) unknown_[r] = &o;
  if (!differentiable(elem)) return;
  Value* tv = T(o.operands.back());
  if (o.is(Opcode::ArrayStore)) {
    place.push_back(tv ? tv : emit_.zero(elem, loc));
    b_.emit(Opcode::GradStore, std::move(place), {}, loc);
    return;
  }
  if (!tv) return;  // an atomic adding a constant
  place.push_back(o.is(Opcode::AtomicSub) ? emit_.builtin("neg", {tv}, loc) : tv);
  b_.emit(Opcode::GradAccum, std::move(place), {}, loc);
}

// The update is performed; then the element (each component) takes the tangent of this
// thread's value where the element equals it right after the update (this value won, so far).
// Run one after another, the last such store is the final winner's; run concurrently (a GPU,
// the CPU backend's worker threads), a thread whose value another thread's replaces between
// its update and its tangent store can store last (docs/autodiff.md, Forward mode).
void TangentBuilder::atomic_minmax(const Op& o) {
  const SourceRange loc = o.loc;
  const bool local = ad_is_local_array(o.operands[0]);
  const Type* elem = o.operands[0]->type->elem;
  copy(o);
  if (!local || differentiable(elem))
    for (const Value* r : o.results) unknown_[r] = &o;
  if (!differentiable(elem)) return;
  if (local)
    throw AdError(fmt::format("forward mode through '{}' on a kernel-local array is not supported",
                              o.info().spelling),
                  loc);
  if (elem->kind != TypeKind::Scalar && elem->kind != TypeKind::Vector)
    throw AdError(fmt::format("forward mode through '{}' on '{}' elements is not supported", o.info().spelling,
                              type_name(elem)),
                  loc);
  std::vector<Value*> place;
  for (size_t i = 0; i + 1 < o.operands.size(); ++i) place.push_back(P(o.operands[i]));
  Value* v = P(o.operands.back());
  // The element right after the update, read atomically (other threads update it meanwhile):
  // the same update again changes nothing and returns it.
  std::vector<Value*> again = place;
  again.push_back(v);
  Value* after = b_.emit1(o.opcode, std::move(again), elem, loc);
  Value* tv = T_or_zero(o.operands.back(), loc);
  const int n = elem->kind == TypeKind::Vector ? elem->rows : 1;
  const Type* scalar = types_.scalar(elem->scalar);
  for (int k = 0; k < n; ++k) {
    auto part = [&](Value* x) {
      if (elem->kind != TypeKind::Vector) return x;
      Op* e = b_.emit(Opcode::Extract, {x}, {scalar}, loc);
      e->indices = {k};
      return e->result();
    };
    if_then(emit_.cmp("==", part(after), part(v), loc), [&] {
      std::vector<Value*> operands = place;
      operands.push_back(part(tv));
      Op* store = atomic_grad_store(std::move(operands), loc);
      if (elem->kind == TypeKind::Vector) store->indices = {k};
    }, loc);
  }
}

// `if cond: then()` (no results).
void TangentBuilder::if_then(Value* cond, const std::function<void()>& then, SourceRange loc) {
  Op* branch = b_.emit(Opcode::If, {cond}, {}, loc);
  Region* then_r = m_.new_region(branch, fn_);
  Region* else_r = m_.new_region(branch, fn_);
  Block* saved = b_.block();
  b_.set_block(then_r->entry());
  then();
  b_.emit(Opcode::Yield, {}, {}, loc);
  b_.set_block(else_r->entry());
  b_.emit(Opcode::Yield, {}, {}, loc);
  b_.set_block(saved);
}

// atomic_exch / atomic_cas / the bitwise atomics (by name) on a launch array: performed; the
// returned old value's tangent is unknown. atomic_exch stores its value, atomic_cas stores it
// where the old value equals `compare`: the element's tangent becomes the value's there.
void TangentBuilder::atomic_by_name(const Op& o) {
  const SourceRange loc = o.loc;
  copy(o);
  for (const Value* r : o.results) unknown_[r] = &o;
  const Type* elem = o.operands[0]->type->elem;
  if (!differentiable(elem)) return;
  const bool cas = o.name == "atomic_cas";
  if (!cas && o.name != "atomic_exch") {
    for (const Value* v : o.operands)
      if (differentiable(v->type) && T(v))
        throw AdError(fmt::format("forward mode through '{}' in this form is not supported", o.name), loc);
    return;
  }
  const size_t nplace = o.operands.size() - (cas ? 2 : 1);
  std::vector<Value*> place;
  for (size_t i = 0; i < nplace; ++i) place.push_back(P(o.operands[i]));
  place.push_back(T_or_zero(o.operands.back(), loc));
  if (!cas) {
    atomic_grad_store(std::move(place), loc);
    return;
  }
  if_then(emit_.cmp("==", P(o.result()), P(o.operands[nplace]), loc),
          [&] { atomic_grad_store(std::move(place), loc); }, loc);
}

// The tangent store of an atomic update: other threads may store into the same gradient
// element at the same time, so it is an atomic exchange (grad_store "atomic").
Op* TangentBuilder::atomic_grad_store(std::vector<Value*> operands, SourceRange loc) {
  Op* store = b_.emit(Opcode::GradStore, std::move(operands), {}, loc);
  store->name = "atomic";
  return store;
}

void TangentBuilder::call_builtin(const Op& o) {
  const SourceRange loc = o.loc;
  if (ad_replay_skips(o)) {  // prints, expects, atomics by name on launch arrays
    if (o.name.rfind("atomic_", 0) == 0) return atomic_by_name(o);
    for (const Value* r : o.results) {  // debugging output: not repeated by the JVP
      P_[r] = emit_.zero(r->type, loc);
      unknown_[r] = &o;
    }
    return;
  }
  copy(o);
  const TangentRule rule = tangent_rule(o);
  if (rule == TangentRule::Zero) return;
  // Mesh / index-volume queries also depend on the geometry's points (or voxel data), which
  // carry no tangent here: refused whether or not an argument has one.
  if (o.name.rfind("mesh_", 0) == 0 || o.name == "volume_sample_index" || o.name == "volume_sample_grad_index")
    throw AdError(fmt::format("forward mode through '{}' is not supported (its value also depends on the geometry's "
                              "points or voxels, which have no tangent)",
                              o.name),
                  loc);
  if (rule == TangentRule::Refuse) {
    bool feeds = false;
    for (const Value* v : o.operands) feeds |= differentiable(v->type) && T(v);
    if (!feeds) return;  // constant inputs: constant outputs
    const std::vector<int> written = ir::written_operands(o);
    const RefAdjoint how = ad_ref_adjoint(o.name);
    if (written.empty() || how == RefAdjoint::None)
      throw AdError(fmt::format("forward mode through '{}', which writes into arguments, is not supported yet", o.name),
                    loc);
    return writing_builtin(o, written, how == RefAdjoint::Overwrite);
  }
  std::vector<Value*> tangents;
  bool any = false;
  for (const Value* v : o.operands) {
    Value* t = T(v);
    any |= t != nullptr;
    tangents.push_back(t);
  }
  if (!any) return;
  const Type* rt = o.result()->type;
  switch (rule) {
    case TangentRule::Linear: {
      std::vector<Value*> operands;
      for (size_t i = 0; i < o.operands.size(); ++i)
        operands.push_back(tangents[i] ? tangents[i] : emit_.zero(o.operands[i]->type, loc));
      set_tangent(o.result(), same_op_on(o, std::move(operands)));
      return;
    }
    case TangentRule::Bilinear: {
      Value* a = P(o.operands[0]);
      Value* b = P(o.operands[1]);
      Value* left = tangents[0] ? same_op_on(o, {tangents[0], b}) : nullptr;
      Value* right = tangents[1] ? same_op_on(o, {a, tangents[1]}) : nullptr;
      set_tangent(o.result(), left && right ? emit_.builtin("add", {left, right}, loc) : left ? left : right);
      return;
    }
    default: break;
  }
  // Through the adjoint: primal operands, then the tangents of the differentiable ones.
  std::vector<Value*> operands;
  for (const Value* v : o.operands) operands.push_back(P(v));
  std::vector<int> which;
  for (size_t i = 0; i < o.operands.size(); ++i) {
    if (!differentiable(o.operands[i]->type)) continue;
    which.push_back(static_cast<int>(i));
    operands.push_back(tangents[i] ? tangents[i] : emit_.zero(o.operands[i]->type, loc));
  }
  Op* t = b_.emit(Opcode::TanCallBuiltin, std::move(operands), {rt}, loc);
  t->target = o.target;
  t->name = o.name;
  t->indices = std::move(which);
  set_tangent(o.result(), t->result());
}

// A builtin writing into `&` arguments (SSA form) through its library adjoint: one tangent per
// result (its return value, then each written argument's value after the call). The adjoint
// takes the written arguments' values after the call in their slots; an overwritten argument's
// value before the call has no influence (no tangent in), an updated one's has.
void TangentBuilder::writing_builtin(const Op& o, const std::vector<int>& written, bool overwrite) {
  const SourceRange loc = o.loc;
  const int first = ir::first_written_result(o);
  std::vector<Value*> operands;
  for (const Value* v : o.operands) operands.push_back(P(v));
  for (size_t k = 0; k < written.size(); ++k)
    operands[static_cast<size_t>(written[k])] = P(o.result(first + static_cast<int>(k)));
  std::vector<int> which;
  for (size_t i = 0; i < o.operands.size(); ++i) {
    const bool is_written = std::find(written.begin(), written.end(), static_cast<int>(i)) != written.end();
    if (!differentiable(o.operands[i]->type) || (is_written && overwrite)) continue;
    which.push_back(static_cast<int>(i));
    operands.push_back(T_or_zero(o.operands[i], loc));
  }
  std::vector<const Type*> types;
  for (const Value* r : o.results) types.push_back(r->type);
  Op* t = b_.emit(Opcode::TanCallBuiltin, std::move(operands), types, loc);
  t->target = o.target;
  t->name = o.name;
  t->indices = std::move(which);
  for (size_t j = 0; j < o.results.size(); ++j) set_tangent(o.results[j], t->results[j]);
}

void TangentBuilder::call(const Op& o) {
  Function* jvp = mj_.jvp_of_func(*o.callee);
  std::vector<Value*> args = with_tangents(o.operands, o.loc);
  Op* c = b_.emit(Opcode::Call, std::move(args), jvp->result_types, o.loc);
  c->callee = jvp;
  c->name = jvp->name;
  bind_with_tangents(o.results, c->results);
}

void TangentBuilder::build(const Function& primal, const std::vector<Value*>& tangent_params) {
  std::vector<Value*> params = fn_->params();
  std::vector<Value*> pparams = primal.params();
  size_t t = 0;
  for (size_t i = 0; i < pparams.size(); ++i) {
    P_[pparams[i]] = params[i];
    const bool tangent = primal.kind == ir::FunctionKind::Kernel ? has_tangent_param(pparams[i]->type)
                                                                 : differentiable(pparams[i]->type);
    if (tangent) T_[pparams[i]] = tangent_params[t++];
  }
  b_.set_block(fn_->body->entry());
  block(*primal.body->entry());
  const Op* last = fn_->body->entry()->terminator();
  if (!last && primal.kind == ir::FunctionKind::Kernel) b_.emit(Opcode::Return, {}, {}, primal.loc);
}

// ------------------------------------------------------------------ module level

Function* ModuleJvp::jvp_of_func(const Function& f) {
  if (auto it = done_.find(&f); it != done_.end()) return it->second;
  if (f.kind == ir::FunctionKind::Native)
    throw AdError(fmt::format("forward mode through the func_native '{}' is not supported", f.name), f.loc);
  if (f.instance && f.instance->decl && f.instance->decl->custom_grad)
    throw AdError(fmt::format("function '{}' has a custom gradient (@wp.func_grad), which forward mode cannot use",
                              f.name),
                  f.loc);
  Function* j = m_.add_function(ir::FunctionKind::Func, f.name + "_jvp");
  j->tangent_of = &f;
  j->instance = f.instance;
  j->loc = f.loc;
  j->body = m_.new_region(nullptr, j);
  std::vector<Value*> fparams = f.params();
  for (size_t i = 0; i < f.param_types.size(); ++i) {
    j->param_types.push_back(f.param_types[i]);
    m_.new_arg(j->body->entry(), f.param_types[i], fparams[i]->name);
  }
  std::vector<Value*> tangents;
  for (size_t i = 0; i < f.param_types.size(); ++i) {
    if (!differentiable(f.param_types[i])) continue;
    j->param_types.push_back(f.param_types[i]);
    tangents.push_back(m_.new_arg(j->body->entry(), f.param_types[i], "tan_" + fparams[i]->name));
  }
  j->result_types = f.result_types;
  for (const Type* r : f.result_types)
    if (differentiable(r)) j->result_types.push_back(r);
  done_[&f] = j;
  TangentBuilder(*this, m_, types_, j).build(f, tangents);
  return j;
}

Function* ModuleJvp::jvp_of_kernel(const Function& k) {
  Function* j = m_.add_function(ir::FunctionKind::Kernel, k.name + "_jvp");
  j->tangent_of = &k;
  j->instance = k.instance;
  j->loc = k.loc;
  j->body = m_.new_region(nullptr, j);
  std::vector<Value*> kparams = k.params();
  for (size_t i = 0; i < k.param_types.size(); ++i) {
    j->param_types.push_back(k.param_types[i]);
    m_.new_arg(j->body->entry(), k.param_types[i], kparams[i]->name);
  }
  std::vector<Value*> tangents;
  for (size_t i = 0; i < k.param_types.size(); ++i) {
    if (!has_tangent_param(k.param_types[i])) continue;
    j->param_types.push_back(k.param_types[i]);
    tangents.push_back(m_.new_arg(j->body->entry(), k.param_types[i], "tan_" + kparams[i]->name));
  }
  TangentBuilder(*this, m_, types_, j).build(k, tangents);
  return j;
}

}  // namespace

bool generate_tangents(ir::Module& m, TypeContext& types, DiagnosticEngine& diags, const TangentOptions& options) {
  ModuleJvp mj(m, types);
  std::vector<Function*> kernels;
  for (Function* f : m.functions)
    if (f->kind == ir::FunctionKind::Kernel && !f->primal && !f->tangent_of && wants_jvp(*f, options))
      kernels.push_back(f);
  bool ok = true;
  for (Function* k : kernels) {
    const size_t before = m.functions.size();
    try {
      mj.jvp_of_kernel(*k);
    } catch (const AdError& e) {
      diags.report(DiagId::warn_jvp_not_generated, e.range.begin.file == kNoFile ? k->loc : e.range, k->name,
                   e.what());
      m.functions.resize(before);  // nothing of this kernel's JVP is emitted
      mj.forget_dropped();
      ok = false;
    }
  }
  return ok;
}

}  // namespace warpc
