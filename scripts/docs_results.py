"""Write the table of example results in docs/scenarios.md from the shipped scenarios, as they compute now.

Usage::

    python scripts/docs_results.py          # rewrite the table between the markers
    python scripts/docs_results.py --check  # exit 1 when the table differs from what the scenarios give now

The table lies between ``<!-- results:start -->`` and ``<!-- results:end -->``; tests/test_docs_results.py
fails when it is stale.  Figures: seed 0, 2000 Monte Carlo draws, the scenarios' own boundaries.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "scenarios.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
SAMPLES, SEED = 2000, 0


def table() -> str:
    """The Markdown table of every shipped scenario's variants (CO2e per task, sobriety, break-even)."""
    sys.path.insert(0, str(ROOT))
    from footprint import words as w
    from footprint.compare import compare_scenario
    from footprint.i18n import Language
    from footprint.scenario import load

    L = Language("en")
    rows = ["| file | variant | CO2e with AI, median (p5–p95) | without AI | AI / without AI | P(AI emits less) | "
            "sobriety (AI system per year, median) | break-even (CO2e) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        doc = compare_scenario(load(path), samples=SAMPLES, seed=SEED).to_dict()
        for name, v in doc["variants"].items():
            pt = v["percentiles"]["per_task"]
            s, be = v["sobriety"], v["break_even"]["co2e"]
            if s.get("budget") is None:
                sob = w.verdict(s["verdict"], L)
            elif s.get("scope") == "ratio":
                sob = (f"{w.verdict(s['verdict'], L)}: ratio {w.ratio_median(s.get('percentiles'), L)} "
                       f"vs cap {w.ratio(s['budget'], L)}")
            else:
                judged = w.value(s["percentiles"]["p50"], s["percentiles"]["unit"], L) if s.get("percentiles") else \
                    L("not available")
                sob = f"{w.verdict(s['verdict'], L)}: {judged} vs {w.figure(s['budget'], L)}"
            be_text = w.figure(be["volume"], L) if be["status"] == "ai_lower_above" and be["volume"] else \
                L(w.BREAK_EVEN.get(be["status"], be["status"]))
            rows.append(f"| {path.stem} | {name} | {w.median(pt['ai']['co2e'], L)} | "
                        f"{w.median(pt['alternative']['co2e'], L)} | {w.ratio_median(pt['ratio']['co2e'], L)} | "
                        f"{w.percent(v['benefit']['probability_ai_lower']['co2e'], L)} | {sob} | {be_text} |")
    return "\n".join(rows)


def replaced(text: str, new_table: str) -> str:
    """`text` with the part between the markers replaced by `new_table`."""
    if START not in text or END not in text:
        raise SystemExit(f"{DOC}: markers {START} and {END} not found")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{new_table}\n{END}{tail}"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = DOC.read_text(encoding="utf-8")
    new = replaced(text, table())
    if "--check" in argv:
        if new != text:
            print(f"{DOC} is stale: run python scripts/docs_results.py")
            return 1
        return 0
    if new != text:
        sys.path.insert(0, str(ROOT))
        from footprint.io import write_text

        write_text(DOC, new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
