// control_flow_main.cpp — driver of control_flow.wp: launches each kernel on the chosen device
// and compares every output with values computed here by plain C++ loops (exact for integers).
#include "control_flow.wp.h"
#include "run_check.h"

namespace {

int classify(int x) {
  if (x < 0) return -1;
  if (x == 0) return 0;
  if (x < 10) return 1;
  if (x < 100) return 2;
  return 3;
}

int collatz_steps(int n) {
  int steps = 0;
  for (int x = n; x != 1; ++steps) x = (x % 2 == 0) ? x / 2 : 3 * x + 1;
  return steps;
}

int first_multiple(int start, int stop, int m) {
  for (int k = start; k < stop; ++k)
    if (k % m == 0) return k;
  return -1;
}

// The eight values kernel `loops` writes for thread i.
std::vector<int> expected_loops(int i, int n, int step) {
  std::vector<int> r(8, 0);
  for (int k = i; k < n; k += step) r[0] += k;
  for (int k = n; k > i; k -= step) r[1] += k;
  for (int k = i + 2, pos = 1; k >= 0; --k, ++pos) r[2] += k * pos;
  for (int k = 0; k < 100; ++k) {
    if (k % 3 == 0) continue;
    if (k > 40 + i) break;
    r[3] += k;
  }
  int x = i + 1, cnt = 0;
  while (x < 1000 && cnt < 20) x *= 2, ++cnt;
  r[4] = cnt * 10000 + x;
  for (int a = 0; a <= i; ++a) r[5] += std::min(a + 1, n);
  for (int k = 0; k < 4; ++k) r[6] = r[6] * 10 + (i + k) % 10;
  r[7] = collatz_steps(i + 1) * 1000 + first_multiple(i, i + 20, 7);
  return r;
}

void check_branches(run::Check& check, const wp::Device& dev) {
  std::vector<int> values;
  for (int v = -150; v <= 150; v += 7) values.push_back(v);
  values.insert(values.end(), {0, 9, 10, 99, 100, -1, 1});
  int n = static_cast<int>(values.size());
  auto in = wp::from_host(values, dev);
  auto classes = wp::zeros<int>(n, dev);
  auto clipped = wp::zeros<float>(n, dev);
  control_flow::branches(n, in, classes, clipped);
  auto c = run::fetch(classes);
  auto g = run::fetch(clipped);
  for (int i = 0; i < n; ++i) {
    float f = static_cast<float>(values[i]);
    float want = f > 50.0f ? 50.0f : (f < -50.0f ? -50.0f : f * 0.5f);
    check.eq(run::at("classify", values[i]), c[i], classify(values[i]));
    check.eq(run::at("clipped", values[i]), g[i], want);
  }
}

void check_loops(run::Check& check, const wp::Device& dev) {
  const int threads = 64, n = 50, step = 3;
  auto out = wp::full<int>(threads * 8, -7, dev);
  control_flow::loops(threads, n, step, out);
  auto got = run::fetch(out);
  const char* names[8] = {"range(i,n,step)", "range(n,i,-step)", "reversed", "break/continue",
                          "while", "nested", "static", "funcs"};
  for (int i = 0; i < threads; ++i) {
    std::vector<int> want = expected_loops(i, n, step);
    for (int k = 0; k < 8; ++k) check.eq(run::at(names[k], i), got[i * 8 + k], want[k]);
  }
}

void check_conditions(run::Check& check, const wp::Device& dev) {
  std::vector<float> a = {-2.0f, -0.5f, 0.0f, 0.5f, 0.99f, 1.0f, 3.0f, -3.0f, 0.25f};
  std::vector<float> b = {1.0f, -0.5f, 0.0f, -1.0f, 2.0f, 1.0f, -3.0f, -4.0f, 0.5f};
  int n = static_cast<int>(a.size());
  auto da = wp::from_host(a, dev);
  auto db = wp::from_host(b, dev);
  auto out = wp::zeros<int>(n, dev);
  control_flow::conditions(n, da, db, out);
  auto got = run::fetch(out);
  for (int i = 0; i < n; ++i) {
    float x = a[i], y = b[i];
    int r = 0;
    if (x > 0 && y > 0) r += 1;
    if (x > 0 || y > 0) r += 10;
    if (!(x > y)) r += 100;
    if (-1.0f < x && x < 1.0f) r += 1000;
    r += x > y ? 10000 : 20000;
    check.eq(run::at("conditions", i), got[i], r);
  }
}

void check_while_break(run::Check& check, const wp::Device& dev) {
  std::vector<int> limits;
  for (int v = 0; v < 300; v += 13) limits.push_back(v);
  limits.insert(limits.end(), {1, 4, 16, 17, 1024});
  int n = static_cast<int>(limits.size());
  auto dl = wp::from_host(limits, dev);
  auto out = wp::zeros<int>(n, dev);
  control_flow::while_break(n, dl, out);
  auto got = run::fetch(out);
  for (int i = 0; i < n; ++i) {
    int k = 0;
    while (k * k < limits[i]) ++k;
    check.eq(run::at("isqrt_ceil", limits[i]), got[i], k);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "control_flow", [](run::Check& check, const wp::Device& dev) {
    check_branches(check, dev);
    check_loops(check, dev);
    check_conditions(check, dev);
    check_while_break(check, dev);
  });
}
