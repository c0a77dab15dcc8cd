"""Issue 14, files and audit: owner-only store files, the raw archive written before the commit, and names
marked as verified (OIDC) or asserted ($CSQ_USER, the OS user) in the audit log and the batch list."""
from __future__ import annotations

import getpass
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from csq.core import auth
from csq.ingest.importer import import_file
import csq.store as store_package
from csq.store import archive, audit, files, migrations, open_store
from csq.store.batches import list_batches, raw_dir
from csq.store.connection import user_source
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import ROOT, SAMPLES, run_cli, snapshot

TRAINING = SAMPLES / "training_2025Q1.csv"
TICKETS = SAMPLES / "tickets_2025-03_gbk.csv"


def mode(path: Path) -> int:
    """Return the permission bits of a path."""
    return stat.S_IMODE(path.stat().st_mode)


def raw_files(db: Path) -> list[str]:
    """Return the names in the store's raw archive folder (empty when there is none)."""
    folder = db.parent / "raw"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def csq_user(monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test as local mode with $CSQ_USER=alice."""
    monkeypatch.setenv("CSQ_USER", "alice")
    return "alice"


# ---------------------------------------------------------------- permissions

def test_a_new_store_and_the_folder_csq_creates_are_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "made" / "by" / "csq" / "store.duckdb"
    assert run_cli("import", str(TRAINING), "--kind", "training", db=db).returncode == 0
    assert mode(db) == 0o600
    for folder in (db.parent, db.parent.parent, db.parent.parent.parent, db.parent / "raw"):
        assert mode(folder) == 0o700, folder
    assert [mode(p) for p in (db.parent / "raw").iterdir()] == [0o600]


def test_the_wal_duckdb_writes_again_after_a_checkpoint_is_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    store = open_store(db)
    try:
        store.rows("CHECKPOINT")  # DuckDB deletes the .wal here and writes a new one at the next commit
        import_file(store, TRAINING, "training")
        wal = db.with_name(db.name + ".wal")
        assert wal.exists() and mode(wal) == 0o600
    finally:
        store.close()


def test_an_existing_world_readable_store_is_tightened_on_a_read_write_open(tmp_path: Path,
                                                                            template_db: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    db = folder / "csq.duckdb"
    shutil.copyfile(template_db, db)
    os.chmod(db, 0o644)
    os.chmod(folder, 0o755)
    open_store(db, read_only=True).close()
    assert mode(db) == 0o644, "a read-only open changes nothing"
    open_store(db).close()
    assert mode(db) == 0o600
    assert mode(folder) == 0o700, "a folder holding only csq's files is the store's own"


def test_a_shared_folder_is_left_alone_but_the_store_file_is_tightened(tmp_path: Path, template_db: Path) -> None:
    shared = tmp_path / "team"
    shared.mkdir()
    (shared / "notes.txt").write_text("not csq's")
    os.chmod(shared, 0o755)
    db = shared / "csq.duckdb"
    shutil.copyfile(template_db, db)
    os.chmod(db, 0o644)
    open_store(db).close()
    assert (mode(db), mode(shared)) == (0o600, 0o755)


def test_a_sticky_folder_like_tmp_is_never_changed(tmp_path: Path, template_db: Path) -> None:
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    os.chmod(sticky, 0o1777)
    db = sticky / "csq.duckdb"
    shutil.copyfile(template_db, db)
    open_store(db).close()
    assert mode(sticky) == 0o1777 and mode(db) == 0o600


def test_the_default_data_folder_is_the_stores_own(tmp_path: Path, template_db: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    (data / "exports.csv").write_text("x")  # other files beside it: still csq's default folder
    os.chmod(data, 0o755)
    shutil.copyfile(template_db, data / "csq.duckdb")
    open_store(Path("data/csq.duckdb")).close()
    assert mode(data) == 0o700 and mode(data / "csq.duckdb") == 0o600


def test_files_created_under_owner_only_are_private_and_the_umask_comes_back(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        with files.owner_only():
            with files.owner_only():  # nested holders share one setting
                (tmp_path / "inner").write_text("x")
            (tmp_path / "outer").mkdir()
        (tmp_path / "after").write_text("x")
        assert (mode(tmp_path / "inner"), mode(tmp_path / "outer"), mode(tmp_path / "after")) == (0o600, 0o700, 0o644)
    finally:
        os.umask(before)


def test_the_folder_rule() -> None:
    assert files.is_own_folder(Path("/"), created=True) is False
    assert files.is_own_folder(Path.home(), created=True) is False


# ---------------------------------------------------------------- the raw archive

@pytest.mark.parametrize("stage", ["archived", "before_commit"])
def test_a_failure_after_the_file_is_in_place_leaves_no_batch_and_no_file(tmp_path: Path, stage: str) -> None:
    db = tmp_path / "s.duckdb"
    store = open_store(db)
    import_file(store, TICKETS, "tickets")
    before, files_before = snapshot(store), raw_files(db)

    def fail(at: str) -> None:
        if at == stage:
            assert (raw_dir(store)).is_dir() and len(raw_files(db)) == len(files_before) + 2  # file and marker
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        import_file(store, TRAINING, "training", on_stage=fail)
    try:
        assert snapshot(store) == before
        assert raw_files(db) == files_before
        assert store.scalar("SELECT count(*) FROM batches WHERE kind = 'training'") == 0
    finally:
        store.close()


def test_every_batch_has_its_raw_file_and_no_marker_is_left(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    store = open_store(db)
    try:
        for path, kind in ((TICKETS, "tickets"), (TRAINING, "training")):
            assert import_file(store, path, kind).status == "committed"
        kept = list_batches(store)
        assert len(kept) == 2 and all(b.raw_path and Path(b.raw_path).is_file() for b in kept)
        assert all(Path(b.raw_path).read_bytes() == p.read_bytes() for b, p in zip(kept, (TRAINING, TICKETS)))
        assert not [n for n in raw_files(db) if n.endswith(".partial")]
        assert archive.missing(store) == []
    finally:
        store.close()


_KILLABLE = textwrap.dedent("""
    import sys, time
    from csq.store import open_store
    from csq.ingest.importer import import_file

    def hook(stage):
        if stage == "archived":
            print("INSIDE", flush=True)
            time.sleep(120)

    store = open_store(sys.argv[1])
    import_file(store, sys.argv[2], "training", on_stage=hook)
""")


def test_a_process_killed_between_archiving_and_commit_leaves_nothing_after_the_next_open(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    open_store(db).close()
    proc = subprocess.Popen([sys.executable, "-c", _KILLABLE, str(db), str(TRAINING)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "INSIDE", proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    left = raw_files(db)
    assert len(left) == 2 and any(n.endswith(".partial") for n in left)  # the file in place and its marker
    store = open_store(db)
    try:
        assert raw_files(db) == [] and store.scalar("SELECT count(*) FROM batches") == 0
        assert import_file(store, TRAINING, "training").status == "committed"
        assert [n for n in raw_files(db) if not n.endswith(".partial")] == raw_files(db) != []
    finally:
        store.close()


def test_stale_partials_are_cleaned_up_on_open(store_path: Path) -> None:
    store = open_store(store_path)
    import_file(store, TRAINING, "training")
    suffix = archive.marker_suffix(store)
    store.close()
    folder = store_path.parent / "raw"
    (folder / f"000099_x.csv{suffix}").write_bytes(b"half")  # killed before the link
    (folder / "000099_x.csv").write_bytes(b"half")
    (folder / "000098_y.csv.partial").write_bytes(b"stray")  # csq before issue 14, no batch behind it
    other = folder / "000001_training_2025Q1.csv.csq-0123abcd.partial"  # another store sharing the folder
    other.write_bytes(b"theirs")
    os.chmod(folder, 0o755)
    open_store(store_path).close()
    assert raw_files(store_path) == ["000001_training_2025Q1.csv", other.name]
    assert mode(folder) == 0o700


def test_a_batch_left_without_its_file_by_older_csq_is_recovered_or_repaired(store_path: Path) -> None:
    store = open_store(store_path)
    first = import_file(store, TRAINING, "training")
    second = import_file(store, TICKETS, "tickets")
    store.close()
    # csq before issue 14 renamed the file after the commit: a kill in between left NAME.partial.
    recoverable = Path(str(list_batches_of(store_path)[first.batch_id]))
    recoverable.rename(recoverable.with_name(recoverable.name + ".partial"))
    lost = Path(str(list_batches_of(store_path)[second.batch_id]))
    lost.unlink()
    store = open_store(store_path)
    try:
        assert recoverable.read_bytes() == TRAINING.read_bytes()
        assert store.scalar("SELECT raw_path FROM batches WHERE batch_id = ?", [second.batch_id]) is None
        entry = store.rows("SELECT user_name, details FROM audit_log WHERE action = 'raw_file_missing'")
        assert [json.loads(d)["path"] for _, d in entry] == [str(lost)]
        assert archive.missing(store) == []
    finally:
        store.close()


def test_two_stores_sharing_a_folder_keep_each_others_archive(new_db: Callable[[str], Path]) -> None:
    paths = []
    for name in ("a.duckdb", "b.duckdb"):  # both stores archive the same file as their batch 1
        s = open_store(new_db(name))
        assert import_file(s, TRAINING, "training").batch_id == 1
        paths.append(Path(str(list_batches(s)[0].raw_path)))
        s.close()
    assert paths[0] != paths[1] and all(p.read_bytes() == TRAINING.read_bytes() for p in paths)
    for name in ("a.duckdb", "b.duckdb"):  # each open settles only its own archive
        s = open_store(paths[0].parent.parent / name)
        assert archive.missing(s) == []
        s.close()


def list_batches_of(db: Path) -> dict[int, str | None]:
    """Return each batch's raw_path, read from a short read-only open."""
    s = open_store(db, read_only=True)
    try:
        return {b.batch_id: b.raw_path for b in list_batches(s)}
    finally:
        s.close()


@pytest.fixture
def store_path(new_db: Callable[[str], Path]) -> Path:
    """Return a new empty store file, closed."""
    return new_db("s.duckdb")


# ---------------------------------------------------------------- where names come from

def test_sources_of_names() -> None:
    assert user_source(auth.VerifiedName("bob@corp.cn")) == "oidc"
    assert user_source("someone-else") == "given"
    assert user_source(getpass.getuser()) in ("os", "env")
    assert auth.is_verified("oidc") and not any(auth.is_verified(s) for s in ("env", "os", "given", "unknown", None))


def test_the_cli_marks_a_csq_user_name_as_unverified(store_path: Path) -> None:
    env = {"CSQ_USER": "alice"}
    assert run_cli("import", str(TRAINING), "--kind", "training", db=store_path, env=env).returncode == 0
    text = run_cli("batches", db=store_path, env=env).stdout
    assert "alice (unverified)" in text and "(unverified: the name was asserted by $CSQ_USER" in text
    listed = json.loads(run_cli("batches", "--json", db=store_path).stdout)
    assert listed[0]["user_name"] == "alice"
    assert (listed[0]["user_source"], listed[0]["user_verified"]) == ("env", False)
    assert {"batch_id", "kind", "source", "created_at", "status", "rows_loaded", "raw_path"} <= set(listed[0])
    store = open_store(store_path, read_only=True)
    try:
        assert store.rows("SELECT user_name, user_source FROM audit_log WHERE action = 'import'") == [
            ("alice", "env")]
    finally:
        store.close()


def test_without_csq_user_the_os_user_is_recorded_as_such(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSQ_USER", raising=False)
    store = open_store(store_path)
    try:
        import_file(store, TRAINING, "training")
        assert [(b.user_name, b.user_source, b.user_verified) for b in list_batches(store)] == [
            (getpass.getuser(), "os", False)]
    finally:
        store.close()


def _old_store(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Build a store at schema version 3 (before user sources) holding one batch and one audit entry."""
    older = [m for m in migrations.migration_files() if m[0] < 4]
    with monkeypatch.context() as m:
        m.setattr(migrations, "migration_files", lambda: older)
        # Today's defaults name columns of later migrations; an old store was seeded by the code of its day.
        m.setattr(store_package, "seed_defaults", lambda _store: None)
        s = open_store(db)
        with s.transaction() as cur:
            cur.execute("INSERT INTO batches (batch_id, kind, source, created_at, user_name) "
                        "VALUES (7, 'training', 'old.csv', now(), 'carol')")
            cur.execute("INSERT INTO audit_log (logged_at, user_name, action, target, details) "
                        "VALUES (now(), 'carol', 'import', 'batch 7', '{}')")
        s.close()


def test_an_older_store_migrates_and_its_names_count_as_unverified(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "old.duckdb"
    _old_store(db, monkeypatch)
    store = open_store(db)
    try:
        assert store.scalar("SELECT max(version) FROM schema_version") == migrations.latest_version()
        [b] = list_batches(store)
        assert (b.user_name, b.user_source, b.user_verified) == ("carol", "unknown", False)
        log = audit.entries(store, sources=True)
        assert log.column("user_source").to_pylist() == ["unknown"]
        assert audit.readable(log, "en", "Asia/Shanghai").column("User").to_pylist() == ["carol (unverified)"]
    finally:
        store.close()


def test_the_audit_page_marks_asserted_names_in_local_mode(store_path: Path, csq_user: str) -> None:
    store = open_store(store_path)
    import_file(store, TRAINING, "training")
    store.close()
    at = run_app(store_path, "app_pages/audit.py")
    assert_no_exception(at)
    users = {r["用户"] for r in at.dataframe[0].value.to_dict("records")}
    assert users == {"alice（未验证）"}
    assert "未经登录验证" in page_text(at)
    at = run_app(store_path, "app_pages/audit.py", {"lang": "en"})
    assert {r["User"] for r in at.dataframe[0].value.to_dict("records")} == {"alice (unverified)"}


SECRETS = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "csq",
             "client_secret": "secret", "server_metadata_url": "https://idp.example.cn/.well-known/openid-configuration"},
    "csq_auth": {"role_claim": "groups", "roles": {"admin": ["csq-admins"]}},
}


def test_with_oidc_the_signed_in_name_is_verified(store_path: Path, csq_user: str) -> None:
    store = open_store(store_path)
    import_file(store, TRAINING, "training")  # from the command line, as alice: asserted
    store.close()
    at = run_app(store_path, "app_pages/audit.py", {"lang": "en"}, secrets=SECRETS,
                 user={"is_logged_in": True, "email": "boss@corp.cn", "groups": ["csq-admins"]})
    assert_no_exception(at)
    by_action = {r["Action"]: r["User"] for r in at.dataframe[0].value.to_dict("records")}
    assert by_action == {"Sign-in": "boss@corp.cn", "Import": "alice (unverified)"}
    store = open_store(store_path)  # the app keeps the store open read-write in this process: same settings
    try:
        assert store.rows("SELECT user_source FROM audit_log WHERE action = 'sign_in'") == [("oidc",)]
    finally:
        store.close()
