// bvh_build_cpu.cpp — BVH construction and refitting on the host, parallel on the runtime's
// thread pool: binned-SAH and median-split builders, the LBVH builder (the same per-index
// steps as the CUDA one, geometry_kernels.h), validation scans and triangle boxes.
//
// Contract (see geometry_internal.h):
//  * SAH/Median: top-down splitting of contiguous item ranges. Ranges larger than the task
//    size are split on the calling thread (binning them in parallel); smaller ones become
//    independent tasks built in parallel into their own node lists, then stitched after the
//    top nodes in task order. The task size depends only on the item count, so the tree is
//    the same for any number of threads.
//  * SAH: kSahBins bins per axis over the centroid bounds; the split minimising
//    count × half-area of both sides wins (ties: lowest axis, then lowest bin). A range whose
//    centroids coincide, or whose partition comes out one-sided, is split at its middle.
//  * A range of ≤ leaf_size items is a leaf; node boxes are the exact unions of item boxes.
//  * Groups: items are ordered by group (stable), each group's range gets its own subtree,
//    and a top tree over the group roots (one group per leaf position) joins them.
//  * refit_cpu: leaves in parallel, each climbing with atomic counters (geometry_kernels.h).
#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <vector>

#include "geometry_internal.h"
#include "geometry_kernels.h"
#include "wp/launch.h"

namespace wp::detail {
namespace {

using geom::v3;

constexpr int kSahBins = 16;
constexpr int kDefaultLeafSize = 4;
constexpr int32_t kMinTaskItems = 4096;   // ranges at most this large … or …
constexpr int32_t kTasksPerTree = 64;     // … at most 1/64 of the items are built as tasks
constexpr int32_t kParallelBinItems = 1 << 15;  // top ranges at least this large bin in parallel

// ---- boxes and items ---------------------------------------------------------------------

// Four-lane float vectors (GCC/Clang vector extension): lanes 0–2 are x, y, z, lane 3 is
// ignored. Branch-free lane-wise min/max keep binning fast.
typedef float f4 __attribute__((vector_size(16)));
typedef int32_t i4 __attribute__((vector_size(16)));

inline f4 min4(f4 a, f4 b) { return a < b ? a : b; }
inline f4 max4(f4 a, f4 b) { return a > b ? a : b; }
// a where cond holds, else b (lane-wise bit select, no branch).
inline f4 select4(bool cond, f4 a, f4 b) {
  const i4 mask = i4{0, 0, 0, 0} - static_cast<int32_t>(cond);
  return std::bit_cast<f4>((std::bit_cast<i4>(a) & mask) | (std::bit_cast<i4>(b) & ~mask));
}
inline f4 load3(const v3& v) { return f4{v[0], v[1], v[2], 0.0f}; }
constexpr float kInf = std::numeric_limits<float>::infinity();

struct Box {
  f4 lo = {kInf, kInf, kInf, kInf};
  f4 hi = {-kInf, -kInf, -kInf, -kInf};

  void grow(f4 lower, f4 upper) {
    lo = min4(lo, lower);
    hi = max4(hi, upper);
  }
  void grow(f4 p) { grow(p, p); }
  void merge(const Box& b) { grow(b.lo, b.hi); }
  float half_area() const {
    const f4 e = hi - lo;
    return e[0] * e[1] + e[1] * e[2] + e[2] * e[0];
  }
  float extent(int d) const { return hi[d] - lo[d]; }
};

// An item during the build: its box in lanes 0–2 of lo/hi, its index in lane 3 of lo (as
// bits; masked off before any arithmetic), 0 in lane 3 of hi.
struct BuildItem {
  f4 lo;
  f4 hi;

