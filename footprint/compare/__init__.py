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

from .plan import PER_YEAR_UNITS, WATER_SCOPES, DEFAULT_WATER_SCOPE, StepPlan, VariantPlan, Plan, _scale, _zone_electricity, zone_resources, _water_scope, prepare, _boundary_of, _scenario_assumptions, _activity_electricity, _activity_lines, _variant_plan, carrier_notes  # noqa: F401
from .evaluation import Cases, _magnitudes, evaluate_variant, water_scopes, evaluate_lines, sum_lines, agent_hours, as_quantity, mc_percentiles, percentiles_of, quotient, gaps_of, SYSTEM_BASIS, system_lines, hours_saved, ratio_interval, SCOPE_ORDER, labels_of, totals_over_volumes, break_even  # noqa: F401
from .verdicts import DEFAULT_SAMPLES, DEFAULT_SEED, DISTRIBUTION, not_available_text, benefit_verdict, sobriety_verdict, robustness, sobriety_of, estimate_sobriety, SCOPE_TEXT, budget_scopes  # noqa: F401
from .results import VariantComparison, BREAK_EVEN_TEXT, not_available_figure, _fig_or_null, Comparison, _pretty_units  # noqa: F401
from .comparison import compare_scenario, _Basis, _basis, _variant_figures, _variant_scopes, _variant_comparison, _ratio_by_boundary  # noqa: F401
# names read from footprint.compare by the package and its tests
from ..estimator import LINES, METRICS, PER_REQUEST_UNITS, TOTAL_UNITS  # noqa: F401
from ..montecarlo import Sampler  # noqa: F401
from ..units import INTERNAL_UNITS as _INTERNAL, ureg  # noqa: F401
