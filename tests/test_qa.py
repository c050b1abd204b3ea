"""Regressions found by trying the new options as a user would: bad inputs refused in one line, no silent
reinterpretation, outputs in the language asked."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHATBOT = (ROOT / "scenarios" / "city_chatbot.toml").read_text(encoding="utf-8")


def _scenario(tmp_path, old, new):
    assert old in CHATBOT
    path = tmp_path / "s.toml"
    path.write_text(CHATBOT.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_step_water_scope_that_is_not_a_scope_is_one_line(tmp_path, run_cli):
    path = _scenario(tmp_path, 'gpu = "H100"', 'gpu = "H100"\nwater_scope = "x"')
    card = tmp_path / "card.md"
    r = run_cli("compare", str(path), "--card", str(card))
    assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    assert "water_scope: 'x' is not one of onsite, onsite+electricity" in r.err and "'dedicated'" in r.err
    assert not card.exists() and not (tmp_path / "card.assumptions.md").exists()


def test_a_step_water_scope_is_read_like_the_resolver_reads_it(tmp_path):
    from footprint.compare import compare_scenario
    from footprint.scenario import load

    path = _scenario(tmp_path, 'gpu = "H100"', 'gpu = "H100"\nwater_scope = " Onsite"')
    doc = compare_scenario(load(path), samples=100).to_dict()
    assert doc["variants"]["dedicated"]["water_scope"]["scope"] == "onsite"
