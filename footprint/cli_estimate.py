"""`footprint estimate`: the footprint of serving a model, per request and over a period."""

from __future__ import annotations

import click

from .cli import emit_json
from .formatting import assumption_value, figure, table

# (flag, keyword of footprint.resolve.resolve, help)
_OPTIONS = [
    ("--model", "model", "Catalogue model (`footprint factors list models`), e.g. llama-3.1-70b."),
    ("--params", "params", "Total parameters, e.g. 70B (a range: 50B..70B)."),
    ("--active-params", "active_params", "Active parameters per token (MoE), e.g. 13B."),
    ("--input-tokens", "input_tokens", "Prompt tokens per request [default 1000, range 300..3000]."),
    ("--output-tokens", "output_tokens", "Output tokens per request [default 500, range 200..1000]."),
    ("--requests", "requests", "Request volume, e.g. '10000/day' (gives totals; needed for dedicated)."),
    ("--period", "period", "Period of the totals, e.g. '1 year' (default)."),
    ("--gpu", "gpu", "GPU profile (`footprint factors list gpus`) [default H100]."),
    ("--gpus", "gpus", "GPUs per serving instance [default: from the model's memory]."),
    ("--batch-size", "batch_size", "Concurrent requests per instance [default 32, range 8..128]."),
    ("--zone", "zone", "Grid zone, ISO 3166 alpha-3 (FRA, USA...), WOR or EU27 [default WOR]."),
    ("--grid-intensity", "grid_intensity", "Carbon intensity of the electricity, e.g. '50 g/kWh'."),
    ("--water-intensity", "water_intensity", "Water consumed per kWh generated, e.g. '3 L/kWh'."),
    ("--datacenter", "datacenter", "Datacenter profile for PUE/WUE (industry_average, hyperscale, ai_datacenter, on_premise)."),
    ("--pue", "pue", "Power usage effectiveness, e.g. 1.2 (>= 1)."),
    ("--wue", "wue", "On-site water usage effectiveness, e.g. '0.4 L/kWh'."),
    ("--fleet-utilisation", "fleet_utilisation", "Busy share of a shared fleet, in (0, 1] [default 0.5]."),
    ("--host-power", "host_power", "Host power per GPU (CPU, RAM, network), e.g. '150 W'."),
    ("--flop-utilisation", "flop_utilisation", "Simple FLOP path: share of peak FLOP/s achieved, in (0, 1]."),
    ("--power-per-gpu", "power_per_gpu", "Simple FLOP path: all-in average power per GPU, e.g. '900 W'."),
    ("--measured-energy-per-token", "measured_energy_per_token", "Measured IT energy per output token, e.g. '0.3 J/token' or '0.05 Wh/ktoken'."),
    ("--measured-tokens-per-second", "measured_tokens_per_second", "Measured output throughput (with --measured-power)."),
    ("--measured-power", "measured_power", "Measured average IT power during that throughput, e.g. '2.5 kW'."),
    ("--flops-per-item", "flops_per_item", "Generic (non-LLM) task: FLOPs per item, e.g. '5e12' (per_request = per item)."),
    ("--energy-per-item", "energy_per_item", "Generic task: measured IT energy per item, e.g. '2 J'."),
    ("--kv-bytes-per-token", "kv_bytes_per_token", "KV cache per token of context, e.g. '320 kB' [default: from size]."),
    ("--gpu-embodied", "gpu_embodied", "Embodied emissions of one GPU, e.g. '164 kgCO2e'."),
    ("--server-embodied", "server_embodied", "Embodied emissions of the server per GPU slot."),
    ("--hardware-lifetime", "hardware_lifetime", "Service life of the hardware, e.g. '4 year'."),
    ("--training-gpu-hours", "training_gpu_hours", "Training GPU-hours (default from the model card when known)."),
    ("--training-gpu-power", "training_gpu_power", "Average power per training GPU, e.g. '400 W'."),
    ("--training-pue", "training_pue", "PUE of the training site [default 1: cards include it]."),
    ("--training-zone", "training_zone", "Grid zone of the training site [default USA]."),
    ("--training-grid-intensity", "training_grid_intensity", "Carbon intensity of the training site."),
    ("--training-tokens", "training_tokens", "Training tokens (6 N D path), e.g. 15T."),
    ("--training-mfu", "training_mfu", "Model FLOP utilisation of training [default 0.4, range 0.3..0.5]."),
    ("--training-lifetime-requests", "training_lifetime_requests", "Amortise training over this many requests, e.g. 1e10."),
    ("--training-share", "training_share", "Or charge this share of the training to this use case's requests."),
]


