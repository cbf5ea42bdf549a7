// sema_test.cpp — semantic analysis end to end (source → lexer → parser →
// check_program), checking what lit tests cannot see: the sema::Program
// (modules, function instances, generic clones, call targets, symbols) that
// the later phases read.
#include "sema/sema.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "parse/lexer.h"
#include "parse/parser.h"
#include "sema/symbols.h"

namespace warpc {
namespace {

// Serves imported modules from in-memory sources.
class MapLoader : public ModuleLoader {
 public:
  MapLoader(SourceManager& sm, DiagnosticEngine& diags, ast::ASTContext& ast) : sm_(sm), diags_(diags), ast_(ast) {}
  std::map<std::string, std::string> sources;
  int loads = 0;

  ast::Module* load(std::string_view name, SourceRange at) override {
    std::string key(name);
    if (auto it = loaded_.find(key); it != loaded_.end()) return it->second;
    auto src = sources.find(key);
    if (src == sources.end()) {
      diags_.report(DiagId::err_module_not_found, at, key);
      return loaded_[key] = nullptr;
    }
    ++loads;
    FileId f = sm_.add_buffer(key + ".wp", src->second);
    return loaded_[key] = parse_module(lex(sm_, f, diags_), f, key, ast_, diags_);
  }

 private:
  SourceManager& sm_;
  DiagnosticEngine& diags_;
  ast::ASTContext& ast_;
  std::map<std::string, ast::Module*> loaded_;
};

class SemaTest : public ::testing::Test {
 protected:
  SourceManager sm;
  DiagnosticEngine diags{sm};
  ast::ASTContext ast;
  TypeContext types;
  MapLoader loader{sm, diags, ast};
  const sema::Program* program = nullptr;
  ast::Module* module = nullptr;

  bool check(const std::string& text) {
    FileId f = sm.add_buffer("main.wp", "import warp as wp\nfrom typing import Any\n" + text);
    module = parse_module(lex(sm, f, diags), f, "main", ast, diags);
    EXPECT_FALSE(diags.has_errors()) << "parse errors";
    return check_program(*module, loader, types, diags, &program);
  }

  const sema::FunctionDecl* decl(const std::string& name, size_t overload = 0) {
    auto it = program->main->globals.find(name);
    if (it == program->main->globals.end() || it->second->overloads.size() <= overload) return nullptr;
    return it->second->overloads[overload];
  }

