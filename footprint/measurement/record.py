"""A measurement as footprint reports it: the figures, their units and CO2e from footprint's own grid factors."""

from __future__ import annotations

import shlex
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

from .. import factors, grid
from ..errors import InputError
from ..uncertainty import spread, triplet
from ..units import ureg


#: Sampling interval of CodeCarbon's power measurement [s] (CodeCarbon's own default is 15 s).
DEFAULT_INTERVAL = 1.0
TRACKING_MODES = ("machine", "process")
STATUSES = ("ok", "failed", "interrupted")


#: Columns of the results log, with their unit in brackets.  The first column
#: name marks a file as footprint's own.
COLUMNS = (
    "footprint_run_id", "timestamp_utc", "status", "exit_code", "command", "zone",
    "tokens", "items",
    "duration [s]", "energy [Wh]", "energy_cpu [Wh]", "energy_ram [Wh]", "energy_gpu [Wh]",
    "co2e [gCO2e]", "co2e_low [gCO2e]", "co2e_high [gCO2e]",
    "grid_intensity [gCO2e/kWh]", "grid_intensity_low [gCO2e/kWh]", "grid_intensity_high [gCO2e/kWh]",
    "grid_intensity_source",
    "energy_per_token [J/token]", "energy_per_item [J/item]",
    "power_cpu [W]", "power_ram [W]", "power_gpu [W]",
    "method", "estimated",
    "codecarbon_co2e [gCO2e]", "codecarbon_grid_intensity [gCO2e/kWh]",
    "tracking_mode", "interval [s]", "cpu_model", "gpu_model", "gpu_count", "codecarbon_version", "notes",
)
NUMERIC_COLUMNS = tuple(c for c in COLUMNS if "[" in c) + ("exit_code", "tokens", "items", "gpu_count")

#: Output units of the measured figures.
UNITS = {"duration": "s", "energy": "Wh", "co2e": "gCO2e", "power": "W",
         "energy_per_token": "J/token", "energy_per_item": "J/item", "grid_intensity": "gCO2e/kWh"}


