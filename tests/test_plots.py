"""Plots: every example scenario, every kind; the figure data equal `footprint compare --json`; bad inputs."""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from footprint import plots
from footprint.errors import InputError
from footprint.units import ureg

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "scenarios").glob("*.toml"))
CHATBOT = ROOT / "scenarios" / "city_chatbot.toml"
SAMPLES = "300"  # the same draws for compare and plot: probabilities are equal too


def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _num(x: str) -> float:
    return float(x) if x not in ("", None) else math.nan


def _same(value: float, unit: str, q: dict, key: str = "value") -> bool:
    """`value` [unit] equals the JSON quantity's `key` (converted with pint), to rounding."""
    expected = q[key]
    if expected is None:  # not available in the JSON: the plot's table holds NaN, never a number
        return q.get("not_available") is not None and not math.isfinite(value)
    got = ureg.Quantity(value, unit).m_as(q["unit"]) if unit else value
    return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12 * max(1.0, abs(expected)))


@pytest.fixture(scope="module")
def chatbot():
    return plots.load_comparison(CHATBOT, samples=300, seed=0)


# -- the numbers of every figure are those of `footprint compare --json` ---------------------------

@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_plots_every_kind_with_the_numbers_of_compare(path, run_cli, tmp_path):
    r = run_cli("compare", str(path), "--json", "--samples", SAMPLES)
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    out = tmp_path / "plot.html"
    r = run_cli("plot", str(path), "-o", str(out), "--kind", "all", "--data", str(tmp_path / "data.csv"),
                "--samples", SAMPLES)
    assert r.code == 0, r.err
    page = out.read_text(encoding="utf-8")
    assert page.count('class="plotly-graph-div"') == len(plots.KINDS)

    # comparison: each bar and ratio
    rows = _read_csv(tmp_path / "data-comparison.csv")
    assert len(rows) == 2 * (len(doc["variants"]) + 1)
    for row in rows:
        scope = "per_task" if row["scope"] == "task" else "total"
        if row["side"] == "ai":
            v = doc["variants"][row["variant"]]
            q = v[scope]["ai"]["co2e"]
            ratio = v["per_task"]["ratio"]["co2e"]
            if ratio["value"] is not None:
                assert _same(_num(row["ratio"]), "", ratio) and _same(_num(row["ratio_low"]), "", ratio, "low")
                assert _same(_num(row["ratio_high"]), "", ratio, "high")
            assert _num(row["probability_ai_lower"]) == v["benefit"]["probability_ai_lower"]["co2e"]
        else:
            q = doc[scope]["alternative"]["co2e"]
        for key in ("value", "low", "high"):
            assert _same(_num(row[key]), row["unit"], q, key), (row, q)

    # breakdown: every line of every bar, and the bar's total
    rows = _read_csv(tmp_path / "data-breakdown.csv")
    for row in rows:
        v = doc["variants"][row["variant"]] if row["side"] == "ai" else doc["variants"][doc["variant"]]
        if row["line"] == "total":
            q = v["per_task"][row["side"]]["co2e"]
        else:
            q = v["breakdown"][row["side"]][row["line"]]["co2e"]
        for key in ("value", "low", "high"):
            assert _same(_num(row[key]), row["unit"], q, key), (row, q)
    lines = {(r["variant"], r["line"]) for r in rows if r["side"] == "ai"}
    assert lines >= {(n, ln) for n, v in doc["variants"].items() for ln in v["breakdown"]["ai"]}

    # sweep: totals at the scenario's own volume, and the break-even volume
    rows = _read_csv(tmp_path / "data-sweep.csv")
    central_volume = doc["scenario"]["volume"]["value"]
    for name, v in doc["variants"].items():
        at = [r for r in rows if r["variant"] == name and r["kind"] == "total"
              and math.isclose(_num(r["volume"]), central_volume, rel_tol=1e-12)]
        assert len(at) == 1
        assert _same(_num(at[0]["value"]), at[0]["unit"], v["total"]["ai"]["co2e"])
        be = [r for r in rows if r["variant"] == name and r["kind"] == "break_even"]
        if v["break_even"]["co2e"]["status"] == "ai_lower_above":
            assert len(be) == 1
            q = v["break_even"]["co2e"]["volume"]
            for key, col in (("value", "volume"), ("low", "volume_low"), ("high", "volume_high")):
                assert _same(_num(be[0][col]), be[0]["volume_unit"], q, key)
        else:
            assert be == []
    alt = [r for r in rows if r["series"] == plots.ALTERNATIVE_LABEL and r["kind"] == "total"
           and math.isclose(_num(r["volume"]), central_volume, rel_tol=1e-12)]
    assert len(alt) == 1
    assert _same(_num(alt[0]["value"]), alt[0]["unit"], doc["total"]["alternative"]["co2e"])

    # sensitivity: every variant's central result is compare's per-task figure
    rows = _read_csv(tmp_path / "data-sensitivity.csv")
    for name, v in doc["variants"].items():
        mine = [r for r in rows if r["variant"] == name]
        assert mine, name
        for r in mine:
            assert _same(_num(r["central"]), r["unit"], v["per_task"]["ai"]["co2e"])


