"""The quantity grammar: how every value typed by a user is read, and nothing else.

One grammar serves every entry point (command-line flags, scenario values, batch
cells, factor overrides)::

    value   := number [unit]
    range   := number [unit] ".." number [unit]          e.g. "1.1..1.4", "300..400 W"
             | number [unit] "[" number ".." number "]" [unit]   e.g. "1.2 [1.1..1.4]"
    number  := [+|-] digits [(.|,) digits] [e [+|-] digits]

* **No expression is evaluated**: ``9**9**9``, ``1.2 1.3`` or ``2*3 W`` are not
  numbers and are refused.  A unit is a name of footprint's unit registry with
  ``/``, ``*``, spaces and small integer powers (``^2``, ``**2``); counts also take
  a scale (``70B``, ``1.5T``, ``400M``, ``70 billion``).
* **The decimal comma is read as a decimal point** (``1,2`` = 1.2, ``"46,1 g/kWh"``
  = 46.1 g/kWh), as French users type it.  A comma followed by exactly three digits
  (``1,000``) could be a thousands separator and is refused as ambiguous; thousands
  separators are not accepted (write ``10000``, ``1e4`` or ``10k`` for a count).
* A value longer than :data:`MAX_LENGTH` characters is refused without being read.
* A bare number takes the input's *bare unit* when it has one (tokens for a token
  count, hours for GPU-hours); otherwise a bare number where a unit matters is
  refused: the input's unit is not guessed.

>>> parse_text("1,2", "dimensionless", "pue")
(1.2, 1.2, 1.2, False)
>>> parse_text("300..400 W", "W", "host_power")
(300.0, 350.0, 400.0, True)
>>> parse_text("70B", "parameter", "params", count=True)
(70000000000.0, 70000000000.0, 70000000000.0, False)
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from ._pint import pint
from .errors import InputError, shown  # noqa: F401  (shown: the message helper, used here and re-exported)
from .units import describe_dimension, ureg

#: Longest value read (characters); longer values are refused unread.
MAX_LENGTH = 120

_NUM = r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?"
#: A unit: starts with a letter, '/', '%' or a micro sign; then names, '/', '*', '^', digits and spaces.
_UNIT = r"(?:[A-Za-zµμ%/°][A-Za-z0-9µμ%°_/*^· -]*?)"
_POINT = re.compile(rf"^(?P<v>{_NUM})\s*(?P<u>{_UNIT})?$")
_RANGE = re.compile(rf"^(?P<l>{_NUM})\s*(?P<lu>{_UNIT})?\s*\.\.\s*(?P<h>{_NUM})\s*(?P<hu>{_UNIT})?$")
_BRACKET = re.compile(
    rf"^(?P<v>{_NUM})\s*(?P<vu>{_UNIT})?\s*\[\s*(?P<l>{_NUM})\s*(?P<lu>{_UNIT})?\s*\.\.\s*(?P<h>{_NUM})\s*"
    rf"(?P<hu>{_UNIT})?\s*\]\s*(?P<tu>{_UNIT})?$")
_AMBIGUOUS_COMMA = re.compile(r"^[+-]?\d{1,3},\d{3}(?![\d.,])")
_ANTIMONY = re.compile(r"Sb")  # mgSbeq, kgSb_eq, gSbe: the ADPe units of units.txt
_POWER = re.compile(r"(\*\*|\^)\s*(-?\d+)")
_SCALES = {
    "k": 1e3, "K": 1e3, "thousand": 1e3, "m": 1e6, "M": 1e6, "million": 1e6, "b": 1e9, "B": 1e9, "bn": 1e9,
    "billion": 1e9, "t": 1e12, "T": 1e12, "trillion": 1e12,
}
_SCALE = re.compile(r"^(?P<s>k|K|thousand|m|M|million|b|B|bn|billion|t|T|trillion)\b\s*(?P<rest>.*)$")
#: Words that may follow a count's scale without changing it ("70B params", "15T tokens").
_COUNT_WORDS = {"", "param", "params", "parameter", "parameters", "token", "tokens", "request", "requests",
                "item", "items", "task", "tasks", "FLOP", "FLOPs", "flop", "flops"}

_EXAMPLES = {
    "W": "350 W", "J": "0.3 Wh", "s": "1 year", "1/s": "10000/day", "kg": "5 kgCO2e", "kg/J": "50 g/kWh",
    "L/J": "1.8 L/kWh", "L": "2 L", "J/token": "0.3 J/token", "byte/token": "320 kB", "token/s": "1000 token/s",
    "byte": "80 GB", "FLOP": "5e12 FLOP", "parameter": "70B", "token": "400", "request": "1e9",
    "dimensionless": "1.2",
}


def example(unit: str) -> str:
    """A value of the kind `unit` measures, for messages (``'10000/day'`` for a rate)."""
    return _EXAMPLES.get(unit or "dimensionless", f"1 {unit}")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


_shown = shown


@lru_cache(maxsize=4096)
def unit_factor(unit_text: str, target: str) -> float:
    """Factor from `unit_text` to `target` (both unit expressions of the registry), no evaluation.

    Raises
    ------
    InputError
        When the text is not a unit of the registry or has another dimension.
    """
    import pint

    text = unit_text.strip()
    for m in _POWER.finditer(text):
        if abs(int(m.group(2))) > 4:
            raise ValueError(f"power {m.group(2)} in '{text}' is not accepted (at most 4)")
    if re.search(r"(\*\*|\^)\s*-?\d+\s*(\*\*|\^)", text):
        raise ValueError(f"chained powers in '{text}' are not accepted")
    text = re.sub(r"\s*\*\*\s*", "**", text.replace("^", "**").replace("·", "*"))
    if text.startswith("/"):
        text = "1" + text
    try:
        units = ureg.parse_units(text) if not text.startswith("1/") else 1 / ureg.parse_units(text[2:])
        return float(ureg.Quantity(1.0, units).to(target).magnitude)
    except pint.errors.DimensionalityError:
        kind = describe_dimension(str(ureg.Quantity(1.0, units).units)).split(",")[0]
        raise ValueError(f"'{unit_text}' is {kind}, but {describe_dimension(target)} is expected") from None
    except Exception:  # noqa: BLE001 - any parse failure is the user's unit
        raise ValueError(f"unit '{unit_text}' is not known (units such as W, kWh, g/kWh, L/kWh, day, year)") from None


def _count_scale(unit_text: str) -> tuple[float, str]:
    """Split a count's scale from its unit: ``"B params"`` -> (1e9, ""), ``"GFLOP"`` -> (1, "GFLOP")."""
    m = _SCALE.match(unit_text)
    if m and m.group("rest").strip() in _COUNT_WORDS:
        return _SCALES[m.group("s")], ""
    if unit_text.strip() in _COUNT_WORDS - {""}:
        return 1.0, ""
    return 1.0, unit_text


