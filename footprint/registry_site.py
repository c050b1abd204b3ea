"""The registry as a static, self-contained web site (French or English).

Every page is one HTML file with its CSS inline, its figures as inline SVG
drawn here (no script library, no font, no image to fetch), and one small
inline script that records JavaScript errors and fetched resources on the
``<html>`` element (the browser test reads them).  Texts go through the
gettext catalogue (:mod:`footprint.i18n`); numbers, dates and units follow the
language.  User texts (names, descriptions, registry fields) are escaped.

:func:`write_site` stages the whole site in a new folder beside the target and
moves it into place at the end (:class:`footprint.io.StagedDirectory`): a
failed build leaves no half-written site and the previous site untouched.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

from . import words
from .i18n import Language
from .estimator import METRICS
from .registry import metrics_of

#: Marker file of a footprint site: only such a folder is replaced by a new build.
MARKER = ".footprint-registry"

#: Eurocities fields shown in an entry's record, in this order, with their English label (translated).
RECORD_FIELDS = (
    ("description_short", "Short description"),
    ("status", "Status"),
    ("organization", "Responsible organization"),
    ("department", "Department"),
    ("contact_email", "Contact e-mail"),
    ("contact_name", "Contact name"),
    ("website", "Website"),
    ("goal", "Goal"),
    ("impact", "Impact"),
    ("proportionality", "Proportionality"),
    ("lawful_basis", "Legal basis"),
    ("human_intervention", "Human intervention"),
    ("external_supplier", "External supplier"),
    ("risks", "Risks"),
    ("alternatives_considered", "Alternatives considered"),
    ("monitoring", "Monitoring"),
    ("objection_procedure", "Objection procedure"),
    ("source_data", "Source data"),
    ("methods_and_models", "Methods and models"),
    ("codebase_url", "Source code"),
    ("publication_date", "Publication date"),
    ("last_change_date", "Last change"),
    ("revision_date", "Next revision"),
)
STATUS_LABELS = {"planned": "planned", "design": "in design", "development": "in development",
                 "pilot": "in trial", "evaluation": "in evaluation", "operational": "in production",
                 "retired": "retired"}
# verdicts, metrics, lines and scopes in words: footprint.words (one vocabulary for the tables, the card and the site)
NOT_COUNTED_LABELS = {"rebound": "rebound effects (more use of a cheaper, faster service)",
                      "model_development": "the model's development and training (no training share given)",
                      "result_quality": "the quality of the result",
                      "social_effects": "social effects of the substitution (jobs, skills, accessibility)"}
STEP_HEADERS = ("step", "model", "parameters (billions)", "precision", "GPU", "provisioning", "grid zone",
                "grid carbon intensity", "data-centre PUE")
#: Bases of the sobriety verdict as the comparison names them (translated when known).
BASES = ("AI energy per year", "AI co2e per year", "AI water per year", "AI / alternative CO2e per task")
#: The compass's criteria this page documents (the body's own vocabulary).
CRITERIA = ("energy sobriety", "benefit against an alternative without AI", "transparency and accountability")

_CSS = """<style>
:root { --ink: #1d2733; --muted: #5b6775; --line: #d5dbe3; --accent: #1f5f8b; --ok: #2e7d32; --bad: #b3261e; --mid: #8a6d00; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       max-width: 1150px; margin: 1.5em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 2px solid var(--line); }
.muted { color: var(--muted); } a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; font-size: 0.93em; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f2f5f8; } td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
#entries td.num { white-space: normal; }
.verdict { font-weight: 600; white-space: nowrap; } .within, .ai_lower { color: var(--ok); }
.exceeds, .ai_higher { color: var(--bad); } .uncertain { color: var(--mid); }
.status { display: inline-block; padding: 0 6px; border-radius: 8px; background: #e8eef5; white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 1em; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 0.4em 1em 0.8em; }
.card h3 { margin: 0.4em 0; font-size: 1.05em; }
dl.record { display: grid; grid-template-columns: 15em 1fr; gap: 4px 1em; } dl.record dt { font-weight: 600; }
figure { margin: 1em 0; } figcaption { color: var(--muted); font-size: 0.9em; }
footer { margin-top: 3em; color: var(--muted); font-size: 0.85em; border-top: 1px solid var(--line); padding-top: 0.6em; }
svg text { font-family: inherit; font-size: 12px; fill: var(--ink); }
@media print { body { max-width: none; } a { color: inherit; } }
</style>"""


def _e(text) -> str:
    return html.escape("" if text is None else str(text))


def _page(L: Language, title: str, body: str, *, home: str) -> str:
    from .plots.files import PAGE_HOOK

    return (f'<!DOCTYPE html>\n<html lang="{L.lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n{PAGE_HOOK}\n{_CSS}\n</head>\n<body>\n{body}\n"
            f'<footer>{_e(L("Made with footprint, an open-source tool that estimates the energy, greenhouse gases, water, abiotic resources and primary energy of AI use cases and compares them with the same task done without AI."))} '
            f'<a href="{home}">{_e(L("Back to the registry"))}</a></footer>\n</body>\n</html>\n')


def _verdict(L: Language, key) -> str:
    return f'<span class="verdict {_e(key)}">{_e(words.verdict(key, L))}</span>'


def _status(L: Language, key) -> str:
    return f'<span class="status">{_e(L(STATUS_LABELS.get(key, key or "not given")))}</span>'


def metric_label(L: Language, m: str) -> str:
    return words.metric(m, L)


def _fig(L: Language, f) -> str:
    """A figure in words (:func:`footprint.words.figure`); an absent one is "not available" (never 0)."""
    return L("not available") if not f else words.figure(f, L)


def _basis_text(L: Language, basis: dict) -> str:
    """``AI system per year: the public body (servers, its agents' devices)`` from the codes of ``basis``."""
    return (f"{L('AI system per year')}{words.colon(L)}"
            + " + ".join(L(words.SCOPES.get(k, k)) for k in basis.get("scopes_judged", ["body"])))


def messages() -> list:
    """Every text of the site that goes through the catalogue (the tests check each has a translation)."""
    import ast

    from . import i18n

    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    found = [n.args[0].value for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "L" and n.args
             and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str)]
    tables = [label for _, label in RECORD_FIELDS] + list(STATUS_LABELS.values()) + list(NOT_COUNTED_LABELS.values()) \
        + list(CRITERIA) + list(STEP_HEADERS) + list(BASES) + list(i18n.MONTHS) + list(i18n.UNIT_WORDS) \
        + ["not available", "not given", "Total"]
    return list(dict.fromkeys(found + tables + words.messages()))


# -- figures ------------------------------------------------------------------------------------

def svg_bars(L: Language, rows, unit: str, *, title: str, budget=None, log=True, width=760) -> str:
    """Horizontal bars with low-high whiskers, as inline SVG (log axis by default).

    `rows`: ``[(label, value, low, high)]`` (a None value draws no bar and says so).
    """
    finite = [x for r in rows for x in r[1:] if x is not None and x > 0] + ([budget] if budget else [])
    if not finite:
        return f"<p>{_e(L('not available'))}</p>"
    left, right, bar_h, gap = 230, 30, 18, 10
    height = 40 + len(rows) * (bar_h + gap) + 30
    lo_v, hi_v = min(finite), max(finite)
    if log:
        a, b = math.floor(math.log10(lo_v)), math.ceil(math.log10(hi_v))
        b = b if b > a else a + 1
        pos = lambda x: left + (math.log10(max(x, 10 ** a)) - a) / (b - a) * (width - left - right)  # noqa: E731
        ticks = [10 ** k for k in range(a, b + 1)]
    else:
        a, b = 0.0, hi_v * 1.05
        pos = lambda x: left + x / b * (width - left - right)  # noqa: E731
        ticks = [b * k / 4 for k in range(5)]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}"><title>{_e(title)}</title>']
    every = max(1, math.ceil(len(ticks) / 7))  # at most 7 labels, so that they do not overlap
    for k, t in enumerate(ticks):
        x = pos(t)
        out.append(f'<line x1="{x:.1f}" y1="30" x2="{x:.1f}" y2="{height - 30}" stroke="#d5dbe3"/>')
        if k % every == 0:
            out.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle">{_e(L.number(t, 2))}</text>')
    out.append(f'<text x="{left}" y="18">{_e(L.unit(unit))}{_e(" — " + L("logarithmic scale") if log else "")}</text>')
    for i, (label, value, low, high) in enumerate(rows):
        y = 36 + i * (bar_h + gap)
        short = label if len(label) <= 34 else label[:33] + "…"
        out.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end"><title>{_e(label)}</title>{_e(short)}</text>')
        if value is None:
            out.append(f'<text x="{left + 4}" y="{y + 13}" class="muted">{_e(L("not available"))}</text>')
            continue
        x0, x1 = pos(10 ** a) if log else left, pos(value)
        out.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(1.0, x1 - x0):.1f}" height="{bar_h}" fill="#1f5f8b" '
                   f'opacity="0.8"><title>{_e(label)}{_e(words.colon(L))}{_e(_fig(L, {"value": value, "low": low, "high": high, "unit": unit}))}</title></rect>')
        if low is not None and high is not None and high > low:
            xl, xh, ym = pos(max(low, 1e-300)), pos(high), y + bar_h / 2
            out.append(f'<line x1="{xl:.1f}" y1="{ym}" x2="{xh:.1f}" y2="{ym}" stroke="#1d2733" stroke-width="1.5"/>'
                       f'<line x1="{xl:.1f}" y1="{y + 3}" x2="{xl:.1f}" y2="{y + bar_h - 3}" stroke="#1d2733"/>'
                       f'<line x1="{xh:.1f}" y1="{y + 3}" x2="{xh:.1f}" y2="{y + bar_h - 3}" stroke="#1d2733"/>')
    if budget:
        xb = pos(budget)
        out.append(f'<line x1="{xb:.1f}" y1="28" x2="{xb:.1f}" y2="{height - 30}" stroke="#b3261e" '
                   f'stroke-width="2" stroke-dasharray="5,3"/><text x="{xb + 4:.1f}" y="28" fill="#b3261e">'
                   f'{_e(L("budget"))}</text>')
    out.append("</svg>")
    return "".join(out)


