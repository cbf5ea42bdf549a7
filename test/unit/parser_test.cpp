// parser_test.cpp — direct tests of the parser: tree shapes for precedence,
// source ranges, docstrings, and error recovery (one error per bad line,
// parsing continues with the next statement).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "parse/ast_printer.h"
#include "parse/lexer.h"
#include "parse/parser.h"

namespace warpc {
namespace {

using namespace ast;

// Lexes and parses one in-memory module.
struct Parsed {
  SourceManager sm;
  DiagnosticEngine diags{sm};
  ASTContext ctx;
  Module* module = nullptr;

  explicit Parsed(const std::string& src) {
    FileId f = sm.add_buffer("test.wp", src);
    diags.set_error_limit(0);
    module = parse_module(lex(sm, f, diags), f, "test", ctx, diags);
  }
  // The source text a range covers.
  std::string text(SourceRange r) const {
    return std::string(sm.text(r.begin.file).substr(r.begin.offset, r.end.offset - r.begin.offset));
  }
  uint32_t line(SourceRange r) const { return sm.line_col(r.begin).line; }
  // The value of the n-th statement, which must be `name = <value>`.
  Expr* value(size_t n) const { return module->body.at(n)->as<AssignStmt>()->value; }
};

TEST(Parser, PrecedenceShape) {
  Parsed p("x = a + b * c ** -d\n");
  ASSERT_FALSE(p.diags.has_errors());
  auto* add = p.value(0)->as<BinaryExpr>();
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->op, BinaryOp::Add);
  EXPECT_NE(add->lhs->as<NameExpr>(), nullptr);
  auto* mul = add->rhs->as<BinaryExpr>();
  ASSERT_NE(mul, nullptr);
  EXPECT_EQ(mul->op, BinaryOp::Mul);
  auto* pow = mul->rhs->as<BinaryExpr>();
  ASSERT_NE(pow, nullptr);
  EXPECT_EQ(pow->op, BinaryOp::Pow);
  auto* neg = pow->rhs->as<UnaryExpr>();
  ASSERT_NE(neg, nullptr);
  EXPECT_EQ(neg->op, UnaryOp::Neg);
}

TEST(Parser, UnaryMinusIsLooserThanPower) {
  Parsed p("y = -x ** 2\n");
  auto* neg = p.value(0)->as<UnaryExpr>();
  ASSERT_NE(neg, nullptr);
  EXPECT_NE(neg->operand->as<BinaryExpr>(), nullptr);
}

TEST(Parser, ComparisonChainsAndBoolOps) {
  Parsed p("z = a < b <= c or not d in e\n");
  ASSERT_FALSE(p.diags.has_errors());
  auto* orr = p.value(0)->as<BoolOpExpr>();
  ASSERT_NE(orr, nullptr);
  ASSERT_EQ(orr->values.size(), 2u);
  auto* cmp = orr->values[0]->as<CompareExpr>();
  ASSERT_NE(cmp, nullptr);
  EXPECT_EQ(cmp->ops.size(), 2u);
  EXPECT_EQ(cmp->op_ranges.size(), 2u);
  auto* nott = orr->values[1]->as<UnaryExpr>();
  ASSERT_NE(nott, nullptr);
  EXPECT_EQ(nott->op, UnaryOp::Not);
  EXPECT_NE(nott->operand->as<CompareExpr>(), nullptr);
}

TEST(Parser, RangesCoverFirstToLastToken) {
  Parsed p(
      "v = (a + b) * wp.vec3(x=1.0)\n"
      "def f(p: float = 2.0) -> float:\n"
      "    return p\n");
  ASSERT_FALSE(p.diags.has_errors());
  auto* mul = p.value(0)->as<BinaryExpr>();
  ASSERT_NE(mul, nullptr);
  EXPECT_EQ(p.text(mul->range), "(a + b) * wp.vec3(x=1.0)");
  EXPECT_EQ(p.text(mul->op_range), "*");
  EXPECT_EQ(p.text(mul->lhs->range), "a + b");
  auto* call = mul->rhs->as<CallExpr>();
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(p.text(call->func->as<AttributeExpr>()->attr_range), "vec3");
  ASSERT_EQ(call->keywords.size(), 1u);
  EXPECT_EQ(p.text(call->keywords[0].name_range), "x");
  auto* fn = p.module->body.at(1)->as<FunctionDefStmt>();
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(p.text(fn->name_range), "f");
  ASSERT_EQ(fn->params.size(), 1u);
  EXPECT_EQ(p.text(fn->params[0].range), "p");
  EXPECT_EQ(p.text(fn->range), "def f(p: float = 2.0) -> float:\n    return p");
}

TEST(Parser, DocstringsLeaveTheBody) {
  Parsed p("\"\"\"Module.\"\"\"\ndef f():\n    \"Doc.\"\n    return 1\n");
  ASSERT_FALSE(p.diags.has_errors());
  EXPECT_EQ(p.module->docstring, "Module.");
  auto* fn = p.module->body.at(0)->as<FunctionDefStmt>();
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(fn->docstring, "Doc.");
  ASSERT_EQ(fn->body.size(), 1u);
  EXPECT_NE(fn->body[0]->as<ReturnStmt>(), nullptr);
}

TEST(Parser, ElifIsANestedIf) {
  Parsed p("if a:\n    pass\nelif b:\n    pass\nelse:\n    pass\n");
  auto* s = p.module->body.at(0)->as<IfStmt>();
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(s->is_elif);
  ASSERT_EQ(s->orelse.size(), 1u);
  auto* elif = s->orelse[0]->as<IfStmt>();
  ASSERT_NE(elif, nullptr);
  EXPECT_TRUE(elif->is_elif);
  EXPECT_EQ(elif->orelse.size(), 1u);
}

TEST(Parser, ErrorRecoveryReportsOncePerBadLineAndContinues) {
  Parsed p(
      "a = [1, 2] + {3}\n"      // list literal: one error, the set is not reported
      "b = 1\n"
      "c = f(k=1, 2) + [4]\n"   // positional after keyword (+ its note), nothing else
      "d = 2\n"
      "def g():\n"
      "    e = lambda: 0\n"     // inside a block
      "    h = 3\n"
      "i = 4\n");
  EXPECT_EQ(p.diags.error_count(), 3u);
  std::vector<uint32_t> lines;
  for (const Diagnostic& d : p.diags.diagnostics())
    if (d.severity == Severity::Error) lines.push_back(p.line(d.range));
  EXPECT_EQ(lines, (std::vector<uint32_t>{1, 3, 6}));
  // Every statement is still in the tree, the good ones intact.
  ASSERT_EQ(p.module->body.size(), 6u);
  EXPECT_NE(p.value(1)->as<IntLitExpr>(), nullptr);
  EXPECT_NE(p.value(3)->as<IntLitExpr>(), nullptr);
  auto* g = p.module->body[4]->as<FunctionDefStmt>();
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->body.size(), 2u);
  EXPECT_NE(g->body[0]->as<AssignStmt>()->value->as<ErrorExpr>(), nullptr);
  EXPECT_NE(g->body[1]->as<AssignStmt>(), nullptr);
  EXPECT_NE(p.value(5)->as<IntLitExpr>(), nullptr);
}

