"""`govstats dashboard`: start the Streamlit app on a data folder, building it from the seeds first
when it holds no table yet.

It listens on 127.0.0.1 only: the dashboard has no login. `--host 0.0.0.0` shares it with the
network (a warning is logged); put it behind a reverse proxy with authentication to do that
safely. Nothing is sent out: no usage statistics, no address lookups (dashboard/server.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from etl import pipeline

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=pipeline.DEFAULT_OUT, metavar="DIR", help="folder with facts.parquet (default: data/)")
    parser.add_argument("--port", type=int, default=8501, help="port to serve on (default: 8501)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 shares the dashboard, "
        "which has no login, with the whole network: put it behind a proxy with authentication)",
    )
    parser.add_argument("--headless", action="store_true", help="do not open a browser")


def prepare_figures(data: Path) -> None:
    """Count the whole table's figures once, before the server starts, so the first page is fast."""
    os.environ["GOVSTATS_DATA"] = str(data.resolve())
    from streamlit.logger import get_logger

    get_logger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)  # "no runtime" is expected here
    from dashboard import data as dashboard_data

    table = dashboard_data.current_table()
    if table is not None:
        dashboard_data.compute_all_figures(table)
        dashboard_data.compute_article_entries(table)


def run(args: argparse.Namespace) -> int:
    data = Path(args.data)
    if not (data / "facts.parquet").exists():
        print(f"{data / 'facts.parquet'} is missing: building it from seeds/ first")
        pipeline.run_corpus(list(pipeline.DEFAULT_SOURCES), data)
    prepare_figures(data)
    if args.host not in LOCAL_HOSTS:
        log.warning(
            "the dashboard listens on %s:%s and has no login: anyone who can reach this machine can read it; "
            "serve it through a reverse proxy with authentication (README, Dashboard)",
            args.host,
            args.port,
        )
    print(f"govstats dashboard: http://{'localhost' if args.host in LOCAL_HOSTS else args.host}:{args.port}", flush=True)
    environment = dict(os.environ, GOVSTATS_DATA=str(data.resolve()))
    command = server_command(args.host, args.port, args.headless)
    # The server takes this process's place: stopping `govstats dashboard` stops the server (a child
    # would be left running, with the table in memory).
    os.execve(command[0], command, environment)


def server_command(host: str, port: int, headless: bool = True) -> list[str]:
    """The command that serves the app: Streamlit with every outbound call off, on host:port."""
    from dashboard.server import SERVER_FLAGS

    command = [sys.executable, "-m", "dashboard.server", "run", str(APP), *SERVER_FLAGS]
    command += ["--server.address", host, "--server.port", str(port), "--server.headless", str(headless).lower()]
    return command
