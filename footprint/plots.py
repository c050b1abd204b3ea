"""Plots of a scenario: AI against the task done without AI, line by line, over volumes, by input.

Four figures, each built from a table of numbers that is returned as well
(:func:`figure_data`), so that a reader can check every bar and point:

``comparison``
    Every AI variant and the non-AI alternative, per task and over the
    horizon, with low-high error bars and the AI / alternative ratio written on
    the chart; a log axis when the values differ by more than
    :data:`LOG_AXIS_SPAN` times.
``breakdown``
    Stacked contributions of each variant (GPU busy, GPU idle, host, PUE
    overhead, embodied hardware, training share, network, end-user device,
    human time) and of the alternative's activities.
``sweep``
    Footprint over the horizon against task volume for every variant and the
    alternative, with the uncertainty band shaded, the break-even volume
    marked, the scenario's own volume shown, and the sobriety budget when the
    scenario has one on the plotted metric.
``sensitivity``
    A tornado chart: each ranged input of an AI variant taken from its low to
    its high end while every other input stays central, evaluated in one
    vectorised call of the comparison engine (itself
    :func:`footprint.estimator.compute` on arrays).

The numbers come from :func:`footprint.compare.compare_scenario` (the same
figures as ``footprint compare --json``); they are only converted to a unit
that reads well (``mWh`` rather than ``0.0003 Wh``), named in every table row
and axis title.  plotly and pandas are imported inside the functions that use
them.  :func:`write_html` writes a self-contained page (plotly's JavaScript
embedded, no request to any network when opened), atomically.

The palette is Okabe and Ito's, safe for the common colour-vision deficiencies.

References
----------
.. [1] Okabe, M. and Ito, K. (2008). Color Universal Design (CUD): how to make
   figures and presentations that are friendly to colorblind people.
   https://jfly.uni-koeln.de/color/
.. [2] Eschenbach, T. G. (1992). Spiderplots versus tornado diagrams for
   sensitivity analysis. Interfaces 22(6), 40-46. doi:10.1287/inte.22.6.40
"""

from __future__ import annotations

import html
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ._pint import pint

from .errors import InputError
from .uncertainty import Range, triplet
from .units import ureg

KINDS = ("comparison", "breakdown", "sweep", "sensitivity")
METRICS = ("energy", "co2e", "water", "adpe", "primary_energy")
PER = ("task", "total")

#: A log axis is used when the largest value exceeds the smallest by more than this factor.
LOG_AXIS_SPAN = 100.0
#: Inputs shown in a tornado chart (the ones that move the result most).
TORNADO_INPUTS = 12
#: Points of a volume sweep (besides the scenario's volumes and break-even points).
SWEEP_POINTS = 61

#: Okabe-Ito palette.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
GREY, LIGHT_GREY = "#7F7F7F", "#BBBBBB"
#: Colours of the AI variants, in order; the alternative is bluish green.
VARIANT_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["reddish_purple"], OKABE_ITO["sky_blue"],
                   OKABE_ITO["vermillion"], OKABE_ITO["black"])
ALTERNATIVE_COLOUR = OKABE_ITO["bluish_green"]

METRIC_NAMES = {"energy": "Energy", "co2e": "Greenhouse-gas emissions", "water": "Water consumed",
                "adpe": "Abiotic depletion (ADPe, Sb eq)", "primary_energy": "Primary energy"}
#: Units a figure may be shown in, smallest first (the one that puts the largest value in [1, 1000) wins).
DISPLAY_UNITS = {
    "energy": ("mWh", "Wh", "kWh", "MWh", "GWh"),
    "co2e": ("mgCO2e", "gCO2e", "kgCO2e", "tCO2e", "ktCO2e"),
    "water": ("µL", "mL", "L", "m^3", "ML"),
    "adpe": ("ngSbeq", "µgSbeq", "mgSbeq", "gSbeq", "kgSbeq"),
    "primary_energy": ("J", "kJ", "MJ", "GJ", "TJ"),
}
_UNIT_TEXT = {"m^3": "m³", "ML": "million L"}
_INTERNAL = {"energy": "J", "co2e": "kg", "water": "L", "adpe": "kg", "primary_energy": "J"}

#: Categories of the breakdown: key -> (legend text, colour, pattern).
CATEGORIES = {
    "gpu_busy": ("GPU, busy serving", OKABE_ITO["blue"], ""),
    "gpu_idle": ("GPU, idle but allocated", OKABE_ITO["sky_blue"], ""),
    "host": ("Host server (CPU, memory)", OKABE_ITO["bluish_green"], ""),
    "pue_overhead": ("Data-centre overhead (cooling, PUE)", OKABE_ITO["yellow"], ""),
    "embodied": ("Hardware manufacturing (embodied)", OKABE_ITO["orange"], ""),
    "training": ("Model training (share)", OKABE_ITO["vermillion"], ""),
    "network": ("Network transfer", OKABE_ITO["reddish_purple"], ""),
    "device": ("End-user device", OKABE_ITO["black"], ""),
    "agent": ("Agent working time (device)", GREY, "/"),
    "workplace": ("Agent workplace (office building, device+office boundary)", LIGHT_GREY, "x"),
    "per_capita": ("Agent per-capita allocation (per-capita boundary)", LIGHT_GREY, "/"),
}
_OTHER_COLOURS = ((GREY, "."), (LIGHT_GREY, "+"), (GREY, "-"), (LIGHT_GREY, "|"), (GREY, "\\"))

#: Readable names of the estimator's inputs (tornado labels).
INPUT_NAMES = {name: spec.label for name, spec in __import__("footprint.inputs", fromlist=["CORE"]).CORE.items()}


# -- the comparison behind every figure -----------------------------------------------------------

def load_comparison(source, **kwargs):
    """A :class:`footprint.compare.Comparison` from a file path, a Scenario or a Comparison.

    Parameters
    ----------
    source : str or Path or footprint.scenario.Scenario or footprint.compare.Comparison
    **kwargs
        Passed to :func:`footprint.compare.compare_scenario` (``samples``, ``seed``,
        ``human_time``) when the comparison is computed here.
    """
    from . import compare

    if isinstance(source, compare.Comparison):
        return source
    if isinstance(source, (str, os.PathLike)):
        from .scenario import load

        source = load(source)
    if not getattr(source, "variants", None):
        raise InputError("the scenario has no [[ai]] variant; give at least one to plot")
    if getattr(source, "alternative", None) is None:
        raise InputError(f"{getattr(source, 'path', 'the scenario')}: no [alternative] (the task done without AI); "
                         "a comparison, a breakdown or a sweep needs one")
    return compare.compare_scenario(source, **kwargs)


def _check_choice(kind: str, value, valid) -> str:
    v = str(value).strip().lower()
    if v not in valid:
        raise InputError(f"unknown {kind} '{value}'; valid: {', '.join(valid)}")
    return v


# -- units and words --------------------------------------------------------------------------------

