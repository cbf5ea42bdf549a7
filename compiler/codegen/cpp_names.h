// cpp_names.h — how Warp types, values and names are spelled in generated C++.
//
// Contract:
//  * cpp_type(t): the kernel-side C++ type of a Warp type — scalars as <cstdint>/float/double
//    (float16 = wp::half), composites as the wp:: templates (wp::vec_t<3, float> …), arrays as
//    the POD view wp::array_t<T>, structs as ::wp_structs::<module>::<Name>, strings as
//    `const char*`. Throws CodegenError for types with no C++ form (tuples, modules …).
//  * host_param_type(t): how a kernel parameter appears in the generated launcher
//    (arrays as `const wp::array<T>&`, everything else as cpp_type(t)).
//  * cpp_literal(c): a C++ expression with exactly the value `c` (floats round-trip, integer
//    extremes spelled portably, composites as aggregate initialisers, strings escaped).
//  * cpp_identifier(name): `name` unless it is a C++ keyword or a standard macro, then name + "_".
//  * Layouts (size/alignment) follow C rules over the runtime's types; struct_layout() is what the
//    generated header static_asserts.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sema/const_value.h"
#include "sema/types.h"

namespace warpc::codegen {

// A construct the generator cannot emit (reported as a located diagnostic by the caller).
struct CodegenError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string cpp_type(const Type* t);
std::string host_param_type(const Type* t);
std::string cpp_literal(const ConstValue& c);
std::string cpp_string_literal(std::string_view text);
std::string cpp_identifier(std::string_view name);

// ::wp_structs::<module>::<Name> and the include guard macro of a struct.
std::string struct_namespace(const StructInfo& s);  // wp_structs::<module>
std::string struct_guard(const StructInfo& s);

struct Layout {
  size_t size = 0;
  size_t align = 1;
};
Layout type_layout(const Type* t);
// Field offsets of a struct, in declaration order, plus the struct's layout.
Layout struct_layout(const StructInfo& s, std::vector<size_t>* offsets);

}  // namespace warpc::codegen
