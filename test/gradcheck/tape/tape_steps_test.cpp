// tape_steps_test.cpp — wp::Tape::record_steps (checkpointed step sequences), keep_grad /
// zero_grad, gradients of struct fields and the text / DOT dumps, with generated launchers
// (tape_steps.wp). Checkpointed gradients are compared element by element with the gradients
// of the same simulation recorded on a plain tape with one array per step (every state kept).
//   tape_steps_test [cpu | cuda:0] [gtest options]   (cuda:0 without a device: tests skip)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <sstream>
#include <string>
#include <vector>

#include "tape_steps.wp.h"

namespace {

wp::Device g_device;  // set by main()

constexpr int kN = 9;
constexpr double kDt = 0.05;

// A skip without a device; every test starts with it.
#define REQUIRE_DEVICE()                                                              \
  if (g_device.is_cuda() && wp::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device"

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const wp::Error& e) {
    return e.what();
  }
  return "(no error)";
}

struct Inputs {
  std::vector<double> x0, v0, stiff, target;
  Inputs() {
    for (int i = 0; i < kN; ++i) {
      x0.push_back(0.3 * std::sin(1.7 * i + 0.2));
      v0.push_back(0.1 * std::cos(0.9 * i));
      stiff.push_back(1.0 + 0.25 * i);
      target.push_back(0.05 * i - 0.2);
    }
  }
};

struct Grads {
  std::vector<double> x0, v0, stiff;
  float loss = 0;
  double dt = 0;  // the gradient w.r.t. the value parameter dt, summed over the steps
};

wp::array<double> arr(const std::vector<double>& v) { return wp::from_host(v, {kN}, g_device, true); }

// The reference: one x, v and f array per step, all launches on a plain tape.
Grads full_storage(const Inputs& in, int steps) {
  std::vector<wp::array<double>> xs = {arr(in.x0)}, vs = {arr(in.v0)}, fs;
  const wp::array<double> stiff = arr(in.stiff), target = wp::from_host(in.target, {kN}, g_device);
  const wp::array<float> loss = wp::zeros<float>(1, g_device, true);
  wp::Tape tape;
  {
    wp::TapeScope recording(tape);
    for (int k = 0; k < steps; ++k) {
      fs.push_back(wp::zeros<double>(kN, g_device, true));
      xs.push_back(wp::zeros<double>(kN, g_device, true));
      vs.push_back(wp::zeros<double>(kN, g_device, true));
      tape_steps::forces(kN, xs[k], stiff, fs[k]);
      tape_steps::integrate_to(kN, xs[k], vs[k], fs[k], kDt, xs[k + 1], vs[k + 1]);
    }
    tape_steps::chain_loss(kN, xs.back(), vs.back(), target, loss);
  }
  tape.backward(loss);
  return {xs[0].grad_array().to_host(), vs[0].grad_array().to_host(), stiff.grad_array().to_host(),
          loss.to_host()[0], tape.param_grad_total<double>("integrate_to", "dt")};
}

// The same simulation in place (x, v carry the state), checkpointed with `budget` bytes.
struct Checkpointed {
  wp::array<double> x, v, f, stiff, target;
  wp::array<float> loss;
  wp::Tape tape;
  explicit Checkpointed(const Inputs& in)
      : x(arr(in.x0)), v(arr(in.v0)), f(wp::zeros<double>(kN, g_device, true)), stiff(arr(in.stiff)),
        target(wp::from_host(in.target, {kN}, g_device)), loss(wp::zeros<float>(1, g_device, true)) {}
  void step(int) {
    tape_steps::forces(kN, x, stiff, f);
    tape_steps::integrate(kN, x, v, f, kDt);
  }
  void record(int steps, size_t budget) {
    tape.set_memory_budget(budget);
    wp::TapeScope recording(tape);
    tape.record_steps(steps, {wp::tape_state(x, "x"), wp::tape_state(v, "v")}, [this](int k) { step(k); });
    tape_steps::chain_loss(kN, x, v, target, loss);
  }
  Grads run(int steps, size_t budget) {
    record(steps, budget);
    tape.backward(loss);
    return grads();
  }
  Grads grads() const {
    const double dt = tape.param_grad_total<double>("integrate", "dt");
    EXPECT_EQ(tape.param_grad<double>(0, "integrate.dt"), dt);  // record 0: the sequence
    return {x.grad_array().to_host(), v.grad_array().to_host(), stiff.grad_array().to_host(), loss.to_host()[0], dt};
  }
};

