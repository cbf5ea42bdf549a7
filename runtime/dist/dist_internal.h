// dist_internal.h (private) — what wp::dist's sources share: the communicator's state, MPI
// helpers (bounded waits, datatypes, checked calls), the CPU/CUDA byte helpers and the NCCL
// seam (declared always, defined in nccl.cpp only when NCCL is built; otherwise the callers
// throw "needs NCCL" before reaching it).
//
// Contract: every failure is a wp::Error naming the operation; MPI errors carry MPI's message;
// wait_all() never blocks longer than the communicator's timeout.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "wp/dist.h"

namespace wp::dist {

struct Communicator::Impl {
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0, size = 1;
  bool checks = true;
  double timeout = 60.0;
  bool local = false;  // one NCCL rank per device of this process (no MPI)
  int local_ordinal = -1;
  void* local_nccl = nullptr;  // ncclComm_t of a local communicator
  std::map<int, void*> nccl;   // ncclComm_t per CUDA ordinal (MPI communicators)
  ~Impl();
};

namespace detail {

bool nccl_built();
void ensure_mpi();
void mpi_check(int rc, const char* call, const char* op);
MPI_Datatype mpi_type(DType t);
MPI_Op mpi_op(Op op);
std::size_t dtype_size(DType t);
bool is_float(DType t);
// Waits for every request, polling; throws after the communicator's timeout.
void wait_all(const Communicator::Impl& c, std::vector<MPI_Request>& reqs, const char* op);
Communicator::Impl& impl_of(const Communicator& c, const char* op);

// Element-wise dst += src (float dtypes) and dst *= factor, on the buffers' device.
void add_into(void* dst, const void* src, int64_t count, DType t, const Device& d);
void scale(void* dst, int64_t count, DType t, double factor, const Device& d);
// A scratch buffer of `bytes` on device d (kept alive by the returned handle).
std::shared_ptr<void> scratch(std::size_t bytes, const Device& d);

// NCCL (nccl.cpp). Count in scalars; the stream is the device's current stream.
void nccl_all_reduce(Communicator::Impl& c, const void* s, void* r, int64_t n, DType t, Op op,
                     const Device& d);
void nccl_reduce(Communicator::Impl& c, const void* s, void* r, int64_t n, DType t, Op op, int root,
                 const Device& d);
void nccl_broadcast(Communicator::Impl& c, void* a, int64_t n, DType t, int root, const Device& d);
void nccl_all_gather(Communicator::Impl& c, const void* s, void* r, int64_t n, DType t, const Device& d);
void nccl_reduce_scatter(Communicator::Impl& c, const void* s, void* r, int64_t n, DType t, Op op,
                         const Device& d);
// Point-to-point bytes inside one ncclGroupStart/End (peer -1: skipped).
struct P2P {
  int peer;
  void* data;
  std::size_t bytes;
  bool send;
};
void nccl_exchange(Communicator::Impl& c, const std::vector<P2P>& ops, const Device& d);
void nccl_group_start();
void nccl_group_end();
void nccl_destroy(void* comm) noexcept;
std::vector<Communicator> nccl_local(const std::vector<Device>& devices);

// CUDA kernels (dist_cuda.cu): dst[box] += src (packed), strides in bytes, float dtypes.
void cuda_add(void* dst, const void* src, int64_t count, DType t, const Device& d);
void cuda_scale(void* dst, int64_t count, DType t, double factor, const Device& d);

}  // namespace detail
}  // namespace wp::dist
