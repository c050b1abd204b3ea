"""Sobriety judged on the AI system by scope, estimate --budget, words and French in the tables for people."""

import json
import re
from pathlib import Path

import pytest

from footprint import i18n, words
from footprint.catalogue import find_model

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))

# Hand-computable: 10 Wh per form on the servers (PUE 1, no embodied), 100 forms a day; the citizen's smartphone
# for 6 min (ADEME: 4.5 W in use -> 0.45 Wh per form); no agent time with AI.
HAND = """
name = "hand"
[task]
unit = "form checked"
volume = "100/day"
horizon = "1 year"
source = "test"
[[ai]]
name = "a"
energy_per_item = "10 Wh"
pue = 1
zone = "FRA"
gpu_embodied = "0 kg"
server_embodied = "0 kg"
  [[ai.activities]]
  activity = "smartphone_hour"
  quantity = "6 min"
  scope = "users"
[alternative]
agent_time = "10 min"
[human_time]
device = "laptop"
[sobriety]
energy_budget = "370 kWh/year"
"""
BODY_KWH = 10e-3 * 100 * 365.25  # 365.25 kWh/year on the servers
USERS_KWH = 0.45e-3 * 100 * 365.25  # 16.44 kWh/year on the citizens' smartphones


@pytest.fixture
def hand(tmp_path):
    path = tmp_path / "hand.toml"
    path.write_text(HAND)
    return str(path)


def _sob(run_cli, *args):
    r = run_cli("compare", *args, "--json", "--samples", "200")
    assert r.code == 0, r.err
    return json.loads(r.out)["sobriety"]


def test_the_body_scope_is_judged_by_default_and_the_users_share_is_beside_it(run_cli, hand):
    s = _sob(run_cli, hand)
    assert s["scope"] == "body" and s["human_time"] is False
    assert s["ai"]["value"] == pytest.approx(BODY_KWH)
    assert s["beside"]["users"]["value"] == pytest.approx(USERS_KWH)
    assert s["verdict"] == "within" and s["probability_exceeding"] == 0.0  # 365 < 370 kWh/year
    assert "AI system energy per year" in s["basis"]


def test_the_whole_ai_system_exceeds_the_same_budget(run_cli, hand):
    s = _sob(run_cli, hand, "--budget-scope", "body+users")
    assert s["ai"]["value"] == pytest.approx(BODY_KWH + USERS_KWH)  # 381.7 > 370 kWh/year
    assert s["verdict"] == "exceeds" and s["probability_exceeding"] == 1.0
    assert "users" not in s["beside"]


def test_the_scope_can_be_set_in_the_scenario(run_cli, tmp_path):
    path = tmp_path / "u.toml"
    path.write_text(HAND.replace('energy_budget = "370 kWh/year"', 'energy_budget = "10 kWh/year"\nscope = "users"'))
    s = _sob(run_cli, str(path))
    assert s["scope"] == "users" and s["ai"]["value"] == pytest.approx(USERS_KWH) and s["verdict"] == "exceeds"


def test_human_time_only_on_request(run_cli, tmp_path):
    path = tmp_path / "h.toml"
    path.write_text(HAND.replace('name = "a"', 'name = "a"\nagent_time = "1 min"'))
    assert _sob(run_cli, str(path))["ai"]["value"] == pytest.approx(BODY_KWH)
    s = _sob(run_cli, str(path), "--budget-human-time")
    laptop_kwh = 0.0265 * (1 / 60) * 100 * 365.25  # ADEME laptop 26.5 W for 1 min per form
    assert s["ai"]["value"] == pytest.approx(BODY_KWH + laptop_kwh)


@pytest.mark.parametrize("text, fragment", [('scope = "citizens"', "is not one of body, users, outside"),
                                            ('scope = 3', "must be a text")])
