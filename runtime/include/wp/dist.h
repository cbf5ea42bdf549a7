// wp/dist.h — wp::dist: collectives, block domain decomposition with halo exchange, particle
// migration and their adjoints on the Tape, over MPI (CPU arrays) and NCCL (CUDA arrays).
// Not part of wp/wp.h: link warpc::dist (built when CMake finds MPI; NCCL optional).
//
// Contract:
//  * Communicator is a shared handle on a group of ranks: world() (MPI_COMM_WORLD; MPI is
//    initialised on first use, with MPI_THREAD_FUNNELED, and finalised at exit when the
//    runtime initialised it), self() (MPI_COMM_SELF: one rank, the single-rank reference of
//    a distributed run), from an MPI_Comm (wp/dist_mpi.h), or local(devices) (NCCL only: one
//    Communicator per listed CUDA device of this process, driven from one host thread inside a
//    dist::Group).
//  * Collectives (all_reduce, reduce, broadcast, all_gather, reduce_scatter) take densely
//    packed wp::array<T> of arithmetic scalars or warpc's vector/matrix/quaternion/transform
//    types (reduced element-wise over their scalars). Every rank must call the same collective
//    in the same order with the same element type, element count, device kind, op and root.
//  * CPU arrays go through MPI; they are complete when the call returns. CUDA arrays go through
//    NCCL on the array device's current stream (wp::get_stream): stream-ordered, the host does
//    not wait, and a graph capture of that stream records them. Without NCCL a CUDA array is a
//    wp::Error ("… needs NCCL …").
//  * Checks (on by default, Communicator::set_checks): before each collective the ranks
//    exchange a small descriptor over MPI (element type, count, device kind, op, root, local
//    argument errors) and every rank throws the same wp::Error on a mismatch, naming the
//    ranks and values. Local argument errors (sizes, devices, strides) are thrown on the rank
//    that made them and reported on the others.
//  * Timeouts: MPI's blocking calls have no timeout, so the runtime posts non-blocking MPI
//    operations and polls them; after Communicator::timeout() seconds (default 60, or the
//    environment variable WARPC_DIST_TIMEOUT) it throws wp::Error naming the operation instead
//    of hanging. The communicator is then unusable (MPI cannot cancel a collective): end the
//    job. NCCL work on the GPU is not bounded by this timeout (the descriptor check, over MPI,
//    is — it catches a rank that never calls).
//  * Tape: while a wp::Tape records on the calling thread, every collective and halo exchange
//    whose arrays have gradient buffers is recorded with Tape::record_func. Adjoints (the
//    cotangent of each rank's copy of an output is that rank's own): all_reduce(sum) → the
//    all-reduce(sum) of the output gradients added into the input's; broadcast → a reduce(sum)
//    of the gradients to the root (non-root inputs receive none); all_gather ↔
//    reduce_scatter(sum); halo exchange → the reverse accumulate (ghost gradients sent back
//    and added into the owners' cells, ghost gradients then zero). min/max reductions are not
//    differentiable (their backward throws). A loss that every rank holds after an
//    all_reduce is seeded on ONE rank: dist::backward(comm, tape, loss).
//  * Grid: a 1-D/2-D/3-D block partition of a global grid over comm's ranks (extents split
//    as evenly as possible, the first ranks one cell larger), each rank holding its block plus
//    `ghost` layers on every side (padded arrays, dimension 0 = grid axis 0). exchange(a)
//    fills the ghost layers from the neighbours, axis by axis so that edges and corners come
//    right; non-periodic outer ghosts are left as they are.
//  * migrate(comm, items, dest) sends items[i] to rank dest[i] and returns this rank's new
//    items: the ones it kept (in order) followed by those received (by source rank, then order).
//    Total count is conserved; dest outside [0, size) on any rank is a wp::Error on every rank.
//    Grid::owner_of_cell gives the destination of a particle from its cell.
//  * Group's destructor ends the NCCL group and may throw wp::Error (do not let it run during
//    unwinding from another exception).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "wp/array.h"
#include "wp/device.h"
#include "wp/error.h"
#include "wp/tape.h"
#include "wp/types.h"

