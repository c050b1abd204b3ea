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
from .formatting import duration_text
from .inputs import CORE
from .uncertainty import spread, triplet
from .units import INTERNAL_UNITS as _INTERNAL, ureg

#: Every numeric input of :func:`compute`: internal unit, and whether a larger
#: value gives a larger footprint (used to orient ranges on the case axis).
INPUTS = {name: (spec.unit, spec.increasing) for name, spec in CORE.items()}

#: Optional inputs: NaN where a path does not use them.
OPTIONAL = tuple(name for name, spec in CORE.items() if spec.optional)

#: Lines of the breakdown, in display order.
LINES = ("gpu_busy", "gpu_idle", "host", "pue_overhead", "embodied", "training")

#: Units of the public outputs (per request, and in total over a period).
PER_REQUEST_UNITS = {"energy": "Wh", "co2e": "gCO2e", "water": "mL", "adpe": "mgSbeq", "primary_energy": "kJ"}
TOTAL_UNITS = {"energy": "kWh", "co2e": "kgCO2e", "water": "L", "adpe": "gSbeq", "primary_energy": "MJ"}
#: The metrics of every line and total: final energy, CO2e, water, abiotic depletion (elements, Sb eq) and
#: primary energy (non-renewable, as the electricity factors count it).
METRICS = tuple(PER_REQUEST_UNITS)
#: Internal units of the intermediates of :func:`compute` (the metrics' are :data:`footprint.units.INTERNAL_UNITS`).
RAW_UNITS = {"busy_time": "s", "allocated_time": "s", "prefill_time": "s", "decode_step_time": "s",
             "utilisation": "dimensionless", "decode_compute_share": "dimensionless", "n_gpus": "dimensionless",
             "batch": "dimensionless", "it_energy": "J", "facility_energy": "J", "host_idle_energy": "J",
             "training_energy_total": "J", "water_onsite": "L", "water_with_electricity": "L", "sci": "kg"}


def _nan_to(x, fallback):
    return np.where(np.isnan(x), fallback, x)


#: Serving paths (codes of the core input ``serving_path``, chosen by the resolver).
MODELLED, FLOP, MEASURED, PER_ITEM_FLOPS, PER_ITEM_ENERGY = range(5)
#: The formula of each path, as reported with its intermediates.
FORMULAS = {
    "modelled": "prefill 2 x N_active x input tokens / (n x peak FLOP/s x eta_prefill), then decode steps "
                "max(memory, compute time) + the serving stack's per-sequence overhead (+ the pipeline's "
                "inter-node transfer beyond one node), shared by the batch; GPU power between idle and TDP by "
                "the step's compute share; times the model-error factor",
    "flop": "2 x N_active x tokens / (n x peak FLOP/s x FLOP utilisation) at the power per GPU",
    "measured": "measured IT energy per output token x output tokens",
    "per_item_flops": "FLOPs per item / (n x peak FLOP/s x FLOP utilisation) at the power per GPU",
    "per_item_energy": "measured IT energy per item; busy time = energy / (n x (GPU power at compute load + host "
                       "power)), for the idle and embodied shares",
}


def serving_instance(m: dict):
    """GPUs of one instance (given, or from the weights) and KV-cache bytes of a sequence [-, byte]."""
    N, bpp = m["total_params"], m["bytes_per_param"]
    n_given, kv_given = m["n_gpus"], m["kv_bytes_per_token"]
    n = n_given if not np.any(np.isnan(n_given)) else _nan_to(
        n_given, inference.gpus_needed(N, bpp, m["gpu_memory"], m["memory_overhead"]))
    kv_token = kv_given if not np.any(np.isnan(kv_given)) else _nan_to(
        kv_given, inference.kv_bytes_per_token(N, bpp, m["kv_coefficient"], m["kv_exponent"]))
    return n, kv_token * (m["input_tokens"] + m["output_tokens"] / 2.0)


