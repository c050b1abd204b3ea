"""Every docstring example of the package runs (and none is skipped)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import footprint

MODULES = sorted(m.name for m in pkgutil.walk_packages(footprint.__path__, "footprint.")
                 if not m.name.endswith("__main__"))  # running __main__ would start the command


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[1])  # examples name files of the checkout (scenarios/)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} failing example(s) in {name}"


def test_no_docstring_example_is_skipped():
    skipped = [name for name in MODULES if "+SKIP" in (Path(importlib.import_module(name).__file__).read_text("utf-8"))]
    assert skipped == []
