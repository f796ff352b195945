#!/usr/bin/env python3
"""Fails when a source file is longer than the line budget (800 lines; the guide: split past 800).

Covers the C++ sources and headers, the bindings, the Python package, the tests, the
benchmarks and the examples. Prints the longest files either way, so growth shows early.
"""
import pathlib
import sys

BUDGET = 800
FOLDERS = ["src", "python", "tests", "bench", "examples", "scripts"]
SUFFIXES = {".h", ".cpp", ".py"}


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent
    sizes = []
    for folder in FOLDERS:
        for path in (root / folder).rglob("*"):
            if path.suffix in SUFFIXES and path.is_file() and ".venv" not in path.parts:
                sizes.append((sum(1 for _ in path.open(errors="replace")), path.relative_to(root).as_posix()))
    sizes.sort(reverse=True)
    over = [(n, p) for n, p in sizes if n > BUDGET]
    for n, p in over:
        print(f"{p}: {n} lines, over the budget of {BUDGET}")
    longest = ", ".join(f"{p} ({n})" for n, p in sizes[:3])
    if over:
        print(f"check_line_budget: {len(over)} file(s) over {BUDGET} lines", file=sys.stderr)
        return 1
    print(f"check_line_budget: ok, {len(sizes)} files within {BUDGET} lines; longest: {longest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
