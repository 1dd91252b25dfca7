"""Pure plot builders: a frame in, a Plotly figure out (no Streamlit, no file access).

Every string a figure shows (names, axis and category labels, hover lines) goes through
dashboard.safe.plotly: Plotly reads its text as HTML, and place names come from articles.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import safe
from dashboard.labels import Labels

CONFLICT_PATTERN, TARGET_PATTERN = "/", "x"


def _hover_lines(row: pd.Series, unit: str, labels: Labels) -> str:
    amount = labels.amount(row["value"], unit, "approx" if row["approximate"] else None)
    lines = [f"{labels.metric(row['metric'])}: {amount}"]
    lines.append(f"{labels.text('exact_value')}: {labels.exact(row['value'], unit)}")
    lines.append(f"{labels.text('year')}: {row['years']}")
    if row["approximate"]:
        lines.append(labels.text("approximate"))
    if row["conflict"]:
        lines.append(f"⚠ {labels.text('conflict')}")
    if row["is_target"]:
        lines.append(labels.text("target"))
    return "<br>".join([f"<b>{safe.plotly(row['place'])}</b>", *map(safe.plotly, lines)])


def section_bar(totals: pd.DataFrame, unit: str, title: str, labels: Labels) -> go.Figure:
    """Bars by subdistrict (largest first), one colour per metric; conflicts hatched, targets crossed.

    `totals` is what dashboard.figures.section_totals returns. Money is drawn in 亿元 or 万元
    (whichever suits the largest bar); the hover gives the exact value in 元.
    """
    figure = go.Figure()
    scale_divisor, axis_unit = 1.0, labels.unit(unit)
    if unit == "CNY" and not totals.empty:
        scale = labels.money_scale(float(totals["value"].abs().max()))
        scale_divisor, axis_unit = scale.divisor, scale.name
    order = safe.plotly_all(dict.fromkeys(totals["place"]))
    for (metric, is_target), rows in totals.groupby(["metric", "is_target"], sort=False):
        name = labels.metric(metric) + (f" ({labels.text('target')})" if is_target else "")
        patterns = [
            TARGET_PATTERN if is_target else (CONFLICT_PATTERN if conflict else "") for conflict in rows["conflict"]
        ]
        figure.add_trace(
            go.Bar(
                x=safe.plotly_all(rows["place"]),
                y=rows["value"] / scale_divisor,
                name=safe.plotly(name),
                marker={"pattern": {"shape": patterns}},
                opacity=0.55 if is_target else 1.0,
                hovertext=[_hover_lines(row, unit, labels) for row in rows.to_dict("records")],
                hoverinfo="text",
            )
        )
    figure.update_layout(
        title=safe.plotly(title),
        barmode="group",
        xaxis={"categoryorder": "array", "categoryarray": order, "title": None},
        yaxis={"title": safe.plotly(axis_unit)},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 40, "r": 10, "t": 50, "b": 40},
        height=380,
    )
    return figure


def compare_bars(rows: pd.DataFrame, subdistricts: list[str], labels: Labels) -> go.Figure:
    """Grouped bars of one unit's metrics (and years), one colour per subdistrict; missing stays empty."""
    figure = go.Figure()
    if rows.empty:
        return figure
    unit = rows["scaled_unit"].iloc[0]
    divisor, axis_unit = 1.0, labels.unit(unit)
    if unit == "CNY":
        scale = labels.money_scale(float(rows["value"].abs().max()))
        divisor, axis_unit = scale.divisor, scale.name
    rows = rows.assign(
        group=[
            labels.metric(metric) + ("" if pd.isna(year) else f" {int(year)}")
            for metric, year in zip(rows["metric"], rows["year"])
        ]
    )
    for subdistrict in subdistricts:
        own = rows[rows["place"] == subdistrict]
        if own.empty:
            continue
        figure.add_trace(
            go.Bar(
                x=safe.plotly_all(own["group"]),
                y=own["value"] / divisor,
                name=safe.plotly(subdistrict),
                marker={"pattern": {"shape": [CONFLICT_PATTERN if c else "" for c in own["conflict"]]}},
                hovertext=[
                    f"<b>{safe.plotly(subdistrict)}</b><br>{safe.plotly(f'{group}: {labels.amount(value, unit)}')}"
                    + ("<br>⚠ " + safe.plotly(labels.text("conflict")) if conflict else "")
                    for group, value, conflict in zip(own["group"], own["value"], own["conflict"])
                ],
                hoverinfo="text",
            )
        )
    figure.update_layout(
        barmode="group",
        yaxis={"title": safe.plotly(axis_unit)},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 40, "r": 10, "t": 30, "b": 40},
        height=380,
    )
    return figure
