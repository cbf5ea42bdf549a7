// intsem_main.cpp — driver of intsem.wp: Warp's integer arithmetic and conversions, computed
// here with C++'s own operators (/ and % are Warp's: C's) and <cmath>; // rounds toward −inf.
#include "intsem.wp.h"
#include "run_check.h"

namespace {

// Python's and Warp's integer //: the C quotient, one less when inexact with operands of opposite signs.
int floor_div(int a, int b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

void check_int_division(run::Check& check, const wp::Device& dev) {
  std::vector<int> a, b;
  for (int x : {-17, -9, -8, -7, -1, 0, 1, 7, 8, 9, 17, 2147483647, -2147483647})
    for (int y : {-5, -4, -3, -2, -1, 1, 2, 3, 4, 5}) a.push_back(x), b.push_back(y);
  int n = static_cast<int>(a.size());
  auto da = wp::from_host(a, dev), db = wp::from_host(b, dev);
  auto out = wp::zeros<int>(n * 4, dev);
  intsem::int_division(n, da, db, out);
  auto g = run::fetch(out);
  for (int i = 0; i < n; ++i) {
    std::string l = "(" + std::to_string(a[i]) + "," + std::to_string(b[i]) + ")";
    check.eq("int /" + l, g[i * 4 + 0], a[i] / b[i]);
    check.eq("int //" + l, g[i * 4 + 1], floor_div(a[i], b[i]));  // floors, like Warp and Python
    check.eq("int %" + l, g[i * 4 + 2], a[i] % b[i]);   // sign of the dividend
    check.eq("wp.mod/floordiv" + l, g[i * 4 + 3], (a[i] % b[i]) * 1000 + floor_div(a[i], b[i]));
  }

  std::vector<int64_t> a64 = {-(int64_t(1) << 40) - 3, -7, 7, (int64_t(1) << 40) + 5, -1};
  std::vector<int64_t> b64 = {3, 2, -2, -(int64_t(1) << 20), 7};
  int m = static_cast<int>(a64.size());
  auto da64 = wp::from_host(a64, dev), db64 = wp::from_host(b64, dev);
  auto o64 = wp::zeros<int64_t>(m * 2, dev);
  intsem::int64_division(m, da64, db64, o64);
  auto g64 = run::fetch(o64);
  for (int i = 0; i < m; ++i) {
    check.eq(run::at("int64 /", i), g64[i * 2 + 0], a64[i] / b64[i]);
    check.eq(run::at("int64 %", i), g64[i * 2 + 1], a64[i] % b64[i]);
  }
}

void check_float_division(run::Check& check, const wp::Device& dev) {
  std::vector<float> a, b;
  for (float x : {-7.5f, -7.0f, -0.5f, 0.0f, 0.5f, 7.0f, 7.5f, 100.25f})
    for (float y : {-2.0f, -0.75f, 0.75f, 2.0f, 3.0f}) a.push_back(x), b.push_back(y);
  int n = static_cast<int>(a.size());
  auto da = wp::from_host(a, dev), db = wp::from_host(b, dev);
  auto out = wp::zeros<float>(n * 3, dev);
  intsem::float_division(n, da, db, out);
  auto g = run::fetch(out);
  for (int i = 0; i < n; ++i) {
    std::string l = "(" + std::to_string(a[i]) + "," + std::to_string(b[i]) + ")";
    check.eq("float /" + l, g[i * 3 + 0], a[i] / b[i]);
    check.eq("float // floors" + l, g[i * 3 + 1], std::floor(a[i] / b[i]));
    check.eq("float % is fmod" + l, g[i * 3 + 2], std::fmod(a[i], b[i]));
  }
}

void check_bits(run::Check& check, const wp::Device& dev) {
  std::vector<int> a = {0, 1, -1, 255, 256, -256, 12345, -12345, 0x7FFFFFF, -0x7FFFFFF, 0x5A5A5A};
  int n = static_cast<int>(a.size());
  auto da = wp::from_host(a, dev);
  auto out = wp::zeros<int>(n * 6, dev);
  auto uout = wp::zeros<uint32_t>(n * 3, dev);
  intsem::bits(n, da, out, uout);
  auto g = run::fetch(out);
  auto gu = run::fetch(uout);
  for (int i = 0; i < n; ++i) {
    int x = a[i];
    int want[6] = {x & 0xFF, x | 0x100, x ^ 0x5555, ~x, (x << 3) >> 1, x >> 2};
    for (int k = 0; k < 6; ++k) check.eq(run::at("bits", i, k), g[i * 6 + k], want[k]);
    uint32_t u = static_cast<uint32_t>(x);
    check.eq(run::at("uint32 wrap mul", i), gu[i * 3 + 0], u * 2654435761u);
    check.eq(run::at("uint32 >>", i), gu[i * 3 + 1], u >> 28);
    check.eq(run::at("uint32 0-u", i), gu[i * 3 + 2], 0u - u);
  }
}

void check_conversions(run::Check& check, const wp::Device& dev) {
  std::vector<float> f = {-3.7f, -2.5f, -1.5f, -0.5f, -0.2f, 0.0f, 0.2f, 0.5f,
                          1.5f,  2.5f,  3.5f,  3.7f,  -4.5f, 4.5f, 5.0f};
  int n = static_cast<int>(f.size());
  auto df = wp::from_host(f, dev);
  auto iout = wp::zeros<int>(n, dev);
  auto fout = wp::zeros<float>(n * 5, dev);
  auto small = wp::zeros<int8_t>(n, dev);
  intsem::conversions(n, df, iout, fout, small);
  auto gi = run::fetch(iout);
  auto gf = run::fetch(fout);
  auto gs = run::fetch(small);
  for (int i = 0; i < n; ++i) {
    float x = f[i];
    check.eq(run::at("int() truncates", i), gi[i], static_cast<int>(x));
    check.eq(run::at("round", i), gf[i * 5 + 0], std::round(x));  // halves away from zero
    check.eq(run::at("rint", i), gf[i * 5 + 1], std::nearbyint(x));  // halves to even
    check.eq(run::at("floor", i), gf[i * 5 + 2], std::floor(x));
    check.eq(run::at("ceil", i), gf[i * 5 + 3], std::ceil(x));
    check.eq(run::at("trunc", i), gf[i * 5 + 4], std::trunc(x));
    check.eq(run::at("int8 wraps", i), static_cast<int>(gs[i]),
             static_cast<int>(static_cast<int8_t>(static_cast<int>(x * 40.0f))));
  }
}

void check_int_builtins(run::Check& check, const wp::Device& dev) {
  std::vector<int> a = {-100, -6, -5, -4, -3, -1, 0, 1, 2, 3, 4, 5, 6, 100};
  int n = static_cast<int>(a.size());
  auto da = wp::from_host(a, dev);
  auto out = wp::zeros<int>(n * 5, dev);
  intsem::int_builtins(n, da, out);
  auto g = run::fetch(out);
  for (int i = 0; i < n; ++i) {
    int x = a[i];
    int want[5] = {std::abs(x), x < 0 ? -1 : 1, std::min(x, 3), std::max(x, -3), std::clamp(x, -5, 5)};
    const char* names[5] = {"abs", "sign", "min", "max", "clamp"};
    for (int k = 0; k < 5; ++k) check.eq(run::at(names[k], x), g[i * 5 + k], want[k]);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return run::main(argc, argv, "intsem", [](run::Check& check, const wp::Device& dev) {
    check_int_division(check, dev);
    check_float_division(check, dev);
    check_bits(check, dev);
    check_conversions(check, dev);
    check_int_builtins(check, dev);
  });
}
