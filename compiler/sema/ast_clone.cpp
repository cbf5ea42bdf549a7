// ast_clone.cpp — deep copies of function definitions, one per instance of a
// generic function, so each instance carries its own annotations; and of
// single expressions (the components of a `*v` argument).
//
// Contract: the copy has the same shape, source ranges and text as the
// original and no annotations (type, constant, symbol, target are null). Its
// nodes are owned by the sema::Program.
#include <algorithm>

#include "sema/sema_impl.h"

namespace warpc::sema {

namespace {

class Cloner {
 public:
  explicit Cloner(Program& p) : p_(p) {}

  template <class T>
  T* make(const ast::Node* from) {
    T* n = p_.make<T>();
    n->range = from->range;
    return n;
  }

  ast::Expr* expr(const ast::Expr* e) {
    if (!e) return nullptr;
    switch (e->kind) {
      case ast::ExprKind::Name: {
        auto* n = make<ast::NameExpr>(e);
        n->name = e->as<ast::NameExpr>()->name;
        return n;
      }
      case ast::ExprKind::IntLit: {
        auto* n = make<ast::IntLitExpr>(e);
        n->value = e->as<ast::IntLitExpr>()->value;
        n->overflow = e->as<ast::IntLitExpr>()->overflow;
        return n;
      }
      case ast::ExprKind::FloatLit: {
        auto* n = make<ast::FloatLitExpr>(e);
        n->value = e->as<ast::FloatLitExpr>()->value;
        return n;
      }
      case ast::ExprKind::BoolLit: {
        auto* n = make<ast::BoolLitExpr>(e);
        n->value = e->as<ast::BoolLitExpr>()->value;
        return n;
      }
      case ast::ExprKind::NoneLit: return make<ast::NoneLitExpr>(e);
      case ast::ExprKind::StringLit: {
        auto* n = make<ast::StringLitExpr>(e);
        n->value = e->as<ast::StringLitExpr>()->value;
        return n;
      }
      case ast::ExprKind::EllipsisLit: return make<ast::EllipsisLitExpr>(e);
      case ast::ExprKind::Error: return make<ast::ErrorExpr>(e);
      default: return compound(e);
    }
  }

  ast::Expr* compound(const ast::Expr* e) {
    switch (e->kind) {
      case ast::ExprKind::Attribute: {
        auto* o = e->as<ast::AttributeExpr>();
        auto* n = make<ast::AttributeExpr>(e);
        n->value = expr(o->value);
        n->attr = o->attr;
        n->attr_range = o->attr_range;
        return n;
      }
      case ast::ExprKind::Subscript: {
        auto* o = e->as<ast::SubscriptExpr>();
        auto* n = make<ast::SubscriptExpr>(e);
        n->value = expr(o->value);
        n->index = expr(o->index);
        return n;
      }
      case ast::ExprKind::Slice: {
        auto* o = e->as<ast::SliceExpr>();
        auto* n = make<ast::SliceExpr>(e);
        n->lower = expr(o->lower);
        n->upper = expr(o->upper);
        n->step = expr(o->step);
        return n;
      }
      case ast::ExprKind::Call: {
        auto* o = e->as<ast::CallExpr>();
        auto* n = make<ast::CallExpr>(e);
        n->func = expr(o->func);
        for (ast::Expr* a : o->args) n->args.push_back(expr(a));
        for (const ast::Keyword& kw : o->keywords) n->keywords.push_back({kw.name, kw.name_range, expr(kw.value)});
        n->starred = o->starred;
        return n;
      }
      case ast::ExprKind::Binary: {
        auto* o = e->as<ast::BinaryExpr>();
        auto* n = make<ast::BinaryExpr>(e);
        n->op = o->op;
        n->op_range = o->op_range;
        n->lhs = expr(o->lhs);
        n->rhs = expr(o->rhs);
        return n;
      }
      case ast::ExprKind::Unary: {
        auto* o = e->as<ast::UnaryExpr>();
        auto* n = make<ast::UnaryExpr>(e);
        n->op = o->op;
        n->operand = expr(o->operand);
        return n;
      }
      case ast::ExprKind::BoolOp: {
        auto* o = e->as<ast::BoolOpExpr>();
        auto* n = make<ast::BoolOpExpr>(e);
        n->op = o->op;
        for (ast::Expr* v : o->values) n->values.push_back(expr(v));
        return n;
      }
      case ast::ExprKind::Compare: {
        auto* o = e->as<ast::CompareExpr>();
        auto* n = make<ast::CompareExpr>(e);
        n->left = expr(o->left);
        n->ops = o->ops;
        n->op_ranges = o->op_ranges;
        for (ast::Expr* c : o->comparators) n->comparators.push_back(expr(c));
        return n;
      }
      case ast::ExprKind::IfExp: {
        auto* o = e->as<ast::IfExpExpr>();
        auto* n = make<ast::IfExpExpr>(e);
        n->cond = expr(o->cond);
        n->then_value = expr(o->then_value);
        n->else_value = expr(o->else_value);
        return n;
      }
      case ast::ExprKind::Tuple: {
        auto* o = e->as<ast::TupleExpr>();
        auto* n = make<ast::TupleExpr>(e);
        for (ast::Expr* x : o->elts) n->elts.push_back(expr(x));
        n->parenthesized = o->parenthesized;
        return n;
      }
      default: return make<ast::ErrorExpr>(e);
    }
  }