namespace wp::dist {

enum class Op { sum, min, max };
enum class DType : int { f32, f64, i8, u8, i32, u32, i64, u64 };
const char* op_name(Op op);
const char* dtype_name(DType t);

namespace detail {
template <typename T, typename = void>
struct scalar_traits;
template <typename T>
struct scalar_traits<T, std::enable_if_t<std::is_arithmetic_v<T>>> {
  static constexpr DType dtype() {
    if constexpr (std::is_same_v<T, float>)
      return DType::f32;
    else if constexpr (std::is_same_v<T, double>)
      return DType::f64;
    else if constexpr (std::is_integral_v<T> && sizeof(T) == 1)
      return std::is_signed_v<T> ? DType::i8 : DType::u8;
    else if constexpr (std::is_integral_v<T> && sizeof(T) == 4)
      return std::is_signed_v<T> ? DType::i32 : DType::u32;
    else {
      static_assert(std::is_integral_v<T> && sizeof(T) == 8, "wp::dist: unsupported scalar type");
      return std::is_signed_v<T> ? DType::i64 : DType::u64;
    }
  }
  static constexpr int components = 1;
};
template <int N, typename S>
struct scalar_traits<vec_t<N, S>> {
  static constexpr DType dtype() { return scalar_traits<S>::dtype(); }
  static constexpr int components = N;
};
template <int R, int C, typename S>
struct scalar_traits<mat_t<R, C, S>> {
  static constexpr DType dtype() { return scalar_traits<S>::dtype(); }
  static constexpr int components = R * C;
};
template <typename S>
struct scalar_traits<quat_t<S>> {
  static constexpr DType dtype() { return scalar_traits<S>::dtype(); }
  static constexpr int components = 4;
};
template <typename S>
struct scalar_traits<transform_t<S>> {
  static constexpr DType dtype() { return scalar_traits<S>::dtype(); }
  static constexpr int components = 7;
};

// A type-erased, densely packed buffer: what the collectives work on.
struct Buf {
  void* data = nullptr;
  void* grad = nullptr;
  int64_t count = 0;  // scalars
  DType dtype = DType::f32;
  Device device;
  bool packed = true;
  std::shared_ptr<void> keep;
  Tape::ArrayRef ref;  // the tape entry (gradient buffer) when it has one
};
template <typename T>
Buf buf(const array<T>& a) {
  using tr = scalar_traits<T>;
  Buf b;
  b.data = a.data();
  b.grad = a.is_contiguous() ? a.grad() : nullptr;
  b.count = a.size() * tr::components;
  b.dtype = tr::dtype();
  b.device = a.device();
  b.packed = a.is_contiguous();
  b.keep = std::make_shared<array<T>>(a);
  if (b.grad) b.ref = wp::detail::tape_array(a);
  return b;
}
}  // namespace detail

class Communicator {
 public:
  struct Impl;
  Communicator() = default;  // null: every use throws
  static Communicator world();
  static Communicator self();
  // One communicator per CUDA device of this process (NCCL; rank i ↔ devices[i]).
  static std::vector<Communicator> local(const std::vector<Device>& devices);

  int rank() const;
  int size() const;
  bool valid() const { return impl_ != nullptr; }
  void set_checks(bool on);
  bool checks() const;
  void set_timeout(double seconds);  // > 0
  double timeout() const;
  void barrier() const;
  // The MPI_Comm as an opaque pointer to it (nullptr for local communicators).
  const void* mpi_comm() const;
  std::shared_ptr<Impl> impl() const { return impl_; }
  explicit Communicator(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<Impl> impl_;
};

// Groups the collectives of several local communicators issued from one thread (ncclGroupStart
// / ncclGroupEnd). On CPU communicators it does nothing.
class Group {
 public:
  Group();
  ~Group() noexcept(false);
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;
};

namespace detail {
void all_reduce(const Communicator& c, const Buf& send, const Buf& recv, Op op, bool record);
void reduce(const Communicator& c, const Buf& send, const Buf& recv, Op op, int root, bool record);
void broadcast(const Communicator& c, const Buf& a, int root, bool record);
void all_gather(const Communicator& c, const Buf& send, const Buf& recv, bool record);
void reduce_scatter(const Communicator& c, const Buf& send, const Buf& recv, Op op, bool record);
void scale_gradient(const Buf& b, double factor);
}  // namespace detail

// recv = op over ranks of send (same count; recv may be send: in place).
template <typename T>
void all_reduce(const Communicator& c, const array<T>& send, const array<T>& recv, Op op = Op::sum) {
  detail::all_reduce(c, detail::buf(send), detail::buf(recv), op, true);
}
template <typename T>
void all_reduce(const Communicator& c, const array<T>& a, Op op = Op::sum) {
  all_reduce(c, a, a, op);
}
// recv (significant on root only) = op over ranks of send.
template <typename T>
void reduce(const Communicator& c, const array<T>& send, const array<T>& recv, int root, Op op = Op::sum) {
  detail::reduce(c, detail::buf(send), detail::buf(recv), op, root, true);
}
// Every rank's a becomes root's a.
template <typename T>
void broadcast(const Communicator& c, const array<T>& a, int root = 0) {
  detail::broadcast(c, detail::buf(a), root, true);
}
// recv (size × send's elements) = the ranks' send arrays, rank 0's first.
template <typename T>
void all_gather(const Communicator& c, const array<T>& send, const array<T>& recv) {
  detail::all_gather(c, detail::buf(send), detail::buf(recv), true);
}
// recv (send's elements / size) = op over ranks of this rank's block of send.
template <typename T>
void reduce_scatter(const Communicator& c, const array<T>& send, const array<T>& recv, Op op = Op::sum) {
  detail::reduce_scatter(c, detail::buf(send), detail::buf(recv), op, true);
}

// Data parallelism: sums (average: and divides by size()) the gradient buffer of every
// parameter across ranks, in place. Not recorded on a tape.
template <typename... T>
void all_reduce_gradients(const Communicator& c, bool average, const array<T>&... params) {
  auto one = [&](auto& p) {
    if (!p.grad())
      throw Error(
          "all_reduce_gradients: a parameter has no gradient buffer (create it with wp::requires_grad)");
    auto g = p.grad_array();
    detail::all_reduce(c, detail::buf(g), detail::buf(g), Op::sum, false);
    if (average) detail::scale_gradient(detail::buf(g), 1.0 / c.size());
  };
  (one(params), ...);
}

// Runs tape.backward(loss) on rank 0 of comm and tape.backward() (no seed) elsewhere: the
// seeding for a loss every rank holds after an all_reduce.
void backward(const Communicator& c, Tape& tape, const array<float>& loss);

// ---- domain decomposition -------------------------------------------------------------

class Grid {
 public:
  // global: 1–3 extents; ghost ≥ 0 layers; periodic per axis; procs: ranks per axis (0 = let
  // the grid choose a balanced factorisation of comm.size(); a product ≠ size is an error).
  Grid(Communicator comm, std::vector<int> global, int ghost, std::vector<bool> periodic = {},
       std::vector<int> procs = {});

