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
//  * A Tape is used by one thread at a time (recording, backward and zero are not
//    synchronised); it is neither copyable nor movable.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
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
  };
  enum class MissingGrad { Warn, Throw, Ignore };
  struct ParamGrad {
    std::string name;
    void* data;
    size_t bytes;
    Device device;
    std::shared_ptr<void> keep;
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

  void backward(const array<float>& loss);
  void backward();
  void zero();
  void reset();

  void set_missing_grad_policy(MissingGrad policy) { missing_grad_ = policy; }
  MissingGrad missing_grad_policy() const { return missing_grad_; }

  template <typename T>
  std::function<void()> save_overwritten(const array<T>& a) {
    array<T> saved = empty<T>(a.shape(), a.device());
    copy(saved, a);
    saved_bytes_ += static_cast<size_t>(a.size()) * sizeof(T);
    if (std::find(final_data_.begin(), final_data_.end(), a.data()) == final_data_.end()) {
      final_data_.push_back(a.data());
      keep_final_.push_back([a]() -> std::function<void()> {
        array<T> snapshot = empty<T>(a.shape(), a.device());
        copy(snapshot, a);
        return [a, snapshot] { copy(a, snapshot); };
      });
    }
    return [a, saved] { copy(a, saved); };
  }
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
      if (launches_[i].kernel != kernel || !has_param(i, param)) continue;
      total = found ? total + param_grad<T>(i, param) : param_grad<T>(i, param);
      found = true;
    }
    if (!found) no_param_error(kernel, param);
    return total;
  }

 private:
  struct Launch {
    std::string kernel;
    std::function<void()> backward;
    std::vector<ArrayRef> arrays;
    std::vector<ParamGrad> params;
  };

  const Launch& launch_at(size_t launch, const char* op) const;
  const ParamGrad& find_param(size_t launch, std::string_view param, size_t bytes) const;
  bool has_param(size_t launch, std::string_view param) const;
  [[noreturn]] void no_param_error(std::string_view kernel, std::string_view param) const;
  void check_missing_grads(const std::string& kernel, const std::vector<ArrayRef>& arrays);

  std::vector<Launch> launches_;
  MissingGrad missing_grad_ = MissingGrad::Warn;
  std::vector<const void*> written_;  // data of arrays recorded launches wrote (reset() clears)
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
template <typename T>
Tape::ArrayRef tape_array(const array<T>& a, const char* name = nullptr, bool read_differentiably = false,
                          bool written = false) {
  if (!a.grad() || a.size() == 0) {
    return {nullptr, 0, a.device(), nullptr, name, read_differentiably && a.size() > 0 && !a.grad(), a.data(),
            written};
  }
  if (!a.is_contiguous()) tape_strided_grad_error(a.shape());
  const size_t bytes = static_cast<size_t>(a.size()) * sizeof(T);
  return {a.grad(), bytes, a.device(), std::make_shared<array<T>>(a), name, false, a.data(), written};
}

// The record entry of a non-array parameter's gradient accumulator `acc` (one element).
template <typename T>
Tape::ParamGrad tape_param(std::string name, const array<T>& acc) {
  if (acc.size() != 1 || !acc.data()) {
    throw Error("Tape: the gradient accumulator of parameter '" + name +
                "' must hold exactly one element (it has " + std::to_string(acc.size()) + ")");
  }
  return {std::move(name), acc.data(), sizeof(T), acc.device(), std::make_shared<array<T>>(acc)};
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

}  // namespace wp
