"""ProfileStats' call times: Function.__call__ (with Python's conversions) > fn > VM runs > thunks."""
import io
import json

import numpy as np

import hypatia
import hypatia.tensor as T


def test_call_time_breakdown_is_ordered_and_printed():
    x = T.dvector("x")
    f = hypatia.function([x], T.exp(x) * 2, profile=True)
    for _ in range(50):
        f(np.ones(2000))
    p = f.profile
    assert p.fct_callcount == 50
    assert p.fct_call_time >= p.as_dict()["fn_time"] >= p.vm_call_time >= p.thunk_time > 0
    # The Python boundary (converting 50 arguments and results) costs something measurable.
    assert p.fct_call_time > p.as_dict()["fn_time"]
    out = io.StringIO()
    p.summary(file=out)
    text = out.getvalue()
    for line in ("Time in 50 calls to Function.__call__: ", "Time in Function.fn.__call__: ", "Time in thunks: "):
        assert line in text, text
    d = json.loads(p.to_json())
    assert d["call_time"] == p.fct_call_time and d["vm_time"] == p.vm_call_time


def test_failing_calls_are_timed_too():
    x = T.dmatrix("x")
    f = hypatia.function([x], T.dot(x, x), profile=True)
    try:
        f(np.ones((2, 3)))
    except ValueError:
        pass
    assert f.profile.fct_call_time > 0 and f.profile.as_dict()["fn_time"] > 0


def test_unprofiled_function_records_nothing():
    x = T.dvector("x")
    f = hypatia.function([x], x + 1)
    f(np.ones(3))
    assert f.profile is None
