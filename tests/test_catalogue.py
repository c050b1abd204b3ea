"""The model catalogue (issue 17): every row estimates, names resolve to one model, compar:IA is covered."""

import datetime
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import footprint
from footprint import catalogue, factors
from footprint.cli import cli
from footprint.errors import InputError
from footprint.resolve import resolve

DATA = Path(__file__).resolve().parent / "data"
COMPARIA = json.loads((DATA / "comparia_models_3091759.json").read_text(encoding="utf-8"))
KEYS = catalogue.search()
#: each provider's flagship as people name it (display names, not keys)
FLAGSHIPS = {"OpenAI": "GPT-5.5", "Anthropic": "Claude Opus 5.5", "Google": "Gemini 3.1 Pro", "Mistral AI": "Mistral Large 3"}


def test_catalogue_is_consistent_with_the_factor_tables():
    assert catalogue.validate() == []
    assert factors.validate() == []
    # every model of the factor table has a catalogue row, and the reverse
    assert {k.lower() for k in factors.keys("models")} == set(catalogue.entries())


@pytest.mark.parametrize("key", KEYS)
def test_every_catalogue_row_estimates(key):
    r = resolve(model=key, gpu="H100", zone="FRA")
    given_size = next(a for a in r.assumptions if a.name == "total_params")
    row = factors.get("models", key, "total_params")
    assert given_size.status == row.status and row.source_id in given_size.source
    d = footprint.estimate(model=key, gpu="H100", zone="FRA").to_dict()
    e = d["per_request"]["energy"]
    assert math.isfinite(e["value"]) and 0 < e["low"] <= e["value"] <= e["high"]


def test_sizes_follow_their_basis():
    for key in KEYS:
        e, total = catalogue.entry(key), factors.get("models", key, "total_params")
        active = factors.get("models", key, "active_params")
        assert active.value <= total.value * (1 + 1e-9), key
        if e.size_basis in ("estimate", "assumption"):
            # an estimated or assumed size carries a range on its active parameters, and says by whom
            assert active.low is not None and active.high is not None and active.low < active.high, key
            assert e.size_by and e.size_source_id in factors.sources(), key
        if e.size_basis == "assumption":
            assert "assum" in total.notes, key


def test_aliases_resolve_to_exactly_one_row():
    keys = {k.lower() for k in factors.keys("models")}
    for a in catalogue.aliases():
        assert a.model.lower() in keys, a
        assert catalogue.resolve(a.alias) == a.model, a
        assert catalogue.find_model(a.alias) == a.model


def test_no_two_rows_share_a_name():
    owners = {}
    for name, key in catalogue.all_names().items():
        owners.setdefault(catalogue.normalise(name), set()).add(key)
    for a in catalogue.aliases():
        owners.setdefault(catalogue.normalise(a.alias), set()).add(a.model)
    shared = {n: ks for n, ks in owners.items() if len(ks) > 1}
    assert shared == {}


@pytest.mark.parametrize("name, key", [
    ("Llama 4 Scout", "llama-4-scout"),
    ("llama-4-scout-17b-16e-instruct", "llama-4-scout"),
    ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama-4-scout"),
    ("mistral-large-latest", "mistral-large-3"),
    ("MISTRAL_LARGE_2512", "mistral-large-3"),
    ("openai/gpt-5.2", "gpt-5.2"),
    ("claude-sonnet-4-5-20250929", "claude-sonnet-4.5"),
    ("mistral-large-2", "mistral-large-2"),  # keys keep working
])
def test_names_people_type(name, key):
    assert catalogue.find_model(name, "model") == key


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(catalogue.all_names().items())), st.randoms(use_true_random=False))
def test_lookup_ignores_case_and_punctuation(pair, rnd):
    name, key = pair
    typed = "".join((c.upper() if rnd.random() < 0.5 else c.lower()) + (rnd.choice(" -_.") if rnd.random() < 0.2 else "")
                    for c in name if c.isalnum())
    assert catalogue.find_model(typed) == key


def test_unknown_model_suggests_catalogue_names_once():
    with pytest.raises(InputError) as exc:
        catalogue.find_model("claude opus", "model")
    msg = str(exc.value)
    assert "\n" not in msg and "unknown model 'claude opus'" in msg
    near = msg.split("did you mean ", 1)[1].split("?", 1)[0].split(", ")
    keys = [s.split(" (")[0] for s in near]
    assert len(keys) == len(set(keys)) and all(k.startswith("claude-opus") for k in keys[:2])
    # other tables keep their behaviour
    with pytest.raises(InputError, match="unknown gpu 'H1000'"):
        factors.find_key("gpus", "H1000", "gpu")


def test_fixture_is_the_cited_commit():
    assert COMPARIA["commit"] in factors.sources()["COMPARIA-MODELS"]["url_or_doi"]
    assert len(COMPARIA["models"]) == 40


@pytest.mark.parametrize("m", COMPARIA["models"], ids=lambda m: m["id"])
def test_every_current_comparia_model_resolves(m):
    by_id = catalogue.find_model(m["id"])
    assert catalogue.find_model(m["simple_name"]) == by_id
    e = catalogue.entry(by_id)
    total = factors.get("models", by_id, "total_params")
    if m["license"] == "proprietary" or m["arch"].startswith("maybe"):
        # compar:IA's sizes of closed models are its own guesses: never shown as published
        assert e.size_basis in ("estimate", "assumption")
    else:
        # open models: the catalogue agrees with compar:IA's rounded figures
        assert e.size_basis == "published"
        assert total.value == pytest.approx(m["params"], rel=0.05)
        active = factors.get("models", by_id, "active_params").value
        assert active == pytest.approx(m["active_params"] or m["params"], rel=0.05)


