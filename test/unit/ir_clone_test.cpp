// ir_clone_test.cpp — cloning ops with nested regions keeps the IR valid and
// shares nothing with the original; the passes built on it (unrolling,
// folding, DCE) leave verifiable IR on hand-built input.
#include <gtest/gtest.h>

#include "ir_fixture.h"

#include <string>

#include "ir/ir.h"
#include "ir/ir_clone.h"
#include "passes/eliminate_dead_code.h"
#include "passes/fold_constants.h"
#include "passes/unroll_static_loops.h"
#include "sema/types.h"

namespace warpc::ir {
namespace {

class IrCloneTest : public IrKernelFixture {
 protected:
  Value* i32(int64_t v) { return constant(types.int32(), v); }

  // for %i = lo to hi step 1 iter_args(%s = init) { %x = a[%i]; yield add(%s, %x) }
  Op* sum_loop(Value* lo, Value* hi, Value* init) {
    Op* loop = b.emit(Opcode::For, {lo, hi, i32(1), init}, {types.float32()}, {});
    Region* body = m.new_region(loop, fn);
    Value* iv = m.new_arg(body->entry(), types.int32(), "i");
    Value* s = m.new_arg(body->entry(), types.float32(), "s");
    Block* saved = b.block();
    b.set_block(body->entry());
    Value* x = b.emit1(Opcode::ArrayLoad, {arr, iv}, types.float32(), {});
    Value* sum = b.emit1(Opcode::CallBuiltin, {s, x}, types.float32(), {});
    sum->def->name = "add";
    b.emit(Opcode::Yield, {sum}, {}, {});
    b.set_block(saved);
    return loop;
  }

  int count(const Block& blk, Opcode op) {
    int n = 0;
    for (const Op* o : blk.ops) {
      n += o->is(op);
      for (const Region* r : o->regions) n += count(*r->entry(), op);
    }
    return n;
  }
};

TEST_F(IrCloneTest, ClonedLoopIsIndependentAndVerifies) {
  Value* zero = b.emit1(Opcode::Zero, {}, types.float32(), {});
  Op* loop = sum_loop(i32(0), i32(4), zero);
  ValueMap map;
  size_t n = clone_ops_into(m, *fn->body->entry(), fn->body->entry(), fn->body->entry()->ops.size(), map, false);
  ASSERT_GT(n, 0u);
  Op* copy = map.at(loop->result(0))->def;
  ASSERT_NE(copy, loop);
  EXPECT_NE(copy->region(0), loop->region(0));
  EXPECT_NE(copy->region(0)->entry()->args[0], loop->region(0)->entry()->args[0]);
  EXPECT_EQ(copy->operands[3], map.at(zero));  // operands remapped to the copies
  b.emit(Opcode::Return, {}, {}, {});
  EXPECT_TRUE(verify_ir(m).empty()) << verify_ir(m).front();
}

TEST_F(IrCloneTest, StaticLoopUnrollsFoldsAndStaysValid) {
  Value* zero = b.emit1(Opcode::Zero, {}, types.float32(), {});
  Op* loop = sum_loop(i32(0), i32(3), zero);
  b.emit(Opcode::ArrayStore, {arr, i32(0), loop->result(0)}, {}, {});
  b.emit(Opcode::Return, {}, {}, {});
  EXPECT_TRUE(unroll_static_loops(m));
  EXPECT_TRUE(verify_ir(m).empty());
  EXPECT_EQ(count(*fn->body->entry(), Opcode::For), 0);
  EXPECT_EQ(count(*fn->body->entry(), Opcode::ArrayLoad), 3);
  EXPECT_TRUE(eliminate_dead_code(m));  // the unused bound constants
  EXPECT_TRUE(verify_ir(m).empty());
  EXPECT_FALSE(unroll_static_loops(m));
  EXPECT_FALSE(eliminate_dead_code(m));
}

TEST_F(IrCloneTest, DynamicLoopIsKeptAndFoldReportsNoChange) {
  Value* zero = b.emit1(Opcode::Zero, {}, types.float32(), {});
  Value* hi = b.emit1(Opcode::ArrayShape, {arr}, types.int32(), {});
  hi->def->indices = {0};
  Op* loop = sum_loop(i32(0), hi, zero);
  b.emit(Opcode::ArrayStore, {arr, i32(0), loop->result(0)}, {}, {});
  b.emit(Opcode::Return, {}, {}, {});
  EXPECT_FALSE(unroll_static_loops(m));
  EXPECT_FALSE(fold_constants(m));
  EXPECT_EQ(count(*fn->body->entry(), Opcode::For), 1);
  EXPECT_TRUE(verify_ir(m).empty());
}

}  // namespace
}  // namespace warpc::ir
