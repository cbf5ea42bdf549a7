// codegen.h — the code generator's entry point: an optimised IR module → three C++ texts.
//
//   <stem>.wp.h    typed host API: structs (with layout asserts), module constants, one launcher
//                  per kernel — what users include
//   <stem>.wp.cpp  module code for the CPU + the CPU launchers + the launcher definitions
//   <stem>.wp.cu   the same module code for CUDA + __global__ grid-stride kernels + their launchers;
//                  with CodegenOptions::nvrtc device code only (extern "C" kernels, the header's
//                  types repeated), the CUDA launchers then in the .cpp (wp/cuda_module.h)
//  * Both files include the builtin headers their code uses (the math prelude, plus quaternion,
//    transform, random, noise, geometry, hash-grid and volume headers only when named).
//
// Contract:
//  * Output is deterministic: the same input gives byte-identical text (no timestamps, no
//    pointer-ordered iteration).
//  * The ABI between these files, the runtime and stdlib/ is docs/codegen.md ("Generated code").
//  * Unsupported constructs are reported as located diagnostics (err_codegen_unsupported) and
//    generate() returns false; nothing is half-written.
#pragma once

#include <string>

#include "ir/ir.h"
#include "support/diagnostics.h"

namespace warpc::sema {
struct Program;
}

namespace warpc::codegen {

struct CodegenOptions {
  std::string stem;              // output files are <stem>.wp.h/.wp.cpp/.wp.cu
  std::string ns;                // C++ namespace of the launchers ("" = default_namespace(stem))
  bool line_directives = true;   // `#line` back to the .wp source
  bool reflect = false;          // append the C-ABI kernel table (wp/reflect.h) to the .cpp
  bool wide_access = true;       // CUDA: several indices per thread with vector accesses where
                                 // provably equivalent (widen_access.h)
  bool nvrtc = false;            // CUDA for NVRTC (--cuda-compiler=nvrtc): a device-only .cu with
                                 // extern "C" kernels, the CUDA launchers in the .cpp (loading the
                                 // cubin warpc-nvrtc makes, wp/cuda_module.h)
  int min_cuda_arch = 90;        // the .cu refuses to compile for older GPUs (sm_NN → NN)
  int max_grad_groups = 3;       // backward kernels: 2^this CUDA instantiations at most
                                 // (grad_slots.h; --adjoint-variants)
};

struct GeneratedCode {
  std::string header;  // <stem>.wp.h
  std::string cpu;     // <stem>.wp.cpp
  std::string cuda;    // <stem>.wp.cu
};

// The stem as a C++ identifier (non-identifier characters become '_', a leading digit gets '_').
std::string default_namespace(const std::string& stem);

bool generate(const ir::Module& m, const sema::Program& program, const SourceManager& sources,
              const CodegenOptions& options, DiagnosticEngine& diags, GeneratedCode* out);

}  // namespace warpc::codegen
