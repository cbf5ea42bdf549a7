// launch_test.cpp — wp::Dim, wp::tid_from_index and the multithreaded CPU launcher.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"
#include "wp/wp.h"

namespace {

using wp_test::error_of;

TEST(Dim, ExtentsAndSize) {
  wp::Dim d1 = 10;
  EXPECT_EQ(d1.ndim(), 1);
  EXPECT_EQ(d1.size(), 10);
  wp::Dim d4{2, 3, 4, 5};
  EXPECT_EQ(d4.ndim(), 4);
  EXPECT_EQ(d4[2], 4);
  EXPECT_EQ(d4.size(), 120);
  wp::Dim big{65536, 65536};
  EXPECT_EQ(big.size(), int64_t{1} << 32);  // int64 total
  wp::Dim from_shape = wp::Shape{3, 7};
  EXPECT_EQ(from_shape.size(), 21);
  EXPECT_EQ(wp::Dim(0).size(), 0);
}

TEST(Dim, Validation) {
  EXPECT_EQ(error_of([] { wp::Dim d{1, 2, 3, 4, 5}; }),
            "launch dimension (1, 2, 3, 4, 5) has 5 dimensions; at most 4 are supported");
  EXPECT_EQ(error_of([] { wp::Dim d{4, -2}; }),
            "launch dimension (4, -2) has a negative extent at dimension 1");
  EXPECT_EQ(error_of([] { wp::Dim d = wp::Shape(); (void)d; }),
            "launch dimension is empty; give 1 to 4 extents");
}

TEST(Tid, RowMajorLastDimensionFastest) {
  wp::Dim d2{2, 3};
  const int expect2[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}};
  for (int i = 0; i < 6; ++i) {
    wp::Tid t = wp::tid_from_index(d2, i);
    EXPECT_EQ(t[0], expect2[i][0]);
    EXPECT_EQ(t[1], expect2[i][1]);
    EXPECT_EQ(t[2], 0);
  }
  wp::Dim d3{2, 3, 4};
  wp::Tid t3 = wp::tid_from_index(d3, 1 * 12 + 2 * 4 + 3);
  EXPECT_EQ(t3[0], 1);
  EXPECT_EQ(t3[1], 2);
  EXPECT_EQ(t3[2], 3);
  wp::Dim d4{2, 3, 4, 5};
  for (int64_t i = 0; i < d4.size(); ++i) {  // inverse of the row-major flattening
    wp::Tid t = wp::tid_from_index(d4, i);
    EXPECT_EQ(((t[0] * 3 + t[1]) * 4 + t[2]) * 5 + t[3], i);
  }
  EXPECT_EQ(wp::tid_from_index(wp::Dim(9), 7)[0], 7);
}

TEST(Launch, EveryIndexExactlyOnce) {
  for (int64_t n : {0, 1, 7, 16, 17, 1000, 1000000}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    wp::launch_cpu(n, {}, [&](int64_t i) { hits[static_cast<size_t>(i)].fetch_add(1); });
    int64_t wrong = 0;
    for (auto& h : hits) wrong += h.load() != 1;
    EXPECT_EQ(wrong, 0) << "n = " << n;
  }
}

TEST(Launch, RangesCoverEveryIndexOnce) {
  for (int64_t n : {0, 1, 7, 100, 1000003}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    std::atomic<int> ranges{0};
    wp::launch_cpu_ranges(n, {}, [&](int64_t begin, int64_t end) {
      ASSERT_LT(begin, end);
      ++ranges;
      for (int64_t i = begin; i < end; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
    });
    int64_t wrong = 0;
    for (auto& h : hits) wrong += h.load() != 1;
    EXPECT_EQ(wrong, 0) << "n = " << n;
    if (n > 0 && n <= wp::kSerialLaunchThreshold) {
      EXPECT_EQ(ranges.load(), 1);
    }
  }
  EXPECT_EQ(error_of([] {
              wp::launch_cpu_ranges(100, {}, [](int64_t, int64_t) { throw std::runtime_error("x"); },
                                    "r");
            }),
            "kernel 'r': x");
}

TEST(Launch, MultiDimensionalKernelsWriteEveryElement) {
  auto a = wp::zeros<int>({3, 4, 5, 6});
  wp::array_t<int> v = a.view();
  wp::Dim dim = a.shape();
  wp::launch_cpu(dim, {}, [=](int64_t index) {
    wp::Tid t = wp::tid_from_index(dim, index);
    v(t[0], t[1], t[2], t[3]) = static_cast<int>(index);
  });
  std::vector<int> out = a.to_host();
  for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], static_cast<int>(i));
  auto b = wp::zeros<float>({40, 50});
  wp::array_t<float> bv = b.view();
  wp::Dim d2{40, 50};
  wp::launch_cpu(d2, {}, [=](int64_t index) {
    wp::Tid t = wp::tid_from_index(d2, index);
    bv(t[0], t[1]) = static_cast<float>(t[0] * 100 + t[1]);
  });
  EXPECT_EQ(b.view()(39, 49), 3949.0f);
  EXPECT_EQ(b.view()(1, 0), 100.0f);
}

