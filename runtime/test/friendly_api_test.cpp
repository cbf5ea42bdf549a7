// friendly_api_test.cpp — the user-facing conveniences and the mistakes that must not be
// silent: named array options, HostArray (shaped, printable to_host), TapeScope,
// param_grad_total, the missing-gradient report of Tape::record (warn once / throw / ignore),
// backward() on an empty tape, and the launch-time check of wp.tid()-indexed arrays.
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"
#include "wp/builtins/bounds_check.h"
#include "wp/deterministic.h"
#include "wp/wp.h"

namespace {

using wp_test::error_of;

TEST(ArrayOptions, NamedOptionsInAnyOrder) {
  auto a = wp::zeros<float>({2, 3}, wp::requires_grad, wp::on("cpu"));
  auto b = wp::zeros<float>({2, 3}, wp::on("cpu"), wp::requires_grad);
  EXPECT_TRUE(a.requires_grad());
  EXPECT_TRUE(b.requires_grad());
  EXPECT_EQ(a.shape(), (wp::Shape{2, 3}));
  EXPECT_FALSE(wp::zeros<float>(4, wp::requires_grad(false)).requires_grad());
  auto f = wp::full<int>(3, 7, wp::on("cpu"));
  EXPECT_EQ(f.to_host(), (std::vector<int>{7, 7, 7}));
  auto e = wp::empty<double>({5}, wp::requires_grad);
  EXPECT_EQ(e.grad_array().to_host(), std::vector<double>(5, 0.0));
}

TEST(ArrayOptions, FromHostNeedsTheShape) {
  const std::vector<float> v = {1, 2, 3, 4, 5, 6};
  auto a = wp::from_host(v, wp::requires_grad, wp::with_shape({2, 3}));
  EXPECT_EQ(a.shape(), (wp::Shape{2, 3}));
  EXPECT_TRUE(a.requires_grad());
  EXPECT_EQ(error_of([&] { wp::from_host(v, wp::with_shape({4, 2})); }),
            "from_host: vector has 6 elements but shape (4, 2) needs 8");
  // The device option reaches the allocator: a device that does not exist throws.
  if (wp::cuda_device_count() < 8) {
    EXPECT_NE(error_of([&] { wp::zeros<float>(2, wp::on("cuda:7")); }), "");
  }
}

TEST(HostArray, KnowsItsShapeAndPrintsLikeNumpy) {
  std::vector<float> v = {1, 2, 3, 4, 5, 6};
  auto h = wp::from_host(v, {2, 3}).to_host();
  EXPECT_EQ(h.shape(), (wp::Shape{2, 3}));
  EXPECT_EQ(h(1, 2), 6.0f);
  EXPECT_EQ(h.at(5), 6.0f);  // std::vector's flat at()
  std::vector<float> as_vector = h;  // still a std::vector
  EXPECT_EQ(as_vector, v);
  std::ostringstream os;
  os << h;
  EXPECT_EQ(os.str(), "[[1 2 3]\n [4 5 6]]");
  std::ostringstream one;
  one << wp::from_host(std::vector<wp::vec3>{{{1, 2, 3}}, {{4, 5, 6}}}).to_host();
  EXPECT_EQ(one.str(), "[[1 2 3] [4 5 6]]");
  std::ostringstream three;
  three << wp::from_host(std::vector<int>(8, 0), {2, 2, 2}).to_host();
  EXPECT_EQ(three.str(), "[[[0 0]\n  [0 0]]\n\n [[0 0]\n  [0 0]]]");
  std::ostringstream big;
  std::vector<int> many(2000);
  for (int i = 0; i < 2000; ++i) many[static_cast<size_t>(i)] = i;
  big << wp::from_host(many).to_host();
  EXPECT_EQ(big.str(), "[0 1 2 ... 1997 1998 1999]");
  EXPECT_EQ(error_of([&] { (void)h(2, 0); }),
            "HostArray: index (2, 0) is out of bounds for shape (2, 3) (dimension 0)");
  EXPECT_EQ(error_of([&] { (void)h(1); }),
            "HostArray: 1 indices (1) given for an array of shape (2, 3) (2 dimensions)");
}

// Stand-ins for generated launchers, recorded with named entries as generated code does:
// "produce" writes x; "scale" reads x (differentiably) and writes y = s * x.
void record_produce(wp::Tape& tape, const wp::array<float>& x) {
  tape.record("produce", [] {}, {wp::detail::tape_array(x, "x", false, true)}, {});
}
void record_scale(wp::Tape& tape, const wp::array<float>& x, const wp::array<float>& y, float s) {
  wp::array<float> adj_s = wp::zeros<float>(1);
  std::vector<float> gs = {s};
  wp::copy(adj_s, wp::from_host(gs, {1}));
  tape.record("scale", [] {},
              {wp::detail::tape_array(x, "x", true, false), wp::detail::tape_array(y, "y", false, true)},
              {wp::detail::tape_param("s", adj_s)});
}

TEST(TapeMistakes, BackwardOnAnEmptyTapeSaysSo) {
  wp::Tape tape;
  EXPECT_NE(error_of([&] { tape.backward(); }).find("the tape has recorded no launches"), std::string::npos);
  auto loss = wp::zeros<float>(1, wp::requires_grad);
  EXPECT_NE(error_of([&] { tape.backward(loss); }).find("the tape has recorded no launches"), std::string::npos);
}

TEST(TapeMistakes, MissingGradientOfAnIntermediateWarnsOncePerKernelArgument) {
  wp::Tape tape;
  auto x = wp::zeros<float>(4);                     // written by a recorded launch, no gradient
  auto y = wp::zeros<float>(4, wp::requires_grad);  // gradients flow through the launch
  testing::internal::CaptureStderr();
  record_scale(tape, x, y, 2.0f);  // x is an input here: not reported
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  testing::internal::CaptureStderr();
  record_produce(tape, x);
  record_scale(tape, x, y, 2.0f);
  record_scale(tape, x, y, 2.0f);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("warning: kernel 'scale': Tape: argument 'x' has no gradient buffer, but an earlier recorded "
                     "launch wrote it and gradients flow through this launch (argument 'y' has one)"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("warning", 1), std::string::npos) << "reported twice: " << err;
  tape.reset();  // forgets what was written
  EXPECT_EQ(tape.launch_count(), 0u);
}

TEST(TapeMistakes, MissingGradientPolicies) {
  auto x = wp::zeros<float>(4);
  auto y = wp::zeros<float>(4, wp::requires_grad);
  wp::Tape strict;
  strict.set_missing_grad_policy(wp::Tape::MissingGrad::Throw);
  record_produce(strict, x);
  EXPECT_NE(error_of([&] { record_scale(strict, x, y, 1.0f); }).find("argument 'x' has no gradient buffer"),
            std::string::npos);
  wp::Tape quiet;
  quiet.set_missing_grad_policy(wp::Tape::MissingGrad::Ignore);
  testing::internal::CaptureStderr();
  record_produce(quiet, x);
  record_scale(quiet, x, y, 1.0f);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  // No gradient anywhere: nothing flows, nothing to report even when strict.
  auto y0 = wp::zeros<float>(4);
  record_scale(strict, x, y0, 1.0f);
  EXPECT_EQ(strict.launch_count(), 2u);
}

TEST(TapeScope, RecordsForTheScope) {
  wp::Tape tape;
  {
    wp::TapeScope recording(tape);
    EXPECT_EQ(wp::Tape::recording(), &tape);
  }
  EXPECT_EQ(wp::Tape::recording(), nullptr);
}

TEST(Tape, ParamGradTotalSumsEveryLaunchOfTheKernel) {
  wp::Tape tape;
  auto x = wp::zeros<float>(4, wp::requires_grad);
  auto y = wp::zeros<float>(4, wp::requires_grad);
  record_scale(tape, x, y, 1.5f);
  record_scale(tape, x, y, 2.0f);
  tape.record("other", [] {}, {}, {});
  EXPECT_EQ(tape.param_grad_total<float>("scale", "s"), 3.5f);
  EXPECT_EQ(error_of([&] { tape.param_grad_total<float>("scale", "t"); }),
            "Tape::param_grad_total: no recorded launch of kernel 'scale' has a gradient for a parameter "
            "named 't' (2 launches of it recorded)");
}

TEST(LaunchCheck, ArrayIndexedAtTidMustCoverTheLaunch) {
  auto a = wp::zeros<float>(8);
  wp::detail::check_tid_extent(wp::Dim(8), 1, a, 0, 0, "k", "a", "k.wp:3");
  wp::detail::check_tid_extent(wp::Dim(0), 1, a, 0, 0, "k", "a", "k.wp:3");  // no threads
  wp::detail::check_tid_extent(wp::Dim(9), 1, wp::array<float>{}, 0, 0, "k", "a", "k.wp:3");  // None
  EXPECT_EQ(error_of([&] { wp::detail::check_tid_extent(wp::Dim(10), 1, a, 0, 0, "k", "a", "k.wp:3"); }),
            "kernel 'k': launch dimension (10) is too large for argument 'a' of shape (8,): every thread "
            "accesses 'a' at wp.tid() (k.wp:3), so threads 8 to 9 would access it out of bounds; launch with "
            "at most 8 threads");
  auto m = wp::zeros<float>({4, 5});
  wp::detail::check_tid_extent(wp::Dim{4, 5}, 2, m, 1, 1, "k2", "m", "k2.wp:4");
  EXPECT_NE(error_of([&] { wp::detail::check_tid_extent(wp::Dim{4, 6}, 2, m, 1, 1, "k2", "m", "k2.wp:4"); })
                .find("component 1 of wp.tid() along dimension 1"),
            std::string::npos);
}

// Without WARPC_DEBUG (this file), WP_BOUNDS_CHECK expands to nothing: an out-of-bounds
// "access" neither aborts nor even evaluates its arguments.
TEST(BoundsCheck, ExpandsToNothingInReleaseBuilds) {
#ifdef WARPC_DEBUG
  GTEST_SKIP() << "built with WARPC_DEBUG";
#else
  [[maybe_unused]] wp::array_t<float> empty{};
  int evaluated = 0;
  WP_BOUNDS_CHECK((wp::detail::AccessSite{"k.wp", 3, "kernel 'k'", "a"}), empty, ++evaluated);
  EXPECT_EQ(evaluated, 0);
#endif
}

// Deterministic CPU launches: a float sum by atomics, whose value depends on the order of the
// additions, equals the in-order sum bit for bit (and so is the same on every run).
TEST(DeterministicCpu, AtomicsRunInIndexOrder) {
  const int64_t n = 1 << 16;
  std::vector<float> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[static_cast<size_t>(i)] = (i % 3 == 0 ? 1e7f : 1.0f) * (i % 2 ? -1.0f : 1.0f) + 0.1f * static_cast<float>(i % 7);
  float in_order = 0.0f;
  for (float v : values) in_order += v;
  auto sum_by_atomics = [&] {
    std::atomic<float> total{0.0f};
    wp::launch_cpu(wp::Dim(n), {}, [&](int64_t i) {
      float old = total.load();
      while (!total.compare_exchange_weak(old, old + values[static_cast<size_t>(i)])) {
      }
    }, "sum");
    return total.load();
  };
  EXPECT_FALSE(wp::deterministic_cpu());
  wp::set_deterministic_cpu(true);
  const float a = sum_by_atomics(), b = sum_by_atomics();
  wp::set_deterministic_cpu(false);
  EXPECT_EQ(a, in_order);
  EXPECT_EQ(b, in_order);
}

}  // namespace
