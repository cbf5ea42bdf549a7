// parser.cpp — the parser's entry point, token cursor, error reporting and
// recovery, and the block structure of a module (statements, indented
// blocks, docstrings). Statements live in parse_stmt.cpp, definitions and
// imports in parse_decl.cpp, expressions in parse_expr.cpp.
//
// Contract (see parser.h and parser_impl.h): parse_module() returns a Module
// for any token stream; each syntax error is reported once, located, and the
// parser resumes at the next logical line (or the next statement of the
// enclosing block after a stray indented block).
#include "parse/parser.h"

#include <fmt/format.h>

#include "parse/parser_impl.h"

namespace warpc {

ast::Module* parse_module(const std::vector<Token>& tokens, FileId file, std::string module_name,
                          ast::ASTContext& ctx, DiagnosticEngine& diags) {
  if (tokens.empty() || tokens.back().kind != TokenKind::EndOfFile) {
    // The lexer always ends the stream with END_OF_FILE; tolerate callers that do not.
    std::vector<Token> fixed = tokens;
    Token eof;
    eof.kind = TokenKind::EndOfFile;
    SourceLoc end = fixed.empty() ? SourceLoc{file, 0} : fixed.back().range.end;
    eof.range = SourceRange(end, end);
    fixed.push_back(eof);
    parse_detail::Parser parser(fixed, file, ctx, diags);
    return parser.parse_module(std::move(module_name));
  }
  parse_detail::Parser parser(tokens, file, ctx, diags);
  return parser.parse_module(std::move(module_name));
}

}  // namespace warpc

