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
    from dashboard.labels import LANGUAGES
    from streamlit.logger import get_logger

    caching_log = get_logger("streamlit.runtime.caching.cache_data_api")
    level = caching_log.level
    caching_log.setLevel(logging.ERROR)  # "no runtime yet" is expected before the server starts
    try:
        from dashboard import data, figures, views

        table = data.current_table()
        if table is None:
            return
        data.load_counts(table)
        data.facets(table)
        data.headline(table, data.Filters())
        menu = views.metric_menu(table, data.Filters())
        if menu.default is not None:
            views.metric_chart(table, data.Filters(), *figures.split_code(menu.default))
        for language in LANGUAGES:
            views.coverage_table(table, data.Filters(), language)
    finally:
        caching_log.setLevel(level)


def main() -> int:
    from streamlit import net_util
    from streamlit.web import cli

    net_util.get_external_ip = _no_address
    net_util.get_internal_ip = _no_address
    warm_up()
    sys.argv = ["streamlit", *sys.argv[1:]]
    return cli.main(prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main())
