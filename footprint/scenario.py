"""Scenario files: a use case, its AI variants and its non-AI alternative, in TOML.

A scenario file is data (read with the standard library's :mod:`tomllib`;
nothing in it is executed) and becomes a tree of frozen dataclasses.  The schema
is documented in ``docs/scenarios.md``; in short::

    name = "City chatbot"                      # required
    description = "..."

    [task]                                      # the functional unit
    unit = "citizen question answered"          # required
    volume = "2000/day"                         # required: tasks per time; a range: ["1000/day", "3000/day"]
    horizon = "3 year"                          # default 1 year
    source = "assumption: ..."                  # required: where the volume comes from

    [[ai]]                                      # one or more AI variants
    name = "shared"                             # required, unique
    agent_time = "30 s"                         # human time per task left with AI (review...)
    model = "llama-3.3-70b"                     # any input of `footprint estimate` (one step) ...
    per_task = 3                                # ... requests per task (default 1)
    [[ai.steps]]                                # ... or several steps (speech-to-text, then an LLM)
    [[ai.activities]]                           # extra lines per task from the alternatives library
    activity = "smartphone_hour"
    quantity = "3 min"
    scope = "users"                             # who bears it: body | users | outside (sobriety budget)

    [alternative]                               # the task done without AI
    agent_time = "6 min"
    [[alternative.activities]]
    activity = "phone_call_minute"
    quantity = 5

    [human_time]                                # how human time is counted (both sides)
    device = "laptop"                           # laptop | desktop | smartphone
    freed_time = "reassigned"                   # reassigned (boundary device) | fewer posts | less office space
    boundary = "device"                         # optional: device | device+office | per_capita_fr | per_capita_us
    zone = "FRA"                                # grid of the devices and the office

    [sobriety]                                  # optional: one budget
    energy_budget = "10 MWh/year"               # or co2e_budget = "1 tCO2e/year", or ratio_cap = 1.0
    confidence = 0.95
    scope = "body"                              # body (default) | users | body+users: the AI system's share judged
    human_time = false                          # true: the AI variant's agent time is held against it too

    [benefit]                                   # optional free text
    description = "..."

    [registry]                                  # optional: the use case's public-register record
    status = "operational"                      # Eurocities v0.3.1 names (footprint.registry_meta, docs/registry.md)

Every value may be a range ``[low, high]`` (or ``[low, value, high]``) wherever a
number is accepted.  Every resolved input is recorded as given or default, with
its source (:attr:`Scenario.inputs`).
"""

from __future__ import annotations

import inspect
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import alternatives
from .errors import InputError, closest, shown
from .resolve import check_quantity, read_value, resolve
from .inputs import (MAX_ACTIVITY_QUANTITY, MAX_AGENT_TIME, MAX_CO2E_BUDGET, MAX_ENERGY_BUDGET, MAX_HORIZON,
                     MAX_PER_TASK, MAX_RATIO_CAP, MAX_VOLUME, USER)
from .uncertainty import Range
from .units import ureg

TOP_KEYS = ("name", "description", "task", "ai", "alternative", "human_time", "sobriety", "benefit", "notes",
            "registry")
TASK_KEYS = ("unit", "volume", "horizon", "source")
VARIANT_KEYS = ("name", "description", "agent_time", "steps", "activities", "source")
#: Inputs of a step: every input of the registry (footprint.inputs.USER) except the volume, which the task gives.
RESOLVE_KEYS = tuple(k for k in USER if k not in ("requests", "period")) + ("constants",)
STEP_KEYS = ("name", "per_task", "source") + RESOLVE_KEYS
ALTERNATIVE_KEYS = ("description", "agent_time", "activities", "source")
ACTIVITY_KEYS = ("activity", "quantity", "label", "source")
AI_ACTIVITY_KEYS = ACTIVITY_KEYS + ("scope",)
#: Who bears an extra line of an AI variant (``[[ai.activities]]`` key ``scope``), for the sobriety budget.
SCOPES = {"body": "run or bought by the public body (its servers, its agents' devices, its network)",
          "users": "borne by the users (citizens' devices and networks)",
          "outside": "not part of the AI system (the task's other activities, e.g. the trip of a route)"}
