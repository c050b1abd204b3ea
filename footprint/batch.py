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

import numpy as np

from .columns import PATHS, Columns, Problems, check_column, point, reduce3 as _reduce3, report, resolve_columns, scale as _scale
from .errors import InputError
from .estimator import INPUTS, OPTIONAL, PER_REQUEST_UNITS, TOTAL_UNITS, compute, for_totals
from .inputs import CONSTANT_MAXIMA, CONSTANTS, CORE, USER, UserInput
from .quantity import example
from .units import INTERNAL_UNITS as _INTERNAL

#: Name columns (looked up in the factor tables or a fixed list).
NAME_COLUMNS = tuple(name for name, spec in USER.items() if spec.is_name)

#: Quantity columns: every quantity input of the registry, and the method constants (factors/constants.csv).
QUANTITY_COLUMNS = {name: spec for name, spec in USER.items() if not spec.is_name}
for _name in CONSTANTS:
    QUANTITY_COLUMNS[_name] = UserInput(_name, CORE[_name].unit, "", positive=False, minimum=0,
                                        maximum=CONSTANT_MAXIMA.get(_name))

#: Inputs of the single estimate that a table cannot hold (a dict of overrides: use the constants' own columns;
#: a sobriety budget, whose verdict needs a Monte Carlo per row: a `budget` column was copied and never judged).
UNSUPPORTED = ("constants", "budget")

#: A plain decimal number (no exponent over 3 digits, no thousands separator): read without the grammar's loop.
_PLAIN = r"[+-]?(?:\d{1,15}(?:\.\d{1,15})?|\d{1,3},\d{1,2}|\d{1,3},\d{4,15}|\d{4,15},\d{1,15})(?:[eE][+-]?\d{1,2})?"
_HEADER = re.compile(r"^\s*-*\s*(?P<name>[^\[\]]+?)\s*(?:\[(?P<unit>[^\]]*)\])?\s*$")


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
            errors.append(f"column {col}: not available in batch (use `footprint estimate` for one scenario"
                          f"{'; rename the column, e.g. budget_note, to copy it' if name == 'budget' else ''})")
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


def _unit_factor(unit_text: str, target: str):
    """Factor from `unit_text` to `target`, or an error message (the grammar's unit reader, cached)."""
    from .quantity import antimony_error, unit_factor

    wrong = antimony_error(unit_text, target)
    if wrong:
        return None, f"'{unit_text}' {wrong}"
    try:
        return unit_factor(unit_text, target), None
    except ValueError as exc:
        return None, str(exc)



def parse_column(series, name: str, spec, column_unit: str | None, problems: Problems, label: str):
    """Parse one quantity column into magnitudes (rows, 3) = (low, value, high) in ``spec.unit``.

    Returns the array (NaN where missing or bad) and the mask of given cells.
    """
    n = len(series)
    numbers = series.dtype.kind in "biuf"
    if numbers:  # one pass for the missing cells: NaN (the text path also treats blank strings)
        values = series.to_numpy(dtype=float, na_value=np.nan)
        given = ~np.isnan(values)
    else:
        given = ~_missing(series)
    default_unit = column_unit or spec.bare_unit
    if column_unit is not None:
        factor, err = _unit_factor(column_unit, spec.unit)
        if err:
            problems.add(given, label, f"column unit: {err}")
            return np.full((n, 3), np.nan), given
    if numbers:  # numbers: one multiplication
        if default_unit is None:
            problems.add(given, label, f"a plain number needs a unit: write e.g. '{example(spec.unit)}' or name the "
                                       f"column {name}[unit]")
            return np.full((n, 3), np.nan), given
        factor, _ = _unit_factor(default_unit, spec.unit)
        magnitudes = values * factor if factor != 1.0 else values
        bad = given & ~np.isfinite(values)
        problems.add(bad, label, "not a finite number")
        check_column(magnitudes[:, None], given & ~bad, spec, problems, label)  # points: one value per row
        out = point(magnitudes)
        if bad.any():
            out[bad] = np.nan
        return out, given
    out = np.full((n, 3), np.nan, order="F")
    _parse_text(series, given, name, spec, default_unit, problems, label, out)
    check_column(out, given, spec, problems, label)
    return out, given


