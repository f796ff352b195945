"""Shared by the page-writing Sphinx extensions: writing generated pages and the layer order."""
import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write_if_changed(path, text):
    """Writes text to path unless the file already holds it: unchanged pages keep their mtime,
    so incremental Sphinx builds skip them."""
    if os.path.exists(path):
        with open(path) as f:
            if f.read() == text:
                return
    with open(path, "w") as f:
        f.write(text)


def layers():
    """The layers of src/hypatia, bottom to top, as scripts/check_layers.py enforces them (read
    from its LAYERS list, so the reference follows the code)."""
    with open(os.path.join(ROOT, "scripts", "check_layers.py")) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "LAYERS" for t in node.targets):
            return ast.literal_eval(node.value)
    raise RuntimeError("[docs] scripts/check_layers.py has no LAYERS list")