def display_unit(metric: str, largest) -> str:
    """The unit of :data:`DISPLAY_UNITS` that puts `largest` [J, kg or L] between 1 and 1000.

    Parameters
    ----------
    metric : {"energy", "co2e", "water"}
    largest : float
        Largest magnitude to show, in the internal unit of `metric` [J, kg or L].
    """
    ladder = DISPLAY_UNITS[metric]
    x = abs(float(largest)) if np.isfinite(largest) else 0.0
    chosen = ladder[0]
    for unit in ladder:
        if x >= ureg.Quantity(1.0, unit).m_as(_INTERNAL[metric]):
            chosen = unit
    return chosen


def unit_text(unit: str) -> str:
    """How a display unit is written on a chart."""
    return _UNIT_TEXT.get(unit, unit)


def _in(q, unit) -> np.ndarray:
    """Magnitudes of a Quantity in `unit`."""
    return np.asarray(q.to(unit).magnitude, dtype=float)


def _spread(arr):
    """(low, central, high) of a case-axis array, NaN-aware."""
    arr = np.asarray(arr, dtype=float)
    if np.all(np.isnan(arr)):
        return np.nan, np.nan, np.nan
    return float(np.nanmin(arr)), float(arr[..., 1]), float(np.nanmax(arr))


def _fmt(x: float) -> str:
    """A number for a chart label: 3 significant digits, thousands separated."""
    if x is None or not np.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    if abs(x) >= 1e15 or abs(x) < 1e-4:
        return f"{x:.3g}"
    digits = max(0, 2 - int(math.floor(math.log10(abs(x)))))
    text = f"{x:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _years_text(horizon) -> str:
    years = float(horizon.m_as("year"))
    if years >= 1:
        return f"{_fmt(years)} year{'s' if years != 1 else ''}"
    days = float(horizon.m_as("day"))
    return f"{_fmt(days)} day{'s' if days != 1 else ''}"


def _volume_text(scenario) -> str:
    vu = scenario.task.volume_unit
    lo, mid, hi = triplet(scenario.task.volume, f"1/{vu}")
    if lo == hi:
        return f"{_fmt(mid)} per {vu}"
    return f"{_fmt(lo)}–{_fmt(hi)} per {vu} (central {_fmt(mid)})"


def _variant_label(name: str) -> str:
    return f"With AI: {name}"


ALTERNATIVE_LABEL = "Without AI"


