"""Overview: the store's status and the indicator table."""
import streamlit as st

from csq import demo, ui
from csq.errors import CsqError
from csq.filters import Filter
from csq.format import format_value
from csq.indicators import INDICATORS

store = ui.get_store()
version = store.data_version()
st.title("csq · 服务质量总览 / Service quality overview")

counts = ui.record_counts(store, version)
if not any(counts.values()):
    st.info("The store is empty. Import your exports with `python -m csq import FILE --kind tickets`, "
            "or load the demo center.")
    if st.button("Load demo data · 加载演示数据", key="load_demo", type="primary"):
        try:
            with st.spinner("Writing the demo center…"):
                demo.generate(store)
            st.rerun()
        except CsqError as exc:
            ui.show_error(exc)
    st.stop()

as_of = ui.as_of(store, version)
cols = st.columns(len(counts))
for col, (kind, n) in zip(cols, counts.items()):
    col.metric(kind, f"{n:,}")
st.caption(f"Data as of {as_of:%Y-%m-%d %H:%M} · store {store.path} · data version {version}")

rows = ui.kpis(store, version, Filter(), ("month",))
months = [r["month"] for r in rows]
month = st.selectbox("Month · 月份", months[::-1], key="month")
row = next(r for r in rows if r["month"] == month)
table = [{"indicator": k, "指标": ind.name_zh, "value": format_value(k, row.get(k)), "n": row["n"].get(k),
          "formula": ind.formula_en} for k, ind in INDICATORS.items()]
st.dataframe(table, hide_index=True, width="stretch")
