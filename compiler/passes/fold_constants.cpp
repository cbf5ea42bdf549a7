// fold_constants.cpp — see fold_constants.h.
//
// One walk per function in program order: each op's operands are first
// rewritten through the replacements made so far (definitions precede uses
// in structured SSA, so one walk sees every use after its replacement), then
// the op is folded into a `const`, replaced by an existing value, or — an
// `if` on a constant — replaced by the ops of its taken region.
#include "passes/fold_constants.h"

#include <cmath>
#include <optional>
#include <unordered_map>

#include "ir/ir_clone.h"

namespace warpc {

namespace {

using ir::Op;
using ir::Opcode;
using ir::Value;
using Scalar = ConstValue::Scalar;
using Int = __int128;

bool foldable_type(const Type* t) {
  return t && t->is_scalar() && t->scalar != ScalarKind::Float16 && t->scalar != ScalarKind::BFloat16;
}

Int int_of(const ConstValue& c, size_t i = 0) {
  if (i < c.comps.size())
    if (const uint64_t* u = std::get_if<uint64_t>(&c.comps[i])) return *u;
  return c.as_int(i);
}

// Two's-complement wrap of `v` to the width of `k`, in const_value.h's representation.
Scalar wrap(ScalarKind k, Int v) {
  if (k == ScalarKind::Bool) return v != 0;
  int bits = scalar_bits(k);
  unsigned __int128 mask = (static_cast<unsigned __int128>(1) << bits) - 1;
  unsigned __int128 u = static_cast<unsigned __int128>(v) & mask;
  if (!is_signed(k)) return static_cast<uint64_t>(u);
  if (u >> (bits - 1)) return static_cast<int64_t>(static_cast<Int>(u) - (static_cast<Int>(1) << bits));
  return static_cast<int64_t>(u);
}

Int int_min(ScalarKind k) { return is_signed(k) ? -(static_cast<Int>(1) << (scalar_bits(k) - 1)) : 0; }
Int int_max(ScalarKind k) {
  int bits = scalar_bits(k) - (is_signed(k) ? 1 : 0);
  return (static_cast<Int>(1) << bits) - 1;
}

std::optional<Scalar> int_binary(const std::string& f, ScalarKind k, Int a, Int b) {
  using U = unsigned __int128;
  int bits = scalar_bits(k);
  if (f == "add") return wrap(k, static_cast<Int>(static_cast<U>(a) + static_cast<U>(b)));
  if (f == "sub") return wrap(k, static_cast<Int>(static_cast<U>(a) - static_cast<U>(b)));
  if (f == "mul") return wrap(k, static_cast<Int>(static_cast<U>(a) * static_cast<U>(b)));
  if (f == "div" || f == "floordiv" || f == "mod") {  // C: / truncates, % has the dividend's sign; // floors
    if (b == 0 || (is_signed(k) && a == int_min(k) && b == -1)) return std::nullopt;
    if (f == "mod") return wrap(k, a % b);
    Int q = a / b;
    if (f == "floordiv" && a % b != 0 && ((a < 0) != (b < 0))) q -= 1;  // // rounds toward -inf
    return wrap(k, q);
  }
  if (f == "bit_and") return wrap(k, a & b);
  if (f == "bit_or") return wrap(k, a | b);
  if (f == "bit_xor") return wrap(k, a ^ b);
  if (f == "lshift" || f == "rshift") {
    if (b < 0 || b >= bits || (f == "lshift" && is_signed(k) && a < 0)) return std::nullopt;
    return wrap(k, f == "lshift" ? static_cast<Int>(static_cast<U>(a) << static_cast<int>(b)) : a >> static_cast<int>(b));
  }
  if (f == "min") return wrap(k, a < b ? a : b);
  if (f == "max") return wrap(k, a > b ? a : b);
  return std::nullopt;
}

// Float arithmetic in the type's own precision T (float for float32).
template <class T>
std::optional<Scalar> float_binary(const std::string& f, T a, T b) {
  T r;
  if (f == "add") r = a + b;
  else if (f == "sub") r = a - b;
  else if (f == "mul") r = a * b;
  else if (f == "div" && b != T(0)) r = a / b;
  else if (f == "floordiv" && b != T(0)) r = std::floor(a / b);
  else if (f == "mod" && b != T(0)) r = std::fmod(a, b);
  else if (f == "min") r = a < b ? a : b;
  else if (f == "max") r = a > b ? a : b;
  else return std::nullopt;
  return static_cast<double>(r);
}

template <class T>
std::optional<Scalar> float_unary(const std::string& f, T a) {
  if (f == "neg") return static_cast<double>(-a);
  if (f == "pos") return static_cast<double>(a);
  if (f == "abs") return static_cast<double>(std::fabs(a));
  return std::nullopt;
}

std::optional<Scalar> int_unary(const std::string& f, ScalarKind k, Int a) {
  if (f == "neg") return wrap(k, -a);
  if (f == "pos") return wrap(k, a);
  if (f == "invert") return wrap(k, ~a);
  if (f == "abs") return wrap(k, a < 0 ? -a : a);
  return std::nullopt;
}

class Folder {
 public:
  explicit Folder(ir::Module& m) : m_(m) {}
  bool changed = false;

