"""The one unit registry of footprint, and parsing of user quantities.

Every quantity the library takes or returns is a :class:`pint.Quantity` of
``ureg``.  Counting units (``token``, ``request``, ``task``, ``item``, ``FLOP``,
``parameter``) are dimensionless scale-1 units: they make outputs readable
("Wh/request") without forcing users to type them ("10000/day" is accepted for a
request rate).  CO2e masses (``gCO2e``, ``kgCO2e``, ``tCO2e``) are masses, so a
grid intensity may be typed "50 g/kWh" or "50 gCO2e/kWh".
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ._pint import pint

from .errors import InputError

#: Our own definitions file: a small registry builds ~15x faster than pint's default one.
_DEFINITIONS = Path(__file__).with_name("units.txt")

ureg = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=True)
ureg.load_definitions(str(_DEFINITIONS))
pint.set_application_registry(ureg)


def _cache_unit_parsing(registry) -> None:
    """Parse each unit text once per process: pint parses ``q.to("kg/J")``'s text again at every call.

    A text's units container does not change (the registry is complete at import), so
    the parse is memoised; it was about a third of a ``compare``.
    """
    import functools

    parse = registry.parse_units_as_container

    @functools.lru_cache(maxsize=4096)
    def parse_cached(input_string, as_delta=None, case_sensitive=None):
        return parse(input_string, as_delta, case_sensitive)

    registry.parse_units_as_container = parse_cached


_cache_unit_parsing(ureg)
Q_ = ureg.Quantity
Quantity = ureg.Quantity

#: Kinds of quantity the library asks for, used to word error messages.
_KINDS = (
    ("W", "a power, e.g. '350 W'"),
    ("J", "an energy, e.g. '0.3 Wh'"),
    ("s", "a duration, e.g. '1 year'"),
    ("1/s", "a rate per time, e.g. '10000/day'"),
    ("kg", "a CO2e mass, e.g. '5 kgCO2e'"),
    ("g/kWh", "a carbon intensity, e.g. '50 g/kWh'"),
    ("L/kWh", "a water intensity, e.g. '1.8 L/kWh'"),
    ("L", "a water volume, e.g. '2 L'"),
    ("", "a plain number, e.g. '1.2'"),
)


def describe_dimension(unit: str) -> str:
    """Say in words what kind of quantity `unit` is (for error messages)."""
    dim = ureg.Quantity(1, unit).dimensionality
    for ref, words in _KINDS:
        if ureg.Quantity(1, ref).dimensionality == dim:
            return words
    return f"a quantity in {unit}"


def _kind_of(q) -> str:
    words = describe_dimension(str(q.units))
    return words.split(",")[0] if not words.startswith("a quantity") else f"in {q.dimensionality}"


def _python_number(x, name: str) -> float:
    """A Python or numpy real scalar as a float; booleans, arrays and other types are refused.

    >>> _python_number(3, "output_tokens")
    3.0
    >>> _python_number(True, "params")
    Traceback (most recent call last):
    ...
    footprint.errors.InputError: params: True is a boolean, not a number
    """
    import decimal
    import numbers

    import numpy as np

    if isinstance(x, (bool, np.bool_)):
        raise InputError(f"{name}: {x!r} is a boolean, not a number")
    if isinstance(x, np.ndarray):
        raise InputError(f"{name}: an array is not one value; give one value or a range, or use "
                         "footprint.batch.estimate for many scenarios")
    if not isinstance(x, (numbers.Real, decimal.Decimal)):
        kind = type(x).__name__
        raise InputError(f"{name}: a{'n' if kind[:1] in 'aeiou' else ''} {kind} is not a value; give a number, a text such as "
                         "'70B' or '350 W', a Quantity, a Range or a (low, high) pair")
    try:
        v = float(x)
    except (OverflowError, ValueError, TypeError):
        v = math.inf
    if not math.isfinite(v):
        raise InputError(f"{name}: {_short(x)} is not a finite number")
    return v


def _short(x) -> str:
    text = str(x) if hasattr(x, "dtype") else repr(x)  # numpy scalars as plain numbers
    return text if len(text) <= 40 else text[:37] + "..."


def check_unit(q, unit: str, name: str) -> pint.Quantity:
    """Return `q` converted to `unit`, or raise an InputError naming the expected unit."""
    if not isinstance(q, pint.Quantity):
        q = ureg.Quantity(q, unit)
    try:
        return q.to(unit)
    except pint.errors.DimensionalityError:
        raise InputError(
            f"{name}: '{q:~P}' is {_kind_of(q)}, but {describe_dimension(unit)} is expected"
            + (f" (any unit convertible to {unit})" if unit and unit != "dimensionless" else "")
        ) from None
    except (TypeError, ValueError, OverflowError):  # a magnitude that is no number (a string, an object...)
        raise InputError(f"{name}: the Quantity's magnitude is not a number; give e.g. "
                         f"Quantity(350, 'W')") from None


def parse_quantity(text, unit: str, name: str, *, default_unit: str | None = None) -> pint.Quantity:
    """Read one value ("350 W", "1 year", "50 g/kWh", "1,2") into a Quantity in `unit`.

    The grammar is :mod:`footprint.quantity` (no expression is evaluated).

    Parameters
    ----------
    text : str or number or Quantity
        The user's value.
    unit : str
        The unit to convert to; its dimension is the one accepted.
    name : str
        Name of the input, for the error message (e.g. ``--gpu-power``).
    default_unit : str, optional
        Unit of a bare number (text or Python number); without it a bare number is
        refused when `unit` is not dimensionless.

    >>> parse_quantity("46,1 g/kWh", "gCO2e/kWh", "grid_intensity")
    <Quantity(46.1, 'gCO2e / kilowatt_hour')>
    """
    from .quantity import example, parse_text

    if isinstance(text, pint.Quantity):
        q = check_unit(text, unit, name)
        for v in __import__("numpy").ravel(q.magnitude):
            _python_number(v, name)
        return q
    if not isinstance(text, str):
        v = _python_number(text, name)
        bare = default_unit or (unit if ureg.Quantity(1, unit).dimensionless else None)
        if bare is None:
            raise InputError(f"{name}: the number {v:g} has no unit; {describe_dimension(unit)} is expected "
                             f"(give a text such as '{example(unit)}' or a Quantity)")
        return ureg.Quantity(v, bare).to(unit)
    v = parse_text(text, unit, name, bare=default_unit, ranged=False)[1]
    return ureg.Quantity(v, unit)


def parse_count(text, name: str, unit: str = "parameter", *, bare: bool = True) -> pint.Quantity:
    """Read a count such as "70B", "13b", "1.5T", "400M", "7e9" or "70 billion".

    Returns a dimensionless Quantity in `unit` (``parameter`` by default).  A value
    with a physical unit ("5 kg") is refused.

    >>> parse_count("1.5T", "training_tokens", "token")
    <Quantity(1.5e+12, 'token')>
    """
    from .quantity import parse_text

    if isinstance(text, pint.Quantity):
        q = check_unit(text, unit, name)
        for v in __import__("numpy").ravel(q.magnitude):
            _python_number(v, name)
        return q
    if not isinstance(text, str):
        return ureg.Quantity(_python_number(text, name), unit)
    v = parse_text(text, unit, name, bare=unit if bare else None, count=True, ranged=False)[1]
    return ureg.Quantity(v, unit)


def magnitude(q, unit: str):
    """Strip a Quantity to a float or ndarray in `unit` (the one place units leave)."""
    return q.m_as(unit) if isinstance(q, pint.Quantity) else q
