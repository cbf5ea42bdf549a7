// sema_impl.h — the semantic checker's internal interface, shared by the
// files of compiler/sema (check_program, resolve_types, names, check_stmt,
// check_expr, check_call, const_eval, ast_clone). Not for other phases: they
// read sema/symbols.h and the annotated AST.
//
// Contract:
//  * One Sema object checks one program: modules (imports first), then their
//    declarations in order, then function bodies (instances are checked on
//    demand, when first called, so callers know return types).
//  * Every report goes through Sema::error(), which adds the "in
//    instantiation of" notes of the generic instances being checked.
//  * An Entity is what a name, attribute or call denotes before it is used:
//    a value, a type, a module, an overload set, a builtin …; expressions used
//    as values go through check_expr(), which rejects the other kinds.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sema/builtins.h"
#include "sema/const_value.h"
#include "sema/sema.h"
#include "sema/symbols.h"
#include "support/diagnostics.h"

namespace warpc::sema {

// What an expression denotes.
struct Entity {
  enum class Kind : uint8_t {
    Error,         // poison: a diagnostic was reported
    Value,         // a value of `type` (constant when `constant` is set)
    Type,          // a type (`wp.vec3`, `float`, a struct, `Any`)
    TypeTemplate,  // a type family needing arguments: array, array2d, vector, matrix, tuple
    Module,        // wp / math / typing / warp.types / a user module
    Functions,     // a user overload set (`symbol`)
    Kernel,        // a user kernel (`symbol`)
    Builtin,       // a builtin function (`name` without `wp.`)
    Special,       // a form sema handles itself: tid, static, range, print, decorators …
  };
  Kind kind = Kind::Error;
  const Type* type = nullptr;
  const ConstValue* constant = nullptr;
  Symbol* symbol = nullptr;
  ModuleKind module_kind = ModuleKind::User;
  ModuleInfo* module = nullptr;
  std::string name;

  bool is_error() const { return kind == Kind::Error; }
};

// Definite-assignment state of one local at one program point.
struct VarState {
  bool definite = false;          // assigned on every path reaching this point
  std::vector<SourceRange> sites; // assignments that reach this point
  bool from_loop = false;      // only assigned inside a loop that may not run
};

// The state of all locals along one path.
struct FlowState {
  bool reachable = true;
  std::map<const Symbol*, VarState> vars;
};

struct LoopContext {
  std::vector<FlowState> breaks;
  std::vector<FlowState> continues;
};

// The function (instance) whose body is being checked.
struct FunctionScope {
  FunctionInstance* inst = nullptr;
  FunctionDecl* decl = nullptr;
  bool lenient = false;  // generic template: generic-typed values are poison
  std::map<std::string, Symbol*, std::less<>> names;
  FlowState flow;
  std::vector<LoopContext> loops;
  const Type* return_type = nullptr;  // declared, or from the first return
  SourceRange return_from;            // where return_type came from
  bool returns_value = false;
  int tid_dims = 0;
  std::set<const Symbol*> static_iterators;  // variables of enclosing constant-range loops
};

enum class TypeUse : uint8_t { Param, Return, Field, Dtype, Constant, Local };

class Sema {
 public:
  Sema(ModuleLoader& loader, TypeContext& types, DiagnosticEngine& diags, Program& program);
  bool run(ast::Module& main);

  template <class... A>
  DiagBuilder error(DiagId id, SourceRange r, const A&... args) {
    DiagBuilder b = diags_.report(id, r, args...);
    add_context_notes(b);
    return b;
  }

