// grid.cpp — wp::dist::Grid: the block partition of a 1-D/2-D/3-D grid over a communicator's
// ranks, halo exchange of padded arrays (axis by axis, so edges and corners are filled) and
// its adjoint, the reverse accumulate (contract in wp/dist.h). Slabs are packed into
// contiguous buffers (row copies on the CPU, the runtime's strided copies on CUDA) and sent
// with MPI (CPU) or NCCL (CUDA). Also particle migration (detail::migrate_bytes): counts and a
// validity flag exchanged first, then the items bucketed by destination and sent point to point.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "dist_internal.h"

namespace wp::dist {

namespace {

// Factorises n into `dims` factors as evenly as possible, largest first.
std::vector<int> balanced_factors(int n, int dims) {
  std::vector<int> f(dims, 1);
  std::vector<int> primes;
  for (int p = 2; n > 1; ++p) {
    while (n % p == 0) {
      primes.push_back(p);
      n /= p;
    }
  }
  std::sort(primes.rbegin(), primes.rend());
  for (int p : primes) *std::min_element(f.begin(), f.end()) *= p;
  std::sort(f.rbegin(), f.rend());
  return f;
}

std::string list_str(const std::vector<int>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + ")";
}

// A padded array seen as 3 extents (leading unused axes have extent 1).
struct Box {
  int64_t lo[3], hi[3];
  int64_t count() const { return (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]); }
};
struct Layout {
  int64_t ext[3];
  std::size_t elem;
  DType dtype;  // the elements' scalar type (elem is a multiple of its size)
  Box full() const { return {{0, 0, 0}, {ext[0], ext[1], ext[2]}}; }
  int64_t offset(int64_t i, int64_t j, int64_t k) const {
    return ((i * ext[1] + j) * ext[2] + k) * int64_t(elem);
  }
};

// The slab of `axis` (internal index): which = 0 ghost low, 1 owned low, 2 owned high, 3 ghost high.
Box slab(const Layout& l, int axis, int ghost, int which) {
  Box b = l.full();
  const int64_t n = l.ext[axis] - 2 * ghost;
  const int64_t start[4] = {0, ghost, n, n + ghost};
  b.lo[axis] = start[which];
  b.hi[axis] = start[which] + ghost;
  return b;
}

// CUDA: a 4-D view of a box in words of the element's scalar size (the element's scalars
// last), so the runtime's strided copy kernels move 4- or 8-byte words, not bytes.
template <typename W>
array<W> box_view(void* base, const Layout& l, const Box& b, const Device& d) {
  W* p = reinterpret_cast<W*>(static_cast<unsigned char*>(base) + l.offset(b.lo[0], b.lo[1], b.lo[2]));
  const int64_t e = int64_t(l.elem), w = int64_t(sizeof(W));
  return array<W>(p, Shape{b.hi[0] - b.lo[0], b.hi[1] - b.lo[1], b.hi[2] - b.lo[2], e / w},
                  Strides{l.ext[1] * l.ext[2] * e, l.ext[2] * e, e, w}, d);
}
template <typename W>
array<W> packed_view(const void* p, const Layout& l, const Box& b, const Device& d) {
  return array<W>(static_cast<W*>(const_cast<void*>(p)),
                  Shape{b.hi[0] - b.lo[0], b.hi[1] - b.lo[1], b.hi[2] - b.lo[2], int64_t(l.elem / sizeof(W))},
                  d);
}
// Calls f(W{}) with W the unsigned word of the layout's scalar size.
template <typename F>
void with_word(const Layout& l, F&& f) {
  switch (detail::dtype_size(l.dtype)) {
    case 8:
      return f(uint64_t{});
    case 4:
      return f(uint32_t{});
    default:
      return f(uint8_t{});
  }
}

void pack(void* dst, void* base, const Layout& l, const Box& b, const Device& d) {
  const int64_t row = (b.hi[2] - b.lo[2]) * int64_t(l.elem);
  if (d.is_cuda()) {
    with_word(l, [&](auto w) {
      using W = decltype(w);
      copy(packed_view<W>(dst, l, b, d), box_view<W>(base, l, b, d));
    });
    return;
  }
  unsigned char* out = static_cast<unsigned char*>(dst);
  for (int64_t i = b.lo[0]; i < b.hi[0]; ++i)
    for (int64_t j = b.lo[1]; j < b.hi[1]; ++j, out += row)
      std::memcpy(out, static_cast<unsigned char*>(base) + l.offset(i, j, b.lo[2]), row);
}

// add = false: copy the packed src into the box; add = true: add it (float dtypes).
void unpack(void* base, const void* src, const Layout& l, const Box& b, const Device& d, bool add) {
  const int64_t row = (b.hi[2] - b.lo[2]) * int64_t(l.elem);
  const std::size_t scalars_per_row = row / detail::dtype_size(l.dtype);
  if (d.is_cuda()) {
    with_word(l, [&](auto w) {
      using W = decltype(w);
      array<W> view = box_view<W>(base, l, b, d);
      if (!add) return copy(view, packed_view<W>(src, l, b, d));
      array<W> cur = empty<W>(view.shape(), d);
      copy(cur, view);
      detail::add_into(cur.data(), src, b.count() * int64_t(l.elem / detail::dtype_size(l.dtype)), l.dtype,
                       d);
      copy(view, cur);
    });
    return;
  }
  const unsigned char* in = static_cast<const unsigned char*>(src);
  for (int64_t i = b.lo[0]; i < b.hi[0]; ++i)
    for (int64_t j = b.lo[1]; j < b.hi[1]; ++j, in += row) {
      void* out = static_cast<unsigned char*>(base) + l.offset(i, j, b.lo[2]);
      if (add)
        detail::add_into(out, in, int64_t(scalars_per_row), l.dtype, d);
      else
        std::memcpy(out, in, row);
    }
}

void zero_box(void* base, const Layout& l, const Box& b, const Device& d) {
  if (d.is_cuda()) {
    return with_word(l, [&](auto w) {
      using W = decltype(w);
      fill(box_view<W>(base, l, b, d), W(0));
    });
  }
  const int64_t row = (b.hi[2] - b.lo[2]) * int64_t(l.elem);
  for (int64_t i = b.lo[0]; i < b.hi[0]; ++i)
    for (int64_t j = b.lo[1]; j < b.hi[1]; ++j)
      std::memset(static_cast<unsigned char*>(base) + l.offset(i, j, b.lo[2]), 0, row);
}

// Sends send_box data to the two neighbours and receives into the recv boxes. One call per
// axis: sends [to low, to high], receives [from high, from low] — the order NCCL matches
// point-to-point operations in when both neighbours are one rank.
struct Transfer {
  int low, high;            // neighbour ranks (-1: none)
  Box send_low, send_high;  // sent to low / high
  Box recv_high, recv_low;  // received from high / low
};

void run_transfer(Communicator::Impl& c, void* base, const Layout& l, const Device& d, const Transfer& t,
                  int axis, bool add, const char* op) {
  const std::size_t bytes = std::size_t(t.send_low.count()) * l.elem;
  auto buf = detail::scratch(4 * bytes, d);
  unsigned char* p = static_cast<unsigned char*>(buf.get());
  unsigned char *s_low = p, *s_high = p + bytes, *r_high = p + 2 * bytes, *r_low = p + 3 * bytes;
  if (t.low >= 0) pack(s_low, base, l, t.send_low, d);
  if (t.high >= 0) pack(s_high, base, l, t.send_high, d);
  if (d.is_cuda()) {
    detail::nccl_exchange(c,
                          {{t.low, s_low, bytes, true},
                           {t.high, s_high, bytes, true},
                           {t.high, r_high, bytes, false},
                           {t.low, r_low, bytes, false}},
                          d);
  } else {
    std::vector<MPI_Request> reqs;
    const int down = 2 * axis, up = 2 * axis + 1, n = static_cast<int>(bytes);
    auto post = [&](int rc, const char* call) { detail::mpi_check(rc, call, op); };
    MPI_Request r;
    if (t.high >= 0)
      post(MPI_Irecv(r_high, n, MPI_BYTE, t.high, down, c.comm, &r), "MPI_Irecv"), reqs.push_back(r);
    if (t.low >= 0)
      post(MPI_Irecv(r_low, n, MPI_BYTE, t.low, up, c.comm, &r), "MPI_Irecv"), reqs.push_back(r);
    if (t.low >= 0)
      post(MPI_Isend(s_low, n, MPI_BYTE, t.low, down, c.comm, &r), "MPI_Isend"), reqs.push_back(r);
    if (t.high >= 0)
      post(MPI_Isend(s_high, n, MPI_BYTE, t.high, up, c.comm, &r), "MPI_Isend"), reqs.push_back(r);
    detail::wait_all(c, reqs, op);
  }
  if (add) {  // the sent ghost slabs are now zero (their values went to the owners)
    if (t.low >= 0) zero_box(base, l, t.send_low, d);
    if (t.high >= 0) zero_box(base, l, t.send_high, d);
  }
  if (t.high >= 0) unpack(base, r_high, l, t.recv_high, d, add);
  if (t.low >= 0) unpack(base, r_low, l, t.recv_low, d, add);
}

}  // namespace

