// builtin_resolve.cpp — Warp's overload resolution over a set of overloads
// (a builtin's table rows or a type's constructor forms), and the messages
// that explain a failed call.
//
// Contract (builtins.h): overloads are tried in order and the first exact
// match wins; keywords bind by parameter name and defaults fill the rest;
// Error-typed arguments match anything. On failure the message blames one
// argument when exactly one argument position mismatches every candidate that
// accepts the call's arity.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "sema/builtin_signature.h"

namespace warpc {

namespace {

// One overload tried against the call.
struct Attempt {
  const BuiltinOverload* ov = nullptr;
  bool arity_ok = false;
  std::string arity_why;        // why the arguments do not fit the parameters
  std::vector<int> param_args;  // per parameter: index into args, or -1
  std::vector<int> arg_params;  // per argument: parameter index
  std::vector<int> bad_args;    // arguments whose type does not match
  Binding binding;
  std::string why;              // a result function's refusal
  const Type* result = nullptr;

  bool ok() const { return arity_ok && bad_args.empty() && result; }
};

bool is_poison(const Type* t) { return !t || t->is_error(); }

std::string arity_text(const BuiltinOverload& ov) {
  int required = 0, total = 0;
  bool variadic = false;
  for (const BuiltinParam& p : ov.params) {
    if (p.variadic) { variadic = true; continue; }
    ++total;
    if (!p.default_text) ++required;
  }
  auto plural = [](int n) { return fmt::format("{} argument{}", n, n == 1 ? "" : "s"); };
  if (variadic) return fmt::format("at least {}", plural(required));
  if (required == total) return plural(total);
  if (required == 0) return fmt::format("at most {}", plural(total));
  return fmt::format("{} to {} arguments", required, total);
}

int find_param(const BuiltinOverload& ov, std::string_view name) {
  for (size_t i = 0; i < ov.params.size(); ++i)
    if (!ov.params[i].variadic && ov.params[i].name == name) return static_cast<int>(i);
  return -1;
}

// The parameter argument `i` binds to, or -1 with a.arity_why set.
int param_for(Attempt& a, std::string_view display, std::span<const BuiltinArg> args, size_t i, size_t& next) {
  const BuiltinOverload& ov = *a.ov;
  if (args[i].keyword.empty()) {
    if (next < ov.params.size() && !ov.params[next].variadic) return static_cast<int>(next++);
    if (next < ov.params.size()) return static_cast<int>(next);  // the variadic tail
    a.arity_why = fmt::format("'{}' takes {} but {} {} given", display, arity_text(ov), args.size(),
                              args.size() == 1 ? "was" : "were");
    return -1;
  }
  int p = find_param(ov, args[i].keyword);
  if (p < 0) a.arity_why = fmt::format("'{}' has no parameter named '{}'", display, args[i].keyword);
  else if (a.param_args[p] >= 0)
    a.arity_why = fmt::format("'{}' got multiple values for parameter '{}'", display, args[i].keyword);
  return a.arity_why.empty() ? p : -1;
}

// Binds each argument to a parameter: positionals in order, keywords by name;
// every parameter without a default must be bound.
bool map_arguments(Attempt& a, std::string_view display, std::span<const BuiltinArg> args) {
  const BuiltinOverload& ov = *a.ov;
  a.param_args.assign(ov.params.size(), -1);
  a.arg_params.assign(args.size(), -1);
  size_t next = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    int p = param_for(a, display, args, i, next);
    if (p < 0) return false;
    a.arg_params[i] = p;
    if (!ov.params[p].variadic) a.param_args[p] = static_cast<int>(i);
  }
  for (size_t p = 0; p < ov.params.size(); ++p) {
    const BuiltinParam& param = ov.params[p];
    if (a.param_args[p] < 0 && !param.variadic && !param.default_text) {
      a.arity_why = fmt::format("'{}' is missing argument '{}'", display, param.name);
      return false;
    }
  }
  return true;
}

// The type a default value has on its own: 1 → int32, 1.0/inf → float32, float32 → type.
const Type* default_type(TypeContext& types, std::string_view text) {
  if (text == "True" || text == "False") return types.bool_type();
  if (text == "inf" || text == "-inf" || text == "nan") return types.float32();
  if (!text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-')) {
    bool is_float = text.find_first_of(".eE") != std::string_view::npos;
    return is_float ? types.float32() : types.int32();
  }
  std::string error;
  if (auto p = parse_type_pattern(text, &error)) {
    if (const Type* t = instantiate_pattern(types, *p, Binding{})) return types.type_value(t);
  }
  return nullptr;
}

// Generic parameters left unbound by the arguments take their default's type.
void bind_defaults(TypeContext& types, Attempt& a) {
  for (size_t p = 0; p < a.ov->params.size(); ++p) {
    const BuiltinParam& param = a.ov->params[p];
    if (a.param_args[p] >= 0 || !param.default_text) continue;
    if (instantiate_pattern(types, param.type, a.binding)) continue;
    if (const Type* t = default_type(types, *param.default_text)) match_pattern(types, param.type, t, a.binding);
  }
}

void match_types(TypeContext& types, Attempt& a, std::string_view display, std::span<const BuiltinArg> args) {
  const BuiltinOverload& ov = *a.ov;
  for (size_t p = 0; p < ov.params.size(); ++p) {
    int i = a.param_args[p];
    if (i < 0 || is_poison(args[i].type)) continue;
    if (!match_pattern(types, ov.params[p].type, args[i].type, a.binding)) a.bad_args.push_back(i);
  }
  for (size_t i = 0; i < args.size(); ++i) {  // variadic arguments: each on its own
    int p = a.arg_params[i];
    if (!ov.params[p].variadic || is_poison(args[i].type)) continue;
    Binding scratch = a.binding;
    if (!match_pattern(types, ov.params[p].type, args[i].type, scratch)) a.bad_args.push_back(static_cast<int>(i));
  }
  std::sort(a.bad_args.begin(), a.bad_args.end());
  if (!a.bad_args.empty()) return;
  bind_defaults(types, a);
  if (ov.result_fn) {
    ResultContext ctx{types, a.binding, display, args, a.param_args, a.arg_params, &a.why};
    a.result = ov.result_fn(ctx);
    if (!a.result && a.why.empty()) a.result = types.error();
    return;
  }
  a.result = instantiate_pattern(types, ov.result, a.binding);
  if (!a.result) a.result = types.error();  // a variable only a poisoned argument would bind
}

std::string arg_list_text(std::span<const BuiltinArg> args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) out += ", ";
    if (!args[i].keyword.empty()) out += fmt::format("{}=", args[i].keyword);
    out += type_name(args[i].type);
  }
  return out;
}

