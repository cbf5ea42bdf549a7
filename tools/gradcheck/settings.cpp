// settings.cpp — gradcheck pragmas and settings layers (contract in settings.h).
#include "settings.h"

#include <cctype>
#include <cstdlib>
#include <sstream>

namespace gradcheck {

void Settings::merge_from(const Settings& over) {
  if (over.dim) dim = over.dim;
  if (over.launch) launch = over.launch;
  if (over.range) range = over.range;
  if (over.eps) eps = over.eps;
  if (over.tol) tol = over.tol;
  if (over.skip) skip = over.skip;
  if (over.expect_refused) expect_refused = over.expect_refused;
  if (over.expect_warned) expect_warned = over.expect_warned;
  for (const auto& [k, v] : over.ranges) ranges[k] = v;
  for (const auto& [k, v] : over.values) values[k] = v;
  for (const auto& [k, v] : over.shapes) shapes[k] = v;
  for (const auto& [k, v] : over.meshes) meshes[k] = v;
  for (const auto& [k, v] : over.mesh_shapes) mesh_shapes[k] = v;
  for (const auto& [k, v] : over.bvhs) bvhs[k] = v;
  for (const auto& [k, v] : over.hash_grids) hash_grids[k] = v;
  for (const auto& [k, v] : over.volumes) volumes[k] = v;
  nocheck.insert(over.nocheck.begin(), over.nocheck.end());
}

namespace {

[[noreturn]] void bad(const std::string& word, const std::string& why) {
  throw std::runtime_error("bad gradcheck setting '" + word + "': " + why);
}

double number(const std::string& word, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') bad(word, "'" + text + "' is not a number");
  return v;
}

std::vector<double> numbers(const std::string& word, const std::string& text) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(number(word, item));
  if (out.empty()) bad(word, "expected a number or a comma-separated list");
  return out;
}

int positive_int(const std::string& word, double v) {
  if (v < 1 || v != static_cast<int>(v)) bad(word, "expected a positive integer");
  return static_cast<int>(v);
}

std::vector<int> extents(const std::string& word, const std::string& text) {
  std::vector<int> out;
  for (double v : numbers(word, text)) out.push_back(positive_int(word, v));
  if (out.size() > 4) bad(word, "at most 4 dimensions");
  return out;
}

Range range_of(const std::string& word, const std::string& text) {
  const std::vector<double> v = numbers(word, text);
  if (v.size() != 2 || !(v[0] <= v[1])) bad(word, "expected lo,hi with lo <= hi");
  return {v[0], v[1]};
}

bool is_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

// A parameter name or a struct field path below one: "p", "p.inner.w".
bool is_name(const std::string& s) {
  size_t start = 0;
  for (size_t dot = s.find('.'); ; dot = s.find('.', start)) {
    if (!is_identifier(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start))) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// A comma-separated list of `count_lo`…`count_hi` parameter names.
std::vector<std::string> names_of(const std::string& word, const std::string& text, size_t count_lo,
                                  size_t count_hi, const std::string& expected) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!is_name(item)) bad(word, "'" + item + "' is not a parameter name");
    out.push_back(item);
  }
  if (!text.empty() && text.back() == ',') bad(word, "empty name");
  if (out.size() < count_lo || out.size() > count_hi) bad(word, "expected " + expected);
  return out;
}

MeshShape mesh_shape_of(const std::string& word, const std::string& text) {
  const size_t comma = text.find(',');
  MeshShape m;
  m.kind = text.substr(0, comma);
  if (comma != std::string::npos) m.args = numbers(word, text.substr(comma + 1));
  auto count = [&](size_t i) {
    if (i < m.args.size()) positive_int(word, m.args[i]);
  };
  auto jitter = [&](size_t i) {
    if (i < m.args.size() && !(m.args[i] >= 0.0 && m.args[i] <= 0.45))
      bad(word, "the jitter (a fraction of the edge length) must be in [0, 0.45]");
  };
  if (m.kind == "sphere") {
    if (m.args.empty() || m.args.size() > 2) bad(word, "expected sphere,N[,JITTER]");
    count(0);
    if (m.args[0] < 3) bad(word, "a sphere needs N >= 3 segments");
    jitter(1);
  } else if (m.kind == "grid") {
    if (m.args.size() < 2 || m.args.size() > 3) bad(word, "expected grid,NX,NY[,JITTER]");
    count(0);
    count(1);
    jitter(2);
  } else if (m.kind == "random") {
    if (m.args.size() != 1) bad(word, "expected random,NTRIS");
    count(0);
  } else {
    bad(word, "unknown mesh shape '" + m.kind + "' (sphere, grid, random)");
  }
  return m;
}