@pytest.mark.parametrize("provider, name", sorted(FLAGSHIPS.items()))
def test_flagship_estimate_says_how_its_size_is_known(provider, name):
    r = CliRunner().invoke(cli, ["estimate", "--model", name, "--zone", "FRA", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    key = next(a["value"] for a in d["assumptions"] if a["name"] == "model")
    key = catalogue.find_model(key)
    e = catalogue.entry(key)
    assert e.provider == provider
    size = next(a for a in d["assumptions"] if a["name"] == "total_params")
    basis = {"published": "published", "derived": "published"}.get(size["status"], size["status"])
    assert basis == e.size_basis
    assert e.size_source_id in size["source"]
    prov = catalogue.size_provenance(key)
    assert prov["size_by"] in prov["note"] and e.size_basis in ("published", "estimate", "assumption")
    basis = next(a for a in d["assumptions"] if a["name"] == "model_size_basis")
    assert basis["value"] == prov["note"] and basis["status"] == e.size_basis


def test_list_models_shows_names_model_accepts():
    r = CliRunner().invoke(cli, ["factors", "list", "models", "--json"])
    assert r.exit_code == 0, r.output
    names = [m["name"] for m in json.loads(r.output)["models"]]
    assert len(names) == len(factors.keys("models"))
    assert all(catalogue.find_model(n) == n for n in names)
    r = CliRunner().invoke(cli, ["factors", "list", "models"])
    assert "mistral-large-2 " in r.output and "mistral-large-2/text-generation" not in r.output


def test_list_models_search(run_cli):
    r = CliRunner().invoke(cli, ["factors", "list", "models", "--search", "mistral", "--json"])
    assert r.exit_code == 0, r.output
    docs = json.loads(r.output)["models"]
    names = {m["name"] for m in docs}
    assert {"mistral-large-3", "mistral-medium-3.1", "mixtral-8x7b"} <= names and "llama-4-scout" not in names
    for m in docs:
        hay = [m["name"], m["display_name"], m["provider"]] + [a["alias"] for a in m["aliases"]]
        assert any("mistral" in catalogue.normalise(s) for s in hay), m["name"]
    r = run_cli("factors", "list", "models", "--search", "no such thing")
    assert r.code == 2 and "no model name" in r.err and "Traceback" not in r.err


def test_stale_estimates_after_a_year():
    checked = {datetime.date.fromisoformat(e.checked) for e in catalogue.entries().values()}
    latest = max(checked)
    estimates = [e for e in catalogue.entries().values() if e.size_basis == "estimate"]
    assert catalogue.stale_estimates(latest) == []
    warned = catalogue.stale_estimates(latest + datetime.timedelta(days=366))
    assert len(warned) == len(estimates) > 0


def test_check_warns_about_an_old_estimate(tmp_path, monkeypatch):
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "models.csv").write_text(
        "model,task,parameter,value,unit,low,high,status,source_id,year,notes\n"
        "my-model,text-generation,total_params,50,billion,20,100,estimate,MY-SRC,2020,test\n"
        "my-model,text-generation,active_params,50,billion,20,100,estimate,MY-SRC,2020,test\n")
    (tmp_path / "sources_mine.csv").write_text("source_id,citation,url_or_doi,year,accessed\nMY-SRC,Me,https://x,2020,2020\n")
    (tmp_path / "catalogue" / "models.csv").write_text(
        ",".join(catalogue.CATALOGUE_COLUMNS) + "\n"
        "my-model,text-generation,My Model,Me,,dense,2020-01,not stated,self_hosted,estimate,MY-SRC,Me,2020-01-01,\n")
    (tmp_path / "catalogue" / "aliases.csv").write_text(",".join(catalogue.ALIAS_COLUMNS) + "\nmm-1,my-model,api,,MY-SRC\n")
    monkeypatch.setenv("FOOTPRINT_FACTORS", str(tmp_path))
    factors.clear_cache()
    try:
        assert catalogue.find_model("MM 1") == "my-model"
        r = CliRunner().invoke(cli, ["factors", "check"])
        assert r.exit_code == 0, r.output
        assert "warning: my-model: size estimate by Me last checked 2020-01-01" in r.output
    finally:
        monkeypatch.delenv("FOOTPRINT_FACTORS")
        factors.clear_cache()


def test_disclosures_are_data_with_their_boundary():
    lca = factors.get("models", "mistral-large-2", "disclosed_co2e_per_query")
    assert lca.value == pytest.approx(1.14) and lca.source_id == "MISTRAL-LCA-2025" and "400-token" in lca.notes
    gem = factors.get("models", "gemini-2.5-flash", "disclosed_energy_per_query")
    assert gem.quantity.m_as("Wh/request") == pytest.approx(0.24) and "boundary" in gem.notes


def test_unknown_model_on_the_command_line(run_cli):
    r = run_cli("estimate", "--model", "gpt 6", "--zone", "FRA")
    assert r.code == 2 and r.out == ""
    assert r.err.count("\n") == 1 and "unknown model 'gpt 6'" in r.err and "--params" in r.err


def test_doctests_of_the_catalogue_module():
    import doctest

    assert doctest.testmod(catalogue).failed == 0