@pytest.mark.parametrize("metric", ["energy", "water"])
@pytest.mark.parametrize("per", ["task", "total"])
def test_other_metrics_and_scopes_match_compare(chatbot, metric, per):
    doc = chatbot.to_dict()
    scope = "per_task" if per == "task" else "total"
    t = plots.table(chatbot, "comparison", metric, per)
    assert {r["scope"] for r in t.rows} == {per}
    for r in t.rows:
        q = (doc["variants"][r["variant"]][scope]["ai"] if r["side"] == "ai" else doc[scope]["alternative"])[metric]
        for key in ("value", "low", "high"):
            assert _same(r[key], r["unit"], q, key)
    t = plots.table(chatbot, "breakdown", metric, per)
    tasks = t.meta["tasks"]
    for r in t.rows:
        v = doc["variants"][r["variant"] or doc["variant"]]
        if r["line"] == "total":
            assert _same(r["value"], r["unit"], v[scope][r["side"]][metric])
        else:  # per-task line x tasks over the horizon
            per_task = v["breakdown"][r["side"]][r["line"]][metric]
            scale = 1.0 if per == "task" else tasks
            assert _same(r["value"] / scale, r["unit"], per_task)
    t = plots.table(chatbot, "sensitivity", metric, per)
    for r in t.rows:
        assert _same(r["central"], r["unit"], doc["variants"][r["variant"]][scope]["ai"][metric])


# -- what the figures show ------------------------------------------------------------------------------

def test_stacked_lines_add_up_to_the_bar(chatbot):
    t = plots.table(chatbot, "breakdown", "co2e")
    for bar in {r["bar"] for r in t.rows}:
        lines = [r["value"] for r in t.rows if r["bar"] == bar and r["line"] != "total"]
        (total,) = [r["value"] for r in t.rows if r["bar"] == bar and r["line"] == "total"]
        assert math.isclose(sum(lines), total, rel_tol=1e-9)
    fig = plots.draw(t)
    assert fig.layout.barmode == "stack"
    names = {tr.name for tr in fig.data}
    assert {"GPU, busy serving", "Data-centre overhead (cooling, PUE)", "End-user device", "Network transfer"} <= names


def test_tornado_swing_of_output_tokens_equals_two_estimates(chatbot):
    """Hand check with the public estimator: output tokens from low to high, every other input central."""
    from footprint import estimate

    s = chatbot.plan.scenario
    variant = s.variant("shared")
    (step,) = variant.steps
    kwargs = dict(step.kwargs)
    low, high = kwargs.pop("output_tokens")
    kwargs["input_tokens"] = 2000  # the central value of [1000, 3000]
    per_task = float(step.per_task.m_as(""))

    def central(tokens):
        return float(estimate(output_tokens=tokens, **kwargs).per_request["co2e"].m_as("gCO2e")[1])

    expected = per_task * (central(high) - central(low))  # gCO2e per task
    t = plots.table(chatbot, "sensitivity", "co2e")
    (row,) = [r for r in t.rows if r["variant"] == "shared" and r["input"] == "output tokens per request"]
    got = ureg.Quantity(row["result_at_input_high"] - row["result_at_input_low"], row["unit"]).m_as("gCO2e")
    assert got == pytest.approx(expected, rel=1e-9)
    assert got > 0  # more output tokens, more emissions