  static BuildItem make(f4 lower, f4 upper, int32_t id) {
    BuildItem it;
    i4 bits = std::bit_cast<i4>(lower);
    bits[3] = id;
    it.lo = std::bit_cast<f4>(bits);
    it.hi = upper;
    it.hi[3] = 0.0f;
    return it;
  }
  int32_t id() const { return std::bit_cast<i4>(lo)[3]; }
  f4 lower() const { return std::bit_cast<f4>(std::bit_cast<i4>(lo) & i4{-1, -1, -1, 0}); }
  f4 centroid2() const { return lower() + hi; }  // twice the box centre
  float centroid2(int d) const { return lo[d] + hi[d]; }
};
static_assert(sizeof(BuildItem) == 32);

struct Range {
  int32_t begin = 0;
  int32_t end = 0;
  Box box;   // union of the items' boxes
  Box cbox;  // bounds of the doubled centroids
  int32_t count() const { return end - begin; }
};

// Runs body(begin, end) over [0, n) on the pool (serially when small or nested).
template <typename F>
void parallel_ranges(int64_t n, F&& body) {
  if (n > 0) launch_cpu_ranges(Dim(n), LaunchOptions{}, std::forward<F>(body));
}

// Bounds of items[begin, end) (parallel for large ranges).
Range bound_range(const BuildItem* items, int32_t begin, int32_t end) {
  Range r;
  r.begin = begin;
  r.end = end;
  std::mutex merge;
  parallel_ranges(end - begin, [&](int64_t b, int64_t e) {
    Box box, cbox;
    for (int64_t i = begin + b; i < begin + e; ++i) {
      box.grow(items[i].lower(), items[i].hi);
      cbox.grow(items[i].centroid2());
    }
    std::lock_guard<std::mutex> lock(merge);
    r.box.merge(box);
    r.cbox.merge(cbox);
  });
  return r;
}

// ---- split finding -----------------------------------------------------------------------

struct Bins {
  Box box[3][kSahBins];
  int32_t count[3][kSahBins] = {};

  void merge(const Bins& o) {
    for (int d = 0; d < 3; ++d)
      for (int b = 0; b < kSahBins; ++b) {
        box[d][b].merge(o.box[d][b]);
        count[d][b] += o.count[d][b];
      }
  }
};

// Maps an item's doubled centroid to its bin on each axis of a range's centroid bounds.
struct BinMap {
  f4 origin;
  f4 scale;
  bool usable[3];