class MeasurementError(InputError):
    """A measurement that could not be made; ``exit_code`` follows the shell's conventions."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


# -- small pure functions ---------------------------------------------------------------------


def operational_co2e(energy, grid_intensity):
    """CO2e of a measured energy with a grid factor, on the (low, central, high) axis.

    Parameters
    ----------
    energy : Quantity
        Measured energy [J] (a point).
    grid_intensity : Quantity or Range
        Carbon intensity of the zone [gCO2e/kWh]; a Range gives the low/high ends.

    Returns
    -------
    Quantity
        CO2e [kgCO2e] with a trailing axis of length 3 (low, central, high).

    References
    ----------
    .. [1] ISO/IEC 21031:2024 Software Carbon Intensity (E x I).
    """
    e = triplet(energy, "J")
    return ureg.Quantity(grid.operational_co2e(e, triplet(grid_intensity, "kg/J")), "kg")


def energy_per_unit(energy, count, unit: str):
    """Energy per counted unit (token, item), or None without a positive count.

    Parameters
    ----------
    energy : Quantity [J]
    count : int or None
        Number of tokens or items produced during the measurement [-].
    unit : str
        ``"token"`` or ``"item"``.
    """
    if count is None or count <= 0:
        return None
    return (energy / ureg.Quantity(count, unit)).to(f"J/{unit}")


#: CodeCarbon's hardware descriptions -> (method id, kind, words).
_METHODS = (
    ("CPU(Intel Rapl)", "cpu", "rapl", "measured", "RAPL energy counters"),
    ("CPU(Intel Power Gadget)", "cpu", "intel_power_gadget", "measured", "Intel Power Gadget"),
    ("CPU(Windows Emi)", "cpu", "windows_emi", "measured", "Windows Energy Meter Interface"),
    ("CPU(Cpu Load)", "cpu", "cpu_load", "estimate", "CodeCarbon's model: CPU load (psutil) x TDP"),
    ("CPU(", "cpu", "tdp_constant", "estimate", "CodeCarbon's model: a constant share of the TDP"),
    ("AppleSiliconChip", None, "powermetrics", "measured", "Apple powermetrics"),
    ("Raspberry", None, "raspberry_pmic", "measured", "Raspberry Pi PMIC"),
    ("GPU(", "gpu", "nvml", "measured", "GPU energy counters (NVML or AMD SMI)"),
    ("RAM(", "ram", "ram_model", "estimate", "CodeCarbon's RAM model (5 W per DIMM, constant)"),
)


def classify_hardware(descriptions) -> dict:
    """Say how CodeCarbon obtained each component's energy, from its hardware descriptions.

    Parameters
    ----------
    descriptions : list of str
        CodeCarbon's ``tracker._conf["hardware"]`` (e.g. ``['RAM()', 'CPU(Cpu Load)']``),
        or None when it could not be read.

    Returns
    -------
    dict
        ``cpu``, ``ram``, ``gpu``: ``{"method", "kind", "description"}`` (``kind`` is
        ``measured`` or ``estimate``; ``gpu`` is None without a GPU); ``estimated``:
        True when any component is modelled rather than read from an energy counter;
        ``summary``: one line for people.
    """
    out = {"cpu": None, "ram": None, "gpu": None}
    for desc in descriptions or ():
        for prefix, part, method, kind, words in _METHODS:
            if desc.startswith(prefix):
                if part is None:  # a chip sensor: which part is in the description
                    part = "ram" if "RAM" in desc else ("gpu" if "GPU" in desc else "cpu")
                out[part] = {"method": method, "kind": kind, "description": words}
                break
        else:
            out.setdefault("other", []).append(desc)
    for part in ("cpu", "ram"):
        if out[part] is None:
            out[part] = {"method": "unknown", "kind": "estimate",
                         "description": "not reported by CodeCarbon (treated as an estimate)"}
    parts = [p for p in ("cpu", "ram", "gpu") if out[p] is not None]
    out["estimated"] = any(out[p]["kind"] != "measured" for p in parts)
    words = "; ".join(f"{p.upper()}: {out[p]['description']} [{out[p]['kind']}]" for p in parts)
    out["summary"] = ("ESTIMATE, not a meter reading - " if out["estimated"] else "measured - ") + words
    return out


def method_text(method: dict) -> str:
    """Short form of :func:`classify_hardware`'s answer for the results log."""
    return "; ".join(f"{p}:{method[p]['method']}({method[p]['kind']})" for p in ("cpu", "ram", "gpu")
                     if method.get(p))


def _fig(q, unit: str, low=None, high=None) -> dict | None:
    if q is None:
        return None
    v = float(q.m_as(unit))
    lo = v if low is None else float(low.m_as(unit))
    hi = v if high is None else float(high.m_as(unit))
    return {"value": v, "unit": unit, "low": lo, "high": hi}


def _per(q, cases, count, unit):
    lo, c, hi = (q(x) / ureg.Quantity(count, unit) for x in cases)
    return _fig(c, f"gCO2e/{unit}", lo, hi)


