"""Click options generated from the input registry (:mod:`footprint.inputs`).

Help texts read their defaults from the factor tables only when help is shown, so
that ``footprint estimate`` starts without reading a table.
"""

from __future__ import annotations

import click

from ..inputs import USER, help_text, label


class InputOption(click.Option):
    """An option of the registry whose help is filled in when it is displayed."""

    def __init__(self, *args, spec=None, prefix="", **kwargs):
        super().__init__(*args, **kwargs)
        self.spec, self.prefix = spec, prefix

    def get_help_record(self, ctx):
        self.help = self.prefix + help_text(self.spec)
        return super().get_help_record(ctx)


def input_options(names=None, prefix: str = ""):
    """Decorator adding one ``--flag VALUE`` option per registry input (all of them, or `names`)."""
    chosen = [USER[n] for n in (names or USER)]

    def add(fn):
        for spec in reversed(chosen):
            fn = click.option(label(spec.name, "cli"), spec.name, cls=InputOption, spec=spec, prefix=prefix,
                              default=None, metavar="VALUE")(fn)
        return fn
    return add


def cli_label(name: str) -> str:
    """How the command line spells an input in messages."""
    return label(name, "cli")
