"""`footprint estimate`: the footprint of serving a model, per request and over a period."""

from __future__ import annotations

import click

from ..inputs import MAX_SAMPLES

from .format import emit_json
from .inputs import cli_label, input_options
from ..formatting import table

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
@click.option("--budget", default=None, metavar="BUDGET",
              help="Sobriety budget per year, e.g. '500 kWh/year' or '0,5 tCO2e/year' (needs --requests): the "
                   "verdict within / exceeds / uncertain, by Monte Carlo (--samples, default 2000).")
@click.option("--lang", default="en", show_default=True, type=click.Choice(["en", "fr"], case_sensitive=False),
              help="Language of the tables (JSON is the same in every language).")
@click.pass_context
def estimate(ctx, as_json, batch_file, output, skip_invalid, rejects_file, samples, seed, workers, scheduler,
             budget, lang, **options):
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
        if budget is not None:
            given.append("--budget")
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
    if seed is not None and samples is None and budget is None:
        raise click.UsageError("--seed applies to the Monte Carlo: give --samples N too")
    if samples is not None and samples < 100:
        raise click.UsageError(f"--samples: {samples} draws are too few for percentiles; give at least 100")
    parsed_budget = None
    if budget is not None:
        from ..errors import InputError
        from ..scenario import parse_budget

        if kwargs.get("requests") is None:
            raise InputError("--budget: a yearly budget needs a request rate; give --requests too, e.g. "
                             "--requests 10000/day --budget '500 kWh/year'")
        parsed_budget = parse_budget(budget, "--budget")
    result = run(label=cli_label, **kwargs)
    doc = result.to_dict()
    if samples is None and parsed_budget is not None:  # the verdict's draws: the tables show their medians too,
        from ..compare import DEFAULT_SAMPLES          # so the yearly figure printed is the one judged

        samples = DEFAULT_SAMPLES
    if samples is not None:
        from ..montecarlo import estimate_percentiles

        doc["percentiles"] = estimate_percentiles(result, samples, 0 if seed is None else seed)
    if parsed_budget is not None:
        from ..compare import DEFAULT_SAMPLES, estimate_sobriety

        doc["sobriety"] = estimate_sobriety(result, *parsed_budget, samples=samples or DEFAULT_SAMPLES,
                                            seed=0 if seed is None else seed)
    if as_json:
        emit_json(doc)
    else:
        click.echo(render(doc, lang))


def render(doc: dict, lang: str = "en") -> str:
    """Human-readable report of an estimate document, in `lang` (``en`` or ``fr``).

    With Monte Carlo draws (``--samples``) the median and its 5th-95th percentiles come first; the
    ends of the input ranges (interval propagation) come second.
    """
    from .. import words as w
    from ..i18n import Language

    L = Language(lang)
    out = []
    p = doc.get("percentiles")
    med, rng = L("median (p5–p95)"), L("range (ends of the input ranges)")
    blocks = [("per_request", L("per request"), doc["per_request"])]
    if "total" in doc:
        t = doc["total"]
        n = t["requests"]
        count = f"{L.number(n['value'])} {L('requests')}" + (
            f" ({L.number(n['low'])} – {L.number(n['high'])})" if n.get("low") != n.get("high") else "")
        blocks.append(("total", f"{L('in total over')} {w.period(t['period'], L)} ({count})",
                       {k: t[k] for k in doc["per_request"] if k in t}))
    for block, title, figs in blocks:
        if p and block in p:
            rows = [[w.metric(k, L), w.median(p[block].get(k), L), w.bounds(f, L)] for k, f in figs.items()]
            out.append(table(rows, [title, f"{med} ({L('Monte Carlo')})", rng]))
        else:
            rows = [[w.metric(k, L), w.figure(f, L)] for k, f in figs.items()]
            out.append(table(rows, [title, f"{L('value')} ({rng})"]))
    if "sobriety" in doc:
        s = doc["sobriety"]
        out.append(table([[w.median(s["percentiles"], L), w.figure(s["budget"], L),
                           f"{w.verdict(s['verdict'], L)} (P {L.percent(s['probability_exceeding'])})"]],
                         [f"{L('AI system per year')}{w.colon(L)}{med}", L("budget"), L("verdict")]))
    metrics = ("energy", "co2e", "adpe", "primary_energy")
    rows = [[w.line(f"{line}", L) if ": " in line else L(w.LINES.get(line, line))]
            + [w.line_figure(line, k, d[k], L) for k in metrics] for line, d in doc["breakdown"].items()]
    out.append(table(rows, [L("breakdown per request")] + [w.metric(k, L) for k in metrics]))
    inter = doc["intermediates"]
    n = L.number
    line = L("serving ({path}): {n} GPU(s), busy {busy} s, charged {charged} s (utilisation {u})").format(
        path=inter["serving_path"], n=n(inter["n_gpus"]), busy=n(inter["busy_time_s"]),
        charged=n(inter["allocated_time_s"]), u=n(inter["utilisation"], 2))
    if "batch_size_effective" in inter:
        line += L(", effective batch {b}, decode compute share {c}").format(
            b=n(inter["batch_size_effective"]), c=n(inter["decode_compute_share"], 2))
    if inter.get("pipeline_stages", 1) > 1:
        line += L(", a pipeline of {k} stages across nodes").format(k=n(inter["pipeline_stages"]))
    out.append(line + f"\n{L('formula:')} {inter['formula']}")
    if "training_run" in doc:  # the whole run before amortisation, the figure a model card states
        r = doc["training_run"]
        out.append(table([[L("GPU-hours") if k == "gpu_hours" else w.metric(k, L), w.figure(r[k], L)]
                          for k in ("gpu_hours", "energy", "co2e", "water")],
                         [L("training run (whole, before amortisation)"), f"{L('value')} ({rng})"]))
    rows = [[a["name"], w.assumption(a, L, with_unit=False), w.unit(a["unit"], L), a["source"]]
            for a in doc["assumptions"]]
    out.append(table(rows, [L("assumption"), L("value"), L("unit"), L("source")]))
    if doc.get("notes"):
        out.append(L("notes:") + "\n" + "\n".join(f"  - {w.note(n, L)}" for n in doc["notes"]))
    if p:
        out.append(f"{L('Medians and percentiles: Monte Carlo')} ({L.number(p['samples'], 6)} {L('draws')}, {L('seed')} {p['seed']}). "
                   f"{L('The median is the figure to quote; p5–p95 holds 90 % of the draws.')}")
    out.append(L("Ranges are the footprints at the ends of the input ranges (interval propagation), not confidence intervals."))
    return "\n\n".join(out)
