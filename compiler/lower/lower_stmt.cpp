// lower_stmt.cpp — statements and structured control flow (SSA renaming,
// if-merges, loop-carried values, break / continue / return).
#include <algorithm>
#include <fmt/format.h>

#include <functional>

#include "lower/lower_impl.h"

namespace warpc::lower {

using ir::Opcode;
using ir::Value;

void Lowerer::block(const ast::Block& stmts) {
  for (const ast::Stmt* s : stmts) {
    if (flow_ != Flow::Live) return;  // code after break / continue / return is unreachable
    stmt(s);
  }
}

void Lowerer::stmt(const ast::Stmt* s) {
  using K = ast::StmtKind;
  switch (s->kind) {
    case K::Expr: {
      const ast::Expr* e = s->as<ast::ExprStmt>()->value;
      if (e->kind != ast::ExprKind::StringLit) expr_values(e);  // docstrings are no code
      return;
    }
    case K::Assign: return assign_stmt(s->as<ast::AssignStmt>());
    case K::AugAssign: return aug_assign(s->as<ast::AugAssignStmt>());
    case K::AnnAssign: return ann_assign(s->as<ast::AnnAssignStmt>());
    case K::If: return if_stmt(s->as<ast::IfStmt>());
    case K::For: return for_stmt(s->as<ast::ForStmt>());
    case K::While: return while_stmt(s->as<ast::WhileStmt>());
    case K::Break: return loop_exit(s, Opcode::Break);
    case K::Continue: return loop_exit(s, Opcode::Continue);
    case K::Return: return return_stmt(s->as<ast::ReturnStmt>());
    case K::Pass: return;
    case K::Assert: {  // the message is not kept: Warp prints the source line instead
      const ast::Expr* c = s->as<ast::AssertStmt>()->cond;
      b_.emit(Opcode::Assert, {to_bool(expr(c), c->range)}, {}, s->range);
      return;
    }
    default: unsupported(s->range, "this statement inside a function");
  }
}

void Lowerer::assign_stmt(const ast::AssignStmt* s) {
  if (s->value->type && s->value->type->kind == TypeKind::Tuple) {
    std::vector<Value*> values = expr_values(s->value);
    for (const ast::Expr* t : s->targets) {
      if (const auto* n = t->as<ast::NameExpr>(); n && n->symbol) {
        tuples_[n->symbol] = values;
        continue;
      }
      const auto* tuple = t->as<ast::TupleExpr>();
      if (!tuple || tuple->elts.size() != values.size()) unsupported(t->range, "a tuple value stored in a variable");
      for (size_t i = 0; i < values.size(); ++i) assign(tuple->elts[i], values[i], s->range);
    }
    return;
  }
  Value* v = expr(s->value);
  for (const ast::Expr* t : s->targets) assign(t, v, s->range);
}

// Binds `v` to an assignment target: a name is rebound; a component or field
// of a local value becomes an `insert` rebinding the root; an array element
// becomes an `array_store`.
void Lowerer::assign(const ast::Expr* target, Value* v, SourceRange loc) {
  if (const sema::Symbol* adj = adjoint_symbol(target)) {
    if (adj->type->kind == TypeKind::Array) unsupported(target->range, "the adjoint of an array parameter");
    env_[adj] = v;
    return;
  }
  if (const auto* n = target->as<ast::NameExpr>()) {
    if (!n->symbol) unsupported(target->range, "this assignment target");
    env_[n->symbol] = v;
    return;
  }
  if (const auto* a = target->as<ast::AttributeExpr>()) {
    int idx = component_index(a->value->type, a->attr);
    if (idx < 0) unsupported(a->attr_range, fmt::format("assignment to attribute '{}'", a->attr));
    Value* agg = expr(a->value);
    Value* nv = insert(agg, {int_const(idx, a->attr_range)}, v, loc);
    return assign(a->value, nv, loc);
  }
  if (const auto* s = target->as<ast::SubscriptExpr>()) {
    const Type* bt = s->value->type;
    if (bt && bt->kind == TypeKind::Array) {
      std::vector<Value*> ops = {expr(s->value)};
      for (Value* i : indices(s->index)) ops.push_back(i);
      if (ops.size() - 1 != static_cast<size_t>(bt->ndim)) unsupported(s->range, "a store into an array view");
      ops.push_back(v);
      b_.emit(Opcode::ArrayStore, ops, {}, loc);
      return;
    }
    Value* agg = expr(s->value);
    Value* nv = insert(agg, indices(s->index), v, loc);
    return assign(s->value, nv, loc);
  }
  unsupported(target->range, "this assignment target");
}

// `a[i] += v` / `a[i] -= v` on an array element is atomic (Warp's rule);
// anything else is read, combine, write back.
void Lowerer::aug_assign(const ast::AugAssignStmt* s) {
  const auto* sub = s->target->as<ast::SubscriptExpr>();
  const Type* bt = sub ? sub->value->type : nullptr;
  bool atomic = bt && bt->kind == TypeKind::Array && (s->op == ast::BinaryOp::Add || s->op == ast::BinaryOp::Sub);
  if (atomic) {
    std::vector<Value*> ops = {expr(sub->value)};
    for (Value* i : indices(sub->index)) ops.push_back(i);
    if (ops.size() - 1 == static_cast<size_t>(bt->ndim)) {
      ops.push_back(expr(s->value));
      b_.emit(s->op == ast::BinaryOp::Add ? Opcode::AtomicAdd : Opcode::AtomicSub, ops, {bt->elem}, s->range);
      return;
    }
  }
  Value* cur = expr(s->target);
  Value* rhs = expr(s->value);
  Value* nv = apply(s->target_op, {cur, rhs}, s->range, "this augmented assignment");
  assign(s->target, nv, s->range);
}

void Lowerer::ann_assign(const ast::AnnAssignStmt* s) {
  if (s->value) return assign(s->target, expr(s->value), s->range);
  const auto* n = s->target->as<ast::NameExpr>();
  if (!n || !n->symbol || !n->symbol->type) unsupported(s->range, "this declaration");
  assign(s->target, b_.emit1(Opcode::Zero, {}, n->symbol->type, s->range), s->range);
}

Flow Lowerer::branch(ir::Region* region, const ast::Block& stmts, const Env& start, Env* end) {
  ir::Block* saved = b_.block();
  b_.set_block(region->entry());
  env_ = start;
  flow_ = Flow::Live;
  block(stmts);
  *end = env_;
  Flow f = flow_;
  b_.set_block(saved);
  flow_ = Flow::Live;
  return f;
}

void Lowerer::yield(ir::Region* region, std::vector<Value*> values, SourceRange loc) {
  ir::Block* saved = b_.block();
  b_.set_block(region->entry());
  b_.emit(Opcode::Yield, std::move(values), {}, loc);
  b_.set_block(saved);
}

// Values of `syms` entering a loop: their current value, or zero when first assigned inside.
std::vector<Value*> Lowerer::initial(const std::vector<const sema::Symbol*>& syms, SourceRange loc) {
  std::vector<Value*> out;
  for (const sema::Symbol* s : syms) {
    auto it = env_.find(s);
    out.push_back(it != env_.end() ? it->second : b_.emit1(Opcode::Zero, {}, s->type, loc));
  }
  return out;
}

std::vector<Value*> Lowerer::current(const std::vector<const sema::Symbol*>& syms, SourceRange loc) {
  return values_in(env_, syms, loc);
}

std::vector<Value*> Lowerer::values_in(const Env& env, const std::vector<const sema::Symbol*>& syms,
                                       SourceRange loc) {
  std::vector<Value*> out;
  for (const sema::Symbol* s : syms) {
    auto it = env.find(s);
    if (it == env.end()) unsupported(loc, fmt::format("variable '{}' without a value here", s->name));
    out.push_back(it->second);
  }
  return out;
}

namespace {

const Value* lookup(const Env& env, const sema::Symbol* s) {
  auto it = env.find(s);
  return it == env.end() ? nullptr : it->second;
}

// Symbols an `if` must merge. Both branches fall through: those either one
// changed that exist after both. One branch exits: those the other changed.
std::vector<const sema::Symbol*> merged_symbols(const Env& start, const Env& a, bool a_live, const Env& b, bool b_live) {
  std::vector<const sema::Symbol*> out;
  if (a_live && b_live) {
    for (const auto& [sym, v] : a)
      if (const Value* w = lookup(b, sym); w && (v != lookup(start, sym) || w != lookup(start, sym))) out.push_back(sym);
  } else if (a_live || b_live) {
    for (const auto& [sym, v] : (a_live ? a : b))
      if (v != lookup(start, sym)) out.push_back(sym);
  }
  return out;
}

}  // namespace

void Lowerer::if_stmt(const ast::IfStmt* s) {
  if (s->cond->constant) return block(s->cond->constant->as_bool() ? s->body : s->orelse);  // sema's folding
  Value* c = to_bool(expr(s->cond), s->cond->range);
  ir::Op* op = b_.emit(Opcode::If, {c}, {}, s->range);
  ir::Region* then_r = module_->new_region(op, fn_);
  ir::Region* else_r = module_->new_region(op, fn_);
  Env start = env_, te, ee;
  Flow tf = branch(then_r, s->body, start, &te);
  Flow ef = branch(else_r, s->orelse, start, &ee);
  bool t_live = tf != Flow::Terminated, e_live = ef != Flow::Terminated;
  std::vector<const sema::Symbol*> merged = merged_symbols(start, te, t_live, ee, e_live);
  std::vector<Value*> tv, ev;
  for (const sema::Symbol* sym : merged) {
    if (t_live) tv.push_back(te[sym]);
    if (e_live) ev.push_back(ee[sym]);
  }
  if (t_live) yield(then_r, tv, s->range);
  if (e_live) yield(else_r, ev, s->range);
  env_ = start;
  for (size_t i = 0; i < merged.size(); ++i)
    env_[merged[i]] = module_->add_result(op, (t_live ? tv[i] : ev[i])->type);
  flow_ = tf == Flow::Live || ef == Flow::Live ? Flow::Live : Flow::Dead;
}

// Symbols a loop carries: those its body (re)assigns (also through a builtin's
// `&` parameter) that have a value before the loop, and those first assigned in the body that are read outside the
// loop (they start as `zero`; sema proved they are assigned before such a read).
std::vector<const sema::Symbol*> Lowerer::carried_symbols(const ast::Block& body, SourceRange loop) const {
  SymbolSet out;
  auto read_outside = [&](const sema::Symbol* sym) {
    auto [lo, hi] = reads_.equal_range(sym);
    for (auto it = lo; it != hi; ++it)
      if (it->second < loop.begin.offset || it->second >= loop.end.offset) return true;
    return false;
  };
  std::function<void(const ast::Expr*)> target = [&](const ast::Expr* t) {
    if (const auto* n = t->as<ast::NameExpr>()) {
      if (n->symbol && (env_.count(n->symbol) || read_outside(n->symbol))) out.insert(n->symbol);
    } else if (const auto* tu = t->as<ast::TupleExpr>()) {
      for (const ast::Expr* e : tu->elts) target(e);
    } else if (const auto* a = t->as<ast::AttributeExpr>()) {
      target(a->value);
    } else if (const sema::Symbol* adj = adjoint_symbol(t)) {
      out.insert(adj);
    } else if (const auto* s = t->as<ast::SubscriptExpr>()) {
      if (!(s->value->type && s->value->type->kind == TypeKind::Array)) target(s->value);
    }
  };
  std::function<void(const ast::Block&)> walk = [&](const ast::Block& stmts) {
    for (const ast::Stmt* s : stmts) {
      if (const auto* a = s->as<ast::AssignStmt>()) for (const ast::Expr* t : a->targets) target(t);
      if (const auto* a = s->as<ast::AugAssignStmt>()) target(a->target);
      if (const auto* a = s->as<ast::AnnAssignStmt>()) target(a->target);
      if (const auto* i = s->as<ast::IfStmt>()) walk(i->body), walk(i->orelse);
      if (const auto* f = s->as<ast::ForStmt>()) target(f->target), walk(f->body);
      if (const auto* w = s->as<ast::WhileStmt>()) walk(w->body);
    }
  };
  walk(body);
  for (const auto& [sym, at] : ref_writes_)  // written through a builtin's `&` parameter in the loop
    if (at >= loop.begin.offset && at < loop.end.offset && env_.count(sym)) out.insert(sym);
  return {out.begin(), out.end()};
}

// Locals a `while` condition passes to a builtin's `&` parameter (any builtin: the
// non-differentiable query iterators too), in order of appearance.
std::vector<const sema::Symbol*> Lowerer::condition_ref_writes(const ast::Expr* cond) const {
  std::vector<const sema::Symbol*> out;
  std::function<void(const ast::Expr*)> visit = [&](const ast::Expr* e) {
    if (!e) return;
    if (const auto* c = e->as<ast::CallExpr>()) {
      const sema::CallTarget* t = c->target;
      const bool builtin = t && t->kind == sema::CallKind::Builtin && t->overload;
      const int n = builtin ? builtin_param_count(t->overload) : 0;
      int position = 0;
      for (const ast::Expr* a : c->args) {
        if (a->type && a->type->kind == TypeKind::TypeValue) continue;
        const auto* name = a->as<ast::NameExpr>();
        if (builtin && name && name->symbol && n > 0 && builtin_param_is_ref(t->overload, std::min(position, n - 1)))
          out.push_back(name->symbol);
        ++position;
        visit(a);
      }
      for (const ast::Keyword& k : c->keywords) visit(k.value);
    } else if (const auto* b = e->as<ast::BoolOpExpr>()) {
      for (const ast::Expr* v : b->values) visit(v);
    } else if (const auto* u = e->as<ast::UnaryExpr>()) {
      visit(u->operand);
    } else if (const auto* cmp = e->as<ast::CompareExpr>()) {
      visit(cmp->left);
      for (const ast::Expr* v : cmp->comparators) visit(v);
    }
  };
  visit(cond);
  return out;
}

void Lowerer::while_stmt(const ast::WhileStmt* s) {
  std::vector<const sema::Symbol*> carried = carried_symbols(s->body, s->range);
  // Locals the condition writes through a builtin's `&` parameter (`while wp.bvh_query_next(q,
  // i)`) are carried too, like a query loop's iterator and index: the condition updates its
  // arguments in place and the body receives them, so every pass over the loop (the backward
  // pass's replays included) starts from the values the loop was entered with.
  for (const sema::Symbol* sym : condition_ref_writes(s->cond))
    if (env_.count(sym) && std::find(carried.begin(), carried.end(), sym) == carried.end()) carried.push_back(sym);
  std::vector<Value*> inits = initial(carried, s->range);
  ir::Op* op = b_.emit(Opcode::While, inits, {}, s->range);
  ir::Region* cond = module_->new_region(op, fn_);
  ir::Region* body = module_->new_region(op, fn_);
  Env start = env_, cenv = env_, benv = env_, end;
  for (size_t i = 0; i < carried.size(); ++i) {
    cenv[carried[i]] = module_->new_arg(cond->entry(), inits[i]->type, carried[i]->name);
    benv[carried[i]] = module_->new_arg(body->entry(), inits[i]->type, carried[i]->name);
  }
  ir::Block* saved = b_.block();
  b_.set_block(cond->entry());
  env_ = cenv;
  ++inplace_refs_;  // the condition's rebindings could not reach the body: update in place
  b_.emit(Opcode::Condition, {to_bool(expr(s->cond), s->cond->range)}, {}, s->cond->range);
  --inplace_refs_;
  b_.set_block(saved);
  loops_.push_back({{}, carried});
  Flow f = branch(body, s->body, benv, &end);
  loops_.pop_back();
  if (f != Flow::Terminated) yield(body, values_in(end, carried, s->range), s->range);
  env_ = start;
  for (size_t i = 0; i < carried.size(); ++i) env_[carried[i]] = module_->add_result(op, inits[i]->type);
}

void Lowerer::loop_exit(const ast::Stmt* s, Opcode op) {
  if (loops_.empty()) unsupported(s->range, "'break' or 'continue' outside a loop");
  const LoopFrame& loop = loops_.back();
  std::vector<Value*> values = loop.hidden;
  for (Value* v : current(loop.symbols, s->range)) values.push_back(v);
  b_.emit(op, values, {}, s->range);
  flow_ = Flow::Terminated;
}

void Lowerer::return_stmt(const ast::ReturnStmt* s) {
  std::vector<Value*> values;
  if (!adjoint_of_.empty()) values = function_exit_values(s->range);  // a grad returns its adjoints
  else if (s->value) values = fn_->result_types.size() > 1 ? expr_values(s->value) : std::vector<Value*>{expr(s->value)};
  b_.emit(Opcode::Return, values, {}, s->range);
  flow_ = Flow::Terminated;
}

}  // namespace warpc::lower
