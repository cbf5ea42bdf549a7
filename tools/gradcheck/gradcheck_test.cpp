// gradcheck_test.cpp — unit tests of warpc-gradcheck's parts: pragma parsing and the settings
// layers (geometry pragmas included), the generated meshes, the IR scan for atomic_min/max
// targets, refusal warnings, scalar conversions and the report's exit status. (The
// end-to-end checks are the test/gradcheck suite.)
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "mesh_shapes.h"
#include "module_build.h"
#include "report.h"
#include "settings.h"
#include "values.h"

namespace gradcheck {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_pragmas(text, "f.wp");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(Pragmas, FileWideAndPerKernelLayers) {
  const FileSettings fs = parse_pragmas(
      "import warp as wp\n"
      "# gradcheck: dim=32 range=0,2\n"
      "  #gradcheck: kernel=foo n=5 g=0,-9.8,0 range(x)=0.5,2 shape(a)=4,8\n"
      "# gradcheck: kernel=bar launch=4,6 eps=1e-4 tol=0.05 skip expect=refused\n"
      "x = 1  # gradcheck: dim=7 (not a pragma: code before the comment)\n",
      "f.wp");
  EXPECT_EQ(fs.file.dim, 32);
  EXPECT_EQ(fs.file.range, (Range{0.0, 2.0}));
  const Settings& foo = fs.kernels.at("foo");
  EXPECT_EQ(foo.values.at("n"), std::vector<double>{5.0});
  EXPECT_EQ(foo.values.at("g"), (std::vector<double>{0.0, -9.8, 0.0}));
  EXPECT_EQ(foo.ranges.at("x"), (Range{0.5, 2.0}));
  EXPECT_EQ(foo.shapes.at("a"), (std::vector<int>{4, 8}));
  const Settings& bar = fs.kernels.at("bar");
  EXPECT_EQ(bar.launch, (std::vector<int>{4, 6}));
  EXPECT_EQ(bar.eps, 1e-4);
  EXPECT_EQ(bar.tol, 0.05);
  EXPECT_TRUE(bar.skip.value_or(false));
  EXPECT_TRUE(bar.expect_refused.value_or(false));

  Settings cli;
  apply_word(cli, "dim=8");
  apply_word(cli, "tol=0.5");
  const Settings r = resolve(Settings{}, cli, fs, "foo");
  EXPECT_EQ(r.dim, 32);   // the file-wide pragma beats the command line
  EXPECT_EQ(r.tol, 0.5);  // the command line beats the default
  EXPECT_EQ(resolve(Settings{}, cli, fs, "bar").tol, 0.05);  // the kernel's pragma beats both
}

TEST(Pragmas, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of("\n# gradcheck: dim=abc\n"), "f.wp:2: bad gradcheck setting 'dim=abc': 'abc' is not a number");
  EXPECT_EQ(error_of("# gradcheck: dim=0\n"), "f.wp:1: bad gradcheck setting 'dim=0': expected a positive integer");
  EXPECT_EQ(error_of("# gradcheck: range(x)=2,1\n"),
            "f.wp:1: bad gradcheck setting 'range(x)=2,1': expected lo,hi with lo <= hi");
  EXPECT_EQ(error_of("# gradcheck: shape(a)=1,2,3,4,5\n"),
            "f.wp:1: bad gradcheck setting 'shape(a)=1,2,3,4,5': at most 4 dimensions");
  EXPECT_EQ(error_of("# gradcheck: expect=pass\n"),
            "f.wp:1: bad gradcheck setting 'expect=pass': the expectations are expect=refused and expect=warned");
  EXPECT_EQ(error_of("# gradcheck: frobnicate\n"), "f.wp:1: bad gradcheck setting 'frobnicate': expected key=value");
  EXPECT_EQ(error_of("# gradcheck: stored(y)\n"), "f.wp:1: bad gradcheck setting 'stored(y)': expected key=value");
  EXPECT_EQ(error_of("# gradcheck: size(a)=3\n"), "f.wp:1: bad gradcheck setting 'size(a)=3': unknown setting 'size(…)'");
  EXPECT_EQ(error_of("# gradcheck: range(1x)=0,1\n"),
            "f.wp:1: bad gradcheck setting 'range(1x)=0,1': '1x' is not a parameter name");
  EXPECT_EQ(error_of("# gradcheck: range(p..w)=0,1\n"),
            "f.wp:1: bad gradcheck setting 'range(p..w)=0,1': 'p..w' is not a parameter name");
}

