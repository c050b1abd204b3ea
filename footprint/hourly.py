"""Time-resolved carbon: hourly grid intensity, usage profiles and the best time to run a job.

The yearly grid factor of a zone (``factors/grid.csv``) stays the default.  For the
zones with an hourly series (``factors/grid_hourly/``: France, Germany and Great
Britain, Electricity Maps 2023, ODbL), this module weighs the hourly intensity by
*when* the electricity is used:

``24/7``
    every hour alike (a dedicated endpoint that runs all the time);
``office-hours[:TZ[:HH-HH]]``
    Monday to Friday, 09:00-18:00 local time by default (public holidays count as
    working days); the time zone defaults to the zone's own (``Europe/Paris`` for FRA);
``weekly[:TZ]:W0;W1;...;W167``
    a custom week of 168 hourly weights, Monday 00:00-01:00 local time first
    (separated by ``;``, where a decimal comma is allowed, or by ``,`` or spaces with
    a decimal point); ``weekly[:TZ]:@FILE`` reads them from a text file;
``window[:TZ]:START/DURATION``
    one batch run, e.g. ``window:2026-12-07T22:00/6 h``.

The weights are the share of the energy used in each hour.  The weighted intensity
is always shown beside the *same series'* unweighted yearly average, because the
series has another boundary (life-cycle, consumption-based, flow-traced imports)
than the yearly default of France (ADEME Base Empreinte).

:func:`best_start` finds the lowest-carbon start of a job of a given duration within
a search window, by cumulative sums over the hourly series.  The data are of 2023:
a date of another year is mapped to the matching week of 2023 (shifted by a whole
number of weeks, so weekdays align) and the result says so.  The saving is
attributional, on the average intensity of the electricity consumed; it is not an
avoided emission, which would need marginal intensities (not open data).

Everything here is numpy and the standard library; nothing is read at import.

References
----------
.. [1] Electricity Maps (2024). Hourly carbon intensity 2023, zones FR, DE, GB, free data
   portal, ODbL v1.0. https://www.electricitymaps.com/data-portal
.. [2] Tranberg, B., Corradi, O., Lajoie, B., Gibon, T., Staffell, I., Andresen, G. B. (2019).
   Real-time carbon accounting method for the European electricity markets. Energy
   Strategy Reviews 26, 100367. doi:10.1016/j.esr.2019.100367 (flow tracing)

Examples
--------
>>> r = weighted_intensity("FRA", "office-hours")
>>> r["profile"]["time_zone"], round(r["yearly_average_g_per_kwh"], 1)
('Europe/Paris', 49.4)
>>> r["value_g_per_kwh"] > r["yearly_average_g_per_kwh"]
True
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import InputError

#: Hourly data are of this year; another year's dates use the matching week of it.
DATA_YEAR = 2023
#: What the hourly intensity covers (the yearly default of a zone may cover something else).
BOUNDARY = "life-cycle, consumption-based, Electricity Maps 2023"
#: Hours of a week (the length of a custom weekly profile).
HOURS_PER_WEEK = 168
#: Office hours by default: Monday to Friday, from 09:00 to 18:00 local time.
OFFICE_DAYS = (0, 1, 2, 3, 4)
OFFICE_HOURS = (9, 18)
#: Kinds of usage profile.
PROFILE_KINDS = ("24/7", "office-hours", "weekly", "window")

SAVING_KIND = ("attributional saving on the average intensity of the electricity consumed, not an avoided "
               "emission: moving a job changes which plants run at the margin, and marginal intensities are "
               "not open data")


def limits(zones) -> list[str]:
    """What the hourly figures are and are not (shown with every result)."""
    return [
        "average (not marginal) carbon intensity of the electricity consumed",
        f"one year of data ({DATA_YEAR}), used as a typical year for other years",
        f"hourly data for {len(zones)} zones only ({', '.join(zones)}); other zones use their yearly factor",
        f"boundary {BOUNDARY}: compare with this series' own yearly average, not with the zone's yearly "
        "default factor (for France, ADEME Base Empreinte, another boundary)",
    ]


# -- data ---------------------------------------------------------------------------------------------------

def data_dir() -> Path:
    """The folder of the shipped hourly series (``factors/grid_hourly``)."""
    from .factors import data_dirs

    return data_dirs()[0] / "grid_hourly"


@lru_cache(maxsize=None)
def _manifest() -> dict[str, dict]:
    path = data_dir() / "zones.csv"
    if not path.is_file():
        raise InputError(f"hourly grid data missing ({path.name} not found): reinstall footprint")
    with path.open(newline="", encoding="utf-8") as fh:
        return {rec["zone"].strip().upper(): {k: v.strip() for k, v in rec.items()} for rec in csv.DictReader(fh)}


def cited_sources() -> set[str]:
    """Source ids of the hourly series (``factors/grid_hourly/zones.csv``)."""
    return {meta["source_id"] for meta in _manifest().values()}


def zones() -> list[str]:
    """Zones with an hourly series, sorted.

    >>> zones()
    ['DEU', 'FRA', 'GBR']
    """
    return sorted(_manifest())


def has_hourly(zone: str) -> bool:
    """Whether `zone` (ISO 3166 alpha-3, any case) has an hourly series.

    >>> has_hourly("fra"), has_hourly("ESP")
    (True, False)
    """
    return str(zone).strip().upper() in _manifest()


def zone_info(zone: str) -> dict:
    """The manifest row of a zone with hourly data: name, year, file, time zone, source id, licence, boundary.

    >>> zone_info("GBR")["time_zone"], zone_info("GBR")["licence"]
    ('Europe/London', 'ODbL-1.0')
    """
    return dict(_manifest()[_zone_key(zone)])


@dataclass(frozen=True)
class Series:
    """One zone's hourly carbon intensity over a year.

    Attributes
    ----------
    hours_utc : numpy.ndarray of datetime64[h]
        Start of each hour, UTC, consecutive.
    intensity_g_per_kwh : numpy.ndarray
        Life-cycle carbon intensity of the electricity consumed [gCO2e/kWh].
    estimated : numpy.ndarray of bool
        Hours that Electricity Maps estimated.
    """

    zone: str
    name: str
    year: int
    time_zone: str
    source_id: str
    licence: str
    boundary: str
    hours_utc: np.ndarray = field(repr=False)
    intensity_g_per_kwh: np.ndarray = field(repr=False)
    estimated: np.ndarray = field(repr=False)

    @property
    def start(self) -> datetime:
        """Start of the first hour (aware, UTC)."""
        return datetime(self.year, 1, 1, tzinfo=timezone.utc)

    @property
    def end(self) -> datetime:
        """End of the last hour (aware, UTC)."""
        return self.start + timedelta(hours=len(self.intensity_g_per_kwh))

    @property
    def yearly_average_g_per_kwh(self) -> float:
        """Unweighted mean of the hours [gCO2e/kWh]."""
        return float(self.intensity_g_per_kwh.mean())

    def source(self) -> dict:
        """The source row of the series, with its licence."""
        from .factors import sources

        return dict(sources().get(self.source_id, {"source_id": self.source_id}), licence=self.licence)


def _zone_key(zone: str) -> str:
    key = str(zone).strip().upper()
    if key not in _manifest():
        raise InputError(f"no hourly grid data for zone '{zone}'; hourly data exist for {', '.join(zones())} "
                         "(Electricity Maps 2023); other zones use their yearly factor")
    return key


@lru_cache(maxsize=None)
def _load(key: str) -> Series:
    meta = _manifest()[key]
    path = data_dir() / meta["file"]
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if header[:3] != ["hour_utc", "carbon_intensity_lca", "estimated"]:
            raise InputError(f"{path.name}: unexpected header {header}")
        cols = list(zip(*reader))
    year = int(meta["year"])
    hours = np.array(cols[0], dtype="datetime64[h]")
    expected = np.arange(np.datetime64(f"{year}-01-01T00", "h"), np.datetime64(f"{year + 1}-01-01T00", "h"))
    if hours.shape != expected.shape or (hours != expected).any():
        raise InputError(f"{path.name}: the hours are not the consecutive hours of {year}")
    values = np.array(cols[1], dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        raise InputError(f"{path.name}: intensities must be finite and non-negative")
    return Series(zone=key, name=meta["name"], year=year, time_zone=meta["time_zone"], source_id=meta["source_id"],
                  licence=meta["licence"], boundary=meta["boundary"], hours_utc=hours,
                  intensity_g_per_kwh=values, estimated=np.array(cols[2]) == "1")


def load_series(zone: str) -> Series:
    """The hourly series of `zone` (read once, then cached).

    Raises an :class:`~footprint.errors.InputError` naming the zones with hourly data
    for any other zone.

    >>> s = load_series("FRA")
    >>> len(s.intensity_g_per_kwh), s.year, s.time_zone
    (8760, 2023, 'Europe/Paris')
    """
    return _load(_zone_key(zone))


def yearly_fallback(zone: str, profile=None) -> dict:
    """What to use for a zone without hourly data: its yearly factor, with a note saying so.

    Parameters
    ----------
    zone : str
        A zone of ``factors/grid.csv``.
    profile : Profile or str, optional
        The usage profile asked for (named in the note).

    Returns
    -------
    dict
        ``hourly`` (False), ``value_g_per_kwh`` (the yearly factor [gCO2e/kWh], None if
        the zone has none), ``factor`` (its reference) and ``note``.

    >>> r = yearly_fallback("ESP", "office-hours")
    >>> r["hourly"], r["value_g_per_kwh"] > 0
    (False, True)
    """
    from . import factors

    prof = parse_profile(profile) if profile is not None else None
    row = factors.get("grid", str(zone), "carbon_intensity")
    what = (f"the usage profile '{_short(prof.spec)}' does not change the CO2e" if prof
            else "every hour has the same intensity")
    note = (f"no hourly grid data for zone '{zone}' (hourly data: {', '.join(zones())}): its yearly factor is used "
            f"for every hour, so {what}")
    if row is None:
        note += f"; zone '{zone}' has no yearly carbon factor either (`footprint factors list grid`)"
    return {"zone": str(zone), "hourly": False, "value_g_per_kwh": None if row is None else _g_per_kwh(row),
            "factor": None if row is None else row.ref, "profile": None if prof is None else prof.spec,
            "note": note}


def _g_per_kwh(row) -> float:
    from .units import ureg

    return float(ureg.Quantity(row.value, row.unit).m_as("g/kWh"))


# -- reading user text --------------------------------------------------------------------------------------

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
    from .quantity import parse_quantity

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
    from .quantity import parse_quantity

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


# -- usage profiles -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Profile:
    """When the electricity is used (see the module docstring for the spec syntax).

    Attributes
    ----------
    kind : str
        One of :data:`PROFILE_KINDS`.
    spec : str
        The text it was read from (or an equivalent one).
    time_zone : str or None
        IANA time zone of the local hours; None: the zone's own.
    office_hours : tuple of int
        First and last-plus-one local hour of office hours.
    weekly_weights : tuple of float or None
        168 weights, Monday 00:00 local first.
    window_start : datetime or None
        Start of a batch window (naive: local time of `time_zone`).
    window_duration_h : float or None
        Duration of the batch window [h].
    """

    kind: str
    spec: str
    time_zone: str | None = None
    office_hours: tuple = OFFICE_HOURS
    weekly_weights: tuple | None = None
    window_start: datetime | None = None
    window_duration_h: float | None = None

    def label(self, tz_name: str | None = None) -> str:
        """The profile in words.

        >>> parse_profile("office-hours:Europe/Paris").label()
        'office hours, Monday-Friday 09:00-18:00 Europe/Paris'
        """
        tz_name = self.time_zone or tz_name or "the zone's time zone"
        if self.kind == "24/7":
            return "24/7, every hour alike"
        if self.kind == "office-hours":
            a, b = self.office_hours
            return f"office hours, Monday-Friday {a:02d}:00-{b:02d}:00 {tz_name}"
        if self.kind == "weekly":
            return f"custom weekly profile (168 hourly weights, Monday 00:00 first) in {tz_name}"
        start = self.window_start
        when = start.isoformat(timespec="minutes")
        when = when if start.tzinfo else f"{when} {tz_name}"
        return f"batch window from {when} for {hours_text(self.window_duration_h)}"


def hours_text(hours: float) -> str:
    """A duration in hours for people (``6 hours``, ``1.5 hours``)."""
    from .formatting import duration_text
    from .units import ureg

    return duration_text(ureg.Quantity(hours, "hour"))


_TZ_PART = re.compile(r"^([A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*)(?::(.*))?$", re.S)
_SPEC_HELP = ("accepted: 24/7, office-hours[:TZ[:HH-HH]], weekly[:TZ]:W0;...;W167 (168 weights) or "
              "weekly[:TZ]:@FILE, window[:TZ]:START/DURATION (e.g. window:2026-12-07T22:00/6 h)")


def _split_tz(rest: str) -> tuple[str | None, str]:
    """``"Europe/Paris:08-19"`` -> ``("Europe/Paris", "08-19")``; a part starting with a digit has no time zone."""
    m = _TZ_PART.match(rest)
    if not m:
        return None, rest
    time_zone(m.group(1))  # refuses an unknown name
    return m.group(1), (m.group(2) or "")


def _short(spec) -> str:
    text = " ".join(str(spec).split())
    return text if len(text) <= 48 else text[:45] + "..."


def _bad(spec, why: str) -> InputError:
    return InputError(f"usage profile '{_short(spec)}': {why}; {_SPEC_HELP}")


def parse_profile(spec) -> Profile:
    """Read a usage profile: a spec text, 168 weights (a list), or a :class:`Profile`.

    Parameters
    ----------
    spec : str or sequence of float or Profile
        ``"24/7"``, ``"office-hours:Europe/Paris"``, ``"office-hours:Europe/Paris:08-19"``,
        ``"weekly:Europe/Paris:0;0;...;1"`` (168 weights), ``"weekly:@week.csv"``,
        ``"window:2026-12-07T22:00/6 h"``, or a list of 168 weights.

    Returns
    -------
    Profile

    Examples
    --------
    >>> parse_profile("office-hours:Europe/Berlin:8-17").office_hours
    (8, 17)
    >>> parse_profile([1.0] * 168).kind
    'weekly'
    >>> parse_profile("window:2026-12-07T22:00/6 h").window_duration_h
    6.0
    """
    if isinstance(spec, Profile):
        return spec
    if not isinstance(spec, str):
        return _weekly(spec, None, "weekly:[168 weights]")
    text = spec.strip()
    head, _, rest = text.partition(":")
    kind = head.strip().lower()
    if kind in ("24/7", "24x7", "always"):
        if rest.strip():
            raise _bad(spec, "24/7 takes no argument")
        return Profile("24/7", "24/7")
    if kind == "office-hours":
        tz_name, hours = _split_tz(rest.strip()) if rest.strip() else (None, "")
        if tz_name is None and hours:
            raise _bad(spec, f"'{hours}' is not a time zone (give one before the hours, e.g. "
                             "office-hours:Europe/Paris:08-19)")
        span = OFFICE_HOURS
        if hours.strip():
            m = re.fullmatch(r"\s*(\d{1,2})(?::00)?\s*-\s*(\d{1,2})(?::00)?\s*", hours)
            if not m or not 0 <= int(m.group(1)) < int(m.group(2)) <= 24:
                raise _bad(spec, f"office hours '{hours}' must be whole local hours START-END with "
                                 "0 <= START < END <= 24, e.g. 09-18")
            span = (int(m.group(1)), int(m.group(2)))
        return Profile("office-hours", text, time_zone=tz_name, office_hours=span)
    if kind == "weekly":
        tz_name, weights = _split_tz(rest.strip())
        weights = weights.strip()
        if not weights:
            raise _bad(spec, "no weights given")
        if weights.startswith("@"):
            weights = _read_weights_file(weights[1:], spec)
        return _weekly(weights, tz_name, text)
    if kind == "window":
        tz_name, body = _split_tz(rest.strip())
        start_text, sep, duration_text = body.partition("/")
        if not sep or not start_text.strip() or not duration_text.strip():
            raise _bad(spec, "a window is START/DURATION, e.g. window:2026-12-07T22:00/6 h")
        try:
            start = datetime.fromisoformat(start_text.strip())
        except ValueError:
            raise _bad(spec, f"cannot read the start '{start_text.strip()}' "
                             "(ISO 8601, e.g. 2026-12-07T22:00)") from None
        hours = parse_duration_h(duration_text.strip(), f"usage profile '{_short(spec)}': duration")
        return Profile("window", text, time_zone=tz_name, window_start=start, window_duration_h=hours)
    raise _bad(spec, f"unknown kind '{head.strip()}'")


def _read_weights_file(path_text: str, spec) -> str:
    path = Path(path_text.strip())
    if not path.is_file():
        raise _bad(spec, f"file '{path}' not found")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(spec, f"cannot read '{path}' ({exc})") from None


def _weekly(weights, tz_name, spec_text) -> Profile:
    if isinstance(weights, str):
        body = "\n".join(line.split("#", 1)[0] for line in weights.splitlines())
        if ";" in body:
            parts = [decimal_point(p, "weekly weight") for p in re.split(r"[;\s]+", body.strip())]
        else:
            parts = re.split(r"[,\s]+", body.strip())
        parts = [p for p in parts if p]
        try:
            values = [float(p) for p in parts]
        except ValueError:
            bad = next(p for p in parts if not _is_float(p))
            raise _bad(spec_text, f"weight '{bad}' is not a number") from None
    else:
        try:
            values = [float(w) for w in weights]
        except (TypeError, ValueError):
            raise _bad(spec_text, "weights must be numbers") from None
    if len(values) != HOURS_PER_WEEK:
        raise _bad(spec_text, f"{len(values)} weights given, {HOURS_PER_WEEK} expected (one per hour of the week, "
                              "Monday 00:00 first; separate them with ';' when you use decimal commas)")
    arr = np.array(values)
    if not np.isfinite(arr).all() or (arr < 0).any() or arr.sum() <= 0:
        raise _bad(spec_text, "weights must be finite, non-negative and not all zero")
    spec = spec_text if isinstance(weights, str) else "weekly:[168 weights]"
    return Profile("weekly", spec, time_zone=tz_name, weekly_weights=tuple(values))


def _is_float(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


@lru_cache(maxsize=32)
def local_hour_of_week(year: int, tz_name: str) -> np.ndarray:
    """For each UTC hour of `year`, its local hour of the week in `tz_name` (0 = Monday 00:00-01:00).

    Daylight saving time follows the zone's rules of `year` (zoneinfo).

    >>> h = local_hour_of_week(2023, "Europe/Paris")
    >>> len(h), int(h[0])  # 2023-01-01 00:00 UTC is Sunday 01:00 in Paris
    (8760, 145)
    """
    tz = time_zone(tz_name)
    start = datetime(year, 1, 1, tzinfo=timezone.utc)
    n = (datetime(year + 1, 1, 1, tzinfo=timezone.utc) - start) // timedelta(hours=1)
    out = np.empty(n, dtype=np.int16)
    for i in range(n):
        local = (start + timedelta(hours=i)).astimezone(tz)
        out[i] = local.weekday() * 24 + local.hour
    return out


def _resolved_tz(profile: Profile, series: Series) -> tuple[str, bool]:
    """The profile's time zone and whether it is the zone's default."""
    return (profile.time_zone, False) if profile.time_zone else (series.time_zone, True)


def profile_weights(profile, series: Series) -> tuple[np.ndarray, dict]:
    """Weight of each hour of `series` under `profile`, and notes on how it was mapped.

    Returns
    -------
    weights : numpy.ndarray
        One non-negative weight per hour (share of the energy used in that hour, not normalised).
    info : dict
        ``time_zone``, ``time_zone_default``, and ``stand_in`` for a window of another year.
    """
    profile = parse_profile(profile)
    tz_name, tz_default = _resolved_tz(profile, series)
    info = {"time_zone": tz_name, "time_zone_default": tz_default, "stand_in": None}
    n = len(series.intensity_g_per_kwh)
    if profile.kind == "24/7":
        return np.ones(n), info
    if profile.kind in ("office-hours", "weekly"):
        how = local_hour_of_week(series.year, tz_name)
        if profile.kind == "weekly":
            return np.asarray(profile.weekly_weights, dtype=float)[how], info
        day, hour = how // 24, how % 24
        a, b = profile.office_hours
        return (np.isin(day, OFFICE_DAYS) & (hour >= a) & (hour < b)).astype(float), info
    start = parse_when(profile.window_start, tz_name, "window start")
    end = start + timedelta(hours=profile.window_duration_h)
    shift = stand_in_shift(start, end, series)
    info["stand_in"] = shift
    a = (start.astimezone(timezone.utc) + timedelta(days=shift["shift_days"]) - series.start) / timedelta(hours=1)
    b = a + profile.window_duration_h
    lo = np.arange(n, dtype=float)
    weights = np.clip(np.minimum(lo + 1, b) - np.maximum(lo, a), 0.0, 1.0)
    return weights, info


# -- the 2023 stand-in --------------------------------------------------------------------------------------

def stand_in_shift(start: datetime, end: datetime, series: Series) -> dict:
    """The whole number of weeks that maps [`start`, `end`) into the data year.

    The shift brings `start` closest to the same calendar date of the data year
    (weekdays aligned), then moves by whole weeks until the span lies within the
    data; zero when it already does.

    Returns
    -------
    dict
        ``used`` (bool), ``shift_days`` (a multiple of 7), ``data_start_utc``,
        ``data_end_utc`` and ``note``.

    >>> s = load_series("FRA")
    >>> a = parse_when("2026-12-07", "Europe/Paris")
    >>> r = stand_in_shift(a, a + timedelta(days=7), s)
    >>> r["shift_days"], r["data_start_utc"]
    (-1099, '2023-12-03T23:00Z')
    """
    a, b = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    if b - a > series.end - series.start - timedelta(days=7):
        raise InputError(f"the search window from {start.isoformat(timespec='minutes')} to "
                         f"{end.isoformat(timespec='minutes')} is longer than the one year of hourly data "
                         f"({series.year}) can stand in for; keep it within 51 weeks")
    if series.start <= a and b <= series.end:
        days = 0
    else:
        d = a.date()
        try:
            same = d.replace(year=series.year)
        except ValueError:  # 29 February
            same = date(series.year, 2, 28)
        days = 7 * round((same - d).days / 7)
        while a + timedelta(days=days) < series.start:
            days += 7
        while b + timedelta(days=days) > series.end:
            days -= 7
    sa, sb = a + timedelta(days=days), b + timedelta(days=days)
    used = days != 0
    note = None
    if used:
        note = (f"the data are of {series.year}: the matching span of {series.year}, {abs(days) // 7} whole weeks "
                f"{'earlier' if days < 0 else 'later'} (weekdays aligned; {iso_utc(sa)} to {iso_utc(sb)}), stands in as "
                "typical for the dates asked for; local hours may be one hour off on the days when one year is on "
                "summer time and the other not")
    return {"used": used, "shift_days": days, "data_start_utc": iso_utc(sa), "data_end_utc": iso_utc(sb), "note": note}


def iso_utc(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


# -- profile-weighted intensity -----------------------------------------------------------------------------

def weighted_intensity(zone: str, profile="24/7") -> dict:
    """Carbon intensity weighted by a usage profile, beside the same series' yearly average.

    Parameters
    ----------
    zone : str
        A zone with hourly data (:func:`zones`).
    profile : str or Profile or sequence of float
        See :func:`parse_profile`.

    Returns
    -------
    dict
        ``value_g_per_kwh`` (profile-weighted [gCO2e/kWh]), ``yearly_average_g_per_kwh``
        (the same series, unweighted [gCO2e/kWh]), ``difference_g_per_kwh``, ``ratio``,
        ``zone``, ``zone_name``, ``data_year``, ``boundary``, ``profile`` (spec, kind,
        label, time zone, hours used, share of the year), ``source``, ``limits``,
        ``notes`` and ``description`` (one line).

    Examples
    --------
    >>> r = weighted_intensity("FRA", "24/7")
    >>> r["value_g_per_kwh"] == r["yearly_average_g_per_kwh"]
    True
    """
    series = load_series(zone)
    prof = parse_profile(profile)
    weights, info = profile_weights(prof, series)
    total = weights.sum()
    if not total > 0:
        raise InputError(f"usage profile '{_short(prof.spec)}' selects no hour of the {series.year} data")
    intensity = series.intensity_g_per_kwh
    value = float(weights @ intensity / total) if prof.kind != "24/7" else series.yearly_average_g_per_kwh
    average = series.yearly_average_g_per_kwh
    used = weights > 0
    notes = []
    if info["time_zone_default"] and prof.kind != "24/7":
        notes.append(f"time zone {info['time_zone']}: the default of zone {series.zone} (give one in the profile, "
                     f"e.g. {prof.kind}:Europe/Paris)")
    if prof.kind == "office-hours":
        notes.append("public holidays are counted as working days")
    if info["stand_in"] and info["stand_in"]["used"]:
        notes.append(info["stand_in"]["note"])
    n_est = int(series.estimated[used].sum())
    if n_est:
        notes.append(f"{n_est} of the hours used were estimated by Electricity Maps")
    label = prof.label(info["time_zone"])
    return {
        "zone": series.zone, "zone_name": series.name, "data_year": series.year, "boundary": series.boundary,
        "value_g_per_kwh": value, "yearly_average_g_per_kwh": average,
        "difference_g_per_kwh": value - average, "ratio": value / average,
        "profile": {"spec": prof.spec, "kind": prof.kind, "label": label, "time_zone": info["time_zone"],
                    "time_zone_default": info["time_zone_default"], "hours_used": int(used.sum()),
                    "share_of_year": float(used.mean()), "stand_in": info["stand_in"]},
        "source": series.source(), "limits": limits(zones()), "notes": notes,
        "description": (f"{series.name} ({series.zone}), {label}: {value:.1f} gCO2e/kWh against {average:.1f} "
                        f"gCO2e/kWh for every hour of {series.year} alike ({BOUNDARY})"),
    }


def profile_intensity(zone: str, profile="24/7") -> dict:
    """:func:`weighted_intensity` for a zone with hourly data, else :func:`yearly_fallback`.

    The result has ``hourly`` True or False; with False, ``value_g_per_kwh`` is the
    yearly factor and ``note`` says that the profile changed nothing.

    >>> profile_intensity("ESP", "office-hours")["hourly"], profile_intensity("FRA", "24/7")["hourly"]
    (False, True)
    """
    if not has_hourly(zone):
        return yearly_fallback(zone, profile)
    return dict(weighted_intensity(zone, profile), hourly=True)


# -- best time to run ---------------------------------------------------------------------------------------

def job_intensities(intensity: np.ndarray, duration_h: float) -> np.ndarray:
    """Mean intensity of a job of `duration_h` hours started at each whole hour [same unit as `intensity`].

    Element ``s`` is the mean over [s, s + duration) with the hourly values held
    constant within each hour; only the starts whose job ends within the series
    are returned (``len(intensity) - ceil(duration_h) + 1`` of them).  Vectorised
    with a cumulative sum.

    >>> job_intensities(np.array([1.0, 2.0, 3.0, 4.0]), 2)
    array([1.5, 2.5, 3.5])
    >>> job_intensities(np.array([1.0, 2.0, 3.0, 4.0]), 1.5)
    array([1.33333333, 2.33333333, 3.33333333])
    """
    whole = int(math.floor(duration_h))
    frac = duration_h - whole
    span = whole + (1 if frac > 1e-12 else 0)
    n = len(intensity) - span + 1
    if n <= 0:
        return np.empty(0)
    cum = np.concatenate(([0.0], np.cumsum(intensity, dtype=float)))
    starts = np.arange(n)
    total = cum[starts + whole] - cum[starts]
    if span > whole:
        total = total + frac * intensity[starts + whole]
    return total / duration_h


def _ceil_hour(when: datetime) -> datetime:
    w = when.astimezone(timezone.utc)
    floor = w.replace(minute=0, second=0, microsecond=0)
    return floor if floor == w else floor + timedelta(hours=1)


def _job_energy_kwh(energy, power, duration_h: float) -> tuple:
    """``(energy [kWh], how it was given)`` of a job from --energy or --power; ``(None, None)`` without either."""
    if energy is not None and power is not None:
        raise InputError("give --energy or --power, not both (energy = power x duration)")
    energy_kwh, basis = None, None
    if energy is not None:
        energy_kwh = float(energy) if isinstance(energy, (int, float)) else parse_energy_kwh(energy)
        basis = "energy given"
    elif power is not None:
        power_kw = float(power) if isinstance(power, (int, float)) else parse_power_kw(power)
        energy_kwh, basis = power_kw * duration_h, "power given x duration"
    if energy_kwh is not None and not (math.isfinite(energy_kwh) and energy_kwh > 0):
        raise InputError("--energy/--power must be positive")
    return energy_kwh, basis


def _job_notes(shift: dict, energy_kwh, basis, best: dict) -> list[str]:
    """What a best start relied on: a stand-in year, the energy's basis, estimated hours."""
    notes = [shift["note"]] if shift["used"] else []
    if energy_kwh is None:
        notes.append("no energy given: CO2e figures are not computed (give --energy or --power); intensities are")
    else:
        notes.append(f"energy {energy_kwh:g} kWh ({basis}) drawn from the grid, spread evenly over the job; "
                     "it should include the data centre's overhead (PUE)")
    if best["estimated_hours"]:
        notes.append(f"{best['estimated_hours']} hour(s) of the best start were estimated by Electricity Maps")
    return notes


