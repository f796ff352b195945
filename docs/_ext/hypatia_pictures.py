"""Sphinx extension: runs each script in docs/pictures/ when the build starts; the scripts draw the site's graph pictures (pydotprint) and figures into docs/_generated/, so the pictures always show the current code."""
import os
import subprocess
import sys


def make_pictures(app):
    src = os.path.join(str(app.srcdir), "pictures")
    out = os.path.join(str(app.srcdir), "_generated")
    os.makedirs(out, exist_ok=True)
    from hypatia_api import in_tree_python
    env = dict(os.environ)
    if in_tree_python():
        env["PYTHONPATH"] = in_tree_python() + os.pathsep + env.get("PYTHONPATH", "")
    for name in sorted(os.listdir(src)):
        if not name.endswith(".py"):
            continue
        r = subprocess.run([sys.executable, os.path.join(src, name), out], env=env, capture_output=True, text=True,
                           timeout=300)
        if r.returncode != 0:
            raise RuntimeError(f"docs/pictures/{name} failed:\n{r.stdout}\n{r.stderr}")


def setup(app):
    app.connect("builder-inited", make_pictures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
