"""Pure plot builders: a frame in, a Plotly figure out."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go


def bar_by_subdistrict(facts: pd.DataFrame, title: str) -> go.Figure:
    totals = (
        facts.dropna(subset=["subdistrict"])
        .drop_duplicates(subset=["subdistrict", "metric", "year", "value"])
        .groupby("subdistrict", as_index=False)["value"]
        .sum()
        .sort_values("value", ascending=False)
    )
    return px.bar(totals, x="subdistrict", y="value", title=title)
