// pipeline.h — the whole compilation of one .wp file, as one function.
#pragma once

#include <iosfwd>
#include <set>
#include <string>
#include <vector>

namespace warpc {

struct CompileOptions {
  std::string input;                      // the .wp file
  std::string output_dir = ".";           // -o
  std::vector<std::string> include_dirs;  // -I, searched after the input's own folder
  std::set<std::string> emit;             // --emit: tokens, ast, ir (printed); header, cpp, cuda (written)
  std::string stop_after;                 // --stop-after: lex, parse, sema, lower ("" = run everything)
  bool verify = false;                    // --verify
  std::string dump_ir_after;              // --dump-ir-after: a pass name or "all"
  bool verify_ir = false;                 // --verify-ir: verify the IR after every pass
  bool time_passes = false;               // --time-passes
  bool color = false;                     // colored diagnostics
  size_t error_limit = 50;                // --error-limit
  std::string depfile;                    // -MD -MF FILE: write a Make-syntax dependency file
  std::string dep_target;                 // -MT: the rule's target (default <output-dir>/<stem>.wp.h)
  std::string cpp_namespace;              // --namespace ("" = the stem)
  bool line_directives = true;            // --no-line-directives turns #line off
  bool wide_access = true;                // --no-wide-access turns CUDA access widening off
  int adjoint_variants = 1;               // --adjoint-variants: CUDA instantiations per backward kernel (1, 2, 4, 8)
  std::string cuda_arch = "sm_90";        // --cuda-arch
  bool nvrtc = false;                     // --cuda-compiler=nvrtc: device-only .cu, launchers in the .cpp
  bool report_ad_storage = false;         // --report-ad-storage
  std::string loop_ad = "auto";           // --loop-ad: auto, store, recompute (reverse-mode loops)
  bool reflect = false;                   // --reflect: C-ABI kernel table in the .wp.cpp
  bool jvp_all = false;                   // --jvp: forward-mode launchers for every kernel with a backward pass
  bool no_jvp = false;                    // --no-jvp: none, whatever enable_jvp says
};

// Phases that --stop-after and --emit accept, in pipeline order.
const std::vector<std::string>& pipeline_phases();
const std::vector<std::string>& emit_kinds();

namespace ir {
class Module;
}
class PassManager;

// The IR passes in pipeline order, one line each (defined in pipeline.cpp next to
// compile_file). Returns false when the IR failed verification after a pass.
bool run_ir_passes(PassManager& passes, ir::Module& m);

// Runs the compiler; returns the process exit code (0 ok, 1 diagnostics).
// Emitted text goes to `out`, diagnostics to `err`.
int compile_file(const CompileOptions& options, std::ostream& out, std::ostream& err);

}  // namespace warpc