def _parse_text(series, given, name, spec, default_unit, problems, label, out):
    """Text cells through the quantity grammar of :mod:`footprint.quantity`, each distinct text read once."""
    import pandas as pd

    from .quantity import parse_text

    pos = np.flatnonzero(given)
    if pos.size == 0:
        return
    text = series.iloc[pos].astype(str).str.strip()
    if default_unit is not None and pos.size > 64:
        # plain decimal numbers (the common case of a large table): read at once, the rest cell by cell
        plain = text.str.fullmatch(_PLAIN).to_numpy(dtype=bool)
        if plain.any():
            numbers = text[plain].str.replace(",", ".", regex=False).astype(float).to_numpy()
            factor = 1.0 if default_unit == spec.unit else _scale(default_unit, spec.unit)
            out[pos[plain]] = (numbers * factor)[:, None]
            pos, text = pos[~plain], text[~plain]
            if pos.size == 0:
                return
    codes, uniques = pd.factorize(text)
    parsed = np.full((len(uniques) + 1, 3), np.nan)
    for i, text in enumerate(uniques):
        try:
            parsed[i, :] = parse_text(text, spec.unit, label, bare=default_unit, count=spec.count,
                                      ranged=spec.ranged)[:3]
        except InputError as exc:
            problems.add(pos[codes == i], label, str(exc).removeprefix(f"{label}: "))
    out[pos] = parsed[codes]


def resolve_table(table, column_units=None):
    """Resolve every row's inputs at once through the one resolver (:func:`footprint.columns.resolve_columns`).

    Returns ``(values, period, problems)``: ``values`` maps each core input
    (:data:`footprint.inputs.CORE`) to an array (rows, 3) in natural order (low,
    value, high) and internal units (NaN for optional inputs not given), ``period``
    the period of the totals [s] (NaN without requests) and ``problems`` the bad
    values found.  :func:`resolve_table_full` also returns the sources, notes and
    serving paths.
    """
    res = resolve_table_full(table, column_units)
    return res.values, res.period, res.problems


def resolve_table_full(table, column_units=None):
    """The :class:`footprint.columns.Resolution` of every row of `table`."""
    inputs, _ = normalise_columns(table)
    units = {name: unit for name, (_, unit) in inputs.items() if unit is not None}
    units.update(column_units or {})
    n = len(table)
    P = Problems(table.index)
    col, given = {}, {}
    for name, spec in QUANTITY_COLUMNS.items():
        if name in inputs:
            col[name], given[name] = parse_column(table[inputs[name][0]], name, spec, units.get(name), P, name)
        else:
            col[name], given[name] = np.full((1, 3), np.nan), np.zeros(n, dtype=bool)
    names = {name: table[inputs[name][0]] for name in NAME_COLUMNS if name in inputs}  # factorised as Series
    constants = {k: col.pop(k) for k in CONSTANTS}
    constants_given = {k: given.pop(k) for k in CONSTANTS}
    return resolve_columns(Columns(n, col, given, names, constants, constants_given), P)



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
        if cases and arr.shape[0] > 1 and not arr.flags.f_contiguous:
            arr = np.asfortranarray(arr)  # each case contiguous (see columns.names.point): compute is ~30 % faster
        m[name] = arr[:, 1:2] if not cases else (arr if increasing else arr[:, ::-1])
    return m


