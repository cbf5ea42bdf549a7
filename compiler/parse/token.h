// token.h — the tokens of the .wp (Python subset) lexer.
//
// Contract: TOKEN_KINDS lists every kind once with its printed name and (for
// punctuation/keywords) its exact spelling; the lexer, parser and the
// `--emit=tokens` printer all use this one list. Layout tokens (NEWLINE,
// INDENT, DEDENT) follow Python's tokenize module: a NEWLINE ends each logical
// line, INDENT/DEDENT bracket blocks, and the stream ends with DEDENTs and
// END_OF_FILE.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "support/source_manager.h"

namespace warpc {

// X(Kind, "printed name", "spelling or empty")
#define WARPC_TOKEN_KINDS(X)                 \
  X(EndOfFile, "eof", "")                    \
  X(Newline, "newline", "")                  \
  X(Indent, "indent", "")                    \
  X(Dedent, "dedent", "")                    \
  X(Identifier, "identifier", "")            \
  X(IntLiteral, "int", "")                   \
  X(FloatLiteral, "float", "")               \
  X(StringLiteral, "string", "")             \
  X(KwAnd, "and", "and")                     \
  X(KwAs, "as", "as")                        \
  X(KwAssert, "assert", "assert")            \
  X(KwAsync, "async", "async")               \
  X(KwAwait, "await", "await")               \
  X(KwBreak, "break", "break")               \
  X(KwClass, "class", "class")               \
  X(KwContinue, "continue", "continue")      \
  X(KwDef, "def", "def")                     \
  X(KwDel, "del", "del")                     \
  X(KwElif, "elif", "elif")                  \
  X(KwElse, "else", "else")                  \
  X(KwExcept, "except", "except")            \
  X(KwFalse, "False", "False")               \
  X(KwFinally, "finally", "finally")         \
  X(KwFor, "for", "for")                     \
  X(KwFrom, "from", "from")                  \
  X(KwGlobal, "global", "global")            \
  X(KwIf, "if", "if")                        \
  X(KwImport, "import", "import")            \
  X(KwIn, "in", "in")                        \
  X(KwIs, "is", "is")                        \
  X(KwLambda, "lambda", "lambda")            \
  X(KwNone, "None", "None")                  \
  X(KwNonlocal, "nonlocal", "nonlocal")      \
  X(KwNot, "not", "not")                     \
  X(KwOr, "or", "or")                        \
  X(KwPass, "pass", "pass")                  \
  X(KwRaise, "raise", "raise")               \
  X(KwReturn, "return", "return")            \
  X(KwTrue, "True", "True")                  \
  X(KwTry, "try", "try")                     \
  X(KwWhile, "while", "while")               \
  X(KwWith, "with", "with")                  \
  X(KwYield, "yield", "yield")               \
  X(LParen, "'('", "(")                      \
  X(RParen, "')'", ")")                      \
  X(LBracket, "'['", "[")                    \
  X(RBracket, "']'", "]")                    \
  X(LBrace, "'{'", "{")                      \
  X(RBrace, "'}'", "}")                      \
  X(Comma, "','", ",")                       \
  X(Colon, "':'", ":")                       \
  X(Semicolon, "';'", ";")                   \
  X(Dot, "'.'", ".")                         \
  X(Ellipsis, "'...'", "...")                \
  X(Arrow, "'->'", "->")                     \
  X(Assign, "'='", "=")                      \
  X(Walrus, "':='", ":=")                    \
  X(Plus, "'+'", "+")                        \
  X(Minus, "'-'", "-")                       \
  X(Star, "'*'", "*")                        \
  X(DoubleStar, "'**'", "**")                \
  X(Slash, "'/'", "/")                       \
  X(DoubleSlash, "'//'", "//")               \
  X(Percent, "'%'", "%")                     \
  X(At, "'@'", "@")                          \
  X(LShift, "'<<'", "<<")                    \
  X(RShift, "'>>'", ">>")                    \
  X(Amp, "'&'", "&")                         \
  X(Pipe, "'|'", "|")                        \
  X(Caret, "'^'", "^")                       \
  X(Tilde, "'~'", "~")                       \
  X(Less, "'<'", "<")                        \
  X(Greater, "'>'", ">")                     \
  X(LessEq, "'<='", "<=")                    \
  X(GreaterEq, "'>='", ">=")                 \
  X(EqEq, "'=='", "==")                      \
  X(NotEq, "'!='", "!=")                     \
  X(PlusEq, "'+='", "+=")                    \
  X(MinusEq, "'-='", "-=")                   \
  X(StarEq, "'*='", "*=")                    \
  X(DoubleStarEq, "'**='", "**=")            \
  X(SlashEq, "'/='", "/=")                   \
  X(DoubleSlashEq, "'//='", "//=")           \
  X(PercentEq, "'%='", "%=")                 \
  X(AtEq, "'@='", "@=")                      \
  X(AmpEq, "'&='", "&=")                     \
  X(PipeEq, "'|='", "|=")                    \
  X(CaretEq, "'^='", "^=")                   \
  X(LShiftEq, "'<<='", "<<=")                \
  X(RShiftEq, "'>>='", ">>=")                \
  X(Error, "error", "")

enum class TokenKind : uint8_t {
#define X(kind, name, spelling) kind,
  WARPC_TOKEN_KINDS(X)
#undef X
};

// "identifier", "'+'", "def" … for messages and --emit=tokens.
std::string_view token_kind_name(TokenKind k);
// The exact spelling of a keyword/punctuation kind, or "" for the others.
std::string_view token_kind_spelling(TokenKind k);

struct Token {
  TokenKind kind = TokenKind::Error;
  SourceRange range;
  std::string_view text;  // the raw source text of the token (views the SourceManager buffer)

  // Literal payloads, filled by the lexer:
  uint64_t int_value = 0;      // IntLiteral; int_overflow set if it does not fit 64 bits
  bool int_overflow = false;
  double float_value = 0.0;    // FloatLiteral
  std::string string_value;    // StringLiteral, escapes decoded, quotes removed

  bool is(TokenKind k) const { return kind == k; }
};

}  // namespace warpc
