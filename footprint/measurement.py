"""Live measurement of a command or a Python block with CodeCarbon.

CodeCarbon's :class:`OfflineEmissionsTracker` is the measuring engine: it gives
the energy drawn by the CPU, RAM and GPU over the run and its duration.  This
module adds what footprint needs around it:

* CO2e from **footprint's own** grid factors (``factors/grid.csv``), so that a
  measurement and an estimate of the same zone share one source of factors
  (CodeCarbon's own figure is reported beside it);
* the power-measurement method CodeCarbon used (RAPL, NVML... or its CPU-load x
  TDP and RAM models), flagged as a *measurement* or an *estimate*;
* energy per token or per item, and a comparison with :func:`footprint.estimate`;
* an append-only results log (CSV), written atomically.

CodeCarbon is imported only inside the functions that measure, so that every
other command starts fast.

References
----------
.. [1] CodeCarbon 3.3, https://github.com/mlco2/codecarbon (MIT): energy of CPU
   (RAPL, or psutil load x TDP), RAM (model, 5 W per DIMM) and GPU (NVML counters).
.. [2] ISO/IEC 21031:2024 Software Carbon Intensity (operational CO2e = E x I).
"""

from __future__ import annotations

import configparser
import contextlib
import csv
import functools
import io
import json
import logging
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import factors, grid
from .errors import InputError
from .uncertainty import central, spread, triplet
from .units import ureg

#: Sampling interval of CodeCarbon's power measurement [s] (CodeCarbon's own default is 15 s).
DEFAULT_INTERVAL = 1.0
TRACKING_MODES = ("machine", "process")
STATUSES = ("ok", "failed", "interrupted")

#: The last line a measured command may print to report its own count (the count itself is checked apart).
COUNT_LINE = re.compile(r"^\s*footprint-(tokens|items)\s*:(.*)$")
#: A count as a command may print it: digits only (no sign, exponent, separators or decimals).
COUNT_VALUE = re.compile(r"^\s*([0-9]{1,18})\s*$")

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
_NUMERIC = tuple(c for c in COLUMNS if "[" in c) + ("exit_code", "tokens", "items", "gpu_count")

#: Output units of the measured figures.
UNITS = {"duration": "s", "energy": "Wh", "co2e": "gCO2e", "power": "W",
         "energy_per_token": "J/token", "energy_per_item": "J/item", "grid_intensity": "gCO2e/kWh"}

#: CodeCarbon settings that a config file or a CODECARBON_* variable could set
#: and that footprint always passes explicitly (so such a file is ignored for them).
EXPLICIT_SETTINGS = (
    "country_iso_code", "region", "cloud_provider", "cloud_region", "measure_power_secs", "output_methods",
    "output_handlers", "log_level", "tracking_mode", "allow_multiple_runs", "project_name", "pue", "wue",
    "force_cpu_power", "force_ram_power", "force_carbon_intensity_g_co2e_kwh", "force_mode_cpu_load",
    "rapl_include_dram", "rapl_prefer_psys", "gpu_ids", "emissions_endpoint", "electricitymaps_api_token",
)


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


def parse_count_line(text: str) -> tuple[dict, list[str]]:
    """Counts reported by a command's last non-empty output line (``footprint-tokens: N``), and notes.

    The count must be a whole number written with digits only.  A count line
    with anything else (``-5``, ``abc``, ``1e999``, ``1,2,3``) gives no count and
    a note saying why, never a guess.

    Returns
    -------
    tuple
        ``({"tokens": N} or {"items": N} or {}, notes)``.

    Examples
    --------
    >>> parse_count_line("done\\nfootprint-tokens: 512\\n")
    ({'tokens': 512}, [])
    >>> parse_count_line("footprint-tokens: 1,2,3")[0]
    {}
    """
    lines = [ln for ln in text.replace("\r", "\n").split("\n") if ln.strip()]
    if not lines:
        return {}, []
    m = COUNT_LINE.match(lines[-1])
    if not m:
        return {}, []
    name, raw = m.group(1), m.group(2)
    v = COUNT_VALUE.match(raw)
    if v:
        return {name: int(v.group(1))}, []
    shown = raw.strip()[:40] + ("..." if len(raw.strip()) > 40 else "")
    return {}, [f"the command's last line 'footprint-{name}: {shown}' is not a whole number of {name} written "
                f"with digits only (e.g. footprint-{name}: 512): ignored, no {name} count"]


