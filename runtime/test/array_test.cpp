// array_test.cpp — wp::array: shapes, byte strides, views, wrapping, factories, validation.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "test_util.h"
#include "wp/array.h"
#include "wp/stream.h"
#include "wp/types.h"

namespace {

using wp_test::error_of;

std::vector<float> iota(int n) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), 0.0f);
  return v;
}

TEST(Shape, BuildsFromListsAndIntegers) {
  wp::Shape s{2, 3, 4};
  EXPECT_EQ(s.ndim(), 3);
  EXPECT_EQ(s[1], 3);
  EXPECT_EQ(s.size(), 24);
  EXPECT_EQ(s.str(), "(2, 3, 4)");
  EXPECT_EQ(wp::Shape(7).str(), "(7,)");
  EXPECT_EQ(wp::Shape().ndim(), 0);
  EXPECT_EQ((wp::Shape{5}), wp::Shape(5));
}

TEST(Shape, RejectsInvalidExtents) {
  EXPECT_EQ(error_of([] { wp::Shape s{1, 2, 3, 4, 5}; }),
            "array shape (1, 2, 3, 4, 5) has 5 dimensions; at most 4 are supported");
  EXPECT_EQ(error_of([] { wp::Shape s{3, -1}; }),
            "array shape (3, -1) has a negative extent at dimension 1");
  EXPECT_EQ(error_of([] { wp::Shape s{int64_t{3000000000}}; }),
            "array shape (3000000000,): extent 3000000000 at dimension 0 exceeds the maximum of "
            "2147483647");
}

TEST(Array, ShapesAndPackedStrides1To4D) {
  auto a1 = wp::zeros<float>(5);
  EXPECT_EQ(a1.ndim(), 1);
  EXPECT_EQ(a1.stride(0), 4);
  auto a2 = wp::zeros<double>({3, 5});
  EXPECT_EQ(a2.stride(0), 40);
  EXPECT_EQ(a2.stride(1), 8);
  auto a3 = wp::zeros<wp::vec3>({2, 3, 4});
  EXPECT_EQ(a3.stride(0), 12 * 12);
  EXPECT_EQ(a3.stride(1), 48);
  EXPECT_EQ(a3.stride(2), 12);
  auto a4 = wp::zeros<int32_t>({2, 3, 4, 5});
  EXPECT_EQ(a4.size(), 120);
  EXPECT_EQ(a4.shape(3), 5);
  EXPECT_EQ(a4.stride(0), 240);
  EXPECT_EQ(a4.stride(3), 4);
  EXPECT_TRUE(a4.is_contiguous());
  EXPECT_TRUE(a4.owns_data());
  EXPECT_FALSE(a4.requires_grad());
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a4.data()) % wp::kHostAlignment, 0u);
}

TEST(Array, ByteStrideElementAccess) {
  auto a = wp::from_host(iota(24), {2, 3, 4});
  wp::array_t<float> v = a.view();
  EXPECT_EQ(v.ndim, 3);
  EXPECT_TRUE(v.is_contiguous());
  EXPECT_EQ(v.size(), 24);
  EXPECT_EQ(v(1, 2, 3), 23.0f);
  EXPECT_EQ(v(0, 1, 2), 6.0f);
  EXPECT_EQ(v.strides[0], 48);
  EXPECT_EQ(v.shape[3], 0);  // unused entries are zero
  v(1, 0, 0) = -1.0f;
  EXPECT_EQ(a.to_host()[12], -1.0f);
  auto a4 = wp::from_host(iota(120), {2, 3, 4, 5});
  EXPECT_EQ(a4.view()(1, 2, 3, 4), 119.0f);
  EXPECT_EQ(a4.view()(1, 0, 2, 1), 60.0f + 10.0f + 1.0f);
  auto a2 = wp::from_host(iota(6), {2, 3});
  EXPECT_EQ(a2.view()(1, 1), 4.0f);
}

TEST(Array, WrapsExternalMemoryWithoutCopy) {
  std::vector<float> host = iota(12);
  wp::array<float> a(host.data(), {3, 4});
  EXPECT_EQ(a.data(), host.data());  // pointer identity: no copy
  EXPECT_FALSE(a.owns_data());
  EXPECT_EQ(a.view()(2, 1), 9.0f);
  a.view()(0, 0) = 42.0f;
  EXPECT_EQ(host[0], 42.0f);
  host[11] = -3.0f;
  EXPECT_EQ(a.to_host()[11], -3.0f);
  std::vector<float> g(12, 0.0f);
  wp::array<float> with_grad(host.data(), {12}, wp::Device("cpu"), g.data());
  EXPECT_EQ(with_grad.grad(), g.data());
  with_grad.view().adj(3) = 1.5f;
  EXPECT_EQ(g[3], 1.5f);
}

