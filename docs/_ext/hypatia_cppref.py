"""Sphinx extension: the C++ reference, a page per layer of src/hypatia with a section per public header (every installed header), from the headers' own comments: the file's summary, then each `///`-documented declaration."""
import os
import re

from page_files import layers, write_if_changed

LAYERS = layers()


def header_entries(text):
    """(summary, [(doc comment, declaration)]) of a header."""
    lines = text.splitlines()
    summary = []
    for ln in lines:
        if ln.startswith("//"):
            summary.append(ln[2:].strip())
        else:
            break
    entries = []
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("///"):
            doc = []
            while i < len(lines) and lines[i].lstrip().startswith("///"):
                doc.append(lines[i].lstrip()[3:].strip())
                i += 1
            decl = []
            depth = 0
            while i < len(lines) and len(decl) < 12:
                ln = lines[i]
                decl.append(ln.strip())
                depth += ln.count("(") - ln.count(")")
                i += 1
                if depth <= 0 and (ln.rstrip().endswith((";", "{", "}")) or ln.strip().startswith("HYPATIA_OP")):
                    break
            d = " ".join(decl)
            d = re.sub(r"\s*\{$", "", d)
            d = re.sub(r"\{[^{}]*\}\s*$", "{ ... }", d)
            if d.strip():
                entries.append((" ".join(doc), d))
        else:
            i += 1
    return " ".join(summary), entries


def layer_page(root, layer):
    base = os.path.join(root, "src", "hypatia", layer)
    title = f"``{layer}``"
    out = [f".. _cpp-{layer}:", "", title, "=" * len(title), ""]
    for d, subdirs, files in sorted(os.walk(base)):
        subdirs.sort()
        for f in sorted(files):
            if not f.endswith(".h"):
                continue
            path = os.path.join(d, f)
            rel = os.path.relpath(path, os.path.join(root, "src"))
            summary, entries = header_entries(open(path).read())
            head = f"``#include <{rel}>``"
            out += [head, "-" * len(head), "", _escape(summary), ""]
            for doc, decl in entries:
                out += [".. code-block:: cpp", "   :force:", "", f"   {decl}", "", _escape(doc), ""]
    return "\n".join(out) + "\n"


def _escape(s):
    """Header prose as reStructuredText: inline markup characters taken literally."""
    return re.sub(r"([*`|_\\])", r"\\\1", s)


def write_pages(app):
    root = os.path.dirname(os.path.abspath(str(app.srcdir)))
    out = os.path.join(str(app.srcdir), "cpp", "generated")
    os.makedirs(out, exist_ok=True)
    toc = ["Headers by layer", "================", "",
           "Every header under ``src/hypatia`` is installed (``#include <hypatia/...>``); ``hypatia/hypatia.h``",
           "includes the public API of every layer. Layers are listed bottom to top (see :doc:`/design`).", "",
           ".. toctree::", "   :maxdepth: 1", ""]
    for layer in LAYERS:
        text = layer_page(root, layer)
        write_if_changed(os.path.join(out, layer + ".rst"), text)
        toc.append(f"   {layer}")
    write_if_changed(os.path.join(out, "index.rst"), "\n".join(toc) + "\n")


def setup(app):
    app.connect("builder-inited", write_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
