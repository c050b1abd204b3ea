"""AI versus the same task done without AI: per task, over the horizon, break-even, verdicts.

The AI side of every variant is the estimator's own model: each step of a
variant is resolved by :func:`footprint.resolve.resolve` and evaluated by
:func:`footprint.estimator.compute` (nothing of the inference maths is copied
here).  Extra AI lines (end-user device, network) and the whole non-AI side are
quantities x sourced factors of the alternatives library
(:mod:`footprint.alternatives`).

Two evaluations share the same code path:

* **cases**: every input on the trailing (low, central, high) axis of
  :mod:`footprint.uncertainty` (interval propagation), which gives the figures
  and their ranges;
* **samples**: every ranged input drawn ``samples`` times (seedable,
  ``numpy.random.default_rng(seed)``), with ``compute`` called once per step on
  arrays with a trailing sample axis, which gives the probabilities (AI emits
  less; the budget is exceeded) and percentiles.

Sampling distribution: triangular between the range's low and high with the
central value as its mode; for a range whose high/low exceeds 10 the triangle is
drawn on the logarithm (log-triangular), so that each decade weighs alike.  A
factor that appears twice with the same range (e.g. the French grid on the AI
and the alternative side) takes the same draw: it is uncertain once.  Inputs are
otherwise independent.

Break-even: the AI side may carry fixed costs over the horizon (a share of the
training, a dedicated endpoint powered all period, its embodied hardware) that
the alternative does not; totals are evaluated on a geometric grid of task
volumes (one vectorised ``compute`` call) and the volume where the AI total
crosses the alternative's is interpolated linearly (exact when the totals are
affine in the volume).

References
----------
.. [1] ISO/IEC 21031:2024 Software Carbon Intensity (SCI) specification (functional unit).
.. [2] Luccioni, Strubell, Crawford (2025). From efficiency gains to rebound effects:
   the problem of Jevons' paradox in AI's polarized environmental debate. arXiv 2501.16548.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ._pint import pint

from . import alternatives
from .errors import InputError
from .estimator import (INPUTS, LINES, METRICS, OPTIONAL, PER_REQUEST_UNITS, TOTAL_UNITS, compute, figure,
                        to_magnitudes)
from .uncertainty import CENTRAL, Range, central, triplet
from .montecarlo import Sampler
from .units import INTERNAL_UNITS as _INTERNAL, ureg

PER_YEAR_UNITS = {k: f"{u}/year" for k, u in TOTAL_UNITS.items()}
#: Water scopes of a comparison (the same on both sides), and the default.
WATER_SCOPES = ("onsite", "onsite+electricity")
DEFAULT_WATER_SCOPE = "onsite+electricity"
DEFAULT_SAMPLES = 2000
DEFAULT_SEED = 0
DISTRIBUTION = ("triangular(low, central, high); log-triangular when high/low > 10; identical sourced ranges "
                "share one draw; inputs otherwise independent")


# -- resolving a scenario -------------------------------------------------------------------------

@dataclass(frozen=True)
class StepPlan:
    """A resolved step: `per_task` requests of an estimator call per task."""

    name: str
    per_task: object  # Quantity or Range [request]
    resolved: object  # footprint.resolve.Resolved
    training_share: object = None  # Quantity or Range, when the training is charged as a share


@dataclass(frozen=True)
class VariantPlan:
    name: str
    description: str
    steps: tuple
    lines: tuple  # alternatives.Line: extra AI lines and human time
    agent_time: object  # [hour]
    scopes: tuple = ()  # (line label, scope): body | users | outside | human_time, for the extra lines


@dataclass(frozen=True)
class Plan:
    """Everything resolved, ready for the vectorised evaluation."""

    scenario: object
    variants: tuple
    alternative: tuple  # alternatives.Line
    alternative_agent_time: object
    volume: object  # Quantity or Range [1/s]
    horizon: object  # Quantity [s]
    boundary: str
    assumptions: tuple = ()
    notes: tuple = ()
    water_scope: str = DEFAULT_WATER_SCOPE

    def variant(self, name=None) -> VariantPlan:
        if name is None:
            return self.variants[0]
        for v in self.variants:
            if v.name == name:
                return v
        from .errors import unknown_name
        raise unknown_name("AI variant", name, [v.name for v in self.variants])


def _scale(x, k):
    """x * k for Quantities and Ranges (k a Quantity or Range)."""
    if isinstance(x, Range) or isinstance(k, Range):
        lo = lambda y: y.low if isinstance(y, Range) else y  # noqa: E731
        hi = lambda y: y.high if isinstance(y, Range) else y  # noqa: E731
        return Range(lo(x) * lo(k), hi(x) * hi(k), central(x) * central(k))
    return x * k


def _zone_electricity(zone: str):
    """Carbon and water intensity of a zone's electricity, their references and Monte Carlo streams."""
    from . import factors
    from .montecarlo import factor_key

    gi = factors.get("grid", zone, "carbon_intensity")
    wi = factors.get("grid", zone, "water_intensity") or factors.get("grid", "WOR", "water_intensity")
    keys = (factor_key("grid", gi.key[0], "carbon_intensity"), factor_key("grid", wi.key[0], "water_intensity"))
    return gi.quantity.to("kg/J"), wi.quantity.to("L/J"), (gi.ref, wi.ref), keys


