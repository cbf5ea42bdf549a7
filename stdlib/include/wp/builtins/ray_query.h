// wp/builtins/ray_query.h — ray queries against triangle meshes, the BVH / mesh box, sphere,
// ray and capsule query iterators, group roots, intersect_tri_tri (host + CUDA, WP_HD), and
// the adjoints of mesh_query_ray (w.r.t. start, dir and the mesh vertices).
//
// Contract (Warp 1.19 semantics unless noted; layout: wp/builtins/geometry_types.h):
//  * wp::geom::ray_triangle(start, dir, a, b, c, t, u, v, sign) is a watertight ray–triangle
//    test (Woop/Benthin/Wald construction: shear the triangle into the ray's frame, 2D edge
//    functions, exact double re-evaluation of edge functions that round to zero). A hit exactly
//    on an edge or vertex shared by consistently oriented triangles is reported by exactly ONE
//    of them (a fixed "top-left" rule on the sheared edge), so rays through shared edges neither
//    leak nor double count (a lone triangle therefore owns only some of its boundary edges).
//    wp::geom::ray_triangle_closed(...) is the same test with every boundary point included.
//    Outputs on a hit: hit = start + t·dir (t in multiples of |dir|, may be negative — callers
//    filter), u, v the weights of a and b (hit = u·a + v·b + (1−u−v)·c), and sign the
//    sheared-space determinant, −dot(cross(b−a, c−a), dir) / max_k |dir[k]|: > 0 when the ray
//    hits the front (dir against the winding normal), < 0 the back — the value Warp 1.19
//    returns in MeshQueryRay.sign (not just ±1). Rays in the triangle's plane and a zero dir
//    never hit.
//  * mesh_query_ray / _anyhit: hits with 0 ≤ t < max_t (strict, as Warp), boundary-inclusive
//    triangles (ray_triangle_closed). Closest hit ties (equal t, e.g. a shared edge): the
//    smallest face index wins, independent of the tree. No hit: every field 0 / false.
//    The out-param form leaves its outputs unchanged when it returns false (as Warp).
//  * mesh_query_ray_count_intersections counts triangles with t ≥ 0 using ray_triangle (shared
//    edges/vertices counted once; Warp 1.19 counts a shared edge twice).
//  * Iterators report each item at most once. bvh_query_aabb: item box overlaps [low, high]
//    (touching counts). bvh_query_sphere: squared distance from the center to the item box
//    ≤ radius² (radius clamped to ≥ 0). bvh_query_ray: slab test of the item box, entry tmin
//    < max_dist and exit tmax ≥ max(tmin, 0); an axis where dir is 0 needs start strictly
//    inside the slab (what Warp's IEEE arithmetic does). bvh_query_capsule: item box inflated
//    by radius (≥ 0), slab test, tmin ≤ max_dist, axes with dir 0 inclusive.
//    mesh_query_aabb: the triangle's own box (from the points) overlaps [low, high].
//    mesh_query_sphere: the triangle's closest point to center is within radius (≤; radius
//    clamped to ≥ 0; zero-area faces: closest point on the longest edge).
//  * Traversal: DFS with a fixed stack of kBvhQueryStackSize = 64 node indices held in the
//    query struct (mesh_query_ray & co. use a local stack of the same size). This supports
//    trees whose depth (edges from the traversal root to the deepest leaf) is at most
//    kBvhMaxDepth = 63. Deeper trees are a builder bug: under WARPC_DEBUG an overflow asserts,
//    in release builds the subtree that does not fit is skipped.
//  * root = −1 means the BVH's root, else a node index (e.g. from *_get_group_root, which
//    returns −1 for an unknown group, i.e. the whole tree, as Warp).
//  * WARPC_DEBUG: handles (magic) and root indices are checked with WP_KERNEL_ASSERT.
//  * Adjoints: adj_mesh_query_ray re-runs the query, then differentiates t, u, v and normal
//    w.r.t. start, dir and the hit face's three vertices (added atomically into
//    MeshDesc::points_grad when it is not null). result, sign and face are piecewise constant:
//    not differentiable (their adjoints are ignored); max_t gets no gradient.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "wp/builtins/atomic.h"
#include "wp/builtins/geometry_types.h"
#include "wp/builtins/kernel_support.h"

