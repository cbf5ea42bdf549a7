// harness.cpp — gradient check of one kernel (contract in harness.h). Three parts: setting up
// the parameters (shapes, random inputs), running forward/backward through the reflection
// table on device memory, and comparing against finite differences.
#include "harness.h"

#include <cmath>
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>

#include <nanovdb/util/Primitives.h>

#include "mesh_shapes.h"
#include "values.h"
#include "wp/allocator.h"
#include "wp/bvh.h"
#include "wp/hash_grid.h"
#include "wp/error.h"
#include "wp/launch.h"
#include "wp/mesh.h"
#include "wp/stream.h"
#include "wp/volume.h"

namespace gradcheck {
namespace {

using wp::reflect::ArrayArg;
using wp::reflect::KernelInfo;
using wp::reflect::ParamInfo;

struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What the harness needs of one input: a kernel parameter, or a leaf field of a struct
// parameter (named by its path "p.field").
struct Desc {
  std::string name, dtype;
  const char* scalar = "";
  bool is_array = false;
  int components = 0, ndim = 0;
  size_t size = 0;
  bool has_accumulator = false;
};

// One input of the kernel: its values (host) and, for arrays, its shape. Struct parameters
// are split into one Param per leaf field (`field`), placed at `offset` in the struct.
struct Param {
  Desc info;
  size_t owner = 0;     // the kernel parameter it belongs to
  bool field = false;
  size_t offset = 0;
  Scalar scalar = Scalar::other;
  std::vector<int> shape;  // arrays only
  Buffer input;
  bool is_float() const { return gradcheck::is_float(scalar); }
  bool float_array() const { return info.is_array && is_float(); }
};

Desc param_desc(const ParamInfo& p) {
  return {p.name, p.dtype, p.scalar, p.is_array, p.components, p.ndim, p.size, p.has_accumulator};
}

Desc field_desc(const ParamInfo& p, const wp::reflect::FieldInfo& f) {
  return {std::string(p.name) + "." + f.path, f.dtype, f.scalar, f.is_array, f.components, f.ndim, f.size,
          p.has_accumulator && f.differentiable && !f.is_array};
}

std::string shape_str(const std::vector<int>& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += std::to_string(s[i]) + (s.size() == 1 || i + 1 < s.size() ? "," : "");
  return out + ")";
}

std::vector<int> launch_dims(const KernelInfo& k, const Settings& s) {
  if (s.launch) return *s.launch;
  if (k.tid_dims >= 2) return std::vector<int>(static_cast<size_t>(k.tid_dims), 4);
  return {s.dim.value_or(16)};
}

// The setting for `name` or, for a field path "p.a.b", the nearest enclosing "p.a" / "p".
template <typename Map>
auto find_setting(const Map& m, std::string name) {
  for (;;) {
    auto it = m.find(name);
    const size_t dot = name.rfind('.');
    if (it != m.end() || dot == std::string::npos) return it;
    name.resize(dot);
  }
}

std::vector<int> array_shape(const Desc& p, const Settings& s, const std::vector<int>& launch) {
  auto it = s.shapes.find(p.name);
  if (it != s.shapes.end()) {
    if (static_cast<int>(it->second.size()) != p.ndim)
      throw std::runtime_error("shape(" + p.name + ") has " + std::to_string(it->second.size()) +
                               " extents; the parameter is a " + std::to_string(p.ndim) + "-D array");
    return it->second;
  }
  if (p.ndim == 1) return {s.dim.value_or(16)};
  if (static_cast<int>(launch.size()) == p.ndim) return launch;
  std::vector<int> shape(static_cast<size_t>(p.ndim), 4);  // one row per thread of a 1-D launch
  if (launch.size() == 1) shape[0] = launch[0];
  return shape;
}

// The fixed value of a non-array parameter (NAME=v[,v…]: one value per component or one
// broadcast to all).
void set_value(Param& p, const std::vector<double>& v) {
  if (v.size() != 1 && v.size() != p.input.components)
 throw std::runtime_error("parameter '" + p.info.name + "' has " + std::to_string(p.input.components) +
                             " components; the setting gives " + std::to_string(v.size()));
  for (size_t c = 0; c < p.input.components; ++c) p.input.set(c, v.size() == 1 ? v[0] : v[c]);
}

Range default_range(const Param& p, const Settings& s) {
  auto it = find_setting(s.ranges, p.info.name);
  if (it != s.ranges.end()) return it->second;
  if (p.is_float()) return s.range.value_or(Range{-1.0, 1.0});
  if (p.scalar == Scalar::boolean) return {0.0, p.info.is_array ? 1.0 : 0.0};
  if (p.info.is_array) return {0.0, s.dim.value_or(16) - 1.0};  // index arrays
  return {1.0, 4.0};                                               // counts
}

Param make_param(const Desc& info, const Settings& s, const std::vector<int>& launch, std::mt19937_64& rng) {
  Param p;
  p.info = info;
  p.scalar = parse_scalar(info.scalar);
  p.input.scalar = p.scalar;
  p.input.components = static_cast<size_t>(info.components);
  p.input.count = 1;
  if (info.is_array) {
    p.shape = array_shape(info, s, launch);
    for (int e : p.shape) p.input.count *= static_cast<size_t>(e);
  }
  p.input.bytes.assign(p.input.count * info.size, std::byte{0});
  const Range r = default_range(p, s);
  fill_random(p.input, r.first, r.second, rng);
  auto v = s.values.find(info.name);
  if (v != s.values.end()) {
    if (info.is_array) throw std::runtime_error("'" + info.name + "' is an array; give range(" + info.name + ")=lo,hi instead");
    set_value(p, v->second);
  }
  return p;
}

// The Params of kernel parameter `index`: itself, or one per leaf field of a struct.
void add_params(const ParamInfo& info, size_t index, const Settings& s, const std::vector<int>& launch,
                std::mt19937_64& rng, std::vector<Param>& out) {
  const bool is_struct = parse_scalar(info.scalar) == Scalar::other || info.components <= 0;
  if (is_struct && info.is_array) throw Unsupported(std::string("array of structs '") + info.name + "'");
  if (!is_struct) {
    out.push_back(make_param(param_desc(info), s, launch, rng));
    out.back().owner = index;
    return;
  }
  for (int f = 0; f < info.num_fields; ++f) {
    const wp::reflect::FieldInfo& fi = info.fields[f];
    const Desc d = field_desc(info, fi);
    if (parse_scalar(fi.scalar) == Scalar::other || fi.components <= 0)
      throw Unsupported("struct parameter '" + std::string(info.name) + "': field '" + d.name + "' is an array of structs");
    out.push_back(make_param(d, s, launch, rng));
    out.back().owner = index;
    out.back().field = true;
    out.back().offset = fi.offset;
  }
}

// A wp::Mesh (mesh(ID)=POINTS,INDICES[,VELOCITIES]), wp::Bvh (bvh(ID)=LOWERS,UPPERS),
// wp::HashGrid (hash_grid(ID)=POINTS,RADIUS) or wp::Volume (volume(ID)=…) the Runner builds over
// the device copies of the named inputs: indices into the Params.
struct Geometry {
  enum Kind { Mesh, Bvh, HashGrid, Volume } kind = Mesh;
  std::optional<VolumeSpec> volume;  // kind Volume: the volume(ID)=… pragma
  size_t id = 0, a = 0, b = 0;  // mesh: points, indices; bvh: lowers, uppers; grid: points, radius; volume: data
  int velocities = -1;          // mesh only; -1: none
};

size_t param_index(const std::vector<Param>& ps, const std::string& name, const std::string& pragma) {
  for (size_t i = 0; i < ps.size(); ++i)
    if (ps[i].info.name == name) return i;
  throw std::runtime_error(pragma + " names '" + name + "', which is not a parameter (or struct field) of the kernel");
}

void require(bool ok, const std::string& pragma, const Param& p, const std::string& what) {
  if (!ok) throw std::runtime_error(pragma + ": '" + p.info.name + "' (" + p.info.dtype + ") must be " + what);
}

bool is_vec3_array(const Param& p) {
  return p.info.is_array && p.info.ndim == 1 && p.scalar == Scalar::f32 && p.info.components == 3;
}

// Replaces the values (and length) of 1-D array parameter p.
void resize_array(Param& p, size_t count) {
  p.shape = {static_cast<int>(count)};
  p.input.count = count;
  p.input.bytes.assign(count * p.info.size, std::byte{0});
}

bool has_param(const std::vector<Param>& ps, const std::string& name) {
  for (const Param& p : ps)
    if (p.info.name == name) return true;
  return false;
}

// Resolves mesh(…) / mesh_shape(…) / bvh(…) into Geometry records and makes the inputs
// valid for them: generated meshes replace the drawn points and indices, drawn indices are
// redrawn among the points (unless range(INDICES) is given), BVH boxes get lower ≤ upper.
// File-wide (or command-line) entries apply to the kernels that have a parameter ID; the
// kernel's own (`own`) must match its parameters.
std::vector<Geometry> setup_geometry(std::vector<Param>& ps, const Settings& s, const Settings& own,
                                     std::mt19937_64& rng) {
  std::vector<Geometry> out;
  for (const auto& [id, shape] : s.mesh_shapes)
    if (!s.meshes.count(id) && (own.mesh_shapes.count(id) || has_param(ps, id)))
      throw std::runtime_error("mesh_shape(" + id + ") without mesh(" + id + ")=POINTS,INDICES");
  auto id_param = [&](const std::string& id, const std::string& pragma) {
    const size_t i = param_index(ps, id, pragma);
    require(!ps[i].info.is_array && ps[i].scalar == Scalar::u64 && ps[i].info.components == 1, pragma, ps[i],
            "a wp.uint64 (the object's id)");
    for (const Geometry& g : out)
      if (g.id == i) throw std::runtime_error(pragma + ": '" + id + "' is already the id of another mesh or BVH");
    return i;
  };
  for (const auto& [id, names] : s.meshes) {
    if (!own.meshes.count(id) && !has_param(ps, id)) continue;
    const std::string pragma = "mesh(" + id + ")";
    Geometry g;
    g.id = id_param(id, pragma);
    g.a = param_index(ps, names[0], pragma);
    g.b = param_index(ps, names[1], pragma);
    Param& points = ps[g.a];
    Param& indices = ps[g.b];
    require(is_vec3_array(points), pragma, points, "a 1-D wp.array(dtype=wp.vec3) (the points)");
    require(indices.info.is_array && indices.info.ndim == 1 && indices.scalar == Scalar::i32 && indices.info.components == 1,
            pragma, indices, "a 1-D wp.array(dtype=wp.int32) (the indices)");
    auto shape_it = s.mesh_shapes.find(id);
    if (shape_it != s.mesh_shapes.end()) {
      const MeshShape& m = shape_it->second;
      if (m.kind == "sphere" || m.kind == "grid") {
        if (s.shapes.count(points.info.name))
          throw std::runtime_error("mesh_shape(" + id + ") sets the length of '" + points.info.name + "'; drop shape(" + points.info.name + ")");
        const Range r = default_range(points, s);
        MeshData md = m.kind == "sphere" ? sphere_mesh(static_cast<int>(m.args[0]), r.first, r.second)
                                         : grid_mesh(static_cast<int>(m.args[0]), static_cast<int>(m.args[1]), r.first, r.second);
        const size_t jitter_arg = m.kind == "sphere" ? 1 : 2;
        jitter(md, m.args.size() > jitter_arg ? m.args[jitter_arg] : 0.1, rng);
        resize_array(points, md.points.size());
        for (size_t k = 0; k < md.points.size(); ++k)
          for (size_t c = 0; c < 3; ++c) points.input.set(3 * k + c, md.points[k][c]);
        resize_array(indices, md.indices.size());
        for (size_t k = 0; k < md.indices.size(); ++k) indices.input.set(k, md.indices[k]);
      } else {  // random,NTRIS: triangles among the drawn points
        const std::vector<int32_t> tris = random_triangles(static_cast<int>(m.args[0]), static_cast<int>(points.input.count), rng);
        resize_array(indices, tris.size());
        for (size_t k = 0; k < tris.size(); ++k) indices.input.set(k, tris[k]);
      }
      if (s.shapes.count(indices.info.name))
        throw std::runtime_error("mesh_shape(" + id + ") sets the length of '" + indices.info.name + "'; drop shape(" + indices.info.name + ")");
    } else {
      if (!s.ranges.count(indices.info.name))
        fill_random(indices.input, 0.0, static_cast<double>(points.input.count) - 1.0, rng);
      if (indices.input.count % 3 != 0)
        throw std::runtime_error(pragma + ": '" + indices.info.name + "' has " + std::to_string(indices.input.count) +
                                 " elements, not three per triangle: give shape(" + indices.info.name +
                                 ")=3*NTRIS or mesh_shape(" + id + ")=…");
    }
    if (names.size() > 2) {
      g.velocities = static_cast<int>(param_index(ps, names[2], pragma));
      Param& vel = ps[static_cast<size_t>(g.velocities)];
      require(is_vec3_array(vel), pragma, vel, "a 1-D wp.array(dtype=wp.vec3) (the velocities)");
      if (vel.input.count != points.input.count) {
        if (s.shapes.count(vel.info.name))
          throw std::runtime_error(pragma + ": '" + vel.info.name + "' must have as many elements as '" + points.info.name + "'");
        resize_array(vel, points.input.count);
        const Range r = default_range(vel, s);
        fill_random(vel.input, r.first, r.second, rng);
      }
    }
    out.push_back(g);
  }
  for (const auto& [id, names] : s.bvhs) {
    if (!own.bvhs.count(id) && !has_param(ps, id)) continue;
    const std::string pragma = "bvh(" + id + ")";
    Geometry g;
    g.kind = Geometry::Bvh;
    g.id = id_param(id, pragma);
    g.a = param_index(ps, names[0], pragma);
    g.b = param_index(ps, names[1], pragma);
    Param& lo = ps[g.a];
    Param& hi = ps[g.b];
    require(is_vec3_array(lo), pragma, lo, "a 1-D wp.array(dtype=wp.vec3) (the lower corners)");
    require(is_vec3_array(hi), pragma, hi, "a 1-D wp.array(dtype=wp.vec3) (the upper corners)");
    if (lo.input.count != hi.input.count)
      throw std::runtime_error(pragma + ": '" + lo.info.name + "' and '" + hi.info.name + "' differ in length");
    for (size_t k = 0; k < lo.input.num_scalars(); ++k) {
      const double x = lo.input.get(k), y = hi.input.get(k);
      lo.input.set(k, std::min(x, y));
      hi.input.set(k, std::max(x, y));
    }
    out.push_back(g);
  }
  for (const auto& [id, names] : s.hash_grids) {
    if (!own.hash_grids.count(id) && !has_param(ps, id)) continue;
    const std::string pragma = "hash_grid(" + id + ")";
    Geometry g;
    g.kind = Geometry::HashGrid;
    g.id = id_param(id, pragma);
    g.a = param_index(ps, names[0], pragma);
    g.b = param_index(ps, names[1], pragma);
    require(is_vec3_array(ps[g.a]), pragma, ps[g.a], "a 1-D wp.array(dtype=wp.vec3) (the points)");
    const Param& radius = ps[g.b];
    require(!radius.info.is_array && radius.scalar == Scalar::f32 && radius.info.components == 1, pragma, radius,
            "a float32 parameter (the cell width)");
    out.push_back(g);
  }
  for (const auto& [id, spec] : s.volumes) {
    if (!own.volumes.count(id) && !has_param(ps, id)) continue;
    const std::string pragma = "volume(" + id + ")";
    Geometry g;
    g.kind = Geometry::Volume;
    g.volume = spec;
    g.id = id_param(id, pragma);
    if (spec.kind == "index") {
      g.a = param_index(ps, spec.data, pragma);
      Param& data = ps[g.a];
      require(data.info.is_array && data.info.ndim == 1 && data.scalar == Scalar::f32 && data.info.components == 1,
              pragma, data, "a 1-D wp.array(dtype=float) (the voxel data)");
      if (s.shapes.count(data.info.name))
        throw std::runtime_error(pragma + " sets the length of '" + data.info.name + "'; drop shape(" + data.info.name + ")");
      const size_t n = static_cast<size_t>(spec.args[0]);
      resize_array(data, n * n * n);
      const Range r = default_range(data, s);
      fill_random(data.input, r.first, r.second, rng);
    }
    out.push_back(g);
  }
  return out;
}

// The volume of a volume(ID)=… pragma on `device` (its data never changes between launches).
wp::Volume make_volume(const VolumeSpec& spec, const wp::Device& device) {
  if (spec.kind == "sphere") {
    auto handle = nanovdb::createLevelSetSphere<float>(static_cast<float>(spec.args[0]), nanovdb::Vec3f(0.0f), spec.args[1], 3.0);
    return wp::Volume::from_grid(handle.data(), handle.size(), device);
  }
  const int n = static_cast<int>(spec.args[0]);
  std::vector<wp::vec3i> voxels;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k) voxels.push_back(wp::vec3i{{i, j, k}});
  return wp::Volume::allocate_by_voxels(wp::from_host(voxels, device), wp::vec3d{{1, 1, 1}}, wp::vec3d{{0, 0, 0}}, device);
}

// Device memory of the launches: one allocation per array (data, and grad for float arrays;
// struct fields included) and per accumulator (one per kernel parameter that has one), refilled
// from the host before every launch. Struct parameters are passed as a host buffer in the
// struct's layout whose array-field slots hold ArrayArgs (reflect.h).
class Runner {
 public:
  Runner(const KernelInfo& k, const std::vector<Param>& params, const std::vector<int>& launch,
         const wp::Device& device, const std::vector<Geometry>& geometry)
      : k_(k), params_(params), device_(device), dim_(to_dim(launch)), geometry_(geometry) {
    options_.device = device;
    for (const Param& p : params_) {
      Slot s;
      if (p.info.is_array) {
        s.bytes = p.input.bytes.size();
        s.data = wp::detail::allocate_shared(device, s.bytes);
        if (p.float_array()) s.grad = wp::detail::allocate_shared(device, s.bytes);
        s.arg.ndim = p.info.ndim;
        for (int d = 0; d < 4; ++d) s.arg.shape[d] = d < p.info.ndim ? p.shape[static_cast<size_t>(d)] : 0;
      }
      slots_.push_back(std::move(s));
    }
    for (int j = 0; j < k.num_params; ++j) {
      const ParamInfo& info = k.params[j];
      accs_.push_back(info.has_accumulator ? wp::detail::allocate_shared(device, info.size) : nullptr);
      structs_.emplace_back(info.num_fields > 0 && !info.is_array ? info.size : 0, std::byte{0});
    }
  }

