"""The plots in a real browser: headless Chromium draws every kind of every example scenario.

One Chromium launch renders one page holding all the figures (written by the
same writer as `footprint plot`), then dumps the DOM.  From the DOM we check
that each plot drew its SVG traces, that no JavaScript error was recorded (the
page's own ``error`` handler writes them into ``<html data-js-errors>``), and
that the page fetched nothing (``<html data-resources>``, from the Resource
Timing API, lists every URL the page loaded).

Skipped, with the reason, where no Chromium is installed (CI installs Debian's
``chromium``; see ``.ci/run``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from footprint import plots
from footprint.plots.files import PAGE_HOOK

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "scenarios").glob("*.toml"))
#: Flags for a quiet headless Chromium without network, sandbox or GPU (containers, CI).
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--virtual-time-budget=5000",
)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on PATH: install Debian's `chromium` package (CI's .ci/run does)")


def dump_dom(page: Path, profile: Path) -> str:
    """The DOM of `page` after Chromium has run its scripts."""
    cmd = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _attr(dom: str, name: str) -> str:
    m = re.search(r"<html[^>]*\s" + name + r'="([^"]*)"', dom)
    assert m, f"<html> has no {name}: the page's own script did not run"
    return m.group(1).replace("&quot;", '"').replace("&amp;", "&")


def _plots(dom: str) -> dict:
    """{div id: (data-drawn, number of <g class="trace ..."> inside)} for every plot of the page."""
    out = {}
    starts = [(m.start(), m.group(1)) for m in re.finditer(r'<div id="(footprint-plot-\d+)"', dom)]
    for i, (pos, div_id) in enumerate(starts):
        chunk = dom[pos:starts[i + 1][0] if i + 1 < len(starts) else len(dom)]
        head = chunk[:chunk.index(">") + 1]
        drawn = re.search(r'data-drawn="(\d+)"', head)
        traces = len(re.findall(r'<g class="trace[ "]', chunk))
        out[div_id] = (int(drawn.group(1)) if drawn else None, traces)
    return out


def test_every_kind_of_every_example_draws_in_chromium(tmp_path):
    expected = []
    items = []
    for path in EXAMPLES:
        comparison = plots.load_comparison(path, samples=100, seed=0)
        for kind, fig, table in plots.render(comparison, plots.KINDS, "co2e"):
            items.append((fig, table))
            expected.append((f"{path.stem}/{kind}", len(fig.data)))
    page = plots.write_html(items, tmp_path / "all.html", title="every example, every kind")

    start = time.perf_counter()
    dom = dump_dom(page, tmp_path / "profile")
    elapsed = time.perf_counter() - start

    assert json.loads(_attr(dom, "data-js-errors")) == []
    fetched = [u for u in json.loads(_attr(dom, "data-resources")) if not u.startswith(("data:", "blob:"))]
    assert fetched == [], f"the page fetched {fetched}: it must open without any network"
    drawn = _plots(dom)
    assert len(drawn) == len(expected)
    for i, (name, n_traces) in enumerate(expected, start=1):
        marked, found = drawn[f"footprint-plot-{i}"]
        assert marked is not None, f"{name}: Plotly.newPlot did not finish"
        # one SVG trace group per trace of the figure (bars, lines, markers, bands)
        assert found == marked == n_traces, (name, found, marked, n_traces)
    print(f"\nChromium rendered {len(expected)} figures in {elapsed:.1f} s")


def test_a_javascript_error_is_caught(tmp_path):
    """The check above can fail: the page's error hook reports a script that throws (a small page, no plotly)."""
    path = tmp_path / "broken.html"
    path.write_text(f"<!DOCTYPE html><html><head>{PAGE_HOOK}</head><body>"
                    "<script>undefinedFunction();</script></body></html>", encoding="utf-8")
    dom = dump_dom(path, tmp_path / "profile")
    errors = json.loads(_attr(dom, "data-js-errors"))
    assert len(errors) == 1 and "undefinedFunction" in errors[0]
