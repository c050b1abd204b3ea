"""The CodeCarbon adapter: its settings, the hardware and method it used, and one tracked run.

CodeCarbon is imported only inside the functions that measure, so that every other command starts fast."""

from __future__ import annotations

import configparser
import contextlib
import io
import logging
import os
from pathlib import Path

from .. import factors
from ..uncertainty import central
from .record import MeasurementError


#: CodeCarbon settings that a config file or a CODECARBON_* variable could set
#: and that footprint always passes explicitly (so such a file is ignored for them).
EXPLICIT_SETTINGS = (
    "country_iso_code", "region", "cloud_provider", "cloud_region", "measure_power_secs", "output_methods",
    "output_handlers", "log_level", "tracking_mode", "allow_multiple_runs", "project_name", "pue", "wue",
    "force_cpu_power", "force_ram_power", "force_carbon_intensity_g_co2e_kwh", "force_mode_cpu_load",
    "rapl_include_dram", "rapl_prefer_psys", "gpu_ids", "emissions_endpoint", "electricitymaps_api_token",
)


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


def import_codecarbon():
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
    return import_codecarbon()(**settings)


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


class Tracking:
    """Start and stop one CodeCarbon tracker with footprint's settings, quietly."""

    def __init__(self, zone: str, interval: float, tracking_mode: str, verbose: bool):
        self.zone, self.interval, self.tracking_mode, self.verbose = zone, interval, tracking_mode, verbose
        self.capture = _LogCapture(verbose)
        self.tracker = None
        self.known = False

    def start(self) -> None:
        import_codecarbon()
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
