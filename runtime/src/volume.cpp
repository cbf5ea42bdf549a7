// volume.cpp — wp::Volume: reading and validating .nvdb files and NanoVDB grid buffers, building
// grids with NanoVDB's GridBuilder (dense arrays, bounds, tiles, voxels, index grids), saving,
// and the VolumeDesc on the volume's device.
//
// Contract: see wp/volume.h. Grids are always built and validated in host memory; a CUDA volume
// is a byte copy of the validated host grid (copy_bytes), so CPU and CUDA volumes made from the
// same input are byte-identical. The .nvdb parser reads from a byte span and checks every size
// against what is left before using it (NanoVDB's own reader trusts the sizes it reads).
#include "wp/volume.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include <nanovdb/NanoVDB.h>
#include <nanovdb/util/GridBuilder.h>
#include <nanovdb/util/GridChecksum.h>
#include <nanovdb/util/GridStats.h>
#include <nanovdb/util/IO.h>

#include "geometry_internal.h"

namespace wp {
namespace {

constexpr const char* kOwner = "wp::Volume";
// The grid name that marks an int32 grid as a warpc index grid (NanoVDB 32.4 has no on-index
// grid type, and its IndexGrid class is only valid for its own Index type).
constexpr const char* kIndexGridName = "warpc:index";

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw Error(std::string(kOwner) + ": " + source + ": " + what);
}

// ---- aligned host grid buffers ----------------------------------------------------------------

struct HostGrid {
  std::shared_ptr<uint8_t[]> storage;
  uint8_t* data = nullptr;  // NANOVDB_DATA_ALIGNMENT-aligned
  std::size_t size = 0;

