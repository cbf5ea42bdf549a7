// mesh_shapes.h — the triangle meshes warpc-gradcheck generates for `mesh_shape(ID)=…`
// pragmas (docs/autodiff.md, "Meshes and BVHs"): well-conditioned meshes whose indices are
// always valid, so a kernel taking a wp::Mesh can be checked without hand-made inputs.
//
// Contract:
//  * sphere_mesh(n, lo, hi): a closed UV sphere centred at ((lo+hi)/2, …) with radius
//    (hi−lo)/2: n segments around the z axis, max(2, n/2) bands from pole to pole; 2 poles +
//    n·(bands−1) ring points, 2·n·(bands−1) triangles. Every edge is shared by exactly two
//    triangles that traverse it in opposite directions, and every face normal
//    cross(p1 − p0, p2 − p0) points outward (Warp's orientation: a ray from outside hits front
//    faces), so sign queries see a proper inside.
//  * grid_mesh(nx, ny, lo, hi): a planar grid over [lo, hi]² in x, y at z = (lo+hi)/2: nx·ny
//    cells of two triangles each, (nx+1)(ny+1) points, normals +z.
//  * MeshData::edge is the shape's typical edge length; jitter(m, fraction, rng) moves every
//    coordinate by a uniform offset in [−fraction·edge, fraction·edge] (fraction ≤ 0.45 keeps
//    the triangles unfolded), so gradients are generic (no symmetric ties).
//  * random_triangles(ntris, npoints, rng): ntris triangles of three distinct point indices
//    drawn uniformly from [0, npoints) (npoints ≥ 3).
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <vector>

namespace gradcheck {

struct MeshData {
  std::vector<std::array<double, 3>> points;
  std::vector<int32_t> indices;  // 3 per triangle
  double edge = 0.0;
};

MeshData sphere_mesh(int n, double lo, double hi);
MeshData grid_mesh(int nx, int ny, double lo, double hi);
void jitter(MeshData& m, double fraction, std::mt19937_64& rng);
std::vector<int32_t> random_triangles(int ntris, int npoints, std::mt19937_64& rng);

}  // namespace gradcheck
