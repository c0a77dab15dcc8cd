"""csq dashboard entry point: `streamlit run app.py`."""
from pathlib import Path

import streamlit as st

from csq import ui

st.set_page_config(page_title="csq", page_icon=":material/insights:", layout="wide")

lang = ui.current_lang()
store = ui.store_or_stop(lang)
who = ui.identity(store, lang)
nav = st.navigation(ui.navigation_pages(who.role, lang, Path(__file__).parent))
view = ui.sidebar(store, who)
ui.publish_view(view)
if view.catalog.empty and nav.url_path not in ("import", "settings", "audit"):
    ui.first_run(view)
else:
    ui.run_page(nav, who.role, lang)
