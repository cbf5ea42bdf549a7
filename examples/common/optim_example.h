// optim_example.h — what the optimisation examples (trajectory_opt, spring_cage) share: their
// command line and one differentiated evaluation of a loss through a wp::Tape.
//
// Contract:
//  * OptimOptions / parse_optim_options(argc, argv, program, defaults, optimizers): the command
//    line `[--device cpu|cuda[:N]] [--optimizer NAME] [--iters K] [--lr LR] [--out DIR]`, where
//    NAME must be one of `optimizers` (the first is the default). K must be a whole number in
//    1 … 100000 and LR a positive number; a missing value, an unknown flag or optimizer, or a
//    bad number prints the usage and exits 2. K and LR left out keep the defaults'
//    (defaults.iters / defaults.lr: per optimizer, chosen by the caller after parsing when 0).
//  * loss_and_gradient(tape, loss, forward): records forward() (which fills the one-element
//    `loss`) on `tape` (forgetting its earlier records), zeroes every recorded gradient and runs
//    the tape backward from `loss`; returns what forward() returned. Afterwards the gradient of
//    the loss w.r.t. every array the recorded launches read is in that array's .grad().
//  * elapsed_ms(f): runs f() and returns the wall-clock time it took, in milliseconds.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "wp/wp.h"

namespace example {

struct OptimOptions {
  std::string device, out = ".", optimizer;
  int iters = 0;    // 0: the caller's default for the chosen optimizer
  float lr = 0.0f;  // 0: the caller's default for the chosen optimizer
};

inline OptimOptions parse_optim_options(int argc, char** argv, const char* program, OptimOptions o,
                                        const std::vector<std::string>& optimizers) {
  std::string names;
  for (const std::string& n : optimizers) names += (names.empty() ? "" : "|") + n;
  auto print_usage = [&](std::FILE* to) {
    std::fprintf(to, "usage: %s [--device cpu|cuda[:N]] [--optimizer %s] [--iters K] [--lr LR] [--out DIR]\n",
                 argv[0], names.c_str());
  };
  auto usage = [&](const std::string& problem) {
    std::fprintf(stderr, "%s: %s\n", program, problem.c_str());
    print_usage(stderr);
    std::exit(2);
  };
  o.optimizer = optimizers.front();
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") print_usage(stdout), std::exit(0);
    if (i + 1 >= argc) usage("missing value after '" + a + "'");
    const std::string v = argv[i + 1];
    char* end = nullptr;
    if (a == "--device")
      o.device = v;
    else if (a == "--out")
      o.out = v;
    else if (a == "--optimizer")
      o.optimizer = v;
    else if (a == "--iters")
      o.iters = int(std::strtol(v.c_str(), &end, 10));
    else if (a == "--lr")
      o.lr = std::strtof(v.c_str(), &end);
    else
      usage("unknown argument '" + a + "'");
    if (end && (v.empty() || *end != '\0')) usage("'" + v + "' after " + a + " is not a number");
    if (a == "--iters" && (o.iters < 1 || o.iters > 100000)) usage("--iters must be 1 to 100000");
    if (a == "--lr" && !(o.lr > 0.0f)) usage("--lr must be positive");
  }
  bool known = false;
  for (const std::string& n : optimizers) known = known || n == o.optimizer;
  if (!known) usage("unknown optimizer '" + o.optimizer + "' (" + names + ")");
  return o;
}

template <typename Forward>
float loss_and_gradient(wp::Tape& tape, const wp::array<float>& loss, Forward&& forward) {
  tape.reset();
  float value;
  {
    wp::TapeScope recording(tape);
    value = forward();
  }
  tape.zero();
  tape.backward(loss);
  return value;
}

template <typename F>
double elapsed_ms(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace example
