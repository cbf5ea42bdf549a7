#!/usr/bin/env python3
"""gen_builtins_doc.py — writes docs/builtins.md from stdlib/builtins.def (the one source of truth).

usage: gen_builtins_doc.py BUILTINS_DEF OUT.md        write the document
       gen_builtins_doc.py BUILTINS_DEF OUT.md --check exit 1 if OUT.md is not what would be written

The document has a coverage report (per group: names and declared signatures in warpc's table
vs Warp's, as listed in WARP_NAMES below, and Warp's names warpc lacks) and
then every builtin with its signatures, differentiability and one-line description.
docs/builtins.md is never edited by hand: CTest `builtins-doc-up-to-date` runs --check.
"""
import re
import sys

GROUP_TITLES = {
    "ScalarMath": "Scalar Math", "VectorMath": "Vector Math", "QuaternionMath": "Quaternion Math",
    "Transformations": "Transformations", "SpatialMath": "Spatial Math", "Operators": "Operators",
    "Random": "Random", "Noise": "Noise", "Utility": "Utility", "Geometry": "Geometry",
    "Volumes": "Volumes", "Other": "Other",
}

# Warp's builtin names per documentation group and its declared-signature counts (Warp 1.12
# for the math groups; Warp 1.19's stubs, warp/__init__.pyi, for Geometry; Warp 1.19's builtin
# registry, every overload of every volume_* name, for Volumes). Internal helpers (address, extract, load, …), tiles and
# textures are not listed: they are not user-facing kernel builtins of these groups.
WARP_NAMES = {
    "ScalarMath": ("abs sign min max clamp step nonzero sqrt cbrt exp log log2 log10 pow sin cos tan asin acos atan "
                   "atan2 sinh cosh tanh asinh acosh atanh erf erfc erfinv erfcinv floor ceil round rint trunc frac "
                   "copysign isfinite isnan isinf degrees radians", 265),
    "VectorMath": ("dot ddot cross outer length length_sq normalize cw_mul cw_div transpose determinant inverse trace "
                   "diag get_diag skew identity matrix vector matrix_from_rows matrix_from_cols svd2 svd3 qr3 eig3 "
                   "argmin argmax norm_l1 norm_l2 norm_huber norm_pseudo_huber smooth_normalize", 61),
    "QuaternionMath": ("quat_identity quat_from_axis_angle quat_to_axis_angle quat_from_matrix quat_to_matrix "
                       "quat_rpy quat_from_euler quat_to_euler quat_inverse quat_rotate quat_rotate_inv quat_slerp "
                       "quat_twist quat_twist_angle", 17),
    "Transformations": ("transform_identity transform_get_translation transform_get_rotation transform_set_translation "
                        "transform_set_rotation transform_multiply transform_point transform_vector transform_inverse "
                        "transform_to_matrix transform_from_matrix", 12),
    "SpatialMath": ("spatial_top spatial_bottom spatial_dot spatial_cross spatial_cross_dual spatial_adjoint "
                    "transform_twist transform_wrench velocity_at_point", 10),
    "Operators": ("add sub mul div floordiv mod pow neg pos unot bit_and bit_or bit_xor invert lshift rshift", 87),
    "Random": ("rand_init randi randu randf randn poisson sample_cdf sample_triangle sample_unit_ring sample_unit_disk "
               "sample_unit_sphere_surface sample_unit_sphere sample_unit_hemisphere_surface sample_unit_hemisphere "
               "sample_unit_square sample_unit_cube", 28),
    "Noise": ("noise pnoise curlnoise", 3),
    "Utility": ("tid print printf breakpoint expect_eq expect_neq expect_near where select lerp smoothstep len "
                "block_dim atomic_add atomic_sub atomic_min atomic_max atomic_and atomic_or atomic_xor atomic_cas "
                "atomic_exch", 382),
    "Geometry": ("bvh_query_aabb bvh_query_ray bvh_query_sphere bvh_query_capsule bvh_query_next bvh_get_group_root "
                 "mesh_get_group_root mesh_query_point mesh_query_point_no_sign mesh_query_point_sign_normal "
                 "mesh_query_point_sign_parity mesh_query_point_sign_winding_number mesh_query_furthest_point_no_sign "
                 "mesh_query_ray mesh_query_ray_anyhit mesh_query_ray_count_intersections mesh_get_bvh mesh_query_aabb "
                 "mesh_query_sphere mesh_query_next mesh_query_aabb_next mesh_eval_position mesh_eval_velocity "
                 "mesh_eval_face_normal mesh_get_point mesh_get_velocity mesh_get_index mesh_get closest_point_edge_edge "
                 "intersect_tri_tri hash_grid_query hash_grid_query_next hash_grid_point_id", 33),
    "Volumes": ("volume_sample volume_sample_f volume_sample_v volume_sample_i volume_sample_grad volume_sample_grad_f "
                "volume_sample_index volume_sample_grad_index volume_lookup volume_lookup_f volume_lookup_v "
                "volume_lookup_i volume_lookup_index volume_store volume_store_f volume_store_v volume_store_i "
                "volume_world_to_index volume_index_to_world volume_world_to_index_dir volume_index_to_world_dir "
                "volume_voxel_count", 28),
}

