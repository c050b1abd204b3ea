"""docs/json.md lists every top-level key each command prints with --json (so the contract cannot go stale)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
CHATBOT = str(ROOT / "scenarios" / "city_chatbot.toml")


def _section(title: str) -> str:
    """The text of the section whose heading contains `title` (up to the next heading of that level)."""
    m = re.search(r"^## [^\n]*" + re.escape(title) + r"[^\n]*\n(.*?)(?=^## |\Z)", DOC, re.S | re.M)
    assert m, f"docs/json.md has no section for {title}"
    return m.group(1)


@pytest.mark.parametrize("title, args", [
    ("footprint estimate --json", ["estimate", "--params", "8B", "--requests", "10000/day", "--period", "1 year",
                                   "--samples", "200", "--json"]),
    ("footprint compare --json", ["compare", CHATBOT, "--samples", "200", "--json"]),
    ("footprint scenario show --json", ["scenario", "show", CHATBOT, "--json"]),
    ("footprint factors list --json", ["factors", "list", "models", "--json"]),
    ("footprint factors list --json", ["factors", "show", "H100", "--json"]),
    ("footprint schedule --json", ["schedule", "--zone", "FRA", "--profile", "office-hours", "--json"]),
    ("footprint schedule --json", ["schedule", "--zone", "FRA", "--duration", "6 h", "--earliest", "2023-03-06",
                                   "--deadline", "2023-03-13", "--energy", "40 kWh", "--json"]),
])
def test_every_top_level_key_is_documented(run_cli, title, args):
    res = run_cli(*args)
    assert res.code == 0, res.err
    section = _section(title)
    missing = [k for k in json.loads(res.out) if f"`{k}`" not in section]
    assert missing == []


def test_the_documented_way_to_load_the_units_works():
    import importlib.resources

    import pint

    ureg = pint.UnitRegistry(None)
    ureg.load_definitions(str(importlib.resources.files("footprint") / "units.txt"))
    assert ureg.Quantity(5, "task/day").to("task/year").magnitude == pytest.approx(5 * 365.25)
    assert ureg.Quantity(2.0, "gCO2e/task").to("kgCO2e/task").magnitude == pytest.approx(0.002)
    assert ureg.Quantity(3600, "J/token").to("Wh/token").magnitude == pytest.approx(1.0)
    assert ureg.Quantity(2.0, "mgSbeq").to("kgSbeq").magnitude == pytest.approx(2e-6)
