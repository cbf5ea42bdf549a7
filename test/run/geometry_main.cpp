// geometry_main.cpp — run test of the mesh and BVH queries (geometry.wp) on a wp::Mesh / wp::Bvh
// built by the runtime on the test's device, against brute force over every triangle or item in
// float64.
//
// Meshes: one triangle; a closed UV sphere (radius 1, 48 × 24, watertight, outward-facing); an
// open jittered sheet with degenerate (zero-area) and sliver triangles mixed in; a random
// triangle soup; a 10^6-triangle sheet (few queries). Queries are seeded (splitmix-style LCG).
// What is compared (tolerances are float32 rounding of the quantities involved):
//  * closest point (no sign): distance within 2e-5·(1 + d) of the float64 minimum over all
//    non-degenerate triangles (point queries skip zero-area ones, as Warp), and the reported
//    face really is that close (ties may pick any face);
//  * the older out-argument form gives the same distance;
//  * signs (watertight sphere, points farther than 1e-3 from the surface): all four methods say
//    inside exactly when the float64 winding number is > 0.5;
//  * furthest point: distance within 2e-5·(1 + d) of the float64 maximum;
//  * rays: first-hit t within 2e-5·(1 + t) of the float64 minimum over triangles (no hit ⇔ no
//    hit), anyhit ⇔ hit, crossing counts equal to the float64 count (rays whose float64 hits
//    pass within 1e-6 of a triangle edge are not compared: either count is right there);
//  * mesh box / sphere iterators: the count and the index sum of the faces they report equal
//    the brute-force set (face box overlaps the box; triangle within the radius — spheres
//    within 1e-5 of a triangle are not compared);
//  * wp.mesh_get: the arrays' shapes and points[indices[i]] for every face corner;
//  * BVH box / sphere / ray iterators over random boxes: counts (and the index sum for boxes)
//    equal the brute-force sets (exact box tests in float, as the items are stored).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "geometry.wp.h"
#include "run_check.h"
#include "wp/bvh.h"
#include "wp/mesh.h"

