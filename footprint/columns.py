"""The one resolver: user inputs of many rows to the inputs of the core, with provenance.

A single estimate is a table of one row, a scenario step is a row, a batch is many:
:func:`resolve_columns` takes every user input as a column already read by the
quantity grammar (``(rows, 3)`` magnitudes in natural (low, value, high) order and
a mask of the rows that gave it) and name columns (GPU, zone, model...), applies
every default rule once, row-wise by masks, and returns:

* ``values``: each input of :data:`footprint.inputs.CORE` as ``(rows, 3)`` or ``(1, 3)``
  in natural order (NaN for an optional input not taken);
* ``sources``: for each of them, where every row's value came from (:class:`Sources`:
  given, a factor row, derived by a formula, or a proxy), readable as structured
  records;
* ``notes``: what a user must know about a row (a proxy used, a default zone...);
* ``path``: the serving path chosen for each row (:data:`PATHS`);
* ``problems``: every bad value, by row and input (:class:`Problems`).

Messages name inputs neutrally (``training_lifetime_requests``); callers pass a
``label`` function that spells them as the user typed them (a flag, a TOML key, a
column).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import catalogue, factors
from .errors import InputError
from .inference import PRECISION_BYTES, PRECISION_FLOPS_KEY
from .inputs import CORE, USER

D = "dimensionless"
#: Serving paths, chosen per row by the resolver.
PATHS = ("modelled", "flop", "measured", "per_item_flops", "per_item_energy")
PROVISIONING = ("shared", "dedicated")
#: Serving stack of the rows that name none, and the constants each stack sets (factors/serving_stacks.csv).
DEFAULT_STACK = "vllm_2025"
STACK_CONSTANTS = ("step_overhead",)
MAX_GROUPS = 20  # error groups spelled out in one message
_REF = __import__("re").compile(r"\{([a-z_]+)\}")


# -- problems ---------------------------------------------------------------------------------------

class Problems:
    """Bad values found in a table: (positions, input, message), reported together."""

    def __init__(self, index, label=None):
        self.index = index
        self.label = label or (lambda name: name)
        self.items: list[tuple[np.ndarray, str, str]] = []

    def spell(self, text: str) -> str:
        """Replace ``{input}`` references in a message by the input's name as the user typed it."""
        return _REF.sub(lambda m: self.label(m.group(1)) if m.group(1) in USER else m.group(0), text)

    def add(self, where, column: str, message):
        """Record `message` for the rows in `where` (a boolean mask over the rows, or positions).

        `message` is a string, or per-row messages aligned with `where` (an
        array, or a :class:`LazyMessages` built only for the rows reported).
        """
        where = np.asarray(where)
        if where.dtype == bool and where.shape != (len(self.index),):
            where = np.broadcast_to(where, (len(self.index),))
        pos = np.flatnonzero(where) if where.dtype == bool else where
        if pos.size == 0:
            return
        if isinstance(message, str):
            self.items.append((pos, column, self.spell(message)))
            return
        msgs = message[pos] if where.dtype == bool else np.asarray(message, dtype=object)
        for text in dict.fromkeys(msgs.tolist()):
            self.items.append((pos[msgs == text], column, self.spell(text)))

    def bad_rows(self) -> np.ndarray:
        """Boolean mask of rows with at least one problem."""
        bad = np.zeros(len(self.index), dtype=bool)
        for pos, _, _ in self.items:
            bad[pos] = True
        return bad

    def labelled(self) -> list:
        """[(row labels, column, message)] with the table's own row labels."""
        return [(np.asarray(self.index[pos]), column, msg) for pos, column, msg in self.items]

    def message(self) -> str:
        """One line naming every bad value by row and column (the first groups when there are many)."""
        return report(self.labelled(), getattr(self.index, "name", None) or "row")

    def first(self) -> str:
        """The first problem as one line for a single estimate: ``<label>: <message>``."""
        _, column, msg = self.items[0]
        return f"{self.label(column)}: {msg}"

    def sort(self) -> None:
        self.items.sort(key=lambda it: (int(it[0][0]), it[1]))

    def per_row(self) -> dict:
        """Messages of each bad row position, joined: {position: "column: message; ..."}."""
        out: dict[int, list[str]] = {}
        for pos, column, msg in sorted(self.items, key=lambda it: it[1]):
            for p in pos.tolist():
                out.setdefault(p, []).append(f"{column}: {msg}")
        return {p: "; ".join(v) for p, v in out.items()}


def report(items: list, row_name: str = "row") -> str:
    """One line from [(row labels, column, message)], grouping the rows that share a message."""
    def lab(rows):
        shown = ", ".join(str(x) for x in rows[:5])
        more = f" (+{len(rows) - 5} more)" if len(rows) > 5 else ""
        return f"{row_name}{'s' if len(rows) > 1 else ''} {shown}{more}"

    n_values = sum(len(r) for r, _, _ in items)
    n_rows = len({x for r, _, _ in items for x in r.tolist()})
    parts = [f"{lab(r)}, column {c}: {m}" for r, c, m in items[:MAX_GROUPS]]
    more = f"; ... and {len(items) - MAX_GROUPS} more problems" if len(items) > MAX_GROUPS else ""
    return (f"{n_values} bad value{'s' if n_values > 1 else ''} in {n_rows} row{'s' if n_rows > 1 else ''} "
            "of the table: " + "; ".join(parts) + more)


class LazyMessages:
    """Per-row messages built only for the rows that are reported."""

    def __init__(self, x, template):
        self.x, self.template = x, template

    def __len__(self):
        return len(self.x)

    def __getitem__(self, pos):
        return np.array([self.template.format(v) for v in np.asarray(self.x)[pos]], dtype=object)


def reduce3(op, arr):
    """`op` over the short case axis, column by column (a reduction along a length-3 axis is slow in numpy)."""
    out = arr[..., 0]
    for i in range(1, arr.shape[-1]):
        out = op(out, arr[..., i])
    return out


