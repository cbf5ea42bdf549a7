// main.cpp — the distributed diffusion–advection example: a 2-D periodic n×n grid decomposed
// over the MPI ranks (wp::dist::Grid, one ghost layer), `steps` explicit steps of diffusion.wp's
// `step` kernel with a halo exchange before each, the squared error to a target field summed
// over the ranks (wp::dist::all_reduce), and its gradient with respect to the initial field and
// to κ through the whole distributed rollout (wp::Tape: kernels, halo exchanges and the
// all-reduce are recorded; the halo exchange's adjoint sends ghost gradients back to their owners).
//
//   mpirun -n P dist_diffusion [--device cpu|cuda] [--n N] [--steps S] [--kappa K] [--check]
//                              [--weak M] [--repeat R] [--tol T]
//
//  * --check: every rank also runs the whole problem alone (Communicator::self()) and compares
//    its block: the forward fields must be bit-equal (each cell is computed from the same values
//    by the same kernel), the loss, the gradient of the initial field and dL/dκ equal within
//    --tol (relative; sums are formed in another order). Exit 1 when a check fails.
//  * --weak M: weak scaling: each rank owns an M×M block (the global grid grows with the ranks);
//    prints the time per step of the forward rollout and of forward + backward (best of --repeat).
//  * --device cuda: rank r runs on cuda:(r mod device count), collectives through NCCL; without a
//    GPU it prints "skipped: no CUDA device" and exits 77.
// Rank 0 prints the results.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "diffusion.wp.h"
#include "wp/dist.h"

namespace {

using wp::dist::Communicator;
using wp::dist::Grid;

struct Options {
  std::string device = "cpu";
  int n = 64, steps = 20, weak = 0, repeat = 3;
  float kappa = 0.1f;
  bool check = false;
  double tol = 1e-4;
};

const char* kUsage =
    "usage: dist_diffusion [--device cpu|cuda] [--n N] [--steps S] [--kappa K] [--check] [--weak M] "
    "[--repeat R] [--tol T]\n";

[[noreturn]] void bad(const std::string& why) {
  std::fprintf(stderr, "dist_diffusion: %s\n%s", why.c_str(), kUsage);
  std::exit(2);
}

int positive_int(const char* flag, const char* v) {
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  if (end == v || *end || x < 1 || x > (1 << 24))
    bad(std::string(flag) + " needs a positive integer, got '" + v + "'");
  return int(x);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string f = argv[i];
    if (f == "--help" || f == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    }
    if (f == "--check") {
      o.check = true;
      continue;
    }
    if (i + 1 >= argc) bad("missing value after " + f);
    const char* v = argv[++i];
    if (f == "--device")
      o.device = v;
    else if (f == "--n")
      o.n = positive_int("--n", v);
    else if (f == "--steps")
      o.steps = positive_int("--steps", v);
    else if (f == "--weak")
      o.weak = positive_int("--weak", v);
    else if (f == "--repeat")
      o.repeat = positive_int("--repeat", v);
    else if (f == "--kappa")
      o.kappa = std::strtof(v, nullptr);
    else if (f == "--tol")
      o.tol = std::strtod(v, nullptr);
    else
      bad("unknown flag " + f);
  }
  if (!(o.kappa > 0 && o.kappa <= 0.15f))
    bad("--kappa must be in (0, 0.15] (the explicit step's stability limit)");
  return o;
}

struct Result {
  float loss = 0, kappa_grad = 0;
  std::vector<float> field, grad;  // owned cells of u_T and of dL/du_0, row-major
  double forward_s = 0, total_s = 0;
};