  std::string messages() const {
    std::string out;
    for (const Diagnostic& d : diags.diagnostics()) out += d.message + "\n";
    return out;
  }
};

// The calls of user functions in an expression tree.
void collect_calls(ast::Expr* e, std::vector<ast::CallExpr*>& out) {
  if (!e) return;
  if (auto* c = e->as<ast::CallExpr>()) {
    if (c->target && c->target->kind == sema::CallKind::UserFunction) out.push_back(c);
    for (ast::Expr* a : c->args) collect_calls(a, out);
  } else if (auto* b = e->as<ast::BinaryExpr>()) {
    collect_calls(b->lhs, out);
    collect_calls(b->rhs, out);
  }
}

std::vector<ast::CallExpr*> calls_in(const ast::Block& body) {
  std::vector<ast::CallExpr*> out;
  for (ast::Stmt* s : body) {
    if (auto* a = s->as<ast::AssignStmt>()) collect_calls(a->value, out);
    if (auto* e = s->as<ast::ExprStmt>()) collect_calls(e->value, out);
  }
  return out;
}

TEST_F(SemaTest, KernelHasOneInstanceWithLaunchRank) {
  ASSERT_TRUE(check(R"(
@wp.kernel
def k(a: wp.array2d(dtype=float)):
    i, j = wp.tid()
    a[i, j] = 1.0
)")) << messages();
  const sema::FunctionDecl* k = decl("k");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->kind, sema::FunctionKind::Kernel);
  ASSERT_EQ(k->instances.size(), 1u);
  EXPECT_EQ(k->instances[0]->def, k->def);  // non-generic: the original AST is annotated
  EXPECT_EQ(k->instances[0]->tid_dims, 2);
  EXPECT_EQ(k->instances[0]->return_type, types.void_type());
  ASSERT_EQ(program->main->kernels.size(), 1u);
}

TEST_F(SemaTest, GenericFunctionGetsOneClonePerArgumentTypes) {
  ASSERT_TRUE(check(R"(
@wp.func
def twice(x: Any):
    return x + x

@wp.kernel
def k(a: wp.array(dtype=float), b: wp.array(dtype=int)):
    i = wp.tid()
    a[i] = twice(a[i])
    b[i] = twice(b[i])
    a[i] = twice(a[i] + 1.0)
)")) << messages();
  const sema::FunctionDecl* twice = decl("twice");
  ASSERT_NE(twice, nullptr);
  EXPECT_TRUE(twice->generic);
  ASSERT_EQ(twice->instances.size(), 2u);  // float32 and int32, the third call reuses the first
  const sema::FunctionInstance* f = twice->instances[0];
  const sema::FunctionInstance* n = twice->instances[1];
  EXPECT_EQ(f->param_types[0], types.float32());
  EXPECT_EQ(f->return_type, types.float32());
  EXPECT_EQ(n->return_type, types.int32());
  EXPECT_NE(f->def, twice->def);  // private annotated clones
  EXPECT_NE(f->def, n->def);

  const sema::FunctionDecl* k = decl("k");
  std::vector<ast::CallExpr*> calls;
  for (ast::Stmt* s : k->def->body)
    if (auto* a = s->as<ast::AssignStmt>()) collect_calls(a->value, calls);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0]->target->kind, sema::CallKind::UserFunction);
  EXPECT_EQ(calls[0]->target->function, f);
  EXPECT_EQ(calls[1]->target->function, n);
  EXPECT_EQ(calls[2]->target->function, f);
}

TEST_F(SemaTest, OverloadsResolveByExactTypes) {
  ASSERT_TRUE(check(R"(
@wp.func
def sq(x: float):
    return x * x

@wp.func
def sq(x: int):
    return x * x

@wp.kernel
def k(a: wp.array(dtype=float), b: wp.array(dtype=int)):
    i = wp.tid()
    a[i] = sq(a[i])
    b[i] = sq(b[i])
)")) << messages();
  const sema::FunctionDecl* sq_f = decl("sq", 0);
  const sema::FunctionDecl* sq_i = decl("sq", 1);
  ASSERT_NE(sq_i, nullptr);
  std::vector<ast::CallExpr*> calls;
  for (ast::Stmt* s : decl("k")->def->body)
    if (auto* a = s->as<ast::AssignStmt>()) collect_calls(a->value, calls);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]->target->function->decl, sq_f);
  EXPECT_EQ(calls[1]->target->function->decl, sq_i);
}

