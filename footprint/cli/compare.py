"""`footprint compare FILE`: an AI scenario against the same task done without AI."""

from __future__ import annotations

import click

from ..inputs import MAX_SAMPLES

from .format import emit_json


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
@click.option("--water-scope", "water_scope", default=None, type=click.Choice(("onsite", "onsite+electricity"), case_sensitive=False),
              help="Water counted on both sides: onsite (cooling water only) or onsite+electricity (also the water of "
                   "generating every side's electricity) [default: the steps' own, else onsite+electricity].")
@click.option("--budget-scope", "budget_scope", default=None, type=click.Choice(["body", "users", "body+users"], case_sensitive=False),
              help="Override the scope of the sobriety budget: body (default: what the public body runs or buys), "
                   "users (citizens' devices and networks), body+users.")
@click.option("--budget-human-time", "budget_human_time", is_flag=True, default=None,
              help="Hold the AI variant's human time against the sobriety budget too.")
@click.option("--lang", default="en", show_default=True, type=click.Choice(["en", "fr"], case_sensitive=False),
              help="Language of the tables and the card (JSON is the same in every language).")
def compare(file, as_json, card_path, seed, samples, human_time, budget_scope, budget_human_time, lang, water_scope):
    """Compare every AI variant of a scenario with its non-AI alternative.

    Per task and over the horizon (energy, CO2e, water, ADPe, primary energy), the ratio, the break-even
    volume, agent hours saved, the probability that AI emits less, and the sobriety
    verdict of the AI system against the scenario's budget.  Tables show the Monte
    Carlo median and its 5th-95th percentiles first, the ends of the input ranges
    second.  The top-level JSON keys describe the first AI variant; every variant is
    under `variants`.

    \b
    Examples:
      footprint compare scenarios/city_chatbot.toml
      footprint compare scenarios/city_chatbot.toml --json --card card.md --lang fr
      footprint compare scenarios/city_chatbot.toml --budget-scope body+users --budget-human-time
      footprint compare scenarios/tomlinson_page.toml --human-time device
      footprint compare scenarios/city_chatbot.toml --water-scope onsite
    """
    from .. import card
    from ..compare import compare_scenario
    from ..scenario import load, with_budget_scope

    if card_path is not None:
        card.check_writable(card_path, {"scenario file": file})
    scenario = with_budget_scope(load(file), budget_scope, budget_human_time)
    result = compare_scenario(scenario, samples=samples, seed=seed, human_time=human_time, water_scope=water_scope)
    doc = result.to_dict()
    if card_path is not None:
        card.write(card_path, card.render(doc, lang, appendix=card.appendix_path(card_path).name),
                   card.render_appendix(doc, lang))
    if as_json:
        emit_json(doc)
    else:
        click.echo(render(doc, lang))


