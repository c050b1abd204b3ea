"""The criterion card: content, atomic write, nothing written on failure."""

import json
import os
from pathlib import Path

import pytest

from footprint import card

ROOT = Path(__file__).resolve().parent.parent
CHATBOT = str(ROOT / "scenarios" / "city_chatbot.toml")


@pytest.fixture
def chatbot_card(tmp_path, run_cli):
    path = tmp_path / "card.md"
    r = run_cli("compare", CHATBOT, "--json", "--card", str(path), "--samples", "300", "--seed", "4")
    assert r.code == 0, r.err
    return path.read_text(encoding="utf-8"), json.loads(r.out), tmp_path


def test_card_has_the_headline_figures_and_verdicts(chatbot_card):
    text, doc, _ = chatbot_card
    assert text.startswith("# Criterion card: City citizen-information chatbot")
    assert "Criterion 1 — energy sobriety" in text and "Criterion 2 — benefit against the non-AI alternative" in text
    for name, v in doc["variants"].items():
        assert f"| {name} | co2e |" in text
        assert f"**{v['sobriety']['verdict']}**" in text and f"**{v['benefit']['verdict']}**" in text
    # the headline CO2e per task, as formatted in the card
    from footprint.formatting import num
    assert num(doc["per_task"]["ai"]["co2e"]["value"]) in text
    assert num(doc["per_task"]["alternative"]["co2e"]["value"]) in text


def test_card_lists_every_assumption_with_its_source(chatbot_card):
    text, doc, _ = chatbot_card
    section = text.split("## Assumptions and sources", 1)[1]
    rows = [ln for ln in section.splitlines() if ln.startswith("| ") and not ln.startswith(("| input", "| ---"))]
    assert len(rows) == len(doc["assumptions"])
    for sid in ("ADEME-BASE-EMPREINTE-ELEC", "ADEME-ACVNUM-TERMINAUX", "ADEME-ACVNUM-USAGES", "META-LLAMA33-CARD"):
        assert sid in section


def test_card_states_the_caveats(chatbot_card):
    text, _, _ = chatbot_card
    caveats = text.split("## Caveats and boundary", 1)[1]
    assert "Rebound effects" in caveats and "Excluded" in caveats and "Human time" in caveats
    assert "seed 4" in text


def test_card_written_atomically(chatbot_card):
    _, _, folder = chatbot_card
    assert sorted(os.listdir(folder)) == ["card.md"]  # no temporary file left


def test_failed_run_leaves_an_existing_card_untouched(tmp_path, run_cli):
    path = tmp_path / "card.md"
    path.write_text("previous card")
    bad = tmp_path / "bad.toml"
    bad.write_text((ROOT / "scenarios" / "city_chatbot.toml").read_text().replace('model = "llama-3.3-70b"',
                                                                                    'model = "llama-9"', 1))
    r = run_cli("compare", str(bad), "--card", str(path))
    assert r.code == 2 and "unknown model" in r.err
    assert path.read_text() == "previous card"
    assert sorted(os.listdir(tmp_path)) == ["bad.toml", "card.md"]


def test_card_directory_must_exist(tmp_path, run_cli):
    r = run_cli("compare", CHATBOT, "--card", str(tmp_path / "no" / "card.md"))
    assert r.code == 2 and "does not exist" in r.err and len(r.err.strip().splitlines()) == 1


def test_render_per_capita_scenario_shows_boundary_table(run_cli, tmp_path):
    path = tmp_path / "t.md"
    r = run_cli("compare", str(ROOT / "scenarios" / "tomlinson_page.toml"), "--card", str(path), "--samples", "200")
    assert r.code == 0, r.err
    text = path.read_text()
    assert "`per_capita_us`" in text and "`device`" in text and "per-capita" in text
    assert card.render  # the renderer is importable without click
