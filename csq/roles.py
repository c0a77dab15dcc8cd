"""Roles of SPEC §8 and what each may do; local mode when no login is configured."""
from __future__ import annotations

import os

ROLES = ("viewer", "analyst", "manager", "admin")

_MAY: dict[str, frozenset[str]] = {
    "viewer": frozenset(),
    "analyst": frozenset({"import", "rollback", "preset", "action"}),
    "manager": frozenset({"action", "target"}),
    "admin": frozenset({"import", "rollback", "preset", "action", "target", "settings", "unmask", "audit",
                        "purge"}),
}


def local_role() -> str:
    """Return the role of the single local-mode user: $CSQ_ROLE, default admin."""
    role = os.environ.get("CSQ_ROLE", "admin").strip().lower()
    return role if role in ROLES else "viewer"


def may(role: str, what: str) -> bool:
    """Return True when `role` may do `what` (import, rollback, preset, action, target, settings, unmask, audit, purge)."""
    return what in _MAY.get(role, frozenset())