def zone_resources(zone: str) -> dict:
    """ADPe [kg/J] and primary energy [J/J] of a zone's electricity: ``{metric: (value, factor, key, proxy)}``.

    A zone without its own factor takes the world proxy row, flagged (``proxy`` True).
    """
    from . import factors
    from .montecarlo import factor_key

    out = {}
    for metric, parameter, unit in (("adpe", "adpe_intensity", "kg/J"),
                                    ("primary_energy", "primary_energy_intensity", "")):
        row = factors.get("grid", zone, parameter)
        proxy = row is None
        row = row or factors.get("grid", "WOR", parameter)
        out[metric] = (row.quantity.to(unit), row, factor_key("grid", row.key[0], parameter), proxy)
    return out


def _water_scope(scenario, water_scope: str | None) -> tuple:
    """The comparison's water scope (given, else the steps' own when they all agree, else the default) and notes."""
    if water_scope is not None and water_scope not in WATER_SCOPES:
        from .errors import unknown_name
        raise unknown_name("water scope", water_scope, WATER_SCOPES)
    steps = {st.kwargs.get("water_scope") for v in scenario.variants for st in v.steps} - {None}
    scope = water_scope or (steps.pop() if len(steps) == 1 else DEFAULT_WATER_SCOPE)
    words = {"onsite": "on-site water only (a data centre's cooling water; an activity's electricity has none of its "
                       "own)",
             "onsite+electricity": "on-site water and the water consumed to generate the electricity, on both sides "
                                   "(the AI's data centre and every device, office or network's electricity)"}
    notes = [f"water scope: {scope}, the same on both sides: {words[scope]}; JSON water_scope gives both scopes"]
    overridden = sorted(s for s in {st.kwargs.get("water_scope") for v in scenario.variants for st in v.steps}
                        if s is not None and s != scope)
    if overridden:
        notes.append(f"a step's water_scope ({', '.join(overridden)}) is replaced by the comparison's ({scope}): both "
                     "sides must count water alike")
    return scope, notes


def prepare(scenario, human_time: str | None = None, *, steps_of: Plan | None = None,
            water_scope: str | None = None) -> Plan:
    """Resolve every input of a scenario (AI steps through ``resolve``, lines from the library).

    Parameters
    ----------
    scenario : footprint.scenario.Scenario
    human_time : str, optional
        Override the human-time boundary of the scenario (``device``,
        ``device+office``, ``per_capita_fr``, ``per_capita_us``).
    steps_of : Plan, optional
        A plan of the same scenario whose resolved AI steps are reused (only the
        human-time lines depend on the boundary): the steps are not resolved again.
    water_scope : {"onsite", "onsite+electricity"}, optional
        Water counted on both sides (default: the steps' own when they agree, else
        ``onsite+electricity``).

    Raises
    ------
    InputError
        One line naming the file and the variant or step at fault.
    """
    s = scenario
    boundary = _boundary_of(s, human_time)
    gi, wi, refs, elec_keys = _zone_electricity(s.human_time.zone)
    assumptions = _scenario_assumptions(s, human_time, gi, wi, refs)
    scope, notes = _water_scope(s, steps_of.water_scope if steps_of is not None else water_scope)
    elec = _activity_electricity(s, gi, wi, elec_keys, scope, assumptions, notes)
    variants = [_variant_plan(s, i_variant, v, steps_of, scope, boundary, elec, assumptions, notes)
                for i_variant, v in enumerate(s.variants)]
    alt = _activity_lines(s, s.alternative.activities, s.alternative.agent_time, "alternative", boundary, elec,
                          assumptions, notes)
    notes += carrier_notes([*alt, *(ln for v in variants for ln in v.lines)])
    if boundary in alternatives.PER_CAPITA:
        notes.append(f"human time under the per-capita boundary ({boundary}): a person's whole annual footprint is "
                     "charged to the hours of the task (Tomlinson et al. 2024); the person emits about the same "
                     "whether or not they do the task, so this is not the footprint avoided; energy and water keep "
                     "the device's use phase, ADPe and primary energy the device's use phase and manufacture (as "
                     "the AI side counts its hardware's)")
    return Plan(scenario=s, variants=tuple(variants), alternative=alt,
                alternative_agent_time=s.alternative.agent_time, volume=s.task.volume, horizon=s.task.horizon,
                boundary=boundary, assumptions=tuple(assumptions), notes=tuple(dict.fromkeys(notes)),
                water_scope=scope)


