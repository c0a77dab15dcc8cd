"""Page layout that follows the screen: CSS (public st.html) that swaps a grid for a compact list on phones."""
from __future__ import annotations

import streamlit as st

PHONE_PX = 640  # Streamlit stacks columns below this width; our compact views take over there

# Containers with key="wide_…" show only on wide screens, key="phone_…" only on phones (Streamlit gives a
# keyed container the class st-key-<key>). Titles keep whole words: CJK text may break between any two
# characters, which splits 看板 at 390 px.
_CSS = f"""<style>
@media (max-width: {PHONE_PX}px) {{ [class*="st-key-wide_"] {{ display: none !important; }}
  h1 {{ font-size: 1.6rem !important; }} }}
@media (min-width: {PHONE_PX + 1}px) {{ [class*="st-key-phone_"] {{ display: none !important; }} }}
h1 {{ word-break: keep-all; overflow-wrap: anywhere; }}
</style>"""


def responsive() -> None:
    """Return nothing; add the CSS that shows wide_* containers on wide screens and phone_* ones on phones."""
    st.html(_CSS)
