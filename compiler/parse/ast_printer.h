// ast_printer.h — `--emit=ast`: a readable, deterministic dump of the AST,
// one node per line, indented by depth, with line:col and — after semantic
// analysis — each expression's type (": float32") and known constant value.
#pragma once

#include <iosfwd>

#include "parse/ast.h"
#include "support/source_manager.h"

namespace warpc {

void print_ast(std::ostream& out, const ast::Module& module, const SourceManager& sm);

}  // namespace warpc