Grid::Grid(Communicator comm, std::vector<int> global, int ghost, std::vector<bool> periodic,
           std::vector<int> procs)
    : comm_(std::move(comm)),
      ghost_(ghost),
      global_(std::move(global)),
      procs_(std::move(procs)),
      periodic_(std::move(periodic)) {
  Communicator::Impl& c = detail::impl_of(comm_, "Grid");
  ndim_ = static_cast<int>(global_.size());
  if (ndim_ < 1 || ndim_ > 3)
    throw Error("Grid: the global shape " + list_str(global_) + " must have 1 to 3 extents");
  if (ghost < 0) throw Error("Grid: ghost = " + std::to_string(ghost) + " must be ≥ 0");
  if (periodic_.empty()) periodic_.assign(ndim_, false);
  if (int(periodic_.size()) != ndim_)
    throw Error("Grid: give one periodic flag per axis (" + std::to_string(ndim_) + ")");
  if (procs_.empty()) procs_ = balanced_factors(c.size, ndim_);
  if (int(procs_.size()) != ndim_)
    throw Error("Grid: give one process count per axis (" + std::to_string(ndim_) + ")");
  int product = 1;
  for (int p : procs_) {
    if (p < 1) throw Error("Grid: process counts " + list_str(procs_) + " must be ≥ 1");
    product *= p;
  }
  if (product != c.size) {
    throw Error("Grid: process counts " + list_str(procs_) + " multiply to " + std::to_string(product) +
                " but the communicator has " + std::to_string(c.size) + " ranks");
  }
  coords_.resize(ndim_);
  local_.resize(ndim_);
  offset_.resize(ndim_);
  int r = c.rank;
  for (int a = ndim_ - 1; a >= 0; --a) {  // row-major rank order: the last axis varies fastest
    coords_[a] = r % procs_[a];
    r /= procs_[a];
  }
  for (int a = 0; a < ndim_; ++a) {
    const int n = global_[a], p = procs_[a], q = coords_[a];
    if (n < p) {
      throw Error("Grid: axis " + std::to_string(a) + " has " + std::to_string(n) + " cells for " +
                  std::to_string(p) + " blocks (every block needs at least one cell)");
    }
    local_[a] = n / p + (q < n % p ? 1 : 0);
    offset_[a] = q * (n / p) + std::min(q, n % p);
    if (ghost_ > n / p && (p > 1 || periodic_[a])) {
      throw Error("Grid: " + std::to_string(ghost_) + " ghost layers are more than the smallest block (" +
                  std::to_string(n / p) + " cells) on axis " + std::to_string(a));
    }
  }
}

