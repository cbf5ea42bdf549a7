// parser.h — recursive-descent parser from tokens to the AST (ast.h).
//
// Contract: parse_module() always returns a Module; syntax errors and
// constructs outside Warp's kernel language are reported with a location and
// replaced by ErrorExpr/ErrorStmt so the rest of the file is still parsed
// (one error per root cause; the parser resynchronises at the next line).
#pragma once

#include <string>
#include <vector>

#include "parse/ast.h"
#include "parse/token.h"
#include "support/diagnostics.h"

namespace warpc {

ast::Module* parse_module(const std::vector<Token>& tokens, FileId file, std::string module_name,
                          ast::ASTContext& ctx, DiagnosticEngine& diags);

}  // namespace warpc
