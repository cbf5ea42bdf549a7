// tape_test.cpp — wp::Tape with hand-written backward closures (no generated code): the
// thread's recording pointer, reverse replay, gradient accumulation, zero(), reset(),
// parameter gradients, host functions (record_func), record entries and their errors; the same on cuda:0 when one exists.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"
#include "wp/wp.h"

namespace {

using wp_test::error_of;

// Host-side stand-ins for generated launchers. "square": y[i] = x[i]^2, backward
// x.grad[i] += 2 x[i] y.grad[i]. "sum": loss[0] = Σ y[i], backward y.grad[i] += loss.grad[0].
// "scale": y[i] = s x[i] with a non-array parameter s; backward adds Σ x[i] y.grad[i] into
// the accumulator of s and s y.grad[i] into x.grad[i]. Each works on any device by staging
// through host vectors (the closures are what a generated <k>_backward would do).
std::vector<float> host(const wp::array<float>& a) { return a.to_host(); }
std::vector<float> host_grad(const wp::array<float>& a) { return a.grad_array().to_host(); }
void put(const wp::array<float>& dst, const std::vector<float>& v) {
  wp::copy(dst, wp::from_host(v, dst.shape()));
}

void square(wp::Tape* tape, const wp::array<float>& x, const wp::array<float>& y,
            std::vector<std::string>* log) {
  std::vector<float> xs = host(x), ys(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) ys[i] = xs[i] * xs[i];
  put(y, ys);
  if (!tape) return;
  tape->record("square", [=] {
    if (log) log->push_back("square");
    std::vector<float> gx = host_grad(x), gy = host_grad(y);
    for (size_t i = 0; i < xs.size(); ++i) gx[i] += 2.0f * xs[i] * gy[i];
    put(x.grad_array(), gx);
  }, {wp::detail::tape_array(x), wp::detail::tape_array(y)}, {});
}

void sum(wp::Tape* tape, const wp::array<float>& y, const wp::array<float>& loss,
         std::vector<std::string>* log) {
  float s = 0.0f;
  for (float v : host(y)) s += v;
  put(loss, {s});
  if (!tape) return;
  tape->record("sum", [=] {
    if (log) log->push_back("sum");
    const float g = host_grad(loss)[0];
    std::vector<float> gy = host_grad(y);
    for (float& v : gy) v += g;
    put(y.grad_array(), gy);
  }, {wp::detail::tape_array(y), wp::detail::tape_array(loss)}, {});
}

void scale(wp::Tape* tape, const wp::array<float>& x, float s, const wp::array<float>& y) {
  std::vector<float> xs = host(x), ys(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) ys[i] = s * xs[i];
  put(y, ys);
  if (!tape) return;
  wp::array<float> adj_s = wp::zeros<float>(wp::Shape{1}, x.device());
  tape->record("scale", [=] {
    std::vector<float> gx = host_grad(x), gy = host_grad(y);
    std::vector<float> gs = adj_s.to_host();
    for (size_t i = 0; i < xs.size(); ++i) {
      gs[0] += xs[i] * gy[i];
      gx[i] += s * gy[i];
    }
    put(x.grad_array(), gx);
    put(adj_s, gs);
  }, {wp::detail::tape_array(x), wp::detail::tape_array(y)},
     {wp::detail::tape_param("s", adj_s)});
}

TEST(Tape, RecordingPointerIsPerThreadAndExclusive) {
  EXPECT_EQ(wp::Tape::recording(), nullptr);
  wp::Tape a, b;
  a.begin();
  EXPECT_EQ(wp::Tape::recording(), &a);
  wp::Tape* other_thread = &a;
  std::thread([&] { other_thread = wp::Tape::recording(); }).join();
  EXPECT_EQ(other_thread, nullptr);
  EXPECT_EQ(error_of([&] { a.begin(); }), "Tape::begin: this tape is already recording");
  EXPECT_EQ(error_of([&] { b.begin(); }),
            "Tape::begin: another tape is already recording on this thread (call end() on it "
            "first)");
  EXPECT_EQ(error_of([&] { b.end(); }), "Tape::end: this tape is not recording on this thread");
  a.end();
  EXPECT_EQ(wp::Tape::recording(), nullptr);
  b.begin();
  EXPECT_EQ(wp::Tape::recording(), &b);
  b.end();
}

TEST(Tape, DestroyingARecordingTapeStopsTheRecording) {
  {
    wp::Tape t;
    t.begin();
    EXPECT_EQ(wp::Tape::recording(), &t);
  }
  EXPECT_EQ(wp::Tape::recording(), nullptr);
}

// Σ (x_i)^2 on the host as the reference: d/dx_i = 2 x_i.
void check_chain(const wp::Device& dev) {
  const std::vector<float> xs = {0.5f, -1.25f, 2.0f, 3.0f};
  wp::array<float> x = wp::from_host(xs, {4}, dev, true);
  wp::array<float> y = wp::zeros<float>(wp::Shape{4}, dev, true);
  wp::array<float> loss = wp::zeros<float>(wp::Shape{1}, dev, true);
  wp::Tape tape;
  std::vector<std::string> log;
  tape.begin();
  square(wp::Tape::recording(), x, y, &log);
  sum(wp::Tape::recording(), y, loss, &log);
  tape.end();
  ASSERT_EQ(tape.launch_count(), 2u);
  EXPECT_EQ(tape.kernel(0), "square");
  EXPECT_EQ(tape.kernel(1), "sum");
  EXPECT_FLOAT_EQ(host(loss)[0], 0.25f + 1.5625f + 4.0f + 9.0f);

  tape.backward(loss);
  EXPECT_EQ(log, (std::vector<std::string>{"sum", "square"}));  // reverse launch order
  std::vector<float> g = host_grad(x);
  for (size_t i = 0; i < xs.size(); ++i) EXPECT_FLOAT_EQ(g[i], 2.0f * xs[i]) << i;

  tape.backward(loss);  // gradients accumulate: loss.grad = 1 again, y.grad = 2, x.grad = 6x
  g = host_grad(x);
  for (size_t i = 0; i < xs.size(); ++i) EXPECT_FLOAT_EQ(g[i], 6.0f * xs[i]) << i;

  tape.zero();
  for (float v : host_grad(x)) EXPECT_EQ(v, 0.0f);
  for (float v : host_grad(y)) EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(host_grad(loss)[0], 0.0f);
  tape.backward(loss);
  g = host_grad(x);
  for (size_t i = 0; i < xs.size(); ++i) EXPECT_FLOAT_EQ(g[i], 2.0f * xs[i]) << i;
}

TEST(Tape, BackwardRunsClosuresInReverseAndAccumulates) { check_chain(wp::Device()); }

TEST(Tape, BackwardWithoutLossUsesCallerSeeds) {
  wp::array<float> x = wp::from_host(std::vector<float>{1.0f, 2.0f, -3.0f}, {3}, {}, true);
  wp::array<float> y = wp::zeros<float>(wp::Shape{3}, {}, true);
  wp::Tape tape;
  tape.begin();
  square(&tape, x, y, nullptr);
  tape.end();
  put(y.grad_array(), {1.0f, 0.5f, -2.0f});
  tape.backward();
  EXPECT_EQ(host_grad(x), (std::vector<float>{2.0f, 2.0f, 12.0f}));
}

TEST(Tape, LossMustBeOneElementWithGradient) {
  wp::Tape tape;
  wp::array<float> two = wp::zeros<float>(wp::Shape{2}, {}, true);
  wp::array<float> no_grad = wp::zeros<float>(wp::Shape{1});
  EXPECT_EQ(error_of([&] { tape.backward(two); }),
            "Tape::backward: the loss must be a one-element array; it has shape (2,)");
  EXPECT_EQ(error_of([&] { tape.backward(no_grad); }),
            "Tape::backward: the loss array has no gradient buffer (create it with "
            "requires_grad=true)");
}

void check_param_grad(const wp::Device& dev) {
  const std::vector<float> xs = {1.0f, -2.0f, 0.5f};
  wp::array<float> x = wp::from_host(xs, {3}, dev, true);
  wp::array<float> y = wp::zeros<float>(wp::Shape{3}, dev, true);
  wp::Tape tape;
  tape.begin();
  scale(&tape, x, 3.0f, y);
  scale(&tape, y, -0.5f, y);  // in place: y ← -0.5 (3x); the record of y reads y's new values
  tape.end();
  put(y.grad_array(), {1.0f, 1.0f, 1.0f});
  tape.backward();
  // Launch 1 runs first: its input is y at launch time (3x); s1 = Σ 3 x_i * 1 = -1.5 and,
  // x and y being one buffer, y.grad becomes 1 + (-0.5) * 1 = 0.5 (Warp's in-place rule).
  EXPECT_FLOAT_EQ(tape.param_grad<float>(1, "s"), -1.5f);
  // y.grad is now 0.5; launch 0: s0 = Σ x_i * 0.5 = -0.25, x.grad = 3 * 0.5 = 1.5.
  EXPECT_FLOAT_EQ(tape.param_grad<float>(0, "s"), -0.25f);
  for (float v : host_grad(x)) EXPECT_FLOAT_EQ(v, 1.5f);
  tape.zero();
  EXPECT_EQ(tape.param_grad<float>(0, "s"), 0.0f);
  EXPECT_EQ(tape.param_grad<float>(1, "s"), 0.0f);
}

TEST(Tape, ParamGradSumsOverThreadsPerLaunch) { check_param_grad(wp::Device()); }

TEST(Tape, ParamGradAndKernelErrors) {
  wp::array<float> x = wp::zeros<float>(wp::Shape{2}, {}, true);
  wp::array<float> y = wp::zeros<float>(wp::Shape{2}, {}, true);
  wp::Tape tape;
  scale(&tape, x, 2.0f, y);  // record() works without begin(): launchers call it directly
  EXPECT_EQ(error_of([&] { tape.param_grad<float>(0, "t"); }),
            "kernel 'scale': Tape::param_grad: launch 0 has no gradient for a parameter "
            "named 't'");
  EXPECT_EQ(error_of([&] { tape.param_grad<double>(0, "s"); }),
            "kernel 'scale': Tape::param_grad: parameter 's' has a gradient of 4 bytes; the "
            "requested type has 8");
  EXPECT_EQ(error_of([&] { tape.param_grad<float>(1, "s"); }),
            "Tape::param_grad: launch 1 does not exist (the tape holds 1 launches)");
  EXPECT_EQ(error_of([&] { tape.kernel(3); }),
            "Tape::kernel: launch 3 does not exist (the tape holds 1 launches)");
  EXPECT_EQ(error_of([&] { tape.record("k", nullptr, {}, {}); }),
            "kernel 'k': Tape::record: empty backward closure");
  tape.reset();
  EXPECT_EQ(tape.launch_count(), 0u);
  EXPECT_EQ(error_of([&] { tape.kernel(0); }),
            "Tape::kernel: launch 0 does not exist (the tape holds 0 launches)");
}

TEST(Tape, ResetForgetsRecordsButKeepsGradients) {
  wp::array<float> x = wp::from_host(std::vector<float>{2.0f}, {1}, {}, true);
  wp::array<float> y = wp::zeros<float>(wp::Shape{1}, {}, true);
  wp::Tape tape;
  square(&tape, x, y, nullptr);
  put(y.grad_array(), {1.0f});
  tape.backward();
  tape.reset();
  EXPECT_NE(error_of([&] { tape.backward(); }).find("the tape has recorded no launches"), std::string::npos);
  tape.zero();      // nothing recorded: nothing zeroed
  EXPECT_EQ(host_grad(x)[0], 4.0f);
  EXPECT_EQ(host_grad(y)[0], 1.0f);
}

TEST(Tape, ClosureErrorPropagatesAndStopsTheSweep) {
  wp::Tape tape;
  int ran = 0;
  tape.record("first", [&] { ++ran; }, {}, {});
  tape.record("bad", [] { throw wp::Error("adjoint failed", "bad"); }, {}, {});
  EXPECT_EQ(error_of([&] { tape.backward(); }), "kernel 'bad': adjoint failed");
  EXPECT_EQ(ran, 0);
}

TEST(Tape, RecordEntries) {
  wp::array<float> no_grad = wp::zeros<float>(wp::Shape{3});
  wp::Tape::ArrayRef r = wp::detail::tape_array(no_grad);
  EXPECT_EQ(r.grad, nullptr);
  EXPECT_EQ(r.bytes, 0u);
  EXPECT_EQ(wp::detail::tape_array(wp::array<float>()).grad, nullptr);

  wp::Tape tape;
  float* grad_ptr = nullptr;
  {
    wp::array<wp::vec3f> v = wp::zeros<wp::vec3f>(wp::Shape{2, 5}, {}, true);
    grad_ptr = &v.grad()->c[0];
    r = wp::detail::tape_array(v);
    EXPECT_EQ(r.grad, v.grad());
    EXPECT_EQ(r.bytes, 2u * 5u * sizeof(wp::vec3f));
    EXPECT_TRUE(r.device.is_cpu());
    wp::array<wp::vec3f> row = v.view_row(1);  // a packed view: its own byte range
    wp::Tape::ArrayRef rr = wp::detail::tape_array(row);
    EXPECT_EQ(rr.grad, v.grad() + 5);
    EXPECT_EQ(rr.bytes, 5u * sizeof(wp::vec3f));
    tape.record("k", [] {}, {r, rr}, {});
  }
  // The record keeps the memory alive after the last user handle is gone; zero() writes it.
  grad_ptr[7] = 5.0f;
  tape.zero();
  EXPECT_EQ(grad_ptr[7], 0.0f);

  float buf[8] = {};
  float gbuf[8] = {};
  wp::array<float> strided(buf, wp::Shape{4}, wp::Strides{8}, wp::Device(), gbuf);
  EXPECT_EQ(error_of([&] { wp::detail::tape_array(strided); }),
            "Tape: cannot record a launch argument of shape (4,) whose gradient buffer is not "
            "densely packed (a strided wrap): Tape::zero() clears gradients as byte ranges; "
            "pass densely packed arrays to recorded launches");
  EXPECT_EQ(error_of([] { wp::detail::tape_param("dt", wp::zeros<float>(wp::Shape{2})); }),
            "Tape: the gradient accumulator of parameter 'dt' must hold exactly one element "
            "(it has 2)");
  wp::Tape::ParamGrad p = wp::detail::tape_param("q", wp::zeros<wp::quatf>(wp::Shape{1}));
  EXPECT_EQ(p.name, "q");
  EXPECT_EQ(p.bytes, sizeof(wp::quatf));
  EXPECT_NE(p.keep, nullptr);
}

// A host function (Tape::record_func): z[i] = y[n-1-i], backward y.grad[i] += z.grad[n-1-i],
// between two generated-style records; the sweep runs it in order, zero() clears its arrays.
void reverse(wp::Tape& tape, const wp::array<float>& y, const wp::array<float>& z, std::vector<std::string>* log) {
  std::vector<float> ys = host(y);
  put(z, std::vector<float>(ys.rbegin(), ys.rend()));
  tape.record_func("reverse", [=] {
    log->push_back("reverse");
    std::vector<float> gy = host_grad(y), gz = host_grad(z);
    for (size_t i = 0; i < gy.size(); ++i) gy[i] += gz[gz.size() - 1 - i];
    put(y.grad_array(), gy);
  }, {wp::tape_ref(y)}, {wp::tape_ref(z)});
}

TEST(Tape, RecordFuncJoinsTheReverseSweep) {
  const std::vector<float> xs = {0.5f, -1.25f, 2.0f, 3.0f};
  wp::array<float> x = wp::from_host(xs, {4}, {}, true);
  wp::array<float> y = wp::zeros<float>(wp::Shape{4}, {}, true), z = wp::zeros<float>(wp::Shape{4}, {}, true);
  wp::array<float> loss = wp::zeros<float>(wp::Shape{1}, {}, true);
  wp::Tape tape;
  std::vector<std::string> log;
  {
    wp::TapeScope recording(tape);
    square(&tape, x, y, &log);
    reverse(tape, y, z, &log);
    sum(&tape, z, loss, &log);
  }
  ASSERT_EQ(tape.launch_count(), 3u);
  EXPECT_EQ(tape.kernel(1), "reverse");
  EXPECT_EQ(host(z), (std::vector<float>{9.0f, 4.0f, 1.5625f, 0.25f}));
  put(z.grad_array(), {1.0f, 2.0f, 3.0f, 4.0f});  // seeds: a weighted sum of z
  tape.backward();
  EXPECT_EQ(log, (std::vector<std::string>{"sum", "reverse", "square"}));
  // y.grad[i] = z.grad[3-i] (+ loss.grad = 0 from sum), x.grad[i] = 2 x_i y.grad[i]
  EXPECT_EQ(host_grad(y), (std::vector<float>{4.0f, 3.0f, 2.0f, 1.0f}));
  EXPECT_EQ(host_grad(x), (std::vector<float>{4.0f, -7.5f, 8.0f, 6.0f}));
  tape.zero();
  for (float v : host_grad(y)) EXPECT_EQ(v, 0.0f);
  for (float v : host_grad(z)) EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(error_of([&] { tape.record_func("f", {}, {}, {}); }), "kernel 'f': Tape::record: empty backward closure");
}

TEST(Tape, RecordFuncOutputsCountAsWritten) {
  // A launch reading a host function's output that has no gradient, while gradients flow
  // through the launch, cuts the chain: reported like a launch's output; its input is not.
  wp::array<float> in = wp::zeros<float>(wp::Shape{2}), out = wp::zeros<float>(wp::Shape{2});
  wp::array<float> other = wp::zeros<float>(wp::Shape{2}, {}, true);
  wp::Tape tape;
  tape.set_missing_grad_policy(wp::Tape::MissingGrad::Throw);
  tape.record_func("f", [] {}, {wp::tape_ref(in)}, {wp::tape_ref(out)});
  EXPECT_NO_THROW(tape.record("reads_in", [] {}, {wp::detail::tape_array(in, "in", true), wp::detail::tape_array(other, "o")}, {}));
  EXPECT_NE(error_of([&] {
    tape.record("reads_out", [] {}, {wp::detail::tape_array(out, "out", true), wp::detail::tape_array(other, "o")}, {});
  }).find("argument 'out' has no gradient buffer, but an earlier recorded launch wrote it"), std::string::npos);
}

// The same flows with every array on cuda:0: zero() and the loss seed write device memory,
// param_grad copies device → host.
class TapeCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    if (wp::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  }
};

TEST_F(TapeCuda, ChainOnDevice) { check_chain(wp::Device("cuda:0")); }
TEST_F(TapeCuda, ParamGradOnDevice) { check_param_grad(wp::Device("cuda:0")); }

}  // namespace
