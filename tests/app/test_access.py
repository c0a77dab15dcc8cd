"""Sign-in, roles, audit log and retention (SPEC §8): claims to roles, refusals, purges that say what they did."""
from __future__ import annotations

import stat
from datetime import date, datetime
from pathlib import Path

import pytest

from csq.core import auth
from csq.dashboard.navigation import menu
from csq.errors import NotAllowed
from csq.ingest.importer import import_file
from csq.store import Store, audit, open_store, retention
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import ROOT, SAMPLES, snapshot

SECRETS = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "csq",
             "client_secret": "secret", "server_metadata_url": "https://idp.example.cn/.well-known/openid-configuration"},
    "csq_auth": {"role_claim": "groups", "default_role": "viewer",
                 "roles": {"admin": ["csq-admins"], "manager": ["managers"], "analyst": ["analysts"]}},
}
CONFIG = auth.parse_config(SECRETS["csq_auth"])


# ---------------------------------------------------------------- claims → role

@pytest.mark.parametrize(("groups", "role"), [
    (["csq-admins"], "admin"), (["analysts"], "analyst"), (["managers", "analysts"], "manager"),
    (["staff"], "viewer"), ([], "viewer"), ("analysts, staff", "analyst"), (None, "viewer"),
])
def test_the_most_powerful_matching_group_gives_the_role(groups: object, role: str) -> None:
    claims = {"email": "a@b.cn"} if groups is None else {"email": "a@b.cn", "groups": groups}
    assert auth.role_from_claims(claims, CONFIG) == role


def test_the_role_claim_is_configurable() -> None:
    config = auth.parse_config({"role_claim": "roles", "roles": {"admin": "root"}})
    assert auth.role_from_claims({"roles": ["root"], "groups": []}, config) == "admin"
    assert auth.role_from_claims({"groups": ["root"]}, config) == "viewer"


def test_a_config_naming_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown role 'owner'"):
        auth.parse_config({"roles": {"owner": ["x"]}})


def test_token_expiry() -> None:
    assert auth.token_expired({"exp": 1_000}, now=1_001)
    assert not auth.token_expired({"exp": 2_000}, now=1_001)
    assert not auth.token_expired({}, now=1_001)
    assert auth.token_expired({"exp": "soon"}, now=1_001)


# ---------------------------------------------------------------- menu and refusals in the app

