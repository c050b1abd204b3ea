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
from ._pint import pint

from . import factors
from .errors import InputError
from .inference import PRECISION_BYTES, PRECISION_FLOPS_KEY
from .uncertainty import Range, central, parse_range_text, triplet
from .quantity import parse_count, parse_quantity
from .units import ureg

PROVISIONING = ("shared", "dedicated")

#: Method constants of factors/constants.csv that every estimate uses (calibrated or assumed): declared in
#: footprint/inputs.py.
from .inputs import CONSTANTS  # noqa: E402

#: Units in which assumptions are shown (the core works in SI magnitudes).
DISPLAY_UNITS = {
    "kg/J": "gCO2e/kWh", "L/J": "L/kWh", "byte": "GB", "byte/s": "TB/s", "FLOP/s": "TFLOP/s",
    "parameter": "billion", "s": "hour", "J/token": "J/token", "kg": "kgCO2e", "1/s": "1/day",
}
#: Inputs whose internal unit is shared with another kind of quantity (an ADPe mass is a mass, primary
#: energy per unit of electricity is a plain ratio): shown in their own unit.
DISPLAY_BY_INPUT = {
    "grid_adpe": "kgSbeq/kWh", "training_grid_adpe": "kgSbeq/kWh", "grid_primary_energy": "MJ/kWh",
    "training_grid_primary_energy": "MJ/kWh", "gpu_embodied_adpe": "kgSbeq", "server_embodied_adpe": "kgSbeq",
    "gpu_embodied_pe": "MJ", "server_embodied_pe": "MJ",
}


@dataclass(frozen=True)
class Assumption:
    """Where one input came from."""

    name: str
    value: object  # Quantity, Range or str
    source: str  # for people: "given", "default: <factor ref>", "derived: ...", "proxy: ..."
    status: str  # given | published | derived | estimate | assumption | calibrated
    provenance: dict | None = None  # the structured record (kind, table, key, parameter, status, source_id...)

    def as_dict(self) -> dict:
        v = self.value
        own = DISPLAY_BY_INPUT.get(self.name.rsplit(".", 1)[-1])
        if own is not None and isinstance(v, (Range, pint.Quantity)):
            v = v.to(own)
        elif isinstance(v, (Range, pint.Quantity)):
            for internal, shown in DISPLAY_UNITS.items():
                if v.units == ureg.Unit(internal):
                    if internal == "s":  # durations from milliseconds to years
                        mid = float(np.max(np.asarray(central(v).m_as("s"))))
                        shown = next((u for u, size in (("year", 3.15e7), ("hour", 3600.0), ("s", 1.0))
                                      if mid >= size), "ms")
                    if internal == "byte" and float(np.max(np.asarray(central(v).m_as("byte")))) < 1e6:
                        shown = "byte"  # bytes per value (activations), not memory sizes
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
        out = {"name": self.name, **doc, "source": self.source, "status": self.status}
        if self.provenance is not None:
            out["provenance"] = self.provenance
        return out


def _num(x):
    """A plain float (or list), rounded to 12 significant digits to drop unit-conversion noise."""
    x = np.asarray(x, dtype=float)
    return float(f"{float(x):.12g}") if x.ndim == 0 else [float(f"{v:.12g}") for v in x.ravel()]


@dataclass
class Resolved:
    """Inputs of :func:`footprint.estimator.compute` with their provenance."""

    values: dict
    assumptions: list
    requests: np.ndarray | None = None
    period: pint.Quantity | None = None
    notes: list = field(default_factory=list)
    model: str | None = None
    gpu: str | None = None
    zone: str | None = None
    provenance: dict = field(default_factory=dict)  # input -> its structured record (for Monte Carlo streams)


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
        try:
            q = x.to(unit)
        except pint.errors.DimensionalityError:
            from .quantity import check_unit

            check_unit(x.value, unit, name)  # raises the one-line message naming both kinds
            raise
        for end in (q.low, q.value, q.high):
            parse_quantity(end, unit, name)  # finite real magnitudes only
        return q
    if isinstance(x, (tuple, list)):
        try:
            if len(x) == 2:
                return Range(one(x[0]), one(x[1]))
            if len(x) == 3:
                return Range(one(x[0]), one(x[2]), one(x[1]))
        except InputError as exc:
            text = str(exc)
            raise InputError(text if text.startswith(f"{name}:") else f"{name}: {text}") from None
        raise InputError(f"{name}: a range is [low, high] or [low, value, high], got {len(x)} numbers")
    if isinstance(x, str):
        lo, v, hi, ranged = parse_text(x, unit, name, bare=bare, count=count)
        if ranged:
            return Range(ureg.Quantity(lo, unit), ureg.Quantity(hi, unit), ureg.Quantity(v, unit))
        return ureg.Quantity(v, unit)
    return one(x)


def check_quantity(q, name: str, *, positive=True, minimum=None, maximum=None, whole=False, shown=None, maximum_text=None):
    """Refuse out-of-domain values with one clear line (`shown`: the user's text, for the message;
    `maximum_text`: the maximum as people read it, e.g. ``1000 year``)."""
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
        limit = maximum_text or f"{maximum:g}"
        raise InputError(f"{name}: must be at most {limit}, got {got or f'{hi:g}'}; a larger value is not physically "
                         "meaningful (docs/inputs.md lists the limits)")
    return q