def test_tornado_is_sorted_and_a_dedicated_endpoint_costs_more_per_task_at_low_volume(chatbot):
    t = plots.table(chatbot, "sensitivity", "co2e")
    for name in chatbot.variants:
        swings = [r["swing"] for r in t.rows if r["variant"] == name]
        assert swings == sorted(swings, reverse=True)
        shown = [r for r in t.rows if r["variant"] == name and r["shown"]]
        assert 0 < len(shown) <= plots.TORNADO_INPUTS and all(r["swing"] > 0 for r in shown)
    (vol,) = [r for r in t.rows if r["variant"] == "dedicated" and r["input"].startswith("volume")]
    assert vol["result_at_input_low"] > vol["central"] > vol["result_at_input_high"]
    (vol,) = [r for r in t.rows if r["variant"] == "shared" and r["input"].startswith("volume")]
    assert vol["swing"] == 0  # a shared API charges busy time only: the volume does not move the per-task figure


def test_sweep_marks_break_even_where_the_curves_cross_and_draws_the_budget():
    c = plots.load_comparison(CHATBOT, samples=300, seed=0)
    t = plots.table(c, "sweep", "energy")
    # the chatbot's energy is available on both sides (network per GB, phone call): the dedicated endpoint crosses
    (be,) = [r for r in t.rows if r["kind"] == "break_even"]
    assert be["variant"] == "dedicated"
    ai = {r["volume"]: r["value"] for r in t.rows if r["series"] == "With AI: dedicated" and r["kind"] == "total"}
    alt = {r["volume"]: r["value"] for r in t.rows if r["series"] == plots.ALTERNATIVE_LABEL and r["kind"] == "total"}
    assert ai[be["volume"]] == pytest.approx(alt[be["volume"]], rel=1e-6)
    budget = [r for r in t.rows if r["kind"] == "budget"]
    assert budget, "the chatbot has an energy budget"
    expected = (ureg.Quantity(10, "MWh/year") * ureg.Quantity(3, "year")).m_as(budget[0]["unit"])
    assert budget[0]["value"] == pytest.approx(expected)
    t = plots.table(c, "sweep", "co2e")
    (be,) = [r for r in t.rows if r["kind"] == "break_even"]
    assert be["variant"] == "dedicated"
    ai = {r["volume"]: r["value"] for r in t.rows if r["series"] == "With AI: dedicated" and r["kind"] == "total"}
    alt = {r["volume"]: r["value"] for r in t.rows if r["series"] == plots.ALTERNATIVE_LABEL and r["kind"] == "total"}
    assert ai[be["volume"]] == pytest.approx(alt[be["volume"]], rel=1e-6)  # the curves meet at the marker
    below = max(v for v in ai if v < be["volume"])
    above = min(v for v in ai if v > be["volume"])
    assert ai[below] > alt[below] and ai[above] < alt[above]
    # a budget on energy is not drawn on the CO2e sweep, and the page says so
    assert not [r for r in t.rows if r["kind"] == "budget"]
    assert "budget is on energy" in t.meta["budget_note"]
    fig = plots.draw(t)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"


def test_log_axis_only_when_values_differ_by_more_than_100_times():
    seen = set()
    for path in EXAMPLES:
        c = plots.load_comparison(path, samples=100, seed=0)
        t = plots.table(c, "comparison", "co2e", "task")
        values = [r["value"] for r in t.rows if r["value"] > 0]
        expected = max(values) / min(values) > plots.LOG_AXIS_SPAN
        assert t.meta["log"]["task"] == expected
        assert (plots.draw(t).layout.yaxis.type == "log") == expected
        seen.add(expected)
    assert seen == {True, False}, "the examples exercise both axes"


def test_display_units_by_hand():
    assert plots.display_unit("energy", ureg.Quantity(0.5, "Wh").m_as("J")) == "mWh"
    assert plots.display_unit("energy", ureg.Quantity(12, "MWh").m_as("J")) == "MWh"
    assert plots.display_unit("co2e", 2.5) == "kgCO2e"
    assert plots.display_unit("co2e", 2500.0) == "tCO2e"
    assert plots.display_unit("water", 0.0042) == "mL"
    assert plots.display_unit("water", 0.0) == "µL"