TEST(Pragmas, StructFieldPaths) {
  Settings s;
  apply_word(s, "range(p.inner.w)=0.5,2");
  apply_word(s, "p.count=3");
  apply_word(s, "shape(p.data)=8,2");
  apply_word(s, "nocheck(p.inner)");
  EXPECT_EQ(s.ranges.at("p.inner.w"), (Range{0.5, 2.0}));
  EXPECT_EQ(s.values.at("p.count"), (std::vector<double>{3.0}));
  EXPECT_EQ(s.shapes.at("p.data"), (std::vector<int>{8, 2}));
  EXPECT_TRUE(s.nocheck.count("p.inner"));
  EXPECT_THROW(apply_word(s, "p.=1"), std::runtime_error);
}

TEST(Pragmas, Volumes) {
  const FileSettings fs = parse_pragmas(
      "# gradcheck: volume(v)=sphere,2.0,0.1\n"
      "# gradcheck: kernel=k volume(v)=index,4,data\n",
      "f.wp");
  EXPECT_EQ(fs.file.volumes.at("v"), (VolumeSpec{"sphere", {2.0, 0.1}, ""}));
  const Settings k = resolve(Settings{}, Settings{}, fs, "k");
  EXPECT_EQ(k.volumes.at("v"), (VolumeSpec{"index", {4.0}, "data"}));  // the kernel's wins
  EXPECT_EQ(error_of("# gradcheck: volume(v)=sphere,2\n"),
            "f.wp:1: bad gradcheck setting 'volume(v)=sphere,2': expected sphere,RADIUS,VOXEL (both > 0)");
  EXPECT_EQ(error_of("# gradcheck: volume(v)=index,4\n"),
            "f.wp:1: bad gradcheck setting 'volume(v)=index,4': expected index,N,DATA");
  EXPECT_EQ(error_of("# gradcheck: volume(v)=torus,1\n"),
            "f.wp:1: bad gradcheck setting 'volume(v)=torus,1': unknown volume kind 'torus' (sphere, index)");
}