  // ---------------------------------------------------- check_program.cpp
  ModuleInfo* check_module(ast::Module* m, SourceRange import_at);
  void declare_statement(ast::Stmt* s);
  Symbol* define_global(const std::string& name, SymbolKind kind, SourceRange at);
  void check_bodies(ModuleInfo* m);
  FunctionInstance* instantiate(FunctionDecl* d, const std::vector<const Type*>& args, SourceRange at);
  void check_instance(FunctionInstance* inst, SourceRange at);
  void run_body(FunctionInstance* inst, bool lenient);
  Symbol* make_param(const ast::Param& p, const Type* t, int index);
  std::string source_text(SourceRange r) const;
  std::string callee_text(ast::Expr* e) const;
  void add_context_notes(DiagBuilder& b);
  const Type* value_type(const Type* t);  // generic → poison (templates)
  CallTarget* new_target(CallKind k, const Type* result);
  const Type* err() const { return types_.error(); }

  // ------------------------------------------------------------ names.cpp
  Entity resolve_entity(ast::Expr* e);
  void annotate(ast::Expr* e, const Entity& en);
  Entity resolve_attribute(ast::AttributeExpr* a);
  Entity resolve_ifexp(ast::IfExpExpr* x);
  std::string entity_description(const Entity& en);
  Entity entity_of_symbol(Symbol* s);
  Entity lookup_name(ast::NameExpr* n);
  bool names_type(const ast::Expr* e) const;  // a (dotted) name of a type, found without diagnostics
  Entity resolve_decorator(ast::Expr* callee);
  void check_assigned(ast::NameExpr* n, const Symbol* sym);
  Entity python_builtin(const std::string& name);
  struct Candidate {
    std::string name;
    SourceRange at;  // its declaration (the note's location), if it has one
  };
  std::vector<Candidate> names_in_scope() const;
  void suggest(DiagBuilder& b, const std::string& name, const std::vector<Candidate>& pool);
  void suggest(DiagBuilder& b, const std::string& name, const std::vector<std::string>& pool);
  void report_undeclared(ast::NameExpr* n);
  Entity warp_member(const std::string& name);
  Entity math_member(const std::string& name);
  Entity namespace_member(const Entity& ns, const std::string& name, SourceRange at, bool report);
  bool builtin_module_kind(const std::string& dotted, ModuleKind& k);
  bool foreign_module(const std::string& dotted, SourceRange at);
  ModuleInfo* load_user_module(const std::string& dotted, SourceRange at);
  ModuleInfo* package_namespace(const std::string& top, SourceRange at);
  void check_import(ast::ImportStmt* s);
  void check_import_from(ast::ImportFromStmt* s);
  void import_name(const Entity& ns, const ast::ImportAlias& a);
  void bind_poison(const std::string& name, SourceRange at);

  // ----------------------------------------------------- declarations.cpp
  void declare_constant(ast::Stmt* s);
  void declare_alias(ast::NameExpr* name, const Entity& en);
  void declare_struct(ast::ClassDefStmt* c);
  void declare_field(StructInfo* info, ast::Stmt* s);
  bool is_int_enum_base(ast::Expr* base);
  void declare_enum(ast::ClassDefStmt* c);
  std::string decorator_kind(const std::vector<ast::Expr*>& decos, const std::string& owner, SourceRange at);
  ast::CallExpr* decorator_call(const std::vector<ast::Expr*>& decos);
  void check_decorator_options(ast::CallExpr* call, const char* deco, std::initializer_list<const char*> allowed);
  void declare_function(ast::FunctionDefStmt* f);

