"""The store under faults, with real processes on real files: writers killed with SIGKILL, a
backup taken while another process writes, a full disk, read-only files and folders, and the
append-only log poked at through SQL."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from locator.store import Change, SqliteStore, StoreError, create_store, open_store
from tests.conftest import station
from tests.store_worker import spawn as worker

WORKER = str(Path(__file__).resolve().parents[1] / "store_worker.py")


def kill9(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, f"the writer ended by itself first (exit {proc.returncode})"


def check_integrity(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    return con


def replay(con: sqlite3.Connection) -> dict[str, str]:
    """The stations the revision log describes: every `after` applied in seq order."""
    out: dict[str, str] = {}
    for sid, after in con.execute("SELECT station_id, after FROM revisions ORDER BY seq"):
        if after is None:
            del out[sid]
        else:
            out[sid] = after
    return out


def current(con: sqlite3.Connection) -> dict[str, str]:
    return dict(con.execute("SELECT id, feature FROM stations"))


def last_changeset(con: sqlite3.Connection) -> tuple[str, int]:
    """The newest change set's reason and how many revisions it wrote."""
    why, cs = con.execute("SELECT why, id FROM changesets ORDER BY id DESC LIMIT 1").fetchone()
    return why, con.execute("SELECT count(*) FROM revisions WHERE changeset = ?", (cs,)).fetchone()[0]


# -- kill -9 ---------------------------------------------------------------------------------------


def test_kill_during_a_big_change_set_leaves_the_store_before_or_after_it(tmp_path: Path) -> None:
    """200,000 new stations in one commit, killed at random moments of the commit (and once so
    late that it may have finished): the store opens clean, holding the seed or seed + all."""
    path, n, seed = tmp_path / "r.sqlite", 200_000, 3
    create_store(path, [station(f"s{i}", 116.3 + i / 100) for i in range(seed)], by="init", why="seed")[0].close()
    rng = random.Random(8)
    outcomes = []
    for delay in [rng.uniform(0.1, 2.0) for _ in range(2)] + [rng.uniform(3.0, 6.0)]:
        proc = worker("big", path, n)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            kill9(proc)
        con = check_integrity(path)
        count = con.execute("SELECT count(*) FROM stations").fetchone()[0]
        assert count in (seed, seed + n)
        assert last_changeset(con) == (("seed", seed) if count == seed else ("big", n))
        assert con.execute("SELECT max(seq) FROM revisions").fetchone()[0] == count
        con.close()
        outcomes.append(count)
        if count == seed + n:
            break
    print("stations after each kill:", outcomes)
    store = open_store(path)  # no stale lock: the next writer gets in at once
    res = store.commit([Change("after", station("after", 116.9), "create")], by="x", why="after the kill")
    assert res.latest == outcomes[-1] + 1 and store.count() == outcomes[-1] + 1


def test_kill_during_a_stream_of_small_change_sets_keeps_each_whole(tmp_path: Path) -> None:
    path, k = tmp_path / "r.sqlite", 5
    create_store(path, [station(f"e-{j}", 116.3 + j / 100) for j in range(k)], by="init", why="seed")[0].close()
    rng = random.Random(9)
    for _ in range(4):
        proc = worker("stream", path, k)
        assert proc.stdout is not None
        for _ in range(rng.randint(1, 300)):  # let it commit a random number of change sets, then kill it mid-way
            assert proc.stdout.readline()
        kill9(proc)
        con = check_integrity(path)
        why, revisions = last_changeset(con)
        assert revisions == k, f"change set {why!r} is torn: {revisions} of {k} revisions"
        assert current(con) == replay(con)
        notes = {json.loads(f)["properties"].get("note") for f in current(con).values()}
        assert len(notes) == 1  # every station shows the same round: no change set half applied
        con.close()
    store = open_store(path)
    head = store.head()
    assert store.commit([Change("e-0", None, "delete")], by="x", why="after").latest == head + 1


