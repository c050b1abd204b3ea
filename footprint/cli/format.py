"""What every command prints the same way: one JSON document, one error line."""

from __future__ import annotations

import json
import sys

import click


def emit_json(doc) -> None:
    """Print one JSON document on stdout (NaN and infinities become null)."""
    click.echo(json.dumps(_clean(doc), indent=2, ensure_ascii=False))


def _clean(x):
    if isinstance(x, float):
        return x if x == x and x not in (float("inf"), float("-inf")) else None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


def fail(message: str, code: int = 2):
    """Print one error line on stderr and exit."""
    click.echo(f"footprint: error: {message}", err=True)
    sys.exit(code)