@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a store with the March tickets (customer phones included), closed for the app."""
    path = tmp_path_factory.mktemp("access") / "a.duckdb"
    s = open_store(path)
    import_file(s, SAMPLES / "tickets_2025-03_gbk.csv", "tickets")
    s.close()
    return path


@pytest.mark.parametrize(("role", "pages"), [
    ("viewer", {"overview", "monitoring"}),
    ("analyst", {"overview", "monitoring", "import"}),
    ("manager", {"overview", "monitoring", "settings"}),
    ("admin", {"overview", "monitoring", "import", "settings", "audit"}),
])
def test_the_menu_shows_only_what_the_role_may_use(role: str, pages: set[str]) -> None:
    shown = {p.title for p in menu(role, ROOT)}
    built = {p.title for p in menu("admin", ROOT)}
    restricted = {"import", "settings", "audit"}
    assert shown & restricted == pages & restricted & built
    assert {"overview", "monitoring"} <= shown


@pytest.mark.parametrize(("groups", "refused"), [(["staff"], True), (["csq-admins"], False)])
def test_a_direct_url_to_the_audit_page_is_refused_unless_admin(db: Path, groups: list[str], refused: bool) -> None:
    at = run_app(db, "app_pages/audit.py", {"lang": "en"}, secrets=SECRETS,
                 user={"is_logged_in": True, "email": "who@corp.cn", "groups": groups})
    assert_no_exception(at)
    text = page_text(at)
    assert ("may not use this page" in text) is refused
    assert ("Retention" in text) is not refused


def test_signed_out_users_see_only_the_sign_in(db: Path) -> None:
    at = run_app(db, None, {"lang": "en"}, secrets=SECRETS, user={"is_logged_in": False})
    assert_no_exception(at)
    assert "Sign in with your company account" in page_text(at)
    assert [b.key for b in at.button] == ["sign_in"] and not at.metric


def test_sign_in_is_audited_once_with_the_role(db: Path) -> None:
    at = run_app(db, None, {"lang": "en"}, secrets=SECRETS,
                 user={"is_logged_in": True, "email": "mgr@corp.cn", "groups": ["managers"]})
    assert_no_exception(at)
    assert "Signed in as mgr@corp.cn (role «manager»)" in page_text(at)
    s = open_store(db)
    try:
        rows = s.rows("SELECT user_name, details FROM audit_log WHERE action = 'sign_in' AND user_name = ?",
                      ["mgr@corp.cn"])
    finally:
        s.close()
    assert rows == [("mgr@corp.cn", '{"role": "manager"}')]


def test_without_auth_the_app_runs_in_local_mode_and_says_so(db: Path) -> None:
    at = run_app(db, None, {"lang": "en"}, role="analyst")
    assert_no_exception(at)
    assert "Local mode: no login is configured" in page_text(at)


# ---------------------------------------------------------------- retention and the audit log

def _dated_tickets(put, n_old: int, n_new: int) -> None:
    rows = [{"ticket_id": f"old{i}", "created_at": datetime(2023, 5, 1, 9)} for i in range(n_old)]
    rows += [{"ticket_id": f"new{i}", "created_at": datetime(2025, 5, 1, 9)} for i in range(n_new)]
    put("tickets", rows)


def test_purge_removes_exactly_the_old_records_and_says_so(store: Store, put) -> None:
    _dated_tickets(put, 3, 2)
    put("tickets", [{"ticket_id": "old0", "created_at": datetime(2023, 5, 2, 9)}])  # a second version of old0
    assert retention.purge_preview(store, date(2024, 1, 1))["tickets"] == 4
    removed = retention.purge_before(store, date(2024, 1, 1), "admin", "ops@corp.cn")
    assert removed["tickets"] == 4
    assert store.scalar("SELECT count(*) FROM tickets") == 2
    entry = audit.entries(store, action="purge_records").to_pylist()[0]
    assert entry["user_name"] == "ops@corp.cn" and '"tickets": 4' in entry["details"]


@pytest.mark.parametrize("role", ["viewer", "analyst", "manager"])
def test_only_an_admin_may_purge_and_a_refusal_changes_nothing(store: Store, put, role: str) -> None:
    _dated_tickets(put, 2, 1)
    before = snapshot(store)
    with pytest.raises(NotAllowed):
        retention.purge_before(store, date(2024, 1, 1), role)
    assert snapshot(store) == before


def test_raw_files_are_private_and_purging_one_is_audited(tmp_path: Path) -> None:
    s = open_store(tmp_path / "data" / "csq.duckdb")
    try:
        res = import_file(s, SAMPLES / "training_2025Q1.csv", "training")
        raw = Path(str(s.scalar("SELECT raw_path FROM batches WHERE batch_id = ?", [res.batch_id])))
        assert stat.S_IMODE(raw.stat().st_mode) == 0o600
        assert stat.S_IMODE(raw.parent.stat().st_mode) == 0o700
        done = retention.purge_raw_file(s, res.batch_id, "admin", "ops")
        assert done["bytes"] == (SAMPLES / "training_2025Q1.csv").stat().st_size and not raw.exists()
        assert s.scalar("SELECT raw_path FROM batches WHERE batch_id = ?", [res.batch_id]) is None
        assert s.scalar("SELECT count(*) FROM training_current") == 60  # the records stay
        assert audit.entries(s, action="purge_raw_file").num_rows == 1
    finally:
        s.close()