#: Budget scopes of ``[sobriety] scope``: the AI system's lines they hold (the model's steps are the body's).
BUDGET_SCOPES = {"body": ("body",), "users": ("users",), "body+users": ("body", "users")}
DEFAULT_BUDGET_SCOPE = "body"
HUMAN_KEYS = ("device", "boundary", "zone", "freed_time")
#: What the public body does with the agent time AI frees -> the human-time boundary it implies.
FREED_TIME = {"reassigned": "device", "fewer posts": "device+office", "less office space": "device+office"}
DEFAULT_FREED_TIME = "reassigned"
SOBRIETY_KEYS = ("energy_budget", "co2e_budget", "ratio_cap", "confidence", "scope", "human_time", "source")
BENEFIT_KEYS = ("description", "notes")

DEFAULT_HORIZON = "1 year"
DEFAULT_ZONE = "FRA"
DEFAULT_DEVICE = "laptop"
DEFAULT_CONFIDENCE = 0.95
SCHEMA_DOC = "docs/scenarios.md"


@dataclass(frozen=True)
class Input:
    """One resolved scenario input and where it came from."""

    name: str
    value: object
    status: str  # given | default
    source: str

    def as_dict(self) -> dict:
        return {"name": self.name, "value": _show(self.value), "status": self.status, "source": self.source}


@dataclass(frozen=True)
class Task:
    """The functional unit and its volume.

    Attributes
    ----------
    unit : str
        What one task is.
    volume : Quantity or Range
        Tasks per time [1/s].
    horizon : Quantity
        Period of the totals [s].
    source : str
        Where the volume comes from.
    volume_unit : str
        Time unit the volume was given in (``day``, ``year``...), for display.
    """

    unit: str
    volume: object
    horizon: object
    source: str
    volume_unit: str = "year"


@dataclass(frozen=True)
class ActivityUse:
    """An activity of the alternatives library, `quantity` units per task."""

    activity: str
    quantity: object
    label: str
    source: str = ""
    scope: str = "outside"  # body | users | outside (SCOPES), AI variants only


@dataclass(frozen=True)
class Step:
    """One model call type of an AI variant: `per_task` requests per task, inputs of ``resolve``."""

    name: str
    per_task: object
    options: tuple  # ((key, value), ...) passed to footprint.resolve.resolve
    source: str = ""

    @property
    def kwargs(self) -> dict:
        return {k: (tuple(v) if isinstance(v, list) else v) for k, v in self.options}


@dataclass(frozen=True)
class Variant:
    """One way of doing the task with AI."""

    name: str
    description: str
    steps: tuple
    activities: tuple
    agent_time: object
    agent_time_given: bool = False
    source: str = ""


@dataclass(frozen=True)
class Alternative:
    """The task done without AI: agent time and activities per task."""

    description: str
    agent_time: object
    activities: tuple
    agent_time_given: bool = False
    source: str = ""


@dataclass(frozen=True)
class HumanTime:
    """How human time is counted: device, boundary, zone of the electricity."""

    device: str = DEFAULT_DEVICE
    boundary: str = alternatives.DEFAULT_BOUNDARY
    zone: str = DEFAULT_ZONE
    freed_time: str = DEFAULT_FREED_TIME


@dataclass(frozen=True)
class Sobriety:
    """A sobriety budget: energy or CO2e per time, or a cap on the AI / alternative CO2e ratio."""

    kind: str  # energy | co2e | ratio
    budget: object  # Quantity [W] or [kg/s], or dimensionless
    confidence: float = DEFAULT_CONFIDENCE
    source: str = ""
    scope: str = DEFAULT_BUDGET_SCOPE  # body | users | body+users (BUDGET_SCOPES)
    human_time: bool = False  # whether the AI variant's human time is held against the budget too


@dataclass(frozen=True)
class Scenario:
    """A parsed, checked scenario file."""

    name: str
    description: str
    task: Task
    variants: tuple
    alternative: Alternative
    human_time: HumanTime
    sobriety: Sobriety | None = None
    benefit: tuple = ()  # ((key, text), ...)
    notes: tuple = ()
    registry: tuple = ()  # ((key, value), ...): the [registry] table (footprint.registry_meta)
    path: str = "<scenario>"
    inputs: tuple = field(default=(), compare=False)

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        from .errors import unknown_name
        raise unknown_name("AI variant", name, [v.name for v in self.variants])


