#!/usr/bin/env python3
"""check_corpus_values.py — NVIDIA Warp as the value and gradient oracle over the conformance
corpus (test/programs/*.wp): every launchable kernel runs under warpc (BUILD/bin/warpc-smith-exec,
the module built with warpc into a shared library) and under Warp (warp-lang, the same program
imported as a Python module) on the same deterministic inputs, and the two must agree.

usage: check_corpus_values.py --exec BUILD/bin/warpc-smith-exec --corpus test/programs
                              [--cache DIR] [--device cpu|cuda] [--seed N] [-j N] [-v] [PROGRAM.wp ...]

Per program, in the program's kernel order, each kernel is launched once on fresh inputs:
  * signature: from Warp's kernel object (argument labels and types); arrays of any scalar,
    vector, matrix, quaternion, transform or spatial dtype, multi-dimensional arrays, scalars of
    those types, structs of them (field by field) and arrays of structs of values (leaf field by
    leaf field, `p.path`: warpc-smith-exec's `arg array struct`; Warp: a numpy structured array
    of the struct's numpy dtype) are driven;
  * inputs (seeded, deterministic): float components uniform in [-1, 1] (arrays) or
    [0.25, 1] (scalars), integer arrays in [0, L-1] with L the smallest first dimension of the
    kernel's arrays (so that they index in range), integer scalars the launch's first
    dimension, bools 0/1. Launch: 16 threads (1-d tid), 8x8 (2-d), 4x4x4 (3-d); an array of
    the tid's rank has the launch shape, a 1-d array in a 2-d/3-d launch the launch's size.
    A sidecar TEST/PROGRAMS/<stem>.oracle overrides what generation cannot guess, one
    directive a line (`#` comments; KERNEL may be `*`):
        dim KERNEL D0 [D1 ...]          launch dimensions
        shape KERNEL PARAM S0 [S1 ...]  an array's shape
        range KERNEL PARAM LO HI        a parameter's (or struct field's, or an array of
                                        structs' field's: `p.path`) value domain
        value KERNEL PARAM V ...        fixed components of a parameter (arrays: every
                                        component, flattened; N*V repeats V)
        symmetric KERNEL PARAM          square-matrix values made symmetric ((M + M^T) / 2)
        unordered KERNEL PARAM          an output whose elements go to slots taken with
                                        atomic_add: compared as a multiset of elements
        skip KERNEL REASON ...          not launched standalone, with the reason
    and for a wp.uint64 parameter that takes a runtime object (built with the same numbers on
    both sides: warpc-smith-exec's `object` block, Warp's wp.Mesh / wp.Bvh / wp.HashGrid /
    wp.Volume on the same device, the id passed as the argument):
        mesh KERNEL PARAM sphere N R    a closed UV sphere around the origin (N segments, N/2
                                        bands, radius R jittered 3 % per vertex), per-vertex
                                        velocities in [-1, 1]
        mesh KERNEL PARAM grid N SIZE   a height field over [-SIZE, SIZE]^2 (x, z), N x N quads
        bvh KERNEL PARAM boxes N        N boxes, centres in [-1, 1]^3, half sizes 0.05-0.3
        hash_grid KERNEL PARAM dims DX DY DZ radius R points ARRAY
                                        a hash grid (cell width R) over the launch's own vec3
                                        array ARRAY (its values as drawn)
        volume KERNEL PARAM sphere R VOXEL HALF_WIDTH
                                        a NanoVDB level-set sphere (warpc-smith-exec builds it
                                        with createLevelSetSphere and writes the .nvdb file,
                                        Warp loads that file: the same voxels)
        face KERNEL PARAM MESH_PARAM on POINTS
                                        int array PARAM holds faces of mesh MESH_PARAM, vec3 array
                                        POINTS the points found on them: an element may differ
                                        from Warp's where the two faces share a vertex, the
                                        element's point lies on both (within 1e-5) and every float
                                        output of that element agrees (docs/geometry.md: ties on
                                        shared edges), counted as a tie
  * values: every array after the launch (and every array field of a struct argument, every
    leaf field of an array of structs over all its elements) is compared: integers and bools bit-exact; floats |warpc - warp| <= ATOL + RTOL*|warp| with
    (RTOL, ATOL) = (1e-4, 1e-5) for float32, (1e-2, 1e-3) for float16, (1e-9, 1e-12) for
    float64, scaled by max(1, max|array|) for ATOL; NaN equals NaN;
  * gradients (kernels warpc gives a backward pass): the float arrays (and float leaf fields of
    arrays of structs, each on its own) the forward changed are the outputs; each gets random
    seeds in [-1, 1] (an array of structs' other fields zero); warpc's `<kernel>_backward` and Warp's
    adjoint launch (wp.launch(adjoint=True), both on fresh copies of the inputs) must agree on
    the gradient of every float array the forward left unchanged (the inputs):
    |a - b| <= 1e-4*max(1, max|g|) + 1e-3*|b|. On disagreement, a central finite difference
    of the loss sum(seed * output) (Warp's forward, loss summed in float64, step
    1e-3*max(1, |x|)) at the three worst components decides who is right (within
    2e-2*max(1, |FD|)); a program in one of docs/autodiff.md's "deliberate differences"
    classes (dynamic loops, stored arrays read back, mod / %, transform_set_translation/rotation)
    is named with its class.
  * skipped, with the reason: kernels that use runtime objects (mesh / bvh / hash-grid /
    volume ids) without a sidecar object directive for each wp.uint64 parameter, generic kernels (no concrete signature), arrays of structs as struct fields or
    with array fields, sidecar skips.
The warpc library is built with WARPC_DEBUG (bounds-checked): an out-of-range index aborts
warpc's run, and the kernel is reported as needing a sidecar domain instead of reading garbage.

Exit 77 when warp cannot be imported; 1 when any value or gradient mismatch is warpc's (or
undecided) or a run failed; else 0. The last line gives the counts.
"""
import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import warp as wp
    import warp._src.codegen as wpc  # Struct
    import warp._src.types as wpt  # scalar_types, warp_type_to_np_dtype: not re-exported by warp.types
except ImportError:
    print("skipped: the warp module is not importable")
    sys.exit(77)

from wp_modules import import_wp_source, stage_inputs  # noqa: E402

