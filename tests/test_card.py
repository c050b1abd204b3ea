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


def test_card_has_the_headline_figures_and_verdicts_in_words(chatbot_card):
    from footprint import words
    from footprint.i18n import Language

    text, doc, _ = chatbot_card
    assert text.startswith("# Criterion card: City citizen-information chatbot")
    assert "## 1. Energy sobriety" in text and "## 2. Benefit against an alternative without AI" in text
    for name, v in doc["variants"].items():
        assert f"| {name} | CO₂e |" in text
        assert f"**{words.VERDICTS[v['sobriety']['verdict']]}**" in text
        assert f"**{words.VERDICTS[v['benefit']['verdict']]}**" in text
        # the Monte Carlo median of the CO2e per task comes first, as the words module formats it
        assert words.median(v["percentiles"]["per_task"]["ai"]["co2e"], Language("en")) in text
        # the sobriety cell holds the yearly figure, the budget and the verdict
        row = next(ln for ln in text.split("## 2.")[0].splitlines() if ln.startswith(f"| {name} |"))
        assert "kWh/year" in row and "10,000 kWh/year" in row
    for code in ("ai_always_lower", "no_budget", "**within**", "**ai_lower**", "task/day", "3 year;"):
        assert code not in text
    assert "3 years" in text


def test_card_fits_one_page_and_the_assumptions_are_in_the_appendix(chatbot_card):
    text, doc, folder = chatbot_card
    assert len(text.splitlines()) <= card.MAX_LINES
    assert "card.assumptions.md" in text
    appendix = (folder / "card.assumptions.md").read_text(encoding="utf-8")
    assert "| side | line | energy | CO₂e |" in appendix  # every line of the breakdown, the card shows the largest
    section = appendix.split("## Where the footprint comes from", 1)[0]
    rows = [ln for ln in section.splitlines() if ln.startswith("| ") and not ln.startswith(("| assumption", "| ---"))]
    assert len(rows) == len(doc["assumptions"])
    for sid in ("ADEME-BASE-EMPREINTE-ELEC", "ADEME-ACVNUM-TERMINAUX", "ADEME-ACVNUM-USAGES", "META-LLAMA33-CARD"):
        assert sid in appendix


def test_card_states_the_caveats(chatbot_card):
    text, _, _ = chatbot_card
    caveats = text.split("## Caveats and boundary", 1)[1]
    assert "Rebound effects" in caveats and "Excluded" in caveats and "Human time" in caveats
    assert "seed 4" in text


def test_card_written_atomically(chatbot_card):
    _, _, folder = chatbot_card
    assert sorted(os.listdir(folder)) == ["card.assumptions.md", "card.md"]  # no temporary file left


def test_french_card_uses_the_compass_vocabulary(tmp_path, run_cli):
    path = tmp_path / "fiche.md"
    r = run_cli("compare", CHATBOT, "--card", str(path), "--samples", "200", "--lang", "fr")
    assert r.code == 0, r.err
    text = path.read_text(encoding="utf-8")
    assert "## 1. Sobriété énergétique" in text
    assert "## 2. Bénéfice par rapport à une solution alternative sans IA" in text
    assert "## 3. Transparence et redevabilité" in text
    assert "10\u202f000\u202fkWh/an" in text and "3 ans" in text  # decimal comma, narrow no-break space
    assert "dans le budget" in text or "incertain" in text or "dépasse le budget" in text


def test_failed_run_leaves_an_existing_card_untouched(tmp_path, run_cli):
    path = tmp_path / "card.md"
    path.write_text("previous card")
    bad = tmp_path / "bad.toml"
    bad.write_text((ROOT / "scenarios" / "city_chatbot.toml").read_text().replace('model = "llama-3.3-70b"',
                                                                                    'model = "llama-9"', 1))
    r = run_cli("compare", str(bad), "--card", str(path))
    assert r.code == 2 and "unknown model" in r.err
    assert path.read_text() == "previous card"
    assert sorted(os.listdir(tmp_path)) == ["bad.toml", "card.md"]  # neither the card nor its appendix


def test_card_directory_must_exist(tmp_path, run_cli):
    r = run_cli("compare", CHATBOT, "--card", str(tmp_path / "no" / "card.md"))
    assert r.code == 2 and "does not exist" in r.err and len(r.err.strip().splitlines()) == 1


def test_render_per_capita_scenario_shows_boundary_table(run_cli, tmp_path):
    path = tmp_path / "t.md"
    r = run_cli("compare", str(ROOT / "scenarios" / "tomlinson_page.toml"), "--card", str(path), "--samples", "200")
    assert r.code == 0, r.err
    text = path.read_text()
    assert "per-capita share (US)" in text and "agent's device" in text
    assert card.render  # the renderer is importable without click