TEST(Pragmas, MeshAndBvh) {
  const FileSettings fs = parse_pragmas(
      "# gradcheck: mesh(m)=points,indices mesh_shape(m)=sphere,8\n"
      "# gradcheck: kernel=k mesh(m)=p,idx,vel mesh_shape(m)=grid,3,4,0.2 bvh(b)=lo,hi\n"
      "# gradcheck: kernel=r mesh_shape(m)=random,5 mesh(s.mesh)=s.p,s.i\n",
      "f.wp");
  EXPECT_EQ(fs.file.meshes.at("m"), (std::vector<std::string>{"points", "indices"}));
  EXPECT_EQ(fs.file.mesh_shapes.at("m"), (MeshShape{"sphere", {8.0}}));
  const Settings k = resolve(Settings{}, Settings{}, fs, "k");
  EXPECT_EQ(k.meshes.at("m"), (std::vector<std::string>{"p", "idx", "vel"}));  // the kernel's wins
  EXPECT_EQ(k.mesh_shapes.at("m"), (MeshShape{"grid", {3.0, 4.0, 0.2}}));
  EXPECT_EQ(k.bvhs.at("b"), (std::vector<std::string>{"lo", "hi"}));
  const Settings r = resolve(Settings{}, Settings{}, fs, "r");
  EXPECT_EQ(r.meshes.at("m"), (std::vector<std::string>{"points", "indices"}));  // file-wide
  EXPECT_EQ(r.mesh_shapes.at("m"), (MeshShape{"random", {5.0}}));
  EXPECT_EQ(r.meshes.at("s.mesh"), (std::vector<std::string>{"s.p", "s.i"}));

  EXPECT_EQ(error_of("# gradcheck: mesh(m)=points\n"),
            "f.wp:1: bad gradcheck setting 'mesh(m)=points': expected POINTS,INDICES[,VELOCITIES]");
  EXPECT_EQ(error_of("# gradcheck: mesh(m)=a,b,c,d\n"),
            "f.wp:1: bad gradcheck setting 'mesh(m)=a,b,c,d': expected POINTS,INDICES[,VELOCITIES]");
  EXPECT_EQ(error_of("# gradcheck: mesh(m)=a,,b\n"),
            "f.wp:1: bad gradcheck setting 'mesh(m)=a,,b': '' is not a parameter name");
  // Without (ID), `mesh=…` is a parameter named mesh given a value.
  EXPECT_EQ(error_of("# gradcheck: mesh=a,b\n"), "f.wp:1: bad gradcheck setting 'mesh=a,b': 'a' is not a number");
  EXPECT_EQ(error_of("# gradcheck: bvh(b)=lo\n"), "f.wp:1: bad gradcheck setting 'bvh(b)=lo': expected LOWERS,UPPERS");
  EXPECT_EQ(error_of("# gradcheck: mesh_shape(m)=cube,3\n"),
            "f.wp:1: bad gradcheck setting 'mesh_shape(m)=cube,3': unknown mesh shape 'cube' (sphere, grid, random)");
  EXPECT_EQ(error_of("# gradcheck: mesh_shape(m)=sphere,2\n"),
            "f.wp:1: bad gradcheck setting 'mesh_shape(m)=sphere,2': a sphere needs N >= 3 segments");
  EXPECT_EQ(error_of("# gradcheck: mesh_shape(m)=sphere\n"),
            "f.wp:1: bad gradcheck setting 'mesh_shape(m)=sphere': expected sphere,N[,JITTER]");
  EXPECT_EQ(error_of("# gradcheck: mesh_shape(m)=grid,3\n"),
            "f.wp:1: bad gradcheck setting 'mesh_shape(m)=grid,3': expected grid,NX,NY[,JITTER]");
  EXPECT_EQ(error_of("# gradcheck: mesh_shape(m)=grid,3,2.5\n"),
            "f.wp:1: bad gradcheck setting 'mesh_shape(m)=grid,3,2.5': expected a positive integer");
  EXPECT_EQ(error_of("# gradcheck: mesh_shape(m)=sphere,8,0.6\n"),
            "f.wp:1: bad gradcheck setting 'mesh_shape(m)=sphere,8,0.6': the jitter (a fraction of the edge "
            "length) must be in [0, 0.45]");
  EXPECT_EQ(error_of("# gradcheck: mesh_shape(m)=random,4,1\n"),
            "f.wp:1: bad gradcheck setting 'mesh_shape(m)=random,4,1': expected random,NTRIS");
}

// Directed edges of a triangle list: each (a, b) with its count.
std::map<std::pair<int, int>, int> directed_edges(const std::vector<int32_t>& idx) {
  std::map<std::pair<int, int>, int> out;
  for (size_t t = 0; t + 2 < idx.size(); t += 3)
    for (int c = 0; c < 3; ++c) ++out[{idx[t + c], idx[t + (c + 1) % 3]}];
  return out;
}

TEST(MeshShapes, SphereIsClosedAndOutward) {
  for (int n : {3, 4, 8, 13}) {
    const MeshData m = sphere_mesh(n, -1.0, 3.0);  // centre (1, 1, 1), radius 2
    const int bands = std::max(2, n / 2);
    ASSERT_EQ(m.points.size(), static_cast<size_t>(2 + n * (bands - 1)));
    ASSERT_EQ(m.indices.size(), static_cast<size_t>(3 * 2 * n * (bands - 1)));
    for (int32_t i : m.indices) ASSERT_TRUE(i >= 0 && i < static_cast<int32_t>(m.points.size()));
    for (const auto& [e, count] : directed_edges(m.indices)) {  // closed, consistently oriented
      EXPECT_EQ(count, 1) << n;
      EXPECT_TRUE(directed_edges(m.indices).count({e.second, e.first})) << n;
    }
    double volume = 0.0;  // signed volume: positive when the normals point outward
    for (size_t t = 0; t < m.indices.size(); t += 3) {
      const auto& a = m.points[m.indices[t]];
      const auto& b = m.points[m.indices[t + 1]];
      const auto& c = m.points[m.indices[t + 2]];
      const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]}, v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
      const double nrm[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
      const double centroid[3] = {(a[0] + b[0] + c[0]) / 3 - 1, (a[1] + b[1] + c[1]) / 3 - 1, (a[2] + b[2] + c[2]) / 3 - 1};
      const double out = nrm[0] * centroid[0] + nrm[1] * centroid[1] + nrm[2] * centroid[2];
      EXPECT_GT(out, 0.0) << "face " << t / 3 << " of n=" << n << " points inward";
      volume += out / 6.0;
    }
    EXPECT_GT(volume, 0.15 * 4.0 / 3.0 * 3.14159 * 8.0);
    EXPECT_LT(volume, 4.0 / 3.0 * 3.14159 * 8.0);
    for (const auto& p : m.points)
      EXPECT_NEAR(std::hypot(p[0] - 1, p[1] - 1, p[2] - 1), 2.0, 1e-12);
    EXPECT_GT(m.edge, 0.0);
  }
}

