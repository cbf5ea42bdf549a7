// fuzz_frontend.cpp — libFuzzer targets for the compiler: bytes → lex → parse →
// sema → (accepted programs) lowering to IR and the IR passes → rendered
// diagnostics. Built twice (tools/fuzz/CMakeLists.txt):
//  * warpc_fuzz_frontend: the front end and the IR passes, as above;
//  * warpc_fuzz_codegen (WARPC_FUZZ_CODEGEN): accepted programs go on through
//    structure_returns, reverse-mode AD (generate_adjoints), dead-code
//    elimination and code generation (header, C++ and CUDA texts, with the
//    reflection table). With WARPC_FUZZ_GXX=N in the environment, every N-th
//    program that produced code has its header + .wp.cpp checked with
//    `g++ -std=c++20 -fsyntax-only` against the runtime and stdlib headers
//    (WARPC_FUZZ_CXX overrides the compiler; a failure is a finding).
//
// Contract: any input must finish without a crash, sanitizer report or
// timeout, and must satisfy these invariants (checked with abort(), so a
// violation is a fuzzer finding):
//  * the token stream ends in END_OF_FILE, INDENT/DEDENT and brackets balance,
//    and every token range lies inside the buffer (lexer.h's contract);
//  * if any error was reported, the first diagnostic has a valid location
//    inside the buffer ("no error without a caret");
//  * IR lowered from an accepted program passes the IR verifier, before and
//    after every pass of the pipeline (run_ir_passes), and after AD;
//  * (codegen) code generation of an accepted program either succeeds or
//    reports an error; its C++ compiles when sampled.
// Imports resolve to nothing (the loader returns null and reports nothing).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "parse/lexer.h"
#include "parse/parser.h"
#include "lower/lower_to_ir.h"
#include "passes/pass_manager.h"
#include "pipeline.h"
#include "sema/sema.h"

#ifdef WARPC_FUZZ_CODEGEN
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ad/generate_adjoints.h"
#include "codegen/codegen.h"
#include "passes/eliminate_dead_code.h"
#include "passes/structure_returns.h"
#endif

namespace {

using warpc::Token;
using warpc::TokenKind;

class NullLoader : public warpc::ModuleLoader {
 public:
  warpc::ast::Module* load(std::string_view, warpc::SourceRange) override { return nullptr; }
};

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_frontend: invariant violated: %s\n", what);
  std::abort();
}

void check_tokens(const std::vector<Token>& tokens, size_t size) {
  if (tokens.empty() || !tokens.back().is(TokenKind::EndOfFile)) fail("token stream does not end in EOF");
  long depth = 0, brackets = 0;
  for (const Token& t : tokens) {
    depth += t.is(TokenKind::Indent) - t.is(TokenKind::Dedent);
    brackets += t.is(TokenKind::LParen) + t.is(TokenKind::LBracket) + t.is(TokenKind::LBrace);
    brackets -= t.is(TokenKind::RParen) + t.is(TokenKind::RBracket) + t.is(TokenKind::RBrace);
    if (depth < 0 || brackets < 0) fail("DEDENT or closer without an opener");
    if (t.range.begin.offset > t.range.end.offset || t.range.end.offset > size) fail("token range out of bounds");
  }
  if (depth != 0 || brackets != 0) fail("INDENT/DEDENT or brackets unbalanced at EOF");
}

void check_diagnostics(const warpc::DiagnosticEngine& diags, size_t size) {
  if (!diags.has_errors()) return;
  if (diags.diagnostics().empty()) fail("errors counted but none recorded");
  const warpc::Diagnostic& first = diags.diagnostics().front();
  if (!first.range.valid()) fail("first diagnostic has no location");
  if (first.range.begin.offset > size) fail("first diagnostic located outside the buffer");
}