  explicit BinMap(const Box& cbox) : origin(cbox.lo), scale{0, 0, 0, 0} {
    for (int d = 0; d < 3; ++d) {
      const float extent = cbox.extent(d);
      usable[d] = extent > 0 && std::isfinite(extent);
      if (usable[d]) scale[d] = static_cast<float>(kSahBins) * (1 - 1e-6f) / extent;
    }
  }
  i4 bins(const BuildItem& it) const {
    const i4 b = __builtin_convertvector((it.centroid2() - origin) * scale, i4);
    const i4 zero = {0, 0, 0, 0}, last = {kSahBins - 1, kSahBins - 1, kSahBins - 1, kSahBins - 1};
    const i4 low_clamped = b < zero ? zero : b;
    return low_clamped > last ? last : low_clamped;
  }
};

void bin_items(const BuildItem* items, int64_t begin, int64_t end, const BinMap& map, Bins& bins) {
  for (int64_t i = begin; i < end; ++i) {
    const BuildItem& it = items[i];
    const i4 b = map.bins(it);
    const f4 lower = it.lower();
    for (int d = 0; d < 3; ++d) {
      bins.box[d][b[d]].grow(lower, it.hi);
      ++bins.count[d][b[d]];
    }
  }
}

struct SahSplit {
  int axis = -1;  // −1: no usable split
  int last_left_bin = 0;
  Box left_box, right_box;
};

SahSplit best_sah_split(const Bins& bins, const BinMap& map) {
  SahSplit best;
  float best_cost = std::numeric_limits<float>::infinity();
  for (int d = 0; d < 3; ++d) {
    if (!map.usable[d]) continue;
    float right_cost[kSahBins];
    Box right;
    int32_t right_count = 0;
    for (int b = kSahBins - 1; b > 0; --b) {
      right.merge(bins.box[d][b]);
      right_count += bins.count[d][b];
      right_cost[b] = right_count ? static_cast<float>(right_count) * right.half_area() : -1.0f;
    }
    Box left;
    int32_t left_count = 0;
    for (int b = 0; b < kSahBins - 1; ++b) {
      left.merge(bins.box[d][b]);
      left_count += bins.count[d][b];
      if (left_count == 0 || right_cost[b + 1] < 0) continue;
      const float cost = static_cast<float>(left_count) * left.half_area() + right_cost[b + 1];
      if (cost < best_cost) {
        best_cost = cost;
        best.axis = d;
        best.last_left_bin = b;
        best.left_box = left;
      }
    }
  }
  if (best.axis >= 0) {
    for (int b = best.last_left_bin + 1; b < kSahBins; ++b) best.right_box.merge(bins.box[best.axis][b]);
  }
  return best;
}

// Parameters shared by every range of one build.
struct BuildContext {
  BuildItem* items;
  BvhBuilder builder;
  int32_t leaf_size;
  int32_t task_items;             // ranges this small become tasks (when tasks are collected)
  const int32_t* leaf_node_of_id;  // group top tree: leaf of item id → existing node
};

// Splits r at its middle after ordering by centroid on the widest centroid axis.
void split_median(const BuildContext& ctx, const Range& r, Range child[2]) {
  int axis = 0;
  for (int d = 1; d < 3; ++d)
    if (r.cbox.extent(d) > r.cbox.extent(axis)) axis = d;
  const int32_t mid = r.begin + r.count() / 2;
  BuildItem* items = ctx.items;
  std::nth_element(items + r.begin, items + mid, items + r.end,
                   [axis](const BuildItem& a, const BuildItem& b) {
                     const float ca = a.centroid2(axis), cb = b.centroid2(axis);
                     return ca < cb || (ca == cb && a.id() < b.id());
                   });
  child[0] = bound_range(items, r.begin, mid);
  child[1] = bound_range(items, mid, r.end);
}

// Splits r by binned SAH; falls back to the median split when no bin boundary separates it.
void split_sah(const BuildContext& ctx, const Range& r, Range child[2]) {
  const BinMap map(r.cbox);
  Bins bins;
  if (r.count() >= kParallelBinItems) {
    std::mutex merge;
    parallel_ranges(r.count(), [&](int64_t b, int64_t e) {
      Bins local;
      bin_items(ctx.items, r.begin + b, r.begin + e, map, local);
      std::lock_guard<std::mutex> lock(merge);
      bins.merge(local);
    });
  } else {
    bin_items(ctx.items, r.begin, r.end, map, bins);
  }
  const SahSplit split = best_sah_split(bins, map);
  if (split.axis < 0) return split_median(ctx, r, child);
  // Partition [begin, end): items in bins ≤ last_left_bin first, tracking centroid bounds.
  BuildItem* items = ctx.items;
  Box left_cbox, right_cbox;
  int32_t i = r.begin, j = r.end;
  while (i < j) {
    if (map.bins(items[i])[split.axis] <= split.last_left_bin) {
      left_cbox.grow(items[i].centroid2());
      ++i;
    } else {
      --j;
      std::swap(items[i], items[j]);
      right_cbox.grow(items[j].centroid2());
    }
  }
  if (i == r.begin || i == r.end) return split_median(ctx, r, child);
  child[0].begin = r.begin;
  child[0].end = i;
  child[0].box = split.left_box;
  child[0].cbox = left_cbox;
  child[1].begin = i;
  child[1].end = r.end;
  child[1].box = split.right_box;
  child[1].cbox = right_cbox;
}

void split_range(const BuildContext& ctx, const Range& r, Range child[2]) {
  if (ctx.builder == BvhBuilder::Median) return split_median(ctx, r, child);
  split_sah(ctx, r, child);
}

// ---- tree construction ---------------------------------------------------------------------

BvhNode make_node(const Box& box, int32_t left, int32_t right) {
  BvhNode n;
  n.lower = v3{{box.lo[0], box.lo[1], box.lo[2]}};
  n.upper = v3{{box.hi[0], box.hi[1], box.hi[2]}};
  n.left = left;
  n.right = right;
  return n;
}

struct Task {
  Range range;
  int32_t slot;  // the node the task's subtree root fills
};

// The node standing for leaf range r: a new leaf in `out`, or (group top tree) the existing
// subtree root of r's single item.
int32_t make_leaf(const BuildContext& ctx, std::vector<BvhNode>& out, const Range& r) {
  if (ctx.leaf_node_of_id) return ctx.leaf_node_of_id[ctx.items[r.begin].id()];
  out.push_back(make_node(r.box, r.begin, -r.count()));
  return static_cast<int32_t>(out.size() - 1);
}

// Fills node `slot` of `out` with the subtree over `root` (> leaf_size items), appending the
// nodes below it. With `tasks`, child ranges of ≤ task_items items get a slot and become tasks.
void build_subtree(const BuildContext& ctx, std::vector<BvhNode>& out, int32_t slot,
                   const Range& root, std::vector<Task>* tasks) {
  struct Pending {
    Range range;
    int32_t slot;
  };
  std::vector<Pending> stack{{root, slot}};
  while (!stack.empty()) {
    const Pending p = stack.back();
    stack.pop_back();
    Range child[2];
    split_range(ctx, p.range, child);
    int32_t ref[2];
    for (int c = 0; c < 2; ++c) {
      if (child[c].count() <= ctx.leaf_size) {
        ref[c] = make_leaf(ctx, out, child[c]);
        continue;
      }
      ref[c] = static_cast<int32_t>(out.size());
      out.emplace_back();
      if (tasks && child[c].count() <= ctx.task_items) {
        tasks->push_back({child[c], ref[c]});
      }
    }
    out[p.slot] = make_node(p.range.box, ref[0], ref[1]);
    // Right first on the stack, so the left subtree is built (and laid out) first.
    for (int c = 1; c >= 0; --c) {
      if (child[c].count() <= ctx.leaf_size) continue;
      if (tasks && child[c].count() <= ctx.task_items) continue;
      stack.push_back({child[c], ref[c]});
    }
  }
}

// The node of a whole tree over r: a leaf, a task, or a subtree built now (top part).
int32_t build_tree(const BuildContext& ctx, std::vector<BvhNode>& out, const Range& r,
                   std::vector<Task>* tasks) {
  if (r.count() <= ctx.leaf_size) return make_leaf(ctx, out, r);
  const int32_t slot = static_cast<int32_t>(out.size());
  out.emplace_back();
  if (tasks && r.count() <= ctx.task_items) {
    tasks->push_back({r, slot});
  } else {
    build_subtree(ctx, out, slot, r, tasks);
  }
  return slot;
}

// Builds every task (largest first, on all pool threads) and appends their nodes to `nodes`
// in task order: each task's root fills its slot, its other nodes follow the earlier ones.
void run_tasks(const BuildContext& ctx, std::vector<BvhNode>& nodes, const std::vector<Task>& tasks) {
  if (tasks.empty()) return;
  std::vector<std::vector<BvhNode>> built(tasks.size());
  std::vector<int32_t> order(tasks.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return tasks[a].range.count() > tasks[b].range.count();
  });
  std::atomic<std::size_t> next{0};
  // The launch only puts every pool thread to work; tasks come from the shared counter.
  const int64_t workers = std::max<int64_t>(static_cast<int64_t>(tasks.size()), kSerialLaunchThreshold + 1);
  parallel_ranges(workers, [&](int64_t, int64_t) {
    for (std::size_t k; (k = next.fetch_add(1)) < tasks.size();) {
      const Task& t = tasks[order[k]];
      std::vector<BvhNode>& local = built[order[k]];
      local.reserve(static_cast<std::size_t>(t.range.count()));
      local.emplace_back();
      build_subtree(ctx, local, 0, t.range, nullptr);
    }
  });
  std::vector<int32_t> offset(tasks.size());
  std::size_t total = nodes.size();
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    offset[t] = static_cast<int32_t>(total) - 1;  // local node j ≥ 1 → offset + j
    total += built[t].size() - 1;
  }
  nodes.resize(total);
  parallel_ranges(static_cast<int64_t>(tasks.size()), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const std::vector<BvhNode>& local = built[t];
      for (std::size_t j = 0; j < local.size(); ++j) {
        BvhNode n = local[j];
        if (!n.is_leaf()) {
          n.left += offset[t];
          n.right += offset[t];
        }
        nodes[j == 0 ? tasks[t].slot : offset[t] + j] = n;
      }
    }
  });
}

