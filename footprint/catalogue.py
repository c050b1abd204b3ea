"""The model catalogue: who makes a model, what it is called, how sure its size is.

The sizes themselves (total and active parameters, context length, reasoning flag,
training facts, disclosures) are sourced rows of ``factors/models.csv``.  This module
reads the two tables beside them that hold words rather than numbers:

``factors/catalogue/models.csv``
    one row per model: ``model, task, display_name, provider, licence, architecture,
    release_date, reasoning, deployment_profile, size_basis, size_source_id, size_by,
    checked, notes``.  ``size_basis`` says whether the size is ``published`` by the
    maker, an ``estimate`` by a named third party that states its method, or an
    ``assumption`` of footprint (a size class with a wide range); ``size_by`` says by
    whom; ``checked`` is the date the row was last compared with its sources.
``factors/catalogue/aliases.csv``
    the names people type: ``alias, model, kind, points_to_date, source_id`` with kind
    one of ``display``, ``hf_id``, ``api``, ``compar_ia_id``, ``latest`` (a provider's
    moving ``-latest`` name, with the date it was seen pointing to the model).  A
    Hugging Face id also resolves without its organisation.

Look-up ignores case and punctuation: ``Llama 4 Scout``, ``llama-4-scout`` and
``LLAMA_4_SCOUT`` are one name.  Users may add rows in a ``catalogue/`` folder of a
``FOOTPRINT_FACTORS`` directory (same columns; a later row for the same model wins).
Tables are read on first use and cached.
"""

from __future__ import annotations

import csv
import datetime as _dt
import difflib
import re
from dataclasses import dataclass, fields
from functools import lru_cache

from . import factors
from .errors import InputError

CATALOGUE_COLUMNS = ("model", "task", "display_name", "provider", "licence", "architecture", "release_date",
                     "reasoning", "deployment_profile", "size_basis", "size_source_id", "size_by", "checked", "notes")
ALIAS_COLUMNS = ("alias", "model", "kind", "points_to_date", "source_id")
ALIAS_KINDS = ("display", "hf_id", "api", "compar_ia_id", "latest")
SIZE_BASES = ("published", "estimate", "assumption")
DEPLOYMENT_PROFILES = ("frontier_api", "cloud_api", "self_hosted", "on_premise")
REASONING = ("yes", "hybrid", "no", "not stated")
#: status of a ``total_params`` row -> the size basis it implies
_BASIS_OF_STATUS = {"published": "published", "derived": "published", "estimate": "estimate", "assumption": "assumption",
                    "calibrated": "estimate"}


@dataclass(frozen=True)
class Entry:
    """One catalogue row (the words about a model; its numbers are in ``factors/models.csv``)."""

    model: str
    task: str
    display_name: str
    provider: str
    licence: str
    architecture: str
    release_date: str
    reasoning: str
    deployment_profile: str
    size_basis: str
    size_source_id: str
    size_by: str
    checked: str
    notes: str
    path: str = ""

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "path"}


@dataclass(frozen=True)
class Alias:
    """A name people type for a catalogue model."""

    alias: str
    model: str
    kind: str
    points_to_date: str
    source_id: str
    path: str = ""


def normalise(name: str) -> str:
    """The look-up form of a model name: lower case, letters and digits only.

    >>> normalise("Llama 4 Scout") == normalise("llama-4-scout") == "llama4scout"
    True
    >>> normalise("meta-llama/Llama-4-Scout-17B-16E-Instruct")
    'metallamallama4scout17b16einstruct'
    """
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def _read(path, columns):
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = tuple(h.strip() for h in (reader.fieldnames or ()))
        if header != columns:
            raise InputError(f"{path}: header must be {','.join(columns)}")
        return [{k: (rec.get(k) or "").strip() for k in columns} for rec in reader]


@lru_cache(maxsize=None)
def entries() -> dict[str, Entry]:
    """Every catalogue row by lower-case model key (shipped first, user rows override)."""
    out: dict[str, Entry] = {}
    for d in factors.data_dirs():
        path = d / "catalogue" / "models.csv"
        if path.is_file():
            for rec in _read(path, CATALOGUE_COLUMNS):
                out[rec["model"].lower()] = Entry(**rec, path=str(path))
    return out


@lru_cache(maxsize=None)
def aliases() -> tuple[Alias, ...]:
    """Every alias row (shipped and user directories)."""
    out = []
    for d in factors.data_dirs():
        path = d / "catalogue" / "aliases.csv"
        if path.is_file():
            out.extend(Alias(**rec, path=str(path)) for rec in _read(path, ALIAS_COLUMNS))
    return tuple(out)


