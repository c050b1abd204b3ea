"""Resolving a scenario: every AI step through the resolver, every non-AI activity from the library (a :class:`Plan`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..uncertainty import Range, central
from ..estimator import TOTAL_UNITS
from .. import alternatives

PER_YEAR_UNITS = {k: f"{u}/year" for k, u in TOTAL_UNITS.items()}


#: Water scopes of a comparison (the same on both sides), and the default.
WATER_SCOPES = ("onsite", "onsite+electricity")


DEFAULT_WATER_SCOPE = "onsite+electricity"


@dataclass(frozen=True)
class StepPlan:
    """A resolved step: `per_task` requests of an estimator call per task."""

    name: str
    per_task: object  # Quantity or Range [request]
    resolved: object  # footprint.resolve.Resolved
    training_share: object = None  # Quantity or Range, when the training is charged as a share


@dataclass(frozen=True)
class VariantPlan:
    name: str
    description: str
    steps: tuple
    lines: tuple  # alternatives.Line: extra AI lines and human time
    agent_time: object  # [hour]
    scopes: tuple = ()  # (line label, scope): body | users | outside | human_time, for the extra lines


@dataclass(frozen=True)
class Plan:
    """Everything resolved, ready for the vectorised evaluation."""

    scenario: object
    variants: tuple
    alternative: tuple  # alternatives.Line
    alternative_agent_time: object
    volume: object  # Quantity or Range [1/s]
    horizon: object  # Quantity [s]
    boundary: str
    assumptions: tuple = ()
    notes: tuple = ()
    water_scope: str = DEFAULT_WATER_SCOPE

    def variant(self, name=None) -> VariantPlan:
        if name is None:
            return self.variants[0]
        for v in self.variants:
            if v.name == name:
                return v
        from ..errors import unknown_name
        raise unknown_name("AI variant", name, [v.name for v in self.variants])


def _scale(x, k):
    """x * k for Quantities and Ranges (k a Quantity or Range)."""
    if isinstance(x, Range) or isinstance(k, Range):
        lo = lambda y: y.low if isinstance(y, Range) else y  # noqa: E731
        hi = lambda y: y.high if isinstance(y, Range) else y  # noqa: E731
        return Range(lo(x) * lo(k), hi(x) * hi(k), central(x) * central(k))
    return x * k


def _zone_electricity(zone: str):
    """Carbon and water intensity of a zone's electricity, their references and Monte Carlo streams."""
    from .. import factors
    from ..montecarlo import factor_key

    gi = factors.get("grid", zone, "carbon_intensity")
    wi = factors.get("grid", zone, "water_intensity") or factors.get("grid", "WOR", "water_intensity")
    keys = (factor_key("grid", gi.key[0], "carbon_intensity"), factor_key("grid", wi.key[0], "water_intensity"))
    return gi.quantity.to("kg/J"), wi.quantity.to("L/J"), (gi.ref, wi.ref), keys


def zone_resources(zone: str) -> dict:
    """ADPe [kg/J] and primary energy [J/J] of a zone's electricity: ``{metric: (value, factor, key, proxy)}``.

    A zone without its own factor takes the world proxy row, flagged (``proxy`` True).
    """
    from .. import factors
    from ..montecarlo import factor_key

    out = {}
    for metric, parameter, unit in (("adpe", "adpe_intensity", "kg/J"),
                                    ("primary_energy", "primary_energy_intensity", "")):
        row = factors.get("grid", zone, parameter)
        proxy = row is None
        row = row or factors.get("grid", "WOR", parameter)
        out[metric] = (row.quantity.to(unit), row, factor_key("grid", row.key[0], parameter), proxy)
    return out


def _water_scope(scenario, water_scope: str | None) -> tuple:
    """The comparison's water scope (given, else the steps' own when they all agree, else the default) and notes."""
    if water_scope is not None and water_scope not in WATER_SCOPES:
        from ..errors import unknown_name
        raise unknown_name("water scope", water_scope, WATER_SCOPES)
    given = {}  # a step's own water_scope, read like the resolver reads it (case and spaces ignored)
    for v in scenario.variants:
        for st in v.steps:
            text = st.kwargs.get("water_scope")
            if text is None:
                continue
            if str(text).strip().lower() not in WATER_SCOPES:
                from ..errors import shown
                raise InputError(f"{scenario.path}: [[ai]] '{v.name}' step '{st.name}': water_scope: "
                                 f"'{shown(text)}' is not one of {', '.join(WATER_SCOPES)}; give one of them or leave "
                                 f"it out (default {DEFAULT_WATER_SCOPE})")
            given[id(st)] = str(text).strip().lower()
    steps = set(given.values())
    scope = water_scope or (steps.pop() if len(steps) == 1 else DEFAULT_WATER_SCOPE)
    words = {"onsite": "on-site water only (a data centre's cooling water; an activity's electricity has none of its "
                       "own)",
             "onsite+electricity": "on-site water and the water consumed to generate the electricity, on both sides "
                                   "(the AI's data centre and every device, office or network's electricity)"}
    notes = [f"water scope: {scope}, the same on both sides: {words[scope]}; JSON water_scope gives both scopes"]
    overridden = sorted(s for s in set(given.values()) if s != scope)
    if overridden:
        notes.append(f"a step's water_scope ({', '.join(overridden)}) is replaced by the comparison's ({scope}): both "
                     "sides must count water alike")
    return scope, notes


