// geometry_kernels.h (private) — the per-index steps of BVH construction and refitting,
// written once as WP_HD functions and run by the CPU (through launch_cpu) and by CUDA kernels
// (geometry_cuda.cu): triangle boxes, LBVH sort keys, the binary radix tree over sorted keys,
// group roots, and the bottom-up refit of node boxes and winding data.
//
// Contract:
//  * Pure functions of their arguments, except the writes each documents; safe to run for all
//    indices concurrently.
//  * LBVH layout for n items (leaf size 1): internal nodes 0 … n−2 (root 0), leaf k (one item,
//    slot k) at node n−1+k; n = 1 gives a single leaf at node 0. With leaf size L > 1 the
//    tree is cut (lbvh_cut_node): the kept internal nodes in order (root 0), then the leaves.
//  * refit_from_leaf: one call per leaf, concurrently; counters zero before (each pass leaves
//    them zero: the second arriver resets its parent's). Each call writes
//    its leaf, then climbs; at every parent the first arriver stops and the second computes the
//    parent from both children (release/acquire through the counter), so every node is computed
//    once, after its children. Parent = union of children (exact); winding data combines left
//    then right, so results do not depend on arrival order.
#pragma once

#include <cstdint>

#if !defined(__CUDA_ARCH__)
#include <atomic>
#include <cmath>
#endif

#include "wp/builtins/geometry_types.h"

