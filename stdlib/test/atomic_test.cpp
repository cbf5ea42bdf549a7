// atomic_test.cpp — wp/builtins/atomic.h on the host: single-thread semantics of every op
// (old value returned, element updated, 1–4 indices, strided views, composites, bitwise CAS),
// many std::threads hammering one element (exact sums, every old value seen exactly once),
// and the adjoints of add/sub/min/max.
#include "wp/builtins/atomic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <latch>
#include <thread>
#include <vector>

#include "wp/array.h"

namespace {

constexpr int kThreads = 8;

// Runs body(t) on kThreads threads released together, so their updates overlap.
template <typename F>
void run_threads(F body) {
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      body(t);
    });
  for (std::thread& th : threads) th.join();
}

// ---- every scalar type: add / sub hammered by threads ----------------------------------------

template <typename T>
class AtomicScalar : public ::testing::Test {};

using ScalarTypes = ::testing::Types<int32_t, uint32_t, int64_t, uint64_t, float, double, wp::half, int8_t,
                                     uint8_t, int16_t, uint16_t>;
TYPED_TEST_SUITE(AtomicScalar, ScalarTypes);

// Number of increments whose running sums are all exact in T (half: integers up to 2048).
template <typename T>
constexpr int increments_per_thread() {
  if constexpr (sizeof(T) == 1) return 15;  // 120 ≤ INT8_MAX
  if constexpr (std::is_same_v<T, wp::half>) return 256;
  if constexpr (sizeof(T) == 2) return 4000;  // 32000 ≤ INT16_MAX
  return 20000;
}

template <typename T>
double as_double(T v) {
  if constexpr (std::is_same_v<T, wp::half>)
    return static_cast<double>(static_cast<float>(v));
  else
    return static_cast<double>(v);
}

TYPED_TEST(AtomicScalar, AddFromManyThreadsIsExactAndEveryOldValueIsSeenOnce) {
  using T = TypeParam;
  constexpr int n = increments_per_thread<T>();
  wp::array<T> a = wp::zeros<T>(wp::Shape{3});
  const wp::array_t<T> v = a.view();
  std::vector<std::vector<double>> olds(kThreads);
  run_threads([&](int t) {
    for (int i = 0; i < n; ++i) olds[t].push_back(as_double(wp::atomic_add(v, 1, T(1))));
  });
  const std::vector<T> h = a.to_host();
  EXPECT_EQ(as_double(h[1]), double(kThreads * n));
  EXPECT_EQ(as_double(h[0]), 0.0);
  EXPECT_EQ(as_double(h[2]), 0.0);
  std::vector<double> all;
  for (auto& o : olds) all.insert(all.end(), o.begin(), o.end());
  std::sort(all.begin(), all.end());
  for (int k = 0; k < kThreads * n; ++k) ASSERT_EQ(all[k], double(k)) << "old value " << k;
}

TYPED_TEST(AtomicScalar, SubFromManyThreadsIsExact) {
  using T = TypeParam;
  constexpr int n = increments_per_thread<T>();
  wp::array<T> a = wp::full<T>(wp::Shape{2, 2}, T(kThreads * n));
  const wp::array_t<T> v = a.view();
  run_threads([&](int) {
    for (int i = 0; i < n; ++i) wp::atomic_sub(v, 1, 0, T(1));
  });
  const std::vector<T> h = a.to_host();
  EXPECT_EQ(as_double(h[2]), 0.0);
  EXPECT_EQ(as_double(h[0]), double(kThreads * n));
}

