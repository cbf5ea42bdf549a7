// graphs_main.cpp — driver of graphs.wp: streams, events and graph capture (wp/stream.h,
// wp/graph.h).
//
// On a CUDA device:
//  * generated launches captured into a graph do not run at capture time and run once per
//    replay (y = y0 + replays · launches · a · x);
//  * fills and device-to-device copies are captured; scratch arrays allocated and freed inside
//    the capture work on every replay; an array allocated inside and kept holds the graph's
//    output after each replay;
//  * a Tape recorded inside a capture (zero, forward, backward(loss)) gives d loss / dx =
//    2 s² x on every replay, and follows new contents of x copied in between replays;
//  * two streams joined by events inside one capture (fork/join) both run on replay;
//  * capture_while: a device-side loop (conditional node) that halves x until a counter hits
//    zero, on every replay; the same loop outside a capture runs on the host;
//  * refused operations give wp::Error and leave the capture usable: a pageable host copy,
//    wp::synchronize, a nested capture_begin, capture_end with no capture, launching an
//    empty graph; the stream-ordered allocator can be switched off and on;
//  * streams: ScopedStream changes get_stream and restores it; timing events measure ≥ 0 ms;
//    elapsed_ms refuses events without timing.
// On the CPU: capture_begin is refused with a clear error, capture_while runs on the host,
// streams and events are no-ops.
#include <wp/graph.h>

#include <string>

#include "graphs.wp.h"
#include "run_check.h"

namespace {

constexpr int kN = 4096;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const wp::Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::vector<float> ramp(int n, float scale) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = scale * float(i % 97) / 97.0f;
  return v;
}

void check_launches(run::Check& check, const wp::Device& dev) {
  const std::vector<float> x0 = ramp(kN, 1.0f), y0 = ramp(kN, -2.0f);
  auto x = wp::from_host(x0, dev);
  auto y = wp::from_host(y0, dev);
  const float a = 0.25f;
  const int launches = 10;
  wp::capture_begin(dev);
  for (int k = 0; k < launches; ++k) graphs::scale_add(kN, x, y, a);
  wp::Graph graph = wp::capture_end();
  check.that("graph has a node per launch", graph.node_count() >= std::size_t(launches));
  std::vector<float> untouched = run::fetch(y);
  check.that("capture does not run the kernels", untouched == y0);
  const int replays = 3;
  for (int r = 0; r < replays; ++r) wp::capture_launch(graph);
  std::vector<float> got = run::fetch(y);
  for (int i = 0; i < kN; i += 101)
    check.near(run::at("replayed y", i), got[i], y0[i] + replays * launches * a * x0[i], 1e-5, 1e-5);
}

void check_memory_in_capture(run::Check& check, const wp::Device& dev) {
  const std::vector<float> x0 = ramp(kN, 3.0f);
  auto x = wp::from_host(x0, dev);
  auto y = wp::zeros<float>(kN, dev);
  wp::array<float> kept;
  wp::capture_begin(dev);
  {
    auto scratch = wp::zeros<float>(kN, dev);  // allocated and freed inside: graph nodes
    graphs::scale(kN, x, scratch, 2.0f);
    wp::fill(y, 1.0f);
    graphs::scale_add(kN, scratch, y, 1.0f);
    kept = wp::empty<float>(kN, dev);  // allocated inside, kept: the graph's output
    wp::copy(kept, y);
  }
  wp::Graph graph = wp::capture_end();
  for (int r = 0; r < 2; ++r) {
    wp::capture_launch(graph);
    std::vector<float> got = run::fetch(y), out = run::fetch(kept);
    for (int i = 0; i < kN; i += 211) {
      check.near(run::at("y after scratch", i), got[i], 1.0f + 2.0f * x0[i]);
      check.near(run::at("kept output", i), out[i], 1.0f + 2.0f * x0[i]);
    }
  }
}

