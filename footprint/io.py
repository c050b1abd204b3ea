"""Writing files safely: outputs never clobber inputs, a run writes all its files or none.

Every command that writes goes through this module:

* :func:`check_outputs` refuses, before anything is computed, an output path
  that is a directory, whose folder is missing or not writable, that is the same
  file as one of the run's inputs, or the same file as another output of the
  run (paths resolved, links followed, :func:`os.path.samefile` where the file
  exists).  Each refusal is one :class:`~footprint.errors.InputError` line.
* :class:`Outputs` stages every output of one run in a temporary file beside
  its target and moves them all into place (:func:`os.replace`) only when the
  whole run succeeded; on any failure, and on SIGINT, SIGTERM or SIGHUP, every
  temporary file is removed and the targets are left as they were.
* :func:`write_text` and :func:`write_bytes` write one file the same way.

A new file gets the mode the user's umask gives (``0o666 & ~umask``; a
temporary file from :func:`tempfile.mkstemp` would be ``0o600``); a file that is
replaced keeps its permission bits.  A write that fails (full disk, read-only
file system) raises an :class:`~footprint.errors.InputError` naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import tempfile
import threading
from pathlib import Path

from .errors import InputError

#: Signals during which staged files are removed before the process stops.
CLEANUP_SIGNALS = tuple(getattr(signal, s) for s in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, s))

#: Errors of a write that the user can fix (space, quota, read-only or failing disk, file too large).
_WRITE_ERRNOS = {getattr(errno, n) for n in ("ENOSPC", "EDQUOT", "EROFS", "EIO", "EFBIG", "EACCES", "EPERM")
                 if hasattr(errno, n)}

#: Every temporary file still on disk (removed by the signal handlers).
_LIVE: set[str] = set()
#: Every staging folder still on disk (:class:`StagedDirectory`; removed by the signal handlers).
_LIVE_DIRS: set[str] = set()
_LIVE_LOCK = threading.Lock()


def umask_mode() -> int:
    """The mode a new regular file gets under the current umask (``0o666 & ~umask``).

    >>> old = os.umask(0o027)
    >>> oct(umask_mode())
    '0o640'
    >>> _ = os.umask(old)
    """
    current = os.umask(0)
    os.umask(current)
    return 0o666 & ~current


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _forget(tmp: str) -> None:
    with _LIVE_LOCK:
        _LIVE.discard(tmp)


def _remove(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)
    _forget(tmp)


def remove_live_temporaries() -> None:
    """Remove every temporary file this process has staged and not yet moved into place."""
    with _LIVE_LOCK:
        live, dirs = list(_LIVE), list(_LIVE_DIRS)
    for tmp in live:
        _remove(tmp)
    for d in dirs:
        _remove_tree(d)


def _remove_tree(d: str) -> None:
    import shutil

    shutil.rmtree(d, ignore_errors=True)
    with _LIVE_LOCK:
        _LIVE_DIRS.discard(d)


def open_temp(directory, name: str, binary: bool = False, mode: int | None = None):
    """A new temporary file beside ``directory/name``: ``(path, file object)``, tracked for clean-up.

    `mode` is the permission bits it gets (default: :func:`umask_mode`).
    """
    directory = Path(directory) if str(directory) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write '{directory / name}': {_why(exc)}; nothing was written") from None
    with _LIVE_LOCK:
        _LIVE.add(tmp)
    try:
        os.chmod(tmp, umask_mode() if mode is None else mode)
        fh = os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""}))
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        _remove(tmp)
        raise
    return tmp, fh


def write_temp(directory, name: str, data, mode: int | None = None, sync: bool = True) -> str:
    """Write `data` (str or bytes) to a new temporary file beside ``directory/name``; return its path.

    The caller moves it into place (:func:`os.replace`) or removes it
    (:func:`discard`).  A failed write removes it and raises an InputError.
    """
    binary = isinstance(data, (bytes, bytearray, memoryview))
    tmp, fh = open_temp(directory, name, binary=binary, mode=mode)
    try:
        with fh:
            fh.write(data)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
    except OSError as exc:
        _remove(tmp)
        raise InputError(f"cannot write '{Path(directory) / name}': {_why(exc)}; nothing was written") from None
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def discard(tmp: str) -> None:
    """Remove a temporary file of :func:`write_temp` (no error if it is gone)."""
    _remove(tmp)


def settled(tmp: str) -> None:
    """Mark a temporary file as moved into place (no longer removed on a signal)."""
    _forget(tmp)


# -- signals --------------------------------------------------------------------------------


class _CleanupOnSignal:
    """While active: SIGINT, SIGTERM and SIGHUP remove the staged files, then stop the run as usual.

    SIGINT raises :class:`KeyboardInterrupt`; SIGTERM and SIGHUP raise
    ``SystemExit(128 + signal)``.  The previous handlers are restored on exit.
    Only the main thread can install handlers; elsewhere this does nothing.
    """

    def __init__(self):
        self.old = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in CLEANUP_SIGNALS:
                with contextlib.suppress(ValueError, OSError):
                    self.old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        remove_live_temporaries()
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    def __exit__(self, *exc):
        for sig, handler in self.old.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        self.old = {}
        return False


# -- path checks ----------------------------------------------------------------------------


def _resolved(path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))


def _same(a, b) -> bool:
    ra, rb = _resolved(a), _resolved(b)
    if ra == rb:
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def check_output(path, label: str = "output", example: str = "out.csv") -> Path:
    """Refuse an output path that cannot be written, before any work is done.

    Refused (one InputError line each): an empty name, a directory, a path whose
    folder is missing or is not a directory or is not writable (read-only file
    system included), an existing file that is not a regular file.

    Returns
    -------
    Path
        The path as given.
    """
    if path is None or not str(path).strip():
        raise InputError(f"{label}: empty file name; give a file name such as {example}")
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise InputError(f"{label}: '{path}' is a directory; give a file name such as {p / example}")
    if p.exists() and not p.is_file():
        raise InputError(f"{label}: '{path}' exists and is not a regular file; choose another file name")
    if not parent.exists():
        raise InputError(f"{label}: directory '{parent}' does not exist; create it or choose another path")
    if not parent.is_dir():
        raise InputError(f"{label}: '{parent}' is not a directory; choose another path")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{label}: directory '{parent}' is not writable; choose another path")
    return p


def check_outputs(outputs, inputs=None) -> dict:
    """Check every output of one run against the others and against the run's inputs.

    Parameters
    ----------
    outputs : dict
        ``{label: path}`` of the files the run will write (``None`` paths are skipped);
        the label names the option in messages (``"--card"``).
    inputs : dict, optional
        ``{label: path}`` of the files the run reads.

    Returns
    -------
    dict
        ``{label: Path}`` of the outputs, each checked by :func:`check_output`.

    Raises
    ------
    InputError
        When an output is the same file as an input or as another output (paths
        resolved, links followed), or cannot be written.

    Examples
    --------
    >>> check_outputs({"--card": "s.toml"}, {"scenario file": "s.toml"})
    Traceback (most recent call last):
    ...
    footprint.errors.InputError: --card: 's.toml' is the scenario file; writing it would overwrite it; choose another file name
    """
    inputs = {k: v for k, v in (inputs or {}).items() if v is not None}
    checked: dict = {}
    for label, path in outputs.items():
        if path is None:
            continue
        for in_label, in_path in inputs.items():
            if _same(path, in_path):
                raise InputError(f"{label}: '{path}' is the {in_label}; writing it would overwrite it; "
                                 "choose another file name")
        for other_label, other in checked.items():
            if _same(path, other):
                raise InputError(f"{label}: '{path}' is also the {other_label} file of this run; "
                                 "give each output its own file name")
        checked[label] = check_output(path, label)
    return checked


# -- writing --------------------------------------------------------------------------------


class Outputs:
    """Every output of one run, staged in temporary files and moved into place together.

    Use as a context manager: files staged in the block are moved into place
    when the block ends without an exception; otherwise (or on SIGINT, SIGTERM,
    SIGHUP) every temporary file is removed and no target is touched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with Outputs() as out:
    ...     _ = out.write(d / "a.txt", "one")
    ...     _ = out.write(d / "b.txt", b"two")
    >>> sorted(p.name for p in d.iterdir()), (d / "a.txt").read_text()
    (['a.txt', 'b.txt'], 'one')
    >>> try:
    ...     with Outputs() as out:
    ...         _ = out.write(d / "c.txt", "three")
    ...         raise ValueError("the run failed")
    ... except ValueError:
    ...     pass
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt', 'b.txt']
    """

    def __init__(self, sync: bool = True):
        self.sync = sync
        self._staged: list[tuple[str, Path]] = []
        self._open: list = []
        self._signals = _CleanupOnSignal()
        self.written: list[Path] = []

    def __enter__(self):
        self._signals.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.commit()
            else:
                self.abort()
        finally:
            self._signals.__exit__(exc_type, exc, tb)
        return False

    def _mode_for(self, path: Path) -> int:
        try:
            return os.stat(path).st_mode & 0o7777
        except OSError:
            return umask_mode()

    def write(self, path, data) -> Path:
        """Stage `data` (str as UTF-8, or bytes) for `path`."""
        p = Path(path)
        tmp = write_temp(p.parent, p.name, data, mode=self._mode_for(p), sync=self.sync)
        self._staged.append((tmp, p))
        return p

    @contextlib.contextmanager
    def open(self, path, binary: bool = False):
        """Stage `path` as a file object to write into (text: UTF-8, no newline translation)."""
        p = Path(path)
        tmp, fh = open_temp(p.parent, p.name, binary=binary, mode=self._mode_for(p))
        self._staged.append((tmp, p))
        try:
            with fh:
                yield fh
                fh.flush()
                if self.sync:
                    os.fsync(fh.fileno())
        except OSError as exc:
            if exc.errno not in _WRITE_ERRNOS:
                raise
            raise InputError(f"cannot write '{p}': {_why(exc)}; nothing was written") from None

    def abort(self) -> None:
        """Remove every staged file; no target is touched."""
        for tmp, _ in self._staged:
            _remove(tmp)
        self._staged = []

    def commit(self) -> list[Path]:
        """Move every staged file into place; if one move fails, put back the files already moved."""
        backups, done, existed = [], [], set()
        try:
            for tmp, target in self._staged:
                if target.exists():
                    existed.add(target)
                    backup = f"{tmp}.old"
                    try:
                        os.link(target, backup)
                        with _LIVE_LOCK:
                            _LIVE.add(backup)
                        backups.append((backup, target))
                    except OSError:  # no hard links here: no roll-back for this file
                        pass
            for tmp, target in self._staged:
                os.replace(tmp, target)
                _forget(tmp)
                done.append(target)
        except OSError as exc:
            saved = {t: b for b, t in backups}
            for target in done:
                if target in saved:
                    with contextlib.suppress(OSError):
                        os.replace(saved[target], target)
                elif target not in existed:  # new: remove it (an old file without a backup stays replaced)
                    with contextlib.suppress(OSError):
                        os.unlink(target)
            failed = next((t for _, t in self._staged if t not in done), None)
            self.abort()
            raise InputError(f"cannot write '{failed}': {_why(exc)}; nothing was written") from None
        finally:
            for backup, _ in backups:
                _remove(backup)
        self._staged = []
        self.written += done
        return done


class StagedDirectory:
    """A folder of outputs written whole: staged in a new folder beside `target`, moved into place at the end.

    Files are written into a private staging folder (``.<name>.<random>.tmp``
    beside the target); when the block ends without an exception the staging
    folder takes the target's name (a previous folder of the same kind, holding
    the `marker` file, is replaced, and removed only after the new one is in
    place); on any failure, and on SIGINT, SIGTERM or SIGHUP, the staging folder
    is removed and the target is left as it was.  A target that exists, is not
    empty and holds no `marker` (a user's own folder) is refused before anything
    is written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with StagedDirectory(d / "site", marker="M") as site:
    ...     _ = site.write("M", "")
    ...     _ = site.write("pages/a.html", "<p>a</p>")
    >>> sorted(str(p.relative_to(d)) for p in d.rglob("*"))
    ['site', 'site/M', 'site/pages', 'site/pages/a.html']
    >>> try:
    ...     with StagedDirectory(d / "site", marker="M") as site:
    ...         _ = site.write("pages/b.html", "<p>b</p>")
    ...         raise ValueError("the build failed")
    ... except ValueError:
    ...     pass
    >>> sorted(str(p.relative_to(d)) for p in d.rglob("*"))
    ['site', 'site/M', 'site/pages', 'site/pages/a.html']
    """

    def __init__(self, target, marker: str | None = None, label: str = "-o", sync: bool = False):
        self.target = Path(target)
        self.marker = marker
        self.label = label
        self.sync = sync
        self.staging: Path | None = None
        self._signals = _CleanupOnSignal()

    def check(self) -> Path:
        """Refuse a target that cannot be (re)placed, before any work is done."""
        t, label = self.target, self.label
        if not str(t).strip():
            raise InputError(f"{label}: empty folder name; give a folder such as site")
        parent = t.parent if str(t.parent) else Path(".")
        if t.exists() and not t.is_dir():
            raise InputError(f"{label}: '{t}' exists and is not a folder; give a new folder name")
        if t.is_dir() and any(t.iterdir()) and not (self.marker and (t / self.marker).is_file()):
            raise InputError(f"{label}: '{t}' is a folder that footprint did not write (not empty); "
                             "give a new folder name, it would be replaced")
        if not parent.is_dir():
            raise InputError(f"{label}: directory '{parent}' does not exist; create it or choose another path")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise InputError(f"{label}: directory '{parent}' is not writable; choose another path")
        return t

    def __enter__(self):
        self.check()
        parent = self.target.parent if str(self.target.parent) else Path(".")
        self._signals.__enter__()
        try:
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=parent))
        except OSError as exc:
            self._signals.__exit__(None, None, None)
            raise InputError(f"cannot write '{self.target}': {_why(exc)}; nothing was written") from None
        with _LIVE_LOCK:
            _LIVE_DIRS.add(str(self.staging))
        current = os.umask(0)
        os.umask(current)
        os.chmod(self.staging, 0o777 & ~current)  # a folder as mkdir would make it (mkdtemp gives 0o700)
        return self

    def write(self, relative, data) -> Path:
        """Stage `data` (str as UTF-8, or bytes) as `relative` inside the folder."""
        rel = Path(relative)
        if rel.is_absolute() or ".." in rel.parts:
            raise ValueError(f"not a path inside the folder: {relative}")
        path = self.staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = write_temp(path.parent, path.name, data, sync=self.sync)
        os.replace(tmp, path)
        settled(tmp)
        return path

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._commit()
            else:
                _remove_tree(str(self.staging))
        finally:
            self._signals.__exit__(exc_type, exc, tb)
        return False

    def _commit(self) -> None:
        t, staging = self.target, self.staging
        old = None
        try:
            if t.exists():
                self.check()
                old = Path(f"{staging}.old")
                os.rename(t, old)
            os.rename(staging, t)
        except OSError as exc:
            if old is not None and old.exists() and not t.exists():
                with contextlib.suppress(OSError):
                    os.rename(old, t)
            _remove_tree(str(staging))
            raise InputError(f"cannot write '{t}': {_why(exc)}; nothing was written") from None
        with _LIVE_LOCK:
            _LIVE_DIRS.discard(str(staging))
        if old is not None:
            _remove_tree(str(old))


def write_text(path, text: str, sync: bool = True) -> Path:
    """Write `text` to `path` (UTF-8) atomically: a complete file or the old one, never half of it."""
    with Outputs(sync=sync) as out:
        out.write(path, text)
    return Path(path)


def write_bytes(path, data: bytes, sync: bool = True) -> Path:
    """Write `data` to `path` atomically (see :func:`write_text`)."""
    with Outputs(sync=sync) as out:
        out.write(path, bytes(data))
    return Path(path)


def json_safe(x):
    """`x` with NaN and infinities as None, tuples as lists: what JSON can hold.

    >>> json_safe({"a": float("nan"), "b": (1, float("inf"))})
    {'a': None, 'b': [1, None]}
    """
    if isinstance(x, float):
        return x if x == x and x not in (float("inf"), float("-inf")) else None
    if isinstance(x, dict):
        return {k: json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v) for v in x]
    return x


__all__ = ["Outputs", "StagedDirectory", "check_output", "check_outputs", "write_text", "write_bytes", "write_temp", "open_temp",
           "discard", "settled", "umask_mode", "remove_live_temporaries", "json_safe"]