namespace wp {

inline constexpr int kBvhQueryStackSize = 64;
inline constexpr int kBvhMaxDepth = kBvhQueryStackSize - 1;  // popping a depth-k node leaves ≤ k entries, +2 children

namespace geom {
namespace rq_detail {

using v3f = vec_t<3, float>;

WP_HD v3f mk(float x, float y, float z) { return v3f{{x, y, z}}; }
WP_HD v3f sub(const v3f& a, const v3f& b) { return mk(a.c[0] - b.c[0], a.c[1] - b.c[1], a.c[2] - b.c[2]); }
WP_HD v3f add(const v3f& a, const v3f& b) { return mk(a.c[0] + b.c[0], a.c[1] + b.c[1], a.c[2] + b.c[2]); }
WP_HD v3f scale(const v3f& a, float s) { return mk(a.c[0] * s, a.c[1] * s, a.c[2] * s); }
WP_HD float dot(const v3f& a, const v3f& b) { return a.c[0] * b.c[0] + a.c[1] * b.c[1] + a.c[2] * b.c[2]; }
WP_HD v3f cross(const v3f& a, const v3f& b) {
  return mk(a.c[1] * b.c[2] - a.c[2] * b.c[1], a.c[2] * b.c[0] - a.c[0] * b.c[2], a.c[0] * b.c[1] - a.c[1] * b.c[0]);
}
WP_HD float absf(float x) { return x < 0.0f ? -x : x; }
WP_HD float minf(float a, float b) { return b < a ? b : a; }
WP_HD float maxf(float a, float b) { return a < b ? b : a; }
WP_HD v3f vmin(const v3f& a, const v3f& b) { return mk(minf(a.c[0], b.c[0]), minf(a.c[1], b.c[1]), minf(a.c[2], b.c[2])); }
WP_HD v3f vmax(const v3f& a, const v3f& b) { return mk(maxf(a.c[0], b.c[0]), maxf(a.c[1], b.c[1]), maxf(a.c[2], b.c[2])); }
WP_HD void vadd_to(v3f& acc, const v3f& g) {
  for (int k = 0; k < 3; ++k) acc.c[k] += g.c[k];
}
WP_HD void vsub_from(v3f& acc, const v3f& g) {
  for (int k = 0; k < 3; ++k) acc.c[k] -= g.c[k];
}

// Directed 2D edge p→q of a triangle whose signed area has sign s: whether a point exactly on
// the edge belongs to this triangle. The reversed edge (the neighbour's, same s) gets the
// opposite answer, so a shared edge belongs to exactly one side.
WP_HD bool edge_owns(float px, float py, float qx, float qy, float s) {
  const float ex = (qx - px) * s;
  const float ey = (qy - py) * s;
  return ey > 0.0f || (ey == 0.0f && ex > 0.0f);
}

// px·qy − py·qx, evaluated so that swapping p and q negates it exactly (the neighbour's copy
// of a shared edge): no FMA contraction may fuse one product and not the other. Device: float
// products with explicit rounding; host: exact float products in double (immune to
// contraction), rounded once.
WP_HD float edge_fn(float px, float py, float qx, float qy) {
#if defined(__CUDA_ARCH__)
  return __fsub_rn(__fmul_rn(px, qy), __fmul_rn(py, qx));
#else
  return static_cast<float>(double(px) * double(qy) - double(py) * double(qx));
#endif
}

WP_HD bool ray_triangle_impl(const v3f& start, const v3f& dir, const v3f& a, const v3f& b, const v3f& c, bool owner_rule,
                             float& t, float& u, float& v, float& sign) {
  // Dominant axis of dir becomes z; (kx, ky) swapped when dir[kz] < 0 so the sheared
  // triangle's orientation follows one rule for every ray.
  const float ax = absf(dir.c[0]), ay = absf(dir.c[1]), az = absf(dir.c[2]);
  const int kz = (ax > ay) ? (ax > az ? 0 : 2) : (ay > az ? 1 : 2);
  int kx = kz + 1 == 3 ? 0 : kz + 1;
  int ky = kx + 1 == 3 ? 0 : kx + 1;
  const float dz = dir.c[kz];
  if (!(dz != 0.0f)) return false;  // zero (or NaN) direction
  if (dz < 0.0f) {
    const int tmp = kx;
    kx = ky;
    ky = tmp;
  }
  const float sx = dir.c[kx] / dz;
  const float sy = dir.c[ky] / dz;
  const float sz = 1.0f / dz;

  const v3f A = sub(a, start), B = sub(b, start), C = sub(c, start);
  const float Ax = A.c[kx] - sx * A.c[kz], Ay = A.c[ky] - sy * A.c[kz];
  const float Bx = B.c[kx] - sx * B.c[kz], By = B.c[ky] - sy * B.c[kz];
  const float Cx = C.c[kx] - sx * C.c[kz], Cy = C.c[ky] - sy * C.c[kz];

  // Edge functions: U opposite a (edge b→c), V opposite b (edge c→a), W opposite c (a→b).
  float U = edge_fn(Cx, Cy, Bx, By);
  float V = edge_fn(Ax, Ay, Cx, Cy);
  float W = edge_fn(Bx, By, Ax, Ay);
  if (U == 0.0f || V == 0.0f || W == 0.0f) {
    // Products of floats are exact in double (so FMA contraction cannot change them): each
    // sign is exact up to one rounding of the difference, and exactly negated for the
    // neighbour's copy of the edge.
    U = static_cast<float>(double(Cx) * double(By) - double(Cy) * double(Bx));
    V = static_cast<float>(double(Ax) * double(Cy) - double(Ay) * double(Cx));
    W = static_cast<float>(double(Bx) * double(Ay) - double(By) * double(Ax));
  }
  if ((U < 0.0f || V < 0.0f || W < 0.0f) && (U > 0.0f || V > 0.0f || W > 0.0f)) return false;
  const float det = U + V + W;
  if (det == 0.0f) return false;  // ray in the triangle's plane, or a degenerate triangle
  if (owner_rule) {
    const float s = det > 0.0f ? 1.0f : -1.0f;
    if (U == 0.0f && !edge_owns(Bx, By, Cx, Cy, s)) return false;
    if (V == 0.0f && !edge_owns(Cx, Cy, Ax, Ay, s)) return false;
    if (W == 0.0f && !edge_owns(Ax, Ay, Bx, By, s)) return false;
  }
  const float Az = sz * A.c[kz], Bz = sz * B.c[kz], Cz = sz * C.c[kz];
  const float T = U * Az + V * Bz + W * Cz;
  const float inv = 1.0f / det;
  t = T * inv;
  u = U * inv;
  v = V * inv;
  sign = det;  // = −dot(cross(b − a, c − a), dir) / max_k |dir[k]|, Warp 1.19's MeshQueryRay.sign
  return true;
}

}  // namespace rq_detail

// Watertight, shared edges owned by one side (see the contract above).
WP_HD bool ray_triangle(const vec_t<3, float>& start, const vec_t<3, float>& dir, const vec_t<3, float>& a,
                        const vec_t<3, float>& b, const vec_t<3, float>& c, float& t, float& u, float& v,
                        float& sign) {
  return rq_detail::ray_triangle_impl(start, dir, a, b, c, true, t, u, v, sign);
}

// Watertight, every boundary point of the triangle included.
WP_HD bool ray_triangle_closed(const vec_t<3, float>& start, const vec_t<3, float>& dir, const vec_t<3, float>& a,
                               const vec_t<3, float>& b, const vec_t<3, float>& c, float& t, float& u, float& v,
                               float& sign) {
  return rq_detail::ray_triangle_impl(start, dir, a, b, c, false, t, u, v, sign);
}

// ---- box tests ----------------------------------------------------------------------------

// Closed boxes [lo, hi] and [blo, bhi] share a point.
WP_HD bool box_overlap(const vec_t<3, float>& lo, const vec_t<3, float>& hi, const vec_t<3, float>& blo,
                       const vec_t<3, float>& bhi) {
  // Every comparison is made (no early exit): a node's six coordinates are tested at once,
  // not one dependent load and branch after another.
  bool overlap = true;
  for (int k = 0; k < 3; ++k) overlap &= !(lo.c[k] > bhi.c[k]) & !(hi.c[k] < blo.c[k]);
  return overlap;
}

// Squared distance from p to the closed box [lo, hi] is at most r2.
WP_HD bool sphere_box(const vec_t<3, float>& p, float r2, const vec_t<3, float>& lo, const vec_t<3, float>& hi) {
  float d2 = 0.0f;
  for (int k = 0; k < 3; ++k) {
    float e = 0.0f;
    if (p.c[k] < lo.c[k]) e = lo.c[k] - p.c[k];
    else if (p.c[k] > hi.c[k]) e = p.c[k] - hi.c[k];
    d2 += e * e;
  }
  return d2 <= r2;
}

// Slab test of the ray start + t·dir against [lo, hi]: entry tmin and exit tmax. An axis
// where dir is 0 contributes (−inf, inf) when start is inside the slab — strictly inside if
// `strict_parallel`, else inclusive — and rejects the box (returns false) otherwise.
WP_HD bool ray_slabs(const vec_t<3, float>& start, const vec_t<3, float>& dir, const vec_t<3, float>& lo,
                     const vec_t<3, float>& hi, bool strict_parallel, float& tmin, float& tmax) {
  tmin = -INFINITY;
  tmax = INFINITY;
  for (int k = 0; k < 3; ++k) {
    const float d = dir.c[k];
    if (d != 0.0f) {
      const float inv = 1.0f / d;
      const float t1 = (lo.c[k] - start.c[k]) * inv;
      const float t2 = (hi.c[k] - start.c[k]) * inv;
      tmin = rq_detail::maxf(tmin, rq_detail::minf(t1, t2));
      tmax = rq_detail::minf(tmax, rq_detail::maxf(t1, t2));
    } else {
      const float s = start.c[k];
      const bool inside = strict_parallel ? (lo.c[k] < s && s < hi.c[k]) : (lo.c[k] <= s && s <= hi.c[k]);
      if (!inside) return false;
    }
  }
  return true;
}

// The ray hits the box: slabs overlap (tmax ≥ tmin) and the box is not behind (tmax ≥ 0).
WP_HD bool ray_box(const vec_t<3, float>& start, const vec_t<3, float>& dir, const vec_t<3, float>& lo,
                   const vec_t<3, float>& hi, bool strict_parallel, float& tmin, float& tmax) {
  return ray_slabs(start, dir, lo, hi, strict_parallel, tmin, tmax) && tmax >= tmin && tmax >= 0.0f;
}

// Squared distance from p to the triangle (a, b, c); zero-area triangles: to the longest edge.
WP_HD float point_segment_dist2(const vec_t<3, float>& p, const vec_t<3, float>& a, const vec_t<3, float>& b) {
  using namespace rq_detail;
  const v3f ab = sub(b, a);
  const float l2 = dot(ab, ab);
  float s = l2 > 0.0f ? dot(sub(p, a), ab) / l2 : 0.0f;
  s = s < 0.0f ? 0.0f : (s > 1.0f ? 1.0f : s);
  const v3f d = sub(p, add(a, scale(ab, s)));
  return dot(d, d);
}

WP_HD float point_triangle_dist2(const vec_t<3, float>& p, const vec_t<3, float>& a, const vec_t<3, float>& b,
                                 const vec_t<3, float>& c) {
  using namespace rq_detail;
  const v3f ab = sub(b, a), ac = sub(c, a), bc = sub(c, b);
  const v3f n = cross(ab, ac);
  const float nn = dot(n, n);
  const float lab = dot(ab, ab), lac = dot(ac, ac), lbc = dot(bc, bc);
  if (!(nn > 1.0e-12f * maxf(lab, maxf(lac, lbc)) * maxf(lab, maxf(lac, lbc)))) {
    // Zero-area (or numerically flat) face: the longest edge.
    if (lab >= lac && lab >= lbc) return point_segment_dist2(p, a, b);
    if (lac >= lbc) return point_segment_dist2(p, a, c);
    return point_segment_dist2(p, b, c);
  }
  // Voronoi regions of the vertices and edges, then the face.
  const v3f ap = sub(p, a);
  const float d1 = dot(ab, ap), d2 = dot(ac, ap);
  if (d1 <= 0.0f && d2 <= 0.0f) return dot(ap, ap);
  const v3f bp = sub(p, b);
  const float d3 = dot(ab, bp), d4 = dot(ac, bp);
  if (d3 >= 0.0f && d4 <= d3) return dot(bp, bp);
  const v3f cp = sub(p, c);
  const float d5 = dot(ab, cp), d6 = dot(ac, cp);
  if (d6 >= 0.0f && d5 <= d6) return dot(cp, cp);
  const float vc = d1 * d4 - d3 * d2;
  if (vc <= 0.0f && d1 >= 0.0f && d3 <= 0.0f) return point_segment_dist2(p, a, b);
  const float vb = d5 * d2 - d1 * d6;
  if (vb <= 0.0f && d2 >= 0.0f && d6 <= 0.0f) return point_segment_dist2(p, a, c);
  const float va = d3 * d6 - d5 * d4;
  if (va <= 0.0f && (d4 - d3) >= 0.0f && (d5 - d6) >= 0.0f) return point_segment_dist2(p, b, c);
  // Inside the face's prism: the distance to the plane (exactly 0 for points on the face).
  const float h = dot(n, ap);
  return h * h / nn;
}

// ---- traversal ---------------------------------------------------------------------------

namespace rq_detail {

// DFS state kept in the query iterators: a stack of node indices and the leaf being drained.
struct Traversal {
  int32_t count;
  int32_t leaf_pos;
  int32_t leaf_end;
  int32_t stack[kBvhQueryStackSize];
};

WP_HD const BvhDesc* checked_bvh(uint64_t id) {
  const BvhDesc* d = bvh_desc(id);
  WP_KERNEL_ASSERT(d != nullptr && d->magic == kBvhMagic, "BVH query: invalid or destroyed BVH handle");
  return d;
}

WP_HD const MeshDesc* checked_mesh(uint64_t id) {
  const MeshDesc* d = mesh_desc(id);
  WP_KERNEL_ASSERT(d != nullptr && d->magic == kMeshMagic, "mesh query: invalid or destroyed mesh handle");
  return d;
}

WP_HD int32_t resolve_root(const BvhDesc* bvh, int32_t root) {
  WP_KERNEL_ASSERT(root >= -1 && root < bvh->num_nodes, "BVH query: root is not -1 or a node index");
  return root < 0 ? bvh->root : root;
}

WP_HD void traversal_init(Traversal& tr, const BvhDesc* bvh, int32_t root) {
  tr.count = 0;
  tr.leaf_pos = 0;
  tr.leaf_end = 0;
  const int32_t r = resolve_root(bvh, root);
  if (r >= 0) tr.stack[tr.count++] = r;
}

WP_HD void push(int32_t* stack, int32_t& count, int32_t node) {
  WP_KERNEL_ASSERT(count < kBvhQueryStackSize, "BVH query: tree deeper than the traversal stack (kBvhMaxDepth)");
  if (count < kBvhQueryStackSize) stack[count++] = node;
}

// Advances to the next item whose node path passes node_ok and which passes item_ok.
// kItemTestIsNodeTest: item_ok is node_ok applied to the item's own box. A leaf's box is the
// exact union of its items' boxes (every builder and refit make it so), so a one-item leaf that
// passed node_ok has passed item_ok too: it is reported without reading the item's box again.
template <bool kItemTestIsNodeTest = false, typename NodeTest, typename ItemTest>
WP_HD bool traversal_next(Traversal& tr, const BvhDesc* bvh, const NodeTest& node_ok, const ItemTest& item_ok,
                          int32_t& index) {
  for (;;) {
    while (tr.leaf_pos < tr.leaf_end) {
      const int32_t item = bvh->items[tr.leaf_pos++];
      if (item_ok(item)) {
        index = item;
        return true;
      }
    }
    if (tr.count <= 0) return false;
    const BvhNode node = load_bvh_node(bvh->nodes, tr.stack[--tr.count]);
    if (!node_ok(node.lower, node.upper)) continue;
    if (node.right < 0) {
      if (kItemTestIsNodeTest && node.right == -1) {
        index = bvh->items[node.left];
        return true;
      }
      tr.leaf_pos = node.left;
      tr.leaf_end = node.left - node.right;
    } else {
      push(tr.stack, tr.count, node.right);
      push(tr.stack, tr.count, node.left);
    }
  }
}

}  // namespace rq_detail
}  // namespace geom

// ---- results and iterator types ------------------------------------------------------------

struct MeshQueryRay {
  bool result;
  float sign;
  int32_t face;
  float t;
  float u;
  float v;
  vec_t<3, float> normal;
};

enum : int32_t { kBvhQueryAabb = 0, kBvhQueryRay = 1, kBvhQuerySphere = 2, kBvhQueryCapsule = 3 };

// bvh_query_aabb / _ray / _sphere / _capsule → bvh_query_next.
struct bvh_query_t {
  uint64_t id;
  int32_t kind;  // kBvhQuery*
  float radius;  // sphere, capsule (clamped ≥ 0)
  vec_t<3, float> a;  // aabb: low; ray, capsule: start; sphere: center
  vec_t<3, float> b;  // aabb: high; ray, capsule: dir
  geom::rq_detail::Traversal tr;
};

// mesh_query_aabb → mesh_query_aabb_next / mesh_query_next.
struct mesh_query_aabb_t {
  uint64_t id;
  vec_t<3, float> low;
  vec_t<3, float> high;
  geom::rq_detail::Traversal tr;
};

// mesh_query_sphere → mesh_query_next / mesh_query_aabb_next.
struct mesh_query_t {
  uint64_t id;
  float radius;
  vec_t<3, float> center;
  geom::rq_detail::Traversal tr;
};

namespace geom {
namespace rq_detail {

WP_HD void face_points(const MeshDesc* m, int32_t face, v3f& a, v3f& b, v3f& c) {
  const int32_t* idx = m->indices + 3 * face;
  a = m->points[idx[0]];
  b = m->points[idx[1]];
  c = m->points[idx[2]];
}

struct BoxNodeTest {
  v3f lo, hi;
  WP_HD bool operator()(const v3f& l, const v3f& h) const { return box_overlap(lo, hi, l, h); }
};
struct SphereNodeTest {
  v3f c;
  float r2;
  WP_HD bool operator()(const v3f& l, const v3f& h) const { return sphere_box(c, r2, l, h); }
};
struct RayNodeTest {
  v3f s, d;
  float max_dist;
  WP_HD bool operator()(const v3f& l, const v3f& h) const {
    float t0, t1;
    return ray_box(s, d, l, h, true, t0, t1) && t0 < max_dist;
  }
};
struct CapsuleNodeTest {
  v3f s, d;
  float r, max_dist;
  WP_HD bool operator()(const v3f& l, const v3f& h) const {
    float t0, t1;
    const v3f pad = mk(r, r, r);
    return ray_box(s, d, sub(l, pad), add(h, pad), false, t0, t1) && t0 <= max_dist;
  }
};
template <typename Test>
struct BvhItemTest {
  const BvhDesc* bvh;
  Test test;
  WP_HD bool operator()(int32_t i) const { return test(bvh->item_lowers[i], bvh->item_uppers[i]); }
};
// A face's own box is the BVH's item box (computed from the points at build / refit).
struct MeshBoxItemTest {
  const MeshDesc* m;
  v3f lo, hi;
  WP_HD bool operator()(int32_t f) const {
    return box_overlap(lo, hi, m->bvh.item_lowers[f], m->bvh.item_uppers[f]);
  }
};
struct MeshSphereItemTest {
  const MeshDesc* m;
  v3f center;
  float r2;
  WP_HD bool operator()(int32_t f) const {
    v3f a, b, c;
    face_points(m, f, a, b, c);
    return point_triangle_dist2(center, a, b, c) <= r2;
  }
};

WP_HD float clamp_radius(float r) { return r > 0.0f ? r : 0.0f; }

}  // namespace rq_detail
}  // namespace geom

// ---- handles and group roots ---------------------------------------------------------------

WP_HD uint64_t mesh_get_bvh(uint64_t id) { return id + static_cast<uint64_t>(offsetof(MeshDesc, bvh)); }

WP_HD int32_t bvh_get_group_root(uint64_t id, int32_t group) {
  const BvhDesc* bvh = geom::rq_detail::checked_bvh(id);
  if (group < 0 || group >= bvh->num_groups || bvh->group_roots == nullptr) return -1;
  return bvh->group_roots[group];
}

WP_HD int32_t mesh_get_group_root(uint64_t id, int32_t group) {
  geom::rq_detail::checked_mesh(id);
  return bvh_get_group_root(mesh_get_bvh(id), group);
}

// ---- BVH iterators -------------------------------------------------------------------------

namespace geom::rq_detail {
WP_HD bvh_query_t make_bvh_query(uint64_t id, int32_t kind, const v3f& a, const v3f& b, float radius, int32_t root) {
  bvh_query_t q;  // the traversal stack stays uninitialised: traversal_init sets what is read
  q.id = id;
  q.kind = kind;
  q.a = a;
  q.b = b;
  q.radius = clamp_radius(radius);
  traversal_init(q.tr, checked_bvh(id), root);
  return q;
}
}  // namespace geom::rq_detail

WP_HD bvh_query_t bvh_query_aabb(uint64_t id, const vec_t<3, float>& low, const vec_t<3, float>& high, int32_t root = -1) {
  return geom::rq_detail::make_bvh_query(id, kBvhQueryAabb, low, high, 0.0f, root);
}

WP_HD bvh_query_t bvh_query_ray(uint64_t id, const vec_t<3, float>& start, const vec_t<3, float>& dir, int32_t root = -1) {
  return geom::rq_detail::make_bvh_query(id, kBvhQueryRay, start, dir, 0.0f, root);
}

WP_HD bvh_query_t bvh_query_sphere(uint64_t id, const vec_t<3, float>& center, float radius, int32_t root = -1) {
  return geom::rq_detail::make_bvh_query(id, kBvhQuerySphere, center, center, radius, root);
}

WP_HD bvh_query_t bvh_query_capsule(uint64_t id, const vec_t<3, float>& start, const vec_t<3, float>& dir, float radius,
                                    int32_t root = -1) {
  return geom::rq_detail::make_bvh_query(id, kBvhQueryCapsule, start, dir, radius, root);
}

// max_dist: ray queries report items whose box the ray enters before max_dist (in multiples of
// |dir|); capsule queries those entered at or before max_dist (1 = the segment start..start+dir);
// no effect on box and sphere queries. Only lowering it during a query is safe (a rejected
// subtree is not revisited).
WP_HD bool bvh_query_next(bvh_query_t& q, int32_t& index, float max_dist = INFINITY) {
  using namespace geom::rq_detail;
  if (q.tr.count == 0 && q.tr.leaf_pos >= q.tr.leaf_end) return false;  // done (or a zero query)
  const BvhDesc* bvh = checked_bvh(q.id);
  switch (q.kind) {
    case kBvhQueryAabb: {
      const BoxNodeTest t{q.a, q.b};
      return traversal_next<true>(q.tr, bvh, t, BvhItemTest<BoxNodeTest>{bvh, t}, index);
    }
    case kBvhQueryRay: {
      const RayNodeTest t{q.a, q.b, max_dist};
      return traversal_next<true>(q.tr, bvh, t, BvhItemTest<RayNodeTest>{bvh, t}, index);
    }
    case kBvhQuerySphere: {
      const SphereNodeTest t{q.a, q.radius * q.radius};
      return traversal_next<true>(q.tr, bvh, t, BvhItemTest<SphereNodeTest>{bvh, t}, index);
    }
    default: {
      const CapsuleNodeTest t{q.a, q.b, q.radius, max_dist};
      return traversal_next<true>(q.tr, bvh, t, BvhItemTest<CapsuleNodeTest>{bvh, t}, index);
    }
  }
}

// ---- mesh iterators ------------------------------------------------------------------------

WP_HD mesh_query_aabb_t mesh_query_aabb(uint64_t id, const vec_t<3, float>& low, const vec_t<3, float>& high) {
  mesh_query_aabb_t q;  // no zeroed stack (see make_bvh_query)
  q.id = id;
  q.low = low;
  q.high = high;
  geom::rq_detail::traversal_init(q.tr, &geom::rq_detail::checked_mesh(id)->bvh, -1);
  return q;
}

WP_HD mesh_query_t mesh_query_sphere(uint64_t id, const vec_t<3, float>& center, float radius) {
  mesh_query_t q;  // no zeroed stack (see make_bvh_query)
  q.id = id;
  q.center = center;
  q.radius = geom::rq_detail::clamp_radius(radius);
  geom::rq_detail::traversal_init(q.tr, &geom::rq_detail::checked_mesh(id)->bvh, -1);
  return q;
}

WP_HD bool mesh_query_aabb_next(mesh_query_aabb_t& q, int32_t& index) {
  using namespace geom::rq_detail;
  if (q.tr.count == 0 && q.tr.leaf_pos >= q.tr.leaf_end) return false;
  const MeshDesc* m = checked_mesh(q.id);
  return traversal_next<true>(q.tr, &m->bvh, BoxNodeTest{q.low, q.high}, MeshBoxItemTest{m, q.low, q.high}, index);
}

WP_HD bool mesh_query_next(mesh_query_t& q, int32_t& index) {
  using namespace geom::rq_detail;
  if (q.tr.count == 0 && q.tr.leaf_pos >= q.tr.leaf_end) return false;
  const MeshDesc* m = checked_mesh(q.id);
  const float r2 = q.radius * q.radius;
  return traversal_next(q.tr, &m->bvh, SphereNodeTest{q.center, r2}, MeshSphereItemTest{m, q.center, r2}, index);
}

WP_HD bool mesh_query_next(mesh_query_aabb_t& q, int32_t& index) { return mesh_query_aabb_next(q, index); }
WP_HD bool mesh_query_aabb_next(mesh_query_t& q, int32_t& index) { return mesh_query_next(q, index); }

// ---- ray casts against a mesh ----------------------------------------------------------------

namespace geom::rq_detail {

// A ray prepared for many box tests: 1/dir per axis computed once (the same 1/d that ray_slabs
// computes per test, so the results are identical), axes with d == 0 flagged.
struct RaySlabs {
  v3f s;
  float inv[3];
  bool parallel[3];
  WP_HD RaySlabs(const v3f& start, const v3f& dir) : s(start) {
    for (int k = 0; k < 3; ++k) {
      parallel[k] = dir.c[k] == 0.0f;
      inv[k] = parallel[k] ? 0.0f : 1.0f / dir.c[k];
    }
  }
};

// Conservative ray–node test for the mesh ray casts (boxes grown by a few ulps in t, parallel
// axes inclusive) so that rounding never culls a node holding a hit; tmin = the entry t.
WP_HD bool ray_node(const RaySlabs& r, const v3f& lo, const v3f& hi, float& tmin) {
  float t0 = -INFINITY, t1 = INFINITY;
  for (int k = 0; k < 3; ++k) {
    if (r.parallel[k]) {
      if (!(lo.c[k] <= r.s.c[k] && r.s.c[k] <= hi.c[k])) return false;
    } else {
      const float a = (lo.c[k] - r.s.c[k]) * r.inv[k], b = (hi.c[k] - r.s.c[k]) * r.inv[k];
      t0 = maxf(t0, minf(a, b));
      t1 = minf(t1, maxf(a, b));
    }
  }
  t0 -= absf(t0) * 1.0e-6f + 1.0e-30f;
  t1 += absf(t1) * 1.0e-6f + 1.0e-30f;
  tmin = t0;
  return t1 >= t0 && t1 >= 0.0f;
}

enum class RayMode { kClosest, kAny, kCount };

struct RayCastResult {
  int32_t face;
  int32_t count;
  float t, u, v, sign;
};

// One traversal for the three ray casts. kClosest: smallest t in [0, max_t), ties → smallest
// face; kAny: the first hit in [0, max_t); kCount: every hit with t ≥ 0 (shared edges once).
WP_HD bool mesh_ray_cast(const MeshDesc* m, int32_t root, const v3f& start, const v3f& dir, float max_t, RayMode mode,
                         RayCastResult& out) {
  const BvhDesc* bvh = &m->bvh;
  out.face = -1;
  out.count = 0;
  out.t = out.u = out.v = out.sign = 0.0f;
  const int32_t r = resolve_root(bvh, root);
  if (r < 0) return false;
  const RaySlabs ray(start, dir);
  const float limit = mode == RayMode::kCount ? INFINITY : max_t;
  // Nodes to visit with their entry t (each node's box is tested once, by its parent).
  int32_t stack[kBvhQueryStackSize];
  float stack_t[kBvhQueryStackSize];
  int32_t count = 0;
  {
    const BvhNode top = load_bvh_node(bvh->nodes, r);
    float t0;
    if (!ray_node(ray, top.lower, top.upper, t0)) return false;
    stack[count] = r, stack_t[count++] = t0;
  }
  while (count > 0) {
    --count;
    const float tnode = stack_t[count];
    if (mode == RayMode::kCount ? false : (out.face >= 0 ? tnode > out.t : !(tnode < limit))) continue;
    const BvhNode node = load_bvh_node(bvh->nodes, stack[count]);
    if (node.right < 0) {
      for (int32_t slot = node.left; slot < node.left - node.right; ++slot) {
        const int32_t f = bvh->items[slot];
        v3f a, b, c;
        face_points(m, f, a, b, c);
        float t, u, v, sign;
        const bool hit = mode == RayMode::kCount ? ray_triangle_impl(start, dir, a, b, c, true, t, u, v, sign)
                                                 : ray_triangle_impl(start, dir, a, b, c, false, t, u, v, sign);
        if (!hit || !(t >= 0.0f) || !(t < limit)) continue;
        if (mode == RayMode::kCount) {
          ++out.count;
          continue;
        }
        if (out.face < 0 || t < out.t || (t == out.t && f < out.face)) {
          out.face = f;
          out.t = t;
          out.u = u;
          out.v = v;
          out.sign = sign;
          if (mode == RayMode::kAny) return true;
        }
      }
    } else {
      // Front to back: the nearer child on top.
      const BvhNode l = load_bvh_node(bvh->nodes, node.left);
      const BvhNode h = load_bvh_node(bvh->nodes, node.right);
      float tl = 0.0f, th = 0.0f;
      const bool hl = ray_node(ray, l.lower, l.upper, tl);
      const bool hh = ray_node(ray, h.lower, h.upper, th);
      WP_KERNEL_ASSERT(count + 2 <= kBvhQueryStackSize, "mesh ray cast: tree deeper than the traversal stack");
      const bool left_first = !hh || (hl && tl <= th);
      if (left_first) {
        if (hh && count < kBvhQueryStackSize) stack[count] = node.right, stack_t[count++] = th;
        if (hl && count < kBvhQueryStackSize) stack[count] = node.left, stack_t[count++] = tl;
      } else {
        if (hl && count < kBvhQueryStackSize) stack[count] = node.left, stack_t[count++] = tl;
        if (hh && count < kBvhQueryStackSize) stack[count] = node.right, stack_t[count++] = th;
      }
    }
  }
  return mode == RayMode::kCount ? out.count > 0 : out.face >= 0;
}

WP_HD v3f face_normal(const v3f& a, const v3f& b, const v3f& c) {
  const v3f n = cross(sub(b, a), sub(c, a));
  const float l = sqrtf(dot(n, n));
  return l > 0.0f ? scale(n, 1.0f / l) : mk(0.0f, 0.0f, 0.0f);
}

// Reverse mode of (t, u, v, normal) of the hit of start + t·dir on (a, b, c), where
// start + t·dir = u·a + v·b + (1−u−v)·c and normal = normalize(cross(b−a, c−a)).
WP_HD void ray_hit_adjoint(const v3f& start, const v3f& dir, const v3f& a, const v3f& b, const v3f& c, float t,
                           float u, float v, float gt, float gu, float gv, const v3f& gn, v3f& adj_start, v3f& adj_dir,
                           v3f& ga, v3f& gb, v3f& gc) {
  (void)start;
  // [t, u, v] solves M·x = start − c with M = [−dir | a − c | b − c]; dx = M⁻¹·r with
  // r = dstart + t·ddir − u·da − v·db − w·dc. Adjoint: y = M⁻ᵀ·g, then spread y over r.
  const v3f e1 = sub(a, c), e2 = sub(b, c), nd = scale(dir, -1.0f);
  const v3f r0 = cross(e1, e2), r1 = cross(e2, nd), r2 = cross(nd, e1);
  const float det = dot(nd, r0);
  if (det != 0.0f) {
    const float inv = 1.0f / det;
    const v3f y = scale(add(add(scale(r0, gt), scale(r1, gu)), scale(r2, gv)), inv);
    const float w = 1.0f - u - v;
    vadd_to(adj_start, y);
    vadd_to(adj_dir, scale(y, t));
    vsub_from(ga, scale(y, u));
    vsub_from(gb, scale(y, v));
    vsub_from(gc, scale(y, w));
  }
  // normal = N/|N|, N = (b − a) × (c − a).
  const v3f x1 = sub(b, a), x2 = sub(c, a);
  const v3f N = cross(x1, x2);
  const float len = sqrtf(dot(N, N));
  if (len > 0.0f) {
    const v3f nh = scale(N, 1.0f / len);
    const v3f gN = scale(sub(gn, scale(nh, dot(nh, gn))), 1.0f / len);
    const v3f g1 = cross(x2, gN);  // ∂/∂(b − a)
    const v3f g2 = cross(gN, x1);  // ∂/∂(c − a)
    vadd_to(gb, g1);
    vadd_to(gc, g2);
    vsub_from(ga, add(g1, g2));
  }
}

WP_HD void mesh_ray_adjoint(uint64_t id, int32_t root, const v3f& start, const v3f& dir, float max_t, float gt, float gu,
                            float gv, const v3f& gn, v3f& adj_start, v3f& adj_dir) {
  const MeshDesc* m = checked_mesh(id);
  RayCastResult hit;
  if (!mesh_ray_cast(m, root, start, dir, max_t, RayMode::kClosest, hit)) return;
  v3f a, b, c;
  face_points(m, hit.face, a, b, c);
  v3f ga = mk(0.0f, 0.0f, 0.0f), gb = ga, gc = ga;
  ray_hit_adjoint(start, dir, a, b, c, hit.t, hit.u, hit.v, gt, gu, gv, gn, adj_start, adj_dir, ga, gb, gc);
  if (m->points_grad != nullptr) {
    const int32_t* idx = m->indices + 3 * hit.face;
    atomic_detail::rmw<atomic_detail::Op::kAdd>(m->points_grad + idx[0], ga);
    atomic_detail::rmw<atomic_detail::Op::kAdd>(m->points_grad + idx[1], gb);
    atomic_detail::rmw<atomic_detail::Op::kAdd>(m->points_grad + idx[2], gc);
  }
}

}  // namespace geom::rq_detail

WP_HD MeshQueryRay mesh_query_ray(uint64_t id, const vec_t<3, float>& start, const vec_t<3, float>& dir, float max_t,
                                  int32_t root = -1) {
  using namespace geom::rq_detail;
  MeshQueryRay q{};
  const MeshDesc* m = checked_mesh(id);
  RayCastResult hit;
  if (!mesh_ray_cast(m, root, start, dir, max_t, RayMode::kClosest, hit)) return q;
  v3f a, b, c;
  face_points(m, hit.face, a, b, c);
  q.result = true;
  q.sign = hit.sign;
  q.face = hit.face;
  q.t = hit.t;
  q.u = hit.u;
  q.v = hit.v;
  q.normal = face_normal(a, b, c);
  return q;
}

// Older form: outputs written only when a hit is found.
WP_HD bool mesh_query_ray(uint64_t id, const vec_t<3, float>& start, const vec_t<3, float>& dir, float max_t, float& t,
                          float& bary_u, float& bary_v, float& sign, vec_t<3, float>& normal, int32_t& face) {
  const MeshQueryRay q = mesh_query_ray(id, start, dir, max_t, -1);
  if (!q.result) return false;
  t = q.t;
  bary_u = q.u;
  bary_v = q.v;
  sign = q.sign;
  normal = q.normal;
  face = q.face;
  return true;
}

WP_HD bool mesh_query_ray_anyhit(uint64_t id, const vec_t<3, float>& start, const vec_t<3, float>& dir, float max_t,
                                 int32_t root = -1) {
  using namespace geom::rq_detail;
  RayCastResult hit;
  return mesh_ray_cast(checked_mesh(id), root, start, dir, max_t, RayMode::kAny, hit);
}

WP_HD int32_t mesh_query_ray_count_intersections(uint64_t id, const vec_t<3, float>& start, const vec_t<3, float>& dir,
                                                 int32_t root = -1) {
  using namespace geom::rq_detail;
  RayCastResult hit;
  mesh_ray_cast(checked_mesh(id), root, start, dir, INFINITY, RayMode::kCount, hit);
  return hit.count;
}

// ---- adjoints of mesh_query_ray ------------------------------------------------------------
// adj_ret.t/u/v/normal carry the gradient; result, sign and face are piecewise constant (not
// differentiable, their adjoints ignored); id, max_t and root get nothing.

WP_HD void adj_mesh_query_ray(uint64_t id, const vec_t<3, float>& start, const vec_t<3, float>& dir, float max_t,
                              int32_t root, uint64_t& adj_id, vec_t<3, float>& adj_start, vec_t<3, float>& adj_dir,
                              float& adj_max_t, int32_t& adj_root, const MeshQueryRay& adj_ret) {
  (void)adj_id;
  (void)adj_max_t;
  (void)adj_root;
  geom::rq_detail::mesh_ray_adjoint(id, root, start, dir, max_t, adj_ret.t, adj_ret.u, adj_ret.v, adj_ret.normal,
                                    adj_start, adj_dir);
}

WP_HD void adj_mesh_query_ray(uint64_t id, const vec_t<3, float>& start, const vec_t<3, float>& dir, float max_t,
                              uint64_t& adj_id, vec_t<3, float>& adj_start, vec_t<3, float>& adj_dir, float& adj_max_t,
                              const MeshQueryRay& adj_ret) {
  int32_t adj_root = 0;
  adj_mesh_query_ray(id, start, dir, max_t, -1, adj_id, adj_start, adj_dir, adj_max_t, adj_root, adj_ret);
}

// Older form: adj_t, adj_bary_u, adj_bary_v, adj_normal are the incoming gradients of the
// outputs; adj_sign, adj_face and adj_ret (bool) are not differentiable.
WP_HD void adj_mesh_query_ray(uint64_t id, const vec_t<3, float>& start, const vec_t<3, float>& dir, float max_t,
                              float& t, float& bary_u, float& bary_v, float& sign, vec_t<3, float>& normal,
                              int32_t& face, uint64_t& adj_id, vec_t<3, float>& adj_start, vec_t<3, float>& adj_dir,
                              float& adj_max_t, float& adj_t, float& adj_bary_u, float& adj_bary_v, float& adj_sign,
                              vec_t<3, float>& adj_normal, int32_t& adj_face) {
  (void)t, (void)bary_u, (void)bary_v, (void)sign, (void)normal, (void)face;
  (void)adj_id, (void)adj_max_t, (void)adj_sign, (void)adj_face;
  geom::rq_detail::mesh_ray_adjoint(id, -1, start, dir, max_t, adj_t, adj_bary_u, adj_bary_v, adj_normal, adj_start,
                                    adj_dir);
}

// The same with the (ignored) adjoint of the bool result appended, the arity
// tools/builtins/check_builtins.cpp expects; generated code calls the form above.
WP_HD void adj_mesh_query_ray(uint64_t id, const vec_t<3, float>& start, const vec_t<3, float>& dir, float max_t,
                              float& t, float& bary_u, float& bary_v, float& sign, vec_t<3, float>& normal,
                              int32_t& face, uint64_t& adj_id, vec_t<3, float>& adj_start, vec_t<3, float>& adj_dir,
                              float& adj_max_t, float& adj_t, float& adj_bary_u, float& adj_bary_v, float& adj_sign,
                              vec_t<3, float>& adj_normal, int32_t& adj_face, bool adj_ret) {
  (void)adj_ret;
  adj_mesh_query_ray(id, start, dir, max_t, t, bary_u, bary_v, sign, normal, face, adj_id, adj_start, adj_dir,
                     adj_max_t, adj_t, adj_bary_u, adj_bary_v, adj_sign, adj_normal, adj_face);
}

// ---- triangle–triangle intersection (Möller's interval method) ------------------------------

namespace geom::rq_detail {

template <typename T>
struct TriTri {
  using V = vec_t<3, T>;
  static WP_HD T ab(T x) { return x < T(0) ? -x : x; }
  static WP_HD V sub(const V& a, const V& b) { return V{{a.c[0] - b.c[0], a.c[1] - b.c[1], a.c[2] - b.c[2]}}; }
  static WP_HD T dot(const V& a, const V& b) { return a.c[0] * b.c[0] + a.c[1] * b.c[1] + a.c[2] * b.c[2]; }
  static WP_HD V cross(const V& a, const V& b) {
    return V{{a.c[1] * b.c[2] - a.c[2] * b.c[1], a.c[2] * b.c[0] - a.c[0] * b.c[2], a.c[0] * b.c[1] - a.c[1] * b.c[0]}};
  }
  static WP_HD T eps() { return sizeof(T) >= 8 ? T(1.0e-12) : T(1.0e-5); }