def best_start(zone: str, duration, earliest, deadline, energy=None, power=None, tz: str | None = None) -> dict:
    """The lowest-carbon start of a job within a search window, and its saving.

    Every whole hour (UTC) from `earliest` on whose job ends by `deadline` is a
    candidate start.

    Parameters
    ----------
    zone : str
        A zone with hourly data.
    duration : str or float
        Duration of the job ("6 h"; a number is in hours) [h].
    earliest, deadline : str or datetime
        The job runs entirely within [earliest, deadline); a date or a date-time without
        an offset is local time of `tz`.
    energy : str or float, optional
        Energy the job draws from the grid ("40 kWh"; a number is in kWh) [kWh].
    power : str or float, optional
        Its mean power instead ("5 kW"; a number is in kW) [kW]; energy = power x duration.
    tz : str, optional
        IANA time zone of the dates; default: the zone's (named in the result).

    Returns
    -------
    dict
        ``best``, ``worst`` (start, end, data hour, ``intensity_g_per_kwh``, ``co2e_kg``),
        ``average_start`` (mean over every candidate start), ``saving_vs_average`` and
        ``saving_vs_worst`` (``co2e_kg``, ``intensity_g_per_kwh``, ``percent``),
        ``saving_kind``, ``stand_in``, ``window``, ``energy_kwh`` (None without energy or
        power: CO2e figures are then None), ``limits``, ``notes``, ``source``.

    Examples
    --------
    >>> r = best_start("FRA", "6 h", "2023-12-04", "2023-12-11", energy="40 kWh")
    >>> r["candidate_starts"], r["stand_in"]["used"]
    (163, False)
    >>> r["best"]["co2e_kg"] <= r["average_start"]["co2e_kg"] <= r["worst"]["co2e_kg"]
    True
    """
    series = load_series(zone)
    tz_name, tz_default = (tz, False) if tz else (series.time_zone, True)
    time_zone(tz_name)
    duration_h = parse_duration_h(duration, "--duration")
    a = parse_when(earliest, tz_name, "--earliest")
    b = parse_when(deadline, tz_name, "--deadline")
    if b <= a:
        raise InputError(f"--deadline ({b.isoformat()}) must come after --earliest ({a.isoformat()})")
    energy_kwh, basis = _job_energy_kwh(energy, power, duration_h)
    first, n_starts = _candidate_starts(a, b, duration_h)
    w = _start_intensities(series, first, n_starts, duration_h)
    per_start = w["per_start"]
    best_i, worst_i = int(np.argmin(per_start)), int(np.argmax(per_start))
    mean_i = float(per_start.mean())
    tz_obj = time_zone(tz_name)
    best, worst = (_job_at(k, series, w, first, duration_h, energy_kwh, tz_obj) for k in (best_i, worst_i))
    notes = [f"dates read in {tz_name}, the default time zone of zone {series.zone} (--tz to change)"
             ] if tz_default else []
    notes += _job_notes(w["shift"], energy_kwh, basis, best)
    if first != a.astimezone(timezone.utc):
        notes.append(f"starts are on whole hours: the first candidate is {first.astimezone(tz_obj).isoformat()}")
    return {
        "zone": series.zone, "zone_name": series.name, "data_year": series.year, "boundary": series.boundary,
        "time_zone": tz_name, "time_zone_default": tz_default, "duration_h": duration_h,
        "energy_kwh": energy_kwh, "energy_basis": basis,
        "window": {"earliest": a.astimezone(tz_obj).isoformat(timespec="minutes"),
                   "deadline": b.astimezone(tz_obj).isoformat(timespec="minutes"),
                   "rule": "the job starts on a whole hour at or after the earliest time and ends by the deadline"},
        "candidate_starts": n_starts, "stand_in": w["shift"],
        "best": best, "worst": worst,
        "average_start": {"intensity_g_per_kwh": mean_i, "co2e_kg": _co2e_kg(energy_kwh, mean_i)},
        "saving_vs_average": _saving(mean_i, float(per_start[best_i]), energy_kwh),
        "saving_vs_worst": _saving(float(per_start[worst_i]), float(per_start[best_i]), energy_kwh),
        "saving_kind": SAVING_KIND,
        "yearly_average_g_per_kwh": series.yearly_average_g_per_kwh,
        "source": series.source(), "limits": limits(zones()), "notes": notes,
    }