def read_count_line(text: str) -> dict:
    """Counts reported by a command's last non-empty output line (see :func:`parse_count_line`)."""
    return parse_count_line(text)[0]


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


def codecarbon_config(cwd=None, environ=None, home=None) -> list[dict]:
    """CodeCarbon configuration a user may not know about: ``.codecarbon.config`` files and ``CODECARBON_*``.

    Returns a list of ``{"source", "keys", "overridden", "not_overridden"}``: the
    keys footprint passes explicitly are overridden; the others may still apply.
    """
    environ = os.environ if environ is None else environ
    found = []
    paths = []
    for where, base in (("home", home), ("cwd", cwd)):
        try:
            base = Path(base) if base is not None else (Path.home() if where == "home" else Path.cwd())
        except (OSError, RuntimeError, KeyError) as exc:
            found.append((f"{where} directory", [f"<unreadable: {exc}>"]))
            continue
        paths.append(base / ".codecarbon.config")
    for path in dict.fromkeys(paths):
        try:
            path = Path(os.path.realpath(path, strict=True))
            if not path.is_file():
                continue
        except FileNotFoundError:
            continue
        except (OSError, RuntimeError) as exc:  # symlink loop, unreadable directory
            found.append((str(path), [f"<unreadable: {getattr(exc, 'strerror', None) or exc}>"]))
            continue
        parser = configparser.ConfigParser()
        try:
            with path.open(encoding="utf-8") as fh:
                parser.read_file(fh)
            keys = sorted(parser["codecarbon"]) if parser.has_section("codecarbon") else []
        except (configparser.Error, UnicodeDecodeError, OSError):
            keys = ["<unreadable>"]
        found.append((str(path), keys))
    env_keys = sorted(k[len("CODECARBON_"):].lower() for k in environ if k.upper().startswith("CODECARBON_"))
    if env_keys:
        found.append(("environment (CODECARBON_*)", env_keys))
    return [{"source": src, "keys": keys, "overridden": [k for k in keys if k in EXPLICIT_SETTINGS],
             "not_overridden": [k for k in keys if k not in EXPLICIT_SETTINGS]} for src, keys in found]


def check_codecarbon_config() -> None:
    """Refuse, before anything runs, a CodeCarbon configuration that CodeCarbon itself cannot read.

    CodeCarbon reads ``~/.codecarbon.config`` and ``./.codecarbon.config`` when a
    tracker is made; a file it cannot parse (or a symlink loop, an unknown home
    directory) makes the tracker measure nothing, which would only show after the
    command ran.  CodeCarbon's own reader is called here, so the answer is its own.
    """
    try:
        from codecarbon.core.config import get_hierarchical_config_with_sources
    except ImportError:  # another CodeCarbon layout: nothing to check ahead
        return
    logger = logging.getLogger("codecarbon")
    try:
        get_hierarchical_config_with_sources()
    except Exception as exc:  # noqa: BLE001 - any failure of CodeCarbon's reader stops its tracker
        first = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise MeasurementError(f"CodeCarbon cannot read its configuration ({type(exc).__name__}: {first}); fix or "
                               "move the .codecarbon.config file of this folder or of your home directory "
                               "(footprint passes every setting itself); nothing was run") from None
    finally:
        del logger


