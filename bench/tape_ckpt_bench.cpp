// tape_ckpt_bench.cpp — wp::Tape::record_steps under a memory budget vs full storage, on a
// 1,000-step mass-spring cloth (bench/spring_cloth.wp, float64). Not a test: run it by hand and
// record the numbers in docs/performance.md.
//
//   warpc_bench_tape_ckpt [--device cpu|cuda:0] [--grid G] [--steps T] [--budget F] [--reps R] [--graphs]
//
// Contract:
//  * Cloth: G×G particles (default 32×32) on a 0.1 grid in the x-z plane, the two far corners
//    pinned (inv_mass 0), structural and shear springs (rest = initial length, stiffness
//    ke[s] = 400 ± 20%, an array with a gradient), damping kd = 2, gravity -9.8 y,
//    dt = 2 ms, T steps (default 1000). loss = Σ |x_T - target|², target = the initial
//    positions shifted by (0.1, 0, 0.05).
//  * Full storage: one x, v and f array per step (with gradients), every launch on a plain
//    wp::Tape (integrate_to writes step k+1's arrays). Checkpointed: x, v, f once, the step
//    (init_forces, spring_forces, integrate in place) in Tape::record_steps with the state
//    {x, v} and a snapshot budget of F (default 0.1) × the bytes full storage keeps for the
//    states (T+1 copies of x and v, data only). --graphs: the checkpointed tape replays
//    recomputed steps as CUDA graphs (Tape::set_step_graphs; no effect on the CPU).
//  * Correctness first (exit 1 on failure): dL/dx0, dL/dv0 and dL/dke of both runs agree
//    element by element within 1e-6 relative (|a-b| ≤ 1e-6·|b| + 1e-12·max|b|); the losses
//    (float32 sums by atomic adds, in no fixed order) within 1e-5 relative.
//  * Timed (medians of R repetitions, default 5, after one warm-up round; the two methods
//    alternate within each round so that both see the same machine load; gradients zeroed and
//    the initial state restored outside the timed regions): the forward (recording) and
//    Tape::backward of each, each followed by wp::synchronize(). Reported: times, the ratio
//    checkpointed/full of the backward and of forward+backward, memory of the arrays each
//    keeps (data and gradients) plus the tape's peak snapshot bytes, and the schedule's
//    statistics (snapshots, repetition bound, steps advanced and re-run per backward).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "spring_cloth.wp.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string device = "cpu";
  int grid = 32;
  int steps = 1000;
  double budget = 0.1;
  int reps = 5;
  bool graphs = false;  // Tape::set_step_graphs on the checkpointed tape
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--device") o.device = next();
    else if (a == "--grid") o.grid = std::atoi(next());
    else if (a == "--steps") o.steps = std::atoi(next());
    else if (a == "--budget") o.budget = std::atof(next());
    else if (a == "--reps") o.reps = std::atoi(next());
    else if (a == "--graphs") o.graphs = true;
    else {
      std::fprintf(stderr, "usage: warpc_bench_tape_ckpt [--device cpu|cuda:0] [--grid G] [--steps T] [--budget F] [--reps R] [--graphs]\n");
      std::exit(2);
    }
  }
  if (o.grid < 2 || o.steps < 1 || o.budget <= 0 || o.reps < 1) {
    std::fprintf(stderr, "bad option value\n");
    std::exit(2);
  }
  return o;
}

struct Cloth {
  int n = 0, springs = 0;
  std::vector<wp::vec3d> x0, target;
  std::vector<double> inv_mass, rest, ke;
  std::vector<int32_t> pairs;
};

