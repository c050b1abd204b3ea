"""Evaluating a plan on the case axis or on the samples: the lines per task, their sums, totals over volumes, the break-even."""

from __future__ import annotations

import numpy as np
from ..uncertainty import CENTRAL, central, triplet
from ..estimator import INPUTS, LINES, METRICS, OPTIONAL, PER_REQUEST_UNITS, TOTAL_UNITS, compute, to_magnitudes
from ..errors import InputError
from ..units import INTERNAL_UNITS as _INTERNAL, ureg
from .. import alternatives
from .._pint import pint
from .plan import Plan, VariantPlan

class Cases:
    """Inputs on the (low, central, high) case axis (interval propagation)."""

    n = 3

    def __call__(self, x, unit, increasing=True, key=None):
        return triplet(x, unit, increasing)

    def volume(self, x, increasing):
        return triplet(x, "1/s", increasing)


def _magnitudes(resolved, draw, scope: str) -> dict:
    if isinstance(draw, Cases):
        return to_magnitudes(resolved.values)
    from ..montecarlo import GROUPS, stream_key

    prov = getattr(resolved, "provenance", None) or {}
    m = {}
    for name, (unit, _) in INPUTS.items():
        v = resolved.values.get(name)
        if v is None:
            if name not in OPTIONAL:
                raise KeyError(f"input '{name}' was not resolved")
            m[name] = np.full(draw.n, np.nan)
        else:
            stream = GROUPS.get(name, name)
            m[name] = draw(v, unit, key=stream_key(prov.get(stream), scope, stream))
    return m


def evaluate_variant(plan: Plan, vp: VariantPlan, volume, draw, horizon_s: float) -> dict:
    """Per-task lines of one AI variant at task volume(s) `volume` [1/s] (pure, vectorised).

    Parameters
    ----------
    plan : Plan
    vp : VariantPlan
    volume : ndarray
        Tasks per second, broadcastable against the draw axis (a leading axis sweeps volumes).
    draw : Cases or Sampler
    horizon_s : float
        Horizon [s] (the training share is spread over the requests of the horizon).

    Returns
    -------
    dict
        ``{line label: {metric: ndarray}}`` per task, in J, kg and L.
    """
    out = {}
    for st in vp.steps:
        scope = f"{vp.name}.{st.name}"
        m = _magnitudes(st.resolved, draw, scope)
        per_task = draw(st.per_task, "request", key=f"given:{scope}:per_task")
        rate = volume * per_task
        m["request_rate"] = rate
        if st.training_share is not None:
            m["amortisation_requests"] = rate * horizon_s / draw(st.training_share, "",
                                                                 key=f"given:{scope}:training_share")
        raw = compute(m)
        for line in LINES:
            out[f"{st.name}: {line}"] = {k: raw[f"{k}.{line}"] * per_task for k in METRICS}
    for ln in vp.lines:
        out[ln.label] = dict(zip(alternatives.METRICS, alternatives.line_values(ln, draw)))
    return out


def water_scopes(plan: Plan, vp: VariantPlan | None, volume, horizon_s: float) -> dict:
    """Water per task [L] of one side under both scopes, on the case axis: ``{"onsite": a, "onsite+electricity": b}``.

    `vp` None gives the side without AI.
    """
    cases = Cases()
    out = {"onsite": 0.0, "onsite+electricity": 0.0}
    for st in (vp.steps if vp is not None else ()):
        m = _magnitudes(st.resolved, cases, f"{vp.name}.{st.name}")
        per_task = cases(st.per_task, "request")
        m["request_rate"] = volume * per_task
        if st.training_share is not None:
            m["amortisation_requests"] = m["request_rate"] * horizon_s / cases(st.training_share, "")
        raw = compute(m)
        out["onsite"] = out["onsite"] + raw["water_onsite"] * per_task
        out["onsite+electricity"] = out["onsite+electricity"] + raw["water_with_electricity"] * per_task
    for ln in (vp.lines if vp is not None else plan.alternative):
        w = alternatives.water_by_scope(ln, cases)
        out = {k: out[k] + w[k] for k in out}
    return {k: np.broadcast_to(np.asarray(v, dtype=float), (3,)) for k, v in out.items()}