  // The arrays' values after a forward launch on a copy of `inputs`.
  std::vector<Buffer> forward(const std::vector<Buffer>& inputs) {
    std::vector<void*> args = upload(inputs, false);
    settle();
    k_.forward(dim_, args.data(), options_);
    settle();
    return download(inputs, false);
  }

  // Backward on a fresh copy of `inputs` with gradients seeded by `seeds`; returns the
  // gradients (arrays) and accumulators (non-array inputs with one), by input.
  std::vector<Buffer> backward(const std::vector<Buffer>& inputs, const std::vector<Buffer>& seeds) {
    std::vector<void*> args = upload(inputs, true);
    for (size_t i = 0; i < params_.size(); ++i)
      if (params_[i].float_array())
        wp::detail::copy_bytes(slots_[i].grad.get(), device_, seeds[i].bytes.data(), wp::Device(), slots_[i].bytes);
    std::vector<void*> accs;
    std::vector<ArrayArg> acc_args(accs_.size());
    for (size_t j = 0; j < accs_.size(); ++j) {
      if (!accs_[j]) continue;
      wp::detail::set_bytes(accs_[j].get(), device_, 0, k_.params[j].size);
      acc_args[j] = ArrayArg{accs_[j].get(), nullptr, {1, 0, 0, 0}, 1};
      accs.push_back(&acc_args[j]);
    }
    settle();
    k_.backward(dim_, args.data(), accs.data(), options_);
    settle();
    std::vector<Buffer> out = download(inputs, true);
    std::vector<std::vector<std::byte>> acc_host(accs_.size());
    for (size_t j = 0; j < accs_.size(); ++j) {
      if (!accs_[j]) continue;
      acc_host[j].resize(k_.params[j].size);
      wp::detail::copy_bytes(acc_host[j].data(), wp::Device(), accs_[j].get(), device_, acc_host[j].size());
    }
    for (size_t i = 0; i < params_.size(); ++i)
      if (params_[i].info.has_accumulator)
        std::memcpy(out[i].bytes.data(), acc_host[params_[i].owner].data() + params_[i].offset, params_[i].info.size);
    return out;
  }