constexpr size_t kStateBytes = 2 * kN * sizeof(double);

void expect_equal(const std::vector<double>& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_LE(std::fabs(got[i] - want[i]), 1e-6 * std::fabs(want[i]) + 1e-14)
        << what << "[" << i << "]: " << got[i] << " vs " << want[i];
}

void expect_equal(const Grads& got, const Grads& want, const std::string& what) {
  expect_equal(got.x0, want.x0, what + " dL/dx0");
  expect_equal(got.v0, want.v0, what + " dL/dv0");
  expect_equal(got.stiff, want.stiff, what + " dL/dstiff");
  EXPECT_FLOAT_EQ(got.loss, want.loss) << what << " loss";
  EXPECT_NE(want.dt, 0.0) << what;
  expect_equal(std::vector<double>{got.dt}, std::vector<double>{want.dt}, what + " dL/ddt");
}

// Snapshot counts the tests use: 2 (the least), 3, about sqrt(T), T/2, and no budget (0).
std::vector<size_t> budgets_for(int steps) {
  std::vector<size_t> b = {0};
  for (int s : {std::min(steps, 2), 3, static_cast<int>(std::ceil(std::sqrt(steps))), steps / 2})
    if (s >= std::min(steps, 2)) b.push_back(static_cast<size_t>(s) * kStateBytes + 7);  // +7: not a multiple
  return b;
}

TEST(TapeSteps, CheckpointedGradientsEqualFullStorage) {
  REQUIRE_DEVICE();
  const Inputs in;
  for (int steps : {1, 2, 7, 100}) {
    const Grads want = full_storage(in, steps);
    for (size_t budget : budgets_for(steps)) {
      Checkpointed c(in);
      const Grads got = c.run(steps, budget);
      const std::string what = "T=" + std::to_string(steps) + " budget=" + std::to_string(budget);
      expect_equal(got, want, what);
      const wp::Tape::CheckpointStats& s = c.tape.checkpoint_stats();
      const size_t slots = budget ? budget / kStateBytes : static_cast<size_t>(steps);
      EXPECT_EQ(s.sequences, 1u) << what;
      EXPECT_EQ(s.steps, static_cast<size_t>(steps)) << what;
      EXPECT_EQ(s.state_bytes, kStateBytes) << what;
      EXPECT_LE(s.peak_snapshots, std::min<size_t>(slots, steps)) << what;
      if (budget) {
        EXPECT_LE(c.tape.peak_bytes(), budget) << what;
      }
      EXPECT_EQ(c.tape.peak_bytes(), s.peak_snapshots * kStateBytes) << what;
      EXPECT_EQ(s.rerun_steps, static_cast<size_t>(steps)) << what;  // each step once under recording
      // integrate, the step's last update of the state, is recorded but not run by the re-runs.
      EXPECT_EQ(s.skipped_launches, static_cast<size_t>(steps)) << what;
      // No step is advanced more often than the schedule's repetition bound.
      EXPECT_LE(s.advanced_steps, static_cast<size_t>(s.repetitions) * steps) << what;
      if (slots >= static_cast<size_t>(steps)) {
        EXPECT_EQ(s.advanced_steps, 0u) << what;
      }
      if (slots == 2) {
        EXPECT_EQ(s.advanced_steps, static_cast<size_t>(steps - 1) * (steps - 2) / 2) << what;
      }
    }
  }
}

// Records `steps` calls of `step` on c's tape (state x, v; `budget` bytes), then the loss, runs
// backward and returns the gradients (dt's summed over the launches of `dt_kernel`).
Grads run_steps(Checkpointed& c, int steps, size_t budget, const char* dt_kernel, const std::function<void()>& step) {
  c.tape.set_memory_budget(budget);
  {
    wp::TapeScope recording(c.tape);
    c.tape.record_steps(steps, {wp::tape_state(c.x, "x"), wp::tape_state(c.v, "v")}, [&](int) { step(); });
    tape_steps::chain_loss(kN, c.x, c.v, c.target, c.loss);
  }
  c.tape.backward(c.loss);
  return {c.x.grad_array().to_host(), c.v.grad_array().to_host(), c.stiff.grad_array().to_host(), c.loss.to_host()[0],
          c.tape.param_grad_total<double>(dt_kernel, "dt")};
}