// A kernel with a non-trivial body: results must match a serial loop bit for bit.
TEST(Launch, DeterministicVersusSerial) {
  const int n = 200003;
  auto x = wp::empty<float>(n);
  wp::array_t<float> xv = x.view();
  auto body = [=](int64_t i) {
    float acc = 0.0f;
    for (int k = 0; k < 20; ++k) acc += std::sin(static_cast<float>(i) * 0.001f + k);
    xv(i) = acc;
  };
  wp::launch_cpu(n, {}, body);
  std::vector<float> parallel = x.to_host();
  wp::LaunchOptions serial;
  serial.max_threads = 1;
  wp::fill(x, 0.0f);
  wp::launch_cpu(n, serial, body);
  EXPECT_EQ(parallel, x.to_host());
  std::vector<float> plain(n);
  for (int i = 0; i < n; ++i) {
    float acc = 0.0f;
    for (int k = 0; k < 20; ++k) acc += std::sin(static_cast<float>(i) * 0.001f + k);
    plain[i] = acc;
  }
  EXPECT_EQ(parallel, plain);
}

TEST(Launch, UsesSeveralThreadsForLargeLaunches) {
  if (wp::cpu_thread_count() < 2) GTEST_SKIP() << "single-threaded pool";
  // The calling thread holds its first chunk until some pool worker has run an index (or 20 s
  // pass): a pool that never hands work to its workers fails, while a loaded machine that is
  // slow to schedule the workers does not (timing alone once let the caller finish every chunk
  // before a worker woke, under ThreadSanitizer on a busy 2-core box).
  const auto caller = std::this_thread::get_id();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::atomic<bool> worker_ran{false};
  wp::launch_cpu(1 << 16, {}, [&](int64_t) {
    if (std::this_thread::get_id() != caller) {
      worker_ran.store(true);
      return;
    }
    while (!worker_ran.load() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(100));
  });
  EXPECT_TRUE(worker_ran.load()) << "no pool worker ran any index of a 65536-index launch";
  // max_threads = 1 keeps everything on the calling thread.
  wp::LaunchOptions one;
  one.max_threads = 1;
  std::atomic<int> elsewhere{0};
  wp::launch_cpu(1 << 16, one, [&](int64_t) { elsewhere += std::this_thread::get_id() != caller; });
  EXPECT_EQ(elsewhere.load(), 0);
}

TEST(Launch, ExceptionsBecomeErrorsWithKernelName) {
  for (int64_t n : {1, 100000}) {  // serial and pooled paths
    std::atomic<int64_t> ran{0};
    auto body = [&](int64_t i) {
      ++ran;
      if (i == n / 2) throw std::out_of_range("index " + std::to_string(i) + " out of range");
    };
    try {
      wp::launch_cpu(n, {}, body, "integrate");
      FAIL() << "expected wp::Error";
    } catch (const wp::Error& e) {
      EXPECT_EQ(e.kernel(), "integrate");
      EXPECT_EQ(e.cause(), "index " + std::to_string(n / 2) + " out of range");
    }
    EXPECT_GE(ran.load(), 1);
    EXPECT_LE(ran.load(), n);
  }
  EXPECT_EQ(error_of([] { wp::launch_cpu(1000, {}, [](int64_t) { throw wp::Error("bad"); }, "k"); }),
            "kernel 'k': bad");
  EXPECT_EQ(error_of([] { wp::launch_cpu(1000, {}, [](int64_t) { throw 42; }, "k"); }),
            "kernel 'k': unknown exception");
  EXPECT_EQ(error_of([] {
              wp::launch_cpu(1000, {}, [](int64_t) { throw wp::Error("inner", "other"); }, "k");
            }),
            "kernel 'other': inner");
  // The pool still works after a failure.
  std::atomic<int64_t> sum{0};
  wp::launch_cpu(1000, {}, [&](int64_t i) { sum += i; });
  EXPECT_EQ(sum.load(), 999 * 1000 / 2);
}

