"""Streamlit's server, run with nothing leaving the machine: `python -m dashboard.server run APP [flags]`
(what `govstats dashboard` starts).

Flags turn off what configuration can (usage statistics, the e-mail prompt). Streamlit still asks
checkip.amazonaws.com for the machine's public address, and opens a socket towards 8.8.8.8 for its
local one, when it prints the URLs of a server listening on every interface and when a page's
origin is not the server's host (behind a proxy): both only name addresses on screen or widen the
allowed origins, so here they find nothing. tests/test_dashboard_server.py watches every socket of
a running server.
"""

from __future__ import annotations

import sys

# What Streamlit must never do from here (passed as flags, which win over any config.toml).
OFFLINE_FLAGS = (
    "--browser.gatherUsageStats", "false",
    "--server.showEmailPrompt", "false",
    "--server.fileWatcherType", "none",
)  # fmt: skip


def _no_address() -> None:
    return None


def main() -> int:
    from streamlit import net_util
    from streamlit.web import cli

    net_util.get_external_ip = _no_address
    net_util.get_internal_ip = _no_address
    sys.argv = ["streamlit", *sys.argv[1:]]
    return cli.main(prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main())
