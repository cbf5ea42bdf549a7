// tape_checkpoint.cpp — wp::Tape::record_steps (contract in wp/tape.h): a checkpointed sequence
// of simulation steps, reversed under a snapshot budget with a binomial (revolve-style)
// schedule.
//
// The schedule. reach(s, r) = C(s-1+r, r) is the longest sequence that s snapshots (the one
// at the sequence's first step included) reverse when no step is advanced more than r times:
// reach(1, r) = 1 (only the step at the snapshot), reach(s, 0) = 1, and splitting a segment at
// m — advance to m, snapshot it, reverse [m, b) with s-1 snapshots, free m, reverse [a, m)
// with s — gives reach(s, r) = reach(s, r-1) + reach(s-1, r). For a segment of n steps the
// split takes the right part as long as reach(s-1, r) allows (r the smallest repetition
// number with reach(s, r) ≥ n). The first descent of that recursion only ever moves forward
// (0 < m1 < m2 < …), so the recording forward run stores exactly those snapshots and the
// backward pass starts without advancing. A step's reversal ("base") restores its snapshot,
// re-runs it recording on a private tape and runs that tape's backward. The step's launches'
// backward passes read the state at the start of the step: an in-place launch's save of a
// state array nothing wrote earlier in the step is the snapshot itself (restore_from_snapshot:
// no allocation, no copy while recording), and only when a launch wrote a state array first
// without saving it is the snapshot restored again before the backward pass. A launch that
// only updates state arrays nothing later in its step touches (skippable_launches, from the
// step's first run) is recorded but not run by the re-run (Tape::skip_launch): its backward
// pass reads the state at the start of the step, which the arrays then still hold, so it
// needs neither the launch nor the restores of its saves. The private tapes
// hand every launch of a step the sequence's accumulator of each non-array parameter
// (step_accumulator), so parameter gradients are summed over the steps by the backward
// kernels themselves, on the device, without a host round trip per step. Forward mode
// (jvp_steps) needs no schedule: from the state at step 0, each step runs recorded on a
// private tape, whose forward_jvp() then redoes it with tangents.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "tape_internal.h"
#include "wp/allocator.h"

