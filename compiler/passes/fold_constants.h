// fold_constants.h — constant folding on the IR with Warp's semantics.
//
// Folds `call_builtin` arithmetic / bit / min / max / abs operators on scalar
// constants, `cast`, `cmp`, `extract` of constant composites (and of
// `struct_new` fields), and inlines the taken region of an `if` whose
// condition is constant (its results become the yielded values; a taken
// region ending in break / continue / return ends the enclosing block).
// Semantics: integers wrap (two's complement of their width); `/`, `//` and
// `%` on integers truncate toward zero, `%` has the dividend's sign; float32
// is computed in float, float64 in double; division or modulo by zero, signed
// overflow of INT_MIN / -1, out-of-range shifts and float → int casts out of
// range are left unfolded (they are not errors at compile time). float16 and
// bfloat16 are not folded. Returns whether anything changed.
#pragma once

#include "ir/ir.h"

namespace warpc {

bool fold_constants(ir::Module& m);

}  // namespace warpc
