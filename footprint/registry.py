"""A public AI registry: every use case of a folder, its record and its environmental section, and the totals.

A registry folder holds one scenario file per use case (``*.toml``, each with
its ``[registry]`` table, :mod:`footprint.registry_meta`) and an optional
registry-level file ``registry.cfg`` (the organisation and its overall
yearly budget, :func:`read_registry_file`).  :func:`build` compares every use
case with its non-AI alternative (:func:`footprint.compare.compare_scenario`,
the figures of ``compare --json``), writes the environmental section of each
entry (field names of Boavizta's BoAmps report format where they mean the
same), and adds the entries up.

Basis
-----
The registry accounts for the **AI system** on the basis of ``compare``'s
sobriety verdict: the scopes of ``[budget] scope`` in ``registry.cfg``
(default ``body``: what the public body runs or buys, i.e. the model's steps
and the activities a scenario marks ``scope = "body"``), the entry's
``compare --json`` ``per_year.by_scope`` figures of those scopes added up.
The scopes not judged (the users' devices and networks, the agents' time) are
shown beside, never added in.

Totals
------
* **central and range**: the sum of the entries' ``compare --json`` yearly
  figures (central, low, high) of the variant in use, on that basis.  A sum of interval ends
  is the interval of the sum (every entry at its low end, every entry at its
  high end).
* **percentiles and probabilities**: one Monte Carlo draw of all the entries
  together (:class:`EntrySampler`).  Every entry is evaluated on the same
  seed; a factor row (``factor:<table>:<key>:<parameter>`` streams, e.g. the
  French grid's carbon intensity or one GPU's power) is drawn **once** for the
  whole registry, because the stream's draws depend only on the seed and the
  key (:func:`footprint.montecarlo.row_uniforms`); a value given in one file
  (a volume, a token count) is drawn on a stream scoped to its entry
  (``entry:<id>:<key>``), so it is independent of other entries' values.  The
  total's draws are the entry draws added sample by sample; its percentiles
  are read from them (adding percentiles would overstate the spread of
  independent entries and understate the shared factors).

Metrics are read from the comparison generically: every metric of the
``per_year`` figures (energy, CO2e and water today; others as the comparison
adds them).  A metric that an entry does not provide is ``null`` with a note,
never 0.

References
----------
.. [1] Boavizta, BoAmps report format (``Boavizta/BoAmps``, ``model/report_schema.json``), CC-BY-4.0.
.. [2] Eurocities, Algorithmic Transparency Standard v0.3.1 (``Algoritmeregister/standard``).
.. [3] JCGM 101:2008, propagation of distributions by a Monte Carlo method (common draws of shared inputs).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io as _io
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import registry_meta
from .errors import InputError, closest
from .estimator import METRICS
from .montecarlo import Sampler
from .quantity import shown

REGISTRY_FILE = "registry.cfg"  # TOML syntax; not *.toml, so that globs of scenario files skip it
FORMAT = "footprint-registry"
FORMAT_VERSION = "1.0"
STANDARD = {"name": "Eurocities algorithm-register standard", "version": "0.3.1"}
#: Keys of registry.cfg.
FILE_KEYS = ("registry", "budget")
INFO_KEYS = ("name", "organization", "department", "contact_email", "contact_name", "website", "description")
BUDGET_KEYS = ("energy_budget", "co2e_budget", "water_budget", "confidence", "scope", "human_time", "source")
_BUDGET_UNITS = {"energy_budget": ("energy", "W", "kWh/year"), "co2e_budget": ("co2e", "kg/s", "kgCO2e/year"),
                 "water_budget": ("water", "L/s", "L/year")}
#: Estimator lines a CodeCarbon measurement counts (the machine's draw: no PUE, no embodied, no training).
MEASURED_LINES = ("gpu_busy", "gpu_idle", "host")
#: What no entry counts (the boundary's exclusions, as the criterion card states them).
NOT_COUNTED = ("rebound", "model_development", "result_quality", "social_effects")
YEAR_S = 365.25 * 86400.0


# -- the registry-level file ---------------------------------------------------------------------

@dataclass(frozen=True)
class Budget:
    """An overall yearly budget of the body: per metric, a Quantity per year."""

    limits: tuple = ()  # ((metric, Quantity in the per-year unit), ...)
    confidence: float = 0.95
    source: str = ""
    scope: str = "body"  # the AI system's scopes judged (footprint.scenario.BUDGET_SCOPES), as [sobriety] scope
    human_time: bool = False  # whether the agents' time left with AI is held against the budget too

    @property
    def scopes(self) -> tuple:
        """The scopes of ``compare``'s ``per_year.by_scope`` the registry adds up (``("body",)`` by default)."""
        from .compare import budget_scopes

        return budget_scopes(self.scope, self.human_time)


