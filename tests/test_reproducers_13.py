"""Reproducers of issue 13 (maxima, conflicts with the catalogue, one error type at the API, tracebacks).

Each bad input exits 2 with one stderr line (or raises InputError at the API) and writes nothing.
"""

from __future__ import annotations

import decimal
import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

import footprint
from footprint.errors import InputError
from footprint.inputs import USER
from footprint.scenario import loads
from footprint.uncertainty import Range
from footprint.units import ureg

ROOT = Path(__file__).resolve().parent.parent
CITY = ROOT / "scenarios" / "city_chatbot.toml"


def one_line_error(result, *words):
    assert result.code == 2, (result.code, result.out[-500:], result.err)
    lines = result.err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("footprint: error: "), result.err
    assert "Traceback" not in result.err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


# -- 1. physically meaningful maxima ------------------------------------------------------------------

@pytest.mark.parametrize("flag, value, limit", [
    ("--params", "1e308", "1e+14"),
    ("--pue", "1e308", "at most 5"),
    ("--batch-size", "1e308", "100000"),
    ("--gpus", "1e308", "100000"),
    ("--output-tokens", "1e9", "1e+08"),
    ("--requests", "2e9/s", "1e+09 1/s"),
    ("--grid-intensity", "5 kgCO2e/kWh", "3000 g/kWh"),
    ("--water-intensity", "2000 L/kWh", "1000 L/kWh"),
    ("--host-power", "2 MW", "1e+06 W"),
    ("--hardware-lifetime", "60 year", "50 year"),
    ("--training-tokens", "1e18", "1e+17"),
])
def test_values_above_the_maxima_are_one_line(run_cli, tmp_path, monkeypatch, flag, value, limit):
    monkeypatch.chdir(tmp_path)
    line = one_line_error(run_cli("estimate", "--params", "7B", flag, value, "--json"), flag, "at most", limit)
    assert "nan" not in line and "inf" not in line
    assert list(tmp_path.iterdir()) == []


def test_a_value_at_its_maximum_gives_finite_figures():
    """Every quantity input at its maximum at once (where the paths allow it): finite figures, no warning."""
    at = {n: ureg.Quantity(USER[n].maximum, USER[n].unit) for n in USER if USER[n].maximum is not None}
    with np.errstate(all="raise"):
        e = footprint.estimate(**{k: at[k] for k in ("params", "active_params", "input_tokens", "output_tokens",
                                                      "requests", "period", "batch_size", "pue", "host_power",
                                                      "grid_intensity", "water_intensity", "wue", "gpu_embodied",
                                                      "server_embodied")}, gpus=at["gpus"])
    doc = e.to_dict()
    for block in ("per_request", "total"):
        for metric, fig in doc[block].items():
            if isinstance(fig, dict) and "value" in fig:
                assert math.isfinite(fig["value"]), (block, metric)


def test_every_quantity_input_has_a_maximum_or_a_reason():
    """Maxima are declared in the registry; the few without one are bounded by their own meaning."""
    unbounded = {n for n, s in USER.items() if not s.is_name and s.maximum is None}
    assert unbounded == set(), unbounded
    for name, spec in USER.items():
        if spec.maximum is not None and spec.minimum is not None:
            assert spec.maximum > spec.minimum, name


