"""Speed and memory of footprint: batch throughput, CLI start-up, Monte Carlo peak memory.

Run from the repository root::

    python benchmarks/speed.py            # full run (several minutes), writes benchmarks/results/speed.md
    python benchmarks/speed.py --smoke    # seconds; prints only (CI)

(a) Scenarios per second of :func:`footprint.batch.estimate` for 10^3..10^6
rows, central value only and with the low/central/high case axis, against
(i) a bare numpy expression of the same arithmetic on plain arrays (the floor:
the formulas of the shared-fleet path written out here, checked to give the
same numbers) and (ii) EcoLogits' per-request ``compute_llm_impacts`` in a
Python loop on the same cases, when ``ecologits`` is importable (install it in
a separate environment: ``python3 -m venv bench-venv &&
bench-venv/bin/pip install -e . ecologits==0.11.3``; it is not a
dependency of footprint).  All ratios come from one run.

(b) Wall time of ``footprint estimate --params 70B --output-tokens 400 --gpu
H100 --zone FRA --json`` as a whole process against ``python -c pass``,
interleaved, median of N; when it misses the target, ``python -X importtime``
shows what dominates.

(c) Peak resident memory (VmHWM) of a Monte Carlo run (10,000 scenarios x
10,000 samples) in a fresh process.

(d) One process against Dask (``footprint[dask]``): ``batch.estimate`` of 10^7 rows
(central) and of 10^4 rows x 10^4 samples (``--engine-mc 100000 10000`` for the issue's
size, about 10x longer), in one process chunk after chunk and on LocalClusters of 1 and
2 worker processes, with each process's peak memory; then ``estimate --batch`` of a
100,000-row CSV with 1,000 samples with and without ``--workers 2`` (the files compared).

(e) ``compare`` of every shipped scenario, warm, in-process.

Timings are the best of a few repeats (the least disturbed by other load);
the machine's load average is printed because it matters.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {
    "rate": 1_000_000,  # scenario evaluations per second, central value, one core
    "floor_ratio": 3.0,  # batch time / bare numpy time
    "ecologits_ratio": 100.0,  # batch rate / EcoLogits per-call rate
    "cli_extra_s": 0.3,  # CLI wall time minus bare python start
    "mc_peak_mb": 2048,  # 10k x 10k Monte Carlo
    "compare_s": 0.15,  # compare of a shipped scenario, warm, in-process
}
CLI_ARGS = ["estimate", "--params", "70B", "--output-tokens", "400", "--gpu", "H100", "--zone", "FRA", "--json"]


# -- cases ----------------------------------------------------------------------------------------


def make_table(n: int, seed: int = 0):
    """`n` scenarios: sizes, tokens, GPUs, zones and PUEs drawn from realistic sets (numbers, units in headers)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "params[billion]": rng.choice([7.0, 8.0, 13.0, 70.0, 405.0], n),
        "input_tokens": rng.integers(0, 3000, n).astype(float),
        "output_tokens": rng.integers(50, 1000, n).astype(float),
        "gpu": rng.choice(["H100", "A100-80GB", "L4"], n),
        "zone": rng.choice(["FRA", "USA", "DEU", "WOR"], n),
        "pue": rng.uniform(1.05, 1.6, n),
    })


