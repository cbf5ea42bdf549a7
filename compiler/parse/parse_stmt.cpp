// parse_stmt.cpp — statements: simple statements (expressions, assignments,
// return, assert, pass, break, continue, imports via parse_decl.cpp) and the
// compound statements if/elif/else, for and while; plus the Python
// statements outside Warp's language, which are reported and skipped.
//
// Contract: each function parses one production (written above it, in the
// notation of Python's grammar) starting at the current token. Invalid
// assignment targets are reported and replaced by ErrorExpr nodes.
#include <fmt/format.h>

#include "parse/parser_impl.h"

namespace warpc::parse_detail {

using namespace ast;

namespace {

// The operator of an augmented-assignment token, if it is one.
bool aug_assign_op(TokenKind k, BinaryOp& op) {
  switch (k) {
    case TokenKind::PlusEq: op = BinaryOp::Add; return true;
    case TokenKind::MinusEq: op = BinaryOp::Sub; return true;
    case TokenKind::StarEq: op = BinaryOp::Mul; return true;
    case TokenKind::AtEq: op = BinaryOp::MatMul; return true;
    case TokenKind::SlashEq: op = BinaryOp::Div; return true;
    case TokenKind::DoubleSlashEq: op = BinaryOp::FloorDiv; return true;
    case TokenKind::PercentEq: op = BinaryOp::Mod; return true;
    case TokenKind::DoubleStarEq: op = BinaryOp::Pow; return true;
    case TokenKind::LShiftEq: op = BinaryOp::LShift; return true;
    case TokenKind::RShiftEq: op = BinaryOp::RShift; return true;
    case TokenKind::AmpEq: op = BinaryOp::BitAnd; return true;
    case TokenKind::PipeEq: op = BinaryOp::BitOr; return true;
    case TokenKind::CaretEq: op = BinaryOp::BitXor; return true;
    default: return false;
  }
}

// Help for each Python statement Warp code cannot contain.
const char* unsupported_statement_help(TokenKind k) {
  switch (k) {
    case TokenKind::KwTry:
      return "Warp code has no exceptions; test error conditions with 'if', or check them with 'assert'";
    case TokenKind::KwWith: return "'with' blocks belong in host Python code; write the body without it";
    case TokenKind::KwRaise:
      return "Warp code has no exceptions; use 'assert' to check a condition (checked in debug builds)";
    case TokenKind::KwDel: return "local variables end with their function; remove the 'del'";
    case TokenKind::KwGlobal:
    case TokenKind::KwNonlocal:
      return "module-level names are compile-time constants in Warp code; pass mutable state in an array argument";
    case TokenKind::KwAsync: return "kernels already run in parallel when launched; remove 'async'";
    default: return "";
  }
}

bool is_block_statement(TokenKind k) {
  return k == TokenKind::KwTry || k == TokenKind::KwWith || k == TokenKind::KwAsync;
}

}  // namespace

// simple_stmts: simple_stmt (';' simple_stmt)* [';'] NEWLINE
void Parser::parse_simple_statements(Block& out) {
  for (;;) {
    out.push_back(parse_simple_statement());
    if (in_error_) {
      skip_to_line_end();
      return;
    }
    if (!accept(TokenKind::Semicolon)) break;
    if (at_line_end()) break;
  }
  if (accept(TokenKind::Newline) || at(TokenKind::EndOfFile) || at(TokenKind::Dedent)) return;
  error(DiagId::err_expected_end_of_statement, cur().range, describe(cur()));
  skip_to_line_end();
}

// simple_stmt: assignment | star_expressions | return_stmt | import_stmt
//            | 'pass' | 'break' | 'continue' | assert_stmt
//            | del_stmt | raise_stmt | global_stmt | nonlocal_stmt   (rejected)
Stmt* Parser::parse_simple_statement() {
  switch (cur().kind) {
    case TokenKind::KwPass: return parse_keyword_statement(ctx_.make<PassStmt>(cur().range));
    case TokenKind::KwBreak: return parse_keyword_statement(ctx_.make<BreakStmt>(cur().range));
    case TokenKind::KwContinue: return parse_keyword_statement(ctx_.make<ContinueStmt>(cur().range));
    case TokenKind::KwReturn: return parse_return();
    case TokenKind::KwAssert: return parse_assert();
    case TokenKind::KwImport: return parse_import();
    case TokenKind::KwFrom: return parse_import_from();
    case TokenKind::KwDel:
    case TokenKind::KwRaise:
    case TokenKind::KwGlobal:
    case TokenKind::KwNonlocal: return parse_unsupported_statement();
    default: return parse_expression_statement();
  }
}

// 'pass' | 'break' | 'continue'  (the node is made from the keyword token)
Stmt* Parser::parse_keyword_statement(Stmt* s) {
  advance();
  return s;
}

// expression_stmt: star_expressions
// assignment: (star_targets '=')+ star_expressions
//           | single_target ':' expression ['=' star_expressions]
//           | single_target augassign star_expressions
Stmt* Parser::parse_expression_statement() {
  SourceLoc begin = here();
  Expr* first = parse_star_expressions();
  if (!in_error_) {
    BinaryOp op;
    if (at(TokenKind::Assign)) return parse_assign_rest(begin, first);
    if (at(TokenKind::Colon)) return parse_ann_assign_rest(begin, first);
    if (aug_assign_op(cur().kind, op)) return parse_aug_assign_rest(begin, first);
  }
  auto* s = make<ExprStmt>(begin);
  s->value = first;
  return s;
}

// (star_targets '=')+ star_expressions   — `a = b = c` has two targets
Stmt* Parser::parse_assign_rest(SourceLoc begin, Expr* first) {
  std::vector<Expr*> targets = {first};
  Expr* value = nullptr;
  while (accept(TokenKind::Assign)) {
    Expr* rhs = parse_star_expressions();
    if (in_error_ || !at(TokenKind::Assign)) {
      value = rhs;
      break;
    }
    targets.push_back(rhs);
  }
  for (Expr*& t : targets) {
    if (in_error_) break;
    check_assign_target(t);
  }
  auto* s = make<AssignStmt>(begin);
  s->targets = std::move(targets);
  s->value = value;
  return s;
}

// single_target augassign star_expressions
// augassign: '+=' | '-=' | '*=' | '@=' | '/=' | '%=' | '&=' | '|=' | '^='
//          | '<<=' | '>>=' | '**=' | '//='
Stmt* Parser::parse_aug_assign_rest(SourceLoc begin, Expr* target) {
  auto* s = make<AugAssignStmt>(begin);
  aug_assign_op(cur().kind, s->op);
  s->op_range = cur().range;
  std::string_view op_text = cur().text;
  advance();
  ExprKind k = target->kind;
  if (k != ExprKind::Name && k != ExprKind::Attribute && k != ExprKind::Subscript && k != ExprKind::Error) {
    const char* what = k == ExprKind::Tuple ? "a tuple" : invalid_target_kind(target);
    error(DiagId::err_invalid_assign_target, target->range, fmt::format("cannot use {} with '{}'", what, op_text))
        .help("augmented assignment updates a single name, attribute ('a.x') or subscript ('a[i]')");
    target = ctx_.make<ErrorExpr>(target->range);
  }
  s->target = target;
  s->value = parse_star_expressions();
  s->range = since(begin);
  return s;
}

// single_target ':' expression ['=' star_expressions]
Stmt* Parser::parse_ann_assign_rest(SourceLoc begin, Expr* target) {
  advance();  // ':'
  ExprKind k = target->kind;
  if (k != ExprKind::Name && k != ExprKind::Attribute && k != ExprKind::Subscript && k != ExprKind::Error) {
    error(DiagId::err_invalid_assign_target, target->range,
          "only a single name, attribute or subscript can be annotated");
    target = ctx_.make<ErrorExpr>(target->range);
  }
  auto* s = make<AnnAssignStmt>(begin);
  s->target = target;
  s->annotation = parse_expression();
  if (!in_error_ && accept(TokenKind::Assign)) s->value = parse_star_expressions();
  s->range = since(begin);
  return s;
}

// Reports `e` if it cannot be assigned to and replaces it by poison; tuples are
// checked element-wise, so the valid names of `i, True, j = …` are still bound.
bool Parser::check_assign_target(Expr*& e) {
  switch (e->kind) {
    case ExprKind::Name:
    case ExprKind::Attribute:
    case ExprKind::Subscript: return true;
    case ExprKind::Error: poison(); return false;
    case ExprKind::Tuple: {
      bool ok = true;
      for (Expr*& elt : e->as<TupleExpr>()->elts) ok = check_assign_target(elt) && ok;
      return ok;
    }
    default:
      error(DiagId::err_invalid_assign_target, e->range, fmt::format("cannot assign to {}", invalid_target_kind(e)))
          .help("only names, attributes ('a.x'), subscripts ('a[i]') and tuples of them can be assigned to");
      e = ctx_.make<ErrorExpr>(e->range);
      return false;
  }
}

// "a function call", "a literal" … for messages about bad targets.
const char* Parser::invalid_target_kind(const Expr* e) const {
  switch (e->kind) {
    case ExprKind::IntLit:
    case ExprKind::FloatLit:
    case ExprKind::StringLit: return "a literal";
    case ExprKind::BoolLit: return e->as<BoolLitExpr>()->value ? "'True'" : "'False'";
    case ExprKind::NoneLit: return "'None'";
    case ExprKind::EllipsisLit: return "'...'";
    case ExprKind::Call: return "a function call";
    case ExprKind::Binary:
    case ExprKind::Unary: return "an operator expression";
    case ExprKind::BoolOp: return "a boolean expression";
    case ExprKind::Compare: return "a comparison";
    case ExprKind::IfExp: return "a conditional expression";
    case ExprKind::Slice: return "a slice";
    case ExprKind::Tuple: return "a tuple";
    default: return "this expression";
  }
}

// return_stmt: 'return' [star_expressions]
Stmt* Parser::parse_return() {
  SourceLoc begin = here();
  advance();
  Expr* value = nullptr;
  if (!at_line_end() && !at(TokenKind::Semicolon)) value = parse_star_expressions();
  auto* s = make<ReturnStmt>(begin);
  s->value = value;
  return s;
}

// assert_stmt: 'assert' expression [',' expression]
Stmt* Parser::parse_assert() {
  SourceLoc begin = here();
  advance();
  Expr* cond = parse_expression();
  Expr* msg = nullptr;
  if (!in_error_ && accept(TokenKind::Comma)) msg = parse_expression();
  auto* s = make<AssertStmt>(begin);
  s->cond = cond;
  s->msg = msg;
  return s;
}

// compound_stmt: function_def | if_stmt | class_def | for_stmt | while_stmt
//              | try_stmt | with_stmt | async_stmt   (the last three rejected)
// Returns nullptr when the current token starts a simple statement.
Stmt* Parser::parse_compound_statement() {
  switch (cur().kind) {
    case TokenKind::KwIf: return parse_if();
    case TokenKind::KwFor: return parse_for();
    case TokenKind::KwWhile: return parse_while();
    case TokenKind::KwDef: return parse_function_def(here(), {});
    case TokenKind::KwClass: return parse_class_def(here(), {});
    case TokenKind::At: return parse_decorated();
    case TokenKind::KwTry:
    case TokenKind::KwWith:
    case TokenKind::KwAsync: return parse_unsupported_statement();
    case TokenKind::KwElif:
    case TokenKind::KwElse:
    case TokenKind::KwExcept:
    case TokenKind::KwFinally: return parse_orphan_clause();
    default: return nullptr;
  }
}

// if_stmt: 'if' named_expression ':' block (elif_stmt | [else_block])
// elif_stmt: 'elif' named_expression ':' block (elif_stmt | [else_block])
// else_block: 'else' ':' block
// An elif chain is parsed iteratively (each `elif` becomes the single IfStmt
// in its predecessor's orelse) so long chains cannot exhaust the stack.
Stmt* Parser::parse_if() {
  std::vector<std::pair<IfStmt*, SourceLoc>> chain;
  IfStmt* last = nullptr;
  do {
    SourceLoc begin = here();
    bool is_elif = advance().kind == TokenKind::KwElif;
    auto* s = ctx_.make<IfStmt>(SourceRange(begin));
    s->is_elif = is_elif;
    const char* kw = is_elif ? "'elif'" : "'if'";
    s->cond = parse_header_expression();
    expect_header_colon(fmt::format("{} condition", kw));
    s->body = parse_block(on_line(is_elif ? "'elif' statement" : "'if' statement", begin));
    if (last) last->orelse.push_back(s);
    last = s;
    chain.emplace_back(s, begin);
    if (chain.size() > static_cast<size_t>(kMaxExprHeight) && at(TokenKind::KwElif)) {
      in_error_ = false;
      error(DiagId::err_nesting_too_deep, cur().range, "'elif' chain");
      skip_clauses({TokenKind::KwElif, TokenKind::KwElse});
      break;
    }
  } while (at(TokenKind::KwElif));
  if (at(TokenKind::KwElse)) {
    SourceLoc else_at = here();
    advance();
    expect_header_colon("'else'");
    last->orelse = parse_block(on_line("'else' clause", else_at));
  }
  for (auto& [s, begin] : chain) s->range = since(begin);
  return chain.front().first;
}

// for_stmt: 'for' star_targets 'in' star_expressions ':' block [else_block]
Stmt* Parser::parse_for() {
  SourceLoc begin = here();
  advance();
  auto* s = ctx_.make<ForStmt>(SourceRange(begin));
  s->target = parse_target_list();
  if (!in_error_) check_assign_target(s->target);
  if (accept(TokenKind::KwIn)) {
    s->iter = parse_star_expressions();
  } else {
    if (at(TokenKind::Error)) poison();
    error(DiagId::err_expected, error_spot(), "'in' after the 'for' loop variable");
    s->iter = ctx_.make<ErrorExpr>(error_spot());
  }
  expect_header_colon("'for' loop header");
  s->body = parse_block(on_line("'for' statement", begin));
  s->orelse = parse_else_clause(s->else_range);
  s->range = since(begin);
  return s;
}

// while_stmt: 'while' named_expression ':' block [else_block]
Stmt* Parser::parse_while() {
  SourceLoc begin = here();
  advance();
  auto* s = ctx_.make<WhileStmt>(SourceRange(begin));
  s->cond = parse_header_expression();
  expect_header_colon("'while' condition");
  s->body = parse_block(on_line("'while' statement", begin));
  s->orelse = parse_else_clause(s->else_range);
  s->range = since(begin);
  return s;
}

// else_block: 'else' ':' block   (of a loop; kept for sema to reject)
Block Parser::parse_else_clause(SourceRange& else_range) {
  if (!at(TokenKind::KwElse)) return {};
  else_range = cur().range;
  advance();
  expect_header_colon("'else'");
  return parse_block(on_line("'else' clause", else_range.begin));
}

// named_expression in a statement header; `if x = 1:` gets a targeted error.
Expr* Parser::parse_header_expression() {
  SourceLoc begin = here();
  Expr* e = parse_expression();
  if (!in_error_ && at(TokenKind::Assign)) {
    error(DiagId::err_assign_in_expression, cur().range).help("use '==' to compare values");
    return ctx_.make<ErrorExpr>(since(begin));
  }
  return e;
}

// The ':' ending a compound statement's header. When it is missing (or the
// header had an error) the rest of the header line is skipped; the block
// that follows is still parsed.
void Parser::expect_header_colon(const std::string& what) {
  if (accept(TokenKind::Colon)) return;
  if (at(TokenKind::Error)) poison();
  error(DiagId::err_expected_colon, error_spot(), what);
  while (!at_line_end() && !at(TokenKind::Colon)) advance();
  accept(TokenKind::Colon);
}

// try_stmt | with_stmt | async_stmt | del_stmt | raise_stmt | global_stmt | nonlocal_stmt
// Reported once at the keyword; the statement, its indented block and (for
// `try`) its except/else/finally clauses are skipped.
Stmt* Parser::parse_unsupported_statement() {
  const Token& kw = cur();
  TokenKind k = kw.kind;
  SourceLoc begin = here();
  error(DiagId::err_unsupported_statement, kw.range, token_kind_spelling(k)).help(unsupported_statement_help(k));
  if (!is_block_statement(k)) {
    while (!at_line_end() && !at(TokenKind::Semicolon)) advance();
    return make<ErrorStmt>(begin);
  }
  skip_to_line_end();
  if (at(TokenKind::Indent)) skip_indented_block();
  if (k == TokenKind::KwTry) skip_clauses({TokenKind::KwExcept, TokenKind::KwElse, TokenKind::KwFinally});
  return make<ErrorStmt>(begin);
}

// Skips every following clause (header line and block) that starts with one
// of `kinds`: the rest of a statement already reported.
void Parser::skip_clauses(std::initializer_list<TokenKind> kinds) {
  auto at_clause = [&] {
    for (TokenKind k : kinds)
      if (at(k)) return true;
    return false;
  };
  while (at_clause()) {
    skip_to_line_end();
    if (at(TokenKind::Indent)) skip_indented_block();
  }
}

// An elif/else/except/finally clause with no statement to attach to: reported
// and skipped together with its block.
Stmt* Parser::parse_orphan_clause() {
  const Token& kw = cur();
  SourceLoc begin = here();
  const char* owner = "'if'";
  if (kw.kind == TokenKind::KwElse) owner = "'if', 'for' or 'while'";
  if (kw.kind == TokenKind::KwExcept || kw.kind == TokenKind::KwFinally) owner = "'try'";
  error(DiagId::err_orphan_clause, kw.range, token_kind_spelling(kw.kind), owner);
  skip_to_line_end();
  if (at(TokenKind::Indent)) skip_indented_block();
  return make<ErrorStmt>(begin);
}

}  // namespace warpc::parse_detail