def prepare(scenario, human_time: str | None = None, *, steps_of: Plan | None = None,
            water_scope: str | None = None) -> Plan:
    """Resolve every input of a scenario (AI steps through ``resolve``, lines from the library).

    Parameters
    ----------
    scenario : footprint.scenario.Scenario
    human_time : str, optional
        Override the human-time boundary of the scenario (``device``,
        ``device+office``, ``per_capita_fr``, ``per_capita_us``).
    steps_of : Plan, optional
        A plan of the same scenario whose resolved AI steps are reused (only the
        human-time lines depend on the boundary): the steps are not resolved again.
    water_scope : {"onsite", "onsite+electricity"}, optional
        Water counted on both sides (default: the steps' own when they agree, else
        ``onsite+electricity``).

    Raises
    ------
    InputError
        One line naming the file and the variant or step at fault.
    """
    s = scenario
    boundary = _boundary_of(s, human_time)
    gi, wi, refs, elec_keys = _zone_electricity(s.human_time.zone)
    assumptions = _scenario_assumptions(s, human_time, gi, wi, refs)
    scope, notes = _water_scope(s, steps_of.water_scope if steps_of is not None else water_scope)
    elec = _activity_electricity(s, gi, wi, elec_keys, scope, assumptions, notes)
    variants = [_variant_plan(s, i_variant, v, steps_of, scope, boundary, elec, assumptions, notes)
                for i_variant, v in enumerate(s.variants)]
    alt = _activity_lines(s, s.alternative.activities, s.alternative.agent_time, "alternative", boundary, elec,
                          assumptions, notes)
    notes += carrier_notes([*alt, *(ln for v in variants for ln in v.lines)])
    if boundary in alternatives.PER_CAPITA:
        notes.append(f"human time under the per-capita boundary ({boundary}): a person's whole annual footprint is "
                     "charged to the hours of the task (Tomlinson et al. 2024); the person emits about the same "
                     "whether or not they do the task, so this is not the footprint avoided; energy and water keep "
                     "the device's use phase, ADPe and primary energy the device's use phase and manufacture (as "
                     "the AI side counts its hardware's)")
    return Plan(scenario=s, variants=tuple(variants), alternative=alt,
                alternative_agent_time=s.alternative.agent_time, volume=s.task.volume, horizon=s.task.horizon,
                boundary=boundary, assumptions=tuple(assumptions), notes=tuple(dict.fromkeys(notes)),
                water_scope=scope)


def _boundary_of(s, human_time: str | None) -> str:
    """The human-time boundary: the override, else the scenario's (refused when unknown)."""
    boundary = human_time or s.human_time.boundary
    if boundary not in alternatives.BOUNDARIES:
        from ..errors import unknown_name
        raise unknown_name("human-time boundary", boundary, alternatives.BOUNDARIES)
    return boundary


def _scenario_assumptions(s, human_time, gi, wi, refs) -> list:
    """The scenario's own inputs, a boundary override and the human-time zone's electricity, as assumptions."""
    from ..resolve import Assumption

    assumptions = [Assumption(i.name, i.value, i.source, i.status) for i in s.inputs]
    if human_time and human_time != s.human_time.boundary:
        assumptions.append(Assumption("human_time.boundary (override)", human_time, "given", "given"))
    assumptions += [Assumption(f"human_time.grid_intensity ({s.human_time.zone})", gi.to("gCO2e/kWh") if not isinstance(gi, Range) else gi.to("gCO2e/kWh"), f"default: {refs[0]}", "published"),
                    Assumption(f"human_time.water_intensity ({s.human_time.zone})", wi.to("L/kWh"), f"default: {refs[1]}", "estimate")]
    return assumptions


def _activity_electricity(s, gi, wi, elec_keys, scope, assumptions, notes) -> dict:
    """The electricity of the non-AI activities (the human-time zone's), as keywords of ``alternatives.line``."""
    from ..resolve import Assumption

    resources = zone_resources(s.human_time.zone)
    for metric, (value, row, _, proxy) in resources.items():
        assumptions.append(Assumption(f"human_time.{metric}_intensity ({s.human_time.zone})", row.quantity,
                                      f"{'proxy' if proxy else 'default'}: {row.ref}", row.status))
        if proxy:
            notes.append(f"no {metric} factor of electricity for zone {s.human_time.zone}: the world proxy (median of "
                         "national values) is used for the activities' electricity")
    return dict(grid_intensity=gi, water_intensity=wi, grid_key=elec_keys[0], water_key=elec_keys[1],
                adpe_intensity=resources["adpe"][0], primary_energy_intensity=resources["primary_energy"][0],
                adpe_key=resources["adpe"][2], primary_energy_key=resources["primary_energy"][2],
                water_offsite=float(scope == "onsite+electricity"))


