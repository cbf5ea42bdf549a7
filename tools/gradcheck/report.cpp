// report.cpp — per-kernel tables and the summary of warpc-gradcheck (contract in report.h).
#include "report.h"

#include <cstdio>
#include <map>

namespace gradcheck {

void apply_expectation(KernelResult& r, const Settings& s, const std::string* warning) {
  if (s.expect_warned.value_or(false) && r.status != Status::skipped) {
    bool backward_wrong = false;
    for (const ParamResult& p : r.params) backward_wrong |= p.failures > 0;
    if (r.status == Status::refused) {
      r.status = Status::failed;
      r.reason = "expected a backward pass with a warning (expect=warned), but the kernel has none";
    } else if (!warning) {
      r.status = Status::failed;
      r.reason = "expected a warpc warning about the kernel (expect=warned), but warpc reported none";
    } else if (!backward_wrong) {
      r.status = Status::failed;
      r.reason = "the backward pass agrees with finite differences although warpc warns (expect=warned): "
                 "remove the pragma if the warning no longer applies";
    } else if (r.jvp == "checked" && (r.jvp_fd.failures > 0 || r.jvp_primal.failures > 0)) {
      // The warning is about the backward pass; the forward-mode pass must still be right (its
      // dot-product test against the known-wrong VJP is not counted).
      r.status = Status::failed;
      r.reason = "the backward pass is wrong as warned (expect=warned), but the forward-mode (JVP) pass also "
                 "disagrees with finite differences, which the warning does not cover";
    } else {
      r.status = Status::failed;
      r.expected = true;
      r.reason = "warpc warns: " + *warning;
    }
    return;
  }
  if (!s.expect_refused.value_or(false)) return;
  if (r.status == Status::refused) {
    r.expected = true;
  } else if (r.status != Status::skipped) {
    r.status = Status::failed;
    r.reason = "expected a refusal (expect=refused), but the kernel has a backward pass";
  }
}

namespace {

const char* status_name(Status s) {
  switch (s) {
    case Status::passed: return "PASS";
    case Status::failed: return "FAIL";
    case Status::refused: return "REFUSED";
    case Status::skipped: return "SKIPPED";
    case Status::unsupported: return "UNSUPPORTED";
    case Status::error: return "ERROR";
  }
  return "?";
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

void print_kernel(std::ostream& os, const KernelResult& r) {
  os << "kernel " << r.kernel << ": " << status_name(r.status);
  if (r.expected) os << " (expected)";
  if (!r.launch.empty()) os << "  [" << r.launch << "]";
  if (!r.reason.empty()) os << "  " << r.reason;
  os << "\n";
  if (r.params.empty()) {
    if (r.status == Status::passed) os << "  (no differentiable parameters)\n";
    if (r.jvp != "checked") return;
  }
  char line[256];
  std::snprintf(line, sizeof line, "  %-14s %-18s %6s %12s %12s %6s  %s\n", "param", "type", "n",
                "max|AD-FD|", "max rel", "kinks", "result");
  os << line;
  for (const ParamResult& p : r.params) {
    std::snprintf(line, sizeof line, "  %-14s %-18s %6zu %12s %12s %6zu  %s\n", p.name.c_str(),
                  p.type.c_str(), p.checked, fmt("%.3g", p.max_abs).c_str(),
                  fmt("%.3g", p.max_rel).c_str(), p.kinks, p.failures ? "FAIL" : "pass");
    os << line;
    for (const std::string& w : p.worst) os << "      " << w << "\n";
    if (p.failures > p.worst.size()) os << "      … " << p.failures - p.worst.size() << " more\n";
  }
  if (r.status == Status::refused || r.status == Status::skipped) return;
  if (r.jvp != "checked") {
    os << "  jvp: " << r.jvp << "\n";
    return;
  }
  const ParamResult& f = r.jvp_fd;
  std::snprintf(line, sizeof line, "  jvp: %zu output components vs FD, max|JVP-FD| %s, max rel %s, %zu kinks: %s\n",
                f.checked, fmt("%.3g", f.max_abs).c_str(), fmt("%.3g", f.max_rel).c_str(), f.kinks,
                f.failures ? "FAIL" : "pass");
  os << line;
  for (const std::string& w : f.worst) os << "      " << w << "\n";
  if (f.failures > f.worst.size()) os << "      … " << f.failures - f.worst.size() << " more\n";
  std::snprintf(line, sizeof line, "  jvp: <JVP(u), w> = %s, <u, VJP(w)> = %s: %s\n", fmt("%.9g", r.dot_jvp).c_str(),
                fmt("%.9g", r.dot_vjp).c_str(), r.dot_ok ? "pass" : "FAIL");
  os << line;
  const ParamResult& same = r.jvp_primal;
  std::snprintf(line, sizeof line, "  jvp: %zu array components as the forward, max|JVP-forward| %s: %s\n", same.checked,
                fmt("%.3g", same.max_abs).c_str(), same.failures ? "FAIL" : "pass");
  os << line;
  for (const std::string& w : same.worst) os << "      " << w << "\n";
  if (same.failures > same.worst.size()) os << "      … " << same.failures - same.worst.size() << " more\n";
}

int print_summary(std::ostream& os, const std::vector<KernelResult>& results,
                  const std::vector<std::string>& problems, bool require_all) {
  std::map<Status, int> counts;
  int warned = 0;  // failures an expect=warned pragma expects
  bool bad = !problems.empty();
  for (const KernelResult& r : results) {
    if (r.status == Status::failed && r.expected) {
      ++warned;
      continue;
    }
    ++counts[r.status];
    if (r.status == Status::failed || r.status == Status::error) bad = true;
    if (require_all && ((r.status == Status::refused && !r.expected) || r.status == Status::unsupported)) bad = true;
  }
  for (const std::string& p : problems) os << "error: " << p << "\n";
  os << "summary: " << counts[Status::passed] << " passed, " << counts[Status::failed] << " failed, "
     << counts[Status::refused] << " refused, " << counts[Status::skipped] << " skipped, "
     << counts[Status::unsupported] << " unsupported, " << counts[Status::error] << " errors";
  if (warned > 0) os << ", " << warned << " wrong as warned (expect=warned)";
  os << "\n";
  return bad ? 1 : 0;
}

}  // namespace gradcheck
