"""Monte Carlo uncertainty: sample every ranged input, report percentiles of the footprint.

The case axis of :mod:`footprint.uncertainty` gives the footprints at the ends
of the input ranges (interval propagation).  This module gives a statistical
reading of the same ranges: every input that has a range (``low < high``) in a
scenario is drawn from a distribution over that range, the model
(:func:`footprint.estimator.compute`) is evaluated on every draw, and the 5th,
50th and 95th percentiles of the results are reported.

Distributions
-------------
* ``triangular(low, central, high)``: the default; the central value is the mode.
* ``log-triangular``: when the range spans more than a factor of
  :data:`LOG_RATIO` (``high > 10 low``, ``low > 0``), the triangular
  distribution is taken on the logarithms (mode at the central value), so that
  each decade of a wide range gets its share of draws.
* Inputs are sampled independently, except the total and active parameter
  counts, which share their draws (a dense model keeps active = total; active
  is clipped to total).  Points (no range) and absent optional inputs are not
  sampled.

Streams: an input taken from a factor row is drawn on that row's stream, shared by
every scenario that uses it (the row is uncertain once: a total over many rows is not
made narrower than it is by pretending a shared factor is drawn independently for
each); a value given in a row is drawn on the row's own stream, seeded by the run's
seed and the row's position (:func:`row_uniforms`, a counter-based hash), so the
numbers do not depend on chunking, order or the number of workers, and the same seed
gives the same numbers.  :class:`Sampler` (the comparison and its tornado) names its
streams the same way (:func:`stream_key`).

Memory is bounded by evaluating ``max_elements // samples`` scenarios at a
time (at least one): the model holds about a hundred arrays of that many
elements at once.

References
----------
.. [1] JCGM 101:2008. Evaluation of measurement data - Supplement 1 to the
   "Guide to the expression of uncertainty in measurement" - Propagation of
   distributions using a Monte Carlo method. BIPM.
.. [2] Glasserman, P. (2003). Monte Carlo Methods in Financial Engineering,
   section 4.2 (common random numbers). Springer.
"""

from __future__ import annotations

import functools

import numpy as np

from .estimator import INPUTS, METRICS, compute
from .uncertainty import Range

#: Ranges wider than this ratio (high / low) are sampled on a log scale.
LOG_RATIO = 10.0
from .inputs import MAX_SAMPLES  # noqa: E402,F401  (the bound the commands apply, declared with the inputs)
#: Percentiles reported.
PERCENTILES = (5.0, 50.0, 95.0)
#: Scenario x sample elements evaluated at once (about 0.3 GB of working memory).
MAX_ELEMENTS = 250_000
#: Inputs that share one stream of draws (comonotone).
SHARED_DRAWS = {"active_params": "total_params"}


