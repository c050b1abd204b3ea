"""Files of a figure: a self-contained HTML page, its table as CSV, a PNG (kaleido), written atomically."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from ..errors import InputError
from .data import Table


#: Recorded in the page before anything else runs: JavaScript errors go to a data attribute of <html>,
#: every drawn plot is counted, and the resources the page fetched are listed once it has loaded.
PAGE_HOOK = """<script>
(function () {
  var root = document.documentElement;
  var errors = [];
  function record(message) {
    errors.push(String(message));
    root.setAttribute("data-js-errors", JSON.stringify(errors));
  }
  root.setAttribute("data-js-errors", "[]");
  window.addEventListener("error", function (e) { record(e.message || e.type); });
  window.addEventListener("unhandledrejection", function (e) { record("unhandled rejection: " + e.reason); });
  window.addEventListener("load", function () {
    var urls = (performance.getEntriesByType ? performance.getEntriesByType("resource") : [])
      .map(function (r) { return r.name; });
    root.setAttribute("data-resources", JSON.stringify(urls));
  });
})();
</script>"""
_DRAWN = ("var d = document.getElementById('{plot_id}'); "
          "d.setAttribute('data-drawn', String(d.querySelectorAll('g.trace').length));")
_CSS = """<style>
body { font-family: Arial, Helvetica, sans-serif; max-width: 1200px; margin: 1em auto; padding: 0 1em; color: #222; }
section { margin: 2em 0 3em; }
details { margin: 0.5em 0 0 1em; font-size: 0.85em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
footer { color: #666; font-size: 0.85em; }
</style>"""


def _html_table(rows: list) -> str:
    if not rows:
        return "<p>no data</p>"
    cols = list(rows[0])
    for r in rows:
        cols += [k for k in r if k not in cols]

    def cell(v):
        if isinstance(v, float):
            return "" if not np.isfinite(v) else f"{v:.6g}"
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{cell(r.get(c, ''))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(items, title: str, intro: str = "", heading: bool = True, config: dict | None = None) -> str:
    """A self-contained HTML page of figures (plotly's JavaScript embedded once, no network request).

    Parameters
    ----------
    items : list
        Figures, or ``(figure, Table)`` pairs (the table is shown under its figure).
    title : str
        Page title.
    intro : str
        A paragraph under the title (plain text).
    heading : bool
        Show the title as a heading (and the footer); off for a bare figure (screenshots).
    config : dict, optional
        plotly config options added to the defaults (``{"displayModeBar": False}``...).
    """
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for i, item in enumerate(items):
        fig, tab = item if isinstance(item, tuple) else (item, None)
        div = fig.to_html(full_html=False, include_plotlyjs=(i == 0), include_mathjax=False,
                          div_id=f"footprint-plot-{i + 1}", post_script=_DRAWN,
                          config={"displaylogo": False, "responsive": True, **(config or {})})
        data = ""
        if tab is not None:
            data = (f"<details><summary>Data behind this chart ({len(tab.rows)} rows, "
                    f"{html.escape(tab.kind)})</summary>{_html_table(tab.rows)}</details>")
        parts.append(f"<section class=\"figure\">{div}{data}</section>")
    try:
        made_with = f"footprint {version('footprint')}"
    except PackageNotFoundError:  # running from a source tree
        made_with = "footprint"
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n{PAGE_HOOK}\n{_CSS}\n</head>\n<body>\n"
            + (f"<h1>{html.escape(title)}</h1>\n" if heading else "")
            + (f"<p>{html.escape(intro)}</p>\n" if intro else "")
            + "\n".join(parts)
            + (f"\n<footer>Made with {made_with}. Every figure carries the low–high range of its inputs; "
               "the data behind each chart is listed under it.</footer>" if heading else "")
            + "\n</body>\n</html>\n")


def check_output(path, label: str = "output") -> Path:
    """Refuse an output path whose directory is missing or not writable (one clear line).

    See :func:`footprint.io.check_output`.
    """
    from ..io import check_output as check

    return check(path, label, "plot.html")


def write_atomic(path, data) -> Path:
    """Write text or bytes to `path` atomically (:func:`footprint.io.write_text`, :func:`footprint.io.write_bytes`).

    Nothing is left behind when writing fails; an existing file is replaced only
    by a complete one.
    """
    from .. import io

    p = check_output(path)
    return io.write_bytes(p, data) if isinstance(data, (bytes, bytearray)) else io.write_text(p, data)


def write_html(items, path, title: str = "footprint", intro: str = "") -> Path:
    """Write figures to one self-contained HTML file, atomically (see :func:`page`)."""
    check_output(path)
    return write_atomic(path, page(items, title, intro))


def csv_text(rows: list) -> str:
    """Rows (dicts) as CSV text, columns in first-seen order, floats to full precision."""
    import csv
    import io

    cols: list = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if isinstance(v, float) and not np.isfinite(v) else (repr(v) if isinstance(v, float) else v))
                    for k, v in r.items()})
    return buf.getvalue()


def write_csv(t: Table, path) -> Path:
    """Write the source table of a figure as CSV, atomically."""
    return write_atomic(path, csv_text(t.rows))


def png_engine_missing() -> str | None:
    """Why a PNG cannot be written here (``None`` when kaleido is importable)."""
    import importlib.util

    if importlib.util.find_spec("kaleido") is None:
        return ("--png needs a static-image engine for plotly: install kaleido (`pip install kaleido`, which also "
                "needs a Chrome or Chromium); the HTML needs nothing")
    return None


def write_png(fig, path, width: int = 1100, height: int | None = None) -> Path:
    """Write a figure as a PNG with kaleido, atomically; a clear error when no engine is installed."""
    check_output(path)
    return write_atomic(path, png_bytes(fig, width, height))


def png_bytes(fig, width: int = 1100, height: int | None = None) -> bytes:
    """A figure as PNG bytes (kaleido); a clear error when no engine is installed or it fails."""
    reason = png_engine_missing()
    if reason:
        raise InputError(reason)
    try:
        return fig.to_image(format="png", width=width, height=height or fig.layout.height or 560, scale=2)
    except Exception as exc:  # kaleido fails with many error types (no browser, sandbox...)
        raise InputError(f"--png: kaleido could not render the figure ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else 'no message'}); nothing was written") from None