def estimate(table, *, skip_invalid: bool = False, cases: bool = True, samples: int | None = None,
             seed=None, units: dict | None = None, max_elements: int | None = None, row_offset: int = 0,
             with_sources: bool = False):
    """Estimate every row of `table` (one scenario per row) in one vectorised call.

    Parameters
    ----------
    table : pandas.DataFrame or dask.dataframe.DataFrame
        One row per scenario (a Dask DataFrame gives a Dask DataFrame of results, computed
        partition by partition: see :func:`_estimate_dask`); columns named like the flags of ``footprint
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
    row_offset : int
        Position of the table's first row in a larger table (its rows' Monte Carlo streams
        depend on their global position, so a table read in chunks gives the same draws).
    with_sources : bool
        Also return the sources table of the whole run (:func:`merge_sources`: one row per
        ``sources_id`` and input, ordered by id, as ``OUT.sources.csv``), last in the returned
        tuple.  With a Dask DataFrame it is a Dask DataFrame of one partition built from the
        same partition tasks as the results: ``dask.compute(result, sources)`` estimates every
        partition once and gives both.

    Returns
    -------
    pandas.DataFrame, or (pandas.DataFrame, pandas.DataFrame) with `skip_invalid`, or dask.dataframe.DataFrame
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

    if is_dask(table):
        return _estimate_dask(table, skip_invalid=skip_invalid, cases=cases, samples=samples, seed=seed, units=units,
                              max_elements=max_elements, row_offset=row_offset, with_sources=with_sources)
    if not isinstance(table, pd.DataFrame):
        raise InputError("batch: give a pandas DataFrame or a Dask DataFrame (one row per scenario)")
    if with_sources:
        out = estimate(table, skip_invalid=skip_invalid, cases=cases, samples=samples, seed=seed, units=units,
                       max_elements=max_elements, row_offset=row_offset)
        result = out[0] if skip_invalid else out
        return (*(out if skip_invalid else (out,)), merge_sources([result.attrs.get("sources")]))
    data, passthrough, res = _read_table(table, units)
    values, period, problems = res.values, res.period, res.problems
    problems.sort()
    bad = problems.bad_rows()
    if problems.items and not skip_invalid:
        raise InputError(problems.message())
    good = ~bad
    n_good = int(good.sum())
    if bad.any():
        values = {k: (a[good] if a.shape[0] == len(good) else a) for k, a in values.items()}
        period = period[good]
    kept = data[passthrough] if n_good == len(good) else data.loc[good, passthrough]
    kept = kept.drop(columns=[c for c in ("serving_path", "notes", "sources_id") if c in kept.columns])
    new = {}  # the computed columns, joined to the pass-through ones at once (one copy, not one per column)
    sources = None
    if good.any():
        sources = _computed_columns(new, res, values, period, good, cases, samples, seed, row_offset, max_elements,
                                    kept.index)
    if new:
        computed = pd.DataFrame(new, index=kept.index, copy=False)  # the columns are fresh arrays: no copy
        result = pd.concat([kept, computed], axis=1) if len(kept.columns) else computed
    else:
        result = kept.copy()
    if sources is not None:
        result.attrs["sources"] = sources
    if not skip_invalid:
        return result
    rejects = data.loc[bad].copy()
    per_row = problems.per_row()
    rejects["error"] = [per_row[p] for p in np.flatnonzero(bad)]
    rejects.attrs["problems"] = problems.labelled()
    return result, rejects


def _read_table(table, units):
    """A pandas table's input columns read and resolved: (data rows, pass-through columns, Resolution)."""
    inputs, passthrough = normalise_columns(table)
    data, row_units = split_units_row(table, inputs)
    row_units.update(units or {})
    if len(data) == 0:
        raise InputError("the table is empty: give one row per scenario (columns params, output_tokens, gpu, zone...)")
    if not {"params", "model", "flops_per_item", "energy_per_item"} & set(inputs):
        raise InputError("missing required column: params (the model size, e.g. 70B) or model (a catalogue model); "
                         f"columns found: {', '.join(map(str, table.columns))}")
    return data, passthrough, resolve_table_full(data, row_units)


def _computed_columns(new, res, values, period, good, cases, samples, seed, row_offset, max_elements, index=None):
    """Fill `new` with the good rows' path, notes, sources id and figures (with percentiles); the sources table."""
    n_good = int(good.sum())
    new["serving_path"] = _path_column(res, good)
    new["notes"] = _notes_column(res, good)
    new["sources_id"], sources = sources_table(res, good)
    m = oriented(values, cases)
    with np.errstate(all="ignore"):
        raw = {k: np.broadcast_to(a, (n_good, a.shape[-1])) for k, a in compute(m, breakdown=False).items()}
        requests = values["request_rate"][:, 1:2] * period[:, None] if not cases else \
            values["request_rate"] * period[:, None]
        m_total = for_totals(m) if cases else None
        raw_total = raw if m_total is None else {
            k: np.broadcast_to(a, (n_good, a.shape[-1])) for k, a in compute(m_total, breakdown=False).items()}
        _columns(new, raw, requests, cases, raw_total, index)
        if samples is not None:
            _percentile_columns(new, res, m if cases else oriented(values, True), period, good, samples, seed,
                                row_offset, max_elements)
    return sources