def tracker_settings(zone: str, interval: float, tracking_mode: str, verbose: bool,
                     codecarbon_knows_zone: bool, grid_intensity_g_kwh: float) -> dict:
    """Every keyword passed to CodeCarbon's ``OfflineEmissionsTracker`` (none left to its config).

    A zone that CodeCarbon does not know (``WOR``, ``EU27``) is passed as a forced
    carbon intensity equal to footprint's factor (then CodeCarbon's figure is not independent).
    """
    return {
        "country_iso_code": zone if codecarbon_knows_zone else None,
        "force_carbon_intensity_g_co2e_kwh": None if codecarbon_knows_zone else float(grid_intensity_g_kwh),
        "region": None, "cloud_provider": None, "cloud_region": None,
        "measure_power_secs": float(interval), "tracking_mode": tracking_mode,
        "output_methods": [], "output_handlers": [], "log_level": "info" if verbose else "warning",
        "allow_multiple_runs": True, "project_name": "footprint", "pue": 1.0, "wue": 0.0,
        "force_cpu_power": None, "force_ram_power": None, "force_mode_cpu_load": False,
        "rapl_include_dram": False, "rapl_prefer_psys": False, "gpu_ids": None,
        "emissions_endpoint": None, "electricitymaps_api_token": None,
    }


# -- the result ---------------------------------------------------------------------------


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


# -- CodeCarbon ---------------------------------------------------------------------------


def _import_codecarbon():
    try:
        import codecarbon  # noqa: F401  (heavy: ~100 ms, loaded only to measure)
        from codecarbon import OfflineEmissionsTracker
    except ImportError:
        raise MeasurementError("measuring needs CodeCarbon: pip install 'codecarbon>=3.3,<4'") from None
    return OfflineEmissionsTracker


def _codecarbon_zones() -> set:
    """ISO-3 codes CodeCarbon has an intensity for (its packaged energy-mix table), or an empty set."""
    try:
        from codecarbon.input import DataSource

        return set(DataSource().get_global_energy_mix_data())
    except Exception:  # noqa: BLE001 - internal API: fall back to forcing our factor
        return set()


class _LogCapture(logging.Filter):
    """Keeps CodeCarbon's log records (warnings) and drops them unless verbose.

    A filter on the ``codecarbon`` logger survives CodeCarbon's handler resets.
    """

    def __init__(self, verbose: bool):
        super().__init__()
        self.verbose = verbose
        self.records: list[str] = []

    def filter(self, record):
        if record.levelno >= logging.WARNING:
            msg = record.getMessage().strip()
            if msg not in self.records:
                self.records.append(msg)
        return self.verbose


def _new_tracker(settings: dict):
    """A fresh CodeCarbon offline tracker (one per measurement: trackers are single-use)."""
    return _import_codecarbon()(**settings)


def read_tracker(tracker, independent_intensity: bool) -> dict:
    """The figures footprint keeps from a stopped CodeCarbon tracker (kWh, s, W, hardware)."""
    data = getattr(tracker, "final_emissions_data", None)
    if data is None:
        raise MeasurementError("CodeCarbon returned no measurement (see --verbose for its log)")
    conf = getattr(tracker, "_conf", {}) or {}
    return {
        "duration_s": data.duration, "energy_cpu_kwh": data.cpu_energy, "energy_ram_kwh": data.ram_energy,
        "energy_gpu_kwh": data.gpu_energy, "power_cpu_w": data.cpu_power, "power_ram_w": data.ram_power,
        "power_gpu_w": data.gpu_power, "emissions_kg": data.emissions, "cpu_model": data.cpu_model,
        "gpu_model": data.gpu_model, "gpu_count": data.gpu_count, "version": data.codecarbon_version,
        "hardware": conf.get("hardware"), "independent_intensity": independent_intensity,
    }


