"""The notes of the tables, the card and the registry pages in French; English and JSON as they were."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from footprint import alternatives, card, i18n, words
from footprint.cli import compare as cli_compare
from footprint.i18n import Language

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
FR, EN = Language("fr"), Language("en")
PLACEHOLDER = re.compile(r"\{(\w+)\}")

#: Estimates that reach the resolver's notes: defaults, catalogue models, overrides, the FLOP, measured and per-item
#: paths, zones without some factors, training (published site, developer's site, unknown site, a zone without
#: water), reasoning, usage profiles, precision.
ESTIMATES = [
    ["--params", "70B", "--output-tokens", "400", "--gpu", "H100", "--zone", "FRA"],
    ["--model", "mixtral-8x7b", "--requests", "10000/day", "--zone", "FRA"],
    ["--model", "mixtral-8x7b", "--params", "50B"],
    ["--model", "llama-3.3-70b", "--params", "8B"],
    ["--params", "8B", "--provisioning", "dedicated", "--requests", "500/day", "--gpu", "L4"],
    ["--params", "100B", "--output-tokens", "500", "--input-tokens", "0", "--flop-utilisation", "0.1",
     "--power-per-gpu", "892.5 W", "--pue", "1.2", "--fleet-utilisation", "1"],
    ["--params", "8B", "--measured-energy-per-token", "0.3 J/token"],
    ["--flops-per-item", "5e12"],
    ["--params", "8B", "--zone", "ARE", "--water-scope", "onsite"],
    ["--model", "llama-3.1-8b", "--training-lifetime-requests", "1e9"],
    ["--model", "llama-3.1-8b", "--training-gpu-hours", "1000"],
    ["--model", "mistral-large-2", "--training-lifetime-requests", "1e9", "--training-gpu-hours", "1e6"],
    ["--params", "8B", "--training-lifetime-requests", "1e9", "--training-gpu-hours", "1e6", "--training-zone", "ARE"],
    ["--params", "8B", "--training-lifetime-requests", "1e9", "--training-gpu-hours", "1e6", "--gpu", "TPU-v5e"],
    ["--model", "deepseek-r1-0528"],
    ["--model", "deepseek-r1-0528", "--output-tokens", "500"],
    ["--model", "claude-haiku-4.5"],
    ["--model", "llama-3.1-8b", "--precision", "fp8", "--gpu", "A100-80GB"],
    ["--model", "llama-3.1-8b", "--usage-profile", "office-hours", "--zone", "FRA"],
    ["--model", "llama-3.1-8b", "--usage-profile", "window:2023-03-01T22:00/6 h", "--zone", "GBR"],
    ["--model", "llama-3.1-8b", "--usage-profile", "24/7", "--zone", "USA"],
    ["--model", "llama-3.1-8b", "--usage-profile", "24/7", "--zone", "FRA", "--grid-intensity", "50 g/kWh"],
]


def _notes_block(out: str, title: str) -> str:
    """The lines of the ``notes:`` block of a table's output."""
    return out.split(f"\n{title}\n", 1)[1].split("\n\n", 1)[0]


def test_every_note_has_a_french_translation_that_keeps_its_placeholders():
    catalogue = i18n.parse_po(i18n.catalogue_path("fr").read_text(encoding="utf-8"))
    assert [n for n in words.NOTES if not catalogue.get(n)] == []
    for n in words.NOTES:  # '{training_zone}' must survive, or spelling the input would break
        assert sorted(PLACEHOLDER.findall(n)) == sorted(PLACEHOLDER.findall(catalogue[n])), n
        assert catalogue[n] != n or n in ("France",), n


def test_every_not_available_reason_of_the_shipped_activities_is_in_french():
    reasons = {why for name in alternatives.names() for why in alternatives.activity(name).not_available.values()}
    assert reasons and [r for r in sorted(reasons) if words.note(r, FR) == r] == []


@pytest.mark.parametrize("args", ESTIMATES, ids=lambda a: " ".join(a)[:60])
def test_estimate_notes_are_french_in_french_and_english_in_english(run_cli, args):
    r_json = run_cli("estimate", *args, "--json")
    assert r_json.code == 0, r_json.err
    notes = json.loads(r_json.out)["notes"]
    assert notes
    fr = run_cli("estimate", *args, "--lang", "fr")
    en = run_cli("estimate", *args)
    assert _notes_block(en.out, "notes:") == "\n".join(f"  - {n}" for n in notes)  # English as the JSON says it
    shown = _notes_block(fr.out, "notes :").splitlines()
    assert len(shown) == len(notes)
    for n, line in zip(notes, shown):
        assert words.note(n, FR) != n, n  # a note the catalogue does not know stays English: add it to NOTES
        assert line == f"  - {words.note(n, FR)}"
    assert run_cli("estimate", *args, "--json", "--lang", "fr").out == r_json.out  # JSON keeps the English notes


