"""Monte Carlo: distributions, reproducibility, ordering, convergence to the interval, chunking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from footprint import batch, montecarlo
from footprint.errors import InputError

P = ("p5", "p50", "p95")


def _pct(result, metric="energy", unit="Wh", scope="per_request"):
    return result[[f"{metric}_{scope}_{q}[{unit}]" for q in P]].to_numpy(float)


def test_triangular_ppf_matches_the_closed_form():
    # triangular(0, 1, 4): F(1) = 1/4; median x solves 1 - (4 - x)^2 / 12 = 1/2 -> x = 4 - sqrt(6)
    x = montecarlo.triangular_ppf(np.array([0.0, 0.25, 0.5, 1.0]), 0.0, 1.0, 4.0)
    np.testing.assert_allclose(x, [0.0, 1.0, 4 - np.sqrt(6), 4.0], atol=1e-12)
    assert montecarlo.triangular_ppf(0.3, 2.0, 2.0, 2.0) == 2.0  # a point stays a point


def test_wide_ranges_are_sampled_on_a_log_scale():
    u = np.linspace(0.001, 0.999, 999)
    x = montecarlo.sample(u, np.array([[1.0]]), np.array([[10.0]]), np.array([[100.0]]))
    # log-triangular(0, 1, 2) decades: symmetric in log10, so the median is the central value 10
    assert np.median(x) == pytest.approx(10.0, rel=0.01)
    narrow = montecarlo.sample(u, np.array([[1.0]]), np.array([[2.0]]), np.array([[3.0]]))
    assert np.median(narrow) == pytest.approx(2.0, rel=0.01) and narrow.min() >= 1.0 and narrow.max() <= 3.0


TABLE = pd.DataFrame({
    "params": ["70B", "8B", "1.5T", "13B"],
    "active_params": [None, None, "100B", None],
    "gpu": ["H100", "L4", "H200", "A100-80GB"],
    "zone": ["FRA", "USA", None, "DEU"],
    "pue": [None, "1.1..1.4", None, 1.2],
    "requests": [None, "10000/day", None, "1e5/month"],
})


def test_seed_reproducibility():
    a = batch.estimate(TABLE, samples=500, seed=7)
    b = batch.estimate(TABLE, samples=500, seed=7)
    c = batch.estimate(TABLE, samples=500, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(_pct(a), _pct(c))


def test_percentiles_are_ordered_and_inside_the_interval():
    r = batch.estimate(TABLE, samples=2000, seed=1)
    for metric, unit in batch_units():
        p = _pct(r, metric, unit)
        assert (p[:, 0] <= p[:, 1]).all() and (p[:, 1] <= p[:, 2]).all()
        low, high = r[f"{metric}_per_request_low[{unit}]"], r[f"{metric}_per_request_high[{unit}]"]
        assert (p[:, 0] >= low * (1 - 1e-12)).all() and (p[:, 2] <= high * (1 + 1e-12)).all()
    t = _pct(r, "energy", "kWh", "total")
    assert np.isnan(t[0]).all() and np.isfinite(t[1]).all()


def batch_units():
    return [("energy", "Wh"), ("co2e", "gCO2e"), ("water", "mL")]


def test_one_ranged_input_converges_to_its_quantiles():
    # every input a point except the PUE, triangular(1.1, 1.25, 1.4): facility energy is proportional to the PUE,
    # so the energy percentiles are the PUE's percentiles times the energy at PUE 1
    values, _, problems = batch.resolve_table(pd.DataFrame({"params": ["70B"], "gpu": ["H100"], "zone": ["FRA"]}))
    assert not problems.items
    points = {k: np.repeat(a[:, 1:2], 3, axis=1) for k, a in values.items()}
    m = batch.oriented({**points, "pue": np.array([[1.1, 1.25, 1.4]])})
    unit = batch.oriented({**points, "pue": np.ones((1, 3))})
    from footprint.estimator import compute

    e1 = compute(unit)["energy"][0, 1]
    got = montecarlo.percentiles(m, samples=40000, seed=2)["energy.per_request"][0] / e1
    expected = montecarlo.triangular_ppf(np.array([0.05, 0.5, 0.95]), 1.1, 1.25, 1.4)
    np.testing.assert_allclose(got, expected, rtol=0.005)
    assert 1.1 <= got[0] and got[2] <= 1.4


def test_chunking_gives_the_same_result():
    whole = batch.estimate(TABLE, samples=300, seed=5)
    chunked = batch.estimate(TABLE, samples=300, seed=5, max_elements=300)  # one scenario at a time
    pd.testing.assert_frame_equal(whole, chunked)
    # and a row's percentiles do not depend on the other rows (common random numbers)
    alone = batch.estimate(TABLE.iloc[[2]], samples=300, seed=5)
    np.testing.assert_allclose(_pct(alone), _pct(whole)[[2]], rtol=1e-12)


def test_point_inputs_give_a_point():
    values, _, _ = batch.resolve_table(pd.DataFrame({"params": ["70B", "8B"], "gpu": ["H100", "L4"]}))
    m = batch.oriented({k: np.repeat(a[:, 1:2], 3, axis=1) for k, a in values.items()})
    from footprint.estimator import compute

    p = montecarlo.percentiles(m, samples=50, seed=1)["co2e.per_request"]
    central = np.broadcast_to(compute(m)["co2e"][:, 1], (2,))
    np.testing.assert_allclose(p, np.repeat(central[:, None], 3, axis=1), rtol=1e-12)


def test_dense_model_keeps_active_equal_to_total():
    m = {"total_params": np.array([[50e9, 60e9, 70e9]]), "active_params": np.array([[50e9, 60e9, 70e9]])}
    drawn = montecarlo.draw_inputs(m, montecarlo.uniforms(100, seed=0))
    np.testing.assert_array_equal(drawn["active_params"], drawn["total_params"])


def test_bad_sample_count():
    with pytest.raises(InputError, match="samples: must be at least 1"):
        batch.estimate(TABLE, samples=0, seed=1)


def test_cli_samples_add_percentile_columns(tmp_path, run_cli):
    src = tmp_path / "in.csv"
    src.write_text("params,pue\n70B,1.1..1.4\n8B,\n")
    out = tmp_path / "out.csv"
    r = run_cli("estimate", "--batch", str(src), "--output", str(out), "--samples", "200", "--seed", "3")
    assert r.code == 0, r.err
    res = pd.read_csv(out)
    expected = batch.estimate(pd.DataFrame({"params": ["70B", "8B"], "pue": ["1.1..1.4", None]}), samples=200, seed=3)
    np.testing.assert_allclose(res["energy_per_request_p50[Wh]"], expected["energy_per_request_p50[Wh]"], rtol=1e-12)


def test_single_estimate_draws_like_its_batch_row():
    from footprint.estimator import estimate

    kw = {"params": "70B", "pue": "1.1..1.4", "zone": "FRA", "output_tokens": "200..800"}
    single = montecarlo.estimate_percentiles(estimate(**kw), samples=400, seed=5)["per_request"]["energy"]
    row = batch.estimate(pd.DataFrame([kw]), samples=400, seed=5).iloc[0]
    assert row["energy_per_request_p50[Wh]"] == pytest.approx(single["p50"], rel=1e-12)
    assert row["energy_per_request_p95[Wh]"] == pytest.approx(single["p95"], rel=1e-12)


def test_shared_factor_rows_share_draws_given_values_do_not():
    # two rows on the same defaults (factor rows) draw them together: identical percentiles;
    # two rows giving the same range draw it apart: their sampled percentiles differ
    shared = batch.estimate(pd.DataFrame({"params": ["70B", "70B"]}), samples=300, seed=1)
    assert shared["energy_per_request_p50[Wh]"].iloc[0] == shared["energy_per_request_p50[Wh]"].iloc[1]
    given = batch.estimate(pd.DataFrame({"params": ["70B", "70B"], "pue": ["1.1..1.4", "1.1..1.4"]}),
                           samples=300, seed=1)
    assert given["energy_per_request_p50[Wh]"].iloc[0] != given["energy_per_request_p50[Wh]"].iloc[1]
    assert given["energy_per_request_p50[Wh]"].iloc[0] == pytest.approx(given["energy_per_request_p50[Wh]"].iloc[1],
                                                                           rel=0.05)


def test_cli_batch_in_chunks_writes_the_same_file(tmp_path):
    from footprint.cli.batch import run_batch

    src = tmp_path / "in.csv"
    src.write_text("params,pue,output_tokens\n" + "".join(f"{7 + i}B,1.1..1.4,100..{500 + i}\n" for i in range(9)))
    one, many = tmp_path / "one.csv", tmp_path / "many.csv"
    run_batch(str(src), str(one), samples=200, seed=2)
    run_batch(str(src), str(many), samples=200, seed=2, chunk_rows=2)
    assert one.read_bytes() == many.read_bytes()
