// const_eval.cpp — compile-time evaluation: folding of operators, casts,
// constructors, component reads and a few math builtins over constants, with
// Warp's (C's) semantics: integer `/` and `//` truncate toward zero, `%` takes
// the sign of the dividend, float32 results are rounded to float32.
//
// Contract: each fold returns null when it does not apply (the expression is
// then simply not constant); integer division by zero and overflow of the
// result type are reported (err_division_by_zero, err_constant_overflow).
#include <fmt/format.h>

#include <algorithm>

#include <cmath>
#include <limits>

#include "sema/sema_impl.h"

namespace warpc::sema {

namespace {

using Scalar = ConstValue::Scalar;

bool fits(ScalarKind k, __int128 v) {
  int bits = scalar_bits(k);
  if (k == ScalarKind::Bool) return true;
  if (is_signed(k)) {
    __int128 lo = -(static_cast<__int128>(1) << (bits - 1));
    __int128 hi = (static_cast<__int128>(1) << (bits - 1)) - 1;
    return v >= lo && v <= hi;
  }
  return v >= 0 && v <= ((static_cast<__int128>(1) << bits) - 1);
}

__int128 wide_int(const ConstValue& c, size_t i) {
  if (i < c.comps.size())
    if (const uint64_t* u = std::get_if<uint64_t>(&c.comps[i])) return *u;
  return c.as_int(i);
}

}  // namespace

const ConstValue* Sema::make_const(const Type* t, std::vector<Scalar> comps) {
  ConstValue* c = program_.make<ConstValue>();
  c->type = t;
  c->comps = std::move(comps);
  return c;
}

const ConstValue* Sema::int_const(const Type* t, int64_t v) { return make_const(t, {v}); }

// One scalar of type `t`, in the representation const_value.h describes.
Scalar Sema::scalar_of(ScalarKind k, double d, __int128 i, bool is_int_value) {
  if (k == ScalarKind::Bool) return is_int_value ? i != 0 : d != 0.0;
  if (is_float(k)) {
    double v = is_int_value ? static_cast<double>(i) : d;
    if (k != ScalarKind::Float64) v = static_cast<double>(static_cast<float>(v));
    return v;
  }
  __int128 v = i;
  if (!is_int_value) {
    if (std::isnan(d)) v = 0;
    else v = static_cast<__int128>(std::clamp(d, -9.2e18, 1.8e19));
  }
  int bits = scalar_bits(k);
  unsigned __int128 mask = bits == 64 ? ~static_cast<uint64_t>(0) : ((static_cast<unsigned __int128>(1) << bits) - 1);
  unsigned __int128 u = static_cast<unsigned __int128>(v) & mask;
  if (!is_signed(k)) return static_cast<uint64_t>(u);
  if (u >> (bits - 1)) return static_cast<int64_t>(static_cast<__int128>(u) - (static_cast<__int128>(1) << bits));
  return static_cast<int64_t>(u);
}

const ConstValue* Sema::normalize(const Type* t, Scalar v) {
  bool is_int_value = !std::holds_alternative<double>(v);
  double d = std::visit([](auto x) { return static_cast<double>(x); }, v);
  __int128 i = 0;
  if (const uint64_t* u = std::get_if<uint64_t>(&v)) i = *u;
  else if (const int64_t* s = std::get_if<int64_t>(&v)) i = *s;
  else if (const bool* b = std::get_if<bool>(&v)) i = *b;
  return make_const(t, {scalar_of(t->scalar, d, i, is_int_value)});
}

// ----------------------------------------------------------------- operators

namespace {

double float_op(ast::BinaryOp op, double a, double b) {
  switch (op) {
    case ast::BinaryOp::Add: return a + b;
    case ast::BinaryOp::Sub: return a - b;
    case ast::BinaryOp::Mul: return a * b;
    case ast::BinaryOp::Div: return a / b;
    case ast::BinaryOp::FloorDiv: return std::floor(a / b);
    case ast::BinaryOp::Mod: return std::fmod(a, b);
    case ast::BinaryOp::Pow: return std::pow(a, b);
    default: return std::nan("");
  }
}

}  // namespace

const ConstValue* Sema::fold_binary(ast::BinaryOp op, const ConstValue* a, const ConstValue* b, const Type* result,
                                    SourceRange at) {
  if (!a || !b || !result) return nullptr;
  const Type* ta = a->type;
  const Type* tb = b->type;
  if (ta->is_scalar() && tb->is_scalar() && result->is_scalar()) return fold_scalar_binary(op, *a, 0, *b, 0, result, at);
  // Composites: element-wise + and -, and scaling by a scalar.
  if (!result->is_composite() || result->is(TypeKind::Quat) || result->is(TypeKind::Transform)) return nullptr;
  bool elementwise = ta == tb && ta == result && (op == ast::BinaryOp::Add || op == ast::BinaryOp::Sub);
  bool scale = (op == ast::BinaryOp::Mul && ((ta->is_scalar() && tb == result) || (tb->is_scalar() && ta == result))) ||
               (op == ast::BinaryOp::Div && ta == result && tb->is_scalar());
  if (!elementwise && !scale) return nullptr;
  std::vector<Scalar> comps;
  const Type* st = types_.scalar(result->scalar);
  size_t n = static_cast<size_t>(result->component_count());
  for (size_t i = 0; i < n; ++i) {
    const ConstValue* c = fold_scalar_binary(op, *a, ta->is_scalar() ? 0 : i, *b, tb->is_scalar() ? 0 : i, st, at);
    if (!c) return nullptr;
    comps.push_back(c->comps[0]);
  }
  return make_const(result, std::move(comps));
}

const ConstValue* Sema::fold_scalar_binary(ast::BinaryOp op, const ConstValue& a, size_t ia, const ConstValue& b,
                                           size_t ib, const Type* result, SourceRange at) {
  ScalarKind k = result->scalar;
  if (is_float(k)) {
    double r = float_op(op, a.as_double(ia), b.as_double(ib));
    if (std::isnan(r) && op != ast::BinaryOp::Div && op != ast::BinaryOp::Pow && op != ast::BinaryOp::Mod &&
        op != ast::BinaryOp::FloorDiv && !std::isnan(a.as_double(ia)) && !std::isnan(b.as_double(ib)) &&
        !std::isinf(a.as_double(ia)) && !std::isinf(b.as_double(ib)))
      return nullptr;
    return make_const(result, {scalar_of(k, r, 0, false)});
  }
  if (k == ScalarKind::Bool) {
    bool x = a.as_bool(ia), y = b.as_bool(ib);
    switch (op) {
      case ast::BinaryOp::BitAnd: return make_const(result, {x && y});
      case ast::BinaryOp::BitOr: return make_const(result, {x || y});
      case ast::BinaryOp::BitXor: return make_const(result, {x != y});
      default: return nullptr;
    }
  }
  __int128 x = wide_int(a, ia), y = wide_int(b, ib), r = 0;
  int bits = scalar_bits(k);
  switch (op) {
    case ast::BinaryOp::Add: r = x + y; break;
    case ast::BinaryOp::Sub: r = x - y; break;
    case ast::BinaryOp::Mul: r = x * y; break;
    case ast::BinaryOp::Div:
    case ast::BinaryOp::FloorDiv:
    case ast::BinaryOp::Mod:
      if (y == 0) {
        error(DiagId::err_division_by_zero, at);
        return nullptr;
      }
      r = op == ast::BinaryOp::Mod ? x % y : x / y;  // C: truncation, sign of dividend
      if (op == ast::BinaryOp::FloorDiv && x % y != 0 && ((x < 0) != (y < 0))) r -= 1;  // // floors
      break;
    case ast::BinaryOp::LShift:
      if (y < 0 || y >= bits) return nullptr;
      return make_const(result, {scalar_of(k, 0, x << static_cast<int>(y), true)});  // wraps, like C on unsigned
    case ast::BinaryOp::RShift:
      if (y < 0 || y >= bits) return nullptr;
      r = x >> static_cast<int>(y);
      break;
    case ast::BinaryOp::BitAnd: r = x & y; break;
    case ast::BinaryOp::BitOr: r = x | y; break;
    case ast::BinaryOp::BitXor: r = x ^ y; break;
    default: return nullptr;
  }
  if (!fits(k, r)) {
    if (!is_signed(k) && op != ast::BinaryOp::Mul && op != ast::BinaryOp::Add && op != ast::BinaryOp::Sub)
      return make_const(result, {scalar_of(k, 0, r, true)});
    if (!is_signed(k)) return make_const(result, {scalar_of(k, 0, r, true)});  // unsigned arithmetic wraps
    error(DiagId::err_constant_overflow, at, scalar_name(k));
    return nullptr;
  }
  return make_const(result, {scalar_of(k, 0, r, true)});
}

const ConstValue* Sema::fold_unary(ast::UnaryOp op, const ConstValue* a, const Type* result) {
  if (!a || !result) return nullptr;
  if (op == ast::UnaryOp::Not) return a->is_scalar() ? make_const(types_.bool_type(), {!a->as_bool()}) : nullptr;
  if (op == ast::UnaryOp::Pos) return result == a->type ? a : nullptr;
  if (!result->is_scalar() && !(result->is_composite() && result == a->type)) return nullptr;
  std::vector<Scalar> comps;
  for (size_t i = 0; i < a->comps.size(); ++i) {
    ScalarKind k = result->scalar;
    if (op == ast::UnaryOp::Neg) {
      if (is_float(k)) comps.push_back(scalar_of(k, -a->as_double(i), 0, false));
      else if (k == ScalarKind::Bool) return nullptr;
      else {
        __int128 v = -wide_int(*a, i);
        if (is_signed(k) && !fits(k, v)) return nullptr;
        comps.push_back(scalar_of(k, 0, v, true));
      }
    } else {  // ~x
      if (!is_integer(k)) return nullptr;
      comps.push_back(scalar_of(k, 0, ~wide_int(*a, i), true));
    }
  }
  return make_const(result, std::move(comps));
}

const ConstValue* Sema::fold_compare(ast::CompareOp op, const ConstValue* a, const ConstValue* b) {
  if (!a || !b) return nullptr;
  auto cmp3 = [&](size_t i) -> int {
    bool ints = !is_float(a->type->scalar) && !is_float(b->type->scalar);
    if (ints) {
      __int128 x = wide_int(*a, i), y = wide_int(*b, i);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    double x = a->as_double(i), y = b->as_double(i);
    if (std::isnan(x) || std::isnan(y)) return 2;  // unordered
    return x < y ? -1 : x > y ? 1 : 0;
  };
  if (a->is_scalar() && b->is_scalar()) {
    int c = cmp3(0);
    bool r = false;
    switch (op) {
      case ast::CompareOp::Lt: r = c == -1; break;
      case ast::CompareOp::Gt: r = c == 1; break;
      case ast::CompareOp::LtE: r = c == -1 || c == 0; break;
      case ast::CompareOp::GtE: r = c == 1 || c == 0; break;
      case ast::CompareOp::Eq:
      case ast::CompareOp::Is: r = c == 0; break;
      case ast::CompareOp::NotEq:
      case ast::CompareOp::IsNot: r = c != 0; break;
      default: return nullptr;
    }
    return make_const(types_.bool_type(), {r});
  }
  if (a->type != b->type || a->comps.size() != b->comps.size()) return nullptr;
  bool equal = true;
  for (size_t i = 0; i < a->comps.size(); ++i) equal = equal && cmp3(i) == 0;
  if (op == ast::CompareOp::Eq || op == ast::CompareOp::Is) return make_const(types_.bool_type(), {equal});
  if (op == ast::CompareOp::NotEq || op == ast::CompareOp::IsNot) return make_const(types_.bool_type(), {!equal});
  return nullptr;
}

// ------------------------------------------------------------ constructors

const ConstValue* Sema::fold_cast(const ConstValue* a, const Type* to) {
  if (!a || !a->is_scalar() || !to->is_scalar()) return nullptr;
  bool from_int = !is_float(a->type->scalar);
  return make_const(to, {scalar_of(to->scalar, a->as_double(), from_int ? wide_int(*a, 0) : 0, from_int)});
}

const ConstValue* Sema::fold_construct(const Type* to, const std::vector<const ConstValue*>& args) {
  for (const ConstValue* a : args)
    if (!a || !a->type || (!a->type->is_scalar() && !a->type->is_composite())) return nullptr;
  if (to->is_scalar()) return args.size() == 1 ? fold_cast(args[0], to) : nullptr;
  if (!to->is_composite()) return nullptr;
  size_t n = static_cast<size_t>(to->component_count());
  std::vector<const ConstValue*> flat_src;
  std::vector<size_t> flat_idx;
  for (const ConstValue* a : args)
    for (size_t i = 0; i < a->comps.size(); ++i) {
      flat_src.push_back(a);
      flat_idx.push_back(i);
    }
  std::vector<Scalar> comps;
  auto convert = [&](const ConstValue* src, size_t i) {
    bool from_int = !is_float(src->type->scalar);
    return scalar_of(to->scalar, src->as_double(i), from_int ? wide_int(*src, i) : 0, from_int);
  };
  if (args.empty()) {
    comps.assign(n, scalar_of(to->scalar, 0.0, 0, true));
    if (to->is(TypeKind::Quat)) comps[3] = scalar_of(to->scalar, 1.0, 1, true);
    if (to->is(TypeKind::Transform)) comps[6] = scalar_of(to->scalar, 1.0, 1, true);
  } else if (flat_src.size() == n) {
    for (size_t i = 0; i < n; ++i) comps.push_back(convert(flat_src[i], flat_idx[i]));
  } else if (args.size() == 1 && args[0]->is_scalar() && (to->is(TypeKind::Vector) || to->is(TypeKind::Matrix))) {
    comps.assign(n, convert(args[0], 0));  // fill
  } else {
    return nullptr;
  }
  return make_const(to, std::move(comps));
}

const ConstValue* Sema::fold_builtin(const std::string& name, const std::vector<const ConstValue*>& args,
                                     const Type* result) {
  if (!result || !result->is_scalar()) return nullptr;
  for (const ConstValue* a : args)
    if (!a->is_scalar()) return nullptr;
  ScalarKind k = result->scalar;
  auto done = [&](double v) { return make_const(result, {scalar_of(k, v, 0, false)}); };
  if (args.size() == 1 && is_float(k)) {
    static const std::map<std::string, double (*)(double), std::less<>> kUnary = {
        {"sqrt", [](double x) { return std::sqrt(x); }},   {"sin", [](double x) { return std::sin(x); }},
        {"cos", [](double x) { return std::cos(x); }},     {"tan", [](double x) { return std::tan(x); }},
        {"exp", [](double x) { return std::exp(x); }},     {"log", [](double x) { return std::log(x); }},
        {"log2", [](double x) { return std::log2(x); }},   {"log10", [](double x) { return std::log10(x); }},
        {"abs", [](double x) { return std::fabs(x); }},    {"floor", [](double x) { return std::floor(x); }},
        {"ceil", [](double x) { return std::ceil(x); }},   {"trunc", [](double x) { return std::trunc(x); }},
        {"round", [](double x) { return std::round(x); }}, {"degrees", [](double x) { return x * 57.29577951308232; }},
        {"radians", [](double x) { return x * 0.017453292519943295; }},
    };
    auto it = kUnary.find(name);
    if (it == kUnary.end()) return nullptr;
    double x = args[0]->as_double();
    if (k != ScalarKind::Float64) return done(static_cast<float>(it->second(static_cast<float>(x))));
    return done(it->second(x));
  }
  if (args.size() == 2 && (name == "min" || name == "max")) {
    if (is_float(k)) {
      double a = args[0]->as_double(), b = args[1]->as_double();
      return done(name == "min" ? std::min(a, b) : std::max(a, b));
    }
    __int128 a = wide_int(*args[0], 0), b = wide_int(*args[1], 0);
    return make_const(result, {scalar_of(k, 0, name == "min" ? std::min(a, b) : std::max(a, b), true)});
  }
  if (args.size() == 2 && name == "pow" && is_float(k)) return done(std::pow(args[0]->as_double(), args[1]->as_double()));
  if (args.size() == 1 && name == "abs" && is_integer(k)) {
    __int128 a = wide_int(*args[0], 0);
    return make_const(result, {scalar_of(k, 0, a < 0 ? -a : a, true)});
  }
  return nullptr;
}

// ------------------------------------------------------------- components

const ConstValue* Sema::fold_index(const ConstValue* v, const std::vector<ast::Expr*>& idx, const Type* result) {
  if (!v || !v->type->is_composite()) return nullptr;
  std::vector<int64_t> ix;
  for (ast::Expr* e : idx) {
    if (e->kind == ast::ExprKind::Slice || !e->constant) return nullptr;
    ix.push_back(e->constant->as_int());
  }
  const Type* t = v->type;
  if (t->is(TypeKind::Matrix)) {
    int64_t r = ix[0] < 0 ? ix[0] + t->rows : ix[0];
    if (ix.size() == 1) {
      std::vector<Scalar> row(v->comps.begin() + r * t->cols, v->comps.begin() + (r + 1) * t->cols);
      return make_const(result, std::move(row));
    }
    int64_t c = ix[1] < 0 ? ix[1] + t->cols : ix[1];
    return make_const(result, {v->comps[static_cast<size_t>(r * t->cols + c)]});
  }
  int64_t n = static_cast<int64_t>(v->comps.size());
  int64_t i = ix[0] < 0 ? ix[0] + n : ix[0];
  if (i < 0 || i >= n || !result->is_scalar()) return nullptr;
  return make_const(result, {v->comps[static_cast<size_t>(i)]});
}

const ConstValue* Sema::fold_attribute(const ConstValue* v, const std::string& attr, const Type* result) {
  if (!v || !v->type->is_composite()) return nullptr;
  int i = component_index(v->type, attr);
  if (i < 0) return nullptr;
  if (v->type->is(TypeKind::Transform)) {
    auto first = v->comps.begin() + (i == 0 ? 0 : 3);
    return make_const(result, std::vector<Scalar>(first, first + (i == 0 ? 3 : 4)));
  }
  return make_const(result, {v->comps[static_cast<size_t>(i)]});
}

// ---------------------------------------------------------------- wp.static

namespace {

std::vector<ast::Expr*> children(ast::Expr* e) {
  switch (e->kind) {
    case ast::ExprKind::Attribute: return {e->as<ast::AttributeExpr>()->value};
    case ast::ExprKind::Subscript: return {e->as<ast::SubscriptExpr>()->value, e->as<ast::SubscriptExpr>()->index};
    case ast::ExprKind::Call: {
      auto* c = e->as<ast::CallExpr>();
      std::vector<ast::Expr*> out = c->args;
      for (ast::Keyword& kw : c->keywords) out.push_back(kw.value);
      return out;
    }
    case ast::ExprKind::Binary: return {e->as<ast::BinaryExpr>()->lhs, e->as<ast::BinaryExpr>()->rhs};
    case ast::ExprKind::Unary: return {e->as<ast::UnaryExpr>()->operand};
    case ast::ExprKind::BoolOp: return e->as<ast::BoolOpExpr>()->values;
    case ast::ExprKind::Compare: {
      auto* c = e->as<ast::CompareExpr>();
      std::vector<ast::Expr*> out = {c->left};
      out.insert(out.end(), c->comparators.begin(), c->comparators.end());
      return out;
    }
    case ast::ExprKind::IfExp: {
      auto* i = e->as<ast::IfExpExpr>();
      return {i->cond, i->then_value, i->else_value};
    }
    case ast::ExprKind::Tuple: return e->as<ast::TupleExpr>()->elts;
    default: return {};
  }
}

}  // namespace

bool Sema::uses_static_iterator(ast::Expr* e) {
  if (auto* n = e->as<ast::NameExpr>()) return fn_ && n->symbol && fn_->static_iterators.count(n->symbol);
  for (ast::Expr* c : children(e))
    if (uses_static_iterator(c)) return true;
  return false;
}

// The innermost sub-expression that keeps `e` from being constant, or null
// when `e` is constant — or constant in each iteration of the unrolled
// loops whose variables it uses.
ast::Expr* Sema::first_non_constant(ast::Expr* e) {
  if (e->constant) return nullptr;
  if (auto* n = e->as<ast::NameExpr>(); n && fn_ && n->symbol && fn_->static_iterators.count(n->symbol))
    return nullptr;
  if (e->type && (e->type->is(TypeKind::TypeValue) || e->type->is(TypeKind::Module) || e->type->is(TypeKind::Function)))
    return nullptr;
  bool folds = false;  // a node that folds when its operands are known
  switch (e->kind) {
    case ast::ExprKind::Binary:
    case ast::ExprKind::Unary:
    case ast::ExprKind::Compare:
    case ast::ExprKind::BoolOp:
    case ast::ExprKind::IfExp:
    case ast::ExprKind::Subscript:
    case ast::ExprKind::Attribute: folds = true; break;
    case ast::ExprKind::Call: {
      const CallTarget* t = e->as<ast::CallExpr>()->target;
      folds = t && (t->kind == CallKind::TypeConstructor || t->kind == CallKind::Builtin || t->kind == CallKind::Len ||
                    t->kind == CallKind::Static);
      break;
    }
    default: break;
  }
  if (!folds) return e;
  for (ast::Expr* c : children(e))
    if (ast::Expr* bad = first_non_constant(c)) return bad;
  return uses_static_iterator(e) ? nullptr : e;
}

}  // namespace warpc::sema
