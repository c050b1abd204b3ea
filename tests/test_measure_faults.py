"""A measurement is never lost: faults of the results file, of CodeCarbon's configuration, of the count line.

CodeCarbon is mocked (see test_measure.py).  Permission faults are monkeypatched
failures, so that they are tested when the suite runs as root too.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path

import pytest
from test_measure import VM_RUN, FakeTracker, fake_codecarbon  # noqa: F401  (the fixture)

from footprint import io as fio
from footprint import measurement as ms
from footprint.measurement import log as results_log, tracker
from footprint.errors import InputError


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """The user's cache folder, where a measurement goes when its results file cannot be written."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "footprint"


def _json_line(err: str) -> dict:
    lines = [ln for ln in err.splitlines() if ln.startswith("{")]
    assert len(lines) == 1, err
    return json.loads(lines[0])


def _check_fallback(res, cache, code):
    assert res.code == code, res.err
    assert "Traceback" not in res.err
    rec = _json_line(res.err)
    fallback = Path(rec["fallback_file"])
    assert fallback.parent == cache and fallback.exists()
    (row,) = ms.read_results(fallback)  # a results file of its own: calibrate --from reads it
    assert row == rec["footprint_measurement"]
    assert row["exit_code"] == str(code) and float(row["energy [Wh]"]) > 0
    return row


def test_results_file_replaced_by_a_directory_during_the_run(fake_codecarbon, run_cli, tmp_path, cache):
    log = tmp_path / "r.csv"
    child = f"import os; os.mkdir({str(log)!r}); raise SystemExit(7)"
    res = run_cli("measure", "--zone", "FRA", "-o", str(log), "--", sys.executable, "-c", child)
    _check_fallback(res, cache, 7)
    assert "could not append the measurement" in res.err and str(cache) in res.err


def test_results_file_made_corrupt_during_the_run(fake_codecarbon, run_cli, tmp_path, cache):
    log = tmp_path / "r.csv"
    child = f"open({str(log)!r}, 'w').write('my,own\\n1,2\\n')"
    res = run_cli("measure", "--zone", "FRA", "-o", str(log), "--", sys.executable, "-c", child)
    _check_fallback(res, cache, 0)
    assert log.read_text() == "my,own\n1,2\n"  # left as the user made it


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_full_or_read_only_disk_after_the_run(fake_codecarbon, run_cli, tmp_path, cache, monkeypatch, err):
    log = tmp_path / "r.csv"

    def fails(path, measurement):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(results_log, "append_result", fails)
    res = run_cli("measure", "--zone", "FRA", "--json", "-o", str(log), "--", sys.executable, "-c",
                  "raise SystemExit(3)")
    row = _check_fallback(res, cache, 3)
    doc = json.loads(res.out)
    assert doc["log"] == _json_line(res.err)["fallback_file"]
    assert any("could not append" in n and os.strerror(err) in n for n in doc["notes"])
    assert any(f"written to {doc['log']} instead" in n for n in doc["notes"])
    assert row["status"] == "failed"


def test_no_fallback_folder_writable_still_prints_the_record(fake_codecarbon, run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(results_log, "append_result", lambda p, m: (_ for _ in ()).throw(OSError(errno.EROFS, "ro")))
    monkeypatch.setattr(results_log, "fallback_dirs", lambda environ=None: [tmp_path / "file" / "x"])
    (tmp_path / "file").write_text("not a folder")
    res = run_cli("measure", "--zone", "FRA", "-o", str(tmp_path / "r.csv"), "--", sys.executable, "-c", "pass")
    assert res.code == 0
    rec = _json_line(res.err)
    assert rec["fallback_file"] is None and rec["footprint_measurement"]["status"] == "ok"


def test_fallback_never_overwrites(tmp_path):
    m = ms.build_measurement(dict(duration_s=1.0, energy_cpu_kwh=1e-6, energy_ram_kwh=0.0, energy_gpu_kwh=0.0),
                             zone="FRA", status="ok", run_id="abc123")
    first = ms.write_fallback(m, [tmp_path])
    (tmp_path / "mine.csv").write_text("x")
    second = ms.write_fallback(m, [tmp_path])
    assert first != second and first.exists() and second.exists()
    assert ms.read_results(first) == ms.read_results(second)


def test_unwritable_results_folder_refused_before_running(fake_codecarbon, run_cli, tmp_path, monkeypatch):
    marker = tmp_path / "ran"

    def denied(directory, name, data, *a, **k):
        raise InputError(f"cannot write '{Path(directory) / name}': Permission denied; nothing was written")

    monkeypatch.setattr(fio, "write_temp", denied)
    res = run_cli("measure", "--zone", "FRA", "-o", str(tmp_path / "r.csv"), "--", "touch", str(marker))
    assert res.code == 2 and "Permission denied" in res.err and len(res.err.strip().splitlines()) == 1
    assert not marker.exists() and FakeTracker.instances == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_results_folder_refused_by_permissions(fake_codecarbon, run_cli, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        res = run_cli("measure", "--zone", "FRA", "-o", str(ro / "r.csv"), "--", "true")
        assert res.code == 2 and "not writable" in res.err
    finally:
        ro.chmod(0o755)


def test_results_path_is_a_directory_refused_before_running(fake_codecarbon, run_cli, tmp_path):
    res = run_cli("measure", "--zone", "FRA", "-o", str(tmp_path), "--", "true")
    assert res.code == 2 and "is a directory" in res.err and FakeTracker.instances == []


@pytest.mark.parametrize("config", ["[codecarbon\nlog_level=debug\n", "garbage without a section\n"])
def test_corrupt_codecarbon_config_refused_before_running(fake_codecarbon, run_cli, tmp_path, monkeypatch, config):
    pytest.importorskip("codecarbon.core.config")
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".codecarbon.config").write_text(config)
    res = run_cli("measure", "--zone", "FRA", "--", "touch", "ran")
    assert res.code == 2 and "CodeCarbon cannot read its configuration" in res.err
    assert len(res.err.strip().splitlines()) == 1 and not (tmp_path / "ran").exists()


def test_looping_codecarbon_config_refused_before_running(fake_codecarbon, run_cli, tmp_path, monkeypatch):
    pytest.importorskip("codecarbon.core.config")
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".codecarbon.config").symlink_to(tmp_path / "loop")
    (tmp_path / "loop").symlink_to(tmp_path / ".codecarbon.config")
    res = run_cli("measure", "--zone", "FRA", "--", "touch", "ran")
    assert res.code == 2 and "Traceback" not in res.err and not (tmp_path / "ran").exists()
    # footprint's own report of the configuration does not fail on it either
    assert "<unreadable" in ms.codecarbon_config(cwd=tmp_path, home=tmp_path / "nohome", environ={})[0]["keys"][0]


