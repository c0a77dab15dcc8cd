"""Sign-in identities to roles (SPEC §8): which claim carries the groups, which group gives which role, expiry.

The identity provider signs people in through Streamlit's OIDC (`st.login`, the `[auth]` section of
`.streamlit/secrets.toml`). csq only reads the claims it is given, so everything here is testable
without a provider. The mapping lives in the `[csq_auth]` section of the same secrets file:

    [csq_auth]
    role_claim = "groups"          # the claim holding the user's groups (a list or one string)
    default_role = "viewer"        # for a signed-in user in none of the groups below
    [csq_auth.roles]
    admin = ["csq-admins"]
    manager = ["service-managers"]
    analyst = ["quality-analysts"]
    viewer = ["staff"]

Where a recorded name comes from (the audit log's and the batches' `user_source`): 'oidc' when the identity
provider signed the person in; otherwise the name is asserted, not verified: 'env' ($CSQ_USER), 'os' (the OS
login of the process), 'given' (a name a caller passed), 'unknown' (written before csq recorded sources).
"""
from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

from csq.core.roles import ROLES

# When one person is in several groups, the most powerful role wins.
_RANK = {role: i for i, role in enumerate(ROLES)}

SOURCE_OIDC, SOURCE_ENV, SOURCE_OS, SOURCE_GIVEN, SOURCE_UNKNOWN = "oidc", "env", "os", "given", "unknown"
USER_SOURCES = (SOURCE_OIDC, SOURCE_ENV, SOURCE_OS, SOURCE_GIVEN, SOURCE_UNKNOWN)


class VerifiedName(str):
    """A user name the identity provider verified: a str, so every layer passes it on unchanged, marked 'oidc'."""

    __slots__ = ()


# The name the identity provider verified for the code running in this context (a dashboard session's script
# thread); None in local mode and on the command line.
_signed_in: ContextVar[str | None] = ContextVar("csq_signed_in", default=None)


def set_signed_in(name: str | None) -> None:
    """Record the provider-verified name of this context (None: nobody is signed in); return nothing."""
    _signed_in.set(name)


def signed_in() -> str | None:
    """Return the provider-verified name of this context, or None when nobody signed in through OIDC."""
    return _signed_in.get()


def provider_verified(name: str | None) -> bool:
    """Return True when `name` is a VerifiedName or the name signed in through OIDC in this context."""
    return isinstance(name, VerifiedName) or (name is not None and name == _signed_in.get())


def is_verified(source: str | None) -> bool:
    """Return True only for a name the identity provider verified ('oidc'); every other source is asserted."""
    return source == SOURCE_OIDC


@dataclass(frozen=True)
class AuthConfig:
    """How claims map to roles: the claim name, group lists per role, and the role of everyone else."""

    role_claim: str = "groups"
    roles: Mapping[str, Sequence[str]] = field(default_factory=dict)
    default_role: str = "viewer"


def parse_config(section: Mapping[str, object] | None) -> AuthConfig:
    """Return the AuthConfig of a `[csq_auth]` secrets section (defaults when it is missing)."""
    if not section:
        return AuthConfig()
    raw_roles = section.get("roles") or {}
    roles: dict[str, list[str]] = {}
    for role, groups in dict(raw_roles).items():  # type: ignore[call-overload]
        if role not in _RANK:
            raise ValueError(f"[csq_auth.roles] names an unknown role {role!r}; use {', '.join(ROLES)}.")
        roles[role] = [groups] if isinstance(groups, str) else [str(g) for g in groups]
    default = str(section.get("default_role") or "viewer")
    if default not in _RANK:
        raise ValueError(f"[csq_auth] default_role {default!r} is not one of {', '.join(ROLES)}.")
    return AuthConfig(str(section.get("role_claim") or "groups"), roles, default)


def role_from_claims(claims: Mapping[str, object], config: AuthConfig) -> str:
    """Return the role for a signed-in user's claims: the highest role whose groups they are in, else the default."""
    value = claims.get(config.role_claim)
    if value is None:
        groups: set[str] = set()
    elif isinstance(value, str):
        groups = {g.strip() for g in value.replace(";", ",").split(",") if g.strip()}
    else:
        groups = {str(g) for g in value}  # type: ignore[union-attr]
    granted = [role for role, wanted in config.roles.items() if groups & set(wanted)]
    return max(granted, key=_RANK.__getitem__) if granted else config.default_role


def token_expired(claims: Mapping[str, object], now: float | None = None) -> bool:
    """Return True when the identity token's `exp` claim has passed (a token without `exp` never expires here)."""
    exp = claims.get("exp")
    if exp is None:
        return False
    try:
        return float(exp) <= (time.time() if now is None else now)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True  # an unreadable expiry is treated as expired: sign in again


def display_name(claims: Mapping[str, object]) -> str:
    """Return the name the audit log records for a signed-in user: email, else name, else subject."""
    for key in ("email", "preferred_username", "name", "sub"):
        if claims.get(key):
            return str(claims[key])
    return "unknown"
