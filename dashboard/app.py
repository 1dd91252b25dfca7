"""Streamlit entry point: `streamlit run dashboard/app.py` (or `govstats dashboard`)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from dashboard.charts import bar_by_subdistrict  # noqa: E402
from dashboard.data import data_dir, load_facts  # noqa: E402

st.set_page_config(page_title="街道治理数据", layout="wide")
st.title("街道治理数据")

facts_path = data_dir() / "facts.parquet"
if not facts_path.exists():
    st.error(f"没有找到数据表 {facts_path}: 先运行 `govstats etl`。")
    st.stop()

facts = load_facts(str(facts_path))
st.metric("事实数", len(facts))
for category, unit, title in [
    ("investment", "CNY", "投资 (元)"),
    ("demolition", "m2", "拆除面积 (平方米)"),
    ("case_resolution", "case", "矛盾纠纷 (起)"),
]:
    subset = facts[(facts["category"] == category) & (facts["unit"] == unit) & ~facts["is_target"]]
    st.plotly_chart(bar_by_subdistrict(subset, title), width="stretch")
