"""One-page criterion card (Markdown) for the two criteria: sobriety, and benefit against a non-AI alternative.

:func:`render` builds the text from the JSON document of a comparison
(:meth:`footprint.compare.Comparison.to_dict`); :func:`write` writes it
atomically (:func:`footprint.io.write_text`), so that a card exists only when
the whole run succeeded.
"""

from __future__ import annotations

import re
from pathlib import Path

from .formatting import num

#: The card's caveats (English message ids of the catalogue).
from .words import CAVEATS, NOT_AVAILABLE, SOBRIETY_NOTE  # noqa: E402


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


#: Most lines the card may have: it fits one printed page (the assumptions go to the appendix file).
MAX_LINES = 60


def appendix_path(path) -> Path:
    """The appendix file beside a card: ``card.md`` -> ``card.assumptions.md``."""
    p = Path(path)
    return p.with_name(f"{p.stem}.assumptions{p.suffix or '.md'}")


def render(doc: dict, lang: str = "en", appendix: str | None = None) -> str:
    """The one-page Markdown card of a ``footprint compare`` JSON document, in `lang` (``en`` or ``fr``).

    The assumptions, their sources and the notes are in :func:`render_appendix` (`appendix` names its file).
    """
    from .i18n import Language

    L = Language(lang)
    out = _card_head(doc, L)
    out += _sobriety_section(doc, L)
    out += _benefit_section(doc, L)
    out += _breakdown_section(doc, L)
    out += _caveats_section(doc, L)
    out += _transparency_section(doc, L, appendix)
    return "\n".join(out)


def _card_head(doc: dict, L) -> list:
    """The card's title, description and functional unit."""
    from . import words as w

    sc = doc["scenario"]
    out = [f"# {L('Criterion card')}{w.colon(L)}{_md(sc['name'])}", ""]
    if sc.get("description"):
        out += [_md(sc["description"]), ""]
    out += [f"- **{L('Functional unit')}**{w.colon(L)}{_md(sc['task'])}; {L('volume')} {w.figure(sc['volume'], L)} "
            f"({_md(sc['volume_source'])})",
            f"- **{L('horizon')}**{w.colon(L)}{w.period(sc['horizon'], L)}; {L('human time')}{w.colon(L)}{_md(w.device(sc['device'], L))}, "
            f"{L(w.BOUNDARIES.get(sc['human_time_boundary'], sc['human_time_boundary']))}; {L('zone')} {_md(sc['zone'])}",
            ""]
    return out



def _sobriety_section(doc: dict, L) -> list:
    """Section 1: each variant's AI system per year against its budget, and the verdict."""
    from . import words as w

    med = L("median (p5–p95)")
    judged_on = (f"{L('AI / without AI')} (CO₂e, {L('per task')})" if doc["variants"] and all(
        v["sobriety"].get("scope") == "ratio" for v in doc["variants"].values()) else L("AI system per year"))
    out = [f"## 1. {L('Energy sobriety')}", "",
           f"| {L('variant')} | {judged_on}{w.colon(L)}{med} | {L('budget')} | {L('verdict')} | {L('also borne by')} |",
           "| --- | --- | --- | --- | --- |"]
    for name, v in doc["variants"].items():
        s = v["sobriety"]
        if s.get("budget") is None:
            py = v["per_year"].get("by_scope", {}).get("body") or v["per_year"]["ai"]
            judged = w.semicolon(L).join(w.figure(py[k], L) for k in ("energy", "co2e") if k in py)
            budget = L("no budget given")
        else:
            judged, budget = w.sobriety_cells(s, L)
        beside = w.semicolon(L).join(f"{L(w.SCOPES.get(k, k))}{w.colon(L)}{w.figure(f, L)}" for k, f in s.get("beside", {}).items())
        p = s.get("probability_exceeding")
        out.append(f"| {_md(name)} | {judged} | {budget} "
                   f"| **{w.verdict(s['verdict'], L)}**{f' (P {L.percent(p)})' if p is not None else ''} | {beside or '–'} |")
    out.append("")
    return out


