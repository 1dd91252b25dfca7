"""Pure plot builders: a frame in, a Plotly figure out (no Streamlit, no file access).

Each chart shows one metric in one unit, named by its label. Amounts are drawn in the unit a reader
expects for their size (亿元, 万平方米, CNY million), with plain thousands-separated ticks (never the
SI k/M/G a Chinese reader does not use); the hover gives the exact value.

Every string a figure shows (names, axis and category labels, hover lines) goes through
dashboard.safe.plotly: Plotly reads its text as HTML, and place names come from articles.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import safe
from dashboard.labels import Labels

CONFLICT_PATTERN, TARGET_PATTERN = "/", "x"
TICKS = ",~r"  # thousands separators, no SI prefixes


def _axis(unit: str, values: pd.Series, labels: Labels, metric: str | None = None):
    largest = float(values.abs().max()) if len(values) and values.notna().any() else 0.0
    scale = labels.scale(unit, largest, metric)
    return scale.divisor, scale.name


def _hover_lines(row: dict, metric: str, unit: str, labels: Labels) -> str:
    amount = labels.amount(row["value"], unit, "approx" if row["approximate"] else None, metric)
    lines = [f"<b>{safe.plotly(row['place'])}</b>", f"{safe.plotly(labels.metric(metric))}: {amount}"]
    lines.append(f"{labels.text('exact_value')}: {labels.exact(row['value'], unit)}")
    years = labels.years(row["years"], row.get("has_undated", False))
    if years:
        lines.append(f"{labels.text('year')}: {years}")
    if row["approximate"]:
        lines.append(labels.text("approximate"))
    if row["conflict"]:
        lines.append(f"⚠ {labels.text('conflict')}")
    if row["is_target"]:
        lines.append(labels.text("target"))
    lines.append(labels.text("click_for_facts"))
    return "<br>".join(lines)


def clickable_places(rows: pd.DataFrame) -> list[str]:
    """The places of a chart in order: a clicked point names its place by its position here."""
    return list(dict.fromkeys(rows["place"]))


def metric_bar(totals: pd.DataFrame, metric: str, unit: str, title: str, labels: Labels) -> go.Figure:
    """Bars by subdistrict (largest first) of one metric; conflicts hatched, targets crossed apart.

    `totals` is what dashboard.figures.metric_totals returns; each bar carries as customdata the
    position of its place in `clickable_places(totals)` (never the name, which is data) and whether
    it is a target, so a click can open the facts behind it.
    """
    figure = go.Figure()
    divisor, axis_unit = _axis(unit, totals["value"], labels, metric)
    order = clickable_places(totals)
    for is_target, rows in totals.groupby("is_target", sort=True):
        patterns = [TARGET_PATTERN if is_target else (CONFLICT_PATTERN if c else "") for c in rows["conflict"]]
        figure.add_trace(
            go.Bar(
                x=safe.plotly_all(rows["place"]),
                y=rows["value"] / divisor,
                name=labels.text("target") if is_target else labels.text("achieved"),
                marker={"pattern": {"shape": patterns}},
                opacity=0.55 if is_target else 1.0,
                customdata=[[order.index(place), bool(is_target)] for place in rows["place"]],
                hovertext=[_hover_lines(row, metric, unit, labels) for row in rows.to_dict("records")],
                hoverinfo="text",
            )
        )
    figure.update_layout(
        title=safe.plotly(title),
        barmode="group",
        xaxis={"categoryorder": "array", "categoryarray": safe.plotly_all(order), "title": None},
        yaxis={"title": safe.plotly(axis_unit), "tickformat": TICKS},
        legend={"orientation": "h", "y": -0.25},
        showlegend=bool(totals["is_target"].any()),
        margin={"l": 60, "r": 10, "t": 50, "b": 40},
        height=400,
    )
    return figure


def trend_lines(rows: pd.DataFrame, metric: str, unit: str, title: str, labels: Labels) -> go.Figure:
    """One line per subdistrict over the years; targets dashed, approximate points open, conflicts ✕."""
    figure = go.Figure()
    divisor, axis_unit = _axis(unit, rows["value"], labels, metric)
    places = clickable_places(rows)
    for (place, is_target), own in rows.groupby(["place", "is_target"], sort=False):
        symbols = [
            "x" if conflict else ("circle-open" if approximate else "circle")
            for approximate, conflict in zip(own["approximate"], own["conflict"])
        ]
        hover = [
            f"<b>{safe.plotly(place)}</b> {int(year)}<br>{labels.amount(value, unit, 'approx' if approximate else None, metric)}"
            + (f"<br>{labels.text('target')}" if is_target else "")
            + (f"<br>⚠ {labels.text('conflict')}" if conflict else "")
            for year, value, approximate, conflict in zip(own["year"], own["value"], own["approximate"], own["conflict"])
        ]
        figure.add_trace(
            go.Scatter(
                x=own["year"].astype(int),
                y=own["value"] / divisor,
                mode="lines+markers",
                name=safe.plotly(place) + (f" ({labels.text('target')})" if is_target else ""),
                line={"dash": "dash" if is_target else "solid"},
                marker={"symbol": symbols, "size": 10},
                customdata=[[places.index(place), bool(is_target), int(year)] for year in own["year"]],
                hovertext=hover,
                hoverinfo="text",
            )
        )
    figure.update_layout(
        title=safe.plotly(title),
        xaxis={"title": None, "tickformat": "d", "dtick": 1},
        yaxis={"title": safe.plotly(axis_unit), "tickformat": TICKS},
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 60, "r": 10, "t": 50, "b": 40},
        height=420,
    )
    return figure


def compare_bars(rows: pd.DataFrame, metric: str, subdistricts: list[str], title: str, labels: Labels) -> go.Figure:
    """One metric across subdistricts: each subdistrict's latest figure (its year on the hover and
    under the bar), in the order picked; a subdistrict that does not report it has no bar."""
    figure = go.Figure()
    if rows.empty:
        return figure
    unit = rows["scaled_unit"].iloc[0]
    divisor, axis_unit = _axis(unit, rows["value"], labels, metric)
    for is_target, own in rows.groupby("is_target", sort=True):
        figure.add_trace(
            go.Bar(
                x=safe.plotly_all(own["place"]),
                y=own["value"] / divisor,
                name=labels.text("target") if is_target else labels.text("achieved"),
                text=[labels.year(year) for year in own["year"]],
                textposition="outside",
                marker={"pattern": {"shape": [CONFLICT_PATTERN if c else "" for c in own["conflict"]]}},
                customdata=[[list(subdistricts).index(place), bool(is_target)] for place in own["place"]],
                hovertext=[
                    f"<b>{safe.plotly(place)}</b> {labels.year(year)}<br>{labels.amount(value, unit, 'approx' if a else None, metric)}"
                    + ("<br>⚠ " + labels.text("conflict") if conflict else "")
                    for place, year, value, a, conflict in zip(
                        own["place"], own["year"], own["value"], own["approximate"], own["conflict"]
                    )
                ],
                hoverinfo="text",
            )
        )
    figure.update_layout(
        title=safe.plotly(title),
        barmode="group",
        xaxis={"categoryorder": "array", "categoryarray": safe.plotly_all(subdistricts), "title": None},
        yaxis={"title": safe.plotly(axis_unit), "tickformat": TICKS},
        showlegend=bool(rows["is_target"].any()),
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 10, "t": 50, "b": 40},
        height=400,
    )
    return figure
