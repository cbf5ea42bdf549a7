// fuzz_frontend.cpp — libFuzzer target for the whole front end: bytes → lex →
// parse → sema → (accepted programs) lowering to IR and the IR passes →
// rendered diagnostics.
//
// Contract: any input must finish without a crash, sanitizer report or
// timeout, and must satisfy these invariants (checked with abort(), so a
// violation is a fuzzer finding):
//  * the token stream ends in END_OF_FILE, INDENT/DEDENT and brackets balance,
//    and every token range lies inside the buffer (lexer.h's contract);
//  * if any error was reported, the first diagnostic has a valid location
//    inside the buffer ("no error without a caret");
//  * IR lowered from an accepted program passes the IR verifier, before and
//    after every pass of the pipeline (run_ir_passes).
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
    }
    check_diagnostics(diags, size);
  }

  std::ostringstream rendered;
  diags.render(rendered, /*color=*/false);
  diags.render(rendered, /*color=*/true);
  return 0;
}
