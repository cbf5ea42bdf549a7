// ir_verifier.cpp — structural checks of the IR (see ir.h's contract).
//
// Checked: operand / result / region counts against ops.def; every operand
// defined before its use in the same block or in an enclosing region
// (scoping = dominance for structured IR); every block ends in exactly one
// terminator, and only there; yield / condition / break / continue / return
// placed under the right parent and matching its values in number and type;
// `if` / `while` conditions are bool; `for` bounds are integers; block
// arguments of loops match their carried values; array element types of
// loads, stores and atomics. Problems come back as text, one per line:
// "@fn: op 'name': what is wrong".
#include <set>
#include <string>
#include <vector>

#include "ir/ir.h"

namespace warpc::ir {

namespace {

class Verifier {
 public:
  std::vector<std::string> problems;

  void function(const Function& f) {
    fn_ = &f;
    if (!f.body) return;
    if (f.body->blocks.size() != 1) return fail(nullptr, "a region must have exactly one block");
    const Block& entry = *f.body->entry();
    if (entry.args.size() != f.param_types.size()) fail(nullptr, "entry block arguments do not match the parameters");
    block(entry);
  }

 private:
  const Function* fn_ = nullptr;
  std::vector<std::set<const Value*>> scopes_;

  void fail(const Op* op, const std::string& what) {
    std::string where = "@" + (fn_ ? fn_->name : std::string("?"));
    if (op) where += std::string(": op '") + op->info().spelling + "'";
    problems.push_back(where + ": " + what);
  }

  bool visible(const Value* v) const {
    for (const auto& s : scopes_)
      if (s.count(v)) return true;
    return false;
  }

  void block(const Block& b) {
    scopes_.emplace_back(b.args.begin(), b.args.end());
    if (b.ops.empty() || !b.terminator()) fail(b.ops.empty() ? nullptr : b.ops.back(), "block does not end in a terminator");
    for (size_t i = 0; i < b.ops.size(); ++i) {
      const Op& op = *b.ops[i];
      if (op.parent != &b) fail(&op, "op's parent is not its block");
      if ((op.info().flags & kTerminator) && i + 1 != b.ops.size()) fail(&op, "terminator in the middle of a block");
      this->op(op);
      for (const Value* r : op.results) scopes_.back().insert(r);
    }
    scopes_.pop_back();
  }

  void region(const Region& r, const Op& parent) {
    if (r.blocks.size() != 1 || r.parent != &parent) return fail(&parent, "malformed region");
    block(*r.entry());
  }

  void op(const Op& op) {
    const OpInfo& info = op.info();
    if (info.operands >= 0 && op.operands.size() != static_cast<size_t>(info.operands))
      fail(&op, "expects " + std::to_string(info.operands) + " operand(s), has " + std::to_string(op.operands.size()));
    if (info.results >= 0 && op.results.size() != static_cast<size_t>(info.results))
      fail(&op, "expects " + std::to_string(info.results) + " result(s), has " + std::to_string(op.results.size()));
    if (op.regions.size() != static_cast<size_t>(info.regions)) return fail(&op, "wrong number of regions");
    for (const Value* v : op.operands) {
      if (!v) fail(&op, "null operand");
      else if (!visible(v)) fail(&op, "operand used outside the scope of its definition");
    }
    for (const Value* v : op.results)
      if (!v || !v->type || v->def != &op) fail(&op, "malformed result");
    specific(op);
    for (const Region* r : op.regions) region(*r, op);
  }

  static std::vector<const Type*> types_of(const std::vector<Value*>& vs, size_t from = 0) {
    std::vector<const Type*> ts;
    for (size_t i = from; i < vs.size(); ++i) ts.push_back(vs[i] ? vs[i]->type : nullptr);
    return ts;
  }

  void expect_types(const Op& op, const std::vector<const Type*>& got, const std::vector<const Type*>& want,
                    const char* what) {
    if (got.size() != want.size())
      return fail(&op, std::string(what) + ": " + std::to_string(got.size()) + " value(s) where " +
                           std::to_string(want.size()) + " expected");
    for (size_t i = 0; i < got.size(); ++i)
      if (got[i] != want[i])
        fail(&op, std::string(what) + ": value " + std::to_string(i) + " is " + type_name(got[i]) + ", expected " +
                      type_name(want[i]));
  }

