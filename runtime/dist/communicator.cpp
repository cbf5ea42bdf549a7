// communicator.cpp — wp::dist::Communicator over MPI, the argument checks shared by every
// collective (a descriptor exchanged over MPI, so that every rank throws the same error), the
// bounded waits, the collectives on CPU arrays (MPI) and their dispatch to NCCL for CUDA
// arrays, and the Tape records of their adjoints (contract in wp/dist.h).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

#include "dist_internal.h"

namespace wp::dist {

const char* op_name(Op op) {
  switch (op) {
    case Op::sum:
      return "sum";
    case Op::min:
      return "min";
    case Op::max:
      return "max";
  }
  return "?";
}

const char* dtype_name(DType t) {
  static const char* names[] = {"float32", "float64", "int8", "uint8", "int32", "uint32", "int64", "uint64"};
  return names[static_cast<int>(t)];
}

Communicator::Impl::~Impl() {
  for (auto& [ordinal, comm] : nccl) detail::nccl_destroy(comm);
  if (local_nccl) detail::nccl_destroy(local_nccl);
}

namespace detail {

namespace {
bool g_initialised_here = false;
void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}
double default_timeout() {
  if (const char* env = std::getenv("WARPC_DIST_TIMEOUT")) {
    char* end = nullptr;
    const double v = std::strtod(env, &end);
    if (end == env || *end || !(v > 0)) {
      throw Error(std::string("WARPC_DIST_TIMEOUT='") + env + "' is not a positive number of seconds");
    }
    return v;
  }
  return 60.0;
}
}  // namespace

void ensure_mpi() {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (initialised) return;
  int provided = 0;
  mpi_check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread",
            "Communicator");
  g_initialised_here = true;
  std::atexit(finalize_at_exit);
}

void mpi_check(int rc, const char* call, const char* op) {
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  throw Error(std::string(op) + ": " + call + " failed: " + std::string(msg, len));
}

MPI_Datatype mpi_type(DType t) {
  switch (t) {
    case DType::f32:
      return MPI_FLOAT;
    case DType::f64:
      return MPI_DOUBLE;
    case DType::i8:
      return MPI_INT8_T;
    case DType::u8:
      return MPI_UINT8_T;
    case DType::i32:
      return MPI_INT32_T;
    case DType::u32:
      return MPI_UINT32_T;
    case DType::i64:
      return MPI_INT64_T;
    case DType::u64:
      return MPI_UINT64_T;
  }
  return MPI_BYTE;
}

MPI_Op mpi_op(Op op) {
  return op == Op::sum ? MPI_SUM : op == Op::min ? MPI_MIN : MPI_MAX;
}

std::size_t dtype_size(DType t) {
  switch (t) {
    case DType::i8:
    case DType::u8:
      return 1;
    case DType::f32:
    case DType::i32:
    case DType::u32:
      return 4;
    default:
      return 8;
  }
}

bool is_float(DType t) {
  return t == DType::f32 || t == DType::f64;
}

void wait_all(const Communicator::Impl& c, std::vector<MPI_Request>& reqs, const char* op) {
  if (reqs.empty()) return;
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration<double>(c.timeout);
  for (int spin = 0;; ++spin) {
    int done = 0;
    mpi_check(MPI_Testall(static_cast<int>(reqs.size()), reqs.data(), &done, MPI_STATUSES_IGNORE),
              "MPI_Testall", op);
    if (done) return;
    if (clock::now() > deadline) {
      std::ostringstream s;
      s << op << ": timed out after " << c.timeout << " s on rank " << c.rank << " of " << c.size
        << " waiting for the other ranks (a rank did not make the same call, or is stuck); the "
           "communicator cannot be used any more: end the job (WARPC_DIST_TIMEOUT or "
           "Communicator::set_timeout sets the limit)";
      throw Error(s.str());
    }
    // Poll hot for a moment, then back off: ranks often share cores (mpirun --oversubscribe).
    if (spin < 200)
      std::this_thread::yield();
    else
      std::this_thread::sleep_for(std::chrono::microseconds(spin < 2000 ? 20 : 200));
  }
}

