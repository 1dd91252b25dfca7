"""Pure builders of the tables the pages show (and download): a frame in, a display frame out.

Every download is built from the same display frame that is on screen, so it holds exactly the
rows and columns shown.
"""

from __future__ import annotations

import pandas as pd

from dashboard import safe
from dashboard.labels import Labels


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly; text cells
    that a spreadsheet would run as a formula are quoted (dashboard.safe.csv_frame).

    >>> csv_bytes(pd.DataFrame({"街道": ["西大街街道"]}))[:3] == b"\\xef\\xbb\\xbf"
    True
    """
    return safe.csv_frame(frame).to_csv(index=False).encode("utf-8-sig")


def _year_text(year: object, labels: Labels) -> str:
    return labels.text("year_unknown") if pd.isna(year) else str(int(year))


def section_table(totals: pd.DataFrame, unit: str, labels: Labels) -> pd.DataFrame:
    """The rows behind one Overview chart, as shown under it."""
    t = labels.text
    return pd.DataFrame(
        {
            t("subdistrict"): totals["place"],
            t("metric"): [labels.metric(m) for m in totals["metric"]],
            t("value"): [
                labels.amount(v, unit, "approx" if a else None) for v, a in zip(totals["value"], totals["approximate"])
            ],
            t("exact_value"): totals["value"],
            t("unit"): labels.unit(unit),
            t("year"): totals["years"],
            t("approximate"): totals["approximate"],
            t("conflict"): totals["conflict"],
            t("target"): totals["is_target"],
        }
    )


def conflict_table(conflicts: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """One row per disagreeing value (dashboard.figures.conflicts): where, what, the value, its sources."""
    t = labels.text
    return pd.DataFrame(
        {
            t("subdistrict"): conflicts["place"],
            t("metric"): [labels.metric(m) for m in conflicts["metric"]],
            t("year"): [_year_text(y, labels) for y in conflicts["year"]],
            t("value"): [labels.amount(v, u) for v, u in zip(conflicts["value"], conflicts["unit"])],
            t("sources"): [", ".join(names) for names in conflicts["sources"]],
        }
    )


def _cell(figure: dict, labels: Labels) -> str:
    unit = figure["scaled_unit"]
    if pd.isna(figure["value"]):
        return labels.text("missing")
    if figure["conflict"] and len(figure["alternatives"]):
        values = " / ".join(labels.amount(value, unit) for value in figure["alternatives"])
        return f"⚠ {values}"
    return labels.amount(figure["value"], unit, "approx" if figure["approximate"] else None)


def compare_table(rows: pd.DataFrame, subdistricts: list[str], labels: Labels) -> pd.DataFrame:
    """One row per metric and year, one column per subdistrict; a value not reported shows '—'."""
    t = labels.text
    head = [t("category"), t("metric"), t("unit"), t("year")]
    if rows.empty:
        return pd.DataFrame(columns=head + list(subdistricts))
    cells = rows.assign(
        cell=[_cell(figure, labels) for figure in rows.to_dict("records")],
        year_key=rows["year"].astype("float").fillna(-1),
    )
    key = ["category", "metric", "scaled_unit", "year_key", "is_target"]
    table = cells.pivot_table(index=key, columns="place", values="cell", aggfunc="first")
    table = table.reindex(columns=list(subdistricts)).fillna(t("missing")).reset_index()
    shown = pd.DataFrame(
        {
            t("category"): [labels.category(c) for c in table["category"]],
            t("metric"): [
                labels.metric(m) + (f" ({t('target')})" if target else "")
                for m, target in zip(table["metric"], table["is_target"])
            ],
            t("unit"): [labels.unit(u) for u in table["scaled_unit"]],
            t("year"): [t("year_unknown") if y < 0 else str(int(y)) for y in table["year_key"]],
        }
    )
    for subdistrict in subdistricts:
        shown[subdistrict] = table[subdistrict].tolist()
    return shown


def compare_chart_table(rows: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """The rows behind the Compare chart: one per subdistrict, metric and year (missing left out,
    as the chart draws no bar for them)."""
    t = labels.text
    rows = rows.dropna(subset=["value"])
    return pd.DataFrame(
        {
            t("subdistrict"): rows["place"],
            t("metric"): [labels.metric(m) for m in rows["metric"]],
            t("year"): [_year_text(y, labels) for y in rows["year"]],
            t("value"): [
                labels.amount(v, u, "approx" if a else None)
                for v, u, a in zip(rows["value"], rows["scaled_unit"], rows["approximate"])
            ],
            t("exact_value"): rows["value"],
            t("unit"): [labels.unit(u) for u in rows["scaled_unit"]],
            t("conflict"): rows["conflict"],
        }
    )


def facts_table(rows: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """The Facts page's table: values as written by a reader, qualifier words in front."""
    t = labels.text
    return pd.DataFrame(
        {
            t("subdistrict"): rows["subdistrict"],
            t("district"): rows["district"],
            t("year"): rows["year"],
            t("category"): [labels.category(c) for c in rows["category"]],
            t("metric"): [labels.metric(m) for m in rows["metric"]],
            t("value"): [labels.amount(v, u, q) for v, u, q in zip(rows["value"], rows["unit"], rows["qualifier"])],
            t("exact_value"): rows["value"],
            t("unit"): [labels.unit(u) for u in rows["unit"]],
            t("qualifier"): [labels.qualifier(q) for q in rows["qualifier"]],
            t("target"): rows["is_target"],
            t("raw_text"): rows["raw_text"],
            t("outlet"): rows["outlet"],
            t("published"): rows["published"],
            t("source"): rows["source"],
        }
    )


def highlighted_sentence(sentence: str, raw_text: str, offset: int | None = None) -> str:
    """The sentence as safe Markdown-with-HTML: every character escaped (dashboard.safe.markdown),
    the figure wrapped in <mark>; at `offset` (the table's sentence_offset) when given, else where
    raw_text first occurs.

    >>> highlighted_sentence("<script>拆除违章建筑15000余平方米 [登录](evil)", "15000余平方米")
    '&#60;script&#62;拆除违章建筑<mark>15000余平方米</mark> &#91;登录&#93;&#40;evil&#41;'
    >>> highlighted_sentence("计划改造4个，已完成4个", "4个", 10)
    '计划改造4个，已完成<mark>4个</mark>'
    """
    if offset is not None and not pd.isna(offset) and sentence.startswith(raw_text, int(offset)):
        start = int(offset)
    else:  # a table written before sentence_offset existed
        start = sentence.find(raw_text) if raw_text else -1
    if start < 0:
        return safe.markdown(sentence)
    end = start + len(raw_text)
    return (
        safe.markdown(sentence[:start])
        + "<mark>"
        + safe.markdown(sentence[start:end])
        + "</mark>"
        + safe.markdown(sentence[end:])
    )
