// pass_manager.cpp — see pass_manager.h.
#include "passes/pass_manager.h"

#include <algorithm>
#include <fmt/format.h>
#include <ostream>

namespace warpc {

bool PassManager::run_pass(std::string_view name, const std::function<void(ir::Module&)>& pass, ir::Module& m) {
  if (!ok_) return false;
  auto start = std::chrono::steady_clock::now();
  pass(m);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return after(name, m, options_.verify_ir, took.count());
}

bool PassManager::after(std::string_view name, const ir::Module& m, bool verify, double seconds) {
  times_.emplace_back(std::string(name), seconds);
  if (options_.dump_ir_after == "all" || options_.dump_ir_after == name) {
    dump_ << "// ----- IR after " << name << " -----\n";
    ir::print_ir(dump_, m);
  }
  if (verify || options_.verify_ir) {
    for (const std::string& p : ir::verify_ir(m)) {
      err_ << "warpc: internal error: invalid IR after " << name << ": " << p << "\n";
      ok_ = false;
    }
  }
  return ok_;
}

void PassManager::report_times() const {
  if (!options_.time_passes) return;
  auto sorted = times_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  err_ << "pass                       time (ms)\n";
  for (const auto& [name, s] : sorted) err_ << fmt::format("{:<24} {:>12.3f}\n", name, s * 1000.0);
}

}  // namespace warpc
