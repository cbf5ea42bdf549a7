// bad_input_test.cpp — the error paths of the public wp:: entry points with bad input: malformed
// device strings, devices that do not exist, wrong shapes and ranks, null and empty arrays,
// allocations too large for the machine, streams and events used after they were destroyed or
// moved from, events that were never created, copies between mismatched devices, bad launch options and launch dimensions.
// Each must be one clear wp::Error (message checked) and leave nothing allocated: the tests run
// under LeakSanitizer in the ASan build (tools/sanitize.sh asan), and the allocation-counting
// test checks the host allocator's balance directly. Runs with or without CUDA built; paths that
// need a GPU skip when none is present (they are exercised on a GPU by the same test).
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "test_util.h"
#include "wp/wp.h"

namespace {

using wp_test::error_of;

// Contains `part` (messages are checked by their stable parts).
::testing::AssertionResult has(const std::string& msg, const std::string& part) {
  if (msg.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << msg << "' does not contain '" << part << "'";
}

bool have_gpu() { return wp::cuda_device_count() > 0; }

TEST(BadInput, MalformedDeviceStrings) {
  for (const char* spec : {"gpu", "cuda:", "cuda:-1", "cuda:x", "cpu:0", "", "cuda:99999999999"}) {
    const std::string msg = error_of([&] { wp::Device d(spec); (void)d; });
    EXPECT_NE(msg, "<no error>") << "device string '" << spec << "' was accepted";
  }
}

TEST(BadInput, MissingCudaDevice) {
  const int n = wp::cuda_device_count();
  const std::string spec = "cuda:" + std::to_string(n);  // one past the last device
  const std::string msg = error_of([&] { wp::zeros<float>({4}, wp::Device(spec)); });
  EXPECT_NE(msg, "<no error>");
  EXPECT_TRUE(has(msg, spec)) << msg;
  EXPECT_NE(error_of([&] { wp::Stream s{wp::Device(spec)}; }), "<no error>");
  EXPECT_NE(error_of([&] { wp::Event e{wp::Device(spec)}; }), "<no error>");
  EXPECT_NE(error_of([&] { wp::synchronize(wp::Device(spec)); }), "<no error>");
}

TEST(BadInput, HugeAllocationsAreErrors) {
  // Over 2^62 bytes: rejected before allocating.
  EXPECT_TRUE(has(error_of([] { wp::zeros<double>({INT_MAX, INT_MAX, INT_MAX}); }), "too large"));
  // Representable but far beyond any machine (2^31 · 2^31 · 4 bytes = 16 EiB / 2): the
  // allocator fails; a wp::Error, not std::bad_alloc.
  const std::string msg = error_of([] { wp::empty<float>({1 << 30, 1 << 30}); });
  EXPECT_NE(msg, "<no error>");
  EXPECT_TRUE(has(msg, "bytes")) << msg;
  if (have_gpu()) {
    const std::string gpu = error_of([] { wp::empty<float>({1 << 30, 1 << 28}, "cuda:0"); });
    EXPECT_TRUE(has(gpu, "cuda:0")) << gpu;
  }
  // The runtime is still usable afterwards.
  EXPECT_EQ(wp::zeros<int>({3}).size(), 3);
}

TEST(BadInput, WrongShapesAndRanks) {
  EXPECT_TRUE(has(error_of([] { wp::zeros<float>({-1}); }), "negative extent"));
  EXPECT_TRUE(has(error_of([] { wp::zeros<float>({1, 2, 3, 4, 5}); }), "at most 4"));
  EXPECT_TRUE(has(error_of([] { wp::copy(wp::zeros<float>({4}), wp::zeros<float>({5})); }), "shape mismatch"));
  EXPECT_TRUE(has(error_of([] { wp::copy(wp::zeros<float>({2, 2}), wp::zeros<float>({4})); }), "shape mismatch"));
  EXPECT_TRUE(has(error_of([] { wp::from_host(std::vector<float>(3), {2, 2}); }), "needs 4"));
}

TEST(BadInput, NullAndEmptyArrays) {
  wp::array<float> null_array;  // Warp's None
  EXPECT_EQ(null_array.size(), 0);
  EXPECT_EQ(null_array.data(), nullptr);
  EXPECT_TRUE(has(error_of([] { wp::from_host<float>(nullptr, {2}); }), "null"));
  // Copies and fills of empty arrays are no-ops; a null source into a non-empty destination
  // is a shape mismatch.
  auto empty = wp::zeros<float>({0});
  wp::copy(empty, wp::zeros<float>({0}));
  wp::fill(empty, 1.0f);
  EXPECT_TRUE(has(error_of([&] { wp::copy(wp::zeros<float>({3}), null_array); }), "shape mismatch"));
  EXPECT_EQ(empty.to_host().size(), 0u);
}

TEST(BadInput, LaunchOptionsAndDimensions) {
  wp::LaunchOptions cuda_opts;
  cuda_opts.device = wp::Device::cuda(0);
  int ran = 0;
  if (!have_gpu()) {
    // A CPU launcher asked to run on a CUDA device.
    EXPECT_TRUE(has(error_of([&] { wp::launch_cpu(4, cuda_opts, [&](int64_t) { ++ran; }, "k"); }), "kernel 'k'"));
    EXPECT_EQ(ran, 0);
  }
  EXPECT_NE(error_of([] { wp::Dim d({1, 2, 3, 4, 5}); (void)d; }), "<no error>");
  EXPECT_NE(error_of([] { wp::Dim d({-2}); (void)d; }), "<no error>");
}

TEST(BadInput, DestroyedAndMovedFromStreams) {
  wp::Stream cpu;  // the CPU stream: every operation is a no-op
  cpu.synchronize();
  wp::Event none;  // the CPU event: recording and waiting on it do nothing on the CPU
  none.record();
  none.synchronize();
  EXPECT_TRUE(none.is_complete());
  cpu.wait_event(none);
  EXPECT_TRUE(has(error_of([&] { wp::elapsed_ms(none, none); }), "CUDA events"));
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device: CUDA streams and events need one";
  wp::Stream s(wp::Device::cuda(0));
  // A CUDA stream cannot wait on an event that was never created.
  EXPECT_TRUE(has(error_of([&] { s.wait_event(none); }), "never created"));
  // An event of another device (the CPU) cannot be recorded on a CUDA stream.
  wp::Event gpu_event(wp::Device::cuda(0));
  EXPECT_NE(error_of([&] { gpu_event.record(cpu); }), "<no error>");
  wp::Stream moved = std::move(s);
  EXPECT_EQ(s.handle(), nullptr);
  // A moved-from stream refers to no CUDA stream: its operations do nothing, never crash.
  s.synchronize();
  moved.synchronize();
}

TEST(BadInput, MismatchedDevicesInCopy) {
  auto host = wp::zeros<float>({4});
  if (!have_gpu()) {
    // No GPU (with or without CUDA built): naming a CUDA device is an error before any copy.
    EXPECT_NE(error_of([&] { wp::copy(wp::zeros<float>({4}, "cuda:0"), host); }), "<no error>");
    return;
  }
  auto dev = wp::zeros<float>({4}, "cuda:0");
  wp::copy(dev, host);  // mixed devices are supported when the shapes agree
  EXPECT_TRUE(has(error_of([&] { wp::copy(wp::zeros<float>({5}, "cuda:0"), host); }), "shape mismatch"));
}

int g_live = 0;

TEST(BadInput, FailedCallsLeaveNothingAllocated) {
  wp::HostAllocator counting;
  counting.allocate = [](std::size_t bytes, std::size_t align, void*) -> void* {
    ++g_live;
    return ::operator new(bytes, std::align_val_t(align));
  };
  counting.deallocate = [](void* p, std::size_t, std::size_t align, void*) {
    --g_live;
    ::operator delete(p, std::align_val_t(align));
  };
  wp::HostAllocator previous = wp::set_host_allocator(counting);
  {
    auto a = wp::zeros<float>({8}, {}, /*requires_grad=*/true);
    EXPECT_NE(error_of([&] { wp::copy(a, wp::zeros<float>({9})); }), "<no error>");
    EXPECT_NE(error_of([] { wp::from_host(std::vector<float>(3), {2, 2}); }), "<no error>");
    EXPECT_NE(error_of([] { wp::zeros<double>({INT_MAX, INT_MAX, INT_MAX}); }), "<no error>");
    EXPECT_NE(error_of([] { wp::zeros<float>({1, 2, 3, 4, 5}); }), "<no error>");
    EXPECT_EQ(g_live, 2);  // only a's data and grad
  }
  wp::set_host_allocator(previous);
  EXPECT_EQ(g_live, 0);
}

}  // namespace
