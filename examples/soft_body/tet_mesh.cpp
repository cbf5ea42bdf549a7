// tet_mesh.cpp — boxes of tetrahedra and their boundary (contract in tet_mesh.h).
#include "tet_mesh.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <utility>

namespace soft {
namespace {

wp::vec3 rotate(const wp::vec3& p, float angle) {  // about the z axis
  const float c = std::cos(angle), s = std::sin(angle);
  return {{c * p[0] - s * p[1], s * p[0] + c * p[1], p[2]}};
}

float orientation(const TetMesh& m, const int32_t* t) {
  const wp::vec3 &a = m.points[t[0]], &b = m.points[t[1]], &c = m.points[t[2]], &d = m.points[t[3]];
  float e[3][3];
  for (int i = 0; i < 3; ++i) e[0][i] = b[i] - a[i], e[1][i] = c[i] - a[i], e[2][i] = d[i] - a[i];
  return e[0][0] * (e[1][1] * e[2][2] - e[1][2] * e[2][1]) - e[0][1] * (e[1][0] * e[2][2] - e[1][2] * e[2][0]) +
         e[0][2] * (e[1][0] * e[2][1] - e[1][1] * e[2][0]);
}

}  // namespace

void add_box(TetMesh& mesh, int cells, float size, const wp::vec3& center, float angle, int body) {
  const int side = cells + 1, base = int(mesh.points.size());
  const float h = size / float(cells);
  for (int i = 0; i < side; ++i)
    for (int j = 0; j < side; ++j)
      for (int k = 0; k < side; ++k) {
        const wp::vec3 local{{i * h - 0.5f * size, j * h - 0.5f * size, k * h - 0.5f * size}};
        const wp::vec3 r = rotate(local, angle);
        mesh.points.push_back({{r[0] + center[0], r[1] + center[1], r[2] + center[2]}});
        mesh.point_body.push_back(body);
      }
  auto id = [&](int i, int j, int k) { return int32_t(base + (i * side + j) * side + k); };
  static const int kPerms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  for (int i = 0; i < cells; ++i)
    for (int j = 0; j < cells; ++j)
      for (int k = 0; k < cells; ++k)
        for (const auto& perm : kPerms) {
          int c[3] = {i, j, k};
          std::array<int32_t, 4> t;
          t[0] = id(c[0], c[1], c[2]);
          for (int s = 0; s < 3; ++s) ++c[perm[s]], t[s + 1] = id(c[0], c[1], c[2]);
          if (orientation(mesh, t.data()) < 0) std::swap(t[1], t[2]);
          mesh.tets.insert(mesh.tets.end(), t.begin(), t.end());
        }
}

Surface surface(const TetMesh& mesh) {
  static const int kFaces[4][3] = {{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}};
  std::map<std::array<int32_t, 3>, std::pair<int, std::array<int32_t, 3>>> faces;  // sorted → (count, face)
  for (std::size_t t = 0; t * 4 < mesh.tets.size(); ++t)
    for (const auto& f : kFaces) {
      std::array<int32_t, 3> face{mesh.tets[t * 4 + f[0]], mesh.tets[t * 4 + f[1]], mesh.tets[t * 4 + f[2]]};
      std::array<int32_t, 3> key = face;
      std::sort(key.begin(), key.end());
      auto& entry = faces[key];
      entry.first += 1;
      entry.second = face;
    }
  Surface s;
  for (const auto& [key, entry] : faces) {
    if (entry.first != 1) continue;
    s.tris.insert(s.tris.end(), entry.second.begin(), entry.second.end());
    s.body.push_back(mesh.point_body[std::size_t(key[0])]);
  }
  return s;
}

}  // namespace soft
