// array_from_ptr_main.cpp — run test of wp.array(ptr=…, shape=…, dtype=…) built inside kernels
// (array_from_ptr.wp): the kernels view arrays passed by address; the expected values are
// computed here.
//   run_array_from_ptr cpu | cuda:0
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "array_from_ptr.wp.h"
#include "run_check.h"

int main(int argc, char** argv) {
  const std::string dev_name = argc > 1 ? argv[1] : "cpu";
  const wp::Device dev(dev_name);
  if (dev.is_cuda() && wp::cuda_device_count() == 0) {
    std::printf("skipped: no CUDA device\n");
    return 77;
  }
  int failures = 0;
  auto expect = [&](const std::string& what, double got, double want) {
    if (got != want) {
      std::printf("FAIL %s: got %g, want %g\n", what.c_str(), got, want);
      ++failures;
    }
  };
  const int n = 7;
  std::vector<float> hx(n);
  for (int i = 0; i < n; ++i) hx[i] = 0.5f * static_cast<float>(i) - 1.0f;
  auto x = wp::from_host(hx, {n}, dev);
  auto out = wp::zeros<float>(n, dev);
  const auto address = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(x.data()));
  array_from_ptr::scale_view(n, address, n, 3.0f, out);
  const std::vector<float> o = out.to_host(), x_after = x.to_host();
  for (int i = 0; i < n; ++i) {
    expect("out[" + std::to_string(i) + "]", o[i], hx[i] * 3.0f);
    expect("x[" + std::to_string(i) + "]", x_after[i], hx[i] + 1.0f);
  }
  const int rows = 3, cols = 4;
  std::vector<wp::vec2f> hm(rows * cols);
  for (int k = 0; k < rows * cols; ++k) hm[k] = {{static_cast<float>(k), 1.0f}};
  auto m = wp::from_host(hm, {rows, cols}, dev);
  auto sums = wp::zeros<wp::vec2f>(rows, dev);
  array_from_ptr::row_sums(rows, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(m.data())), rows, cols, sums);
  const std::vector<wp::vec2f> s = sums.to_host();
  for (int r = 0; r < rows; ++r) {
    float want = 0;
    for (int c = 0; c < cols; ++c) want += static_cast<float>(r * cols + c);
    expect("row " + std::to_string(r) + " sum x", s[r].c[0], want);
    expect("row " + std::to_string(r) + " sum y", s[r].c[1], cols);
  }
  if (failures) return 1;
  std::printf("array_from_ptr on %s: OK\n", dev_name.c_str());
  return 0;
}