// Checkpointed runs of a step variant (make_step(c) returns c's step) against full storage, for
// 1, 7 and 30 steps and every test budget, with `skipped_per_step` launches skipped per re-run.
void expect_variant_equals_full_storage(const char* label, const char* dt_kernel, size_t skipped_per_step,
                                        const std::function<std::function<void()>(Checkpointed&)>& make_step) {
  const Inputs in;
  for (int steps : {1, 7, 30}) {
    const Grads want = full_storage(in, steps);
    for (size_t budget : budgets_for(steps)) {
      Checkpointed c(in);
      const Grads got = run_steps(c, steps, budget, dt_kernel, make_step(c));
      const std::string what = std::string(label) + " T=" + std::to_string(steps) + " budget=" + std::to_string(budget);
      expect_equal(got, want, what);
      EXPECT_EQ(c.tape.checkpoint_stats().skipped_launches, skipped_per_step * steps) << what;
    }
  }
}

// A step that writes the state through temporaries and write-only copies (no launch updates
// a state array in place, so nothing saves it): the state must be restored from the snapshot
// before the step's backward pass, else integrate_to's backward reads the next step's state.
// Both copies write only state arrays nothing later in the step touches: skipped by the
// re-runs (integrate_to writes temporaries, which copy_back reads: it runs).
TEST(TapeSteps, StateWrittenByCopiesEqualsFullStorage) {
  REQUIRE_DEVICE();
  expect_variant_equals_full_storage("copies", "integrate_to", 2, [](Checkpointed& c) -> std::function<void()> {
    const wp::array<double> xt = wp::zeros<double>(kN, g_device, true), vt = wp::zeros<double>(kN, g_device, true);
    return [&c, xt, vt] {
      tape_steps::forces(kN, c.x, c.stiff, c.f);
      tape_steps::integrate_to(kN, c.x, c.v, c.f, kDt, xt, vt);
      tape_steps::copy_back(kN, xt, c.x);
      tape_steps::copy_back(kN, vt, c.v);
    };
  });
}

// The step's last update is skipped by the re-runs although its backward pass replays stores
// into x (the launcher still restores x after that pass, for forces' backward pass): same
// gradients as full storage.
TEST(TapeSteps, SkippedUpdateWithReplayedStoresEqualsFullStorage) {
  REQUIRE_DEVICE();
  expect_variant_equals_full_storage("reread", "integrate_reread", 1, [](Checkpointed& c) -> std::function<void()> {
    return [&c] {
      tape_steps::forces(kN, c.x, c.stiff, c.f);
      tape_steps::integrate_reread(kN, c.x, c.v, c.f, kDt);
    };
  });
}

// Step graphs (Tape::set_step_graphs): on CUDA, with room in the budget for the copy of the
// state the re-run graph reads (min(T, 2) + 1 snapshots), every re-run after step 0 and every
// advanced step after step 0 is a graph replay; on the CPU, or without that room, none is.
// The gradients are full storage's either way.
TEST(TapeSteps, StepGraphsEqualFullStorage) {
  REQUIRE_DEVICE();
  const Inputs in;
  for (int steps : {2, 7, 30}) {
    const Grads want = full_storage(in, steps);
    for (size_t budget : budgets_for(steps)) {
      Checkpointed c(in);
      c.tape.set_step_graphs(true);
      const Grads got = c.run(steps, budget);
      const std::string what = "graphs T=" + std::to_string(steps) + " budget=" + std::to_string(budget);
      expect_equal(got, want, what);
      const wp::Tape::CheckpointStats& s = c.tape.checkpoint_stats();
      EXPECT_EQ(s.rerun_steps, static_cast<size_t>(steps)) << what;
      EXPECT_EQ(s.skipped_launches, static_cast<size_t>(steps)) << what;  // replays count theirs too
      if (budget) {
        EXPECT_LE(c.tape.peak_bytes(), budget) << what;
      }
      const bool room = !budget || budget / kStateBytes >= static_cast<size_t>(std::min(steps, 2)) + 1;
      if (g_device.is_cuda() && room) {
        EXPECT_GE(s.graph_steps, static_cast<size_t>(steps - 1)) << what;  // the re-runs after step 0
        EXPECT_LT(s.graph_steps, s.recomputed_steps()) << what;            // step 0 is re-run as it is
      } else {
        EXPECT_EQ(s.graph_steps, 0u) << what;
      }
    }
  }
}

