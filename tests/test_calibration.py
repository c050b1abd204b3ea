"""Accuracy of the calibrated inference model on measured GPU energy (issue 2 item 8, issue 6 targets).

Data: the text-generating rows of the ML.ENERGY leaderboard v2 (2024) and v3 (2025), kept
in ``benchmarks/data/mlenergy_text.csv`` (extract of ML.ENERGY's published measurements;
Chung et al. 2025, arXiv:2505.06371).  Boundary: GPU energy per output token in the steady
state of a fully loaded vLLM server, compared with the ``gpu_busy`` line of the estimate.
Method and figures: docs/methodology.md (Calibration), benchmarks/calibrate.py.

The issue's targets are a median |log10(estimate/measured)| <= 0.1 and >= 95 % of rows
within 0.3 (a factor 2) on every GPU.  They are NOT reached by the six constants of the
current model (four shared, one per serving stack, prefill identified by the v3 latencies):
the tests assert what is reached (median 0.113, 90.8 % within 0.3; per GPU at least 90.4 %;
leave-one-family-out 0.116 and 90.2 %) with a small margin, and the targets themselves are
kept as a strict expected failure so that reaching them shows.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if not (ROOT / "benchmarks" / "calibrate.py").exists():  # an sdist without benchmarks/
    pytest.skip("benchmarks/calibrate.py and its data are only in the source checkout", allow_module_level=True)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import calibrate  # noqa: E402
from footprint import factors  # noqa: E402
from footprint.estimator import estimate  # noqa: E402

#: What the calibration reaches (docs/methodology.md), and the margin kept in the assertions.
REACHED_MEDIAN, REACHED_WITHIN = 0.113, 0.908
#: Share within a factor 2 reached on the worst GPU (B200: 90.4 %).
REACHED_WITHIN_PER_GPU = 0.904
MARGIN = 0.01


@pytest.fixture(scope="module")
def dataset():
    return calibrate.Dataset(calibrate.select(calibrate.read_rows(), ("v2", "v3")))


@pytest.fixture(scope="module")
def errors(dataset):
    # one vectorised call of footprint.estimator.compute for all 769 rows
    return calibrate.log_errors(dataset)


def test_data_extract_is_complete(dataset):
    # 769 v2+v3 token rows (README of the reference: 933 token rows, of which 164 are v1)
    assert len(dataset) == 769
    assert {r["gpu"] for r in dataset.rows} == {"A100-40GB", "H100-80GB", "B200"}


def test_energy_per_token_reached(errors):
    s = calibrate.summary(errors["energy_per_token"])
    assert s["n"] == 769
    assert s["median"] <= REACHED_MEDIAN + MARGIN
    assert s["within_0.3"] >= REACHED_WITHIN - MARGIN
    assert s["worst"] <= 1.2  # reached 1.14 (Qwen3-Coder-480B FIM: prompts far longer than assumed)
    assert abs(s["bias"]) <= 0.05  # no systematic over- or underestimate (reached +0.035)


def test_every_gpu_within_a_factor_two_reached(dataset, errors):
    for label, s in calibrate.table(errors["energy_per_token"], [r["gpu"] for r in dataset.rows]):
        assert s["within_0.3"] >= REACHED_WITHIN_PER_GPU - MARGIN, (label, s)
        assert s["median"] <= 0.12 + MARGIN, (label, s)  # reached 0.100-0.118


@pytest.mark.xfail(strict=True, reason="issue targets not reached by the 6-constant model (median 0.113, 90.8 % "
                                       "within 0.3, 90.4 % on B200); see docs/methodology.md, Calibration, limits")
def test_energy_per_token_issue_targets(dataset, errors):
    s = calibrate.summary(errors["energy_per_token"])
    assert s["median"] <= 0.1 and s["within_0.3"] >= 0.95
    for _, g in calibrate.table(errors["energy_per_token"], [r["gpu"] for r in dataset.rows]):
        assert g["within_0.3"] >= 0.95


def test_power_and_throughput_separately(errors):
    # v3 reports average GPU power: the power model (u_memory, u_compute) alone is close (reached 0.086)
    power = calibrate.summary(errors["power"])
    assert power["n"] == 504 and power["median"] <= 0.1
    # time: throughput (all rows, reached 0.134) and the v3 decode step against the median inter-token
    # latency (reached 0.139), which together separate decode from prefill
    assert calibrate.summary(errors["throughput"])["median"] <= 0.15
    step = calibrate.summary(errors["decode_step"])
    assert step["n"] == 504 and step["median"] <= 0.15


def test_every_gpu_and_architecture_within_bounds(dataset, errors):
    labels = calibrate.groups(dataset.rows)
    for name in ("gpu", "architecture"):
        for label, s in calibrate.table(errors["energy_per_token"], labels[name]):
            assert s["median"] <= 0.2, (name, label, s)


def test_stored_constants_are_the_fit(dataset):
    # factors/constants.csv holds the optimum of benchmarks/calibrate.py (to its 3 significant digits)
    def row(k):
        if "@" in k:
            name, stack = k.split("@")
            return factors.get("serving_stacks", stack, name)
        return factors.constant(k)

    stored = {k: row(k).value for k in calibrate.FITTED}
    f = calibrate.objective(dataset)
    x_stored = calibrate._to_search(stored)
    _, best = calibrate.nelder_mead(f, x_stored, step=0.05, max_iter=300)
    assert f(x_stored) <= best * 1.005
    for k in calibrate.FITTED + ("eta_prefill",):
        assert row(k).status == "calibrated" and row(k).source_id == "FP-CALIB"
    # the decode compute efficiency is not identified apart from prefill: it takes the prefill value
    assert factors.constant("eta_compute").value == factors.constant("eta_prefill").value


def test_model_error_covers_the_held_out_residuals(dataset):
    # the model-error factor's range holds the central 90 % of the held-out residuals (two folds of families
    # here, one fold a family in benchmarks/calibrate.py), within a few points
    row = factors.constant("model_error")
    assert row.value == 1 and row.status == "derived"
    err, _ = calibrate.cross_validate(dataset, 2)
    inside = (err >= -np.log10(row.high)) & (err <= -np.log10(row.low))
    assert 0.85 <= inside.mean() <= 0.95


def test_held_out_model_families_generalise(dataset):
    # fit on half of the model families, predict the other half (families never seen in the fit)
    fams = sorted({calibrate.family(r["model"]) for r in dataset.rows})
    seen = np.array([fams.index(calibrate.family(r["model"])) % 2 == 0 for r in dataset.rows])
    fitted = calibrate.fit(dataset.subset(np.flatnonzero(seen)))
    held_out = calibrate.log_errors(dataset.subset(np.flatnonzero(~seen)), fitted)["energy_per_token"]
    s = calibrate.summary(held_out)
    assert s["n"] > 300
    assert s["median"] <= REACHED_MEDIAN + 0.03


@pytest.mark.parametrize("index", [0, 300, 700])
def test_vectorised_rows_match_the_public_estimate(dataset, index):
    # the calibration's row mapping gives what footprint.estimate gives for the same inputs
    row = dict(dataset.rows[index])
    row["mean_output_tokens"] = float(round(row["mean_output_tokens"]))
    one = calibrate.Dataset([row])
    expected = calibrate.predict(one)["energy_per_token"][0]
    e = estimate(params=f"{row['total_params_b']}B", active_params=f"{row['active_params_b']}B",
                 precision=calibrate.precision_key(row["precision"]),
                 input_tokens=int(one.m["input_tokens"][0]), output_tokens=int(row["mean_output_tokens"]),
                 gpu=calibrate.GPU_KEYS[row["gpu"]], gpus=int(row["gpu_count"]), batch_size=one.m["batch_size"][0],
                 pue=1, fleet_utilisation=1, serving_stack=calibrate.stack_of(row))
    per_token = e.breakdown["gpu_busy"]["energy"].m_as("J")[..., 1] / row["mean_output_tokens"]
    assert per_token == pytest.approx(expected, rel=1e-9)
