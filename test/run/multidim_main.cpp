// multidim_main.cpp — driver of multidim.wp: 2-D/3-D/4-D launches and arrays, row views,
// a strided (non-contiguous) 2-D view made by wrapping every other column of a larger array,
// and a 1-D launch over a 2-D array. Expected values are closed forms of the indices.
#include "multidim.wp.h"
#include "run_check.h"

namespace {

void check_fill(run::Check& check, const wp::Device& dev) {
  const int r = 7, c = 13;
  auto a = wp::zeros<float>({r, c}, dev);
  multidim::fill2d({r, c}, a);
  auto g = run::fetch(a);
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < c; ++j) check.eq(run::at("fill2d", i, j), g[i * c + j], float(i * 100 + j));

  const int d0 = 3, d1 = 5, d2 = 6;
  auto b = wp::zeros<int>({d0, d1, d2}, dev);
  multidim::fill3d({d0, d1, d2}, b);
  auto gb = run::fetch(b);
  for (int i = 0; i < d0; ++i)
    for (int j = 0; j < d1; ++j)
      for (int k = 0; k < d2; ++k)
        check.eq("fill3d", gb[(i * d1 + j) * d2 + k], i * 10000 + j * 100 + k + d2 * 1000000);

  const int e[4] = {2, 3, 4, 5};
  auto q = wp::full<int>({e[0], e[1], e[2], e[3]}, -1, dev);
  multidim::fill4d({e[0], e[1], e[2], e[3]}, q);
  auto gq = run::fetch(q);
  for (int f = 0; f < e[0] * e[1] * e[2] * e[3]; ++f) check.eq(run::at("fill4d", f), gq[f], f);

  auto sums = wp::zeros<int>({d0, d1}, dev);
  multidim::plane_sums({d0, d1}, b, sums);
  auto gs = run::fetch(sums);
  for (int i = 0; i < d0; ++i)
    for (int j = 0; j < d1; ++j) {
      int want = 0;
      for (int k = 0; k < d2; ++k) want += i * 10000 + j * 100 + k + d2 * 1000000;
      check.eq(run::at("plane_sums", i, j), gs[i * d1 + j], want);
    }
}

void check_rows(run::Check& check, const wp::Device& dev) {
  const int r = 9, c = 11;
  std::vector<float> host(r * c), factors(r);
  for (int i = 0; i < r * c; ++i) host[i] = 0.5f * (i % 17) - 2.0f;
  for (int i = 0; i < r; ++i) factors[i] = 1.0f + 0.25f * i;
  auto a = wp::from_host(host, {r, c}, dev);
  auto f = wp::from_host(factors, dev);
  auto sums = wp::zeros<float>(r, dev);
  multidim::row_sums(r, a, sums);
  multidim::scale_rows(r, a, f);
  auto gs = run::fetch(sums);
  auto ga = run::fetch(a);
  for (int i = 0; i < r; ++i) {
    double want = 0;
    for (int j = 0; j < c; ++j) {
      want += host[i * c + j];
      check.near(run::at("scale_rows", i, j), ga[i * c + j], host[i * c + j] * factors[i]);
    }
    check.near(run::at("row_sums", i), gs[i], want);
  }
}

// A 2-D view of every other column of a (r, 2c) array: byte strides (2c*4, 8).
void check_strided(run::Check& check, const wp::Device& dev) {
  const int r = 6, c = 5;
  auto big = wp::full<float>({r, 2 * c}, -1.0f, dev);
  wp::array<float> odd_cols(big.data() + 1, {r, c}, wp::Strides{2 * c * 4, 8}, dev);
  multidim::fill2d({r, c}, odd_cols);
  auto sums = wp::zeros<float>(r, dev);
  multidim::row_sums(r, odd_cols, sums);
  auto g = run::fetch(big);
  auto gs = run::fetch(sums);
  for (int i = 0; i < r; ++i) {
    float want_sum = 0;
    for (int j = 0; j < 2 * c; ++j) {
      float want = (j % 2 == 1) ? float(i * 100 + j / 2) : -1.0f;
      if (j % 2 == 1) want_sum += want;
      check.eq(run::at("strided", i, j), g[i * 2 * c + j], want);
    }
    check.near(run::at("strided_row_sums", i), gs[i], want_sum);
  }
}

void check_transpose_and_flat(run::Check& check, const wp::Device& dev) {
  const int r = 4, c = 19;
  std::vector<wp::vec2f> src(r * c);
  for (int i = 0; i < r * c; ++i) src[i] = wp::vec2f{{float(i), float(-2 * i)}};
  auto ds = wp::from_host(src, {r, c}, dev);
  auto dt = wp::zeros<wp::vec2f>({c, r}, dev);
  multidim::transpose({r, c}, ds, dt);
  auto g = run::fetch(dt);
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < c; ++j) {
      const wp::vec2f& v = g[j * r + i];
      check.eq(run::at("transpose.x", i, j), v[0], src[i * c + j][1]);
      check.eq(run::at("transpose.y", i, j), v[1], src[i * c + j][0]);
    }

  auto flat = wp::zeros<int>({r, c}, dev);
  multidim::flat_over_2d(r * c, flat);
  auto gf = run::fetch(flat);
  for (int t = 0; t < r * c; ++t) check.eq(run::at("flat_over_2d", t), gf[t], t);
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "multidim", [](run::Check& check, const wp::Device& dev) {
    check_fill(check, dev);
    check_rows(check, dev);
    check_strided(check, dev);
    check_transpose_and_flat(check, dev);
  });
}