def test_a_bad_scope_is_refused_in_one_line(run_cli, tmp_path, text, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(HAND.replace('scope = "users"', text))
    r = run_cli("compare", str(path))
    assert r.code == 2 and fragment in r.err and len(r.err.strip().splitlines()) == 1


ESTIMATE = ("estimate", "--energy-per-item", "10 Wh", "--pue", "1", "--zone", "FRA", "--gpu-embodied", "0 kg",
            "--server-embodied", "0 kg", "--requests", "100/day")


@pytest.mark.parametrize("budget, verdict", [("370 kWh/year", "within"), ("300 kWh/year", "exceeds"),
                                             ("0,0001 tCO2e/year", "exceeds")])
def test_estimate_budget_gives_the_same_verdict(run_cli, budget, verdict):
    r = run_cli(*ESTIMATE, "--budget", budget, "--json")
    assert r.code == 0, r.err
    s = json.loads(r.out)["sobriety"]
    assert s["verdict"] == verdict and s["scope"] == "body"
    if "kWh" in budget:
        assert s["ai"]["value"] == pytest.approx(BODY_KWH)
    r = run_cli(*ESTIMATE, "--budget", budget)
    assert words.VERDICTS[verdict] in r.out and f" {verdict} " not in r.out.replace(words.VERDICTS[verdict], "")


@pytest.mark.parametrize("budget, fragment", [("500 kWh", "no per-time unit"), ("500 km/year", "as a budget"),
                                              ("-5 kWh/year", "above zero"), ("500", "as a budget"),
                                              ("0 kWh/year", "above zero")])
def test_bad_budgets_are_refused_in_one_line(run_cli, budget, fragment):
    r = run_cli(*ESTIMATE, "--budget", budget)
    assert r.code == 2 and fragment in r.err and len(r.err.strip().splitlines()) == 1


def test_budget_without_a_request_rate_is_refused_with_a_suggestion(run_cli):
    r = run_cli("estimate", "--params", "8B", "--budget", "500 kWh/year")
    assert r.code == 2 and "--requests" in r.err and len(r.err.strip().splitlines()) == 1


def test_french_numbers():
    # the narrow no-break space U+202F between thousands (i18n.NNBSP), the decimal comma
    assert i18n.number(12345.6, "fr", digits=6) == "12\u202f345,6"
    assert i18n.number(12345.6, "en", digits=6) == "12,345.6"
    assert words.period("3 year", i18n.Language("fr")) == "3 ans"
    assert words.period("3 year", i18n.Language("en")) == "3 years"


def test_every_text_of_the_tables_has_a_french_translation():
    catalogue = i18n.parse_po(i18n.catalogue_path("fr").read_text(encoding="utf-8"))
    assert [m for m in words.messages() if not catalogue.get(m)] == []


CODES = ("ai_always_lower", "ai_never_lower", "ai_lower_above", "no_budget", "not_available", "ai_higher",
         "ai_lower", "task/day", "task/week", "task/month", "e+0", "e-0", "**within**", "**exceeds**")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_verdict_code_in_any_human_table(run_cli, tmp_path, path, lang):
    card = tmp_path / "card.md"
    r = run_cli("compare", str(path), "--samples", "200", "--lang", lang, "--card", str(card))
    assert r.code == 0, r.err
    text = card.read_text(encoding="utf-8")
    human = r.out.split("notes" if lang == "en" else "notes :")[0] + text  # notes quote the model's own words
    for code in CODES:
        assert code not in human, code
    assert not re.search(r"\b(?:[02-9]|\d\d+(?:[.,]\d+)?) (?:year|day|week|month)\b", human)  # '3 years', not '3 year'
    assert len(text.splitlines()) <= 60


def test_every_model_listed_is_accepted_by_model(run_cli):
    r = run_cli("factors", "list", "models", "--json")
    assert r.code == 0, r.err
    from footprint import factors

    names = [m["name"] for m in json.loads(r.out)["models"]]
    assert names and all(find_model(n) for n in names)
    assert not any("/" in n for n in names)


def test_an_unknown_zone_names_the_list_that_holds_the_answer_once(run_cli):
    r = run_cli("estimate", "--params", "8B", "--zone", "FRR")
    assert r.code == 2 and "`footprint factors list grid`" in r.err and "FRA, FRA" not in r.err


def test_budget_scope_without_a_budget_is_refused_in_one_line(run_cli):
    r = run_cli("compare", str(ROOT / "scenarios" / "gps_route.toml"), "--budget-scope", "users")
    assert r.code == 2 and "no energy_budget or co2e_budget" in r.err and len(r.err.strip().splitlines()) == 1


def test_french_compare_table(run_cli):
    r = run_cli("compare", str(ROOT / "scenarios" / "city_chatbot.toml"), "--samples", "200", "--lang", "fr")
    assert r.code == 0, r.err
    assert "2\u202f000\u202fpar jour (1\u202f000 – 4\u202f000)" in r.out and "horizon 3 ans" in r.out
    assert "10\u202f000\u202fkWh/an" in r.out  # the budget, beside the AI system's yearly figure and the verdict
    assert "dans le budget" in r.out and "l'IA émet moins" in r.out
    r_json = run_cli("compare", str(ROOT / "scenarios" / "city_chatbot.toml"), "--samples", "200", "--json",
                     "--lang", "fr")
    r_en = run_cli("compare", str(ROOT / "scenarios" / "city_chatbot.toml"), "--samples", "200", "--json")
    assert r_json.out == r_en.out  # JSON is the same in every language


def test_an_empty_scope_is_not_a_zero(run_cli, hand, tmp_path):
    path = tmp_path / "b.toml"
    path.write_text(HAND.replace('  scope = "users"\n', '  scope = "outside"\n'))
    r = run_cli("compare", str(path), "--json", "--samples", "200", "--budget-scope", "users")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["sobriety"]["verdict"] == "not_available" and doc["sobriety"]["ai"] is None
    assert "no line of this AI variant" in doc["sobriety"]["basis"]
    assert "users" not in doc["per_year"]["by_scope"]