def _boundary_of(s, human_time: str | None) -> str:
    """The human-time boundary: the override, else the scenario's (refused when unknown)."""
    boundary = human_time or s.human_time.boundary
    if boundary not in alternatives.BOUNDARIES:
        from .errors import unknown_name
        raise unknown_name("human-time boundary", boundary, alternatives.BOUNDARIES)
    return boundary


def _scenario_assumptions(s, human_time, gi, wi, refs) -> list:
    """The scenario's own inputs, a boundary override and the human-time zone's electricity, as assumptions."""
    from .resolve import Assumption

    assumptions = [Assumption(i.name, i.value, i.source, i.status) for i in s.inputs]
    if human_time and human_time != s.human_time.boundary:
        assumptions.append(Assumption("human_time.boundary (override)", human_time, "given", "given"))
    assumptions += [Assumption(f"human_time.grid_intensity ({s.human_time.zone})", gi.to("gCO2e/kWh") if not isinstance(gi, Range) else gi.to("gCO2e/kWh"), f"default: {refs[0]}", "published"),
                    Assumption(f"human_time.water_intensity ({s.human_time.zone})", wi.to("L/kWh"), f"default: {refs[1]}", "estimate")]
    return assumptions


def _activity_electricity(s, gi, wi, elec_keys, scope, assumptions, notes) -> dict:
    """The electricity of the non-AI activities (the human-time zone's), as keywords of ``alternatives.line``."""
    from .resolve import Assumption

    resources = zone_resources(s.human_time.zone)
    for metric, (value, row, _, proxy) in resources.items():
        assumptions.append(Assumption(f"human_time.{metric}_intensity ({s.human_time.zone})", row.quantity,
                                      f"{'proxy' if proxy else 'default'}: {row.ref}", row.status))
        if proxy:
            notes.append(f"no {metric} factor of electricity for zone {s.human_time.zone}: the world proxy (median of "
                         "national values) is used for the activities' electricity")
    return dict(grid_intensity=gi, water_intensity=wi, grid_key=elec_keys[0], water_key=elec_keys[1],
                adpe_intensity=resources["adpe"][0], primary_energy_intensity=resources["primary_energy"][0],
                adpe_key=resources["adpe"][2], primary_energy_key=resources["primary_energy"][2],
                water_offsite=float(scope == "onsite+electricity"))


def _activity_lines(s, uses, agent_time, side, boundary, elec, assumptions, notes, scopes=None) -> tuple:
    """The lines of one side's activities and agent time, their factors appended to `assumptions`."""
    from .resolve import Assumption

    out = []
    for a in uses:
        if scopes is not None:
            scopes.append((a.label, a.scope))
        out.append(alternatives.line(a.activity, a.quantity, label=a.label, where=f"{s.path}: {side}",
                                     quantity_key=f"given:{side}:{a.label}", **elec))  # no path in a stream
        act = alternatives.activity(a.activity)
        for r in act.rows:
            assumptions.append(Assumption(f"{side}.{a.label} factor", r.quantity, f"default: {r.ref}", r.status))
        if act.includes_user_device and central(agent_time).m_as("hour") > 0:
            notes.append(f"{side}: '{a.activity}' includes the user's device time and {side} also counts agent "
                         f"time on a device; use a *_network_dc activity to avoid counting the device twice")
    if central(agent_time).m_as("hour") > 0 or isinstance(agent_time, Range):
        hl = alternatives.human_time_lines(agent_time, device=s.human_time.device, boundary=boundary,
                                           where=f"{s.path}: {side} agent_time",
                                           quantity_key=f"given:{side}:agent_time", **elec)
        for ln in hl:
            if scopes is not None:
                scopes.append((ln.label, "human_time"))
            for r in alternatives.activity(ln.activity).rows:
                assumptions.append(Assumption(f"{side}.{ln.label} factor", r.quantity, f"default: {r.ref}", r.status))
        out += hl
    return tuple(out)


