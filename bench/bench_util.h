// bench_util.h — what the geometry benchmarks share: median timing of a synchronised body and
// raw little-endian dumps of their data for the NVIDIA Warp comparison scripts.
//
// Contract:
//  * median_ms(reps, body): warms up — body followed by wp::synchronize(), at least twice and
//    for at least 50 ms, so that a GPU has left its idle clocks before the first timed run (a
//    0.1 ms kernel timed after two warm-ups measured 1.6× slower than after a long warm-up) —
//    then times `reps` runs of body followed by wp::synchronize() (host wall clock) and returns
//    the median in milliseconds.
//  * dump(dir, name, v): writes v's bytes to dir/name (creating dir); an empty dir writes
//    nothing; an unwritable file ends the program with exit status 1.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "wp/wp.h"

namespace bench {

inline double median_ms(int reps, const std::function<void()>& body) {
  using Clock = std::chrono::steady_clock;
  const auto warm_start = Clock::now();
  for (int i = 0; i < 2 || Clock::now() - warm_start < std::chrono::milliseconds(50); ++i) {
    body();
    wp::synchronize();
  }
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    auto t0 = Clock::now();
    body();
    wp::synchronize();
    t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

template <typename T>
void dump(const std::string& dir, const std::string& name, const std::vector<T>& v) {
  if (dir.empty()) return;
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
  std::fwrite(v.data(), sizeof(T), v.size(), f);
  std::fclose(f);
}

}  // namespace bench
