// arrays_of_structs_main.cpp — numeric check of arrays_of_structs.wp's backward kernels:
// analytic gradients and central finite differences of the forward launchers.
//   warpc arrays_of_structs.wp --emit=header,cpp -o DIR
//   g++ -std=c++20 -I DIR -I runtime/include -I stdlib/include DIR/arrays_of_structs.wp.cpp \
//       arrays_of_structs_main.cpp build/runtime/libwarpc_runtime.a -L/usr/local/cuda/lib64 -lcudart -lpthread
#include <cmath>
#include <cstdio>
#include <vector>

#include "arrays_of_structs.wp.h"

using namespace arrays_of_structs;
static int fails = 0;

static void check(const char* what, int i, double got, double want) {
  const bool ok = std::fabs(got - want) <= 1e-3 * (1 + std::fabs(want));
  fails += !ok;
  std::printf("%-22s[%d] got %12.6f want %12.6f %s\n", what, i, got, want, ok ? "ok" : "MISMATCH");
}

static Particle make(float x, float y, float z, float m, float w) {
  Particle p{};
  p.pos = wp::vec3f{{x, y, z}};
  p.mass = m;
  p.id = 7;
  p.inner.w = w;
  p.inner.tag = 3;
  return p;
}

static float energy_of(std::vector<Particle> ps, int i) {
  std::vector<float> e(ps.size(), 0.f);
  wp::array<Particle> P(ps.data(), wp::Shape(ps.size()), {}, nullptr);
  wp::array<float> E(e.data(), wp::Shape(e.size()), {}, nullptr);
  aos_energy(static_cast<int>(ps.size()), P, E);
  return e[i];
}

static void check_energy() {
  std::vector<Particle> ps = {make(0.5f, -1.f, 2.f, 1.5f, 0.3f), make(-0.2f, 0.7f, 0.1f, 0.8f, -1.2f)};
  std::vector<Particle> gps(ps.size(), Particle{});
  std::vector<float> e(ps.size(), 0.f), ge(ps.size(), 1.f);
  wp::array<Particle> P(ps.data(), wp::Shape(ps.size()), {}, gps.data());
  wp::array<float> E(e.data(), wp::Shape(e.size()), {}, ge.data());
  aos_energy(2, P, E);
  aos_energy_backward(2, P, E);
  const double h = 1e-3;
  for (int i = 0; i < 2; ++i) {
    const Particle& p = ps[i];
    const double r2 = p.pos[0] * p.pos[0] + p.pos[1] * p.pos[1] + p.pos[2] * p.pos[2];
    for (int c = 0; c < 3; ++c) {
      check("d e / d pos[c]", i, gps[i].pos[c], p.mass * p.pos[c]);
      std::vector<Particle> up = ps, dn = ps;
      up[i].pos[c] += h;
      dn[i].pos[c] -= h;
      check("  finite difference", i, gps[i].pos[c], (energy_of(up, i) - energy_of(dn, i)) / (2 * h));
    }
    check("d e / d mass", i, gps[i].mass, 0.5 * r2 + p.inner.w);
    check("d e / d inner.w", i, gps[i].inner.w, p.mass);
    check("int fields untouched", i, gps[i].id + gps[i].inner.tag, 0);
  }
}

// After backward, an overwritten element's gradient is consumed: all of its fields are zero.
static void check_zero(const char* what, int i, const Particle& g) {
  const double sum = std::fabs(g.pos[0]) + std::fabs(g.pos[1]) + std::fabs(g.pos[2]) + std::fabs(g.mass) +
                     std::fabs(g.inner.w);
  check(what, i, sum, 0.0);
}

static void check_store() {
  std::vector<float> x = {0.4f, -1.1f, 2.0f}, gx(3, 0.f);
  std::vector<Particle> ps(3, Particle{}), gps(3, Particle{});
  for (int i = 0; i < 3; ++i) gps[i] = make(0.1f * (i + 1), -0.5f, 1.5f, 2.f - i, 0.25f);
  wp::array<float> X(x.data(), wp::Shape(3), {}, gx.data());
  wp::array<Particle> P(ps.data(), wp::Shape(3), {}, gps.data());
  const std::vector<Particle> seeds = gps;  // the store's adjoint consumes (zeroes) them
  aos_store(3, X, P);
  aos_store_backward(3, X, P);
  for (int i = 0; i < 3; ++i) {
    check_zero("d loss / d ps (overwritten)", i, gps[i]);
    const Particle& g = seeds[i];
    const double want = g.pos[0] + 2.0 * g.pos[1] + 2.0 * x[i] * g.pos[2] + std::cos(x[i]) * g.mass + 3.0 * g.inner.w;
    check("d loss / d x (store)", i, gx[i], want);
  }
}

int main() {
  check_energy();
  check_store();
  std::printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