def check_column(arr, given, spec, problems, name):
    """The domain checks of the input registry (:class:`footprint.inputs.UserInput`) on every row at once.

    `arr` is ``(rows, 3)`` (low, value, high) or ``(rows, 1)`` (points).  Each check costs one
    comparison over the rows; the values shown in messages are computed only when a check fails.
    """
    point = arr.shape[1] == 1
    lo, value, hi = arr[:, 0], arr[:, arr.shape[1] // 2], arr[:, -1]
    with np.errstate(invalid="ignore"):
        if point:  # a point cannot be out of order or outside its range
            ok = given & ~np.isnan(lo)
            finite = ok & ~np.isfinite(lo)
        else:
            ok = given & ~reduce3(np.logical_or, np.isnan(arr))
            order = ok & (lo > hi)
            problems.add(order, name, "range has low > high; give low..high with low <= high")
            outside = ok & ~order & ((value < lo) | (value > hi))
            problems.add(outside, name, "the central value lies outside its range")
            finite = ok & ~reduce3(np.logical_and, np.isfinite(arr))
            ok &= ~order & ~outside
        problems.add(finite, name, "not a finite number")
        ok &= ~finite
        shown = getattr(spec, "shown_unit", None)
        f = scale(spec.unit, shown) if shown else 1.0  # limits and values in the unit people read
        u = f" {shown}" if shown else ""
        tests = []  # (failing rows, values shown, message template), in order: the first failing check is reported
        if spec.whole:  # the ends of a range are counts; its midpoint need not be whole (100..501 -> 300.5)
            if point:
                tests.append((lambda: lo != np.round(lo), lambda: lo, "{:g} is not a whole number; give a count such as 400"))
            else:
                def not_whole():
                    return (lo != np.round(lo)) | (hi != np.round(hi))
                tests.append((not_whole, lambda: np.where(lo != np.round(lo), lo, hi),
                              "{:g} is not a whole number; give a count such as 400"))
        if spec.positive:
            tests.append((lambda: lo <= 0, lambda: lo * f, "must be greater than zero, got {:g}" + u))
        if spec.minimum is not None:
            hint = f"; {spec.minimum_hint}" if spec.minimum_hint else ""
            tests.append((lambda: lo < spec.minimum, lambda: lo * f, "must be at least %.6g%s, got {:.6g}%s%s"
                          % (spec.minimum * f, u, u, hint)))
        if spec.maximum is not None:
            tests.append((lambda: hi > spec.maximum, lambda: hi * f, "must be at most %.6g%s, got {:.6g}%s; a larger "
                          "value is not physically meaningful (docs/inputs.md lists the limits)" % (spec.maximum * f, u, u)))
        for fails, values, template in tests:
            failing = ok & fails()
            if failing.any():
                problems.add(failing, name, LazyMessages(values(), template))
                ok &= ~failing


# -- names (GPU, zone, model...) --------------------------------------------------------------------

class Names:
    """A name column as codes into its distinct names: ``keys[codes]`` is each row's table key (None if bad)."""

    def __init__(self, codes, keys, given):
        self.codes, self.keys, self.given = codes, np.asarray(keys, dtype=object), given
        self.single = codes.size == 0 or codes.min() == codes.max()

    def take(self, per_key: np.ndarray) -> np.ndarray:
        """Rows of `per_key` (one row per distinct name) for every table row; (1, ...) when all rows agree."""
        # np.take: ~9x faster than fancy indexing for a (keys, 3) table and a million codes
        return per_key[self.codes[:1]] if self.single else np.take(per_key, self.codes, axis=0)

    def map(self, fn) -> np.ndarray:
        return self.take(np.array([fn(k) if k is not None else np.nan for k in self.keys], dtype=float))

    @property
    def ok(self) -> np.ndarray:
        return self.take(np.array([k is not None for k in self.keys]))

    @property
    def present(self) -> np.ndarray:
        """Rows whose name is known (given or defaulted); a full-length mask."""
        return np.broadcast_to(self.ok, self.codes.shape)

    def key(self, row: int):
        return self.keys[self.codes[row]]


def _factorize(values):
    """(codes, uniques) of a sequence, -1 for missing; pandas only for long columns (the CLI stays light).

    A pandas Series (a batch column) is factorised as it is, without a list of Python strings.
    """
    if hasattr(values, "dtype") and hasattr(values, "iloc"):
        import pandas as pd

        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return codes, [u if isinstance(u, str) or u is None else str(u) for u in uniques.tolist()]
    if len(values) > 256:
        import pandas as pd

        return pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    seen: dict = {}
    codes = np.empty(len(values), dtype=np.intp)
    for i, x in enumerate(values):
        if x is None or (isinstance(x, float) and x != x):
            codes[i] = -1
        else:
            codes[i] = seen.setdefault(x, len(seen))
    return codes, list(seen)


def read_names(values, n: int, name: str, default, problems, lookup) -> Names:
    """Resolve a name column: factorise it, look each distinct name up once, keep codes for the rows.

    `values` is a sequence of texts (None or empty: not given), or None when the
    input is absent from every row.
    """
    if values is not None:
        codes, uniques = _factorize(values)
        names = [str(u).strip() for u in uniques]
        blank = np.array([not u for u in names] + [True], dtype=bool)
        given = ~blank[codes]  # code -1 (missing) reads the last entry
        codes = np.where(given, codes, len(names)).astype(np.intp)
    else:
        names, codes, given = [], np.zeros(n, dtype=np.intp), np.zeros(n, dtype=bool)
    names.append(default)
    keys = []
    for i, u in enumerate(names):
        if u is None or (i < len(names) - 1 and not u):
            keys.append(None)
            continue
        if not u.isprintable():
            from .quantity import shown

            keys.append(None)
            problems.add(codes == i, name, f"'{shown(u)}' contains a control character (a line break, a tab...); "
                                           "give the name on one line")
            continue
        try:
            keys.append(lookup(u))
        except InputError as exc:
            keys.append(None)
            problems.add(codes == i, name, str(exc).replace(" (`footprint factors list` shows all)", ""))
    return Names(codes, keys, given)


def scale(unit: str, target: str) -> float:
    """Conversion factor between two unit strings (cached)."""
    from .quantity import unit_factor

    return unit_factor(unit, target)


def triple(row, unit: str) -> np.ndarray:
    """(low, value, high) of a factor row in `unit` (a point repeated when it has no range)."""
    low = row.value if row.low is None else row.low
    high = row.value if row.high is None else row.high
    return np.array([low, row.value, high]) * scale(row.unit, unit)


def factor_column(names: Names, table: str, parameter: str, unit: str) -> np.ndarray:
    """(rows, 3) magnitudes of `table:key/parameter` in `unit` for each row's key, NaN where absent."""
    per_key = np.full((len(names.keys), 3), np.nan)
    for i, k in enumerate(names.keys):
        if k is not None:
            row = factors.get(table, k, parameter)
            if row is not None:
                per_key[i] = triple(row, unit)
    return names.take(per_key)


def point(x) -> np.ndarray:
    """A point value per row (or one for all rows) as (rows, 3) or (1, 3)."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    return np.repeat(x[:, None], 3, axis=1)


def as_cases(x) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return point(x) if x.ndim < 2 else x


def where(mask, a, b):
    """Row-wise choice between two (rows, 3) arrays; a column that holds for all rows is not copied."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return as_cases(b)
    if mask.all():
        return as_cases(a)
    return np.where(mask.reshape(-1, 1), a, b)


# -- provenance -------------------------------------------------------------------------------------

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
                from . import hourly

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


# -- the resolver -----------------------------------------------------------------------------------

@dataclass
class Columns:
    """User inputs of `n` rows, read: quantities (rows or 1, 3) natural order with a given mask; names."""

    n: int
    col: dict
    given: dict
    names: dict  # name input -> sequence of texts or None
    constants: dict = field(default_factory=dict)  # constant name -> (rows, 3) given values
    constants_given: dict = field(default_factory=dict)


@dataclass
class Resolution:
    values: dict
    sources: Sources
    notes: list  # (mask (n,), text)
    path: np.ndarray  # (n,) codes into PATHS
    provisioning: np.ndarray  # (n,) bool: dedicated
    period: np.ndarray  # (n,) [s], NaN without a request rate
    problems: Problems
    keys: dict  # name input -> Names
    given: dict = field(default_factory=dict)  # quantity input -> mask of the rows that gave it

    def pattern(self) -> np.ndarray:
        """Per row, a 64-bit key of how its inputs were resolved: rows with equal keys have the same sources.

        The rules depend only on which inputs a row gave and on its names (GPU, zone, model...),
        so hashing those is enough (and much cheaper than the rules themselves).
        """
        n = len(self.path)
        h = np.zeros(n, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for name in sorted(self.given):
                mask = np.broadcast_to(np.asarray(self.given[name], dtype=bool), (n,))
                if mask.any() and not mask.all():
                    h = h * np.uint64(1000003) + mask.astype(np.uint64)
                elif mask.all():
                    h = h * np.uint64(1000003) + np.uint64(7)
            for name in sorted(self.keys):
                names = self.keys[name]
                codes = np.broadcast_to(names.codes, (n,)) if not names.single else np.full(n, names.codes[:1].sum())
                h = h * np.uint64(1000003) + codes.astype(np.uint64) + np.uint64(1)
        return h

    def notes_of(self, row: int) -> list[str]:
        """The notes of one row, inputs spelled as the caller's user typed them."""
        return list(dict.fromkeys(self.problems.spell(text) for mask, text in self.notes
                                  if np.broadcast_to(mask, (len(self.path),))[row]))


def _constant(name: str, unit: str) -> np.ndarray:
    return triple(factors.constant(name), unit)[None, :]


def _constant_rule(name: str) -> Rule:
    return Rule("default", table="constants", key=name, parameter="value")


def _lower_choice(choices):
    def lookup(s):
        s = s.lower()
        if s not in choices:
            raise InputError(f"'{s}' is not valid; use {' or '.join(choices)}")
        return s
    return lookup


def _size_text(arr) -> str:
    """A parameter count (low, value, high) for people: ``70B``, ``50B..70B``."""
    lo, value, hi = (float(x) / 1e9 for x in arr)
    return f"{value:.4g}B" if lo == hi else f"{lo:.4g}B..{hi:.4g}B"


def _override_notes(notes, mask, given_col, catalogue_col, model_keys, name, n, tail, max_notes=4):
    """Notes for the rows where a given size differs from the catalogue model's (an override, not an error).

    One note per distinct (model, value) up to `max_notes`; beyond, one note for all those rows.
    Returns the mask of the rows that override.
    """
    if not mask.any():
        return mask
    given_col, catalogue_col = np.broadcast_to(given_col, (n, 3)), np.broadcast_to(catalogue_col, (n, 3))
    with np.errstate(invalid="ignore"):
        same = reduce3(np.logical_and, np.abs(given_col - catalogue_col) <= 1e-6 * np.abs(catalogue_col))
    differs = mask & ~same & ~np.isnan(catalogue_col[:, 1])
    rows = np.flatnonzero(differs)
    if rows.size == 0:
        return differs
    codes = np.broadcast_to(model_keys.codes, (n,))
    groups = np.unique(np.column_stack([codes[rows], given_col[rows]]), axis=0)
    more = f"; {tail}" if tail else ""
    if len(groups) > max_notes:
        notes.append((differs, f"{{{name}}} overrides the catalogue's value for {{model}} (the given value is "
                               f"used{more})"))
        return differs
    for code, *triple in groups:
        rows_of = differs & (codes == code) & reduce3(np.logical_and, given_col == np.array(triple))
        first = int(np.flatnonzero(rows_of)[0])
        notes.append((rows_of, f"{{{name}}} {_size_text(triple)} overrides the catalogue's "
                               f"{_size_text(catalogue_col[first])} for {model_keys.key(first)}{more}"))
    return differs


def overlay(raw: Names, fallback: Names, mask, n: int) -> Names:
    """A name column taking `fallback`'s key on the rows of `mask` and `raw`'s elsewhere (given: `raw`'s)."""
    mask = np.broadcast_to(np.asarray(mask, dtype=bool), (n,))
    if not mask.any():
        return raw
    codes = np.where(mask, np.broadcast_to(fallback.codes, (n,)) + len(raw.keys), np.broadcast_to(raw.codes, (n,)))
    return Names(codes.astype(np.intp), list(raw.keys) + list(fallback.keys), raw.given)


#: Precision of a deployment profile's bytes per weight.
_PRECISION_OF_BYTES = {1.0: "fp8", 2.0: "bf16", 0.5: "fp4", 4.0: "fp32"}


def _catalogue_field(model_keys: Names, field_name: str) -> Names:
    """A catalogue field (deployment profile, reasoning) of each row's model, as a name column (None: none)."""
    from . import catalogue

    def value(k):
        e = catalogue.entry(k) if k is not None else None
        text = getattr(e, field_name, "") if e is not None else ""
        return text or None

    return Names(model_keys.codes, [value(k) for k in model_keys.keys], model_keys.given)


def _deployment_names(c, n, model_keys, P, seen) -> Names:
    """Each row's deployment profile: given, else the catalogue model's, else none (generic defaults)."""
    def lookup(s):
        return factors.find_key("deployments", s, "deployment profile")

    raw = read_names(c.names.get("deployment"), n, "deployment", None, P, lookup)
    from_model = _catalogue_field(model_keys, "deployment_profile")
    known = set(factors.keys("deployments"))
    from_model = Names(from_model.codes, [k if k in known else None for k in from_model.keys], from_model.given)
    dep = overlay(raw, from_model, ~raw.given & model_keys.given, n)
    seen["deployment"] = dep
    return dep


def _precision_lookup(s):
    from .errors import unknown_name

    if s.lower() not in PRECISION_BYTES:
        raise unknown_name("precision", s, PRECISION_BYTES)
    return s.lower()


#: The rule of the LLM inputs of a row on the generic per-item path (they are not used there).
_ITEM_RULE = Rule("placeholder", formula="generic task path: the LLM inputs are not used")
#: The rule of the training inputs of a row that excludes training (its line is 0).
_TRAINING_OFF = Rule("placeholder", formula="training excluded: placeholder, the line is 0")


class _Run:
    """One resolution in progress, handed from step to step (as pvlib's ModelChain keeps its results).

    It holds the rows' inputs (``c``, with ``col``, ``given`` and ``n``), what the steps have resolved so far
    (``v`` the values, ``S`` their sources, ``notes``, ``P`` the problems, ``seen`` the name columns read) and
    what a step leaves to later ones: the serving path's masks (``item``, ``measured``...), the model, deployment,
    precision and GPU name columns, the provisioning and the period.  Each step reads only what an earlier step
    of :func:`resolve_columns` set.
    """

    def __init__(self, c: Columns, problems: Problems):
        self.c, self.P, self.n, self.col, self.given = c, problems, c.n, c.col, c.given
        self.v: dict = {}
        self.S = Sources(c.n)
        self.notes: list = []
        self.seen: dict = {}
        self.none, self.allrows = np.zeros(c.n, dtype=bool), np.ones(c.n, dtype=bool)

    def names(self, name, default, kind, lookup) -> Names:
        """Read the name column `name` (recorded in ``seen``)."""
        self.seen[name] = read_names(self.c.names.get(name), self.n, name, default, self.P, lookup)
        return self.seen[name]

    def profile(self, parameter, unit):
        """(rows, 3) of the rows' profile value of `parameter` (NaN without a profile or that parameter), its mask."""
        arr = factor_column(self.dep, "deployments", parameter, unit)
        ok = np.broadcast_to(~np.isnan(arr[:, 1]), (self.n,)) & self.has_dep
        return arr, ok

    def profile_rule(self, parameter) -> Rule:
        return Rule("default", table="deployments", names=self.dep, parameter=parameter)

    def resolution(self) -> Resolution:
        c = self.c
        return Resolution(values=self.v, sources=self.S, notes=self.notes, path=self.path,
                          provisioning=self.dedicated, period=self.period, problems=self.P, keys=self.seen,
                          given={**self.given, **{f"constants.{k}": m for k, m in c.constants_given.items()}})


def resolve_columns(c: Columns, problems: Problems) -> Resolution:
    """Apply every default rule to every row at once (see the module docstring).

    The steps run in this order, each on all rows by masks; a step uses only what the ones above it set.
    """
    r = _Run(c, problems)
    _serving_path(r)            # per-item, measured, FLOP or modelled path
    _model_size(r)              # total and active parameters (given, catalogue model, dense)
    _deployment(r)              # the deployment profile (given or the catalogue model's)
    _precision(r)               # bytes per weight, fp8 peak or not
    _tokens(r)                  # input and output tokens, reasoning, context length
    _gpu(r)                     # peak FLOP/s, memory, bandwidth, TDP, idle power
    _gpu_embodied(r)            # the GPU's manufacture: CO2e, ADPe, primary energy
    _host(r)                    # host power while serving and idle
    _server_embodied(r)         # the server slot's manufacture and the hardware lifetime
    _gpus_and_batch(r)          # GPUs per instance, batch size
    _serving_stack(r)           # the serving stack and the model constants
    _volume(r)                  # provisioning, request rate, fleet utilisation, period of the totals
    _flop_and_measured_paths(r)
    _datacentre(r)              # PUE, WUE
    _grid(r)                    # zone: carbon, water, ADPe, primary energy; usage profile; water scope
    _training(r)                # training amortisation
    return r.resolution()


def _serving_path(r: _Run) -> None:
    """The serving path of each row, and its per-item figures (:data:`PATHS`)."""
    n, col, given, v, S, P, notes = r.n, r.col, r.given, r.v, r.S, r.P, r.notes
    item_flops, item_energy = given["flops_per_item"], given["energy_per_item"]
    item = item_flops | item_energy
    P.add(item_flops & item_energy, "energy_per_item", "give either {flops_per_item} or {energy_per_item}, not both")
    model_keys = r.names("model", None, "model", lambda s: catalogue.find_model(s, "model"))
    P.add(item & (given["params"] | given["active_params"] | model_keys.given), "flops_per_item",
          "give either a model size ({params} or {model}) or a per-item figure ({flops_per_item} or "
          "{energy_per_item}), not both")
    notes.append((item, "functional unit: item (generic task path): per_request figures are per item"))
    flop_given = given["flop_utilisation"] | item_flops
    tps, pw = given["measured_tokens_per_second"], given["measured_power"]
    measured = given["measured_energy_per_token"] | (tps & pw) | item_energy
    path = np.where(item_energy, 4, np.where(item_flops, 3, np.where(measured, 2, np.where(flop_given, 1, 0))))
    r.item_flops, r.item_energy, r.item, r.model_keys = item_flops, item_energy, item, model_keys
    r.tps, r.pw, r.measured, r.path = tps, pw, measured, path
    v["serving_path"] = point(np.broadcast_to(path, (n,)).astype(float))
    choose(v, S, "flops_per_item", [(item_flops, col["flops_per_item"], GIVEN)])
    choose(v, S, "energy_per_item", [(item_energy, col["energy_per_item"], GIVEN)])


def _model_size(r: _Run) -> None:
    """Total and active parameters: given, else the catalogue model's, else dense (active = total)."""
    n, col, given, v, S, P, notes = r.n, r.col, r.given, r.v, r.S, r.P, r.notes
    model_keys, item, allrows = r.model_keys, r.item, r.allrows
    model_total = factor_column(model_keys, "models", "total_params", "parameter")
    model_active = factor_column(model_keys, "models", "active_params", "parameter")
    pg = given["params"]
    P.add(~pg & ~model_keys.given & ~item, "params",
          "missing: give the model size with {params} (e.g. 70B) or a catalogue model with {model} (`footprint factors list models`)")
    choose(v, S, "total_params", [
        (pg, col["params"], GIVEN),
        (item, point(1.0), _ITEM_RULE),
        (model_keys.given, model_total, Rule("default", table="models", names=model_keys, parameter="total_params")),
    ])
    # a catalogue MoE model keeps its active parameters when only {params} is given; a dense one stays dense
    with np.errstate(invalid="ignore"):
        model_moe = np.broadcast_to(model_active[:, 1] < model_total[:, 1] * (1 - 1e-9), (n,))
    use_model_active = ~given["active_params"] & model_keys.given & ~item & ~np.isnan(model_active[:, 1]) & (
        ~pg | model_moe)
    choose(v, S, "active_params", [
        (item, point(1.0), _ITEM_RULE),
        (given["active_params"], col["active_params"], GIVEN),
        (use_model_active, model_active, Rule("default", table="models", names=model_keys, parameter="active_params")),
        (allrows, v["total_params"], Rule("derived", formula="dense model: active = total parameters",
                                          inputs=("total_params",))),
    ])
    params_override = _override_notes(notes, pg & model_keys.given & ~item, col["params"], model_total, model_keys,
                                      "params", n, "its other catalogue figures (training) are kept")
    _override_notes(notes, given["active_params"] & model_keys.given & ~item, col["active_params"], model_active,
                    model_keys, "active_params", n, "")
    kept = pg & use_model_active
    notes.append((kept & params_override, "{active_params}: the catalogue's active parameters of this mixture-of-experts model are kept "
                        "with the given {params}; give {active_params} to change them"))
    with np.errstate(invalid="ignore"):
        over = v["active_params"][:, 1] > v["total_params"][:, 1] * (1 + 1e-9)
        P.add(over & kept, "params", "the given size is below the catalogue's active parameters of this "
              "mixture-of-experts model; give {active_params} too")
        P.add(over & ~kept, "active_params", "cannot exceed the total parameters ({params})")


def _deployment(r: _Run) -> None:
    """Each row's deployment profile (:func:`_deployment_names`), and the notes on it."""
    item, given = r.item, r.given
    dep = _deployment_names(r.c, r.n, r.model_keys, r.P, r.seen)
    has_dep = dep.present & ~item
    r.notes.append((~has_dep & ~item & ~given["flop_utilisation"] & ~r.measured,
                    "no deployment profile ({deployment}): generic defaults (bf16, batch 32, fleet utilisation 0.5, "
                    "industry-average PUE)"))
    r.notes.append((has_dep & ~dep.given, "deployment profile from the model catalogue; {deployment} chooses another"))
    r.dep, r.has_dep = dep, has_dep


def _precision(r: _Run) -> None:
    """Bytes per weight: the given precision, else the deployment profile's, else bf16; whether fp8 peaks apply."""
    dep = r.dep
    prec = r.names("precision", "bf16", "precision", _precision_lookup)
    dep_bytes, dep_has_bytes = r.profile("bytes_per_param", "byte")
    if dep_has_bytes.any():
        per_profile = factor_column(Names(np.arange(len(dep.keys)), dep.keys, dep.given), "deployments",
                                    "bytes_per_param", "byte")[:, 1]
        texts = [_PRECISION_OF_BYTES.get(float(b)) if b == b else None for b in per_profile]
        prec = overlay(prec, Names(dep.codes, texts, dep.given), ~prec.given & dep_has_bytes, r.n)
        r.seen["precision"] = prec
    r.v["bytes_per_param"] = point(prec.map(PRECISION_BYTES.get))
    r.use_fp8 = prec.map(lambda k: float(PRECISION_FLOPS_KEY[k] == "peak_flops_fp8")) > 0
    r.prec = prec


def _tokens(r: _Run) -> None:
    """Input and output tokens: given, else the defaults (a reasoning model's output), capped at the context."""
    col, given, v, S, item, allrows = r.col, r.given, r.v, r.S, r.item, r.allrows
    reasoning = _reasoning_rows(r.c, r.n, r.model_keys, r.P, r.notes, r.names, item)
    choose(v, S, "input_tokens", [
        (given["input_tokens"] & ~item, col["input_tokens"], GIVEN),
        (item, point(0.0), _ITEM_RULE),
        (allrows, _constant("input_tokens", "token"), _constant_rule("input_tokens")),
    ])
    choose(v, S, "output_tokens", [
        (given["output_tokens"] & ~item, col["output_tokens"], GIVEN),
        (item, point(1.0), _ITEM_RULE),
        (reasoning, _constant("reasoning_output_tokens", "token"), _constant_rule("reasoning_output_tokens")),
        (allrows, _constant("output_tokens", "token"), _constant_rule("output_tokens")),
    ])
    _context_check(v, S, r.model_keys, given, item, r.P, r.notes, r.n)


def _gpu(r: _Run) -> None:
    """The GPU's figures from the factor tables: peak FLOP/s (fp8 where the precision uses it), memory, power."""
    n, v, S, P, notes, allrows = r.n, r.v, r.S, r.P, r.notes, r.allrows
    gpu_keys = r.names("gpu", "H100", "GPU", lambda s: factors.find_key("gpus", s, "GPU"))
    notes.append((~gpu_keys.given, "no GPU given: the H100 is assumed"))
    fp8 = factor_column(gpu_keys, "gpus", "peak_flops_fp8", "FLOP/s")
    has_fp8 = ~np.isnan(fp8[:, 1])
    notes.append((np.broadcast_to(r.use_fp8 & ~has_fp8, (n,)),
                  "this GPU has no fp8/int8 peak in the factor tables: its bf16/fp16 peak is used"))
    choose(v, S, "peak_flops", [
        (r.use_fp8 & has_fp8, fp8, Rule("default", table="gpus", names=gpu_keys, parameter="peak_flops_fp8")),
        (allrows, factor_column(gpu_keys, "gpus", "peak_flops_bf16", "FLOP/s"),
         Rule("default", table="gpus", names=gpu_keys, parameter="peak_flops_bf16")),
    ])
    for name, parameter, unit in (("memory_bandwidth", "memory_bandwidth", "byte/s"), ("gpu_memory", "memory", "byte"),
                                  ("tdp", "tdp", "W"), ("idle_power", "idle_power", "W")):
        choose(v, S, name, [(allrows, factor_column(gpu_keys, "gpus", parameter, unit),
                             Rule("default", table="gpus", names=gpu_keys, parameter=parameter))])
    for name in ("peak_flops", "memory_bandwidth", "gpu_memory", "tdp", "idle_power"):
        P.add(gpu_keys.present & np.isnan(v[name][:, 1]), "gpu",
              f"the factor tables have no {name} for this GPU; pick another GPU")
    r.gpu_keys = gpu_keys


def _gpu_embodied(r: _Run) -> None:
    """The GPU's embodied CO2e (or the H100's as a proxy), ADPe and primary energy (or Boavizta's A100 scaled)."""
    n, col, given, v, S, allrows, gpu_keys = r.n, r.col, r.given, r.v, r.S, r.allrows, r.gpu_keys
    choose_or_proxy(v, S, r.notes, r.c, "gpu_embodied", gpu_keys, "gpus", "embodied", "H100",
                    "no embodied figure for this GPU: the H100's is used as a proxy")
    # ADPe and primary energy of manufacture: the GPU's own rows where a source gives them, else Boavizta's
    # A100 80GB card scaled in proportion to the GPU's embodied CO2e (a documented scaling, named in the notes)
    reference_co2e = factors.get("gpus", "A100-80GB", "embodied").value  # [kgCO2e]
    scaled = np.zeros(n, dtype=bool)
    for name, parameter in (("gpu_embodied_adpe", "embodied_adpe"), ("gpu_embodied_pe", "embodied_pe")):
        unit = CORE[name].unit
        own = factor_column(gpu_keys, "gpus", parameter, unit)
        has_own = np.broadcast_to(~np.isnan(own[:, 1]), (n,))
        reference = triple(factors.get("gpus", "A100-80GB", parameter), unit)[None, :]
        mine = given.get(name, np.zeros(n, dtype=bool))
        scaled |= ~mine & ~has_own
        choose(v, S, name, [
            (mine, col.get(name, point(np.nan)), GIVEN),
            (has_own, own, Rule("default", table="gpus", names=gpu_keys, parameter=parameter)),
            (allrows, reference * v["gpu_embodied"] / reference_co2e,
             Rule("derived", table="gpus", key="A100-80GB", parameter=parameter,
                  formula=f"A100-80GB {parameter} x gpu_embodied / A100-80GB embodied ({reference_co2e:g} kgCO2e)",
                  inputs=("gpu_embodied",))),
        ])
    r.notes.append((scaled, "embodied ADPe and primary energy of this GPU and its server slot: Boavizta's A100 80GB "
                            "card and 8-GPU server scaled in proportion to their embodied CO2e"))


def _host(r: _Run) -> None:
    """The host's power while serving and idle: given, else a ratio of the GPU's TDP (the profile's or generic)."""
    col, given, v, S, dep, allrows = r.col, r.given, r.v, r.S, r.dep, r.allrows
    ratio = triple(factors.get("servers", "gpu_server", "host_power_ratio"), D)[None, :]
    dep_ratio, has_dep_ratio = r.profile("host_power_ratio", D)
    choose(v, S, "host_power", [
        (given["host_power"], col["host_power"], GIVEN),
        (has_dep_ratio, dep_ratio * v["tdp"][:, 1:2] if has_dep_ratio.any() else dep_ratio,  # unused without profile
         Rule("derived", table="deployments", names=dep, parameter="host_power_ratio",
              formula="host_power_ratio x gpu tdp", inputs=("tdp",))),
        (allrows, ratio * v["tdp"][:, 1:2],
         Rule("derived", table="servers", key="gpu_server", parameter="host_power_ratio",
              formula="host_power_ratio x gpu tdp", inputs=("tdp",))),
    ])
    idle_ratio = triple(factors.get("servers", "gpu_server", "host_idle_ratio"), D)[None, :]
    dep_idle, has_dep_idle = r.profile("host_idle_ratio", D)
    with np.errstate(invalid="ignore"):
        host_idle_dep = np.minimum(dep_idle * v["host_power"], v["host_power"]) if has_dep_idle.any() else dep_idle
        host_idle_gen = np.minimum(idle_ratio * v["host_power"], v["host_power"])
    r.P.add(given["host_idle_power"] & given["host_power"] & (col["host_idle_power"][:, 1] > col["host_power"][:, 1]),
            "host_idle_power", "cannot exceed {host_power} (the host's power while serving)")
    choose(v, S, "host_idle_power", [
        (given["host_idle_power"], col["host_idle_power"], GIVEN),
        (has_dep_idle, host_idle_dep, Rule("derived", table="deployments", names=dep, parameter="host_idle_ratio",
                                           formula="host_idle_ratio x host power", inputs=("host_power",))),
        (allrows, host_idle_gen, Rule("derived", table="servers", key="gpu_server", parameter="host_idle_ratio",
                                      formula="host_idle_ratio x host power", inputs=("host_power",))),
    ])


def _server_embodied(r: _Run) -> None:
    """The server slot's embodied CO2e (the H100's as a proxy), ADPe and primary energy; the hardware lifetime."""
    n, col, given, v, S, allrows = r.n, r.col, r.given, r.v, r.S, r.allrows
    choose_or_proxy(v, S, r.notes, r.c, "server_embodied", r.gpu_keys, "gpus", "server_embodied_per_gpu", "H100",
                    "no server slot figure for this GPU: the H100's 8-GPU server slot is used as a proxy")
    choose(v, S, "hardware_lifetime", [
        (given["hardware_lifetime"], col["hardware_lifetime"], GIVEN),
        (allrows, triple(factors.get("servers", "gpu_server", "lifetime"), "s")[None, :],
         Rule("default", table="servers", key="gpu_server", parameter="lifetime")),
    ])
    slot_co2e = factors.get("servers", "gpu_server", "embodied_per_gpu").value  # [kgCO2e] 8-GPU server slot
    for name, parameter in (("server_embodied_adpe", "embodied_adpe_per_gpu"),
                            ("server_embodied_pe", "embodied_pe_per_gpu")):
        reference = triple(factors.get("servers", "gpu_server", parameter), CORE[name].unit)[None, :]
        choose(v, S, name, [
            (given.get(name, np.zeros(n, dtype=bool)), col.get(name, point(np.nan)), GIVEN),
            (allrows, reference * v["server_embodied"] / slot_co2e,
             Rule("derived", table="servers", key="gpu_server", parameter=parameter,
                  formula=f"gpu_server {parameter} x server_embodied / gpu_server embodied_per_gpu ({slot_co2e:g} kgCO2e)",
                  inputs=("server_embodied",))),
        ])


def _gpus_and_batch(r: _Run) -> None:
    """GPUs per instance (given ones must hold the weights) and the batch size (given, profile, default)."""
    from .inference import gpus_needed

    n, c, col, given, v, S, item, allrows = r.n, r.c, r.col, r.given, r.v, r.S, r.item, r.allrows
    choose(v, S, "n_gpus", [(given["gpus"], col["gpus"], GIVEN), (item, point(1.0), Rule(
        "derived", formula="generic task path: one GPU unless gpus is given"))])
    with np.errstate(invalid="ignore", over="ignore"):  # rows past a maximum are reported, not used
        weights = np.broadcast_to(v["total_params"][:, 1] * v["bytes_per_param"][:, 1], (n,))
        capacity = np.broadcast_to(col["gpus"][:, 1] * v["gpu_memory"][:, 1], (n,))
        fail = given["gpus"] & ~item & (weights > capacity)
    if fail.any():
        msgs = np.empty(n, dtype=object)
        gpus_given = np.broadcast_to(col["gpus"][:, 1], (n,))
        for i in np.flatnonzero(fail):
            msgs[i] = (f"the weights need {weights[i] / 1e9:.0f} GB at {r.prec.key(i)} but {gpus_given[i]:g} x "
                       f"{r.gpu_keys.key(i)} hold {capacity[i] / 1e9:.0f} GB; use more GPUs, a lower precision or "
                       "leave {gpus} out")
        r.P.add(fail, "gpus", msgs)
    per_gpu, has_per_gpu = r.profile("batch_per_gpu", D)
    dep_batch, has_dep_batch = r.profile("batch_size", D)
    mem_overhead = c.constants.get("memory_overhead", _constant("memory_overhead", D))[:, 1]
    per_instance = per_gpu  # the GPUs of an instance matter only to a profile's batch per GPU
    if has_per_gpu.any():
        with np.errstate(invalid="ignore", over="ignore"):
            instance = np.where(given["gpus"], np.broadcast_to(col["gpus"][:, 1], (n,)), gpus_needed(
                np.broadcast_to(v["total_params"][:, 1], (n,)), np.broadcast_to(v["bytes_per_param"][:, 1], (n,)),
                np.broadcast_to(v["gpu_memory"][:, 1], (n,)), mem_overhead))
            per_instance = per_gpu * instance[:, None]
    choose(v, S, "batch_size", [
        (given["batch_size"], col["batch_size"], GIVEN),
        (item, point(1.0), _ITEM_RULE),
        (has_per_gpu, per_instance, Rule("derived", table="deployments", names=r.dep, parameter="batch_per_gpu",
                                         formula="batch_per_gpu x GPUs per instance (central model size)",
                                         inputs=("total_params", "gpu_memory"))),
        (has_dep_batch, dep_batch, r.profile_rule("batch_size")),
        (allrows, _constant("batch_size", D), _constant_rule("batch_size")),
    ])
    choose(v, S, "kv_bytes_per_token", [(given["kv_bytes_per_token"], col["kv_bytes_per_token"], GIVEN)])


def _serving_stack(r: _Run) -> None:
    """The serving stack (factors/serving_stacks.csv) and every model constant: given, the stack's, or the table's."""
    from .inputs import CONSTANTS

    c, v, S, allrows = r.c, r.v, r.S, r.allrows
    # the serving stack sets the per-sequence cost of a decode step (factors/serving_stacks.csv)
    stack = r.names("serving_stack", DEFAULT_STACK, "serving stack",
                    lambda s: factors.find_key("serving_stacks", s, "serving stack"))
    r.notes.append((~stack.given & ~r.item & (r.path == 0),
                    f"serving stack: {DEFAULT_STACK} (current serving software); {{serving_stack}} vllm_2024 for the "
                    "2024 generation, whose per-sequence step cost is several times larger"))
    for name in CONSTANTS:
        unit = CORE[name].unit
        given_c = c.constants_given.get(name, r.none)
        by_stack = [(allrows, factor_column(stack, "serving_stacks", name, unit),
                     Rule("default", table="serving_stacks", names=stack, parameter=name))] \
            if name in STACK_CONSTANTS else []
        fallback = [] if by_stack else [(allrows, _constant(name, unit), _constant_rule(name))]
        choose(v, S, name, [(given_c, c.constants.get(name, point(np.nan)), GIVEN)] + by_stack + fallback)


def _volume(r: _Run) -> None:
    """Provisioning (shared, dedicated), the request rate, the fleet utilisation and the period of the totals."""
    n, col, given, v, S, P = r.n, r.col, r.given, r.v, r.S, r.P
    prov = r.names("provisioning", "shared", "provisioning", _lower_choice(PROVISIONING))
    is_dedicated = prov.map(lambda k: float(k == "dedicated"))
    dedicated = np.broadcast_to(is_dedicated > 0, (n,))
    v["dedicated"] = point(is_dedicated)
    choose(v, S, "request_rate", [(given["requests"], col["requests"], GIVEN)])
    P.add(dedicated & ~given["requests"], "requests",
          "dedicated provisioning needs the volume (e.g. '10000/day'): a dedicated endpoint's idle energy "
          "is spread over the requests it serves")
    choose(v, S, "fleet_utilisation", [
        (dedicated, point(1.0), Rule("derived", formula="dedicated endpoint: utilisation from its traffic")),
        (given["fleet_utilisation"], col["fleet_utilisation"], GIVEN),
        (r.profile("fleet_utilisation", D)[1], r.profile("fleet_utilisation", D)[0],
         r.profile_rule("fleet_utilisation")),
        (r.allrows, _constant("fleet_utilisation", D), _constant_rule("fleet_utilisation")),
    ])
    P.add(given["period"] & ~given["requests"], "period", "give {requests} too (the totals are requests per time x period)")
    period = np.where(given["period"], col["period"][:, 1], scale("year", "s"))
    period = np.broadcast_to(np.where(given["requests"], period, np.nan), (n,))
    r.notes.append((given["requests"] & ~given["period"], "period of the totals: 1 year (default)"))
    r.dedicated, r.period = dedicated, period


def _flop_and_measured_paths(r: _Run) -> None:
    """The inputs of the simple FLOP path (utilisation, power per GPU) and of the measured path (energy per token)."""
    col, given, v, S, P, notes, tps, pw = r.col, r.given, r.v, r.S, r.P, r.notes, r.tps, r.pw
    choose(v, S, "flop_utilisation", [
        (given["flop_utilisation"], col["flop_utilisation"], GIVEN),
        (r.item_flops, _constant("eta_compute", D), _constant_rule("eta_compute")),
    ])
    notes.append((given["flop_utilisation"] | r.item_flops, "simple FLOP path: energy = FLOPs / (peak FLOP/s x "
                                                           "utilisation) x power"))
    P.add(given["power_per_gpu"] & ~given["flop_utilisation"], "power_per_gpu",
          "applies to the simple FLOP path; give {flop_utilisation} too")
    choose(v, S, "power_per_gpu", [(given["power_per_gpu"], col["power_per_gpu"], GIVEN)])
    P.add(~given["measured_energy_per_token"] & (tps ^ pw), "measured_power" if np.any(tps) else
          "measured_tokens_per_second", "a measured throughput needs both {measured_tokens_per_second} and {measured_power}")
    with np.errstate(invalid="ignore", divide="ignore"):
        derived = point(col["measured_power"][:, 1] / col["measured_tokens_per_second"][:, 1])
    choose(v, S, "measured_energy_per_token", [
        (given["measured_energy_per_token"], col["measured_energy_per_token"], GIVEN),
        (tps & pw, derived, Rule("derived", formula="measured power / measured throughput",
                                 inputs=("measured_power", "measured_tokens_per_second"))),
    ])
    notes.append((r.measured, "measured path: the measured IT energy per output token replaces the hardware model "
                              "(PUE still applied)"))


def _datacentre(r: _Run) -> None:
    """PUE and WUE: given, else the named data-centre profile's, else the deployment profile's, else the default."""
    col, given, v, S = r.col, r.given, r.v, r.S
    dc_keys = r.names("datacenter", "industry_average", "datacenter profile",
                      lambda s: factors.find_key("datacenters", s, "datacenter profile"))
    for name in ("pue", "wue"):
        table_value = factor_column(dc_keys, "datacenters", name, CORE[name].unit)
        r.P.add(~given[name] & dc_keys.present & np.isnan(table_value[:, 1]), name,
                "no default in the factor tables for this row; give it explicitly")
        dep_value, has_dep_value = r.profile(name, CORE[name].unit)
        choose(v, S, name, [(given[name], col[name], GIVEN),
                            (dc_keys.given, table_value, Rule("default", table="datacenters", names=dc_keys,
                                                              parameter=name)),
                            (has_dep_value, dep_value, r.profile_rule(name)),
                            (r.allrows, table_value, Rule("default", table="datacenters", names=dc_keys,
                                                          parameter=name))])


def _grid(r: _Run) -> None:
    """The zone's electricity: carbon (weighted by a usage profile), water, ADPe, primary energy; the water scope."""
    c, col, given, v, S, notes = r.c, r.col, r.given, r.v, r.S, r.notes
    zone_keys = r.names("zone", "WOR", "zone", lambda s: factors.find_key("grid", s, "zone"))
    notes.append((~zone_keys.given & ~given["grid_intensity"], "no {zone} given: the world average grid intensity is used"))
    zone_carbon = factor_column(zone_keys, "grid", "carbon_intensity", "kg/J")
    r.P.add(~given["grid_intensity"] & zone_keys.present & np.isnan(zone_carbon[:, 1]), "grid_intensity",
            "no default in the factor tables for this row; give it explicitly")
    choose(v, S, "grid_intensity", [(given["grid_intensity"], col["grid_intensity"], GIVEN),
                                    (r.allrows, zone_carbon, Rule("default", table="grid", names=zone_keys,
                                                                  parameter="carbon_intensity"))])
    _usage_profile(v, S, c, zone_keys, r.P, notes, r.names)
    choose_or_proxy(v, S, notes, c, "water_intensity", zone_keys, "grid", "water_intensity", "WOR",
                    "no water intensity of electricity for this zone: the world average is used")
    choose_or_proxy(v, S, notes, c, "grid_adpe", zone_keys, "grid", "adpe_intensity", "WOR",
                    "no ADPe factor of electricity for this zone: the world proxy (median of national values) is used")
    choose_or_proxy(v, S, notes, c, "grid_primary_energy", zone_keys, "grid", "primary_energy_intensity", "WOR",
                    "no primary-energy factor of electricity for this zone: the world proxy (median of national "
                    "values) is used")
    scope = r.names("water_scope", "onsite+electricity", "water scope",
                    _lower_choice(("onsite", "onsite+electricity")))
    v["water_offsite"] = point(scope.map(lambda k: float(k == "onsite+electricity")))
    notes.append((~scope.given, "water scope: onsite+electricity (the data centre's cooling water and the water "
                                "consumed to generate its electricity); {water_scope} onsite counts the cooling "
                                "water only, as providers report it"))


def _reasoning_rows(c, n, model_keys, P, notes, names, item):
    """Rows in reasoning use: {reasoning} on, or not given for a catalogue model that always reasons."""
    mode = names("reasoning", None, "reasoning", _lower_choice(("on", "off")))
    kind = _catalogue_field(model_keys, "reasoning")
    on_given = mode.map(lambda k: float(k == "on")) > 0
    cat_yes = kind.map(lambda k: float(k == "yes")) > 0
    cat_hybrid = kind.map(lambda k: float(k == "hybrid")) > 0
    cat_no = kind.map(lambda k: float(k == "no")) > 0
    on_given, cat_yes = np.broadcast_to(on_given, (n,)), np.broadcast_to(cat_yes, (n,)) & model_keys.given
    cat_hybrid = np.broadcast_to(cat_hybrid, (n,)) & model_keys.given
    P.add(on_given & np.broadcast_to(cat_no, (n,)) & model_keys.given, "reasoning",
          "this catalogue model does not reason; leave {reasoning} out or give --output-tokens")
    P.add(mode.given & item, "reasoning", "applies to language models, not to the generic per-item path")
    on = (on_given | (~mode.given & cat_yes)) & ~item
    out_given = c.given["output_tokens"]
    notes.append((on & ~out_given, "reasoning use: default output of a reasoning model (thinking tokens included, "
                                   "ML.ENERGY v3's problem-solving average); {reasoning} off for short answers"))
    notes.append((~mode.given & cat_hybrid & ~out_given & ~item,
                  "this model can reason on request: {reasoning} on charges a reasoning answer's output length"))
    notes.append((on & out_given, "{reasoning} on: the given output tokens are used (they should include the "
                                  "thinking tokens)"))
    return on


def _context_check(v, S, model_keys, given, item, P, notes, n):
    """Input tokens above a catalogue model's context length: refused when given, capped (with a note) when a default."""
    ctx = factor_column(model_keys, "models", "context_length", "token")[:, 1]
    ctx = np.broadcast_to(ctx, (n,))
    with np.errstate(invalid="ignore"):
        over = ~item & model_keys.given & ~np.isnan(ctx)
        tokens = np.broadcast_to(v["input_tokens"], (n, 3))
        bad = over & given["input_tokens"] & (tokens[:, 2] > ctx)
        if bad.any():
            P.add(bad, "input_tokens", LazyMessages(ctx, "exceeds the model's context length of {:.0f} tokens; give "
                                                         "fewer tokens or a model with a longer context"))
        capped = over & ~given["input_tokens"] & (tokens[:, 2] > ctx)
    if capped.any():
        v["input_tokens"] = where(capped, np.minimum(tokens, ctx[:, None]), v["input_tokens"])
        notes.append((capped, "the default {input_tokens} range is capped at the model's context length"))


def _usage_profile(v, S, c, zone_keys, P, notes, names):
    """A usage profile weights the zone's hourly intensity (footprint.hourly); zones without hourly data keep
    their yearly factor, with a note.  A given grid intensity wins over the profile."""
    n = c.n
    if c.names.get("usage_profile") is None:
        return
    from . import hourly

    def check_profile(text):
        hourly.parse_profile(text)  # refused here with one line when it does not parse
        return text

    prof = names("usage_profile", None, "usage profile", check_profile)
    on = prof.given & zone_keys.present & ~c.given["grid_intensity"]
    notes.append((prof.given & c.given["grid_intensity"],
                  "the usage profile is not applied: {grid_intensity} was given"))
    if not on.any():
        return
    zc = np.broadcast_to(zone_keys.codes, (n,))
    pc = np.broadcast_to(prof.codes, (n,))
    value = np.full(n, np.nan)
    hourly_rows = np.zeros(n, dtype=bool)
    first_key = None
    for z, p in set(zip(zc[on].tolist(), pc[on].tolist())):
        rows = on & (zc == z) & (pc == p)
        zone, spec = zone_keys.keys[z], prof.keys[p]
        try:
            r = hourly.profile_intensity(zone, spec)
        except InputError as exc:
            P.add(rows, "usage_profile", str(exc))
            continue
        if r.get("hourly"):
            value[rows] = r["value_g_per_kwh"] * 1e-3 / 3.6e6  # g/kWh -> kg/J
            hourly_rows |= rows
            first_key = first_key or zone
            notes.append((rows, f"usage profile: {r['description']}; the hourly series (Electricity Maps, "
                                "life-cycle, consumption-based) has another boundary than the zone's yearly "
                                "default, so compare profiles within the series; average, not marginal, intensity"))
        else:
            notes.append((rows, r["note"]))
    notes.append((hourly_rows, "the usage profile moves CO2e only: ADPe and primary energy keep the zone's yearly "
                               "factors (no hourly series of them)"))
    if hourly_rows.any():
        v["grid_intensity"] = where(hourly_rows, point(value), v["grid_intensity"])
        S.rules["grid_intensity"] = [(hourly_rows, Rule(
            "derived", table="grid_hourly", names=zone_keys, parameter="carbon_intensity_lca",
            formula="hourly intensity weighted by the usage profile", inputs=("zone", "usage_profile"),
            status="published"))] + S.rules["grid_intensity"]


def _training(r: _Run) -> None:
    """Training amortisation, row-wise by masks: how many requests share it, then its compute, hardware, site."""
    _training_amortisation(r)   # the requests that share the training (lifetime, or a share of the period)
    _training_compute(r)        # GPU time (given, or the model card's), else the tokens trained on
    _training_hardware(r)       # the training GPU and its power; PUE
    _training_site(r)           # the training zone: carbon, water, ADPe, primary energy
    _training_efficiency(r)     # MFU and the training GPU's peak FLOP/s


def _spread(arr, constant):
    """A value (rows, 3) times a relative range of the constants table: low x low, high x high."""
    return arr * _constant(constant, D)


def _training_amortisation(r: _Run) -> None:
    """The requests the training is spread over: given, or the requests of the period over a training share."""
    col, given, P = r.col, r.given, r.P
    life, share = given["training_lifetime_requests"], given["training_share"]
    on = life | share
    P.add(life & share, "training_share", "give either {training_lifetime_requests} or {training_share}, not both")
    P.add(share & ~given["requests"], "training_share",
          "needs {requests} (the share is spread over the requests of the period)")
    r.notes.append((~on, "training is excluded (its line is 0): give {training_lifetime_requests} or "
                         "{training_share} to amortise the model's training"))
    with np.errstate(invalid="ignore", divide="ignore"):
        from_share = point(col["requests"][:, 1] * r.period / col["training_share"][:, 1])
    choose(r.v, r.S, "amortisation_requests", [
        (life, col["training_lifetime_requests"], GIVEN),
        (share, from_share, Rule("derived", formula="requests over the period / training share",
                                 inputs=("requests", "period", "training_share"))),
    ])
    r.training_on = on


def _training_compute(r: _Run) -> None:
    """Training GPU time: given, else the model card's GPU-hours (spread); else the tokens trained on."""
    col, given, on, model_keys = r.col, r.given, r.training_on, r.model_keys
    model_hours = factor_column(model_keys, "models", "training_gpu_hours", "s")
    model_tokens = factor_column(model_keys, "models", "training_tokens", "token")
    hours_given = given["training_gpu_hours"]
    use_model_hours = ~hours_given & ~np.isnan(model_hours[:, 1])
    use_tokens = ~hours_given & ~use_model_hours & (given["training_tokens"] | ~np.isnan(model_tokens[:, 1]))
    r.P.add(on & ~hours_given & ~use_model_hours & ~use_tokens, "training_gpu_hours",
            "training amortisation needs {training_gpu_hours} or {training_tokens} (or a catalogue model whose "
            "card gives them)")
    choose(r.v, r.S, "training_gpu_time", [
        (on & hours_given, col["training_gpu_hours"], GIVEN),
        (on & use_model_hours, _spread(model_hours, "training_gpu_hours_ratio"),
         Rule("derived", table="models", names=model_keys, parameter="training_gpu_hours",
              formula="card GPU-hours x training_gpu_hours_ratio (constants)", inputs=("model",))),
    ])
    choose(r.v, r.S, "training_tokens", [
        (on & use_tokens & given["training_tokens"], col["training_tokens"], GIVEN),
        (on & use_tokens, model_tokens, Rule("default", table="models", names=model_keys,
                                             parameter="training_tokens")),
    ])


def _training_hardware(r: _Run) -> None:
    """The training GPU (given, else the catalogue's) and its power per GPU; the training PUE."""
    n, col, given, v, S, on, model_keys = r.n, r.col, r.given, r.v, r.S, r.training_on, r.model_keys
    # the catalogue's training GPU, else the serving GPU (named)
    known_gpus = {k.lower(): k for k in factors.keys("gpus")}
    tg_raw = r.names("training_gpu", None, "GPU", lambda s: factors.find_key("gpus", s, "GPU"))
    from_card = Names(model_keys.codes, [known_gpus.get((catalogue.training_gpu(k) or "").lower())
                                         if k is not None else None for k in model_keys.keys], model_keys.given)
    train_gpu = overlay(tg_raw, from_card, ~tg_raw.given & from_card.present & model_keys.given, n)
    r.seen["training_gpu"] = train_gpu
    has_train_gpu = train_gpu.present & (tg_raw.given | model_keys.given)
    model_power = factor_column(model_keys, "models", "training_gpu_power", "W")
    model_has_power = ~np.isnan(model_power[:, 1])
    r.notes.append((on & ~given["training_gpu_power"] & ~model_has_power & ~has_train_gpu,
                    "training hardware unknown: the serving GPU's TDP stands for the training power per GPU "
                    "(give {training_gpu_power})"))
    choose(v, S, "training_gpu_power", [
        (~on, point(0.0), _TRAINING_OFF),
        (given["training_gpu_power"], col["training_gpu_power"], GIVEN),
        (model_has_power, _spread(model_power, "training_power_ratio"),
         Rule("derived", table="models", names=model_keys, parameter="training_gpu_power",
              formula="card power per GPU x training_power_ratio (constants)", inputs=("model",))),
        (has_train_gpu, _spread(factor_column(train_gpu, "gpus", "tdp", "W"), "training_power_ratio"),
         Rule("derived", table="gpus", names=train_gpu, parameter="tdp",
              formula="training GPU's TDP x training_power_ratio (constants)", inputs=("training_gpu",))),
        (r.allrows, _spread(v["tdp"], "training_power_ratio"),
         Rule("derived", table="gpus", names=r.seen["gpu"], parameter="tdp",
              formula="serving GPU's TDP x training_power_ratio (no training hardware known)", inputs=("tdp",))),
    ])
    choose(v, S, "training_pue", [
        (on & given["training_pue"], col["training_pue"], GIVEN),
        (r.allrows, point(1.0), Rule("derived", formula="1.0: the training power already holds the PUE (a card's power is "
                                             "adjusted for PUE; a TDP's training_power_ratio range, 0.6-1.2, "
                                             "includes a hyperscale PUE of about 1.1)")),
    ])
    r.train_gpu, r.has_train_gpu = train_gpu, has_train_gpu


def _training_site(r: _Run) -> None:
    """The training zone (given, else the model card's or the developer's, else the world) and its electricity."""
    n, col, given, v, S, notes = r.n, r.col, r.given, r.v, r.S, r.notes
    on, model_keys, allrows = r.training_on, r.model_keys, r.allrows
    tz_raw = r.names("training_zone", "WOR", "zone", lambda s: factors.find_key("grid", s, "zone"))
    sites = [catalogue.training_site(k) if k is not None else None for k in model_keys.keys]
    zone_keys = {k.lower(): k for k in factors.keys("grid")}
    from_model = Names(model_keys.codes, [zone_keys.get(s["zone"].lower()) if s else None for s in sites],
                       model_keys.given)
    site_known = from_model.present & model_keys.given & ~tz_raw.given
    tz_keys = overlay(tz_raw, from_model, site_known, n)
    r.seen["training_zone"] = tz_keys
    idle = r.seen["training_gpu"].given | tz_raw.given  # training inputs that change nothing while training is excluded
    for key in given:
        if key.startswith("training_") and key not in ("training_lifetime_requests", "training_share"):
            idle = idle | given[key]
    notes.append((~on & idle, "training inputs are given but training is excluded, so they change no figure: give "
                              "{training_lifetime_requests} or {training_share} to count the training"))
    gi = given["training_grid_intensity"]
    for basis in sorted({s["basis"] for s in sites if s}):
        rows = site_known & model_keys.take(np.array([bool(s) and s["basis"] == basis for s in sites]))
        notes.append((on & ~gi & rows, f"training site from the {basis} (give {{training_zone}} to change it)"))
    notes.append((on & ~gi & ~tz_raw.given & ~site_known,
                  "training site unknown: the world average grid is used (give {training_zone} or "
                  "{training_grid_intensity})"))
    choose(v, S, "training_grid_intensity", [
        (~on, point(0.0), _TRAINING_OFF),
        (gi, col["training_grid_intensity"], GIVEN),
        (allrows, _spread(factor_column(tz_keys, "grid", "carbon_intensity", "kg/J"), "training_grid_spread"),
         Rule("derived", table="grid", names=tz_keys, parameter="carbon_intensity",
              formula="zone's yearly intensity x training_grid_spread (constants)", inputs=("training_zone",))),
    ])
    own_water = factor_column(tz_keys, "grid", "water_intensity", "L/J")
    lacking = np.broadcast_to(np.isnan(own_water[:, 1]), (n,)) & on
    notes.append((lacking, "no water intensity for the training zone: the world average is used as a proxy"))
    choose(v, S, "training_water_intensity", [
        (~on, point(0.0), _TRAINING_OFF),
        (~lacking, own_water, Rule("default", table="grid", names=tz_keys, parameter="water_intensity")),
        (allrows, triple(factors.get("grid", "WOR", "water_intensity"), "L/J")[None, :],
         Rule("proxy", table="grid", key="WOR", parameter="water_intensity", status="assumption")),
    ])
    choose(v, S, "training_wue", [
        (~on, point(0.0), _TRAINING_OFF),
        (allrows, triple(factors.get("datacenters", "ai_datacenter", "wue"), "L/J")[None, :],
         Rule("default", table="datacenters", key="ai_datacenter", parameter="wue")),
    ])
    for name, parameter, unit in (("training_grid_adpe", "adpe_intensity", "kg/J"),
                                  ("training_grid_primary_energy", "primary_energy_intensity", D)):
        own = factor_column(tz_keys, "grid", parameter, unit)
        lacking = on & np.broadcast_to(np.isnan(own[:, 1]), (n,))
        notes.append((lacking, f"no {'ADPe' if 'adpe' in name else 'primary-energy'} factor of electricity for the "
                               "training zone: the world proxy (median of national values) is used"))
        choose(v, S, name, [
            (~on, point(0.0), _TRAINING_OFF),
            (~lacking, own, Rule("default", table="grid", names=tz_keys, parameter=parameter)),
            (allrows, triple(factors.get("grid", "WOR", parameter), unit)[None, :],
             Rule("proxy", table="grid", key="WOR", parameter=parameter, status="assumption")),
        ])


def _training_efficiency(r: _Run) -> None:
    """Training MFU (given, else the constant) and peak FLOP/s (the training GPU's, else the serving GPU's)."""
    v, S, given, col = r.v, r.S, r.given, r.col
    choose(v, S, "training_mfu", [
        (~r.training_on, point(1.0), _TRAINING_OFF),
        (given["training_mfu"], col["training_mfu"], GIVEN),
        (r.allrows, _constant("training_mfu", D), _constant_rule("training_mfu")),
    ])
    choose(v, S, "training_peak_flops", [
        (r.has_train_gpu, factor_column(r.train_gpu, "gpus", "peak_flops_bf16", "FLOP/s"),
         Rule("default", table="gpus", names=r.train_gpu, parameter="peak_flops_bf16")),
    ] + list(zip([m for m, _ in S.rules["peak_flops"]], [v["peak_flops"]] * len(S.rules["peak_flops"]),
                 [r_ for _, r_ in S.rules["peak_flops"]])))


# -- reading single values into columns -------------------------------------------------------------

def empty_columns(n: int) -> tuple[dict, dict]:
    """Columns of every quantity input, not given."""
    col, given = {}, {}
    for name, spec in USER.items():
        if not spec.is_name:
            col[name] = np.full((1, 3), np.nan)
            given[name] = np.zeros(n, dtype=bool)
    return col, given