  // The JVP on a fresh copy of `inputs` with direction `dir` (arrays: their tangent buffers;
  // non-array float inputs: their tangent values); returns every array's tangent after it, and
  // the arrays' values after it in `primal`.
  std::vector<Buffer> jvp(const std::vector<Buffer>& inputs, const std::vector<Buffer>& dir, std::vector<Buffer>& primal) {
    // Arrays inside structs carry their tangents in their gradient buffers (docs/autodiff.md).
    std::vector<void*> args = upload(inputs, true);
    std::vector<void*> tangents(static_cast<size_t>(k_.num_params), nullptr);
    std::vector<ArrayArg> tan_args(params_.size());
    std::vector<std::vector<std::byte>> values(static_cast<size_t>(k_.num_params));
    std::vector<std::shared_ptr<void>> keep;
    for (size_t i = 0; i < params_.size(); ++i) {
      const Param& p = params_[i];
      const size_t j = p.owner;
      if (p.float_array() && !p.field) {
        keep.push_back(wp::detail::allocate_shared(device_, slots_[i].bytes));
        wp::detail::copy_bytes(keep.back().get(), device_, dir[i].bytes.data(), wp::Device(), slots_[i].bytes);
        tan_args[i] = slots_[i].arg;
        tan_args[i].data = keep.back().get();
        tan_args[i].grad = nullptr;
        tangents[j] = &tan_args[i];
        tan_slots_[i] = keep.back();
      } else if (p.float_array()) {
        wp::detail::copy_bytes(slots_[i].grad.get(), device_, dir[i].bytes.data(), wp::Device(), slots_[i].bytes);
        tan_slots_[i] = slots_[i].grad;
      } else if (p.is_float() && !p.info.is_array && p.info.has_accumulator) {
        if (values[j].empty()) values[j].assign(k_.params[j].size, std::byte{0});
        std::memcpy(values[j].data() + p.offset, dir[i].bytes.data(), p.info.size);
        tangents[j] = values[j].data();
      }
    }
    settle();
    k_.jvp(dim_, args.data(), tangents.data(), options_);
    settle();
    primal = download(inputs, false);
    std::vector<Buffer> out = inputs;
    for (size_t i = 0; i < params_.size(); ++i)
      if (tan_slots_.count(i))
        wp::detail::copy_bytes(out[i].bytes.data(), wp::Device(), tan_slots_[i].get(), device_, slots_[i].bytes);
    tan_slots_.clear();
    return out;
  }

