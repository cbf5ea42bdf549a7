// wp/tape.h — wp::Tape: records forward kernel launches and replays their backward passes in
// reverse (Warp's wp.Tape, for C++ programs). The contract with warpc's generated launchers is
// below; docs/autodiff.md shows it in use.
//
// Contract:
//  * begin() makes this tape the calling thread's recording tape (Tape::recording(), a
//    thread_local pointer read by every generated forward launcher; one load, no lock).
//    begin() while any tape — this one or another — records on the thread throws wp::Error;
//    end() stops recording (wp::Error when this tape is not the thread's recording tape).
//    Destroying a tape that records on the calling thread stops the recording.
//  * record(kernel, backward, arrays, param_grads) appends one launch (generated launchers
//    call it after a successful launch). `arrays` are the launch's array arguments (their
//    gradient buffers; entries with a null grad are ignored) and `param_grads` the one-element
//    accumulators of its differentiable non-array parameters; `keep` holds both alive for as
//    long as the record exists. Records are kept in launch order.
//  * record_func(name, backward, inputs, outputs) appends a host function — work that is not
//    a generated launch (an FFT library call, a host-side step), like Warp's
//    Tape.record_func — with its hand-written backward closure. `inputs` and `outputs` are
//    its array arguments (tape_ref(a)); the closure must ADD the gradients of the inputs
//    (from the outputs' gradient buffers) into the inputs' buffers, as generated backward
//    passes do. zero() clears the gradient buffers of both lists; both are kept alive;
//    `outputs` count as written by the tape (a later launch that reads one without a
//    gradient buffer is reported as a cut chain, as for a launch's outputs). Records whether
//    or not this tape is the recording one (callers test Tape::recording() first, as the
//    generated launchers do). An empty closure throws wp::Error.
//  * tape_ref(a) is the record entry of array `a` (detail::tape_array: its gradient buffer,
//    kept alive; arrays that are not densely packed with a gradient throw wp::Error).
//  * backward(loss) sets loss.grad[0] = 1 (loss: one float element with a gradient buffer,
//    any device; else wp::Error) and calls backward(). backward() runs the recorded closures
//    from the last launch to the first. Gradients ACCUMULATE (Warp's rule): every buffer,
//    intermediates included, keeps what earlier passes added — call zero() between passes. A closure's wp::Error propagates; the closures after it
//    do not run.
//  * zero() sets every recorded gradient buffer and parameter accumulator to zero bytes, with
//    the runtime's memset on its own device (on a CUDA device: the device's current stream,
//    so it is ordered with the launches on it and can be captured into a graph).
//  * reset() forgets every record (it does not zero gradients).
//  * launch_count() / kernel(i) describe the records; kernel(i) with i out of range throws.
//  * param_grad<T>(launch, param) copies the accumulator of parameter `param` of record
//    `launch` to the host (synchronous w.r.t. the default stream); wp::Error when the launch
//    does not exist, has no such parameter, or sizeof(T) differs from the accumulator's size.
//  * detail::tape_array(a) / detail::tape_param(name, acc) build the record entries; both
//    keep the array's memory alive. Gradient buffers of arrays that are not densely packed
//    (strided wraps) cannot be described by one byte range: tape_array throws wp::Error for
//    them.
//  * Mistakes are not silent. backward() (and backward(loss)) on a tape that recorded no
//    launch throws wp::Error (nothing would be differentiated). A recorded launch whose
//    kernel reads a floating-point array argument that has no gradient buffer although an
//    EARLIER recorded launch wrote it (an intermediate of the recorded computation), while
//    another array argument of the launch has a gradient (gradients flow through the launch),
//    silently cuts the chain: the earlier launches would get no gradient through it. record()
//    then warns on stderr once per (kernel, argument) in the process, throws wp::Error, or says
//    nothing — set_missing_grad_policy() with MissingGrad::Warn (the default), Throw or Ignore.
//    Inputs no recorded launch wrote (constants, targets) are not reported. Generated launchers
//    describe each argument (tape_array(a, name, read_differentiably, written)).
//  * param_grad_total<T>(kernel, param) sums param_grad over every record of `kernel`
//    (launches in a loop), or throws when no record of it has that parameter.
//  * save_overwritten(a) copies array `a` on its device (wp::copy, ordered like the launches)
//    and returns a closure that copies the saved contents back into `a`; the copy is kept
//    alive by the closure. Generated launchers call it, while this tape records, for every
//    array argument the kernel both reads and writes (and for a written argument whose memory
//    overlaps a read one) BEFORE the launch, and their recorded backward closure restores the
//    contents before running the launch's backward pass: every backward pass then sees its
//    arrays as its launch did. backward() snapshots every such array before the first closure
//    runs and copies the snapshots back after the last one (also when a closure throws), so
//    afterwards the arrays hold what the forward pass left in them. Array fields of struct arguments
//    are saved too (detail::tape_view_array: the tape does not keep their memory alive; keep
//    it alive until backward()). saved_bytes() is the total size of
//    the copies taken since construction or the last reset().
//  * TapeScope (RAII) records on a tape for the lifetime of a scope, like `with wp.Tape()`:
//      wp::Tape tape;
//      { wp::TapeScope recording(tape); forward(...); }   // begin() … end()
//      tape.backward(loss);
//  * Forward mode (docs/autodiff.md, "Forward mode"): attach_jvp(jvp, restore_inputs) gives the
//    LAST record its JVP closure and the closure that puts back the contents, from before the
//    launch, of the arrays the launch changed and the JVP reads or updates (generated launchers
//    of kernels with a `_jvp` pass call it right after record(), with the copies they saved:
//    arrays the kernel reads and writes, arrays it updates atomically; wp::Error when there is
//    no record). A JVP runs on its launch's INPUTS and performs the launch's stores itself, so
//    forward_jvp() first rewinds: it runs every record's restore_inputs from the last record
//    to the first (the arrays then hold what the first launch read), then the JVP closures from
//    the first record to the last (each redoes its launch: the arrays end as the forward pass
//    left them). A checkpointed step sequence (record_steps) takes part: it is rewound to its
//    state at step 0, and each step k runs once recorded on a private tape and then that
//    tape's forward_jvp() (a launch of a step without a JVP throws wp::Error naming the step
//    when reached). Tangents live in the gradient buffers: seed the inputs' buffers with the
//    tangent u (after zero()), and after forward_jvp() every array a recorded launch wrote holds
//    the tangent of its final contents in its gradient buffer (atomic_add outputs accumulate:
//    zero them first). Non-array parameters are constants (zero tangent). A record without a
//    JVP (a kernel compiled without one, record_func) makes forward_jvp() throw wp::Error naming
//    it before anything runs; so does an empty tape. Like backward(), forward_jvp() sees an
//    array the way the launches did only where no LATER launch overwrote it without reading it.
//  * A Tape is used by one thread at a time (recording, backward and zero are not
//    synchronised); it is neither copyable nor movable.
//  * Checkpointed step sequences (runtime/src/tape_checkpoint.cpp; docs/autodiff.md
//    "Checkpointing"). record_steps(T, state, step) runs step(0) … step(T-1) now and appends
//    ONE record standing for all of them (whether or not this tape is recording, like
//    record_func). `state` (tape_state(a) entries) are the arrays that
//    carry a step to the next: step(k) reads the state at step k from them and leaves the
//    state at step k+1 in them. The record stores snapshots (copies, on the arrays' devices)
//    of the state at some steps only: with set_memory_budget(bytes) > 0 at most
//    budget / state_bytes snapshots at once (a binomial, revolve-style schedule: the smallest
//    repetition number r with C(s-1+r, r) ≥ T for s snapshots; every step is advanced at most
//    r times per backward pass, plus one recorded re-run), without a budget one per step.
//    A budget that holds fewer than min(T, 2) snapshots throws wp::Error before any step runs.
//    In backward(), the record reverses the steps last to first: it restores the nearest
//    snapshot, advances (step(j) without recording) to step k, re-runs step(k) recording on a
//    private tape and runs that tape's backward with the state arrays as they were at step k
//    (so the step's launches' backward passes see the inputs they read): a launch that
//    updates a state array in place saves it from the snapshot (no copy at recording time)
//    and restores it before its backward pass; when a launch wrote a state array first
//    without reading it, the whole state is restored from the snapshot before the backward
//    pass. A launch of the re-run that only updates state arrays no later launch of the step
//    reads or writes (found from the step's first run: typically the integration at the end
//    of a step) is recorded but not run (skip_launch()): its backward pass needs only its
//    inputs, the state at the start of the step, which the arrays then still hold. The step
//    contract:
//      - step(k) is deterministic given k, the state arrays and arrays no step writes: the same
//        launches, with the same arguments, every time it is called;
//      - every launch of a step that reads a state array reads its value at the START of the
//        step (update it in place in the last launch that reads it, element by element, or
//        through a separate array copied back by a recorded launch);
//      - arrays a step writes that are not state (forces, temporaries) are fully rewritten by
//        recorded launches of the same step before they are read (a recorded zeroing launch,
//        not a host-side fill);
//      - work whose gradient matters is recorded (generated launchers, record_func on
//        Tape::recording()). Gradients of non-array parameters of launches inside a step
//        (dt, gravity) are summed over the steps into one accumulator per kernel parameter,
//        on the launch's device, named "<kernel>.<param>" in the record: every recorded
//        re-run of a step hands its launches that accumulator (step_accumulator), so the
//        backward kernels add into it directly, with no copy to the host per step.
//        param_grad<T>(record, "integrate.dt") reads it and param_grad_total("integrate",
//        "dt") includes it. One kernel launched on two devices inside the steps throws;
//      - the host code of step(k) does not read a state array after the launch that updates
//        it (in a recomputed step that launch may not have run);
//      - step(k) must not call record_steps, begin(), end(), backward() or reset() of this
//        tape (wp::Error "… called from inside a step function of this tape").
//    A wp::Error thrown by step(k) comes back as a wp::Error naming the step (forward:
//    "Tape::record_steps: step k of T: …", nothing recorded; backward: "Tape::backward:
//    recomputing step k of T: …"); other exceptions pass through unchanged. A step whose
//    recorded re-run has a different number of launches than its first run throws.
//    After backward() the state arrays hold the state at step 0; a later backward() first
//    re-runs the T steps (counted in the statistics) so that the records after the sequence
//    see the final state again. peak_bytes() is the most snapshot memory held at once;
//    checkpoint_stats() adds the recomputation counts.
//    Step graphs (set_step_graphs(true) before record_steps; CUDA): when the state arrays are
//    on one CUDA device, the first run captures steps 1 … T-1 as CUDA graphs (each then
//    launched) and compares each with step 1's, node by node, kernel arguments included.
//    When all are the same work (the step function launches the same kernels with the same
//    arguments every time, records no host function and works only on that device),
//    backward() replays step 1's graph for every advanced step after step 0, and captures
//    a re-run step together with its backward pass once, then replays that graph for every
//    re-run step after step 0: one graph launch instead of each launch, copy and fill. One
//    snapshot of the budget holds the state at the start of the re-run step that graph
//    reads. Otherwise (a step differs, allocates memory, or the budget holds fewer than
//    min(T, 2) + 1 snapshots) the steps are recomputed launch by launch, as without the
//    option; graph_steps in checkpoint_stats() counts the replayed steps. With the option,
//    the step function's work must be capturable (no copy to or from pageable host memory,
//    no host-side read of device data): what a capture refuses is a wp::Error naming the
//    step.
//  * keep_grad(a) excludes a recorded (or later recorded) array's gradient buffer from zero()
//    (a gradient accumulated over several passes); zero_grad(a) clears one array's gradient.
//    zero() clears every other recorded gradient — the launches', the host functions',
//    the state arrays' and the arrays step 0 of each sequence used — and parameter
//    accumulators; the array fields of struct arguments count as recorded arrays
//    (detail::tape_field: generated launchers name them `p.field`; not kept alive). reset()
//    also forgets the keep_grad marks. The loss needs nothing: backward(loss) SETS its
//    gradient to 1.
//  * print_summary(os) writes the records in order (launches with the arrays each reads and
//    writes, host functions, step sequences with their checkpoint schedule); to_dot(os) writes
//    the same as a Graphviz digraph (records as boxes, arrays as ellipses, read edges into a
//    record, write edges out of it).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "wp/array.h"
#include "wp/device.h"
#include "wp/error.h"