# -- backup while writing ----------------------------------------------------------------------------


def test_backups_taken_while_another_process_writes_are_consistent_snapshots(tmp_path: Path) -> None:
    """The store is larger than one backup step used to copy, and a writer commits without a
    pause: each backup must still finish (a stepped backup restarts on every foreign commit)
    and hold exactly what its own revision log says."""
    path, stop = tmp_path / "r.sqlite", tmp_path / "stop"
    seed = [station(f"s{i}", 116 + i * 1e-5, note="x" * 300) for i in range(40_000)]
    store, _ = create_store(path, [*seed, station("c-0", 116.9), station("c-1", 116.95)], by="init", why="seed")
    assert path.stat().st_size > 4096 * 4096
    proc = worker("churn", path, stop)
    try:
        assert proc.stdout is not None
        heads = []
        for b in range(3):
            head_before = store.head()
            copy = tmp_path / f"backup-{b}.sqlite"
            done = threading.Thread(target=store.backup, args=(copy,), daemon=True)
            done.start()
            done.join(timeout=120)
            assert not done.is_alive(), "the backup never finished while the writer went on"
            assert proc.poll() is None, proc.communicate()[1]
            con = check_integrity(copy)
            assert current(con) == replay(con)
            head = con.execute("SELECT max(seq) FROM revisions").fetchone()[0]
            assert head >= head_before and last_changeset(con)[1] in (3, 4, len(seed) + 2)
            heads.append(head)
            assert open_store(copy).count() == len(current(con))
            con.close()
    finally:
        stop.touch()
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert json.loads(out)["commits"] > 0 and heads[-1] > heads[0]


# -- the append-only log ----------------------------------------------------------------------------


def test_the_log_refuses_rewrites_from_any_connection_and_inside_transactions(tmp_path: Path) -> None:
    """UPDATE and DELETE on `revisions` fail through a second connection, inside an explicit
    transaction (which stays usable and rolls back cleanly), and while a writer process holds
    the store open.

    Limit, stated plainly: the guards are triggers, and SQLite lets anyone who can write the file
    `DROP TRIGGER` them and then rewrite history; a file's owner can always rewrite its bytes. The
    log is append-only against the application and against mistakes, not against the owner of
    the file; keep backups (`locator backup`) where editors cannot write.
    """
    path = tmp_path / "r.sqlite"
    store, _ = create_store(path, [station("a"), station("b", 116.5)], by="init", why="start")
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    for sql in ("UPDATE revisions SET why = 'rewritten' WHERE seq = 1", "DELETE FROM revisions WHERE seq = 2"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(sql)
    assert con.in_transaction
    con.execute("ROLLBACK")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.executescript("BEGIN; UPDATE revisions SET after = NULL; COMMIT;")
    con.execute("ROLLBACK")
    assert [r.why for r in store.changes(0, 10)] == ["start", "start"]
    assert store.commit([Change("a", None, "delete")], by="x", why="gone").latest == 3  # writers unaffected

    con.execute("DROP TRIGGER revisions_append_only_update")  # the limit: SQLite allows this
    con.execute("UPDATE revisions SET why = 'rewritten' WHERE seq = 1")
    assert store.history("a")[0].why == "rewritten"
    con.close()


# -- a full disk ------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (needs root and a system that lets it mount)."""
    if os.geteuid() != 0:
        pytest.skip("a full disk is simulated with a small tmpfs, which needs root to mount")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=True)