def test_inputs_are_spelled_in_the_french_notes_as_in_the_english(run_cli):
    r = run_cli("estimate", "--model", "llama-3.1-8b", "--training-lifetime-requests", "1e9", "--lang", "fr")
    assert "lieu d'entraînement d'après les informations d'entraînement publiées pour le modèle (donnez " \
           "--training-zone pour le changer)" in r.out
    doc = json.loads(run_cli("compare", str(ROOT / "scenarios" / "gps_route.toml"), "--samples", "200",
                             "--json").out)
    assert ("ai.gps-app.inference\u00a0: l'entraînement est exclu (son poste vaut 0) : donnez "
            "training_lifetime_requests ou training_share pour amortir l'entraînement du modèle") in \
        [words.note(n, FR) for n in doc["notes"]]


def test_values_of_a_note_are_kept_and_its_words_translated():
    n = ("usage profile: France (FRA), office hours, Monday-Friday 09:00-18:00 Europe/Paris: 50.1 gCO2e/kWh against "
         "49.4 gCO2e/kWh for every hour of 2023 alike (life-cycle, consumption-based, Electricity Maps 2023); the "
         "hourly series (Electricity Maps, life-cycle, consumption-based) has another boundary than the zone's yearly "
         "default, so compare profiles within the series; average, not marginal, intensity")
    said = words.note(n, FR)
    assert said.startswith("profil d'usage : France (FRA), heures de bureau, du lundi au vendredi 09:00-18:00 "
                           "Europe/Paris : 50,1 gCO2e/kWh contre 49,4 gCO2e/kWh si toutes les heures de 2023")
    assert words.note("training site from the developer Mistral AI (give --training-zone to change it)", FR) == \
        "lieu d'entraînement d'après le développeur Mistral AI (donnez --training-zone pour le changer)"
    assert words.note("--params 50B overrides the catalogue's 46.7B for mixtral-8x7b", FR) == \
        "--params 50B remplace la valeur du catalogue pour mixtral-8x7b (46.7B)"
    # a placeholder seen twice holds the same value, or the template does not apply
    assert words.note("x: the catalogue's active parameters of this mixture-of-experts model are kept with the "
                      "given y; give z to change them", FR).startswith("x: ")
    assert words.note("a scenario's own words", FR) == "a scenario's own words"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_notes_and_reasons_are_french_in_the_table_and_the_card(run_cli, tmp_path, path):
    own = set(tomllib.loads(path.read_text(encoding="utf-8")).get("notes", []))  # the scenario's words, as written
    doc = json.loads(run_cli("compare", str(path), "--samples", "200", "--json").out)
    untranslated = [n for n in doc["notes"] if n not in own and words.note(n, FR) == n]
    assert untranslated == []
    reasons = [r for v in doc["variants"].values() for g in v["not_available"].values()
               for side in ("ai", "alternative") for r in g[side]]
    assert [r for r in reasons if words.reason(r, FR).endswith(r.rpartition(": ")[2])] == []
    out = cli_compare.render(doc, "fr")
    appendix = card.render_appendix(doc, "fr")
    for n in doc["notes"]:
        assert f"  - {words.note(n, FR)}" in out.splitlines()
        assert f"- {card._md(words.note(n, FR))}" in appendix.splitlines()
    distribution = doc["monte_carlo"]["distribution"]
    assert words.note(distribution, FR) != distribution and words.note(distribution, FR) in appendix
    assert distribution in card.render_appendix(doc, "en")
    for v in doc["variants"].values():
        for k, g in v["not_available"].items():
            assert f"  - {words.gap(k, g, FR)}" in out.splitlines()
            assert "its ratio, break-even" not in out and "not available with AI" not in out
    en = cli_compare.render(doc, "en")  # English: the JSON's texts, byte for byte
    assert _notes_block(en, "notes:") == "\n".join(f"  - {n}" for n in doc["notes"])
    gaps = [g["text"] for v in doc["variants"].values() for g in v["not_available"].values()]
    if gaps:
        assert _notes_block(en, "not available:") == "\n".join(f"  - {g}" for g in dict.fromkeys(gaps))
    for v in doc["variants"].values():
        for k, g in v["not_available"].items():
            assert words.gap(k, g, EN) == g["text"]


def test_the_french_not_available_reason_names_the_metric_in_words():
    g = {"ai": ["network transfer (mobile): the CO2e figure holds manufacture or life-cycle impacts whose ADPe is "
                "not in the sources read"], "alternative": []}
    assert words.gap("adpe", g, FR) == (
        "ressources abiotiques (ADPe) : indicateur non disponible avec IA (network transfer (mobile)\u00a0: le chiffre "
        "de CO2e comprend des impacts de fabrication ou de cycle de vie dont l'ADPe ne figure pas dans les sources "
        "lues) ; le rapport, le volume d'équilibre et la probabilité de cet indicateur sont indéfinis")
