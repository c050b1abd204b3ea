"""One-page criterion card (Markdown) for the two criteria: sobriety, and benefit against a non-AI alternative.

:func:`render` builds the text from the JSON document of a comparison
(:meth:`footprint.compare.Comparison.to_dict`); :func:`write` writes it
atomically (:func:`footprint.io.write_text`), so that a card exists only when
the whole run succeeded.
"""

from __future__ import annotations

import re
from pathlib import Path

from .formatting import num, percent

CAVEATS = (
    "**Rebound effects are not counted**: a cheaper, faster service may be used more (Jevons' paradox, "
    "Luccioni, Strubell and Crawford 2025); the totals hold for the stated volume only.",
    "**Excluded**: the model's development and fine-tuning unless a training share is given; the user's "
    "time and device outside the stated lines; networks beyond the stated transfer; the quality of the "
    "result and the social effects of the substitution (jobs, skills, accessibility).",
    "**Ranges** are the footprints at the ends of the stated input ranges (interval propagation); "
    "probabilities come from a seedable Monte Carlo draw of the same ranges.",
    "**Human time** is counted by default by its device for the task's time (boundary `device`: the time AI "
    "frees is reassigned, the office is heated anyway); `device+office` adds the office building's energy per "
    "working hour (posts or office space removed); a per-capita allocation (whole annual footprint per hour) is "
    "an option that measures the person, not the footprint avoided. The verdict under every boundary is shown.",
    "**Not available** means the sources give no such figure for a line: that metric's ratio, break-even and "
    "probability are undefined, never zero.",
)


def _fig(f) -> str:
    if f is None:
        return "-"
    if f.get("not_available") is not None:
        return "not available"
    if f.get("value") is None:
        return f"- ({num(f['low'])} - {num(f['high'])} {f['unit']})"
    if f["low"] == f["high"]:
        return f"{num(f['value'])} {f['unit']}"
    return f"{num(f['value'])} {f['unit']} ({num(f['low'])} - {num(f['high'])})"


def _ratio(f) -> str:
    if f is not None and f.get("not_available") is not None:
        return "undefined (not available)"
    if f is None or f.get("value") is None:
        return "-"
    return f"{num(f['value'])}x ({num(f['low'])} - {num(f['high'])})"


#: Characters that start Markdown inline syntax (emphasis, code, links, raw HTML, table cells, headings).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")
#: Line breaks of every kind (a heading or a list can only start after one).
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
#: What would start a block at the beginning of a line: list item, numbered item, thematic break, quote.
_BLOCK_START = re.compile(r"^(?:([-+=])|(\d+)([.)]))")


def _md(text) -> str:
    """User text as one line of literal Markdown: no heading, list, table cell, link or HTML can come from it.

    >>> _md("Chatbot\\n## Verdict: complies")
    'Chatbot \\\\#\\\\# Verdict: complies'
    >>> _md("- a | b")
    '\\\\- a \\\\| b'
    """
    flat = " ".join(_LINE_BREAKS.sub(" ", str(text)).split())
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    return _BLOCK_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), flat)


def _code(text) -> str:
    """Text for inside a code span: one line, no backtick, no table separator."""
    return " ".join(_LINE_BREAKS.sub(" ", str(text)).split()).replace("`", "'").replace("|", "/")