  // Signed plane distances (scaled by |n|) of p0..p2 to the plane through q0 with normal n,
  // snapped to 0 within rounding noise. Returns false when all are strictly on one side.
  static WP_HD bool distances(const V& n, const V& q0, const V& p0, const V& p1, const V& p2, T d[3]) {
    const T nl = sqrt_(dot(n, n));
    const V p[3] = {p0, p1, p2};
    for (int i = 0; i < 3; ++i) {
      const V e = sub(p[i], q0);
      d[i] = dot(n, e);
      if (ab(d[i]) <= eps() * nl * sqrt_(dot(e, e))) d[i] = T(0);
    }
    const bool all_pos = d[0] > T(0) && d[1] > T(0) && d[2] > T(0);
    const bool all_neg = d[0] < T(0) && d[1] < T(0) && d[2] < T(0);
    return !(all_pos || all_neg);
  }
  static WP_HD T sqrt_(T x) { return sizeof(T) >= 8 ? T(::sqrt(double(x))) : T(sqrtf(float(x))); }

  // Interval of a triangle's crossing of the other plane, projected on one axis (p: the
  // vertices' coordinates on it, d: their plane distances).
  static WP_HD void interval(const T p[3], const T d[3], T& lo, T& hi) {
    bool any = false;
    lo = T(0);
    hi = T(0);
    auto take = [&](T x) {
      if (!any) {
        lo = hi = x;
        any = true;
      } else {
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
      }
    };
    for (int i = 0; i < 3; ++i) {
      if (d[i] == T(0)) take(p[i]);
      const int j = i == 2 ? 0 : i + 1;
      if ((d[i] < T(0) && d[j] > T(0)) || (d[i] > T(0) && d[j] < T(0))) take(p[i] + (p[j] - p[i]) * (d[i] / (d[i] - d[j])));
    }
  }

