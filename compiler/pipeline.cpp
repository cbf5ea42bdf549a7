// pipeline.cpp — the compiler's phases in order (Halide's Lower.cpp shape):
// every step is one call, and this file is the map of the compiler.
//
//   .wp ─ lex ─ parse ─ sema (names, types, overloads, constants, wp.static)
//       ─ lower to IR (structured SSA; verified) ─ passes ─ AD ─ codegen
//
// Lowering and code generation run only when asked for (`--emit=ir`,
// `--emit=header,cpp,cuda`, `--stop-after=lower`); by default warpc checks.
#include "pipeline.h"

#include <chrono>
#include <filesystem>
#include <iterator>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>

#include "ad/generate_adjoints.h"
#include "ad/generate_tangents.h"
#include "codegen/codegen.h"
#include "ir/ir.h"
#include "lower/lower_to_ir.h"
#include "parse/ast_printer.h"
#include "passes/eliminate_dead_code.h"
#include "passes/fold_constants.h"
#include "passes/pass_manager.h"
#include "passes/structure_returns.h"
#include "passes/unroll_static_loops.h"
#include "parse/lexer.h"
#include "parse/parser.h"
#include "sema/sema.h"
#include "sema/symbols.h"
#include "support/depfile.h"
#include "support/diagnostics.h"
#include "support/verify.h"

namespace warpc {

namespace fs = std::filesystem;

namespace {

// Owns everything one compilation creates.
struct Session {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  ast::ASTContext ast;
  TypeContext types;
};

ast::Module* lex_and_parse(Session& s, FileId file, const std::string& module_name) {
  std::vector<Token> tokens = lex(s.sources, file, s.diags);
  return parse_module(tokens, file, module_name, s.ast, s.diags);
}

// Finds imported modules along the include path: `import a.b` → <dir>/a/b.wp.
class IncludePathLoader : public ModuleLoader {
 public:
  IncludePathLoader(Session& s, std::vector<std::string> dirs) : s_(s), dirs_(std::move(dirs)) {}

  ast::Module* load(std::string_view dotted, SourceRange at) override {
    std::string name(dotted);
    if (auto it = loaded_.find(name); it != loaded_.end()) return it->second;
    std::string rel = name;
    for (char& c : rel)
      if (c == '.') c = '/';
    for (const std::string& dir : dirs_) {
      // `import a.b` finds a/b.wp, else a/b.py (a kernel module shared with Python Warp).
      fs::path p = fs::path(dir) / (rel + ".wp");
      std::error_code ec;
      if (!fs::is_regular_file(p, ec)) p = fs::path(dir) / (rel + ".py");
      if (!fs::is_regular_file(p, ec)) continue;
      auto file = s_.sources.load_file(p.string());
      if (!file) break;
      ast::Module* m = lex_and_parse(s_, *file, name.substr(name.rfind('.') + 1));
      loaded_[name] = m;
      return m;
    }
    auto diag = s_.diags.report(DiagId::err_module_not_found, at, name);
    for (const std::string& dir : dirs_) diag.note(DiagId::note_include_path_searched, SourceRange(), dir);
    loaded_[name] = nullptr;
    return nullptr;
  }

