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


def _one_line(r):
    return r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [
    ("estimate", "--params", "70B", "--requests", "10000/day", "--budget", "5 kgSbeq/year"),
    ("estimate", "--params", "70B", "--grid-intensity", "50 gSbeq/kWh"),
    ("estimate", "--params", "70B", "--gpu-embodied", "50 kgSb_eq"),
])
def test_an_antimony_equivalent_is_never_read_as_co2e(args, run_cli):
    # Sb eq and CO2e are both masses in the unit registry: '5 kgSbeq/year' was a 5 kgCO2e/year budget
    r = run_cli(*args)
    assert _one_line(r) and "ADPe" in r.err and "antimony" in r.err


def test_a_scenario_co2e_budget_in_antimony_is_refused(tmp_path, run_cli):
    path = _scenario(tmp_path, 'energy_budget = "10 MWh/year"', 'co2e_budget = "10 kgSbeq/year"')
    r = run_cli("scenario", "validate", str(path))
    assert _one_line(r) and "co2e_budget" in r.err and "ADPe" in r.err


@pytest.mark.parametrize("budget, reason", [
    ("5 kWh/an", "unit 'kWh/an' is not known"),
    ("1e400 kWh/year", "is not a finite number"),
    ("5..10 kWh/year", "is a range; give one value here"),
])
def test_a_budget_that_cannot_be_read_says_why(budget, reason, run_cli):
    r = run_cli("estimate", "--params", "70B", "--requests", "10000/day", "--budget", budget)
    assert _one_line(r) and reason in r.err and "'500 kWh/year'" in r.err and not r.out


@pytest.mark.parametrize("key, text, example", [("energy_budget", "10 MWh", "'10 MWh/year'"),
                                                 ("co2e_budget", "1 tCO2e", "'1 tCO2e/year'")])
def test_a_scenario_budget_without_its_per_year_says_so(key, text, example, tmp_path, run_cli):
    path = _scenario(tmp_path, 'energy_budget = "10 MWh/year"', f'{key} = "{text}"')
    r = run_cli("scenario", "validate", str(path))
    line = CHATBOT[:CHATBOT.index('energy_budget = "10 MWh/year"')].count("\n") + 1  # the error names its line
    assert _one_line(r) and f"'{text}' has no per-time unit" in r.err and example in r.err and f":{line}:" in r.err