def triangular_ppf(u, low, mode, high):
    """Inverse CDF of the triangular distribution on [low, high] with its mode [same unit as low].

    Parameters
    ----------
    u : array_like
        Probabilities in [0, 1) [-].
    low, mode, high : array_like
        ``low <= mode <= high``; ``low == high`` gives ``low``.

    >>> triangular_ppf(np.array([0.0, 0.5, 0.999999]), 1.0, 2.0, 3.0).round(4).tolist()
    [1.0, 2.0, 2.9986]
    """
    u, low, mode, high = (np.asarray(x, dtype=float) for x in (u, low, mode, high))
    width = high - low
    shape = np.broadcast_shapes(u.shape, low.shape, mode.shape, high.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        f_mode = (mode - low) / width
        # low + sqrt(u x width x (mode - low)) and high - sqrt((1 - u) x width x (high - mode)), in place
        left = np.multiply(u, width, out=np.empty(shape))
        left *= mode - low
        np.sqrt(left, out=left)
        left += low
        right = np.subtract(1.0, u, out=np.empty(shape))
        right *= width
        right *= high - mode
        np.sqrt(right, out=right)
        np.subtract(high, right, out=right)
    np.copyto(right, left, where=u < f_mode)
    return right


def sample(u, low, mode, high, log_ratio: float = LOG_RATIO):
    """Draw an input from its range: triangular, or log-triangular for ranges wider than `log_ratio`.

    Parameters
    ----------
    u : array_like
        Uniform draws, shape ``(samples,)`` or ``(rows, samples)`` [-].
    low, mode, high : array_like
        Range and central value per scenario, shape ``(rows, 1)`` [any unit].

    Returns
    -------
    ndarray
        Shape ``(rows, samples)`` [unit of `low`].
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        use_log = (low > 0) & (high > log_ratio * low)
        lo, mo, hi = (np.where(use_log, np.log(np.where(use_log, x, 1.0)), x) for x in (low, mode, high))
    x = triangular_ppf(u, lo, mo, hi)
    if np.any(use_log):  # exp on the log-scale rows only
        rows = np.broadcast_to(use_log, x.shape[:-1] + (1,))[..., 0] if x.ndim > 1 else None
        if x.ndim > 1 and rows.shape == x.shape[:-1]:
            x[rows] = np.exp(x[rows])
        else:
            x = np.where(use_log, np.exp(np.where(use_log, x, 0.0)), x)
    return x


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53: the top 53 bits as a double in [0, 1)
#: Elements hashed at once by :func:`row_uniforms` (its temporaries stay in the CPU cache).
_BLOCK = 1 << 15


def _mix64(z: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser (Steele, Lea & Flood 2014), vectorised on uint64 (wrapping arithmetic)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def _mix64_inplace(z: np.ndarray, tmp: np.ndarray) -> None:
    """:func:`_mix64` of `z` written into `z` (`tmp`: scratch of the same shape): no temporary arrays."""
    np.right_shift(z, _S30, out=tmp)
    z ^= tmp
    z *= _M1
    np.right_shift(z, _S27, out=tmp)
    z ^= tmp
    z *= _M2
    np.right_shift(z, _S31, out=tmp)
    z ^= tmp


@functools.lru_cache(maxsize=4096)
def _key64(seed: int, key: str) -> np.uint64:
    import hashlib

    digest = hashlib.blake2b(f"{int(seed)}|{key}".encode("utf-8"), digest_size=8).digest()
    return np.frombuffer(digest, dtype=np.uint64)[0]


@functools.lru_cache(maxsize=16)
def _counters(samples: int) -> np.ndarray:
    """The mixed draw counters ``_mix64(k + 1)`` of draws ``k = 0 .. samples - 1`` (read-only, cached)."""
    with np.errstate(over="ignore"):
        mixed = _mix64(np.arange(1, int(samples) + 1, dtype=np.uint64))
    mixed.flags.writeable = False
    return mixed


def row_uniforms(seed: int, key: str, positions, samples: int) -> np.ndarray:
    """Uniform draws of stream `key` for the rows at `positions` [-], shape ``(rows, samples)``.

    A counter-based generator: draw ``k`` of row ``i`` is a hash of (seed, key, i, k), so a
    row's draws depend only on the run's seed and the row's position, not on how the rows
    are chunked or how many workers evaluate them.  Draw ``k`` of the row at position ``i``
    is ``mix(key + i x 0x9E3779B97F4A7C15 + mix(k + 1)) >> 11`` times 2**-53, with ``mix``
    the SplitMix64 finaliser and ``key`` the first 8 bytes of BLAKE2b("seed|key").  The hash
    runs in blocks of rows, in place (no temporary array of the full size).

    >>> row_uniforms(3, "row:pue", [0, 7], 2).round(6).tolist()
    [[0.89616, 0.550101], [0.26347, 0.565022]]
    """
    positions = np.asarray(positions, dtype=np.uint64).reshape(-1)
    samples = int(samples)
    counters = _counters(samples)
    rows = positions.size
    out = np.empty((rows, samples), dtype=np.float64)
    if rows == 0 or samples == 0:
        return out
    with np.errstate(over="ignore"):
        base = _key64(seed, key) + positions * _GOLDEN  # (rows,): one 64-bit offset per row
    step = max(1, _BLOCK // samples)
    z = np.empty((min(step, rows), samples), dtype=np.uint64)
    tmp = np.empty_like(z)
    for start in range(0, rows, step):
        stop = min(rows, start + step)
        zb, tb = z[: stop - start], tmp[: stop - start]
        np.add(base[start:stop, None], counters[None, :], out=zb)
        _mix64_inplace(zb, tb)
        zb >>= _S11
        ob = out[start:stop]
        ob[...] = zb  # uint64 -> float64, exact below 2**53
        ob *= _TO_UNIT
    return out


class Draws:
    """The uniform draws of one stream for a chunk of rows: row ``i`` draws ``table[index[i]]``.

    Rows that share a factor row share one row of `table`, so the sampler can draw each
    distinct (stream row, range) once (:func:`draw_inputs`).
    """

    __slots__ = ("index", "table")

    def __init__(self, index: np.ndarray, table: np.ndarray):
        self.index, self.table = index, table

    def full(self) -> np.ndarray:
        """The ``(rows, samples)`` draws."""
        return np.take(self.table, self.index, axis=0)


def uniforms(samples: int, seed=None, streams=None, positions=None, names=None, indexed: bool = False) -> dict:
    """Uniform draws per input of :data:`~footprint.estimator.INPUTS`, ``(rows, samples)`` or ``(samples,)``.

    Parameters
    ----------
    streams : dict, optional
        Per input, ``(codes, keys)``: for each row a code into `keys`, where a key names a
        shared stream (a factor row: every row that uses it takes the same draws) and None
        means the row's own stream (a value given for that row).  Without it every input
        is the row's own.
    positions : array_like, optional
        Global positions of the rows (0, 1, ... by default).
    names : iterable of str, optional
        The inputs to draw (those with a range); all of :data:`~footprint.estimator.INPUTS`
        by default.  The draws of an input do not depend on which others are drawn.
    indexed : bool
        Give each input's draws as :class:`Draws` (shared rows once) instead of full arrays.
    """
    seed = 0 if seed is None else int(seed)
    positions = np.arange(1) if positions is None else np.asarray(positions)
    wanted = list(INPUTS) if names is None else [n for n in INPUTS if n in set(names)]
    u = {}
    for name in wanted:
        stream = SHARED_DRAWS.get(name, name)
        if stream not in u:
            u[stream] = _stream_draws(seed, stream, streams, positions, samples)
        u[name] = u[stream]
    for name, other in SHARED_DRAWS.items():
        if other in u:
            u[name] = u[other]
    if not indexed:
        full = {id(d): d.full() for d in u.values()}
        u = {name: full[id(d)] for name, d in u.items()}
    return u


def _stream_draws(seed, stream, streams, positions, samples) -> Draws:
    """The draws of one input's stream for every row: the row's own, or its factor row's shared draws."""
    n = len(positions)
    if streams is None or stream not in streams:
        return Draws(np.arange(n), row_uniforms(seed, f"row:{stream}", positions, samples))
    codes, keys = streams[stream]
    codes = np.broadcast_to(np.asarray(codes), (n,))
    shared = [int(code) for code in np.unique(codes) if keys[int(code)] is not None]
    if not shared:
        return Draws(np.arange(n), row_uniforms(seed, f"row:{stream}", positions, samples))
    index = np.empty(n, dtype=np.intp)
    own = np.ones(n, dtype=bool)
    parts = []
    for j, code in enumerate(shared):
        rows = codes == code
        index[rows] = j
        parts.append(row_uniforms(seed, keys[code], [0], samples))
        own &= ~rows
    own_rows = np.flatnonzero(own)
    index[own_rows] = len(shared) + np.arange(own_rows.size)
    if own_rows.size:
        parts.append(row_uniforms(seed, f"row:{stream}", positions[own_rows], samples))
    return Draws(index, np.concatenate(parts))


def streams_of(sources, n: int) -> dict:
    """The streams of every input from a resolution's sources (:class:`footprint.columns.Sources`)."""
    out = {}
    for name in INPUTS:
        if name not in sources.rules:
            continue
        codes = sources.codes(name)
        uniq, inverse = np.unique(codes, return_inverse=True)
        keys = []
        for code in uniq:
            row = int(np.flatnonzero(codes == code)[0])
            record = sources.record(name, row)
            key = stream_key(record, "row", name)
            keys.append(None if key.startswith("given:") else key)
        out[name] = (inverse.reshape(-1), keys)
    return out


def _ranges(m: dict) -> dict:
    """Per input, ``(low, central, high)`` as ``(rows, 1)`` columns, or ``(None, central, None)`` for a point."""
    out = {}
    for name, arr in m.items():
        lo, mid, hi = arr.min(axis=-1)[:, None], arr[:, 1:2], arr.max(axis=-1)[:, None]
        with np.errstate(invalid="ignore"):
            ranged = bool(np.any(hi > lo))
        out[name] = (lo, mid, hi) if ranged else (None, mid, None)
    return out


def draw_inputs(m: dict, u, ranges: dict | None = None) -> dict:
    """Inputs of :func:`~footprint.estimator.compute` with a trailing sample axis.

    Parameters
    ----------
    m : dict of ndarray
        Every input as ``(rows, 3)`` (a case axis in any order) or ``(1, 3)``.
    u : dict of ndarray
        Uniform draws per input, ``(samples,)`` or ``(rows, samples)``; only the inputs with a
        range are read.
    ranges : dict, optional
        :func:`_ranges` of `m`, when the caller has it.
    """
    ranges = _ranges(m) if ranges is None else ranges
    out = {}
    for name, (lo, mid, hi) in ranges.items():
        if lo is None:
            out[name] = mid
        elif isinstance(u[name], Draws):
            out[name] = _sample_distinct(u[name], lo, mid, hi)
        else:
            out[name] = sample(u[name], lo, mid, hi)
    if "active_params" in out and "total_params" in out:
        out["active_params"] = np.minimum(out["active_params"], out["total_params"])
    return out


def _sample_distinct(draws: Draws, lo, mid, hi) -> np.ndarray:
    """:func:`sample` of every row, computed once per distinct (draws row, low, central, high).

    Rows that take a factor row's draws and its range (every row with the same GPU, say) give
    the same samples, bit for bit: they are drawn once and copied.
    """
    rows = draws.index.size
    lo, mid, hi = (np.broadcast_to(x, (rows, 1)) for x in (lo, mid, hi))
    keys = np.empty((rows, 4), dtype=np.float64)
    keys[:, 0] = draws.index.view(np.int64) if draws.index.dtype.itemsize == 8 else draws.index
    keys[:, 1], keys[:, 2], keys[:, 3] = lo[:, 0], mid[:, 0], hi[:, 0]
    # rows compared by their bytes (NaN and -0.0 compare as they are stored: equal bits, equal samples)
    _, first, inverse = np.unique(keys.view(np.dtype((np.void, 32))).reshape(-1), return_index=True,
                                  return_inverse=True)
    if first.size == rows:
        return sample(draws.full(), lo, mid, hi)
    drawn = sample(draws.table[draws.index[first]], lo[first], mid[first], hi[first])
    return np.take(drawn, inverse.reshape(-1), axis=0)


def percentiles(m: dict, *, samples: int, seed=None, period=None, q=PERCENTILES,
                max_elements: int | None = None, rows: int | None = None, streams=None, positions=None) -> dict:
    """Percentiles of the footprint per request (and in total) by Monte Carlo, chunked over scenarios.

    Parameters
    ----------
    m : dict of ndarray
        Inputs of :func:`~footprint.estimator.compute`, each ``(rows, 3)`` or
        ``(1, 3)`` (low/central/high case axis).
    samples : int
        Draws per scenario.
    seed : int or None
        Seed of :func:`numpy.random.default_rng`.
    period : ndarray, optional
        Period of the totals per scenario [s] (NaN: no total); the totals are
        per-request footprint x request rate x period, drawn together.
    q : sequence of float
        Percentiles [%].
    max_elements : int, optional
        Scenarios x samples evaluated at once (memory bound); default
        :data:`MAX_ELEMENTS`.
    rows : int, optional
        Number of scenarios when every input is shared by all of them (shape ``(1, 3)``).
    streams : dict, optional
        Shared and per-row streams of each input (:func:`streams_of`); every input is the
        row's own without it.
    positions : array_like, optional
        Global row positions (the row's seed): the same rows give the same draws in any chunk.

    Returns
    -------
    dict
        ``"<metric>.per_request"`` [J, kg, L] and, with `period`,
        ``"<metric>.total"``: arrays ``(rows, len(q))``.
    """
    samples = int(samples)
    if samples < 1:
        from .errors import InputError

        raise InputError(f"samples: must be at least 1, got {samples}")
    rows = max([a.shape[0] for a in m.values()] + [rows or 1])
    m = {k: np.broadcast_to(np.asarray(a, dtype=float), (rows, a.shape[-1])) for k, a in m.items()}
    positions = np.arange(rows) if positions is None else np.asarray(positions)
    step = max(1, int(max_elements or MAX_ELEMENTS) // samples)
    keys = [f"{k}.per_request" for k in METRICS] + ([f"{k}.total" for k in METRICS] if period is not None else [])
    out = {k: np.full((rows, len(q)), np.nan) for k in keys}
    for start in range(0, rows, step):
        sl = slice(start, min(rows, start + step))
        chunk_streams = None if streams is None else {
            k: (np.broadcast_to(codes, (rows,))[sl], keys) for k, (codes, keys) in streams.items()}
        chunk = {k: a[sl] for k, a in m.items()}
        ranges = _ranges(chunk)
        ranged = [k for k, (lo, _, _) in ranges.items() if lo is not None]  # points are not drawn
        u = uniforms(samples, seed, chunk_streams, positions[sl], names=ranged, indexed=True)
        drawn = draw_inputs(chunk, u, ranges)
        del u
        with np.errstate(all="ignore"):
            res = compute(drawn, breakdown=False)
            for metric in METRICS:
                x = np.broadcast_to(res[metric], (sl.stop - sl.start, samples))
                out[f"{metric}.per_request"][sl] = np.percentile(x, q, axis=-1).T
                if period is not None:
                    per = np.asarray(period, dtype=float)[sl, None]
                    has = ~np.isnan(per[:, 0])  # rows without a period have no total (NaN, as initialised)
                    if has.all():
                        total = x * drawn["request_rate"] * per
                        out[f"{metric}.total"][sl] = np.percentile(total, q, axis=-1).T
                    elif has.any():
                        rate = np.broadcast_to(drawn["request_rate"], (has.size, np.shape(drawn["request_rate"])[-1]))
                        total = x[has] * rate[has] * per[has]
                        out[f"{metric}.total"][np.arange(sl.start, sl.stop)[has]] = np.percentile(total, q, axis=-1).T
            del res, drawn
    return out


# -- the one sampler: keyed streams ------------------------------------------------------------------

#: Named correlation groups: an input drawn on the stream of another (comonotone).
GROUPS = {"active_params": "total_params"}  # the active parameters of a model move with its size


def factor_key(table: str, key: str, parameter: str) -> str:
    """The stream of a factor row: every use of the row, in any row, step or side, shares its draw.

    >>> factor_key("grid", "FRA", "carbon_intensity")
    'factor:grid:fra:carbon_intensity'
    """
    return f"factor:{table}:{str(key).lower()}:{parameter}"


def stream_key(record: dict | None, scope: str, name: str) -> str:
    """The stream of a resolved input from its provenance: its factor row, or the input where it was given.

    >>> stream_key({"kind": "default", "table": "gpus", "key": "H100", "parameter": "tdp"}, "s", "tdp")
    'factor:gpus:h100:tdp'
    >>> stream_key({"kind": "given"}, "chatbot.inference", "pue")
    'given:chatbot.inference:pue'
    """
    if record and record.get("kind") != "given" and record.get("table") and record.get("key") is not None:
        return factor_key(record["table"], record["key"], record["parameter"])
    return f"given:{scope}:{name}"


class Sampler:
    """Monte Carlo draws of ranged values on a trailing sample axis, one stream per key.

    Parameters
    ----------
    samples : int
        Draws per value.
    seed : int
        Seed of the run (0 by default).

    Notes
    -----
    A value is drawn on the stream named by its `key` (:func:`stream_key`, drawn by
    :func:`row_uniforms` as every engine does): two uses of one
    factor row share their draws (the row is uncertain once), two inputs given apart are
    independent even when their ranges are equal, and the draws do not depend on the order
    in which values are drawn.  Distributions are those of :func:`sample`.
    """

    def __init__(self, samples: int, seed=0):
        self.n = int(samples)
        self.seed = 0 if seed is None else int(seed)
        self._cache: dict = {}
        self._anonymous = 0

    def uniforms(self, key: str) -> np.ndarray:
        """The draws of stream `key` (the generator of :func:`row_uniforms`, as batch rows use)."""
        if key not in self._cache:
            self._cache[key] = row_uniforms(self.seed, key, [0], self.n)[0]
        return self._cache[key]

    def __call__(self, x, unit, increasing=True, key=None):
        import pint

        if isinstance(x, Range):
            lo, mode, hi = (float(np.asarray(v)) for v in (x.low.m_as(unit), x.value.m_as(unit), x.high.m_as(unit)))
            if hi <= lo:
                return np.full(self.n, lo)
            if key is None:
                self._anonymous += 1
                key = f"anonymous:{self._anonymous}"
            return sample(self.uniforms(key), lo, mode, hi)
        m = np.asarray(x.m_as(unit) if isinstance(x, pint.Quantity) else x, dtype=float)
        return np.broadcast_to(m[..., None], m.shape + (self.n,)).copy()

    def volume(self, x, increasing):
        return self(x, "1/s", key="given:task:volume")


def estimate_percentiles(estimate, samples: int = 2000, seed=0) -> dict:
    """p5 / p50 / p95 of one estimate (:class:`footprint.estimator.Estimate`) by Monte Carlo over its ranges.

    Its inputs are drawn on the streams their provenance names (:func:`stream_key`), as row 0
    of a batch would be.  Returns ``{"samples", "seed", "per_request": {metric: {"p5", "p50",
    "p95", "unit"}}, "total": {...}}``.
    """
    from .estimator import PER_REQUEST_UNITS, TOTAL_UNITS
    from .units import INTERNAL_UNITS as _INTERNAL
    from .units import ureg

    m = {k: np.reshape(v, (1, 3)) for k, v in estimate.inputs.items()}
    period = None if estimate.requests is None else np.array([estimate.period.m_as("s")])
    streams = {}
    for name, record in (estimate.provenance or {}).items():
        key = stream_key(record, "row", name)
        streams[name] = (np.zeros(1, dtype=int), [None if key.startswith("given:") else key])
    p = percentiles(m, samples=samples, seed=seed, period=period, streams=streams)
    out = {"samples": int(samples), "seed": seed, "per_request": {}}
    blocks = [("per_request", PER_REQUEST_UNITS)] + ([("total", TOTAL_UNITS)] if period is not None else [])
    for block, units in blocks:
        out.setdefault(block, {})
        for metric, unit in units.items():
            q = ureg.Quantity(p[f"{metric}.{block}"][0], _INTERNAL[metric]).m_as(unit)
            out[block][metric] = {"p5": float(q[0]), "p50": float(q[1]), "p95": float(q[2]), "unit": unit}
    return out


def estimate_yearly_draws(estimate, samples: int = 2000, seed=0) -> dict:
    """Monte Carlo draws of one estimate's footprint per year, ``{metric: ndarray (samples,)}`` [J, kg, L per year].

    The draws are those of :func:`estimate_percentiles` (same streams, same seed): per-request
    footprint x request rate x one year, drawn together.  The estimate needs a request rate.
    """
    from .units import ureg

    m = {k: np.reshape(v, (1, 3)) for k, v in estimate.inputs.items()}
    streams = {}
    for name, record in (estimate.provenance or {}).items():
        key = stream_key(record, "row", name)
        streams[name] = (np.zeros(1, dtype=int), [None if key.startswith("given:") else key])
    u = uniforms(int(samples), seed, streams, np.arange(1))
    drawn = draw_inputs(m, u)
    year = float(ureg.Quantity(1, "year").m_as("s"))
    with np.errstate(all="ignore"):
        res = compute(drawn, breakdown=False)
        return {k: np.broadcast_to(res[k] * drawn["request_rate"] * year, (1, int(samples)))[0] for k in METRICS}
