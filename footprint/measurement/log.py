"""The results log: an append-only CSV of measurements, locked and written atomically, with a fallback."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
from pathlib import Path

from ..errors import InputError
from .record import COLUMNS, Measurement, STATUSES, NUMERIC_COLUMNS


def _validate_results(text: str, path) -> list[dict]:
    """Parse a results log; refuse a file that is not footprint's or is corrupt."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = tuple(rows[0])
    if header != COLUMNS:
        if header[:1] == ("footprint_run_id",):
            raise InputError(f"{path}: a footprint results file with other columns (another footprint version?); "
                             "give a new file with --output")
        raise InputError(f"{path}: not a footprint results file (its first line is not footprint's header); "
                         "it was left untouched; give a new file with --output")
    out = []
    for i, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(COLUMNS):
            raise InputError(f"{path}: corrupt at line {i} ({len(row)} fields, {len(COLUMNS)} expected); "
                             "it was left untouched; repair it or give a new file with --output")
        rec = dict(zip(COLUMNS, row))
        for col in NUMERIC_COLUMNS:
            if rec[col]:
                try:
                    float(rec[col])
                except ValueError:
                    raise InputError(f"{path}: corrupt at line {i}: '{rec[col]}' in column '{col}' is not a number; "
                                     "it was left untouched") from None
        if not rec["footprint_run_id"] or rec["status"] not in STATUSES:
            raise InputError(f"{path}: corrupt at line {i}: no run id or an unknown status; it was left untouched")
        out.append(rec)
    return out


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a footprint results file (not UTF-8 text); it was left untouched") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; give a file name for the results, e.g. results.csv") from None


def check_results_file(path) -> None:
    """Refuse early (before measuring) a results file that could not be appended to.

    The file must be footprint's (or absent), its folder must exist, and a file
    must be creatable in that folder (tried: this catches read-only file systems
    and folders the user cannot write, even for root).
    """
    from .. import io as fio

    path = Path(path)
    fio.check_output(path, "--output", "results.csv")
    if path.exists():
        try:
            _validate_results(_read_text(path), path)
        except PermissionError:
            raise InputError(f"{path}: cannot be read (permission denied); give another file with --output") from None
    parent = path.parent if str(path.parent) else Path(".")
    try:
        fio.discard(fio.write_temp(parent, path.name, "", sync=False))
    except InputError as exc:
        raise InputError(f"{path}: cannot write the results there ({str(exc).split(': ', 2)[-1].split(';')[0]}); "
                         "give a writable place with --output, or --no-log") from None


