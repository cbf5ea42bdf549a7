// smith_exec.cpp — warpc-smith-exec: builds a .wp module with warpc (as warpc-gradcheck does:
// warpc --reflect, the host compiler and, with --device cuda, nvcc, into a shared library),
// launches its kernels on inputs read from a text file and writes every array argument after
// the launches. The differential runners tools/wpsmith/run_campaign.py (random modules) and
// tools/check_corpus_values.py (the conformance corpus against Warp) drive it.
//
//   warpc-smith-exec MODULE.wp INPUTS OUTPUTS [--device cpu|cuda] [-I DIR]… [--cache DIR]
//                    [--debug] [--keep] [--verbose]
//
// INPUTS is a whitespace-separated token stream, one block per launch:
//   launch KERNEL NDIM D0 … ; then one `arg` per kernel parameter, in parameter order:
//     arg array SCALAR NDIM S0 … VALUES…   (S0·S1·… elements, each of the parameter's
//                                          components, flattened: vec3 → 3, mat33 → 9 …)
//     arg SCALAR VALUES…                   (one value: its components)
//     arg struct FIELD…                    (one `field` per leaf field, reflect.h order:
//                                          `field array SCALAR NDIM S… VALUES…` or
//                                          `field SCALAR VALUES…`)
//     arg array struct NDIM S0 … FIELD…    (an array of structs: one `field SCALAR VALUES…`
//                                          per leaf field of the element, reflect.h order,
//                                          each with that field's components for all
//                                          S0·S1·… elements, element-major; the element
//                                          bytes are filled by offset, padding zero)
//     seed PARAM_INDEX VALUES…             (optional, after the args: the adjoint of a float
//                                          array output, all its components — of an array of
//                                          structs: its float leaf fields' components, field
//                                          by field as in its `arg`; the backward pass then
//                                          runs too)
//   end
// Object blocks (anywhere before the launches that use them) build a runtime object on the
// launch device, named for `arg object NAME`, which passes its uint64 id to a wp.uint64
// parameter (the object lives until the end of the run):
//   object mesh NAME NPOINTS NTRIS HAS_VELOCITIES(0|1) POINTS… INDICES… [VELOCITIES…]
//                                          (wp::Mesh: 3·NPOINTS floats, 3·NTRIS int32 point
//                                          indices, with HAS_VELOCITIES 3·NPOINTS floats)
//   object bvh NAME N LOWERS… UPPERS…      (wp::Bvh over N boxes: 3·N floats each)
//   object hash_grid NAME DX DY DZ RADIUS NPOINTS POINTS…
//                                          (wp::HashGrid of DX·DY·DZ cells built over the
//                                          3·NPOINTS floats with cell width RADIUS; kernels
//                                          read the points from their own array argument)
//   object volume NAME file PATH           (wp::Volume::load of an .nvdb file)
//   object volume NAME sphere RADIUS VOXEL HALF_WIDTH PATH
//                                          (NanoVDB's createLevelSetSphere<float> centred at
//                                          the origin, RADIUS and VOXEL in world units, a
//                                          narrow band of HALF_WIDTH voxels; also written to
//                                          PATH so that another tool can load the same voxels)
// SCALAR is the component type as reflect.h spells it (float16 … float64, int8 … uint64,
// bool) or f32 / i32; it must match the kernel's parameter. Floats may be hexadecimal (C99
// %a, Python float.hex()); integers and bools (0/1) are decimal.
// OUTPUTS gets one line per array after each launch: `out LAUNCH_INDEX NAME V…` (NAME is the
// parameter, `p.field` for an array field of a struct; an array of structs gives one line per
// leaf field, `p.field` with all elements' components), floats as %a of their value, integers
// in decimal. When the launch has seeds, `<kernel>_backward` runs after the forward on fresh
// copies of the inputs (every float array gets a gradient buffer: the seeds, zeros elsewhere;
// every parameter with an accumulator a zeroed one) and `grad LAUNCH_INDEX NAME V…` lines give
// every float array's gradient buffer and every float non-array parameter's accumulator
// (`p.field` for the float value fields of a struct and the float leaf fields of an array of
// structs).
// --debug builds the kernels with WARPC_DEBUG (every array access bounds-checked: an
// out-of-bounds index aborts with the .wp file:line, the index and the shape).
// --cache DIR builds into DIR and reuses the library there while it is newer than the module,
// its -I directories' files, warpc and the runtime library.
//
// Contract: exit 0 when everything ran; 2 for bad usage, an unreadable or malformed input
// file, a value that does not match the kernel's signature, a malformed object block or one
// the runtime refuses (`object 'NAME': …`), an `arg object` naming no object or passed to a
// parameter that is not a wp.uint64, or a failed build (the failing
// command and its output on stderr); 3 when a launch threw a wp::Error (its message on
// stderr); with --device cuda and no CUDA device it prints "skipped: no CUDA device" and
// exits 4. Arrays of structs as struct fields, and arrays of structs whose element has an array
// field, are not supported (exit 2).
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nanovdb/util/Primitives.h>

