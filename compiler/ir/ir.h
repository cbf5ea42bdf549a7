// ir.h — warpc's structured SSA IR (in the spirit of MLIR's `scf` dialect).
//
// Contract:
//  * A Module owns everything (arena): Functions, Regions, Blocks, Ops and
//    Values live as long as the Module and never move (stable pointers).
//  * Module → Function (kernel, func, or a body-less func_native) → body
//    Region → Blocks → Ops. Every Region has exactly one Block today (the
//    control flow is structured: no branches between blocks).
//  * SSA: every Value is defined once — as an Op result or a Block argument —
//    and is usable after its definition in the same block and in every region
//    nested below (regions capture enclosing values implicitly, as in scf).
//    Locals are never mutated: each rebinding is a new Value; variables
//    merged by an `if` are its results, variables changed by a loop are its
//    carried values (block arguments + results).
//  * Opcodes come from ops.def (one table: spelling, arities, flags).
//  * `break` / `continue` / `return` are terminators that may end any block
//    nested (through `if` regions only) inside their loop / function; they
//    carry the innermost loop's carried values (break: the loop results,
//    continue: the next iteration's values) or the function's results. A
//    region ending in one of them does not yield to its parent.
//  * ir_verifier.cpp checks all of this; ir_printer.cpp gives the text form.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "sema/const_value.h"
#include "sema/types.h"
#include "support/source_manager.h"

namespace warpc::sema {
struct CallTarget;
struct FunctionInstance;
}  // namespace warpc::sema

namespace warpc::ir {

enum OpFlag : unsigned {
  kSideEffects = 1u << 0,
  kTerminator = 1u << 1,
  kDifferentiable = 1u << 2,
  kReadsMemory = 1u << 3,
};

enum class Opcode : uint8_t {
#define IR_OP(id, spelling, operands, results, regions, flags) id,
#include "ir/ops.def"
#undef IR_OP
};

struct OpInfo {
  const char* spelling;
  int operands;  // -1 = variable
  int results;   // -1 = variable
  int regions;
  unsigned flags;
};
const OpInfo& op_info(Opcode op);

struct Op;
struct Block;
struct Region;
struct Function;

struct Value {
  const Type* type = nullptr;
  Op* def = nullptr;       // defining op (null for a block argument)
  Block* block = nullptr;  // the block this is an argument of (null for op results)
  int index = 0;           // result index / argument index
  std::string name;        // printing hint (parameter / variable name); may be empty
};

struct Block {
  std::vector<Value*> args;
  std::vector<Op*> ops;
  Region* parent = nullptr;
  Op* terminator() const;  // the last op if it is a terminator, else null
};

struct Region {
  std::vector<Block*> blocks;  // exactly one today
  Op* parent = nullptr;        // null for a function body
  Function* function = nullptr;
  Block* entry() const { return blocks.empty() ? nullptr : blocks.front(); }
};

struct Op {
  Opcode opcode = Opcode::Const;
  std::vector<Value*> operands;
  std::vector<Value*> results;
  std::vector<Region*> regions;
  Block* parent = nullptr;
  SourceRange loc;  // the source construct (for #line and diagnostics)

  // Attributes (which ones are meaningful depends on the opcode):
  const ConstValue* constant = nullptr;      // const
  const sema::CallTarget* target = nullptr;  // call_builtin / call: what sema resolved
  Function* callee = nullptr;                // call
  std::string name;                          // call_builtin: builtin name; cmp: predicate;
                                             // grad_store: "atomic" (an atomic exchange)
  std::vector<int> indices;                  // extract / insert: static component / field path;
                                             // array_shape: the dimension
  bool reversed = false;                     // for: visit the range's values last to first
                                             // (`reversed(range(…))`; bounds as written)

