"""The golden figures: a redesign keeps every recorded figure (see tests/golden/record.py).

A changed figure fails here with its path; if the change is a fixed bug, re-record the file
with ``python tests/golden/record.py`` in a commit of its own that states the reason.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "golden"
sys.path.insert(0, str(HERE))
import record  # noqa: E402

GOLDEN = json.loads((HERE / "golden.json").read_text(encoding="utf-8"))
RTOL = 1e-7


def _diff(expected: dict, got: dict, limit: int = 8) -> list[str]:
    bad = []
    for path, want in expected.items():
        have = got.get(path, "missing")
        if want is None or have is None or have == "missing":
            if want != have:
                bad.append(f"{path}: {want} -> {have}")
        elif not math.isclose(want, have, rel_tol=RTOL, abs_tol=1e-12):
            bad.append(f"{path}: {want!r} -> {have!r}")
        if len(bad) >= limit:
            break
    return bad


def test_mlenergy_rows():
    got = record.run_mlenergy()
    for key, values in GOLDEN["mlenergy"].items():
        assert _diff(dict(enumerate(values)), dict(enumerate(got[key]))) == [], key


@pytest.mark.parametrize("i", range(0, len(GOLDEN["single"]), 1))
def test_single(i):
    case = GOLDEN["single"][i]
    got = record.run_single(case["inputs"])
    assert _diff(case["figures"], got) == [], case["inputs"]


def test_batch():
    got = record.run_batch(GOLDEN["batch"]["inputs"])
    for i, (want, have) in enumerate(zip(GOLDEN["batch"]["figures"], got)):
        assert _diff(want, have) == [], (i, GOLDEN["batch"]["inputs"][i])


@pytest.mark.parametrize("name", sorted(GOLDEN["compare"]))
def test_compare(name):
    assert _diff(GOLDEN["compare"][name], record.run_compare(record.ROOT / "scenarios" / name)) == []


@pytest.mark.parametrize("name", sorted(GOLDEN["plot_data"]))
def test_plot_data(name, tmp_path):
    got = record.run_plot_data(record.ROOT / "scenarios" / name, tmp_path)
    assert _diff(GOLDEN["plot_data"][name], got) == []
