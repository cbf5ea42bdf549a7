// lower_to_ir.cpp — lowering entry point: one IR Function per concrete
// function instance (see lower_to_ir.h), parameters as the entry block's
// arguments, and the function body's closing `return`.
#include "lower/lower_to_ir.h"

#include "lower/lower_impl.h"

#include "ad/ad_support.h"

namespace warpc {

namespace lower {

bool SymbolLess::operator()(const sema::Symbol* a, const sema::Symbol* b) const {
  auto key = [](const sema::Symbol* s) { return std::make_tuple(s->kind != sema::SymbolKind::Param, s->index); };
  if (key(a) != key(b)) return key(a) < key(b);
  if (a->name != b->name) return a->name < b->name;
  return a < b;
}

Lowerer::Lowerer(const sema::Program& program, TypeContext& types, DiagnosticEngine& diags)
    : program_(program), types_(types), diags_(diags), module_(std::make_unique<ir::Module>()), b_(*module_) {}

void Lowerer::unsupported(SourceRange at, const std::string& what) {
  diags_.report(DiagId::err_lower_unsupported, at, what);
  throw Unsupported{};
}

namespace {

std::vector<const Type*> result_types(const Type* t) {
  if (!t || t->kind == TypeKind::Void) return {};
  if (t->kind == TypeKind::Tuple) return t->elems;
  return {t};
}

}  // namespace

void Lowerer::declare(const sema::FunctionInstance* inst, ir::FunctionKind kind, const std::string& name) {
  ir::Function* f = module_->add_function(kind, name);
  f->instance = inst;
  f->loc = inst->def ? inst->def->name_range : SourceRange();
  f->param_types = inst->param_types;
  f->result_types = result_types(inst->return_type);
  functions_[inst] = f;
}

std::unique_ptr<ir::Module> Lowerer::run() {
  module_->name = program_.main && program_.main->ast ? program_.main->ast->name : "";
  for (const sema::ModuleInfo* m : program_.modules) {
    std::string prefix = m == program_.main ? "" : m->name + ".";
    for (const sema::FunctionDecl* d : m->functions) {
      if (d->kind != sema::FunctionKind::Func && d->kind != sema::FunctionKind::Native) continue;
      auto kind = d->kind == sema::FunctionKind::Native ? ir::FunctionKind::Native : ir::FunctionKind::Func;
      for (size_t i = 0; i < d->instances.size(); ++i)
        declare(d->instances[i], kind, prefix + d->name + (d->instances.size() > 1 ? "_" + std::to_string(i) : ""));
    }
  }
  declare_custom_functions();
  for (const sema::ModuleInfo* m : program_.modules) {
    if (m != program_.main) continue;
    for (const sema::FunctionDecl* d : m->kernels)  // instances of a generic kernel: name_0, name_1 …
      for (size_t i = 0; i < d->instances.size(); ++i)
        declare(d->instances[i], ir::FunctionKind::Kernel,
                d->name + (d->instances.size() > 1 ? "_" + std::to_string(i) : ""));
  }
  bool ok = true;
  for (ir::Function* f : module_->functions) {
    if (f->kind == ir::FunctionKind::Native || !f->instance->checked || !f->instance->def) continue;
    try {
      define(f);
    } catch (const Unsupported&) {
      ok = false;
    }
  }
  if (!ok) return nullptr;
  return std::move(module_);
}

// @wp.func_grad / @wp.func_replay bodies become funcs the AD calls (compiler/ad): a replay has
// its function's signature; a grad takes the function's parameters and the adjoint of each
// result, and returns the adjoint of each differentiable parameter (wp.adjoint[p]).
void Lowerer::declare_custom_functions() {
  std::set<std::string> names;
  for (const ir::Function* f : module_->functions) names.insert(f->name);
  for (const sema::ModuleInfo* m : program_.modules) {
    std::string prefix = m == program_.main ? "" : m->name + ".";
    for (const sema::FunctionDecl* d : m->functions) {
      const bool grad = d->kind == sema::FunctionKind::Grad;
      if ((!grad && d->kind != sema::FunctionKind::Replay) || !d->custom_of || d->bad_signature ||
          d->instances.size() != 1 || !d->instances[0]->checked)
        continue;
      std::string name = prefix + d->name;
      if (names.count(name)) name += grad ? "_grad" : "_replay";
      names.insert(name);
      declare(d->instances[0], ir::FunctionKind::Func, name);
      if (!grad) continue;
      ir::Function* f = functions_[d->instances[0]];
      f->result_types.clear();
      const size_t n = d->custom_of->param_types.size();
      for (size_t i = 0; i < n && i < f->param_types.size(); ++i)
        if (ad_differentiable(f->param_types[i])) f->result_types.push_back(f->param_types[i]);
    }
  }
}

void Lowerer::begin_custom_grad() {
  adjoint_of_.clear();
  adjoint_results_.clear();
  const sema::FunctionInstance* inst = fn_->instance;
  if (inst->decl->kind != sema::FunctionKind::Grad || !inst->decl->custom_of) return;
  const size_t n = inst->decl->custom_of->param_types.size();
  for (size_t i = 0; i < n && i < inst->params.size(); ++i) {
    const sema::Symbol* p = inst->params[i];
    auto adj = std::make_unique<sema::Symbol>();
    adj->kind = sema::SymbolKind::Local;
    adj->name = "adj_" + p->name;
    adj->type = p->type;
    adj->index = 1000000 + static_cast<int>(i);  // after every real local (SymbolLess)
    adjoint_of_[p] = adj.get();
    if (ad_differentiable(p->type)) adjoint_results_.push_back(adj.get());
    if (p->type->kind != TypeKind::Array)
      env_[adj.get()] = b_.emit1(ir::Opcode::Zero, {}, p->type, inst->def->name_range);
    adjoint_symbols_.push_back(std::move(adj));
  }
}

// `wp.adjoint[p]` in a @wp.func_grad body (sema checked it: the base is the special name).
const sema::Symbol* Lowerer::adjoint_symbol(const ast::Expr* e) const {
  const auto* s = e ? e->as<ast::SubscriptExpr>() : nullptr;
  if (!s || adjoint_of_.empty()) return nullptr;
  const ast::Expr* base = s->value;
  bool special = false;
  if (const auto* a = base->as<ast::AttributeExpr>()) {
    const auto* m = a->value->as<ast::NameExpr>();
    special = a->attr == "adjoint" && m && m->symbol && m->symbol->kind == sema::SymbolKind::Module;
  } else if (const auto* n = base->as<ast::NameExpr>()) {
    special = n->name == "adjoint" && (!n->symbol || (n->symbol->kind != sema::SymbolKind::Local &&
                                                      n->symbol->kind != sema::SymbolKind::Param));
  }
  if (!special) return nullptr;
  const auto* n = s->index->as<ast::NameExpr>();
  auto it = n ? adjoint_of_.find(n->symbol) : adjoint_of_.end();
  return it == adjoint_of_.end() ? nullptr : it->second;
}

// What a `return` gives back: a grad's adjoints; nothing else here (see return_stmt).
std::vector<ir::Value*> Lowerer::function_exit_values(SourceRange loc) { return current(adjoint_results_, loc); }

void Lowerer::define(ir::Function* f) {
  fn_ = f;
  env_.clear();
  tuples_.clear();
  loops_.clear();
  flow_ = Flow::Live;
  f->body = module_->new_region(nullptr, f);
  ir::Block* entry = f->body->entry();
  const sema::FunctionInstance* inst = f->instance;
  for (size_t i = 0; i < inst->params.size(); ++i) {
    const sema::Symbol* p = inst->params[i];
    env_[p] = module_->new_arg(entry, i < f->param_types.size() ? f->param_types[i] : p->type, p->name);
  }
  reads_.clear();
  ref_writes_.clear();
  inplace_refs_ = 0;
  collect_reads(inst->def->body);
  b_.set_block(entry);
  begin_custom_grad();
  block(inst->def->body);
  close_function_body();
}

// Where locals are read (loops carry a variable first assigned inside them
// when it is read outside them: see carried_symbols()), and where builtins write them.
void Lowerer::collect_reads(const ast::Expr* e) {
  if (!e) return;
  using K = ast::ExprKind;
  switch (e->kind) {
    case K::Name:
      if (const auto* n = e->as<ast::NameExpr>(); n->symbol) reads_.emplace(n->symbol, e->range.begin.offset);
      return;
    case K::Attribute: return collect_reads(e->as<ast::AttributeExpr>()->value);
    case K::Subscript:
      collect_reads(e->as<ast::SubscriptExpr>()->value);
      return collect_reads(e->as<ast::SubscriptExpr>()->index);
    case K::Slice: {
      const auto* s = e->as<ast::SliceExpr>();
      for (const ast::Expr* x : {s->lower, s->upper, s->step}) collect_reads(x);
      return;
    }
    case K::Call: {
      const auto* c = e->as<ast::CallExpr>();
      record_ref_writes(c);
      for (const ast::Expr* a : c->args) collect_reads(a);
      for (const ast::Keyword& k : c->keywords) collect_reads(k.value);
      return;
    }
    case K::Binary: collect_reads(e->as<ast::BinaryExpr>()->lhs); return collect_reads(e->as<ast::BinaryExpr>()->rhs);
    case K::Unary: return collect_reads(e->as<ast::UnaryExpr>()->operand);
    case K::BoolOp:
      for (const ast::Expr* v : e->as<ast::BoolOpExpr>()->values) collect_reads(v);
      return;
    case K::Compare:
      collect_reads(e->as<ast::CompareExpr>()->left);
      for (const ast::Expr* v : e->as<ast::CompareExpr>()->comparators) collect_reads(v);
      return;
    case K::IfExp: {
      const auto* i = e->as<ast::IfExpExpr>();
      for (const ast::Expr* x : {i->cond, i->then_value, i->else_value}) collect_reads(x);
      return;
    }
    case K::Tuple:
      for (const ast::Expr* x : e->as<ast::TupleExpr>()->elts) collect_reads(x);
      return;
    default: return;
  }
}

void Lowerer::collect_reads(const ast::Block& stmts) {
  auto store_target = [&](const ast::Expr* t) {  // a plain name being bound is no read
    if (const auto* tu = t->as<ast::TupleExpr>())
      for (const ast::Expr* x : tu->elts) if (!x->as<ast::NameExpr>()) collect_reads(x);
    if (!t->as<ast::NameExpr>() && !t->as<ast::TupleExpr>()) collect_reads(t);
  };
  for (const ast::Stmt* s : stmts) {
    if (const auto* x = s->as<ast::ExprStmt>()) collect_reads(x->value);
    if (const auto* a = s->as<ast::AssignStmt>()) {
      for (const ast::Expr* t : a->targets) store_target(t);
      collect_reads(a->value);
    }
    if (const auto* a = s->as<ast::AugAssignStmt>()) collect_reads(a->target), collect_reads(a->value);
    if (const auto* a = s->as<ast::AnnAssignStmt>()) store_target(a->target), collect_reads(a->value);
    if (const auto* i = s->as<ast::IfStmt>()) collect_reads(i->cond), collect_reads(i->body), collect_reads(i->orelse);
    if (const auto* f = s->as<ast::ForStmt>()) collect_reads(f->iter), collect_reads(f->body);
    if (const auto* w = s->as<ast::WhileStmt>()) collect_reads(w->cond), collect_reads(w->body);
    if (const auto* r = s->as<ast::ReturnStmt>()) collect_reads(r->value);
  }
}

// A body that falls off its end returns nothing (void) or zero values.
void Lowerer::close_function_body() {
  if (flow_ == Flow::Terminated) return;
  SourceRange end = fn_->instance->def->range;
  std::vector<ir::Value*> values;
  if (!adjoint_of_.empty()) values = function_exit_values(end);
  else
    for (const Type* t : fn_->result_types) values.push_back(b_.emit1(ir::Opcode::Zero, {}, t, end));
  b_.emit(ir::Opcode::Return, values, {}, end);
  flow_ = Flow::Terminated;
}

}  // namespace lower

std::unique_ptr<ir::Module> lower_to_ir(const sema::Program& program, TypeContext& types, DiagnosticEngine& diags) {
  lower::Lowerer l(program, types, diags);
  return l.run();
}

}  // namespace warpc
