"""Measuring a Python block: the :class:`Meter` context and :func:`measure`."""

from __future__ import annotations

import functools
import math

from .. import factors
from ..errors import InputError
from .record import DEFAULT_INTERVAL, Measurement, TRACKING_MODES, build_measurement
from .tracker import Tracking, codecarbon_config
from .log import record_result


def check_zone(zone) -> str:
    return factors.find_key("grid", "WOR" if zone is None else str(zone), "zone")


def check_count(x, name: str):
    if x is None or callable(x):
        return x
    try:
        n = int(x)
    except (TypeError, ValueError):
        raise InputError(f"{name}: '{x}' is not a whole number; give the number produced, e.g. {name}=512") from None
    if (not isinstance(x, str) and n != x) or n < 0:
        raise InputError(f"{name}: '{x}' must be a whole number >= 0")
    return n


def check_settings(interval, tracking_mode):
    try:
        interval = float(interval)
    except (TypeError, ValueError):
        raise InputError(f"interval: '{interval}' is not a number of seconds") from None
    if not interval > 0 or not math.isfinite(interval):
        raise InputError(f"interval: {interval} must be a finite number of seconds > 0, e.g. 1 "
                         "(CodeCarbon samples power at this interval)")
    if tracking_mode not in TRACKING_MODES:
        raise InputError(f"tracking mode '{tracking_mode}' is not valid; use machine or process")
    return interval, tracking_mode


class Meter:
    """Measure a Python block or function with CodeCarbon; see :func:`measure`."""

    def __init__(self, zone=None, tokens=None, items=None, *, interval=DEFAULT_INTERVAL, tracking_mode="machine",
                 verbose=False, log=None):
        self.zone = check_zone(zone)
        self.zone_given = zone is not None
        self.tokens = check_count(tokens, "tokens")
        self.items = check_count(items, "items")
        self.interval, self.tracking_mode = check_settings(interval, tracking_mode)
        self.verbose = verbose
        self.log = log
        self.result: Measurement | None = None
        self.results: list[Measurement] = []
        self._tracking = None

    def __enter__(self):
        if self._tracking is not None:
            raise RuntimeError("this meter is already measuring; use a new footprint.measure(...) to nest")
        self._config = codecarbon_config()
        self._tracking = Tracking(self.zone, self.interval, self.tracking_mode, self.verbose)
        self._tracking.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        tracking, self._tracking = self._tracking, None
        raw = tracking.stop()
        if exc_type is None:
            status = "ok"
        elif issubclass(exc_type, KeyboardInterrupt):
            status = "interrupted"
        else:
            status = "failed"
        self._finish(raw, tracking, status)
        return False

    def _finish(self, raw, tracking, status, value=None):
        counts = {}
        for name in ("tokens", "items"):
            x = getattr(self, name)
            counts[name] = check_count(x(value) if callable(x) else x, name)
        notes = [] if self.zone_given else ["no zone given: the world average grid intensity is used"]
        self.result = build_measurement(raw, zone=self.zone, status=status, config=self._config, notes=notes,
                                        warnings=tracking.capture.records, tracking_mode=self.tracking_mode,
                                        interval=self.interval, **counts)
        self.results.append(self.result)
        if self.log is not None:
            record_result(self.log, self.result)

    def __call__(self, fn):
        """Decorator form: every call is measured; ``wrapper.meter.result`` holds the last one.

        ``tokens``/``items`` may be a function of the return value, e.g. ``tokens=len``.
        """

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            self._config = codecarbon_config()
            tracking = Tracking(self.zone, self.interval, self.tracking_mode, self.verbose)
            tracking.start()
            status, value = "failed", None
            try:
                value = fn(*args, **kwargs)
                status = "ok"
                return value
            except KeyboardInterrupt:
                status = "interrupted"
                raise
            finally:
                self._finish(tracking.stop(), tracking, status, value)

        wrapper.meter = self
        return wrapper


def measure(zone=None, tokens=None, items=None, *, interval=DEFAULT_INTERVAL, tracking_mode="machine",
            verbose=False, log=None) -> Meter:
    """Measure the energy and CO2e of a Python block or function with CodeCarbon.

    Parameters
    ----------
    zone : str, optional
        Grid zone of the machine (``footprint factors list grid``), e.g. ``"FRA"``;
        the world average ``WOR`` if omitted.  Checked before anything runs.
    tokens, items : int, optional
        Tokens or items produced, for the per-unit energy [-].  May be set on the
        meter inside the block (``m.tokens = n``) or, for the decorator, be a
        function of the return value (``tokens=len``).
    interval : float
        CodeCarbon's power sampling interval [s].
    tracking_mode : {"machine", "process"}
        Whole machine (default) or this process and its children (CodeCarbon's modes).
    verbose : bool
        Let CodeCarbon's log through (it is captured into ``result.warnings`` otherwise).
    log : path, optional
        Append each measurement to this results CSV (see :func:`append_result`).

    Returns
    -------
    Meter
        A context manager and a decorator; ``meter.result`` is a :class:`Measurement`.

    Examples
    --------
    >>> import footprint
    >>> with footprint.measure(zone="FRA", tokens=256) as m:
    ...     total = sum(range(100_000))  # the work measured: a model's generate() call in practice
    >>> m.result.status, f"{m.result.energy.units:~P}", f"{m.result.energy_per_token.units:~P}"
    ('ok', 'Wh', 'J/token')
    """
    return Meter(zone, tokens, items, interval=interval, tracking_mode=tracking_mode, verbose=verbose, log=log)
