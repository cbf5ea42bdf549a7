// builtins_test.cpp — the builtin table and overload resolution
// (sema/builtins.h): table integrity, exact-match resolution with generic
// binding, keywords and defaults, poison, constructors, type names,
// constants, attributes and failure messages.
#include "sema/builtins.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "sema/builtin_signature.h"

namespace warpc {
namespace {

using SK = ScalarKind;

class BuiltinsTest : public ::testing::Test {
 protected:
  TypeContext types;
  const Type* f16 = types.scalar(SK::Float16);
  const Type* f32 = types.float32();
  const Type* f64 = types.scalar(SK::Float64);
  const Type* i32 = types.int32();
  const Type* i64 = types.scalar(SK::Int64);
  const Type* u32 = types.scalar(SK::UInt32);
  const Type* u64 = types.scalar(SK::UInt64);
  const Type* b = types.bool_type();
  const Type* v2f = types.vector(2, SK::Float32);
  const Type* v3f = types.vector(3, SK::Float32);
  const Type* v3d = types.vector(3, SK::Float64);
  const Type* v3i = types.vector(3, SK::Int32);
  const Type* m33f = types.matrix(3, 3, SK::Float32);
  const Type* qf = types.quat(SK::Float32);
  const Type* tf = types.transform(SK::Float32);
  const Type* err = types.error();

