// verify.cpp — parses `# expected-…` annotations and matches them against the
// collected diagnostics (see verify.h).
#include "support/verify.h"

#include <ostream>
#include <regex>
#include <string>

namespace warpc {

namespace {

struct Expectation {
  Severity severity;
  FileId file;
  uint32_t line;          // 1-based line the diagnostic must be on
  uint32_t annot_line;    // where the annotation is written
  std::string text;
  int count = 1;          // remaining matches
};

const char* severity_word(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
}

// Parses the annotations of one line; returns false on a malformed one.
bool parse_line(std::string_view line, FileId f, uint32_t lineno, std::vector<Expectation>& out,
                bool& no_diags, std::string& problem) {
  size_t hash = line.find('#');
  if (hash == std::string_view::npos) return true;
  std::string comment(line.substr(hash));
  if (comment.find("expected-no-diagnostics") != std::string::npos) no_diags = true;
  static const std::regex kAnnot(R"(expected-(error|warning|note)(@([+-]?)(\d+))?(\s+(\d+))?\s*\{\{(.*?)\}\})");
  static const std::regex kLoose(R"(expected-(error|warning|note))");
  auto it = std::sregex_iterator(comment.begin(), comment.end(), kAnnot);
  size_t matched = 0;
  for (; it != std::sregex_iterator(); ++it, ++matched) {
    const std::smatch& m = *it;
    Severity sev = m[1] == "error" ? Severity::Error : m[1] == "warning" ? Severity::Warning : Severity::Note;
    int64_t target = lineno;
    if (m[2].matched) {
      int64_t n = std::stoll(m[4]);
      target = m[3] == "+" ? lineno + n : m[3] == "-" ? lineno - n : n;
    }
    int count = m[6].matched ? std::stoi(m[6]) : 1;
    if (target < 1 || count < 1) {
      problem = "line or count out of range";
      return false;
    }
    out.push_back({sev, f, static_cast<uint32_t>(target), lineno, m[7], count});
  }
  size_t loose = std::distance(std::sregex_iterator(comment.begin(), comment.end(), kLoose), std::sregex_iterator());
  if (loose != matched) {
    problem = "expected '{{text}}' after 'expected-<kind>'";
    return false;
  }
  return true;
}

}  // namespace

bool verify_diagnostics(const DiagnosticEngine& diags, const SourceManager& sm, std::ostream& err) {
  std::vector<Expectation> expected;
  bool ok = true;
  bool no_diags = false;
  for (FileId f = 0; f < sm.file_count(); ++f) {
    for (uint32_t l = 1; l <= sm.line_count(f); ++l) {
      std::string problem;
      if (!parse_line(sm.line_text(f, l), f, l, expected, no_diags, problem)) {
        err << sm.name(f) << ':' << l << ": error: malformed verify annotation: " << problem << '\n';
        ok = false;
      }
    }
  }
  std::vector<const Diagnostic*> unexpected;
  const auto& all = diags.diagnostics();
  // A note without a location of its own belongs to its parent's line.
  auto where = [&](const Diagnostic& d) {
    return !d.range.valid() && d.parent >= 0 ? all[d.parent].range.begin : d.range.begin;
  };
  for (const Diagnostic& d : all) {
    SourceLoc at = where(d);
    LineCol lc = sm.line_col(at);
    bool found = false;
    for (Expectation& e : expected) {
      if (e.count > 0 && e.severity == d.severity && e.file == at.file && e.line == lc.line &&
          d.message.find(e.text) != std::string::npos) {
        --e.count;
        found = true;
        break;
      }
    }
    if (!found) unexpected.push_back(&d);
  }
  for (const Diagnostic* d : unexpected) {
    SourceLoc at = where(*d);
    LineCol lc = sm.line_col(at);
    err << "error: '" << severity_word(d->severity) << "' diagnostic seen but not expected:\n  "
        << (at.valid() ? sm.name(at.file) : std::string("<no file>")) << " Line " << lc.line
        << ": " << d->message << '\n';
    ok = false;
  }
  for (const Expectation& e : expected) {
    if (e.count <= 0) continue;
    err << "error: '" << severity_word(e.severity) << "' diagnostic expected but not seen:\n  " << sm.name(e.file)
        << " Line " << e.line << " (annotation on line " << e.annot_line << "): " << e.text << '\n';
    ok = false;
  }
  if (no_diags && !diags.diagnostics().empty()) ok = false;
  if (!no_diags && expected.empty() && diags.diagnostics().empty()) {
    err << "error: no expected directives found: use 'expected-no-diagnostics' to indicate that no diagnostics are "
           "expected\n";
    ok = false;
  }
  return ok;
}

}  // namespace warpc
