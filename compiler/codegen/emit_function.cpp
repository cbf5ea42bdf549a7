// emit_function.cpp — IR function → C++ text (see emit_function.h for the contract).
#include "codegen/emit_function.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "ad/ad_support.h"
#include "codegen/grad_slots.h"
#include "codegen/pair_scatters.h"
#include "codegen/widen_access.h"
#include "sema/builtins.h"
#include "sema/symbols.h"

namespace warpc::codegen {

using ir::Opcode;
using ir::Value;

namespace {

std::string identifier_from(std::string_view name) {
  std::string out;
  for (char c : name) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep = ", ") {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? std::string(sep) : "") + parts[i];
  return out;
}

std::string return_type(const ir::Function& fn) {
  return fn.result_types.size() == 1 ? cpp_type(fn.result_types[0]) : "void";
}

// The signature's parameter list: tids, parameters, out-parameters of multi-result funcs.
std::string signature(const ir::Function& fn, const std::vector<std::string>& names) {
  std::vector<std::string> parts;
  for (int d = 0; d < function_tid_dims(fn); ++d) parts.push_back(fmt::format("int32_t tid{}", d));
  for (size_t i = 0; i < fn.param_types.size(); ++i)
    parts.push_back(cpp_type(fn.param_types[i]) + " " + names[i]);
  if (fn.result_types.size() > 1)
    for (size_t i = 0; i < fn.result_types.size(); ++i)
      parts.push_back(fmt::format("{}& ret_{}", cpp_type(fn.result_types[i]), i));
  if (function_has_ad_stack(fn)) {  // the launch's spill buffer and the flat launch index
    parts.push_back(std::string("wp::AdSpill ") + kAdSpillParam);
    parts.push_back(std::string("int64_t ") + kAdIndexParam);
  }
  return fmt::format("WP_FUNC {} {}({})", return_type(fn), function_cpp_name(fn), join(parts));
}

// The wide body's lane index: "lane" unless a parameter has that name.
std::string lane_index_name(const std::vector<std::string>& params) {
  std::string n = "lane";
  while (std::find(params.begin(), params.end(), n) != params.end()) n += "_";
  return n;
}

// The wide body's parameter list: tid0, the lane, parameters, one lane buffer per planned array.
std::string wide_signature(const ir::Function& fn, const std::vector<std::string>& names, const WidePlan& plan) {
  std::vector<std::string> parts = {"int32_t tid0", "int " + lane_index_name(names)};
  for (size_t i = 0; i < fn.param_types.size(); ++i) parts.push_back(cpp_type(fn.param_types[i]) + " " + names[i]);
  const std::vector<std::string> lanes = wide_lane_names(fn, plan);
  for (size_t a = 0; a < plan.arrays.size(); ++a)
    parts.push_back(fmt::format("{}* {}", cpp_type(fn.param_types[plan.arrays[a].param]->elem), lanes[a]));
  return fmt::format("WP_FUNC void {}({})", wide_body_cpp_name(fn), join(parts));
}

const std::set<std::string>& reserved_locals() {
  static const std::set<std::string> kNames = {"wp", "std", "impl", "tid0", "tid1", "tid2", "tid3"};
  return kNames;
}

class FunctionEmitter {
 public:
  FunctionEmitter(const ir::Function& fn, const FunctionEmitOptions& o) : fn_(fn), opts_(o) {}

  std::string run() {
    std::vector<std::string> params = function_param_names(fn_);
    for (const std::string& p : params) used_.insert(p);
    used_.insert(kAdSpillParam);
    used_.insert(kAdIndexParam);
    used_.insert(kGradSkipParam);
    if (fn_.result_types.size() > 1)  // out-parameters of multi-result functions
      for (size_t i = 0; i < fn_.result_types.size(); ++i) used_.insert(fmt::format("ret_{}", i));
    std::vector<Value*> args = fn_.params();
    for (size_t i = 0; i < args.size(); ++i) names_[args[i]] = params[i];
    if (opts_.wide) {
      lane_index_ = lane_index_name(params);
      used_.insert(lane_index_);
      const std::vector<std::string> lanes = wide_lane_names(fn_, *opts_.wide);
      for (size_t a = 0; a < lanes.size(); ++a) {
        used_.insert(lanes[a]);
        lane_buffers_[args[opts_.wide->arrays[a].param]] = lanes[a];
      }
    }
    if (!opts_.wide) {  // a backward kernel's body: templated on the gradient groups to skip (grad_slots.h)
      slots_ = grad_slots(fn_, opts_.max_grad_groups);
      if (slots_.groups > 0) out_ += std::string("template <uint32_t ") + kGradSkipParam + " = 0u>\n";
      pairs_ = plan_scatter_pairs(fn_, [this](const Value* array) { return grad_group(array); });
    }
    find_unused_results(fn_.body ? fn_.body->entry() : nullptr);
    out_ += (opts_.wide ? wide_signature(fn_, params, *opts_.wide) : signature(fn_, params)) + " {\n";
    if (fn_.kind == ir::FunctionKind::Native) {
      out_ += native_body();
    } else {
      find_updated_values(fn_.body->entry());
      block(fn_.body->entry());
    }
    out_ += "}\n";
    if (opts_.sources) out_ += std::string(kLineRestoreMarker) + "\n";
    return out_;
  }

 private:
  // ---- text
  // One statement; preceded by the pending `#line` when its source line changed.
  void line(const std::string& text) {
    if (!pending_line_.empty()) out_ += pending_line_;
    pending_line_.clear();
    out_ += std::string(static_cast<size_t>(indent_) * 2, ' ') + text + "\n";
  }

