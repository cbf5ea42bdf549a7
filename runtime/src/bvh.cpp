// bvh.cpp — wp::Bvh, and the device dispatch every geometry object shares: validating item
// boxes and groups, choosing and running a builder, refitting, filling the descriptor.
//
// Contract (see wp/bvh.h and geometry_internal.h):
//  * Argument checks run before any device work; scans report the FIRST offending index, so
//    messages are deterministic.
//  * Sah/Median on a CUDA device: the item boxes (and groups) are copied to the host, built
//    there and the tree uploaded; Lbvh builds on the device.
#include "wp/bvh.h"

#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "geometry_internal.h"

namespace wp {
namespace detail {
namespace {

// Element i of a device array, read back for a message.
template <typename T>
T element_at(const T* data, int64_t i, const Device& device) {
  T value{};
  copy_bytes(&value, Device(), data + i, device, sizeof(T));
  return value;
}

template <typename T>
array<T> upload(const array<T>& host, const Device& device) {
  if (host.ndim() == 0) return {};
  array<T> out = empty<T>(host.shape(), device);
  copy(out, host);
  return out;
}

// Copies `count` elements of device memory into a host vector.
template <typename T>
std::vector<T> download(const T* data, int64_t count, const Device& device) {
  std::vector<T> out(static_cast<std::size_t>(count));
  copy_bytes(out.data(), Device(), data, device, out.size() * sizeof(T));
  return out;
}

BvhTopology build_on_host_and_upload(const BvhBuildRequest& req, const ItemScan& scan) {
  const std::vector<vec3> lowers = download(req.lowers, req.count, req.device);
  const std::vector<vec3> uppers = download(req.uppers, req.count, req.device);
  std::vector<int32_t> groups;
  if (req.groups) groups = download(req.groups, req.count, req.device);
  BvhBuildRequest host = req;
  host.device = Device();
  host.lowers = lowers.data();
  host.uppers = uppers.data();
  host.groups = req.groups ? groups.data() : nullptr;
  const BvhTopology built = build_bvh_cpu(host, scan);
  BvhTopology t = built;
  t.nodes = upload(built.nodes, req.device);
  t.items = upload(built.items, req.device);
  t.parents = upload(built.parents, req.device);
  t.counters = upload(built.counters, req.device);
  t.group_roots = upload(built.group_roots, req.device);
  return t;
}

}  // namespace

void require_usable_device(const Device& device, const char* owner) {
  if (device.is_cuda() && !cuda_built()) host_only(device, owner);
}

std::string format_vec3(const vec3& v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "(%g, %g, %g)", v[0], v[1], v[2]);
  return buf;
}

BvhTopology build_bvh(const BvhBuildRequest& req) {
  const std::string owner = req.owner;
  require_usable_device(req.device, req.owner);
  if (req.options.leaf_size < 0) {
    throw Error(owner + ": BvhOptions::leaf_size is " + std::to_string(req.options.leaf_size) +
                "; it must be ≥ 1, or 0 for the builder's default");
  }
  if (req.count > std::numeric_limits<int32_t>::max() / 2) {
    throw Error(owner + ": " + std::to_string(req.count) + " " + req.item_noun +
                "s is more than a BVH supports (" +
                std::to_string(std::numeric_limits<int32_t>::max() / 2) + ")");
  }
  const bool on_cpu = req.device.is_cpu();
#ifdef WARPC_RUNTIME_CUDA
  const ItemScan scan = on_cpu ? scan_items_cpu(req) : scan_items_cuda(req);
#else
  const ItemScan scan = scan_items_cpu(req);
#endif
  if (scan.first_bad_box >= 0) {
    const int32_t i = scan.first_bad_box;
    throw Error(owner + ": " + req.item_noun + " " + std::to_string(i) + " has the box lower " +
                format_vec3(element_at(req.lowers, i, req.device)) + ", upper " +
                format_vec3(element_at(req.uppers, i, req.device)) +
                "; box coordinates must be finite with lower ≤ upper");
  }
  if (scan.first_bad_group >= 0) {
    const int32_t i = scan.first_bad_group;
    throw Error(owner + ": groups[" + std::to_string(i) + "] is " +
                std::to_string(element_at(req.groups, i, req.device)) +
                "; group ids must be ≥ 0");
  }
  if (req.groups && scan.max_group == std::numeric_limits<int32_t>::max()) {
    throw Error(owner + ": the largest group id is " + std::to_string(scan.max_group) +
                "; group ids must be below " + std::to_string(scan.max_group));
  }
  BvhBuilder builder = req.options.builder;
  if (builder == BvhBuilder::Default) builder = on_cpu ? BvhBuilder::Sah : BvhBuilder::Lbvh;
  if (on_cpu) {
    return builder == BvhBuilder::Lbvh ? build_lbvh_cpu(req, scan) : build_bvh_cpu(req, scan);
  }
#ifdef WARPC_RUNTIME_CUDA
  if (builder == BvhBuilder::Lbvh) return build_lbvh_cuda(req, scan);
#endif
  return build_on_host_and_upload(req, scan);
}

void refit_bvh(const BvhTopology& tree, const Device& device, const vec3* lowers,
               const vec3* uppers, const MeshRefitSource* mesh) {
  if (device.is_cpu()) return refit_cpu(tree, lowers, uppers, mesh);
#ifdef WARPC_RUNTIME_CUDA
  refit_cuda(tree, device, lowers, uppers, mesh);
#else
  host_only(device, "refit");
#endif
}

BvhDesc describe_bvh(const BvhTopology& tree, const Device& device, const vec3* lowers,
                     const vec3* uppers, int32_t count) {
  BvhDesc d;
  d.magic = kBvhMagic;
  d.device = device.ordinal();
  d.nodes = tree.nodes.data();
  d.num_nodes = tree.num_nodes;
  d.root = tree.root;
  d.items = tree.items.data();
  d.item_lowers = lowers;
  d.item_uppers = uppers;
  d.num_items = count;
  d.num_groups = tree.num_groups;
  d.group_roots = tree.num_groups > 0 ? tree.group_roots.data() : nullptr;
  return d;
}

}  // namespace detail

