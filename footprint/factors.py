"""Factor tables: load, validate and look up sourced values.

Tables are long-form CSV files (``factors/*.csv``): one or more key columns, then
``parameter, value, unit, low, high, status, source_id, year, notes``; and
``factors/sources.csv`` maps every ``source_id`` to a citation.  Users may add or
override rows with their own directory of tables of the same shape, named in the
environment variable ``FOOTPRINT_FACTORS`` (rows with the same key and parameter
replace the shipped ones).  A user's table goes through the same checks as the
shipped ones when it is loaded (:func:`check_row`: the unit and its dimension
for that parameter, finite values, sign, shares <= 1, range order, known source
id; no duplicate row in a file, no source id defined twice): the first problem
is refused with one line naming the file, line and column, and
``footprint factors check`` lists them all (:func:`validate`).

Tables are read on first use and cached; nothing is read at import.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
import re
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
    "deployments": ("profile",),
}


def data_dirs() -> list[Path]:
    """Directories holding factor tables, shipped first, user overrides last."""
    shipped = _shipped_dir()
    dirs = [shipped] if shipped is not None else []
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
    line: int = 0

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


#: Where zero is a meaningful value (every other value must be > 0): (table, parameter), with the reason.
ZERO_ALLOWED = {
    ("datacenters", "wue"): "dry-cooled sites evaporate no water on site",
    ("deployments", "wue"): "dry-cooled sites evaporate no water on site",
    ("grid", "water_intensity"): "wind and solar generation consume almost no water",
    ("alternatives", "co2e"): "an activity may have no emission of its own beyond the lines counted apart",
    ("alternatives", "energy"): "an activity may use no energy of its own",
    ("alternatives", "includes_user_device"): "a flag: 0 or 1",
}
#: Upper bounds of physical shares and lower bounds of ratios, by (table, quantity name) -> (minimum, maximum).
#: A quantity name is the parameter, or for ``constants`` the constant's name.
BOUNDS = {
    ("constants", "eta_compute"): (None, 1.0),  # achieved share of peak FLOP/s
    ("constants", "eta_memory"): (None, 1.0),  # achieved share of peak bandwidth
    ("constants", "u_memory"): (None, 1.0),
    ("constants", "u_compute"): (None, 1.0),
    ("constants", "fleet_utilisation"): (None, 1.0),
    ("deployments", "fleet_utilisation"): (None, 1.0),
    ("deployments", "pue"): (1.0, None),
    ("constants", "training_mfu"): (None, 1.0),  # model FLOP utilisation
    ("constants", "memory_overhead"): (1.0, None),  # memory needed / weights: at least the weights
    ("servers", "lifetime_utilisation"): (None, 1.0),
    ("datacenters", "pue"): (1.0, None),  # facility / IT energy: 1 at best
    ("alternatives", "includes_user_device"): (None, 1.0),
    ("alternatives", "electricity_share"): (None, 1.0),
    ("alternatives", "fuel"): (None, 1.0),  # flags: 0 or 1
    ("alternatives", "co2e_includes_energy"): (None, 1.0),
    ("alternatives", "energy_not_available"): (None, 1.0),
    ("alternatives", "water_not_available"): (None, 1.0),
}
#: A unit as a factor table may write it: names joined by * and /, small integer powers (never an expression).
_UNIT_TEXT = re.compile(r"^(1\s*/\s*)?[A-Za-z_%][A-Za-z0-9_%]*((\*\*|\^)[1-4])?"
                        r"(\s*[*/]\s*[A-Za-z_%][A-Za-z0-9_%]*((\*\*|\^)[1-4])?)*$")


_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def _number(text, where: str, problems: list, required: bool = False):
    """A finite number of a table cell, or None when empty; a problem line when it is not one."""
    text = (text or "").strip()
    if not text:
        if required:
            problems.append(f"{where}: empty; give a number")
        return None
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        problems.append(f"{where}: '{text[:40]}' is not a finite number")
        return None
    if not _PLAIN_NUMBER.match(text):  # float() would also read '1_2' as 12
        problems.append(f"{where}: '{text[:40]}' is not a number; write it with a dot, e.g. 0.38")
        return None
    x = float(text)
    if not math.isfinite(x):
        problems.append(f"{where}: '{text[:40]}' is not a finite number")
        return None
    return x


def _shown(path: Path) -> str:
    """A table's name in messages: ``factors/grid.csv`` for a shipped one, the path given for a user's."""
    shipped = _shipped_dir()
    return f"factors/{path.name}" if shipped is not None and path.parent == shipped else str(path)


def _decode(path: Path, problems: list) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(f"{_shown(path)}: cannot be read ({exc.strerror or exc})")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(f"{_shown(path)} line {line}, byte {column}: not UTF-8 text (byte 0x{raw[exc.start]:02X}); "
                        "save the table as UTF-8")
        return None


def _read_table_rows(path: Path, problems: list) -> list[Factor]:
    name, shown = path.stem, _shown(path)
    text = _decode(path, problems)
    if text is None:
        return []
    records = csv.reader(io.StringIO(text, newline=""))
    header = tuple(c.strip() for c in next(records, []))
    if header[-len(VALUE_COLUMNS):] != VALUE_COLUMNS:
        problems.append(f"{shown} line 1: the header must end with {','.join(VALUE_COLUMNS)}")
        return []
    keys = header[: len(header) - len(VALUE_COLUMNS)]
    wanted = TABLE_KEYS.get(name)
    if not keys or (wanted and keys != wanted):
        need = ",".join(wanted) if wanted else "at least one key column"
        problems.append(f"{shown} line 1: key column(s) {need} missing before 'parameter' "
                        f"(got {','.join(keys) or 'none'})")
        return []
    rows, seen = [], {}
    for i, rec in enumerate(records, start=2):
        if not any(c.strip() for c in rec):
            continue
        if len(rec) != len(header):
            problems.append(f"{shown} line {i}: {len(rec)} fields, the header has {len(header)} (a comma in a cell "
                            "needs quotes)")
            continue
        d = dict(zip(header, rec))
        n0 = len(problems)
        at = lambda col: f"{shown} line {i}, column {col}"  # noqa: E731
        for k in keys + ("parameter",):
            if not d[k].strip():
                problems.append(f"{at(k)}: empty")
        value = _number(d["value"], at("value"), problems, required=True)
        low, high = _number(d["low"], at("low"), problems), _number(d["high"], at("high"), problems)
        if len(problems) > n0:
            continue
        key = tuple(d[k].strip() for k in keys)
        ident = (tuple(k.lower() for k in key), d["parameter"].strip())
        if ident in seen:
            problems.append(f"{shown} line {i}: duplicate row for {'/'.join(key)}/{ident[1]} (first at line "
                            f"{seen[ident]}); keep one")
            continue
        seen[ident] = i
        rows.append(Factor(
            table=name, key=key, parameter=d["parameter"].strip(), value=value, unit=d["unit"].strip(),
            low=low, high=high, status=d["status"].strip(), source_id=d["source_id"].strip(),
            year=(d["year"] or "").strip(), notes=(d["notes"] or "").strip(), path=str(path), line=i,
        ))
    return rows


def _quantity_name(row: Factor) -> str:
    return row.key[0] if row.table == "constants" else row.parameter


@lru_cache(maxsize=512)
def _dimension(unit: str):
    """The dimensionality of a table's unit text, or the reason it cannot be read."""
    if not unit or len(unit) > 60 or not _UNIT_TEXT.match(unit):
        return None, "is not a unit (write names joined by * and /, e.g. gCO2e/kWh)"
    from .units import ureg

    try:
        return ureg.Quantity(1.0, unit).dimensionality, None
    except Exception:  # noqa: BLE001 - pint raises several types for an unknown unit
        return None, "is not a unit footprint knows"