# -- reading ------------------------------------------------------------------------------------

def load(path) -> Scenario:
    """Read and check a scenario file.

    Raises
    ------
    InputError
        One line naming the file (and line and column for TOML syntax errors).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{path}: no such scenario file (give a .toml file; examples are in scenarios/)")
    try:
        text = p.read_text(encoding="utf-8-sig")  # a leading byte-order mark (Windows editors) is dropped
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the file ({exc.__class__.__name__}); give a UTF-8 TOML file") from None
    return loads(text, str(path))


def loads(text: str, path: str = "<scenario>") -> Scenario:
    """Parse scenario TOML `text` (`path` names it in error messages)."""
    try:
        doc = tomllib.loads(text)
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise InputError(f"{path}: TOML nested too deeply (arrays or tables inside one another); a scenario needs "
                         "at most a range [low, value, high] inside a table") from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        what = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg) or "invalid TOML"
        where = f"{path}:{m.group(1)}:{m.group(2)}" if m else path
        hint = "; expected `key = value` with strings in quotes, arrays in [ ], tables in [name]"
        raise InputError(f"{where}: TOML syntax error: {what}{hint}") from None
    return from_dict(doc, path, text)


def from_dict(doc: dict, path: str = "<scenario>", text: str = "") -> Scenario:
    """Build a :class:`Scenario` from a parsed TOML document (a dict)."""
    ctx = _Context(path, text)
    ctx.keys(doc, TOP_KEYS, "the top level")
    name = ctx.text(doc, "name", "the top level", required=True)
    ctx.given("name", name)

    task = _task(ctx, ctx.table(doc, "task", required=True))
    ai = doc.get("ai")
    if ai is None:
        raise ctx.error("missing [[ai]]: give at least one AI variant (a [[ai]] table with a name and a model)")
    if isinstance(ai, dict):
        ai = [ai]
    if not isinstance(ai, list) or not ai or not all(isinstance(v, dict) for v in ai):
        raise ctx.error("[[ai]] must be one or more tables ([[ai]] headers)")
    human = _human(ctx, doc.get("human_time", {}))
    variants = tuple(_variant(ctx, v, i) for i, v in enumerate(ai, start=1))
    names = [v.name for v in variants]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ctx.error(f"[[ai]] names must be unique; '{dupes[0]}' is used twice")
    alternative = _alternative(ctx, ctx.table(doc, "alternative", required=True))
    sobriety = _sobriety(ctx, doc["sobriety"]) if "sobriety" in doc else None
    benefit = ()
    if "benefit" in doc:
        b = ctx.table(doc, "benefit")
        ctx.keys(b, BENEFIT_KEYS, "[benefit]")
        benefit = tuple((k, _plain_text(v)) for k, v in b.items())
    notes = doc.get("notes", ())
    if isinstance(notes, str):
        notes = (notes,)
    if not isinstance(notes, (list, tuple)) or not all(isinstance(n, str) for n in notes):
        raise ctx.error("notes: give a text in quotes or a list of texts, e.g. notes = [\"assumption: ...\"]",
                        "notes")
    registry = ()
    if "registry" in doc:
        from . import registry_meta
        registry = registry_meta.read(ctx, doc["registry"])
    return Scenario(name=name, description=ctx.text(doc, "description", "the top level") or "", task=task,
                    variants=variants, alternative=alternative, human_time=human, sobriety=sobriety,
                    benefit=benefit, notes=tuple(str(n) for n in notes), registry=registry, path=path,
                    inputs=tuple(ctx.inputs))


def _plain_text(v):
    return "; ".join(map(str, v)) if isinstance(v, list) else str(v)


class _Context:
    """Error messages with the file, the place and the closest valid key; provenance of inputs."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.lines = text.splitlines()
        self.inputs: list[Input] = []

    def error(self, message: str, key: str | None = None) -> InputError:
        line = self._line_of(key) if key else None
        return InputError(f"{self.path}{':' + str(line) if line else ''}: {message}")

    def _line_of(self, key: str):
        pat = re.compile(rf"^\s*(\"?){re.escape(key)}\1\s*=|^\s*\[+\s*{re.escape(key)}\s*\]+")
        hits = [i for i, text in enumerate(self.lines, start=1) if pat.search(text)]
        # a key written more than once (e.g. `quantity` of several activities): no line rather than a wrong one;
        # the message names the table and the entry
        return hits[0] if len(hits) == 1 else None

    def keys(self, table: dict, valid, where: str):
        for key in table:
            if key not in valid:
                near = closest(key, valid, n=1)
                hint = f"did you mean '{near[0]}'? " if near else ""
                raise self.error(f"unknown key '{key}' in {where}; {hint}valid keys: {', '.join(valid)}", key)

    def table(self, doc: dict, key: str, required=False) -> dict:
        if key not in doc:
            if required:
                raise self.error(f"missing [{key}] table (see {SCHEMA_DOC})")
            return {}
        t = doc[key]
        if not isinstance(t, dict):
            raise self.error(f"'{key}' must be a table ([{key}] with keys below it)", key)
        return t

    def text(self, table: dict, key: str, where: str, required=False):
        if key not in table:
            if required:
                raise self.error(f"missing required field '{key}' in {where}")
            return None
        v = table[key]
        if not isinstance(v, str):
            raise self.error(f"{where}: '{key}' must be a text in quotes", key)
        return v

    def value(self, table, key, unit, where, *, required=False, default=None, count=False, bare=None, **check):
        """A checked Quantity or Range of `table[key]` in `unit` (or the default)."""
        label = f"{where} {key}"
        if key not in table:
            if required:
                raise self.error(f"missing required field '{key}' in {where}")
            return None if default is None else read_value(default, unit, label)
        raw = table[key]
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float, list)):
            raise self.error(f"{label}: give a number, a quantity in quotes ('2 min') or a range [low, high]", key)
        try:
            q = read_value(raw, unit, label, count=count, bare=bare)
            return check_quantity(q, label, shown=raw if isinstance(raw, str) else None, **check)
        except InputError as exc:
            raise self.error(str(exc), key) from None

    def given(self, name, value, source="given"):
        self.inputs.append(Input(name, value, "given", source))

    def default(self, name, value, source):
        self.inputs.append(Input(name, value, "default", source))