class _Tracking:
    """Start and stop one CodeCarbon tracker with footprint's settings, quietly."""

    def __init__(self, zone: str, interval: float, tracking_mode: str, verbose: bool):
        self.zone, self.interval, self.tracking_mode, self.verbose = zone, interval, tracking_mode, verbose
        self.capture = _LogCapture(verbose)
        self.tracker = None
        self.known = False

    def start(self) -> None:
        _import_codecarbon()
        logger = logging.getLogger("codecarbon")
        logger.addFilter(self.capture)
        try:
            self.known = self.zone in _codecarbon_zones()
            factor = factors.get("grid", self.zone, "carbon_intensity")
            settings = tracker_settings(self.zone, self.interval, self.tracking_mode, self.verbose, self.known,
                                        central(factor.quantity).m_as("gCO2e/kWh"))
            with _quiet_stdout(self.verbose):
                self.tracker = _new_tracker(settings)
                self.tracker.start()
        except BaseException:
            logger.removeFilter(self.capture)
            raise

    def stop(self) -> dict:
        try:
            with _quiet_stdout(self.verbose):
                self.tracker.stop()
            return read_tracker(self.tracker, self.known)
        finally:
            logging.getLogger("codecarbon").removeFilter(self.capture)


@contextlib.contextmanager
def _quiet_stdout(verbose: bool):
    """Hide stray prints of CodeCarbon unless verbose."""
    if verbose:
        yield
        return
    with contextlib.redirect_stdout(io.StringIO()):
        yield


# -- the Python API -----------------------------------------------------------------------


def _check_zone(zone) -> str:
    return factors.find_key("grid", "WOR" if zone is None else str(zone), "zone")


def _check_count(x, name: str):
    if x is None or callable(x):
        return x
    try:
        n = int(x)
    except (TypeError, ValueError):
        raise InputError(f"{name}: '{x}' is not a whole number; give the number produced, e.g. {name}=512") from None
    if (not isinstance(x, str) and n != x) or n < 0:
        raise InputError(f"{name}: '{x}' must be a whole number >= 0")
    return n


def _check_settings(interval, tracking_mode):
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
        self.zone = _check_zone(zone)
        self.zone_given = zone is not None
        self.tokens = _check_count(tokens, "tokens")
        self.items = _check_count(items, "items")
        self.interval, self.tracking_mode = _check_settings(interval, tracking_mode)
        self.verbose = verbose
        self.log = log
        self.result: Measurement | None = None
        self.results: list[Measurement] = []
        self._tracking = None

    def __enter__(self):
        if self._tracking is not None:
            raise RuntimeError("this meter is already measuring; use a new footprint.measure(...) to nest")
        self._config = codecarbon_config()
        self._tracking = _Tracking(self.zone, self.interval, self.tracking_mode, self.verbose)
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
            counts[name] = _check_count(x(value) if callable(x) else x, name)
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
            tracking = _Tracking(self.zone, self.interval, self.tracking_mode, self.verbose)
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
    >>> with footprint.measure(zone="FRA", tokens=256) as m:  # doctest: +SKIP
    ...     model.generate(prompt, max_new_tokens=256)
    >>> m.result.energy, m.result.co2e, m.result.energy_per_token  # doctest: +SKIP
    """
    return Meter(zone, tokens, items, interval=interval, tracking_mode=tracking_mode, verbose=verbose, log=log)


# -- measuring a command ------------------------------------------------------------------


def resolve_command(argv) -> str:
    """The executable of `argv`, or a MeasurementError with exit code 127 (not found) / 126 (not executable)."""
    if not argv:
        raise MeasurementError("give the command to measure after --, e.g. footprint measure -- python run.py")
    name = argv[0]
    if os.sep in name or (os.altsep and os.altsep in name):
        if not os.path.exists(name):
            raise MeasurementError(f"command not found: '{name}' (no such file)", 127)
        if os.path.isdir(name) or not os.access(name, os.X_OK):
            raise MeasurementError(f"command not executable: '{name}' (check its permissions)", 126)
        return name
    path = shutil.which(name)
    if path is None:
        raise MeasurementError(f"command not found: '{name}' (not on PATH); check the spelling or give its path", 127)
    return path


class _Forwarder(threading.Thread):
    """Copy a child's output to `sink` as it comes, keeping its tail (for the count line)."""

    def __init__(self, source, sink, tail_bytes: int = 4096):
        super().__init__(daemon=True)
        self.source, self.sink, self.tail_bytes = source, sink, tail_bytes
        self.tail = b""

    def run(self):
        fd = self.source.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.tail = (self.tail + chunk)[-self.tail_bytes:]
            try:
                self.sink.write(chunk)
                self.sink.flush()
            except (OSError, ValueError):  # our own output closed: keep draining the child
                pass