@dataclass
class Measurement:
    """One measured run: energy by component, CO2e with footprint's factor, per-unit figures.

    Every figure is a :class:`pint.Quantity`; ``co2e`` has a trailing axis of
    length 3 (low, central, high: the ends of the zone's factor range).
    """

    run_id: str
    timestamp: str
    zone: str
    status: str
    duration: object
    energy_cpu: object
    energy_ram: object
    energy_gpu: object
    grid_intensity: object  # Quantity or Range [gCO2e/kWh]
    grid_intensity_source: str
    method: dict
    exit_code: int | None = None
    command: list | None = None
    tokens: int | None = None
    items: int | None = None
    power: dict = field(default_factory=dict)  # cpu/ram/gpu mean power [W]
    codecarbon: dict = field(default_factory=dict)
    config: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    tracking_mode: str = "machine"
    interval: float = DEFAULT_INTERVAL
    recorded_in: str | None = None  # the results file that holds this measurement (set when it is written)

    @property
    def energy(self):
        """Total energy, CPU + RAM + GPU [Wh] (no PUE: the machine's own draw)."""
        return (self.energy_cpu + self.energy_ram + self.energy_gpu).to("Wh")

    @property
    def co2e_cases(self):
        """CO2e [gCO2e] on the (low, central, high) axis."""
        return operational_co2e(self.energy, self.grid_intensity).to("gCO2e")

    @property
    def co2e(self):
        """CO2e with footprint's factor of the zone, central value [gCO2e]."""
        return self.co2e_cases[..., 1]

    @property
    def energy_per_token(self):
        """Energy per token [J/token], or None without a token count."""
        return energy_per_unit(self.energy, self.tokens, "token")

    @property
    def energy_per_item(self):
        """Energy per item [J/item], or None without an item count."""
        return energy_per_unit(self.energy, self.items, "item")

    def _intensity_cases(self):
        return ureg.Quantity(triplet(self.grid_intensity, "gCO2e/kWh"), "gCO2e/kWh")

    def to_dict(self) -> dict:
        """The JSON document of ``footprint measure --json``."""
        lo, c, hi = spread(self.co2e_cases.m_as("gCO2e"))
        q = lambda x: ureg.Quantity(x, "gCO2e")  # noqa: E731
        measured = {
            "energy": _fig(self.energy, "Wh"),
            "co2e": _fig(q(c), "gCO2e", q(lo), q(hi)),
            "duration": _fig(self.duration, "s"),
            "energy_cpu": _fig(self.energy_cpu, "Wh"),
            "energy_ram": _fig(self.energy_ram, "Wh"),
            "energy_gpu": _fig(self.energy_gpu, "Wh"),
        }
        for part, p in self.power.items():
            measured[f"power_{part}"] = _fig(p, "W")
        if self.energy_per_token is not None:
            measured["energy_per_token"] = _fig(self.energy_per_token, "J/token")
            measured["co2e_per_token"] = _per(q, (lo, c, hi), self.tokens, "token")
        if self.energy_per_item is not None:
            measured["energy_per_item"] = _fig(self.energy_per_item, "J/item")
            measured["co2e_per_item"] = _per(q, (lo, c, hi), self.items, "item")
        gi = self._intensity_cases()
        return {
            "run_id": self.run_id, "timestamp": self.timestamp, "status": self.status, "exit_code": self.exit_code,
            "command": self.command, "zone": self.zone,
            "counts": {"tokens": self.tokens, "items": self.items},
            "measured": measured,
            "grid_intensity": {**_fig(gi[1], "gCO2e/kWh", gi.min(), gi.max()), "source": self.grid_intensity_source},
            "method": self.method,
            "codecarbon": self.codecarbon,
            "codecarbon_config": self.config,
            "settings": {"tracking_mode": self.tracking_mode, "interval_s": self.interval, "pue": 1.0},
            "notes": list(self.notes),
            "codecarbon_warnings": list(self.warnings),
        }

    def to_row(self) -> dict:
        """One row of the results log (:data:`COLUMNS`)."""
        lo, c, hi = spread(self.co2e_cases.m_as("gCO2e"))
        gi = self._intensity_cases().m_as("gCO2e/kWh")
        cc = self.codecarbon
        num = lambda x, u: "" if x is None else repr(float(x.m_as(u)))  # noqa: E731
        return {
            "footprint_run_id": self.run_id, "timestamp_utc": self.timestamp, "status": self.status,
            "exit_code": "" if self.exit_code is None else str(self.exit_code),
            "command": "" if self.command is None else shlex.join(self.command), "zone": self.zone,
            "tokens": "" if self.tokens is None else str(self.tokens),
            "items": "" if self.items is None else str(self.items),
            "duration [s]": num(self.duration, "s"), "energy [Wh]": num(self.energy, "Wh"),
            "energy_cpu [Wh]": num(self.energy_cpu, "Wh"), "energy_ram [Wh]": num(self.energy_ram, "Wh"),
            "energy_gpu [Wh]": num(self.energy_gpu, "Wh"),
            "co2e [gCO2e]": repr(float(c)), "co2e_low [gCO2e]": repr(float(lo)), "co2e_high [gCO2e]": repr(float(hi)),
            "grid_intensity [gCO2e/kWh]": repr(float(gi[1])), "grid_intensity_low [gCO2e/kWh]": repr(float(gi.min())),
            "grid_intensity_high [gCO2e/kWh]": repr(float(gi.max())),
            "grid_intensity_source": self.grid_intensity_source,
            "energy_per_token [J/token]": num(self.energy_per_token, "J/token"),
            "energy_per_item [J/item]": num(self.energy_per_item, "J/item"),
            "power_cpu [W]": num(self.power.get("cpu"), "W"), "power_ram [W]": num(self.power.get("ram"), "W"),
            "power_gpu [W]": num(self.power.get("gpu"), "W"),
            "method": method_text(self.method), "estimated": str(bool(self.method.get("estimated"))).lower(),
            "codecarbon_co2e [gCO2e]": "" if cc.get("co2e") is None else repr(cc["co2e"]["value"]),
            "codecarbon_grid_intensity [gCO2e/kWh]": "" if cc.get("grid_intensity") is None
            else repr(cc["grid_intensity"]["value"]),
            "tracking_mode": self.tracking_mode, "interval [s]": repr(float(self.interval)),
            "cpu_model": cc.get("cpu_model") or "", "gpu_model": cc.get("gpu_model") or "",
            "gpu_count": str(cc.get("gpu_count") or 0), "codecarbon_version": cc.get("version") or "",
            "notes": " | ".join(self.notes),
        }


