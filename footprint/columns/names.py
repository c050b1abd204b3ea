"""Name columns (GPU, zone, model...) read once per distinct value, and factor columns looked up by them."""

from __future__ import annotations

import numpy as np

from .. import factors
from ..errors import InputError


class Names:
    """A name column as codes into its distinct names: ``keys[codes]`` is each row's table key (None if bad)."""

    def __init__(self, codes, keys, given):
        self.codes, self.keys, self.given = codes, np.asarray(keys, dtype=object), given
        self.single = codes.size == 0 or codes.min() == codes.max()

    def take(self, per_key: np.ndarray) -> np.ndarray:
        """Rows of `per_key` (one row per distinct name) for every table row; (1, ...) when all rows agree.

        A (keys, 3) table gives (rows, 3) in column-major order (see :func:`point`).
        """
        if self.single:
            return per_key[self.codes[:1]]
        if per_key.ndim == 2:
            # np.take: ~9x faster than fancy indexing for a (keys, 3) table and a million codes
            return np.take(per_key.T, self.codes, axis=1).T
        return np.take(per_key, self.codes, axis=0)

    def map(self, fn) -> np.ndarray:
        return self.take(np.array([fn(k) if k is not None else np.nan for k in self.keys], dtype=float))

    @property
    def ok(self) -> np.ndarray:
        return self.take(np.array([k is not None for k in self.keys]))

    @property
    def present(self) -> np.ndarray:
        """Rows whose name is known (given or defaulted); a full-length mask."""
        return np.broadcast_to(self.ok, self.codes.shape)

    def key(self, row: int):
        return self.keys[self.codes[row]]


def _factorize(values):
    """(codes, uniques) of a sequence, -1 for missing; pandas only for long columns (the CLI stays light).

    A pandas Series (a batch column) is factorised as it is, without a list of Python strings.
    """
    if hasattr(values, "dtype") and hasattr(values, "iloc"):
        import pandas as pd

        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return codes, [u if isinstance(u, str) or u is None else str(u) for u in uniques.tolist()]
    if len(values) > 256:
        import pandas as pd

        return pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    seen: dict = {}
    codes = np.empty(len(values), dtype=np.intp)
    for i, x in enumerate(values):
        if x is None or (isinstance(x, float) and x != x):
            codes[i] = -1
        else:
            codes[i] = seen.setdefault(x, len(seen))
    return codes, list(seen)


def read_names(values, n: int, name: str, default, problems, lookup) -> Names:
    """Resolve a name column: factorise it, look each distinct name up once, keep codes for the rows.

    `values` is a sequence of texts (None or empty: not given), or None when the
    input is absent from every row.
    """
    if values is not None:
        codes, uniques = _factorize(values)
        names = [str(u).strip() for u in uniques]
        blank = np.array([not u for u in names] + [True], dtype=bool)
        given = ~blank[codes]  # code -1 (missing) reads the last entry
        codes = np.where(given, codes, len(names)).astype(np.intp)
    else:
        # absent from every row: one read-only code and mask for all rows (no n-long arrays to fill)
        names, codes, given = [], np.broadcast_to(np.intp(0), (n,)), np.broadcast_to(False, (n,))
    names.append(default)
    keys = []
    for i, u in enumerate(names):
        if u is None or (i < len(names) - 1 and not u):
            keys.append(None)
            continue
        if not u.isprintable():
            from ..quantity import shown

            keys.append(None)
            problems.add(codes == i, name, f"'{shown(u)}' contains a control character (a line break, a tab...); "
                                           "give the name on one line")
            continue
        try:
            keys.append(lookup(u))
        except InputError as exc:
            keys.append(None)
            problems.add(codes == i, name, str(exc).replace(" (`footprint factors list` shows all)", ""))
    return Names(codes, keys, given)


def scale(unit: str, target: str) -> float:
    """Conversion factor between two unit strings (cached)."""
    from ..quantity import unit_factor

    return unit_factor(unit, target)


def triple(row, unit: str) -> np.ndarray:
    """(low, value, high) of a factor row in `unit` (a point repeated when it has no range)."""
    low = row.value if row.low is None else row.low
    high = row.value if row.high is None else row.high
    return np.array([low, row.value, high]) * scale(row.unit, unit)


def factor_column(names: Names, table: str, parameter: str, unit: str) -> np.ndarray:
    """(rows, 3) magnitudes of `table:key/parameter` in `unit` for each row's key, NaN where absent."""
    per_key = np.full((len(names.keys), 3), np.nan)
    for i, k in enumerate(names.keys):
        if k is not None:
            row = factors.get(table, k, parameter)
            if row is not None:
                per_key[i] = triple(row, unit)
    return names.take(per_key)


def point(x) -> np.ndarray:
    """A point value per row (or one for all rows) as (rows, 3) or (1, 3), in column-major order.

    The case axis is short: in row-major order every numpy operation that broadcasts a
    (1, 3) range over (rows, 3) loops three elements at a time (about 5x slower at a million
    rows). Column-major arrays keep each case contiguous, and numpy keeps that order through
    every elementwise operation, so the resolver and :func:`footprint.estimator.compute`
    work on them (values are the same in either order).
    """
    x = np.atleast_1d(np.asarray(x, dtype=float))
    return np.repeat(x[None, :], 3, axis=0).T


def as_cases(x) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return point(x) if x.ndim < 2 else x


def where(mask, a, b):
    """Row-wise choice between two (rows, 3) arrays; a column that holds for all rows is not copied."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return as_cases(b)
    if mask.all():
        return as_cases(a)
    # on the transposed views: the result keeps the column-major order of point
    return np.where(mask.reshape(1, -1), np.asarray(a, dtype=float).T, np.asarray(b, dtype=float).T).T


def overlay(raw: Names, fallback: Names, mask, n: int) -> Names:
    """A name column taking `fallback`'s key on the rows of `mask` and `raw`'s elsewhere (given: `raw`'s)."""
    mask = np.broadcast_to(np.asarray(mask, dtype=bool), (n,))
    if not mask.any():
        return raw
    codes = np.where(mask, np.broadcast_to(fallback.codes, (n,)) + len(raw.keys), np.broadcast_to(raw.codes, (n,)))
    return Names(codes.astype(np.intp), list(raw.keys) + list(fallback.keys), raw.given)