// A second backward pass (after zero()) replays the same graphs: the same gradients again.
TEST(TapeSteps, StepGraphsSecondPassRepeatsTheFirst) {
  REQUIRE_DEVICE();
  const Inputs in;
  Checkpointed c(in);
  c.tape.set_step_graphs(true);
  const Grads first = c.run(20, 4 * kStateBytes);
  c.tape.zero();
  c.tape.backward(c.loss);
  expect_equal(c.grads(), first, "second pass");
  if (g_device.is_cuda()) {
    EXPECT_GT(c.tape.checkpoint_stats().graph_steps, 2u * 19u);
  }
}

// Steps whose captures differ from step 1's (here: forces launched with another block size
// every other step — the same arithmetic) are recomputed launch by launch: no replay, and
// the gradients of full storage.
TEST(TapeSteps, StepGraphsOffWhenStepsDiffer) {
  REQUIRE_DEVICE();
  const Inputs in;
  const int steps = 9;
  const Grads want = full_storage(in, steps);
  Checkpointed c(in);
  c.tape.set_step_graphs(true);
  c.tape.set_memory_budget(4 * kStateBytes);
  {
    wp::TapeScope recording(c.tape);
    c.tape.record_steps(steps, {wp::tape_state(c.x, "x"), wp::tape_state(c.v, "v")}, [&](int k) {
      tape_steps::forces(kN, c.x, c.stiff, c.f, {.device = g_device, .block_dim = k % 2 ? 128 : 64});
      tape_steps::integrate(kN, c.x, c.v, c.f, kDt);
    });
    tape_steps::chain_loss(kN, c.x, c.v, c.target, c.loss);
  }
  c.tape.backward(c.loss);
  expect_equal(c.grads(), want, "block sizes differ");
  EXPECT_EQ(c.tape.checkpoint_stats().graph_steps, 0u);
}

// A kernel with a parameter gradient first launched after step 0 (step 0 integrates through
// temporaries, later steps in place: the same arithmetic) would get its accumulator inside
// a capture: the capture is abandoned, nothing is replayed, and dt's gradient, summed over
// both kernels, is full storage's.
TEST(TapeSteps, StepGraphsOffWhenAnAccumulatorAppearsLate) {
  REQUIRE_DEVICE();
  const Inputs in;
  const int steps = 6;
  const Grads want = full_storage(in, steps);
  Checkpointed c(in);
  c.tape.set_step_graphs(true);
  const wp::array<double> xt = wp::zeros<double>(kN, g_device, true), vt = wp::zeros<double>(kN, g_device, true);
  {
    wp::TapeScope recording(c.tape);
    c.tape.record_steps(steps, {wp::tape_state(c.x, "x"), wp::tape_state(c.v, "v")}, [&](int k) {
      tape_steps::forces(kN, c.x, c.stiff, c.f);
      if (k == 0) {
        tape_steps::integrate_to(kN, c.x, c.v, c.f, kDt, xt, vt);
        tape_steps::copy_back(kN, xt, c.x);
        tape_steps::copy_back(kN, vt, c.v);
      } else {
        tape_steps::integrate(kN, c.x, c.v, c.f, kDt);
      }
    });
    tape_steps::chain_loss(kN, c.x, c.v, c.target, c.loss);
  }
  c.tape.backward(c.loss);
  const Grads got{c.x.grad_array().to_host(), c.v.grad_array().to_host(), c.stiff.grad_array().to_host(),
                  c.loss.to_host()[0],
                  c.tape.param_grad_total<double>("integrate", "dt") + c.tape.param_grad_total<double>("integrate_to", "dt")};
  expect_equal(got, want, "late accumulator");
  EXPECT_EQ(c.tape.checkpoint_stats().graph_steps, 0u);
}

