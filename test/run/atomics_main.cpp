// atomics_main.cpp — driver of atomics.wp: heavily contended atomic counters whose exact totals
// are computed here (all increments are small integers or dyadic fractions, so float sums are
// exact in any order), min/max reductions, and slot allocation through returned old values.
#include "atomics.wp.h"
#include "run_check.h"

namespace {

// A small deterministic generator for test inputs (not the kernel's RNG).
struct Lcg {
  uint32_t s;
  uint32_t next() { return s = s * 1664525u + 1013904223u; }
  float unit() { return (next() >> 8) * (1.0f / 16777216.0f); }
};

void check_counters(run::Check& check, const wp::Device& dev) {
  const int n = 100000;
  auto counts = wp::zeros<int>(4, dev);
  auto sums = wp::zeros<float>(2, dev);
  auto wide = wp::zeros<double>(1, dev);
  atomics::counters(n, counts, sums, wide);
  auto c = run::fetch(counts);
  auto s = run::fetch(sums);
  auto w = run::fetch(wide);
  long long mod5 = 0, quarter = 0;
  for (int i = 0; i < n; ++i) mod5 += i % 5, quarter += i % 4;
  check.eq("atomic_add count", c[0], n);
  check.eq("+= i%5", static_cast<long long>(c[1]), mod5);
  check.eq("atomic_sub", c[2], -2 * n);
  check.eq("-= 1", c[3], -n);
  check.eq("float atomic_add 0.5", s[0], 0.5f * n);
  check.eq("float += 0.25*(i%4)", s[1], 0.25f * static_cast<float>(quarter));
  check.eq("float64 atomic_add", w[0], static_cast<double>(n));
}

void check_histogram(run::Check& check, const wp::Device& dev) {
  const int n = 50000, num_bins = 13;
  Lcg rng{12345};
  std::vector<int> values(n);
  std::vector<int> want(num_bins, 0);
  for (int i = 0; i < n; ++i) {
    values[i] = static_cast<int>(rng.next() >> 4);
    ++want[values[i] % num_bins];
  }
  auto dv = wp::from_host(values, dev);
  auto bins = wp::zeros<int>(num_bins, dev);
  atomics::histogram(n, dv, bins, num_bins);
  auto g = run::fetch(bins);
  for (int b = 0; b < num_bins; ++b) check.eq(run::at("histogram", b), g[b], want[b]);
}

void check_extremes(run::Check& check, const wp::Device& dev) {
  const int n = 30001;
  Lcg rng{777};
  std::vector<int> iv(n);
  std::vector<float> fv(n);
  for (int i = 0; i < n; ++i) {
    iv[i] = static_cast<int>(rng.next() % 2000001u) - 1000000;
    fv[i] = rng.unit() * 200.0f - 100.0f;
  }
  auto di = wp::from_host(iv, dev);
  auto df = wp::from_host(fv, dev);
  auto imin = wp::full<int>(5, INT32_MAX, dev), imax = wp::full<int>(5, INT32_MIN, dev);
  auto fmin = wp::full<float>(1, 1e30f, dev), fmax = wp::full<float>(1, -1e30f, dev);
  atomics::extremes(n, di, df, imin, imax, fmin, fmax);
  auto gmin = run::fetch(imin), gmax = run::fetch(imax);
  check.eq("int atomic_min", gmin[0], *std::min_element(iv.begin(), iv.end()));
  check.eq("int atomic_max", gmax[0], *std::max_element(iv.begin(), iv.end()));
  check.eq("float atomic_min", run::fetch(fmin)[0], *std::min_element(fv.begin(), fv.end()));
  check.eq("float atomic_max", run::fetch(fmax)[0], *std::max_element(fv.begin(), fv.end()));
  for (int g = 0; g < 4; ++g) {
    int lo = INT32_MAX, hi = INT32_MIN;
    for (int i = g; i < n; i += 4) lo = std::min(lo, iv[i]), hi = std::max(hi, iv[i]);
    check.eq(run::at("group atomic_min", g), gmin[1 + g], lo);
    check.eq(run::at("group atomic_max", g), gmax[1 + g], hi);
  }
}

void check_slots(run::Check& check, const wp::Device& dev) {
  const int n = 70000;
  auto next = wp::zeros<int>(1, dev);
  auto owners = wp::full<int>(n, -1, dev);
  atomics::allocate_slots(n, next, owners);
  int used = run::fetch(next)[0];
  auto o = run::fetch(owners);
  int want_used = n - (n + 2) / 3;
  check.eq("slots used", used, want_used);
  // Every slot below `used` has exactly one owner, and the owners are exactly i % 3 != 0.
  std::vector<int> seen(n, 0);
  bool valid = true;
  for (int s = 0; s < want_used && valid; ++s) {
    int who = o[s];
    valid = who >= 0 && who < n && who % 3 != 0 && seen[who]++ == 0;
  }
  for (int s = want_used; s < n && valid; ++s) valid = o[s] == -1;
  check.that("returned old values give every thread a distinct slot", valid);
}

void check_grid_and_vectors(run::Check& check, const wp::Device& dev) {
  const int n = 40000, res = 8;
  Lcg rng{99};
  std::vector<wp::vec2f> pts(n);
  std::vector<int> want(res * res, 0);
  for (int i = 0; i < n; ++i) {
    pts[i] = wp::vec2f{{rng.unit(), rng.unit()}};
    int cx = std::min(int(pts[i][0] * res), res - 1), cy = std::min(int(pts[i][1] * res), res - 1);
    ++want[cx * res + cy];
  }
  auto dp = wp::from_host(pts, dev);
  auto cells = wp::zeros<int>({res, res}, dev);
  auto mass = wp::zeros<float>({res, res}, dev);
  atomics::grid_scatter(n, dp, cells, mass, res);
  auto gc = run::fetch(cells);
  auto gm = run::fetch(mass);
  for (int c = 0; c < res * res; ++c) {
    check.eq(run::at("2-D atomic_add", c), gc[c], want[c]);
    check.eq(run::at("2-D += 0.125", c), gm[c], 0.125f * want[c]);
  }

  const int m = 10000, targets = 7;
  auto forces = wp::zeros<wp::vec3f>(targets, dev);
  atomics::vector_accumulate(m, forces, targets);
  auto gf = run::fetch(forces);
  for (int t = 0; t < targets; ++t) {
    double want_f[3] = {0, 0, 0};
    for (int i = 0; i < m; ++i) {
      if (i % targets == t) want_f[0] += 1.0, want_f[1] += i % 3, want_f[2] -= 0.5;
      if ((i + 1) % targets == t) want_f[2] -= 0.25;
    }
    check.near_vec(run::at("vec3 atomic_add", t), gf[t], want_f, 0.0, 0.0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "atomics", [](run::Check& check, const wp::Device& dev) {
    check_counters(check, dev);
    check_histogram(check, dev);
    check_extremes(check, dev);
    check_slots(check, dev);
    check_grid_and_vectors(check, dev);
  });
}