def _benefit_section(doc: dict, L) -> list:
    """Section 2: per task with and without AI, then the verdicts, hours saved, break-even and robustness."""
    from . import words as w

    med = L("median (p5–p95)")
    out = [f"## 2. {L('Benefit against an alternative without AI')}", "",
           f"| {L('variant')} | {L('per task')} | {L('with AI')}{w.colon(L)}{med} | {L('without AI')} | {L('AI / without AI')} | "
           f"{L('P(AI emits less)')} |", "| --- | --- | --- | --- | --- | --- |"]
    for name, v in doc["variants"].items():
        pt = v.get("percentiles", {}).get("per_task", {})
        for k in v["per_task"]["ai"]:
            out.append(f"| {_md(name)} | {w.metric(k, L)} | {w.median(pt.get('ai', {}).get(k), L)} | "
                       f"{w.median(pt.get('alternative', {}).get(k), L)} | {w.ratio_median(pt.get('ratio', {}).get(k), L)} | "
                       f"{w.percent(v['benefit']['probability_ai_lower'].get(k), L)} |")
    out.append("")
    out += [f"| {L('variant')} | {L('verdict')} (CO₂e) | {L('agent hours saved')} ({L('total over the horizon')}) | "
            f"{L('break-even volume')} (CO₂e) | {L('under every human-time boundary')} |", "| --- | --- | --- | --- | --- |"]
    for name, v in doc["variants"].items():
        b, be = v["benefit"], v["break_even"]["co2e"]
        be_text = w.figure(be["volume"], L) if be["status"] == "ai_lower_above" and be["volume"] else \
            L(w.BREAK_EVEN.get(be["status"], be["status"]))
        out.append(f"| {_md(name)} | **{w.verdict(b['verdict'], L)}** | {w.figure(b['agent_hours_saved']['total'], L)} | "
                   f"{be_text} | {w.robustness(b.get('robustness'), L)} |")
    if doc.get("benefit", {}).get("description"):
        out += ["", _md(doc["benefit"]["description"])]
    out.append("")
    return out


def _breakdown_section(doc: dict, L) -> list:
    """The largest lines of the primary variant's breakdown per task (the appendix has every line)."""
    from . import words as w

    out = [f"## {L('Where the footprint comes from (primary variant, per task)')}", "",
           f"| {L('side')} | {L('line')} | {w.metric('energy', L)} | CO₂e |", "| --- | --- | --- | --- |"]
    rows = _breakdown_rows(doc, L)
    shown = sorted(rows, key=lambda r: -r[0])[:MAX_BREAKDOWN_LINES]
    out += [r[1] for r in rows if r in shown]
    if len(rows) > len(shown):
        out.append(f"| … | {len(rows) - len(shown)} {L('more lines in the appendix')} | | |")
    out.append("")
    return out


def _caveats_section(doc: dict, L) -> list:
    """The caveats and boundary, and the metrics not available on a side (in words, never 0)."""
    from . import words as w

    out = [f"## {L('Caveats and boundary')}", ""] + [f"- {L(c)}" for c in CAVEATS if c != NOT_AVAILABLE]
    missing = list(dict.fromkeys(w.metric(k, L) for v in doc["variants"].values() for k in v.get("not_available", {})))
    if missing:  # a metric not available on a side: said in words, never 0 (the reasons are in the appendix)
        out.append(f"- **{L('not available')}**{w.colon(L)}{', '.join(missing)} "
                   f"({L('the reasons are in the appendix')}). {L(NOT_AVAILABLE)}")
    out.append("")
    return out


