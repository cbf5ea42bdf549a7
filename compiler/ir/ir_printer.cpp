// ir_printer.cpp — the IR's deterministic textual form (`warpc --emit=ir`).
//
// Format (one op per line, two spaces of indent per nesting level):
//
//   kernel @integrate(%x: array(dtype=vec3f, ndim=1), %dt: float32) {
//     %0 = tid : int32
//     %1 = array_load %x[%0] : vec3f
//     %2 = call_builtin mul(%1, %dt) : vec3f
//     array_store %x[%0], %2
//     %3:2 = for %i = %lo to %hi step %s iter_args(%a = %1, %b = %2) : (float32, int32) {
//       ...
//       yield %4, %5
//     }
//     return
//   }
//   func @f(%a: float32) -> float32 { ... }      func_native @g(%a: float32) -> float32
//
//  * Op results are numbered %0, %1 … per function in print order; an op
//    with n > 1 results prints `%k:n = …` and its results are used as %k#0 ….
//  * Block arguments (parameters, loop variables, carried variables) print
//    with their variable's name, made unique within the function (%s, %s_1 …).
//  * `: T` after an op gives its result type, `: (T1, T2)` several.
//  * Attributes: `const 1.5`, `call_builtin add(…)`, `call @f(…)`,
//    `cmp < %a, %b`, `extract %v[0]` / `extract %p.vel` / `extract %m[%i, %j]`,
//    `insert %v[0], %x`, `array_shape %a[1]` (the extent of dimension 1).
//  * if:    `%r = if %c : T { … yield %a } else { … yield %b }` (an else region
//           holding only `yield` is not printed).
//  * for:   `for %i = %lo to %hi step %s [reversed] iter_args(…)` iterates
//           like Python's range(lo, hi, s) (last to first when reversed).
//  * while: `%r = while iter_args(%a = %init) : (T) { <cond region> condition %c }
//           do (%a_1) { <body> yield %n }`.
// Source locations are not printed (they reach codegen as #line).
#include <map>
#include <ostream>
#include <sstream>
#include <unordered_map>

#include "ir/ir.h"

namespace warpc::ir {

namespace {

class Printer {
 public:
  explicit Printer(std::ostream& os) : os_(os) {}

  void function(const Function& f) {
    names_.clear();
    used_.clear();
    next_ = 0;
    const char* kw = f.kind == FunctionKind::Kernel ? "kernel" : f.kind == FunctionKind::Func ? "func" : "func_native";
    os_ << kw << " @" << f.name << "(";
    if (f.body) {
      const auto params = f.params();
      for (size_t i = 0; i < params.size(); ++i)
        os_ << (i ? ", " : "") << name_arg(params[i]) << ": " << type_name(params[i]->type);
    } else {
      for (size_t i = 0; i < f.param_types.size(); ++i) os_ << (i ? ", " : "") << type_name(f.param_types[i]);
    }
    os_ << ")";
    if (!f.result_types.empty()) os_ << " -> " << type_list(f.result_types, false);
    if (!f.body) {
      os_ << "\n\n";
      return;
    }
    os_ << " {\n";
    block_ops(*f.body->entry(), 1);
    os_ << "}\n\n";
  }

 private:
  std::ostream& os_;
  std::unordered_map<const Value*, std::string> names_;
  std::map<std::string, int> used_;
  int next_ = 0;

  std::string name_arg(const Value* v) {
    std::string base = v->name.empty() ? "arg" : v->name;
    int& n = used_[base];
    std::string s = "%" + (n == 0 ? base : base + "_" + std::to_string(n));
    ++n;
    names_[v] = s;
    return s;
  }

  std::string ref(const Value* v) {
    if (!v) return "%<null>";
    auto it = names_.find(v);
    return it == names_.end() ? "%<undefined>" : it->second;
  }

  static std::string type_list(const std::vector<const Type*>& ts, bool paren_one) {
    std::string s;
    for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + type_name(ts[i]);
    return ts.size() == 1 && !paren_one ? s : "(" + s + ")";
  }

  std::string refs(const std::vector<Value*>& vs, size_t from = 0, size_t to = SIZE_MAX) {
    std::string s;
    for (size_t i = from; i < vs.size() && i < to; ++i) s += (i > from ? ", " : "") + ref(vs[i]);
    return s;
  }

  void indent(int depth) {
    for (int i = 0; i < depth; ++i) os_ << "  ";
  }

