"""`footprint registry`: the site in both languages, registry.json against its schema, totals, refusals."""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from footprint import i18n, registry, registry_schema, registry_site
from footprint.measurement import COLUMNS

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
USE_CASES = sorted(SCENARIOS.glob("*.toml"))
SAMPLES = "200"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Both languages built once from the shipped scenarios (in-process CLI)."""
    from footprint.cli import main

    out = {}
    for lang in ("fr", "en"):
        site = tmp_path_factory.mktemp(lang) / "site"
        with pytest.raises(SystemExit) as exc:
            main(["registry", "build", str(SCENARIOS), "-o", str(site), "--lang", lang, "--samples", SAMPLES,
                  "--date", "2025-06-30"])
        assert exc.value.code == 0
        out[lang] = site
    return out


def test_both_languages_build_one_entry_per_scenario(built):
    for lang, site in built.items():
        doc = json.loads((site / "registry.json").read_text(encoding="utf-8"))
        assert [e["file"] for e in doc["entries"]] == [p.name for p in USE_CASES]
        assert sorted(p.name for p in (site / "entries").iterdir()) == sorted(f"{p.stem}.html" for p in USE_CASES)
        rows = list(csv.DictReader((site / "registry.csv").open(encoding="utf-8")))
        assert [r["id"] for r in rows] == [p.stem for p in USE_CASES]


def test_registry_json_validates_against_the_shipped_schema(built, run_cli):
    res = run_cli("registry", "schema")
    assert res.code == 0
    schema = json.loads(res.out)
    registry_schema.check_keywords(schema)
    for site in built.values():
        doc = json.loads((site / "registry.json").read_text(encoding="utf-8"))
        assert registry_schema.errors(doc, schema) == []


def test_registry_json_validates_under_a_standard_json_schema_validator(built):
    # the same document and schema through the reference implementation (draft 2020-12), not only our own
    jsonschema = pytest.importorskip("jsonschema")
    schema = registry_schema.schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    for site in built.values():
        doc = json.loads((site / "registry.json").read_text(encoding="utf-8"))
        assert [e.message for e in cls(schema).iter_errors(doc)] == []
    bad = json.loads((built["en"] / "registry.json").read_text(encoding="utf-8"))
    bad["entries"][0]["registry"]["status"] = "in production"
    assert any("status" in list(e.path) for e in cls(schema).iter_errors(bad))


def test_the_validator_can_fail(built):
    doc = json.loads((built["en"] / "registry.json").read_text(encoding="utf-8"))
    doc["entries"][0]["registry"]["status"] = "in production"
    doc["entries"][1]["environment"]["assessment_date"] = "2025-02-30"
    del doc["totals"]["per_year"]["energy"]["p95"]
    doc["entries"][2]["environment"]["per_year"]["ai"]["energy"]["value"] = "12"
    errs = registry_schema.errors(doc)
    assert any("$.entries[0].registry.status" in e for e in errs)
    assert any("$.entries[1].environment.assessment_date" in e and "not a date" in e for e in errs)
    assert any("missing required property 'p95'" in e for e in errs)
    assert any("$.entries[2].environment.per_year.ai.energy" in e for e in errs)


def test_central_totals_are_the_sum_of_the_entries_compare_json(built, run_cli):
    """On compare's sobriety basis: the public body's scope (model steps + activities marked scope = "body")."""
    doc = json.loads((built["en"] / "registry.json").read_text(encoding="utf-8"))
    assert doc["totals"]["basis"]["scopes_judged"] == ["body"]
    sums, known, lacking, users = {}, {}, {}, {}
    for path in USE_CASES:
        res = run_cli("compare", str(path), "--json", "--samples", SAMPLES)
        assert res.code == 0
        cmp = json.loads(res.out)  # the primary variant (no shipped entry names another)
        for metric, fig in cmp["per_year"]["by_scope"]["body"].items():
            for k in ("value", "low", "high"):
                sums.setdefault(metric, {}).setdefault(k, 0.0)
                known.setdefault(metric, {}).setdefault(k, 0.0)
                # a metric not available in one entry is not available in the total (never counted as 0)
                sums[metric][k] = None if (fig[k] is None or sums[metric][k] is None) else sums[metric][k] + fig[k]
                known[metric][k] += fig[k] or 0.0
            if fig["value"] is None:
                lacking.setdefault(metric, []).append(path.stem)
        for metric, fig in cmp["per_year"]["by_scope"].get("users", {}).items():
            users.setdefault(metric, 0.0)
            users[metric] = None if (fig["value"] is None or users[metric] is None) else users[metric] + fig["value"]
    assert set(sums) == set(doc["totals"]["per_year"]) == {"energy", "co2e", "water", "adpe", "primary_energy"}
    for metric, want in sums.items():
        got = doc["totals"]["per_year"][metric]
        for k in ("value", "low", "high"):
            if want[k] is None:
                assert got[k] is None and got["not_available_for"] == lacking[metric], (metric, k)
                assert math.isclose(got["known_entries"][k], known[metric][k], rel_tol=1e-9), (metric, k)
            else:
                assert math.isclose(got[k], want[k], rel_tol=1e-9), (metric, k)
    # the users' share is shown beside, from the same compare documents, and not added in
    for metric, want in users.items():
        got = doc["totals"]["beside"]["users"]["per_year"][metric]["value"]
        assert (got is None) if want is None else math.isclose(got, want, rel_tol=1e-9), metric
    # the shipped examples: a reported per-page CO2e (Tomlinson) has no energy, water, ADPe or primary energy
    assert doc["totals"]["per_year"]["co2e"]["value"] is not None
    assert "tomlinson_page" in doc["totals"]["per_year"]["energy"]["not_available_for"]


def test_percentiles_come_from_the_joint_draw_not_from_adding_percentiles():
    from footprint.units import ureg

    r = registry.build(SCENARIOS, samples=400, seed=3, date="2025-06-30")
    got = r.totals["per_year"]["co2e"]  # CO2e is available in every example (energy is not, in some)
    to_unit = float(ureg.Quantity(1.0, "kg/year").m_as(got["unit"]))
    draws = sum(e.samples["co2e"] for e in r.entries) * to_unit
    want = np.percentile(draws, [5, 50, 95])
    assert np.allclose([got["p5"], got["p50"], got["p95"]], want, rtol=1e-12)
    # independent entries: the spread of the sum is narrower than the sum of the spreads
    p95_each = sum(np.percentile(e.samples["co2e"], 95) for e in r.entries) * to_unit
    assert got["p95"] < p95_each


def test_a_shared_factor_is_drawn_once_across_entries(tmp_path):
    """Two copies of one use case: the grid factor row takes one draw, the given volumes are independent."""
    for name in ("a", "b"):
        shutil.copy(SCENARIOS / "city_chatbot.toml", tmp_path / f"{name}.toml")
    a, b = (registry.EntrySampler(500, 0, n) for n in ("a", "b"))
    key = "factor:grid:fra:carbon_intensity"
    assert np.array_equal(a.uniforms(key), b.uniforms(key))
    assert not np.array_equal(a.uniforms("given:task:volume"), b.uniforms("given:task:volume"))
    r = registry.build(tmp_path, samples=500, seed=0, date="2025-06-30")
    ea, eb = r.entries
    assert not np.array_equal(ea.samples["co2e"], eb.samples["co2e"])  # volumes drawn apart
    # the volume's range (x4) dominates a year's spread, so the shared factors' correlation is too small to
    # test on 500 draws; the streams above are the mechanism, tested exactly


def test_french_site_is_in_french_and_english_in_english(built):
    fr = (built["fr"] / "index.html").read_text(encoding="utf-8")
    en = (built["en"] / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in fr and '<html lang="en">' in en
    assert "sobriété énergétique" in fr and "energy sobriety" in en and "sobriété" not in en
    assert "30 juin 2025" in fr and "30 June 2025" in en
    page = (built["fr"] / "entries" / "city_chatbot.html").read_text(encoding="utf-8")
    for words in ("sobriété énergétique", "bénéfice par rapport à une solution alternative sans IA",
                  "transparence et redevabilité", "kWh/an", "non disponible"):
        assert words in page, words
    doc = json.loads((built["fr"] / "registry.json").read_text(encoding="utf-8"))
    co2e = doc["entries"][0]["environment"]["per_year"]["ai"]["co2e"]["value"]
    assert i18n.number(co2e, "fr") in page  # decimal comma, narrow no-break space between thousands
    assert i18n.NNBSP in i18n.number(12345.0, "fr") and "," not in i18n.number(12345.0, "fr")


def test_absent_metrics_are_not_available_never_zero(built):
    doc = json.loads((built["fr"] / "registry.json").read_text(encoding="utf-8"))
    lacking = {}
    for e in doc["entries"]:
        env = e["environment"]
        for m in env["not_available"]:
            assert m not in env["per_year"]["ai"]
            assert m not in doc["totals"]["per_year"]
        for m, reasons in env["not_available_on_basis"].items():
            assert env["per_year"]["ai"][m]["value"] is None and reasons
            lacking.setdefault(m, []).append(e["id"])
    assert lacking["energy"] == ["tomlinson_page"]  # the paper reports CO2e per page only
    assert lacking["adpe"] == ["meeting_minutes", "tomlinson_page"]  # the body's network upload has no ADPe
    for m, ids in lacking.items():
        total = doc["totals"]["per_year"][m]
        assert total["value"] is None and total["p50"] is None and total["not_available_for"] == ids
        assert sorted(total["known_entries"]["entries"] + ids) == sorted(e["id"] for e in doc["entries"])
    # the overall energy budget cannot be judged on a total that is not available
    assert doc["totals"]["sobriety"]["energy"]["verdict"] == "not_available"
    assert doc["totals"]["sobriety"]["co2e"]["verdict"] in ("within", "exceeds", "uncertain")


def _folder(tmp_path, names, cfg: str) -> Path:
    d = tmp_path / "uc"
    d.mkdir(parents=True)
    for n in names:
        shutil.copy(SCENARIOS / f"{n}.toml", d / f"{n}.toml")
    (d / "registry.cfg").write_text(cfg, encoding="utf-8")
    return d


def test_the_registry_basis_follows_the_budget_scope(tmp_path):
    """scope = "body+users" adds the users' lines in (as compare's [sobriety] scope does); body keeps them beside."""
    from footprint.compare import compare_scenario
    from footprint.scenario import load

    cmp = compare_scenario(load(SCENARIOS / "city_chatbot.toml"), samples=200, seed=0).to_dict()["per_year"]["by_scope"]
    for scope, judged in (("body", ["body"]), ("body+users", ["body", "users"])):
        d = _folder(tmp_path / scope, ["city_chatbot"], f'[budget]\nscope = "{scope}"\nco2e_budget = "1 tCO2e/year"\n')
        r = registry.build(d, samples=200, seed=0, date="2025-06-30")
        env = r.entries[0].environment
        assert env["per_year"]["basis"]["scopes_judged"] == judged
        want = sum(cmp[sc]["co2e"]["value"] for sc in judged)
        assert math.isclose(env["per_year"]["ai"]["co2e"]["value"], want, rel_tol=1e-9)
        assert math.isclose(r.totals["per_year"]["co2e"]["value"], want, rel_tol=1e-9)
        assert ("users" in env["per_year"]["beside"]) == (scope == "body")
        assert registry_schema.errors(json.loads(json.dumps(r.to_dict()))) == []
    # adding the users' lines raises every draw of the total (they are non-negative)
    body = registry.build(_folder(tmp_path / "b2", ["city_chatbot"], ""), samples=200, seed=0, date="2025-06-30")
    both = registry.build(_folder(tmp_path / "bu2", ["city_chatbot"], '[budget]\nscope = "body+users"\n'),
                          samples=200, seed=0, date="2025-06-30")
    assert np.all(both.entries[0].samples["co2e"] > body.entries[0].samples["co2e"])


def test_known_entries_alone_can_exceed_the_budget(tmp_path):
    """A missing figure can only add: when the entries that have it already exceed the budget, it exceeds."""
    d = _folder(tmp_path, ["city_chatbot", "tomlinson_page"], '[budget]\nenergy_budget = "1 kWh/year"\n'
                                                              'water_budget = "1e12 L/year"\n')
    r = registry.build(d, samples=200, seed=0, date="2025-06-30")
    energy, water = r.totals["sobriety"]["energy"], r.totals["sobriety"]["water"]
    assert r.totals["per_year"]["energy"]["value"] is None
    assert energy["verdict"] == "exceeds" and energy["probability_known_entries_exceeding"] == 1.0
    assert water["verdict"] == "not_available" and water["probability_known_entries_exceeding"] == 0.0


def test_registry_file_scope_is_checked(tmp_path, run_cli):
    d = _folder(tmp_path, ["city_chatbot"], '[budget]\nscope = "citizens"\n')
    res = run_cli("registry", "validate", str(d))
    line = res.err.strip()
    assert res.code == 2 and "\n" not in line and "registry.cfg" in line and "scope" in line and "body+users" in line


def test_percentiles_of_every_metric_come_from_the_joint_draw(tmp_path):
    """Energy, CO2e, water, ADPe and primary energy: where every entry has the metric, its percentiles are
    those of the entries' draws added sample by sample."""
    from footprint.compare import _INTERNAL
    from footprint.units import ureg

    d = _folder(tmp_path, ["city_chatbot", "long_article", "news_indexing"], "")
    r = registry.build(d, samples=300, seed=5, date="2025-06-30")
    for m in ("energy", "co2e", "water", "adpe", "primary_energy"):
        got = r.totals["per_year"][m]
        assert got["value"] is not None, m
        draws = ureg.Quantity(sum(e.samples[m] for e in r.entries), f"{_INTERNAL[m]}/year").m_as(got["unit"])
        assert np.allclose([got["p5"], got["p50"], got["p95"]], np.percentile(draws, [5, 50, 95]), rtol=1e-12), m


