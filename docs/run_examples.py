#!/usr/bin/env python3
"""Runs every code block of the documentation site (docs/**/*.md) and fails on the first broken one.

- ```python blocks run in order, one namespace per page (as a reader copying them into one
  session would), in a scratch directory per page. A ```text block right after a python block
  is its expected output (doctest's comparison: ``...`` matches anything, whitespace runs equal).
- ```cpp blocks with a ``main`` are compiled against the installed library (find_package(hypatia),
  --prefix given by --cpp-prefix) and run; their ```text block is checked the same way. Other
  ```cpp blocks are excerpts: each must occur in a file under src/ (whitespace aside).
- ```sh blocks run in bash in the page's scratch directory, except the set-up commands
  (starting `apt-get update`), which check_docs.py compares with the README and .ci/run.
- Any other language (or none) is an error, so no block escapes this runner. MyST directives
  written as fences (```{toctree}, ...) are not code; ```{code-block} LANG is.
Usage: run_examples.py [--cpp-prefix DIR] [pages...]
"""
import argparse
import contextlib
import doctest
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SKIP_DIRS = {"_build", "generated", "_ext"}
LANGS = {"python", "text", "cpp", "sh"}


def pages(args):
    if args:
        return [os.path.abspath(a) for a in args]
    out = []
    for d, subdirs, files in os.walk(HERE):
        subdirs[:] = sorted(s for s in subdirs if s not in SKIP_DIRS)
        out += [os.path.join(d, f) for f in sorted(files) if f.endswith(".md")]
    return out


