"""Verdicts: the benefit against the alternative, the sobriety budget and its scopes, robustness across boundaries."""

from __future__ import annotations

import numpy as np
from ..uncertainty import CENTRAL, central
from ..units import INTERNAL_UNITS as _INTERNAL, ureg
from ..estimator import figure
from .plan import PER_YEAR_UNITS
from .evaluation import SCOPE_ORDER, percentiles_of

DEFAULT_SAMPLES = 2000


DEFAULT_SEED = 0


DISTRIBUTION = ("triangular(low, central, high); log-triangular when high/low > 10; identical sourced ranges "
                "share one draw; inputs otherwise independent")


def not_available_text(metric: str, gaps: dict) -> str:
    """``energy not available on the side without AI (printed_page: ...)``: why a metric is undefined.

    >>> not_available_text("water", {"ai": [], "alternative": ["car_km: no water figure"]})
    'water not available without AI (car_km: no water figure): its ratio, break-even and probability are undefined'
    """
    sides = [f"{'with AI' if side == 'ai' else 'without AI'} ({'; '.join(r)})" for side, r in gaps.items() if r]
    return f"{metric} not available {' and '.join(sides)}: its ratio, break-even and probability are undefined"


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
    from ..montecarlo import estimate_yearly_draws

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
    from ..scenario import BUDGET_SCOPES

    return tuple(BUDGET_SCOPES[scope]) + (("human_time",) if human_time else ())