  BuiltinResolution call(std::string_view name, std::vector<const Type*> arg_types) {
    std::vector<BuiltinArg> args;
    for (const Type* t : arg_types) args.push_back({t, "", nullptr});
    return resolve_builtin(types, name, args);
  }
  BuiltinResolution call_args(std::string_view name, const std::vector<BuiltinArg>& args) {
    return resolve_builtin(types, name, args);
  }
  BuiltinResolution construct(const Type* target, std::vector<const Type*> arg_types) {
    std::vector<BuiltinArg> args;
    for (const Type* t : arg_types) args.push_back({t, "", nullptr});
    return resolve_constructor(types, target, args);
  }
  // The result type's name, or "FAIL: <message>".
  std::string result_of(const BuiltinResolution& r) {
    if (r.status != BuiltinResolution::Status::Ok) return "FAIL: " + r.message;
    return type_name(r.result);
  }
  std::string call_result(std::string_view name, std::vector<const Type*> arg_types) {
    return result_of(call(name, std::move(arg_types)));
  }
  ConstValue int_constant(int64_t v) {
    ConstValue c;
    c.type = i32;
    c.comps.push_back(v);
    return c;
  }
};

// ---- the table

TEST_F(BuiltinsTest, TableParsesWithoutErrors) {
  for (const std::string& e : builtin_table_errors()) ADD_FAILURE() << e;
  EXPECT_GT(builtin_table().size(), 300u);
}

TEST_F(BuiltinsTest, EveryListedNameIsABuiltin) {
  auto names = builtin_function_names();
  EXPECT_GT(names.size(), 200u);
  for (std::string_view n : names) EXPECT_TRUE(is_builtin_function(n)) << n;
  EXPECT_FALSE(is_builtin_function("not_a_builtin"));
  EXPECT_FALSE(is_builtin_function(""));
}

TEST_F(BuiltinsTest, CoversThePhaseOneNames) {
  const char* const required[] = {
      "abs", "sign", "min", "max", "clamp", "step", "nonzero", "sqrt", "cbrt", "exp", "log", "log2", "log10",
      "pow", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh",
      "atanh", "erf", "erfc", "erfinv", "erfcinv", "floor", "ceil", "round", "rint", "trunc", "frac", "copysign",
      "isfinite", "isnan", "isinf", "degrees", "radians", "dot", "cross", "outer", "length", "length_sq",
      "normalize", "cw_mul", "cw_div", "transpose", "determinant", "inverse", "trace", "diag", "get_diag", "skew",
      "identity", "ddot", "argmin", "argmax", "svd3", "qr3", "eig3", "norm_l1", "norm_l2", "quat_identity",
      "quat_from_axis_angle", "quat_to_axis_angle", "quat_from_matrix", "quat_to_matrix", "quat_rpy",
      "quat_inverse", "quat_rotate", "quat_rotate_inv", "quat_slerp", "transform_identity",
      "transform_get_translation", "transform_get_rotation", "transform_multiply", "transform_point",
      "transform_vector", "transform_inverse", "spatial_top", "spatial_bottom", "spatial_dot", "spatial_cross",
      "spatial_cross_dual", "add", "sub", "mul", "div", "floordiv", "mod", "neg", "pos", "unot", "bit_and",
      "bit_or", "bit_xor", "invert", "lshift", "rshift", "rand_init", "randi", "randu", "randf", "randn",
      "poisson", "sample_unit_sphere", "noise", "pnoise", "curlnoise", "where", "select", "lerp", "smoothstep",
      "len", "print", "printf", "expect_eq", "expect_neq", "expect_near", "atomic_add", "atomic_sub",
      "atomic_min", "atomic_max", "atomic_cas", "atomic_exch", "tid", "mesh_query_point",
      "mesh_query_point_no_sign", "mesh_query_point_sign_normal", "mesh_query_ray", "mesh_query_aabb",
      "mesh_query_aabb_next", "mesh_eval_position", "mesh_eval_velocity", "mesh_eval_face_normal",
      "mesh_get_point", "bvh_query_aabb", "bvh_query_ray", "bvh_query_next", "hash_grid_query",
      "hash_grid_query_next", "hash_grid_point_id", "volume_sample_f", "volume_sample_v", "volume_sample_i",
      "volume_sample_grad_f", "volume_lookup_f", "volume_lookup_v", "volume_lookup_i", "volume_store_f",
      "volume_world_to_index", "volume_index_to_world", "volume_world_to_index_dir",
      "volume_index_to_world_dir", "volume_sample"};
  for (const char* n : required) EXPECT_TRUE(is_builtin_function(n)) << n;
}

TEST_F(BuiltinsTest, OverloadPropertiesComeFromTheRow) {
  auto r = call("sin", {f32});
  ASSERT_EQ(r.status, BuiltinResolution::Status::Ok);
  EXPECT_EQ(builtin_signature_text(r.overload), "sin(x: Float) -> Float");
  EXPECT_EQ(builtin_name(r.overload), "sin");
  EXPECT_EQ(builtin_cpp_name(r.overload), "sin");
  EXPECT_EQ(builtin_group(r.overload), "Scalar Math");
  EXPECT_TRUE(builtin_is_differentiable(r.overload));
  EXPECT_FALSE(builtin_doc(r.overload).empty());
  auto q = call("hash_grid_query_next", {types.query("hash_grid_query_t"), i32});
  ASSERT_EQ(q.status, BuiltinResolution::Status::Ok);
  EXPECT_TRUE(builtin_param_is_ref(q.overload, 0));
  EXPECT_TRUE(builtin_param_is_ref(q.overload, 1));
  EXPECT_FALSE(builtin_is_differentiable(q.overload));
}

// ---- scalar and vector math

TEST_F(BuiltinsTest, FloatFunctionsKeepTheArgumentPrecision) {
  EXPECT_EQ(call_result("sin", {f32}), "float32");
  EXPECT_EQ(call_result("sin", {f64}), "float64");
  EXPECT_EQ(call_result("sqrt", {f16}), "float16");
  EXPECT_EQ(call_result("atan2", {f64, f64}), "float64");
  EXPECT_EQ(call_result("isnan", {f32}), "bool");
  EXPECT_EQ(call_result("isfinite", {v3f}), "bool");
}

TEST_F(BuiltinsTest, FloatFunctionsRejectIntegers) {
  auto r = call("sin", {i32});
  EXPECT_EQ(r.status, BuiltinResolution::Status::NoMatch);
  EXPECT_EQ(r.bad_arg, 0);
  EXPECT_EQ(r.message, "argument 1 of 'wp.sin' has type 'int32' but a floating-point scalar was expected");
  ASSERT_EQ(r.candidates.size(), 1u);
  EXPECT_EQ(r.candidates[0], "sin(x: Float) -> Float");
}

TEST_F(BuiltinsTest, ScalarFunctionsAcceptIntegers) {
  EXPECT_EQ(call_result("abs", {i32}), "int32");
  EXPECT_EQ(call_result("min", {i64, i64}), "int64");
  EXPECT_EQ(call_result("clamp", {f32, f32, f32}), "float32");
  EXPECT_EQ(call_result("sign", {v3f}), "vec3f");
}

TEST_F(BuiltinsTest, MinMaxOverVectors) {
  EXPECT_EQ(call_result("min", {v3f, v3f}), "vec3f");
  EXPECT_EQ(call_result("max", {v3i}), "int32");
  EXPECT_NE(call("min", {v3f, v3d}).status, BuiltinResolution::Status::Ok);
}

TEST_F(BuiltinsTest, VectorMath) {
  EXPECT_EQ(call_result("dot", {v3f, v3f}), "float32");
  EXPECT_EQ(call_result("dot", {qf, qf}), "float32");
  EXPECT_EQ(call_result("cross", {v3d, v3d}), "vec3d");
  EXPECT_EQ(call_result("length", {v3f}), "float32");
  EXPECT_EQ(call_result("normalize", {qf}), "quatf");
  EXPECT_EQ(call_result("outer", {v2f, v3f}), "matrix(shape=(2, 3), dtype=float32)");
  EXPECT_EQ(call_result("transpose", {types.matrix(2, 3, SK::Float64)}), "matrix(shape=(3, 2), dtype=float64)");
  EXPECT_EQ(call_result("determinant", {m33f}), "float32");
  EXPECT_EQ(call_result("diag", {v3f}), "mat33f");
  EXPECT_EQ(call_result("get_diag", {m33f}), "vec3f");
  EXPECT_EQ(call_result("skew", {v3f}), "mat33f");
  EXPECT_EQ(call_result("argmax", {v3f}), "uint32");
  EXPECT_EQ(call_result("svd3", {m33f, m33f, v3f, m33f}), "None");
  EXPECT_NE(call("determinant", {types.matrix(2, 3, SK::Float32)}).status, BuiltinResolution::Status::Ok);
  EXPECT_NE(call("length", {v3i}).status, BuiltinResolution::Status::Ok);
}

TEST_F(BuiltinsTest, CrossBlamesTheMismatchedArgument) {
  auto r = call("cross", {v3f, v3d});
  EXPECT_EQ(r.status, BuiltinResolution::Status::NoMatch);
  EXPECT_EQ(r.bad_arg, 1);
  EXPECT_EQ(r.message, "argument 2 of 'wp.cross' has type 'vec3d' but 'vec3f' was expected");
}

TEST_F(BuiltinsTest, QuaternionsAndTransforms) {
  EXPECT_EQ(call_result("quat_from_axis_angle", {v3f, f32}), "quatf");
  EXPECT_EQ(call_result("quat_rotate", {qf, v3f}), "vec3f");
  EXPECT_EQ(call_result("quat_to_matrix", {qf}), "mat33f");
  EXPECT_EQ(call_result("transform_point", {tf, v3f}), "vec3f");
  EXPECT_EQ(call_result("transform_point", {types.matrix(4, 4, SK::Float32), v3f}), "vec3f");
  EXPECT_EQ(call_result("transform_get_rotation", {types.transform(SK::Float64)}), "quatd");
  EXPECT_EQ(call_result("spatial_top", {types.vector(6, SK::Float32)}), "vec3f");
  EXPECT_EQ(call_result("spatial_cross", {types.vector(6, SK::Float64), types.vector(6, SK::Float64)}),
            "spatial_vectord");
  EXPECT_NE(call("quat_rotate", {qf, v3d}).status, BuiltinResolution::Status::Ok);
}

// ---- operators

TEST_F(BuiltinsTest, GenericScalarsBindConsistently) {
  EXPECT_EQ(call_result("add", {f32, f32}), "float32");
  auto r = call("add", {f32, f64});
  EXPECT_EQ(r.status, BuiltinResolution::Status::NoMatch);
  EXPECT_EQ(r.bad_arg, 1);
  EXPECT_EQ(r.message, "no overload of 'wp.add' accepts (float32, float64)");
  EXPECT_EQ(r.candidates.size(), 5u);
  EXPECT_NE(call("add", {i32, f32}).status, BuiltinResolution::Status::Ok);
  EXPECT_NE(call("add", {b, b}).status, BuiltinResolution::Status::Ok);
}

TEST_F(BuiltinsTest, MultiplicationOverloads) {
  EXPECT_EQ(call_result("mul", {f32, v3f}), "vec3f");
  EXPECT_EQ(call_result("mul", {v3f, f32}), "vec3f");
  EXPECT_EQ(call_result("mul", {m33f, v3f}), "vec3f");
  EXPECT_EQ(call_result("mul", {v3f, m33f}), "vec3f");
  EXPECT_EQ(call_result("mul", {m33f, m33f}), "mat33f");
  EXPECT_EQ(call_result("mul", {types.matrix(2, 3, SK::Float32), types.matrix(3, 4, SK::Float32)}),
            "matrix(shape=(2, 4), dtype=float32)");
  EXPECT_EQ(call_result("mul", {qf, qf}), "quatf");
  EXPECT_EQ(call_result("mul", {tf, tf}), "transformf");
  EXPECT_EQ(call_result("mul", {f32, m33f}), "mat33f");
  EXPECT_NE(call("mul", {v3f, f64}).status, BuiltinResolution::Status::Ok);
  EXPECT_NE(call("mul", {types.matrix(2, 3, SK::Float32), types.matrix(2, 3, SK::Float32)}).status,
            BuiltinResolution::Status::Ok);
  EXPECT_NE(call("mul", {v3f, v3f}).status, BuiltinResolution::Status::Ok);
}

TEST_F(BuiltinsTest, DivisionModuloAndPower) {
  EXPECT_EQ(call_result("div", {i32, i32}), "int32");
  EXPECT_EQ(call_result("div", {v3f, f32}), "vec3f");
  EXPECT_EQ(call_result("div", {f32, v3f}), "vec3f");
  EXPECT_EQ(call_result("floordiv", {i32, i32}), "int32");
  EXPECT_EQ(call_result("floordiv", {f32, f32}), "float32");
  EXPECT_EQ(call_result("mod", {i64, i64}), "int64");
  EXPECT_EQ(call_result("mod", {f64, f64}), "float64");
  EXPECT_EQ(call_result("pow", {f32, f32}), "float32");
  EXPECT_NE(call("pow", {i32, i32}).status, BuiltinResolution::Status::Ok);
}

TEST_F(BuiltinsTest, BitwiseOperatorsTakeIntegersOnly) {
  EXPECT_EQ(call_result("bit_and", {u32, u32}), "uint32");
  EXPECT_EQ(call_result("lshift", {i32, i32}), "int32");
  EXPECT_EQ(call_result("invert", {i64}), "int64");
  EXPECT_EQ(call_result("bit_xor", {v3i, v3i}), "vec3i");
  EXPECT_NE(call("bit_or", {f32, f32}).status, BuiltinResolution::Status::Ok);
  EXPECT_NE(call("rshift", {i32, u32}).status, BuiltinResolution::Status::Ok);
}

TEST_F(BuiltinsTest, UnaryOperators) {
  EXPECT_EQ(call_result("neg", {v3f}), "vec3f");
  EXPECT_EQ(call_result("neg", {i32}), "int32");
  EXPECT_EQ(call_result("pos", {m33f}), "mat33f");
  EXPECT_EQ(call_result("unot", {b}), "bool");
  EXPECT_EQ(call_result("unot", {i32}), "bool");
  EXPECT_EQ(call_result("unot", {types.array(f32, 1)}), "bool");
}

// ---- keywords, defaults, arity

TEST_F(BuiltinsTest, KeywordArgumentsBindByName) {
  auto r = call_args("atan2", {{f32, "x", nullptr}, {f32, "y", nullptr}});
  ASSERT_EQ(r.status, BuiltinResolution::Status::Ok);
  EXPECT_EQ(r.param_args, (std::vector<int>{1, 0}));
  EXPECT_EQ(r.arg_params, (std::vector<int>{1, 0}));
  EXPECT_EQ(result_of(call_args("clamp", {{f32, "", nullptr}, {f32, "high", nullptr}, {f32, "low", nullptr}})),
            "float32");
}

TEST_F(BuiltinsTest, DefaultsFillMissingParameters) {
  EXPECT_EQ(call_result("quat_identity", {}), "quatf");
  EXPECT_EQ(call_result("transform_identity", {}), "transformf");
  EXPECT_EQ(result_of(call_args("quat_identity", {{types.type_value(f64), "dtype", nullptr}})), "quatd");
  auto r = call("bvh_query_next", {types.query("bvh_query_t"), i32});
  ASSERT_EQ(r.status, BuiltinResolution::Status::Ok);
  EXPECT_EQ(r.param_args, (std::vector<int>{0, 1, -1}));
  EXPECT_EQ(builtin_param_default(r.overload, 2), "inf");
  EXPECT_EQ(call_result("curlnoise", {u32, v3f}), "vec3f");
}

TEST_F(BuiltinsTest, GenericDefaultsTakeTheBoundType) {
  EXPECT_EQ(call_result("expect_near", {f64, f64}), "None");
  EXPECT_EQ(result_of(call_args("expect_near", {{f64, "", nullptr}, {f64, "", nullptr}, {f64, "tolerance", nullptr}})),
            "None");
  EXPECT_NE(result_of(call_args("expect_near", {{f64, "", nullptr}, {f64, "", nullptr}, {f32, "tolerance", nullptr}})),
            "None");
  EXPECT_EQ(call_result("norm_huber", {v3d}), "float64");
}

TEST_F(BuiltinsTest, ArityAndKeywordMistakesAreExplained) {
  EXPECT_EQ(call("cross", {v3f, v3f, v3f}).message, "'wp.cross' takes 2 arguments but 3 were given");
  EXPECT_EQ(call("randf", {u32, f32}).message, "no overload of 'wp.randf' takes 2 arguments");
  EXPECT_EQ(call_args("sin", {{f32, "y", nullptr}}).message, "'wp.sin' has no parameter named 'y'");
  EXPECT_EQ(call_args("atan2", {{f32, "", nullptr}, {f32, "y", nullptr}}).message,
            "'wp.atan2' got multiple values for parameter 'y'");
  EXPECT_EQ(call_args("atan2", {{f32, "x", nullptr}}).message, "'wp.atan2' is missing argument 'y'");
  EXPECT_EQ(call("expect_near", {f32}).message, "'wp.expect_near' is missing argument 'b'");
  EXPECT_EQ(call("quat_identity", {f32, f32}).message, "'wp.quat_identity' takes at most 1 argument but 2 were given");
}

TEST_F(BuiltinsTest, UnknownNameIsReported) {
  auto r = call("frobnicate", {f32});
  EXPECT_EQ(r.status, BuiltinResolution::Status::UnknownName);
  EXPECT_EQ(r.message, "'wp.frobnicate' is not a builtin function");
}

// ---- poison

TEST_F(BuiltinsTest, ErrorArgumentsMatchAnything) {
  EXPECT_EQ(call_result("add", {err, f32}), "float32");
  EXPECT_EQ(call_result("cross", {err, v3f}), "vec3f");
  auto r = call("sin", {err});
  ASSERT_EQ(r.status, BuiltinResolution::Status::Ok);
  EXPECT_TRUE(r.result->is_error());
  EXPECT_EQ(call_result("length", {err}), "<error>");  // Float is bound by the poisoned argument only
  EXPECT_EQ(call_result("where", {err, f32, f32}), "float32");
}

// ---- utility

TEST_F(BuiltinsTest, WhereAndSelect) {
  EXPECT_EQ(call_result("where", {b, v3f, v3f}), "vec3f");
  EXPECT_EQ(call_result("where", {i32, f32, f32}), "float32");
  EXPECT_EQ(call_result("where", {types.array(v3f, 1), i32, i32}), "int32");
  EXPECT_NE(call("where", {b, f32, f64}).status, BuiltinResolution::Status::Ok);
  EXPECT_NE(call("where", {f32, f32, f32}).status, BuiltinResolution::Status::Ok);
  EXPECT_EQ(call_result("select", {b, m33f, m33f}), "mat33f");
}

TEST_F(BuiltinsTest, PrintfIsVariadic) {
  auto r = call("printf", {types.string(), i32, f64, v3f});
  ASSERT_EQ(r.status, BuiltinResolution::Status::Ok);
  EXPECT_TRUE(r.result->is(TypeKind::Void));
  EXPECT_EQ(r.arg_params, (std::vector<int>{0, 1, 1, 1}));
  EXPECT_TRUE(builtin_param_is_variadic(r.overload, 1));
  EXPECT_EQ(call_result("printf", {types.string()}), "None");
  EXPECT_NE(call("printf", {i32}).status, BuiltinResolution::Status::Ok);
  EXPECT_NE(call("printf", {types.string(), types.module("wp")}).status, BuiltinResolution::Status::Ok);
}

TEST_F(BuiltinsTest, TidLenAndRandom) {
  EXPECT_EQ(call_result("tid", {}), "int32");
  EXPECT_EQ(call_result("len", {v3f}), "int32");
  EXPECT_EQ(call_result("len", {types.array(f32, 2)}), "int32");
  EXPECT_EQ(call_result("rand_init", {i32}), "uint32");
  EXPECT_EQ(call_result("rand_init", {i32, i32}), "uint32");
  EXPECT_EQ(call_result("randf", {u32, f32, f32}), "float32");
  EXPECT_EQ(call_result("randi", {u32}), "int32");
  EXPECT_EQ(call_result("sample_unit_sphere", {u32}), "vec3f");
  EXPECT_EQ(call_result("noise", {u32, v2f}), "float32");
  EXPECT_EQ(call_result("lerp", {v3f, v3f, f32}), "vec3f");
  EXPECT_EQ(call_result("smoothstep", {f64, f64, f64}), "float64");
}

TEST_F(BuiltinsTest, IdentityNeedsAConstantSize) {
  ConstValue three = int_constant(3);
  auto r = call_args("identity", {{i32, "n", &three}, {types.type_value(f64), "dtype", nullptr}});
  EXPECT_EQ(result_of(r), "mat33d");
  auto bad = call_args("identity", {{i32, "n", nullptr}, {types.type_value(f32), "dtype", nullptr}});
  EXPECT_EQ(bad.status, BuiltinResolution::Status::NoMatch);
  EXPECT_EQ(bad.message, "size 'n' of 'wp.identity' must be a compile-time constant");
}

TEST_F(BuiltinsTest, GenericVectorAndMatrixFunctions) {
  EXPECT_EQ(call_result("vector", {f32, f32, f32, f32, f32}), "vector(length=5, dtype=float32)");
  EXPECT_EQ(call_result("vector", {f64, f64}), "vec2d");
  ConstValue four = int_constant(4);
  EXPECT_EQ(result_of(call_args("vector", {{i32, "length", &four}, {types.type_value(f64), "dtype", nullptr}})),
            "vec4d");
  EXPECT_EQ(result_of(call_args("vector", {{f32, "", nullptr}, {i32, "length", &four}})), "vec4f");
  EXPECT_EQ(call("vector", {f32, f64}).message,
            "components of 'wp.vector' must all have type 'float32', not (float32, float64)");
  EXPECT_EQ(call("vector", {}).message, "'wp.vector' needs components or a 'length'");
  EXPECT_EQ(call_result("matrix", {v3f, v3f}), "matrix(shape=(2, 3), dtype=float32)");
  EXPECT_EQ(call("matrix", {f32, f32}).message, "'wp.matrix' needs shape=(rows, cols) to arrange 2 components");
  ConstValue shape;
  shape.type = types.tuple({i32, i32});
  shape.comps = {int64_t{2}, int64_t{2}};
  EXPECT_EQ(result_of(call_args("matrix", {{f64, "", nullptr}, {f64, "", nullptr}, {f64, "", nullptr},
                                           {f64, "", nullptr}, {shape.type, "shape", &shape}})),
            "mat22d");
  EXPECT_EQ(result_of(call_args("matrix", {{shape.type, "shape", &shape}})), "mat22f");
  EXPECT_EQ(call_result("matrix_from_rows", {v2f, v2f, v2f}), "matrix(shape=(3, 2), dtype=float32)");
  EXPECT_EQ(call_result("matrix_from_cols", {v2f, v2f, v2f}), "matrix(shape=(2, 3), dtype=float32)");
  EXPECT_EQ(call_result("matrix_from_cols", {v3d, v3d, v3d}), "mat33d");
  EXPECT_EQ(call("matrix_from_rows", {v3f, v3d}).message,
            "'wp.matrix_from_rows' needs vectors of one type, not (vec3f, vec3d)");
}

// ---- atomics

TEST_F(BuiltinsTest, AtomicsReturnTheOldValue) {
  EXPECT_EQ(call_result("atomic_add", {types.array(f32, 1), i32, f32}), "float32");
  EXPECT_EQ(call_result("atomic_add", {types.array(v3f, 2), i32, i32, v3f}), "vec3f");
  EXPECT_EQ(call_result("atomic_max", {types.array(i32, 4), i32, i32, i32, i32, i32}), "int32");
  EXPECT_EQ(call_result("atomic_cas", {types.array(i32, 1), i32, i32, i32}), "int32");
  EXPECT_EQ(call_result("atomic_exch", {types.array(f64, 3), i64, i32, u32, f64}), "float64");
  EXPECT_EQ(call_result("atomic_and", {types.array(u32, 1), i32, u32}), "uint32");
}

TEST_F(BuiltinsTest, AtomicsCheckDtypeAndIndices) {
  auto wrong_value = call("atomic_add", {types.array(f32, 1), i32, f64});
  EXPECT_EQ(wrong_value.bad_arg, 2);
  EXPECT_EQ(wrong_value.message, "argument 3 of 'wp.atomic_add' has type 'float64' but 'float32' was expected");
  auto wrong_ndim = call("atomic_add", {types.array(f32, 2), i32, f32});
  EXPECT_EQ(wrong_ndim.bad_arg, 0);
  auto small_int = call("atomic_add", {types.array(types.scalar(SK::Int8), 1), i32, types.scalar(SK::Int8)});
  EXPECT_EQ(small_int.message, "'wp.atomic_add' does not support arrays of 'int8'");
  EXPECT_NE(call("atomic_and", {types.array(f32, 1), i32, f32}).status, BuiltinResolution::Status::Ok);
  EXPECT_NE(call("atomic_min", {types.array(f16, 1), i32, f16}).status, BuiltinResolution::Status::Ok);
  EXPECT_NE(call("atomic_add", {types.array(f32, 1), f32, f32}).status, BuiltinResolution::Status::Ok);
}

// ---- geometry and volumes

TEST_F(BuiltinsTest, GeometryQueries) {
  auto p = call("mesh_query_point", {u64, v3f, f32});
  ASSERT_EQ(p.status, BuiltinResolution::Status::Ok);
  EXPECT_EQ(p.result, builtin_type(types, "MeshQueryPoint"));
  EXPECT_EQ(builtin_attribute_type(types, p.result, "face"), i32);
  EXPECT_EQ(call_result("mesh_query_ray", {u64, v3f, v3f, f32}), "MeshQueryRay");
  EXPECT_EQ(call_result("mesh_query_aabb", {u64, v3f, v3f}), "mesh_query_aabb_t");
  EXPECT_EQ(call_result("mesh_query_aabb_next", {types.query("mesh_query_aabb_t"), i32}), "bool");
  EXPECT_EQ(call_result("hash_grid_query", {u64, v3f, f32}), "hash_grid_query_t");
  EXPECT_EQ(call_result("bvh_query_ray", {u64, v3f, v3f}), "bvh_query_t");
  EXPECT_EQ(call_result("mesh_eval_position", {u64, i32, f32, f32}), "vec3f");
  EXPECT_EQ(call_result("mesh_query_point", {u64, v3f, f32, f32, i32, f32, f32}), "bool");
  EXPECT_NE(call("hash_grid_query_next", {types.query("bvh_query_t"), i32}).status, BuiltinResolution::Status::Ok);
}

TEST_F(BuiltinsTest, Volumes) {
  EXPECT_EQ(call_result("volume_sample_f", {u64, v3f, i32}), "float32");
  EXPECT_EQ(call_result("volume_sample_v", {u64, v3f, i32}), "vec3f");
  EXPECT_EQ(call_result("volume_sample_grad_f", {u64, v3f, i32, v3f}), "float32");
  EXPECT_EQ(call_result("volume_sample", {u64, v3f, i32, types.type_value(v3d)}), "vec3d");
  EXPECT_EQ(call_result("volume_lookup", {u64, i32, i32, i32, types.type_value(i64)}), "int64");
  EXPECT_EQ(call_result("volume_store_f", {u64, i32, i32, i32, f32}), "None");
  EXPECT_EQ(call_result("volume_world_to_index_dir", {u64, v3f}), "vec3f");
}

// ---- constructors

TEST_F(BuiltinsTest, VectorConstructors) {
  EXPECT_EQ(result_of(construct(v3f, {})), "vec3f");
  EXPECT_EQ(result_of(construct(v3f, {f32})), "vec3f");
  EXPECT_EQ(result_of(construct(v3f, {f32, f32, f32})), "vec3f");
  EXPECT_EQ(result_of(construct(v3f, {v3d})), "vec3f");
  EXPECT_EQ(result_of(construct(v3i, {i32, i32, i32})), "vec3i");
  auto spatial = types.vector(6, SK::Float32);
  EXPECT_EQ(result_of(construct(spatial, {v3f, v3f})), "spatial_vectorf");
  EXPECT_EQ(result_of(construct(spatial, {f32, f32, f32, f32, f32, f32})), "spatial_vectorf");
  auto r = construct(v3f, {f32, f32, f32});
  EXPECT_EQ(builtin_cpp_name(r.overload), "components");
}

TEST_F(BuiltinsTest, VectorConstructorsDoNotConvertComponents) {
  auto one = construct(v3f, {f32, f32, f64});
  EXPECT_EQ(one.bad_arg, 2);
  EXPECT_EQ(one.message, "argument 3 of 'vec3f' has type 'float64' but 'float32' was expected");
  auto all = construct(v3d, {f32, f32, f32});
  EXPECT_EQ(all.bad_arg, -1);
  EXPECT_EQ(all.message, "no constructor of 'vec3d' accepts (float32, float32, float32)");
  EXPECT_EQ(construct(v3f, {f32, f32}).message, "no constructor of 'vec3f' takes 2 arguments");
  EXPECT_NE(construct(v3f, {v2f}).status, BuiltinResolution::Status::Ok);
  EXPECT_NE(construct(v3f, {i32}).status, BuiltinResolution::Status::Ok);
  EXPECT_FALSE(construct(v3f, {f64}).candidates.empty());
}

TEST_F(BuiltinsTest, MatrixQuatTransformConstructors) {
  const Type* m22 = types.matrix(2, 2, SK::Float32);
  EXPECT_EQ(result_of(construct(m22, {f32, f32, f32, f32})), "mat22f");
  EXPECT_EQ(result_of(construct(m22, {v2f, v2f})), "mat22f");
  EXPECT_EQ(result_of(construct(m33f, {})), "mat33f");
  EXPECT_EQ(result_of(construct(m33f, {f32})), "mat33f");
  EXPECT_EQ(result_of(construct(m33f, {types.matrix(3, 3, SK::Float64)})), "mat33f");
  EXPECT_NE(construct(m22, {v3f, v3f}).status, BuiltinResolution::Status::Ok);
  EXPECT_EQ(result_of(construct(qf, {f32, f32, f32, f32})), "quatf");
  EXPECT_EQ(result_of(construct(qf, {v3f, f32})), "quatf");
  EXPECT_EQ(result_of(construct(tf, {v3f, qf})), "transformf");
  std::vector<BuiltinArg> kw = {{qf, "q", nullptr}, {v3f, "p", nullptr}};
  EXPECT_EQ(result_of(resolve_constructor(types, tf, kw)), "transformf");
  EXPECT_NE(construct(tf, {v3d, qf}).status, BuiltinResolution::Status::Ok);
}

TEST_F(BuiltinsTest, ScalarCasts) {
  EXPECT_EQ(result_of(construct(f32, {i32})), "float32");
  EXPECT_EQ(result_of(construct(i32, {f64})), "int32");
  EXPECT_EQ(result_of(construct(u32, {i32})), "uint32");
  EXPECT_EQ(result_of(construct(b, {i32})), "bool");
  EXPECT_EQ(result_of(construct(f64, {b})), "float64");
  EXPECT_EQ(builtin_cpp_name(construct(f64, {b}).overload), "cast");
  EXPECT_EQ(construct(f32, {v3f}).message, "no constructor of 'float32' accepts (vec3f)");
  EXPECT_NE(construct(f32, {}).status, BuiltinResolution::Status::Ok);
  EXPECT_TRUE(construct(err, {f32}).result->is_error());
  EXPECT_TRUE(result_of(construct(f32, {err})) == "float32");
}

TEST_F(BuiltinsTest, NonValueTypesHaveNoBuiltinConstructor) {
  auto r = construct(types.array(f32, 1), {});
  EXPECT_EQ(r.status, BuiltinResolution::Status::NoMatch);
  EXPECT_EQ(r.message, "type 'array(dtype=float32, ndim=1)' has no builtin constructor");
}

// ---- type names, constants, attributes

TEST_F(BuiltinsTest, TypeNames) {
  EXPECT_EQ(builtin_type(types, "float32"), f32);
  EXPECT_EQ(builtin_type(types, "float"), f32);
  EXPECT_EQ(builtin_type(types, "int"), i32);
  EXPECT_EQ(builtin_type(types, "bool"), b);
  EXPECT_EQ(builtin_type(types, "uint64"), u64);
  EXPECT_EQ(builtin_type(types, "vec3"), v3f);
  EXPECT_EQ(builtin_type(types, "vec3f"), v3f);
  EXPECT_EQ(builtin_type(types, "vec3d"), v3d);
  EXPECT_EQ(builtin_type(types, "vec2ub"), types.vector(2, SK::UInt8));
  EXPECT_EQ(builtin_type(types, "vec4b"), types.vector(4, SK::Int8));
  EXPECT_EQ(builtin_type(types, "vec3i"), v3i);
  EXPECT_EQ(builtin_type(types, "vec2ul"), types.vector(2, SK::UInt64));
  EXPECT_EQ(builtin_type(types, "mat33"), m33f);
  EXPECT_EQ(builtin_type(types, "mat44d"), types.matrix(4, 4, SK::Float64));
  EXPECT_EQ(builtin_type(types, "quat"), qf);
  EXPECT_EQ(builtin_type(types, "quath"), types.quat(SK::Float16));
  EXPECT_EQ(builtin_type(types, "transformd"), types.transform(SK::Float64));
  EXPECT_EQ(builtin_type(types, "spatial_vector"), types.vector(6, SK::Float32));
  EXPECT_EQ(builtin_type(types, "spatial_matrixd"), types.matrix(6, 6, SK::Float64));
  EXPECT_EQ(builtin_type(types, "HashGridQuery"), types.query("hash_grid_query_t"));
  EXPECT_EQ(builtin_type(types, "Float"), types.generic(GenericKind::Float));
  EXPECT_EQ(builtin_type(types, "vec5"), nullptr);
  EXPECT_EQ(builtin_type(types, "mat23"), nullptr);
  EXPECT_EQ(builtin_type(types, "vec3x"), nullptr);
  EXPECT_EQ(builtin_type(types, "sin"), nullptr);
}

TEST_F(BuiltinsTest, BuiltinStructsAreCreatedOncePerContext) {
  const Type* p = builtin_type(types, "MeshQueryPoint");
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(p->is(TypeKind::Struct));
  EXPECT_TRUE(p->info->builtin);
  EXPECT_EQ(p->info->fields.size(), 5u);
  EXPECT_EQ(builtin_type(types, "MeshQueryPoint"), p);
  const Type* ray = builtin_type(types, "MeshQueryRay");
  EXPECT_EQ(builtin_attribute_type(types, ray, "normal"), v3f);
  EXPECT_EQ(builtin_attribute_type(types, ray, "t"), f32);
  EXPECT_EQ(builtin_attribute_type(types, ray, "result"), b);
  EXPECT_EQ(builtin_attribute_type(types, ray, "nope"), nullptr);
}

TEST_F(BuiltinsTest, ContextsAtARecycledAddressGetFreshStructs) {
  for (int round = 0; round < 3; ++round) {
    auto ctx = std::make_unique<TypeContext>();
    const Type* p = builtin_type(*ctx, "MeshQueryPoint");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->info->fields[1].type, ctx->float32());
    EXPECT_EQ(builtin_constant(*ctx, "PI")->type, ctx->float32());
  }
}

TEST_F(BuiltinsTest, Constants) {
  const ConstValue* pi = builtin_constant(types, "PI");
  ASSERT_NE(pi, nullptr);
  EXPECT_EQ(pi->type, f32);
  ASSERT_EQ(pi->comps.size(), 1u);
  EXPECT_EQ(std::get<double>(pi->comps[0]), static_cast<double>(3.14159265358979323846f));
  EXPECT_EQ(builtin_constant(types, "PI"), pi);
  EXPECT_TRUE(std::isinf(std::get<double>(builtin_constant(types, "INF")->comps[0])));
  EXPECT_TRUE(std::isnan(std::get<double>(builtin_constant(types, "NAN")->comps[0])));
  for (const char* n : {"TAU", "HALF_PI", "E", "LN2", "LN10", "LOG2E", "LOG10E", "PHI"})
    EXPECT_NE(builtin_constant(types, n), nullptr) << n;
  // Warp's lower-case spellings are the same constants; mixed case is not one of them.
  const ConstValue* lower = builtin_constant(types, "pi");
  ASSERT_NE(lower, nullptr);
  EXPECT_EQ(std::get<double>(lower->comps[0]), static_cast<double>(3.14159265358979323846f));
  for (const char* n : {"tau", "half_pi", "e", "ln2", "ln10", "log2e", "log10e", "phi", "inf", "nan"})
    EXPECT_NE(builtin_constant(types, n), nullptr) << n;
  EXPECT_EQ(builtin_constant(types, "Pi"), nullptr);
  EXPECT_EQ(builtin_constant(types, "sqrt2"), nullptr);
  // As the argument of a float64 constructor: the full double value, typed float64.
  const ConstValue* wide = builtin_constant(types, "pi", true);
  ASSERT_NE(wide, nullptr);
  EXPECT_EQ(wide->type, f64);
  EXPECT_EQ(std::get<double>(wide->comps[0]), 3.14159265358979323846);
}

TEST_F(BuiltinsTest, Attributes) {
  EXPECT_EQ(builtin_attribute_type(types, v3f, "x"), f32);
  EXPECT_EQ(builtin_attribute_type(types, v3d, "z"), f64);
  EXPECT_EQ(builtin_attribute_type(types, v3f, "w"), nullptr);
  EXPECT_EQ(builtin_attribute_type(types, v2f, "z"), nullptr);
  EXPECT_EQ(builtin_attribute_type(types, types.vector(4, SK::Float32), "w"), f32);
  EXPECT_EQ(builtin_attribute_type(types, v3f, "xy"), nullptr);
  EXPECT_EQ(builtin_attribute_type(types, qf, "w"), f32);
  EXPECT_EQ(builtin_attribute_type(types, tf, "p"), v3f);
  EXPECT_EQ(builtin_attribute_type(types, tf, "q"), qf);
  EXPECT_EQ(builtin_attribute_type(types, tf, "x"), nullptr);
  EXPECT_EQ(builtin_attribute_type(types, m33f, "x"), nullptr);
  EXPECT_EQ(builtin_attribute_type(types, types.array(f32, 2), "shape"), types.tuple({i32, i32}));
  EXPECT_EQ(builtin_attribute_type(types, nullptr, "x"), nullptr);
}

TEST_F(BuiltinsTest, ArbitraryArgumentsNeverCrashAndAlwaysExplain) {
  std::vector<const Type*> pool = {err, f32, f64, i32, u64, b, v3f, v3i, m33f, qf, tf, types.string(),
                                   types.array(f32, 1), types.none(), types.module("wp"), types.type_value(f32),
                                   types.query("bvh_query_t"), nullptr};
  ConstValue big = int_constant(1 << 30);
  for (std::string_view name : builtin_function_names()) {
    for (const Type* a : pool) {
      for (const Type* b2 : pool) {
        std::vector<BuiltinArg> args = {{a, "", &big}, {b2, "dtype", nullptr}};
        for (size_t n = 0; n <= args.size(); ++n) {
          auto r = resolve_builtin(types, name, std::span<const BuiltinArg>(args.data(), n));
          if (r.status == BuiltinResolution::Status::Ok) {
            EXPECT_NE(r.result, nullptr) << name;
          } else {
            EXPECT_FALSE(r.message.empty()) << name;
            EXPECT_LT(r.bad_arg, static_cast<int>(n)) << name;
          }
        }
      }
    }
  }
  for (const Type* target : {f32, b, i32, v3f, v3i, m33f, qf, tf, types.vector(6, SK::Float64)}) {
    for (const Type* a : pool) {
      for (const Type* b2 : pool) {
        std::vector<BuiltinArg> args = {{a, "", nullptr}, {b2, "", nullptr}};
        auto r = resolve_constructor(types, target, args);
        EXPECT_TRUE(r.status == BuiltinResolution::Status::Ok ? r.result != nullptr : !r.message.empty());
      }
    }
  }
}

// ---- the signature notation itself

TEST(BuiltinSignature, ParsesAndPrintsPatterns) {
  std::string error;
  auto p = parse_type_pattern("matrix(R, C, Float)", &error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(pattern_text(nullptr, *p, nullptr), "matrix(R, C, Float)");
  EXPECT_FALSE(parse_type_pattern("vector(3)", &error));
  EXPECT_FALSE(parse_type_pattern("frob", &error));
  EXPECT_EQ(error, "unknown type name 'frob'");
  std::vector<BuiltinParam> params;
  ASSERT_TRUE(parse_param_list("a: Scalar, b: &vec3f = 1.0, *rest: Any", params, &error)) << error;
  ASSERT_EQ(params.size(), 3u);
  EXPECT_TRUE(params[1].by_ref);
  EXPECT_EQ(params[1].default_text, "1.0");
  EXPECT_TRUE(params[2].variadic);
  params.clear();
  EXPECT_FALSE(parse_param_list("a: Float = one", params, &error));
  EXPECT_EQ(error, "bad default value 'one'");
}

TEST(BuiltinSignature, DimensionVariablesBindConsistently) {
  TypeContext types;
  std::string error;
  auto p = parse_type_pattern("matrix(N, N, Scalar)", &error);
  ASSERT_TRUE(p);
  Binding b;
  EXPECT_FALSE(match_pattern(types, *p, types.matrix(2, 3, ScalarKind::Float32), b));
  EXPECT_TRUE(b.dims.empty());
  EXPECT_TRUE(match_pattern(types, *p, types.matrix(3, 3, ScalarKind::Int32), b));
  EXPECT_EQ(b.dims["N"], 3);
  EXPECT_EQ(b.types["Scalar"], types.int32());
}

}  // namespace
}  // namespace warpc
