// no_nccl.cpp — wp::dist built without NCCL: nccl_built() is false and every NCCL entry point
// throws (the collectives check nccl_built() first and name the array's device instead).
#include "dist_internal.h"

namespace wp::dist::detail {

namespace {
[[noreturn]] void no_nccl() {
  throw Error("wp::dist: this runtime was built without NCCL (CUDA arrays cannot be communicated)");
}
}  // namespace

bool nccl_built() {
  return false;
}
void nccl_all_reduce(Communicator::Impl&, const void*, void*, int64_t, DType, Op, const Device&) {
  no_nccl();
}
void nccl_reduce(Communicator::Impl&, const void*, void*, int64_t, DType, Op, int, const Device&) {
  no_nccl();
}
void nccl_broadcast(Communicator::Impl&, void*, int64_t, DType, int, const Device&) {
  no_nccl();
}
void nccl_all_gather(Communicator::Impl&, const void*, void*, int64_t, DType, const Device&) {
  no_nccl();
}
void nccl_reduce_scatter(Communicator::Impl&, const void*, void*, int64_t, DType, Op, const Device&) {
  no_nccl();
}
void nccl_exchange(Communicator::Impl&, const std::vector<P2P>&, const Device&) {
  no_nccl();
}
void nccl_group_start() {}
void nccl_group_end() {}
void nccl_destroy(void*) noexcept {}
std::vector<Communicator> nccl_local(const std::vector<Device>&) {
  no_nccl();
}
void cuda_add(void*, const void*, int64_t, DType, const Device&) {
  no_nccl();
}
void cuda_scale(void*, int64_t, DType, double, const Device&) {
  no_nccl();
}

}  // namespace wp::dist::detail
