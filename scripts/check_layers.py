#!/usr/bin/env python3
"""Checks that no #include in src/ or python/src/ runs from a lower layer to a higher one.

The layers of src/hypatia, bottom to top (docs/design.md, "Layers"):

    util -> value -> graph -> rewrite -> link -> grad -> scalar -> tensor -> random -> linalg -> nnet
        -> sparse -> control -> compile -> distributed

A file may include headers of its own layer and of the layers below it. Kernels
(`<family>/kernels/`) are pure functions over runtime values: they may include only util,
value, scalar and kernels of their own family. The umbrella header hypatia.h and the Python
bindings (python/src) sit above everything. Exit status 1 lists every offending include.
"""
import pathlib
import re
import sys

LAYERS = ["util", "value", "graph", "rewrite", "link", "grad", "scalar", "tensor", "random", "linalg", "nnet", "sparse", "control", "compile", "distributed"]
RANK = {name: i for i, name in enumerate(LAYERS)}
INCLUDE = re.compile(r'^\s*#\s*include\s+"hypatia/([^"]+)"', re.M)
KERNEL_MAY_USE = {"util", "value", "scalar"}


def layer_of(rel: str) -> str:
    """The layer (first folder under hypatia/) of a path relative to src/hypatia."""
    return rel.split("/", 1)[0] if "/" in rel else "top"


def check(root: pathlib.Path) -> list:
    problems = []
    src = root / "src" / "hypatia"
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        rel = path.relative_to(src).as_posix()
        here = layer_of(rel)
        if here == "top":
            continue
        if here not in RANK:
            problems.append(f"{rel}: folder '{here}' is not a known layer; add it to scripts/check_layers.py")
            continue
        in_kernels = "/kernels/" in rel
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            there = layer_of(target)
            if there == "top":
                problems.append(f"{rel}:{lineno}: includes the umbrella header {target}")
            elif there not in RANK:
                problems.append(f"{rel}:{lineno}: includes {target}, outside every layer")
            elif RANK[there] > RANK[here]:
                problems.append(f"{rel}:{lineno}: {here} includes {target} from the higher layer {there}")
            elif in_kernels and there not in KERNEL_MAY_USE and not target.startswith(f"{here}/kernels/"):
                problems.append(f"{rel}:{lineno}: a kernel includes {target}; kernels use only "
                                f"util, value, scalar and their own family's kernels")
    return problems


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"check_layers: {len(problems)} include(s) run against the layering", file=sys.stderr)
        return 1
    print(f"check_layers: ok ({' -> '.join(LAYERS)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
