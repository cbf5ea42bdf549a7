# lit.cfg.py — warpc's language test suite (lit + FileCheck from Debian's
# llvm-14-tools). Each .wp test is a program whose `# RUN:` lines say how to
# check it; helper files live in Inputs/ folders.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "warpc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".wp", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "unit", "cmake", "run", "gradcheck", "debug"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.warpc_obj_root, "test")

llvm_config.use_default_substitutions()
config.substitutions.append(("%warpc", config.warpc_path))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.environment["PATH"] = os.pathsep.join([config.llvm_tools_dir, config.environment.get("PATH", "")])

# Every diagnostic emitted by the suite is traced (see support/diagnostics.cpp);
# the `diag-coverage` CTest test then checks that each table row was exercised.
# Each lit run starts a fresh trace.
config.diag_trace = os.path.join(config.warpc_obj_root, "test", "diag-trace.txt")
if not getattr(lit_config, "warpc_trace_reset", False):
    lit_config.warpc_trace_reset = True
    if os.path.exists(config.diag_trace):
        os.remove(config.diag_trace)
config.environment["WARPC_DIAG_TRACE"] = config.diag_trace
