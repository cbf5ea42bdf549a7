// launch_main.cpp — driver of launch.wp: checks that generated launchers run every index of a
// launch exactly once for 1-D..4-D dimensions (odd sizes, empty launches), pass scalar arguments
// of every width unchanged, accept an empty array as a null view, honour LaunchOptions, and
// reject arguments of the wrong dimensionality with a wp::Error naming kernel and parameter.
#include <array>

#include "launch.wp.h"
#include "run_check.h"

namespace {

// hits must be all ones (every index ran exactly once).
void expect_ones(run::Check& check, const std::string& label, const std::vector<int>& hits) {
  int64_t bad = 0;
  for (int h : hits) bad += h != 1;
  check.that(label + ": every index ran exactly once (" + std::to_string(bad) + " wrong)", bad == 0);
}

void check_dims(run::Check& check, const wp::Device& dev) {
  for (int n : {0, 1, 255, 256, 257, 100003}) {
    auto hits = wp::zeros<int>(std::max(n, 1), dev);
    launch::count_1d(n, hits);
    auto h = run::fetch(hits);
    if (n == 0) check.eq("empty launch writes nothing", h[0], 0);
    else expect_ones(check, "1-D " + std::to_string(n), h);
  }
  for (auto [r, c] : {std::pair{1, 1}, {17, 33}, {300, 7}, {1, 1000}}) {
    auto hits = wp::zeros<int>({r, c}, dev);
    launch::count_2d({r, c}, hits);
    expect_ones(check, "2-D " + std::to_string(r) + "x" + std::to_string(c), run::fetch(hits));
  }
  auto empty2 = wp::zeros<int>({1, 5}, dev);
  launch::count_2d({0, 5}, empty2);
  check.eq("empty 2-D launch writes nothing", run::fetch(empty2)[0], 0);
  for (auto e : {std::array<int, 3>{3, 5, 7}, {1, 257, 2}}) {
    auto hits = wp::zeros<int>({e[0], e[1], e[2]}, dev);
    launch::count_3d({e[0], e[1], e[2]}, hits);
    expect_ones(check, "3-D", run::fetch(hits));
  }
  for (auto e : {std::array<int, 4>{2, 3, 4, 5}, {3, 1, 17, 9}}) {
    auto hits = wp::zeros<int>({e[0], e[1], e[2], e[3]}, dev);
    launch::count_4d({e[0], e[1], e[2], e[3]}, hits);
    expect_ones(check, "4-D", run::fetch(hits));
  }
  auto total = wp::zeros<int>(1, dev);
  launch::no_tid({4, 5}, total);
  launch::no_tid(1000, total);
  check.eq("kernel without wp.tid(): launches of 4x5 and 1000", run::fetch(total)[0], 1020);
}

void check_options(run::Check& check, const wp::Device& dev) {
  const int n = 5000;
  for (int block : {1, 32, 100, 1024}) {
    auto hits = wp::zeros<int>(n, dev);
    wp::LaunchOptions opts;
    opts.device = dev;
    opts.block_dim = block;
    opts.max_threads = block == 1 ? 1 : 0;
    launch::count_1d(n, hits, opts);
    expect_ones(check, "block_dim " + std::to_string(block), run::fetch(hits));
  }
}

void check_scalars(run::Check& check, const wp::Device& dev) {
  auto out = wp::zeros<double>(8, dev);
  const int64_t big = -(int64_t(1) << 40) - 7;
  const uint64_t ubig = (uint64_t(1) << 52) + 3;
  launch::scalars(1, int8_t(-100), uint16_t(65000), big, ubig, 0.1, 2.5f, true, wp::half(1.5f), out);
  auto g = run::fetch(out);
  double want[8] = {-100.0, 65000.0, double(big), double(ubig), 0.1, 2.5, 1.0, 1.5};
  const char* names[8] = {"int8", "uint16", "int64", "uint64", "float64", "float32", "bool", "float16"};
  for (int k = 0; k < 8; ++k) check.eq(std::string("scalar arg ") + names[k], g[k], want[k]);
}

void check_null_array(run::Check& check, const wp::Device& dev) {
  const int n = 10;
  auto dst = wp::zeros<float>(n, dev);
  launch::optional_input(n, wp::array<float>(), dst);
  auto g = run::fetch(dst);
  for (int i = 0; i < n; ++i) check.eq(run::at("null array arg", i), g[i], -1.0f);
  std::vector<float> src(n);
  for (int i = 0; i < n; ++i) src[i] = 0.5f * i;
  launch::optional_input(n, wp::from_host(src, dev), dst);
  g = run::fetch(dst);
  for (int i = 0; i < n; ++i) check.eq(run::at("array arg", i), g[i], src[i]);
}

// Runs `launch`, expecting a wp::Error whose message contains every string in `parts`.
template <class F>
void expect_error(run::Check& check, const std::string& label, F&& launch,
                  std::initializer_list<const char*> parts) {
  try {
    launch();
    wp::synchronize();
    check.that(label + ": expected a wp::Error", false);
  } catch (const wp::Error& e) {
    std::string what = e.what();
    bool ok = true;
    for (const char* p : parts) ok = ok && what.find(p) != std::string::npos;
    if (!ok) std::printf("  message was: %s\n", what.c_str());
    check.that(label + ": the message names what is wrong", ok);
  }
}

void check_errors(run::Check& check, const wp::Device& dev) {
  auto a2 = wp::zeros<int>({4, 4}, dev);
  expect_error(check, "2-D array for a 1-D parameter", [&] { launch::count_1d(16, a2); },
               {"count_1d", "hits", "2-D", "1-D"});
  expect_error(check, "1-D launch of a kernel with 2 indices", [&] { launch::count_2d(16, a2); },
               {"count_2d"});
  if (dev.is_cuda()) {
    auto host = wp::zeros<int>(4, "cpu");
    wp::LaunchOptions opts;
    opts.device = dev;
    expect_error(check, "CPU array on a CUDA launch", [&] { launch::count_1d(4, host, opts); },
                 {"count_1d", "hits"});
    auto hits = wp::zeros<int>(4, dev);
    opts.block_dim = 1025;
    expect_error(check, "block_dim 1025", [&] { launch::count_1d(4, hits, opts); }, {"count_1d"});
  }
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "launch", [](run::Check& check, const wp::Device& dev) {
    check_dims(check, dev);
    check_options(check, dev);
    check_scalars(check, dev);
    check_null_array(check, dev);
    check_errors(check, dev);
  });
}
