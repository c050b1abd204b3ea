"""What every command prints the same way: one JSON document, one error line."""

from __future__ import annotations

import json
import sys

import click

from ..io import json_safe


def emit_json(doc) -> None:
    """Print one JSON document on stdout (NaN and infinities become null)."""
    click.echo(json.dumps(json_safe(doc), indent=2, ensure_ascii=False))


def fail(message: str, code: int = 2):
    """Print one error line on stderr and exit."""
    click.echo(f"footprint: error: {message}", err=True)
    sys.exit(code)
