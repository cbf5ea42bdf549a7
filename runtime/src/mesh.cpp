// mesh.cpp — wp::Mesh: argument checks, index/point validation, triangle boxes, the BVH over
// the triangles (bvh.cpp's build_bvh), winding data, and the MeshDesc on the mesh's device.
//
// Contract: see wp/mesh.h. Validation order: array arguments, then indices (first bad
// position), then points (first non-finite point), then groups and boxes (build_bvh).
#include "wp/mesh.h"

#include <string>
#include <utility>

#include "geometry_internal.h"

namespace wp {
namespace {

constexpr const char* kOwner = "wp::Mesh";
constexpr int32_t kMeshLeafSize = 4;  // triangles per leaf when MeshOptions::bvh.leaf_size is 0

[[noreturn]] void fail(const std::string& what) { throw Error(std::string(kOwner) + ": " + what); }

template <typename T>
T read_element(const T* data, int64_t i, const Device& device) {
  T value{};
  detail::copy_bytes(&value, Device(), data + i, device, sizeof(T));
  return value;
}

// Shapes, devices and lengths of the constructor's arrays.
void check_arguments(const array<vec3>& points, const array<int32_t>& indices,
                     const array<vec3>& velocities, const array<int32_t>& groups) {
  detail::check_item_array(points, kOwner, "points");
  detail::check_item_array(indices, kOwner, "indices");
  const Device& device = points.device();
  detail::check_same_device(indices, device, kOwner, "indices", "points");
  detail::require_usable_device(device, kOwner);
  if (indices.size() % 3 != 0) {
    fail("indices has " + std::to_string(indices.size()) +
         " entries, which is not a multiple of 3 (three point indices per triangle)");
  }
  if (velocities.ndim() != 0) {
    detail::check_item_array(velocities, kOwner, "velocities");
    detail::check_same_device(velocities, device, kOwner, "velocities", "points");
    if (velocities.size() != points.size()) {
      fail("velocities has " + std::to_string(velocities.size()) + " entries but there are " +
           std::to_string(points.size()) + " points (one velocity per point)");
    }
  }
  if (groups.ndim() != 0) {
    detail::check_item_array(groups, "wp::Mesh", "MeshOptions::groups");
    detail::check_same_device(groups, device, kOwner, "MeshOptions::groups", "points");
    if (groups.size() != indices.size() / 3) {
      fail("MeshOptions::groups has " + std::to_string(groups.size()) +
           " entries but there are " + std::to_string(indices.size() / 3) +
           " triangles (one group id per triangle)");
    }
  }
}

void check_contents(const array<vec3>& points, const array<int32_t>& indices) {
  const Device& device = points.device();
  const int32_t num_points = static_cast<int32_t>(points.size());
  const int32_t num_tris = static_cast<int32_t>(indices.size() / 3);
#ifdef WARPC_RUNTIME_CUDA
  const detail::MeshScan scan =
      device.is_cpu() ? detail::scan_mesh_cpu(points.data(), num_points, indices.data(), num_tris)
                      : detail::scan_mesh_cuda(device, points.data(), num_points, indices.data(),
                                               num_tris);
#else
  const detail::MeshScan scan =
      detail::scan_mesh_cpu(points.data(), num_points, indices.data(), num_tris);
#endif
  if (scan.first_bad_index >= 0) {
    const int64_t k = scan.first_bad_index;
    fail("triangle " + std::to_string(k / 3) + " corner " + std::to_string(k % 3) +
         " has point index " + std::to_string(read_element(indices.data(), k, device)) +
         ", but there are " + std::to_string(num_points) + " points");
  }
  if (scan.first_bad_point >= 0) {
    const int32_t p = scan.first_bad_point;
    fail("point " + std::to_string(p) + " is " +
         detail::format_vec3(read_element(points.data(), p, device)) +
         "; point coordinates must be finite");
  }
}

void compute_triangle_boxes(const array<vec3>& points, const array<int32_t>& indices,
                            const array<vec3>& lowers, const array<vec3>& uppers) {
  const int32_t num_tris = static_cast<int32_t>(lowers.size());
  if (points.device().is_cpu()) {
    return detail::triangle_boxes_cpu(points.data(), indices.data(), num_tris, lowers.data(),
                                      uppers.data());
  }
#ifdef WARPC_RUNTIME_CUDA
  detail::triangle_boxes_cuda(points.device(), points.data(), indices.data(), num_tris,
                              lowers.data(), uppers.data());
#endif
}

}  // namespace

struct Mesh::Impl {
  Impl(const array<vec3>& p, const array<int32_t>& i, const array<vec3>& v,
       const MeshOptions& options)
      : points(p),
        velocities(v),
        indices(i),
        groups(options.groups),
        winding_enabled(options.support_winding_number),
        tree(build(options)),
        desc(p.device()) {
    MeshDesc d;
    d.magic = kMeshMagic;
    d.device = points.device().ordinal();
    d.bvh = detail::describe_bvh(tree, points.device(), tri_lowers.data(), tri_uppers.data(),
                                 num_tris());
    d.points = points.data();
    d.points_grad = points.grad();
    d.velocities = velocities.ndim() ? velocities.data() : nullptr;
    d.velocities_grad = velocities.ndim() ? velocities.grad() : nullptr;
    d.indices = indices.data();
    d.num_points = static_cast<int32_t>(points.size());
    d.num_tris = num_tris();
    d.node_winding = winding_enabled ? winding.data() : nullptr;
    desc.write(d);
  }