def blocks(path):
    """[(language, code, line)] of the fenced blocks of a MyST page, as MyST parses them."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.colon_fence import colon_fence_plugin
    md = MarkdownIt("commonmark").use(colon_fence_plugin)
    out = []
    for tok in md.parse(open(path).read()):
        if tok.type == "fence" and tok.markup.startswith("`"):
            words = tok.info.strip().split()
            if words and words[0].startswith("{"):
                if words[0] not in ("{code-block}", "{code}", "{sourcecode}"):
                    continue  # a MyST directive (toctree, note, ...), not code
                words = words[1:] or ["none"]
                content = "\n".join(ln for ln in tok.content.splitlines() if not ln.startswith(":"))
                out.append((words[0], content + "\n", tok.map[0] + 1))
                continue
            out.append((words[0] if words else "none", tok.content, tok.map[0] + 1))
    return out


def check_output(want, got):
    checker = doctest.OutputChecker()
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    return checker.check_output(want if want.endswith("\n") else want + "\n", got, flags)


def normalise(code):
    return re.sub(r"\s+", " ", code).strip()


def source_text():
    chunks = []
    for d, _, files in os.walk(os.path.join(ROOT, "src")):
        for f in files:
            if f.endswith((".h", ".cpp")):
                chunks.append(normalise(open(os.path.join(d, f)).read()))
    return "\n".join(chunks)


class Failure(Exception):
    pass


SCRATCH = []  # scratch directories, removed when the run ends


def scratch_dir(prefix):
    path = tempfile.mkdtemp(prefix=prefix)
    SCRATCH.append(path)
    return path


def run_page(path, cpp_jobs, src_cache):
    rel = os.path.relpath(path, ROOT)
    bl = blocks(path)
    ns = {"__name__": "__main__"}
    scratch = scratch_dir("hypatia-doc-")
    count = 0
    for i, (lang, code, line) in enumerate(bl):
        where = f"{rel}:{line}"
        nxt = bl[i + 1] if i + 1 < len(bl) and bl[i + 1][0] == "text" else None
        if lang not in LANGS:
            raise Failure(f"{where}: code block in language '{lang}' (use python, cpp, sh or text)")
        if lang == "text":
            prev = bl[i - 1][0] if i else None
            if prev not in ("python", "cpp"):
                raise Failure(f"{where}: a text block must follow the python or C++ block whose output it is")
            continue
        count += 1
        if lang == "python":
            out = io.StringIO()
            cwd = os.getcwd()
            os.chdir(scratch)
            try:
                with contextlib.redirect_stdout(out):
                    exec(compile(code, where, "exec"), ns)
            except Exception:
                raise Failure(f"{where}: the example raised\n{traceback.format_exc()}\n--- code ---\n{code}")
            finally:
                os.chdir(cwd)
            if nxt and not check_output(nxt[1], out.getvalue()):
                raise Failure(f"{where}: printed\n{out.getvalue()}\nexpected\n{nxt[1]}")
        elif lang == "cpp":
            if re.search(r"\bint main\s*\(", code):
                cpp_jobs.append((where, code, nxt[1] if nxt else None))
            else:
                if "src" not in src_cache:
                    src_cache["src"] = source_text()
                if normalise(code) not in src_cache["src"]:
                    raise Failure(f"{where}: this C++ excerpt is not in any file under src/ (verbatim, whitespace aside)")
        elif lang == "sh":
            if code.startswith("apt-get update"):
                continue  # compared with the README and .ci/run by check_docs.py
            env = dict(os.environ, HYPATIA_ROOT=ROOT, PYTHON=sys.executable)
            r = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=scratch, env=env,
                               capture_output=True, text=True, timeout=300)
            if r.returncode != 0:
                raise Failure(f"{where}: the shell example failed ({r.returncode})\n{r.stdout}\n{r.stderr}")
    return count


def run_cpp(jobs, prefix):
    """Builds every C++ example in one CMake project against the installed library and runs it."""
    if not jobs:
        return
    work = scratch_dir("hypatia-doc-cpp-")
    cm = ["cmake_minimum_required(VERSION 3.20)", "project(doc_examples CXX)", "set(CMAKE_CXX_STANDARD 20)",
          "find_package(hypatia REQUIRED)"]
    for k, (where, code, _) in enumerate(jobs):
        with open(os.path.join(work, f"ex{k}.cpp"), "w") as f:
            f.write(f"// {where}\n{code}")
        cm += [f"add_executable(ex{k} ex{k}.cpp)", f"target_link_libraries(ex{k} PRIVATE hypatia::hypatia)"]
    with open(os.path.join(work, "CMakeLists.txt"), "w") as f:
        f.write("\n".join(cm) + "\n")
    launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"] if subprocess.run(["which", "ccache"], capture_output=True).returncode == 0 else []
    for cmd in (["cmake", "-S", work, "-B", work + "/b", "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                 f"-DCMAKE_PREFIX_PATH={prefix}"] + launcher,
                ["cmake", "--build", work + "/b", "-j", os.environ.get("JOBS", "2")]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise Failure(f"C++ examples: {' '.join(cmd[:2])} failed\n{r.stdout[-6000:]}\n{r.stderr[-4000:]}")
    for k, (where, code, want) in enumerate(jobs):
        r = subprocess.run([f"{work}/b/ex{k}"], capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise Failure(f"{where}: the C++ example exited with {r.returncode}\n{r.stdout}\n{r.stderr}")
        if want is not None and not check_output(want, r.stdout):
            raise Failure(f"{where}: printed\n{r.stdout}\nexpected\n{want}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpp-prefix", default=os.path.join(ROOT, "build", "install"),
                    help="where the C++ library is installed (cmake --install build --prefix ...)")
    ap.add_argument("pages", nargs="*")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(HERE, "_ext"))
    __import__("hypatia_api").use_in_tree_package()  # the in-tree build when there is one
    cpp_jobs, cache, total = [], {}, 0
    try:
        for page in pages(args.pages):
            n = run_page(page, cpp_jobs, cache)
            total += n
            print(f"  {os.path.relpath(page, ROOT)}: {n} block(s) ran")
        run_cpp(cpp_jobs, os.path.abspath(args.cpp_prefix))
    except Failure as e:
        print(f"run_examples: FAILED: {e}")
        return 1
    finally:
        for path in SCRATCH:
            shutil.rmtree(path, ignore_errors=True)
    print(f"run_examples: {total} code blocks ran ({len(cpp_jobs)} C++ programs built and run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