  void specific(const Op& op) {
    switch (op.opcode) {
      case Opcode::If: return if_op(op);
      case Opcode::For: return for_op(op);
      case Opcode::While: return while_op(op);
      case Opcode::Yield: return yield_op(op);
      case Opcode::Condition: return condition_op(op);
      case Opcode::Break:
      case Opcode::Continue: return loop_exit(op);
      case Opcode::Return: return expect_types(op, types_of(op.operands), fn_->result_types, "returned values");
      case Opcode::ArrayLoad:
      case Opcode::ArrayStore:
      case Opcode::ArrayView:
      case Opcode::AtomicAdd:
      case Opcode::AtomicSub:
      case Opcode::AtomicMin:
      case Opcode::AtomicMax:
      case Opcode::GradLoad:
      case Opcode::GradClear:
      case Opcode::GradAccum: return memory_op(op);
      case Opcode::GradAccumField:
        if (op.operands.size() < 3 || !op.operands[0] || op.operands[0]->type->kind != TypeKind::Array ||
            op.operands.size() != static_cast<size_t>(op.operands[0]->type->ndim) + 2 || op.indices.empty())
          fail(&op, "needs an array, one index per dimension, a value and a field path");
        return;
      case Opcode::GradTake: {
        const Type* a = op.operands.empty() || !op.operands[0] ? nullptr : op.operands[0]->type;
        if (!a || a->kind != TypeKind::Array || op.operands.size() != static_cast<size_t>(a->ndim) + 1 ||
            op.indices.size() > 2 || (op.indices.empty() && op.result()->type != a->elem))
          fail(&op, "needs an array, one index per dimension and at most a two-index component path");
        return;
      }
      case Opcode::NativeSnippet:
        if (!op.callee || op.callee->kind != FunctionKind::Native || (op.name != "adj" && op.name != "replay"))
          fail(&op, "needs a func_native callee and the snippet kind (adj / replay)");
        return;
      case Opcode::ArrayShape: {
        const Type* a = op.operands.empty() || !op.operands[0] ? nullptr : op.operands[0]->type;
        if (!a || a->kind != TypeKind::Array || op.indices.size() != 1 || op.indices[0] < 0 || op.indices[0] >= a->ndim)
          fail(&op, "needs an array and one dimension below its ndim");
        return;
      }
      case Opcode::Assert: return expect_bool(op, op.operands.empty() ? nullptr : op.operands[0], "assertion");
      case Opcode::Const:
        if (!op.constant) fail(&op, "missing constant");
        return;
      case Opcode::Compare:
        if (op.name.empty()) fail(&op, "missing predicate / builtin name");
        return;
      case Opcode::CallBuiltin: {
        if (op.name.empty()) fail(&op, "missing predicate / builtin name");
        const std::vector<int> written = written_operands(op);  // one result per `&` operand, same type
        for (size_t i = 0; i < written.size(); ++i)
          if (op.result(first_written_result(op) + static_cast<int>(i))->type !=
              op.operands[static_cast<size_t>(written[i])]->type)
            fail(&op, "a result for a '&' argument differs from the argument's type");
        return;
      }
      case Opcode::AdjCallBuiltin:
        if (op.name.empty() || !op.target) fail(&op, "missing the builtin it is the adjoint of");
        return;
      case Opcode::TanCallBuiltin:
        if (op.name.empty() || !op.target) fail(&op, "missing the builtin it is the tangent of");
        else if (op.operands.size() < op.indices.size()) fail(&op, "fewer operands than tangents");
        return;
      case Opcode::GradStore: {
        const Type* a = op.operands.empty() || !op.operands[0] ? nullptr : op.operands[0]->type;
        if (!a || a->kind != TypeKind::Array || op.operands.size() != static_cast<size_t>(a->ndim) + 2 ||
            op.indices.size() > 2 || (op.indices.empty() && op.operands.back()->type != a->elem))
          fail(&op, "needs an array, one index per dimension, a value and at most a two-index component path");
        return;
      }
      case Opcode::Extract:
      case Opcode::Insert:
        if (op.indices.empty() == (op.operands.size() <= (op.is(Opcode::Insert) ? 2u : 1u)))
          fail(&op, "needs either a static index path or dynamic index operands");
        if (op.is(Opcode::Insert) && op.operands.size() >= 2 && op.operands[0] && op.results.size() == 1 &&
            op.result(0)->type != op.operands[0]->type)
          fail(&op, "result type differs from the aggregate's");
        return;
      case Opcode::Call:
        if (!op.callee) return fail(&op, "missing callee");
        expect_types(op, types_of(op.operands), op.callee->param_types, "arguments");
        expect_types(op, types_of(op.results), op.callee->result_types, "results");
        return;
      default: return;
    }
  }

  void expect_bool(const Op& op, const Value* v, const char* what) {
    if (v && !(v->type && v->type->is_bool())) fail(&op, std::string(what) + " is not bool");
  }

