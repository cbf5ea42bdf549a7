// vecmat_main.cpp — driver of vecmat.wp: a double-precision reference (small helpers below)
// for vector/matrix/quaternion operations, compared with float tolerances.
#include <array>

#include "run_check.h"
#include "vecmat.wp.h"

namespace {

using V3 = std::array<double, 3>;
using M3 = std::array<V3, 3>;

V3 to_d(const wp::vec3f& v) { return {v[0], v[1], v[2]}; }
M3 to_d(const wp::mat33f& m) {
  M3 r;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r[i][j] = m.data[i][j];
  return r;
}
V3 add(V3 a, V3 b, double s = 1.0) { return {a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]}; }
V3 scale(V3 a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }
double dot(V3 a, V3 b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
V3 cross(V3 a, V3 b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
V3 mul(const M3& m, V3 v) { return {dot(m[0], v), dot(m[1], v), dot(m[2], v)}; }
M3 mul(const M3& a, const M3& b) {
  M3 r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) r[i][j] += a[i][k] * b[k][j];
  return r;
}
M3 transpose(const M3& a) {
  M3 r;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r[i][j] = a[j][i];
  return r;
}
double det(const M3& a) { return dot(a[0], cross(a[1], a[2])); }
M3 inverse(const M3& a) {  // rows of the inverse = columns of the cofactor matrix / det
  V3 c0 = cross(a[1], a[2]), c1 = cross(a[2], a[0]), c2 = cross(a[0], a[1]);
  double d = det(a);
  return transpose(M3{scale(c0, 1 / d), scale(c1, 1 / d), scale(c2, 1 / d)});
}

void near3(run::Check& check, const std::string& label, const wp::vec3f& got, V3 want,
           double tol = 1e-5) {
  for (int k = 0; k < 3; ++k) check.near(label + "[" + std::to_string(k) + "]", got[k], want[k], tol, tol);
}
void near33(run::Check& check, const std::string& label, const wp::mat33f& got, const M3& want,
            double tol = 1e-5) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      check.near(label + "(" + std::to_string(i) + "," + std::to_string(j) + ")", got.data[i][j],
                 want[i][j], tol, tol);
}

wp::vec3f vec(double x, double y, double z) { return wp::vec3f{{float(x), float(y), float(z)}}; }

void check_vec_ops(run::Check& check, const wp::Device& dev) {
  const int n = 32;
  const float s = 1.5f;
  std::vector<wp::vec3f> a(n), b(n);
  for (int i = 0; i < n; ++i) {
    a[i] = vec(0.5 * i - 4, 1.0 + 0.25 * (i % 5), -2.0 + 0.125 * i);
    b[i] = vec(1.0 - 0.1 * i, 2.0, 0.75 * (i % 3) + 0.5);
  }
  auto da = wp::from_host(a, dev), db = wp::from_host(b, dev);
  auto vout = wp::zeros<wp::vec3f>(n * 6, dev);
  auto fout = wp::zeros<float>(n * 4, dev);
  vecmat::vec_ops(n, da, db, s, vout, fout);
  auto gv = run::fetch(vout);
  auto gf = run::fetch(fout);
  for (int i = 0; i < n; ++i) {
    V3 x = to_d(a[i]), y = to_d(b[i]);
    std::string l = "vec_ops[" + std::to_string(i) + "]";
    near3(check, l + " x+y*s-x/2", gv[i * 6 + 0], add(add(x, y, s), x, -0.5));
    near3(check, l + " cross", gv[i * 6 + 1], cross(x, y));
    near3(check, l + " normalize", gv[i * 6 + 2], scale(y, 1 / std::sqrt(dot(y, y))));
    near3(check, l + " cw_mul-x", gv[i * 6 + 3], {x[0] * y[0] - x[0], x[1] * y[1] - x[1], x[2] * y[2] - x[2]});
    near3(check, l + " component writes", gv[i * 6 + 4], {y[2], x[1] * 3, x[2] + 1});
    V3 mn{std::min(x[0], y[0]), std::min(x[1], y[1]), std::min(x[2], y[2])};
    V3 mx{std::max(x[0], y[0]), std::max(x[1], y[1]), std::max(x[2], y[2])};
    near3(check, l + " min+2max", gv[i * 6 + 5], add(mn, mx, 2.0));
    check.near(l + " dot", gf[i * 4 + 0], dot(x, y));
    check.near(l + " length", gf[i * 4 + 1], std::sqrt(dot(x, x)));
    check.near(l + " length_sq", gf[i * 4 + 2], dot(y, y));
    check.near(l + " x.x+..", gf[i * 4 + 3], x[0] + 10 * x[1] + 100 * x[2]);
  }
}

