"""What-if: gc_tuned and no_pre_ping together."""

import importlib.util
import pathlib

for name in ("gc_tuned", "no_pre_ping"):
    path = pathlib.Path(__file__).resolve().parent.parent / name / "sitecustomize.py"
    spec = importlib.util.spec_from_file_location(f"_whatif_{name}", path)
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