namespace {

using D3 = std::array<double, 3>;

D3 d3(const wp::vec3& v) { return {v[0], v[1], v[2]}; }
D3 sub(D3 a, D3 b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
D3 add(D3 a, D3 b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
D3 mul(D3 a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }
double dot(D3 a, D3 b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
D3 cross(D3 a, D3 b) { return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]}; }
double norm(D3 a) { return std::sqrt(dot(a, a)); }

using run::Rng;

struct Tri {
  D3 a, b, c;
};

// Closest point on triangle abc to p (region by region), float64.
D3 closest_on_triangle(D3 p, const Tri& t) {
  D3 ab = sub(t.b, t.a), ac = sub(t.c, t.a), ap = sub(p, t.a);
  double d1 = dot(ab, ap), d2 = dot(ac, ap);
  if (d1 <= 0 && d2 <= 0) return t.a;
  D3 bp = sub(p, t.b);
  double d3v = dot(ab, bp), d4 = dot(ac, bp);
  if (d3v >= 0 && d4 <= d3v) return t.b;
  double vc = d1 * d4 - d3v * d2;
  if (vc <= 0 && d1 >= 0 && d3v <= 0) return add(t.a, mul(ab, d1 / (d1 - d3v)));
  D3 cp = sub(p, t.c);
  double d5 = dot(ab, cp), d6 = dot(ac, cp);
  if (d6 >= 0 && d5 <= d6) return t.c;
  double vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) return add(t.a, mul(ac, d2 / (d2 - d6)));
  double va = d3v * d6 - d5 * d4;
  if (va <= 0 && (d4 - d3v) >= 0 && (d5 - d6) >= 0)
    return add(t.b, mul(sub(t.c, t.b), (d4 - d3v) / ((d4 - d3v) + (d5 - d6))));
  double denom = va + vb + vc;
  if (denom == 0) {  // degenerate triangle: the closest of its three edges
    D3 best = t.a;
    for (auto [u, w] : {std::pair{t.a, t.b}, {t.b, t.c}, {t.c, t.a}}) {
      D3 e = sub(w, u);
      double l = dot(e, e), s = l > 0 ? std::clamp(dot(sub(p, u), e) / l, 0.0, 1.0) : 0.0;
      D3 q = add(u, mul(e, s));
      if (norm(sub(p, q)) < norm(sub(p, best))) best = q;
    }
    return best;
  }
  return add(t.a, add(mul(ab, vb / denom), mul(ac, vc / denom)));
}

double triangle_distance(D3 p, const Tri& t) { return norm(sub(p, closest_on_triangle(p, t))); }

// Point queries skip degenerate triangles, as Warp does: |cross(b − a, c − a)| ≤ 1e-6 · (sum of
// the squared edge lengths). They still count for box and sphere iterators.
bool degenerate(const Tri& t) {
  D3 ab = sub(t.b, t.a), bc = sub(t.c, t.b), ca = sub(t.a, t.c);
  return norm(cross(ab, sub(t.c, t.a))) <= 1e-6 * (dot(ab, ab) + dot(bc, bc) + dot(ca, ca));
}

double furthest_distance(D3 p, const Tri& t) {
  return std::max({norm(sub(p, t.a)), norm(sub(p, t.b)), norm(sub(p, t.c))});
}

// Ray/triangle in float64 (t ≥ 0 along dir); also the smallest barycentric weight at the hit.
bool ray_hit(D3 o, D3 d, const Tri& t, double& th, double& edge) {
  D3 e1 = sub(t.b, t.a), e2 = sub(t.c, t.a), pv = cross(d, e2);
  double det = dot(e1, pv);
  if (std::fabs(det) < 1e-300) return false;
  D3 tv = sub(o, t.a);
  double u = dot(tv, pv) / det;
  D3 qv = cross(tv, e1);
  double v = dot(d, qv) / det;
  th = dot(e2, qv) / det;
  edge = std::min({u, v, 1 - u - v});
  return u >= 0 && v >= 0 && u + v <= 1 && th >= 0;
}

double solid_angle(D3 p, const Tri& t) {
  D3 a = sub(t.a, p), b = sub(t.b, p), c = sub(t.c, p);
  double la = norm(a), lb = norm(b), lc = norm(c);
  double num = dot(a, cross(b, c));
  double den = la * lb * lc + dot(a, b) * lc + dot(b, c) * la + dot(c, a) * lb;
  return 2 * std::atan2(num, den);
}

struct HostMesh {
  std::string name;
  std::vector<wp::vec3> points;
  std::vector<int32_t> indices;
  bool closed = false;
  std::vector<Tri> tris() const {
    std::vector<Tri> t;
    for (size_t f = 0; f * 3 < indices.size(); ++f)
      t.push_back({d3(points[indices[3 * f]]), d3(points[indices[3 * f + 1]]), d3(points[indices[3 * f + 2]])});
    return t;
  }
};

HostMesh uv_sphere(int nu, int nv) {
  HostMesh m{"sphere", {}, {}, true};
  const double pi = 3.14159265358979323846;
  m.points.push_back({0, 0, -1});
  for (int j = 1; j < nv; ++j)
    for (int i = 0; i < nu; ++i) {
      double th = pi * j / nv - pi / 2, ph = 2 * pi * i / nu;
      m.points.push_back({float(std::cos(th) * std::cos(ph)), float(std::cos(th) * std::sin(ph)), float(std::sin(th))});
    }
  m.points.push_back({0, 0, 1});
  const int top = int(m.points.size()) - 1;
  auto ring = [&](int j, int i) { return 1 + (j - 1) * nu + (i % nu); };
  for (int i = 0; i < nu; ++i) m.indices.insert(m.indices.end(), {0, ring(1, i + 1), ring(1, i)});
  for (int j = 1; j < nv - 1; ++j)
    for (int i = 0; i < nu; ++i) {
      int a = ring(j, i), b = ring(j, i + 1), c = ring(j + 1, i + 1), d = ring(j + 1, i);
      m.indices.insert(m.indices.end(), {a, b, c, a, c, d});
    }
  for (int i = 0; i < nu; ++i) m.indices.insert(m.indices.end(), {top, ring(nv - 1, i), ring(nv - 1, i + 1)});
  return m;
}

// An open n × n sheet in z ≈ 0 (jittered), with every 7th triangle collapsed to a segment and
// every 11th made a sliver.
HostMesh sheet(int n, Rng& rng, bool defects) {
  HostMesh m{"sheet", {}, {}, false};
  for (int j = 0; j <= n; ++j)
    for (int i = 0; i <= n; ++i)
      m.points.push_back({float(-1 + 2.0 * i / n), float(-1 + 2.0 * j / n), float(rng.uniform(-0.3, 0.3) / n)});
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      int a = j * (n + 1) + i, b = a + 1, c = a + n + 2, d = a + n + 1;
      m.indices.insert(m.indices.end(), {a, b, c, a, c, d});
    }
  if (defects)
    for (size_t f = 0; f * 3 < m.indices.size(); ++f) {
      if (f % 7 == 3) m.indices[3 * f + 2] = m.indices[3 * f + 1];  // zero area
      if (f % 11 == 5) m.indices[3 * f + 2] = m.indices[3 * f];      // collapsed too
    }
  return m;
}