  // ------------------------------------------------ kernel_factories.cpp
  static bool is_factory(const ast::FunctionDefStmt* f);
  void declare_factory(ast::FunctionDefStmt* f);
  bool instantiate_factory(ast::NameExpr* target, ast::Expr* value);
  bool bind_factory_arguments(const ast::FunctionDefStmt* f, ast::CallExpr* call, CaptureMap& captures);
  Symbol* capture_argument(const ast::FunctionDefStmt* f, const ast::Param& p, ast::Expr* arg);
  void declare_factory_definitions(const ast::FunctionDefStmt* f, ast::NameExpr* target, CaptureMap& captures);
  void report_factory_use(const Symbol* factory, SourceRange at);
  void declare_signature(FunctionDecl* d);
  void check_default(FunctionDecl* d, ast::Param& p, const Type* t, bool kernel);
  void declare_kernel(FunctionDecl* d, ast::CallExpr* call);
  // explicit_overloads.cpp
  FunctionDecl* overload_target(ast::Expr* e, SourceRange at);
  void declare_overload_call(ast::CallExpr* c);
  bool overload_types_by_name(FunctionDecl* d, ast::TupleExpr* pairs, std::vector<const Type*>& concrete,
                              std::vector<SourceRange>& where);
  void declare_overload_def(ast::FunctionDefStmt* f);
  void request_instance(FunctionDecl* d, const std::vector<const Type*>& concrete,
                        const std::vector<SourceRange>& where, SourceRange at);
  void read_kernel_options(FunctionDecl* d, ast::CallExpr* call);
  void add_overload(FunctionDecl* d);
  void read_native_snippets(FunctionDecl* d, ast::CallExpr* call);
  bool check_native_body(FunctionDecl* d);
  void attach_custom(FunctionDecl* d, ast::CallExpr* call);
  void check_custom_signature(FunctionDecl* d);

  // ---------------------------------------------------- resolve_types.cpp
  const Type* resolve_type(ast::Expr* e, TypeUse use);
  const Type* type_from_entity(const Entity& en, ast::Expr* e, TypeUse use);
  bool const_int_arg(ast::Expr* e, const char* what, const std::string& owner, int64_t& out);
  const Type* dtype_arg(ast::Expr* e, const std::string& owner, bool scalar_only);
  const Type* make_array_type(const Type* dtype, int64_t ndim, ast::Expr* at);
  const Type* make_composite(const std::string& tmpl, int64_t rows, int64_t cols, const Type* dtype, ast::Expr* at);
  const Type* type_from_template(const std::string& tmpl, ast::CallExpr* call, const Type* default_dtype = nullptr);
  const Type* type_from_subscript(const std::string& tmpl, ast::SubscriptExpr* sub);

  // ------------------------------------------------------- check_expr.cpp
  const Type* check_expr(ast::Expr* e);
  const Type* value_of(ast::Expr* e, const Entity& en);
  const Type* generic_zero_value(ast::Expr* e, const Entity& en);
  const Type* zero_value(ast::CallExpr* c, const Type* t);
  const Type* check_literal(ast::Expr* e);
  const Type* attribute_type(const Type* t, const std::string& attr, SourceRange at, bool report);
  const Type* component_attribute(const Type* t, const std::string& attr);
  Entity check_subscript(ast::SubscriptExpr* s);
  Entity check_subscript_of(ast::SubscriptExpr* s, const Entity& base, const Type* bt);
  Entity hash_grid_query_of(ast::SubscriptExpr* s);
  bool check_index_expr(ast::Expr* e);
  const Type* index_array(const Type* t, std::vector<ast::Expr*>& idx, SourceRange at);
  const Type* index_composite(const Type* t, std::vector<ast::Expr*>& idx, SourceRange at);
  bool slice_length(ast::SliceExpr* sl, int n, int& len);
  const Type* index_tuple(const Type* t, std::vector<ast::Expr*>& idx, SourceRange at);
  Entity check_adjoint(ast::SubscriptExpr* s);
  const Type* check_binary(ast::BinaryExpr* b);
  const Type* binary_result(ast::BinaryOp op, std::string_view spelling, const Type* lt, const Type* rt,
                            ast::Expr* lhs, ast::Expr* rhs, SourceRange at, SourceRange whole,
                            const CallTarget** target);
  std::string operand_help(ast::BinaryOp op, const Type* lt, const Type* rt, const ast::Expr* lhs,
                           const ast::Expr* rhs);
  const CallTarget* user_operator(const std::string& name, const std::vector<const Type*>& args);
  const Type* check_unary(ast::UnaryExpr* u);
  const CallTarget* unary_target(const char* name, const Type* operand, const Type* result);
  const Type* check_boolop(ast::BoolOpExpr* b);
  const Type* check_compare(ast::CompareExpr* c);
  const Type* check_ifexp_branches(ast::IfExpExpr* e);
  const Type* check_tuple(ast::TupleExpr* t);
  bool check_condition(ast::Expr* cond);