void check_tape_capture(run::Check& check, const wp::Device& dev) {
  std::vector<float> x0 = ramp(kN, 1.5f);
  auto x = wp::from_host(x0, {kN}, dev, true);
  auto y = wp::zeros<float>(kN, dev, true);
  auto loss = wp::zeros<float>(1, dev, true);
  const float s = 1.75f;
  wp::Tape tape;
  wp::capture_begin(dev);
  tape.zero();  // nothing recorded yet: a no-op at capture time
  wp::fill(loss, 0.0f);
  {
    wp::TapeScope recording(tape);
    graphs::scale(kN, x, y, s);
    graphs::sum_squares(kN, y, loss);
  }
  tape.zero();
  tape.backward(loss);
  wp::Graph graph = wp::capture_end();
  for (int round = 0; round < 3; ++round) {
    if (round == 2) {  // new inputs between replays
      x0 = ramp(kN, -0.5f);
      wp::copy(x, wp::from_host(x0, dev));
    }
    wp::capture_launch(graph);
    std::vector<float> g = run::fetch(x.grad_array());
    double want_loss = 0;
    for (float v : x0) want_loss += double(s * v) * double(s * v);
    check.near("loss round " + std::to_string(round), run::fetch(loss)[0], want_loss, 1e-3, 1e-4);
    for (int i = 0; i < kN; i += 97)
      check.near(run::at("x.grad", i), g[i], 2.0 * s * s * x0[i], 1e-5, 1e-5);
  }
}

void check_fork_join(run::Check& check, const wp::Device& dev) {
  const std::vector<float> x0 = ramp(kN, 1.0f);
  auto x = wp::from_host(x0, dev);
  auto y1 = wp::zeros<float>(kN, dev);
  auto y2 = wp::zeros<float>(kN, dev);
  // The zero fills ran on the device's current stream, which the graph launched on main_stream
  // below does not wait for: finish them first (the same rule as for any work handed between
  // streams).
  wp::synchronize(dev);
  wp::Stream main_stream(dev), side(dev);
  wp::capture_begin(main_stream);
  check.that("capture_begin(stream) makes it current", wp::get_stream(dev) == main_stream);
  check.that("the captured stream reports capturing", main_stream.is_capturing());
  side.wait_stream(main_stream);  // fork: side joins the capture
  graphs::scale(kN, x, y1, 3.0f);
  wp::LaunchOptions on_side;
  on_side.stream = side.handle();
  graphs::scale(kN, x, y2, -4.0f, on_side);
  main_stream.wait_event(side.record_event());  // join
  wp::Graph graph = wp::capture_end();
  check.that("capture_end restores the current stream", !(wp::get_stream(dev) == main_stream));
  wp::capture_launch(graph, main_stream);
  main_stream.synchronize();
  std::vector<float> a = y1.to_host(), b = y2.to_host();
  for (int i = 0; i < kN; i += 113) {
    check.near(run::at("main-stream branch", i), a[i], 3.0f * x0[i]);
    check.near(run::at("side-stream branch", i), b[i], -4.0f * x0[i]);
  }
}

// x halves `loops` times; steps counts the iterations.
void check_while(run::Check& check, const wp::Device& dev, bool captured) {
  const int loops = 5;
  const std::vector<float> x0 = ramp(kN, 8.0f);
  auto x = wp::from_host(x0, dev);
  auto counter = wp::zeros<int>(1, dev);
  auto steps = wp::zeros<float>(1, dev);
  auto body = [&] { graphs::count_down(kN, counter, steps, x); };
  const std::string how = captured ? "graph" : "host";
  const int rounds = captured ? 2 : 1;
  wp::Graph graph;
  if (captured) wp::capture_begin(dev);
  for (int r = 0; r < (captured ? 1 : rounds); ++r) {
    wp::fill(counter, loops);
    wp::capture_while(counter, body);
  }
  if (captured) {
    graph = wp::capture_end();
    for (int r = 0; r < rounds; ++r) wp::capture_launch(graph);
  }
  check.eq("while(" + how + ") iterations", run::fetch(steps)[0], float(rounds * loops));
  check.eq("while(" + how + ") counter", run::fetch(counter)[0], 0);
  std::vector<float> got = run::fetch(x);
  float factor = 1.0f;
  for (int k = 0; k < rounds * loops; ++k) factor *= 0.5f;
  for (int i = 0; i < kN; i += 89) check.eq(run::at(("while(" + how + ") x").c_str(), i), got[i], x0[i] * factor);
}

