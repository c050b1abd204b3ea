"""`footprint registry build|schema|validate`: a folder of use cases as a public AI registry."""

from __future__ import annotations

import click

from ..inputs import MAX_SAMPLES


@click.group()
def registry():
    """A public AI registry from a folder of scenario files (one per use case).

    \b
    Examples:
      footprint registry build scenarios -o site --lang fr
      footprint registry validate scenarios
      footprint registry schema > registry.schema.json
    """


@registry.command()
@click.argument("directory", metavar="DIR")
@click.option("-o", "--output", "site", required=True, metavar="SITE", help="Folder of the site (written whole, at the end).")
@click.option("--lang", default="fr", show_default=True, type=click.Choice(["fr", "en"], case_sensitive=False), help="Language of the site.")
@click.option("--samples", default=2000, show_default=True, type=click.IntRange(100, MAX_SAMPLES),
              help=f"Monte Carlo draws per entry (100 to {MAX_SAMPLES:,}).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed of the Monte Carlo draws.")
@click.option("--date", default=None, metavar="YYYY-MM-DD", help="Date of the assessment (default: today).")
def build(directory, site, lang, samples, seed, date):
    """Build the static, self-contained registry site of the use cases in DIR.

    DIR holds one scenario file per use case (*.toml, each with a [registry] table)
    and an optional registry.cfg (TOML) (organization, overall yearly budget).  SITE gets
    index.html, one page per use case (entries/), registry.json and registry.csv.
    """
    from pathlib import Path

    from .. import registry as reg
    from ..io import StagedDirectory
    from ..registry_site import MARKER, write_site

    d = Path(directory)
    target = Path(site)
    _check_not_inside(d, target)
    StagedDirectory(target, marker=MARKER).check()
    r = reg.build(d, samples=samples, seed=seed, date=date)
    written = write_site(r, target, lang)
    click.echo(f"wrote {target}/ ({len(r.entries)} use cases, {len(written)} files; open {target / 'index.html'})")


def _check_not_inside(directory, target):
    import os

    from ..errors import InputError

    d, t = os.path.realpath(directory), os.path.realpath(target)
    if d == t or d.startswith(t.rstrip(os.sep) + os.sep):
        raise InputError(f"-o: '{target}' holds the scenario folder '{directory}'; writing the site there would "
                         "replace the scenario files; give another folder, e.g. site")


@registry.command()
def schema():
    """Print the JSON Schema of registry.json (shipped with footprint)."""
    from ..registry_schema import schema_text

    click.echo(schema_text(), nl=False)


@registry.command()
@click.argument("directory", metavar="DIR")
def validate(directory):
    """Check every file of a registry folder (scenarios, [registry] tables, registry.cfg, measurement logs)."""
    from .. import registry as reg

    files = reg.validate(directory)
    click.echo(f"{directory}: {len(files)} use cases, valid")
