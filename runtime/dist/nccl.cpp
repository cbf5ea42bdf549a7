// nccl.cpp — wp::dist on CUDA arrays through NCCL (built when CMake finds nccl.h and
// libnccl): one NCCL communicator per CUDA device of an MPI communicator, created at the
// first collective on that device (rank 0's ncclUniqueId broadcast over MPI), or local
// cliques (ncclCommInitAll). Every operation is queued on the device's current stream
// (wp::get_stream), so it is stream-ordered and recorded by a graph capture of that stream.
#include <cuda_runtime.h>
#include <nccl.h>

#include "dist_internal.h"
#include "wp/stream.h"

namespace wp::dist::detail {

namespace {

void check(ncclResult_t rc, const char* call, const Device& d) {
  if (rc == ncclSuccess || rc == ncclInProgress) return;
  throw Error(std::string(call) + " failed on device '" + d.str() + "': " + ncclGetErrorString(rc));
}

struct DeviceScope {
  int previous = 0;
  explicit DeviceScope(int ordinal) {
    cudaGetDevice(&previous);
    if (previous != ordinal) cudaSetDevice(ordinal);
  }
  ~DeviceScope() { cudaSetDevice(previous); }
};

ncclDataType_t nccl_type(DType t) {
  switch (t) {
    case DType::f32:
      return ncclFloat32;
    case DType::f64:
      return ncclFloat64;
    case DType::i8:
      return ncclInt8;
    case DType::u8:
      return ncclUint8;
    case DType::i32:
      return ncclInt32;
    case DType::u32:
      return ncclUint32;
    case DType::i64:
      return ncclInt64;
    case DType::u64:
      return ncclUint64;
  }
  return ncclUint8;
}

ncclRedOp_t nccl_op(Op op) {
  return op == Op::sum ? ncclSum : op == Op::min ? ncclMin : ncclMax;
}

cudaStream_t stream_of(const Device& d) {
  return static_cast<cudaStream_t>(get_stream(d).handle());
}

// The NCCL communicator of `c` on device d (created collectively at first use).
ncclComm_t comm_for(Communicator::Impl& c, const Device& d) {
  if (c.local) {
    if (d.ordinal() != c.local_ordinal) {
      throw Error("wp::dist: this local communicator drives device 'cuda:" + std::to_string(c.local_ordinal) +
                  "' but the array is on '" + d.str() + "'");
    }
    return static_cast<ncclComm_t>(c.local_nccl);
  }
  auto it = c.nccl.find(d.ordinal());
  if (it != c.nccl.end()) return static_cast<ncclComm_t>(it->second);
  ncclUniqueId id{};
  if (c.rank == 0) check(ncclGetUniqueId(&id), "ncclGetUniqueId", d);
  std::vector<MPI_Request> req(1);
  mpi_check(MPI_Ibcast(&id, sizeof(id), MPI_BYTE, 0, c.comm, &req[0]), "MPI_Ibcast", "NCCL setup");
  wait_all(c, req, "NCCL setup");
  DeviceScope scope(d.ordinal());
  ncclComm_t comm = nullptr;
  check(ncclCommInitRank(&comm, c.size, id, c.rank), "ncclCommInitRank", d);
  c.nccl[d.ordinal()] = comm;
  return comm;
}

}  // namespace

bool nccl_built() {
  return true;
}

void nccl_all_reduce(Communicator::Impl& c, const void* s, void* r, int64_t n, DType t, Op op,
                     const Device& d) {
  ncclComm_t comm = comm_for(c, d);
  DeviceScope scope(d.ordinal());
  check(ncclAllReduce(s, r, size_t(n), nccl_type(t), nccl_op(op), comm, stream_of(d)), "ncclAllReduce", d);
}

void nccl_reduce(Communicator::Impl& c, const void* s, void* r, int64_t n, DType t, Op op, int root,
                 const Device& d) {
  ncclComm_t comm = comm_for(c, d);
  DeviceScope scope(d.ordinal());
  check(ncclReduce(s, r, size_t(n), nccl_type(t), nccl_op(op), root, comm, stream_of(d)), "ncclReduce", d);
}

void nccl_broadcast(Communicator::Impl& c, void* a, int64_t n, DType t, int root, const Device& d) {
  ncclComm_t comm = comm_for(c, d);
  DeviceScope scope(d.ordinal());
  check(ncclBroadcast(a, a, size_t(n), nccl_type(t), root, comm, stream_of(d)), "ncclBroadcast", d);
}

void nccl_all_gather(Communicator::Impl& c, const void* s, void* r, int64_t n, DType t, const Device& d) {
  ncclComm_t comm = comm_for(c, d);
  DeviceScope scope(d.ordinal());
  check(ncclAllGather(s, r, size_t(n), nccl_type(t), comm, stream_of(d)), "ncclAllGather", d);
}

void nccl_reduce_scatter(Communicator::Impl& c, const void* s, void* r, int64_t n, DType t, Op op,
                         const Device& d) {
  ncclComm_t comm = comm_for(c, d);
  DeviceScope scope(d.ordinal());
  check(ncclReduceScatter(s, r, size_t(n), nccl_type(t), nccl_op(op), comm, stream_of(d)),
        "ncclReduceScatter", d);
}

void nccl_exchange(Communicator::Impl& c, const std::vector<P2P>& ops, const Device& d) {
  ncclComm_t comm = comm_for(c, d);
  DeviceScope scope(d.ordinal());
  const cudaStream_t stream = stream_of(d);
  check(ncclGroupStart(), "ncclGroupStart", d);
  for (const P2P& p : ops) {
    if (p.peer < 0) continue;
    const ncclResult_t rc = p.send ? ncclSend(p.data, p.bytes, ncclUint8, p.peer, comm, stream)
                                   : ncclRecv(p.data, p.bytes, ncclUint8, p.peer, comm, stream);
    if (rc != ncclSuccess) {
      ncclGroupEnd();
      check(rc, p.send ? "ncclSend" : "ncclRecv", d);
    }
  }
  check(ncclGroupEnd(), "ncclGroupEnd", d);
}

void nccl_group_start() {
  check(ncclGroupStart(), "ncclGroupStart", Device::cuda(0));
}
void nccl_group_end() {
  check(ncclGroupEnd(), "ncclGroupEnd", Device::cuda(0));
}
void nccl_destroy(void* comm) noexcept {
  if (comm) ncclCommDestroy(static_cast<ncclComm_t>(comm));
}

std::vector<Communicator> nccl_local(const std::vector<Device>& devices) {
  const int n = static_cast<int>(devices.size());
  std::vector<int> ordinals;
  for (const Device& d : devices) ordinals.push_back(d.ordinal());
  std::vector<ncclComm_t> comms(n);
  check(ncclCommInitAll(comms.data(), n, ordinals.data()), "ncclCommInitAll", devices[0]);
  std::vector<Communicator> out;
  for (int i = 0; i < n; ++i) {
    auto impl = std::make_shared<Communicator::Impl>();
    impl->local = true;
    impl->rank = i;
    impl->size = n;
    impl->local_ordinal = ordinals[i];
    impl->local_nccl = comms[i];
    out.emplace_back(impl);
  }
  return out;
}

}  // namespace wp::dist::detail
