"""`footprint compare FILE`: an AI scenario against the same task done without AI."""

from __future__ import annotations

import click

from ..inputs import MAX_SAMPLES

from .format import emit_json
from ..formatting import figure, percent, table


@click.command()
@click.argument("file", metavar="SCENARIO.toml")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (every figure, assumption and note; keys and units: docs/json.md).")
@click.option("--card", "card_path", default=None, metavar="FILE.md",
              help="Write the one-page Markdown criterion card (only when the whole run succeeded).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed of the Monte Carlo draws.")
@click.option("--samples", default=2000, show_default=True, type=click.IntRange(100, MAX_SAMPLES),
              help=f"Monte Carlo draws (100 to {MAX_SAMPLES:,}).")
@click.option("--human-time", "human_time", default=None, metavar="BOUNDARY",
              help="Override the human-time boundary: device (default), device+office, per_capita_fr, per_capita_us.")
def compare(file, as_json, card_path, seed, samples, human_time):
    """Compare every AI variant of a scenario with its non-AI alternative.

    Per task and over the horizon (energy, CO2e, water), the ratio, the break-even
    volume, agent hours saved, the probability that AI emits less, and the sobriety
    verdict against the scenario's budget.  The top-level JSON keys describe the
    first AI variant; every variant is under `variants`.

    \b
    Examples:
      footprint compare scenarios/city_chatbot.toml
      footprint compare scenarios/city_chatbot.toml --json --card card.md
      footprint compare scenarios/tomlinson_page.toml --human-time device
    """
    from .. import card
    from ..compare import compare_scenario
    from ..scenario import load

    if card_path is not None:
        card.check_writable(card_path, {"scenario file": file})
    scenario = load(file)
    result = compare_scenario(scenario, samples=samples, seed=seed, human_time=human_time)
    doc = result.to_dict()
    if card_path is not None:
        card.write(card_path, card.render(doc))
    if as_json:
        emit_json(doc)
    else:
        click.echo(render(doc))


def render(doc: dict) -> str:
    """Human-readable report of a comparison document."""
    sc = doc["scenario"]
    out = [f"{sc['name']} — per {sc['task']}; volume {figure(sc['volume'])}; horizon {sc['horizon']}; "
           f"human time: {sc['device']}, {sc['human_time_boundary']}"]
    rows = []
    for name, v in doc["variants"].items():
        for k in ("energy", "co2e", "water"):
            rows.append([name, k, figure(v["per_task"]["ai"][k]), figure(v["per_task"]["alternative"][k]),
                         figure(v["per_task"]["ratio"][k]), percent(v['benefit']['probability_ai_lower'][k])])
    out.append(table(rows, ["variant", "per task", "AI", "without AI", "ratio AI/without", "P(AI lower)"]))
    out.append("\n".join(f"{name}: CO2e {v['benefit']['robustness']['text']} "
                          f"(default {sc['human_time_boundary']}: ratio {figure(v['per_task']['ratio']['co2e'])})"
                          for name, v in doc["variants"].items() if v["benefit"].get("robustness")))
    rows = []
    for name, v in doc["variants"].items():
        s, be = v["sobriety"], v["break_even"]["co2e"]
        rows.append([name, figure(v["total"]["ai"]["co2e"]), figure(v["total"]["alternative"]["co2e"]),
                     figure(v["benefit"]["agent_hours_saved"]["total"]),
                     be["status"] if be["volume"] is None or be["status"] != "ai_lower_above" else figure(be["volume"]),
                     s["verdict"] + (f" (P exceed {s['probability_exceeding']:.0%})" if s["probability_exceeding"] is not None else "")])
    out.append(table(rows, ["variant", "total AI", "total without AI", "agent hours saved", "break-even (CO2e)", "sobriety"]))
    gaps = [g["text"] for v in doc["variants"].values() for g in v.get("not_available", {}).values()]
    if gaps:
        out.append("not available:\n" + "\n".join(f"  - {g}" for g in dict.fromkeys(gaps)))
    if doc.get("notes"):
        out.append("notes:\n" + "\n".join(f"  - {n}" for n in doc["notes"]))
    out.append("Ranges: interval propagation of the input ranges; probabilities: Monte Carlo "
               f"({doc['monte_carlo']['samples']} draws, seed {doc['monte_carlo']['seed']}). "
               "Use --json for every figure and assumption, --card for the criterion card.")
    return "\n\n".join(out)
