// settings.h — what warpc-gradcheck does with each kernel: launch size, array shapes, value
// ranges, fixed parameter values, step and tolerance, skips and expectations. Built from the
// command line and from `# gradcheck: …` comment pragmas in the .wp file (docs/autodiff.md
// lists them).
//
// Contract:
//  * parse_pragmas(text, file) reads every line whose first non-blank characters are
//    `# gradcheck:`; the words after it are `key=value` or bare flags. `kernel=NAME` makes
//    the rest of that line apply to kernel NAME only; lines without it set file-wide
//    defaults. A malformed word throws std::runtime_error "FILE:LINE: …".
//  * Precedence, lowest first: built-in defaults, command-line options, file-wide pragmas,
//    the kernel's own pragmas (a pragma states what a kernel needs; flags set defaults).
//  * resolve(kernel) merges the layers for one kernel.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace gradcheck {

using Range = std::pair<double, double>;

// mesh_shape(ID)=KIND,ARGS…: a generated triangle mesh (mesh_shapes.h builds it).
struct MeshShape {
  std::string kind;          // "sphere", "grid", "random"
  std::vector<double> args;  // sphere: N[,J]; grid: NX,NY[,J]; random: NTRIS
  bool operator==(const MeshShape&) const = default;
};

// volume(ID)=KIND,ARGS…: a wp::Volume the harness makes (volume_shapes in harness.cpp):
// sphere,RADIUS,VOXEL — a level-set sphere (NanoVDB Primitives.h) around the origin;
// index,N,DATA — an index grid of the N³ voxels [0, N)³ (voxel size 1) whose voxel data is the
// 1-D float array parameter DATA (resized to N³), so gradients w.r.t. voxel values are checked.
struct VolumeSpec {
  std::string kind;          // "sphere", "index"
  std::vector<double> args;  // sphere: RADIUS,VOXEL; index: N
  std::string data;          // index: the voxel data parameter
  bool operator==(const VolumeSpec&) const = default;
};

// One layer of settings; unset fields defer to the layer below.
struct Settings {
  std::optional<int> dim;                          // 1-D array length / 1-D launch size
  std::optional<std::vector<int>> launch;          // launch dimensions
  std::optional<Range> range;                      // default range of float inputs
  std::optional<double> eps, tol;
  std::map<std::string, Range> ranges;             // range(NAME)=lo,hi (NAME: a parameter or
                                                   // a struct field path "p.field")
  std::map<std::string, std::vector<double>> values;  // NAME=v[,v…] (non-array parameters)
  std::map<std::string, std::vector<int>> shapes;  // shape(NAME)=a[,b…]
  std::optional<bool> skip;                        // `skip`: not checked (reported)
  std::set<std::string> nocheck;                   // nocheck(NAME): that parameter's gradient is
                                                   // not compared (a documented limitation)
  std::optional<bool> expect_refused;              // `expect=refused`
  std::optional<bool> expect_warned;               // `expect=warned`: warpc warns, and the backward
                                                   // pass is wrong (a documented limitation)
  // Geometry: the uint64 parameter ID is the id of a wp::Mesh / wp::Bvh / wp::HashGrid the harness builds
  // from the named array parameters (kept current through refit() before every launch).
  std::map<std::string, std::vector<std::string>> meshes;  // mesh(ID)=POINTS,INDICES[,VELOCITIES]
  std::map<std::string, MeshShape> mesh_shapes;            // mesh_shape(ID)=sphere,N[,J] / grid,NX,NY[,J] / random,NTRIS
  std::map<std::string, std::vector<std::string>> bvhs;    // bvh(ID)=LOWERS,UPPERS
  std::map<std::string, std::vector<std::string>> hash_grids;  // hash_grid(ID)=POINTS,RADIUS
  std::map<std::string, VolumeSpec> volumes;               // volume(ID)=sphere,R,VOXEL / index,N,DATA

  void merge_from(const Settings& over);           // `over` wins where it sets a field
};

struct FileSettings {
  Settings file;                                   // pragmas without kernel=
  std::map<std::string, Settings> kernels;         // pragmas with kernel=NAME
};

FileSettings parse_pragmas(const std::string& text, const std::string& file);

// Applies one `key=value` / flag word to `s` (shared by pragmas and --set); throws
// std::runtime_error with a message (no location) on a malformed word.
void apply_word(Settings& s, const std::string& word);

// The effective settings of `kernel`: defaults < cli < file-wide pragmas < kernel pragmas.
Settings resolve(const Settings& defaults, const Settings& cli, const FileSettings& file,
                 const std::string& kernel);

}  // namespace gradcheck