  void source_line(const ir::Op& op) {
    if (!opts_.sources || op.loc.begin.file == kNoFile) return;
    LineCol lc = opts_.sources->line_col(op.loc.begin);
    if (lc.line == last_line_) return;
    last_line_ = lc.line;
    pending_line_ = fmt::format("#line {} {}\n", lc.line, cpp_string_literal(opts_.sources->name(op.loc.begin.file)));
  }

  std::string native_body() {
    const sema::FunctionInstance* inst = fn_.instance;
    if (!inst || !inst->decl) throw LocatedCodegenError("a func_native without its snippet", fn_.loc);
    return inst->decl->native_snippet + "\n";
  }

  // ---- names
  std::string fresh(const std::string& hint) {
    std::string base = hint.empty() ? "v" : cpp_identifier(identifier_from(hint));
    if (reserved_locals().count(base)) base += "_";
    std::string name = hint.empty() ? "v_1" : base;
    for (int n = 1; used_.count(name); ++n) name = fmt::format("{}_{}", base, n);
    used_.insert(name);
    return name;
  }

  const std::string& name(const Value* v) {
    auto it = names_.find(v);
    if (it == names_.end())
      throw LocatedCodegenError("a value used before its definition (internal error)", fn_.loc);
    return it->second;
  }

  // Declares `T name` for an op result, returns the name.
  std::string define(const Value* v, const std::string& init) {
    std::string n = fresh(v->name);
    names_[v] = n;
    line(fmt::format("{} {} = {};", cpp_type(v->type), n, init));
    return n;
  }

  std::vector<std::string> operand_names(const ir::Op& op, size_t begin = 0, size_t end = SIZE_MAX) {
    std::vector<std::string> out;
    for (size_t i = begin; i < op.operands.size() && i < end; ++i) out.push_back(name(op.operands[i]));
    return out;
  }

  // Assigns `values` to `targets` as one parallel assignment.
  void assign_all(const std::vector<std::string>& targets, const std::vector<std::string>& values) {
    bool hazard = false;
    for (size_t i = 0; i < values.size(); ++i)
      for (size_t j = 0; j < i; ++j) hazard |= values[i] == targets[j];
    if (!hazard) {
      for (size_t i = 0; i < targets.size(); ++i)
        if (targets[i] != values[i]) line(fmt::format("{} = {};", targets[i], values[i]));
      return;
    }
    line("{");
    ++indent_;
    for (size_t i = 0; i < values.size(); ++i) line(fmt::format("const auto tmp_{} = {};", i, values[i]));
    for (size_t i = 0; i < targets.size(); ++i) line(fmt::format("{} = tmp_{};", targets[i], i));
    --indent_;
    line("}");
  }

  // ---- blocks and ops
  void block(const ir::Block* b) {
    for (const ir::Op* op : b->ops) emit_op(*op);
  }

  void nested(const ir::Region* r, std::vector<std::string> yield_targets) {
    ++indent_;
    yield_targets_.push_back(std::move(yield_targets));
    block(r->entry());
    yield_targets_.pop_back();
    --indent_;
  }

