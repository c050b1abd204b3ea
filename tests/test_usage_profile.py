"""A usage profile weights the zone's hourly grid intensity in estimate, batch and scenarios."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from footprint import batch
from footprint.estimator import estimate

ROOT = Path(__file__).resolve().parents[1]


def _fra_series():
    with (ROOT / "factors" / "grid_hourly" / "FRA_2023.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [(datetime.fromisoformat(r["hour_utc"].replace("Z", "+00:00")), float(r["carbon_intensity_lca"]))
            for r in rows]


def test_office_hours_against_24_7_by_the_amount_the_data_imply():
    series = _fra_series()
    paris = ZoneInfo("Europe/Paris")
    office = [x for t, x in series if t.astimezone(paris).weekday() < 5 and 9 <= t.astimezone(paris).hour < 18]
    expected_ratio = (sum(office) / len(office)) / (sum(x for _, x in series) / len(series))
    kw = dict(params="8B", gpu="L4", zone="FRA")
    office_doc = estimate(usage_profile="office-hours", **kw).to_dict()
    always_doc = estimate(usage_profile="24/7", **kw).to_dict()
    got = office_doc["breakdown"]["gpu_busy"]["co2e"]["value"] / always_doc["breakdown"]["gpu_busy"]["co2e"]["value"]
    assert got == pytest.approx(expected_ratio, rel=1e-9)
    assert any("office hours" in n and "another boundary" in n for n in office_doc["notes"])
    gi = next(a for a in office_doc["assumptions"] if a["name"] == "grid_intensity")
    assert gi["provenance"]["table"] == "grid_hourly" and gi["provenance"]["source_id"].startswith("EMAPS-HOURLY")


def test_zone_without_hourly_data_keeps_its_yearly_factor_with_a_note():
    doc = estimate(params="8B", zone="USA", usage_profile="office-hours").to_dict()
    plain = estimate(params="8B", zone="USA").to_dict()
    assert doc["per_request"] == plain["per_request"]
    assert any("no hourly grid data" in n for n in doc["notes"])


def test_batch_and_scenario_take_the_profile(tmp_path, run_cli):
    table = pd.DataFrame({"params": ["8B", "8B"], "zone": ["FRA", "FRA"], "usage_profile": ["office-hours", None]})
    out = batch.estimate(table)
    single = estimate(params="8B", zone="FRA", usage_profile="office-hours").to_dict()
    assert out["co2e_per_request[gCO2e]"].iloc[0] == pytest.approx(single["per_request"]["co2e"]["value"], rel=1e-12)
    assert "office hours" in out["notes"].iloc[0] and "office hours" not in out["notes"].iloc[1]
    src = (ROOT / "scenarios" / "city_chatbot.toml").read_text(encoding="utf-8")
    assert 'model = "' in src
    s = tmp_path / "s.toml"
    s.write_text(src.replace('model = "', 'usage_profile = "office-hours"\nmodel = "', 1), encoding="utf-8")
    r = run_cli("compare", str(s), "--json")
    assert r.code == 0, r.err
    assert any("office hours" in n for n in json.loads(r.out)["notes"])


def test_a_bad_profile_is_one_line(run_cli):
    r = run_cli("estimate", "--params", "8B", "--zone", "FRA", "--usage-profile", "sometimes")
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and "--usage-profile" in r.err
