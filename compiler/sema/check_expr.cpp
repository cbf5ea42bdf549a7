// check_expr.cpp — expressions used as values: literals (Warp's literal
// types), operators (exact-match builtin overloads, user operator overloads,
// no implicit conversions), comparisons, boolean operators, conditional
// expressions, tuples, attributes and indexing of vectors/matrices/arrays.
// Literals written as constructor arguments take the constructed scalar type
// (`wp.vec3(1, 0.5, 2)`, `wp.float64(0.1)`), as Warp converts Python numbers.
//
// Contract: check_expr() sets Expr::type on every expression it visits (the
// Error type after a diagnostic; Error operands are accepted silently), and
// Expr::constant wherever the value is known at compile time.
#include <fmt/format.h>

#include <algorithm>

#include "sema/sema_impl.h"

namespace warpc::sema {

using ast::ExprKind;

const Type* Sema::check_expr(ast::Expr* e) {
  const Type* t = nullptr;
  switch (e->kind) {
    case ExprKind::Name:
    case ExprKind::Attribute:
    case ExprKind::Call:
    case ExprKind::Subscript: {
      Entity en = resolve_entity(e);
      t = value_of(e, en);
      break;
    }
    case ExprKind::IntLit:
    case ExprKind::FloatLit:
    case ExprKind::BoolLit:
    case ExprKind::StringLit:
    case ExprKind::NoneLit:
    case ExprKind::EllipsisLit: t = check_literal(e); break;
    case ExprKind::Binary: t = check_binary(e->as<ast::BinaryExpr>()); break;
    case ExprKind::Unary: t = check_unary(e->as<ast::UnaryExpr>()); break;
    case ExprKind::BoolOp: t = check_boolop(e->as<ast::BoolOpExpr>()); break;
    case ExprKind::Compare: t = check_compare(e->as<ast::CompareExpr>()); break;
    case ExprKind::IfExp: {
      Entity en = resolve_entity(e);
      t = value_of(e, en);
      break;
    }
    case ExprKind::Tuple: t = check_tuple(e->as<ast::TupleExpr>()); break;
    case ExprKind::Slice:
      error(DiagId::err_slice_unsupported, e->range, "slice");
      t = err();
      break;
    case ExprKind::Error: t = err(); break;
  }
  e->type = t;
  return t;
}

// The value an entity denotes; types, modules and functions are not values.
const Type* Sema::value_of(ast::Expr* e, const Entity& en) {
  switch (en.kind) {
    case Entity::Kind::Value:
      e->type = en.type;
      e->constant = en.constant;
      return en.type;
    case Entity::Kind::Error: return err();
    default:
      if (auto* c = e->as<ast::CallExpr>(); c && en.kind == Entity::Kind::Type && c->args.empty() && fn_ &&
                                            en.type->is_composite() && c->func->type &&
                                            c->func->type->is(TypeKind::Function)) {
        if (const Type* t = zero_value(c, en.type)) return t;
      }
      if (const Type* t = generic_zero_value(e, en)) return t;
      if (en.kind == Entity::Kind::Special && en.name.rfind("unsupported:", 0) == 0) {
        error(DiagId::err_unsupported, e->range, fmt::format("'wp.{}'", en.name.substr(12)));
        return err();
      }
      error(DiagId::err_not_a_value, e->range, entity_description(en));
      return err();
  }
}

// ------------------------------------------------------------------ literals

const Type* Sema::check_literal(ast::Expr* e) {
  switch (e->kind) {
    case ExprKind::IntLit: {
      auto* lit = e->as<ast::IntLitExpr>();
      if (lit->overflow) {
        error(DiagId::err_int_literal_64, e->range);
        return err();
      }
      if (wide_ && wide_->is_float_scalar()) {  // `wp.vec3(1, 0.5, 2)`: Warp converts the literal
        e->constant = normalize(wide_, static_cast<int64_t>(lit->value));
        return wide_;
      }
      const Type* t = types_.int32();
      if (lit->value > 0x7fffffffull) {
        if (wide_ && wide_->is_int_scalar() && scalar_bits(wide_->scalar) >= 32 &&
            (scalar_bits(wide_->scalar) == 64 || lit->value <= 0xffffffffull) &&
            (!is_signed(wide_->scalar) || lit->value <= 0x7fffffffffffffffull || negated_)) {
          t = wide_;
        } else if (!(negated_ && lit->value == 0x80000000ull)) {
          std::string text = source_text(e->range);
          error(DiagId::err_int_literal_range, e->range, text)
              .help(fmt::format("use 'wp.int64({0})' or 'wp.uint64({0})'", text));
          return err();
        }
      }
      e->constant = is_signed(t->scalar) ? make_const(t, {static_cast<int64_t>(lit->value)})
                                         : make_const(t, {static_cast<uint64_t>(lit->value)});
      return t;
    }
    case ExprKind::FloatLit: {
      double v = e->as<ast::FloatLitExpr>()->value;
      const Type* t = wide_ && wide_->is_float_scalar() ? wide_ : types_.float32();
      e->constant = normalize(t, v);
      return t;
    }
    case ExprKind::BoolLit:
      e->constant = make_const(types_.bool_type(), {e->as<ast::BoolLitExpr>()->value});
      return types_.bool_type();
    case ExprKind::StringLit: {
      ConstValue* c = program_.make<ConstValue>();
      c->type = types_.string();
      c->text = e->as<ast::StringLitExpr>()->value;
      e->constant = c;
      return types_.string();
    }
    case ExprKind::NoneLit: return types_.none();
    default:
      error(DiagId::err_unsupported, e->range, "'...'");
      return err();
  }
}

// ------------------------------------------------------------------ attributes

const Type* Sema::attribute_type(const Type* t, const std::string& attr, SourceRange at, bool report) {
  if (t->is_error()) return t;
  if (t->is(TypeKind::Struct)) {
    int i = t->info->field_index(attr);
    if (i >= 0) return t->info->fields[i].type;
    if (const Type* b = builtin_attribute_type(types_, t, attr)) return b;
    if (report) {
      auto b = error(DiagId::err_struct_no_field, at, type_name(t), attr);
      std::vector<Candidate> pool;
      for (const StructField& f : t->info->fields) pool.push_back({f.name, f.range});
      suggest(b, attr, pool);
    }
    return err();
  }
  if (t->is(TypeKind::Array)) {
    if (attr == "shape") return types_.vector(t->ndim, ScalarKind::Int32);
    if (attr == "ndim") return types_.int32();
    if (attr == "dtype") return types_.type_value(t->elem);
  }
  if (const Type* b = builtin_attribute_type(types_, t, attr)) return b;
  if (const Type* c = component_attribute(t, attr)) return c;
  if (report) error(DiagId::err_no_attribute, at, type_name(t), attr);
  return err();
}

// v.x … v.w, q.x … q.w, t.p, t.q (Warp's single-letter swizzles).
const Type* Sema::component_attribute(const Type* t, const std::string& attr) {
  int idx = component_index(t, attr);
  if (idx < 0) return nullptr;
  if (t->is(TypeKind::Transform)) return idx == 0 ? types_.vector(3, t->scalar) : types_.quat(t->scalar);
  return types_.scalar(t->scalar);
}

int component_index(const Type* t, std::string_view attr) {
  if (t->is(TypeKind::Transform)) return attr == "p" ? 0 : attr == "q" ? 1 : -1;
  if (!t->is(TypeKind::Vector) && !t->is(TypeKind::Quat)) return -1;
  int n = t->is(TypeKind::Quat) ? 4 : t->rows;
  static const char kNames[] = "xyzw";
  for (int i = 0; i < 4 && i < n; ++i)
    if (attr.size() == 1 && attr[0] == kNames[i]) return i;
  return -1;
}

// ------------------------------------------------------------------ subscripts

Entity Sema::check_subscript(ast::SubscriptExpr* s) {
  Entity base = resolve_entity(s->value);
  Entity out;
  if (base.kind == Entity::Kind::TypeTemplate) {
    const Type* t = type_from_subscript(base.name, s);
    if (!t->is_error()) {
      out.kind = Entity::Kind::Type;
      out.type = t;
    }
    return out;
  }
  if (base.kind == Entity::Kind::Special && base.name == "adjoint") return check_adjoint(s);
  if (base.kind == Entity::Kind::Type && base.type->is(TypeKind::Query) && base.type->name == "hash_grid_query_t") {
    return hash_grid_query_of(s);
  }
  const Type* bt = base.is_error() ? err() : value_of(s->value, base);
  if (bt->is_error()) {
    // `Unknown[float, int]` may be a type expression: report only the index's own errors.
    if (auto* t = s->index->as<ast::TupleExpr>())
      for (ast::Expr* e : t->elts) resolve_entity(e);
    else if (s->index->kind != ast::ExprKind::Slice)
      resolve_entity(s->index);
    return Entity{};
  }
  return check_subscript_of(s, base, bt);
}

// `wp.HashGridQuery[dtype]`: the query type of a float16 / float32 / float64 hash grid.
Entity Sema::hash_grid_query_of(ast::SubscriptExpr* s) {
  Entity out;
  const Type* d = resolve_type(s->index, TypeUse::Dtype);
  if (d->is_error()) return out;
  const char* name = nullptr;
  if (d == types_.float32()) name = "hash_grid_query_t";
  else if (d == types_.scalar(ScalarKind::Float64)) name = "hash_grid_query_d_t";
  else if (d == types_.scalar(ScalarKind::Float16)) name = "hash_grid_query_h_t";
  if (!name) {
    error(DiagId::err_invalid_type_expr, s->index->range,
          fmt::format("'wp.HashGridQuery' takes float16, float32 or float64, not '{}'", type_name(d)));
    return out;
  }
  out.kind = Entity::Kind::Type;
  out.type = types_.query(name);
  return out;
}

// Indexing a value of type `bt` (already checked: `base`).
Entity Sema::check_subscript_of(ast::SubscriptExpr* s, const Entity& base, const Type* bt) {
  Entity out;
  std::vector<ast::Expr*> idx;
  if (auto* t = s->index->as<ast::TupleExpr>(); t && !t->parenthesized) idx = t->elts;
  else idx.push_back(s->index);
  const Type* t = err();
  if (bt->is_error()) {
    for (ast::Expr* i : idx) check_index_expr(i);
  } else if (bt->is(TypeKind::Array)) {
    t = index_array(bt, idx, s->index->range);
  } else if (bt->is_composite()) {
    t = index_composite(bt, idx, s->index->range);
  } else if (bt->is(TypeKind::Tuple)) {
    t = index_tuple(bt, idx, s->index->range);
  } else {
    for (ast::Expr* i : idx) check_index_expr(i);
    error(DiagId::err_not_indexable, s->value->range, type_name(bt));
  }
  if (!t->is_error()) {
    out.kind = Entity::Kind::Value;
    out.type = t;
    if (base.constant) out.constant = fold_index(base.constant, idx, t);
  }
  if (t->is(TypeKind::TypeValue)) {
    out.kind = Entity::Kind::Type;
    out.type = t->elem;
  }
  return out;
}

// An index: integer-typed; slices are checked by the composite indexer.
bool Sema::check_index_expr(ast::Expr* e) {
  if (e->kind == ExprKind::Slice) {
    auto* sl = e->as<ast::SliceExpr>();
    for (ast::Expr* p : {sl->lower, sl->upper, sl->step})
      if (p) check_index_expr(p);
    e->type = err();
    return false;
  }
  const Type* t = check_expr(e);
  if (t->is_error()) return false;
  if (!t->is_int_scalar()) {
    error(DiagId::err_index_type, e->range, type_name(t));
    return false;
  }
  return true;
}

const Type* Sema::index_array(const Type* t, std::vector<ast::Expr*>& idx, SourceRange at) {
  bool ok = true;
  for (ast::Expr* i : idx) {
    if (i->kind == ExprKind::Slice) {
      error(DiagId::err_slice_unsupported, i->range, type_name(t));
      ok = false;
      continue;
    }
    ok = check_index_expr(i) && ok;
  }
  if (static_cast<int>(idx.size()) > t->ndim) {
    error(DiagId::err_index_count, at, type_name(t), t->ndim, idx.size());
    return err();
  }
  if (!ok) return err();
  if (static_cast<int>(idx.size()) == t->ndim) return t->elem;
  return types_.array(t->elem, t->ndim - static_cast<int>(idx.size()));
}

// Dimensions of a composite as (rows, cols); vectors/quats/transforms are 1-D.
static void composite_dims(const Type* t, std::vector<int>& dims) {
  if (t->is(TypeKind::Matrix)) dims = {t->rows, t->cols};
  else dims = {t->component_count()};
}

const Type* Sema::index_composite(const Type* t, std::vector<ast::Expr*>& idx, SourceRange at) {
  std::vector<int> dims;
  composite_dims(t, dims);
  if (idx.size() > dims.size()) {
    for (ast::Expr* i : idx) check_index_expr(i);
    error(DiagId::err_index_count, at, type_name(t), dims.size(), idx.size());
    return err();
  }
  std::vector<int> kept;  // lengths of sliced dimensions
  bool ok = true;
  for (size_t d = 0; d < idx.size(); ++d) {
    ast::Expr* i = idx[d];
    if (auto* sl = i->as<ast::SliceExpr>()) {
      int len = 0;
      if (!slice_length(sl, dims[d], len)) ok = false;
      kept.push_back(len);
      continue;
    }
    if (!check_index_expr(i)) {
      ok = false;
      continue;
    }
    if (i->constant) {
      int64_t v = i->constant->as_int();
      if (v < -dims[d] || v >= dims[d]) {
        error(DiagId::err_index_range, i->range, v, type_name(t));
        ok = false;
      }
    }
  }
  if (!ok) return err();
  for (size_t d = idx.size(); d < dims.size(); ++d) kept.push_back(dims[d]);
  if (kept.empty()) return types_.scalar(t->scalar);
  if (kept.size() == 1) return types_.vector(kept[0], t->scalar);
  return types_.matrix(kept[0], kept[1], t->scalar);
}

// `a:b:c` with constant bounds over a dimension of length n.
bool Sema::slice_length(ast::SliceExpr* sl, int n, int& len) {
  int64_t v[3] = {0, n, 1};
  ast::Expr* parts[3] = {sl->lower, sl->upper, sl->step};
  bool ok = true;
  for (int k = 0; k < 3; ++k) {
    if (!parts[k]) continue;
    if (!check_index_expr(parts[k])) {
      ok = false;
      continue;
    }
    if (!parts[k]->constant) {
      error(DiagId::err_slice_not_constant, parts[k]->range);
      ok = false;
      continue;
    }
    v[k] = parts[k]->constant->as_int();
  }
  if (!ok) return false;
  if (v[2] == 0) {
    error(DiagId::err_range_step_zero, sl->step->range);
    return false;
  }
  // Python's rules for a slice of a sequence of length n.
  int64_t step = v[2];
  auto clamp_bound = [&](int64_t x) {
    if (x < 0) x += n;
    return step > 0 ? std::clamp<int64_t>(x, 0, n) : std::clamp<int64_t>(x, -1, n - 1);
  };
  int64_t lo = sl->lower ? clamp_bound(v[0]) : (step > 0 ? 0 : n - 1);
  int64_t hi = sl->upper ? clamp_bound(v[1]) : (step > 0 ? n : -1);
  int64_t count = step > 0 ? (hi > lo ? (hi - lo + step - 1) / step : 0) : (lo > hi ? (lo - hi - step - 1) / -step : 0);
  if (count <= 0) {
    error(DiagId::err_index_range, sl->range, source_text(sl->range), "slice");
    return false;
  }
  len = static_cast<int>(count);
  return true;
}

const Type* Sema::index_tuple(const Type* t, std::vector<ast::Expr*>& idx, SourceRange at) {
  if (idx.size() != 1 || idx[0]->kind == ExprKind::Slice) {
    for (ast::Expr* i : idx) check_index_expr(i);
    error(DiagId::err_index_count, at, type_name(t), 1, idx.size());
    return err();
  }
  if (!check_index_expr(idx[0])) return err();
  if (!idx[0]->constant) {
    error(DiagId::err_index_not_constant, idx[0]->range, type_name(t));
    return err();
  }
  int64_t v = idx[0]->constant->as_int();
  int64_t n = static_cast<int64_t>(t->elems.size());
  if (v < -n || v >= n) {
    error(DiagId::err_index_range, idx[0]->range, v, type_name(t));
    return err();
  }
  return t->elems[v < 0 ? v + n : v];
}

// wp.adjoint[x] in a @wp.func_grad: the adjoint of parameter x.
Entity Sema::check_adjoint(ast::SubscriptExpr* s) {
  Entity out;
  if (!fn_ || fn_->decl->kind != FunctionKind::Grad) {
    error(DiagId::err_adjoint_outside_grad, s->range);
    return out;
  }
  auto* n = s->index->as<ast::NameExpr>();
  auto it = n ? fn_->names.find(n->name) : fn_->names.end();
  if (it == fn_->names.end() || it->second->kind != SymbolKind::Param) {
    error(DiagId::err_adjoint_target, s->index->range);
    return out;
  }
  n->symbol = it->second;
  n->type = it->second->type;
  out.kind = it->second->type->is_error() ? Entity::Kind::Error : Entity::Kind::Value;
  out.type = it->second->type;
  return out;
}

// ------------------------------------------------------------------ operators

namespace {

const char* binary_builtin(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Add: return "add";
    case ast::BinaryOp::Sub: return "sub";
    case ast::BinaryOp::Mul:
    case ast::BinaryOp::MatMul: return "mul";
    case ast::BinaryOp::Div: return "div";
    case ast::BinaryOp::FloorDiv: return "floordiv";
    case ast::BinaryOp::Mod: return "mod";
    case ast::BinaryOp::Pow: return "pow";
    case ast::BinaryOp::LShift: return "lshift";
    case ast::BinaryOp::RShift: return "rshift";
    case ast::BinaryOp::BitAnd: return "bit_and";
    case ast::BinaryOp::BitOr: return "bit_or";
    case ast::BinaryOp::BitXor: return "bit_xor";
  }
  return "add";
}

const ast::Expr* strip_neg(const ast::Expr* e) {
  while (auto* u = e->as<ast::UnaryExpr>()) {
    if (u->op != ast::UnaryOp::Neg && u->op != ast::UnaryOp::Pos) break;
    e = u->operand;
  }
  return e;
}

}  // namespace