Communicator::Impl& impl_of(const Communicator& c, const char* op) {
  if (!c.valid())
    throw Error(std::string(op) + ": the communicator is null (create it with Communicator::world())");
  return *c.impl();
}

std::shared_ptr<void> scratch(std::size_t bytes, const Device& d) {
  auto a = std::make_shared<array<unsigned char>>(
      empty<unsigned char>(Shape{static_cast<int64_t>(std::max<std::size_t>(bytes, 1))}, d));
  return std::shared_ptr<void>(a, a->data());
}

void add_into(void* dst, const void* src, int64_t n, DType t, const Device& d) {
  if (d.is_cuda()) return cuda_add(dst, src, n, t, d);
  if (t == DType::f32) {
    float* a = static_cast<float*>(dst);
    const float* b = static_cast<const float*>(src);
    for (int64_t i = 0; i < n; ++i) a[i] += b[i];
  } else if (t == DType::f64) {
    double* a = static_cast<double*>(dst);
    const double* b = static_cast<const double*>(src);
    for (int64_t i = 0; i < n; ++i) a[i] += b[i];
  } else {
    throw Error(std::string("wp::dist: gradients of ") + dtype_name(t) + " arrays are not supported");
  }
}

void scale(void* dst, int64_t n, DType t, double f, const Device& d) {
  if (d.is_cuda()) return cuda_scale(dst, n, t, f, d);
  if (t == DType::f32) {
    float* a = static_cast<float*>(dst);
    for (int64_t i = 0; i < n; ++i) a[i] = static_cast<float>(a[i] * f);
  } else if (t == DType::f64) {
    double* a = static_cast<double*>(dst);
    for (int64_t i = 0; i < n; ++i) a[i] *= f;
  } else {
    throw Error(std::string("all_reduce_gradients: ") + dtype_name(t) + " gradients cannot be averaged");
  }
}

void scale_gradient(const Buf& b, double factor) {
  scale(b.data, b.count, b.dtype, factor, b.device);
}

// ---- argument checks -------------------------------------------------------------------