  void function(ir::Function* f) {
    repl_.clear();
    if (f->body && f->body->entry()) block(f->body->entry());
  }

 private:
  ir::Module& m_;
  ir::ValueMap repl_;
  std::unordered_map<const Op*, const ConstValue*> zeros_;

  // The constant a value holds (`const`, or `zero` of a scalar / composite type).
  const ConstValue* const_of(const Value* v) {
    if (!v || !v->def) return nullptr;
    if (v->def->is(Opcode::Const)) return v->def->constant;
    if (!v->def->is(Opcode::Zero) || !v->type || v->type->component_count() == 0) return nullptr;
    const ConstValue*& z = zeros_[v->def];
    if (!z) {
      ConstValue c;
      c.type = v->type;
      c.comps.assign(static_cast<size_t>(v->type->component_count()),
                     is_float(v->type->scalar) ? Scalar(0.0) : wrap(v->type->scalar, 0));
      z = m_.keep(std::move(c));
    }
    return z;
  }

  void block(ir::Block* b) {
    for (size_t i = 0; i < b->ops.size();) {
      Op* op = b->ops[i];
      for (Value*& v : op->operands) v = ir::resolve(repl_, v);
      if (op->is(Opcode::If) && const_of(op->operands[0])) {
        inline_if(b, i);
        continue;
      }
      if (fold(b, i)) {
        ++i;
        continue;
      }
      for (ir::Region* r : op->regions)
        if (r->entry()) block(r->entry());
      ++i;
    }
  }

  // Replaces the `if` at b->ops[i] by its taken region's ops.
  void inline_if(ir::Block* b, size_t i) {
    Op* op = b->ops[i];
    ir::Block* taken = op->region(const_of(op->operands[0])->as_bool() ? 0 : 1)->entry();
    std::vector<Op*> ops = taken->ops;
    Op* term = taken->terminator();
    bool falls_through = term && term->is(Opcode::Yield);
    if (falls_through) {
      for (size_t j = 0; j < op->results.size() && j < term->operands.size(); ++j)
        repl_[op->results[j]] = term->operands[j];
      ops.pop_back();
    }
    for (Op* o : ops) ir::set_parent(o, b);
    b->ops.erase(b->ops.begin() + static_cast<std::ptrdiff_t>(i));
    b->ops.insert(b->ops.begin() + static_cast<std::ptrdiff_t>(i), ops.begin(), ops.end());
    if (!falls_through) b->ops.resize(i + ops.size());  // the region exits: what followed is unreachable
    changed = true;
  }

  // Folds b->ops[i] when it can; returns whether it did.
  bool fold(ir::Block* b, size_t i) {
    Op* op = b->ops[i];
    if (op->results.size() != 1) return false;
    if (op->is(Opcode::Extract)) {
      if (Value* field = struct_field(*op)) {
        repl_[op->result(0)] = field;
        changed = true;
        return true;
      }
    }
    std::optional<ConstValue> c = value_of(*op);
    if (!c) return false;
    Op* k = m_.new_op(Opcode::Const, {}, {op->result(0)->type}, op->loc);
    k->constant = m_.keep(std::move(*c));
    ir::set_parent(k, b);
    b->ops[i] = k;
    repl_[op->result(0)] = k->result(0);
    changed = true;
    return true;
  }

  std::optional<ConstValue> value_of(const Op& op) {
    std::optional<Scalar> s;
    switch (op.opcode) {
      case Opcode::CallBuiltin: s = builtin(op); break;
      case Opcode::Cast: s = cast(op); break;
      case Opcode::Compare: s = compare(op); break;
      case Opcode::Extract: return extract(op);
      default: return std::nullopt;
    }
    if (!s) return std::nullopt;
    ConstValue c;
    c.type = op.result(0)->type;
    c.comps = {*s};
    return c;
  }

  std::optional<Scalar> builtin(const Op& op) {
    const Type* t = op.result(0)->type;
    if (!foldable_type(t) || op.operands.empty() || op.operands.size() > 2) return std::nullopt;
    const ConstValue* a = const_of(op.operands[0]);
    if (!a || !foldable_type(a->type)) return std::nullopt;
    ScalarKind k = t->scalar;
    if (op.operands.size() == 1) {
      if (op.name == "unot") return t->is_bool() ? std::optional<Scalar>(!a->as_bool()) : std::nullopt;
      if (a->type != t) return std::nullopt;
      if (k == ScalarKind::Float32) return float_unary<float>(op.name, static_cast<float>(a->as_double()));
      if (k == ScalarKind::Float64) return float_unary<double>(op.name, a->as_double());
      return is_integer(k) ? int_unary(op.name, k, int_of(*a)) : std::nullopt;
    }
    const ConstValue* b = const_of(op.operands[1]);
    if (!b || a->type != t || b->type != t) return std::nullopt;
    if (k == ScalarKind::Float32)
      return float_binary<float>(op.name, static_cast<float>(a->as_double()), static_cast<float>(b->as_double()));
    if (k == ScalarKind::Float64) return float_binary<double>(op.name, a->as_double(), b->as_double());
    return is_integer(k) ? int_binary(op.name, k, int_of(*a), int_of(*b)) : std::nullopt;
  }