def antimony_error(unit_text: str, unit: str) -> str | None:
    """Why a typed unit in antimony equivalent is refused (Sb eq and CO2e are both masses in the registry, so
    pint would read one as the other), or None. No input takes an ADPe figure.

    >>> antimony_error("kgSbeq", "kg")
    "is an abiotic depletion (antimony equivalent, ADPe), but a CO2e mass, e.g. '5 kgCO2e' is expected; no input takes an ADPe figure"
    >>> antimony_error("kgCO2e", "kg") is None
    True
    """
    if not _ANTIMONY.search(unit_text or ""):
        return None
    return (f"is an abiotic depletion (antimony equivalent, ADPe), but {describe_dimension(unit)} is expected; "
            "no input takes an ADPe figure")


def _end(num: str, unit_text: str, unit: str, name: str, text: str, *, bare, count) -> float:
    value = _number(num)
    scale, rest = _count_scale(unit_text) if count else (1.0, unit_text)
    if not rest:
        scaled = count and unit_text != ""  # "70B", "15T tokens": a count with its scale or its own word
        if bare is None and not scaled and unit != "dimensionless":
            what = f"a count with a scale or a unit, e.g. '{example(unit)}'" if count else describe_dimension(unit)
            raise InputError(f"{name}: '{_shown(text)}' has no unit; {what} is expected")
        factor = 1.0 if scaled or (bare or unit) == unit else unit_factor(bare, unit)
    else:
        wrong = antimony_error(rest, unit)
        if wrong:
            raise InputError(f"{name}: '{_shown(text)}' {wrong}")
        try:
            factor = unit_factor(rest, unit)
        except ValueError as exc:
            if count and "is expected" in str(exc):
                exc = str(exc).split(", but")[0] + f", but a count is expected, e.g. '{example(unit)}'"
            raise InputError(f"{name}: cannot read '{_shown(text)}': {exc}") from None
    out = value * scale * factor
    if not math.isfinite(out):
        raise InputError(f"{name}: '{_shown(text)}' is not a finite number")
    return out


