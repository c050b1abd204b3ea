"""Record (or check) the golden figures of footprint.

The golden file holds figures only (no provenance text): the ML.ENERGY rows of
``benchmarks/data/mlenergy_text.csv`` through :func:`footprint.estimator.compute`,
about 500 random single and batch estimates covering every serving path, and every
shipped scenario's ``compare --json`` and ``plot --data``.  A redesign must keep these
figures, except where a bug is fixed; each such change is recorded in its own commit
with the reason (``python tests/golden/record.py`` rewrites the file).

The inputs of the random cases are stored in the file itself, so the check does not
depend on the generator below staying the same.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden.json")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Keys whose content is provenance or prose, not figures.
SKIP_KEYS = {"assumptions", "notes", "source", "sources", "citation", "description", "volume_source", "file",
             "name", "verdict_text", "monte_carlo"}

GPUS = ["H100", "A100-80GB", "A100-40GB", "L4", "H200", "B200", "A40", "T4", "L40S", "V100", "MI300X"]
ZONES = ["FRA", "DEU", "USA", "WOR", "SWE", "POL", "CHN", "EU27"]
MODELS = ["llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "mixtral-8x7b", "mistral-7b", "qwen2.5-72b",
          "deepseek-v3", "gpt-4o", "llama-2-13b"]


def flatten(doc, prefix="") -> dict:
    """{path: float} of every numeric leaf outside provenance keys."""
    out = {}
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k in SKIP_KEYS:
                continue
            out.update(flatten(v, f"{prefix}/{k}"))
    elif isinstance(doc, (list, tuple)):
        for i, v in enumerate(doc):
            out.update(flatten(v, f"{prefix}/{i}"))
    elif isinstance(doc, bool):
        out[prefix] = float(doc)
    elif isinstance(doc, (int, float)):
        out[prefix] = float(doc) if doc is not None else None
    elif doc is None:
        out[prefix] = None
    return out


def _known(table, names):
    from footprint import factors

    keys = {k.lower() for k in factors.keys(table)} if hasattr(factors, "keys") else set()
    return [n for n in names if not keys or n.lower() in keys]


def random_cases(n=260, seed=20261201) -> list[dict]:
    """Keyword arguments of footprint.estimate covering every serving path."""
    rng = np.random.default_rng(seed)
    gpus, zones = GPUS, ZONES
    cases = []
    paths = ["modelled", "modelled", "modelled", "dedicated", "dedicated", "flop", "flop_power", "measured",
             "measured_tps", "item_flops", "item_energy", "training_life", "training_share", "model"]
    for i in range(n):
        path = paths[i % len(paths)]
        kw = {}
        size = float(rng.choice([0.5, 1, 3, 7, 8, 13, 34, 70, 180, 405]))
        moe = rng.random() < 0.2
        if path == "model":
            kw["model"] = str(rng.choice(MODELS))
        elif not path.startswith("item"):
            kw["params"] = f"{size:g}B" if rng.random() < 0.8 else f"{size * 0.8:g}B..{size * 1.2:g}B"
            if moe and rng.random() < 0.8:
                kw["active_params"] = f"{size / 4:g}B"
        if not path.startswith("item"):
            if rng.random() < 0.7:
                kw["output_tokens"] = int(rng.choice([50, 200, 400, 800, 2000]))
            elif rng.random() < 0.5:
                kw["output_tokens"] = "100..600"
            if rng.random() < 0.6:
                kw["input_tokens"] = int(rng.choice([0, 100, 500, 1000, 3000]))
        kw["gpu"] = str(rng.choice(gpus))
        if rng.random() < 0.85:
            kw["zone"] = str(rng.choice(zones))
        if rng.random() < 0.3:
            kw["pue"] = "1.1..1.4" if rng.random() < 0.5 else "1.2"
        if rng.random() < 0.3:
            kw["batch_size"] = int(rng.choice([1, 8, 16, 64, 128]))
        if rng.random() < 0.2:
            kw["datacenter"] = str(rng.choice(["hyperscale", "on_premise", "industry_average"]))
        if rng.random() < 0.15:
            kw["precision"] = str(rng.choice(["fp8", "fp16", "int4", "bf16"]))
        if rng.random() < 0.5 or path in ("dedicated", "training_share"):
            kw["requests"] = str(rng.choice(["100/day", "10000/day", "1e6/month", "50/hour", "100/day..1000/day"]))
            if rng.random() < 0.3:
                kw["period"] = str(rng.choice(["3 year", "30 day"]))
        if path == "dedicated":
            kw["provisioning"] = "dedicated"
        elif path == "flop":
            kw["flop_utilisation"] = str(rng.choice(["0.1", "0.3", "0.05..0.2"]))
        elif path == "flop_power":
            kw["flop_utilisation"] = "0.2"
            kw["power_per_gpu"] = str(rng.choice(["900 W", "1.2 kW"]))
        elif path == "measured":
            kw["measured_energy_per_token"] = str(rng.choice(["0.3 J/token", "0.05 Wh/ktoken", "0.1..0.5 J/token"]))
        elif path == "measured_tps":
            kw["measured_tokens_per_second"] = "1500 token/s"
            kw["measured_power"] = str(rng.choice(["2.5 kW", "700 W"]))
        elif path == "item_flops":
            kw["flops_per_item"] = str(rng.choice(["5e12", "2e14", "1e11..1e12"]))
        elif path == "item_energy":
            kw["energy_per_item"] = str(rng.choice(["2 J", "0.5 Wh", "1..3 J"]))
        elif path == "training_life":
            kw.pop("active_params", None)
            kw["training_lifetime_requests"] = str(rng.choice(["1e9", "1e10"]))
            kw["training_gpu_hours"] = str(rng.choice(["1.5e6", "30000"]))
            if rng.random() < 0.5:
                kw["training_zone"] = str(rng.choice(["FRA", "CHN"]))
        elif path == "training_share":
            kw["training_share"] = str(rng.choice(["0.01", "0.001"]))
            kw["training_tokens"] = "15T"
        if path.startswith("item"):
            for k in ("batch_size", "precision", "provisioning"):
                kw.pop(k, None)
        cases.append(kw)
    return cases


def run_single(kw) -> dict:
    from footprint.errors import InputError
    from footprint.estimator import estimate

    try:
        doc = estimate(**kw).to_dict()
    except InputError as exc:
        return {"error": True}
    return flatten(doc)


BATCH_RESULT_PREFIXES = ("energy_", "co2e_", "water_", "requests_")


def run_batch(cases) -> list[dict]:
    import pandas as pd

    from footprint import batch
    from footprint.errors import InputError

    cols = sorted({k for c in cases for k in c})
    df = pd.DataFrame([{k: (str(c[k]) if k in c else None) for k in cols} for c in cases])
    df.insert(0, "id", range(len(df)))
    res, rejects = batch.estimate(df, skip_invalid=True)
    out = []
    good = set(res["id"].tolist())
    for i in range(len(cases)):
        if i not in good:
            out.append({"error": True})
            continue
        row = res[res["id"] == i].iloc[0]
        out.append({k: (None if (isinstance(v, float) and math.isnan(v)) else float(v))
                    for k, v in row.items() if str(k).startswith(BATCH_RESULT_PREFIXES)})
    return out


def run_mlenergy() -> dict:
    from benchmarks import calibrate
    from footprint.estimator import compute

    rows = calibrate.select(calibrate.read_rows())
    m = calibrate.core_inputs(rows)
    m = {k: np.asarray(v, dtype=float)[..., None] if np.ndim(v) else v for k, v in m.items()}
    raw = compute(m)
    keys = ("energy.gpu_busy", "energy.gpu_idle", "energy.host", "busy_time", "batch", "n_gpus")
    return {k: [float(x) for x in np.broadcast_to(raw[k], np.broadcast_shapes(*(np.shape(raw[j]) for j in keys))).ravel()]
            for k in keys}


def scenarios() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.toml"))


def run_compare(path: Path) -> dict:
    from click.testing import CliRunner

    from footprint.cli import cli

    r = CliRunner().invoke(cli, ["compare", str(path), "--json"])
    if r.exit_code != 0:
        return {"error": r.output[-300:]}
    return flatten(json.loads(r.output))


def run_plot_data(path: Path, tmp: Path) -> dict:
    from click.testing import CliRunner

    from footprint.cli import cli

    html, data = tmp / f"{path.stem}.html", tmp / f"{path.stem}.csv"
    for p in (html, data):
        if p.exists():
            p.unlink()
    r = CliRunner().invoke(cli, ["plot", str(path), "-o", str(html), "--data", str(data)])
    if r.exit_code != 0:
        return {"error": r.output[-300:]}
    out = {}
    for part in sorted(tmp.glob(f"{path.stem}-*.csv")):
        kind = part.stem[len(path.stem) + 1:]
        with part.open(newline="", encoding="utf-8") as fh:
            for i, rec in enumerate(csv.DictReader(fh)):
                for k, v in rec.items():
                    try:
                        out[f"{kind}/{i}/{k}"] = float(v)
                    except (TypeError, ValueError):
                        pass
        part.unlink()
    return out


def record(tmp: Path) -> dict:
    cases = random_cases()
    batch_cases = [c for c in cases if "flops_per_item" not in c and "energy_per_item" not in c]
    return {
        "mlenergy": run_mlenergy(),
        "single": [{"inputs": c, "figures": run_single(c)} for c in cases],
        "batch": {"inputs": batch_cases, "figures": run_batch(batch_cases)},
        "compare": {p.name: run_compare(p) for p in scenarios()},
        "plot_data": {p.name: run_plot_data(p, tmp) for p in scenarios()},
    }


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        doc = record(Path(tmp))
    GOLDEN.write_text(json.dumps(doc, indent=0, sort_keys=True, allow_nan=False, default=str) + "\n", encoding="utf-8")
    n_single = sum(1 for c in doc["single"] if "error" not in c["figures"])
    print(f"wrote {GOLDEN}: {n_single} single cases, {len(doc['batch']['inputs'])} batch rows, "
          f"{len(doc['compare'])} scenarios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