namespace warpc::parse_detail {

using namespace ast;

namespace {

uint64_t loc_key(SourceLoc at) { return (uint64_t{at.file} << 32) | at.offset; }

bool is_layout(TokenKind k) {
  return k == TokenKind::Newline || k == TokenKind::Indent || k == TokenKind::Dedent ||
         k == TokenKind::EndOfFile;
}

}  // namespace

// Tokens that can begin an expression (used to end tuples at trailing commas).
bool starts_expression(TokenKind k) {
  switch (k) {
    case TokenKind::Identifier:
    case TokenKind::IntLiteral:
    case TokenKind::FloatLiteral:
    case TokenKind::StringLiteral:
    case TokenKind::KwTrue:
    case TokenKind::KwFalse:
    case TokenKind::KwNone:
    case TokenKind::KwNot:
    case TokenKind::KwLambda:
    case TokenKind::KwAwait:
    case TokenKind::KwYield:
    case TokenKind::Ellipsis:
    case TokenKind::LParen:
    case TokenKind::LBracket:
    case TokenKind::LBrace:
    case TokenKind::Minus:
    case TokenKind::Plus:
    case TokenKind::Tilde:
    case TokenKind::Star:
    case TokenKind::Error: return true;
    default: return false;
  }
}

Parser::Parser(const std::vector<Token>& tokens, FileId file, ASTContext& ctx, DiagnosticEngine& diags)
    : tokens_(tokens), file_(file), ctx_(ctx), diags_(diags) {
  // Everything the lexer reported for this file: the parser stays silent about
  // tokens at those locations (one error per root cause).
  for (const Diagnostic& d : diags.diagnostics())
    if (d.severity == Severity::Error && d.range.valid() && d.range.begin.file == file)
      lexer_error_locs_.insert(loc_key(d.range.begin));
  prev_end_ = tokens.front().range.begin;
}

NestingGuard::NestingGuard(Parser& p) : p_(p), ok_(++p.nesting_ <= kMaxNesting) {
  if (!ok_) p.error(DiagId::err_nesting_too_deep, p.cur().range, "expression");
}

// ------------------------------------------------------------------ cursor

const Token& Parser::peek(size_t n) const {
  return pos_ + n < tokens_.size() ? tokens_[pos_ + n] : tokens_.back();
}

bool Parser::at_line_end() const {
  return at(TokenKind::Newline) || at(TokenKind::EndOfFile) || at(TokenKind::Indent) || at(TokenKind::Dedent);
}

const Token& Parser::advance() {
  const Token& t = tokens_[pos_];
  if (!is_layout(t.kind)) prev_end_ = t.range.end;
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return t;
}

bool Parser::accept(TokenKind k) {
  if (!at(k)) return false;
  advance();
  return true;
}

SourceRange Parser::since(SourceLoc begin) const {
  if (prev_end_.file != begin.file || prev_end_.offset < begin.offset) return SourceRange(begin, begin);
  return SourceRange(begin, prev_end_);
}

// Where to point when something is missing: at the offending token, or just
// after the previous token when the line (or file) ended early.
SourceRange Parser::error_spot() const {
  if (!at_line_end() || !prev_end_.valid()) return cur().range;
  return SourceRange(prev_end_);
}

// -------------------------------------------------- diagnostics and recovery

bool Parser::lexer_reported(SourceLoc at) const {
  return !lexer_error_locs_.empty() && lexer_error_locs_.count(loc_key(at)) > 0;
}

std::string Parser::describe(const Token& t) const {
  switch (t.kind) {
    case TokenKind::Identifier: return fmt::format("name '{}'", t.text);
    case TokenKind::IntLiteral: return "integer literal";
    case TokenKind::FloatLiteral: return "float literal";
    case TokenKind::StringLiteral: return "string literal";
    case TokenKind::Newline: return "end of line";
    case TokenKind::EndOfFile: return "end of file";
    case TokenKind::Indent: return "indented line";
    case TokenKind::Dedent: return "end of block";
    case TokenKind::Error: return "invalid token";
    default: break;
  }
  std::string_view spelling = token_kind_spelling(t.kind);
  return fmt::format("'{}'", spelling.empty() ? t.text : spelling);
}

// Consumes `k` or reports "expected <what>".
bool Parser::expect(TokenKind k, const char* what) {
  if (accept(k)) return true;
  if (at(TokenKind::Error)) poison();
  error(DiagId::err_expected, error_spot(), what);
  return false;
}

// Consumes the bracket closing `opener`, or reports it missing (unless the
// lexer already said the opener was never closed).
bool Parser::expect_closing(TokenKind closer, const Token& opener) {
  if (accept(closer)) return true;
  if (lexer_reported(opener.range.begin) || at(TokenKind::Error)) {
    poison();
    return false;
  }
  auto diag = error(DiagId::err_expected_closing, error_spot(), token_kind_spelling(closer), describe(cur()));
  diag.note(DiagId::note_opened_here, opener.range, token_kind_spelling(opener.kind));
  if (starts_expression(cur().kind)) diag.help("separate the items with ','");
  return false;
}

// Skips the rest of the logical line, including its NEWLINE.
void Parser::skip_to_line_end() {
  while (!at_line_end()) advance();
  accept(TokenKind::Newline);
}

// With the opening bracket consumed, skips to just past its closer (or to the
// end of the line). Returns true if a 'for' (a comprehension) appears at the
// top level of the brackets; `saw_colon` reports a top-level ':'.
bool Parser::skip_balanced(TokenKind closer, bool* saw_colon) {
  int depth = 0;
  bool saw_for = false;
  while (!at_line_end()) {
    TokenKind k = cur().kind;
    if (k == TokenKind::LParen || k == TokenKind::LBracket || k == TokenKind::LBrace) ++depth;
    if (k == TokenKind::RParen || k == TokenKind::RBracket || k == TokenKind::RBrace) {
      if (depth == 0) {
        if (k == closer) advance();
        return saw_for;
      }
      --depth;
    }
    if (depth == 0 && k == TokenKind::KwFor) saw_for = true;
    if (depth == 0 && k == TokenKind::Colon && saw_colon) *saw_colon = true;
    advance();
  }
  return saw_for;
}

// At an INDENT: skips the whole indented block (nested blocks included).
void Parser::skip_indented_block() {
  int depth = 0;
  do {
    if (at(TokenKind::Indent)) ++depth;
    if (at(TokenKind::Dedent)) --depth;
    advance();
  } while (depth > 0 && !at(TokenKind::EndOfFile));
}

ErrorExpr* Parser::error_expr(SourceLoc begin) {
  poison();
  return make<ErrorExpr>(begin);
}

// ---------------------------------------------------------------- structure

// module: statement* END_OF_FILE
Module* Parser::parse_module(std::string name) {
  Module* m = ctx_.make_module();
  m->name = std::move(name);
  m->file = file_;
  while (!at(TokenKind::EndOfFile)) {
    if (at(TokenKind::Dedent) || at(TokenKind::Newline)) {
      advance();  // unbalanced layout after a lexer error
      continue;
    }
    parse_statement_into(m->body);
  }
  m->docstring = take_docstring(m->body);
  return m;
}

// statements: statement* (up to the DEDENT closing the block)
void Parser::parse_statements_until_dedent(Block& out) {
  while (!at(TokenKind::Dedent) && !at(TokenKind::EndOfFile)) {
    if (at(TokenKind::Newline)) {
      advance();
      continue;
    }
    parse_statement_into(out);
  }
}

// statement: compound_stmt | simple_stmts
void Parser::parse_statement_into(Block& out) {
  size_t start = pos_;
  in_error_ = false;
  if (at(TokenKind::Indent)) {
    parse_stray_indent(out);
  } else if (Stmt* s = parse_compound_statement()) {
    out.push_back(s);
  } else {
    parse_simple_statements(out);
  }
  last_stmt_failed_ = in_error_;
  if (pos_ == start) advance();  // always make progress
}

// An indented block where none may start: reported once (unless the line
// before it already failed, which usually explains it) and parsed as part of
// the enclosing block so the statements in it are still checked.
void Parser::parse_stray_indent(Block& out) {
  if (!last_stmt_failed_) error(DiagId::err_unexpected_indent, peek().range);
  parse_indented_block_into(out);
}

// block: NEWLINE INDENT statements DEDENT | simple_stmts
// `after` names the owner for "expected an indented block after …".
Block Parser::parse_block(const std::string& after) {
  Block body;
  in_error_ = false;
  if (accept(TokenKind::Newline)) {
    if (at(TokenKind::Indent))
      parse_indented_block_into(body);
    else  // at the end of the file, point just past the header's ':'
      error(DiagId::err_expected_indented_block, at(TokenKind::EndOfFile) ? error_spot() : cur().range, after);
  } else if (at(TokenKind::EndOfFile) || at(TokenKind::Dedent) || at(TokenKind::Indent)) {
    error(DiagId::err_expected_indented_block, error_spot(), after);
  } else {
    parse_simple_statements(body);
  }
  in_error_ = false;
  return body;
}

// At an INDENT: the statements of the block, up to and including its DEDENT.
void Parser::parse_indented_block_into(Block& out) {
  if (block_depth_ >= kMaxBlockDepth) {
    in_error_ = false;
    error(DiagId::err_nesting_too_deep, peek().range, "block");
    skip_indented_block();
    return;
  }
  ++block_depth_;
  advance();  // INDENT
  parse_statements_until_dedent(out);
  accept(TokenKind::Dedent);
  --block_depth_;
}

// Removes a leading string-literal expression statement from `body` and
// returns its text ("" when there is none).
std::string Parser::take_docstring(Block& body) {
  if (body.empty()) return "";
  auto* s = body.front()->as<ExprStmt>();
  if (!s) return "";
  auto* str = s->value->as<StringLitExpr>();
  if (!str) return "";
  std::string text = str->value;
  body.erase(body.begin());
  return text;
}

// "'for' statement on line 3", for messages about a statement's header.
std::string Parser::on_line(const char* what, SourceLoc at) const {
  return fmt::format("{} on line {}", what, diags_.sources().line_col(at).line);
}

}  // namespace warpc::parse_detail
