"""The orchestrator: one inference footprint from resolved inputs, with every line.

:func:`compute` is the pure, vectorised core: it takes magnitudes (numpy arrays
whose last axis is the (low, central, high) case axis, scenario axes in front)
and returns every intermediate and every line of the breakdown.  It has no
loop over rows or cases and reads nothing.  :func:`estimate_inputs` wraps it
with units and provenance; :func:`estimate` resolves user inputs and defaults
first (see :mod:`footprint.resolve`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import embodied, grid, inference, training
from .uncertainty import spread, triplet
from .units import ureg

#: Every numeric input of :func:`compute`: internal unit, and whether a larger
#: value gives a larger footprint (used to orient ranges on the case axis).
INPUTS = {
    "total_params": ("parameter", True),
    "active_params": ("parameter", True),
    "bytes_per_param": ("byte", True),
    "input_tokens": ("token", True),
    "output_tokens": ("token", True),
    "n_gpus": ("dimensionless", True),
    "batch_size": ("dimensionless", False),
    "peak_flops": ("FLOP/s", False),
    "memory_bandwidth": ("byte/s", False),
    "gpu_memory": ("byte", False),
    "tdp": ("W", True),
    "idle_power": ("W", True),
    "host_power": ("W", True),
    "pue": ("dimensionless", True),
    "wue": ("L/J", True),
    "grid_intensity": ("kg/J", True),
    "water_intensity": ("L/J", True),
    "fleet_utilisation": ("dimensionless", False),
    "request_rate": ("1/s", False),
    "dedicated": ("dimensionless", True),
    "gpu_embodied": ("kg", True),
    "server_embodied": ("kg", True),
    "hardware_lifetime": ("s", False),
    "eta_compute": ("dimensionless", False),
    "eta_memory": ("dimensionless", False),
    "u_memory": ("dimensionless", True),
    "u_compute": ("dimensionless", True),
    "step_overhead": ("s", True),
    "memory_overhead": ("dimensionless", True),
    "kv_coefficient": ("dimensionless", True),
    "kv_exponent": ("dimensionless", True),
    "kv_bytes_per_token": ("byte/token", True),
    "flop_utilisation": ("dimensionless", False),
    "power_per_gpu": ("W", True),
    "measured_energy_per_token": ("J/token", True),
    "training_gpu_time": ("s", True),
    "training_gpu_power": ("W", True),
    "training_pue": ("dimensionless", True),
    "training_grid_intensity": ("kg/J", True),
    "training_tokens": ("token", True),
    "training_mfu": ("dimensionless", False),
    "training_peak_flops": ("FLOP/s", False),
    "amortisation_requests": ("request", False),
}

#: Optional inputs: NaN means "not given" and selects the modelled path.
OPTIONAL = (
    "n_gpus", "kv_bytes_per_token", "flop_utilisation", "power_per_gpu", "measured_energy_per_token",
    "request_rate", "training_gpu_time", "training_tokens", "amortisation_requests",
)

#: Lines of the breakdown, in display order.
LINES = ("gpu_busy", "gpu_idle", "host", "pue_overhead", "embodied", "training")

#: Units of the public outputs (per request, and in total over a period).
PER_REQUEST_UNITS = {"energy": "Wh", "co2e": "gCO2e", "water": "mL"}
TOTAL_UNITS = {"energy": "kWh", "co2e": "kgCO2e", "water": "L"}
_INTERNAL = {"energy": "J", "co2e": "kg", "water": "L"}


def _nan_to(x, fallback):
    return np.where(np.isnan(x), fallback, x)


def compute(m: dict) -> dict:
    """Evaluate the inference model on magnitudes (vectorised).

    Parameters
    ----------
    m : dict of ndarray
        Every key of :data:`INPUTS`, in its internal unit, broadcastable
        (last axis: the low/central/high cases).  Keys of :data:`OPTIONAL` may
        be NaN where not given.

    Returns
    -------
    dict of ndarray
        Intermediates (``n_gpus``, ``batch``, ``busy_time`` [s],
        ``allocated_time`` [s], ``utilisation`` [-]...) and per-request lines
        ``energy.<line>`` [J], ``co2e.<line>`` [kg], ``water.<line>`` [L].
    """
    N, Na, bpp = m["total_params"], m["active_params"], m["bytes_per_param"]
    L_in, L_out = m["input_tokens"], m["output_tokens"]
    F, BW = m["peak_flops"], m["memory_bandwidth"]
    dedicated = m["dedicated"] > 0.5

    n_given, kv_given = m["n_gpus"], m["kv_bytes_per_token"]
    n = n_given if not np.any(np.isnan(n_given)) else _nan_to(
        n_given, inference.gpus_needed(N, bpp, m["gpu_memory"], m["memory_overhead"]))
    kv_token = kv_given if not np.any(np.isnan(kv_given)) else _nan_to(
        kv_given, inference.kv_bytes_per_token(N, bpp, m["kv_coefficient"], m["kv_exponent"]))
    kv_seq = kv_token * (L_in + L_out / 2.0)

    def step(batch):
        return inference.decode_step_times(N, Na, bpp, kv_seq, batch, n, F, BW, m["eta_compute"], m["eta_memory"])

    t_prefill = inference.prefill_time(Na, L_in, n, F, m["eta_compute"])
    # optional paths are evaluated only where some scenario takes them (same results, less work)
    any_dedicated = bool(np.any(dedicated))
    rate = _nan_to(m["request_rate"], 0.0)
    batch = m["batch_size"]
    replicas = 1.0
    if any_dedicated:
        # a dedicated endpoint has the replicas its traffic needs at full batching, and each replica
        # batches the requests in flight together (Little's law: concurrency = rate x latency,
        # a fixed point found in a few vectorised steps from a lone request)
        tm_full, tc_full = step(batch)
        busy_full = t_prefill + L_out * inference.decode_step_time(tm_full, tc_full, batch, m["step_overhead"]) / batch
        replicas = inference.dedicated_replicas(rate, busy_full)
        concurrency = 1.0
        for _ in range(8):
            tm_b, tc_b = step(concurrency)
            latency = t_prefill + L_out * inference.decode_step_time(tm_b, tc_b, concurrency, m["step_overhead"])
            concurrency = inference.effective_batch(rate / replicas, latency, batch)
        batch = np.where(dedicated, concurrency, batch)
    t_mem, t_cmp = step(batch)
    t_step = inference.decode_step_time(t_mem, t_cmp, batch, m["step_overhead"])
    compute_share = t_cmp / t_step
    t_decode = L_out * t_step / batch

    p_prefill = inference.gpu_power(m["idle_power"], m["tdp"], m["u_compute"])
    p_decode = inference.gpu_power(m["idle_power"], m["tdp"],
                                   inference.power_utilisation(compute_share, m["u_memory"], m["u_compute"]))
    busy = t_prefill + t_decode
    gpu_busy = n * (p_prefill * t_prefill + p_decode * t_decode)
    host_power = m["host_power"]

    # simple FLOP path: FLOPs / (n F u) at a given (or modelled) average power per GPU
    flop_path = ~np.isnan(m["flop_utilisation"])
    if np.any(flop_path):
        t_flop = inference.forward_flops(Na, L_in + L_out) / (n * F * _nan_to(m["flop_utilisation"], 1.0))
        power_given = ~np.isnan(m["power_per_gpu"])
        p_flop = np.where(power_given, _nan_to(m["power_per_gpu"], 0.0), p_prefill)
        busy = np.where(flop_path, t_flop, busy)
        gpu_busy = np.where(flop_path, n * p_flop * t_flop, gpu_busy)
        # an all-in power per GPU (e.g. a DGX's power / 8) already holds the host share
        host_power = np.where(flop_path & power_given, 0.0, host_power)

    utilisation = m["fleet_utilisation"]
    if any_dedicated:
        utilisation = np.where(dedicated, inference.dedicated_utilisation(rate, busy, replicas), utilisation)
    allocated = inference.allocated_time(busy, utilisation)
    gpu_idle = n * m["idle_power"] * (allocated - busy)
    host = n * host_power * allocated

    # measured path: a measured IT energy per output token replaces the model
    measured = ~np.isnan(m["measured_energy_per_token"])
    if np.any(measured):
        gpu_busy = np.where(measured, _nan_to(m["measured_energy_per_token"], 0.0) * L_out, gpu_busy)
        gpu_idle = np.where(measured, 0.0, gpu_idle)
        host = np.where(measured, 0.0, host)

    it_energy = gpu_busy + gpu_idle + host
    facility = grid.facility_energy(it_energy, m["pue"])
    pue_overhead = facility - it_energy

    rate_emb = embodied.embodied_rate(n, m["gpu_embodied"], m["server_embodied"], m["hardware_lifetime"])
    embodied_co2e = embodied.embodied_share(rate_emb, allocated)

    # training, amortised over the requests that share it
    amortise = m["amortisation_requests"]
    if np.all(np.isnan(amortise)):
        train_energy_total = train_energy = train_co2e = np.zeros_like(busy)
    else:
        t_gpu_train = _nan_to(
            m["training_gpu_time"],
            training.gpu_time_from_flops(training.training_flops(Na, _nan_to(m["training_tokens"], 0.0)),
                                         m["training_peak_flops"], m["training_mfu"]),
        )
        train_energy_total = training.training_energy(t_gpu_train, m["training_gpu_power"], m["training_pue"])
        train_energy = np.where(np.isnan(amortise), 0.0, train_energy_total / _nan_to(amortise, 1.0))
        train_co2e = grid.operational_co2e(train_energy, m["training_grid_intensity"])

    I, wue, wi = m["grid_intensity"], m["wue"], m["water_intensity"]
    shape = np.broadcast_shapes(np.shape(busy), np.shape(allocated), np.shape(gpu_busy))
    out = {
        "n_gpus": np.broadcast_to(n, shape), "batch": np.broadcast_to(batch, shape), "prefill_time": t_prefill, "decode_step_time": t_step,
        "decode_compute_share": compute_share, "busy_time": busy, "allocated_time": allocated,
        "utilisation": np.broadcast_to(utilisation, shape), "it_energy": it_energy, "facility_energy": facility,
        "training_energy_total": train_energy_total,
    }
    it_lines = {"gpu_busy": gpu_busy, "gpu_idle": gpu_idle, "host": host}
    water_per_it_energy = grid.water_consumption(1.0, 1.0, wue, wi)  # each IT line's own facility share
    for name, e in it_lines.items():
        out[f"energy.{name}"] = e
        out[f"co2e.{name}"] = grid.operational_co2e(e, I)
        out[f"water.{name}"] = e * water_per_it_energy
    out["energy.pue_overhead"] = pue_overhead
    out["co2e.pue_overhead"] = grid.operational_co2e(pue_overhead, I)
    out["water.pue_overhead"] = pue_overhead * wi
    out["energy.embodied"] = np.zeros_like(embodied_co2e)
    out["co2e.embodied"] = embodied_co2e
    out["water.embodied"] = np.zeros_like(embodied_co2e)
    out["energy.training"] = train_energy
    out["co2e.training"] = train_co2e
    out["water.training"] = np.zeros_like(train_energy)
    # totals: the sum of the lines (written out; the embodied and training lines have no water)
    out["energy"] = facility + train_energy
    out["co2e"] = grid.operational_co2e(facility, I) + embodied_co2e + train_co2e
    out["water"] = grid.water_consumption(it_energy, facility, wue, wi)
    out["sci"] = grid.sci(facility, I, embodied_co2e) + train_co2e
    return out


def to_magnitudes(values: dict) -> dict:
    """Convert resolved inputs (Quantity, Range, or NaN for absent optionals) to case-axis arrays."""
    m = {}
    for name, (unit, increasing) in INPUTS.items():
        v = values.get(name)
        if v is None:
            if name not in OPTIONAL:
                raise KeyError(f"input '{name}' was not resolved")
            v = np.nan
        m[name] = triplet(v, unit, increasing)
    return m


@dataclass
class Estimate:
    """Result of an inference estimate: per request, per line, in total, with provenance.

    Every figure is a Quantity whose last axis holds (low, central, high); use
    :meth:`figure` for the three numbers.
    """

    raw: dict
    assumptions: list = field(default_factory=list)
    requests: object = None  # ndarray (..., 3): requests over the period [request], or None
    period: object = None
    notes: list = field(default_factory=list)
    inputs: dict | None = None  # the magnitudes compute() ran on (for Monte Carlo)
    raw_total: dict | None = None  # compute() with the request rate oriented for totals (see for_totals)

    def quantity(self, key: str, unit: str):
        metric = key.split(".")[0]
        return ureg.Quantity(self.raw[key], _INTERNAL.get(metric, "dimensionless")).to(unit)

    @property
    def per_request(self) -> dict:
        return {k: self.quantity(k, u) for k, u in PER_REQUEST_UNITS.items()}

    @property
    def total(self) -> dict | None:
        """Footprint over the period: per request x requests, both on the cases of the totals (:func:`for_totals`)."""
        if self.requests is None:
            return None
        raw = self.raw if self.raw_total is None else self.raw_total
        return {k: ureg.Quantity(raw[k] * self.requests, _INTERNAL[k]).to(u) for k, u in TOTAL_UNITS.items()}

    @property
    def breakdown(self) -> dict:
        return {line: {k: self.quantity(f"{k}.{line}", u) for k, u in PER_REQUEST_UNITS.items()} for line in LINES}

    def percentiles(self, samples: int = 2000, seed=0) -> dict:
        """p5 / p50 / p95 of the footprint by Monte Carlo over the ranged inputs (a scalar scenario).

        Every ranged input is drawn from a triangular distribution (log-triangular for
        ranges wider than 10x), see :mod:`footprint.montecarlo`.  Returns
        ``{"per_request": {metric: {"p5", "p50", "p95", "unit"}}, "total": {...}}``.
        """
        from .montecarlo import percentiles

        m = {k: np.reshape(v, (1, 3)) for k, v in self.inputs.items()}
        period = None if self.requests is None else np.array([self.period.m_as("s")])
        p = percentiles(m, samples=samples, seed=seed, period=period)
        out = {"samples": int(samples), "seed": seed, "per_request": {}}
        blocks = [("per_request", PER_REQUEST_UNITS)] + ([("total", TOTAL_UNITS)] if period is not None else [])
        for block, units in blocks:
            out.setdefault(block, {})
            for metric, unit in units.items():
                q = ureg.Quantity(p[f"{metric}.{block}"][0], _INTERNAL[metric]).m_as(unit)
                out[block][metric] = {"p5": float(q[0]), "p50": float(q[1]), "p95": float(q[2]), "unit": unit}
        return out

    def to_dict(self) -> dict:
        """The JSON document of DESIGN.md section 4 (scalar scenarios)."""
        doc = {"per_request": {k: figure(q) for k, q in self.per_request.items()}}
        if self.requests is not None:
            doc["total"] = {k: figure(q) for k, q in self.total.items()}
            doc["total"]["requests"] = figure(ureg.Quantity(self.requests, "request"))
            doc["total"]["period"] = _readable_period(self.period)
        doc["breakdown"] = {line: {k: figure(q) for k, q in d.items()} for line, d in self.breakdown.items()}
        doc["sci"] = figure(ureg.Quantity(self.raw["sci"], "kg").to("gCO2e"))
        doc["sci"]["functional_unit"] = "request"
        doc["intermediates"] = {
            "n_gpus": float(self.raw["n_gpus"][..., 1]),
            "batch_size_effective": float(self.raw["batch"][..., 1]),
            "busy_time_s": float(self.raw["busy_time"][..., 1]),
            "allocated_time_s": float(self.raw["allocated_time"][..., 1]),
            "utilisation": float(self.raw["utilisation"][..., 1]),
            "decode_compute_share": float(self.raw["decode_compute_share"][..., 1]),
        }
        doc["assumptions"] = [a.as_dict() for a in self.assumptions]
        doc["notes"] = list(self.notes)
        return doc


def _readable_period(period) -> str:
    """'1 year', '18 day', '2.5 hour': the period in the largest time unit it holds once or more."""
    for unit in ("year", "day", "hour", "minute"):
        v = float(np.max(period.m_as(unit)))
        if v >= 1 - 1e-9:
            return f"{round(v, 9):g} {unit}"
    return f"{float(np.max(period.m_as('s'))):g} s"


def figure(q) -> dict:
    """``{"value", "unit", "low", "high"}`` of a Quantity with a trailing case axis."""
    low, value, high = spread(np.asarray(q.magnitude, dtype=float))
    return {"value": float(value), "unit": f"{q.units:~P}".replace(" ", ""), "low": float(low), "high": float(high)}


def for_totals(m: dict) -> dict | None:
    """The inputs oriented for totals, or None when they are the per-request ones.

    A total is the per-request footprint times the number of requests.  More requests
    per second lower a dedicated endpoint's footprint *per request* (its idle time is
    shared by more requests) but raise the total; on the case axis of the totals the
    request rate is therefore increasing (low total = low rate), whereas it is
    decreasing on the per-request axis.  Multiplying the per-request cases by request
    counts in natural order would pair a low per-request figure with a high count.
    """
    rate = m["request_rate"]
    with np.errstate(invalid="ignore"):
        ranged = bool(np.any(rate[..., 0] != rate[..., -1]))
    if not ranged:
        return None
    return {**m, "request_rate": rate[..., ::-1]}


def estimate_inputs(resolved) -> Estimate:
    """Run :func:`compute` on resolved inputs (:class:`footprint.resolve.Resolved`)."""
    m = to_magnitudes(resolved.values)
    raw = compute(m)
    m_total = for_totals(m)
    return Estimate(raw=raw, assumptions=resolved.assumptions, requests=resolved.requests,
                    period=resolved.period, notes=resolved.notes, inputs=m,
                    raw_total=None if m_total is None else compute(m_total))


def estimate(**kwargs) -> Estimate:
    """Estimate the footprint of serving a model; see :func:`footprint.resolve.resolve` for the inputs.

    Examples
    --------
    >>> from footprint import estimate
    >>> e = estimate(params="70B", output_tokens=400, gpu="H100", zone="FRA")
    >>> e.per_request["energy"]  # doctest: +SKIP
    """
    from .resolve import resolve

    return estimate_inputs(resolve(**kwargs))