# -- the index ----------------------------------------------------------------------------------

def index_page(doc: dict, L: Language) -> str:
    reg = doc["registry"]
    title = reg.get("name") or L("Public AI registry")
    org = reg.get("organization")
    t = doc["totals"]
    metrics = metrics_of(t["per_year"])
    parts = [f"<h1>{_e(title)}</h1>"]
    if org:
        parts.append(f'<p class="muted">{_e(org)}</p>')
    if reg.get("description"):
        parts.append(f"<p>{_e(reg['description'])}</p>")
    parts.append(f"<p>{_e(L('Each entry records one use of AI by the organization, with its environmental footprint estimated by footprint and compared with the same task done without AI.'))} "
                 f"{_e(L('Assessed on'))} {_e(L.date(doc['generated']))}.</p>")

    parts.append(f"<h2>{_e(L('Total AI footprint per year'))}</h2>")
    rows, lacking = [], {}
    for m in list(dict.fromkeys(list(METRICS[:3]) + metrics + list(METRICS[3:]))):
        f = t["per_year"].get(m)
        s = t["sobriety"].get(m)
        budget = (f"{_fig(L, {**s['budget'], 'low': None, 'high': None})}"
                  + (f" ({L.percent(s['central_share'])})" if s.get("central_share") is not None else "")
                  if s else L("no budget given"))
        if f is None:
            rows.append(f"<tr><td>{_e(metric_label(L, m))}</td><td colspan='4' class='muted'>{_e(L('not available'))}</td></tr>")
            continue
        if f.get("value") is None:
            known = f.get("known_entries")
            for i in f.get("not_available_for", []):
                lacking.setdefault(i, []).append(m)
            part = (f"{L('sum of the use cases that have it')} ({len(known['entries'])} / {t['entries']}){words.colon(L)}"
                    f"{_fig(L, known)}" if known and known.get("entries") else "")
            rows.append(f"<tr><td>{_e(metric_label(L, m))}</td><td>{_e(L('not available'))}"
                        f"{('<br><span class=muted>' + _e(part) + '</span>') if part else ''}</td>"
                        f"<td class='num'>–</td><td class='num'>{_e(budget)}</td>"
                        f"<td>{_verdict(L, s['verdict']) if s else '–'}</td></tr>")
            continue
        p = (f"{L.number(f['p5'])} – {L.number(f['p95'])}" if f.get("p5") is not None else L("not available"))
        rows.append(f"<tr><td>{_e(metric_label(L, m))}</td><td class='num'>{_e(_fig(L, f))}</td>"
                    f"<td class='num'>{_e(p)}</td><td class='num'>{_e(budget)}</td>"
                    f"<td>{_verdict(L, s['verdict']) if s else '–'}"
                    f"{(' <span class=muted>(' + _e(L('probability of exceeding')) + ' ' + _e(L.percent(s['probability_exceeding'])) + ')</span>') if s and s.get('probability_exceeding') is not None else ''}</td></tr>")
    parts.append(f"<table id='totals'><thead><tr><th>{_e(L('metric'))}</th><th>{_e(L('all entries (range)'))}</th>"
                 f"<th>{_e(L('5th – 95th percentile'))}</th><th>{_e(L('overall budget (share used)'))}</th>"
                 f"<th>{_e(L('verdict'))}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
    if lacking:
        names = {e["id"]: e["name"] for e in doc["entries"]}
        parts.append(f"<p class='muted' id='not-available'>{_e(L('not available for'))}{_e(words.colon(L))}"
                     + "; ".join(f"{_e(names.get(i, i))} ({_e(', '.join(metric_label(L, m) for m in ms))})"
                                 for i, ms in lacking.items())
                     + f". {_e(L(words.NOT_AVAILABLE))}</p>")
    if t.get("basis"):
        parts.append(f"<p id='basis'>{_e(_basis_text(L, t['basis']))}. "
                     f"{_e(L(words.SOBRIETY_NOTE))}</p>")
    beside = t.get("beside") or {}
    if beside:
        items = [f"{L(words.SCOPES.get(sc, sc))}{words.colon(L)}"
                 + "; ".join(f"{metric_label(L, m)} {_fig(L, f)}" for m, f in d["per_year"].items() if m in ("energy", "co2e"))
                 + f" ({len(d['entries'])} / {t['entries']} {L('use cases')})" for sc, d in beside.items()]
        parts.append(f"<p id='beside'><strong>{_e(L('Beside, not added in'))}</strong>{_e(words.colon(L))}"
                     f"{_e(' — '.join(items))}.</p>")
    parts.append(f"<p class='muted'>{_e(L('Totals: the sum of the entries (each at its central value, and the range from all entries at their low and at their high ends). Percentiles: one Monte Carlo draw of all entries together, in which a factor shared by several entries (the grid of a country, a GPU) is drawn once.'))}</p>")

    metric = "co2e" if "co2e" in metrics else (metrics[0] if metrics else None)
    if metric and t["per_year"][metric].get("value") is not None:
        unit = t["per_year"][metric]["unit"]
        tf = t["per_year"][metric]
        bars = [(L("Total"), tf["value"], tf["low"], tf["high"])]
        for e in doc["entries"]:
            f = e["environment"]["per_year"]["ai"].get(metric)
            bars.append((e["name"], f and f["value"], f and f["low"], f and f["high"]))
        budget = t["sobriety"].get(metric, {}).get("budget", {}).get("value")
        caption = L("AI footprint per year of each entry") + f" — {metric_label(L, metric)}"
        parts.append(f"<figure>{svg_bars(L, bars, unit, title=caption, budget=budget)}<figcaption>{_e(caption)}; "
                     f"{_e(L('the line is the range of the inputs (low – high).'))}"
                     f"{(' ' + _e(L('Overall budget')) + _e(words.colon(L)) + _e(_fig(L, {'value': budget, 'unit': unit}))) if budget else ''}</figcaption></figure>")

    parts.append(f"<h2>{_e(L('Use cases'))}</h2>")
    head = [L("use case"), L("status"), L("energy per year"), L("CO2e per year"), L("AI / without AI (CO2e)"),
            L("energy sobriety")]
    body = []
    for e in doc["entries"]:
        env = e["environment"]
        py = env["per_year"]["ai"]
        ratio = env["per_task"]["ratio"].get("co2e")
        sob = env["sobriety"]
        body.append(f"<tr><td><a href='entries/{_e(e['id'])}.html'>{_e(e['name'])}</a>"
                    f"{('<br><span class=muted>' + _e(e['registry'].get('department')) + '</span>') if e['registry'].get('department') else ''}</td>"
                    f"<td>{_status(L, e['registry'].get('status'))}</td>"
                    f"<td class='num'>{_e(_fig(L, py.get('energy')))}</td>"
                    f"<td class='num'>{_e(_fig(L, py.get('co2e')))}</td>"
                    f"<td class='num'>{_e(_ratio(L, ratio))}</td>"
                    f"<td>{_verdict(L, sob['verdict'])}</td></tr>")
    parts.append("<table id='entries'><thead><tr>" + "".join(f"<th>{_e(h).replace('CO2e', 'CO₂e')}</th>" for h in head)
                 + f"</tr></thead><tbody>{''.join(body)}</tbody></table>")
    parts.append(f"<p>{_e(L('Open data'))}{_e(words.colon(L))}<a href='registry.json'>registry.json</a> "
                 f"({_e(L('JSON, schema given by `footprint registry schema`'))}), <a href='registry.csv'>registry.csv</a>.</p>")
    return _page(L, title, "\n".join(parts), home="index.html")


def _ratio(L: Language, f) -> str:
    if not f or f.get("value") is None:
        return L("not available")
    return words.ratio(f, L)


# -- an entry -----------------------------------------------------------------------------------

def entry_page(doc: dict, e: dict, L: Language) -> str:
    env = e["environment"]
    reg = e["registry"]
    parts = [f"<p><a href='../index.html'>← {_e(L('All use cases'))}</a></p>", f"<h1>{_e(e['name'])}</h1>",
             f"<p>{_status(L, reg.get('status'))} <span class='muted'>{_e(reg.get('organization', ''))}"
             f"{(' — ' + _e(reg['department'])) if reg.get('department') else ''}</span></p>"]
    if e.get("description"):
        parts.append(f"<p>{_e(e['description'])}</p>")

    # the criterion card: the compass's three criteria this registry documents
    sob, ben = env["sobriety"], env["benefit"]
    py = env["per_year"]["ai"]
    ratio = env["per_task"]["ratio"].get("co2e")
    c = words.colon(L)
    judged, budget = words.sobriety_cells(sob, L)
    cap = sob.get("scope") == "ratio"  # a ratio cap is judged on the per-task ratio, said by its basis
    sob_text = (f"{words.basis(sob, L) if cap else L('AI system per year')}{c}{judged}; {L('budget')}{c}{budget}; "
                f"{L('probability of exceeding')}{c}{L.percent(sob.get('probability_exceeding'))}"
                f"{'' if cap else ' (' + words.basis(sob, L) + ')'}"
                if sob.get("budget") else
                f"{L('AI system per year')}{c}{_fig(L, py.get('energy'))}; {_fig(L, py.get('co2e'))}")
    ben_text = (f"{L('AI / without AI (CO2e)')}{c}{_ratio(L, ratio)}; {L('probability that AI emits less')}{c}"
                f"{L.percent(ben['probability_ai_lower'].get('co2e'))}").replace("CO2e", "CO₂e")
    filled = sum(1 for k, _ in RECORD_FIELDS if reg.get(k))
    tr_text = (f"{L('fields of the record filled in')}{c}{filled} / {len(RECORD_FIELDS)}; "
               f"{L('every figure below has its range and every assumption its source.')}")
    parts.append(f"<h2>{_e(L('Criterion card'))}</h2><div class='cards'>"
                 f"<div class='card'><h3>{_e(L(CRITERIA[0]))}</h3><p>{_verdict(L, sob['verdict'])}</p><p>{_e(sob_text)}</p></div>"
                 f"<div class='card'><h3>{_e(L(CRITERIA[1]))}</h3><p>{_verdict(L, ben['verdict'])}</p><p>{_e(ben_text)}</p>"
                 f"{('<p class=muted>' + _e(ben['description']) + '</p>') if ben.get('description') else ''}</div>"
                 f"<div class='card'><h3>{_e(L(CRITERIA[2]))}</h3><p>{_e(tr_text)}</p></div></div>")

    # the record
    rows = []
    for key, label in RECORD_FIELDS:
        v = reg.get(key)
        if not v:
            continue
        if key == "status":
            shown = _status(L, v)
        elif key.endswith("_date"):
            shown = _e(L.date(v))
        elif key in ("website", "codebase_url"):
            shown = f"<a href='{_e(v)}'>{_e(v)}</a>"
        elif key == "contact_email":
            shown = f"<a href='mailto:{_e(v)}'>{_e(v)}</a>"
        else:
            shown = _e(v)
        rows.append(f"<dt>{_e(L(label))}</dt><dd>{shown}</dd>")
    parts.append(f"<h2>{_e(L('Record'))}</h2><dl class='record'>{''.join(rows)}</dl>")

    # the environmental section
    parts.append(f"<h2>{_e(L('Environmental footprint'))}</h2>")
    vol = env["yearly_volume"]
    b = env["system_boundary"]
    facts = [
        (L("Functional unit"), env["functional_unit"]),
        (L("Yearly volume"), _fig(L, vol) + " — " + env["volume_source"]),
        (L("AI variant in use"), env["variant"] + (f" — {env['variant_description']}" if env["variant_description"] else "")),
        (L("Alternative without AI"), env["alternative"]["description"] or "–"),
        (L("Human time"), f"{b['human_time_device']}, {L('boundary')} {b['human_time_boundary']}, {L('zone')} {b['human_time_zone']}"),
    ]
    parts.append("<dl class='record'>" + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts) + "</dl>")

    metrics = list(dict.fromkeys(env["metrics"] + list(METRICS)))
    beside = env["per_year"].get("beside") or {}
    rows = []
    for m in metrics:
        ai_t, alt_t = env["per_task"]["ai"].get(m), env["per_task"]["alternative"].get(m)
        sys_y, ai_y, alt_y = (env["per_year"]["ai"].get(m), env["per_year"].get("ai_side", {}).get(m),
                              env["per_year"]["alternative"].get(m))
        rows.append(f"<tr><td>{_e(metric_label(L, m))}</td><td class='num'>{_e(_fig(L, ai_t))}</td>"
                    f"<td class='num'>{_e(_fig(L, alt_t))}</td><td class='num'>{_e(_ratio(L, env['per_task']['ratio'].get(m)))}</td>"
                    f"<td class='num'>{_e(_fig(L, sys_y))}</td>"
                    + "".join(f"<td class='num'>{_e(_fig(L, d.get(m)))}</td>" for d in beside.values())
                    + f"<td class='num'>{_e(_fig(L, ai_y))}</td><td class='num'>{_e(_fig(L, alt_y))}</td></tr>")
    parts.append(f"<table id='figures'><thead><tr><th>{_e(L('metric'))}</th><th>{_e(L('AI, per task'))}</th>"
                 f"<th>{_e(L('without AI, per task'))}</th><th>{_e(L('AI / without AI'))}</th>"
                 f"<th>{_e(L('AI system per year'))}</th>"
                 + "".join(f"<th>{_e(L('beside'))}{_e(words.colon(L))}{_e(L(words.SCOPES.get(sc, sc)))}</th>" for sc in beside)
                 + f"<th>{_e(L('AI side, per year'))}</th><th>{_e(L('without AI, per year'))}</th></tr></thead>"
                 f"<tbody>{''.join(rows)}</tbody></table>")
    parts.append(f"<p>{_e(_basis_text(L, env['per_year']['basis']))}. "
                 f"{_e(L('The AI side of the comparison also holds the users’ devices and networks, the agents’ time and the task’s other activities.'))}</p>")
    if env.get("not_available_on_basis"):
        parts.append(f"<p class='muted'>{_e(L('Not available for this entry (not computed, not zero)'))}{_e(words.colon(L))}"
                     + _e(words.semicolon(L)).join(f"{_e(metric_label(L, m))} ({_e(words.semicolon(L).join(words.reason(x, L) for x in r))})" for m, r in env["not_available_on_basis"].items())
                     + ".</p>")
    if env["not_available"]:
        parts.append(f"<p class='muted'>{_e(L('Not available for this entry (not computed, not zero)'))}{_e(words.colon(L))}"
                     f"{_e(', '.join(metric_label(L, m) for m in env['not_available']))}.</p>")
    for m in [m for m in ("co2e", "energy") if m in env["metrics"]][:1]:
        ai_t, alt_t = env["per_task"]["ai"][m], env["per_task"]["alternative"][m]
        cap = f"{L('Per task')} — {metric_label(L, m)}"
        bars = [(L("with AI"), ai_t["value"], ai_t["low"], ai_t["high"]),
                (L("without AI"), alt_t["value"], alt_t["low"], alt_t["high"])]
        parts.append(f"<figure>{svg_bars(L, bars, ai_t['unit'], title=cap)}<figcaption>{_e(cap)}; "
                     f"{_e(L('the line is the range of the inputs (low – high).'))}</figcaption></figure>")

    steps = env["steps"]
    if steps:
        srows = []
        for st in steps:
            srows.append("<tr>" + "".join(f"<td>{_e(x)}</td>" for x in (
                st["step"], st.get("foundationModelName") or "–",
                L.number(st["parametersNumber"]) if st.get("parametersNumber") is not None else "–",
                st.get("quantization") or "–", st.get("componentName") or "–", st.get("provisioning") or "–",
                st.get("country") or "–", _fig(L, st.get("powerSourceCarbonIntensity")),
                _fig(L, st.get("pue")))) + "</tr>")
        parts.append(f"<h3>{_e(L('Model and hardware'))}</h3><table id='steps'><thead><tr>"
                     + "".join(f"<th>{_e(L(h))}</th>" for h in STEP_HEADERS)
                     + f"</tr></thead><tbody>{''.join(srows)}</tbody></table>")

    counted = [words.line(x, L) for x in b["counted_ai"]]
    parts.append(f"<h3>{_e(L('System boundary'))}</h3><p><strong>{_e(L('Counted, AI side'))}</strong>{_e(words.colon(L))}"
                 f"{_e('; '.join(counted))}.</p><p><strong>{_e(L('Counted, without AI'))}</strong>{_e(words.colon(L))}"
                 f"{_e('; '.join(words.line(x, L) for x in b['counted_alternative']))}.</p><p><strong>{_e(L('Not counted'))}</strong>{_e(words.colon(L))}"
                 f"{_e('; '.join(L(NOT_COUNTED_LABELS[x]) for x in b['not_counted']))}.</p>")

    meas = env.get("measured")
    if meas:
        r = meas.get("ratio_measured_to_estimated")
        parts.append(f"<h3>{_e(L('Measured in operation'))}</h3><table id='measured'><tbody>"
                     f"<tr><th>{_e(L('measured energy per task'))}</th><td class='num'>{_e(_fig(L, meas['energy_per_task']))}</td></tr>"
                     f"<tr><th>{_e(L('estimated energy per task (same boundary)'))}</th><td class='num'>{_e(_fig(L, meas['estimated_it_energy_per_task']))}</td></tr>"
                     f"<tr><th>{_e(L('measured / estimated'))}</th><td class='num'>{_e(_ratio(L, r))}</td></tr>"
                     f"<tr><th>{_e(L('runs measured'))}</th><td class='num'>{_e(L.number(meas['runs'], 6))} "
                     f"({_e(L.date(meas['first']))} – {_e(L.date(meas['last'])) })</td></tr></tbody></table>"
                     f"<p class='muted'>{_e(L('Both sides count the IT energy only: the estimate before the data-centre overhead, the measurement the machine’s own draw (CodeCarbon).'))}</p>")
        em = meas["estimated_it_energy_per_task"]
        if em:
            bars = [(L("measured"), meas["energy_per_task"]["value"], None, None),
                    (L("estimated"), em["value"], em["low"], em["high"])]
            parts.append(f"<figure>{svg_bars(L, bars, 'Wh', title=L('Measured in operation'))}</figure>")

    m = env["method"]
    parts.append(f"<h3>{_e(L('Method'))}</h3><p>{_e(L('Estimated by footprint'))} {_e(m['version'])} "
                 f"({_e(L('estimated') if m['measurementMethod'] == 'estimated' else L('estimated, and measured in operation'))}); "
                 f"{_e(L('date of assessment'))}{_e(words.colon(L))}{_e(L.date(env['assessment_date']))}; "
                 f"{_e(L('Monte Carlo draws'))}{_e(words.colon(L))}{_e(L.number(m['monte_carlo']['samples'], 6))}, "
                 f"{_e(L('seed'))} {_e(m['monte_carlo']['seed'])}.</p>")

    assumptions = [a for a in e.get("assumptions", [])]
    if assumptions:
        arows = "".join(f"<tr><td>{_e(a['name'])}</td><td>{_e(_assumption_value(L, a))}</td><td>{_e(a.get('status'))}</td>"
                        f"<td>{_e(a.get('source'))}</td></tr>" for a in assumptions)
        parts.append(f"<details><summary>{_e(L('Assumptions and sources'))} ({len(assumptions)})</summary>"
                     f"<table><thead><tr><th>{_e(L('input'))}</th><th>{_e(L('value'))}</th><th>{_e(L('status'))}</th>"
                     f"<th>{_e(L('source'))}</th></tr></thead><tbody>{arows}</tbody></table></details>")
    return _page(L, e["name"], "\n".join(parts), home="../index.html")