TEST(TapeSteps, BinomialScheduleNeedsFewSnapshots) {
  REQUIRE_DEVICE();
  // 100 steps with 15 snapshots: C(14 + r, r) ≥ 100 first for r = 2 (C(16, 2) = 120), so
  // every step is advanced at most twice; the peak memory is the budget's, not 100 states.
  const Inputs in;
  Checkpointed c(in);
  c.run(100, 15 * kStateBytes);
  const wp::Tape::CheckpointStats& s = c.tape.checkpoint_stats();
  EXPECT_EQ(s.max_snapshots, 15u);
  EXPECT_EQ(s.repetitions, 2);
  EXPECT_LE(s.peak_snapshots, 15u);
  EXPECT_GE(s.peak_snapshots, 2u);
  EXPECT_LE(s.advanced_steps, 200u);
  EXPECT_EQ(s.recomputed_steps(), s.advanced_steps + s.rerun_steps);
}

// Many steps of a host function (record_func) in place on a one-element state: x ← 0.999·x +
// 0.001, so d x_T / d x_0 = 0.999^T; with every state kept (the schedule's right spine is T
// deep: a loop, not a recursion) and with 10 snapshots (C(16, 7) < 20000 ≤ C(17, 8): r = 8).
TEST(TapeSteps, ManyHostSteps) {
  constexpr int kSteps = 20000;
  for (size_t budget : {size_t{0}, 10 * sizeof(double)}) {
    auto x = wp::full<double>(1, 0.5, wp::Device(), true);
    wp::Tape tape;
    tape.set_memory_budget(budget);
    tape.record_steps(kSteps, {wp::tape_state(x, "x")}, [&](int) {
      double* p = x.data();
      p[0] = 0.999 * p[0] + 0.001;
      if (wp::Tape* t = wp::Tape::recording())
        t->record_func("decay", [x] { x.grad()[0] *= 0.999; }, {wp::tape_ref(x)}, {wp::tape_ref(x)});
    });
    x.grad()[0] = 1.0;
    tape.backward();
    EXPECT_NEAR(x.grad()[0] / std::pow(0.999, kSteps), 1.0, 1e-9) << "budget " << budget;
    EXPECT_EQ(tape.checkpoint_stats().rerun_steps, static_cast<size_t>(kSteps));
    EXPECT_EQ(tape.checkpoint_stats().skipped_launches, 0u);  // host functions always run
    if (budget) {
      EXPECT_EQ(tape.checkpoint_stats().repetitions, 8);
      EXPECT_LE(tape.checkpoint_stats().advanced_steps, 8u * kSteps);
      EXPECT_LE(tape.peak_bytes(), budget);
    }
  }
}

TEST(TapeSteps, SecondPassAfterZeroRepeatsTheFirst) {
  REQUIRE_DEVICE();
  const Inputs in;
  Checkpointed c(in);
  const Grads first = c.run(7, 3 * kStateBytes);
  // After backward the state arrays hold the state at step 0.
  const std::vector<double> x_after = c.x.to_host();
  for (int i = 0; i < kN; ++i) EXPECT_EQ(x_after[i], in.x0[i]);
  c.tape.zero();
  for (double g : c.x.grad_array().to_host()) EXPECT_EQ(g, 0.0);
  for (double g : c.stiff.grad_array().to_host()) EXPECT_EQ(g, 0.0);
  const size_t advanced = c.tape.checkpoint_stats().advanced_steps;
  c.tape.backward(c.loss);
  expect_equal(c.grads(), first, "second pass");
  EXPECT_GE(c.tape.checkpoint_stats().advanced_steps, advanced + 7);  // the forward re-run first
  // Without zero() gradients accumulate in every buffer (Warp's rule, the state arrays'
  // included), but the seed is set, not added: the loss gradient stays 1.
  c.tape.backward(c.loss);
  EXPECT_EQ(c.loss.grad_array().to_host()[0], 1.0f);
  EXPECT_NE(c.grads().stiff, first.stiff);
}

TEST(TapeSteps, BudgetTooSmall) {
  REQUIRE_DEVICE();
  const Inputs in;
  Checkpointed c(in);
  c.tape.set_memory_budget(kStateBytes + 5);  // one snapshot: not enough for two steps
  wp::TapeScope recording(c.tape);
  int calls = 0;
  const std::string e = error_of([&] {
    c.tape.record_steps(2, {wp::tape_state(c.x, "x"), wp::tape_state(c.v, "v")}, [&](int) { ++calls; });
  });
  EXPECT_NE(e.find("memory budget of " + std::to_string(kStateBytes + 5) + " bytes holds 1 snapshot(s)"), std::string::npos) << e;
  EXPECT_NE(e.find("needs at least 2"), std::string::npos) << e;
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(c.tape.launch_count(), 0u);
  c.tape.set_memory_budget(kStateBytes - 1);
  EXPECT_NE(error_of([&] {
              c.tape.record_steps(1, {wp::tape_state(c.x), wp::tape_state(c.v)}, [&](int) { ++calls; });
            }).find("holds 0 snapshot(s)"),
            std::string::npos);
  c.tape.set_memory_budget(kStateBytes);  // exactly one snapshot reverses one step
  EXPECT_NO_THROW(c.tape.record_steps(1, {wp::tape_state(c.x), wp::tape_state(c.v)}, [&](int k) { c.step(k); }));
}

