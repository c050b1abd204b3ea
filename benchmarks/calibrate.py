"""Calibrate the shared constants of the GPU inference model on ML.ENERGY measurements.

Usage::

    python benchmarks/calibrate.py            # fit, cross-validate, print the report
    python benchmarks/calibrate.py --write    # also write the fitted values into factors/constants.csv
    python benchmarks/calibrate.py --extract FILE  # refresh benchmarks/data/mlenergy_text.csv from a compiled copy

What is fitted: ``eta_compute``, ``eta_memory``, ``u_memory`` and ``u_compute`` of
``factors/constants.csv`` -- four numbers shared by every model and every GPU.
The data are the text-generating rows (``output_unit = token``) of the ML.ENERGY
leaderboard v2 (2024, vLLM 0.5.4, A100-40GB and H100) and v3 (2025, vLLM 0.11.1,
H100 and B200): measured GPU energy per output token in the steady state of a
fully loaded server.  v1 (2023, batch 1 on HF PyTorch) is a different regime and
is only reported, never fitted.

Boundary of the comparison: GPU energy only (Zeus/NVML), steady state, full load.
Each row is estimated with ``fleet_utilisation = 1`` (no idle time), PUE 1, and
the ``energy.gpu_busy`` line per output token is compared with
``energy_per_token_j``.  The row gives the GPU, the GPU count (per data-parallel
replica), the precision, the parameter counts, the mean output length and the
measured average batch.  Prompt lengths are not in the table: a typical input
length per task kind (:data:`TYPICAL_INPUT_TOKENS`, an assumption, the same for
every model) is used.

The objective is the sum of squared log10 ratios of energy per token on all v2+v3
rows, plus (v3 rows, which report them) the squared log10 ratios of the average
GPU power and of the throughput, so that power (``u``) and time (``eta``) are
identified separately rather than only their product.  It is minimised by a
small Nelder-Mead search written with numpy (scipy is not needed), on logit-
transformed constants so that they stay in (0, 1).

Generalisation is measured by grouped K-fold cross-validation over model
families: each family's rows are predicted with constants fitted without any
row of that family.

References
----------
.. [1] Chung, J.-W. et al. (2025). The ML.ENERGY Benchmark: Toward Automated
   Inference Energy Measurement and Optimization. NeurIPS Datasets and
   Benchmarks, arXiv:2505.06371 (data: ML.ENERGY leaderboard v2 and v3).
.. [2] Nelder, J. A., Mead, R. (1965). A simplex method for function
   minimization. The Computer Journal 7(4), 308-313.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from footprint import factors  # noqa: E402
from footprint.estimator import INPUTS, compute  # noqa: E402
from footprint.inference import PRECISION_BYTES, PRECISION_FLOPS_KEY  # noqa: E402
from footprint.inputs import CONSTANTS, CORE  # noqa: E402
from footprint.units import ureg  # noqa: E402

#: The extract kept in the repository (refreshed by --extract from a compiled copy of ML.ENERGY's measurements).
DATA = ROOT / "benchmarks" / "data" / "mlenergy_text.csv"

#: Columns kept in the extract (provenance first).
EXTRACT_COLUMNS = (
    "source_repo", "commit", "source_path", "version", "task", "task_kind", "model", "architecture",
    "total_params_b", "active_params_b", "gpu", "gpu_count", "tensor_parallel", "pipeline_parallel",
    "expert_parallel", "data_parallel", "precision", "batch_size", "avg_batch_size", "mean_output_tokens",
    "energy_per_token_j", "throughput_tokens_s", "avg_power_w", "software", "mean_tpot_s", "median_itl_ms",
)

#: The constants fitted here: shared ones (factors/constants.csv) and one per serving stack
#: (factors/serving_stacks.csv, ``step_overhead@<stack>``).
SHARED = ("eta_compute", "eta_memory", "u_memory", "u_compute")
#: Serving stack of each ML.ENERGY software label (v1's HF PyTorch is not fitted; batch 1 makes the overhead moot).
STACKS = {"vLLM 0.5.4": "vllm_2024", "vLLM 0.11.1": "vllm_2025"}
STACK_FITTED = tuple(f"step_overhead@{k}" for k in sorted(set(STACKS.values())))
FITTED = SHARED + STACK_FITTED

#: Search-space transforms: shares in (0, 1) through a logit, the per-sequence overheads [s] through a log.
_TO_SEARCH = {k: (lambda v: np.log(v)) for k in STACK_FITTED}
_FROM_SEARCH = {k: (lambda x: np.exp(x)) for k in STACK_FITTED}


def stack_of(row: dict) -> str:
    """Serving stack of an ML.ENERGY row (factors/serving_stacks.csv key)."""
    return STACKS.get(row.get("software", ""), "vllm_2024" if row["version"] != "v3" else "vllm_2025")


def _to_search(constants: dict) -> np.ndarray:
    return np.array([_TO_SEARCH.get(k, _logit)(constants[k]) for k in FITTED])


def _from_search(x) -> dict:
    c = {k: float(_FROM_SEARCH.get(k, _expit)(v)) for k, v in zip(FITTED, x)}
    # one efficiency of matrix work: prefill and compute-bound decode steps run the same large products;
    # fitted apart, the decode value runs to its bound (1) since no row's decode step is compute-bound enough
    # to identify it, so both take the value that the prefill share of the time identifies
    c["eta_prefill"] = c["eta_compute"]
    return c

#: Prompt tokens per request assumed for each task kind (not in the ML.ENERGY table).
#: An assumption, the same for every model; see docs/methodology.md (Calibration).
TYPICAL_INPUT_TOKENS = {
    "chat": 300,             # ShareGPT / LMArena turns with the chat template (vLLM paper: ShareGPT mean ~160-300)
    "code": 150,             # HumanEval+ function signature and docstring
    "reasoning": 300,        # GPQA-diamond question, four choices and instructions
    "code-completion": 1500, # Sourcegraph fill-in-the-middle: prefix and suffix context
    "image-chat": 1000,      # one image (576-2,000+ vision tokens depending on the encoder) and a prompt
    "video-chat": 4000,      # sampled video frames (thousands of vision tokens) and a prompt
}

#: ML.ENERGY GPU names -> factors/gpus.csv keys.
GPU_KEYS = {"A100-40GB": "A100-40GB", "H100-80GB": "H100", "B200": "B200", "A100": "A100-40GB",
            "A40": "A40", "V100": "V100"}


def precision_key(raw: str) -> str:
    """ML.ENERGY precision label -> a key of :data:`footprint.inference.PRECISION_BYTES`."""
    raw = str(raw).lower()
    if raw.startswith(("auto", "bfloat16")):
        return "bf16"
    if raw.startswith(("float16", "fp16")):
        return "fp16"
    if raw.startswith("fp8"):
        return "fp8"
    if raw.startswith("mxfp4"):
        return "fp4"
    raise ValueError(f"unknown precision label {raw!r}")


def family(model: str) -> str:
    """Model family used to group rows in cross-validation (variants of one model stay together)."""
    name = model.split("/")[-1].lower()
    name = re.sub(r"^meta-", "", name)
    name = re.sub(r"-(fp8|pp1)$", "", name)
    name = re.sub(r"-(instruct|thinking)(-2507)?$", "", name)
    name = re.sub(r"-(instruct|it|hf|chat)(-v0\.\d|-\d{4})?$", "", name)
    return name


# -- data -------------------------------------------------------------------------------------


def read_rows(path: Path | None = None) -> list[dict]:
    """Token rows of the ML.ENERGY extract as dicts (strings converted where numeric)."""
    path = Path(path or DATA)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    numeric = ("total_params_b", "active_params_b", "gpu_count", "tensor_parallel", "pipeline_parallel",
               "expert_parallel", "data_parallel", "batch_size", "avg_batch_size", "mean_output_tokens",
               "energy_per_token_j", "throughput_tokens_s", "avg_power_w", "mean_tpot_s", "median_itl_ms")
    for r in rows:
        for k in numeric:
            r[k] = float(r[k]) if r.get(k, "") not in ("", None) else float("nan")
    _fill_missing_params(rows)
    return rows


def _fill_missing_params(rows: list[dict]) -> None:
    """Two v2 rows of Mixtral 8x22B (layout 'pp1') lack parameter counts: take the model's own."""
    known = {}
    for r in rows:
        if not np.isnan(r["total_params_b"]):
            known.setdefault(family(r["model"]), (r["total_params_b"], r["active_params_b"], r["architecture"]))
    for r in rows:
        if np.isnan(r["total_params_b"]):
            r["total_params_b"], r["active_params_b"], r["architecture"] = known[family(r["model"])]


