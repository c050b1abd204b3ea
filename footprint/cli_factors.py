"""`footprint factors`: the sourced factor tables."""

from __future__ import annotations

import click

from . import factors
from .cli import emit_json
from .errors import InputError, unknown_name
from .formatting import num, table


@click.group("factors")
def factors_group():
    """List and show the sourced factor tables (every value with its source)."""




@factors_group.command("list")
@click.argument("table_name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(table_name, as_json):
    """List the tables, or the rows of TABLE_NAME (grid, gpus, models, datacenters, servers, constants...)."""
    if table_name is None:
        doc = [{"table": t, "rows": len(factors.rows(t)), "keys": len(factors.keys(t))} for t in factors.table_names()]
        if as_json:
            emit_json({"tables": doc, "hourly_series": _hourly_credits()})
        else:
            click.echo(table([[d["table"], d["keys"], d["rows"]] for d in doc], ["table", "keys", "rows"]))
            click.echo("\n" + "\n".join(_hourly_lines()))
        return
    rows = factors.rows(table_name)
    if as_json:
        emit_json({"table": table_name, "rows": [r.as_dict() for r in rows]})
        return
    click.echo(table([["/".join(r.key), r.parameter, _value(r), r.unit, r.status, r.source_id, r.year] for r in rows],
                     ["key", "parameter", "value (low - high)", "unit", "status", "source", "year"]))


def _value(r) -> str:
    s = num(r.value)
    if r.low is not None or r.high is not None:
        s += f" ({num(r.low if r.low is not None else r.value)} - {num(r.high if r.high is not None else r.value)})"
    return s


@factors_group.command("show")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(key, as_json):
    """Show every parameter of KEY (a GPU, zone, model, profile or source id) with its full source."""
    hits = [r for t in factors.table_names() for r in factors.rows(t) if r.key[0].lower() == key.lower()]
    srcs = factors.sources()
    if not hits and key in srcs:
        doc = {"source": srcs[key]}
        emit_json(doc) if as_json else click.echo("\n".join(f"{k}: {v}" for k, v in srcs[key].items()))
        return
    if not hits:
        every = {r.key[0] for t in factors.table_names() for r in factors.rows(t)} | set(srcs)
        raise unknown_name("factor key", key, every)
    hourly_credit = [h for h in _hourly_credits() if h["zone"].lower() == key.lower()]
    if as_json:
        emit_json({"key": key, "rows": [dict(r.as_dict(), source=srcs.get(r.source_id, {})) for r in hits],
                   **({"hourly_series": hourly_credit[0]} if hourly_credit else {})})
        return
    click.echo(table([[r.table, r.parameter, _value(r), r.unit, r.status, r.year] for r in hits],
                     ["table", "parameter", "value (low - high)", "unit", "status", "year"]))
    click.echo("")
    for r in hits:
        src = srcs.get(r.source_id, {})
        click.echo(f"- {r.parameter}: {src.get('citation', '?')} <{src.get('url_or_doi', '')}>"
                   + (f"\n    notes: {r.notes}" if r.notes else ""))
    if hourly_credit:
        click.echo("\n" + "\n".join(_hourly_lines(hourly_credit)))


def _hourly_credits() -> list[dict]:
    """The hourly grid series (not factor tables): zone, year, boundary, licence and source."""
    from . import hourly

    out = []
    for zone in hourly.zones():
        meta = hourly.zone_info(zone)
        out.append({"zone": zone, "name": meta["name"], "year": int(meta["year"]), "boundary": meta["boundary"],
                    "licence": meta["licence"], "source": factors.sources().get(meta["source_id"], {})})
    return out


def _hourly_lines(credits=None) -> list[str]:
    credits = _hourly_credits() if credits is None else credits
    lines = ["hourly series (used by `footprint schedule`; the yearly factor stays the default):"]
    for h in credits:
        src = h["source"]
        lines.append(f"- {h['zone']} ({h['name']}), {h['year']}, {h['boundary']}: Electricity Maps, licence "
                     f"{h['licence']} (Open Data Commons Open Database License); {src.get('source_id', '?')} "
                     f"<{src.get('url_or_doi', '')}>")
    return lines


@factors_group.command("check")
def check():
    """Validate every table (units parse, ranges ordered, every source resolves)."""
    problems = factors.validate()
    if problems:
        for p in problems:
            click.echo(p, err=True)
        raise InputError(f"{len(problems)} problem(s) in the factor tables")
    click.echo(f"ok: {sum(len(factors.rows(t)) for t in factors.table_names())} rows in "
               f"{len(factors.table_names())} tables, {len(factors.sources())} sources")


#: the name cli.py imports
factors_command = factors_group