TYPED_TEST(AtomicScalar, MinMaxFromManyThreadsFindTheExtremes) {
  using T = TypeParam;
  wp::array<T> a = wp::full<T>(wp::Shape{2}, T(50));
  const wp::array_t<T> v = a.view();
  run_threads([&](int t) {
    for (int i = 0; i < 60; ++i) {
      const int x = (i * 7 + t * 13) % 100 + (std::is_signed_v<T> || std::is_floating_point_v<T> ? -20 : 1);
      wp::atomic_min(v, 0, T(x));
      wp::atomic_max(v, 1, T(x));
    }
  });
  int lo = 1000, hi = -1000;
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < 60; ++i) {
      const int x = (i * 7 + t * 13) % 100 + (std::is_signed_v<T> || std::is_floating_point_v<T> ? -20 : 1);
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  const std::vector<T> h = a.to_host();
  EXPECT_EQ(as_double(h[0]), double(std::min(lo, 50)));
  EXPECT_EQ(as_double(h[1]), double(std::max(hi, 50)));
}

TYPED_TEST(AtomicScalar, ExchangeAndCasReturnTheOldValue) {
  using T = TypeParam;
  wp::array<T> a = wp::full<T>(wp::Shape{2}, T(7));
  const wp::array_t<T> v = a.view();
  EXPECT_EQ(wp::atomic_exch(v, 1, T(9)), T(7));
  EXPECT_EQ(wp::atomic_cas(v, 1, T(8), T(3)), T(9));  // no match: unchanged
  EXPECT_EQ(a.to_host()[1], T(9));
  EXPECT_EQ(wp::atomic_cas(v, 1, T(9), T(3)), T(9));  // match: swapped
  EXPECT_EQ(a.to_host()[1], T(3));
  EXPECT_EQ(a.to_host()[0], T(7));
}

// ---- integer bit ops ---------------------------------------------------------------------------

template <typename T>
class AtomicInteger : public ::testing::Test {};
using IntegerTypes = ::testing::Types<int32_t, uint32_t, int64_t, uint64_t, int8_t, uint16_t>;
TYPED_TEST_SUITE(AtomicInteger, IntegerTypes);

TYPED_TEST(AtomicInteger, BitOpsFromManyThreads) {
  using T = TypeParam;
  constexpr int bits = std::min<int>(8 * sizeof(T), 64);
  wp::array<T> a = wp::zeros<T>(wp::Shape{3});
  wp::fill(a, T(0));
  const wp::array_t<T> v = a.view();
  wp::atomic_exch(v, 1, static_cast<T>(~T(0)));  // all ones
  run_threads([&](int t) {
    for (int b = t; b < bits; b += kThreads) {
      const T bit = static_cast<T>(T(1) << b);
      wp::atomic_or(v, 0, bit);                    // sets every bit once
      wp::atomic_and(v, 1, static_cast<T>(~bit));  // clears every bit once
      wp::atomic_xor(v, 2, bit);                   // toggles twice → 0
      wp::atomic_xor(v, 2, bit);
    }
  });
  const std::vector<T> h = a.to_host();
  EXPECT_EQ(h[0], static_cast<T>(~T(0)));
  EXPECT_EQ(h[1], T(0));
  EXPECT_EQ(h[2], T(0));
  EXPECT_EQ(wp::atomic_xor(v, 2, T(5)), T(0));
  EXPECT_EQ(wp::atomic_and(v, 2, T(4)), T(5));
  EXPECT_EQ(wp::atomic_or(v, 2, T(3)), T(4));
  EXPECT_EQ(a.to_host()[2], T(7));
}

TEST(Atomic, CasLoopCounterFromManyThreads) {
  wp::array<int64_t> a = wp::zeros<int64_t>(wp::Shape{1});
  const wp::array_t<int64_t> v = a.view();
  run_threads([&](int) {
    for (int i = 0; i < 5000; ++i) {
      int64_t seen = 0;  // a first guess; the loop corrects it
      for (;;) {
        const int64_t old = wp::atomic_cas(v, 0, seen, seen + 1);
        if (old == seen) break;
        seen = old;
      }
    }
  });
  EXPECT_EQ(a.to_host()[0], int64_t{kThreads} * 5000);
}

