// sema.h — semantic analysis of a program: name resolution, Warp's type rules,
// overload resolution, constant evaluation and wp.static, struct layout and
// generic instantiation. Annotates the AST in place (ast.h: type, constant,
// symbol, target).
//
// Contract: check_program() checks the main module and every module it
// imports (each once, imports first), reports every error it finds with a
// location (one per root cause: the Error type is poison) and returns true
// when semantic analysis itself reported no error. Errors of earlier phases
// (lexer, parser: poisoned nodes that sema skips silently) are not counted:
// callers that go on to lowering must also check DiagnosticEngine::has_errors().
#pragma once

#include <string_view>

#include "parse/ast.h"
#include "sema/types.h"
#include "support/diagnostics.h"

namespace warpc {

namespace sema {
struct Program;  // sema/symbols.h
}

// Finds, lexes and parses `import foo.bar` targets. Implemented by the driver
// (search along -I paths); reports its own errors (module not found) and
// returns null then. Must return the same Module for the same name.
class ModuleLoader {
 public:
  virtual ~ModuleLoader() = default;
  virtual ast::Module* load(std::string_view dotted_name, SourceRange at) = 0;
};

bool check_program(ast::Module& main, ModuleLoader& loader, TypeContext& types, DiagnosticEngine& diags);

// The same, also handing back sema's results (modules, functions, generic
// instances; see sema/symbols.h) for the later phases. The Program is owned
// by `types`; `*program` is set even when errors were reported.
bool check_program(ast::Module& main, ModuleLoader& loader, TypeContext& types, DiagnosticEngine& diags,
                   const sema::Program** program);

}  // namespace warpc
