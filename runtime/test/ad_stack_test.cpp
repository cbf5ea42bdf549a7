// ad_stack_test.cpp — wp/ad_stack.h and wp/ad_spill.h: the per-thread stack of loop-carried
// values used by backward kernels (LIFO across the thread-local / spill boundary, all-or-nothing
// pushes when full) and the spill buffer a backward launcher allocates.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "wp/wp.h"

namespace {

TEST(AdStack, LifoAcrossLocalAndSpill) {
  unsigned char local[10];
  std::vector<unsigned char> spill_memory(64 * 3);
  wp::AdSpill spill{spill_memory.data(), 64, 64, 4};  // contiguous: 64 bytes per thread
  wp::AdStack s;
  const uint64_t h = wp::ad_stack_open(s, local, sizeof(local), spill, 2);  // thread 2's slice
  EXPECT_EQ(s.spill, spill_memory.data() + 128);
  const wp::vec3 v{{1.5f, -2.0f, 3.25f}};
  // 4 + 12 + 8 bytes: the vec3 straddles the 10 local bytes and the spill slice.
  EXPECT_EQ(wp::ad_push(h, 7, v), 1);
  EXPECT_EQ(wp::ad_push(h, 2.5), 1);
  EXPECT_EQ(s.top, 24);
  EXPECT_EQ(wp::ad_pop(h, 0.0), 2.5);
  const wp::vec3 back = wp::ad_pop(h, wp::vec3{});
  EXPECT_EQ(back[0], 1.5f);
  EXPECT_EQ(back[1], -2.0f);
  EXPECT_EQ(back[2], 3.25f);
  EXPECT_EQ(wp::ad_pop(h, 0), 7);
  EXPECT_EQ(s.top, 0);
}

// Interleaved spill (CUDA's layout): word w of thread i at base + 4·i + w·4·threads. Three
// threads fill their stacks with values of odd sizes that straddle words; none overwrites
// another's, and each pops its own back.
TEST(AdStack, InterleavedThreadsDoNotOverlap) {
  constexpr int kThreads = 3;
  std::vector<unsigned char> memory(kThreads * 32, 0xAB);
  const wp::AdSpill spill{memory.data(), 32, 4, 4 * kThreads};
  unsigned char local[kThreads][3];
  wp::AdStack s[kThreads];
  uint64_t h[kThreads];
  for (int i = 0; i < kThreads; ++i) h[i] = wp::ad_stack_open(s[i], local[i], 3, spill, i);
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(wp::ad_push(h[i], static_cast<int8_t>(10 + i), static_cast<int16_t>(-300 - i)), 1);
    EXPECT_EQ(wp::ad_push(h[i], 1.0 / (i + 1), wp::vec3{{float(i), 2.0f, 3.0f}}), 1);  // 8 + 12 bytes
    EXPECT_EQ(wp::ad_push(h[i], wp::vec3d{}), 0);  // 23 + 24 > 3 + 32: full, nothing stored
  }
  for (int i = kThreads - 1; i >= 0; --i) {
    const wp::vec3 v = wp::ad_pop(h[i], wp::vec3{});
    EXPECT_EQ(v[0], float(i));
    EXPECT_EQ(v[2], 3.0f);
    EXPECT_EQ(wp::ad_pop(h[i], 0.0), 1.0 / (i + 1));
    EXPECT_EQ(wp::ad_pop(h[i], int16_t{}), -300 - i);
    EXPECT_EQ(wp::ad_pop(h[i], int8_t{}), 10 + i);
  }
}

TEST(AdStack, FullStackStoresNothing) {
  unsigned char local[8];
  wp::AdStack s;
  const uint64_t h = wp::ad_stack_open(s, local, sizeof(local), wp::AdSpill{}, 0);
  EXPECT_EQ(wp::ad_push(h, 1.0f), 1);
  EXPECT_EQ(wp::ad_push(h, 2.0f, 3.0f), 0);  // 8 more bytes do not fit: none stored
  EXPECT_EQ(s.top, 4);
  EXPECT_EQ(wp::ad_push(h, 4.0f), 1);
  EXPECT_EQ(wp::ad_pop(h, 0.0f), 4.0f);
  EXPECT_EQ(wp::ad_pop(h, 0.0f), 1.0f);
}

TEST(AdSpill, SizedFromMaxLoopTrips) {
  std::shared_ptr<void> keep;
  wp::LaunchOptions o;
  o.max_loop_trips = 100;
  // 100 trips of 8 bytes, less 64 local bytes: 736 per thread (a multiple of 16).
  wp::AdSpill s = wp::detail::ad_spill_for(10, 8, 64, o, wp::Device(), keep);
  EXPECT_EQ(s.bytes_per_thread, 736);
  ASSERT_NE(s.base, nullptr);
  EXPECT_EQ(s.base, keep.get());
  EXPECT_EQ(s.thread_step, 736);  // the CPU: contiguous per thread
  EXPECT_EQ(s.word_step, 4);
  s = wp::detail::ad_spill_for(10, 8, 64, o, wp::Device(), keep, /*interleave=*/1);
  EXPECT_EQ(s.thread_step, 4);
  EXPECT_EQ(s.word_step, 40);
  o.max_loop_trips = 8;  // fits in the local part: no spill buffer
  keep.reset();
  s = wp::detail::ad_spill_for(10, 8, 64, o, wp::Device(), keep);
  EXPECT_EQ(s.base, nullptr);
  EXPECT_EQ(s.bytes_per_thread, 0);
  EXPECT_EQ(keep, nullptr);
  o.max_loop_trips = -1;  // none
  EXPECT_EQ(wp::detail::ad_spill_for(10, 8, 64, o, wp::Device(), keep).base, nullptr);
}

TEST(AdSpill, AutomaticIsBoundedPerLaunch) {
  std::shared_ptr<void> keep;
  const wp::LaunchOptions o;  // max_loop_trips = 0
  // Few threads: 65,536 trips each.
  wp::AdSpill s = wp::detail::ad_spill_for(4, 4, 0, o, wp::Device(), keep);
  EXPECT_EQ(s.bytes_per_thread, wp::kAdAutoLoopTrips * 4);
  // Many threads: the 256 MiB budget divided among them.
  keep.reset();
  s = wp::detail::ad_spill_for(int64_t{1} << 20, 4, 0, o, wp::Device(), keep);
  EXPECT_EQ(s.bytes_per_thread, wp::kAdAutoSpillBudget / (int64_t{1} << 20));
}

}  // namespace
