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

import pint

from .errors import InputError

#: Our own definitions file: a small registry builds ~15x faster than pint's default one.
_DEFINITIONS = Path(__file__).with_name("units.txt")

ureg = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=True)
ureg.load_definitions(str(_DEFINITIONS))
pint.set_application_registry(ureg)
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


def _parse(text: str, name: str) -> pint.Quantity:
    try:
        q = ureg.Quantity(text.strip())
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError) as exc:
        raise InputError(f"{name}: cannot read '{text}' ({exc}); give a number with a unit, e.g. '350 W'") from None
    except Exception:
        raise InputError(f"{name}: cannot read '{text}' as a quantity; give a number with a unit, e.g. '350 W'") from None
    if not isinstance(q, pint.Quantity):  # a bare number
        q = ureg.Quantity(float(q), "dimensionless")
    return q


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


def parse_quantity(text, unit: str, name: str, *, default_unit: str | None = None) -> pint.Quantity:
    """Parse `text` ("350 W", "1 year", "50 g/kWh", "1.2") into a Quantity in `unit`.

    Parameters
    ----------
    text : str or number or Quantity
        The user's value.
    unit : str
        The unit to convert to; its dimension is the one accepted.
    name : str
        Name of the input, for the error message (e.g. ``--gpu-power``).
    default_unit : str, optional
        Unit given to a bare number in a text; without it a bare number is refused
        when `unit` is not dimensionless.  A Python number (int, float) is taken
        to be in `default_unit` or `unit`.
    """
    if isinstance(text, pint.Quantity):
        return check_unit(text, unit, name)
    if isinstance(text, (int, float)):
        q = ureg.Quantity(float(text), default_unit or unit)
    else:
        q = _parse(str(text), name)
        if q.dimensionless and q.units == ureg.dimensionless and not ureg.Quantity(1, unit).dimensionless:
            if default_unit is None:
                # a bare number where a unit matters ("10000" for a rate) is a unit mistake waiting to happen
                raise InputError(f"{name}: '{text}' has no unit; {describe_dimension(unit)} is expected")
            q = ureg.Quantity(q.magnitude, default_unit)
    q = check_unit(q, unit, name)
    if isinstance(q.magnitude, float) and not math.isfinite(q.magnitude):
        raise InputError(f"{name}: '{text}' is not a finite number")
    return q


_COUNT = re.compile(
    r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*"
    r"(k|K|thousand|m|M|million|b|B|bn|billion|t|T|trillion)?\s*(?:params?|parameters?)?\s*$"
)
_SCALE = {
    None: 1.0, "k": 1e3, "K": 1e3, "thousand": 1e3, "m": 1e6, "M": 1e6, "million": 1e6,
    "b": 1e9, "B": 1e9, "bn": 1e9, "billion": 1e9, "t": 1e12, "T": 1e12, "trillion": 1e12,
}


def parse_count(text, name: str, unit: str = "parameter") -> pint.Quantity:
    """Parse a count such as "70B", "13b", "1.5T", "400M", "7e9" or "70 billion".

    Returns a dimensionless Quantity in `unit` (``parameter`` by default).  A value
    with a physical unit ("5 kg") is refused.
    """
    if isinstance(text, pint.Quantity):
        return check_unit(text, unit, name)
    if isinstance(text, (int, float)):
        return ureg.Quantity(float(text), unit)
    m = _COUNT.match(str(text))
    if m:
        return ureg.Quantity(float(m.group(1)) * _SCALE[m.group(2)], unit)
    q = _parse(str(text), name)
    if not q.dimensionless:
        raise InputError(
            f"{name}: '{text}' is {_kind_of(q)}, but a count is expected, e.g. '70B', '13b' or '7e9'"
        )
    return ureg.Quantity(q.to("dimensionless").magnitude, unit)


def magnitude(q, unit: str):
    """Strip a Quantity to a float or ndarray in `unit` (the one place units leave)."""
    return q.m_as(unit) if isinstance(q, pint.Quantity) else q