def test_every_text_of_the_site_has_a_french_translation():
    catalogue = i18n.parse_po(i18n.catalogue_path("fr").read_text(encoding="utf-8"))
    missing = [m for m in registry_site.messages() if not catalogue.get(m)]
    assert missing == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
def test_the_catalogue_passes_msgfmt_check(tmp_path):
    proc = subprocess.run(["msgfmt", "--check-format", "-o", str(tmp_path / "fr.mo"), str(i18n.catalogue_path("fr"))],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    import gettext

    with open(tmp_path / "fr.mo", "rb") as fh:
        gnu = gettext.GNUTranslations(fh)
    ours = i18n.translation("fr")
    for m in registry_site.messages():
        assert ours.gettext(m) == gnu.gettext(m)


def test_french_numbers_and_dates():
    L = i18n.Language("fr")
    assert L.number(1234567.0) == "1\u202f234\u202f567"
    assert L.number(0.0456) == "0,0456"
    assert L.date("2025-03-01") == "1er mars 2025"
    fig = registry_site._fig  # footprint.words.figure, the one way figures are written
    assert fig(L, {"value": 2341.7, "unit": "kgCO2e/year", "low": 815.6, "high": 8235.3}) == \
        "2\u202f342\u202fkg CO₂e/an (816 – 8\u202f235)"
    assert fig(L, None) == "non disponible"
    assert fig(L, {"value": None, "unit": "kWh/year", "not_available": ["x"]}) == "non disponible"
    assert fig(i18n.Language("en"), {"value": 2341.7, "unit": "kWh/year", "low": 2341.7, "high": 2341.7}) == \
        "2,342 kWh/year"


def _copy(tmp_path) -> Path:
    d = tmp_path / "uc"
    shutil.copytree(SCENARIOS, d)
    return d


@pytest.mark.parametrize("edit, field", [
    (('status = "pilot"', 'statut = "pilot"'), "statut"),
    (('status = "pilot"', 'status = "in production"'), "status"),
    (('publication_date = "2025-03-14"', 'publication_date = "2025-02-30"'), "publication_date"),
])
def test_bad_metadata_is_refused_and_no_site_is_written(tmp_path, run_cli, edit, field):
    d = _copy(tmp_path)
    f = d / "city_chatbot.toml"
    text = f.read_text(encoding="utf-8")
    assert edit[0] in text
    f.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    site = tmp_path / "site"
    res = run_cli("registry", "build", str(d), "-o", str(site), "--samples", SAMPLES)
    assert res.code == 2
    line = res.err.strip()
    assert "\n" not in line and "Traceback" not in res.err
    assert str(f) in line and field in line
    assert not site.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left
    res = run_cli("registry", "validate", str(d))
    assert res.code == 2 and field in res.err


def test_a_failed_build_leaves_the_previous_site_untouched(tmp_path, run_cli):
    d = _copy(tmp_path)
    site = tmp_path / "site"
    assert run_cli("registry", "build", str(d), "-o", str(site), "--samples", SAMPLES, "--lang", "en").code == 0
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (d / "gps_route.toml").write_text((d / "gps_route.toml").read_text(encoding="utf-8") + "\nbogus = 1\n",
                                      encoding="utf-8")
    assert run_cli("registry", "build", str(d), "-o", str(site), "--samples", SAMPLES).code == 2
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_a_site_is_not_written_over_the_scenarios_or_a_user_folder(tmp_path, run_cli):
    d = _copy(tmp_path)
    res = run_cli("registry", "build", str(d), "-o", str(d), "--samples", SAMPLES)
    assert res.code == 2 and "replace the scenario files" in res.err
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    res = run_cli("registry", "build", str(d), "-o", str(mine), "--samples", SAMPLES)
    assert res.code == 2 and "did not write" in res.err
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine"


def _results_log(path: Path, runs) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for i, (energy_wh, items, status) in enumerate(runs):
            row = {c: "" for c in COLUMNS}
            row.update({"footprint_run_id": f"run{i}", "timestamp_utc": f"2025-05-0{i + 1}T10:00:00+00:00",
                        "status": status, "zone": "FRA", "items": str(items), "energy [Wh]": repr(energy_wh),
                        "co2e [gCO2e]": repr(energy_wh * 0.05), "method": "NVML", "estimated": "false"})
            w.writerow(row)


def test_a_measurement_log_is_shown_beside_the_estimate(tmp_path):
    d = tmp_path / "uc"
    d.mkdir()
    text = (SCENARIOS / "city_chatbot.toml").read_text(encoding="utf-8")
    (d / "chatbot.toml").write_text(text + 'measurement_log = "runs.csv"\n', encoding="utf-8")
    # two successful runs (120 Wh for 100 tasks, 60 Wh for 50) and a failed one that is not counted
    _results_log(d / "runs.csv", [(120.0, 100, "ok"), (60.0, 50, "ok"), (999.0, 10, "failed")])
    r = registry.build(d, samples=200, seed=0, date="2025-06-30")
    m = r.entries[0].environment["measured"]
    assert m["runs"] == 2
    assert math.isclose(m["energy_per_task"]["value"], 180.0 / 150.0)
    lines = r.entries[0].doc["variants"]["shared"]["breakdown"]["ai"]
    est = sum(lines[f"inference: {k}"]["energy"]["value"] for k in ("gpu_busy", "gpu_idle", "host"))
    assert math.isclose(m["estimated_it_energy_per_task"]["value"], est)
    assert math.isclose(m["ratio_measured_to_estimated"]["value"], 1.2 / est)
    assert registry_schema.errors(json.loads(json.dumps(r.to_dict()))) == []
    page = registry_site.entry_page(r.to_dict(), r.to_dict()["entries"][0], i18n.Language("fr"))
    assert "Mesuré en fonctionnement" in page and i18n.number(1.2, "fr") in page


def test_registry_file_budget_is_checked(tmp_path, run_cli):
    d = _copy(tmp_path)
    cfg = d / "registry.cfg"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("energy_budget", "energie_budget"), encoding="utf-8")
    res = run_cli("registry", "validate", str(d))
    assert res.code == 2 and "registry.cfg" in res.err and "did you mean 'energy_budget'" in res.err


def test_doctests_of_the_registry_modules():
    import doctest

    from footprint import io, registry_meta

    for module in (registry, registry_meta, registry_schema, i18n, io):
        assert doctest.testmod(module).failed == 0, module.__name__
