// tangent_rules.cpp — see tangent_rules.h.
#include "ad/tangent_rules.h"

#include <string_view>

#include "ad/ad_support.h"
#include "sema/builtins.h"
#include "sema/symbols.h"

namespace warpc {

namespace {

// f(a + b) = f(a) + f(b) with the same overload for tangents as for values.
constexpr std::string_view kLinear[] = {"add", "sub", "neg", "pos", "transpose", "trace"};
// f(a, b) linear in each argument (same overload for (ȧ, b) and (a, ḃ)).
constexpr std::string_view kBilinear[] = {"mul", "dot", "cross", "outer", "ddot", "cw_mul"};

bool listed(std::string_view name, const std::string_view* begin, const std::string_view* end) {
  for (const std::string_view* p = begin; p != end; ++p)
    if (*p == name) return true;
  return false;
}

TangentRule constructor_rule(const ir::Op& op) {
  const std::string_view form = op.target->overload ? builtin_cpp_name(op.target->overload) : "";
  if (form == "zeros" || form == "default") return TangentRule::Zero;
  bool all = true, any = false;
  for (const ir::Value* v : op.operands) {
    all &= ad_differentiable(v->type);
    any |= ad_differentiable(v->type);
  }
  if (!any) return TangentRule::Zero;  // from integers: a constant
  if (form == "components" || form == "rows" || form == "compose" || form == "broadcast" || form == "convert")
    return all ? TangentRule::Linear : TangentRule::Adjoint;
  return TangentRule::Refuse;
}

}  // namespace

TangentRule tangent_rule(const ir::Op& op) {
  const sema::CallTarget* t = op.target;
  if (!t || op.results.empty() || !ad_differentiable(op.result()->type)) {
    if (!ir::written_operands(op).empty() && t && t->overload && builtin_is_differentiable(t->overload))
      return TangentRule::Refuse;
    return TangentRule::Zero;
  }
  if (!ir::written_operands(op).empty() || !ir::ref_operands(op).empty())
    return t->overload && builtin_is_differentiable(t->overload) ? TangentRule::Refuse : TangentRule::Zero;
  if (t->kind == sema::CallKind::TypeConstructor) return constructor_rule(op);
  if (t->kind != sema::CallKind::Builtin || !t->overload || !builtin_is_differentiable(t->overload))
    return TangentRule::Zero;
  bool transform = false;
  for (const ir::Value* v : op.operands) transform |= v->type->kind == TypeKind::Transform;
  if (listed(op.name, std::begin(kLinear), std::end(kLinear))) return TangentRule::Linear;
  if (!transform && listed(op.name, std::begin(kBilinear), std::end(kBilinear))) {
    bool all = op.operands.size() == 2;
    for (const ir::Value* v : op.operands) all &= ad_differentiable(v->type);
    if (all) return TangentRule::Bilinear;
  }
  return TangentRule::Adjoint;
}

}  // namespace warpc