@dataclass
class Table:
    """The source data of a figure: one dict per row, plus what the figure needs to be drawn."""

    kind: str
    metric: str
    rows: list
    meta: dict = field(default_factory=dict)

    def to_frame(self):
        """The rows as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.rows)


# -- 1. comparison ----------------------------------------------------------------------------------

def _proxies(c) -> list:
    """Inputs of the comparison that rest on a proxy (a factor another key stands in for), for people."""
    return [a.name for a in c.plan.assumptions if str(a.source).startswith("proxy")]


def _proxy_text(meta) -> str:
    names = meta.get("proxies") or []
    return f" Proxy values (see the assumptions): {', '.join(names)}." if names else ""


def _comparison_table(c, metric: str, per=None) -> Table:
    from .compare import PER_REQUEST_UNITS, TOTAL_UNITS

    s = c.plan.scenario
    scopes = ("task", "total") if per is None else (per,)
    rows = []
    meta = {"scopes": scopes, "units": {}, "log": {}, "scenario": s, "proxies": _proxies(c)}
    for scope in scopes:
        ai_key, alt_key, unit_in = (("per_task_ai", "per_task_alternative", PER_REQUEST_UNITS[metric]) if scope == "task"
                                    else ("total_ai", "total_alternative", TOTAL_UNITS[metric]))
        sides = [(name, "ai", getattr(vc, ai_key)[metric], vc) for name, vc in c.variants.items()]
        sides.append((None, "alternative", getattr(c.primary, alt_key)[metric], None))
        largest = max(_spread(_in(q, _INTERNAL[metric]))[1] for _, _, q, _ in sides)
        unit = display_unit(metric, largest)
        meta["units"][scope] = unit
        centrals = []
        for name, side, q, vc in sides:
            low, value, high = _spread(_in(q, unit))
            row = {"panel": "per task" if scope == "task" else f"over {_years_text(s.task.horizon)}",
                   "scope": scope, "side": side, "variant": name or "", "label": _variant_label(name) if name else
                   ALTERNATIVE_LABEL, "metric": metric, "unit": unit, "value": value, "low": low, "high": high,
                   "unit_in_compare": unit_in}
            if vc is not None:
                r_low, r_value, r_high = _spread(vc.ratio[metric].m_as(""))
                row.update(ratio=r_value, ratio_low=r_low, ratio_high=r_high,
                           probability_ai_lower=np.nan if vc.probability_ai_lower[metric] is None
                           else float(vc.probability_ai_lower[metric]))
            else:
                row.update(ratio=np.nan, ratio_low=np.nan, ratio_high=np.nan, probability_ai_lower=np.nan)
            rows.append(row)
            centrals.append(value)
        positive = [v for v in centrals if v > 0]
        meta["log"][scope] = bool(positive) and (max(positive) / min(positive) > LOG_AXIS_SPAN)
    return Table("comparison", metric, rows, meta)


def _ratio_text(row) -> str:
    r, lo, hi = row["ratio"], row["ratio_low"], row["ratio_high"]
    if not np.isfinite(r):
        return "AI / without AI: n/a"
    text = f"<b>{_fmt(r)} × without AI</b>"
    if np.isfinite(lo) and np.isfinite(hi) and (lo != r or hi != r):
        text += f"<br>({_fmt(lo)}–{_fmt(hi)})"
    p = row.get("probability_ai_lower")
    if p is not None and np.isfinite(p):
        text += f"<br>P(lower) {p:.0%}"
    return text


def _comparison_figure(t: Table):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    s = t.meta["scenario"]
    scopes = t.meta["scopes"]
    titles = [f"Per {s.task.unit}" if sc == "task" else f"Over {_years_text(s.task.horizon)} at {_volume_text(s)}"
              for sc in scopes]
    fig = make_subplots(rows=1, cols=len(scopes), subplot_titles=titles, horizontal_spacing=0.14,
                        column_widths=[0.55, 0.45] if len(scopes) == 2 else None)
    colour = {}
    for i, row in enumerate(r for r in t.rows if r["side"] == "ai"):
        colour.setdefault(row["variant"], VARIANT_COLOURS[len(colour) % len(VARIANT_COLOURS)])
    for col, scope in enumerate(scopes, start=1):
        rows = [r for r in t.rows if r["scope"] == scope]
        unit = t.meta["units"][scope]
        for r in rows:
            c = colour.get(r["variant"], ALTERNATIVE_COLOUR) if r["side"] == "ai" else ALTERNATIVE_COLOUR
            fig.add_trace(go.Bar(
                x=[r["label"]], y=[r["value"]], name=r["label"], legendgroup=r["label"], showlegend=(col == 1),
                marker_color=c,
                error_y={"type": "data", "symmetric": False, "array": [r["high"] - r["value"]],
                         "arrayminus": [r["value"] - r["low"]], "color": "#333333", "thickness": 1.5, "width": 8},
                hovertemplate=(f"{r['label']}<br>central %{{y:.3~g}} {unit_text(unit)}<br>range {_fmt(r['low'])}–"
                               f"{_fmt(r['high'])} {unit_text(unit)}<extra></extra>"),
            ), row=1, col=col)
            text = f"<b>{_fmt(r['value'])} {unit_text(unit)}</b>"
            if r["low"] != r["value"] or r["high"] != r["value"]:
                text += f"<br>({_fmt(r['low'])}–{_fmt(r['high'])})"
            top = r["high"] if r["high"] > 0 else r["value"]
            fig.add_annotation(x=r["label"], y=math.log10(top) if t.meta["log"][scope] and top > 0 else top,
                               text=text, showarrow=False, yanchor="bottom", yshift=4, font={"size": 12},
                               row=1, col=col)
        what = METRIC_NAMES[t.metric]
        ytitle = (f"{what}<br>per {s.task.unit} [{unit_text(unit)}]" if scope == "task"
                  else f"{what}<br>over {_years_text(s.task.horizon)} [{unit_text(unit)}]")
        fig.update_yaxes(title_text=ytitle, type="log" if t.meta["log"][scope] else "linear", row=1, col=col)
        # the ratio to the alternative under each AI bar of the first panel
        ticks = [r["label"] + ("<br>" + _ratio_text(r) if r["side"] == "ai" and scope == scopes[0] else "")
                 for r in rows]
        fig.update_xaxes(tickvals=[r["label"] for r in rows], ticktext=ticks, tickangle=0, tickfont={"size": 12},
                         row=1, col=col)
        if not t.meta["log"][scope]:  # room for the labels above the whiskers
            tallest = max(max(r["high"], r["value"]) for r in rows)
            fig.update_yaxes(range=[0, tallest * 1.3], row=1, col=col)
    fig.update_layout(
        title=_title(f"{s.name}: {METRIC_NAMES[t.metric].lower()}, with AI and without",
                     "Bars: central estimate; whiskers: low–high range of the inputs. Under each AI bar: AI / "
                     "without AI per task, its range, and the probability that AI is lower."
                     + (" Log scale." if any(t.meta["log"].values()) else "") + _proxy_text(t.meta)),
        barmode="group", bargap=0.35, margin={"b": 110}, showlegend=False,
    )
    fig.update_layout(margin={"t": _top_margin(fig, 40)})
    return _style(fig)


# -- 2. breakdown -----------------------------------------------------------------------------------

def _line_category(line_plan) -> str:
    """Category of an extra AI line or an alternative line (see :data:`CATEGORIES`)."""
    from . import alternatives

    act = line_plan.activity
    if act.startswith("network"):
        return "network"
    if act == alternatives.OFFICE:
        return "workplace"
    if act in alternatives.PER_CAPITA.values():
        return "per_capita"
    if line_plan.agent:
        return "agent"
    if act in alternatives.DEVICES.values():
        return "device"
    return f"other:{line_plan.label}"


def _breakdown_table(c, metric: str, per: str = "task") -> Table:
    from .compare import PER_REQUEST_UNITS

    plan = c.plan
    s = plan.scenario
    volume = float(triplet(plan.volume, "1/s")[1])
    tasks = volume * float(plan.horizon.m_as("s"))
    sides = []
    for name, vc in c.variants.items():
        vp = plan.variant(name)
        by_label = {ln.label: ln for ln in vp.lines}
        sides.append((name, "ai", vc.breakdown_ai, by_label, vc.per_task_ai[metric], vc.total_ai[metric]))
    by_label = {ln.label: ln for ln in plan.alternative}
    sides.append((None, "alternative", c.primary.breakdown_alternative, by_label,
                  c.primary.per_task_alternative[metric], c.primary.total_alternative[metric]))
    # the unit that reads well for the largest stack
    scale = 1.0 if per == "task" else tasks
    largest = max(float(_in(task_q, _INTERNAL[metric])[1]) * scale for *_, task_q, _ in sides)
    unit = display_unit(metric, largest)
    rows = []
    for name, side, lines, by_label, task_q, total_q in sides:
        label = _variant_label(name) if name else ALTERNATIVE_LABEL
        for line, figs in lines.items():
            if line in by_label:
                cat = _line_category(by_label[line])
            else:  # "<step>: <estimator line>"
                cat = line.rsplit(": ", 1)[-1]
            per_task = ureg.Quantity(np.asarray(figs[metric].magnitude, dtype=float), figs[metric].units)
            low, value, high = _spread(_in(per_task, unit))
            if per == "total":
                low, value, high = low * tasks, value * tasks, high * tasks
            rows.append({"bar": label, "side": side, "variant": name or "", "line": line, "category": cat,
                         "category_label": CATEGORIES[cat][0] if cat in CATEGORIES else cat.split(":", 1)[1],
                         "metric": metric, "per": per, "unit": unit, "value": value, "low": low, "high": high,
                         "unit_in_compare": PER_REQUEST_UNITS[metric]})
        # the bar's own range (the sum of the lines' ends is wider than the total's range)
        t_low, t_value, t_high = _spread(_in(task_q if per == "task" else total_q, unit))
        rows.append({"bar": label, "side": side, "variant": name or "", "line": "total", "category": "total",
                     "category_label": "total", "metric": metric, "per": per, "unit": unit, "value": t_value,
                     "low": t_low, "high": t_high, "unit_in_compare": PER_REQUEST_UNITS[metric]})
    meta = {"scenario": s, "unit": unit, "per": per, "tasks": tasks, "proxies": _proxies(c)}
    return Table("breakdown", metric, rows, meta)


def _breakdown_figure(t: Table):
    import plotly.graph_objects as go

    s = t.meta["scenario"]
    unit = t.meta["unit"]
    bars = list(dict.fromkeys(r["bar"] for r in t.rows))
    lines = [r for r in t.rows if r["line"] != "total"]
    order = [k for k in CATEGORIES if any(r["category"] == k for r in lines)]
    order += list(dict.fromkeys(r["category"] for r in lines if r["category"] not in CATEGORIES))
    fig = go.Figure()
    other = 0
    for cat in order:
        if cat in CATEGORIES:
            name, colour, pattern = CATEGORIES[cat]
        else:
            name = cat.split(":", 1)[1]
            colour, pattern = _OTHER_COLOURS[other % len(_OTHER_COLOURS)]
            other += 1
        values = []
        detail = []
        for bar in bars:
            mine = [r for r in lines if r["bar"] == bar and r["category"] == cat]
            values.append(sum(r["value"] for r in mine))
            detail.append("<br>".join(f"{r['line']}: {_fmt(r['value'])}" for r in mine) or "none")
        if not any(v > 0 for v in values):
            continue
        fig.add_trace(go.Bar(
            x=bars, y=values, name=name, marker={"color": colour, "pattern": {"shape": pattern}},
            customdata=detail,
            hovertemplate=f"{name}<br>%{{x}}: %{{y:.3~g}} {unit_text(unit)}<br>%{{customdata}}<extra></extra>",
        ))
    totals = [r for r in t.rows if r["line"] == "total"]
    fig.add_trace(go.Scatter(
        x=[r["bar"] for r in totals], y=[r["value"] for r in totals], mode="markers", name="Total (low–high range)",
        marker={"symbol": "line-ew-open", "size": 28, "color": "#333333", "line": {"width": 2}},
        error_y={"type": "data", "symmetric": False, "array": [r["high"] - r["value"] for r in totals],
                 "arrayminus": [r["value"] - r["low"] for r in totals], "color": "#333333", "width": 8},
        hovertemplate=f"%{{x}}<br>total %{{y:.3~g}} {unit_text(unit)}<extra></extra>",
    ))
    scope = f"per {s.task.unit}" if t.meta["per"] == "task" else f"over {_years_text(s.task.horizon)}"
    fig.update_layout(
        barmode="stack", bargap=0.4,
        title=_title(f"{s.name}: what makes up the {METRIC_NAMES[t.metric].lower()} {scope}",
                     "Stacked central contributions of each line; marker and whiskers: total and its low–high range."
                     + _proxy_text(t.meta)),
        yaxis_title=_wrap(f"{METRIC_NAMES[t.metric]} {scope} [{unit_text(unit)}]", 45),
        legend={"traceorder": "normal"},
    )
    fig.update_layout(margin={"t": _top_margin(fig, 10)})
    return _style(fig)


# -- 3. sweep ----------------------------------------------------------------------------------------

def _sweep_table(c, metric: str, points: int = SWEEP_POINTS) -> Table:
    from .compare import TOTAL_UNITS, totals_over_volumes

    plan = c.plan
    s = plan.scenario
    vu = s.task.volume_unit
    v_lo, v_mid, v_hi = (float(x) for x in triplet(plan.volume, f"1/{vu}"))
    be = {}
    for name, vc in c.variants.items():
        b = vc.break_even[metric]
        arr = np.asarray(b["volume"].m_as(f"task/{vu}"), dtype=float)
        be[name] = (b["status"], arr)
    ends = [v_lo, v_hi] + [float(x) for _, arr in be.values() for x in arr if np.isfinite(x) and x > 0]
    grid = np.geomspace(min(ends) / 10, max(ends) * 10, points)
    marks = [v_lo, v_mid, v_hi] + [float(arr[1]) for st, arr in be.values() if st == "ai_lower_above"
                                   and np.isfinite(arr[1]) and arr[1] > 0]
    marks = np.asarray(marks)
    near = np.any(np.isclose(grid[:, None], marks[None, :], rtol=1e-6, atol=0.0), axis=1)
    grid = np.unique(np.concatenate([grid[~near], marks]))  # the marks exactly, no near-duplicate point
    volumes = ureg.Quantity(grid, f"1/{vu}")
    curves = {}
    for name in c.variants:
        res = totals_over_volumes(plan, volumes, name)
        curves[name] = res["ai"][metric]
    curves[None] = res["alternative"][metric]
    at_mid = int(np.argmin(np.abs(grid - v_mid)))
    largest = max(float(_in(q, _INTERNAL[metric])[at_mid].max()) for q in curves.values())
    unit = display_unit(metric, largest)
    rows = []
    for name, q in curves.items():
        arr = _in(q, unit)
        label = _variant_label(name) if name else ALTERNATIVE_LABEL
        for i, v in enumerate(grid):
            low, value, high = _spread(arr[i])
            rows.append({"series": label, "variant": name or "", "kind": "total", "volume": float(v),
                         "volume_unit": f"task/{vu}", "volume_low": np.nan, "volume_high": np.nan,
                         "metric": metric, "unit": unit, "value": value, "low": low, "high": high,
                         "unit_in_compare": TOTAL_UNITS[metric]})
    for name, (status, arr) in be.items():
        if status != "ai_lower_above" or not np.isfinite(arr[1]):
            continue
        i = int(np.argmin(np.abs(grid - arr[1])))
        low, value, high = _spread(_in(curves[None], unit)[i])
        finite = arr[np.isfinite(arr)]
        rows.append({"series": f"Break-even ({name})", "variant": name, "kind": "break_even", "volume": float(arr[1]),
                     "volume_unit": f"task/{vu}", "volume_low": float(finite.min()), "volume_high": float(finite.max()),
                     "metric": metric, "unit": unit, "value": value, "low": low, "high": high,
                     "unit_in_compare": TOTAL_UNITS[metric]})
    budget_note = ""
    sob = s.sobriety
    horizon_years = float(plan.horizon.m_as("year"))
    if sob is not None and sob.kind == metric:
        one_year = sob.budget * ureg.Quantity(1, "year")
        year_unit = display_unit(metric, float(one_year.m_as(_INTERNAL[metric])))
        over = float((sob.budget * plan.horizon).to(unit).magnitude)
        label = (f"Sobriety budget: {_fmt(float(one_year.m_as(year_unit)))} {unit_text(year_unit)} per year "
                 f"× {_years_text(s.task.horizon)}")
        # the verdict holds the AI system's figure in the budget's scope against it, not the whole AI side drawn
        budget_note = (f" The sobriety budget is held against the AI system in the scope '{sob.scope}'"
                       f"{' with human time' if sob.human_time else ''} (footprint compare), not against the whole "
                       "AI side drawn here.")
        for v in (grid[0], grid[-1]):
            rows.append({"series": label, "variant": "", "kind": "budget", "volume": float(v),
                         "volume_unit": f"task/{vu}", "volume_low": np.nan, "volume_high": np.nan, "metric": metric,
                         "unit": unit, "value": over, "low": over, "high": over, "unit_in_compare": ""})
    elif sob is not None and sob.kind == "ratio" and metric == "co2e":
        cap = float(sob.budget.m_as(""))
        alt = _in(curves[None], unit)
        label = f"Sobriety cap: AI ≤ {_fmt(cap)} × without AI"
        for i, v in enumerate(grid):
            rows.append({"series": label, "variant": "", "kind": "budget", "volume": float(v),
                         "volume_unit": f"task/{vu}", "volume_low": np.nan, "volume_high": np.nan, "metric": metric,
                         "unit": unit, "value": cap * float(alt[i][1]), "low": np.nan, "high": np.nan,
                         "unit_in_compare": ""})
    elif sob is not None:
        budget_note = f" The scenario's sobriety budget is on {sob.kind if sob.kind != 'ratio' else 'the CO2e ratio'}."
    meta = {"scenario": s, "unit": unit, "volume": (v_lo, v_mid, v_hi), "volume_unit": vu,
            "break_even": {n: st for n, (st, _) in be.items()}, "budget_note": budget_note,
            "horizon_years": horizon_years}
    return Table("sweep", metric, rows, meta)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def _sweep_figure(t: Table):
    import plotly.graph_objects as go

    s = t.meta["scenario"]
    unit = t.meta["unit"]
    vu = t.meta["volume_unit"]
    fig = go.Figure()
    series = list(dict.fromkeys(r["series"] for r in t.rows if r["kind"] == "total"))
    colours = {}
    for name in series:
        colours[name] = (ALTERNATIVE_COLOUR if name == ALTERNATIVE_LABEL
                         else VARIANT_COLOURS[len([c for c in colours if c != ALTERNATIVE_LABEL]) % len(VARIANT_COLOURS)])
    for name in series:
        rows = [r for r in t.rows if r["series"] == name and r["kind"] == "total"]
        x = [r["volume"] for r in rows]
        colour = colours[name]
        fig.add_trace(go.Scatter(x=x, y=[r["high"] for r in rows], mode="lines", line={"width": 0},
                                 legendgroup=name, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=x, y=[r["low"] for r in rows], mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=_rgba(colour, 0.2), legendgroup=name, showlegend=False,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            x=x, y=[r["value"] for r in rows], mode="lines", name=name, legendgroup=name,
            line={"color": colour, "width": 3, "dash": "solid" if name != ALTERNATIVE_LABEL else "dash"},
            customdata=[[r["low"], r["high"]] for r in rows],
            hovertemplate=(f"{name}<br>%{{x:,.3~g}} {s.task.unit} per {vu}<br>%{{y:.3~g}} {unit_text(unit)} "
                           f"(%{{customdata[0]:.3~g}}–%{{customdata[1]:.3~g}})<extra></extra>"),
        ))
    for r in (r for r in t.rows if r["kind"] == "break_even"):
        fig.add_trace(go.Scatter(
            x=[r["volume"]], y=[r["value"]], mode="markers", name=f"{r['series']}: {_fmt(r['volume'])} per {vu}",
            marker={"symbol": "diamond", "size": 14, "color": OKABE_ITO["black"], "line": {"color": "white", "width": 1}},
            error_x={"type": "data", "symmetric": False, "array": [r["volume_high"] - r["volume"]],
                     "arrayminus": [r["volume"] - r["volume_low"]], "color": OKABE_ITO["black"], "width": 6},
            hovertemplate=(f"{r['series']}<br>{_fmt(r['volume'])} per {vu} (range {_fmt(r['volume_low'])}–"
                           f"{_fmt(r['volume_high'])})<extra></extra>"),
        ))
    budget = [r for r in t.rows if r["kind"] == "budget"]
    if budget:
        fig.add_trace(go.Scatter(x=[r["volume"] for r in budget], y=[r["value"] for r in budget], mode="lines",
                                 name=budget[0]["series"], line={"color": OKABE_ITO["vermillion"], "width": 2,
                                                                 "dash": "dot"}))
    v_lo, v_mid, v_hi = t.meta["volume"]
    if v_hi > v_lo:
        fig.add_vrect(x0=v_lo, x1=v_hi, fillcolor=LIGHT_GREY, opacity=0.3, line_width=0, layer="below")
    fig.add_vline(x=v_mid, line={"color": GREY, "dash": "dot", "width": 1.5})
    fig.add_annotation(x=math.log10(v_mid), y=1.0, yref="paper", text=f"this scenario: {_volume_text(s)}",
                       showarrow=False, yanchor="bottom", font={"size": 12, "color": "#333333"})
    notes = []
    for name, status in t.meta["break_even"].items():
        if status == "ai_always_lower":
            notes.append(f"{name}: AI lower at every volume")
        elif status == "ai_never_lower":
            notes.append(f"{name}: AI never lower")
    subtitle = ("Lines: central estimate; shaded: low–high range; grey band: the scenario's volume range."
                + (f" {'; '.join(notes)} (no break-even)." if notes else "") + t.meta["budget_note"])
    fig.update_layout(
        title=_title(f"{s.name}: {METRIC_NAMES[t.metric].lower()} over {_years_text(s.task.horizon)} "
                     "against volume", subtitle),
        xaxis={"title": {"text": f"Volume [{s.task.unit} per {vu}]"}, "type": "log"},
        yaxis={"title": {"text": _wrap(f"{METRIC_NAMES[t.metric]} over {_years_text(s.task.horizon)} "
                                       f"[{unit_text(unit)}]", 45)}, "type": "log"},
        hovermode="closest",
    )
    fig.update_layout(margin={"t": _top_margin(fig, 30)})
    return _style(fig)


# -- 4. sensitivity -----------------------------------------------------------------------------------

def _range_key(x: Range):
    """An identity for a range that does not depend on the unit it is drawn in (same as a shared draw)."""
    lo, mid, hi = (v.to_base_units() for v in (x.low, x.value, x.high))
    return (str(lo.units), f"{float(np.asarray(lo.magnitude)):.9g}", f"{float(np.asarray(mid.magnitude)):.9g}",
            f"{float(np.asarray(hi.magnitude)):.9g}")


class OneAtATime:
    """Draw object for :func:`footprint.compare.evaluate_variant`: one input moved at a time.

    The trailing axis has ``1 + 2 k`` columns: column 0 holds every input at its
    central value; columns ``2 j + 1`` and ``2 j + 2`` hold input ``j`` at the low
    and at the high end of its range, every other input central.  Inputs are the
    Monte Carlo streams of :mod:`footprint.montecarlo` (:func:`~footprint.montecarlo.stream_key`):
    a factor row used twice (the same grid on two steps and on the non-AI side) moves
    as one input, as in the draws; two inputs given apart move apart, even with equal ranges.

    Parameters
    ----------
    keys : list of str
        Stream keys, in the order of the columns.
    """

    def __init__(self, keys):
        self.keys = list(keys)
        self.index = {k: j for j, k in enumerate(self.keys)}
        self.n = 1 + 2 * len(self.keys)

    def __call__(self, x, unit, increasing=True, key=None):
        if isinstance(x, Range):
            lo, mid, hi = (float(np.asarray(v.m_as(unit))) for v in (x.low, x.value, x.high))
            out = np.full(self.n, mid)
            j = self.index.get(key)
            if j is not None:
                out[2 * j + 1], out[2 * j + 2] = lo, hi
            return out
        m = np.asarray(x.m_as(unit) if isinstance(x, pint.Quantity) else x, dtype=float)
        return np.broadcast_to(m[..., None], m.shape + (self.n,)).copy()

    def volume(self, x, increasing=True):
        return self(x, "1/s", key="given:task:volume")


#: Inputs of a resolved step that the comparison engine sets itself from the scenario's volume.
_SET_BY_THE_ENGINE = ("request_rate",)


def _ranged_inputs(plan, vp) -> dict:
    """Every ranged input of an AI variant: stream key -> (readable name, the Range)."""
    from . import alternatives
    from .inputs import people_label
    from .montecarlo import GROUPS, stream_key

    found: dict = {}  # key -> ({name: [steps where it is used]}, Range)

    def add(x, key, name, where=()):
        if key and isinstance(x, Range) and np.any(np.asarray(x.low.magnitude) != np.asarray(x.high.m_as(x.low.units))):
            names, _ = found.setdefault(key, ({}, x))
            steps = names.setdefault(name, [])
            steps += [w for w in where if w not in steps]

    multi = len(vp.steps) > 1
    for st in vp.steps:
        where = (st.name,) if multi else ()
        scope = f"{vp.name}.{st.name}"
        add(st.per_task, f"given:{scope}:per_task", "requests per task", where)
        add(st.training_share, f"given:{scope}:training_share", "training share", where)
        prov = getattr(st.resolved, "provenance", {}) or {}
        for name, v in st.resolved.values.items():
            if name in _SET_BY_THE_ENGINE or name in GROUPS:
                continue  # set by the engine; grouped inputs move with their group (active with total parameters)
            label = people_label(name)
            if name in ("grid_intensity", "water_intensity") and st.resolved.zone:
                label = f"{label} ({st.resolved.zone})"
            add(v, stream_key(prov.get(name), scope, name), label, where)
    human = {alternatives.OFFICE, *alternatives.PER_CAPITA.values()}
    zone = plan.scenario.human_time.zone
    for ln in vp.lines:
        k = ln.keys
        # the device and the office lines of human time share one quantity: the agent time
        add(ln.quantity, k.get("quantity"),
            "agent time per task" if (ln.agent or ln.activity in human) else f"{ln.label}: amount per task")
        add(ln.energy_per_unit, k.get("energy"), f"{ln.label}: energy per unit")
        add(ln.co2e_per_unit, k.get("co2e"), f"{ln.label}: CO2e per unit")
        grid = k.get("energy_intensity") or ""
        add(ln.energy_intensity, grid, f"grid carbon intensity ({zone})" if grid.startswith("factor:grid:")
            else f"{ln.label}: CO2e per kWh of its energy")
        add(ln.water_intensity, k.get("water_intensity"), f"water intensity of electricity ({zone})")
    add(plan.volume, "given:task:volume", f"volume (tasks per {plan.scenario.task.volume_unit})")

    def label(names: dict) -> str:
        # "host power per GPU (speech-to-text, summary)"; one factor used under two names: "a = b"
        return " = ".join(f"{n} ({', '.join(w)})" if w else n for n, w in names.items())

    return {k: (label(names), x) for k, (names, x) in found.items()}


def _same(a, b) -> bool:
    """Whether two resolved values are the same value (a dense model's active parameters are its size)."""
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _sensitivity_table(c, metric: str, per: str = "task", top: int = TORNADO_INPUTS) -> Table:
    from .compare import _sum, evaluate_variant

    plan = c.plan
    s = plan.scenario
    H = float(plan.horizon.m_as("s"))
    rows = []
    units, centrals = {}, {}
    for name, vc in c.variants.items():
        vp = plan.variant(name)
        inputs = _ranged_inputs(plan, vp)
        draw = OneAtATime(list(inputs))
        volume = draw.volume(plan.volume)
        lines = evaluate_variant(plan, vp, volume, draw, H)  # one vectorised call per step
        result = _sum(lines, metric)
        if per == "total":
            result = result * volume * H
        q = ureg.Quantity(result, _INTERNAL[metric])
        unit = display_unit(metric, float(result[0]))
        units[name] = unit
        arr = _in(q, unit)
        central = float(arr[0])
        found = []
        for j, (key, (label, x)) in enumerate(inputs.items()):
            lo_r, hi_r = float(arr[2 * j + 1]), float(arr[2 * j + 2])
            found.append({"variant": name, "input": label, "input_low": _input_text(x.low),
                          "input_central": _input_text(x.value), "input_high": _input_text(x.high),
                          "result_at_input_low": lo_r, "result_at_input_high": hi_r, "central": central,
                          "swing": abs(hi_r - lo_r), "metric": metric, "per": per, "unit": unit})
        if not found:  # every input is a point value: the row still carries the central result
            found.append({"variant": name, "input": "(no ranged input)", "input_low": "", "input_central": "",
                          "input_high": "", "result_at_input_low": central, "result_at_input_high": central,
                          "central": central, "swing": 0.0, "metric": metric, "per": per, "unit": unit})
        centrals[name] = central
        found.sort(key=lambda r: -r["swing"])
        for rank, r in enumerate(found, start=1):
            r["rank"] = rank
            r["shown"] = rank <= top and r["swing"] > 0
            rows.append(r)
    return Table("sensitivity", metric, rows, {"scenario": s, "units": units, "per": per, "top": top,
                                               "variants": list(c.variants), "central": centrals})


def _input_text(q) -> str:
    """An input value as a reader would write it (W rather than J/h, years rather than seconds)."""
    u = q.units
    dim = q.dimensionality
    if dim == ureg.W.dimensionality:
        q = q.to("W")
    elif dim == ureg.s.dimensionality:
        for unit in ("year", "day", "hour", "minute", "second"):
            v = float(np.asarray(q.m_as(unit)))
            if v >= 1 or unit == "second":
                return f"{_fmt(v)} {unit}{'s' if v != 1 else ''}"
    elif dim == (1 / ureg.s).dimensionality:
        per = "year" if float(np.asarray(q.m_as("1/day"))) < 1 else "day"
        return f"{_fmt(float(np.asarray(q.m_as(f'1/{per}'))))} per {per}"
    elif dim == (ureg.kg / ureg.J).dimensionality:
        q = q.to("gCO2e/kWh")
    elif dim == (ureg.L / ureg.J).dimensionality:
        q = q.to("L/kWh")
    elif dim == ureg.kg.dimensionality:
        q = q.to("kgCO2e")
    else:
        text = str(u)
        if "joule" in text or "kilogram" in text:
            q = q.to(text.replace("joule", "watt_hour").replace("kilogram", "gCO2e"))
        elif text == "parameter":
            q = q.to("billion * parameter")
    m = float(np.asarray(q.magnitude))
    return f"{_fmt(m)} {q.units:~P}".strip()


def _sensitivity_figure(t: Table):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    s = t.meta["scenario"]
    variants = t.meta["variants"]
    scope = f"per {s.task.unit}" if t.meta["per"] == "task" else f"over {_years_text(s.task.horizon)}"
    shown = {v: [r for r in t.rows if r["variant"] == v and r["shown"]] for v in variants}
    heights = [max(len(rs), 1) + 1 for rs in shown.values()]
    fig = make_subplots(rows=len(variants), cols=1, row_heights=heights, vertical_spacing=0.12,
                        subplot_titles=[f"{_variant_label(v)} (central {_fmt(t.meta['central'][v])} "
                                        f"{unit_text(t.meta['units'][v])})" for v in variants])
    low_colour, high_colour = OKABE_ITO["blue"], OKABE_ITO["orange"]
    for i, v in enumerate(variants, start=1):
        rs = list(reversed(shown[v]))  # largest swing on top
        unit = t.meta["units"][v]
        central = t.meta["central"][v]
        short = {r["input"]: (r["input"] if len(r["input"]) <= 60 else r["input"][:57] + "…") for r in rs}
        if not rs:
            fig.add_trace(go.Scatter(x=[central], y=["every input central"], mode="markers", showlegend=False,
                                     marker={"color": "#333333", "symbol": "line-ns-open", "size": 20}),
                          row=i, col=1)
            fig.add_annotation(text="no ranged input moves this result", showarrow=False, x=central,
                               y="every input central", yshift=24, row=i, col=1)
            continue
        y = [short[r["input"]] for r in rs]
        for end, colour, label in (("low", low_colour, "Input at the low end of its range"),
                                   ("high", high_colour, "Input at the high end of its range")):
            vals = [r[f"result_at_input_{end}"] for r in rs]
            fig.add_trace(go.Bar(
                y=y, x=[val - central for val in vals], base=central, orientation="h", name=label,
                legendgroup=end, showlegend=(i == 1), marker_color=colour,
                customdata=[[r["input"], r[f"input_{end}"], val] for r, val in zip(rs, vals)],
                hovertemplate=(f"%{{customdata[0]}} = %{{customdata[1]}}<br>result %{{customdata[2]:.3~g}} "
                               f"{unit_text(unit)}<extra></extra>"),
            ), row=i, col=1)
        fig.add_vline(x=central, line={"color": "#333333", "width": 1.5}, row=i, col=1)
        fig.update_xaxes(title_text=_wrap(f"{METRIC_NAMES[t.metric]} {scope} [{unit_text(unit)}]", 60), row=i, col=1)
        fig.update_yaxes(automargin=True, row=i, col=1)
    fig.update_layout(
        barmode="overlay",
        title=_title(f"{s.name}: which inputs move the {METRIC_NAMES[t.metric].lower()} {scope} most",
                     "Each bar: one input from the low to the high end of its range, every other input central; "
                     f"the {t.meta['top']} largest swings of each AI variant (the non-AI side is not varied here)."),
        height=max(420, 140 + 34 * sum(heights)),
    )
    fig.update_layout(margin={"t": _top_margin(fig, 30)})
    return _style(fig)


# -- public figures -------------------------------------------------------------------------------------

_TABLES = {"comparison": _comparison_table, "breakdown": _breakdown_table, "sweep": _sweep_table,
           "sensitivity": _sensitivity_table}
_FIGURES = {"comparison": _comparison_figure, "breakdown": _breakdown_figure, "sweep": _sweep_figure,
            "sensitivity": _sensitivity_figure}


def table(source, kind: str, metric: str = "co2e", per: str | None = None) -> Table:
    """The source table of a figure (a :class:`Table`; see :func:`figure_data` for a DataFrame).

    Parameters
    ----------
    source : str or Path or Scenario or Comparison
        A scenario file, a parsed scenario, or a computed comparison.
    kind : {"comparison", "breakdown", "sweep", "sensitivity"}
    metric : {"energy", "co2e", "water"}
    per : {"task", "total"}, optional
        Scope: per task or over the horizon.  ``None``: both panels for a
        comparison, per task for a breakdown and a sensitivity chart; a sweep is
        always over the horizon.
    """
    kind = _check_choice("plot kind", kind, KINDS)
    metric = _check_choice("metric", metric, METRICS)
    if per is not None:
        per = _check_choice("scope (--per)", per, PER)
    c = load_comparison(source)
    if kind == "comparison":
        return _comparison_table(c, metric, per)
    if kind == "sweep":
        return _sweep_table(c, metric)
    return _TABLES[kind](c, metric, per or "task")


def figure_data(source, kind: str, metric: str = "co2e", per: str | None = None):
    """The numbers behind a figure, one row per bar, segment or point (a pandas DataFrame).

    Parameters are those of :func:`table`.  Every row names its unit; values
    are the central estimate with its ``low`` and ``high`` ends.
    """
    return table(source, kind, metric, per).to_frame()


def draw(t: Table):
    """The plotly Figure of a :class:`Table`."""
    return _FIGURES[t.kind](t)


def comparison(source, metric: str = "co2e", per: str | None = None):
    """AI variant(s) against the task done without AI, per task and over the horizon.

    Parameters
    ----------
    source : str or Path or Scenario or Comparison
    metric : {"energy", "co2e", "water"}
    per : {"task", "total"}, optional
        One panel only; both when ``None``.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> from footprint import plots
    >>> fig = plots.comparison("scenarios/city_chatbot.toml", metric="co2e")  # doctest: +SKIP
    >>> plots.write_html([fig], "chatbot.html")  # doctest: +SKIP
    """
    return draw(table(source, "comparison", metric, per))


def breakdown(source, metric: str = "co2e", per: str = "task"):
    """Stacked contributions of every line, for each AI variant and the alternative (a plotly Figure)."""
    return draw(table(source, "breakdown", metric, per))


def sweep(source, metric: str = "co2e"):
    """Footprint over the horizon against task volume, with break-even and budget (a plotly Figure)."""
    return draw(table(source, "sweep", metric))


def sensitivity(source, metric: str = "co2e", per: str = "task"):
    """Tornado chart of the inputs that move each AI variant's footprint most (a plotly Figure)."""
    return draw(table(source, "sensitivity", metric, per))


def _wrap(text: str, width: int) -> str:
    """Break `text` into lines of at most about `width` characters (plotly's ``<br>``)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "<br>".join(lines)


def _title(headline: str, subtitle: str = "") -> dict:
    """A figure title: the headline wrapped, a smaller subtitle under it."""
    text = f"<b>{_wrap(headline, 80)}</b>"
    if subtitle:
        text += "<br><sup>" + _wrap(subtitle, 130).replace("<br>", "</sup><br><sup>") + "</sup>"
    return {"text": text, "x": 0.01, "xanchor": "left", "y": 0.97, "yanchor": "top"}


def _top_margin(fig, extra: int = 0) -> int:
    """Room above the plot for the title's lines (and `extra` pixels of subplot titles or notes)."""
    text = fig.layout.title.text or ""
    return 20 + 24 * (text.count("<br>") + 1) + extra


def _style(fig):
    fig.update_layout(template="plotly_white", font={"size": 14, "family": "Arial, Helvetica, sans-serif"},
                      legend={"orientation": "v"}, hoverlabel={"align": "left"})
    if not fig.layout.height:
        fig.update_layout(height=560)
    return fig


# -- writing ---------------------------------------------------------------------------------------------

#: Recorded in the page before anything else runs: JavaScript errors go to a data attribute of <html>,
#: every drawn plot is counted, and the resources the page fetched are listed once it has loaded.
_PAGE_HOOK = """<script>
(function () {
  var root = document.documentElement;
  var errors = [];
  function record(message) {
    errors.push(String(message));
    root.setAttribute("data-js-errors", JSON.stringify(errors));
  }
  root.setAttribute("data-js-errors", "[]");
  window.addEventListener("error", function (e) { record(e.message || e.type); });
  window.addEventListener("unhandledrejection", function (e) { record("unhandled rejection: " + e.reason); });
  window.addEventListener("load", function () {
    var urls = (performance.getEntriesByType ? performance.getEntriesByType("resource") : [])
      .map(function (r) { return r.name; });
    root.setAttribute("data-resources", JSON.stringify(urls));
  });
})();
</script>"""
_DRAWN = ("var d = document.getElementById('{plot_id}'); "
          "d.setAttribute('data-drawn', String(d.querySelectorAll('g.trace').length));")
_CSS = """<style>
body { font-family: Arial, Helvetica, sans-serif; max-width: 1200px; margin: 1em auto; padding: 0 1em; color: #222; }
section { margin: 2em 0 3em; }
details { margin: 0.5em 0 0 1em; font-size: 0.85em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
footer { color: #666; font-size: 0.85em; }
</style>"""


def _html_table(rows: list) -> str:
    if not rows:
        return "<p>no data</p>"
    cols = list(rows[0])
    for r in rows:
        cols += [k for k in r if k not in cols]

    def cell(v):
        if isinstance(v, float):
            return "" if not np.isfinite(v) else f"{v:.6g}"
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{cell(r.get(c, ''))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(items, title: str, intro: str = "", heading: bool = True, config: dict | None = None) -> str:
    """A self-contained HTML page of figures (plotly's JavaScript embedded once, no network request).

    Parameters
    ----------
    items : list
        Figures, or ``(figure, Table)`` pairs (the table is shown under its figure).
    title : str
        Page title.
    intro : str
        A paragraph under the title (plain text).
    heading : bool
        Show the title as a heading (and the footer); off for a bare figure (screenshots).
    config : dict, optional
        plotly config options added to the defaults (``{"displayModeBar": False}``...).
    """
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for i, item in enumerate(items):
        fig, tab = item if isinstance(item, tuple) else (item, None)
        div = fig.to_html(full_html=False, include_plotlyjs=(i == 0), include_mathjax=False,
                          div_id=f"footprint-plot-{i + 1}", post_script=_DRAWN,
                          config={"displaylogo": False, "responsive": True, **(config or {})})
        data = ""
        if tab is not None:
            data = (f"<details><summary>Data behind this chart ({len(tab.rows)} rows, "
                    f"{html.escape(tab.kind)})</summary>{_html_table(tab.rows)}</details>")
        parts.append(f"<section class=\"figure\">{div}{data}</section>")
    try:
        made_with = f"footprint {version('footprint')}"
    except PackageNotFoundError:  # running from a source tree
        made_with = "footprint"
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n{_PAGE_HOOK}\n{_CSS}\n</head>\n<body>\n"
            + (f"<h1>{html.escape(title)}</h1>\n" if heading else "")
            + (f"<p>{html.escape(intro)}</p>\n" if intro else "")
            + "\n".join(parts)
            + (f"\n<footer>Made with {made_with}. Every figure carries the low–high range of its inputs; "
               "the data behind each chart is listed under it.</footer>" if heading else "")
            + "\n</body>\n</html>\n")


def check_output(path, label: str = "output") -> Path:
    """Refuse an output path whose directory is missing or not writable (one clear line).

    See :func:`footprint.io.check_output`.
    """
    from .io import check_output as check

    return check(path, label, "plot.html")


def write_atomic(path, data) -> Path:
    """Write text or bytes to `path` atomically (:func:`footprint.io.write_text`, :func:`footprint.io.write_bytes`).

    Nothing is left behind when writing fails; an existing file is replaced only
    by a complete one.
    """
    from . import io

    p = check_output(path)
    return io.write_bytes(p, data) if isinstance(data, (bytes, bytearray)) else io.write_text(p, data)


def write_html(items, path, title: str = "footprint", intro: str = "") -> Path:
    """Write figures to one self-contained HTML file, atomically (see :func:`page`)."""
    check_output(path)
    return write_atomic(path, page(items, title, intro))


def csv_text(rows: list) -> str:
    """Rows (dicts) as CSV text, columns in first-seen order, floats to full precision."""
    import csv
    import io

    cols: list = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if isinstance(v, float) and not np.isfinite(v) else (repr(v) if isinstance(v, float) else v))
                    for k, v in r.items()})
    return buf.getvalue()


