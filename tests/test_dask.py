"""Dask: a Dask DataFrame in, a Dask DataFrame out; `--workers` / `--scheduler` write the same files as one process.

The cluster tests need the optional extra (``pip install 'footprint[dask]'``); CI installs it.
"""

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from footprint import batch

try:
    import dask.dataframe as dd
    import distributed
except ImportError:  # the optional extra is not installed
    dd = distributed = None

needs_dask = pytest.mark.skipif(dd is None, reason="dask[dataframe] and distributed are not installed (footprint[dask])")


def _table(n, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "id": [f"uc-{i}" for i in range(n)],
        "params": rng.choice(["7B", "70B", "13b", "1.2 [1..1.5] billion"], n),
        "pue": rng.choice(["1.1..1.4", "1,2", ""], n),
        "output_tokens": rng.choice(["400", "100..900", "250"], n),
        "gpu": rng.choice(["H100", "L4", ""], n),
        "zone": rng.choice(["FRA", "DEU", "USA"], n),
        "requests": rng.choice(["1000/day", "", "10..100/hour"], n),
    })


@needs_dask
@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_dask_dataframe_gives_the_rows_of_the_pandas_path(partitions):
    table = _table(60)
    expected = batch.estimate(table, samples=200, seed=4)
    lazy = batch.estimate(dd.from_pandas(table, npartitions=partitions), samples=200, seed=4)
    assert isinstance(lazy, dd.DataFrame) and lazy.npartitions == partitions
    assert list(lazy.columns) == list(expected.columns)  # the explicit meta is the computed layout
    got = lazy.compute(scheduler="sync")
    # the Monte Carlo rows keep their streams whatever the partitioning (global row offsets)
    pd.testing.assert_frame_equal(got, expected.assign(notes=expected["notes"].astype(object)), check_dtype=False,
                                  check_categorical=False, check_exact=True)


@needs_dask
@pytest.mark.parametrize("partitions,seed", [(1, 0), (4, 1), (9, 2)])
def test_dask_sources_table_is_the_pandas_one(partitions, seed):
    """`with_sources`: the sources table of a Dask run is the one of the same rows in one process (any partitioning),
    and results and sources come from one pass over the partitions."""
    import dask

    table = _table(90, seed=seed).assign(model=np.random.default_rng(seed).choice(["", "llama-3.1-70b"], 90))
    table.loc[table["model"] != "", "params"] = ""
    expected, expected_sources = batch.estimate(table, samples=50, seed=2, with_sources=True)
    assert expected_sources.equals(batch.merge_sources([expected.attrs["sources"]]))
    assert set(expected["sources_id"].astype(str)) == set(expected_sources["sources_id"])
    lazy, lazy_sources = batch.estimate(dd.from_pandas(table, npartitions=partitions), samples=50, seed=2,
                                        with_sources=True)
    assert isinstance(lazy, dd.DataFrame)
    calls = []
    with dask.config.set(scheduler="sync"):
        from unittest import mock

        real = batch.estimate
        with mock.patch.object(batch, "estimate", side_effect=lambda *a, **k: calls.append(1) or real(*a, **k)):
            got, got_sources = dask.compute(lazy, lazy_sources)
    assert len(calls) == partitions  # each partition estimated once for both
    pd.testing.assert_frame_equal(got, expected.assign(notes=expected["notes"].astype(object)), check_dtype=False,
                                  check_categorical=False, check_exact=True)
    pd.testing.assert_frame_equal(got_sources, expected_sources, check_dtype=False, check_exact=True)
    # every row's id is in the table, with one line per input of that id
    assert set(got["sources_id"].astype(str)) == set(got_sources["sources_id"])
    assert not got_sources.duplicated(["sources_id", "input"]).any()