  void emit_op(const ir::Op& op) {
    source_line(op);
    switch (op.opcode) {
      case Opcode::Const: return constant(op);
      case Opcode::Zero: return zero(op);
      case Opcode::Tid: return tid(op);
      case Opcode::Cast: return cast(op);
      case Opcode::CallBuiltin: return call_builtin(op);
      case Opcode::Call: return call(op);
      case Opcode::Compare:
        define(op.result(), fmt::format("({} {} {})", name(op.operands[0]), op.name, name(op.operands[1])));
        return;
      case Opcode::Extract: define(op.result(), access_path(op, name(op.operands[0]), 1)); return;
      case Opcode::Insert: return insert(op);
      case Opcode::StructNew:
        define(op.result(), fmt::format("{}{{{}}}", cpp_type(op.result()->type), join(operand_names(op))));
        return;
      case Opcode::Assert:
        line(fmt::format("WP_KERNEL_ASSERT({}, {});", name(op.operands[0]), cpp_string_literal(assert_text(op))));
        return;
      case Opcode::ArrayLoad:
        bounds_check(op, op.operands.size());
        define(op.result(), element(op));
        return;
      case Opcode::ArrayStore:
        bounds_check(op, op.operands.size() - 1);
        line(fmt::format("{} = {};", element(op), name(op.operands.back())));
        return;
      case Opcode::ArrayShape:
        define(op.result(), fmt::format("{}.shape[{}]", name(op.operands[0]), op.indices.at(0)));
        return;
      case Opcode::ArrayView:
        bounds_check(op, op.operands.size());
        define(op.result(), fmt::format("wp::array_view_at({})", join(operand_names(op))));
        return;
      case Opcode::AtomicAdd: return atomic(op, "atomic_add");
      case Opcode::AtomicSub: return atomic(op, "atomic_sub");
      case Opcode::AtomicMin: return atomic(op, "atomic_min");
      case Opcode::AtomicMax: return atomic(op, "atomic_max");
      case Opcode::GradLoad:
        bounds_check(op, op.operands.size());
        define(op.result(), fmt::format("wp::grad_load({})", join(operand_names(op))));
        return;
      case Opcode::GradAccum: {
        bounds_check(op, op.operands.size() - 1);
        // A kernel's own array argument is never kernel-local: grad_accum_arg skips that branch.
        const std::vector<Value*> params = fn_.params();
        const bool argument = fn_.kind == ir::FunctionKind::Kernel &&
                              std::find(params.begin(), params.end(), op.operands[0]) != params.end();
        std::string call = fmt::format("wp::{}({});", argument ? "grad_accum_arg" : "grad_accum", join(operand_names(op)));
        const int group = grad_group(op.operands[0]);
        auto guarded = [&](const std::string& c) {  // compiled away in the instantiations that skip the group
          return group >= 0 ? fmt::format("if constexpr (({} & {}u) == 0u) {}", kGradSkipParam, 1u << group, c) : c;
        };
        // Paired scatters (pair_scatters.h) under WARPC_AGGREGATE_PAIRS: the earlier one goes out
        // with the later one, as one call; otherwise each where it is.
        if (pairs_.deferred.count(&op)) {
          line("#if !defined(WARPC_AGGREGATE_PAIRS)");
          line(guarded(call));
          line("#endif");
        } else if (auto it = pairs_.earlier_of.find(&op); it != pairs_.earlier_of.end()) {
          const ir::Op& first = *it->second;
          const size_t n = op.operands.size();
          line("#if defined(WARPC_AGGREGATE_PAIRS)");
          line(guarded(fmt::format("wp::grad_accum_arg_pair({}, {}, {}, {}, {});", name(first.operands[0]),
                                   name(op.operands[0]), join(operand_names(op, 1, n - 1)),
                                   name(first.operands[n - 1]), name(op.operands[n - 1]))));
          line("#else");
          line(guarded(call));
          line("#endif");
        } else {
          line(guarded(call));
        }
        return;
      }
      case Opcode::GradClear:
        bounds_check(op, op.operands.size());
        line(fmt::format("wp::grad_clear({});", join(operand_names(op))));
        return;
      case Opcode::AdjCallBuiltin: return adj_call_builtin(op);
      case Opcode::TanCallBuiltin: return tan_call_builtin(op);
      case Opcode::GradStore: {  // `a.grad[i…](component…) = value` (nothing without a gradient)
        const size_t n = op.operands.size();
        bounds_check(op, n - 1);
        std::string place = fmt::format("{}.adj({})", name(op.operands[0]), join(operand_names(op, 1, n - 1)));
        std::vector<std::string> path;
        for (int c : op.indices) path.push_back(std::to_string(c));
        if (!path.empty()) place = fmt::format("wp::index_ref({}, {})", place, join(path));
        if (op.name == "atomic")  // the tangent of an atomic update: other threads store too
          line(fmt::format("if ({}.grad) wp::atomic_detail::rmw<wp::atomic_detail::Op::kExch>(&{}, {});",
                           name(op.operands[0]), place, name(op.operands[n - 1])));
        else
          line(fmt::format("if ({}.grad) {} = {};", name(op.operands[0]), place, name(op.operands[n - 1])));
        return;
      }
      case Opcode::GradAccumField: {  // `a.grad[i…].field…` += value, atomically (nothing without a gradient)
        const size_t n = op.operands.size();
        bounds_check(op, n - 1);
        std::string place = fmt::format("{}.adj({})", name(op.operands[0]), join(operand_names(op, 1, n - 1)));
        const Type* t = op.operands[0]->type->elem;
        for (int f : op.indices) {
          place += "." + t->info->fields.at(static_cast<size_t>(f)).name;
          t = t->info->fields.at(static_cast<size_t>(f)).type;
        }
        line(fmt::format("if ({}.grad) wp::atomic_detail::rmw<wp::atomic_detail::Op::kAdd>(&{}, {});",
                         name(op.operands[0]), place, name(op.operands[n - 1])));
        return;
      }
      case Opcode::GradTake: {  // the element's (component's) gradient, atomically swapped with zero
        bounds_check(op, op.operands.size());
        std::string place = fmt::format("{}.adj({})", name(op.operands[0]), join(operand_names(op, 1)));
        std::vector<std::string> path;
        for (int c : op.indices) path.push_back(std::to_string(c));
        if (!path.empty()) place = fmt::format("wp::index_ref({}, {})", place, join(path));
        const std::string t = cpp_type(op.result()->type);
        define(op.result(), fmt::format("{0}.grad ? wp::atomic_detail::rmw<wp::atomic_detail::Op::kExch>(&{1}, {2}{{}}) : {2}{{}}",
                                        name(op.operands[0]), place, t));
        return;
      }
      case Opcode::NativeSnippet: {  // the snippet as the body of a lambda taking the names it uses
        const ir::Function& callee = *op.callee;
        const sema::FunctionInstance* inst = callee.instance;
        const size_t np = callee.param_types.size();
        auto pname = [&](size_t i) {
          return inst && i < inst->params.size() ? inst->params[i]->name : fmt::format("arg{}", i);
        };
        std::vector<std::string> params, args;
        for (size_t i = 0; i < np; ++i) {
          params.push_back(fmt::format("{} {}", cpp_type(callee.param_types[i]), pname(i)));
          args.push_back(name(op.operands[i]));
        }
        const bool adj = op.name == "adj";
        std::string result;
        if (adj) {
          for (const Value* r : op.results) {
            names_[r] = fresh("adj");
            line(fmt::format("{} {}{{}};", cpp_type(r->type), names_[r]));
          }
          for (size_t i = 0; i < np; ++i) {
            const Type* t = callee.param_types[i];
            auto hit = std::find(op.indices.begin(), op.indices.end(), static_cast<int>(i));
            if (t->kind == TypeKind::Array) {
              params.push_back(fmt::format("{} adj_{}", cpp_type(t), pname(i)));
              args.push_back(fmt::format("wp::detail::grad_as_data({})", name(op.operands[i])));
              continue;
            }
            params.push_back(fmt::format("{}& adj_{}", cpp_type(t), pname(i)));
            if (hit != op.indices.end()) {
              args.push_back(names_[op.results[static_cast<size_t>(hit - op.indices.begin())]]);
            } else {
              args.push_back(fresh("adj_unused"));
              line(fmt::format("{} {}{{}};", cpp_type(t), args.back()));
            }
          }
          for (size_t i = np; i < op.operands.size(); ++i) {
            const size_t r = i - np;
            params.push_back(fmt::format("{} {}", cpp_type(op.operands[i]->type),
                                         op.operands.size() == np + 1 ? std::string("adj_ret") : fmt::format("adj_ret_{}", r)));
            args.push_back(name(op.operands[i]));
          }
        }
        const std::string rt = !adj && op.results.size() == 1 ? cpp_type(op.result()->type) : "void";
        const std::string snippet = adj ? inst->decl->native_adj_snippet : inst->decl->native_replay_snippet;
        std::string call = fmt::format("[]({}) -> {} {{\n{}\n}}({})", join(params), rt, snippet, join(args));
        if (!adj && op.results.size() == 1) define(op.result(), call);
        else line(call + ";");
        return;
      }
      case Opcode::If: return if_op(op);
      case Opcode::For: return for_op(op);
      case Opcode::While: return while_op(op);
      case Opcode::Yield: assign_all(yield_targets_.back(), operand_names(op)); return;
      case Opcode::Condition: line(fmt::format("if (!({})) break;", name(op.operands[0]))); return;
      case Opcode::Break: assign_all(loops_.back(), operand_names(op)); line("break;"); return;
      case Opcode::Continue: assign_all(loops_.back(), operand_names(op)); line("continue;"); return;
      case Opcode::Return: return return_op(op);
    }
  }

