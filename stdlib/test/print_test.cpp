// print_test.cpp — wp/builtins/print.h on the host: the exact text print() and printf()
// write to stdout (captured), in Warp's kernel formats.
#include "wp/builtins/print.h"

#include <gtest/gtest.h>

#include <string>

namespace {

template <typename F>
std::string captured(F f) {
  ::testing::internal::CaptureStdout();
  f();
  return ::testing::internal::GetCapturedStdout();
}

TEST(Print, Scalars) {
  EXPECT_EQ(captured([] { wp::print(int32_t{-42}); }), "-42\n");
  EXPECT_EQ(captured([] { wp::print(int8_t{-7}); }), "-7\n");
  EXPECT_EQ(captured([] { wp::print(uint8_t{200}); }), "200\n");
  EXPECT_EQ(captured([] { wp::print(uint32_t{4000000000u}); }), "4000000000\n");
  EXPECT_EQ(captured([] { wp::print(int64_t{-9000000000}); }), "-9000000000\n");
  EXPECT_EQ(captured([] { wp::print(uint64_t{18000000000000000000ull}); }), "18000000000000000000\n");
  EXPECT_EQ(captured([] { wp::print(1.5f); }), "1.5\n");
  EXPECT_EQ(captured([] { wp::print(0.1); }), "0.1\n");
  EXPECT_EQ(captured([] { wp::print(1e20f); }), "1e+20\n");
  EXPECT_EQ(captured([] { wp::print(wp::half(-2.25f)); }), "-2.25\n");
  EXPECT_EQ(captured([] { wp::print(true); }), "True\n");
  EXPECT_EQ(captured([] { wp::print(false); }), "False\n");
}

TEST(Print, Strings) {
  EXPECT_EQ(captured([] { wp::print("hello, kernel"); }), "hello, kernel\n");
  const char* s = "100%d";  // not a format
  EXPECT_EQ(captured([&] { wp::print(s); }), "100%d\n");
}

TEST(Print, Composites) {
  EXPECT_EQ(captured([] { wp::print(wp::vec3f{{1.0f, 2.5f, -3.0f}}); }), "1 2.5 -3 \n");
  EXPECT_EQ(captured([] { wp::print(wp::vec2i{{7, -8}}); }), "7 -8 \n");
  EXPECT_EQ(captured([] { wp::print(wp::quatf{0.0f, 0.0f, 0.5f, 1.0f}); }), "0 0 0.5 1\n");
  EXPECT_EQ(captured([] { wp::print(wp::mat22d{{{1, 2}, {3, 4.5}}}); }), "1 2 \n3 4.5 \n");
  EXPECT_EQ(captured([] { wp::print(wp::mat_t<2, 3, float>{{{1, 0, 0}, {0, 1, 0}}}); }), "1 0 0 \n0 1 0 \n");
  EXPECT_EQ(captured([] { wp::print(wp::transformf{{{1, 2, 3}}, {0, 0, 0, 1}}); }), "(1 2 3) (0 0 0 1)\n");
  EXPECT_EQ(captured([] {
              wp::print(wp::vec3h{{wp::half(0.5f), wp::half(1.0f), wp::half(2.0f)}});
            }),
            "0.5 1 2 \n");
}

TEST(Print, UnsupportedType) {
  struct Opaque {
    int x;
  };
  EXPECT_EQ(captured([] { wp::print(Opaque{1}); }), "<type without print implementation>\n");
}

TEST(Print, SeveralValuesOnOneLine) {
  EXPECT_EQ(captured([] { wp::print("x =", 3, 2.5f); }), "x = 3 2.5\n");
  EXPECT_EQ(captured([] { wp::print(); }), "\n");
}

TEST(Printf, ConvertsWarpScalars) {
  EXPECT_EQ(
      captured([] { wp::printf("%d %u %lld %llu\n", int16_t{-3}, uint8_t{250}, int64_t{-5}, uint64_t{6}); }),
      "-3 250 -5 6\n");
  EXPECT_EQ(captured([] { wp::printf("%f %g %.2f\n", 1.25f, 2.0, wp::half(0.75f)); }), "1.250000 2 0.75\n");
  EXPECT_EQ(captured([] { wp::printf("%d %d|%s\n", true, false, "str"); }), "1 0|str\n");
  EXPECT_EQ(captured([] { wp::printf("no arguments, 100%%\n"); }), "no arguments, 100%\n");
}

}  // namespace
