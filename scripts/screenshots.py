"""Render the README's screenshots: a comparison and a sweep of an example scenario, as PNG.

The figures are made by footprint itself (``footprint.plots``), written as the
same self-contained HTML that ``footprint plot`` writes, and photographed by
headless Chromium (Debian's ``chromium`` package), so that the pictures show
exactly what a reader's browser shows.

Usage::

    python scripts/screenshots.py [SCENARIO.toml] [--out docs/img] [--metric co2e]

Writes ``<out>/comparison.png`` (CO2e) and ``<out>/sweep.png`` (on the metric of the scenario's
sobriety budget, so that the budget line shows), atomically; with ``--registry DIR`` also
``<out>/registry.png``, the index page of ``footprint registry build DIR --lang fr``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Flags for a quiet headless Chromium on a machine without network or sandbox support.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1",
)
WIDTH = 1100


def find_chromium() -> str | None:
    """Path of a Chromium or Chrome executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(browser: str, html_path: Path, png_path: Path, width: int, height: int) -> None:
    """Photograph a page with headless Chromium into `png_path` (written via a temporary file)."""
    with tempfile.TemporaryDirectory(prefix="footprint-chromium-") as profile:
        tmp = Path(profile) / "shot.png"
        cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=5000",
               f"--window-size={width},{height}", f"--screenshot={tmp}", html_path.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0 or not tmp.exists():
            raise SystemExit(f"screenshots: chromium failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
        png_path.parent.mkdir(parents=True, exist_ok=True)
        part = png_path.with_name(f".{png_path.name}.tmp")
        shutil.copyfile(tmp, part)
        os.replace(part, png_path)


def registry_shot(browser: str, directory: Path, out: Path) -> None:
    """Build the French registry of `directory` in a temporary folder and photograph its index."""
    from footprint import registry, registry_site

    r = registry.build(directory, samples=2000, seed=0)
    with tempfile.TemporaryDirectory(prefix="footprint-registry-") as tmp:
        site = Path(tmp) / "site"
        registry_site.write_site(r, site, "fr")
        screenshot(browser, site / "index.html", out / "registry.png", WIDTH, 1900)
    print(f"wrote {out / 'registry.png'}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "city_chatbot.toml"))
    ap.add_argument("--out", default=str(ROOT / "docs" / "img"))
    ap.add_argument("--metric", default="co2e", help="metric of the comparison (default co2e)")
    ap.add_argument("--sweep-metric", default=None,
                    help="metric of the sweep (default: that of the scenario's sobriety budget, so its line shows)")
    ap.add_argument("--registry", default=None, metavar="DIR",
                    help="also photograph the French index of the registry built from DIR (e.g. scenarios)")
    ap.add_argument("--registry-only", action="store_true", help="only the registry picture")
    args = ap.parse_args(argv)
    browser = find_chromium()
    if browser is None:
        print("screenshots: no Chromium found; install Debian's `chromium` package", file=sys.stderr)
        return 2

    if args.registry:
        registry_shot(browser, Path(args.registry), Path(args.out))
        if args.registry_only:
            return 0

    from footprint import plots

    c = plots.load_comparison(args.scenario)
    out = Path(args.out)
    with tempfile.TemporaryDirectory(prefix="footprint-shots-") as tmp:
        sob = c.plan.scenario.sobriety
        sweep_metric = args.sweep_metric or (sob.kind if sob is not None and sob.kind in plots.METRICS else args.metric)
        for kind, metric in (("comparison", args.metric), ("sweep", sweep_metric)):
            t = plots.table(c, kind, metric)
            fig = plots.draw(t)
            fig.update_layout(width=WIDTH - 40)  # fixed size: the picture does not depend on the window
            page = Path(tmp) / f"{kind}.html"
            # the figure alone (no heading, no data table) fills the shot
            page.write_text(plots.page([fig], title=c.plan.scenario.name, heading=False,
                                      config={"displayModeBar": False}), encoding="utf-8")
            height = int(fig.layout.height or 560) + 80  # the page's own margins
            screenshot(browser, page, out / f"{kind}.png", WIDTH, height)
            print(f"wrote {out / f'{kind}.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
