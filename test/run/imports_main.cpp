// imports_main.cpp — driver of imports.wp and imports_second.wp, which both import
// modules/shapes.wp: includes both generated headers (the shared struct must be declared once,
// as wp_structs::shapes::Sphere), passes one array of Sphere to kernels of both modules, and
// checks signed distances, counts and the imported function's results computed here.
#include <type_traits>

#include "imports.wp.h"
#include "imports_second.wp.h"
#include "run_check.h"

namespace {

using Sphere = wp_structs::shapes::Sphere;

double sdf(const Sphere& s, const wp::vec3f& p) {
  double d2 = 0;
  for (int k = 0; k < 3; ++k) d2 += (double(p[k]) - s.center[k]) * (double(p[k]) - s.center[k]);
  return std::sqrt(d2) - s.radius;
}

void check_imports(run::Check& check, const wp::Device& dev) {
  const int n = 16, m = 200;
  std::vector<Sphere> spheres(n);
  for (int i = 0; i < n; ++i) {
    spheres[i].center = wp::vec3f{{0.5f * i, 0.0f, -1.0f + 0.125f * i}};
    spheres[i].radius = i == 3 ? -0.5f : 0.25f + 0.1f * i;  // sphere 3 grows to a negative radius
  }
  std::vector<wp::vec3f> points(m);
  for (int j = 0; j < m; ++j)
    points[j] = wp::vec3f{{0.04f * j - 0.5f, 0.3f * std::sin(0.1f * j), -1.0f + 0.01f * j}};
  auto ds = wp::from_host(spheres, dev);
  auto dp = wp::from_host(points, dev);
  const wp::vec3f p{{1.0f, 0.5f, -0.25f}};

  auto dist = wp::zeros<float>(n, dev);
  imports::distances(n, ds, p, dist);
  auto gd = run::fetch(dist);
  for (int i = 0; i < n; ++i) check.near(run::at("sphere_sdf", i), gd[i], sdf(spheres[i], p));

  auto counts = wp::zeros<int>(n, dev);
  imports_second::inside_count({n, m}, ds, dp, counts);
  auto gc = run::fetch(counts);
  for (int i = 0; i < n; ++i) {
    int sure = 0, borderline = 0;  // points within float rounding of the surface may go either way
    for (int j = 0; j < m; ++j) {
      double d = sdf(spheres[i], points[j]);
      sure += d < -1e-5;
      borderline += std::fabs(d) <= 1e-5;
    }
    check.that(run::at("inside_count", i), gc[i] >= sure && gc[i] <= sure + borderline);
  }

  imports::grow_all(n, ds, 0.25f);
  auto grown = run::fetch(ds);
  for (int i = 0; i < n; ++i) {
    float r = spheres[i].radius + 0.25f;
    check.eq(run::at("grown radius", i), grown[i].radius, r < 1.0e-6f ? 0.0f : r);
  }

  auto out = wp::zeros<float>(m, dev);
  imports_second::probe(m, grown[5], dp, out);
  auto go = run::fetch(out);
  for (int j = 0; j < m; ++j) check.near(run::at("probe", j), go[j], sdf(grown[5], points[j]));
}

}  // namespace

int main(int argc, char** argv) {
  static_assert(std::is_trivially_copyable_v<Sphere> && sizeof(Sphere) == 16);
  static_assert(std::is_same_v<imports::Sphere, Sphere> && std::is_same_v<imports_second::Sphere, Sphere>,
                "each importer's namespace names the shared struct");
  return run::main(argc, argv, "imports", [](run::Check& check, const wp::Device& dev) {
    check_imports(check, dev);
  });
}
