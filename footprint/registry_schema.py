"""The JSON Schema of ``registry.json`` (shipped as ``registry_schema.json``) and a validator of its subset.

The validator implements the keywords the schema uses (JSON Schema 2020-12
semantics): ``type`` (one or a list), ``properties``, ``required``,
``additionalProperties`` (false or a schema), ``items``, ``minItems``,
``enum``, ``const``, ``pattern``, ``minLength``, ``minimum``, ``maximum``,
``anyOf``, ``format: date`` and local ``$ref`` (``#/$defs/...``).  A schema
that uses any other keyword is refused (:func:`check_keywords`), so the
validator cannot silently ignore a rule.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import re
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("registry_schema.json")
KEYWORDS = {"$schema", "$id", "title", "description", "type", "properties", "required", "additionalProperties",
            "items", "minItems", "enum", "const", "pattern", "minLength", "minimum", "maximum", "anyOf", "format",
            "$ref", "$defs", "examples"}
_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def schema_text() -> str:
    """The schema as shipped (JSON text)."""
    return SCHEMA_PATH.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(schema_text())


def check_keywords(s, where="#") -> None:
    """Refuse a schema keyword this validator does not implement."""
    if isinstance(s, dict):
        for k, v in s.items():
            if k not in KEYWORDS:
                raise ValueError(f"{where}: schema keyword '{k}' is not implemented by this validator")
            if k in ("properties", "$defs"):
                for name, sub in v.items():
                    check_keywords(sub, f"{where}/{k}/{name}")
            elif k in ("items", "additionalProperties") and isinstance(v, dict):
                check_keywords(v, f"{where}/{k}")
            elif k == "anyOf":
                for i, sub in enumerate(v):
                    check_keywords(sub, f"{where}/anyOf/{i}")


def _is_type(x, t: str) -> bool:
    if t == "number":
        return isinstance(x, (int, float)) and not isinstance(x, bool)
    if t == "integer":
        return isinstance(x, int) and not isinstance(x, bool)
    return isinstance(x, _TYPES[t])


def errors(doc, s: dict | None = None, root: dict | None = None, path: str = "$") -> list:
    """Every violation of schema `s` (default: the registry schema) by `doc`, as ``"path: what"`` lines.

    >>> errors({"a": 1}, {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["b"]})
    ["$: missing required property 'b'", '$.a: 1 is not of type string']
    """
    if s is None:
        s = root = schema()
    root = root or s
    out = []
    if "$ref" in s:
        ref = s["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are implemented: {ref}")
        target = root
        for part in ref[2:].split("/"):
            target = target[part]
        out += errors(doc, target, root, path)
    if "anyOf" in s:
        if all(errors(doc, sub, root, path) for sub in s["anyOf"]):
            out.append(f"{path}: matches none of the allowed forms")
    if "type" in s:
        types = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(_is_type(doc, t) for t in types):
            return out + [f"{path}: {json.dumps(doc)[:60]} is not of type {' or '.join(types)}"]
    if "const" in s and doc != s["const"]:
        out.append(f"{path}: must be {json.dumps(s['const'])}")
    if "enum" in s and doc not in s["enum"]:
        out.append(f"{path}: {json.dumps(doc)[:60]} is not one of {', '.join(map(str, s['enum']))}")
    if isinstance(doc, str):
        if "minLength" in s and len(doc) < s["minLength"]:
            out.append(f"{path}: shorter than {s['minLength']} characters")
        if "pattern" in s and not re.search(s["pattern"], doc):
            out.append(f"{path}: '{doc[:60]}' does not match {s['pattern']}")
        if s.get("format") == "date":
            try:
                _dt.date.fromisoformat(doc)
            except ValueError:
                out.append(f"{path}: '{doc[:60]}' is not a date")
    if _is_type(doc, "number"):
        if "minimum" in s and doc < s["minimum"]:
            out.append(f"{path}: {doc} is below {s['minimum']}")
        if "maximum" in s and doc > s["maximum"]:
            out.append(f"{path}: {doc} is above {s['maximum']}")
    if isinstance(doc, dict):
        for k in s.get("required", []):
            if k not in doc:
                out.append(f"{path}: missing required property '{k}'")
        props = s.get("properties", {})
        extra = s.get("additionalProperties", True)
        for k, v in doc.items():
            if k in props:
                out += errors(v, props[k], root, f"{path}.{k}")
            elif extra is False:
                out.append(f"{path}: unexpected property '{k}'")
            elif isinstance(extra, dict):
                out += errors(v, extra, root, f"{path}.{k}")
    if isinstance(doc, list):
        if "minItems" in s and len(doc) < s["minItems"]:
            out.append(f"{path}: fewer than {s['minItems']} items")
        if "items" in s:
            for i, v in enumerate(doc):
                out += errors(v, s["items"], root, f"{path}[{i}]")
    return out
