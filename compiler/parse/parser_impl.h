// parser_impl.h — the Parser class shared by the parser's source files
// (private to compiler/parse; use parser.h).
//
// Contract: one Parser turns one token stream into one ast::Module.
//  * parser.cpp owns the token cursor, error reporting and recovery, the
//    module and block structure and docstrings; parse_stmt.cpp the simple and
//    compound statements; parse_decl.cpp decorators, `def`, `class` and
//    imports; parse_expr.cpp the expressions.
//  * Error policy: one error per root cause. The first error of a statement
//    sets `in_error_`; later reports are dropped until the next statement
//    starts, and the statement loop skips to the end of the logical line.
//    Tokens the lexer already complained about (Error tokens, or any token at
//    a lexer diagnostic's location) poison silently.
//  * Termination: every statement consumes at least one token; the statement
//    loop forces progress if a production did not.
//  * Stack safety: recursion through expressions and blocks is capped
//    (kMaxNesting / kMaxBlockDepth), and so is the height of the trees built
//    by left-associative loops (kMaxExprHeight), so later recursive visitors
//    cannot overflow either.
#pragma once

#include <initializer_list>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "parse/ast.h"
#include "parse/token.h"
#include "support/diagnostics.h"

namespace warpc::parse_detail {

inline constexpr int kMaxNesting = 200;      // nested parentheses/unary operators/ternaries
inline constexpr int kMaxBlockDepth = 100;   // nested indented blocks
inline constexpr int kMaxExprHeight = 1000;  // height of one expression tree

// Tokens that can begin an expression (tuples end at a trailing comma).
bool starts_expression(TokenKind k);

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, FileId file, ast::ASTContext& ctx, DiagnosticEngine& diags);
  ast::Module* parse_module(std::string name);

 private:
  friend class NestingGuard;

  // ---- parser.cpp: cursor
  const Token& cur() const { return tokens_[pos_]; }
  const Token& peek(size_t n = 1) const;
  bool at(TokenKind k) const { return cur().kind == k; }
  bool at_line_end() const;
  const Token& advance();
  bool accept(TokenKind k);
  SourceLoc here() const { return cur().range.begin; }
  SourceRange since(SourceLoc begin) const;
  SourceRange error_spot() const;
  template <class T>
  T* make(SourceLoc begin) { return ctx_.make<T>(since(begin)); }

  // ---- parser.cpp: diagnostics and recovery
  template <class... A>
  DiagBuilder error(DiagId id, SourceRange r, const A&... args) {
    bool silent = in_error_ || lexer_reported(r.begin);
    in_error_ = true;
    if (silent) return DiagBuilder(nullptr, -1);
    return diags_.report(id, r, args...);
  }
  bool lexer_reported(SourceLoc at) const;
  void poison() { in_error_ = true; }
  std::string describe(const Token& t) const;
  bool expect(TokenKind k, const char* what);
  bool expect_closing(TokenKind closer, const Token& opener);
  void skip_to_line_end();
  bool skip_balanced(TokenKind closer, bool* saw_colon = nullptr);
  void skip_indented_block();
  ast::ErrorExpr* error_expr(SourceLoc begin);

  // ---- parser.cpp: structure
  void parse_statements_until_dedent(ast::Block& out);
  void parse_statement_into(ast::Block& out);
  void parse_stray_indent(ast::Block& out);
  ast::Block parse_block(const std::string& after);
  void parse_indented_block_into(ast::Block& out);
  static std::string take_docstring(ast::Block& body);
  std::string on_line(const char* what, SourceLoc at) const;

  // ---- parse_stmt.cpp
  void parse_simple_statements(ast::Block& out);
  ast::Stmt* parse_simple_statement();
  ast::Stmt* parse_expression_statement();
  ast::Stmt* parse_assign_rest(SourceLoc begin, ast::Expr* first);
  ast::Stmt* parse_aug_assign_rest(SourceLoc begin, ast::Expr* target);
  ast::Stmt* parse_ann_assign_rest(SourceLoc begin, ast::Expr* target);
  ast::Stmt* parse_return();
  ast::Stmt* parse_assert();
  ast::Stmt* parse_keyword_statement(ast::Stmt* s);
  ast::Stmt* parse_compound_statement();
  ast::Stmt* parse_if();
  ast::Stmt* parse_for();
  ast::Stmt* parse_while();
  ast::Block parse_else_clause(SourceRange& else_range);
  ast::Expr* parse_header_expression();
  void expect_header_colon(const std::string& what);
  ast::Stmt* parse_unsupported_statement();
  ast::Stmt* parse_orphan_clause();
  void skip_clauses(std::initializer_list<TokenKind> kinds);
  bool check_assign_target(ast::Expr*& e);
  const char* invalid_target_kind(const ast::Expr* e) const;

  // ---- parse_decl.cpp
  ast::Stmt* parse_decorated();
  ast::Stmt* parse_function_def(SourceLoc begin, std::vector<ast::Expr*> decorators);
  void parse_params(std::vector<ast::Param>& params);
  bool parse_variadic_param();
  ast::Stmt* parse_class_def(SourceLoc begin, std::vector<ast::Expr*> decorators);
  void parse_class_bases(ast::ClassDefStmt* cls);
  ast::Stmt* parse_import();
  ast::Stmt* parse_import_from();
  bool parse_dotted_name(std::string& name, SourceRange& range);
  bool parse_import_alias(ast::ImportAlias& alias, bool dotted);

  // ---- parse_expr.cpp
  ast::Expr* parse_star_expressions();
  ast::Expr* parse_target_list();
  ast::Expr* parse_expression();
  ast::Expr* parse_ternary();
  ast::Expr* parse_or();
  ast::Expr* parse_and();
  ast::Expr* parse_not();
  ast::Expr* parse_comparison();
  ast::Expr* parse_bitor();
  ast::Expr* parse_bitxor();
  ast::Expr* parse_bitand();
  ast::Expr* parse_shift();
  ast::Expr* parse_sum();
  ast::Expr* parse_term();
  ast::Expr* parse_factor();
  ast::Expr* parse_power();
  ast::Expr* parse_primary();
  ast::Expr* parse_atom();
  ast::Expr* parse_number_or_constant();
  ast::Expr* parse_strings();
  ast::Expr* parse_paren();
  ast::Expr* parse_bracket_display();
  ast::Expr* parse_brace_display();
  ast::Expr* parse_overload_display(TokenKind closer);
  ast::Expr* parse_lambda();
  ast::Expr* parse_starred_element();
  ast::Expr* parse_call(SourceLoc begin, ast::Expr* func);
  bool parse_call_argument(ast::CallExpr* call, int& first_keyword);
  ast::Expr* parse_subscript(SourceLoc begin, ast::Expr* value);
  ast::Expr* parse_slice_item();
  ast::Expr* parse_binary_chain(ast::Expr* (Parser::*operand)(), ast::BinaryOp (*op_of)(TokenKind, bool&));
  ast::Expr* checked(ast::Expr* e, std::initializer_list<const ast::Expr*> kids);
  ast::Expr* checked(ast::Expr* e, const std::vector<ast::Expr*>& kids);
  int height(const ast::Expr* e) const;
  ast::Expr* reject_comprehension(SourceLoc begin, TokenKind closer, const char* what);
  ast::Expr* finish_comparison(ast::CompareExpr* cmp, ast::Expr* left);
  ast::Expr* checked_height(ast::Expr* e, int tallest_child);

  const std::vector<Token>& tokens_;
  size_t pos_ = 0;
  SourceLoc prev_end_;
  FileId file_;
  ast::ASTContext& ctx_;
  DiagnosticEngine& diags_;
  std::unordered_set<uint64_t> lexer_error_locs_;  // (file << 32 | offset) of lexer diagnostics
  std::unordered_map<const ast::Expr*, int> heights_;  // composite expressions only
  bool in_error_ = false;       // an error was reported in the current statement
  int overload_args_ = 0;       // > 0 inside the arguments of `wp.overload(…)`: displays parse
  bool last_stmt_failed_ = false;
  int nesting_ = 0;
  int block_depth_ = 0;
};

// Counts one level of recursion; reports "expression nesting is too deep"
// once the cap is passed (check ok() before recursing).
class NestingGuard {
 public:
  explicit NestingGuard(Parser& p);
  ~NestingGuard() { --p_.nesting_; }
  bool ok() const { return ok_; }

 private:
  Parser& p_;
  bool ok_;
};

}  // namespace warpc::parse_detail
