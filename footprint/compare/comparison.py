"""Comparing every AI variant of a scenario with its non-AI alternative (:func:`compare_scenario`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ..uncertainty import CENTRAL
from ..errors import InputError
from ..estimator import METRICS, PER_REQUEST_UNITS, TOTAL_UNITS
from ..montecarlo import Sampler
from .. import alternatives
from ..units import ureg
from .plan import Plan, VariantPlan, prepare
from .evaluation import Cases, SCOPE_ORDER, agent_hours, as_quantity, break_even, evaluate_lines, evaluate_variant, gaps_of, hours_saved, labels_of, mc_percentiles, percentiles_of, quotient, ratio_interval, sum_lines, system_lines, water_scopes
from .verdicts import DEFAULT_SAMPLES, DEFAULT_SEED, sobriety_of
from .results import Comparison, VariantComparison

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