#include "module_build.h"
#include "values.h"
#include "wp/allocator.h"
#include "wp/array.h"
#include "wp/bvh.h"
#include "wp/error.h"
#include "wp/hash_grid.h"
#include "wp/launch.h"
#include "wp/mesh.h"
#include "wp/reflect.h"
#include "wp/volume.h"

namespace {

using gradcheck::Scalar;
using wp::reflect::ArrayArg;

[[noreturn]] void die(int code, const std::string& why) {
  std::cerr << "warpc-smith-exec: " << why << "\n";
  std::exit(code);
}

// The input file as tokens, consumed front to back.
struct Tokens {
  std::vector<std::string> t;
  size_t pos = 0;
  bool done() const { return pos >= t.size(); }
  const std::string& next() {
    if (done()) die(2, "unexpected end of the input file");
    return t[pos++];
  }
  const std::string& peek() {
    if (done()) die(2, "unexpected end of the input file");
    return t[pos];
  }
  int next_int() {
    const std::string& s = next();
    char* end = nullptr;
    const long v = std::strtol(s.c_str(), &end, 10);
    if (*end) die(2, "expected an integer, got '" + s + "'");
    return int(v);
  }
};

// One array or value: its bytes on the host (elements of `size` bytes).
struct Value {
  std::string name;       // parameter, or parameter.field
  bool is_array = false;
  Scalar scalar = Scalar::other;
  int components = 0;
  size_t size = 0;        // bytes per element / value
  std::vector<int> shape;
  std::vector<std::byte> bytes;
  size_t offset = 0;      // struct fields: bytes from the start of the struct
  bool differentiable = false;
  size_t count() const {
    size_t n = 1;
    for (int s : shape) n *= size_t(s);
    return n;
  }
};

// Writes one component given as text: floats through strtod (hex or decimal), integers exact.
void store_text(Scalar s, std::byte* p, const std::string& text) {
  char* end = nullptr;
  if (gradcheck::is_float(s)) {
    const double v = std::strtod(text.c_str(), &end);
    if (*end) die(2, "expected a float, got '" + text + "'");
    gradcheck::store(s, p, v);
    return;
  }
  const bool negative = !text.empty() && text[0] == '-';
  const unsigned long long u = negative ? 0 : std::strtoull(text.c_str(), &end, 10);
  const long long i = negative ? std::strtoll(text.c_str(), &end, 10) : static_cast<long long>(u);
  if (*end || text.empty()) die(2, "expected an integer, got '" + text + "'");
  switch (s) {
    case Scalar::i8: { int8_t v = int8_t(i); std::memcpy(p, &v, 1); return; }
    case Scalar::u8: { uint8_t v = uint8_t(u ? u : uint64_t(i)); std::memcpy(p, &v, 1); return; }
    case Scalar::boolean: { bool v = i != 0 || u != 0; std::memcpy(p, &v, 1); return; }
    case Scalar::i16: { int16_t v = int16_t(i); std::memcpy(p, &v, 2); return; }
    case Scalar::u16: { uint16_t v = uint16_t(u ? u : uint64_t(i)); std::memcpy(p, &v, 2); return; }
    case Scalar::i32: { int32_t v = int32_t(i); std::memcpy(p, &v, 4); return; }
    case Scalar::u32: { uint32_t v = uint32_t(u ? u : uint64_t(i)); std::memcpy(p, &v, 4); return; }
    case Scalar::i64: { int64_t v = int64_t(i); std::memcpy(p, &v, 8); return; }
    case Scalar::u64: { uint64_t v = negative ? uint64_t(i) : u; std::memcpy(p, &v, 8); return; }
    default: die(2, "unsupported scalar");
  }
}

// One component as text: floats as %a of their value, integers exact.
std::string text_of(Scalar s, const std::byte* p) {
  char buf[64];
  auto as = [p](auto v) { std::memcpy(&v, p, sizeof v); return v; };
  switch (s) {
    case Scalar::f16: case Scalar::f32: case Scalar::f64:
      std::snprintf(buf, sizeof buf, "%a", gradcheck::load(s, p));
      break;
    case Scalar::i8: std::snprintf(buf, sizeof buf, "%d", int(as(int8_t()))); break;
    case Scalar::u8: std::snprintf(buf, sizeof buf, "%u", unsigned(as(uint8_t()))); break;
    case Scalar::boolean: std::snprintf(buf, sizeof buf, "%d", int(as(uint8_t()) != 0)); break;
    case Scalar::i16: std::snprintf(buf, sizeof buf, "%d", int(as(int16_t()))); break;
    case Scalar::u16: std::snprintf(buf, sizeof buf, "%u", unsigned(as(uint16_t()))); break;
    case Scalar::i32: std::snprintf(buf, sizeof buf, "%" PRId32, as(int32_t())); break;
    case Scalar::u32: std::snprintf(buf, sizeof buf, "%" PRIu32, as(uint32_t())); break;
    case Scalar::i64: std::snprintf(buf, sizeof buf, "%" PRId64, as(int64_t())); break;
    case Scalar::u64: std::snprintf(buf, sizeof buf, "%" PRIu64, as(uint64_t())); break;
    default: return "?";
  }
  return buf;
}

bool scalar_matches(const std::string& token, const std::string& reflected) {
  if (token == "f32") return reflected == "float32";
  if (token == "i32") return reflected == "int32";
  return token == reflected;
}

// Reads `[array] SCALAR [NDIM S…] VALUES…` for a value of the reflected type.
Value read_value(Tokens& in, const std::string& name, bool is_array, const char* scalar, int components,
                 int ndim, size_t size, bool differentiable) {
  Value v;
  v.name = name;
  v.is_array = is_array;
  v.scalar = gradcheck::parse_scalar(scalar);
  v.components = components;
  v.size = size;
  v.differentiable = differentiable;
  if (v.scalar == Scalar::other) die(2, "'" + name + "': an array of structs as a struct field is not supported");
  if (size != size_t(components) * gradcheck::scalar_size(v.scalar))
    die(2, "'" + name + "': padded element layout is not supported");
  if (is_array != (in.peek() == "array")) die(2, "'" + name + "': expected " + (is_array ? "an array" : "a value"));
  if (is_array) in.next();
  const std::string t = in.next();
  if (!scalar_matches(t, scalar)) die(2, "'" + name + "' has scalar " + scalar + ", the input gives '" + t + "'");
  if (is_array) {
    const int nd = in.next_int();
    if (nd != ndim) die(2, "'" + name + "' is a " + std::to_string(ndim) + "-d array, the input gives " + std::to_string(nd));
    for (int d = 0; d < nd; ++d) v.shape.push_back(in.next_int());
  }
  const size_t n = v.count() * size_t(components), width = gradcheck::scalar_size(v.scalar);
  v.bytes.resize(v.count() * size);
  for (size_t k = 0; k < n; ++k) store_text(v.scalar, v.bytes.data() + k * width, in.next());
  return v;
}

struct Arg {
  bool is_struct = false;
  bool is_struct_array = false;  // an array of structs: values are its element's leaf fields
  size_t element_size = 0;       // (arrays of structs) bytes per element
  std::vector<int> shape;        // (arrays of structs)
  std::vector<Value> values;     // one; a struct: its leaf fields; an array of structs: its
                                 // element's leaf fields, each over all elements, packed
  size_t count() const {
    size_t n = 1;
    for (int s : shape) n *= size_t(s);
    return n;
  }
};

// An array of structs' element bytes (count × element_size, padding zero) from its fields'
// packed values, `pick` choosing which fields contribute.
template <typename Pick>
std::vector<std::byte> pack_elements(const Arg& a, const std::vector<std::vector<std::byte>>& field_bytes, Pick pick) {
  std::vector<std::byte> raw(a.count() * a.element_size, std::byte{0});
  for (size_t f = 0; f < a.values.size(); ++f) {
    const Value& v = a.values[f];
    if (!pick(v)) continue;
    for (size_t e = 0; e < a.count(); ++e)
      std::memcpy(raw.data() + e * a.element_size + v.offset, field_bytes[f].data() + e * v.size, v.size);
  }
  return raw;
}

// One field's packed values (all elements) out of an array of structs' element bytes.
std::vector<std::byte> unpack_field(const Arg& a, const Value& v, const std::byte* raw) {
  std::vector<std::byte> out(a.count() * v.size);
  for (size_t e = 0; e < a.count(); ++e) std::memcpy(out.data() + e * v.size, raw + e * a.element_size + v.offset, v.size);
  return out;
}

// Reads `array struct NDIM S… FIELD…` for array-of-structs parameter `pi` (after `arg`).
Arg read_struct_array(Tokens& in, const wp::reflect::ParamInfo& pi) {
  const std::string name = pi.name;
  Arg a;
  a.is_struct_array = true;
  a.element_size = pi.size;
  for (int f = 0; f < pi.num_fields; ++f)
    if (pi.fields[f].is_array)
      die(2, "'" + name + "." + pi.fields[f].path +
                 "': an array field in the elements of an array of structs is not supported");
  if (in.next() != "array" || in.next() != "struct")
    die(2, "'" + name + "' is an array of structs: expected 'arg array struct'");
  const int nd = in.next_int();
  if (nd != pi.ndim) die(2, "'" + name + "' is a " + std::to_string(pi.ndim) + "-d array, the input gives " + std::to_string(nd));
  for (int d = 0; d < nd; ++d) a.shape.push_back(in.next_int());
  for (int f = 0; f < pi.num_fields; ++f) {
    const wp::reflect::FieldInfo& fi = pi.fields[f];
    Value v;
    v.name = name + "." + fi.path;
    v.is_array = true;
    v.scalar = gradcheck::parse_scalar(fi.scalar);
    v.components = fi.components;
    v.size = fi.size;
    v.shape = a.shape;
    v.offset = fi.offset;
    v.differentiable = fi.differentiable;
    if (v.scalar == Scalar::other || v.size != size_t(v.components) * gradcheck::scalar_size(v.scalar))
      die(2, "'" + v.name + "': unsupported field type " + fi.dtype);
    if (in.next() != "field") die(2, "'" + name + "': expected 'field' (" + std::to_string(pi.num_fields) + " leaf fields)");
    const std::string t = in.next();
    if (!scalar_matches(t, fi.scalar)) die(2, "'" + v.name + "' has scalar " + fi.scalar + ", the input gives '" + t + "'");
    const size_t n = v.count() * size_t(v.components), width = gradcheck::scalar_size(v.scalar);
    v.bytes.resize(v.count() * v.size);
    for (size_t k = 0; k < n; ++k) store_text(v.scalar, v.bytes.data() + k * width, in.next());
    a.values.push_back(std::move(v));
  }
  return a;
}

// A runtime object of an `object` block: the object and the arrays it was built from (kept
// alive with it), and its id.
struct Object {
  std::string kind;
  uint64_t id = 0;
  std::vector<wp::array<wp::vec3>> vec3s;
  wp::array<int32_t> indices;
  std::unique_ptr<wp::Mesh> mesh;
  std::unique_ptr<wp::Bvh> bvh;
  std::unique_ptr<wp::HashGrid> grid;
  std::unique_ptr<wp::Volume> volume;
};
using Objects = std::map<std::string, Object>;

// Reads `object KIND NAME …` (after `object`) and builds the object on `device`.
void read_object(Tokens& in, const wp::Device& device, Objects& objects) {
  const std::string kind = in.next(), name = in.next();
  const std::string what = "object '" + name + "'";
  if (objects.count(name)) die(2, what + " is defined twice");
  auto count = [&](const char* of) {
    const std::string& t = in.next();
    char* end = nullptr;
    const long v = std::strtol(t.c_str(), &end, 10);
    if (*end || t.empty() || v < 0 || v > (1L << 30)) die(2, what + ": expected " + of + " (a count >= 0), got '" + t + "'");
    return size_t(v);
  };
  auto number = [&](const char* of) {
    const std::string& t = in.next();
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (*end || t.empty()) die(2, what + ": expected " + of + " (a number), got '" + t + "'");
    return v;
  };
  auto vec3s = [&](size_t n, const char* of) {
    std::vector<wp::vec3> v(n);
    for (size_t k = 0; k < n; ++k)
      for (int c = 0; c < 3; ++c) v[k][c] = float(number(of));
    return wp::from_host(v, wp::Shape{int64_t(n)}, device);
  };
  Object o;
  o.kind = kind;
  try {
    if (kind == "mesh") {
      const size_t np = count("the number of points"), nt = count("the number of triangles");
      const size_t with_velocities = count("HAS_VELOCITIES");
      if (with_velocities > 1) die(2, what + ": HAS_VELOCITIES must be 0 or 1");
      o.vec3s.push_back(vec3s(np, "a point coordinate"));
      std::vector<int32_t> idx(3 * nt);
      for (int32_t& i : idx) {
        const double v = number("a point index");
        if (v != std::floor(v) || std::fabs(v) > 2147483647.0) die(2, what + ": a point index must be an int32");
        i = int32_t(v);
      }
      o.indices = wp::from_host(idx, wp::Shape{int64_t(idx.size())}, device);
      if (with_velocities) {
        o.vec3s.push_back(vec3s(np, "a velocity component"));
        o.mesh = std::make_unique<wp::Mesh>(o.vec3s[0], o.indices, o.vec3s[1]);
      } else {
        o.mesh = std::make_unique<wp::Mesh>(o.vec3s[0], o.indices);
      }
      o.id = o.mesh->id();
    } else if (kind == "bvh") {
      const size_t n = count("the number of boxes");
      o.vec3s.push_back(vec3s(n, "a lower corner coordinate"));
      o.vec3s.push_back(vec3s(n, "an upper corner coordinate"));
      o.bvh = std::make_unique<wp::Bvh>(o.vec3s[0], o.vec3s[1]);
      o.id = o.bvh->id();
    } else if (kind == "hash_grid") {
      const size_t dx = count("the grid's x cells"), dy = count("the grid's y cells"), dz = count("the grid's z cells");
      const double radius = number("the cell width");
      const size_t n = count("the number of points");
      o.vec3s.push_back(vec3s(n, "a point coordinate"));
      o.grid = std::make_unique<wp::HashGrid>(int(dx), int(dy), int(dz), device);
      o.grid->build(o.vec3s[0], radius);
      o.id = o.grid->id();
    } else if (kind == "volume") {
      const std::string form = in.next();
      if (form == "file") {
        o.volume = std::make_unique<wp::Volume>(wp::Volume::load(in.next(), device));
      } else if (form == "sphere") {
        const double radius = number("the sphere's radius"), voxel = number("the voxel size");
        const double half_width = number("the narrow band's half width");
        const std::string path = in.next();
        if (!(radius > 0) || !(voxel > 0) || !(half_width > 0))
          die(2, what + ": a level-set sphere needs RADIUS, VOXEL and HALF_WIDTH > 0");
        auto handle = nanovdb::createLevelSetSphere<float>(float(radius), nanovdb::Vec3f(0.0f), voxel, half_width);
        o.volume = std::make_unique<wp::Volume>(wp::Volume::from_grid(handle.data(), handle.size(), device));
        o.volume->save(path);
      } else {
        die(2, what + ": expected 'volume NAME file PATH' or 'volume NAME sphere RADIUS VOXEL HALF_WIDTH PATH', got '" +
                   form + "'");
      }
      o.id = o.volume->id();
    } else {
      die(2, "object kind '" + kind + "' is not one of mesh, bvh, hash_grid, volume");
    }
  } catch (const wp::Error& e) {
    die(2, what + ": " + e.what());
  }
  objects.emplace(name, std::move(o));
}

struct Launch {
  const wp::reflect::KernelInfo* kernel = nullptr;
  std::vector<int64_t> dim;
  std::vector<Arg> args;
  std::vector<std::pair<int, std::vector<std::byte>>> seeds;  // param index → adjoint bytes
                                                              // (the array's memory layout)
};

Launch read_launch(Tokens& in, const std::vector<const wp::reflect::KernelInfo*>& kernels, const std::string& file,
                   const Objects& objects) {
  if (in.next() != "launch") die(2, "expected 'launch', got '" + in.t[in.pos - 1] + "'");
  Launch l;
  const std::string name = in.next();
  for (const wp::reflect::KernelInfo* c : kernels)
    if (name == c->name) l.kernel = c;
  if (!l.kernel) die(2, "no kernel '" + name + "' in " + file);
  const wp::reflect::KernelInfo& k = *l.kernel;
  const int nd = in.next_int();
  if (nd < 1 || nd > 4) die(2, "launch rank must be 1..4");
  for (int d = 0; d < nd; ++d) l.dim.push_back(in.next_int());
  for (int p = 0; p < k.num_params; ++p) {
    if (in.next() != "arg") die(2, "kernel '" + name + "' takes " + std::to_string(k.num_params) + " arguments");
    const wp::reflect::ParamInfo& pi = k.params[p];
    Arg a;
    if (in.peek() == "object") {  // a runtime object's id
      in.next();
      const std::string oname = in.next();
      if (pi.is_array || pi.num_fields > 0 || gradcheck::parse_scalar(pi.scalar) != Scalar::u64 || pi.components != 1)
        die(2, "'" + std::string(pi.name) + "' (" + pi.dtype + ") takes no object: an object's id is a wp.uint64");
      const auto it = objects.find(oname);
      if (it == objects.end())
        die(2, "'" + std::string(pi.name) + "': no object '" + oname +
                   "' (define it with an 'object' block before the launch)");
      Value v;
      v.name = pi.name;
      v.scalar = Scalar::u64;
      v.components = 1;
      v.size = sizeof(uint64_t);
      v.bytes.resize(sizeof(uint64_t));
      std::memcpy(v.bytes.data(), &it->second.id, sizeof(uint64_t));
      a.values.push_back(std::move(v));
    } else if (pi.is_array && pi.components == 0) {  // an array of structs (reflect.h: scalar "", 0 components)
      a = read_struct_array(in, pi);
    } else if (pi.num_fields > 0 && !pi.is_array) {
      if (in.next() != "struct") die(2, "'" + std::string(pi.name) + "' is a struct: expected 'arg struct'");
      a.is_struct = true;
      for (int f = 0; f < pi.num_fields; ++f) {
        const wp::reflect::FieldInfo& fi = pi.fields[f];
        if (in.next() != "field") die(2, "'" + std::string(pi.name) + "': expected 'field'");
        Value v = read_value(in, std::string(pi.name) + "." + fi.path, fi.is_array, fi.scalar, fi.components,
                             fi.ndim, fi.size, fi.differentiable);
        v.offset = fi.offset;
        a.values.push_back(std::move(v));
      }
    } else {
      a.values.push_back(read_value(in, pi.name, pi.is_array, pi.scalar, pi.components, pi.ndim, pi.size,
                                    pi.differentiable));
    }
    l.args.push_back(std::move(a));
  }
  std::string t = in.next();
  while (t == "seed") {
    const int p = in.next_int();
    if (p >= 0 && p < int(l.args.size()) && l.args[p].is_struct_array) {
      const Arg& a = l.args[p];
      std::vector<std::vector<std::byte>> fields(a.values.size());
      bool any = false;
      for (size_t f = 0; f < a.values.size(); ++f) {
        const Value& v = a.values[f];
        if (!gradcheck::is_float(v.scalar)) continue;
        any = true;
        fields[f].resize(v.bytes.size());
        const size_t width = gradcheck::scalar_size(v.scalar);
        for (size_t k = 0; k < v.count() * size_t(v.components); ++k)
          store_text(v.scalar, fields[f].data() + k * width, in.next());
      }
      if (!any) die(2, "seed: parameter " + std::to_string(p) + " is an array of structs without float fields");
      l.seeds.emplace_back(p, pack_elements(a, fields, [](const Value& v) { return gradcheck::is_float(v.scalar); }));
      t = in.next();
      continue;
    }
    if (p < 0 || p >= int(l.args.size()) || l.args[p].is_struct || !l.args[p].values[0].is_array ||
        !gradcheck::is_float(l.args[p].values[0].scalar))
      die(2, "seed: parameter " + std::to_string(p) + " is not a float array");
    const Value& v = l.args[p].values[0];
    std::vector<std::byte> bytes(v.bytes.size());
    const size_t width = gradcheck::scalar_size(v.scalar);
    for (size_t k = 0; k < v.count() * size_t(v.components); ++k) store_text(v.scalar, bytes.data() + k * width, in.next());
    l.seeds.emplace_back(p, std::move(bytes));
    t = in.next();
  }
  if (t != "end") die(2, "expected 'arg', 'seed' or 'end', got '" + t + "'");
  return l;
}

wp::Dim make_dim(const std::vector<int64_t>& d) {
  switch (d.size()) {
    case 1: return wp::Dim({d[0]});
    case 2: return wp::Dim({d[0], d[1]});
    case 3: return wp::Dim({d[0], d[1], d[2]});
    case 4: return wp::Dim({d[0], d[1], d[2], d[3]});
  }
  die(2, "launch rank must be 1..4");
}

void print_line(std::ostream& out, const char* tag, size_t index, const std::string& name, Scalar s,
                const std::byte* data, size_t components) {
  out << tag << " " << index << " " << name;
  const size_t width = gradcheck::scalar_size(s);
  for (size_t e = 0; e < components; ++e) out << " " << text_of(s, data + e * width);
  out << "\n";
}

std::vector<std::byte> fetch(const void* src, const wp::Device& device, size_t bytes) {
  std::vector<std::byte> host(bytes);
  if (bytes) wp::detail::copy_bytes(host.data(), wp::Device(), src, device, bytes);
  return host;
}

// Device memory of one launch's arguments, rebuilt from the host values (fresh copies).
struct Uploaded {
  std::vector<std::vector<std::shared_ptr<void>>> memory, grads;  // per arg, per value
  std::vector<std::vector<ArrayArg>> arrays;
  std::vector<std::vector<std::byte>> structs;
  std::vector<void*> argv;

