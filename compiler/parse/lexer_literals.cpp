// lexer_literals.cpp — number and string literals (Python 3 rules).
//
// Contract: a literal with a problem inside it (a leading zero, a bad escape,
// a complex suffix, an f/b prefix) is reported and still produces a literal
// token of its kind with a best-effort value, so the parser does not report
// it again; a number run into letters (`12abc`) is one Error token.
// Integers that do not fit 64 bits set Token::int_overflow (sema decides).
#include <cstdlib>
#include <string>

#include "parse/lexer_impl.h"

namespace warpc::lexer_detail {

namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  char l = static_cast<char>(c | 0x20);
  if (l >= 'a' && l <= 'f') return l - 'a' + 10;
  return 99;
}

bool is_digit_of(char c, int base) { return digit_value(c) < base; }

const char* base_name(int base) {
  return base == 16 ? "hexadecimal" : base == 8 ? "octal" : base == 2 ? "binary" : "decimal";
}

// Python lets a keyword follow a number directly (`1if x else 2`); these are
// the keywords that can.
bool keyword_follows(std::string_view rest) {
  for (std::string_view kw : {"and", "else", "for", "if", "in", "is", "not", "or"})
    if (rest.starts_with(kw)) return true;
  return false;
}

// Digits (and underscores) of a literal → value; false when it overflows 64 bits.
bool int_value(std::string_view digits, int base, uint64_t& out) {
  uint64_t v = 0;
  for (char c : digits) {
    if (c == '_') continue;
    if (__builtin_mul_overflow(v, static_cast<uint64_t>(base), &v) ||
        __builtin_add_overflow(v, static_cast<uint64_t>(digit_value(c)), &v)) {
      out = 0;
      return false;
    }
  }
  out = v;
  return true;
}

void append_utf8(std::string& s, uint32_t cp) {
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

char simple_escape(char c) {
  switch (c) {
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    case '\\': case '\'': case '"': return c;
    default: return '\0';
  }
}

}  // namespace

// number ::= decimal | '0' ('x'|'o'|'b') ['_'] digits | float ['j']
void Lexer::lex_number() {
  uint32_t start = pos_;
  char x = static_cast<char>(peek(1) | 0x20);
  if (peek() == '0' && (x == 'x' || x == 'o' || x == 'b')) return lex_radix_int(start);
  lex_decimal(start);
}

// digits ::= digit (['_'] digit)*   — consumes a run, true when non-empty.
bool Lexer::scan_digits(int base) {
  uint32_t start = pos_;
  while (!at_end()) {
    if (is_digit_of(peek(), base))
      ++pos_;
    else if (peek() == '_' && pos_ > start && is_digit_of(peek(1), base))
      pos_ += 2;
    else
      break;
  }
  return pos_ > start;
}

// hexinteger ::= '0' ('x'|'X') (['_'] hexdigit)+   (likewise 0o, 0b)
void Lexer::lex_radix_int(uint32_t start) {
  char x = static_cast<char>(peek(1) | 0x20);
  int base = x == 'x' ? 16 : x == 'o' ? 8 : 2;
  pos_ += 2;
  if (peek() == '_' && is_digit_of(peek(1), base)) ++pos_;
  bool has_digits = scan_digits(base);
  if (!has_digits || is_ident_char(peek())) {
    if (!has_digits || !keyword_follows(src_.substr(pos_))) return finish_bad_number(start, base);
  }
  Token& t = emit(TokenKind::IntLiteral, start, pos_);
  t.int_overflow = !int_value(t.text.substr(2), base, t.int_value);
}

// decimal ::= digits
// float   ::= [digits] '.' [digits] [exponent] | digits exponent
// exponent ::= ('e'|'E') ['+'|'-'] digits
void Lexer::lex_decimal(uint32_t start) {
  if (is_digit(peek())) scan_digits(10);
  uint32_t int_end = pos_;
  bool is_float = false;
  if (peek() == '.') {
    ++pos_;
    is_float = true;
    if (is_digit(peek())) scan_digits(10);
  }
  if (peek() == 'e' || peek() == 'E') {
    uint32_t sign = peek(1) == '+' || peek(1) == '-' ? 1 : 0;
    if (is_digit(peek(1 + sign))) {
      pos_ += 1 + sign;
      scan_digits(10);
      is_float = true;
    }
  }
  bool imaginary = peek() == 'j' || peek() == 'J';
  if (imaginary) ++pos_;
  if (is_ident_char(peek()) && !keyword_follows(src_.substr(pos_))) return finish_bad_number(start, 10);

  uint32_t num_end = imaginary ? pos_ - 1 : pos_;
  std::string plain;
  for (char c : src_.substr(start, num_end - start))
    if (c != '_') plain += c;
  if (imaginary || is_float) {
    Token& t = emit(TokenKind::FloatLiteral, start, pos_);
    t.float_value = std::strtod(plain.c_str(), nullptr);
    if (imaginary) diags_.report(DiagId::err_complex_literal, t.range);
    return;
  }
  Token& t = emit(TokenKind::IntLiteral, start, pos_);
  t.int_overflow = !int_value(t.text, 10, t.int_value);
  if (plain.size() > 1 && plain[0] == '0' && plain.find_first_not_of('0') != std::string::npos)
    diags_.report(DiagId::err_leading_zeros, range(start, int_end))
        .help("write an octal integer with the '0o' prefix, or drop the leading zeros");
}

