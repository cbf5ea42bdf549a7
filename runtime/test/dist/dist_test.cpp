// dist_test.cpp — wp::dist on CPU arrays under mpirun with 1–4 ranks (CTest runs it with 1, 2,
// 3 and 4): collectives' values for scalars and vectors, the checks that make every rank throw
// on mismatched or invalid arguments, the bounded wait, the block partition, halo exchange
// (1-D/2-D/3-D, periodic and not, ghost 1 and 2, edges and corners) and its adjoint (the
// transpose identity <E x, y> = <x, Eᵀ y> over all ranks), the tape adjoints of the
// collectives against closed forms, gradient averaging, and particle migration (conserved
// count and ids, every item at its destination).
#include "wp/dist.h"

#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <numeric>

#include "wp/dist_mpi.h"

using namespace wp::dist;

namespace {

Communicator world() {
  static Communicator c = Communicator::world();
  return c;
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const wp::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Dist, RankAndSize) {
  const Communicator c = world();
  int r = -1, s = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  EXPECT_EQ(c.rank(), r);
  EXPECT_EQ(c.size(), s);
  EXPECT_EQ(Communicator::self().size(), 1);
  EXPECT_EQ(Communicator::self().rank(), 0);
}

TEST(Dist, AllReduceSumMinMax) {
  const Communicator c = world();
  const int r = c.rank(), n = c.size();
  auto a = wp::from_host(std::vector<float>{float(r + 1), float(-r), 0.5f * r}, wp::Shape{3});
  auto out = wp::zeros<float>(3);
  all_reduce(c, a, out, Op::sum);
  auto h = out.to_host();
  EXPECT_EQ(h[0], float(n * (n + 1) / 2));
  EXPECT_EQ(h[1], float(-n * (n - 1) / 2));
  all_reduce(c, a, out, Op::min);
  EXPECT_EQ(out.to_host()[1], float(-(n - 1)));
  all_reduce(c, a, Op::max);  // in place
  EXPECT_EQ(a.to_host()[0], float(n));
  auto ints = wp::full<int64_t>(5, int64_t(r) << 33);
  all_reduce(c, ints);
  EXPECT_EQ(ints.to_host()[4], (int64_t(n * (n - 1) / 2)) << 33);
  auto v = wp::full<wp::vec3>(2, wp::vec3{1.0f, float(r), -1.0f});
  all_reduce(c, v, Op::sum);
  EXPECT_EQ(v.to_host()[1], (wp::vec3{float(n), float(n * (n - 1) / 2), float(-n)}));
}

TEST(Dist, BroadcastGatherScatterReduce) {
  const Communicator c = world();
  const int r = c.rank(), n = c.size(), root = n - 1;
  auto b = wp::full<double>(4, r == root ? 2.5 : -1.0);
  broadcast(c, b, root);
  for (double x : b.to_host()) EXPECT_EQ(x, 2.5);

  auto mine = wp::from_host(std::vector<int>{r, 10 * r}, wp::Shape{2});
  auto all = wp::zeros<int>(2 * n);
  all_gather(c, mine, all);
  auto h = all.to_host();
  for (int q = 0; q < n; ++q) {
    EXPECT_EQ(h[2 * q], q);
    EXPECT_EQ(h[2 * q + 1], 10 * q);
  }

  std::vector<float> send(3 * n);
  for (int i = 0; i < 3 * n; ++i) send[i] = float(i + r);
  auto s = wp::from_host(send, wp::Shape{3 * n});
  auto part = wp::zeros<float>(3);
  reduce_scatter(c, s, part);
  auto p = part.to_host();
  for (int k = 0; k < 3; ++k) EXPECT_EQ(p[k], float(n * (3 * r + k) + n * (n - 1) / 2));

  auto red = wp::zeros<float>(3);
  reduce(c, wp::full<float>(3, 1.0f), red, 0);
  if (r == 0) {
    EXPECT_EQ(red.to_host()[2], float(n));
  }
}

TEST(Dist, MismatchedCountsThrowOnEveryRank) {
  const Communicator c = world();
  if (c.size() < 2) GTEST_SKIP() << "needs 2 ranks";
  auto a = wp::zeros<float>(c.rank() == 1 ? 5 : 4);
  const std::string e = error_of([&] { all_reduce(c, a); });
  EXPECT_NE(
      e.find(
          "all_reduce: ranks disagree: rank 0 passed 4 float32 values on the CPU, rank 1 passed 5 float32"),
      std::string::npos)
      << e;
}

TEST(Dist, MismatchedDtypesAndRootsThrow) {
  const Communicator c = world();
  if (c.size() < 2) GTEST_SKIP() << "needs 2 ranks";
  std::string e;
  if (c.rank() == 0)
    e = error_of([&] {
      auto a = wp::zeros<float>(4);
      all_reduce(c, a);
    });
  else
    e = error_of([&] {
      auto a = wp::zeros<double>(4);
      all_reduce(c, a);
    });
  EXPECT_NE(e.find("float32 values on the CPU, rank 1 passed 4 float64"), std::string::npos) << e;
  e = error_of([&] {
    auto a = wp::zeros<float>(2);
    broadcast(c, a, c.rank() == 0 ? 0 : 1);
  });
  EXPECT_NE(e.find("broadcast: ranks disagree on the root: rank 0 0, rank 1 1"), std::string::npos) << e;
  e = error_of([&] {
    auto a = wp::zeros<float>(2);
    all_reduce(c, a, c.rank() == 0 ? Op::sum : Op::max);
  });
  EXPECT_NE(e.find("ranks disagree on the operation: rank 0 sum, rank 1 max"), std::string::npos) << e;
}

TEST(Dist, LocalArgumentErrorsReachEveryRank) {
  const Communicator c = world();
  auto send = wp::zeros<float>(2);
  auto recv = wp::zeros<float>(c.rank() == 0 ? 3 : 2 * c.size());
  const std::string e = error_of([&] { all_gather(c, send, recv); });
  if (c.rank() == 0) {
    EXPECT_NE(e.find("all_gather: the receive array has 3 values but needs size × send"), std::string::npos)
        << e;
  } else {
    EXPECT_NE(e.find("all_gather: rank 0 rejected its arguments"), std::string::npos) << e;
  }
  EXPECT_NE(error_of([&] {
              auto a = wp::zeros<float>(2);
              broadcast(c, a, c.size());
            }).find("is not a rank of this communicator"),
            std::string::npos);
  auto m = wp::zeros<float>({4, 4});
  auto strided = wp::array<float>(m.data(), wp::Shape{4}, wp::Strides{16});
  EXPECT_NE(error_of([&] { all_reduce(c, strided); }).find("all_reduce: arrays must be densely packed"),
            std::string::npos);
#ifndef WARPC_TEST_HAS_NCCL
  auto gpu = wp::array<float>(reinterpret_cast<float*>(64), wp::Shape{4}, wp::Device("cuda:0"));
  EXPECT_NE(error_of([&] { all_reduce(c, gpu); }).find("need NCCL"), std::string::npos);
#endif
  EXPECT_NE(error_of([] {
              Communicator null;
              null.rank();
            }).find("the communicator is null"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              Communicator x = world();
              x.set_timeout(0);
            }).find("not a positive number"),
            std::string::npos);
}