namespace wp {

class Tape {
 public:
  struct ArrayRef {
    void* grad;
    size_t bytes;
    Device device;
    std::shared_ptr<void> keep;
    const char* name = nullptr;     // the kernel's parameter name (generated launchers)
    bool missing_grad = false;      // a read, differentiable argument with elements and no grad
    const void* data = nullptr;     // the array's data (to recognise arrays written earlier)
    bool written = false;           // the kernel stores into it
    bool read = true;               // the kernel reads it (loads, atomics, any use but a store)
    size_t data_bytes = 0;          // bytes from data to the end of its last element (0: unknown)
  };
  // A state array of a step sequence (tape_state(a)): its data, gradient and byte size.
  struct StateRef {
    void* data = nullptr;
    void* grad = nullptr;
    size_t bytes = 0;
    Device device;
    std::shared_ptr<void> keep;
    std::string name;
  };
  using StepFn = std::function<void(int step)>;
  // What the step sequences of this tape stored and recomputed (all sequences together).
  struct CheckpointStats {
    size_t sequences = 0;         // record_steps calls recorded
    size_t steps = 0;             // their steps, in all
    size_t state_bytes = 0;       // bytes of one state snapshot (the largest sequence's)
    size_t max_snapshots = 0;     // snapshots the budget allows one sequence (the largest)
    int repetitions = 0;          // schedule bound: advances of one step per backward (largest)
    size_t peak_snapshots = 0;    // most snapshots held at once
    size_t peak_bytes = 0;        // most snapshot bytes held at once
    size_t advanced_steps = 0;    // steps re-run without recording to reach a step (backward)
    size_t rerun_steps = 0;       // steps re-run under recording before their backward
    size_t skipped_launches = 0;  // launches of re-run steps recorded but not run (skip_launch)
    size_t graph_steps = 0;       // of the advanced and re-run steps, those replayed as a CUDA graph
    size_t recomputed_steps() const { return advanced_steps + rerun_steps; }
  };
  enum class MissingGrad { Warn, Throw, Ignore };
  struct ParamGrad {
    std::string name;
    void* data;
    size_t bytes;
    Device device;
    std::shared_ptr<void> keep;
    // Adds the value at `src` (on `src_device`) into the host value at `dst` (tape_param sets
    // it for types with operator+).
    void (*add_to_host)(void* dst, const void* src, const Device& src_device) = nullptr;
  };

