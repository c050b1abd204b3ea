"""Shared fixtures: run the CLI as a user would (one process call through main())."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from footprint.cli import main

# A bounded hypothesis profile for CI and local runs (HYPOTHESIS_PROFILE=dev for more examples); tests that set
# their own max_examples keep them.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)  # CI: the same examples every run
settings.register_profile("dev", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


class CliResult:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def run_cli(capsys):
    """Call ``footprint ARGS`` through the console entry point; return code, stdout, stderr."""

    def run(*args):
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        cap = capsys.readouterr()
        return CliResult(code, cap.out, cap.err)

    return run