def _activity_lines(s, uses, agent_time, side, boundary, elec, assumptions, notes, scopes=None) -> tuple:
    """The lines of one side's activities and agent time, their factors appended to `assumptions`."""
    from ..resolve import Assumption

    out = []
    for a in uses:
        if scopes is not None:
            scopes.append((a.label, a.scope))
        out.append(alternatives.line(a.activity, a.quantity, label=a.label, where=f"{s.path}: {side}",
                                     quantity_key=f"given:{side}:{a.label}", **elec))  # no path in a stream
        act = alternatives.activity(a.activity)
        for r in act.rows:
            assumptions.append(Assumption(f"{side}.{a.label} factor", r.quantity, f"default: {r.ref}", r.status))
        if act.includes_user_device and central(agent_time).m_as("hour") > 0:
            notes.append(f"{side}: '{a.activity}' includes the user's device time and {side} also counts agent "
                         f"time on a device; use a *_network_dc activity to avoid counting the device twice")
    if central(agent_time).m_as("hour") > 0 or isinstance(agent_time, Range):
        hl = alternatives.human_time_lines(agent_time, device=s.human_time.device, boundary=boundary,
                                           where=f"{s.path}: {side} agent_time",
                                           quantity_key=f"given:{side}:agent_time", **elec)
        for ln in hl:
            if scopes is not None:
                scopes.append((ln.label, "human_time"))
            for r in alternatives.activity(ln.activity).rows:
                assumptions.append(Assumption(f"{side}.{ln.label} factor", r.quantity, f"default: {r.ref}", r.status))
        out += hl
    return tuple(out)


def _variant_plan(s, i_variant, v, steps_of, scope, boundary, elec, assumptions, notes) -> VariantPlan:
    """One AI variant: its steps resolved (or reused from `steps_of`) and its activity lines."""
    from ..resolve import Assumption, resolve

    steps = []
    for i_step, st in enumerate(v.steps):
        if steps_of is not None:  # the same scenario under another boundary: its steps as resolved
            r = steps_of.variants[i_variant].steps[i_step].resolved
            for a in r.assumptions:
                assumptions.append(Assumption(f"ai.{v.name}.{st.name}.{a.name.lstrip('-')}", a.value, a.source,
                                              a.status))
            notes += [f"ai.{v.name}.{st.name}: {n}" for n in r.notes]
            steps.append(steps_of.variants[i_variant].steps[i_step])
            continue
        kwargs = {**st.kwargs, "water_scope": scope}
        if "constants" in kwargs:
            kwargs["constants"] = dict(kwargs["constants"])
        requests = _scale(s.task.volume, st.per_task.to("dimensionless") if not isinstance(st.per_task, Range)
                          else Range(st.per_task.low.to(""), st.per_task.high.to(""), st.per_task.value.to("")))
        try:
            r = resolve(requests=requests, period=s.task.horizon, **kwargs)
        except InputError as exc:
            raise InputError(f"{s.path}: [[ai]] '{v.name}' step '{st.name}': {exc}") from None
        share = r.values.get("training_share")
        for a in r.assumptions:
            assumptions.append(Assumption(f"ai.{v.name}.{st.name}.{a.name.lstrip('-')}", a.value, a.source, a.status))
        notes += [f"ai.{v.name}.{st.name}: {n}" for n in r.notes]
        steps.append(StepPlan(name=st.name, per_task=st.per_task, resolved=r, training_share=share))
    scopes = []
    return VariantPlan(name=v.name, description=v.description, steps=tuple(steps),
                       lines=_activity_lines(s, v.activities, v.agent_time, f"ai.{v.name}", boundary, elec,
                                             assumptions, notes, scopes),
                       agent_time=v.agent_time, scopes=tuple(scopes))


def carrier_notes(lines) -> list:
    """A note when the energy lines of a comparison use different carriers (fuel and electricity).

    The AI side's inference is electricity; a line of fuel (a car trip) is final energy of
    another carrier, so the energy metric adds unlike kWh.
    """
    fuel = sorted({ln.activity for ln in lines if ln.carrier == "fuel"})
    mixed = sorted({ln.activity for ln in lines if ln.carrier == "mixed"})
    if not fuel and not mixed:
        return []
    what = "; ".join(t for t in (f"fuel: {', '.join(fuel)}" if fuel else "",
                                 f"own energy mix (gas, heat networks, electricity): {', '.join(mixed)}" if mixed else "") if t)
    return [f"energy is final energy and adds unlike carriers (AI inference is electricity; {what}): a kWh of fuel "
            "is not a kWh of electricity; the primary_energy figures compare the sides on one basis (where both "
            "sides have them)"]