TEST(Atomic, ExchangeFromManyThreadsLosesNoValue) {
  wp::array<uint32_t> a = wp::zeros<uint32_t>(wp::Shape{1});
  const wp::array_t<uint32_t> v = a.view();
  std::vector<std::vector<uint32_t>> olds(kThreads);
  run_threads([&](int t) {
    for (uint32_t i = 1; i <= 1000; ++i) olds[t].push_back(wp::atomic_exch(v, 0, t * 1000u + i));
  });
  std::vector<uint32_t> all{a.to_host()[0]};
  for (auto& o : olds) all.insert(all.end(), o.begin(), o.end());
  std::sort(all.begin(), all.end());
  for (uint32_t k = 0; k <= kThreads * 1000u; ++k) ASSERT_EQ(all[k], k);  // initial 0 and every value
}

TEST(Atomic, FloatCasComparesBits) {
  wp::array<float> a = wp::full<float>(wp::Shape{1}, -0.0f);
  const wp::array_t<float> v = a.view();
  EXPECT_EQ(wp::atomic_cas(v, 0, 0.0f, 1.0f), -0.0f);  // +0 does not match -0
  EXPECT_TRUE(std::signbit(a.to_host()[0]));
  EXPECT_EQ(wp::atomic_cas(v, 0, -0.0f, 1.0f), 0.0f);
  EXPECT_EQ(a.to_host()[0], 1.0f);
}

TEST(Atomic, HalfCas) {
  wp::array<wp::half> a = wp::full<wp::half>(wp::Shape{2}, wp::half(2.5f));
  const wp::array_t<wp::half> v = a.view();
  EXPECT_EQ(float(wp::atomic_cas(v, 1, wp::half(2.5f), wp::half(-1.0f))), 2.5f);
  EXPECT_EQ(float(a.to_host()[1]), -1.0f);
  EXPECT_EQ(float(a.to_host()[0]), 2.5f);
}

TEST(Atomic, FloatAddSubAreRounded) {
  wp::array<float> a = wp::full<float>(wp::Shape{1}, 1.0f);
  const wp::array_t<float> v = a.view();
  EXPECT_EQ(wp::atomic_add(v, 0, 1e-8f), 1.0f);
  EXPECT_EQ(a.to_host()[0], 1.0f + 1e-8f);  // rounds back to 1
  EXPECT_EQ(wp::atomic_sub(v, 0, 0.25f), 1.0f);
  EXPECT_EQ(a.to_host()[0], 0.75f);
}

TEST(Atomic, MinMaxIgnoreNaNValues) {
  wp::array<float> a = wp::full<float>(wp::Shape{1}, 3.0f);
  const wp::array_t<float> v = a.view();
  EXPECT_EQ(wp::atomic_min(v, 0, NAN), 3.0f);
  EXPECT_EQ(wp::atomic_max(v, 0, NAN), 3.0f);
  EXPECT_EQ(a.to_host()[0], 3.0f);
}

// ---- indices and layouts -----------------------------------------------------------------------

TEST(Atomic, OneToFourIndicesHitExactlyTheirElement) {
  wp::array<int32_t> a2 = wp::zeros<int32_t>(wp::Shape{3, 4});
  EXPECT_EQ(wp::atomic_add(a2.view(), 2, 1, 5), 0);
  wp::array<int32_t> a3 = wp::zeros<int32_t>(wp::Shape{2, 3, 4});
  EXPECT_EQ(wp::atomic_add(a3.view(), 1, 2, 3, 6), 0);
  wp::array<int32_t> a4 = wp::zeros<int32_t>(wp::Shape{2, 2, 3, 2});
  EXPECT_EQ(wp::atomic_max(a4.view(), int64_t{1}, 0, 2, uint8_t{1}, 7), 0);
  EXPECT_EQ(wp::atomic_cas(a4.view(), 1, 0, 2, 1, 7, 8), 7);
  EXPECT_EQ(wp::atomic_cas(a3.view(), 1, 2, 3, 6, 9), 6);
  EXPECT_EQ(wp::atomic_cas(a2.view(), 2, 1, 5, 4), 5);
  auto only = [](const std::vector<int32_t>& h, size_t at, int32_t value) {
    for (size_t k = 0; k < h.size(); ++k) EXPECT_EQ(h[k], k == at ? value : 0) << "element " << k;
  };
  only(a2.to_host(), 2 * 4 + 1, 4);
  only(a3.to_host(), (1 * 3 + 2) * 4 + 3, 9);
  only(a4.to_host(), ((1 * 2 + 0) * 3 + 2) * 2 + 1, 8);
}