Cloth make_cloth(int g) {
  Cloth c;
  c.n = g * g;
  for (int r = 0; r < g; ++r)
    for (int q = 0; q < g; ++q) {
      c.x0.push_back({{0.1 * q, 0.0, 0.1 * r}});
      c.target.push_back({{0.1 * q + 0.1, 0.0, 0.1 * r + 0.05}});
      c.inv_mass.push_back((r == g - 1 && (q == 0 || q == g - 1)) ? 0.0 : 1.0);
    }
  auto id = [g](int r, int q) { return r * g + q; };
  auto add = [&](int i, int j) {
    c.pairs.push_back(i);
    c.pairs.push_back(j);
    double d2 = 0;
    for (int k = 0; k < 3; ++k) d2 += (c.x0[j].c[k] - c.x0[i].c[k]) * (c.x0[j].c[k] - c.x0[i].c[k]);
    c.rest.push_back(std::sqrt(d2));
    c.ke.push_back(400.0 * (1.0 + 0.2 * std::sin(0.7 * static_cast<double>(c.ke.size()))));
  };
  for (int r = 0; r < g; ++r)
    for (int q = 0; q < g; ++q) {
      if (q + 1 < g) add(id(r, q), id(r, q + 1));
      if (r + 1 < g) add(id(r, q), id(r + 1, q));
      if (q + 1 < g && r + 1 < g) add(id(r, q), id(r + 1, q + 1));
      if (q > 0 && r + 1 < g) add(id(r, q), id(r + 1, q - 1));
    }
  c.springs = static_cast<int>(c.rest.size());
  return c;
}

constexpr double kDt = 0.002, kKd = 2.0;
const wp::vec3d kGravity = {{0.0, -9.8, 0.0}};

// Arrays every run shares (no gradient for the topology, a gradient for ke).
struct Shared {
  wp::array<double> inv_mass, rest, ke;
  wp::array<int32_t> pairs;
  wp::array<wp::vec3d> target;
  wp::array<float> loss;
  Shared(const Cloth& c, const wp::Device& d)
      : inv_mass(wp::from_host(c.inv_mass, {c.n}, d)), rest(wp::from_host(c.rest, {c.springs}, d)),
        ke(wp::from_host(c.ke, {c.springs}, d, true)), pairs(wp::from_host(c.pairs, {2 * c.springs}, d)),
        target(wp::from_host(c.target, {c.n}, d)), loss(wp::zeros<float>(1, d, true)) {}
};

struct Result {
  std::vector<double> gx, gv, gke;
  float loss = 0;
  double fwd_ms = 0, bwd_ms = 0;
  size_t array_bytes = 0, peak_snapshot_bytes = 0;
  wp::Tape::CheckpointStats stats;
};

template <typename T>
void clear(const wp::array<T>& a) {
  wp::fill(a, T{});
}

