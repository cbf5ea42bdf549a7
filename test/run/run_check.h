// run_check.h — the small harness every run-test driver (test/run/*_main.cpp) uses.
//
// Contract:
//  * run::main(argc, argv, name, body) parses the optional device argument (`cpu` when absent,
//    or `cuda`, `cuda:N`; anything else is a usage error, exit 2), then calls body(check, device).
//  * A CUDA device with no GPU present (wp::cuda_device_count() == 0, or the runtime built
//    without CUDA) prints "skipped: no CUDA device" and returns kSkipCode (77), which CTest
//    reports as skipped (SKIP_RETURN_CODE, see test/run/CMakeLists.txt).
//  * run::Check counts comparisons. Failures print one line each (the first 20 of them), with
//    the label, the value computed by the kernel and the value the driver expected. Integers
//    are compared exactly, floats within an absolute + relative tolerance.
//  * At the end one summary line is printed: "<name> [<device>]: <n> checks passed" or
//    "<name> [<device>]: FAILED <k> of <n> checks"; the exit code is 0 or 1. A wp::Error (or any
//    std::exception) escaping the body prints "<name> [<device>]: error: <what>" and exits 1.
//  * run::fetch(a) waits for the device (wp::synchronize) and copies the array to the host, so
//    drivers never read results before an asynchronous launch has finished.
//  * run::Rng: the drivers' seeded 64-bit LCG; uniform(lo, hi) draws a double in [lo, hi) from
//    the top 53 bits, in_box(lo, hi) a vec3 with each coordinate uniform in [lo, hi).
// The expected values are always computed by the driver itself (plain loops, closed forms),
// never taken from a previous run of the kernels.
#pragma once

#include <wp/wp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <type_traits>
#include <vector>

namespace run {

inline constexpr int kSkipCode = 77;

struct Rng {
  uint64_t s;
  double uniform(double lo, double hi) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * double(s >> 11) * 0x1.0p-53;
  }
  wp::vec3 in_box(double lo, double hi) {
    return {float(uniform(lo, hi)), float(uniform(lo, hi)), float(uniform(lo, hi))};
  }
};

class Check {
 public:
  // Exact comparison (integers, bools, exactly representable floats).
  template <class T>
  void eq(const std::string& label, T got, T want) {
    ++count_;
    if (got == want) return;
    if constexpr (std::is_floating_point_v<T>) {
      fail(label, static_cast<double>(got), static_cast<double>(want));
    } else {
      fail_int(label, static_cast<long long>(got), static_cast<long long>(want));
    }
  }
  // |got - want| <= abs_tol + rel_tol * |want|; NaN never passes.
  void near(const std::string& label, double got, double want, double abs_tol = 1e-5,
            double rel_tol = 1e-5) {
    ++count_;
    double err = std::fabs(got - want);
    if (err <= abs_tol + rel_tol * std::fabs(want)) return;
    fail(label, got, want);
  }
  // A condition the driver states in words (statistics, invariants).
  void that(const std::string& label, bool ok) {
    ++count_;
    if (ok) return;
    ++failures_;
    if (failures_ <= kMaxReported) std::printf("  mismatch: %s\n", label.c_str());
  }
  template <int N, class T>
  void near_vec(const std::string& label, const wp::vec_t<N, T>& got, const double (&want)[N],
                double abs_tol = 1e-5, double rel_tol = 1e-5) {
    for (int k = 0; k < N; ++k) {
      near(label + "[" + std::to_string(k) + "]", static_cast<double>(got[k]), want[k], abs_tol,
           rel_tol);
    }
  }
  int count() const { return count_; }
  int failures() const { return failures_; }

 private:
  static constexpr int kMaxReported = 20;
  void fail(const std::string& label, double got, double want) {
    ++failures_;
    if (failures_ <= kMaxReported) {
      std::printf("  mismatch: %s: got %.9g, expected %.9g\n", label.c_str(), got, want);
    }
  }
  void fail_int(const std::string& label, long long got, long long want) {
    ++failures_;
    if (failures_ <= kMaxReported) {
      std::printf("  mismatch: %s: got %lld, expected %lld\n", label.c_str(), got, want);
    }
  }
  int count_ = 0;
  int failures_ = 0;
};

// "label[i]" — short helper for per-element labels.
inline std::string at(const char* label, long long i) {
  return std::string(label) + "[" + std::to_string(i) + "]";
}
inline std::string at(const char* label, long long i, long long j) {
  return std::string(label) + "[" + std::to_string(i) + "," + std::to_string(j) + "]";
}

template <class T>
std::vector<T> fetch(const wp::array<T>& a) {
  wp::synchronize();
  return a.to_host();
}

// Parses the device argument; returns false (after printing why) for a usage error.
inline bool parse_device(int argc, char** argv, wp::Device& device) {
  if (argc > 2) {
    std::fprintf(stderr, "usage: %s [cpu|cuda|cuda:N]\n", argv[0]);
    return false;
  }
  try {
    device = wp::Device(argc == 2 ? argv[1] : "cpu");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return false;
  }
  return true;
}

template <class Body>
int main(int argc, char** argv, const char* name, Body&& body) {
  wp::Device device;
  if (!parse_device(argc, argv, device)) return 2;
  if (device.is_cuda() && wp::cuda_device_count() == 0) {
    std::printf("%s [%s]: skipped: no CUDA device\n", name, device.str().c_str());
    return kSkipCode;
  }
  Check check;
  try {
    body(check, device);
  } catch (const std::exception& e) {
    std::printf("%s [%s]: error: %s\n", name, device.str().c_str(), e.what());
    return 1;
  }
  if (check.failures() == 0 && check.count() > 0) {
    std::printf("%s [%s]: %d checks passed\n", name, device.str().c_str(), check.count());
    return 0;
  }
  std::printf("%s [%s]: FAILED %d of %d checks\n", name, device.str().c_str(), check.failures(),
              check.count());
  return 1;
}

}  // namespace run