def floor(m):
    """The shared-fleet arithmetic of :func:`footprint.estimator.compute`, written out on plain arrays.

    Central values only, no optional paths (FLOP, measured, dedicated,
    training): the least numpy work that gives the same energy, CO2e and water.
    """
    N, Na, bpp = m["total_params"], m["active_params"], m["bytes_per_param"]
    L_in, L_out, F, BW = m["input_tokens"], m["output_tokens"], m["peak_flops"], m["memory_bandwidth"]
    eta_c, eta_m, B = m["eta_compute"], m["eta_memory"], m["batch_size"]
    idle, tdp = m["idle_power"], m["tdp"]
    n = np.exp2(np.ceil(np.log2(np.maximum(N * bpp * m["memory_overhead"] / m["gpu_memory"], 1.0))))
    stages = np.maximum(np.ceil(n / m["gpus_per_node"] - 1e-9), 1.0)  # one pipeline stage per node
    width = (Na / (12.0 * m["layers_per_width"])) ** (1.0 / 3.0)
    kv = bpp * m["kv_coefficient"] * (N / 1e9) ** m["kv_exponent"] * (L_in + L_out / 2.0)
    t_pre = 2.0 * Na * L_in / (n * F * m["eta_prefill"])
    share = np.clip(Na / N, 0.0, 1.0)
    micro = B / stages  # each stage reads its weights once per micro-batch
    moved = stages * bpp * (Na + (N - Na) * (1.0 - (1.0 - share) ** np.maximum(micro - 1.0, 0.0)))
    t_mem = (moved + B * kv) / (n * BW * eta_m)
    t_cmp = 2.0 * Na * B / (n * F * eta_c)
    t_link = (stages - 1.0) * B * width * m["activation_bytes"] / m["internode_bandwidth"]
    t_step = np.maximum(t_mem, t_cmp) + B * m["step_overhead"] + t_link  # serving overhead per sequence and step
    t_dec = L_out * t_step / B
    u_m, u_c = m["u_memory"], m["u_compute"]
    p_pre = idle + u_c * (tdp - idle)
    p_dec = idle + (u_m + t_cmp / t_step * (u_c - u_m)) * (tdp - idle)
    err = m["model_error"]  # the model's measured error, 1 centrally
    busy = err * (t_pre + t_dec)
    alloc = busy / m["fleet_utilisation"]
    it = (err * n * (p_pre * t_pre + p_dec * t_dec) + n * idle * (alloc - busy) + n * m["host_power"] * busy
          + n * m["host_idle_power"] * (alloc - busy))
    facility = it * m["pue"]
    embodied = n * (m["gpu_embodied"] + m["server_embodied"]) / m["hardware_lifetime"] * alloc
    return {"energy": facility, "co2e": facility * m["grid_intensity"] + embodied,
            "water": it * m["wue"] + facility * m["water_intensity"] * m["water_offsite"]}


def best_of(fn, repeats: int, cpu: list | None = None) -> float:
    """Best wall time of `repeats` calls; with `cpu`, the best CPU time (user + system) is appended to it."""
    times, cpus = [], []
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    if cpu is not None:
        cpu.append(min(cpus))
    return min(times)


# -- (a) batch throughput -------------------------------------------------------------------------------


