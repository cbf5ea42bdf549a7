// main.cpp — the `warpc` command line: parses options (CLI11) and runs the
// pipeline. Exit codes: 0 success, 1 compile errors, 2 usage errors.
// `--help` ends with examples, the --emit values, the exit codes and where the docs are;
// `--version` prints the version, the git commit it was built from, the Warp version whose
// language it tracks and whether the runtime was built with CUDA; no arguments at all print
// a short usage with a pointer to --help (exit 2).
#include <CLI/CLI.hpp>
#include <iostream>
#include <unistd.h>

#include "pipeline.h"
#include "warpc_build_info.h"

namespace {

// Splits "a,b" lists given to --emit and checks each entry against `allowed`.
std::string check_list(const std::vector<std::string>& values, const std::vector<std::string>& allowed) {
  for (const std::string& v : values) {
    bool ok = false;
    for (const std::string& a : allowed) ok = ok || a == v;
    if (!ok) {
      std::string all;
      for (const std::string& a : allowed) all += (all.empty() ? "" : ", ") + a;
      return "unknown value '" + v + "' (expected one of: " + all + ")";
    }
  }
  return "";
}

constexpr const char* kUsageLine =
    "usage: warpc FILE.wp [-o DIR] [--emit=header,cpp,cuda] [-I DIR]... [--namespace NS] [options]";

std::string version_text() {
  return std::string("warpc ") + WARPC_VERSION + " (git " + WARPC_GIT_COMMIT + ")\n" +
         "tracks NVIDIA Warp " + WARPC_TRACKED_WARP_VERSION + " (kernel language and builtins)\n" +
         "CUDA support: " + (WARPC_CUDA_SUPPORT ? "built (runtime with CUDA; .wp.cu generated with --emit=cuda)"
                                                : "not built (CPU-only runtime; --emit=cuda still generates .wp.cu)");
}

constexpr const char* kHelpFooter = R"(
--emit values (comma-separated, repeatable):
  header   write <stem>.wp.h     typed C++ launchers, structs, constants
  cpp      write <stem>.wp.cpp   CPU code and the launcher definitions
  cuda     write <stem>.wp.cu    CUDA kernels (compile with nvcc)
  tokens, ast, ir                print an intermediate form on standard output
  Without --emit, warpc only checks the program.

Examples:
  warpc particles.wp                                  check only (diagnostics, exit status)
  warpc particles.wp -o gen --emit=header,cpp,cuda    generate code into gen/
  warpc particles.wp --emit=ir                        print the IR (forward and adjoint)
  warpc sim.wp -I modules --namespace sim::kernels -o gen --emit=header,cpp

Exit status: 0 success, 1 the program has errors (or --verify found a mismatch),
             2 usage error (unknown option, missing file, bad option value).

Documentation: docs/cli.md (this command), docs/cmake.md (add_warp_kernels), docs/tutorial.md,
               docs/language.md, docs/runtime.md in the warpc source tree.)";

}  // namespace

// CLI11 only knows one-letter short options, so the compiler-style spellings
// -MD / -MF / -MT are rewritten to their long forms first.
std::vector<std::string> normalize_args(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = argc - 1; i >= 1; --i) {  // CLI11 wants them reversed
    std::string a = argv[i];
    if (a == "-MD" || a == "-MF" || a == "-MT") a = "-" + a;
    args.push_back(std::move(a));
  }
  return args;
}

