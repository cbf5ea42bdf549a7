// lower_to_ir.h — lowering of the typed, checked AST to the structured SSA IR.
//
// Contract: run only after check_program() succeeded. Lowers every concrete
// function instance (funcs first, then kernels; generic kernels without an
// instance are skipped; func_native becomes a body-less declaration;
// a func_replay becomes a func with its function's signature, a func_grad a
// func taking the function's parameters and the adjoint of each result and
// returning the adjoint of each differentiable parameter, `wp.adjoint[p]`
// being a local variable starting at zero; compiler/ad calls them). A construct the lowering does not
// handle yet gets a located "not yet supported by IR lowering" error and the
// rest of that function is skipped; the result is then null. Never crashes.
#pragma once

#include <memory>

#include "ir/ir.h"
#include "support/diagnostics.h"

namespace warpc {

namespace sema {
struct Program;
}

std::unique_ptr<ir::Module> lower_to_ir(const sema::Program& program, TypeContext& types, DiagnosticEngine& diags);

}  // namespace warpc