  // Numbers the results of `op` and prints "%k = " / "%k:n = ".
  void results(const Op& op) {
    if (op.results.empty()) return;
    std::string base = "%" + std::to_string(next_++);
    if (op.results.size() == 1) {
      names_[op.results[0]] = base;
      os_ << base << " = ";
      return;
    }
    for (size_t i = 0; i < op.results.size(); ++i) names_[op.results[i]] = base + "#" + std::to_string(i);
    os_ << base << ":" << op.results.size() << " = ";
  }

  std::vector<const Type*> result_types(const Op& op) {
    std::vector<const Type*> ts;
    for (const Value* v : op.results) ts.push_back(v->type);
    return ts;
  }

  void type_suffix(const Op& op) {
    if (!op.results.empty()) os_ << " : " << type_list(result_types(op), false);
  }

  void block_ops(const Block& b, int depth) {
    for (const Op* op : b.ops) {
      indent(depth);
      this->op(*op, depth);
      os_ << "\n";
    }
  }

  void region_body(const Region& r, int depth) { block_ops(*r.entry(), depth); }

  // ".field.sub…" of a static path into an array's struct element (grad_accum_field).
  std::string field_path(const Op& op) {
    const Type* t = op.operands.empty() || !op.operands[0] ? nullptr : op.operands[0]->type;
    t = t && t->kind == TypeKind::Array ? t->elem : nullptr;
    std::string s;
    for (int i : op.indices) {
      if (!t || t->kind != TypeKind::Struct || !t->info || i < 0 || static_cast<size_t>(i) >= t->info->fields.size())
        return s + ".<bad path>";
      s += "." + t->info->fields[static_cast<size_t>(i)].name;
      t = t->info->fields[static_cast<size_t>(i)].type;
    }
    return s;
  }

  std::string path(const Op& op, size_t dyn_from) {
    std::string s;
    const Type* agg = op.operands.empty() || !op.operands[0] ? nullptr : op.operands[0]->type;
    if (agg && agg->kind == TypeKind::Struct && agg->info && op.indices.size() == 1) {
      int i = op.indices[0];
      if (i >= 0 && static_cast<size_t>(i) < agg->info->fields.size()) return "." + agg->info->fields[i].name;
    }
    for (size_t i = 0; i < op.indices.size(); ++i) s += (i ? ", " : "") + std::to_string(op.indices[i]);
    if (op.indices.empty()) s = refs(op.operands, dyn_from);
    return "[" + s + "]";
  }

  void op(const Op& op, int depth) {
    switch (op.opcode) {
      case Opcode::If: return if_op(op, depth);
      case Opcode::For: return for_op(op, depth);
      case Opcode::While: return while_op(op, depth);
      default: break;
    }
    results(op);
    os_ << op.info().spelling;
    simple_operands(op);
    type_suffix(op);
  }

  void simple_operands(const Op& op) {
    const auto& o = op.operands;
    switch (op.opcode) {
      case Opcode::Const: os_ << " " << (op.constant ? const_value_text(*op.constant) : "<null>"); return;
      case Opcode::Zero: if (op.name == "adjoint") os_ << " adjoint"; return;  // made by AD: -0.0
      case Opcode::CallBuiltin:
      case Opcode::AdjCallBuiltin: os_ << " " << op.name << "(" << refs(o) << ")"; return;
      case Opcode::TanCallBuiltin: {  // tan_call_builtin f(primal args; tangents)
        const size_t np = o.size() - op.indices.size();
        os_ << " " << op.name << "(" << refs(o, 0, np) << "; " << refs(o, np) << ")";
        return;
      }
      case Opcode::GradStore:
        os_ << " " << ref(o.empty() ? nullptr : o[0]) << "[" << refs(o, 1, o.size() - 1) << "]";
        if (!op.indices.empty()) os_ << path(op, o.size());
        os_ << ", " << ref(o.size() > 1 ? o.back() : nullptr);
        if (op.name == "atomic") os_ << " atomic";
        return;
      case Opcode::Call: os_ << " @" << (op.callee ? op.callee->name : op.name) << "(" << refs(o) << ")"; return;
      case Opcode::Compare: os_ << " " << op.name << " " << refs(o); return;
      case Opcode::Extract: os_ << " " << ref(o.empty() ? nullptr : o[0]) << path(op, 1); return;
      case Opcode::Insert:
        os_ << " " << ref(o.empty() ? nullptr : o[0]) << path(op, 2) << ", " << ref(o.size() > 1 ? o[1] : nullptr);
        return;
      case Opcode::ArrayLoad:
      case Opcode::ArrayView:
      case Opcode::GradLoad:
      case Opcode::GradClear:
        os_ << " " << ref(o.empty() ? nullptr : o[0]) << "[" << refs(o, 1) << "]";
        return;
      case Opcode::ArrayStore:
      case Opcode::GradAccum:
      case Opcode::AtomicAdd:
      case Opcode::AtomicSub:
      case Opcode::AtomicMin:
      case Opcode::AtomicMax:
        os_ << " " << ref(o.empty() ? nullptr : o[0]) << "[" << refs(o, 1, o.size() - 1) << "], "
            << ref(o.size() > 1 ? o.back() : nullptr);
        return;
      case Opcode::ArrayShape:
        os_ << " " << ref(o.empty() ? nullptr : o[0]) << "[" << (op.indices.empty() ? -1 : op.indices[0]) << "]";
        return;
      case Opcode::StructNew: os_ << "(" << refs(o) << ")"; return;
      case Opcode::GradAccumField:
        os_ << " " << ref(o.empty() ? nullptr : o[0]) << "[" << refs(o, 1, o.size() - 1) << "]" << field_path(op)
            << ", " << ref(o.size() > 1 ? o.back() : nullptr);
        return;
      case Opcode::GradTake:
        os_ << " " << ref(o.empty() ? nullptr : o[0]) << "[" << refs(o, 1) << "]";
        if (!op.indices.empty()) os_ << path(op, o.size());
        return;
      case Opcode::NativeSnippet:
        os_ << " " << op.name << " @" << (op.callee ? op.callee->name : "?") << "(" << refs(o) << ")";
        return;
      default:
        if (!o.empty()) os_ << " " << refs(o);
        return;
    }
  }

