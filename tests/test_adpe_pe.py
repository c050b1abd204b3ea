"""Abiotic depletion (ADPe) and primary energy: electricity by zone, embodied hardware, activities, compare, plots."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from footprint import alternatives, estimate, factors
from footprint.compare import compare_scenario
from footprint.scenario import load
from footprint.units import ureg

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "scenarios").glob("*.toml"))
OPERATIONAL = ("gpu_busy", "gpu_idle", "host", "pue_overhead")


def _operational(doc, metric):
    return sum(doc["breakdown"][line][metric]["value"] for line in OPERATIONAL)


def test_one_kwh_on_the_french_grid_gives_the_factors():
    # 1 kWh of IT energy at PUE 1 on FRA: ADPe 4.858e-8 kgSbeq and 9.3135 MJ (EcoLogits / ADEME Base Empreinte)
    d = estimate(energy_per_item="1 kWh", pue=1, zone="FRA").to_dict()
    assert _operational(d, "adpe") == pytest.approx(4.858e-8 * 1e6)  # mgSbeq
    assert _operational(d, "primary_energy") == pytest.approx(9.3135e3)  # kJ
    assert d["breakdown"]["gpu_busy"]["energy"]["value"] == pytest.approx(1000.0)  # Wh


def test_embodied_adpe_and_pe_by_hand():
    # one H100: Boavizta's A100 80GB card (5.09e-3 kgSbeq, 1828 MJ for 143 kgCO2e) scaled to the H100's
    # 164 kgCO2e; its 8-GPU server slot (0.37 / 8 kgSbeq, 70,000 / 8 MJ) at the slot's own CO2e ratio (1);
    # over 3 years, charged for the allocated time
    e = estimate(energy_per_item="1 kWh", pue=1, zone="FRA", gpus=1)
    t = e.intermediates()["allocated_time_s"]
    life = ureg.Quantity(3, "year").m_as("s")
    d = e.to_dict()
    k = 164 / 143
    assert d["breakdown"]["embodied"]["adpe"]["value"] == pytest.approx((5.09e-3 * k + 0.37 / 8) / life * t * 1e6)
    assert d["breakdown"]["embodied"]["primary_energy"]["value"] == pytest.approx(
        (1828 * k + 70000 / 8) / life * t * 1e3)
    assert any("A100 80GB" in n and "in proportion to their embodied CO2e" in n for n in d["notes"])  # named
    assert not any("proxy" in n for n in d["notes"] if "embodied" in n)


def test_embodied_adpe_scaled_for_a_pcie_card():
    # an L4 (42.5 kgCO2e) in a 4-card rack server slot (225 kgCO2e): both scaled from the references
    e = estimate(energy_per_item="1 kWh", pue=1, zone="FRA", gpus=1, gpu="L4")
    t = e.intermediates()["allocated_time_s"]
    life = ureg.Quantity(3, "year").m_as("s")
    d = e.to_dict()
    want = (5.09e-3 * 42.5 / 143 + 0.37 / 8 * 225 / 712.5) / life * t * 1e6
    assert d["breakdown"]["embodied"]["adpe"]["value"] == pytest.approx(want)


@settings(max_examples=25, deadline=None)
@given(kwh=st.floats(1e-3, 1e3), zone=st.sampled_from(["FRA", "DEU", "USA", "SWE"]))
def test_operational_adpe_and_pe_scale_with_energy(kwh, zone):
    d = estimate(energy_per_item=f"{kwh} kWh", pue=1.3, zone=zone).to_dict()
    energy_kwh = sum(d["breakdown"][line]["energy"]["value"] for line in OPERATIONAL) / 1e3
    adpe = factors.get("grid", zone, "adpe_intensity").quantity.m_as("kg/kWh")
    pe = factors.get("grid", zone, "primary_energy_intensity").quantity.m_as("MJ/kWh")
    assert _operational(d, "adpe") == pytest.approx(energy_kwh * adpe * 1e6, rel=1e-9)
    assert _operational(d, "primary_energy") == pytest.approx(energy_kwh * pe * 1e3, rel=1e-9)


def test_a_zone_without_factors_takes_the_named_world_proxy():
    zone = "SGP"
    assert factors.get("grid", zone, "adpe_intensity") is None
    d = estimate(energy_per_item="1 kWh", pue=1, zone=zone).to_dict()
    assert _operational(d, "adpe") == pytest.approx(factors.get("grid", "WOR", "adpe_intensity").value * 1e6)
    assert any("no ADPe factor of electricity for this zone" in n for n in d["notes"])
    assert any("no primary-energy factor of electricity for this zone" in n for n in d["notes"])


def test_totals_and_units_parse():
    d = estimate(params="8B", zone="FRA", requests="1000/day").to_dict()
    for scope in ("per_request", "total"):
        for metric in ("adpe", "primary_energy"):
            q = d[scope][metric]
            ureg.Unit(q["unit"])
            assert q["low"] <= q["value"] <= q["high"] and q["value"] > 0


def test_an_electric_device_converts_with_the_zone_factors():
    # one hour of laptop: 0.0265 kWh x zone factor + embodied 1.070e-6 kgSbeq/h and 0.300 MJ/h
    from footprint.compare import zone_resources, _zone_electricity
    gi, wi, _, _ = _zone_electricity("FRA")
    r = zone_resources("FRA")
    ln = alternatives.line("laptop_hour", "1 hour", grid_intensity=gi, water_intensity=wi,
                           adpe_intensity=r["adpe"][0], primary_energy_intensity=r["primary_energy"][0])
    from footprint.compare import Cases
    energy, co2e, water, adpe, pe = (float(np.asarray(x)[1]) for x in alternatives.line_values(ln, Cases()))
    assert adpe == pytest.approx(0.0265 * 4.858e-8 + 1.070e-6)
    assert pe == pytest.approx((0.0265 * 9.3135 + 0.300) * 1e6)


def test_a_life_cycle_co2e_without_resource_figures_is_not_available():
    from footprint.compare import _zone_electricity
    gi, wi, _, _ = _zone_electricity("FRA")
    ln = alternatives.line("printed_page", 1, grid_intensity=gi, water_intensity=wi)
    assert {"adpe", "primary_energy"} <= set(ln.not_available)
    values = alternatives.line_values(ln, __import__("footprint.compare", fromlist=["Cases"]).Cases())
    assert np.all(np.isnan(values[3])) and np.all(np.isnan(values[4]))  # NaN, never 0


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_no_activity_line_has_a_silent_zero(path):
    c = compare_scenario(load(path), samples=100)
    for vc in c.variants.values():
        steps = {st.name for v in c.plan.variants for st in v.steps}
        for side in (vc.breakdown_ai, vc.breakdown_alternative):
            for label, d in side.items():
                if label.split(": ", 1)[0] in steps:
                    continue  # the model's own lines (their zeros are named in the notes)
                act = next(ln for ln in (*c.plan.alternative, *(ln for v in c.plan.variants for ln in v.lines))
                           if ln.label == label)
                for metric, q in d.items():
                    if ("(use-phase energy)" in label and metric == "co2e") or \
                            (act.activity in alternatives.PER_CAPITA.values() and metric != "co2e"):
                        continue  # per-capita boundary: CO2e on its own labelled line, the rest on the device's
                    central = float(np.asarray(q.magnitude)[1])
                    gap = metric in vc.line_gaps.get(label, {})
                    assert gap or central > 0 or act.activity in ("walk_km",), (path.stem, label, metric)
                    assert not gap or np.isnan(central)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_a_side_without_a_metric_is_undefined_in_words(path):
    doc = compare_scenario(load(path), samples=100).to_dict()
    for v in doc["variants"].values():
        for metric, g in v["not_available"].items():
            assert v["per_task"]["ratio"][metric]["value"] is None
            assert v["benefit"]["probability_ai_lower"][metric] is None
            assert v["break_even"][metric]["status"] == "not_available"
            assert "undefined" in g["text"]


def test_compare_water_scope_is_the_same_on_both_sides():
    s = load(ROOT / "scenarios" / "medical_reports.toml")
    both = compare_scenario(s, samples=100).to_dict()
    onsite = compare_scenario(s, samples=100, water_scope="onsite").to_dict()
    w = both["variants"][both["variant"]]["water_scope"]
    assert w["scope"] == "onsite+electricity" and onsite["variants"][onsite["variant"]]["water_scope"]["scope"] == "onsite"
    # both scopes in the JSON of either run, and the figures follow the scope
    assert w["alternative"]["onsite"]["value"] == 0.0  # an activity's electricity has no on-site water
    assert both["per_task"]["alternative"]["water"]["value"] == pytest.approx(w["alternative"]["onsite+electricity"]["value"])
    assert both["per_task"]["ai"]["water"]["value"] == pytest.approx(w["ai"]["onsite+electricity"]["value"])
    assert onsite["per_task"]["ai"]["water"]["value"] == pytest.approx(w["ai"]["onsite"]["value"])
    assert onsite["per_task"]["alternative"]["water"]["value"] == 0.0
    assert w["ai"]["onsite"]["value"] < w["ai"]["onsite+electricity"]["value"]
    assert any(n.startswith("water scope: onsite,") for n in onsite["notes"])


def test_an_unknown_water_scope_is_refused(run_cli):
    r = run_cli("compare", str(ROOT / "scenarios" / "medical_reports.toml"), "--water-scope", "offsite")
    assert r.code == 2 and "offsite" in r.err


@pytest.mark.parametrize("metric", ["adpe", "primary_energy"])
def test_plot_accepts_the_resource_metrics(metric, run_cli, tmp_path):
    out = tmp_path / "p.html"
    r = run_cli("plot", str(ROOT / "scenarios" / "medical_reports.toml"), "--metric", metric, "--kind", "breakdown",
                "-o", str(out))
    assert r.code == 0, r.err
    assert out.exists()


def test_batch_has_the_resource_columns(tmp_path, run_cli):
    table = tmp_path / "in.csv"
    table.write_text("params,zone,requests\n8B,FRA,1000/day\n70B,SGP,10/day\n")
    r = run_cli("estimate", "--batch", str(table), "--output", str(tmp_path / "out.csv"))
    assert r.code == 0, r.err
    head = (tmp_path / "out.csv").read_text().splitlines()[0]
    for col in ("adpe_per_request[mgSbeq]", "primary_energy_per_request[kJ]", "adpe_total[gSbeq]",
                "primary_energy_total[MJ]"):
        assert col in head


def test_assumptions_show_the_resource_factors_in_their_own_units():
    d = estimate(params="8B", zone="FRA").to_dict()
    units = {a["name"]: (a["value"], a["unit"]) for a in d["assumptions"]}
    assert units["grid_adpe"] == (pytest.approx(4.858e-8), "kgSbeq/kWh")
    assert units["grid_primary_energy"] == (pytest.approx(9.3135), "MJ/kWh")
    assert units["server_embodied_pe"] == (pytest.approx(8750.0), "MJ")
    assert units["gpu_embodied_adpe"][1] == "kgSbeq"


def _activities_in_bullet(text: str, start: str) -> set:
    """Activity keys quoted (in backticks) in the bullet of docs/methodology.md that begins with `start`."""
    import re

    bullet = text[text.index(start):]
    bullet = bullet[:bullet.index("\n\n")]
    return {k for k in re.findall(r"`([a-z0-9_]+)`", bullet) if k in alternatives.names()}


def test_the_methodology_lists_every_activity_without_adpe_or_primary_energy():
    # the docs name each activity whose ADPe or primary energy the sources do not give (per-capita allocations
    # are CO2e-only lines, their resources are the device's); adding a figure must update the list
    lacking = {n for n in alternatives.names() if n not in alternatives.PER_CAPITA.values()
               and any(alternatives.resource_gap(alternatives.activity(n), m) for m in ("adpe", "primary_energy"))}
    text = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
    assert _activities_in_bullet(text, "- *Activities* (`factors/alternatives.csv`)") == lacking
    assert {"network_mobile_gb", "network_fixed_gb", "car_km"} <= lacking  # car_km: primary energy only


def test_the_city_chatbot_lacks_adpe_and_primary_energy_only_for_its_mobile_network_lines():
    # the mobile transfers (200 kB per answer on the AI side, the voice call on the other) are the only lines
    # without ADPe or primary energy: both sides are undefined for these metrics (NaN, never a partial sum)
    c = compare_scenario(load(ROOT / "scenarios" / "city_chatbot.toml"), samples=100)
    activity_of = {ln.label: ln.activity for ln in (*c.plan.alternative, *(ln for v in c.plan.variants for ln in v.lines))}
    for vc in c.variants.values():
        for metric in ("adpe", "primary_energy"):
            lines = {label for label, gaps in vc.line_gaps.items() if metric in gaps}
            assert {activity_of[label] for label in lines} == {"network_mobile_gb"}, (metric, lines)
            assert {"network transfer (mobile)", "voice call over the mobile network"} == lines
            assert all("not in the sources read" in vc.line_gaps[label][metric] for label in lines)
            for side in (vc.per_task_ai, vc.per_task_alternative):
                assert np.all(np.isnan(np.asarray(side[metric].magnitude)))