  Tape();
  ~Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  void begin();
  void end();
  static Tape* recording();

  void record(std::string kernel, std::function<void()> backward, std::vector<ArrayRef> arrays,
              std::vector<ParamGrad> param_grads);

  void record_func(std::string name, std::function<void()> backward, std::vector<ArrayRef> inputs,
                   std::vector<ArrayRef> outputs);

  // Checkpointed step sequence: see the contract above.
  void record_steps(int steps, std::vector<StateRef> state, StepFn step);
  // For generated launchers (detail::tape_accumulator): while this tape records the launches
  // of a step sequence, the sequence's zero-initialised accumulator of `param` of `kernel`
  // (`bytes` on `device`; created on first use); nullptr on any other tape.
  void* step_accumulator(std::string_view kernel, std::string_view param, size_t bytes, const Device& device);
  // For generated launchers, before a launch: true when this tape recomputes a step of a
  // sequence for backward() and the launch about to be recorded only updates state arrays
  // that no later launch of the step reads or writes (the step's last update of the state).
  // Its result is never read — the step's backward pass needs the state at the START of the
  // step — so the launcher records it without running it (and saves nothing for it).
  bool skip_launch() const;
  // Snapshot memory per step sequence, in bytes (0: no limit, one snapshot per step).
  void set_memory_budget(size_t bytes) { budget_ = bytes; }
  size_t memory_budget() const { return budget_; }
  // CUDA graph replay of recomputed steps (see the contract above); off by default.
  void set_step_graphs(bool on) { step_graphs_ = on; }
  bool step_graphs() const { return step_graphs_; }
  size_t peak_bytes() const { return stats_.peak_bytes; }
  const CheckpointStats& checkpoint_stats() const { return stats_; }
  void attach_jvp(std::function<void()> jvp, std::function<void()> restore_inputs = {});
  void forward_jvp();

