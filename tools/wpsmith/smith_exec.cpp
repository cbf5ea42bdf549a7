// smith_exec.cpp — warpc-smith-exec: builds a .wp module with warpc (as warpc-gradcheck does:
// warpc --reflect, the host compiler and, with --device cuda, nvcc, into a shared library),
// launches its kernels on inputs read from a text file and writes every array argument after
// the launches. The differential runner tools/wpsmith/run_campaign.py drives it.
//
//   warpc-smith-exec MODULE.wp INPUTS OUTPUTS [--device cpu|cuda] [--keep] [--verbose]
//
// INPUTS is a whitespace-separated token stream, one block per launch:
//   launch KERNEL NDIM D0 … ; then one `arg` per kernel parameter, in parameter order:
//     arg array f32|i32 NDIM S0 … VALUES…     (S0·S1·… values)
//     arg f32|i32 VALUE
//     seed PARAM_INDEX VALUES…              (optional, after the args: the adjoint of an array
//                                           output; the backward pass then runs too)
//   end
// Floats may be hexadecimal (C99 %a, Python float.hex()). OUTPUTS gets one line per array
// argument after each launch: `out LAUNCH_INDEX PARAM_NAME V…`, floats as %a, ints as %d; when
// the launch has seeds, `<kernel>_backward` runs after the forward launch (every float array
// gets a gradient buffer: the seeds, zeros elsewhere) and `grad LAUNCH_INDEX PARAM_NAME V…`
// lines give every float array's gradient.
//
// Contract: exit 0 when everything ran; 2 for bad usage, an unreadable input file or a failed
// build (the failing command and its output on stderr); 3 when a launch threw a wp::Error
// (its message on stderr); with --device cuda and no CUDA device it prints "skipped: no CUDA
// device" and exits 4. Only float32 and int32 scalars and arrays of them are supported.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "module_build.h"
#include "wp/allocator.h"
#include "wp/error.h"
#include "wp/launch.h"
#include "wp/reflect.h"