TEST(TapeSteps, BadArguments) {
  REQUIRE_DEVICE();
  const Inputs in;
  Checkpointed c(in);
  auto state = [&] { return std::vector<wp::Tape::StateRef>{wp::tape_state(c.x, "x")}; };
  EXPECT_NE(error_of([&] { c.tape.record_steps(0, state(), [](int) {}); }).find("at least 1"), std::string::npos);
  EXPECT_NE(error_of([&] { c.tape.record_steps(3, state(), nullptr); }).find("empty step function"), std::string::npos);
  EXPECT_NE(error_of([&] { c.tape.record_steps(3, {}, [](int) {}); }).find("no state arrays"), std::string::npos);
  EXPECT_NE(error_of([&] { wp::tape_state(wp::array<double>(), "e"); }).find("holds no elements"), std::string::npos);
}

TEST(TapeSteps, StepErrorsNameTheStep) {
  REQUIRE_DEVICE();
  const Inputs in;
  {  // during the first run: nothing is recorded
    Checkpointed c(in);
    wp::TapeScope recording(c.tape);
    const std::string e = error_of([&] {
      c.tape.record_steps(7, {wp::tape_state(c.x), wp::tape_state(c.v)}, [&](int k) {
        if (k == 3) throw wp::Error("exploded", "my_kernel");
        c.step(k);
      });
    });
    EXPECT_EQ(e, "kernel 'my_kernel': Tape::record_steps: step 3 of 7: exploded");
    EXPECT_EQ(c.tape.launch_count(), 0u);
    EXPECT_EQ(wp::Tape::recording(), &c.tape);  // the recording tape is restored
    EXPECT_EQ(c.tape.peak_bytes() > 0, true);
  }
  {  // during backward: the recomputation of a step fails
    Checkpointed c(in);
    int calls = 0;
    bool fail = false;
    {
      wp::TapeScope recording(c.tape);
      c.tape.record_steps(5, {wp::tape_state(c.x), wp::tape_state(c.v)}, [&](int k) {
        ++calls;
        if (fail && k == 2) throw wp::Error("lost the mesh");
        c.step(k);
      });
      tape_steps::chain_loss(kN, c.x, c.v, c.target, c.loss);
    }
    fail = true;
    EXPECT_EQ(error_of([&] { c.tape.backward(c.loss); }), "Tape::backward: recomputing step 2 of 5: lost the mesh");
    EXPECT_EQ(wp::Tape::recording(), nullptr);
  }
  {  // a step that launches different work when recomputed
    Checkpointed c(in);
    int calls = 0;
    {
      wp::TapeScope recording(c.tape);
      c.tape.record_steps(3, {wp::tape_state(c.x), wp::tape_state(c.v)}, [&](int k) {
        c.step(k);
        if (++calls > 3 && k == 1) tape_steps::forces(kN, c.x, c.stiff, c.f);
      });
      tape_steps::chain_loss(kN, c.x, c.v, c.target, c.loss);
    }
    const std::string e = error_of([&] { c.tape.backward(c.loss); });
    EXPECT_NE(e.find("recomputing step 1 of 3 recorded 3 launch(es), its first run 2"), std::string::npos) << e;
  }
  {  // other exceptions pass through unchanged
    Checkpointed c(in);
    EXPECT_THROW(c.tape.record_steps(2, {wp::tape_state(c.x)}, [](int) { throw std::logic_error("x"); }),
                 std::logic_error);
  }
}

