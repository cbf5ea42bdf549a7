// ast.h — the abstract syntax tree of a .wp module (the Python subset that
// Warp kernel modules are written in).
//
// Contract:
//  * The parser builds it; semantic analysis annotates it in place (the
//    `type`, `constant` and `symbol`/`target` fields below, null until sema
//    runs); lowering to IR reads the annotated tree.
//  * Every node carries the source range it was parsed from.
//  * Nodes live in an ASTContext arena and are referred to by raw pointers;
//    child pointers are never null unless the field says "nullable".
//  * Constructs outside Warp's kernel language are rejected by the parser with
//    a located diagnostic and replaced by an ErrorExpr / ErrorStmt (poison),
//    so later phases never see them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/source_manager.h"

namespace warpc {
struct Type;        // sema/types.h
struct ConstValue;  // sema/const_value.h
namespace sema {
struct Symbol;      // sema: what a Name refers to
struct CallTarget;  // sema: what a Call calls (builtin overload, user function, constructor, cast)
}  // namespace sema
}  // namespace warpc

namespace warpc::ast {

// ---------------------------------------------------------------- expressions

enum class ExprKind : uint8_t {
  Name,        // x
  IntLit,      // 42, 0x2A, 1_000
  FloatLit,    // 1.0, .5, 1e-3
  BoolLit,     // True / False
  NoneLit,     // None
  StringLit,   // "text" (adjacent literals concatenated)
  EllipsisLit, // ...
  Attribute,   // value.attr
  Subscript,   // value[index] / value[i, j] (index is a Tuple) / value[a:b]
  Slice,       // lower:upper:step (only inside a subscript)
  Call,        // func(args, key=value)
  Binary,      // a + b
  Unary,       // -a, +a, ~a, not a
  BoolOp,      // a and b and c
  Compare,     // a < b <= c (chained)
  IfExp,       // a if c else b
  Tuple,       // a, b  /  (a, b)
  Error,       // poison left where a diagnostic was reported
};

enum class BinaryOp : uint8_t { Add, Sub, Mul, MatMul, Div, FloorDiv, Mod, Pow, LShift, RShift, BitAnd, BitOr, BitXor };
enum class UnaryOp : uint8_t { Neg, Pos, Invert, Not };
enum class BoolOpKind : uint8_t { And, Or };
enum class CompareOp : uint8_t { Lt, Gt, LtE, GtE, Eq, NotEq, Is, IsNot, In, NotIn };

// Python spelling of an operator: "+", "//", "not", "is not" …
std::string_view binary_op_spelling(BinaryOp op);
std::string_view unary_op_spelling(UnaryOp op);
std::string_view bool_op_spelling(BoolOpKind op);
std::string_view compare_op_spelling(CompareOp op);

struct Node {
  SourceRange range;
  virtual ~Node() = default;
};

struct Expr : Node {
  const ExprKind kind;
  const Type* type = nullptr;           // set by sema (Error type after a diagnostic)
  const ConstValue* constant = nullptr; // set by sema when the value is known at compile time

