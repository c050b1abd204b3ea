"""Batch estimates: one row per scenario, resolved column by column, computed in one call.

:func:`estimate` takes a :class:`pandas.DataFrame` whose columns are the inputs
of ``footprint estimate`` (the CLI flags with underscores: ``params``,
``output_tokens``, ``gpu``, ``zone``, ``grid_intensity``...) and returns one
row of results per scenario.  Nothing loops over rows: every column is parsed
with vectorised string operations, each distinct unit of a column is converted
once with pint, each distinct GPU, zone, model or datacentre name is looked up
once in the factor tables and mapped onto the rows with pandas, and the arrays
of :data:`footprint.estimator.INPUTS` (scenario axis, then the low/central/high
case axis) go through :func:`footprint.estimator.compute` once.  The result of
each row equals :func:`footprint.estimator.estimate` called on that row's values.

Units
-----
A cell may carry its unit (``"50 g/kWh"``, ``"350 W"``, ``"10000/day"``), or the
column may name it: in the header (``grid_intensity[g/kWh]``) or in a *units
row*, a first data row whose filled quantity cells are all units (they do not
start with a digit, a sign or a dot) such as ``g/kWh``.  A unit in a cell wins
over the column's unit.  Counts (``params``, ``active_params``,
``input_tokens``, ``output_tokens``, ``training_tokens``,
``training_lifetime_requests``) accept ``"70B"``, ``"13b"``, ``"1.5T"``, ``"7e9"``
or plain numbers; plain numbers are also accepted for dimensionless columns
(``pue``, ``fleet_utilisation``, ``gpus``, ``batch_size``...) and for
``training_gpu_hours`` (hours).  A plain number in any other column needs the
column's unit.  A cell may hold a range: ``"1.1..1.4"``, ``"300..400 W"`` or
``"1.2 [1.1..1.4]"`` (central value first).

Missing cells (empty, ``None``, ``NaN``) mean "not given": the default of
``footprint estimate`` applies to that row.  ``params`` (or ``model``) is
required in every row.  Columns that are not inputs (an ``id``, a ``name``...)
are copied to the result unchanged, unless their name is close to an input's,
which is reported as a probable typo.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

import numpy as np

from . import factors
from .errors import InputError
from .estimator import INPUTS, OPTIONAL, PER_REQUEST_UNITS, TOTAL_UNITS, _INTERNAL, compute
from .inference import PRECISION_BYTES, PRECISION_FLOPS_KEY
from .resolve import PROVISIONING
from .units import describe_dimension, ureg

#: Name columns (looked up in the factor tables or a fixed list).
NAME_COLUMNS = ("model", "gpu", "zone", "datacenter", "precision", "provisioning", "training_zone")


class _Spec:
    """How a quantity column is read: its internal unit, the unit of a plain number, its checks."""

    def __init__(self, unit, bare=None, count=False, whole=False, positive=True, minimum=None, maximum=None,
                 ranged=True):
        self.unit, self.bare, self.count, self.whole = unit, bare, count, whole
        self.positive, self.minimum, self.maximum, self.ranged = positive, minimum, maximum, ranged


_D = "dimensionless"
#: Quantity columns: internal unit and checks, as in :func:`footprint.resolve.resolve`.
QUANTITY_COLUMNS = {
    "params": _Spec("parameter", "parameter", count=True),
    "active_params": _Spec("parameter", "parameter", count=True),
    "input_tokens": _Spec("token", "token", count=True, whole=True, positive=False, minimum=0),
    "output_tokens": _Spec("token", "token", count=True, whole=True, minimum=0),
    "requests": _Spec("1/s"),
    "period": _Spec("s", ranged=False),
    "gpus": _Spec(_D, _D, whole=True),
    "batch_size": _Spec(_D, _D, minimum=1),
    "grid_intensity": _Spec("kg/J", positive=False, minimum=0),
    "water_intensity": _Spec("L/J", positive=False, minimum=0),
    "pue": _Spec(_D, _D, minimum=1.0),
    "wue": _Spec("L/J", positive=False, minimum=0),
    "fleet_utilisation": _Spec(_D, _D, maximum=1.0),
    "host_power": _Spec("W", positive=False, minimum=0),
    "power_per_gpu": _Spec("W"),
    "flop_utilisation": _Spec(_D, _D, maximum=1.0),
    "measured_energy_per_token": _Spec("J/token"),
    "measured_tokens_per_second": _Spec("token/s"),
    "measured_power": _Spec("W"),
    "kv_bytes_per_token": _Spec("byte/token", positive=False, minimum=0),
    "gpu_embodied": _Spec("kg", positive=False, minimum=0),
    "server_embodied": _Spec("kg", positive=False, minimum=0),
    "hardware_lifetime": _Spec("s"),
    "training_gpu_hours": _Spec("s", "hour"),
    "training_gpu_power": _Spec("W"),
    "training_pue": _Spec(_D, _D, minimum=1.0),
    "training_grid_intensity": _Spec("kg/J", positive=False, minimum=0),
    "training_tokens": _Spec("token", "token", count=True),
    "training_mfu": _Spec(_D, _D, maximum=1.0),
    "training_lifetime_requests": _Spec("request", "request", count=True),
    "training_share": _Spec(_D, _D, maximum=1.0),
    "eta_compute": _Spec(_D, _D, maximum=1.0),
    "eta_memory": _Spec(_D, _D, maximum=1.0),
    "u_memory": _Spec(_D, _D, maximum=1.0),
    "u_compute": _Spec(_D, _D, maximum=1.0),
    "memory_overhead": _Spec(_D, _D),
    "kv_coefficient": _Spec(_D, _D),
    "kv_exponent": _Spec(_D, _D),
}
def _constant_columns():
    """Method constants of the single estimate (``footprint.resolve.CONSTANTS``) that are core inputs: any new one
    becomes a column, in the unit of :data:`~footprint.estimator.INPUTS`, defaulting to factors/constants.csv."""
    from . import resolve

    for name in getattr(resolve, "CONSTANTS", ()):
        if name in INPUTS and name not in QUANTITY_COLUMNS:
            unit = INPUTS[name][0]
            QUANTITY_COLUMNS[name] = _Spec(unit, unit if unit == _D else None, positive=False, minimum=0)


_constant_columns()

#: Inputs of the single estimate that the batch path does not take (per-item generic tasks).
UNSUPPORTED = ("flops_per_item", "energy_per_item", "constants")

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_POINT = rf"^\s*(?P<num>{_NUMBER})\s*(?P<unit>.*?)\s*$"
_RANGE = r"^\s*(?:(?P<v>[^\[\]]*?)\s*\[(?P<l1>[^\]]*?)\.\.(?P<h1>[^\]]*)\]|(?P<l2>.*?)\.\.(?P<h2>.*))\s*$"
_SCALES = {
    "": 1.0, "k": 1e3, "K": 1e3, "thousand": 1e3, "m": 1e6, "M": 1e6, "million": 1e6, "b": 1e9, "B": 1e9,
    "bn": 1e9, "billion": 1e9, "t": 1e12, "T": 1e12, "trillion": 1e12,
}
_COUNT_UNIT = re.compile(r"^(k|K|thousand|m|M|million|b|B|bn|billion|t|T|trillion)?\s*(?:params?|parameters?)?$")
_HEADER = re.compile(r"^\s*-*\s*(?P<name>[^\[\]]+?)\s*(?:\[(?P<unit>[^\]]*)\])?\s*$")
_LOW, _VALUE, _HIGH = 0, 1, 2
MAX_GROUPS = 20  # error groups spelled out in one message


class Problems:
    """Bad values found in a table: (position, column, message), reported together."""

    def __init__(self, index):
        self.index = index
        self.items: list[tuple[np.ndarray, str, str]] = []

    def add(self, where, column: str, message):
        """Record `message` for the rows in `where` (a boolean mask over the rows, or positions).

        `message` is a string, or per-row messages aligned with `where` (an
        array, or a :class:`_LazyMessages` built only for the rows reported).
        """
        where = np.asarray(where)
        pos = np.flatnonzero(where) if where.dtype == bool else where
        if pos.size == 0:
            return
        if isinstance(message, str):
            self.items.append((pos, column, message))
            return
        msgs = message[pos] if where.dtype == bool else np.asarray(message, dtype=object)
        for text in dict.fromkeys(msgs.tolist()):
            self.items.append((pos[msgs == text], column, text))

    def bad_rows(self) -> np.ndarray:
        """Boolean mask of rows with at least one problem."""
        bad = np.zeros(len(self.index), dtype=bool)
        for pos, _, _ in self.items:
            bad[pos] = True
        return bad

    def labelled(self) -> list:
        """[(row labels, column, message)] with the table's own row labels."""
        return [(np.asarray(self.index[pos]), column, msg) for pos, column, msg in self.items]

    def message(self) -> str:
        """One line naming every bad value by row and column (the first groups when there are many)."""
        return report(self.labelled(), self.index.name or "row")

    def sort(self) -> None:
        self.items.sort(key=lambda it: (int(it[0][0]), it[1]))

    def per_row(self) -> dict:
        """Messages of each bad row position, joined: {position: "column: message; ..."}."""
        out: dict[int, list[str]] = {}
        for pos, column, msg in sorted(self.items, key=lambda it: it[1]):
            for p in pos.tolist():
                out.setdefault(p, []).append(f"{column}: {msg}")
        return {p: "; ".join(v) for p, v in out.items()}


