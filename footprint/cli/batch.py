"""`footprint estimate --batch FILE.csv --output results.csv`: a table of scenarios, in chunks.

The CSV is read in chunks of :data:`CHUNK_ROWS` rows (a progress bar on stderr
when there is more than one); each chunk goes through
:func:`footprint.batch.estimate`.  Bad values of every chunk are collected and
reported together, by file line and column, before anything is written; with
``--skip-invalid`` the good rows are written and the bad ones go, as given plus
an ``error`` column, to a rejects file.  Every output path is checked before
anything is read (not an input, not the other output, a writable folder); the
results and the rejects are staged in temporary files and moved into place
together only when the whole run succeeded (:class:`footprint.io.Outputs`), so a
failed or interrupted run leaves no file behind and no file changed.  Tables are
read as spreadsheets save them (:func:`sniff_table`: UTF-8 with or without a
byte-order mark, Windows-1252, Latin-1; ``,``, ``;`` or tab separators), every
cell as text, so that footprint's own grammar reads the numbers.  pandas is
imported here only.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import sys
from pathlib import Path

import click

from ..errors import InputError

#: Rows per chunk: large enough for the vectorised path, small enough to bound memory.
CHUNK_ROWS = 100_000

#: Separators recognised in the header line, the first one winning a tie.
SEPARATORS = (",", ";", "\t")

#: How to save a table so that it is read (said in every refusal of the file itself).
HOW_TO_SAVE = ("save it from the spreadsheet as 'CSV UTF-8 (délimité par des virgules)' or 'CSV (séparateur : "
               "point-virgule)'")

_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with a byte-order mark", "cp1252": "Windows-1252",
                   "latin-1": "Latin-1 (ISO-8859-1)"}


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes with `encoding` (read in 1 MiB blocks)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff_table(path) -> dict:
    """Encoding, separator and row count of a batch CSV file, as spreadsheets save them.

    Recognised: UTF-8 (with or without a byte-order mark), else Windows-1252, else
    Latin-1; separators ``,``, ``;`` or a tab, whichever splits the header line
    into the most columns.  UTF-16 files and files with NUL bytes are refused.

    Returns
    -------
    dict
        ``encoding`` (a Python codec name), ``separator``, ``rows`` (lines after
        the header) and ``note`` (what was detected, for the user; None for a plain
        comma-separated UTF-8 file).
    """
    path = Path(path)
    newlines, nul, head, utf8_ok = 0, False, b"", True
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            if len(head) < 65536:
                head += block[: 65536 - len(head)]
            newlines += block.count(b"\n")
            nul = nul or b"\x00" in block
            if utf8_ok:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8_ok = False
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or nul:
        raise InputError(f"--batch: '{path}' is UTF-16 or binary, not a CSV text table; {HOW_TO_SAVE}")
    if utf8_ok:
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    else:
        encoding = "cp1252" if _decodes(path, "cp1252") else "latin-1"
    text = head.decode(encoding, "replace")
    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    counts = {sep: len(next(csv.reader([header], delimiter=sep), [])) for sep in SEPARATORS}
    separator = max(SEPARATORS, key=lambda sep: counts[sep])  # max keeps the first of equals: ','
    said = []
    if encoding != "utf-8":
        said.append(f"read as {_ENCODING_NAMES[encoding]}")
    if separator != ",":
        said.append(f"separator {'tab' if separator == chr(9) else repr(separator)}")
    return {"encoding": encoding, "separator": separator, "rows": max(0, newlines - 1),
            "note": ", ".join(said) or None}


def _unreadable(path, exc) -> InputError:
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    hint = HOW_TO_SAVE
    if "fields" in first and "saw" in first:
        hint = ("a decimal comma in a comma-separated file splits a cell in two: put the cell in quotes, or " + HOW_TO_SAVE)
    return InputError(f"--batch: '{path}' is not a readable CSV table ({first}); {hint}")


def _estimate_chunk(chunk, options):
    """One chunk through :func:`footprint.batch.estimate` (in this process or on a Dask worker).

    Returns ``(result, sources, rejects, problems)`` with the frames' attributes taken out (plain
    values travel between processes whatever pandas keeps in ``attrs``).
    """
    from .. import batch

    result, bad = batch.estimate(chunk, skip_invalid=True, **options)
    return result, result.attrs.pop("sources", None), bad, bad.attrs.pop("problems", [])


def _merged(problems: list) -> list:
    """The problems of every chunk, one group per (column, message) as for one chunk: any chunking says the same."""
    import numpy as np

    groups = {}
    for rows, column, message in problems:
        groups.setdefault((column, message), []).append(np.asarray(rows))
    items = [(np.concatenate(rows), column, message) for (column, message), rows in groups.items()]
    return sorted(items, key=lambda it: (int(it[0][0]), it[1]))


class _Local:
    """The chunks one after the other in this process."""

    workers = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, jobs):
        for chunk, options in jobs:
            yield len(chunk), _estimate_chunk(chunk, options)


class _Dask:
    """The chunks on a Dask cluster: a local one of `workers` processes, or the one at `scheduler`.

    At most two chunks per worker are in flight (memory stays bounded) and results come
    back in the order of the file, so the output is written as without a cluster.
    """

    def __init__(self, workers=None, scheduler=None):
        self.n, self.address = workers, scheduler
        self.cluster = self.client = None

    def __enter__(self):
        import logging

        from ..batch import NO_DASK, worker_setup

        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError(NO_DASK) from None
        try:
            if self.address is not None:
                self.client = Client(self.address, timeout="10s")
            else:
                import dask

                # Dask's default MALLOC_TRIM_THRESHOLD_ for its workers also fixes glibc's mmap threshold, so
                # every large temporary array is mapped and unmapped anew: the Monte Carlo ran 2x slower
                with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
                    self.cluster = LocalCluster(n_workers=self.n, threads_per_worker=1, processes=True,
                                                dashboard_address=None, silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as exc:
            self.__exit__(None, None, None)
            where = f"--scheduler: cannot reach the Dask scheduler at '{self.address}'" if self.address else \
                "--workers: cannot start a local Dask cluster"
            raise InputError(f"{where} ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); "
                             "check the address (tcp://HOST:8786) and that the scheduler runs") from None
        self.client.run(worker_setup)  # units and factor tables once per worker process
        self.workers = max(1, len(self.client.scheduler_info()["workers"]))
        return self

    def __exit__(self, *exc):
        for part in (self.client, self.cluster):
            if part is not None:
                part.close()
        return False

    def map(self, jobs):
        from collections import deque

        pending = deque()
        for chunk, options in jobs:
            pending.append((len(chunk), self.client.submit(_estimate_chunk, chunk, options, pure=False)))
            if len(pending) >= 2 * self.workers:
                n, future = pending.popleft()
                yield n, future.result()
        while pending:
            n, future = pending.popleft()
            yield n, future.result()


def run_batch(path, output, *, skip_invalid=False, rejects=None, samples=None, seed=None, chunk_rows=None,
              workers=None, scheduler=None):
    """Estimate every row of the CSV at `path` and write the results to `output` (see module docstring).

    With `workers` (a local Dask cluster of that many processes) or `scheduler` (the address of
    an existing one) the chunks are estimated in parallel; the files written are the same.
    """
    import pandas as pd

    from .. import batch, io

    parallel = workers is not None or scheduler is not None
    if parallel:
        batch.require_dask()
    src = Path(path)
    if not src.is_file():
        raise InputError(f"--batch: no file '{path}'; give a CSV table with one scenario per row (docs/batch.md)")
    out, rej, src_table = _output_paths(src, output, rejects, skip_invalid)
    sources = []
    if samples is not None and samples < 1:
        raise InputError(f"--samples: must be at least 1, got {samples}")
    try:
        layout = sniff_table(src)
    except OSError as exc:
        raise InputError(f"--batch: cannot read '{path}' ({exc.strerror or exc})") from None
    n_rows = layout["rows"]
    batch.tune_allocator()  # this process runs the chunks (or merges them): reuse freed arrays
    engine = _Dask(workers, scheduler) if parallel else _Local()
    with engine:
        if chunk_rows is None:
            # with workers: about four chunks per worker, so that every worker has work
            chunk_rows = CHUNK_ROWS if not parallel else max(100, min(CHUNK_ROWS, -(-n_rows // (4 * engine.workers))))
        reader = _chunk_reader(src, path, chunk_rows, layout)
        show = n_rows > chunk_rows
        bar = click.progressbar(length=n_rows, label="footprint: estimating", file=sys.stderr) if show \
            else contextlib.nullcontext()
        with io.Outputs() as staged, bar as progress:
            with staged.open(out) as fh:
                n_good, problems, rejected = _write_results(fh, engine.map(_chunk_jobs(reader, samples, seed)),
                                                            sources, progress if show else None, path)
                if n_good + sum(len(r) for r in rejected) == 0:
                    raise InputError(f"--batch: '{path}' has no scenario rows; give one scenario per row under the header")
                if problems and not skip_invalid:
                    raise InputError(batch.report(_merged(problems), "line") + "; fix them or use --skip-invalid")
            if rejected:
                with staged.open(rej) as fh:
                    pd.concat(rejected).to_csv(fh, index=True, lineterminator="\n")
            if n_good:
                with staged.open(src_table) as fh:
                    # ordered by id (stable: inputs keep their order), so any chunking writes the same file
                    batch.merge_sources(sources).to_csv(fh, index=False, lineterminator="\n")
    n_bad = sum(len(r) for r in rejected)
    msg = f"footprint: {n_good} row{'s' if n_good != 1 else ''} estimated -> {out} (sources: {src_table.name})"
    if n_bad:
        msg += f"; {n_bad} rejected -> {rej}"
    if layout["note"]:
        msg += f" ({layout['note']})"
    click.echo(msg, err=True)


def _output_paths(src, output, rejects, skip_invalid):
    """The results, rejects and sources files of a batch, checked against the input table (``io``)."""
    from .. import io

    out = Path(output) if output is not None and str(output) else output
    rej = Path(rejects) if rejects else (out.with_name(f"{out.stem}.rejects.csv") if out else None)
    src_table = out.with_name(f"{out.stem}.sources.csv") if out else None
    wanted = {"--output": out, "sources table": src_table}
    if skip_invalid or rejects:
        wanted["--rejects"] = rej
    checked = io.check_outputs(wanted, {"batch table": src})
    return checked["--output"], checked.get("--rejects", rej), checked["sources table"]


def _chunk_reader(src, path, chunk_rows, layout):
    """The CSV table read as text in chunks of `chunk_rows` rows (pandas), refused with one line when unreadable."""
    import pandas as pd

    try:
        return pd.read_csv(src, chunksize=chunk_rows, keep_default_na=False, na_values=[""],
                           skipinitialspace=True, dtype=str, encoding=layout["encoding"], sep=layout["separator"])
    except pd.errors.EmptyDataError:
        raise InputError(f"--batch: '{path}' is empty; give a header row and one scenario per row") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise _unreadable(path, exc) from None


def _chunk_jobs(reader, samples, seed):
    """(chunk, options) for each chunk: rows indexed by their file line, the units row read from the first."""
    import pandas as pd

    from .. import batch

    state = {"units": None, "first_line": None}
    line = 2
    for chunk in reader:
        chunk.index = pd.RangeIndex(line, line + len(chunk), name="line")
        line += len(chunk)
        if state["first_line"] is None:
            inputs, _ = batch.normalise_columns(chunk)
            chunk, state["units"] = batch.split_units_row(chunk, inputs)
            state["first_line"] = int(chunk.index[0]) if len(chunk) else line
        if len(chunk) == 0:
            continue
        yield chunk, dict(samples=samples, seed=seed, units=state["units"],
                          row_offset=int(chunk.index[0]) - state["first_line"])  # data row position


def _write_results(fh, results, sources, progress, path):
    """Write each chunk's good rows to `fh` as they come; collect sources, problems and rejected rows.

    Returns (rows written, problems, rejected frames).
    """
    import pandas as pd

    problems, rejected, n_good = [], [], 0
    header = True
    try:
        for n_chunk, (result, chunk_sources, bad, chunk_problems) in results:
            if len(bad):
                problems += chunk_problems
                rejected.append(bad)
            if len(result):
                sources.append(chunk_sources)
                result.to_csv(fh, header=header, index=True, lineterminator="\n")
                header = False
            n_good += len(result)
            if progress is not None:
                progress.update(n_chunk)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise _unreadable(path, exc) from None
    return n_good, problems, rejected