def _binary(stream):
    return getattr(stream, "buffer", stream)


class _Signals:
    """While a child runs: SIGINT, SIGTERM and SIGHUP are recorded and passed on, the tracker is stopped after."""

    def __init__(self, proc):
        self.proc, self.received, self.old = proc, None, {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
                if sig is not None:
                    self.old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.received is not None:  # a second signal: stop waiting
            with contextlib.suppress(OSError):
                self.proc.kill()
            return
        self.received = signum
        if signum == signal.SIGINT:
            # Ctrl-C in a terminal reaches the child too; pass it on only if the child is still there after 1 s
            threading.Timer(1.0, self._forward, args=(signum,)).start()
        else:
            self._forward(signum)

    def _forward(self, signum):
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.send_signal(signum)

    def __exit__(self, *exc):
        for sig, handler in self.old.items():
            signal.signal(sig, handler)
        return False


def measure_command(argv, zone=None, tokens=None, items=None, *, interval=DEFAULT_INTERVAL,
                    tracking_mode="machine", verbose=False, log=None, stdout=None) -> Measurement:
    """Run `argv` under a CodeCarbon offline tracker and return its :class:`Measurement`.

    The child's stderr is inherited; its stdout is copied to `stdout` (default: ours)
    as it comes.  A last output line ``footprint-tokens: N`` (or ``footprint-items: N``)
    gives the count when `tokens` (`items`) is not given.  A failed command is still
    recorded (status ``failed``, its exit code); SIGINT, SIGTERM and SIGHUP stop the
    tracker and record the run as ``interrupted``.  A command that cannot be found
    raises :class:`MeasurementError` (exit code 127) before anything is measured or
    logged; so does a results file that cannot be written or a CodeCarbon
    configuration that CodeCarbon cannot read (exit code 2).  If the results file
    cannot be appended to after the run, the measurement goes to a fallback file
    and to stderr (:func:`record_result`): it is never lost.
    """
    zone_key = _check_zone(zone)
    tokens, items = _check_count(tokens, "tokens"), _check_count(items, "items")
    interval, tracking_mode = _check_settings(interval, tracking_mode)
    argv = [str(a) for a in argv]
    executable = resolve_command(argv)
    if log is not None:
        check_results_file(log)
    _import_codecarbon()
    check_codecarbon_config()
    config = codecarbon_config()
    tracking = _Tracking(zone_key, interval, tracking_mode, verbose)
    tracking.start()
    started = datetime.now(timezone.utc)
    sink = _binary(stdout if stdout is not None else sys.stdout)
    try:
        proc = subprocess.Popen([executable, *argv[1:]], stdout=subprocess.PIPE, stdin=None)
    except OSError as exc:
        with contextlib.suppress(Exception):
            tracking.stop()
        code = 126 if isinstance(exc, PermissionError) else 127
        raise MeasurementError(f"cannot run '{argv[0]}': {exc.strerror or exc}", code) from None
    forwarder = _Forwarder(proc.stdout, sink)
    forwarder.start()
    with _Signals(proc) as sigs:
        while True:
            try:
                rc = proc.wait()
                break
            except KeyboardInterrupt:  # pragma: no cover - only without our handler (not main thread)
                sigs.received = signal.SIGINT
                proc.terminate()
        forwarder.join(timeout=5)
    exit_code = rc if rc >= 0 else 128 - rc
    try:
        raw = tracking.stop()
    except Exception as exc:  # noqa: BLE001 - the command ran: say so, with its exit code, never a figure
        reason = str(exc) if isinstance(exc, InputError) else f"CodeCarbon failed: {type(exc).__name__}: {exc}"
        known = {"command": shlex.join(argv), "exit_code": exit_code, "started_utc": started.isoformat(
            timespec="seconds"), "wall_time_s": (datetime.now(timezone.utc) - started).total_seconds(),
                 "energy": None, "error": reason}
        _stderr_line(json.dumps({"footprint_measurement_failed": known}, ensure_ascii=False))
        raise MeasurementError(f"{reason}; the command ran (exit code {exit_code}) but no energy was measured, "
                               "nothing was recorded", exit_code or 2) from None
    if sigs.received is not None:
        status = "interrupted"
        exit_code = exit_code if exit_code != 0 else 128 + int(sigs.received)
    else:
        status = "ok" if rc == 0 else "failed"
    notes = [] if zone is not None else ["no zone given: the world average grid intensity is used"]
    if sigs.received is not None:
        notes.append(f"interrupted by {signal.Signals(sigs.received).name}: partial measurement")
    reported, count_notes = parse_count_line(forwarder.tail.decode("utf-8", "replace"))
    notes += [n for n in count_notes if not any(n.startswith(f"the command's last line 'footprint-{k}")
                                                 for k, v in (("tokens", tokens), ("items", items)) if v is not None)]
    for name in ("tokens", "items"):
        given = tokens if name == "tokens" else items
        if name in reported:
            if given is None:
                notes.append(f"{name} from the command's last line: footprint-{name}: {reported[name]}")
            elif given != reported[name]:
                notes.append(f"--{name} {given} used; the command reported footprint-{name}: {reported[name]}")
    tokens = tokens if tokens is not None else reported.get("tokens")
    items = items if items is not None else reported.get("items")
    result = build_measurement(raw, zone=zone_key, status=status, exit_code=exit_code, command=argv, tokens=tokens,
                               items=items, config=config, notes=notes, warnings=tracking.capture.records,
                               tracking_mode=tracking_mode, interval=interval)
    if log is not None:
        record_result(log, result)
    return result


# -- comparison with the estimate ---------------------------------------------------------


def compare_with_estimate(energy_per_token, tokens: int, **estimate_kwargs) -> dict:
    """Set a measured energy per token beside :func:`footprint.estimate` for the same model and tokens.

    Both sides are IT energy (no PUE: a local measurement has none).  The estimate is
    run for one request of `tokens` output tokens.

    Parameters
    ----------
    energy_per_token : Quantity [J/token]
    tokens : int
        Output tokens of the measured run [token].
    **estimate_kwargs
        Inputs of :func:`footprint.resolve.resolve` (``params``, ``model``, ``gpu``...).

    Returns
    -------
    dict
        ``measured_energy_per_token``, ``estimated_energy_per_token`` (IT energy,
        with its range), ``ratio`` (measured / estimated, with its range),
        ``flag`` (the estimate option that uses the measured figure), ``assumptions``.
    """
    from .estimator import estimate

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
        "assumptions": [a.as_dict() for a in est.assumptions],
    }