namespace wp {

namespace {

constexpr uint64_t kReachCap = uint64_t{1} << 62;

// C(s-1+r, r), saturating at kReachCap.
uint64_t reach(int s, int r) {
  const uint64_t n = static_cast<uint64_t>(s - 1 + r), k = static_cast<uint64_t>(std::min(r, s - 1));
  uint64_t v = 1;
  for (uint64_t i = 1; i <= k; ++i) {
    const uint64_t factor = n - k + i;
    if (v > kReachCap / factor) return kReachCap;
    v = v * factor / i;  // exact: v·factor is C(n-k+i, i)·i
  }
  return v;
}

// The smallest r with reach(s, r) ≥ n (s ≥ 2 or n ≤ 1).
int repetitions(int n, int s) {
  if (n <= 1) return 0;
  int r = 1;
  while (reach(s, r) < static_cast<uint64_t>(n)) ++r;
  return r;
}

// Where a segment [a, a+n) with s snapshots (n ≥ 2, s ≥ 2) places its next snapshot.
int split(int a, int n, int s) {
  const uint64_t right = std::min<uint64_t>(reach(s - 1, repetitions(n, s)), static_cast<uint64_t>(n - 1));
  return a + n - static_cast<int>(right);
}

std::string step_label(int k, int steps) { return "step " + std::to_string(k) + " of " + std::to_string(steps); }

// Byte ranges of recorded arrays: [data, data + data_bytes), or to the end of memory when the
// extent is unknown (strided views).
bool overlaps(const Tape::ArrayRef& a, const Tape::ArrayRef& b) {
  if (!a.data || !b.data || !(a.device == b.device)) return false;
  const char* a0 = static_cast<const char*>(a.data);
  const char* b0 = static_cast<const char*>(b.data);
  const bool a_open = a.data_bytes == 0, b_open = b.data_bytes == 0;
  return (b_open || a0 < b0 + b.data_bytes) && (a_open || b0 < a0 + a.data_bytes);
}

}  // namespace

void Tape::StepSequence::store(int k) {
  if (stored(k)) return;
  std::vector<std::shared_ptr<void>> copies;
  for (const StateRef& s : state) {
    copies.push_back(detail::allocate_shared(s.device, s.bytes));
    detail::copy_bytes(copies.back().get(), s.device, s.data, s.device, s.bytes);
  }
  snaps[k] = std::move(copies);
  current = k;
  tape->note_snapshots(1, static_cast<long long>(state_bytes));
}

void Tape::StepSequence::restore(int k) const {
  if (current == k) return;
  for (size_t i = 0; i < state.size(); ++i)
    detail::copy_bytes(state[i].data, state[i].device, snaps[k][i].get(), state[i].device, state[i].bytes);
  current = k;
}

void Tape::StepSequence::drop(int k) {
  if (!stored(k)) return;
  snaps[k].clear();
  tape->note_snapshots(-1, -static_cast<long long>(state_bytes));
}

void Tape::note_snapshots(long delta_count, long long delta_bytes) {
  snapshots_now_ = static_cast<size_t>(static_cast<long long>(snapshots_now_) + delta_count);
  snapshot_bytes_now_ = static_cast<size_t>(static_cast<long long>(snapshot_bytes_now_) + delta_bytes);
  stats_.peak_snapshots = std::max(stats_.peak_snapshots, snapshots_now_);
  stats_.peak_bytes = std::max(stats_.peak_bytes, snapshot_bytes_now_);
}

// Runs seq.fn(k) with `recorder` as the thread's recording tape (nullptr: not recorded),
// restoring the previous recording tape afterwards; a wp::Error gains the step's name.
struct StepRunner {
  static void run(Tape::StepSequence& seq, int k, Tape* recorder, const char* what) {
    Tape* previous = Tape::swap_recording(recorder);
    seq.tape->in_step_ = true;
    seq.current = -1;  // the step changes the state
    struct Restore {
      Tape* previous;
      Tape* tape;
      ~Restore() {
        Tape::swap_recording(previous);
        tape->in_step_ = false;
      }
    } restore{previous, seq.tape};
    try {
      seq.fn(k);
    } catch (const Error& e) {
      throw Error(std::string(what) + step_label(k, seq.steps) + ": " + e.cause(), e.kernel());
    }
  }

  // Captures work() on the sequence's graph device into a graph (not run); a failure ends
  // the capture before it propagates, and a capture CUDA refuses is a wp::Error naming step k.
  template <typename Work>
  static Graph capture(Tape::StepSequence& seq, int k, const char* what, Work&& work) {
    capture_begin(seq.graph_device);
    try {
      work();
    } catch (...) {
      detail::capture_abort();
      throw;
    }
    try {
      return detail::capture_end_uninstantiated();
    } catch (const Error& e) {
      throw Error(std::string(what) + step_label(k, seq.steps) + " (captured for Tape::set_step_graphs): " + e.cause(),
                  e.kernel());
    }
  }

