"""`footprint estimate --batch FILE.csv --output results.csv`: a table of scenarios, in chunks.

The CSV is read in chunks of :data:`CHUNK_ROWS` rows (a progress bar on stderr
when there is more than one); each chunk goes through
:func:`footprint.batch.estimate`.  Bad values of every chunk are collected and
reported together, by file line and column, before anything is written; with
``--skip-invalid`` the good rows are written and the bad ones go, as given plus
an ``error`` column, to a rejects file.  Files are written to a temporary file
in the same directory and moved into place (``os.replace``), so a failed run
leaves no half-written output.  pandas is imported here only.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

import click

from .errors import InputError

#: Rows per chunk: large enough for the vectorised path, small enough to bound memory.
CHUNK_ROWS = 100_000


def _count_rows(path: Path) -> int:
    with path.open("rb") as fh:
        return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1)


@contextlib.contextmanager
def _atomic(path: Path):
    """A text file at `path`, moved into place only when the block succeeds."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def run_batch(path, output, *, skip_invalid=False, rejects=None, samples=None, seed=None, chunk_rows=None):
    """Estimate every row of the CSV at `path` and write the results to `output` (see module docstring)."""
    import pandas as pd

    chunk_rows = chunk_rows or CHUNK_ROWS
    from . import batch

    src = Path(path)
    if not src.is_file():
        raise InputError(f"--batch: no file '{path}'; give a CSV table with one scenario per row (docs/batch.md)")
    out = Path(output)
    rej = Path(rejects) if rejects else out.with_name(f"{out.stem}.rejects.csv")
    if not out.parent.is_dir():
        raise InputError(f"--output: directory '{out.parent}' does not exist")
    if out.resolve() == src.resolve() or rej.resolve() == src.resolve():
        raise InputError("--output: would overwrite the input table; choose another file")
    if samples is not None and samples < 1:
        raise InputError(f"--samples: must be at least 1, got {samples}")
    try:
        reader = pd.read_csv(src, chunksize=chunk_rows, keep_default_na=False, na_values=[""], skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise InputError(f"--batch: '{path}' is empty; give a header row and one scenario per row") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"--batch: '{path}' is not a readable CSV table ({str(exc).splitlines()[0]})") from None

    n_rows = _count_rows(src)
    problems, rejected, n_good, line = [], [], 0, 2
    units, columns_checked = None, False
    show = n_rows > chunk_rows
    bar = click.progressbar(length=n_rows, label="footprint: estimating", file=sys.stderr) if show \
        else contextlib.nullcontext()
    with _atomic(out) as fh, bar as progress:
        header = True
        try:
            for chunk in reader:
                chunk.index = pd.RangeIndex(line, line + len(chunk), name="line")
                line += len(chunk)
                if not columns_checked:
                    inputs, _ = batch.normalise_columns(chunk)
                    chunk, units = batch.split_units_row(chunk, inputs)
                    columns_checked = True
                if len(chunk) == 0:
                    continue
                result, bad = batch.estimate(chunk, skip_invalid=True, samples=samples, seed=seed, units=units)
                if len(bad):
                    problems += bad.attrs.pop("problems")
                    rejected.append(bad)
                if len(result):
                    result.to_csv(fh, header=header, index=True, lineterminator="\n")
                    header = False
                n_good += len(result)
                if show:
                    progress.update(len(chunk))
        except pd.errors.ParserError as exc:
            raise InputError(f"--batch: '{path}' is not a readable CSV table ({str(exc).splitlines()[0]})") from None
        if n_good + sum(len(r) for r in rejected) == 0:
            raise InputError(f"--batch: '{path}' has no scenario rows; give one scenario per row under the header")
        if problems and not skip_invalid:
            raise InputError(batch.report(problems, "line") + "; fix them or use --skip-invalid")
    n_bad = sum(len(r) for r in rejected)
    if rejected:
        with _atomic(rej) as fh:
            pd.concat(rejected).to_csv(fh, index=True, lineterminator="\n")
    msg = f"footprint: {n_good} row{'s' if n_good != 1 else ''} estimated -> {out}"
    if n_bad:
        msg += f"; {n_bad} rejected -> {rej}"
    click.echo(msg, err=True)