double ms_since(Clock::time_point t0) {
  wp::synchronize();
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<double> flat(const std::vector<wp::vec3d>& v) {
  std::vector<double> out;
  for (const wp::vec3d& e : v) out.insert(out.end(), e.c, e.c + 3);
  return out;
}

// One method: setup (untimed), forward (recording), backward; `finish` fills the result.
struct Method {
  std::function<void()> setup, forward, backward, finish;
  Result result;
  std::vector<double> fwd, bwd;
};

// Runs the methods' passes interleaved (full, checkpointed, full, …) so that both see the same
// machine load; the first round is a warm-up.
void time_interleaved(const Options& o, std::vector<Method*> methods) {
  for (int rep = 0; rep <= o.reps; ++rep) {
    for (Method* m : methods) {
      m->setup();
      wp::synchronize();
      auto t0 = Clock::now();
      m->forward();
      const double fm = ms_since(t0);
      t0 = Clock::now();
      m->backward();
      const double bm = ms_since(t0);
      if (rep) {
        m->fwd.push_back(fm);
        m->bwd.push_back(bm);
      }
    }
  }
  for (Method* m : methods) {
    m->result.fwd_ms = median(m->fwd);
    m->result.bwd_ms = median(m->bwd);
    m->finish();
  }
}

struct FullStorage {
  Shared s;
  std::vector<wp::array<wp::vec3d>> xs, vs, fs;
  wp::array<wp::vec3d> x0;
  wp::Tape tape;
  FullStorage(const Cloth& c, const wp::Device& d) : s(c, d), x0(wp::from_host(c.x0, {c.n}, d)) {}
};

void full_storage(const Options& o, const Cloth& c, const wp::Device& d, FullStorage& st, Method& m) {
  Shared& s = st.s;
  auto& xs = st.xs;
  auto& vs = st.vs;
  auto& fs = st.fs;
  wp::Tape& tape = st.tape;
  for (int k = 0; k <= o.steps; ++k) {
    xs.push_back(wp::zeros<wp::vec3d>(c.n, d, true));
    vs.push_back(wp::zeros<wp::vec3d>(c.n, d, true));
    if (k < o.steps) fs.push_back(wp::zeros<wp::vec3d>(c.n, d, true));
  }
  const wp::array<wp::vec3d>& x0 = st.x0;
  Result& r = m.result;
  m.setup = [&] {
        tape.zero();
        tape.reset();
        wp::copy(xs[0], x0);
        clear(vs[0]);
        clear(s.loss);
        clear(xs[0].grad_array());
        clear(vs[0].grad_array());
        clear(s.ke.grad_array());
      };
  m.forward = [&] {
        wp::TapeScope recording(tape);
        for (int k = 0; k < o.steps; ++k) {
          spring_cloth::init_forces(c.n, s.inv_mass, kGravity, fs[k]);
          spring_cloth::spring_forces(c.springs, xs[k], vs[k], s.pairs, s.rest, s.ke, kKd, fs[k]);
          spring_cloth::integrate_to(c.n, xs[k], vs[k], fs[k], s.inv_mass, kDt, xs[k + 1], vs[k + 1]);
        }
        spring_cloth::target_loss(c.n, xs[o.steps], s.target, s.loss);
      };
  m.backward = [&] { tape.backward(s.loss); };
  m.finish = [&] {
    r.gx = flat(xs[0].grad_array().to_host());
    r.gv = flat(vs[0].grad_array().to_host());
    r.gke = s.ke.grad_array().to_host();
    r.loss = s.loss.to_host()[0];
    r.array_bytes = static_cast<size_t>(3 * o.steps + 2) * c.n * sizeof(wp::vec3d) * 2;
  };
}

struct Checkpointed {
  Shared s;
  wp::array<wp::vec3d> x, v, f, x0;
  std::unique_ptr<wp::Tape> tape;
  Checkpointed(const Cloth& c, const wp::Device& d)
      : s(c, d), x(wp::zeros<wp::vec3d>(c.n, d, true)), v(wp::zeros<wp::vec3d>(c.n, d, true)),
        f(wp::zeros<wp::vec3d>(c.n, d, true)), x0(wp::from_host(c.x0, {c.n}, d)) {}
};

void checkpointed(const Options& o, const Cloth& c, size_t budget, Checkpointed& st, Method& m) {
  Shared& s = st.s;
  auto& x = st.x;
  auto& v = st.v;
  auto& f = st.f;
  const auto& x0 = st.x0;
  auto& tape = st.tape;
  Result& r = m.result;
  m.setup = [&, budget] {
        tape = std::make_unique<wp::Tape>();
        tape->set_memory_budget(budget);
        tape->set_step_graphs(o.graphs);
        wp::copy(x, x0);
        clear(v);
        clear(s.loss);
        for (auto* a : {&x, &v, &f}) clear(a->grad_array());
        clear(s.ke.grad_array());
      };
  m.forward = [&] {
        wp::TapeScope recording(*tape);
        tape->record_steps(o.steps, {wp::tape_state(x, "x"), wp::tape_state(v, "v")}, [&](int) {
          spring_cloth::init_forces(c.n, s.inv_mass, kGravity, f);
          spring_cloth::spring_forces(c.springs, x, v, s.pairs, s.rest, s.ke, kKd, f);
          spring_cloth::integrate(c.n, x, v, f, s.inv_mass, kDt);
        });
        spring_cloth::target_loss(c.n, x, s.target, s.loss);
      };
  m.backward = [&] { tape->backward(s.loss); };
  m.finish = [&] {
    r.gx = flat(x.grad_array().to_host());
    r.gv = flat(v.grad_array().to_host());
    r.gke = s.ke.grad_array().to_host();
    r.loss = s.loss.to_host()[0];
    r.stats = tape->checkpoint_stats();
    r.peak_snapshot_bytes = tape->peak_bytes();
    r.array_bytes = 3 * c.n * sizeof(wp::vec3d) * 2;
  };
}

bool compare(const char* what, const std::vector<double>& got, const std::vector<double>& want) {
  double top = 0, worst = 0;
  for (double w : want) top = std::max(top, std::fabs(w));
  size_t bad = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double err = std::fabs(got[i] - want[i]);
    worst = std::max(worst, err / std::max(std::fabs(want[i]), 1e-300));
    if (err > 1e-6 * std::fabs(want[i]) + 1e-12 * top) ++bad;
  }
  std::printf("  %-8s %6zu elements, max |g| %.3e, max relative difference %.2e: %s\n", what, want.size(), top, worst,
              bad ? "FAIL" : "ok");
  return bad == 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const wp::Device d(o.device);
  if (d.is_cuda() && wp::cuda_device_count() == 0) {
    std::printf("skipped: no CUDA device\n");
    return 77;
  }
  const Cloth c = make_cloth(o.grid);
  const size_t state_bytes = static_cast<size_t>(c.n) * sizeof(wp::vec3d) * 2;
  const size_t budget = static_cast<size_t>(o.budget * static_cast<double>(o.steps + 1) * static_cast<double>(state_bytes));
  std::printf("tape checkpointing: %d particles, %d springs, %d steps, device %s, %d reps (medians)\n", c.n, c.springs,
              o.steps, d.str().c_str(), o.reps);
  FullStorage full_state(c, d);
  Checkpointed ck_state(c, d);
  Method full_method, ck_method;
  full_storage(o, c, d, full_state, full_method);
  checkpointed(o, c, budget, ck_state, ck_method);
  time_interleaved(o, {&full_method, &ck_method});
  const Result& full = full_method.result;
  const Result& ck = ck_method.result;
  std::printf("gradients (checkpointed vs full storage), loss %.9g vs %.9g:\n", ck.loss, full.loss);
  bool ok = compare("dL/dx0", ck.gx, full.gx) & compare("dL/dv0", ck.gv, full.gv) & compare("dL/dke", ck.gke, full.gke);
  // The loss is a float32 sum by atomic adds (order unspecified across threads).
  ok &= std::fabs(ck.loss - full.loss) <= 1e-5f * std::fabs(full.loss);
  const auto mib = [](size_t b) { return static_cast<double>(b) / (1024.0 * 1024.0); };
  std::printf("full storage:  forward %9.2f ms  backward %9.2f ms  arrays %9.2f MiB\n", full.fwd_ms, full.bwd_ms,
              mib(full.array_bytes));
  std::printf("checkpointed:  forward %9.2f ms  backward %9.2f ms  arrays %9.2f MiB + snapshots %.2f MiB "
              "(budget %.2f MiB = %.0f%% of the states' full storage)\n",
              ck.fwd_ms, ck.bwd_ms, mib(ck.array_bytes), mib(ck.peak_snapshot_bytes), mib(budget), 100 * o.budget);
  // One tape per repetition: the statistics are those of the last pass.
  std::printf("schedule: %zu snapshots of %zu B allowed, peak %zu; repetition bound %d; per backward %zu steps "
              "advanced + %zu re-run (%.2f forward steps per step), %zu launches skipped by the re-runs, "
              "%zu steps replayed as CUDA graphs\n",
              ck.stats.max_snapshots, ck.stats.state_bytes, ck.stats.peak_snapshots, ck.stats.repetitions,
              ck.stats.advanced_steps, ck.stats.rerun_steps,
              static_cast<double>(ck.stats.recomputed_steps()) / o.steps, ck.stats.skipped_launches, ck.stats.graph_steps);
  std::printf("ratio checkpointed/full: backward %.2fx, forward+backward %.2fx, memory %.3fx\n", ck.bwd_ms / full.bwd_ms,
              (ck.fwd_ms + ck.bwd_ms) / (full.fwd_ms + full.bwd_ms),
              static_cast<double>(ck.array_bytes + ck.peak_snapshot_bytes) / static_cast<double>(full.array_bytes));
  if (!ok) std::printf("FAIL: gradients differ\n");
  return ok ? 0 : 1;
}