// The owned cells of a padded (n+2)×(m+2) array, row-major.
std::vector<float> owned(const wp::array<float>& padded) {
  const auto h = padded.to_host();
  const int rows = padded.shape(0) - 2, cols = padded.shape(1) - 2;
  std::vector<float> out;
  for (int i = 1; i <= rows; ++i)
    out.insert(out.end(), h.begin() + int64_t(i) * (cols + 2) + 1,
               h.begin() + int64_t(i) * (cols + 2) + 1 + cols);
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

Result simulate(const Communicator& comm, const Options& o, int nx, int ny, const wp::Device& dev) {
  Grid grid(comm, {nx, ny}, 1, {true, true});
  const wp::Dim cells{grid.local(0), grid.local(1)};
  std::vector<wp::array<float>> u;
  for (int t = 0; t <= o.steps; ++t) u.push_back(grid.allocate<float>(dev, true));
  auto target = grid.allocate<float>(dev);
  diffusion::blob(cells, u[0], grid.offset(0), grid.offset(1), nx, 0.4f, 0.5f, 0.1f);
  diffusion::blob(cells, target, grid.offset(0), grid.offset(1), nx, 0.6f, 0.55f, 0.12f);
  auto local_loss = wp::zeros<float>(1, dev, true);
  auto loss = wp::zeros<float>(1, dev, true);
  const float cx = 0.3f, cy = 0.2f;  // cells per step
  comm.barrier();
  const auto start = std::chrono::steady_clock::now();
  wp::Tape tape;
  {
    wp::TapeScope recording(tape);
    for (int t = 0; t < o.steps; ++t) {
      grid.exchange(u[t]);
      diffusion::step(cells, u[t], u[t + 1], o.kappa, cx, cy);
    }
    diffusion::squared_error(cells, u[o.steps], target, local_loss);
    wp::dist::all_reduce(comm, local_loss, loss);
  }
  wp::synchronize(dev);
  comm.barrier();
  Result r;
  r.forward_s = seconds_since(start);
  wp::dist::backward(comm, tape, loss);
  wp::synchronize(dev);
  comm.barrier();
  r.total_s = seconds_since(start);
  // dL/dκ: each rank's tape holds its blocks' share; the sum over ranks is the gradient.
  auto kg = wp::full<float>(1, tape.param_grad_total<float>("step", "kappa"));
  wp::dist::all_reduce(comm, kg);
  r.kappa_grad = kg.to_host()[0];
  r.loss = loss.to_host()[0];
  r.field = owned(u[o.steps]);
  r.grad = owned(u[0].grad_array());
  return r;
}

// Compares this rank's block with the single-rank run; returns false when a check fails.
bool check(const Communicator& comm, const Options& o, const Result& mine, const wp::Device& dev) {
  const Result ref = simulate(Communicator::self(), o, o.n, o.n, dev);
  Grid grid(comm, {o.n, o.n}, 1, {true, true});
  const int rows = grid.local(0), cols = grid.local(1);
  double stats[4] = {0, 0, 0, 0};  // field cells differing, max |Δ grad|, max |grad|, kappa rel
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      const size_t a = size_t(i) * cols + j, b = size_t(grid.offset(0) + i) * o.n + grid.offset(1) + j;
      if (std::memcmp(&mine.field[a], &ref.field[b], sizeof(float)) != 0) stats[0] += 1;
      stats[1] = std::max(stats[1], double(std::fabs(mine.grad[a] - ref.grad[b])));
      stats[2] = std::max(stats[2], double(std::fabs(ref.grad[b])));
    }
  auto s = wp::from_host(std::vector<double>{stats[0], stats[1], stats[2]}, wp::Shape{3});
  wp::dist::all_reduce(comm, s, wp::dist::Op::max);
  const auto h = s.to_host();
  auto differing = wp::full<double>(1, stats[0]);
  wp::dist::all_reduce(comm, differing);
  const double loss_rel =
      std::fabs(double(mine.loss) - ref.loss) / std::max(1e-30, std::fabs(double(ref.loss)));
  const double grad_rel = h[1] / std::max(1e-30, h[2]);
  const double kappa_rel = std::fabs(double(mine.kappa_grad) - ref.kappa_grad) /
                           std::max(1e-30, std::fabs(double(ref.kappa_grad)));
  const bool ok = differing.to_host()[0] == 0 && loss_rel <= o.tol && grad_rel <= o.tol && kappa_rel <= o.tol;
  if (comm.rank() == 0) {
    std::printf(
        "check against 1 rank: forward field %s (%.0f cells differ); loss rel. diff %.2e; "
        "dL/du0 max |diff| / max |grad| = %.2e (%s); dL/dkappa rel. diff %.2e (1 rank: %.6g) -> %s\n",
        differing.to_host()[0] == 0 ? "bit-equal" : "DIFFERS", differing.to_host()[0], loss_rel, grad_rel,
        h[1] == 0 ? "bit-equal" : "not bit-equal", kappa_rel, ref.kappa_grad, ok ? "ok" : "FAILED");
  }
  return ok;
}

int run(const Options& o) {
  const Communicator comm = Communicator::world();
  wp::Device dev("cpu");
  if (o.device.rfind("cuda", 0) == 0) {
    const int count = wp::cuda_device_count();
    if (count == 0) {
      if (comm.rank() == 0) std::printf("skipped: no CUDA device\n");
      return 77;
    }
    dev = wp::Device::cuda(comm.rank() % count);
  } else if (o.device != "cpu") {
    bad("--device must be cpu or cuda");
  }
  int nx = o.n, ny = o.n;
  if (o.weak) {
    Grid probe(comm, {1 << 20, 1 << 20}, 0);
    nx = o.weak * probe.procs(0);
    ny = o.weak * probe.procs(1);
  }
  Result best;
  for (int k = 0; k < (o.weak ? o.repeat : 1); ++k) {
    Result r = simulate(comm, o, nx, ny, dev);
    if (k == 0 || r.total_s < best.total_s) best = r;
  }
  Grid grid(comm, {nx, ny}, 1, {true, true});
  if (comm.rank() == 0) {
    std::printf(
        "dist_diffusion: %d rank(s) (%dx%d blocks) on %s, grid %dx%d, %d steps: loss %.6g, dL/dkappa %.6g\n",
        comm.size(), grid.procs(0), grid.procs(1), dev.str().c_str(), nx, ny, o.steps, best.loss,
        best.kappa_grad);
  }
  if (o.weak && comm.rank() == 0) {
    const double cells = double(grid.local(0)) * grid.local(1);
    std::printf(
        "weak scaling: block %dx%d per rank; forward %.3f ms/step, forward+backward %.3f ms/step "
        "(best of %d; %.1f Mcell-steps/s per rank forward)\n",
        o.weak, o.weak, 1e3 * best.forward_s / o.steps, 1e3 * best.total_s / o.steps, o.repeat,
        cells * o.steps / best.forward_s * 1e-6);
  }
  if (o.check && !check(comm, o, best, dev)) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dist_diffusion: error: %s\n", e.what());
    return 1;
  }
}
