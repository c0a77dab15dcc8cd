"""Who uses this session: local mode without a login, else the user signed in through the company's OIDC provider."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from csq.core import auth, roles
from csq.core.i18n import t
from csq.metrics import writer
from csq.store import Store
from csq.store import audit as audit_log
from csq.store.connection import current_user


@dataclass(frozen=True)
class Identity:
    """Who uses this session: the name the audit log records, the role, and whether it is local mode.

    In local mode the name is asserted ($CSQ_USER or the OS user); with OIDC it is verified by the provider.
    """

    user: str
    role: str
    local: bool


def _secrets_section(name: str) -> Any:
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets.toml at all: Streamlit raises rather than returning None
        return None


def identity(store: Store, lang: str) -> Identity:
    """Return the session's Identity: local mode without [auth], else the signed-in user (sign-in page if none)."""
    auth.set_signed_in(None)  # this session's writes name a verified user only once the provider vouched for them
    if not _secrets_section("auth"):
        return Identity(current_user(), roles.local_role(), True)
    if not st.user.is_logged_in:
        st.title(t("app_title", lang))
        st.info(t("sign_in_needed", lang))
        if st.button(t("sign_in", lang), key="sign_in", type="primary"):
            st.login()
        st.stop()
    claims = st.user.to_dict()
    if auth.token_expired(claims):
        st.logout()  # the identity token expired: sign in again rather than act on stale groups
        st.stop()
    config = auth.parse_config(_secrets_section("csq_auth"))
    who = Identity(auth.VerifiedName(auth.display_name(claims)), auth.role_from_claims(claims, config), False)
    auth.set_signed_in(who.user)
    if st.session_state.get("_csq_signed_in") != who:
        with writer.writing(store.home, f"csq dashboard (sign-in of {who.user})") as home:
            audit_log.record_sign_in(home, who.user, who.role)
        st.session_state["_csq_signed_in"] = who
    return who
