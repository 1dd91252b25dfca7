"""Metric dictionary: every metric the extractor can emit, its label, definition, unit and category,
and how many facts and subdistricts of the table have it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, tables, ui
from etl.metric_catalog import catalog

context = ui.context()
labels, t = context.labels, context.labels.text
st.title(t("dictionary"))
st.caption(t("dictionary_note"))

usage = data.metric_usage(context.table).set_index("metric")
joined = "、".join if labels.language == "zh" else ", ".join
entries = pd.DataFrame(
    [
        {
            "code": entry.code,
            "label": entry.label(labels.language),
            "definition": entry.definition(labels.language),
            "units": joined(labels.unit(u) for u in (usage["units"].get(entry.code) if entry.code in usage.index else entry.units)),
            "categories": joined(t("category_inherit") if c == "inherit" else labels.category(c) for c in entry.categories),
            "facts": int(usage["facts"].get(entry.code, 0)),
            "subdistricts": int(usage["subdistricts"].get(entry.code, 0)),
            "named": entry.named,
        }
        for entry in catalog().values()
    ]
).sort_values(["facts", "code"], ascending=[False, True])
query = st.text_input(t("search_metrics"), key="dq")
if query:
    hit = entries[["code", "label", "definition"]].apply(lambda column: column.str.contains(query, case=False, regex=False))
    entries = entries[hit.any(axis=1)]
shown = tables.dictionary_table(entries, labels)
st.dataframe(shown, hide_index=True, key="dictionary", height=600)
ui.csv_download(shown, "metric-dictionary", labels)