  // ------------------------------------------------------- check_call.cpp
  Entity check_call(ast::CallExpr* c);
  void check_args_quietly(ast::CallExpr* c);
  bool expand_starred(ast::CallExpr* c);
  const Type* check_arg(ast::Expr* e, const Type* wide);
  const Type* check_user_arg(ast::Expr* e);
  const Type* function_value_type(const Entity& en);
  bool check_args(ast::CallExpr* c, std::vector<BuiltinArg>& out, const Type* wide);
  std::string arg_types_text(ast::CallExpr* c);
  const Type* call_builtin(ast::CallExpr* c, const std::string& name, const std::string& shown);
  SourceRange blamed_arg(ast::CallExpr* c, int index);
  const Type* call_constructor(ast::CallExpr* c, const Type* target, const std::string& shown);
  const Type* call_sized_constructor(ast::CallExpr* c, const std::string& tmpl);
  const Type* call_struct(ast::CallExpr* c, const Type* st, const std::string& shown);
  bool match_param(const Type* p, const Type* a);
  bool bind_args(ast::CallExpr* c, const ast::FunctionDefStmt* def, const std::string& shown,
                 std::vector<const ast::Expr*>& bound, bool report);
  std::string signature_text(const FunctionDecl* d);
  FunctionDecl* pick_overload(ast::CallExpr* c, Symbol* set, const std::string& shown,
                              std::vector<const ast::Expr*>& bound);
  const Type* call_user(ast::CallExpr* c, Symbol* set, const std::string& shown);
  Entity call_special(ast::CallExpr* c, const std::string& name, const std::string& shown);
  Entity call_static(ast::CallExpr* c);
  Entity call_type(ast::CallExpr* c);
  const Type* call_tid(ast::CallExpr* c);
  const Type* call_range(ast::CallExpr* c);
  const Type* call_reversed(ast::CallExpr* c);
  const Type* call_print(ast::CallExpr* c, bool printf);
  const Type* call_len(ast::CallExpr* c);
  const Type* call_local_array(ast::CallExpr* c, const std::string& shown);
  const Type* call_array_from_ptr(ast::CallExpr* c);

  // ------------------------------------------------------- check_stmt.cpp
  void check_body(FunctionScope& scope);
  void check_block(ast::Block& b);
  void check_stmt(ast::Stmt* s);
  void check_assign(ast::AssignStmt* s);
  void unpack_into(ast::TupleExpr* tuple, const Type* t, ast::Expr* value);
  void assign_to(ast::Expr* target, const Type* t, ast::Expr* value);
  bool storable(const Type* t, ast::Expr* value);
  std::string conversion_help(ast::Expr* value, const Type* from, const Type* to);
  void bind_name(ast::NameExpr* n, const Type* t, SourceRange value_range, bool loop_var);
  void bind_function_alias(ast::NameExpr* n, const Entity& en);
  const Type* check_store_target(ast::Expr* target);
  bool assignable_root(ast::Expr* e);
  std::string slot_description(ast::Expr* target);
  void check_ann_assign(ast::AnnAssignStmt* s);
  void check_aug_assign(ast::AugAssignStmt* s);
  FlowState merge(const std::vector<const FlowState*>& states);
  void check_if(ast::IfStmt* s);
  void finish_loop(const FlowState& before, bool runs_once, bool exits_normally);
  void check_for(ast::ForStmt* s);
  int64_t static_trip_count(ast::Expr* iter);
  void check_while(ast::WhileStmt* s);
  void check_return(ast::ReturnStmt* s);
  bool storable_return(const Type* t, ast::Expr* value);

