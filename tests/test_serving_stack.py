"""Serving stack input, model-error factor and multi-node pipeline (issue 11, points 4 and 5)."""

from __future__ import annotations

import pytest

from footprint import factors
from footprint.errors import InputError
from footprint.estimator import estimate
from footprint.montecarlo import estimate_percentiles

#: Every input that has a range given as a point, so that only the calibrated model's error is left.
POINTS = dict(params="70B", input_tokens=1000, output_tokens=500, batch_size=32, gpu="H100", pue=1,
              fleet_utilisation=1, zone="FRA", host_power="0 W", host_idle_power="0 W")


def _assumption(e, name):
    return next(a for a in e.assumptions if a.name == name)


def test_default_stack_is_named_with_its_row():
    e = estimate(**POINTS)
    stack = _assumption(e, "serving_stack")
    assert stack.value == "vllm_2025" and stack.status == "assumption"
    step = _assumption(e, "step_overhead")
    assert step.provenance["table"] == "serving_stacks" and step.provenance["key"] == "vllm_2025"
    assert any("serving stack: vllm_2025" in n for n in e.notes)


def test_stack_sets_the_per_sequence_step_cost():
    new, old = estimate(**POINTS), estimate(**POINTS, serving_stack="vllm_2024")
    t_new = factors.get("serving_stacks", "vllm_2025", "step_overhead").value
    t_old = factors.get("serving_stacks", "vllm_2024", "step_overhead").value
    assert t_old > 3 * t_new  # the 2024 generation's cost is several times larger (fitted 0.30 vs 0.056 ms)
    # the decode step differs by exactly B x (t_old - t_new)
    d_step = old.raw["decode_step_time"][..., 1] - new.raw["decode_step_time"][..., 1]
    assert float(d_step) == pytest.approx(32 * (t_old - t_new), rel=1e-9)
    assert float(old.per_request["energy"].magnitude[1]) > float(new.per_request["energy"].magnitude[1])
    assert not any("serving stack: vllm_2025" in n for n in old.notes)


def test_a_given_step_overhead_wins_over_the_stack():
    e = estimate(**POINTS, serving_stack="vllm_2024", constants={"step_overhead": "0.2 ms"})
    assert _assumption(e, "step_overhead").status == "given"
    ref = estimate(**POINTS, constants={"step_overhead": "0.2 ms"})
    assert float(e.per_request["energy"].magnitude[1]) == pytest.approx(float(ref.per_request["energy"].magnitude[1]))


def test_unknown_stack_is_one_line():
    with pytest.raises(InputError) as err:
        estimate(**POINTS, serving_stack="vllm2023")
    assert "serving stack" in str(err.value) and "\n" not in str(err.value)


def test_ranges_are_not_narrower_than_the_model_error():
    row = factors.constant("model_error")
    e = estimate(**POINTS)
    low, central, high = e.breakdown["gpu_busy"]["energy"].magnitude
    assert high / central >= row.high * (1 - 1e-9)
    assert low / central <= row.low * (1 + 1e-9)


def test_monte_carlo_draws_the_model_error():
    # with the other ranged inputs as points, the p5-p95 band of the energy is at least the model error's:
    # triangular(0.502, 1, 1.98) has p5 0.69 and p95 1.71 (ratio 2.47)
    e = estimate(**POINTS)
    q = estimate_percentiles(e, samples=20000)["per_request"]["energy"]
    assert q["p95"] / q["p5"] >= 2.3
    assert 0.85 <= q["p50"] / float(e.per_request["energy"].m_as("Wh")[1]) <= 1.25


def test_measured_path_carries_no_model_error():
    e = estimate(params="70B", measured_energy_per_token="0.3 J/token", output_tokens=500, pue=1, zone="FRA")
    low, central, high = e.breakdown["gpu_busy"]["energy"].magnitude
    assert low == central == high


def test_instance_over_a_node_is_a_pipeline():
    kw = dict(params="405B", precision="bf16", gpu="H100", gpus=16, batch_size=128, input_tokens=0,
              output_tokens=500, pue=1, fleet_utilisation=1, zone="FRA", kv_bytes_per_token="0 B")
    two = estimate(**kw)
    one = estimate(**kw, constants={"gpus_per_node": 16})
    assert two.intermediates()["pipeline_stages"] == 2 and one.intermediates()["pipeline_stages"] == 1
    # the weights (810 GB) are read twice per step: + 810e9 / (16 x 3.35e12 x eta_memory), plus the transfer
    eta_m = factors.constant("eta_memory").value
    extra = float(two.raw["decode_step_time"][..., 1] - one.raw["decode_step_time"][..., 1])
    assert extra == pytest.approx(810e9 / (16 * 3.35e12 * eta_m), rel=0.01)
    assert float(two.per_request["energy"].magnitude[1]) > float(one.per_request["energy"].magnitude[1])