Shape Grid::local_shape() const {
  int64_t e[3] = {0, 0, 0};
  for (int a = 0; a < ndim_; ++a) e[a] = local_[a];
  return Shape::from_extents(e, ndim_);
}

Shape Grid::padded_shape() const {
  int64_t e[3] = {0, 0, 0};
  for (int a = 0; a < ndim_; ++a) e[a] = local_[a] + 2 * ghost_;
  return Shape::from_extents(e, ndim_);
}

int Grid::rank_of_block(const std::array<int, 3>& c) const {
  int r = 0;
  for (int a = 0; a < ndim_; ++a) {
    int q = c[a];
    if (q < 0 || q >= procs_[a]) {
      if (!periodic_[a]) return -1;
      q = ((q % procs_[a]) + procs_[a]) % procs_[a];
    }
    r = r * procs_[a] + q;
  }
  return r;
}

int Grid::owner_of_cell(const std::array<int64_t, 3>& g) const {
  std::array<int, 3> c{0, 0, 0};
  for (int a = 0; a < ndim_; ++a) {
    int64_t x = g[a];
    const int64_t n = global_[a], p = procs_[a];
    if (x < 0 || x >= n) {
      if (!periodic_[a]) return -1;
      x = ((x % n) + n) % n;
    }
    const int64_t big = n / p + 1, nbig = n % p;  // the first nbig blocks have one cell more
    c[a] = static_cast<int>(x < big * nbig ? x / big : nbig + (x - big * nbig) / (n / p));
  }
  return rank_of_block(c);
}