@lru_cache(maxsize=None)
def _training_rows() -> tuple[dict, dict]:
    """(model -> row of catalogue/training.csv, provider -> row of catalogue/developers.csv)."""
    models, developers = {}, {}
    for d in factors.data_dirs():
        for name, key, out in (("training.csv", "model", models), ("developers.csv", "provider", developers)):
            path = d / "catalogue" / name
            if path.exists():
                with path.open(newline="", encoding="utf-8") as fh:
                    for rec in csv.DictReader(fh):
                        out[rec[key].strip().lower()] = {k: (v or "").strip() for k, v in rec.items()}
    return models, developers


def training_gpu(key: str) -> str | None:
    """The accelerator a catalogue model was trained on (``catalogue/training.csv``), or None when not known.

    >>> training_gpu("deepseek-v3")
    'H800'
    """
    row = _training_rows()[0].get(str(key).lower())
    return (row or {}).get("training_gpu") or None


def training_site(key: str) -> dict | None:
    """Where a catalogue model was trained: ``{"zone", "basis", "source_id", "status"}``, or None when not known.

    The model's own row of ``catalogue/training.csv`` first, else its developer's row of
    ``catalogue/developers.csv``.

    >>> training_site("llama-3.1-8b")["zone"], training_site("mistral-large-2")["basis"]
    ('USA', 'developer Mistral AI')
    """
    models, developers = _training_rows()
    row = models.get(str(key).lower())
    if row and row.get("training_zone"):
        return {"zone": row["training_zone"], "basis": "model's published training facts", "source_id": row.get("source_id"),
                "status": "published"}
    e = entry(key)
    dev = developers.get(e.provider.strip().lower()) if e is not None and e.provider else None
    if dev and dev.get("training_zone"):
        return {"zone": dev["training_zone"], "basis": f"developer {e.provider}", "source_id": dev.get("source_id"),
                "status": dev.get("status") or "assumption"}
    return None


def clear_cache() -> None:
    """Forget the loaded catalogue (after changing FOOTPRINT_FACTORS)."""
    entries.cache_clear()
    _training_rows.cache_clear()
    aliases.cache_clear()
    _names.cache_clear()


factors.on_clear(clear_cache)


def entry(key: str) -> Entry | None:
    """The catalogue row of model `key`, or None when the model has none."""
    return entries().get(key.strip().lower())


def _model_keys() -> dict[str, str]:
    """Keys of the models table by lower case (the spelling ``--model`` reports)."""
    return {k.lower(): k for k in factors.keys("models")}


@lru_cache(maxsize=None)
def _names() -> dict[str, frozenset]:
    """Normalised name -> the model keys it names (keys, display names, aliases)."""
    index: dict[str, set] = {}
    for low, key in _model_keys().items():
        index.setdefault(normalise(key), set()).add(key)
    table = _model_keys()
    for e in entries().values():
        key = table.get(e.model.lower())
        if key and e.display_name:
            index.setdefault(normalise(e.display_name), set()).add(key)
    for a in aliases():
        key = table.get(a.model.lower())
        if key:
            index.setdefault(normalise(a.alias), set()).add(key)
            if a.kind == "hf_id" and "/" in a.alias:  # the repository name without its organisation
                index.setdefault(normalise(a.alias.rsplit("/", 1)[1]), set()).add(key)
    return {n: frozenset(ks) for n, ks in index.items() if n}


def resolve(name: str) -> str | None:
    """The model key that `name` names (key, display name or alias), or None.

    Case and punctuation do not matter; a Hugging Face id also resolves by its
    part after the organisation (``Llama-4-Scout-17B-16E-Instruct``).  A name that
    names two models raises :class:`InputError`.

    >>> resolve("Llama 4 Scout"), resolve("mistral-large-latest")
    ('llama-4-scout', 'mistral-large-3')
    >>> resolve("no such model") is None
    True
    """
    names = _names()
    tries = [normalise(name)]
    if "/" in name:
        tries.append(normalise(name.rsplit("/", 1)[1]))
    for n in tries:
        hit = names.get(n)
        if hit:
            if len(hit) > 1:
                raise InputError(f"model name '{name}' is ambiguous: it names {', '.join(sorted(hit))}; "
                                 "give one of these keys")
            return next(iter(hit))
    return None


def all_names() -> dict[str, str]:
    """Every accepted spelling (keys, display names, aliases) -> model key."""
    table = _model_keys()
    out = {key: key for key in table.values()}
    for e in entries().values():
        if e.display_name and e.model.lower() in table:
            out.setdefault(e.display_name, table[e.model.lower()])
    for a in aliases():
        if a.model.lower() in table:
            out.setdefault(a.alias, table[a.model.lower()])
    return out