def _dedicated_concurrency(step, t_prefill, rate, batch, output_tokens):
    """Replicas and concurrent requests per replica of a dedicated endpoint (Little's law fixed point).

    The endpoint has the replicas its traffic needs at full batching; each replica batches the
    requests in flight, ``c = rate / replicas x latency(c)`` within [1, batch].  ``c - rate x
    latency(c)`` grows with ``c`` (latency grows less than linearly with the batch), so the fixed
    point is found by bisection (40 halvings: exact to 1e-12 of the batch), which also keeps the
    result monotone in the inputs.  ``step(b)`` gives the decode step's (memory, compute, whole)
    time at batch ``b``.
    """
    def latency(c):
        return t_prefill + output_tokens * step(c)[2]

    busy_full = t_prefill + output_tokens * step(batch)[2] / batch
    replicas = inference.dedicated_replicas(rate, busy_full)
    per_replica = rate / replicas
    lo = np.ones(np.broadcast_shapes(np.shape(per_replica), np.shape(batch), np.shape(t_prefill)))
    hi = np.broadcast_to(np.asarray(batch, dtype=float), lo.shape).copy()
    with np.errstate(invalid="ignore"):
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            below = per_replica * latency(mid) > mid  # the fixed point lies above mid
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    c = 0.5 * (lo + hi)
    # a lone request (rate x latency(1) < 1) is batch 1; saturation is the configured batch
    c = np.where(per_replica * latency(1.0) <= 1.0, 1.0, c)
    return replicas, np.clip(c, 1.0, batch)


def modelled_path(m: dict, n, kv_seq, dedicated):
    """Prefill and decode on the GPU model: busy time [s], GPU energy [J] and the decode intermediates.

    The serving stack's per-sequence overhead (``step_overhead``) is part of each decode step;
    an instance wider than a node is a pipeline (one stage per node: weights read once per
    micro-batch, activations passed over the node interconnect).  The model's measured error
    (``model_error``, 1 centrally) scales the busy time and the GPU energy it gives.
    """
    N, Na, bpp = m["total_params"], m["active_params"], m["bytes_per_param"]
    F, BW = m["peak_flops"], m["memory_bandwidth"]
    stages = inference.pipeline_stages(n, m["gpus_per_node"])
    width = inference.hidden_size(Na, m["layers_per_width"])

    def step(batch):
        t_mem, t_cmp = inference.decode_step_times(N, Na, bpp, kv_seq, batch, n, F, BW, m["eta_compute"],
                                                   m["eta_memory"], stages)
        t_link = inference.internode_time(batch, stages, width, m["activation_bytes"], m["internode_bandwidth"])
        return t_mem, t_cmp, inference.decode_step_time(t_mem, t_cmp, batch, m["step_overhead"]) + t_link

    t_prefill = inference.prefill_time(Na, m["input_tokens"], n, F, m["eta_prefill"])
    rate = _nan_to(m["request_rate"], 0.0)
    batch, replicas = m["batch_size"], 1.0
    if np.any(dedicated):
        replicas, concurrency = _dedicated_concurrency(step, t_prefill, rate, batch, m["output_tokens"])
        batch = np.where(dedicated, concurrency, batch)
    t_mem, t_cmp, t_step = step(batch)
    compute_share = t_cmp / t_step
    t_decode = m["output_tokens"] * t_step / batch
    p_prefill = inference.gpu_power(m["idle_power"], m["tdp"], m["u_compute"])
    p_decode = inference.gpu_power(m["idle_power"], m["tdp"],
                                   inference.power_utilisation(compute_share, m["u_memory"], m["u_compute"]))
    error = m["model_error"]
    return {"busy": error * (t_prefill + t_decode),
            "gpu_busy": error * n * (p_prefill * t_prefill + p_decode * t_decode),
            "batch": batch, "replicas": replicas, "prefill_time": t_prefill, "decode_step_time": t_step,
            "decode_compute_share": compute_share, "pipeline_stages": stages}


def flop_path(flops, n, m):
    """FLOPs at a share of the peak: busy time [s] and GPU energy [J] at the power per GPU.

    The power is the given all-in power per GPU (which already holds the host share) or the
    GPU's power at compute load.
    """
    t = flops / (n * m["peak_flops"] * _nan_to(m["flop_utilisation"], 1.0))
    power_given = ~np.isnan(m["power_per_gpu"])
    p = np.where(power_given, _nan_to(m["power_per_gpu"], 0.0),
                 inference.gpu_power(m["idle_power"], m["tdp"], m["u_compute"]))
    return t, n * p * t, power_given