TOL = {"float16": (1e-2, 1e-3), "float32": (1e-4, 1e-5), "float64": (1e-9, 1e-12)}
GRAD_RTOL, GRAD_ATOL, FD_TOL = 1e-3, 1e-4, 2e-2
# a call of a mesh / bvh / hash-grid / volume builtin (not a definition: `def mesh_areas(`)
RUNTIME_OBJECTS = re.compile(r"(?<!def )\b(mesh_\w+|bvh_\w+|hash_grid_\w+|volume_\w+)\s*\(")
# Kernels whose warpc values or gradient are known to be wrong (docs/autodiff.md "Limitations"): reported,
# not failed; a listed kernel that agrees again fails the run, so that the entry is removed.
KNOWN_WARPC_WRONG = {}
CLASSES = [  # docs/autodiff.md "deliberate differences": where Warp's gradient is known wrong
    ("dynamic loop", re.compile(r"^\s*while\b|\bfor\s+\w+\s+in\s+range\s*\((?![\d\s,+-]*\))"
                                r"|\bfor\s+\w+\s+in\s+wp\.(hash_grid_query|mesh_query_\w+|bvh_query_\w+)\s*\(", re.M)),
    ("mod / %", re.compile(r"[^%]%[^%]|\bwp\.mod\s*\(")),
    ("transform_set_translation/rotation", re.compile(r"transform_set_(translation|rotation)")),
    ("stored array read back", None),  # an array read and stored by one kernel (in-place updates)
]


# ---------------------------------------------------------------- types
def scalar_of(t):
    """Warp scalar type name (reflect.h spelling) and component count of a value type, or None."""
    if t in wpt.scalar_types or t is wp.bool:
        return t.__name__, 1
    st = getattr(t, "_wp_scalar_type_", None)
    if st is not None and hasattr(t, "_length_"):
        return st.__name__, int(t._length_)
    return None


def is_struct(t):
    return isinstance(t, wpc.Struct)


def struct_leaves(t, prefix=""):
    """[(path, type)] of a struct's leaf fields in declaration order, nested structs flattened."""
    out = []
    for name, var in t.vars.items():
        if is_struct(var.type):
            out += struct_leaves(var.type, prefix + name + ".")
        else:
            out.append((prefix + name, var.type))
    return out


def is_float(scalar):
    return scalar.startswith("float")


# ---------------------------------------------------------------- sidecar
OBJECT_FORMS = {  # sidecar object directives: KIND KERNEL PARAM FORM ARGS (the argument names)
    ("mesh", "sphere"): ["N", "RADIUS"], ("mesh", "grid"): ["N", "SIZE"], ("bvh", "boxes"): ["N"],
    ("hash_grid", "dims"): ["DX", "DY", "DZ", "radius", "R", "points", "ARRAY"],
    ("volume", "sphere"): ["RADIUS", "VOXEL", "HALF_WIDTH"],
}


def parse_object(kind, rest, where):
    """(form, args) of an object directive's `PARAM FORM ARGS...` (less PARAM), or exits."""
    forms = [f for k, f in OBJECT_FORMS if k == kind]
    usage = " or ".join(f"'{kind} KERNEL PARAM {f} {' '.join(OBJECT_FORMS[(kind, f)])}'" for f in forms)
    if len(rest) < 2 or rest[1] not in forms or len(rest) - 2 != len(OBJECT_FORMS[(kind, rest[1])]):
        sys.exit(f"{where}: error: expected {usage}")
    form, args = rest[1], rest[2:]
    if form == "dims":
        if args[3] != "radius" or args[5] != "points":
            sys.exit(f"{where}: error: expected {usage}")
        args = [args[0], args[1], args[2], args[4], args[6]]
    try:
        vals = [float(a) for a in (args[:4] if form == "dims" else args)]
    except ValueError:
        sys.exit(f"{where}: error: expected numbers in {usage}")
    if not all(v > 0 for v in vals):
        sys.exit(f"{where}: error: the sizes of {usage} must be > 0")
    return form, vals + args[4:]


def read_sidecar(path):
    spec = {"dim": {}, "shape": {}, "range": {}, "value": {}, "skip": {}, "symmetric": {},
            "mesh": {}, "bvh": {}, "hash_grid": {}, "volume": {}, "face": {}, "unordered": {}}
    if not os.path.exists(path):
        return spec
    for n, line in enumerate(open(path), 1):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        kind, kernel, rest = line[0], line[1] if len(line) > 1 else "", line[2:]
        if kind not in spec or not kernel:
            sys.exit(f"{path}:{n}: error: expected '{'|'.join(spec)} KERNEL ...'")
        if kind in ("mesh", "bvh", "hash_grid", "volume"):
            spec[kind][(kernel, rest[0] if rest else "")] = parse_object(kind, rest, f"{path}:{n}")
        elif kind == "face":
            if len(rest) != 4 or rest[2] != "on":
                sys.exit(f"{path}:{n}: error: expected 'face KERNEL PARAM MESH_PARAM on POINTS'")
            spec["face"][(kernel, rest[0])] = (rest[1], rest[3])
        elif kind == "dim":
            spec["dim"][kernel] = [int(v) for v in rest]
        elif kind == "skip":
            spec["skip"][kernel] = " ".join(rest)
        elif kind == "symmetric":
            spec["symmetric"][(kernel, rest[0])] = True
        elif kind == "unordered":
            if len(rest) != 1:
                sys.exit(f"{path}:{n}: error: expected 'unordered KERNEL PARAM'")
            spec["unordered"][(kernel, rest[0])] = True
        elif kind == "shape":
            spec["shape"][(kernel, rest[0])] = [int(v) for v in rest[1:]]
        elif kind == "range":
            spec["range"][(kernel, rest[0])] = (float(rest[1]), float(rest[2]))
        else:
            vals = []
            for v in rest[1:]:  # N*V repeats V
                n, _, x = v.rpartition("*")
                vals += [float(x)] * (int(n) if n else 1)
            spec["value"][(kernel, rest[0])] = vals
    return spec


def lookup(table, kernel, param):
    return table.get((kernel, param), table.get(("*", param)))


# ---------------------------------------------------------------- inputs
class Item:
    """One array or value of a launch: a parameter or a struct field."""

    def __init__(self, name, t, is_array, scalar, comps, shape, values):
        self.name, self.type, self.is_array = name, t, is_array
        self.scalar, self.comps, self.shape, self.values = scalar, comps, shape, values  # values: float64 flat

    def text(self, values=None, element_field=False):
        """smith_exec's `[array] SCALAR [NDIM S...] VALUES...`; element_field: a field of an array of
        structs (`SCALAR VALUES...`, the array's shape given once by its `arg array struct`)."""
        v = self.values if values is None else values
        if is_float(self.scalar):
            vals = " ".join(float(x).hex() for x in v)
        else:
            vals = " ".join(str(int(x)) for x in v)
        if self.is_array and not element_field:
            head = f"array {self.scalar} {len(self.shape)} {' '.join(map(str, self.shape))} "
        else:
            head = f"{self.scalar} "
        return head + vals


def tid_rank(source):
    m = re.search(r"^\s*([\w\s,]+?)\s*=\s*wp\.tid\(\)", source, re.M)
    return len(m.group(1).split(",")) if m else 0