def bench_batch(sizes, repeats, ecologits_calls):
    from footprint import batch
    from footprint.estimator import compute

    rows = []
    eco = ecologits_rate(make_table(ecologits_calls, seed=1), ecologits_calls)
    for n in sizes:
        table = make_table(n)
        values, _, problems = batch.resolve_table(table)
        assert not problems.items
        central = {k: np.broadcast_to(a[:, 1], (n,)).copy() for k, a in values.items()}
        m1 = batch.oriented(values, cases=False)
        m3 = batch.oriented(values, cases=True)
        # the floor gives the same numbers as the library
        ref = compute(m1)
        got = floor(central)
        for k in ("energy", "co2e", "water"):
            np.testing.assert_allclose(got[k], np.broadcast_to(ref[k][:, 0], (n,)), rtol=1e-9,
                                       err_msg=f"the floor's {k} differs from footprint.estimator.compute")
        r = max(1, repeats if n <= 100_000 else max(3, repeats // 2))  # as the tuned table below
        cpu = []
        t_floor = best_of(lambda: floor(central), r, cpu)
        t_compute1 = best_of(lambda: compute(m1), r)
        t_compute3 = best_of(lambda: compute(m3), r)
        t_batch1 = best_of(lambda: batch.estimate(table, cases=False), r, cpu)
        t_batch3 = best_of(lambda: batch.estimate(table, cases=True), r, cpu)
        rows.append({"rows": n, "floor": n / t_floor, "compute_central": n / t_compute1, "compute_cases": n / t_compute3,
                     "batch_central": n / t_batch1, "batch_cases": n / t_batch3, "ecologits": eco,
                     "cpu_floor": n / cpu[0], "cpu_central": n / cpu[1], "cpu_cases": n / cpu[2]})
        print(f"  {n:>9,} rows: batch {n / t_batch1:>12,.0f}/s central, {n / t_batch3:>12,.0f}/s with cases; "
              f"compute {n / t_compute1:>12,.0f}/s; floor {n / t_floor:>12,.0f}/s", flush=True)
    # the same with the allocator of the CLI and the workers (batch.tune_allocator: freed arrays are reused)
    tuned = batch.tune_allocator()
    for row in rows:
        n = row["rows"]
        table = make_table(n)
        r = max(1, repeats if n <= 100_000 else max(3, repeats // 2))
        cpu = []
        batch.estimate(table, cases=True)  # the heap grows to its size once
        row["tuned_central"] = n / best_of(lambda: batch.estimate(table, cases=False), r, cpu)
        row["tuned_cases"] = n / best_of(lambda: batch.estimate(table, cases=True), r, cpu)
        row["tuned_cpu_central"], row["tuned_cpu_cases"] = n / cpu[0], n / cpu[1]
        values, _, _ = batch.resolve_table(table)
        central = {k: np.broadcast_to(a[:, 1], (n,)).copy() for k, a in values.items()}
        cpu = []
        row["tuned_floor"] = n / best_of(lambda: floor(central), r, cpu)
        row["tuned_cpu_floor"] = n / cpu[0]
        print(f"  {n:>9,} rows, tuned allocator ({tuned}): batch {row['tuned_central']:>12,.0f}/s central, "
              f"{row['tuned_cases']:>12,.0f}/s with cases", flush=True)
    return rows, eco


def ecologits_rate(table, calls):
    """EcoLogits' ``compute_llm_impacts`` per call on the same kind of cases, or None when not installed.

    Returns ``{"scalar": calls/s, "range": calls/s}``: scalar inputs, and the range-valued call
    (parameters and PUE as ``RangeValue``, as EcoLogits does for models of unknown size), the
    closest to footprint's low/central/high.
    """
    try:
        from ecologits.electricity_mix_repository import electricity_mixes
        from ecologits.impacts.llm import compute_llm_impacts
        from ecologits.utils.range_value import RangeValue
    except ImportError:
        print("  EcoLogits not importable: skipped (install ecologits==0.11.3 in a benchmark venv, see the docstring)")
        return None
    mixes = {z: electricity_mixes.find_electricity_mix(zone=z) for z in ("FRA", "USA", "DEU", "WOR")}
    params = table["params[billion]"].to_numpy()
    out_tok = table["output_tokens"].to_numpy()
    pue = table["pue"].to_numpy()
    zones = table["zone"].to_numpy()

    def run(ranged):
        for i in range(calls):
            mix = mixes[zones[i]]
            n = RangeValue(min=params[i] * 0.8, max=params[i] * 1.2) if ranged else params[i]
            p = RangeValue(min=pue[i] * 0.95, max=pue[i] * 1.05) if ranged else pue[i]
            compute_llm_impacts(model_active_parameter_count=n, model_total_parameter_count=n,
                                output_token_count=out_tok[i], if_electricity_mix_adpe=mix.adpe,
                                if_electricity_mix_pe=mix.pe, if_electricity_mix_gwp=mix.gwp,
                                if_electricity_mix_wue=mix.wue, datacenter_pue=p, datacenter_wue=0.5,
                                request_latency=math.inf)

    rates = {}
    for kind, ranged in (("scalar", False), ("range", True)):
        run(ranged)  # warm-up
        rates[kind] = calls / best_of(lambda: run(ranged), 3)
    print(f"  EcoLogits compute_llm_impacts: {rates['scalar']:,.0f} calls/s scalar, {rates['range']:,.0f} calls/s "
          f"range-valued ({calls} calls, best of 3)")
    return rates


# -- (d) Dask: one process against a local cluster ----------------------------------------------------------

_ENGINE_SCRIPT = textwrap.dedent("""
    import json, os, sys, time
    sys.path.insert(0, {root!r}); sys.path.insert(0, {here!r})
    import speed
    from speed import make_table
    from footprint import batch

    def cpu():
        import resource
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    def hwm():
        try:
            return int([l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]) / 1024
        except (OSError, IndexError):
            return float("nan")

    def main():
        rows, part, samples, workers, processes = {rows}, {part}, {samples}, {workers}, {processes}
        parts = -(-rows // part)
        col = "co2e_per_request_p50[gCO2e]" if samples else "co2e_per_request[gCO2e]"
        kw = dict(cases=False) if not samples else dict(samples=samples, seed=1)
        if workers == 0:
            batch.tune_allocator()  # as `estimate --batch` does in its own process
            c0 = cpu()
            t0 = time.perf_counter()
            total = 0.0
            for k in range(parts):  # the CLI's way: one chunk after the other
                total += float(batch.estimate(make_table(min(part, rows - k * part), seed=k),
                                              row_offset=k * part, **kw)[col].sum())
            out = dict(seconds=time.perf_counter() - t0, start=0.0, total=total, peak_mb=[hwm()], tasks=None,
                       cpu=[cpu() - c0])
        else:
            import logging
            import cloudpickle
            import dask
            import dask.dataframe as dd
            from distributed import Client, LocalCluster, get_task_stream
            cloudpickle.register_pickle_by_value(speed)  # the workers build their own partitions
            t0 = time.perf_counter()
            with dask.config.set({{"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}}):
                if processes:
                    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
                else:  # one process, `workers` threads (numpy releases the GIL in its loops)
                    cluster = LocalCluster(n_workers=1, threads_per_worker=workers, processes=False,
                                           dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
            client.run(batch.worker_setup)
            start = time.perf_counter() - t0
            t0 = time.perf_counter()
            sizes = [min(part, rows - k * part) for k in range(parts)]
            table = dd.from_map(lambda k: make_table(sizes[k], seed=k), list(range(parts)), meta=make_table(0),
                                divisions=[None] * (parts + 1))
            c0 = client.run(cpu)
            with get_task_stream(client) as stream:
                total = float(batch.estimate(table, **kw)[col].sum().compute())
            seconds = time.perf_counter() - t0
            used = sorted(v - c0[k] for k, v in client.run(cpu).items())
            # per-partition breakdown: time each worker spent computing tasks, and the longest partition task
            busy, longest, n_tasks = {{}}, 0.0, 0
            for task in stream.data:
                for ss in task.get("startstops", ()):
                    if ss["action"] == "compute":
                        d = ss["stop"] - ss["start"]
                        key = (task.get("worker"), task.get("thread"))
                        busy[key] = busy.get(key, 0.0) + d
                        longest = max(longest, d)
                        n_tasks += 1
            peaks = sorted(client.run(hwm).values())
            client.close(); cluster.close()
            out = dict(seconds=seconds, start=start, total=total, peak_mb=peaks,
                       tasks=dict(n=n_tasks, busy=sorted(busy.values()), longest=longest), cpu=used)
        out["load"] = os.getloadavg()[0]
        print(json.dumps(out))

    if __name__ == "__main__":
        main()
""")


def bench_engines(rows: int, part: int, samples: int | None, workers=((0, True), (1, True), (2, True), (2, False))):
    """One process (chunks of `part` rows one after the other) against LocalClusters of 1 and 2 processes, and of
    one process with 2 threads."""
    here = Path(__file__).resolve().parent
    out = []
    for w, processes in workers:
        script = _ENGINE_SCRIPT.format(root=str(ROOT), here=str(here), rows=rows, part=part, samples=samples or 0,
                                       workers=w, processes=processes)
        path = here / f".engine_{os.getpid()}.py"  # a file: worker processes are spawned from a main module
        path.write_text(script, encoding="utf-8")
        try:
            proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=True)
        finally:
            path.unlink(missing_ok=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        r.update(workers=w, rows=rows, part=part, samples=samples, processes=processes)
        out.append(r)
        name = "one process" if w == 0 else f"Dask, {w} worker{'s' if w > 1 else ''}" + ("" if processes else " (threads)")
        print(f"  {rows:,} rows{f' x {samples:,} samples' if samples else ' (central)'}, {name}: {r['seconds']:.1f} s "
              f"(+{r['start']:.1f} s start), peak {', '.join(f'{p:.0f}' for p in r['peak_mb'])} MB", flush=True)
    ref = out[0]["total"]
    for r in out[1:]:
        assert math.isclose(r["total"], ref, rel_tol=1e-12), f"Dask gave another total: {r['total']} != {ref}"
    return out


def bench_cli_workers(rows: int, samples: int):
    """`estimate --batch` of a CSV file, without and with `--workers 2`: wall time and identical files."""
    import tempfile

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "t.csv"
        make_table(rows, seed=3).to_csv(src, index=False)
        times, loads = {}, {}
        for label, extra in (("one", []), ("two", ["--workers", "2"])):
            loads[label] = os.getloadavg()[0]
            cmd = [sys.executable, "-m", "footprint", "estimate", "--batch", str(src), "--output",
                   str(Path(tmp) / f"{label}.csv"), "--samples", str(samples), "--seed", "3", *extra]
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, check=True)
            times[label] = time.perf_counter() - t0
        same = all((Path(tmp) / f"one{x}").read_bytes() == (Path(tmp) / f"two{x}").read_bytes()
                   for x in (".csv", ".sources.csv"))
        # the cluster start-up alone: a LocalCluster of 2 worker processes started, set up and closed, as the CLI does
        code = ("import time; t0 = time.perf_counter()\n"
                "from footprint.cli_batch import _Dask\n"
                "with _Dask(2):\n    t1 = time.perf_counter()\n"
                "print(t1 - t0, time.perf_counter() - t1)")
        if not (ROOT / "footprint" / "cli_batch.py").exists():
            code = code.replace("footprint.cli_batch", "footprint.cli.batch")
        proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
        start, close = (float(x) for x in proc.stdout.split()[-2:]) if proc.returncode == 0 else (float("nan"),) * 2
    out = {"rows": rows, "samples": samples, "one": times["one"], "two": times["two"], "same": same,
           "start": start, "close": close, "load": loads}
    print(f"  CLI {rows:,} rows x {samples:,} samples: {times['one']:.1f} s one process, {times['two']:.1f} s with "
          f"--workers 2 ({times['one'] / times['two']:.2f}x); same files: {same}", flush=True)
    return out


# -- (e) compare per scenario ---------------------------------------------------------------------------------


def bench_compare(repeats: int):
    from footprint.compare import compare_scenario
    from footprint.scenario import load

    out = {}
    paths = sorted((ROOT / "scenarios").glob("*.toml"))
    for p in paths:
        compare_scenario(load(p))  # warm: factor tables, units
    for p in paths:
        out[p.name] = best_of(lambda: compare_scenario(load(p)), repeats)
        print(f"  compare {p.name}: {out[p.name]:.3f} s", flush=True)
    return out


# -- (b) CLI start-up ---------------------------------------------------------------------------------------


def bench_cli(n: int):
    # with compiled bytecode, as a pip install leaves it: the warm-up run writes footprint's .pyc files
    # (an editable checkout under PYTHONDONTWRITEBYTECODE would recompile every module on each start)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cli = [sys.executable, "-m", "footprint", *CLI_ARGS]
    bare = [sys.executable, "-c", "pass"]
    subprocess.run(cli, env=env, cwd=ROOT, capture_output=True, check=True)  # warm the file cache
    t_cli, t_bare = [], []
    for _ in range(n):
        for cmd, acc in ((bare, t_bare), (cli, t_cli)):
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, check=True)
            acc.append(time.perf_counter() - t0)
    out = {"cli": statistics.median(t_cli), "bare": statistics.median(t_bare)}
    out["extra"] = out["cli"] - out["bare"]
    print(f"  CLI {out['cli']:.3f} s, python -c pass {out['bare']:.3f} s, extra {out['extra']:.3f} s (median of {n})")
    out["imports"] = import_profile(env) if out["extra"] > TARGETS["cli_extra_s"] else None
    return out


def import_profile(env, top: int = 12):
    """Cumulative import times (``python -X importtime``) of the CLI run, largest first (any nesting level)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "footprint", *CLI_ARGS], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cum_us, name = line.split(":", 1)[1].split("|", 2)
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        rows.append((int(cum_us), int(self_us), f"{'. ' * depth}{name.strip()}"))
    rows.sort(reverse=True)
    return [(name, cum / 1e3, self_ / 1e3) for cum, self_, name in rows[:top]]


# -- (c) Monte Carlo peak memory -------------------------------------------------------------------------------

_MC_SCRIPT = textwrap.dedent("""
    import json, resource, sys, time
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {here!r})
    from speed import make_table
    from footprint import batch
    table = make_table({rows})
    t0 = time.perf_counter()
    result = batch.estimate(table, samples={samples}, seed=1)
    dt = time.perf_counter() - t0
    ok = bool(((result["energy_per_request_p5[Wh]"] <= result["energy_per_request_p50[Wh]"]) &
               (result["energy_per_request_p50[Wh]"] <= result["energy_per_request_p95[Wh]"])).all())
    # VmHWM: this process's own high-water mark (ru_maxrss would carry the parent's across fork + exec)
    try:
        hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
        peak = int(hwm) / 1024
    except (OSError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({{"seconds": dt, "peak_mb": peak, "ordered": ok}}))
""")


def bench_montecarlo(rows: int, samples: int):
    script = _MC_SCRIPT.format(root=str(ROOT), here=str(Path(__file__).resolve().parent), rows=rows, samples=samples)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.update(rows=rows, samples=samples)
    print(f"  Monte Carlo {rows:,} x {samples:,}: {out['seconds']:.1f} s, peak RSS {out['peak_mb']:.0f} MB, "
          f"{rows * samples / out['seconds']:,.0f} samples/s")
    return out


# -- report ------------------------------------------------------------------------------------------------------


def machine() -> dict:
    import numpy
    import pandas
    import pint

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "numpy": numpy.__version__,
            "pandas": pandas.__version__, "pint": pint.__version__, "os": platform.platform(),
            "load": ", ".join(f"{x:.2f}" for x in os.getloadavg())}


def verdict(ok) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**missed**")


def _engine_rows(runs) -> list:
    one = runs[0]["seconds"]
    out = []
    for r in runs:
        if r["workers"] == 0:
            name = "one process (chunks in turn)"
        elif r.get("processes", True):
            name = f"Dask LocalCluster, {r['workers']} worker process" + ("es" if r["workers"] > 1 else "")
        else:
            name = f"Dask LocalCluster, 1 process with {r['workers']} threads"
        start = f"{r['start']:.1f} s" if r["workers"] else "-"
        t = r.get("tasks")
        if t and t["busy"]:
            busy = ", ".join(f"{b:.1f} s ({b / r['seconds']:.0%})" for b in t["busy"])
            tasks = f"{t['n']} tasks, longest {t['longest']:.2f} s; computing: {busy}"
        else:
            tasks = "-"
        used = ", ".join(f"{c:.1f} s" for c in r.get("cpu", []))
        out.append(f"| {name} | {r['seconds']:.1f} s | {start} | {one / r['seconds']:.2f}x | "
                   f"{', '.join(f'{p:.0f}' for p in r['peak_mb'])} | {used} | {tasks} | {r.get('load', float('nan')):.2f} |")
    return out


def report(mach, rows, eco, cli, mc, smoke, engines=(), cli_workers=None, compare=None) -> str:
    big = rows[-1]
    floor_ratio = big["floor"] / big["batch_central"]
    eco_ratio = big["batch_central"] / eco["scalar"] if eco else None
    eco_range_ratio = big["batch_cases"] / eco["range"] if eco else None
    lines = [
        "# Speed and memory benchmark",
        "",
        f"Generated by `python benchmarks/speed.py{' --smoke' if smoke else ''}` in one run (ratios are within that run).",
        "",
        "## Machine",
        "",
        f"- CPU: {mach['cpu']}, {mach['cores']} cores (numpy runs single-threaded here: elementwise ufuncs)",
        f"- OS: {mach['os']}; load average at the start: {mach['load']} (other jobs shared the machine)",
        f"- Python {mach['python']}, numpy {mach['numpy']}, pandas {mach['pandas']}, pint {mach['pint']}",
        "",
        "## (a) Batch throughput (scenarios per second)",
        "",
        "Table: numbers in unit-named columns (`params[billion]`, `pue`...), names in `gpu` and `zone`; best of a few "
        "repeats. *batch* is `footprint.batch.estimate(table)` from DataFrame to result DataFrame (parsing, "
        "validation, factor look-ups, compute, output columns); *compute* is `footprint.estimator.compute` alone on "
        "the resolved arrays; *floor* is the same arithmetic written as one bare numpy expression on plain arrays "
        "(central value, shared-fleet path only; checked equal to compute).",
        "",
        "| rows | batch, central | batch, low/central/high | compute, central | compute, 3 cases | numpy floor | "
        "floor / batch | batch / EcoLogits scalar | batch with cases / EcoLogits range-valued |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        e = f"{r['batch_central'] / eco['scalar']:,.0f}x | {r['batch_cases'] / eco['range']:,.0f}x" if eco else "n/a | n/a"
        lines.append(f"| {r['rows']:,} | {r['batch_central']:,.0f} | {r['batch_cases']:,.0f} | "
                     f"{r['compute_central']:,.0f} | {r['compute_cases']:,.0f} | {r['floor']:,.0f} | "
                     f"{r['floor'] / r['batch_central']:.1f}x | {e} |")
    lines += [
        "",
        "The same rows with the allocator settings that `footprint estimate --batch` and the Dask workers use "
        "(`footprint.batch.tune_allocator`: glibc keeps freed arrays for reuse instead of returning them to the "
        "system, so a call does not page-fault fresh memory in; `batch.estimate` alone does not change them), "
        "and the rates per CPU-second (user + system time of this process, less sensitive to the other jobs "
        "on the machine than the wall time):",
        "",
        "| rows | batch, central | batch, low/central/high | numpy floor | floor / batch | per CPU-s: central "
        "| per CPU-s: cases | per CPU-s: floor | floor / batch, CPU time | per CPU-s, default allocator: central | "
        "per CPU-s, default allocator: cases |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['rows']:,} | {r['tuned_central']:,.0f} | {r['tuned_cases']:,.0f} | {r['tuned_floor']:,.0f} | "
                     f"{r['tuned_floor'] / r['tuned_central']:.1f}x | {r['tuned_cpu_central']:,.0f} | "
                     f"{r['tuned_cpu_cases']:,.0f} | {r['tuned_cpu_floor']:,.0f} | "
                     f"{r['tuned_cpu_floor'] / r['tuned_cpu_central']:.1f}x | {r['cpu_central']:,.0f} | "
                     f"{r['cpu_cases']:,.0f} |")
    lines += ["", (f"EcoLogits 0.11.3 `compute_llm_impacts`, one call per scenario in a Python loop: {eco['scalar']:,.0f} "
                   f"calls/s with scalar inputs, {eco['range']:,.0f} calls/s range-valued (parameters and PUE as "
                   "`RangeValue`, the counterpart of footprint's low/central/high)."
                   if eco else "EcoLogits was not importable in this environment: its columns are n/a."), ""]
    lines += [
        "## (b) CLI start-up",
        "",
        f"`footprint estimate {' '.join(CLI_ARGS[1:])}` as a whole process (`python -m footprint.cli`): "
        f"median {cli['cli']:.3f} s; `python -c pass`: {cli['bare']:.3f} s; extra **{cli['extra']:.3f} s** "
        "(with compiled bytecode, as a pip install leaves the package).",
        "",
    ]
    if cli["imports"]:
        lines += ["Largest imports (`python -X importtime`, cumulative; dots give the nesting level):", "",
                  "| module | cumulative ms | self ms |", "|---|---:|---:|"]
        lines += [f"| {name} | {cum:.1f} | {self_:.1f} |" for name, cum, self_ in cli["imports"]]
        lines.append("")
    lines += [
        "## (c) Monte Carlo memory",
        "",
        f"{mc['rows']:,} scenarios x {mc['samples']:,} samples (`batch.estimate(table, samples=..., seed=1)`, "
        f"fresh process): {mc['seconds']:.1f} s, peak RSS **{mc['peak_mb']:.0f} MB**, "
        f"{mc['rows'] * mc['samples'] / mc['seconds']:,.0f} samples/s; p5 <= p50 <= p95 on every row: {mc['ordered']}.",
        "",
        "## (d) One process against Dask",
        "",
        "`batch.estimate` of the same rows: in one process, chunk after chunk (what `estimate --batch` does), and "
        "as a Dask DataFrame (`dd.from_map`, each worker builds its own partitions) on a `LocalCluster` of 1 and 2 "
        "worker processes (one thread each); the sum of a result column is brought back, so the time is the "
        "estimate, not the transfer. *start* is the cluster start-up and the per-worker set-up "
        "(`batch.worker_setup`), not included in *time*. Peak memory is each process's VmHWM. The totals of "
        "every engine are equal (checked).",
        "",
    ]
    for runs in engines:
        r0 = runs[0]
        what = f"{r0['rows']:,} rows x {r0['samples']:,} samples" if r0["samples"] else f"{r0['rows']:,} rows, central"
        lines += [f"**{what}**, partitions of {r0['part']:,} rows:", "",
                  "| engine | time | start | speed-up | peak memory per process (MB) | CPU time per process "
                  "(user + system) | tasks: time each worker (thread) spent computing, share of the wall time | "
                  "load average (1 min) at the end |",
                  "|---|---:|---:|---:|---:|---:|---|---:|"]
        lines += _engine_rows(runs) + [""]
    if cli_workers:
        c = cli_workers
        lines += [f"`footprint estimate --batch` of a CSV file of {c['rows']:,} rows x {c['samples']:,} samples "
                  f"(`--seed 3`), whole process: {c['one']:.1f} s in one process, {c['two']:.1f} s with `--workers 2` "
                  f"(cluster start included): **{c['one'] / c['two']:.2f}x**; results and sources files byte-identical: "
                  f"**{c['same']}**. Starting the LocalCluster of 2 worker processes and setting them up takes "
                  f"{c['start']:.1f} s (closing it {c['close']:.1f} s). Load average (1 min) when each run started: "
                  f"{c['load']['one']:.2f} and {c['load']['two']:.2f} on {os.cpu_count()} cores.", ""]
    if compare:
        lines += ["## (e) compare per scenario", "",
                  "`compare_scenario(load(path))` in-process, warm (factor tables and units loaded), default samples, "
                  "best of a few:", "", "| scenario | seconds |", "|---|---:|"]
        lines += [f"| {name} | {t:.3f} |" for name, t in compare.items()] + [""]
    slowest = max(compare.values()) if compare else None
    lines += [
        "## Targets (issues 6 and 15)",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        f"| >= 1,000,000 scenario evaluations/s, one core, central value ({big['rows']:,} rows) | "
        f"batch {big['batch_central']:,.0f}/s (compute alone {big['compute_central']:,.0f}/s) | "
        f"{verdict(big['batch_central'] >= TARGETS['rate'])} |",
        f"| batch within 3x of the bare numpy floor | {floor_ratio:.1f}x | {verdict(floor_ratio <= TARGETS['floor_ratio'])} |",
        f"| >= 100x EcoLogits' per-call rate | {f'{eco_ratio:,.0f}x' if eco_ratio else 'n/a'} | "
        f"{verdict(None if eco_ratio is None else eco_ratio >= TARGETS['ecologits_ratio'])} |",
        f"| CLI within 0.3 s of a bare Python start | +{cli['extra']:.3f} s | "
        f"{verdict(cli['extra'] <= TARGETS['cli_extra_s'])} |",
        f"| Monte Carlo 10,000 x 10,000 within 2 GB | {mc['peak_mb']:.0f} MB at {mc['rows']:,} x {mc['samples']:,} | "
        f"{verdict(mc['peak_mb'] <= TARGETS['mc_peak_mb']) if mc['rows'] * mc['samples'] >= 1e8 else 'n/a (smoke size)'} |",
        f"| batch >= 1,000,000 rows/s with low/central/high ({big['rows']:,} rows) | {big['batch_cases']:,.0f}/s; "
        f"{big['tuned_cases']:,.0f}/s with the CLI's allocator | {verdict(big['batch_cases'] >= TARGETS['rate'])}; "
        f"with the CLI's allocator {verdict(big['tuned_cases'] >= TARGETS['rate'])} |",
        f"| batch within 3x of the floor, with the CLI's allocator | "
        f"{big['tuned_floor'] / big['tuned_central']:.1f}x wall, {big['tuned_cpu_floor'] / big['tuned_cpu_central']:.1f}x "
        f"CPU time | {verdict(big['tuned_floor'] / big['tuned_central'] <= TARGETS['floor_ratio'])} |",
        f"| batch >= 1,000,000 rows per CPU-second with low/central/high, CLI's allocator | "
        f"{big['tuned_cpu_cases']:,.0f} | {verdict(big['tuned_cpu_cases'] >= TARGETS['rate'])} |",
        f"| batch with cases / EcoLogits range-valued | {f'{eco_range_ratio:,.0f}x' if eco_range_ratio else 'n/a'} | "
        "reported |",
        f"| compare of every shipped scenario <= 0.15 s warm | slowest {slowest:.3f} s | "
        f"{verdict(slowest <= 0.15) if slowest is not None else 'n/a'} |",
    ]
    if cli_workers:
        lines.append(f"| `--workers 2` >= 1.3x faster on {cli_workers['rows']:,} x {cli_workers['samples']:,} (start "
                     f"included), same file | {cli_workers['one'] / cli_workers['two']:.2f}x, same: {cli_workers['same']} | "
                     f"{verdict(cli_workers['one'] / cli_workers['two'] >= 1.3 and cli_workers['same'])} |")
    lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a seconds-long version (CI); prints, writes nothing")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "speed.md"))
    parser.add_argument("--engine-rows", type=int, default=10_000_000, help="rows of the central Dask comparison")
    parser.add_argument("--engine-mc", type=int, nargs=2, default=(10_000, 10_000), metavar=("ROWS", "SAMPLES"),
                        help="rows and samples of the Monte Carlo Dask comparison (the issue asks 100000 10000)")
    parser.add_argument("--cli-workers", type=int, nargs=2, default=(100_000, 1_000), metavar=("ROWS", "SAMPLES"))
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask comparisons")
    args = parser.parse_args(argv)
    if args.smoke:
        sizes, repeats, calls, cli_n, mc = [1_000, 10_000], 2, 200, 3, (200, 1_000)
        engines = [(20_000, 10_000, None), (400, 200, 200)]
        cli_workers = (2_000, 100)
    else:
        sizes, repeats, calls, cli_n, mc = [1_000, 10_000, 100_000, 1_000_000], 5, 2_000, 11, (10_000, 10_000)
        mc_rows, mc_samples = args.engine_mc
        engines = [(args.engine_rows, 1_000_000, None), (mc_rows, max(100, mc_rows // 8), mc_samples)]
        cli_workers = tuple(args.cli_workers)
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("(d) Dask is not installed (pip install 'footprint[dask]'): its comparisons are skipped")
        args.no_dask = True
    mach = machine()
    print(f"machine: {mach}")
    print("(a) batch throughput")
    rows, eco = bench_batch(sizes, repeats, calls)
    print("(b) CLI start-up")
    cli = bench_cli(cli_n)
    print("(c) Monte Carlo memory")
    mc_out = bench_montecarlo(*mc)
    engine_runs, cli_w = [], None
    if not args.no_dask:
        print("(d) one process against Dask")
        engine_runs = [bench_engines(r, part, smp) for r, part, smp in engines]
        cli_w = bench_cli_workers(*cli_workers)
    print("(e) compare per scenario")
    cmp_times = bench_compare(2 if args.smoke else 5)
    text = report(mach, rows, eco, cli, mc_out, args.smoke, engine_runs, cli_w, cmp_times)
    if args.smoke:
        print(text)
        return
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