  void if_op(const Op& op) {
    expect_bool(op, op.operands.empty() ? nullptr : op.operands[0], "condition");
    for (const Region* r : op.regions)
      if (r->entry() && !r->entry()->args.empty()) fail(&op, "if regions take no arguments");
  }

  void for_op(const Op& op) {
    if (op.operands.size() < 3) return fail(&op, "needs lower, upper and step");
    for (int i = 0; i < 3; ++i)
      if (op.operands[i] && !op.operands[i]->type->is_int_scalar()) fail(&op, "loop bounds must be integers");
    expect_types(op, types_of(op.operands, 3), types_of(op.results), "initial carried values");
    const Block* b = op.region(0)->entry();
    if (!b || b->args.empty()) return fail(&op, "body needs the induction variable argument");
    if (b->args[0]->type != op.operands[0]->type) fail(&op, "induction variable type differs from the bounds");
    expect_types(op, types_of(b->args, 1), types_of(op.results), "body arguments");
  }

  void while_op(const Op& op) {
    expect_types(op, types_of(op.operands), types_of(op.results), "initial carried values");
    for (const Region* r : op.regions)
      if (r->entry()) expect_types(op, types_of(r->entry()->args), types_of(op.results), "region arguments");
    const Block* c = op.region(0)->entry();
    if (c && c->terminator() && !c->terminator()->is(Opcode::Condition))
      fail(&op, "condition region must end in 'condition'");
  }

  // The parent op a yield/condition/break/continue belongs to.
  static const Op* innermost_loop(const Op& op) {
    for (const Op* p = op.parent_op(); p; p = p->parent_op())
      if (p->is(Opcode::For) || p->is(Opcode::While)) return p;
    return nullptr;
  }

  void yield_op(const Op& op) {
    const Op* p = op.parent_op();
    if (!p) return fail(&op, "yield at function level");
    if (p->is(Opcode::While) && op.parent->parent == p->region(0))
      return fail(&op, "the condition region of 'while' ends in 'condition'");
    if (!p->is(Opcode::If) && !p->is(Opcode::For) && !p->is(Opcode::While)) return fail(&op, "yield in a non-structured op");
    expect_types(op, types_of(op.operands), types_of(p->results), "yielded values");
  }

  void condition_op(const Op& op) {
    const Op* p = op.parent_op();
    if (!p || !p->is(Opcode::While) || op.parent->parent != p->region(0))
      return fail(&op, "'condition' outside a while's condition region");
    expect_bool(op, op.operands.empty() ? nullptr : op.operands[0], "condition");
  }

  void loop_exit(const Op& op) {
    const Op* loop = innermost_loop(op);
    if (!loop) return fail(&op, "outside a loop");
    for (const Op* p = op.parent_op(); p != loop; p = p->parent_op())
      if (!p->is(Opcode::If)) return fail(&op, "may only be nested in 'if' regions of its loop");
    if (loop->is(Opcode::While) && op.parent->parent == loop->region(0)) fail(&op, "inside a while's condition region");
    expect_types(op, types_of(op.operands), types_of(loop->results), "carried values");
  }

  void memory_op(const Op& op) {
    if (op.operands.empty() || !op.operands[0]) return;
    const Type* arr = op.operands[0]->type;
    if (!arr || arr->kind != TypeKind::Array) return fail(&op, "first operand is not an array");
    bool has_value = !op.is(Opcode::ArrayLoad) && !op.is(Opcode::ArrayView) && !op.is(Opcode::GradLoad) &&
                     !op.is(Opcode::GradClear);
    size_t nidx = op.operands.size() - 1 - (has_value ? 1 : 0);
    for (size_t i = 1; i <= nidx && i < op.operands.size(); ++i)
      if (op.operands[i] && !op.operands[i]->type->is_int_scalar()) fail(&op, "array index is not an integer");
    if (op.is(Opcode::ArrayView)) {
      if (nidx == 0 || nidx >= static_cast<size_t>(arr->ndim)) fail(&op, "a view takes fewer indices than ndim");
      return;
    }
    if (nidx != static_cast<size_t>(arr->ndim)) fail(&op, "index count differs from the array's ndim");
    if (has_value && op.operands.back() && op.operands.back()->type != arr->elem)
      fail(&op, "stored value type " + type_name(op.operands.back()->type) + " differs from dtype " + type_name(arr->elem));
    if (!op.results.empty() && op.result(0)->type != arr->elem)
      fail(&op, "result type " + type_name(op.result(0)->type) + " differs from dtype " + type_name(arr->elem));
  }
};

}  // namespace

std::vector<std::string> verify_ir(const Module& m) {
  Verifier v;
  for (const Function* f : m.functions) v.function(*f);
  return std::move(v.problems);
}

}  // namespace warpc::ir