def _transparency_section(doc: dict, L, appendix: str | None) -> list:
    """Section 3: when and from which file, where the assumptions are, how the medians and ranges were made."""
    import datetime

    sc = doc["scenario"]
    mc = doc.get("monte_carlo", {})
    return [f"## 3. {L('Transparency and accountability')}", "",
            f"{L('Assessed on')} {L.date(datetime.date.today().isoformat())} ({_md(sc.get('file') or '')}). "
            f"{L(SOBRIETY_NOTE)} "
            f"{L('Assumptions and sources: see')} {_md(appendix or 'the appendix')} "
            f"({L.number(len(doc['assumptions']))} {L('assumptions')}). "
            f"{L('Medians and percentiles: Monte Carlo')} ({L.number(mc.get('samples'), 6)} {L('draws')}, {L('seed')} {mc.get('seed')}). "
            f"{L('Ranges are the footprints at the ends of the input ranges (interval propagation), not confidence intervals.')}",
            ""]


#: Lines of the breakdown shown on the card (the largest CO2e per task); the appendix has every line.
MAX_BREAKDOWN_LINES = 8


def _breakdown_rows(doc: dict, L) -> list:
    """``(CO2e per task, Markdown row)`` of every line of the primary variant's breakdown that is not zero."""
    from . import words as w

    rows = []
    for side in ("ai", "alternative"):
        for ln, d in doc["breakdown"][side].items():
            if (d["co2e"].get("high") or 0) == 0 and (d["energy"].get("high") or 0) == 0:
                continue
            rows.append((d["co2e"].get("value") or 0.0,
                         f"| {L('AI side') if side == 'ai' else L('without-AI side')} | {_md(w.line(ln, L))} | "
                         f"{w.line_figure(ln, 'energy', d['energy'], L)} | {w.figure(d['co2e'], L)} |"))
    return rows


def render_appendix(doc: dict, lang: str = "en") -> str:
    """The card's appendix: every assumption with its value, status and source, every line, and the notes."""
    from . import words as w
    from .i18n import Language

    L = Language(lang)
    out = [f"# {L('Appendix: assumptions and sources')} — {_md(doc['scenario']['name'])}", "",
           f"| {L('assumption')} | {L('value')} | {L('status')} | {L('source')} |", "| --- | --- | --- | --- |"]
    for a in doc["assumptions"]:
        out.append(f"| {_md(a['name'])} | {_md(w.assumption(a, L))} | {_md(w.status(a.get('status'), L))} | "
                   f"{_md(w.source(a['source'], L))} |")
    out += ["", f"## {L('Where the footprint comes from (primary variant, per task)')}", "",
            f"| {L('side')} | {L('line')} | {w.metric('energy', L)} | CO₂e |", "| --- | --- | --- | --- |"]
    out += [r[1] for r in _breakdown_rows(doc, L)]
    gaps = [f"{name}{w.colon(L)}{w.gap(k, g, L)}" for name, v in doc["variants"].items()
            for k, g in v.get("not_available", {}).items()]
    if gaps:
        out += ["", f"## {L('not available')}", ""] + [f"- {_md(t)}" for t in gaps]
    notes = list(doc.get("notes", []))
    if notes:
        out += ["", f"## {L('notes')}", ""] + [f"- {_md(w.note(n, L))}" for n in notes]
    mc = doc.get("monte_carlo", {})
    out += ["", f"_{L('Generated by footprint compare')} ({L.number(mc.get('samples'), 6)} {L('draws')}, {L('seed')} {mc.get('seed')}"
            f"{w.semicolon(L)}{w.note(mc.get('distribution', ''), L)})._", ""]
    return "\n".join(out)


def check_writable(path, inputs=None) -> Path:
    """Refuse a card path (or its appendix's) that cannot be written or is one of the run's `inputs` (before any
    work is done).

    `inputs` is ``{label: path}`` of the files the run reads (see :func:`footprint.io.check_outputs`).
    """
    from .io import check_outputs

    return check_outputs({"--card": path, "--card (appendix)": appendix_path(path)}, inputs)["--card"]


def write(path, text: str, appendix: str | None = None) -> None:
    """Write the card (and its appendix beside it) atomically: both complete, or the previous files."""
    from .io import Outputs

    target = check_writable(path)
    with Outputs() as out:
        out.write(target, text)
        if appendix is not None:
            out.write(appendix_path(target), appendix)