namespace {

struct Arg {
  bool is_array = false, is_float = false;
  std::vector<int> shape;
  std::vector<float> f;
  std::vector<int> i;
  size_t count() const { return is_float ? f.size() : i.size(); }
};

struct Launch {
  std::string kernel;
  std::vector<int64_t> dim;
  std::vector<Arg> args;
  std::vector<std::pair<int, std::vector<float>>> seeds;  // param index → adjoint values
};

[[noreturn]] void die(int code, const std::string& why) {
  std::cerr << "warpc-smith-exec: " << why << "\n";
  std::exit(code);
}

std::string next(std::istream& in) {
  std::string t;
  if (!(in >> t)) die(2, "unexpected end of the input file");
  return t;
}

int next_int(std::istream& in) { return std::stoi(next(in)); }

Arg read_arg(std::istream& in) {
  Arg a;
  std::string t = next(in);
  if (t == "array") {
    a.is_array = true;
    t = next(in);
  }
  if (t != "f32" && t != "i32") die(2, "unknown scalar '" + t + "' (f32 or i32)");
  a.is_float = t == "f32";
  size_t n = 1;
  if (a.is_array) {
    const int nd = next_int(in);
    if (nd < 1 || nd > 4) die(2, "array rank must be 1..4");
    for (int d = 0; d < nd; ++d) {
      a.shape.push_back(next_int(in));
      n *= size_t(a.shape.back());
    }
  }
  for (size_t k = 0; k < n; ++k) {
    const std::string v = next(in);
    if (a.is_float) a.f.push_back(std::strtof(v.c_str(), nullptr));
    else a.i.push_back(std::stoi(v));
  }
  return a;
}

std::vector<Launch> read_launches(const std::string& path) {
  std::ifstream in(path);
  if (!in) die(2, "cannot read " + path);
  std::vector<Launch> out;
  std::string t;
  while (in >> t) {
    if (t != "launch") die(2, "expected 'launch', got '" + t + "'");
    Launch l;
    l.kernel = next(in);
    const int nd = next_int(in);
    for (int d = 0; d < nd; ++d) l.dim.push_back(next_int(in));
    while ((t = next(in)) == "arg") l.args.push_back(read_arg(in));
    while (t == "seed") {
      const int p = next_int(in);
      if (p < 0 || p >= int(l.args.size()) || !l.args[p].is_array || !l.args[p].is_float)
        die(2, "seed: parameter " + std::to_string(p) + " is not a float array");
      std::vector<float> v;
      for (size_t k = 0; k < l.args[p].count(); ++k) v.push_back(std::strtof(next(in).c_str(), nullptr));
      l.seeds.emplace_back(p, std::move(v));
      t = next(in);
    }
    if (t != "end") die(2, "expected 'arg' or 'end', got '" + t + "'");
    out.push_back(std::move(l));
  }
  return out;
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

void print_values(std::ostream& out, const char* tag, size_t index, const char* name, const void* data,
                  size_t count, bool is_float) {
  out << tag << " " << index << " " << name;
  char buf[64];
  for (size_t e = 0; e < count; ++e) {
    if (is_float) {
      float v;
      std::memcpy(&v, static_cast<const char*>(data) + 4 * e, 4);
      std::snprintf(buf, sizeof buf, " %a", double(v));
    } else {
      int v;
      std::memcpy(&v, static_cast<const char*>(data) + 4 * e, 4);
      std::snprintf(buf, sizeof buf, " %d", v);
    }
    out << buf;
  }
  out << "\n";
}

std::vector<char> fetch(const void* src, const wp::Device& device, size_t bytes) {
  std::vector<char> host(bytes);
  if (bytes) wp::detail::copy_bytes(host.data(), wp::Device(), src, device, bytes);
  return host;
}

// Launches one block; appends `out` lines for its array arguments.
void run_launch(const Launch& l, size_t index, const wp::reflect::KernelInfo& k,
                const wp::Device& device, std::ostream& out) {
  if (int(l.args.size()) != k.num_params)
    die(2, "kernel '" + l.kernel + "' takes " + std::to_string(k.num_params) + " arguments");
  std::vector<std::shared_ptr<void>> memory(l.args.size());
  std::vector<wp::reflect::ArrayArg> arrays(l.args.size());
  std::vector<void*> argv(l.args.size());
  for (size_t p = 0; p < l.args.size(); ++p) {
    const Arg& a = l.args[p];
    const void* host = a.is_float ? static_cast<const void*>(a.f.data()) : a.i.data();
    if (!a.is_array) {
      argv[p] = const_cast<void*>(host);
      continue;
    }
    const size_t bytes = a.count() * 4;
    memory[p] = wp::detail::allocate_shared(device, bytes);
    if (bytes) wp::detail::copy_bytes(memory[p].get(), device, host, wp::Device(), bytes);
    arrays[p] = {memory[p].get(), nullptr, {0, 0, 0, 0}, int(a.shape.size())};
    for (size_t d = 0; d < a.shape.size(); ++d) arrays[p].shape[d] = a.shape[d];
    argv[p] = &arrays[p];
  }
  wp::LaunchOptions options;
  options.device = device;
  k.forward(make_dim(l.dim), argv.data(), options);
  wp::synchronize();
  for (size_t p = 0; p < l.args.size(); ++p) {
    const Arg& a = l.args[p];
    if (!a.is_array) continue;
    const std::vector<char> host = fetch(memory[p].get(), device, a.count() * 4);
    print_values(out, "out", index, k.params[p].name, host.data(), a.count(), a.is_float);
  }
  if (l.seeds.empty()) return;
  if (!k.has_backward || !k.backward) die(3, "kernel '" + l.kernel + "' has no backward pass");
  // Inputs again (the forward launch may have written them), gradients: seeds or zeros.
  std::vector<std::shared_ptr<void>> grads(l.args.size());
  for (size_t p = 0; p < l.args.size(); ++p) {
    const Arg& a = l.args[p];
    if (!a.is_array) continue;
    const size_t bytes = a.count() * 4;
    if (bytes) {
      const void* host = a.is_float ? static_cast<const void*>(a.f.data()) : a.i.data();
      wp::detail::copy_bytes(memory[p].get(), device, host, wp::Device(), bytes);
    }
    if (!a.is_float) continue;
    grads[p] = wp::detail::allocate_shared(device, bytes);
    std::vector<float> g(a.count(), 0.0f);
    for (const auto& [sp, values] : l.seeds)
      if (sp == int(p)) g = values;
    if (bytes) wp::detail::copy_bytes(grads[p].get(), device, g.data(), wp::Device(), bytes);
    arrays[p].grad = grads[p].get();
  }
  std::vector<void*> accumulators(l.args.size(), nullptr);
  k.backward(make_dim(l.dim), argv.data(), accumulators.data(), options);
  wp::synchronize();
  for (size_t p = 0; p < l.args.size(); ++p) {
    if (!grads[p]) continue;
    const std::vector<char> host = fetch(grads[p].get(), device, l.args[p].count() * 4);
    print_values(out, "grad", index, k.params[p].name, host.data(), l.args[p].count(), true);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> pos;
  std::string device_name = "cpu";
  bool keep = false, verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--device" && i + 1 < argc) device_name = argv[++i];
    else if (a == "--keep") keep = true;
    else if (a == "--verbose") verbose = true;
    else if (a.starts_with("-")) die(2, "unknown option " + a);
    else pos.push_back(a);
  }
  if (pos.size() != 3 || (device_name != "cpu" && device_name != "cuda"))
    die(2, "usage: warpc-smith-exec MODULE.wp INPUTS OUTPUTS [--device cpu|cuda] [--keep] [--verbose]");
  const bool cuda = device_name == "cuda";
  if (cuda && wp::cuda_device_count() == 0) {
    std::cout << "skipped: no CUDA device\n";
    return 4;
  }
  const std::vector<Launch> launches = read_launches(pos[1]);
  const gradcheck::Toolchain tc = gradcheck::Toolchain::find(argv[0]);
  const std::string dir = gradcheck::make_temp_dir();
  int status = 0;
  try {
    const gradcheck::ModuleBuild mb = gradcheck::build_module(tc, pos[0], {}, cuda, dir, verbose);
    gradcheck::Library lib(mb.library);
    const wp::Device device = cuda ? wp::Device::cuda(0) : wp::Device::cpu();
    std::ostringstream out;
    for (size_t l = 0; l < launches.size(); ++l) {
      const wp::reflect::KernelInfo* k = nullptr;
      for (const wp::reflect::KernelInfo* c : lib.kernels())
        if (launches[l].kernel == c->name) k = c;
      if (!k) die(2, "no kernel '" + launches[l].kernel + "' in " + pos[0]);
      run_launch(launches[l], l, *k, device, out);
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
  else gradcheck::remove_tree(dir);
  return status;
}
