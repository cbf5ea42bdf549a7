// harness.h — checks one kernel's generated backward pass against central finite
// differences (warpc-gradcheck's core; docs/autodiff.md "gradcheck").
//
// Contract:
//  * check_kernel() draws the inputs (settings.h ranges / values / shapes; seeded), runs the
//    forward on copies, forms loss = Σ w·out over every float array element after the launch
//    (random weights w in [-1, 1]), seeds every float array's gradient with w, runs the
//    backward on fresh copies of the inputs (atomic_min/atomic_max targets, `minmax`: on
//    the forward's results, which their adjoint compares with), and compares for every float
//    input component:
//      AD = the array's gradient buffer after the backward pass (warpc's stores consume the
//           gradient they read, so the buffer then holds d(loss)/d(the input value) for
//           every element: overwritten, atomically updated or untouched);
//           non-array float parameters: the backward's accumulator;
//      FD = (L(x+eps) − L(x−eps)) / (actual step), forward in the kernel's own precision,
//           loss differences summed in double.
//    An element passes when |AD − FD| ≤ tol·max(1, |FD|). Where the two one-sided
//    differences disagree (a kink within eps: comparisons, min/max, abs) it also passes when
//    AD matches either one-sided difference within 10·tol; such elements are counted. A
//    failing element whose one-sided differences disagree by more than tol (a smaller kink
//    within eps) is probed at ±2·eps: it passes, counted as a kink, when one side's slopes over
//    [x0, x0 ± eps] and [x0 ± eps, x0 ± 2·eps] agree within tol and AD matches them within tol.
//  * Geometry (settings.h meshes / mesh_shapes / bvhs): the uint64 parameter ID gets the id of a
//    wp::Mesh (built with winding-number support) or wp::Bvh made on the checked device over the
//    device copies of the named array inputs (points with their gradient buffer, so the mesh
//    builtins' adjoints accumulate into it; velocities likewise). It is built on the first
//    launch and refit() before every later one, so each finite-difference forward sees the
//    perturbed vertices / boxes. mesh_shape replaces the drawn points and indices by a
//    generated mesh (mesh_shapes.h; sphere and grid placed in range(POINTS), jittered) or, for
//    `random`, the indices by random triangles among the drawn points. Without mesh_shape the
//    indices are drawn in [0, len(POINTS) − 1] (unless range(INDICES) is given) and their count
//    must be a multiple of 3. BVH boxes are sorted per axis so that lower ≤ upper. Indices and
//    ids are never perturbed. File-wide (and --set) mesh/bvh settings apply to kernels that have
//    a parameter ID; a kernel's own must name its parameters. Mistyped parameters (not vec3 /
//    int32 1-D arrays, an ID that is not a uint64) are errors.
//  * A struct parameter is split into its leaf fields (reflect.h FieldInfo), each an input
//    named "p.field" ("p.inner.w" through nested structs): float value fields are drawn like
//    float parameters and compared through the struct's accumulator adj_<p>; int/bool fields
//    are fixed like int parameters; array fields are allocated, seeded and compared like array
//    parameters. Settings name fields by path; range(…) and nocheck(…) of "p" / "p.inner"
//    apply to every field below.
//  * Forward mode (the kernel's `_jvp`, built with warpc --jvp): with a random direction u over
//    the same inputs (every compared float input component, uniform in [-1, 1]; zero for
//    nocheck inputs), launched on the forward's inputs, it checks
//      JVP·u against (F(x + eps·u) − F(x − eps·u)) / 2eps for every float array component
//        after the launch (a component passes when |JVP − FD| ≤ tol·max(1, |FD|), or where the
//        one-sided differences disagree — a kink — when it matches one of them within 10·tol;
//        elsewhere also when it matches Richardson's extrapolation from eps and eps/2 within tol,
//        or — one-sided differences disagreeing by more than tol — when one side's slopes over
//        [x, x ± eps·u] and [x ± eps·u, x ± 2eps·u] agree within tol and the JVP matches them);
//      the dot-product test ⟨JVP(u), w⟩ = ⟨u, VJP(w)⟩ with the backward's seeds w and gradients
//        (both sums in double; passes when they agree within tol·max(1, |⟨JVP(u), w⟩|)).
//    The JVP is launched on the forward's inputs (atomic_min / atomic_max targets as drawn, unlike
//    the backward) and must leave every array as the forward launch did (integers exactly,
//    floats within tol/10 relative: "jvp: N array components as the forward").
//    A kernel with a backward pass but no JVP (forward mode refused it) reports "jvp: refused";
//    kernels with geometry parameters are not checked forward ("jvp: skipped").
//  * Kernels it cannot drive (arrays of structs, also as struct fields) are "unsupported";
//    launch errors (wp::Error) are "error". Neither throws.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "settings.h"
#include "wp/device.h"
#include "wp/reflect.h"

namespace gradcheck {

struct ParamResult {
  std::string name, type;
  size_t checked = 0, kinks = 0, failures = 0;
  double max_abs = 0.0, max_rel = 0.0;
  std::vector<std::string> worst;  // a few failing elements: "[k] AD=… FD=…"
};

enum class Status { passed, failed, refused, skipped, unsupported, error };

struct KernelResult {
  std::string kernel;
  Status status = Status::passed;
  std::string reason;  // refused / skipped / unsupported / error
  std::string launch;  // "launch (16,)"
  bool expected = false;  // refused (expect=refused) or wrong as warned (expect=warned), as a pragma says
  std::vector<ParamResult> params;
  // Forward mode: "checked", "refused" (no _jvp) or "skipped (…)"; the FD comparison over the
  // output components and the dot-product test.
  std::string jvp = "refused";
  ParamResult jvp_fd;
  ParamResult jvp_primal;  // the arrays after the JVP against the arrays after the forward
  double dot_jvp = 0.0, dot_vjp = 0.0;
  bool dot_ok = true;
};

KernelResult check_kernel(const wp::reflect::KernelInfo& k, const Settings& s,
                          const Settings& kernel_only, const wp::Device& device,
                          const std::set<std::string>& minmax, uint64_t seed);

}  // namespace gradcheck
