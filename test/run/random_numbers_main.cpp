// random_numbers_main.cpp — driver of random_numbers.wp: statistical checks of Warp's random
// builtins. (The module is not called random.wp: its namespace would clash with POSIX random().)
// Every tolerance is about five standard errors of the statistic for the sample size used, so a
// correct generator fails with negligible probability while a broken one (constant output,
// wrong range, per-thread streams that coincide) fails clearly. The seeds are fixed, so results
// are reproducible.
#include <cstring>
#include <set>

#include "random_numbers.wp.h"
#include "run_check.h"

namespace {

struct Moments {
  double mean = 0, var = 0, lo = 1e300, hi = -1e300;
};

Moments moments(const std::vector<float>& v) {
  Moments m;
  for (float x : v) m.mean += x, m.lo = std::min(m.lo, double(x)), m.hi = std::max(m.hi, double(x));
  m.mean /= v.size();
  for (float x : v) m.var += (x - m.mean) * (x - m.mean);
  m.var /= v.size() - 1;
  return m;
}

void check_draw(run::Check& check, const wp::Device& dev) {
  const int threads = 1024, per = 64, n = threads * per;
  auto uniform = wp::zeros<float>(n, dev), normal = wp::zeros<float>(n, dev);
  auto ranged = wp::zeros<float>(n, dev);
  auto ints = wp::zeros<int>(n, dev);
  random_numbers::draw(threads, 42, per, uniform, normal, ints, ranged);
  auto u = run::fetch(uniform), z = run::fetch(normal), r = run::fetch(ranged);
  auto k = run::fetch(ints);

  Moments mu = moments(u), mz = moments(z), mr = moments(r);
  check.that("randf in [0, 1)", mu.lo >= 0.0 && mu.hi < 1.0);
  check.near("randf mean", mu.mean, 0.5, 0.006, 0);
  check.near("randf variance", mu.var, 1.0 / 12.0, 0.0015, 0);
  check.near("randn mean", mz.mean, 0.0, 0.02, 0);
  check.near("randn variance", mz.var, 1.0, 0.03, 0);
  double within1 = std::count_if(z.begin(), z.end(), [](float x) { return std::fabs(x) < 1; });
  check.near("randn P(|x|<1)", within1 / n, 0.682689, 0.01, 0);
  check.that("randf(2, 5) in [2, 5)", mr.lo >= 2.0 && mr.hi < 5.0);
  check.near("randf(2, 5) mean", mr.mean, 3.5, 0.02, 0);

  std::vector<int> counts(10, 0);
  bool in_range = true;
  for (int x : k) {
    in_range = in_range && x >= -3 && x < 7;
    if (x >= -3 && x < 7) ++counts[x + 3];
  }
  check.that("randi(-3, 7) in [-3, 7)", in_range);
  for (int b = 0; b < 10; ++b) check.near(run::at("randi bin", b - 3), counts[b], n / 10.0, 400, 0);

  // consecutive draws of one thread are uncorrelated
  double c = 0;
  for (int t = 0; t < threads; ++t)
    for (int j = 0; j + 1 < per; ++j) c += (u[t * per + j] - 0.5) * (u[t * per + j + 1] - 0.5);
  c /= threads * (per - 1) * (1.0 / 12.0);
  check.near("randf lag-1 correlation", c, 0.0, 0.025, 0);

  // a fixed seed gives the same numbers; another seed gives different ones
  auto again = wp::zeros<float>(n, dev);
  random_numbers::draw(threads, 42, per, again, normal, ints, ranged);
  auto u2 = run::fetch(again);
  check.that("same seed, same numbers", std::memcmp(u.data(), u2.data(), n * sizeof(float)) == 0);
  random_numbers::draw(threads, 43, per, again, normal, ints, ranged);
  auto u3 = run::fetch(again);
  int same = 0;
  for (int i = 0; i < n; ++i) same += u[i] == u3[i];
  check.that("another seed, other numbers (" + std::to_string(same) + " equal)", same < n / 100);
}

void check_streams(run::Check& check, const wp::Device& dev) {
  const int threads = 4096;
  auto out = wp::zeros<uint32_t>(threads, dev);
  random_numbers::first_values(threads, 7, out);
  auto v = run::fetch(out);
  std::set<uint32_t> distinct(v.begin(), v.end());
  check.that("threads get distinct streams (" + std::to_string(distinct.size()) + " distinct)",
             distinct.size() >= threads - 4);
  int high = 0;
  for (uint32_t x : v) high += x >> 31;
  check.near("randu high bit frequency", high / double(threads), 0.5, 0.04, 0);
}

void check_pi(run::Check& check, const wp::Device& dev) {
  const int threads = 256, samples = 4000;
  auto hits = wp::zeros<int>(1, dev);
  random_numbers::monte_carlo_pi(threads, 2024, samples, hits);
  double pi = 4.0 * run::fetch(hits)[0] / (double(threads) * samples);
  check.near("Monte-Carlo pi", pi, 3.141592653589793, 0.01, 0);
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "random_numbers", [](run::Check& check, const wp::Device& dev) {
    check_draw(check, dev);
    check_streams(check, dev);
    check_pi(check, dev);
  });
}