const Type* Sema::check_binary(ast::BinaryExpr* b) {
  const Type* lt = check_expr(b->lhs);
  const Type* rt = check_expr(b->rhs);
  const CallTarget* target = nullptr;
  const Type* t = binary_result(b->op, ast::binary_op_spelling(b->op), lt, rt, b->lhs, b->rhs, b->op_range, b->range, &target);
  b->target = target;
  if (!t->is_error() && b->lhs->constant && b->rhs->constant && target && target->kind == CallKind::Builtin) {
    size_t errors = diags_.error_count();
    b->constant = fold_binary(b->op, b->lhs->constant, b->rhs->constant, t, b->range);
    if (diags_.error_count() != errors) return err();  // division by zero / overflow: poison
  }
  return t;
}

const Type* Sema::binary_result(ast::BinaryOp op, std::string_view spelling, const Type* lt, const Type* rt,
                                ast::Expr* lhs, ast::Expr* rhs, SourceRange at, SourceRange whole,
                                const CallTarget** target) {
  if (lt->is_error() || rt->is_error()) return err();
  std::string name = binary_builtin(op);
  std::vector<const Type*> arg_types = {lt, rt};
  if (const CallTarget* user = user_operator(name, arg_types)) {
    *target = user;
    return user->result;
  }
  BuiltinArg args[2] = {{lt, {}, lhs->constant}, {rt, {}, rhs->constant}};
  BuiltinResolution r = resolve_builtin(types_, name, args);
  if (r.status == BuiltinResolution::Status::Ok) {
    CallTarget* ct = new_target(CallKind::Builtin, r.result);
    ct->name = name;
    ct->overload = r.overload;
    *target = ct;
    return r.result;
  }
  auto diag = error(DiagId::err_binary_operands, at, spelling, type_name(lt), type_name(rt));
  diag.range(whole);
  std::string help = operand_help(op, lt, rt, lhs, rhs);
  if (!help.empty()) diag.help(help);
  return err();
}