  void backward(const array<float>& loss);
  void backward();
  void zero();
  void reset();

  template <typename T>
  void keep_grad(const array<T>& a) {
    if (a.grad()) kept_.push_back(a.grad());
  }
  template <typename T>
  void zero_grad(const array<T>& a) {
    if (a.grad() && a.size()) detail::set_bytes(a.grad(), a.device(), 0, static_cast<size_t>(a.size()) * sizeof(T));
  }

  void print_summary(std::ostream& os) const;
  void to_dot(std::ostream& os) const;

  void set_missing_grad_policy(MissingGrad policy) { missing_grad_ = policy; }
  MissingGrad missing_grad_policy() const { return missing_grad_; }

  template <typename T>
  std::function<void()> save_overwritten(const array<T>& a, bool restored_after_backward = false) {
    return save_overwritten_bytes(detail::bytes_of(a), restored_after_backward);
  }
  // save_overwritten for any element type (compiled once, in the runtime).
  std::function<void()> save_overwritten_bytes(const detail::ArrayBytes& a, bool restored_after_backward);
  size_t saved_bytes() const { return saved_bytes_; }

  size_t launch_count() const { return launches_.size(); }
  const std::string& kernel(size_t launch) const;

  template <typename T>
  T param_grad(size_t launch, std::string_view param) const {
    static_assert(std::is_trivially_copyable_v<T>, "param_grad: T must be trivially copyable");
    const ParamGrad& p = find_param(launch, param, sizeof(T));
    T value;
    detail::copy_bytes(&value, Device(), p.data, p.device, sizeof(T));
    return value;
  }