  // 2D helpers for the coplanar case.
  static WP_HD T orient(T ax, T ay, T bx, T by, T cx, T cy) { return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax); }
  static WP_HD bool on_segment(T ax, T ay, T bx, T by, T px, T py) {
    return (px >= (ax < bx ? ax : bx)) && (px <= (ax > bx ? ax : bx)) && (py >= (ay < by ? ay : by)) &&
           (py <= (ay > by ? ay : by));
  }
  static WP_HD bool segments(T ax, T ay, T bx, T by, T cx, T cy, T dx, T dy) {
    const T o1 = orient(ax, ay, bx, by, cx, cy), o2 = orient(ax, ay, bx, by, dx, dy);
    const T o3 = orient(cx, cy, dx, dy, ax, ay), o4 = orient(cx, cy, dx, dy, bx, by);
    if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return true;
    if (o1 == 0 && on_segment(ax, ay, bx, by, cx, cy)) return true;
    if (o2 == 0 && on_segment(ax, ay, bx, by, dx, dy)) return true;
    if (o3 == 0 && on_segment(cx, cy, dx, dy, ax, ay)) return true;
    if (o4 == 0 && on_segment(cx, cy, dx, dy, bx, by)) return true;
    return false;
  }
  static WP_HD bool inside(const T x[3], const T y[3], T px, T py) {
    const T o0 = orient(x[0], y[0], x[1], y[1], px, py);
    const T o1 = orient(x[1], y[1], x[2], y[2], px, py);
    const T o2 = orient(x[2], y[2], x[0], y[0], px, py);
    return (o0 >= 0 && o1 >= 0 && o2 >= 0) || (o0 <= 0 && o1 <= 0 && o2 <= 0);
  }
  static WP_HD int coplanar(const V& n, const V v[3], const V u[3]) {
    // Drop the axis where the normal is largest.
    const T nx = ab(n.c[0]), ny = ab(n.c[1]), nz = ab(n.c[2]);
    const int drop = (nx > ny) ? (nx > nz ? 0 : 2) : (ny > nz ? 1 : 2);
    const int i0 = drop == 0 ? 1 : 0, i1 = drop == 2 ? 1 : 2;
    T vx[3], vy[3], ux[3], uy[3];
    for (int k = 0; k < 3; ++k) {
      vx[k] = v[k].c[i0];
      vy[k] = v[k].c[i1];
      ux[k] = u[k].c[i0];
      uy[k] = u[k].c[i1];
    }
    for (int i = 0; i < 3; ++i) {
      const int i2 = i == 2 ? 0 : i + 1;
      for (int j = 0; j < 3; ++j) {
        const int j2 = j == 2 ? 0 : j + 1;
        if (segments(vx[i], vy[i], vx[i2], vy[i2], ux[j], uy[j], ux[j2], uy[j2])) return 1;
      }
    }
    if (inside(ux, uy, vx[0], vy[0]) || inside(vx, vy, ux[0], uy[0])) return 1;
    return 0;
  }