// The Warp idiom that fixes a mixed-type operation, if there is an obvious one.
std::string Sema::operand_help(ast::BinaryOp op, const Type* lt, const Type* rt, const ast::Expr* lhs,
                               const ast::Expr* rhs) {
  if (op == ast::BinaryOp::Pow && lt->is_int_scalar() && rt->is_int_scalar())
    return "'**' is only defined for floating-point types";
  auto float_side = [](const Type* t) { return t->is_float_scalar() || (t->is_composite() && is_float(t->scalar)); };
  const Type* ft = float_side(lt) && rt->is_int_scalar() ? lt : float_side(rt) && lt->is_int_scalar() ? rt : nullptr;
  if (ft) {
    const ast::Expr* int_side = ft == lt ? rhs : lhs;
    const ast::Expr* lit = strip_neg(int_side);
    std::string cast = ft->scalar == ScalarKind::Float32 ? "float" : "wp." + std::string(scalar_name(ft->scalar));
    if (auto* il = lit->as<ast::IntLitExpr>(); il && ft->scalar == ScalarKind::Float32)
      return fmt::format("use a float literal '{}.0' or cast with 'float(…)'", il->value);
    return fmt::format("cast the integer operand with '{}(…)'", cast);
  }
  if (lt->is_scalar() && rt->is_scalar() && lt != rt) {
    const ast::Expr* lit = strip_neg(rhs)->kind == ExprKind::FloatLit || strip_neg(rhs)->kind == ExprKind::IntLit ? rhs
                           : lhs;
    const Type* other = lit == rhs ? lt : rt;
    if (strip_neg(lit)->kind == ExprKind::FloatLit || strip_neg(lit)->kind == ExprKind::IntLit)
      return fmt::format("warp does not convert numbers implicitly; write the literal as 'wp.{}(…)'",
                         scalar_name(other->scalar));
    return fmt::format("warp does not convert numbers implicitly; cast one operand, e.g. 'wp.{}(…)'",
                       scalar_name(lt->scalar));
  }
  return "";
}