def render(doc: dict) -> str:
    """The Markdown card of a ``footprint compare`` JSON document."""
    sc = doc["scenario"]
    out = [f"# Criterion card: {_md(sc['name'])}", ""]
    if sc.get("description"):
        out += [_md(sc["description"]), ""]
    out += [f"- **Functional unit**: one {_md(sc['task'])}",
            f"- **Volume**: {_fig(sc['volume'])} — {_md(sc['volume_source'])}",
            f"- **Horizon**: {_md(sc['horizon'])}; human time: {_md(sc['device'])}, boundary "
            f"`{_code(sc['human_time_boundary'])}`, zone {_md(sc['zone'])}", ""]

    out += ["## Headline (per task)", "",
            "| variant | metric | AI | without AI | AI / without AI | P(AI lower) |",
            "| --- | --- | --- | --- | --- | --- |"]
    for name, v in doc["variants"].items():
        for k in v["per_task"]["ai"]:
            out.append(f"| {_md(name)} | {k} | {_fig(v['per_task']['ai'][k])} | {_fig(v['per_task']['alternative'][k])} | "
                       f"{_ratio(v['per_task']['ratio'][k])} | {percent(v['benefit']['probability_ai_lower'][k])} |")
    out.append("")
    for name, v in doc["variants"].items():
        rob = v["benefit"].get("robustness")
        if rob:
            out.append(f"- {_md(name)}: CO2e {_md(rob['text'])}; under the default boundary "
                       f"`{_code(sc['human_time_boundary'])}` the ratio is {_ratio(v['per_task']['ratio']['co2e'])}")
        for k, g in v.get("not_available", {}).items():
            out.append(f"- {_md(name)}: {_md(g['text'])}")
    out.append("")

    out += ["## Criterion 1 — energy sobriety", ""]
    out += ["| variant | AI per year | budget | verdict | P(exceeding) |", "| --- | --- | --- | --- | --- |"]
    for name, v in doc["variants"].items():
        s = v["sobriety"]
        if s.get("budget") is None:
            per_year = v["per_year"]["ai"]
            out.append(f"| {_md(name)} | {_fig(per_year['energy'])}; {_fig(per_year['co2e'])} | none given | no budget | - |")
        else:
            out.append(f"| {_md(name)} | {_fig(s.get('ai'))} ({_md(s['basis'])}) | {_fig(s['budget'])} | **{s['verdict']}** | "
                       f"{percent(s['probability_exceeding'])} |")
    out.append("")

    out += ["## Criterion 2 — benefit against the non-AI alternative", ""]
    out += ["| variant | verdict (CO2e) | total AI over horizon | total without AI | agent hours saved per task | "
            "agent hours saved (total) | break-even volume (CO2e) |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, v in doc["variants"].items():
        b, be = v["benefit"], v["break_even"]["co2e"]
        be_text = {"ai_always_lower": "none needed (AI lower at any volume)",
                   "ai_never_lower": "never (AI higher at any volume)"}.get(be["status"], _fig(be["volume"]))
        out.append(f"| {_md(name)} | **{b['verdict']}** | {_fig(v['total']['ai']['co2e'])} | "
                   f"{_fig(v['total']['alternative']['co2e'])} | {_fig(b['agent_hours_saved']['per_task'])} | "
                   f"{_fig(b['agent_hours_saved']['total'])} | {be_text} |")
    out.append("")
    ratios = {name: v["benefit"].get("ratio_by_boundary", {}) for name, v in doc["variants"].items()}
    if any(ratios.values()):
        bounds = list(next(r for r in ratios.values() if r))
        out += ["AI / without-AI CO2e ratio under each human-time boundary:", "",
                "| variant | " + " | ".join(f"`{_code(b)}`" for b in bounds) + " |", "| --- |" + " --- |" * len(bounds)]
        for name, r in ratios.items():
            out.append(f"| {_md(name)} | " + " | ".join(_ratio(r.get(b)) for b in bounds) + " |")
        out.append("")
    if doc.get("benefit", {}).get("description"):
        out += [f"Benefit stated by the scenario: {_md(doc['benefit']['description'])}", ""]

    out += ["## Where the footprint comes from (primary variant, per task)", "",
            "| side | line | energy | CO2e |", "| --- | --- | --- | --- |"]
    for side in ("ai", "alternative"):
        for ln, d in doc["breakdown"][side].items():
            if d["co2e"]["high"] == 0 and d["energy"]["high"] == 0:
                continue
            out.append(f"| {side} | {_md(ln)} | {_fig(d['energy'])} | {_fig(d['co2e'])} |")
    out.append("")

    out += ["## Caveats and boundary", ""] + [f"- {c}" for c in CAVEATS]
    out += [f"- {_md(n)}" for n in doc.get("notes", [])]
    out.append("")

    out += ["## Assumptions and sources", "", "| input | value | status | source |", "| --- | --- | --- | --- |"]
    for a in doc["assumptions"]:
        out.append(f"| {_md(a['name'])} | {_md(_value(a))} | {_md(a.get('status', ''))} | {_md(a['source'])} |")
    mc = doc.get("monte_carlo", {})
    out += ["", f"_Generated by footprint compare ({mc.get('samples')} Monte Carlo samples, seed {mc.get('seed')}; "
            f"{mc.get('distribution', '')})._", ""]
    return "\n".join(out)


def _value(a: dict) -> str:
    v = a.get("value")
    if isinstance(v, dict):
        return _value(v)
    if isinstance(v, float):
        s = num(v)
        if a.get("low") is not None and a.get("high") is not None and a["low"] != a["high"]:
            s += f" ({num(a['low'])} - {num(a['high'])})"
        return f"{s} {a.get('unit', '')}".strip()
    if isinstance(v, list):
        return f"[{len(v)} values]"
    return str(v)


def check_writable(path, inputs=None) -> Path:
    """Refuse a card path that cannot be written or is one of the run's `inputs` (before any work is done).

    `inputs` is ``{label: path}`` of the files the run reads (see :func:`footprint.io.check_outputs`).
    """
    from .io import check_outputs

    return check_outputs({"--card": path}, inputs)["--card"]


def write(path, text: str) -> None:
    """Write `text` to `path` atomically (a complete card or the previous file, never half of one)."""
    from .io import write_text

    write_text(check_writable(path), text)
