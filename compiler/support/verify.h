// verify.h — `warpc --verify`: checks emitted diagnostics against annotations
// written in the sources, like clang's -verify.
//
// Annotations are comments:   # expected-error {{substring}}
//                             # expected-note@+1 {{substring}}   (@+N / @-N: relative line)
//                             # expected-warning 2 {{substring}} (a count)
//                             # expected-no-diagnostics
// Matching is exhaustive: every diagnostic must be expected and every
// expectation seen. A diagnostic matches when the severity and line agree and
// the message contains the substring.
#pragma once

#include <iosfwd>

#include "support/diagnostics.h"

namespace warpc {

// Returns true when diagnostics and annotations agree; otherwise prints what
// was unexpected or missing to `err` (clang's format) and returns false.
bool verify_diagnostics(const DiagnosticEngine& diags, const SourceManager& sm, std::ostream& err);

}  // namespace warpc