TEST(Parser, InvalidTargetBecomesErrorExpr) {
  Parsed p("f() = 1\n");
  EXPECT_EQ(p.diags.error_count(), 1u);
  auto* s = p.module->body.at(0)->as<AssignStmt>();
  ASSERT_NE(s, nullptr);
  EXPECT_NE(s->targets.at(0)->as<ErrorExpr>(), nullptr);
}

TEST(Parser, PathologicalInputsTerminate) {
  const char* inputs[] = {
      "", "\n", ")", "(((", "def", "@", "if", "else:", "    x", "class\n", "for in :",
      "x = ,", ":", "from", "from . import", "lambda", "*", "**", "a[", "a[:", "f(,)",
  };
  for (const char* src : inputs) {
    Parsed p(src);
    EXPECT_NE(p.module, nullptr) << src;
  }
  std::string deep = "x = " + std::string(5000, '(') + "1" + std::string(5000, ')') + "\n";
  Parsed p(deep);
  EXPECT_EQ(p.diags.error_count(), 1u);
}

TEST(Parser, EmptyTokenStreamGivesEmptyModule) {
  SourceManager sm;
  DiagnosticEngine diags(sm);
  ASTContext ctx;
  FileId f = sm.add_buffer("empty.wp", "");
  Module* m = parse_module({}, f, "empty", ctx, diags);
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->body.empty());
  EXPECT_EQ(m->name, "empty");
}

TEST(AstPrinter, PrintsUnannotatedTree) {
  Parsed p("x = -1.5e-05 if c else 100.0\n");
  std::ostringstream out;
  print_ast(out, *p.module, p.sm);
  EXPECT_EQ(out.str(),
            "Module 'test'\n"
            "  Assign <1:1>\n"
            "    Targets\n"
            "      Name 'x' <1:1>\n"
            "    Value\n"
            "      IfExp <1:5>\n"
            "        Cond\n"
            "          Name 'c' <1:17>\n"
            "        Then\n"
            "          Unary '-' <1:5>\n"
            "            FloatLit 1.5e-05 <1:6>\n"
            "        Else\n"
            "          FloatLit 100.0 <1:24>\n");
}

}  // namespace
}  // namespace warpc
