"""What every figure is built from: the comparison, the units it is shown in, and :class:`Table`."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..estimator import METRICS
from ..uncertainty import triplet
from ..units import INTERNAL_UNITS, ureg


KINDS = ("comparison", "breakdown", "sweep", "sensitivity")
PER = ("task", "total")

#: A log axis is used when the largest value exceeds the smallest by more than this factor.
LOG_AXIS_SPAN = 100.0


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
OTHER_COLOURS = ((GREY, "."), (LIGHT_GREY, "+"), (GREY, "-"), (LIGHT_GREY, "|"), (GREY, "\\"))

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
    from .. import compare

    if isinstance(source, compare.Comparison):
        return source
    if isinstance(source, (str, os.PathLike)):
        from ..scenario import load

        source = load(source)
    if not getattr(source, "variants", None):
        raise InputError("the scenario has no [[ai]] variant; give at least one to plot")
    if getattr(source, "alternative", None) is None:
        raise InputError(f"{getattr(source, 'path', 'the scenario')}: no [alternative] (the task done without AI); "
                         "a comparison, a breakdown or a sweep needs one")
    return compare.compare_scenario(source, **kwargs)


def check_choice(kind: str, value, valid) -> str:
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
        if x >= ureg.Quantity(1.0, unit).m_as(INTERNAL_UNITS[metric]):
            chosen = unit
    return chosen


def unit_text(unit: str) -> str:
    """How a display unit is written on a chart."""
    return _UNIT_TEXT.get(unit, unit)


def magnitudes_in(q, unit) -> np.ndarray:
    """Magnitudes of a Quantity in `unit`."""
    return np.asarray(q.to(unit).magnitude, dtype=float)


def low_central_high(arr):
    """(low, central, high) of a case-axis array, NaN-aware."""
    arr = np.asarray(arr, dtype=float)
    if np.all(np.isnan(arr)):
        return np.nan, np.nan, np.nan
    return float(np.nanmin(arr)), float(arr[..., 1]), float(np.nanmax(arr))


def label_number(x: float) -> str:
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


def volume_text(scenario) -> str:
    vu = scenario.task.volume_unit
    lo, mid, hi = triplet(scenario.task.volume, f"1/{vu}")
    if lo == hi:
        return f"{label_number(mid)} per {vu}"
    return f"{label_number(lo)}–{label_number(hi)} per {vu} (central {label_number(mid)})"


def variant_label(name: str) -> str:
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