@needs_dask
def test_dask_sources_with_a_units_row_and_skip_invalid_pandas():
    table = _table(30, seed=3).assign(grid_intensity="40")
    units = pd.DataFrame([{c: "" for c in table.columns} | {"grid_intensity": "g/kWh"}])
    with_units = pd.concat([units, table], ignore_index=True)
    good, bad, sources = batch.estimate(with_units.assign(pue=with_units["pue"].where(with_units.index != 4, "0.5")),
                                        skip_invalid=True, with_sources=True)
    assert len(bad) == 1 and len(good) == 29
    _, dask_sources = batch.estimate(dd.from_pandas(with_units, npartitions=3), with_sources=True)
    got = dask_sources.compute(scheduler="sync")
    assert (got["input"] == "grid_intensity").any()
    assert set(got.loc[got["input"] == "grid_intensity", "kind"]) == {"given"}
    assert set(sources.columns) == set(got.columns) == set(batch.SOURCE_COLUMNS)


@needs_dask
def test_dask_dataframe_units_row_applies_to_every_partition():
    table = _table(30).assign(grid_intensity="40")
    units = pd.DataFrame([{c: "" for c in table.columns} | {"grid_intensity": "g/kWh"}])
    with_units = pd.concat([units, table], ignore_index=True)
    expected = batch.estimate(with_units, samples=100, seed=1)
    got = batch.estimate(dd.from_pandas(with_units, npartitions=4), samples=100, seed=1).compute(scheduler="sync")
    assert len(got) == 30
    pd.testing.assert_frame_equal(got, expected.assign(notes=expected["notes"].astype(object)), check_dtype=False,
                                  check_categorical=False, check_exact=True)
    assert got["co2e_per_request[gCO2e]"].notna().all()


@needs_dask
def test_dask_dataframe_bad_input_is_one_error():
    from footprint.errors import InputError

    with pytest.raises(InputError, match="skip_invalid is not available"):
        batch.estimate(dd.from_pandas(_table(5), npartitions=2), skip_invalid=True)
    with pytest.raises(InputError, match="missing required column"):
        batch.estimate(dd.from_pandas(pd.DataFrame({"gpu": ["H100"]}), npartitions=1))
    lazy = batch.estimate(dd.from_pandas(pd.DataFrame({"params": ["70B", "-5"]}), npartitions=1))
    with pytest.raises(InputError, match="params"):
        lazy.compute(scheduler="sync")


def _write_csv(path, n):
    table = _table(n, seed=2)
    table.loc[5, "pue"] = "0.5"  # a bad row, to the rejects
    table.to_csv(path, index=False)


@needs_dask
def test_cli_workers_write_the_same_files_as_one_process(tmp_path, run_cli):
    """`--workers 2` (a LocalCluster of 2 worker processes) writes byte for byte the files of one process."""
    src = tmp_path / "t.csv"
    _write_csv(src, 500)
    common = ["--samples", "1000", "--seed", "3", "--skip-invalid"]
    one = run_cli("estimate", "--batch", str(src), "--output", str(tmp_path / "one.csv"), *common)
    two = run_cli("estimate", "--batch", str(src), "--output", str(tmp_path / "two.csv"), *common, "--workers", "2")
    assert one.code == 0 and two.code == 0, two.err
    for suffix in (".csv", ".sources.csv", ".rejects.csv"):
        assert (tmp_path / f"one{suffix}").read_bytes() == (tmp_path / f"two{suffix}").read_bytes(), suffix
    assert "499 rows estimated" in two.err and "1 rejected" in two.err


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of 2 worker processes (spawned: fresh interpreters, as on a real cluster)."""
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster, distributed.Client(cluster) as client:
        yield cluster, client


@needs_dask
def test_cli_scheduler_uses_an_existing_cluster(tmp_path, run_cli, cluster):
    src = tmp_path / "t.csv"
    _write_csv(src, 300)
    one = run_cli("estimate", "--batch", str(src), "--output", str(tmp_path / "one.csv"), "--samples", "200",
                  "--skip-invalid")
    there = run_cli("estimate", "--batch", str(src), "--output", str(tmp_path / "two.csv"), "--samples", "200",
                    "--skip-invalid", "--scheduler", cluster[0].scheduler_address)
    assert there.code == 0, there.err
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


@needs_dask
def test_pint_quantities_survive_pickling_in_worker_processes(cluster):
    """footprint's units (gCO2e, request) pickle to a worker process and back, through its application registry."""
    import operator

    from footprint.units import ureg

    _, client = cluster
    client.run(batch.worker_setup)
    q = ureg.Quantity(2500.0, "gCO2e/request")
    back = client.submit(operator.methodcaller("to", "kgCO2e/request"), q).result()
    assert back.magnitude == pytest.approx(2.5) and str(back.units) == "kgCO2e / request"
    assert back.to("gCO2e/request").magnitude == pytest.approx(2500.0)


