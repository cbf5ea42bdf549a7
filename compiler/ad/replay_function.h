// replay_function.h — what an adjoint calls to replay a call of a user function: the function
// without the side effects the replay must skip.
//
// Contract:
//  * ReplayFunctions::of(f) is `f` itself when neither f nor any function it calls has an op
//    that ad_replay_skips() leaves out (stores / atomics on non-local arrays, asserts, prints);
//    otherwise a copy `<f>_replay` added to the module, in which those ops are gone (their
//    results are `zero`, as in a kernel's replay) and calls go to their callees' replay
//    functions. So a backward launch never stores into or atomically updates the forward's
//    arrays again through a function call. func_natives are returned as they are (their
//    replay_snippet is the AD's business); memoised per function.
#pragma once

#include <map>
#include <unordered_map>

#include "ir/ir.h"

namespace warpc::ad {

class ReplayFunctions {
 public:
  explicit ReplayFunctions(ir::Module& m) : m_(m) {}
  const ir::Function* of(const ir::Function& f);
  // Forgets copies that are no longer in the module (a kernel's failed adjoint dropped them).
  void forget_dropped();

 private:
  bool needs_copy(const ir::Block& b);
  void strip(ir::Block* b, std::unordered_map<const ir::Value*, ir::Value*>& map);

  ir::Module& m_;
  std::map<const ir::Function*, const ir::Function*> done_;
};

}  // namespace warpc::ad
