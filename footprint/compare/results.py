"""The results of a comparison (:class:`VariantComparison`, :class:`Comparison`) and their JSON."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ..uncertainty import CENTRAL, triplet
from ..estimator import figure
from .._pint import pint
from ..units import ureg
from .plan import DEFAULT_WATER_SCOPE, PER_YEAR_UNITS, Plan
from .evaluation import SYSTEM_BASIS, break_even, totals_over_volumes
from .verdicts import DISTRIBUTION, SCOPE_TEXT, benefit_verdict, not_available_text, robustness

@dataclass
class VariantComparison:
    """One AI variant against the alternative.

    Every figure is a Quantity whose last axis holds (low, central, high).

    Attributes
    ----------
    per_task_ai, per_task_alternative : dict of Quantity
        Energy [Wh], CO2e [gCO2e], water [mL] per task.
    ratio, difference : dict of Quantity
        AI / alternative [-] and AI - alternative per task.
    total_ai, total_alternative : dict of Quantity
        Over the horizon [kWh, kgCO2e, L].
    per_year_ai, per_year_alternative : dict of Quantity
        Per year [kWh/year...].
    breakdown_ai, breakdown_alternative : dict
        ``{line: {metric: Quantity}}`` per task (inference lines per step, end-user
        device, network, human time...).
    agent_hours_saved : dict
        ``per_task`` and ``total`` [hour] (negative: the AI variant adds agent time).
    probability_ai_lower : dict of float
        Monte Carlo probability that the AI per-task figure is below the alternative's.
    break_even : dict
        Per metric: ``volume`` (Quantity, tasks per time; NaN where none) and ``status``.
    sobriety : dict
        ``budget``, ``verdict``, ``probability_exceeding``, ``basis``.
    samples : dict
        Monte Carlo draws per task (``ai``/``alternative`` -> metric -> ndarray), for plots.
    """

    name: str
    per_task_ai: dict
    per_task_alternative: dict
    ratio: dict
    difference: dict
    total_ai: dict
    total_alternative: dict
    per_year_ai: dict
    per_year_alternative: dict
    breakdown_ai: dict
    breakdown_alternative: dict
    agent_hours_saved: dict
    probability_ai_lower: dict
    break_even: dict
    sobriety: dict
    ratio_percentiles: dict
    ratio_by_boundary: dict = field(default_factory=dict)
    samples: dict = field(default_factory=dict, repr=False)
    not_available: dict = field(default_factory=dict)  # metric -> {"ai": [reasons], "alternative": [reasons]}
    line_gaps: dict = field(default_factory=dict)  # line label -> {metric: reason}
    per_year_ai_system: dict = field(default_factory=dict)  # the model's steps only (see system_lines)
    water_scope: dict = field(default_factory=dict)  # scope -> side -> Quantity [mL] per task (both scopes)
    scope: str = DEFAULT_WATER_SCOPE  # the water scope of the figures
    per_year_by_scope: dict = field(default_factory=dict)  # scope -> metric -> Quantity per year (see labels_of)
    percentiles: dict = field(default_factory=dict)  # Monte Carlo p5/p50/p95: per_task and per_year, ai/alternative
    scope_lines: dict = field(default_factory=dict)  # scope -> line labels
    scope_gaps: dict = field(default_factory=dict)  # scope -> metric -> reasons

    def to_dict(self) -> dict:
        """The JSON of one variant (keys in docs/scenarios.md)."""
        gaps = self.not_available

        def side(d, which=None, breakdown=None):
            out = {}
            for k, q in d.items():
                why = gaps.get(k, {})
                reasons = (why.get(which, []) if which else why.get("ai", []) + why.get("alternative", []))
                out[k] = not_available_figure(q, reasons, breakdown, k) if reasons else figure(q)
            return out

        return {
            "per_task": {"ai": side(self.per_task_ai, "ai", self.breakdown_ai),
                         "alternative": side(self.per_task_alternative, "alternative", self.breakdown_alternative),
                         "ratio": side(self.ratio), "difference": side(self.difference)},
            "total": {"ai": side(self.total_ai, "ai"), "alternative": side(self.total_alternative, "alternative")},
            "per_year": {"ai": side(self.per_year_ai, "ai"), "alternative": side(self.per_year_alternative, "alternative"),
                         "ai_system": {k: figure(q) for k, q in self.per_year_ai_system.items()},
                         "ai_system_basis": SYSTEM_BASIS,
                         "by_scope": {sc: {k: not_available_figure(q, self.scope_gaps[sc][k])
                                           if k in self.scope_gaps.get(sc, {}) else figure(q) for k, q in d.items()}
                                      for sc, d in self.per_year_by_scope.items() if self.scope_lines.get(sc)},
                         "scope_lines": dict(self.scope_lines), "scopes": dict(SCOPE_TEXT)},
            "break_even": {k: {"volume": _fig_or_null(v["volume"]), "status": v["status"],
                               "status_text": BREAK_EVEN_TEXT[v["status"]]}
                           for k, v in self.break_even.items()},
            "sobriety": self.sobriety_dict(),
            "percentiles": {**self.percentiles,
                            "per_task": {**self.percentiles.get("per_task", {}),
                                         "ratio": {k: dict(v) for k, v in self.ratio_percentiles.items()}}},
            "not_available": {k: {**v, "text": not_available_text(k, v)} for k, v in gaps.items()},
            "benefit": {
                "agent_hours_saved": {k: figure(q) for k, q in self.agent_hours_saved.items()},
                "probability_ai_lower": dict(self.probability_ai_lower),
                "verdict": benefit_verdict(self.probability_ai_lower["co2e"]),
                "ratio_percentiles": {k: dict(v) for k, v in self.ratio_percentiles.items()},
                "ratio_by_boundary": {k: figure(q) for k, q in self.ratio_by_boundary.items()},
                "robustness": robustness(self.ratio_by_boundary),
            },
            "water_scope": self.water_scope_dict(),
            "breakdown": {"ai": {ln: self._line_dict(ln, d) for ln, d in self.breakdown_ai.items()},
                          "alternative": {ln: self._line_dict(ln, d) for ln, d in self.breakdown_alternative.items()}},
        }

    def water_scope_dict(self) -> dict:
        """The scope of the water figures and both sides' water per task under each scope."""
        gaps = self.not_available.get("water", {})
        doc = {"scope": self.scope, "same_on_both_sides": True}
        for which in ("ai", "alternative"):
            doc[which] = {k: not_available_figure(q, gaps.get(which)) if gaps.get(which) else figure(q)
                          for k, q in self.water_scope.get(which, {}).items()}
        return doc

    def _line_dict(self, label, d) -> dict:
        gaps = self.line_gaps.get(label, {})
        return {k: not_available_figure(q, [gaps[k]]) if k in gaps else figure(q) for k, q in d.items()}

    def sobriety_dict(self) -> dict:
        s = dict(self.sobriety)
        if isinstance(s.get("budget"), pint.Quantity):
            s["budget"] = figure(ureg.Quantity(np.repeat(s["budget"].magnitude, 3), s["budget"].units))
        if isinstance(s.get("ai"), pint.Quantity):
            s["ai"] = figure(s["ai"])
        if "beside" in s:  # the scopes not judged that hold lines (an empty scope is not shown as a zero)
            s["beside"] = {sc: not_available_figure(q, self.scope_gaps[sc][self.sobriety_metric])
                           if self.sobriety_metric in self.scope_gaps.get(sc, {}) else figure(q)
                           for sc, q in s["beside"].items() if self.scope_lines.get(sc)}
        return s

    @property
    def sobriety_metric(self):
        unit = self.sobriety.get("budget")
        for k, u in PER_YEAR_UNITS.items():
            if isinstance(unit, pint.Quantity) and unit.units == ureg.Unit(u):
                return k
        return None