def calibration_flag(energy_per_token) -> str:
    """The ``footprint estimate`` option that uses a measured energy per token."""
    return f"--measured-energy-per-token '{float(energy_per_token.m_as('J/token')):.6g} J/token'"


# -- the results log ----------------------------------------------------------------------


def _validate_results(text: str, path) -> list[dict]:
    """Parse a results log; refuse a file that is not footprint's or is corrupt."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = tuple(rows[0])
    if header != COLUMNS:
        if header[:1] == ("footprint_run_id",):
            raise InputError(f"{path}: a footprint results file with other columns (another footprint version?); "
                             "give a new file with --output")
        raise InputError(f"{path}: not a footprint results file (its first line is not footprint's header); "
                         "it was left untouched; give a new file with --output")
    out = []
    for i, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(COLUMNS):
            raise InputError(f"{path}: corrupt at line {i} ({len(row)} fields, {len(COLUMNS)} expected); "
                             "it was left untouched; repair it or give a new file with --output")
        rec = dict(zip(COLUMNS, row))
        for col in _NUMERIC:
            if rec[col]:
                try:
                    float(rec[col])
                except ValueError:
                    raise InputError(f"{path}: corrupt at line {i}: '{rec[col]}' in column '{col}' is not a number; "
                                     "it was left untouched") from None
        if not rec["footprint_run_id"] or rec["status"] not in STATUSES:
            raise InputError(f"{path}: corrupt at line {i}: no run id or an unknown status; it was left untouched")
        out.append(rec)
    return out


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a footprint results file (not UTF-8 text); it was left untouched") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; give a file name for the results, e.g. results.csv") from None


def check_results_file(path) -> None:
    """Refuse early (before measuring) a results file that could not be appended to.

    The file must be footprint's (or absent), its folder must exist, and a file
    must be creatable in that folder (tried: this catches read-only file systems
    and folders the user cannot write, even for root).
    """
    from . import io as fio

    path = Path(path)
    fio.check_output(path, "--output", "results.csv")
    if path.exists():
        try:
            _validate_results(_read_text(path), path)
        except PermissionError:
            raise InputError(f"{path}: cannot be read (permission denied); give another file with --output") from None
    parent = path.parent if str(path.parent) else Path(".")
    try:
        fio.discard(fio.write_temp(parent, path.name, "", sync=False))
    except InputError as exc:
        raise InputError(f"{path}: cannot write the results there ({str(exc).split(': ', 2)[-1].split(';')[0]}); "
                         "give a writable place with --output, or --no-log") from None


def read_results(path) -> list[dict]:
    """Every row of a results log, as dicts keyed by :data:`COLUMNS` (strings)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such results file")
    return _validate_results(_read_text(path), path)