def write_csv(t: Table, path) -> Path:
    """Write the source table of a figure as CSV, atomically."""
    return write_atomic(path, csv_text(t.rows))


def png_engine_missing() -> str | None:
    """Why a PNG cannot be written here (``None`` when kaleido is importable)."""
    import importlib.util

    if importlib.util.find_spec("kaleido") is None:
        return ("--png needs a static-image engine for plotly: install kaleido (`pip install kaleido`, which also "
                "needs a Chrome or Chromium); the HTML needs nothing")
    return None


def write_png(fig, path, width: int = 1100, height: int | None = None) -> Path:
    """Write a figure as a PNG with kaleido, atomically; a clear error when no engine is installed."""
    check_output(path)
    return write_atomic(path, png_bytes(fig, width, height))


def png_bytes(fig, width: int = 1100, height: int | None = None) -> bytes:
    """A figure as PNG bytes (kaleido); a clear error when no engine is installed or it fails."""
    reason = png_engine_missing()
    if reason:
        raise InputError(reason)
    try:
        return fig.to_image(format="png", width=width, height=height or fig.layout.height or 560, scale=2)
    except Exception as exc:  # kaleido fails with many error types (no browser, sandbox...)
        raise InputError(f"--png: kaleido could not render the figure ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else 'no message'}); nothing was written") from None


def render(source, kinds=KINDS, metric: str = "co2e", per: str | None = None) -> list:
    """Compute every requested figure of a scenario once: a list of ``(kind, Figure, Table)``."""
    metric = _check_choice("metric", metric, METRICS)
    kinds = [_check_choice("plot kind", k, KINDS) for k in kinds]
    c = load_comparison(source)
    out = []
    for kind in kinds:
        t = table(c, kind, metric, per)
        out.append((kind, draw(t), t))
    return out


__all__ = ["KINDS", "METRICS", "PER", "OKABE_ITO", "Table", "comparison", "breakdown", "sweep", "sensitivity",
           "figure_data", "table", "draw", "render", "page", "write_html", "write_csv", "write_png",
           "load_comparison", "display_unit"]