  // The sum of param_grad<T>(i, param) over every record i of `kernel`.
  template <typename T>
  T param_grad_total(std::string_view kernel, std::string_view param) const {
    T total{};
    bool found = false;
    for (size_t i = 0; i < launches_.size(); ++i) {
      // A step sequence holds the sums over its steps as "<kernel>.<param>".
      const std::string name =
          launches_[i].kind == Kind::Steps ? std::string(kernel) + "." + std::string(param) : std::string(param);
      if ((launches_[i].kind != Kind::Steps && launches_[i].kernel != kernel) || !has_param(i, name)) continue;
      total = found ? total + param_grad<T>(i, name) : param_grad<T>(i, name);
      found = true;
    }
    if (!found) no_param_error(kernel, param);
    return total;
  }

 public:
  struct StepSequence;  // runtime/src/tape_internal.h

 private:
  enum class Kind { Kernel, Func, Steps };
  struct Launch {
    std::string kernel;
    std::function<void()> backward;
    std::vector<ArrayRef> arrays;
    std::vector<ParamGrad> params;
    Kind kind = Kind::Kernel;
    std::shared_ptr<StepSequence> steps;
    std::function<void()> jvp;  // forward mode (attach_jvp); empty when the kernel has none
    std::function<void()> jvp_restore;  // puts back the arrays the launch read and changed
  };
  friend struct StepRunner;

  void check_not_in_step(const char* op) const;
  static Tape* swap_recording(Tape* tape);  // sets the thread's recording tape, returns the old one
  void backward_steps(Launch& record);
  void jvp_steps(Launch& record);
  void replay_forward(StepSequence& seq);
  void note_snapshots(long delta_count, long long delta_bytes);
  void dump_record(std::ostream& os, size_t i) const;

