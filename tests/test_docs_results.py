"""docs/scenarios.md's table of example results is what scripts/docs_results.py writes from the scenarios now."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("docs_results", ROOT / "scripts" / "docs_results.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_results_table_in_the_docs_is_current():
    mod = _script()
    text = mod.DOC.read_text(encoding="utf-8")
    assert mod.replaced(text, mod.table()) == text, "docs/scenarios.md is stale: run python scripts/docs_results.py"


def test_the_table_has_one_row_per_variant_of_every_shipped_scenario():
    from footprint.scenario import load

    mod = _script()
    rows = [r for r in mod.table().splitlines()[2:]]
    expected = sum(len(load(p).variants) for p in (ROOT / "scenarios").glob("*.toml"))
    assert len(rows) == expected
    assert not any(code in r for r in rows for code in ("ai_always_lower", "no_budget", "within |", "exceeds |"))


def test_a_stale_table_is_found(tmp_path):
    mod = _script()
    text = mod.DOC.read_text(encoding="utf-8")
    stale = text.replace(mod.START + "\n", mod.START + "\n| old | row |\n", 1)
    assert mod.replaced(stale, mod.table()) != stale