  ast::Block block(const ast::Block& b) {
    ast::Block out;
    for (const ast::Stmt* s : b) out.push_back(stmt(s));
    return out;
  }

  ast::Stmt* stmt(const ast::Stmt* s) {
    switch (s->kind) {
      case ast::StmtKind::Expr: {
        auto* n = make<ast::ExprStmt>(s);
        n->value = expr(s->as<ast::ExprStmt>()->value);
        return n;
      }
      case ast::StmtKind::Assign: {
        auto* o = s->as<ast::AssignStmt>();
        auto* n = make<ast::AssignStmt>(s);
        for (ast::Expr* t : o->targets) n->targets.push_back(expr(t));
        n->value = expr(o->value);
        return n;
      }
      case ast::StmtKind::AugAssign: {
        auto* o = s->as<ast::AugAssignStmt>();
        auto* n = make<ast::AugAssignStmt>(s);
        n->target = expr(o->target);
        n->op = o->op;
        n->op_range = o->op_range;
        n->value = expr(o->value);
        return n;
      }
      case ast::StmtKind::AnnAssign: {
        auto* o = s->as<ast::AnnAssignStmt>();
        auto* n = make<ast::AnnAssignStmt>(s);
        n->target = expr(o->target);
        n->annotation = expr(o->annotation);
        n->value = expr(o->value);
        return n;
      }
      default: return control(s);
    }
  }

  ast::Stmt* control(const ast::Stmt* s) {
    switch (s->kind) {
      case ast::StmtKind::If: {
        auto* o = s->as<ast::IfStmt>();
        auto* n = make<ast::IfStmt>(s);
        n->cond = expr(o->cond);
        n->body = block(o->body);
        n->orelse = block(o->orelse);
        n->is_elif = o->is_elif;
        return n;
      }
      case ast::StmtKind::For: {
        auto* o = s->as<ast::ForStmt>();
        auto* n = make<ast::ForStmt>(s);
        n->target = expr(o->target);
        n->iter = expr(o->iter);
        n->body = block(o->body);
        n->orelse = block(o->orelse);
        n->else_range = o->else_range;
        return n;
      }
      case ast::StmtKind::While: {
        auto* o = s->as<ast::WhileStmt>();
        auto* n = make<ast::WhileStmt>(s);
        n->cond = expr(o->cond);
        n->body = block(o->body);
        n->orelse = block(o->orelse);
        n->else_range = o->else_range;
        return n;
      }
      case ast::StmtKind::Break: return make<ast::BreakStmt>(s);
      case ast::StmtKind::Continue: return make<ast::ContinueStmt>(s);
      case ast::StmtKind::Pass: return make<ast::PassStmt>(s);
      case ast::StmtKind::Return: {
        auto* n = make<ast::ReturnStmt>(s);
        n->value = expr(s->as<ast::ReturnStmt>()->value);
        return n;
      }
      case ast::StmtKind::Assert: {
        auto* o = s->as<ast::AssertStmt>();
        auto* n = make<ast::AssertStmt>(s);
        n->cond = expr(o->cond);
        n->msg = expr(o->msg);
        return n;
      }
      case ast::StmtKind::FunctionDef: return function(s->as<ast::FunctionDefStmt>());
      default: return make<ast::ErrorStmt>(s);  // classes/imports in bodies are rejected anyway
    }
  }

  ast::FunctionDefStmt* function(const ast::FunctionDefStmt* f) {
    auto* n = make<ast::FunctionDefStmt>(f);
    n->name = f->name;
    n->name_range = f->name_range;
    for (ast::Expr* d : f->decorators) n->decorators.push_back(expr(d));
    for (const ast::Param& p : f->params)
      n->params.push_back({p.name, p.range, expr(p.annotation), expr(p.default_value)});
    n->returns = expr(f->returns);
    n->body = block(f->body);
    n->docstring = f->docstring;
    return n;
  }

 private:
  Program& p_;
};

}  // namespace

ast::Expr* Sema::clone_expr(const ast::Expr* e) {
  Cloner c(program_);
  return c.expr(e);
}

ast::FunctionDefStmt* Sema::clone_function(const ast::FunctionDefStmt* f) {
  Cloner c(program_);
  ast::FunctionDefStmt* copy = c.function(f);
  // Defaults were checked with the declaration; keep their annotations.
  for (size_t i = 0; i < copy->params.size(); ++i) copy->params[i].default_value = f->params[i].default_value;
  return copy;
}

}  // namespace warpc::sema
