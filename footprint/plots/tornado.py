"""The sensitivity (tornado) engine: each ranged input from its low to its high end, the others central.

Evaluated in one vectorised call of the comparison engine (itself :func:`footprint.estimator.compute` on arrays)."""

from __future__ import annotations

import numpy as np

from .._pint import pint
from ..uncertainty import Range
from ..units import ureg
from .data import Table, INTERNAL_UNITS, label_number, magnitudes_in, display_unit


#: Inputs shown in a tornado chart (the ones that move the result most).
TORNADO_INPUTS = 12


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
    from .. import alternatives
    from ..inputs import people_label
    from ..montecarlo import GROUPS, stream_key

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


def sensitivity_table(c, metric: str, per: str = "task", top: int = TORNADO_INPUTS) -> Table:
    from ..compare import sum_lines, evaluate_variant

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
        result = sum_lines(lines, metric)
        if per == "total":
            result = result * volume * H
        q = ureg.Quantity(result, INTERNAL_UNITS[metric])
        unit = display_unit(metric, float(result[0]))
        units[name] = unit
        arr = magnitudes_in(q, unit)
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
                return f"{label_number(v)} {unit}{'s' if v != 1 else ''}"
    elif dim == (1 / ureg.s).dimensionality:
        per = "year" if float(np.asarray(q.m_as("1/day"))) < 1 else "day"
        return f"{label_number(float(np.asarray(q.m_as(f'1/{per}'))))} per {per}"
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
    return f"{label_number(m)} {q.units:~P}".strip()
