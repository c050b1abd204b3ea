"""Measuring a command: the child process, its output forwarded, signals passed on, its count line read."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from datetime import datetime, timezone

from ..errors import InputError
from .record import DEFAULT_INTERVAL, Measurement, MeasurementError, build_measurement
from .tracker import Tracking, import_codecarbon, check_codecarbon_config, codecarbon_config
from .log import stderr_line, check_results_file, record_result
from .meter import check_count, check_settings, check_zone


#: The last line a measured command may print to report its own count (the count itself is checked apart).
COUNT_LINE = re.compile(r"^\s*footprint-(tokens|items)\s*:(.*)$")
#: A count as a command may print it: digits only (no sign, exponent, separators or decimals).
COUNT_VALUE = re.compile(r"^\s*([0-9]{1,18})\s*$")


def parse_count_line(text: str) -> tuple[dict, list[str]]:
    """Counts reported by a command's last non-empty output line (``footprint-tokens: N``), and notes.

    The count must be a whole number written with digits only.  A count line
    with anything else (``-5``, ``abc``, ``1e999``, ``1,2,3``) gives no count and
    a note saying why, never a guess.

    Returns
    -------
    tuple
        ``({"tokens": N} or {"items": N} or {}, notes)``.

    Examples
    --------
    >>> parse_count_line("done\\nfootprint-tokens: 512\\n")
    ({'tokens': 512}, [])
    >>> parse_count_line("footprint-tokens: 1,2,3")[0]
    {}
    """
    lines = [ln for ln in text.replace("\r", "\n").split("\n") if ln.strip()]
    if not lines:
        return {}, []
    m = COUNT_LINE.match(lines[-1])
    if not m:
        return {}, []
    name, raw = m.group(1), m.group(2)
    v = COUNT_VALUE.match(raw)
    if v:
        return {name: int(v.group(1))}, []
    shown = raw.strip()[:40] + ("..." if len(raw.strip()) > 40 else "")
    return {}, [f"the command's last line 'footprint-{name}: {shown}' is not a whole number of {name} written "
                f"with digits only (e.g. footprint-{name}: 512): ignored, no {name} count"]


def read_count_line(text: str) -> dict:
    """Counts reported by a command's last non-empty output line (see :func:`parse_count_line`)."""
    return parse_count_line(text)[0]


def resolve_command(argv) -> str:
    """The executable of `argv`, or a MeasurementError with exit code 127 (not found) / 126 (not executable)."""
    if not argv:
        raise MeasurementError("give the command to measure after --, e.g. footprint measure -- python run.py")
    name = argv[0]
    if os.sep in name or (os.altsep and os.altsep in name):
        if not os.path.exists(name):
            raise MeasurementError(f"command not found: '{name}' (no such file)", 127)
        if os.path.isdir(name) or not os.access(name, os.X_OK):
            raise MeasurementError(f"command not executable: '{name}' (check its permissions)", 126)
        return name
    path = shutil.which(name)
    if path is None:
        raise MeasurementError(f"command not found: '{name}' (not on PATH); check the spelling or give its path", 127)
    return path


class _Forwarder(threading.Thread):
    """Copy a child's output to `sink` as it comes, keeping its tail (for the count line)."""

    def __init__(self, source, sink, tail_bytes: int = 4096):
        super().__init__(daemon=True)
        self.source, self.sink, self.tail_bytes = source, sink, tail_bytes
        self.tail = b""

    def run(self):
        fd = self.source.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.tail = (self.tail + chunk)[-self.tail_bytes:]
            try:
                self.sink.write(chunk)
                self.sink.flush()
            except (OSError, ValueError):  # our own output closed: keep draining the child
                pass


def _binary(stream):
    return getattr(stream, "buffer", stream)


