"""csq dashboard entry point: `streamlit run app.py`."""
import streamlit as st

from csq import ui
from csq.i18n import t

st.set_page_config(page_title="csq", page_icon=":material/insights:", layout="wide")

store = ui.get_store()
lang = ui.current_lang()
pages = [
    st.Page("pages/overview.py", title=t("overview", lang), icon=":material/dashboard:", default=True),
    st.Page("pages/monitoring.py", title=t("monitoring", lang), icon=":material/monitoring:", url_path="monitoring"),
]
nav = st.navigation(pages)
st.session_state["view"] = ui.sidebar(store)
if st.session_state["view"].catalog.empty:
    ui.first_run(st.session_state["view"])
else:
    nav.run()
