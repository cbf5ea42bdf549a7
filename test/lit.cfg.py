# lit.cfg.py — warpc's language test suite (lit + FileCheck from Debian's
# llvm-14-tools). Each .wp test is a program whose `# RUN:` lines say how to
# check it; helper files live in Inputs/ folders.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "warpc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".wp", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "unit", "cmake"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.warpc_obj_root, "test")

llvm_config.use_default_substitutions()
config.substitutions.append(("%warpc", config.warpc_path))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.environment["PATH"] = os.pathsep.join([config.llvm_tools_dir, config.environment.get("PATH", "")])