def _variant_plan(s, i_variant, v, steps_of, scope, boundary, elec, assumptions, notes) -> VariantPlan:
    """One AI variant: its steps resolved (or reused from `steps_of`) and its activity lines."""
    from .resolve import Assumption, resolve

    steps = []
    for i_step, st in enumerate(v.steps):
        if steps_of is not None:  # the same scenario under another boundary: its steps as resolved
            r = steps_of.variants[i_variant].steps[i_step].resolved
            for a in r.assumptions:
                assumptions.append(Assumption(f"ai.{v.name}.{st.name}.{a.name.lstrip('-')}", a.value, a.source,
                                              a.status))
            notes += [f"ai.{v.name}.{st.name}: {n}" for n in r.notes]
            steps.append(steps_of.variants[i_variant].steps[i_step])
            continue
        kwargs = {**st.kwargs, "water_scope": scope}
        if "constants" in kwargs:
            kwargs["constants"] = dict(kwargs["constants"])
        requests = _scale(s.task.volume, st.per_task.to("dimensionless") if not isinstance(st.per_task, Range)
                          else Range(st.per_task.low.to(""), st.per_task.high.to(""), st.per_task.value.to("")))
        try:
            r = resolve(requests=requests, period=s.task.horizon, **kwargs)
        except InputError as exc:
            raise InputError(f"{s.path}: [[ai]] '{v.name}' step '{st.name}': {exc}") from None
        share = r.values.get("training_share")
        for a in r.assumptions:
            assumptions.append(Assumption(f"ai.{v.name}.{st.name}.{a.name.lstrip('-')}", a.value, a.source, a.status))
        notes += [f"ai.{v.name}.{st.name}: {n}" for n in r.notes]
        steps.append(StepPlan(name=st.name, per_task=st.per_task, resolved=r, training_share=share))
    scopes = []
    return VariantPlan(name=v.name, description=v.description, steps=tuple(steps),
                       lines=_activity_lines(s, v.activities, v.agent_time, f"ai.{v.name}", boundary, elec,
                                             assumptions, notes, scopes),
                       agent_time=v.agent_time, scopes=tuple(scopes))


# -- drawing inputs -------------------------------------------------------------------------------

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
    from .montecarlo import GROUPS, stream_key

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


# -- results --------------------------------------------------------------------------------------

def as_quantity(arr, metric, unit):
    return ureg.Quantity(np.asarray(arr, dtype=float), _INTERNAL[metric]).to(unit)


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


def not_available_text(metric: str, gaps: dict) -> str:
    """``energy not available on the side without AI (printed_page: ...)``: why a metric is undefined.

    >>> not_available_text("water", {"ai": [], "alternative": ["car_km: no water figure"]})
    'water not available without AI (car_km: no water figure): its ratio, break-even and probability are undefined'
    """
    sides = [f"{'with AI' if side == 'ai' else 'without AI'} ({'; '.join(r)})" for side, r in gaps.items() if r]
    return f"{metric} not available {' and '.join(sides)}: its ratio, break-even and probability are undefined"


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


def benefit_verdict(p_lower: float, confidence: float = 0.95) -> str:
    """``ai_lower``, ``ai_higher`` or ``uncertain`` from the probability that AI emits less.

    ``not_available`` when the probability is undefined (None: the metric is missing on a side).
    """
    if p_lower is None:
        return "not_available"
    if p_lower >= confidence:
        return "ai_lower"
    if p_lower <= 1 - confidence:
        return "ai_higher"
    return "uncertain"


def sobriety_verdict(p_exceeding: float, confidence: float = 0.95) -> str:
    """``within``, ``exceeds`` or ``uncertain`` from the probability of exceeding the budget.

    ``exceeds`` when that probability is at least `confidence`, ``within`` when it
    is at most ``1 - confidence``, ``uncertain`` in between.
    """
    if p_exceeding >= confidence:
        return "exceeds"
    if p_exceeding <= 1 - confidence:
        return "within"
    return "uncertain"


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


def compare_scenario(scenario, *, samples: int = DEFAULT_SAMPLES, seed=DEFAULT_SEED,
                     human_time: str | None = None, plan: Plan | None = None,
                     water_scope: str | None = None) -> Comparison:
    """Compare every AI variant of a scenario with its non-AI alternative.

    Parameters
    ----------
    scenario : footprint.scenario.Scenario
        A parsed scenario (:func:`footprint.scenario.load`).
    samples : int
        Monte Carlo draws for the probabilities (at least 100).
    seed : int or None
        Seed of the draws (the same seed gives the same probabilities).
    human_time : str, optional
        Override the human-time boundary (``device``, ``device+office``, ``per_capita_fr``, ``per_capita_us``).
    plan : Plan, optional
        An already resolved plan (:func:`prepare`).

    Returns
    -------
    Comparison

    Examples
    --------
    >>> from footprint.scenario import load
    >>> c = compare_scenario(load("scenarios/city_chatbot.toml"), samples=200, seed=1)
    >>> co2e = c.primary.per_task_ai["co2e"]  # low, central, high per task
    >>> f"{co2e.units:~P}", co2e.shape, bool(co2e[0] <= co2e[1] <= co2e[2])
    ('gCO2e', (3,), True)
    """
    if int(samples) < 100:
        raise InputError(f"--samples: {samples} is too few for a probability; give at least 100 (default {DEFAULT_SAMPLES})")
    plan = plan or prepare(scenario, human_time, water_scope=water_scope)
    basis = _basis(plan, samples, seed)
    out = {vp.name: _variant_comparison(plan, vp, basis) for vp in plan.variants}
    comparison = Comparison(plan=plan, variants=out, samples=int(samples), seed=seed)
    _ratio_by_boundary(comparison, scenario)
    return comparison


