// overwrite_plan.h — how the backward pass of a kernel treats the arrays the kernel both reads
// and writes (docs/autodiff.md, *Overwritten arrays*).
//
// Contract:
//  * overwrite_plan(kernel) looks at the kernel's array roots (ir/array_effects.h) that are
//    loaded and also stored or updated:
//    - `replay_stores`: roots read back after the same thread may have stored into them (a
//      load that follows a plain store to the root in program order, or shares a loop with
//      one). The adjoint kernel's replay performs the kernel's own stores into these roots
//      (every other store stays skipped), so such loads see the value the forward pass stored.
//    - `undo_log`: roots of `replay_stores` that a replay of the reverse sweep would read after
//      stores the forward pass made only later: a root read both before and after a store where
//      a load before it sits in a branch or loop, or a root read inside a loop or branch that the
//      same thread stores into later — in a later iteration of a loop around both (unless the
//      indices tell the elements apart: store at iv + cs, load at iv + cl, cl <= cs for every
//      such loop, a `for` with a constant step) or after the loop or branch — where no store at
//      equal indices just before it in the same block re-establishes the element (loads through
//      called functions included). The adjoint kernel logs every store into these roots (old
//      and new value, wp/ad_stack.h) and undoes them in the reverse sweep, so each replayed
//      iteration or branch sees the contents the forward pass saw (generate_adjoints.h).
//    - `problems`: what neither the replay nor a recording wp::Tape can make exact, each with
//      the location of the construct: a store into an array the launcher cannot see (one
//      loaded from an array of structs, or built in the kernel) while the kernel also reads
//      such arrays (they may share memory; the Tape saves only parameters and their struct
//      fields), a root read back after a user function stored into it (the replay of a
//      function never stores), a root read back after an atomic update of it (the replay never
//      repeats atomics).
//  * The plan is deterministic and depends only on the kernel's IR.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "ir/array_effects.h"

namespace warpc::ad {

struct OverwriteProblem {
  enum class Kind { Unseen, StoredByFunction, ReadAfterAtomic };
  Kind kind;
  std::string array;  // the parameter or field path as written ("p.x"); empty for Unseen
  SourceRange loc;
};

struct OverwritePlan {
  std::set<ir::ArrayRoot> replay_stores;
  std::set<ir::ArrayRoot> undo_log;
  std::vector<OverwriteProblem> problems;
};

OverwritePlan overwrite_plan(const ir::Function& kernel);

// "x" or "p.field.sub" for a root of `kernel`.
std::string array_root_name(const ir::Function& kernel, const ir::ArrayRoot& root);

}  // namespace warpc::ad
