// wide_access_main.cpp — driver of wide_access.wp: every kernel at sizes 1 … 37 and 4099
// (all tails of 2, 4 and 8 lanes), on fresh arrays (aligned, contiguous: the wide kernel on
// CUDA, except for the vec3 kernel), on views that start one element in (not 16-byte aligned) and on strided views (both:
// the plain kernel). Expected values are computed here in double precision.
#include <cmath>

#include "run_check.h"
#include "wide_access.wp.h"

namespace {

std::vector<int64_t> sizes() {
  std::vector<int64_t> out;
  for (int64_t n = 1; n <= 37; ++n) out.push_back(n);
  out.push_back(4099);
  return out;
}

float xval(int64_t i) { return 0.25f * static_cast<float>(i % 97) - 3.0f; }
float yval(int64_t i) { return 1.0f + 0.5f * static_cast<float>(i % 13); }

// The three layouts a test array of n elements can have: 0 fresh, 1 offset by one, 2 strided.
template <class T>
wp::array<T> layout(const std::vector<T>& host, int kind, const wp::Device& dev, wp::array<T>& keep) {
  const int64_t n = static_cast<int64_t>(host.size());
  if (kind == 0) return keep = wp::from_host(host, dev);
  if (kind == 1) {
    std::vector<T> padded(host.size() + 1, T{});
    std::copy(host.begin(), host.end(), padded.begin() + 1);
    keep = wp::from_host(padded, dev);
    return keep.slice(1, n + 1);
  }
  std::vector<T> spread(2 * host.size(), T{});
  for (size_t i = 0; i < host.size(); ++i) spread[2 * i] = host[i];
  keep = wp::from_host(spread, dev);
  return wp::array<T>(keep.data(), wp::Shape{n}, wp::Strides{{static_cast<int64_t>(2 * sizeof(T))}}, dev);
}

template <class T>
std::vector<T> fetch_layout(const wp::array<T>& keep, int kind, int64_t n) {
  const std::vector<T> all = run::fetch(keep);
  std::vector<T> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[i] = all[kind == 0 ? i : kind == 1 ? i + 1 : 2 * i];
  return out;
}

void check_saxpy(run::Check& check, const wp::Device& dev, int64_t n, int kind) {
  std::vector<float> hx(n), hy(n);
  for (int64_t i = 0; i < n; ++i) hx[i] = xval(i), hy[i] = yval(i);
  wp::array<float> kx, ky;
  wp::array<float> x = layout(hx, kind, dev, kx), y = layout(hy, kind, dev, ky);
  wide_access::saxpy(n, x, y, 1.5f);
  const std::vector<float> got = fetch_layout(ky, kind, n);
  for (int64_t i = 0; i < n; ++i)
    check.near(run::at("saxpy", i) + " n=" + std::to_string(n) + " layout " + std::to_string(kind), got[i],
               1.5 * hx[i] + hy[i]);
}

void check_integrate(run::Check& check, const wp::Device& dev, int64_t n, int kind) {
  std::vector<wp::vec3> hx(n), hv(n);
  std::vector<float> hw(n);
  for (int64_t i = 0; i < n; ++i) {
    hx[i] = wp::vec3{{xval(i), yval(i), xval(i + 5)}};
    hv[i] = wp::vec3{{yval(i + 1), xval(i + 2), 0.5f}};
    hw[i] = 0.5f + static_cast<float>(i % 7);
  }
  wp::array<wp::vec3> kx, kv;
  wp::array<float> kw;
  wp::array<wp::vec3> x = layout(hx, kind, dev, kx), v = layout(hv, kind, dev, kv);
  wp::array<float> w = layout(hw, kind, dev, kw);
  const float dt = 0.01f;
  wide_access::integrate(n, x, v, w, dt);
  const std::vector<wp::vec3> gx = fetch_layout(kx, kind, n), gv = fetch_layout(kv, kind, n);
  for (int64_t i = 0; i < n; i += (n > 64 ? 7 : 1)) {
    const double g[3] = {0.0, -9.8, 0.0};
    for (int c = 0; c < 3; ++c) {
      const double v1 = hv[i][c] + g[c] * (double(hw[i]) * dt);
      check.near(run::at("integrate v", i, c), gv[i][c], v1);
      check.near(run::at("integrate x", i, c), gx[i][c], hx[i][c] + v1 * dt);
    }
  }
}

void check_halves(run::Check& check, const wp::Device& dev, int64_t n, int kind) {
  std::vector<wp::half> hh(n), ho(n, wp::half(-1.0f));
  for (int64_t i = 0; i < n; ++i) hh[i] = wp::half(0.5f * static_cast<float>(i % 9));
  wp::array<wp::half> kh, ko;
  wp::array<wp::half> h = layout(hh, kind, dev, kh), out = layout(ho, kind, dev, ko);
  wide_access::halves(n, h, out);
  const std::vector<wp::half> got = fetch_layout(ko, kind, n);
  for (int64_t i = 0; i < n; ++i)  // small multiples of 0.5: exact in float16
    check.eq(run::at("halves", i), static_cast<float>(got[i]), 1.0f * static_cast<float>(i % 9) + static_cast<float>(i % 4));
}

void check_doubles(run::Check& check, const wp::Device& dev, int64_t n, int kind) {
  std::vector<double> hd(n), ho(n, -1.0);
  for (int64_t i = 0; i < n; ++i) hd[i] = 1.0 + 0.125 * static_cast<double>(i % 11);
  wp::array<double> kd, ko;
  wp::array<double> d = layout(hd, kind, dev, kd), out = layout(ho, kind, dev, ko);
  wide_access::doubles(n, d, out);
  const std::vector<double> got = fetch_layout(ko, kind, n);
  for (int64_t i = 0; i < n; ++i) check.eq(run::at("doubles", i), got[i], hd[i] * hd[i] + static_cast<double>(i));
}

void check_quats(run::Check& check, const wp::Device& dev, int64_t n, int kind) {
  std::vector<wp::quat> hq(n);
  std::vector<wp::vec4> hv(n);
  for (int64_t i = 0; i < n; ++i) {
    const float base = static_cast<float>(4 * (i % 50));
    hq[i] = wp::quat{base, base + 1, base + 2, base + 3};
    for (int c = 0; c < 4; ++c) hv[i][c] = 0.25f * static_cast<float>(c);
  }
  wp::array<wp::quat> kq;
  wp::array<wp::vec4> kv;
  wp::array<wp::quat> q = layout(hq, kind, dev, kq);
  wp::array<wp::vec4> v = layout(hv, kind, dev, kv);
  wide_access::quats(n, q, v);
  const std::vector<wp::vec4> got = fetch_layout(kv, kind, n);
  for (int64_t i = 0; i < n; ++i)
    for (int c = 0; c < 4; ++c) {
      const float q[4] = {hq[i].x, hq[i].y, hq[i].z, hq[i].w};
      check.eq(run::at("quats", i, c), got[i][c], q[3 - c] + hv[i][c]);
    }
}

void check_twice(run::Check& check, const wp::Device& dev, int64_t n, int kind) {
  std::vector<float> hy(n);
  for (int64_t i = 0; i < n; ++i) hy[i] = yval(i);
  wp::array<float> ky;
  wp::array<float> y = layout(hy, kind, dev, ky);
  wide_access::twice(n, y);
  const std::vector<float> got = fetch_layout(ky, kind, n);
  for (int64_t i = 0; i < n; ++i) check.eq(run::at("twice", i), got[i], hy[i] * 2.0f + static_cast<float>(n));
}

void check_iota(run::Check& check, const wp::Device& dev, int64_t n, int kind) {
  std::vector<int32_t> ho(n, -7);
  wp::array<int32_t> ko;
  wp::array<int32_t> out = layout(ho, kind, dev, ko);
  wide_access::iota(n, out, 3);
  const std::vector<int32_t> got = fetch_layout(ko, kind, n);
  for (int64_t i = 0; i < n; ++i) check.eq(run::at("iota", i), got[i], static_cast<int32_t>(3 * i));
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "wide_access", [](run::Check& check, const wp::Device& dev) {
    for (int kind = 0; kind < 3; ++kind) {
      for (int64_t n : sizes()) {
        check_saxpy(check, dev, n, kind);
        check_integrate(check, dev, n, kind);
        check_halves(check, dev, n, kind);
        check_doubles(check, dev, n, kind);
        check_quats(check, dev, n, kind);
        check_twice(check, dev, n, kind);
        check_iota(check, dev, n, kind);
      }
    }
  });
}