def test_axes_have_units_titles_explain_and_colours_are_okabe_ito(chatbot):
    allowed = {c.upper() for c in plots.OKABE_ITO.values()} | {plots.GREY, plots.LIGHT_GREY, "#333333"}
    for kind in plots.KINDS:
        fig = plots.draw(plots.table(chatbot, kind, "co2e"))
        layout = fig.layout.to_plotly_json()
        titled = [ax["title"]["text"] for name, ax in layout.items()
                  if name.startswith(("xaxis", "yaxis")) and ax.get("title", {}).get("text")]
        assert titled, kind
        numeric = [t for t in titled if "Volume" in t or "Greenhouse" in t]
        assert numeric and all("[" in t and "]" in t for t in numeric), (kind, titled)
        assert chatbot.plan.scenario.name in layout["title"]["text"]
        for tr in fig.data:
            marker = tr.to_plotly_json().get("marker", {})
            colour = marker.get("color")
            if isinstance(colour, str):
                assert colour.upper() in allowed, (kind, tr.name, colour)


# -- HTML, CSV and PNG -------------------------------------------------------------------------------------

def test_page_is_self_contained(chatbot, tmp_path):
    fig = plots.comparison(chatbot)
    path = plots.write_html([fig, plots.sweep(chatbot)], tmp_path / "p.html", title="t <x>")
    text = path.read_text(encoding="utf-8")
    assert text.count("<script src=") == 0 and "cdn.plot.ly" not in text.split("/**")[0]
    assert "Plotly.newPlot" in text and len(text) > 1_000_000  # plotly.js is embedded, once
    assert text.count("plotly.js v") <= 2
    assert "<title>t &lt;x&gt;</title>" in text
    assert 'setAttribute("data-js-errors"' in text  # errors are recorded for the browser test
    assert [p.name for p in tmp_path.iterdir()] == ["p.html"]  # no temporary file left


def test_write_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "out.html"
    target.write_text("old", encoding="utf-8")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(InputError, match="cannot write .*No space left"):
        plots.write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]


def test_csv_round_trips_floats(tmp_path):
    t = plots.Table("comparison", "co2e", [{"a": 0.1 + 0.2, "b": "x", "c": math.nan}])
    plots.write_csv(t, tmp_path / "t.csv")
    (row,) = _read_csv(tmp_path / "t.csv")
    assert float(row["a"]) == 0.1 + 0.2 and row["b"] == "x" and row["c"] == ""


def test_figure_data_is_a_dataframe(chatbot):
    df = plots.figure_data(chatbot, "comparison", "co2e")
    assert list(df["label"]) == ["With AI: shared", "With AI: dedicated", "Without AI"] * 2
    assert (df["low"] <= df["value"]).all() and (df["value"] <= df["high"]).all()


def test_plotly_and_pandas_are_not_imported_by_the_cli_or_the_plots_module():
    code = ("import sys, footprint.cli, footprint.plots, footprint.cli.plot; "
            "print(sorted(m for m in ('plotly', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


# -- bad input ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (("--kind", "pie"), ["comparison", "breakdown", "sweep", "sensitivity", "all"]),
    (("--metric", "carbon"), ["energy", "co2e", "water"]),
    (("--per", "month"), ["task", "total"]),
])
def test_unknown_choice_lists_the_valid_values(run_cli, tmp_path, args, words):
    r = run_cli("plot", str(CHATBOT), "-o", str(tmp_path / "p.html"), *args)
    assert r.code == 2 and r.out == ""
    assert r.err.startswith("footprint: error:") and len(r.err.strip().splitlines()) == 1
    assert all(w in r.err for w in words)
    assert list(tmp_path.iterdir()) == []


def test_python_api_refuses_unknown_kind_and_metric(chatbot):
    with pytest.raises(InputError, match="valid: comparison, breakdown, sweep, sensitivity"):
        plots.table(chatbot, "pie")
    with pytest.raises(InputError, match="valid: energy, co2e, water"):
        plots.comparison(chatbot, metric="carbon")


