// lexer_test.cpp — direct tests of lex(): token kinds, literal values, exact
// ranges, recovery, and stream invariants on random input.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "parse/lexer.h"

namespace warpc {
namespace {

// Lexes one in-memory buffer; keeps the SourceManager alive for the tokens.
struct Lexed {
  explicit Lexed(std::string text) : file(sm.add_buffer("test.wp", std::move(text))), tokens(lex(sm, file, diags)) {}

  std::vector<TokenKind> kinds() const {
    std::vector<TokenKind> out;
    for (const Token& t : tokens) out.push_back(t.kind);
    return out;
  }
  const Token& first(TokenKind k) const {
    for (const Token& t : tokens)
      if (t.kind == k) return t;
    static const Token none;
    return none;
  }

  SourceManager sm;
  DiagnosticEngine diags{sm};
  FileId file;
  std::vector<Token> tokens;
};

using K = TokenKind;

TEST(Lexer, IntegerForms) {
  Lexed l("a = 0x_FF + 0o17 + 0B101 + 1_000 + 00\n");
  std::vector<uint64_t> values;
  for (const Token& t : l.tokens)
    if (t.is(K::IntLiteral)) values.push_back(t.int_value);
  EXPECT_EQ(values, (std::vector<uint64_t>{255, 15, 5, 1000, 0}));
  EXPECT_FALSE(l.diags.has_errors());
}

TEST(Lexer, IntegerOverflowIsAFlagNotAnError) {
  Lexed l("18446744073709551615 18446744073709551616\n");
  ASSERT_GE(l.tokens.size(), 2u);
  EXPECT_FALSE(l.tokens[0].int_overflow);
  EXPECT_EQ(l.tokens[0].int_value, UINT64_MAX);
  EXPECT_TRUE(l.tokens[1].int_overflow);
  EXPECT_FALSE(l.diags.has_errors());
}

TEST(Lexer, FloatForms) {
  Lexed l("1_0.5e1_0 .5 1. 1e-3\n");
  std::vector<double> values;
  for (const Token& t : l.tokens)
    if (t.is(K::FloatLiteral)) values.push_back(t.float_value);
  EXPECT_EQ(values, (std::vector<double>{10.5e10, 0.5, 1.0, 1e-3}));
}

TEST(Lexer, StringEscapesDecodeToUtf8) {
  Lexed l(R"(s = "a\x41\u00e9\n" r"\n" 'it''s')" "\n");
  std::vector<std::string> values;
  for (const Token& t : l.tokens)
    if (t.is(K::StringLiteral)) values.push_back(t.string_value);
  EXPECT_EQ(values, (std::vector<std::string>{"aA\xC3\xA9\n", "\\n", "it", "s"}));
}

TEST(Lexer, TokenTextMatchesRange) {
  std::string src = "def f(x):\n    return x ** 2  # c\n";
  Lexed l(src);
  for (const Token& t : l.tokens) {
    ASSERT_EQ(t.range.begin.file, l.file);
    EXPECT_EQ(t.text, std::string_view(src).substr(t.range.begin.offset, t.range.end.offset - t.range.begin.offset));
  }
  EXPECT_EQ(l.first(K::DoubleStar).range.begin.offset, src.find("**"));
}

TEST(Lexer, LayoutTokens) {
  Lexed l("if a:\n    if b:\n        c\nd");
  std::vector<K> expected = {K::KwIf, K::Identifier, K::Colon, K::Newline, K::Indent, K::KwIf,
                             K::Identifier, K::Colon, K::Newline, K::Indent, K::Identifier, K::Newline,
                             K::Dedent, K::Dedent, K::Identifier, K::Newline, K::EndOfFile};
  EXPECT_EQ(l.kinds(), expected);
}

TEST(Lexer, InvalidCharacterGivesErrorTokenAndContinues) {
  Lexed l("x = $ + 1\ny = ?\n");
  EXPECT_EQ(l.diags.error_count(), 2u);
  ASSERT_FALSE(l.diags.diagnostics().empty());
  LineCol lc = l.sm.line_col(l.diags.diagnostics()[0].range.begin);
  EXPECT_EQ(lc.line, 1u);
  EXPECT_EQ(lc.col, 5u);
  EXPECT_EQ(l.first(K::Error).text, "$");
  EXPECT_EQ(l.tokens.back().kind, K::EndOfFile);
}

TEST(Lexer, MismatchedCloserTakesOpenersKind) {
  Lexed l("f(a]\n");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::Identifier, K::LParen, K::Identifier, K::RParen, K::Newline,
                                       K::EndOfFile}));
  EXPECT_EQ(l.diags.error_count(), 1u);
}

TEST(Lexer, BadDedentIsReportedOnce) {
  Lexed l("if a:\n        b\n    c\n    d\ne\n");
  EXPECT_EQ(l.diags.error_count(), 1u);
}

// Random byte soup drawn from Python's interesting characters: the stream
// always ends in EOF, INDENT/DEDENT and brackets balance, ranges are in bounds.
TEST(Lexer, InvariantsOnRandomInput) {
  const std::string alphabet = " \t\n\r\f#\\'\"()[]{}:=.+-*/0123456789abxoeEjJ_rRfFuU$?!`\x80\xC3\xA9";
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string src;
    int len = static_cast<int>(rng() % 64);
    for (int i = 0; i < len; ++i) src += alphabet[rng() % alphabet.size()];
    Lexed l(src);
    ASSERT_FALSE(l.tokens.empty());
    EXPECT_EQ(l.tokens.back().kind, K::EndOfFile) << src;
    int depth = 0, brackets = 0;
    for (const Token& t : l.tokens) {
      depth += t.is(K::Indent) - t.is(K::Dedent);
      brackets += t.is(K::LParen) + t.is(K::LBracket) + t.is(K::LBrace);
      brackets -= t.is(K::RParen) + t.is(K::RBracket) + t.is(K::RBrace);
      ASSERT_GE(depth, 0) << src;
      ASSERT_GE(brackets, 0) << src;
      ASSERT_LE(t.range.begin.offset, t.range.end.offset);
      ASSERT_LE(t.range.end.offset, src.size());
    }
    EXPECT_EQ(depth, 0) << src;
    EXPECT_EQ(brackets, 0) << src;
  }
}

}  // namespace
}  // namespace warpc