@dataclass
class _Basis:
    """What every variant of a comparison is held against: the volumes, the alternative evaluated, the draws."""

    H: float  # horizon [s]
    year: float  # [s]
    cases: Cases
    sampler: Sampler
    v_task: object  # volume oriented for per-task figures (index 0: high volume)
    v_total: object  # volume oriented for totals (index 0: low volume)
    v_samp: object  # volume drawn
    alt_lines: dict
    alt_task: dict
    alt_samp: dict
    alt_hours: object


def _basis(plan: Plan, samples, seed) -> _Basis:
    """The volumes and the alternative of a plan, on the case axis and on the samples."""
    cases = Cases()
    sampler = Sampler(samples, seed)  # footprint.montecarlo: one stream per factor row or given input
    v_task = cases.volume(plan.volume, increasing=False)  # index 0: high volume, lowest per-task footprint
    v_total = cases.volume(plan.volume, increasing=True)  # index 0: low volume, lowest total
    v_samp = sampler.volume(plan.volume, True)
    alt_lines = evaluate_lines(plan.alternative, cases)
    alt_task = {k: sum_lines(alt_lines, k) for k in METRICS}
    alt_samp_lines = evaluate_lines(plan.alternative, sampler)
    alt_samp = {k: sum_lines(alt_samp_lines, k) for k in METRICS}
    alt_hours = agent_hours(plan.alternative, cases)
    return _Basis(H=float(plan.horizon.m_as("s")), year=float(ureg.Quantity(1, "year").m_as("s")), cases=cases,
                  sampler=sampler, v_task=v_task, v_total=v_total, v_samp=v_samp, alt_lines=alt_lines,
                  alt_task=alt_task, alt_samp=alt_samp, alt_hours=alt_hours)


def _variant_figures(plan: Plan, vp: VariantPlan, b: _Basis):
    """One variant's figures per task, in total and on the samples, and their ratios to the alternative."""
    from types import SimpleNamespace

    H, cases, alt_task, alt_samp, v_total = b.H, b.cases, b.alt_task, b.alt_samp, b.v_total
    lines = evaluate_variant(plan, vp, b.v_task, cases, H)
    ai_task = {k: sum_lines(lines, k) for k in METRICS}
    lines_tot = evaluate_variant(plan, vp, v_total, cases, H)
    ai_total = {k: sum_lines(lines_tot, k) * v_total * H for k in METRICS}
    alt_total = {k: alt_task[k] * v_total * H for k in METRICS}
    samp_lines = evaluate_variant(plan, vp, b.v_samp, b.sampler, H)
    ai_samp = {k: sum_lines(samp_lines, k) for k in METRICS}
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = {k: ratio_interval(ai_task[k], alt_task[k]) for k in METRICS}
        ratio_samp = {k: quotient(ai_samp[k], alt_samp[k]) for k in METRICS}
    diff = {k: np.stack([ai_task[k].min(-1) - alt_task[k].max(-1), ai_task[k][..., CENTRAL] - alt_task[k][..., CENTRAL],
                         ai_task[k].max(-1) - alt_task[k].min(-1)], axis=-1) for k in METRICS}
    hours_ai = agent_hours(vp.lines, cases)
    saved_task = hours_saved(b.alt_hours, hours_ai)
    tasks_total = v_total * H
    saved_total = hours_saved(b.alt_hours * tasks_total, hours_ai * tasks_total)
    gaps = {k: g for k, g in ((k, {"ai": gaps_of(vp.lines, k), "alternative": gaps_of(plan.alternative, k)})
                              for k in METRICS) if g["ai"] or g["alternative"]}
    p_lower = {k: None if k in gaps else float(np.mean(ai_samp[k] < alt_samp[k])) for k in METRICS}
    return SimpleNamespace(lines=lines, ai_task=ai_task, lines_tot=lines_tot, ai_total=ai_total, alt_total=alt_total,
                           samp_lines=samp_lines, ai_samp=ai_samp, ratio=ratio, ratio_samp=ratio_samp, diff=diff,
                           saved_task=saved_task, saved_total=saved_total, gaps=gaps, p_lower=p_lower)