def find_run(rows: list[dict], run_id: str) -> dict:
    """The row whose run id is `run_id` (or starts with it, if only one does)."""
    hits = [r for r in rows if r["footprint_run_id"] == run_id] or \
           [r for r in rows if r["footprint_run_id"].startswith(run_id)]
    if len(hits) == 1:
        return hits[0]
    ids = [r["footprint_run_id"] for r in rows]
    if not hits:
        last = ", ".join(ids[-5:]) or "none"
        raise InputError(f"run id '{run_id}' is not in the results file (last runs: {last})")
    raise InputError(f"run id '{run_id}' matches {len(hits)} runs; give more characters")


def _row_line(row: dict) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([row[c] for c in COLUMNS])
    return buf.getvalue()


def _header_line() -> str:
    return _row_line(dict(zip(COLUMNS, COLUMNS)))


def _write_temp(path: Path, text: str, mode: int | None) -> str:
    from . import io as fio

    return fio.write_temp(path.parent, path.name, text, mode=mode)


def _lock(fh) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)


def append_result(path, measurement: Measurement) -> Path:
    """Append one measurement to a results log, atomically, never truncating it.

    The existing file is read and validated (header and every row), then the whole
    file plus the new row is written to a temporary file in the same folder and
    moved over the old one (``os.replace``).  A lock on the file serialises
    concurrent writers.  A file that is not footprint's, or is corrupt, is refused
    with an :class:`InputError` and left untouched.
    """
    from . import io as fio

    path = Path(os.path.realpath(path))
    line = _row_line(measurement.to_row())
    for _ in range(100):
        try:
            fh = open(path, "rb")
        except FileNotFoundError:
            if not path.parent.exists():
                raise InputError(f"{path}: its folder {path.parent} does not exist") from None
            tmp = _write_temp(path, _header_line() + line, None)
            try:
                os.link(tmp, path)  # exclusive creation: fails if another writer created it meanwhile
            except FileExistsError:
                continue
            except OSError:  # pragma: no cover - file systems without hard links
                if path.exists():
                    continue
                os.replace(tmp, path)
                return path
            finally:
                fio.discard(tmp)  # the hard link (or the moved file) holds the data now
            return path
        with fh:
            _lock(fh)
            try:
                if os.stat(path).st_ino != os.fstat(fh.fileno()).st_ino:
                    continue  # replaced by another writer while we waited
            except FileNotFoundError:
                continue
            data = fh.read()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{path}: not a footprint results file (not UTF-8 text); it was left untouched") from None
            _validate_results(text, path)
            if not text.strip():
                text = _header_line()
            elif not text.endswith("\n"):
                text += "\n"
            tmp = _write_temp(path, text + line, os.stat(path).st_mode & 0o7777)
            try:
                os.replace(tmp, path)
            except BaseException:
                fio.discard(tmp)
                raise
            fio.settled(tmp)
            return path
    raise InputError(f"{path}: could not append (the file kept changing under concurrent writers)")