def test_output_in_a_missing_directory_writes_nothing(run_cli, tmp_path):
    r = run_cli("plot", str(CHATBOT), "-o", str(tmp_path / "missing" / "p.html"))
    assert r.code == 2 and "does not exist" in r.err and "missing" in r.err
    r = run_cli("plot", str(CHATBOT), "-o", str(tmp_path / "p.html"), "--data", str(tmp_path / "nope" / "d.csv"))
    assert r.code == 2 and "does not exist" in r.err
    assert list(tmp_path.iterdir()) == []  # not even the HTML: everything is checked first


def test_output_not_writable(run_cli, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = run_cli("plot", str(CHATBOT), "-o", str(blocker / "p.html"))
    assert r.code == 2 and "is not a directory" in r.err
    r = run_cli("plot", str(CHATBOT), "-o", str(tmp_path))
    assert r.code == 2 and "is a directory" in r.err
    monkeypatch.setattr(os, "access", lambda *a, **k: False)  # a read-only directory (tests may run as root)
    r = run_cli("plot", str(CHATBOT), "-o", str(tmp_path / "p.html"))
    assert r.code == 2 and "not writable" in r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_png_without_an_engine_still_writes_the_html_and_says_what_to_install(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(plots, "png_engine_missing", lambda: "--png needs kaleido (`pip install kaleido`)")
    r = run_cli("plot", str(CHATBOT), "-o", str(tmp_path / "p.html"), "--kind", "comparison", "--png",
                "--data", str(tmp_path / "p.csv"))
    # done in part: the page and its data are written, the PNG is not, and exit code 1 says so to a script
    assert r.code == 1
    assert "no PNG written" in r.err and "pip install kaleido" in r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv", "p.html"]
    assert "<html" in (tmp_path / "p.html").read_text(encoding="utf-8")


def test_png_engine_message_names_the_package(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert "pip install kaleido" in plots.png_engine_missing()


def test_scenario_without_an_alternative(run_cli, tmp_path, chatbot):
    text = CHATBOT.read_text(encoding="utf-8")
    start = text.index("[alternative]")
    end = text.index("[human_time]")
    no_alt = tmp_path / "no_alt.toml"
    no_alt.write_text(text[:start] + text[end:], encoding="utf-8")
    r = run_cli("plot", str(no_alt), "-o", str(tmp_path / "p.html"), "--kind", "comparison")
    assert r.code == 2 and "alternative" in r.err and len(r.err.strip().splitlines()) == 1
    assert not (tmp_path / "p.html").exists()
    # a Scenario object built without one (the Python API)
    bare = dataclasses.replace(chatbot.plan.scenario, alternative=None)
    with pytest.raises(InputError, match="no \\[alternative\\].*comparison"):
        plots.comparison(bare)


def test_a_metric_not_available_on_a_side_is_said_on_the_comparison_chart(run_cli):
    # city_chatbot's mobile network has no ADPe (its figure is CO2e only): no bar, the words instead, on every
    # side that compare itself reports as not available (each variant's AI side; the alternative once)
    import json

    from footprint import plots

    doc = json.loads(run_cli("compare", "scenarios/city_chatbot.toml", "--json", "--samples", "100").out)
    sides = [v["per_task"]["ai"]["adpe"]["value"] is None for v in doc["variants"].values()]
    sides.append(next(iter(doc["variants"].values()))["per_task"]["alternative"]["adpe"]["value"] is None)
    assert any(sides)
    fig = plots.comparison("scenarios/city_chatbot.toml", metric="adpe", per="task")
    said = [a.text for a in fig.layout.annotations if "not available" in (a.text or "")]
    assert len(said) == sum(sides)
    assert all(str(a.y) != "nan" for a in fig.layout.annotations)
    for kind in ("comparison", "breakdown", "sweep"):  # and under every chart of that metric, in words
        fig = getattr(plots, kind)("scenarios/city_chatbot.toml", metric="adpe")
        assert any((a.text or "").startswith("Not available: abiotic depletion") for a in fig.layout.annotations)
    fig = plots.comparison("scenarios/city_chatbot.toml", metric="co2e")
    assert not any("Not available" in (a.text or "") for a in fig.layout.annotations)
