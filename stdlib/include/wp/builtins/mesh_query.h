// wp/builtins/mesh_query.h — closest/furthest-point queries on triangle meshes and mesh
// evaluation (group Geometry of stdlib/builtins.def): mesh_query_point (signed by ray-cast
// majority vote), mesh_query_point_no_sign, mesh_query_point_sign_normal,
// mesh_query_point_sign_parity, mesh_query_point_sign_winding_number,
// mesh_query_furthest_point_no_sign, the older out-argument forms of mesh_query_point and
// mesh_query_point_no_sign, mesh_eval_position, mesh_eval_velocity, mesh_eval_face_normal,
// mesh_get_point, mesh_get_velocity, mesh_get_index, mesh_get (the arrays, as wp::mesh_t),
// closest_point_edge_edge, and their adjoints.
//
// Contract:
//  * Meshes are read through the layout of wp/builtins/geometry_types.h (MeshDesc, its BvhDesc
//    and WindingNode); `id` is the MeshDesc's address on the device the code runs on. With
//    WARPC_DEBUG defined every builtin checks the handle (magic, and device −1 in host code,
//    ≥ 0 in device code) and face / face-vertex index ranges through WP_KERNEL_ASSERT; release
//    builds check nothing.
//  * Barycentrics are Warp's: position = u·p0 + v·p1 + (1 − u − v)·p2 with p0, p1, p2 =
//    points[indices[3f + 0, 1, 2]].
//  * Closest point: exact point-triangle closest points (Voronoi regions) over a stack-based BVH
//    traversal (fixed stack of kMeshStackSize nodes; box distances prune). A face is reported
//    only when its distance is STRICTLY below max_dist (furthest: strictly above min_dist).
//    Ties — faces whose float squared distances agree within a relative 4e-6 (e.g. the two
//    faces of an edge the closest point lies on) — go to the LOWEST face index, so the result
//    does not depend on the BVH's shape (up to non-transitive near-ties inside that slack;
//    a tie can return a point up to that slack farther than the minimum). As Warp, degenerate and nearly
//    degenerate triangles — |cross(p1 − p0, p2 − p0)| ≤ 1e-6 · (sum of squared edge lengths),
//    a scale-invariant test matching Warp 1.19's observed cut-off — are skipped by the
//    closest/furthest searches. With no face found, or an empty BVH (root −1), the result is
//    {false, 0, 0, 0, 0} and the out-argument forms leave their outputs untouched.
//  * Furthest point: always a vertex of the furthest face; among equally far vertices of one
//    face the last of p0, p1, p2 wins (Warp 1.19 returns (u, v) = (0, 0) in that case).
//  * Signs: −1 inside, +1 outside, 0 for the _no_sign forms; computed only when result is true
//    and over the whole mesh (not bounded by max_dist).
//    - mesh_query_point (and its out-argument form): three rays from the point along +x, +y, +z;
//      each votes inside when its closest hit (t ≥ 0) is on a face whose normal points along the
//      ray, outside when it hits a front face or misses; inside on ≥ 2 votes. Closest-hit ties
//      (a ray through a shared edge) go to the lowest face index.
//    - mesh_query_point_sign_parity: n_sample rays along (1, 1, 1) perturbed per axis by a
//      deterministic uniform offset in [−perturbation_scale, perturbation_scale) (fixed seed;
//      not Warp's random stream); a ray is inside when it crosses an odd number of faces at
//      t ≥ 0; inside when at least half the rays are (so n_sample ≤ 0 means inside).
//    - mesh_query_point_sign_normal: the angle-weighted pseudo-normal at the closest point c:
//      the faces whose closest point lies within tol = epsilon · (mean edge length of the
//      closest face) of c contribute their unit normal weighted by the angle they span at c (2π
//      inside a face, π on an edge, the corner angle at a vertex; a barycentric ≤ epsilon counts
//      as 0); inside when dot(point − c, pseudo-normal) ≤ 0 (a point on the surface is inside,
//      as Warp).
//    - mesh_query_point_sign_winding_number: generalized winding number w (Σ solid angles / 4π);
//      a BVH node whose WindingNode centroid is farther than accuracy · radius contributes its
//      first-order dipole term dot(centroid − p, normal_area) / (4π |centroid − p|³), other
//      nodes recurse down to exact triangle solid angles. Without node_winding (mesh built
//      without winding support) w is computed exactly over all triangles (Warp instead falls
//      back to the ray-cast vote there). Inside when w > threshold.
//  * Ray/triangle hits for the signs use a watertight test (axis permutation + shear, edge
//    functions in double): a ray through an edge shared by two triangles counts exactly once
//    (zero edge functions follow a consistent "top-left" rule on the projected edge), through a
//    shared vertex exactly once for a fan around it, and twice or never at a silhouette edge, so
//    parity is kept. Triangles seen edge-on (projected area 0) are never hit.
//  * Adjoints adj_<f>(primal args…, adj args…&, adj_ret) ACCUMULATE. The queries recompute the
//    closest face (no storage) and propagate adj_ret.u / adj_ret.v (the out-argument forms:
//    adj_bary_u / adj_bary_v) through the closest point's Voronoi region: interior →
//    projection onto the face's plane, edge → projection onto the segment, vertex → constant.
//    The gradient goes to `point` and, when MeshDesc::points_grad is not null, atomically to
//    the three vertices' gradients. result, sign, face (inside, face) are not differentiable:
//    their adjoints are ignored and receive nothing; max_dist, epsilon, accuracy, threshold,
//    n_sample, perturbation_scale receive nothing either. The furthest point is a vertex, so its
//    adjoint is zero. mesh_eval_position / mesh_get_point / mesh_eval_face_normal add into
//    points_grad, mesh_eval_velocity / mesh_get_velocity into velocities_grad (when not null).
//  * closest_point_edge_edge(p1, q1, p2, q2, epsilon) returns (s, t, d): the closest points are
//    p1 + s (q1 − p1) and p2 + t (q2 − p2), d their distance; an edge with squared length
//    ≤ epsilon is a point (its weight 0); parallel edges take s = 0 (then t, then s again by
//    clamping). Its adjoint differentiates s, t through the stationarity conditions of the
//    weights that are not clamped or fixed by a rule, and d at fixed (s, t) (exact at the
//    minimum); epsilon receives nothing; d = 0 gives d no gradient.
#pragma once

#include <cstdint>

#include "wp/builtins/adjoint_support.h"
#include "wp/builtins/atomic.h"
#include "wp/builtins/geometry_types.h"
#include "wp/builtins/kernel_support.h"

