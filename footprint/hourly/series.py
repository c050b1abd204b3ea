"""The shipped hourly series: the zones, their data (:class:`Series`), the 2023 stand-in of other years."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import InputError
from .text import time_zone

#: Hourly data are of this year; another year's dates use the matching week of it.
DATA_YEAR = 2023


#: What the hourly intensity covers (the yearly default of a zone may cover something else).
BOUNDARY = "life-cycle, consumption-based, Electricity Maps 2023"


def limits(zones) -> list[str]:
    """What the hourly figures are and are not (shown with every result)."""
    return [
        "average (not marginal) carbon intensity of the electricity consumed",
        f"one year of data ({DATA_YEAR}), used as a typical year for other years",
        f"hourly data for {len(zones)} zones only ({', '.join(zones)}); other zones use their yearly factor",
        f"boundary {BOUNDARY}: compare with this series' own yearly average, not with the zone's yearly "
        "default factor (for France, ADEME Base Empreinte, another boundary)",
    ]


def data_dir() -> Path:
    """The folder of the shipped hourly series (``factors/grid_hourly``)."""
    from ..factors import data_dirs

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
        from ..factors import sources

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

    >>> from footprint.hourly.text import parse_when
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
