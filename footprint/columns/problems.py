"""Problems of many rows, gathered and reported in one message; the checks of a quantity column."""

from __future__ import annotations

import numpy as np

from ..inputs import USER
from .names import scale


MAX_GROUPS = 20  # error groups spelled out in one message
INPUT_REF = __import__("re").compile(r"\{([a-z_]+)\}")


# -- problems ---------------------------------------------------------------------------------------

class Problems:
    """Bad values found in a table: (positions, input, message), reported together."""

    def __init__(self, index, label=None):
        self.index = index
        self.label = label or (lambda name: name)
        self.items: list[tuple[np.ndarray, str, str]] = []

    def spell(self, text: str) -> str:
        """Replace ``{input}`` references in a message by the input's name as the user typed it."""
        return INPUT_REF.sub(lambda m: self.label(m.group(1)) if m.group(1) in USER else m.group(0), text)

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
