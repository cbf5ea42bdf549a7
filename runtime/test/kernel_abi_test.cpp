// kernel_abi_test.cpp — wp/kernel_abi.h: launch-device inference, array-argument checks and
// launch-dimension checks, with the exact messages users see. No GPU needed: CUDA arrays
// are non-owning wraps of a fake (never dereferenced) device pointer.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "test_util.h"
#include "wp/wp.h"

namespace {

using wp_test::error_of;

// An aligned address that stands for device memory; the checks never touch it.
template <typename T>
T* fake_device_ptr() {
  return reinterpret_cast<T*>(std::uintptr_t{1} << 20);
}

TEST(LaunchDevice, OptionsDeviceWins) {
  auto cpu = wp::zeros<float>(4);
  wp::LaunchOptions o;
  o.device = wp::Device("cuda:2");
  EXPECT_EQ(wp::detail::launch_device(o, {cpu}, "k"), wp::Device("cuda:2"));
}

TEST(LaunchDevice, FirstArrayHoldingMemory) {
  wp::array<float> null_handle;
  auto empty_cpu = wp::zeros<float>(0);  // size 0: null data, no opinion
  wp::array<wp::vec3> on_gpu(fake_device_ptr<wp::vec3>(), {8}, "cuda:1");
  auto on_cpu = wp::zeros<int>(3);
  EXPECT_EQ(wp::detail::launch_device({}, {null_handle, empty_cpu, on_gpu, on_cpu}, "k"),
            wp::Device("cuda:1"));
  EXPECT_EQ(wp::detail::launch_device({}, {on_cpu, on_gpu}, "k"), wp::Device::cpu());
}

TEST(LaunchDevice, DevicePointersAndDefault) {
  const wp::Device gpu("cuda:3");
  wp::array<float> null_handle;
  EXPECT_EQ(wp::detail::launch_device({}, {null_handle, nullptr, &gpu}, "k"), gpu);
  EXPECT_EQ(wp::detail::launch_device({}, {null_handle}, "k"), wp::Device::cpu());
  EXPECT_EQ(wp::detail::launch_device({}, {}, "k"), wp::Device::cpu());
}

TEST(KernelArg, GivesTheArrayView) {
  auto a = wp::zeros<float>({3, 5});
  const wp::array_t<float> v = wp::detail::kernel_arg(a, 2, wp::Device::cpu(), "k", "a");
  EXPECT_EQ(v.data, a.data());
  EXPECT_EQ(v.ndim, 2);
  EXPECT_EQ(v.shape[0], 3);
  EXPECT_EQ(v.shape[1], 5);
  EXPECT_EQ(v.strides[0], 5 * 4);
  EXPECT_TRUE(v.is_contiguous());
}

TEST(KernelArg, NullHandleIsANullView) {
  wp::array<float> none;
  const wp::array_t<float> v = wp::detail::kernel_arg(none, 3, wp::Device("cuda:0"), "k", "a");
  EXPECT_EQ(v.data, nullptr);
  EXPECT_EQ(v.grad, nullptr);
  EXPECT_EQ(v.ndim, 0);
  EXPECT_EQ(v.size(), 0);
}

TEST(KernelArg, RejectsWrongDimensionCount) {
  auto a = wp::zeros<wp::vec3>({4, 2});
  EXPECT_EQ(error_of([&] { wp::detail::kernel_arg(a, 1, wp::Device::cpu(), "integrate", "x"); }),
            "kernel 'integrate': argument 'x' is a 2-D array; the kernel expects a 1-D array");
  try {
    wp::detail::kernel_arg(a, 3, wp::Device::cpu(), "integrate", "x");
    FAIL() << "no error";
  } catch (const wp::Error& e) {
    EXPECT_EQ(e.kernel(), "integrate");
    EXPECT_EQ(e.cause(), "argument 'x' is a 2-D array; the kernel expects a 3-D array");
  }
}

TEST(KernelArg, RejectsArrayOnAnotherDevice) {
  wp::array<float> on_gpu(fake_device_ptr<float>(), {8}, "cuda:0");
  EXPECT_EQ(error_of([&] { wp::detail::kernel_arg(on_gpu, 1, wp::Device::cpu(), "saxpy", "y"); }),
            "kernel 'saxpy': argument 'y' is an array on device 'cuda:0' but the launch runs on "
            "device 'cpu' (LaunchOptions::device, else the device of the first non-empty array "
            "argument); copy the array to that device or launch on 'cuda:0'");
  auto on_cpu = wp::zeros<float>(8);
  EXPECT_NE(error_of([&] { wp::detail::kernel_arg(on_cpu, 1, wp::Device("cuda:1"), "k", "w"); })
                .find("argument 'w' is an array on device 'cpu' but the launch runs on device "
                      "'cuda:1'"),
            std::string::npos);
}

TEST(KernelArg, EmptyArrayOnAnotherDeviceIsAccepted) {
  auto empty = wp::zeros<float>(0);  // no memory: nothing to mismatch
  const wp::array_t<float> v = wp::detail::kernel_arg(empty, 1, wp::Device("cuda:0"), "k", "a");
  EXPECT_EQ(v.data, nullptr);
  EXPECT_EQ(v.ndim, 1);
  EXPECT_EQ(v.shape[0], 0);
  // ...but its dimension count is still checked.
  EXPECT_EQ(error_of([&] { wp::detail::kernel_arg(empty, 2, wp::Device::cpu(), "k", "a"); }),
            "kernel 'k': argument 'a' is a 1-D array; the kernel expects a 2-D array");
}

TEST(CheckLaunchDim, MultiDimensionalTidNeedsThatManyDimensions) {
  wp::detail::check_launch_dim({4, 5}, 2, "k");  // fine
  wp::detail::check_launch_dim({1, 2, 3, 4}, 4, "k");
  EXPECT_EQ(error_of([] { wp::detail::check_launch_dim(16, 2, "grid2d"); }),
            "kernel 'grid2d': launch dimension (16) has 1 dimension but the kernel's wp.tid() "
            "returns 2 indices; launch it with a 2-D dimension");
  EXPECT_EQ(error_of([] {
              wp::detail::check_launch_dim({2, 3}, 3, "vol");
            }),
            "kernel 'vol': launch dimension (2, 3) has 2 dimensions but the kernel's wp.tid() "
            "returns 3 indices; launch it with a 3-D dimension");
}

TEST(CheckLaunchDim, OneDimensionalTidLimitsTheThreadCount) {
  wp::detail::check_launch_dim({2147483647}, 1, "k");  // exactly INT32_MAX threads: fine
  wp::detail::check_launch_dim({3, 4}, 1, "k");        // flat index over a 2-D launch: fine
  EXPECT_EQ(error_of([] {
              wp::detail::check_launch_dim({65536, 32768}, 1, "big");
            }),
            "kernel 'big': launch dimension (65536, 32768) has 2147483648 threads, more than "
            "2147483647: the kernel's wp.tid() returns one 32-bit thread index; launch fewer "
            "threads or use a multi-dimensional wp.tid()");
}

TEST(CheckLaunchDim, NoTidAcceptsAnything) {
  wp::detail::check_launch_dim({65536, 65536, 65536}, 0, "k");
  wp::detail::check_launch_dim(0, 0, "k");
}

}  // namespace
