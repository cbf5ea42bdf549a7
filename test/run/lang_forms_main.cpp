// lang_forms_main.cpp — driver of lang_forms.wp: values of Warp's lowercase constants, tuple
// locals, `*` unpacking, len() of types, sized vector/matrix constructors, `not` on arrays,
// float64 with quatd, launcher default arguments from kernel parameter defaults, and the
// overloaded launchers of generic kernels instantiated with wp.overload (forward and backward),
// each against closed forms computed here.
#include <cmath>

#include "lang_forms.wp.h"
#include "run_check.h"

namespace {

void check_constants(run::Check& check, const wp::Device& dev) {
  auto out = wp::zeros<float>(8, dev);
  auto dout = wp::zeros<double>(2, dev);
  lang_forms::constants(1, out, dout);
  auto f = run::fetch(out);
  auto d = run::fetch(dout);
  const float pi = float(M_PI), e = float(M_E), tau = float(2.0 * M_PI);
  check.eq("wp.pi", f[0], pi);
  check.eq("wp.e + wp.tau", f[1], e + tau);
  float sum = float(M_PI / 2.0) + float((1.0 + std::sqrt(5.0)) / 2.0);
  sum = sum + float(M_LN2);
  sum = sum + float(M_LN10);
  sum = sum + float(M_LOG2E);
  sum = sum + float(M_LOG10E);
  check.eq("half_pi + phi + ln2 + ln10 + log2e + log10e", f[2], sum);
  check.eq("wp.constant(wp.pi * 2.0)", f[3], pi * 2.0f);
  check.eq("wp.static(wp.pi / 4.0)", f[4], pi / 4.0f);
  check.near("math.sqrt(2.0) + math.pi", f[5], std::sqrt(2.0) + M_PI, 1e-6);
  check.near("sin(wp.half_pi)", f[6], 1.0, 1e-7);
  check.eq("isinf(wp.inf) and isnan(wp.nan)", f[7], 1.0f);
  check.eq("wp.float64(wp.pi) keeps full precision", d[0], M_PI);
  check.eq("wp.float64(math.tau)", d[1], 2.0 * M_PI);
}

void check_forms(run::Check& check, const wp::Device& dev) {
  const std::vector<float> x = {0.5f, -2.0f, 3.0f, 1.25f};
  const int n = static_cast<int>(x.size());
  auto dx = wp::from_host(x, dev);
  auto out = wp::zeros<float>(8 * n, dev);
  auto vout = wp::zeros<wp::vec4f>(n, dev);
  auto mout = wp::zeros<wp::mat_t<2, 3, float>>(n, dev);
  auto qout = wp::zeros<wp::quatd>(n, dev);
  lang_forms::forms(n, dx, out, vout, mout, qout, 2.0, wp::array<float>{});
  auto o = run::fetch(out);
  auto v = run::fetch(vout);
  auto m = run::fetch(mout);
  auto q = run::fetch(qout);
  for (int i = 0; i < n; ++i) {
    const double xi = x[i];
    const float* r = &o[8 * i];
    check.eq(run::at("tuple k + len(rec) + rec[2][1]", i), r[0], float(i + 3 + 2));
    check.eq(run::at("tuple result max - min", i), double(r[1]), std::fabs(xi - 1.0));
    check.eq(run::at("weigh(*vec3(1, x, 3))", i), double(r[2]), 10.0 + 2.0 * xi);
    check.eq(run::at("len(vec4) + len(mat23) + 4", i), r[3], 10.0f);
    check.eq(run::at("dot(vector(length=5), vec5(*vec2, ...))", i), double(r[4]), 10.0 + xi);
    check.eq(run::at("not null array", i), r[5], 1.0f);
    check.eq(run::at("not non-null array", i), r[6], 0.0f);
    check.eq(run::at("weigh(*vec3(x, 2x, 3))", i), double(r[7]), 5.0 * xi + 9.0);
    const double want_v[4] = {xi, 2.0, 0.5, 2.0};
    check.near_vec(run::at("vec4(*vec2, *vec3(1, 0.5, 2)[1:3])", i), v[i], want_v);
    const double want_m[6] = {1.5, 2.5, 3.5, 4.0, 5.0, xi};
    for (int k = 0; k < 6; ++k) check.near(run::at("matrix(shape=(2, 3))", i, k), m[i].data[k / 3][k % 3], want_m[k]);
    const double qin[4] = {1.0, 2.0, 4.0, 8.0};
    const double got_q[4] = {q[i].x, q[i].y, q[i].z, q[i].w};
    for (int k = 0; k < 4; ++k)
      check.eq(run::at("s * q / s + s / q (float64, quatd)", i, k), got_q[k], qin[k] + 2.0 / qin[k]);
  }
}

void check_defaults(run::Check& check, const wp::Device& dev) {
  auto out = wp::zeros<float>(5, dev);
  lang_forms::defaults(5, out);  // scale = 2.5, reps = 3, offset = (1, -1) from the .wp defaults
  auto o = run::fetch(out);
  for (int i = 0; i < 5; ++i) check.eq(run::at("defaults()", i), o[i], 7.5f + float(i) - 1.0f);
  lang_forms::defaults(5, out, 1.0f);  // reps and offset still defaulted
  o = run::fetch(out);
  for (int i = 0; i < 5; ++i) check.eq(run::at("defaults(scale=1)", i), o[i], 3.0f + float(i) - 1.0f);
}

void check_generic_scale(run::Check& check, const wp::Device& dev) {
  std::vector<float> hf = {1.0f, -2.0f, 3.5f};
  std::vector<double> hd = {0.1, 0.2, -0.3};
  std::vector<wp::vec3f> hv = {{1.0f, 2.0f, 3.0f}, {-1.0f, 0.5f, 0.0f}};
  auto af = wp::from_host(hf, dev);
  auto ad = wp::from_host(hd, dev);
  auto av = wp::from_host(hv, dev);
  lang_forms::scale(3, af, 3.0f);   // the float32 instance
  lang_forms::scale(3, ad, 0.1);    // the float64 instance (dict form)
  lang_forms::scale(2, av, -2.0f);  // the vec3 instance
  auto gf = run::fetch(af);
  auto gd = run::fetch(ad);
  auto gv = run::fetch(av);
  for (int i = 0; i < 3; ++i) check.eq(run::at("scale<float32>", i), gf[i], hf[i] * 3.0f);
  for (int i = 0; i < 3; ++i) check.eq(run::at("scale<float64>", i), gd[i], 0.1 * hd[i]);
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 3; ++k) check.eq(run::at("scale<vec3>", i, k), gv[i][k], -2.0f * hv[i][k]);
}