def test_a_budget_column_of_a_batch_is_refused_not_copied(tmp_path, run_cli):
    # the column was copied to the results as a pass-through: the user saw their budget and no verdict
    table = tmp_path / "t.csv"
    table.write_text("params,requests,budget\n8B,1000/day,500 kWh/year\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    r = run_cli("estimate", "--batch", str(table), "--output", str(out))
    assert _one_line(r) and "column budget: not available in batch" in r.err and "budget_note" in r.err
    assert not out.exists()
    table.write_text("params,requests,budget_note\n8B,1000/day,500 kWh/year\n", encoding="utf-8")
    assert run_cli("estimate", "--batch", str(table), "--output", str(out)).code == 0
    assert out.read_text(encoding="utf-8").splitlines()[0].split(",")[:2] == ["line", "budget_note"]


def test_the_french_appendix_and_assumption_table_write_numbers_the_french_way(tmp_path, run_cli):
    # '2,000 (1,000 - 4,000) 1/day' in a French page reads as two questions a day
    import re

    card = tmp_path / "fiche.md"
    r = run_cli("compare", str(ROOT / "scenarios" / "city_chatbot.toml"), "--lang", "fr", "--card", str(card),
                "--samples", "200")
    assert r.code == 0, r.err
    rows = [ln.split(" | ") for ln in (tmp_path / "fiche.assumptions.md").read_text(encoding="utf-8").splitlines()
            if ln.startswith("| ") and " | " in ln]
    values = {row[0].removeprefix("| ").replace("\\", ""): row[1].replace("\u202f", " ") for row in rows if len(row) > 2}
    assert values["task.volume"] == "2 000 (1 000 – 4 000) 1/jour"
    assert values["task.horizon"] == "3 ans"
    assert not [v for v in values.values() if v[:1].isdigit() and re.search(r"\d\.\d|[1-9],\d{3}(?!\d)|\de[-+]\d", v)]
    assert {row[2] for row in rows if len(row) > 2} >= {"donnée", "par défaut"}
    assert re.search(r"fiche\.assumptions\.md \(\d+ hypothèses\)", card.read_text(encoding="utf-8"))
    r = run_cli("estimate", "--params", "70B", "--lang", "fr")
    line = next(ln for ln in r.out.splitlines() if ln.startswith("input_tokens"))
    assert "1\u202f000 (300 – 3\u202f000)" in line and "1,000" not in line
    assert "milliards" in next(ln for ln in r.out.splitlines() if ln.startswith("total_params"))


def test_a_whole_volume_back_from_a_unit_conversion_is_printed_whole(run_cli):
    # 30/day goes through per-second and back: 29.999999999999996 printed '30.0' beside '80'
    r = run_cli("compare", str(ROOT / "scenarios" / "gps_route.toml"), "--samples", "100")
    assert r.code == 0, r.err
    assert "volume 50 per day (30 – 80)" in r.out.splitlines()[0]


def test_a_ratio_cap_is_shown_as_the_median_ratio_it_is_judged_on(tmp_path, run_cli):
    # news_indexing's ratio cap printed the interval ratio 0.126 (0.0255 - 0.741) under 'AI system per year: median'
    # and the cap as a bare '0.500'
    import json

    path = str(ROOT / "scenarios" / "news_indexing.toml")
    doc = json.loads(run_cli("compare", path, "--json", "--samples", "200").out)
    from footprint.i18n import number

    p50 = number(doc["sobriety"]["percentiles"]["p50"])
    r = run_cli("compare", path, "--samples", "200", "--card", str(tmp_path / "c.md"))
    head = next(ln for ln in r.out.splitlines() if ln.startswith("variant") and "budget" in ln)
    assert "AI / without AI (CO₂e, per task): median (p5–p95)" in head and "AI system per year" not in head
    row = r.out.splitlines()[r.out.splitlines().index(head) + 2]
    assert row.split()[1] == f"{p50}×" and "0.500×" in row
    card = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert "| AI / without AI (CO₂e, per task): median (p5–p95) |" in card and f"| {p50}× (p5–p95" in card


def test_the_manufacture_line_says_its_energy_is_not_counted_rather_than_zero(tmp_path, run_cli):
    # 'hardware manufacture (embodied) | 0 Wh' read as: making the hardware takes no energy
    r = run_cli("estimate", "--params", "70B", "--lang", "fr")
    row = next(ln for ln in r.out.splitlines() if ln.startswith("fabrication du matériel"))
    assert "non compté (phase d'usage seulement)" in row and " 0 Wh" not in row and "kJ" in row
    card = tmp_path / "c.md"
    assert run_cli("compare", str(ROOT / "scenarios" / "city_chatbot.toml"), "--card", str(card),
                   "--samples", "100").code == 0
    row = next(ln for ln in card.read_text(encoding="utf-8").splitlines() if "hardware manufacture" in ln)
    assert "| not counted (use phase only) |" in row and "g CO₂e" in row


def test_the_training_pue_says_why_it_is_one_for_a_model_without_a_card_power(run_cli):
    # DeepSeek-V3's report gives GPU-hours only: 'model cards state power already adjusted for PUE' was false
    import json

    doc = json.loads(run_cli("estimate", "--model", "deepseek-v3", "--training-lifetime-requests", "1e9",
                             "--json").out)
    by_name = {a["name"]: a for a in doc["assumptions"]}
    assert "TDP" in by_name["training_gpu_power"]["source"]
    assert "training_power_ratio range" in by_name["training_pue"]["source"]
    assert "model cards state" not in by_name["training_pue"]["source"]


def test_the_training_run_says_tonnes_of_co2e_and_its_labels_in_the_page_language(run_cli):
    # '1,092 t' (tonnes of what?) and 'gpu hours', 'co2e' as raw keys, in English in a French table
    import json

    args = ("estimate", "--model", "deepseek-v3", "--training-lifetime-requests", "1e9")
    doc = json.loads(run_cli(*args, "--json").out)
    assert doc["training_run"]["co2e"]["unit"] == "tCO2e"
    out = run_cli(*args, "--lang", "fr").out.splitlines()
    i = next(i for i, ln in enumerate(out) if ln.startswith("entraînement complet (avant amortissement)"))
    assert [ln.split("  ")[0] for ln in out[i + 2:i + 6]] == ["heures-GPU", "énergie", "CO₂e", "eau"]
    assert "t CO₂e" in out[i + 4]


def test_the_docs_results_table_gives_a_ratio_cap_as_its_median(run_cli):
    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    row = next(ln for ln in text.splitlines() if ln.startswith("| news_indexing |"))
    median = row.split(" | ")[4]  # the table's own AI / without AI median, the figure the cap is judged on
    assert f"ratio {median} vs cap 0.500×" in row


@pytest.mark.parametrize("scenario, flag, why", [
    ("gps_route", "--budget-scope", "(it has no [sobriety] table)"),
    ("news_indexing", "--budget-human-time", "(its ratio_cap compares whole sides per task)"),
])
def test_a_budget_override_without_a_budget_says_why_and_what_to_add(scenario, flag, why, tmp_path, run_cli):
    args = ["compare", str(ROOT / "scenarios" / f"{scenario}.toml"), flag] + (["users"] if flag == "--budget-scope" else [])
    card = tmp_path / "c.md"
    r = run_cli(*args, "--card", str(card))
    assert _one_line(r) and why in r.err and 'energy_budget = "10 MWh/year"' in r.err and not card.exists()


def test_the_agents_device_and_per_capita_line_are_words_of_the_page(tmp_path, run_cli):
    # 'temps humain : desktop', 'temps d'agent: per-capita allocation (US)' in a French card
    card = tmp_path / "f.md"
    assert run_cli("compare", str(ROOT / "scenarios" / "city_chatbot.toml"), "--lang", "fr", "--samples", "100",
                   "--card", str(card)).code == 0
    text = card.read_text(encoding="utf-8").replace("\u00a0", " ")
    assert "temps humain : ordinateur fixe" in text and "temps d'agent : ordinateur fixe" in text
    assert "desktop" not in text.replace("city\\_chatbot", "")
    assert run_cli("compare", str(ROOT / "scenarios" / "tomlinson_page.toml"), "--lang", "fr", "--samples", "100",
                   "--card", str(card)).code == 0
    text = card.read_text(encoding="utf-8")
    assert "part par habitant (US)" in text and "(énergie de la phase d'usage)" in text
    assert "per-capita allocation" not in text and "use-phase" not in text


def test_a_batch_column_unit_in_antimony_is_refused(tmp_path, run_cli):
    table = tmp_path / "t.csv"
    table.write_text("params,requests,grid_intensity[gSbeq/kWh]\n8B,1000/day,50\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    r = run_cli("estimate", "--batch", str(table), "--output", str(out))
    assert _one_line(r) and "column grid_intensity" in r.err and "ADPe" in r.err and not out.exists()


def test_the_serving_line_of_a_french_estimate_is_french(run_cli):
    out = run_cli("estimate", "--params", "70B", "--lang", "fr").out.splitlines()
    line = next(ln for ln in out if ln.startswith("service (modelled)"))
    assert "occupés 0,505 s" in line and "lot effectif 32" in line and "busy" not in line
    assert any(ln.startswith("formule\u00a0:") or ln.startswith("formule :") for ln in out)
    assert any(ln.startswith("serving (modelled): 4 GPU(s), busy 0.505 s")
               for ln in run_cli("estimate", "--params", "70B").out.splitlines())


def test_a_budget_without_samples_prints_the_yearly_figure_it_judges(run_cli):
    # the total read 2,559 kWh (every input central) beside 'AI system per year: median 4,229 kWh/year'
    import json

    args = ("estimate", "--params", "70B", "--requests", "10000/day", "--budget", "500 kWh/year")
    doc = json.loads(run_cli(*args, "--json").out)
    judged = doc["sobriety"]["percentiles"]["p50"]
    assert doc["percentiles"]["total"]["energy"]["p50"] == pytest.approx(judged, rel=1e-9)
    out = run_cli(*args).out.splitlines()
    i = next(i for i, ln in enumerate(out) if ln.startswith("in total over"))
    assert "median (p5–p95)" in out[i] and out[i + 2].split()[1] == out[next(
        j for j, ln in enumerate(out) if ln.startswith("AI system per year")) + 2].split()[0]


def test_the_card_names_where_the_reasons_are_inside_its_sentence(tmp_path, run_cli):
    card = tmp_path / "c.md"
    assert run_cli("compare", str(ROOT / "scenarios" / "city_chatbot.toml"), "--samples", "100",
                   "--card", str(card)).code == 0
    line = next(ln for ln in card.read_text(encoding="utf-8").splitlines() if ln.startswith("- **not available**"))
    assert "primary energy (the reasons are in the appendix). Not available means" in line and line.endswith("zero.")


def test_the_french_sobriety_row_separates_the_other_scopes_the_french_way(run_cli):
    out = run_cli("compare", str(ROOT / "scenarios" / "city_chatbot.toml"), "--samples", "100", "--lang", "fr").out
    row = next(ln for ln in out.splitlines() if ln.startswith("shared") and "kWh/an" in ln and "usagers" in ln)
    assert "446)\u00a0; le temps des agents" in row


def test_the_french_appendix_says_given_and_default_in_french(tmp_path, run_cli):
    card = tmp_path / "f.md"
    assert run_cli("compare", str(ROOT / "scenarios" / "city_chatbot.toml"), "--lang", "fr", "--samples", "100",
                   "--card", str(card)).code == 0
    rows = [ln.split(" | ") for ln in (tmp_path / "f.assumptions.md").read_text(encoding="utf-8").splitlines()
            if ln.startswith("| ai.") or ln.startswith("| task.")]
    sources = [r[3] for r in rows if len(r) > 3]
    assert sources and not [t for t in sources if t.startswith(("default", "given"))]
    assert any(t.startswith("par défaut") for t in sources) and any(t.startswith("donnée") for t in sources)


def test_scenario_show_writes_no_e_notation(run_cli):
    out = run_cli("scenario", "show", str(ROOT / "scenarios" / "city_chatbot.toml")).out
    row = next(ln for ln in out.splitlines() if ln.startswith("ai.shared.inference.grid_adpe"))
    assert "4.86\u202f×\u202f10⁻⁸" in row and "e-08" not in out


def test_training_inputs_without_amortisation_are_said_to_change_nothing(run_cli, tmp_path):
    # --training-gpu tpu-v5p without --training-lifetime-requests changed no figure, silently
    import csv
    import json

    doc = json.loads(run_cli("estimate", "--params", "8B", "--training-gpu", "tpu-v5p", "--json").out)
    assert any("training inputs are given but training is excluded" in n for n in doc["notes"])
    doc = json.loads(run_cli("estimate", "--params", "8B", "--json").out)
    assert not any("training inputs are given" in n for n in doc["notes"])
    table = tmp_path / "t.csv"
    table.write_text("params,training_gpu\n8B,H800\n8B,\n", encoding="utf-8")
    assert run_cli("estimate", "--batch", str(table), "--output", str(tmp_path / "o.csv")).code == 0
    rows = list(csv.DictReader((tmp_path / "o.csv").open(encoding="utf-8")))
    assert ["training inputs are given" in r["notes"] for r in rows] == [True, False]


def test_choices_are_read_whatever_their_case(run_cli):
    # '--lang FR' and 'compare --water-scope ONSITE' were refused while 'estimate --water-scope ONSITE' was read
    fr = run_cli("estimate", "--params", "8B", "--lang", "FR")
    assert fr.code == 0 and "par requête" in fr.out
    r = run_cli("compare", "scenarios/medical_reports.toml", "--water-scope", "ONSITE", "--json")
    assert r.code == 0
    import json

    assert json.loads(r.out)["variants"]["encoder-classifier"]["water_scope"]["scope"] == "onsite"
