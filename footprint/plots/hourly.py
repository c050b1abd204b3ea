"""Heat maps of a zone's hourly carbon intensity, with the usage profile or the best start on top.

Two figures, each built from a table of numbers returned with it (the rows are
listed under the figure in the page):

:func:`week_heatmap`
    Day of the week x local hour: the mean intensity of each cell over the data
    year, and the usage profile's weight of each cell drawn as open squares (the
    larger the square, the more energy in that hour).
:func:`window_heatmap`
    Date x local hour over the search window of :func:`footprint.hourly.best_start`:
    the intensity of each hour (from the 2023 stand-in when the dates are of
    another year), the best job marked with squares and the worst with crosses.

plotly is imported inside the functions.  The colour scale is cividis, readable
with the common colour-vision deficiencies; markers use Okabe and Ito's palette.

References
----------
.. [1] Nuñez, J. R., Anderton, C. R., Renslow, R. S. (2018). Optimizing colormaps with
   consideration for color vision deficiency to enable accurate interpretation of
   scientific data. PLoS ONE 13(7), e0199239. doi:10.1371/journal.pone.0199239
.. [2] Okabe, M. and Ito, K. (2008). Color Universal Design (CUD). https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from .. import hourly

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
BEST_COLOUR, WORST_COLOUR, PROFILE_COLOUR = "#009E73", "#D55E00", "#E69F00"  # Okabe-Ito


def week_table(zone: str, profile="24/7") -> "plots.Table":  # noqa: F821 - plots imported lazily
    """Rows of the week heat map: local day, hour, mean intensity [gCO2e/kWh], profile weight.

    Parameters
    ----------
    zone : str
        A zone with hourly data.
    profile : str or Profile
        The usage profile drawn on top (its time zone sets the local hours).

    Returns
    -------
    footprint.plots.Table
        One row per (day, hour): ``day``, ``hour``, ``intensity_g_per_kwh`` (mean over the
        data year), ``hours`` (how many hours of the year fall in the cell), ``weight``
        (mean profile weight of those hours).
    """
    from .data import Table

    series = hourly.load_series(zone)
    prof = hourly.parse_profile(profile)
    weights, info = hourly.profile_weights(prof, series)
    how = hourly.local_hour_of_week(series.year, info["time_zone"]).astype(int)
    count = np.bincount(how, minlength=hourly.HOURS_PER_WEEK)
    mean = np.bincount(how, weights=series.intensity_g_per_kwh, minlength=hourly.HOURS_PER_WEEK) / count
    weight = np.bincount(how, weights=weights, minlength=hourly.HOURS_PER_WEEK) / count
    rows = [{"day": DAYS[k // 24], "hour": k % 24, "intensity_g_per_kwh": float(mean[k]), "hours": int(count[k]),
             "weight": float(weight[k])} for k in range(hourly.HOURS_PER_WEEK)]
    label = prof.label(info["time_zone"])
    meta = {"zone": series.zone, "name": series.name, "year": series.year, "time_zone": info["time_zone"],
            "profile": label, "kind": prof.kind, "boundary": series.boundary,
            "average": series.yearly_average_g_per_kwh}
    return Table(kind="week heat map", metric="co2e", rows=rows, meta=meta)


def week_heatmap(zone: str, profile="24/7"):
    """Day-of-week x hour heat map of `zone`'s intensity with `profile` on top: ``(Figure, Table)``."""
    import plotly.graph_objects as go

    from .figures import style_figure, title_layout

    t = week_table(zone, profile)
    m = t.meta
    z = np.array([r["intensity_g_per_kwh"] for r in t.rows]).reshape(7, 24)
    w = np.array([r["weight"] for r in t.rows]).reshape(7, 24)
    fig = go.Figure(go.Heatmap(
        z=z, x=list(range(24)), y=list(DAYS), colorscale="Cividis", colorbar={"title": {"text": "gCO2e/kWh"}},
        hovertemplate="%{y} %{x}:00-%{x}:59 local: %{z:.1f} gCO2e/kWh<extra></extra>"))
    if m["kind"] != "24/7" and w.max() > 0:
        day_idx, hour_idx = np.nonzero(w > 0)
        size = 8 + 14 * w[day_idx, hour_idx] / w.max()
        fig.add_trace(go.Scatter(
            x=hour_idx, y=[DAYS[d] for d in day_idx], mode="markers", name="usage profile (weight)",
            marker={"symbol": "square-open", "size": size, "color": PROFILE_COLOUR, "line": {"width": 2}},
            customdata=w[day_idx, hour_idx], hovertemplate="profile weight %{customdata:.3g}<extra></extra>"))
    fig.update_layout(title=title_layout(
        f"{m['name']} ({m['zone']}): carbon intensity by day and hour, mean of {m['year']}",
        f"Local time {m['time_zone']}. Squares: {m['profile']}. Yearly average of the series "
        f"{m['average']:.1f} gCO2e/kWh. Boundary: {m['boundary']}; average, not marginal, intensity. "
        "Data: Electricity Maps, ODbL."))
    fig.update_xaxes(title="local hour (start)", dtick=1)
    fig.update_yaxes(autorange="reversed")
    style_figure(fig)
    fig.update_layout(margin={"t": _top_margin_safe(fig)}, legend={"orientation": "h", "y": -0.15})
    return fig, t