  std::string assert_text(const ir::Op& op) {
    if (!opts_.sources || op.loc.begin.file == kNoFile) return "assert";
    LineCol lc = opts_.sources->line_col(op.loc.begin);
    return fmt::format("{}:{}: assert", opts_.sources->name(op.loc.begin.file), lc.line);
  }

  void constant(const ir::Op& op) {
    const Value* v = op.result();
    std::string text = cpp_literal(*op.constant);
    if (v->type->kind == TypeKind::String || (v->type->kind == TypeKind::Scalar && !updated_.count(v))) {
      names_[v] = text;  // inlined at every use
      return;
    }
    define(v, text);
  }

  void tid(const ir::Op& op) {
    int dims = function_tid_dims(fn_);
    if (static_cast<int>(op.results.size()) != dims && dims > 0)
      throw LocatedCodegenError("'wp.tid()' forms with different numbers of indices in one kernel", op.loc);
    for (size_t i = 0; i < op.results.size(); ++i) names_[op.results[i]] = fmt::format("tid{}", i);
  }

  void cast(const ir::Op& op) {
    const Type* to = op.result()->type;
    if (to->is_bool()) {
      define(op.result(), fmt::format("({} != 0)", name(op.operands[0])));
      return;
    }
    define(op.result(), fmt::format("static_cast<{}>({})", cpp_type(to), name(op.operands[0])));
  }

  // Values some builtin updates in place (`&T` parameters) must live in variables.
  // (The SSA form of a builtin writing into arguments gets fresh variables: call_builtin.)
  void find_updated_values(const ir::Block* b) {
    for (const ir::Op* op : b->ops) {
      if (ir::written_operands(*op).empty())
        for (int i : ir::ref_operands(*op)) updated_.insert(op->operands[static_cast<size_t>(i)]);
      for (const ir::Region* r : op->regions) find_updated_values(r->entry());
    }
  }

  // Builtins whose C++ form depends on the result type rather than on a table row's name:
  // dtype-taking rows (template arguments) and kernel-local arrays. Returns false for every
  // other builtin (wp.vector / wp.matrix … arrive here as type constructors).
  bool typed_builtin(const ir::Op& op) {
    if (!op.target && op.name == "ad_stack_open") {  // the backward kernel's loop-carried value stack
      const std::string storage = fresh("ad_local"), stack = fresh("ad_stack");
      const size_t local = std::max<size_t>(1, fn_.ad_stack_local_bytes);
      line(fmt::format("unsigned char {}[{}];", storage, local));
      line(fmt::format("wp::AdStack {};", stack));
      define(op.result(), fmt::format("wp::ad_stack_open({}, {}, {}, {}, {})", stack, storage, fn_.ad_stack_local_bytes,
                                      kAdSpillParam, kAdIndexParam));
      return true;
    }
    const sema::CallTarget* t = op.target;
    if (!t || op.results.empty()) return false;
    const Type* r = op.result()->type;
    if (t->kind == sema::CallKind::LocalArray) {
      // Thread-local, zero-initialised storage and a contiguous view of it; in an adjoint
      // function also a zero-initialised gradient buffer (the array's adjoint).
      const std::string storage = fresh("storage"), elem = cpp_type(r->elem);
      const int size = std::max(1, t->local_array_size);
      line(fmt::format("{} {}[{}] = {{}};", elem, storage, size));
      if (!fn_.primal && !fn_.tangent_of) {  // adjoint and JVP functions: a gradient / tangent buffer
        define(op.result(), fmt::format("wp::local_array({}, {})", storage, join(operand_names(op))));
        return true;
      }
      const std::string grad = fresh("adj_storage");
      line(fmt::format("{} {}[{}] = {{}};", elem, grad, size));
      define(op.result(), fmt::format("wp::local_array_with_grad({}, {}, {})", storage, grad, join(operand_names(op))));
      return true;
    }
    if (t->kind == sema::CallKind::ArrayFromPtr) {  // a view of the memory at a uint64 address
      define(op.result(), fmt::format("wp::array_from_ptr<{}>({})", cpp_type(r->elem), join(operand_names(op))));
      return true;
    }
    if (op.name == "identity" && r->kind == TypeKind::Matrix) {
      define(op.result(), fmt::format("wp::identity<{}, {}>()", r->rows, cpp_type(types_scalar(r))));
      return true;
    }
    if (op.name == "quat_identity" || op.name == "transform_identity") {
      define(op.result(), fmt::format("wp::{}<{}>()", op.name, cpp_type(types_scalar(r))));
      return true;
    }
    return false;
  }