TEST(Dist, TimeoutInsteadOfHang) {
  const Communicator w = world();
  if (w.size() < 2) GTEST_SKIP() << "needs 2 ranks";
  MPI_Comm dup;
  MPI_Comm_dup(MPI_COMM_WORLD, &dup);
  {
    Communicator c = from_mpi(dup);
    c.set_checks(false);
    c.set_timeout(0.3);
    auto a = wp::full<float>(1, 1.0f);
    if (c.rank() != 0) {
      const std::string e = error_of([&] { all_reduce(c, a); });
      EXPECT_NE(e.find("all_reduce: timed out after 0.3 s on rank"), std::string::npos) << e;
    }
    w.barrier();
    if (c.rank() == 0) all_reduce(c, a);  // completes the others' abandoned operation
    w.barrier();
  }
}

TEST(Dist, GridPartition) {
  const Communicator c = world();
  for (int dims = 1; dims <= 3; ++dims) {
    std::vector<int> global = {11, 7, 5};
    global.resize(dims);
    Grid g(c, global, 1, std::vector<bool>(dims, true));
    int64_t cells = g.local_shape().size();
    auto total = wp::full<int64_t>(1, cells);
    all_reduce(c, total);
    EXPECT_EQ(total.to_host()[0],
              std::accumulate(global.begin(), global.end(), int64_t(1), std::multiplies<>()));
    std::array<int64_t, 3> first{0, 0, 0};
    for (int a = 0; a < dims; ++a) first[a] = g.offset(a);
    EXPECT_EQ(g.owner_of_cell(first), c.rank());
    std::array<int64_t, 3> last = first;
    for (int a = 0; a < dims; ++a) last[a] = g.offset(a) + g.local(a) - 1;
    EXPECT_EQ(g.owner_of_cell(last), c.rank());
  }
  EXPECT_NE(error_of([&] {
              Grid(c, {8, 8}, 1, {}, {c.size() + 1, 1});
            }).find("multiply to"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Grid(c, {8, 8, 8, 8}, 1); }).find("must have 1 to 3 extents"), std::string::npos);
  EXPECT_NE(error_of([&] { Grid(c, {c.size() * 2}, 3, {true}); }).find("ghost layers are more than"),
            std::string::npos);
}