#: Break-even statuses in words.
BREAK_EVEN_TEXT = {
    "ai_lower_above": "AI lower above this volume",
    "ai_always_lower": "AI lower at any volume (no break-even needed)",
    "ai_never_lower": "AI higher at any volume (no break-even)",
    "not_available": "undefined: the metric is not available on one side",
}


def not_available_figure(q, reasons, breakdown=None, metric=None) -> dict:
    """The JSON of a figure that is not available: null value, the reasons, and the known lines' sum."""
    out = {"value": None, "unit": f"{q.units:~P}".replace(" ", ""), "low": None, "high": None,
           "not_available": list(reasons)}
    if breakdown:
        known = [d[metric] for d in breakdown.values() if np.all(np.isfinite(np.asarray(d[metric].magnitude)))]
        if known:
            total = known[0]
            for x in known[1:]:
                total = total + x
            out["known_lines"] = figure(total.to(q.units))
    return out


def _fig_or_null(q):
    arr = np.asarray(q.magnitude, dtype=float)
    if np.all(np.isnan(arr)):
        return None
    low, value, high = np.nanmin(arr), arr[..., CENTRAL], np.nanmax(arr)
    return {"value": None if np.isnan(value) else float(value), "unit": f"{q.units:~P}".replace(" ", ""),
            "low": float(low), "high": float(high)}


