"""csq dashboard entry point: `streamlit run app.py`."""
import streamlit as st

st.set_page_config(page_title="csq · 服务质量", page_icon="📊", layout="wide")

pages = [st.Page("pages/overview.py", title="Overview · 总览", icon="🏠", url_path="overview", default=True)]
st.navigation(pages).run()
