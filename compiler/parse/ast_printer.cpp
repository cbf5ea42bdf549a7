// ast_printer.cpp — `--emit=ast`: a deterministic dump of the AST.
//
// Format: one node per line, indented two spaces per depth:
//
//   <NodeKind> [details] <line:col>[ : <type>][ = <constant>]
//
// `line:col` is where the node's range begins. The type and constant suffixes
// appear only after sema annotated the expression (types.h type_name(),
// const_value.h const_value_text()); a parse-only dump has none. Details are
// quoted names ('x'), spelled operators ('+'), literal values (IntLit 42,
// FloatLit 0.5 in Python's shortest round-trip repr, BoolLit True,
// StringLit "escaped\n"). Children whose role is not obvious are grouped
// under labelled pseudo-lines without a location (Decorators, Params,
// Returns, Body, Cond, Then, Else, Targets, Value, Args, …). Example, for
//
//   @wp.kernel
//   def scale(a: wp.array(dtype=float), s: float = 2.0):
//       a[wp.tid()] *= -s
//
// the dump is
//
//   Module 'example'
//     FunctionDef 'scale' <2:1>
//       Decorators
//         Attribute 'kernel' <1:2>
//           Name 'wp' <1:2>
//       Params
//         Param 'a' <2:11>
//           Call <2:14>
//             Attribute 'array' <2:14>
//               Name 'wp' <2:14>
//             Keyword 'dtype' <2:23>
//               Name 'float' <2:29>
//         Param 's' <2:37>
//           Name 'float' <2:40>
//           Default
//             FloatLit 2.0 <2:48>
//       Body
//         AugAssign '*=' <3:5>
//           Subscript <3:5>
//             Name 'a' <3:5>
//             Call <3:7>
//               Attribute 'tid' <3:7>
//                 Name 'wp' <3:7>
//           Unary '-' <3:20>
//             Name 's' <3:21>
//
// Statements: ExprStmt, Assign (Targets/Value), AugAssign 'op', AnnAssign
// (target, Annotation, Value), If [(elif)] (Cond/Then/Else), For
// (Target/Iter/Body/Else), While (Cond/Body/Else), Break, Continue, Return,
// Pass, Assert (cond, Msg), FunctionDef 'f' (Docstring, Decorators, Params,
// Returns, Body), ClassDef 'S' (Docstring, Decorators, Bases, Body), Import
// and ImportFrom '..mod' (Alias 'name' [as 'x']), ErrorStmt.
// Expressions: Name, IntLit, FloatLit, BoolLit, NoneLit, StringLit,
// Ellipsis, Attribute 'attr' (value), Subscript (value, index), Slice
// (Lower/Upper/Step), Call (func, Args, Keyword 'k'), Binary 'op' (lhs, rhs),
// Unary 'op', BoolOp 'and', Compare '<' '<=' (left, comparators…), IfExp
// (Cond/Then/Else), Tuple [(parenthesized)], ErrorExpr.
#include "parse/ast_printer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <string>

#include <fmt/format.h>

#include "sema/const_value.h"
#include "sema/types.h"
#include "support/text_escape.h"