template <class T>
void check_energy(run::Check& check, const wp::Device& dev, const char* label) {
  const std::vector<T> hx = {T(0.5), T(-1.5), T(2.0), T(3.0)};
  const int n = static_cast<int>(hx.size());
  const T a = T(1.5);
  auto x = wp::from_host(hx, wp::with_shape(n), wp::on(dev), wp::requires_grad);
  auto e = wp::zeros<T>(n, dev, true);
  wp::copy(e.grad_array(), wp::full<T>(n, T(1), dev));
  lang_forms::energy(n, a, x, e);
  auto adj_a = wp::zeros<T>(1, dev);
  lang_forms::energy_backward(n, a, x, e, adj_a);
  auto ge = run::fetch(e);
  auto gx = run::fetch(x.grad_array());
  auto ga = run::fetch(adj_a);
  double sum_sq = 0.0;
  for (int i = 0; i < n; ++i) {
    sum_sq += double(hx[i]) * double(hx[i]);
    check.near(run::at(label, i), double(ge[i]), 1.5 * double(hx[i]) * double(hx[i]), 1e-6);
    check.near(run::at("d energy / d x", i), double(gx[i]), 2.0 * 1.5 * double(hx[i]), 1e-6);
  }
  check.near(std::string(label) + ": d energy / d a", double(ga[0]), sum_sq, 1e-5);
}

void check_generic_ints(run::Check& check, const wp::Device& dev) {
  std::vector<int32_t> h32 = {1, 2, 3, 4, 5};
  std::vector<int64_t> h64 = {int64_t(1) << 40, 7, -3};
  auto t32 = wp::zeros<int32_t>(1, dev);
  auto t64 = wp::zeros<int64_t>(1, dev);
  lang_forms::count_ints(5, wp::from_host(h32, dev), t32);
  lang_forms::count_ints(3, wp::from_host(h64, dev), t64);
  check.eq("count_ints<int32>", run::fetch(t32)[0], 15);
  check.eq("count_ints<int64>", run::fetch(t64)[0], (int64_t(1) << 40) + 4);
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "lang_forms", [](run::Check& check, const wp::Device& dev) {
    check_constants(check, dev);
    check_forms(check, dev);
    check_defaults(check, dev);
    check_generic_scale(check, dev);
    check_energy<float>(check, dev, "energy<float32>");
    check_energy<double>(check, dev, "energy<float64>");
    check_generic_ints(check, dev);
  });
}