int Grid::neighbor(const std::array<int, 3>& d) const {
  std::array<int, 3> c{0, 0, 0};
  for (int a = 0; a < ndim_; ++a) c[a] = coords_[a] + d[a];
  return rank_of_block(c);
}

namespace {
Layout layout_of(const Grid& g, const Shape& shape, std::size_t elem, DType dtype, const char* op) {
  if (!(shape == g.padded_shape())) {
    throw Error(std::string(op) + ": the array has shape " + shape.str() +
                " but this rank's padded block is " + g.padded_shape().str() +
                " (allocate it with Grid::allocate)");
  }
  Layout l{{1, 1, 1}, elem, dtype};
  for (int a = 0; a < g.ndim(); ++a) l.ext[3 - g.ndim() + a] = shape[a];
  return l;
}
}  // namespace

void Grid::exchange_bytes(const detail::Buf& b, std::size_t elem, const Shape& shape, bool record) const {
  const char* op = "halo_exchange";
  Communicator::Impl& c = detail::impl_of(comm_, op);
  const Layout l = layout_of(*this, shape, elem, b.dtype, op);
  if (!b.packed) throw Error("halo_exchange: the array must be densely packed");
  if (b.device.is_cuda() && !detail::nccl_built())
    throw Error("halo_exchange: arrays on '" + b.device.str() +
                "' need NCCL, and this runtime was built without it");
  if (ghost_ > 0) {
    for (int a = 0; a < ndim_; ++a) {
      const int ax = 3 - ndim_ + a;
      std::array<int, 3> lo{0, 0, 0}, hi{0, 0, 0};
      lo[a] = -1;
      hi[a] = 1;
      const Transfer t{neighbor(lo),           neighbor(hi),           slab(l, ax, ghost_, 1),
                       slab(l, ax, ghost_, 2), slab(l, ax, ghost_, 3), slab(l, ax, ghost_, 0)};
      run_transfer(c, b.data, l, b.device, t, a, false, op);
    }
  }
  if (!record || !b.grad || !Tape::recording() || !detail::is_float(b.dtype)) return;
  Grid self = *this;
  detail::Buf g = b;
  Tape::recording()->record_func(
      "halo_exchange", [self, g, elem, shape] { self.accumulate_bytes(g, elem, shape); }, {b.ref}, {b.ref});
}

void Grid::accumulate_bytes(const detail::Buf& b, std::size_t elem, const Shape& shape) const {
  const char* op = "halo_exchange (adjoint)";
  Communicator::Impl& c = detail::impl_of(comm_, op);
  const Layout l = layout_of(*this, shape, elem, b.dtype, op);
  void* base = b.grad ? b.grad : b.data;  // a Buf of an array with a gradient: accumulate its gradient
  if (!detail::is_float(b.dtype)) throw Error("halo_exchange (adjoint): needs a float32 or float64 array");
  if (ghost_ == 0) return;
  for (int a = ndim_ - 1; a >= 0; --a) {
    const int ax = 3 - ndim_ + a;
    std::array<int, 3> lo{0, 0, 0}, hi{0, 0, 0};
    lo[a] = -1;
    hi[a] = 1;
    const Transfer t{neighbor(lo),           neighbor(hi),           slab(l, ax, ghost_, 0),
                     slab(l, ax, ghost_, 3), slab(l, ax, ghost_, 2), slab(l, ax, ghost_, 1)};
    run_transfer(c, base, l, b.device, t, a, true, op);
  }
}

