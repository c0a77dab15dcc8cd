"""Roles of SPEC §8 and what each may do; local mode when no login is configured."""
from __future__ import annotations

import os

from csq.errors import NotAllowed

ROLES = ("viewer", "analyst", "manager", "admin")

_MAY: dict[str, frozenset[str]] = {
    "viewer": frozenset(),
    "analyst": frozenset({"import", "rollback", "preset", "action", "qa_sample"}),
    "manager": frozenset({"action", "target", "qa_sample"}),
    "admin": frozenset({"import", "rollback", "preset", "action", "target", "settings", "unmask", "audit",
                        "purge", "qa_sample"}),
}


# What each permission lets a role do, in words for the refusal message.
_DOING: dict[str, str] = {
    "import": "import data", "rollback": "roll back an import", "preset": "change import presets",
    "action": "change improvement actions", "target": "change targets", "settings": "change settings",
    "unmask": "see personal data", "audit": "read the audit log", "purge": "purge data",
    "qa_sample": "draw the weekly QA sample",
}


def local_role() -> str:
    """Return the role of the single local-mode user: $CSQ_ROLE, default admin."""
    role = os.environ.get("CSQ_ROLE", "admin").strip().lower()
    return role if role in ROLES else "viewer"


def may(role: str, what: str) -> bool:
    """Return True when `role` may do `what` (import, rollback, preset, action, target, settings, unmask, audit, purge,
    qa_sample)."""
    return what in _MAY.get(role, frozenset())


def require(role: str | None, what: str) -> str:
    """Return the role that acts (None = the process role, local_role()); raise NotAllowed unless it may `what`.

    Every csq write calls this before it writes anything, so no path around a page can write.
    """
    acting = local_role() if role is None else role
    if not may(acting, what):
        allowed = [r for r in ROLES if may(r, what)]
        raise NotAllowed(f"The role «{acting}» may not {_DOING.get(what, what)}; nothing was changed.",
                         f"Ask an administrator for one of the roles {', '.join(allowed)} "
                         "(locally: set CSQ_ROLE).")
    return acting
