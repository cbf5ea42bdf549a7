// main.cpp — the consumer program: runs a scale kernel written by hand against the wp::
// runtime (the generated launcher replaces it once warpc emits code) and prints a checkable line.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "wp/wp.h"

int main() {
  const int n = 1000;
  wp::array<float> x = wp::zeros<float>({n});
  wp::array<float> y = wp::zeros<float>({n});
  wp::array_t<float> xv = x.view(), yv = y.view();  // what kernels receive
  wp::launch_cpu(n, {}, [=](int64_t i) { xv(i) = static_cast<float>(i); }, "iota");
  wp::launch_cpu(n, {}, [=](int64_t i) { yv(i) = 2.0f * xv(i); }, "scale");
  double sum = 0.0;
  for (float v : y.to_host()) sum += v;
  const double expected = 2.0 * (n - 1) * n / 2.0;
  std::printf("consumer: sum=%.1f expected=%.1f\n", sum, expected);
  return sum == expected ? 0 : 1;
}