void check_refusals(run::Check& check, const wp::Device& dev) {
  auto y = wp::zeros<float>(kN, dev);
  std::vector<float> host(kN, 2.0f);
  wp::capture_begin(dev);
  check.that("nested capture_begin is refused",
             contains(error_of([&] { wp::capture_begin(dev); }), "captures do not nest"));
  check.that("a pageable host copy is refused",
             contains(error_of([&] { (void)wp::from_host(host, dev); }), "cannot be captured into a graph"));
  check.that("synchronize is refused", contains(error_of([] { wp::synchronize(); }), "after capture_end"));
  wp::fill(y, 5.0f);
  wp::Graph graph = wp::capture_end();
  check.that("the capture stayed usable", static_cast<bool>(graph));
  wp::capture_launch(graph);
  check.eq("graph after refusals", run::fetch(y)[kN - 1], 5.0f);
  check.that("capture_end without a capture",
             contains(error_of([] { (void)wp::capture_end(); }), "no graph capture is running"));
  check.that("empty graph", contains(error_of([] { wp::capture_launch(wp::Graph()); }), "the graph is empty"));
}

void check_mempool_switch(run::Check& check, const wp::Device& dev) {
  if (!wp::is_mempool_supported(dev)) return;
  check.that("the pool is on by default", wp::is_mempool_enabled(dev));
  auto pooled = wp::full<float>(kN, 3.0f, dev);
  wp::set_mempool_enabled(dev, false);
  auto plain = wp::full<float>(kN, 4.0f, dev);
  check.that("allocation during capture without the pool is refused", [&] {
    wp::capture_begin(dev);
    const std::string e = error_of([&] { (void)wp::zeros<float>(16, dev); });
    (void)wp::capture_end();
    return contains(e, "needs the stream-ordered allocator");
  }());
  wp::set_mempool_enabled(dev, true);
  check.eq("pooled array", run::fetch(pooled)[7], 3.0f);
  check.eq("cudaMalloc array", run::fetch(plain)[7], 4.0f);
  check.that("pool usage is reported", wp::mempool_used_bytes(dev) >= kN * sizeof(float));
}

void check_streams_and_events(run::Check& check, const wp::Device& dev) {
  wp::Stream before = wp::get_stream(dev);
  check.that("the default stream is a real stream", before.handle() != nullptr);
  wp::Stream s(dev);
  {
    wp::ScopedStream scoped(s);
    check.that("ScopedStream sets the current stream", wp::get_stream(dev) == s);
  }
  check.that("ScopedStream restores it", wp::get_stream(dev) == before);
  wp::Event start(dev, true), end(dev, true);
  auto x = wp::full<float>(1 << 20, 1.0f, dev);
  auto y = wp::zeros<float>(1 << 20, dev);
  start.record();
  graphs::scale_add(1 << 20, x, y, 2.0f);
  end.record();
  end.synchronize();
  check.that("a recorded event completes", end.is_complete());
  check.that("elapsed time is non-negative", wp::elapsed_ms(start, end) >= 0.0f);
  wp::Event plain(dev);
  plain.record();
  check.that("elapsed_ms needs timing events",
             contains(error_of([&] { (void)wp::elapsed_ms(start, plain); }), "enable_timing"));
}

void check_cpu(run::Check& check, const wp::Device& dev) {
  check.that("capture on the CPU is refused",
             contains(error_of([&] { wp::capture_begin(dev); }), "graph capture needs a CUDA device"));
  check.that("no capture is left running", !wp::is_capturing(dev));
  wp::Stream cpu = wp::get_stream(dev);
  check.that("the CPU stream has no handle", cpu.handle() == nullptr);
  wp::Event e(dev);
  e.record();
  e.synchronize();
  check.that("CPU events are complete", e.is_complete());
  check_while(check, dev, false);
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "graphs", [](run::Check& check, const wp::Device& dev) {
    if (dev.is_cpu()) return check_cpu(check, dev);
    check_streams_and_events(check, dev);
    check_launches(check, dev);
    check_memory_in_capture(check, dev);
    check_tape_capture(check, dev);
    check_fork_join(check, dev);
    check_while(check, dev, false);
    check_while(check, dev, true);
    check_refusals(check, dev);
    check_mempool_switch(check, dev);
  });
}