namespace wp {

// Result of the mesh_query_point* builtins (Warp's field order).
struct MeshQueryPoint {
  bool result;
  float sign;
  int32_t face;
  float u;
  float v;
};

namespace detail {
template <>
struct AdjointZero<MeshQueryPoint> {
  WP_HD static MeshQueryPoint make() { return MeshQueryPoint{false, -0.0f, 0, -0.0f, -0.0f}; }
};
}  // namespace detail

inline constexpr int kMeshStackSize = 64;

namespace mesh_detail {

using v3 = vec_t<3, float>;

WP_HD v3 mk(float x, float y, float z) {
  v3 r;
  r.c[0] = x;
  r.c[1] = y;
  r.c[2] = z;
  return r;
}
WP_HD v3 zero3() { return mk(0.0f, 0.0f, 0.0f); }
WP_HD v3 add(const v3& a, const v3& b) { return mk(a.c[0] + b.c[0], a.c[1] + b.c[1], a.c[2] + b.c[2]); }
WP_HD v3 sub(const v3& a, const v3& b) { return mk(a.c[0] - b.c[0], a.c[1] - b.c[1], a.c[2] - b.c[2]); }
WP_HD v3 scl(const v3& a, float s) { return mk(a.c[0] * s, a.c[1] * s, a.c[2] * s); }
WP_HD float dot3(const v3& a, const v3& b) { return a.c[0] * b.c[0] + a.c[1] * b.c[1] + a.c[2] * b.c[2]; }
WP_HD v3 cross3(const v3& a, const v3& b) {
  return mk(a.c[1] * b.c[2] - a.c[2] * b.c[1], a.c[2] * b.c[0] - a.c[0] * b.c[2], a.c[0] * b.c[1] - a.c[1] * b.c[0]);
}
WP_HD float len_sq(const v3& a) { return dot3(a, a); }
WP_HD float len(const v3& a) { return sqrtf(dot3(a, a)); }
WP_HD void acc(v3& a, const v3& b) {
  a.c[0] += b.c[0];
  a.c[1] += b.c[1];
  a.c[2] += b.c[2];
}
WP_HD float fmin_(float a, float b) { return a < b ? a : b; }
WP_HD float fmax_(float a, float b) { return a > b ? a : b; }
WP_HD float clamp01(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }

inline constexpr float kPi = 3.14159265358979323846f;

// ---- handle / index validation (WARPC_DEBUG only) -------------------------------------------

WP_HD const MeshDesc* get_mesh(uint64_t id) {
  const MeshDesc* m = mesh_desc(id);
#if defined(WARPC_DEBUG)
  WP_KERNEL_ASSERT(m != nullptr, "mesh builtin: null mesh id");
  WP_KERNEL_ASSERT(m->magic == kMeshMagic, "mesh builtin: id is not a live wp::Mesh");
#if defined(__CUDA_ARCH__)
  WP_KERNEL_ASSERT(m->device >= 0, "mesh builtin: a CPU mesh used in device code");
#else
  WP_KERNEL_ASSERT(m->device == -1, "mesh builtin: a CUDA mesh used in host code");
#endif
#endif
  return m;
}

WP_HD void check_face(const MeshDesc* m, int32_t face) {
#if defined(WARPC_DEBUG)
  WP_KERNEL_ASSERT(face >= 0 && face < m->num_tris, "mesh builtin: face index out of range");
#endif
}

WP_HD void check_face_vertex(const MeshDesc* m, int32_t index) {
#if defined(WARPC_DEBUG)
  WP_KERNEL_ASSERT(index >= 0 && index < 3 * m->num_tris, "mesh builtin: face-vertex index out of range");
#endif
}

struct Tri {
  int32_t i0, i1, i2;
  v3 p0, p1, p2;
};

WP_HD Tri load_tri(const MeshDesc* m, int32_t face) {
  Tri t;
  t.i0 = m->indices[3 * face + 0];
  t.i1 = m->indices[3 * face + 1];
  t.i2 = m->indices[3 * face + 2];
  t.p0 = m->points[t.i0];
  t.p1 = m->points[t.i1];
  t.p2 = m->points[t.i2];
  return t;
}

// Degenerate or nearly degenerate relative to its edge lengths (skipped by the point queries).
WP_HD bool tri_degenerate(const v3& a, const v3& b, const v3& c) {
  const v3 ab = sub(b, a), ac = sub(c, a), bc = sub(c, b);
  const float s = len_sq(ab) + len_sq(ac) + len_sq(bc);
  return !(len(cross3(ab, ac)) > 1.0e-6f * s);
}

// ---- point / triangle ------------------------------------------------------------------------

enum Region : int32_t { kInterior = 0, kVertex0, kVertex1, kVertex2, kEdge01, kEdge02, kEdge12 };

struct TriPoint {
  float u, v;     // Warp barycentrics of the closest point
  float t;        // edge parameter (edge regions): point = A + t (B − A)
  float dist_sq;  // squared distance from the query point
  int32_t region;
};

// Closest point of triangle (a, b, c) to p by Voronoi regions. For a degenerate triangle (not
// used by the queries) the divisions are guarded, so no NaN comes out for finite input.
WP_HD TriPoint closest_on_tri(const v3& p, const v3& a, const v3& b, const v3& c) {
  TriPoint r;
  const v3 ab = sub(b, a), ac = sub(c, a), ap = sub(p, a);
  const float d1 = dot3(ab, ap), d2 = dot3(ac, ap);
  v3 q;
  if (d1 <= 0.0f && d2 <= 0.0f) {
    r.u = 1.0f, r.v = 0.0f, r.t = 0.0f, r.region = kVertex0, q = a;
  } else {
    const v3 bp = sub(p, b);
    const float d3 = dot3(ab, bp), d4 = dot3(ac, bp);
    const float vc = d1 * d4 - d3 * d2;
    const v3 cp = sub(p, c);
    const float d5 = dot3(ab, cp), d6 = dot3(ac, cp);
    const float vb = d5 * d2 - d1 * d6;
    const float va = d3 * d6 - d5 * d4;
    if (d3 >= 0.0f && d4 <= d3) {
      r.u = 0.0f, r.v = 1.0f, r.t = 0.0f, r.region = kVertex1, q = b;
    } else if (vc <= 0.0f && d1 >= 0.0f && d3 <= 0.0f) {
      const float den = d1 - d3;
      const float t = den > 0.0f ? clamp01(d1 / den) : 0.0f;
      r.u = 1.0f - t, r.v = t, r.t = t, r.region = kEdge01, q = add(a, scl(ab, t));
    } else if (d6 >= 0.0f && d5 <= d6) {
      r.u = 0.0f, r.v = 0.0f, r.t = 0.0f, r.region = kVertex2, q = c;
    } else if (vb <= 0.0f && d2 >= 0.0f && d6 <= 0.0f) {
      const float den = d2 - d6;
      const float t = den > 0.0f ? clamp01(d2 / den) : 0.0f;
      r.u = 1.0f - t, r.v = 0.0f, r.t = t, r.region = kEdge02, q = add(a, scl(ac, t));
    } else if (va <= 0.0f && (d4 - d3) >= 0.0f && (d5 - d6) >= 0.0f) {
      const float den = (d4 - d3) + (d5 - d6);
      const float t = den > 0.0f ? clamp01((d4 - d3) / den) : 0.0f;
      r.u = 0.0f, r.v = 1.0f - t, r.t = t, r.region = kEdge12, q = add(b, scl(sub(c, b), t));
    } else {
      const float sum = va + vb + vc;
      if (sum > 0.0f) {
        const float inv = 1.0f / sum;
        const float wb = vb * inv, wc = vc * inv;
        r.u = 1.0f - wb - wc, r.v = wb, r.t = 0.0f, r.region = kInterior;
        q = add(a, add(scl(ab, wb), scl(ac, wc)));
      } else {  // only for degenerate input
        r.u = 1.0f, r.v = 0.0f, r.t = 0.0f, r.region = kVertex0, q = a;
      }
    }
  }
  r.dist_sq = len_sq(sub(p, q));
  return r;
}

// ---- boxes -----------------------------------------------------------------------------------

WP_HD float box_dist_sq(const v3& p, const v3& lo, const v3& hi) {
  float s = 0.0f;
  for (int k = 0; k < 3; ++k) {
    const float d = fmax_(fmax_(lo.c[k] - p.c[k], 0.0f), p.c[k] - hi.c[k]);
    s += d * d;
  }
  return s;
}

WP_HD float box_max_dist_sq(const v3& p, const v3& lo, const v3& hi) {
  float s = 0.0f;
  for (int k = 0; k < 3; ++k) {
    const float d = fmax_(fabsf(p.c[k] - lo.c[k]), fabsf(p.c[k] - hi.c[k]));
    s += d * d;
  }
  return s;
}

// ---- closest / furthest face -------------------------------------------------------------------

struct Closest {
  bool found;
  int32_t face;
  TriPoint tp;
};

// Squared distances within this (relative) slack of each other are a tie: the two closest
// points of faces sharing an edge or vertex are the same point but their float distances may
// differ by an ulp or two.
WP_HD float tie_slack(float d) { return 4.0e-6f * d + 1.0e-30f; }

// Accept face f at squared distance d over the current best (closest: smaller is better).
WP_HD bool better(float d, int32_t f, bool found, float best, int32_t best_f, float limit) {
  if (!found) return d < limit;
  if (d < best - tie_slack(best)) return true;
  return d <= best + tie_slack(best) && f < best_f && d < limit;
}

WP_HD Closest closest_face(const MeshDesc* m, const v3& p, float max_dist) {
  Closest r;
  r.found = false;
  r.face = 0;
  r.tp = TriPoint{0.0f, 0.0f, 0.0f, 0.0f, kVertex0};
  const BvhDesc& bvh = m->bvh;
  if (bvh.root < 0 || !(max_dist > 0.0f)) return r;
  const float limit = max_dist * max_dist;  // strictly below max_dist
  float best = limit;
  // Nodes to visit with their squared box distance (computed once, when pushed).
  int32_t stack[kMeshStackSize];
  float stack_dist[kMeshStackSize];
  int sp = 0;
  stack[sp] = bvh.root;
  stack_dist[sp++] = 0.0f;
  while (sp > 0) {
    --sp;
    const float reach = best + tie_slack(best);
    if (stack_dist[sp] > reach) continue;
    const BvhNode node = load_bvh_node(bvh.nodes, stack[sp]);
    if (node.is_leaf()) {
      const int32_t end = node.left - node.right;
      for (int32_t s = node.left; s < end; ++s) {
        const int32_t f = bvh.items[s];
        const Tri t = load_tri(m, f);
        const TriPoint tp = closest_on_tri(p, t.p0, t.p1, t.p2);
        // (degeneracy is tested only for faces that would win: most faces do not)
        if (better(tp.dist_sq, f, r.found, best, r.face, limit) && !tri_degenerate(t.p0, t.p1, t.p2)) {
          best = r.found ? fmin_(best, tp.dist_sq) : tp.dist_sq;
          r.found = true;
          r.face = f;
          r.tp = tp;
        }
      }
    } else {
      const BvhNode a = load_bvh_node(bvh.nodes, node.left);
      const BvhNode b = load_bvh_node(bvh.nodes, node.right);
      const float da = box_dist_sq(p, a.lower, a.upper), db = box_dist_sq(p, b.lower, b.upper);
      // nearer child on top of the stack
      const int32_t near_c = da <= db ? node.left : node.right, far_c = da <= db ? node.right : node.left;
      const float dnear = da <= db ? da : db, dfar = da <= db ? db : da;
#if defined(WARPC_DEBUG)
      WP_KERNEL_ASSERT(sp + 2 <= kMeshStackSize, "mesh query: BVH deeper than the traversal stack");
#endif
      if (dfar <= reach && sp < kMeshStackSize) stack[sp] = far_c, stack_dist[sp++] = dfar;
      if (dnear <= reach && sp < kMeshStackSize) stack[sp] = near_c, stack_dist[sp++] = dnear;
    }
  }
  return r;
}

WP_HD Closest furthest_face(const MeshDesc* m, const v3& p, float min_dist) {
  Closest r;
  r.found = false;
  r.face = 0;
  r.tp = TriPoint{0.0f, 0.0f, 0.0f, 0.0f, kVertex0};
  const BvhDesc& bvh = m->bvh;
  if (bvh.root < 0) return r;
  const float limit = min_dist > 0.0f ? min_dist * min_dist : (min_dist == 0.0f ? 0.0f : -1.0f);  // strictly above
  float best = limit;
  int32_t stack[kMeshStackSize];
  int sp = 0;
  stack[sp++] = bvh.root;
  while (sp > 0) {
    const BvhNode node = load_bvh_node(bvh.nodes, stack[--sp]);
    if (box_max_dist_sq(p, node.lower, node.upper) < best - tie_slack(best)) continue;
    if (node.is_leaf()) {
      const int32_t end = node.left - node.right;
      for (int32_t s = node.left; s < end; ++s) {
        const int32_t f = bvh.items[s];
        const Tri t = load_tri(m, f);
        if (tri_degenerate(t.p0, t.p1, t.p2)) continue;
        const float d0 = len_sq(sub(p, t.p0)), d1 = len_sq(sub(p, t.p1)), d2 = len_sq(sub(p, t.p2));
        TriPoint tp{1.0f, 0.0f, 0.0f, d0, kVertex0};
        if (d1 >= tp.dist_sq) tp = TriPoint{0.0f, 1.0f, 0.0f, d1, kVertex1};
        if (d2 >= tp.dist_sq) tp = TriPoint{0.0f, 0.0f, 0.0f, d2, kVertex2};
        const float d = tp.dist_sq;
        const bool take = !r.found ? d > limit
                                   : (d > best + tie_slack(best) ||
                                      (d >= best - tie_slack(best) && f < r.face && d > limit));
        if (take) {
          best = r.found ? fmax_(best, d) : d;
          r.found = true;
          r.face = f;
          r.tp = tp;
        }
      }
    } else {
#if defined(WARPC_DEBUG)
      WP_KERNEL_ASSERT(sp + 2 <= kMeshStackSize, "mesh query: BVH deeper than the traversal stack");
#endif
      if (sp < kMeshStackSize) stack[sp++] = node.left;
      if (sp < kMeshStackSize) stack[sp++] = node.right;
    }
  }
  return r;
}

// ---- rays (signs) ------------------------------------------------------------------------------

struct Ray {
  v3 org, dir, inv_dir;
  int kx, ky, kz;
  double sx, sy, sz;
};

WP_HD Ray make_ray(const v3& org, const v3& dir) {
  Ray r;
  r.org = org;
  r.dir = dir;
  for (int k = 0; k < 3; ++k) r.inv_dir.c[k] = 1.0f / dir.c[k];  // ±inf for a zero component
  const float ax = fabsf(dir.c[0]), ay = fabsf(dir.c[1]), az = fabsf(dir.c[2]);
  r.kz = (ax >= ay && ax >= az) ? 0 : (ay >= az ? 1 : 2);
  r.kx = (r.kz + 1) % 3;
  r.ky = (r.kx + 1) % 3;
  if (dir.c[r.kz] < 0.0f) {  // keep the winding of the projected triangles
    const int t = r.kx;
    r.kx = r.ky;
    r.ky = t;
  }
  r.sx = double(dir.c[r.kx]) / double(dir.c[r.kz]);
  r.sy = double(dir.c[r.ky]) / double(dir.c[r.kz]);
  r.sz = 1.0 / double(dir.c[r.kz]);
  return r;
}

// Slab test of the ray against a box for t in [0, tmax].
WP_HD bool ray_box(const Ray& r, const v3& lo, const v3& hi, float tmax) {
  float t0 = 0.0f, t1 = tmax;
  for (int k = 0; k < 3; ++k) {
    float a = (lo.c[k] - r.org.c[k]) * r.inv_dir.c[k];
    float b = (hi.c[k] - r.org.c[k]) * r.inv_dir.c[k];
    if (r.dir.c[k] == 0.0f) {  // parallel to the slab: inside or not
      if (r.org.c[k] < lo.c[k] || r.org.c[k] > hi.c[k]) return false;
      continue;
    }
    if (a > b) {
      const float t = a;
      a = b;
      b = t;
    }
    t0 = fmax_(t0, a);
    t1 = fmin_(t1, b + 1.0e-6f * fabsf(b));  // a little slack against rounding (conservative)
    if (t0 > t1) return false;
  }
  return true;
}

// Edge-function inclusion for an exact zero: a consistent half-plane rule on the projected
// edge direction (normalised to the triangle's counter-clockwise order), so that exactly one of
// two triangles on either side of a shared edge claims it.
WP_HD bool edge_owned(double dx, double dy) { return dy > 0.0 || (dy == 0.0 && dx > 0.0); }

// Watertight ray/triangle test; true with t (≥ 0) when the ray hits the triangle.
WP_HD bool ray_tri(const Ray& r, const v3& a, const v3& b, const v3& c, float& t_out) {
  const double ax = double(a.c[r.kx]) - r.org.c[r.kx], ay = double(a.c[r.ky]) - r.org.c[r.ky],
               az = double(a.c[r.kz]) - r.org.c[r.kz];
  const double bx = double(b.c[r.kx]) - r.org.c[r.kx], by = double(b.c[r.ky]) - r.org.c[r.ky],
               bz = double(b.c[r.kz]) - r.org.c[r.kz];
  const double cx = double(c.c[r.kx]) - r.org.c[r.kx], cy = double(c.c[r.ky]) - r.org.c[r.ky],
               cz = double(c.c[r.kz]) - r.org.c[r.kz];
  const double Ax = ax - r.sx * az, Ay = ay - r.sy * az;
  const double Bx = bx - r.sx * bz, By = by - r.sy * bz;
  const double Cx = cx - r.sx * cz, Cy = cy - r.sy * cz;
  const double U = Cx * By - Cy * Bx;  // edge B → C
  const double V = Ax * Cy - Ay * Cx;  // edge C → A
  const double W = Bx * Ay - By * Ax;  // edge A → B
  const double det = U + V + W;
  if (det == 0.0) return false;
  const double s = det > 0.0 ? 1.0 : -1.0;
  if (U * s < 0.0 || V * s < 0.0 || W * s < 0.0) return false;
  // Zero edge functions: owned by one side only. s·(B − C), s·(C − A), s·(A − B) are the
  // triangle's edges traversed in ONE fixed rotational sense of the projection whatever the
  // vertex order, so two triangles on either side of a shared edge see it in opposite
  // directions and exactly one of them owns it (edge_owned(d) xor edge_owned(−d) for d ≠ 0).
  if (U == 0.0 && !edge_owned(s * (Bx - Cx), s * (By - Cy))) return false;
  if (V == 0.0 && !edge_owned(s * (Cx - Ax), s * (Cy - Ay))) return false;
  if (W == 0.0 && !edge_owned(s * (Ax - Bx), s * (Ay - By))) return false;
  const double T = (U * az + V * bz + W * cz) * r.sz;
  const double t = T / det;
  if (!(t >= 0.0)) return false;
  t_out = float(t);
  return true;
}

// Closest hit along the ray (t ≥ 0); ties go to the lowest face index. Returns the face or −1.
WP_HD int32_t ray_closest_face(const MeshDesc* m, const Ray& r) {
  const BvhDesc& bvh = m->bvh;
  if (bvh.root < 0) return -1;
  float best_t = 3.0e38f;
  int32_t best_f = -1;
  int32_t stack[kMeshStackSize];
  int sp = 0;
  stack[sp++] = bvh.root;
  while (sp > 0) {
    const BvhNode node = load_bvh_node(bvh.nodes, stack[--sp]);
    if (!ray_box(r, node.lower, node.upper, best_t)) continue;
    if (node.is_leaf()) {
      const int32_t end = node.left - node.right;
      for (int32_t s = node.left; s < end; ++s) {
        const int32_t f = bvh.items[s];
        const Tri t = load_tri(m, f);
        float th;
        if (ray_tri(r, t.p0, t.p1, t.p2, th) && (th < best_t || (th == best_t && f < best_f))) {
          best_t = th;
          best_f = f;
        }
      }
    } else {
      if (sp < kMeshStackSize) stack[sp++] = node.left;
      if (sp < kMeshStackSize) stack[sp++] = node.right;
    }
  }
  return best_f;
}

// Number of faces the ray crosses at t ≥ 0.
WP_HD int32_t ray_count_hits(const MeshDesc* m, const Ray& r) {
  const BvhDesc& bvh = m->bvh;
  if (bvh.root < 0) return 0;
  int32_t count = 0;
  int32_t stack[kMeshStackSize];
  int sp = 0;
  stack[sp++] = bvh.root;
  while (sp > 0) {
    const BvhNode node = load_bvh_node(bvh.nodes, stack[--sp]);
    if (!ray_box(r, node.lower, node.upper, 3.0e38f)) continue;
    if (node.is_leaf()) {
      const int32_t end = node.left - node.right;
      for (int32_t s = node.left; s < end; ++s) {
        const Tri t = load_tri(m, bvh.items[s]);
        float th;
        if (ray_tri(r, t.p0, t.p1, t.p2, th)) ++count;
      }
    } else {
      if (sp < kMeshStackSize) stack[sp++] = node.left;
      if (sp < kMeshStackSize) stack[sp++] = node.right;
    }
  }
  return count;
}

// −1 inside / +1 outside by the majority of three axis rays (closest-hit orientation).
WP_HD float sign_ray_vote(const MeshDesc* m, const v3& p) {
  int inside = 0;
  for (int k = 0; k < 3; ++k) {
    const v3 dir = mk(k == 0 ? 1.0f : 0.0f, k == 1 ? 1.0f : 0.0f, k == 2 ? 1.0f : 0.0f);
    const Ray r = make_ray(p, dir);
    const int32_t f = ray_closest_face(m, r);
    if (f < 0) continue;
    const Tri t = load_tri(m, f);
    const v3 n = cross3(sub(t.p1, t.p0), sub(t.p2, t.p0));
    if (dot3(n, dir) > 0.0f) ++inside;
  }
  return inside >= 2 ? -1.0f : 1.0f;
}

WP_HD uint32_t hash_u32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

WP_HD float sign_parity(const MeshDesc* m, const v3& p, int32_t n_sample, float scale) {
  int32_t inside = 0;
  for (int32_t i = 0; i < n_sample; ++i) {
    v3 dir;
    for (int k = 0; k < 3; ++k) {
      const uint32_t h = hash_u32(0x9E3779B9u * uint32_t(3 * i + k + 1) + 0x5bd1e995u);
      const float unit = float(h >> 8) * (1.0f / 16777216.0f);  // [0, 1)
      dir.c[k] = 1.0f + scale * (2.0f * unit - 1.0f);
    }
    if (ray_count_hits(m, make_ray(p, dir)) & 1) ++inside;
  }
  return 2 * inside >= n_sample ? -1.0f : 1.0f;
}

// ---- winding number ------------------------------------------------------------------------------

// Solid angle of triangle (a, b, c) seen from p, divided by 4π (positive when p sees its back).
WP_HD float tri_winding(const v3& p, const v3& a0, const v3& b0, const v3& c0) {
  const v3 a = sub(a0, p), b = sub(b0, p), c = sub(c0, p);
  const float la = len(a), lb = len(b), lc = len(c);
  const float det = dot3(a, cross3(b, c));
  const float den = la * lb * lc + dot3(a, b) * lc + dot3(a, c) * lb + dot3(b, c) * la;
  if (det == 0.0f && den == 0.0f) return 0.0f;
  return atan2f(det, den) * (1.0f / (2.0f * kPi));
}

WP_HD float winding_number(const MeshDesc* m, const v3& p, float accuracy) {
  const BvhDesc& bvh = m->bvh;
  if (bvh.root < 0) return 0.0f;
  float w = 0.0f;
  int32_t stack[kMeshStackSize];
  int sp = 0;
  stack[sp++] = bvh.root;
  while (sp > 0) {
    const int32_t k = stack[--sp];
    if (m->node_winding) {
      const WindingNode& wn = m->node_winding[k];
      const v3 d = sub(wn.centroid, p);
      const float dist = len(d);
      if (dist > accuracy * wn.radius) {
        w += dot3(d, wn.normal_area) / (4.0f * kPi * dist * dist * dist);
        continue;
      }
    }
    const BvhNode node = load_bvh_node(bvh.nodes, k);
    if (node.is_leaf()) {
      const int32_t end = node.left - node.right;
      for (int32_t s = node.left; s < end; ++s) {
        const Tri t = load_tri(m, bvh.items[s]);
        w += tri_winding(p, t.p0, t.p1, t.p2);
      }
    } else {
#if defined(WARPC_DEBUG)
      WP_KERNEL_ASSERT(sp + 2 <= kMeshStackSize, "mesh query: BVH deeper than the traversal stack");
#endif
      if (sp < kMeshStackSize) stack[sp++] = node.left;
      if (sp < kMeshStackSize) stack[sp++] = node.right;
    }
  }
  return w;
}

// ---- angle-weighted pseudo-normal ------------------------------------------------------------

WP_HD float corner_angle(const v3& at, const v3& x, const v3& y) {
  const v3 a = sub(x, at), b = sub(y, at);
  return atan2f(len(cross3(a, b)), dot3(a, b));
}

WP_HD float sign_normal(const MeshDesc* m, const v3& p, const Closest& best, float epsilon) {
  const Tri bt = load_tri(m, best.face);
  const float mean_edge = (len(sub(bt.p1, bt.p0)) + len(sub(bt.p2, bt.p1)) + len(sub(bt.p0, bt.p2))) * (1.0f / 3.0f);
  const float tol = epsilon * mean_edge;
  const float w2 = 1.0f - best.tp.u - best.tp.v;
  const v3 c = add(add(scl(bt.p0, best.tp.u), scl(bt.p1, best.tp.v)), scl(bt.p2, w2));
  const float reach = sqrtf(best.tp.dist_sq) + tol;
  const float reach_sq = reach * reach;
  v3 pn = zero3();
  const BvhDesc& bvh = m->bvh;
  int32_t stack[kMeshStackSize];
  int sp = 0;
  stack[sp++] = bvh.root;
  while (sp > 0) {
    const BvhNode node = load_bvh_node(bvh.nodes, stack[--sp]);
    if (box_dist_sq(p, node.lower, node.upper) > reach_sq) continue;
    if (node.is_leaf()) {
      const int32_t end = node.left - node.right;
      for (int32_t s = node.left; s < end; ++s) {
        const Tri t = load_tri(m, bvh.items[s]);
        if (tri_degenerate(t.p0, t.p1, t.p2)) continue;
        const TriPoint tp = closest_on_tri(p, t.p0, t.p1, t.p2);
        if (tp.dist_sq > reach_sq) continue;
        const float w = 1.0f - tp.u - tp.v;
        const v3 q = add(add(scl(t.p0, tp.u), scl(t.p1, tp.v)), scl(t.p2, w));
        if (len(sub(q, c)) > tol) continue;
        const bool z0 = tp.u <= epsilon, z1 = tp.v <= epsilon, z2 = w <= epsilon;
        const int zeros = int(z0) + int(z1) + int(z2);
        float angle = 2.0f * kPi;
        if (zeros == 1) {
          angle = kPi;
        } else if (zeros >= 2) {
          if (!z0) angle = corner_angle(t.p0, t.p1, t.p2);
          else if (!z1) angle = corner_angle(t.p1, t.p2, t.p0);
          else angle = corner_angle(t.p2, t.p0, t.p1);
        }
        const v3 n = cross3(sub(t.p1, t.p0), sub(t.p2, t.p0));
        const float nl = len(n);
        if (nl > 0.0f) acc(pn, scl(n, angle / nl));
      }
    } else {
      if (sp < kMeshStackSize) stack[sp++] = node.left;
      if (sp < kMeshStackSize) stack[sp++] = node.right;
    }
  }
  return dot3(sub(p, c), pn) > 0.0f ? 1.0f : -1.0f;
}

// ---- adjoint of the closest point's barycentrics ---------------------------------------------

WP_HD void add_points_grad(const MeshDesc* m, int32_t i, const v3& g) {
  if (m->points_grad) atomic_detail::rmw<atomic_detail::Op::kAdd>(m->points_grad + i, g);
}

// d(u, v)/d(point, p0, p1, p2) for the closest point of `face` in region tp.region, applied to
// (adj_u, adj_v): adds into adj_point and (when present) points_grad.
WP_HD void adj_closest_uv(const MeshDesc* m, const v3& x, int32_t face, const TriPoint& tp, float adj_u, float adj_v,
                          v3& adj_point) {
  if (adj_u == 0.0f && adj_v == 0.0f) return;
  const Tri t = load_tri(m, face);
  v3 gx = zero3(), g0 = zero3(), g1 = zero3(), g2 = zero3();
  switch (tp.region) {
    case kInterior: {
      const float u = tp.u, v = tp.v, w = 1.0f - tp.u - tp.v;
      const v3 e1 = sub(t.p0, t.p2), e2 = sub(t.p1, t.p2);
      const v3 c = add(add(scl(t.p0, u), scl(t.p1, v)), scl(t.p2, w));
      const v3 r = sub(c, x);
      const float g11 = dot3(e1, e1), g12 = dot3(e1, e2), g22 = dot3(e2, e2);
      const float det = g11 * g22 - g12 * g12;
      if (!(det > 0.0f)) return;
      const float l1 = (g22 * adj_u - g12 * adj_v) / det;
      const float l2 = (g11 * adj_v - g12 * adj_u) / det;
      gx = add(scl(e1, l1), scl(e2, l2));
      g0 = scl(add(scl(add(scl(e1, u), r), l1), scl(e2, l2 * u)), -1.0f);
      g1 = scl(add(scl(e1, l1 * v), scl(add(scl(e2, v), r), l2)), -1.0f);
      g2 = scl(add(scl(sub(scl(e1, w), r), l1), scl(sub(scl(e2, w), r), l2)), -1.0f);
      break;
    }
    case kEdge01:
    case kEdge02:
    case kEdge12: {
      const v3 A = tp.region == kEdge12 ? t.p1 : t.p0;
      const v3 B = tp.region == kEdge01 ? t.p1 : t.p2;
      const float adj_t = tp.region == kEdge01 ? adj_v - adj_u : (tp.region == kEdge02 ? -adj_u : -adj_v);
      const v3 e = sub(B, A), xa = sub(x, A);
      const float ll = len_sq(e);
      if (!(ll > 0.0f)) return;
      const float tt = dot3(xa, e) / ll;
      const float k = adj_t / ll;
      gx = scl(e, k);
      const v3 gA = scl(sub(scl(e, 2.0f * tt), add(e, xa)), k);
      const v3 gB = scl(sub(xa, scl(e, 2.0f * tt)), k);
      if (tp.region == kEdge01) g0 = gA, g1 = gB;
      else if (tp.region == kEdge02) g0 = gA, g2 = gB;
      else g1 = gA, g2 = gB;
      break;
    }
    default:
      return;  // vertex regions: (u, v) constant
  }
  acc(adj_point, gx);
  add_points_grad(m, t.i0, g0);
  add_points_grad(m, t.i1, g1);
  add_points_grad(m, t.i2, g2);
}

WP_HD MeshQueryPoint no_result() { return MeshQueryPoint{false, 0.0f, 0, 0.0f, 0.0f}; }

WP_HD MeshQueryPoint to_result(const Closest& c, float sign) {
  return MeshQueryPoint{true, sign, c.face, c.tp.u, c.tp.v};
}

// The closest face to `point` within max_dist, signed by sign_of(mesh, closest) (called only
// when a face was found).
template <typename SignOf>
WP_HD MeshQueryPoint signed_query(uint64_t id, const v3& point, float max_dist, SignOf&& sign_of) {
  const MeshDesc* m = get_mesh(id);
  const Closest c = closest_face(m, point, max_dist);
  return c.found ? to_result(c, sign_of(m, c)) : no_result();
}

WP_HD void adj_query(uint64_t id, const v3& point, float max_dist, float adj_u, float adj_v, v3& adj_point) {
  const MeshDesc* m = get_mesh(id);
  const Closest c = closest_face(m, point, max_dist);
  if (c.found) adj_closest_uv(m, point, c.face, c.tp, adj_u, adj_v, adj_point);
}

}  // namespace mesh_detail

// ---- closest-point queries ---------------------------------------------------------------------

WP_HD MeshQueryPoint mesh_query_point_no_sign(uint64_t id, const vec_t<3, float>& point, float max_dist) {
  const MeshDesc* m = mesh_detail::get_mesh(id);
  const mesh_detail::Closest c = mesh_detail::closest_face(m, point, max_dist);
  return c.found ? mesh_detail::to_result(c, 0.0f) : mesh_detail::no_result();
}

WP_HD MeshQueryPoint mesh_query_point(uint64_t id, const vec_t<3, float>& point, float max_dist) {
  return mesh_detail::signed_query(id, point, max_dist, [&](const MeshDesc* m, const mesh_detail::Closest&) {
    return mesh_detail::sign_ray_vote(m, point);
  });
}

WP_HD MeshQueryPoint mesh_query_point_sign_normal(uint64_t id, const vec_t<3, float>& point, float max_dist,
                                                  float epsilon = 1.0e-3f) {
  return mesh_detail::signed_query(id, point, max_dist, [&](const MeshDesc* m, const mesh_detail::Closest& c) {
    return mesh_detail::sign_normal(m, point, c, epsilon);
  });
}

WP_HD MeshQueryPoint mesh_query_point_sign_parity(uint64_t id, const vec_t<3, float>& point, float max_dist,
                                                  int32_t n_sample = 1, float perturbation_scale = 0.1f) {
  return mesh_detail::signed_query(id, point, max_dist, [&](const MeshDesc* m, const mesh_detail::Closest&) {
    return mesh_detail::sign_parity(m, point, n_sample, perturbation_scale);
  });
}

WP_HD MeshQueryPoint mesh_query_point_sign_winding_number(uint64_t id, const vec_t<3, float>& point, float max_dist,
                                                          float accuracy = 2.0f, float threshold = 0.5f) {
  return mesh_detail::signed_query(id, point, max_dist, [&](const MeshDesc* m, const mesh_detail::Closest&) {
    return mesh_detail::winding_number(m, point, accuracy) > threshold ? -1.0f : 1.0f;
  });
}

WP_HD MeshQueryPoint mesh_query_furthest_point_no_sign(uint64_t id, const vec_t<3, float>& point, float min_dist) {
  const MeshDesc* m = mesh_detail::get_mesh(id);
  const mesh_detail::Closest c = mesh_detail::furthest_face(m, point, min_dist);
  return c.found ? mesh_detail::to_result(c, 0.0f) : mesh_detail::no_result();
}

// Older forms: write the outputs only when a face is found.
WP_HD bool mesh_query_point(uint64_t id, const vec_t<3, float>& point, float max_dist, float& inside, int32_t& face,
                            float& bary_u, float& bary_v) {
  const MeshQueryPoint q = mesh_query_point(id, point, max_dist);
  if (q.result) inside = q.sign, face = q.face, bary_u = q.u, bary_v = q.v;
  return q.result;
}

WP_HD bool mesh_query_point_no_sign(uint64_t id, const vec_t<3, float>& point, float max_dist, int32_t& face,
                                    float& bary_u, float& bary_v) {
  const MeshQueryPoint q = mesh_query_point_no_sign(id, point, max_dist);
  if (q.result) face = q.face, bary_u = q.u, bary_v = q.v;
  return q.result;
}

// ---- adjoints of the queries (point and vertex gradients through u, v) ----------------------
// adj_ret.result / .sign / .face are not differentiable and are ignored; max_dist and the other
// scalar parameters receive nothing.

WP_HD void adj_mesh_query_point_no_sign(uint64_t id, const vec_t<3, float>& point, float max_dist, uint64_t& adj_id,
                                        vec_t<3, float>& adj_point, float& adj_max_dist,
                                        const MeshQueryPoint& adj_ret) {
  mesh_detail::adj_query(id, point, max_dist, adj_ret.u, adj_ret.v, adj_point);
}

WP_HD void adj_mesh_query_point(uint64_t id, const vec_t<3, float>& point, float max_dist, uint64_t& adj_id,
                                vec_t<3, float>& adj_point, float& adj_max_dist, const MeshQueryPoint& adj_ret) {
  mesh_detail::adj_query(id, point, max_dist, adj_ret.u, adj_ret.v, adj_point);
}

WP_HD void adj_mesh_query_point_sign_normal(uint64_t id, const vec_t<3, float>& point, float max_dist,
                                            uint64_t& adj_id, vec_t<3, float>& adj_point, float& adj_max_dist,
                                            const MeshQueryPoint& adj_ret) {
  mesh_detail::adj_query(id, point, max_dist, adj_ret.u, adj_ret.v, adj_point);
}
WP_HD void adj_mesh_query_point_sign_normal(uint64_t id, const vec_t<3, float>& point, float max_dist, float epsilon,
                                            uint64_t& adj_id, vec_t<3, float>& adj_point, float& adj_max_dist,
                                            float& adj_epsilon, const MeshQueryPoint& adj_ret) {
  mesh_detail::adj_query(id, point, max_dist, adj_ret.u, adj_ret.v, adj_point);
}

WP_HD void adj_mesh_query_point_sign_parity(uint64_t id, const vec_t<3, float>& point, float max_dist,
                                            uint64_t& adj_id, vec_t<3, float>& adj_point, float& adj_max_dist,
                                            const MeshQueryPoint& adj_ret) {
  mesh_detail::adj_query(id, point, max_dist, adj_ret.u, adj_ret.v, adj_point);
}
WP_HD void adj_mesh_query_point_sign_parity(uint64_t id, const vec_t<3, float>& point, float max_dist,
                                            int32_t n_sample, uint64_t& adj_id, vec_t<3, float>& adj_point,
                                            float& adj_max_dist, int32_t& adj_n_sample,
                                            const MeshQueryPoint& adj_ret) {
  mesh_detail::adj_query(id, point, max_dist, adj_ret.u, adj_ret.v, adj_point);
}
WP_HD void adj_mesh_query_point_sign_parity(uint64_t id, const vec_t<3, float>& point, float max_dist,
                                            int32_t n_sample, float perturbation_scale, uint64_t& adj_id,
                                            vec_t<3, float>& adj_point, float& adj_max_dist, int32_t& adj_n_sample,
                                            float& adj_perturbation_scale, const MeshQueryPoint& adj_ret) {
  mesh_detail::adj_query(id, point, max_dist, adj_ret.u, adj_ret.v, adj_point);
}

WP_HD void adj_mesh_query_point_sign_winding_number(uint64_t id, const vec_t<3, float>& point, float max_dist,
                                                    uint64_t& adj_id, vec_t<3, float>& adj_point,
                                                    float& adj_max_dist, const MeshQueryPoint& adj_ret) {
  mesh_detail::adj_query(id, point, max_dist, adj_ret.u, adj_ret.v, adj_point);
}
WP_HD void adj_mesh_query_point_sign_winding_number(uint64_t id, const vec_t<3, float>& point, float max_dist,
                                                    float accuracy, uint64_t& adj_id, vec_t<3, float>& adj_point,
                                                    float& adj_max_dist, float& adj_accuracy,
                                                    const MeshQueryPoint& adj_ret) {
  mesh_detail::adj_query(id, point, max_dist, adj_ret.u, adj_ret.v, adj_point);
}
WP_HD void adj_mesh_query_point_sign_winding_number(uint64_t id, const vec_t<3, float>& point, float max_dist,
                                                    float accuracy, float threshold, uint64_t& adj_id,
                                                    vec_t<3, float>& adj_point, float& adj_max_dist,
                                                    float& adj_accuracy, float& adj_threshold,
                                                    const MeshQueryPoint& adj_ret) {
  mesh_detail::adj_query(id, point, max_dist, adj_ret.u, adj_ret.v, adj_point);
}

// The furthest point is a vertex of the furthest face: (u, v) are locally constant.
WP_HD void adj_mesh_query_furthest_point_no_sign(uint64_t id, const vec_t<3, float>& point, float min_dist,
                                                 uint64_t& adj_id, vec_t<3, float>& adj_point, float& adj_min_dist,
                                                 const MeshQueryPoint& adj_ret) {}

// Older forms: inside / face / bary_u / bary_v hold the values after the call, adj_bary_u /
// adj_bary_v the incoming adjoints of the outputs (the compiler reverses these in-place
// arguments as overwritten); adj_inside, adj_face and the bool result carry nothing.
WP_HD void adj_mesh_query_point(uint64_t id, const vec_t<3, float>& point, float max_dist, float inside, int32_t face,
                                float bary_u, float bary_v, uint64_t& adj_id, vec_t<3, float>& adj_point,
                                float& adj_max_dist, float& adj_inside, int32_t& adj_face, float& adj_bary_u,
                                float& adj_bary_v, bool adj_ret = false) {
  mesh_detail::adj_query(id, point, max_dist, adj_bary_u, adj_bary_v, adj_point);
}

WP_HD void adj_mesh_query_point_no_sign(uint64_t id, const vec_t<3, float>& point, float max_dist, int32_t face,
                                        float bary_u, float bary_v, uint64_t& adj_id, vec_t<3, float>& adj_point,
                                        float& adj_max_dist, int32_t& adj_face, float& adj_bary_u,
                                        float& adj_bary_v, bool adj_ret = false) {
  mesh_detail::adj_query(id, point, max_dist, adj_bary_u, adj_bary_v, adj_point);
}

// ---- evaluation ----------------------------------------------------------------------------------

WP_HD vec_t<3, float> mesh_eval_position(uint64_t id, int32_t face, float bary_u, float bary_v) {
  using namespace mesh_detail;
  const MeshDesc* m = get_mesh(id);
  check_face(m, face);
  const Tri t = load_tri(m, face);
  return add(add(scl(t.p0, bary_u), scl(t.p1, bary_v)), scl(t.p2, 1.0f - bary_u - bary_v));
}

WP_HD void adj_mesh_eval_position(uint64_t id, int32_t face, float bary_u, float bary_v, uint64_t& adj_id,
                                  int32_t& adj_face, float& adj_bary_u, float& adj_bary_v,
                                  const vec_t<3, float>& adj_ret) {
  using namespace mesh_detail;
  const MeshDesc* m = get_mesh(id);
  check_face(m, face);
  const Tri t = load_tri(m, face);
  adj_bary_u += dot3(adj_ret, sub(t.p0, t.p2));
  adj_bary_v += dot3(adj_ret, sub(t.p1, t.p2));
  add_points_grad(m, t.i0, scl(adj_ret, bary_u));
  add_points_grad(m, t.i1, scl(adj_ret, bary_v));
  add_points_grad(m, t.i2, scl(adj_ret, 1.0f - bary_u - bary_v));
}

WP_HD vec_t<3, float> mesh_eval_velocity(uint64_t id, int32_t face, float bary_u, float bary_v) {
  using namespace mesh_detail;
  const MeshDesc* m = get_mesh(id);
  check_face(m, face);
  if (!m->velocities) return zero3();
  const int32_t* ix = m->indices + 3 * face;
  const v3 v0 = m->velocities[ix[0]], v1 = m->velocities[ix[1]], v2 = m->velocities[ix[2]];
  return add(add(scl(v0, bary_u), scl(v1, bary_v)), scl(v2, 1.0f - bary_u - bary_v));
}

WP_HD void adj_mesh_eval_velocity(uint64_t id, int32_t face, float bary_u, float bary_v, uint64_t& adj_id,
                                  int32_t& adj_face, float& adj_bary_u, float& adj_bary_v,
                                  const vec_t<3, float>& adj_ret) {
  using namespace mesh_detail;
  const MeshDesc* m = get_mesh(id);
  check_face(m, face);
  if (!m->velocities) return;
  const int32_t* ix = m->indices + 3 * face;
  const v3 v0 = m->velocities[ix[0]], v1 = m->velocities[ix[1]], v2 = m->velocities[ix[2]];
  adj_bary_u += dot3(adj_ret, sub(v0, v2));
  adj_bary_v += dot3(adj_ret, sub(v1, v2));
  if (m->velocities_grad) {
    atomic_detail::rmw<atomic_detail::Op::kAdd>(m->velocities_grad + ix[0], scl(adj_ret, bary_u));
    atomic_detail::rmw<atomic_detail::Op::kAdd>(m->velocities_grad + ix[1], scl(adj_ret, bary_v));
    atomic_detail::rmw<atomic_detail::Op::kAdd>(m->velocities_grad + ix[2], scl(adj_ret, 1.0f - bary_u - bary_v));
  }
}

// normalize(cross(p1 − p0, p2 − p0)); the zero vector for a zero-area face.
WP_HD vec_t<3, float> mesh_eval_face_normal(uint64_t id, int32_t face) {
  using namespace mesh_detail;
  const MeshDesc* m = get_mesh(id);
  check_face(m, face);
  const Tri t = load_tri(m, face);
  const v3 c = cross3(sub(t.p1, t.p0), sub(t.p2, t.p0));
  const float l = len(c);
  return l > 0.0f ? scl(c, 1.0f / l) : zero3();
}

WP_HD void adj_mesh_eval_face_normal(uint64_t id, int32_t face, uint64_t& adj_id, int32_t& adj_face,
                                     const vec_t<3, float>& adj_ret) {
  using namespace mesh_detail;
  const MeshDesc* m = get_mesh(id);
  check_face(m, face);
  if (!m->points_grad) return;
  const Tri t = load_tri(m, face);
  const v3 e1 = sub(t.p1, t.p0), e2 = sub(t.p2, t.p0);
  const v3 c = cross3(e1, e2);
  const float l = len(c);
  if (!(l > 0.0f)) return;
  const v3 n = scl(c, 1.0f / l);
  const v3 adj_c = scl(sub(adj_ret, scl(n, dot3(n, adj_ret))), 1.0f / l);
  const v3 g1 = cross3(e2, adj_c), g2 = cross3(adj_c, e1);
  add_points_grad(m, t.i0, scl(add(g1, g2), -1.0f));
  add_points_grad(m, t.i1, g1);
  add_points_grad(m, t.i2, g2);
}

WP_HD vec_t<3, float> mesh_get_point(uint64_t id, int32_t index) {
  const MeshDesc* m = mesh_detail::get_mesh(id);
  mesh_detail::check_face_vertex(m, index);
  return m->points[m->indices[index]];
}

WP_HD void adj_mesh_get_point(uint64_t id, int32_t index, uint64_t& adj_id, int32_t& adj_index,
                              const vec_t<3, float>& adj_ret) {
  const MeshDesc* m = mesh_detail::get_mesh(id);
  mesh_detail::check_face_vertex(m, index);
  mesh_detail::add_points_grad(m, m->indices[index], adj_ret);
}

WP_HD vec_t<3, float> mesh_get_velocity(uint64_t id, int32_t index) {
  const MeshDesc* m = mesh_detail::get_mesh(id);
  mesh_detail::check_face_vertex(m, index);
  if (!m->velocities) return mesh_detail::zero3();
  return m->velocities[m->indices[index]];
}

WP_HD void adj_mesh_get_velocity(uint64_t id, int32_t index, uint64_t& adj_id, int32_t& adj_index,
                                 const vec_t<3, float>& adj_ret) {
  const MeshDesc* m = mesh_detail::get_mesh(id);
  mesh_detail::check_face_vertex(m, index);
  if (m->velocities && m->velocities_grad)
    atomic_detail::rmw<atomic_detail::Op::kAdd>(m->velocities_grad + m->indices[index], adj_ret);
}

WP_HD int32_t mesh_get_index(uint64_t id, int32_t index) {
  const MeshDesc* m = mesh_detail::get_mesh(id);
  mesh_detail::check_face_vertex(m, index);
  return m->indices[index];
}

// ---- the mesh's arrays --------------------------------------------------------------------------

// wp.mesh_get(id): the arrays the mesh was built from, as kernels see arrays (1-D, packed; the
// points' and velocities' gradient buffers included, so a gradient through m.points[i] reaches
// points.grad). A mesh without velocities gives an empty velocities array (no data, shape 0).
struct mesh_t {
  array_t<vec_t<3, float>> points;
  array_t<vec_t<3, float>> velocities;
  array_t<int32_t> indices;
};

namespace mesh_detail {
template <typename T>
WP_HD array_t<T> packed_view(const T* data, T* grad, int32_t n) {
  array_t<T> a;
  a.data = const_cast<T*>(data);
  a.grad = grad;
  a.ndim = 1;
  a.shape[0] = data ? n : 0;
  a.strides[0] = static_cast<int64_t>(sizeof(T));
  a.flags = array_t<T>::kContiguous;
  return a;
}
}  // namespace mesh_detail

WP_HD mesh_t mesh_get(uint64_t id) {
  const MeshDesc* m = mesh_detail::get_mesh(id);
  mesh_t r;
  r.points = mesh_detail::packed_view(m->points, m->points_grad, m->num_points);
  r.velocities = mesh_detail::packed_view(m->velocities, m->velocities_grad, m->num_points);
  r.indices = mesh_detail::packed_view<int32_t>(m->indices, nullptr, 3 * m->num_tris);
  return r;
}

// ---- closest points of two segments ------------------------------------------------------------

namespace mesh_detail {
struct EdgeEdge {
  float s, t;
  bool s_free, t_free;  // weight set by an unclamped stationarity condition
};

WP_HD EdgeEdge edge_edge(const v3& p1, const v3& q1, const v3& p2, const v3& q2, float epsilon) {
  EdgeEdge r{0.0f, 0.0f, false, false};
  const v3 d1 = sub(q1, p1), d2 = sub(q2, p2), rr = sub(p1, p2);
  const float a = dot3(d1, d1), e = dot3(d2, d2), f = dot3(d2, rr);
  auto clamp_free = [](float x, bool& is_free) {
    is_free = x > 0.0f && x < 1.0f;
    return clamp01(x);
  };
  if (a <= epsilon && e <= epsilon) return r;
  if (a <= epsilon) {
    r.t = clamp_free(f / e, r.t_free);
    return r;
  }
  const float c = dot3(d1, rr);
  if (e <= epsilon) {
    r.s = clamp_free(-c / a, r.s_free);
    return r;
  }
  const float b = dot3(d1, d2);
  const float denom = a * e - b * b;
  if (denom != 0.0f) r.s = clamp_free((b * f - c * e) / denom, r.s_free);
  const float tnom = b * r.s + f;
  if (tnom < 0.0f) {
    r.t = 0.0f, r.t_free = false;
    r.s = clamp_free(-c / a, r.s_free);
  } else if (tnom > e) {
    r.t = 1.0f, r.t_free = false;
    r.s = clamp_free((b - c) / a, r.s_free);
  } else {
    r.t = tnom / e;
    r.t_free = r.t > 0.0f && r.t < 1.0f;
  }
  return r;
}
}  // namespace mesh_detail

WP_HD vec_t<3, float> closest_point_edge_edge(const vec_t<3, float>& p1, const vec_t<3, float>& q1,
                                              const vec_t<3, float>& p2, const vec_t<3, float>& q2, float epsilon) {
  using namespace mesh_detail;
  const EdgeEdge r = edge_edge(p1, q1, p2, q2, epsilon);
  const v3 c1 = add(p1, scl(sub(q1, p1), r.s)), c2 = add(p2, scl(sub(q2, p2), r.t));
  return mk(r.s, r.t, len(sub(c1, c2)));
}

WP_HD void adj_closest_point_edge_edge(const vec_t<3, float>& p1, const vec_t<3, float>& q1,
                                       const vec_t<3, float>& p2, const vec_t<3, float>& q2, float epsilon,
                                       vec_t<3, float>& adj_p1, vec_t<3, float>& adj_q1, vec_t<3, float>& adj_p2,
                                       vec_t<3, float>& adj_q2, float& adj_epsilon, const vec_t<3, float>& adj_ret) {
  using namespace mesh_detail;
  const EdgeEdge r = edge_edge(p1, q1, p2, q2, epsilon);
  const float s = r.s, t = r.t;
  const v3 d1 = sub(q1, p1), d2 = sub(q2, p2);
  const v3 rv = sub(add(p1, scl(d1, s)), add(p2, scl(d2, t)));  // c1 − c2
  // distance at fixed (s, t)
  const float dist = len(rv);
  if (dist > 0.0f && adj_ret.c[2] != 0.0f) {
    const v3 g = scl(rv, adj_ret.c[2] / dist);
    acc(adj_p1, scl(g, 1.0f - s));
    acc(adj_q1, scl(g, s));
    acc(adj_p2, scl(g, -(1.0f - t)));
    acc(adj_q2, scl(g, -t));
  }
  // s, t through F1 = d1·r = 0 (s free), F2 = d2·r = 0 (t free): adj_x = −(∂F/∂x)ᵀ λ with
  // Jᵀ λ = (adj_s, adj_t), J = ∂F/∂(s, t) = [[a, −b], [b, −e]] restricted to the free weights.
  const float a = dot3(d1, d1), b = dot3(d1, d2), e = dot3(d2, d2);
  float l1 = 0.0f, l2 = 0.0f;
  if (r.s_free && r.t_free) {
    // Jᵀ = [[a, b], [−b, −e]]
    const float det = -a * e + b * b;
    if (det == 0.0f) return;
    l1 = (-e * adj_ret.c[0] - b * adj_ret.c[1]) / det;
    l2 = (b * adj_ret.c[0] + a * adj_ret.c[1]) / det;
  } else if (r.s_free) {
    if (!(a > 0.0f)) return;
    l1 = adj_ret.c[0] / a;
  } else if (r.t_free) {
    if (!(e > 0.0f)) return;
    l2 = -adj_ret.c[1] / e;
  } else {
    return;
  }
  // ∂F1/∂p1 = −r + (1−s) d1, ∂F1/∂q1 = r + s d1, ∂F1/∂p2 = −(1−t) d1, ∂F1/∂q2 = −t d1
  // ∂F2/∂p1 = (1−s) d2,      ∂F2/∂q1 = s d2,      ∂F2/∂p2 = −r − (1−t) d2, ∂F2/∂q2 = r − t d2
  acc(adj_p1, scl(add(scl(add(scl(rv, -1.0f), scl(d1, 1.0f - s)), l1), scl(d2, l2 * (1.0f - s))), -1.0f));
  acc(adj_q1, scl(add(scl(add(rv, scl(d1, s)), l1), scl(d2, l2 * s)), -1.0f));
  acc(adj_p2, scl(add(scl(d1, -l1 * (1.0f - t)), scl(sub(scl(rv, -1.0f), scl(d2, 1.0f - t)), l2)), -1.0f));
  acc(adj_q2, scl(add(scl(d1, -l1 * t), scl(sub(rv, scl(d2, t)), l2)), -1.0f));
}

}  // namespace wp