def _candidate_starts(a: datetime, b: datetime, duration_h: float):
    """The first whole-hour start at or after `a` (UTC) and how many starts end by `b` (refused when none)."""
    first = _ceil_hour(a)
    last = b - timedelta(hours=duration_h)  # latest allowed start
    if last < first:
        raise InputError(f"a {hours_text(duration_h)} job starting on a whole hour does not fit between "
                         f"{a.isoformat()} and {b.isoformat()}; widen the window or shorten --duration")
    return first, int((last.astimezone(timezone.utc) - first) // timedelta(hours=1)) + 1


def _start_intensities(series, first: datetime, n_starts: int, duration_h: float) -> dict:
    """The job's mean intensity for each candidate start [g/kWh], on the data year (shifted: ``shift``).

    Returns ``shift`` (:func:`stand_in_shift`), ``offset`` (to the data hours), ``i0`` (the first start's data
    hour), ``span`` (data hours a job touches) and ``per_start``.
    """
    span_end = first + timedelta(hours=n_starts - 1 + duration_h)
    shift = stand_in_shift(first, span_end, series)
    offset = timedelta(days=shift["shift_days"])
    i0 = int((first + offset - series.start) // timedelta(hours=1))
    span = int(math.ceil(duration_h - 1e-12))
    segment = series.intensity_g_per_kwh[i0: i0 + n_starts - 1 + span]
    return {"shift": shift, "offset": offset, "i0": i0, "span": span,
            "per_start": job_intensities(segment, duration_h)[:n_starts]}


def _co2e_kg(energy_kwh, intensity):
    """CO2e of the job at a mean intensity [kg] (None without energy)."""
    return None if energy_kwh is None else energy_kwh * intensity / 1000.0


def _job_at(k: int, series, w: dict, first: datetime, duration_h: float, energy_kwh, tz_obj) -> dict:
    """The job started at candidate `k`: start and end in `tz_obj`, its data hour, intensity and CO2e."""
    start = first + timedelta(hours=k)
    hours = slice(w["i0"] + k, w["i0"] + k + w["span"])
    intensity = float(w["per_start"][k])
    return {"start": start.astimezone(tz_obj).isoformat(timespec="minutes"),
            "end": (start + timedelta(hours=duration_h)).astimezone(tz_obj).isoformat(timespec="minutes"),
            "data_start_utc": iso_utc(start + w["offset"]), "intensity_g_per_kwh": intensity,
            "co2e_kg": _co2e_kg(energy_kwh, intensity), "estimated_hours": int(series.estimated[hours].sum())}


def _saving(ref: float, best: float, energy_kwh) -> dict:
    """The saving of the best start against a reference intensity [g/kWh]: intensity, CO2e, percent."""
    d = ref - best
    return {"intensity_g_per_kwh": d, "co2e_kg": _co2e_kg(energy_kwh, d), "percent": 100.0 * d / ref if ref > 0 else 0.0}


__all__ = ["DATA_YEAR", "BOUNDARY", "PROFILE_KINDS", "Profile", "Series", "zones", "has_hourly", "load_series",
           "zone_info", "parse_profile", "profile_weights", "weighted_intensity", "profile_intensity",
           "yearly_fallback",
           "best_start", "job_intensities", "stand_in_shift", "local_hour_of_week", "parse_when",
           "parse_duration_h", "parse_energy_kwh", "parse_power_kw", "decimal_point"]