TEST(Array, WrapsWithExplicitStrides) {
  // A column of a 4x3 row-major matrix: stride of one row (12 bytes).
  std::vector<float> m = iota(12);
  wp::array<float> col(m.data() + 1, {4}, wp::Strides{12});
  EXPECT_FALSE(col.is_contiguous());
  EXPECT_EQ(col.to_host(), (std::vector<float>{1, 4, 7, 10}));
  EXPECT_EQ(col.view()(3), 10.0f);
  EXPECT_EQ(col.view().flags & wp::array_t<float>::kContiguous, 0u);
  wp::fill(col, 9.0f);
  EXPECT_EQ(m[1], 9.0f);
  EXPECT_EQ(m[10], 9.0f);
  EXPECT_EQ(m[2], 2.0f);
  // Broadcast (stride 0) is allowed.
  float one = 5.0f;
  wp::array<float> bcast(&one, {3}, wp::Strides{0});
  EXPECT_EQ(bcast.to_host(), (std::vector<float>{5, 5, 5}));
}

TEST(Array, WrapValidation) {
  std::vector<float> m(8);
  EXPECT_EQ(error_of([&] { wp::array<float>(m.data(), {2, 2}, wp::Strides{8}); }),
            "wrap: 1 strides given for a 2-D array of shape (2, 2)");
  EXPECT_EQ(error_of([&] { wp::array<float>(m.data(), {2}, wp::Strides{-4}); }),
            "wrap: stride -4 at dimension 0 is negative; only non-negative byte strides are "
            "supported");
  EXPECT_EQ(error_of([&] { wp::array<float>(m.data(), {2}, wp::Strides{6}); }),
            "wrap: stride 6 at dimension 0 is not a multiple of the element alignment (4 bytes)");
  EXPECT_EQ(error_of([] { wp::array<float>(nullptr, {2}); }),
            "wrap: data pointer is null for a non-empty array of shape (2,)");
  EXPECT_EQ(error_of([&] { wp::array<float>(m.data(), wp::Shape()); }),
            "wrap: array shape is empty; give 1 to 4 extents, e.g. {n} or {n, m}");
  char* bytes = reinterpret_cast<char*>(m.data());
  EXPECT_EQ(error_of([&] { wp::array<float>(reinterpret_cast<float*>(bytes + 1), {1}); }),
            "wrap: data pointer is not aligned to the element alignment (4 bytes)");
}

TEST(Array, ViewRowDropsLeadingDimension) {
  auto a = wp::from_host(iota(24), {2, 3, 4}, wp::Device(), true);
  wp::array<float> row = a.view_row(1);
  EXPECT_EQ(row.shape(), (wp::Shape{3, 4}));
  EXPECT_EQ(row.stride(0), 16);
  EXPECT_EQ(row.data(), a.data() + 12);
  EXPECT_EQ(row.grad(), a.grad() + 12);
  EXPECT_TRUE(row.is_contiguous());
  EXPECT_EQ(row.view()(2, 3), 23.0f);
  wp::array<float> inner = row.view_row(2);
  EXPECT_EQ(inner.to_host(), (std::vector<float>{20, 21, 22, 23}));
  EXPECT_EQ(error_of([&] { inner.view_row(0); }),
            "view_row: array of shape (4,) has fewer than 2 dimensions; index it with view()(i) "
            "instead");
  EXPECT_EQ(error_of([&] { a.view_row(2); }),
            "view_row: index 2 is out of range for dimension 0 of size 2");
  EXPECT_EQ(error_of([&] { a.view_row(-1); }),
            "view_row: index -1 is out of range for dimension 0 of size 2");
}

TEST(Array, ViewKeepsOwningStorageAlive) {
  wp::array<float> row;
  {
    auto a = wp::from_host(iota(6), {2, 3});
    row = a.view_row(1);
  }
  EXPECT_TRUE(row.owns_data());
  EXPECT_EQ(row.to_host(), (std::vector<float>{3, 4, 5}));  // ASan would flag a freed buffer
}

