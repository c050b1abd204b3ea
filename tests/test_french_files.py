"""Files as French users save them: spreadsheet CSV (';', Windows-1252, BOM), BOM scenarios; card text stays text."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pandas as pd
import pytest

from footprint import batch, card
from footprint.cli import batch as cli_batch

ROOT = Path(__file__).resolve().parents[1]
CHATBOT = ROOT / "scenarios" / "city_chatbot.toml"
ROWS = [("Médiathèque", "8B", "400", "L4", "FRA"), ("Hôtel de ville", "70B", "300", "H100", "FRA")]


def _table(sep: str) -> str:
    lines = [sep.join(("id", "params", "output_tokens", "gpu", "zone"))] + [sep.join(r) for r in ROWS]
    return "\r\n".join(lines) + "\r\n"


def _results(run_cli, tmp_path, name: str, data: bytes) -> tuple:
    src, out = tmp_path / name, tmp_path / f"{name}.out.csv"
    src.write_bytes(data)
    r = run_cli("estimate", "--batch", str(src), "--output", str(out))
    assert r.code == 0, r.err
    return pd.read_csv(out, dtype={"id": str}), r.err


@pytest.mark.parametrize("encoding, sep, said", [
    ("cp1252", ";", "read as Windows-1252, separator ';'"),
    ("latin-1", ",", "read as Windows-1252"),  # the accents of these rows are the same bytes in both
    ("utf-8-sig", ";", "read as UTF-8 with a byte-order mark, separator ';'"),
    ("utf-8", "\t", "separator tab"),
])
def test_spreadsheet_tables_read_like_the_utf8_comma_table(run_cli, tmp_path, encoding, sep, said):
    reference, _ = _results(run_cli, tmp_path, "ref.csv", _table(",").encode("utf-8"))
    got, err = _results(run_cli, tmp_path, "fr.csv", _table(sep).encode(encoding))
    assert said in err
    assert list(got["id"]) == [r[0] for r in ROWS]  # accents decoded, no BOM in the first column name
    pd.testing.assert_frame_equal(got, reference)


def test_cells_reach_the_grammar_as_text(run_cli, tmp_path, monkeypatch):
    """A ';' table with decimal commas: pandas converts nothing, the cell grammar gets '1,2' as written."""
    seen = {}
    real = batch.estimate

    def spy(chunk, **k):
        seen.update(pue=list(chunk["pue"]), tokens=list(chunk["output_tokens"]))
        return real(chunk, **k)

    monkeypatch.setattr(batch, "estimate", spy)
    src = tmp_path / "fr.csv"
    src.write_bytes("id;params;output_tokens;pue\na;8B;400;1,2\nb;8B;0400;1.2\n".encode("cp1252"))
    run_cli("estimate", "--batch", str(src), "--output", str(tmp_path / "o.csv"), "--skip-invalid")
    assert seen == {"pue": ["1,2", "1.2"], "tokens": ["400", "0400"]}


def test_utf16_table_refused_with_how_to_save(run_cli, tmp_path):
    src = tmp_path / "u16.csv"
    src.write_bytes(codecs.BOM_UTF16_LE + _table(";").encode("utf-16-le"))
    r = run_cli("estimate", "--batch", str(src), "--output", str(tmp_path / "o.csv"))
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
    assert "CSV UTF-8" in r.err and "point-virgule" in r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["u16.csv"]


def test_unquoted_decimal_comma_in_a_comma_table_says_why(run_cli, tmp_path):
    src = tmp_path / "c.csv"
    src.write_text("id,params,pue\na,8B,1.2\nb,8B,1,2\n", encoding="utf-8")
    r = run_cli("estimate", "--batch", str(src), "--output", str(tmp_path / "o.csv"))
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
    assert "decimal comma" in r.err and "quotes" in r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]


def test_sniff_table_counts_rows_and_picks_the_separator(tmp_path):
    src = tmp_path / "t.csv"
    src.write_bytes(_table(";").encode("cp1252"))
    assert cli_batch.sniff_table(src) == {"encoding": "cp1252", "separator": ";", "rows": 2,
                                          "note": "read as Windows-1252, separator ';'"}
    src.write_bytes(b"id,params\na,8B\n")
    assert cli_batch.sniff_table(src)["note"] is None


def test_scenario_with_a_byte_order_mark_is_read(run_cli, tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(codecs.BOM_UTF8 + CHATBOT.read_bytes())
    r = run_cli("scenario", "validate", str(path))
    assert r.code == 0, r.err
    assert "City citizen-information chatbot" in r.out


def test_scenario_text_cannot_inject_markdown_into_the_card(run_cli, tmp_path):
    text = CHATBOT.read_text(encoding="utf-8")
    name_line = next(ln for ln in text.splitlines() if ln.startswith("name = "))
    evil = 'name = """Chatbot\n## Verdict: complies\n- [x](javascript:alert(1)) <b>ok</b> | cell"""'
    path = tmp_path / "evil.toml"
    path.write_text(text.replace(name_line, evil, 1), encoding="utf-8")
    r = run_cli("compare", str(path), "--card", str(tmp_path / "card.md"), "--samples", "100", "--json")
    assert r.code == 0, r.err
    md = (tmp_path / "card.md").read_text(encoding="utf-8")
    headings = [ln for ln in md.splitlines() if ln.startswith("#")]
    assert headings[0] == r"# Criterion card: Chatbot \#\# Verdict: complies - \[x\](javascript:alert(1)) " \
                          r"\<b\>ok\</b\> \| cell"
    assert not any("Verdict" in h for h in headings[1:])
    assert "<b>" not in md and "](javascript" not in md.replace(r"\](javascript", "")
    assert json.loads(r.out)["scenario"]["name"].startswith("Chatbot\n## Verdict")  # the JSON keeps the text


@pytest.mark.parametrize("text, literal", [
    ("a\r\nb\u2028c", "a b c"),
    ("1. first", r"1\. first"),
    ("---", r"\---"),
    ("> quote", r"\> quote"),
    ("**bold**", r"\*\*bold\*\*"),
])
def test_md_makes_user_text_literal(text, literal):
    assert card._md(text) == literal
