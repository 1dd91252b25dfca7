"""Streamlit's server, run with nothing leaving the machine and the data already in memory:
`python -m dashboard.server run APP [flags]` (what `govstats dashboard` starts).

Flags turn off what configuration can (usage statistics, the e-mail prompt). Streamlit still asks
checkip.amazonaws.com for the machine's public address, and opens a socket towards 8.8.8.8 for its
local one, when it prints the URLs of a server listening on every interface and when a page's
origin is not the server's host (behind a proxy): both only name addresses on screen or widen the
allowed origins, so here they find nothing. tests/test_dashboard_server.py watches every socket of
a running server.
"""

from __future__ import annotations

import logging
import sys

# Passed as flags, which win over any config.toml: no usage statistics, no e-mail prompt (which
# would send the address typed), no watching of the source files (a served app does not change), and
# no full garbage collection after every script run (80 ms of each Overview run on a million facts;
# Python's own collector still runs as objects are made).
SERVER_FLAGS = (
    "--browser.gatherUsageStats", "false",
    "--server.showEmailPrompt", "false",
    "--server.fileWatcherType", "none",
    "--runner.postScriptGC", "false",
)  # fmt: skip


def _no_address() -> None:
    return None


def warm_up() -> None:
    """What the first page would otherwise wait for: the libraries the app imports, the whole
    table's figures in memory (st.cache_resource is one cache per process, shared with the app),
    and what the Overview shows with no filter, in its default metric (st.cache_data is global to
    the process too, not to a session, so the first session finds them)."""
    import plotly.graph_objects  # noqa: F401
    import plotly.io

    from dashboard.labels import LANGUAGES, labels_for
    from streamlit import config
    from streamlit.logger import get_logger

    config.get_config_options()  # read first: reading it sets every Streamlit logger's level again
    quiet = [get_logger(f"streamlit.runtime.caching.{name}") for name in ("cache_data_api", "cache_resource_api")]
    levels = [log.level for log in quiet]
    for log in quiet:
        log.setLevel(logging.ERROR)  # "no runtime yet" is expected before the server starts
    try:
        _first_session_costs()
        from dashboard import charts, data, figures, tables, views

        table = data.current_table()
        if table is None:
            return
        data.load_counts(table)
        data.facets(table)
        data.headline(table, data.Filters())
        menu = views.metric_menu(table, data.Filters())
        if menu.default is not None:  # and its chart built once: Plotly imports a trace's classes on first use
            metric, unit = figures.split_code(menu.default)
            totals = views.metric_chart(table, data.Filters(), metric, unit).totals
            plotly.io.to_json(charts.metric_bar(totals, metric, unit, "", labels_for("zh")), validate=False)
        for language in LANGUAGES:
            tables.csv_bytes(views.coverage_table(table, data.Filters(), language))
    finally:
        for log, level in zip(quiet, levels):
            log.setLevel(level)


def _first_session_costs() -> None:
    """What the first script run of a server pays once (0.4 s of a first Overview): Streamlit's
    emoji catalogue and its regular expression (read for the language switch's labels), its
    check whether it runs in a REPL (a walk of the stack, on its first element), the labels, and
    whether Kaleido finds a Chromium for the image downloads."""
    from streamlit import delta_generator, string_util
    from streamlit.logger import get_logger

    from dashboard import ui
    from dashboard.labels import LANGUAGES, labels_for

    string_util.extract_leading_emoji("中文")
    if hasattr(delta_generator, "_maybe_print_use_warning"):
        root_log = get_logger("root")
        level = root_log.level
        root_log.setLevel(logging.ERROR)  # its warning is for a script run without `streamlit run`
        try:
            delta_generator._maybe_print_use_warning()
        finally:
            root_log.setLevel(level)
    for language in LANGUAGES:
        labels_for(language).metric_with_unit("population", "person")
    ui._can_draw_images()


def main() -> int:
    from streamlit import net_util
    from streamlit.web import cli

    from dashboard.index_page import serve_with_base_url

    net_util.get_external_ip = _no_address
    net_util.get_internal_ip = _no_address
    serve_with_base_url()
    warm_up()
    sys.argv = ["streamlit", *sys.argv[1:]]
    return cli.main(prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main())