// Copies a host node list, slot list and parents into arrays on the host.
BvhTopology finish_topology(const std::vector<BvhNode>& nodes, const std::vector<BuildItem>& items,
                            int32_t root) {
  BvhTopology t;
  t.num_nodes = static_cast<int32_t>(nodes.size());
  t.root = root;
  t.nodes = from_host(nodes);
  t.items = empty<int32_t>({static_cast<int64_t>(items.size())});
  t.parents = empty<int32_t>({t.num_nodes});
  t.counters = zeros<int32_t>({t.num_nodes});
  int32_t* slots = t.items.data();
  parallel_ranges(static_cast<int64_t>(items.size()), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) slots[i] = items[i].id();
  });
  int32_t* parents = t.parents.data();
  parents[root] = -1;
  const BvhNode* n = t.nodes.data();
  parallel_ranges(t.num_nodes, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      if (n[k].is_leaf()) continue;
      parents[n[k].left] = static_cast<int32_t>(k);
      parents[n[k].right] = static_cast<int32_t>(k);
    }
  });
  return t;
}

int32_t effective_leaf_size(const BvhOptions& options) {
  return options.leaf_size > 0 ? options.leaf_size : kDefaultLeafSize;
}

// Item indices ordered by group (stable), with each group's [begin, end) in the order.
struct GroupOrder {
  std::vector<int32_t> order;
  std::vector<int32_t> begin;  // num_groups + 1 entries
};