  int32_t num_tris() const { return static_cast<int32_t>(indices.size() / 3); }

  // Validates, computes triangle boxes and builds the BVH (plus winding data).
  detail::BvhTopology build(const MeshOptions& options) {
    check_arguments(points, indices, velocities, groups);
    check_contents(points, indices);
    const Device& device = points.device();
    tri_lowers = empty<vec3>({num_tris()}, device);
    tri_uppers = empty<vec3>({num_tris()}, device);
    compute_triangle_boxes(points, indices, tri_lowers, tri_uppers);
    BvhOptions bvh = options.bvh;
    if (bvh.leaf_size == 0) bvh.leaf_size = kMeshLeafSize;
    detail::BvhBuildRequest req{kOwner,
                                "triangle",
                                device,
                                tri_lowers.data(),
                                tri_uppers.data(),
                                groups.ndim() ? groups.data() : nullptr,
                                num_tris(),
                                bvh};
    detail::BvhTopology built = detail::build_bvh(req);
    if (winding_enabled) {
      winding = empty<WindingNode>({built.num_nodes}, device);
      refit_nodes(built, /*recompute_triangle_boxes=*/false);
    }
    return built;
  }

  // Node boxes and (when enabled) winding data from the triangle boxes, which are first
  // recomputed from the points when asked (in the same pass: a refit is one kernel).
  void refit_nodes(const detail::BvhTopology& t, bool recompute_triangle_boxes) const {
    detail::MeshRefitSource source;
    source.winding = winding_enabled ? winding.data() : nullptr;
    source.points = points.data();
    source.indices = indices.data();
    if (recompute_triangle_boxes) {
      source.triangle_lowers = tri_lowers.data();
      source.triangle_uppers = tri_uppers.data();
    }
    detail::refit_bvh(t, points.device(), tri_lowers.data(), tri_uppers.data(), &source);
  }

  array<vec3> points;
  array<vec3> velocities;
  array<int32_t> indices;
  array<int32_t> groups;
  bool winding_enabled;
  array<vec3> tri_lowers;  // set by build()
  array<vec3> tri_uppers;
  array<WindingNode> winding;
  detail::BvhTopology tree;
  detail::DeviceDescriptor<MeshDesc> desc;  // declared last: cleared before the rest is freed
};

Mesh::Mesh(const array<vec3>& points, const array<int32_t>& indices, const MeshOptions& options)
    : impl_(std::make_unique<Impl>(points, indices, array<vec3>(), options)) {}

Mesh::Mesh(const array<vec3>& points, const array<int32_t>& indices,
           const array<vec3>& velocities, const MeshOptions& options)
    : impl_(std::make_unique<Impl>(points, indices, velocities, options)) {}

Mesh::~Mesh() = default;
Mesh::Mesh(Mesh&& other) noexcept = default;
Mesh& Mesh::operator=(Mesh&& other) noexcept = default;

const Mesh::Impl& Mesh::impl(const char* member) const {
  if (!impl_) throw Error(std::string("wp::Mesh::") + member + ": this Mesh was moved from");
  return *impl_;
}

uint64_t Mesh::id() const { return impl("id").desc.address(); }
uint64_t Mesh::bvh_id() const { return impl("bvh_id").desc.address() + offsetof(MeshDesc, bvh); }

void Mesh::refit() {
  const Impl& i = impl("refit");
  i.refit_nodes(i.tree, /*recompute_triangle_boxes=*/true);
}

const array<vec3>& Mesh::points() const { return impl("points").points; }
const array<vec3>& Mesh::velocities() const { return impl("velocities").velocities; }
const array<int32_t>& Mesh::indices() const { return impl("indices").indices; }
const Device& Mesh::device() const { return impl("device").points.device(); }
int Mesh::num_points() const { return static_cast<int>(impl("num_points").points.size()); }
int Mesh::num_tris() const { return impl("num_tris").num_tris(); }
int Mesh::num_nodes() const { return impl("num_nodes").tree.num_nodes; }
bool Mesh::supports_winding_number() const { return impl("supports_winding_number").winding_enabled; }

}  // namespace wp