HostMesh soup(int n, Rng& rng) {
  HostMesh m{"soup", {}, {}, false};
  for (int f = 0; f < n; ++f) {
    wp::vec3 c = rng.in_box(-1, 1);
    for (int k = 0; k < 3; ++k) {
      wp::vec3 o = rng.in_box(-0.15, 0.15);
      m.points.push_back({c[0] + o[0], c[1] + o[1], c[2] + o[2]});
      m.indices.push_back(3 * f + k);
    }
  }
  return m;
}

std::vector<wp::vec3> unit_dirs(int n, Rng& rng) {
  std::vector<wp::vec3> d;
  while (int(d.size()) < n) {
    D3 v{rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)};
    double l = norm(v);
    if (l < 0.1 || l > 1) continue;
    d.push_back({float(v[0] / l), float(v[1] / l), float(v[2] / l)});
  }
  return d;
}

bool box_overlap(const wp::vec3& lo1, const wp::vec3& hi1, const wp::vec3& lo2, const wp::vec3& hi2) {
  for (int k = 0; k < 3; ++k)
    if (lo1[k] > hi2[k] || lo2[k] > hi1[k]) return false;
  return true;
}

void check_mesh(run::Check& check, const wp::Device& dev, const HostMesh& hm, int nq, Rng& rng) {
  const std::vector<Tri> tris = hm.tris();
  const int nt = int(tris.size());
  auto points = wp::from_host(hm.points, {int(hm.points.size())}, dev);
  auto indices = wp::from_host(hm.indices, {int(hm.indices.size())}, dev);
  wp::MeshOptions options;
  options.support_winding_number = true;
  wp::Mesh mesh(points, indices, options);
  const std::string tag = hm.name + "(" + std::to_string(nt) + ")";

  // ---- wp.mesh_get: the mesh's own arrays ----
  {
    const int nc = int(hm.indices.size());
    auto corners = wp::zeros<wp::vec3>({nc}, dev);
    auto sizes = wp::zeros<int32_t>({3}, dev);
    geometry::mesh_arrays(nc, mesh.id(), corners, sizes);
    auto h_corners = run::fetch(corners);
    auto h_sizes = run::fetch(sizes);
    check.eq(tag + " mesh_get points.shape[0]", h_sizes[0], int32_t(hm.points.size()));
    check.eq(tag + " mesh_get indices.shape[0]", h_sizes[1], int32_t(nc));
    check.eq(tag + " mesh_get velocities.shape[0] (no velocities)", h_sizes[2], int32_t(0));
    bool same = true;
    for (int i = 0; i < nc; ++i) same = same && h_corners[i] == hm.points[hm.indices[i]];
    check.that(tag + " mesh_get points[indices[i]] is the corner", same);
  }

  // ---- closest / furthest / signs ----
  std::vector<wp::vec3> q(nq);
  for (auto& p : q) p = rng.in_box(-1.6, 1.6);
  auto qd = wp::from_host(q, {nq}, dev);
  auto dist = wp::zeros<float>({nq}, dev), dist_old = wp::zeros<float>({nq}, dev),
       inside_old = wp::zeros<float>({nq}, dev), far = wp::zeros<float>({nq}, dev);
  auto face = wp::zeros<int32_t>({nq}, dev);
  auto signs = wp::zeros<wp::vec4>({nq}, dev);
  geometry::closest(nq, mesh.id(), qd, 1.0e6f, dist, face, signs);
  geometry::closest_old_form(nq, mesh.id(), qd, dist_old, inside_old);
  geometry::furthest(nq, mesh.id(), qd, far);
  auto h_dist = run::fetch(dist), h_old = run::fetch(dist_old), h_far = run::fetch(far);
  auto h_face = run::fetch(face);
  auto h_signs = run::fetch(signs);
  auto h_inside_old = run::fetch(inside_old);
  for (int i = 0; i < nq; ++i) {
    D3 p = d3(q[i]);
    double best = 1e300, worst = 0, wind = 0;
    for (const Tri& t : tris) {
      if (degenerate(t)) continue;
      best = std::min(best, triangle_distance(p, t));
      worst = std::max(worst, furthest_distance(p, t));
      if (hm.closed) wind += solid_angle(p, t);
    }
    const std::string at = tag + " query " + std::to_string(i);
    check.near(at + " closest distance", h_dist[i], best, 2e-5, 2e-5);
    check.near(at + " closest distance (out-argument form)", h_old[i], best, 2e-5, 2e-5);
    check.near(at + " furthest distance", h_far[i], worst, 2e-5, 2e-5);
    check.that(at + " face in range", h_face[i] >= 0 && h_face[i] < nt);
    if (h_face[i] >= 0 && h_face[i] < nt)
      check.near(at + " reported face is a closest face", triangle_distance(p, tris[h_face[i]]), best, 2e-5, 2e-5);
    if (hm.closed && best > 1e-3) {
      bool inside = wind / (4 * 3.14159265358979323846) > 0.5;
      const char* method[] = {"mesh_query_point", "sign_normal", "sign_winding_number", "sign_parity"};
      for (int k = 0; k < 4; ++k)
        check.that(at + " inside/outside by " + method[k], (h_signs[i][k] < 0) == inside);
      check.that(at + " inside/outside (out-argument form)", (h_inside_old[i] < 0) == inside);
    }
  }

  // ---- rays ----
  std::vector<wp::vec3> o(nq), d = unit_dirs(nq, rng);
  for (int i = 0; i < nq; ++i) {
    o[i] = rng.in_box(-1.5, 1.5);
    if (i % 3 == 0) {  // aim at the mesh's middle so that many rays hit
      D3 v = sub(D3{rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3)}, d3(o[i]));
      double l = norm(v);
      if (l > 1e-3) d[i] = {float(v[0] / l), float(v[1] / l), float(v[2] / l)};
    }
  }
  auto od = wp::from_host(o, {nq}, dev), dd = wp::from_host(d, {nq}, dev);
  auto th = wp::zeros<float>({nq}, dev);
  auto rf = wp::zeros<int32_t>({nq}, dev), any = wp::zeros<int32_t>({nq}, dev), cross_n = wp::zeros<int32_t>({nq}, dev);
  geometry::rays(nq, mesh.id(), od, dd, 1.0e6f, th, rf, any, cross_n);
  auto h_t = run::fetch(th);
  auto h_any = run::fetch(any), h_cross = run::fetch(cross_n);
  for (int i = 0; i < nq; ++i) {
    double best = 1e300, edge = 1;
    int count = 0;
    bool near_edge = false;
    for (const Tri& t : tris) {
      double tt, e;
      bool hit = ray_hit(d3(o[i]), d3(d[i]), t, tt, e);
      if (std::fabs(e) < 1e-6 && tt >= -1e-6) near_edge = true;
      if (hit) {
        ++count;
        if (tt < best) best = tt, edge = e;
      }
    }
    (void)edge;
    if (near_edge) continue;
    const std::string at = tag + " ray " + std::to_string(i);
    bool hit = best < 1e300;
    check.that(at + " hit agrees", (h_t[i] >= 0) == hit);
    if (hit && h_t[i] >= 0) check.near(at + " t", h_t[i], best, 2e-5, 2e-5);
    check.eq(at + " anyhit", h_any[i], int32_t(hit ? 1 : 0));
    check.eq(at + " crossings", h_cross[i], int32_t(count));
  }

  // ---- box and sphere iterators ----
  const float half = 0.12f, radius = 0.15f;
  auto bc = wp::zeros<int32_t>({nq}, dev), bs = wp::zeros<int32_t>({nq}, dev), sc = wp::zeros<int32_t>({nq}, dev),
       ss = wp::zeros<int32_t>({nq}, dev);
  geometry::mesh_boxes(nq, mesh.id(), qd, half, radius, bc, bs, sc, ss);
  auto h_bc = run::fetch(bc), h_bs = run::fetch(bs), h_sc = run::fetch(sc), h_ss = run::fetch(ss);
  for (int i = 0; i < nq; ++i) {
    wp::vec3 lo{q[i][0] - half, q[i][1] - half, q[i][2] - half}, hi{q[i][0] + half, q[i][1] + half, q[i][2] + half};
    int n = 0, s = 0, n2 = 0, s2 = 0;
    bool borderline = false;
    for (int f = 0; f < nt; ++f) {
      wp::vec3 tl, tu;
      for (int k = 0; k < 3; ++k) {
        float a = hm.points[hm.indices[3 * f]][k], b = hm.points[hm.indices[3 * f + 1]][k],
              c = hm.points[hm.indices[3 * f + 2]][k];
        tl[k] = std::min({a, b, c});
        tu[k] = std::max({a, b, c});
      }
      if (box_overlap(lo, hi, tl, tu)) ++n, s += f;
      double dist_f = triangle_distance(d3(q[i]), tris[f]);
      if (std::fabs(dist_f - radius) < 1e-5) borderline = true;
      if (dist_f <= radius) ++n2, s2 += f;
    }
    const std::string at = tag + " box/sphere " + std::to_string(i);
    check.eq(at + " mesh_query_aabb count", h_bc[i], int32_t(n));
    check.eq(at + " mesh_query_aabb index sum", h_bs[i], int32_t(s));
    if (!borderline) {
      check.eq(at + " mesh_query_sphere count", h_sc[i], int32_t(n2));
      check.eq(at + " mesh_query_sphere index sum", h_ss[i], int32_t(s2));
    }
  }
}

