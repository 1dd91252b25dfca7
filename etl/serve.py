"""`govstats dashboard`: start the Streamlit app on a data folder, building it from the seeds first
when it holds no table yet."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from pathlib import Path

from etl import pipeline

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=pipeline.DEFAULT_OUT, metavar="DIR", help="folder with facts.parquet (default: data/)")
    parser.add_argument("--port", type=int, default=8501, help="port to serve on (default: 8501)")
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
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(args.port)]
    command += ["--browser.gatherUsageStats", "false"]  # no telemetry: it also runs on closed networks
    if args.headless:
        command += ["--server.headless", "true"]
    environment = dict(os.environ, GOVSTATS_DATA=str(data.resolve()))
    return subprocess.call(command, env=environment)