def select(rows: list[dict], versions=("v2", "v3")) -> list[dict]:
    return [r for r in rows if r["version"] in versions]


def extract(src: Path, dst: Path = DATA) -> int:
    """Copy the token rows of a compiled ML.ENERGY file (`src`) into the repository extract (atomic write)."""
    with src.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["output_unit"] == "token"]
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dst.parent, suffix=".tmp")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=EXTRACT_COLUMNS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, dst)
    return len(rows)


# -- inputs of the core -----------------------------------------------------------------------


def _constant(name, unit=None):
    row = factors.constant(name)
    return ureg.Quantity(row.value, row.unit).m_as(unit or CORE[name].unit)


def _stack_constant(stack, name):
    row = factors.get("serving_stacks", stack, name)
    return ureg.Quantity(row.value, row.unit).m_as(CORE[name].unit)


def core_inputs(rows: list[dict], constants: dict | None = None, input_tokens: dict | None = None) -> dict:
    """Magnitudes for :func:`footprint.estimator.compute`, one element per row (central case only).

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`read_rows`.
    constants : dict, optional
        Values (or arrays broadcastable against the rows) replacing the calibrated constants.
    input_tokens : dict, optional
        Prompt tokens per task kind replacing :data:`TYPICAL_INPUT_TOKENS`.
    """
    constants = constants or {}
    prompts = {**TYPICAL_INPUT_TOKENS, **(input_tokens or {})}
    n = len(rows)
    col = {k: np.array([r[k] for r in rows], dtype=float) for k in
           ("total_params_b", "active_params_b", "gpu_count", "data_parallel", "avg_batch_size", "batch_size",
            "mean_output_tokens")}
    dp = np.nan_to_num(col["data_parallel"], nan=1.0)
    batch = np.where(np.isnan(col["avg_batch_size"]), col["batch_size"], col["avg_batch_size"])
    precisions = [precision_key(r["precision"]) for r in rows]
    gpus = [GPU_KEYS[r["gpu"]] for r in rows]

    def gpu_value(parameter, unit):
        cache = {}
        out = np.empty(n)
        for i, g in enumerate(gpus):
            if (g, parameter) not in cache:
                row = factors.get("gpus", g, parameter)
                cache[g, parameter] = ureg.Quantity(row.value, row.unit).m_as(unit)
            out[i] = cache[g, parameter]
        return out

    peak = np.empty(n)
    for i, (g, p) in enumerate(zip(gpus, precisions)):
        row = factors.get("gpus", g, PRECISION_FLOPS_KEY[p]) or factors.get("gpus", g, "peak_flops_bf16")
        peak[i] = ureg.Quantity(row.value, row.unit).m_as("FLOP/s")

    m = {
        "total_params": col["total_params_b"] * 1e9,
        "active_params": col["active_params_b"] * 1e9,
        "bytes_per_param": np.array([PRECISION_BYTES[p] for p in precisions]),
        "input_tokens": np.array([float(prompts[r["task_kind"]]) for r in rows]),
        "output_tokens": col["mean_output_tokens"],
        # the whole instance: in these runs data parallelism only appears with expert parallelism
        # (DP attention + EP experts), which shards the weights over every GPU
        "n_gpus": col["gpu_count"],
        "batch_size": batch,
        "peak_flops": peak,
        "memory_bandwidth": gpu_value("memory_bandwidth", "byte/s"),
        "gpu_memory": gpu_value("memory", "byte"),
        "tdp": gpu_value("tdp", "W"),
        "idle_power": gpu_value("idle_power", "W"),
        # GPU-only boundary: the gpu_busy line is compared; host, PUE and idle do not enter it
        "host_power": np.zeros(n), "host_idle_power": np.zeros(n), "pue": np.ones(n), "fleet_utilisation": np.ones(n),
        "dedicated": np.zeros(n), "water_offsite": np.ones(n),
        "wue": np.zeros(n), "grid_intensity": np.zeros(n), "water_intensity": np.zeros(n),
        "gpu_embodied": np.zeros(n), "server_embodied": np.zeros(n), "hardware_lifetime": np.ones(n),
        "training_gpu_power": np.zeros(n), "training_pue": np.ones(n), "training_grid_intensity": np.zeros(n),
        "training_mfu": np.ones(n), "training_peak_flops": peak,
    }
    stacks = [stack_of(r) for r in rows]
    for name in CONSTANTS:
        if name == "step_overhead":
            default = np.array([_stack_constant(k, name) for k in stacks])
        else:
            default = _constant(name)
        m[name] = np.broadcast_to(np.asarray(constants.get(name, default), dtype=float), (n,))
    for name in INPUTS:
        m.setdefault(name, np.full(n, np.nan))
    return m