def render(doc: dict, lang: str = "en") -> str:
    """Human-readable report of a comparison document, in `lang` (``en`` or ``fr``)."""
    from .. import words as w
    from ..formatting import table
    from ..i18n import Language

    L = Language(lang)
    sc = doc["scenario"]
    out = [f"{sc['name']} — {L('per task')}{w.colon(L)}{sc['task']}; {L('volume')} {w.figure(sc['volume'], L)}; "
           f"{L('horizon')} {w.period(sc['horizon'], L)}; {L('human time')}{w.colon(L)}{w.device(sc['device'], L)}, "
           f"{L(w.BOUNDARIES.get(sc['human_time_boundary'], sc['human_time_boundary']))}"]
    rows, brows = [], []
    for name, v in doc["variants"].items():
        pt = v.get("percentiles", {}).get("per_task", {})
        for k in v["per_task"]["ai"]:
            rows.append([name, w.metric(k, L), w.median(pt.get("ai", {}).get(k), L),
                         w.median(pt.get("alternative", {}).get(k), L), w.ratio_median(pt.get("ratio", {}).get(k), L),
                         w.percent(v["benefit"]["probability_ai_lower"].get(k), L)])
            brows.append([name, w.metric(k, L), w.bounds(v["per_task"]["ai"][k], L),
                          w.bounds(v["per_task"]["alternative"][k], L), w.ratio(v["per_task"]["ratio"][k], L)])
    med = L("median (p5–p95)")
    out.append(table(rows, [L("variant"), L("per task"), f"{L('with AI')}{w.colon(L)}{med}", f"{L('without AI')}{w.colon(L)}{med}",
                            f"{L('AI / without AI')}{w.colon(L)}{med}", L("P(AI emits less)")]))
    out.append(table(brows, [L("variant"), L("per task"), f"{L('with AI')}{w.colon(L)}{L('range (ends of the input ranges)')}",
                             L("without AI"), f"{L('AI / without AI')} ({L('default')})"]))
    out.append("\n".join(f"{name}: CO₂e {w.robustness(v['benefit']['robustness'], L)}"
                          for name, v in doc["variants"].items() if v["benefit"].get("robustness")))
    rows = []
    for name, v in doc["variants"].items():
        s = v["sobriety"]
        judged, budget = w.sobriety_cells(s, L)
        beside = w.semicolon(L).join(f"{L(w.SCOPES.get(k, k))}{w.colon(L)}{w.figure(f, L)}" for k, f in s.get("beside", {}).items())
        rows.append([name, judged, budget, w.verdict(s["verdict"], L)
                     + (f" (P {L.percent(s['probability_exceeding'])})" if s.get("probability_exceeding") is not None
                        else ""), beside or "–"])
    judged_on = (f"{L('AI / without AI')} (CO₂e, {L('per task')})" if doc["variants"] and all(
        v["sobriety"].get("scope") == "ratio" for v in doc["variants"].values()) else L("AI system per year"))
    out.append(table(rows, [L("variant"), f"{judged_on}{w.colon(L)}{med}", L("budget"), L("verdict"),
                            L("also borne by")]))
    rows = []
    for name, v in doc["variants"].items():
        be = v["break_even"]["co2e"]
        py = v.get("percentiles", {}).get("per_year", {})
        be_text = w.figure(be["volume"], L) if be["status"] == "ai_lower_above" and be["volume"] else \
            L(w.BREAK_EVEN.get(be["status"], be["status"]))
        rows.append([name, w.median(py.get("ai", {}).get("co2e"), L), w.median(py.get("alternative", {}).get("co2e"), L),
                     w.figure(v["benefit"]["agent_hours_saved"]["total"], L), be_text,
                     w.verdict(v["benefit"]["verdict"], L)])
    out.append(table(rows, [L("variant"), f"CO₂e {L('with AI')} {L('per year')}{w.colon(L)}{med}",
                            f"{L('without AI')} {L('per year')}", f"{L('agent hours saved')} "
                            f"({L('total over the horizon')})", f"{L('break-even volume')} (CO₂e, {sc['task']})",
                            L("verdict")]))
    gaps = [w.gap(k, g, L) for v in doc["variants"].values() for k, g in v.get("not_available", {}).items()]
    if gaps:
        out.append(L("not available") + w.colon(L).rstrip(" ") + "\n" + "\n".join(f"  - {g}" for g in dict.fromkeys(gaps)))
    if doc.get("notes"):
        out.append(L("notes:") + "\n" + "\n".join(f"  - {w.note(n, L)}" for n in doc["notes"]))
    mc = doc["monte_carlo"]
    out.append(f"{L('Medians and percentiles: Monte Carlo')} ({L.number(mc['samples'], 6)} {L('draws')}, {L('seed')} {mc['seed']}). "
               f"{L('The median is the figure to quote; p5–p95 holds 90 % of the draws.')} "
               f"{L('Ranges are the footprints at the ends of the input ranges (interval propagation), not confidence intervals.')} "
               f"{L('Use --json for every figure and assumption, --card for the criterion card.')}")
    return "\n\n".join(out)
