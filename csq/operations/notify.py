"""`notify` (SPEC §9): send the quarterly report and the alerts new to each channel, and remember what went out.

What is due: the report of the latest complete quarter (or of --quarter), and the latest complete month's
off-target indicators and control-chart signals (csq.operations.alerts). Per channel, whatever the ledger
already holds is left out, so a cron job may run daily: it sends each alert and each quarter's report once.
An explicit --quarter sends that report again. A channel's send and its ledger rows go together: the rows
are written, in one transaction, only after the server accepted the message; a failed send records nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from csq.core.months import Period
from csq.errors import NotSent
from csq.metrics.asof import as_of
from csq.operations import ledger
from csq.operations.alerts import REPORT, Alert, Latest, latest, off_target_alerts, report_alert, signal_alerts
from csq.operations.config import NotifyConfig
from csq.operations.mail import send_mail
from csq.operations.message import File, Message, compose
from csq.operations.webhook import post
from csq.overview import report
from csq.store import Store


@dataclass(frozen=True)
class Plan:
    """What is due: the periods judged, and per channel the alerts it has not been sent yet."""

    latest: Latest
    quarter: str | None
    pending: dict[str, tuple[Alert, ...]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Return whether no channel has anything new."""
        return not any(self.pending.values())


@dataclass(frozen=True)
class Outcome:
    """What one channel got: the message (None when nothing was new) and the reason when the send failed."""

    channel: str
    message: Message | None
    error: str | None = None

    @property
    def sent(self) -> bool:
        """Return whether a message went out on this channel."""
        return self.message is not None and self.error is None

    def as_dict(self, dry_run: bool) -> dict[str, object]:
        """Return the channel's outcome as the `notify --json` object."""
        m = self.message
        return {"channel": self.channel, "status": "nothing_new" if m is None else "error" if self.error else
                "would_send" if dry_run else "sent",
                "subject": m.subject if m else None, "alerts": [a.as_dict() for a in m.alerts] if m else [],
                "files": [f.name for f in m.files] if m else [], "error": self.error}


def check_secrets(cfg: NotifyConfig) -> None:
    """Raise InputRefused when a channel's password or header variable is unset, before anything is sent."""
    if cfg.smtp:
        cfg.smtp.password()
    if cfg.webhook:
        cfg.webhook.headers()


def plan(store: Store, cfg: NotifyConfig, quarter: str | None = None) -> Plan:
    """Return what each channel is due: the report and alerts not yet in its ledger (--quarter: that report always)."""
    if quarter:
        quarter = str(Period.quarter(quarter).first.quarter)  # refuses a bad quarter; '2025q1' → '2025Q1'
    lat = latest(store)
    chosen = quarter or lat.quarter
    due: list[Alert] = [report_alert(chosen, cfg.lang)] if chosen else []
    if lat.month:
        due += off_target_alerts(store, lat.month, cfg.lang) + signal_alerts(store, lat.month, lat.running, cfg.lang)
    pending = {}
    for channel in cfg.channels:
        sent = ledger.sent_keys(store, channel)
        pending[channel] = tuple(a for a in due if a.key not in sent or (quarter and a.kind == REPORT))
    return Plan(lat, chosen, pending)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_files(store: Store, quarter: str, lang: str) -> tuple[File, ...]:
    """Return the quarterly report as the files a message carries: HTML and Excel (csq.overview.report)."""
    return (File(f"csq-report-{quarter}.html", "text/html", report.html_bytes(store, quarter, lang)),
            File(f"csq-report-{quarter}.xlsx", XLSX, report.xlsx_bytes(store, quarter, lang)))


def messages(store: Store, cfg: NotifyConfig, due: Plan) -> dict[str, Message | None]:
    """Return each channel's message (None when it has nothing new); the report is built once for all."""
    files: tuple[File, ...] = ()
    if due.quarter and any(a.kind == REPORT for alerts in due.pending.values() for a in alerts):
        files = report_files(store, due.quarter, cfg.lang)
    moment = as_of(store)
    out: dict[str, Message | None] = {}
    for channel, alerts in due.pending.items():
        with_report = files if any(a.kind == REPORT for a in alerts) else ()
        out[channel] = compose(alerts, cfg.lang, moment, with_report, hook=channel == "webhook") if alerts else None
    return out


def deliver(store: Store, cfg: NotifyConfig, composed: dict[str, Message | None]) -> list[Outcome]:
    """Send each channel's message and record its alerts after it was accepted; return one Outcome per channel.

    A channel that fails records nothing and does not stop the others; the caller reports the failures.
    """
    out = []
    for channel, msg in composed.items():
        if msg is None:
            out.append(Outcome(channel, None))
            continue
        try:
            if channel == "email" and cfg.smtp:
                send_mail(cfg.smtp, msg)
            elif channel == "webhook" and cfg.webhook:
                post(cfg.webhook, msg)
        except NotSent as exc:
            out.append(Outcome(channel, msg, f"{exc.message} {exc.fix}".strip()))
            continue
        ledger.record(store, channel, msg.alerts)
        out.append(Outcome(channel, msg))
    return out
