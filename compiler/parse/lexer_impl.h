// lexer_impl.h — the Lexer class shared by the lexer's source files
// (private to compiler/parse; use lexer.h).
//
// Contract: one Lexer scans one buffer once. lexer.cpp owns the driver loop,
// line structure (NEWLINE/INDENT/DEDENT, brackets, continuations),
// identifiers and punctuation; lexer_literals.cpp owns numbers and strings.
// Every scanning routine advances pos_ by at least one byte, so the loop
// always terminates, and reports problems with located diagnostics.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parse/token.h"
#include "support/diagnostics.h"

namespace warpc::lexer_detail {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_ident_start(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || u >= 0x80;
}
inline bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

// What a string literal's prefix letters (r, b, f, u in any case) ask for.
struct StringPrefix {
  bool raw = false;
  bool bytes = false;
  bool format = false;
};

class Lexer {
 public:
  Lexer(const SourceManager& sm, FileId file, DiagnosticEngine& diags);
  std::vector<Token> run();

 private:
  // One entry of the indentation stack. `col` counts a tab to the next
  // multiple of 8, `alt_col` counts it as 1: when comparisons of the two
  // disagree, the indentation depends on the tab width. A phantom level was
  // adopted after a bad dedent and owns no INDENT token.
  struct IndentLevel {
    uint32_t col = 0;
    uint32_t alt_col = 0;
    bool phantom = false;
  };
  struct OpenBracket {
    char ch;
    uint32_t offset;
  };

  // lexer.cpp — driver and line structure.
  void lex_one();
  void lex_indentation();
  void apply_indentation(uint32_t col, uint32_t alt_col, uint32_t line_begin);
  bool dedent_to(uint32_t col, uint32_t alt_col);
  void lex_newline();
  void lex_backslash();
  void lex_identifier();
  void lex_punctuation();
  void track_bracket(Token& tok);
  void finish();

  // lexer_literals.cpp — numbers and strings.
  void lex_number();
  void lex_radix_int(uint32_t start);
  void lex_decimal(uint32_t start);
  bool scan_digits(int base);
  void finish_bad_number(uint32_t start, int base);
  void lex_string(uint32_t start, StringPrefix prefix);
  bool scan_string_body(uint32_t quote_at, bool triple, StringPrefix prefix, std::string& value);
  void decode_escape(StringPrefix prefix, std::string& value);
  void decode_hex_escape(char kind, int digits, StringPrefix prefix, std::string& value);

  // Helpers.
  char peek(uint32_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }
  bool at_end(uint32_t ahead = 0) const { return pos_ + ahead >= src_.size(); }
  bool at_newline() const { return peek() == '\n' || peek() == '\r'; }
  uint32_t newline_length() const { return peek() == '\r' && peek(1) == '\n' ? 2 : 1; }
  SourceLoc loc(uint32_t offset) const { return SourceLoc{file_, offset}; }
  SourceRange range(uint32_t b, uint32_t e) const { return SourceRange(loc(b), loc(e)); }
  Token& emit(TokenKind kind, uint32_t begin, uint32_t end);
  void emit_layout(TokenKind kind, uint32_t at);

  const SourceManager& sm_;
  FileId file_;
  DiagnosticEngine& diags_;
  std::string_view src_;
  uint32_t pos_ = 0;
  std::vector<Token> tokens_;
  std::vector<IndentLevel> indents_;
  std::vector<OpenBracket> brackets_;
  bool at_line_start_ = true;     // the next physical line begins a logical line
  bool line_has_tokens_ = false;  // the current logical line produced a token
};

}  // namespace warpc::lexer_detail
