"""Measurement with CodeCarbon mocked: method detection, CO2e with our factors, GPU figures, results log, CLI faults.

The live tests (real CodeCarbon, real workloads) are in test_measure_live.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from footprint import factors
from footprint import measurement as ms
from footprint.measurement import process, tracker
from footprint.errors import InputError
from footprint.units import ureg

ROOT = Path(__file__).resolve().parents[1]

#: A GPU run as CodeCarbon 3.3 reports it on a RAPL + NVML machine (figures recorded shape, values chosen):
#: 60 s at 300 W GPU, 40 W CPU package, RAM model 20 W.
GPU_RUN = dict(duration=60.0, cpu_energy=40 * 60 / 3.6e6, ram_energy=20 * 60 / 3.6e6, gpu_energy=300 * 60 / 3.6e6,
               cpu_power=40.0, ram_power=20.0, gpu_power=300.0, cpu_model="Intel Xeon Gold 6338",
               gpu_model="1 x NVIDIA A100-SXM4-80GB", gpu_count=1, codecarbon_version="3.3.2")
GPU_HARDWARE = ["RAM()", "CPU(Intel Rapl)", "GPU(gpu_ids=None) (NVIDIA A100-SXM4-80GB)"]
VM_RUN = dict(GPU_RUN, duration=2.0, cpu_energy=8 * 2 / 3.6e6, ram_energy=20 * 2 / 3.6e6, gpu_energy=0.0,
              cpu_power=8.0, gpu_power=0.0, gpu_model="", gpu_count=0, cpu_model="AMD EPYC")


class FakeTracker:
    """Stands in for OfflineEmissionsTracker: records its settings, returns recorded figures."""

    instances: list = []

    def __init__(self, run, hardware, **settings):
        self.settings, self._run, self._conf = settings, run, {"hardware": hardware}
        self.final_emissions_data = None
        FakeTracker.instances.append(self)

    def start(self):
        import logging

        logging.getLogger("codecarbon").warning("We saw that you have a AMD EPYC but we don't know it.")

    def stop(self):
        kwh = self._run["cpu_energy"] + self._run["ram_energy"] + self._run["gpu_energy"]
        intensity = self.settings["force_carbon_intensity_g_co2e_kwh"] or 56.039  # CodeCarbon's FRA figure
        self.final_emissions_data = SimpleNamespace(**{**self._run, "emissions": kwh * intensity / 1000})
        return self.final_emissions_data.emissions


@pytest.fixture
def fake_codecarbon(monkeypatch):
    """Replace CodeCarbon by FakeTracker; returns a function to choose the recorded run."""
    FakeTracker.instances = []
    state = {"run": VM_RUN, "hardware": ["RAM()", "CPU(Cpu Load)"]}
    monkeypatch.setattr(tracker, "import_codecarbon", lambda: None)
    monkeypatch.setattr(process, "import_codecarbon", lambda: None)
    monkeypatch.setattr(tracker, "_codecarbon_zones", lambda: {"FRA", "USA", "DEU"})
    monkeypatch.setattr(tracker, "_new_tracker", lambda settings: FakeTracker(state["run"], state["hardware"], **settings))

    def choose(run, hardware):
        state.update(run=run, hardware=hardware)

    return choose


def factor_g_kwh(zone):
    q = factors.get("grid", zone, "carbon_intensity")
    return q.value


# -- pure functions ------------------------------------------------------------------------


def test_classify_this_vm_is_an_estimate():
    m = ms.classify_hardware(["RAM()", "CPU(Cpu Load)"])
    assert m["cpu"]["method"] == "cpu_load" and m["cpu"]["kind"] == "estimate"
    assert m["ram"]["method"] == "ram_model" and m["gpu"] is None
    assert m["estimated"] is True and m["summary"].startswith("ESTIMATE")


def test_classify_rapl_and_nvml_are_measurements_ram_stays_a_model():
    m = ms.classify_hardware(GPU_HARDWARE)
    assert (m["cpu"]["method"], m["cpu"]["kind"]) == ("rapl", "measured")
    assert (m["gpu"]["method"], m["gpu"]["kind"]) == ("nvml", "measured")
    assert m["estimated"] is True  # RAM is always CodeCarbon's model
    assert ms.method_text(m) == "cpu:rapl(measured); ram:ram_model(estimate); gpu:nvml(measured)"


def test_classify_constant_tdp_and_unknown():
    m = ms.classify_hardware(["RAM()", "CPU(AMD EPYC > 8W [generic])"])
    assert m["cpu"]["method"] == "tdp_constant" and m["cpu"]["kind"] == "estimate"
    m = ms.classify_hardware(None)
    assert m["cpu"]["method"] == "unknown" and m["estimated"] is True


@pytest.mark.parametrize("text, expected", [
    ("hello\nfootprint-tokens: 512\n", {"tokens": 512}),
    ("footprint-items: 1000\n\n", {"items": 1000}),
    ("footprint-items: 1,000\n", {}),  # a thousands separator or a French decimal comma: ambiguous, not read
    ("footprint-tokens: 5\nmore output\n", {}),
    ("", {}),
    ("footprint-tokens: -3", {}),
    ("progress\rfootprint-tokens: 7", {"tokens": 7}),
])
def test_read_count_line(text, expected):
    assert ms.read_count_line(text) == expected


def test_co2e_is_energy_times_our_factor_with_its_range():
    e = ureg.Quantity(1.0, "kWh")
    fra = factors.get("grid", "FRA", "carbon_intensity")
    co2e = ms.operational_co2e(e, fra.quantity).m_as("gCO2e")
    assert co2e[1] == pytest.approx(fra.value, rel=1e-12)  # 1 kWh x g/kWh
    assert co2e[0] == pytest.approx(fra.low if fra.low is not None else fra.value)
    assert co2e[2] == pytest.approx(fra.high if fra.high is not None else fra.value)


def test_energy_per_unit():
    assert ms.energy_per_unit(ureg.Quantity(1, "Wh"), 3600, "token").m_as("J/token") == pytest.approx(1.0)
    assert ms.energy_per_unit(ureg.Quantity(1, "Wh"), 0, "token") is None
    assert ms.energy_per_unit(ureg.Quantity(1, "Wh"), None, "item") is None


def test_every_setting_that_matters_is_explicit():
    s = ms.tracker_settings("FRA", 1, "machine", False, True, 46.1)
    assert set(ms.EXPLICIT_SETTINGS) <= set(s)
    assert s["output_methods"] == [] and s["country_iso_code"] == "FRA"
    assert s["force_carbon_intensity_g_co2e_kwh"] is None and s["measure_power_secs"] == 1.0
    forced = ms.tracker_settings("WOR", 1, "machine", False, False, 473.05)
    assert forced["country_iso_code"] is None and forced["force_carbon_intensity_g_co2e_kwh"] == 473.05


def test_stray_codecarbon_config_is_reported(tmp_path):
    (tmp_path / ".codecarbon.config").write_text("[codecarbon]\ncountry_iso_code = CAN\nexperiment_id = x\n")
    home = tmp_path / "home"
    home.mkdir()
    found = ms.codecarbon_config(cwd=tmp_path, home=home, environ={"CODECARBON_LOG_LEVEL": "debug", "PATH": "/bin"})
    assert found[0]["keys"] == ["country_iso_code", "experiment_id"]
    assert found[0]["overridden"] == ["country_iso_code"] and found[0]["not_overridden"] == ["experiment_id"]
    assert found[1] == {"source": "environment (CODECARBON_*)", "keys": ["log_level"], "overridden": ["log_level"],
                        "not_overridden": []}
    assert ms.codecarbon_config(cwd=home, home=home, environ={}) == []


# -- GPU path and the Python API (CodeCarbon mocked) ----------------------------------------------


def test_gpu_figures_recorded(fake_codecarbon):
    fake_codecarbon(GPU_RUN, GPU_HARDWARE)
    with ms.measure(zone="FRA", tokens=6000) as m:
        pass
    r = m.result
    assert r.energy_gpu.m_as("Wh") == pytest.approx(300 * 60 / 3600)
    assert r.energy.m_as("Wh") == pytest.approx(360 * 60 / 3600)  # 300 + 40 + 20 W for 60 s = 6 Wh
    assert r.energy_per_token.m_as("J/token") == pytest.approx(360 * 60 / 6000)  # 21600 J / 6000 tokens
    assert r.co2e.m_as("gCO2e") / r.energy.m_as("kWh") == pytest.approx(factor_g_kwh("FRA"), rel=1e-9)
    assert r.method["gpu"]["method"] == "nvml" and r.method["cpu"]["method"] == "rapl"
    d = r.to_dict()
    assert d["measured"]["energy_gpu"] == {"value": pytest.approx(5.0), "unit": "Wh", "low": pytest.approx(5.0),
                                           "high": pytest.approx(5.0)}
    assert d["codecarbon"]["gpu_model"] == "1 x NVIDIA A100-SXM4-80GB"
    # CodeCarbon's own figure is reported beside ours, from its own table
    assert d["codecarbon"]["grid_intensity"]["value"] == pytest.approx(56.039)
    # its warnings were captured, not printed
    assert any("AMD EPYC" in w for w in d["codecarbon_warnings"])
    settings = FakeTracker.instances[-1].settings
    assert settings["country_iso_code"] == "FRA" and settings["output_methods"] == []


def test_gpu_without_energy_counter_is_flagged(fake_codecarbon):
    fake_codecarbon(dict(GPU_RUN, gpu_energy=0.0, gpu_power=0.0), GPU_HARDWARE)
    with ms.measure(zone="USA") as m:
        pass
    assert any("reported 0 kWh" in n for n in m.result.notes)


def test_zone_unknown_to_codecarbon_forces_our_factor(fake_codecarbon):
    with ms.measure(zone="WOR") as m:
        pass
    assert FakeTracker.instances[-1].settings["force_carbon_intensity_g_co2e_kwh"] == pytest.approx(factor_g_kwh("WOR"))
    assert m.result.codecarbon["co2e"] is None  # not an independent figure then


def test_count_set_inside_block_and_failed_block(fake_codecarbon):
    with ms.measure(zone="FRA") as m:
        m.tokens = 100
    assert m.result.tokens == 100 and m.result.status == "ok"
    with pytest.raises(ZeroDivisionError):
        with ms.measure(zone="FRA") as m2:
            1 / 0
    assert m2.result.status == "failed"


def test_decorator_counts_from_return_value_and_logs(fake_codecarbon, tmp_path):
    log = tmp_path / "r.csv"

    @ms.measure(zone="FRA", items=len, log=log)
    def embed(texts):
        return [t.upper() for t in texts]

    assert embed(["a", "b", "c", "d"]) == ["A", "B", "C", "D"]
    embed(["x"])
    r = embed.meter.result
    assert r.items == 1 and len(embed.meter.results) == 2
    rows = ms.read_results(log)
    assert [row["items"] for row in rows] == ["4", "1"]
    assert float(rows[0]["energy_per_item [J/item]"]) == pytest.approx(float(rows[0]["energy [Wh]"]) * 3600 / 4)


def test_bad_inputs_fail_before_measuring(fake_codecarbon):
    with pytest.raises(InputError, match="did you mean FRA"):
        ms.measure(zone="FRx")
    with pytest.raises(InputError, match="whole number"):
        ms.measure(zone="FRA", tokens=2.5)
    with pytest.raises(InputError, match="> 0"):
        ms.measure(zone="FRA", interval=0)
    with pytest.raises(InputError, match="machine or process"):
        ms.measure(zone="FRA", tracking_mode="gpu")
    assert FakeTracker.instances == []


# -- results log -----------------------------------------------------------------------------


def _measurement(run_id="r1", status="ok", tokens=1000):
    return ms.build_measurement(
        {"duration_s": 2.0, "energy_cpu_kwh": 1e-5, "energy_ram_kwh": 2e-5, "energy_gpu_kwh": 0.0,
         "hardware": ["RAM()", "CPU(Cpu Load)"]},
        zone="FRA", status=status, exit_code=0 if status == "ok" else 3, command=["python", "gen.py", "a b"],
        tokens=tokens, run_id=run_id)


def test_log_appends_never_overwrites(tmp_path):
    log = tmp_path / "results.csv"
    ms.append_result(log, _measurement("a1"))
    first = log.read_bytes()
    ms.append_result(log, _measurement("b2"))
    assert log.read_bytes().startswith(first)
    rows = ms.read_results(log)
    assert [r["footprint_run_id"] for r in rows] == ["a1", "b2"]
    r = rows[0]
    assert r["command"] == "python gen.py 'a b'" and r["zone"] == "FRA" and r["tokens"] == "1000"
    assert float(r["energy [Wh]"]) == pytest.approx(3e-5 * 1000)
    assert float(r["energy_per_token [J/token]"]) == pytest.approx(3e-5 * 3.6e6 / 1000)
    assert float(r["co2e [gCO2e]"]) == pytest.approx(3e-5 * factor_g_kwh("FRA"))
    assert r["estimated"] == "true" and "cpu:cpu_load(estimate)" in r["method"]
    assert not [p for p in tmp_path.iterdir() if p.name != "results.csv"]  # no temp file left


@pytest.mark.parametrize("content", [
    "name,age\nbob,3\n",                                     # someone else's CSV
    ",".join(ms.COLUMNS) + "\nonly,three,fields\n",          # ours, truncated row
    ",".join(ms.COLUMNS) + "\n" + ",".join(["x"] * len(ms.COLUMNS)) + "\n",  # ours, garbage numbers
    "footprint_run_id,timestamp_utc\n",                      # another version's header
])
def test_foreign_or_corrupt_log_is_refused_untouched(tmp_path, content):
    log = tmp_path / "results.csv"
    log.write_text(content)
    with pytest.raises(InputError, match="results.csv"):
        ms.append_result(log, _measurement())
    assert log.read_text() == content


def test_binary_log_refused(tmp_path):
    log = tmp_path / "results.csv"
    log.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="UTF-8"):
        ms.append_result(log, _measurement())
    assert log.read_bytes() == b"\xff\xfe\x00garbage"


def test_concurrent_appends_lose_nothing(tmp_path):
    log = tmp_path / "results.csv"
    threads = [threading.Thread(target=ms.append_result, args=(log, _measurement(f"t{i}"))) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["footprint_run_id"] for r in ms.read_results(log)) == sorted(f"t{i}" for i in range(16))


def test_find_run_by_prefix(tmp_path):
    rows = [{"footprint_run_id": "abc123"}, {"footprint_run_id": "abd456"}]
    assert ms.find_run(rows, "abc")["footprint_run_id"] == "abc123"
    with pytest.raises(InputError, match="matches 2 runs"):
        ms.find_run(rows, "ab")
    with pytest.raises(InputError, match="not in the results file"):
        ms.find_run(rows, "zz")


# -- CLI (CodeCarbon mocked) -----------------------------------------------------------------------


def test_cli_failing_command_is_recorded_with_its_code(fake_codecarbon, run_cli, tmp_path):
    log = tmp_path / "r.csv"
    res = run_cli("measure", "--zone", "FRA", "--json", "-o", str(log), "--",
                  sys.executable, "-c", "print('child says hi'); print('footprint-tokens: 40'); raise SystemExit(3)")
    assert res.code == 3
    doc = json.loads(res.out)  # stdout holds only our JSON; the child's stdout went elsewhere
    assert doc["exit_code"] == 3 and doc["status"] == "failed"
    assert doc["counts"]["tokens"] == 40
    assert {"energy", "co2e", "duration", "energy_cpu", "energy_ram", "energy_gpu", "energy_per_token"} <= set(doc["measured"])
    assert doc["method"]["estimated"] is True
    rows = ms.read_results(log)
    assert rows[-1]["status"] == "failed" and rows[-1]["exit_code"] == "3" and rows[-1]["tokens"] == "40"


def test_cli_unknown_command_exit_127_nothing_logged(fake_codecarbon, run_cli, tmp_path):
    log = tmp_path / "r.csv"
    res = run_cli("measure", "--zone", "FRA", "-o", str(log), "--", "no-such-command-xyz", "--flag")
    assert res.code == 127
    assert "command not found: 'no-such-command-xyz'" in res.err and "Traceback" not in res.err
    assert not log.exists() and FakeTracker.instances == []


def test_cli_unknown_zone_before_anything_runs(fake_codecarbon, run_cli, tmp_path):
    marker = tmp_path / "ran"
    res = run_cli("measure", "--zone", "FRNCE", "--", "touch", str(marker))
    assert res.code == 2 and "unknown zone 'FRNCE'" in res.err and "did you mean" in res.err
    assert not marker.exists()


def test_cli_foreign_results_file_refused_before_running(fake_codecarbon, run_cli, tmp_path):
    log = tmp_path / "notes.csv"
    log.write_text("my,own\n1,2\n")
    marker = tmp_path / "ran"
    res = run_cli("measure", "--zone", "FRA", "-o", str(log), "--", "touch", str(marker))
    assert res.code == 2 and "not a footprint results file" in res.err
    assert not marker.exists() and log.read_text() == "my,own\n1,2\n"


def test_cli_compare_estimate_and_calibrate(fake_codecarbon, run_cli, tmp_path):
    log = tmp_path / "r.csv"
    res = run_cli("measure", "--zone", "FRA", "--json", "-o", str(log), "--tokens", "500", "--compare-estimate",
                  "--params", "1B", "--gpu", "H100", "--", sys.executable, "-c", "pass")
    assert res.code == 0
    doc = json.loads(res.out)
    comp = doc["comparison"]
    measured = doc["measured"]["energy_per_token"]["value"]
    assert comp["measured_energy_per_token"]["value"] == pytest.approx(measured)
    assert comp["ratio"]["value"] == pytest.approx(measured / comp["estimated_energy_per_token"]["value"])
    assert comp["ratio"]["low"] <= comp["ratio"]["value"] <= comp["ratio"]["high"]
    # the estimate side is footprint.estimate's IT energy per output token for the same tokens
    from footprint.estimator import estimate

    est = estimate(params="1B", gpu="H100", output_tokens=500)
    assert comp["estimated_energy_per_token"]["value"] == pytest.approx(est.raw["it_energy"][1] / 500)

    res = run_cli("calibrate", "--from", str(log), "--run-id", doc["run_id"][:6])
    assert res.code == 0
    assert f"--measured-energy-per-token '{measured:.6g} J/token'" in res.out
    # the printed figure drives the estimator's measured path
    e = estimate(params="1B", output_tokens=500, measured_energy_per_token=f"{measured:.6g} J/token", pue=1)
    assert e.raw["it_energy"][1] == pytest.approx(measured * 500, rel=1e-5)


def test_compare_estimate_warns_when_the_measurement_has_no_gpu(fake_codecarbon, run_cli, tmp_path):
    # the default fake run is a CPU/RAM-only VM: the estimate (a GPU and its host) is not like with like
    args = ("measure", "--zone", "FRA", "--no-log", "--tokens", "500", "--compare-estimate", "--params", "8B",
            "--gpu", "L4", "--", sys.executable, "-c", "pass")
    res = run_cli(*args[:3], "--json", *args[3:])
    assert res.code == 0
    comp = json.loads(res.out)["comparison"]
    assert comp["components"] == {"measured": ["cpu", "ram"], "estimated": ["cpu", "ram", "gpu"]}
    assert comp["like_with_like"] is False
    assert "CPU and RAM only (no GPU found)" in comp["warning"] and "L4" in comp["warning"]
    assert "measure where the model runs on the estimate's GPU" in comp["warning"]
    res = run_cli(*args)  # the table says it too, beside the ratio
    assert res.code == 0 and "warning: the measurement holds CPU and RAM only" in res.err
    # calibrate reads the components from the results log: the same warning
    log = tmp_path / "r.csv"
    run_cli("measure", "--zone", "FRA", "-o", str(log), "--tokens", "500", "--", sys.executable, "-c", "pass")
    res = run_cli("calibrate", "--from", str(log), "--params", "8B", "--gpu", "L4", "--json")
    assert json.loads(res.out)["comparison"]["like_with_like"] is False
    # a run with a GPU is like with like: no warning
    fake_codecarbon(GPU_RUN, GPU_HARDWARE)
    res = run_cli(*args[:3], "--json", *args[3:])
    comp = json.loads(res.out)["comparison"]
    assert comp["like_with_like"] is True and comp["warning"] is None
    assert comp["components"]["measured"] == ["cpu", "ram", "gpu"]


def test_cli_calibrate_refuses_failed_run_and_run_without_tokens(fake_codecarbon, run_cli, tmp_path):
    log = tmp_path / "r.csv"
    ms.append_result(log, _measurement("fail01", status="failed"))
    ms.append_result(log, _measurement("notok1", tokens=None))
    res = run_cli("calibrate", "--from", str(log), "--run-id", "fail01")
    assert res.code == 2 and "failed" in res.err
    res = run_cli("calibrate", "--from", str(log), "--run-id", "notok1")
    assert res.code == 2 and "no token count" in res.err
    res = run_cli("calibrate", "--from", str(log))
    assert res.code == 2 and "no successful run with a token count" in res.err
    res = run_cli("calibrate", "--from", str(tmp_path / "missing.csv"))
    assert res.code == 2 and "no such results file" in res.err


def test_cli_estimate_options_need_compare(fake_codecarbon, run_cli):
    res = run_cli("measure", "--params", "8B", "--", "true")
    assert res.code == 2 and "--compare-estimate" in res.err
    res = run_cli("measure", "--compare-estimate", "--", "true")
    assert res.code == 2 and "--params" in res.err


def test_cli_import_does_not_load_codecarbon():
    code = ("import sys, footprint, footprint.cli, footprint.cli.measure, footprint.measurement; "
            "footprint.measure; "
            "assert 'codecarbon' not in sys.modules, 'codecarbon imported'; "
            "assert 'pandas' not in sys.modules, 'pandas imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_measure_and_calibrate_json_keys_are_documented(fake_codecarbon, run_cli, tmp_path):
    doc_text = (Path(__file__).resolve().parents[1] / "docs" / "json.md").read_text(encoding="utf-8")
    section = doc_text.split("## `footprint measure --json`", 1)[1].split("\n## ", 1)[0]
    log = tmp_path / "r.csv"
    res = run_cli("measure", "--zone", "FRA", "--json", "-o", str(log), "--tokens", "500", "--compare-estimate",
                  "--params", "1B", "--", sys.executable, "-c", "pass")
    doc = json.loads(res.out)
    res = run_cli("calibrate", "--from", str(log), "--params", "1B", "--json")
    cal = json.loads(res.out)
    keys = list(doc) + list(doc["comparison"]) + list(cal)
    assert [k for k in keys if f"`{k}`" not in section] == []
