"""csq dashboard entry point: `streamlit run app.py`. Every page runs through here (st.navigation)."""
from pathlib import Path

# Imported on the main thread before any page runs: parallel fragments that import them for the first time in
# several threads at once would hand a half-initialised module to all but one of them.
import pandas  # noqa: F401
import plotly.graph_objects  # noqa: F401
import scipy.stats  # noqa: F401
import streamlit as st

from csq.dashboard import navigation, sidebar, state, widgets
from csq.dashboard.identity import identity

ROOT = Path(__file__).parent

# The favicon ships with the app: a ":material/…:" icon would be fetched from fonts.gstatic.com, which an intranet
# (or mainland China) cannot reach.
st.set_page_config(page_title="csq", page_icon=str(ROOT / "static" / "icon.png"), layout="wide")

lang = state.current_lang()
store = widgets.store_or_stop(lang)
who = identity(store, lang)
page = st.navigation(navigation.navigation_pages(who.role, lang, ROOT))
view = sidebar.sidebar(store, who, filters=navigation.has_filters(page))  # no filters where they do nothing
state.publish(view)
if not navigation.allowed(page, who.role):
    navigation.refuse(page, who.role, view.lang)
elif view.catalog.empty and page.url_path not in ("import", "settings", "audit"):
    widgets.first_run(view)
else:
    with widgets.reported():
        page.run()
