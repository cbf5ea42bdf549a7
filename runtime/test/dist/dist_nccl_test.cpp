// dist_nccl_test.cpp — wp::dist on CUDA arrays through NCCL with ONE rank (mpirun -n 1) and
// several streams on cuda:0 (label `gpu`; every test skips without a GPU): collectives issued on
// two streams, a local communicator (ncclCommInitAll) driven inside a dist::Group, halo
// exchange and its adjoint on the GPU against the same operations on the CPU, a collective
// captured into a CUDA graph and replayed, and the tape adjoint of an all-reduce.
#include <gtest/gtest.h>

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
  Communicator c = Communicator::world();
  ASSERT_EQ(c.size(), 1) << "run with mpirun -n 1";
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

TEST(DistNccl, HaloExchangeMatchesTheCpu) {
  NEED_GPU();
  Communicator c = Communicator::world();
  Grid g(c, {7, 9}, 2, {true, false});
  auto cpu = g.allocate<float>();
  std::vector<float> h(cpu.size());
  for (size_t i = 0; i < h.size(); ++i) h[i] = float(i) * 0.5f - 3.0f;
  wp::copy(cpu, wp::from_host(h, cpu.shape()));
  auto dev = g.allocate<float>(gpu);
  wp::copy(dev, cpu);
  g.exchange(cpu);
  g.exchange(dev);
  EXPECT_EQ(dev.to_host(), cpu.to_host());
  g.exchange_adjoint(cpu);
  g.exchange_adjoint(dev);
  EXPECT_EQ(dev.to_host(), cpu.to_host());
}

TEST(DistNccl, AllReduceCapturedInAGraph) {
  NEED_GPU();
  Communicator c = Communicator::world();
  auto a = wp::full<float>(16, 1.0f, gpu);
  auto out = wp::zeros<float>(16, gpu);
  all_reduce(c, a, out);  // creates the NCCL communicator outside the capture
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
  Communicator c = Communicator::world();
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
