"""The resolver's inputs (:class:`Columns`), its result (:class:`Resolution`) and the resolution in progress (:class:`Run`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import catalogue, factors
from ..errors import InputError
from ..inference import PRECISION_BYTES
from ..inputs import USER
from .problems import Problems, reduce3
from .names import Names, factor_column, overlay, read_names, triple
from .provenance import Rule, Sources


D = "dimensionless"
#: Serving paths, chosen per row by the resolver.
PATHS = ("modelled", "flop", "measured", "per_item_flops", "per_item_energy")
PROVISIONING = ("shared", "dedicated")
#: Serving stack of the rows that name none, and the constants each stack sets (factors/serving_stacks.csv).
DEFAULT_STACK = "vllm_2025"
STACK_CONSTANTS = ("step_overhead",)


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
        # h = h x 1000003 + part for each part in turn, modulo 2**64; parts equal on every row are folded into
        # one pending affine map (a, b) of Python integers, so only the parts that vary cost a pass over the rows
        mod, mult = 1 << 64, 1000003
        h, a, b = None, 1, 0  # h: the per-row key so far (None: still the constant b)

        def add(part):
            nonlocal h, a, b
            if np.ndim(part) == 0:
                a, b = a * mult % mod, (b * mult + int(part)) % mod
                return
            part = part.astype(np.uint64)
            if h is None:
                h = np.uint64(b * mult % mod) + part
            else:
                h = h * np.uint64(a * mult % mod) + np.uint64(b * mult % mod) + part
            a, b = 1, 0

        with np.errstate(over="ignore"):
            for name in sorted(self.given):
                mask = np.broadcast_to(np.asarray(self.given[name], dtype=bool), (n,))
                if mask.any() and not mask.all():
                    add(mask)
                elif mask.all():
                    add(7)
            for name in sorted(self.keys):
                names = self.keys[name]
                if names.single:
                    add((int(names.codes[:1].sum()) + 1) % mod)
                else:
                    add(np.broadcast_to(names.codes, (n,)).astype(np.uint64) + np.uint64(1))
            if h is None:
                return np.full(n, b, dtype=np.uint64)
            return h * np.uint64(a) + np.uint64(b) if (a, b) != (1, 0) else h

    def notes_of(self, row: int) -> list[str]:
        """The notes of one row, inputs spelled as the caller's user typed them."""
        return list(dict.fromkeys(self.problems.spell(text) for mask, text in self.notes
                                  if np.broadcast_to(mask, (len(self.path),))[row]))


def constant_column(name: str, unit: str) -> np.ndarray:
    return triple(factors.constant(name), unit)[None, :]


def constant_rule(name: str) -> Rule:
    return Rule("default", table="constants", key=name, parameter="value")


def lower_choice(choices):
    def lookup(s):
        s = s.lower()
        if s not in choices:
            raise InputError(f"'{s}' is not valid; use {' or '.join(choices)}")
        return s
    return lookup


def size_text(arr) -> str:
    """A parameter count (low, value, high) for people: ``70B``, ``50B..70B``."""
    lo, value, hi = (float(x) / 1e9 for x in arr)
    return f"{value:.4g}B" if lo == hi else f"{lo:.4g}B..{hi:.4g}B"


def override_notes(notes, mask, given_col, catalogue_col, model_keys, name, n, tail, max_notes=4):
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
        notes.append((rows_of, f"{{{name}}} {size_text(triple)} overrides the catalogue's "
                               f"{size_text(catalogue_col[first])} for {model_keys.key(first)}{more}"))
    return differs


#: Precision of a deployment profile's bytes per weight.
PRECISION_OF_BYTES = {1.0: "fp8", 2.0: "bf16", 0.5: "fp4", 4.0: "fp32"}


def catalogue_field(model_keys: Names, field_name: str) -> Names:
    """A catalogue field (deployment profile, reasoning) of each row's model, as a name column (None: none)."""
    from .. import catalogue

    def value(k):
        e = catalogue.entry(k) if k is not None else None
        text = getattr(e, field_name, "") if e is not None else ""
        return text or None

    return Names(model_keys.codes, [value(k) for k in model_keys.keys], model_keys.given)


def deployment_names(c, n, model_keys, P, seen) -> Names:
    """Each row's deployment profile: given, else the catalogue model's, else none (generic defaults)."""
    def lookup(s):
        return factors.find_key("deployments", s, "deployment profile")

    raw = read_names(c.names.get("deployment"), n, "deployment", None, P, lookup)
    from_model = catalogue_field(model_keys, "deployment_profile")
    known = set(factors.keys("deployments"))
    from_model = Names(from_model.codes, [k if k in known else None for k in from_model.keys], from_model.given)
    dep = overlay(raw, from_model, ~raw.given & model_keys.given, n)
    seen["deployment"] = dep
    return dep


def precision_lookup(s):
    from ..errors import unknown_name

    if s.lower() not in PRECISION_BYTES:
        raise unknown_name("precision", s, PRECISION_BYTES)
    return s.lower()


#: The rule of the LLM inputs of a row on the generic per-item path (they are not used there).
ITEM_RULE = Rule("placeholder", formula="generic task path: the LLM inputs are not used")
#: The rule of the training inputs of a row that excludes training (its line is 0).
TRAINING_OFF = Rule("placeholder", formula="training excluded: placeholder, the line is 0")


class Run:
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


def empty_columns(n: int) -> tuple[dict, dict]:
    """Columns of every quantity input, not given."""
    col, given = {}, {}
    for name, spec in USER.items():
        if not spec.is_name:
            col[name] = np.full((1, 3), np.nan)
            given[name] = np.zeros(n, dtype=bool)
    return col, given