// ---- wp::Bvh -----------------------------------------------------------------------------------

namespace {

constexpr const char* kOwner = "wp::Bvh";

detail::BvhTopology build_checked(const array<vec3>& lowers, const array<vec3>& uppers,
                                  const array<int32_t>* groups, const BvhOptions& options) {
  detail::check_item_array(lowers, kOwner, "lowers");
  detail::check_item_array(uppers, kOwner, "uppers");
  detail::check_same_device(uppers, lowers.device(), kOwner, "uppers", "lowers");
  if (uppers.size() != lowers.size()) {
    throw Error(std::string(kOwner) + ": lowers has " + std::to_string(lowers.size()) +
                " items but uppers has " + std::to_string(uppers.size()));
  }
  if (groups) {
    detail::check_item_array(*groups, kOwner, "groups");
    detail::check_same_device(*groups, lowers.device(), kOwner, "groups", "lowers");
    if (groups->size() != lowers.size()) {
      throw Error(std::string(kOwner) + ": groups has " + std::to_string(groups->size()) +
                  " entries but there are " + std::to_string(lowers.size()) +
                  " items (one group id per item)");
    }
  }
  detail::BvhBuildRequest req{kOwner,
                              "item",
                              lowers.device(),
                              lowers.data(),
                              uppers.data(),
                              groups ? groups->data() : nullptr,
                              static_cast<int32_t>(lowers.size()),
                              options};
  return detail::build_bvh(req);
}

}  // namespace

struct Bvh::Impl {
  Impl(const array<vec3>& lo, const array<vec3>& hi, const array<int32_t>* g,
       const BvhOptions& options)
      : lowers(lo),
        uppers(hi),
        groups(g ? *g : array<int32_t>()),
        tree(build_checked(lo, hi, g, options)),
        desc(lo.device()) {
    desc.write(detail::describe_bvh(tree, lowers.device(), lowers.data(), uppers.data(),
                                    static_cast<int32_t>(lowers.size())));
  }

  array<vec3> lowers;
  array<vec3> uppers;
  array<int32_t> groups;
  detail::BvhTopology tree;
  detail::DeviceDescriptor<BvhDesc> desc;  // declared last: cleared before the rest is freed
};

Bvh::Bvh(const array<vec3>& lowers, const array<vec3>& uppers, const BvhOptions& options)
    : impl_(std::make_unique<Impl>(lowers, uppers, nullptr, options)) {}

Bvh::Bvh(const array<vec3>& lowers, const array<vec3>& uppers, const array<int32_t>& groups,
         const BvhOptions& options)
    : impl_(std::make_unique<Impl>(lowers, uppers, &groups, options)) {}

Bvh::~Bvh() = default;
Bvh::Bvh(Bvh&& other) noexcept = default;
Bvh& Bvh::operator=(Bvh&& other) noexcept = default;

const Bvh::Impl& Bvh::impl(const char* member) const {
  if (!impl_) throw Error(std::string("wp::Bvh::") + member + ": this Bvh was moved from");
  return *impl_;
}

uint64_t Bvh::id() const { return impl("id").desc.address(); }

void Bvh::refit() {
  const Impl& i = impl("refit");
  detail::refit_bvh(i.tree, i.lowers.device(), i.lowers.data(), i.uppers.data(), nullptr);
}

const Device& Bvh::device() const { return impl("device").lowers.device(); }
int Bvh::num_items() const { return static_cast<int>(impl("num_items").lowers.size()); }
int Bvh::num_nodes() const { return impl("num_nodes").tree.num_nodes; }
int Bvh::num_groups() const { return impl("num_groups").tree.num_groups; }
const array<vec3>& Bvh::lowers() const { return impl("lowers").lowers; }
const array<vec3>& Bvh::uppers() const { return impl("uppers").uppers; }

}  // namespace wp