def _task(ctx: _Context, t: dict) -> Task:
    ctx.keys(t, TASK_KEYS, "[task]")
    unit = ctx.text(t, "unit", "[task]", required=True)
    source = ctx.text(t, "source", "[task]", required=True)
    if "volume" not in t:
        raise ctx.error("missing required field 'volume' in [task]: tasks per time, e.g. '2000/day' "
                        "or a range ['1000/day', '3000/day']")
    raw = t["volume"]
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise ctx.error("[task] volume: give tasks per time with its unit, e.g. '2000/day' or '50000/year'", "volume")
    volume = ctx.value(t, "volume", "1/s", "[task]", required=True, maximum=MAX_VOLUME,
                       maximum_text="1e9 tasks per second")
    horizon = ctx.value(t, "horizon", "s", "[task]", default=DEFAULT_HORIZON, maximum=MAX_HORIZON,
                        maximum_text="1000 year")
    if isinstance(horizon, Range):
        raise ctx.error("[task] horizon: give one duration, e.g. '3 year' (not a range)", "horizon")
    ctx.given("task.unit", unit)
    ctx.given("task.volume", volume, f"given: {source}")
    if "horizon" in t:
        ctx.given("task.horizon", horizon.to("year"))
    else:
        ctx.default("task.horizon", horizon.to("year"), f"default: {DEFAULT_HORIZON} ({SCHEMA_DOC})")
    return Task(unit=unit, volume=volume, horizon=horizon, source=source, volume_unit=_time_unit(raw))


def _time_unit(raw) -> str:
    text = raw[-1] if isinstance(raw, list) else raw
    m = re.search(r"/\s*([A-Za-z_]+)\s*$", str(text))
    if m:
        try:
            ureg.Quantity(1, m.group(1)).to("s")
            return m.group(1)
        except Exception:  # noqa: BLE001 - display only
            pass
    return "year"