@dataclass(frozen=True)
class RegistryInfo:
    """The registry-level file: who publishes, and the overall budget."""

    info: tuple = ()  # ((key, text), ...)
    budget: Budget = field(default_factory=Budget)
    path: str | None = None


def _keys(path, table: dict, valid, where: str):
    for key in table:
        if key not in valid:
            near = closest(key, valid, n=1)
            hint = f"did you mean '{near[0]}'? " if near else ""
            raise InputError(f"{path}: unknown key '{shown(key)}' in {where}; {hint}valid keys: {', '.join(valid)}")


def read_registry_file(path) -> RegistryInfo:
    """Read ``registry.cfg``: ``[registry]`` (organization, name, contact...) and ``[budget]``.

    ``[budget]`` holds any of ``energy_budget`` ("100 MWh/year"),
    ``co2e_budget`` ("10 tCO2e/year"), ``water_budget`` ("500 m^3/year"), with
    ``confidence`` (default 0.95) and ``source``.
    """
    from .resolve import read_value

    p = Path(path)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: TOML syntax error: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot read the file ({exc.__class__.__name__}); give a UTF-8 TOML file") from None
    _keys(p, doc, FILE_KEYS, "the top level")
    info = doc.get("registry", {})
    budget = doc.get("budget", {})
    for name, t in (("registry", info), ("budget", budget)):
        if not isinstance(t, dict):
            raise InputError(f"{p}: '{name}' must be a table ([{name}])")
    _keys(p, info, INFO_KEYS, "[registry]")
    _keys(p, budget, BUDGET_KEYS, "[budget]")
    checked = []
    for key, value in info.items():
        kind = registry_meta.FIELDS.get(key, "text")
        try:
            checked.append((key, registry_meta.check_value(key, value) if key in registry_meta.FIELDS
                            else _text(value)))
        except ValueError as exc:
            raise InputError(f"{p}: [registry] {key}: {exc}") from None
        del kind
    limits = []
    for key, (metric, unit, per_year_unit) in _BUDGET_UNITS.items():
        if key in budget:
            raw = budget[key]
            try:
                if not isinstance(raw, str):
                    raise InputError(f"give a quantity per year in quotes, e.g. '{'100 MWh/year' if metric == 'energy' else '10 tCO2e/year'}'")
                q = read_value(raw, unit, f"[budget] {key}")
                if not hasattr(q, "magnitude") or not np.isfinite(float(q.magnitude)) or float(q.magnitude) <= 0:
                    raise InputError("give one positive quantity per year (not a range)")
            except InputError as exc:
                raise InputError(f"{p}: [budget] {key}: {str(exc).split(': ', 1)[-1]}") from None
            limits.append((metric, q.to(per_year_unit)))
    conf = budget.get("confidence", 0.95)
    if isinstance(conf, bool) or not isinstance(conf, (int, float)) or not 0.5 < float(conf) <= 1:
        raise InputError(f"{p}: [budget] confidence: give a number above 0.5 and at most 1, e.g. 0.95")
    src = budget.get("source", "")
    if not isinstance(src, str):
        raise InputError(f"{p}: [budget] source: must be a text in quotes")
    from .scenario import BUDGET_SCOPES, DEFAULT_BUDGET_SCOPE

    scope = budget.get("scope", DEFAULT_BUDGET_SCOPE)
    if not isinstance(scope, str) or scope not in BUDGET_SCOPES:
        raise InputError(f"{p}: [budget] scope: '{shown(scope)}' is not one of {', '.join(BUDGET_SCOPES)} "
                         f"(default {DEFAULT_BUDGET_SCOPE}: what the public body runs or buys)")
    human = budget.get("human_time", False)
    if not isinstance(human, bool):
        raise InputError(f"{p}: [budget] human_time: give true or false (default false)")
    return RegistryInfo(info=tuple(checked), budget=Budget(tuple(limits), float(conf), src, scope, human),
                        path=str(p))