#ifdef WARPC_FUZZ_CODEGEN
// g++ -fsyntax-only over the generated header + .wp.cpp, every N-th call (N from
// WARPC_FUZZ_GXX; 0/unset = never). Aborts (a finding) when the compiler rejects it.
void maybe_compile(const warpc::codegen::GeneratedCode& code) {
  static const long every = [] {
    const char* e = std::getenv("WARPC_FUZZ_GXX");
    return e ? std::atol(e) : 0L;
  }();
  static long calls = 0;
  if (every <= 0 || calls++ % every != 0) return;
  namespace fs = std::filesystem;
  static const fs::path dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "warpc-fuzz-gxx-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) fail("cannot create a temporary directory");
    return fs::path(tmpl);
  }();
  std::ofstream(dir / "fuzz.wp.h") << code.header;
  std::ofstream(dir / "fuzz.wp.cpp") << code.cpu;
  const char* cxx_env = std::getenv("WARPC_FUZZ_CXX");
  const std::string cxx = cxx_env && *cxx_env ? cxx_env : "g++";
  const std::string log = (dir / "gxx.log").string();
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string inc_dir = "-I" + dir.string();
    const std::string src = (dir / "fuzz.wp.cpp").string();
    FILE* out = std::freopen(log.c_str(), "w", stderr);
    (void)out;
    execlp(cxx.c_str(), cxx.c_str(), "-std=c++20", "-fsyntax-only", "-w", inc_dir.c_str(),
           "-I" WARPC_FUZZ_RUNTIME_INCLUDE, "-I" WARPC_FUZZ_STDLIB_INCLUDE, src.c_str(), (char*)nullptr);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) return;  // no compiler: nothing to check
  if (WEXITSTATUS(status) != 0) {
    std::ifstream in(log);
    std::fprintf(stderr, "%s", std::string(std::istreambuf_iterator<char>(in), {}).substr(0, 4000).c_str());
    fail("generated C++ does not compile (g++ -fsyntax-only)");
  }
}

// structure_returns → AD → dead code → codegen, as the driver runs them.
void generate(warpc::ir::Module& ir, const warpc::sema::Program& program, const warpc::SourceManager& sources,
              warpc::TypeContext& types, warpc::DiagnosticEngine& diags) {
  warpc::structure_returns(ir);
  warpc::generate_adjoints(ir, types, diags);
  warpc::eliminate_dead_code(ir);
  if (!warpc::ir::verify_ir(ir).empty()) fail("IR does not verify after AD");
  warpc::codegen::CodegenOptions options;
  options.stem = "fuzz";
  options.reflect = true;
  warpc::codegen::GeneratedCode code;
  if (warpc::codegen::generate(ir, program, sources, options, diags, &code)) {
    if (code.header.empty() || code.cpu.empty() || code.cuda.empty()) fail("codegen succeeded with empty output");
    maybe_compile(code);
  } else if (!diags.has_errors()) {
    fail("codegen failed without an error");
  }
}
#endif

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warpc::SourceManager sources;
  warpc::DiagnosticEngine diags(sources);
  warpc::FileId file = sources.add_buffer("fuzz.wp", std::string(reinterpret_cast<const char*>(data), size));

  std::vector<Token> tokens = warpc::lex(sources, file, diags);
  check_tokens(tokens, size);

  warpc::ast::ASTContext ast;
  warpc::ast::Module* module = warpc::parse_module(tokens, file, "fuzz", ast, diags);
  if (!module) fail("parse_module returned null");

  NullLoader loader;
  warpc::TypeContext types;
  const warpc::sema::Program* program = nullptr;
  bool checked = warpc::check_program(*module, loader, types, diags, &program);
  check_diagnostics(diags, size);

  // Programs the front end accepts (no error in any phase, as in the driver)
  // go on through lowering; the IR must always verify.
  if (checked && program && !diags.has_errors()) {
    std::unique_ptr<warpc::ir::Module> ir = warpc::lower_to_ir(*program, types, diags);
    if (ir) {
      if (!warpc::ir::verify_ir(*ir).empty()) fail("lowered IR does not verify");
      std::ostringstream dump, errors;
      warpc::PassManager passes({"", /*verify_ir=*/true, false}, dump, errors);
      if (!warpc::run_ir_passes(passes, *ir)) fail("IR does not verify after a pass");
      warpc::ir::print_ir(dump, *ir);
#ifdef WARPC_FUZZ_CODEGEN
      generate(*ir, *program, sources, types, diags);
#endif
    }
    check_diagnostics(diags, size);
  }

  std::ostringstream rendered;
  diags.render(rendered, /*color=*/false);
  diags.render(rendered, /*color=*/true);
  return 0;
}
