"""Where each row's value came from (:class:`Rule`, :class:`Sources`) and the one rule that sets it (:func:`choose`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import factors
from ..inputs import CORE
from .names import Names, as_cases, factor_column, point, triple, where


@dataclass(frozen=True)
class Rule:
    """How the rows a mask selects got a value: given, a factor row, derived, or a proxy."""

    kind: str  # given | default | derived | proxy | placeholder (an unused input of an excluded line)
    table: str | None = None
    key: str | None = None  # a fixed key, or None with `names`
    names: Names | None = None
    parameter: str | None = None
    formula: str | None = None
    inputs: tuple = ()
    status: str | None = None

    def record(self, row: int) -> dict:
        """The structured provenance of one row."""
        doc = {"kind": self.kind}
        if self.table is not None:
            key = self.key if self.names is None else self.names.key(row)
            f = factors.get(self.table, key, self.parameter) if key is not None and self.table != "grid_hourly" \
                else None
            source_id = f.source_id if f else None
            if self.table == "grid_hourly" and key is not None:
                from .. import hourly

                source_id = hourly.zone_info(key).get("source_id")
            doc.update(table=self.table, key=key, parameter=self.parameter,
                       status=self.status or (f.status if f else None), source_id=source_id)
        if self.formula is not None:
            doc.update(formula=self.formula, inputs=list(self.inputs))
            doc.setdefault("status", self.status or "derived")
        if self.kind == "given":
            doc["status"] = "given"
        return doc


GIVEN = Rule("given")


@dataclass
class Sources:
    """Where each input of every row came from: the first (mask, rule) that holds for the row."""

    n: int
    rules: dict = field(default_factory=dict)

    def set(self, name: str, options: list) -> None:
        self.rules[name] = [(np.broadcast_to(np.asarray(m, dtype=bool), (self.n,)), r) for m, r in options]

    def record(self, name: str, row: int) -> dict | None:
        for mask, rule in self.rules.get(name, ()):
            if mask[row]:
                return rule.record(row)
        return None

    def uniform(self, name: str) -> bool:
        """Whether every row takes the same rule with the same key (no per-row code is needed)."""
        rules = self.rules.get(name, ())
        for mask, rule in rules:
            if mask.all():
                return rule.names is None or rule.names.single
            if mask.any():
                return False
        return True

    def codes(self, name: str) -> np.ndarray:
        """Per row, a small integer naming the rule and the factor key that gave the value (-1: none)."""
        out = np.full(self.n, -1, dtype=np.int64)
        done = np.zeros(self.n, dtype=bool)
        for i, (mask, rule) in enumerate(self.rules.get(name, ())):
            take = mask & ~done
            sub = rule.names.codes if rule.names is not None else 0
            out = np.where(take, i * 4096 + sub, out)
            done |= take
        return out


def choose(values: dict, sources: Sources, name: str, options: list, fallback=None):
    """Set ``values[name]`` from the first option whose mask holds, and record where it came from.

    Parameters
    ----------
    options : list of (mask, array, Rule)
        In order of precedence; a mask of True takes every remaining row.
    fallback : array, optional
        Value of rows no option takes (NaN: not taken).
    """
    out = as_cases(np.nan if fallback is None else fallback)
    for mask, arr, _ in reversed(options):
        out = where(mask, arr, out)
    values[name] = out
    sources.set(name, [(m, r) for m, _, r in options])
    return out


def choose_or_proxy(values, sources, notes, c, name, names, table, parameter, proxy_key, note):
    """The given value, else the row's factor, else the factor of `proxy_key` flagged as a proxy with `note`.

    The one rule for a factor that some keys of a table lack (a GPU without an embodied
    figure, a zone without a water intensity): the proxy is never silent.
    """
    unit = CORE[name].unit
    own = factor_column(names, table, parameter, unit)
    given = c.given.get(name, np.zeros(c.n, dtype=bool))  # a core input users do not give is never given
    lacking = np.broadcast_to(np.isnan(own[:, 1]), (c.n,)) & ~given
    notes.append((lacking, note))
    choose(values, sources, name, [
        (given, c.col.get(name, point(np.nan)), GIVEN),
        (~lacking, own, Rule("default", table=table, names=names, parameter=parameter)),
        (np.ones(c.n, dtype=bool), triple(factors.get(table, proxy_key, parameter), unit)[None, :],
         Rule("proxy", table=table, key=proxy_key, parameter=parameter, status="assumption")),
    ])