class Dataset:
    """Rows with their core inputs built once (the fit only changes the constants)."""

    def __init__(self, rows: list[dict], input_tokens: dict | None = None):
        self.rows = rows
        self.m = core_inputs(rows, input_tokens=input_tokens)
        self.dp = np.ones(len(rows))
        self.stack = np.array([stack_of(r) for r in rows])
        self.observed = {k: np.array([r[c] for r in rows], dtype=float) for k, c in
                         (("energy_per_token", "energy_per_token_j"), ("power", "avg_power_w"),
                          ("throughput", "throughput_tokens_s"))}
        # v3 reports the median inter-token latency: the duration of a decode step (most steps carry no
        # prefill chunk), which separates decode from prefill in the time per output token
        self.observed["decode_step"] = np.array([r["median_itl_ms"] * 1e-3 for r in rows], dtype=float)

    def subset(self, index) -> "Dataset":
        ds = Dataset.__new__(Dataset)
        index = np.asarray(index)
        ds.rows = [self.rows[i] for i in index]
        ds.m = {k: v[index] for k, v in self.m.items()}
        ds.dp = self.dp[index]
        ds.stack = self.stack[index]
        ds.observed = {k: v[index] for k, v in self.observed.items()}
        return ds

    def __len__(self):
        return len(self.rows)


