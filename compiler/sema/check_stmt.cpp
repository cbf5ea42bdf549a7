// check_stmt.cpp — statements of function and kernel bodies: assignment
// (locals, tuple unpacking, array stores, component and field writes),
// augmented assignment, if/elif/else with constant folding, for/while
// loops, break/continue, return (with return-type inference), assert.
//
// Contract: along the way it tracks which locals are assigned on every path
// (FlowState): reading a local that some path leaves unassigned is an error
// with a note at the assignment (a variable is never read uninitialised).
// A variable keeps the type of its first assignment; rebinding it to another
// type is an error with a note at the first binding.
#include <fmt/format.h>

#include <algorithm>

#include "sema/sema_impl.h"

namespace warpc::sema {

namespace {

bool is_docstring(const ast::Stmt* s) {
  const auto* e = s->as<ast::ExprStmt>();
  return e && e->value->kind == ast::ExprKind::StringLit;
}

}  // namespace

void Sema::check_body(FunctionScope& scope) {
  ast::FunctionDefStmt* f = scope.inst->def;
  check_block(f->body);
  FunctionDecl* d = scope.decl;
  if (d->kind == FunctionKind::Func && scope.flow.reachable && scope.return_type &&
      !scope.return_type->is(TypeKind::Void) && !scope.return_type->is_error() && !d->bad_signature)
    error(DiagId::err_missing_return, f->name_range, f->name);
}

void Sema::check_block(ast::Block& b) {
  for (ast::Stmt* s : b) check_stmt(s);
}

void Sema::check_stmt(ast::Stmt* s) {
  switch (s->kind) {
    case ast::StmtKind::Expr: {
      ast::Expr* v = s->as<ast::ExprStmt>()->value;
      if (is_docstring(s) || v->kind == ast::ExprKind::EllipsisLit) return;
      resolve_entity(v);
      return;
    }
    case ast::StmtKind::Assign: return check_assign(s->as<ast::AssignStmt>());
    case ast::StmtKind::AugAssign: return check_aug_assign(s->as<ast::AugAssignStmt>());
    case ast::StmtKind::AnnAssign: return check_ann_assign(s->as<ast::AnnAssignStmt>());
    case ast::StmtKind::If: return check_if(s->as<ast::IfStmt>());
    case ast::StmtKind::For: return check_for(s->as<ast::ForStmt>());
    case ast::StmtKind::While: return check_while(s->as<ast::WhileStmt>());
    case ast::StmtKind::Break:
    case ast::StmtKind::Continue: {
      bool brk = s->kind == ast::StmtKind::Break;
      if (fn_->loops.empty()) {
        error(DiagId::err_outside_loop, s->range, brk ? "break" : "continue");
        return;
      }
      if (fn_->flow.reachable) (brk ? fn_->loops.back().breaks : fn_->loops.back().continues).push_back(fn_->flow);
      fn_->flow.reachable = false;
      return;
    }
    case ast::StmtKind::Return: return check_return(s->as<ast::ReturnStmt>());
    case ast::StmtKind::Pass:
    case ast::StmtKind::Error: return;
    case ast::StmtKind::Assert: {
      auto* a = s->as<ast::AssertStmt>();
      check_condition(a->cond);
      if (a->msg) check_expr(a->msg);
      return;
    }
    case ast::StmtKind::FunctionDef:
      error(DiagId::err_nested_def, s->as<ast::FunctionDefStmt>()->name_range);
      return;
    case ast::StmtKind::ClassDef: error(DiagId::err_nested_class, s->as<ast::ClassDefStmt>()->name_range); return;
    case ast::StmtKind::Import:
    case ast::StmtKind::ImportFrom: error(DiagId::err_nested_import, s->range); return;
  }
}

// ------------------------------------------------------------------ assignment

void Sema::check_assign(ast::AssignStmt* s) {
  if (s->targets.size() > 1)
    error(DiagId::err_chained_assign, s->range).help("assign each variable in its own statement");
  ast::Expr* target = s->targets[0];
  auto* tuple = target->as<ast::TupleExpr>();
  if (tuple) {
    auto* vt = s->value->as<ast::TupleExpr>();
    if (vt && vt->elts.size() == tuple->elts.size()) {
      // a, b = b, a: every value is evaluated before any target is written.
      std::vector<const Type*> types;
      for (ast::Expr* v : vt->elts) types.push_back(check_expr(v));
      vt->type = types_.tuple(types);
      for (size_t i = 0; i < types.size(); ++i) assign_to(tuple->elts[i], types[i], vt->elts[i]);
      return;
    }
    pending_tid_call_ = s->value->as<ast::CallExpr>();
    pending_tid_arity_ = static_cast<int>(tuple->elts.size());
  }
  Entity en = resolve_entity(s->value);
  pending_tid_call_ = nullptr;
  auto* single = s->targets.size() == 1 ? target->as<ast::NameExpr>() : nullptr;
  if (single && (en.kind == Entity::Kind::Functions || en.kind == Entity::Kind::Builtin)) {
    bind_function_alias(single, en);  // f = wp.static(smooth if ORDER > 1 else linear)
    return;
  }
  const Type* t = value_of(s->value, en);
  pending_tid_arity_ = 0;
  if (tuple) return unpack_into(tuple, t, s->value);
  for (ast::Expr* tgt : s->targets) {
    if (tgt->as<ast::TupleExpr>()) {
      unpack_into(tgt->as<ast::TupleExpr>(), t, s->value);
      continue;
    }
    assign_to(tgt, t, s->value);
  }
}

void Sema::unpack_into(ast::TupleExpr* tuple, const Type* t, ast::Expr* value) {
  size_t n = tuple->elts.size();
  std::vector<const Type*> parts;
  if (t->is(TypeKind::Tuple)) {
    parts = t->elems;
  } else if (t->is(TypeKind::Vector)) {
    parts.assign(t->rows, types_.scalar(t->scalar));
  } else if (!t->is_error()) {
    error(DiagId::err_unpack_type, value->range, type_name(t));
  }
  if (!t->is_error() && !parts.empty() && parts.size() != n) {
    error(DiagId::err_unpack_count, tuple->range, parts.size(), n);
    parts.clear();
  }
  tuple->type = t;
  for (size_t i = 0; i < n; ++i) assign_to(tuple->elts[i], parts.empty() ? err() : parts[i], value);
}

void Sema::assign_to(ast::Expr* target, const Type* t, ast::Expr* value) {
  if (auto* n = target->as<ast::NameExpr>()) {
    if (!t->is_error() && !storable(t, value)) t = err();
    if (t->is(TypeKind::Tuple) && fn_->names.count(n->name)) {  // tuples are bound once (no SSA merges)
      error(DiagId::err_tuple_rebound, n->range, n->name).note(DiagId::note_first_assigned, fn_->names[n->name]->decl,
                                                                 n->name, type_name(fn_->names[n->name]->type));
      t = err();
    }
    bind_name(n, t, value->range, false);
    return;
  }
  if (target->as<ast::TupleExpr>()) {
    unpack_into(target->as<ast::TupleExpr>(), t, value);
    return;
  }
  const Type* slot = check_store_target(target);
  if (slot->is_error() || t->is_error() || slot == t) return;
  std::string what = slot_description(target);
  auto b = error(DiagId::err_assign_type_mismatch, value->range, type_name(t), what, type_name(slot));
  std::string help = conversion_help(value, t, slot);
  if (!help.empty()) b.help(help);
}

// Values a variable can hold: not strings, None or nothing; tuples of values
// (`t = (1, 2.0, v)`) that are not nested.
bool Sema::storable(const Type* t, ast::Expr* value) {
  if (t->is(TypeKind::Tuple)) {
    bool flat = std::none_of(t->elems.begin(), t->elems.end(), [](const Type* e) {
      return e->is(TypeKind::Tuple) || e->is(TypeKind::String) || e->is(TypeKind::None) || e->is(TypeKind::Void) ||
             e->is(TypeKind::TypeValue);
    });
    if (flat) return true;
    auto b = error(DiagId::err_tuple_value, value->range);
    b.help("a tuple variable holds numbers, vectors, matrices, structs or arrays");
    return false;
  }
  if (t->is(TypeKind::String)) {
    error(DiagId::err_string_value, value->range);
    return false;
  }
  if (t->is(TypeKind::None) || t->is(TypeKind::Void)) {
    error(DiagId::err_none_value, value->range);
    return false;
  }
  return true;
}

std::string Sema::conversion_help(ast::Expr* value, const Type* from, const Type* to) {
  if (!to->is_scalar() || !from->is_scalar()) return "";
  if (auto* lit = value->as<ast::IntLitExpr>(); lit && to == types_.float32())
    return fmt::format("use a float literal '{}.0'", lit->value);
  std::string cast = to == types_.float32() ? "float" : to == types_.int32() ? "int" : "wp." + std::string(scalar_name(to->scalar));
  return fmt::format("convert the value with '{}(…)'", cast);
}

void Sema::bind_name(ast::NameExpr* n, const Type* t, SourceRange value_range, bool loop_var) {
  auto it = fn_->names.find(n->name);
  Symbol* sym = nullptr;
  if (it != fn_->names.end()) {
    sym = it->second;
    if (!t->is_error() && !sym->type->is_error() && t != sym->type) {
      error(DiagId::err_assign_type_mismatch, n->range, type_name(t), fmt::format("variable '{}'", n->name),
            type_name(sym->type))
          .note(DiagId::note_first_assigned, sym->decl, n->name, type_name(sym->type))
          .help(fmt::format("use a new name, or convert the value with '{}(…)'",
                            sym->type->is_scalar() ? "wp." + std::string(scalar_name(sym->type->scalar))
                                                   : type_name(sym->type)));
    }
    if (sym->type->is_error() && !t->is_error() && sym->kind == SymbolKind::Local) sym->type = t;
  } else {
    sym = program_.make<Symbol>();
    sym->kind = SymbolKind::Local;
    sym->name = n->name;
    sym->type = t;
    sym->decl = n->range;
    sym->module = module_;
    sym->loop_variable = loop_var;
    sym->index = static_cast<int>(fn_->inst->locals.size());
    fn_->inst->locals.push_back(sym);
    fn_->names[n->name] = sym;
  }
  n->symbol = sym;
  n->type = sym->type;
  if (fn_->flow.reachable) fn_->flow.vars[sym] = VarState{true, {n->range}, false};
}

// A local name for a function chosen at compile time.
void Sema::bind_function_alias(ast::NameExpr* n, const Entity& en) {
  Symbol* sym = program_.make<Symbol>();
  sym->name = n->name;
  sym->decl = n->range;
  sym->module = module_;
  if (en.kind == Entity::Kind::Functions) {
    sym->kind = SymbolKind::Function;
    sym->overloads = en.symbol->overloads;
  } else {
    sym->kind = SymbolKind::BuiltinFunction;
    sym->module_kind = ModuleKind::Warp;
    sym->builtin_name = en.name;
  }
  sym->type = types_.function(en.name);
  fn_->names[n->name] = sym;
  n->symbol = sym;
  n->type = sym->type;
}

// The type of the slot an attribute/subscript target writes; reports targets
// that are not assignable.
const Type* Sema::check_store_target(ast::Expr* target) {
  if (auto* s = target->as<ast::SubscriptExpr>()) {
    Entity base = resolve_entity(s->value);
    if (base.kind == Entity::Kind::Special && base.name == "adjoint") {
      Entity en = check_adjoint(s);
      annotate(target, en);
      return en.is_error() ? err() : en.type;
    }
    const Type* bt = value_of(s->value, base);
    size_t count = 1;
    if (auto* t = s->index->as<ast::TupleExpr>(); t && !t->parenthesized) count = t->elts.size();
    if (bt->is(TypeKind::Array) && static_cast<int>(count) < bt->ndim) {
      error(DiagId::err_array_partial_store, s->index->range, bt->ndim, count);
      return err();
    }
    if (!bt->is_error() && !bt->is(TypeKind::Array) && !assignable_root(s->value)) return err();
    s->value->type = bt;
    // Re-check the whole target as a read to type the slot.
    Entity en = check_subscript_of(s, base, bt);
    annotate(target, en);
    return en.is_error() ? err() : en.type;
  }
  if (auto* a = target->as<ast::AttributeExpr>()) {
    Entity base = resolve_entity(a->value);
    if (base.kind == Entity::Kind::Module || base.kind == Entity::Kind::Type) {
      error(DiagId::err_cannot_assign, target->range, fmt::format("'{}'", source_text(target->range)));
      return err();
    }
    const Type* bt = value_of(a->value, base);
    if (bt->is_error()) return bt;
    if (bt->is(TypeKind::Array) || (!bt->is(TypeKind::Struct) && !bt->is_composite())) {
      error(DiagId::err_cannot_assign, target->range, fmt::format("'{}'", source_text(target->range)));
      return err();
    }
    if (!assignable_root(a->value)) return err();
    const Type* t = attribute_type(bt, a->attr, a->attr_range, true);
    target->type = t;
    return t;
  }
  if (target->kind != ast::ExprKind::Error)
    error(DiagId::err_cannot_assign, target->range, fmt::format("'{}'", source_text(target->range)));
  return err();
}

// Component/field writes need a variable (or an array element) underneath.
bool Sema::assignable_root(ast::Expr* e) {
  if (auto* n = e->as<ast::NameExpr>()) {
    if (n->symbol && (n->symbol->kind == SymbolKind::Local || n->symbol->kind == SymbolKind::Param)) return true;
    if (e->type && e->type->is_error()) return false;
    error(DiagId::err_cannot_assign, e->range, fmt::format("a component of '{}'", n->name));
    return false;
  }
  if (auto* s = e->as<ast::SubscriptExpr>()) {
    if (s->value->type && s->value->type->is(TypeKind::Array)) return true;
    return assignable_root(s->value);
  }
  if (auto* a = e->as<ast::AttributeExpr>()) {
    const Type* bt = a->value->type;
    if (bt && (bt->is(TypeKind::Struct) || bt->is_composite())) return assignable_root(a->value);
    if (bt && bt->is_error()) return false;
    error(DiagId::err_cannot_assign, e->range, fmt::format("'{}'", source_text(e->range)));
    return false;
  }
  if (e->type && e->type->is_error()) return false;
  error(DiagId::err_cannot_assign, e->range, fmt::format("a component of '{}'", source_text(e->range)));
  return false;
}

std::string Sema::slot_description(ast::Expr* target) {
  if (auto* a = target->as<ast::AttributeExpr>()) {
    const Type* bt = a->value->type;
    if (bt && bt->is(TypeKind::Struct)) return fmt::format("field '{}'", a->attr);
    return "a component";
  }
  if (auto* s = target->as<ast::SubscriptExpr>()) {
    const Type* bt = s->value->type;
    if (bt && bt->is(TypeKind::Array)) return "an array element";
    if (s->value->as<ast::NameExpr>() == nullptr && !bt) return "an element";
    return "a component";
  }
  return "a target";
}

void Sema::check_ann_assign(ast::AnnAssignStmt* s) {
  const Type* declared = resolve_type(s->annotation, TypeUse::Local);
  auto* n = s->target->as<ast::NameExpr>();
  if (!s->value) {
    error(DiagId::err_ann_without_value, s->range, n ? n->name : source_text(s->target->range));
    if (n) bind_name(n, err(), s->range, false);
    return;
  }
  const Type* t = check_expr(s->value);
  // `x: wp.float64 = 1.0`: a literal takes the annotated type.
  if (!t->is_error() && !declared->is_error() && t != declared && declared->is_scalar() && t->is_scalar() &&
      s->value->constant && (s->value->kind == ast::ExprKind::IntLit || s->value->kind == ast::ExprKind::FloatLit ||
                             s->value->kind == ast::ExprKind::Unary)) {
    s->value->constant = fold_cast(s->value->constant, declared);
    s->value->type = declared;
    t = declared;
  }
  if (!t->is_error() && !declared->is_error() && t != declared) {
    error(DiagId::err_assign_type_mismatch, s->value->range, type_name(t),
          n ? fmt::format("variable '{}'", n->name) : slot_description(s->target), type_name(declared));
    t = declared;
  }
  assign_to(s->target, declared->is_error() ? t : declared, s->value);
}

void Sema::check_aug_assign(ast::AugAssignStmt* s) {
  std::string spelling = std::string(ast::binary_op_spelling(s->op)) + "=";
  const Type* lt;
  if (auto* n = s->target->as<ast::NameExpr>()) {
    lt = check_expr(n);
    if (n->symbol && n->symbol->kind != SymbolKind::Local && n->symbol->kind != SymbolKind::Param &&
        !lt->is_error()) {
      // `N += 1` on a module constant makes a local copy, as an assignment would.
    }
  } else {
    lt = check_store_target(s->target);
  }
  const Type* rt = check_expr(s->value);
  const CallTarget* target = nullptr;
  const Type* r = binary_result(s->op, spelling, lt, rt, s->target, s->value, s->op_range, s->range, &target);
  s->target_op = target;
  if (r->is_error() || lt->is_error()) return;
  if (r != lt) {
    error(DiagId::err_assign_type_mismatch, s->range, type_name(r),
          s->target->as<ast::NameExpr>() ? fmt::format("variable '{}'", s->target->as<ast::NameExpr>()->name)
                                         : slot_description(s->target),
          type_name(lt));
    return;
  }
  if (auto* n = s->target->as<ast::NameExpr>()) {
    if (n->symbol && (n->symbol->kind == SymbolKind::ModuleConstant || n->symbol->kind == SymbolKind::BuiltinConstant)) {
      n->constant = nullptr;
      bind_name(n, lt, s->range, false);
    }
  }
}

// ---------------------------------------------------------------- control flow

FlowState Sema::merge(const std::vector<const FlowState*>& states) {
  FlowState out;
  out.reachable = false;
  std::vector<const FlowState*> live;
  for (const FlowState* s : states)
    if (s->reachable) live.push_back(s);
  if (live.empty()) return out;
  out.reachable = true;
  for (const FlowState* s : live) {
    for (const auto& [sym, st] : s->vars) {
      bool everywhere = true;
      for (const FlowState* o : live) {
        auto it = o->vars.find(sym);
        everywhere = everywhere && it != o->vars.end() && it->second.definite;
      }
      auto [slot, fresh] = out.vars.try_emplace(sym, st);
      slot->second.definite = everywhere;
      if (fresh) continue;
      slot->second.from_loop = slot->second.from_loop || st.from_loop;
      for (SourceRange r : st.sites) {
        bool seen = false;
        for (SourceRange q : slot->second.sites) seen = seen || (q.begin == r.begin && q.end == r.end);
        if (!seen) slot->second.sites.push_back(r);
      }
    }
  }
  return out;
}

void Sema::check_if(ast::IfStmt* s) {
  bool ok = check_condition(s->cond);
  if (ok && s->cond->constant) {
    check_block(s->cond->constant->as_bool() ? s->body : s->orelse);
    return;
  }
  FlowState before = fn_->flow;
  check_block(s->body);
  FlowState then_state = std::move(fn_->flow);
  fn_->flow = before;
  check_block(s->orelse);
  FlowState else_state = std::move(fn_->flow);
  fn_->flow = merge({&then_state, &else_state});
}

// After a loop: the paths that leave it. A loop that may run zero times also
// leaves with the state from before it; what only the body assigns is then
// "maybe" assigned, and a later read is reported with a loop note.
void Sema::finish_loop(const FlowState& before, bool runs_once, bool exits_normally) {
  LoopContext ctx = std::move(fn_->loops.back());
  fn_->loops.pop_back();
  std::vector<const FlowState*> exits;
  if (exits_normally) {
    exits.push_back(&fn_->flow);
    for (const FlowState& c : ctx.continues) exits.push_back(&c);
  }
  for (const FlowState& b : ctx.breaks) exits.push_back(&b);
  FlowState inner = merge(exits);
  if (runs_once) {
    fn_->flow = std::move(inner);
    return;
  }
  FlowState after = merge({&before, &inner});
  for (auto& [sym, st] : after.vars) {
    auto was = before.vars.find(sym);
    auto in = inner.vars.find(sym);
    bool before_def = was != before.vars.end() && was->second.definite;
    bool inner_def = in != inner.vars.end() && in->second.definite;
    if (!st.definite && !before_def && inner_def) st.from_loop = true;
  }
  fn_->flow = std::move(after);
}

void Sema::check_for(ast::ForStmt* s) {
  if (!s->orelse.empty()) error(DiagId::err_loop_else, s->else_range);
  const Type* it = check_expr(s->iter);
  const Type* var = err();
  if (it->is(TypeKind::Range) || it->is(TypeKind::Query)) {
    var = types_.int32();
  } else if (!it->is_error()) {
    error(DiagId::err_not_iterable, s->iter->range, type_name(it))
        .help("use 'range(…)' or a query such as 'wp.hash_grid_query(…)'");
  }
  FlowState before = fn_->flow;
  if (auto* n = s->target->as<ast::NameExpr>()) {
    bind_name(n, var, s->target->range, true);
  } else {
    error(DiagId::err_for_target, s->target->range);
  }
  fn_->loops.emplace_back();
  int64_t trips = static_trip_count(s->iter);
  const Symbol* iter_var = s->target->as<ast::NameExpr>() ? s->target->as<ast::NameExpr>()->symbol : nullptr;
  bool added = trips >= 0 && iter_var && fn_->static_iterators.insert(iter_var).second;
  check_block(s->body);
  if (added) fn_->static_iterators.erase(iter_var);
  finish_loop(before, trips >= 1, true);
}

// The trip count of `range(...)` with constant arguments, or -1.
int64_t Sema::static_trip_count(ast::Expr* iter) {
  auto* c = iter->as<ast::CallExpr>();
  if (!c || !c->target || c->target->kind != CallKind::Range) return -1;
  int64_t v[3] = {0, 0, 1};
  for (ast::Expr* a : c->args)
    if (!a->constant) return -1;
  if (c->args.size() == 1) v[1] = c->args[0]->constant->as_int();
  else {
    v[0] = c->args[0]->constant->as_int();
    v[1] = c->args[1]->constant->as_int();
    if (c->args.size() == 3) v[2] = c->args[2]->constant->as_int();
  }
  if (v[2] == 0) return -1;
  if (v[2] > 0) return v[1] > v[0] ? (v[1] - v[0] + v[2] - 1) / v[2] : 0;
  return v[0] > v[1] ? (v[0] - v[1] - v[2] - 1) / -v[2] : 0;
}

void Sema::check_while(ast::WhileStmt* s) {
  if (!s->orelse.empty()) error(DiagId::err_loop_else, s->else_range);
  bool ok = check_condition(s->cond);
  bool forever = ok && s->cond->constant && s->cond->constant->as_bool();
  FlowState before = fn_->flow;
  fn_->loops.emplace_back();
  check_block(s->body);
  finish_loop(before, forever, !forever);
}

void Sema::check_return(ast::ReturnStmt* s) {
  FunctionDecl* d = fn_->decl;
  bool has_value = s->value && s->value->kind != ast::ExprKind::NoneLit;
  if (d->kind == FunctionKind::Kernel || d->kind == FunctionKind::Grad) {
    if (has_value) {
      check_expr(s->value);
      auto b = error(DiagId::err_kernel_return_value, s->value->range);
      if (d->kind == FunctionKind::Kernel) b.help("kernels write their results to arrays");
    }
    fn_->flow.reachable = false;
    return;
  }
  const Type* t = has_value ? check_expr(s->value) : types_.void_type();
  if (has_value && !t->is_error() && !storable_return(t, s->value)) t = err();
  fn_->flow.reachable = false;
  if (t->is_error()) {
    if (!fn_->return_type) fn_->return_type = err();
    return;
  }
  if (!fn_->return_type) {
    fn_->return_type = t;
    fn_->return_from = has_value ? s->value->range : s->range;
    return;
  }
  const Type* rt = fn_->return_type;
  if (rt->is_error() || rt == t) return;
  if (!has_value) {
    error(DiagId::err_return_value_missing, s->range, d->name, type_name(rt));
    return;
  }
  auto b = error(DiagId::err_return_type_mismatch, s->value->range, type_name(t), type_name(rt));
  if (!d->declared_return) b.note(DiagId::note_return_type_from, fn_->return_from, type_name(rt));
}

bool Sema::storable_return(const Type* t, ast::Expr* value) {
  if (t->is(TypeKind::Tuple)) {
    for (const Type* e : t->elems)
      if (e->is(TypeKind::Tuple) || e->is(TypeKind::String) || e->is(TypeKind::None) || e->is(TypeKind::Void)) {
        error(DiagId::err_unsupported, value->range, fmt::format("returning a value of type '{}'", type_name(t)));
        return false;
      }
    return true;
  }
  if (t->is(TypeKind::String)) {
    error(DiagId::err_string_value, value->range);
    return false;
  }
  if (t->is(TypeKind::Void)) {
    error(DiagId::err_none_value, value->range);
    return false;
  }
  return true;
}

}  // namespace warpc::sema
