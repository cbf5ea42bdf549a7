// lexer.h — turns one .wp source buffer into Python-style tokens.
//
// Contract: lex() always returns a token stream ending in END_OF_FILE, with
// balanced INDENT/DEDENT; malformed input produces located diagnostics and
// Error tokens, never a crash. Comments and blank lines produce no tokens;
// newlines inside (), [] and {} and after a backslash continuation are joined.
//
// Layout follows Python's tokenize: a tab advances to the next multiple of 8,
// a form feed resets the indentation count, CRLF and lone CR end lines, a
// final NEWLINE is produced even without a trailing newline, and INDENT and
// DEDENT are zero-width at the first token of their line (at the end of the
// file for the final DEDENTs). Indentation that only agrees for some tab width
// is an error, as is a dedent to a column no enclosing block uses (that
// column is then adopted without an INDENT, so the rest of the block lexes
// quietly).
//
// Error recovery, and what the parser can rely on:
//  * An Error token stands for input the lexer has already diagnosed (an
//    invalid character run, a stray '\', a number run into letters such as
//    `12abc`, a closer with nothing open); the parser should treat it as a
//    poisoned expression and not report it again.
//  * Brackets the parser sees are always balanced: a closer that does not
//    match is reported and re-kinded to the closer its opener needs (with
//    zero-width closers for any openers it skips), and openers still open at
//    the end of the file are reported and closed by zero-width tokens.
//  * Literals with a problem inside (leading zeros `012`, a complex `1j`, a
//    bad escape, an unterminated string, an f-string or bytes prefix) are
//    reported here and still produce a literal token (IntLiteral,
//    FloatLiteral, StringLiteral) with a best-effort value. f-strings and
//    bytes literals are therefore rejected by the lexer, not the parser.
//  * Integers beyond 64 bits set Token::int_overflow without a diagnostic.
//  * Strings: escapes are decoded into UTF-8 (\xHH and \uHHHH are code
//    points); unknown escapes such as `\d` keep their backslash, as in
//    Python; \N{...} is reported as unsupported. Adjacent literals stay
//    separate tokens (the parser concatenates them).
//
// `--emit=tokens` format (print_tokens), one token per line:
//   <line>:<col> <kind-name> '<raw text>'[ = <value>]
// where <kind-name> is token_kind_name() (`identifier`, `'+'`, `def`, …) and
// columns count bytes. Newline, indent, dedent and eof print no text, nor do
// zero-width synthesized closers. In the raw text a backslash prints as
// `\\` and control characters as \n \r \t \f \v or \xHH, so a multi-line
// token still prints on one line. Literals append their value: ints ` = <decimal>`
// or ` = overflow`, floats ` = <printf %.17g>`, strings ` = "<decoded
// value>"` escaped the same way, plus `"` as \". Example:
//   3:5 identifier 'x'
//   3:7 '=' '='
//   3:9 float '1_0.5' = 10.5
//   3:14 newline
#pragma once

#include <iosfwd>
#include <vector>

#include "parse/token.h"
#include "support/diagnostics.h"

namespace warpc {

std::vector<Token> lex(const SourceManager& sm, FileId file, DiagnosticEngine& diags);

// `--emit=tokens`: one token per line in the format described above.
void print_tokens(std::ostream& out, const std::vector<Token>& tokens, const SourceManager& sm);

}  // namespace warpc
