"""Low and high bracket the figure at every combination of the range ends of the inputs (issue: true bounds).

For random inputs with ranges, the low and high of the per-request and total figures of
one estimate must contain the figure computed with each ranged input set to one of its
ends (every combination).  Totals were once bounded by multiplying two independently
oriented triplets (a low per-request figure by a high request count); this is the test
that would have caught it.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footprint.estimator import estimate

RANGES = {
    "params": [("7B", "8B"), ("30B", "70B")],
    "output_tokens": [(100, 400), (200, 2000)],
    "input_tokens": [(0, 500), (300, 3000)],
    "pue": [("1.1", "1.5")],
    "batch_size": [(8, 64), (1, 16)],
    "requests": [("100/day", "1000/day"), ("1e4/day", "1e6/day")],
    "grid_intensity": [("20 g/kWh", "400 g/kWh")],
    "fleet_utilisation": [("0.2", "0.8")],
}


def _text(lo, hi):
    if isinstance(lo, int):
        return f"{lo}..{hi}"
    unit = lo.split(" ", 1)[1] if " " in lo else ""
    bare = lambda x: x.split(" ", 1)[0]  # noqa: E731
    return f"{bare(lo)}..{bare(hi)}{(' ' + unit) if unit else ''}"


@st.composite
def cases(draw):
    names = draw(st.lists(st.sampled_from(sorted(RANGES)), min_size=1, max_size=3, unique=True))
    dedicated = draw(st.booleans())
    base = {"gpu": draw(st.sampled_from(["H100", "L4", "A100-80GB"])), "zone": "FRA", "requests": "5000/day",
            "params": "8B"}
    if dedicated:
        base["provisioning"] = "dedicated"
        names = [n for n in names if n != "fleet_utilisation"] or ["requests"]
    ranges = {n: draw(st.sampled_from(RANGES[n])) for n in names}
    return base, ranges


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_low_and_high_bracket_every_corner(case):
    base, ranges = case
    kw = {**base, **{n: _text(*r) for n, r in ranges.items()}}
    doc = estimate(**kw).to_dict()
    for corner in itertools.product(*[(0, 1)] * len(ranges)):
        point = {**base, **{n: r[i] for (n, r), i in zip(ranges.items(), corner)}}
        d = estimate(**point).to_dict()
        for block in ("per_request", "total"):
            for metric in ("energy", "co2e", "water"):
                f, v = doc[block][metric], d[block][metric]["value"]
                assert f["low"] * (1 - 1e-9) <= v <= f["high"] * (1 + 1e-9), (block, metric, kw, point)


def test_dedicated_total_bounds_are_the_totals_at_the_ends():
    kw = dict(params="8B", gpu="L4", zone="USA", provisioning="dedicated")
    both = estimate(requests="100/day..1000/day", **kw).to_dict()["total"]["energy"]
    low = estimate(requests="100/day", **kw).to_dict()["total"]["energy"]
    high = estimate(requests="1000/day", **kw).to_dict()["total"]["energy"]
    assert both["low"] == pytest.approx(low["low"], rel=1e-12)
    assert both["high"] == pytest.approx(high["high"], rel=1e-12)