 private:
  Session& s_;
  std::vector<std::string> dirs_;
  std::map<std::string, ast::Module*> loaded_;
};

bool wants(const CompileOptions& o, const char* kind) { return o.emit.count(kind) > 0; }
bool wants_code(const CompileOptions& o) { return wants(o, "header") || wants(o, "cpp") || wants(o, "cuda"); }

// Writes one generated file (or prints it after a `// ---- name` line with `-o -`).
bool write_output(const CompileOptions& o, Session& s, const std::string& name, const std::string& text,
                  std::ostream& out) {
  if (o.output_dir == "-") {
    out << "// ---- " << name << "\n" << text;
    return true;
  }
  fs::path path = fs::path(o.output_dir) / name;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  // An unchanged file is left alone (its timestamp too): editing a kernel body then does not
  // recompile every file that includes the header (build tools compare timestamps).
  {
    std::ifstream existing(path, std::ios::binary);
    if (existing) {
      std::string current((std::istreambuf_iterator<char>(existing)), std::istreambuf_iterator<char>());
      if (current == text) return true;
    }
  }
  // Write to a temporary, then rename: a failed run never leaves a half-written file behind.
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    if (!f.flush()) {
      s.diags.report(DiagId::err_cannot_write_file, SourceRange(), tmp.string(), std::strerror(errno));
      return false;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) s.diags.report(DiagId::err_cannot_write_file, SourceRange(), path.string(), ec.message());
  return !ec;
}

// Code generation: <stem>.wp.h / .wp.cpp / .wp.cu, as --emit asks.
void generate_code(const CompileOptions& o, Session& s, const ir::Module& m, const sema::Program& program,
                   std::ostream& out) {
  codegen::CodegenOptions co;
  co.stem = fs::path(o.input).stem().string();
  co.ns = o.cpp_namespace;
  co.line_directives = o.line_directives;
  co.wide_access = o.wide_access;
  co.max_grad_groups = o.adjoint_variants >= 8 ? 3 : o.adjoint_variants >= 4 ? 2 : o.adjoint_variants >= 2 ? 1 : 0;
  co.reflect = o.reflect;
  co.min_cuda_arch = std::stoi(o.cuda_arch.substr(3));
  co.nvrtc = o.nvrtc;
  codegen::GeneratedCode code;
  if (!codegen::generate(m, program, s.sources, co, s.diags, &code)) return;
  if (wants(o, "header") && !write_output(o, s, co.stem + ".wp.h", code.header, out)) return;
  if (wants(o, "cpp") && !write_output(o, s, co.stem + ".wp.cpp", code.cpu, out)) return;
  if (wants(o, "cuda")) write_output(o, s, co.stem + ".wp.cu", code.cuda, out);
}

// -MD -MF: after a successful compilation, the input and every module it
// imported (every file the SourceManager read) become the rule's dependencies.
void write_dependencies(const CompileOptions& o, Session& s) {
  if (o.depfile.empty() || s.diags.has_errors()) return;
  std::vector<std::string> deps;
  for (FileId f = 0; f < s.sources.file_count(); ++f) deps.push_back(s.sources.name(f));
  std::string target = o.dep_target;
  if (target.empty()) target = (fs::path(o.output_dir) / (fs::path(o.input).stem().string() + ".wp.h")).string();
  std::string error;
  if (!write_depfile(o.depfile, target, deps, error))
    s.diags.report(DiagId::err_cannot_write_file, SourceRange(), o.depfile, error);
}

// Ends the compilation: checks or prints diagnostics and picks the exit code.
int finish(const CompileOptions& o, Session& s, std::ostream& err) {
  write_dependencies(o, s);
  if (o.verify) return verify_diagnostics(s.diags, s.sources, err) ? 0 : 1;
  s.diags.render(err, o.color);
  return s.diags.has_errors() ? 1 : 0;
}

// --report-ad-storage: per backward kernel its stack, then one line per dynamic loop (docs/autodiff.md).
void print_ad_storage(std::ostream& out, const SourceManager& sources, const std::vector<AdjointStorage>& report) {
  for (const AdjointStorage& a : report) {
    out << "ad-storage: kernel '" << a.kernel << "': ";
    if (a.trip_bytes == 0)
      out << "0 bytes per thread (" << a.strategy << ")\n";
    else
      out << a.local_bytes << " bytes per thread local, then " << a.trip_bytes
          << " bytes per loop trip in the spill buffer (" << a.strategy << ")"
          << (a.log_bytes ? ", " + std::to_string(a.log_bytes) + " of them undo-log bytes outside loops" : "") << "\n";
    for (const ir::AdLoopRecord& r : a.loops) {
      std::string where = "?";
      if (r.loc.begin.valid()) {
        const LineCol lc = sources.line_col(r.loc.begin);
        where = sources.name(r.loc.begin.file) + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.col);
      }
      out << "ad-storage:   " << where << ": loop in " << r.function << ": ";
      if (r.store)
        out << "store, " << r.carried_bytes << " bytes per trip";
      else
        out << "recompute (" << r.reason << ")";
      if (r.log_bytes) out << ", " << r.log_bytes << " undo-log bytes per trip";
      out << "\n";
    }
  }
}

// Lowering to the IR and the IR passes, each run through the PassManager
// (dump / verify / time). Lowering is always verified.
int compile_ir(const CompileOptions& o, Session& s, const sema::Program& program, std::ostream& out,
               std::ostream& err) {
  PassManager passes({o.dump_ir_after, o.verify_ir, o.time_passes}, out, err);
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<ir::Module> m = lower_to_ir(program, s.types, s.diags);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (!m) return finish(o, s, err);
  if (!passes.after("lower", *m, /*verify=*/true, took.count())) return 1;
  if (o.stop_after != "lower") {  // --stop-after=lower shows lowering's output
    if (!run_ir_passes(passes, *m)) return 1;
    // Reverse-mode AD: adjoint kernels and functions, then dead replayed code goes.
    bool ad_ok = true;
    passes.run_pass("structure_returns", structure_returns, *m);
    AdOptions ad_options;
    ad_options.loop_ad = o.loop_ad == "store"       ? LoopAd::Store
                         : o.loop_ad == "recompute" ? LoopAd::Recompute
                                                    : LoopAd::Auto;
    passes.run_pass(
        "generate_adjoints", [&](ir::Module& mod) { ad_ok = generate_adjoints(mod, s.types, s.diags, ad_options); },
        *m);
    // Forward-mode AD: JVP kernels and functions (opt-in: enable_jvp=True or --jvp).
    passes.run_pass("generate_tangents", [&](ir::Module& mod) {
      generate_tangents(mod, s.types, s.diags, {o.jvp_all, o.no_jvp});
    }, *m);
    passes.run_pass("eliminate_dead_code", eliminate_dead_code, *m);
    if (!passes.ok()) return 1;
    (void)ad_ok;  // kernels without a backward pass were reported as warnings
    if (o.report_ad_storage) print_ad_storage(out, s.sources, adjoint_storage_report(*m));
  }
  passes.report_times();
  if (wants(o, "ir")) ir::print_ir(out, *m);
  if (wants_code(o) && o.stop_after.empty()) generate_code(o, s, *m, program, out);
  return finish(o, s, err);
}

}  // namespace

