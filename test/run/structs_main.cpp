// structs_main.cpp — driver of structs.wp: builds arrays of structs on the device, steps them,
// passes a struct holding arrays by value, and checks every field against values computed here.
#include "structs.wp.h"
#include "run_check.h"

namespace {

using structs::Body;
using structs::Material;
using structs::SimState;

// What build_bodies writes for index i (n = the launch size).
Body expected_built(int i, int n) {
  Body b{};
  float fi = static_cast<float>(i);
  if (i % 2 == 0) {
    b.id = i;
    b.mass = 3.0f;
    return b;
  }
  b.x = wp::vec3f{{fi, -fi, 1.0f}};
  b.v = wp::vec3f{{0.5f, fi * 0.25f, -2.0f}};
  b.mass = 1.0f + fi;
  b.id = n - i;
  b.material.stiffness = fi * 2.0f;
  b.material.damping = 0.25f;
  return b;
}

void check_body(run::Check& check, const std::string& label, const Body& got, const Body& want) {
  for (int k = 0; k < 3; ++k) {
    check.near(label + ".x" + std::to_string(k), got.x[k], want.x[k]);
    check.near(label + ".v" + std::to_string(k), got.v[k], want.v[k]);
  }
  check.near(label + ".mass", got.mass, want.mass);
  check.eq(label + ".id", got.id, want.id);
  check.near(label + ".stiffness", got.material.stiffness, want.material.stiffness);
  check.near(label + ".damping", got.material.damping, want.material.damping);
}

void check_bodies(run::Check& check, const wp::Device& dev) {
  const int n = 37;
  const float dt = 0.125f;
  auto bodies = wp::zeros<Body>(n, dev);
  structs::build_bodies(n, n, bodies);
  auto built = run::fetch(bodies);
  for (int i = 0; i < n; ++i) check_body(check, run::at("built", i), built[i], expected_built(i, n));

  auto moments = wp::zeros<wp::vec3f>(n, dev);
  structs::step_bodies(n, bodies, dt, moments);
  auto stepped = run::fetch(bodies);
  auto mom = run::fetch(moments);
  for (int i = 0; i < n; ++i) {
    Body want = expected_built(i, n);
    double m[3];
    for (int k = 0; k < 3; ++k) {
      m[k] = static_cast<double>(want.v[k]) * want.mass;
      want.x[k] = want.x[k] + want.v[k] * dt;
    }
    want.id += 1000;
    want.material.stiffness *= 0.5f;
    check.near_vec(run::at("momentum", i), mom[i], m);
    check_body(check, run::at("stepped", i), stepped[i], want);
  }

  structs::field_writes(n, bodies);
  auto written = run::fetch(bodies);
  for (int i = 0; i < n; ++i) {
    Body want = stepped[i];
    want.mass += 1.0f;
    want.material.damping = 0.75f;
    want.x[1] = 9.0f;
    check_body(check, run::at("field_writes", i), written[i], want);
  }
}

void check_struct_arg(run::Check& check, const wp::Device& dev) {
  const int n = 100;
  std::vector<wp::vec3f> p(n);
  std::vector<float> m(n);
  for (int i = 0; i < n; ++i) {
    p[i] = wp::vec3f{{0.5f * i, 1.0f - i, 2.0f}};
    m[i] = 0.25f * (i % 7);
  }
  auto positions = wp::from_host(p, dev);
  auto masses = wp::from_host(m, dev);
  auto out = wp::zeros<wp::vec3f>(n, dev);
  SimState state{};
  state.positions = positions.view();
  state.masses = masses.view();
  state.gravity = wp::vec3f{{0.0f, -9.75f, 0.5f}};
  state.scale = 2.0f;
  state.material = Material{3.5f, 0.125f};
  structs::apply_state(n, state, out);
  auto got = run::fetch(out);
  auto moved = run::fetch(positions);
  for (int i = 0; i < n; ++i) {
    double w = static_cast<double>(m[i]) * 2.0;
    double want[3] = {p[i][0] + 0.0 * w + 3.5, p[i][1] - 9.75 * w + 0.125, p[i][2] + 0.5 * w};
    double twice[3] = {2.0 * p[i][0], 2.0 * p[i][1], 2.0 * p[i][2]};
    check.near_vec(run::at("apply_state", i), got[i], want);
    check.near_vec(run::at("positions*2", i), moved[i], twice);
  }
}

}  // namespace

int main(int argc, char** argv) {
  static_assert(sizeof(Body) == 40, "Body: 2 vec3 + float + int + Material");
  return run::main(argc, argv, "structs", [](run::Check& check, const wp::Device& dev) {
    check_bodies(check, dev);
    check_struct_arg(check, dev);
  });
}