def measured_path(energy, n, m):
    """A measured IT energy replaces the model; its busy time is the energy at compute-load power [s]."""
    p = inference.gpu_power(m["idle_power"], m["tdp"], m["u_compute"]) + m["host_power"]
    return energy / (n * p), energy


def compute(m: dict, breakdown: bool = True) -> dict:
    """Evaluate the inference model on magnitudes (vectorised), each serving path by its own function.

    Parameters
    ----------
    m : dict of ndarray
        Every key of :data:`INPUTS`, in its internal unit, broadcastable
        (last axis: the low/central/high cases).  ``serving_path`` holds the
        path of each scenario (:data:`MODELLED`, :data:`FLOP`, :data:`MEASURED`,
        :data:`PER_ITEM_FLOPS`, :data:`PER_ITEM_ENERGY`; modelled when absent).
        Optional inputs a path does not use may be NaN.
    breakdown : bool
        With False, the totals and intermediates only: no line of the breakdown and no water of the
        other scope (what a batch table or a Monte Carlo draw reads; the totals are the same).

    Returns
    -------
    dict of ndarray
        Intermediates (``n_gpus``, ``batch``, ``busy_time`` [s],
        ``allocated_time`` [s], ``utilisation`` [-]...) and per-request lines
        ``energy.<line>`` [J], ``co2e.<line>`` [kg], ``water.<line>`` [L],
        ``adpe.<line>`` [kg Sb eq], ``primary_energy.<line>`` [J].
    """
    path = np.asarray(m.get("serving_path", MODELLED), dtype=float)
    dedicated = m["dedicated"] > 0.5
    n, kv_seq = serving_instance(m)
    item_flops, item_energy = path == PER_ITEM_FLOPS, path == PER_ITEM_ENERGY
    flop, measured = path == FLOP, path == MEASURED
    # the model runs for the modelled, FLOP and measured paths (the latter two keep its decode intermediates)
    mod = modelled_path(m, n, kv_seq, dedicated & ~(item_flops | item_energy))
    busy, gpu_busy, host_power, host_idle_power = mod["busy"], mod["gpu_busy"], m["host_power"], m["host_idle_power"]
    if np.any(flop | item_flops):
        tokens = m["input_tokens"] + m["output_tokens"]
        flops = np.where(item_flops, _nan_to(m["flops_per_item"], 0.0),
                         inference.forward_flops(m["active_params"], tokens))
        t_flop, e_flop, all_in = flop_path(flops, n, m)
        on = flop | item_flops
        busy, gpu_busy = np.where(on, t_flop, busy), np.where(on, e_flop, gpu_busy)
        host_power = np.where(on & all_in, 0.0, host_power)
        host_idle_power = np.where(on & all_in, 0.0, host_idle_power)
    if np.any(item_energy):
        t_item, e_item = measured_path(_nan_to(m["energy_per_item"], 0.0), n, m)
        busy, gpu_busy = np.where(item_energy, t_item, busy), np.where(item_energy, e_item, gpu_busy)

    utilisation = m["fleet_utilisation"]
    if np.any(dedicated):
        utilisation = np.where(dedicated, inference.dedicated_utilisation(_nan_to(m["request_rate"], 0.0), busy,
                                                                          mod["replicas"]), utilisation)
    allocated = inference.allocated_time(busy, utilisation)
    gpu_idle = n * m["idle_power"] * (allocated - busy)
    # the host draws its serving power while busy and its idle power through the idle time charged
    host_idle = n * host_idle_power * (allocated - busy)
    host = n * host_power * busy + host_idle
    if np.any(measured | item_energy):
        # a measured IT energy replaces the GPU, idle and host lines (its time only allocates the embodied share)
        either = measured | item_energy
        measured_it = np.where(measured, _nan_to(m["measured_energy_per_token"], 0.0) * m["output_tokens"], gpu_busy)
        gpu_busy = np.where(either, measured_it, gpu_busy)
        gpu_idle = np.where(either, 0.0, gpu_idle)
        host = np.where(either, 0.0, host)
        host_idle = np.where(either, 0.0, host_idle)
    mod["host_idle"] = host_idle
    return _lines(m, n, mod, path, busy, allocated, utilisation, gpu_busy, gpu_idle, host, breakdown)


