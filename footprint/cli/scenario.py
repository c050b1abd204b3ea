"""`footprint scenario validate|show FILE`: check a scenario file, or print its fully resolved inputs."""

from __future__ import annotations

import click

from .format import emit_json
from ..formatting import assumption_value, table


@click.group()
def scenario():
    """Validate or show a scenario file (TOML; schema in docs/scenarios.md)."""


def _plan(file):
    from ..compare import prepare
    from ..scenario import load

    return prepare(load(file))


@scenario.command()
@click.argument("file", metavar="SCENARIO.toml")
def validate(file):
    """Check a scenario: syntax, keys, values, activities, and every AI step's inputs.

    Prints one line and exits 0 when the file is valid; one error line and exit code 2 otherwise.
    """
    plan = _plan(file)
    s = plan.scenario
    variants = ", ".join(f"{v.name} ({len(v.steps)} step{'s' if len(v.steps) != 1 else ''}, {len(v.lines)} line"
                         f"{'s' if len(v.lines) != 1 else ''})" for v in plan.variants)
    click.echo(f"ok: {file}: '{s.name}' — AI variants: {variants}; alternative: {len(plan.alternative)} lines; "
               f"{len(plan.assumptions)} resolved inputs")


@scenario.command()
@click.argument("file", metavar="SCENARIO.toml")
@click.option("--json", "as_json", is_flag=True, help="Print the resolved inputs as JSON (keys: docs/json.md).")
def show(file, as_json):
    """Print every resolved input of a scenario, each marked given or default, with its source."""
    plan = _plan(file)
    rows = []
    for a in plan.assumptions:
        d = a.as_dict()
        d["given_or_default"] = "given" if str(a.source).startswith("given") else "default"
        rows.append(d)
    if as_json:
        emit_json({"scenario": plan.scenario.name, "file": plan.scenario.path, "inputs": rows,
                   "notes": list(plan.notes)})
        return
    click.echo(f"{plan.scenario.name} ({plan.scenario.path})\n")
    click.echo(table([[d["name"], assumption_value(d), d.get("unit", ""), d["given_or_default"], d["source"]]
                      for d in rows], ["input", "value", "unit", "given/default", "source"]))
    if plan.notes:
        click.echo("\nnotes:\n" + "\n".join(f"  - {n}" for n in plan.notes))