GroupOrder order_by_group(const int32_t* groups, int32_t count, int32_t num_groups) {
  GroupOrder g;
  g.begin.assign(static_cast<std::size_t>(num_groups) + 1, 0);
  for (int32_t i = 0; i < count; ++i) ++g.begin[groups[i] + 1];
  for (int32_t k = 0; k < num_groups; ++k) g.begin[k + 1] += g.begin[k];
  std::vector<int32_t> cursor(g.begin.begin(), g.begin.end() - 1);
  g.order.resize(count);
  for (int32_t i = 0; i < count; ++i) g.order[cursor[groups[i]]++] = i;
  return g;
}

}  // namespace

// ---- scans ---------------------------------------------------------------------------------

namespace {
void atomic_min(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load(std::memory_order_relaxed);
  while (v < cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}
void atomic_max(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load(std::memory_order_relaxed);
  while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}
constexpr int64_t kNone = std::numeric_limits<int64_t>::max();
int64_t none_to_minus_one(int64_t v) { return v == kNone ? -1 : v; }
}  // namespace

ItemScan scan_items_cpu(const BvhBuildRequest& req) {
  std::atomic<int64_t> bad_box{kNone}, bad_group{kNone}, max_group{-1};
  Box centroids;
  std::mutex merge;
  parallel_ranges(req.count, [&](int64_t b, int64_t e) {
    Box local;
    int64_t local_max_group = -1;
    for (int64_t i = b; i < e; ++i) {
      const v3& lo = req.lowers[i];
      const v3& hi = req.uppers[i];
      if (!geom::valid_box(lo, hi)) {
        atomic_min(bad_box, i);
      } else {
        local.grow(load3((lo + hi) * 0.5f));
      }
      if (req.groups) {
        const int32_t g = req.groups[i];
        if (g < 0) atomic_min(bad_group, i);
        local_max_group = std::max<int64_t>(local_max_group, g);
      }
    }
    atomic_max(max_group, local_max_group);
    std::lock_guard<std::mutex> lock(merge);
    centroids.merge(local);
  });
  ItemScan s;
  s.first_bad_box = static_cast<int32_t>(none_to_minus_one(bad_box));
  s.first_bad_group = static_cast<int32_t>(none_to_minus_one(bad_group));
  s.max_group = static_cast<int32_t>(max_group);
  s.centroid_lower = v3{{centroids.lo[0], centroids.lo[1], centroids.lo[2]}};
  s.centroid_upper = v3{{centroids.hi[0], centroids.hi[1], centroids.hi[2]}};
  return s;
}

MeshScan scan_mesh_cpu(const vec3* points, int32_t num_points, const int32_t* indices,
                       int32_t num_tris) {
  std::atomic<int64_t> bad_index{kNone}, bad_point{kNone};
  parallel_ranges(int64_t{num_tris} * 3, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      if (indices[i] < 0 || indices[i] >= num_points) {
        atomic_min(bad_index, i);
        return;
      }
  });
  parallel_ranges(num_points, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      if (!geom::finite3(points[i])) {
        atomic_min(bad_point, i);
        return;
      }
  });
  MeshScan s;
  s.first_bad_index = none_to_minus_one(bad_index);
  s.first_bad_point = static_cast<int32_t>(none_to_minus_one(bad_point));
  return s;
}