def _human(ctx: _Context, h) -> HumanTime:
    if not isinstance(h, dict):
        raise ctx.error("'human_time' must be a table ([human_time])", "human_time")
    ctx.keys(h, HUMAN_KEYS, "[human_time]")
    out = {}
    freed = h.get("freed_time", DEFAULT_FREED_TIME)
    implied = FREED_TIME.get(freed, alternatives.DEFAULT_BOUNDARY) if isinstance(freed, str) else None
    for key, valid, default, why in (
        ("freed_time", tuple(FREED_TIME), DEFAULT_FREED_TIME,
         "default: the time AI frees is reassigned to other work (no post or office space is removed)"),
        ("device", tuple(alternatives.DEVICES), DEFAULT_DEVICE, "default: a laptop (ADEME device data)"),
        ("boundary", alternatives.BOUNDARIES, implied,
         f"default: implied by freed_time = '{freed}': "
         + ("the device's energy for the task's time only (the office is heated for the next task anyway)"
            if implied == "device" else "device and the office building's energy per working hour (the freed "
            "time removes posts or office space)") + "; per-capita allocation is an explicit option"),
        ("zone", None, DEFAULT_ZONE, "default: France, the library's human-time factors are French"),
    ):
        if key in h:
            v = h[key]
            if not isinstance(v, str):
                raise ctx.error(f"[human_time] {key}: must be a text in quotes", key)
            if valid is not None and v not in valid:
                near = closest(v, valid, n=1)
                from .quantity import shown
                raise ctx.error(f"[human_time] {key}: unknown value '{shown(v)}'; "
                                f"{'did you mean ' + repr(near[0]) + '? ' if near else ''}valid: {', '.join(valid)}", key)
            if key == "zone":
                from . import factors
                try:
                    v = factors.find_key("grid", v, "zone")
                except InputError as exc:
                    raise ctx.error(f"[human_time] zone: {exc}", key) from None
            out[key] = v
            ctx.given(f"human_time.{key}", v)
        else:
            out[key] = default
            ctx.default(f"human_time.{key}", default, why)
    return HumanTime(**out)


def _activities(ctx: _Context, items, where: str, prefix: str) -> tuple:
    if items is None:
        return ()
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(a, dict) for a in items):
        raise ctx.error(f"{where} activities: give a list of tables {{activity = ..., quantity = ...}}", "activities")
    out = []
    for i, a in enumerate(items, start=1):
        w = f"{where} activity #{i}"
        ctx.keys(a, AI_ACTIVITY_KEYS if prefix.startswith("ai.") else ACTIVITY_KEYS, w)
        name = ctx.text(a, "activity", w, required=True)
        try:
            act = alternatives.activity(name)
        except InputError as exc:
            raise ctx.error(f"{w}: {exc}", "activity") from None
        if "quantity" not in a:
            raise ctx.error(f"missing required field 'quantity' in {w} ({name}, counted in {act.quantity_unit})")
        q = ctx.value(a, "quantity", act.quantity_unit, f"{w} ({act.key})", bare=act.quantity_unit, positive=False,
                      minimum=0, maximum=MAX_ACTIVITY_QUANTITY, maximum_text=f"{MAX_ACTIVITY_QUANTITY:g} "
                      f"{act.quantity_unit} per task")
        label = ctx.text(a, "label", w) or act.key
        src = ctx.text(a, "source", w) or ""
        ctx.given(f"{prefix}.{label}", q, f"given{': ' + src if src else ''}; factor {', '.join(r.ref for r in act.rows)}")
        scope = "outside"
        if prefix.startswith("ai."):
            scope = ctx.text(a, "scope", w)
            if scope is None:
                scope = default_scope(act.key)
                ctx.default(f"{prefix}.{label}.scope", scope, f"default: {SCOPES[scope]} (set scope = "
                            f"{' | '.join(repr(k) for k in SCOPES)})")
            elif scope not in SCOPES:
                raise ctx.error(f"{w}: scope '{shown(scope)}' is not one of {', '.join(SCOPES)} ("
                                + "; ".join(f"{k}: {v}" for k, v in SCOPES.items()) + ")", "scope")
            else:
                ctx.given(f"{prefix}.{label}.scope", scope)
        out.append(ActivityUse(activity=act.key, quantity=q, label=label, source=src, scope=scope))
    return tuple(out)


def default_scope(activity: str) -> str:
    """Who bears an AI variant's activity when its scenario does not say: a device or a network is the users'
    (a citizen's smartphone and mobile network), anything else is outside the AI system.

    >>> default_scope("smartphone_hour"), default_scope("network_mobile_gb"), default_scope("car_km")
    ('users', 'users', 'outside')
    """
    return "users" if activity in alternatives.DEVICES.values() or activity.startswith("network_") else "outside"