TEST(Array, SliceAndContiguous) {
  auto a = wp::from_host(iota(12), {4, 3});
  auto mid = a.slice(1, 3);
  EXPECT_EQ(mid.shape(), (wp::Shape{2, 3}));
  EXPECT_EQ(mid.to_host(), (std::vector<float>{3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(mid.contiguous().data(), mid.data());  // already packed: same memory
  std::vector<float> m = iota(12);
  wp::array<float> cols(m.data(), {4, 2}, wp::Strides{12, 4});  // first two columns
  auto packed = cols.contiguous();
  EXPECT_NE(packed.data(), cols.data());
  EXPECT_TRUE(packed.is_contiguous());
  EXPECT_EQ(packed.to_host(), (std::vector<float>{0, 1, 3, 4, 6, 7, 9, 10}));
  EXPECT_EQ(a.slice(2, 2).size(), 0);
  EXPECT_EQ(error_of([&] { a.slice(1, 5); }),
            "slice: end 5 is outside [1, 4] for dimension 0 of shape (4, 3)");
  EXPECT_EQ(error_of([&] { a.slice(5, 5); }),
            "slice: index 5 is out of range for dimension 0 of size 4");
  EXPECT_EQ(error_of([&] { a.shape(2); }),
            "dimension 2 is out of range for an array of shape (4, 3)");
}

TEST(Array, FactoriesFillValues) {
  EXPECT_EQ(wp::zeros<int>({2, 2}).to_host(), (std::vector<int>{0, 0, 0, 0}));
  EXPECT_EQ(wp::full<float>({3}, 2.5f).to_host(), (std::vector<float>{2.5f, 2.5f, 2.5f}));
  auto v = wp::full<wp::vec3>({2}, wp::vec3{1, 2, 3}).to_host();
  EXPECT_EQ(v[1], (wp::vec3{1, 2, 3}));
  auto e = wp::empty<double>({4, 4});
  EXPECT_EQ(e.size(), 16);
  auto g = wp::zeros<float>({3}, "cpu", true);
  ASSERT_TRUE(g.requires_grad());
  EXPECT_EQ(g.grad_array().to_host(), (std::vector<float>{0, 0, 0}));
  auto eg = wp::empty<float>({2}, {}, true);  // grads start at zero even for empty()
  EXPECT_EQ(eg.grad_array().to_host(), (std::vector<float>{0, 0}));
  EXPECT_EQ(error_of([&] { wp::zeros<float>(3).grad_array(); }),
            "grad_array: array has no gradient (create it with requires_grad)");
}

TEST(Array, ZeroSizedArraysAreAllowed) {
  auto z = wp::zeros<float>({0, 3});
  EXPECT_EQ(z.size(), 0);
  EXPECT_TRUE(z.empty());
  EXPECT_TRUE(z.to_host().empty());
  wp::fill(z, 1.0f);
  wp::copy(z, wp::empty<float>({0, 3}));
}

TEST(Array, CopyFillRoundTrips) {
  auto src = wp::from_host(iota(6), {2, 3});
  auto dst = wp::empty<float>({2, 3});
  wp::copy(dst, src);
  EXPECT_EQ(wp::to_host(dst), iota(6));
  wp::fill(dst, 7.0f);
  EXPECT_EQ(dst.to_host(), std::vector<float>(6, 7.0f));
  // Strided destination: write a column of a wrapped matrix.
  std::vector<float> m(6, 0.0f);
  wp::array<float> col(m.data() + 2, {2}, wp::Strides{12});
  wp::copy(col, wp::from_host(std::vector<float>{8, 9}));
  EXPECT_EQ(m, (std::vector<float>{0, 0, 8, 0, 0, 9}));
  // Pointer round trip.
  const double raw[3] = {1.5, 2.5, 3.5};
  EXPECT_EQ(wp::from_host(raw, {3}).to_host(), (std::vector<double>{1.5, 2.5, 3.5}));
  // Copies share nothing.
  auto again = wp::from_host(iota(3));
  auto other = wp::zeros<float>(3);
  wp::copy(other, again);
  again.view()(0) = 100.0f;
  EXPECT_EQ(other.view()(0), 0.0f);
}

TEST(Array, ValidationErrors) {
  EXPECT_EQ(error_of([] { wp::zeros<float>(wp::Shape()); }),
            "zeros: array shape is empty; give 1 to 4 extents, e.g. {n} or {n, m}");
  EXPECT_EQ(error_of([] { wp::empty<float>({}); }),
            "empty: array shape is empty; give 1 to 4 extents, e.g. {n} or {n, m}");
  EXPECT_EQ(error_of([] { wp::zeros<float>({2, -3}); }),
            "array shape (2, -3) has a negative extent at dimension 1");
  EXPECT_EQ(error_of([] { wp::zeros<float>({1, 1, 1, 1, 1}); }),
            "array shape (1, 1, 1, 1, 1) has 5 dimensions; at most 4 are supported");
  EXPECT_EQ(error_of([] {
              wp::zeros<double>({2147483647, 2147483647, 2147483647});
            }),
            "zeros: array shape (2147483647, 2147483647, 2147483647) is too large (over 2^62 "
            "bytes)");
  EXPECT_EQ(error_of([] { wp::copy(wp::zeros<float>({2, 3}), wp::zeros<float>({3, 2})); }),
            "copy: shape mismatch: destination has shape (2, 3) but source has shape (3, 2)");
  EXPECT_EQ(error_of([] { wp::copy(wp::array<float>(), wp::zeros<float>(3)); }),
            "copy: shape mismatch: destination has shape () but source has shape (3,)");
  EXPECT_EQ(error_of([] { wp::from_host(std::vector<float>(5), {2, 3}); }),
            "from_host: vector has 5 elements but shape (2, 3) needs 6");
  EXPECT_EQ(error_of([] { wp::from_host<float>(nullptr, {2}); }),
            "from_host: source pointer is null");
}

TEST(Array, CudaDevicesNeedCudaSupport) {
  if (wp::cuda_built()) GTEST_SKIP() << "runtime built with CUDA (see cuda_test.cu)";
  const std::string no_cuda =
      "CUDA support is not built: device 'cuda:0' cannot be used (this runtime was built for "
      "the CPU only)";
  EXPECT_EQ(error_of([] { wp::zeros<float>({4}, "cuda"); }), no_cuda);
  EXPECT_EQ(error_of([] { wp::empty<float>({0}, "cuda:0"); }), no_cuda);
  EXPECT_EQ(error_of([] { wp::from_host(std::vector<int>{1}, "cuda:0"); }), no_cuda);
  float x[2] = {1, 2};
  wp::array<float> wrapped(x, {2}, wp::Device("cuda:0"));  // wrapping is fine; using it is not
  EXPECT_EQ(error_of([&] { wp::fill(wrapped, 0.0f); }), "fill: " + no_cuda);
  EXPECT_EQ(error_of([&] { wrapped.to_host(); }), no_cuda);
  EXPECT_EQ(error_of([&] { wp::copy(wp::zeros<float>(2), wrapped); }), no_cuda);
  EXPECT_EQ(error_of([&] { wp::copy(wrapped, wp::zeros<float>(2)); }), no_cuda);
}

TEST(Array, PinnedAndStreamsNeedCudaSupport) {
  if (wp::cuda_built()) GTEST_SKIP() << "runtime built with CUDA (see cuda_test.cu)";
  EXPECT_EQ(wp::cuda_device_count(), 0);
  EXPECT_EQ(error_of([] { wp::zeros<float>({4}, "cpu", false, /*pinned=*/true); }),
            "pinned host memory needs CUDA support, which is not built in this runtime");
  EXPECT_EQ(error_of([] { wp::Stream s("cuda:0"); }),
            "Stream: CUDA support is not built: device 'cuda:0' cannot be used (this runtime was "
            "built for the CPU only)");
  wp::Stream cpu;  // the CPU stream is a no-op
  EXPECT_EQ(cpu.handle(), nullptr);
  cpu.synchronize();
  wp::synchronize();
}

TEST(Array, OutOfHostMemoryIsAnError) {
  wp::HostAllocator failing;
  failing.allocate = [](std::size_t, std::size_t, void*) -> void* { return nullptr; };
  failing.deallocate = [](void*, std::size_t, std::size_t, void*) {};
  wp::HostAllocator previous = wp::set_host_allocator(failing);
  const std::string msg = error_of([] { wp::zeros<double>({4, 8}); });
  wp::set_host_allocator(previous);
  EXPECT_EQ(msg, "out of host memory allocating 256 bytes");
  EXPECT_EQ(wp::zeros<double>({4, 8}).size(), 32);  // the default allocator is back
}

int g_allocs = 0;
int g_frees = 0;

TEST(Array, HostAllocatorCanBeOverridden) {
  wp::HostAllocator counting;
  counting.allocate = [](std::size_t bytes, std::size_t align, void*) -> void* {
    ++g_allocs;
    return ::operator new(bytes, std::align_val_t(align));
  };
  counting.deallocate = [](void* p, std::size_t, std::size_t align, void*) {
    ++g_frees;
    ::operator delete(p, std::align_val_t(align));
  };
  wp::HostAllocator previous = wp::set_host_allocator(counting);
  {
    auto a = wp::zeros<float>({8}, {}, true);  // data + grad
    wp::set_host_allocator(previous);           // a still frees through `counting`
    EXPECT_EQ(g_allocs, 2);
  }
  EXPECT_EQ(g_frees, 2);
  wp::set_host_allocator({});
  auto b = wp::zeros<float>(4);
  EXPECT_EQ(g_allocs, 2);
}

}  // namespace
