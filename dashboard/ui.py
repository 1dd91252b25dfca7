"""What every page shares: the language switch, the sidebar filters and switches, all kept in the URL
as codes (never the labels on screen, so a link gives the same view in either language), and the
download buttons.

app.py calls `sidebar()` on every run, before the page; the page reads the result with `context()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import data, exports, safe, tables
from dashboard.labels import LANGUAGES, Labels, labels_for

CONTEXT_KEY = "_govstats_context"
FILTER_WIDGETS = (  # widget key (= URL parameter), facet column, Filters field
    ("city", "city", "cities"),
    ("district", "district", "districts"),
    ("year", "year", "years"),
    ("category", "category", "categories"),
    ("outlet", "outlet", "outlets"),
)
SWITCHES = (  # widget key (= URL parameter), Filters field
    ("targets", "include_targets"),
    ("undated", "include_undated"),
    ("exact", "exclude_approximate"),
    ("agreed", "exclude_conflicts"),
)
LANGUAGE_ALIASES = {"中文": "zh", "English": "en"}  # links made before the URL held codes


@dataclass(frozen=True)
class Context:
    table: data.Table
    filters: data.Filters
    labels: Labels
    place: str | None = None  # the sidebar's subdistrict, as named on screen


def _url_values(key: str, options: Sequence, convert: Callable) -> list:
    wanted = []
    for raw in st.query_params.get_all(key):
        try:
            value = convert(raw)
        except (TypeError, ValueError):
            continue
        if value in options:
            wanted.append(value)
    return wanted


def _restore(key: str, options: Sequence, multi: bool, convert: Callable = str, default=None) -> None:
    """Put the URL's value of `key` (codes) into the widget's state: on a session's first run, and
    whenever a link or a page switch put a value there that this app did not write; else repair a
    state whose value is no longer an option (the filters changed what can be chosen)."""
    written = st.session_state.get(f"_url_{key}")
    in_url = st.query_params.get_all(key)
    if key in st.session_state and (not in_url or in_url == written):
        value = st.session_state[key]
        if multi and any(v not in options for v in value):
            st.session_state[key] = [v for v in value if v in options]
        elif not multi and value is not None and value not in options:
            st.session_state[key] = default if default in options else None
        return
    wanted = _url_values(key, options, convert)
    if multi:
        st.session_state[key] = wanted
    elif wanted:
        st.session_state[key] = wanted[0]
    elif default is not None and default in options:
        st.session_state[key] = default


def _remember(key: str, value, default=None) -> None:
    """Write a widget's value to the URL as codes; a default or empty value leaves the URL clean."""
    if value is None or value == default or (isinstance(value, (list, tuple)) and not value) or value is False:
        st.query_params.pop(key, None)
        written = []
    elif value is True:
        written = ["1"]
    elif isinstance(value, (list, tuple)):
        written = [str(v) for v in value]
    else:
        written = [str(value)]
    if written:
        st.query_params[key] = written if len(written) > 1 else written[0]
    st.session_state[f"_url_{key}"] = written


def choose(widget: str, label: str, options: Sequence, *, key: str, multi: bool = False,
           convert: Callable = str, default=None, container=st, **kwargs):
    """A multiselect, selectbox or segmented control whose value lives in the URL as codes.

    `widget` names the Streamlit function ("selectbox" …), called on `container`; `options` are codes,
    shown through `format_func`.
    """
    options = list(options)
    _restore(key, options, multi, convert, default)
    if widget == "selectbox" and key not in st.session_state:
        kwargs.setdefault("index", None)
    value = getattr(container, widget)(label, options, key=key, **kwargs)
    _remember(key, value, default)
    return value


def switch(label: str, *, key: str, container=st, help: str | None = None) -> bool:
    """A toggle kept in the URL as key=1."""
    in_url = st.query_params.get_all(key)
    if key not in st.session_state or (in_url and in_url != st.session_state.get(f"_url_{key}")):
        st.session_state[key] = st.query_params.get(key, "") in ("1", "true", "True")
    value = container.toggle(label, key=key, help=help)
    _remember(key, value)
    return value


def language() -> Labels:
    names = {"zh": "中文", "en": "English"}
    chosen = choose(
        "segmented_control", "语言 / Language", LANGUAGES, key="lang", default="zh",
        convert=lambda raw: LANGUAGE_ALIASES.get(raw, raw), format_func=lambda code: names[code],
        container=st.sidebar,
    )
    return labels_for(chosen)