  // ------------------------------------------------------- const_eval.cpp
  const ConstValue* make_const(const Type* t, std::vector<ConstValue::Scalar> comps);
  const ConstValue* tuple_constant(const ast::Expr* e);
  const ConstValue* int_const(const Type* t, int64_t v);
  ConstValue::Scalar scalar_of(ScalarKind k, double d, __int128 i, bool is_int_value);
  const ConstValue* normalize(const Type* t, ConstValue::Scalar v);
  const ConstValue* fold_binary(ast::BinaryOp op, const ConstValue* a, const ConstValue* b, const Type* result,
                                SourceRange at);
  const ConstValue* fold_scalar_binary(ast::BinaryOp op, const ConstValue& a, size_t ia, const ConstValue& b,
                                       size_t ib, const Type* result, SourceRange at);
  const ConstValue* fold_unary(ast::UnaryOp op, const ConstValue* a, const Type* result);
  const ConstValue* fold_compare(ast::CompareOp op, const ConstValue* a, const ConstValue* b);
  const ConstValue* fold_cast(const ConstValue* a, const Type* to);
  const ConstValue* fold_construct(const Type* to, const std::vector<const ConstValue*>& args);
  const ConstValue* fold_builtin(const std::string& name, const std::vector<const ConstValue*>& args,
                                 const Type* result);
  const ConstValue* fold_index(const ConstValue* v, const std::vector<ast::Expr*>& idx, const Type* result);
  const ConstValue* fold_attribute(const ConstValue* v, const std::string& attr, const Type* result);
  ast::Expr* first_non_constant(ast::Expr* e);
  bool uses_static_iterator(ast::Expr* e);

  // -------------------------------------------------------- ast_clone.cpp
  ast::FunctionDefStmt* clone_function(const ast::FunctionDefStmt* f);
  ast::Expr* clone_expr(const ast::Expr* e);

  // ----------------------------------------------------------------- state
  ModuleLoader& loader_;
  TypeContext& types_;
  DiagnosticEngine& diags_;
  Program& program_;

  ModuleInfo* module_ = nullptr;  // module whose declarations/bodies are being checked
  FunctionScope* fn_ = nullptr;   // body being checked (null at module level)
  const CaptureMap* captures_ = nullptr;          // names captured by the function being checked
  const CaptureMap* pending_captures_ = nullptr;  // given to the functions being declared
  std::map<const ast::Module*, ModuleInfo*> modules_;
  struct InstContext {
    const FunctionInstance* inst;
    SourceRange at;
  };
  std::vector<InstContext> inst_stack_;       // generic instances being checked (for notes)
  std::vector<std::pair<FunctionInstance*, SourceRange>> explicit_instances_;  // wp.overload requests
  struct CallFrame {
    const FunctionInstance* caller;
    const FunctionInstance* callee;
    SourceRange at;
  };
  std::vector<CallFrame> call_stack_;         // user calls being followed (recursion notes)
  const ast::CallExpr* pending_tid_call_ = nullptr;  // `i, j = wp.tid()`: the call being unpacked …
  int pending_tid_arity_ = 0;                 // … into this many targets
  const Type* wide_ = nullptr;                // literal argument of a constructor of this scalar type
  bool wide_float64() const { return wide_ && wide_->is_scalar() && wide_->scalar == ScalarKind::Float64; }
  bool negated_ = false;                      // checking the operand of a unary minus on a literal
  std::map<std::string, Entity> function_values_;  // functions passed to wp.Function parameters
};

// Index of a single-letter component (`x`…`w`, `p`/`q`) of a composite, or -1.
int component_index(const Type* t, std::string_view attr);

// Edit distance (for "did you mean" notes).
int edit_distance(std::string_view a, std::string_view b, int limit);


}  // namespace warpc::sema
