"""The dashboard: the only package that imports streamlit. app.py and app_pages/ call it and csq, and render.

- navigation: the pages of SPEC §7, their URLs and who may open them;
- state: the View every page renders (language, filter, role, store), handed from app.py to the page;
- url: the sidebar filters and page parameters in the URL, canonical values only;
- sidebar: the language switch and the global filters;
- cache: cached queries keyed on (store, data version, arguments);
- identity: local mode or the signed-in user and their role;
- widgets: errors shown with their fix, tables, the empty-store screen.
"""
