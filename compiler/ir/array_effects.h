// array_effects.h — which arrays a function loads from and stores into: one row per array
// parameter, and per array field of a struct parameter, that the function touches, through
// sub-array views and calls of user functions (their effects on the arrays passed to them).
//
// Contract:
//  * array_effects(fn) lists, in parameter order (then field path order), every array root
//    the function's body loads from (array_load, or an array handed to a builtin other than an
//    atomic), stores into (array_store) or updates atomically (atomic_add/sub/min/max and the
//    builtin atomics). A root is a parameter of array type (`field` empty) or an array field of
//    a struct parameter (`field`: the field path, nested structs included). Arrays that are
//    not rooted in a parameter (local arrays, arrays built in the body) are not listed.
//  * array_root(fn, v) is the root of the array value `v` (through array_view and struct
//    extracts), or nothing.
//  * ArrayEffect::overwrites_read() — loaded and also stored or updated: the function
//    overwrites an array it reads, so a backward pass that replays the function needs the
//    array's contents from before the call (docs/autodiff.md, *Overwritten arrays*).
//  * first_write is the location of the first store / update (for diagnostics).
#pragma once

#include <optional>
#include <vector>

#include "ir/ir.h"

namespace warpc::ir {

struct ArrayRoot {
  int param = -1;
  std::vector<int> field;  // field path inside a struct parameter; empty: the parameter itself
  bool operator==(const ArrayRoot&) const = default;
  bool operator<(const ArrayRoot& o) const { return param != o.param ? param < o.param : field < o.field; }
};

struct ArrayEffect {
  ArrayRoot root;
  bool loaded = false;
  bool stored = false;   // array_store
  bool updated = false;  // atomics
  SourceRange first_write;
  bool overwrites_read() const { return loaded && (stored || updated); }
};

std::optional<ArrayRoot> array_root(const Function& fn, const Value* v);
std::vector<ArrayEffect> array_effects(const Function& fn);

}  // namespace warpc::ir
