"""debugprint's options as the manual documents them: depth, print_type, file, ids, stop_on_name,
done, used_ids, print_storage and print_clients (manual examples from 'Printing')."""
import io

import numpy as np
import pytest

import hypatia as th
import hypatia.tensor as T
from hypatia import printing


def lines(text):
    return [l.rstrip() for l in text.splitlines()]


def test_manual_optimized_gradient():
    x = T.dscalar("x")
    gy = T.grad(x ** 2, x)
    f = th.function([x], gy)
    assert lines(printing.debugprint(f.maker.fgraph.outputs[0], file="str")) == [
        "Elemwise{mul,no_inplace} [id A] ''", " |TensorConstant{2.0} [id B]", " |x [id C]"]


def test_manual_depth_limits_the_levels():
    x = T.dscalar("x")
    gy = T.grad(x ** 2, x)
    full = lines(printing.debugprint(gy, file="str"))
    two = lines(printing.debugprint(gy, depth=2, file="str"))
    assert two[0] == full[0] and len(two) < len(full)
    assert all(l.startswith(" |") and not l.startswith(" | |") for l in two[1:])
    assert lines(printing.debugprint(gy, depth=1, file="str")) == [full[0]]


def test_print_type_and_ids():
    x = T.dvector("x")
    out = T.exp(x) + x
    typed = lines(printing.debugprint(out, print_type=True, file="str"))
    assert typed[0] == "Elemwise{add,no_inplace} [id A] <TensorType(float64, vector)> ''"
    assert typed[-1] == " |x [id C] <TensorType(float64, vector)>"
    assert lines(printing.debugprint(out, ids="int", file="str"))[1].startswith(" |Elemwise{exp,no_inplace} [id 1]")
    assert lines(printing.debugprint(out, ids="", file="str"))[-1] == " |x"
    by_address = lines(printing.debugprint(out, ids="id", file="str"))
    addresses = [l.split("[id ")[1].split("]")[0] for l in by_address]
    assert all(a.isdigit() and int(a) > 4096 for a in addresses) and len(set(addresses)) == 3
    with pytest.raises(ValueError, match=r"^\[debugprint\] ids must be 'CHAR', 'int', 'id' or ''"):
        printing.debugprint(out, ids="hex")


def test_file_none_str_and_file_objects(capsys):
    x = T.dvector("x")
    out = T.exp(x)
    assert printing.debugprint(out) is None
    printed = capsys.readouterr().out
    buf = io.StringIO()
    assert printing.debugprint(out, file=buf) is buf  # the file is returned, as Theano does
    assert buf.getvalue() == printed == printing.debugprint(out, file="str") + "\n" * (
        not printing.debugprint(out, file="str").endswith("\n"))
    with pytest.raises(TypeError, match=r"^\[debugprint\] file must be None, 'str' or a file-like object"):
        printing.debugprint(out, file=3)
    with pytest.raises(TypeError, match=r"^\[debugprint\] done must be a dict"):
        printing.debugprint(out, done=[])


def test_stop_on_name_and_apply_objects():
    x = T.dvector("x")
    h = T.exp(x)
    h.name = "h"
    out = h * 2
    full = lines(printing.debugprint(out, file="str"))
    stopped = lines(printing.debugprint(out, stop_on_name=True, file="str"))
    assert any("x [id" in l for l in full) and not any("x [id" in l for l in stopped)
    assert any("'h'" in l for l in stopped)
    # An Apply prints its outputs.
    assert lines(printing.debugprint(out.owner, file="str")) == full


def test_done_shares_ids_between_calls():
    x = T.dvector("x")
    a = T.exp(x)
    done = {}
    first = lines(printing.debugprint(a, done=done, file="str"))
    assert first == ["Elemwise{exp,no_inplace} [id A] ''", " |x [id B]"]
    assert sorted(done.values()) == ["[id A]", "[id B]"]
    second = lines(printing.debugprint(-a, done=done, file="str"))
    # a keeps its id and is not expanded again; the new node takes the next free id.
    assert second == ["Elemwise{neg,no_inplace} [id C] ''", " |Elemwise{exp,no_inplace} [id A] ''"]
    used = {}
    printing.debugprint(a * 2, used_ids=used, file="str")
    assert len(used) >= 3  # every node given an id is recorded
    again = lines(printing.debugprint(a + 1, used_ids=dict(used), file="str"))
    assert again[1] == lines(printing.debugprint(a * 2, used_ids=dict(used), file="str"))[1]


def test_print_storage_and_print_clients():
    x = T.dvector("x")
    w = th.shared(np.array([1.5, 2.5]), name="w")
    a = T.exp(x * w)
    out = a + a.sum()
    text = printing.debugprint(out, print_storage=True, file="str")
    assert "w [id" in text and "storage=array([1.5, 2.5])" in text
    assert "storage=" not in printing.debugprint(out, file="str")
    f = th.function([x], out, updates=[(w, w * 2)])
    f([1.0, 1.0])
    assert "storage=array([3., 5.])" in printing.debugprint(f, print_storage=True, file="str")
    clients = printing.debugprint(out, print_clients=True, file="str")
    (exp_line,) = [l for l in clients.splitlines() if "Elemwise{exp" in l and "clients:" in l]
    assert "Elemwise{add,no_inplace} [id A]" in exp_line and "Sum{acc_dtype=float64}" in exp_line
    assert clients.count("clients:") == 1
