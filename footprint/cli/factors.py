"""`footprint factors`: the sourced factor tables."""

from __future__ import annotations

import click

from .. import factors
from .format import emit_json
from ..errors import InputError, unknown_name
from ..formatting import num, table


@click.group("factors")
def factors_group():
    """List and show the sourced factor tables (every value with its source)."""




@factors_group.command("list")
@click.argument("table_name", required=False)
@click.option("--search", "search_text", default=None, metavar="TEXT",
              help="models: keep models whose name, alias or provider contains TEXT (case and punctuation ignored).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (keys: docs/json.md).")
def list_(table_name, search_text, as_json):
    """List the tables, or the rows of TABLE_NAME (grid, gpus, models, datacenters, servers, constants...).

    `factors list models` lists the names --model accepts, with provider, size and who gives it.
    """
    if table_name is not None and table_name.strip().lower() == "models":
        _list_models(search_text, as_json)
        return
    if search_text is not None:
        raise InputError("--search filters the models table only: `footprint factors list models --search TEXT`")
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


def _list_models(search_text, as_json):
    from .. import catalogue

    found = catalogue.search(search_text)
    if not found:
        raise InputError(f"--search: no model name, alias or provider contains '{search_text}'; "
                         "`footprint factors list models` lists all, or give --params and --active-params")
    docs = [_model_doc(k) for k in found]
    if as_json:
        emit_json({"table": "models", "models": docs,
                   "rows": [r.as_dict() for k in found for r in factors.parameters("models", k).values()]})
        return
    click.echo(table([[d["name"], d["display_name"] or "-", d["provider"] or "-", _param(d["total_params"]),
                       _param(d["active_params"]), f"{d['size_basis'] or '-'}: {d['size_by'] or d['size_source_id']}",
                       num(d["context_length"]) if d["context_length"] else "-", d["reasoning"] or "-", d["checked"] or "-"]
                      for d in docs],
                     ["name (--model)", "display name", "provider", "total params (B)", "active params (B)",
                      "size basis: by", "context (tokens)", "reasoning", "checked"]))
    click.echo(f"\n{len(docs)} model(s). Display names and aliases also work with --model; "
               "`footprint factors show NAME` gives every sourced value.")


def _model_doc(key) -> dict:
    from .. import catalogue

    p = factors.parameters("models", key)
    e = catalogue.entry(key)
    prov = catalogue.size_provenance(key)

    def q(name):
        r = p.get(name)
        return None if r is None else {"value": r.value, "low": r.low, "high": r.high, "unit": r.unit, "status": r.status,
                                       "source_id": r.source_id}

    ctx = p.get("context_length")
    return {"name": key, "task": next(iter(p.values())).key[1] if p else "",
            "display_name": e.display_name if e else "", "provider": e.provider if e else "",
            "total_params": q("total_params"), "active_params": q("active_params"),
            "size_basis": prov["size_basis"], "size_by": prov["size_by"], "size_source_id": prov["size_source_id"],
            "context_length": ctx.value if ctx else None, "reasoning": e.reasoning if e else "",
            "architecture": e.architecture if e else "", "licence": e.licence if e else "",
            "release_date": e.release_date if e else "", "deployment_profile": e.deployment_profile if e else "",
            "checked": e.checked if e else "",
            "aliases": [{"alias": a.alias, "kind": a.kind, "points_to_date": a.points_to_date}
                        for a in catalogue.aliases_of(key)]}


def _param(d) -> str:
    if d is None:
        return "-"
    s = num(d["value"])
    if d["low"] is not None or d["high"] is not None:
        s += f" ({num(d['low'] if d['low'] is not None else d['value'])}-{num(d['high'] if d['high'] is not None else d['value'])})"
    return s


def _value(r) -> str:
    s = num(r.value)
    if r.low is not None or r.high is not None:
        s += f" ({num(r.low if r.low is not None else r.value)} - {num(r.high if r.high is not None else r.value)})"
    return s


@factors_group.command("show")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (keys: docs/json.md).")
def show(key, as_json):
    """Show every parameter of KEY (a GPU, zone, model, profile or source id) with its full source."""
    hits = [r for t in factors.table_names() for r in factors.rows(t) if r.key[0].lower() == key.lower()]
    srcs = factors.sources()
    if not hits and key not in srcs:
        from .. import catalogue

        model_key = catalogue.resolve(key)  # a display name or alias of a model
        if model_key is not None:
            key = model_key
            hits = list(factors.parameters("models", key).values())
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
    from .. import hourly

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


def _cited_in_code() -> set:
    """Source ids the package's own text names (a method choice cited in a docstring, not a factor row)."""
    from pathlib import Path

    text = "\n".join(p.read_text(encoding="utf-8") for p in Path(factors.__file__).parent.rglob("*.py"))
    return factors.named_in(text, set(factors.sources()))


@factors_group.command("check")
def check():
    """Validate every table (units parse, ranges ordered, every source resolves) and the model catalogue.

    Warns about model size estimates checked more than a year ago.
    """
    from .. import catalogue, hourly

    problems = factors.validate()
    if not problems:  # the catalogue reads the model table, which loads only once its rows are valid
        problems = catalogue.validate()
    if not problems:
        problems = factors.uncited_sources(catalogue.cited_sources() | hourly.cited_sources() | _cited_in_code())
    if problems:
        for p in problems:
            click.echo(p, err=True)
        raise InputError(f"{len(problems)} problem(s) in the factor tables")
    for w in catalogue.stale_estimates():
        click.echo(f"warning: {w}", err=True)
    click.echo(f"ok: {sum(len(factors.rows(t)) for t in factors.table_names())} rows in "
               f"{len(factors.table_names())} tables, {len(factors.sources())} sources")


#: the name the command table of footprint.cli imports
factors_command = factors_group