// f(global index) with distinct values; ghosts checked against the wrapped global index.
double cell_value(const std::array<int64_t, 3>& g) {
  return 1.0 + g[0] * 10000.0 + g[1] * 100.0 + g[2];
}

void check_halo(const Grid& g) {
  const int d = g.ndim(), h = g.ghost();
  auto a = g.allocate<double>();
  wp::fill(a, -1.0);
  std::array<int, 3> pad{1, 1, 1};
  for (int ax = 0; ax < d; ++ax) pad[ax] = g.local(ax) + 2 * h;
  auto host = a.to_host();
  auto idx = [&](int i, int j, int k) { return (int64_t(i) * pad[1] + j) * pad[2] + k; };
  auto global_of = [&](int i, int j, int k, bool& inside, bool& owned) {
    std::array<int, 3> l{i, j, k};
    std::array<int64_t, 3> gl{0, 0, 0};
    inside = owned = true;
    for (int ax = 0; ax < d; ++ax) {
      int64_t x = g.offset(ax) + l[ax] - h;
      if (l[ax] < h || l[ax] >= h + g.local(ax)) owned = false;
      if (x < 0 || x >= g.global(ax)) {
        if (!g.periodic(ax)) inside = false;
        x = ((x % g.global(ax)) + g.global(ax)) % g.global(ax);
      }
      gl[ax] = x;
    }
    return gl;
  };
  for (int i = 0; i < pad[0]; ++i)
    for (int j = 0; j < pad[1]; ++j)
      for (int k = 0; k < pad[2]; ++k) {
        bool inside, owned;
        auto gl = global_of(i, j, k, inside, owned);
        if (owned) host[idx(i, j, k)] = cell_value(gl);
      }
  wp::copy(a, wp::from_host(host, a.shape()));
  g.exchange(a);
  auto out = a.to_host();
  int wrong = 0;
  for (int i = 0; i < pad[0]; ++i)
    for (int j = 0; j < pad[1]; ++j)
      for (int k = 0; k < pad[2]; ++k) {
        bool inside, owned;
        auto gl = global_of(i, j, k, inside, owned);
        const double want = inside ? cell_value(gl) : -1.0;
        if (out[idx(i, j, k)] != want && wrong++ < 5) {
          ADD_FAILURE() << "rank " << g.comm().rank() << " cell (" << i << ", " << j << ", " << k
                        << ") = " << out[idx(i, j, k)] << ", want " << want;
        }
      }
  EXPECT_EQ(wrong, 0);
}

TEST(Dist, HaloExchangeEdgesAndCorners) {
  const Communicator c = world();
  check_halo(Grid(c, {13}, 1, {true}));
  check_halo(Grid(c, {13}, 2, {false}));
  check_halo(Grid(c, {9, 10}, 1, {true, true}));
  check_halo(Grid(c, {9, 10}, 2, {true, false}));
  check_halo(Grid(c, {8, 9}, 1, {false, false}, {1, c.size()}));
  check_halo(Grid(c, {6, 7, 8}, 1, {true, true, true}));
  check_halo(Grid(c, {6, 7, 8}, 2, {false, true, false}));
  Grid g(c, {8, 8}, 1);
  auto wrong = wp::zeros<float>({3, 3});
  EXPECT_NE(error_of([&] {
              g.exchange(wrong);
            }).find("halo_exchange: the array has shape (3, 3) but this rank's padded block is"),
            std::string::npos);
}