  explicit Expr(ExprKind k) : kind(k) {}
  template <class T> T* as() { return kind == T::kKind ? static_cast<T*>(this) : nullptr; }
  template <class T> const T* as() const { return kind == T::kKind ? static_cast<const T*>(this) : nullptr; }
};

template <ExprKind K>
struct ExprOf : Expr {
  static constexpr ExprKind kKind = K;
  ExprOf() : Expr(K) {}
};

struct NameExpr : ExprOf<ExprKind::Name> {
  std::string name;
  const sema::Symbol* symbol = nullptr;  // set by sema
};
struct IntLitExpr : ExprOf<ExprKind::IntLit> {
  uint64_t value = 0;
  bool overflow = false;  // literal does not fit in 64 bits
};
struct FloatLitExpr : ExprOf<ExprKind::FloatLit> { double value = 0.0; };
struct BoolLitExpr : ExprOf<ExprKind::BoolLit> { bool value = false; };
struct NoneLitExpr : ExprOf<ExprKind::NoneLit> {};
struct StringLitExpr : ExprOf<ExprKind::StringLit> { std::string value; };
struct EllipsisLitExpr : ExprOf<ExprKind::EllipsisLit> {};
struct AttributeExpr : ExprOf<ExprKind::Attribute> {
  Expr* value = nullptr;
  std::string attr;
  SourceRange attr_range;
};
struct SubscriptExpr : ExprOf<ExprKind::Subscript> {
  Expr* value = nullptr;
  Expr* index = nullptr;  // a TupleExpr for a[i, j]; may contain SliceExprs
};
struct SliceExpr : ExprOf<ExprKind::Slice> {
  Expr* lower = nullptr;  // nullable
  Expr* upper = nullptr;  // nullable
  Expr* step = nullptr;   // nullable
};
struct Keyword {
  std::string name;
  SourceRange name_range;
  Expr* value = nullptr;
};
struct CallExpr : ExprOf<ExprKind::Call> {
  Expr* func = nullptr;
  std::vector<Expr*> args;
  std::vector<Keyword> keywords;
  std::vector<bool> starred;  // per positional argument: written `*arg` (sema expands it)
  const sema::CallTarget* target = nullptr;  // set by sema
};
struct BinaryExpr : ExprOf<ExprKind::Binary> {
  BinaryOp op;
  SourceRange op_range;
  Expr* lhs = nullptr;
  Expr* rhs = nullptr;
  const sema::CallTarget* target = nullptr;  // the builtin/user overload implementing the operator
};
struct UnaryExpr : ExprOf<ExprKind::Unary> {
  UnaryOp op;
  Expr* operand = nullptr;
  const sema::CallTarget* target = nullptr;
};
struct BoolOpExpr : ExprOf<ExprKind::BoolOp> {
  BoolOpKind op;
  std::vector<Expr*> values;  // ≥ 2
};
struct CompareExpr : ExprOf<ExprKind::Compare> {
  Expr* left = nullptr;
  std::vector<CompareOp> ops;            // ops.size() == comparators.size() ≥ 1
  std::vector<SourceRange> op_ranges;
  std::vector<Expr*> comparators;
  std::vector<const sema::CallTarget*> targets;  // per comparison, set by sema
};
struct IfExpExpr : ExprOf<ExprKind::IfExp> {
  Expr* cond = nullptr;
  Expr* then_value = nullptr;
  Expr* else_value = nullptr;
};
struct TupleExpr : ExprOf<ExprKind::Tuple> {
  std::vector<Expr*> elts;
  bool parenthesized = false;
  // '[' or '{' for a list / dict display, accepted only as an argument of `wp.overload(…)`
  // (a dict's elements are (key, value) TupleExprs).
  char display = 0;
};
struct ErrorExpr : ExprOf<ExprKind::Error> {};

// ----------------------------------------------------------------- statements

enum class StmtKind : uint8_t {
  Expr,         // f(x)   (also docstrings: an Expr of a StringLit)
  Assign,       // a = b   / a, b = f()   / a = b = c (several targets)
  AugAssign,    // a += b
  AnnAssign,    // a: T = b   (class fields: `x: wp.vec3`)
  If,           // if / elif / else
  For,          // for x in range(...)
  While,        // while c:
  Break,
  Continue,
  Return,       // return [value]
  Pass,
  Assert,       // assert c[, msg]
  FunctionDef,  // [decorators] def f(params) -> T: body
  ClassDef,     // [decorators] class S: body
  Import,       // import a.b as c, d
  ImportFrom,   // from a.b import c as d, e
  Error,        // poison left where a diagnostic was reported
};

struct Stmt : Node {
  const StmtKind kind;
  explicit Stmt(StmtKind k) : kind(k) {}
  template <class T> T* as() { return kind == T::kKind ? static_cast<T*>(this) : nullptr; }
  template <class T> const T* as() const { return kind == T::kKind ? static_cast<const T*>(this) : nullptr; }
};

template <StmtKind K>
struct StmtOf : Stmt {
  static constexpr StmtKind kKind = K;
  StmtOf() : Stmt(K) {}
};

using Block = std::vector<Stmt*>;

struct ExprStmt : StmtOf<StmtKind::Expr> { Expr* value = nullptr; };
struct AssignStmt : StmtOf<StmtKind::Assign> {
  std::vector<Expr*> targets;  // ≥ 1; more than one for chained `a = b = c`
  Expr* value = nullptr;
};
struct AugAssignStmt : StmtOf<StmtKind::AugAssign> {
  Expr* target = nullptr;
  BinaryOp op;
  SourceRange op_range;
  Expr* value = nullptr;
  const sema::CallTarget* target_op = nullptr;  // set by sema
};
struct AnnAssignStmt : StmtOf<StmtKind::AnnAssign> {
  Expr* target = nullptr;
  Expr* annotation = nullptr;
  Expr* value = nullptr;  // nullable
};
struct IfStmt : StmtOf<StmtKind::If> {
  Expr* cond = nullptr;
  Block body;
  Block orelse;          // an `elif` is a single IfStmt here with is_elif set
  bool is_elif = false;  // this IfStmt was written as `elif`
};
struct ForStmt : StmtOf<StmtKind::For> {
  Expr* target = nullptr;
  Expr* iter = nullptr;
  Block body;
  Block orelse;  // `for … else:` (rejected by sema)
  SourceRange else_range;
};
struct WhileStmt : StmtOf<StmtKind::While> {
  Expr* cond = nullptr;
  Block body;
  Block orelse;  // `while … else:` (rejected by sema)
  SourceRange else_range;
};
struct BreakStmt : StmtOf<StmtKind::Break> {};
struct ContinueStmt : StmtOf<StmtKind::Continue> {};
struct ReturnStmt : StmtOf<StmtKind::Return> { Expr* value = nullptr; /* nullable */ };
struct PassStmt : StmtOf<StmtKind::Pass> {};
struct AssertStmt : StmtOf<StmtKind::Assert> {
  Expr* cond = nullptr;
  Expr* msg = nullptr;  // nullable
};
struct Param {
  std::string name;
  SourceRange range;             // the parameter name
  Expr* annotation = nullptr;    // nullable (sema requires it for funcs/kernels)
  Expr* default_value = nullptr; // nullable
};
struct FunctionDefStmt : StmtOf<StmtKind::FunctionDef> {
  std::string name;
  SourceRange name_range;
  std::vector<Expr*> decorators;  // `wp.kernel`, `wp.func`, `wp.kernel(enable_backward=False)` …
  std::vector<Param> params;
  Expr* returns = nullptr;        // nullable
  Block body;
  std::string docstring;          // first-statement string literal, if any
};
struct ClassDefStmt : StmtOf<StmtKind::ClassDef> {
  std::string name;
  SourceRange name_range;
  std::vector<Expr*> decorators;
  std::vector<Expr*> bases;
  Block body;
  std::string docstring;
};
struct ImportAlias {
  std::string name;     // dotted: "warp", "warp.types", or a symbol name in ImportFrom
  SourceRange range;
  std::string asname;   // empty when no `as`
};
struct ImportStmt : StmtOf<StmtKind::Import> { std::vector<ImportAlias> names; };
struct ImportFromStmt : StmtOf<StmtKind::ImportFrom> {
  std::string module;   // dotted; empty for `from . import x`
  SourceRange module_range;
  int level = 0;        // number of leading dots
  std::vector<ImportAlias> names;  // a single "*" entry for `import *`
};
struct ErrorStmt : StmtOf<StmtKind::Error> {};

// ---------------------------------------------------------------- module

struct Module {
  std::string name;  // module name (file stem)
  FileId file = kNoFile;
  Block body;
  std::string docstring;
};

// Owns every node of one or more modules.
class ASTContext {
 public:
  template <class T>
  T* make(SourceRange range) {
    auto node = std::make_unique<T>();
    node->range = range;
    T* raw = node.get();
    nodes_.push_back(std::move(node));
    return raw;
  }
  Module* make_module() {
    modules_.push_back(std::make_unique<Module>());
    return modules_.back().get();
  }

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<std::unique_ptr<Module>> modules_;
};

}  // namespace warpc::ast