TEST(MeshShapes, GridAndJitterAndRandomTriangles) {
  MeshData g = grid_mesh(3, 2, -1.0, 1.0);
  ASSERT_EQ(g.points.size(), 12u);
  ASSERT_EQ(g.indices.size(), 3u * 12u);
  for (size_t t = 0; t < g.indices.size(); t += 3) {  // normals +z
    const auto& a = g.points[g.indices[t]];
    const auto& b = g.points[g.indices[t + 1]];
    const auto& c = g.points[g.indices[t + 2]];
    EXPECT_GT((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]), 0.0);
  }
  for (const auto& [e, count] : directed_edges(g.indices)) EXPECT_EQ(count, 1);  // no folded pair
  EXPECT_DOUBLE_EQ(g.edge, 2.0 / 3.0);

  std::mt19937_64 rng(7);
  const MeshData before = g;
  jitter(g, 0.1, rng);
  bool moved = false;
  for (size_t k = 0; k < g.points.size(); ++k)
    for (int c = 0; c < 3; ++c) {
      EXPECT_LE(std::fabs(g.points[k][c] - before.points[k][c]), 0.1 * g.edge);
      moved |= g.points[k][c] != before.points[k][c];
    }
  EXPECT_TRUE(moved);

  const std::vector<int32_t> tris = random_triangles(50, 5, rng);
  ASSERT_EQ(tris.size(), 150u);
  for (size_t t = 0; t < tris.size(); t += 3) {
    EXPECT_TRUE(tris[t] != tris[t + 1] && tris[t] != tris[t + 2] && tris[t + 1] != tris[t + 2]);
    for (int c = 0; c < 3; ++c) EXPECT_TRUE(tris[t + c] >= 0 && tris[t + c] < 5);
  }
  EXPECT_THROW(random_triangles(1, 2, rng), std::runtime_error);
}

TEST(IrScan, MinMaxTargetsDirectAndThroughFunctions) {
  const std::string ir =
      "func @lower(%a: array(dtype=float32, ndim=1), %v: float32) {\n"
      "  %0 = const 0 : int32\n"
      "  %1 = atomic_min %a[%0], %v : float32\n"
      "  return\n"
      "}\n\n"
      "kernel @k(%x: array(dtype=float32, ndim=1), %lo: array(dtype=float32, ndim=1), %hi: array(dtype=float32, ndim=1), %sum: array(dtype=float32, ndim=1)) {\n"
      "  %0 = tid : int32\n"
      "  %1 = array_load %x[%0] : float32\n"
      "  call @lower(%lo, %1)\n"
      "  %2 = atomic_max %hi[%0], %1 : float32\n"
      "  %3 = atomic_add %sum[%0], %1 : float32\n"
      "  array_store %x[%0], %1\n"
      "  return\n"
      "}\n";
  const auto t = minmax_targets(ir);
  EXPECT_EQ(t.at("k"), (std::set<std::string>{"lo", "hi"}));  // not sum (atomic_add), not x
  EXPECT_FALSE(t.count("lower"));                             // functions are not reported
}