def _variant_scopes(vp: VariantPlan, f, b: _Basis):
    """One variant's figures per year by sobriety scope (case axis and samples), its lines and gaps by scope."""
    lines, year = f.lines, b.year
    by_scope = {sc: {k: as_quantity(sum_lines(labels_of(vp, f.lines_tot, sc), k) * b.v_total * year, k, TOTAL_UNITS[k]) / ureg.year
                     for k in METRICS} for sc in SCOPE_ORDER}
    by_scope_samp = {sc: {k: sum_lines(labels_of(vp, f.samp_lines, sc), k) * b.v_samp * year for k in METRICS}
                     for sc in SCOPE_ORDER}
    scope_lines = {sc: list(labels_of(vp, lines, sc)) for sc in (*SCOPE_ORDER, "outside")}
    scope_gaps = {sc: {k: g for k, g in ((k, gaps_of([ln for ln in vp.lines if ln.label in labels_of(vp, lines, sc)], k))
                                         for k in METRICS) if g} for sc in SCOPE_ORDER}
    return by_scope, by_scope_samp, scope_lines, scope_gaps


def _variant_comparison(plan: Plan, vp: VariantPlan, b: _Basis) -> VariantComparison:
    """One variant against the alternative: its figures, scopes and verdicts as a :class:`VariantComparison`."""
    f = _variant_figures(plan, vp, b)
    by_scope, by_scope_samp, scope_lines, scope_gaps = _variant_scopes(vp, f, b)
    H, year, lines, ai_task, ai_total, alt_total = b.H, b.year, f.lines, f.ai_task, f.ai_total, f.alt_total
    ai_samp, alt_samp, ratio, ratio_samp, gaps = f.ai_samp, b.alt_samp, f.ratio, f.ratio_samp, f.gaps
    return VariantComparison(
        name=vp.name,
        per_task_ai={k: as_quantity(ai_task[k], k, PER_REQUEST_UNITS[k]) for k in METRICS},
        per_task_alternative={k: as_quantity(b.alt_task[k], k, PER_REQUEST_UNITS[k]) for k in METRICS},
        ratio={k: ureg.Quantity(ratio[k], "dimensionless") for k in METRICS},
        difference={k: as_quantity(f.diff[k], k, PER_REQUEST_UNITS[k]) for k in METRICS},
        total_ai={k: as_quantity(ai_total[k], k, TOTAL_UNITS[k]) for k in METRICS},
        total_alternative={k: as_quantity(alt_total[k], k, TOTAL_UNITS[k]) for k in METRICS},
        per_year_ai={k: as_quantity(ai_total[k] / H * year, k, TOTAL_UNITS[k]) / ureg.year for k in METRICS},
        per_year_alternative={k: as_quantity(alt_total[k] / H * year, k, TOTAL_UNITS[k]) / ureg.year for k in METRICS},
        per_year_ai_system={k: as_quantity(sum_lines(system_lines(vp, f.lines_tot), k) * b.v_total * year, k, TOTAL_UNITS[k])
                            / ureg.year for k in METRICS},
        breakdown_ai={ln: {k: as_quantity(np.broadcast_to(d[k], (3,)), k, PER_REQUEST_UNITS[k]) for k in METRICS}
                      for ln, d in lines.items()},
        breakdown_alternative={ln: {k: as_quantity(np.broadcast_to(d[k], (3,)), k, PER_REQUEST_UNITS[k]) for k in METRICS}
                               for ln, d in b.alt_lines.items()},
        agent_hours_saved={"per_task": ureg.Quantity(f.saved_task, "hour"),
                           "total": ureg.Quantity(f.saved_total, "hour")},
        probability_ai_lower=f.p_lower,
        break_even=break_even(plan, vp, b.alt_task),
        sobriety=sobriety_of(plan.scenario.sobriety, by_scope, by_scope_samp, scope_gaps, ratio_samp, ratio, gaps,
                           scope_lines),
        per_year_by_scope=by_scope,
        percentiles=mc_percentiles(ai_samp, alt_samp, b.v_samp, year),
        scope_lines=scope_lines,
        scope_gaps=scope_gaps,
        ratio_percentiles={k: percentiles_of(ratio_samp[k]) for k in METRICS},
        samples={"ai": ai_samp, "alternative": alt_samp},
        not_available=gaps,
        water_scope={"ai": {k: as_quantity(w, "water", PER_REQUEST_UNITS["water"]) for k, w in
                            water_scopes(plan, vp, b.v_task, H).items()},
                     "alternative": {k: as_quantity(w, "water", PER_REQUEST_UNITS["water"]) for k, w in
                                     water_scopes(plan, None, b.v_task, H).items()}},
        scope=plan.water_scope,
        line_gaps={ln.label: dict(ln.not_available) for ln in (*vp.lines, *plan.alternative) if ln.not_available},
    )


