"""Where `notify` sends: the `[csq_notify]` section of the configuration file, beside `[auth]` and `[csq_auth]`.

The file is `--config PATH`, else `$CSQ_CONFIG`, else `.streamlit/secrets.toml` in the current folder (the file
that already holds the sign-in settings). Passwords and tokens are never in it: the file names the
environment variable that holds each one, so the file can be shared and the secret kept in the service's
environment (systemd `EnvironmentFile=`, a cron line's variables).

```toml
[csq_notify]
lang = "zh"                         # the language of the message and the report

[csq_notify.smtp]
host = "smtp.example.cn"
port = 587                          # default: 587 with starttls, 465 with ssl, 25 with none
security = "starttls"               # starttls | ssl | none
user = "csq@example.cn"             # leave out for a relay without login
password_env = "CSQ_SMTP_PASSWORD"  # the environment variable holding the password
from = "csq@example.cn"
to = ["quality@example.cn", "manager@example.cn"]
ca_file = "/etc/ssl/certs/corp-ca.pem"   # optional: a private CA to trust
timeout_s = 30

[csq_notify.webhook]
url = "https://hooks.example.cn/csq"
header = "Authorization"            # optional: a header sent with the post …
header_env = "CSQ_WEBHOOK_TOKEN"    # … whose value is in this environment variable
timeout_s = 30
```
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from csq.core.i18n import LANGS
from csq.errors import InputRefused

SECTION = "csq_notify"
DEFAULT_CONFIG = Path(".streamlit") / "secrets.toml"
_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_SMTP_KEYS = {"host", "port", "security", "user", "password_env", "from", "to", "ca_file", "timeout_s"}
_HOOK_KEYS = {"url", "header", "header_env", "timeout_s"}


@dataclass(frozen=True)
class SmtpConfig:
    """An SMTP server and the message's addresses; the password is read from `password_env` when sending."""

    host: str
    port: int
    security: str
    sender: str
    to: tuple[str, ...]
    user: str | None = None
    password_env: str | None = None
    ca_file: str | None = None
    timeout_s: float = 30.0

    def password(self) -> str | None:
        """Return the login password from its environment variable (None without a login); refuse it missing."""
        if not self.user:
            return None
        value = os.environ.get(self.password_env or "")
        if not value:
            raise InputRefused(f"The SMTP login {self.user} needs a password, and the environment variable "
                               f"{self.password_env or '(password_env is not set)'} holds none.",
                               "Set password_env in [csq_notify.smtp] to a variable name and export that "
                               "variable in the environment notify runs in.")
        return value


@dataclass(frozen=True)
class WebhookConfig:
    """A URL to post the JSON message to, with an optional header whose value comes from the environment."""

    url: str
    header: str | None = None
    header_env: str | None = None
    timeout_s: float = 30.0

    def headers(self) -> dict[str, str]:
        """Return the extra header as {name: value} (empty without one); refuse it when its variable is unset."""
        if not self.header:
            return {}
        value = os.environ.get(self.header_env or "")
        if not value:
            raise InputRefused(f"The webhook header {self.header} takes its value from the environment variable "
                               f"{self.header_env or '(header_env is not set)'}, which holds none.",
                               "Set header_env in [csq_notify.webhook] and export that variable.")
        return {self.header: value}


@dataclass(frozen=True)
class NotifyConfig:
    """The channels `notify` sends on (at least one) and the language of what it sends."""

    lang: str = "zh"
    smtp: SmtpConfig | None = None
    webhook: WebhookConfig | None = None
    path: Path | None = None

    @property
    def channels(self) -> tuple[str, ...]:
        """Return the configured channels, 'email' before 'webhook'."""
        return tuple(c for c, on in (("email", self.smtp), ("webhook", self.webhook)) if on)


def _refuse(path: Path, message: str, fix: str) -> InputRefused:
    """Return the refusal of the configuration file, naming it."""
    return InputRefused(f"The configuration {path}: {message}", fix)


def _string(path: Path, where: str, raw: dict[str, object], key: str, required: bool = False) -> str | None:
    """Return a non-empty string setting, None when absent and optional; refuse anything else."""
    value = raw.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _refuse(path, f"[{where}] {key} must be a non-empty string.", f'Write {key} = "…" under [{where}].')
    return value.strip()


