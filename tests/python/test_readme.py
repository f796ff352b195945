"""The README's Python example runs as written."""
import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no Python example"
    out = subprocess.run([sys.executable, "-c", blocks[0]], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    first = out.stdout.split()
    assert float(first[0]) < 1e-3  # the cost went down to ~0


def test_readme_scan_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    scan_blocks = [b for b in blocks if "hypatia.scan(" in b]
    assert scan_blocks, "README has no scan example"
    out = subprocess.run([sys.executable, "-c", scan_blocks[0]], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["(5,", "2)", "(2,", "2)"]