def round_to(scalar, v):
    return v.astype({"float16": np.float16, "float32": np.float32}.get(scalar, np.float64)).astype(np.float64)


def make_values(rng, kernel_name, name, scalar, count, is_array, spec, index_len, dim0):
    fixed = lookup(spec["value"], kernel_name, name)
    if fixed is not None:
        return np.array(fixed, dtype=np.float64)
    dom = lookup(spec["range"], kernel_name, name)
    if is_float(scalar):
        lo, hi = dom or ((-1.0, 1.0) if is_array else (0.25, 1.0))
        return round_to(scalar, rng.uniform(lo, hi, count))
    if scalar == "bool":
        lo, hi = dom or (0, 1)
    elif is_array:
        lo, hi = dom or (0, max(0, index_len - 1))
    else:
        lo, hi = dom or (dim0, dim0)
    return rng.integers(int(lo), int(hi) + 1, count).astype(np.float64)


class Unsupported(Exception):
    pass


# ---------------------------------------------------------------- runtime objects
def sphere_mesh(rng, n, radius):
    """A closed UV sphere around the origin: n segments, n // 2 bands, pole fans, the radius
    jittered by 3 % per vertex and the meridians turned by 0.1 rad (so that no symmetric ray or
    point meets a shared edge); triangles wound outward."""
    bands = max(2, n // 2)
    pts = [(0.0, 1.0, 0.0)]
    for i in range(1, bands):
        th = math.pi * i / bands
        phi = [2 * math.pi * j / n + 0.1 for j in range(n)]
        pts += [(math.sin(th) * math.cos(f), math.cos(th), math.sin(th) * math.sin(f)) for f in phi]
    pts.append((0.0, -1.0, 0.0))
    pts = np.array(pts) * (radius * (1 + 0.03 * rng.uniform(-1, 1, len(pts))))[:, None]
    ring = lambda i, j: 1 + (i - 1) * n + j % n  # noqa: E731
    tris = [(0, ring(1, j), ring(1, j + 1)) for j in range(n)]
    for i in range(1, bands - 1):
        for j in range(n):
            tris += [(ring(i, j), ring(i + 1, j), ring(i + 1, j + 1)), (ring(i, j), ring(i + 1, j + 1), ring(i, j + 1))]
    tris += [(len(pts) - 1, ring(bands - 1, j + 1), ring(bands - 1, j)) for j in range(n)]
    return orient(pts, np.array(tris), lambda c: c)


def grid_mesh(rng, n, size):
    """A height field over [-size, size]^2 (x, z) of n x n quads, two triangles each, its heights
    a smooth bump plus jitter (y up, triangles wound upward)."""
    u = np.linspace(-size, size, n + 1)
    x, z = np.meshgrid(u, u, indexing="ij")
    y = 0.2 * size * np.sin(2.0 * x / size) * np.cos(1.5 * z / size) + rng.uniform(-0.02, 0.02, x.shape) * size
    pts = np.stack([x, y, z], -1).reshape(-1, 3)
    v = lambda i, j: i * (n + 1) + j  # noqa: E731
    tris = [t for i in range(n) for j in range(n)
            for t in ((v(i, j), v(i + 1, j), v(i + 1, j + 1)), (v(i, j), v(i + 1, j + 1), v(i, j + 1)))]
    return orient(pts, np.array(tris), lambda c: np.array([0.0, 1.0, 0.0]))


def orient(pts, tris, outward):
    """(float32-rounded points, triangles) with every normal cross(b - a, c - a) along outward(centroid)."""
    a, b, c = pts[tris[:, 0]], pts[tris[:, 1]], pts[tris[:, 2]]
    flip = np.einsum("ij,ij->i", np.cross(b - a, c - a), np.array([outward(m) for m in (a + b + c) / 3])) < 0
    tris[flip] = tris[flip][:, [0, 2, 1]]
    return round_to("float32", pts), tris


VOLUME_DIR = [None]  # where level-set spheres are written (the run's temporary directory)


class GeoObject:
    """A runtime object a kernel's wp.uint64 parameter takes (sidecar mesh / bvh / hash_grid /
    volume directive): its data, generated once, feed warpc-smith-exec's `object` block and the
    Warp object alike."""

    def __init__(self, kind, form, vals, name, rng, items):
        self.kind, self.form, self.name, self.warp_objects = kind, form, name, {}
        if kind == "mesh":
            self.points, self.tris = (sphere_mesh if form == "sphere" else grid_mesh)(rng, int(vals[0]), vals[1])
            self.velocities = round_to("float32", rng.uniform(-1, 1, self.points.shape))
        elif kind == "bvh":
            centre = rng.uniform(-1, 1, (int(vals[0]), 3))
            half = rng.uniform(0.05, 0.3, centre.shape)
            self.lowers, self.uppers = round_to("float32", centre - half), round_to("float32", centre + half)
        elif kind == "hash_grid":
            self.dims, self.radius = [int(v) for v in vals[:3]], vals[3]
            pts = items.get(vals[4])
            if pts is None or not pts.is_array or pts.scalar != "float32" or pts.comps != 3 or len(pts.shape) != 1:
                raise Unsupported(f"hash_grid '{name}': '{vals[4]}' is not a 1-d vec3 array of the launch")
            self.points = pts.values.reshape(-1, 3)
        else:
            self.radius, self.voxel, self.half_width = vals
            self.path = os.path.join(VOLUME_DIR[0], name + ".nvdb")

    def text(self):
        """warpc-smith-exec's `object` block."""
        fl = lambda a: " ".join(float(x).hex() for x in np.asarray(a).reshape(-1))  # noqa: E731
        if self.kind == "mesh":
            return (f"object mesh {self.name} {len(self.points)} {len(self.tris)} 1 {fl(self.points)} "
                    f"{' '.join(map(str, self.tris.reshape(-1)))} {fl(self.velocities)}\n")
        if self.kind == "bvh":
            return f"object bvh {self.name} {len(self.lowers)} {fl(self.lowers)} {fl(self.uppers)}\n"
        if self.kind == "hash_grid":
            return (f"object hash_grid {self.name} {' '.join(map(str, self.dims))} {float(self.radius).hex()} "
                    f"{len(self.points)} {fl(self.points)}\n")
        sizes = " ".join(float(v).hex() for v in (self.radius, self.voxel, self.half_width))
        return f"object volume {self.name} sphere {sizes} {self.path}\n"

    def warp(self, device):
        """The Warp object's id on `device` (built once; a volume loads the file warpc wrote)."""
        if device not in self.warp_objects:
            v3 = lambda a: wp.array(np.asarray(a, dtype=np.float32), dtype=wp.vec3, device=device)  # noqa: E731
            if self.kind == "mesh":
                obj = wp.Mesh(points=v3(self.points), velocities=v3(self.velocities),
                              indices=wp.array(self.tris.reshape(-1).astype(np.int32), dtype=wp.int32, device=device))
            elif self.kind == "bvh":
                obj = wp.Bvh(v3(self.lowers), v3(self.uppers))
            elif self.kind == "hash_grid":
                obj = wp.HashGrid(*self.dims, device=device)
                obj.build(points=v3(self.points), radius=float(self.radius))
            else:
                with open(self.path, "rb") as f:
                    obj = wp.Volume.load_from_nvdb(f, device=device)
            self.warp_objects[device] = obj
        return self.warp_objects[device].id

    def tie(self, fa, fb, point):
        """Whether faces fa and fb of a mesh share a vertex and `point` lies on both (within 1e-5):
        a point on their common edge or vertex, which Warp may report as either face."""
        n = len(self.tris)
        if self.kind != "mesh" or not (0 <= fa < n and 0 <= fb < n) or not set(self.tris[fa]) & set(self.tris[fb]):
            return False
        tol = 1e-5 * max(1.0, float(np.max(np.abs(self.points))))
        p = np.asarray(point, np.float64)
        return all(point_triangle_distance(p, *self.points[self.tris[f]].astype(np.float64)) <= tol for f in (fa, fb))


def build_launch(kernel, spec, rng, warpc_name):
    name = kernel.key
    src = kernel.adj.source
    rank = tid_rank(src)
    dims = spec["dim"].get(name) or spec["dim"].get("*") or {0: [1], 1: [16], 2: [8, 8], 3: [4, 4, 4]}.get(rank, [4] * 4)
    size = int(np.prod(dims))

    def shape_of(pname, ndim):
        s = lookup(spec["shape"], name, pname)
        if s:
            return s
        if ndim == len(dims):
            return list(dims)
        if ndim == 1:
            return [size]
        return [dims[0]] * ndim

    # the parameters as (name, type, kind, leaves): kind "value" (a value or an array of values),
    # "struct" (leaves: its fields, `p.path`) or "aos" (an array of structs, leaves: its element's
    # fields, `p.path`, each over all elements)
    params = []
    for a in kernel.adj.args:
        t = a.type
        if wp.types.is_array(t):
            if scalar_of(t.dtype) is not None:
                params.append((a.label, t, "value", None))
                continue
            if not is_struct(t.dtype):
                raise Unsupported(f"array '{a.label}' of {t.dtype}")
            leaves = []
            for path, ft in struct_leaves(t.dtype):
                if wp.types.is_array(ft):
                    raise Unsupported(f"array of structs '{a.label}' with an array field '{path}'")
                if scalar_of(ft) is None:
                    raise Unsupported(f"field '{a.label}.{path}' of type {ft}")
                leaves.append((f"{a.label}.{path}", ft))
            params.append((a.label, t, "aos", leaves))
        elif is_struct(t):
            leaves = []
            for path, ft in struct_leaves(t):
                if wp.types.is_array(ft) and scalar_of(ft.dtype) is None:
                    raise Unsupported(f"array of structs '{a.label}.{path}'")
                if not wp.types.is_array(ft) and scalar_of(ft) is None:
                    raise Unsupported(f"field '{a.label}.{path}' of type {ft}")
                leaves.append((f"{a.label}.{path}", ft))
            params.append((a.label, t, "struct", leaves))
        elif t is wp.uint64 and any(lookup(spec[o], name, a.label) for o in ("mesh", "bvh", "hash_grid", "volume")):
            params.append((a.label, t, "object", None))
        elif scalar_of(t) is not None:
            params.append((a.label, t, "value", None))
        else:
            raise Unsupported(f"parameter '{a.label}' of type {t}")
    shapes = {}
    for pname, t, kind, leaves in params:
        if kind == "object":
            continue
        if kind == "aos":
            shapes[pname] = shape_of(pname, t.ndim)
            continue
        for lname, lt in leaves or [(pname, t)]:
            if wp.types.is_array(lt):
                shapes[lname] = shape_of(lname, lt.ndim)
    index_len = min((s[0] for s in shapes.values()), default=dims[0])
    args = []
    for pname, t, kind, leaves in params:
        if kind == "object":
            args.append((pname, None, kind, []))  # the GeoObject, once every item is drawn
            continue
        items = []
        for lname, lt in leaves or [(pname, t)]:
            arr = wp.types.is_array(lt) or kind == "aos"
            scalar, comps = scalar_of(lt.dtype if wp.types.is_array(lt) else lt)
            shape = shapes[pname] if kind == "aos" else shapes.get(lname, [])
            count = int(np.prod(shape)) * comps if arr else comps
            vals = make_values(rng, name, lname, scalar, count, arr, spec, index_len, dims[0])
            if lookup(spec["symmetric"], name, lname):
                n = int(round(math.sqrt(comps)))
                m = vals.reshape(-1, n, n)
                vals = round_to(scalar, ((m + m.transpose(0, 2, 1)) / 2).reshape(-1))
            if len(vals) != count:
                raise Unsupported(f"sidecar value of '{lname}' has {len(vals)} components, not {count}")
            items.append(Item(lname, lt, arr, scalar, comps, shape, vals))
        args.append((pname, t, kind, items))
    by_name = {it.name: it for _, _, _, its in args for it in its}
    for j, (pname, t, kind, items) in enumerate(args):
        if kind == "object":
            okind = next(o for o in ("mesh", "bvh", "hash_grid", "volume") if lookup(spec[o], name, pname))
            form, vals = lookup(spec[okind], name, pname)
            args[j] = (pname, GeoObject(okind, form, vals, f"{warpc_name}.{pname}", rng, by_name), kind, [])
    return dims, args


def launch_text(name, dims, args, seeds=None):
    lines = [t.text().rstrip("\n") for _, t, kind, _ in args if kind == "object"]
    lines.append(f"launch {name} {len(dims)} {' '.join(map(str, dims))}")
    for pname, t, kind, items in args:
        if kind == "object":
            lines.append(f"arg object {t.name}")
        elif kind == "struct":
            lines.append("arg struct " + " ".join("field " + it.text() for it in items))
        elif kind == "aos":
            shape = items[0].shape if items else []
            lines.append(f"arg array struct {t.ndim} {' '.join(map(str, shape))} "
                         + " ".join("field " + it.text(element_field=True) for it in items))
        else:
            lines.append("arg " + items[0].text())
    for p, vals in (seeds or {}).items():
        lines.append(f"seed {p} " + " ".join(float(v).hex() for v in vals))
    lines.append("end")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- Warp side
def warp_value(item, device, values=None):
    v = item.values if values is None else values
    t = item.type
    if item.is_array:
        dtype = t.dtype
        np_dtype = wpt.warp_type_to_np_dtype[dtype._wp_scalar_type_ if hasattr(dtype, "_wp_scalar_type_") else dtype]
        data = np.array(v, dtype=np.float64).astype(np_dtype)
        inner = list(getattr(dtype, "_shape_", ()))
        return wp.array(data.reshape(item.shape + inner), dtype=dtype, shape=tuple(item.shape), device=device)
    if item.comps == 1 and scalar_of(t)[1] == 1 and not hasattr(t, "_length_"):
        return float(v[0]) if is_float(item.scalar) else (bool(v[0]) if item.scalar == "bool" else int(v[0]))
    return t(*[float(x) if is_float(item.scalar) else int(x) for x in v])


def struct_field_view(records, path):
    """The view of leaf field `path` (dotted, below the parameter) of a structured numpy array."""
    for part in path.split("."):
        records = records[part]
    return records


def warp_struct_array(t, items, device, values):
    """A Warp array of structs (dtype t.dtype) from its fields' element-major values: a numpy
    structured array of the struct's numpy dtype (padding zero), field by field."""
    shape = tuple(items[0].shape) if items else (0,)
    records = np.zeros(shape, dtype=t.dtype.numpy_dtype())
    for it in items:
        view = struct_field_view(records, it.name.split(".", 1)[1])
        view[...] = np.asarray(values(it), dtype=np.float64).reshape(view.shape)
    return wp.array(records, dtype=t.dtype, device=device)


def struct_array_fields(a, items):
    """{field item name: float64 flat values} read back from Warp array of structs `a`."""
    records = a.numpy()
    return {it.name: np.asarray(struct_field_view(records, it.name.split(".", 1)[1])).astype(np.float64).reshape(-1)
            for it in items}


def warp_args(args, device, override=None):
    """Warp launch arguments (fresh arrays) and {item name: read-back function of the array
    items}; override: {item name: values}."""
    out, arrays = [], {}
    for pname, t, kind, items in args:
        if kind == "object":
            out.append(t.warp(device))
            continue
        if kind == "aos":
            val = warp_struct_array(t, items, device, lambda it: (override or {}).get(it.name, it.values))
            out.append(val)
            for it in items:
                arrays[it.name] = (lambda a, its, n: lambda: struct_array_fields(a, its)[n])(val, items, it.name)
            continue
        if kind == "struct":
            inst = t()
            for it in items:
                val = warp_value(it, device, (override or {}).get(it.name))
                obj = inst
                parts = it.name.split(".")[1:]
                for part in parts[:-1]:
                    obj = getattr(obj, part)
                setattr(obj, parts[-1], val)
                if it.is_array:
                    arrays[it.name] = (lambda a: lambda: flat(a))(val)
            out.append(inst)
        else:
            val = warp_value(items[0], device, (override or {}).get(items[0].name))
            out.append(val)
            if items[0].is_array:
                arrays[items[0].name] = (lambda a: lambda: flat(a))(val)
    return out, arrays


def flat(a):
    return a.numpy().astype(np.float64).reshape(-1)


def warp_forward(kernel, dims, args, device, override=None):
    values, arrays = warp_args(args, device, override)
    wp.launch(kernel, dim=tuple(dims), inputs=values, device=device)
    wp.synchronize()
    return {n: read() for n, read in arrays.items()}


def zero_adjoint(t, device):
    if wp.types.is_array(t):
        return None
    if is_struct(t):
        return t()
    sc = scalar_of(t)
    if sc and sc[1] == 1 and not hasattr(t, "_length_"):
        return 0.0 if is_float(sc[0]) else 0
    return t()


def warp_backward(kernel, dims, args, seeds, device):
    values, arrays = warp_args(args, device)
    adj = []
    grads = {}
    for (pname, t, kind, items), v in zip(args, values):
        floats = [it for it in items if is_float(it.scalar)]
        if kind == "aos" and floats:
            g = warp_struct_array(t, items, device,
                                  lambda it: seeds.get(it.name, np.zeros(it.values.size)) if is_float(it.scalar)
                                  else np.zeros(it.values.size))
            for it in floats:
                grads[it.name] = (lambda a, its, n: lambda: struct_array_fields(a, its)[n])(g, floats, it.name)
            adj.append(g)
        elif kind == "value" and items[0].is_array and is_float(items[0].scalar):
            g = wp.zeros_like(v)
            if pname in seeds:
                it = items[0]
                g = warp_value(it, device, seeds[pname])
            grads[pname] = (lambda a: lambda: flat(a))(g)
            adj.append(g)
        elif kind == "object":
            adj.append(0)
        else:
            adj.append(zero_adjoint(t, device))
    wp.launch(kernel, dim=tuple(dims), inputs=values, adj_inputs=adj, adjoint=True, device=device)
    wp.synchronize()
    return {n: read() for n, read in grads.items()}


# ---------------------------------------------------------------- warpc side
def parse_outputs(text):
    out = {}
    for line in text.splitlines():
        tok = line.split()
        if len(tok) < 3:
            continue
        vals = np.array([float.fromhex(x) if ("0x" in x or x in ("inf", "-inf", "nan", "-nan")) else float(x)
                         for x in tok[3:]], dtype=np.float64)
        out[(tok[0], int(tok[1]), tok[2])] = vals
    return out


class Warpc:
    def __init__(self, exe, cache, includes, device):
        self.exe, self.cache, self.includes, self.device = exe, cache, includes, device

    def run(self, program, text, tmp):
        inp, outp = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
        open(inp, "w").write(text)
        if os.path.exists(outp):
            os.remove(outp)
        stem = os.path.basename(program)[:-3]
        cmd = [self.exe, program, inp, outp, "--device", self.device, "--debug",
               "--cache", os.path.join(self.cache, stem + "-" + self.device)]
        for i in self.includes:
            cmd += ["-I", i]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            return None, (p.stdout.strip().splitlines() or [f"exit {p.returncode}"])[-1][:300]
        return parse_outputs(open(outp).read()), None

    def prebuild(self, programs, jobs):
        """Builds every program's library into the cache, `jobs` at a time (an empty launch list
        builds and runs nothing), so that the comparisons that follow only load them. Returns
        (seconds per program, failures); a failure is reported again by the comparison."""
        import concurrent.futures
        import time

        def one(program):
            tmp = tempfile.mkdtemp(prefix="warpc-prebuild-")
            t0 = time.monotonic()
            _, err = self.run(program, "", tmp)
            shutil.rmtree(tmp, ignore_errors=True)
            return os.path.basename(program), time.monotonic() - t0, err

        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            done = list(pool.map(one, programs))
        return {n: t for n, t, _ in done}, [(n, e) for n, _, e in done if e]


# ---------------------------------------------------------------- comparison
def compare_values(a, b, scalar):
    """None when warpc's `a` matches Warp's `b`, else a short description."""
    if a.shape != b.shape:
        return f"{a.size} vs {b.size} components"
    if not is_float(scalar):
        bad = np.nonzero(a != b)[0]
        return None if bad.size == 0 else f"{bad.size} differ, [{bad[0]}] warpc={a[bad[0]]:.0f} warp={b[bad[0]]:.0f}"
    rtol, atol = TOL[scalar]
    scale = max(1.0, float(np.nanmax(np.abs(np.where(np.isinf(b), 0, b)), initial=0.0)))
    with np.errstate(invalid="ignore"):
        ok = (np.abs(a - b) <= atol * scale + rtol * np.abs(b)) | (np.isnan(a) & np.isnan(b)) | (a == b)
    bad = np.nonzero(~ok)[0]
    return None if bad.size == 0 else f"{bad.size} differ, [{bad[0]}] warpc={float(a[bad[0]])!r} warp={float(b[bad[0]])!r}"


def compare_unordered(a, b, item):
    """compare_values for an output whose elements are written at slots the threads take with
    atomic_add (a contact list): the order of the elements is the order the atomics ran in, so
    the two outputs are compared as multisets of elements (rows of `item.comps` components)."""
    rows = lambda x: x.reshape(-1, item.comps) if x.size % item.comps == 0 else x.reshape(-1, 1)
    ra, rb = rows(a), rows(b)
    sa, sb = ra[np.lexsort(ra.T[::-1])], rb[np.lexsort(rb.T[::-1])]
    why = compare_values(sa.reshape(-1), sb.reshape(-1), item.scalar)
    return None if why is None else f"as a multiset of elements: {why}"


def point_triangle_distance(p, a, b, c):
    """Distance (float64) from point p to triangle abc (closest point by Voronoi region)."""
    ab, ac, ap = b - a, c - a, p - a
    d1, d2 = ab @ ap, ac @ ap
    if d1 <= 0 and d2 <= 0:
        return np.linalg.norm(ap)
    bp = p - b
    d3, d4 = ab @ bp, ac @ bp
    if d3 >= 0 and d4 <= d3:
        return np.linalg.norm(bp)
    cp = p - c
    d5, d6 = ab @ cp, ac @ cp
    if d6 >= 0 and d5 <= d6:
        return np.linalg.norm(cp)
    vc, vb, va = d1 * d4 - d3 * d2, d5 * d2 - d1 * d6, d3 * d6 - d5 * d4
    if vc <= 0 and d1 >= 0 and d3 <= 0:
        return np.linalg.norm(p - (a + ab * (d1 / (d1 - d3))))
    if vb <= 0 and d2 >= 0 and d6 <= 0:
        return np.linalg.norm(p - (a + ac * (d2 / (d2 - d6))))
    if va <= 0 and d4 - d3 >= 0 and d5 - d6 >= 0:
        return np.linalg.norm(p - (b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)))))
    denom = 1.0 / (va + vb + vc)
    return np.linalg.norm(p - (a + ab * (vb * denom) + ac * (vc * denom)))


