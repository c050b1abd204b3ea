"""Uncertain values: a (low, value, high) range on one trailing array axis.

An input may be a point (a Quantity), or a :class:`Range`.  Inside the core, every
input becomes an array whose last axis has length 3, ordered so that index 0 is the
end of the input's range that gives the *lowest* footprint and index 2 the end that
gives the highest (an input that lowers the footprint when it grows, such as the
batch size, is reversed).  The formulas are then written once and evaluated on
all three cases at the same time; scenario axes broadcast in front.

This is interval propagation for monotone models (the approach of BoaviztAPI's
min/max attributes), not a statistical interval: ``low`` and ``high`` are the
footprints at the ends of the stated input ranges.  Percentiles from sampling
are in :mod:`footprint.montecarlo` when present.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ._pint import pint

from .errors import InputError
from .units import ureg

#: Position of each case on the trailing axis.
LOW, CENTRAL, HIGH = 0, 1, 2


@dataclass(frozen=True)
class Range:
    """A value with a low and a high end.

    Parameters
    ----------
    low, high : Quantity
        Ends of the range (same dimension).
    value : Quantity, optional
        Central value; the arithmetic midpoint when not given.
    """

    low: pint.Quantity
    high: pint.Quantity
    value: pint.Quantity | None = None

    def __post_init__(self):
        low, high = self.low, self.high
        if not isinstance(low, pint.Quantity):
            object.__setattr__(self, "low", ureg.Quantity(low, "dimensionless"))
        if not isinstance(high, pint.Quantity):
            object.__setattr__(self, "high", ureg.Quantity(high, "dimensionless"))
        unit = self.low.units
        high_m = self.high.m_as(unit)
        if np.any(np.asarray(self.low.magnitude) > np.asarray(high_m)):
            raise InputError(f"range [{self.low:~P}, {self.high:~P}] has low > high; give [low, high] with low <= high")
        if self.value is None:
            object.__setattr__(self, "value", (self.low + self.high.to(unit)) / 2)
        elif not isinstance(self.value, pint.Quantity):
            object.__setattr__(self, "value", ureg.Quantity(self.value, unit))
        v = np.asarray(self.value.m_as(unit))
        if np.any(v < np.asarray(self.low.magnitude)) or np.any(v > np.asarray(high_m)):
            raise InputError(f"value {self.value:~P} lies outside its range [{self.low:~P}, {self.high:~P}]")

    @property
    def units(self):
        return self.low.units

    def to(self, unit) -> "Range":
        return Range(self.low.to(unit), self.high.to(unit), self.value.to(unit))

    def m_as(self, unit) -> np.ndarray:
        """Magnitudes as an array with a trailing (low, value, high) axis."""
        return np.stack(
            np.broadcast_arrays(self.low.m_as(unit), self.value.m_as(unit), self.high.m_as(unit)), axis=-1
        ).astype(float)

    def __str__(self):
        return f"{self.value:~P} [{self.low.m_as(self.units):g}..{self.high.m_as(self.units):g}]"


def central(x):
    """The central value of a point or a Range (a Quantity)."""
    return x.value if isinstance(x, Range) else x


def triplet(x, unit: str, increasing: bool = True) -> np.ndarray:
    """Magnitudes of `x` in `unit` with a trailing axis (footprint-low, central, footprint-high).

    Parameters
    ----------
    x : Quantity or Range or float or ndarray
        A point value (replicated three times) or a range.  Plain numbers and
        arrays are taken to be in `unit` already (the hot path).
    unit : str
        Unit of the returned magnitudes.
    increasing : bool
        Whether a larger input gives a larger footprint; if not, the range is
        reversed so that index 0 still gives the lowest footprint.
    """
    if isinstance(x, Range):
        arr = x.m_as(unit)
        return arr if increasing else arr[..., ::-1]
    m = np.asarray(x.m_as(unit) if isinstance(x, pint.Quantity) else x, dtype=float)
    return np.repeat(m[..., None], 3, axis=-1)


def spread(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(low, central, high) of a result array with a trailing case axis.

    Low and high are the minimum and maximum over the three cases, so that
    ``low <= value <= high`` holds even where the model is not monotone in
    every input.
    """
    return arr.min(axis=-1), arr[..., CENTRAL], arr.max(axis=-1)


def parse_range_text(text: str):
    """Split "1.1..1.4" or "1.2 [1.1..1.4]" into (value_text|None, low_text, high_text), else None."""
    s = str(text).strip()
    if ".." not in s:
        return None
    if "[" in s and s.endswith("]"):
        value, rest = s.split("[", 1)
        low, high = rest[:-1].split("..", 1)
        return value.strip(), low.strip(), high.strip()
    low, high = s.split("..", 1)
    return None, low.strip(), high.strip()