def predict(ds: Dataset, constants: dict | None = None) -> dict:
    """Estimated GPU energy per output token [J/token], average GPU power [W] and throughput [token/s].

    One call of :func:`footprint.estimator.compute` for every row.
    """
    m = dict(ds.m)
    for k, v in (constants or {}).items():
        if "@" in k:  # a serving stack's constant: the rows of that stack
            name, stack = k.split("@")
            m[name] = np.where(ds.stack == stack, v, m[name])
        else:
            m[k] = np.broadcast_to(np.asarray(v, dtype=float), ds.dp.shape)
    out = compute(m)
    busy = out["busy_time"]  # instance seconds per request (one replica)
    return {
        "energy_per_token": out["energy.gpu_busy"] / m["output_tokens"],
        "power": ds.dp * out["energy.gpu_busy"] / busy,  # all GPUs of all replicas, as ML.ENERGY sums them
        "throughput": ds.dp * m["output_tokens"] / busy,
        "compute_share": out["decode_compute_share"],
        "decode_step": out["decode_step_time"],
        "prefill_share": out["prefill_time"] / busy,
        "n_gpus": out["n_gpus"],
    }


def log_errors(ds: Dataset, constants: dict | None = None) -> dict:
    """log10(estimate / measured) of energy per token, power and throughput (NaN where not measured)."""
    est = predict(ds, constants)
    return {k: np.log10(est[k] / obs) for k, obs in ds.observed.items()}