def _lines(m, n, mod, path, busy, allocated, utilisation, gpu_busy, gpu_idle, host, breakdown=True) -> dict:
    """Every line of the breakdown from the IT energy of one request (unless `breakdown` is False), and the totals."""
    it_energy = gpu_busy + gpu_idle + host
    facility = grid.facility_energy(it_energy, m["pue"])
    pue_overhead = facility - it_energy
    rate_emb = embodied.embodied_rate(n, m["gpu_embodied"], m["server_embodied"], m["hardware_lifetime"])
    embodied_co2e = embodied.embodied_share(rate_emb, allocated)
    embodied_adpe = embodied.embodied_share(embodied.embodied_rate(
        n, m["gpu_embodied_adpe"], m["server_embodied_adpe"], m["hardware_lifetime"]), allocated)
    embodied_pe = embodied.embodied_share(embodied.embodied_rate(
        n, m["gpu_embodied_pe"], m["server_embodied_pe"], m["hardware_lifetime"]), allocated)
    shape = np.broadcast_shapes(np.shape(busy), np.shape(allocated), np.shape(gpu_busy))
    train = _training_line(m, busy, shape)
    train_energy_total, train_energy, train_co2e = train["energy_total"], train["energy"], train["co2e"]

    I, wue = m["grid_intensity"], m["wue"]
    A, PE = m["grid_adpe"], m["grid_primary_energy"]  # ADPe [kg Sb eq/J] and primary energy [J/J] of electricity
    wi = m["water_intensity"] * m["water_offsite"]  # water scope: 0 counts the data centre's on-site water only
    out = {
        "serving_path": np.broadcast_to(path, shape), "n_gpus": np.broadcast_to(n, shape),
        "batch": np.broadcast_to(mod["batch"], shape), "prefill_time": mod["prefill_time"],
        "decode_step_time": mod["decode_step_time"], "decode_compute_share": mod["decode_compute_share"],
        "pipeline_stages": np.broadcast_to(mod["pipeline_stages"], shape),
        "busy_time": busy, "allocated_time": allocated, "utilisation": np.broadcast_to(utilisation, shape),
        "it_energy": it_energy, "facility_energy": facility, "training_energy_total": train_energy_total,
        "training_gpu_time_total": train["gpu_time_total"], "training_co2e_total": train["co2e_total"],
        "training_water_total": train["water_total"],
        "host_idle_energy": mod["host_idle"] if "host_idle" in mod else np.zeros_like(it_energy),
    }
    off = train["off"]  # no training line: its zeros are not added (a million-row batch saves five passes)
    train_adpe = train_energy if off else train_energy * m["training_grid_adpe"]
    train_pe = train_energy if off else train_energy * m["training_grid_primary_energy"]
    # totals: the sum of the lines (written out; the embodied line has no water; its ADPe and primary
    # energy are the hardware's manufacture, allocated like its CO2e)
    out["energy"] = facility.copy() if off else facility + train_energy
    out["co2e"] = _plus(grid.sci(facility, I, embodied_co2e), train_co2e, off)  # SCI's E x I + M, + training
    out["water"] = _plus(grid.water_consumption(it_energy, facility, wue, wi), train["water"], off)
    out["adpe"] = _plus(facility * A + embodied_adpe, train_adpe, off)
    out["primary_energy"] = _plus(facility * PE + embodied_pe, train_pe, off)
    out["sci"] = out["co2e"]  # ISO/IEC 21031's score per request is the CO2e total, the same array
    if not breakdown:
        return out
    out["water_onsite"] = _plus(grid.water_consumption(it_energy, facility, wue, 0.0), train["water_onsite"], off)
    out["water_with_electricity"] = _plus(grid.water_consumption(it_energy, facility, wue, m["water_intensity"]),
                                          train["water_with_electricity"], off)
    it_lines = {"gpu_busy": gpu_busy, "gpu_idle": gpu_idle, "host": host}
    water_per_it_energy = grid.water_consumption(1.0, 1.0, wue, wi)  # each IT line's own facility share
    for name, e in it_lines.items():
        out[f"energy.{name}"] = e
        out[f"co2e.{name}"] = grid.operational_co2e(e, I)
        out[f"water.{name}"] = e * water_per_it_energy
        out[f"adpe.{name}"] = e * A
        out[f"primary_energy.{name}"] = e * PE
    out["energy.pue_overhead"] = pue_overhead
    out["adpe.pue_overhead"] = pue_overhead * A
    out["primary_energy.pue_overhead"] = pue_overhead * PE
    out["co2e.pue_overhead"] = grid.operational_co2e(pue_overhead, I)
    out["water.pue_overhead"] = pue_overhead * wi
    out["energy.embodied"] = np.zeros_like(embodied_co2e)
    out["co2e.embodied"] = embodied_co2e
    out["water.embodied"] = np.zeros_like(embodied_co2e)
    out["adpe.embodied"] = embodied_adpe
    out["primary_energy.embodied"] = embodied_pe
    out["energy.training"] = train_energy
    out["co2e.training"] = train_co2e
    out["water.training"] = train["water"]
    out["adpe.training"] = train_adpe
    out["primary_energy.training"] = train_pe
    return out