def _number(path: Path, where: str, raw: dict[str, object], key: str, default: float) -> float:
    """Return a positive number setting (default when absent)."""
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise _refuse(path, f"[{where}] {key} must be a positive number.", f"Write e.g. {key} = {default:g}.")
    return float(value)


def _unknown(path: Path, where: str, raw: dict[str, object], allowed: set[str]) -> None:
    """Refuse keys the section does not know (a typo would otherwise be ignored silently)."""
    extra = sorted(set(raw) - allowed)
    if extra:
        raise _refuse(path, f"[{where}] has unknown key(s) {', '.join(extra)}.",
                      f"[{where}] may hold: {', '.join(sorted(allowed))}.")


def _smtp(path: Path, raw: object) -> SmtpConfig:
    """Return the [csq_notify.smtp] settings, or refuse them saying what is wrong."""
    where = f"{SECTION}.smtp"
    if not isinstance(raw, dict):
        raise _refuse(path, f"[{where}] must be a table.", f"Write the settings under [{where}].")
    _unknown(path, where, raw, _SMTP_KEYS)
    security = _string(path, where, raw, "security") or "starttls"
    if security not in _PORTS:
        raise _refuse(path, f"[{where}] security {security!r} is not one of starttls, ssl, none.",
                      'Write security = "starttls" (port 587), "ssl" (465) or "none" (25, a local relay).')
    port = _number(path, where, raw, "port", _PORTS[security])
    to = raw.get("to")
    to = [to] if isinstance(to, str) else to
    if not isinstance(to, list) or not to or not all(isinstance(x, str) and "@" in x for x in to):
        raise _refuse(path, f"[{where}] to must list at least one e-mail address.",
                      'Write to = ["quality@example.cn"].')
    user = _string(path, where, raw, "user")
    password_env = _string(path, where, raw, "password_env", required=bool(user))
    return SmtpConfig(_string(path, where, raw, "host", required=True) or "", int(port), security,
                      _string(path, where, raw, "from", required=True) or "", tuple(to), user, password_env,
                      _string(path, where, raw, "ca_file"), _number(path, where, raw, "timeout_s", 30.0))


def _webhook(path: Path, raw: object) -> WebhookConfig:
    """Return the [csq_notify.webhook] settings, or refuse them saying what is wrong."""
    where = f"{SECTION}.webhook"
    if not isinstance(raw, dict):
        raise _refuse(path, f"[{where}] must be a table.", f"Write the settings under [{where}].")
    _unknown(path, where, raw, _HOOK_KEYS)
    url = _string(path, where, raw, "url", required=True) or ""
    if not url.startswith(("http://", "https://")):
        raise _refuse(path, f"[{where}] url {url!r} is not an http(s) address.", 'Write url = "https://…".')
    header = _string(path, where, raw, "header")
    return WebhookConfig(url, header, _string(path, where, raw, "header_env", required=bool(header)),
                         _number(path, where, raw, "timeout_s", 30.0))


def config_path(given: str | None) -> Path:
    """Return the configuration file: the given path, else $CSQ_CONFIG, else .streamlit/secrets.toml."""
    return Path(given or os.environ.get("CSQ_CONFIG") or DEFAULT_CONFIG)


def load_config(path: Path) -> NotifyConfig:
    """Return the [csq_notify] settings of the TOML file, or raise InputRefused (exit 2) saying what to fix."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _refuse(path, "does not exist.", "Write a [csq_notify] section there (see the README), or name the "
                                               "file with --config or $CSQ_CONFIG.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _refuse(path, f"is not valid TOML ({exc}).", "Fix the TOML syntax.") from None
    section = data.get(SECTION)
    if not isinstance(section, dict):
        raise _refuse(path, f"has no [{SECTION}] section.", f"Add [{SECTION}.smtp] or [{SECTION}.webhook].")
    _unknown(path, SECTION, section, {"lang", "smtp", "webhook"})
    lang = section.get("lang", "zh")
    if lang not in LANGS:
        raise _refuse(path, f"[{SECTION}] lang {lang!r} is not one of {', '.join(LANGS)}.", 'Write lang = "zh".')
    cfg = NotifyConfig(str(lang), _smtp(path, section["smtp"]) if "smtp" in section else None,
                       _webhook(path, section["webhook"]) if "webhook" in section else None, path)
    if not cfg.channels:
        raise _refuse(path, f"[{SECTION}] names no channel.", f"Add [{SECTION}.smtp] or [{SECTION}.webhook].")
    return cfg