void check_mat_ops(run::Check& check, const wp::Device& dev) {
  const int n = 20;
  std::vector<wp::mat33f> m(n);
  std::vector<wp::vec3f> v(n);
  for (int i = 0; i < n; ++i) {
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c)
        m[i].data[r][c] = r == c ? 4.0f + 0.5f * i : 0.25f * ((i + 2 * r + 3 * c) % 5) - 0.5f;
    v[i] = vec(1.0 + i, -2.0, 0.5 * i);
  }
  auto dm = wp::from_host(m, dev);
  auto dv = wp::from_host(v, dev);
  auto mout = wp::zeros<wp::mat33f>(n * 5, dev);
  auto vout = wp::zeros<wp::vec3f>(n * 3, dev);
  auto fout = wp::zeros<float>(n * 2, dev);
  vecmat::mat_ops(n, dm, dv, mout, vout, fout);
  auto gm = run::fetch(mout);
  auto gv = run::fetch(vout);
  auto gf = run::fetch(fout);
  for (int i = 0; i < n; ++i) {
    M3 a = to_d(m[i]);
    V3 x = to_d(v[i]);
    std::string l = "mat_ops[" + std::to_string(i) + "]";
    near33(check, l + " a*a^T", gm[i * 5 + 0], mul(a, transpose(a)));
    near33(check, l + " inverse", gm[i * 5 + 1], inverse(a));
    M3 outer{};
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) outer[r][c] = x[r] * x[c] + (r == c ? 2.0 : 0.0);
    near33(check, l + " outer+diag", gm[i * 5 + 2], outer);
    M3 b = a;
    b[0][1] = 7.0;
    b[2] = {1.0, 2.0, 3.0};
    near33(check, l + " element/row writes", gm[i * 5 + 3], b);
    M3 h{};
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) h[r][c] = 0.5 * a[r][c] + (r == c ? 1.0 : 0.0);
    near33(check, l + " a*0.5+I", gm[i * 5 + 4], h);
    near3(check, l + " a*x", gv[i * 3 + 0], mul(a, x));
    near3(check, l + " row a[1]", gv[i * 3 + 1], a[1]);
    near3(check, l + " x*a", gv[i * 3 + 2], mul(transpose(a), x));
    check.near(l + " determinant", gf[i * 2 + 0], det(a), 1e-4);
    check.near(l + " a[2,1]+trace", gf[i * 2 + 1], a[2][1] + a[0][0] + a[1][1] + a[2][2]);
  }
}

void check_rotate(run::Check& check, const wp::Device& dev) {
  const int n = 24;
  const V3 p{0.3, -1.2, 2.0};
  std::vector<wp::vec3f> axes(n);
  std::vector<float> angles(n);
  for (int i = 0; i < n; ++i) {
    axes[i] = vec(std::cos(0.7 * i), std::sin(0.3 * i), 0.5 + (i % 3));
    angles[i] = -3.0f + 0.25f * i;
  }
  auto da = wp::from_host(axes, dev);
  auto dang = wp::from_host(angles, dev);
  auto out = wp::zeros<wp::vec3f>(n, dev);
  auto mats = wp::zeros<wp::mat33f>(n, dev);
  vecmat::rotate(n, da, dang, vec(p[0], p[1], p[2]), out, mats);
  auto g = run::fetch(out);
  auto gm = run::fetch(mats);
  for (int i = 0; i < n; ++i) {
    V3 k = to_d(axes[i]);
    k = scale(k, 1 / std::sqrt(dot(k, k)));
    double c = std::cos(angles[i]), s = std::sin(angles[i]);
    // Rodrigues' rotation formula
    V3 want = add(add(scale(p, c), cross(k, p), s), k, dot(k, p) * (1 - c));
    near3(check, run::at("quat_rotate", i), g[i], want, 1e-5);
    M3 r;
    for (int a = 0; a < 3; ++a) {
      V3 e{a == 0 ? 1.0 : 0.0, a == 1 ? 1.0 : 0.0, a == 2 ? 1.0 : 0.0};
      V3 col = add(add(scale(e, c), cross(k, e), s), k, dot(k, e) * (1 - c));
      for (int b = 0; b < 3; ++b) r[b][a] = col[b];
    }
    near33(check, run::at("quat_to_matrix", i), gm[i], r, 1e-5);
  }
}

void check_rigid_step(run::Check& check, const wp::Device& dev) {
  const int n = 50;
  const float dt = 0.01f;
  M3 inertia{V3{2.0, 0.1, 0.0}, V3{0.1, 3.0, 0.2}, V3{0.0, 0.2, 4.0}};
  const V3 torque{0.5, -0.25, 1.0};
  std::vector<wp::vec3f> x(n), v(n), w(n);
  for (int i = 0; i < n; ++i) {
    x[i] = vec(i * 0.1, 1.0, -0.5 * i);
    v[i] = vec(1.0, 0.0, 0.01 * i);
    w[i] = vec(0.2 * (i % 4), -1.0, 0.5);
  }
  wp::mat33f inertia_f;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) inertia_f.data[r][c] = float(inertia[r][c]);
  auto dx = wp::from_host(x, dev), dv = wp::from_host(v, dev), dw = wp::from_host(w, dev);
  vecmat::rigid_step(n, dx, dv, dw, inertia_f, vec(torque[0], torque[1], torque[2]), dt);
  auto gx = run::fetch(dx), gw = run::fetch(dw);
  for (int i = 0; i < n; ++i) {
    V3 wi = to_d(w[i]);
    V3 dwi = mul(inverse(inertia), add(torque, cross(wi, mul(inertia, wi)), -1.0));
    V3 w1 = add(wi, dwi, dt);
    V3 x1 = add(add(to_d(x[i]), to_d(v[i]), dt), cross(w1, to_d(x[i])), dt);
    near3(check, run::at("rigid w", i), gw[i], w1);
    near3(check, run::at("rigid x", i), gx[i], x1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "vecmat", [](run::Check& check, const wp::Device& dev) {
    check_vec_ops(check, dev);
    check_mat_ops(check, dev);
    check_rotate(check, dev);
    check_rigid_step(check, dev);
  });
}
