"""Factor tables: load, validate and look up sourced values.

Tables are long-form CSV files (``factors/*.csv``): one or more key columns, then
``parameter, value, unit, low, high, status, source_id, year, notes``; and
``factors/sources.csv`` maps every ``source_id`` to a citation.  Users may add or
override rows with their own directory of tables of the same shape, named in the
environment variable ``FOOTPRINT_FACTORS`` (rows with the same key and parameter
replace the shipped ones).

Tables are read on first use and cached; nothing is read at import.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import InputError, unknown_name

VALUE_COLUMNS = ("parameter", "value", "unit", "low", "high", "status", "source_id", "year", "notes")
SOURCE_COLUMNS = ("source_id", "citation", "url_or_doi", "year", "accessed")
STATUSES = ("published", "derived", "estimate", "assumption", "calibrated")

#: Key columns of each shipped table (a table not listed takes every column before ``parameter``).
TABLE_KEYS = {
    "grid": ("zone", "name"),
    "datacenters": ("profile",),
    "gpus": ("gpu",),
    "servers": ("profile",),
    "models": ("model", "task"),
    "constants": ("name",),
}


def data_dirs() -> list[Path]:
    """Directories holding factor tables, shipped first, user overrides last."""
    here = Path(__file__).resolve().parent
    dirs = []
    for candidate in (here / "_factors", here.parent / "factors"):
        if (candidate / "sources.csv").is_file():
            dirs.append(candidate)
            break
    extra = os.environ.get("FOOTPRINT_FACTORS")
    if extra:
        for part in extra.split(os.pathsep):
            if part:
                p = Path(part)
                if not p.is_dir():
                    raise InputError(f"FOOTPRINT_FACTORS: '{part}' is not a directory of factor tables")
                dirs.append(p)
    if not dirs:
        raise InputError("no factor tables found: reinstall footprint (the wheel ships them) or set FOOTPRINT_FACTORS")
    return dirs


@dataclass(frozen=True)
class Factor:
    """One sourced number of a factor table."""

    table: str
    key: tuple
    parameter: str
    value: float
    unit: str
    low: float | None
    high: float | None
    status: str
    source_id: str
    year: str
    notes: str
    path: str = ""

    @property
    def quantity(self):
        """The value as a Quantity, or a :class:`~footprint.uncertainty.Range` when it has one."""
        from .uncertainty import Range
        from .units import ureg

        if self.low is None and self.high is None:
            return ureg.Quantity(self.value, self.unit)
        low = self.value if self.low is None else self.low
        high = self.value if self.high is None else self.high
        return Range(ureg.Quantity(low, self.unit), ureg.Quantity(high, self.unit), ureg.Quantity(self.value, self.unit))

    @property
    def ref(self) -> str:
        """Short reference used in assumption lists: ``table:key/parameter (source_id)``."""
        return f"{self.table}:{'/'.join(self.key)}/{self.parameter} [{self.status}; {self.source_id}]"

    def as_dict(self) -> dict:
        return {
            "table": self.table, "key": list(self.key), "parameter": self.parameter, "value": self.value,
            "unit": self.unit, "low": self.low, "high": self.high, "status": self.status,
            "source_id": self.source_id, "year": self.year, "notes": self.notes,
        }


def _float(text: str, where: str):
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{where}: '{text}' is not a number") from None


def _read_table(path: Path) -> list[Factor]:
    name = path.stem
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = tuple(reader.fieldnames or ())
        if header[-len(VALUE_COLUMNS):] != VALUE_COLUMNS:
            raise InputError(f"{path}: header must end with {','.join(VALUE_COLUMNS)}")
        keys = header[: len(header) - len(VALUE_COLUMNS)]
        rows = []
        for i, rec in enumerate(reader, start=2):
            where = f"{path.name} line {i}"
            value = _float(rec["value"], where)
            if value is None:
                raise InputError(f"{where}: empty value")
            rows.append(Factor(
                table=name, key=tuple(rec[k].strip() for k in keys), parameter=rec["parameter"].strip(),
                value=value, unit=rec["unit"].strip(), low=_float(rec["low"], where), high=_float(rec["high"], where),
                status=rec["status"].strip(), source_id=rec["source_id"].strip(), year=(rec["year"] or "").strip(),
                notes=(rec["notes"] or "").strip(), path=str(path),
            ))
    return rows


@lru_cache(maxsize=None)
def _all_rows() -> dict[str, dict[tuple, Factor]]:
    tables: dict[str, dict[tuple, Factor]] = {}
    for d in data_dirs():
        for path in sorted(d.glob("*.csv")):
            if path.stem.startswith("sources"):
                continue
            table = tables.setdefault(path.stem, {})
            for row in _read_table(path):
                table[(tuple(k.lower() for k in row.key), row.parameter)] = row
    return tables


@lru_cache(maxsize=None)
def sources() -> dict[str, dict]:
    """Every source row by ``source_id`` (shipped and user directories)."""
    out = {}
    for d in data_dirs():
        for path in sorted(d.glob("sources*.csv")):
            with path.open(newline="", encoding="utf-8") as fh:
                for rec in csv.DictReader(fh):
                    out[rec["source_id"].strip()] = {k: (rec.get(k) or "").strip() for k in SOURCE_COLUMNS}
    return out


def clear_cache() -> None:
    """Forget loaded tables (after changing FOOTPRINT_FACTORS)."""
    _all_rows.cache_clear()
    _index.cache_clear()
    sources.cache_clear()
    from . import catalogue

    catalogue.clear_cache()


def table_names() -> list[str]:
    return sorted(_all_rows())


def rows(table: str) -> list[Factor]:
    """All rows of `table`."""
    tables = _all_rows()
    if table not in tables:
        raise unknown_name("factor table", table, tables)
    return list(tables[table].values())


def keys(table: str) -> list[str]:
    """Distinct primary keys (first key column) of `table`, in file order."""
    seen = {}
    for row in rows(table):
        seen.setdefault(row.key[0], None)
    return list(seen)


def find_key(table: str, name: str, kind: str | None = None) -> str:
    """The key of `table` matching `name` case-insensitively, or an error naming the closest keys.

    For the ``models`` table a display name or alias of the model catalogue
    (:mod:`footprint.catalogue`) also resolves, ignoring case and punctuation.
    """
    valid = keys(table)
    low = name.strip().lower()
    for k in valid:
        if k.lower() == low:
            return k
    if table == "models":
        from . import catalogue

        hit = catalogue.resolve(name)
        if hit is not None:
            return hit
        raise catalogue.unknown_model(name, kind or "model")
    raise unknown_name(kind or table.rstrip("s"), name, valid)


@lru_cache(maxsize=None)
def _index() -> dict[tuple, dict[str, Factor]]:
    """Rows by (table, lower-case primary key): {parameter: row}, built once."""
    index: dict[tuple, dict[str, Factor]] = {}
    for table, entries in _all_rows().items():
        for (k, p), row in entries.items():
            index.setdefault((table, k[0]), {})[p] = row
    return index


def get(table: str, key: str, parameter: str, default=None) -> Factor | None:
    """The factor of `table` for primary key `key` (case-insensitive) and `parameter`."""
    return _index().get((table, key.strip().lower()), {}).get(parameter, default)


def parameters(table: str, key: str) -> dict[str, Factor]:
    """Every parameter of one key of `table`."""
    return dict(_index().get((table, key.strip().lower()), {}))


def constant(name: str) -> Factor:
    """A method constant of ``factors/constants.csv`` (calibrated or assumed)."""
    row = get("constants", name, "value")
    if row is None:
        raise KeyError(f"constant '{name}' missing from factors/constants.csv")
    return row


def validate() -> list[str]:
    """Check every table: units parse, ranges ordered, statuses known, sources resolve.

    Returns the list of problems (empty when all is well).
    """
    from .units import ureg

    problems = []
    src = sources()
    used = set()
    for table, entries in _all_rows().items():
        for row in entries.values():
            where = f"{Path(row.path).name}: {'/'.join(row.key)}/{row.parameter}"
            try:
                ureg.Quantity(1.0, row.unit)
            except Exception as exc:  # noqa: BLE001 - report any parse failure
                problems.append(f"{where}: unit '{row.unit}' does not parse ({exc})")
            lo = row.value if row.low is None else row.low
            hi = row.value if row.high is None else row.high
            if not lo <= row.value <= hi:
                problems.append(f"{where}: low <= value <= high does not hold ({row.low}, {row.value}, {row.high})")
            if row.status not in STATUSES:
                problems.append(f"{where}: status '{row.status}' not in {STATUSES}")
            if row.source_id not in src:
                problems.append(f"{where}: source_id '{row.source_id}' not in sources.csv")
            used.add(row.source_id)
    for sid, rec in src.items():
        if not rec["citation"] or not rec["url_or_doi"]:
            problems.append(f"sources.csv: {sid} lacks a citation or URL/DOI")
    return problems
