"""Outputs never clobber inputs; a run writes all its files or none; temporaries go on signals; modes follow umask.

Permission faults are simulated with monkeypatched calls when the suite runs as
root (root ignores chmod), so that the behaviour is still tested.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
from pathlib import Path

import pytest

from footprint import io as fio
from footprint.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
CHATBOT = ROOT / "scenarios" / "city_chatbot.toml"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _one_line(r):
    assert r.code == 2, (r.code, r.err)
    assert r.err.startswith("footprint: error:") and len(r.err.strip().splitlines()) == 1, r.err
    assert "Traceback" not in r.err


def _snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "s.toml"
    path.write_bytes(CHATBOT.read_bytes())
    return path


# -- the reproducers of the issue ----------------------------------------------------------------


def test_compare_card_onto_the_scenario_is_refused(run_cli, scenario, tmp_path):
    before = _snapshot(tmp_path)
    r = run_cli("compare", str(scenario), "--card", str(scenario), "--samples", "100")
    _one_line(r)
    assert "is the scenario file" in r.err and "--card" in r.err
    assert _snapshot(tmp_path) == before


def test_card_through_a_link_to_the_scenario_is_refused(run_cli, scenario, tmp_path):
    (tmp_path / "card.md").symlink_to(scenario)
    os.link(scenario, tmp_path / "hard.md")
    before = _snapshot(tmp_path)
    for name in ("card.md", "hard.md"):
        _one_line(run_cli("compare", str(scenario), "--card", str(tmp_path / name), "--samples", "100"))
    assert _snapshot(tmp_path) == before


def test_plot_onto_the_scenario_is_refused(run_cli, scenario, tmp_path):
    before = _snapshot(tmp_path)
    r = run_cli("plot", str(scenario), "-o", str(scenario))
    _one_line(r)
    assert "is the scenario file" in r.err
    assert _snapshot(tmp_path) == before


def test_plot_html_and_data_on_the_same_file_is_refused(run_cli, scenario, tmp_path):
    out = tmp_path / "x.csv"
    out.write_text("mine")
    r = run_cli("plot", str(scenario), "-o", str(out), "--data", str(out), "--kind", "comparison")
    _one_line(r)
    assert "--data" in r.err and "-o/--output" in r.err
    assert out.read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["s.toml", "x.csv"]


def test_plot_data_on_a_full_disk_writes_nothing(run_cli, scenario, tmp_path, monkeypatch):
    html, data = tmp_path / "p.html", tmp_path / "d.csv"
    html.write_text("old page")
    real = fio.write_temp

    def full_disk(directory, name, data, *a, **k):
        if name.endswith(".csv"):
            raise InputError(f"cannot write '{Path(directory) / name}': No space left on device; nothing was written")
        return real(directory, name, data, *a, **k)

    monkeypatch.setattr(fio, "write_temp", full_disk)
    r = run_cli("plot", str(scenario), "-o", str(html), "--data", str(data), "--kind", "comparison",
                "--samples", "100")
    _one_line(r)
    assert "No space left" in r.err
    assert html.read_text() == "old page" and not data.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.html", "s.toml"]  # no temporary file left


def _batch_table(tmp_path) -> Path:
    path = tmp_path / "b.csv"
    path.write_text("id,params,output_tokens\na,8B,400\nb,-1B,400\nc,70B,300\n", encoding="utf-8")
    return path


def test_batch_rejects_onto_the_output_is_refused(run_cli, tmp_path):
    table = _batch_table(tmp_path)
    out = tmp_path / "o.csv"
    out.write_text("previous results")
    r = run_cli("estimate", "--batch", str(table), "--output", str(out), "--skip-invalid", "--rejects", str(out))
    _one_line(r)
    assert "--rejects" in r.err and "--output" in r.err
    assert out.read_text() == "previous results"


def test_batch_output_onto_the_input_is_refused(run_cli, tmp_path):
    table = _batch_table(tmp_path)
    before = table.read_bytes()
    _one_line(run_cli("estimate", "--batch", str(table), "--output", str(table)))
    assert table.read_bytes() == before


def test_batch_rejects_in_a_missing_folder_is_refused_before_the_results(run_cli, tmp_path):
    table = _batch_table(tmp_path)
    r = run_cli("estimate", "--batch", str(table), "--output", str(tmp_path / "o.csv"), "--skip-invalid",
                "--rejects", str(tmp_path / "nodir" / "r.csv"))
    _one_line(r)
    assert "does not exist" in r.err and "--rejects" in r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]


def test_batch_rejects_failing_leaves_no_results(run_cli, tmp_path, monkeypatch):
    """The rejects file fails after the results are staged: neither is moved into place."""
    table = _batch_table(tmp_path)
    real = os.replace

    def fail_on_rejects(src, dst):
        if str(dst).endswith("r.csv"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_rejects)
    r = run_cli("estimate", "--batch", str(table), "--output", str(tmp_path / "o.csv"), "--skip-invalid",
                "--rejects", str(tmp_path / "r.csv"))
    _one_line(r)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]


def test_batch_sigterm_removes_the_temporary_file(run_cli, tmp_path, monkeypatch):
    from footprint import batch

    table = _batch_table(tmp_path)
    real = batch.estimate
    seen = []

    def estimate_then_sigterm(*a, **k):
        seen.extend(p.name for p in tmp_path.iterdir())
        os.kill(os.getpid(), signal.SIGTERM)
        return real(*a, **k)

    monkeypatch.setattr(batch, "estimate", estimate_then_sigterm)
    old = signal.getsignal(signal.SIGTERM)
    r = run_cli("estimate", "--batch", str(table), "--output", str(tmp_path / "o.csv"))
    assert r.code == 128 + signal.SIGTERM
    assert any(n.startswith(".o.csv.") for n in seen)  # the results were being staged
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]
    assert signal.getsignal(signal.SIGTERM) is old  # handlers restored


@pytest.mark.parametrize("sig", ["SIGINT", "SIGHUP"])
def test_outputs_removed_on_signals(tmp_path, sig):
    target = tmp_path / "a.txt"
    with pytest.raises((KeyboardInterrupt, SystemExit)):
        with fio.Outputs() as out:
            out.write(target, "staged")
            assert len(list(tmp_path.iterdir())) == 1
            os.kill(os.getpid(), getattr(signal, sig))
    assert list(tmp_path.iterdir()) == []


# -- the helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_new_files_follow_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        fio.write_text(tmp_path / "a.txt", "x")
        fio.write_bytes(tmp_path / "b.bin", b"x")
    finally:
        os.umask(old)
    for name in ("a.txt", "b.bin"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask


def test_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    target.chmod(0o640)
    fio.write_text(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_commit_rolls_back_when_a_move_fails(tmp_path, monkeypatch):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("old a")
    real = os.replace
    calls = []

    def second_fails(src, dst):
        calls.append(dst)
        if Path(dst) == b:
            raise OSError(errno.EIO, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", second_fails)
    with pytest.raises(InputError, match="cannot write .*b.txt.*Input/output error"):
        with fio.Outputs() as out:
            out.write(a, "new a")
            out.write(b, "new b")
    assert a.read_text() == "old a" and not b.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_check_outputs_refusals(tmp_path):
    (tmp_path / "dir").mkdir()
    src = tmp_path / "in.csv"
    src.write_text("x")
    with pytest.raises(InputError, match="is a directory"):
        fio.check_outputs({"--output": tmp_path / "dir"})
    with pytest.raises(InputError, match="does not exist"):
        fio.check_outputs({"--output": tmp_path / "no" / "o.csv"})
    with pytest.raises(InputError, match="is the batch table"):
        fio.check_outputs({"--output": tmp_path / "." / "in.csv"}, {"batch table": src})
    with pytest.raises(InputError, match="also the --output"):
        fio.check_outputs({"--output": tmp_path / "o.csv", "--rejects": tmp_path / "dir" / ".." / "o.csv"})
    with pytest.raises(InputError, match="empty file name"):
        fio.check_outputs({"--output": ""})
    assert fio.check_outputs({"--output": tmp_path / "o.csv", "--rejects": None}) == {"--output": tmp_path / "o.csv"}


@pytest.mark.skipif(AS_ROOT, reason="root ignores directory permissions; see the monkeypatched test below")
def test_read_only_directory_refused_by_permissions(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(InputError, match="not writable"):
            fio.check_output(ro / "o.csv", "--output")
    finally:
        ro.chmod(0o755)


def test_read_only_directory_refused(tmp_path, monkeypatch, run_cli, scenario):
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    with pytest.raises(InputError, match="not writable"):
        fio.check_output(tmp_path / "o.csv", "--output")
    before = _snapshot(tmp_path)
    _one_line(run_cli("compare", str(scenario), "--card", str(tmp_path / "card.md"), "--samples", "100"))
    assert _snapshot(tmp_path) == before


def test_card_on_a_full_disk_is_one_line_and_keeps_the_old_card(run_cli, scenario, tmp_path, monkeypatch):
    card = tmp_path / "card.md"
    card.write_text("previous card")

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", lambda fd: full(fd, b""))
    r = run_cli("compare", str(scenario), "--card", str(card), "--samples", "100")
    _one_line(r)
    assert "No space left" in r.err and card.read_text() == "previous card"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.md", "s.toml"]