def _agent_time(ctx: _Context, t: dict, where: str):
    if "agent_time" in t:
        q = ctx.value(t, "agent_time", "hour", where, positive=False, minimum=0, maximum=MAX_AGENT_TIME / 3600.0,
                      maximum_text="1e6 hour per task")
        ctx.given(f"{where}.agent_time", q)
        return q, True
    q = ureg.Quantity(0.0, "hour")
    ctx.default(f"{where}.agent_time", q, "default: no human time per task")
    return q, False


def _variant(ctx: _Context, v: dict, index: int) -> Variant:
    where = f"[[ai]] #{index}"
    ctx.keys(v, VARIANT_KEYS + STEP_KEYS, where)
    name = ctx.text(v, "name", where, required=True)
    where = f"[[ai]] '{name}'"
    step_keys = {k: x for k, x in v.items() if k in STEP_KEYS and k not in ("name", "source")}
    steps_raw = v.get("steps")
    steps = []
    if steps_raw is not None:
        if isinstance(steps_raw, dict):
            steps_raw = [steps_raw]
        if not isinstance(steps_raw, list) or not steps_raw or not all(isinstance(s, dict) for s in steps_raw):
            raise ctx.error(f"{where} steps: give one or more [[ai.steps]] tables", "steps")
        for j, s in enumerate(steps_raw, start=1):
            ctx.keys(s, STEP_KEYS, f"{where} step #{j}")
            merged = {**{k: x for k, x in step_keys.items() if k != "per_task"}, **s}
            sname = str(s.get("name") or f"step{j}")
            steps.append(_step(ctx, merged, f"{where} step '{sname}'", sname, f"ai.{name}.{sname}"))
    elif step_keys:
        steps.append(_step(ctx, step_keys, where, "inference", f"ai.{name}.inference"))
    activities = _activities(ctx, v.get("activities"), where, f"ai.{name}")
    if not steps and not activities:
        raise ctx.error(f"{where}: give the model (model = ... or params = ...), [[ai.steps]], or activities")
    agent_time, given = _agent_time(ctx, v, f"ai.{name}")
    return Variant(name=name, description=ctx.text(v, "description", where) or "", steps=tuple(steps),
                   activities=activities, agent_time=agent_time, agent_time_given=given,
                   source=ctx.text(v, "source", where) or "")


def _step(ctx: _Context, s: dict, where: str, name: str, prefix: str) -> Step:
    per_task = ctx.value(s, "per_task", "request", where, count=True, positive=True, maximum=MAX_PER_TASK)
    if per_task is None:
        per_task = ureg.Quantity(1.0, "request")
        ctx.default(f"{prefix}.per_task", per_task, "default: one request per task")
    else:
        ctx.given(f"{prefix}.per_task", per_task)
    options = []
    for key, x in s.items():
        if key in ("name", "per_task", "source"):
            continue
        if key == "constants":
            if not isinstance(x, dict):
                raise ctx.error(f"{where} constants: give a table, e.g. constants = {{eta_compute = 0.4}}", key)
            x = tuple(sorted(x.items()))
        elif isinstance(x, bool) or not isinstance(x, (str, int, float, list)):
            raise ctx.error(f"{where} {key}: give a number, a text in quotes or a range [low, high]", key)
        elif isinstance(x, list):
            if len(x) not in (2, 3):
                raise ctx.error(f"{where} {key}: a range is [low, high] or [low, value, high]", key)
            x = tuple(x)
        options.append((key, x))
    return Step(name=str(s.get("name", name)), per_task=per_task, options=tuple(options),
                source=str(s.get("source", "")))


def _alternative(ctx: _Context, a: dict) -> Alternative:
    ctx.keys(a, ALTERNATIVE_KEYS, "[alternative]")
    activities = _activities(ctx, a.get("activities"), "[alternative]", "alternative")
    agent_time, given = _agent_time(ctx, a, "alternative")
    if not activities and not given:
        raise ctx.error("[alternative]: give agent_time and/or activities (the task done without AI)")
    return Alternative(description=ctx.text(a, "description", "[alternative]") or "", agent_time=agent_time,
                       activities=activities, agent_time_given=given, source=ctx.text(a, "source", "[alternative]") or "")