def suggest(name: str, n: int = 3) -> list[str]:
    """Up to `n` catalogue models closest to `name`, each once, as ``key (display name)``.

    >>> suggest("llama 4 scot")[0]
    'llama-4-scout'
    >>> suggest("mistral large")[0]
    'mistral-large-3 (Mistral 3 Large)'
    """
    spelled = all_names()
    by_norm: dict[str, str] = {}
    for s, key in spelled.items():
        by_norm.setdefault(normalise(s), key)
    target = normalise(name)
    close = difflib.get_close_matches(target, list(by_norm), n=4 * n, cutoff=0.6)
    close += sorted(s for s in by_norm if target and (s.startswith(target) or target in s) and s not in close)
    keys: list[str] = []
    for s in close:
        key = by_norm[s]
        if key not in keys:
            keys.append(key)
    return [_label(k) for k in keys[:n]]


def _label(key: str) -> str:
    e = entry(key)
    return f"{key} ({e.display_name})" if e and e.display_name and normalise(e.display_name) != normalise(key) else key


def find_model(name: str, kind: str = "model") -> str:
    """The model key that `name` names (key, display name or alias, any case), or an error naming the closest.

    >>> find_model("Llama 2 7B"), find_model("LLAMA-2-7B")
    ('llama-2-7b', 'llama-2-7b')
    """
    low = name.strip().lower()
    for key in factors.keys("models"):  # a row of the models table (a user's own too), by its key
        if key.lower() == low:
            return key
    hit = resolve(name)
    if hit is not None:
        return hit
    raise unknown_model(name, kind)


def unknown_model(name: str, kind: str = "model") -> InputError:
    """The error for a model name that no key, display name or alias matches."""
    near = suggest(name)
    hint = f"did you mean {', '.join(near)}?" if near else "no close name in the catalogue"
    return InputError(f"unknown {kind} '{name}'; {hint} (`footprint factors list models --search TEXT` lists the "
                      "names --model accepts; or give --params and --active-params)")


def search(text: str | None = None) -> list[str]:
    """Model keys whose key, display name, provider or an alias contains `text` (all keys without `text`).

    Matching ignores case and punctuation.

    >>> "mistral-large-3" in search("mistral") and "llama-4-scout" not in search("mistral")
    True
    """
    keys = list(_model_keys().values())
    if not text or not normalise(text):
        return keys
    target = normalise(text)
    hay: dict[str, list[str]] = {k: [k] for k in keys}
    table = _model_keys()
    for e in entries().values():
        k = table.get(e.model.lower())
        if k:
            hay[k] += [e.display_name, e.provider]
    for a in aliases():
        k = table.get(a.model.lower())
        if k:
            hay[k].append(a.alias)
    return [k for k in keys if any(target in normalise(s) for s in hay[k])]


def aliases_of(key: str) -> list[Alias]:
    """The alias rows of model `key`."""
    return [a for a in aliases() if a.model.lower() == key.lower()]


def size_provenance(key: str) -> dict:
    """Whether the size of `key` is published, estimated or assumed, by whom, and when it was checked.

    Returns a dict with ``size_basis``, ``size_by``, ``size_source_id``, ``citation``,
    ``url_or_doi``, ``checked`` (empty strings when the model has no catalogue row) and
    ``note``, one line for an assumption list.

    >>> p = size_provenance("gpt-4o")
    >>> p["size_basis"], p["size_by"].startswith("EcoLogits")
    ('estimate', True)
    """
    e = entry(key)
    if e is None:
        return {"size_basis": "", "size_by": "", "size_source_id": "", "citation": "", "url_or_doi": "", "checked": "",
                "note": f"{key}: no catalogue row; the size is the factor row's (see `footprint factors show {key}`)"}
    src = factors.sources().get(e.size_source_id, {})
    verb = {"published": "published by", "estimate": "estimated by", "assumption": "assumed (footprint) from"}.get(
        e.size_basis, e.size_basis)
    return {"size_basis": e.size_basis, "size_by": e.size_by, "size_source_id": e.size_source_id,
            "citation": src.get("citation", ""), "url_or_doi": src.get("url_or_doi", ""), "checked": e.checked,
            "note": f"size {verb} {e.size_by} [{e.size_source_id}], checked {e.checked}"}


def _date(text: str) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        return None