  static HostGrid copy_of(const void* src, std::size_t bytes) {
    HostGrid g;
    g.storage.reset(new uint8_t[bytes + NANOVDB_DATA_ALIGNMENT]);
    const auto base = reinterpret_cast<uintptr_t>(g.storage.get());
    g.data = g.storage.get() + (NANOVDB_DATA_ALIGNMENT - base % NANOVDB_DATA_ALIGNMENT) % NANOVDB_DATA_ALIGNMENT;
    g.size = bytes;
    std::memcpy(g.data, src, bytes);
    return g;
  }
  const nanovdb::GridData* header() const { return reinterpret_cast<const nanovdb::GridData*>(data); }
};

// ---- grid validation --------------------------------------------------------------------------

VolumeType classify(const nanovdb::GridData& g, const std::string& source) {
  using GT = nanovdb::GridType;
  const GT gt = g.mGridType;
  if (gt == GT::Int32 && std::strncmp(g.mGridName, kIndexGridName, sizeof(g.mGridName)) == 0) return VolumeType::Index;
  switch (gt) {
    case GT::Float: return VolumeType::Float32;
    case GT::Double: return VolumeType::Float64;
    case GT::Int32: return VolumeType::Int32;
    case GT::Vec3f: return VolumeType::Vec3f;
    case GT::Vec3d: return VolumeType::Vec3d;
    default: break;
  }
  const std::string type_name =
      static_cast<uint32_t>(g.mGridType) < static_cast<uint32_t>(GT::End)
          ? std::string(nanovdb::toStr(gt))
          : "unknown (" + std::to_string(static_cast<uint32_t>(g.mGridType)) + ")";
  fail(source, "grid type '" + type_name +
                   "' is not supported (supported: float, double, int32, Vec3f, Vec3d, and warpc index grids)");
}

// Checks that every node the tree can reach lies inside the buffer at a node of the right level.
template <typename N>
void check_tree(const HostGrid& g, const std::string& source) {
  using GridT = nanovdb::NanoGrid<N>;
  using TreeT = typename GridT::TreeType;
  using RootT = typename TreeT::RootType;
  using UpperT = typename RootT::ChildNodeType;
  using LowerT = typename UpperT::ChildNodeType;
  using LeafT = typename LowerT::ChildNodeType;
  const auto* grid = reinterpret_cast<const GridT*>(g.data);
  const uint8_t* begin = g.data;
  const uint8_t* end = g.data + g.size;
  const std::size_t tree_offset = sizeof(nanovdb::GridData);
  if (tree_offset + sizeof(nanovdb::TreeData<>) > g.size) fail(source, "grid buffer too small for its tree header");
  const auto* tree = reinterpret_cast<const nanovdb::TreeData<>*>(begin + tree_offset);
  const uint8_t* tree_base = reinterpret_cast<const uint8_t*>(tree);
  auto level_range = [&](int level, std::size_t node_size, uint32_t count, const char* noun) {
    const uint64_t off = tree->mNodeOffset[level];
    if (count == 0) return std::pair<const uint8_t*, const uint8_t*>{nullptr, nullptr};
    if (off > static_cast<uint64_t>(end - tree_base) || count > static_cast<uint64_t>(end - tree_base - off) / node_size)
      fail(source, std::string("corrupt grid: the ") + noun + " array (" + std::to_string(count) +
                       " nodes) does not fit in the grid buffer");
    return std::pair<const uint8_t*, const uint8_t*>{tree_base + off, tree_base + off + count * node_size};
  };
  const auto leaves = level_range(0, sizeof(LeafT), tree->mNodeCount[0], "leaf node");
  const auto lowers = level_range(1, sizeof(LowerT), tree->mNodeCount[1], "lower internal node");
  const auto uppers = level_range(2, sizeof(UpperT), tree->mNodeCount[2], "upper internal node");
  const uint64_t root_off = tree->mNodeOffset[3];
  if (root_off > static_cast<uint64_t>(end - tree_base) || sizeof(RootT) > static_cast<uint64_t>(end - tree_base - root_off))
    fail(source, "corrupt grid: the root node lies outside the grid buffer");
  const auto* root = reinterpret_cast<const RootT*>(tree_base + root_off);
  const uint64_t table = root->data()->mTableSize;
  if (table > (static_cast<uint64_t>(end - tree_base - root_off) - sizeof(RootT)) / sizeof(typename RootT::Tile))
    fail(source, "corrupt grid: the root's tile table (" + std::to_string(table) + " entries) does not fit");
  // Whether the node `offset` bytes from `from` (a child offset read from the grid, possibly
  // junk) is one of the nodes of `range`. Computed on integer offsets from the tree: adding a
  // junk offset to a pointer would itself be undefined behaviour (UBSan: pointer overflow).
  auto child_ok = [&](const uint8_t* from, int64_t offset, std::pair<const uint8_t*, const uint8_t*> range,
                      std::size_t node_size) {
    if (!range.first) return false;
    int64_t pos = 0;
    if (__builtin_add_overflow(static_cast<int64_t>(from - tree_base), offset, &pos)) return false;
    const int64_t first = range.first - tree_base;
    const int64_t last = range.second - tree_base;
    return pos >= first && pos < last && (pos - first) % static_cast<int64_t>(node_size) == 0;
  };
  for (uint64_t t = 0; t < table; ++t) {
    const auto* tile = root->data()->tile(static_cast<uint32_t>(t));
    if (!tile->isChild()) continue;
    if (!child_ok(reinterpret_cast<const uint8_t*>(root), tile->child, uppers, sizeof(UpperT)))
      fail(source, "corrupt grid: root tile " + std::to_string(t) + " points outside the upper node array");
  }
  auto check_internal = [&](auto node_type_tag, std::pair<const uint8_t*, const uint8_t*> range,
                            std::pair<const uint8_t*, const uint8_t*> children, std::size_t child_size,
                            const char* noun) {
    using NodeT = typename decltype(node_type_tag)::type;
    for (const uint8_t* p = range.first; p && p < range.second; p += sizeof(NodeT)) {
      const auto* node = reinterpret_cast<const NodeT*>(p);
      for (auto it = node->data()->mChildMask.beginOn(); it; ++it) {
        if (!child_ok(p, node->data()->mTable[*it].child, children, child_size))
          fail(source, std::string("corrupt grid: a child offset of ") + noun + " node " +
                           std::to_string((p - range.first) / sizeof(NodeT)) + " points outside the next level");
      }
    }
  };
  check_internal(std::type_identity<UpperT>{}, uppers, lowers, sizeof(LowerT), "an upper internal");
  check_internal(std::type_identity<LowerT>{}, lowers, leaves, sizeof(LeafT), "a lower internal");
  (void)grid;
}

// Index grids: every stored value (voxels and tiles) in [−1, active voxel count).
void check_index_values(const HostGrid& g, const std::string& source) {
  const auto* grid = reinterpret_cast<const nanovdb::NanoGrid<int32_t>*>(g.data);
  const int64_t count = static_cast<int64_t>(grid->activeVoxelCount());
  auto bad = [&](int64_t v) { return v < -1 || v >= count; };
  const auto& tree = grid->tree();
  const uint32_t leaves = tree.nodeCount(0);
  const auto* leaf = leaves ? tree.template getFirstNode<0>() : nullptr;
  for (uint32_t n = 0; n < leaves; ++n)
    for (uint32_t i = 0; i < 512; ++i)
      if (bad(leaf[n].getValue(i)))
        fail(source, "corrupt index grid: a voxel holds index " + std::to_string(leaf[n].getValue(i)) + " but there are " +
                         std::to_string(count) + " active voxels");
  if (tree.root().tileCount() > 0 || tree.nodeCount(1) > 0) {
    // Tiles of an index grid would stand for many voxels with one index: refused.
    const uint32_t active_tiles = tree.data()->mTileCount[0] + tree.data()->mTileCount[1] + tree.data()->mTileCount[2];
    if (active_tiles > 0) fail(source, "index grids with active tiles are not supported");
  }
  if (bad(grid->tree().root().background()))
    fail(source, "corrupt index grid: background index " + std::to_string(grid->tree().root().background()));
}

VolumeType validate_grid(const HostGrid& g, const std::string& source) {
  if (g.size < sizeof(nanovdb::GridData)) fail(source, "grid buffer of " + std::to_string(g.size) + " bytes is too small");
  const nanovdb::GridData& h = *g.header();
  if (h.mMagic != NANOVDB_MAGIC_NUMBER) fail(source, "not a NanoVDB grid (bad magic number)");
  if (h.mVersion.getMajor() != NANOVDB_MAJOR_VERSION_NUMBER)
    fail(source, "NanoVDB grid format " + std::to_string(h.mVersion.getMajor()) + " is not supported (this build reads " +
                     std::to_string(NANOVDB_MAJOR_VERSION_NUMBER) + ")");
  if (h.mGridSize != g.size)
    fail(source, "grid header says " + std::to_string(h.mGridSize) + " bytes but " + std::to_string(g.size) +
                     " bytes are there (truncated or corrupt)");
  const VolumeType type = classify(h, source);
  switch (type) {
    case VolumeType::Float32: check_tree<float>(g, source); break;
    case VolumeType::Float64: check_tree<double>(g, source); break;
    case VolumeType::Int32: check_tree<int32_t>(g, source); break;
    case VolumeType::Index:
      check_tree<int32_t>(g, source);
      check_index_values(g, source);
      break;
    case VolumeType::Vec3f: check_tree<nanovdb::Vec3f>(g, source); break;
    case VolumeType::Vec3d: check_tree<nanovdb::Vec3d>(g, source); break;
  }
  for (int i = 0; i < 9; ++i)
    if (!std::isfinite(h.mMap.mMatD[i]) || !std::isfinite(h.mMap.mInvMatD[i]))
      fail(source, "the grid's index-to-world map is not finite");
  return type;
}

// ---- .nvdb parsing ------------------------------------------------------------------------------

struct Reader {
  const uint8_t* p;
  const uint8_t* end;
  const std::string& source;
  template <typename T>
  T read(const char* what) {
    if (static_cast<std::size_t>(end - p) < sizeof(T))
      fail(source, std::string("truncated file: ") + what + " is cut off");
    T v;
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
    return v;
  }
  void skip(uint64_t bytes, const char* what) {
    if (bytes > static_cast<uint64_t>(end - p))
      fail(source, std::string("truncated file: ") + what + " needs " + std::to_string(bytes) + " bytes, " +
                       std::to_string(end - p) + " are left");
    p += bytes;
  }
};

HostGrid parse_nvdb(const uint8_t* data, std::size_t size, int grid_index, const std::string& source) {
  Reader r{data, data + size, source};
  if (size == 0) fail(source, "empty file, not a NanoVDB file");
  const uint64_t magic = NANOVDB_MAGIC_NUMBER;
  if (std::memcmp(data, &magic, std::min<std::size_t>(size, sizeof(magic))) != 0)
    fail(source, "not a NanoVDB file (bad magic number)");
  int counter = 0;
  while (r.p < r.end) {
    const auto header = r.read<nanovdb::io::Header>("the file header");
    if (header.magic != NANOVDB_MAGIC_NUMBER) {
      if (header.magic == nanovdb::io::reverseEndianness(NANOVDB_MAGIC_NUMBER))
        fail(source, "NanoVDB file of the other byte order");
      fail(source, "not a NanoVDB file (bad magic number)");
    }
    if (header.version.getMajor() != NANOVDB_MAJOR_VERSION_NUMBER)
      fail(source, "NanoVDB file format " + std::to_string(header.version.getMajor()) +
                       " is not supported (this build reads " + std::to_string(NANOVDB_MAJOR_VERSION_NUMBER) + ")");
    if (header.gridCount == 0) fail(source, "corrupt file: a segment with no grids");
    std::vector<nanovdb::io::MetaData> metas;
    for (uint16_t i = 0; i < header.gridCount; ++i) {
      metas.push_back(r.read<nanovdb::io::MetaData>("grid metadata"));
      r.skip(metas.back().nameSize, "a grid name");
    }
    for (const auto& m : metas) {
      if (counter == grid_index) {
        if (header.codec != nanovdb::io::Codec::NONE || m.codec != nanovdb::io::Codec::NONE)
          fail(source, std::string("compressed grids (codec ") + nanovdb::io::toStr(header.codec) +
                           ") are not supported; write the file uncompressed");
        if (m.fileSize != m.gridSize) fail(source, "corrupt file: stored and grid sizes differ for an uncompressed grid");
        const uint8_t* start = r.p;
        r.skip(m.gridSize, "the grid");
        return HostGrid::copy_of(start, m.gridSize);
      }
      r.skip(m.fileSize, "a grid");
      ++counter;
    }
  }
  fail(source, "the file holds " + std::to_string(counter) + " grid(s); grid " + std::to_string(grid_index) +
                   " was asked for");
}

// ---- building -----------------------------------------------------------------------------------

template <typename T>
struct NanoValue;
template <>
struct NanoValue<float> {
  using type = float;
  static float to(float v) { return v; }
};
template <>
struct NanoValue<double> {
  using type = double;
  static double to(double v) { return v; }
};
template <>
struct NanoValue<int32_t> {
  using type = int32_t;
  static int32_t to(int32_t v) { return v; }
};
template <>
struct NanoValue<vec3f> {
  using type = nanovdb::Vec3f;
  static nanovdb::Vec3f to(const vec3f& v) { return {v.c[0], v.c[1], v.c[2]}; }
};
template <>
struct NanoValue<vec3d> {
  using type = nanovdb::Vec3d;
  static nanovdb::Vec3d to(const vec3d& v) { return {v.c[0], v.c[1], v.c[2]}; }
};

nanovdb::Map make_map(const vec3d& voxel_size, const vec3d& translation) {
  for (int a = 0; a < 3; ++a)
    if (!(voxel_size.c[a] > 0.0) || !std::isfinite(voxel_size.c[a]))
      throw Error(std::string(kOwner) + ": voxel size " + detail::format_vec3(vec3f{{float(voxel_size.c[0]),
                                                                              float(voxel_size.c[1]), float(voxel_size.c[2])}}) +
                  " must be positive and finite on every axis");
  nanovdb::Map map;
  double m[3][3] = {}, inv[3][3] = {};
  for (int a = 0; a < 3; ++a) {
    m[a][a] = voxel_size.c[a];
    inv[a][a] = 1.0 / voxel_size.c[a];
  }
  map.set(m, inv, nanovdb::Vec3d(translation.c[0], translation.c[1], translation.c[2]), 1.0);
  return map;
}

template <typename N>
HostGrid finish(nanovdb::GridBuilder<N>& builder, const nanovdb::Map& map, const std::string& name = "") {
  auto handle = builder.template getHandle<nanovdb::AbsDiff>(map, name);
  return HostGrid::copy_of(handle.data(), handle.size());
}

// Sets every voxel of the leaf holding `ijk` to `value`, active.
template <typename Acc, typename V>
void activate_leaf(Acc& acc, const nanovdb::Coord& ijk, const V& value) {
  const nanovdb::Coord origin = ijk & ~7;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j)
      for (int k = 0; k < 8; ++k) acc.setValue(origin + nanovdb::Coord(i, j, k), value);
}