# -- a measurement is never lost ----------------------------------------------------------


def _stderr_line(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def fallback_dirs(environ=None) -> list[Path]:
    """Folders tried, in order, for a measurement whose results file cannot be written.

    The user's cache folder (``$XDG_CACHE_HOME/footprint``, else
    ``~/.cache/footprint``), the working directory, then the system's temporary folder.
    """
    import tempfile

    environ = os.environ if environ is None else environ
    out = []
    if environ.get("XDG_CACHE_HOME"):
        out.append(Path(environ["XDG_CACHE_HOME"]) / "footprint")
    with contextlib.suppress(OSError, RuntimeError, KeyError):
        out.append(Path.home() / ".cache" / "footprint")
    with contextlib.suppress(OSError):
        out.append(Path.cwd())
    with contextlib.suppress(OSError):
        out.append(Path(tempfile.gettempdir()))
    return list(dict.fromkeys(out))


def write_fallback(measurement: Measurement, dirs=None) -> Path | None:
    """Write one measurement as a results file of its own in the first folder that takes it; never overwrite.

    The file ``footprint-measurement-<run id>.csv`` has footprint's header and one
    row (``footprint calibrate --from`` reads it).  Returns its path, or None when
    no folder could be written.
    """
    text = _header_line() + _row_line(measurement.to_row())
    for d in (fallback_dirs() if dirs is None else dirs):
        try:
            d.mkdir(parents=True, exist_ok=True)
            for n in range(100):
                path = d / f"footprint-measurement-{measurement.run_id}{'' if n == 0 else f'-{n}'}.csv"
                try:
                    with open(path, "x", encoding="utf-8", newline="") as fh:  # "x": never overwrites
                        fh.write(text)
                        fh.flush()
                        os.fsync(fh.fileno())
                    return path
                except FileExistsError:
                    continue
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                if path.exists() and path.stat().st_size < len(text.encode("utf-8")):
                    path.unlink()
            continue
    return None


def record_result(path, measurement: Measurement) -> Path | None:
    """Append a measurement to its results file; if that fails, never lose it.

    On any failure of :func:`append_result` (read-only or full disk, a folder
    that cannot be written, the file replaced by a folder or made corrupt during
    the run), the measurement is written to a fallback file
    (:func:`write_fallback`) and printed on stderr as one JSON line
    (``{"footprint_measurement": row, "results_file", "error", "fallback_file"}``),
    and a note says where it went.  ``measurement.recorded_in`` is the file that
    holds it (None if only stderr does).
    """
    try:
        measurement.recorded_in = str(append_result(path, measurement))
        return Path(measurement.recorded_in)
    except (OSError, InputError) as exc:
        reason = str(exc) if isinstance(exc, InputError) else f"{path}: {exc.strerror or exc}"
    measurement.notes.append(f"could not append to the results file ({reason})")
    row = measurement.to_row()
    fallback = write_fallback(measurement)
    measurement.recorded_in = None if fallback is None else str(fallback)
    where = f"written to {fallback} instead" if fallback else "no fallback folder was writable either"
    measurement.notes.append(f"the measurement was {where}, and printed on stderr as one JSON line")
    _stderr_line(f"footprint: warning: could not append the measurement to {path} ({reason}); {where}; "
                 "the record follows as one JSON line")
    _stderr_line(json.dumps({"footprint_measurement": row, "results_file": str(path),
                             "error": reason, "fallback_file": measurement.recorded_in}, ensure_ascii=False))
    return fallback