// A user @wp.func named like the operator's builtin (`add`, `mul` …) whose
// signature matches exactly overloads the operator (as in Warp).
const CallTarget* Sema::user_operator(const std::string& name, const std::vector<const Type*>& args) {
  if (!module_) return nullptr;
  auto it = module_->globals.find(name);
  if (it == module_->globals.end() || it->second->kind != SymbolKind::Function) return nullptr;
  for (FunctionDecl* d : it->second->overloads) {
    if (d->param_types.size() != args.size() || d->generic) continue;
    if (d->param_types != args) continue;
    FunctionInstance* inst = instantiate(d, d->param_types, d->def->name_range);
    check_instance(inst, d->def->name_range);
    CallTarget* ct = new_target(CallKind::UserFunction, inst->return_type ? inst->return_type : err());
    ct->name = name;
    ct->function = inst;
    return ct;
  }
  return nullptr;
}

// A builtin call target for a one-operand operator (`neg`, `unot` …).
const CallTarget* Sema::unary_target(const char* name, const Type* operand, const Type* result) {
  BuiltinArg arg{operand, {}, nullptr};
  BuiltinResolution r = resolve_builtin(types_, name, std::span<const BuiltinArg>(&arg, 1));
  if (r.status != BuiltinResolution::Status::Ok && !result) return nullptr;
  CallTarget* ct = new_target(CallKind::Builtin, result ? result : r.result);
  ct->name = name;
  if (r.status == BuiltinResolution::Status::Ok) ct->overload = r.overload;
  return ct;
}

