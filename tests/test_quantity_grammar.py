"""The quantity grammar (footprint.quantity): read, never evaluated, the same in every entry point."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest

from footprint import batch
from footprint.errors import InputError
from footprint.quantity import MAX_LENGTH, parse_text


@pytest.mark.parametrize("text, unit, expected", [
    ("1,2", "dimensionless", (1.2, 1.2, 1.2, False)),
    ("46,1 g/kWh", "gCO2e/kWh", (46.1, 46.1, 46.1, False)),
    ("1,5 kW", "W", (1500.0, 1500.0, 1500.0, False)),
    ("1..5 year", "year", (1.0, 3.0, 5.0, True)),
    ("1.2 [1.1..1.4]", "dimensionless", (1.1, 1.2, 1.4, True)),
    ("300..400 W", "W", (300.0, 350.0, 400.0, True)),
    ("10000/day", "1/day", (10000.0, 10000.0, 10000.0, False)),
    ("0,05 Wh/ktoken", "J/token", (0.18, 0.18, 0.18, False)),
])
def test_values_are_read(text, unit, expected):
    got = parse_text(text, unit, "x")
    assert got[3] == expected[3]
    assert got[:3] == pytest.approx(expected[:3], rel=1e-12)


@pytest.mark.parametrize("text, count, expected", [
    ("70B", True, 7e10), ("13b", True, 1.3e10), ("1.5T", True, 1.5e12), ("400M", True, 4e8),
    ("70 billion", True, 7e10), ("7e10", True, 7e10), ("15T tokens", True, 1.5e13),
])
def test_counts_take_a_scale(text, count, expected):
    assert parse_text(text, "parameter", "x", bare="parameter", count=count)[1] == pytest.approx(expected)


@pytest.mark.parametrize("text, words", [
    ("9**9**9", "cannot read"), ("2**2**20", "cannot read"), ("1.2 1.3", "cannot read"),
    ("150 200 W", "cannot read"), ("1_2", "cannot read"), ("[1, 2]", "cannot read"),
    ("1,000", "ambiguous"), ("1,2,3", "cannot read"), ("1.1...1.4", "two dots"), ("5..1", "low > high"),
    ("1e999", "finite"), ("2 W^9", "power"), ("", "empty"), ("x" * (MAX_LENGTH + 1), "characters long"),
])
def test_bad_values_are_refused_with_one_line(text, words):
    with pytest.raises(InputError) as err:
        parse_text(text, "W" if "W" in text else "dimensionless", "--pue")
    msg = str(err.value)
    assert words in msg and "\n" not in msg and msg.startswith("--pue:")


def test_a_long_value_is_refused_without_being_read():
    start = time.perf_counter()
    with pytest.raises(InputError):
        parse_text("9" * 100_000, "dimensionless", "pue")
    assert time.perf_counter() - start < 0.05  # refused unread (a bound, not a benchmark)


def test_bare_number_refused_where_a_unit_matters():
    with pytest.raises(InputError, match="has no unit"):
        parse_text("100", "1/s", "--requests")
    assert parse_text("100", "1/s", "x", bare="1/day")[1] == pytest.approx(100 / 86400)


def _assumption(doc, name):
    return next(a for a in doc["assumptions"] if a["name"].lstrip("-").replace("-", "_") == name)


def test_decimal_comma_on_the_command_line_matches_the_point(run_cli):
    a = json.loads(run_cli("estimate", "--params", "8B", "--pue", "1,2", "--json").out)
    b = json.loads(run_cli("estimate", "--params", "8B", "--pue", "1.2", "--json").out)
    assert a["per_request"] == b["per_request"]


@pytest.mark.parametrize("args, words", [
    (["--pue", "9**9**9"], "cannot read"), (["--period", "1..5 year", "--requests", "1/day"], "range"),
    (["--host-power", "150 200 W"], "cannot read"), (["--pue", "[1, 2]"], "cannot read"),
    (["--pue", "1e999"], "finite"), (["--requests", "2000"], "no unit"),
])
def test_cli_refuses_what_the_grammar_refuses(run_cli, args, words):
    r = run_cli("estimate", "--params", "8B", *args)
    assert r.code == 2 and r.out == ""
    assert words in r.err and len(r.err.strip().splitlines()) == 1


def test_batch_cell_reads_like_a_flag():
    table = pd.DataFrame({"params": ["8B", "8B"], "pue": ["1,2", "1.2"], "host_power": ["1,5 kW", "1500 W"]})
    out = batch.estimate(table)
    assert out.iloc[0]["energy_per_request[Wh]"] == out.iloc[1]["energy_per_request[Wh]"]


def test_scenario_value_is_not_evaluated(run_cli, tmp_path):
    src = (pytest.importorskip("pathlib").Path(__file__).parents[1] / "scenarios" / "city_chatbot.toml").read_text()
    bad = tmp_path / "s.toml"
    bad.write_text(src.replace('horizon = "3 year"', 'horizon = "9**9**9"'), encoding="utf-8")
    start = time.perf_counter()
    r = run_cli("compare", str(bad), "--json")
    assert r.code == 2 and "cannot read" in r.err
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("args", [
    ["estimate", "--params", "8B", "--samples", "100", "--seed", "-1"],
    ["compare", "scenarios/city_chatbot.toml", "--seed", "-1"],
])
def test_negative_seed_is_one_line(run_cli, args):
    r = run_cli(*args)
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
