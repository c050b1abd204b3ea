"""`footprint schedule`: hourly grid intensity for a usage profile, and the best time to run a batch job."""

from __future__ import annotations

from pathlib import Path

import click

from .format import emit_json
from ..errors import InputError
from ..formatting import num, table


@click.command("schedule")
@click.option("--zone", required=True, metavar="ZONE", help="Grid zone with hourly data: FRA, DEU or GBR.")
@click.option("--profile", "profile_spec", default=None, metavar="PROFILE",
              help="Usage profile: 24/7, office-hours[:TZ[:HH-HH]], weekly[:TZ]:W0;...;W167 or weekly[:TZ]:@FILE, "
                   "window[:TZ]:START/DURATION.")
@click.option("--duration", default=None, metavar="DURATION", help="Duration of the batch job, e.g. '6 h' or '90 min'.")
@click.option("--earliest", default=None, metavar="WHEN",
              help="Earliest start of the job: ISO date or date-time (local time), e.g. 2026-12-07 or "
                   "2026-12-07T20:00.")
@click.option("--deadline", default=None, metavar="WHEN",
              help="The job must be finished by then (ISO date or date-time).")
@click.option("--energy", default=None, metavar="ENERGY", help="Energy the job draws from the grid, e.g. '40 kWh'.")
@click.option("--power", default=None, metavar="POWER",
              help="Or its mean power, e.g. '5 kW' (energy = power x duration).")
@click.option("--tz", default=None, metavar="TZ",
              help="IANA time zone of dates and local hours (default: the zone's, e.g. Europe/Paris for FRA).")
@click.option("--plot", "plot_path", default=None, metavar="FILE.html",
              help="Also write a heat map (day x hour) as a self-contained HTML page.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (keys: docs/json.md).")
def schedule(zone, profile_spec, duration, earliest, deadline, energy, power, tz, plot_path, as_json):
    """Time-resolved carbon: the intensity of a usage profile, or the best time to run a batch job.

    Uses the hourly carbon intensity of 2023 (Electricity Maps, ODbL; France, Germany,
    Great Britain): life-cycle, consumption-based, average (not marginal) intensity.
    A profile's intensity is compared with the same series' yearly average, not with the
    zone's yearly default factor (another boundary).  Dates of another year use the
    matching week of 2023 (weekdays aligned) as typical.  A saving is attributional,
    not an avoided emission.

    \b
    Examples:
      footprint schedule --zone FRA --profile office-hours:Europe/Paris
      footprint schedule --zone FRA --profile office-hours --energy "1200 kWh" --plot office.html
      footprint schedule --zone FRA --duration "6 h" --earliest 2026-12-07 --deadline 2026-12-14 --energy "40 kWh"
      footprint schedule --zone DEU --duration "3 h" --earliest 2026-12-07T18:00 --deadline 2026-12-08T08:00 \\
          --power "5 kW" --json
    """
    from .. import hourly

    batch = duration is not None or earliest is not None or deadline is not None
    if batch and profile_spec is not None:
        raise InputError("give either --profile (a usage profile) or --duration with --earliest and --deadline "
                         "(a batch job to place), not both")
    if not batch and profile_spec is None:
        raise InputError("nothing to do: give --profile (e.g. office-hours:Europe/Paris) or --duration, --earliest "
                         "and --deadline (e.g. --duration '6 h' --earliest 2026-12-07 --deadline 2026-12-14)")
    if batch:
        missing = [f for f, v in (("--duration", duration), ("--earliest", earliest), ("--deadline", deadline))
                   if v is None]
        if missing:
            raise InputError(f"a batch job needs --duration, --earliest and --deadline; missing {', '.join(missing)}")
    html_path = _check_plot_path(plot_path, profile_spec, hourly) if plot_path else None

    if batch:
        result = hourly.best_start(zone, duration, earliest, deadline, energy=energy, power=power, tz=tz)
        figure = _figure("window", result) if html_path else None
        doc = dict(result, kind="best start")
    else:
        if power is not None:
            raise InputError("--power needs a batch job (--duration...); with --profile give --energy")
        prof = hourly.parse_profile(profile_spec)
        if tz and prof.time_zone is None and prof.kind != "24/7":
            from dataclasses import replace

            hourly.time_zone(tz)
            prof = replace(prof, time_zone=tz)
        result = hourly.weighted_intensity(zone, prof)
        if energy is not None:
            energy_kwh = hourly.parse_energy_kwh(energy)
            result["energy_kwh"] = energy_kwh
            result["co2e_kg"] = energy_kwh * result["value_g_per_kwh"] / 1000.0
            result["co2e_every_hour_alike_kg"] = energy_kwh * result["yearly_average_g_per_kwh"] / 1000.0
        figure = _figure("week", (zone, prof)) if html_path else None
        doc = dict(result, kind="profile")
    # everything computed: now write
    if html_path:
        from ..plots.hourly import write_page

        fig, tab = figure
        write_page([(fig, tab)], html_path, title=f"footprint schedule: {result['zone_name']} ({result['zone']})",
                   intro=f"Boundary: {result['boundary']}. " + " ".join(f"Limit: {x}." for x in result["limits"]))
        doc["plot"] = str(html_path)
    if as_json:
        emit_json(doc)
        return
    click.echo(_batch_text(result) if batch else _profile_text(result))
    if html_path:
        click.echo(f"\nwrote {html_path}")


