"""The one place the dashboard reads the fact table from."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data"


def data_dir() -> Path:
    return Path(os.environ.get("GOVSTATS_DATA", DEFAULT_DATA))


@st.cache_data(show_spinner=False)
def load_facts(path: str) -> pd.DataFrame:
    return pd.read_parquet(path)
