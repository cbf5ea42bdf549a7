// diagnostics.cpp — the diagnostic table, collection and clang-style rendering.
#include "support/diagnostics.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ostream>

namespace warpc {

namespace {

const DiagInfo kDiagTable[] = {
#define DIAG(id, severity, text) {Severity::severity, #id, text},
#include "support/diagnostics_driver.def"
#include "support/diagnostics_lex.def"
#include "support/diagnostics_parse.def"
#include "support/diagnostics_sema.def"
#include "support/diagnostics_lower.def"
#include "support/diagnostics_codegen.def"
#include "support/diagnostics_ad.def"
#undef DIAG
};

const char* severity_word(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

const char* severity_color(Severity s) {
  switch (s) {
    case Severity::Error: return "\033[1;31m";
    case Severity::Warning: return "\033[1;35m";
    case Severity::Note: return "\033[1;30m";
  }
  return "";
}

// Test-suite hook: with WARPC_DIAG_TRACE=<file> set, the id of every
// diagnostic emitted is appended to <file>, so tools/check_diag_coverage.py can
// prove that the tests exercise every row of the diagnostic tables.
void trace(DiagId id) {
  static const char* path = std::getenv("WARPC_DIAG_TRACE");
  if (!path || !*path) return;
  if (std::FILE* f = std::fopen(path, "a")) {
    std::fprintf(f, "%s\n", diag_info(id).name);
    std::fclose(f);
  }
}

// Marks columns [b, e) of a caret line with `ch`, growing the line as needed.
void mark(std::string& line, size_t b, size_t e, char ch) {
  if (line.size() < e) line.resize(e, ' ');
  for (size_t i = b; i < e; ++i)
    if (line[i] == ' ' || ch == '^') line[i] = ch;
}

}  // namespace

const DiagInfo& diag_info(DiagId id) { return kDiagTable[static_cast<size_t>(id)]; }

DiagBuilder& DiagBuilder::range(SourceRange r) {
  if (index_ >= 0) engine_->diags_[index_].extra_ranges.push_back(r);
  return *this;
}

DiagBuilder& DiagBuilder::help(std::string text) {
  if (index_ >= 0) engine_->diags_[index_].helps.push_back(std::move(text));
  return *this;
}

int DiagnosticEngine::add(DiagId id, SourceRange r, std::string message, int parent) {
  Severity sev = diag_info(id).severity;
  if (parent < 0 && over_limit_) return -1;
  if (parent < 0) {
    for (const Diagnostic& d : diags_)
      if (d.id == id && d.range.begin == r.begin && d.message == message) return -1;
  }
  if (sev == Severity::Error && parent < 0) {
    if (error_limit_ && error_count_ >= error_limit_) {
      over_limit_ = true;
      return -1;
    }
    ++error_count_;
  }
  trace(id);
  diags_.push_back(Diagnostic{id, sev, r, {}, std::move(message), {}, parent});
  return static_cast<int>(diags_.size() - 1);
}

void DiagnosticEngine::render_one(std::ostream& out, const Diagnostic& d, bool color) const {
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  if (d.range.valid()) {
    LineCol lc = sm_.line_col(d.range.begin);
    out << bold << sm_.name(d.range.begin.file) << ':' << lc.line << ':' << lc.col << ": " << reset;
  }
  out << (color ? severity_color(d.severity) : "") << severity_word(d.severity) << ": " << reset
      << bold << d.message << reset << '\n';
  if (d.range.valid()) {
    FileId f = d.range.begin.file;
    LineCol lc = sm_.line_col(d.range.begin);
    std::string_view src = sm_.line_text(f, lc.line);
    uint32_t line_begin = sm_.line_start(f, lc.line);
    uint32_t line_end = line_begin + static_cast<uint32_t>(src.size());
    std::string carets;
    auto underline = [&](SourceRange r, char ch) {
      if (!r.valid() || r.begin.file != f) return;
      uint32_t b = std::max(r.begin.offset, line_begin), e = std::min(r.end.offset, line_end);
      if (r.begin.offset > line_end || r.end.offset < line_begin || e <= b) return;
      mark(carets, b - line_begin, e - line_begin, ch);
    };
    underline(d.range, '~');
    for (SourceRange r : d.extra_ranges) underline(r, '~');
    mark(carets, lc.col - 1, lc.col, '^');
    // Keep tabs in the caret line so the caret lines up under the source.
    for (size_t i = 0; i < carets.size() && i < src.size(); ++i)
      if (src[i] == '\t' && carets[i] == ' ') carets[i] = '\t';
    out << src << '\n' << (color ? "\033[1;32m" : "") << carets << reset << '\n';
  }
  for (const std::string& h : d.helps) out << bold << "help: " << reset << h << '\n';
}

void DiagnosticEngine::render(std::ostream& out, bool color) const {
  for (const Diagnostic& d : diags_) render_one(out, d, color);
  size_t warnings = std::count_if(diags_.begin(), diags_.end(),
                                  [](const Diagnostic& d) { return d.severity == Severity::Warning; });
  if (warnings) out << warnings << (warnings == 1 ? " warning" : " warnings");
  if (warnings && error_count_) out << " and ";
  if (error_count_) out << error_count_ << (error_count_ == 1 ? " error" : " errors");
  if (warnings || error_count_) out << " generated.\n";
}

}  // namespace warpc
