"""Command-line interface: parse, call the library, format.  Nothing else lives here.

Sub-commands are imported only when invoked (plotly, codecarbon and pandas load
inside the commands that need them), so ``footprint estimate`` starts fast.
Errors a user can fix print one line on stderr and exit with code 2.

One module per command (:mod:`.estimate`, :mod:`.batch`, :mod:`.compare`,
:mod:`.scenario`, :mod:`.measure`, :mod:`.plot`, :mod:`.factors`,
:mod:`.registry`, :mod:`.schedule`); :mod:`.inputs` generates the options of
``footprint/inputs.py``; :mod:`.format` prints what every command prints the
same way.  The keys of every ``--json`` document: ``docs/json.md``.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from ..errors import InputError
from .format import emit_json, fail  # noqa: F401  (emit_json: the JSON printer of every command)

#: name -> (module, attribute, one-line help).  Modules that are absent are not listed.
COMMANDS = {
    "estimate": ("footprint.cli.estimate", "estimate", "Estimate the footprint of serving a model."),
    "compare": ("footprint.cli.compare", "compare", "Compare an AI scenario with its non-AI alternative."),
    "scenario": ("footprint.cli.scenario", "scenario", "Validate or show a scenario file."),
    "measure": ("footprint.cli.measure", "measure", "Measure a live run with CodeCarbon."),
    "calibrate": ("footprint.cli.measure", "calibrate", "Set a measured figure beside the estimate."),
    "plot": ("footprint.cli.plot", "plot", "Plot a scenario (self-contained HTML)."),
    "factors": ("footprint.cli.factors", "factors_command", "List and show the sourced factor tables."),
    "schedule": ("footprint.cli.schedule", "schedule", "Hourly grid carbon: a usage profile, or the best time to run a job."),
    "registry": ("footprint.cli.registry", "registry", "A public AI registry (static site, JSON, CSV) from a folder of use cases."),
}


class LazyGroup(click.Group):
    """A group whose sub-commands are imported on first use."""

    def list_commands(self, ctx):
        return [n for n, (mod, _, _) in COMMANDS.items() if importlib.util.find_spec(mod) is not None]

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        mod, attr, _ = COMMANDS[name]
        if importlib.util.find_spec(mod) is None:
            return None
        return getattr(importlib.import_module(mod), attr)

    def format_commands(self, ctx, formatter):
        rows = [(n, COMMANDS[n][2]) for n in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="footprint", prog_name="footprint")
def cli():
    """footprint: energy, CO2e, water, ADPe and primary energy of AI use cases, compared with doing the task without AI.

    Every figure has a low-high range and every assumption its source.  Use --json for machines.
    """


def main(argv=None) -> None:
    """Console-script entry point: user mistakes become one line and exit code 2."""
    try:
        rv = cli.main(args=argv, prog_name="footprint", standalone_mode=False)
    except InputError as exc:
        fail(str(exc))
    except click.exceptions.UsageError as exc:
        path = exc.ctx.command_path.split(" ", 1) if exc.ctx else []
        where = f"footprint {path[1]}" if len(path) == 2 else "footprint"
        message = " ".join(exc.format_message().split()).rstrip(".")
        fail(f"{message}; see `{where} --help`")
    except click.exceptions.Abort:
        fail("aborted", 130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