def stale_estimates(today: _dt.date | None = None, max_age_days: int = 365) -> list[str]:
    """Warnings for ``estimate`` sizes checked more than `max_age_days` before `today` (default: the system date).

    >>> import datetime
    >>> any("gpt-4o:" in w for w in stale_estimates(datetime.date(2030, 1, 1)))
    True
    """
    today = today or _dt.date.today()
    out = []
    for e in entries().values():
        checked = _date(e.checked)
        if e.size_basis == "estimate" and checked is not None and (today - checked).days > max_age_days:
            out.append(f"{e.model}: size estimate by {e.size_by} last checked {e.checked} "
                       f"({(today - checked).days} days ago); compare it with {e.size_source_id} and newer estimates, "
                       "then update 'checked' in catalogue/models.csv")
    return out


def cited_sources() -> set[str]:
    """Source ids the catalogue cites: each model's ``size_source_id``, each alias's, training site's and developer's, and those their notes name."""
    trained, developers = _training_rows()
    ids = {e.size_source_id for e in entries().values()} | {a.source_id for a in aliases()}
    ids |= {r.get("source_id", "") for r in list(trained.values()) + list(developers.values())}
    notes = "\n".join([e.notes for e in entries().values()]
                      + [r.get("notes", "") for r in list(trained.values()) + list(developers.values())])
    return ids | factors.named_in(notes, set(factors.sources()) - ids)


def validate() -> list[str]:
    """Check the catalogue against the factor tables; returns the problems (empty when all is well)."""
    problems = []
    table = _model_keys()
    src = factors.sources()
    for e in entries().values():
        where = f"catalogue/models.csv: {e.model}"
        if e.model.lower() not in table:
            problems.append(f"{where}: no rows in factors/models.csv")
            continue
        if e.size_basis not in SIZE_BASES:
            problems.append(f"{where}: size_basis '{e.size_basis}' not in {SIZE_BASES}")
        if e.deployment_profile not in DEPLOYMENT_PROFILES:
            problems.append(f"{where}: deployment_profile '{e.deployment_profile}' not in {DEPLOYMENT_PROFILES}")
        if e.reasoning not in REASONING:
            problems.append(f"{where}: reasoning '{e.reasoning}' not in {REASONING}")
        if _date(e.checked) is None:
            problems.append(f"{where}: checked '{e.checked}' is not a date (YYYY-MM-DD)")
        if e.size_source_id not in src:
            problems.append(f"{where}: size_source_id '{e.size_source_id}' not in the sources")
        flagged = factors.get("models", e.model, "reasoning")
        if (e.reasoning in ("yes", "hybrid")) != (flagged is not None and flagged.value == 1):
            problems.append(f"{where}: reasoning '{e.reasoning}' disagrees with the sourced reasoning row of factors/models.csv")
        total = factors.get("models", e.model, "total_params")
        if total is not None and _BASIS_OF_STATUS.get(total.status) != e.size_basis:
            problems.append(f"{where}: size_basis '{e.size_basis}' but total_params is '{total.status}'")
    for a in aliases():
        where = f"catalogue/aliases.csv: {a.alias}"
        if a.model.lower() not in table:
            problems.append(f"{where}: model '{a.model}' has no rows in factors/models.csv")
        if a.kind not in ALIAS_KINDS:
            problems.append(f"{where}: kind '{a.kind}' not in {ALIAS_KINDS}")
        if a.kind == "latest" and not a.points_to_date:
            problems.append(f"{where}: a -latest alias needs points_to_date")
        if a.source_id not in src:
            problems.append(f"{where}: source_id '{a.source_id}' not in the sources")
    models, developers = _training_rows()
    gpus = {k.lower() for k in factors.keys("gpus")}
    zones = {k.lower() for k in factors.keys("grid")}
    for name, rows in (("training.csv", models), ("developers.csv", developers)):
        for key, row in rows.items():
            where = f"catalogue/{name}: {key}"
            if name == "training.csv" and key not in table:
                problems.append(f"{where}: no rows in factors/models.csv")
            if row.get("training_gpu") and row["training_gpu"].lower() not in gpus:
                problems.append(f"{where}: training_gpu '{row['training_gpu']}' not in factors/gpus.csv")
            if row.get("training_zone") and row["training_zone"].lower() not in zones:
                problems.append(f"{where}: training_zone '{row['training_zone']}' not in factors/grid.csv")
            if row.get("source_id") not in src:
                problems.append(f"{where}: source_id '{row.get('source_id')}' not in the sources")
            if name == "developers.csv" and row.get("status") not in factors.STATUSES:
                problems.append(f"{where}: status '{row.get('status')}' not in {factors.STATUSES}")
    for n, ks in _names().items():
        if len(ks) > 1:
            problems.append(f"catalogue: the name '{n}' (normalised) names {', '.join(sorted(ks))}")
    return problems