# -- fit ----------------------------------------------------------------------------------------


def _logit(p):
    return np.log(p / (1.0 - p))


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def nelder_mead(f, x0, step=0.5, tol=1e-7, max_iter=2000):
    """Minimise `f` from `x0` with the Nelder-Mead simplex (standard coefficients 1, 2, 0.5, 0.5)."""
    x0 = np.asarray(x0, dtype=float)
    simplex = np.vstack([x0] + [x0 + step * e for e in np.eye(x0.size)])
    values = np.array([f(x) for x in simplex])
    for _ in range(max_iter):
        order = np.argsort(values)
        simplex, values = simplex[order], values[order]
        if values[-1] - values[0] < tol and np.max(np.abs(simplex[1:] - simplex[0])) < 1e-6:
            break
        centroid = simplex[:-1].mean(axis=0)
        reflected = centroid + (centroid - simplex[-1])
        fr = f(reflected)
        if fr < values[0]:
            expanded = centroid + 2.0 * (centroid - simplex[-1])
            fe = f(expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            inside = fr >= values[-1]
            contracted = centroid + 0.5 * ((simplex[-1] if inside else reflected) - centroid)
            fc = f(contracted)
            if fc < min(fr, values[-1]):
                simplex[-1], values[-1] = contracted, fc
            else:
                simplex[1:] = simplex[0] + 0.5 * (simplex[1:] - simplex[0])
                values[1:] = [f(x) for x in simplex[1:]]
    best = int(np.argmin(values))
    return simplex[best], values[best]


def objective(ds: Dataset, power_weight=1.0):
    """Sum of squared log10 errors: energy per token on every row, power and throughput where measured."""
    def f(x):
        c = _from_search(x)
        err = log_errors(ds, c)
        total = np.nansum(err["energy_per_token"] ** 2)
        total += power_weight * (np.nansum(err["power"] ** 2) + np.nansum(err["throughput"] ** 2)
                                 + np.nansum(err["decode_step"] ** 2))
        return total if np.isfinite(total) else 1e12
    return f


def fit(ds: Dataset, start=None, power_weight=1.0) -> dict:
    """Fitted constants (dict) on the rows of `ds`."""
    start = start or {"eta_compute": 0.3, "eta_memory": 0.6, "u_memory": 0.5, "u_compute": 0.8,
                      **{k: 2e-4 for k in STACK_FITTED}}
    f = objective(ds, power_weight)
    x, _ = nelder_mead(f, _to_search(start))
    x, _ = nelder_mead(f, x, step=0.1)  # restart from the optimum: guards against a collapsed simplex
    return _from_search(x)


def cross_validate(ds: Dataset, k=None, power_weight=1.0) -> tuple[np.ndarray, list[dict]]:
    """Held-out log10 energy error of every row, from K folds over model families (None: one fold a family)."""
    fams = sorted({family(r["model"]) for r in ds.rows})
    k = k or len(fams)
    fold = np.array([fams.index(family(r["model"])) % k for r in ds.rows])
    err = np.full(len(ds), np.nan)
    fits = []
    for j in range(k):
        c = fit(ds.subset(np.flatnonzero(fold != j)), power_weight=power_weight)
        fits.append(c)
        test = np.flatnonzero(fold == j)
        err[test] = log_errors(ds.subset(test), c)["energy_per_token"]
    return err, fits


# -- reporting ---------------------------------------------------------------------------------


def batch_bucket(b: float) -> str:
    for hi, label in ((16, "1-16"), (64, "17-64"), (256, "65-256")):
        if b <= hi:
            return label
    return ">256"


def summary(err: np.ndarray) -> dict:
    a = np.abs(err[np.isfinite(err)])
    return {"n": int(a.size), "median": float(np.median(a)) if a.size else float("nan"),
            "p95": float(np.quantile(a, 0.95)) if a.size else float("nan"),
            "worst": float(a.max()) if a.size else float("nan"),
            "within_0.3": float(np.mean(a <= 0.3)) if a.size else float("nan"),
            "bias": float(np.median(err[np.isfinite(err)])) if a.size else float("nan")}


def groups(rows) -> dict:
    """Labels of each row for the breakdowns."""
    return {
        "version": [r["version"] for r in rows],
        "gpu": [r["gpu"] for r in rows],
        "batch": [batch_bucket(r["avg_batch_size"] if np.isfinite(r["avg_batch_size"]) else r["batch_size"])
                  for r in rows],
        "architecture": ["MoE" if r["architecture"] == "MoE" else "dense" for r in rows],
        "task_kind": [r["task_kind"] for r in rows],
        "precision": [precision_key(r["precision"]) for r in rows],
    }


def table(err: np.ndarray, labels: list[str]) -> list[tuple]:
    out = []
    for lab in sorted(set(labels), key=str):
        idx = np.array([x == lab for x in labels])
        s = summary(err[idx])
        out.append((lab, s))
    return out


def fmt(s: dict) -> str:
    return (f"n={s['n']:4d}  median {s['median']:.3f}  p95 {s['p95']:.3f}  worst {s['worst']:.3f}  "
            f"within 0.3: {100 * s['within_0.3']:.1f}%  median signed {s['bias']:+.3f}")


def report(ds: Dataset, constants, cv_err=None) -> str:
    err = log_errors(ds, constants)
    lines = ["constants: " + ", ".join(f"{k} = {v:.3f}" for k, v in constants.items()),
             "energy per output token, |log10(estimate/measured)|:",
             "  all          " + fmt(summary(err["energy_per_token"]))]
    if cv_err is not None:
        lines.append("  held out     " + fmt(summary(cv_err)))
        for lab, st in table(cv_err, [r["gpu"] for r in ds.rows]):
            lines.append(f"    held out {lab:10s} " + fmt(st))
    lines.append("  v3 power     " + fmt(summary(err["power"])))
    lines.append("  throughput   " + fmt(summary(err["throughput"])))
    lines.append("  v3 decode step (median inter-token latency) " + fmt(summary(err["decode_step"])))
    for name, labels in groups(ds.rows).items():
        lines.append(f"  by {name}:")
        for lab, s in table(err["energy_per_token"], labels):
            lines.append(f"    {lab:16s} " + fmt(s))
    return "\n".join(lines)


def write_rows(values: dict, notes: dict, path: Path, key: str, status: str = "calibrated") -> None:
    """Replace the value (and low/high, status, notes) of rows of a factor table (atomic write).

    `values` maps a row key (``name`` of constants.csv, ``stack`` of serving_stacks.csv) to a value
    or to a (value, low, high) triple.
    """
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header, rows = reader.fieldnames, list(reader)
    for r in rows:
        k = r[key] if key == "name" else f"{r['parameter']}@{r[key]}"
        if k in values:
            v = values[k]
            value, low, high = v if isinstance(v, tuple) else (v, None, None)
            r["value"] = f"{value:.3g}"
            r["low"], r["high"] = ("" if low is None else f"{low:.3g}"), ("" if high is None else f"{high:.3g}")
            r["status"], r["source_id"], r["year"] = (status if k != "model_error" else "derived"), "FP-CALIB", "2026"
            r["notes"] = notes[k]
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)
    factors.clear_cache()