ROW = re.compile(r'^WARP_BUILTIN\("([^"]*)",\s*"([^"]*)",\s*"([^"]*)",\s*(Diff|NoDiff),\s*"([^"]*)",\s*"((?:[^"\\]|\\.)*)"\)')
GROUP = re.compile(r"^WARP_BUILTIN_GROUP\((\w+)\)")


def read_table(path):
    groups, group = {}, None
    for line in open(path, encoding="utf-8"):
        m = GROUP.match(line)
        if m:
            group = m.group(1)
            groups.setdefault(group, [])
            continue
        m = ROW.match(line)
        if m:
            name, params, result, diff, cpp, doc = m.groups()
            groups[group].append(dict(name=name, params=params, result=result, diff=diff == "Diff", cpp=cpp, doc=doc))
    return groups


def render(groups):
    out = ["# Builtins", "",
           "<!-- Generated by tools/builtins/gen_builtins_doc.py from stdlib/builtins.def. Do not edit. -->", "",
           "Every function callable as `wp.<name>` in kernel code, grouped as in Warp's documentation. "
           "Types: `Float` = float16/32/64, `Int` = any integer, `Scalar` = any number, `Any` = any value "
           "type; a variable binds one type across a signature; `&T` marks an argument the builtin updates "
           "in place. Diff = has an adjoint (reverse-mode AD). Each name is implemented in "
           "`stdlib/include/wp/builtins/` as `wp::<name>` (host and device) and checked by "
           "`warpc-check-builtins` (libclang).", "", "## Coverage", "",
           "| group | names (warpc / Warp) | declared signatures (warpc / Warp) | Warp names missing |",
           "|---|---|---|---|"]
    all_names = {r["name"] for rows in groups.values() for r in rows}
    for g, rows in groups.items():
        names = sorted({r["name"] for r in rows})
        if g in WARP_NAMES:
            warp_names, warp_sigs = WARP_NAMES[g][0].split(), WARP_NAMES[g][1]
            missing = sorted(set(warp_names) - all_names)  # a name may live in another group here
            have = len(warp_names) - len(missing)
            out.append(f"| {GROUP_TITLES[g]} | {have} / {len(warp_names)} | {len(rows)} / {warp_sigs} | "
                       f"{', '.join(missing) if missing else '—'} |")
        else:
            out.append(f"| {GROUP_TITLES[g]} | {len(names)} / — | {len(rows)} / — | (outside the builtin library's scope) |")
    out += ["", "Scalar constructors and casts (`wp.float64(x)`, `int(x)`, …) and the type constructors "
            "(`wp.vec3(…)`, `wp.mat33(…)`, `wp.quat(…)`, …) are type names in warpc, not rows of this table; "
            "Warp counts them in Scalar Math / Vector Math. "
            "Warp's signature counts include declarations warpc's generic signatures cover with one row "
            "(e.g. one `vector(N, Scalar)` row for all vector types).", ""]
    for g, rows in groups.items():
        out += [f"## {GROUP_TITLES[g]}", ""]
        by_name = {}
        for r in rows:
            by_name.setdefault(r["name"], []).append(r)
        for name, overloads in by_name.items():
            out.append(f"### `{name}`")
            out.append("")
            for r in overloads:
                result = "" if r["result"] == "None" else f" -> {r['result']}"
                tag = "Diff" if r["diff"] else "no adjoint"
                doc = r["doc"].replace('\\"', '"')
                out.append(f"- `{name}({r['params']}){result}` — {doc} ({tag})")
            out.append("")
    return "\n".join(out)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    text = render(read_table(sys.argv[1]))
    if "--check" in sys.argv[3:]:
        try:
            current = open(sys.argv[2], encoding="utf-8").read()
        except OSError:
            current = ""
        if current != text:
            print(f"{sys.argv[2]} is out of date: run tools/builtins/gen_builtins_doc.py {sys.argv[1]} {sys.argv[2]}")
            return 1
        return 0
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