std::string arg_position_text(std::span<const BuiltinArg> args, int i) {
  if (!args[i].keyword.empty()) return fmt::format("argument '{}'", args[i].keyword);
  return fmt::format("argument {}", i + 1);
}

// "'vec3f'", or a description of an unbound generic parameter.
std::string expected_text(TypeContext& types, const TypePattern& p, const Binding& b) {
  if (const Type* t = instantiate_pattern(types, p, b)) return fmt::format("'{}'", type_name(t));
  if (p.kind == TypePattern::Kind::ScalarVar) {
    switch (p.cls) {
      case GenericKind::Float: return "a floating-point scalar";
      case GenericKind::Int: return "an integer scalar";
      default: return "a numeric scalar";
    }
  }
  return fmt::format("'{}'", pattern_text(&types, p, &b));
}

// The one argument position that every arity-compatible candidate rejects, or -1.
int blamed_argument(const std::vector<const Attempt*>& fits, size_t nargs) {
  int blamed = -1;
  for (size_t i = 0; i < nargs; ++i) {
    bool all_reject = std::all_of(fits.begin(), fits.end(), [&](const Attempt* a) {
      return std::find(a->bad_args.begin(), a->bad_args.end(), static_cast<int>(i)) != a->bad_args.end();
    });
    if (!all_reject) continue;
    if (blamed >= 0) return -1;
    blamed = static_cast<int>(i);
  }
  return blamed;
}

std::string_view noun(const BuiltinOverload* ov) { return ov->constructor ? "constructor" : "overload"; }

// Fills message/bad_arg for a call no overload accepted.
void explain_failure(TypeContext& types, BuiltinResolution& r, const std::vector<Attempt>& attempts,
                     std::string_view display, std::span<const BuiltinArg> args) {
  std::vector<const Attempt*> fits;
  for (const Attempt& a : attempts)
    if (a.arity_ok) fits.push_back(&a);
  std::string_view kind = noun(attempts.front().ov);
  if (fits.empty()) {
    bool same = std::all_of(attempts.begin(), attempts.end(),
                            [&](const Attempt& a) { return a.arity_why == attempts.front().arity_why; });
    if (same) r.message = attempts.front().arity_why;
    else r.message = fmt::format("no {} of '{}' takes {} argument{}", kind, display, args.size(),
                                 args.size() == 1 ? "" : "s");
    return;
  }
  r.bad_arg = blamed_argument(fits, args.size());
  if (fits.size() == 1 && !fits[0]->why.empty()) {
    r.message = fits[0]->why;
    return;
  }
  if (fits.size() == 1 && r.bad_arg >= 0) {
    const Attempt& a = *fits[0];
    const TypePattern& want = a.ov->params[a.arg_params[r.bad_arg]].type;
    r.message = fmt::format("{} of '{}' has type '{}' but {} was expected", arg_position_text(args, r.bad_arg),
                            display, type_name(args[r.bad_arg].type), expected_text(types, want, a.binding));
    return;
  }
  r.message = fmt::format("no {} of '{}' accepts ({})", kind, display, arg_list_text(args));
}

}  // namespace

BuiltinResolution resolve_overload_set(TypeContext& types, std::span<const BuiltinOverload* const> overloads,
                                       std::string_view display, std::span<const BuiltinArg> args) {
  BuiltinResolution r;
  if (overloads.empty()) {
    r.message = fmt::format("'{}' is not a builtin function", display);
    return r;
  }
  std::vector<Attempt> attempts;
  for (const BuiltinOverload* ov : overloads) {
    Attempt& a = attempts.emplace_back();
    a.ov = ov;
    a.arity_ok = map_arguments(a, display, args);
    if (a.arity_ok) match_types(types, a, display, args);
    if (!a.ok()) continue;
    r.status = BuiltinResolution::Status::Ok;
    r.overload = ov;
    r.result = a.result;
    r.param_args = std::move(a.param_args);
    r.arg_params = std::move(a.arg_params);
    return r;
  }
  r.status = BuiltinResolution::Status::NoMatch;
  for (const BuiltinOverload* ov : overloads) r.candidates.push_back(builtin_signature_text(ov));
  explain_failure(types, r, attempts, display, args);
  return r;
}

}  // namespace warpc