TEST(Warnings, RefusalReasons) {
  const auto r = refusal_reasons(
      "a.wp:3:5: warning: no backward pass for kernel 'k1': gradients of arrays of structs are not supported yet\n"
      "  code\n"
      "a.wp:9:5: warning: something else\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r.at("k1"), "gradients of arrays of structs are not supported yet");
}

TEST(Values, RoundTripsInStoragePrecision) {
  std::byte buf[8];
  store(Scalar::f32, buf, 0.1);
  EXPECT_EQ(load(Scalar::f32, buf), static_cast<double>(0.1f));
  store(Scalar::f64, buf, 0.1);
  EXPECT_EQ(load(Scalar::f64, buf), 0.1);
  store(Scalar::f16, buf, 1.0 / 3.0);
  EXPECT_EQ(load(Scalar::f16, buf), 0.333251953125);  // nearest binary16 to 1/3
  store(Scalar::bf16, buf, 1.0 / 3.0);
  EXPECT_EQ(load(Scalar::bf16, buf), 0.333984375);  // nearest bfloat16 to 1/3
  EXPECT_EQ(parse_scalar("bfloat16"), Scalar::bf16);
  EXPECT_EQ(scalar_size(Scalar::bf16), 2u);
  store(Scalar::i32, buf, -7.0);
  EXPECT_EQ(load(Scalar::i32, buf), -7.0);
  store(Scalar::boolean, buf, 2.0);
  EXPECT_EQ(load(Scalar::boolean, buf), 1.0);
  EXPECT_EQ(parse_scalar("float16"), Scalar::f16);
  EXPECT_EQ(parse_scalar(""), Scalar::other);
  EXPECT_EQ(scalar_size(Scalar::u64), 8u);
}

TEST(Values, RandomFillStaysInRange) {
  std::mt19937_64 rng(3);
  Buffer f{Scalar::f32, 3, 50, std::vector<std::byte>(600)};
  fill_random(f, 0.5, 2.0, rng);
  Buffer i{Scalar::i32, 1, 200, std::vector<std::byte>(800)};
  fill_random(i, 0, 3, rng);
  bool seen[4] = {};
  for (size_t k = 0; k < f.num_scalars(); ++k) EXPECT_TRUE(f.get(k) >= 0.5 && f.get(k) <= 2.0);
  for (size_t k = 0; k < i.num_scalars(); ++k) {
    ASSERT_TRUE(i.get(k) >= 0 && i.get(k) <= 3);
    seen[static_cast<int>(i.get(k))] = true;
  }
  EXPECT_TRUE(seen[0] && seen[1] && seen[2] && seen[3]);  // both ends included
}

TEST(Report, ExitStatusAndExpectations) {
  KernelResult ok{"a", Status::passed, "", "", false, {}};
  KernelResult refused{"b", Status::refused, "why", "", false, {}};
  std::ostringstream os;
  EXPECT_EQ(print_summary(os, {ok, refused}, {}, false), 0);
  EXPECT_EQ(print_summary(os, {ok, refused}, {}, true), 1);  // --require-all
  Settings expect;
  expect.expect_refused = true;
  apply_expectation(refused, expect);
  EXPECT_TRUE(refused.expected);
  EXPECT_EQ(print_summary(os, {ok, refused}, {}, true), 0);
  apply_expectation(ok, expect);  // has a backward pass: the expectation fails
  EXPECT_EQ(ok.status, Status::failed);
  EXPECT_EQ(print_summary(os, {ok}, {}, false), 1);
  EXPECT_EQ(print_summary(os, {}, {"a pragma names kernel 'zz'"}, false), 1);
  // expect=warned covers a wrong backward pass, not a wrong JVP (its dot-product test against
  // the wrong VJP is not counted).
  Settings warned;
  warned.expect_warned = true;
  const std::string warning = "kernel 'w' reads array 'a' back …";
  KernelResult bad_vjp{"w", Status::failed, "", "", false, {}};
  bad_vjp.params.push_back(ParamResult{"x", "float32(4,)", 4, 0, 1, 1.0, 1.0, {}});
  bad_vjp.jvp = "checked";
  bad_vjp.dot_ok = false;
  KernelResult bad_jvp = bad_vjp;
  apply_expectation(bad_vjp, warned, &warning);
  EXPECT_TRUE(bad_vjp.expected);
  bad_jvp.jvp_fd.failures = 2;
  apply_expectation(bad_jvp, warned, &warning);
  EXPECT_FALSE(bad_jvp.expected);
  EXPECT_EQ(bad_jvp.status, Status::failed);
  EXPECT_NE(bad_jvp.reason.find("forward-mode (JVP) pass also disagrees"), std::string::npos);
  std::ostringstream line;
  print_summary(line, {refused}, {}, false);
  EXPECT_EQ(line.str(), "summary: 0 passed, 0 failed, 1 refused, 0 skipped, 0 unsupported, 0 errors\n");
}

}  // namespace
}  // namespace gradcheck