TEST(TapeSteps, StepFunctionMayNotDriveTheTape) {
  REQUIRE_DEVICE();
  const Inputs in;
  Checkpointed c(in);
  EXPECT_EQ(error_of([&] {
              c.tape.record_steps(2, {wp::tape_state(c.x)}, [&](int) {
                c.tape.record_steps(1, {wp::tape_state(c.v)}, [](int) {});
              });
            }),
            "Tape::record_steps: step 0 of 2: Tape::record_steps: called from inside a step function of this tape");
  EXPECT_NE(error_of([&] { c.tape.record_steps(2, {wp::tape_state(c.x)}, [&](int) { c.tape.begin(); }); })
                .find("Tape::begin: called from inside a step function"),
            std::string::npos);
  EXPECT_NE(error_of([&] { c.tape.record_steps(2, {wp::tape_state(c.x)}, [&](int) { c.tape.reset(); }); })
                .find("Tape::reset: called from inside a step function"),
            std::string::npos);
}

TEST(TapeSteps, ZeroKeepGradAndReset) {
  REQUIRE_DEVICE();
  const Inputs in;
  Checkpointed c(in);
  c.tape.keep_grad(c.stiff);
  c.run(7, 0);
  const std::vector<double> stiff_grad = c.stiff.grad_array().to_host();
  c.tape.zero();
  EXPECT_EQ(c.stiff.grad_array().to_host(), stiff_grad);  // kept
  for (double g : c.x.grad_array().to_host()) EXPECT_EQ(g, 0.0);
  for (double g : c.v.grad_array().to_host()) EXPECT_EQ(g, 0.0);
  for (double g : c.f.grad_array().to_host()) EXPECT_EQ(g, 0.0);  // an array of step 0's launches
  EXPECT_EQ(c.loss.grad_array().to_host()[0], 0.0f);
  c.tape.zero_grad(c.stiff);
  for (double g : c.stiff.grad_array().to_host()) EXPECT_EQ(g, 0.0);
  EXPECT_GT(c.tape.peak_bytes(), 0u);
  c.tape.reset();
  EXPECT_EQ(c.tape.launch_count(), 0u);
}

// The inputs of weighted_sum (loss += p.scale * p.w[i] * x[i]^2) for the struct tests.
struct WeightedSum {
  std::vector<float> xs = {0.5f, -1.0f, 2.0f}, ws = {1.0f, 2.0f, -3.0f};
  wp::array<float> x = wp::from_host(xs, {3}, g_device, true);
  wp::array<float> w = wp::from_host(ws, {3}, g_device, true);
  wp::array<float> loss = wp::zeros<float>(1, g_device, true);
  tape_steps::Weights p{w.view(), 1.5f};
  // d loss / d p.scale of one launch.
  float dscale() const { return ws[0] * xs[0] * xs[0] + ws[1] * xs[1] * xs[1] + ws[2] * xs[2] * xs[2]; }
};

// Inside a step sequence the gradient of a non-array parameter is summed over the steps
// on the device — struct parameters too — and the struct's array field gets its gradient.
TEST(TapeSteps, ParameterGradientsAreSummedOverSteps) {
  REQUIRE_DEVICE();
  WeightedSum c;
  wp::Tape tape;
  tape.set_memory_budget(2 * 3 * sizeof(float));  // two snapshots of x: steps are recomputed
  constexpr int kSteps = 5;
  {
    wp::TapeScope recording(tape);
    tape.record_steps(kSteps, {wp::tape_state(c.x, "x")},
                      [&](int) { tape_steps::weighted_sum(3, c.p, c.x, c.loss); });
  }
  tape.backward(c.loss);
  EXPECT_GT(tape.checkpoint_stats().recomputed_steps(), 0u);
    EXPECT_FLOAT_EQ(tape.param_grad<tape_steps::Weights>(0, "weighted_sum.p").scale, kSteps * c.dscale());
  const std::vector<float> gx = c.x.grad_array().to_host();
  for (int i = 0; i < 3; ++i) EXPECT_FLOAT_EQ(gx[i], kSteps * 2.0f * 1.5f * c.ws[i] * c.xs[i]);
  tape.zero();
  EXPECT_EQ(tape.param_grad<tape_steps::Weights>(0, "weighted_sum.p").scale, 0.0f);
}