void check_bvh(run::Check& check, const wp::Device& dev, int n, int nq, Rng& rng) {
  std::vector<wp::vec3> lo(n), hi(n);
  for (int i = 0; i < n; ++i) {
    wp::vec3 c = rng.in_box(-1, 1), e = rng.in_box(0.0, 0.05);
    for (int k = 0; k < 3; ++k) lo[i][k] = c[k] - e[k], hi[i][k] = c[k] + e[k];
  }
  auto lod = wp::from_host(lo, {n}, dev), hid = wp::from_host(hi, {n}, dev);
  wp::Bvh bvh(lod, hid);
  std::vector<wp::vec3> c(nq), dirs = unit_dirs(nq, rng);
  for (auto& p : c) p = rng.in_box(-1.2, 1.2);
  auto cd = wp::from_host(c, {nq}, dev), dd = wp::from_host(dirs, {nq}, dev);
  auto out = wp::zeros<wp::vec4i>({nq}, dev);
  const float half = 0.1f, radius = 0.12f;
  geometry::bvh_queries(nq, bvh.id(), cd, half, radius, dd, out);
  auto h = run::fetch(out);
  for (int i = 0; i < nq; ++i) {
    wp::vec3 ql{c[i][0] - half, c[i][1] - half, c[i][2] - half}, qh{c[i][0] + half, c[i][1] + half, c[i][2] + half};
    int nb = 0, sb = 0, ns = 0, nr = 0;
    bool borderline = false;
    for (int j = 0; j < n; ++j) {
      if (box_overlap(ql, qh, lo[j], hi[j])) ++nb, sb += j;
      double d2 = 0;
      for (int k = 0; k < 3; ++k) {
        double v = std::clamp(double(c[i][k]), double(lo[j][k]), double(hi[j][k])) - c[i][k];
        d2 += v * v;
      }
      if (std::fabs(std::sqrt(d2) - radius) < 1e-5) borderline = true;
      ns += d2 <= double(radius) * radius;
      // Slab test in float64 for the ray from c along dirs (t ≥ 0).
      double t0 = 0, t1 = 1e300;
      bool miss = false;
      for (int k = 0; k < 3; ++k) {
        double dk = dirs[i][k], ok = c[i][k];
        if (std::fabs(dk) < 1e-12) {
          if (ok < lo[j][k] || ok > hi[j][k]) miss = true;
          continue;
        }
        double ta = (lo[j][k] - ok) / dk, tb = (hi[j][k] - ok) / dk;
        if (ta > tb) std::swap(ta, tb);
        if (std::fabs(tb - t0) < 1e-6 || std::fabs(t1 - ta) < 1e-6) borderline = true;
        t0 = std::max(t0, ta), t1 = std::min(t1, tb);
      }
      nr += !miss && t0 <= t1;
    }
    const std::string at = "bvh(" + std::to_string(n) + ") query " + std::to_string(i);
    check.eq(at + " box count", h[i][0], int32_t(nb));
    check.eq(at + " box index sum", h[i][1], int32_t(sb));
    if (!borderline) {
      check.eq(at + " sphere count", h[i][2], int32_t(ns));
      check.eq(at + " ray count", h[i][3], int32_t(nr));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "geometry", [](run::Check& check, const wp::Device& dev) {
    Rng rng{2024};
    HostMesh one{"one-triangle", {{0, 0, 0}, {1, 0, 0}, {0, 1, 0.2f}}, {0, 1, 2}, false};
    check_mesh(check, dev, one, 64, rng);
    check_mesh(check, dev, uv_sphere(48, 24), 256, rng);
    check_mesh(check, dev, sheet(40, rng, true), 256, rng);
    check_mesh(check, dev, soup(3000, rng), 128, rng);
    check_mesh(check, dev, sheet(708, rng, false), 12, rng);  // 1,002,528 triangles
    check_bvh(check, dev, 1, 32, rng);
    check_bvh(check, dev, 5000, 256, rng);
  });
}