def _expected(shipped: list[Factor]) -> tuple[dict, dict]:
    """Dimensions of the shipped rows: by (table, key, parameter) and by (table, quantity name) -> {dim: unit}."""
    by_key, by_name = {}, {}
    for r in shipped:
        dim, _ = _dimension(r.unit)
        if dim is None:
            continue
        by_key.setdefault((r.table, r.key[0].lower(), r.parameter), {})[dim] = r.unit
        by_name.setdefault((r.table, _quantity_name(r)), {})[dim] = r.unit
        by_name.setdefault((r.table, "*" + r.parameter), {})[dim] = r.unit
    return by_key, by_name


def check_row(row: Factor, expected: tuple[dict, dict], known_sources) -> list[str]:
    """Every problem of one factor row: unit and dimension, sign and zero, bounds, range order, status, source.

    `expected` is :func:`_expected` of the shipped rows; `known_sources` the source ids.
    """
    at = lambda col: f"{_shown(Path(row.path))} line {row.line}, column {col}"  # noqa: E731
    out = []
    what = _quantity_name(row)
    dim, why = _dimension(row.unit)
    if dim is None:
        out.append(f"{at('unit')}: '{row.unit[:40]}' {why}")
    else:
        by_key, by_name = expected
        want = by_key.get((row.table, row.key[0].lower(), row.parameter)) or by_name.get((row.table, what)) \
            or by_name.get((row.table, "*" + row.parameter))
        if want is None:
            known = sorted({n for (t, n) in by_name if t == row.table and not n.startswith("*")})
            if known:
                out.append(f"{at('parameter')}: '{what}' is not a parameter of the {row.table} table "
                           f"(known: {', '.join(known[:12])})")
        elif dim not in want:
            out.append(f"{at('unit')}: '{row.unit}' is not a unit of {what} (expected a unit like "
                       f"{' or '.join(sorted(want.values()))})")
    zero_ok = (row.table, row.parameter) in ZERO_ALLOWED
    lo_bound, hi_bound = BOUNDS.get((row.table, what), (None, None))
    for col, x in (("value", row.value), ("low", row.low), ("high", row.high)):
        if x is None:
            continue
        if x < 0 or (x == 0 and not zero_ok):
            out.append(f"{at(col)}: {x:g} for {what}; it must be {'>= 0' if zero_ok else '> 0'}")
        elif lo_bound is not None and x < lo_bound:
            out.append(f"{at(col)}: {x:g} for {what}; it must be >= {lo_bound:g}")
        elif hi_bound is not None and x > hi_bound:
            out.append(f"{at(col)}: {x:g} for {what}; it is a share and must be <= {hi_bound:g}")
    lo = row.value if row.low is None else row.low
    hi = row.value if row.high is None else row.high
    if not lo <= row.value <= hi:
        out.append(f"{at('low')}: low <= value <= high does not hold ({row.low}, {row.value}, {row.high})")
    if row.status not in STATUSES:
        out.append(f"{at('status')}: '{row.status}' is not one of {', '.join(STATUSES)}")
    if row.source_id not in known_sources:
        out.append(f"{at('source_id')}: '{row.source_id}' is not defined in any sources*.csv file")
    return out


