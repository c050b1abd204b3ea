"""Monte Carlo: distributions, reproducibility, ordering, convergence to the interval, chunking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- the draws themselves: recorded, so that a faster generator cannot change a figure ----------------------------

#: row_uniforms(3, "row:pue", positions, 4), recorded from the first (plain, unblocked) implementation.
RECORDED_DRAWS = [
    [0.8961599231907995, 0.5501006923548879, 0.4772038554936746, 0.8779532569504307],
    [0.5638145846793395, 0.08930899545465909, 0.8599665328681652, 0.2119781014564167],
    [0.2634702492790092, 0.5650222979891079, 0.9394474059025181, 0.6155514464221047],
    [0.5730385500561752, 0.1618040790525095, 0.9933722431981773, 0.7283627481595994],
    [0.21436656628392647, 0.9457813611138429, 0.6214767284196979, 0.4947947024774596],
]


def _plain_row_uniforms(seed, key, positions, samples):
    """The generator written out on whole arrays, as first implemented (the reference of the blocked one)."""
    positions = np.asarray(positions, dtype=np.uint64).reshape(-1, 1)
    k = np.arange(int(samples), dtype=np.uint64)[None, :]
    with np.errstate(over="ignore"):
        z = montecarlo._key64(seed, key) + positions * np.uint64(0x9E3779B97F4A7C15) + montecarlo._mix64(k + np.uint64(1))
        bits = montecarlo._mix64(z) >> np.uint64(11)
    return bits.astype(np.float64) * (1.0 / 9007199254740992.0)


def test_row_uniforms_are_the_recorded_draws():
    got = montecarlo.row_uniforms(3, "row:pue", [0, 1, 7, 123456789, 2**40], 4)
    assert got.tolist() == RECORDED_DRAWS  # exact: the same bits
    import hashlib

    # blocks of rows of every size (one row over several blocks, many rows per block) give the same bytes
    big = montecarlo.row_uniforms(0, "row:grid_intensity", np.arange(5000) * 3 + 17, 2000)
    assert hashlib.sha256(big.tobytes()).hexdigest() == \
        "a3e90251f7df567cc241af48a42ad205370bc9b4bf21e54e3ed53afea807a7d3"
    wide = montecarlo.row_uniforms(11, "factor:gpus:h100:tdp", np.arange(1000, 1300), 777)
    assert hashlib.sha256(wide.tobytes()).hexdigest() == \
        "aa24fb72ffd2eade32c895004b4b8f4eeca3427eabcff0a964648d3e6a98af7f"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**63), rows=st.integers(0, 70), samples=st.integers(1, 40_000),
       start=st.integers(0, 2**62))
def test_blocked_row_uniforms_equal_the_plain_generator(seed, rows, samples, start):
    positions = start + np.arange(rows)
    assert np.array_equal(montecarlo.row_uniforms(seed, "row:x", positions, samples),
                          _plain_row_uniforms(seed, "row:x", positions, samples))


def test_only_ranged_inputs_are_drawn_and_draws_do_not_depend_on_the_others():
    rng = np.random.default_rng(0)
    positions = rng.integers(0, 10**9, 30)
    codes = rng.integers(0, 3, 30)
    streams = {"pue": (codes, [None, "factor:datacenters:x:pue", None]), "tdp": (codes, ["a", "b", "c"])}
    every = montecarlo.uniforms(50, 7, streams, positions)
    some = montecarlo.uniforms(50, 7, streams, positions, names=["pue", "tdp", "active_params"])
    assert set(some) == {"pue", "tdp", "active_params", "total_params"}  # active params draw on the total's stream
    for name in some:
        assert np.array_equal(some[name], every[name])
    own = codes != 1
    assert np.array_equal(some["pue"][own], _plain_row_uniforms(7, "row:pue", positions[own], 50))
    assert np.array_equal(some["pue"][~own], np.broadcast_to(_plain_row_uniforms(7, "factor:datacenters:x:pue", [0], 50),
                                                             ((~own).sum(), 50)))


def _plain_sample(u, low, mode, high, log_ratio=montecarlo.LOG_RATIO):
    """The sampler written out with whole-array temporaries, as first implemented."""
    with np.errstate(invalid="ignore", divide="ignore"):
        use_log = (low > 0) & (high > log_ratio * low)
        lo, mo, hi = (np.where(use_log, np.log(np.where(use_log, x, 1.0)), x) for x in (low, mode, high))
        width = hi - lo
        f_mode = (mo - lo) / width
        left = lo + np.sqrt(u * width * (mo - lo))
        right = hi - np.sqrt((1.0 - u) * width * (hi - mo))
    x = np.where(u < f_mode, left, right)
    return np.where(use_log, np.exp(np.where(use_log, x, 0.0)), x)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), rows=st.integers(1, 30), samples=st.integers(1, 300), shared=st.booleans())
def test_in_place_sampler_gives_the_same_bits_as_the_plain_one(seed, rows, samples, shared):
    rng = np.random.default_rng(seed)
    low = rng.choice([0.0, 1.0, 2.5, 1e-3, np.nan], (rows, 1))
    mode = low + rng.choice([0.0, 0.5, 30.0], (rows, 1))
    high = mode + rng.choice([0.0, 1.0, 1000.0], (rows, 1))
    u = rng.random(samples) if shared else rng.random((rows, samples))
    np.testing.assert_array_equal(montecarlo.sample(u, low, mode, high), _plain_sample(u, low, mode, high))
    # scalars (the comparison's sampler)
    np.testing.assert_array_equal(montecarlo.sample(u, 1.0, 2.0, 50.0), _plain_sample(u, 1.0, 2.0, 50.0))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32), rows=st.integers(1, 40))
def test_rows_sharing_a_factor_row_are_drawn_once_with_the_same_bits(seed, rows):
    """The sampler draws each distinct (stream row, range) once: the same bits as drawing every row."""
    rng = np.random.default_rng(seed)
    names = ["tdp", "pue", "total_params", "active_params", "grid_intensity"]
    base = {"tdp": [600.0, 700.0, 800.0], "pue": [1.1, 1.2, 1.4], "total_params": [6e10, 7e10, 8e10],
            "active_params": [6e10, 7e10, 8e10], "grid_intensity": [1e-8, 2e-8, 3e-7]}
    m = {k: np.repeat(np.array([v]), rows, axis=0) * rng.choice([1.0, 1.0, 2.0], (rows, 1)) for k, v in base.items()}
    m["pue"][rng.random(rows) < 0.3] = np.nan  # NaN rows keep their NaN
    codes = rng.integers(0, 3, rows)
    streams = {k: (codes, [None, f"factor:t:a:{k}", f"factor:t:b:{k}"]) for k in names}
    positions = rng.integers(0, 10**6, rows)
    full = montecarlo.uniforms(64, seed, streams, positions, names=names)
    indexed = montecarlo.uniforms(64, seed, streams, positions, names=names, indexed=True)
    a, b = montecarlo.draw_inputs(m, full), montecarlo.draw_inputs(m, indexed)
    for k in names:
        np.testing.assert_array_equal(a[k], b[k])
        assert a[k].tobytes() == b[k].tobytes()