def test_batch_cells_above_a_maximum_are_reported(run_cli, tmp_path, monkeypatch):
    """The same check (check_column) serves the batch: the row and column are named, nothing is written."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b.csv").write_text("params,pue,batch_size\n7B,1.2,8\n1e308,1e308,1e308\n", encoding="utf-8")
    line = one_line_error(run_cli("estimate", "--batch", "b.csv", "--output", "o.csv"), "at most")
    assert "column params" in line and "column pue" in line and "column batch_size" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]


@pytest.mark.parametrize("key, value, words", [
    ("volume", '"1e300/day"', ("[task] volume", "at most 1e9 tasks per second")),
    ("volume", '["1/day", "1e300/day"]', ("[task] volume", "at most")),
    ("horizon", '"1e300 s"', ("[task] horizon", "at most 1000 year")),
    ("horizon", '"1e10 year"', ("[task] horizon", "at most 1000 year")),
])
def test_huge_volume_or_horizon_is_refused_by_the_reader(run_cli, tmp_path, monkeypatch, key, value, words):
    """compare used to fail with IndexError in break_even (totals overflowing to inf - inf = nan)."""
    monkeypatch.chdir(tmp_path)
    text = CITY.read_text(encoding="utf-8")
    lines = [f"{key} = {value}" if ln.startswith(f"{key} = ") else ln for ln in text.splitlines()]
    (tmp_path / "s.toml").write_text("\n".join(lines), encoding="utf-8")
    one_line_error(run_cli("compare", "s.toml", "--json", "--samples", "100"), *words)
    one_line_error(run_cli("scenario", "validate", "s.toml"), *words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


def test_largest_accepted_volume_and_horizon_compare_cleanly(run_cli, tmp_path, monkeypatch):
    """At the maxima themselves (1e9 tasks/s over 1000 years, one request a task) compare still works."""
    monkeypatch.chdir(tmp_path)
    doc = tomllib.loads(CITY.read_text(encoding="utf-8"))
    text = CITY.read_text(encoding="utf-8").replace('volume = ["1000/day", "2000/day", "4000/day"]',
                                                    'volume = "1e9/s"').replace('horizon = "3 year"',
                                                                                'horizon = "1000 year"')
    text = text.replace("per_task = 3", "per_task = 1")
    assert doc["task"]["horizon"] == "3 year"
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    r = run_cli("compare", "s.toml", "--json", "--samples", "100")
    assert r.code == 0, r.err
    assert "Traceback" not in r.err


# -- 2. conflicts with the catalogue ----------------------------------------------------------------

def _assumption(doc, name):
    return next(a for a in doc["assumptions"] if a["name"] == name)


def test_params_overriding_a_catalogue_model_is_a_note(run_cli):
    r = run_cli("estimate", "--model", "llama-3.1-8b", "--params", "70B", "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    total = _assumption(doc, "total_params")
    assert total["value"] == pytest.approx(70.0) and total["status"] == "given"
    assert any("--params 70B overrides the catalogue's 8.03B for llama-3.1-8b" in n for n in doc["notes"]), doc["notes"]


def test_params_equal_to_the_catalogue_gives_no_override_note():
    e = footprint.estimate(model="llama-3.1-8b", params="8.03B")
    assert not any("overrides" in n for n in e.notes)


def test_active_params_overriding_a_catalogue_model_is_a_note():
    e = footprint.estimate(model="mixtral-8x7b", active_params="20B")
    assert any("active_params 20B overrides the catalogue's 12.9B for mixtral-8x7b" in n for n in e.notes), e.notes
    values = {a.name: a for a in e.assumptions}
    assert values["active_params"].value.m_as("parameter") == pytest.approx(20e9)
    assert values["total_params"].value.m_as("parameter") == pytest.approx(46.7e9)


def test_params_given_with_an_moe_model_keeps_its_active_parameters():
    """Before: --model mixtral-8x7b --params 46.7B made the model dense (active = 46.7B), silently."""
    e = footprint.estimate(model="mixtral-8x7b", params="50B")
    values = {a.name: a for a in e.assumptions}
    assert values["active_params"].value.m_as("parameter") == pytest.approx(12.9e9)
    assert values["active_params"].provenance["kind"] == "default"
    assert any("mixture-of-experts" in n for n in e.notes)
    with pytest.raises(InputError, match="below the catalogue's active parameters"):
        footprint.estimate(model="mixtral-8x7b", params="10B")


def test_batch_rows_overriding_the_catalogue_carry_the_note(tmp_path):
    from footprint.batch import estimate as batch_estimate

    import pandas as pd

    table = pd.DataFrame({"model": ["llama-3.1-8b", "llama-3.1-8b", "mistral-7b"], "params": ["70B", "", ""]})
    result = batch_estimate(table)
    notes = result["notes"].astype(str).tolist()
    assert "--params" not in notes[0]
    assert "params 70B overrides the catalogue's 8.03B for llama-3.1-8b" in notes[0]
    assert "overrides" not in notes[1] and "overrides" not in notes[2]


def test_empty_names_are_refused_and_blank_batch_cells_are_missing(tmp_path):
    with pytest.raises(InputError, match="empty"):
        footprint.estimate(params="7B", gpu="")
    with pytest.raises(InputError, match="empty"):
        footprint.estimate(params="7B", zone="  ")
    from footprint.batch import estimate as batch_estimate

    import pandas as pd

    result = batch_estimate(pd.DataFrame({"params": ["7B", "7B"], "gpu": ["", "L4"]}))
    notes = result["notes"].astype(str).tolist()
    assert "no GPU given: the H100 is assumed" in notes[0]
    assert "no GPU given" not in notes[1]


# -- 3. one error type at the API -------------------------------------------------------------------

BAD_API = {
    "gpu=5": dict(params="7B", gpu=5),
    "params=object()": dict(params=object()),
    "params=[1,2,3,4]": dict(params=[1, 2, 3, 4]),
    "params=np.array": dict(params=np.array([8e9, 70e9])),
    "params=np 0-d array": dict(params=np.array(8e9)),
    "params=True": dict(params=True),
    "params=dict": dict(params={"value": 1}),
    "params=bytes": dict(params=b"7B"),
    "params=complex": dict(params=1j),
    "params=huge int": dict(params=10 ** 400),
    "params=nested pair": dict(params=((1, 2), (3, 4))),
    "params=pair of objects": dict(params=(object(), object())),
    "constants eta abc": dict(params="7B", constants={"eta_compute": "abc"}),
    "constants=5": dict(params="7B", constants=5),
    "constants=list": dict(params="7B", constants=[("eta_compute", 0.4)]),
    "constants eta 5": dict(params="7B", constants={"eta_compute": 5}),
    "constants unknown": dict(params="7B", constants={"eta": 0.4}),
    "output_tokens=nan": dict(params="7B", output_tokens=float("nan")),
    "output_tokens=inf": dict(params="7B", output_tokens=float("inf")),
    "Quantity of the wrong dimension": dict(params="7B", host_power=ureg.Quantity(5, "kg")),
    "params Quantity in kg": dict(params=ureg.Quantity(5, "kg")),
    "Quantity of an array": dict(params="7B", host_power=ureg.Quantity(np.array([1.0, 2.0]), "W")),
    "Quantity of nan": dict(params="7B", host_power=ureg.Quantity(float("nan"), "W")),
    "Range of the wrong dimension": dict(params="7B", host_power=Range(ureg.Quantity(1, "kg"), ureg.Quantity(2, "kg"))),
    "Range of nan": dict(params=Range(ureg.Quantity(float("nan"), "parameter"), ureg.Quantity(2e9, "parameter"))),
    "pair low > high": dict(params=("9B", "7B")),
    "requests=100.0": dict(params="7B", requests=100.0),
    "label=5": dict(params="7B", label=5),
    "unknown input": dict(parms="7B"),
    "model=5": dict(model=5),
    "model=''": dict(model=""),
    "gpu=list": dict(params="7B", gpu=["H100"]),
    "params=1e308": dict(params=1e308),
}


@pytest.mark.parametrize("case", sorted(BAD_API))
def test_every_bad_value_at_the_api_is_one_input_error(case):
    with pytest.raises(InputError) as info:
        footprint.estimate(**BAD_API[case])
    message = str(info.value)
    assert "\n" not in message and message
    assert type(info.value) is InputError


def test_none_means_not_given_and_numpy_or_decimal_scalars_are_numbers():
    base = footprint.estimate(params="7B", pue=1.2, output_tokens=400)
    same = footprint.estimate(params="7B", zone=None, pue=np.float64(1.2), output_tokens=np.int64(400))
    dec = footprint.estimate(params="7B", pue=decimal.Decimal("1.2"), output_tokens=400)
    for other in (same, dec):
        assert other.to_dict()["per_request"]["energy"]["value"] == pytest.approx(
            base.to_dict()["per_request"]["energy"]["value"])


def test_a_range_of_the_wrong_dimension_names_both_kinds():
    with pytest.raises(InputError, match=r"host_power: .* is a CO2e mass, but a power"):
        footprint.estimate(params="7B", host_power=Range(ureg.Quantity(1, "kg"), ureg.Quantity(2, "kg")))


# -- 5. tracebacks of the issue, now one line -------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("estimate", "--params", "7B", "--samples", "100", "--seed", "-1"),
    ("compare", str(CITY), "--seed", "-1"),
    ("plot", str(CITY), "--seed", "-1", "-o", "x.html"),
    ("estimate", "--batch", "b.csv", "--output", "o.csv", "--samples", "100", "--seed", "-1"),
])
def test_negative_seed_is_one_line(run_cli, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b.csv").write_text("params\n7B\n", encoding="utf-8")
    one_line_error(run_cli(*args), "--seed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]


def test_measure_interval_inf_is_one_line(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    one_line_error(run_cli("measure", "--interval", "inf", "--", "true"), "interval", "finite")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("notes", ["5", "true", "[1, 2]", "{a = 1}", '["ok", 3]'])
def test_scenario_notes_must_be_texts(notes):
    text = CITY.read_text(encoding="utf-8")
    start = text.index("notes = [")
    end = text.index("]\n", start) + 2
    with pytest.raises(InputError, match="notes: give a text"):
        loads(text[:start] + f"notes = {notes}\n" + text[end:], "s.toml")


@pytest.mark.parametrize("where", ["notes", "batch_size"])
def test_scenario_with_a_500_deep_array_is_one_line(run_cli, tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    deep = "[" * 500 + "]" * 500
    text = CITY.read_text(encoding="utf-8")
    if where == "notes":
        start = text.index("notes = [")
        text = text[:start] + f"notes = {deep}\n" + text[text.index("]\n", start) + 2:]
    else:
        text = text.replace("per_task = 3\n", f"per_task = 3\nbatch_size = {deep}\n", 1)
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    for args in (("compare", "s.toml"), ("scenario", "validate", "s.toml")):
        one_line_error(run_cli(*args), "nested too deeply")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


def test_control_characters_stay_on_one_line(run_cli):
    for flag, value in (("--model", "0\n 0"), ("--gpu", "H1\n00"), ("--pue", "1\n2"), ("--zone", "FR\tA")):
        line = one_line_error(run_cli("estimate", "--params", "7B", flag, value))
        assert flag in line


def test_docs_list_every_maximum_of_the_registry():
    """docs/inputs.md shows the registry's maxima (in the unit it names): the table cannot drift."""
    import re

    from footprint.columns import scale

    text = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| [^|]+ \| [^|]+ \| ([0-9.e+]+) \|", text, flags=re.M))
    for name, spec in USER.items():
        if spec.is_name:
            continue
        factor = scale(spec.unit, spec.shown_unit) if spec.shown_unit else 1.0
        assert name in rows, name
        assert float(rows[name]) == pytest.approx(spec.maximum * factor, rel=1e-9), name


@pytest.mark.parametrize("args, words", [
    (["estimate", "--params", "-70B"], "got '-70B'"),
    (["estimate", "--params", "8B", "--requests", "-5/day"], "got '-5/day'"),
    (["estimate", "--params", "8B", "--zone", "FR"], "did you mean FRA?"),
    (["compare", "scenarios/city_chatbot.toml", "--samples", "100000000"], "--samples"),
    (["estimate", "--params", "8B", "--samples", "100000000"], "--samples"),
])
def test_messages_echo_what_was_typed_and_samples_are_bounded(run_cli, args, words):
    r = run_cli(*args)
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and words in r.err


def test_a_utilisation_share_has_a_plausible_minimum(run_cli):
    # 1e-299 divided the charged time and overflowed the totals (found by the fuzz test)
    r = run_cli("estimate", "--params", "70B", "--requests", "1000/day", "--fleet-utilisation", "1e-299", "--json")
    assert r.code == 2 and "at least 0.001" in r.err and len(r.err.strip().splitlines()) == 1