  const Communicator& comm() const { return comm_; }
  int ndim() const { return ndim_; }
  int ghost() const { return ghost_; }
  int global(int axis) const { return global_.at(axis); }
  int procs(int axis) const { return procs_.at(axis); }
  int coord(int axis) const { return coords_.at(axis); }   // this rank's block index
  int local(int axis) const { return local_.at(axis); }    // owned cells
  int offset(int axis) const { return offset_.at(axis); }  // global index of the first owned cell
  bool periodic(int axis) const { return periodic_.at(axis); }
  Shape local_shape() const;   // owned cells
  Shape padded_shape() const;  // owned + 2·ghost per axis
  // The rank owning block coordinates c (wrapped on periodic axes; -1 outside otherwise).
  int rank_of_block(const std::array<int, 3>& c) const;
  // The rank owning global cell index g (wrapped on periodic axes; -1 outside otherwise).
  int owner_of_cell(const std::array<int64_t, 3>& g) const;
  // The neighbour at block offset d (each −1, 0, 1), or -1 (none).
  int neighbor(const std::array<int, 3>& d) const;

  template <typename T>
  array<T> allocate(const Device& device = {}, bool requires_grad = false) const {
    return zeros<T>(padded_shape(), device, requires_grad);
  }
  // Fills the ghost layers of a padded array from the neighbours' owned cells.
  template <typename T>
  void exchange(const array<T>& a) const {
    exchange_bytes(wp::dist::detail::buf(a), sizeof(T), a.shape(), true);
  }
  // The adjoint of exchange on a gradient array: ghost values are sent back and added into the
  // owners' cells; ghosts become zero.
  template <typename T>
  void exchange_adjoint(const array<T>& g) const {
    accumulate_bytes(wp::dist::detail::buf(g), sizeof(T), g.shape());
  }

  void exchange_bytes(const detail::Buf& b, std::size_t elem, const Shape& shape, bool record) const;
  void accumulate_bytes(const detail::Buf& b, std::size_t elem, const Shape& shape) const;

 private:
  Communicator comm_;
  int ndim_ = 0, ghost_ = 0;
  std::vector<int> global_, procs_, coords_, local_, offset_;
  std::vector<bool> periodic_;
};

namespace detail {
std::vector<unsigned char> migrate_bytes(const Communicator& c, const void* items, int64_t count,
                                         std::size_t elem, const int* dest, const char* op);
}  // namespace detail

// Sends items[i] to rank dest[i]; returns the new items of this rank (kept ones first, then
// the received ones by source rank). CPU arrays (CUDA arrays are staged through the host); the
// result is on items' device.
template <typename T>
array<T> migrate(const Communicator& c, const array<T>& items, const array<int>& dest) {
  if (items.ndim() != 1 || dest.ndim() != 1 || items.size() != dest.size()) {
    throw Error("migrate: items and dest must be 1-D arrays of the same length (items " +
                items.shape().str() + ", dest " + dest.shape().str() + ")");
  }
  const std::vector<T> h = items.to_host();
  const std::vector<int> d = dest.to_host();
  std::vector<unsigned char> out =
      detail::migrate_bytes(c, h.data(), items.size(), sizeof(T), d.data(), "migrate");
  const int64_t n = static_cast<int64_t>(out.size() / sizeof(T));
  if (n == 0) return empty<T>(Shape{0}, items.device());
  return from_host(reinterpret_cast<const T*>(out.data()), Shape{n}, items.device());
}

}  // namespace wp::dist
