"""Factor tables from FOOTPRINT_FACTORS go through the shipped checks when loaded; `factors check` lists them all."""

from __future__ import annotations

import pytest

from footprint import factors
from footprint.errors import InputError

HEADER = "zone,name,parameter,value,unit,low,high,status,source_id,year,notes\n"
SOURCES = "source_id,citation,url_or_doi,year,accessed\nMY-SRC,Me (2026). My grid study,https://example.org,2026,2026\n"


@pytest.fixture
def override(tmp_path, monkeypatch):
    """Write user tables into a FOOTPRINT_FACTORS folder (sources.csv with MY-SRC included)."""
    (tmp_path / "sources.csv").write_text(SOURCES, encoding="utf-8")
    monkeypatch.setenv("FOOTPRINT_FACTORS", str(tmp_path))

    def write(name, text, raw=None):
        path = tmp_path / name
        path.write_bytes(raw if raw is not None else text.encode("utf-8"))
        factors.clear_cache()
        return path

    yield write
    monkeypatch.delenv("FOOTPRINT_FACTORS")
    factors.clear_cache()


def _grid(value="99", unit="gCO2e/kWh", low="", high="", source="MY-SRC", zone="FRA"):
    return f"{zone},France,carbon_intensity,{value},{unit},{low},{high},assumption,{source},2026,test\n"


@pytest.mark.parametrize("row, words", [
    (_grid(value="-5"), ["line 2, column value", "-5", "> 0"]),
    (_grid(value="0"), ["line 2, column value", "> 0"]),
    (_grid(value="nan"), ["line 2, column value", "not a finite number"]),
    (_grid(value="inf"), ["line 2, column value", "not a finite number"]),
    (_grid(value="1_2"), ["line 2, column value", "'1_2' is not a number"]),
    (_grid(value="1,2"), ["line 2", "fields"]),
    (_grid(unit="Wattz"), ["line 2, column unit", "'Wattz'", "not a unit"]),
    (_grid(unit="W"), ["line 2, column unit", "'W' is not a unit of carbon_intensity", "gCO2e/kWh"]),
    (_grid(unit="9**9**9"), ["line 2, column unit", "not a unit"]),
    (_grid(low="120"), ["line 2, column low", "low <= value <= high"]),
    (_grid(source="NOBODY"), ["line 2, column source_id", "'NOBODY'"]),
    (_grid() + _grid(value="98"), ["line 3", "duplicate row", "line 2"]),
])
def test_bad_grid_override_is_one_line_naming_file_line_column(override, row, words):
    path = override("grid.csv", HEADER + row)
    with pytest.raises(InputError) as exc:
        factors.get("grid", "FRA", "carbon_intensity")
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(str(path)), msg
    assert all(w in msg for w in words), msg
    assert any(all(w in p for w in words) for p in factors.validate())


def test_good_override_is_used(override):
    override("grid.csv", HEADER + _grid(value="99", low="90", high="120"))
    assert factors.get("grid", "FRA", "carbon_intensity").value == 99
    assert factors.validate() == []


def test_share_above_one_refused(override):
    override("constants.csv", "name,parameter,value,unit,low,high,status,source_id,year,notes\n"
                              "eta_compute,value,5,dimensionless,,,assumption,MY-SRC,2026,x\n")
    with pytest.raises(InputError, match="constants.csv line 2, column value: 5 for eta_compute.*<= 1"):
        factors.constant("eta_compute")


def test_zero_where_meaningful_is_accepted(override):
    override("datacenters.csv", "profile,parameter,value,unit,low,high,status,source_id,year,notes\n"
                                "dry,wue,0,L/kWh,0,0.1,assumption,MY-SRC,2026,dry cooling\n")
    assert factors.get("datacenters", "dry", "wue").value == 0


def test_non_utf8_bytes_named_with_line_and_byte(override):
    path = override("grid.csv", "", raw=(HEADER + _grid()).encode("utf-8") + "ITA,Italië,x\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"grid.csv line 3, byte 10: not UTF-8 text \(byte 0xEB\)") as exc:
        factors.rows("grid")
    assert str(path) in str(exc.value)


def test_missing_key_column(override):
    override("gpus.csv", "parameter,value,unit,low,high,status,source_id,year,notes\ntdp,700,W,,,assumption,MY-SRC,2026,x\n")
    with pytest.raises(InputError, match="gpus.csv line 1: key column.*gpu missing"):
        factors.rows("gpus")


def test_source_defined_twice_refused(override, tmp_path):
    override("sources_more.csv", SOURCES)
    with pytest.raises(InputError, match="sources_more.csv line 2, column source_id: 'MY-SRC' is already defined"):
        factors.sources()


def test_shipped_sources_define_each_id_once():
    factors.clear_cache()
    assert not [p for p in factors.validate() if "already defined" in p]
    assert factors.sources()["EPOCH-2025"]["url_or_doi"].startswith("https://epoch.ai/")


def test_factors_check_lists_every_problem(override, run_cli):
    override("grid.csv", HEADER + _grid(value="-5") + _grid(zone="DEU", unit="Wattz") + _grid(zone="ITA", value="0"))
    override("constants.csv", "name,parameter,value,unit,low,high,status,source_id,year,notes\n"
                              "eta_compute,value,5,dimensionless,,,assumption,MY-SRC,2026,x\n")
    r = run_cli("factors", "check")
    assert r.code == 2 and "Traceback" not in r.err
    lines = r.err.strip().splitlines()
    assert lines[-1] == "footprint: error: 4 problem(s) in the factor tables"
    assert sum("grid.csv line" in ln for ln in lines) == 3 and sum("constants.csv line 2" in ln for ln in lines) == 1
    r = run_cli("estimate", "--params", "8B")
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and "3 more problem(s)" in r.err


def test_check_flags_a_source_nothing_cites(override, run_cli):
    # MY-SRC is cited by the row, OTHER-SRC by nothing: `factors check` names it and exits 2
    path = override("grid.csv", HEADER + _grid())
    (path.parent / "sources.csv").write_text(SOURCES + "OTHER-SRC,Someone (2026). Unused,https://example.org/x,2026,2026\n",
                                             encoding="utf-8")
    factors.clear_cache()
    res = run_cli("factors", "check")
    assert res.code == 2
    assert "'OTHER-SRC' is defined but no factor row, model or hourly series cites it" in res.err
    assert "MY-SRC" not in res.err


def test_a_source_named_in_a_note_is_cited(override):
    path = override("grid.csv", HEADER + _grid().replace(",test\n", ",secondary: OTHER-SRC\n"))
    (path.parent / "sources.csv").write_text(SOURCES + "OTHER-SRC,Someone (2026). Read second,https://example.org/x,2026,2026\n",
                                             encoding="utf-8")
    factors.clear_cache()
    assert not any("OTHER-SRC" in line for line in factors.uncited_sources())
