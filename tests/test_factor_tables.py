"""Integrity of the shipped factor tables: schema, units, ranges, sources."""

import csv
from pathlib import Path

import pytest

from footprint import factors
from footprint.units import ureg

FACTORS = Path(__file__).resolve().parent.parent / "factors"
EU27 = ("AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT ROU SVK SVN ESP "
        "SWE").split()


def test_validate_reports_nothing():
    assert factors.validate() == []


@pytest.mark.parametrize("path", sorted(p for p in FACTORS.glob("*.csv") if not p.stem.startswith("sources")))
def test_schema_and_units(path):
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames[-len(factors.VALUE_COLUMNS):]) == factors.VALUE_COLUMNS
        for row in reader:
            ureg.Quantity(1.0, row["unit"])
            assert row["source_id"].strip()
            assert row["status"] in factors.STATUSES
            assert row["year"].strip(), f"{path.name}: {row} has no year"


def test_every_source_used_resolves_and_has_a_url():
    src = factors.sources()
    for table in factors.table_names():
        for row in factors.rows(table):
            assert row.source_id in src
            assert src[row.source_id]["url_or_doi"]


def test_grid_covers_eu_and_majors():
    zones = set(factors.keys("grid"))
    for z in EU27 + ["USA", "CHN", "IND", "GBR", "WOR"]:
        assert factors.get("grid", z, "carbon_intensity") is not None, z
    assert "FRA" in zones
    # France's default is the French official factor (ADEME Base Empreinte, 46.1 g/kWh)
    assert factors.get("grid", "FRA", "carbon_intensity").value == pytest.approx(46.1)


def test_gpus_and_models_required():
    for g in ("H100", "H200", "B200", "A100-40GB", "A100-80GB", "L40S", "L4", "T4", "MI300X"):
        p = factors.parameters("gpus", g)
        assert {"peak_flops_bf16", "memory", "memory_bandwidth", "tdp", "idle_power"} <= set(p), g
    models = factors.keys("models")
    assert len(models) >= 25
    for m in models:
        p = factors.parameters("models", m)
        assert p["active_params"].value <= p["total_params"].value, m
    assert factors.parameters("models", "gpt-4o")["total_params"].status == "estimate"


def test_user_override_directory(tmp_path, monkeypatch):
    (tmp_path / "grid.csv").write_text(
        "zone,name,parameter,value,unit,low,high,status,source_id,year,notes\n"
        "FRA,France,carbon_intensity,99,gCO2e/kWh,,,assumption,MY-SRC,2026,test\n")
    (tmp_path / "sources.csv").write_text("source_id,citation,url_or_doi,year,accessed\nMY-SRC,Me,https://x,2026,2026\n")
    monkeypatch.setenv("FOOTPRINT_FACTORS", str(tmp_path))
    factors.clear_cache()
    try:
        assert factors.get("grid", "FRA", "carbon_intensity").value == 99
        assert factors.get("grid", "DEU", "carbon_intensity") is not None  # shipped rows remain
    finally:
        monkeypatch.delenv("FOOTPRINT_FACTORS")
        factors.clear_cache()


SHIPPED_TEXT = ("footprint", "factors", "docs", "scenarios")


def test_shipped_text_holds_no_authoring_notes_nor_files_users_lack():
    # users get the package, the factor tables, the docs and the README: nothing in them may point to
    # the authors' machines, their notes or files that are not shipped
    root = Path(__file__).resolve().parents[1]
    words = ("/work/", "../shared", "shared/reference", "DESIGN.md", "this session", "README text",
             "published.csv", "mlenergy_README")
    files = [root / "README.md"] + [p for d in SHIPPED_TEXT for p in (root / d).rglob("*")
                                    if p.is_file() and p.suffix in (".py", ".csv", ".md", ".toml", ".txt", ".json", ".po")]
    found = [f"{p.relative_to(root)}: {w}" for p in files for w in words if w in p.read_text("utf-8", errors="replace")]
    assert found == []
