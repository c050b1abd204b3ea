"""Errors that reach the user as one line (the CLI prints them without a traceback)."""

from __future__ import annotations

import difflib


class InputError(ValueError):
    """A user input (flag, file, table value) that cannot be used.

    The message is one line: what was wrong, what is accepted, and a suggestion
    when there is one.
    """


def closest(name: str, valid, n: int = 3) -> list[str]:
    """Return up to `n` valid names closest to `name` (case-insensitive)."""
    valid = list(valid)
    lowered = {v.lower(): v for v in valid}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.5)
    # prefix matches help with short ids such as "H1" -> "H100"
    prefix = [v for k, v in lowered.items() if k.startswith(name.lower()) and k not in hits]
    return [lowered[h] for h in hits] + prefix[: max(0, n - len(hits))]


def unknown_name(kind: str, name: str, valid, listing: str | None = None) -> InputError:
    """Build the error for an unknown GPU, zone, model... with the closest names (each once) and the command
    that lists them all (`listing`, e.g. ``footprint factors list grid``).

    >>> str(unknown_name("zone", "FR", ["FRA", "FRA", "DEU"], "footprint factors list grid"))
    "unknown zone 'FR'; did you mean FRA? (see `footprint factors list grid`)"
    """
    valid = sorted(dict.fromkeys(valid))
    near = list(dict.fromkeys(closest(name, valid)))
    hint = f"did you mean {', '.join(near)}?" if near else f"valid: {', '.join(valid[:12])}{' ...' if len(valid) > 12 else ''}"
    where = f"see `{listing}`" if listing else "`footprint factors list` shows all"
    return InputError(f"unknown {kind} '{shown(name)}'; {hint} ({where})")


def shown(text: str, limit: int = 40) -> str:
    r"""A user's text for a one-line message: control characters escaped, cut at `limit` characters.

    >>> shown("1\n2")
    '1\\n2'
    """
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    return text if len(text) <= limit else text[:limit - 3] + "..."
