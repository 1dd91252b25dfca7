"""Pure plot builders: a frame in, a Plotly figure out (no Streamlit, no file access).

Each chart shows one metric in one unit, named by its label. Amounts are drawn in the unit a reader
expects for their size (亿元, 万平方米, CNY million), with plain thousands-separated ticks (never the
SI k/M/G a Chinese reader does not use); the hover gives the exact value.

Every string a figure shows (names, axis and category labels, hover lines) goes through
dashboard.safe.plotly: Plotly reads its text as HTML, and place names come from articles.
"""

from __future__ import annotations

import html

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


def _bar_lines(row: dict, metric: str, unit: str, labels: Labels) -> list[str]:
    """What a bar says when pointed at, line by line, as plain text (escaped where it is shown)."""
    amount = labels.amount(row["value"], unit, "approx" if row["approximate"] else None, metric)
    lines = [
        str(row["place"]),
        f"{labels.metric(metric)}: {amount}",
        f"{labels.text('exact_value')}: {labels.exact(row['value'], unit)}",
    ]
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
    return lines


def _hover_lines(row: dict, metric: str, unit: str, labels: Labels) -> str:
    """A bar's hover text in Plotly: its place in bold, every line escaped."""
    place, *rest = _bar_lines(row, metric, unit, labels)
    return "<br>".join([f"<b>{safe.plotly(place)}</b>", *map(safe.plotly, rest)])


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


# --- the Overview's first paint: the same bars as an SVG drawn here -------------------------------
# Plotly's script is 4.7 MB that every new tab evaluates (about a second on a busy 2-core machine)
# before its first chart shows; this SVG needs no script at all. Its text goes through safe.markdown
# (Streamlit renders it as Markdown with HTML), each bar is a link to the facts behind it, and the
# hover lines are its <title>.

SVG_WIDTH, SVG_HEIGHT = 1000, 420
SVG_MARGIN = {"left": 78, "right": 12, "top": 44, "bottom": 118}
BAR_COLOUR = "#636efa"  # Plotly's first colour, as on the interactive chart
SVG_PATTERNS = (
    '<defs><pattern id="govstats-conflict" width="8" height="8" patternUnits="userSpaceOnUse">'
    '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#ffffff" stroke-width="2"/></pattern>'
    '<pattern id="govstats-target" width="8" height="8" patternUnits="userSpaceOnUse">'
    '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="#ffffff" stroke-width="1.5"/></pattern></defs>'
)


def nice_ticks(largest: float, smallest: float = 0.0, count: int = 5) -> list[float]:
    """Round tick values from `smallest` (at most 0) to at least `largest`, about `count` of them.

    >>> nice_ticks(43.1)
    [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    >>> nice_ticks(0.0)
    [0.0, 1.0]
    >>> nice_ticks(2.4, -1.0)
    [-1.0, 0.0, 1.0, 2.0, 3.0]
    """
    import math

    low, high = min(smallest, 0.0), max(largest, 0.0)
    if high - low <= 0:
        return [0.0, 1.0]
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(power * m for m in (1, 2, 5, 10) if power * m >= raw)
    first = math.floor(low / step) * step
    ticks = [first]
    while ticks[-1] < high - 1e-9 * step:
        ticks.append(round(ticks[-1] + step, 10))
    return [float(t) for t in ticks]


def _tick_label(value: float, step: float) -> str:
    """A tick written with thousands separators and as many decimals as the step needs (never k/M/G)."""
    decimals = 0 if step >= 1 else min(6, len(f"{step:.6f}".rstrip("0").split(".")[1]))
    return f"{value:,.{decimals}f}"


def _bar_title(row: dict, metric: str, unit: str, labels: Labels) -> str:
    """A bar's hover lines as an SVG tooltip: each escaped, joined by line breaks (&#10;)."""
    return "&#10;".join(safe.markdown(line) for line in _bar_lines(row, metric, unit, labels))