class _Signals:
    """While a child runs: SIGINT, SIGTERM and SIGHUP are recorded and passed on, the tracker is stopped after."""

    def __init__(self, proc):
        self.proc, self.received, self.old = proc, None, {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
                if sig is not None:
                    self.old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.received is not None:  # a second signal: stop waiting
            with contextlib.suppress(OSError):
                self.proc.kill()
            return
        self.received = signum
        if signum == signal.SIGINT:
            # Ctrl-C in a terminal reaches the child too; pass it on only if the child is still there after 1 s
            threading.Timer(1.0, self._forward, args=(signum,)).start()
        else:
            self._forward(signum)

    def _forward(self, signum):
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.send_signal(signum)

    def __exit__(self, *exc):
        for sig, handler in self.old.items():
            signal.signal(sig, handler)
        return False


def measure_command(argv, zone=None, tokens=None, items=None, *, interval=DEFAULT_INTERVAL,
                    tracking_mode="machine", verbose=False, log=None, stdout=None) -> Measurement:
    """Run `argv` under a CodeCarbon offline tracker and return its :class:`Measurement`.

    The child's stderr is inherited; its stdout is copied to `stdout` (default: ours)
    as it comes.  A last output line ``footprint-tokens: N`` (or ``footprint-items: N``)
    gives the count when `tokens` (`items`) is not given.  A failed command is still
    recorded (status ``failed``, its exit code); SIGINT, SIGTERM and SIGHUP stop the
    tracker and record the run as ``interrupted``.  A command that cannot be found
    raises :class:`MeasurementError` (exit code 127) before anything is measured or
    logged; so does a results file that cannot be written or a CodeCarbon
    configuration that CodeCarbon cannot read (exit code 2).  If the results file
    cannot be appended to after the run, the measurement goes to a fallback file
    and to stderr (:func:`record_result`): it is never lost.
    """
    zone_key = check_zone(zone)
    tokens, items = check_count(tokens, "tokens"), check_count(items, "items")
    interval, tracking_mode = check_settings(interval, tracking_mode)
    argv = [str(a) for a in argv]
    executable = resolve_command(argv)
    if log is not None:
        check_results_file(log)
    import_codecarbon()
    check_codecarbon_config()
    config = codecarbon_config()
    tracking = Tracking(zone_key, interval, tracking_mode, verbose)
    tracking.start()
    started = datetime.now(timezone.utc)
    sink = _binary(stdout if stdout is not None else sys.stdout)
    proc = _spawn(executable, argv, tracking)
    forwarder = _Forwarder(proc.stdout, sink)
    forwarder.start()
    rc, received = _wait(proc, forwarder)
    exit_code = rc if rc >= 0 else 128 - rc
    raw = _stop_tracking(tracking, argv, exit_code, started)
    if received is not None:
        status = "interrupted"
        exit_code = exit_code if exit_code != 0 else 128 + int(received)
    else:
        status = "ok" if rc == 0 else "failed"
    notes = [] if zone is not None else ["no zone given: the world average grid intensity is used"]
    if received is not None:
        notes.append(f"interrupted by {signal.Signals(received).name}: partial measurement")
    tokens, items = _counts(forwarder.tail.decode("utf-8", "replace"), tokens, items, notes)
    result = build_measurement(raw, zone=zone_key, status=status, exit_code=exit_code, command=argv, tokens=tokens,
                               items=items, config=config, notes=notes, warnings=tracking.capture.records,
                               tracking_mode=tracking_mode, interval=interval)
    if log is not None:
        record_result(log, result)
    return result


def _spawn(executable, argv, tracking):
    """Start the command, its stdout piped; a command that cannot start stops the tracker and is refused."""
    try:
        return subprocess.Popen([executable, *argv[1:]], stdout=subprocess.PIPE, stdin=None)
    except OSError as exc:
        with contextlib.suppress(Exception):
            tracking.stop()
        code = 126 if isinstance(exc, PermissionError) else 127
        raise MeasurementError(f"cannot run '{argv[0]}': {exc.strerror or exc}", code) from None


def _wait(proc, forwarder):
    """Wait for the command, passing SIGINT, SIGTERM and SIGHUP on to it: (its return code, the signal received)."""
    with _Signals(proc) as sigs:
        while True:
            try:
                rc = proc.wait()
                break
            except KeyboardInterrupt:  # pragma: no cover - only without our handler (not main thread)
                sigs.received = signal.SIGINT
                proc.terminate()
        forwarder.join(timeout=5)
    return rc, sigs.received


def _stop_tracking(tracking, argv, exit_code, started):
    """CodeCarbon's raw results; when it fails, the run is told on stderr (never a figure) and refused."""
    try:
        return tracking.stop()
    except Exception as exc:  # noqa: BLE001 - the command ran: say so, with its exit code, never a figure
        reason = str(exc) if isinstance(exc, InputError) else f"CodeCarbon failed: {type(exc).__name__}: {exc}"
        known = {"command": shlex.join(argv), "exit_code": exit_code, "started_utc": started.isoformat(
            timespec="seconds"), "wall_time_s": (datetime.now(timezone.utc) - started).total_seconds(),
                 "energy": None, "error": reason}
        stderr_line(json.dumps({"footprint_measurement_failed": known}, ensure_ascii=False))
        raise MeasurementError(f"{reason}; the command ran (exit code {exit_code}) but no energy was measured, "
                               "nothing was recorded", exit_code or 2) from None


def _counts(tail: str, tokens, items, notes: list):
    """The tokens and items: given, else the command's last line ``footprint-tokens: N``; notes appended."""
    reported, count_notes = parse_count_line(tail)
    notes += [n for n in count_notes if not any(n.startswith(f"the command's last line 'footprint-{k}")
                                                 for k, v in (("tokens", tokens), ("items", items)) if v is not None)]
    for name in ("tokens", "items"):
        given = tokens if name == "tokens" else items
        if name in reported:
            if given is None:
                notes.append(f"{name} from the command's last line: footprint-{name}: {reported[name]}")
            elif given != reported[name]:
                notes.append(f"--{name} {given} used; the command reported footprint-{name}: {reported[name]}")
    tokens = tokens if tokens is not None else reported.get("tokens")
    items = items if items is not None else reported.get("items")
    return tokens, items
