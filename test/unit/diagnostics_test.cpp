// diagnostics_test.cpp — the diagnostic engine's rendering, de-duplication,
// error limit and the --verify matcher.
#include <gtest/gtest.h>

#include <cctype>
#include <sstream>

#include "support/diagnostics.h"
#include "support/verify.h"

namespace warpc {
namespace {

SourceRange range_of(const SourceManager& sm, FileId f, std::string_view needle) {
  auto pos = static_cast<uint32_t>(sm.text(f).find(needle));
  return {SourceLoc{f, pos}, SourceLoc{f, pos + static_cast<uint32_t>(needle.size())}};
}

TEST(Diagnostics, RendersLocationSourceCaretAndRange) {
  SourceManager sm;
  FileId f = sm.add_buffer("k.wp", "import warp as wp\nx = foo + 1\n");
  DiagnosticEngine d(sm);
  d.report(DiagId::err_module_not_found, range_of(sm, f, "foo"), "foo").help("try this");
  std::ostringstream out;
  d.render(out, /*color=*/false);
  EXPECT_EQ(out.str(),
            "k.wp:2:5: error: cannot find module 'foo' on the include path\n"
            "x = foo + 1\n"
            "    ^~~\n"
            "help: try this\n"
            "1 error generated.\n");
}

TEST(Diagnostics, CaretLineKeepsTabsAligned) {
  SourceManager sm;
  FileId f = sm.add_buffer("t.wp", "\tx = bad\n");
  DiagnosticEngine d(sm);
  d.report(DiagId::err_module_not_found, range_of(sm, f, "bad"), "bad");
  std::ostringstream out;
  d.render_one(out, d.diagnostics()[0], false);
  EXPECT_NE(out.str().find("\tx = bad\n\t    ^~~\n"), std::string::npos) << out.str();
}

TEST(Diagnostics, NotesFollowTheirErrorAndDoNotCount) {
  SourceManager sm;
  FileId f = sm.add_buffer("n.wp", "import a\n");
  DiagnosticEngine d(sm);
  d.report(DiagId::err_module_not_found, range_of(sm, f, "a"), "a")
      .note(DiagId::note_include_path_searched, SourceRange(), "/inc");
  EXPECT_EQ(d.error_count(), 1u);
  ASSERT_EQ(d.diagnostics().size(), 2u);
  EXPECT_EQ(d.diagnostics()[1].severity, Severity::Note);
  EXPECT_EQ(d.diagnostics()[1].parent, 0);
  std::ostringstream out;
  d.render(out, false);
  EXPECT_NE(out.str().find("note: searched '/inc'\n"), std::string::npos) << out.str();
}

TEST(Diagnostics, ExactDuplicatesAreDropped) {
  SourceManager sm;
  FileId f = sm.add_buffer("d.wp", "import a\n");
  DiagnosticEngine d(sm);
  d.report(DiagId::err_module_not_found, range_of(sm, f, "a"), "a");
  d.report(DiagId::err_module_not_found, range_of(sm, f, "a"), "a");
  EXPECT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.diagnostics().size(), 1u);
}

TEST(Diagnostics, ErrorLimitStopsRecording) {
  SourceManager sm;
  FileId f = sm.add_buffer("l.wp", "import a, b, c\n");
  DiagnosticEngine d(sm);
  d.set_error_limit(2);
  for (const char* m : {"a", "b", "c"}) d.report(DiagId::err_module_not_found, range_of(sm, f, m), m);
  EXPECT_EQ(d.error_count(), 2u);
}

TEST(Verify, MatchesSameLineAndRelativeAnnotations) {
  SourceManager sm;
  sm.add_buffer("v.wp",
                "import a  # expected-error {{module 'a'}}\n"
                "# expected-error@+1 {{module 'b'}}\n"
                "import b\n");
  FileId f = 0;
  DiagnosticEngine d(sm);
  d.report(DiagId::err_module_not_found, range_of(sm, f, "a  #"), "a");
  d.report(DiagId::err_module_not_found, SourceRange(SourceLoc{f, static_cast<uint32_t>(sm.text(f).rfind("b"))}), "b");
  std::ostringstream err;
  EXPECT_TRUE(verify_diagnostics(d, sm, err)) << err.str();
}

TEST(Verify, ReportsMissingAndUnexpected) {
  SourceManager sm;
  FileId f = sm.add_buffer("v.wp", "import a  # expected-error {{nothing like this}}\n");
  DiagnosticEngine d(sm);
  d.report(DiagId::err_module_not_found, range_of(sm, f, "a"), "a");
  std::ostringstream err;
  EXPECT_FALSE(verify_diagnostics(d, sm, err));
  EXPECT_NE(err.str().find("seen but not expected"), std::string::npos);
  EXPECT_NE(err.str().find("expected but not seen"), std::string::npos);
}

}  // namespace
}  // namespace warpc

namespace warpc {
namespace {

// Every table row formats with enough arguments, and a row given too few
// arguments still yields text instead of throwing.
TEST(Diagnostics, EveryRowFormats) {
  SourceManager sm;
  FileId f = sm.add_buffer("r.wp", "x\n");
  for (size_t i = 0; i < static_cast<size_t>(DiagId::kCount); ++i) {
    DiagnosticEngine d(sm);
    d.set_error_limit(0);
    auto id = static_cast<DiagId>(i);
    d.report(id, SourceRange(SourceLoc{f, 0}), "a", "b", "c", "d", "e", "f");
    ASSERT_FALSE(d.diagnostics().empty()) << diag_info(id).name;
    const std::string& m = d.diagnostics()[0].message;
    for (size_t p = m.find('{'); p != std::string::npos; p = m.find('{', p + 1))
      EXPECT_FALSE(p + 1 < m.size() && std::isdigit(static_cast<unsigned char>(m[p + 1]))) << diag_info(id).name;
    DiagnosticEngine few(sm);
    few.report(id, SourceRange(SourceLoc{f, 0}));
    EXPECT_FALSE(few.diagnostics().empty());
  }
}

}  // namespace
}  // namespace warpc