def build_measurement(raw: dict, *, zone: str, status: str, exit_code=None, command=None, tokens=None,
                      items=None, config=(), notes=(), warnings=(), tracking_mode="machine",
                      interval=DEFAULT_INTERVAL, run_id=None, timestamp=None) -> Measurement:
    """Turn CodeCarbon's figures (``raw``, see :func:`read_tracker`) into a :class:`Measurement`."""
    factor = factors.get("grid", zone, "carbon_intensity")
    kwh = lambda k: ureg.Quantity(float(raw.get(k) or 0.0), "kWh")  # noqa: E731
    energy_total = kwh("energy_cpu_kwh") + kwh("energy_ram_kwh") + kwh("energy_gpu_kwh")
    method = classify_hardware(raw.get("hardware"))
    notes = list(notes)
    if method["estimated"]:
        notes.append("the energy is CodeCarbon's estimate, not a meter reading: " + method["summary"].split(" - ", 1)[1])
    if (raw.get("gpu_count") or 0) > 0 and float(raw.get("energy_gpu_kwh") or 0.0) == 0.0:
        notes.append("a GPU was found but reported 0 kWh: GPUs without an energy counter (pre-Volta) read 0")
    cc = {"version": raw.get("version"), "cpu_model": raw.get("cpu_model"), "gpu_model": raw.get("gpu_model"),
          "gpu_count": raw.get("gpu_count") or 0, "co2e": None, "grid_intensity": None}
    if raw.get("independent_intensity") and raw.get("emissions_kg") is not None and energy_total.m > 0:
        e_cc = ureg.Quantity(float(raw["emissions_kg"]), "kg")
        cc["co2e"] = _fig(e_cc, "gCO2e")
        cc["grid_intensity"] = _fig((e_cc / energy_total).to("gCO2e/kWh"), "gCO2e/kWh")
    power = {p: ureg.Quantity(float(raw[f"power_{p}_w"]), "W") for p in ("cpu", "ram", "gpu")
             if raw.get(f"power_{p}_w") is not None}
    return Measurement(
        run_id=run_id or uuid.uuid4().hex[:12],
        timestamp=timestamp or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        zone=zone, status=status, exit_code=exit_code, command=list(command) if command else None,
        duration=ureg.Quantity(float(raw.get("duration_s") or 0.0), "s"),
        energy_cpu=kwh("energy_cpu_kwh").to("Wh"), energy_ram=kwh("energy_ram_kwh").to("Wh"),
        energy_gpu=kwh("energy_gpu_kwh").to("Wh"),
        grid_intensity=factor.quantity, grid_intensity_source=factor.ref, method=method,
        tokens=tokens, items=items, power=power, codecarbon=cc, config=list(config), notes=notes,
        warnings=list(warnings), tracking_mode=tracking_mode, interval=float(interval),
    )