def _percentile_columns(new, res, m, period, good, samples, seed, row_offset, max_elements):
    """Add the Monte Carlo ``_p5``, ``_p50``, ``_p95`` columns of the good rows to `new`."""
    from .montecarlo import percentiles, streams_of

    streams = {k: (codes[good], keys) for k, (codes, keys) in streams_of(res.sources, len(good)).items()}
    pct = percentiles(m, samples=samples, seed=0 if seed is None else seed, streams=streams,
                      positions=np.flatnonzero(good) + row_offset,
                      period=period, max_elements=max_elements, rows=int(good.sum()))
    for key, arr in pct.items():
        metric, scope = key.split(".")
        unit = (PER_REQUEST_UNITS if scope == "per_request" else TOTAL_UNITS)[metric]
        f = _scale(_INTERNAL[metric], unit)
        for i, q in enumerate(("p5", "p50", "p95")):
            new[f"{metric}_{scope}_{q}[{unit}]"] = arr[:, i] * f


def _notes_column(res, good):
    """Each row's notes joined by '; ', as a categorical column (rows sharing notes share one text).

    Each row's notes are a bit pattern (note ``i`` is bit ``7 - i % 8`` of byte ``i // 8``, as
    :func:`numpy.packbits` packs them; 64 notes a word, words mixed into one 64-bit key); the
    keys are made unique and each distinct pattern is spelled once.  A note that holds for
    every row or for none adds a constant, so only the others cost a pass over the rows.
    """
    import pandas as pd

    n = len(good)
    n_good = int(good.sum())
    texts = [res.problems.spell(t) for _, t in res.notes]
    if not texts:
        return pd.Categorical.from_codes(np.zeros(n_good, dtype=int), categories=[""])
    full = n_good == n
    masks = []
    for m, _ in res.notes:
        m = np.asarray(m, dtype=bool)
        if m.size != 1:
            m = m if full else m[good]
            if not m.any():
                m = np.zeros(1, dtype=bool)
            elif m.all():
                m = np.ones(1, dtype=bool)
        masks.append(m.reshape(-1))
    n_words = -(-len(masks) // 64)
    key = None
    with np.errstate(over="ignore"):
        for w in range(n_words):
            const = np.uint64(0)
            word = None
            for i in range(64 * w, min(len(masks), 64 * w + 64)):
                shift = np.uint64(8 * ((i % 64) // 8) + 7 - i % 8)
                m = masks[i]
                if m.size == 1:
                    const |= np.uint64(int(m[0])) << shift
                else:
                    bits = m.view(np.uint8).astype(np.uint64) << shift
                    word = bits if word is None else word | bits
            word = np.full(n_good, const, dtype=np.uint64) if word is None else word | const
            key = word if key is None else key * np.uint64(0x9E3779B97F4A7C15) + word
    _, first, codes = _unique(key)
    labels = ["; ".join(dict.fromkeys(t for t, m in zip(texts, masks) if m[0 if m.size == 1 else j])) for j in first]
    categories = list(dict.fromkeys(labels))
    remap = np.array([categories.index(lab) for lab in labels], dtype=int)
    return pd.Categorical.from_codes(remap[codes.reshape(-1)], categories=categories)


#: Columns of the sources table (one row per pattern of provenance and input).
SOURCE_COLUMNS = ("sources_id", "input", "kind", "table", "key", "parameter", "status", "source_id", "formula")


def sources_table(res, good):
    """Where every value of every row came from, as ids per row and a long table of the distinct patterns.

    Rows that took their inputs the same way (given, or the same factor rows, or the same
    derivation) share one ``sources_id``; the table lists, for each id, every input with its
    provenance record.  Ids are the first 12 hex digits of a BLAKE2b digest of the records, so a
    table read in chunks gives the same ids.

    Returns
    -------
    (ndarray of str, pandas.DataFrame)
        The id of each good row, and the table (columns :data:`SOURCE_COLUMNS`).
    """
    import hashlib
    import json

    import pandas as pd

    names = [k for k in INPUTS if k in res.sources.rules]
    h = res.pattern()[good]
    positions = np.flatnonzero(good)
    uniq, first, inverse = _unique(h)
    ids, rows = [], []
    for j in first:
        row = int(positions[j])
        records = {name: res.sources.record(name, row) for name in names}
        records = {k: r for k, r in records.items() if r is not None and r["kind"] != "placeholder"}
        digest = hashlib.blake2b(json.dumps(records, sort_keys=True, default=str).encode(), digest_size=6).hexdigest()
        ids.append(digest)
        for name, r in records.items():
            rows.append({"sources_id": digest, "input": name, "kind": r.get("kind"), "table": r.get("table"),
                         "key": r.get("key"), "parameter": r.get("parameter"), "status": r.get("status"),
                         "source_id": r.get("source_id"), "formula": r.get("formula")})
    table = pd.DataFrame(rows, columns=list(SOURCE_COLUMNS)).drop_duplicates()
    categories = list(dict.fromkeys(ids))  # two patterns may give one id (placeholders are not recorded)
    remap = np.array([categories.index(i) for i in ids], dtype=np.intp)
    return pd.Categorical.from_codes(remap[inverse.reshape(-1)], categories=categories), table


def merge_sources(tables) -> "pandas.DataFrame":
    """The sources table of a whole run from the tables of its chunks or partitions (None: a chunk without rows).

    Duplicates are dropped and the rows ordered by ``sources_id`` (stable: each id keeps its
    inputs in order), so any chunking, partitioning or number of workers gives the same table.
    """
    import pandas as pd

    tables = [t for t in tables if t is not None and len(t)]
    if not tables:
        return pd.DataFrame(columns=list(SOURCE_COLUMNS))
    merged = pd.concat(tables, ignore_index=True).drop_duplicates()
    return merged.sort_values("sources_id", kind="stable").reset_index(drop=True)


def _unique(keys: np.ndarray):
    """``np.unique(keys, return_index=True, return_inverse=True)`` by hashing (pandas), O(rows) instead of a sort.

    The distinct keys come sorted as numpy gives them; `first` is each key's first row.

    >>> u, first, inverse = _unique(np.array([7, 3, 7, 9, 3], dtype=np.uint64))
    >>> u.tolist(), first.tolist(), inverse.tolist()
    ([3, 7, 9], [1, 0, 3], [1, 0, 1, 2, 0])
    """
    import pandas as pd

    codes, uniques = pd.factorize(keys)
    # factorize numbers keys in order of first appearance: a code first seen raises the running maximum
    running = np.maximum.accumulate(codes)
    first_seen = np.flatnonzero(np.diff(running, prepend=-1) > 0)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return np.asarray(uniques)[order], first_seen[order], rank[codes]


def _path_column(res, good):
    import pandas as pd

    return pd.Categorical.from_codes(np.broadcast_to(res.path, (len(good),))[good], categories=list(PATHS))


def _columns(result, raw, requests, cases, raw_total=None, index=None):
    """Add the result columns (central, low, high) in display units to `result` (a dict of columns; totals on
    their own cases; `index`: the result's index)."""
    raw_total = raw if raw_total is None else raw_total
    # no row has a request rate: every total is NaN, nothing to compute, and the columns share one pandas Series
    # (copy-on-write: a change to one column copies it first; a million-row table saves 15 x 8 MB of fresh memory)
    nan_column = None
    if np.isnan(requests).all():
        import pandas as pd

        nan_column = pd.Series(np.full(len(requests), np.nan), index=index, copy=False)
    for scope, units, scale in (("per_request", PER_REQUEST_UNITS, None), ("total", TOTAL_UNITS, requests)):
        for metric, unit in units.items():
            if scale is not None and nan_column is not None:
                for suffix in ("", "_low", "_high") if cases else ("",):
                    result[f"{metric}_{scope}{suffix}[{unit}]"] = nan_column
                continue
            arr = raw[metric] if scale is None else raw_total[metric] * scale
            f = _scale(_INTERNAL[metric], unit)
            if cases:
                result[f"{metric}_{scope}[{unit}]"] = arr[:, 1] * f
                result[f"{metric}_{scope}_low[{unit}]"] = _reduce3(np.minimum, arr) * f
                result[f"{metric}_{scope}_high[{unit}]"] = _reduce3(np.maximum, arr) * f
            else:
                result[f"{metric}_{scope}[{unit}]"] = arr[:, 0] * f
    if nan_column is not None:
        result["requests_total[request]"] = nan_column
    elif cases:
        result["requests_total[request]"] = requests[:, 1]
    else:
        result["requests_total[request]"] = requests[:, 0]


# -- Dask ------------------------------------------------------------------------------------------------------------

#: What to say when the optional Dask extra is missing.
NO_DASK = "Dask is not installed: pip install 'footprint[dask]' (dask[dataframe] and distributed)"


def is_dask(table) -> bool:
    """Whether `table` is a Dask collection (checked without importing Dask)."""
    return type(table).__module__.split(".")[0] == "dask"


def require_dask():
    """Import and return ``dask.dataframe``, or raise the one-line :data:`NO_DASK` error."""
    try:
        import dask.dataframe as dd
    except ImportError:
        raise InputError(NO_DASK) from None
    return dd


#: glibc allocator settings of :func:`tune_allocator` [byte]: arrays up to this size come from the heap...
MMAP_THRESHOLD = 32 << 20
#: ... and up to this much freed memory stays in the process for the next arrays.
TRIM_THRESHOLD = (1 << 31) - 1  # 2 GiB, the largest value of a C int


def tune_allocator() -> bool:
    """Let this process reuse the memory of freed arrays instead of asking the system for fresh pages.

    A batch of a million rows allocates and frees a few hundred arrays of 8 to 24 MB.  glibc's
    default hands every array over 128 kB back to the system when it is freed, so the next one
    is zero-filled page by page again (about 50,000 page faults a call, system time that
    grows with the machine's load).  This sets glibc's ``M_MMAP_THRESHOLD`` to
    :data:`MMAP_THRESHOLD` and ``M_TRIM_THRESHOLD`` to :data:`TRIM_THRESHOLD` with
    ``mallopt``: the freed arrays stay in the heap and are reused.  The cost is that the
    process keeps up to :data:`TRIM_THRESHOLD` of freed memory.  ``footprint estimate --batch``
    and :func:`worker_setup` call it; :func:`estimate` itself never changes the process's
    settings.  Figures are not affected.

    Returns
    -------
    bool
        Whether the settings were applied (False off glibc, e.g. on macOS or Windows).
    """
    import ctypes
    import ctypes.util
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3  # malloc.h
        return bool(libc.mallopt(m_mmap_threshold, MMAP_THRESHOLD)) & bool(libc.mallopt(m_trim_threshold,
                                                                                          TRIM_THRESHOLD))
    except (OSError, AttributeError):
        return False


def worker_setup() -> None:
    """Pay the per-process set-up (unit registry, factor tables, allocator) once, before the first partition.

    The unit registry is footprint's application registry from the import of
    :mod:`footprint.units` on, so :class:`pint.Quantity` objects pickled by one process
    unpickle in another (a Dask worker).  ``client.run(footprint.batch.worker_setup)`` runs
    it on every worker of a cluster.
    """
    import pandas as pd

    from . import units  # noqa: F401  (pint.set_application_registry at import)

    tune_allocator()
    estimate(pd.DataFrame({"params": ["7B"], "gpu": ["H100"], "zone": ["FRA"]}), samples=1)


def result_meta(passthrough_meta, *, cases: bool = True, samples: int | None = None):
    """The empty result frame of :func:`estimate` for a table whose pass-through columns are `passthrough_meta`.

    Columns and dtypes are those of a computed result (the computed columns do not depend
    on the rows' values): the Dask path's explicit ``meta``.
    """
    import pandas as pd

    probe = estimate(pd.DataFrame({"params": ["7B"]}), cases=cases, samples=1 if samples else None, seed=0)
    meta = passthrough_meta.iloc[:0].copy()
    for col in probe.columns:
        meta[col] = probe[col].iloc[:0].to_numpy() if not isinstance(probe[col].dtype, pd.CategoricalDtype) \
            else pd.Categorical([], categories=probe[col].cat.categories)
    meta["notes"] = meta["notes"].astype(object)
    return meta


def _estimate_partition(part, offsets, drop_first, meta, options, partition_info=None):
    """:func:`estimate` of one partition at its global row offset (the Monte Carlo streams follow the rows)."""
    number = partition_info["number"] if partition_info else 0
    if drop_first and number == 0:
        part = part.iloc[1:]
    if len(part) == 0:
        return meta
    result = estimate(part, row_offset=int(offsets[number]), **options)
    result.attrs.clear()  # pandas cannot concatenate frames whose attrs hold frames (with_sources: _estimate_pair)
    result["notes"] = result["notes"].astype(object)  # categories differ between partitions
    return result


def _estimate_pair(part, offset, drop_first, meta, options):
    """(result, sources table) of one partition at its global row offset: the tasks of ``with_sources``."""
    if drop_first:
        part = part.iloc[1:]
    if len(part) == 0:
        return meta, None
    result = estimate(part, row_offset=int(offset), **options)
    sources = result.attrs.pop("sources", None)
    result.attrs.clear()
    result["notes"] = result["notes"].astype(object)  # categories differ between partitions
    return result, sources


def _estimate_dask(table, *, skip_invalid, cases, samples, seed, units, max_elements, row_offset,
                   with_sources=False):
    """:func:`estimate` of a Dask DataFrame: ``map_partitions`` with an explicit ``meta``.

    Each partition is estimated where it lies, at its global row offset (with Monte Carlo
    samples, the partition lengths are counted once, a pass over the data), so the Monte Carlo draws of a row and
    the figures are the same as for the whole table in one process, for any partitioning
    and any number of workers.  A units row (the first row of the first partition) applies
    to every partition.  Bad values raise :class:`~footprint.errors.InputError` when the
    result is computed (rows named by the partition's index); ``skip_invalid`` is not
    available here (the CLI's ``--workers`` writes the rejects).  With `with_sources`, one
    delayed task per partition gives its results and its sources table, and a last task
    merges the tables (:func:`merge_sources`).
    """
    import numpy as np

    require_dask()
    if skip_invalid:
        raise InputError("batch: skip_invalid is not available with a Dask DataFrame; use `footprint estimate --batch "
                         "FILE --output OUT --skip-invalid --workers N`, which writes the rejects")
    inputs, passthrough = normalise_columns(table._meta)
    if not {"params", "model", "flops_per_item", "energy_per_item"} & set(inputs):
        raise InputError("missing required column: params (the model size, e.g. 70B) or model (a catalogue model); "
                         f"columns found: {', '.join(map(str, table.columns))}")
    head = table.partitions[0].compute()
    _, row_units = split_units_row(head, inputs)
    drop_first = bool(row_units)
    row_units.update(units or {})
    if samples is None:  # only the Monte Carlo streams depend on a row's position: no pass to count the rows
        offsets = np.full(table.npartitions, int(row_offset), dtype=np.int64)
    else:
        lengths = np.asarray(table.map_partitions(len).compute(), dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]) - (1 if drop_first else 0) + int(row_offset)
        offsets[0] = int(row_offset)
    meta = result_meta(table._meta[passthrough], cases=cases, samples=samples)
    options = dict(cases=cases, samples=samples, seed=seed, units=row_units, max_elements=max_elements)
    if not with_sources:
        return table.map_partitions(_estimate_partition, offsets.tolist(), drop_first, meta, options, meta=meta,
                                    align_dataframes=False)
    import dask

    dd = require_dask()
    pairs = [dask.delayed(_estimate_pair, nout=2, pure=True)(part, int(offsets[k]), drop_first and k == 0, meta,
                                                             options)
             for k, part in enumerate(table.to_delayed())]
    result = dd.from_delayed([r for r, _ in pairs], meta=meta, divisions=table.divisions, verify_meta=False)
    merged = dask.delayed(merge_sources, pure=True)([s for _, s in pairs])
    return result, dd.from_delayed([merged], meta=merge_sources([]), verify_meta=False)