  std::optional<Scalar> cast(const Op& op) {
    const Type* to = op.result(0)->type;
    const ConstValue* a = const_of(op.operands[0]);
    if (!a || !foldable_type(a->type) || !foldable_type(to)) return std::nullopt;
    ScalarKind from = a->type->scalar;
    ScalarKind k = to->scalar;
    if (k == ScalarKind::Bool) return a->as_bool();
    if (!is_float(from)) {
      Int v = int_of(*a);
      if (!is_float(k)) return wrap(k, v);
      if (k == ScalarKind::Float64) return is_signed(from) ? static_cast<double>(static_cast<int64_t>(v))
                                                           : static_cast<double>(static_cast<uint64_t>(v));
      return static_cast<double>(is_signed(from) ? static_cast<float>(static_cast<int64_t>(v))
                                                 : static_cast<float>(static_cast<uint64_t>(v)));
    }
    double d = a->as_double();
    if (k == ScalarKind::Float32) return static_cast<double>(static_cast<float>(d));
    if (k == ScalarKind::Float64) return d;
    if (std::isnan(d) || std::isinf(d)) return std::nullopt;  // C leaves these undefined
    double t = std::trunc(d);
    if (t < static_cast<double>(int_min(k)) || t > static_cast<double>(int_max(k))) return std::nullopt;
    return wrap(k, static_cast<Int>(t));
  }

  std::optional<Scalar> compare(const Op& op) {
    const ConstValue* a = const_of(op.operands[0]);
    const ConstValue* b = const_of(op.operands[1]);
    if (!a || !b || a->type != b->type || !foldable_type(a->type)) return std::nullopt;
    int order;  // -1, 0, 1; 2 = unordered (NaN)
    if (is_float(a->type->scalar)) {
      double x = a->as_double(), y = b->as_double();
      order = x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
    } else {
      Int x = int_of(*a), y = int_of(*b);
      order = x < y ? -1 : x > y ? 1 : 0;
    }
    const std::string& p = op.name;
    if (p == "<") return order == -1;
    if (p == "<=") return order == -1 || order == 0;
    if (p == ">") return order == 1;
    if (p == ">=") return order == 1 || order == 0;
    if (p == "==") return order == 0;
    if (p == "!=") return order != 0;
    return std::nullopt;
  }

  // extract of a static component / row of a constant vector, matrix or quaternion.
  std::optional<ConstValue> extract(const Op& op) {
    const ConstValue* a = op.operands.size() == 1 ? const_of(op.operands[0]) : nullptr;
    const Type* rt = op.result(0)->type;
    if (!a || !a->type || !rt) return std::nullopt;
    const Type* t = a->type;
    bool matrix = t->is(TypeKind::Matrix);
    if (!t->is(TypeKind::Vector) && !t->is(TypeKind::Quat) && !matrix) return std::nullopt;
    int rows = t->is(TypeKind::Quat) ? 4 : t->rows;
    std::vector<int> idx = op.indices;
    if (idx.empty() || idx.size() > (matrix ? 2u : 1u)) return std::nullopt;
    for (size_t j = 0; j < idx.size(); ++j) {
      int n = j == 0 ? rows : t->cols;
      if (idx[j] < 0) idx[j] += n;
      if (idx[j] < 0 || idx[j] >= n) return std::nullopt;
    }
    ConstValue c;
    c.type = rt;
    size_t width = matrix && idx.size() == 1 ? static_cast<size_t>(t->cols) : 1;
    size_t first = matrix ? static_cast<size_t>(idx[0] * t->cols + (idx.size() == 2 ? idx[1] : 0))
                          : static_cast<size_t>(idx[0]);
    if (first + width > a->comps.size() || static_cast<size_t>(rt->component_count()) != width ||
        rt->scalar != t->scalar)
      return std::nullopt;
    c.comps.assign(a->comps.begin() + static_cast<std::ptrdiff_t>(first),
                   a->comps.begin() + static_cast<std::ptrdiff_t>(first + width));
    return c;
  }

  // extract %s[k] of `%s = struct_new …` is the k-th field operand.
  static Value* struct_field(const Op& op) {
    if (op.operands.size() != 1 || op.indices.size() != 1 || !op.operands[0]->def) return nullptr;
    const Op* s = op.operands[0]->def;
    int k = op.indices[0];
    if (!s->is(Opcode::StructNew) || k < 0 || static_cast<size_t>(k) >= s->operands.size()) return nullptr;
    Value* field = s->operands[static_cast<size_t>(k)];
    return field->type == op.result(0)->type ? field : nullptr;
  }
};

}  // namespace

bool fold_constants(ir::Module& m) {
  Folder f(m);
  for (ir::Function* fn : m.functions) f.function(fn);
  return f.changed;
}

}  // namespace warpc
