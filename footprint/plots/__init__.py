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

The package is split by what each part does: :mod:`.data` (the comparison,
units, :class:`Table`), :mod:`.tables` (the numbers behind each figure),
:mod:`.tornado` (the sensitivity engine), :mod:`.figures` (plotly rendering),
:mod:`.files` (HTML, CSV, PNG) and :mod:`.hourly` (the grid-carbon heatmaps of
``footprint schedule``).

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

from .data import KINDS, METRICS, PER, LOG_AXIS_SPAN, SWEEP_POINTS, OKABE_ITO, GREY, LIGHT_GREY, VARIANT_COLOURS, ALTERNATIVE_COLOUR, METRIC_NAMES, DISPLAY_UNITS, CATEGORIES, INPUT_NAMES, load_comparison, display_unit, unit_text, ALTERNATIVE_LABEL, Table  # noqa: F401
from .tornado import TORNADO_INPUTS, OneAtATime  # noqa: F401
from .tables import table, figure_data  # noqa: F401
from .figures import draw, comparison, breakdown, sweep, sensitivity, render  # noqa: F401
from .files import page, check_output, write_atomic, write_html, csv_text, write_csv, png_engine_missing, write_png, png_bytes  # noqa: F401

__all__ = ["KINDS", "METRICS", "PER", "OKABE_ITO", "Table", "comparison", "breakdown", "sweep", "sensitivity",
           "figure_data", "table", "draw", "render", "page", "write_html", "write_csv", "write_png",
           "load_comparison", "display_unit"]
