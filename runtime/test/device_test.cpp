// device_test.cpp — wp::Device parsing/printing and wp::Error composition.
#include <gtest/gtest.h>

#include <string>

#include "wp/device.h"
#include "wp/error.h"

namespace {

std::string parse_error(const char* spec) {
  try {
    wp::Device d(spec);
  } catch (const wp::Error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(Device, DefaultIsCpu) {
  wp::Device d;
  EXPECT_TRUE(d.is_cpu());
  EXPECT_FALSE(d.is_cuda());
  EXPECT_EQ(d.ordinal(), -1);
  EXPECT_EQ(d.str(), "cpu");
}

TEST(Device, ParsesCpuAndCuda) {
  EXPECT_TRUE(wp::Device("cpu").is_cpu());
  wp::Device c("cuda");
  EXPECT_TRUE(c.is_cuda());
  EXPECT_EQ(c.ordinal(), 0);
  EXPECT_EQ(c.str(), "cuda:0");
  wp::Device c3(std::string("cuda:3"));
  EXPECT_EQ(c3.ordinal(), 3);
  EXPECT_EQ(c3.str(), "cuda:3");
  EXPECT_EQ(wp::Device("cuda:12").ordinal(), 12);
}

TEST(Device, Equality) {
  EXPECT_EQ(wp::Device("cuda"), wp::Device("cuda:0"));
  EXPECT_EQ(wp::Device::cuda(2), wp::Device("cuda:2"));
  EXPECT_FALSE(wp::Device("cuda:1") == wp::Device("cuda:0"));
  EXPECT_FALSE(wp::Device("cpu") == wp::Device("cuda:0"));
  EXPECT_EQ(wp::Device::cpu(), wp::Device());
}

TEST(Device, RejectsBadStrings) {
  EXPECT_EQ(parse_error("gpu"),
            "invalid device 'gpu': unknown device kind; expected \"cpu\", \"cuda\" or "
            "\"cuda:N\" with N a non-negative integer");
  EXPECT_NE(parse_error("").find("invalid device '': unknown device kind"), std::string::npos);
  EXPECT_NE(parse_error("CPU").find("invalid device 'CPU'"), std::string::npos);
  EXPECT_NE(parse_error("cuda:").find("missing device ordinal after 'cuda:'"), std::string::npos);
  EXPECT_NE(parse_error("cuda:-1").find("device ordinal is not a non-negative integer"),
            std::string::npos);
  EXPECT_NE(parse_error("cuda:1x").find("device ordinal is not a non-negative integer"),
            std::string::npos);
  EXPECT_NE(parse_error("cuda: 1").find("not a non-negative integer"), std::string::npos);
  EXPECT_NE(parse_error("cuda:99999999999").find("device ordinal is too large"),
            std::string::npos);
  EXPECT_NE(parse_error("cuda0").find("unknown device kind"), std::string::npos);
}

TEST(Device, RejectsNegativeOrdinal) {
  try {
    wp::Device::cuda(-2);
    FAIL() << "expected wp::Error";
  } catch (const wp::Error& e) {
    EXPECT_STREQ(e.what(), "invalid CUDA device ordinal -2: it must be non-negative");
  }
}

TEST(Error, ComposesKernelAndCause) {
  wp::Error plain("out of memory");
  EXPECT_STREQ(plain.what(), "out of memory");
  EXPECT_EQ(plain.kernel(), "");
  wp::Error k("index out of range", "integrate");
  EXPECT_STREQ(k.what(), "kernel 'integrate': index out of range");
  EXPECT_EQ(k.kernel(), "integrate");
  EXPECT_EQ(k.cause(), "index out of range");
  const std::runtime_error& base = k;  // a std::runtime_error for generic handlers
  EXPECT_NE(std::string(base.what()).find("integrate"), std::string::npos);
}

}  // namespace
