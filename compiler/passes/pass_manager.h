// pass_manager.h — the wrapper every IR pass runs in (run_pass): dumps the IR
// after a named pass or all of them (`--dump-ir-after=<pass|all>`), verifies
// it after each pass (`--verify-ir`; always after lowering), and times the
// passes (`--time-passes`, a table at the end, slowest first).
//
// Contract: a pass is `void(ir::Module&)`. A verification failure is a
// compiler bug: it is reported on `err` as "warpc: internal error: invalid IR
// after <pass>: …" and makes ok() false; the pipeline then stops.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.h"

namespace warpc {

struct PassOptions {
  std::string dump_ir_after;  // a pass name, "all", or empty
  bool verify_ir = false;     // verify after every pass (lowering is always verified)
  bool time_passes = false;
};

class PassManager {
 public:
  PassManager(PassOptions options, std::ostream& dump, std::ostream& err)
      : options_(std::move(options)), dump_(dump), err_(err) {}

  // Runs `pass` on `m`, then dumps / verifies / records its time. Returns ok().
  bool run_pass(std::string_view name, const std::function<void(ir::Module&)>& pass, ir::Module& m);
  // The same checks for a step that produced `m` (lowering); `verify` forces verification.
  bool after(std::string_view name, const ir::Module& m, bool verify, double seconds = 0.0);
  bool ok() const { return ok_; }
  // Prints the --time-passes table (nothing when it was not asked for).
  void report_times() const;

 private:
  PassOptions options_;
  std::ostream& dump_;
  std::ostream& err_;
  bool ok_ = true;
  std::vector<std::pair<std::string, double>> times_;
};

}  // namespace warpc
