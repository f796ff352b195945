#!/usr/bin/env python3
"""Checks the built documentation site against the code: every public name in the API reference
with a complete docstring, every ruling of docs/ in the migration guide, the set-up commands
quoted as the README has them. Run after `sphinx-build` (scripts/run_tests.sh, docs stage).

Usage: check_docs.py [--html DIR] [--update-baseline]
Exit status 1 with one line per problem when anything is missing.
"""
import argparse
import os
import re
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "_ext"))
__import__("hypatia_api").use_in_tree_package()
BASELINE = os.path.join(HERE, "api_docstring_baseline.txt")


# ---- API reference --------------------------------------------------------------------------
def documented_names(html_dir):
    """Every Python object the built site documents (objects.inv), as qualified names."""
    from sphinx.util.inventory import InventoryFile
    with open(os.path.join(html_dir, "objects.inv"), "rb") as f:
        inv = InventoryFile.load(f, "", os.path.join)
    names = set()
    for role, entries in inv.items():
        if role.startswith("py:"):
            names.update(entries)
    return names


def api_problems(html_dir, update_baseline=False):
    """(problems, shortfalls): names missing from the reference, and {name: [what its
    docstring lacks]} over the canonical name of every public object."""
    import hypatia_api as api
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mods = api.public_modules()
    documented = documented_names(html_dir)
    problems = []
    for modname, mod in mods.items():
        if modname not in documented:
            problems.append(f"API reference: module {modname} has no page")
        for n in api.public_names(mod):
            if f"{modname}.{n}" not in documented:
                problems.append(f"API reference: {modname}.{n} is not documented")
    shortfalls = {}
    homes = api.canonical_homes(mods)
    for modname, n in sorted(set(homes.values())):
        lacks = api.docstring_problems(getattr(mods[modname], n))
        if lacks:
            shortfalls[f"{modname}.{n}"] = lacks
    for modname, mod in mods.items():  # constants and graph types are described by the generator
        for n in api.public_names(mod):
            obj = getattr(mod, n)
            if api.kind_of(obj) == "data" and not api.data_doc(n, obj).strip(" .").split("Value:")[0].strip():
                problems.append(f"API reference: {modname}.{n} has no description (hypatia_api.CONSTANT_DOCS)")
    if update_baseline:
        with open(BASELINE, "w") as f:
            f.write("# Public names whose docstrings do not yet say what they do, every argument and what they\n"
                    "# raise (docs/_ext/hypatia_api.py, docstring_problems). This list may only shrink:\n"
                    "# check_docs.py fails on a new name missing here and on an entry that is now complete.\n")
            for name, lacks in sorted(shortfalls.items()):
                if "summary" not in lacks:
                    f.write(f"{name}  {'; '.join(lacks)}\n")
        return problems, shortfalls
    baseline = {}
    if os.path.exists(BASELINE):
        for line in open(BASELINE):
            if line.strip() and not line.startswith("#"):
                name, _, rest = line.strip().partition("  ")
                baseline[name] = rest
    for name, lacks in sorted(shortfalls.items()):
        if "summary" in lacks:  # no docstring at all: never accepted, baseline or not
            problems.append(f"docstring of {name} is missing (say what it does, its arguments, what it raises)")
        elif name not in baseline:
            problems.append(f"docstring of {name} lacks: {'; '.join(lacks)}")
    for name in sorted(baseline):
        if name not in shortfalls:
            problems.append(f"{os.path.relpath(BASELINE, ROOT)}: {name} is complete or gone now; remove its line")
    return problems, shortfalls


# ---- rulings --------------------------------------------------------------------------------
def _sections(text):
    """[(heading, [bullet texts])] for each '## ' section of a Markdown file."""
    out = []
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        bullets = re.findall(r"^- (.*(?:\n(?!- |#).*)*)", body, flags=re.M)
        out.append((heading.strip(), [b.strip() for b in bullets]))
    return out


def rulings():
    """{(file, section heading): number of rulings}: every bullet of docs/semantics.md, and the
    bullets of any section of another docs/*.md file whose heading says 'Decisions' or 'ruling'."""
    found = {}
    for name in sorted(os.listdir(HERE)):
        if not name.endswith(".md") or name == "migration.md":
            continue
        text = open(os.path.join(HERE, name)).read()
        for heading, bullets in _sections(text):
            if name == "semantics.md" or re.search(r"decision|ruling", heading, re.I):
                if bullets:
                    found[(name, heading)] = len(bullets)
    return found


def migration_problems():
    """The migration guide has, for each ruling section, a '### <file>: <heading>' section with one
    bullet per ruling."""
    path = os.path.join(HERE, "migration.md")
    text = open(path).read()
    guide = {}
    for block in re.split(r"^### ", text, flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        body = re.split(r"^#{1,3} ", body, flags=re.M)[0]
        guide[heading.strip()] = len(re.findall(r"^- ", body, flags=re.M))
    problems = []
    for (fname, heading), n in rulings().items():
        key = f"{fname}: {heading}"
        if key not in guide:
            problems.append(f"migration guide: no section '### {key}' ({n} rulings)")
        elif guide[key] != n:
            problems.append(f"migration guide: '### {key}' lists {guide[key]} rulings, docs/{fname} has {n}")
    return problems


# ---- commands quoted from the README --------------------------------------------------------
def readme_commands(path):
    text = open(path).read()
    return [c.strip() for c in re.findall(r"```sh\n(apt-get update[^\n]*)\n```", text)]


def command_problems():
    problems = []
    readme = readme_commands(os.path.join(ROOT, "README.md"))
    page = readme_commands(os.path.join(HERE, "getting_started.md"))
    if len(readme) != 2:
        problems.append(f"README.md: expected the two set-up commands, found {len(readme)}")
    if page != readme:
        problems.append("docs/getting_started.md: the set-up commands differ from README.md's")
    ci = open(os.path.join(ROOT, ".ci", "run")).read()
    if readme and readme[-1] not in ci:
        problems.append(".ci/run does not run the README's test command verbatim")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--html", default=os.path.join(HERE, "_build", "html"))
    ap.add_argument("--update-baseline", action="store_true",
                    help="rewrite docs/api_docstring_baseline.txt from the current docstrings")
    args = ap.parse_args()
    problems, shortfalls = api_problems(args.html, args.update_baseline)
    problems += migration_problems() + command_problems()
    for p in problems:
        print(p)
    n_public = len(shortfalls)
    print(f"check_docs: {len(problems)} problem(s); {n_public} public objects in the docstring baseline")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