def test_pint_quantity_unpickles_in_a_fresh_process_after_importing_footprint():
    from footprint.units import ureg

    data = pickle.dumps(ureg.Quantity(3.0, "Wh/request"))
    code = ("import pickle, sys; import footprint.units; q = pickle.loads(sys.stdin.buffer.read()); "
            "print(q.to('J/request').magnitude)")
    out = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, check=True)
    assert float(out.stdout) == pytest.approx(3.0 * 3600)


def test_workers_without_dask_is_one_line(tmp_path, run_cli, monkeypatch):
    for name in ("dask", "dask.dataframe", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)  # as if the optional extra were not installed
    src = tmp_path / "t.csv"
    _write_csv(src, 10)
    r = run_cli("estimate", "--batch", str(src), "--output", str(tmp_path / "o.csv"), "--workers", "2")
    assert r.code == 2
    assert r.err.strip().count("\n") == 0 and "pip install 'footprint[dask]'" in r.err
    assert not (tmp_path / "o.csv").exists()
    with pytest.raises(Exception, match="footprint\\[dask\\]"):
        batch.estimate(type("DataFrame", (), {"__module__": "dask.dataframe"})())


def test_workers_flags_need_batch_and_exclude_each_other(tmp_path, run_cli):
    r = run_cli("estimate", "--params", "7B", "--workers", "2")
    assert r.code == 2 and "--workers" in r.err and "--batch" in r.err
    src = tmp_path / "t.csv"
    _write_csv(src, 3)
    r = run_cli("estimate", "--batch", str(src), "--output", str(tmp_path / "o.csv"), "--workers", "2",
                "--scheduler", "tcp://127.0.0.1:1")
    assert r.code == 2 and "give one" in r.err


def test_cli_error_line_is_the_same_in_any_chunking(tmp_path):
    from footprint.cli.batch import run_batch
    from footprint.errors import InputError

    src = tmp_path / "t.csv"
    table = _table(40, seed=5)
    table.loc[[3, 17, 30], "pue"] = "0.5"
    table.loc[[8, 30], "params"] = "-3B"
    table.to_csv(src, index=False)
    said = []
    for chunk_rows in (None, 7):
        with pytest.raises(InputError) as info:
            run_batch(str(src), str(tmp_path / "o.csv"), chunk_rows=chunk_rows)
        said.append(str(info.value))
    assert said[0] == said[1]
    assert "lines 5, 19, 32, column pue" in said[0]


@needs_dask
@pytest.mark.parametrize("cases", [True, False])
def test_dask_without_samples_needs_no_row_count_and_gives_the_pandas_rows(cases):
    table = _table(70, seed=6)
    expected = batch.estimate(table, cases=cases)
    got = batch.estimate(dd.from_pandas(table, npartitions=5), cases=cases).compute(scheduler="sync")
    pd.testing.assert_frame_equal(got, expected.assign(notes=expected["notes"].astype(object)), check_dtype=False,
                                  check_categorical=False, check_exact=True)
