// dist_nccl_test.cpp — wp::dist on CUDA arrays through NCCL with ONE rank and several streams
// on cuda:0 (label `gpu`; every test skips without a GPU). It uses local communicators
// (Communicator::local, ncclCommInitAll) and makes no MPI call, so it runs without mpirun and
// without OpenMPI's plugins (a GPU machine with only the shared libraries): collectives issued
// on two streams, a dist::Group, halo exchange on the GPU against the closed form (periodic and
// not, ghost 2, incl. corners) and its adjoint against the transpose identity, a collective
// captured into a CUDA graph and replayed, and the tape adjoint of an all-reduce. The MPI + NCCL
// path (one NCCL communicator per device of an MPI communicator) is run by
// example-dist_diffusion-cuda under mpirun.
#include <gtest/gtest.h>

#include <cmath>

#include "wp/dist.h"
#include "wp/graph.h"
#include "wp/stream.h"

using namespace wp::dist;

namespace {

#define NEED_GPU() \
  if (wp::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device"

const wp::Device gpu("cuda:0");

TEST(DistNccl, CollectivesOnTwoStreams) {
  NEED_GPU();
  Communicator c = Communicator::local({gpu})[0];
  ASSERT_EQ(c.size(), 1);
  wp::Stream s1(gpu), s2(gpu);
  auto a = wp::from_host(std::vector<float>{1, 2, 3, 4}, wp::Shape{4}, gpu);
  auto sum = wp::zeros<float>(4, gpu);
  auto g = wp::zeros<float>(4, gpu);
  {
    wp::ScopedStream use(s1);
    all_reduce(c, a, sum, Op::max);
  }
  {
    wp::ScopedStream use(s2);
    all_gather(c, a, g);
    broadcast(c, g, 0);
  }
  wp::synchronize(gpu);
  EXPECT_EQ(sum.to_host(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(g.to_host(), (std::vector<float>{1, 2, 3, 4}));
  auto rs = wp::zeros<float>(4, gpu);
  reduce_scatter(c, a, rs);
  EXPECT_EQ(rs.to_host()[3], 4.0f);
  auto bad = wp::zeros<float>(4);
  EXPECT_THROW(all_reduce(c, a, bad), wp::Error);  // devices differ
}

TEST(DistNccl, LocalCommunicatorInAGroup) {
  NEED_GPU();
  std::vector<Communicator> comms = Communicator::local({gpu});
  ASSERT_EQ(comms.size(), 1u);
  auto a = wp::full<double>(8, 2.5, gpu);
  {
    Group group;
    all_reduce(comms[0], a);
  }
  EXPECT_EQ(a.to_host()[7], 2.5);
  EXPECT_THROW(Communicator::local({wp::Device("cpu")}), wp::Error);
}

TEST(DistNccl, HaloExchangeAndItsTranspose) {
  NEED_GPU();
  Communicator c = Communicator::local({gpu})[0];
  Grid g(c, {7, 9}, 2, {true, false});  // one block: axis 0 wraps onto itself, axis 1 keeps its ghosts
  const int rows = 7 + 4, cols = 9 + 4;
  std::vector<double> h(size_t(rows) * cols);
  for (size_t i = 0; i < h.size(); ++i) h[i] = std::sin(0.3 + 0.7 * double(i));
  auto x = wp::from_host(h, g.padded_shape(), gpu);
  g.exchange(x);
  auto ex = x.to_host();
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      // Axis 0 wraps: row i is owned row gi's copy, whole (its ghost columns too: slabs span
      // the full padded extent, so corners come along); axis 1 has no neighbour and keeps them.
      const int gi = ((i - 2) % 7 + 7) % 7;
      const double want = h[size_t(gi + 2) * cols + j];
      ASSERT_EQ(ex[size_t(i) * cols + j], want) << "cell (" << i << ", " << j << ")";
    }
  std::vector<double> hy(h.size());
  for (size_t i = 0; i < hy.size(); ++i) hy[i] = std::cos(0.1 + 0.37 * double(i));
  auto y = wp::from_host(hy, g.padded_shape(), gpu);
  g.exchange_adjoint(y);
  auto ety = y.to_host();
  double a = 0, b = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    a += ex[i] * hy[i];
    b += h[i] * ety[i];
  }
  EXPECT_NEAR(a, b, 1e-12 * (std::abs(a) + 1));
}

TEST(DistNccl, AllReduceCapturedInAGraph) {
  NEED_GPU();
  Communicator c = Communicator::local({gpu})[0];
  auto a = wp::full<float>(16, 1.0f, gpu);
  auto out = wp::zeros<float>(16, gpu);
  all_reduce(c, a, out);
  wp::Stream s(gpu);
  wp::capture_begin(s);
  all_reduce(c, out, a, Op::sum);
  wp::Graph graph = wp::capture_end();
  wp::fill(out, 3.0f);
  wp::synchronize(gpu);
  wp::capture_launch(graph);
  wp::synchronize(gpu);
  EXPECT_EQ(a.to_host()[15], 3.0f);
}

TEST(DistNccl, TapeAdjointOfAllReduce) {
  NEED_GPU();
  Communicator c = Communicator::local({gpu})[0];
  auto x = wp::full<float>(4, 1.0f, gpu, true);
  auto y = wp::zeros<float>(4, gpu, true);
  wp::Tape tape;
  {
    wp::TapeScope rec(tape);
    all_reduce(c, x, y);
  }
  wp::fill(y.grad_array(), 2.0f);
  tape.backward();
  EXPECT_EQ(x.grad_array().to_host()[2], 2.0f);
}

}  // namespace
