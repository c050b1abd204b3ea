"""The [registry] table of a scenario: Eurocities field names, checked values, one-line refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from footprint import registry_meta
from footprint.errors import InputError
from footprint.scenario import load, loads

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "scenarios" / "medical_reports.toml").read_text(encoding="utf-8")


def _without_registry(text: str) -> str:
    """The scenario text up to its [registry] table (the shipped files end with it, when they have one)."""
    return text.split("\n[registry]")[0]


def _with(table: str) -> str:
    return _without_registry(BASE) + "\n[registry]\n" + table + "\n"


def test_fields_are_read_and_dates_normalised():
    s = loads(_with('status = "pilot"\norganization = "Métropole"\npublication_date = 2025-03-14\n'
                    'last_change_date = "2025-04-01"\ncontact_email = "ia@example.org"'), "x.toml")
    meta = dict(s.registry)
    assert meta == {"status": "pilot", "organization": "Métropole", "publication_date": "2025-03-14",
                    "last_change_date": "2025-04-01", "contact_email": "ia@example.org"}


@pytest.mark.parametrize("table, field, words", [
    ('statut = "pilot"', "statut", ["unknown key 'statut'", "did you mean 'status'"]),
    ('status = "in production"', "status", ["unknown status 'in production'", "did you mean 'operational'"]),
    ('status = "live"', "status", ["unknown status 'live'", "valid: planned"]),
    ('publication_date = "2025-13-01"', "publication_date", ["'2025-13-01' is not a date", "YYYY-MM-DD"]),
    ('last_change_date = "14/03/2025"', "last_change_date", ["is not a date"]),
    ('contact_email = "nobody"', "contact_email", ["not an e-mail address"]),
    ('codebase_url = "www.example.org"', "codebase_url", ["https://"]),
    ('goal = 3', "goal", ["must be a text"]),
])
def test_bad_metadata_is_one_line_naming_file_and_field(table, field, words):
    with pytest.raises(InputError) as exc:
        loads(_with(table), "scenarios/x.toml")
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith("scenarios/x.toml:")
    assert field in msg
    for w in words:
        assert w in msg


def test_the_line_of_the_bad_field_is_named():
    text = _with('status = "pilot"\npublication_date = "soon"')
    line = text.splitlines().index('publication_date = "soon"') + 1
    with pytest.raises(InputError, match=rf"^x.toml:{line}: \[registry\] publication_date"):
        loads(text, "x.toml")


def test_a_registry_table_changes_no_figure():
    from footprint.compare import compare_scenario

    plain = compare_scenario(loads(_without_registry(BASE), "a.toml"), samples=200, seed=1).to_dict()
    meta = compare_scenario(loads(_with('status = "operational"'), "a.toml"), samples=200, seed=1).to_dict()
    assert plain == meta


def test_every_shipped_scenario_has_a_status():
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        meta = dict(load(path).registry)
        assert meta.get("status") in registry_meta.STATUSES, path.name


def test_status_list_is_the_eurocities_one():
    # Eurocities algorithm-register standard v0.3.1, attribute "status" (English enum)
    assert registry_meta.STATUSES == ("planned", "design", "development", "pilot", "evaluation", "operational",
                                      "retired")


@pytest.mark.parametrize("table", ['status = "pilot\\nx"', 'publication_date = "2025\\n"',
                                   'contact_email = "a\\u2028b"'])
def test_control_characters_stay_on_one_line(table):
    with pytest.raises(InputError) as exc:
        loads(_with(table), "x.toml")
    assert len(str(exc.value).splitlines()) == 1