def _sobriety(ctx: _Context, s) -> Sobriety:
    if not isinstance(s, dict):
        raise ctx.error("'sobriety' must be a table ([sobriety])", "sobriety")
    ctx.keys(s, SOBRIETY_KEYS, "[sobriety]")
    given = [k for k in ("energy_budget", "co2e_budget", "ratio_cap") if k in s]
    if len(given) != 1:
        raise ctx.error("[sobriety]: give exactly one of energy_budget ('10 MWh/year'), co2e_budget "
                        "('1 tCO2e/year') or ratio_cap (1.0)" + (f"; got {', '.join(given)}" if given else ""))
    key = given[0]
    unit, kind = {"energy_budget": ("W", "energy"), "co2e_budget": ("kg/s", "co2e"), "ratio_cap": ("", "ratio")}[key]
    maximum, maximum_text = {"energy_budget": (MAX_ENERGY_BUDGET, "1e5 TWh/year"),
                             "co2e_budget": (MAX_CO2E_BUDGET, "1e11 tCO2e/year"),
                             "ratio_cap": (MAX_RATIO_CAP, f"{MAX_RATIO_CAP:g}")}[key]
    if kind != "ratio" and isinstance(s[key], str):
        from .quantity import parse_quantity
        try:  # an energy or a mass without its per-time unit: say that, not "a power is expected"
            parse_quantity(s[key], {"energy": "J", "co2e": "kg"}[kind], key)
        except InputError:
            pass
        else:
            example = {"energy": "'10 MWh/year'", "co2e": "'1 tCO2e/year'"}[kind]
            raise ctx.error(f"[sobriety] {key}: '{shown(s[key])}' has no per-time unit; a budget is per year, e.g. "
                            f"{example}", key)
    budget = ctx.value(s, key, unit, "[sobriety]", positive=True, maximum=maximum, maximum_text=maximum_text)
    if isinstance(budget, Range):
        raise ctx.error(f"[sobriety] {key}: a budget is one value, not a range", key)
    conf = ctx.value(s, "confidence", "", "[sobriety]", positive=True, maximum=1.0)
    if isinstance(conf, Range):
        raise ctx.error("[sobriety] confidence: give one value in (0.5, 1], e.g. 0.95", "confidence")
    conf_v = DEFAULT_CONFIDENCE if conf is None else float(conf.m_as(""))
    if conf_v <= 0.5:
        raise ctx.error("[sobriety] confidence: must be above 0.5 (e.g. 0.95)", "confidence")
    scope = ctx.text(s, "scope", "[sobriety]")
    if scope is None:
        scope = DEFAULT_BUDGET_SCOPE
        if kind != "ratio":
            ctx.default("sobriety.scope", scope, "default: the AI system the public body runs or buys (servers, its "
                        "agents' devices); the users' share is shown beside it")
    elif scope not in BUDGET_SCOPES:
        raise ctx.error(f"[sobriety] scope: '{shown(scope)}' is not one of {', '.join(BUDGET_SCOPES)} (default "
                        f"{DEFAULT_BUDGET_SCOPE})", "scope")
    elif kind == "ratio":
        raise ctx.error("[sobriety] scope: a ratio_cap compares whole sides per task; scope applies to "
                        "energy_budget and co2e_budget", "scope")
    else:
        ctx.given("sobriety.scope", scope)
    human = s.get("human_time", False)
    if not isinstance(human, bool):
        raise ctx.error("[sobriety] human_time: give true or false (default false: the agents' time is not held "
                        "against the budget)", "human_time")
    if human and kind == "ratio":
        raise ctx.error("[sobriety] human_time: a ratio_cap compares whole sides per task (human time included); "
                        "human_time applies to energy_budget and co2e_budget", "human_time")
    if "human_time" in s:
        ctx.given("sobriety.human_time", human)
    src = ctx.text(s, "source", "[sobriety]") or ""
    shown_budget = budget.to({"energy": "kWh/year", "co2e": "kgCO2e/year", "ratio": ""}[kind])
    ctx.given(f"sobriety.{key}", shown_budget, f"given{': ' + src if src else ''}")
    if conf is None:
        ctx.default("sobriety.confidence", conf_v, "default: 0.95 (verdict needs 95% probability)")
    else:
        ctx.given("sobriety.confidence", conf_v)
    return Sobriety(kind=kind, budget=budget, confidence=conf_v, source=src, scope=scope, human_time=human)


