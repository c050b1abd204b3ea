"""Issue 12: honest comparisons (no silent zero, undefined metrics said in words)."""

import json
from pathlib import Path

import numpy as np
import pytest

from footprint import alternatives, factors
from footprint.compare import compare_scenario
from footprint.estimator import LINES
from footprint.scenario import load
from footprint.units import ureg

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", alternatives.names())
def test_every_activity_states_energy_and_water_or_why_not(name):
    act = alternatives.activity(name)
    assert act.energy is not None or act.not_available.get("energy")
    assert alternatives.water_gap(act) is None or alternatives.water_gap(act).strip()
    for metric, reason in act.not_available.items():
        assert len(reason) > 20, (name, metric, reason)  # a reason people can read, not a code


def test_car_energy_is_fuel_content_times_consumption():
    # 110.6 gCO2e/km of fuel / 3.17 kgCO2e per litre x 36 MJ/L (RED II Annex III), by hand
    expected = 110.6 / 3170 * 36 / 3.6  # kWh/km
    row = factors.get("alternatives", "car_km", "energy")
    assert row.value == pytest.approx(expected, rel=0.005)
    act = alternatives.activity("car_km")
    assert act.carrier == "fuel" and "water" in act.not_available


def _draw(x, unit, key=None):
    from footprint.uncertainty import triplet
    return triplet(x, unit, True)


def test_fuel_energy_gets_no_grid_carbon_and_no_water():
    gi, wi = ureg.Quantity(1000, "g/kWh").to("kg/J"), ureg.Quantity(3, "L/kWh").to("L/J")
    ln = alternatives.line("car_km", 10, grid_intensity=gi, water_intensity=wi)
    energy, co2e, water, *_ = alternatives.line_values(ln, _draw)
    assert energy[1] == pytest.approx(10 * 0.349 * 3.6e6)
    assert co2e[1] == pytest.approx(10 * 0.14225)  # the co2e row alone: the grid's 1000 g/kWh is not applied
    assert np.all(np.isnan(water))  # never a silent zero


def test_office_water_is_its_electricity_share_times_the_grid_water():
    gi, wi = ureg.Quantity(46.1, "g/kWh").to("kg/J"), ureg.Quantity(3.67, "L/kWh").to("L/J")
    ln = alternatives.line("office_hour_fr", "1 h", grid_intensity=gi, water_intensity=wi)
    energy, co2e, water, *_ = alternatives.line_values(ln, _draw)
    assert water[1] == pytest.approx(1.63 * 0.78 * 3.67)
    assert co2e[1] == pytest.approx(1.63 * 0.0867)


def test_gps_route_energy_and_water_are_undefined_never_zero(run_cli):
    r = run_cli("compare", str(ROOT / "scenarios" / "gps_route.toml"), "--json", "--samples", "200")
    assert r.code == 0, r.err
    d = json.loads(r.out)
    for k in ("energy", "water"):
        assert d["per_task"]["ratio"][k]["value"] is None
        assert d["benefit"]["probability_ai_lower"][k] is None
        assert d["break_even"][k]["status"] == "not_available"
        assert "undefined" in d["variants"]["gps-app"]["not_available"][k]["text"]
    # the car's fuel energy is counted on both sides: the known lines are kWh, not 0 Wh
    assert d["per_task"]["alternative"]["energy"]["known_lines"]["value"] > 8000  # Wh: 31 km x 0.349 kWh
    assert d["breakdown"]["alternative"]["the trip (car), with detours"]["energy"]["value"] == pytest.approx(
        31 * 349, rel=1e-6)
    assert d["per_task"]["ratio"]["co2e"]["value"] is not None
    assert any("primary energy" in n for n in d["notes"])
    text = run_cli("compare", str(ROOT / "scenarios" / "gps_route.toml"), "--samples", "200").out
    assert "not available" in text and "undefined" in text and "nan" not in text


def test_no_shipped_line_has_a_silent_zero():
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        d = compare_scenario(load(path), samples=100).to_dict()
        for v in d["variants"].values():
            for side in ("ai", "alternative"):
                for label, line in v["breakdown"][side].items():
                    for k, f in line.items():
                        if f["value"] == 0:  # a true zero must come from a zero factor (walking), not a gap
                            act = next((a for a in alternatives.names() if a in label), None)
                            estimator_line = label.split(": ")[-1] in LINES  # the AI model's own lines
                            in_per_capita = ((label.endswith("(use-phase energy)") and k == "co2e")  # in the allocation
                                             or ("per-capita allocation" in label and k != "co2e"))  # on the device
                            assert act in ("walk_km", "bike_km") or estimator_line or in_per_capita, (path, label, k)


# -- point 2: the human-time boundary ---------------------------------------------------------------

_MINI = """
name = "mini"
[task]
unit = "letter"
volume = "100/day"
horizon = "1 year"
source = "assumption: a test volume"
[[ai]]
name = "api"
agent_time = "1 min"
  [[ai.steps]]
  name = "draft"
  params = "8B"
[alternative]
agent_time = "10 min"
{human}
"""


def _mini(human=""):
    from footprint.scenario import loads
    return loads(_MINI.format(human=human))


@pytest.mark.parametrize("freed, boundary", [(None, "device"), ("reassigned", "device"),
                                             ("fewer posts", "device+office"), ("less office space", "device+office")])
def test_freed_time_sets_the_boundary_and_device_is_the_default(freed, boundary):
    s = _mini("" if freed is None else f'[human_time]\nfreed_time = "{freed}"')
    assert s.human_time.boundary == boundary
    c = compare_scenario(s, samples=100)
    labels = set(c.primary.breakdown_alternative)
    assert ("agent time: office building (FR)" in labels) == (boundary == "device+office")
    # the same boundary on both sides: the AI variant's agent time gets the office too, or not
    assert ("agent time: office building (FR)" in set(c.primary.breakdown_ai)) == (boundary == "device+office")


def test_a_bad_freed_time_is_one_line():
    from footprint.errors import InputError
    with pytest.raises(InputError, match="freed_time: unknown value 'fewer jobs'.*reassigned"):
        _mini('[human_time]\nfreed_time = "fewer jobs"')


def test_robustness_counts_the_boundaries_where_ai_is_lower():
    c = compare_scenario(_mini(), samples=100)
    d = c.to_dict()
    rob = d["benefit"]["robustness"]
    ratios = {b: f["value"] for b, f in d["benefit"]["ratio_by_boundary"].items()}
    assert rob["boundaries"] == 4 and rob["ai_lower"] == sum(r < 1 for r in ratios.values())
    assert ratios["device"] == pytest.approx(d["per_task"]["ratio"]["co2e"]["value"])
    assert f"AI lower under {rob['ai_lower']} of 4 boundaries" in rob["text"]
