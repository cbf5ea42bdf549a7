// symbols.h — what semantic analysis records about a program: the entities
// names refer to (Symbol), what each call / operator invokes (CallTarget), the
// user functions and kernels with their concrete instances, and the checked
// modules. The AST points at these (ast.h: NameExpr::symbol, CallExpr::target,
// BinaryExpr::target …); IR lowering reads them.
//
// Contract:
//  * Everything here is owned by the sema::Program of the compilation, which
//    lives as long as the TypeContext passed to check_program (kept there), so
//    AST annotations stay valid for the later phases.
//  * Every local variable has exactly one Symbol per function instance; all
//    NameExprs reading or writing it point to it (its type never changes:
//    rebinding to another type is an error). Lowering does the SSA renaming.
//  * A non-generic function or kernel has one FunctionInstance whose `def` is
//    the original AST. A generic function gets one instance per distinct
//    argument-type list at its call sites; each instance's `def` is a private
//    clone of the function's AST, annotated with that instance's types. A
//    generic kernel has no instance (`needs_instantiation`); its original AST
//    is annotated for well-formedness only (generic-typed values carry the
//    Error type there) and must not be lowered as is.
//  * Folded control flow: an `if` whose condition has a `constant` (literal,
//    module constant, `wp.static(...)`) has only its taken branch checked and
//    annotated; lowering must take the same branch. Static `for` loops are
//    checked once, with the loop variable as a plain int32 local; a
//    `wp.static(expr)` whose expr uses the variables of enclosing
//    constant-range loops has no `constant`: it is constant per unrolled
//    iteration and lowering evaluates it there.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "parse/ast.h"
#include "sema/builtins.h"
#include "sema/const_value.h"
#include "sema/types.h"