  // Advances the state by step k without recording: step 1's graph for a step after step 0
  // when the sequence replays graphs, else the step function.
  static void advance(Tape::StepSequence& seq, int k, const char* what) {
    Tape& tape = *seq.tape;
    if (seq.graphs && k >= 1 && !is_capturing(seq.graph_device)) {
      capture_launch(seq.forward_graph);
      seq.current = -1;
      ++tape.stats_.graph_steps;
    } else {
      run(seq, k, nullptr, what);
    }
    ++tape.stats_.advanced_steps;
  }
};

namespace {
// Whether the records of one captured step are all device work on `device` (kernel launches
// whose arrays live there): a host function or a launch elsewhere would not be in the graph.
bool device_only(const std::vector<Tape::ArrayRef>& arrays, const Device& device) {
  return std::all_of(arrays.begin(), arrays.end(), [&](const Tape::ArrayRef& a) { return a.device == device; });
}

// The device every state array lives on, when it is one CUDA device the calling thread is not
// capturing already (step graphs need one); the CPU otherwise.
Device graph_device_of(const std::vector<Tape::StateRef>& state) {
  const Device device = state.front().device;
  if (!device.is_cuda() || !cuda_built() || is_capturing(device)) return Device();
  for (const Tape::StateRef& s : state)
    if (!(s.device == device)) return Device();
  return device;
}
}  // namespace

// The launches of one step (its records) that a recomputation may skip: a kernel launch (not
// a host function) among the first 64 whose written arrays all lie inside state arrays, none
// of which any later record of the step reads or writes.
uint64_t Tape::skippable_launches(const StepSequence& seq, const std::vector<Launch>& step) {
  uint64_t mask = 0;
  for (size_t i = 0; i < std::min<size_t>(step.size(), 64); ++i) {
    if (step[i].kind != Kind::Kernel) continue;
    bool skippable = false;
    for (const ArrayRef& a : step[i].arrays) {
      if (!a.written) continue;
      const bool inside = a.data && a.data_bytes && std::any_of(seq.state.begin(), seq.state.end(), [&](const StateRef& s) {
        const char* begin = static_cast<const char*>(s.data);
        const char* p = static_cast<const char*>(a.data);
        return s.device == a.device && p >= begin && p + a.data_bytes <= begin + s.bytes;
      });
      skippable = inside;
      if (!inside) break;
      for (size_t j = i + 1; j < step.size() && skippable; ++j)
        for (const ArrayRef& b : step[j].arrays)
          if (overlaps(a, b)) skippable = false;
      if (!skippable) break;
    }
    if (skippable) mask |= uint64_t{1} << i;
  }
  return mask;
}

bool Tape::skip_launch() const {
  if (!step_) return false;
  const size_t i = launches_.size();
  return i < 64 && ((step_->seq->skippable[static_cast<size_t>(step_->k)] >> i) & 1) != 0;
}

void Tape::record_steps(int steps, std::vector<StateRef> state, StepFn step) {
  if (in_step_) throw Error("Tape::record_steps: called from inside a step function of this tape");
  if (steps < 1) throw Error("Tape::record_steps: the number of steps must be at least 1 (got " + std::to_string(steps) + ")");
  if (!step) throw Error("Tape::record_steps: empty step function");
  if (state.empty()) throw Error("Tape::record_steps: no state arrays (the arrays that carry a step to the next)");
  auto seq = std::make_shared<StepSequence>();
  seq->tape = this;
  seq->steps = steps;
  seq->fn = std::move(step);
  for (const StateRef& s : state) {
    if (!s.data || !s.bytes) throw Error("Tape::record_steps: state array '" + s.name + "' holds no elements");
    seq->state_bytes += s.bytes;
  }
  seq->state = std::move(state);
  const uint64_t allowed = budget_ ? budget_ / seq->state_bytes : static_cast<uint64_t>(steps);
  const int needed = std::min(steps, 2);
  // Step graphs keep one more state copy (the start of the step the re-run graph replays):
  // tried when the budget holds it besides the schedule's minimum.
  seq->graph_device = step_graphs_ && steps >= 2 ? graph_device_of(seq->state) : Device();
  bool try_graphs = seq->graph_device.is_cuda() && (!budget_ || allowed >= static_cast<uint64_t>(needed) + 1);
  if (allowed < static_cast<uint64_t>(needed)) {
    throw Error("Tape::record_steps: the memory budget of " + std::to_string(budget_) + " bytes holds " +
                std::to_string(allowed) + " snapshot(s) of the state (" + std::to_string(seq->state_bytes) +
                " bytes each); reversing " + std::to_string(steps) + " step(s) needs at least " +
                std::to_string(needed) + " (a budget of " + std::to_string(needed * seq->state_bytes) + " bytes)");
  }
  seq->slots = static_cast<int>(std::min<uint64_t>(budget_ && try_graphs ? allowed - 1 : allowed, static_cast<uint64_t>(steps)));
  seq->repetitions = repetitions(steps, seq->slots);
  seq->snaps.resize(static_cast<size_t>(steps));
  seq->forward_checkpoints.push_back(0);
  for (int a = 0, s = seq->slots; steps - a > 1; --s) seq->forward_checkpoints.push_back(a = split(a, steps - a, s));

  // The first run: stores the forward checkpoints, records each step on a scratch tape to
  // count its launches (and describe step 0), and throws away the records.
  Tape scratch;
  scratch.set_missing_grad_policy(missing_grad_);
  std::vector<ParamGrad> sums;  // the steps' parameter gradients, summed (zero until backward)
  scratch.step_sums_ = &sums;
  scratch.counting_only_ = true;
  auto next = seq->forward_checkpoints.begin();
  for (int k = 0; k < steps; ++k) {
    if (next != seq->forward_checkpoints.end() && *next == k) {
      seq->store(k);
      ++next;
    }
    if (try_graphs && k >= 1) {
      // Steps after step 0 (which creates the parameter accumulators) are captured, compared
      // with step 1's capture, and launched (step 1's graph while they match).
      // A parameter accumulator first used by a step after step 0 would be memory of the
      // graph: such a capture is abandoned and the step run as it is (no graphs).
      const size_t sums_before = sums.size();
      struct NewAccumulator {};
      Graph captured;
      try {
        captured = StepRunner::capture(*seq, k, "Tape::record_steps: ", [&] {
          StepRunner::run(*seq, k, &scratch, "Tape::record_steps: ");
          if (sums.size() != sums_before) throw NewAccumulator{};
        });
      } catch (const NewAccumulator&) {
        sums.erase(sums.begin() + static_cast<std::ptrdiff_t>(sums_before), sums.end());
        scratch.launches_.clear();
        scratch.written_.clear();
        try_graphs = false;
        seq->forward_graph = Graph();
        StepRunner::run(*seq, k, &scratch, "Tape::record_steps: ");
      }
      bool same = captured && std::all_of(scratch.launches_.begin(), scratch.launches_.end(), [&](const Launch& l) {
        return l.kind == Kind::Kernel && device_only(l.arrays, seq->graph_device);
      });
      if (k == 1) {
        seq->forward_graph = captured;
      } else {
        same = same && scratch.launches_.size() == seq->launch_counts[1] &&
               skippable_launches(*seq, scratch.launches_) == seq->skippable[1] &&
               detail::same_work(seq->forward_graph, captured);
      }
      if (captured) capture_launch(same && k > 1 ? seq->forward_graph : captured);
      if (!same) {  // recomputed launch by launch: the rest of the run needs no captures
        try_graphs = false;
        seq->forward_graph = Graph();
      }
    } else {
      StepRunner::run(*seq, k, &scratch, "Tape::record_steps: ");
    }
    seq->launch_counts.push_back(scratch.launches_.size());
    seq->skippable.push_back(skippable_launches(*seq, scratch.launches_));
    if (k == 0) {
      for (const Launch& l : scratch.launches_) {
        seq->step0_kernels.push_back(l.kernel);
        seq->step0_arrays.insert(seq->step0_arrays.end(), l.arrays.begin(), l.arrays.end());
      }
    }
    scratch.reset();
  }

  if (try_graphs) {
    seq->graphs = true;
    for (const StateRef& st : seq->state) seq->start.push_back(detail::allocate_shared(st.device, st.bytes));
    note_snapshots(1, static_cast<long long>(seq->state_bytes));
  }

  Launch record;
  record.kernel = "record_steps";
  record.kind = Kind::Steps;
  for (const StateRef& s : seq->state)
    record.arrays.push_back({s.grad, s.grad ? s.bytes : 0, s.device, s.keep, s.name.c_str(), false, s.data, true, true});
  record.arrays.insert(record.arrays.end(), seq->step0_arrays.begin(), seq->step0_arrays.end());
  record.backward = [] {};
  record.params = std::move(sums);
  record.steps = seq;
  ++stats_.sequences;
  stats_.steps += static_cast<size_t>(steps);
  stats_.state_bytes = std::max(stats_.state_bytes, seq->state_bytes);
  stats_.max_snapshots = std::max(stats_.max_snapshots, static_cast<size_t>(seq->slots));
  stats_.repetitions = std::max(stats_.repetitions, seq->repetitions);
  launches_.push_back(std::move(record));
}

namespace {
// Whether a recorded write (its data pointer) lies in state array `s`.
bool in_state(const Tape::StateRef& s, const void* p) {
  const char* begin = static_cast<const char*>(s.data);
  const char* q = static_cast<const char*>(p);
  return q >= begin && q < begin + s.bytes;
}
bool state_written(const std::vector<const void*>& written, const Tape::StateRef& s) {
  return std::any_of(written.begin(), written.end(), [&](const void* p) { return in_state(s, p); });
}
}  // namespace

std::function<void()> Tape::restore_from_snapshot(const void* data, size_t bytes) const {
  const StepSequence& seq = *step_->seq;
  for (size_t i = 0; i < seq.state.size(); ++i) {
    const StateRef& s = seq.state[i];
    if (s.data != data || s.bytes != bytes || state_written(written_, s)) continue;
    std::shared_ptr<void> snapshot = step_->captured ? seq.start[i] : seq.snaps[static_cast<size_t>(step_->k)][i];
    if (!snapshot) return {};
    return [data = s.data, device = s.device, bytes, snapshot] {
      detail::copy_bytes(data, device, snapshot.get(), device, bytes);
    };
  }
  return {};
}

void Tape::note_step_writes(const std::vector<ArrayRef>& arrays) {
  if (skip_launch()) {  // it did not run: it wrote nothing
    ++step_->seq->tape->stats_.skipped_launches;
    step_saved_now_.clear();
    return;
  }
  for (const ArrayRef& a : arrays) {
    if (!a.written || !a.data) continue;
    for (const StateRef& s : step_->seq->state) {
      if (!in_state(s, a.data) || state_written(written_, s)) continue;  // not state, or not its first write
      if (std::find(step_saved_now_.begin(), step_saved_now_.end(), a.data) == step_saved_now_.end())
        step_unsaved_state_write_ = true;
    }
  }
  step_saved_now_.clear();
}

void* Tape::step_accumulator(std::string_view kernel, std::string_view param, size_t bytes, const Device& device) {
  if (!step_sums_) return nullptr;
  const std::string name = std::string(kernel) + "." + std::string(param);
  for (const ParamGrad& s : *step_sums_) {
    if (s.name != name) continue;
    if (s.bytes != bytes || s.device != device) {
      throw Error("Tape::record_steps: the steps launch kernel '" + std::string(kernel) + "' with parameter '" +
                  std::string(param) + "' on " + s.device.str() + " and on " + device.str() +
                  " (or with two types): a sequence sums each kernel parameter's gradient on one device");
    }
    return s.data;
  }
  std::shared_ptr<void> memory = detail::allocate_shared(device, bytes);
  detail::set_bytes(memory.get(), device, 0, bytes);
  step_sums_->push_back({name, memory.get(), bytes, device, memory});
  return memory.get();
}

void Tape::replay_forward(StepSequence& seq) {
  if (!seq.rewound) return;
  seq.current = -1;  // the state arrays may have changed since the sequence last used them
  for (int k = 1; k < seq.steps; ++k) seq.drop(k);
  seq.restore(0);
  auto next = seq.forward_checkpoints.begin() + 1;
  for (int k = 0; k < seq.steps; ++k) {
    if (next != seq.forward_checkpoints.end() && *next == k) {
      seq.store(k);
      ++next;
    }
    StepRunner::advance(seq, k, "Tape::backward: re-running ");
  }
  seq.rewound = false;
}

// Each step recorded on a private tape (the forward run of the step: it also saves what the
// step's JVPs restore), then that tape's JVPs, which redo the step: the state arrays end at
// the next step's state, their gradient buffers at its tangent.
void Tape::jvp_steps(Launch& record) {
  StepSequence& seq = *record.steps;
  seq.current = -1;
  Tape inner;
  inner.set_missing_grad_policy(MissingGrad::Ignore);  // reported when the sequence was recorded
  for (int k = 0; k < seq.steps; ++k) {
    StepRunner::run(seq, k, &inner, "Tape::forward_jvp: ");
    if (!inner.launches_.empty()) {
      try {
        inner.forward_jvp();
      } catch (const Error& e) {
        throw Error("Tape::forward_jvp: " + step_label(k, seq.steps) + ": " + e.cause(), e.kernel());
      }
    }
    inner.reset();
  }
}

void Tape::backward_steps(Launch& record) {
  StepSequence& seq = *record.steps;
  seq.rewound = true;  // from here on the state arrays no longer hold the final state
  seq.current = -1;    // they may have changed since the sequence last used them
  struct Forget {      // nor is anything known about them after this pass
    const StepSequence& seq;
    ~Forget() { seq.current = -1; }
  } forget{seq};
  Tape inner;
  inner.set_missing_grad_policy(missing_grad_);
  inner.step_sums_ = &record.params;
  inner.keep_final_contents_ = false;
  // Re-runs step k recording on `inner` and runs its backward pass. `captured`: inside the
  // capture of the sequence's re-run graph, where the state at the start of the step is
  // seq.start (copied there first), not snapshot k.
  auto rerun = [&](int k, bool captured) {
    if (captured)
      for (size_t i = 0; i < seq.state.size(); ++i)
        detail::copy_bytes(seq.start[i].get(), seq.graph_device, seq.state[i].data, seq.graph_device, seq.state[i].bytes);
    const size_t skipped_before = stats_.skipped_launches;
    const StepBeingRecomputed step{&seq, k, captured};
    inner.step_ = &step;
    struct Unset {
      Tape& tape;
      ~Unset() { tape.step_ = nullptr; }
    } unset{inner};
    StepRunner::run(seq, k, &inner, "Tape::backward: recomputing ");
    if (inner.launches_.size() != seq.launch_counts[k]) {
      throw Error("Tape::backward: recomputing " + step_label(k, seq.steps) + " recorded " +
                  std::to_string(inner.launches_.size()) + " launch(es), its first run " +
                  std::to_string(seq.launch_counts[k]) +
                  ": the step function must launch the same work every time it is called");
    }
    // The backward passes of the step's launches read the state at the start of the step.
    // When every launch that wrote a state array first saved it (in place, reading it), the
    // saves restore it launch by launch, as for any tape; a state array first written by a
    // launch that did not save it is restored here.
    if (inner.step_unsaved_state_write_) {
      if (captured) {
        for (size_t i = 0; i < seq.state.size(); ++i)
          detail::copy_bytes(seq.state[i].data, seq.graph_device, seq.start[i].get(), seq.graph_device, seq.state[i].bytes);
      } else {
        seq.restore(k);
      }
    }
    if (!inner.launches_.empty()) inner.backward();
    inner.reset();
    if (captured) seq.rerun_skips = stats_.skipped_launches - skipped_before;
  };
  auto base = [&](int k) {
    seq.restore(k);
    ++stats_.rerun_steps;
    if (seq.graphs && k >= 1 && !is_capturing(seq.graph_device)) {
      const bool captured_now = !seq.rerun_graph;
      if (captured_now) seq.rerun_graph = StepRunner::capture(seq, k, "Tape::backward: recomputing ", [&] { rerun(k, true); });
      capture_launch(seq.rerun_graph);
      ++stats_.graph_steps;
      if (!captured_now) stats_.skipped_launches += seq.rerun_skips;  // the capture counted its own
    } else {
      rerun(k, false);
    }
    seq.current = -1;  // the backward pass may change the state (restores, redone stores)
  };
  // reverse(a, b, s): the snapshot at a is stored. The right spine (split, snapshot, go right
  // with one snapshot fewer) is a loop; only the left parts recurse, and each left level has
  // a smaller repetition number, so the recursion is at most r deep.
  struct Frame {
    int a, m, s;
  };
  auto reverse = [&](auto& self, int a, int b, int s) -> void {
    std::vector<Frame> spine;
    while (b - a > 1) {
      const int m = split(a, b - a, s);
      if (!seq.stored(m)) {
        seq.restore(a);
        for (int k = a; k < m; ++k) StepRunner::advance(seq, k, "Tape::backward: recomputing ");
        seq.store(m);
      }
      spine.push_back({a, m, s});
      a = m;
      --s;
    }
    base(a);
    for (size_t i = spine.size(); i-- > 0;) {
      seq.drop(spine[i].m);
      self(self, spine[i].a, spine[i].m, spine[i].s);
    }
  };
  reverse(reverse, 0, seq.steps, seq.slots);
}

}  // namespace wp