def report(items: list, row_name: str = "row") -> str:
    """One line from [(row labels, column, message)], grouping the rows that share a message."""
    def label(rows):
        shown = ", ".join(str(x) for x in rows[:5])
        more = f" (+{len(rows) - 5} more)" if len(rows) > 5 else ""
        return f"{row_name}{'s' if len(rows) > 1 else ''} {shown}{more}"

    n_values = sum(len(r) for r, _, _ in items)
    n_rows = len({x for r, _, _ in items for x in r.tolist()})
    parts = [f"{label(r)}, column {c}: {m}" for r, c, m in items[:MAX_GROUPS]]
    more = f"; ... and {len(items) - MAX_GROUPS} more problems" if len(items) > MAX_GROUPS else ""
    return (f"{n_values} bad value{'s' if n_values > 1 else ''} in {n_rows} row{'s' if n_rows > 1 else ''} "
            "of the table: " + "; ".join(parts) + more)


# -- reading the table --------------------------------------------------------------------------


def normalise_columns(table):
    """Map the table's columns to (input name, unit in the header or None); report unknown and doubled names.

    Returns ``{input_name: (original column, header unit)}`` and the list of pass-through columns.
    """
    known = set(QUANTITY_COLUMNS) | set(NAME_COLUMNS)
    inputs, passthrough, errors = {}, [], []
    for col in table.columns:
        m = _HEADER.match(str(col))
        name = m.group("name").strip().lower().replace("-", "_") if m else str(col)
        unit = (m.group("unit") or "").strip() or None if m else None
        if name in UNSUPPORTED:
            errors.append(f"column {col}: not available in batch (use `footprint estimate` for one scenario)")
        elif name in known:
            if name in inputs:
                errors.append(f"column {col}: {name} is given twice")
            if unit is not None and name in NAME_COLUMNS:
                errors.append(f"column {col}: a name column takes no unit")
            inputs[name] = (col, unit)
        else:
            near = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.85)
            if near:
                errors.append(f"column {col}: not an input; did you mean {near[0]}?")
            passthrough.append(col)
    if errors:
        raise InputError("bad columns in the table: " + "; ".join(errors))
    return inputs, passthrough


