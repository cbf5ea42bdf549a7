// check_call.cpp — calls: builtins (through the builtin table), user
// functions (overload sets, keyword binding, defaults, generic
// instantiation), struct constructors, type constructors and casts, and the
// forms sema handles itself: wp.tid, wp.static, wp.constant, range,
// reversed, print, wp.printf, len (of values and of vector/matrix types),
// type(x), local arrays (wp.zeros); `*v` arguments expanded into components,
// sized wp.vector / wp.matrix constructors and their zero-valued forms.
//
// Contract: check_call() returns what the call denotes (a Value almost
// always; a Type for `type(x)` and type templates; whatever wp.static(f)
// names) and sets CallExpr::target for every call it accepts.
#include <fmt/format.h>

#include <algorithm>

#include "sema/sema_impl.h"

namespace warpc::sema {

namespace {

Entity value_entity(const Type* t, const ast::Expr* e) {
  Entity en;
  if (t->is_error()) return en;
  en.kind = Entity::Kind::Value;
  en.type = t;
  en.constant = e->constant;
  return en;
}

// A literal, or a name that may denote a predefined constant (`wp.pi`, `math.pi`).
bool literal_like(const ast::Expr* e) {
  while (auto* u = e->as<ast::UnaryExpr>()) {
    if (u->op != ast::UnaryOp::Neg && u->op != ast::UnaryOp::Pos) return false;
    e = u->operand;
  }
  if (auto* a = e->as<ast::AttributeExpr>()) return a->value->kind == ast::ExprKind::Name;
  return e->kind == ast::ExprKind::IntLit || e->kind == ast::ExprKind::FloatLit || e->kind == ast::ExprKind::Name;
}

}  // namespace

// `wp.vector(length=3, dtype=float)` / `wp.matrix(shape=(2, 2), dtype=float)` name a type in an
// annotation but, used as a value, are Warp's zero vector / matrix: the builtin call. Null when
// `e` is not such a call.
const Type* Sema::generic_zero_value(ast::Expr* e, const Entity& en) {
  auto* c = e->as<ast::CallExpr>();
  if (!c || en.kind != Entity::Kind::Type) return nullptr;
  Entity callee = resolve_entity(c->func);
  if (callee.kind != Entity::Kind::TypeTemplate || (callee.name != "vector" && callee.name != "matrix") ||
      !is_builtin_function(callee.name))
    return nullptr;
  return value_of(e, value_entity(call_builtin(c, callee.name, callee.name), c));
}

Entity Sema::check_call(ast::CallExpr* c) {
  Entity callee = resolve_entity(c->func);
  if (!expand_starred(c)) {
    check_args_quietly(c);
    return Entity{};
  }
  std::string shown = callee_text(c->func);
  switch (callee.kind) {
    case Entity::Kind::Functions: return value_entity(call_user(c, callee.symbol, shown), c);
    case Entity::Kind::Builtin: return value_entity(call_builtin(c, callee.name, callee.name), c);
    case Entity::Kind::Special: return call_special(c, callee.name, shown);
    case Entity::Kind::Type:
      if (callee.type->is(TypeKind::Struct)) return value_entity(call_struct(c, callee.type, shown), c);
      if (callee.type->is_scalar() || callee.type->is_composite())
        return value_entity(call_constructor(c, callee.type, type_name(callee.type)), c);
      break;
    case Entity::Kind::TypeTemplate: {
      if (callee.name == "array")
        for (ast::Keyword& kw : c->keywords)
          if (kw.name == "ptr") return value_entity(call_array_from_ptr(c), c);
      // `wp.types.vector(3, wp.float16)`, `wp.types.matrix((2, 2), float)`: a positional type form
      // when the last positional argument names a type.
      bool type_args = c->args.empty() || (c->args.size() == 2 && names_type(c->args[1]));
      for (ast::Keyword& kw : c->keywords)
        type_args = type_args && (kw.name == "dtype" || kw.name == "length" || kw.name == "shape" || kw.name == "ndim");
      bool sized = false;
      for (ast::Keyword& kw : c->keywords) sized = sized || kw.name == "length" || kw.name == "shape";
      if ((callee.name == "vector" || callee.name == "matrix") && sized && !c->args.empty())
        return value_entity(call_sized_constructor(c, callee.name), c);
      if ((callee.name == "vector" || callee.name == "matrix") && !type_args && is_builtin_function(callee.name))
        return value_entity(call_builtin(c, callee.name, callee.name), c);
      Entity t;
      const Type* ty = type_from_template(callee.name, c);
      if (!ty->is_error()) {
        t.kind = Entity::Kind::Type;
        t.type = ty;
      }
      return t;
    }
    case Entity::Kind::Kernel:
      check_args_quietly(c);
      error(DiagId::err_kernel_call, c->func->range, callee.name)
          .help("kernels are launched from C++; move shared code into a '@wp.func'");
      return Entity{};
    case Entity::Kind::Error:
      check_args_quietly(c);
      return Entity{};
    default: break;
  }
  check_args_quietly(c);
  error(DiagId::err_not_callable, c->func->range, callee.kind == Entity::Kind::Value ? type_name(callee.type)
                                                                                    : entity_description(callee));
  return Entity{};
}

// `f(*v)`: a vector or quaternion argument becomes its components `v[0]`, `v[1]` …, a matrix
// its rows (Warp's rule), a tuple its elements (Warp refuses those); other values are refused. Each component reads its own
// copy of the expression. False (reported) when an argument cannot be unpacked.
bool Sema::expand_starred(ast::CallExpr* c) {
  if (std::find(c->starred.begin(), c->starred.end(), true) == c->starred.end()) return true;
  std::vector<ast::Expr*> args;
  bool ok = true;
  for (size_t i = 0; i < c->args.size(); ++i) {
    ast::Expr* a = c->args[i];
    if (i >= c->starred.size() || !c->starred[i]) {
      args.push_back(a);
      continue;
    }
    const Type* t = check_expr(a);
    int n = t->is(TypeKind::Vector) || t->is(TypeKind::Matrix) ? t->rows
            : t->is(TypeKind::Quat)                            ? 4
            : t->is(TypeKind::Tuple)                           ? static_cast<int>(t->elems.size())
                                                               : -1;
    if (n < 0 && !t->is_error())
      error(DiagId::err_star_operand, a->range, type_name(t))
          .help("only vectors, quaternions, matrices (into rows) and tuples can be unpacked");
    ok = ok && n >= 0;
    for (int k = 0; k < n; ++k) {
      auto* index = program_.make<ast::IntLitExpr>();
      index->range = a->range;
      index->value = static_cast<uint64_t>(k);
      auto* s = program_.make<ast::SubscriptExpr>();
      s->range = a->range;
      s->value = clone_expr(a);
      s->index = index;
      args.push_back(s);
    }
  }
  c->args = std::move(args);
  c->starred.clear();
  return ok;
}

// Arguments of a call that is rejected anyway: report their own errors only.
void Sema::check_args_quietly(ast::CallExpr* c) {
  for (ast::Expr* a : c->args) resolve_entity(a);
  for (ast::Keyword& kw : c->keywords) resolve_entity(kw.value);
}

// One argument; types are passed as type values (`dtype=wp.float32`).
// Literals written directly as arguments of a 64-bit constructor keep their
// full value (`wp.int64(5000000000)`, `wp.float64(0.1)`), and so do module constants
// written as a Python float (`wp.float64(DT)` with `DT = wp.constant(0.1)`: 0.1, not 0.1f).
const Type* Sema::check_arg(ast::Expr* e, const Type* wide) {
  const Type* saved = wide_;
  wide_ = literal_like(e) ? wide : nullptr;
  Entity en = resolve_entity(e);
  wide_ = saved;
  if (en.kind == Entity::Kind::Type) {
    const Type* tv = types_.type_value(en.type);
    ConstValue* c = program_.make<ConstValue>();
    c->type = tv;
    e->type = tv;
    e->constant = c;
    return tv;
  }
  return value_of(e, en);
}

// An argument of a user function: a value, or a function for a wp.Function parameter.
const Type* Sema::check_user_arg(ast::Expr* e) {
  Entity en = resolve_entity(e);
  if (en.kind == Entity::Kind::Functions || en.kind == Entity::Kind::Builtin) {
    e->type = function_value_type(en);
    return e->type;
  }
  return value_of(e, en);
}

bool Sema::check_args(ast::CallExpr* c, std::vector<BuiltinArg>& out, const Type* wide) {
  bool ok = true;
  for (ast::Expr* a : c->args) {
    const Type* t = check_arg(a, wide);
    ok = ok && !t->is_error();
    out.push_back(BuiltinArg{t, {}, a->constant});
  }
  for (ast::Keyword& kw : c->keywords) {
    const Type* t = check_arg(kw.value, wide);
    ok = ok && !t->is_error();
    out.push_back(BuiltinArg{t, kw.name, kw.value->constant ? kw.value->constant : tuple_constant(kw.value)});
  }
  return ok;
}

// A tuple of scalar constants as one constant (`shape=(2, 3)`), for builtin arguments only (the
// tuple expression itself keeps no constant: lowering reads its elements); null otherwise.
const ConstValue* Sema::tuple_constant(const ast::Expr* e) {
  const auto* t = e->as<ast::TupleExpr>();
  if (!t || !e->type || e->type->is_error()) return nullptr;
  std::vector<ConstValue::Scalar> comps;
  for (const ast::Expr* x : t->elts) {
    if (!x->constant || !x->constant->is_scalar()) return nullptr;
    comps.push_back(x->constant->comps[0]);
  }
  return make_const(e->type, std::move(comps));
}

std::string Sema::arg_types_text(ast::CallExpr* c) {
  std::string out;
  for (ast::Expr* a : c->args) out += (out.empty() ? "" : ", ") + type_name(a->type ? a->type : err());
  for (ast::Keyword& kw : c->keywords)
    out += (out.empty() ? "" : ", ") + kw.name + "=" + type_name(kw.value->type ? kw.value->type : err());
  return out;
}

// ------------------------------------------------------------------ builtins

const Type* Sema::call_builtin(ast::CallExpr* c, const std::string& name, const std::string& shown) {
  std::vector<BuiltinArg> args;
  if (!check_args(c, args, nullptr)) return err();
  BuiltinResolution r = resolve_builtin(types_, name, args);
  if (r.status != BuiltinResolution::Status::Ok) {
    auto b = error(DiagId::err_call_no_match, c->func->range, shown, arg_types_text(c));
    if (!r.message.empty()) b.help(r.message);
    return err();
  }
  CallTarget* t = new_target(CallKind::Builtin, r.result);
  t->name = name;
  t->overload = r.overload;
  c->target = t;
  std::vector<const ConstValue*> consts;
  for (const BuiltinArg& a : args) consts.push_back(a.keyword.empty() ? a.constant : nullptr);
  if (!args.empty() && std::all_of(consts.begin(), consts.end(), [](const ConstValue* v) { return v; }))
    c->constant = fold_builtin(name, consts, r.result);
  return r.result;
}

SourceRange Sema::blamed_arg(ast::CallExpr* c, int index) {
  if (index < 0) return SourceRange();
  if (index < static_cast<int>(c->args.size())) return c->args[index]->range;
  index -= static_cast<int>(c->args.size());
  if (index < static_cast<int>(c->keywords.size())) return c->keywords[index].value->range;
  return SourceRange();
}

const Type* Sema::call_constructor(ast::CallExpr* c, const Type* target, const std::string& shown) {
  std::vector<BuiltinArg> args;
  if (!check_args(c, args, types_.scalar(target->scalar))) return err();
  BuiltinResolution r = resolve_constructor(types_, target, args);
  if (r.status != BuiltinResolution::Status::Ok) {
    auto b = error(DiagId::err_constructor_no_match, c->func->range, shown, arg_types_text(c));
    bool int_literal = false;
    for (ast::Expr* a : c->args) int_literal = int_literal || a->kind == ast::ExprKind::IntLit;
    if (int_literal && is_float(target->scalar))
      b.help(fmt::format("use float literals such as '1.0' for '{}' components", type_name(target)));
    else if (!r.message.empty() && r.bad_arg >= 0)
      b.help(r.message);
    return err();
  }
  const Type* result = r.result ? r.result : target;
  CallTarget* t = new_target(CallKind::TypeConstructor, result);
  t->name = type_name(target);
  t->overload = r.overload;
  t->constructed = target;
  c->target = t;
  std::vector<const ConstValue*> consts;
  bool all = c->keywords.empty();
  for (ast::Expr* a : c->args) {
    consts.push_back(a->constant);
    all = all && a->constant && !a->type->is(TypeKind::TypeValue);
  }
  if (all) c->constant = fold_construct(result, consts);
  return result;
}

// `wp.matrix(1.0, 2.0, …, shape=(2, 3))`, `wp.vector(…, length=5, dtype=wp.float16)`: the type
// from the size keywords (dtype: the keyword, else the first value's scalar type), then an
// ordinary constructor call of that type.
const Type* Sema::call_sized_constructor(ast::CallExpr* c, const std::string& tmpl) {
  const Type* first = check_expr(c->args[0]);
  if (first->is_error()) {
    check_args_quietly(c);
    return err();
  }
  ast::CallExpr sizes = *c;
  sizes.args.clear();
  const Type* dtype = first->is_scalar() || first->is_composite() ? types_.scalar(first->scalar) : nullptr;
  const Type* t = type_from_template(tmpl, &sizes, dtype);
  if (t->is_error()) return t;
  c->keywords.clear();
  return call_constructor(c, t, type_name(t));
}

// `wp.vector(length=3, dtype=float)` used as a value in kernel code: Warp's zero of that type.
const Type* Sema::zero_value(ast::CallExpr* c, const Type* t) {
  BuiltinResolution r = resolve_constructor(types_, t, {});
  if (r.status != BuiltinResolution::Status::Ok) return nullptr;
  CallTarget* ct = new_target(CallKind::TypeConstructor, t);
  ct->name = type_name(t);
  ct->overload = r.overload;
  ct->constructed = t;
  c->target = ct;
  c->keywords.clear();
  c->type = t;
  c->constant = nullptr;
  return t;
}

// ----------------------------------------------------------------- structs

const Type* Sema::call_struct(ast::CallExpr* c, const Type* st, const std::string& shown) {
  const StructInfo* info = st->info;
  std::vector<const ast::Expr*> bound(info->fields.size(), nullptr);
  bool ok = true;
  auto take = [&](ast::Expr* e, size_t field) {
    const Type* ft = info->fields[field].type;
    const Type* t = check_arg(e, ft->is_scalar() ? ft : nullptr);
    if (t->is_error() || ft->is_error()) return;
    if (t != ft) {
      error(DiagId::err_call_arg_type, e->range, info->fields[field].name, shown, type_name(t), type_name(ft));
      ok = false;
    }
  };
  if (c->args.size() > info->fields.size() || (c->keywords.empty() && !c->args.empty() && c->args.size() < info->fields.size())) {
    check_args_quietly(c);
    error(DiagId::err_struct_ctor_args, c->range, info->name, info->fields.size(), c->args.size() + c->keywords.size());
    return err();
  }
  for (size_t i = 0; i < c->args.size(); ++i) {
    bound[i] = c->args[i];
    take(c->args[i], i);
  }
  for (ast::Keyword& kw : c->keywords) {
    int i = info->field_index(kw.name);
    if (i < 0) {
      resolve_entity(kw.value);
      error(DiagId::err_struct_no_field, kw.name_range, info->name, kw.name);
      ok = false;
      continue;
    }
    if (bound[i]) {
      resolve_entity(kw.value);
      error(DiagId::err_call_duplicate_arg, kw.name_range, shown, kw.name);
      ok = false;
      continue;
    }
    bound[i] = kw.value;
    take(kw.value, static_cast<size_t>(i));
  }
  CallTarget* t = new_target(CallKind::StructConstructor, st);
  t->name = info->name;
  t->struct_info = info;
  t->bound_args = bound;
  c->target = t;
  return ok ? st : err();
}

// ----------------------------------------------------------- user functions

bool Sema::match_param(const Type* p, const Type* a) {
  if (a->is_error() || p->is_error() || p == a) return true;
  if (p->is(TypeKind::Function)) return a->is(TypeKind::Function);
  if (p->is(TypeKind::Generic)) {
    switch (p->generic) {
      case GenericKind::Any:
        return a->is_scalar() || a->is_composite() || a->is(TypeKind::Array) || a->is(TypeKind::Struct) ||
               a->is(TypeKind::Query) || a->is(TypeKind::Tuple);
      case GenericKind::Float: return a->is_float_scalar();
      case GenericKind::Int: return a->is_int_scalar();
      case GenericKind::Scalar: return a->is_scalar() && !a->is_bool();
    }
  }
  if (p->is(TypeKind::Array) && a->is(TypeKind::Array) && p->ndim == a->ndim && p->elem->is_generic())
    return match_param(p->elem, a->elem);
  return false;
}

bool Sema::bind_args(ast::CallExpr* c, const ast::FunctionDefStmt* def, const std::string& shown,
                     std::vector<const ast::Expr*>& bound, bool report) {
  size_t n = def->params.size();
  bound.assign(n, nullptr);
  if (c->args.size() > n) {
    if (report) error(DiagId::err_call_arg_count, c->range, shown, n, c->args.size());
    return false;
  }
  for (size_t i = 0; i < c->args.size(); ++i) bound[i] = c->args[i];
  for (const ast::Keyword& kw : c->keywords) {
    size_t idx = n;
    for (size_t i = 0; i < n; ++i)
      if (def->params[i].name == kw.name) idx = i;
    if (idx == n) {
      if (report) error(DiagId::err_call_unknown_keyword, kw.name_range, shown, kw.name);
      return false;
    }
    if (bound[idx]) {
      if (report) error(DiagId::err_call_duplicate_arg, kw.name_range, shown, kw.name);
      return false;
    }
    bound[idx] = kw.value;
  }
  for (size_t i = 0; i < n; ++i) {
    if (bound[i]) continue;
    if (def->params[i].default_value) {
      bound[i] = def->params[i].default_value;
      continue;
    }
    if (report) error(DiagId::err_call_missing_arg, c->range, shown, def->params[i].name);
    return false;
  }
  return true;
}

std::string Sema::signature_text(const FunctionDecl* d) {
  std::string out = d->name + "(";
  for (size_t i = 0; i < d->def->params.size() && i < d->param_types.size(); ++i)
    out += (i ? ", " : "") + d->def->params[i].name + ": " + type_name(d->param_types[i]);
  return out + ")";
}

// Picks the first overload whose parameters match the arguments exactly.
FunctionDecl* Sema::pick_overload(ast::CallExpr* c, Symbol* set, const std::string& shown,
                                  std::vector<const ast::Expr*>& bound) {
  for (FunctionDecl* d : set->overloads) {
    if (!bind_args(c, d->def, shown, bound, false)) continue;
    bool ok = true;
    for (size_t i = 0; ok && i < bound.size() && i < d->param_types.size(); ++i)
      ok = match_param(d->param_types[i], bound[i]->type ? bound[i]->type : err());
    if (ok) return d;
  }
  if (set->overloads.size() == 1) {
    FunctionDecl* d = set->overloads[0];
    if (!bind_args(c, d->def, shown, bound, true)) return nullptr;
    for (size_t i = 0; i < bound.size() && i < d->param_types.size(); ++i) {
      const Type* at = bound[i]->type ? bound[i]->type : err();
      if (match_param(d->param_types[i], at)) continue;
      auto b = error(DiagId::err_call_arg_type, bound[i]->range, d->def->params[i].name, shown, type_name(at),
                     type_name(d->param_types[i]));
      auto* lit = bound[i]->as<ast::IntLitExpr>();
      if (lit && d->param_types[i] == types_.float32()) b.help(fmt::format("use a float literal '{}.0'", lit->value));
      return nullptr;
    }
    return nullptr;
  }
  auto b = error(DiagId::err_call_no_match, c->func->range, shown, arg_types_text(c));
  for (FunctionDecl* d : set->overloads) b.note(DiagId::note_candidate, d->def->name_range, signature_text(d));
  return nullptr;
}

const Type* Sema::call_user(ast::CallExpr* c, Symbol* set, const std::string& shown) {
  bool ok = true;
  for (ast::Expr* a : c->args) ok = !check_user_arg(a)->is_error() && ok;
  for (ast::Keyword& kw : c->keywords) ok = !check_user_arg(kw.value)->is_error() && ok;
  std::vector<const ast::Expr*> bound;
  FunctionDecl* d = pick_overload(c, set, shown, bound);
  if (!d) return err();
  if (d->kind == FunctionKind::Kernel) return err();
  std::vector<const Type*> concrete;
  for (size_t i = 0; i < bound.size() && i < d->param_types.size(); ++i) {
    const Type* at = bound[i]->type ? bound[i]->type : err();
    if (at->is_error()) ok = false;
    const Type* pt = d->param_types[i];
    concrete.push_back(pt->is_generic() || pt->is(TypeKind::Function) ? at : pt);
  }
  if (!ok && d->generic) return d->declared_return ? d->declared_return : err();
  if (!d->generic) concrete = d->param_types;  // generic: instantiated per argument types
  FunctionInstance* inst = instantiate(d, concrete, c->range);
  call_stack_.push_back({fn_ ? fn_->inst : nullptr, inst, c->range});
  check_instance(inst, c->range);
  call_stack_.pop_back();
  const Type* result = inst->checked && inst->return_type ? inst->return_type : d->declared_return;
  if (!result) result = err();
  CallTarget* t = new_target(CallKind::UserFunction, result);
  t->name = d->name;
  t->function = inst;
  t->bound_args = bound;
  c->target = t;
  return result;
}

// ------------------------------------------------------------------- specials

Entity Sema::call_special(ast::CallExpr* c, const std::string& name, const std::string& shown) {
  if (name == "static") return call_static(c);
  if (name == "type") return call_type(c);
  if (name == "constant") {
    if (c->args.size() != 1 || !c->keywords.empty()) {
      check_args_quietly(c);
      error(DiagId::err_call_arg_count, c->range, shown, 1, c->args.size() + c->keywords.size());
      return Entity{};
    }
    Entity en = resolve_entity(c->args[0]);
    if (en.kind == Entity::Kind::Value) {
      c->constant = en.constant;
      c->target = new_target(CallKind::Static, en.type);
    }
    return en;
  }
  const Type* t = nullptr;
  if (name == "tid") t = call_tid(c);
  else if (name == "range") t = call_range(c);
  else if (name == "reversed") t = call_reversed(c);
  else if (name == "print" || name == "printf") t = call_print(c, name == "printf");
  else if (name == "len") t = call_len(c);
  else if (name == "zeros") t = call_local_array(c, shown);
  if (t) return value_entity(t, c);
  if (name != "overload") check_args_quietly(c);  // (its arguments are types, not values)
  std::string what = name.rfind("unsupported:", 0) == 0 ? "wp." + name.substr(12) : shown;
  error(DiagId::err_unsupported, c->func->range, fmt::format("'{}'", what));
  return Entity{};
}

Entity Sema::call_static(ast::CallExpr* c) {
  if (c->args.size() != 1 || !c->keywords.empty()) {
    check_args_quietly(c);
    error(DiagId::err_static_arguments, c->range);
    return Entity{};
  }
  Entity en = resolve_entity(c->args[0]);
  if (en.kind != Entity::Kind::Value) return en;  // a type or function chosen statically
  if (!en.constant) {
    if (ast::Expr* bad = first_non_constant(c->args[0])) {
      error(DiagId::err_static_not_constant, c->args[0]->range).note(DiagId::note_not_constant, bad->range);
      return Entity{};
    }
    // Depends on the variables of unrolled loops: constant per iteration,
    // evaluated by lowering (no single `constant` here).
    c->target = new_target(CallKind::Static, en.type);
    return en;
  }
  c->constant = en.constant;
  c->target = new_target(CallKind::Static, en.type);
  return en;
}

Entity Sema::call_type(ast::CallExpr* c) {
  if (c->args.size() != 1 || !c->keywords.empty()) {
    check_args_quietly(c);
    error(DiagId::err_call_arg_count, c->range, "type", 1, c->args.size() + c->keywords.size());
    return Entity{};
  }
  const Type* t = check_expr(c->args[0]);
  if (t->is_error()) return Entity{};
  Entity en;
  en.kind = Entity::Kind::Type;
  en.type = t;
  CallTarget* ct = new_target(CallKind::TypeOf, types_.type_value(t));
  ct->constructed = t;
  c->target = ct;
  return en;
}

const Type* Sema::call_tid(ast::CallExpr* c) {
  int n = pending_tid_call_ == c ? pending_tid_arity_ : 1;
  if (!fn_ || fn_->decl->kind != FunctionKind::Kernel) {
    error(DiagId::err_tid_in_function, c->range);
    return err();
  }
  if (!c->args.empty() || !c->keywords.empty()) {
    check_args_quietly(c);
    error(DiagId::err_call_arg_count, c->range, "wp.tid", 0, c->args.size() + c->keywords.size());
    return err();
  }
  if (n > 4) {
    error(DiagId::err_tid_arity, c->range, n);
    return err();
  }
  fn_->tid_dims = std::max(fn_->tid_dims, n);
  const Type* t = n == 1 ? types_.int32() : types_.tuple(std::vector<const Type*>(n, types_.int32()));
  CallTarget* ct = new_target(CallKind::Tid, t);
  ct->name = "tid";
  ct->tid_dims = n;
  c->target = ct;
  return t;
}

const Type* Sema::call_range(ast::CallExpr* c) {
  if (c->args.empty() || c->args.size() > 3 || !c->keywords.empty()) {
    check_args_quietly(c);
    error(DiagId::err_range_arg_count, c->range, c->args.size() + c->keywords.size());
    return err();
  }
  bool ok = true;
  for (ast::Expr* a : c->args) {
    const Type* t = check_expr(a);
    if (t->is_error()) {
      ok = false;
    } else if (t != types_.int32()) {
      error(DiagId::err_range_arg_type, a->range, type_name(t), "int32");
      ok = false;
    }
  }
  if (ok && c->args.size() == 3 && c->args[2]->constant && c->args[2]->constant->as_int() == 0) {
    error(DiagId::err_range_step_zero, c->args[2]->range);
    ok = false;
  }
  if (!ok) return err();
  CallTarget* ct = new_target(CallKind::Range, types_.range());
  ct->name = "range";
  c->target = ct;
  return types_.range();
}

const Type* Sema::call_reversed(ast::CallExpr* c) {
  if (c->args.size() != 1 || !c->keywords.empty()) {
    check_args_quietly(c);
    error(DiagId::err_reversed_arg, c->range);
    return err();
  }
  const Type* t = check_expr(c->args[0]);
  if (t->is_error()) return t;
  if (!t->is(TypeKind::Range) || !c->args[0]->as<ast::CallExpr>()) {
    error(DiagId::err_reversed_arg, c->args[0]->range);
    return err();
  }
  CallTarget* ct = new_target(CallKind::Reversed, types_.range());
  ct->name = "reversed";
  c->target = ct;
  return types_.range();
}

const Type* Sema::call_print(ast::CallExpr* c, bool printf) {
  bool ok = true;
  for (size_t i = 0; i < c->args.size(); ++i) {
    const Type* t = check_expr(c->args[i]);
    if (t->is_error()) {
      ok = false;
      continue;
    }
    if (printf && i == 0 && c->args[0]->kind != ast::ExprKind::StringLit) {
      error(DiagId::err_printf_format, c->args[0]->range);
      ok = false;
    }
  }
  for (ast::Keyword& kw : c->keywords) {
    check_expr(kw.value);
    error(DiagId::err_call_unknown_keyword, kw.name_range, printf ? "wp.printf" : "print", kw.name);
    ok = false;
  }
  if (printf && c->args.empty()) {
    error(DiagId::err_printf_format, c->range);
    ok = false;
  }
  CallTarget* ct = new_target(printf ? CallKind::Printf : CallKind::Print, types_.void_type());
  ct->name = printf ? "printf" : "print";
  c->target = ct;
  return ok ? types_.void_type() : err();
}

const Type* Sema::call_len(ast::CallExpr* c) {
  if (c->args.size() != 1 || !c->keywords.empty()) {
    check_args_quietly(c);
    error(DiagId::err_call_arg_count, c->range, "len", 1, c->args.size() + c->keywords.size());
    return err();
  }
  // A value, or a vector/matrix/quaternion type (`len(wp.vec4)`, Warp's rule too).
  Entity en = resolve_entity(c->args[0]);
  const bool is_type = en.kind == Entity::Kind::Type;
  const Type* t = is_type ? en.type : value_of(c->args[0], en);
  if (t->is_error()) return t;
  int64_t n = -1;
  if (t->is(TypeKind::Vector) || t->is(TypeKind::Matrix)) n = t->rows;
  else if (t->is(TypeKind::Quat)) n = 4;
  else if (t->is(TypeKind::Transform)) n = 7;
  else if (t->is(TypeKind::Tuple)) n = static_cast<int64_t>(t->elems.size());
  if (n < 0 && (is_type || !t->is(TypeKind::Array))) {
    error(DiagId::err_call_no_match, c->func->range, "len", is_type ? "type(" + type_name(t) + ")" : type_name(t));
    return err();
  }
  CallTarget* ct = new_target(CallKind::Len, types_.int32());
  ct->name = "len";
  c->target = ct;
  if (n >= 0) c->constant = int_const(types_.int32(), n);
  return types_.int32();
}

// wp.zeros(shape=N, dtype=T) in kernel code: a fixed-size local array.
const Type* Sema::call_local_array(ast::CallExpr* c, const std::string& shown) {
  ast::Expr* shape = c->args.size() > 0 ? c->args[0] : nullptr;
  ast::Expr* dtype = c->args.size() > 1 ? c->args[1] : nullptr;
  for (ast::Keyword& kw : c->keywords) {
    if (kw.name == "shape") shape = kw.value;
    else if (kw.name == "dtype") dtype = kw.value;
    else {
      check_args_quietly(c);
      error(DiagId::err_call_unknown_keyword, kw.name_range, shown, kw.name);
      return err();
    }
  }
  if (!shape || c->args.size() > 2) {
    check_args_quietly(c);
    error(DiagId::err_call_arg_count, c->range, shown, 2, c->args.size() + c->keywords.size());
    return err();
  }
  std::vector<ast::Expr*> dims;
  if (auto* t = shape->as<ast::TupleExpr>()) dims = t->elts;
  else dims.push_back(shape);
  int64_t size = 1;
  for (ast::Expr* d : dims) {
    const Type* t = check_expr(d);
    if (t->is_error()) return err();
    if (!t->is_int_scalar() || !d->constant || d->constant->as_int() <= 0) {
      error(DiagId::err_local_array_shape, d->range);
      return err();
    }
    size *= d->constant->as_int();
  }
  const Type* elem = dtype ? resolve_type(dtype, TypeUse::Dtype) : types_.float32();
  if (elem->is_error()) return elem;
  const Type* t = make_array_type(elem, static_cast<int64_t>(dims.size()), shape);
  if (t->is_error()) return t;
  CallTarget* ct = new_target(CallKind::LocalArray, t);
  ct->name = "zeros";
  ct->constructed = elem;
  ct->local_array_size = static_cast<int>(size);
  c->target = ct;
  return t;
}

// wp.array(ptr=p, shape=(n, …), dtype=T) in kernel code: a contiguous view of the memory at
// address p (uint64), shape given by int values (run-time values allowed), no gradient.
const Type* Sema::call_array_from_ptr(ast::CallExpr* c) {
  ast::Expr* ptr = nullptr;
  ast::Expr* shape = nullptr;
  ast::Expr* dtype = nullptr;
  for (ast::Keyword& kw : c->keywords) {
    if (kw.name == "ptr") ptr = kw.value;
    else if (kw.name == "shape") shape = kw.value;
    else if (kw.name == "dtype") dtype = kw.value;
    else {
      check_args_quietly(c);
      error(DiagId::err_call_unknown_keyword, kw.name_range, "wp.array", kw.name);
      return err();
    }
  }
  if (!c->args.empty() || !shape || !dtype) {
    check_args_quietly(c);
    error(DiagId::err_array_from_ptr_args, c->range);
    return err();
  }
  const Type* p = check_expr(ptr);
  bool ok = !p->is_error();
  if (ok && p != types_.scalar(ScalarKind::UInt64)) {
    error(DiagId::err_array_from_ptr_type, ptr->range, "ptr", type_name(p), "uint64");
    ok = false;
  }
  std::vector<ast::Expr*> dims;
  if (auto* t = shape->as<ast::TupleExpr>()) dims = t->elts;
  else dims.push_back(shape);
  for (ast::Expr* d : dims) {
    const Type* t = check_expr(d);
    if (t->is_error()) {
      ok = false;
      continue;
    }
    if (!t->is_int_scalar()) {
      error(DiagId::err_array_from_ptr_type, d->range, "shape", type_name(t), "an integer");
      ok = false;
    }
  }
  const Type* elem = resolve_type(dtype, TypeUse::Dtype);
  if (!ok || elem->is_error()) return err();
  const Type* t = make_array_type(elem, static_cast<int64_t>(dims.size()), shape);
  if (t->is_error()) return t;
  CallTarget* ct = new_target(CallKind::ArrayFromPtr, t);
  ct->name = "array";
  ct->constructed = elem;
  c->target = ct;
  return t;
}

}  // namespace warpc::sema
