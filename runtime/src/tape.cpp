// tape.cpp — wp::Tape (contract in wp/tape.h): the thread's recording pointer, the launch
// records, the reverse replay and gradient zeroing. Step sequences (record_steps) are in
// tape_checkpoint.cpp, the text and DOT dumps in tape_dump.cpp.
#include "wp/tape.h"

#include "tape_internal.h"

#include <algorithm>
#include <iterator>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>

namespace wp {
namespace {
thread_local Tape* g_recording = nullptr;
}  // namespace

Tape::Tape() = default;

Tape::~Tape() {
  if (g_recording == this) g_recording = nullptr;
  launches_.clear();  // step sequences release their snapshots through note_snapshots()
}

void Tape::check_not_in_step(const char* op) const {
  if (in_step_) throw Error(std::string("Tape::") + op + ": called from inside a step function of this tape (record_steps)");
}

void Tape::begin() {
  check_not_in_step("begin");
  if (g_recording == this) throw Error("Tape::begin: this tape is already recording");
  if (g_recording) {
    throw Error("Tape::begin: another tape is already recording on this thread (call end() "
                "on it first)");
  }
  g_recording = this;
}

void Tape::end() {
  check_not_in_step("end");
  if (g_recording != this) throw Error("Tape::end: this tape is not recording on this thread");
  g_recording = nullptr;
}

Tape* Tape::recording() { return g_recording; }

Tape* Tape::swap_recording(Tape* tape) {
  Tape* old = g_recording;
  g_recording = tape;
  return old;
}

void Tape::record(std::string kernel, std::function<void()> backward,
                  std::vector<ArrayRef> arrays, std::vector<ParamGrad> param_grads) {
  if (!backward) throw Error("Tape::record: empty backward closure", kernel);
  if (step_) note_step_writes(arrays);
  check_missing_grads(kernel, arrays);
  launches_.push_back(
      {std::move(kernel), std::move(backward), std::move(arrays), std::move(param_grads), Kind::Kernel, nullptr, {}});
}

void Tape::record_func(std::string name, std::function<void()> backward, std::vector<ArrayRef> inputs,
                       std::vector<ArrayRef> outputs) {
  for (ArrayRef& out : outputs) {
    out.written = true;
    out.read = false;
  }
  inputs.insert(inputs.end(), std::make_move_iterator(outputs.begin()), std::make_move_iterator(outputs.end()));
  record(std::move(name), std::move(backward), std::move(inputs), {});
  launches_.back().kind = Kind::Func;
}

void Tape::backward(const array<float>& loss) {
  if (loss.size() != 1) {
    throw Error("Tape::backward: the loss must be a one-element array; it has shape " +
                loss.shape().str());
  }
  if (!loss.grad()) {
    throw Error("Tape::backward: the loss array has no gradient buffer (create it with "
                "requires_grad=true)");
  }
  if (launches_.empty()) backward();  // throws: nothing recorded
  fill(loss.grad_array(), 1.0f);  // a fill, not a host copy: a graph capture can record it
  backward();
}

void Tape::check_missing_grads(const std::string& kernel, const std::vector<ArrayRef>& arrays) {
  const ArrayRef* with_grad = nullptr;
  for (const ArrayRef& a : arrays)
    if (a.grad && !with_grad) with_grad = &a;
  std::vector<const void*> written_now;
  for (const ArrayRef& a : arrays)
    if (a.written && a.data) written_now.push_back(a.data);
  struct Remember {  // this launch's outputs count as written for the launches after it
    std::vector<const void*>& all;
    std::vector<const void*>& now;
    ~Remember() { all.insert(all.end(), now.begin(), now.end()); }
  } remember{written_, written_now};
  if (missing_grad_ == MissingGrad::Ignore || !with_grad) return;  // no gradient flows through it
  for (const ArrayRef& a : arrays) {
    if (!a.missing_grad || !a.name || !a.data) continue;
    if (std::find(written_.begin(), written_.end(), a.data) == written_.end()) continue;  // an input
    std::string message = "Tape: argument '" + std::string(a.name) +
                          "' has no gradient buffer, but an earlier recorded launch wrote it and "
                          "gradients flow through this launch";
    if (with_grad->name) message += " (argument '" + std::string(with_grad->name) + "' has one)";
    message += ": the chain of gradients is cut at '" + std::string(a.name) +
               "'. Create it with requires_grad, or call "
               "set_missing_grad_policy(wp::Tape::MissingGrad::Ignore) if that is intended";
    if (missing_grad_ == MissingGrad::Throw) throw Error(message, kernel);
    static std::mutex mutex;
    static std::set<std::string> warned;
    std::lock_guard<std::mutex> lock(mutex);
    if (!warned.insert(kernel + "\n" + a.name).second) continue;
    std::fprintf(stderr, "warning: kernel '%s': %s (reported once)\n", kernel.c_str(), message.c_str());
  }
}

void Tape::backward() {
  check_not_in_step("backward");
  if (launches_.empty()) {
    throw Error("Tape::backward: the tape has recorded no launches, so there is nothing to "
                "differentiate; launch the forward kernels between tape.begin() and tape.end() "
                "(or inside a wp::TapeScope)");
  }
  // A sequence an earlier pass rewound to its first step runs forward again first, so the
  // records after it see the final state (tape_checkpoint.cpp).
  for (Launch& l : launches_)
    if (l.kind == Kind::Steps) replay_forward(*l.steps);
  struct KeepFinal {  // arrays restored by the closures get the forward pass's final contents back
    std::vector<std::function<void()>> restores;
    ~KeepFinal() {
      for (auto& r : restores) r();
    }
  } keep;
  if (keep_final_contents_)
    for (auto& snapshot : keep_final_) keep.restores.push_back(snapshot());
  for (size_t i = launches_.size(); i-- > 0;) {
    if (launches_[i].kind == Kind::Steps) {
      backward_steps(launches_[i]);
    } else {
      launches_[i].backward();
    }
  }
}

void Tape::zero() {
  auto kept = [&](const void* grad) { return std::find(kept_.begin(), kept_.end(), grad) != kept_.end(); };
  for (const Launch& l : launches_) {
    for (const ArrayRef& a : l.arrays)
      if (a.grad && a.bytes && !kept(a.grad)) detail::set_bytes(a.grad, a.device, 0, a.bytes);
    for (const ParamGrad& p : l.params)
      if (p.data && p.bytes) detail::set_bytes(p.data, p.device, 0, p.bytes);
  }
}

std::function<void()> Tape::save_overwritten_bytes(const detail::ArrayBytes& a, bool restored_after_backward) {
  if (counting_only_) return {};  // a step's first run: its records never run (backward or JVP)
  // A launch skip_launch() skips leaves `a` as it is: nothing to restore before its backward
  // pass (after it, when that pass replays stores into `a`, the restore is still needed).
  if (!restored_after_backward && skip_launch()) return {};
  if (step_) {  // recomputing a step: a state array not yet written holds the step's snapshot
    step_saved_now_.push_back(a.data);
    if (std::function<void()> restore = restore_from_snapshot(a.data, static_cast<size_t>(a.size()) * a.elem_size))
      return restore;
  }
  detail::ArrayBytes saved = detail::empty_like_bytes(a);
  detail::copy_array_bytes(saved, a);
  saved_bytes_ += static_cast<size_t>(a.size()) * a.elem_size;
  if (std::find(final_data_.begin(), final_data_.end(), a.data) == final_data_.end()) {
    final_data_.push_back(a.data);
    keep_final_.push_back([a]() -> std::function<void()> {
      detail::ArrayBytes snapshot = detail::empty_like_bytes(a);
      detail::copy_array_bytes(snapshot, a);
      return [a, snapshot] { detail::copy_array_bytes(a, snapshot); };
    });
  }
  return [a, saved] { detail::copy_array_bytes(a, saved); };
}

namespace detail {
Tape::ArrayRef tape_array_bytes(const ArrayBytes& a, const char* name, bool read_differentiably, bool written,
                                bool read) {
  const size_t data_bytes = a.is_contiguous() ? static_cast<size_t>(a.size()) * a.elem_size : 0;
  if (!a.grad || a.size() == 0) {
    return {nullptr, 0, a.device, nullptr, name, read_differentiably && a.size() > 0 && !a.grad, a.data,
            written, read, data_bytes};
  }
  if (!a.is_contiguous()) tape_strided_grad_error(a.shape);
  // The handle keeps both the data and the gradient buffer alive (an ArrayBytes holds both).
  return {a.grad, data_bytes, a.device, std::make_shared<ArrayBytes>(a), name, false, a.data, written, read,
          data_bytes};
}
}  // namespace detail

void Tape::reset() {
  check_not_in_step("reset");
  launches_.clear();
  written_.clear();
  kept_.clear();
  saved_bytes_ = 0;
  step_saved_now_.clear();
  step_unsaved_state_write_ = false;
  keep_final_.clear();
  final_data_.clear();
}

const Tape::Launch& Tape::launch_at(size_t launch, const char* op) const {
  if (launch >= launches_.size()) {
    throw Error(std::string("Tape::") + op + ": launch " + std::to_string(launch) +
                " does not exist (the tape holds " + std::to_string(launches_.size()) +
                " launches)");
  }
  return launches_[launch];
}

const std::string& Tape::kernel(size_t launch) const { return launch_at(launch, "kernel").kernel; }

const Tape::ParamGrad& Tape::find_param(size_t launch, std::string_view param,
                                        size_t bytes) const {
  const Launch& l = launch_at(launch, "param_grad");
  for (const ParamGrad& p : l.params) {
    if (p.name != param) continue;
    if (p.bytes != bytes) {
      throw Error("Tape::param_grad: parameter '" + p.name + "' has a gradient of " +
                      std::to_string(p.bytes) + " bytes; the requested type has " +
                      std::to_string(bytes),
                  l.kernel);
    }
    return p;
  }
  throw Error("Tape::param_grad: launch " + std::to_string(launch) +
                  " has no gradient for a parameter named '" + std::string(param) + "'",
              l.kernel);
}

bool Tape::has_param(size_t launch, std::string_view param) const {
  for (const ParamGrad& p : launch_at(launch, "param_grad").params)
    if (p.name == param) return true;
  return false;
}

void Tape::no_param_error(std::string_view kernel, std::string_view param) const {
  size_t records = 0;
  for (const Launch& l : launches_) records += l.kernel == kernel;
  throw Error("Tape::param_grad_total: no recorded launch of kernel '" + std::string(kernel) +
              "' has a gradient for a parameter named '" + std::string(param) + "' (" +
              std::to_string(records) + " launches of it recorded)");
}

namespace detail {
void tape_strided_grad_error(const Shape& shape) {
  throw Error("Tape: cannot record a launch argument of shape " + shape.str() +
              " whose gradient buffer is not densely packed (a strided wrap): Tape::zero() "
              "clears gradients as byte ranges; pass densely packed arrays to recorded launches");
}
}  // namespace detail
}  // namespace wp