def _source_text(record: dict | None) -> str:
    """The provenance record in words for people: ``default: gpus:H100/tdp [published; NVIDIA-H100-DS]``."""
    if not record:
        return "given"
    kind = record["kind"]
    if kind == "given":
        return "given"
    ref = ""
    if record.get("table"):
        ref = f"{record['table']}:{record.get('key')}/{record.get('parameter')} [{record.get('status')}; " \
              f"{record.get('source_id')}]"
    if kind == "derived":
        return f"derived: {record.get('formula')}" + (f" ({ref})" if ref else "")
    if kind == "proxy":
        return f"proxy: {ref}"
    return f"default: {ref}"


def _to_value(arr, unit: str):
    """(low, value, high) magnitudes in `unit` as a Quantity, or a Range when low < high."""
    lo, v, hi = (float(x) for x in arr)
    if lo < hi:
        return Range(ureg.Quantity(lo, unit), ureg.Quantity(hi, unit), ureg.Quantity(v, unit))
    return ureg.Quantity(v, unit)


def _read_one(name: str, x, label, problems, col, given) -> None:
    """One user value into the (1, 3) column of `name`, checked against the input registry."""
    from .columns import check_column
    from .inputs import USER

    spec = USER[name]
    shown = label(name)
    if isinstance(x, (bytes, bytearray)):
        raise InputError(f"{shown}: give the value as text (str), not bytes")
    if isinstance(x, str) and not x.strip():
        raise InputError(f"{shown}: the value is empty; give a value or leave {shown} out")
    if name == "measured_energy_per_token" and isinstance(x, str) and "tok" not in x:
        # token is a dimensionless count: "0.3 J" would pass the unit check, so ask for the per-token form
        from .quantity import shown as _shown_text

        raise InputError(f"{shown}: '{_shown_text(x)}' is not per token; give e.g. '0.3 J/token' or '0.05 Wh/ktoken'")
    q = read_value(x, spec.unit, shown, count=spec.count, bare=spec.bare_unit)
    if isinstance(q, Range) and not spec.ranged:
        from .quantity import shown as _shown_text

        raise InputError(f"{shown}: '{_shown_text(x)}' is a range; give one value here")
    arr = np.asarray(q.m_as(spec.unit) if isinstance(q, Range) else triplet(q, spec.unit), dtype=float).reshape(-1)
    if arr.size != 3:
        raise InputError(f"{shown}: give one value or a range, not an array (footprint.batch.estimate takes tables)")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{shown}: not a finite number; give e.g. '{_example(spec.unit)}'")
    col[name] = arr[None, :]
    given[name] = np.ones(1, dtype=bool)
    before = len(problems.items)
    check_column(col[name], given[name], spec, problems, name)
    if len(problems.items) > before and isinstance(x, str):
        # name the value as the user typed it, not in the internal unit ('-5/day', not '-5.78704e-05 1/s')
        import re

        pos, column, msg = problems.items[-1]
        from .quantity import shown as _shown_text

        problems.items[-1] = (pos, column, re.sub(r"got [^;]*", lambda _: f"got '{_shown_text(x.strip())}'", msg,
                                                  count=1))


def _example(unit: str) -> str:
    from .quantity import example

    return example(unit)


def resolve(*, constants=None, label=None, **kwargs) -> Resolved:
    """Resolve the inputs of an inference estimate (one row of :func:`footprint.columns.resolve_columns`).

    Parameters
    ----------
    **kwargs
        The inputs of :data:`footprint.inputs.USER` by neutral name (``params``,
        ``output_tokens``, ``gpu``, ``zone``, ``training_lifetime_requests``...): texts of
        the quantity grammar (``"70B"``, ``"350 W"``, ``"1.1..1.4"``), Quantities,
        :class:`~footprint.uncertainty.Range` objects or ``(low, high)`` pairs; None means
        not given.  ``footprint estimate --help`` lists them with their defaults.
    constants : dict, optional
        Overrides of calibrated constants (eta_compute, eta_memory, u_memory, u_compute...).
    label : callable, optional
        Spells an input's name in messages as the caller's user typed it
        (:func:`footprint.inputs.label`); neutral names by default.

    Raises
    ------
    InputError
        One line naming the input at fault.
    """
    from .columns import Columns, Problems, empty_columns, resolve_columns
    from .errors import closest
    from .inputs import CONSTANT_MAXIMA, CONSTANTS, CORE, USER

    if label is not None and not callable(label):
        raise InputError(f"label: give a function that spells an input's name, got {type(label).__name__}")
    label = label or (lambda name: name)
    unknown = [k for k in kwargs if k not in USER]
    if unknown:
        near = closest(unknown[0], USER)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise InputError(f"unknown input '{unknown[0]}'{hint} (`footprint estimate --help` lists them)")
    problems = Problems(np.arange(1), label)
    col, given = empty_columns(1)
    names = {}
    for name, x in kwargs.items():
        if x is None:
            continue
        if USER[name].is_name:
            if not isinstance(x, str):
                raise InputError(f"{label(name)}: give a name as text, got {type(x).__name__}")
            if not x.strip():
                raise InputError(f"{label(name)}: the value is empty; give a name or leave {label(name)} out")
            names[name] = [x]
        else:
            _read_one(name, x, label, problems, col, given)
            if problems.items:
                raise InputError(problems.first())
    constant_cols, constant_given = {}, {}
    if constants is not None and not isinstance(constants, dict):
        raise InputError(f"constants: give a dict of overrides, e.g. {{'eta_compute': 0.4}}, got "
                         f"{type(constants).__name__}")
    for name, x in (constants or {}).items():
        if name not in CONSTANTS:
            raise InputError(f"constants: unknown name {name!r}; accepted: {', '.join(CONSTANTS)}")
        unit = CORE[name].unit
        if x is None:
            continue
        if isinstance(x, str) and not x.strip():
            raise InputError(f"constants {name}: the value is empty; give a value or leave {name} out")
        q = check_quantity(read_value(x, unit, name), name, positive=name != "step_overhead", minimum=0,
                   maximum=CONSTANT_MAXIMA[name])
        constant_cols[name] = np.asarray(q.m_as(unit) if isinstance(q, Range) else triplet(q, unit),
                                         dtype=float).reshape(1, 3)
        constant_given[name] = np.ones(1, dtype=bool)
    res = resolve_columns(Columns(1, col, given, names, constant_cols, constant_given), problems)
    if problems.items:
        problems.sort()
        raise InputError(problems.first())
    return _resolved(res, col, given, kwargs)


