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
    return labels.year(year)


def metric_table(totals: pd.DataFrame, metric: str, unit: str, labels: Labels) -> pd.DataFrame:
    """The rows behind one metric's bar chart, as shown under it."""
    t, h = labels.text, labels.header
    return pd.DataFrame(
        {
            h("subdistrict"): totals["place"],
            h("metric"): labels.metric(metric),
            h("value"): [
                labels.amount(v, unit, "approx" if a else None, metric)
                for v, a in zip(totals["value"], totals["approximate"])
            ],
            h("exact_value"): [labels.exact(v, unit) for v in totals["value"]],
            h("year"): [labels.years(span, flag) for span, flag in zip(totals["years"], totals["has_undated"])],
            h("undated_left_out"): totals["undated"].astype(int),
            h("approximate"): [labels.flag(v) for v in totals["approximate"]],
            h("conflict"): [labels.flag(v) for v in totals["conflict"]],
            h("target"): [labels.flag(v) for v in totals["is_target"]],
        }
    )


def conflict_table(conflicts: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """One row per disagreeing value (dashboard.figures.conflicts): where, what, the value, its sources."""
    t, h = labels.text, labels.header
    return pd.DataFrame(
        {
            h("subdistrict"): conflicts["place"],
            h("metric"): [labels.metric(m) for m in conflicts["metric"]],
            h("year"): [_year_text(y, labels) for y in conflicts["year"]],
            h("value"): [labels.amount(v, u, metric=m) for v, u, m in zip(conflicts["value"], conflicts["unit"], conflicts["metric"])],
            h("sources"): [", ".join(names) for names in conflicts["sources"]],
        }
    )


def coverage_table(coverage: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """Per subdistrict: facts in each year, 年份不详 apart, then its targets, approximate figures and
    conflicts (dashboard.figures.coverage)."""
    t, h = labels.text, labels.header
    if coverage.empty:
        return pd.DataFrame(columns=[h("subdistrict")])
    facts = coverage.pivot_table(index="place", columns="year", values="facts", aggfunc="sum", dropna=False)
    dated = sorted(int(y) for y in coverage["year"].dropna().unique())
    shown = pd.DataFrame(index=facts.index)
    for year in dated:
        shown[str(year)] = facts[float(year)].fillna(0).astype(int)
    undated = coverage[coverage["year"].isna()].groupby("place")["facts"].sum()
    shown[h("year_unknown")] = undated.reindex(shown.index).fillna(0).astype(int)
    totals = coverage.groupby("place")[["facts", "targets", "approximate", "conflicts"]].sum()
    shown[h("facts_count")] = totals["facts"].astype(int)
    shown[h("targets_count")] = totals["targets"].astype(int)
    shown[h("approximate_count")] = totals["approximate"].astype(int)
    shown[h("conflicts_count")] = totals["conflicts"].astype(int)
    shown = shown.sort_values(h("facts_count"), ascending=False, kind="stable")
    return shown.rename_axis(h("subdistrict")).reset_index()


def _cell(figure: dict, labels: Labels, with_year: bool = False) -> str:
    unit = figure["scaled_unit"]
    if pd.isna(figure["value"]):
        return labels.text("missing")
    if figure["conflict"] and len(figure["alternatives"]):
        written = "⚠ " + " / ".join(labels.amount(value, unit, metric=figure["metric"]) for value in figure["alternatives"])
    else:
        written = labels.amount(figure["value"], unit, "approx" if figure["approximate"] else None, figure["metric"])
    return f"{written}（{labels.year(figure['year'])}）" if with_year else written


def latest_per_place(rows: pd.DataFrame) -> pd.DataFrame:
    """Each subdistrict's latest figure per (metric, unit, target): a dated year wins over 年份不详."""
    ordered = rows.assign(_year=rows["year"].astype("float").fillna(-1)).sort_values("_year")
    key = ["category", "metric", "scaled_unit", "is_target", "place"]
    return ordered.groupby(key, sort=False).tail(1).drop(columns="_year")


def html_table(frame: pd.DataFrame, index: str) -> str:
    """`frame` as one line of HTML for st.markdown, the column `index` first as row headers, every
    header and cell through safe.markdown. Streamlit's st.table would send it as Arrow, which the
    browser decodes with a 0.7 MB script of its own (a third of a second on a busy machine).

    >>> html_table(pd.DataFrame({"指标": ["投资"], "<b>新城</b>": ["**43亿元**"]}), "指标")
    '<table class="govstats-table"><thead><tr><th>指标</th><th>&#60;b&#62;新城&#60;&#47;b&#62;</th></tr></thead><tbody><tr><th style="white-space:nowrap">投资</th><td>&#42;&#42;43亿元&#42;&#42;</td></tr></tbody></table>'
    """
    columns = [index, *(name for name in frame.columns if name != index)]
    head = "".join(f"<th>{safe.markdown(name)}</th>" for name in columns)
    rows = [
        f'<tr><th style="white-space:nowrap">{safe.markdown(row[0])}</th>' + "".join(f"<td>{safe.markdown(cell)}</td>" for cell in row[1:]) + "</tr>"
        for row in frame[columns].itertuples(index=False)
    ]
    return f'<table class="govstats-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def compare_table(rows: pd.DataFrame, subdistricts: list[str], labels: Labels) -> pd.DataFrame:
    """One row per metric, one column per subdistrict: each subdistrict's latest figure with its
    year, so a metric lines up across subdistricts whatever their years; not reported shows '—'."""
    t, h = labels.text, labels.header
    head = [h("category"), h("metric"), h("unit")]
    if rows.empty:
        return pd.DataFrame(columns=head + list(subdistricts))
    latest = latest_per_place(rows)
    cells = latest.assign(cell=[_cell(figure, labels, with_year=True) for figure in latest.to_dict("records")])
    key = ["category", "metric", "scaled_unit", "is_target"]
    table = cells.pivot_table(index=key, columns="place", values="cell", aggfunc="first")
    table = table.reindex(columns=list(subdistricts)).fillna(t("missing")).reset_index()
    shown = pd.DataFrame(
        {
            h("category"): [labels.category(c) for c in table["category"]],
            h("metric"): [
                labels.metric(m) + (f" ({t('target')})" if target else "")
                for m, target in zip(table["metric"], table["is_target"])
            ],
            h("unit"): [labels.unit(u) for u in table["scaled_unit"]],
        }
    )
    for subdistrict in subdistricts:
        shown[subdistrict] = table[subdistrict].tolist()
    return shown


def compare_chart_table(rows: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """The rows behind the Compare chart: one per subdistrict (its latest figure), year as a column."""
    t, h = labels.text, labels.header
    rows = rows.dropna(subset=["value"])
    return pd.DataFrame(
        {
            h("subdistrict"): rows["place"],
            h("metric"): [labels.metric(m) for m in rows["metric"]],
            h("year"): [_year_text(y, labels) for y in rows["year"]],
            h("value"): [
                labels.amount(v, u, "approx" if a else None, m)
                for v, u, a, m in zip(rows["value"], rows["scaled_unit"], rows["approximate"], rows["metric"])
            ],
            h("exact_value"): rows["value"],
            h("unit"): [labels.unit(u) for u in rows["scaled_unit"]],
            h("target"): [labels.flag(v) for v in rows["is_target"]],
            h("conflict"): [labels.flag(v) for v in rows["conflict"]],
        }
    )


def growth_table(growth: pd.DataFrame, metric: str, unit: str, first: int, last: int, labels: Labels) -> pd.DataFrame:
    """Each subdistrict's value in two years and the change: % for amounts, points for rates."""
    t, h = labels.text, labels.header
    rate = unit in ("percent", "percentage_point", "multiple")

    def change(value: float) -> str:
        if pd.isna(value):
            return t("missing")
        return f"{value:+,.2f}".rstrip("0").rstrip(".") + (t("points") if rate else "%")

    return pd.DataFrame(
        {
            h("subdistrict"): growth["place"],
            str(first): [labels.amount(v, unit, metric=metric) for v in growth["first"]],
            str(last): [labels.amount(v, unit, metric=metric) for v in growth["last"]],
            h("change"): [change(v) for v in growth["change"]],
        }
    )


def trend_table(rows: pd.DataFrame, metric: str, unit: str, labels: Labels) -> pd.DataFrame:
    """The points of the trend chart, year as a column."""
    t, h = labels.text, labels.header
    return pd.DataFrame(
        {
            h("subdistrict"): rows["place"],
            h("year"): [labels.year(y) for y in rows["year"]],
            h("value"): [
                labels.amount(v, unit, "approx" if a else None, metric) for v, a in zip(rows["value"], rows["approximate"])
            ],
            h("exact_value"): rows["value"],
            h("unit"): labels.unit(unit),
            h("target"): [labels.flag(v) for v in rows["is_target"]],
            h("approximate"): [labels.flag(v) for v in rows["approximate"]],
            h("conflict"): [labels.flag(v) for v in rows["conflict"]],
        }
    )


def by_year_table(figures: pd.DataFrame, labels: Labels) -> tuple[pd.DataFrame, list[str]]:
    """A subdistrict's figures: one row per metric (and unit, target), one column per year, 年份不详
    last; and the metric code of each row (what a click on a cell opens)."""
    t, h = labels.text, labels.header
    if figures.empty:
        return pd.DataFrame(columns=[h("category"), h("metric")]), []
    rows = figures.assign(
        cell=[
            labels.amount(v, u, "approx" if a else None, m) + (" ⚠" if c else "")
            for v, u, a, m, c in zip(figures["value"], figures["unit"], figures["approximate"], figures["metric"], figures["conflict"])
        ],
        column=[labels.year(y) for y in figures["year"]],
    )
    table = rows.pivot_table(index=["category", "metric", "unit", "is_target"], columns="column", values="cell", aggfunc="first")
    years = sorted(c for c in table.columns if c != t("year_unknown"))
    table = table.reindex(columns=years + ([t("year_unknown")] if t("year_unknown") in table.columns else []))
    table = table.fillna("").reset_index()
    shown = pd.DataFrame(
        {
            h("category"): [labels.category(c) for c in table["category"]],
            h("metric"): [
                labels.metric(m) + (f" ({t('target')})" if target else "") for m, target in zip(table["metric"], table["is_target"])
            ],
        }
    )
    for column in table.columns[4:]:
        shown[column] = table[column].tolist()
    return shown, table["metric"].tolist()


def facts_table(rows: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """The Facts page's table: values as written by a reader, qualifier words in front."""
    t, h = labels.text, labels.header
    return pd.DataFrame(
        {
            h("subdistrict"): rows["subdistrict"].fillna(""),
            h("district"): rows["district"].fillna(""),
            h("year"): [labels.year(y) for y in rows["year"]],
            h("category"): [labels.category(c) for c in rows["category"]],
            h("metric"): [labels.metric(m) for m in rows["metric"]],
            h("value"): [
                labels.amount(v, u, q, m) for v, u, q, m in zip(rows["value"], rows["unit"], rows["qualifier"], rows["metric"])
            ],
            h("exact_value"): rows["value"],
            h("unit"): [labels.unit(u) for u in rows["unit"]],
            h("qualifier"): [labels.qualifier(q) for q in rows["qualifier"]],
            h("target"): [labels.flag(v) for v in rows["is_target"]],
            h("raw_text"): rows["raw_text"],
            h("outlet"): rows["outlet"].fillna(""),
            h("published"): [labels.date(d) for d in rows["published"]],
            h("source"): rows["source"],
        }
    )


def dictionary_table(entries: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """The metric dictionary: label, code, definition, unit, category, how many facts and subdistricts."""
    t, h = labels.text, labels.header
    return pd.DataFrame(
        {
            h("metric"): entries["label"],
            h("code"): entries["code"],
            h("definition"): entries["definition"],
            h("unit"): entries["units"],
            h("category"): entries["categories"],
            h("facts_count"): entries["facts"].astype(int),
            h("subdistricts"): entries["subdistricts"].astype(int),
            h("in_facts_md"): [labels.flag(v) for v in entries["named"]],
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


def highlighted_span(text: str, start: int, end: int) -> str:
    """A whole article as safe Markdown-with-HTML (each line through dashboard.safe.markdown), its
    lines kept, with text[start:end] wrapped in <mark>.

    >>> highlighted_span("<b>新城</b>投资43.1亿元\\n[登录](x)", 11, 17)
    '&#60;b&#62;新城&#60;&#47;b&#62;投资<mark id="govstats-figure">43&#46;1亿元</mark><br>&#91;登录&#93;&#40;x&#41;'
    """
    def lines(part: str) -> str:
        return "<br>".join(safe.markdown(line) for line in part.split("\n"))

    if not 0 <= start <= end <= len(text):
        return lines(text)
    return lines(text[:start]) + '<mark id="govstats-figure">' + lines(text[start:end]) + "</mark>" + lines(text[end:])