def _show(v):
    """A value as JSON-friendly data: Quantities and Ranges as {value, unit[, low, high]}."""
    import pint

    if isinstance(v, Range):
        u = f"{v.units:~P}"
        return {"value": float(v.value.magnitude), "unit": u, "low": float(v.low.magnitude),
                "high": float(v.high.m_as(v.units))}
    if isinstance(v, pint.Quantity):
        return {"value": float(v.magnitude), "unit": f"{v.units:~P}"}
    return v


def parse_budget(text, name: str = "--budget"):
    """A yearly sobriety budget typed by a user: ``(kind, Quantity)``, kind ``energy`` [W] or ``co2e`` [kg/s].

    Raises
    ------
    InputError
        One line: no per-time unit, another dimension, zero or negative, or above the world's total.

    >>> parse_budget("500 kWh/year")[0], round(parse_budget("0,5 tCO2e/year")[1].m_as("kg/year"))
    ('energy', 500)
    """
    from .quantity import parse_quantity

    accepted = "an energy or a CO2e per time, e.g. '500 kWh/year' or '0,5 tCO2e/year'"
    if re.search(r"Sb", str(text)):
        raise InputError(f"{name}: '{shown(text)}' is an abiotic depletion (ADPe, antimony equivalent); a budget is "
                         f"{accepted}")
    reasons = []  # why the text is not an energy per time: said when it is not only another dimension
    for kind, unit, maximum, maximum_text in (("energy", "W", MAX_ENERGY_BUDGET, "1e5 TWh/year"),
                                              ("co2e", "kg/s", MAX_CO2E_BUDGET, "1e11 tCO2e/year")):
        try:
            q = parse_quantity(text, unit, name)
        except InputError as exc:
            reasons.append(str(exc).removeprefix(f"{name}: "))
            continue
        if not q.magnitude > 0:
            raise InputError(f"{name}: '{shown(text)}' must be above zero; give {accepted}")
        if q.magnitude > maximum:
            raise InputError(f"{name}: '{shown(text)}' is above {maximum_text}; give {accepted}")
        return kind, q
    for unit in ("J", "kg"):
        try:
            parse_quantity(text, unit, name)
        except InputError:
            continue
        raise InputError(f"{name}: '{shown(text)}' has no per-time unit; a budget is {accepted}")
    reason = next((re.sub(r"^cannot read '.*?'[:;] ", "", r) for r in reasons if "is expected" not in r), None)
    raise InputError(f"{name}: cannot read '{shown(text)}' as a budget{f' ({reason})' if reason else ''}; "
                     f"give {accepted}")


def with_budget_scope(scenario: Scenario, scope: str | None = None, human_time: bool | None = None) -> Scenario:
    """The scenario with its sobriety budget's scope (``--budget-scope``) or human time (``--budget-human-time``)
    overridden; unchanged when neither is given.

    Raises
    ------
    InputError
        When the scenario has no energy or CO2e budget to apply them to.
    """
    import dataclasses

    if scope is None and not human_time:
        return scenario
    s = scenario.sobriety
    flag = "--budget-scope" if scope is not None else "--budget-human-time"
    if s is None or s.kind == "ratio":
        why = " (its ratio_cap compares whole sides per task)" if s is not None else " (it has no [sobriety] table)"
        raise InputError(f"{flag}: {scenario.path} has no energy_budget or co2e_budget in [sobriety] to apply it to"
                         f"{why}; add one, e.g. energy_budget = \"10 MWh/year\"")
    if scope is not None and scope not in BUDGET_SCOPES:
        raise InputError(f"{flag}: '{shown(scope)}' is not one of {', '.join(BUDGET_SCOPES)}")
    new = dataclasses.replace(s, scope=scope or s.scope, human_time=bool(human_time) or s.human_time)
    extra = [Input("sobriety.scope (override)", new.scope, "given", "given")] + (
        [Input("sobriety.human_time (override)", True, "given", "given")] if human_time else [])
    return dataclasses.replace(scenario, sobriety=new, inputs=tuple(scenario.inputs) + tuple(extra))