@functools.lru_cache(maxsize=1)
def _shipped_dir() -> Path | None:
    """The folder of the shipped tables (next to the package, or inside it in a wheel); it never moves."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_factors", here.parent / "factors"):
        if (candidate / "sources.csv").is_file():
            return candidate.resolve()
    return None


def _read_sources(dirs, problems: list) -> dict[str, dict]:
    out, where = {}, {}
    for d in dirs:
        for path in sorted(Path(d).glob("sources*.csv")):
            text = _decode(path, problems)
            if text is None:
                continue
            reader = csv.DictReader(io.StringIO(text, newline=""))
            if tuple(c.strip() for c in (reader.fieldnames or ()))[: len(SOURCE_COLUMNS)] != SOURCE_COLUMNS:
                problems.append(f"{_shown(path)} line 1: the header must be {','.join(SOURCE_COLUMNS)}")
                continue
            for i, rec in enumerate(reader, start=2):
                sid = (rec.get("source_id") or "").strip()
                if not sid:
                    problems.append(f"{_shown(path)} line {i}, column source_id: empty")
                    continue
                if sid in out:
                    problems.append(f"{_shown(path)} line {i}, column source_id: '{sid}' is already defined at "
                                    f"{where[sid]}; keep one definition")
                    continue
                out[sid] = {k: (rec.get(k) or "").strip() for k in SOURCE_COLUMNS}
                where[sid] = f"{_shown(path)} line {i}"
    return out


@lru_cache(maxsize=None)
def _load() -> tuple:
    """Read every table and source once: ``(tables, sources, problems, shipped rows, user rows)``.

    Problems of structure (encoding, header, cells, duplicates) are collected for
    every file; the row checks of :func:`check_row` are made here for the
    user's tables (``FOOTPRINT_FACTORS``), and for the shipped ones by :func:`validate`.
    """
    dirs = data_dirs()
    shipped_dir = _shipped_dir()
    problems: list[str] = []
    src = _read_sources(dirs, problems)
    tables: dict[str, dict[tuple, Factor]] = {}
    shipped, user = [], []
    for d in dirs:
        is_shipped = shipped_dir is not None and Path(d).resolve() == shipped_dir
        for path in sorted(Path(d).glob("*.csv")):
            if path.stem.startswith("sources"):
                continue
            table = tables.setdefault(path.stem, {})
            for row in _read_table_rows(path, problems):
                table[(tuple(k.lower() for k in row.key), row.parameter)] = row
                (shipped if is_shipped else user).append(row)
    if user:
        expected = _expected(shipped)
        for row in user:
            problems += check_row(row, expected, src)
    return tables, src, problems, shipped, user


def _checked() -> tuple:
    tables, src, problems, _, _ = _load()
    if problems:
        more = f" ({len(problems) - 1} more problem(s): `footprint factors check` lists them all)" \
            if len(problems) > 1 else ""
        raise InputError(problems[0] + more)
    return tables, src


def _all_rows() -> dict[str, dict[tuple, Factor]]:
    return _checked()[0]


def sources() -> dict[str, dict]:
    """Every source row by ``source_id`` (shipped and user directories)."""
    return _checked()[1]


#: What else to forget with the tables: modules built on them register here (the model catalogue does).
_DEPENDENT_CACHES: list = []


def on_clear(forget) -> None:
    """Call `forget()` whenever :func:`clear_cache` runs (a cache built from the tables)."""
    if forget not in _DEPENDENT_CACHES:
        _DEPENDENT_CACHES.append(forget)


def clear_cache() -> None:
    """Forget loaded tables (after changing FOOTPRINT_FACTORS), and every cache built on them."""
    _load.cache_clear()
    _index.cache_clear()
    _dimension.cache_clear()
    for forget in _DEPENDENT_CACHES:
        forget()


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

    A model is looked up by :func:`footprint.catalogue.find_model`, which also reads
    display names and aliases; this function refuses the ``models`` table.
    """
    if table == "models":
        raise ValueError("models are looked up by footprint.catalogue.find_model (names and aliases)")
    valid = keys(table)
    low = name.strip().lower()
    for k in valid:
        if k.lower() == low:
            return k
    if table == "gpus":  # 'tpu v5e', 'TPU_v5e', 'tpuv5e' and 'h100 pcie' name a profile too
        bare = re.sub(r"[^0-9a-z]", "", low)
        for k in valid:
            if re.sub(r"[^0-9a-z]", "", k.lower()) == bare:
                return k
    raise unknown_name(kind or table.rstrip("s"), name, valid, f"footprint factors list {table}")


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