def _check_plot_path(plot_path, profile_spec, hourly) -> Path:
    from ..plots import check_output

    p = check_output(plot_path)
    inputs = [hourly.data_dir()]
    if profile_spec and "@" in profile_spec:
        inputs.append(Path(profile_spec.split("@", 1)[1].strip()))
    target = p.resolve()
    for src in inputs:
        src = src.resolve()
        if target == src or src in target.parents:
            raise InputError(f"--plot '{plot_path}' would overwrite an input ({src.name}); choose another file name")
    return p


def _figure(kind, arg):
    from ..plots import hourly as plots_hourly

    return plots_hourly.window_heatmap(arg) if kind == "window" else plots_hourly.week_heatmap(*arg)


def _footer(result, skip=()) -> list[str]:
    src = result["source"]
    lines = [f"Boundary: {result['boundary']} (hourly data of {result['data_year']})."]
    lines += [f"Note: {n}." for n in result["notes"] if n not in skip]
    lines += [f"Limit: {x}." for x in result["limits"]]
    citation = src.get("citation", src.get("source_id", "?")).split(";")[0]
    lines.append(f"Source: {citation} <{src.get('url_or_doi', '')}>; "
                 f"licence {src.get('licence', '?')} (credit: Electricity Maps).")
    return lines


def _pct(d, ref) -> str:
    return f"{d / ref * 100:+.1f} %" if ref else "-"


def _profile_text(r) -> str:
    p = r["profile"]
    out = [f"{r['zone_name']} ({r['zone']}), usage profile: {p['label']}", ""]
    rows = [
        [f"profile-weighted ({p['hours_used']:,} h of {r['data_year']} used)", num(r["value_g_per_kwh"]), "gCO2e/kWh"],
        [f"every hour of {r['data_year']} alike (24/7), same series", num(r["yearly_average_g_per_kwh"]), "gCO2e/kWh"],
        ["difference", f"{r['difference_g_per_kwh']:+.3g} "
                       f"({_pct(r['difference_g_per_kwh'], r['yearly_average_g_per_kwh'])})", "gCO2e/kWh"],
    ]
    if "energy_kwh" in r:
        rows += [[f"CO2e of {num(r['energy_kwh'])} kWh with this profile", num(r["co2e_kg"]), "kgCO2e"],
                 [f"CO2e of {num(r['energy_kwh'])} kWh, every hour alike", num(r["co2e_every_hour_alike_kg"]),
                  "kgCO2e"]]
    out.append(table(rows, ["", "value", "unit"]))
    out += [""] + _footer(r)
    return "\n".join(out)


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


def _batch_text(r) -> str:
    w = r["window"]
    out = [f"Best time to run a {r['duration_h']:g} h job in {r['zone_name']} ({r['zone']}): "
           f"{r['candidate_starts']} whole-hour starts from {_when(w['earliest'])} to a deadline of "
           f"{_when(w['deadline'])} ({r['time_zone']})"]
    if r["stand_in"]["used"]:
        out.append(f"Stand-in: {r['stand_in']['note']}.")
    out.append("")
    has_co2e = r["energy_kwh"] is not None
    head = ["", "start", "end", "intensity (gCO2e/kWh)"] + (["CO2e (kgCO2e)"] if has_co2e else [])

    def row(label, job):
        cells = [label, _when(job["start"]) if "start" in job else "-", _when(job["end"]) if "end" in job else "-",
                 num(job["intensity_g_per_kwh"])]
        return cells + ([num(job["co2e_kg"])] if has_co2e else [])

    rows = [row("best start", r["best"]), row("average over the starts", r["average_start"]),
            row("worst start", r["worst"])]
    for key, label in (("saving_vs_average", "saving vs the average start"),
                       ("saving_vs_worst", "saving vs the worst start")):
        s = r[key]
        rows.append([label, "", "", f"{num(s['intensity_g_per_kwh'])} ({s['percent']:.1f} %)"]
                    + ([num(s["co2e_kg"])] if has_co2e else []))
    out.append(table(rows, head))
    out.append(f"\nSaving: {r['saving_kind']}.")
    out += _footer(r, skip=(r["stand_in"]["note"],))
    return "\n".join(out)