def evaluate_lines(lines, draw) -> dict:
    """Per-task lines of the alternative (or any list of library lines)."""
    return {ln.label: dict(zip(alternatives.METRICS, alternatives.line_values(ln, draw))) for ln in lines}


def sum_lines(lines: dict, metric: str):
    total = 0.0
    for d in lines.values():
        total = total + d[metric]
    return np.asarray(total, dtype=float)


def agent_hours(lines_plan, draw):
    """Agent working time per task [h] of a list of lines."""
    total = 0.0
    for ln in lines_plan:
        if ln.agent:
            total = total + draw(ln.quantity, "hour", key=ln.keys.get("quantity"))
    return np.asarray(total, dtype=float)


def as_quantity(arr, metric, unit):
    return ureg.Quantity(np.asarray(arr, dtype=float), _INTERNAL[metric]).to(unit)


def mc_percentiles(ai_samp, alt_samp, v_samp, year) -> dict:
    """Monte Carlo p5/p50/p95 of both sides, per task and per year, in the units of the figures."""
    out = {"per_task": {}, "per_year": {}}
    for side, d in (("ai", ai_samp), ("alternative", alt_samp)):
        out["per_task"][side] = {k: {**percentiles_of(as_quantity(d[k], k, PER_REQUEST_UNITS[k]).magnitude),
                                     "unit": PER_REQUEST_UNITS[k]} for k in d}
        out["per_year"][side] = {k: {**percentiles_of(as_quantity(d[k] * v_samp * year, k, TOTAL_UNITS[k]).magnitude),
                                     "unit": f"{TOTAL_UNITS[k]}/year"} for k in d}
    return out


def percentiles_of(x) -> dict:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return {"p5": None, "p50": None, "p95": None}
    p = np.percentile(x, [5, 50, 95])
    return {"p5": float(p[0]), "p50": float(p[1]), "p95": float(p[2])}


def quotient(a, b):
    """a / b, NaN where b is 0 (a ratio to an alternative that has no such footprint is undefined)."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    out = np.full(a.shape, np.nan)
    np.divide(a, b, out=out, where=b != 0)
    return out


def gaps_of(lines, metric) -> list:
    """``label: reason`` of every line of a side whose `metric` is not available."""
    return [f"{ln.label}: {ln.not_available[metric]}" for ln in lines if metric in ln.not_available]


#: What the AI system's yearly figure holds, in words (the JSON's ``per_year.ai_system_basis``).
SYSTEM_BASIS = ("the AI system only: inference (GPU, idle, host, PUE overhead), the training share and the embodied "
                "hardware of the model's steps; not the users' devices and networks, human time or the task's "
                "other activities, which the 'ai' side also counts")


def system_lines(vp, lines: dict) -> dict:
    """The lines of an AI variant that belong to the AI system: its model steps' lines (not devices, networks,
    human time or other activities)."""
    prefixes = tuple(f"{st.name}: " for st in vp.steps)
    return {k: d for k, d in lines.items() if k.startswith(prefixes) and k.split(": ", 1)[1] in LINES}


def hours_saved(alt, ai):
    alt = np.broadcast_to(np.asarray(alt, dtype=float), (3,)) if np.ndim(alt) == 0 else np.asarray(alt)
    ai = np.broadcast_to(np.asarray(ai, dtype=float), (3,)) if np.ndim(ai) == 0 else np.asarray(ai)
    return np.stack([alt.min(-1) - ai.max(-1), alt[..., CENTRAL] - ai[..., CENTRAL], alt.max(-1) - ai.min(-1)], axis=-1)


def ratio_interval(ai, alt):
    """AI / alternative: (low_ai / high_alt, central / central, high_ai / low_alt)."""
    ai, alt = np.asarray(ai, dtype=float), np.asarray(alt, dtype=float)
    return np.stack([quotient(ai.min(-1), alt.max(-1)), quotient(ai[..., CENTRAL], alt[..., CENTRAL]),
                     quotient(ai.max(-1), alt.min(-1))], axis=-1)


#: The scopes of an AI variant's yearly figure, in the order shown.
SCOPE_ORDER = ("body", "users", "human_time")


def labels_of(vp, lines: dict, scope: str) -> dict:
    """The lines of an AI variant in `scope`: ``body`` holds the model's steps and the activities the body bears."""
    own = dict(vp.scopes)
    out = {k: d for k, d in lines.items() if own.get(k) == scope}
    if scope == "body":
        out = {**system_lines(vp, lines), **out}
    return out