def _plus(total, line, off: bool):
    """`total` plus a line that is zero everywhere when `off` (then `total` itself, a fresh array, no addition)."""
    return total if off else total + line


def _training_line(m, busy, shape) -> dict:
    """The model's training run and its share per request: GPU time [s], energy [J], CO2e [kg], water [L].

    The share is the run's total over the requests that amortise it; the water of the run is its
    energy times the training site's on-site WUE plus, within the water scope, the water of its
    electricity (the card's energy already includes the site's PUE, so the WUE is applied to it).
    """
    amortise = m["amortisation_requests"]
    if np.all(np.isnan(amortise)):  # no training line: read-only zeros of the result's shape, no memory
        zero = np.broadcast_to(0.0, shape)
        return {"off": True, **{k: zero for k in ("gpu_time_total", "energy_total", "co2e_total", "water_total",
                                                   "energy", "co2e", "water", "water_onsite",
                                                   "water_with_electricity")}}
    zero = np.zeros_like(busy)
    t_gpu_train = _nan_to(
        m["training_gpu_time"],
        training.gpu_time_from_flops(training.training_flops(m["active_params"],
                                                             _nan_to(m["training_tokens"], 0.0)),
                                     m["training_peak_flops"], m["training_mfu"]),
    )
    total = training.training_energy(t_gpu_train, m["training_gpu_power"], m["training_pue"])
    per = np.where(np.isnan(amortise), 0.0, 1.0 / _nan_to(amortise, 1.0))
    onsite = training.training_water(total, m["training_wue"], 0.0)
    with_electricity = training.training_water(total, m["training_wue"], m["training_water_intensity"])
    in_scope = training.training_water(total, m["training_wue"], m["training_water_intensity"] * m["water_offsite"])
    co2e_total = grid.operational_co2e(total, m["training_grid_intensity"])
    return {"off": False, "gpu_time_total": t_gpu_train + zero, "energy_total": total + zero, "co2e_total": co2e_total + zero,
            "water_total": in_scope + zero, "energy": total * per, "co2e": co2e_total * per,
            "water": in_scope * per, "water_onsite": onsite * per, "water_with_electricity": with_electricity * per}


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
    provenance: dict | None = None  # input -> structured record (the Monte Carlo streams)

    def quantity(self, key: str, unit: str):
        """The raw figure `key` (a metric, ``metric.line`` or an intermediate) as a Quantity in `unit`.

        >>> from footprint import estimate
        >>> estimate(params="8B").quantity("busy_time", "ms").units
        <Unit('millisecond')>
        """
        metric = key.split(".")[0]
        if metric not in _INTERNAL and key not in RAW_UNITS:
            raise KeyError(f"{key!r} is not a quantity of the estimate; known: "
                           f"{', '.join(sorted(set(_INTERNAL) | set(RAW_UNITS)))}")
        return ureg.Quantity(self.raw[key], _INTERNAL.get(metric) or RAW_UNITS[key]).to(unit)

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

    def intermediates(self) -> dict:
        """The serving path, its formula and its own intermediates (central case)."""
        from .columns import PATHS

        def c(key):
            return float(np.asarray(self.raw[key])[..., 1])

        path = PATHS[int(c("serving_path"))]
        doc = {"serving_path": path, "formula": FORMULAS[path], "n_gpus": c("n_gpus"),
               "busy_time_s": c("busy_time"), "allocated_time_s": c("allocated_time"), "utilisation": c("utilisation")}
        if path in ("modelled", "flop", "measured"):
            doc["batch_size_effective"] = c("batch")
            doc["pipeline_stages"] = c("pipeline_stages")
            doc["decode_compute_share"] = c("decode_compute_share")
        if path == "per_item_flops":
            doc["flops_per_item"] = float(self.inputs["flops_per_item"][..., 1].ravel()[0])
        if path == "per_item_energy":
            doc["energy_per_item_j"] = float(self.inputs["energy_per_item"][..., 1].ravel()[0])
        return doc

    def water_scope(self) -> dict:
        """The water scope of ``water`` and both figures per request [mL]: on-site only, and with electricity."""
        offsite = float(np.asarray(self.inputs["water_offsite"]).ravel()[0]) if self.inputs else 1.0
        return {"scope": "onsite+electricity" if offsite > 0.5 else "onsite",
                "onsite": figure(ureg.Quantity(self.raw["water_onsite"], "L").to("mL")),
                "onsite+electricity": figure(ureg.Quantity(self.raw["water_with_electricity"], "L").to("mL"))}

    def training_run(self) -> dict | None:
        """The whole training run of the model (before amortisation), or None when training is excluded."""
        gpu_time = np.asarray(self.raw["training_gpu_time_total"], dtype=float)
        if not np.any(gpu_time > 0):
            return None
        return {"gpu_hours": figure(ureg.Quantity(gpu_time, "s").to("hour")),
                "energy": figure(ureg.Quantity(self.raw["training_energy_total"], "J").to("MWh")),
                "co2e": figure(ureg.Quantity(self.raw["training_co2e_total"], "kg").to("tCO2e")),
                "water": figure(ureg.Quantity(self.raw["training_water_total"], "L"))}

    def to_dict(self) -> dict:
        """The JSON document of ``footprint estimate --json``."""
        doc = {"per_request": {k: figure(q) for k, q in self.per_request.items()}}
        if self.requests is not None:
            doc["total"] = {k: figure(q) for k, q in self.total.items()}
            doc["total"]["requests"] = figure(ureg.Quantity(self.requests, "request"))
            doc["total"]["period"] = duration_text(self.period, words=False)
        doc["breakdown"] = {line: {k: figure(q) for k, q in d.items()} for line, d in self.breakdown.items()}
        doc["water_scope"] = self.water_scope()
        run = self.training_run()
        if run is not None:
            doc["training_run"] = run
        doc["sci"] = figure(ureg.Quantity(self.raw["sci"], "kg").to("gCO2e"))
        doc["sci"]["functional_unit"] = "request"
        doc["intermediates"] = self.intermediates()
        doc["assumptions"] = [a.as_dict() for a in self.assumptions]
        doc["notes"] = list(self.notes)
        return doc


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
        ranged = bool(np.any(rate[..., 0] < rate[..., -1]) or np.any(rate[..., 0] > rate[..., -1]))  # NaN: no rate
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
                    raw_total=None if m_total is None else compute(m_total),
                    provenance=getattr(resolved, "provenance", None))


def estimate(**kwargs) -> Estimate:
    """Estimate the footprint of serving a model; see :func:`footprint.resolve.resolve` for the inputs.

    Examples
    --------
    >>> from footprint import estimate
    >>> e = estimate(params="70B", output_tokens=400, gpu="H100", zone="FRA")
    >>> low, central, high = e.per_request["energy"].magnitude
    >>> bool(low <= central <= high)
    True
    """
    from .resolve import resolve

    return estimate_inputs(resolve(**kwargs))