def _resolved(res, col, given, kwargs) -> Resolved:
    """The one row of a Resolution as Quantities and Ranges, with assumptions and notes."""
    from .columns import PATHS
    from .inputs import CORE

    values, assumptions, provenance = {}, [], {}
    keys = res.keys
    for key_name in ("model", "deployment", "serving_stack", "gpu", "precision", "provisioning", "zone", "datacenter",
                     "reasoning", "water_scope"):
        if key_name not in keys:
            continue
        k = keys[key_name].key(0)
        if key_name == "datacenter" and not keys[key_name].given[0] and keys.get("deployment") is not None \
                and keys["deployment"].key(0) is not None:
            continue  # the deployment profile gives the PUE and WUE
        if k is not None and (keys[key_name].given[0] or key_name != "model"):
            status = "given" if keys[key_name].given[0] else "assumption"
            source = "given" if status == "given" else "default"
            record = {"kind": source}
            if key_name == "deployment" and status != "given":
                source = "catalogue: the model's usual deployment (factors/catalogue/models.csv)"
                record = {"kind": "default", "table": "catalogue", "key": keys["model"].key(0),
                          "parameter": "deployment_profile", "status": "assumption"}
            elif key_name == "precision" and status != "given" and keys.get("deployment") is not None \
                    and keys["deployment"].key(0) is not None:
                source = f"default: deployments:{keys['deployment'].key(0)}/bytes_per_param"
            assumptions.append(Assumption(key_name, k, source, status, record))
    model_key = keys["model"].key(0)
    if model_key is not None and keys["model"].given[0]:
        from . import catalogue

        if catalogue.entry(model_key) is not None:
            prov = catalogue.size_provenance(model_key)
            assumptions.append(Assumption("model_size_basis", prov["note"], "catalogue", prov["size_basis"],
                                          {"kind": "default", "table": "catalogue", "key": model_key,
                                           "status": prov["size_basis"], "source_id": prov["size_source_id"]}))
    path = PATHS[int(res.path[0])]
    provisioning = "dedicated" if res.provisioning[0] else "shared"
    assumptions.append(Assumption("serving_path", f"{path}, {provisioning}", "derived", "derived",
                                  {"kind": "derived", "formula": "chosen from the inputs given"}))
    for name, spec in CORE.items():
        arr = np.asarray(res.values[name], dtype=float)[0]
        if np.all(np.isnan(arr)):
            if spec.optional:
                continue
            raise KeyError(f"input '{name}' was not resolved")
        v = _to_value(arr, spec.unit)
        values[name] = v
        record = res.sources.record(name, 0)
        if record is not None:
            provenance[name] = record
        if record is not None and record["kind"] != "placeholder":
            assumptions.append(Assumption(name, v, _source_text(record), record.get("status") or "given", record))
    if given["training_share"][0]:
        values["training_share"] = _to_value(col["training_share"][0], "dimensionless")
    req_count = per = None
    if given["requests"][0]:
        per = ureg.Quantity(float(res.period[0]), "s")
        req_count = triplet(values["request_rate"], "1/s", True) * per.m_as("s")
        if given["period"][0]:
            assumptions.append(Assumption("period", per, "given", "given", {"kind": "given"}))
    return Resolved(values=values, assumptions=assumptions, requests=req_count, period=per, notes=res.notes_of(0),
                    model=kwargs.get("model"), gpu=keys["gpu"].key(0), zone=keys["zone"].key(0),
                    provenance=provenance)