 private:
  std::map<size_t, std::shared_ptr<void>> tan_slots_;
  struct Slot {
    size_t bytes = 0;
    std::shared_ptr<void> data, grad;
    ArrayArg arg{nullptr, nullptr, {0, 0, 0, 0}, 0};
  };

  static wp::Dim to_dim(const std::vector<int>& launch) {
    int64_t e[4] = {0, 0, 0, 0};
    for (size_t d = 0; d < launch.size(); ++d) e[d] = launch[d];
    return wp::Dim(wp::Shape::from_extents(e, static_cast<int>(launch.size())));
  }

  // The module's launchers run on the CUDA stream of the runtime linked into the module's shared
  // library, a second copy of the runtime with its own default stream; the uploads, memsets,
  // mesh refits and downloads here run on this executable's stream. The two streams do not
  // order each other, so every launch is fenced by a device synchronisation on both sides.
  void settle() const { wp::synchronize(device_); }

  // One argument pointer per kernel parameter.
  std::vector<void*> upload(const std::vector<Buffer>& inputs, bool with_grad) {
    std::vector<void*> args(static_cast<size_t>(k_.num_params), nullptr);
    for (size_t j = 0; j < structs_.size(); ++j)
      if (!structs_[j].empty()) args[j] = structs_[j].data();
    for (size_t i = 0; i < params_.size(); ++i) {
      const Param& p = params_[i];
      Slot& s = slots_[i];
      void* value = const_cast<std::byte*>(inputs[i].bytes.data());
      if (p.info.is_array) {
        wp::detail::copy_bytes(s.data.get(), device_, inputs[i].bytes.data(), wp::Device(), s.bytes);
        s.arg.data = s.data.get();
        s.arg.grad = with_grad ? s.grad.get() : nullptr;
        value = &s.arg;
      }
      if (!p.field) args[p.owner] = value;
      else std::memcpy(structs_[p.owner].data() + p.offset, value, p.info.is_array ? sizeof(ArrayArg) : p.info.size);
    }
    sync_geometry();
    for (size_t g = 0; g < geometry_.size(); ++g) {  // the id parameters: the objects' ids
      const Param& p = params_[geometry_[g].id];
      if (!p.field) args[p.owner] = &ids_[g];
      else std::memcpy(structs_[p.owner].data() + p.offset, &ids_[g], sizeof(uint64_t));
    }
    return args;
  }