def _text(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty text in quotes")
    return value.strip()


# -- sampling entries together -------------------------------------------------------------------

class EntrySampler(Sampler):
    """The comparison's sampler with its non-factor streams scoped to one registry entry.

    A factor stream (``factor:...``) keeps its key, so every entry that uses the
    factor row takes the same draws (one draw for the whole registry); any other
    stream (a value given in the entry's file, the task volume) becomes
    ``entry:<entry>:<key>``, independent of the other entries.

    >>> a, b = EntrySampler(5, 0, "a"), EntrySampler(5, 0, "b")
    >>> bool((a.uniforms("factor:grid:fra:carbon_intensity") == b.uniforms("factor:grid:fra:carbon_intensity")).all())
    True
    >>> bool((a.uniforms("given:task:volume") == b.uniforms("given:task:volume")).any())
    False
    """

    def __init__(self, samples: int, seed, entry: str):
        super().__init__(samples, seed)
        self.entry = entry

    def uniforms(self, key: str) -> np.ndarray:
        if not key.startswith("factor:"):
            key = f"entry:{self.entry}:{key}"
        return super().uniforms(key)


def sample_per_year(plan, variant: str, samples: int, seed, entry: str, scopes=("body",)) -> dict:
    """Monte Carlo draws of one entry's AI footprint per year, ``{metric: ndarray (samples,)}`` [J, kg, L, kg Sb eq, J
    per year], on the registry's basis: the lines of `scopes` (:func:`footprint.compare.labels_of`).

    Uses the comparison's own evaluation (:func:`footprint.compare.evaluate_variant`) on an
    :class:`EntrySampler`.  A metric not available on a line of the scopes draws NaN.
    """
    from .compare import METRICS, evaluate_variant, labels_of

    sampler = EntrySampler(samples, seed, entry)
    vp = plan.variant(variant)
    volume = sampler.volume(plan.volume, True)
    every = evaluate_variant(plan, vp, volume, sampler, float(plan.horizon.m_as("s")))
    lines = {k: d for sc in scopes for k, d in labels_of(vp, every, sc).items()}
    metrics = list(dict.fromkeys([*METRICS, *(k for d in lines.values() for k in d)]))
    out = {}
    for k in metrics:
        total = 0.0
        for d in lines.values():
            total = total + d[k]
        out[k] = np.asarray(total * volume * YEAR_S, dtype=float)
    return out


# -- entries -------------------------------------------------------------------------------------

@dataclass
class Entry:
    """One use case of the registry."""

    id: str
    path: Path
    scenario: object
    meta: dict
    variant: str
    doc: dict  # compare --json of the whole scenario
    environment: dict
    samples: dict = field(default_factory=dict, repr=False)  # per-year draws [internal units]

    @property
    def name(self) -> str:
        return self.scenario.name

    def to_dict(self) -> dict:
        return {"id": self.id, "file": self.path.name, "name": self.name, "description": self.scenario.description,
                "registry": dict(self.meta), "environment": self.environment}


def metrics_of(figures: dict) -> list:
    """Metric names of a ``{metric: figure}`` dict, known ones first.

    >>> metrics_of({"water": 1, "primary_energy": 2, "energy": 3, "novel": 4})
    ['energy', 'water', 'primary_energy', 'novel']
    """
    return [m for m in METRICS if m in figures] + [m for m in figures if m not in METRICS]


def _assumption(doc: dict, name: str):
    return next((a for a in doc.get("assumptions", []) if a["name"] == name), None)


def _fig_of(a) -> dict | None:
    if a is None or not isinstance(a.get("value"), (int, float)):
        return None
    return {"value": float(a["value"]), "unit": a.get("unit", ""), "low": float(a.get("low", a["value"])),
            "high": float(a.get("high", a["value"]))}


def _value_of(a):
    return None if a is None else a.get("value")


def _steps(scenario, doc: dict, variant: str) -> list:
    """Model and hardware of each step of the variant (BoAmps names where they mean the same)."""
    v = scenario.variant(variant)
    out = []
    for st in v.steps:
        pre = f"ai.{variant}.{st.name}."
        a = lambda n: _assumption(doc, pre + n)  # noqa: E731
        params = _fig_of(a("total_params"))
        out.append({
            "step": st.name,
            "taskStage": "inference",
            "foundationModelName": _value_of(a("model")),
            "parametersNumber": None if params is None else params["value"],
            "quantization": _value_of(a("precision")),
            "componentName": _value_of(a("gpu")),
            "provisioning": _value_of(a("provisioning")),
            "serving_path": _value_of(a("serving_path")),
            "datacenter": _value_of(a("datacenter")),
            "country": _value_of(a("zone")),
            "powerSourceCarbonIntensity": _fig_of(a("grid_intensity")),
            "pue": _fig_of(a("pue")),
            "nbRequest": _fig_of(a("per_task")) or {"value": 1.0, "unit": "request", "low": 1.0, "high": 1.0},
        })
    return out


def _yearly_volume(scenario) -> dict:
    from .uncertainty import triplet

    v = np.asarray(triplet(scenario.task.volume, "1/year"), dtype=float)
    return {"value": float(v[1]), "unit": "task/year", "low": float(v.min()), "high": float(v.max())}


def measured_section(path: Path, vdoc: dict) -> dict:
    """The measured figure of a ``footprint measure`` results log beside the estimate.

    The log's successful runs (status ``ok``) with an item count are added up:
    measured energy per task = their energy / their items (one item = one task).
    The estimate compared is the IT energy of the inference steps per task (GPU busy
    and idle, host), the part a CodeCarbon measurement counts (no PUE, embodied or
    training).
    """
    from .measurement import read_results

    rows = [r for r in read_results(path) if r["status"] == "ok" and r["items"] and float(r["items"]) > 0
            and r["energy [Wh]"]]
    if not rows:
        raise InputError(f"{path}: no successful run with an item count (footprint measure --items N) in this "
                         "results log; measure with --items (one item = one task) or remove measurement_log")
    items = sum(float(r["items"]) for r in rows)
    energy_wh = sum(float(r["energy [Wh]"]) for r in rows)
    co2e = [float(r["co2e [gCO2e]"]) for r in rows if r["co2e [gCO2e]"]]
    estimated = {"value": 0.0, "low": 0.0, "high": 0.0}
    found = False
    for line, d in vdoc["breakdown"]["ai"].items():
        if any(line.endswith(f": {ln}") for ln in MEASURED_LINES):
            found = True
            for k in estimated:
                estimated[k] += float(d["energy"][k])
    per_task = energy_wh / items
    est = {**estimated, "unit": "Wh"} if found else None
    ratio = None
    if est is not None and est["value"] > 0:
        ratio = {"value": per_task / est["value"], "unit": "",
                 "low": per_task / est["high"] if est["high"] > 0 else None,
                 "high": per_task / est["low"] if est["low"] > 0 else None}
    methods = sorted({r["method"] for r in rows if r["method"]})
    return {
        "results_log": path.name,
        "measurementMethod": "codecarbon",
        "runs": len(rows),
        "items": items,
        "first": min(r["timestamp_utc"] for r in rows)[:10],
        "last": max(r["timestamp_utc"] for r in rows)[:10],
        "estimated_power_share": any(r["estimated"].lower() in ("true", "1", "yes") for r in rows),
        "power_methods": methods,
        "energy_per_task": {"value": per_task, "unit": "Wh", "low": per_task, "high": per_task},
        "co2e_per_task": ({"value": sum(co2e) / items, "unit": "gCO2e", "low": sum(co2e) / items,
                           "high": sum(co2e) / items} if len(co2e) == len(rows) else None),
        "estimated_it_energy_per_task": est,
        "ratio_measured_to_estimated": ratio,
        "boundary": "IT energy per task on both sides (estimate: GPU busy, GPU idle and host lines before PUE; "
                    "measurement: the machine's draw, CPU + RAM + GPU)",
    }


def add_figures(figs: list) -> dict:
    """The sum of ``{value, unit, low, high}`` figures of one unit; not available (with the reasons) if one is.

    >>> add_figures([{"value": 1.0, "unit": "kWh/year", "low": 0.5, "high": 2.0},
    ...              {"value": 3.0, "unit": "kWh/year", "low": 1.0, "high": 4.0}])
    {'value': 4.0, 'unit': 'kWh/year', 'low': 1.5, 'high': 6.0}
    >>> add_figures([{"value": 1.0, "unit": "L/year", "low": 1.0, "high": 1.0},
    ...              {"value": None, "unit": "L/year", "low": None, "high": None, "not_available": ["x: no water"]}])
    {'value': None, 'unit': 'L/year', 'low': None, 'high': None, 'not_available': ['x: no water']}
    """
    unit = figs[0]["unit"]
    reasons = [r for f in figs if f.get("value") is None for r in f.get("not_available") or ["not available"]]
    if reasons:
        return {"value": None, "unit": unit, "low": None, "high": None, "not_available": reasons}
    return {"value": float(sum(f["value"] for f in figs)), "unit": unit, "low": float(sum(f["low"] for f in figs)),
            "high": float(sum(f["high"] for f in figs))}


def basis_figures(vdoc: dict, scopes) -> tuple:
    """An entry's yearly AI-system figures on the registry's basis, and the scopes shown beside.

    The figures of `scopes` in the comparison's ``per_year.by_scope`` (a scope without a line
    is absent there and adds nothing) are added per metric; when no scope of the basis holds a
    line, every metric is not available (the entry has no line the body bears: it is said, not
    shown as 0).  Returns ``(figures, beside)``: ``{metric: figure}`` and ``{scope: {metric: figure}}``.
    """
    by_scope = vdoc["per_year"]["by_scope"]
    judged = [sc for sc in scopes if sc in by_scope]
    metrics = metrics_of(vdoc["per_year"]["ai"])
    if not judged:
        why = f"no line of this AI variant is in the scope {'+'.join(scopes)} (set scope on its [[ai.activities]])"
        figs = {m: {"value": None, "unit": vdoc["per_year"]["ai"][m]["unit"], "low": None, "high": None,
                    "not_available": [why]} for m in metrics}
    else:
        figs = {m: add_figures([by_scope[sc][m] for sc in judged]) for m in metrics}
    beside = {sc: d for sc, d in by_scope.items() if sc not in scopes}
    return figs, beside


def environment(entry_id: str, scenario, doc: dict, variant: str, assessment_date: str, measured=None,
                budget: "Budget | None" = None) -> dict:
    """The environmental section of one entry from its ``compare --json`` document.

    The yearly AI figures are those of the registry's basis (`budget`'s scopes, the public
    body's by default; :func:`basis_figures`), the same basis as ``compare``'s sobriety verdict.
    """
    from .compare import SCOPE_TEXT

    budget = budget or Budget()
    vdoc = doc["variants"][variant]
    # the registry accounts for the AI system on the sobriety's basis; the AI side of the comparison also holds the
    # users' devices and networks, human time and the task's other activities (e.g. the car trips of a route)
    per_year_ai, beside = basis_figures(vdoc, budget.scopes)
    metrics = metrics_of(per_year_ai)
    breakdown = vdoc["breakdown"]
    counted_ai = [ln for ln, d in breakdown["ai"].items()
                  if any(float(f.get("high") or 0) != 0 for f in d.values() if isinstance(f, dict))]
    counted_alt = [ln for ln, d in breakdown["alternative"].items()
                   if any(float(f.get("high") or 0) != 0 for f in d.values() if isinstance(f, dict))]
    not_available = [m for m in METRICS if m not in metrics]
    not_available_on_basis = {m: f["not_available"] for m, f in per_year_ai.items() if f.get("value") is None}
    v = scenario.variant(variant)
    training_given = any(k == "training_share" for st in v.steps for k, _ in st.options)
    not_counted = [n for n in NOT_COUNTED if not (n == "model_development" and training_given)]
    return {
        "functional_unit": doc["scenario"]["task"],
        "taskStage": "inference",
        "yearly_volume": _yearly_volume(scenario),
        "volume_source": doc["scenario"]["volume_source"],
        "horizon": doc["scenario"]["horizon"],
        "variant": variant,
        "variant_description": v.description,
        "system_boundary": {
            "counted_ai": counted_ai, "counted_alternative": counted_alt, "not_counted": not_counted,
            "human_time_boundary": doc["scenario"]["human_time_boundary"],
            "human_time_device": doc["scenario"]["device"], "human_time_zone": doc["scenario"]["zone"],
        },
        "metrics": metrics,
        "not_available": not_available,
        "not_available_on_basis": not_available_on_basis,
        "per_task": {"ai": vdoc["per_task"]["ai"], "alternative": vdoc["per_task"]["alternative"],
                     "ratio": vdoc["per_task"]["ratio"]},
        "per_year": {"ai": per_year_ai, "beside": beside, "ai_side": vdoc["per_year"]["ai"],
                     "alternative": vdoc["per_year"]["alternative"],
                     "basis": {"scope": budget.scope, "human_time": budget.human_time,
                               "scopes_judged": list(budget.scopes),
                               "text": "AI system per year: " + " + ".join(SCOPE_TEXT[sc] for sc in budget.scopes)}},
        "steps": _steps(scenario, doc, variant),
        "alternative": {"description": scenario.alternative.description},
        "sobriety": vdoc["sobriety"],
        "benefit": {"verdict": vdoc["benefit"]["verdict"],
                    "probability_ai_lower": vdoc["benefit"]["probability_ai_lower"],
                    "description": dict(scenario.benefit).get("description")},
        "method": {"tool": "footprint", "version": footprint_version(),
                   "measurementMethod": "estimated" if measured is None else "estimated; measured in operation",
                   "monte_carlo": doc["monte_carlo"]},
        "assessment_date": assessment_date,
        "measured": measured,
    }


def entry_id(path: Path) -> str:
    """An entry's id: its file name without ``.toml``, in the characters of a web address.

    >>> entry_id(Path("scenarios/City chatbot.toml"))
    'city-chatbot'
    """
    return re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-") or "entry"


def scenario_files(directory) -> list:
    """The scenario files of a registry folder (``*.toml`` except ``registry.cfg``), sorted."""
    d = Path(directory)
    if not d.is_dir():
        raise InputError(f"{directory}: no such folder; give the folder of the scenario files (e.g. scenarios)")
    files = sorted(p for p in d.glob("*.toml") if p.name != REGISTRY_FILE)
    if not files:
        raise InputError(f"{directory}: no scenario file (*.toml) in this folder")
    return files


def load_entry(path: Path, info: RegistryInfo):
    """Parse one scenario of the registry and check its registry fields (status required, variant, log)."""
    from .scenario import load

    s = load(path)
    meta = dict(s.registry)
    if "status" not in meta:
        raise InputError(f"{path}: [registry] status: missing; give one of {', '.join(registry_meta.STATUSES)} "
                         "in a [registry] table (docs/registry.md)")
    variant = meta.get("variant") or s.variants[0].name
    try:
        s.variant(variant)
    except InputError as exc:
        raise InputError(f"{path}: [registry] variant: {exc}") from None
    log = None
    if "measurement_log" in meta:
        log = (path.parent / meta["measurement_log"])
        if not log.is_file():
            raise InputError(f"{path}: [registry] measurement_log: '{shown(meta['measurement_log'])}' is not a file "
                             "(give the results log of `footprint measure`, relative to the scenario file)")
    defaults = {k: v for k, v in info.info if k in ("organization", "department", "contact_email", "contact_name")}
    return s, {**defaults, **meta}, variant, log


def validate(directory) -> list:
    """Check every file of a registry folder without computing; returns the scenario files checked."""
    d = Path(directory)
    info = read_registry_file(d / REGISTRY_FILE) if (d / REGISTRY_FILE).is_file() else RegistryInfo()
    files = scenario_files(d)
    ids = {}
    for p in files:
        s, meta, variant, log = load_entry(p, info)
        if log is not None:
            from .measurement import read_results

            read_results(log)
        i = entry_id(p)
        if i in ids:
            raise InputError(f"{p}: the same page name '{i}' as {ids[i].name}; rename one of the files")
        ids[i] = p
    return files


@dataclass
class Registry:
    """Every entry of a registry folder and the body's totals (:func:`build`)."""

    directory: Path
    info: RegistryInfo
    entries: list
    totals: dict
    generated: str
    samples: int
    seed: int

    def to_dict(self) -> dict:
        """The document of ``registry.json`` (see ``footprint registry schema``)."""
        b = self.info.budget
        return {
            "format": FORMAT, "format_version": FORMAT_VERSION, "standard": dict(STANDARD),
            "generated": self.generated, "footprint_version": footprint_version(),
            "registry": dict(self.info.info),
            "budget": {"per_year": {m: {"value": float(q.magnitude), "unit": f"{q.units:~P}".replace(" ", "")
                                        .replace("/a", "/year")} for m, q in b.limits},
                       "confidence": b.confidence, "scope": b.scope, "human_time": b.human_time,
                       "source": b.source},
            "totals": self.totals,
            "entries": [e.to_dict() for e in self.entries],
        }

    def to_csv(self) -> str:
        """``registry.csv``: one row per entry, every metric's yearly AI figure with its range."""
        metrics = metrics_of({m: 1 for e in self.entries for m in e.environment["metrics"]})
        metrics = list(dict.fromkeys(list(METRICS) + metrics))
        head = ["id", "name", "status", "organization", "department", "variant", "functional_unit",
                "yearly_volume [task/year]", "per_year_scope"]
        for m in metrics:
            unit = self.totals["per_year"].get(m, {}).get("unit") or ""
            head += [f"{m}_per_year [{unit}]", f"{m}_per_year_low [{unit}]", f"{m}_per_year_high [{unit}]",
                     f"{m}_ratio_to_non_ai [-]"]
        head += ["sobriety_verdict", "sobriety_basis", "benefit_verdict", "measured_energy_per_task [Wh]",
                 "measured_to_estimated [-]", "assessment_date", "publication_date", "last_change_date"]
        buf = _io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(head)
        for e in self.entries:
            env, meta = e.environment, e.meta
            row = [e.id, e.name, meta.get("status", ""), meta.get("organization", ""), meta.get("department", ""),
                   e.variant, env["functional_unit"], _num(env["yearly_volume"]["value"]),
                   "+".join(env["per_year"]["basis"]["scopes_judged"])]
            for m in metrics:
                f = env["per_year"]["ai"].get(m)
                r = env["per_task"]["ratio"].get(m)
                row += ([_num(f["value"]), _num(f["low"]), _num(f["high"])] if f else ["", "", ""])
                row.append(_num(r["value"]) if r and r.get("value") is not None else "")
            meas = env.get("measured") or {}
            ratio = meas.get("ratio_measured_to_estimated") or {}
            row += [env["sobriety"]["verdict"], env["sobriety"].get("basis") or "", env["benefit"]["verdict"],
                    _num(meas["energy_per_task"]["value"]) if meas else "", _num(ratio.get("value")),
                    env["assessment_date"], meta.get("publication_date", ""), meta.get("last_change_date", "")]
            w.writerow(row)
        return buf.getvalue()


def footprint_version() -> str:
    """The installed footprint's version (package metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("footprint")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown"


def _num(x) -> str:
    return "" if x is None or not np.isfinite(x) else repr(float(x))


def totals(entries: list, budget: Budget) -> dict:
    """The body's total AI footprint per year: sums of the entries' figures and the joint Monte Carlo draws.

    Every figure is on the registry's basis (``budget.scopes``).  A metric not available in one
    entry is not available in the total (``value`` null, ``not_available_for`` naming the
    entries and their reasons), never counted as 0; ``known_entries`` then gives the sum of the
    entries that have it, named as such.  The scopes shown beside (the users' share...) are
    added up the same way under ``beside``.
    """
    from .compare import SCOPE_TEXT, sobriety_verdict
    from .units import INTERNAL_UNITS as _INTERNAL
    from .units import ureg

    metrics = metrics_of({m: 1 for e in entries for m in e.environment["metrics"]})
    per_year, sobriety = {}, {}
    for m in metrics:
        figs = [(e, e.environment["per_year"]["ai"].get(m)) for e in entries]
        unit = next((f["unit"] for _, f in figs if f is not None and f.get("unit")), "")
        lacking = {e.id: (f or {}).get("not_available") or ["not available"] for e, f in figs
                   if f is None or f.get("value") is None}  # not available: never 0
        known = [(e, f) for e, f in figs if e.id not in lacking]
        conv = {e.id: float(ureg.Quantity(1.0, f["unit"]).m_as(unit)) for e, f in known}
        sums = {k: float(sum(f[k] * conv[e.id] for e, f in known)) for k in ("value", "low", "high")}
        limit = dict(budget.limits).get(m)
        b = None if limit is None else float(limit.m_as(unit))
        if lacking:
            per_year[m] = {"value": None, "low": None, "high": None, "unit": unit, "p5": None, "p50": None,
                           "p95": None, "not_available_for": sorted(lacking),
                           "not_available": [f"{i}: {r}" for i, rs in lacking.items() for r in rs],
                           "known_entries": {**sums, "unit": unit, "entries": [e.id for e, _ in known]}}
            if b is not None:
                # a missing figure can only add to the total: the known entries alone may already exceed the budget
                p_known = None
                if m in _INTERNAL and known and all(m in e.samples for e, _ in known):
                    d_known = ureg.Quantity(sum(e.samples[m] for e, _ in known), f"{_INTERNAL[m]}/year").m_as(unit)
                    p_known = float(np.mean(np.asarray(d_known) > b))
                exceeds = p_known is not None and sobriety_verdict(p_known, budget.confidence) == "exceeds"
                sobriety[m] = {"budget": {"value": b, "unit": unit}, "central_share": None,
                               "probability_exceeding": None, "verdict": "exceeds" if exceeds else "not_available",
                               "confidence": budget.confidence, "not_available_for": sorted(lacking),
                               "probability_known_entries_exceeding": p_known}
            continue
        fig = {**sums, "unit": unit}
        draws = None
        if m in _INTERNAL and all(m in e.samples for e in entries):
            draws = sum(e.samples[m] for e in entries)
            draws = np.asarray(ureg.Quantity(draws, f"{_INTERNAL[m]}/year").m_as(unit))
            p = np.percentile(draws, [5, 50, 95])
            fig.update({"p5": float(p[0]), "p50": float(p[1]), "p95": float(p[2])})
        else:
            fig.update({"p5": None, "p50": None, "p95": None})
        per_year[m] = fig
        if b is not None:
            prob = None if draws is None else float(np.mean(draws > b))
            sobriety[m] = {"budget": {"value": b, "unit": unit}, "central_share": fig["value"] / b,
                           "probability_exceeding": prob,
                           "verdict": "not_available" if prob is None else sobriety_verdict(prob, budget.confidence),
                           "confidence": budget.confidence}
    beside = {}
    for sc in dict.fromkeys(sc for e in entries for sc in e.environment["per_year"]["beside"]):
        held = [e for e in entries if sc in e.environment["per_year"]["beside"]]
        beside[sc] = {"entries": [e.id for e in held], "per_year": {
            m: add_figures([e.environment["per_year"]["beside"][sc][m] for e in held])
            for m in metrics if all(m in e.environment["per_year"]["beside"][sc] for e in held)}}
    return {"per_year": per_year, "sobriety": sobriety, "entries": len(entries),
            "basis": {"scope": budget.scope, "human_time": budget.human_time, "scopes_judged": list(budget.scopes),
                      "text": "AI system per year: " + " + ".join(SCOPE_TEXT[sc] for sc in budget.scopes)},
            "beside": beside,
            "method": "central, low and high: sums of the entries' compare figures (variant in use) on the basis "
                      "(per_year.by_scope of the scopes judged); percentiles and probabilities: one Monte Carlo "
                      "draw of every entry together, each factor row drawn once for the whole registry, values "
                      "given in a file drawn on that entry's own streams"}


def build(directory, *, samples: int = 2000, seed: int = 0, date: str | None = None) -> Registry:
    """Compare every use case of a registry folder and add them up.

    Parameters
    ----------
    directory : path
        Folder of scenario files (``*.toml``) and optional ``registry.cfg``.
    samples, seed : int
        Monte Carlo draws per entry and their seed (one seed for the whole registry).
    date : str, optional
        Date of the assessment (``YYYY-MM-DD``; default today), for entries that do not give theirs.

    Raises
    ------
    InputError
        One line naming the file and the field at fault; nothing is computed past it.
    """
    from .compare import compare_scenario, prepare

    d = Path(directory)
    if date is None:
        date = _dt.date.today().isoformat()
    else:
        try:
            date = registry_meta.parse_date(date)
        except ValueError as exc:
            raise InputError(f"--date: '{shown(date)}' is not a date ({exc}); give YYYY-MM-DD") from None
    validate(d)
    info = read_registry_file(d / REGISTRY_FILE) if (d / REGISTRY_FILE).is_file() else RegistryInfo()
    entries = []
    for p in scenario_files(d):
        s, meta, variant, log = load_entry(p, info)
        plan = prepare(s)
        doc = compare_scenario(s, samples=samples, seed=seed, plan=plan).to_dict()
        measured = measured_section(log, doc["variants"][variant]) if log is not None else None
        eid = entry_id(p)
        env = environment(eid, s, doc, variant, meta.get("assessment_date", date), measured, info.budget)
        e = Entry(id=eid, path=p, scenario=s, meta=meta, variant=variant, doc=doc, environment=env,
                  samples=sample_per_year(plan, variant, samples, seed, eid, info.budget.scopes))
        entries.append(e)
    return Registry(directory=d, info=info, entries=entries, totals=totals(entries, info.budget), generated=date,
                    samples=int(samples), seed=int(seed))