namespace {

enum class Coll : int32_t { all_reduce, reduce, broadcast, all_gather, reduce_scatter };
const char* coll_name(Coll c) {
  static const char* names[] = {"all_reduce", "reduce", "broadcast", "all_gather", "reduce_scatter"};
  return names[static_cast<int>(c)];
}

struct Desc {
  int32_t coll, dtype, device_kind, op, root, error;
  int64_t count;
};

std::string describe(const Desc& d) {
  std::ostringstream s;
  s << d.count << " " << dtype_name(static_cast<DType>(d.dtype)) << " values on "
    << (d.device_kind ? "a CUDA device" : "the CPU");
  return s.str();
}

// Checks what one rank can check alone; returns "" or the error.
std::string local_error(const Communicator::Impl& c, Coll coll, const Buf& s, const Buf& r, int root) {
  const std::string op = coll_name(coll);
  if (!s.packed || !r.packed) return op + ": arrays must be densely packed (pass a.contiguous())";
  if ((s.count > 0 && !s.data) || (r.count > 0 && !r.data)) return op + ": null array handle";
  if (!(s.device == r.device)) {
    return op + ": the send array is on '" + s.device.str() + "' but the receive array is on '" +
           r.device.str() + "'; both must be on one device";
  }
  if (root < 0 || root >= c.size) {
    return op + ": root " + std::to_string(root) + " is not a rank of this communicator (size " +
           std::to_string(c.size) + ")";
  }
  const int64_t n = c.size;
  switch (coll) {
    case Coll::all_reduce:
    case Coll::reduce:
      if (s.count != r.count && !(coll == Coll::reduce && c.rank != root && r.count == 0)) {
        return op + ": the send array has " + std::to_string(s.count) + " values but the receive array has " +
               std::to_string(r.count) + "; they must match";
      }
      break;
    case Coll::all_gather:
      if (r.count != s.count * n) {
        return op + ": the receive array has " + std::to_string(r.count) +
               " values but needs size × send = " + std::to_string(n) + " × " + std::to_string(s.count) +
               " = " + std::to_string(s.count * n);
      }
      break;
    case Coll::reduce_scatter:
      if (s.count != r.count * n) {
        return op + ": the send array has " + std::to_string(s.count) +
               " values but needs size × receive = " + std::to_string(n) + " × " + std::to_string(r.count) +
               " = " + std::to_string(r.count * n);
      }
      break;
    case Coll::broadcast:
      break;
  }
  if ((coll == Coll::all_gather || coll == Coll::reduce_scatter) && s.data && s.data == r.data) {
    return op + ": send and receive arrays must not be the same array";
  }
  if (s.count > INT32_MAX || r.count > INT32_MAX)
    return op + ": more than 2^31 - 1 values in one call are not supported";
  if (s.device.is_cuda() && !nccl_built()) {
    return op + ": arrays on '" + s.device.str() +
           "' need NCCL, and this runtime was built without it "
           "(copy the array to the CPU, or build with NCCL)";
  }
  if (c.local && s.device.is_cpu()) return op + ": a local (NCCL) communicator cannot reduce CPU arrays";
  return "";
}

// Validates locally and (checks on, MPI communicators) against every other rank.
void check_args(Communicator::Impl& c, Coll coll, const Buf& s, const Buf& r, Op op, int root) {
  const std::string mine = local_error(c, coll, s, r, root);
  if (!c.checks || c.local) {
    if (!mine.empty()) throw Error(mine);
    return;
  }
  Desc d{static_cast<int32_t>(coll),
         static_cast<int32_t>(s.dtype),
         s.device.is_cuda() ? 1 : 0,
         static_cast<int32_t>(op),
         root,
         mine.empty() ? 0 : 1,
         s.count};
  std::vector<Desc> all(static_cast<std::size_t>(c.size));
  std::vector<MPI_Request> req(1);
  const char* name = coll_name(coll);
  mpi_check(MPI_Iallgather(&d, sizeof(Desc), MPI_BYTE, all.data(), sizeof(Desc), MPI_BYTE, c.comm, &req[0]),
            "MPI_Iallgather", name);
  wait_all(c, req, name);
  if (!mine.empty()) throw Error(mine);
  for (int q = 0; q < c.size; ++q) {
    if (all[q].error) {
      throw Error(std::string(name) + ": rank " + std::to_string(q) +
                  " rejected its arguments (its own error says why)");
    }
  }
  for (int q = 1; q < c.size; ++q) {
    const Desc& a = all[0];
    const Desc& b = all[q];
    std::ostringstream e;
    if (a.coll != b.coll) {
      e << name << ": ranks called different collectives: rank 0 " << coll_name(static_cast<Coll>(a.coll))
        << ", rank " << q << " " << coll_name(static_cast<Coll>(b.coll));
    } else if (a.dtype != b.dtype || a.count != b.count || a.device_kind != b.device_kind) {
      e << name << ": ranks disagree: rank 0 passed " << describe(a) << ", rank " << q << " passed "
        << describe(b) << " (every rank must pass the same element type, count and device kind)";
    } else if (a.op != b.op) {
      e << name << ": ranks disagree on the operation: rank 0 " << op_name(static_cast<Op>(a.op)) << ", rank "
        << q << " " << op_name(static_cast<Op>(b.op));
    } else if (a.root != b.root) {
      e << name << ": ranks disagree on the root: rank 0 " << a.root << ", rank " << q << " " << b.root;
    }
    if (!e.str().empty()) throw Error(e.str());
  }
}

// The raw operations (no checks, no records): used by the collectives and their adjoints.
void raw_all_reduce(Communicator::Impl& c, const void* s, void* r, int64_t n, DType t, Op op,
                    const Device& d) {
  if (d.is_cuda()) return nccl_all_reduce(c, s, r, n, t, op, d);
  std::vector<MPI_Request> req(1);
  mpi_check(MPI_Iallreduce(s == r ? MPI_IN_PLACE : s, r, static_cast<int>(n), mpi_type(t), mpi_op(op), c.comm,
                           &req[0]),
            "MPI_Iallreduce", "all_reduce");
  wait_all(c, req, "all_reduce");
}
void raw_reduce(Communicator::Impl& c, const void* s, void* r, int64_t n, DType t, Op op, int root,
                const Device& d) {
  if (d.is_cuda()) return nccl_reduce(c, s, r, n, t, op, root, d);
  std::vector<MPI_Request> req(1);
  const void* send = (s == r && c.rank == root) ? MPI_IN_PLACE : s;
  mpi_check(MPI_Ireduce(send, r, static_cast<int>(n), mpi_type(t), mpi_op(op), root, c.comm, &req[0]),
            "MPI_Ireduce", "reduce");
  wait_all(c, req, "reduce");
}
void raw_broadcast(Communicator::Impl& c, void* a, int64_t n, DType t, int root, const Device& d) {
  if (d.is_cuda()) return nccl_broadcast(c, a, n, t, root, d);
  std::vector<MPI_Request> req(1);
  mpi_check(MPI_Ibcast(a, static_cast<int>(n), mpi_type(t), root, c.comm, &req[0]), "MPI_Ibcast",
            "broadcast");
  wait_all(c, req, "broadcast");
}
void raw_all_gather(Communicator::Impl& c, const void* s, void* r, int64_t n, DType t, const Device& d) {
  if (d.is_cuda()) return nccl_all_gather(c, s, r, n, t, d);
  std::vector<MPI_Request> req(1);
  mpi_check(MPI_Iallgather(s, static_cast<int>(n), mpi_type(t), r, static_cast<int>(n), mpi_type(t), c.comm,
                           &req[0]),
            "MPI_Iallgather", "all_gather");
  wait_all(c, req, "all_gather");
}
void raw_reduce_scatter(Communicator::Impl& c, const void* s, void* r, int64_t n, DType t, Op op,
                        const Device& d) {
  if (d.is_cuda()) return nccl_reduce_scatter(c, s, r, n, t, op, d);
  std::vector<MPI_Request> req(1);
  mpi_check(MPI_Ireduce_scatter_block(s, r, static_cast<int>(n), mpi_type(t), mpi_op(op), c.comm, &req[0]),
            "MPI_Ireduce_scatter_block", "reduce_scatter");
  wait_all(c, req, "reduce_scatter");
}

bool recordable(bool record, const Buf& s, const Buf& r) {
  return record && Tape::recording() && is_float(s.dtype) && s.grad && r.grad;
}

}  // namespace

