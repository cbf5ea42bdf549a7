// ir_test.cpp — the IR verifier catches malformed IR built by hand, and
// accepts (and prints) well-formed IR.
#include <gtest/gtest.h>

#include "ir_fixture.h"

#include <string>
#include <vector>

#include "ir/ir.h"
#include "sema/types.h"

namespace warpc::ir {
namespace {

class IrTest : public IrKernelFixture {
 protected:
  Value* f32(double v) { return constant(types.float32(), v); }

  // `%r = if %cond : float32 { yield then_v } else { yield else_v }` built
  // with the given region contents.
  Op* if_op(Value* cond, const Type* result) {
    Op* op = b.emit(Opcode::If, {cond}, {result}, {});
    m.new_region(op, fn);
    m.new_region(op, fn);
    return op;
  }

  bool has_problem(const std::string& needle) {
    for (const std::string& p : verify_ir(m))
      if (p.find(needle) != std::string::npos) return true;
    return false;
  }
};

TEST_F(IrTest, WellFormedKernelVerifiesAndPrints) {
  Value* i = b.emit1(Opcode::Tid, {}, types.int32(), {});
  Value* x = b.emit1(Opcode::ArrayLoad, {arr, i}, types.float32(), {});
  Value* c = b.emit1(Opcode::Compare, {x, f32(0.0)}, types.bool_type(), {});
  c->def->name = ">";
  Op* sel = if_op(c, types.float32());
  Block* saved = b.block();
  b.set_block(sel->region(0)->entry());
  b.emit(Opcode::Yield, {x}, {}, {});
  b.set_block(sel->region(1)->entry());
  b.emit(Opcode::Yield, {f32(0.0)}, {}, {});
  b.set_block(saved);
  b.emit(Opcode::ArrayStore, {arr, i, sel->result(0)}, {}, {});
  b.emit(Opcode::Return, {}, {}, {});
  EXPECT_TRUE(verify_ir(m).empty());
  EXPECT_EQ(ir_to_string(m),
            "kernel @k(%a: array(dtype=float32, ndim=1)) {\n"
            "  %0 = tid : int32\n"
            "  %1 = array_load %a[%0] : float32\n"
            "  %2 = const 0.0 : float32\n"
            "  %3 = cmp > %1, %2 : bool\n"
            "  %4 = if %3 : float32 {\n"
            "    yield %1\n"
            "  } else {\n"
            "    %5 = const 0.0 : float32\n"
            "    yield %5\n"
            "  }\n"
            "  array_store %a[%0], %4\n"
            "  return\n"
            "}\n\n");
}

TEST_F(IrTest, ValueUsedOutsideItsRegionIsRejected) {
  Value* c = b.emit1(Opcode::Cast, {b.emit1(Opcode::Tid, {}, types.int32(), {})}, types.bool_type(), {});
  Op* op = if_op(c, types.float32());
  Block* saved = b.block();
  b.set_block(op->region(0)->entry());
  Value* inner = f32(1.0);  // defined inside the then region
  b.emit(Opcode::Yield, {inner}, {}, {});
  b.set_block(op->region(1)->entry());
  b.emit(Opcode::Yield, {inner}, {}, {});  // …and used in the else region
  b.set_block(saved);
  b.emit(Opcode::Return, {}, {}, {});
  EXPECT_TRUE(has_problem("operand used outside the scope of its definition"));
}

TEST_F(IrTest, YieldArityAndTypesMustMatchTheIfResults) {
  Value* c = b.emit1(Opcode::Cast, {b.emit1(Opcode::Tid, {}, types.int32(), {})}, types.bool_type(), {});
  Op* op = if_op(c, types.float32());
  Block* saved = b.block();
  b.set_block(op->region(0)->entry());
  b.emit(Opcode::Yield, {}, {}, {});  // one value expected
  b.set_block(op->region(1)->entry());
  b.emit(Opcode::Yield, {c}, {}, {});  // bool, float32 expected
  b.set_block(saved);
  b.emit(Opcode::Return, {}, {}, {});
  EXPECT_TRUE(has_problem("yielded values: 0 value(s) where 1 expected"));
  EXPECT_TRUE(has_problem("yielded values: value 0 is bool, expected float32"));
}

TEST_F(IrTest, StoreOfWrongDtypeAndWrongIndexCountAreRejected) {
  Value* i = b.emit1(Opcode::Tid, {}, types.int32(), {});
  b.emit(Opcode::ArrayStore, {arr, i, i}, {}, {});     // int32 into float32
  b.emit(Opcode::ArrayStore, {arr, i, i, f32(1.0)}, {}, {});  // two indices for ndim 1
  b.emit(Opcode::Return, {}, {}, {});
  EXPECT_TRUE(has_problem("stored value type int32 differs from dtype float32"));
  EXPECT_TRUE(has_problem("index count differs from the array's ndim"));
}

TEST_F(IrTest, MissingTerminatorAndMisplacedOpsAreRejected) {
  b.emit(Opcode::Break, {}, {}, {});  // not in a loop
  b.emit(Opcode::Cast, {}, {types.float32()}, {});  // wrong operand count, and after a terminator
  EXPECT_TRUE(has_problem("op 'break': outside a loop"));
  EXPECT_TRUE(has_problem("terminator in the middle of a block"));
  EXPECT_TRUE(has_problem("op 'cast': expects 1 operand(s), has 0"));
  EXPECT_TRUE(has_problem("block does not end in a terminator"));
}

TEST_F(IrTest, LoopCarriedValuesMustMatchBlockArgumentsAndYield) {
  Value* zero = b.emit1(Opcode::Tid, {}, types.int32(), {});
  Op* loop = b.emit(Opcode::For, {zero, zero, zero, f32(0.0)}, {types.float32()}, {});
  Region* body = m.new_region(loop, fn);
  m.new_arg(body->entry(), types.int32(), "i");
  m.new_arg(body->entry(), types.int32(), "s");  // float32 expected
  Block* saved = b.block();
  b.set_block(body->entry());
  b.emit(Opcode::Yield, {}, {}, {});  // one carried value expected
  b.set_block(saved);
  b.emit(Opcode::Return, {}, {}, {});
  EXPECT_TRUE(has_problem("body arguments: value 0 is int32, expected float32"));
  EXPECT_TRUE(has_problem("yielded values: 0 value(s) where 1 expected"));
}

}  // namespace
}  // namespace warpc::ir