  const OpInfo& info() const { return op_info(opcode); }
  bool is(Opcode o) const { return opcode == o; }
  Value* result(int i = 0) const { return results[static_cast<size_t>(i)]; }
  Region* region(int i) const { return regions[static_cast<size_t>(i)]; }
  // Parent op of the enclosing region (null at function level).
  Op* parent_op() const;
};

enum class FunctionKind : uint8_t { Kernel, Func, Native };

// How reverse-mode AD reversed one dynamic loop (compiler/ad; --report-ad-storage).
struct AdLoopRecord {
  SourceRange loc;            // the loop
  std::string kind;           // "for" / "while"
  std::string function;       // the kernel or function it is in
  bool store = false;         // its carried values are stored (else recomputed)
  size_t carried_bytes = 0;   // bytes of one iteration's carried values
  size_t log_bytes = 0;       // undo-log bytes of one iteration (stores of overwritten arrays)
  std::string reason;         // why it is recomputed (empty when stored)
};

struct Function {
  FunctionKind kind = FunctionKind::Func;
  std::string name;                      // unique in the module
  std::vector<const Type*> param_types;  // = the entry block's argument types (also for Native)
  std::vector<const Type*> result_types; // empty for void; a tuple return gives several
  Region* body = nullptr;                // entry block args = parameters; null for Native
  const sema::FunctionInstance* instance = nullptr;
  const Function* primal = nullptr;      // adjoint functions (compiler/ad): the function they differentiate
  const Function* tangent_of = nullptr;  // JVP functions (ad/generate_tangents.h): the function they differentiate
  SourceRange loc;
  // Adjoint kernels whose dynamic loops store their carried values (compiler/ad, the store
  // strategy): the per-thread stack's thread-local bytes and the bytes one iteration of every
  // stored loop (its own and its callees') adds; codegen gives such a kernel the stack and the
  // launch's spill buffer (wp/ad_stack.h). Both 0 otherwise.
  size_t ad_stack_local_bytes = 0;
  size_t ad_stack_trip_bytes = 0;
  size_t ad_undo_log_bytes = 0;          // undo-log bytes outside loops (included in the trip bytes)
  std::vector<AdLoopRecord> ad_loops;    // adjoint kernels: every dynamic loop reversed (callees' too)
  std::vector<Value*> params() const;
};

class Module {
 public:
  std::string name;
  std::vector<Function*> functions;  // callees before callers where possible; kernels last

  Function* add_function(FunctionKind kind, std::string name);
  Region* new_region(Op* parent, Function* fn);  // with one empty block
  Block* new_block(Region* parent);
  Value* new_arg(Block* b, const Type* type, std::string name = {});
  // A detached op (append it with Block::ops or OpBuilder).
  Op* new_op(Opcode opcode, std::vector<Value*> operands, const std::vector<const Type*>& result_types,
             SourceRange loc);
  Value* add_result(Op* op, const Type* type);
  const ConstValue* keep(ConstValue v);  // a constant owned by the module
  // Keeps an attribute object (e.g. a CallTarget made by a pass) alive as long as the module.
  template <class T>
  const T* keep_object(T value) {
    T* p = make<T>();
    *p = std::move(value);
    return p;
  }

 private:
  template <class T>
  T* make() {
    auto p = std::make_unique<T>();
    T* raw = p.get();
    owned_.push_back(std::shared_ptr<void>(std::move(p)));
    return raw;
  }
  std::vector<std::shared_ptr<void>> owned_;
};

// Appends ops at the end of a block.
class OpBuilder {
 public:
  explicit OpBuilder(Module& m) : m_(m) {}
  Module& module() { return m_; }
  Block* block() const { return block_; }
  void set_block(Block* b) { block_ = b; }
  Op* emit(Opcode opcode, std::vector<Value*> operands, const std::vector<const Type*>& result_types,
           SourceRange loc);
  // Single-result shorthand.
  Value* emit1(Opcode opcode, std::vector<Value*> operands, const Type* type, SourceRange loc) {
    return emit(opcode, std::move(operands), {type}, loc)->result(0);
  }

 private:
  Module& m_;
  Block* block_ = nullptr;
};

// Builtins that write into arguments (`&` parameters) — the SSA form (docs/ir.md, *Builtin
// calls*): a `call_builtin` of a differentiable builtin with `&` parameters has, after the
// builtin's own result (if any), one result per `&` operand, in operand order: the argument's
// value after the call (the operand is its value before, still read by read-modify-write
// builtins). Operand indices written this way, in order; empty for every other op, including
// the in-place form that non-differentiable builtins (random states, query iterators) keep.
std::vector<int> ref_operands(const Op& op);        // `&` operand positions of a call_builtin (any form)
                                                    // or of an adj_call_builtin's primal operands
std::vector<int> written_operands(const Op& op);    // as above, only for the SSA form
int first_written_result(const Op& op);             // index of the result for written_operands()[0]

// The textual form (ir_printer.cpp; format documented there and in docs/ir.md).
void print_ir(std::ostream& os, const Module& m);
std::string ir_to_string(const Module& m);

// Structural checks (ir_verifier.cpp): returns one line per problem, empty
// when the module is well-formed.
std::vector<std::string> verify_ir(const Module& m);

}  // namespace warpc::ir