void triangle_boxes_cpu(const vec3* points, const int32_t* indices, int32_t num_tris,
                        vec3* lowers, vec3* uppers) {
  parallel_ranges(num_tris, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t)
      geom::triangle_box(points, indices, static_cast<int32_t>(t), lowers[t], uppers[t]);
  });
}

// ---- builders --------------------------------------------------------------------------------

BvhTopology build_bvh_cpu(const BvhBuildRequest& req, const ItemScan& scan) {
  const int32_t n = req.count;
  const int32_t num_groups = req.groups ? scan.max_group + 1 : 0;
  GroupOrder groups;
  if (req.groups) groups = order_by_group(req.groups, n, num_groups);

  std::vector<BuildItem> items(static_cast<std::size_t>(n));
  parallel_ranges(n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const int32_t id = req.groups ? groups.order[i] : static_cast<int32_t>(i);
      items[i] = BuildItem::make(load3(req.lowers[id]), load3(req.uppers[id]), id);
    }
  });

  BuildContext ctx;
  ctx.items = items.data();
  ctx.builder = req.options.builder;
  ctx.leaf_size = effective_leaf_size(req.options);
  ctx.task_items = std::max(kMinTaskItems, n / kTasksPerTree);
  ctx.leaf_node_of_id = nullptr;

  std::vector<BvhNode> nodes;
  nodes.reserve(static_cast<std::size_t>(n / std::max(1, ctx.leaf_size / 2)) + 1);
  std::vector<Task> tasks;
  if (!req.groups) {
    const int32_t root = build_tree(ctx, nodes, bound_range(items.data(), 0, n), &tasks);
    run_tasks(ctx, nodes, tasks);
    return finish_topology(nodes, items, root);
  }

  std::vector<int32_t> group_root(static_cast<std::size_t>(num_groups), -1);
  std::vector<BuildItem> group_items;  // one per non-empty group: its root box, id = group
  for (int32_t g = 0; g < num_groups; ++g) {
    if (groups.begin[g] == groups.begin[g + 1]) continue;
    const Range r = bound_range(items.data(), groups.begin[g], groups.begin[g + 1]);
    group_root[g] = build_tree(ctx, nodes, r, &tasks);
    group_items.push_back(BuildItem::make(r.box.lo, r.box.hi, g));
  }
  run_tasks(ctx, nodes, tasks);

  int32_t root = group_root[group_items.front().id()];
  if (group_items.size() > 1) {
    BuildContext top = ctx;
    top.items = group_items.data();
    top.leaf_size = 1;
    top.leaf_node_of_id = group_root.data();
    root = build_tree(top, nodes, bound_range(group_items.data(), 0, static_cast<int32_t>(group_items.size())),
                      nullptr);
  }
  BvhTopology t = finish_topology(nodes, items, root);
  t.num_groups = num_groups;
  t.group_roots = from_host(group_root);
  return t;
}

