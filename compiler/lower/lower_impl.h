// lower_impl.h — the Lowerer shared by lower_to_ir.cpp (functions),
// lower_stmt.cpp (statements, control flow) and lower_expr.cpp (expressions).
//
// SSA construction: `env` maps each local variable / parameter Symbol to its
// current Value. An assignment rebinds the symbol to a new Value; regions
// save and restore `env`; an `if` merges the symbols its branches changed
// into its results; a loop carries the symbols its body assigns that exist
// before it (block arguments in, yield out, results after).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "lower/lower_to_ir.h"
#include "parse/ast.h"
#include "sema/symbols.h"

namespace warpc::lower {

// Deterministic order of symbols: parameters by position, then locals by creation.
struct SymbolLess {
  bool operator()(const sema::Symbol* a, const sema::Symbol* b) const;
};
using Env = std::map<const sema::Symbol*, ir::Value*, SymbolLess>;
using SymbolSet = std::set<const sema::Symbol*, SymbolLess>;

// Thrown after an "unsupported" diagnostic; caught per function.
struct Unsupported {};

// What `break` / `continue` must carry for one enclosing loop: the loop's
// hidden carried values first (a query loop's iterator and index: the body
// block's arguments, never rebound), then the current values of its symbols.
struct LoopFrame {
  std::vector<ir::Value*> hidden;
  std::vector<const sema::Symbol*> symbols;
};

// Reachability of the code being lowered in the current block.
enum class Flow : uint8_t {
  Live,        // falls through
  Dead,        // unreachable (both branches of an if exited): close the block normally
  Terminated,  // the block already ends in break / continue / return
};

// wp.vector, wp.matrix, wp.quaternion, wp.transformation: builtins lowered as type constructors.
bool is_generic_constructor(std::string_view name);

class Lowerer {
 public:
  Lowerer(const sema::Program& program, TypeContext& types, DiagnosticEngine& diags);
  std::unique_ptr<ir::Module> run();

  // ---- lower_expr.cpp
  ir::Value* expr(const ast::Expr* e);
  std::vector<ir::Value*> expr_values(const ast::Expr* e);  // tuple-valued: one Value per element
  ir::Value* to_bool(ir::Value* v, SourceRange loc);
  ir::Value* constant(const ConstValue* c, SourceRange loc);
  ir::Value* int_const(int64_t v, SourceRange loc);
  bool has_slice(const ast::Expr* index);
  ir::Value* slice(const ast::SubscriptExpr* s, ir::Value* base);
  ir::Value* apply(const sema::CallTarget* t, std::vector<ir::Value*> args, SourceRange loc, const char* what);

  // ---- lower_stmt.cpp
  void block(const ast::Block& stmts);
  void assign(const ast::Expr* target, ir::Value* v, SourceRange loc);

  [[noreturn]] void unsupported(SourceRange at, const std::string& what);

 private:
  const sema::Program& program_;
  TypeContext& types_;
  DiagnosticEngine& diags_;
  std::unique_ptr<ir::Module> module_;
  ir::OpBuilder b_;
  std::map<const sema::FunctionInstance*, ir::Function*> functions_;

  // Per function being lowered:
  ir::Function* fn_ = nullptr;
  Env env_;
  // Tuple-valued locals (`t = (1, 2.0, v)`, bound once by sema's rule): their element values.
  std::map<const sema::Symbol*, std::vector<ir::Value*>> tuples_;
  Flow flow_ = Flow::Live;
  std::vector<LoopFrame> loops_;                         // what each enclosing loop carries
  std::map<std::string, const sema::CallTarget*> made_targets_;  // calls lowering adds (query `_next`)
  std::multimap<const sema::Symbol*, uint32_t> reads_;   // source offsets where each local is read
  // Source offsets of the calls that write each local through a `&` parameter in the SSA form
  // (a loop carries such a local like an assigned one: carried_symbols()).
  std::multimap<const sema::Symbol*, uint32_t> ref_writes_;
  // > 0 while lowering code whose rebindings cannot leave it (a `while` condition, the lazily
  // evaluated operands of `and` / `or` / `if`-expressions): `&` arguments are updated in place.
  int inplace_refs_ = 0;
  // @wp.func_grad bodies: `wp.adjoint[p]` is a local variable per parameter p of the function
  // differentiated (starting at zero); the grad returns those of its differentiable parameters.
  std::map<const sema::Symbol*, const sema::Symbol*> adjoint_of_;  // parameter → its adjoint variable
  std::vector<const sema::Symbol*> adjoint_results_;               // returned, in parameter order
  std::vector<std::unique_ptr<sema::Symbol>> adjoint_symbols_;     // storage