def split_units_row(table, inputs):
    """Detect a units row (first data row of units only) and return (data, {name: unit}) ."""
    if len(table) == 0:
        return table, {}
    first = table.iloc[0]
    cells = {}
    for name, (col, _) in inputs.items():
        if name in QUANTITY_COLUMNS:
            v = first[col]
            if isinstance(v, str) and v.strip():
                cells[name] = v.strip()
            elif not _missing_scalar(v):
                return table, {}
    if not cells or any(re.match(r"^[0-9.+-]", v) for v in cells.values()):
        return table, {}
    if any(isinstance(first[col], str) and first[col].strip() for name, (col, _) in inputs.items()
           if name in NAME_COLUMNS):
        return table, {}
    return table.iloc[1:], cells


def _missing_scalar(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def _missing(series) -> np.ndarray:
    miss = np.array(series.isna().to_numpy(), dtype=bool)
    if series.dtype == object or str(series.dtype).startswith(("string", "str")):
        text = series.astype("string").str.strip()
        miss |= (text == "").fillna(True).to_numpy(dtype=bool)
    return miss


@lru_cache(maxsize=1024)
def _scale(unit: str, target: str) -> float:
    """Conversion factor between two unit strings (pint, once per pair)."""
    return float(ureg.Quantity(1.0, unit).to(target).magnitude)


@lru_cache(maxsize=4096)
def _unit_factor(unit_text: str, target: str):
    """Factor from `unit_text` to `target`, or an error message (pint, once per distinct text)."""
    try:
        q = ureg.parse_expression("1 " + unit_text if unit_text.startswith("/") else unit_text)
    except Exception:  # noqa: BLE001 - any parse failure is a user error
        return None, f"unit '{unit_text}' does not parse; {describe_dimension(target)} is expected"
    if not hasattr(q, "units"):
        q = ureg.Quantity(float(q), "dimensionless")
    try:
        return float(q.to(target).magnitude), None
    except Exception:  # noqa: BLE001 - DimensionalityError and friends
        return None, (f"unit '{unit_text}' is {describe_dimension(str(q.units)).split(',')[0]}, but "
                      f"{describe_dimension(target)} is expected")


def parse_column(series, name: str, spec: _Spec, column_unit: str | None, problems: Problems, label: str):
    """Parse one quantity column into magnitudes (rows, 3) = (low, value, high) in ``spec.unit``.

    Returns the array (NaN where missing or bad) and the mask of given cells.
    """
    n = len(series)
    out = np.full((n, 3), np.nan)
    missing = _missing(series)
    given = ~missing
    default_unit = column_unit or spec.bare
    if column_unit is not None:
        factor, err = _unit_factor(column_unit, spec.unit)
        if err:
            problems.add(given, label, f"column unit: {err}")
            return out, given
    if series.dtype.kind in "biuf":  # numbers: one multiplication
        values = series.to_numpy(dtype=float)
        if default_unit is None:
            problems.add(given, label, f"a plain number needs a unit: write e.g. '{_example(spec.unit)}' or name the "
                                       f"column {name}[unit]")
            return out, given
        factor, _ = _unit_factor(default_unit, spec.unit)
        magnitudes = values * factor
        out[:] = magnitudes[:, None]
        bad = given & ~np.isfinite(values)
        problems.add(bad, label, "not a finite number")
        out[bad] = np.nan
        _check(magnitudes[:, None], given & ~bad, spec, problems, label)  # points: one value per row
        return out, given
    else:
        _parse_text(series, given, name, spec, default_unit, problems, label, out)
    _check(out, given, spec, problems, label)
    return out, given


def _example(unit):
    return {"parameter": "70B", "token": "400", "request": "1e9", "dimensionless": "1.2","1/s": "10000/day", "s": "1 year", "kg/J": "50 g/kWh", "L/J": "1.8 L/kWh", "W": "350 W",
            "kg": "164 kgCO2e", "J/token": "0.3 J/token", "byte/token": "320 kB", "token/s": "1000 token/s"}.get(unit, unit)


def _parse_text(series, given, name, spec, default_unit, problems, label, out):
    """Text cells through the quantity grammar of :mod:`footprint.quantity`, each distinct text read once."""
    import pandas as pd

    from .quantity import parse_text

    pos = np.flatnonzero(given)
    if pos.size == 0:
        return
    codes, uniques = pd.factorize(series.iloc[pos].astype(str).str.strip())
    parsed = np.full((len(uniques) + 1, 3), np.nan)
    for i, text in enumerate(uniques):
        try:
            parsed[i, :] = parse_text(text, spec.unit, label, bare=default_unit, count=spec.count,
                                      ranged=spec.ranged)[:3]
        except InputError as exc:
            problems.add(pos[codes == i], label, str(exc).removeprefix(f"{label}: "))
    out[pos] = parsed[codes]


def pd_unique(values):
    import pandas as pd

    return pd.unique(np.asarray(values, dtype=object))


def _reduce3(op, arr):
    """`op` over the short case axis, column by column (a reduction along a length-3 axis is slow in numpy)."""
    out = arr[..., 0]
    for i in range(1, arr.shape[-1]):
        out = op(out, arr[..., i])
    return out


def _check(arr, given, spec, problems, label):
    """The domain checks of :func:`footprint.resolve._check`, on every row at once."""
    ok = given & ~_reduce3(np.logical_or, np.isnan(arr))
    lo, value, hi = arr[:, 0], arr[:, arr.shape[1] // 2], arr[:, -1]  # (rows, 3), or (rows, 1) for points
    with np.errstate(invalid="ignore"):
        order = ok & (lo > hi)
        problems.add(order, label, "range has low > high; give low..high with low <= high")
        outside = ok & ~order & ((value < lo) | (value > hi))
        problems.add(outside, label, "the central value lies outside its range")
        finite = ok & ~_reduce3(np.logical_and, np.isfinite(arr))
        problems.add(finite, label, "not a finite number")
        ok &= ~order & ~outside & ~finite
        tests = []
        if spec.whole:
            tests.append((_reduce3(np.logical_or, arr != np.round(arr)), value,
                          "{:g} is not a whole number; give a count such as 400"))
        if spec.positive:
            tests.append((lo <= 0, lo, "must be greater than zero, got {:g}"))
        if spec.minimum is not None:
            tests.append((lo < spec.minimum, lo, "must be at least %g, got {:g}" % spec.minimum))
        if spec.maximum is not None:
            tests.append((hi > spec.maximum, hi, "must be at most %g, got {:g}" % spec.maximum))
        for fails, shown, template in tests:  # the first failing check of a cell is reported
            problems.add(ok & fails, label, _values(shown, template))
            ok &= ~fails


def _values(x, template):
    return _LazyMessages(x, template)


class _LazyMessages:
    """Per-row messages built only for the rows that are reported."""

    def __init__(self, x, template):
        self.x, self.template = x, template

    def __len__(self):
        return len(self.x)

    def __getitem__(self, pos):
        return np.array([self.template.format(v) for v in np.asarray(self.x)[pos]], dtype=object)


# -- factor tables, mapped by name ----------------------------------------------------------------


class Names:
    """A name column as codes into its distinct names: ``keys[codes]`` is each row's table key (None if bad)."""

    def __init__(self, codes, keys, given):
        self.codes, self.keys, self.given = codes, np.asarray(keys, dtype=object), given
        self.single = codes.size == 0 or codes.min() == codes.max()

    def take(self, per_key: np.ndarray) -> np.ndarray:
        """Rows of `per_key` (one row per distinct name) for every table row; (1, ...) when all rows agree."""
        return per_key[self.codes[:1]] if self.single else per_key[self.codes]

    def map(self, fn) -> np.ndarray:
        return self.take(np.array([fn(k) if k is not None else np.nan for k in self.keys], dtype=float))

    @property
    def ok(self) -> np.ndarray:
        return self.take(np.array([k is not None for k in self.keys]))

    @property
    def present(self) -> np.ndarray:
        """Rows whose name is known (given or defaulted); a full-length mask."""
        return np.broadcast_to(self.ok, self.codes.shape)


def _names(table, inputs, name, default, problems, kind, lookup) -> Names:
    """Resolve a name column: factorise it, look each distinct name up once, keep codes for the rows."""
    import pandas as pd

    n = len(table)
    if name in inputs:
        codes, uniques = pd.factorize(table[inputs[name][0]], use_na_sentinel=True)
        names = [str(u).strip() for u in uniques]
        blank = np.array([not u for u in names] + [True], dtype=bool)
        given = ~blank[codes]  # code -1 (missing) reads the last entry
        codes = np.where(given, codes, len(names)).astype(np.intp)
    else:
        names, codes, given = [], np.zeros(n, dtype=np.intp), np.zeros(n, dtype=bool)
    names.append(default)
    keys = []
    for i, u in enumerate(names):
        if u is None or (i < len(names) - 1 and not u):
            keys.append(None)
            continue
        try:
            keys.append(lookup(u))
        except InputError as exc:
            keys.append(None)
            problems.add(codes == i, name, str(exc).replace(" (`footprint factors list` shows all)", ""))
    return Names(codes, keys, given)


def _factor(names: Names, table: str, parameter: str, unit: str) -> np.ndarray:
    """(rows, 3) magnitudes of `table:key/parameter` in `unit` for each row's key, NaN where absent."""
    per_key = np.full((len(names.keys), 3), np.nan)
    for i, k in enumerate(names.keys):
        if k is not None:
            row = factors.get(table, k, parameter)
            if row is not None:
                per_key[i] = _triple(row, unit)
    return names.take(per_key)


def _triple(row: factors.Factor, unit: str) -> np.ndarray:
    low = row.value if row.low is None else row.low
    high = row.value if row.high is None else row.high
    return np.array([low, row.value, high]) * _scale(row.unit, unit)


def _constant(name: str, unit: str, n: int) -> np.ndarray:
    return np.broadcast_to(_triple(factors.constant(name), unit), (n, 3)).copy()


def _point(x) -> np.ndarray:
    """A point value per row (or one for all rows) as (rows, 3) or (1, 3)."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    return np.repeat(x[:, None], 3, axis=1)


def _as_cases(x) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return _point(x) if x.ndim < 2 else x


def _where(mask, a, b):
    """Row-wise choice between two (rows, 3) arrays; a column that holds for all rows is not copied."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return _as_cases(b)
    if mask.all():
        return _as_cases(a)
    return np.where(mask[:, None], a, b)


# -- the resolver, column-wise -----------------------------------------------------------------------


def resolve_table(table, column_units=None):
    """Resolve every row's inputs at once.

    Returns ``(values, period, problems)``: ``values`` maps each key of
    :data:`~footprint.estimator.INPUTS` to an array (rows, 3) in natural order
    (low, value, high) and internal units (NaN for optional inputs not given),
    ``period`` the period of the totals [s] (NaN without requests) and
    ``problems`` the bad values found.
    """
    inputs, _ = normalise_columns(table)
    units = {name: unit for name, (_, unit) in inputs.items() if unit is not None}
    units.update(column_units or {})
    n = len(table)
    P = Problems(table.index)
    col = {}
    given = {}
    for name, spec in QUANTITY_COLUMNS.items():
        if name in inputs:
            col[name], given[name] = parse_column(table[inputs[name][0]], name, spec, units.get(name), P, name)
        else:
            col[name], given[name] = np.full((1, 3), np.nan), np.zeros(n, dtype=bool)
    v = {}

    # -- model size
    model_keys = _names(table, inputs, "model", None, P, "model", lambda s: factors.find_key("models", s, "model"))
    model_given = model_keys.given
    model_total = _factor(model_keys, "models", "total_params", "parameter")
    model_active = _factor(model_keys, "models", "active_params", "parameter")
    pg = given["params"]
    no_size = ~pg & ~model_given
    P.add(no_size, "params", "missing: give the model size (e.g. 70B) or a catalogue model in column model")
    v["total_params"] = _where(pg, col["params"], model_total)
    use_model_active = ~given["active_params"] & model_given & ~pg & ~np.isnan(model_active[:, 1])
    v["active_params"] = _where(given["active_params"], col["active_params"],
                                _where(use_model_active, model_active, v["total_params"]))
    with np.errstate(invalid="ignore"):
        P.add(v["active_params"][:, 1] > v["total_params"][:, 1] * (1 + 1e-9), "active_params",
              "cannot exceed the total parameters (params)")

    # -- precision
    prec = _names(table, inputs, "precision", "bf16", P, "precision", _precision)
    v["bytes_per_param"] = _point(prec.map(PRECISION_BYTES.get))
    use_fp8 = prec.map(lambda k: float(PRECISION_FLOPS_KEY[k] == "peak_flops_fp8")) > 0

    # -- tokens
    for name in ("input_tokens", "output_tokens"):
        v[name] = _where(given[name], col[name], _constant(name, "token", n))

    # -- hardware
    gpu_keys = _names(table, inputs, "gpu", "H100", P, "GPU", lambda s: factors.find_key("gpus", s, "GPU"))
    fp8 = _factor(gpu_keys, "gpus", "peak_flops_fp8", "FLOP/s")
    v["peak_flops"] = _where(use_fp8 & ~np.isnan(fp8[:, 1]), fp8, _factor(gpu_keys, "gpus", "peak_flops_bf16", "FLOP/s"))
    for name, parameter, unit in (("memory_bandwidth", "memory_bandwidth", "byte/s"), ("gpu_memory", "memory", "byte"),
                                  ("tdp", "tdp", "W"), ("idle_power", "idle_power", "W")):
        v[name] = _factor(gpu_keys, "gpus", parameter, unit)
    for name in ("peak_flops", "memory_bandwidth", "gpu_memory", "tdp", "idle_power"):
        absent = gpu_keys.present & np.isnan(v[name][:, 1])
        P.add(absent, "gpu", f"factors/gpus.csv has no {name} for this GPU; pick another GPU")
    # a board without a sourced embodied figure takes the H100's, as a proxy (as the single estimate does)
    board = _factor(gpu_keys, "gpus", "embodied", "kg")
    proxy = _triple(factors.get("gpus", "H100", "embodied"), "kg")[None, :]
    v["gpu_embodied"] = _where(given["gpu_embodied"], col["gpu_embodied"],
                               _where(np.isnan(board[:, 1]), proxy, board))
    # host power per GPU in proportion to the GPU's TDP (as the single estimate does)
    host_ratio = _triple(factors.get("servers", "gpu_server", "host_power_ratio"), _D)[None, :]
    v["host_power"] = _where(given["host_power"], col["host_power"], host_ratio * v["tdp"][:, 1:2])
    for name, parameter, unit in (("server_embodied", "embodied_per_gpu", "kg"), ("hardware_lifetime", "lifetime", "s")):
        v[name] = _where(given[name], col[name], _triple(factors.get("servers", "gpu_server", parameter), unit)[None, :])
    v["n_gpus"] = col["gpus"]
    with np.errstate(invalid="ignore"):
        weights = v["total_params"][:, 1] * v["bytes_per_param"][:, 1]
        capacity = col["gpus"][:, 1] * v["gpu_memory"][:, 1]
        P.add(given["gpus"] & (weights > capacity), "gpus",
              "the weights do not fit in these GPUs' memory; use more GPUs, a lower precision or leave gpus empty")
    v["batch_size"] = _where(given["batch_size"], col["batch_size"], _constant("batch_size", _D, n))
    v["kv_bytes_per_token"] = col["kv_bytes_per_token"]
    for name in ("eta_compute", "eta_memory", "u_memory", "u_compute", "memory_overhead", "kv_coefficient", "kv_exponent"):
        v[name] = _where(given[name], col[name], _constant(name, _D, n))

    # -- provisioning and volume
    prov = _names(table, inputs, "provisioning", "shared", P, "provisioning", _provisioning)
    is_dedicated = prov.map(lambda k: float(k == "dedicated"))
    dedicated = np.broadcast_to(is_dedicated > 0, (n,))
    v["dedicated"] = _point(is_dedicated)
    v["request_rate"] = col["requests"]
    P.add(dedicated & ~given["requests"], "requests",
          "provisioning dedicated needs the volume (e.g. '10000/day'): a dedicated endpoint's idle energy is "
          "spread over the requests it serves")
    v["fleet_utilisation"] = _where(dedicated, _point(1.0),
                                    _where(given["fleet_utilisation"], col["fleet_utilisation"],
                                           _constant("fleet_utilisation", _D, n)))
    P.add(given["period"] & ~given["requests"], "period", "give requests too (totals are requests per time x period)")
    period = np.where(given["period"], col["period"][:, 1], _scale("year", "s"))
    period = np.where(given["requests"], period, np.nan)

    # -- simple FLOP and measured paths
    v["flop_utilisation"] = col["flop_utilisation"]
    P.add(given["power_per_gpu"] & ~given["flop_utilisation"], "power_per_gpu",
          "applies to the simple FLOP path; give flop_utilisation too")
    v["power_per_gpu"] = col["power_per_gpu"]
    tps, pw = given["measured_tokens_per_second"], given["measured_power"]
    P.add(~given["measured_energy_per_token"] & (tps ^ pw), "measured_power" if tps.any() else "measured_tokens_per_second",
          "a measured throughput needs both measured_tokens_per_second and measured_power")
    with np.errstate(invalid="ignore", divide="ignore"):
        derived = _point(col["measured_power"][:, 1] / col["measured_tokens_per_second"][:, 1])
    v["measured_energy_per_token"] = _where(given["measured_energy_per_token"], col["measured_energy_per_token"],
                                            _where(tps & pw, derived, np.nan))

    # -- datacentre and grid
    dc_keys = _names(table, inputs, "datacenter", "industry_average", P, "datacenter profile",
                        lambda s: factors.find_key("datacenters", s, "datacenter profile"))
    dc_ok = dc_keys.present
    v["pue"] = _default(col, given, "pue", _factor(dc_keys, "datacenters", "pue", _D), P, dc_ok)
    v["wue"] = _default(col, given, "wue", _factor(dc_keys, "datacenters", "wue", "L/J"), P, dc_ok)
    zone_keys = _names(table, inputs, "zone", "WOR", P, "zone", lambda s: factors.find_key("grid", s, "zone"))
    zone_ok = zone_keys.present
    v["grid_intensity"] = _default(col, given, "grid_intensity", _factor(zone_keys, "grid", "carbon_intensity", "kg/J"),
                                   P, zone_ok)
    zone_water = _factor(zone_keys, "grid", "water_intensity", "L/J")
    world_water = _triple(factors.get("grid", "WOR", "water_intensity"), "L/J")[None, :]
    v["water_intensity"] = _where(given["water_intensity"], col["water_intensity"],
                                  _where(np.isnan(zone_water[:, 1]), world_water, zone_water))

    _training(v, col, given, model_keys, period, table, inputs, P, n)
    # any other core input (a method constant added to the model): its column, else factors/constants.csv
    for name, (unit, _) in INPUTS.items():
        if name not in v and name not in OPTIONAL:
            row = factors.get("constants", name, "value")
            if row is None:
                raise KeyError(f"batch: no column rule and no factors/constants.csv row for the input '{name}'")
            v[name] = _where(given[name], col[name], _triple(row, unit)[None, :]) if name in col \
                else _triple(row, unit)[None, :]
    return v, period, P


def _default(col, given, name, fallback, P, key_ok):
    """A given column, else a factor default; a row with neither is a problem."""
    absent = ~given[name] & key_ok & np.isnan(fallback[:, 1])
    P.add(absent, name, "no default in the factor tables for this row; give it explicitly")
    return _where(given[name], col[name], fallback)


def _precision(s):
    from .errors import unknown_name

    if s.lower() not in PRECISION_BYTES:
        raise unknown_name("precision", s, PRECISION_BYTES)
    return s.lower()


def _provisioning(s):
    if s.lower() not in PROVISIONING:
        raise InputError(f"'{s}' is not valid; use shared or dedicated")
    return s.lower()


def _training(v, col, given, model_keys, period, table, inputs, P, n):
    """Training amortisation, as in :func:`footprint.resolve._resolve_training`, row-wise by masks."""
    life, share = given["training_lifetime_requests"], given["training_share"]
    on = life | share
    P.add(life & share, "training_share", "give either training_lifetime_requests or training_share, not both")
    P.add(share & ~given["requests"], "training_share",
          "needs requests (the share is spread over the requests of the period)")
    with np.errstate(invalid="ignore", divide="ignore"):
        from_share = _point(col["requests"][:, 1] * period / col["training_share"][:, 1])
    v["amortisation_requests"] = _where(life, col["training_lifetime_requests"], _where(share, from_share, np.nan))
    model_hours = _factor(model_keys, "models", "training_gpu_hours", "s")
    model_tokens = _factor(model_keys, "models", "training_tokens", "token")
    model_power = _factor(model_keys, "models", "training_gpu_power", "W")
    hours_given = given["training_gpu_hours"]
    use_model_hours = ~hours_given & ~np.isnan(model_hours[:, 1])
    use_tokens = ~hours_given & ~use_model_hours & (given["training_tokens"] | ~np.isnan(model_tokens[:, 1]))
    P.add(on & ~hours_given & ~use_model_hours & ~use_tokens, "training_gpu_hours",
          "training amortisation needs training_gpu_hours or training_tokens (or a catalogue model whose card "
          "gives them)")
    v["training_gpu_time"] = _where(on & hours_given, col["training_gpu_hours"],
                                    _where(on & use_model_hours, model_hours, np.nan))
    v["training_tokens"] = _where(on & use_tokens, _where(given["training_tokens"], col["training_tokens"], model_tokens),
                                  np.nan)
    power = _where(given["training_gpu_power"], col["training_gpu_power"],
                   _where(~np.isnan(model_power[:, 1]), model_power, v["tdp"]))
    v["training_gpu_power"] = _where(on, power, 0.0)
    v["training_pue"] = _where(on & given["training_pue"], col["training_pue"], 1.0)
    tz_keys = _names(table, inputs, "training_zone", "USA", P, "zone", lambda s: factors.find_key("grid", s, "zone"))
    tz = _factor(tz_keys, "grid", "carbon_intensity", "kg/J")
    v["training_grid_intensity"] = _where(on, _where(given["training_grid_intensity"], col["training_grid_intensity"], tz),
                                          0.0)
    v["training_mfu"] = _where(on & given["training_mfu"], col["training_mfu"], _constant("training_mfu", _D, n))
    v["training_peak_flops"] = v["peak_flops"]


# -- the public function ------------------------------------------------------------------------------


def oriented(values: dict, cases: bool = True) -> dict:
    """Arrays of :data:`~footprint.estimator.INPUTS` for :func:`~footprint.estimator.compute`.

    Natural (low, value, high) order becomes footprint order (a decreasing
    input is reversed); ``cases=False`` keeps the central value only (a case
    axis of length 1).
    """
    m = {}
    for name, (_, increasing) in INPUTS.items():
        arr = values.get(name)
        if arr is None:
            if name not in OPTIONAL:
                raise KeyError(f"input '{name}' was not resolved by the batch resolver")
            arr = np.full((1, 3), np.nan)
        arr = np.asarray(arr, dtype=float)
        m[name] = arr[:, 1:2] if not cases else (arr if increasing else arr[:, ::-1])
    return m


def estimate(table, *, skip_invalid: bool = False, cases: bool = True, samples: int | None = None,
             seed=None, units: dict | None = None, max_elements: int | None = None):
    """Estimate every row of `table` (one scenario per row) in one vectorised call.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per scenario; columns named like the flags of ``footprint
        estimate`` with underscores (``params``, ``output_tokens``, ``gpu``,
        ``zone``, ``grid_intensity``...), units in the header
        (``grid_intensity[g/kWh]``), in a units row or in the cells (see the
        module docstring).
    skip_invalid : bool
        Return the good rows and a frame of rejected rows instead of raising.
    cases : bool
        Compute low and high (the case axis); ``False`` gives the central value
        only (faster).
    samples : int, optional
        Monte Carlo samples per scenario: adds ``_p5``, ``_p50``, ``_p95``
        columns (see :mod:`footprint.montecarlo`).
    seed : int, optional
        Seed of the Monte Carlo sampling (reproducible results).
    units : dict, optional
        Units of columns, ``{"grid_intensity": "g/kWh"}`` (like a units row).
    max_elements : int, optional
        Monte Carlo chunk size in scenario x sample elements (memory bound).

    Returns
    -------
    pandas.DataFrame, or (pandas.DataFrame, pandas.DataFrame) with `skip_invalid`
        Results indexed like `table`: pass-through columns, then for each of
        energy [Wh], co2e [gCO2e], water [mL] per request and energy [kWh],
        co2e [kgCO2e], water [L] in total (NaN without ``requests``) the
        columns ``<metric>_per_request[<unit>]`` with ``_low`` and ``_high``
        (``<metric>_total[<unit>]`` likewise).  The rejects frame holds the
        bad rows as given plus a column ``error`` (``rejects.attrs["problems"]``
        holds the grouped problems, for :func:`report`).

    Raises
    ------
    InputError
        Naming every bad value by row and column, when `skip_invalid` is false.
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise InputError("batch: give a pandas DataFrame (one row per scenario)")
    inputs, passthrough = normalise_columns(table)
    data, row_units = split_units_row(table, inputs)
    row_units.update(units or {})
    if len(data) == 0:
        raise InputError("the table is empty: give one row per scenario (columns params, output_tokens, gpu, zone...)")
    if "params" not in inputs and "model" not in inputs:
        raise InputError("missing required column: params (the model size, e.g. 70B) or model (a catalogue model); "
                         f"columns found: {', '.join(map(str, table.columns))}")
    values, period, problems = resolve_table(data, row_units)
    problems.sort()
    bad = problems.bad_rows()
    if problems.items and not skip_invalid:
        raise InputError(problems.message())
    good = ~bad
    n_good = int(good.sum())
    if bad.any():
        values = {k: (a[good] if a.shape[0] == len(good) else a) for k, a in values.items()}
        period = period[good]
    result = data.loc[good, passthrough].copy()
    if good.any():
        m = oriented(values, cases)
        with np.errstate(all="ignore"):
            raw = {k: np.broadcast_to(a, (n_good, a.shape[-1])) for k, a in compute(m).items()}
            requests = values["request_rate"][:, 1:2] * period[:, None] if not cases else \
                values["request_rate"] * period[:, None]
            _columns(result, raw, requests, cases)
            if samples is not None:
                from .montecarlo import percentiles

                pct = percentiles(m if cases else oriented(values, True), samples=samples, seed=seed,
                                  period=period, max_elements=max_elements, rows=n_good)
                for key, arr in pct.items():
                    metric, scope = key.split(".")
                    unit = (PER_REQUEST_UNITS if scope == "per_request" else TOTAL_UNITS)[metric]
                    f = _scale(_INTERNAL[metric], unit)
                    for i, q in enumerate(("p5", "p50", "p95")):
                        result[f"{metric}_{scope}_{q}[{unit}]"] = arr[:, i] * f
    if not skip_invalid:
        return result
    rejects = data.loc[bad].copy()
    per_row = problems.per_row()
    rejects["error"] = [per_row[p] for p in np.flatnonzero(bad)]
    rejects.attrs["problems"] = problems.labelled()
    return result, rejects


def _columns(result, raw, requests, cases):
    """Add the result columns (central, low, high) in display units."""
    for scope, units, scale in (("per_request", PER_REQUEST_UNITS, None), ("total", TOTAL_UNITS, requests)):
        for metric, unit in units.items():
            arr = raw[metric] if scale is None else raw[metric] * scale
            f = _scale(_INTERNAL[metric], unit)
            if cases:
                result[f"{metric}_{scope}[{unit}]"] = arr[:, 1] * f
                result[f"{metric}_{scope}_low[{unit}]"] = _reduce3(np.minimum, arr) * f
                result[f"{metric}_{scope}_high[{unit}]"] = _reduce3(np.maximum, arr) * f
            else:
                result[f"{metric}_{scope}[{unit}]"] = arr[:, 0] * f
    if cases:
        result["requests_total[request]"] = requests[:, 1]
    else:
        result["requests_total[request]"] = requests[:, 0]