void all_reduce(const Communicator& comm, const Buf& s, const Buf& r, Op op, bool record) {
  Communicator::Impl& c = impl_of(comm, "all_reduce");
  check_args(c, Coll::all_reduce, s, r, op, 0);
  raw_all_reduce(c, s.data == r.data ? r.data : s.data, r.data, s.count, s.dtype, op, s.device);
  if (!recordable(record, s, r)) return;
  Tape::recording()->record_func(
      std::string("all_reduce(") + op_name(op) + ")",
      [comm, s, r, op] {
        if (op != Op::sum)
          throw Error(std::string("all_reduce(") + op_name(op) + ") is not differentiable; use Op::sum");
        Communicator::Impl& c = *comm.impl();
        if (s.data == r.data) {  // in place: the input's gradient is the all-reduce of the output's
          raw_all_reduce(c, s.grad, s.grad, s.count, s.dtype, Op::sum, s.device);
          return;
        }
        auto tmp = scratch(dtype_size(s.dtype) * s.count, s.device);
        raw_all_reduce(c, r.grad, tmp.get(), s.count, s.dtype, Op::sum, s.device);
        add_into(s.grad, tmp.get(), s.count, s.dtype, s.device);
      },
      {s.ref}, {r.ref});
}

void reduce(const Communicator& comm, const Buf& s, const Buf& r, Op op, int root, bool record) {
  Communicator::Impl& c = impl_of(comm, "reduce");
  check_args(c, Coll::reduce, s, r, op, root);
  raw_reduce(c, s.data, r.data, s.count, s.dtype, op, root, s.device);
  if (!recordable(record, s, r)) return;
  if (s.data == r.data)
    throw Error(
        "reduce: an in-place reduce cannot be recorded on a tape; pass separate send and receive arrays");
  Tape::recording()->record_func(
      std::string("reduce(") + op_name(op) + ")",
      [comm, s, r, op, root] {
        if (op != Op::sum)
          throw Error(std::string("reduce(") + op_name(op) + ") is not differentiable; use Op::sum");
        Communicator::Impl& c = *comm.impl();
        const std::size_t bytes = dtype_size(s.dtype) * s.count;
        auto tmp = scratch(bytes, s.device);
        if (c.rank == root) wp::detail::copy_bytes(tmp.get(), s.device, r.grad, s.device, bytes);
        raw_broadcast(c, tmp.get(), s.count, s.dtype, root, s.device);
        add_into(s.grad, tmp.get(), s.count, s.dtype, s.device);
      },
      {s.ref}, {r.ref});
}

