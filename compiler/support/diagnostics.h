// diagnostics.h — the diagnostic engine: every message the compiler can emit
// is a row in one of the diagnostics_*.def tables (id, severity, fmt text).
//
// Contract:
//  * Messages are lowercase, have no trailing period and quote names with '…'.
//  * report() formats the row's text with fmt positional arguments ({0}, {1}).
//  * The engine only collects; render() prints clang-style text
//    (file:line:col: error: msg / source line / caret + '~' ranges / notes /
//    help lines / "N errors generated.") and verify.h checks them against
//    `# expected-error {{…}}` annotations.
//  * Exact duplicates (same id, location and text) are dropped, so a poisoned
//    construct visited twice still reports once.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "support/source_manager.h"

namespace warpc {

enum class Severity : uint8_t { Error, Warning, Note };

enum class DiagId : uint16_t {
#define DIAG(id, severity, text) id,
#include "support/diagnostics_driver.def"
#include "support/diagnostics_lex.def"
#include "support/diagnostics_parse.def"
#include "support/diagnostics_sema.def"
#include "support/diagnostics_lower.def"
#include "support/diagnostics_codegen.def"
#include "support/diagnostics_ad.def"
#undef DIAG
  kCount
};

struct DiagInfo {
  Severity severity;
  const char* name;    // the id spelled as in the table
  const char* format;  // fmt format string
};
const DiagInfo& diag_info(DiagId id);

struct Diagnostic {
  DiagId id;
  Severity severity;
  SourceRange range;                     // primary range: caret at range.begin
  std::vector<SourceRange> extra_ranges; // underlined with '~'
  std::string message;
  std::vector<std::string> helps;        // printed as "help: …" lines
  int parent = -1;                       // notes: index of the diagnostic they belong to
};

class DiagnosticEngine;

// Returned by report()/note(): attaches more information to one diagnostic.
class DiagBuilder {
 public:
  DiagBuilder(DiagnosticEngine* e, int index) : engine_(e), index_(index) {}
  DiagBuilder& range(SourceRange r);
  DiagBuilder& help(std::string text);
  template <class... A>
  DiagBuilder& note(DiagId id, SourceRange r, const A&... args);

 private:
  DiagnosticEngine* engine_;
  int index_;  // -1 when the diagnostic was suppressed (duplicate / over limit)
};

class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(const SourceManager& sm) : sm_(sm) {}

  template <class... A>
  DiagBuilder report(DiagId id, SourceRange r, const A&... args) {
    return DiagBuilder(this, add(id, r, format(id, args...), -1));
  }

  size_t error_count() const { return error_count_; }
  bool has_errors() const { return error_count_ > 0; }
  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  const SourceManager& sources() const { return sm_; }

  // Stop recording after this many errors (0 = unlimited). Default 50.
  void set_error_limit(size_t n) { error_limit_ = n; }
  // Prints everything collected so far, plus the "N errors generated." line.
  void render(std::ostream& out, bool color) const;
  // Renders one diagnostic (used by render and by tests).
  void render_one(std::ostream& out, const Diagnostic& d, bool color) const;

 private:
  friend class DiagBuilder;
  template <class... A>
  static std::string format(DiagId id, const A&... args) {
    try {
      return fmt::format(fmt::runtime(diag_info(id).format), args...);
    } catch (const fmt::format_error&) {
      // A table row whose placeholders do not match its call site: a compiler
      // bug, but the user still gets the message text rather than a crash.
      return diag_info(id).format;
    }
  }
  int add(DiagId id, SourceRange r, std::string message, int parent);

  const SourceManager& sm_;
  std::vector<Diagnostic> diags_;
  size_t error_count_ = 0;
  size_t error_limit_ = 50;
  bool over_limit_ = false;
};

template <class... A>
DiagBuilder& DiagBuilder::note(DiagId id, SourceRange r, const A&... args) {
  if (index_ >= 0) engine_->add(id, r, DiagnosticEngine::format(id, args...), index_);
  return *this;
}

}  // namespace warpc
