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

import numpy as np

from .estimator import INPUTS, compute
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
METRICS = ("energy", "co2e", "water", "adpe", "primary_energy")


def triangular_ppf(u, low, mode, high):
    """Inverse CDF of the triangular distribution on [low, high] with its mode [same unit as low].

    Parameters
    ----------
    u : array_like
        Probabilities in [0, 1) [-].
    low, mode, high : array_like
        ``low <= mode <= high``; ``low == high`` gives ``low``.
    """
    u, low, mode, high = (np.asarray(x, dtype=float) for x in (u, low, mode, high))
    width = high - low
    with np.errstate(invalid="ignore", divide="ignore"):
        f_mode = (mode - low) / width
        left = low + np.sqrt(u * width * (mode - low))
        right = high - np.sqrt((1.0 - u) * width * (high - mode))
    return np.where(u < f_mode, left, right)


def sample(u, low, mode, high, log_ratio: float = LOG_RATIO):
    """Draw an input from its range: triangular, or log-triangular for ranges wider than `log_ratio`.

    Parameters
    ----------
    u : array_like
        Uniform draws, shape ``(samples,)`` [-].
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
    return np.where(use_log, np.exp(np.where(use_log, x, 0.0)), x)


def _mix64(z: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser (Steele, Lea & Flood 2014), vectorised on uint64 (wrapping arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _key64(seed: int, key: str) -> np.uint64:
    import hashlib

    digest = hashlib.blake2b(f"{int(seed)}|{key}".encode("utf-8"), digest_size=8).digest()
    return np.frombuffer(digest, dtype=np.uint64)[0]


def row_uniforms(seed: int, key: str, positions, samples: int) -> np.ndarray:
    """Uniform draws of stream `key` for the rows at `positions` [-], shape ``(rows, samples)``.

    A counter-based generator: draw ``k`` of row ``i`` is a hash of (seed, key, i, k), so a
    row's draws depend only on the run's seed and the row's position, not on how the rows
    are chunked or how many workers evaluate them.
    """
    positions = np.asarray(positions, dtype=np.uint64).reshape(-1, 1)
    k = np.arange(int(samples), dtype=np.uint64)[None, :]
    with np.errstate(over="ignore"):
        z = _key64(seed, key) + positions * np.uint64(0x9E3779B97F4A7C15) + _mix64(k + np.uint64(1))
        bits = _mix64(z) >> np.uint64(11)
    return bits.astype(np.float64) * (1.0 / 9007199254740992.0)


def uniforms(samples: int, seed=None, streams=None, positions=None) -> dict:
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
    """
    seed = 0 if seed is None else int(seed)
    positions = np.arange(1) if positions is None else np.asarray(positions)
    u = {}
    for name in INPUTS:
        stream = SHARED_DRAWS.get(name, name)
        if stream in u:
            u[name] = u[stream]
            continue
        own = row_uniforms(seed, f"row:{stream}", positions, samples)
        if streams is not None and stream in streams:
            codes, keys = streams[stream]
            codes = np.broadcast_to(np.asarray(codes), (len(positions),))
            for code in np.unique(codes):
                key = keys[int(code)]
                if key is not None:
                    own[codes == code] = row_uniforms(seed, key, [0], samples)[0]
        u[name] = own
    for name, other in SHARED_DRAWS.items():
        u[name] = u[other]
    return u


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


def draw_inputs(m: dict, u: dict) -> dict:
    """Inputs of :func:`~footprint.estimator.compute` with a trailing sample axis.

    Parameters
    ----------
    m : dict of ndarray
        Every input as ``(rows, 3)`` (a case axis in any order) or ``(1, 3)``.
    u : dict of ndarray
        Uniform draws per input, ``(samples,)``.
    """
    out = {}
    for name, arr in m.items():
        lo, mid, hi = arr.min(axis=-1)[:, None], arr[:, 1:2], arr.max(axis=-1)[:, None]
        with np.errstate(invalid="ignore"):
            ranged = bool(np.any(hi > lo))
        out[name] = sample(u[name], lo, mid, hi) if ranged else mid
    if "active_params" in out and "total_params" in out:
        out["active_params"] = np.minimum(out["active_params"], out["total_params"])
    return out


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
        u = uniforms(samples, seed, chunk_streams, positions[sl])
        drawn = draw_inputs({k: a[sl] for k, a in m.items()}, u)
        with np.errstate(all="ignore"):
            res = compute(drawn)
            for metric in METRICS:
                x = np.broadcast_to(res[metric], (sl.stop - sl.start, samples))
                out[f"{metric}.per_request"][sl] = np.percentile(x, q, axis=-1).T
                if period is not None:
                    per = np.asarray(period, dtype=float)[sl, None]
                    total = x * drawn["request_rate"] * per
                    out[f"{metric}.total"][sl] = np.percentile(total, q, axis=-1).T
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
        res = compute(drawn)
        return {k: np.broadcast_to(res[k] * drawn["request_rate"] * year, (1, int(samples)))[0] for k in METRICS}