void broadcast(const Communicator& comm, const Buf& a, int root, bool record) {
  Communicator::Impl& c = impl_of(comm, "broadcast");
  check_args(c, Coll::broadcast, a, a, Op::sum, root);
  raw_broadcast(c, a.data, a.count, a.dtype, root, a.device);
  if (!recordable(record, a, a)) return;
  Tape::recording()->record_func("broadcast",
                                 [comm, a, root] {
                                   Communicator::Impl& c = *comm.impl();
                                   raw_reduce(c, a.grad, a.grad, a.count, a.dtype, Op::sum, root, a.device);
                                   // A non-root value was overwritten: its input gets no gradient.
                                   if (c.rank != root)
                                     wp::detail::set_bytes(a.grad, a.device, 0,
                                                           dtype_size(a.dtype) * a.count);
                                 },
                                 {a.ref}, {a.ref});
}

void all_gather(const Communicator& comm, const Buf& s, const Buf& r, bool record) {
  Communicator::Impl& c = impl_of(comm, "all_gather");
  check_args(c, Coll::all_gather, s, r, Op::sum, 0);
  raw_all_gather(c, s.data, r.data, s.count, s.dtype, s.device);
  if (!recordable(record, s, r)) return;
  Tape::recording()->record_func("all_gather",
                                 [comm, s, r] {
                                   Communicator::Impl& c = *comm.impl();
                                   auto tmp = scratch(dtype_size(s.dtype) * s.count, s.device);
                                   raw_reduce_scatter(c, r.grad, tmp.get(), s.count, s.dtype, Op::sum,
                                                      s.device);
                                   add_into(s.grad, tmp.get(), s.count, s.dtype, s.device);
                                 },
                                 {s.ref}, {r.ref});
}

void reduce_scatter(const Communicator& comm, const Buf& s, const Buf& r, Op op, bool record) {
  Communicator::Impl& c = impl_of(comm, "reduce_scatter");
  check_args(c, Coll::reduce_scatter, s, r, op, 0);
  raw_reduce_scatter(c, s.data, r.data, r.count, s.dtype, op, s.device);
  if (!recordable(record, s, r)) return;
  Tape::recording()->record_func(
      std::string("reduce_scatter(") + op_name(op) + ")",
      [comm, s, r, op] {
        if (op != Op::sum)
          throw Error(std::string("reduce_scatter(") + op_name(op) + ") is not differentiable; use Op::sum");
        Communicator::Impl& c = *comm.impl();
        auto tmp = scratch(dtype_size(s.dtype) * s.count, s.device);
        raw_all_gather(c, r.grad, tmp.get(), r.count, s.dtype, s.device);
        add_into(s.grad, tmp.get(), s.count, s.dtype, s.device);
      },
      {s.ref}, {r.ref});
}

}  // namespace detail