def sidebar(table: data.Table, labels: Labels) -> Context:
    """Draw the filters and switches in the sidebar and remember them for the page."""
    choices = data.facets(table)
    formats = {"category": labels.category}
    converts = {"year": int}
    chosen = {}
    with st.sidebar:
        st.header(labels.text("filters"))
        place = choose(
            "selectbox", labels.text("subdistrict"), choices["place"], key="place",
            placeholder=labels.text("choose"), container=st.sidebar,
        )
        if place:
            chosen["subdistricts"] = (choices["subdistrict_of"][place],)
            st.page_link(
                "app_pages/subdistrict.py", label=labels.text("open_subdistrict", place=safe.markdown(place)),
                query_params=carried(place=place),
            )
        for key, column, field in FILTER_WIDGETS:
            chosen[field] = tuple(
                choose(
                    "multiselect", labels.text(key), choices[column], key=key, multi=True,
                    convert=converts.get(key, str), format_func=formats.get(key, str),
                    placeholder=labels.text("choose"), container=st.sidebar,
                )
            )
        st.subheader(labels.text("switches"))
        for key, field in SWITCHES:
            chosen[field] = switch(labels.text(f"switch_{key}"), key=key, container=st.sidebar)
    context = Context(table, data.Filters(**chosen), labels, place)
    st.session_state[CONTEXT_KEY] = context
    return context


def context() -> Context:
    return st.session_state[CONTEXT_KEY]


def carried(**extra: str) -> dict[str, str | list[str]]:
    """The URL's sidebar state (language, filters, switches) plus `extra`: what a link to another
    page carries along."""
    keep = {"lang", "place", "targets", "undated", "exact", "agreed", *(key for key, _, _ in FILTER_WIDGETS)}
    carried: dict[str, str | list[str]] = {}
    for key in st.query_params:
        if key in keep:
            values = st.query_params.get_all(key)
            carried[key] = values if len(values) > 1 else values[0]
    carried.update({k: v for k, v in extra.items() if v is not None})
    return carried


def go_to(page: str, **extra: str) -> None:
    """Open another page with the sidebar state and `extra` parameters in its URL."""
    st.switch_page(f"app_pages/{page}.py", query_params=carried(**extra))


def switches_note(filters: data.Filters, labels: Labels) -> str:
    """Which sensitivity switches are on, for the caption and the exported chart."""
    on = [labels.text(f"switch_{key}") for key, field in SWITCHES if getattr(filters, field)]
    return labels.text("switches_on", names="；".join(on) if labels.language == "zh" else "; ".join(on)) if on else ""


def show_switches(context: Context) -> None:
    """Say on the page which sensitivity switches change what its charts count."""
    note = switches_note(context.filters, context.labels)
    if note:
        st.info(note)


def filters_note(filters: data.Filters, labels: Labels) -> str:
    """The filters in words, for an exported chart: 城市：郑州市；年份：2012, 2013."""
    parts = []
    for key, _, field in FILTER_WIDGETS:
        values = getattr(filters, field)
        if values:
            shown = [labels.category(v) if key == "category" else str(v) for v in values]
            parts.append(f"{labels.text(key)}: {', '.join(shown)}")
    if filters.subdistricts:
        parts.append(f"{labels.text('subdistrict')}: {', '.join(filters.subdistricts)}")
    switches = switches_note(filters, labels)
    return "; ".join(parts + ([switches] if switches else [])) or labels.text("no_filters")


def csv_download(frame: pd.DataFrame, name: str, labels: Labels, container=st) -> None:
    """A button that downloads exactly the shown frame as govstats-NAME.csv (UTF-8 with BOM)."""
    container.download_button(
        labels.text("download_csv"),
        tables.csv_bytes(frame),
        file_name=f"govstats-{name}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        on_click="ignore",
    )


def chart(figure, name: str, context: Context, documents: int, *, on_select=None, key: str | None = None):
    """Draw a Plotly chart with PNG and SVG downloads (image_downloads). Returns the selection
    event, if any."""
    kwargs = {"on_select": on_select, "selection_mode": ("points",)} if on_select else {}
    event = st.plotly_chart(figure, key=key or f"chart-{name}", **kwargs)
    image_downloads(figure, name, context, documents)
    return event


def image_downloads(figure, name: str, context: Context, documents: int) -> None:
    """PNG and SVG downloads of a Plotly figure that carry its title, the filters and the source
    line drawn in (rendered only when clicked, on the server: the browser needs no Plotly for them)."""
    labels = context.labels
    note = exports.Note(
        filters=filters_note(context.filters, labels),
        source=labels.text("source_line", documents=f"{documents:,}", date=_table_date(context.table)),
    )
    if not _can_draw_images():
        st.caption(labels.text("images_need_chromium"))
        return
    columns = st.columns([1, 1, 6])
    for column, kind in zip(columns, ("png", "svg")):
        column.download_button(
            labels.text(f"download_{kind}"),
            lambda kind=kind: exports.image(figure, note, kind),
            file_name=f"govstats-{name}.{kind}",
            mime=exports.MIME[kind],
            key=f"{kind}-{name}",
            on_click="ignore",
        )


@st.cache_resource(show_spinner=False)
def _can_draw_images() -> bool:
    return exports.renderer_available()


def picked_points(event) -> list[dict]:
    """The points a click selected on a chart (a Streamlit selection event is a dict)."""
    return list(((event or {}).get("selection") or {}).get("points") or [])


def _table_date(table: data.Table) -> str:
    return dt.date.fromtimestamp(table.mtime).isoformat()