def totals_over_volumes(plan: Plan, volumes, variant=None) -> dict:
    """AI and alternative totals over the horizon for an array of task volumes.

    Parameters
    ----------
    plan : Plan
        From :func:`prepare` (or ``Comparison.plan``).
    volumes : Quantity
        Task volumes [tasks per time], any shape ``(n,)``.
    variant : str, optional
        AI variant (the first one by default).

    Returns
    -------
    dict
        ``{"ai": {metric: Quantity (n, 3)}, "alternative": {...}, "volume": Quantity (n,)}``,
        totals over the horizon in kWh, kgCO2e and L (case axis last).
    """
    vp = plan.variant(variant)
    v = np.asarray(volumes.m_as("1/s") if isinstance(volumes, pint.Quantity) else volumes, dtype=float)
    if np.any(v < 0):
        raise InputError("volumes: must be zero or more tasks per time")
    H = float(plan.horizon.m_as("s"))
    cases = Cases()
    vol = v[..., None]
    ai = evaluate_variant(plan, vp, np.maximum(vol, 1e-30), cases, H)
    alt = evaluate_lines(plan.alternative, cases)
    res = {"ai": {}, "alternative": {}, "volume": ureg.Quantity(v, "1/s")}
    for k in METRICS:
        res["ai"][k] = as_quantity(sum_lines(ai, k) * vol * H, k, TOTAL_UNITS[k])
        res["alternative"][k] = as_quantity(np.broadcast_to(sum_lines(alt, k), (3,)) * vol * H, k, TOTAL_UNITS[k])
    return res


def break_even(plan: Plan, vp: VariantPlan, alt_task: dict, decades: float = 6.0, points: int = 241) -> dict:
    """Task volume above which the AI variant's total is below the alternative's.

    The totals are evaluated on a geometric grid of volumes, ``10**-decades`` to
    ``10**decades`` times the scenario's central volume, and the crossing is
    interpolated linearly between the grid points that bracket it.

    Returns
    -------
    dict
        Per metric: ``volume`` (Quantity, tasks per the scenario's time unit, case
        axis; NaN where there is no crossing) and ``status``: ``ai_lower_above``
        (a break-even exists), ``ai_always_lower`` or ``ai_never_lower`` (over the
        grid, for the central case).
    """
    s = plan.scenario
    v0 = float(np.asarray(central(plan.volume).m_as("1/s")))
    grid = v0 * np.logspace(-decades, decades, points)
    H = float(plan.horizon.m_as("s"))
    cases = Cases()
    ai = evaluate_variant(plan, vp, grid[:, None], cases, H)
    unit = f"1/{s.task.volume_unit}"
    out = {}
    for k in METRICS:
        ai_tot = sum_lines(ai, k) * grid[:, None] * H
        alt_tot = np.broadcast_to(alt_task[k], (3,)) * grid[:, None] * H
        diff = ai_tot - alt_tot  # (points, 3)
        crossing = np.full(3, np.nan)
        status = []
        for c in range(3):
            d = diff[:, c]
            if np.any(np.isnan(d)):  # a line of either side has no such figure: no break-even to speak of
                status.append("not_available")
                continue
            if np.all(d <= 0):
                status.append("ai_always_lower")
                crossing[c] = 0.0
                continue
            if d[-1] > 0:
                status.append("ai_never_lower")
                continue
            i = int(np.nonzero(d > 0)[0][-1])  # last grid point where AI is higher
            x0, x1, d0, d1 = grid[i], grid[i + 1], d[i], d[i + 1]
            crossing[c] = x0 + (x1 - x0) * d0 / (d0 - d1)
            status.append("ai_lower_above")
        out[k] = {"volume": ureg.Quantity(crossing, "1/s").to(unit) * ureg.task, "status": status[CENTRAL],
                  "status_by_case": status}
    return out