  const Launch& launch_at(size_t launch, const char* op) const;
  const ParamGrad& find_param(size_t launch, std::string_view param, size_t bytes) const;
  bool has_param(size_t launch, std::string_view param) const;
  [[noreturn]] void no_param_error(std::string_view kernel, std::string_view param) const;
  void check_missing_grads(const std::string& kernel, const std::vector<ArrayRef>& arrays);
  // The restore of state array `data` from the recomputed step's snapshot when no launch of
  // the step has written it yet (empty otherwise; tape_checkpoint.cpp).
  std::function<void()> restore_from_snapshot(const void* data, size_t bytes) const;
  void note_step_writes(const std::vector<ArrayRef>& arrays);
  static uint64_t skippable_launches(const StepSequence& seq, const std::vector<Launch>& step);

  std::vector<Launch> launches_;
  MissingGrad missing_grad_ = MissingGrad::Warn;
  std::vector<const void*> written_;  // data of arrays recorded launches wrote (reset() clears)
  std::vector<const void*> kept_;     // gradient buffers zero() leaves alone (keep_grad)
  size_t budget_ = 0;
  bool step_graphs_ = false;
  CheckpointStats stats_;
  size_t snapshots_now_ = 0, snapshot_bytes_now_ = 0;
  bool in_step_ = false;  // a step function of this tape is running
  // The private tapes of record_steps: the accumulators their launches share (the
  // sequence's parameter sums), whether their records only count launches (the first run:
  // nothing is saved for a backward pass), and whether backward() puts the forward pass's
  // final contents back (not needed there: every use of the state restores a snapshot).
  std::vector<ParamGrad>* step_sums_ = nullptr;
  bool counting_only_ = false;
  bool keep_final_contents_ = true;
  // The private tape that recomputes one step for backward_steps: the step (its sequence and
  // number), the arrays save_overwritten() saw for the launch about to be recorded, and
  // whether a launch wrote a state array first without saving it (then the state must be
  // restored from the snapshot before the step's backward pass).
  struct StepBeingRecomputed {
    const StepSequence* seq;
    int k;
    bool captured = false;  // captured into the sequence's re-run graph: saves read seq->start
  };
  const StepBeingRecomputed* step_ = nullptr;
  std::vector<const void*> step_saved_now_;
  bool step_unsaved_state_write_ = false;
  size_t saved_bytes_ = 0;            // save_overwritten() copies (reset() clears)
  // One entry per array save_overwritten() saw: takes a snapshot, returns its restore
  // (backward() keeps the forward pass's final contents with them; reset() clears).
  std::vector<std::function<std::function<void()>()>> keep_final_;
  std::vector<const void*> final_data_;
};

// Records on `tape` from construction to destruction (Tape::begin / Tape::end).
class TapeScope {
 public:
  explicit TapeScope(Tape& tape) : tape_(tape) { tape_.begin(); }
  ~TapeScope() {
    if (Tape::recording() == &tape_) tape_.end();
  }
  TapeScope(const TapeScope&) = delete;
  TapeScope& operator=(const TapeScope&) = delete;

