// tet_mesh.h — the soft bodies' geometry: boxes of tetrahedra and their surface triangles.
//
// Contract:
//  * add_box(mesh, cells, size, center, angle, body): a cube of side `size` made of cells³
//    cubes, each split into 6 tetrahedra along its main diagonal (Freudenthal: neighbouring
//    cubes share the split of their common face, so the mesh is conforming), turned by
//    `angle` radians about the vertical (z) axis and moved to `center`. Every tet is
//    positively oriented (det of its edge matrix > 0). Appends points, tets (4 indices each,
//    into the mesh's points) and records `body` per point.
//  * surface(mesh): the boundary triangles (3 indices each): faces that belong to exactly one
//    tet, and the body of each (that of its points).
#pragma once

#include <cstdint>
#include <vector>

#include "wp/wp.h"

namespace soft {

struct TetMesh {
  std::vector<wp::vec3> points;
  std::vector<int32_t> tets;
  std::vector<int> point_body;
};

void add_box(TetMesh& mesh, int cells, float size, const wp::vec3& center, float angle, int body);

struct Surface {
  std::vector<int32_t> tris;
  std::vector<int> body;
};
Surface surface(const TetMesh& mesh);

}  // namespace soft
