// lexer_print.cpp — `--emit=tokens`: the token stream as text, one token per
// line (format documented in lexer.h). Deterministic: the same input always
// prints the same bytes.
#include <cstdio>
#include <ostream>
#include <string>

#include "parse/lexer.h"

namespace warpc {

namespace {

// Backslashes as \\, control bytes as \n, \r, \t, \f, \v or \xHH, so every
// token prints on one line unambiguously; with `quote`, also '"' (for decoded
// string values printed inside "…").
std::string escape_text(std::string_view s, bool quote) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\f': out += "\\f"; continue;
      case '\v': out += "\\v"; continue;
      default: break;
    }
    if (c == '\\' || (quote && c == '"')) {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += {'\\', 'x', kHex[u >> 4], kHex[u & 15]};
    } else {
      out += c;
    }
  }
  return out;
}

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