def model_error_range(cv_err: np.ndarray, coverage=0.9) -> tuple[float, float, float]:
    """Model-error factor (central, low, high) from held-out residuals: the measured value is the estimate
    divided by 10^residual, so the factor's range is 10^-(residual quantiles) of the central `coverage`."""
    e = cv_err[np.isfinite(cv_err)]
    q_lo, q_hi = np.quantile(e, [(1 - coverage) / 2, (1 + coverage) / 2])
    return 1.0, float(10 ** -q_hi), float(10 ** -q_lo)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--extract", metavar="FILE", type=Path, default=None,
                    help="refresh the data extract from FILE, a compiled copy of ML.ENERGY's measurements (mlenergy_measured.csv)")
    ap.add_argument("--write", action="store_true", help="write the fitted constants into factors/constants.csv "
                                                         "and factors/serving_stacks.csv")
    ap.add_argument("--folds", type=int, default=0, help="cross-validation folds over model families "
                                                         "(0: leave one family out, the default)")
    args = ap.parse_args(argv)
    if args.extract is not None:
        print(f"extracted {extract(args.extract)} token rows into {DATA.relative_to(ROOT)}")
    rows = select(read_rows())
    print(f"{len(rows)} ML.ENERGY v2+v3 token rows, {len({r['model'] for r in rows})} models, "
          f"{len({family(r['model']) for r in rows})} families")
    ds = Dataset(rows)
    constants = fit(ds)
    cv_err, fits = cross_validate(ds, args.folds or None)
    print(report(ds, constants, cv_err))
    spread = {k: (min(c[k] for c in fits), max(c[k] for c in fits)) for k in constants}
    print("constants over the held-out fits: " + ", ".join(f"{k} {a:.3g}-{b:.3g}" for k, (a, b) in spread.items()))
    err_range = model_error_range(cv_err)
    print(f"model_error (held-out 5-95 %): {err_range[1]:.3f} - {err_range[2]:.3f}")
    if args.write:
        s, h = summary(log_errors(ds, constants)["energy_per_token"]), summary(cv_err)
        fit_text = (f"fit on {s['n']} ML.ENERGY v2+v3 token rows (docs/methodology.md, Calibration): energy per output "
                    f"token median |log10 ratio| {s['median']:.3f}, worst {s['worst']:.2f}, {100 * s['within_0.3']:.1f}% "
                    f"within 0.3; leave-one-family-out median {h['median']:.3f}, {100 * h['within_0.3']:.1f}% within 0.3")
        what = {
            "eta_compute": "achieved share of peak dense FLOP/s in compute-bound decode steps; not identified apart "
                           "from prefill (fitted apart it runs to 1): the prefill value",
            "eta_prefill": "achieved share of peak dense FLOP/s in prefill; identified by the prefill share of the time "
                           "per output token (ML.ENERGY v3 throughput vs median inter-token latency)",
            "eta_memory": "achieved share of peak memory bandwidth in memory-bound decode steps",
            "u_memory": "GPU power utilisation (P - P_idle)/(TDP - P_idle) in a memory-bound decode step",
            "u_compute": "GPU power utilisation in a compute-bound step (prefill, large batches)",
            "step_overhead@vllm_2024": "serving time per sequence per decode step [s] of vLLM 0.5 (V0 engine; "
                                       "ML.ENERGY v2, 2024)",
            "step_overhead@vllm_2025": "serving time per sequence per decode step [s] of vLLM 0.11 (V1 engine; "
                                       "ML.ENERGY v3, 2025) and serving engines of its generation",
        }
        notes = {k: f"{what[k]}; fitted value {v:.3g} (held-out fits {spread[k][0]:.3g}-{spread[k][1]:.3g}); {fit_text}"
                 for k, v in constants.items()}
        notes["model_error"] = (
            "model-error factor on the modelled busy time and GPU energy: 1 centrally; low/high = 10^-(5th and 95th "
            f"percentiles of the leave-one-family-out log10 residuals of energy per output token) on {h['n']} ML.ENERGY "
            "v2+v3 rows, so that ranges and the Monte Carlo are not narrower than the model's measured error")
        shared = {k: v for k, v in constants.items() if "@" not in k}
        write_rows({**shared, "model_error": err_range}, notes, ROOT / "factors" / "constants.csv", "name")
        write_rows({k: v for k, v in constants.items() if "@" in k}, notes, ROOT / "factors" / "serving_stacks.csv",
                   "stack")
        print("wrote factors/constants.csv and factors/serving_stacks.csv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