def metric_bar_svg(totals: pd.DataFrame, metric: str, unit: str, title: str, labels: Labels, facts_link) -> str:
    """`metric_bar` drawn as one line of SVG: the same bars in the same order, conflicts hatched,
    targets crossed and paler, axis in the chart's unit; each bar a link to `facts_link(place)` (a
    URL we build, never text from data), its hover lines as a tooltip.

    >>> rows = pd.DataFrame({"place": ["林山寨街道"], "subdistrict": ["林山寨街道"], "is_target": [False],
    ...     "value": [4.31e9], "approximate": [False], "conflict": [True], "years": ["2019"],
    ...     "has_undated": [False], "n_spans": [1], "undated": [0]})
    >>> from dashboard.labels import labels_for
    >>> svg = metric_bar_svg(rows, "project_investment", "CNY", "项目投资", labels_for("zh"), lambda p: "facts?sub=1")
    >>> svg.count('href="facts?sub=1"'), 'fill="url(#govstats-conflict)"' in svg, "\\n" in svg
    (1, True, False)
    """
    left, right, top, bottom = (SVG_MARGIN[side] for side in ("left", "right", "top", "bottom"))
    plot_width, plot_height = SVG_WIDTH - left - right, SVG_HEIGHT - top - bottom
    divisor, axis_unit = _axis(unit, totals["value"], labels, metric)
    scaled = totals["value"].fillna(0) / divisor
    ticks = nice_ticks(float(scaled.max()) if len(scaled) else 0.0, float(scaled.min()) if len(scaled) else 0.0)
    low, high = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return top + plot_height * (1 - (value - low) / (high - low))

    places = clickable_places(totals)
    shown_targets = bool(totals["is_target"].any())
    slot = plot_width / max(len(places), 1)
    per_slot = 2 if shown_targets else 1
    width = min(slot * 0.8 / per_slot, 60.0)  # a few places do not make slabs
    inset = (slot - width * per_slot) / 2
    parts = [
        f'<svg class="govstats-bars" viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" width="100%" role="img" '
        f'font-family="sans-serif" font-size="12" style="max-width:{SVG_WIDTH}px">',
        SVG_PATTERNS,
        f'<text class="govstats-title" x="{left}" y="24" font-size="16">{safe.markdown(title)}</text>',
        f'<text class="govstats-axis-title" transform="translate(16,{top + plot_height / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle">{safe.markdown(axis_unit)}</text>',
    ]
    step = ticks[1] - ticks[0]
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{left}" x2="{left + plot_width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        parts.append(f'<text class="ytick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_tick_label(tick, step)}</text>')
    zero = y_of(0.0)
    for row, value in zip(totals.to_dict("records"), scaled):
        position = places.index(row["place"])
        x = left + slot * position + inset + (width if shown_targets and row["is_target"] else 0)
        y, height = min(y_of(value), zero), abs(y_of(value) - zero)
        fill = f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{BAR_COLOUR}"'
        fill += ' opacity="0.55"/>' if row["is_target"] else "/>"
        pattern = "govstats-target" if row["is_target"] else ("govstats-conflict" if row["conflict"] else "")
        if pattern:
            fill += f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="url(#{pattern})"/>'
        link = html.escape(facts_link(row["place"]), quote=True)
        parts.append(f'<a class="bar" href="{link}">{fill}<title>{_bar_title(row, metric, unit, labels)}</title></a>')
    for position, place in enumerate(places):
        x = left + slot * (position + 0.5)
        parts.append(
            f'<text class="xtick" transform="translate({x:.1f},{top + plot_height + 14}) rotate(-40)" '
            f'text-anchor="end">{safe.markdown(place)}</text>'
        )
    if shown_targets:
        for position, is_target in enumerate((False, True)):
            x = left + 130 * position
            name = labels.text("target") if is_target else labels.text("achieved")
            opacity = ' opacity="0.55"' if is_target else ""
            parts.append(f'<rect x="{x}" y="{SVG_HEIGHT - 14}" width="12" height="12" fill="{BAR_COLOUR}"{opacity}/>')
            parts.append(f'<text class="legend" x="{x + 16}" y="{SVG_HEIGHT - 4}">{safe.markdown(name)}</text>')
    parts.append(f'<line x1="{left}" x2="{left + plot_width}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#888"/></svg>')
    return "".join(parts)
