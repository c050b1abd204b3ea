"""Time-resolved carbon: hourly series, usage profiles, best start, `footprint schedule`.

Reference figures are recomputed here straight from the shipped data file with the
standard library (csv, datetime, zoneinfo), independently of footprint.hourly.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from footprint import factors, hourly
from footprint.errors import InputError

DATA = Path(__file__).resolve().parent.parent / "factors" / "grid_hourly"
PARIS = ZoneInfo("Europe/Paris")


def _read(zone="FRA"):
    """(UTC hour, intensity) pairs of the shipped file, read with csv only."""
    with (DATA / f"{zone}_2023.csv").open(newline="", encoding="utf-8") as fh:
        return [(datetime.strptime(r["hour_utc"], "%Y-%m-%dT%H:%M").replace(tzinfo=timezone.utc),
                 float(r["carbon_intensity_lca"])) for r in csv.DictReader(fh)]


@pytest.fixture(scope="module")
def fra():
    return _read("FRA")


# -- data ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("zone, mean, low, high", [
    # Electricity Maps 2023 LCA figures (mean, min, max over the year) as published with the files
    ("FRA", 49.4, 15.2, 167.4), ("DEU", 395.1, 135.5, 778.9), ("GBR", 196.8, 50.0, 383.3)])
def test_series_match_the_published_yearly_figures(zone, mean, low, high):
    s = hourly.load_series(zone)
    assert len(s.intensity_g_per_kwh) == 8760
    assert s.yearly_average_g_per_kwh == pytest.approx(mean, abs=0.05)
    assert s.intensity_g_per_kwh.min() == pytest.approx(low, abs=0.05)
    assert s.intensity_g_per_kwh.max() == pytest.approx(high, abs=0.05)
    assert s.source()["licence"] == "ODbL-1.0" and "Electricity Maps" in s.source()["citation"]


def test_hourly_files_are_not_factor_tables_and_sources_resolve():
    assert "grid_hourly" not in factors.table_names() and "zones" not in factors.table_names()
    for zone in hourly.zones():
        assert hourly.zone_info(zone)["source_id"] in factors.sources()
    assert factors.validate() == []


def test_zone_without_hourly_data():
    with pytest.raises(InputError, match="hourly data exist for DEU, FRA, GBR"):
        hourly.load_series("ESP")
    r = hourly.profile_intensity("ESP", "office-hours")
    row = factors.get("grid", "ESP", "carbon_intensity")
    assert r["hourly"] is False and r["value_g_per_kwh"] == pytest.approx(row.value)
    assert "no hourly grid data" in r["note"] and "office-hours" in r["note"]


# -- usage profiles ------------------------------------------------------------------------------------------

def test_office_hours_vs_24_7_in_france_hand_checked(fra):
    # Monday-Friday 09:00-18:00 Paris time, summer time from the zoneinfo rules, from the file itself
    office = [v for t, v in fra if (lt := t.astimezone(PARIS)).weekday() < 5 and 9 <= lt.hour < 18]
    every = [v for _, v in fra]
    expected_office, expected_all = sum(office) / len(office), sum(every) / len(every)
    r = hourly.weighted_intensity("FRA", "office-hours:Europe/Paris")
    assert r["profile"]["hours_used"] == len(office) == 2340  # 260 working days x 9 h
    assert r["value_g_per_kwh"] == pytest.approx(expected_office, rel=1e-12)
    assert r["yearly_average_g_per_kwh"] == pytest.approx(expected_all, rel=1e-12)
    assert r["difference_g_per_kwh"] == pytest.approx(expected_office - expected_all, rel=1e-9)
    # 24/7 is the yearly average of the same series, not the ADEME default
    all_day = hourly.weighted_intensity("FRA", "24/7")
    assert all_day["value_g_per_kwh"] == pytest.approx(expected_all, rel=1e-12)
    assert r["boundary"] == "life-cycle, consumption-based, Electricity Maps 2023"
    assert any("marginal" in x for x in r["limits"]) and "holidays" in " ".join(r["notes"])


def test_office_hours_follow_summer_time():
    how = hourly.local_hour_of_week(2023, "Europe/Paris")
    jan1 = datetime(2023, 1, 1, tzinfo=timezone.utc)
    winter = (datetime(2023, 1, 2, 8, tzinfo=timezone.utc) - jan1) // timedelta(hours=1)
    summer = (datetime(2023, 7, 3, 7, tzinfo=timezone.utc) - jan1) // timedelta(hours=1)
    assert how[winter] == how[summer] == 9  # Monday 09:00 local: 08:00 UTC in January, 07:00 UTC in July


def test_weekly_profiles_agree_with_the_named_ones(tmp_path):
    office = [1.0 if d < 5 and 9 <= h < 18 else 0.0 for d in range(7) for h in range(24)]
    ref = hourly.weighted_intensity("DEU", "office-hours:Europe/Berlin")["value_g_per_kwh"]
    as_list = hourly.weighted_intensity("DEU", hourly.Profile(
        "weekly", "weekly:[168 weights]", time_zone="Europe/Berlin", weekly_weights=tuple(office)))["value_g_per_kwh"]
    text = "weekly:Europe/Berlin:" + ";".join("1,0" if w else "0" for w in office)  # decimal commas
    path = tmp_path / "week.txt"
    path.write_text("\n".join(" ".join(f"{w:g}" for w in office[d * 24:(d + 1) * 24]) for d in range(7)))
    from_file = hourly.weighted_intensity("DEU", f"weekly:Europe/Berlin:@{path}")["value_g_per_kwh"]
    assert as_list == pytest.approx(ref) and from_file == pytest.approx(ref)
    assert hourly.weighted_intensity("DEU", text)["value_g_per_kwh"] == pytest.approx(ref)
    flat = hourly.weighted_intensity("DEU", [2.5] * 168)["value_g_per_kwh"]
    assert flat == pytest.approx(hourly.load_series("DEU").yearly_average_g_per_kwh)


def test_window_profile_weights_partial_hours(fra):
    r = hourly.weighted_intensity("FRA", "window:UTC:2023-03-01T10:30/2 h")
    v = dict(fra)
    t = datetime(2023, 3, 1, 10, tzinfo=timezone.utc)
    expected = (0.5 * v[t] + v[t + timedelta(hours=1)] + 0.5 * v[t + timedelta(hours=2)]) / 2
    assert r["value_g_per_kwh"] == pytest.approx(expected) and r["profile"]["hours_used"] == 3


@pytest.mark.parametrize("spec", [
    "", "bogus", "24/7:x", "office-hours:Mars/Olympus", "office-hours:9-18", "office-hours:Europe/Paris:18-9",
    "office-hours:Europe/Paris:9-25", "weekly:", "weekly:1;2;3", "weekly:" + ";".join(["-1"] * 168),
    "weekly:" + ";".join(["0"] * 168), "weekly:" + ",".join(["x"] * 168), "weekly:@/no/such/file.txt",
    "window:2026-12-07T22:00", "window:tomorrow/6 h", "window:2026-12-07T22:00/6", "window:2026-12-07/-2 h",
])
def test_bad_profiles_are_refused_in_one_line(spec):
    with pytest.raises(InputError) as exc:
        hourly.parse_profile(spec)
    assert "\n" not in str(exc.value) and len(str(exc.value)) < 400


def test_decimal_commas_and_ambiguous_numbers():
    assert hourly.parse_duration_h("6,5 h") == 6.5 and hourly.parse_energy_kwh("0,5 MWh") == 500.0
    for text in ("1,500 kWh", "1.5,0 kWh"):
        with pytest.raises(InputError):
            hourly.parse_energy_kwh(text)


# -- best time to run ----------------------------------------------------------------------------------------

def _brute_force(pairs, first, last_start, hours):
    """Mean intensity of a job of whole `hours` at each hourly start, by plain loops over the file."""
    v = dict(pairs)
    out = {}
    t = first
    while t <= last_start:
        out[t] = sum(v[t + timedelta(hours=k)] for k in range(hours)) / hours
        t += timedelta(hours=1)
    return out


def test_best_6_hour_start_in_a_week_equals_brute_force(fra):
    r = hourly.best_start("FRA", "6 h", "2023-03-06", "2023-03-13", energy="40 kWh")
    first = datetime(2023, 3, 6, tzinfo=PARIS).astimezone(timezone.utc)
    last = datetime(2023, 3, 13, tzinfo=PARIS).astimezone(timezone.utc) - timedelta(hours=6)
    brute = _brute_force(fra, first, last, 6)
    best_t = min(brute, key=brute.get)
    worst_t = max(brute, key=brute.get)
    mean = sum(brute.values()) / len(brute)
    assert r["candidate_starts"] == len(brute) == 163
    assert not r["stand_in"]["used"] and r["stand_in"]["note"] is None
    assert datetime.fromisoformat(r["best"]["start"]) == best_t
    assert datetime.fromisoformat(r["worst"]["start"]) == worst_t
    assert r["best"]["intensity_g_per_kwh"] == pytest.approx(brute[best_t], rel=1e-12)
    assert r["best"]["co2e_kg"] == pytest.approx(40 * brute[best_t] / 1000, rel=1e-12)
    assert r["average_start"]["intensity_g_per_kwh"] == pytest.approx(mean, rel=1e-12)
    assert r["saving_vs_average"]["co2e_kg"] == pytest.approx(40 * (mean - brute[best_t]) / 1000, rel=1e-9)
    assert r["saving_vs_worst"]["co2e_kg"] == pytest.approx(40 * (brute[worst_t] - brute[best_t]) / 1000, rel=1e-9)
    assert r["saving_vs_worst"]["percent"] == pytest.approx(100 * (1 - brute[best_t] / brute[worst_t]), rel=1e-9)
    assert "not an avoided emission" in r["saving_kind"] and "marginal" in r["saving_kind"]


def test_another_year_uses_the_matching_2023_week(fra):
    r = hourly.best_start("FRA", "6 h", "2026-12-07", "2026-12-14", power="5 kW")
    s = r["stand_in"]
    assert s["used"] and s["shift_days"] % 7 == 0 and "2023" in s["note"] and "weekdays aligned" in s["note"]
    assert any(n == s["note"] for n in r["notes"])
    asked = datetime.fromisoformat(r["best"]["start"])
    data = datetime.strptime(r["best"]["data_start_utc"], "%Y-%m-%dT%H:%MZ").replace(tzinfo=timezone.utc)
    assert asked.year == 2026 and data.year == 2023
    assert asked.astimezone(PARIS).weekday() == data.astimezone(PARIS).weekday()
    assert abs((data.replace(year=2026) - asked).days) <= 3  # the matching week, not any week
    # the 2023 week it stands for: same answer from the file
    first = datetime(2026, 12, 7, tzinfo=PARIS).astimezone(timezone.utc) + timedelta(days=s["shift_days"])
    brute = _brute_force(fra, first, first + timedelta(hours=162), 6)
    assert min(brute, key=brute.get) == data
    assert r["energy_kwh"] == 30.0 and r["best"]["co2e_kg"] == pytest.approx(30 * min(brute.values()) / 1000)


def test_a_window_profile_of_another_year_says_which_2023_hours_stand_in(fra):
    r = hourly.weighted_intensity("FRA", "window:Europe/Paris:2026-12-07T22:00/6 h")
    stand_in = r["profile"]["stand_in"]
    assert stand_in["used"] and any("stands in" in n for n in r["notes"])
    start = datetime.strptime(stand_in["data_start_utc"], "%Y-%m-%dT%H:%MZ").replace(tzinfo=timezone.utc)
    v = dict(fra)
    assert start.astimezone(PARIS).strftime("%a %H:%M") == "Mon 22:00"
    assert r["value_g_per_kwh"] == pytest.approx(sum(v[start + timedelta(hours=k)] for k in range(6)) / 6)


def test_a_window_crossing_the_data_year_is_shifted_into_it():
    r = hourly.best_start("GBR", "3 h", "2023-12-30", "2024-01-02", tz="UTC")
    assert r["stand_in"]["used"] and r["stand_in"]["shift_days"] == -7


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1000), min_size=3, max_size=60), st.floats(0.05, 3.0))
def test_job_intensities_equal_a_direct_integral(values, duration):
    arr = np.array(values)
    got = hourly.job_intensities(arr, duration)
    n_full = int(np.floor(duration))
    frac = duration - n_full
    span = n_full + (1 if frac > 1e-12 else 0)
    expected = [(arr[s:s + n_full].sum() + (frac * arr[s + n_full] if span > n_full else 0.0)) / duration
                for s in range(len(arr) - span + 1)]
    assert np.allclose(got, expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("kwargs, match", [
    ({"duration": "6 h", "earliest": "2023-03-06", "deadline": "2023-03-06T03:00"}, "does not fit"),
    ({"duration": "6 h", "earliest": "2023-03-07", "deadline": "2023-03-06"}, "must come after"),
    ({"duration": "6 h", "earliest": "2023-03-06", "deadline": "2023-03-07", "energy": "1 kWh", "power": "1 kW"},
     "not both"),
    ({"duration": "6 h", "earliest": "06/03/2023", "deadline": "2023-03-07"}, "ISO date"),
    ({"duration": "6 h", "earliest": "2023-01-01", "deadline": "2024-12-31"}, "51 weeks"),
])
def test_best_start_bad_inputs(kwargs, match):
    with pytest.raises(InputError, match=match):
        hourly.best_start("FRA", **kwargs)


# -- command -------------------------------------------------------------------------------------------------

def test_schedule_json_with_click_runner():
    from footprint.cli import cli

    runner = CliRunner()
    r = runner.invoke(cli, ["schedule", "--zone", "FRA", "--duration", "6 h", "--earliest", "2026-12-07",
                            "--deadline", "2026-12-14", "--energy", "40 kWh", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert {"best", "worst", "average_start", "saving_vs_average", "saving_vs_worst", "saving_kind", "stand_in",
            "limits", "source", "boundary", "time_zone"} <= set(doc)
    assert doc["stand_in"]["used"] and doc["source"]["licence"] == "ODbL-1.0"
    r = runner.invoke(cli, ["schedule", "--zone", "fra", "--profile", "office-hours:Europe/Paris", "--json"])
    doc = json.loads(r.output)
    assert r.exit_code == 0 and {"value_g_per_kwh", "yearly_average_g_per_kwh", "profile", "limits"} <= set(doc)


def test_schedule_text_states_units_and_limits(run_cli):
    r = run_cli("schedule", "--zone", "FRA", "--profile", "office-hours", "--energy", "1000 kWh")
    assert r.code == 0
    for text in ("gCO2e/kWh", "kgCO2e", "Europe/Paris", "marginal", "ODbL", "Electricity Maps", "same series"):
        assert text in r.out
    r = run_cli("schedule", "--zone", "FRA", "--duration", "6 h", "--earliest", "2026-12-07", "--deadline",
                "2026-12-14")
    assert r.code == 0 and "not an avoided emission" in r.out and "stands in" in r.out and "--energy" in r.out


@pytest.mark.parametrize("args", [
    ("--zone", "ESP", "--profile", "24/7"),
    ("--zone", "FRA"),
    ("--zone", "FRA", "--profile", "nope"),
    ("--zone", "FRA", "--profile", "24/7", "--duration", "6 h"),
    ("--zone", "FRA", "--duration", "6 h", "--earliest", "2026-12-07"),
    ("--zone", "FRA", "--profile", "24/7", "--power", "5 kW"),
])
def test_schedule_errors_exit_2_in_one_line(run_cli, args):
    r = run_cli("schedule", *args)
    assert r.code == 2 and r.out == "" and r.err.count("\n") == 1 and "Traceback" not in r.err


def test_schedule_plot_is_self_contained_and_never_overwrites_an_input(run_cli, tmp_path):
    out = tmp_path / "week.html"
    r = run_cli("schedule", "--zone", "FRA", "--profile", "office-hours", "--plot", str(out))
    page = out.read_text(encoding="utf-8")
    assert r.code == 0 and "Plotly" in page and "<script src=\"http" not in page and "ODbL" in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["week.html"]  # no temporary file left
    weights = tmp_path / "weights.txt"
    weights.write_text(" ".join(["1"] * 168))
    r = run_cli("schedule", "--zone", "FRA", "--profile", f"weekly:@{weights}", "--plot", str(weights))
    assert r.code == 2 and "overwrite an input" in r.err and weights.read_text() == " ".join(["1"] * 168)
    out2 = tmp_path / "batch.html"
    r = run_cli("schedule", "--zone", "DEU", "--duration", "3 h", "--earliest", "2026-12-07T18:00", "--deadline",
                "2026-12-08T08:00", "--plot", str(out2), "--json")
    assert r.code == 0 and json.loads(r.out)["plot"] == str(out2) and out2.stat().st_size > 100_000


def test_week_heatmap_cells_are_means_of_the_file(fra):
    from footprint.plots.hourly import week_table

    t = week_table("FRA", "office-hours:Europe/Paris")
    cell = {(r["day"], r["hour"]): r for r in t.rows}
    monday_9 = [v for tt, v in fra if (lt := tt.astimezone(PARIS)).weekday() == 0 and lt.hour == 9]
    assert cell[("Monday", 9)]["intensity_g_per_kwh"] == pytest.approx(sum(monday_9) / len(monday_9))
    assert cell[("Monday", 9)]["weight"] == 1.0 and cell[("Saturday", 10)]["weight"] == 0.0
    assert cell[("Friday", 17)]["weight"] == 1.0 and cell[("Friday", 18)]["weight"] == 0.0


def test_factors_command_credits_electricity_maps_and_the_odbl(run_cli):
    r = run_cli("factors", "show", "FRA")
    assert r.code == 0 and "Electricity Maps" in r.out and "ODbL" in r.out and "ADEME" in r.out
    doc = json.loads(run_cli("factors", "list", "--json").out)
    assert {h["zone"] for h in doc["hourly_series"]} == {"DEU", "FRA", "GBR"}
    assert all(h["licence"] == "ODbL-1.0" for h in doc["hourly_series"])


def test_figures_quoted_in_the_docs_are_the_computed_ones():
    doc = " ".join((Path(__file__).resolve().parent.parent / "docs" / "hourly.md").read_text(encoding="utf-8").split())
    for zone in ("FRA", "DEU", "GBR"):
        r = hourly.weighted_intensity(zone, "office-hours")
        assert f"{r['value_g_per_kwh']:.1f} against {r['yearly_average_g_per_kwh']:.1f}" in doc
