"""footprint: energy, CO2e and water of AI use cases, compared with the same task without AI.

The package namespace is light: submodules load on first use, so that
``import footprint`` (and the CLI) start fast.

>>> import footprint
>>> e = footprint.estimate(params="70B", output_tokens=400, gpu="H100", zone="FRA")
>>> e.per_request["energy"].units
<Unit('watt_hour')>
"""

from __future__ import annotations

import importlib

__all__ = ["estimate", "resolve", "Range", "ureg", "Q_", "InputError"]

_LAZY = {
    "estimate": ("footprint.estimator", "estimate"),
    "resolve": ("footprint.resolve", "resolve"),
    "Range": ("footprint.uncertainty", "Range"),
    "ureg": ("footprint.units", "ureg"),
    "Q_": ("footprint.units", "Q_"),
    "InputError": ("footprint.errors", "InputError"),
    "measure": ("footprint.measurement", "measure"),
}


def __getattr__(name):
    if name in _LAZY:
        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(mod), attr)
    if name in ("plots", "batch", "compare", "scenario", "factors", "montecarlo"):
        return importlib.import_module(f"footprint.{name}")
    raise AttributeError(f"module 'footprint' has no attribute {name!r}")
