// structure_returns.h — makes early returns structured: after it, a function's only `return`
// ops end its body block.
//
//   ops1; if c { A; return x }; ops2; return y
//     becomes
//   ops1; %r = if c { A; yield x } else { ops2; yield y }; return %r
//
// applied recursively inside the branches. Returns inside loops are left as they are (the
// code generator handles them; reverse-mode AD reports them). Reverse-mode AD relies on this
// form: the code after an early return runs only on the path that did not return, so its
// adjoint does too. Returns whether anything changed.
#pragma once

#include "ir/ir.h"

namespace warpc {

bool structure_returns(ir::Module& m);

}  // namespace warpc
