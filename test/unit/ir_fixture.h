// ir_fixture.h — a GoogleTest fixture for building IR by hand:
// `kernel @k(%a: array(dtype=float32, ndim=1))` with the builder at its entry.
#pragma once

#include <gtest/gtest.h>

#include "ir/ir.h"
#include "sema/const_value.h"
#include "sema/types.h"

namespace warpc::ir {

class IrKernelFixture : public ::testing::Test {
 protected:
  TypeContext types;
  Module m;
  OpBuilder b{m};
  Function* fn = nullptr;
  Value* arr = nullptr;

  void SetUp() override {
    fn = m.add_function(FunctionKind::Kernel, "k");
    fn->param_types = {types.array(types.float32(), 1)};
    fn->body = m.new_region(nullptr, fn);
    arr = m.new_arg(fn->body->entry(), fn->param_types[0], "a");
    b.set_block(fn->body->entry());
  }

  // `%c = const <v> : <type>`
  Value* constant(const Type* type, ConstValue::Scalar v) {
    ConstValue c;
    c.type = type;
    c.comps = {v};
    Op* op = b.emit(Opcode::Const, {}, {type}, {});
    op->constant = m.keep(c);
    return op->result(0);
  }
};

}  // namespace warpc::ir