TEST(Atomic, StridedViews) {
  std::vector<double> buffer(12, 0.0);
  wp::array<double> column(buffer.data() + 1, wp::Shape{4}, wp::Strides{3 * sizeof(double)});
  for (int i = 0; i < 4; ++i) wp::atomic_add(column.view(), i, double(i + 1));
  EXPECT_EQ(buffer, (std::vector<double>{0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0}));
}

// ---- composites ----------------------------------------------------------------------------------

TEST(AtomicComposite, VectorAddFromManyThreads) {
  wp::array<wp::vec3f> a = wp::zeros<wp::vec3f>(wp::Shape{2});
  const wp::array_t<wp::vec3f> v = a.view();
  run_threads([&](int) {
    for (int i = 0; i < 1000; ++i) wp::atomic_add(v, 1, wp::vec3f{{1.0f, 2.0f, -0.5f}});
  });
  EXPECT_EQ(a.to_host()[1], (wp::vec3f{{8000.0f, 16000.0f, -4000.0f}}));
  EXPECT_EQ(a.to_host()[0], (wp::vec3f{}));
}

TEST(AtomicComposite, ComponentWiseOpsReturnTheOldComposite) {
  wp::array<wp::mat22d> m = wp::full<wp::mat22d>(wp::Shape{1}, wp::mat22d{{{1, 5}, {-2, 8}}});
  EXPECT_EQ(wp::atomic_min(m.view(), 0, wp::mat22d{{{0, 6}, {-3, 8}}}), (wp::mat22d{{{1, 5}, {-2, 8}}}));
  EXPECT_EQ(m.to_host()[0], (wp::mat22d{{{0, 5}, {-3, 8}}}));
  EXPECT_EQ(wp::atomic_max(m.view(), 0, wp::mat22d{{{4, 4}, {4, 4}}}), (wp::mat22d{{{0, 5}, {-3, 8}}}));
  EXPECT_EQ(m.to_host()[0], (wp::mat22d{{{4, 5}, {4, 8}}}));

  wp::array<wp::quatf> q = wp::zeros<wp::quatf>(wp::Shape{1});
  wp::atomic_add(q.view(), 0, wp::quatf{1, 2, 3, 4});
  EXPECT_EQ(wp::atomic_sub(q.view(), 0, wp::quatf{1, 1, 1, 1}), (wp::quatf{1, 2, 3, 4}));
  EXPECT_EQ(q.to_host()[0], (wp::quatf{0, 1, 2, 3}));

  wp::array<wp::transformf> t = wp::zeros<wp::transformf>(wp::Shape{1});
  const wp::transformf d{{{1, 2, 3}}, {4, 5, 6, 7}};
  wp::atomic_add(t.view(), 0, d);
  EXPECT_EQ(wp::atomic_add(t.view(), 0, d), d);
  EXPECT_EQ(t.to_host()[0], (wp::transformf{{{2, 4, 6}}, {8, 10, 12, 14}}));

  wp::array<wp::vec3i> b = wp::full<wp::vec3i>(wp::Shape{1}, wp::vec3i{{12, 10, 6}});
  EXPECT_EQ(wp::atomic_and(b.view(), 0, wp::vec3i{{4, 2, 7}}), (wp::vec3i{{12, 10, 6}}));
  EXPECT_EQ(b.to_host()[0], (wp::vec3i{{4, 2, 6}}));

  wp::array<wp::vec2h> h = wp::zeros<wp::vec2h>(wp::Shape{1});
  wp::atomic_add(h.view(), 0, wp::vec2h{{wp::half(1.5f), wp::half(-2.0f)}});
  EXPECT_EQ(float(h.to_host()[0].c[0]), 1.5f);
  EXPECT_EQ(float(h.to_host()[0].c[1]), -2.0f);
}

