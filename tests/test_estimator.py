"""The orchestrator: a hand-computed case, the JSON contract, ranges, and properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footprint import factors
from footprint.estimator import INPUTS, LINES, compute, estimate, to_magnitudes
from footprint.montecarlo import estimate_percentiles
from footprint.resolve import resolve
from footprint.uncertainty import Range
from footprint.units import ureg

HAND = dict(params="1B", precision="fp16", input_tokens=0, output_tokens=100, gpus=1, batch_size=1, gpu="H100",
            fleet_utilisation=1, host_power="0 W", pue=1.5, grid_intensity="100 g/kWh", wue="0 L/kWh",
            water_intensity="1 L/kWh", gpu_embodied="0 kgCO2e", server_embodied="0 kgCO2e", kv_bytes_per_token="0 B",
            constants=dict(eta_compute=0.5, eta_memory=0.5, u_memory=0.5, u_compute=0.5, step_overhead="0 s"))


def test_hand_computed_case():
    idle = factors.get("gpus", "H100", "idle_power").value
    tdp = factors.get("gpus", "H100", "tdp").value
    bw = factors.get("gpus", "H100", "memory_bandwidth").value * 1e12
    t_step = 2e9 / (bw * 0.5)                       # memory-bound: 2 GB of weights per step
    it = (idle + 0.5 * (tdp - idle)) * 100 * t_step  # J, batch 1, no host, no idle time
    facility_wh = it * 1.5 / 3600
    e = estimate(**HAND)
    d = e.to_dict()
    assert d["per_request"]["energy"]["value"] == pytest.approx(facility_wh, rel=1e-9)
    assert d["per_request"]["co2e"]["value"] == pytest.approx(facility_wh / 1000 * 100, rel=1e-9)
    assert d["per_request"]["water"]["value"] == pytest.approx(facility_wh / 1000 * 1000, rel=1e-9)  # mL
    assert d["breakdown"]["gpu_busy"]["energy"]["value"] == pytest.approx(it / 3600, rel=1e-9)
    assert d["breakdown"]["pue_overhead"]["energy"]["value"] == pytest.approx(it * 0.5 / 3600, rel=1e-9)
    assert d["breakdown"]["gpu_idle"]["energy"]["value"] == 0.0


def test_dedicated_idle_spread_over_requests():
    # one request per hour on a dedicated endpoint: each request carries an hour of idle power
    base = dict(HAND, provisioning="dedicated", requests="24/day", period="1 day")
    d = estimate(**base).to_dict()
    idle = factors.get("gpus", "H100", "idle_power").value
    busy = d["intermediates"]["busy_time_s"]
    assert d["intermediates"]["allocated_time_s"] == pytest.approx(3600.0)
    assert d["breakdown"]["gpu_idle"]["energy"]["value"] == pytest.approx(idle * (3600 - busy) / 3600, rel=1e-9)
    assert d["total"]["energy"]["value"] == pytest.approx(d["per_request"]["energy"]["value"] * 24 / 1000, rel=1e-9)


def test_json_contract_keys_and_ordering():
    d = estimate(params="70B", output_tokens=400, gpu="H100", zone="FRA", requests="10000/day").to_dict()
    for key in ("energy", "co2e", "water"):
        for block in (d["per_request"], d["total"]):
            fig = block[key]
            assert set(fig) == {"value", "unit", "low", "high"}
            assert fig["low"] <= fig["value"] <= fig["high"]
            ureg.Quantity(1, fig["unit"])  # the unit parses
    assert set(d["breakdown"]) == set(LINES)
    names = {a["name"] for a in d["assumptions"]}
    assert {"total_params", "grid_intensity", "pue", "batch_size", "serving_path"} <= names
    assert all({"name", "value", "unit", "source"} <= set(a) for a in d["assumptions"])


def test_plausible_magnitude_70b_h100():
    # DESIGN/issue: a 70B model answering 400 tokens on H100 is a fraction of a Wh, not uWh or kWh
    v = estimate(params="70B", output_tokens=400, gpu="H100", zone="FRA").per_request["energy"].m_as("Wh")
    assert 0.05 < v[1] < 3.0


def test_zone_sets_co2_per_energy():
    e = estimate(params="8B", output_tokens=300, zone="FRA", fleet_utilisation=1)
    fra = factors.get("grid", "FRA", "carbon_intensity").value
    # embodied and training are not grid-driven: compare the operational lines only
    op = sum(e.raw[f"co2e.{line}"][..., 1] for line in ("gpu_busy", "gpu_idle", "host", "pue_overhead"))
    en = sum(e.raw[f"energy.{line}"][..., 1] for line in ("gpu_busy", "gpu_idle", "host", "pue_overhead"))
    assert op / en * 3.6e6 * 1000 == pytest.approx(fra, rel=1e-9)


def test_range_input_widens_output():
    point = estimate(**dict(HAND, pue=1.5)).to_dict()["per_request"]["energy"]
    ranged = estimate(**dict(HAND, pue="1.2..1.8")).to_dict()["per_request"]["energy"]
    assert ranged["value"] == pytest.approx(point["value"])
    # the GPU's idle power has a range of its own: the PUE range scales each end
    assert ranged["low"] == pytest.approx(point["low"] * 1.2 / 1.5)
    assert ranged["high"] == pytest.approx(point["high"] * 1.8 / 1.5)


def test_measured_path_overrides_model():
    d = estimate(**dict(HAND, measured_energy_per_token="0.5 J/token")).to_dict()
    assert d["per_request"]["energy"]["value"] == pytest.approx(0.5 * 100 * 1.5 / 3600)
    d2 = estimate(**dict(HAND, measured_tokens_per_second="1000 token/s", measured_power="500 W")).to_dict()
    assert d2["per_request"]["energy"]["value"] == pytest.approx(d["per_request"]["energy"]["value"])


def test_flop_path_special_case():
    # energy = 2 N tokens / (F u) x P x PUE
    d = estimate(params="100B", input_tokens=0, output_tokens=500, gpu="H100", flop_utilisation=0.1,
                 power_per_gpu="1000 W", pue=1.0, fleet_utilisation=1, zone="FRA").to_dict()
    peak = factors.get("gpus", "H100", "peak_flops_bf16").value * 1e12
    assert d["per_request"]["energy"]["value"] == pytest.approx(2 * 100e9 * 500 / (peak * 0.1) * 1000 / 3600)


def test_generic_item_path():
    d = estimate(flops_per_item="1e15", gpu="H100", flop_utilisation=0.5, power_per_gpu="500 W", pue=1.0,
                 fleet_utilisation=1).to_dict()
    peak = factors.get("gpus", "H100", "peak_flops_bf16").value * 1e12
    assert d["per_request"]["energy"]["value"] == pytest.approx(1e15 / (peak * 0.5) * 500 / 3600)
    d = estimate(energy_per_item="36 J", pue=1.0).to_dict()
    assert d["per_request"]["energy"]["value"] == pytest.approx(0.01)


def test_training_amortised_line():
    d = estimate(model="llama-2-7b", output_tokens=400, training_lifetime_requests="1e9", training_grid_intensity="429 g/kWh").to_dict()
    hours = factors.get("models", "llama-2-7b", "training_gpu_hours").value
    power = factors.get("models", "llama-2-7b", "training_gpu_power").value
    pue = factors.get("models", "llama-2-7b", "training_pue").value  # Meta's fleet PUE, by which the card adjusts its TDP
    assert pue == 1.08
    assert d["breakdown"]["training"]["energy"]["value"] == pytest.approx(hours * power * pue / 1e9, rel=1e-9)
    assert d["breakdown"]["training"]["co2e"]["value"] == pytest.approx(hours * power * pue / 1e9 / 1000 * 429,
                                                                        rel=1e-9)


def test_vectorised_compute_many_scenarios_in_one_call():
    r = resolve(params="8B", output_tokens=300, zone="FRA")
    m = to_magnitudes(r.values)
    tokens = np.arange(1, 2001, dtype=float)
    m["output_tokens"] = np.repeat(tokens[:, None], 3, axis=1)
    out = compute(m)
    assert out["energy"].shape == (2000, 3)
    assert np.all(np.diff(out["energy"][:, 1]) > 0)


# -- properties -------------------------------------------------------------------------------
_BASE = to_magnitudes(resolve(params="8B", zone="FRA").values)


def _energy(**changes):
    m = dict(_BASE)
    for k, v in changes.items():
        m[k] = np.full(3, float(v))
    return compute(m)


@settings(max_examples=60, deadline=None)
@given(tokens=st.integers(1, 20000), extra=st.integers(1, 5000), params=st.floats(1e8, 1e12),
       pue=st.floats(1.0, 3.0), intensity=st.floats(0.0, 1e-6))
def test_energy_positive_finite_and_monotone(tokens, extra, params, pue, intensity):
    a = _energy(output_tokens=tokens, total_params=params, active_params=params, pue=pue, grid_intensity=intensity)
    assert np.all(np.isfinite(a["energy"])) and np.all(a["energy"] > 0) and np.all(a["co2e"] >= 0)
    assert np.all(a["energy"] <= _energy(output_tokens=tokens + extra, total_params=params, active_params=params,
                                          pue=pue, grid_intensity=intensity)["energy"])
    assert np.all(a["energy"] <= _energy(output_tokens=tokens, total_params=params * 1.5, active_params=params * 1.5,
                                          pue=pue, grid_intensity=intensity)["energy"])
    assert np.all(a["energy"] <= _energy(output_tokens=tokens, total_params=params, active_params=params,
                                          pue=pue + 0.1, grid_intensity=intensity)["energy"])
    assert np.all(a["co2e"] <= _energy(output_tokens=tokens, total_params=params, active_params=params,
                                        pue=pue, grid_intensity=intensity * 1.5 + 1e-9)["co2e"])


@settings(max_examples=30, deadline=None)
@given(per_day=st.floats(1.0, 2000.0), params=st.sampled_from(["8B", "70B"]))
def test_dedicated_at_low_volume_costs_more_than_shared(per_day, params):
    shared = estimate(params=params, zone="FRA", requests=f"{per_day}/day").per_request["energy"].m_as("Wh")
    dedicated = estimate(params=params, zone="FRA", requests=f"{per_day}/day",
                         provisioning="dedicated").per_request["energy"].m_as("Wh")
    assert dedicated[1] > shared[1]


def test_every_input_has_unit_and_direction():
    for name, (unit, increasing) in INPUTS.items():
        ureg.Quantity(1, unit)
        assert isinstance(increasing, bool)


def test_range_object_api():
    e = estimate(params=Range(ureg.Quantity(60e9, "parameter"), ureg.Quantity(80e9, "parameter")), output_tokens=400)
    fig = e.to_dict()["per_request"]["energy"]
    assert fig["low"] < fig["value"] < fig["high"]


def test_monte_carlo_percentiles_inside_the_bounds_and_seeded():
    e = estimate(params="70B", output_tokens=400, gpu="H100", zone="FRA", requests="1000/day")
    p1, p2 = estimate_percentiles(e, 2000, seed=3), estimate_percentiles(e, 2000, seed=3)
    assert p1 == p2
    d = e.to_dict()
    for block in ("per_request", "total"):
        for metric in ("energy", "co2e", "water"):
            q, fig = p1[block][metric], d[block][metric]
            assert q["unit"] == fig["unit"]
            assert fig["low"] * (1 - 1e-9) <= q["p5"] <= q["p50"] <= q["p95"] <= fig["high"] * (1 + 1e-9)
    assert d["total"]["period"] == "1 year"


def test_cli_samples_adds_percentiles(run_cli):
    import json

    r = run_cli("estimate", "--params", "8B", "--zone", "FRA", "--samples", "500", "--seed", "1", "--json")
    assert r.code == 0, r.err
    p = json.loads(r.out)["percentiles"]
    assert p["samples"] == 500 and p["per_request"]["energy"]["p5"] <= p["per_request"]["energy"]["p95"]
    assert run_cli("estimate", "--params", "8B", "--seed", "1").code == 2
    assert run_cli("estimate", "--params", "8B", "--samples", "5").code == 2


@pytest.mark.parametrize("per_second, batch, utilisation", [
    # memory-bound steps of a fixed length t: latency = 100 t whatever the batch, so Little's law gives
    # the concurrency rate x 100 t directly; a continuously batching server with >= 1 request in flight is busy
    (20.0, 20.0 * 100, 1.0),
    (2.0, 1.0, 2.0 * 100),
])
def test_dedicated_batches_what_is_in_flight(per_second, batch, utilisation):
    bw = factors.get("gpus", "H100", "memory_bandwidth").value * 1e12
    t = 2e9 / (bw * 0.5)
    d = estimate(**dict(HAND, batch_size=32, provisioning="dedicated", requests=f"{per_second}/s")).to_dict()
    expected_batch = min(max(batch * t, 1.0), 32.0) if batch > 1 else 1.0
    assert d["intermediates"]["batch_size_effective"] == pytest.approx(expected_batch, rel=1e-9)
    expected_util = 1.0 if batch > 1 else utilisation * t
    assert d["intermediates"]["utilisation"] == pytest.approx(expected_util, rel=1e-9)


def test_dedicated_replicas_follow_capacity_at_full_batch():
    from footprint.inference import dedicated_replicas, dedicated_utilisation

    np.testing.assert_allclose(dedicated_replicas(np.array([0.1, 10.0, 10.0]), np.array([1.0, 0.05, 0.31])), [1, 1, 4])
    # 3 replicas provisioned: load 1.5 -> utilisation 0.5; load 4.2 -> the queue batches, busy all the time
    np.testing.assert_allclose(dedicated_utilisation(np.array([1.5, 4.2]), 1.0, 3.0), [0.5, 1.0])


@pytest.mark.parametrize("gpu", ["H100", "L4", "A100-80GB"])
def test_host_power_in_proportion_to_the_gpu_tdp(gpu):
    ratio = factors.get("servers", "gpu_server", "host_power_ratio")
    tdp = factors.get("gpus", gpu, "tdp").value
    host = next(a for a in estimate(params="7B", gpu=gpu).to_dict()["assumptions"] if a["name"] == "host_power")
    assert host["unit"] == "W"
    assert (host["low"], host["value"], host["high"]) == pytest.approx((ratio.low * tdp, ratio.value * tdp,
                                                                          ratio.high * tdp))


def test_quantity_of_an_intermediate_has_its_unit():
    # the busy time is an internal figure in seconds (not a metric): asking it in ms must convert, not raise
    e = estimate(params="8B")
    busy = e.quantity("busy_time", "s")
    assert np.allclose(e.quantity("busy_time", "ms").magnitude, 1000 * busy.magnitude)
    assert np.allclose(e.quantity("it_energy", "J").magnitude, e.raw["it_energy"])
    with pytest.raises(KeyError, match="serving_path"):
        e.quantity("serving_path", "s")