namespace warpc::sema {

struct FunctionDecl;
struct FunctionInstance;
struct ModuleInfo;

// ------------------------------------------------------------------- symbols

enum class SymbolKind : uint8_t {
  Local,            // a variable of a function/kernel body (also loop variables)
  Param,            // a parameter of the function instance
  ModuleConstant,   // `N = wp.constant(16)`, `G = 9.81`: `value` holds it
  BuiltinConstant,  // `wp.PI`, `math.pi` bound by `from … import`
  Function,         // an overload set of @wp.func (and func_native) definitions
  Kernel,           // a @wp.kernel
  Struct,           // a @wp.struct (type = the struct type)
  Module,           // `wp`, `math`, `typing`, `warp.types` or a user module
  Type,             // a type name bound at module level (`from warp.types import vector`, `Any`)
  BuiltinFunction,  // a builtin bound by name (`from warp import sin`): `builtin_name`
  Factory,          // a kernel factory: an undecorated function defining kernels/funcs (`factory`)
};

// Which builtin namespace a Module symbol denotes (user modules: User).
// VolumeClass is `wp.Volume`, whose members are sampling-mode constants.
enum class ModuleKind : uint8_t { Warp, WarpTypes, Math, Typing, VolumeClass, User };

struct Symbol {
  SymbolKind kind = SymbolKind::Local;
  std::string name;
  const Type* type = nullptr;        // value type (Local/Param/constants); Struct: the struct type;
                                     // Type: the type; Module/Function/Kernel: their Module/Function type
  SourceRange decl;                  // first binding / declaration
  const ConstValue* value = nullptr; // ModuleConstant / BuiltinConstant
  const ConstValue* wide_value = nullptr;  // float32 ModuleConstant written as a Python float
                                          // (`C = wp.constant(0.1)`): its full value as float64,
                                          // which `wp.float64(C)` takes (as Warp does)
  ModuleKind module_kind = ModuleKind::User;  // Module
  ModuleInfo* module = nullptr;      // Module (User): the module; others: the declaring module
  std::vector<FunctionDecl*> overloads;  // Function: the overload set (declaration order); Kernel: one
  const StructInfo* struct_info = nullptr;  // Struct
  std::string builtin_name;          // BuiltinFunction: name without `wp.`; Type: the spelling
  int index = -1;                    // Param: position; Local: creation order within the instance
  bool loop_variable = false;        // Local: the target of a `for`
  ast::FunctionDefStmt* factory = nullptr;  // Factory: its definition (null when malformed)
};

// The names a function defined inside a kernel factory sees before the module's: the factory's
// parameters (as constants, types or functions) and the factory's other definitions.
using CaptureMap = std::map<std::string, Symbol*, std::less<>>;

// ------------------------------------------------------------- call targets

enum class CallKind : uint8_t {
  Builtin,            // a builtin overload (also operators: add, mul, …)
  UserFunction,       // a @wp.func instance (also user operator overloads)
  StructConstructor,  // `Particle()` / `Particle(x=…, v=…)`
  TypeConstructor,    // `wp.vec3(…)`, `wp.float64(x)`, `float(x)`, `type(x)(v)`: result is the type
  Static,             // `wp.static(expr)`: the CallExpr carries the constant
  Tid,                // `wp.tid()`: result int32 or a tuple of int32 (tid_dims)
  Range,              // `range(…)`: result Range
  Reversed,           // `reversed(range(…))`: result Range
  Print,              // `print(…)` (any printable arguments)
  Printf,             // `wp.printf(fmt, …)`
  LocalArray,         // `wp.zeros(shape=N, dtype=T)` in kernel code: fixed-size local array
  ArrayFromPtr,       // `wp.array(ptr=p, shape=(n, …), dtype=T)` in kernel code: a view of memory at p
  Compare,            // one comparison of a chain (`name` is the operator: "<", "==" …): C semantics
                      // on scalars of any types, ==/!= on equal composite types; result bool
  Len,                // `len(x)` on vectors/matrices/arrays/tuples (constant unless array)
  TypeOf,             // `type(x)` used as a callee: see TypeConstructor
  Adjoint,            // `wp.adjoint[x]` in @wp.func_grad (the SubscriptExpr has no target; reserved)
};

struct CallTarget {
  CallKind kind = CallKind::Builtin;
  const Type* result = nullptr;            // the call's value type (Void when none)
  std::string name;                        // builtin name without `wp.` ("sin", "add"), or the function's name
  const BuiltinOverload* overload = nullptr;  // Builtin (and TypeConstructor when the table resolved one)
  const FunctionInstance* function = nullptr; // UserFunction: the concrete instance called
  const StructInfo* struct_info = nullptr;    // StructConstructor
  const Type* constructed = nullptr;          // TypeConstructor / LocalArray: the type built (dtype for LocalArray)
  // UserFunction / StructConstructor: the argument expression for each
  // parameter / field in declaration order (keywords bound, defaults filled
  // in from the parameter's default expression; null = zero-initialised field).
  std::vector<const ast::Expr*> bound_args;
  int tid_dims = 0;                        // Tid: number of indices produced
  int local_array_size = 0;                // LocalArray: element count
};

// ------------------------------------------------------ functions, kernels

enum class FunctionKind : uint8_t { Func, Kernel, Native, Grad, Replay };

struct KernelOptions {
  bool enable_backward = true;
  std::map<std::string, const ConstValue*> others;  // validated options (max_unroll, grid_stride, …)
};

// One `def` with a warp decorator.
struct FunctionDecl {
  FunctionKind kind = FunctionKind::Func;
  ast::FunctionDefStmt* def = nullptr;
  std::string name;
  ModuleInfo* module = nullptr;
  std::vector<const Type*> param_types;  // as annotated; may contain Generic
  const Type* declared_return = nullptr; // null when not annotated (inferred per instance)
  bool generic = false;                  // some parameter type is generic
  bool needs_instantiation = false;      // generic kernel: checked only for well-formedness
  KernelOptions options;                 // Kernel
  FunctionDecl* custom_grad = nullptr;   // Func: its @wp.func_grad, if any
  FunctionDecl* custom_replay = nullptr; // Func: its @wp.func_replay, if any
  FunctionDecl* custom_of = nullptr;     // Grad/Replay: the function it belongs to
  std::string native_snippet, native_adj_snippet, native_replay_snippet;  // Native
  std::vector<FunctionInstance*> instances;
  bool bad_signature = false;            // a parameter/return annotation was rejected
  const CaptureMap* captures = nullptr;  // defined in a kernel factory: its captured names
};

// A function or kernel with concrete parameter types, checked once.
struct FunctionInstance {
  FunctionDecl* decl = nullptr;
  ast::FunctionDefStmt* def = nullptr;   // the annotated body (a clone for generic instances)
  std::vector<const Type*> param_types;  // concrete
  std::vector<Symbol*> params;           // parameter symbols, in order
  std::vector<Symbol*> locals;           // every local variable, in creation order
  const Type* return_type = nullptr;     // Void when nothing is returned
  int tid_dims = 0;                      // Kernel: most indices any wp.tid() produces (launch rank)
  bool checked = false;
  bool in_progress = false;              // being checked (recursion detection)
};

// One checked module.
struct ModuleInfo {
  std::string name;
  ast::Module* ast = nullptr;
  std::map<std::string, Symbol*, std::less<>> globals;  // module-level names
  std::vector<Symbol*> constants;        // in declaration order
  std::vector<StructInfo*> structs;      // in declaration order
  std::vector<FunctionDecl*> functions;  // funcs, natives, grads, replays (declaration order)
  std::vector<FunctionDecl*> kernels;    // declaration order
  std::vector<ast::FunctionDefStmt*> factory_defs;  // the definitions kernel factories instantiated
  std::vector<ModuleKind> star_imports;  // `from warp import *`, `from math import *`: searched
                                         // after the module's own names
  bool checked = false;
  bool in_progress = false;              // import-cycle detection
};

// Everything sema produced for one compilation; owns all the above.
struct Program {
  ModuleInfo* main = nullptr;
  std::vector<ModuleInfo*> modules;  // dependencies first, main last

  template <class T, class... A>
  T* make(A&&... args) {
    auto p = std::make_unique<T>(std::forward<A>(args)...);
    T* raw = p.get();
    owned_.push_back(std::shared_ptr<void>(std::move(p)));
    return raw;
  }

 private:
  std::vector<std::shared_ptr<void>> owned_;
};

}  // namespace warpc::sema