def face_ties(a, b, n, mesh, points, ref, mine, launch, items):
    """(what is left of a mismatch of face-index array `n`, the number of documented ties): an
    element whose faces differ is a tie when the two faces share a vertex (docs/geometry.md: on a
    shared edge or vertex warpc reports the lowest face index, Warp the one its tree meets first),
    the element's point (Warp's `points`) lies on both faces, and every float output with as many
    elements agrees at that element."""
    count = a.size
    others = [m for m in ref if m != n and is_float(items[m].scalar) and mine.get(("out", launch, m)) is not None
              and ref[m].size % count == 0 and ref[m].size // count == items[m].comps]
    ties, left = 0, []
    for e in np.nonzero(a != b)[0]:
        agree = all(compare_values(mine[("out", launch, m)][e * items[m].comps:(e + 1) * items[m].comps],
                                   ref[m][e * items[m].comps:(e + 1) * items[m].comps], items[m].scalar) is None
                    for m in others)
        if agree and items[n].comps == 1 and mesh.tie(int(a[e]), int(b[e]), points.reshape(-1, 3)[e]):
            ties += 1
        else:
            left.append(e)
    if not left:
        return None, ties
    e = left[0]
    return f"{len(left)} differ, [{e}] warpc={a[e]:.0f} warp={b[e]:.0f}", ties


def grad_bad(a, b):
    scale = max(1.0, float(np.max(np.abs(b), initial=0.0)))
    with np.errstate(invalid="ignore"):
        ok = (np.abs(a - b) <= GRAD_ATOL * scale + GRAD_RTOL * np.abs(b)) | (np.isnan(a) & np.isnan(b))
    return np.nonzero(~ok)[0]


def classes_of(source, kernels):
    source = "\n".join(line.split("#", 1)[0] for line in source.splitlines())  # code, not comments
    found = [name for name, rx in CLASSES if rx is not None and rx.search(source)]
    for k in kernels:
        src = k.adj.source or ""
        arrays = {a.label for a in k.adj.args if wp.types.is_array(a.type)}
        stores = set(re.findall(r"^\s*(\w+)\[[^\]]*\]\s*[-+*/]?=", src, re.M)) & arrays
        for arr in stores:
            if re.search(rf"=[^\n]*\b{arr}\[", src) or re.search(rf"\bwp\.\w+\(\s*{arr}\b", src):
                found.append("stored array read back")
                break
        if "stored array read back" in found:
            break
    return found


# ---------------------------------------------------------------- per program
class Counts:
    def __init__(self):
        self.programs = self.kernels = self.skipped = 0
        self.value_programs = self.value_kernels = self.grad_programs = self.grad_kernels = 0
        self.known_warpc = 0
        self.face_ties = 0  # face indices told apart only by a documented tie (face_ties)
        self.warp_wrong_kernels = {}  # kernel → the deliberate-difference classes its program falls in
        self.value_mismatch = self.grad_warpc_wrong = self.grad_warp_wrong = self.undecided = self.errors = 0
        self.skip_reasons = {}


def load_program(path, tmp):
    module = import_wp_source(path, tmp, "oracle_")
    # (kernel, warpc's name): a kernel made by a factory (`k = make(...)`, its function defined in
    # the factory's body) is named after the module variable in warpc, after its qualname in Warp.
    kernels, seen = [], set()
    for var, v in vars(module).items():
        if isinstance(v, wp.Kernel) and v.module.name == module.__name__ and id(v) not in seen:
            seen.add(id(v))
            kernels.append((v, var if "<locals>" in v.func.__qualname__ else v.key))
    kernels.sort(key=lambda kn: kn[0].func.__code__.co_firstlineno)
    return kernels


def fd_check(kernel, dims, args, seeds, outputs, pname, comp, device):
    """Central difference of sum(seed * output) w.r.t. component `comp` of input `pname`."""
    item = next(it for _, _, kind, items in args if kind != "struct" for it in items if it.name == pname)
    x = item.values
    h = 1e-3 * max(1.0, abs(x[comp]))
    res, steps = [], []
    for sign in (1.0, -1.0):
        v = x.copy()
        v[comp] = x[comp] + sign * h
        v = round_to(item.scalar, v)
        steps.append(v[comp])
        res.append(warp_forward(kernel, dims, args, device, {pname: v}))
    # sum(seed * (out+ - out-)): outputs equal on both sides (1e30 "no hit" sentinels) cancel exactly
    with np.errstate(invalid="ignore"):
        diff = sum(float(np.nansum(seeds[o] * (res[0][o] - res[1][o]))) for o in outputs)
    return diff / (steps[0] - steps[1])


known_seen = set()


def check_program(path, opts, warpc, counts, tmp, rng_seed):
    stem = os.path.basename(path)[:-3]
    source = open(path).read()
    spec = read_sidecar(os.path.join(os.path.dirname(path), stem + ".oracle"))
    report = []
    try:
        kernels = load_program(path, tmp)
    except Exception as e:  # noqa: BLE001
        counts.errors += 1
        return [f"ERROR {stem}: Warp cannot import it: {type(e).__name__}: {e}"]
    counts.programs += 1
    rng = np.random.default_rng([rng_seed, sum(map(ord, stem))])
    launches = []
    entries = []  # (Warp kernel, warpc's reflected name): a generic kernel's overloads are <key>_<n>
    for k, warpc_name in kernels:
        if getattr(k, "is_generic", False) and k.overloads:
            entries += [(ov, f"{warpc_name}_{n}") for n, ov in enumerate(k.overloads.values())]
        else:
            entries.append((k, warpc_name))
    for k, name in entries:
        counts.kernels += 1
        reason = spec["skip"].get(k.key)
        ids = [a.label for a in k.adj.args if a.type is wp.uint64]
        if reason is None and (RUNTIME_OBJECTS.search(k.adj.source or "") or (RUNTIME_OBJECTS.search(source) and ids)):
            # every wp.uint64 parameter of a kernel that may use objects needs an object directive
            # (one that uses objects without such a parameter, e.g. through a struct field: skipped)
            missing = [p for p in ids if not any(lookup(spec[o], k.key, p) for o in ("mesh", "bvh", "hash_grid", "volume"))]
            if missing or not ids:
                reason = ("needs a runtime object (mesh / bvh / hash grid / volume id): "
                          + (f"no sidecar object directive for '{missing[0]}'" if missing else "not a wp.uint64 parameter"))
        if reason is None and getattr(k, "is_generic", False):
            reason = "generic kernel without @wp.overload instances"
        if reason is None:
            try:
                dims, args = build_launch(k, spec, rng, name)
                launches.append((k, name, dims, args))
                continue
            except Unsupported as e:
                reason = f"unsupported: {e}"
        counts.skipped += 1
        group = reason.split(":")[0].split(" (")[0]
        counts.skip_reasons[group] = counts.skip_reasons.get(group, 0) + 1
        report.append(f"skip  {stem}.{name}: {reason}")
    if not launches:
        return report
    # forward values: all launches in one warpc run (one build); on failure one by one
    text = "".join(launch_text(n, d, a) for _, n, d, a in launches)
    got, err = warpc.run(path, text, tmp)
    per_kernel = {}
    if got is None:
        for i, (_, n, d, a) in enumerate(launches):
            g, e = warpc.run(path, launch_text(n, d, a), tmp)
            per_kernel[i] = ({(t, i, n): v for (t, _, n), v in g.items()} if g is not None else None, e)
    value_ok_kernels = 0
    classes = None
    grad_compared = 0
    for i, (k, kname, dims, args) in enumerate(launches):
        mine, err = (got, None) if got is not None else per_kernel[i]
        label = f"{stem}.{kname}"
        if mine is None:
            counts.errors += 1
            report.append(f"ERROR {label}: warpc run failed: {err}")
            continue
        try:
            ref = warp_forward(k, dims, args, opts.device)
        except Exception as e:  # noqa: BLE001
            counts.errors += 1
            report.append(f"ERROR {label}: Warp launch failed: {type(e).__name__}: {e}")
            continue
        bad = []
        items = {it.name: it for _, _, _, its in args for it in its}
        objects = {pn: t for pn, t, kind, _ in args if kind == "object"}
        for n, b in ref.items():
            a = mine.get(("out", i, n))
            why = "missing in warpc's output" if a is None else compare_values(a, b, items[n].scalar)
            mesh, on = objects.get((lookup(spec["face"], k.key, n) or ("", ""))[0]), \
                (lookup(spec["face"], k.key, n) or ("", ""))[1]
            if why and a is not None and a.shape == b.shape and mesh is not None and on in ref:
                why, ties = face_ties(a, b, n, mesh, ref[on], ref, mine, i, items)
                if ties:
                    counts.face_ties += ties
                    report.append(f"tie   {label}.{n}: {ties} face indices differ between faces that share a vertex "
                                  f"and both hold the point found, every float output of those elements agrees")
            if why and a is not None and a.shape == b.shape and lookup(spec["unordered"], k.key, n):
                why = compare_unordered(a, b, items[n])
            if why:
                bad.append(f"{n}: {why}")
        if bad and label in KNOWN_WARPC_WRONG:
            known_seen.add(label)
            counts.known_warpc += 1
            report.append(f"known warpc bug, values {label}: " + "; ".join(bad) + f" ({KNOWN_WARPC_WRONG[label]})")
            continue
        if bad:
            counts.value_mismatch += 1
            report.append(f"MISMATCH values {label}: " + "; ".join(bad))
            continue
        value_ok_kernels += 1
        # gradients: outputs = float arrays (an array of structs: float fields) the forward changed
        float_arrays = [it.name for _, _, kind, its in args if kind != "struct" for it in its
                        if it.is_array and is_float(it.scalar)]
        outputs = [n for n in float_arrays if not np.array_equal(ref[n], items[n].values)]
        inputs = [n for n in float_arrays if n not in outputs]
        if not outputs or not inputs or not differentiable(k):
            continue
        seeds = {n: round_to(items[n].scalar, rng.uniform(-1, 1, ref[n].size)) for n in outputs}
        param_seeds = {}  # smith_exec's `seed P`: an array of structs' float fields one after another
        for j, (pn, _, kind, its) in enumerate(args):
            floats = [it for it in its if it.is_array and is_float(it.scalar)] if kind != "struct" else []
            if any(it.name in seeds for it in floats):
                param_seeds[j] = np.concatenate([seeds.get(it.name, np.zeros(it.values.size)) for it in floats])
        g, err = warpc.run(path, launch_text(kname, dims, args, param_seeds), tmp)
        if g is None:
            if "has no backward pass" in (err or ""):
                continue
            counts.errors += 1
            report.append(f"ERROR {label}: warpc backward failed: {err}")
            continue
        try:
            wref = warp_backward(k, dims, args, seeds, opts.device)
        except Exception as e:  # noqa: BLE001
            counts.errors += 1
            report.append(f"ERROR {label}: Warp adjoint launch failed: {type(e).__name__}: {e}")
            continue
        grad_compared += 1
        for pn in inputs:
            a, b = g.get(("grad", 0, pn)), wref[pn]
            if a is None:
                counts.errors += 1
                report.append(f"ERROR {label}: no warpc gradient for {pn}")
                continue
            idx = grad_bad(a, b)
            if idx.size == 0:
                continue
            if classes is None:
                classes = classes_of(source, [k for k, _ in kernels])
            worst = idx[np.argsort(-np.abs(a[idx] - b[idx]))][:3]
            verdicts = []
            for c in worst:
                fd = fd_check(k, dims, args, seeds, outputs, pn, int(c), opts.device)
                tol = FD_TOL * max(1.0, abs(fd))
                verdicts.append(("warpc" if abs(a[c] - fd) <= tol else "") + ("warp" if abs(b[c] - fd) <= tol else "")
                                + f"@[{c}] warpc={a[c]:.6g} warp={b[c]:.6g} fd={fd:.6g}")
            cls = ", ".join(classes) or "no known class"
            desc = f"{label} d/d{pn}: {idx.size} of {a.size} differ; " + "; ".join(verdicts)
            # components where both match the difference (within its tolerance) decide nothing
            verdicts = [v for v in verdicts if not v.startswith("warpcwarp")] or ["warpcwarp"]
            known = KNOWN_WARPC_WRONG.get(label)
            if known:
                known_seen.add(label)
                counts.known_warpc += 1
                report.append(f"known warpc bug {desc} ({known})")
            elif verdicts == ["warpcwarp"]:
                continue
            elif all(v.startswith("warpc@") for v in verdicts):
                counts.grad_warp_wrong += 1
                counts.warp_wrong_kernels.setdefault(label, cls)
                report.append(f"warp-wrong gradient {desc} (Warp's gradient is off; class: {cls})")
            elif all(v.startswith("warp@") for v in verdicts):
                counts.grad_warpc_wrong += 1
                report.append(f"MISMATCH gradient (warpc wrong) {desc}")
            else:
                counts.undecided += 1
                report.append(f"UNDECIDED gradient {desc} (class: {cls})")
    if value_ok_kernels:
        counts.value_programs += 1
        counts.value_kernels += value_ok_kernels
    if grad_compared:
        counts.grad_programs += 1
        counts.grad_kernels += grad_compared
    report.append(f"ok    {stem}: {value_ok_kernels}/{len(entries)} kernels values, {grad_compared} gradients")
    return report


def differentiable(kernel):
    return kernel.module.options.get("enable_backward", True) is not False and \
        kernel.options.get("enable_backward", True) is not False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--exec", required=True, help="warpc-smith-exec")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--cache", help="per-program warpc build cache (default: a temporary directory)")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                    help="warpc library builds run in parallel before the comparisons (default: all cores)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("programs", nargs="*")
    opts = ap.parse_args()
    programs = opts.programs or sorted(os.path.join(opts.corpus, f) for f in os.listdir(opts.corpus) if f.endswith(".wp"))
    tmp = tempfile.mkdtemp(prefix="warpc-corpus-values-")
    VOLUME_DIR[0] = tmp
    cache = opts.cache or os.path.join(tmp, "build")
    inputs = stage_inputs(opts.corpus, tmp)  # imported helper modules
    wp.config.kernel_cache_dir = os.path.join(cache, "warp-kernel-cache")
    wp.config.quiet = True
    wp.init()
    if opts.device == "cuda" and not wp.is_cuda_available():
        print("skipped: no CUDA device for Warp")
        return 77
    warpc = Warpc(os.path.abspath(opts.exec), os.path.abspath(cache), [inputs] if os.path.isdir(inputs) else [], opts.device)
    if opts.jobs > 1:
        import time
        t0 = time.monotonic()
        times, failed = warpc.prebuild([os.path.abspath(p) for p in programs], opts.jobs)
        slow = sorted(times.items(), key=lambda x: -x[1])[:3]
        print(f"built {len(times)} warpc libraries ({opts.device}) in {time.monotonic() - t0:.0f} s with {opts.jobs} "
              f"jobs; slowest: " + ", ".join(f"{n} {t:.0f} s" for n, t in slow) +
              (f"; {len(failed)} failed to build (reported below)" if failed else ""), flush=True)
    counts = Counts()
    for path in programs:
        for line in check_program(os.path.abspath(path), opts, warpc, counts, tmp, opts.seed):
            if opts.verbose or not line.startswith(("ok", "skip")):
                print(line, flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    c = counts
    if c.warp_wrong_kernels:
        tally = {}
        for cls in c.warp_wrong_kernels.values():
            tally[cls] = tally.get(cls, 0) + 1
        print("Warp's gradient off (float64-accumulated central differences agree with warpc), kernels by class: "
              + "; ".join(f"{cls}: {n}" for cls, n in sorted(tally.items(), key=lambda x: -x[1])))
    checked = {os.path.basename(p)[:-3] for p in programs}
    fixed = [k for k in KNOWN_WARPC_WRONG if k.split(".")[0] in checked and k not in known_seen]
    for k in fixed:
        print(f"FAIL {k}: warpc's gradient agrees now; remove it from KNOWN_WARPC_WRONG")
    reasons = ", ".join(f"{n} {r}" for r, n in sorted(c.skip_reasons.items(), key=lambda x: -x[1]))
    print(f"{c.programs} programs, {c.kernels} kernels: values compared for {c.value_kernels} kernels of "
          f"{c.value_programs} programs; gradients for {c.grad_kernels} kernels of {c.grad_programs} programs; "
          f"{c.skipped} kernels skipped ({reasons or 'none'}); value mismatches {c.value_mismatch}, gradient "
          f"mismatches warpc-wrong {c.grad_warpc_wrong}, Warp-wrong {c.grad_warp_wrong} "
          f"(in {len(c.warp_wrong_kernels)} kernels), "
          f"undecided {c.undecided}; known warpc bugs {c.known_warpc}; face-index ties {c.face_ties}; "
          f"run errors {c.errors} (Warp {wp.config.version}, {opts.device})")
    return 1 if (c.value_mismatch or c.grad_warpc_wrong or c.undecided or c.errors or fixed) else 0


if __name__ == "__main__":
    sys.exit(main())
