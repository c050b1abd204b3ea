"""Resolve user inputs and defaults into the inputs of the core, with provenance.

:func:`resolve` takes what a user gives (strings such as ``"70B"``, ``"350 W"``,
``"1.1..1.4"``, Quantities, :class:`~footprint.uncertainty.Range` objects or
``(low, high)`` pairs), fills every missing input from the factor tables, checks
each value, and records for every input where it came from: ``given``, a factor
row (table, key, parameter, status, source), ``derived`` or ``calibrated``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pint

from . import factors
from .errors import InputError
from .inference import PRECISION_BYTES, PRECISION_FLOPS_KEY
from .uncertainty import Range, central, parse_range_text, triplet
from .units import parse_count, parse_quantity, ureg

PROVISIONING = ("shared", "dedicated")

#: Method constants of factors/constants.csv that every estimate uses (calibrated or assumed).
CONSTANTS = ("eta_compute", "eta_memory", "u_memory", "u_compute", "step_overhead", "memory_overhead",
             "kv_coefficient", "kv_exponent")

#: Units in which assumptions are shown (the core works in SI magnitudes).
DISPLAY_UNITS = {
    "kg/J": "gCO2e/kWh", "L/J": "L/kWh", "byte": "GB", "byte/s": "TB/s", "FLOP/s": "TFLOP/s",
    "parameter": "billion", "s": "hour", "J/token": "J/token", "kg": "kgCO2e", "1/s": "1/day",
}


@dataclass(frozen=True)
class Assumption:
    """Where one input came from."""

    name: str
    value: object  # Quantity, Range or str
    source: str  # "given", "default: <factor ref>", "derived: ...", "calibrated: ..."
    status: str  # given | published | derived | estimate | assumption | calibrated

    def as_dict(self) -> dict:
        v = self.value
        if isinstance(v, (Range, pint.Quantity)):
            for internal, shown in DISPLAY_UNITS.items():
                if v.units == ureg.Unit(internal):
                    if internal == "s":  # durations from milliseconds to years
                        mid = float(np.max(np.asarray(central(v).m_as("s"))))
                        shown = next((u for u, size in (("year", 3.15e7), ("hour", 3600.0), ("s", 1.0))
                                      if mid >= size), "ms")
                    v = v.to(shown)
                    break
        if isinstance(v, Range):
            unit = f"{v.units:~P}"
            doc = {"value": _num(v.value.m_as(v.units)), "unit": unit,
                   "low": _num(v.low.m_as(v.units)), "high": _num(v.high.m_as(v.units))}
        elif isinstance(v, pint.Quantity):
            doc = {"value": _num(v.magnitude), "unit": f"{v.units:~P}"}
        else:
            doc = {"value": v, "unit": ""}
        return {"name": self.name, **doc, "source": self.source, "status": self.status}


def _num(x):
    """A plain float (or list), rounded to 12 significant digits to drop unit-conversion noise."""
    x = np.asarray(x, dtype=float)
    return float(f"{float(x):.12g}") if x.ndim == 0 else [float(f"{v:.12g}") for v in x.ravel()]


@dataclass
class Resolved:
    """Inputs of :func:`footprint.estimate.compute` with their provenance."""

    values: dict
    assumptions: list
    requests: np.ndarray | None = None
    period: pint.Quantity | None = None
    notes: list = field(default_factory=list)
    model: str | None = None
    gpu: str | None = None
    zone: str | None = None


def read_value(x, unit: str, name: str, count: bool = False, bare: str | None = None):
    """One user value as a Quantity or Range in `unit` (texts of the grammar, numbers, pairs, Ranges).

    Texts follow :mod:`footprint.quantity` (ranges ``a..b`` and ``a [b..c]``, decimal
    comma, no expressions); `bare` is the unit of a bare number (counts take their own
    unit).
    """
    from .quantity import parse_text

    bare = bare or (unit if count else None)

    def one(v):
        return parse_count(v, name, unit, bare=bare is not None) if count else parse_quantity(
            v, unit, name, default_unit=bare)

    if isinstance(x, Range):
        return x.to(unit)
    if isinstance(x, (tuple, list)):
        if len(x) == 2:
            return Range(one(x[0]), one(x[1]))
        if len(x) == 3:
            return Range(one(x[0]), one(x[2]), one(x[1]))
        raise InputError(f"{name}: a range is [low, high] or [low, value, high], got {len(x)} numbers")
    if isinstance(x, str):
        lo, v, hi, ranged = parse_text(x, unit, name, bare=bare, count=count)
        if ranged:
            return Range(ureg.Quantity(lo, unit), ureg.Quantity(hi, unit), ureg.Quantity(v, unit))
        return ureg.Quantity(v, unit)
    return one(x)


def _check(q, name: str, *, positive=True, minimum=None, maximum=None, whole=False, shown=None):
    """Refuse out-of-domain values with one clear line (`shown`: the user's text, for the message)."""
    lo = np.min(np.asarray((q.low if isinstance(q, Range) else q).magnitude, dtype=float))
    hi = np.max(np.asarray((q.high if isinstance(q, Range) else q).magnitude, dtype=float))
    vals = [q.low, q.value, q.high] if isinstance(q, Range) else [q]
    for v in vals:
        arr = np.asarray(v.magnitude, dtype=float)
        if not np.all(np.isfinite(arr)):
            raise InputError(f"{name}: value must be a finite number")
        if whole and not np.all(arr == np.round(arr)):
            raise InputError(f"{name}: {v:~P} is not a whole number; give a count such as 400")
    got = f"'{shown}'" if isinstance(shown, str) else None
    if positive and lo <= 0:
        raise InputError(f"{name}: must be greater than zero, got {got or f'{lo:g}'}")
    if minimum is not None and lo < minimum:
        raise InputError(f"{name}: must be at least {minimum:g}, got {got or f'{lo:g}'}")
    if maximum is not None and hi > maximum:
        raise InputError(f"{name}: must be at most {maximum:g}, got {got or f'{hi:g}'}")
    return q


class _Builder:
    def __init__(self):
        self.values: dict = {}
        self.assumptions: list = []
        self.notes: list = []

    def given(self, name, value, label=None):
        self.values[name] = value
        self.assumptions.append(Assumption(label or name, value, "given", "given"))

    def factor(self, name, row: factors.Factor, label=None, unit=None):
        q = row.quantity
        if unit:
            q = q.to(unit)
        self.values[name] = q
        self.assumptions.append(Assumption(label or name, q, f"default: {row.ref}", row.status))

    def derived(self, name, value, how, label=None):
        self.values[name] = value
        self.assumptions.append(Assumption(label or name, value, f"derived: {how}", "derived"))

    def note(self, label, text, status="assumption"):
        self.assumptions.append(Assumption(label, text, "given" if status == "given" else "default", status))


def _opt(b: _Builder, name, x, unit, label, **check):
    """A given value, checked, or None."""
    if x is None:
        return None
    q = _check(read_value(x, unit, label, count=check.pop("count", False)), label, shown=x, **check)
    b.given(name, q, label)
    return q


def _from_table(b, name, x, unit, label, table, key, parameter, **check):
    """A given value, or the factor row `table:key/parameter`."""
    if x is not None:
        return _opt(b, name, x, unit, label, **check)
    row = factors.get(table, key, parameter)
    if row is None:
        raise InputError(f"{label}: no default for {key} in factors/{table}.csv; give {label} explicitly")
    b.factor(name, row, label, unit)
    return b.values[name]


def resolve(*, model=None, params=None, active_params=None, precision="bf16", input_tokens=None,
            output_tokens=None, requests=None, period=None, gpu=None, gpus=None, batch_size=None,
            provisioning="shared", zone=None, grid_intensity=None, datacenter=None, pue=None, wue=None,
            water_intensity=None, fleet_utilisation=None, host_power=None, power_per_gpu=None,
            flop_utilisation=None, measured_energy_per_token=None, measured_tokens_per_second=None,
            measured_power=None, kv_bytes_per_token=None, gpu_embodied=None, server_embodied=None,
            hardware_lifetime=None, training_gpu_hours=None, training_gpu_power=None, training_pue=None,
            training_zone=None, training_grid_intensity=None, training_tokens=None, training_mfu=None,
            training_lifetime_requests=None, training_share=None, flops_per_item=None, energy_per_item=None,
            constants=None) -> Resolved:
    """Resolve the inputs of an inference estimate.

    Parameters
    ----------
    model : str, optional
        A model of ``factors/models.csv`` (its parameter counts become defaults).
    params, active_params : str or Quantity or Range, optional
        Total and active parameters [parameter] ("70B"); active defaults to total.
    precision : str
        Weight precision: bf16, fp16, fp8, int8, fp4, int4, fp32.
    input_tokens, output_tokens : optional
        Tokens per request [token].
    requests : optional
        Request rate [request/time], e.g. "10000/day" (needed for totals and for
        dedicated provisioning).
    period : optional
        Period of the totals [time], default 1 year when `requests` is given.
    gpu : str, optional
        A GPU of ``factors/gpus.csv`` (default H100).
    gpus : int, optional
        GPUs per serving instance; derived from the model's memory when not given.
    batch_size : optional
        Concurrent requests per instance [-].
    provisioning : {"shared", "dedicated"}
        Shared API (busy time + fleet idle share) or an endpoint powered all period.
    zone : str, optional
        Zone of ``factors/grid.csv`` (ISO 3166-1 alpha-3, WOR, EU27); default WOR.
    grid_intensity, water_intensity : optional
        Override the zone's carbon [gCO2e/kWh] and water [L/kWh] intensity.
    datacenter : str, optional
        Profile of ``factors/datacenters.csv`` for PUE and WUE (default industry_average).
    pue, wue : optional
        Override PUE [-] and on-site WUE [L/kWh].
    fleet_utilisation : optional
        Busy share of a shared fleet [-].
    host_power : optional
        Host (CPU, RAM, network) power per GPU [W].
    power_per_gpu, flop_utilisation : optional
        The simple FLOP path: ``2 N_active tokens / (F u)`` at this all-in power per GPU.
    measured_energy_per_token : optional
        Measured IT energy per output token [J/token, Wh/ktoken...]; overrides the model.
    measured_tokens_per_second, measured_power : optional
        Alternative measured path: energy per token = power / throughput.
    kv_bytes_per_token : optional
        KV cache per token of context [byte]; from a power law of the size otherwise.
    gpu_embodied, server_embodied, hardware_lifetime : optional
        Embodied emissions of a GPU and of the server per GPU [kgCO2e], service life [year].
    training_gpu_hours, training_gpu_power, training_pue, training_zone, training_grid_intensity,
    training_tokens, training_mfu : optional
        Training footprint (GPU-hours path, or 6 N D at an MFU when only tokens are known).
    training_lifetime_requests, training_share : optional
        Amortisation: the model's lifetime requests, or the share of the training charged
        to this use case's requests over `period`.
    flops_per_item, energy_per_item : optional
        Generic path for non-LLM tasks (speech-to-text, classification, images): FLOPs of one
        item [FLOP], run at ``flop_utilisation`` (default: the calibrated compute efficiency),
        or a measured IT energy per item [J].  "per request" then means "per item".
    constants : dict, optional
        Overrides of calibrated constants (eta_compute, eta_memory, u_memory, u_compute...).
    """
    b = _Builder()
    item_params = item_how = None
    if flops_per_item is not None or energy_per_item is not None:
        if params is not None or model is not None or active_params is not None:
            raise InputError("give either a model size (--params/--model) or a per-item figure "
                             "(--flops-per-item/--energy-per-item), not both")
        if flops_per_item is not None and energy_per_item is not None:
            raise InputError("give either --flops-per-item or --energy-per-item, not both")
        b.note("functional unit", "item (generic task path): per_request figures are per item", "given")
        if flops_per_item is not None:
            flops = _check(read_value(flops_per_item, "FLOP", "--flops-per-item", count=True), "--flops-per-item")
            b.given("flops_per_item", flops, "--flops-per-item")
            item_params = (flops / 2).to("parameter") if not isinstance(flops, Range) else Range(
                (flops.low / 2).to("parameter"), (flops.high / 2).to("parameter"), (flops.value / 2).to("parameter"))
            item_how = "FLOPs per item / 2: an item is one forward pass of 2 x N FLOPs"
            if flop_utilisation is None:
                flop_utilisation = factors.constant("eta_compute").quantity
        else:
            energy_item = _check(read_value(energy_per_item, "J", "--energy-per-item"), "--energy-per-item")
            b.given("energy_per_item", energy_item, "--energy-per-item")
            per_token = (energy_item / ureg.token if not isinstance(energy_item, Range) else Range(
                energy_item.low / ureg.token, energy_item.high / ureg.token, energy_item.value / ureg.token))
            b.derived("measured_energy_per_token", per_token, "energy per item, the item counted as one output token")
            item_params = ureg.Quantity(1.0, "parameter")
            item_how = "placeholder: the measured energy per item replaces the hardware model"
        input_tokens, output_tokens = 0, 1
        gpus = gpus if gpus is not None else 1
        batch_size = batch_size if batch_size is not None else 1

    # -- model size ---------------------------------------------------------------
    model_row = None
    if model is not None:
        model_key = factors.find_key("models", str(model), "model")
        model_row = factors.parameters("models", model_key)
        b.note("model", model_key, "given")
    if item_params is not None:
        b.derived("total_params", item_params, item_how, "--params")
        total = item_params
    elif params is None and model_row is None:
        raise InputError("give the model size with --params (e.g. 70B) or a catalogue model with --model "
                         "(`footprint factors list models`)")
    if item_params is not None:
        pass  # recorded above as derived from the per-item figure
    elif params is not None:
        total = _opt(b, "total_params", params, "parameter", "--params", count=True)
    else:
        b.factor("total_params", model_row["total_params"], "--params", "parameter")
        total = b.values["total_params"]
    if active_params is not None:
        active = _opt(b, "active_params", active_params, "parameter", "--active-params", count=True)
    elif model_row is not None and "active_params" in model_row and params is None and item_params is None:
        b.factor("active_params", model_row["active_params"], "--active-params", "parameter")
        active = b.values["active_params"]
    else:
        active = total
        b.derived("active_params", total, "dense model: active = total parameters", "--active-params")
    if np.any(np.asarray(central(active).m_as("parameter")) > np.asarray(central(total).m_as("parameter")) * (1 + 1e-9)):
        raise InputError("--active-params: cannot exceed the total parameters (--params)")

    prec = str(precision).lower()
    if prec not in PRECISION_BYTES:
        from .errors import unknown_name
        raise unknown_name("precision", prec, PRECISION_BYTES)
    b.values["bytes_per_param"] = ureg.Quantity(PRECISION_BYTES[prec], "byte")
    b.note("precision", prec, "given" if precision != "bf16" else "assumption")

    # -- tokens ---------------------------------------------------------------------
    for name, x in (("input_tokens", input_tokens), ("output_tokens", output_tokens)):
        label = "--" + name.replace("_", "-")
        if x is None:
            b.factor(name, factors.constant(name), label, "token")
        else:
            _opt(b, name, x, "token", label, count=True, whole=True, positive=(name == "output_tokens"), minimum=0)

    # -- hardware -------------------------------------------------------------------
    gpu_key = factors.find_key("gpus", gpu or "H100", "GPU")
    if gpu is None:
        b.note("gpu", f"{gpu_key} (default GPU)", "assumption")
    else:
        b.note("gpu", gpu_key, "given")
    gpu_rows = factors.parameters("gpus", gpu_key)
    flops_key = PRECISION_FLOPS_KEY[prec]
    if flops_key not in gpu_rows:
        flops_key = "peak_flops_bf16"
        b.notes.append(f"{gpu_key} has no {prec} peak in factors/gpus.csv; its bf16/fp16 peak is used")
    for name, parameter, unit in (("peak_flops", flops_key, "FLOP/s"), ("memory_bandwidth", "memory_bandwidth", "byte/s"),
                                  ("gpu_memory", "memory", "byte"), ("tdp", "tdp", "W"), ("idle_power", "idle_power", "W")):
        if parameter not in gpu_rows:
            raise InputError(f"--gpu {gpu_key}: factors/gpus.csv has no {parameter}; pick another GPU")
        b.factor(name, gpu_rows[parameter], f"gpu.{parameter}", unit)
    if gpu_embodied is None and factors.get("gpus", gpu_key, "embodied") is None:
        # no sourced figure for this board: the H100's, labelled as a proxy
        proxy = factors.get("gpus", "H100", "embodied")
        b.values["gpu_embodied"] = proxy.quantity
        b.assumptions.append(Assumption("--gpu-embodied", proxy.quantity, f"proxy: {proxy.ref} (no figure for {gpu_key})",
                                        "assumption"))
        b.notes.append(f"no embodied figure for {gpu_key}: the H100's is used as a proxy")
    else:
        _from_table(b, "gpu_embodied", gpu_embodied, "kg", "--gpu-embodied", "gpus", gpu_key, "embodied", minimum=0,
                    positive=False)
    if host_power is not None:
        _opt(b, "host_power", host_power, "W", "--host-power", minimum=0, positive=False)
    else:
        # host power per GPU in proportion to the GPU's TDP (factors/servers.csv host_power_ratio)
        ratio = factors.get("servers", "gpu_server", "host_power_ratio")
        tdp = central(b.values["tdp"]).to("W")
        q = ratio.quantity
        host = (Range(q.low * tdp, q.high * tdp, q.value * tdp) if isinstance(q, Range) else q * tdp).to("W")
        b.values["host_power"] = host
        b.assumptions.append(Assumption("--host-power", host, f"default: {ratio.ref} x gpu.tdp", "derived"))
    _from_table(b, "server_embodied", server_embodied, "kg", "--server-embodied", "servers", "gpu_server", "embodied_per_gpu", minimum=0, positive=False)
    _from_table(b, "hardware_lifetime", hardware_lifetime, "s", "--hardware-lifetime", "servers", "gpu_server", "lifetime")

    item_path = flops_per_item is not None or energy_per_item is not None
    if gpus is not None:
        n = _opt(b, "n_gpus", gpus, "dimensionless", "--gpus", whole=True)
    if gpus is not None and not item_path:
        weights = central(total).m_as("parameter") * PRECISION_BYTES[prec]
        capacity = central(n).m_as("") * central(b.values["gpu_memory"]).m_as("byte")
        if np.any(weights > capacity):
            raise InputError(
                f"--gpus: the weights need {np.max(weights) / 1e9:.0f} GB at {prec} but {central(n).m_as(''):g} x "
                f"{gpu_key} hold {np.min(capacity) / 1e9:.0f} GB; use more GPUs, a lower precision or omit --gpus")
    if batch_size is None:
        b.factor("batch_size", factors.constant("batch_size"), "--batch-size", "dimensionless")
    else:
        _opt(b, "batch_size", batch_size, "dimensionless", "--batch-size", minimum=1)
    if kv_bytes_per_token is not None:
        _opt(b, "kv_bytes_per_token", kv_bytes_per_token, "byte/token", "--kv-bytes-per-token", minimum=0,
             positive=False)

    # -- calibrated and assumed constants ---------------------------------------------
    constants = dict(constants or {})
    for name in CONSTANTS:
        unit = "s" if name == "step_overhead" else "dimensionless"
        if name in constants:
            _opt(b, name, constants.pop(name), unit, name, positive=name != "step_overhead", minimum=0,
                 maximum=1.0 if name.startswith(("eta", "u_")) else None)
        else:
            b.factor(name, factors.constant(name), name, unit)
    if constants:
        raise InputError(f"constants: unknown names {sorted(constants)}; accepted: {', '.join(CONSTANTS)}")

    # -- provisioning and volume ----------------------------------------------------------
    prov = str(provisioning).lower()
    if prov not in PROVISIONING:
        raise InputError(f"--provisioning: '{provisioning}' is not valid; use shared or dedicated")
    b.values["dedicated"] = ureg.Quantity(1.0 if prov == "dedicated" else 0.0, "dimensionless")
    b.note("provisioning", prov, "given" if provisioning != "shared" else "assumption")
    rate = _opt(b, "request_rate", requests, "1/s", "--requests")
    if prov == "dedicated" and rate is None:
        raise InputError("--provisioning dedicated: give the volume with --requests (e.g. '10000/day'); "
                         "a dedicated endpoint's idle energy is spread over the requests it serves")
    if prov == "shared":
        if fleet_utilisation is None:
            b.factor("fleet_utilisation", factors.constant("fleet_utilisation"), "--fleet-utilisation", "dimensionless")
        else:
            _opt(b, "fleet_utilisation", fleet_utilisation, "dimensionless", "--fleet-utilisation", maximum=1.0)
    else:
        b.values["fleet_utilisation"] = ureg.Quantity(1.0, "dimensionless")
    req_count = None
    per = None
    if period is not None and rate is None:
        raise InputError("--period: give --requests too (the totals are requests per time x period)")
    if rate is not None:
        per = parse_quantity(period if period is not None else "1 year", "s", "--period")
        _check(per, "--period", shown=period if isinstance(period, str) else None)
        if period is None:
            b.note("period", "1 year (default)", "assumption")
        else:
            b.given("period", per, "--period")
        req_count = triplet(rate, "1/s", True) * per.m_as("s")

    # -- simple FLOP and measured paths ---------------------------------------------------
    if flop_utilisation is not None:
        _opt(b, "flop_utilisation", flop_utilisation, "dimensionless", "--flop-utilisation", maximum=1.0)
        b.notes.append("simple FLOP path: energy = 2 x active parameters x tokens / (peak FLOP/s x utilisation) x power")
    if power_per_gpu is not None:
        if flop_utilisation is None:
            raise InputError("--power-per-gpu applies to the simple FLOP path; give --flop-utilisation too")
        _opt(b, "power_per_gpu", power_per_gpu, "W", "--power-per-gpu")
    if measured_energy_per_token is not None:
        if isinstance(measured_energy_per_token, str) and "tok" not in measured_energy_per_token:
            # token is a dimensionless count: "0.3 J" would pass the unit check, so ask for the per-token form
            raise InputError(f"--measured-energy-per-token: '{measured_energy_per_token}' is not per token; "
                             "give e.g. '0.3 J/token' or '0.05 Wh/ktoken'")
        _opt(b, "measured_energy_per_token", measured_energy_per_token, "J/token", "--measured-energy-per-token")
    elif measured_tokens_per_second is not None or measured_power is not None:
        if measured_tokens_per_second is None or measured_power is None:
            raise InputError("a measured throughput needs both --measured-tokens-per-second and --measured-power")
        tps = _check(read_value(measured_tokens_per_second, "token/s", "--measured-tokens-per-second"), "--measured-tokens-per-second")
        pw = _check(read_value(measured_power, "W", "--measured-power"), "--measured-power")
        b.given("measured_tokens_per_second", tps)
        b.given("measured_power", pw)
        b.derived("measured_energy_per_token", (central(pw) / central(tps)).to("J/token"), "measured power / measured throughput")
    if "measured_energy_per_token" in b.values:
        b.notes.append("measured path: the measured IT energy per output token replaces the hardware model (PUE still applied)")

    # -- datacentre and grid ------------------------------------------------------------------
    dc_key = factors.find_key("datacenters", datacenter or "industry_average", "datacenter profile")
    _from_table(b, "pue", pue, "dimensionless", "--pue", "datacenters", dc_key, "pue", minimum=1.0)
    _from_table(b, "wue", wue, "L/J", "--wue", "datacenters", dc_key, "wue", minimum=0, positive=False)
    zone_key = factors.find_key("grid", zone or "WOR", "zone")
    if zone is None and grid_intensity is None:
        b.notes.append("no --zone given: the world average grid intensity is used")
    _from_table(b, "grid_intensity", grid_intensity, "kg/J", "--grid-intensity", "grid", zone_key, "carbon_intensity",
                minimum=0, positive=False)
    if water_intensity is None and factors.get("grid", zone_key, "water_intensity") is None:
        b.notes.append(f"no water intensity of electricity for {zone_key}: the world average is used")
        _from_table(b, "water_intensity", None, "L/J", "--water-intensity", "grid", "WOR", "water_intensity")
    else:
        _from_table(b, "water_intensity", water_intensity, "L/J", "--water-intensity", "grid", zone_key,
                    "water_intensity", minimum=0, positive=False)

    # -- training ----------------------------------------------------------------------------
    _resolve_training(b, model_row, locals())

    return Resolved(values=b.values, assumptions=b.assumptions, requests=req_count, period=per, notes=b.notes,
                    model=model, gpu=gpu_key, zone=zone_key)


def _resolve_training(b: _Builder, model_row, a: dict) -> None:
    amortise_lifetime, share = a["training_lifetime_requests"], a["training_share"]
    # placeholders of the unused training inputs (the line is 0 without an amortisation)
    defaults = {"training_gpu_power": ureg.Quantity(0.0, "W"), "training_pue": ureg.Quantity(1.0, ""),
                "training_grid_intensity": ureg.Quantity(0.0, "kg/J"), "training_mfu": ureg.Quantity(1.0, ""),
                "training_peak_flops": b.values["peak_flops"]}
    if amortise_lifetime is None and share is None:
        b.note("training", "excluded", "assumption")
        b.notes.append("training is excluded (its line is 0): give --training-lifetime-requests or --training-share "
                       "to amortise the model's training")
        b.values.update(defaults)
        return
    if amortise_lifetime is not None and share is not None:
        raise InputError("give either --training-lifetime-requests or --training-share, not both")
    if amortise_lifetime is not None:
        _opt(b, "amortisation_requests", amortise_lifetime, "request", "--training-lifetime-requests", count=True)
    else:
        s = _check(read_value(share, "dimensionless", "--training-share"), "--training-share", maximum=1.0)
        if a["req_count"] is None:
            raise InputError("--training-share needs --requests (the share is spread over the requests of the period)")
        b.given("training_share", s, "--training-share")
        reqs = a["req_count"][..., 1]  # central requests over the period
        b.derived("amortisation_requests", ureg.Quantity(reqs / central(s).m_as(""), "request"),
                  "requests over the period / training share")
    # GPU-hours (given, or the model card), else 6 N D at an MFU
    hours = a["training_gpu_hours"]
    row = model_row or {}
    if hours is not None:
        _opt(b, "training_gpu_time", _hours(hours), "s", "--training-gpu-hours")
    elif "training_gpu_hours" in row:
        b.factor("training_gpu_time", row["training_gpu_hours"], "training_gpu_hours", "s")
    elif a["training_tokens"] is not None or "training_tokens" in row:
        if a["training_tokens"] is not None:
            _opt(b, "training_tokens", a["training_tokens"], "token", "--training-tokens", count=True)
        else:
            b.factor("training_tokens", row["training_tokens"], "training_tokens", "token")
    else:
        raise InputError("training amortisation needs --training-gpu-hours or --training-tokens "
                         "(or a catalogue --model whose card gives them)")
    if a["training_gpu_power"] is not None:
        _opt(b, "training_gpu_power", a["training_gpu_power"], "W", "--training-gpu-power")
    elif "training_gpu_power" in row:
        b.factor("training_gpu_power", row["training_gpu_power"], "training_gpu_power", "W")
    else:
        b.values["training_gpu_power"] = b.values["tdp"]
        b.derived("training_gpu_power", b.values["tdp"], "the serving GPU's TDP (no training power given)")
    if a["training_pue"] is not None:
        _opt(b, "training_pue", a["training_pue"], "dimensionless", "--training-pue", minimum=1.0)
    else:
        b.derived("training_pue", ureg.Quantity(1.0, ""), "1.0: model cards state power already adjusted for PUE")
    if a["training_grid_intensity"] is not None:
        _opt(b, "training_grid_intensity", a["training_grid_intensity"], "kg/J", "--training-grid-intensity", minimum=0,
             positive=False)
    else:
        tz = factors.find_key("grid", a["training_zone"] or "USA", "zone")
        if a["training_zone"] is None:
            b.notes.append("training site assumed in the USA (give --training-zone or --training-grid-intensity)")
        b.factor("training_grid_intensity", factors.get("grid", tz, "carbon_intensity"), "training grid", "kg/J")
    if a["training_mfu"] is not None:
        _opt(b, "training_mfu", a["training_mfu"], "dimensionless", "--training-mfu", maximum=1.0)
    else:
        b.factor("training_mfu", factors.constant("training_mfu"), "--training-mfu", "dimensionless")
    b.values["training_peak_flops"] = b.values["peak_flops"]


def _hours(x):
    """GPU-hours given as a bare number mean hours."""
    if isinstance(x, (int, float)):
        return ureg.Quantity(float(x), "hour")
    if isinstance(x, str) and parse_range_text(x) is None:
        try:
            return ureg.Quantity(float(x), "hour")
        except ValueError:
            return x
    return x
