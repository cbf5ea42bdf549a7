// struct_grads_main.cpp — driver of struct_grads.wp: the gradient of a struct parameter's float
// fields (energy_backward's adj_p, and Tape::param_grad<Params>) against central finite
// differences of loss = sum_i w_i e_i computed here by running the forward kernel with each
// field component moved by ±h; the array field's gradient (data.grad) against its closed form.
#include <cmath>
#include <functional>
#include <vector>

#include "run_check.h"
#include "struct_grads.wp.h"

namespace {

using struct_grads::Params;
constexpr int kN = 19;

struct Inputs {
  wp::array<wp::vec3f> x;
  wp::array<float> data;
  std::vector<float> weights;
  Params p{};
};

Inputs make_inputs(const wp::Device& dev) {
  Inputs in;
  std::vector<wp::vec3f> x(kN);
  std::vector<float> data(kN);
  for (int i = 0; i < kN; ++i) {
    const float t = static_cast<float>(i);
    x[i] = wp::vec3f{{0.3f * std::sin(t), 0.2f * std::cos(1.7f * t), 0.5f - 0.04f * t}};
    data[i] = 0.1f * static_cast<float>(i % 5) - 0.2f;
    in.weights.push_back(std::cos(0.9f * t));
  }
  in.x = wp::from_host(x, wp::with_shape(static_cast<int64_t>(x.size())), wp::on(dev), wp::requires_grad);
  in.data = wp::from_host(data, wp::with_shape(static_cast<int64_t>(data.size())), wp::on(dev), wp::requires_grad);
  in.p.k = 0.8f;
  in.p.g = wp::vec3f{{0.1f, -0.3f, 0.25f}};
  in.p.m = wp::mat22f{{{1.2f, -0.4f}, {0.3f, 0.9f}}};
  in.p.count = 3;
  in.p.inner.w = 0.7f;
  in.p.inner.tag = 5;
  in.p.data = in.data.view();
  return in;
}

double loss(const Inputs& in, const Params& p, const wp::Device& dev) {
  auto e = wp::zeros<float>(kN, dev);
  struct_grads::energy(kN, in.x, p, e);
  std::vector<float> got = run::fetch(e);
  double l = 0;
  for (int i = 0; i < kN; ++i) l += static_cast<double>(in.weights[i]) * got[i];
  return l;
}

// Every float component of Params, as a pointer into a copy.
std::vector<std::pair<std::string, std::function<float&(Params&)>>> components() {
  std::vector<std::pair<std::string, std::function<float&(Params&)>>> out;
  out.push_back({"k", [](Params& p) -> float& { return p.k; }});
  for (int c = 0; c < 3; ++c) out.push_back({"g" + std::to_string(c), [c](Params& p) -> float& { return p.g[c]; }});
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 2; ++c)
      out.push_back({"m" + std::to_string(r) + std::to_string(c), [r, c](Params& p) -> float& { return p.m.data[r][c]; }});
  out.push_back({"inner.w", [](Params& p) -> float& { return p.inner.w; }});
  return out;
}

void check_against_fd(run::Check& check, const std::string& label, const Inputs& in, Params grad,
                      const wp::Device& dev) {
  const double h = 1e-2;
  for (auto& [name, field] : components()) {
    Params up = in.p, dn = in.p;
    field(up) += static_cast<float>(h);
    field(dn) -= static_cast<float>(h);
    const double fd = (loss(in, up, dev) - loss(in, dn, dev)) / (static_cast<double>(field(up)) - field(dn));
    check.near(label + "." + name, field(grad), fd, 2e-3, 2e-3);
  }
  check.eq(label + ".count (int: untouched)", grad.count, 0);
  check.eq(label + ".inner.tag (int: untouched)", grad.inner.tag, 0);
}

wp::array<float> seeded_output(const Inputs& in, const wp::Device& dev) {
  auto e = wp::zeros<float>(kN, dev, true);
  wp::copy(e.grad_array(), wp::from_host(in.weights, dev));
  return e;
}

void check_backward(run::Check& check, const wp::Device& dev) {
  Inputs in = make_inputs(dev);
  auto e = seeded_output(in, dev);
  struct_grads::energy(kN, in.x, in.p, e);
  auto adj = wp::zeros<Params>(1, dev);
  struct_grads::energy_backward(kN, in.x, in.p, e, adj);
  check_against_fd(check, "adj_p", in, run::fetch(adj)[0], dev);
  // The array field: d loss / d data[i] = w_i k count, in data's own gradient buffer.
  std::vector<float> gd = run::fetch(in.data.grad_array());
  for (int i = 0; i < kN; ++i) check.near(run::at("data.grad", i), gd[i], in.weights[i] * 0.8 * 3, 1e-5, 1e-4);
}

void check_tape(run::Check& check, const wp::Device& dev) {
  Inputs in = make_inputs(dev);
  auto e = seeded_output(in, dev);
  wp::Tape tape;
  tape.begin();
  struct_grads::energy(kN, in.x, in.p, e);
  tape.end();
  tape.backward();
  check_against_fd(check, "tape.param_grad(p)", in, tape.param_grad<Params>(0, "p"), dev);
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "struct_grads", [](run::Check& check, const wp::Device& dev) {
    check_backward(check, dev);
    check_tape(check, dev);
  });
}
