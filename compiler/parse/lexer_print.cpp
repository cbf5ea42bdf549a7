// lexer_print.cpp — `--emit=tokens`: the token stream as text, one token per
// line (format documented in lexer.h). Deterministic: the same input always
// prints the same bytes.
#include <cstdio>
#include <ostream>
#include <string>

#include "parse/lexer.h"
#include "support/text_escape.h"

namespace warpc {

namespace {

std::string literal_value(const Token& t) {
  switch (t.kind) {
    case TokenKind::IntLiteral:
      return t.int_overflow ? " = overflow" : " = " + std::to_string(t.int_value);
    case TokenKind::FloatLiteral: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", t.float_value);
      return std::string(" = ") + buf;
    }
    case TokenKind::StringLiteral:
      return " = \"" + escape_text(t.string_value, true) + "\"";
    default:
      return "";
  }
}

}  // namespace

void print_tokens(std::ostream& out, const std::vector<Token>& tokens, const SourceManager& sm) {
  for (const Token& t : tokens) {
    LineCol lc = sm.line_col(t.range.begin);
    out << lc.line << ':' << lc.col << ' ' << token_kind_name(t.kind);
    bool layout = t.is(TokenKind::Newline) || t.is(TokenKind::Indent) || t.is(TokenKind::Dedent) ||
                  t.is(TokenKind::EndOfFile);
    if (!layout && !t.text.empty()) out << " '" << escape_text(t.text, false) << '\'';
    out << literal_value(t) << '\n';
  }
}

}  // namespace warpc
