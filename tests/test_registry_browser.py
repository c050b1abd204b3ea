"""The registry site in headless Chromium: the index and one entry page, French and English.

Checks from the DOM after the page ran: no JavaScript error, nothing fetched (the
page's own hook lists every loaded resource), one table row per use case, the
French build in French.  Skipped where no Chromium is installed (see test_browser.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from test_browser import CHROMIUM, _attr, dump_dom

ROOT = Path(__file__).resolve().parent.parent
USE_CASES = sorted((ROOT / "scenarios").glob("*.toml"))
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on PATH (CI's .ci/run installs it)")


def _checked(page: Path, profile: Path) -> str:
    dom = dump_dom(page, profile)
    assert json.loads(_attr(dom, "data-js-errors")) == []
    fetched = [u for u in json.loads(_attr(dom, "data-resources")) if not u.startswith(("data:", "blob:"))]
    assert fetched == [], f"{page.name} fetched {fetched}"
    return dom


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_index_and_an_entry_page_in_chromium(tmp_path, run_cli, lang):
    site = tmp_path / "site"
    res = run_cli("registry", "build", str(ROOT / "scenarios"), "-o", str(site), "--lang", lang, "--samples", "200")
    assert res.code == 0, res.err
    dom = _checked(site / "index.html", tmp_path / "p1")
    table = re.search(r'<table id="entries">.*?<tbody>(.*?)</tbody>', dom, re.S)
    assert table, "no table of use cases"
    assert len(re.findall(r"<tr>", table.group(1))) == len(USE_CASES)
    assert f'<html lang="{lang}"' in dom
    entry = _checked(site / "entries" / "city_chatbot.html", tmp_path / "p2")
    assert "<svg" in entry
    if lang == "fr":
        for words in ("Empreinte totale de l'IA par an", "sobriété énergétique", "Usages"):
            assert words in dom.replace("&#x27;", "'").replace("&#39;", "'"), words
        assert "transparence et redevabilité" in entry and "Fiche critères" in entry
        assert "Total AI footprint" not in dom
    else:
        assert "Total AI footprint per year" in dom and "transparency and accountability" in entry