  // memory[p][0] / grads[p][0] / arrays[p][0]: the array of structs argument p, element bytes.
  void upload_struct_array(const Launch& l, size_t p, const wp::Device& device, bool with_grads) {
    const Arg& a = l.args[p];
    memory[p].resize(1), grads[p].resize(1), arrays[p].resize(1);
    std::vector<std::vector<std::byte>> fields;
    for (const Value& v : a.values) fields.push_back(v.bytes);
    const std::vector<std::byte> raw = pack_elements(a, fields, [](const Value&) { return true; });
    auto upload = [&](const std::vector<std::byte>& bytes) {
      std::shared_ptr<void> m = wp::detail::allocate_shared(device, bytes.size());
      if (!bytes.empty()) wp::detail::copy_bytes(m.get(), device, bytes.data(), wp::Device(), bytes.size());
      return m;
    };
    memory[p][0] = upload(raw);
    ArrayArg& arr = arrays[p][0];
    arr = {memory[p][0].get(), nullptr, {0, 0, 0, 0}, int(a.shape.size())};
    for (size_t d = 0; d < a.shape.size(); ++d) arr.shape[d] = a.shape[d];
    bool has_float = false;
    for (const Value& v : a.values) has_float |= gradcheck::is_float(v.scalar);
    if (with_grads && has_float) {
      std::vector<std::byte> g(raw.size(), std::byte{0});
      for (const auto& [sp, seed] : l.seeds)
        if (sp == int(p)) g = seed;
      grads[p][0] = upload(g);
      arr.grad = grads[p][0].get();
    }
    argv[p] = &arr;
  }