namespace wp::detail::geom {

using v3 = vec_t<3, float>;

WP_HD float fmin2(float a, float b) { return a < b ? a : b; }
WP_HD float fmax2(float a, float b) { return a > b ? a : b; }
WP_HD v3 vmin(const v3& a, const v3& b) { return v3{{fmin2(a[0], b[0]), fmin2(a[1], b[1]), fmin2(a[2], b[2])}}; }
WP_HD v3 vmax(const v3& a, const v3& b) { return v3{{fmax2(a[0], b[0]), fmax2(a[1], b[1]), fmax2(a[2], b[2])}}; }
WP_HD v3 cross3(const v3& a, const v3& b) {
  return v3{{a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]}};
}
WP_HD float length3(const v3& a) {
#if defined(__CUDA_ARCH__)
  return sqrtf(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
#else
  return std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
#endif
}
WP_HD bool finite3(const v3& a) {
#if defined(__CUDA_ARCH__)
  return isfinite(a[0]) && isfinite(a[1]) && isfinite(a[2]);
#else
  return std::isfinite(a[0]) && std::isfinite(a[1]) && std::isfinite(a[2]);
#endif
}
// True when every coordinate is finite and lower ≤ upper on every axis.
WP_HD bool valid_box(const v3& lower, const v3& upper) {
  return finite3(lower) && finite3(upper) && lower[0] <= upper[0] && lower[1] <= upper[1] &&
         lower[2] <= upper[2];
}

// ---- triangles ---------------------------------------------------------------------------

WP_HD void triangle_box(const v3* points, const int32_t* indices, int32_t tri, v3& lower,
                        v3& upper) {
  const v3 a = points[indices[3 * tri]], b = points[indices[3 * tri + 1]],
           c = points[indices[3 * tri + 2]];
  lower = vmin(a, vmin(b, c));
  upper = vmax(a, vmax(b, c));
}

// ---- LBVH keys and radix tree --------------------------------------------------------------

// Spreads the low 10 bits of v so that bit i moves to bit 3i.
WP_HD uint32_t spread_bits_3(uint32_t v) {
  v &= 0x3FFu;
  v = (v | (v << 16)) & 0x030000FFu;
  v = (v | (v << 8)) & 0x0300F00Fu;
  v = (v | (v << 4)) & 0x030C30C3u;
  v = (v | (v << 2)) & 0x09249249u;
  return v;
}

// Sort key of an item: its group in the high 32 bits, the 30-bit Morton code of its box
// centroid (quantised to 1024 cells per axis of the centroid bounds) in the low bits.
WP_HD uint64_t lbvh_key(const v3& lower, const v3& upper, const v3& centroid_lower,
                        const v3& inv_extent, int32_t group) {
  uint32_t cell[3];
  for (int d = 0; d < 3; ++d) {
    // Rounded operations (no fused multiply-add on CUDA): the CPU and CUDA builders compute
    // identical keys, hence identical trees.
#if defined(__CUDA_ARCH__)
    const float t = __fmul_rn(__fsub_rn(__fmul_rn(0.5f, __fadd_rn(lower[d], upper[d])), centroid_lower[d]),
                              inv_extent[d]);
#else
    const float t = (0.5f * (lower[d] + upper[d]) - centroid_lower[d]) * inv_extent[d];
#endif
    const float q = t * 1024.0f;
    cell[d] = q <= 0.0f ? 0u : (q >= 1023.0f ? 1023u : static_cast<uint32_t>(q));
  }
  const uint32_t morton =
      (spread_bits_3(cell[0]) << 2) | (spread_bits_3(cell[1]) << 1) | spread_bits_3(cell[2]);
  return (static_cast<uint64_t>(static_cast<uint32_t>(group)) << 32) | morton;
}

WP_HD int leading_zeros64(uint64_t x) {
#if defined(__CUDA_ARCH__)
  return __clzll(static_cast<long long>(x));
#else
  return x == 0 ? 64 : __builtin_clzll(x);
#endif
}

// Length of the common prefix of sorted keys i and j, made unique by the index (equal keys
// compare by i XOR j); −1 when j is outside [0, n).
WP_HD int common_prefix(const uint64_t* keys, int32_t n, int32_t i, int64_t j) {
  if (j < 0 || j >= n) return -1;
  const uint64_t a = keys[i], b = keys[j];
  if (a == b) return 64 + leading_zeros64(static_cast<uint64_t>(static_cast<uint32_t>(i ^ static_cast<int32_t>(j))) << 32);
  return leading_zeros64(a ^ b);
}

// Internal node i (0 ≤ i < n−1) of the radix tree over `keys` (n ≥ 2): finds its key range and
// split, writes its child links (box left for refit), the children's parent links, the
// range ends (range_first/range_last, for group roots), and parents[0] = −1.
WP_HD void lbvh_internal_node(int32_t i, const uint64_t* keys, int32_t n, BvhNode* nodes,
                              int32_t* parents, int32_t* range_first, int32_t* range_last) {
  const int d = common_prefix(keys, n, i, i + 1) - common_prefix(keys, n, i, int64_t{i} - 1) >= 0 ? 1 : -1;
  const int min_prefix = common_prefix(keys, n, i, int64_t{i} - d);
  int64_t max_length = 2;
  while (common_prefix(keys, n, i, i + max_length * d) > min_prefix) max_length *= 2;
  int64_t length = 0;
  for (int64_t step = max_length / 2; step >= 1; step /= 2)
    if (common_prefix(keys, n, i, i + (length + step) * d) > min_prefix) length += step;
  const int64_t j = i + length * d;
  const int node_prefix = common_prefix(keys, n, i, j);
  int64_t split = 0;
  for (int64_t step = length;;) {
    step = (step + 1) / 2;
    if (common_prefix(keys, n, i, i + (split + step) * d) > node_prefix) split += step;
    if (step <= 1) break;
  }
  const int32_t gamma = static_cast<int32_t>(i + split * d + (d < 0 ? -1 : 0));
  const int32_t first = static_cast<int32_t>(d > 0 ? i : j);
  const int32_t last = static_cast<int32_t>(d > 0 ? j : i);
  const int32_t leaf_base = n - 1;
  const int32_t left = first == gamma ? leaf_base + gamma : gamma;
  const int32_t right = last == gamma + 1 ? leaf_base + gamma + 1 : gamma + 1;
  nodes[i].left = left;
  nodes[i].right = right;
  parents[left] = i;
  parents[right] = i;
  range_first[i] = first;
  range_last[i] = last;
  if (i == 0) parents[0] = -1;
}

// Leaf k of the radix tree: node n−1+k holds slot k. For n = 1 it is the root.
WP_HD void lbvh_leaf(int32_t k, int32_t n, BvhNode* nodes, int32_t* parents) {
  nodes[n - 1 + k].left = k;
  nodes[n - 1 + k].right = -1;
  if (n == 1) parents[0] = -1;
}

// The LBVH leaf size of a build: BvhOptions::leaf_size (0: 1); 1 with groups (a leaf must not
// mix groups, whose subtrees are group roots).
inline int32_t lbvh_leaf_size(int32_t requested, bool groups) {
  return groups || requested <= 1 ? 1 : requested;
}

// ---- LBVH leaves of up to L items: the radix tree over single items, cut at subtrees --------
// A node of the radix tree over n items (internal nodes with their slot ranges) holds
// lbvh_subtree_size items. With leaf size L > 1 the tree is cut where a subtree holds at most L
// items: such a subtree whose parent holds more becomes one leaf of its (contiguous) slots, and
// the nodes below it go. The kept nodes are renumbered internal nodes first, in their old order
// (so the root stays node 0), then the leaves, in their old order: the leaves are one
// contiguous run, as in the uncut LBVH layout (one refit thread per leaf). The numbering comes
// from one inclusive prefix sum of lbvh_cut_term, which packs both counts in one 64-bit value.
WP_HD int32_t lbvh_subtree_size(int32_t node, int32_t n, const int32_t* range_first, const int32_t* range_last) {
  return node >= n - 1 ? 1 : range_last[node] - range_first[node] + 1;
}

inline constexpr uint64_t kCutLeafTerm = uint64_t{1} << 32;

// What `node` becomes in the cut tree, as a prefix-sum term: 1 for a kept internal node (the
// root, or a node of more than L items whose parent holds more than L), kCutLeafTerm for a
// leaf (at most L items, its parent more), 0 for a node cut away.
WP_HD uint64_t lbvh_cut_term(int32_t node, int32_t n, int32_t leaf_size, const int32_t* parents,
                             const int32_t* range_first, const int32_t* range_last) {
  const int32_t p = parents[node];
  if (p >= 0 && lbvh_subtree_size(p, n, range_first, range_last) <= leaf_size) return 0;
  return lbvh_subtree_size(node, n, range_first, range_last) <= leaf_size ? kCutLeafTerm : 1;
}

// The cut tree's size from the last inclusive prefix sum: internal nodes (= the first leaf's
// index) and leaves.
WP_HD int32_t cut_internal_count(uint64_t total) { return static_cast<int32_t>(total & 0xffffffffu); }
WP_HD int32_t cut_leaf_count(uint64_t total) { return static_cast<int32_t>(total >> 32); }

// The new index of kept node `node` (inclusive: the prefix sums of the terms; total: the last).
WP_HD int32_t lbvh_cut_index(int32_t node, const uint64_t* terms, const uint64_t* inclusive, uint64_t total) {
  const uint64_t before = inclusive[node] - terms[node];
  return terms[node] == 1 ? cut_internal_count(before) : cut_internal_count(total) + cut_leaf_count(before);
}

// Writes kept node `node` of the full tree (old_nodes, old_parents) at its new index: a node of
// more than L items keeps its two children (renumbered), one of at most L becomes a leaf.
WP_HD void lbvh_cut_node(int32_t node, int32_t n, int32_t leaf_size, const BvhNode* old_nodes,
                         const int32_t* old_parents, const int32_t* range_first, const int32_t* range_last,
                         const uint64_t* terms, const uint64_t* inclusive, uint64_t total, BvhNode* nodes,
                         int32_t* parents) {
  const int32_t k = lbvh_cut_index(node, terms, inclusive, total);
  const int32_t size = lbvh_subtree_size(node, n, range_first, range_last);
  if (size <= leaf_size) {
    nodes[k].left = node >= n - 1 ? node - (n - 1) : range_first[node];
    nodes[k].right = -size;
  } else {
    nodes[k].left = lbvh_cut_index(old_nodes[node].left, terms, inclusive, total);
    nodes[k].right = lbvh_cut_index(old_nodes[node].right, terms, inclusive, total);
  }
  parents[k] = old_parents[node] < 0 ? -1 : lbvh_cut_index(old_parents[node], terms, inclusive, total);
}

// Node `node` of the radix tree is the root of group g's subtree when all its keys have group
// g and its parent's do not (or it is the root): writes group_roots[g] = node.
WP_HD void lbvh_group_root(int32_t node, const uint64_t* keys, int32_t n, const int32_t* parents,
                           const int32_t* range_first, const int32_t* range_last,
                           int32_t* group_roots) {
  const auto group_of = [keys](int32_t slot) { return static_cast<int32_t>(keys[slot] >> 32); };
  const auto same_group = [&](int32_t k) {
    if (k >= n - 1) return true;  // a leaf
    return group_of(range_first[k]) == group_of(range_last[k]);
  };
  if (!same_group(node)) return;
  const int32_t parent = parents[node];
  if (parent >= 0 && same_group(parent)) return;
  const int32_t slot = node >= n - 1 ? node - (n - 1) : range_first[node];
  group_roots[group_of(slot)] = node;
}

// ---- bottom-up refit ---------------------------------------------------------------------

struct RefitArgs {
  BvhNode* nodes;
  const int32_t* parents;
  int32_t* counters;  // one per node, zero before the pass
  const int32_t* items;
  const v3* item_lowers;
  const v3* item_uppers;
  WindingNode* winding;  // null: boxes only
  const v3* points;      // the mesh (for winding data and recomputed triangle boxes)
  const int32_t* indices;
  v3* triangle_lowers;   // set: leaves recompute their triangles' boxes into these first
  v3* triangle_uppers;   // (then item_lowers/item_uppers are these same arrays)
};

// Second arrival at a parent returns 1 (after seeing the first arriver's writes): one
// acquire-release atomic at device scope publishes this thread's node writes and makes the
// other child's visible, without the two full fences an atomicAdd would need around it.
WP_HD int32_t arrive(int32_t* counter) {
#if defined(__CUDA_ARCH__)
  int32_t previous;
  asm volatile("atom.acq_rel.gpu.global.add.s32 %0, [%1], 1;"
               : "=r"(previous)
               : "l"(counter)
               : "memory");
  return previous;
#else
  return std::atomic_ref<int32_t>(*counter).fetch_add(1, std::memory_order_acq_rel);
#endif
}

// Reads a float another thread wrote before its arrive() (uncached on CUDA).
WP_HD float load_shared(const float* p) {
#if defined(__CUDA_ARCH__)
  return __ldcg(p);
#else
  return *p;
#endif
}
WP_HD v3 load_shared3(const v3& a) {
  return v3{{load_shared(&a[0]), load_shared(&a[1]), load_shared(&a[2])}};
}

WP_HD WindingNode load_winding(const WindingNode& w) {
  WindingNode r;
  r.normal_area = load_shared3(w.normal_area);
  r.radius = load_shared(&w.radius);
  r.centroid = load_shared3(w.centroid);
  r.area = load_shared(&w.area);
  return r;
}

// Winding data of triangles tri(first) … tri(first + count − 1) (tri(s) = items[s]).
WP_HD WindingNode leaf_winding(const RefitArgs& a, int32_t first, int32_t count) {
  v3 normal_area{{0, 0, 0}}, weighted{{0, 0, 0}}, plain{{0, 0, 0}};
  float area = 0;
  for (int32_t s = first; s < first + count; ++s) {
    const int32_t* t = a.indices + 3 * a.items[s];
    const v3 p = a.points[t[0]], q = a.points[t[1]], r = a.points[t[2]];
    const v3 n = cross3(q - p, r - p) * 0.5f;
    const float tri_area = length3(n);
    const v3 centroid = (p + q + r) * (1.0f / 3.0f);
    normal_area = normal_area + n;
    weighted = weighted + centroid * tri_area;
    plain = plain + centroid;
    area += tri_area;
  }
  WindingNode w;
  w.normal_area = normal_area;
  w.area = area;
  w.centroid = area > 0 ? weighted * (1.0f / area) : plain * (1.0f / static_cast<float>(count));
  float radius = 0;
  for (int32_t s = first; s < first + count; ++s) {
    const int32_t* t = a.indices + 3 * a.items[s];
    for (int c = 0; c < 3; ++c) radius = fmax2(radius, length3(a.points[t[c]] - w.centroid));
  }
  w.radius = radius;
  return w;
}

// Parent data from two children: summed normals and areas, area-weighted centroid (the mean
// when both areas are 0), and a radius whose ball holds both children's balls.
WP_HD WindingNode combine_winding(const WindingNode& l, const WindingNode& r) {
  WindingNode w;
  w.normal_area = l.normal_area + r.normal_area;
  w.area = l.area + r.area;
  w.centroid = w.area > 0 ? (l.centroid * l.area + r.centroid * r.area) * (1.0f / w.area)
                          : (l.centroid + r.centroid) * 0.5f;
  w.radius = fmax2(length3(l.centroid - w.centroid) + l.radius,
                   length3(r.centroid - w.centroid) + r.radius);
  return w;
}

// Recomputes leaf `leaf` from its items, then every ancestor whose other subtree is done.
WP_HD void refit_from_leaf(const RefitArgs& a, int32_t leaf) {
  BvhNode& node = a.nodes[leaf];
  const int32_t first = node.left, count = -node.right;
  v3 lower, upper;
  for (int32_t s = first; s < first + count; ++s) {
    const int32_t item = a.items[s];
    v3 item_lower, item_upper;
    if (a.triangle_lowers) {
      triangle_box(a.points, a.indices, item, item_lower, item_upper);
      a.triangle_lowers[item] = item_lower;
      a.triangle_uppers[item] = item_upper;
    } else {
      item_lower = a.item_lowers[item];
      item_upper = a.item_uppers[item];
    }
    lower = s == first ? item_lower : vmin(lower, item_lower);
    upper = s == first ? item_upper : vmax(upper, item_upper);
  }
  node.lower = lower;
  node.upper = upper;
  if (a.winding) a.winding[leaf] = leaf_winding(a, first, count);
  for (int32_t k = a.parents[leaf]; k >= 0; k = a.parents[k]) {
    if (arrive(&a.counters[k]) == 0) return;  // the other child is not done yet
    a.counters[k] = 0;  // both children arrived: ready for the next refit (no reset pass)
    BvhNode& parent = a.nodes[k];
    const BvhNode& l = a.nodes[parent.left];
    const BvhNode& r = a.nodes[parent.right];
    parent.lower = vmin(load_shared3(l.lower), load_shared3(r.lower));
    parent.upper = vmax(load_shared3(l.upper), load_shared3(r.upper));
    if (a.winding)
      a.winding[k] = combine_winding(load_winding(a.winding[parent.left]),
                                     load_winding(a.winding[parent.right]));
  }
}

}  // namespace wp::detail::geom
