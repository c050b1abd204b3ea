"""The non-AI side of a comparison: activities per task, each a quantity x a sourced factor.

The library is the factor table ``factors/alternatives.csv`` (key column
``activity``).  An activity has up to four parameters:

``energy`` [kWh per unit]
    Use-phase electricity per unit of the activity (a device hour...).  It is
    turned into CO2e and water with the grid of the scenario's zone, or with
    ``energy_intensity`` when the energy is not grid electricity.
``energy_intensity`` [gCO2e/kWh]
    CO2e per kWh of that energy (an office burns gas as well as electricity).
``co2e`` [gCO2e per unit]
    CO2e per unit not carried by ``energy``: embodied device share, life-cycle
    factors of travel, paper, e-mail...
``includes_user_device`` [-]
    1 when ``co2e`` already holds the user's device time (ADEME's e-mail, web
    search and video-call figures): do not count that time again.
``fuel`` [-]
    1 when ``energy`` is fuel (a car's diesel), not electricity: its CO2e is
    already in ``co2e`` and no grid factor is applied; its water is stated apart.
``co2e_includes_energy`` [-]
    1 when ``co2e`` already holds the emissions of the electricity of ``energy``
    (an electric car's charging): the grid's carbon factor is not applied again,
    its water factor is.
``electricity_share`` [-]
    Share of ``energy`` that is electricity when the activity has its own
    ``energy_intensity`` (an office also burns gas): the grid's water factor is
    applied to that share.
``adpe`` [kgSbeq per unit], ``primary_energy`` [MJ per unit]
    Abiotic depletion (elements) and primary energy not carried by ``energy``
    (the device's manufacture, a fuel's primary energy).  The electricity of
    ``energy`` adds the zone's electricity factors.  An activity whose ``co2e``
    holds manufacture or life-cycle impacts, or whose energy is not grid
    electricity, has these metrics only with such a row: otherwise they are not
    available (a use-phase-only figure would be silently incomplete).
``energy_not_available``, ``water_not_available``, ``adpe_not_available``, ``primary_energy_not_available`` [-]
    1 when the sources give no such figure; the row's notes say why.  A side
    with such a line has that metric undefined (never a silent zero).

Every activity states its energy and its water, or says they are not
available: the water of an activity is the water consumed by the electricity it
uses (the AI side's boundary: on-site and off-site water of electricity), and
manufacture water is counted on neither side.

The unit an activity is counted in is the denominator of its factors: hours for
``laptop_hour``, km for ``car_km``, items for ``email``, pages for ``printed_page``.

Human time is counted by default by its device for the task's time (boundary
``device``: the narrowest allocation, since the device and the office are on
for the next task too).  ``device+office`` adds the office building's energy per
working hour in France: it belongs where the time AI frees removes posts or
office space (a scenario's ``freed_time``).  ``per_capita_fr`` and ``per_capita_us`` charge the
person's whole annual footprint to the hours of the task, as Tomlinson et al.
(2024) do; that boundary is an explicit option, never a default, and it changes
only the CO2e (energy and water stay the device's use phase; ADPe and primary energy the device's use
phase and manufacture, as the AI side counts its hardware's).

References
----------
.. [1] ADEME Impact CO2, publicodes-acv-numerique (device and digital-usage models).
.. [2] Tomlinson, B. et al. (2024). The carbon emissions of writing and illustrating are
   lower for AI than for humans. Scientific Reports 14, 3732.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import factors
from .errors import InputError, unknown_name
from .estimator import METRICS  # the metrics of a line, in the order of :func:`line_values`
from .resolve import read_value, check_quantity
from .uncertainty import Range
from .units import ureg

TABLE = "alternatives"
#: Metrics that electricity's zone factors give (besides CO2e and water).
_ELECTRICITY_METRICS = ("adpe", "primary_energy")

#: Device of human time -> its activity.
DEVICES = {"laptop": "laptop_hour", "desktop": "desktop_hour", "smartphone": "smartphone_hour"}

#: Boundaries of human time.
BOUNDARIES = ("device", "device+office", "per_capita_fr", "per_capita_us")
DEFAULT_BOUNDARY = "device"
OFFICE = "office_hour_fr"
PER_CAPITA = {"per_capita_fr": "per_capita_hour_fr", "per_capita_us": "per_capita_hour_us"}


@dataclass(frozen=True)
class Activity:
    """One activity of the library with its factor rows (``None`` where absent)."""

    key: str
    energy: factors.Factor | None
    energy_intensity: factors.Factor | None
    co2e: factors.Factor | None
    includes_user_device: bool
    fuel: bool = False
    co2e_includes_energy: bool = False
    electricity_share: factors.Factor | None = None
    not_available: dict = field(default_factory=dict)  # metric -> reason (the row's notes)
    adpe: factors.Factor | None = None
    primary_energy: factors.Factor | None = None

    @property
    def carrier(self) -> str:
        """``fuel``, ``electricity``, ``mixed`` (own energy mix) or ``none`` (no energy figure)."""
        if self.energy is None:
            return "none"
        if self.fuel:
            return "fuel"
        return "mixed" if self.energy_intensity is not None else "electricity"

    @property
    def quantity_unit(self) -> str:
        """Unit the activity is counted in (the denominator of its factors)."""
        row, base = (self.co2e, "gCO2e") if self.co2e is not None else (self.energy, "kWh")
        per = ureg.Quantity(1.0, row.unit) / ureg.Quantity(1.0, base)
        return f"{(1 / per).to_reduced_units().units}" if not per.dimensionless else "item"

    @property
    def rows(self) -> list:
        return [r for r in (self.energy, self.energy_intensity, self.co2e, self.electricity_share, self.adpe,
                            self.primary_energy) if r is not None]


def names() -> list[str]:
    """Every activity of the library."""
    return factors.keys(TABLE)


def activity(name: str) -> Activity:
    """Look up an activity; an unknown name raises an InputError with the closest names."""
    valid = names()
    key = next((k for k in valid if k.lower() == str(name).strip().lower()), None)
    if key is None:
        raise unknown_name("alternative activity", str(name), valid)
    p = factors.parameters(TABLE, key)

    def flag(name):
        row = p.get(name)
        return bool(row is not None and row.value > 0.5)

    gaps = {m: p[f"{m}_not_available"].notes.removeprefix("not available: ") or f"no {m} figure in the sources read"
            for m in ("energy", "water", "adpe", "primary_energy") if flag(f"{m}_not_available")}
    if p.get("energy") is None and "energy" not in gaps:
        gaps["energy"] = "no energy figure in the library for this activity"
    return Activity(key=key, energy=p.get("energy"), energy_intensity=p.get("energy_intensity"),
                    co2e=p.get("co2e"), includes_user_device=flag("includes_user_device"), fuel=flag("fuel"),
                    co2e_includes_energy=flag("co2e_includes_energy"), electricity_share=p.get("electricity_share"),
                    not_available=gaps, adpe=p.get("adpe"), primary_energy=p.get("primary_energy"))


def resource_gap(act: Activity, metric: str) -> str | None:
    """Why the ADPe or primary energy of an activity cannot be computed, or None when it can.

    The electricity of ``energy`` converts with the zone's factors; what the ``co2e`` row holds beyond
    electricity (manufacture, life cycle) or a fuel needs the activity's own row.

    >>> resource_gap(activity("laptop_hour"), "adpe") is None
    True
    >>> resource_gap(activity("printed_page"), "adpe")[:12]
    'the CO2e fig'
    """
    what = {"adpe": "ADPe", "primary_energy": "primary-energy"}[metric]
    if metric in act.not_available:
        return act.not_available[metric]
    if getattr(act, metric) is not None:
        return None
    if act.carrier in ("fuel", "mixed"):
        return f"the energy is not grid electricity and the library has no {what} figure of it"
    if act.carrier == "none" and act.co2e is None:
        return f"no energy or {what} figure"
    if act.co2e is not None and act.co2e.value > 0 and not act.fuel:
        return f"the CO2e figure holds manufacture or life-cycle impacts whose {what} is not in the sources read"
    return None


def water_gap(act: Activity) -> str | None:
    """Why the water of an activity cannot be computed, or None when it can.

    Water is the electricity's water factor times the electricity the activity uses:
    computable for electricity, for an own energy mix with an ``electricity_share``,
    and for no energy at all (zero); not for fuel or an unknown energy.
    """
    if "water" in act.not_available:
        return act.not_available["water"]
    if act.carrier == "none":
        return "no energy figure, so no water of its electricity"
    if act.carrier == "fuel":
        return "the energy is fuel and no water figure of the fuel is in the library"
    if act.carrier == "mixed" and act.electricity_share is None:
        return "own energy mix without an electricity share, so no water of its electricity"
    return None


@dataclass(frozen=True)
class Line:
    """One line of a side of the comparison, per task.

    Quantities are Quantities or :class:`~footprint.uncertainty.Range` objects in
    the units shown; ``None`` means the line has no such term.

    Attributes
    ----------
    label : str
        Name shown in breakdowns (``agent time: laptop``, ``printed_page``...).
    activity : str
        Library key.
    quantity : Quantity or Range
        Amount per task, in the activity's unit.
    energy_per_unit : Quantity or Range or None
        [J per unit].
    co2e_per_unit : Quantity or Range or None
        [kg per unit], CO2e not carried by the energy.
    energy_intensity : Quantity or Range or None
        [kg/J] CO2e of the energy (grid of the zone or the activity's own mix).
    water_intensity : Quantity or Range or None
        [L/J] water consumed per unit of electricity (grid of the zone).
    adpe_intensity, primary_energy_intensity : Quantity or Range or None
        [kg/J], [J/J] ADPe and primary energy per unit of electricity (zone), where the energy is electricity.
    adpe_per_unit, primary_energy_per_unit : Quantity or Range or None
        [kg per unit], [J per unit] not carried by the electricity (manufacture, fuel).
    agent : bool
        Whether the quantity is agent working time (counted in agent hours).
    sources : tuple of str
        Factor references of the line.
    """

    label: str
    activity: str
    quantity: object
    energy_per_unit: object = None
    co2e_per_unit: object = None
    energy_intensity: object = None
    water_intensity: object = None
    agent: bool = False
    sources: tuple = ()
    keys: dict = field(default_factory=dict)  # Monte Carlo stream of each uncertain term (footprint.montecarlo)
    not_available: dict = field(default_factory=dict)  # metric -> reason: that metric of the line is undefined
    carrier: str = "electricity"  # energy carrier of energy_per_unit: electricity, fuel, mixed, none
    adpe_intensity: object = None
    primary_energy_intensity: object = None
    adpe_per_unit: object = None
    primary_energy_per_unit: object = None
    water_intensity_electricity: object = None  # [L/J] the electricity's water whatever the scope (JSON water_scope)


def _to(row, unit):
    q = row.quantity
    return q.to(unit)


def line(name: str, quantity, *, grid_intensity, water_intensity, label: str | None = None,
         agent: bool = False, where: str = "activity", energy: bool = True, co2e: bool = True,
         grid_key: str | None = None, water_key: str | None = None, quantity_key: str | None = None,
         adpe_intensity=None, primary_energy_intensity=None, adpe_key: str | None = None,
         primary_energy_key: str | None = None, water_offsite: float = 1.0) -> Line:
    """Build the line of `quantity` units of activity `name`.

    Parameters
    ----------
    name : str
        Activity of the library.
    quantity : str or number or list or Quantity or Range
        Amount per task in the activity's unit (``"2 min"``, ``3``, ``[10, 20]``).
    grid_intensity : Quantity or Range
        Carbon intensity of the electricity [kg/J].
    water_intensity : Quantity or Range
        Water consumed per unit of electricity [L/J].
    label : str, optional
        Name of the line (the activity key by default).
    agent : bool
        Mark the quantity as agent working time.
    where : str
        Where the value was given, for error messages.
    energy, co2e : bool
        Keep the energy term, the CO2e term.
    grid_key, water_key, quantity_key : str, optional
        Monte Carlo streams of the electricity's factors and of the quantity
        (:func:`footprint.montecarlo.stream_key`); the activity's own factors are keyed by their rows.
    adpe_intensity, primary_energy_intensity : Quantity or Range, optional
        ADPe [kg/J] and primary energy [J/J] of the zone's electricity; without them these two
        metrics are not available for the line.
    adpe_key, primary_energy_key : str, optional
        Their Monte Carlo streams.
    water_offsite : float
        1 counts the water consumed to generate the electricity (scope ``onsite+electricity``), 0 counts
        on-site water only (scope ``onsite``: an activity's electricity then has no water of its own).
    """
    act = activity(name)
    unit = act.quantity_unit
    q = check_quantity(read_value(quantity, unit, f"{where} quantity", bare=unit), f"{where} quantity", positive=False, minimum=0)
    e = _to(act.energy, f"J/{unit}") if (energy and act.energy is not None) else None
    c = _to(act.co2e, f"kg/{unit}") if (co2e and act.co2e is not None) else None
    intensity = _to(act.energy_intensity, "kg/J") if act.energy_intensity is not None else grid_intensity
    own_co2e = act.fuel or act.co2e_includes_energy  # the co2e row already holds the energy's emissions
    gaps = _line_gaps(act, e, c, energy, co2e, own_co2e)
    water, water_all = _line_water(act, e, gaps, water_intensity, water_offsite)
    intensities, per_unit = _line_resources(act, e, unit, energy, co2e, adpe_intensity, primary_energy_intensity, gaps)
    return Line(label=label or act.key, activity=act.key, quantity=q, energy_per_unit=e, co2e_per_unit=c,
                energy_intensity=intensity if (e is not None and co2e and not own_co2e) else None,
                water_intensity=water, not_available=gaps, carrier=act.carrier if energy else "none",
                adpe_intensity=intensities.get("adpe"), primary_energy_intensity=intensities.get("primary_energy"),
                adpe_per_unit=per_unit.get("adpe"), primary_energy_per_unit=per_unit.get("primary_energy"),
                water_intensity_electricity=water_all,
                agent=agent, sources=tuple(r.ref for r in act.rows),
                keys=_line_keys(act, where, label, quantity_key, grid_key, water_key, adpe_key, primary_energy_key))


def _line_gaps(act, e, c, energy, co2e, own_co2e) -> dict:
    """The metrics a line cannot give (energy, water, CO2e), each with its reason."""
    gaps = {}
    if energy:
        if e is None:
            gaps["energy"] = act.not_available.get("energy", "no energy figure")
        if water_gap(act) is not None:
            gaps["water"] = water_gap(act)
    if co2e and c is None and (e is None or own_co2e):
        gaps["co2e"] = "no CO2e figure in the library for this activity"
    return gaps


def _line_water(act, e, gaps, water_intensity, water_offsite):
    """The water intensity of a line's electricity in the scope counted, and in scope onsite+electricity [L/J]."""
    if e is not None and "water" not in gaps:
        share = act.electricity_share.quantity.to("") if act.carrier == "mixed" else None
        water = water_intensity if share is None else _scale_water(water_intensity, share)
        water_all = water
        water = water if water_offsite > 0.5 else None  # on-site scope: no cooling water of its own
        return water, water_all
    return None, None


def _line_resources(act, e, unit, energy, co2e, adpe_intensity, primary_energy_intensity, gaps):
    """ADPe and primary energy of a line: the zone's electricity intensities and the activity's own rows per unit.

    The gaps of these metrics are added to `gaps`.
    """
    zone_resource = {"adpe": adpe_intensity, "primary_energy": primary_energy_intensity}
    own_resource = {"adpe": (act.adpe, "kg"), "primary_energy": (act.primary_energy, "J")}
    intensities, per_unit = {}, {}
    for m in _ELECTRICITY_METRICS:
        gap = resource_gap(act, m) if energy else None  # a CO2e-only allocation line (per capita) has none
        if energy and e is not None and act.carrier == "electricity":
            if zone_resource[m] is None:
                gap = gap or f"no {m} factor of the zone's electricity"
            intensities[m] = zone_resource[m]
        row, unit_m = own_resource[m]
        # the own row holds manufacture or the fuel; a device's use-phase line under a per-capita boundary
        # (co2e on its own line) keeps it too, since the AI side's ADPe and primary energy count manufacture
        if row is not None and (co2e or energy):
            per_unit[m] = _to(row, f"{unit_m}/{unit}")
        if not co2e and energy and act.carrier != "electricity" and e is not None:
            gap = gap or "the energy is not grid electricity"
        if gap is not None:
            gaps[m] = gap
    return intensities, per_unit


def _line_keys(act, where, label, quantity_key, grid_key, water_key, adpe_key, primary_energy_key) -> dict:
    """The Monte Carlo stream of each value of a line (:func:`footprint.montecarlo.stream_key`)."""
    from .montecarlo import factor_key

    return {"quantity": quantity_key or f"given:{where}:{label or act.key}",
            "energy": factor_key("alternatives", act.key, "energy"),
            "co2e": factor_key("alternatives", act.key, "co2e"),
            "energy_intensity": factor_key("alternatives", act.key, "energy_intensity")
            if act.energy_intensity is not None else grid_key,
            "water_intensity": water_key if act.carrier != "mixed" else
            f"{water_key}*{factor_key('alternatives', act.key, 'electricity_share')}",
            "adpe_intensity": adpe_key, "primary_energy_intensity": primary_energy_key,
            "adpe": factor_key("alternatives", act.key, "adpe"),
            "primary_energy": factor_key("alternatives", act.key, "primary_energy")}


def _scale_water(water_intensity, share):
    """Grid water [L/J] x electricity share [-] (Quantities or Ranges)."""
    if isinstance(water_intensity, Range) or isinstance(share, Range):
        lo = lambda y: y.low if isinstance(y, Range) else y  # noqa: E731
        hi = lambda y: y.high if isinstance(y, Range) else y  # noqa: E731
        mid = lambda y: y.value if isinstance(y, Range) else y  # noqa: E731
        return Range(lo(water_intensity) * lo(share), hi(water_intensity) * hi(share),
                     mid(water_intensity) * mid(share))
    return water_intensity * share


def human_time_lines(time, *, device: str, boundary: str, grid_intensity, water_intensity,
                     label: str = "agent time", where: str = "agent_time", grid_key: str | None = None,
                     quantity_key: str | None = None,
                     water_key: str | None = None, **electricity) -> list[Line]:
    """Lines of `time` of human work under a boundary.

    Parameters
    ----------
    time : str or Quantity or Range
        Working time per task [time].
    device : {"laptop", "desktop", "smartphone"}
        Device used during that time.
    boundary : {"device", "device+office", "per_capita_fr", "per_capita_us"}
        ``device`` (default): device use and embodied share; ``device+office``: plus the
        office building's energy per working hour in France;
        ``per_capita_*``: the person's annual footprint per hour (CO2e), with the
        device's use-phase energy kept for energy and water (and its manufacture for ADPe and primary energy).
    grid_intensity, water_intensity : Quantity or Range
        Electricity of the zone [kg/J], [L/J].
    quantity_key : str, optional
        Monte Carlo stream of the time (``given:<where>`` by default); it must not hold a file
        path, or the draws would depend on where the scenario file lies.
    """
    if device not in DEVICES:
        raise unknown_name("device", device, DEVICES)
    if boundary not in BOUNDARIES:
        raise unknown_name("human-time boundary", boundary, BOUNDARIES)
    kw = dict(grid_intensity=grid_intensity, water_intensity=water_intensity, agent=True, where=where,
              grid_key=grid_key, water_key=water_key, quantity_key=quantity_key or f"given:{where}",  # one time, one draw
              **electricity)  # the zone's ADPe and primary-energy factors, the water scope
    if boundary in PER_CAPITA:
        return [line(DEVICES[device], time, label=f"{label}: {device} (use-phase energy)", co2e=False, **kw),
                line(PER_CAPITA[boundary], time, label=f"{label}: per-capita allocation ({boundary[-2:].upper()})",
                     energy=False, **{**kw, "agent": False})]
    out = [line(DEVICES[device], time, label=f"{label}: {device}", **kw)]
    if boundary == "device+office":
        out.append(line(OFFICE, time, label=f"{label}: office building (FR)", **{**kw, "agent": False}))
    return out


def line_values(ln: Line, draw):
    """Energy [J], CO2e [kg], water [L], ADPe [kg Sb eq] and primary energy [J] of one line per task (pure, vectorised).

    Parameters
    ----------
    ln : Line
    draw : callable
        ``draw(x, unit)`` -> array of magnitudes of a Quantity or Range in `unit`
        (the case axis or Monte Carlo samples on the last axis).
    """
    k = ln.keys
    q = draw(ln.quantity, _unit(ln.quantity), key=k.get("quantity"))
    zero = q * 0.0
    energy = q * draw(ln.energy_per_unit, f"J/{_unit(ln.quantity)}", key=k.get("energy")) \
        if ln.energy_per_unit is not None else zero
    co2e = energy * draw(ln.energy_intensity, "kg/J", key=k.get("energy_intensity")) \
        if ln.energy_intensity is not None else zero
    if ln.co2e_per_unit is not None:
        co2e = co2e + q * draw(ln.co2e_per_unit, f"kg/{_unit(ln.quantity)}", key=k.get("co2e"))
    water = energy * draw(ln.water_intensity, "L/J", key=k.get("water_intensity")) \
        if ln.water_intensity is not None else zero
    resources = []
    for m, unit in (("adpe", "kg"), ("primary_energy", "J")):
        v = zero
        intensity, own = getattr(ln, f"{m}_intensity"), getattr(ln, f"{m}_per_unit")
        if intensity is not None:
            v = v + energy * draw(intensity, f"{unit}/J", key=k.get(f"{m}_intensity"))
        if own is not None:
            v = v + q * draw(own, f"{unit}/{_unit(ln.quantity)}", key=k.get(m))
        resources.append(v)
    gap = zero + np.nan  # a metric not available is NaN, so that no sum can take it for zero
    return tuple(gap if m in ln.not_available else v for m, v in zip(METRICS, (energy, co2e, water, *resources)))


def water_by_scope(ln: Line, draw) -> dict:
    """Water of one line per task [L] under each scope: ``{"onsite": 0, "onsite+electricity": ...}``.

    An activity has no on-site water of its own (its devices, offices and networks' water is that of
    their electricity); NaN where the line's water is not available.
    """
    k = ln.keys
    q = draw(ln.quantity, _unit(ln.quantity), key=k.get("quantity"))
    energy = q * draw(ln.energy_per_unit, f"J/{_unit(ln.quantity)}", key=k.get("energy")) \
        if ln.energy_per_unit is not None else q * 0.0
    with_electricity = energy * draw(ln.water_intensity_electricity, "L/J", key=k.get("water_intensity")) \
        if ln.water_intensity_electricity is not None else q * 0.0
    if "water" in ln.not_available:
        return {"onsite": q * np.nan, "onsite+electricity": q * np.nan}
    return {"onsite": q * 0.0, "onsite+electricity": with_electricity}


def _unit(x) -> str:
    return f"{x.units}"


def describe(ln: Line) -> str:
    """``2 min of laptop_hour`` for assumption lists."""
    q = ln.quantity
    if isinstance(q, Range):
        return f"{q.low.magnitude:g}..{q.high.magnitude:g} {q.units:~P} of {ln.activity}"
    return f"{q.magnitude:g} {q.units:~P} of {ln.activity}"


__all__ = ["Activity", "Line", "activity", "names", "line", "human_time_lines", "line_values", "BOUNDARIES",
           "DEVICES", "InputError"]