template <typename T>
void require_host_visible(const array<T>& a, const Device& device, const char* name) {
  detail::check_item_array(a, kOwner, name);
  if (a.device() != device)
    throw Error(std::string(kOwner) + ": " + name + " is on device '" + a.device().str() +
                "' but the volume is requested on '" + device.str() + "'; pass arrays on the volume's device");
}

}  // namespace

const char* volume_type_name(VolumeType type) {
  switch (type) {
    case VolumeType::Float32: return "float32";
    case VolumeType::Float64: return "float64";
    case VolumeType::Int32: return "int32";
    case VolumeType::Vec3f: return "vec3f";
    case VolumeType::Vec3d: return "vec3d";
    case VolumeType::Index: return "index";
  }
  return "?";
}

// ---- Impl -----------------------------------------------------------------------------------------

struct Volume::Impl {
  Impl(HostGrid host_grid, VolumeType t, const Device& d)
      : host(std::move(host_grid)),
        type(t),
        storage(empty<uint8_t>({static_cast<int64_t>(kVolumeDescOffset + host.size)}, d)) {
    detail::copy_bytes(grid(), d, host.data, Device(), host.size);
    VolumeDesc v;
    v.magic = kVolumeMagic;
    v.device = d.ordinal();
    v.grid = grid();
    v.grid_type = t == VolumeType::Index ? uint32_t(kVolumeIndex) : static_cast<uint32_t>(host.header()->mGridType);
    v.voxel_count = voxel_count();
    v.grid_bytes = host.size;
    detail::copy_bytes(storage.data(), d, &v, Device(), sizeof(VolumeDesc));
  }
  ~Impl() {
    try {  // a stale id then reads a cleared descriptor (debug builds report it)
      if (storage.data()) detail::set_bytes(storage.data(), storage.device(), 0, sizeof(VolumeDesc));
    } catch (...) {  // a broken CUDA context: the memory is going away anyway
    }
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // The grid on the device, kVolumeDescOffset bytes into `storage` (the volume's id).
  uint8_t* grid() const { return storage.data() + kVolumeDescOffset; }
  const Device& device() const { return storage.device(); }
  const nanovdb::TreeData<>* tree() const {
    return reinterpret_cast<const nanovdb::TreeData<>*>(host.data + sizeof(nanovdb::GridData));
  }
  // Warp's count: the active voxels of an index grid, the voxels of the leaf nodes otherwise.
  uint64_t voxel_count() const {
    return type == VolumeType::Index ? tree()->mVoxelCount : uint64_t(tree()->mNodeCount[0]) * 512u;
  }
  // The device grid as it is now (kernels may have stored values), in host memory.
  HostGrid current() const {
    if (device().is_cpu()) return HostGrid::copy_of(grid(), host.size);
    HostGrid h = HostGrid::copy_of(host.data, host.size);
    detail::copy_bytes(h.data, Device(), grid(), device(), host.size);
    return h;
  }

  HostGrid host;  // the validated grid as made (sizes, counts and map never change)
  VolumeType type;
  // The VolumeDesc, then (at kVolumeDescOffset, 256-byte aligned on CUDA, 64 on the host) the
  // grid: device code reaches the grid from the id without loading the descriptor first.
  array<uint8_t> storage;
};

namespace {
Volume make_volume(HostGrid g, const std::string& source, const Device& device);
}

Volume::Volume(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Volume::~Volume() = default;
Volume::Volume(Volume&& other) noexcept = default;
Volume& Volume::operator=(Volume&& other) noexcept = default;

const Volume::Impl& Volume::impl(const char* member) const {
  if (!impl_) throw Error(std::string("wp::Volume::") + member + ": this Volume was moved from");
  return *impl_;
}

namespace {
Volume make_volume_impl(HostGrid g, VolumeType type, const Device& device);
}

// ---- loading --------------------------------------------------------------------------------------

Volume Volume::load_bytes(const void* data, std::size_t bytes, const Device& device, int grid_index) {
  const std::string source = "bytes";
  return make_volume(parse_nvdb(static_cast<const uint8_t*>(data), bytes, grid_index, source), source, device);
}

Volume Volume::load(std::istream& in, const Device& device, int grid_index) {
  const std::string source = "stream";
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return make_volume(parse_nvdb(bytes.data(), bytes.size(), grid_index, source), source, device);
}

Volume Volume::load(const std::string& path, const Device& device, int grid_index) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("'" + path + "'", "cannot open the file for reading");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string source = "'" + path + "'";
  return make_volume(parse_nvdb(bytes.data(), bytes.size(), grid_index, source), source, device);
}

Volume Volume::from_grid(const void* grid, std::size_t bytes, const Device& device) {
  if (!grid) fail("grid buffer", "null pointer");
  return make_volume(HostGrid::copy_of(grid, bytes), "grid buffer", device);
}

namespace {
Volume make_volume(HostGrid g, const std::string& source, const Device& device) {
  detail::require_usable_device(device, kOwner);
  const VolumeType type = validate_grid(g, source);
  return make_volume_impl(std::move(g), type, device);
}
}  // namespace

// ---- building -------------------------------------------------------------------------------------

namespace {

Volume make_volume_impl(HostGrid g, VolumeType type, const Device& device) {
  return Volume(std::make_unique<Volume::Impl>(std::move(g), type, device));
}

template <typename T>
Volume from_builder(nanovdb::GridBuilder<typename NanoValue<T>::type>& builder, const nanovdb::Map& map,
                    const char* what, const Device& device) {
  HostGrid g = finish(builder, map);
  return make_volume(std::move(g), what, device);
}

// Leaf origins (multiples of 8) covering the index box [lo, hi].
std::vector<nanovdb::Coord> leaves_covering(const nanovdb::Coord& lo, const nanovdb::Coord& hi) {
  std::vector<nanovdb::Coord> out;
  const nanovdb::Coord a = lo & ~7, b = hi & ~7;
  for (int i = a[0]; i <= b[0]; i += 8)
    for (int j = a[1]; j <= b[1]; j += 8)
      for (int k = a[2]; k <= b[2]; k += 8) out.emplace_back(i, j, k);
  return out;
}

constexpr int64_t kMaxLeaves = int64_t(1) << 22;  // 2^31 voxels: larger requests are refused

template <typename T>
Volume build_leaves(const std::vector<nanovdb::Coord>& origins, const vec3d& voxel_size, const T& background,
                    const vec3d& translation, const Device& device, const char* what) {
  using N = typename NanoValue<T>::type;
  if (static_cast<int64_t>(origins.size()) > kMaxLeaves)
    throw Error(std::string(kOwner) + ": " + what + ": " + std::to_string(origins.size()) + " leaf nodes of 8^3 voxels requested (at most " +
                std::to_string(kMaxLeaves) + ")");
  const nanovdb::Map map = make_map(voxel_size, translation);
  const N bg = NanoValue<T>::to(background);
  nanovdb::GridBuilder<N> builder(bg);
  auto acc = builder.getAccessor();
  for (const nanovdb::Coord& o : origins) activate_leaf(acc, o, bg);
  return from_builder<T>(builder, map, what, device);
}

nanovdb::Coord to_coord(const vec3i& v) { return nanovdb::Coord(v.c[0], v.c[1], v.c[2]); }

}  // namespace

template <typename T>
Volume Volume::from_dense(const array<T>& values, const vec3d& min_world, const vec3d& voxel_size, const T& background,
                          const Device& device) {
  using N = typename NanoValue<T>::type;
  if (values.ndim() != 3)
    throw Error(std::string(kOwner) + ": from_dense: values must be a 3-D array, but has shape " + values.shape().str());
  if (values.device() != device)
    throw Error(std::string(kOwner) + ": from_dense: values is on device '" + values.device().str() +
                "' but the volume is requested on '" + device.str() + "'");
  detail::require_usable_device(device, kOwner);
  const int ni = values.shape()[0], nj = values.shape()[1], nk = values.shape()[2];
  if (ni == 0 || nj == 0 || nk == 0) throw Error(std::string(kOwner) + ": from_dense: values is empty");
  const std::vector<T> host = values.to_host();
  const nanovdb::Map map = make_map(voxel_size, min_world);
  const N bg = NanoValue<T>::to(background);
  nanovdb::GridBuilder<N> builder(bg);
  auto acc = builder.getAccessor();
  for (const nanovdb::Coord& o : leaves_covering(nanovdb::Coord(0), nanovdb::Coord(ni - 1, nj - 1, nk - 1)))
    activate_leaf(acc, o, bg);
  for (int i = 0; i < ni; ++i)
    for (int j = 0; j < nj; ++j)
      for (int k = 0; k < nk; ++k)
        acc.setValue(nanovdb::Coord(i, j, k), NanoValue<T>::to(host[(static_cast<std::size_t>(i) * nj + j) * nk + k]));
  return from_builder<T>(builder, map, "from_dense", device);
}

template <typename T>
Volume Volume::allocate(const vec3d& min, const vec3d& max, const vec3d& voxel_size, const T& background,
                        const vec3d& translation, bool points_in_world_space, const Device& device) {
  detail::require_usable_device(device, kOwner);
  nanovdb::Coord lo, hi;
  for (int a = 0; a < 3; ++a) {
    double l = min.c[a], h = max.c[a];
    if (points_in_world_space) {
      if (!(voxel_size.c[a] > 0.0)) make_map(voxel_size, translation);  // throws the voxel-size error
      l = (l - translation.c[a]) / voxel_size.c[a];
      h = (h - translation.c[a]) / voxel_size.c[a];
    }
    if (!std::isfinite(l) || !std::isfinite(h) || l > h || std::fabs(l) > 1e9 || std::fabs(h) > 1e9)
      throw Error(std::string(kOwner) + ": allocate: bounds min " + std::to_string(min.c[a]) + " / max " +
                  std::to_string(max.c[a]) + " on axis " + std::to_string(a) + " are not an ordered finite range");
    lo[a] = static_cast<int32_t>(std::floor(l));
    hi[a] = static_cast<int32_t>(points_in_world_space ? std::ceil(h) : std::floor(h));
  }
  const double leaves = (double((hi[0] >> 3) - (lo[0] >> 3)) + 1) * (double((hi[1] >> 3) - (lo[1] >> 3)) + 1) *
                        (double((hi[2] >> 3) - (lo[2] >> 3)) + 1);
  if (leaves > double(kMaxLeaves))
    throw Error(std::string(kOwner) + ": allocate: the bounds need " + std::to_string(leaves) + " leaf nodes (at most " +
                std::to_string(kMaxLeaves) + ")");
  return build_leaves(leaves_covering(lo, hi), voxel_size, background, translation, device, "allocate");
}

template <typename T>
Volume Volume::allocate_by_tiles(const array<vec3i>& tile_points, const vec3d& voxel_size, const T& background,
                                 const vec3d& translation, const Device& device) {
  require_host_visible(tile_points, device, "tile_points");
  std::set<nanovdb::Coord> origins;
  for (const vec3i& p : tile_points.to_host()) origins.insert(to_coord(p) & ~7);
  return build_leaves(std::vector<nanovdb::Coord>(origins.begin(), origins.end()), voxel_size, background, translation,
                      device, "allocate_by_tiles");
}

template <typename T>
Volume Volume::allocate_by_tiles(const array<vec3>& tile_points_world, const vec3d& voxel_size, const T& background,
                                 const vec3d& translation, const Device& device) {
  require_host_visible(tile_points_world, device, "tile_points");
  make_map(voxel_size, translation);
  std::set<nanovdb::Coord> origins;
  for (const vec3& p : tile_points_world.to_host()) {
    nanovdb::Coord c;
    for (int a = 0; a < 3; ++a) {
      const double u = std::floor((p.c[a] - translation.c[a]) / voxel_size.c[a]);
      if (!std::isfinite(u) || std::fabs(u) > 1e9)
        throw Error(std::string(kOwner) + ": allocate_by_tiles: point " + detail::format_vec3(p) + " is not finite or too far out");
      c[a] = static_cast<int32_t>(u);
    }
    origins.insert(c & ~7);
  }
  return build_leaves(std::vector<nanovdb::Coord>(origins.begin(), origins.end()), voxel_size, background, translation,
                      device, "allocate_by_tiles");
}

Volume Volume::allocate_by_voxels(const array<vec3i>& voxel_points, const vec3d& voxel_size, const vec3d& translation,
                                  const Device& device) {
  require_host_visible(voxel_points, device, "voxel_points");
  detail::require_usable_device(device, kOwner);
  const nanovdb::Map map = make_map(voxel_size, translation);
  nanovdb::GridBuilder<int32_t> builder(-1);
  auto acc = builder.getAccessor();
  for (const vec3i& p : voxel_points.to_host()) acc.setValue(to_coord(p), 0);
  HostGrid g = finish(builder, map, kIndexGridName);
  // Number the active voxels: leaf array order, then voxel order inside the leaf.
  auto* grid = reinterpret_cast<nanovdb::NanoGrid<int32_t>*>(g.data);
  auto& tree = grid->tree();
  const uint32_t leaf_count = tree.nodeCount(0);
  auto* leaves = leaf_count ? tree.template getFirstNode<0>() : nullptr;
  int32_t next = 0;
  for (uint32_t n = 0; n < leaf_count; ++n)
    for (auto it = leaves[n].valueMask().beginOn(); it; ++it) leaves[n].setValueOnly(*it, next++);
  nanovdb::gridStats(*grid);
  nanovdb::updateChecksum(*grid);
  return make_volume(std::move(g), "allocate_by_voxels", device);
}

// ---- queries ---------------------------------------------------------------------------------------

uint64_t Volume::id() const { return reinterpret_cast<uint64_t>(impl("id").grid()); }
const Device& Volume::device() const { return impl("device").device(); }
VolumeType Volume::type() const { return impl("type").type; }
int64_t Volume::voxel_count() const { return static_cast<int64_t>(impl("voxel_count").voxel_count()); }

VolumeInfo Volume::info() const {
  const Impl& i = impl("info");
  const nanovdb::GridData& h = *i.host.header();
  VolumeInfo out;
  out.name = h.mGridName;
  out.type = i.type;
  for (int a = 0; a < 3; ++a) {
    out.voxel_size.c[a] = h.mVoxelSize[a];
    out.translation.c[a] = h.mMap.mVecD[a];
    for (int b = 0; b < 3; ++b) out.transform.data[a][b] = h.mMap.mMatD[3 * a + b];
    out.world_min.c[a] = h.mWorldBBox[0][a];
    out.world_max.c[a] = h.mWorldBBox[1][a];
  }
  const auto* tree = reinterpret_cast<const nanovdb::TreeData<>*>(i.host.data + sizeof(nanovdb::GridData));
  out.voxel_count = static_cast<int64_t>(i.voxel_count());
  out.active_voxel_count = static_cast<int64_t>(tree->mVoxelCount);
  out.leaf_count = tree->mNodeCount[0];
  // The root's box of active values (index space).
  const auto* root = reinterpret_cast<const nanovdb::BBox<nanovdb::Coord>*>(reinterpret_cast<const uint8_t*>(tree) + tree->mNodeOffset[3]);
  for (int a = 0; a < 3; ++a) {
    out.index_min.c[a] = (*root)[0][a];
    out.index_max.c[a] = (*root)[1][a];
  }
  out.grid_bytes = i.host.size;
  return out;
}

namespace {
template <typename N>
std::vector<vec3i> list_voxels(const HostGrid& g, bool active_only) {
  const auto* grid = reinterpret_cast<const nanovdb::NanoGrid<N>*>(g.data);
  const auto& tree = grid->tree();
  const uint32_t leaf_count = tree.nodeCount(0);
  const auto* leaves = leaf_count ? tree.template getFirstNode<0>() : nullptr;
  std::vector<vec3i> out;
  for (uint32_t n = 0; n < leaf_count; ++n)
    for (uint32_t v = 0; v < 512; ++v) {
      if (active_only && !leaves[n].valueMask().isOn(v)) continue;
      const nanovdb::Coord c = leaves[n].offsetToGlobalCoord(v);
      out.push_back(vec3i{{c[0], c[1], c[2]}});
    }
  return out;
}
}  // namespace

std::vector<vec3i> Volume::voxels() const {
  const Impl& i = impl("voxels");
  switch (i.type) {
    case VolumeType::Float32: return list_voxels<float>(i.host, false);
    case VolumeType::Float64: return list_voxels<double>(i.host, false);
    case VolumeType::Int32: return list_voxels<int32_t>(i.host, false);
    case VolumeType::Index: return list_voxels<int32_t>(i.host, true);
    case VolumeType::Vec3f: return list_voxels<nanovdb::Vec3f>(i.host, false);
    case VolumeType::Vec3d: return list_voxels<nanovdb::Vec3d>(i.host, false);
  }
  return {};
}

std::vector<uint8_t> Volume::grid_bytes() const {
  const HostGrid g = impl("grid_bytes").current();
  return std::vector<uint8_t>(g.data, g.data + g.size);
}

Volume Volume::to(const Device& device) const {
  const Impl& i = impl("to");
  detail::require_usable_device(device, kOwner);
  return make_volume_impl(i.current(), i.type, device);
}

void Volume::save(const std::string& path) const {
  const Impl& i = impl("save");
  HostGrid g = i.current();
  nanovdb::GridHandle<nanovdb::HostBuffer> handle(nanovdb::HostBuffer::create(g.size));
  std::memcpy(handle.data(), g.data, g.size);
  try {
    nanovdb::io::writeGrid(path, handle, nanovdb::io::Codec::NONE);
  } catch (const std::exception& e) {
    fail("'" + path + "'", std::string("cannot write the file (") + e.what() + ")");
  }
}

// ---- instantiations ---------------------------------------------------------------------------------

#define WP_VOLUME_INSTANTIATE(T)                                                                                      \
  template Volume Volume::from_dense<T>(const array<T>&, const vec3d&, const vec3d&, const T&, const Device&);       \
  template Volume Volume::allocate<T>(const vec3d&, const vec3d&, const vec3d&, const T&, const vec3d&, bool,        \
                                      const Device&);                                                               \
  template Volume Volume::allocate_by_tiles<T>(const array<vec3i>&, const vec3d&, const T&, const vec3d&,           \
                                               const Device&);                                                      \
  template Volume Volume::allocate_by_tiles<T>(const array<vec3>&, const vec3d&, const T&, const vec3d&, const Device&);
WP_VOLUME_INSTANTIATE(float)
WP_VOLUME_INSTANTIATE(double)
WP_VOLUME_INSTANTIATE(int32_t)
WP_VOLUME_INSTANTIATE(vec3f)
WP_VOLUME_INSTANTIATE(vec3d)
#undef WP_VOLUME_INSTANTIATE

}  // namespace wp