  template <typename T>
  wp::array<T> wrap(size_t i, bool with_grad) {
    return wp::array<T>(static_cast<T*>(slots_[i].data.get()), wp::Shape(static_cast<int64_t>(params_[i].input.count)),
                        device_, with_grad ? static_cast<T*>(slots_[i].grad.get()) : nullptr);
  }

  // Builds the meshes and BVHs over the uploaded inputs the first time, refits them after
  // every later upload (the points or boxes may have been perturbed). A mesh's points (and
  // velocities) carry their gradient buffers, where the query adjoints accumulate. Hash grids
  // (16³ cells, cell width = the radius parameter's value) are rebuilt before every launch.
  void sync_geometry() {
    if (!geometry_.empty() && ids_.empty()) {
      for (const Geometry& g : geometry_) {
        if (g.kind == Geometry::Volume) {
          volumes_.push_back(make_volume(*g.volume, device_));
          ids_.push_back(volumes_.back().id());
        } else if (g.kind == Geometry::Mesh) {
          wp::MeshOptions options;
          options.support_winding_number = true;
          const auto points = wrap<wp::vec3>(g.a, true);
          const auto indices = wrap<int32_t>(g.b, false);
          meshes_.push_back(g.velocities >= 0 ? wp::Mesh(points, indices, wrap<wp::vec3>(static_cast<size_t>(g.velocities), true), options)
                                              : wp::Mesh(points, indices, options));
          ids_.push_back(meshes_.back().id());
        } else if (g.kind == Geometry::Bvh) {
          bvhs_.push_back(wp::Bvh(wrap<wp::vec3>(g.a, false), wrap<wp::vec3>(g.b, false)));
          ids_.push_back(bvhs_.back().id());
        } else {
          grids_.push_back(wp::HashGrid(16, 16, 16, device_));
          ids_.push_back(grids_.back().id());
        }
      }
    } else {
      for (wp::Mesh& m : meshes_) m.refit();
      for (wp::Bvh& b : bvhs_) b.refit();
    }
    size_t k = 0;
    for (const Geometry& g : geometry_) {
      if (g.kind != Geometry::HashGrid) continue;
      grids_[k++].build(wrap<wp::vec3>(g.a, false), params_[g.b].input.get(0));
    }
  }

  // Array data (or grads) back to the host; other inputs as in `like`.
  std::vector<Buffer> download(const std::vector<Buffer>& like, bool grads) {
    std::vector<Buffer> out = like;
    for (size_t i = 0; i < params_.size(); ++i) {
      const void* src = grads ? slots_[i].grad.get() : slots_[i].data.get();
      if (params_[i].info.is_array && src)
        wp::detail::copy_bytes(out[i].bytes.data(), wp::Device(), src, device_, slots_[i].bytes);
    }
    return out;
  }