// A number run into letters, a misplaced underscore or a digit too big for
// its base: one diagnostic at the offending byte, one Error token.
void Lexer::finish_bad_number(uint32_t start, int base) {
  uint32_t bad = pos_;
  char c = peek();
  if (c == '_') {
    diags_.report(DiagId::err_number_underscore, SourceRange(loc(bad)), base_name(base))
        .help("underscores may only appear between digits (or right after a base prefix)");
  } else if (is_digit(c) && base < 10) {
    diags_.report(DiagId::err_invalid_digit, SourceRange(loc(bad)), std::string(1, c), base_name(base));
  } else {
    diags_.report(DiagId::err_invalid_number, SourceRange(loc(bad)), base_name(base));
  }
  while (!at_end() && is_ident_char(peek())) ++pos_;
  emit(TokenKind::Error, start, pos_);
}

// string ::= [prefix] (quote body quote | triple-quote body triple-quote)
void Lexer::lex_string(uint32_t start, StringPrefix prefix) {
  uint32_t quote_at = pos_;
  char q = peek();
  bool triple = peek(1) == q && peek(2) == q;
  pos_ += triple ? 3 : 1;
  std::string value;
  bool closed = scan_string_body(quote_at, triple, prefix, value);
  Token& t = emit(TokenKind::StringLiteral, start, pos_);
  t.string_value = std::move(value);
  if (!closed) return;
  if (prefix.format)
    diags_.report(DiagId::err_fstring, t.range).help("kernels cannot format strings; pass the values to print()");
  else if (prefix.bytes)
    diags_.report(DiagId::err_bytes_literal, t.range);
}

// Scans up to and including the closing quote(s), decoding into `value`.
// Returns false (after reporting at the opening quote) when the string is
// unterminated: a single-quoted one ends at the line end, a triple-quoted one
// at the end of the file.
bool Lexer::scan_string_body(uint32_t quote_at, bool triple, StringPrefix prefix, std::string& value) {
  char q = src_[quote_at];
  uint32_t quote_len = triple ? 3 : 1;
  while (true) {
    if (at_end() || (!triple && at_newline())) {
      diags_.report(triple ? DiagId::err_unterminated_triple_string : DiagId::err_unterminated_string,
                    range(quote_at, quote_at + quote_len));
      return false;
    }
    char c = peek();
    if (c == q && (!triple || (peek(1) == q && peek(2) == q))) {
      pos_ += quote_len;
      return true;
    }
    if (c == '\\') {
      decode_escape(prefix, value);
    } else if (c == '\r') {  // CRLF or a lone CR inside a triple-quoted string
      pos_ += newline_length();
      value += '\n';
    } else {
      value += c;
      ++pos_;
    }
  }
}

// escape ::= '\' (newline | simple | octal{1,3} | 'x' hex{2} | 'u' hex{4} | 'U' hex{8} | other)
// In raw strings the backslash and the next character are both kept; an
// unknown escape keeps its backslash (as Python does).
void Lexer::decode_escape(StringPrefix prefix, std::string& value) {
  uint32_t at = pos_++;
  if (at_end()) return;  // the caller reports the unterminated string
  if (at_newline()) {    // line continuation inside the string
    pos_ += newline_length();
    if (prefix.raw) value += "\\\n";
    return;
  }
  char c = peek();
  ++pos_;
  if (prefix.raw) {
    value += '\\';
    value += c;
  } else if (char s = simple_escape(c)) {
    value += s;
  } else if (c >= '0' && c <= '7') {
    uint32_t code = static_cast<uint32_t>(c - '0');
    for (int i = 0; i < 2 && peek() >= '0' && peek() <= '7'; ++i, ++pos_) code = code * 8 + (peek() - '0');
    if (prefix.bytes)
      value += static_cast<char>(code & 0xFF);
    else
      append_utf8(value, code);
  } else if (c == 'x' || ((c == 'u' || c == 'U') && !prefix.bytes)) {
    decode_hex_escape(c, c == 'x' ? 2 : c == 'u' ? 4 : 8, prefix, value);
  } else if (c == 'N' && !prefix.bytes) {
    uint32_t close = pos_;
    auto ends_scan = [](char ch) { return ch == '}' || ch == '\n' || ch == '\r' || ch == '\'' || ch == '"'; };
    while (close < src_.size() && !ends_scan(src_[close]) && close - pos_ < 256) ++close;
    if (peek() == '{' && close < src_.size() && src_[close] == '}') pos_ = close + 1;
    diags_.report(DiagId::err_named_escape, range(at, pos_)).help("write the character itself or use '\\u'");
  } else {
    value += '\\';
    value += c;
  }
}

// \xHH, \uHHHH, \UHHHHHHHH: exactly `digits` hex digits, a valid code point.
void Lexer::decode_hex_escape(char kind, int digits, StringPrefix prefix, std::string& value) {
  uint32_t at = pos_ - 2;
  uint32_t code = 0;
  int n = 0;
  for (; n < digits && is_digit_of(peek(), 16); ++n, ++pos_) code = code * 16 + digit_value(peek());
  if (n < digits) {
    diags_.report(DiagId::err_truncated_escape, range(at, pos_), std::string(1, kind) + std::string(digits, 'X'));
    return;
  }
  if (kind == 'x' && prefix.bytes) {
    value += static_cast<char>(code);
  } else if (code > 0x10FFFF) {
    diags_.report(DiagId::err_invalid_unicode_escape, range(at, pos_), std::string(src_.substr(at + 1, pos_ - at - 1)));
  } else {
    append_utf8(value, code);
  }
}

}  // namespace warpc::lexer_detail