def _assumption_value(L: Language, a: dict) -> str:
    v = a.get("value")
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        return _fig(L, {"value": v, "unit": a.get("unit", ""), "low": a.get("low"), "high": a.get("high")})
    if isinstance(v, list):
        return f"[{len(v)}]"
    return "–" if v is None else str(v)


# -- writing ------------------------------------------------------------------------------------

def render_site(registry, lang: str) -> dict:
    """``{relative path: text}`` of every file of the site."""
    from .io import json_safe

    L = Language(lang)
    doc = json_safe(registry.to_dict())
    doc["lang"] = lang
    files = {"index.html": index_page(doc, L), "registry.json": json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
             "registry.csv": registry.to_csv(), MARKER: "footprint registry site\n"}
    assumptions = {e.id: e.doc["assumptions"] for e in registry.entries}
    for e in doc["entries"]:
        files[f"entries/{e['id']}.html"] = entry_page(doc, {**e, "assumptions": assumptions.get(e["id"], [])}, L)
    return files


def write_site(registry, site, lang: str) -> list:
    """Write the site into folder `site`, all at once (see :class:`footprint.io.StagedDirectory`)."""
    from .io import StagedDirectory

    files = render_site(registry, lang)
    with StagedDirectory(site, marker=MARKER) as staged:
        for rel, text in files.items():
            staged.write(rel, text)
    return [Path(site) / rel for rel in files]
