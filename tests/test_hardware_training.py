"""Embodied emissions per accelerator, accelerator profiles (H800, TPUs) and the training line."""

import os
import subprocess
import sys

import numpy as np
import pytest

from footprint import factors
from footprint.embodied import scaled_embodied
from footprint.estimator import estimate

SCRIPT = os.path.join(os.path.dirname(sys.executable), "footprint")

YEAR = 365.25 * 86400.0

# Meta's model cards: the GPU-hours and location-based tCO2e each card states (factors/models.csv rows)
LLAMA_CARDS = ("llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b",
               "llama-3.3-70b", "llama-4-scout", "llama-4-maverick")


def _central(q):
    return float(np.asarray(q)[..., 1])


def test_dedicated_l4_embodied_hand_computed():
    # one L4 (42.5 kgCO2e scaled) in a PCIe rack server slot (900 kgCO2e / 4 slots = 225 kgCO2e), 3-year life;
    # dedicated at 100 requests a day: each request is charged 86,400 / 100 = 864 s of the instance
    e = estimate(params="8B", gpu="L4", provisioning="dedicated", requests="100/day", zone="FRA")
    assert _central(e.raw["allocated_time"]) == pytest.approx(864.0)
    expected_g = (42.5 + 225.0) * 864.0 / (3 * YEAR) * 1000  # 2.441 g (was 8.00 g with the H100's 164 + 712.5 kg)
    assert _central(e.breakdown["embodied"]["co2e"].m_as("g")) == pytest.approx(expected_g, rel=1e-3)
    assert expected_g == pytest.approx(2.441, abs=1e-3)
    assert not any("proxy" in n for n in e.notes)


def test_every_shipped_gpu_has_its_own_embodied_and_server_slot():
    for gpu in factors.keys("gpus"):
        e = estimate(params="1B", gpu=gpu)
        assert not any("proxy" in n for n in e.notes), gpu
        prov = {a.name: a.as_dict().get("provenance", {}) for a in e.assumptions}
        assert prov["gpu_embodied"]["key"] == gpu and prov["server_embodied"]["key"] == gpu


def test_scaled_embodied_rows_follow_their_formula():
    # every derived row scaled from the H100 PCF equals the formula applied to the GPU's own sourced rows
    scaled = [r for r in factors.rows("gpus") if r.parameter == "embodied" and r.source_id == "FP-EMBODIED-SCALING"]
    assert len(scaled) >= 12
    for r in scaled:
        p = factors.parameters("gpus", r.key[0])
        value = scaled_embodied(p["die_area"].value, p["memory"].value, p["tdp"].value)
        assert r.value == pytest.approx(value, abs=0.06), r.key
        assert (r.low, r.high) == pytest.approx((0.6 * r.value, 1.6 * r.value), abs=0.1)
    # the scaling reproduces Boavizta's independent A100 80GB figure (143 kgCO2e) within 1 %
    assert scaled_embodied(826, 80, 400) == pytest.approx(143, rel=0.01)


def test_server_slot_matches_its_server():
    totals = {factors.get("servers", s, "embodied").value for s in ("gpu_server", "pcie_server", "tpu_host")}
    for gpu in factors.keys("gpus"):
        slot = factors.get("gpus", gpu, "server_embodied_per_gpu").value
        slots = factors.get("gpus", gpu, "server_gpu_slots").value
        assert any(slot * slots == pytest.approx(t) for t in totals), gpu
    # an inference card sits in a small server, not in a slot of an 8-GPU baseboard server
    assert factors.get("gpus", "L4", "server_embodied_per_gpu").value < factors.get(
        "gpus", "H100", "server_embodied_per_gpu").value / 3


def test_user_gpu_without_embodied_is_a_flagged_proxy(tmp_path, monkeypatch):
    (tmp_path / "gpus.csv").write_text(
        "gpu,parameter,value,unit,low,high,status,source_id,year,notes\n"
        + "".join(f"MyCard,{p},{v},{u},,,published,NVIDIA-L4-DS,2023,test\n" for p, v, u in (
            ("peak_flops_bf16", 100, "TFLOP/s"), ("memory", 24, "GB"), ("memory_bandwidth", 0.3, "TB/s"),
            ("tdp", 75, "W"), ("idle_power", 7, "W"))), encoding="utf-8")
    monkeypatch.setenv("FOOTPRINT_FACTORS", str(tmp_path))
    factors.clear_cache()
    try:
        e = estimate(params="1B", gpu="MyCard")
        kinds = {a.name: a.as_dict()["provenance"]["kind"] for a in e.assumptions}
        assert kinds["gpu_embodied"] == "proxy" and kinds["server_embodied"] == "proxy"
        assert any("server slot" in n and "proxy" in n for n in e.notes)
    finally:
        monkeypatch.delenv("FOOTPRINT_FACTORS")
        factors.clear_cache()


