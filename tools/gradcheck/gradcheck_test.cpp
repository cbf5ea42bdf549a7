// gradcheck_test.cpp — unit tests of warpc-gradcheck's parts: pragma parsing and the settings
// layers, the IR scan for atomic_min/max targets, refusal warnings, scalar conversions and the report's exit status. (The
// end-to-end checks are the test/gradcheck suite.)
#include <gtest/gtest.h>

#include <sstream>

#include "module_build.h"
#include "report.h"
#include "settings.h"
#include "values.h"

namespace gradcheck {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_pragmas(text, "f.wp");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(Pragmas, FileWideAndPerKernelLayers) {
  const FileSettings fs = parse_pragmas(
      "import warp as wp\n"
      "# gradcheck: dim=32 range=0,2\n"
      "  #gradcheck: kernel=foo n=5 g=0,-9.8,0 range(x)=0.5,2 shape(a)=4,8\n"
      "# gradcheck: kernel=bar launch=4,6 eps=1e-4 tol=0.05 skip expect=refused\n"
      "x = 1  # gradcheck: dim=7 (not a pragma: code before the comment)\n",
      "f.wp");
  EXPECT_EQ(fs.file.dim, 32);
  EXPECT_EQ(fs.file.range, (Range{0.0, 2.0}));
  const Settings& foo = fs.kernels.at("foo");
  EXPECT_EQ(foo.values.at("n"), std::vector<double>{5.0});
  EXPECT_EQ(foo.values.at("g"), (std::vector<double>{0.0, -9.8, 0.0}));
  EXPECT_EQ(foo.ranges.at("x"), (Range{0.5, 2.0}));
  EXPECT_EQ(foo.shapes.at("a"), (std::vector<int>{4, 8}));
  const Settings& bar = fs.kernels.at("bar");
  EXPECT_EQ(bar.launch, (std::vector<int>{4, 6}));
  EXPECT_EQ(bar.eps, 1e-4);
  EXPECT_EQ(bar.tol, 0.05);
  EXPECT_TRUE(bar.skip.value_or(false));
  EXPECT_TRUE(bar.expect_refused.value_or(false));

  Settings cli;
  apply_word(cli, "dim=8");
  apply_word(cli, "tol=0.5");
  const Settings r = resolve(Settings{}, cli, fs, "foo");
  EXPECT_EQ(r.dim, 32);   // the file-wide pragma beats the command line
  EXPECT_EQ(r.tol, 0.5);  // the command line beats the default
  EXPECT_EQ(resolve(Settings{}, cli, fs, "bar").tol, 0.05);  // the kernel's pragma beats both
}

TEST(Pragmas, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of("\n# gradcheck: dim=abc\n"), "f.wp:2: bad gradcheck setting 'dim=abc': 'abc' is not a number");
  EXPECT_EQ(error_of("# gradcheck: dim=0\n"), "f.wp:1: bad gradcheck setting 'dim=0': expected a positive integer");
  EXPECT_EQ(error_of("# gradcheck: range(x)=2,1\n"),
            "f.wp:1: bad gradcheck setting 'range(x)=2,1': expected lo,hi with lo <= hi");
  EXPECT_EQ(error_of("# gradcheck: shape(a)=1,2,3,4,5\n"),
            "f.wp:1: bad gradcheck setting 'shape(a)=1,2,3,4,5': at most 4 dimensions");
  EXPECT_EQ(error_of("# gradcheck: expect=pass\n"),
            "f.wp:1: bad gradcheck setting 'expect=pass': the only expectation is expect=refused");
  EXPECT_EQ(error_of("# gradcheck: frobnicate\n"), "f.wp:1: bad gradcheck setting 'frobnicate': expected key=value");
  EXPECT_EQ(error_of("# gradcheck: stored(y)\n"), "f.wp:1: bad gradcheck setting 'stored(y)': expected key=value");
  EXPECT_EQ(error_of("# gradcheck: size(a)=3\n"), "f.wp:1: bad gradcheck setting 'size(a)=3': unknown setting 'size(…)'");
  EXPECT_EQ(error_of("# gradcheck: range(1x)=0,1\n"),
            "f.wp:1: bad gradcheck setting 'range(1x)=0,1': '1x' is not a parameter name");
  EXPECT_EQ(error_of("# gradcheck: range(p..w)=0,1\n"),
            "f.wp:1: bad gradcheck setting 'range(p..w)=0,1': 'p..w' is not a parameter name");
}

TEST(Pragmas, StructFieldPaths) {
  Settings s;
  apply_word(s, "range(p.inner.w)=0.5,2");
  apply_word(s, "p.count=3");
  apply_word(s, "shape(p.data)=8,2");
  apply_word(s, "nocheck(p.inner)");
  EXPECT_EQ(s.ranges.at("p.inner.w"), (Range{0.5, 2.0}));
  EXPECT_EQ(s.values.at("p.count"), (std::vector<double>{3.0}));
  EXPECT_EQ(s.shapes.at("p.data"), (std::vector<int>{8, 2}));
  EXPECT_TRUE(s.nocheck.count("p.inner"));
  EXPECT_THROW(apply_word(s, "p.=1"), std::runtime_error);
}

