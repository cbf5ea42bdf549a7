// warp_values_main.cpp — driver of warp_values.wp: replays the inputs recorded in
// warp_values.ref through warpc's kernels and compares the outputs, and for differentiable
// kernels the inputs' gradients under the recorded output seed, with NVIDIA Warp 1.19's
// (recorded on its CPU backend by tools/builtins/gen_warp_values.py — the reference values are
// Warp's, never a previous run of these kernels).
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "run_check.h"
#include "warp_values.wp.h"

#ifndef WARP_VALUES_REF
#error "WARP_VALUES_REF (path of warp_values.ref) must be defined by the build"
#endif

namespace {

using Launch = std::function<void(int, const wp::array<float>&, const wp::array<float>&)>;

struct Kernel {
  Launch forward, backward;
};

#define WARP_VALUES_KERNEL(name) \
  {#name, {[](int n, const wp::array<float>& x, const wp::array<float>& y) { warp_values::name(n, x, y); }, \
           [](int n, const wp::array<float>& x, const wp::array<float>& y) { warp_values::name##_backward(n, x, y); }}}

const std::map<std::string, Kernel>& kernels() {
  static const std::map<std::string, Kernel> k = {
      WARP_VALUES_KERNEL(euler),    WARP_VALUES_KERNEL(rpy_twist), WARP_VALUES_KERNEL(compose),
      WARP_VALUES_KERNEL(decompose), WARP_VALUES_KERNEL(approx),   WARP_VALUES_KERNEL(ctors),
      WARP_VALUES_KERNEL(bit_cast), WARP_VALUES_KERNEL(curl),      WARP_VALUES_KERNEL(tuple_forms),
      WARP_VALUES_KERNEL(shaped),   WARP_VALUES_KERNEL(bf16_values),
  };
  return k;
}

struct Record {
  std::string name;
  int count = 0, ni = 0, no = 0;
  bool grad = false;
  std::vector<float> in, out, seed, g;
};

std::vector<float> floats(std::istream& is, const char* tag, size_t n) {
  std::string word;
  is >> word;
  if (word != tag) throw wp::Error("warp_values.ref: expected '" + std::string(tag) + "', read '" + word + "'");
  std::vector<float> v(n);
  for (float& f : v) is >> f;
  return v;
}

std::vector<Record> read_records(const std::string& path) {
  std::ifstream is(path);
  if (!is) throw wp::Error("cannot read " + path);
  std::vector<Record> recs;
  std::string line;
  while (std::getline(is, line)) {
    if (line.rfind("kernel ", 0) != 0) continue;
    Record r;
    int grad = 0;
    std::istringstream head(line.substr(7));
    head >> r.name >> r.count >> r.ni >> r.no >> grad;
    r.grad = grad != 0;
    const size_t nin = size_t(r.count) * r.ni, nout = size_t(r.count) * r.no;
    r.in = floats(is, "in", nin), r.out = floats(is, "out", nout);
    if (r.grad) r.seed = floats(is, "seed", nout), r.g = floats(is, "grad", nin);
    recs.push_back(std::move(r));
  }
  return recs;
}

// Angles may differ from Warp's by rounding only; curl noise and decompositions need looser bounds.
// bf16_values: one bfloat16 rounding of a float result one float ulp apart flips a last bit (2^-8).
double tolerance(const std::string& name) {
  return name == "bf16_values" ? 8e-3 : name == "curl" || name == "tuple_forms" ? 2e-3 : 2e-4;
}

void check_record(run::Check& check, const Record& r, const wp::Device& dev) {
  auto it = kernels().find(r.name);
  if (it == kernels().end()) throw wp::Error("warp_values.ref names an unknown kernel " + r.name);
  auto x = wp::from_host(r.in, wp::with_shape(static_cast<int64_t>(r.in.size())), wp::on(dev), wp::requires_grad);
  auto y = wp::zeros<float>(static_cast<int64_t>(r.out.size()), dev, true);
  it->second.forward(r.count, x, y);
  const double tol = tolerance(r.name);
  std::vector<float> got = run::fetch(y);
  for (size_t i = 0; i < got.size(); ++i) check.near(run::at((r.name + " value").c_str(), i), got[i], r.out[i], tol, tol);
  if (!r.grad) return;
  wp::copy(y.grad_array(), wp::from_host(r.seed, dev));
  it->second.backward(r.count, x, y);
  std::vector<float> g = run::fetch(x.grad_array());
  const double gtol = r.name == "curl" || r.name == "bf16_values" ? 2e-2 : 2e-3;
  for (size_t i = 0; i < g.size(); ++i) check.near(run::at((r.name + " grad").c_str(), i), g[i], r.g[i], gtol, gtol);
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "warp_values", [](run::Check& check, const wp::Device& dev) {
    for (const Record& r : read_records(WARP_VALUES_REF)) check_record(check, r, dev);
  });
}
