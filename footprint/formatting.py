"""How figures read for people: numbers, figures with their range, durations, plain-text tables.

The one display helper of the package: the CLI's tables, the card, the plots and
the messages of the hourly scheduler format numbers and durations here.
"""

from __future__ import annotations

import math

#: Units a duration is written in, largest first.
DURATION_UNITS = ("year", "day", "hour", "minute")
_DURATION_WORDS = {"year": "year", "day": "day", "hour": "hour", "minute": "minute", "s": "second"}


def num(x: float) -> str:
    """A number with three significant figures, without scientific notation for everyday sizes."""
    if x is None:
        return "-"
    ax = abs(x)
    if ax == 0:
        return "0"
    if 1e-3 <= ax < 1e7:
        return f"{x:,.{max(0, 2 - int(math.floor(math.log10(ax))))}f}"
    return f"{x:.3g}"


def figure(fig: dict) -> str:
    """``0.664 Wh (0.0932 - 6.09)`` from a ``{"value", "unit", "low", "high"}`` dict.

    A figure that is not available reads ``not available`` (with the sum of the known lines when given).

    >>> figure({"value": None, "unit": "Wh", "low": None, "high": None, "not_available": ["x"]})
    'not available'
    """
    if fig.get("not_available") is not None or fig.get("value") is None:
        known = fig.get("known_lines")
        return "not available" + (f" (known lines: {figure(known)})" if known else "")
    if fig["low"] == fig["high"]:
        return f"{num(fig['value'])} {fig['unit']}"
    return f"{num(fig['value'])} {fig['unit']}  ({num(fig['low'])} - {num(fig['high'])})"


def duration_text(period, words: bool = True) -> str:
    """A duration in the largest unit it holds once or more: ``3 years``, ``18 days``, ``2.5 hours``.

    Parameters
    ----------
    period : pint.Quantity
        A duration (any time unit; an array is read at its largest value) [s].
    words : bool
        ``True`` (for people): the unit as a word, plural when the value is not 1.
        ``False``: the unit's symbol as footprint's unit registry reads it back (``30 day``),
        as in the JSON field ``total.period``.

    Examples
    --------
    >>> from footprint.units import ureg
    >>> duration_text(ureg.Quantity(3, "year")), duration_text(ureg.Quantity(90, "minute"))
    ('3 years', '1.5 hours')
    >>> duration_text(ureg.Quantity(30, "day"), words=False), duration_text(ureg.Quantity(20, "s"))
    ('30 day', '20 seconds')
    """
    import numpy as np

    for unit in DURATION_UNITS + ("s",):
        v = float(np.max(period.m_as(unit)))
        if v >= 1 - 1e-9 or unit == "s":
            text = f"{round(v, 9):g}"
            if not words:
                return f"{text} {unit}"
            word = _DURATION_WORDS[unit]
            return f"{text} {word}" + ("" if text == "1" else "s")


def percent(p) -> str:
    """``37%`` of a probability, ``undefined`` when there is none.

    >>> percent(0.371), percent(None)
    ('37%', 'undefined')
    """
    return "undefined" if p is None else f"{p:.0%}"


def table(rows, headers) -> str:
    """Align `rows` (lists of str) under `headers`."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


def assumption_value(a: dict) -> str:
    """An assumption's value without its unit, in English (the words of :func:`footprint.words.assumption`).

    >>> assumption_value({"value": 4.86e-08, "unit": "kgSbeq/kWh"})
    '4.86\u202f×\u202f10⁻⁸'
    """
    from .i18n import Language
    from .words import assumption

    return assumption(a, Language("en"), with_unit=False)