  // The scalar type of a composite, as a Type (components are scalars of r->scalar).
  const Type* types_scalar(const Type* r) {
    scalar_holder_.kind = TypeKind::Scalar;
    scalar_holder_.scalar = r->scalar;
    return &scalar_holder_;
  }

  void call_builtin(const ir::Op& op) {
    if (typed_builtin(op)) return;
    const sema::CallTarget* t = op.target;
    const BuiltinOverload* ov = t ? t->overload : nullptr;
    std::string callee;
    if (!t) callee = "wp::" + op.name;  // a runtime helper a pass introduced (wp::range_count)
    else if (t->kind == sema::CallKind::Print) callee = "wp::print";
    else if (t && t->kind == sema::CallKind::Printf) callee = "wp::printf";
    else if (t && t->kind == sema::CallKind::TypeConstructor) {
      if (!ov) throw LocatedCodegenError(fmt::format("the constructor '{}'", op.name), op.loc);
      callee = fmt::format("wp::construct_{}<{}>", builtin_cpp_name(ov), cpp_type(op.result()->type));
    } else {
      if (!ov) throw LocatedCodegenError(fmt::format("the builtin '{}'", op.name), op.loc);
      std::string_view cpp = builtin_cpp_name(ov);
      callee = "wp::" + std::string(cpp.empty() ? builtin_name(ov) : cpp);
      // Rows taking `dtype=` whose value type is the result type: a template argument.
      if (op.name == "volume_sample" || op.name == "volume_sample_grad" || op.name == "volume_lookup" ||
          op.name == "cast")
        callee += "<" + cpp_type(op.result()->type) + ">";
    }
    std::vector<std::string> args = operand_names(op);
    const std::vector<int> written = ir::written_operands(op);
    const int first = ir::first_written_result(op);
    for (size_t k = 0; k < written.size(); ++k) {  // `&` arguments: new variables holding the old values
      const Value* r = op.result(first + static_cast<int>(k));
      std::string& arg = args[static_cast<size_t>(written[k])];
      arg = define(r, arg);
    }
    std::string call = fmt::format("{}({})", callee, join(args));
    if (op.results.empty() || (!written.empty() && first == 0)) line(call + ";");
    else define(op.result(), call);
  }

  // `wp::adj_<name>(primal args…, adjoint outputs…[, adjoint of the result])`: the outputs are
  // the op's results, zero-initialised and accumulated by the call; for a `&` argument the slot is
  // in/out (in: the adjoint of its value after the call; out: of its value before).
  // `T x{};`, or for an adjoint's zero (AD names it "adjoint") `T x = wp::adjoint_zero<T>();`.
  void zero(const ir::Op& op) {
    const std::string type = cpp_type(op.result()->type);
    names_[op.result()] = fresh(op.result()->name);
    if (op.name == "adjoint") line(fmt::format("{0} {1} = wp::adjoint_zero<{0}>();", type, names_[op.result()]));
    else line(fmt::format("{} {}{{}};", type, names_[op.result()]));
  }

  void adj_call_builtin(const ir::Op& op) {
    const BuiltinOverload* ov = op.target ? op.target->overload : nullptr;
    if (!ov) throw LocatedCodegenError(fmt::format("the adjoint of '{}'", op.name), op.loc);
    std::string_view cpp = builtin_cpp_name(ov);
    std::vector<std::string> primal = operand_names(op, 0, op.results.size());
    // `&` arguments: their adjoint slots start as the adjoints of their values after the call
    // (the operands after the primal ones); the others start at zero.
    const std::vector<int> refs = ir::ref_operands(op);
    size_t extra = op.results.size();
    std::vector<std::string> adjoints;
    for (size_t i = 0; i < op.results.size(); ++i) {
      const Value* r = op.results[i];
      names_[r] = fresh("adj");
      const bool in = std::find(refs.begin(), refs.end(), static_cast<int>(i)) != refs.end();
      const std::string type = cpp_type(r->type);
      if (in) line(fmt::format("{} {}{{{}}};", type, names_[r], name(op.operands[extra++])));
      else line(fmt::format("{0} {1} = wp::adjoint_zero<{0}>();", type, names_[r]));
      adjoints.push_back(names_[r]);
    }
    std::vector<std::string> args = primal;
    args.insert(args.end(), adjoints.begin(), adjoints.end());
    for (size_t i = extra; i < op.operands.size(); ++i) args.push_back(name(op.operands[i]));
    if (op.target->kind == sema::CallKind::TypeConstructor)
      line(fmt::format("wp::adj_construct_{}<{}>({});", cpp, cpp_type(op.target->result), join(args)));
    else
      line(fmt::format("wp::adj_{}({});", cpp.empty() ? builtin_name(ov) : cpp, join(args)));
  }

