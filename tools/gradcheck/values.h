// values.h — warpc-gradcheck's view of kernel parameter values as raw bytes: the scalar
// types reflect.h names ("float32", "int32" …), reading/writing one component as a double,
// and random filling.
//
// Contract:
//  * ScalarKind::parse maps reflect.h's scalar spellings; anything else (structs: "") is
//    ScalarKind::other, which the harness cannot fill.
//  * load/store convert one component between its storage type and double; store rounds
//    to the storage precision (float16 and bfloat16 through float, as wp::half and
//    wp::bfloat16 do) and, for integers,
//    truncates toward zero (callers pass integral values).
//  * Buffer is a byte vector with component access by flat component index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace gradcheck {

enum class Scalar { f16, bf16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64, boolean, other };

Scalar parse_scalar(const std::string& name);
bool is_float(Scalar s);
size_t scalar_size(Scalar s);  // 0 for other

double load(Scalar s, const std::byte* p);
void store(Scalar s, std::byte* p, double v);

// The values of one parameter: `count` elements (1 for non-array parameters) of
// `components` scalars each.
struct Buffer {
  Scalar scalar = Scalar::other;
  size_t components = 0;
  size_t count = 0;
  std::vector<std::byte> bytes;

  size_t num_scalars() const { return components * count; }
  double get(size_t k) const { return load(scalar, bytes.data() + k * scalar_size(scalar)); }
  void set(size_t k, double v) { store(scalar, bytes.data() + k * scalar_size(scalar), v); }
};

// Fills every component uniformly from [lo, hi] (floats) or from the integers of [lo, hi].
void fill_random(Buffer& b, double lo, double hi, std::mt19937_64& rng);

}  // namespace gradcheck