TEST_F(SemaTest, KeywordsAndDefaultsAreBoundInParameterOrder) {
  ASSERT_TRUE(check(R"(
@wp.func
def lerp3(a: float, b: float, t: float = 0.5):
    return a + (b - a) * t

@wp.kernel
def k(a: wp.array(dtype=float)):
    i = wp.tid()
    a[i] = lerp3(b=2.0, a=1.0)
)")) << messages();
  std::vector<ast::CallExpr*> calls = calls_in(decl("k")->def->body);
  ASSERT_EQ(calls.size(), 1u);
  const sema::CallTarget* t = calls[0]->target;
  ASSERT_EQ(t->bound_args.size(), 3u);
  EXPECT_EQ(t->bound_args[0], calls[0]->keywords[1].value);  // a
  EXPECT_EQ(t->bound_args[1], calls[0]->keywords[0].value);  // b
  EXPECT_EQ(t->bound_args[2], decl("lerp3")->def->params[2].default_value);
}

TEST_F(SemaTest, LocalsHaveOneSymbolPerVariable) {
  ASSERT_TRUE(check(R"(
@wp.kernel
def k(a: wp.array(dtype=float), n: int):
    i = wp.tid()
    s = float(0.0)
    for j in range(n):
        s += a[j]
    a[i] = s
)")) << messages();
  const sema::FunctionInstance* inst = decl("k")->instances[0];
  ASSERT_EQ(inst->params.size(), 2u);
  EXPECT_EQ(inst->params[1]->kind, sema::SymbolKind::Param);
  std::vector<std::string> names;
  for (const sema::Symbol* l : inst->locals) names.push_back(l->name);
  EXPECT_EQ(names, (std::vector<std::string>{"i", "s", "j"}));
  EXPECT_TRUE(inst->locals[2]->loop_variable);
  auto* first = decl("k")->def->body[1]->as<ast::AssignStmt>()->targets[0]->as<ast::NameExpr>();
  auto* last = decl("k")->def->body[3]->as<ast::AssignStmt>()->value->as<ast::NameExpr>();
  EXPECT_EQ(first->symbol, inst->locals[1]);
  EXPECT_EQ(last->symbol, inst->locals[1]);
  EXPECT_EQ(last->type, types.float32());
}

TEST_F(SemaTest, ModuleConstantsAreFolded) {
  ASSERT_TRUE(check(R"(
N = wp.constant(16)
M = N * 2 + 1
H = wp.constant(wp.float64(0.1))
UP = wp.vec3(0.0, 1.0, 0.0)
)")) << messages();
  auto value = [&](const char* n) { return program->main->globals.at(n)->value; };
  EXPECT_EQ(value("M")->type, types.int32());
  EXPECT_EQ(value("M")->as_int(), 33);
  EXPECT_EQ(value("H")->type, types.scalar(ScalarKind::Float64));
  EXPECT_EQ(value("H")->as_double(), 0.1);  // full double precision, not float32
  EXPECT_EQ(const_value_text(*value("UP")), "vec3f(0.0, 1.0, 0.0)");
  EXPECT_EQ(program->main->constants.size(), 4u);
}

TEST_F(SemaTest, GenericKernelNeedsInstantiation) {
  ASSERT_TRUE(check(R"(
@wp.kernel
def fill(a: wp.array(dtype=Any), v: Any):
    i = wp.tid()
    a[i] = v
)")) << messages();
  const sema::FunctionDecl* k = decl("fill");
  EXPECT_TRUE(k->generic);
  EXPECT_TRUE(k->needs_instantiation);
  EXPECT_TRUE(k->instances.empty());
}

TEST_F(SemaTest, ImportedModuleIsCheckedOnceBeforeItsImporter) {
  loader.sources["lib"] = "import warp as wp\n@wp.func\ndef helper(x: float):\n    return 2.0 * x\n";
  loader.sources["mid"] = "import warp as wp\nimport lib\n@wp.func\ndef mid(x: float):\n    return lib.helper(x)\n";
  ASSERT_TRUE(check(R"(
import lib
from mid import mid

@wp.kernel
def k(a: wp.array(dtype=float)):
    i = wp.tid()
    a[i] = mid(lib.helper(a[i]))
)")) << messages();
  EXPECT_EQ(loader.loads, 2);
  ASSERT_EQ(program->modules.size(), 3u);
  EXPECT_EQ(program->modules[0]->name, "lib");
  EXPECT_EQ(program->modules[1]->name, "mid");
  EXPECT_EQ(program->modules[2], program->main);
  EXPECT_EQ(program->modules[0]->functions[0]->instances.size(), 1u);
}

TEST_F(SemaTest, CustomGradientIsAttached) {
  ASSERT_TRUE(check(R"(
@wp.func
def cube(x: float):
    return x * x * x

@wp.func_grad(cube)
def adj_cube(x: float, adj_ret: float):
    wp.adjoint[x] += 3.0 * x * x * adj_ret
)")) << messages();
  const sema::FunctionDecl* cube = decl("cube");
  ASSERT_NE(cube->custom_grad, nullptr);
  EXPECT_EQ(cube->custom_grad->kind, sema::FunctionKind::Grad);
  EXPECT_EQ(cube->custom_grad->custom_of, cube);
}

TEST_F(SemaTest, StaticIfChecksOnlyTheTakenBranch) {
  ASSERT_TRUE(check(R"(
FAST = False

@wp.kernel
def k(a: wp.array(dtype=float)):
    i = wp.tid()
    if wp.static(FAST):
        a[i] = undefined_name * 2
    else:
        a[i] = 1.0
)")) << messages();
  auto* s = decl("k")->def->body[1]->as<ast::IfStmt>();
  ASSERT_NE(s->cond->constant, nullptr);
  EXPECT_FALSE(s->cond->constant->as_bool());
}

TEST_F(SemaTest, OneErrorPerRootCause) {
  EXPECT_FALSE(check(R"(
@wp.kernel
def k(a: wp.array(dtype=float)):
    i = wp.tid()
    x = a[i] * 2
    y = x + 1.0
    a[i] = wp.sin(y) * x
)"));
  EXPECT_EQ(diags.error_count(), 1u) << messages();
}

TEST_F(SemaTest, StructConstructorBindsFields) {
  ASSERT_TRUE(check(R"(
@wp.struct
class P:
    x: wp.vec3
    m: float

@wp.kernel
def k(ps: wp.array(dtype=P)):
    i = wp.tid()
    ps[i] = P(m=1.0)
)")) << messages();
  auto* store = decl("k")->def->body[1]->as<ast::AssignStmt>();
  auto* call = store->value->as<ast::CallExpr>();
  ASSERT_NE(call->target, nullptr);
  EXPECT_EQ(call->target->kind, sema::CallKind::StructConstructor);
  ASSERT_EQ(call->target->bound_args.size(), 2u);
  EXPECT_EQ(call->target->bound_args[0], nullptr);  // zero-initialised
  EXPECT_EQ(call->target->bound_args[1], call->keywords[0].value);
}

TEST(ConstValueText, PrintsLikePython) {
  TypeContext types;
  auto text = [&](const Type* t, std::vector<ConstValue::Scalar> comps) {
    ConstValue v;
    v.type = t;
    v.comps = std::move(comps);
    return const_value_text(v);
  };
  const Type* f32 = types.float32();
  const Type* f64 = types.scalar(ScalarKind::Float64);
  EXPECT_EQ(text(types.int32(), {int64_t{3}}), "3");
  EXPECT_EQ(text(types.int32(), {int64_t{-7}}), "-7");
  EXPECT_EQ(text(f32, {1.5}), "1.5");
  EXPECT_EQ(text(f32, {1.0}), "1.0");
  EXPECT_EQ(text(f32, {static_cast<double>(0.1f)}), "0.1");  // shortest text at float32 precision
  EXPECT_EQ(text(f64, {0.1 + 0.2}), "0.30000000000000004");
  EXPECT_EQ(text(f32, {1e-5}), "1e-05");
  EXPECT_EQ(text(f32, {-HUGE_VAL}), "-inf");
  EXPECT_EQ(text(types.bool_type(), {true}), "True");
  EXPECT_EQ(text(types.scalar(ScalarKind::UInt64), {~uint64_t{0}}), "18446744073709551615");
  EXPECT_EQ(text(types.vector(3, ScalarKind::Float32), {0.0, 1.0, 0.0}), "vec3f(0.0, 1.0, 0.0)");
  ConstValue s;
  s.type = types.string();
  s.text = "a\"b";
  EXPECT_EQ(const_value_text(s), "\"a\\\"b\"");
}

// A loader that finds nothing and says nothing: the import still gets a located
// error, so uses of the poisoned name (a struct field typed `wp.vec3` here) cannot
// slip through to code generation unreported.
TEST(SemaSilentLoader, ImportThatLoadsNothingIsAnError) {
  struct SilentLoader : ModuleLoader {
    ast::Module* load(std::string_view, SourceRange) override { return nullptr; }
  } loader;
  SourceManager sm;
  DiagnosticEngine diags{sm};
  ast::ASTContext ast;
  TypeContext types;
  FileId f = sm.add_buffer("main.wp",
                           "import nowhere as wp\n\n@wp.struct\nclass P:\n    pos: wp.vec3\n");
  ast::Module* module = parse_module(lex(sm, f, diags), f, "main", ast, diags);
  ASSERT_FALSE(diags.has_errors());
  EXPECT_FALSE(check_program(*module, loader, types, diags));
  ASSERT_FALSE(diags.diagnostics().empty());
  const Diagnostic& first = diags.diagnostics().front();
  EXPECT_EQ(first.id, DiagId::err_module_not_found);
  EXPECT_TRUE(first.range.valid());
  EXPECT_EQ(sm.line_col(first.range.begin).line, 1u);
}

}  // namespace
}  // namespace warpc
