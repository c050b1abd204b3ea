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

from .text import parse_when, parse_duration_h, parse_energy_kwh, parse_power_kw, decimal_point  # noqa: F401
from .series import DATA_YEAR, BOUNDARY, Series, zones, has_hourly, load_series, zone_info, stand_in_shift  # noqa: F401
from .profiles import PROFILE_KINDS, Profile, parse_profile, profile_weights, weighted_intensity, profile_intensity, yearly_fallback, local_hour_of_week  # noqa: F401
from .jobs import best_start, job_intensities  # noqa: F401
# also read as footprint.hourly.NAME by the package (factors check, the scheduler's command and heatmaps)
from .text import time_zone  # noqa: F401
from .series import cited_sources, data_dir, iso_utc  # noqa: F401
from .profiles import HOURS_PER_WEEK  # noqa: F401

__all__ = ["DATA_YEAR", "BOUNDARY", "PROFILE_KINDS", "Profile", "Series", "zones", "has_hourly", "load_series",
           "zone_info", "parse_profile", "profile_weights", "weighted_intensity", "profile_intensity",
           "yearly_fallback",
           "best_start", "job_intensities", "stand_in_shift", "local_hour_of_week", "parse_when",
           "parse_duration_h", "parse_energy_kwh", "parse_power_kw", "decimal_point"]
