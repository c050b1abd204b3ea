"""The table of numbers behind each figure: comparison, breakdown, sweep, sensitivity."""

from __future__ import annotations

import numpy as np

from ..uncertainty import triplet
from ..units import ureg
from ..formatting import duration_text
from .data import ALTERNATIVE_LABEL, CATEGORIES, KINDS, LOG_AXIS_SPAN, METRICS, PER, SWEEP_POINTS, Table, INTERNAL_UNITS, check_choice, label_number, magnitudes_in, low_central_high, variant_label, display_unit, load_comparison, unit_text
from .tornado import sensitivity_table


def _proxies(c) -> list:
    """Inputs of the comparison that rest on a proxy (a factor another key stands in for), for people."""
    return [a.name for a in c.plan.assumptions if str(a.source).startswith("proxy")]


def _comparison_table(c, metric: str, per=None) -> Table:
    from ..compare import PER_REQUEST_UNITS, TOTAL_UNITS

    s = c.plan.scenario
    scopes = ("task", "total") if per is None else (per,)
    rows = []
    meta = {"scopes": scopes, "units": {}, "log": {}, "scenario": s, "proxies": _proxies(c)}
    for scope in scopes:
        ai_key, alt_key, unit_in = (("per_task_ai", "per_task_alternative", PER_REQUEST_UNITS[metric]) if scope == "task"
                                    else ("total_ai", "total_alternative", TOTAL_UNITS[metric]))
        sides = [(name, "ai", getattr(vc, ai_key)[metric], vc) for name, vc in c.variants.items()]
        sides.append((None, "alternative", getattr(c.primary, alt_key)[metric], None))
        largest = max(low_central_high(magnitudes_in(q, INTERNAL_UNITS[metric]))[1] for _, _, q, _ in sides)
        unit = display_unit(metric, largest)
        meta["units"][scope] = unit
        centrals = []
        for name, side, q, vc in sides:
            low, value, high = low_central_high(magnitudes_in(q, unit))
            row = {"panel": "per task" if scope == "task" else f"over {duration_text(s.task.horizon)}",
                   "scope": scope, "side": side, "variant": name or "", "label": variant_label(name) if name else
                   ALTERNATIVE_LABEL, "metric": metric, "unit": unit, "value": value, "low": low, "high": high,
                   "unit_in_compare": unit_in}
            if vc is not None:
                r_low, r_value, r_high = low_central_high(vc.ratio[metric].m_as(""))
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


def ratio_text(row) -> str:
    r, lo, hi = row["ratio"], row["ratio_low"], row["ratio_high"]
    if not np.isfinite(r):
        return "AI / without AI: n/a"
    text = f"<b>{label_number(r)} × without AI</b>"
    if np.isfinite(lo) and np.isfinite(hi) and (lo != r or hi != r):
        text += f"<br>({label_number(lo)}–{label_number(hi)})"
    p = row.get("probability_ai_lower")
    if p is not None and np.isfinite(p):
        text += f"<br>P(lower) {p:.0%}"
    return text


def _line_category(line_plan) -> str:
    """Category of an extra AI line or an alternative line (see :data:`CATEGORIES`)."""
    from .. import alternatives

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
    from ..compare import PER_REQUEST_UNITS

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
    largest = max(float(magnitudes_in(task_q, INTERNAL_UNITS[metric])[1]) * scale for *_, task_q, _ in sides)
    unit = display_unit(metric, largest)
    rows = []
    for name, side, lines, by_label, task_q, total_q in sides:
        label = variant_label(name) if name else ALTERNATIVE_LABEL
        for line, figs in lines.items():
            if line in by_label:
                cat = _line_category(by_label[line])
            else:  # "<step>: <estimator line>"
                cat = line.rsplit(": ", 1)[-1]
            per_task = ureg.Quantity(np.asarray(figs[metric].magnitude, dtype=float), figs[metric].units)
            low, value, high = low_central_high(magnitudes_in(per_task, unit))
            if per == "total":
                low, value, high = low * tasks, value * tasks, high * tasks
            rows.append({"bar": label, "side": side, "variant": name or "", "line": line, "category": cat,
                         "category_label": CATEGORIES[cat][0] if cat in CATEGORIES else cat.split(":", 1)[1],
                         "metric": metric, "per": per, "unit": unit, "value": value, "low": low, "high": high,
                         "unit_in_compare": PER_REQUEST_UNITS[metric]})
        # the bar's own range (the sum of the lines' ends is wider than the total's range)
        t_low, t_value, t_high = low_central_high(magnitudes_in(task_q if per == "task" else total_q, unit))
        rows.append({"bar": label, "side": side, "variant": name or "", "line": "total", "category": "total",
                     "category_label": "total", "metric": metric, "per": per, "unit": unit, "value": t_value,
                     "low": t_low, "high": t_high, "unit_in_compare": PER_REQUEST_UNITS[metric]})
    meta = {"scenario": s, "unit": unit, "per": per, "tasks": tasks, "proxies": _proxies(c)}
    return Table("breakdown", metric, rows, meta)


def _sweep_table(c, metric: str, points: int = SWEEP_POINTS) -> Table:
    from ..compare import TOTAL_UNITS, totals_over_volumes

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
    largest = max(float(magnitudes_in(q, INTERNAL_UNITS[metric])[at_mid].max()) for q in curves.values())
    unit = display_unit(metric, largest)
    rows = []
    for name, q in curves.items():
        arr = magnitudes_in(q, unit)
        label = variant_label(name) if name else ALTERNATIVE_LABEL
        for i, v in enumerate(grid):
            low, value, high = low_central_high(arr[i])
            rows.append({"series": label, "variant": name or "", "kind": "total", "volume": float(v),
                         "volume_unit": f"task/{vu}", "volume_low": np.nan, "volume_high": np.nan,
                         "metric": metric, "unit": unit, "value": value, "low": low, "high": high,
                         "unit_in_compare": TOTAL_UNITS[metric]})
    for name, (status, arr) in be.items():
        if status != "ai_lower_above" or not np.isfinite(arr[1]):
            continue
        i = int(np.argmin(np.abs(grid - arr[1])))
        low, value, high = low_central_high(magnitudes_in(curves[None], unit)[i])
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
        year_unit = display_unit(metric, float(one_year.m_as(INTERNAL_UNITS[metric])))
        over = float((sob.budget * plan.horizon).to(unit).magnitude)
        label = (f"Sobriety budget: {label_number(float(one_year.m_as(year_unit)))} {unit_text(year_unit)} per year "
                 f"× {duration_text(s.task.horizon)}")
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
        alt = magnitudes_in(curves[None], unit)
        label = f"Sobriety cap: AI ≤ {label_number(cap)} × without AI"
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


_TABLES = {"comparison": _comparison_table, "breakdown": _breakdown_table, "sweep": _sweep_table,
           "sensitivity": sensitivity_table}


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
    kind = check_choice("plot kind", kind, KINDS)
    metric = check_choice("metric", metric, METRICS)
    if per is not None:
        per = check_choice("scope (--per)", per, PER)
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