// <E x, y> == <x, Eᵀ y> summed over ranks: exchange_adjoint is the transpose of exchange.
void check_transpose(const Grid& g) {
  auto x = g.allocate<double>();
  auto y = g.allocate<double>();
  std::vector<double> hx(x.size()), hy(y.size());
  for (size_t i = 0; i < hx.size(); ++i) {
    hx[i] = std::sin(1.0 + i * 0.37 + g.comm().rank() * 1.3);
    hy[i] = std::cos(0.5 + i * 0.11 + g.comm().rank() * 0.7);
  }
  wp::copy(x, wp::from_host(hx, x.shape()));
  wp::copy(y, wp::from_host(hy, y.shape()));
  g.exchange(x);
  g.exchange_adjoint(y);
  auto ex = x.to_host(), ety = y.to_host();
  double dots[2] = {0, 0};
  for (size_t i = 0; i < hx.size(); ++i) {
    dots[0] += ex[i] * hy[i];
    dots[1] += hx[i] * ety[i];
  }
  auto d = wp::from_host(std::vector<double>{dots[0], dots[1]}, wp::Shape{2});
  all_reduce(g.comm(), d);
  auto h = d.to_host();
  EXPECT_NEAR(h[0], h[1], 1e-12 * (std::abs(h[0]) + 1)) << "ndim " << g.ndim();
}

TEST(Dist, HaloAdjointIsTheTranspose) {
  const Communicator c = world();
  check_transpose(Grid(c, {13}, 2, {true}));
  check_transpose(Grid(c, {9, 10}, 1, {true, false}));
  check_transpose(Grid(c, {9, 10}, 2, {true, true}));
  check_transpose(Grid(c, {6, 7, 8}, 1, {true, false, true}));
}

// A host "loss" Σ w_i y_i recorded on the tape (its backward adds w into y's gradient).
void record_weighted_sum(wp::Tape& tape, const wp::array<float>& y, std::vector<float> w) {
  tape.record_func("weighted_sum",
                   [y, w] {
                     auto g = y.grad_array().to_host();
                     for (size_t i = 0; i < w.size(); ++i) g[i] += w[i];
                     wp::copy(y.grad_array(), wp::from_host(std::vector<float>(g), y.shape()));
                   },
                   {wp::tape_ref(y)}, {});
}

TEST(Dist, CollectiveAdjointsOnTheTape) {
  const Communicator c = world();
  const int r = c.rank(), n = c.size();
  auto x = wp::full<float>(3, 1.0f, "cpu", true);
  auto y = wp::zeros<float>(3, "cpu", true);
  auto b = wp::full<float>(3, 2.0f, "cpu", true);
  auto gx = wp::full<float>(2, 1.0f, "cpu", true);
  auto gy = wp::zeros<float>(2 * n, "cpu", true);
  auto sx = wp::full<float>(2 * n, 1.0f, "cpu", true);
  auto sy = wp::zeros<float>(2, "cpu", true);
  wp::Tape tape;
  {
    wp::TapeScope rec(tape);
    all_reduce(c, x, y);
    record_weighted_sum(tape, y, {float(r), 1.0f, 0.0f});
    broadcast(c, b, 0);
    record_weighted_sum(tape, b, {1.0f, float(r + 1), 0.0f});
    all_gather(c, gx, gy);
    std::vector<float> wg(2 * n);
    for (int i = 0; i < 2 * n; ++i) wg[i] = float(i * (r + 1));
    record_weighted_sum(tape, gy, wg);
    reduce_scatter(c, sx, sy);
    record_weighted_sum(tape, sy, {float(r), 1.0f});
  }
  tape.backward();
  const float sum_r = float(n * (n - 1) / 2), sum_r1 = float(n * (n + 1) / 2);
  auto hx = x.grad_array().to_host();
  EXPECT_EQ(hx[0], sum_r);
  EXPECT_EQ(hx[1], float(n));
  EXPECT_EQ(hx[2], 0.0f);
  auto hb = b.grad_array().to_host();
  EXPECT_EQ(hb[0], r == 0 ? float(n) : 0.0f);
  EXPECT_EQ(hb[1], r == 0 ? sum_r1 : 0.0f);
  auto hg = gx.grad_array().to_host();  // Σ_q (2r + k)(q + 1)
  EXPECT_EQ(hg[0], float(2 * r) * sum_r1);
  EXPECT_EQ(hg[1], float(2 * r + 1) * sum_r1);
  auto hs = sx.grad_array().to_host();  // block q of sx gets rank q's weights
  for (int q = 0; q < n; ++q) {
    EXPECT_EQ(hs[2 * q], float(q));
    EXPECT_EQ(hs[2 * q + 1], 1.0f);
  }
}

