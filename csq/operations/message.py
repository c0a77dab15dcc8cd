"""One message of `notify`: a subject, the text listing each new alert, and the quarterly report as files."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from csq.core.i18n import fmt_month, t
from csq.operations.alerts import OFF_TARGET, REPORT, SIGNAL, Alert


@dataclass(frozen=True)
class File:
    """An attachment: its name, MIME type and bytes."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Message:
    """What one channel is sent: the alerts new to it, in words, and the report's files when one is due."""

    subject: str
    text: str
    alerts: tuple[Alert, ...]
    lang: str
    as_of: datetime | None = None
    files: tuple[File, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, object]:
        """Return the webhook's JSON object: subject, text, each alert, and the report's HTML as text.

        The Excel workbook is left out: it is binary, and the e-mail carries it.
        """
        report = next((a for a in self.alerts if a.kind == REPORT), None)
        html = next((f for f in self.files if f.content_type == "text/html"), None)
        return {"source": "csq", "subject": self.subject, "text": self.text, "lang": self.lang,
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "alerts": [a.as_dict() for a in self.alerts if a.kind != REPORT],
                "report": None if report is None else {
                    "quarter": report.month, "filename": html.name if html else None,
                    "html": html.data.decode("utf-8") if html else None}}


def compose(alerts: Sequence[Alert], lang: str, as_of: datetime | None, files: Sequence[File] = (),
            hook: bool = False) -> Message:
    """Return the message telling `alerts` (off target, then signals, then the report) in `lang`.

    `hook` words the report line for a webhook, which carries the report in a field rather than attached.
    """
    lines: list[str] = []
    for kind, title in ((OFF_TARGET, "ntf_off_target"), (SIGNAL, "ntf_signal")):
        found = [a for a in alerts if a.kind == kind]
        for month in dict.fromkeys(a.month for a in found):
            of_month = [a for a in found if a.month == month]
            lines += [t(title, lang, m=fmt_month(month, lang), k=len(of_month))] + [f"  {a.text}" for a in of_month]
            lines.append("")
    reports = [a for a in alerts if a.kind == REPORT]
    for a in reports:
        lines += [t("ntf_report_hook", lang, q=a.month) if hook else a.text, ""]
    if as_of:
        lines.append(t("as_of", lang, t=as_of.strftime("%Y-%m-%d %H:%M")))
    lines.append(t("ntf_footer", lang))
    parts = [t("ntf_subject_report", lang, q=a.month) for a in reports]
    new = sum(a.kind != REPORT for a in alerts)
    if new:
        parts.append(t("ntf_subject_alerts", lang, k=new))
    sep = "，" if lang == "zh" else ", "
    return Message(t("ntf_subject", lang, parts=sep.join(parts)), "\n".join(lines), tuple(alerts), lang, as_of,
                   tuple(files))