def carrier_notes(lines) -> list:
    """A note when the energy lines of a comparison use different carriers (fuel and electricity).

    The AI side's inference is electricity; a line of fuel (a car trip) is final energy of
    another carrier, so the energy metric adds unlike kWh.
    """
    fuel = sorted({ln.activity for ln in lines if ln.carrier == "fuel"})
    mixed = sorted({ln.activity for ln in lines if ln.carrier == "mixed"})
    if not fuel and not mixed:
        return []
    what = "; ".join(t for t in (f"fuel: {', '.join(fuel)}" if fuel else "",
                                 f"own energy mix (gas, heat networks, electricity): {', '.join(mixed)}" if mixed else "") if t)
    return [f"energy is final energy and adds unlike carriers (AI inference is electricity; {what}): a kWh of fuel "
            "is not a kWh of electricity; the primary_energy figures compare the sides on one basis (where both "
            "sides have them)"]


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


def robustness(ratio_by_boundary: dict) -> dict:
    """Under how many human-time boundaries the AI's CO2e per task is below the alternative's (central ratio < 1).

    A comparison made public must show how its conclusion depends on such choices
    (ISO 14044:2006, 4.4.5, sensitivity check); this is that check over the boundaries.

    >>> from footprint.units import ureg
    >>> r = robustness({"device": ureg.Quantity([0.2, 0.5, 0.9], ""), "device+office": ureg.Quantity([0.1, 0.3, 0.6], ""),
    ...                 "per_capita_fr": ureg.Quantity([1.1, 1.5, 2.0], "")})
    >>> r["text"]
    'AI lower under 2 of 3 boundaries (device, device+office); higher under per_capita_fr'
    """
    central = {b: float(np.asarray(q.m_as(""))[..., CENTRAL]) for b, q in ratio_by_boundary.items()}
    lower = [b for b, r in central.items() if np.isfinite(r) and r < 1]
    higher = [b for b, r in central.items() if np.isfinite(r) and r >= 1]
    undefined = [b for b, r in central.items() if not np.isfinite(r)]
    text = f"AI lower under {len(lower)} of {len(central)} boundaries" + (f" ({', '.join(lower)})" if lower else "")
    if higher:
        text += f"; higher under {', '.join(higher)}"
    if undefined:
        text += f"; undefined under {', '.join(undefined)}"
    return {"ai_lower": len(lower), "boundaries": len(central), "lower_under": lower, "higher_under": higher,
            "undefined_under": undefined, "text": text}


def _ratio_by_boundary(comparison: Comparison, scenario) -> None:
    """CO2e ratio of each variant under every human-time boundary (cases only)."""
    plan = comparison.plan
    for boundary in alternatives.BOUNDARIES:
        if boundary == plan.boundary:
            other = plan
        else:
            other = prepare(plan.scenario, boundary, steps_of=plan)  # the AI steps resolved once
        cases = Cases()
        H = float(other.horizon.m_as("s"))
        v_task = cases.volume(other.volume, increasing=False)
        alt = sum_lines(evaluate_lines(other.alternative, cases), "co2e")
        for vp in other.variants:
            ai = sum_lines(evaluate_variant(other, vp, v_task, cases, H), "co2e")
            with np.errstate(divide="ignore", invalid="ignore"):
                comparison.variants[vp.name].ratio_by_boundary[boundary] = ureg.Quantity(ratio_interval(ai, alt), "")


def sobriety_of(sob, by_scope, by_scope_samp, scope_gaps, ratio_samp, ratio_cases, gaps=None, scope_lines=None) -> dict:
    """The sobriety verdict: the AI system's yearly figure in the budget's scope against the budget.

    `by_scope` holds the yearly figures per scope on the case axis (Quantities), `by_scope_samp`
    their Monte Carlo draws [J, kg, L per year], `scope_gaps` the lines of each scope whose metric
    is not available.
    """
    if sob is None:
        return {"budget": None, "verdict": "no_budget", "probability_exceeding": None, "basis": None}
    if sob.kind == "ratio":
        if "co2e" in (gaps or {}):
            return {"budget": sob.budget, "verdict": "not_available", "probability_exceeding": None,
                    "basis": not_available_text("co2e", gaps["co2e"]), "confidence": sob.confidence}
        cap = float(sob.budget.m_as(""))
        p = float(np.mean(ratio_samp["co2e"] > cap))
        return {"budget": ureg.Quantity(cap, ""), "verdict": sobriety_verdict(p, sob.confidence),
                "probability_exceeding": p, "basis": "AI / alternative CO2e per task (whole sides)",
                "scope": "ratio", "ai": ureg.Quantity(ratio_cases["co2e"], ""), "confidence": sob.confidence,
                "percentiles": percentiles_of(ratio_samp["co2e"])}
    metric = sob.kind
    unit = PER_YEAR_UNITS[metric]
    judged = budget_scopes(sob.scope, sob.human_time)
    budget = sob.budget.to(unit)
    beside = {sc: by_scope[sc][metric].to(unit) for sc in SCOPE_ORDER if sc not in judged}
    basis = f"AI system {metric} per year: {' + '.join(SCOPE_TEXT[sc] for sc in judged)}"
    missing = [r for sc in judged for r in scope_gaps[sc].get(metric, [])]
    if scope_lines is not None and not any(scope_lines.get(sc) for sc in judged):
        missing = [f"no line of this AI variant is in the scope '{sob.scope}' (set scope on its [[ai.activities]])"]
    out = {"budget": budget, "scope": sob.scope, "human_time": sob.human_time, "scopes_judged": list(judged),
           "basis": basis, "confidence": sob.confidence, "beside": beside}
    if missing:
        return {**out, "verdict": "not_available", "probability_exceeding": None, "ai": None,
                "basis": f"{basis}; {metric} not available ({'; '.join(missing)})"}
    b_internal = float(sob.budget.m_as(f"{_INTERNAL[metric]}/year"))
    draws = sum(by_scope_samp[sc][metric] for sc in judged)
    p = float(np.mean(draws > b_internal))
    ai_year = by_scope[judged[0]][metric]
    for sc in judged[1:]:
        ai_year = ai_year + by_scope[sc][metric]
    pct = percentiles_of(ureg.Quantity(np.asarray(draws, dtype=float), f"{_INTERNAL[metric]}/year").m_as(unit))
    return {**out, "verdict": sobriety_verdict(p, sob.confidence), "probability_exceeding": p,
            "ai": ai_year.to(unit), "percentiles": {**pct, "unit": unit}}