TEST(Dist, HaloExchangeOnTheTape) {
  const Communicator c = world();
  Grid g(c, {10}, 1, {true});
  auto a = g.allocate<float>("cpu", true);
  wp::Tape tape;
  {
    wp::TapeScope rec(tape);
    g.exchange(a);
  }
  wp::fill(a.grad_array(), 1.0f);  // every cell, ghosts included, read once
  tape.backward();
  auto h = a.grad_array().to_host();
  const int m = g.local(0);
  EXPECT_EQ(h[0], 0.0f);
  EXPECT_EQ(h[m + 1], 0.0f);
  EXPECT_EQ(h[1], m == 1 ? 3.0f : 2.0f);  // itself + the ghost copy on the left neighbour
  EXPECT_EQ(h[m], m == 1 ? 3.0f : 2.0f);
}

TEST(Dist, AllReduceGradientsAverages) {
  const Communicator c = world();
  auto p = wp::zeros<float>(2, "cpu", true);
  auto q = wp::zeros<double>(1, "cpu", true);
  wp::fill(p.grad_array(), float(c.rank()));
  wp::fill(q.grad_array(), 2.0 * c.rank());
  all_reduce_gradients(c, true, p, q);
  EXPECT_FLOAT_EQ(p.grad_array().to_host()[1], float(c.size() - 1) / 2.0f);
  EXPECT_DOUBLE_EQ(q.grad_array().to_host()[0], double(c.size() - 1));
  auto none = wp::zeros<float>(2);
  EXPECT_NE(error_of([&] { all_reduce_gradients(c, false, none); }).find("has no gradient buffer"),
            std::string::npos);
}

struct Particle {
  float x, y;
  int id, pad;
};

TEST(Dist, MigrationConservesParticles) {
  const Communicator c = world();
  Grid g(c, {16, 16}, 1, {true, true});
  const int r = c.rank(), count = 50 + 7 * r;
  std::vector<Particle> ps(count);
  std::vector<int> dest(count);
  for (int i = 0; i < count; ++i) {
    const float x = std::fmod(3.7f * i + 1.3f * r, 16.0f), y = std::fmod(5.3f * i + 0.7f * r * r, 16.0f);
    ps[i] = {x, y, r * 1000 + i, 0};
    dest[i] = g.owner_of_cell({int64_t(x), int64_t(y), 0});
  }
  auto items = wp::from_host(ps, wp::Shape{count});
  auto mine = migrate(c, items, wp::from_host(dest, wp::Shape{count}));
  auto h = mine.to_host();
  int64_t id_sum = 0;
  for (const Particle& p : h) {
    EXPECT_EQ(g.owner_of_cell({int64_t(p.x), int64_t(p.y), 0}), r);
    id_sum += p.id;
  }
  auto totals =
      wp::from_host(std::vector<int64_t>{int64_t(h.size()), id_sum, count,
                                         int64_t(count) * (1000 * r) + int64_t(count) * (count - 1) / 2},
                    wp::Shape{4});
  all_reduce(c, totals);
  auto t = totals.to_host();
  EXPECT_EQ(t[0], t[2]);  // particles conserved
  EXPECT_EQ(t[1], t[3]);  // and every id arrived once
  std::vector<int> bad(3, 0);
  if (r == 0) bad[1] = c.size();
  const std::string e = error_of([&] { migrate(c, items.slice(0, 3), wp::from_host(bad, wp::Shape{3})); });
  if (r == 0) {
    EXPECT_NE(e.find("migrate: item 1 has destination rank"), std::string::npos) << e;
  } else {
    EXPECT_NE(e.find("migrate: rank 0 passed an invalid destination"), std::string::npos) << e;
  }
}

}  // namespace
