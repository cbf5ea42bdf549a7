// wp/bvh.h — wp::Bvh: a bounding volume hierarchy over user-given item boxes, on the CPU or a
// CUDA device, readable by kernels through its id (the address of a wp::BvhDesc — the layout in
// wp/builtins/geometry_types.h).
//
// Contract:
//  * Bvh(lowers, uppers[, groups][, options]) builds a tree over items i = 0 … n−1 whose boxes
//    are [lowers[i], uppers[i]]. The arrays are 1-D, contiguous, non-empty, of equal length and
//    on one device; the tree, its descriptor and every buffer it owns live on that device. The
//    Bvh keeps handles to lowers/uppers (no copy): kernels read the item boxes through them.
//  * groups (optional, int32, one per item, each ≥ 0): group g's items form one subtree whose
//    node index is BvhDesc::group_roots[g] (−1 for a group with no items); num_groups is
//    1 + the largest group id.
//  * Builders (BvhOptions::builder): Default = binned SAH on the CPU, LBVH on CUDA; Sah and
//    Median on a CUDA device build on the host and upload the tree; Lbvh runs on both. Leaves
//    hold at most leaf_size items (0: 4 for Sah/Median, 1 for Lbvh). An LBVH with leaf_size
//    L > 1 builds the radix tree over single items and cuts it where a subtree holds at most
//    L items (that subtree becomes one leaf); with groups its leaves hold one item (a leaf
//    must not mix groups).
//    Every builder is deterministic: the same input gives the same tree on any thread count.
//  * Node boxes are exact unions of their children's boxes (leaves: of their items' boxes).
//  * refit(): recomputes every node box from the current contents of lowers/uppers, keeping
//    the topology. On CUDA it is queued on the device's current stream (no host wait).
//  * id() is the descriptor's address on the object's device; it stays valid, unchanged, until
//    the Bvh is destroyed (refit keeps it). Keep the Bvh and its arrays alive while the id is
//    used. The destructor clears the descriptor (magic = 0) before freeing the memory.
//  * Move-only. A moved-from Bvh owns nothing: destroying or assigning to it is fine; every
//    other member throws wp::Error.
//  * Errors (wp::Error, message starting with "wp::Bvh: " and naming the argument): null,
//    non-1-D, non-contiguous or empty arrays, arrays on different devices, length mismatch, an
//    item with lower > upper or a NaN coordinate (named with its index and box), a negative
//    group, a negative leaf_size, a CUDA device in a CPU-only runtime.
#pragma once

#include <cstdint>
#include <memory>

#include "wp/array.h"
#include "wp/builtins/geometry_types.h"
#include "wp/device.h"
#include "wp/types.h"

namespace wp {

enum class BvhBuilder {
  Default,  // Sah on the CPU, Lbvh on CUDA
  Sah,      // binned surface-area heuristic (built on the host)
  Median,   // split at the median centroid of the widest axis (built on the host)
  Lbvh,     // linear BVH: Morton-sorted items, binary radix tree (on the object's device)
};

struct BvhOptions {
  BvhBuilder builder = BvhBuilder::Default;
  int leaf_size = 0;  // most items per leaf; 0: the builder's default (4; LBVH: 1)
};

class Bvh {
 public:
  Bvh(const array<vec3>& lowers, const array<vec3>& uppers, const BvhOptions& options = {});
  Bvh(const array<vec3>& lowers, const array<vec3>& uppers, const array<int32_t>& groups,
      const BvhOptions& options = {});
  ~Bvh();
  Bvh(Bvh&& other) noexcept;
  Bvh& operator=(Bvh&& other) noexcept;
  Bvh(const Bvh&) = delete;
  Bvh& operator=(const Bvh&) = delete;

  uint64_t id() const;  // address of the BvhDesc on device()
  void refit();

  const Device& device() const;
  int num_items() const;
  int num_nodes() const;
  int num_groups() const;  // 0 when built without groups
  const array<vec3>& lowers() const;
  const array<vec3>& uppers() const;

  struct Impl;

 private:
  const Impl& impl(const char* member) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wp