TEST(TapeSteps, StructFieldGradients) {
  REQUIRE_DEVICE();
  WeightedSum c;
  wp::Tape tape;
  {
    wp::TapeScope recording(tape);
    tape_steps::weighted_sum(3, c.p, c.x, c.loss);
  }
  tape.backward(c.loss);
  const std::vector<float> gw = c.w.grad_array().to_host(), gx = c.x.grad_array().to_host();
  for (int i = 0; i < 3; ++i) {
    EXPECT_FLOAT_EQ(gw[i], 1.5f * c.xs[i] * c.xs[i]);
    EXPECT_FLOAT_EQ(gx[i], 2.0f * 1.5f * c.ws[i] * c.xs[i]);
  }
  EXPECT_FLOAT_EQ(tape.param_grad<tape_steps::Weights>(0, "p").scale, c.dscale());
  std::ostringstream summary;
  tape.print_summary(summary);
  EXPECT_NE(summary.str().find("p.w#"), std::string::npos) << summary.str();
  tape.zero();  // the field's gradient is a recorded array: zero() clears it
  for (float g : c.w.grad_array().to_host()) EXPECT_EQ(g, 0.0f);
}

// Structural checks of a DOT graph: balanced braces and quotes, every edge between declared
// nodes, one node per record.
void expect_well_formed_dot(const std::string& dot, size_t records) {
  ASSERT_EQ(dot.rfind("digraph tape {\n", 0), 0u) << dot;
  ASSERT_GE(dot.size(), 2u);
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
  std::istringstream lines(dot);
  std::string line;
  std::vector<std::string> nodes;
  size_t record_nodes = 0, edges = 0;
  int depth = 0;
  while (std::getline(lines, line)) {
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\') {
        ++i;
        continue;
      }
      if (line[i] == '"') quoted = !quoted;
      if (!quoted && line[i] == '{') ++depth;
      if (!quoted && line[i] == '}') --depth;
    }
    EXPECT_FALSE(quoted) << line;
    std::istringstream words(line);
    std::string a, arrow, b;
    words >> a >> arrow;
    if (arrow == "->") {
      words >> b;
      if (!b.empty() && b.back() == ';') b.pop_back();
      EXPECT_NE(std::find(nodes.begin(), nodes.end(), a), nodes.end()) << "undeclared " << a;
      // array nodes are declared after the records, before the edges
      EXPECT_NE(std::find(nodes.begin(), nodes.end(), b), nodes.end()) << "undeclared " << b;
      ++edges;
    } else if (arrow.rfind("[", 0) == 0 && a != "node") {
      nodes.push_back(a);
      if (a[0] == 'r') ++record_nodes;
    }
  }
  EXPECT_EQ(depth, 0);
  EXPECT_EQ(record_nodes, records);
  EXPECT_GT(edges, 0u);
}

TEST(TapeSteps, DumpsDescribeTheRecords) {
  REQUIRE_DEVICE();
  const Inputs in;
  Checkpointed c(in);
  {
    wp::TapeScope recording(c.tape);
    tape_steps::forces(kN, c.x, c.stiff, c.f);  // a plain launch before the sequence
  }
  c.tape.record_func("host \"copy\"", [] {}, {wp::tape_ref(c.f)}, {wp::tape_ref(c.stiff)});
  c.record(7, 3 * kStateBytes);
  std::ostringstream summary, dot;
  c.tape.print_summary(summary);
  const std::string s = summary.str();
  EXPECT_NE(s.find("wp::Tape: 4 records (2 launches, 1 host functions, 1 step sequences)"), std::string::npos) << s;
  EXPECT_NE(s.find("[0] launch forces\n      reads: x#0 stiff#1\n      writes: f#2"), std::string::npos) << s;
  EXPECT_NE(s.find("[1] func host \"copy\"\n      reads: f#2\n      writes: stiff#1"), std::string::npos) << s;
  EXPECT_NE(s.find("[2] steps record_steps: 7 steps, state x (72 B) v (72 B); snapshots <= 3"), std::string::npos) << s;
  EXPECT_NE(s.find("step 0 launches: forces integrate\n      reads: x#0 v#3 stiff#1 f#2\n      writes: x#0 v#3 f#2\n"),
            std::string::npos)
      << s;  // each array once per record
  EXPECT_NE(s.find("[3] launch chain_loss"), std::string::npos) << s;
  c.tape.to_dot(dot);
  expect_well_formed_dot(dot.str(), 4);
  EXPECT_NE(dot.str().find("host \\\"copy\\\""), std::string::npos) << dot.str();
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc > 1) g_device = wp::Device(argv[1]);
  return RUN_ALL_TESTS();
}