// ---- adjoints --------------------------------------------------------------------------------------

TEST(AtomicAdjoint, AddAndSubReadTheGradientAtTheIndex) {
  wp::array<float> arr = wp::zeros<float>(wp::Shape{3}, wp::Device(), /*requires_grad=*/true);
  wp::fill(arr.grad_array(), 0.0f);
  arr.grad_array().view()(1) = 2.5f;
  wp::array<float> adj = wp::zeros<float>(wp::Shape{3});
  adj.view()(1) = 7.0f;
  const wp::array_t<float> none{};
  int32_t adj_i = 0;
  float adj_value = 1.0f;
  // adj_arr with data wins over arr.grad
  wp::adj_atomic_add(arr.view(), 1, 3.0f, adj.view(), adj_i, adj_value, 0.0f);
  EXPECT_EQ(adj_value, 8.0f);
  // no adj_arr: arr.grad
  wp::adj_atomic_add(arr.view(), 1, 3.0f, none, adj_i, adj_value, 0.0f);
  EXPECT_EQ(adj_value, 10.5f);
  wp::adj_atomic_sub(arr.view(), 1, 3.0f, none, adj_i, adj_value, 0.0f);
  EXPECT_EQ(adj_value, 8.0f);
  // neither: nothing
  wp::array<float> plain = wp::zeros<float>(wp::Shape{3});
  wp::adj_atomic_add(plain.view(), 1, 3.0f, none, adj_i, adj_value, 0.0f);
  EXPECT_EQ(adj_value, 8.0f);
  EXPECT_EQ(adj_i, 0);
}

TEST(AtomicAdjoint, MultiIndexAndComposite) {
  wp::array<wp::vec2f> adj = wp::zeros<wp::vec2f>(wp::Shape{2, 2, 2, 2});
  adj.view()(1, 0, 1, 1) = wp::vec2f{{1.0f, -2.0f}};
  wp::array<wp::vec2f> arr = wp::zeros<wp::vec2f>(wp::Shape{2, 2, 2, 2});
  int32_t ai = 0, aj = 0, ak = 0, al = 0;
  wp::vec2f adj_value{{0.5f, 0.5f}};
  wp::adj_atomic_sub(arr.view(), 1, 0, 1, 1, wp::vec2f{}, adj.view(), ai, aj, ak, al, adj_value, wp::vec2f{});
  EXPECT_EQ(adj_value, (wp::vec2f{{-0.5f, 2.5f}}));
}

TEST(AtomicAdjoint, MinMaxPassTheGradientWhereTheValueWon) {
  wp::array<wp::vec3f> arr = wp::full<wp::vec3f>(wp::Shape{2, 1}, wp::vec3f{{1.0f, 5.0f, 2.0f}});
  wp::array<wp::vec3f> adj = wp::full<wp::vec3f>(wp::Shape{2, 1}, wp::vec3f{{10.0f, 20.0f, 30.0f}});
  int32_t ai = 0, aj = 0;
  wp::vec3f adj_value{};
  // value (1, 4, 2) lost in y (stored 5): gradient reaches x and z only.
  wp::adj_atomic_max(arr.view(), 1, 0, wp::vec3f{{1.0f, 4.0f, 2.0f}}, adj.view(), ai, aj, adj_value,
                     wp::vec3f{});
  EXPECT_EQ(adj_value, (wp::vec3f{{10.0f, 0.0f, 30.0f}}));
  float adj_s = 0;
  wp::array<float> s = wp::full<float>(wp::Shape{1}, 3.0f);
  wp::array<float> sg = wp::full<float>(wp::Shape{1}, 4.0f);
  wp::adj_atomic_min(s.view(), 0, 3.0f, sg.view(), ai, adj_s, 0.0f);
  wp::adj_atomic_min(s.view(), 0, 5.0f, sg.view(), ai, adj_s, 0.0f);
  EXPECT_EQ(adj_s, 4.0f);
}

}  // namespace