def fill(path: Path) -> None:
    with path.open("ab", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass


def test_a_full_disk_fails_the_write_with_a_message_and_changes_nothing(small_disk: Path) -> None:
    path, filler = small_disk / "r.sqlite", small_disk / "filler"
    store, _ = create_store(path, [station("a")], by="init", why="seed")
    filler.write_bytes(b"\0" * 1_200_000)
    last, i = store.head(), 0
    with pytest.raises(StoreError) as err:
        while True:
            i += 1
            ids = [f"n{i}-{k}" for k in range(5)]
            changes = [Change(s, station(s, 116 + i / 1e3, note="x" * 2000), "create") for s in ids]
            last = store.commit(changes, by="x", why=f"fill {i}").latest or last
    assert str(err.value) == f"{path}: the disk is full; nothing was changed"
    assert "\n" not in str(err.value) and i > 1
    assert store.head() == last and store.count() == last  # one revision per station, none for the failed set
    again = open_store(path)
    assert again.head() == last and check_integrity(path).execute("SELECT count(*) FROM stations").fetchone() == (last,)
    filler.unlink()
    assert store.commit([Change("z", station("z", 116.9), "create")], by="x", why="space again").latest == last + 1
    store.close()
    again.close()


def test_a_disk_too_full_to_open_the_store_says_so(small_disk: Path) -> None:
    """With no byte left SQLite cannot even create the -shm file it reads through: a disk I/O
    error (SQLITE_IOERR_SHMSIZE), which the store reports as the full disk it is."""
    path = small_disk / "r.sqlite"
    create_store(path, [station("a")], by="init", why="seed")[0].close()
    fill(small_disk / "filler")
    with pytest.raises(StoreError, match=r"r\.sqlite: the disk is full; nothing was changed$"):
        SqliteStore(path).head()
    (small_disk / "filler").unlink()
    assert SqliteStore(path).count() == 1


# -- read-only files and folders --------------------------------------------------------------------


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder another user can reach (pytest's tmp_path is private to its owner)."""
    folder = Path(tempfile.mkdtemp(prefix="locator-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def probe_as_another_user(path: Path) -> dict[str, object]:
    """Run the probe worker as `nobody` when we are root (root ignores file modes), else as us."""
    as_nobody = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root and without setpriv: cannot test file modes as another user")
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    done = subprocess.run([*as_nobody, sys.executable, WORKER, "probe", str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_read_only_store_file_reads_and_refuses_writes_in_one_line(shared_dir: Path) -> None:
    path = shared_dir / "r.sqlite"
    create_store(path, [station("a"), station("b", 116.5)], by="init", why="seed")[0].close()
    path.chmod(0o444)
    shared_dir.chmod(0o777)  # the folder is writable: SQLite can make -wal and -shm beside the file
    assert probe_as_another_user(path) == {
        "read": 2,
        "error": f"{path}: the store is read-only here; nothing was changed",
    }


def test_a_read_only_folder_is_named_and_reading_works_while_the_owner_has_the_store_open(shared_dir: Path) -> None:
    """SQLite in WAL mode reads through `-shm` beside the file. In a folder the reader cannot
    write, it can create neither, so a closed store (no -wal/-shm left) cannot even be read:
    the store says so in one line. While the owner has the store open the two files exist, and
    a reader without write access to the folder reads (and, the file being writable, writes)."""
    path = shared_dir / "r.sqlite"
    create_store(path, [station("a"), station("b", 116.5)], by="init", why="seed")[0].close()
    path.chmod(0o666)
    folder_read_only = (
        f"{path}: the folder is read-only, and SQLite needs to create r.sqlite-wal and -shm beside the store;"
        " nothing was changed"
    )
    # as root the probe runs as nobody, for whom the root-owned 0755 folder is read-only already
    read_only = 0o555 if os.geteuid() != 0 else 0o755
    shared_dir.chmod(read_only)
    assert probe_as_another_user(path) == {"error": folder_read_only}
    shared_dir.chmod(0o755)
    owner = SqliteStore(path)
    assert owner.count() == 2 and Path(f"{path}-shm").exists()
    shared_dir.chmod(read_only)
    assert probe_as_another_user(path) == {"read": 2, "write": "ok"}
    assert owner.history("a")[-1].by == "probe"
    owner.close()
    shared_dir.chmod(0o755)
