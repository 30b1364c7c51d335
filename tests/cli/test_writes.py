"""Write paths: concurrent imports lose nothing, a killed writer leaves nothing locked or half
written, files keep their mode, owner and symlink, and every file error names the file."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from locator import atomic, cli
from locator.errors import InvalidParameter
from locator.filelock import ChangedMeanwhile, lock_path
from locator.registry import load_registry, save_registry, update_registry
from tests.conftest import REPO, station

CSV_HEADER = "id,name,type,amenities,opening_hours,source,lon,lat\n"


def csv_row(sid: str, lon: float = 116.38, lat: float = 39.95) -> str:
    return f"{sid},测试站点 {sid},warm_station,drinking_water,24/7,test (synthetic),{lon},{lat}\n"


def locator(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "locator", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def umask022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- class 1: lost updates ---------------------------------------------------------------------


def test_concurrent_imports_lose_no_station(tmp_path: Path) -> None:
    # a registry big enough that reading and validating it takes a while: without a lock the
    # read-modify-write windows of the imports overlap and all but one addition are lost
    reg = tmp_path / "reg.geojson"
    save_registry(
        reg, [station(f"base-{i}", 116.2 + (i % 100) * 0.003, 39.8 + (i // 100) * 0.003) for i in range(3000)]
    )
    n = 6
    files = []
    for i in range(n):
        f = tmp_path / f"add-{i}.csv"
        f.write_text(CSV_HEADER + csv_row(f"new-{i}", 116.5 + i * 0.01, 40.1), encoding="utf-8")
        files.append(f)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "locator", "--registry", str(reg), "import", str(f), "--crs", "wgs84"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    assert all(code == 0 for code, _ in results), results
    ids = {s.id for s in load_registry(reg).stations}
    assert {f"new-{i}" for i in range(n)} <= ids
    assert len(ids) == 3000 + n


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from locator.atomic import replacing
    from locator.filelock import exclusive
    from locator.registry import update_registry

    path = Path(sys.argv[1])
    if sys.argv[2] == "merging":
        def change(existing):
            print("locked", flush=True)
            time.sleep(120)
            return existing
        update_registry(path, change)
    else:  # killed while the new registry is half written
        with exclusive(path), replacing(path) as tmp:
            tmp.write_bytes(b'{"type":"FeatureCollection","features":[')
            print("locked", flush=True)
            time.sleep(120)
    """
)


@pytest.mark.parametrize("moment", ["merging", "writing"])
def test_writer_killed_with_sigkill_leaves_registry_whole_and_unlocked(tmp_path: Path, moment: str) -> None:
    reg = tmp_path / "reg.geojson"
    save_registry(reg, [station("a")])
    before = reg.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(reg), moment], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    os.kill(holder.pid, signal.SIGKILL)
    assert holder.wait(timeout=30) == -signal.SIGKILL
    assert reg.read_bytes() == before  # not half written
    new = tmp_path / "b.csv"
    new.write_text(CSV_HEADER + csv_row("b", 116.39), encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "locator", "--registry", str(reg), "import", str(new), "--crs", "wgs84"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,  # a lock left behind would hang here
    )
    assert r.returncode == 0, r.stderr
    assert [s.id for s in load_registry(reg).stations] == ["a", "b"]


def test_change_by_a_program_without_the_lock_is_refused(tmp_path: Path) -> None:
    reg = tmp_path / "reg.geojson"
    save_registry(reg, [station("a")])

    def edited_meanwhile(existing: list[object]) -> list[object]:
        save_registry(reg, [station("edited")])  # e.g. an editor saving while the import runs
        return [*existing, station("b")]

    with pytest.raises(ChangedMeanwhile, match="changed by another program meanwhile; nothing written"):
        update_registry(reg, edited_meanwhile)  # type: ignore[arg-type]
    assert [s.id for s in load_registry(reg).stations] == ["edited"]
    assert lock_path(reg) == tmp_path / ".reg.geojson.lock"