def _top_margin_safe(fig) -> int:
    from .figures import top_margin

    return top_margin(fig, 10)


def window_table(result: dict) -> "plots.Table":  # noqa: F821
    """Rows of the window heat map of a :func:`footprint.hourly.best_start` result.

    One row per hour of the search window: ``date`` and ``hour`` (local, dates as
    asked for), ``data_hour_utc`` (the hour of the data used), ``intensity_g_per_kwh``,
    ``in_best`` and ``in_worst`` (share of the hour in the best and the worst job).
    """
    from .data import Table

    series = hourly.load_series(result["zone"])
    tz = hourly.time_zone(result["time_zone"])
    shift = timedelta(days=result["stand_in"]["shift_days"])
    a = datetime.fromisoformat(result["window"]["earliest"]).astimezone(timezone.utc)
    b = datetime.fromisoformat(result["window"]["deadline"]).astimezone(timezone.utc)
    start = a.replace(minute=0, second=0, microsecond=0)
    jobs = {}
    for key in ("best", "worst"):
        s = datetime.fromisoformat(result[key]["start"]).astimezone(timezone.utc)
        jobs[key] = (s, s + timedelta(hours=result["duration_h"]))
    rows = []
    h = start
    while h < b:
        i = int((h + shift - series.start) // timedelta(hours=1))
        local = h.astimezone(tz)
        row = {"date": local.strftime("%a %Y-%m-%d"), "hour": local.hour, "data_hour_utc": hourly.iso_utc(h + shift),
               "intensity_g_per_kwh": float(series.intensity_g_per_kwh[i])}
        for key, (js, je) in jobs.items():
            overlap = (min(h + timedelta(hours=1), je) - max(h, js)) / timedelta(hours=1)
            row[f"in_{key}"] = max(0.0, overlap)
        rows.append(row)
        h += timedelta(hours=1)
    meta = {k: result[k] for k in ("zone", "zone_name", "data_year", "time_zone", "duration_h", "boundary")}
    meta["stand_in"] = result["stand_in"]
    meta["best"], meta["worst"] = result["best"], result["worst"]
    return Table(kind="window heat map", metric="co2e", rows=rows, meta=meta)


def window_heatmap(result: dict):
    """Date x hour heat map of a best-start search, best and worst job marked: ``(Figure, Table)``."""
    import plotly.graph_objects as go

    from .figures import style_figure, title_layout

    t = window_table(result)
    m = t.meta
    dates = list(dict.fromkeys(r["date"] for r in t.rows))
    z = np.full((len(dates), 24), np.nan)
    for r in t.rows:  # an hour that repeats when summer time ends is averaged
        d = dates.index(r["date"])
        z[d, r["hour"]] = r["intensity_g_per_kwh"] if np.isnan(z[d, r["hour"]]) else (
            z[d, r["hour"]] + r["intensity_g_per_kwh"]) / 2
    fig = go.Figure(go.Heatmap(
        z=z, x=list(range(24)), y=dates, colorscale="Cividis", colorbar={"title": {"text": "gCO2e/kWh"}},
        hovertemplate="%{y} %{x}:00 local: %{z:.1f} gCO2e/kWh<extra></extra>"))
    for key, colour, symbol, label in (("best", BEST_COLOUR, "square-open", "best start"),
                                       ("worst", WORST_COLOUR, "x-thin-open", "worst start")):
        cells = [(r["date"], r["hour"]) for r in t.rows if r[f"in_{key}"] > 0]
        fig.add_trace(go.Scatter(
            x=[c[1] for c in cells], y=[c[0] for c in cells], mode="markers",
            name=f"{label}: {m[key]['start'][:16].replace('T', ' ')}, {m[key]['intensity_g_per_kwh']:.1f} gCO2e/kWh",
            marker={"symbol": symbol, "size": 16, "color": colour, "line": {"width": 3, "color": colour}},
            hoverinfo="skip"))
    stand_in = m["stand_in"]
    sub = (f"Local time {m['time_zone']}; a {m['duration_h']:g} h job. "
           + (f"Hours of {m['data_year']} from {stand_in['data_start_utc']} stand in for the dates shown "
              "(whole weeks, weekdays aligned). " if stand_in["used"] else "")
           + f"Boundary: {m['boundary']}; average, not marginal, intensity: the saving is attributional, "
             "not an avoided emission. Data: Electricity Maps, ODbL.")
    fig.update_layout(title=title_layout(f"{m['zone_name']} ({m['zone']}): best time to run", sub))
    fig.update_xaxes(title="local hour (start)", dtick=1)
    fig.update_yaxes(autorange="reversed")
    style_figure(fig)
    fig.update_layout(height=max(420, 160 + 26 * len(dates)), margin={"t": _top_margin_safe(fig)},
                      legend={"orientation": "h", "y": -0.2})
    return fig, t


def write_page(items, path, title: str, intro: str = ""):
    """Write ``(Figure, Table)`` pairs as one self-contained HTML page, atomically."""
    from .files import page, write_atomic

    return write_atomic(path, page(items, title=title, intro=intro))


__all__ = ["week_table", "week_heatmap", "window_table", "window_heatmap", "write_page"]