  Uploaded(const Launch& l, const wp::Device& device, bool with_grads) {
    const size_t n = l.args.size();
    memory.resize(n), grads.resize(n), arrays.resize(n), structs.resize(n), argv.resize(n);
    for (size_t p = 0; p < n; ++p) {
      const Arg& a = l.args[p];
      memory[p].resize(a.values.size()), grads[p].resize(a.values.size()), arrays[p].resize(a.values.size());
      if (a.is_struct_array) {
        upload_struct_array(l, p, device, with_grads);
        continue;
      }
      if (a.is_struct) structs[p].assign(l.kernel->params[p].size, std::byte{0});
      for (size_t f = 0; f < a.values.size(); ++f) {
        const Value& v = a.values[f];
        if (!v.is_array) {
          if (a.is_struct) std::memcpy(structs[p].data() + v.offset, v.bytes.data(), v.bytes.size());
          continue;
        }
        memory[p][f] = wp::detail::allocate_shared(device, v.bytes.size());
        if (!v.bytes.empty()) wp::detail::copy_bytes(memory[p][f].get(), device, v.bytes.data(), wp::Device(), v.bytes.size());
        ArrayArg& arr = arrays[p][f];
        arr = {memory[p][f].get(), nullptr, {0, 0, 0, 0}, int(v.shape.size())};
        for (size_t d = 0; d < v.shape.size(); ++d) arr.shape[d] = v.shape[d];
        if (with_grads && gradcheck::is_float(v.scalar)) {
          grads[p][f] = wp::detail::allocate_shared(device, v.bytes.size());
          std::vector<std::byte> g(v.bytes.size(), std::byte{0});
          for (const auto& [sp, seed] : l.seeds)
            if (sp == int(p) && !a.is_struct) g = seed;
          if (!g.empty()) wp::detail::copy_bytes(grads[p][f].get(), device, g.data(), wp::Device(), g.size());
          arr.grad = grads[p][f].get();
        }
        if (a.is_struct) std::memcpy(structs[p].data() + v.offset, &arr, sizeof(ArrayArg));
      }
      argv[p] = a.is_struct ? static_cast<void*>(structs[p].data())
                : a.values[0].is_array ? static_cast<void*>(&arrays[p][0])
                                       : const_cast<std::byte*>(a.values[0].bytes.data());
    }
  }
};

// Launches one block; appends `out` (and with seeds `grad`) lines.
void run_launch(const Launch& l, size_t index, const wp::Device& device, std::ostream& out) {
  const wp::reflect::KernelInfo& k = *l.kernel;
  wp::LaunchOptions options;
  options.device = device;
  {
    Uploaded up(l, device, false);
    wp::synchronize();  // uploads on this executable's stream; the launch on the module's
    k.forward(make_dim(l.dim), up.argv.data(), options);
    wp::synchronize();
    for (size_t p = 0; p < l.args.size(); ++p) {
      const Arg& a = l.args[p];
      if (a.is_struct_array) {
        const std::vector<std::byte> raw = fetch(up.memory[p][0].get(), device, a.count() * a.element_size);
        for (const Value& v : a.values)
          print_line(out, "out", index, v.name, v.scalar, unpack_field(a, v, raw.data()).data(),
                     v.count() * size_t(v.components));
        continue;
      }
      for (size_t f = 0; f < a.values.size(); ++f) {
        const Value& v = a.values[f];
        if (!v.is_array) continue;
        const std::vector<std::byte> host = fetch(up.memory[p][f].get(), device, v.bytes.size());
        print_line(out, "out", index, v.name, v.scalar, host.data(), v.count() * size_t(v.components));
      }
    }
  }
  if (l.seeds.empty()) return;
  if (!k.has_backward || !k.backward) die(3, "kernel '" + std::string(k.name) + "' has no backward pass");
  Uploaded up(l, device, true);
  std::vector<std::shared_ptr<void>> acc_memory(l.args.size());
  std::vector<ArrayArg> acc_arrays(l.args.size());
  std::vector<void*> accumulators;
  for (size_t p = 0; p < l.args.size(); ++p) {
    if (!k.params[p].has_accumulator) continue;
    acc_memory[p] = wp::detail::allocate_shared(device, k.params[p].size);
    wp::detail::set_bytes(acc_memory[p].get(), device, 0, k.params[p].size);
    acc_arrays[p] = ArrayArg{acc_memory[p].get(), nullptr, {1, 0, 0, 0}, 1};
    accumulators.push_back(&acc_arrays[p]);
  }
  wp::synchronize();  // the memsets above ran on this executable's stream, the launch runs on
                      // the module library's own runtime copy's stream: order them
  k.backward(make_dim(l.dim), up.argv.data(), accumulators.data(), options);
  wp::synchronize();
  for (size_t p = 0; p < l.args.size(); ++p) {
    std::vector<std::byte> acc;
    if (acc_memory[p]) acc = fetch(acc_memory[p].get(), device, k.params[p].size);
    const Arg& a = l.args[p];
    if (a.is_struct_array) {
      if (!up.grads[p][0]) continue;
      const std::vector<std::byte> raw = fetch(up.grads[p][0].get(), device, a.count() * a.element_size);
      for (const Value& v : a.values)
        if (gradcheck::is_float(v.scalar))
          print_line(out, "grad", index, v.name, v.scalar, unpack_field(a, v, raw.data()).data(),
                     v.count() * size_t(v.components));
      continue;
    }
    for (size_t f = 0; f < l.args[p].values.size(); ++f) {
      const Value& v = l.args[p].values[f];
      if (!gradcheck::is_float(v.scalar)) continue;
      const size_t n = v.count() * size_t(v.components);
      if (up.grads[p][f]) {
        const std::vector<std::byte> host = fetch(up.grads[p][f].get(), device, v.bytes.size());
        print_line(out, "grad", index, v.name, v.scalar, host.data(), n);
      } else if (!v.is_array && !acc.empty()) {
        print_line(out, "grad", index, v.name, v.scalar, acc.data() + v.offset, n);
      }
    }
  }
}

// True when `library` exists and is newer than every input of its build.
bool cache_fresh(const std::string& library, const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto built = fs::last_write_time(library, ec);
  if (ec) return false;
  for (const std::string& in : inputs) {
    if (fs::is_directory(in, ec)) {
      for (const auto& e : fs::directory_iterator(in, ec))
        if (e.is_regular_file() && e.last_write_time() > built) return false;
    } else if (fs::exists(in, ec) && fs::last_write_time(in, ec) > built) {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> pos, includes;
  std::string device_name = "cpu", cache;
  bool keep = false, verbose = false, debug = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--device" && i + 1 < argc) device_name = argv[++i];
    else if (a == "-I" && i + 1 < argc) includes.push_back(argv[++i]);
    else if (a == "--cache" && i + 1 < argc) cache = argv[++i];
    else if (a == "--debug") debug = true;
    else if (a == "--keep") keep = true;
    else if (a == "--verbose") verbose = true;
    else if (a.starts_with("-")) die(2, "unknown option " + a);
    else pos.push_back(a);
  }
  if (pos.size() != 3 || (device_name != "cpu" && device_name != "cuda"))
    die(2, "usage: warpc-smith-exec MODULE.wp INPUTS OUTPUTS [--device cpu|cuda] [-I DIR]... [--cache DIR] [--debug] [--keep] [--verbose]");
  const bool cuda = device_name == "cuda";
  if (cuda && wp::cuda_device_count() == 0) {
    std::cout << "skipped: no CUDA device\n";
    return 4;
  }
  Tokens in;
  {
    std::ifstream f(pos[1]);
    if (!f) die(2, "cannot read " + pos[1]);
    for (std::string t; f >> t;) in.t.push_back(t);
  }
  gradcheck::Toolchain tc = gradcheck::Toolchain::find(argv[0]);
  if (debug) tc.cxx_flags.push_back("-DWARPC_DEBUG=1");
  std::string dir = cache;
  if (!dir.empty()) std::filesystem::create_directories(dir);
  else dir = gradcheck::make_temp_dir();
  int status = 0;
  try {
    std::string library = dir + "/lib" + std::filesystem::path(pos[0]).stem().string() + "_gradcheck.so";
    std::vector<std::string> build_inputs = {pos[0], tc.warpc, tc.runtime_lib};
    build_inputs.insert(build_inputs.end(), includes.begin(), includes.end());
    if (cache.empty() || !cache_fresh(library, build_inputs))
      library = gradcheck::build_module(tc, pos[0], includes, cuda, dir, verbose).library;
    gradcheck::Library lib(library);
    const wp::Device device = cuda ? wp::Device::cuda(0) : wp::Device::cpu();
    std::ostringstream out;
    Objects objects;  // before the launches' memory is freed, after the library is loaded
    for (size_t l = 0; !in.done();) {
      if (in.peek() == "object") {
        in.next();
        read_object(in, device, objects);
        continue;
      }
      run_launch(read_launch(in, lib.kernels(), pos[0], objects), l++, device, out);
    }
    std::ofstream(pos[2]) << out.str();
  } catch (const gradcheck::BuildError& e) {
    std::cerr << "warpc-smith-exec: build failed: " << e.what() << "\n";
    status = 2;
  } catch (const wp::Error& e) {
    std::cerr << "warpc-smith-exec: launch failed: " << e.what() << "\n";
    status = 3;
  }
  if (keep) std::cerr << "kept " << dir << "\n";
  else if (cache.empty()) gradcheck::remove_tree(dir);  // (a --cache directory is kept)
  return status;
}
