"""wp_modules.py — loading `.wp` sources as Python modules under NVIDIA Warp, shared by the
test-only oracle scripts (check_corpus_warp.py, check_corpus_values.py).

  stage_inputs(corpus, tmp)      copies the corpus' imported helper modules (corpus/Inputs/*.wp)
                                 into tmp as .py files and puts tmp first on sys.path.
  import_wp_source(path, tmp, prefix)
                                 imports `path` (a .wp file) as the module `prefix + stem`
                                 from a .py copy in tmp, and returns it.
Warp itself is imported by the callers (they exit 77 when it is missing).
"""
import importlib.util
import os
import shutil
import sys


def stage_inputs(corpus, tmp):
    inputs = os.path.join(corpus, "Inputs")
    for f in os.listdir(inputs) if os.path.isdir(inputs) else []:
        if f.endswith(".wp"):
            shutil.copy(os.path.join(inputs, f), os.path.join(tmp, f[:-3] + ".py"))
    sys.path.insert(0, tmp)
    return inputs


def import_wp_source(path, tmp, prefix):
    name = prefix + os.path.basename(path)[:-3]
    py = os.path.join(tmp, name + ".py")
    shutil.copy(path, py)
    spec = importlib.util.spec_from_file_location(name, py)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