 private:
  Tape& tape_;
};

namespace detail {

[[noreturn]] void tape_strided_grad_error(const Shape& shape);

// The record entry of an array argument: its gradient buffer (null when it has none or holds
// no elements), that buffer's size in bytes, its device, and a handle keeping the memory alive.
// `name` and `read_differentiably` (the kernel reads it and its elements are floating-point)
// let the tape report a missing gradient buffer.
// tape_array for any element type (compiled once, in the runtime).
Tape::ArrayRef tape_array_bytes(const ArrayBytes& a, const char* name, bool read_differentiably, bool written,
                                bool read);
template <typename T>
Tape::ArrayRef tape_array(const array<T>& a, const char* name = nullptr, bool read_differentiably = false,
                          bool written = false, bool read = true) {
  return tape_array_bytes(bytes_of(a), name, read_differentiably, written, read);
}

// The record entry of an array field of a struct parameter (`field`, a kernel's view: no
// ownership; `device` is the launch device). Fields that are not densely packed with a
// gradient throw wp::Error, like tape_array.
template <typename T>
Tape::ArrayRef tape_field(const array_t<T>& field, const char* name, const Device& device) {
  const size_t data_bytes = field.is_contiguous() ? static_cast<size_t>(field.size()) * sizeof(T) : 0;
  if (!field.grad || field.size() == 0)
    return {nullptr, 0, device, nullptr, name, false, field.data, false, true, data_bytes};
  if (!field.is_contiguous()) {
    int64_t extents[4] = {0, 0, 0, 0};
    for (int d = 0; d < field.ndim; ++d) extents[d] = field.shape[d];
    tape_strided_grad_error(Shape::from_extents(extents, field.ndim));
  }
  return {field.grad, data_bytes, device, nullptr, name, false, field.data, false, true, data_bytes};
}

// The one-element gradient accumulator a recorded launch of `kernel` gets for its
// non-array parameter `param`: the step sequence's shared one while `tape` records a step
// (Tape::step_accumulator; not owned), else a new zeroed array.
template <typename T>
array<T> tape_accumulator(Tape& tape, const char* kernel, const char* param, const Device& device) {
  if (void* shared = tape.step_accumulator(kernel, param, sizeof(T), device))
    return array<T>(static_cast<T*>(shared), Shape(1), device);
  return zeros<T>(1, device);
}

// The record entry of a non-array parameter's gradient accumulator `acc` (one element).
template <typename T>
Tape::ParamGrad tape_param(std::string name, const array<T>& acc) {
  if (acc.size() != 1 || !acc.data()) {
    throw Error("Tape: the gradient accumulator of parameter '" + name +
                "' must hold exactly one element (it has " + std::to_string(acc.size()) + ")");
  }
  Tape::ParamGrad p{std::move(name), acc.data(), sizeof(T), acc.device(), std::make_shared<array<T>>(acc)};
  if constexpr (requires(T a, T b) { a = a + b; }) {
    p.add_to_host = [](void* dst, const void* src, const Device& src_device) {
      T value;
      copy_bytes(&value, Device(), src, src_device, sizeof(T));
      T& sum = *static_cast<T*>(dst);
      sum = sum + value;
    };
  }
  return p;
}

// A non-owning wp::array over an array field of a struct argument (its kernel view), so a
// launcher can save and restore it. A null view gives an empty array.
template <typename T>
array<T> tape_view_array(const array_t<T>& v, const Device& device) {
  if (!v.data || v.ndim <= 0) return array<T>();
  int64_t extents[4] = {0, 0, 0, 0};
  Strides strides{};
  strides.count = v.ndim;
  for (int d = 0; d < v.ndim; ++d) {
    extents[d] = v.shape[d];
    strides.values[d] = v.strides[d];
  }
  return array<T>(v.data, Shape::from_extents(extents, v.ndim), strides, device);
}

// Do the elements of `a` and `b` share memory (same device, overlapping byte ranges)? The
// launchers save a written argument that overlaps an argument the kernel reads.
template <typename T, typename U>
bool tape_overlaps(const array<T>& a, const array<U>& b) {
  if (a.size() == 0 || b.size() == 0 || !(a.device() == b.device())) return false;
  const char* a0 = reinterpret_cast<const char*>(a.data());
  const char* b0 = reinterpret_cast<const char*>(b.data());
  if (!a.is_contiguous() || !b.is_contiguous()) return a0 == b0;
  return a0 < b0 + static_cast<size_t>(b.size()) * sizeof(U) && b0 < a0 + static_cast<size_t>(a.size()) * sizeof(T);
}

}  // namespace detail

// The record entry of array `a` for Tape::record_func.
template <typename T>
Tape::ArrayRef tape_ref(const array<T>& a) {
  return detail::tape_array(a);
}

// The entry of state array `a` for Tape::record_steps (its data is snapshotted, so it must be
// densely packed and hold elements; wp::Error otherwise). `name` labels it in dumps.
template <typename T>
Tape::StateRef tape_state(const array<T>& a, std::string name = {}) {
  if (a.size() == 0) throw Error("Tape: state array '" + name + "' holds no elements");
  if (!a.is_contiguous()) {
    throw Error("Tape: state array '" + name + "' of shape " + a.shape().str() +
                " is not densely packed; snapshots copy state arrays as byte ranges");
  }
  return {a.data(), a.grad(), static_cast<size_t>(a.size()) * sizeof(T), a.device(),
          std::make_shared<array<T>>(a), std::move(name)};
}

}  // namespace wp
