"""`python -m csq notify`: e-mail over STARTTLS with login (a real aiosmtpd server) and a webhook (http.server), both on
127.0.0.1 only; each alert and report once per channel, a failed send records nothing, --dry-run records nothing.

The center: 10 phone tickets a month from January to June 2025, each answered after 1 minute and resolved after
1 hour (on target for every response and resolution rate), with k − 1 complaints in month k: 0, 1, …, 5. So
June, the latest complete month (its last ticket is on the 30th), has complaint_rate 5/10 = 50 % against the
default target ≤ 5 % (red), and the six monthly rates 0 %, 10 %, …, 50 % rise steadily: the trend_of_6 rule of
SPEC §4b. June also completes 2025Q2, whose report is due.
"""
from __future__ import annotations

import csv
import datetime as dt
import email
import email.header
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from csq.store import open_store
from tests.support import run_cli, snapshot

PASSWORD, TOKEN = "s3cret-pw", "Bearer t0ken"
COMPLAINT_OFF = ("complaint_rate", "2025-06", "off_target")
COMPLAINT_TREND = ("complaint_rate", "2025-06", "signal")
REPORT_Q2 = ("", "2025Q2", "report")


def _tickets(path: Path, late_june: bool = False) -> Path:
    """Write the center's tickets (late_june: June's ten resolved ten days later instead of after an hour)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["工单编号", "受理时间", "首次响应时间", "办结时间", "渠道", "业务类型"])
        for month in range(1, 7):
            if late_june and month != 6:
                continue
            for i in range(10):
                created = dt.datetime(2025, month, 30 if (month, i) == (6, 9) else i + 1, 10)
                done = created + (dt.timedelta(days=10) if late_june else dt.timedelta(hours=1))
                w.writerow([f"T{month}{i}", f"{created:%Y/%m/%d %H:%M:%S}",
                            f"{created + dt.timedelta(minutes=1):%Y/%m/%d %H:%M:%S}", f"{done:%Y/%m/%d %H:%M:%S}",
                            "电话", "投诉" if i < month - 1 else "咨询"])
    return path


@pytest.fixture()
def db(tmp_path: Path, new_db) -> Path:
    path = new_db("notify.duckdb")
    out = run_cli("import", str(_tickets(tmp_path / "tickets.csv")), "--kind", "tickets", db=path)
    assert out.returncode == 0, out.stderr
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    """Return (cert, key) of a self-signed certificate for 127.0.0.1, made with `cryptography` (authlib's dep)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "csq test smtp")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp.pem", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Inbox:
    """The SMTP server's side: every message accepted and every login tried."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []
        self.logins: list[tuple[bytes, bool]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"csq" and \
            auth_data.password == PASSWORD.encode()
        self.logins.append((auth_data.login if isinstance(auth_data, LoginPassword) else b"", ok))
        return AuthResult(success=ok)


@pytest.fixture()
def smtp(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    """Yield a STARTTLS-only SMTP server on 127.0.0.1 that takes logins over TLS only, its port and its cert."""
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox, port = Inbox(), _free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                        authenticator=inbox.authenticate, auth_required=True, auth_require_tls=True)
    server.start()
    try:
        yield inbox, port, cert
    finally:
        server.stop()


class Hook:
    """The webhook's side: every post (headers and JSON body); answers `status`."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], dict]] = []
        self.status = 200


@pytest.fixture()
def hook() -> Iterator[tuple[Hook, str]]:
    """Yield a webhook server on 127.0.0.1 and its URL."""
    seen = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's hook name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.posts.append((dict(self.headers), json.loads(body)))
            self.send_response(seen.status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen, f"http://127.0.0.1:{server.server_address[1]}/csq"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy: the local servers are reached directly, and nothing leaves the machine."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CSQ_TEST_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("CSQ_TEST_HOOK_TOKEN", TOKEN)


def _config(folder: Path, smtp_port: int | None = None, cert: Path | None = None, url: str | None = None,
            lang: str = "zh") -> Path:
    """Write a configuration with [csq_notify] for the given channels and return its path."""
    lines = ["[csq_notify]", f'lang = "{lang}"']
    if smtp_port is not None:
        lines += ["[csq_notify.smtp]", 'host = "127.0.0.1"', f"port = {smtp_port}", 'security = "starttls"',
                  'user = "csq"', 'password_env = "CSQ_TEST_SMTP_PASSWORD"', 'from = "csq@example.cn"',
                  'to = ["quality@example.cn", "manager@example.cn"]', f'ca_file = "{cert}"', "timeout_s = 20"]
    if url is not None:
        lines += ["[csq_notify.webhook]", f'url = "{url}"', 'header = "Authorization"',
                  'header_env = "CSQ_TEST_HOOK_TOKEN"', "timeout_s = 20"]
    path = folder / "csq.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ledger(db: Path) -> set[tuple[str, str, str, str]]:
    store = open_store(db, read_only=True)
    try:
        return set(store.rows("SELECT indicator, month, kind, channel FROM notifications"))
    finally:
        store.close()


def _keys(post: dict) -> set[tuple[str, str, str]]:
    return {(a["indicator"], a["month"], a["kind"]) for a in post["alerts"]}


def test_email_and_webhook_get_the_report_and_alerts_once(db: Path, tmp_path: Path, smtp, hook) -> None:
    inbox, port, cert = smtp
    seen, url = hook
    config = _config(tmp_path, port, cert, url)
    out = run_cli("notify", "--config", str(config), db=db)
    assert out.returncode == 0, out.stderr + out.stdout
    # E-mail: STARTTLS (the server refuses anything before it), then the login, then one message to both.
    assert inbox.logins == [(b"csq", True)]
    [(sender, to, mail)] = inbox.messages
    assert sender == "csq@example.cn" and to == ["quality@example.cn", "manager@example.cn"]
    subject = str(email.header.make_header(email.header.decode_header(mail["Subject"])))
    assert subject == "服务质量看板：2025Q2 季度报告，2 项新提醒"
    body = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "2025年6月 未达目标（1 项）" in body and "■ 投诉率 50.0% · 目标 ≤ 5.0% · 未达标 · n = 10" in body
    assert "2025年6月 控制图新信号（1 项）" in body
    files = {p.get_filename(): p.get_payload(decode=True) for p in mail.walk() if p.get_filename()}
    assert set(files) == {"csq-report-2025Q2.html", "csq-report-2025Q2.xlsx"}
    assert files["csq-report-2025Q2.html"].decode().lower().startswith("<!doctype html>")
    assert files["csq-report-2025Q2.xlsx"][:4] == b"PK\x03\x04"      # a workbook is a zip
    # Webhook: one JSON post with the header from the environment, the same alerts and the report's HTML.
    [(headers, post)] = seen.posts
    assert headers["Authorization"] == TOKEN and headers["Content-Type"].startswith("application/json")
    assert _keys(post) == {COMPLAINT_OFF, COMPLAINT_TREND}
    trend = next(a for a in post["alerts"] if a["kind"] == "signal")
    assert "trend_of_6" in trend["rules"] and trend["value"] == pytest.approx(0.5)
    assert post["report"]["quarter"] == "2025Q2" and post["report"]["html"].lower().startswith("<!doctype html>")
    assert _ledger(db) == {(*k, c) for k in (COMPLAINT_OFF, COMPLAINT_TREND, REPORT_Q2) for c in ("email", "webhook")}
    # A second run finds nothing new on either channel, and sends nothing.
    again = run_cli("notify", "--config", str(config), db=db)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == ["email: nothing new to send.", "webhook: nothing new to send."]
    assert len(inbox.messages) == 1 and len(seen.posts) == 1


def test_only_a_new_alert_goes_out_after_new_data(db: Path, tmp_path: Path, hook) -> None:
    seen, url = hook
    config = _config(tmp_path, url=url, lang="en")
    assert run_cli("notify", "--config", str(config), db=db).returncode == 0
    # June's ten tickets again, now resolved 240 h after they came in. New in June: the resolution time's
    # median and P90 are 240 h (targets ≤ 24 h and ≤ 120 h), 0 of 5 complaints were resolved within 72 h and
    # 0 of 10 tickets within their SLA (targets ≥ 95 % and ≥ 90 %), and 0 % after five months at 100 % is below
    # the chart's lower limit. The complaint rate and its trend are as before, and were sent already.
    late = _tickets(tmp_path / "june_late.csv", late_june=True)
    assert run_cli("import", str(late), "--kind", "tickets", db=db).returncode == 0
    out = run_cli("notify", "--config", str(config), "--json", db=db)
    assert out.returncode == 0, out.stderr
    [first, second] = (p for _, p in seen.posts)
    assert _keys(first) == {COMPLAINT_OFF, COMPLAINT_TREND}
    assert second["report"] is None
    assert _keys(second) == {("art_median_h", "2025-06", "off_target"), ("art_p90_h", "2025-06", "off_target"),
                             ("complaint_resolution_rate_72h", "2025-06", "off_target"),
                             ("resolution_sla_rate", "2025-06", "off_target"),
                             ("resolution_sla_rate", "2025-06", "signal")}
    signal = next(a for a in second["alerts"] if a["kind"] == "signal")
    assert (signal["value"], signal["rules"]) == (0.0, ["beyond_limits"])
    assert json.loads(out.stdout)["channels"][0]["status"] == "sent"


def test_a_failed_send_records_nothing_and_the_next_run_sends_it(db: Path, tmp_path: Path, smtp, hook) -> None:
    inbox, port, cert = smtp
    seen, url = hook
    config = _config(tmp_path, port, cert, url)
    seen.status = 500
    out = run_cli("notify", "--config", str(config), db=db)
    assert out.returncode == 1
    assert "webhook" in out.stderr and "answered HTTP 500" in out.stderr
    # The e-mail went through and is recorded; the webhook's post was refused and is not.
    assert {c for *_, c in _ledger(db)} == {"email"}
    seen.status = 200
    out = run_cli("notify", "--config", str(config), db=db)
    assert out.returncode == 0, out.stderr
    assert len(inbox.messages) == 1 and len(seen.posts) == 2
    assert _keys(seen.posts[1][1]) == {COMPLAINT_OFF, COMPLAINT_TREND} and seen.posts[1][1]["report"]["quarter"] == \
        "2025Q2"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")   # implicit TLS: see below
@pytest.mark.parametrize("security", ["ssl", "none"])
def test_implicit_tls_with_login_and_a_plain_local_relay(db: Path, tmp_path: Path, security: str) -> None:
    """security = "ssl": TLS from the first byte (port 465 style), login inside it; "none": a relay, no login."""
    cert, key = _certificate(tmp_path)
    inbox, port = Inbox(), _free_port()
    if security == "ssl":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; this whole connection is TLS, so it is off.
        server = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context,
                            authenticator=inbox.authenticate, auth_required=True, auth_require_tls=False)
    else:
        server = Controller(inbox, hostname="127.0.0.1", port=port)
    config = _config(tmp_path, port, cert)
    text = config.read_text(encoding="utf-8").replace('security = "starttls"', f'security = "{security}"')
    if security == "none":
        text = text.replace('user = "csq"\n', "").replace('password_env = "CSQ_TEST_SMTP_PASSWORD"\n', "")
    config.write_text(text, encoding="utf-8")
    server.start()
    try:
        out = run_cli("notify", "--config", str(config), db=db)
    finally:
        server.stop()
    assert out.returncode == 0, out.stderr + out.stdout
    assert len(inbox.messages) == 1
    assert inbox.logins == ([(b"csq", True)] if security == "ssl" else [])
    assert {(i, m, k) for i, m, k, _ in _ledger(db)} == {COMPLAINT_OFF, COMPLAINT_TREND, REPORT_Q2}


def test_a_wrong_password_is_a_failed_send(db: Path, tmp_path: Path, smtp, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port, cert = smtp
    monkeypatch.setenv("CSQ_TEST_SMTP_PASSWORD", "wrong")
    out = run_cli("notify", "--config", str(_config(tmp_path, port, cert)), db=db)
    assert out.returncode == 1 and "was not sent" in out.stderr
    assert (b"csq", False) in inbox.logins and inbox.messages == [] and _ledger(db) == set()


def test_dry_run_prints_what_would_go_and_changes_nothing(db: Path, tmp_path: Path) -> None:
    config = _config(tmp_path, url="http://127.0.0.1:9/never-posted", lang="en")   # nothing listens there
    store = open_store(db)
    before = snapshot(store)
    store.close()
    raw = db.read_bytes()
    out = run_cli("notify", "--config", str(config), "--dry-run", db=db)
    assert out.returncode == 0, out.stderr
    assert "webhook: would send: Service quality: report 2025Q2, 2 new alert(s)" in out.stdout
    assert "■ Complaint rate 50.0% · Target ≤ 5.0% · off target · n = 10" in out.stdout
    assert db.read_bytes() == raw
    store = open_store(db)
    assert snapshot(store) == before
    store.close()


def test_an_explicit_quarter_sends_that_report_even_when_sent(db: Path, tmp_path: Path, hook) -> None:
    seen, url = hook
    config = _config(tmp_path, url=url)
    for _ in range(2):
        assert run_cli("notify", "--config", str(config), "--quarter", "2025q1", db=db).returncode == 0
    first, second = (p for _, p in seen.posts)
    assert first["report"]["quarter"] == "2025Q1" and _keys(first) == {COMPLAINT_OFF, COMPLAINT_TREND}
    assert second["report"]["quarter"] == "2025Q1" and second["alerts"] == []
    assert ("", "2025Q1", "report", "webhook") in _ledger(db) and ("", "2025Q2", "report", "webhook") not in _ledger(db)


BAD_CONFIGS = {
    "missing file": (None, "does not exist"),
    "not toml": ("[csq_notify\n", "is not valid TOML"),
    "no section": ("[auth]\nclient_id = 'x'\n", "has no [csq_notify] section"),
    "no channel": ("[csq_notify]\nlang = 'zh'\n", "names no channel"),
    "unknown key": ("[csq_notify.smtp]\nhost = 'h'\nfrom = 'a@b'\nto = ['c@d']\npasword_env = 'X'\n",
                    "unknown key(s) pasword_env"),
    "bad security": ("[csq_notify.smtp]\nhost = 'h'\nfrom = 'a@b'\nto = ['c@d']\nsecurity = 'tls'\n",
                     "security 'tls' is not one of"),
    "no address": ("[csq_notify.smtp]\nhost = 'h'\nfrom = 'a@b'\nto = []\n", "to must list at least one"),
    "password unset": ("[csq_notify.smtp]\nhost = 'h'\nfrom = 'a@b'\nto = ['c@d']\nuser = 'u'\n"
                       "password_env = 'CSQ_TEST_UNSET'\n", "the environment variable CSQ_TEST_UNSET holds none"),
    "not a url": ("[csq_notify.webhook]\nurl = 'ftp://x'\n", "is not an http(s) address"),
}


@pytest.mark.parametrize("name", list(BAD_CONFIGS))
def test_a_bad_configuration_exits_2_and_sends_nothing(db: Path, tmp_path: Path, name: str) -> None:
    text, message = BAD_CONFIGS[name]
    path = tmp_path / "csq.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    out = run_cli("notify", "--config", str(path), db=db)
    assert out.returncode == 2, out.stderr + out.stdout
    assert message in out.stderr and "What to do" in out.stderr
    assert _ledger(db) == set()