#: The components of the estimate's IT energy (GPU busy and idle, and the host: CPU, RAM and the rest).
ESTIMATED_COMPONENTS = ("cpu", "ram", "gpu")


def measured_components(measurement) -> tuple:
    """The components a measurement holds energy for, of ``("cpu", "ram", "gpu")`` (those above zero)."""
    parts = {"cpu": measurement.energy_cpu, "ram": measurement.energy_ram, "gpu": measurement.energy_gpu}
    return tuple(k for k, q in parts.items() if q is not None and float(q.m_as("J")) > 0)


def components_warning(measured, gpu=None) -> str | None:
    """Why a ratio of `measured` components to the estimate is not like with like (None when it is).

    >>> components_warning(("cpu", "ram"), "L4")[:64]
    'the measurement holds CPU and RAM only (no GPU found) while the '
    >>> components_warning(("cpu", "ram", "gpu")) is None
    True
    """
    if "gpu" in measured:
        return None
    held = " and ".join(k.upper() for k in measured) or "no component"
    return (f"the measurement holds {held} only (no GPU found) while the estimate is of serving on "
            f"{gpu or 'its default GPU'} with its host: the ratio compares different hardware. To compare like "
            "with like, measure where the model runs on the estimate's GPU (CodeCarbon reads NVIDIA GPUs "
            "through NVML), or give --gpu the GPU that ran the command")


def compare_with_estimate(energy_per_token, tokens: int, *, components=ESTIMATED_COMPONENTS, **estimate_kwargs) -> dict:
    """Set a measured energy per token beside :func:`footprint.estimate` for the same model and tokens.

    Both sides are IT energy (no PUE: a local measurement has none).  The estimate is
    run for one request of `tokens` output tokens.  The estimate is of a GPU and its
    host: a measurement without a GPU is compared all the same, with a warning
    (``like_with_like`` false) that says how to compare like with like.

    Parameters
    ----------
    energy_per_token : Quantity [J/token]
    tokens : int
        Output tokens of the measured run [token].
    components : tuple of str
        The components the measurement holds (:func:`measured_components`).
    **estimate_kwargs
        Inputs of :func:`footprint.resolve.resolve` (``params``, ``model``, ``gpu``...).

    Returns
    -------
    dict
        ``measured_energy_per_token``, ``estimated_energy_per_token`` (IT energy,
        with its range), ``ratio`` (measured / estimated, with its range),
        ``flag`` (the estimate option that uses the measured figure), ``components``
        (``measured`` and ``estimated``), ``like_with_like``, ``warning`` (None or why
        not like with like), ``assumptions``.
    """
    from ..estimator import estimate

    est = estimate(output_tokens=int(tokens), **estimate_kwargs)
    per_token = ureg.Quantity(np.asarray(est.raw["it_energy"], dtype=float) / float(tokens), "J/token")
    lo, c, hi = spread(per_token.m_as("J/token"))
    measured = float(energy_per_token.m_as("J/token"))
    ratio = {"value": measured / c, "unit": "", "low": measured / hi, "high": measured / lo}
    return {
        "tokens": int(tokens),
        "measured_energy_per_token": {"value": measured, "unit": "J/token", "low": measured, "high": measured},
        "estimated_energy_per_token": {"value": float(c), "unit": "J/token", "low": float(lo), "high": float(hi)},
        "ratio": ratio,
        "boundary": "IT energy per output token on both sides (estimate before PUE; measurement: the machine's draw)",
        "flag": calibration_flag(energy_per_token),
        "components": {"measured": list(components), "estimated": list(ESTIMATED_COMPONENTS)},
        "like_with_like": "gpu" in components,
        "warning": components_warning(components, estimate_kwargs.get("gpu")),
        "assumptions": [a.as_dict() for a in est.assumptions],
    }


def calibration_flag(energy_per_token) -> str:
    """The ``footprint estimate`` option that uses a measured energy per token."""
    return f"--measured-energy-per-token '{float(energy_per_token.m_as('J/token')):.6g} J/token'"
