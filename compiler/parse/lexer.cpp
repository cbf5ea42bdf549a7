// lexer.cpp — the lexer's driver: line structure (NEWLINE, INDENT, DEDENT,
// bracket joining, backslash continuations), comments, identifiers, keywords
// and punctuation. Numbers and strings are in lexer_literals.cpp, the
// `--emit=tokens` printer in lexer_print.cpp.
//
// Contract (see lexer.h): Python 3 tokenize semantics for the subset; every
// malformed input gets a located diagnostic and lexing continues.
#include "parse/lexer.h"

#include <algorithm>
#include <array>
#include <optional>

#include "parse/lexer_impl.h"
#include "support/utf8.h"

#include <fmt/format.h>

namespace warpc {

namespace lexer_detail {

namespace {

struct Spelled {
  std::string_view spelling;
  TokenKind kind;
};

bool is_word(std::string_view s) { return !s.empty() && is_ident_start(s[0]); }

// Keywords and punctuators from the token table, punctuators longest first so
// the first match is the maximal munch.
const std::vector<Spelled>& spelled_kinds(bool keywords) {
  static const auto tables = [] {
    std::array<std::vector<Spelled>, 2> t;  // [0] punctuation, [1] keywords
#define X(kind, name, spelling)                                     \
  if (std::string_view(spelling).size())                            \
    t[is_word(spelling)].push_back({spelling, TokenKind::kind});
    WARPC_TOKEN_KINDS(X)
#undef X
    std::stable_sort(t[0].begin(), t[0].end(),
                     [](const Spelled& a, const Spelled& b) { return a.spelling.size() > b.spelling.size(); });
    return t;
  }();
  return tables[keywords ? 1 : 0];
}

std::optional<TokenKind> keyword_kind(std::string_view word) {
  for (const Spelled& s : spelled_kinds(true))
    if (s.spelling == word) return s.kind;
  return std::nullopt;
}

// r, u, f, b alone or as rb/br/rf/fr in any case; anything else is a name.
std::optional<StringPrefix> string_prefix(std::string_view word) {
  if (word.empty() || word.size() > 2) return std::nullopt;
  StringPrefix p;
  bool unicode = false;
  for (char c : word) {
    char l = static_cast<char>(c | 0x20);
    bool* flag = l == 'r' ? &p.raw : l == 'b' ? &p.bytes : l == 'f' ? &p.format : l == 'u' ? &unicode : nullptr;
    if (!flag || *flag) return std::nullopt;
    *flag = true;
  }
  if (unicode && word.size() > 1) return std::nullopt;
  if (p.bytes && p.format) return std::nullopt;
  return p;
}

char closer_of(char open) { return open == '(' ? ')' : open == '[' ? ']' : '}'; }

TokenKind closer_kind(char open) {
  return open == '(' ? TokenKind::RParen : open == '[' ? TokenKind::RBracket : TokenKind::RBrace;
}

// A byte as it should appear inside a message: printable ASCII as itself,
// anything else as \xHH.
std::string printable_char(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  static const char kHex[] = "0123456789abcdef";
  return std::string{'\\', 'x', kHex[u >> 4], kHex[u & 15]};
}

}  // namespace

Lexer::Lexer(const SourceManager& sm, FileId file, DiagnosticEngine& diags)
    : sm_(sm), file_(file), diags_(diags), src_(sm.text(file)) {
  indents_.push_back({});
  if (src_.starts_with("\xEF\xBB\xBF")) pos_ = 3;  // a UTF-8 byte-order mark is not source
  // Python decodes a source file as UTF-8 and rejects it whole when that fails: one error, at
  // the first byte that does not decode (identifiers holding it become Error tokens).
  if (std::size_t bad = first_invalid_utf8(src_); bad != std::string_view::npos) {
    static const char kHex[] = "0123456789abcdef";
    const auto u = static_cast<unsigned char>(src_[bad]);
    const uint32_t at = static_cast<uint32_t>(bad);
    diags_.report(DiagId::err_invalid_utf8, range(at, at + 1), std::string{kHex[u >> 4], kHex[u & 15]});
  }
}

std::vector<Token> Lexer::run() {
  while (!at_end()) lex_one();
  finish();
  return std::move(tokens_);
}

Token& Lexer::emit(TokenKind kind, uint32_t begin, uint32_t end) {
  Token& t = tokens_.emplace_back();
  t.kind = kind;
  t.range = range(begin, end);
  t.text = src_.substr(begin, end - begin);
  line_has_tokens_ = true;
  return t;
}

// INDENT/DEDENT (and synthesized tokens) are zero-width at `at`.
void Lexer::emit_layout(TokenKind kind, uint32_t at) {
  Token& t = tokens_.emplace_back();
  t.kind = kind;
  t.range = range(at, at);
  t.text = src_.substr(at, 0);
}

// Dispatches on the next byte; every branch consumes at least one byte or
// leaves the start of a logical line.
void Lexer::lex_one() {
  if (at_line_start_) return lex_indentation();
  char c = peek();
  if (c == ' ' || c == '\t' || c == '\f') {
    ++pos_;
  } else if (c == '#') {
    while (!at_end() && !at_newline()) ++pos_;
  } else if (c == '\n' || c == '\r') {
    lex_newline();
  } else if (c == '\\') {
    lex_backslash();
  } else if (c == '\'' || c == '"') {
    lex_string(pos_, StringPrefix{});
  } else if (is_digit(c) || (c == '.' && is_digit(peek(1)))) {
    lex_number();
  } else if (is_ident_start(c)) {
    lex_identifier();
  } else {
    lex_punctuation();
  }
}

// indentation ::= (' ' | '\t' | '\f')*   at the start of a logical line.
// Blank and comment-only lines are skipped without producing tokens.
void Lexer::lex_indentation() {
  uint32_t line_begin = pos_;
  uint32_t col = 0, alt_col = 0;
  for (; !at_end(); ++pos_) {
    char c = peek();
    if (c == ' ') {
      ++col, ++alt_col;
    } else if (c == '\t') {
      col = (col / 8 + 1) * 8, ++alt_col;
    } else if (c == '\f') {
      col = alt_col = 0;  // a form feed resets the count, as in Python
    } else {
      break;
    }
  }
  if (peek() == '#')
    while (!at_end() && !at_newline()) ++pos_;
  if (at_end()) return;
  if (at_newline()) {
    pos_ += newline_length();
    return;
  }
  at_line_start_ = false;
  apply_indentation(col, alt_col, line_begin);
}

// Compares a new line's indentation with the stack: equal → nothing, deeper →
// INDENT, shallower → DEDENTs. Tab-width dependence is reported once per
// level (the level then adopts the new spelling).
void Lexer::apply_indentation(uint32_t col, uint32_t alt_col, uint32_t line_begin) {
  IndentLevel& top = indents_.back();
  bool tab_ambiguous = false;
  if (col == top.col) {
    tab_ambiguous = alt_col != top.alt_col;
    top.alt_col = alt_col;
  } else if (col > top.col) {
    tab_ambiguous = alt_col <= top.alt_col;
    indents_.push_back({col, alt_col, false});
    emit_layout(TokenKind::Indent, pos_);
  } else {
    tab_ambiguous = dedent_to(col, alt_col);
  }
  if (tab_ambiguous)
    diags_.report(DiagId::err_inconsistent_tabs, range(line_begin, pos_))
        .help("the indentation depends on how wide a tab is; indent with spaces only");
}

// Pops levels deeper than `col`, one DEDENT each. A column between two levels
// is an error; it is adopted as a phantom level so the following lines of the
// same block agree with it. Returns whether tabs made the result ambiguous.
bool Lexer::dedent_to(uint32_t col, uint32_t alt_col) {
  while (indents_.size() > 1 && col < indents_.back().col) {
    if (!indents_.back().phantom) emit_layout(TokenKind::Dedent, pos_);
    indents_.pop_back();
  }
  IndentLevel& top = indents_.back();
  if (col != top.col) {
    diags_.report(DiagId::err_bad_dedent, SourceRange(loc(pos_)))
        .help("indent this line exactly as deep as one of the enclosing blocks");
    indents_.push_back({col, alt_col, true});
    return false;
  }
  bool ambiguous = alt_col != top.alt_col;
  top.alt_col = alt_col;
  return ambiguous;
}

// A physical newline ends the logical line unless a bracket is open.
void Lexer::lex_newline() {
  uint32_t start = pos_;
  pos_ += newline_length();
  if (!brackets_.empty()) return;
  if (line_has_tokens_) {
    emit(TokenKind::Newline, start, pos_);
    line_has_tokens_ = false;
  }
  at_line_start_ = true;
}

// '\' newline joins two physical lines; a backslash anywhere else is an error.
void Lexer::lex_backslash() {
  uint32_t at = pos_++;
  if (at_newline()) {
    pos_ += newline_length();
    return;
  }
  if (at_end()) {
    diags_.report(DiagId::err_backslash_at_eof, range(at, at + 1));
    return;
  }
  diags_.report(DiagId::err_stray_backslash, range(at, at + 1))
      .help("a line continuation backslash must be the last character on the line");
  emit(TokenKind::Error, at, at + 1);
}

// identifier ::= (letter | '_' | byte>=0x80) (letter | digit | '_' | byte>=0x80)*
// A string prefix (r, b, f, u, rb, …) directly followed by a quote starts a string.
// Non-ASCII characters must be letters, digits or marks that C++ accepts in identifiers too
// (support/utf8.h): another one is reported (bytes that are not UTF-8 were reported once, by
// the constructor), and the word still lexes as an identifier, so parsing goes on without
// follow-on errors; the reported error keeps the module from code generation.
void Lexer::lex_identifier() {
  uint32_t start = pos_;
  while (!at_end() && is_ident_char(peek())) ++pos_;
  std::string_view word = src_.substr(start, pos_ - start);
  if (peek() == '\'' || peek() == '"') {
    if (std::optional<StringPrefix> prefix = string_prefix(word)) return lex_string(start, *prefix);
  }
  for (std::size_t i = 0; i < word.size();) {
    if (static_cast<unsigned char>(word[i]) < 0x80) {
      ++i;
      continue;
    }
    const Utf8Char c = decode_utf8(word, i);
    if (c.length == 0) break;
    if (!identifier_code_point(c.code_point, i == 0)) {
      const uint32_t at = start + static_cast<uint32_t>(i);
      diags_.report(DiagId::err_invalid_identifier_character, range(at, at + static_cast<uint32_t>(c.length)),
                    std::string(word.substr(i, static_cast<std::size_t>(c.length))),
                    fmt::format("{:04X}", c.code_point));
      break;
    }
    i += static_cast<std::size_t>(c.length);
  }
  emit(keyword_kind(word).value_or(TokenKind::Identifier), start, pos_);
}

// Operators and delimiters by maximal munch; anything else is an invalid
// character (a run of them is reported once, as one Error token).
void Lexer::lex_punctuation() {
  std::string_view rest = src_.substr(pos_);
  for (const Spelled& s : spelled_kinds(false)) {
    if (!rest.starts_with(s.spelling)) continue;
    uint32_t start = pos_;
    pos_ += static_cast<uint32_t>(s.spelling.size());
    track_bracket(emit(s.kind, start, pos_));
    return;
  }
  uint32_t start = pos_;
  diags_.report(DiagId::err_invalid_character, range(start, start + 1), printable_char(peek()));
  ++pos_;
  auto is_invalid = [&](char c) {
    if (c == ' ' || c == '\t' || c == '\f' || c == '\n' || c == '\r' || c == '#' || c == '\\' || c == '\'' ||
        c == '"' || is_ident_char(c))
      return false;
    std::string_view r = src_.substr(pos_);
    return std::none_of(spelled_kinds(false).begin(), spelled_kinds(false).end(),
                        [&](const Spelled& s) { return r.starts_with(s.spelling); });
  };
  while (!at_end() && is_invalid(peek())) ++pos_;
  emit(TokenKind::Error, start, pos_);
}

// Keeps the bracket stack. A closer that does not match the innermost opener
// is reported and re-kinded to the closer that opener needs (closing any
// openers between it and a matching outer one too), so the parser always sees
// balanced brackets; a closer with nothing open becomes an Error token.
void Lexer::track_bracket(Token& tok) {
  uint32_t at = tok.range.begin.offset;
  char c = tok.text.empty() ? '\0' : tok.text[0];
  if (c == '(' || c == '[' || c == '{') {
    brackets_.push_back({c, at});
    return;
  }
  if (c != ')' && c != ']' && c != '}') return;
  if (brackets_.empty()) {
    diags_.report(DiagId::err_unmatched_closer, tok.range, std::string(1, c));
    tok.kind = TokenKind::Error;
    return;
  }
  OpenBracket open = brackets_.back();
  brackets_.pop_back();
  if (closer_of(open.ch) == c) return;
  diags_.report(DiagId::err_mismatched_closer, tok.range, std::string(1, c), std::string(1, open.ch))
      .note(DiagId::note_opening_bracket, range(open.offset, open.offset + 1), std::string(1, open.ch));
  auto match = std::find_if(brackets_.rbegin(), brackets_.rend(), [&](OpenBracket b) { return closer_of(b.ch) == c; });
  if (match == brackets_.rend()) {
    tok.kind = closer_kind(open.ch);
    return;
  }
  // Close `open` and everything up to the matching opener with zero-width tokens.
  Token real = tok;
  tokens_.pop_back();
  emit_layout(closer_kind(open.ch), at);
  while (closer_of(brackets_.back().ch) != c) {
    emit_layout(closer_kind(brackets_.back().ch), at);
    brackets_.pop_back();
  }
  brackets_.pop_back();
  tokens_.push_back(real);
}

// End of input: report the innermost unclosed bracket and close them all,
// end the last logical line, close every block, then END_OF_FILE.
void Lexer::finish() {
  uint32_t end = static_cast<uint32_t>(src_.size());
  if (!brackets_.empty()) {
    OpenBracket open = brackets_.back();
    diags_.report(DiagId::err_bracket_never_closed, range(open.offset, open.offset + 1), std::string(1, open.ch));
    for (auto it = brackets_.rbegin(); it != brackets_.rend(); ++it) emit_layout(closer_kind(it->ch), end);
    brackets_.clear();
  }
  if (line_has_tokens_) emit_layout(TokenKind::Newline, end);
  for (size_t i = indents_.size(); i-- > 1;)
    if (!indents_[i].phantom) emit_layout(TokenKind::Dedent, end);
  emit_layout(TokenKind::EndOfFile, end);
}

}  // namespace lexer_detail

std::vector<Token> lex(const SourceManager& sm, FileId file, DiagnosticEngine& diags) {
  return lexer_detail::Lexer(sm, file, diags).run();
}

}  // namespace warpc