  const KernelInfo& k_;
  const std::vector<Param>& params_;
  wp::Device device_;
  wp::Dim dim_;
  wp::LaunchOptions options_;
  std::vector<Slot> slots_;
  std::vector<std::shared_ptr<void>> accs_;       // by kernel parameter
  std::vector<std::vector<std::byte>> structs_;   // by kernel parameter: struct argument buffers
  const std::vector<Geometry>& geometry_;
  std::vector<uint64_t> ids_;                      // by geometry_ entry, once built
  std::vector<wp::Mesh> meshes_;                   // after slots_: destroyed before the memory
  std::vector<wp::Bvh> bvhs_;
  std::vector<wp::HashGrid> grids_;
  std::vector<wp::Volume> volumes_;
};

double default_eps(Scalar s) {
  return s == Scalar::f64 ? 1e-6 : s == Scalar::f16 ? 1e-2 : s == Scalar::bf16 ? 6.25e-2 : 1e-3;
}
double default_tol(Scalar s) {
  return s == Scalar::f64 ? 1e-6 : s == Scalar::f16 ? 1e-1 : s == Scalar::bf16 ? 2.5e-1 : 1e-2;
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Σ w·(a − b) over every float array component, in double.
double weighted_diff(const std::vector<Param>& ps, const std::vector<Buffer>& w,
                     const std::vector<Buffer>& a, const std::vector<Buffer>& b) {
  double sum = 0.0;
  for (size_t i = 0; i < ps.size(); ++i) {
    if (!ps[i].float_array()) continue;
    for (size_t k = 0; k < w[i].num_scalars(); ++k) sum += w[i].get(k) * (a[i].get(k) - b[i].get(k));
  }
  return sum;
}

// Pragma names that are not parameters of the kernel are mistakes.
void check_names(const KernelInfo& k, const Settings& own) {
  std::set<std::string> names, leaves;  // leaves: what NAME=v can set
  for (int i = 0; i < k.num_params; ++i) {
    names.insert(k.params[i].name);
    if (k.params[i].components > 0) leaves.insert(k.params[i].name);
    for (int f = 0; f < k.params[i].num_fields && k.params[i].fields; ++f) {
      const std::string path = std::string(k.params[i].name) + "." + k.params[i].fields[f].path;
      for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1))
        names.insert(path.substr(0, dot));  // "p", "p.inner" name every field below them
      names.insert(path);
      leaves.insert(path);
    }
  }
  auto need = [&](const std::string& n) {
    if (!names.count(n)) throw std::runtime_error("a pragma names '" + n + "', which is not a parameter (or struct field) of the kernel");
  };
  for (const auto& kv : own.values) {
    need(kv.first);
    if (!leaves.count(kv.first))
      throw std::runtime_error("'" + kv.first + "' is a struct; give its fields' values (" + kv.first + ".FIELD=v)");
  }
  for (const auto& kv : own.ranges) need(kv.first);
  for (const auto& kv : own.shapes) need(kv.first);
  for (const auto& n : own.nocheck) need(n);
  for (const auto* m : {&own.meshes, &own.bvhs, &own.hash_grids})
    for (const auto& [id, arrays] : *m) {
      need(id);
      for (const auto& n : arrays) need(n);
    }
  for (const auto& kv : own.mesh_shapes) need(kv.first);
}

class Checker {
 public:
  Checker(const KernelInfo& k, const Settings& s, const Settings& own, const wp::Device& device,
          const std::set<std::string>& minmax, uint64_t seed)
      : k_(k), s_(s), rng_(seed ^ fnv1a(k.name)), launch_(launch_dims(k, s)) {
    for (int i = 0; i < k.num_params; ++i) add_params(k.params[i], static_cast<size_t>(i), s, launch_, rng_, params_);
    geometry_ = setup_geometry(params_, s, own, rng_);
    runner_ = std::make_unique<Runner>(k, params_, launch_, device, geometry_);
    for (const Param& p : params_) inputs_.push_back(p.input);
    seeds_ = inputs_;
    for (size_t i = 0; i < params_.size(); ++i)
      if (params_[i].float_array()) fill_random(seeds_[i], -1.0, 1.0, rng_);
    out0_ = runner_->forward(inputs_);
    // The backward replays the forward on the inputs as the launch read them; atomic_min /
    // atomic_max targets hold the launch's results (their adjoint finds the winning value
    // by comparing with the final contents).
    state_ = inputs_;
    for (size_t i = 0; i < params_.size(); ++i)
      if (minmax.count(params_[i].info.name)) state_[i] = out0_[i];
    ad_ = runner_->backward(state_, seeds_);
  }

  std::string launch() const { return "launch " + shape_str(launch_); }

  // Compares every component of parameter i; false when it is not differentiable.
  bool check(size_t i, ParamResult& r) {
    const Param& p = params_[i];
    if (!p.is_float() || !(p.info.is_array || p.info.has_accumulator)) return false;
    if (find_setting(s_.nocheck, p.info.name) != s_.nocheck.end()) return false;
    r.name = p.info.name;
    r.type = p.info.dtype + (p.info.is_array ? shape_str(p.shape) : "");
    const double eps = s_.eps.value_or(default_eps(p.scalar));
    const double tol = s_.tol.value_or(default_tol(p.scalar));
    for (size_t k = 0; k < p.input.num_scalars(); ++k) compare(i, k, eps, tol, r);
    return true;
  }

  size_t num_params() const { return params_.size(); }

