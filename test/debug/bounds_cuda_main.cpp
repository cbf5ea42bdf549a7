// bounds_cuda_main.cpp — the DEBUG bounds check in CUDA code: launches bounds.wp's
// load_shifted on cuda:0 with an index one past the end. The device prints
// "…bounds.wp:15: array index out of bounds in kernel 'load_shifted': x[8] but the array has
// shape (8,)" and traps; the failure surfaces at wp::synchronize(), which this program reports
// as "trapped: <error>" (exit 0; CTest also matches the device's line). Exit 1 when nothing
// trapped, 77 without a GPU.
#include <cstdio>

#include "bounds.wp.h"

int main() {
  if (wp::cuda_device_count() == 0) {
    std::printf("skipped: no CUDA device\n");
    return 77;
  }
  const wp::Device gpu("cuda:0");
  auto x = wp::zeros<float>(8, wp::on(gpu));
  auto y = wp::zeros<float>(8, wp::on(gpu));
  try {
    bounds::load_shifted(8, x, y, 1);
    wp::synchronize();
  } catch (const wp::Error& e) {
    std::fflush(stdout);
    std::printf("trapped: %s\n", e.what());
    return 0;
  }
  std::printf("no trap: the out-of-bounds load was not detected\n");
  return 1;
}
