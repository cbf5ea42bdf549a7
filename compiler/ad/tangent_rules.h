// tangent_rules.h — the forward-mode (tangent) rule of each differentiable builtin call.
//
// Contract:
//  * tangent_rule(op) classifies a call_builtin of the primal:
//      Zero       no tangent (non-differentiable builtin or result, zeros / default constructors,
//                 a conversion from integers)
//      Linear     f(ṫ…) — the builtin applied to the arguments' tangents: add, sub, neg, pos,
//                 transpose, trace and the constructors built from float components / rows /
//                 parts (every argument differentiable)
//      Bilinear   f(ȧ, b) + f(a, ḃ): mul (no transform operand), dot, cross, outer, ddot,
//                 cw_mul, quat_multiply-free forms of `mul`
//      Adjoint    through the library adjoint (tan_call_builtin): ṙ_k = Σ_i ⟨adj_i(e_k), ṫ_i⟩
//                 for each component k of the result — exact for every builtin whose adjoint
//                 is, one adjoint call per result component (scalar results: one call)
//      Refuse     writes into `&` arguments: generate_tangents.cpp takes the SSA form through the
//                 library adjoint (one tangent per result) and refuses the in-place form
//  * The table of explicit rules lives in tangent_rules.cpp; everything differentiable and
//    not listed there takes the Adjoint rule.
#pragma once

#include "ir/ir.h"

namespace warpc {

enum class TangentRule { Zero, Linear, Bilinear, Adjoint, Refuse };

TangentRule tangent_rule(const ir::Op& call_builtin);

}  // namespace warpc