TEST(Launch, NestedAndConcurrentLaunches) {
  std::atomic<int64_t> total{0};
  wp::launch_cpu(64, {}, [&](int64_t) {
    wp::launch_cpu(100, {}, [&](int64_t) { ++total; });  // runs serially inside the pool
  });
  EXPECT_EQ(total.load(), 6400);
  std::atomic<int64_t> a{0}, b{0};
  std::thread other([&] {
    for (int r = 0; r < 50; ++r) wp::launch_cpu(1000, {}, [&](int64_t) { ++a; });
  });
  for (int r = 0; r < 50; ++r) wp::launch_cpu(1000, {}, [&](int64_t) { ++b; });
  other.join();
  EXPECT_EQ(a.load(), 50000);
  EXPECT_EQ(b.load(), 50000);
  wp::synchronize();  // a no-op on the CPU; must be callable
}

TEST(Launch, RejectsNonCpuDevices) {
  wp::LaunchOptions opts;
  opts.device = wp::Device("cuda:1");
  EXPECT_EQ(error_of([&] { wp::launch_cpu(4, opts, [](int64_t) {}, "saxpy"); }),
            "kernel 'saxpy': launch_cpu: cannot run on device 'cuda:1'");
}

TEST(Launch, UnsetOrCpuDeviceRunsOnTheCpu) {
  wp::LaunchOptions opts;
  EXPECT_FALSE(opts.device.has_value());  // unset by default
  int runs = 0;
  wp::launch_cpu(3, opts, [&](int64_t) { ++runs; }, "unset");
  opts.device = wp::Device::cpu();
  wp::launch_cpu(4, opts, [&](int64_t) { ++runs; }, "cpu");
  EXPECT_EQ(runs, 7);
}

TEST(Launch, ThreadCountFromEnvironment) {
  EXPECT_EQ(wp::detail::parse_thread_count(nullptr, 8), 8);
  EXPECT_EQ(wp::detail::parse_thread_count(nullptr, 0), 1);  // hardware_concurrency unknown
  EXPECT_EQ(wp::detail::parse_thread_count("3", 8), 3);
  const char* msg = "is not a positive integer (at most 6 digits)";
  EXPECT_NE(error_of([] { wp::detail::parse_thread_count("0", 8); }).find(msg), std::string::npos);
  EXPECT_EQ(error_of([] { wp::detail::parse_thread_count("two", 8); }),
            "WARPC_NUM_THREADS='two' is not a positive integer (at most 6 digits)");
  EXPECT_NE(error_of([] { wp::detail::parse_thread_count("", 8); }).find(msg), std::string::npos);
  EXPECT_NE(error_of([] { wp::detail::parse_thread_count("-4", 8); }).find(msg), std::string::npos);
  EXPECT_NE(error_of([] { wp::detail::parse_thread_count("9999999", 8); }).find(msg),
            std::string::npos);
  EXPECT_GE(wp::cpu_thread_count(), 1);
}

// CTest runs this binary a second time with WARPC_NUM_THREADS=3 (runtime/test/CMakeLists.txt).
// Without the variable the pool has one thread per hardware thread.
TEST(Launch, PoolSizeFollowsEnvironment) {
  const char* env = std::getenv("WARPC_NUM_THREADS");
  const int hw = static_cast<int>(std::thread::hardware_concurrency());
  EXPECT_EQ(wp::cpu_thread_count(), env ? std::atoi(env) : std::max(1, hw));
}

}  // namespace

namespace {

// The example at the top of docs/runtime.md, verbatim in spirit.
TEST(Launch, DocsSaxpyExample) {
  auto x = wp::from_host(std::vector<float>{1, 2, 3, 4});
  auto y = wp::zeros<float>(4);
  wp::array_t<float> xv = x.view(), yv = y.view();
  wp::launch_cpu(x.shape(), {}, [=](int64_t i) { yv(i) = 2.0f * xv(i) + yv(i); }, "saxpy");
  EXPECT_EQ(y.to_host(), (std::vector<float>{2, 4, 6, 8}));
}

}  // namespace