const Type* Sema::check_unary(ast::UnaryExpr* u) {
  bool saved = negated_;
  negated_ = u->op == ast::UnaryOp::Neg && strip_neg(u->operand)->kind == ExprKind::IntLit;
  const Type* t = check_expr(u->operand);
  negated_ = saved;
  if (t->is_error()) return t;
  auto* lit = u->operand->as<ast::IntLitExpr>();
  if (lit && u->op == ast::UnaryOp::Neg && t->is_int_scalar() && is_signed(t->scalar) &&
      lit->value == (1ull << (scalar_bits(t->scalar) - 1))) {
    // -2147483648: the literal alone does not fit its type, the negation does.
    lit->constant = nullptr;
    u->constant = make_const(t, {static_cast<int64_t>(-static_cast<__int128>(lit->value))});
    u->target = unary_target("neg", t, t);
    return t;
  }
  if (u->op == ast::UnaryOp::Not) {  // any scalar or an array (null check), always bool (`unot`)
    if (!t->is_scalar() && !t->is(TypeKind::Array)) {
      error(DiagId::err_unary_operand, u->range, "not", type_name(t));
      return err();
    }
    u->target = unary_target("unot", t, types_.bool_type());
    if (u->operand->constant) u->constant = fold_unary(u->op, u->operand->constant, types_.bool_type());
    return types_.bool_type();
  }
  const char* name = u->op == ast::UnaryOp::Neg ? "neg" : u->op == ast::UnaryOp::Pos ? "pos" : "invert";
  const CallTarget* target = user_operator(name, {t});
  if (!target) target = unary_target(name, t, nullptr);
  if (!target) {
    error(DiagId::err_unary_operand, u->range, ast::unary_op_spelling(u->op), type_name(t));
    return err();
  }
  u->target = target;
  if (u->operand->constant && target->kind == CallKind::Builtin)
    u->constant = fold_unary(u->op, u->operand->constant, target->result);
  return target->result;
}

