"""Posting the message as JSON to a webhook (a chat bot, an alerting system)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from csq.errors import NotSent
from csq.operations.config import WebhookConfig
from csq.operations.message import Message


def post(cfg: WebhookConfig, msg: Message) -> None:
    """Post the message's JSON; raise NotSent unless the server answers 2xx."""
    body = json.dumps(msg.as_json(), ensure_ascii=False, default=str).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "csq-notify",
               **cfg.headers()}
    request = urllib.request.Request(cfg.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=cfg.timeout_s) as answer:  # noqa: S310 (http(s) only: config)
            status = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        raise NotSent(f"The webhook {cfg.url} was not reached: {exc}.",
                      "Check [csq_notify.webhook] url and the network; nothing was recorded, so the next run "
                      "sends it again.") from None
    if not 200 <= status < 300:
        raise NotSent(f"The webhook {cfg.url} answered HTTP {status}.",
                      "Check the URL and its header; nothing was recorded, so the next run sends it again.")