@pytest.mark.parametrize("name", ["tpu-v5e", "TPU v5e", "tpu_v5e", "TPU-V5E"])
def test_tpu_profile_resolves(name):
    e = estimate(params="8B", gpu=name)
    prov = {a.name: a.as_dict()["provenance"] for a in e.assumptions}
    assert prov["peak_flops"]["key"] == "TPU-v5e"
    assert _central(e.inputs["peak_flops"]) == pytest.approx(197e12)
    assert _central(e.inputs["gpu_memory"]) == pytest.approx(16e9)


def test_unknown_gpu_names_the_list():
    p = subprocess.run([SCRIPT, "estimate", "--params", "8B", "--gpu", "TPU v9"], capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "`footprint factors list gpus`" in p.stderr and "TPU-v4" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("model", LLAMA_CARDS)
def test_llama_cards_within_10_percent_and_inside_the_range(model):
    hours = factors.get("models", model, "training_gpu_hours").value
    tco2e = factors.get("models", model, "disclosed_training_co2e").value
    assert (hours, tco2e) != (None, None)
    run = estimate(model=model, training_lifetime_requests=1).training_run()
    h, c = run["gpu_hours"], run["co2e"]
    assert h["low"] <= hours <= h["high"] and h["value"] == pytest.approx(hours, rel=0.10)
    assert c["low"] <= tco2e <= c["high"] and c["value"] == pytest.approx(tco2e, rel=0.10)
    assert c["high"] > c["value"] * 1.5 > c["low"] * 3  # no zero-width range


@pytest.mark.parametrize("model", LLAMA_CARDS)
def test_a_meta_card_is_gpu_hours_x_tdp_x_the_fleet_pue_x_the_site_grid(model):
    # the card's power column is the TDP (400 W A100-80GB, 700 W H100) "adjusted for power usage efficiency":
    # Meta's fleet PUE (1.08) multiplies it, as it multiplies the card's own figure; hand-computed from the tables
    run = estimate(model=model, training_lifetime_requests=1).training_run()
    hours = factors.get("models", model, "training_gpu_hours").value
    tdp = factors.get("models", model, "training_gpu_power").value
    assert tdp == {"llama-2": 400}.get(model[:7], 700)
    us = factors.get("grid", "USA", "carbon_intensity").value  # gCO2e/kWh
    assert run["energy"]["value"] == pytest.approx(hours * tdp * 1.08 / 1e6, rel=1e-9)  # MWh
    assert run["co2e"]["value"] == pytest.approx(hours * tdp * 1.08 / 1e3 * us / 1e6, rel=1e-9)  # t


def test_a_given_training_power_drops_the_card_pue():
    # a user's own power per GPU is theirs: the card's PUE adjustment no longer applies (PUE 1 unless given)
    run = estimate(model="llama-2-7b", training_lifetime_requests=1, training_gpu_power="400 W").training_run()
    assert run["energy"]["value"] == pytest.approx(184_320 * 400 / 1e6, rel=1e-9)
    run = estimate(model="llama-2-7b", training_lifetime_requests=1, training_gpu_power="400 W",
                   training_pue=1.2).training_run()
    assert run["energy"]["value"] == pytest.approx(184_320 * 400 * 1.2 / 1e6, rel=1e-9)


def test_training_site_and_hardware_from_the_developer():
    ds = estimate(model="deepseek-v3", training_lifetime_requests=1)
    prov = {a.name: a.as_dict()["provenance"] for a in ds.assumptions}
    assert prov["training_grid_intensity"]["key"] == "CHN"
    assert prov["training_gpu_power"]["key"] == "H800"
    # 2.788M H800-hours x 700 W x 559.55 gCO2e/kWh (China) = 1,092 t
    assert ds.training_run()["co2e"]["value"] == pytest.approx(2.788e6 * 0.7 * 0.55955 / 1000, rel=1e-3)
    mistral = estimate(model="mistral-large-2", training_lifetime_requests=1e9, training_gpu_hours=1e6)
    assert {a.name: a.as_dict()["provenance"] for a in mistral.assumptions}["training_grid_intensity"]["key"] == "FRA"
    bare = estimate(params="8B", training_lifetime_requests=1e9, training_gpu_hours=1e6)
    assert {a.name: a.as_dict()["provenance"] for a in bare.assumptions}["training_grid_intensity"]["key"] == "WOR"
    assert any("training site unknown" in n for n in bare.notes)
    assert any("serving GPU's TDP stands for the training power" in n for n in bare.notes)


def test_training_water_line():
    e = estimate(model="llama-3.1-8b", training_lifetime_requests=1e9)
    energy_kwh = _central(e.breakdown["training"]["energy"].m_as("kWh"))
    wue = factors.get("datacenters", "ai_datacenter", "wue").value
    wi = factors.get("grid", "USA", "water_intensity").value
    assert _central(e.breakdown["training"]["water"].m_as("L")) == pytest.approx(energy_kwh * (wue + wi), rel=1e-6)
    onsite = estimate(model="llama-3.1-8b", training_lifetime_requests=1e9, water_scope="onsite")
    assert _central(onsite.breakdown["training"]["water"].m_as("L")) == pytest.approx(energy_kwh * wue, rel=1e-6)


def test_proxy_is_flagged_in_the_plots(tmp_path, monkeypatch):
    pytest.importorskip("plotly")
    from footprint import plots

    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "gpus.csv").write_text(
        "gpu,parameter,value,unit,low,high,status,source_id,year,notes\n"
        + "".join(f"MyCard,{p},{v},{u},,,published,NVIDIA-L4-DS,2023,test\n" for p, v, u in (
            ("peak_flops_bf16", 100, "TFLOP/s"), ("memory", 24, "GB"), ("memory_bandwidth", 0.3, "TB/s"),
            ("tdp", 75, "W"), ("idle_power", 7, "W"))), encoding="utf-8")
    text = open(os.path.join(os.path.dirname(__file__), "..", "scenarios", "medical_reports.toml"),
                encoding="utf-8").read().replace('gpu = "L4"', 'gpu = "MyCard"')
    scenario = tmp_path / "s.toml"
    scenario.write_text(text, encoding="utf-8")
    monkeypatch.setenv("FOOTPRINT_FACTORS", str(tables))
    factors.clear_cache()
    try:
        c = plots.load_comparison(scenario, samples=100, seed=0)
        for kind in ("breakdown", "comparison"):
            title = plots.draw(plots.table(c, kind, "co2e")).layout.title.text
            assert "Proxy values" in title and "gpu_embodied" in title and "server_embodied" in title, kind
    finally:
        monkeypatch.delenv("FOOTPRINT_FACTORS")
        factors.clear_cache()
    c = plots.load_comparison(os.path.join(os.path.dirname(__file__), "..", "scenarios", "medical_reports.toml"),
                              samples=100, seed=0)
    assert "Proxy" not in plots.draw(plots.table(c, "breakdown", "co2e")).layout.title.text