const Type* Sema::check_boolop(ast::BoolOpExpr* b) {
  bool ok = true, all_const = true;
  for (ast::Expr* v : b->values) {
    const Type* t = check_expr(v);
    if (t->is_error()) {
      ok = false;
      continue;
    }
    if (!t->is_scalar()) {
      error(DiagId::err_boolop_operand, v->range, ast::bool_op_spelling(b->op), type_name(t));
      ok = false;
    }
    all_const = all_const && v->constant;
  }
  if (!ok) return err();
  if (all_const) {
    bool r = b->op == ast::BoolOpKind::And;
    for (ast::Expr* v : b->values) r = b->op == ast::BoolOpKind::And ? (r && v->constant->as_bool()) : (r || v->constant->as_bool());
    b->constant = make_const(types_.bool_type(), {r});
  }
  return types_.bool_type();
}

const Type* Sema::check_compare(ast::CompareExpr* c) {
  bool ok = true;
  const Type* lt = check_expr(c->left);
  ast::Expr* left = c->left;
  bool all_const = true, value = true;
  for (size_t i = 0; i < c->ops.size(); ++i) {
    ast::Expr* right = c->comparators[i];
    const Type* rt = check_expr(right);
    ast::CompareOp op = c->ops[i];
    CallTarget* ct = new_target(CallKind::Compare, types_.bool_type());
    ct->name = std::string(ast::compare_op_spelling(op));
    c->targets.push_back(ct);
    if (op == ast::CompareOp::In || op == ast::CompareOp::NotIn || op == ast::CompareOp::Is ||
        op == ast::CompareOp::IsNot) {
      auto b = error(DiagId::err_compare_unsupported, c->op_ranges[i], ast::compare_op_spelling(op));
      if (op == ast::CompareOp::Is || op == ast::CompareOp::IsNot) b.help("use '==' or '!='");
      ok = false;
    } else if (!lt->is_error() && !rt->is_error()) {
      bool eq = op == ast::CompareOp::Eq || op == ast::CompareOp::NotEq;
      // Warp emits comparisons as C expressions: one comparison of two scalars
      // of any types is fine (C's conversions apply); the later links of a
      // chain need operands of one type; composites compare with == / !=.
      bool fine = (lt->is_scalar() && rt->is_scalar() && (i == 0 || lt == rt)) ||
                  (eq && lt == rt && lt->is_composite());
      if (!fine) {
        error(DiagId::err_compare_operands, c->op_ranges[i], type_name(lt), type_name(rt),
              ast::compare_op_spelling(op))
            .range(left->range)
            .range(right->range);
        ok = false;
      } else if (const ConstValue* r = left->constant && right->constant
                                           ? fold_compare(op, left->constant, right->constant)
                                           : nullptr) {
        value = value && r->as_bool();
      } else {
        all_const = false;
      }
    } else {
      ok = false;
    }
    lt = rt;
    left = right;
  }
  if (!ok) return err();
  if (all_const) c->constant = make_const(types_.bool_type(), {value});
  return types_.bool_type();
}

// Both branches of a conditional expression with a run-time condition.
const Type* Sema::check_ifexp_branches(ast::IfExpExpr* e) {
  const Type* a = check_expr(e->then_value);
  const Type* b = check_expr(e->else_value);
  if (a->is_error() || b->is_error()) return err();
  if (a != b) {
    error(DiagId::err_ifexp_mismatch, e->range, type_name(a), type_name(b))
        .range(e->then_value->range)
        .range(e->else_value->range);
    return err();
  }
  return a;
}

const Type* Sema::check_tuple(ast::TupleExpr* t) {
  std::vector<const Type*> elems;
  bool ok = true;
  for (ast::Expr* e : t->elts) {
    const Type* et = check_expr(e);
    ok = ok && !et->is_error();
    elems.push_back(et);
  }
  if (!ok) return err();
  return types_.tuple(elems);
}

bool Sema::check_condition(ast::Expr* cond) {
  const Type* t = check_expr(cond);
  if (t->is_error()) return false;
  if (!t->is_scalar()) {
    error(DiagId::err_condition_type, cond->range, type_name(t));
    return false;
  }
  return true;
}

}  // namespace warpc::sema