@dataclass
class Comparison:
    """Result of :func:`compare_scenario`: one :class:`VariantComparison` per AI variant."""

    plan: Plan
    variants: dict
    samples: int
    seed: object

    @property
    def primary(self) -> VariantComparison:
        return next(iter(self.variants.values()))

    def sweep(self, volumes, variant=None) -> dict:
        """Totals over the horizon at each task volume (see :func:`totals_over_volumes`)."""
        return totals_over_volumes(self.plan, volumes, variant)

    def to_dict(self) -> dict:
        """The JSON document of ``footprint compare --json`` (keys in docs/scenarios.md).

        The top-level keys describe the first (primary) variant; every variant,
        the primary included, is under ``variants``.
        """
        s = self.plan.scenario
        first = self.primary.to_dict()
        vol_unit = s.task.volume_unit
        doc = {
            "scenario": {"name": s.name, "file": s.path, "description": s.description,
                         "task": s.task.unit,
                         "volume": figure(ureg.Quantity(triplet(s.task.volume, f"1/{vol_unit}"), f"task/{vol_unit}")),
                         "volume_source": s.task.source, "horizon": f"{s.task.horizon.to('year').magnitude:g} year",
                         "human_time_boundary": self.plan.boundary, "device": s.human_time.device,
                         "zone": s.human_time.zone},
            "variant": self.primary.name,
            "per_task": first["per_task"],
            "total": first["total"],
            "per_year": first["per_year"],
            "break_even": first["break_even"],
            "sobriety": first["sobriety"],
            "percentiles": first["percentiles"],
            "benefit": {**first["benefit"], **{k: v for k, v in s.benefit}},
            "breakdown": first["breakdown"],
            "variants": {name: vc.to_dict() for name, vc in self.variants.items()},
            "monte_carlo": {"samples": self.samples, "seed": self.seed, "distribution": DISTRIBUTION},
            "assumptions": [a.as_dict() for a in self.plan.assumptions],
            "notes": list(self.plan.notes) + list(s.notes),
        }
        return _pretty_units(doc)


def _pretty_units(x):
    """Spell pint's short year and day ("kWh/a", "task/d") as "kWh/year", "task/day" (still pint-parsable)."""
    import re

    if isinstance(x, dict):
        return {k: (re.sub(r"(?<![A-Za-z_])d(?![A-Za-z_])", "day", re.sub(r"(?<![A-Za-z_])a(?![A-Za-z_])", "year", v))
                    if k == "unit" and isinstance(v, str) else _pretty_units(v)) for k, v in x.items()}
    if isinstance(x, list):
        return [_pretty_units(v) for v in x]
    return x
