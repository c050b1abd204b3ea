"""Reading the scheduler's user text: decimal commas, durations, energies, powers, time zones, dates."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from ..errors import InputError

_AMBIGUOUS_COMMA = re.compile(r"(?<![\d.,])[1-9]\d{0,2},\d{3}(?![\d.,])")


_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")


def decimal_point(text: str, name: str) -> str:
    """`text` with a decimal comma turned into a point ("1,5 h" -> "1.5 h").

    A number such as "1,500" (a thousands separator or a decimal comma?) is refused.

    >>> decimal_point("1,5 h", "--duration"), decimal_point("0,125 kWh", "--energy")
    ('1.5 h', '0.125 kWh')
    """
    text = str(text).strip()
    if _AMBIGUOUS_COMMA.search(text):
        raise InputError(f"{name}: '{text}' is ambiguous (a thousands separator or a decimal comma?); "
                         "write it without a thousands separator, e.g. '1500' or '1.5'")
    if "," in text and "." in text:
        raise InputError(f"{name}: '{text}' mixes a comma and a point; write a plain number, e.g. '1500' or '1.5'")
    return _DECIMAL_COMMA.sub(".", text)


def parse_duration_h(text, name: str = "duration") -> float:
    """A duration ("6 h", "90 min", "1,5 h", "2 days") in hours [h]; a bare number is refused.

    >>> parse_duration_h("90 min"), parse_duration_h("1,5 h")
    (1.5, 1.5)
    """
    from ..quantity import parse_quantity

    if isinstance(text, (int, float)) and not isinstance(text, bool):
        hours = float(text)
    else:
        q = text if hasattr(text, "units") else decimal_point(text, name)
        hours = float(parse_quantity(q, "h", name).magnitude)
    if not math.isfinite(hours) or hours <= 0:
        raise InputError(f"{name}: '{text}' must be a positive duration, e.g. '6 h'")
    return hours


def parse_energy_kwh(text, name: str = "--energy") -> float:
    """An energy ("40 kWh", "0,5 MWh") in kilowatt-hours [kWh]; must be positive.

    >>> parse_energy_kwh("0,5 MWh")
    500.0
    """
    return _positive(text, "kWh", name, "'40 kWh'")


def parse_power_kw(text, name: str = "--power") -> float:
    """A power ("5 kW", "800 W") in kilowatts [kW]; must be positive.

    >>> parse_power_kw("800 W")
    0.8
    """
    return _positive(text, "kW", name, "'5 kW'")


def _positive(text, unit: str, name: str, example: str) -> float:
    from ..quantity import parse_quantity

    q = text if hasattr(text, "units") else decimal_point(text, name)
    value = float(parse_quantity(q, unit, name).magnitude)
    if not value > 0:
        raise InputError(f"{name}: '{text}' must be positive, e.g. {example}")
    return value


def time_zone(name: str):
    """The :class:`zoneinfo.ZoneInfo` of an IANA name ("Europe/Paris"), or a one-line error."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone '{name}'; give an IANA name such as Europe/Paris, Europe/Berlin, "
                         "Europe/London or UTC") from None


def parse_when(text, tz_name: str, name: str = "time") -> datetime:
    """An ISO 8601 date or date-time ("2026-12-07", "2026-12-07T22:00", "... +01:00") as an aware datetime.

    A date or a date-time without an offset is local time of `tz_name`.

    >>> parse_when("2026-12-07T22:00", "Europe/Paris").isoformat()
    '2026-12-07T22:00:00+01:00'
    """
    if isinstance(text, datetime):
        when = text
    elif isinstance(text, date):
        when = datetime(text.year, text.month, text.day)
    else:
        raw = str(text).strip()
        try:
            when = datetime.fromisoformat(raw)
        except ValueError:
            raise InputError(f"{name}: cannot read '{text}' as a date; give an ISO date or date-time such as "
                             "2026-12-07 or 2026-12-07T22:00 (local time) or 2026-12-07T21:00Z") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=time_zone(tz_name))
    return when


def hours_text(hours: float) -> str:
    """A duration in hours for people (``6 hours``, ``1.5 hours``)."""
    from ..formatting import duration_text
    from ..units import ureg

    return duration_text(ureg.Quantity(hours, "hour"))