  // Forward mode (harness.h): JVP·u against central differences along u, and the dot-product test.
  void check_jvp(KernelResult& r) {
    if (!geometry_.empty()) {
      r.jvp = "skipped (geometry parameters)";
      return;
    }
    std::vector<Buffer> dir = inputs_;
    double dot_vjp = 0.0;
    Scalar precision = Scalar::f64;
    for (size_t i = 0; i < params_.size(); ++i) {
      const Param& p = params_[i];
      const bool varied = p.is_float() && (p.info.is_array || p.info.has_accumulator) &&
                          find_setting(s_.nocheck, p.info.name) == s_.nocheck.end();
      for (auto& b : dir[i].bytes) b = std::byte{0};
      if (!varied) continue;
      if (p.scalar != Scalar::f64 && (precision == Scalar::f64 || p.scalar == Scalar::f16 || p.scalar == Scalar::bf16))
        precision = p.scalar;
      fill_random(dir[i], -1.0, 1.0, rng_);
    }
    const double eps = s_.eps.value_or(default_eps(precision));
    const double tol = s_.tol.value_or(default_tol(precision));
    // x ± eps·u in the inputs' precision; u is then taken as the step actually made,
    // (x₊ − x₋) / 2eps (rounded to the storage type), so the FD is along the JVP's direction.
    std::vector<Buffer> xp = inputs_, xm = inputs_;
    for (size_t i = 0; i < params_.size(); ++i)
      for (size_t k = 0; k < dir[i].num_scalars() && params_[i].is_float(); ++k) {
        const double d = dir[i].get(k);
        if (d == 0.0) continue;
        xp[i].set(k, inputs_[i].get(k) + eps * d);
        xm[i].set(k, inputs_[i].get(k) - eps * d);
        dir[i].set(k, (xp[i].get(k) - xm[i].get(k)) / (2 * eps));
        dot_vjp += dir[i].get(k) * ad_[i].get(k);
      }
    // Launched on the forward's inputs (atomic_min / atomic_max targets included), the JVP does
    // the forward's work: its arrays must end as the forward's did.
    std::vector<Buffer> primal;
    const std::vector<Buffer> tan = runner_->jvp(inputs_, dir, primal);
    ParamResult& same = r.jvp_primal;
    same.name = "primal";
    same.type = "outputs";
    for (size_t i = 0; i < params_.size(); ++i) {
      if (!params_[i].info.is_array) continue;
      for (size_t k = 0; k < primal[i].num_scalars(); ++k) {
        const double got = primal[i].get(k), want = out0_[i].get(k);
        const double err = std::fabs(got - want), rel = err / std::max(1.0, std::fabs(want));
        ++same.checked;
        if (!(err <= same.max_abs)) same.max_abs = err;
        if (!(rel <= same.max_rel)) same.max_rel = rel;
        // Integers exactly; floats within tol/10 (the same arithmetic in another kernel body:
        // contractions and atomics' order may differ).
        if (params_[i].is_float() ? rel <= 0.1 * tol || (std::isnan(got) && std::isnan(want)) : got == want) continue;
        if (++same.failures <= 4) {
          std::ostringstream os;
          os << params_[i].info.name << "[" << k << "] JVP=" << got << " forward=" << want;
          same.worst.push_back(os.str());
        }
      }
    }
    const std::vector<Buffer> plus = runner_->forward(xp), minus = runner_->forward(xm);
    // Richardson's extrapolation (4·D(eps/2) − D(eps)) / 3, whose error is O(eps⁴): computed
    // once, when a component misses the central difference (quickly varying curvature: noise).
    std::vector<Buffer> half_plus, half_minus, far_plus, far_minus;
    auto moved = [&](double t) {
      std::vector<Buffer> x = inputs_;
      for (size_t a = 0; a < params_.size(); ++a)
        for (size_t c = 0; c < dir[a].num_scalars() && params_[a].is_float(); ++c)
          if (dir[a].get(c) != 0.0) x[a].set(c, inputs_[a].get(c) + t * dir[a].get(c));
      return runner_->forward(x);
    };
    // A kink within eps whose slope change the one-sided test misses (as for gradients): one
    // side's slopes over [x, x ± eps·u] and [x ± eps·u, x ± 2eps·u] agree and the JVP matches them.
    auto probed = [&](size_t i, size_t k, double t, double up, double down) {
      if (far_plus.empty()) {
        far_plus = moved(2 * eps);
        far_minus = moved(-2 * eps);
      }
      const double fp = (far_plus[i].get(k) - plus[i].get(k)) / eps, fm = (minus[i].get(k) - far_minus[i].get(k)) / eps;
      auto side = [&](double near, double far) {
        const double scale = std::max(1.0, std::fabs(near));
        return std::fabs(near - far) <= tol * scale && std::fabs(t - near) <= tol * scale;
      };
      return side(up, fp) || side(down, fm);
    };
    auto richardson = [&](size_t i, size_t k, double central) {
      if (half_plus.empty()) {
        std::vector<Buffer> hp = inputs_, hm = inputs_;
        for (size_t a = 0; a < params_.size(); ++a)
          for (size_t c = 0; c < dir[a].num_scalars() && params_[a].is_float(); ++c) {
            if (dir[a].get(c) == 0.0) continue;
            hp[a].set(c, inputs_[a].get(c) + 0.5 * eps * dir[a].get(c));
            hm[a].set(c, inputs_[a].get(c) - 0.5 * eps * dir[a].get(c));
          }
        half_plus = runner_->forward(hp);
        half_minus = runner_->forward(hm);
      }
      const double half = (half_plus[i].get(k) - half_minus[i].get(k)) / eps;
      return (4.0 * half - central) / 3.0;
    };
    ParamResult& fd = r.jvp_fd;
    fd.name = "JVP·u";
    fd.type = "outputs";
    double dot_jvp = 0.0;
    for (size_t i = 0; i < params_.size(); ++i) {
      if (!params_[i].float_array()) continue;
      for (size_t k = 0; k < tan[i].num_scalars(); ++k) {
        const double t = tan[i].get(k);
        dot_jvp += t * seeds_[i].get(k);
        const double central = (plus[i].get(k) - minus[i].get(k)) / (2 * eps);
        const double up = (plus[i].get(k) - out0_[i].get(k)) / eps, down = (out0_[i].get(k) - minus[i].get(k)) / eps;
        const double err = std::fabs(t - central), rel = err / std::max(1.0, std::fabs(central));
        bool ok = std::isfinite(t) && rel <= tol;
        const bool kink = std::fabs(up - down) > 10 * tol * std::max({1.0, std::fabs(up), std::fabs(down)});
        if (!ok && kink && std::isfinite(t))
          ok = std::fabs(t - up) <= 10 * tol * std::max(1.0, std::fabs(up)) ||
               std::fabs(t - down) <= 10 * tol * std::max(1.0, std::fabs(down));
        bool probed_kink = false;
        if (!ok && !kink && std::isfinite(t)) {
          const double r = richardson(i, k, central);
          ok = std::fabs(t - r) <= tol * std::max(1.0, std::fabs(r));
          if (!ok && std::fabs(up - down) > tol * std::max({1.0, std::fabs(up), std::fabs(down)}))
            ok = probed_kink = probed(i, k, t, up, down);
        }
        ++fd.checked;
        if (kink || probed_kink) ++fd.kinks;
        if (!(err <= fd.max_abs)) fd.max_abs = err;
        if (!(rel <= fd.max_rel)) fd.max_rel = rel;
        if (ok) continue;
        ++fd.failures;
        if (fd.worst.size() < 4) {
          std::ostringstream os;
          os << params_[i].info.name << "[" << k << "] JVP=" << t << " FD=" << central;
          fd.worst.push_back(os.str());
        }
      }
    }
    r.jvp = "checked";
    r.dot_jvp = dot_jvp;
    r.dot_vjp = dot_vjp;
    r.dot_ok = std::isfinite(dot_jvp) && std::fabs(dot_jvp - dot_vjp) <= tol * std::max({1.0, std::fabs(dot_jvp)});
    if (fd.failures || !r.dot_ok || same.failures) r.status = Status::failed;
  }

