// lower_builtin_args.cpp — the operands of a builtin call: arguments are
// evaluated in source order (Python's), then passed in the chosen overload's
// parameter order (keywords bound by name, as sema bound them). An omitted
// parameter with a default that is followed by a passed one becomes a
// `const` of the parameter's type (the C++ functions default only trailing
// parameters); omitted trailing ones stay omitted. Type arguments
// (`dtype=float`) are no operands: the call's result type carries them. Also: the CallTargets of
// builtins that lowering itself calls (a query loop's `*_next`), and which builtins write into
// arguments in the SSA form (and where).
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <memory>

#include "lower/lower_impl.h"
#include "sema/builtin_signature.h"

namespace warpc::lower {

using ir::Value;

namespace {

// The table's default text ("1.0", "inf", "1", "True") as a constant of scalar type `t`.
std::optional<ConstValue> parse_default(std::string_view text, const Type* t) {
  std::string s(text);
  ConstValue c;
  c.type = t;
  char* end = nullptr;
  if (t->is_bool()) {
    if (s != "True" && s != "False" && s != "true" && s != "false") return std::nullopt;
    c.comps = {s == "True" || s == "true"};
  } else if (is_float(t->scalar)) {
    double d = std::strtod(s.c_str(), &end);
    if (t->scalar != ScalarKind::Float64) d = static_cast<double>(static_cast<float>(d));
    c.comps = {d};
  } else if (is_signed(t->scalar)) {
    c.comps = {static_cast<int64_t>(std::strtoll(s.c_str(), &end, 10))};
  } else {
    c.comps = {static_cast<uint64_t>(std::strtoull(s.c_str(), &end, 10))};
  }
  if (!t->is_bool() && (end == s.c_str() || *end != '\0')) return std::nullopt;
  return c;
}

}  // namespace

std::vector<Value*> Lowerer::builtin_args(const ast::CallExpr* c, std::vector<const ast::Expr*>* sources) {
  const sema::CallTarget* t = c->target;
  std::vector<const ast::Expr*> exprs(c->args.begin(), c->args.end());
  for (const ast::Keyword& k : c->keywords) exprs.push_back(k.value);
  auto is_type = [](const ast::Expr* a) { return a->type && a->type->kind == TypeKind::TypeValue; };
  std::vector<Value*> in_order;  // null for a type argument (the result type carries it)
  for (const ast::Expr* a : exprs) in_order.push_back(is_type(a) ? nullptr : expr(a));
  std::vector<const ast::Expr*> unused;
  std::vector<const ast::Expr*>& src = sources ? *sources : unused;
  if (c->keywords.empty()) {
    for (size_t i = 0; i < exprs.size(); ++i)
      if (in_order[i]) src.push_back(exprs[i]);
    std::erase(in_order, nullptr);
    return in_order;
  }
  std::vector<BuiltinArg> bargs;
  for (size_t i = 0; i < exprs.size(); ++i) {
    std::string_view kw = i < c->args.size() ? std::string_view() : c->keywords[i - c->args.size()].name;
    bargs.push_back(BuiltinArg{exprs[i]->type, kw, exprs[i]->constant});
  }
  BuiltinResolution r;
  if (t->kind == sema::CallKind::Builtin) r = resolve_builtin(types_, t->name, bargs);
  if (r.status != BuiltinResolution::Status::Ok || r.overload != t->overload)
    unsupported(c->range, fmt::format("keyword arguments to '{}'", t->name));
  int n = builtin_param_count(t->overload), last = -1;  // the last parameter given a value
  for (size_t i = 0; i < r.arg_params.size(); ++i)
    if (in_order[i]) last = std::max(last, r.arg_params[i]);
  std::vector<Value*> out;
  for (int p = 0; p < n && p <= last; ++p) {
    if (builtin_param_is_variadic(t->overload, p)) {
      for (size_t i = 0; i < r.arg_params.size(); ++i)
        if (r.arg_params[i] == p && in_order[i]) out.push_back(in_order[i]), src.push_back(exprs[i]);
    } else if (int i = r.param_args[static_cast<size_t>(p)]; i >= 0) {
      const size_t k = static_cast<size_t>(i);
      if (in_order[k]) out.push_back(in_order[k]), src.push_back(exprs[k]);
    } else {
      out.push_back(default_arg(t, p, r.param_args, in_order, c->range));
      src.push_back(nullptr);
    }
  }
  return out;
}

// Differentiable builtins with `&` parameters (svd3, qr3, quat_to_axis_angle,
// transform_set_translation …) give the arguments' new values as extra results (docs/ir.md,
// *Builtin calls*); the others (random states, query iterators) update them in place.
bool Lowerer::writes_into_arguments(const sema::CallTarget* t) const {
  if (!t || t->kind != sema::CallKind::Builtin || !t->overload || !builtin_is_differentiable(t->overload)) return false;
  for (int p = 0; p < builtin_param_count(t->overload); ++p)
    if (builtin_param_is_ref(t->overload, p)) return true;
  return false;
}

// Where locals are written through `&` parameters: a name passed positionally (type arguments
// skipped, as in the operands) or by keyword to a `&` parameter of such a builtin.
void Lowerer::record_ref_writes(const ast::CallExpr* c) {
  const sema::CallTarget* t = c->target;
  if (!writes_into_arguments(t)) return;
  const int n = builtin_param_count(t->overload);
  auto note = [&](const ast::Expr* a, int param) {
    const auto* name = a->as<ast::NameExpr>();
    if (name && name->symbol && param >= 0 && builtin_param_is_ref(t->overload, std::min(param, n - 1)))
      ref_writes_.emplace(name->symbol, c->range.begin.offset);
  };
  int position = 0;
  for (const ast::Expr* a : c->args)
    if (!(a->type && a->type->kind == TypeKind::TypeValue)) note(a, position++);
  for (const ast::Keyword& k : c->keywords)
    for (int p = 0; p < n; ++p)
      if (builtin_param_name(t->overload, p) == k.name) note(k.value, p);
}

// The default of parameter `param` as a `const` of its concrete type (generic
// parameters take the type their variable bound to in this call; `args` has
// null for type arguments).
Value* Lowerer::default_arg(const sema::CallTarget* t, int param, const std::vector<int>& param_args,
                            const std::vector<Value*>& args, SourceRange loc) {
  const BuiltinOverload* ov = t->overload;
  Binding binding;
  for (size_t p = 0; p < param_args.size(); ++p)
    if (param_args[p] >= 0 && args[static_cast<size_t>(param_args[p])])
      match_pattern(types_, ov->params[p].type, args[static_cast<size_t>(param_args[p])]->type, binding);
  const Type* type = instantiate_pattern(types_, ov->params[static_cast<size_t>(param)].type, binding);
  std::string_view text = builtin_param_default(ov, param);
  std::optional<ConstValue> c = type && type->is_scalar() ? parse_default(text, type) : std::nullopt;
  if (!c)
    unsupported(loc, fmt::format("the default '{}' of parameter '{}' of '{}' before a keyword argument", text,
                                 builtin_param_name(ov, param), t->name));
  return constant(module_->keep(std::move(*c)), loc);
}

// A CallTarget for builtin `name` applied to `args` (kept alive by the
// TypeContext, like sema's own); null when no overload matches.
const sema::CallTarget* Lowerer::builtin_target(const std::string& name, const std::vector<const Type*>& args) {
  std::string key = name;
  for (const Type* a : args) key += "," + type_name(a);
  if (auto it = made_targets_.find(key); it != made_targets_.end()) return it->second;
  std::vector<BuiltinArg> bargs;
  for (const Type* a : args) bargs.push_back(BuiltinArg{a, {}, nullptr});
  BuiltinResolution r = resolve_builtin(types_, name, bargs);
  if (r.status != BuiltinResolution::Status::Ok) return nullptr;
  auto t = std::make_shared<sema::CallTarget>();
  t->kind = sema::CallKind::Builtin;
  t->result = r.result;
  t->name = name;
  t->overload = r.overload;
  types_.keep(t);
  return made_targets_[key] = t.get();
}

}  // namespace warpc::lower