VolumeSpec volume_of(const std::string& word, const std::string& text) {
  VolumeSpec v;
  const size_t comma = text.find(',');
  v.kind = text.substr(0, comma);
  const std::string rest = comma == std::string::npos ? "" : text.substr(comma + 1);
  if (v.kind == "sphere") {
    v.args = numbers(word, rest);
    if (v.args.size() != 2 || !(v.args[0] > 0) || !(v.args[1] > 0)) bad(word, "expected sphere,RADIUS,VOXEL (both > 0)");
  } else if (v.kind == "index") {
    const size_t c2 = rest.find(',');
    if (c2 == std::string::npos) bad(word, "expected index,N,DATA");
    v.args = numbers(word, rest.substr(0, c2));
    v.data = rest.substr(c2 + 1);
    if (v.args.size() != 1) bad(word, "expected index,N,DATA");
    positive_int(word, v.args[0]);
    if (!is_name(v.data)) bad(word, "'" + v.data + "' is not a parameter name");
  } else {
    bad(word, "unknown volume kind '" + v.kind + "' (sphere, index)");
  }
  return v;
}

// "key(NAME)" → {"key", "NAME"}; "key" → {"key", ""}.
std::pair<std::string, std::string> split_call(const std::string& word, const std::string& key) {
  const size_t open = key.find('(');
  if (open == std::string::npos) return {key, ""};
  if (key.back() != ')') bad(word, "unbalanced parenthesis");
  const std::string arg = key.substr(open + 1, key.size() - open - 2);
  if (!is_name(arg)) bad(word, "'" + arg + "' is not a parameter name");
  return {key.substr(0, open), arg};
}

}  // namespace

void apply_word(Settings& s, const std::string& word) {
  const size_t eq = word.find('=');
  const std::string key = word.substr(0, eq);
  const std::string val = eq == std::string::npos ? "" : word.substr(eq + 1);
  const auto [head, arg] = split_call(word, key);
  const bool has_val = eq != std::string::npos;
  if (head == "skip" && !has_val && arg.empty()) { s.skip = true; return; }
  if (head == "nocheck" && !has_val && !arg.empty()) { s.nocheck.insert(arg); return; }
  if (!has_val) bad(word, "expected key=value");
  if (head == "range" && arg.empty()) { s.range = range_of(word, val); return; }
  if (head == "range") { s.ranges[arg] = range_of(word, val); return; }
  if (head == "shape" && !arg.empty()) { s.shapes[arg] = extents(word, val); return; }
  if (head == "mesh" && !arg.empty()) {
    s.meshes[arg] = names_of(word, val, 2, 3, "POINTS,INDICES[,VELOCITIES]");
    return;
  }
  if (head == "mesh_shape" && !arg.empty()) { s.mesh_shapes[arg] = mesh_shape_of(word, val); return; }
  if (head == "bvh" && !arg.empty()) { s.bvhs[arg] = names_of(word, val, 2, 2, "LOWERS,UPPERS"); return; }
  if (head == "hash_grid" && !arg.empty()) { s.hash_grids[arg] = names_of(word, val, 2, 2, "POINTS,RADIUS"); return; }
  if (head == "volume" && !arg.empty()) { s.volumes[arg] = volume_of(word, val); return; }
  if (!arg.empty()) bad(word, "unknown setting '" + head + "(…)'");
  if (head == "dim") { s.dim = positive_int(word, number(word, val)); return; }
  if (head == "launch") { s.launch = extents(word, val); return; }
  if (head == "eps") { s.eps = number(word, val); return; }
  if (head == "tol") { s.tol = number(word, val); return; }
  if (head == "expect") {
    if (val != "refused" && val != "warned") bad(word, "the expectations are expect=refused and expect=warned");
    (val == "refused" ? s.expect_refused : s.expect_warned) = true;
    return;
  }
  if (!is_name(head)) bad(word, "'" + head + "' is not a setting or parameter name");
  s.values[head] = numbers(word, val);
}

FileSettings parse_pragmas(const std::string& text, const std::string& file) {
  FileSettings out;
  std::stringstream lines(text);
  std::string line;
  for (int lineno = 1; std::getline(lines, line); ++lineno) {
    const size_t hash = line.find_first_not_of(" \t");
    if (hash == std::string::npos || line[hash] != '#') continue;
    const size_t tag = line.find_first_not_of(" \t", hash + 1);
    if (tag == std::string::npos || line.compare(tag, 10, "gradcheck:") != 0) continue;
    std::stringstream words(line.substr(tag + 10));
    std::string word, kernel;
    Settings s;
    try {
      while (words >> word) {
        if (word.rfind("kernel=", 0) == 0) kernel = word.substr(7);
        else apply_word(s, word);
      }
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(file + ":" + std::to_string(lineno) + ": " + e.what());
    }
    (kernel.empty() ? out.file : out.kernels[kernel]).merge_from(s);
  }
  return out;
}

Settings resolve(const Settings& defaults, const Settings& cli, const FileSettings& file,
                 const std::string& kernel) {
  Settings s = defaults;
  s.merge_from(cli);
  s.merge_from(file.file);
  auto it = file.kernels.find(kernel);
  if (it != file.kernels.end()) s.merge_from(it->second);
  return s;
}

}  // namespace gradcheck
