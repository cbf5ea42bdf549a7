// atomic_minmax_main.cpp — numeric check of atomic_minmax.wp's backward kernels against the
// derivative of the extrema (the winning element only) and central finite differences.
//   warpc atomic_minmax.wp --emit=header,cpp -o DIR
//   g++ -std=c++20 -I DIR -I runtime/include -I stdlib/include DIR/atomic_minmax.wp.cpp \
//       atomic_minmax_main.cpp build/runtime/libwarpc_runtime.a -L/usr/local/cuda/lib64 -lcudart -lpthread
#include <cmath>
#include <cstdio>
#include <vector>

#include "atomic_minmax.wp.h"

using namespace atomic_minmax;
static int fails = 0;

static void check(const char* what, int i, double got, double want) {
  const bool ok = std::fabs(got - want) <= 1e-3 * (1 + std::fabs(want));
  fails += !ok;
  std::printf("%-26s[%d] got %12.6f want %12.6f %s\n", what, i, got, want, ok ? "ok" : "MISMATCH");
}

// loss = 0.7 lo + 1.3 hi after a forward launch from lo = 5, hi = -5.
static double loss(const std::vector<float>& xs) {
  std::vector<float> x = xs, lo = {5.f}, hi = {-5.f};
  wp::array<float> X(x.data(), wp::Shape(x.size()), {}, nullptr);
  wp::array<float> L(lo.data(), wp::Shape(1), {}, nullptr), H(hi.data(), wp::Shape(1), {}, nullptr);
  atomic_extrema(static_cast<int>(x.size()), X, L, H);
  return 0.7 * lo[0] + 1.3 * hi[0];
}

static void check_scalar() {
  std::vector<float> x = {0.3f, -0.8f, 1.1f, 0.05f, -0.2f}, gx(x.size(), 0.f);
  std::vector<float> lo = {5.f}, hi = {-5.f}, glo = {0.7f}, ghi = {1.3f};
  wp::array<float> X(x.data(), wp::Shape(x.size()), {}, gx.data());
  wp::array<float> L(lo.data(), wp::Shape(1), {}, glo.data()), H(hi.data(), wp::Shape(1), {}, ghi.data());
  atomic_extrema(5, X, L, H);
  atomic_extrema_backward(5, X, L, H);
  const double h = 1e-3;
  for (int i = 0; i < 5; ++i) {
    double want = 0;
    if (i == 1) want += 0.7 * 2.0;                     // argmin of 2x
    if (i == 2) want += 1.3 * (std::cos(x[i]) + 1.0);  // argmax of sin(x) + x
    check("d loss / d x", i, gx[i], want);
    std::vector<float> up = x, dn = x;
    up[i] += h;
    dn[i] -= h;
    check("  finite difference", i, gx[i], (loss(up) - loss(dn)) / (2 * h));
  }
  // Every element was replaced by a thread's value: the targets' own gradients are consumed.
  check("d loss / d lo_initial", 0, glo[0], 0.0);
  check("d loss / d hi_initial", 0, ghi[0], 0.0);
}

// Element e = i % 2 of lo takes the component-wise minimum of its initial value and the values
// of threads (0, 2) / (1, 3); element 2 is untouched. The winning value takes the element's
// gradient; the element keeps it (d loss / d initial value) only where its initial value won.
static void check_vector() {
  std::vector<wp::vec3f> x = {wp::vec3f{{0.2f, -1.f, 3.f}}, wp::vec3f{{1.f, 1.f, 1.f}}, wp::vec3f{{-0.5f, 0.4f, 2.f}},
                              wp::vec3f{{0.9f, -2.f, 0.1f}}};
  const std::vector<wp::vec3f> lo0 = {wp::vec3f{{9.f, 9.f, 9.f}}, wp::vec3f{{9.f, -9.f, 2.f}}, wp::vec3f{{9.f, 9.f, 9.f}}};
  const std::vector<wp::vec3f> seed = {wp::vec3f{{1.f, 2.f, 3.f}}, wp::vec3f{{-1.f, 0.5f, 4.f}},
                                       wp::vec3f{{0.25f, -0.5f, 2.f}}};
  std::vector<wp::vec3f> gx(4, wp::vec3f{}), lo = lo0, glo = seed;
  wp::array<wp::vec3f> X(x.data(), wp::Shape(4), {}, gx.data()), L(lo.data(), wp::Shape(3), {}, glo.data());
  atomic_min_vec(4, X, L);
  atomic_min_vec_backward(4, X, L);
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 4; ++i) {
      const int other = (i + 2) % 4, e = i % 2;
      const bool wins = 3.0 * x[i][c] < 3.0 * x[other][c] && 3.0 * x[i][c] < lo0[e][c];
      check("d lo / d x[c] (vec3)", i, gx[i][c], wins ? 3.0 * seed[e][c] : 0.0);
    }
    for (int e = 0; e < 3; ++e) {
      const bool initial_won = e == 2 || (lo0[e][c] < 3.0 * x[e][c] && lo0[e][c] < 3.0 * x[e + 2][c]);
      check("d lo / d lo_initial[c] (vec3)", e, glo[e][c], initial_won ? seed[e][c] : 0.0);
    }
  }
}

int main() {
  check_scalar();
  check_vector();
  std::printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