  static WP_HD int test(const V& v0, const V& v1, const V& v2, const V& u0, const V& u1, const V& u2) {
    const V n2 = cross(sub(u1, u0), sub(u2, u0));
    T dv[3];
    if (!distances(n2, u0, v0, v1, v2, dv)) return 0;
    const V n1 = cross(sub(v1, v0), sub(v2, v0));
    T du[3];
    if (!distances(n1, v0, u0, u1, u2, du)) return 0;
    const V vv[3] = {v0, v1, v2}, uu[3] = {u0, u1, u2};
    const V D = cross(n1, n2);
    const T Dx = ab(D.c[0]), Dy = ab(D.c[1]), Dz = ab(D.c[2]);
    const bool flat = (dv[0] == T(0) && dv[1] == T(0) && dv[2] == T(0)) || (du[0] == T(0) && du[1] == T(0) && du[2] == T(0));
    if (flat || (Dx == T(0) && Dy == T(0) && Dz == T(0))) {
      const T l1 = dot(n1, n1), l2 = dot(n2, n2);
      return coplanar(l1 >= l2 ? n1 : n2, vv, uu);
    }
    const int axis = (Dx > Dy) ? (Dx > Dz ? 0 : 2) : (Dy > Dz ? 1 : 2);
    const T pv[3] = {v0.c[axis], v1.c[axis], v2.c[axis]};
    const T pu[3] = {u0.c[axis], u1.c[axis], u2.c[axis]};
    T a0, a1, b0, b1;
    interval(pv, dv, a0, a1);
    interval(pu, du, b0, b1);
    return (a1 < b0 || b1 < a0) ? 0 : 1;
  }
};

}  // namespace geom::rq_detail

// 1 if the closed triangles (v0, v1, v2) and (u0, u1, u2) intersect (coplanar overlap counts).
WP_HD int32_t intersect_tri_tri(const vec_t<3, float>& v0, const vec_t<3, float>& v1, const vec_t<3, float>& v2,
                                const vec_t<3, float>& u0, const vec_t<3, float>& u1, const vec_t<3, float>& u2) {
  return geom::rq_detail::TriTri<float>::test(v0, v1, v2, u0, u1, u2);
}

WP_HD int32_t intersect_tri_tri(const vec_t<3, double>& v0, const vec_t<3, double>& v1, const vec_t<3, double>& v2,
                                const vec_t<3, double>& u0, const vec_t<3, double>& u1, const vec_t<3, double>& u2) {
  return geom::rq_detail::TriTri<double>::test(v0, v1, v2, u0, u1, u2);
}

}  // namespace wp
