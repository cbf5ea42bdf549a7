// single_exit.h — the form of a function reverse-mode AD differentiates: every loop and the
// function body have a single exit.
//
// Contract:
//  * single_exit_copy(m, types, fn) returns a copy of `fn` that is NOT in m.functions: the AD
//    replays and reverses the copy instead of `fn` (its calls still name the original callees;
//    its parameters are in the same order). The copy computes what `fn` computes, and:
//      - no loop body holds a `break`, `continue` or `return` of its own. A loop that had one
//        becomes a `while` that carries, after the loop's own values, an int32 exit code
//        (0: the iteration fell through, 1: continue, 2: break, 3: return) and, when a
//        `return` was inside, the function's results; it loops again while code < 2 and the
//        loop's own condition holds (evaluated only then). A `for` becomes such a `while`
//        over a counter k = 0, 1 …, wp::range_count(…) trips, whose induction value is
//        lower + k·step (lower + (trips − 1 − k)·step when reversed). After a loop that held a
//        `return`: `if code == 3 { return <carried results> }`.
//      - the only `return` ends the body block: the code after an `if` one of whose branches
//        exits runs inside `if code == 0 { … } else { yield <zeros>, <the exit's values> }`,
//        the `if` yielding, after its own values, the exit's code and values.
//    Functions, loops and ifs without exits are copied unchanged.
//  * The break taken on the last started iteration is therefore an ordinary iteration that
//    yields code 2: AD counts the iterations the primal loop started and reverses exactly those,
//    the last on the path it took.
#pragma once

#include "ir/ir.h"
#include "sema/types.h"

namespace warpc::ad {

ir::Function* single_exit_copy(ir::Module& m, TypeContext& types, const ir::Function& fn);

}  // namespace warpc::ad
