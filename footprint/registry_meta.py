"""Registry metadata of a use case: the optional ``[registry]`` table of a scenario file.

The field names are those of the Eurocities algorithm-register standard
(v0.3.1, built from Amsterdam's and Helsinki's registers), so that an entry can
be published as one record of such a register.  ``external_supplier`` is the UK
Algorithmic Transparency Recording Standard's name (the Eurocities standard has
no supplier field); ``variant``, ``measurement_log`` and ``assessment_date`` are
footprint's own.  The mapping to the UK ATRS, the Dutch Algoritmeregister and
Etalab's inventory guide is in ``docs/registry.md``.

Values are data: texts, dates (``YYYY-MM-DD`` or a TOML date), an e-mail
address, a web address, one status of :data:`STATUSES`.  An unknown key, a
status outside the list or a date that does not parse is refused with one line
naming the file and the field.

References
----------
.. [1] Eurocities, Algorithmic Transparency Standard v0.3.1 (repository
   ``Algoritmeregister/standard``, ``_data/schema-v0_3_1.yaml``), 2023.
.. [2] UK Central Digital and Data Office, Algorithmic Transparency Recording Standard v3.0, 2024.
"""

from __future__ import annotations

import datetime as _dt
import re

#: Status of a use case (Eurocities v0.3.1 ``status`` enum): planned, in trial (``pilot``), in production
#: (``operational``), retired, and the stages between.
STATUSES = ("planned", "design", "development", "pilot", "evaluation", "operational", "retired")

#: Every key of ``[registry]``: its kind (``text``, ``email``, ``url``, ``date``, ``status``, ``uuid``, ``path``).
FIELDS = {
    "description_short": "text",
    "organization": "text",
    "department": "text",
    "contact_email": "email",
    "contact_name": "text",
    "website": "url",
    "status": "status",
    "goal": "text",
    "impact": "text",
    "proportionality": "text",
    "risks": "text",
    "lawful_basis": "text",
    "source_data": "text",
    "methods_and_models": "text",
    "alternatives_considered": "text",
    "human_intervention": "text",
    "objection_procedure": "text",
    "monitoring": "text",
    "codebase_url": "url",
    "external_supplier": "text",
    "publication_date": "date",
    "last_change_date": "date",
    "revision_date": "date",
    "uuid": "uuid",
    "variant": "text",
    "measurement_log": "path",
    "assessment_date": "date",
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HINT = {"in trial": "pilot", "trial": "pilot", "in production": "operational", "production": "operational",
         "in_production": "operational", "in_trial": "pilot", "live": "operational"}


def parse_date(value) -> str:
    """An ISO date ``YYYY-MM-DD`` from a TOML date or a text; ValueError if it is not one.

    >>> parse_date("2025-03-14")
    '2025-03-14'
    >>> parse_date(_dt.date(2024, 2, 29))
    '2024-02-29'
    >>> parse_date("2025-02-30")
    Traceback (most recent call last):
    ...
    ValueError: day is out of range for month
    """
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError("not in the form YYYY-MM-DD")
    return _dt.date.fromisoformat(value.strip()).isoformat()


def check_value(key: str, value) -> str:
    """The checked value of field `key` (as text), or ValueError with what is accepted.

    >>> check_value("status", "operational")
    'operational'
    >>> check_value("status", "in production")
    Traceback (most recent call last):
    ...
    ValueError: unknown status 'in production'; did you mean 'operational'? valid: planned, design, development, pilot, evaluation, operational, retired
    """
    from .quantity import shown

    kind = FIELDS[key]
    if kind == "date":
        try:
            return parse_date(value)
        except ValueError as exc:
            raise ValueError(f"'{shown(value)}' is not a date ({exc}); give YYYY-MM-DD, e.g. 2025-03-14") from None
    if not isinstance(value, str):
        raise ValueError("must be a text in quotes")
    text = value.strip()
    if not text:
        raise ValueError("is empty; give a text or leave the key out")
    if kind == "status":
        if text not in STATUSES:
            from .errors import closest

            near = _HINT.get(text.lower()) or next(iter(closest(text, STATUSES, n=1)), None)
            hint = f"did you mean '{near}'? " if near else ""
            raise ValueError(f"unknown status '{shown(text)}'; {hint}valid: {', '.join(STATUSES)}")
    elif kind == "email" and not _EMAIL.match(text):
        raise ValueError(f"'{shown(text)}' is not an e-mail address; give e.g. ia@example.org")
    elif kind == "url" and not _URL.match(text):
        raise ValueError(f"'{shown(text)}' is not a web address; give an address starting with https://")
    elif kind == "uuid" and not _UUID.match(text):
        raise ValueError(f"'{shown(text)}' is not a UUID; give e.g. 123e4567-e89b-12d3-a456-426614174000")
    return text


def read(ctx, table) -> tuple:
    """The ``[registry]`` table of a scenario as ``((key, value), ...)``, checked.

    Parameters
    ----------
    ctx : footprint.scenario._Context
        Gives the error messages their file and line.
    table : dict
        The parsed ``[registry]`` table.
    """
    if not isinstance(table, dict):
        raise ctx.error("'registry' must be a table ([registry] with keys below it)", "registry")
    ctx.keys(table, tuple(FIELDS), "[registry]")
    out = []
    for key, value in table.items():
        try:
            out.append((key, check_value(key, value)))
        except ValueError as exc:
            raise ctx.error(f"[registry] {key}: {exc}", key) from None
    return tuple(out)