def _add_options(fn):
    for flag, _, help_ in reversed(_OPTIONS):
        fn = click.option(flag, default=None, help=help_, metavar="VALUE")(fn)
    return fn


@click.command()
@_add_options
@click.option("--precision", default="bf16", show_default=True, help="Weight precision: bf16, fp16, fp8, int8, fp4, int4, fp32.")
@click.option("--provisioning", default="shared", show_default=True,
              help="shared (API: busy time + fleet idle share) or dedicated (endpoint on all period).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (keys of DESIGN.md section 4).")
@click.option("--batch", "batch_file", default=None, metavar="FILE.csv",
              help="Estimate every row of a CSV table (columns named like these flags; docs/batch.md).")
@click.option("--output", "output", default=None, metavar="FILE.csv", help="With --batch: where the results go.")
@click.option("--skip-invalid", is_flag=True,
              help="With --batch: write the good rows and put the bad ones in a rejects file (default OUTPUT.rejects.csv).")
@click.option("--rejects", "rejects_file", default=None, metavar="FILE.csv", help="With --skip-invalid: the rejects file.")
@click.option("--samples", default=None, type=int, metavar="N",
              help="Monte Carlo draws over the ranged inputs: adds p5/p50/p95 (with --batch: columns per row).")
@click.option("--seed", default=None, type=int, metavar="S", help="With --samples: seed of the sampling [default 0].")
@click.pass_context
def estimate(ctx, as_json, precision, provisioning, batch_file, output, skip_invalid, rejects_file, samples, seed,
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
    """
    batch_flags = {"output": output, "skip_invalid": skip_invalid, "rejects": rejects_file}
    if batch_file is not None:
        given = [f"--{n.replace('_', '-')}" for n, v in options.items() if v is not None]
        given += [f"--{n}" for n in ("precision", "provisioning")
                  if ctx.get_parameter_source(n) is not click.core.ParameterSource.DEFAULT]
        if as_json:
            given.append("--json")
        if given:
            raise click.UsageError(f"{', '.join(given)} cannot be combined with --batch: put the inputs in columns "
                                   "of the table")
        if output is None:
            raise click.UsageError("--batch needs --output FILE.csv")
        from .cli_batch import run_batch

        run_batch(batch_file, output, skip_invalid=skip_invalid, rejects=rejects_file, samples=samples, seed=seed)
        return
    stray = [f"--{n.replace('_', '-')}" for n, v in batch_flags.items() if v not in (None, False)]
    if stray:
        raise click.UsageError(f"{', '.join(stray)} only apply with --batch FILE.csv")
    from .estimator import estimate as run

    kwargs = {name: value for name, value in options.items() if value is not None}
    if seed is not None and samples is None:
        raise click.UsageError("--seed applies to the Monte Carlo: give --samples N too")
    if samples is not None and samples < 100:
        raise click.UsageError(f"--samples: {samples} draws are too few for percentiles; give at least 100")
    result = run(precision=precision, provisioning=provisioning, **kwargs)
    doc = result.to_dict()
    if samples is not None:
        doc["percentiles"] = result.percentiles(samples, 0 if seed is None else seed)
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
    out.append("serving: {n_gpus:g} GPU(s), effective batch {batch_size_effective:.3g}, busy {busy_time_s:.3g} s, "
               "charged {allocated_time_s:.3g} s (utilisation {utilisation:.2f}), decode compute share "
               "{decode_compute_share:.2f}".format(**inter))
    rows = [[a["name"], assumption_value(a), a["unit"], a["source"]] for a in doc["assumptions"]]
    out.append(table(rows, ["assumption", "value", "unit", "source"]))
    if doc.get("notes"):
        out.append("notes:\n" + "\n".join(f"  - {n}" for n in doc["notes"]))
    out.append("Ranges are the footprints at the ends of the input ranges (interval propagation), not confidence intervals.")
    return "\n\n".join(out)
