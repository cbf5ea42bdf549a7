// values.cpp — scalar conversions and random filling for warpc-gradcheck (see values.h).
#include "values.h"

#include <cmath>
#include <cstring>
#include <map>

#include "wp/bfloat16.h"
#include "wp/half.h"

namespace gradcheck {

Scalar parse_scalar(const std::string& name) {
  static const std::map<std::string, Scalar> kinds = {
      {"float16", Scalar::f16}, {"bfloat16", Scalar::bf16}, {"float32", Scalar::f32}, {"float64", Scalar::f64},
      {"int8", Scalar::i8},     {"int16", Scalar::i16},   {"int32", Scalar::i32},
      {"int64", Scalar::i64},   {"uint8", Scalar::u8},    {"uint16", Scalar::u16},
      {"uint32", Scalar::u32},  {"uint64", Scalar::u64},  {"bool", Scalar::boolean}};
  auto it = kinds.find(name);
  return it == kinds.end() ? Scalar::other : it->second;
}

bool is_float(Scalar s) { return s == Scalar::f16 || s == Scalar::bf16 || s == Scalar::f32 || s == Scalar::f64; }

size_t scalar_size(Scalar s) {
  switch (s) {
    case Scalar::i8: case Scalar::u8: case Scalar::boolean: return 1;
    case Scalar::f16: case Scalar::bf16: case Scalar::i16: case Scalar::u16: return 2;
    case Scalar::f32: case Scalar::i32: case Scalar::u32: return 4;
    case Scalar::f64: case Scalar::i64: case Scalar::u64: return 8;
    case Scalar::other: return 0;
  }
  return 0;
}

namespace {
template <typename T>
T read_as(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T>
void write_as(std::byte* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}
}  // namespace

double load(Scalar s, const std::byte* p) {
  switch (s) {
    case Scalar::f16: return static_cast<float>(read_as<wp::half>(p));
    case Scalar::bf16: return static_cast<float>(read_as<wp::bfloat16>(p));
    case Scalar::f32: return read_as<float>(p);
    case Scalar::f64: return read_as<double>(p);
    case Scalar::i8: return read_as<int8_t>(p);
    case Scalar::i16: return read_as<int16_t>(p);
    case Scalar::i32: return read_as<int32_t>(p);
    case Scalar::i64: return static_cast<double>(read_as<int64_t>(p));
    case Scalar::u8: return read_as<uint8_t>(p);
    case Scalar::u16: return read_as<uint16_t>(p);
    case Scalar::u32: return read_as<uint32_t>(p);
    case Scalar::u64: return static_cast<double>(read_as<uint64_t>(p));
    case Scalar::boolean: return read_as<uint8_t>(p) ? 1.0 : 0.0;
    case Scalar::other: return 0.0;
  }
  return 0.0;
}

void store(Scalar s, std::byte* p, double v) {
  switch (s) {
    case Scalar::f16: return write_as(p, wp::half(static_cast<float>(v)));
    case Scalar::bf16: return write_as(p, wp::bfloat16(static_cast<float>(v)));
    case Scalar::f32: return write_as(p, static_cast<float>(v));
    case Scalar::f64: return write_as(p, v);
    case Scalar::i8: return write_as(p, static_cast<int8_t>(v));
    case Scalar::i16: return write_as(p, static_cast<int16_t>(v));
    case Scalar::i32: return write_as(p, static_cast<int32_t>(v));
    case Scalar::i64: return write_as(p, static_cast<int64_t>(v));
    case Scalar::u8: return write_as(p, static_cast<uint8_t>(v));
    case Scalar::u16: return write_as(p, static_cast<uint16_t>(v));
    case Scalar::u32: return write_as(p, static_cast<uint32_t>(v));
    case Scalar::u64: return write_as(p, static_cast<uint64_t>(v));
    case Scalar::boolean: return write_as(p, static_cast<uint8_t>(v != 0.0));
    case Scalar::other: return;
  }
}

void fill_random(Buffer& b, double lo, double hi, std::mt19937_64& rng) {
  for (size_t k = 0; k < b.num_scalars(); ++k) {
    if (is_float(b.scalar)) {
      b.set(k, std::uniform_real_distribution<double>(lo, hi)(rng));
    } else {
      const auto ilo = static_cast<int64_t>(std::ceil(lo));
      const auto ihi = static_cast<int64_t>(std::floor(hi));
      b.set(k, static_cast<double>(std::uniform_int_distribution<int64_t>(ilo, std::max(ilo, ihi))(rng)));
    }
  }
}

}  // namespace gradcheck
