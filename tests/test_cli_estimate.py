"""`footprint estimate` and `footprint factors` end to end, and every bad input of issue 2."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_estimate_json_keys(run_cli):
    r = run_cli("estimate", "--params", "70B", "--output-tokens", "400", "--gpu", "H100", "--zone", "FRA", "--json")
    assert r.code == 0, r.err
    d = json.loads(r.out)
    assert {"per_request", "breakdown", "assumptions"} <= set(d)
    e = d["per_request"]["energy"]
    assert e["unit"] == "Wh" and e["low"] <= e["value"] <= e["high"] and 0.05 < e["value"] < 3


def test_estimate_totals_with_volume(run_cli):
    r = run_cli("estimate", "--model", "mixtral-8x7b", "--requests", "10000/day", "--period", "1 year", "--zone", "FRA",
                "--json")
    assert r.code == 0, r.err
    d = json.loads(r.out)
    per, tot = d["per_request"]["energy"]["value"], d["total"]["energy"]["value"]
    assert tot == pytest.approx(per * 10000 * 365.25 / 1000, rel=1e-6)  # Wh -> kWh
    assert any(a["name"] == "active_params" and a["source"].startswith("default: models:")
               and a["provenance"] == {"kind": "default", "table": "models", "key": "mixtral-8x7b",
                                       "parameter": "active_params", "status": "published",
                                       "source_id": a["provenance"]["source_id"]} for a in d["assumptions"])


def test_estimate_table_for_people(run_cli):
    r = run_cli("estimate", "--params", "8B", "--zone", "DEU")
    assert r.code == 0
    assert "per request" in r.out and "assumption" in r.out and "GPU computing" in r.out and "gpu_busy" not in r.out


def test_factors_list_and_show(run_cli):
    r = run_cli("factors", "list")
    assert r.code == 0 and "gpus" in r.out and "grid" in r.out
    r = run_cli("factors", "list", "gpus", "--json")
    rows = json.loads(r.out)["rows"]
    assert any(x["key"] == ["H100"] and x["parameter"] == "tdp" for x in rows)
    r = run_cli("factors", "show", "FRA")
    assert r.code == 0 and "carbon_intensity" in r.out and "ADEME" in r.out
    r = run_cli("factors", "show", "H100", "--json")
    assert all(row["source"]["citation"] for row in json.loads(r.out)["rows"])
    assert run_cli("factors", "check").code == 0


@pytest.mark.parametrize("args, words", [
    (["--params", "70B", "--gpu", "H10"], "did you mean"),
    (["--params", "70B", "--zone", "FRANCE"], "unknown zone"),
    (["--model", "lama-3-70b"], "unknown model"),
    (["--params", "70B", "--requests", "-5/day"], "greater than zero"),
    (["--params", "70B", "--requests", "0/day"], "greater than zero"),
    (["--params", "70B", "--pue", "0.9"], "at least 1"),
    (["--params", "70B", "--pue", "5 W"], "a power"),
    (["--params", "5 kg"], "count"),
    (["--params", "70B", "--fleet-utilisation", "1.5"], "at most 1"),
    (["--params", "70B", "--fleet-utilisation", "0"], "greater than zero"),
    (["--params", "70B", "--flop-utilisation", "2"], "at most 1"),
    (["--params", "70B", "--output-tokens", "400.5"], "whole number"),
    (["--params", "70B", "--output-tokens", "0"], "greater than zero"),
    (["--params", "70B", "--gpus", "1", "--gpu", "H100"], "weights need"),
    (["--params", "70B", "--provisioning", "dedicated"], "--requests"),
    (["--params", "70B", "--provisioning", "sometimes"], "shared or dedicated"),
    (["--params", "70B", "--active-params", "80B"], "cannot exceed"),
    (["--params", "70B", "--precision", "fp7"], "unknown precision"),
    (["--params", "70B", "--grid-intensity", "50 W"], "carbon intensity"),
    (["--params", "70B", "--pue", "1.4..1.2"], "low > high"),
    (["--params", "70B", "--nonsense", "1"], "no such option"),
    ([], "--params"),
])
def test_bad_input_one_line_exit_2(run_cli, args, words):
    r = run_cli("estimate", *args)
    assert r.code == 2
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert words.lower() in lines[0].lower()
    assert "Traceback" not in r.err


def test_unknown_command_and_factor(run_cli):
    r = run_cli("estimat")
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
    r = run_cli("factors", "show", "H1000")
    assert r.code == 2 and "H100" in r.err


def test_cli_import_does_not_load_heavy_libraries():
    code = "import sys, footprint.cli; print([m for m in ('plotly', 'codecarbon', 'pandas') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"


def test_estimate_does_not_load_heavy_libraries():
    code = ("import sys; from footprint.cli import main\n"
            "try:\n    main(['estimate', '--params', '8B', '--json'])\nexcept SystemExit:\n    pass\n"
            "print([m for m in ('plotly', 'codecarbon', 'pandas') if m in sys.modules], file=sys.stderr)")
    err = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stderr
    assert err.strip().splitlines()[-1] == "[]"


SCRIPT = os.path.join(os.path.dirname(sys.executable), "footprint")


@pytest.mark.skipif(not os.path.exists(SCRIPT), reason="console script not installed beside this Python (pip install .)")
def test_installed_console_script():
    p = subprocess.run([SCRIPT, "estimate", "--params", "70B", "--output-tokens", "400", "--gpu", "H100",
                        "--zone", "FRA", "--json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["per_request"]["co2e"]["unit"] == "gCO2e"
    p = subprocess.run([SCRIPT, "estimate", "--params", "70B", "--gpu", "H10"], capture_output=True, text=True)
    assert p.returncode == 2 and p.stderr.count("\n") == 1


def test_click_runner_estimate_and_factors():
    from click.testing import CliRunner

    from footprint.cli import cli

    runner = CliRunner()
    r = runner.invoke(cli, ["estimate", "--params", "8B", "--zone", "FRA", "--requests", "100/day", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["total"]["requests"]["value"] == pytest.approx(100 * 365.25)
    r = runner.invoke(cli, ["factors", "list", "models"])
    assert r.exit_code == 0 and "llama-3.1-70b" in r.output
    r = runner.invoke(cli, ["--help"])
    assert all(c in r.output for c in ("estimate", "compare", "measure", "plot", "factors", "scenario"))


def test_measured_energy_must_be_per_token(run_cli):
    # token is a dimensionless count: "0.12 J" would pass a plain unit check
    r = run_cli("estimate", "--params", "8B", "--measured-energy-per-token", "0.12 J")
    assert r.code == 2 and "not per token" in r.err
    r = run_cli("estimate", "--params", "8B", "--measured-energy-per-token", "0.033 Wh/ktoken", "--json")
    assert r.code == 0