int main(int argc, char** argv) {
  CLI::App app{"warpc — compiler for NVIDIA Warp's kernel language (.wp)", "warpc"};
  if (argc <= 1) {
    std::cerr << "warpc: no input file\n" << kUsageLine << "\nRun 'warpc --help' for every option, examples and exit codes.\n";
    return 2;
  }
  app.set_version_flag("--version", version_text());
  app.footer(kHelpFooter);
  warpc::CompileOptions o;
  std::vector<std::string> emit;
  std::string color = "auto";
  app.add_option("file", o.input, "the .wp module to compile")->required();
  app.add_option("-o,--output-dir", o.output_dir, "folder for generated files ('-': print them to stdout)");
  app.add_option("-I,--include-dir", o.include_dirs, "folder searched for imported .wp modules (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--emit", emit,
                 "print intermediate forms (tokens, ast, ir) and/or write generated code (header, cpp, cuda)")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->check([&](const std::string& v) { return check_list({v}, warpc::emit_kinds()); });
  app.add_option("--stop-after", o.stop_after, "stop after a phase: lex, parse, sema, lower")
      ->check(CLI::IsMember(warpc::pipeline_phases()));
  app.add_flag("--verify", o.verify, "check diagnostics against '# expected-error {{...}}' annotations");
  app.add_option("--dump-ir-after", o.dump_ir_after, "print the IR after a pass (lower, …) or 'all'");
  app.add_flag("--verify-ir", o.verify_ir, "verify the IR after every pass");
  app.add_flag("--time-passes", o.time_passes, "print the time each IR pass took");
  app.add_option("--error-limit", o.error_limit, "stop after N errors (0: no limit)");
  app.add_option("--color", color, "colored diagnostics: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--namespace", o.cpp_namespace, "C++ namespace of the generated launchers (default: the file's stem)");
  bool no_lines = false, no_wide = false;
  app.add_flag("--no-line-directives", no_lines, "do not write #line directives back to the .wp source");
  app.add_flag("--no-wide-access", no_wide,
               "CUDA: one index per thread, no vector loads/stores (see docs/codegen.md, Wide access)");
  app.add_option("--adjoint-variants", o.adjoint_variants,
                 "CUDA: instantiations of each backward kernel specialised on absent gradient buffers: 1 (none), 2, 4 "
                 "or 8 (default 1; see docs/codegen.md)")
      ->check(CLI::IsMember({1, 2, 4, 8}));
  app.add_option("--cuda-arch", o.cuda_arch, "oldest GPU architecture the .cu may be compiled for (sm_NN, default sm_90)")
      ->check([](const std::string& v) {
        bool ok = v.size() > 3 && v.rfind("sm_", 0) == 0 && v.find_first_not_of("0123456789", 3) == std::string::npos;
        return ok ? std::string() : std::string("expected sm_NN, e.g. sm_90");
      });
  std::string cuda_compiler = "nvcc";
  app.add_option("--cuda-compiler", cuda_compiler,
                 "who compiles the .wp.cu: nvcc (default; launchers in the .cu) or nvrtc (device code only, "
                 "compiled by warpc-nvrtc; launchers in the .cpp)")
      ->check(CLI::IsMember({"nvcc", "nvrtc"}));
  app.add_flag("--report-ad-storage", o.report_ad_storage,
               "print the per-thread storage each backward kernel uses for loop-carried values");
  app.add_option("--loop-ad", o.loop_ad,
                 "how backward passes reverse dynamic loops: auto (default), store (carried values on a per-thread "
                 "stack, O(n)), recompute (no storage, O(n^2))")
      ->check(CLI::IsMember({"auto", "store", "recompute"}));
  auto* jvp = app.add_flag("--jvp", o.jvp_all,
                           "forward-mode AD: a <kernel>_jvp launcher for every kernel with a backward pass "
                           "(default: only kernels marked enable_jvp=True)");
  app.add_flag("--no-jvp", o.no_jvp, "no <kernel>_jvp launchers, whatever the kernels' enable_jvp says")->excludes(jvp);
  app.add_flag("--reflect", o.reflect, "append a C-ABI kernel table (wp/reflect.h) to the generated .wp.cpp");
  bool make_deps = false;
  app.add_flag("--MD", make_deps, "write a Make-syntax dependency file (also spelled -MD); needs -MF");
  auto* mf = app.add_option("--MF", o.depfile, "the dependency file to write (also spelled -MF)");
  app.add_option("--MT", o.dep_target, "the target named in the dependency file (also spelled -MT)")->needs(mf);
  std::vector<std::string> args = normalize_args(argc, argv);
  try {
    app.parse(args);
    if (make_deps != !o.depfile.empty()) throw CLI::ValidationError("-MD and -MF", "must be given together");
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  o.emit.insert(emit.begin(), emit.end());
  o.line_directives = !no_lines;
  o.wide_access = !no_wide;
  o.nvrtc = cuda_compiler == "nvrtc";
  o.color = color == "always" || (color == "auto" && isatty(STDERR_FILENO));
  return warpc::compile_file(o, std::cout, std::cerr);
}