// ---- Communicator ----------------------------------------------------------------------

namespace {
std::shared_ptr<Communicator::Impl> make_mpi(MPI_Comm comm) {
  detail::ensure_mpi();
  auto impl = std::make_shared<Communicator::Impl>();
  impl->comm = comm;
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  detail::mpi_check(MPI_Comm_rank(comm, &impl->rank), "MPI_Comm_rank", "Communicator");
  detail::mpi_check(MPI_Comm_size(comm, &impl->size), "MPI_Comm_size", "Communicator");
  impl->timeout = detail::default_timeout();
  return impl;
}
}  // namespace

namespace detail {
Communicator communicator_from_mpi(const void* mpi_comm) {
  if (!mpi_comm) throw Error("Communicator: null MPI_Comm");
  const MPI_Comm comm = *static_cast<const MPI_Comm*>(mpi_comm);
  ensure_mpi();
  if (comm == MPI_COMM_NULL) throw Error("Communicator: MPI_COMM_NULL is not a communicator");
  return Communicator(make_mpi(comm));
}
}  // namespace detail

Communicator Communicator::world() {
  return Communicator(make_mpi(MPI_COMM_WORLD));
}
Communicator Communicator::self() {
  return Communicator(make_mpi(MPI_COMM_SELF));
}
std::vector<Communicator> Communicator::local(const std::vector<Device>& devices) {
  if (devices.empty()) throw Error("Communicator::local: give at least one CUDA device");
  for (const Device& d : devices) {
    if (!d.is_cuda())
      throw Error("Communicator::local: device '" + d.str() +
                  "' is not a CUDA device (local communicators are NCCL cliques)");
  }
  if (!detail::nccl_built()) throw Error("Communicator::local: this runtime was built without NCCL");
  return detail::nccl_local(devices);
}

int Communicator::rank() const {
  return detail::impl_of(*this, "rank").rank;
}
int Communicator::size() const {
  return detail::impl_of(*this, "size").size;
}
void Communicator::set_checks(bool on) {
  detail::impl_of(*this, "set_checks").checks = on;
}
bool Communicator::checks() const {
  return detail::impl_of(*this, "checks").checks;
}
void Communicator::set_timeout(double seconds) {
  if (!(seconds > 0))
    throw Error("Communicator::set_timeout: " + std::to_string(seconds) +
                " is not a positive number of seconds");
  detail::impl_of(*this, "set_timeout").timeout = seconds;
}
double Communicator::timeout() const {
  return detail::impl_of(*this, "timeout").timeout;
}
const void* Communicator::mpi_comm() const {
  const Impl& c = detail::impl_of(*this, "mpi_comm");
  return c.local ? nullptr : &c.comm;
}
void Communicator::barrier() const {
  Impl& c = detail::impl_of(*this, "barrier");
  if (c.local) throw Error("barrier: local (NCCL) communicators have no barrier; synchronize the devices");
  std::vector<MPI_Request> req(1);
  detail::mpi_check(MPI_Ibarrier(c.comm, &req[0]), "MPI_Ibarrier", "barrier");
  detail::wait_all(c, req, "barrier");
}

Group::Group() {
  if (detail::nccl_built()) detail::nccl_group_start();
}
Group::~Group() noexcept(false) {
  if (detail::nccl_built()) detail::nccl_group_end();
}

void backward(const Communicator& c, Tape& tape, const array<float>& loss) {
  if (c.rank() == 0)
    tape.backward(loss);
  else
    tape.backward();
}

}  // namespace wp::dist
