"""The best time to run a job: every whole-hour start of a window, the lowest-carbon one and its saving."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np

from ..errors import InputError
from .text import hours_text, parse_duration_h, parse_energy_kwh, parse_power_kw, parse_when, time_zone
from .series import iso_utc, limits, load_series, stand_in_shift, zones

SAVING_KIND = ("attributional saving on the average intensity of the electricity consumed, not an avoided "
               "emission: moving a job changes which plants run at the margin, and marginal intensities are "
               "not open data")


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