bool run_ir_passes(PassManager& passes, ir::Module& m) {
  passes.run_pass("fold_constants", fold_constants, m);
  passes.run_pass("unroll_static_loops", unroll_static_loops, m);
  passes.run_pass("fold_constants", fold_constants, m);
  passes.run_pass("eliminate_dead_code", eliminate_dead_code, m);
  return passes.ok();
}

const std::vector<std::string>& pipeline_phases() {
  static const std::vector<std::string> kPhases = {"lex", "parse", "sema", "lower"};
  return kPhases;
}

const std::vector<std::string>& emit_kinds() {
  static const std::vector<std::string> kKinds = {"tokens", "ast", "ir", "header", "cpp", "cuda"};
  return kKinds;
}

int compile_file(const CompileOptions& o, std::ostream& out, std::ostream& err) {
  Session s;
  s.diags.set_error_limit(o.verify ? 0 : o.error_limit);
  auto file = s.sources.load_file(o.input);
  if (!file) {
    s.diags.report(DiagId::err_cannot_open_file, SourceRange(), o.input);
    return finish(o, s, err);
  }
  std::string module_name = fs::path(o.input).stem().string();

  std::vector<Token> tokens = lex(s.sources, *file, s.diags);
  if (wants(o, "tokens")) print_tokens(out, tokens, s.sources);
  if (o.stop_after == "lex") return finish(o, s, err);

  ast::Module* module = parse_module(tokens, *file, module_name, s.ast, s.diags);
  if (o.stop_after == "parse") {
    if (wants(o, "ast")) print_ast(out, *module, s.sources);
    return finish(o, s, err);
  }

  std::vector<std::string> search = {fs::path(o.input).parent_path().string()};
  if (search[0].empty()) search[0] = ".";
  search.insert(search.end(), o.include_dirs.begin(), o.include_dirs.end());
  IncludePathLoader loader(s, search);
  const sema::Program* program = nullptr;
  bool checked = check_program(*module, loader, s.types, s.diags, &program);
  if (wants(o, "ast")) print_ast(out, *module, s.sources);
  bool wants_ir = wants(o, "ir") || wants_code(o) || o.report_ad_storage || o.stop_after == "lower" ||
                  !o.dump_ir_after.empty();
  if (o.stop_after == "sema" || !wants_ir || !checked || !program || s.diags.has_errors())
    return finish(o, s, err);

  return compile_ir(o, s, *program, out, err);
}

}  // namespace warpc