  // lower_to_ir.cpp
  void declare(const sema::FunctionInstance* inst, ir::FunctionKind kind, const std::string& name);
  void declare_custom_functions();
  void define(ir::Function* f);
  void close_function_body();
  void begin_custom_grad();
  const sema::Symbol* adjoint_symbol(const ast::Expr* e) const;  // `wp.adjoint[p]`'s variable, or null
  std::vector<ir::Value*> function_exit_values(SourceRange loc);  // a grad's return values
  void collect_reads(const ast::Expr* e);
  void collect_reads(const ast::Block& stmts);

  // lower_expr.cpp
  ir::Value* name(const ast::NameExpr* n);
  ir::Value* attribute(const ast::AttributeExpr* a);
  ir::Value* subscript(const ast::SubscriptExpr* s);
  ir::Value* array_shape(ir::Value* arr, const ast::Expr* dim, SourceRange loc);
  std::vector<ir::Value*> call(const ast::CallExpr* c);
  std::vector<ir::Value*> builtin_call(const ast::CallExpr* c);
  // `sources` (optional): the argument expression of each operand (null for a filled-in default).
  std::vector<ir::Value*> builtin_args(const ast::CallExpr* c, std::vector<const ast::Expr*>* sources = nullptr);
  bool writes_into_arguments(const sema::CallTarget* t) const;  // SSA form of `&` parameters (docs/ir.md)
  void record_ref_writes(const ast::CallExpr* c);
  void rebind_written(ir::Op* op, const std::vector<const ast::Expr*>& sources);
  ir::Value* default_arg(const sema::CallTarget* t, int param, const std::vector<int>& param_args,
                         const std::vector<ir::Value*>& args, SourceRange loc);
  const sema::CallTarget* builtin_target(const std::string& name, const std::vector<const Type*>& args);
  ir::Value* type_constructor(const ast::CallExpr* c);
  // wp.vector / wp.matrix / wp.quaternion / wp.transformation: the type constructor of their
  // result type (lower_constructors.cpp); the tuple forms of svd3, qr3, … (their `&` form).
  ir::Value* generic_constructor(const ast::CallExpr* c);
  const sema::CallTarget* constructor_target(const Type* type, const std::vector<const Type*>& args);
  std::vector<ir::Value*> tuple_builtin(const ast::CallExpr* c, const std::vector<ir::Value*>& args);
  ir::Value* local_array(const ast::CallExpr* c);
  ir::Value* struct_constructor(const ast::CallExpr* c);
  ir::Value* boolop(const ast::BoolOpExpr* e);
  ir::Value* compare(const ast::CompareExpr* e, size_t i, ir::Value* lhs);
  ir::Value* ifexp(const ast::IfExpExpr* e);
  std::vector<ir::Value*> indices(const ast::Expr* index);
  int component_index(const Type* t, const std::string& attr) const;
  ir::Value* extract(ir::Value* agg, std::vector<ir::Value*> idx, const Type* t, SourceRange loc);
  ir::Value* insert(ir::Value* agg, std::vector<ir::Value*> idx, ir::Value* v, SourceRange loc);

  // lower_stmt.cpp
  void stmt(const ast::Stmt* s);
  void assign_stmt(const ast::AssignStmt* s);
  void aug_assign(const ast::AugAssignStmt* s);
  void ann_assign(const ast::AnnAssignStmt* s);
  void if_stmt(const ast::IfStmt* s);
  void for_stmt(const ast::ForStmt* s);
  void range_loop(const ast::ForStmt* s, const ast::CallExpr* r, bool reversed);
  void query_loop(const ast::ForStmt* s);
  void query_condition(ir::Region* cond, ir::Value* query, ir::Value* index, SourceRange loc);
  bool needs_static_unroll(const ast::ForStmt* s) const;
  void static_unroll(const ast::ForStmt* s, const ast::CallExpr* r, bool reversed);
  void while_stmt(const ast::WhileStmt* s);
  void loop_exit(const ast::Stmt* s, ir::Opcode op);
  void return_stmt(const ast::ReturnStmt* s);
  std::vector<const sema::Symbol*> carried_symbols(const ast::Block& body, SourceRange loop) const;
  std::vector<const sema::Symbol*> condition_ref_writes(const ast::Expr* cond) const;
  std::vector<ir::Value*> current(const std::vector<const sema::Symbol*>& syms, SourceRange loc);
  std::vector<ir::Value*> values_in(const Env& env, const std::vector<const sema::Symbol*>& syms, SourceRange loc);
  std::vector<ir::Value*> initial(const std::vector<const sema::Symbol*>& syms, SourceRange loc);
  // Lowers `stmts` into `region` starting from `env`; returns the env at the end and whether it is live.
  Flow branch(ir::Region* region, const ast::Block& stmts, const Env& start, Env* end);
  void yield(ir::Region* region, std::vector<ir::Value*> values, SourceRange loc);
};

}  // namespace warpc::lower
