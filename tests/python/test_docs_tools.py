"""The documentation checks fail when they should: a broken or wrong example (docs/run_examples.py),
a ruling missing from the migration guide (docs/check_docs.py), a docstring that does not name
its arguments or what it raises (docs/_ext/hypatia_api.py)."""
import pathlib
import shutil
import sys

import pytest

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"
sys.path.insert(0, str(DOCS))
sys.path.insert(0, str(DOCS / "_ext"))
pytest.importorskip("markdown_it")
import check_docs  # noqa: E402
import hypatia_api  # noqa: E402
import run_examples  # noqa: E402


@pytest.fixture(autouse=True)
def _remove_scratch():
    """run_page makes a scratch directory that only run_examples.main() removes: remove it here."""
    yield
    while run_examples.SCRATCH:
        shutil.rmtree(run_examples.SCRATCH.pop(), ignore_errors=True)


def _page(tmp_path, text):
    p = tmp_path / "page.md"
    p.write_text(text)
    return str(p)


def _run(path):
    jobs = []
    n = run_examples.run_page(path, jobs, {})
    return n, jobs


def test_examples_run_and_their_output_is_compared(tmp_path):
    ok = _page(tmp_path, "# T\n\n```python\nx = 2\nprint(x * 3)\n```\n\n```text\n6\n```\n\n```python\nprint(x)\n```\n")
    assert _run(ok)[0] == 2  # the second block sees the first one's x: one session per page
    wrong = _page(tmp_path, "```python\nprint(1)\n```\n\n```text\n2\n```\n")
    with pytest.raises(run_examples.Failure, match="expected"):
        _run(wrong)


def test_a_raising_example_fails(tmp_path):
    with pytest.raises(run_examples.Failure, match="ZeroDivisionError"):
        _run(_page(tmp_path, "```python\n1 / 0\n```\n"))


def test_no_block_escapes_the_runner(tmp_path):
    with pytest.raises(run_examples.Failure, match="language 'bash'"):
        _run(_page(tmp_path, "```bash\necho hi\n```\n"))
    with pytest.raises(run_examples.Failure, match="must follow"):
        _run(_page(tmp_path, "```text\norphan output\n```\n"))
    # MyST directives are not code, {code-block} is
    with pytest.raises(run_examples.Failure, match="raised"):
        _run(_page(tmp_path, "```{note}\nplain text\n```\n\n```{code-block} python\nraise ValueError\n```\n"))


def test_cpp_excerpts_must_be_in_the_sources(tmp_path):
    real = "class StructuredDot final : public OpBase<StructuredDot> {"
    assert _run(_page(tmp_path, f"```cpp\n{real}\n```\n"))[0] == 1
    with pytest.raises(run_examples.Failure, match="not in any file under src/"):
        _run(_page(tmp_path, "```cpp\nclass NoSuchOp final : public OpBase<NoSuchOp> {\n```\n"))
    _, jobs = _run(_page(tmp_path, "```cpp\nint main() { return 0; }\n```\n"))
    assert len(jobs) == 1  # programs are built and run together afterwards


def test_migration_guide_must_list_every_ruling(tmp_path, monkeypatch):
    (tmp_path / "semantics.md").write_text("# S\n\n## Things\n- one ruling\n  on two lines.\n- another ruling.\n")
    (tmp_path / "notes.md").write_text("# N\n\n## Decisions\n- a decision.\n\n## Other\n- not a ruling.\n")
    guide = tmp_path / "migration.md"
    guide.write_text("# M\n\n### semantics.md: Things\n\n- **same** one.\n\n### notes.md: Decisions\n\n- **differs** it.\n")
    monkeypatch.setattr(check_docs, "HERE", str(tmp_path))
    problems = check_docs.migration_problems()
    assert problems == ["migration guide: '### semantics.md: Things' lists 1 rulings, docs/semantics.md has 2"]
    guide.write_text(guide.read_text().replace("- **same** one.\n", "- **same** one.\n- **adds** two.\n"))
    assert check_docs.migration_problems() == []
    guide.write_text("# M\n")
    assert len(check_docs.migration_problems()) == 2


def test_repository_guide_lists_every_ruling():
    assert check_docs.migration_problems() == []


def test_docstring_rules():
    def complete(a, b=1):
        """Adds a and b.

        Raises TypeError when a is not a number."""

    def no_raises(a, b=1):
        """Adds a and b, which is useful."""

    def no_args(a, b=1):
        """Adds two numbers; raises nothing."""

    def empty(a):
        pass

    assert hypatia_api.docstring_problems(complete) == []
    assert hypatia_api.docstring_problems(no_raises) == ["raises"]
    assert hypatia_api.docstring_problems(no_args) == ["args: a, b"]
    assert hypatia_api.docstring_problems(empty) == ["summary"]


def test_public_names_leave_out_imported_modules_and_foreign_objects():
    import hypatia.sparse as S
    names = hypatia_api.public_names(S)
    assert "structured_dot" in names and "csr_matrix" in names
    assert "np" not in names and "_sp" not in names and "Variable" in names
