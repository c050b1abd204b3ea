"""The batch path: equality with the single estimate, bad values by row and column, skip-invalid, CLI."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from footprint import batch
from footprint.errors import InputError
from footprint.estimator import estimate as single

METRICS = {"energy": "Wh", "co2e": "gCO2e", "water": "mL"}
TOTALS = {"energy": "kWh", "co2e": "kgCO2e", "water": "L"}

# rows with defaults, ranges, MoE, catalogue models, dedicated endpoints, FLOP/measured paths and training
ROWS = [
    {"params": "70B", "output_tokens": 400, "gpu": "H100", "zone": "FRA"},
    {"params": "8B", "gpu": "L4", "zone": "USA", "pue": "1.1..1.4", "requests": "10000/day"},
    {"params": "1.5T", "active_params": "100B", "output_tokens": "300..500", "gpu": "H200", "precision": "fp8"},
    {"model": "mixtral-8x7b", "zone": "DEU", "grid_intensity": "300 g/kWh", "requests": "1e6/month", "period": "30 day"},
    {"params": "8B", "provisioning": "dedicated", "requests": "500/day", "gpu": "L4", "batch_size": "8..64"},
    {"params": "100B", "output_tokens": 500, "input_tokens": 0, "flop_utilisation": 0.1, "power_per_gpu": "892.5 W",
     "pue": 1.2, "fleet_utilisation": 1},
    {"params": "7B", "measured_energy_per_token": "0.05 Wh/ktoken", "zone": "SWE", "datacenter": "hyperscale"},
    {"model": "llama-3.1-70b", "training_lifetime_requests": "1e10", "host_power": "200..500 W"},
    {"params": "13B", "gpus": 2, "water_intensity": "2 L/kWh", "wue": "0.5 L/kWh", "hardware_lifetime": "5 year"},
]


def _cell(v):
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def _expected(row):
    return single(**{k: v for k, v in row.items() if _cell(v)}).to_dict()


def test_rows_equal_the_single_estimate():
    table = pd.DataFrame(ROWS)
    result = batch.estimate(table)
    assert list(result.index) == list(table.index)
    for i, row in enumerate(ROWS):
        doc = _expected(row)
        for metric, unit in METRICS.items():
            q = doc["per_request"][metric]
            got = result.iloc[i][[f"{metric}_per_request{s}[{unit}]" for s in ("", "_low", "_high")]].to_numpy(float)
            np.testing.assert_allclose(got, [q["value"], q["low"], q["high"]], rtol=1e-12, err_msg=f"row {i} {metric}")
        if "total" in doc:
            for metric, unit in TOTALS.items():
                q = doc["total"][metric]
                got = result.iloc[i][[f"{metric}_total{s}[{unit}]" for s in ("", "_low", "_high")]].to_numpy(float)
                np.testing.assert_allclose(got, [q["value"], q["low"], q["high"]], rtol=1e-12)
        else:
            assert np.isnan(result.iloc[i]["energy_total[kWh]"])


def test_central_only_equals_the_central_value():
    table = pd.DataFrame(ROWS)
    full, central = batch.estimate(table), batch.estimate(table, cases=False)
    for metric, unit in METRICS.items():
        col = f"{metric}_per_request[{unit}]"
        np.testing.assert_allclose(central[col], full[col], rtol=1e-12)
    assert not any(c.endswith(("_low[Wh]", "_high[Wh]")) for c in central.columns)


def test_units_in_headers_a_units_row_and_numbers():
    by_cell = pd.DataFrame({"params": ["70B", "8B"], "grid_intensity": ["50 g/kWh", "0.4 kg/kWh"],
                            "host_power": ["0.3 kW", "300 W"], "requests": ["1000/day", "2/s"]})
    by_header = pd.DataFrame({"params[billion]": [70, 8], "grid_intensity[g/kWh]": [50, 400],
                              "host_power[W]": [300, 300], "requests[1/day]": [1000, 172800]})
    by_row = pd.DataFrame({"params": ["", "70B", "8B"], "grid_intensity": ["gCO2e/kWh", 50, 400],
                           "host_power": ["kW", 0.3, 0.3], "requests": ["request/hour", "1000/day", 7200]})
    a, b, c = (batch.estimate(t) for t in (by_cell, by_header, by_row))
    for col in ("co2e_per_request[gCO2e]", "co2e_total[kgCO2e]"):
        np.testing.assert_allclose(b[col], a[col], rtol=1e-12)
        np.testing.assert_allclose(c[col].to_numpy(), a[col].to_numpy(), rtol=1e-12)
    assert list(c.index) == [1, 2]  # the units row is not a scenario


def test_passthrough_columns_and_dashed_names():
    table = pd.DataFrame({"id": ["x", "y"], "--output-tokens": [100, 200], "params": ["7B", "7B"]})
    result = batch.estimate(table)
    assert list(result["id"]) == ["x", "y"]
    assert result["energy_per_request[Wh]"].iloc[1] > result["energy_per_request[Wh]"].iloc[0]


def test_every_bad_value_is_named_by_row_and_column():
    table = pd.DataFrame({
        "params": ["70B", "8B", None, "70B", "abc", "9B"],
        "output_tokens": [400, -3, 300, 400, 200, 100],
        "gpu": ["H100", "H10", "H200", "H100", "H100", "H100"],
        "zone": ["FRA", "USA", "FRA", "FRA", "FRA", "XXX"],
        "grid_intensity": [None, None, "5 kg", None, None, None],
        "pue": [None, 0.9, None, np.inf, None, None],
        "host_power": [None, None, None, "300 furlong", None, "300"],
    })
    with pytest.raises(InputError) as err:
        batch.estimate(table)
    msg = str(err.value)
    assert "\n" not in msg
    for part in ("row 1, column gpu: unknown GPU 'H10'; did you mean H100",
                 "row 1, column output_tokens: must be greater than zero, got -3",
                 "row 1, column pue: must be at least 1, got 0.9",
                 "row 2, column grid_intensity: cannot read '5 kg': 'kg' is a CO2e mass, but a carbon intensity",
                 "row 2, column params: missing",
                 "row 3, column pue: not a finite number",
                 "row 3, column host_power: cannot read '300 furlong': unit 'furlong' is not known",
                 "row 4, column params: cannot read 'abc'",
                 "row 5, column zone: unknown zone 'XXX'",
                 "row 5, column host_power: '300' has no unit; a power"):
        assert part in msg, part
    assert "row 0" not in msg
    assert msg.startswith("10 bad values in 5 rows")


def test_repeated_bad_value_is_grouped():
    table = pd.DataFrame({"params": ["70B"] * 8, "gpu": ["H100", "nope"] * 4})
    msg = str(pytest.raises(InputError, batch.estimate, table).value)
    assert "rows 1, 3, 5, 7, column gpu: unknown GPU 'nope'" in msg


@pytest.mark.parametrize("table, words", [
    (pd.DataFrame({"params": []}), "empty"),
    (pd.DataFrame({"gpu": ["H100"]}), "missing required column: params"),
    (pd.DataFrame({"params": ["7B"], "grid_intesity": ["5 g/kWh"]}), "did you mean grid_intensity"),
    (pd.DataFrame({"params": ["7B"], "flops_per_item": ["1e12"]}), "not both"),
    (pd.DataFrame({"params[kg]": [7]}), "column unit: 'kg' is a CO2e mass"),
])
def test_table_level_errors(table, words):
    with pytest.raises(InputError, match=words):
        batch.estimate(table)


def test_ranges_are_checked_like_the_single_estimate():
    table = pd.DataFrame({"params": ["70B", "70B", "70B"], "pue": ["1.4..1.1", "1.5 [1.1..1.4]", "0.8..1.2"]})
    msg = str(pytest.raises(InputError, batch.estimate, table).value)
    assert "row 0, column pue: the range '1.4..1.1' has low > high" in msg
    assert "row 1, column pue: in '1.5 [1.1..1.4]' the central value lies outside its range" in msg
    assert "row 2, column pue: must be at least 1, got 0.8" in msg


def test_skip_invalid_keeps_good_rows_and_returns_rejects():
    table = pd.DataFrame({"id": ["a", "b", "c"], "params": ["70B", "-1B", "8B"], "zone": ["FRA", "FRA", "Mars"]})
    good, rejects = batch.estimate(table, skip_invalid=True)
    assert list(good["id"]) == ["a"]
    assert list(rejects["id"]) == ["b", "c"]
    assert "params: must be greater than zero" in rejects.loc[1, "error"]
    assert "zone: unknown zone 'Mars'" in rejects.loc[2, "error"]
    alone = batch.estimate(table.iloc[[0]])
    np.testing.assert_allclose(good["energy_per_request[Wh]"], alone["energy_per_request[Wh]"], rtol=1e-12)


def test_missing_cells_take_the_defaults():
    # the defaults: WOR, output tokens 500 [200..1000], input tokens 1000 [300..3000]
    table = pd.DataFrame({"params": ["70B", "70B"], "zone": [None, "WOR"], "output_tokens": [np.nan, "500 [200..1000]"],
                          "input_tokens": ["", "1000 [300..3000]"]})
    result = batch.estimate(table)
    figures = result.drop(columns=["serving_path", "notes", "sources_id"])
    np.testing.assert_allclose(figures.iloc[0, :].to_numpy(float), figures.iloc[1, :].to_numpy(float), rtol=1e-12)
    # the defaulted zone is named in that row's notes, not in the other's
    assert "no zone given" in result["notes"].iloc[0] and "no zone given" not in result["notes"].iloc[1]
    assert set(result["serving_path"]) == {"modelled"}


# -- CLI ----------------------------------------------------------------------------------------------


def test_cli_batch_end_to_end(tmp_path, run_cli):
    src = tmp_path / "in.csv"
    src.write_text("id,params,output_tokens,gpu,zone,requests\n"
                   "a,70B,400,H100,FRA,\n"
                   "b,8B,,L4,USA,10000/day\n")
    out = tmp_path / "out.csv"
    r = run_cli("estimate", "--batch", str(src), "--output", str(out))
    assert r.code == 0, r.err
    res = pd.read_csv(out)
    assert list(res["line"]) == [2, 3] and list(res["id"]) == ["a", "b"]
    doc = _expected({"params": "70B", "output_tokens": 400, "gpu": "H100", "zone": "FRA"})
    assert res["energy_per_request[Wh]"][0] == pytest.approx(doc["per_request"]["energy"]["value"], rel=1e-12)
    assert "2 rows estimated" in r.err


def test_cli_batch_bad_rows_exit_2_and_write_nothing(tmp_path, run_cli):
    src = tmp_path / "in.csv"
    src.write_text("params,gpu,pue\n70B,H100,\n8B,H10,0.5\n7B,H100,NaN\n")
    out = tmp_path / "out.csv"
    r = run_cli("estimate", "--batch", str(src), "--output", str(out))
    assert r.code == 2
    assert "line 3, column gpu: unknown GPU 'H10'" in r.err and "line 3, column pue: must be at least 1" in r.err
    assert "line 4, column pue: cannot read 'NaN'" in r.err
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


def test_cli_batch_skip_invalid_writes_rejects(tmp_path, run_cli):
    src = tmp_path / "in.csv"
    src.write_text("params,gpu\n70B,H100\n8B,H10\n7B,L4\n")
    out = tmp_path / "out.csv"
    r = run_cli("estimate", "--batch", str(src), "--output", str(out), "--skip-invalid")
    assert r.code == 0, r.err
    assert list(pd.read_csv(out)["line"]) == [2, 4]
    rej = pd.read_csv(tmp_path / "out.rejects.csv")
    assert list(rej["line"]) == [3] and "unknown GPU 'H10'" in rej["error"][0]


def test_cli_batch_in_chunks_with_progress(tmp_path, run_cli, monkeypatch):
    from footprint.cli import batch as cli_batch

    monkeypatch.setattr(cli_batch, "CHUNK_ROWS", 3)
    src = tmp_path / "in.csv"
    src.write_text("params,output_tokens\nbillion,\n" + "".join(f"{7 + i},{100 + i}\n" for i in range(8)))
    out = tmp_path / "out.csv"
    r = run_cli("estimate", "--batch", str(src), "--output", str(out))
    assert r.code == 0, r.err
    assert "footprint: estimating" in r.err  # the progress bar (stderr) of a multi-chunk file
    res = pd.read_csv(out)
    assert list(res["line"]) == list(range(3, 11))  # the units row (line 2) applies to every chunk
    whole = batch.estimate(pd.DataFrame({"params[billion]": [7 + i for i in range(8)],
                                         "output_tokens": [100 + i for i in range(8)]}))
    np.testing.assert_allclose(res["energy_per_request[Wh]"], whole["energy_per_request[Wh]"], rtol=1e-12)


@pytest.mark.parametrize("args, words", [
    (("--batch", "x.csv"), "--batch needs --output"),
    (("--batch", "x.csv", "--output", "o.csv", "--params", "7B"), "--params cannot be combined with --batch"),
    (("--params", "7B", "--samples", "10"), "too few for percentiles"),
    (("--params", "7B", "--output", "o.csv"), "--output only apply with --batch"),
    (("--batch", "nofile.csv", "--output", "o.csv"), "no file 'nofile.csv'"),
])
def test_cli_batch_usage_errors(args, words, run_cli):
    r = run_cli("estimate", *args)
    assert r.code == 2 and words in r.err


def test_cli_does_not_import_pandas_outside_batch():
    import subprocess
    import sys

    code = "import sys, footprint.cli, footprint.cli.estimate; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cli_batch_rejects_from_several_chunks(tmp_path, run_cli, monkeypatch):
    from footprint.cli import batch as cli_batch

    monkeypatch.setattr(cli_batch, "CHUNK_ROWS", 2)
    src = tmp_path / "in.csv"
    src.write_text("params,gpu\n70B,H100\n8B,H10\n7B,L4\n9B,nope\n13B,H100\n")
    out = tmp_path / "out.csv"
    r = run_cli("estimate", "--batch", str(src), "--output", str(out))
    assert r.code == 2 and "line 3, column gpu" in r.err and "line 5, column gpu" in r.err and not out.exists()
    r = run_cli("estimate", "--batch", str(src), "--output", str(out), "--skip-invalid")
    assert r.code == 0, r.err
    assert list(pd.read_csv(out)["line"]) == [2, 4, 6]
    assert list(pd.read_csv(tmp_path / "out.rejects.csv")["line"]) == [3, 5]


@pytest.mark.parametrize("kw", [
    {"flops_per_item": "5e12", "gpu": "L4", "zone": "FRA"},
    {"energy_per_item": "2 J", "zone": "DEU", "requests": "1000/day"},
    {"measured_tokens_per_second": "1500 token/s", "measured_power": "2.5 kW", "params": "8B"},
    {"params": "8B", "flop_utilisation": "0.2", "power_per_gpu": "900 W"},
    {"params": "8B", "provisioning": "dedicated", "requests": "500/day", "gpu": "L4"},
    {"model": "llama-3.1-8b", "training_lifetime_requests": "1e9"},
])
def test_batch_takes_every_serving_path_of_the_single_estimate(kw):
    from footprint.estimator import estimate as single

    e = single(**kw).to_dict()
    row = batch.estimate(pd.DataFrame([kw])).iloc[0]
    assert row["energy_per_request[Wh]"] == pytest.approx(e["per_request"]["energy"]["value"], rel=1e-12)
    assert row["co2e_per_request_high[gCO2e]"] == pytest.approx(e["per_request"]["co2e"]["high"], rel=1e-12)


def test_seeded_batch_sampling_is_reproducible_and_chunk_free():
    table = pd.DataFrame({"params": ["70B", "8B", "30B..40B"], "pue": ["1.1..1.4", "1.2", "1.3"]})
    a = batch.estimate(table, samples=300)
    b = batch.estimate(table, samples=300)
    pd.testing.assert_frame_equal(a, b)  # the default seed is 0, as the help says
    one = batch.estimate(table, samples=300, seed=3, max_elements=300)  # one row per chunk
    many = batch.estimate(table, samples=300, seed=3)
    pd.testing.assert_frame_equal(one, many)


def test_sources_table_names_every_default_of_every_row(tmp_path, run_cli):
    table = pd.DataFrame({"params": ["70B", "8B", "70B"], "gpu": ["H100", "L4", "H100"], "pue": ["1.2", None, "1.2"]})
    out = batch.estimate(table)
    src = out.attrs["sources"]
    assert out["sources_id"].iloc[0] == out["sources_id"].iloc[2] != out["sources_id"].iloc[1]
    row1 = src[src["sources_id"] == out["sources_id"].iloc[1]].set_index("input")
    assert row1.loc["pue", "kind"] == "default" and row1.loc["pue", "table"] == "datacenters"
    assert row1.loc["tdp", "key"] == "L4" and row1.loc["tdp", "source_id"]
    assert src[src["sources_id"] == out["sources_id"].iloc[0]].set_index("input").loc["pue", "kind"] == "given"
    # the CLI writes it beside the results, the same ids in any chunking
    f = tmp_path / "in.csv"
    table.to_csv(f, index=False)
    r = run_cli("estimate", "--batch", str(f), "--output", str(tmp_path / "o.csv"))
    assert r.code == 0, r.err
    written = pd.read_csv(tmp_path / "o.sources.csv")
    results = pd.read_csv(tmp_path / "o.csv")
    assert set(results["sources_id"]) <= set(written["sources_id"])


def test_resolved_columns_are_column_major_and_the_layout_changes_no_figure():
    # each case contiguous: numpy broadcasts a (1, 3) range over (rows, 3) three elements at a time in row-major
    # order; the values must not depend on the memory order (same arithmetic per element)
    from footprint.estimator import compute

    table = pd.DataFrame(ROWS * 40)
    res = batch.resolve_table_full(table)
    m = batch.oriented(res.values, True)
    long = {k: a for k, a in m.items() if a.shape[0] > 1}
    assert long and all(a.strides[0] == 8 for a in long.values())  # rows adjacent within each case
    row_major = {k: np.ascontiguousarray(a) for k, a in m.items()}
    out_f, out_c = compute(m), compute(row_major)
    assert out_f.keys() == out_c.keys()
    for k in out_f:
        assert np.array_equal(*np.broadcast_arrays(out_f[k], out_c[k]), equal_nan=True), k


def test_the_sources_pattern_is_the_plain_fold_of_its_parts():
    # Resolution.pattern folds the parts equal on every row into one affine map: the keys must be those of the
    # plain per-part fold h = h x 1000003 + part (mod 2**64), whatever mix of constant and varying parts
    for table in (pd.DataFrame(ROWS * 3), pd.DataFrame([ROWS[0]]), pd.DataFrame(ROWS[:2]), pd.DataFrame(ROWS[3:5] * 2)):
        res = batch.resolve_table_full(table)
        n = len(table)
        h = np.zeros(n, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for name in sorted(res.given):
                mask = np.broadcast_to(np.asarray(res.given[name], dtype=bool), (n,))
                if mask.any():
                    h = h * np.uint64(1000003) + (np.uint64(7) if mask.all() else mask.astype(np.uint64))
            for name in sorted(res.keys):
                codes = np.broadcast_to(res.keys[name].codes, (n,)).astype(np.uint64)
                h = h * np.uint64(1000003) + codes + np.uint64(1)
        assert np.array_equal(res.pattern(), h)


def test_total_columns_without_request_rates_are_nan_and_independent():
    # the NaN totals of a table without request rates share one copy-on-write Series: a change to one column
    # must not show in another
    table = pd.DataFrame({"params": ["7B", "70B", "8B"], "gpu": ["H100", "L4", "H100"]}, index=[10, 20, 30])
    out = batch.estimate(table)
    totals = [c for c in out.columns if "_total" in c]  # 15 metric columns and requests_total
    assert len(totals) == 16 and out[totals].isna().all().all() and list(out.index) == [10, 20, 30]
    out.loc[10, totals[0]] = 1.0
    assert out[totals[0]].tolist()[0] == 1.0 and out[totals[1:]].isna().all().all()