  // The tangents of a builtin's results through its adjoint (wp/builtins/tangent_support.h): for
  // each component k of result j, adj_<f>(args…, adjoint slots…[, adjoint of the return]) seeded
  // with the unit e_k in result j's slot (the return value's, or the written `&` argument's)
  // gives row k of the Jacobian; the component is Σ ⟨slot_i, tangent_i⟩ over the arguments in
  // op.indices (their tangents are the operands after the primal ones).
  void tan_call_builtin(const ir::Op& op) {
    const BuiltinOverload* ov = op.target ? op.target->overload : nullptr;
    if (!ov) throw LocatedCodegenError(fmt::format("the tangent of '{}'", op.name), op.loc);
    std::string_view cpp = builtin_cpp_name(ov);
    const size_t np = op.operands.size() - op.indices.size();
    const std::vector<std::string> primal = operand_names(op, 0, np);
    std::vector<int> refs;  // `&` operands, in order: results first + k
    for (size_t i = 0; i < np; ++i)
      if (builtin_param_is_ref(ov, std::min(static_cast<int>(i), builtin_param_count(ov) - 1)))
        refs.push_back(static_cast<int>(i));
    const Type* ret = op.target->result;
    const bool has_ret = ret && ret->kind != TypeKind::Void;
    const int first = has_ret ? 1 : 0;
    for (size_t j = 0; j < op.results.size(); ++j) {
      const Value* r = op.results[j];
      const std::string rt = cpp_type(r->type);
      const std::string result = fresh("tan");
      names_[r] = result;
      line(fmt::format("{} {}{{}};", rt, result));
      if (!ad_differentiable(r->type)) continue;
      const int seeded = static_cast<int>(j) >= first ? refs.at(j - static_cast<size_t>(first)) : -1;
      const std::string k = fresh("k"), e = fresh("e");
      line(fmt::format("for (int {0} = 0; {0} < wp::tangent_size<{1}>(); ++{0}) {{", k, rt));
      ++indent_;
      line(fmt::format("const {0} {1} = wp::tangent_unit<{0}>({2});", rt, e, k));
      std::vector<std::string> slots;
      for (size_t i = 0; i < np; ++i) {
        const std::string t = cpp_type(op.operands[i]->type);
        slots.push_back(fresh("adj"));
        if (static_cast<int>(i) == seeded) line(fmt::format("{} {} = {};", t, slots.back(), e));
        else line(fmt::format("{0} {1} = wp::adjoint_zero<{0}>();", t, slots.back()));
      }
      std::vector<std::string> args = primal;
      args.insert(args.end(), slots.begin(), slots.end());
      if (has_ret)
        args.push_back(j == 0 ? e : fmt::format("wp::adjoint_zero<{}>()", cpp_type(ret)));
      if (op.target->kind == sema::CallKind::TypeConstructor)
        line(fmt::format("wp::adj_construct_{}<{}>({});", cpp, cpp_type(op.target->result), join(args)));
      else
        line(fmt::format("wp::adj_{}({});", cpp.empty() ? builtin_name(ov) : cpp, join(args)));
      std::vector<std::string> terms;
      for (size_t t = 0; t < op.indices.size(); ++t)
        terms.push_back(fmt::format("wp::tangent_dot({}, {})", slots[static_cast<size_t>(op.indices[t])],
                                    name(op.operands[np + t])));
      line(fmt::format("wp::tangent_at({}, {}) = {};", result, k, terms.empty() ? "0" : join(terms, " + ")));
      --indent_;
      line("}");
    }
  }

  void call(const ir::Op& op) {
    std::vector<std::string> args = operand_names(op);
    const std::string callee = function_cpp_name(*op.callee);
    if (op.results.size() <= 1) {
      std::string text = fmt::format("{}({})", callee, join(args));
      if (op.results.empty()) line(text + ";");
      else define(op.result(), text);
      return;
    }
    for (const Value* r : op.results) {
      names_[r] = fresh(r->name.empty() ? "ret" : r->name);
      line(fmt::format("{} {}{{}};", cpp_type(r->type), names_[r]));
      args.push_back(names_[r]);
    }
    line(fmt::format("{}({});", callee, join(args)));
  }

  // `agg` followed by the op's static path (or dynamic index operands from `first_index`):
  // struct fields and transform parts as members, components through wp::index / index_ref.
  std::string access_path(const ir::Op& op, std::string expr, size_t first_index, bool ref = false) {
    std::vector<std::string> idx;
    if (!op.indices.empty()) {
      for (int i : op.indices) idx.push_back(std::to_string(i));
    } else {
      idx = operand_names(op, first_index);
    }
    const char* fn = ref ? "wp::index_ref" : "wp::index";
    TypeKind kind = op.operands[0]->type->kind;
    const Type* t = op.operands[0]->type;
    for (size_t i = 0; i < idx.size();) {
      if (kind == TypeKind::Struct) {
        const StructField& f = t->info->fields.at(static_cast<size_t>(std::stoi(idx[i])));
        expr += "." + f.name;
        t = f.type;
        kind = t->kind;
        i += 1;
      } else if (kind == TypeKind::Transform) {
        if (idx[i] != "0" && idx[i] != "1") throw LocatedCodegenError("a dynamic index into a transform", op.loc);
        expr += idx[i] == "0" ? ".p" : ".q";
        kind = idx[i] == "0" ? TypeKind::Vector : TypeKind::Quat;
        i += 1;
      } else if (kind == TypeKind::Matrix && i + 1 < idx.size()) {
        expr = fmt::format("{}({}, {}, {})", fn, expr, idx[i], idx[i + 1]);
        kind = TypeKind::Scalar;
        i += 2;
      } else if (kind == TypeKind::Matrix || kind == TypeKind::Vector || kind == TypeKind::Quat) {
        expr = fmt::format("{}({}, {})", fn, expr, idx[i]);
        kind = kind == TypeKind::Matrix ? TypeKind::Vector : TypeKind::Scalar;
        i += 1;
      } else {
        throw LocatedCodegenError("this component access path", op.loc);
      }
    }
    return expr;
  }

