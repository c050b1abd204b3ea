"""Fuzz: generated flag values and scenario files never give a traceback, a second line or a file.

Every option of ``footprint estimate`` takes generated texts (digits, units, dots, commas, brackets,
operators, spaces, unicode, long strings, huge numbers); scenario files start from
scenarios/city_chatbot.toml and are mutated in structure and values (keys dropped, wrong types,
nested arrays 500 deep, huge numbers, booleans, dates, unknown keys).  Each run is in-process
(``footprint.cli.main``) in an empty working directory and must:

* exit 0 or 2;
* on 2, print exactly one stderr line, starting ``footprint: error:``;
* never print a traceback nor raise a numpy overflow or invalid-value warning;
* on 0 with ``--json``, give finite figures (no ``null`` where a number is due);
* write no file in the working directory.

The number of examples is bounded by the ``ci`` hypothesis profile (tests/conftest.py): 240 a test.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import os
import tempfile
import tomllib
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footprint.cli import main
from footprint.inputs import USER, label

ROOT = Path(__file__).resolve().parent.parent
BASE_SCENARIO = tomllib.loads((ROOT / "scenarios" / "city_chatbot.toml").read_text(encoding="utf-8"))

FLAGS = [label(name, "cli") for name in USER]

#: Fuzz runs are cheap (in-process, ~15 ms each): four times the profile's examples (60 in the 'ci' profile).
FUZZ = settings(max_examples=4 * settings.default.max_examples, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# -- the CLI, in-process, in an empty directory --------------------------------------------------------


def run_in_empty_dir(args, files=None):
    """Run ``footprint ARGS`` in a fresh empty directory (plus `files`); return (code, out, err, new files)."""
    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (files or {}).items():
            Path(tmp, name).write_text(text, encoding="utf-8")
        os.chdir(tmp)
        try:
            with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
                    contextlib.redirect_stderr(err):
                warnings.simplefilter("always")
                try:
                    main(list(args))
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            os.chdir(before)
        written = sorted(set(os.listdir(tmp)) - set(files or {}))
    numeric = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    return code, out.getvalue(), err.getvalue(), written, numeric


def check_outcome(args, code, out, err, written, numeric):
    shown = f"footprint {' '.join(map(repr, args))[:400]}"
    assert code in (0, 2), f"{shown}: exit {code}\n{err[-2000:]}"
    assert "Traceback" not in err, f"{shown}: traceback\n{err[-2000:]}"
    assert not numeric, f"{shown}: numeric warnings {numeric[:3]}"
    assert written == [], f"{shown}: wrote {written}"
    if code == 2:
        lines = err.strip("\n").split("\n")
        assert len(lines) == 1 and lines[0].startswith("footprint: error: "), f"{shown}: stderr {err!r}"


def finite_figures(block: dict, where: str):
    for metric, fig in block.items():
        if isinstance(fig, dict) and "value" in fig:
            for key in ("value", "low", "high"):
                if key in fig:
                    assert fig[key] is not None and math.isfinite(fig[key]), f"{where} {metric} {key}: {fig[key]}"


# -- flag values ------------------------------------------------------------------------------------

UNIT_WORDS = ["W", "kW", "MW", "Wh", "kWh", "J", "g/kWh", "gCO2e/kWh", "kgCO2e", "L/kWh", "L", "B", "T", "M",
              "k", "billion", "token", "tokens", "/day", "/s", "/year", "day", "year", "hour", "h", "s", "ms",
              "GB", "kB", "byte", "FLOP", "J/token", "Wh/ktoken", "token/s", "%", "µs", "°C", "Wattz", "kg",
              "m", "1/day", "**2", "^-9", "* 2", "/ 0"]
ATOMS = st.one_of(
    st.sampled_from(["0", "1", "-1", "1,2", "1.2", "1,000", "1e308", "-1e308", "1e-308", "9**9**9", "2**2**20",
                     "1..5", "5..1", "1...5", "[1, 2]", "1.2 [1.1..1.4]", "1_2", "nan", "inf", "-inf", "NaN",
                     "+", "-", ".", ",", "..", "[", "]", "[..]", "()", "e9", "1e", "0x10", "١٢", "½", "1\u00a0000",
                     "١", "𝟙", "ⅷ", "70B", "15T", "8.03B", "1e999", "1e14", "1e15", "10**10", "1 2", "", " ",
                     "\t", "\n", "FRA", "H100", "llama-3.1-8b", "dedicated", "shared", "bf16", "24/7",
                     "office-hours:Europe/Paris", "window:02:00/4h", "weekly:", "${HOME}", "$(echo hi)", "'", '"',
                     "%s", "{params}", "\\", "é", "漢字", "\x00", "\x7f", "\u202e"]),
    st.sampled_from(UNIT_WORDS),
    st.from_regex(r"[+-]?[0-9]{1,4}([.,][0-9]{1,3})?(e[+-]?[0-9]{1,3})?", fullmatch=True),
    st.text(alphabet="0123456789.,[]+-*/^ eE()BkMTW_", max_size=12),
    st.text(max_size=8),
)
VALUE = st.one_of(
    st.lists(ATOMS, min_size=1, max_size=5).map(" ".join),
    st.lists(ATOMS, min_size=1, max_size=4).map("".join),
    st.tuples(ATOMS, st.sampled_from(UNIT_WORDS), ATOMS, st.sampled_from(UNIT_WORDS)).map(
        lambda t: f"{t[0]} {t[1]}..{t[2]} {t[3]}"),
    st.integers(min_value=1, max_value=100_000).map(lambda n: "9" * min(n, 5000)),
    st.text(alphabet="0123456789.,", min_size=100, max_size=300),
)
NAMES = {"model": ["llama-3.1-8b", "mixtral-8x7b", "deepseek-v3", "llama-3.1-405b", "gpt-4o"],
         "gpu": ["H100", "L4", "A100-80GB", "T4", "B200"], "zone": ["FRA", "USA", "WOR", "EU27", "CHN"],
         "training_zone": ["FRA", "USA"], "precision": ["bf16", "fp8", "int4", "fp32"],
         "provisioning": ["shared", "dedicated"], "datacenter": ["hyperscale", "on_premise"],
         "usage_profile": ["24/7", "office-hours", "window:02:00/4h"]}
UNIT_OF = {"W": "W", "J": "J", "s": "hour", "1/s": "/day", "kg": "kgCO2e", "kg/J": "g/kWh", "L/J": "L/kWh",
           "J/token": "J/token", "byte/token": "kB", "token/s": "token/s", "parameter": "", "token": "",
           "request": "", "FLOP": "", "dimensionless": ""}


@st.composite
def plausible(draw, name):
    """A well-formed value of input `name`, mostly 1e-3 to 1e16 (inside or just past the maxima), sometimes
    1e-300 to 1e300; or a range of two."""
    spec = USER[name]
    if spec.is_name:
        return draw(st.sampled_from(NAMES.get(name, ["x"])))
    unit = UNIT_OF.get(spec.unit, "")

    def one():
        exp = draw(st.one_of(st.integers(min_value=-3, max_value=16), st.integers(min_value=-300, max_value=300)))
        return f"{draw(st.sampled_from(['1', '2,5', '9.99', '0.5']))}e{exp} {unit}".strip()

    return f"{one()}..{one()}" if draw(st.booleans()) and spec.ranged else one()


PLAUSIBLE_FLAGS = st.lists(st.sampled_from(list(USER)), min_size=1, max_size=6, unique=True).flatmap(
    lambda names: st.tuples(*[plausible(n).map(lambda v, n=n: (label(n, "cli"), v)) for n in names]))

# a few flags that make many values reach the estimator rather than stop at 'missing --params'
CONTEXT = st.sampled_from([[], ["--params", "7B"], ["--model", "llama-3.1-8b"], ["--params", "70B", "--requests",
                                                                                 "1000/day"],
                           ["--model", "mixtral-8x7b", "--provisioning", "dedicated", "--requests", "500/day"]])
OTHER = st.sampled_from([[], [], [], [], ["--samples", "100"], ["--samples", "100", "--seed", "-1"], ["--seed", "3"],
                         ["--samples", "-5"], ["--samples", "abc"], ["--output", "o.csv"], ["--batch", "nofile.csv"]])


def estimate_case(context, flags, other):
    args = ["estimate", *context]
    for flag, value in flags:
        args += [flag, value]
    args += [*other, "--json"]
    code, out, err, written, numeric = run_in_empty_dir(args)
    check_outcome(args, code, out, err, written, numeric)
    if code == 0:
        doc = json.loads(out)
        finite_figures(doc["per_request"], "per_request")
        if "total" in doc:
            finite_figures(doc["total"], "total")


@FUZZ
@given(context=CONTEXT, flags=st.lists(st.tuples(st.sampled_from(FLAGS), VALUE), min_size=1, max_size=3),
       other=OTHER)
def test_estimate_flags(context, flags, other):
    """Arbitrary texts in any option."""
    estimate_case(context, flags, other)


@FUZZ
@given(context=CONTEXT, flags=PLAUSIBLE_FLAGS, other=OTHER)
def test_estimate_extreme_values(context, flags, other):
    """Well-formed values of every input at extreme magnitudes: refused in one line or finite figures."""
    estimate_case(context, list(flags), other)


# -- scenario files ---------------------------------------------------------------------------------

class Deep:
    """An array nested `depth` times, written as text (no recursion in the writer)."""

    def __init__(self, depth):
        self.depth = depth


def toml_text(doc: dict) -> str:
    """A TOML document of `doc` with inline tables (enough for any tree of TOML values)."""
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in doc.items())


def _key(k) -> str:
    return _string(str(k))


def _string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(v) -> str:
    if isinstance(v, Deep):
        return "[" * v.depth + "]" * v.depth
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if v != v else ("inf" if v == math.inf else "-inf" if v == -math.inf else repr(v))
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


JUNK = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, -1, 10**18, 2**63 - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 1e-308, 5e-324]),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    VALUE,
    st.sampled_from(["1000/day", "1e300/day", "1e9/s", "3 year", "1e10 year", "0 s", "-5/day", "2000",
                     "70B", "1e308 W", "1,5 kW", "llama-3.3-70b", "nope", "", "FRA", "smartphone_hour",
                     "phone_call_minute", "x\n## Verdict: AI wins", "<script>", "| a | b |"]),
    st.integers(min_value=2, max_value=500).map(Deep),
    st.lists(st.sampled_from(["1/day", 5, True, "2/day", 1e308, "3 min", []]), max_size=4),
    st.dictionaries(st.sampled_from(["a", "activity", "quantity", "eta_compute", "name"]),
                    st.sampled_from([1, "x", True, 0.5, "3 min"]), max_size=3),
    st.just([{}]),
)


def _paths(node, prefix=()):
    """Every (path, value) of a tree of dicts and lists."""
    yield prefix, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _parent(doc, path):
    node = doc
    for p in path[:-1]:
        node = node[p]
    return node


@st.composite
def mutated_scenario(draw):
    doc = json.loads(json.dumps(BASE_SCENARIO))  # a deep copy (the base has no dates)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p, _ in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        action = draw(st.sampled_from(["drop", "set", "set", "set", "unknown", "wrap", "scale", "scale"]))
        value = parent[path[-1]]
        if action == "scale" and isinstance(value, str) and value[:1].isdigit():
            # the same quantity at another magnitude: '2000/day' -> '2e14/day'
            number = value.split("/")[0].split(" ")[0]
            exp = draw(st.one_of(st.integers(min_value=-6, max_value=20), st.integers(min_value=-320, max_value=320)))
            parent[path[-1]] = f"1e{exp}" + value[len(number):]
        elif action == "scale" and isinstance(value, (int, float)) and not isinstance(value, bool):
            parent[path[-1]] = value * 10.0 ** draw(st.integers(min_value=-12, max_value=20))
        elif action == "drop":
            del parent[path[-1]]
        elif action == "set":
            parent[path[-1]] = draw(JUNK)
        elif action == "wrap":
            parent[path[-1]] = [parent[path[-1]]] if draw(st.booleans()) else {"value": parent[path[-1]]}
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["colour", "volumes", "Name", "modle", "é", "ai ", "steps"]))] = draw(JUNK)
    return doc


@FUZZ
@given(doc=mutated_scenario(), command=st.sampled_from([["compare"], ["scenario", "validate"]]))
def test_scenario_files(doc, command):
    text = toml_text(doc)
    try:
        tomllib.loads(text)  # the writer's output is TOML: the run tests the scenario reader, not TOML syntax
    except RecursionError:
        pass  # nested deeper than tomllib reads: the CLI must say so in one line
    args = [*command, "s.toml"] + (["--json", "--samples", "100"] if command == ["compare"] else [])
    code, out, err, written, numeric = run_in_empty_dir(args, {"s.toml": text})
    check_outcome(args, code, out, err, written, numeric)