def test_unreadable_home_is_reported_not_a_traceback(tmp_path, monkeypatch):
    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    found = ms.codecarbon_config(cwd=tmp_path, environ={})
    assert found[0]["source"] == "home directory" and found[0]["keys"][0].startswith("<unreadable")
    real = os.path.realpath

    def denied(path, strict=False):
        if "secret" in str(path):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(path, strict=strict)

    monkeypatch.setattr(os.path, "realpath", denied)
    found = ms.codecarbon_config(cwd=tmp_path, home=tmp_path / "secret", environ={})
    assert "Permission denied" in found[0]["keys"][0]


def test_codecarbon_returning_nothing_keeps_the_exit_code(fake_codecarbon, run_cli, tmp_path, monkeypatch):
    def nothing(tracker, independent):
        raise ms.MeasurementError("CodeCarbon returned no measurement (see --verbose for its log)")

    monkeypatch.setattr(tracker, "read_tracker", nothing)
    log = tmp_path / "r.csv"
    res = run_cli("measure", "--zone", "FRA", "-o", str(log), "--", sys.executable, "-c", "raise SystemExit(5)")
    assert res.code == 5 and "the command ran (exit code 5)" in res.err and "Traceback" not in res.err
    known = _json_line(res.err)["footprint_measurement_failed"]
    assert known["exit_code"] == 5 and known["energy"] is None
    assert not log.exists()  # no row with a made-up energy


@pytest.mark.parametrize("interval", ["inf", "nan", "0", "-1"])
def test_interval_must_be_finite_and_positive(fake_codecarbon, run_cli, interval):
    res = run_cli("measure", "--zone", "FRA", "--no-log", "--interval", interval, "--", "true")
    assert res.code == 2 and "interval" in res.err and len(res.err.strip().splitlines()) == 1
    assert FakeTracker.instances == []


@pytest.mark.parametrize("count", ["-5", "abc", "1e999", "1,2,3", "12.5", "1 000"])
def test_bad_count_line_gets_a_note(fake_codecarbon, run_cli, count):
    res = run_cli("measure", "--zone", "FRA", "--json", "--no-log", "--", sys.executable, "-c",
                  f"print('footprint-tokens: {count}')")
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    assert doc["counts"]["tokens"] is None
    assert any(f"'footprint-tokens: {count}' is not a whole number" in n for n in doc["notes"]), doc["notes"]


def test_good_count_line_is_read(fake_codecarbon, run_cli):
    res = run_cli("measure", "--zone", "FRA", "--json", "--no-log", "--", sys.executable, "-c",
                  "print('footprint-tokens: 123')")
    doc = json.loads(res.out)
    assert doc["counts"]["tokens"] == 123 and not any("not a whole number" in n for n in doc["notes"])


def test_sighup_is_recorded_like_sigterm(fake_codecarbon, tmp_path):
    import signal
    import threading

    log = tmp_path / "r.csv"
    timer = threading.Timer(1.0, os.kill, args=(os.getpid(), signal.SIGHUP))
    timer.start()
    result = ms.measure_command([sys.executable, "-c", "import time; time.sleep(30)"], zone="FRA", log=log)
    timer.join()
    assert result.status == "interrupted" and result.exit_code == 128 + signal.SIGHUP
    assert ms.read_results(log)[-1]["status"] == "interrupted"
    assert any("SIGHUP" in n for n in result.notes)


def test_failed_replace_leaves_no_temporary_file(tmp_path, monkeypatch):
    log = tmp_path / "r.csv"
    m = ms.build_measurement(dict(duration_s=1.0, energy_cpu_kwh=1e-6), zone="FRA", status="ok")
    ms.append_result(log, m)
    before = log.read_bytes()

    def ro(src, dst):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", ro)
    with pytest.raises(OSError):
        ms.append_result(log, m)
    assert log.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]