def read_results(path) -> list[dict]:
    """Every row of a results log, as dicts keyed by :data:`COLUMNS` (strings)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such results file")
    return _validate_results(_read_text(path), path)


def row_components(row: dict) -> tuple:
    """The components a row of the results log holds energy for, of ``("cpu", "ram", "gpu")``.

    >>> row_components({"energy_cpu [Wh]": "0.01", "energy_ram [Wh]": "0.002", "energy_gpu [Wh]": "0"})
    ('cpu', 'ram')
    """
    return tuple(k for k in ("cpu", "ram", "gpu") if float(row.get(f"energy_{k} [Wh]") or 0.0) > 0)


def find_run(rows: list[dict], run_id: str) -> dict:
    """The row whose run id is `run_id` (or starts with it, if only one does)."""
    hits = [r for r in rows if r["footprint_run_id"] == run_id] or \
           [r for r in rows if r["footprint_run_id"].startswith(run_id)]
    if len(hits) == 1:
        return hits[0]
    ids = [r["footprint_run_id"] for r in rows]
    if not hits:
        last = ", ".join(ids[-5:]) or "none"
        raise InputError(f"run id '{run_id}' is not in the results file (last runs: {last})")
    raise InputError(f"run id '{run_id}' matches {len(hits)} runs; give more characters")


def _row_line(row: dict) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([row[c] for c in COLUMNS])
    return buf.getvalue()


def _header_line() -> str:
    return _row_line(dict(zip(COLUMNS, COLUMNS)))


def _write_temp(path: Path, text: str, mode: int | None) -> str:
    from .. import io as fio

    return fio.write_temp(path.parent, path.name, text, mode=mode)


def _lock(fh) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)


def append_result(path, measurement: Measurement) -> Path:
    """Append one measurement to a results log, atomically, never truncating it.

    The existing file is read and validated (header and every row), then the whole
    file plus the new row is written to a temporary file in the same folder and
    moved over the old one (``os.replace``).  A lock on the file serialises
    concurrent writers.  A file that is not footprint's, or is corrupt, is refused
    with an :class:`InputError` and left untouched.
    """
    from .. import io as fio

    path = Path(os.path.realpath(path))
    line = _row_line(measurement.to_row())
    for _ in range(100):
        try:
            fh = open(path, "rb")
        except FileNotFoundError:
            if not path.parent.exists():
                raise InputError(f"{path}: its folder {path.parent} does not exist") from None
            tmp = _write_temp(path, _header_line() + line, None)
            try:
                os.link(tmp, path)  # exclusive creation: fails if another writer created it meanwhile
            except FileExistsError:
                continue
            except OSError:  # pragma: no cover - file systems without hard links
                if path.exists():
                    continue
                os.replace(tmp, path)
                return path
            finally:
                fio.discard(tmp)  # the hard link (or the moved file) holds the data now
            return path
        with fh:
            _lock(fh)
            try:
                if os.stat(path).st_ino != os.fstat(fh.fileno()).st_ino:
                    continue  # replaced by another writer while we waited
            except FileNotFoundError:
                continue
            data = fh.read()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{path}: not a footprint results file (not UTF-8 text); it was left untouched") from None
            _validate_results(text, path)
            if not text.strip():
                text = _header_line()
            elif not text.endswith("\n"):
                text += "\n"
            tmp = _write_temp(path, text + line, os.stat(path).st_mode & 0o7777)
            try:
                os.replace(tmp, path)
            except BaseException:
                fio.discard(tmp)
                raise
            fio.settled(tmp)
            return path
    raise InputError(f"{path}: could not append (the file kept changing under concurrent writers)")


# -- a measurement is never lost ----------------------------------------------------------


def stderr_line(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def fallback_dirs(environ=None) -> list[Path]:
    """Folders tried, in order, for a measurement whose results file cannot be written.

    The user's cache folder (``$XDG_CACHE_HOME/footprint``, else
    ``~/.cache/footprint``), the working directory, then the system's temporary folder.
    """
    import tempfile

    environ = os.environ if environ is None else environ
    out = []
    if environ.get("XDG_CACHE_HOME"):
        out.append(Path(environ["XDG_CACHE_HOME"]) / "footprint")
    with contextlib.suppress(OSError, RuntimeError, KeyError):
        out.append(Path.home() / ".cache" / "footprint")
    with contextlib.suppress(OSError):
        out.append(Path.cwd())
    with contextlib.suppress(OSError):
        out.append(Path(tempfile.gettempdir()))
    return list(dict.fromkeys(out))


def write_fallback(measurement: Measurement, dirs=None) -> Path | None:
    """Write one measurement as a results file of its own in the first folder that takes it; never overwrite.

    The file ``footprint-measurement-<run id>.csv`` has footprint's header and one
    row (``footprint calibrate --from`` reads it).  Returns its path, or None when
    no folder could be written.
    """
    text = _header_line() + _row_line(measurement.to_row())
    for d in (fallback_dirs() if dirs is None else dirs):
        try:
            d.mkdir(parents=True, exist_ok=True)
            for n in range(100):
                path = d / f"footprint-measurement-{measurement.run_id}{'' if n == 0 else f'-{n}'}.csv"
                try:
                    with open(path, "x", encoding="utf-8", newline="") as fh:  # "x": never overwrites
                        fh.write(text)
                        fh.flush()
                        os.fsync(fh.fileno())
                    return path
                except FileExistsError:
                    continue
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                if path.exists() and path.stat().st_size < len(text.encode("utf-8")):
                    path.unlink()
            continue
    return None


def record_result(path, measurement: Measurement) -> Path | None:
    """Append a measurement to its results file; if that fails, never lose it.

    On any failure of :func:`append_result` (read-only or full disk, a folder
    that cannot be written, the file replaced by a folder or made corrupt during
    the run), the measurement is written to a fallback file
    (:func:`write_fallback`) and printed on stderr as one JSON line
    (``{"footprint_measurement": row, "results_file", "error", "fallback_file"}``),
    and a note says where it went.  ``measurement.recorded_in`` is the file that
    holds it (None if only stderr does).
    """
    try:
        measurement.recorded_in = str(append_result(path, measurement))
        return Path(measurement.recorded_in)
    except (OSError, InputError) as exc:
        reason = str(exc) if isinstance(exc, InputError) else f"{path}: {exc.strerror or exc}"
    measurement.notes.append(f"could not append to the results file ({reason})")
    row = measurement.to_row()
    fallback = write_fallback(measurement)
    measurement.recorded_in = None if fallback is None else str(fallback)
    where = f"written to {fallback} instead" if fallback else "no fallback folder was writable either"
    measurement.notes.append(f"the measurement was {where}, and printed on stderr as one JSON line")
    stderr_line(f"footprint: warning: could not append the measurement to {path} ({reason}); {where}; "
                 "the record follows as one JSON line")
    stderr_line(json.dumps({"footprint_measurement": row, "results_file": str(path),
                             "error": reason, "fallback_file": measurement.recorded_in}, ensure_ascii=False))
    return fallback