def named_in(text: str, ids) -> set[str]:
    """The source ids of `ids` that `text` names as whole words (a note citing a second source).

    >>> sorted(named_in("secondary: Patterson et al. (PATTERSON-2021); see FP-CALIB", ["FP-CALIB", "FP", "PATTERSON-2021"]))
    ['FP-CALIB', 'PATTERSON-2021']
    """
    return {sid for sid in ids if re.search(r"(?<![\w-])" + re.escape(sid) + r"(?![\w-])", text)}


def uncited_sources(cited_elsewhere=()) -> list[str]:
    """One problem line per source defined in a ``sources*.csv`` file that nothing cites.

    A source is cited by a factor row (its ``source_id``, or named in its notes) or by
    `cited_elsewhere` (the model catalogue, the hourly series).  A source nobody cites
    is either a citation to remove or a row that forgot it.
    """
    _, src, _, shipped, user = _load()
    cited = {row.source_id for row in shipped + user} | set(cited_elsewhere)
    cited |= named_in("\n".join(row.notes for row in shipped + user), set(src) - cited)
    return [f"sources: '{sid}' is defined but no factor row, model or hourly series cites it; "
            "cite it where it is used or remove it" for sid in sorted(set(src) - cited)]


def validate() -> list[str]:
    """Check every table and source file; return every problem (empty when all is well).

    Structure and cells (UTF-8, header and key columns, finite numbers, no
    duplicate row in a file, no source id defined twice), then every row
    (:func:`check_row`: unit and its dimension for that parameter, sign and
    zero, shares <= 1, low <= value <= high, known status and source id), and
    every source has a citation and a URL or DOI.  Each problem is one line
    naming the file, the line and the column.
    """
    _, src, problems, shipped, user = _load()
    problems = list(problems)
    expected = _expected(shipped)
    for row in shipped:
        problems += check_row(row, expected, src)
    for sid, rec in src.items():
        if not rec["citation"] or not rec["url_or_doi"]:
            problems.append(f"sources: {sid} lacks a citation or URL/DOI")
    return list(dict.fromkeys(problems))
