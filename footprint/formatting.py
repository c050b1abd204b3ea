"""Plain-text tables for people (the CLI's default output)."""

from __future__ import annotations


def num(x: float) -> str:
    """A number with three significant figures, without scientific notation for everyday sizes."""
    if x is None:
        return "-"
    ax = abs(x)
    if ax == 0:
        return "0"
    if 1e-3 <= ax < 1e7:
        return f"{x:,.{max(0, 2 - int(__import__('math').floor(__import__('math').log10(ax))))}f}"
    return f"{x:.3g}"


def figure(fig: dict) -> str:
    """``0.664 Wh (0.0932 - 6.09)`` from a ``{"value", "unit", "low", "high"}`` dict."""
    if fig["low"] == fig["high"]:
        return f"{num(fig['value'])} {fig['unit']}"
    return f"{num(fig['value'])} {fig['unit']}  ({num(fig['low'])} - {num(fig['high'])})"


def table(rows, headers) -> str:
    """Align `rows` (lists of str) under `headers`."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


def assumption_value(a: dict) -> str:
    v = a.get("value")
    if isinstance(v, float):
        s = num(v)
        if "low" in a:
            s += f" ({num(a['low'])} - {num(a['high'])})"
        return s
    if isinstance(v, list):
        return f"[{len(v)} values]"
    return str(v)