def test_cli_exits_3_when_the_registry_changes_under_an_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from locator import io as station_io

    reg = tmp_path / "reg.geojson"
    save_registry(reg, [station("a")])
    new = tmp_path / "b.csv"
    new.write_text(CSV_HEADER + csv_row("b", 116.39), encoding="utf-8")
    real_merge = station_io.merge

    def merge(*args: object) -> object:
        reg.write_text(reg.read_text() + " ")  # another tool writes without the lock
        return real_merge(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(station_io, "merge", merge)
    code = cli.main(["--registry", str(reg), "import", str(new), "--crs", "wgs84"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3
    assert err == [f"locator import: error: {reg}: changed by another program meanwhile; nothing written, run it again"]
    assert [s.id for s in load_registry(reg).stations] == ["a"]


# --- class 5: modes, owners and links ----------------------------------------------------------


def _import_one(tmp_path: Path, reg: Path, sid: str = "b") -> None:
    new = tmp_path / f"{sid}.csv"
    new.write_text(CSV_HEADER + csv_row(sid, 116.39), encoding="utf-8")
    assert cli.main(["--registry", str(reg), "import", str(new), "--crs", "wgs84"]) == 0


@pytest.mark.parametrize("perm", [0o644, 0o640, 0o664])
def test_registry_keeps_its_mode(tmp_path: Path, perm: int) -> None:
    reg = tmp_path / "reg.geojson"
    save_registry(reg, [station("a")])
    reg.chmod(perm)
    old = os.umask(0o077)  # the kept mode comes from the file, not from the umask
    try:
        _import_one(tmp_path, reg)
    finally:
        os.umask(old)
    assert mode(reg) == perm
    assert [s.id for s in load_registry(reg).stations] == ["a", "b"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_registry_keeps_its_owner_when_root_writes_it(tmp_path: Path) -> None:
    reg = tmp_path / "reg.geojson"
    save_registry(reg, [station("a")])
    os.chown(reg, 4321, 4322)
    _import_one(tmp_path, reg)
    st = reg.stat()
    assert (st.st_uid, st.st_gid) == (4321, 4322)


def test_symlinked_registry_stays_a_symlink_and_its_target_is_updated(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "stations.geojson"
    save_registry(target, [station("a")])
    link = tmp_path / "current.geojson"
    link.symlink_to(target)
    _import_one(tmp_path, link)
    assert link.is_symlink() and link.resolve() == target
    assert [s.id for s in load_registry(target).stations] == ["a", "b"]
    assert sorted(p.name for p in real_dir.iterdir()) == [".stations.geojson.lock", "stations.geojson"]


def test_new_files_get_the_mode_of_a_plain_open(tmp_path: Path, umask022: None) -> None:
    reg = tmp_path / "reg.geojson"
    save_registry(reg, [station("a", district="西城区")])
    assert mode(reg) == 0o644
    out = tmp_path / "maps"
    assert cli.main(["--registry", str(reg), "build-maps", "--out", str(out)]) == 0
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 10
    assert {p.relative_to(out).as_posix(): mode(p) for p in files} == {
        p.relative_to(out).as_posix(): 0o644 for p in files
    }  # world-readable: a server running as another user can read them
    assert cli.main(["--registry", str(reg), "export", str(tmp_path / "out.csv")]) == 0
    assert mode(tmp_path / "out.csv") == 0o644


# --- class 16: messages name the right file ----------------------------------------------------


def test_export_onto_a_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "out.csv").mkdir()
    r = locator("export", str(tmp_path / "out.csv"))
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [f"locator export: error: {tmp_path / 'out.csv'} is a folder"]


@pytest.mark.parametrize("command", ["export", "import"])
def test_disk_full_names_the_target_not_a_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    reg = tmp_path / "reg.geojson"
    save_registry(reg, [station("a")])
    new = tmp_path / "b.csv"
    new.write_text(CSV_HEADER + csv_row("b", 116.39), encoding="utf-8")
    target = tmp_path / "out.xlsx" if command == "export" else reg
    if command == "export":
        target.write_bytes(b"old export")
    before = target.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    args = ["export", str(target)] if command == "export" else ["import", str(new), "--crs", "wgs84"]
    code = cli.main(["--registry", str(reg), *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err == [f"locator {command}: error: {target}: disk full: no space left on the device"]
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_permission_denied_names_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    if os.geteuid() == 0:  # root writes anyway: make the folder refuse as it would for a user

        def refuse(*args: object, dir: str = "", **kwargs: object) -> str:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), f"{dir}/.out.csv.x1y2.tmp")

        monkeypatch.setattr(atomic.tempfile, "mkdtemp", refuse)
    code = cli.main(["export", str(ro / "out.csv")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [f"locator export: error: {ro / 'out.csv'}: permission denied"]


def test_device_target_is_refused_not_replaced(tmp_path: Path) -> None:
    link = tmp_path / "null.csv"
    link.symlink_to(os.devnull)
    r = locator("export", str(link))
    assert r.returncode == 2
    assert "is not a regular file" in r.stderr and Path(os.devnull).is_char_device()


def test_import_of_an_id_differing_only_in_case_writes_nothing(tmp_path: Path) -> None:
    """`xc-01` imported beside `XC-01` would leave a registry that no longer loads: refused."""
    reg = tmp_path / "reg.geojson"
    save_registry(reg, [station("XC-01")])
    before = reg.read_bytes()
    src = tmp_path / "new.csv"
    src.write_text(CSV_HEADER + csv_row("xc-01", 116.40, 39.90), encoding="utf-8")
    res = locator("--registry", str(reg), "import", str(src), "--crs", "wgs84")
    assert res.returncode == 1, res.stderr
    assert "differs only in case from 'XC-01'" in res.stdout
    assert "Traceback" not in res.stderr
    assert reg.read_bytes() == before
    assert [s.id for s in load_registry(reg).stations] == ["XC-01"]


def test_an_import_waits_for_a_held_lock_then_gives_up_clearly(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Any local user who can open the lock file could hold imports forever: the wait is bounded."""
    import fcntl

    from locator import filelock

    reg = tmp_path / "reg.geojson"
    save_registry(reg, [station("a")])
    before = reg.read_bytes()
    new = tmp_path / "b.csv"
    new.write_text(CSV_HEADER + csv_row("b", 116.39), encoding="utf-8")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import fcntl, os, sys, time
            fd = os.open({str(lock_path(reg))!r}, os.O_RDWR | os.O_CREAT)
            fcntl.flock(fd, fcntl.LOCK_EX)
            print("held", flush=True)
            time.sleep(30)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(filelock, "LOCK_WAIT_S", 0.5)
        code = cli.main(["--registry", str(reg), "import", str(new), "--crs", "wgs84"])
        err = capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert code == 3
    assert f"{reg} is being changed by another program; waiting up to 0.5 s for it" in caplog.text
    assert f"another program has held its lock ({lock_path(reg)})" in err and "nothing written" in err
    assert "Traceback" not in err
    assert reg.read_bytes() == before
    fd = os.open(lock_path(reg), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again once the holder is gone
    finally:
        os.close(fd)


def test_a_folder_that_refuses_the_lock_file_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not "does not exist": the registry exists, its folder refuses the lock file."""
    reg = tmp_path / "reg.geojson"
    save_registry(reg, [station("a")])
    new = tmp_path / "b.csv"
    new.write_text(CSV_HEADER + csv_row("b", 116.39), encoding="utf-8")
    real_open = os.open

    def refusing_open(path: object, flags: int, *args: object) -> int:
        if str(path).endswith(".lock"):
            if flags & os.O_CREAT:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing_open)
    code = cli.main(["--registry", str(reg), "import", str(new), "--crs", "wgs84"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == f"locator import: error: {reg} (its lock file {lock_path(reg)}): permission denied"


def test_import_refuses_a_read_only_registry(tmp_path: Path) -> None:
    """Someone made the registry read-only to protect it: an import must not replace it."""
    reg = tmp_path / "reg.geojson"
    save_registry(reg, [station("a")])
    reg.chmod(0o444)
    before = reg.read_bytes()
    src = tmp_path / "b.csv"
    src.write_text(CSV_HEADER + csv_row("b", 116.39), encoding="utf-8")
    res = locator("--registry", str(reg), "import", str(src), "--crs", "wgs84")
    assert res.returncode == 2, res.stderr
    assert "is read-only" in res.stderr and "Traceback" not in res.stderr
    assert reg.read_bytes() == before and mode(reg) == 0o444


def test_a_group_the_writer_cannot_keep_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not root, not in the registry's group: replacing it would lock out the server that reads it."""
    reg = tmp_path / "reg.geojson"
    save_registry(reg, [station("a")])
    before = reg.read_bytes()

    def fchown(fd: int, uid: int, gid: int) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    real_fstat = os.fstat

    def fstat(fd: int) -> os.stat_result:  # the new file got another group than the old one
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid + 1, *st[6:]))

    monkeypatch.setattr(os, "fchown", fchown)
    monkeypatch.setattr(atomic.os, "fstat", fstat)
    with pytest.raises(InvalidParameter, match=r"which this user is not in.*nothing written"):
        update_registry(reg, lambda existing: [*existing, station("b", 116.39)])
    assert reg.read_bytes() == before
    assert not list(tmp_path.glob(".reg.geojson.*.tmp"))