  void insert(const ir::Op& op) {
    const Value* r = op.result();
    std::string n = define(r, name(op.operands[0]));
    line(fmt::format("{} = {};", access_path(op, n, 2, /*ref=*/true), name(op.operands[1])));
  }

  void atomic(const ir::Op& op, const char* fn) {
    bounds_check(op, op.operands.size() - 1);
    if (op.is(Opcode::AtomicAdd) && unused_.count(op.result())) {  // no old value: reductions (vector ones on sm_90)
      line(fmt::format("wp::atomic_add_no_return({});", join(operand_names(op))));
      return;
    }
    std::string call = fmt::format("wp::{}({})", fn, join(operand_names(op)));
    define(op.result(), call);
  }

  // The results no op reads (any nesting depth; block terminators — yields, returns — count
  // as readers).
  void find_unused_results(const ir::Block* entry) {
    if (!entry) return;
    std::set<const Value*> defined, read;
    std::function<void(const ir::Block*)> visit = [&](const ir::Block* b) {
      for (const ir::Op* op : b->ops) {
        for (const Value* r : op->results) defined.insert(r);
        for (const Value* v : op->operands) read.insert(v);
        for (const ir::Region* r : op->regions)
          for (const ir::Block* inner : r->blocks) visit(inner);
      }
    };
    visit(entry);
    for (const Value* v : defined)
      if (!read.count(v)) unused_.insert(v);
  }

  // The gradient group of a backward kernel's array parameter (−1: not grouped).
  int grad_group(const Value* array) const {
    if (slots_.groups == 0) return -1;
    const std::vector<Value*> params = fn_.params();
    for (size_t p = 0; p < params.size(); ++p)
      if (params[p] == array) return slots_.group_of[p];
    return -1;
  }

  // Declares variables for an op's results (if results / loop-carried values).
  // Loops name them after the body's block arguments (the .wp variables).
  std::vector<std::string> declare_results(const ir::Op& op, const std::vector<std::string>& inits,
                                           const ir::Block* named_by = nullptr, size_t first_arg = 0) {
    std::vector<std::string> out;
    for (size_t i = 0; i < op.results.size(); ++i) {
      const Value* r = op.results[i];
      std::string hint = r->name;
      if (hint.empty() && named_by && first_arg + i < named_by->args.size()) hint = named_by->args[first_arg + i]->name;
      std::string n = fresh(hint);
      names_[r] = n;
      if (i < inits.size()) line(fmt::format("{} {} = {};", cpp_type(r->type), n, inits[i]));
      else line(fmt::format("{} {}{{}};", cpp_type(r->type), n));
      out.push_back(n);
    }
    return out;
  }

  void bind_args(const ir::Region* r, size_t first, const std::vector<std::string>& names) {
    const ir::Block* b = r->entry();
    for (size_t i = first; i < b->args.size(); ++i) names_[b->args[i]] = names.at(i - first);
  }

  void if_op(const ir::Op& op) {
    std::vector<std::string> results = declare_results(op, {});
    line(fmt::format("if ({}) {{", name(op.operands[0])));
    nested(op.region(0), results);
    if (!op.region(1)->entry()->ops.empty() &&
        !(op.region(1)->entry()->ops.size() == 1 && results.empty() &&
          op.region(1)->entry()->ops[0]->is(Opcode::Yield))) {
      line("} else {");
      nested(op.region(1), results);
    }
    line("}");
  }

  void for_op(const ir::Op& op) {
    const std::string lo = name(op.operands[0]), hi = name(op.operands[1]), step = name(op.operands[2]);
    const ir::Block* body = op.region(0)->entry();
    std::vector<std::string> carried = declare_results(op, operand_names(op, 3), body, 1);
    const Value* iv_value = body->args.at(0);
    const std::string iv = fresh(iv_value->name.empty() ? "i" : iv_value->name);
    names_[iv_value] = iv;
    bind_args(op.region(0), 1, carried);
    const std::string ivt = cpp_type(iv_value->type);
    const ir::Op* step_def = op.operands[2]->def;
    const bool unit_step = step_def && step_def->is(Opcode::Const) && step_def->constant->as_int() == 1;
    if (unit_step && !op.reversed) {
      line(fmt::format("for ({0} {1} = {2}; {1} < {3}; ++{1}) {{", ivt, iv, lo, hi));
    } else {
      const std::string n = fresh("trips"), k = fresh("k");
      line(fmt::format("const int32_t {} = wp::range_count({}, {}, {});", n, lo, hi, step));
      line(fmt::format("for (int32_t {0} = 0; {0} < {1}; ++{0}) {{", k, n));
      const std::string pos = op.reversed ? fmt::format("({} - 1 - {})", n, k) : k;
      line(fmt::format("  const {} {} = {} + {} * {};", ivt, iv, lo, pos, step));
    }
    loops_.push_back(carried);
    nested(op.region(0), carried);
    loops_.pop_back();
    line("}");
  }

  void while_op(const ir::Op& op) {
    std::vector<std::string> carried = declare_results(op, operand_names(op), op.region(1)->entry(), 0);
    bind_args(op.region(0), 0, carried);
    bind_args(op.region(1), 0, carried);
    line("while (true) {");
    loops_.push_back(carried);
    nested(op.region(0), carried);
    nested(op.region(1), carried);
    loops_.pop_back();
    line("}");
  }

