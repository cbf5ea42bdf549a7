// lower_loop.cpp — `for` loops: over `range(…)` / `reversed(range(…))` (a
// `for` op), over geometry query iterators (a `while` op whose condition
// advances the iterator), and constant-range loops whose body evaluates
// `wp.static(…)` per iteration (unrolled here, one copy of the body per
// value of the loop variable). The IR shapes are documented in docs/ir.md.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>

#include "lower/lower_impl.h"
#include "sema/builtins.h"

namespace warpc::lower {

using ir::Opcode;
using ir::Value;

namespace {

// Forced unrolling is refused above this many iterations (located error).
constexpr int64_t kMaxStaticUnroll = 1024;

// The `range(…)` call a loop iterates over (inside `reversed(…)` too), or null.
const ast::CallExpr* range_call(const ast::Expr* iter, bool* reversed) {
  const auto* c = iter->as<ast::CallExpr>();
  if (!c || !c->target) return nullptr;
  if (c->target->kind == sema::CallKind::Reversed && c->args.size() == 1 && c->keywords.empty()) {
    *reversed = true;
    return range_call(c->args[0], reversed);
  }
  return c->target->kind == sema::CallKind::Range ? c : nullptr;
}

// Does `e` or a sub-expression satisfy `pred`?
bool any_expr(const ast::Expr* e, const std::function<bool(const ast::Expr*)>& pred) {
  if (!e) return false;
  if (pred(e)) return true;
  using K = ast::ExprKind;
  switch (e->kind) {
    case K::Attribute: return any_expr(e->as<ast::AttributeExpr>()->value, pred);
    case K::Subscript:
      return any_expr(e->as<ast::SubscriptExpr>()->value, pred) || any_expr(e->as<ast::SubscriptExpr>()->index, pred);
    case K::Slice: {
      const auto* s = e->as<ast::SliceExpr>();
      return any_expr(s->lower, pred) || any_expr(s->upper, pred) || any_expr(s->step, pred);
    }
    case K::Call: {
      const auto* c = e->as<ast::CallExpr>();
      for (const ast::Expr* a : c->args) if (any_expr(a, pred)) return true;
      for (const ast::Keyword& k : c->keywords) if (any_expr(k.value, pred)) return true;
      return false;
    }
    case K::Binary: return any_expr(e->as<ast::BinaryExpr>()->lhs, pred) || any_expr(e->as<ast::BinaryExpr>()->rhs, pred);
    case K::Unary: return any_expr(e->as<ast::UnaryExpr>()->operand, pred);
    case K::BoolOp:
      for (const ast::Expr* v : e->as<ast::BoolOpExpr>()->values) if (any_expr(v, pred)) return true;
      return false;
    case K::Compare:
      if (any_expr(e->as<ast::CompareExpr>()->left, pred)) return true;
      for (const ast::Expr* v : e->as<ast::CompareExpr>()->comparators) if (any_expr(v, pred)) return true;
      return false;
    case K::IfExp: {
      const auto* i = e->as<ast::IfExpExpr>();
      return any_expr(i->cond, pred) || any_expr(i->then_value, pred) || any_expr(i->else_value, pred);
    }
    case K::Tuple:
      for (const ast::Expr* x : e->as<ast::TupleExpr>()->elts) if (any_expr(x, pred)) return true;
      return false;
    default: return false;
  }
}

// Does an expression of `stmts` (nested blocks included) satisfy `pred`?
bool any_expr(const ast::Block& stmts, const std::function<bool(const ast::Expr*)>& pred) {
  for (const ast::Stmt* s : stmts) {
    bool hit = false;
    if (const auto* x = s->as<ast::ExprStmt>()) hit = any_expr(x->value, pred);
    if (const auto* a = s->as<ast::AssignStmt>()) {
      for (const ast::Expr* t : a->targets) hit = hit || any_expr(t, pred);
      hit = hit || any_expr(a->value, pred);
    }
    if (const auto* a = s->as<ast::AugAssignStmt>()) hit = any_expr(a->target, pred) || any_expr(a->value, pred);
    if (const auto* a = s->as<ast::AnnAssignStmt>()) hit = any_expr(a->target, pred) || any_expr(a->value, pred);
    if (const auto* i = s->as<ast::IfStmt>()) hit = any_expr(i->cond, pred) || any_expr(i->body, pred) || any_expr(i->orelse, pred);
    if (const auto* f = s->as<ast::ForStmt>()) hit = any_expr(f->iter, pred) || any_expr(f->body, pred);
    if (const auto* w = s->as<ast::WhileStmt>()) hit = any_expr(w->cond, pred) || any_expr(w->body, pred);
    if (const auto* r = s->as<ast::ReturnStmt>()) hit = any_expr(r->value, pred);
    if (const auto* a = s->as<ast::AssertStmt>()) hit = any_expr(a->cond, pred);
    if (hit) return true;
  }
  return false;
}

// A `break` / `continue` of this loop (not of a nested one), if any.
const ast::Stmt* own_exit(const ast::Block& stmts) {
  for (const ast::Stmt* s : stmts) {
    if (s->kind == ast::StmtKind::Break || s->kind == ast::StmtKind::Continue) return s;
    if (const auto* i = s->as<ast::IfStmt>()) {
      if (const ast::Stmt* e = own_exit(i->body)) return e;
      if (const ast::Stmt* e = own_exit(i->orelse)) return e;
    }
  }
  return nullptr;
}

// A `range(…)` whose arguments are all constant: its trip count and, when
// that is within kMaxStaticUnroll, the values it takes in visiting order.
struct StaticRange {
  __int128 count = 0;
  std::vector<int64_t> values;
};

std::optional<StaticRange> static_range(const ast::CallExpr* r, bool reversed) {
  if (r->args.empty() || r->args.size() > 3 || !r->keywords.empty()) return std::nullopt;
  for (const ast::Expr* a : r->args)
    if (!a->constant || !a->constant->is_scalar()) return std::nullopt;
  int64_t v[3] = {0, 0, 1};
  if (r->args.size() == 1) v[1] = r->args[0]->constant->as_int();
  for (size_t i = 0; r->args.size() > 1 && i < r->args.size(); ++i) v[i] = r->args[i]->constant->as_int();
  if (v[2] == 0) return std::nullopt;
  __int128 lo = v[0], hi = v[1], step = v[2];
  __int128 span = step > 0 ? hi - lo : lo - hi, stride = step > 0 ? step : -step;
  StaticRange out;
  out.count = span <= 0 ? 0 : (span + stride - 1) / stride;
  for (__int128 k = 0; out.count <= kMaxStaticUnroll && k < out.count; ++k)
    out.values.push_back(static_cast<int64_t>(lo + k * step));
  if (reversed) std::reverse(out.values.begin(), out.values.end());
  return out;
}

}  // namespace

void Lowerer::for_stmt(const ast::ForStmt* s) {
  bool reversed = false;
  const ast::CallExpr* r = range_call(s->iter, &reversed);
  const auto* var = s->target->as<ast::NameExpr>();
  if (!var || !var->symbol) unsupported(s->target->range, "this loop target");
  if (!r && s->iter->type && s->iter->type->kind == TypeKind::Query) return query_loop(s);
  if (!r || !r->keywords.empty() || r->args.empty() || r->args.size() > 3)
    unsupported(s->iter->range, "a 'for' loop over anything but 'range(...)' or a geometry query");
  if (needs_static_unroll(s)) return static_unroll(s, r, reversed);
  range_loop(s, r, reversed);
}

void Lowerer::range_loop(const ast::ForStmt* s, const ast::CallExpr* r, bool reversed) {
  const auto* var = s->target->as<ast::NameExpr>();
  auto bound = [&](const ast::Expr* e) {
    Value* v = expr(e);
    return v->type == types_.int32() ? v : b_.emit1(Opcode::Cast, {v}, types_.int32(), e->range);
  };
  size_t n = r->args.size();
  Value* lo = n == 1 ? int_const(0, r->range) : bound(r->args[0]);
  Value* hi = bound(r->args[n == 1 ? 0 : 1]);
  Value* step = n == 3 ? bound(r->args[2]) : int_const(1, r->range);
  std::vector<const sema::Symbol*> carried = carried_symbols(s->body, s->range);
  std::erase(carried, var->symbol);  // rebinding the loop variable does not change the iteration
  std::vector<Value*> operands = {lo, hi, step};
  for (Value* v : initial(carried, s->range)) operands.push_back(v);
  ir::Op* op = b_.emit(Opcode::For, operands, {}, s->range);
  op->reversed = reversed;
  ir::Region* body = module_->new_region(op, fn_);
  Env start = env_, inner = env_, end;
  inner[var->symbol] = module_->new_arg(body->entry(), types_.int32(), var->name);
  for (size_t i = 0; i < carried.size(); ++i)
    inner[carried[i]] = module_->new_arg(body->entry(), operands[3 + i]->type, carried[i]->name);
  loops_.push_back({{}, carried});
  Flow f = branch(body, s->body, inner, &end);
  loops_.pop_back();
  if (f != Flow::Terminated) yield(body, values_in(end, carried, s->range), s->range);
  env_ = start;
  env_.erase(var->symbol);  // its value after the loop (Python's last iteration) is not modelled yet
  for (size_t i = 0; i < carried.size(); ++i) env_[carried[i]] = module_->add_result(op, operands[3 + i]->type);
}

// `for j in wp.hash_grid_query(…)` (any `*_query_t` iterator) is
//   %q = call_builtin hash_grid_query(…)
//   %r:n = while iter_args(%query = %q, %j = <const 0>, carried…) {
//     %more = call_builtin hash_grid_query_next(%query, %j)   // `&` params: updated in place
//     condition %more
//   } do (%query_1, %j_1, carried…) { body with j = %j_1; yield %query_1, %j_1, … }
// The iterator and the index are hidden carried values; the loop variable is
// bound to the index argument, so rebinding it does not disturb the iteration.
void Lowerer::query_loop(const ast::ForStmt* s) {
  const auto* var = s->target->as<ast::NameExpr>();
  Value* query = expr(s->iter);
  std::vector<const sema::Symbol*> carried = carried_symbols(s->body, s->range);
  std::erase(carried, var->symbol);
  std::vector<Value*> inits = {query, int_const(0, s->target->range)};
  for (Value* v : initial(carried, s->range)) inits.push_back(v);
  ir::Op* op = b_.emit(Opcode::While, inits, {}, s->range);
  ir::Region* cond = module_->new_region(op, fn_);
  ir::Region* body = module_->new_region(op, fn_);
  Env start = env_, benv = env_, end;
  std::vector<Value*> cargs, bargs;
  for (size_t i = 0; i < inits.size(); ++i) {
    std::string name = i == 0 ? "query" : i == 1 ? var->name : carried[i - 2]->name;
    cargs.push_back(module_->new_arg(cond->entry(), inits[i]->type, name));
    bargs.push_back(module_->new_arg(body->entry(), inits[i]->type, name));
    if (i >= 2) benv[carried[i - 2]] = bargs.back();
  }
  benv[var->symbol] = bargs[1];
  query_condition(cond, cargs[0], cargs[1], s->iter->range);
  loops_.push_back({{bargs[0], bargs[1]}, carried});
  Flow f = branch(body, s->body, benv, &end);
  loops_.pop_back();
  if (f != Flow::Terminated) {
    std::vector<Value*> next_values = {bargs[0], bargs[1]};
    for (Value* v : values_in(end, carried, s->range)) next_values.push_back(v);
    yield(body, next_values, s->range);
  }
  env_ = start;
  for (size_t i = 0; i < inits.size(); ++i) {
    Value* r = module_->add_result(op, inits[i]->type);
    if (i >= 2) env_[carried[i - 2]] = r;
  }
}

// The condition region of a query loop: `condition <query>_next(%query, %index)`.
void Lowerer::query_condition(ir::Region* cond, Value* query, Value* index, SourceRange loc) {
  // The advancing builtin is named after the iterator's family, up to "_query":
  // hash_grid_query_t / hash_grid_query_d_t → hash_grid_query_next, mesh_query_aabb_t →
  // mesh_query_next (overloaded on the query type).
  std::string next = query->type->name;
  if (const size_t at = next.find("_query"); at != std::string::npos) next.resize(at + 6);
  const sema::CallTarget* target = builtin_target(next + "_next", {query->type, index->type});
  if (!target) unsupported(loc, fmt::format("a 'for' loop over {}", type_name(query->type)));
  ir::Block* saved = b_.block();
  b_.set_block(cond->entry());
  ir::Op* call = b_.emit(Opcode::CallBuiltin, {query, index}, {types_.bool_type()}, loc);
  call->target = target;
  call->name = target->name;
  b_.emit(Opcode::Condition, {call->result(0)}, {}, loc);
  b_.set_block(saved);
}

// A constant-range loop whose body has a `wp.static(…)` that sema could not
// fold because it reads the loop variable (Warp unrolls such loops whatever
// their trip count).
bool Lowerer::needs_static_unroll(const ast::ForStmt* s) const {
  bool reversed = false;
  const ast::CallExpr* r = range_call(s->iter, &reversed);
  const auto* var = s->target->as<ast::NameExpr>();
  if (!r || !var || !var->symbol || !static_range(r, reversed)) return false;
  auto reads_var = [&](const ast::Expr* e) {
    const auto* n = e->as<ast::NameExpr>();
    return n && n->symbol == var->symbol;
  };
  return any_expr(s->body, [&](const ast::Expr* e) {
    const auto* c = e->as<ast::CallExpr>();
    return c && c->target && c->target->kind == sema::CallKind::Static && !c->constant && c->args.size() == 1 &&
           any_expr(c->args[0], reads_var);
  });
}

// One copy of the body per value, lowered in the current block with the loop
// variable bound to a `const`; the `wp.static(…)` arguments then lower to
// operations on constants, which fold_constants folds.
void Lowerer::static_unroll(const ast::ForStmt* s, const ast::CallExpr* r, bool reversed) {
  const auto* var = s->target->as<ast::NameExpr>();
  StaticRange range = *static_range(r, reversed);
  if (range.count > kMaxStaticUnroll) {
    diags_.report(DiagId::err_lower_static_unroll_limit, s->iter->range, static_cast<int64_t>(range.count),
                  kMaxStaticUnroll);
    throw Unsupported{};
  }
  const std::vector<int64_t>& values = range.values;
  if (const ast::Stmt* e = own_exit(s->body))
    unsupported(e->range, "'break' or 'continue' in a loop unrolled for 'wp.static(...)'");
  for (int64_t v : values) {
    if (flow_ != Flow::Live) break;
    env_[var->symbol] = int_const(v, s->target->range);
    block(s->body);
  }
  if (values.empty()) env_.erase(var->symbol);
}

}  // namespace warpc::lower
