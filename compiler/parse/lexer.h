// lexer.h — turns one .wp source buffer into Python-style tokens.
//
// Contract: lex() always returns a token stream ending in END_OF_FILE, with
// balanced INDENT/DEDENT; malformed input produces located diagnostics and
// Error tokens, never a crash. Comments and blank lines produce no tokens;
// newlines inside (), [] and {} and after a backslash continuation are joined.
#pragma once

#include <iosfwd>
#include <vector>

#include "parse/token.h"
#include "support/diagnostics.h"

namespace warpc {

std::vector<Token> lex(const SourceManager& sm, FileId file, DiagnosticEngine& diags);

// `--emit=tokens`: one token per line, "line:col kind 'text'" (see docs/cli.md).
void print_tokens(std::ostream& out, const std::vector<Token>& tokens, const SourceManager& sm);

}  // namespace warpc