namespace detail {

std::vector<unsigned char> migrate_bytes(const Communicator& comm, const void* items, int64_t count,
                                         std::size_t elem, const int* dest, const char* op) {
  Communicator::Impl& c = impl_of(comm, op);
  std::vector<int64_t> per(c.size, 0);
  std::string bad;
  for (int64_t i = 0; i < count; ++i) {
    if (dest[i] < 0 || dest[i] >= c.size) {
      if (bad.empty())
        bad = std::string(op) + ": item " + std::to_string(i) + " has destination rank " +
              std::to_string(dest[i]) + ", outside [0, " + std::to_string(c.size) + ")";
      continue;
    }
    ++per[dest[i]];
  }
  // Counts (and a local error flag) go to every rank first, so that a bad destination on one
  // rank makes every rank throw instead of leaving the others waiting.
  std::vector<int64_t> send_counts(c.size + 1), recv_counts((c.size + 1) * c.size);
  std::copy(per.begin(), per.end(), send_counts.begin());
  send_counts[c.size] = bad.empty() ? 0 : 1;
  std::vector<MPI_Request> req(1);
  mpi_check(MPI_Iallgather(send_counts.data(), c.size + 1, MPI_INT64_T, recv_counts.data(), c.size + 1,
                           MPI_INT64_T, c.comm, &req[0]),
            "MPI_Iallgather", op);
  wait_all(c, req, op);
  if (!bad.empty()) throw Error(bad);
  for (int q = 0; q < c.size; ++q) {
    if (recv_counts[q * (c.size + 1) + c.size])
      throw Error(std::string(op) + ": rank " + std::to_string(q) +
                  " passed an invalid destination (its own error says why)");
  }
  // Bucket the items by destination (stable), then exchange the buckets.
  std::vector<int64_t> start(c.size + 1, 0);
  for (int q = 0; q < c.size; ++q) start[q + 1] = start[q] + per[q];
  std::vector<unsigned char> sorted(std::size_t(count) * elem);
  std::vector<int64_t> pos(start.begin(), start.end() - 1);
  for (int64_t i = 0; i < count; ++i) {
    std::memcpy(&sorted[std::size_t(pos[dest[i]]++) * elem],
                static_cast<const unsigned char*>(items) + i * elem, elem);
  }
  std::vector<int64_t> incoming(c.size);
  int64_t total = per[c.rank];
  for (int q = 0; q < c.size; ++q) {
    incoming[q] = recv_counts[q * (c.size + 1) + c.rank];
    if (q != c.rank) total += incoming[q];
  }
  std::vector<unsigned char> out(std::size_t(total) * elem);
  std::memcpy(out.data(), &sorted[std::size_t(start[c.rank]) * elem], std::size_t(per[c.rank]) * elem);
  std::vector<MPI_Request> reqs;
  std::size_t at = std::size_t(per[c.rank]) * elem;
  for (int q = 0; q < c.size; ++q) {
    if (q == c.rank) continue;
    MPI_Request r;
    if (incoming[q] > 0) {
      if (incoming[q] * int64_t(elem) > INT32_MAX)
        throw Error(std::string(op) + ": more than 2 GiB from one rank");
      mpi_check(MPI_Irecv(&out[at], int(incoming[q] * elem), MPI_BYTE, q, 77, c.comm, &r), "MPI_Irecv", op);
      reqs.push_back(r);
      at += std::size_t(incoming[q]) * elem;
    }
    if (per[q] > 0) {
      if (per[q] * int64_t(elem) > INT32_MAX) throw Error(std::string(op) + ": more than 2 GiB to one rank");
      mpi_check(
          MPI_Isend(&sorted[std::size_t(start[q]) * elem], int(per[q] * elem), MPI_BYTE, q, 77, c.comm, &r),
          "MPI_Isend", op);
      reqs.push_back(r);
    }
  }
  wait_all(c, reqs, op);
  return out;
}

}  // namespace detail
}  // namespace wp::dist
