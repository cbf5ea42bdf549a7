// plan_loop.cpp — how the backward pass reverses each dynamic loop: store its carried values
// on the per-thread AD stack or recompute them (contract in plan_loop.h).
#include "ad/plan_loop.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace warpc::ad {

using ir::Block;
using ir::Function;
using ir::Op;
using ir::Opcode;
using ir::Region;

// Size and alignment of a value the stack can copy bytewise (C layout over the runtime's
// types), or false when `t` is not plain data (query iterators, strings …).
bool plain_layout(const Type* t, size_t& size, size_t& align) {
  const std::optional<CLayout> l = c_layout(t);
  if (!l) return false;
  size = l->size;
  align = l->align;
  return true;
}

namespace {

// Does `b` (or a region inside it) call a builtin that updates an argument in place?
bool updates_in_place(const Block& b) {
  for (const Op* op : b.ops) {
    if (op->is(Opcode::CallBuiltin) && !ir::ref_operands(*op).empty() && ir::written_operands(*op).empty())
      return true;
    for (const Region* r : op->regions)
      if (updates_in_place(*r->entry())) return true;
  }
  return false;
}

}  // namespace

// A dynamic loop in `f` or in a user function it calls (their adjoints then take the stack).
bool has_dynamic_loop(const Block& b, std::set<const Function*>& seen) {
  for (const Op* op : b.ops) {
    if (op->is(Opcode::For) || op->is(Opcode::While)) return true;
    if (op->is(Opcode::Call) && op->callee && op->callee->body && seen.insert(op->callee).second &&
        has_dynamic_loop(*op->callee->body->entry(), seen))
      return true;
    for (const Region* r : op->regions)
      if (has_dynamic_loop(*r->entry(), seen)) return true;
  }
  return false;
}

bool has_dynamic_loop(const Function& f) {
  std::set<const Function*> seen = {&f};
  return f.body && has_dynamic_loop(*f.body->entry(), seen);
}

LoopPlan plan_loop(const Op& loop, LoopAd mode, bool cursor) {
  LoopPlan p;
  if (cursor) p.bytes += 8;  // the undo log's cursor at the iteration's start (an int64)
  const bool is_for = loop.is(Opcode::For);
  const Block& body = *loop.region(is_for ? 0 : 1)->entry();
  bool plain = true;
  std::string bad;
  for (size_t i = is_for ? 1 : 0; i < body.args.size(); ++i) {
    size_t size = 0, align = 1;
    if (!plain_layout(body.args[i]->type, size, align)) {
      plain = false;
      if (bad.empty()) bad = type_name(body.args[i]->type);
      continue;
    }
    p.bytes += size;
  }
  if (body.args.size() == (is_for ? 1u : 0u) && !cursor) p.reason = "no carried values";
  else if (mode == LoopAd::Recompute) p.reason = "--loop-ad=recompute";
  else if (!plain) p.reason = fmt::format("a carried value of type '{}' is not plain data", bad);
  else if (!is_for && updates_in_place(*loop.region(0)->entry()))
    p.reason = "its condition updates carried values in place";
  else if (!body.terminator() || !body.terminator()->is(Opcode::Yield)) p.reason = "its body does not end in 'yield'";
  else if (mode == LoopAd::Auto && p.bytes > kAutoStoreMaxBytes)
    p.reason = fmt::format("{} carried bytes per iteration, over auto's limit of {}; --loop-ad=store stores them",
                           p.bytes, kAutoStoreMaxBytes);
  else p.store = true;
  return p;
}

}  // namespace warpc::ad