  void if_op(const Op& op, int depth) {
    results(op);
    os_ << "if " << ref(op.operands.empty() ? nullptr : op.operands[0]);
    type_suffix(op);
    os_ << " {\n";
    region_body(*op.region(0), depth + 1);
    const Block& els = *op.region(1)->entry();
    bool trivial = els.ops.size() == 1 && els.ops[0]->is(Opcode::Yield) && els.ops[0]->operands.empty();
    indent(depth);
    if (!trivial) {
      os_ << "} else {\n";
      region_body(*op.region(1), depth + 1);
      indent(depth);
    }
    os_ << "}";
  }

  // "iter_args(%a = %init, …) : (T, …)" over block args [skip…] of `b`.
  void iter_args(const Op& op, const Block& b, size_t skip, size_t init_from) {
    if (b.args.size() <= skip) return;
    os_ << " iter_args(";
    for (size_t i = skip; i < b.args.size(); ++i) {
      size_t k = init_from + (i - skip);
      os_ << (i > skip ? ", " : "") << name_arg(b.args[i]) << " = "
          << ref(k < op.operands.size() ? op.operands[k] : nullptr);
    }
    os_ << ") : " << type_list(result_types(op), true);
  }

  void for_op(const Op& op, int depth) {
    results(op);
    const Block& body = *op.region(0)->entry();
    const auto& o = op.operands;
    os_ << "for " << (body.args.empty() ? "%<no-iv>" : name_arg(body.args[0])) << " = "
        << ref(o.size() > 0 ? o[0] : nullptr) << " to " << ref(o.size() > 1 ? o[1] : nullptr) << " step "
        << ref(o.size() > 2 ? o[2] : nullptr) << (op.reversed ? " reversed" : "");
    iter_args(op, body, 1, 3);
    os_ << " {\n";
    region_body(*op.region(0), depth + 1);
    indent(depth);
    os_ << "}";
  }

  void while_op(const Op& op, int depth) {
    results(op);
    os_ << "while";
    iter_args(op, *op.region(0)->entry(), 0, 0);
    os_ << " {\n";
    region_body(*op.region(0), depth + 1);
    indent(depth);
    os_ << "} do";
    const Block& body = *op.region(1)->entry();
    if (!body.args.empty()) {
      os_ << " (";
      for (size_t i = 0; i < body.args.size(); ++i) os_ << (i ? ", " : "") << name_arg(body.args[i]);
      os_ << ")";
    }
    os_ << " {\n";
    region_body(*op.region(1), depth + 1);
    indent(depth);
    os_ << "}";
  }
};

}  // namespace

void print_ir(std::ostream& os, const Module& m) {
  Printer p(os);
  for (const Function* f : m.functions) p.function(*f);
}

std::string ir_to_string(const Module& m) {
  std::ostringstream os;
  print_ir(os, m);
  return os.str();
}

}  // namespace warpc::ir