namespace warpc {

using namespace ast;

namespace {

// Python's repr() of a float: the shortest digits that round-trip, fixed
// notation for exponents in [-4, 16), scientific otherwise.
std::string float_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  for (int p = 1; p <= 17; ++p) {
    std::snprintf(buf, sizeof buf, "%.*e", p - 1, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  bool neg = s[0] == '-';
  size_t e_pos = s.find('e');
  int exp = std::atoi(s.c_str() + e_pos + 1);
  std::string digits;
  for (size_t i = neg ? 1 : 0; i < e_pos; ++i)
    if (s[i] != '.') digits += s[i];
  std::string out = neg ? "-" : "";
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return out + "0." + std::string(-exp - 1, '0') + digits;
    if (digits.size() <= static_cast<size_t>(exp) + 1) return out + digits + std::string(exp + 1 - digits.size(), '0') + ".0";
    return out + digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  return out + fmt::format("e{}{:02d}", exp < 0 ? '-' : '+', std::abs(exp));
}

std::string escape_string(const std::string& s) { return "\"" + escape_text(s, /*quote=*/true) + "\""; }

class AstPrinter {
 public:
  AstPrinter(std::ostream& out, const SourceManager& sm) : out_(out), sm_(sm) {}

  void module(const Module& m) {
    out_ << "Module '" << m.name << "'\n";
    ++depth_;
    docstring(m.docstring);
    for (const Stmt* s : m.body) stmt(s);
    --depth_;
  }

 private:
  // ---- output helpers
  void indent() { out_ << std::string(2 * depth_, ' '); }
  std::string loc(SourceRange r) const {
    if (!r.valid()) return "<invalid>";
    LineCol lc = sm_.line_col(r.begin);
    return fmt::format("<{}:{}>", lc.line, lc.col);
  }
  // A node line: "Kind details <l:c>".
  void node(const std::string& text, SourceRange r) {
    indent();
    out_ << text << ' ' << loc(r) << '\n';
  }
  void expr_line(const std::string& text, const Expr* e) {
    indent();
    out_ << text << ' ' << loc(e->range);
    if (e->type) out_ << " : " << type_name(e->type);
    if (e->constant) out_ << " = " << const_value_text(*e->constant);
    out_ << '\n';
  }
  // A labelled pseudo-line; the caller prints its children one level deeper.
  void label(const char* name) {
    indent();
    out_ << name << '\n';
  }
  template <class F>
  void under(const char* name, F&& body) {
    label(name);
    ++depth_;
    body();
    --depth_;
  }
  void child(const Expr* e) {
    ++depth_;
    expr(e);
    --depth_;
  }
  void labelled_expr(const char* name, const Expr* e) {
    if (e) under(name, [&] { expr(e); });
  }
  void labelled_block(const char* name, const Block& b) {
    if (!b.empty()) under(name, [&] { block(b); });
  }
  void block(const Block& b) {
    for (const Stmt* s : b) stmt(s);
  }
  void docstring(const std::string& text) {
    if (text.empty()) return;
    indent();
    out_ << "Docstring " << escape_string(text) << '\n';
  }

  // ---- expressions
  void expr(const Expr* e);
  void call(const CallExpr* c);
  void compare(const CompareExpr* c);

  // ---- statements
  void stmt(const Stmt* s);
  void function_def(const FunctionDefStmt* f);
  void class_def(const ClassDefStmt* c);
  void param(const Param& p);
  void if_stmt(const IfStmt* s);
  void aliases(const std::vector<ImportAlias>& names);

  std::ostream& out_;
  const SourceManager& sm_;
  int depth_ = 0;
};

void AstPrinter::expr(const Expr* e) {
  switch (e->kind) {
    case ExprKind::Name: return expr_line(fmt::format("Name '{}'", e->as<NameExpr>()->name), e);
    case ExprKind::IntLit: {
      const auto* lit = e->as<IntLitExpr>();
      return expr_line(lit->overflow ? "IntLit overflow" : fmt::format("IntLit {}", lit->value), e);
    }
    case ExprKind::FloatLit: return expr_line("FloatLit " + float_repr(e->as<FloatLitExpr>()->value), e);
    case ExprKind::BoolLit: return expr_line(e->as<BoolLitExpr>()->value ? "BoolLit True" : "BoolLit False", e);
    case ExprKind::NoneLit: return expr_line("NoneLit", e);
    case ExprKind::StringLit: return expr_line("StringLit " + escape_string(e->as<StringLitExpr>()->value), e);
    case ExprKind::EllipsisLit: return expr_line("Ellipsis", e);
    case ExprKind::Attribute: {
      const auto* a = e->as<AttributeExpr>();
      expr_line(fmt::format("Attribute '{}'", a->attr), e);
      return child(a->value);
    }
    case ExprKind::Subscript: {
      const auto* s = e->as<SubscriptExpr>();
      expr_line("Subscript", e);
      child(s->value);
      return child(s->index);
    }
    case ExprKind::Slice: {
      const auto* s = e->as<SliceExpr>();
      expr_line("Slice", e);
      ++depth_;
      labelled_expr("Lower", s->lower);
      labelled_expr("Upper", s->upper);
      labelled_expr("Step", s->step);
      --depth_;
      return;
    }
    case ExprKind::Call: return call(e->as<CallExpr>());
    case ExprKind::Binary: {
      const auto* b = e->as<BinaryExpr>();
      expr_line(fmt::format("Binary '{}'", binary_op_spelling(b->op)), e);
      child(b->lhs);
      return child(b->rhs);
    }
    case ExprKind::Unary: {
      const auto* u = e->as<UnaryExpr>();
      expr_line(fmt::format("Unary '{}'", unary_op_spelling(u->op)), e);
      return child(u->operand);
    }
    case ExprKind::BoolOp: {
      const auto* b = e->as<BoolOpExpr>();
      expr_line(fmt::format("BoolOp '{}'", bool_op_spelling(b->op)), e);
      for (const Expr* v : b->values) child(v);
      return;
    }
    case ExprKind::Compare: return compare(e->as<CompareExpr>());
    case ExprKind::IfExp: {
      const auto* i = e->as<IfExpExpr>();
      expr_line("IfExp", e);
      ++depth_;
      labelled_expr("Cond", i->cond);
      labelled_expr("Then", i->then_value);
      labelled_expr("Else", i->else_value);
      --depth_;
      return;
    }
    case ExprKind::Tuple: {
      const auto* t = e->as<TupleExpr>();
      expr_line(t->parenthesized ? "Tuple (parenthesized)" : "Tuple", e);
      for (const Expr* v : t->elts) child(v);
      return;
    }
    case ExprKind::Error: return expr_line("ErrorExpr", e);
  }
}

void AstPrinter::call(const CallExpr* c) {
  expr_line("Call", c);
  ++depth_;
  expr(c->func);
  if (!c->args.empty()) under("Args", [&] {
      for (const Expr* a : c->args) expr(a);
    });
  for (const Keyword& k : c->keywords) {
    node(fmt::format("Keyword '{}'", k.name), k.name_range);
    child(k.value);
  }
  --depth_;
}

void AstPrinter::compare(const CompareExpr* c) {
  std::string text = "Compare";
  for (CompareOp op : c->ops) text += fmt::format(" '{}'", compare_op_spelling(op));
  expr_line(text, c);
  child(c->left);
  for (const Expr* v : c->comparators) child(v);
}

void AstPrinter::stmt(const Stmt* s) {
  switch (s->kind) {
    case StmtKind::Expr: node("ExprStmt", s->range); return child(s->as<ExprStmt>()->value);
    case StmtKind::Assign: {
      const auto* a = s->as<AssignStmt>();
      node("Assign", s->range);
      ++depth_;
      under("Targets", [&] {
        for (const Expr* t : a->targets) expr(t);
      });
      labelled_expr("Value", a->value);
      --depth_;
      return;
    }
    case StmtKind::AugAssign: {
      const auto* a = s->as<AugAssignStmt>();
      node(fmt::format("AugAssign '{}='", binary_op_spelling(a->op)), s->range);
      child(a->target);
      return child(a->value);
    }
    case StmtKind::AnnAssign: {
      const auto* a = s->as<AnnAssignStmt>();
      node("AnnAssign", s->range);
      child(a->target);
      ++depth_;
      labelled_expr("Annotation", a->annotation);
      labelled_expr("Value", a->value);
      --depth_;
      return;
    }
    case StmtKind::If: return if_stmt(s->as<IfStmt>());
    case StmtKind::For: {
      const auto* f = s->as<ForStmt>();
      node("For", s->range);
      ++depth_;
      labelled_expr("Target", f->target);
      labelled_expr("Iter", f->iter);
      labelled_block("Body", f->body);
      labelled_block("Else", f->orelse);
      --depth_;
      return;
    }
    case StmtKind::While: {
      const auto* w = s->as<WhileStmt>();
      node("While", s->range);
      ++depth_;
      labelled_expr("Cond", w->cond);
      labelled_block("Body", w->body);
      labelled_block("Else", w->orelse);
      --depth_;
      return;
    }
    case StmtKind::Break: return node("Break", s->range);
    case StmtKind::Continue: return node("Continue", s->range);
    case StmtKind::Return: {
      node("Return", s->range);
      if (const Expr* v = s->as<ReturnStmt>()->value) child(v);
      return;
    }
    case StmtKind::Pass: return node("Pass", s->range);
    case StmtKind::Assert: {
      const auto* a = s->as<AssertStmt>();
      node("Assert", s->range);
      child(a->cond);
      ++depth_;
      labelled_expr("Msg", a->msg);
      --depth_;
      return;
    }
    case StmtKind::FunctionDef: return function_def(s->as<FunctionDefStmt>());
    case StmtKind::ClassDef: return class_def(s->as<ClassDefStmt>());
    case StmtKind::Import: {
      node("Import", s->range);
      return aliases(s->as<ImportStmt>()->names);
    }
    case StmtKind::ImportFrom: {
      const auto* i = s->as<ImportFromStmt>();
      node(fmt::format("ImportFrom '{}{}'", std::string(i->level, '.'), i->module), s->range);
      return aliases(i->names);
    }
    case StmtKind::Error: return node("ErrorStmt", s->range);
  }
}

// An elif chain is walked in a loop (same output as recursing through each
// Else), so long chains do not deepen the printer's stack.
void AstPrinter::if_stmt(const IfStmt* s) {
  int base = depth_;
  for (;;) {
    node(s->is_elif ? "If (elif)" : "If", s->range);
    ++depth_;
    labelled_expr("Cond", s->cond);
    under("Then", [&] { block(s->body); });
    const IfStmt* next = s->orelse.size() == 1 ? s->orelse[0]->as<IfStmt>() : nullptr;
    if (!next || !next->is_elif) break;
    label("Else");
    ++depth_;
    s = next;
  }
  labelled_block("Else", s->orelse);
  depth_ = base;
}

void AstPrinter::function_def(const FunctionDefStmt* f) {
  node(fmt::format("FunctionDef '{}'", f->name), f->range);
  ++depth_;
  docstring(f->docstring);
  if (!f->decorators.empty()) under("Decorators", [&] {
      for (const Expr* d : f->decorators) expr(d);
    });
  if (!f->params.empty()) under("Params", [&] {
      for (const Param& p : f->params) param(p);
    });
  labelled_expr("Returns", f->returns);
  labelled_block("Body", f->body);
  --depth_;
}

// Param 'x' <l:c>, with its annotation and (labelled) default under it.
void AstPrinter::param(const Param& p) {
  node(fmt::format("Param '{}'", p.name), p.range);
  ++depth_;
  if (p.annotation) expr(p.annotation);
  labelled_expr("Default", p.default_value);
  --depth_;
}

void AstPrinter::class_def(const ClassDefStmt* c) {
  node(fmt::format("ClassDef '{}'", c->name), c->range);
  ++depth_;
  docstring(c->docstring);
  if (!c->decorators.empty()) under("Decorators", [&] {
      for (const Expr* d : c->decorators) expr(d);
    });
  if (!c->bases.empty()) under("Bases", [&] {
      for (const Expr* b : c->bases) expr(b);
    });
  labelled_block("Body", c->body);
  --depth_;
}

void AstPrinter::aliases(const std::vector<ImportAlias>& names) {
  ++depth_;
  for (const ImportAlias& a : names) {
    std::string text = fmt::format("Alias '{}'", a.name);
    if (!a.asname.empty()) text += fmt::format(" as '{}'", a.asname);
    node(text, a.range);
  }
  --depth_;
}

}  // namespace

void print_ast(std::ostream& out, const Module& module, const SourceManager& sm) {
  AstPrinter(out, sm).module(module);
}

}  // namespace warpc