def test_training_gpu_input_sets_power_and_peak():
    # 1e6 TPU v5p hours x 450 W (assumed, 300-600 W) x training_power_ratio (0.6-1.2) = 450 MWh (180-720)
    run = estimate(params="8B", training_gpu="tpu-v5p", training_gpu_hours=1e6,
                   training_lifetime_requests=1).training_run()
    assert (run["energy"]["low"], run["energy"]["value"], run["energy"]["high"]) == pytest.approx((180, 450, 720))
    # the 6 N D path runs on the training GPU's peak: 6 x 8e9 x 1e12 / (459e12 x 0.4) s
    e = estimate(params="8B", training_gpu="TPU v5p", training_tokens="1T", training_lifetime_requests=1)
    assert e.training_run()["gpu_hours"]["value"] == pytest.approx(6 * 8e9 * 1e12 / (459e12 * 0.4) / 3600)


def test_catalogue_check_refuses_an_unknown_training_gpu_or_zone(tmp_path, monkeypatch):
    from footprint import catalogue

    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "training.csv").write_text(
        "model,training_gpu,training_zone,source_id,notes\nllama-2-7b,H900,ATL,META-LLAMA2-CARD,test\n",
        encoding="utf-8")
    monkeypatch.setenv("FOOTPRINT_FACTORS", str(tmp_path))
    factors.clear_cache()
    catalogue.clear_cache()
    try:
        problems = catalogue.validate()
        assert any("training_gpu 'H900'" in p for p in problems) and any("training_zone 'ATL'" in p for p in problems)
    finally:
        monkeypatch.delenv("FOOTPRINT_FACTORS")
        factors.clear_cache()
        catalogue.clear_cache()
