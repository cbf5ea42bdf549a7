// lower_expr.cpp — expressions: constants, names (SSA lookup), operators and
// calls as sema resolved them (call_builtin / call / cmp / cast), composite
// components and fields (extract), array reads (array_load / array_view),
// short-circuit `and` / `or`, chained comparisons and `a if c else b` as `if` ops; tuple-valued
// locals are their element values (no IR tuple), read by constant index or unpacked.
#include <fmt/format.h>

#include <algorithm>

#include "lower/lower_impl.h"

namespace warpc::lower {

using ir::Opcode;
using ir::Value;

namespace {

// Types a `const` op can hold.
bool constant_type(const Type* t) {
  if (!t) return false;
  switch (t->kind) {
    case TypeKind::Scalar:
    case TypeKind::Vector:
    case TypeKind::Matrix:
    case TypeKind::Quat:
    case TypeKind::Transform:
    case TypeKind::String: return true;
    default: return false;
  }
}

std::vector<const Type*> result_list(const Type* t) {
  if (!t || t->kind == TypeKind::Void) return {};
  if (t->kind == TypeKind::Tuple) return t->elems;
  return {t};
}

}  // namespace

Value* Lowerer::constant(const ConstValue* c, SourceRange loc) {
  ir::Op* op = b_.emit(Opcode::Const, {}, {c->type}, loc);
  op->constant = c;
  return op->result(0);
}

Value* Lowerer::int_const(int64_t v, SourceRange loc) {
  ConstValue c;
  c.type = types_.int32();
  c.comps = {v};
  return constant(module_->keep(std::move(c)), loc);
}

Value* Lowerer::to_bool(Value* v, SourceRange loc) {
  if (v->type->is_bool()) return v;
  return b_.emit1(Opcode::Cast, {v}, types_.bool_type(), loc);  // C semantics: != 0
}

Value* Lowerer::expr(const ast::Expr* e) {
  if (e->constant && constant_type(e->constant->type)) return constant(e->constant, e->range);
  using K = ast::ExprKind;
  switch (e->kind) {
    case K::Name: return name(e->as<ast::NameExpr>());
    case K::StringLit: {
      ConstValue c;
      c.type = types_.string();
      c.text = e->as<ast::StringLitExpr>()->value;
      return constant(module_->keep(std::move(c)), e->range);
    }
    case K::Attribute: return attribute(e->as<ast::AttributeExpr>());
    case K::Subscript: return subscript(e->as<ast::SubscriptExpr>());
    case K::Call: {
      std::vector<Value*> vs = call(e->as<ast::CallExpr>());
      if (vs.size() == 1) return vs[0];
      unsupported(e->range, vs.empty() ? "a call without a value used as a value" : "a tuple used as a single value");
    }
    case K::Binary: {
      const auto* b = e->as<ast::BinaryExpr>();
      return apply(b->target, {expr(b->lhs), expr(b->rhs)}, e->range, "this operator");
    }
    case K::Unary: {
      const auto* u = e->as<ast::UnaryExpr>();
      return apply(u->target, {expr(u->operand)}, e->range, "this operator");
    }
    case K::BoolOp: return boolop(e->as<ast::BoolOpExpr>());
    case K::Compare: {
      const auto* c = e->as<ast::CompareExpr>();
      return compare(c, 0, expr(c->left));
    }
    case K::IfExp: return ifexp(e->as<ast::IfExpExpr>());
    case K::Tuple: unsupported(e->range, "a tuple used as a single value");
    default: unsupported(e->range, "this expression");
  }
}

std::vector<Value*> Lowerer::expr_values(const ast::Expr* e) {
  if (const auto* t = e->as<ast::TupleExpr>()) {
    std::vector<Value*> out;
    for (const ast::Expr* x : t->elts) out.push_back(expr(x));
    return out;
  }
  if (const auto* c = e->as<ast::CallExpr>()) return call(c);
  if (const auto* n = e->as<ast::NameExpr>(); n && n->symbol && tuples_.count(n->symbol)) return tuples_[n->symbol];
  if (e->type && e->type->kind == TypeKind::Tuple) unsupported(e->range, "a tuple-valued expression of this kind");
  return {expr(e)};
}

// An operator or call as sema resolved it.
Value* Lowerer::apply(const sema::CallTarget* t, std::vector<Value*> args, SourceRange loc, const char* what) {
  if (!t) unsupported(loc, what);
  ir::Op* op = nullptr;
  switch (t->kind) {
    case sema::CallKind::Builtin:
      op = b_.emit(Opcode::CallBuiltin, std::move(args), result_list(t->result), loc);
      break;
    case sema::CallKind::Compare: op = b_.emit(Opcode::Compare, std::move(args), {types_.bool_type()}, loc); break;
    case sema::CallKind::UserFunction: {
      auto it = functions_.find(t->function);
      if (it == functions_.end()) unsupported(loc, fmt::format("a call of '{}'", t->name));
      op = b_.emit(Opcode::Call, std::move(args), it->second->result_types, loc);
      op->callee = it->second;
      break;
    }
    default: unsupported(loc, what);
  }
  op->target = t;
  op->name = t->name;
  return op->results.empty() ? nullptr : op->result(0);
}

Value* Lowerer::name(const ast::NameExpr* n) {
  const sema::Symbol* s = n->symbol;
  if (!s) unsupported(n->range, fmt::format("name '{}'", n->name));
  if (s->kind == sema::SymbolKind::Local || s->kind == sema::SymbolKind::Param) {
    auto it = env_.find(s);
    if (it == env_.end())
      unsupported(n->range, fmt::format("'{}' used after the loop or branch that assigned it", n->name));
    return it->second;
  }
  if (s->value && constant_type(s->value->type)) return constant(s->value, n->range);
  unsupported(n->range, fmt::format("name '{}' used as a value", n->name));
}

// Component of a vector / quaternion (x y z w) or field of a struct; -1 if none.
int Lowerer::component_index(const Type* t, const std::string& attr) const {
  if (!t) return -1;
  if (t->kind == TypeKind::Struct && t->info) return t->info->field_index(attr);
  if (t->kind == TypeKind::Transform) return attr == "p" ? 0 : attr == "q" ? 1 : -1;  // fields p: vec3, q: quat
  if (t->kind == TypeKind::Vector || t->kind == TypeKind::Quat) {
    static const std::string kNames = "xyzw";
    size_t i = attr.size() == 1 ? kNames.find(attr[0]) : std::string::npos;
    int n = t->kind == TypeKind::Quat ? 4 : t->rows;
    return i != std::string::npos && static_cast<int>(i) < n ? static_cast<int>(i) : -1;
  }
  return -1;
}

Value* Lowerer::attribute(const ast::AttributeExpr* a) {
  int idx = component_index(a->value->type, a->attr);
  if (idx < 0) unsupported(a->attr_range, fmt::format("attribute '{}' of {}", a->attr, type_name(a->value->type)));
  return extract(expr(a->value), {int_const(idx, a->attr_range)}, a->type, a->range);
}

std::vector<Value*> Lowerer::indices(const ast::Expr* index) {
  std::vector<const ast::Expr*> items;
  if (const auto* t = index->as<ast::TupleExpr>()) items.assign(t->elts.begin(), t->elts.end());
  else items.push_back(index);
  std::vector<Value*> out;
  for (const ast::Expr* e : items) {
    if (e->kind == ast::ExprKind::Slice) unsupported(e->range, "slicing");
    out.push_back(expr(e));
  }
  return out;
}

Value* Lowerer::array_shape(Value* arr, const ast::Expr* dim, SourceRange loc) {
  if (!dim->constant || !dim->constant->is_scalar()) unsupported(dim->range, "a non-constant index into '.shape'");
  int64_t d = dim->constant->as_int();
  if (d < 0) d += arr->type->ndim;
  if (d < 0 || d >= arr->type->ndim) unsupported(dim->range, "this index into '.shape'");
  ir::Op* op = b_.emit(Opcode::ArrayShape, {arr}, {types_.int32()}, loc);
  op->indices = {static_cast<int>(d)};
  return op->result(0);
}

Value* Lowerer::subscript(const ast::SubscriptExpr* s) {
  if (const sema::Symbol* adj = adjoint_symbol(s)) {
    auto it = env_.find(adj);
    if (it == env_.end()) unsupported(s->range, "the adjoint of an array parameter");
    return it->second;
  }
  const Type* bt = s->value->type;
  if (!bt) unsupported(s->range, "this subscript");
  if (const auto* a = s->value->as<ast::AttributeExpr>();
      a && a->attr == "shape" && a->value->type && a->value->type->kind == TypeKind::Array)
    return array_shape(expr(a->value), s->index, s->range);
  if (bt->is_composite() && has_slice(s->index)) return slice(s, expr(s->value));
  if (bt->kind == TypeKind::Tuple) {  // a constant index (sema checked it)
    std::vector<Value*> elems = expr_values(s->value);
    if (!s->index->constant) unsupported(s->index->range, "a non-constant tuple index");
    int64_t i = s->index->constant->as_int();
    if (i < 0) i += static_cast<int64_t>(elems.size());
    return elems.at(static_cast<size_t>(i));
  }
  Value* base = expr(s->value);
  std::vector<Value*> idx = indices(s->index);
  if (bt->kind == TypeKind::Array) {
    std::vector<Value*> ops = {base};
    ops.insert(ops.end(), idx.begin(), idx.end());
    Opcode op = idx.size() == static_cast<size_t>(bt->ndim) ? Opcode::ArrayLoad : Opcode::ArrayView;
    return b_.emit1(op, ops, s->type, s->range);
  }
  if (bt->is_composite()) return extract(base, idx, s->type, s->range);
  unsupported(s->range, fmt::format("subscript of {}", type_name(bt)));
}

namespace {

std::vector<const ast::Expr*> index_items(const ast::Expr* index) {
  if (const auto* t = index->as<ast::TupleExpr>()) return {t->elts.begin(), t->elts.end()};
  return {index};
}

// The positions Python's slice `lo:hi:step` selects in a dimension of length n (bounds are
// constants: sema checked them and that the slice is not empty).
std::vector<int> slice_positions(const ast::SliceExpr* sl, int n) {
  const int64_t step = sl->step ? sl->step->constant->as_int() : 1;
  auto bound = [&](const ast::Expr* e, int64_t dflt) {
    if (!e) return dflt;
    int64_t x = e->constant->as_int();
    if (x < 0) x += n;
    return step > 0 ? std::clamp<int64_t>(x, 0, n) : std::clamp<int64_t>(x, -1, n - 1);
  };
  const int64_t lo = bound(sl->lower, step > 0 ? 0 : n - 1);
  const int64_t hi = bound(sl->upper, step > 0 ? n : -1);
  std::vector<int> out;
  for (int64_t i = lo; step > 0 ? i < hi : i > hi; i += step) out.push_back(static_cast<int>(i));
  return out;
}

}  // namespace

bool Lowerer::has_slice(const ast::Expr* index) {
  for (const ast::Expr* e : index_items(index))
    if (e->kind == ast::ExprKind::Slice) return true;
  return false;
}

// `v[1:3]`, `m[0:2, 1]`, `m[:, 0]`: a new vector / matrix built component by component from
// the selected positions (index dimensions that are plain integers select one position).
Value* Lowerer::slice(const ast::SubscriptExpr* s, Value* base) {
  const Type* bt = s->value->type;
  std::vector<int> dims = {bt->kind == TypeKind::Quat ? 4 : bt->rows};
  if (bt->kind == TypeKind::Matrix) dims.push_back(bt->cols);
  if (bt->kind == TypeKind::Transform) unsupported(s->range, "slicing a transform");
  std::vector<const ast::Expr*> items = index_items(s->index);
  std::vector<std::vector<Value*>> choices;  // per dimension: the index values it selects
  std::vector<bool> kept;                    // dimensions that stay in the result
  for (size_t d = 0; d < dims.size(); ++d) {
    std::vector<Value*> vals;
    if (d >= items.size()) {
      for (int i = 0; i < dims[d]; ++i) vals.push_back(int_const(i, s->range));
      kept.push_back(true);
    } else if (const auto* sl = items[d]->as<ast::SliceExpr>()) {
      for (int i : slice_positions(sl, dims[d])) vals.push_back(int_const(i, sl->range));
      kept.push_back(true);
    } else {
      vals.push_back(expr(items[d]));
      kept.push_back(false);
    }
    choices.push_back(std::move(vals));
  }
  const Type* scalar = types_.scalar(bt->scalar);
  Value* out = b_.emit1(Opcode::Zero, {}, s->type, s->range);
  std::vector<size_t> at(dims.size(), 0);
  for (bool more = true; more;) {
    std::vector<Value*> src, dst;
    for (size_t d = 0; d < dims.size(); ++d) {
      src.push_back(choices[d][at[d]]);
      if (kept[d]) dst.push_back(int_const(static_cast<int64_t>(at[d]), s->range));
    }
    out = insert(out, dst, extract(base, src, scalar, s->range), s->range);
    more = false;
    for (size_t d = dims.size(); d-- > 0;) {
      if (++at[d] < choices[d].size()) {
        more = true;
        break;
      }
      at[d] = 0;
    }
  }
  return out;
}

namespace {

// Index values that are all `const` integers become a static path.
bool static_path(const std::vector<Value*>& idx, std::vector<int>* path) {
  for (const Value* v : idx) {
    if (!v->def || !v->def->is(Opcode::Const) || !v->type->is_int_scalar()) return false;
    path->push_back(static_cast<int>(v->def->constant->as_int()));
  }
  return true;
}

// Removes the now unused `const` ops of a static path (they were the block's last ops).
void drop_index_consts(ir::Block* b, const std::vector<Value*>& idx) {
  for (auto it = idx.rbegin(); it != idx.rend(); ++it)
    if (!b->ops.empty() && b->ops.back() == (*it)->def) b->ops.pop_back();
}

}  // namespace

Value* Lowerer::extract(Value* agg, std::vector<Value*> idx, const Type* t, SourceRange loc) {
  std::vector<int> path;
  if (static_path(idx, &path)) {
    drop_index_consts(b_.block(), idx);
    ir::Op* op = b_.emit(Opcode::Extract, {agg}, {t}, loc);
    op->indices = path;
    return op->result(0);
  }
  std::vector<Value*> ops = {agg};
  ops.insert(ops.end(), idx.begin(), idx.end());
  return b_.emit1(Opcode::Extract, ops, t, loc);
}

Value* Lowerer::insert(Value* agg, std::vector<Value*> idx, Value* v, SourceRange loc) {
  std::vector<int> path;
  if (static_path(idx, &path)) {
    // The index consts were emitted before `v`'s ops: only drop trailing ones.
    drop_index_consts(b_.block(), idx);
    ir::Op* op = b_.emit(Opcode::Insert, {agg, v}, {agg->type}, loc);
    op->indices = path;
    return op->result(0);
  }
  std::vector<Value*> ops = {agg, v};
  ops.insert(ops.end(), idx.begin(), idx.end());
  return b_.emit1(Opcode::Insert, ops, agg->type, loc);
}

}  // namespace warpc::lower