BvhTopology build_lbvh_cpu(const BvhBuildRequest& req, const ItemScan& scan) {
  const int32_t n = req.count;
  v3 inv_extent;
  for (int d = 0; d < 3; ++d) {
    const float extent = scan.centroid_upper[d] - scan.centroid_lower[d];
    inv_extent[d] = extent > 0 ? 1.0f / extent : 0.0f;
  }
  struct Keyed {
    uint64_t key;
    int32_t item;
  };
  std::vector<Keyed> keyed(static_cast<std::size_t>(n));
  parallel_ranges(n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      keyed[i] = {geom::lbvh_key(req.lowers[i], req.uppers[i], scan.centroid_lower, inv_extent,
                                 req.groups ? req.groups[i] : 0),
                  static_cast<int32_t>(i)};
  });
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    return a.key < b.key || (a.key == b.key && a.item < b.item);
  });

  const int32_t leaf_size = geom::lbvh_leaf_size(req.options.leaf_size, req.groups != nullptr);
  BvhTopology t;
  t.num_nodes = 2 * n - 1;  // the radix tree over single items (cut below for leaf_size > 1)
  t.root = 0;
  t.nodes = empty<BvhNode>({t.num_nodes});
  t.items = empty<int32_t>({n});
  t.parents = empty<int32_t>({t.num_nodes});
  std::vector<uint64_t> keys(static_cast<std::size_t>(n));
  std::vector<int32_t> range_first(static_cast<std::size_t>(std::max(n - 1, 1)));
  std::vector<int32_t> range_last(range_first.size());
  int32_t* slots = t.items.data();
  BvhNode* nodes = t.nodes.data();
  int32_t* parents = t.parents.data();
  parallel_ranges(n, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      keys[k] = keyed[k].key;
      slots[k] = keyed[k].item;
      geom::lbvh_leaf(static_cast<int32_t>(k), n, nodes, parents);
    }
  });
  parallel_ranges(n - 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      geom::lbvh_internal_node(static_cast<int32_t>(i), keys.data(), n, nodes, parents,
                               range_first.data(), range_last.data());
  });
  if (leaf_size > 1 && n > 1) {  // cut subtrees of at most leaf_size items into leaves
    const int32_t full = t.num_nodes;
    std::vector<uint64_t> terms(static_cast<std::size_t>(full)), inclusive(static_cast<std::size_t>(full));
    uint64_t sum = 0;
    for (int32_t k = 0; k < full; ++k) {
      terms[k] = geom::lbvh_cut_term(k, n, leaf_size, parents, range_first.data(), range_last.data());
      inclusive[k] = sum += terms[k];
    }
    BvhTopology cut = t;
    cut.num_nodes = geom::cut_internal_count(sum) + geom::cut_leaf_count(sum);
    cut.first_leaf = geom::cut_internal_count(sum);
    cut.nodes = empty<BvhNode>({cut.num_nodes});
    cut.parents = empty<int32_t>({cut.num_nodes});
    parallel_ranges(full, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k)
        if (terms[k])
          geom::lbvh_cut_node(static_cast<int32_t>(k), n, leaf_size, nodes, parents, range_first.data(),
                              range_last.data(), terms.data(), inclusive.data(), sum, cut.nodes.data(),
                              cut.parents.data());
    });
    t = std::move(cut);
    nodes = t.nodes.data();
    parents = t.parents.data();
  }
  t.counters = zeros<int32_t>({t.num_nodes});
  if (req.groups) {
    t.num_groups = scan.max_group + 1;
    t.group_roots = full<int32_t>({t.num_groups}, -1);
    int32_t* roots = t.group_roots.data();
    parallel_ranges(t.num_nodes, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k)
        geom::lbvh_group_root(static_cast<int32_t>(k), keys.data(), n, parents, range_first.data(),
                              range_last.data(), roots);
    });
  }
  refit_cpu(t, req.lowers, req.uppers, nullptr);
  return t;
}

void refit_cpu(const BvhTopology& tree, const vec3* lowers, const vec3* uppers,
               const MeshRefitSource* mesh) {
  geom::RefitArgs args{tree.nodes.data(), tree.parents.data(), tree.counters.data(),
                       tree.items.data(),  lowers,             uppers,
                       mesh ? mesh->winding : nullptr,
                       mesh ? mesh->points : nullptr,
                       mesh ? mesh->indices : nullptr,
                       mesh ? mesh->triangle_lowers : nullptr,
                       mesh ? mesh->triangle_uppers : nullptr};
  std::fill_n(args.counters, tree.num_nodes, 0);
  parallel_ranges(tree.num_nodes, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k)
      if (args.nodes[k].is_leaf()) geom::refit_from_leaf(args, static_cast<int32_t>(k));
  });
}

}  // namespace wp::detail
