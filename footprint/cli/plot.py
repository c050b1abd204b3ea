"""`footprint plot FILE -o FILE.html`: the figures of a scenario as a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from ..inputs import MAX_SAMPLES

from ..plots import KINDS, METRICS, PER

ALL = "all"
#: Exit code of `plot --png` where no PNG engine is installed: the HTML (and CSV) written, the PNG not.
PNG_MISSING_EXIT = 1


def _beside(path: Path, kind: str, suffix: str, several: bool) -> Path:
    """`path` with `suffix`, and ``-<kind>`` before it when several figures are written."""
    base = path.with_suffix("") if path.suffix else path
    return base.with_name(f"{base.name}-{kind}{suffix}") if several else base.with_name(f"{base.name}{suffix}")


@click.command()
@click.argument("file", metavar="SCENARIO.toml")
@click.option("-o", "--output", required=True, metavar="FILE.html", help="HTML file to write (self-contained).")
@click.option("--kind", type=click.Choice(KINDS + (ALL,), case_sensitive=False), default=ALL, show_default=True,
              help="Figure(s) to draw.")
@click.option("--metric", type=click.Choice(METRICS, case_sensitive=False), default="co2e", show_default=True,
              help="What to plot: energy, CO2e, water, adpe (abiotic depletion, Sb eq) or primary_energy.")
@click.option("--per", type=click.Choice(PER, case_sensitive=False), default=None,
              help="Per task or over the horizon (default: both panels for a comparison, per task otherwise; "
                   "a sweep is always over the horizon).")
@click.option("--data", "data_path", default=None, metavar="FILE.csv",
              help="Also write the numbers behind each figure as CSV (FILE-<kind>.csv for several figures).")
@click.option("--png", is_flag=True, help="Also write a static PNG of each figure beside the HTML (needs kaleido; without it the HTML is written and the exit code is 1).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed of the Monte Carlo draws.")
@click.option("--samples", default=2000, show_default=True, type=click.IntRange(100, MAX_SAMPLES),
              help=f"Monte Carlo draws (100 to {MAX_SAMPLES:,}).")
@click.option("--human-time", "human_time", default=None, metavar="BOUNDARY",
              help="Override the human-time boundary: device+office, device, per_capita_fr, per_capita_us.")
def plot(file, output, kind, metric, per, data_path, png, seed, samples, human_time):
    """Plot a scenario: AI against the task done without AI, as self-contained HTML.

    The page embeds plotly's JavaScript and opens without any network.  The
    numbers are those of `footprint compare` for the same file and options; each
    figure's data is listed under it in the page, and written as CSV with --data.

    \b
    Kinds:
      comparison   AI variant(s) vs without AI, per task and over the horizon, with ranges and the ratio
      breakdown    stacked contributions (GPU, idle, host, PUE overhead, embodied, training, network, device...)
      sweep        footprint against task volume, with the break-even and the sobriety budget
      sensitivity  tornado chart of the inputs that move each AI variant's footprint most
    \b
    Examples:
      footprint plot scenarios/city_chatbot.toml -o chatbot.html
      footprint plot scenarios/city_chatbot.toml -o sweep.html --kind sweep --metric energy --data sweep.csv
    """
    from .. import io, plots

    kinds = list(KINDS) if kind.lower() == ALL else [kind.lower()]
    several = len(kinds) > 1
    wanted = {"-o/--output": output}
    if data_path:
        wanted.update({f"--data ({k})" if several else "--data": _beside(Path(data_path), k, ".csv", several)
                       for k in kinds})
    if png:
        wanted.update({f"--png ({k})" if several else "--png": _beside(Path(output), k, ".png", several)
                       for k in kinds})
    checked = io.check_outputs(wanted, {"scenario file": file})
    html_path = checked["-o/--output"]
    data_paths = {k: checked[f"--data ({k})" if several else "--data"] for k in kinds} if data_path else {}
    png_missing = plots.png_engine_missing() if png else None  # the HTML and CSV are written all the same
    png_paths = {k: checked[f"--png ({k})" if several else "--png"] for k in kinds} if png and not png_missing else {}

    comparison = plots.load_comparison(file, samples=samples, seed=seed, human_time=human_time)
    items = plots.render(comparison, kinds, metric.lower(), per.lower() if per else None)
    s = comparison.plan.scenario
    intro = s.description.replace("\n", " ").strip()
    text = plots.page([(fig, t) for _, fig, t in items], title=s.name, intro=intro)
    csvs = {k: plots.csv_text(t.rows) for k, _, t in items if k in data_paths}
    pngs = {k: plots.png_bytes(fig) for k, fig, _ in items if k in png_paths}
    # everything computed: now write, all files or none
    with io.Outputs() as out:
        written = [out.write(html_path, text)]
        written += [out.write(data_paths[k], body) for k, body in csvs.items()]
        written += [out.write(png_paths[k], body) for k, body in pngs.items()]
    click.echo(f"wrote {', '.join(str(p) for p in written)}")
    if png_missing:
        click.echo(f"footprint: warning: no PNG written: {png_missing}", err=True)
        return PNG_MISSING_EXIT