 private:
  void compare(size_t i, size_t k, double eps, double tol, ParamResult& r) {
    Buffer& b = inputs_[i];
    const double x0 = b.get(k);
    b.set(k, x0 + eps);
    const double xp = b.get(k);
    const std::vector<Buffer> plus = runner_->forward(inputs_);
    b.set(k, x0 - eps);
    const double xm = b.get(k);
    const std::vector<Buffer> minus = runner_->forward(inputs_);
    b.set(k, x0);
    const double fd = weighted_diff(params_, seeds_, plus, minus) / (xp - xm);
    const double fd_plus = weighted_diff(params_, seeds_, plus, out0_) / (xp - x0);
    const double fd_minus = weighted_diff(params_, seeds_, out0_, minus) / (x0 - xm);
    const double ad = ad_[i].get(k);  // the gradient buffer / accumulator after backward
    const double err = std::fabs(ad - fd), rel = err / std::max(1.0, std::fabs(fd));
    bool ok = std::isfinite(ad) && std::isfinite(fd) && rel <= tol;
    bool kink = std::fabs(fd_plus - fd_minus) > 10 * tol * std::max({1.0, std::fabs(fd_plus), std::fabs(fd_minus)});
    if (!ok && kink && std::isfinite(ad)) {
      auto near = [&](double f) { return std::fabs(ad - f) <= 10 * tol * std::max(1.0, std::fabs(f)); };
      ok = near(fd_plus) || near(fd_minus);
    }
    if (!ok && !kink && std::isfinite(ad) && std::isfinite(fd) &&
        std::fabs(fd_plus - fd_minus) > tol * std::max({1.0, std::fabs(fd_plus), std::fabs(fd_minus)})) {
      // A kink within eps whose slope change is too small for the test above (geometry: a
      // query point near the edge of a Voronoi region). The side without it gives the same
      // one-sided slope over [x0, x0 ± eps] and [x0 ± eps, x0 ± 2 eps]; AD must match it.
      b.set(k, x0 + 2 * eps);
      const double xpp = b.get(k);
      const std::vector<Buffer> plus2 = runner_->forward(inputs_);
      b.set(k, x0 - 2 * eps);
      const double xmm = b.get(k);
      const std::vector<Buffer> minus2 = runner_->forward(inputs_);
      b.set(k, x0);
      auto side = [&](double near_fd, double far_fd) {
        const double scale = std::max(1.0, std::fabs(near_fd));
        return std::fabs(near_fd - far_fd) <= tol * scale && std::fabs(ad - near_fd) <= tol * scale;
      };
      const double far_plus = weighted_diff(params_, seeds_, plus2, plus) / (xpp - xp);
      const double far_minus = weighted_diff(params_, seeds_, minus, minus2) / (xm - xmm);
      ok = side(fd_plus, far_plus) || side(fd_minus, far_minus);
      kink = ok;  // counted with the kinks
    }
    ++r.checked;
    if (kink) ++r.kinks;
    if (!(err <= r.max_abs)) r.max_abs = err;  // NaN-sticky
    if (!(rel <= r.max_rel)) r.max_rel = rel;
    if (ok) return;
    ++r.failures;
    if (r.worst.size() < 4) {
      const size_t comps = params_[i].input.components;
      std::ostringstream os;
      os << "[" << k / comps << "]" << (comps > 1 ? "." + std::to_string(k % comps) : "") << " AD=" << ad
         << " FD=" << fd << (kink ? " (kink: one-sided " + std::to_string(fd_minus) + " / " + std::to_string(fd_plus) + ")" : "");
      r.worst.push_back(os.str());
    }
  }

  const KernelInfo& k_;
  const Settings& s_;
  std::mt19937_64 rng_;
  std::vector<int> launch_;
  std::vector<Param> params_;
  std::vector<Geometry> geometry_;
  std::unique_ptr<Runner> runner_;
  std::vector<Buffer> inputs_, seeds_, out0_, ad_, state_;
};

}  // namespace

KernelResult check_kernel(const KernelInfo& k, const Settings& s, const Settings& kernel_only,
                          const wp::Device& device, const std::set<std::string>& minmax, uint64_t seed) {
  KernelResult r;
  r.kernel = k.name;
  if (s.skip.value_or(false)) {
    r.status = Status::skipped;
    r.reason = "skip pragma";
    return r;
  }
  if (!k.has_backward || !k.backward) {
    r.status = Status::refused;
    return r;
  }
  try {
    check_names(k, kernel_only);
    Checker c(k, s, kernel_only, device, minmax, seed);
    r.launch = c.launch();
    for (size_t i = 0; i < c.num_params(); ++i) {
      ParamResult pr;
      if (!c.check(i, pr)) continue;
      if (pr.failures) r.status = Status::failed;
      r.params.push_back(std::move(pr));
    }
    if (k.jvp) c.check_jvp(r);
  } catch (const Unsupported& e) {
    r.status = Status::unsupported;
    r.reason = e.what();
  } catch (const std::exception& e) {
    r.status = Status::error;
    r.reason = e.what();
  }
  return r;
}

}  // namespace gradcheck
