"""Build ``factors/grid_hourly/`` from Electricity Maps' 2023 hourly portal files (ODbL).

Reads the portal CSV of each zone (columns ``Datetime (UTC)``, ``Carbon Intensity
gCO₂eq/kWh (LCA)``, ``Data Estimated``...) and writes a compact file per zone:
``hour_utc`` (start of the hour, UTC), ``carbon_intensity_lca`` [gCO2e/kWh] and
``estimated`` (1 where Electricity Maps estimated the hour).  The values are copied
as published, not rounded.  The files must hold the 8,760 consecutive hours of
2023; anything else stops the script.

Usage::

    python scripts/build_grid_hourly.py FR_2023_hourly.csv:FRA DE_2023_hourly.csv:DEU GB_2023_hourly.csv:GBR

Each argument is a portal file and the footprint zone (ISO 3166 alpha-3) it is for.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "factors" / "grid_hourly"
YEAR = 2023


def _hour(text: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"):  # the GB file uses day/month/year
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    raise SystemExit(f"unreadable date '{text}'")


def convert(src: Path, zone: str) -> Path:
    with src.open(newline="", encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
    lca = next(c for c in records[0] if "(LCA)" in c)
    start = datetime(YEAR, 1, 1, tzinfo=timezone.utc)
    hours = (datetime(YEAR + 1, 1, 1, tzinfo=timezone.utc) - start) // timedelta(hours=1)
    if len(records) != hours:
        raise SystemExit(f"{src}: {len(records)} rows, {hours} expected")
    lines = ["hour_utc,carbon_intensity_lca,estimated"]
    for i, rec in enumerate(records):
        when = _hour(rec["Datetime (UTC)"])
        if when != start + timedelta(hours=i):
            raise SystemExit(f"{src} row {i + 2}: {when} is not the expected hour {start + timedelta(hours=i)}")
        value = rec[lca].strip()
        float(value)  # refuses an empty or non-numeric intensity
        estimated = {"true": "1", "false": "0"}[rec["Data Estimated"].strip().lower()]
        lines.append(f"{when:%Y-%m-%dT%H:%M},{value},{estimated}")
    path = OUT / f"{zone}_{YEAR}.csv"
    fd, tmp = tempfile.mkstemp(dir=OUT, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", metavar="FILE.csv:ZONE")
    for arg in parser.parse_args().files:
        src, _, zone = arg.rpartition(":")
        print(convert(Path(src), zone.upper()))


if __name__ == "__main__":
    main()