def parse_text(text: str, unit: str, name: str, *, bare: str | None = None, count: bool = False,
               ranged: bool = True) -> tuple[float, float, float, bool]:
    """Read one value of the grammar into magnitudes ``(low, value, high, is_range)`` in `unit`.

    Parameters
    ----------
    text : str
        The value as typed.
    unit : str
        Unit of the magnitudes returned; its dimension is the one accepted.
    name : str
        How the user named the input (``--pue``, ``pue``, ``column pue``), for messages.
    bare : str, optional
        Unit of a bare number (``"token"``, ``"hour"``); without it a bare number is
        refused unless `unit` is dimensionless.
    count : bool
        A count: accepts a scale (``70B``, ``1.5T``, ``70 billion``).
    ranged : bool
        Whether a range is accepted.

    Raises
    ------
    InputError
        One line: what was wrong, what is accepted.
    """
    s = str(text).strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not s:
        raise InputError(f"{name}: the value is empty; give e.g. '{example(unit)}'")
    if len(s) > MAX_LENGTH:
        raise InputError(f"{name}: the value is {len(s)} characters long; at most {MAX_LENGTH} are read")
    if "..." in s:
        raise InputError(f"{name}: cannot read '{_shown(s)}'; a range is written with two dots, e.g. '1.1..1.4'")
    for piece in re.split(r"\.\.|\[|\]", s):
        if _AMBIGUOUS_COMMA.match(piece.strip()):
            raise InputError(f"{name}: '{_shown(s)}' is ambiguous (a thousands separator or a decimal comma?); "
                             "write 1000 (no separator) or 1.0 (the decimal comma is read as a decimal point: 1,5 = 1.5)")
    m = _BRACKET.match(s) or _RANGE.match(s) or _POINT.match(s)
    if m is None:
        raise InputError(f"{name}: cannot read '{_shown(s)}'; give a number with an optional unit, e.g. "
                         f"'{example(unit)}', or a range '1.1..1.4' (no expressions, no thousands separators)")
    g = m.groupdict()
    if "v" in g and "l" not in g:  # a point
        v = _end(g["v"], (g["u"] or "").strip(), unit, name, s, bare=bare, count=count)
        return v, v, v, False
    if not ranged:
        raise InputError(f"{name}: '{_shown(s)}' is a range; give one value here")
    shared = next((u.strip() for u in (g.get("tu"), g.get("hu"), g.get("vu"), g.get("lu")) if u and u.strip()), "")
    lo = _end(g["l"], (g.get("lu") or shared).strip(), unit, name, s, bare=bare, count=count)
    hi = _end(g["h"], (g.get("hu") or shared).strip(), unit, name, s, bare=bare, count=count)
    if g.get("v") is not None:
        v = _end(g["v"], (g.get("vu") or shared).strip(), unit, name, s, bare=bare, count=count)
    else:
        v = (lo + hi) / 2
    if lo > hi:
        raise InputError(f"{name}: the range '{_shown(s)}' has low > high; write low..high")
    if not lo <= v <= hi:
        raise InputError(f"{name}: in '{_shown(s)}' the central value lies outside its range")
    return lo, v, hi, True


# -- values as Quantities (the grammar's readers for one value) ---------------------------------------

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


def _checked_quantity(q, unit: str, name: str) -> pint.Quantity:
    """A Quantity given as it is: converted to `unit`, every magnitude a finite real number."""
    import numpy as np

    q = check_unit(q, unit, name)
    for v in np.ravel(q.magnitude):
        _python_number(v, name)
    return q


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
    if isinstance(text, pint.Quantity):
        return _checked_quantity(text, unit, name)
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
    if isinstance(text, pint.Quantity):
        return _checked_quantity(text, unit, name)
    if not isinstance(text, str):
        return ureg.Quantity(_python_number(text, name), unit)
    v = parse_text(text, unit, name, bare=unit if bare else None, count=True, ranged=False)[1]
    return ureg.Quantity(v, unit)