TEST(IrScan, MinMaxTargetsDirectAndThroughFunctions) {
  const std::string ir =
      "func @lower(%a: array(dtype=float32, ndim=1), %v: float32) {\n"
      "  %0 = const 0 : int32\n"
      "  %1 = atomic_min %a[%0], %v : float32\n"
      "  return\n"
      "}\n\n"
      "kernel @k(%x: array(dtype=float32, ndim=1), %lo: array(dtype=float32, ndim=1), %hi: array(dtype=float32, ndim=1), %sum: array(dtype=float32, ndim=1)) {\n"
      "  %0 = tid : int32\n"
      "  %1 = array_load %x[%0] : float32\n"
      "  call @lower(%lo, %1)\n"
      "  %2 = atomic_max %hi[%0], %1 : float32\n"
      "  %3 = atomic_add %sum[%0], %1 : float32\n"
      "  array_store %x[%0], %1\n"
      "  return\n"
      "}\n";
  const auto t = minmax_targets(ir);
  EXPECT_EQ(t.at("k"), (std::set<std::string>{"lo", "hi"}));  // not sum (atomic_add), not x
  EXPECT_FALSE(t.count("lower"));                             // functions are not reported
}

TEST(Warnings, RefusalReasons) {
  const auto r = refusal_reasons(
      "a.wp:3:5: warning: no backward pass for kernel 'k1': gradients of arrays of structs are not supported yet\n"
      "  code\n"
      "a.wp:9:5: warning: something else\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r.at("k1"), "gradients of arrays of structs are not supported yet");
}

TEST(Values, RoundTripsInStoragePrecision) {
  std::byte buf[8];
  store(Scalar::f32, buf, 0.1);
  EXPECT_EQ(load(Scalar::f32, buf), static_cast<double>(0.1f));
  store(Scalar::f64, buf, 0.1);
  EXPECT_EQ(load(Scalar::f64, buf), 0.1);
  store(Scalar::f16, buf, 1.0 / 3.0);
  EXPECT_EQ(load(Scalar::f16, buf), 0.333251953125);  // nearest binary16 to 1/3
  store(Scalar::i32, buf, -7.0);
  EXPECT_EQ(load(Scalar::i32, buf), -7.0);
  store(Scalar::boolean, buf, 2.0);
  EXPECT_EQ(load(Scalar::boolean, buf), 1.0);
  EXPECT_EQ(parse_scalar("float16"), Scalar::f16);
  EXPECT_EQ(parse_scalar(""), Scalar::other);
  EXPECT_EQ(scalar_size(Scalar::u64), 8u);
}

TEST(Values, RandomFillStaysInRange) {
  std::mt19937_64 rng(3);
  Buffer f{Scalar::f32, 3, 50, std::vector<std::byte>(600)};
  fill_random(f, 0.5, 2.0, rng);
  Buffer i{Scalar::i32, 1, 200, std::vector<std::byte>(800)};
  fill_random(i, 0, 3, rng);
  bool seen[4] = {};
  for (size_t k = 0; k < f.num_scalars(); ++k) EXPECT_TRUE(f.get(k) >= 0.5 && f.get(k) <= 2.0);
  for (size_t k = 0; k < i.num_scalars(); ++k) {
    ASSERT_TRUE(i.get(k) >= 0 && i.get(k) <= 3);
    seen[static_cast<int>(i.get(k))] = true;
  }
  EXPECT_TRUE(seen[0] && seen[1] && seen[2] && seen[3]);  // both ends included
}

TEST(Report, ExitStatusAndExpectations) {
  KernelResult ok{"a", Status::passed, "", "", false, {}};
  KernelResult refused{"b", Status::refused, "why", "", false, {}};
  std::ostringstream os;
  EXPECT_EQ(print_summary(os, {ok, refused}, {}, false), 0);
  EXPECT_EQ(print_summary(os, {ok, refused}, {}, true), 1);  // --require-all
  Settings expect;
  expect.expect_refused = true;
  apply_expectation(refused, expect);
  EXPECT_TRUE(refused.expected);
  EXPECT_EQ(print_summary(os, {ok, refused}, {}, true), 0);
  apply_expectation(ok, expect);  // has a backward pass: the expectation fails
  EXPECT_EQ(ok.status, Status::failed);
  EXPECT_EQ(print_summary(os, {ok}, {}, false), 1);
  EXPECT_EQ(print_summary(os, {}, {"a pragma names kernel 'zz'"}, false), 1);
  std::ostringstream line;
  print_summary(line, {refused}, {}, false);
  EXPECT_EQ(line.str(), "summary: 0 passed, 0 failed, 1 refused, 0 skipped, 0 unsupported, 0 errors\n");
}

}  // namespace
}  // namespace gradcheck