  void return_op(const ir::Op& op) {
    std::vector<std::string> values = operand_names(op);
    if (values.size() == 1) {
      line(fmt::format("return {};", values[0]));
      return;
    }
    for (size_t i = 0; i < values.size(); ++i) line(fmt::format("ret_{} = {};", i, values[i]));
    line("return;");
  }

  const ir::Function& fn_;
  FunctionEmitOptions opts_;
  // The array element a load / store addresses: `a(i, …)`, or the lane buffer in a wide body.
  std::string element(const ir::Op& op) {
    auto lane = lane_buffers_.find(op.operands[0]);
    if (lane != lane_buffers_.end()) return fmt::format("{}[{}]", lane->second, lane_index_);
    const size_t indices_end = op.is(Opcode::ArrayStore) ? op.operands.size() - 1 : op.operands.size();
    return fmt::format("{}({})", name(op.operands[0]), join(operand_names(op, 1, indices_end)));
  }

  // `WP_BOUNDS_CHECK(site, array, indices…);` for an access whose array is operand 0 and whose
  // indices are operands [1, indices_end). Lane buffers of wide bodies are in range by plan.
  void bounds_check(const ir::Op& op, size_t indices_end) {
    if (lane_buffers_.count(op.operands[0]) || indices_end < 2) return;
    std::string file = "<generated>";
    uint32_t line_no = 0;
    if (opts_.locations && op.loc.begin.file != kNoFile) {
      file = opts_.locations->name(op.loc.begin.file);
      line_no = opts_.locations->line_col(op.loc.begin).line;
    }
    const std::string& array = name(op.operands[0]);
    line(fmt::format("WP_BOUNDS_CHECK((wp::detail::AccessSite{{{}, {}, {}, {}}}), {});", cpp_string_literal(file),
                     line_no, cpp_string_literal(site_function()), cpp_string_literal(array),
                     join(operand_names(op, 0, indices_end))));
  }

  // How a bounds-check message names the function being run.
  std::string site_function() const {
    const std::string base = fn_.primal ? fn_.primal->name : fn_.tangent_of ? fn_.tangent_of->name : fn_.name;
    std::string shown = fn_.instance && fn_.instance->decl ? fn_.instance->decl->name : base;
    const char* pass = fn_.primal ? "backward of " : fn_.tangent_of ? "JVP of " : "";
    if (fn_.kind == ir::FunctionKind::Kernel) return pass + std::string("kernel '") + shown + "'";
    return pass + std::string("function '") + shown + "'";
  }

  std::string out_;
  std::map<const Value*, std::string> lane_buffers_;  // wide bodies: planned array → lane buffer
  std::string lane_index_;
  int indent_ = 1;
  uint32_t last_line_ = 0;
  std::string pending_line_;
  std::map<const Value*, std::string> names_;
  std::set<const Value*> updated_;
  Type scalar_holder_;  // passed to `&` parameters: never inlined
  std::set<std::string> used_;
  std::set<const Value*> unused_;  // op results nobody reads
  GradSlots slots_;                // a backward kernel's gradient groups
  ScatterPairs pairs_;  // backward kernels: scatters emitted together (pair_scatters.h)
  std::vector<std::vector<std::string>> yield_targets_;
  std::vector<std::vector<std::string>> loops_;
};

}  // namespace

std::string function_cpp_name(const ir::Function& fn) {
  if (fn.kind == ir::FunctionKind::Kernel) return "k_" + identifier_from(fn.name) + "_body";
  return "f_" + identifier_from(fn.name);
}

std::string wide_body_cpp_name(const ir::Function& kernel) {
  return "k_" + identifier_from(kernel.name) + "_wide_body";
}

std::vector<std::string> wide_lane_names(const ir::Function& kernel, const WidePlan& plan) {
  const std::vector<std::string> params = function_param_names(kernel);
  std::set<std::string> taken(params.begin(), params.end());
  std::vector<std::string> out;
  for (const WideArray& a : plan.arrays) {
    std::string n = params[a.param] + "_lanes";
    while (taken.count(n)) n += "_";
    taken.insert(n);
    out.push_back(n);
  }
  return out;
}

int function_tid_dims(const ir::Function& fn) {
  if (fn.kind != ir::FunctionKind::Kernel || !fn.instance) return 0;
  return fn.instance->tid_dims;
}

std::vector<std::string> function_param_names(const ir::Function& fn) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::vector<Value*> params = fn.params();
  const sema::FunctionInstance* inst = fn.instance;
  for (size_t i = 0; i < fn.param_types.size(); ++i) {
    std::string n;
    if (i < params.size() && !params[i]->name.empty()) n = params[i]->name;
    else if (inst && i < inst->params.size()) n = inst->params[i]->name;
    else n = fmt::format("arg{}", i);
    n = cpp_identifier(identifier_from(n));
    if (reserved_locals().count(n) || seen.count(n)) n += "_";
    seen.insert(n);
    out.push_back(n);
  }
  return out;
}

bool function_has_ad_stack(const ir::Function& fn) {
  return fn.kind == ir::FunctionKind::Kernel && fn.ad_stack_trip_bytes > 0;
}

std::string emit_declaration(const ir::Function& fn) { return signature(fn, function_param_names(fn)) + ";\n"; }

std::string emit_definition(const ir::Function& fn, const FunctionEmitOptions& options) {
  return FunctionEmitter(fn, options).run();
}

std::string restore_line_directives(const std::string& text, const std::string& file) {
  std::istringstream in(text);
  std::string out, line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line == kLineRestoreMarker) line = fmt::format("#line {} {}", n + 1, cpp_string_literal(file));
    out += line + "\n";
  }
  return out;
}

}  // namespace warpc::codegen