def estimate_sobriety(estimate, kind: str, budget, *, samples: int = DEFAULT_SAMPLES, seed=DEFAULT_SEED,
                      confidence: float = 0.95) -> dict:
    """The sobriety verdict of a single estimate (``footprint estimate --budget``): its yearly figure against a budget.

    The same rule as a scenario's (:func:`sobriety_verdict` on the Monte Carlo probability of
    exceeding the budget); the AI system of an estimate is the servers' lines (inference,
    training share, embodied hardware): the public body's scope.

    Parameters
    ----------
    estimate : footprint.estimator.Estimate
        With a request rate.
    kind : str
        ``energy`` or ``co2e``.
    budget : Quantity
        Per time [W] or [kg/s] (:func:`footprint.scenario.parse_budget`).
    """
    from .montecarlo import estimate_yearly_draws

    unit = PER_YEAR_UNITS[kind]
    draws = estimate_yearly_draws(estimate, samples, seed)[kind]
    b = float(budget.m_as(f"{_INTERNAL[kind]}/year"))
    p = float(np.mean(draws > b))
    total = estimate.total
    per_year = (total[kind] / estimate.period).to(unit)  # the totals' case axis (for_totals)
    pct = percentiles_of(ureg.Quantity(draws, f"{_INTERNAL[kind]}/year").m_as(unit))
    return {"budget": figure(ureg.Quantity(np.repeat(float(f"{budget.m_as(unit):.12g}"), 3), unit)),
            "verdict": sobriety_verdict(p, confidence), "probability_exceeding": p, "confidence": confidence,
            "scope": "body", "human_time": False,
            "basis": f"AI system {kind} per year: the model's servers (inference, training share, embodied hardware), "
                     "run or bought by the public body",
            "ai": figure(per_year), "percentiles": {**pct, "unit": unit},
            "monte_carlo": {"samples": int(samples), "seed": seed}}


#: The scopes of an AI variant's yearly figure, in the order shown.
SCOPE_ORDER = ("body", "users", "human_time")
#: What each scope holds, in words (the JSON's ``per_year.scopes``).
SCOPE_TEXT = {"body": "what the public body runs or buys (the model's servers: inference, training share, embodied "
                      "hardware; its agents' devices and its network where the scenario says scope = \"body\")",
              "users": "what its users bear (citizens' devices and networks)",
              "human_time": "the agents' time left with AI (devices, and the office under device+office)",
              "outside": "not part of the AI system (the task's other activities)"}


def budget_scopes(scope: str, human_time: bool = False) -> tuple:
    """The scopes of a ``[sobriety] scope`` (and human time when asked for).

    >>> budget_scopes("body"), budget_scopes("body+users", True)
    (('body',), ('body', 'users', 'human_time'))
    """
    from .scenario import BUDGET_SCOPES

    return tuple(BUDGET_SCOPES[scope]) + (("human_time",) if human_time else ())


def labels_of(vp, lines: dict, scope: str) -> dict:
    """The lines of an AI variant in `scope`: ``body`` holds the model's steps and the activities the body bears."""
    own = dict(vp.scopes)
    out = {k: d for k, d in lines.items() if own.get(k) == scope}
    if scope == "body":
        out = {**system_lines(vp, lines), **out}
    return out


# -- sweeps and break-even -------------------------------------------------------------------------

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
