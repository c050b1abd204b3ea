"""`footprint estimate`: the footprint of serving a model, per request and over a period."""

from __future__ import annotations

import click

from ..inputs import MAX_SAMPLES

from .format import emit_json
from .inputs import cli_label, input_options
from ..formatting import assumption_value, figure, table

@click.command()
@input_options()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (every figure, assumption and note; keys and units: docs/json.md).")
@click.option("--batch", "batch_file", default=None, metavar="FILE.csv",
              help="Estimate every row of a CSV table (columns named like these flags; docs/batch.md).")
@click.option("--output", "output", default=None, metavar="FILE.csv", help="With --batch: where the results go.")
@click.option("--skip-invalid", is_flag=True,
              help="With --batch: write the good rows and put the bad ones in a rejects file (default OUTPUT.rejects.csv).")
@click.option("--rejects", "rejects_file", default=None, metavar="FILE.csv", help="With --skip-invalid: the rejects file.")
@click.option("--samples", default=None, type=click.IntRange(1, MAX_SAMPLES), metavar="N",
              help="Monte Carlo draws over the ranged inputs: adds p5/p50/p95 (with --batch: columns per row).")
@click.option("--seed", default=None, type=click.IntRange(min=0), metavar="S", help="With --samples: seed of the sampling [default 0].")
@click.option("--workers", default=None, type=click.IntRange(1, 1024), metavar="N",
              help="With --batch: run on N local worker processes (Dask; pip install 'footprint[dask]'). Same file as without.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="With --batch: run on an existing Dask cluster (e.g. tcp://10.0.0.5:8786). Same file as without.")
@click.pass_context
def estimate(ctx, as_json, batch_file, output, skip_invalid, rejects_file, samples, seed, workers, scheduler,
             **options):
    """Estimate the energy, CO2e and water of serving a model.

    \b
    Examples:
      footprint estimate --params 70B --output-tokens 400 --gpu H100 --zone FRA
      footprint estimate --model mixtral-8x7b --requests 10000/day --zone FRA --json
      footprint estimate --params 8B --provisioning dedicated --requests 500/day --gpu L4
      footprint estimate --params 100B --output-tokens 500 --input-tokens 0 --flop-utilisation 0.1 \\
                         --power-per-gpu '892.5 W' --pue 1.2 --fleet-utilisation 1
      footprint estimate --batch scenarios.csv --output results.csv --skip-invalid --samples 1000 --seed 1
      footprint estimate --batch scenarios.csv --output results.csv --samples 1000 --workers 4
    """
    batch_flags = {"output": output, "skip_invalid": skip_invalid, "rejects": rejects_file, "workers": workers,
                   "scheduler": scheduler}
    if batch_file is not None:
        given = [cli_label(n) for n, v in options.items() if v is not None]
        if as_json:
            given.append("--json")
        if given:
            raise click.UsageError(f"{', '.join(given)} cannot be combined with --batch: put the inputs in columns "
                                   "of the table")
        if output is None:
            raise click.UsageError("--batch needs --output FILE.csv")
        if workers is not None and scheduler is not None:
            raise click.UsageError("--workers starts a local cluster and --scheduler joins an existing one: give one")
        from .batch import run_batch

        run_batch(batch_file, output, skip_invalid=skip_invalid, rejects=rejects_file, samples=samples, seed=seed,
                  workers=workers, scheduler=scheduler)
        return
    stray = [f"--{n.replace('_', '-')}" for n, v in batch_flags.items() if v not in (None, False)]
    if stray:
        raise click.UsageError(f"{', '.join(stray)} only apply with --batch FILE.csv")
    from ..estimator import estimate as run

    kwargs = {name: value for name, value in options.items() if value is not None}
    if seed is not None and samples is None:
        raise click.UsageError("--seed applies to the Monte Carlo: give --samples N too")
    if samples is not None and samples < 100:
        raise click.UsageError(f"--samples: {samples} draws are too few for percentiles; give at least 100")
    result = run(label=cli_label, **kwargs)
    doc = result.to_dict()
    if samples is not None:
        from ..montecarlo import estimate_percentiles

        doc["percentiles"] = estimate_percentiles(result, samples, 0 if seed is None else seed)
    if as_json:
        emit_json(doc)
    else:
        click.echo(render(doc))


def render(doc: dict) -> str:
    """Human-readable report of an estimate document."""
    out = []
    rows = [[k, figure(v)] for k, v in doc["per_request"].items()]
    out.append(table(rows, ["per request", "value  (low - high)"]))
    if "total" in doc:
        t = doc["total"]
        rows = [[k, figure(t[k])] for k in ("energy", "co2e", "water")]
        out.append(table(rows, [f"total over {t['period']} ({figure(t['requests'])})", "value  (low - high)"]))
    rows = [[line, figure(d["energy"]), figure(d["co2e"])] for line, d in doc["breakdown"].items()]
    out.append(table(rows, ["breakdown per request", "energy", "co2e"]))
    if "percentiles" in doc:
        p = doc["percentiles"]
        rows = [[f"{block} {metric}", f"{q['p50']:.3g} {q['unit']}  (p5 {q['p5']:.3g} - p95 {q['p95']:.3g})"]
                for block in ("per_request", "total") if block in p for metric, q in p[block].items()]
        out.append(table(rows, [f"Monte Carlo ({p['samples']} draws, seed {p['seed']})", "median  (p5 - p95)"]))
    inter = doc["intermediates"]
    line = "serving ({serving_path}): {n_gpus:g} GPU(s), busy {busy_time_s:.3g} s, charged {allocated_time_s:.3g} s " \
           "(utilisation {utilisation:.2f})".format(**inter)
    if "batch_size_effective" in inter:
        line += ", effective batch {batch_size_effective:.3g}, decode compute share {decode_compute_share:.2f}".format(
            **inter)
    out.append(line + f"\nformula: {inter['formula']}")
    rows = [[a["name"], assumption_value(a), a["unit"], a["source"]] for a in doc["assumptions"]]
    out.append(table(rows, ["assumption", "value", "unit", "source"]))
    if doc.get("notes"):
        out.append("notes:\n" + "\n".join(f"  - {n}" for n in doc["notes"]))
    out.append("Ranges are the footprints at the ends of the input ranges (interval propagation), not confidence intervals.")
    return "\n\n".join(out)
