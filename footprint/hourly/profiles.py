"""Usage profiles (24/7, office hours, a custom week, a window) and the intensity they weight."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import InputError
from .text import decimal_point, hours_text, parse_duration_h, parse_when, time_zone
from .series import BOUNDARY, Series, has_hourly, limits, load_series, stand_in_shift, zones

#: Hours of a week (the length of a custom weekly profile).
HOURS_PER_WEEK = 168


#: Office hours by default: Monday to Friday, from 09:00 to 18:00 local time.
OFFICE_DAYS = (0, 1, 2, 3, 4)


OFFICE_HOURS = (9, 18)


#: Kinds of usage profile.
PROFILE_KINDS = ("24/7", "office-hours", "weekly", "window")


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
    from .. import factors

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
    from ..units import ureg

    return float(ureg.Quantity(row.value, row.unit).m_as("g/kWh"))


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
