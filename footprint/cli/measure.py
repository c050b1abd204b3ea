"""`footprint measure` and `footprint calibrate`: live measurement with CodeCarbon, and the estimate beside it.

CodeCarbon is imported only when a measurement starts (see :mod:`footprint.measurement`).
"""

from __future__ import annotations

import click

from .format import emit_json, fail
from ..errors import InputError
from ..formatting import figure, num, table

DEFAULT_LOG = "footprint-measurements.csv"

#: Estimate options accepted beside a measurement (the output tokens are the measured ones).
_ESTIMATE_KEYS = ("model", "params", "active_params", "input_tokens", "gpu", "gpus", "batch_size", "host_power",
                  "flop_utilisation", "power_per_gpu", "kv_bytes_per_token", "fleet_utilisation")


def _estimate_options(fn):
    from .inputs import input_options

    return input_options(_ESTIMATE_KEYS + ("precision", "provisioning"), prefix="Estimate: ")(fn)


def _estimate_kwargs(options: dict) -> dict:
    return {k: v for k, v in options.items() if v is not None}


@click.command(context_settings={"allow_interspersed_args": False})
@click.option("--zone", default=None, help="Grid zone of this machine, e.g. FRA (`footprint factors list grid`) [default WOR].")
@click.option("--tokens", type=int, default=None, help="Tokens produced by the command (else its last line 'footprint-tokens: N').")
@click.option("--items", type=int, default=None, help="Items processed by the command (else its last line 'footprint-items: N').")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout (the command's stdout goes to stderr; keys: docs/json.md).")
@click.option("--output", "-o", default=DEFAULT_LOG, show_default=True, help="Results CSV to append the measurement to.")
@click.option("--no-log", is_flag=True, help="Do not append the measurement to a results file.")
@click.option("--interval", default=1.0, show_default=True, type=float,
              help="CodeCarbon's power sampling interval [s] (finite, > 0).")
@click.option("--tracking-mode", type=click.Choice(["machine", "process"], case_sensitive=False), default="machine", show_default=True,
              help="Measure the whole machine, or only this process tree (CodeCarbon's modes).")
@click.option("--verbose", is_flag=True, help="Show CodeCarbon's own log.")
@click.option("--compare-estimate", is_flag=True, help="Set the measured energy per token beside `footprint estimate` "
              "for the model given with --model/--params (and --gpu...).")
@_estimate_options
@click.argument("command", nargs=-1, type=click.UNPROCESSED, required=True, metavar="-- COMMAND [ARGS]...")
def measure(zone, tokens, items, as_json, output, no_log, interval, tracking_mode, verbose, compare_estimate, command,
            **estimate_options):
    """Run COMMAND under CodeCarbon's offline tracker and report its energy and CO2e.

    CO2e uses footprint's grid factor of --zone (the same as `footprint estimate`).
    The command's exit code is returned.  On a machine without RAPL or NVML (VMs,
    most laptops without root) CodeCarbon's figures are its CPU-load and RAM
    models: the report says so.

    \b
    Examples:
      footprint measure --zone FRA --tokens 512 -- python generate.py
      footprint measure --zone FRA --json -- python embed.py corpus.txt
      footprint measure --zone FRA --compare-estimate --params 8B --gpu L4 -- python generate.py
    """
    from .. import measurement as ms

    kwargs = _estimate_kwargs(estimate_options)
    if kwargs and not compare_estimate:
        raise InputError("estimate options (--model, --params, --gpu...) apply with --compare-estimate; add it")
    if compare_estimate:
        if "model" not in kwargs and "params" not in kwargs:
            raise InputError("--compare-estimate: give the model with --model NAME or --params SIZE (e.g. 8B)")
        from ..resolve import resolve

        resolve(output_tokens=1, **kwargs)  # bad estimate options fail before anything runs
    for name, value in (("--tokens", tokens), ("--items", items)):
        if value is not None and value < 0:
            raise InputError(f"{name}: {value} must be >= 0")
    import sys

    try:
        result = ms.measure_command(list(command), zone=zone, tokens=tokens, items=items, interval=interval,
                                    tracking_mode=tracking_mode, verbose=verbose, log=None if no_log else output,
                                    stdout=sys.stderr if as_json else sys.stdout)
    except ms.MeasurementError as exc:
        fail(str(exc), exc.exit_code)
    doc = result.to_dict()
    doc["log"] = None if no_log else result.recorded_in
    if compare_estimate:
        if result.energy_per_token is None:
            doc["comparison"] = None
            doc["notes"].append("no token count (--tokens or a last line 'footprint-tokens: N'): no comparison")
        else:
            doc["comparison"] = ms.compare_with_estimate(result.energy_per_token, result.tokens,
                                                         components=ms.measured_components(result), **kwargs)
    if as_json:
        emit_json(doc)
    else:
        click.echo(render(doc), err=True)
    return result.exit_code


def render(doc: dict) -> str:
    """Human-readable report of a measurement (printed on stderr, like `time`)."""
    m = doc["measured"]
    rows = [[k, figure(m[k])] for k in ("energy", "energy_cpu", "energy_ram", "energy_gpu", "co2e", "duration",
                                         "energy_per_token", "co2e_per_token", "energy_per_item", "co2e_per_item")
            if m.get(k)]
    gi = doc["grid_intensity"]
    out = [f"footprint measure: run {doc['run_id']} - {doc['status']}, exit code {doc['exit_code']}",
           table(rows, ["measured", "value  (low - high)"]),
           f"grid intensity {figure(gi)} ({gi['source']})"]
    cc = doc["codecarbon"]
    if cc.get("co2e"):
        out.append(f"CodeCarbon's own CO2e: {num(cc['co2e']['value'])} gCO2e at {num(cc['grid_intensity']['value'])} "
                   "gCO2e/kWh (its own table)")
    out.append("method: " + doc["method"]["summary"])
    for c in doc["codecarbon_config"]:
        out.append(f"CodeCarbon configuration found in {c['source']}: {', '.join(c['keys'])}"
                   + (f" (ignored: footprint passes {', '.join(c['overridden'])} explicitly)" if c["overridden"] else "")
                   + (f"; may still apply: {', '.join(c['not_overridden'])}" if c["not_overridden"] else ""))
    comp = doc.get("comparison")
    if comp:
        out.append(render_comparison(comp))
    notes = [n for n in doc["notes"] if not n.startswith("the energy is CodeCarbon's estimate")]
    if notes:
        out.append("notes:\n" + "\n".join(f"  - {n}" for n in notes))
    if doc.get("log"):
        out.append(f"recorded in {doc['log']} (run id {doc['run_id']})")
    return "\n".join(out)


def render_comparison(comp: dict) -> str:
    rows = [["measured", figure(comp["measured_energy_per_token"])],
            ["estimated (IT, before PUE)", figure(comp["estimated_energy_per_token"])],
            ["ratio measured / estimated", figure(comp["ratio"])]]
    out = table(rows, [f"energy per token ({comp['tokens']} tokens)", "value  (low - high)"])
    if comp.get("warning"):
        out += f"\nwarning: {comp['warning']}"
    return out + f"\nto use the measured figure: footprint estimate ... {comp['flag']}"


@click.command()
@click.option("--from", "source", required=True, metavar="RESULTS.csv", help="Results file written by `footprint measure`.")
@click.option("--run-id", default=None, help="Run to use (or a unique prefix) [default: the last run with a token count].")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (keys: docs/json.md).")
@_estimate_options
def calibrate(source, run_id, as_json, **estimate_options):
    """Turn a measured run into the estimator's measured path, and set it beside the estimate.

    Prints the option `--measured-energy-per-token` to pass to `footprint estimate`
    (or the `measured_energy_per_token` line of a scenario); with --model/--params it
    also estimates the same model for the same tokens and prints measured / estimated.

    \b
    Examples:
      footprint calibrate --from footprint-measurements.csv
      footprint calibrate --from results.csv --run-id 3f2a --params 8B --gpu L4 --batch-size 1
    """
    from .. import measurement as ms
    from ..units import ureg

    rows = ms.read_results(source)
    if run_id is not None:
        row = ms.find_run(rows, run_id)
    else:
        with_tokens = [r for r in rows if r["energy_per_token [J/token]"] and r["status"] == "ok"]
        if not with_tokens:
            raise InputError(f"{source}: no successful run with a token count; measure with --tokens N "
                             "(or make the command print 'footprint-tokens: N' last)")
        row = with_tokens[-1]
    rid = row["footprint_run_id"]
    if row["status"] != "ok":
        raise InputError(f"run {rid} is {row['status']} (exit code {row['exit_code']}): its energy per token "
                         "is not a calibration; measure a complete run")
    if not row["energy_per_token [J/token]"]:
        raise InputError(f"run {rid} has no token count; measure with --tokens N "
                         "(or make the command print 'footprint-tokens: N' last)")
    per_token = ureg.Quantity(float(row["energy_per_token [J/token]"]), "J/token")
    tokens = int(float(row["tokens"]))
    doc = {"run_id": rid, "timestamp": row["timestamp_utc"], "command": row["command"], "zone": row["zone"],
           "tokens": tokens, "method": row["method"], "estimated": row["estimated"] == "true",
           "measured_energy_per_token": {"value": per_token.m, "unit": "J/token", "low": per_token.m,
                                         "high": per_token.m},
           "flag": ms.calibration_flag(per_token),
           "scenario_line": f"measured_energy_per_token = \"{per_token.m:.6g} J/token\""}
    kwargs = _estimate_kwargs(estimate_options)
    if kwargs:
        if "model" not in kwargs and "params" not in kwargs:
            raise InputError("give the model with --model NAME or --params SIZE (e.g. 8B) to compare with the estimate")
        doc["comparison"] = ms.compare_with_estimate(per_token, tokens, components=ms.row_components(row), **kwargs)
    if as_json:
        emit_json(doc)
        return 0
    out = [f"run {rid} ({row['timestamp_utc']}, zone {row['zone']}): {num(per_token.m)} J/token over {tokens} tokens",
           f"method: {row['method']}" + (" - an ESTIMATE by CodeCarbon, not a meter reading" if doc["estimated"] else "")]
    if kwargs:
        out.append(render_comparison(doc["comparison"]))
    out.append(f"estimate option: {doc['flag']}")
    out.append(f"scenario line:   {doc['scenario_line']}")
    click.echo("\n".join(out))
    return 0
